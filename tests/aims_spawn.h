/* aims_spawn.h -- starting aims (or mpirun, or python) the way
 * tests/test_sweep.c and tests/test_calibrate.c do: argv[0] found on PATH,
 * stdout and stderr into files of a directory the caller names, and an
 * environment fit for mpirun as root and for Open MPI under LeakSanitizer
 * (recipes/toolchain.md: Open MPI leaks at exit, so leak detection is off
 * under mpirun). Criterion asserts on any failure. tests/spawn.h is the
 * simpler kind, for programs started by path with a fixed directory. */
#ifndef AIMS_TESTS_AIMS_SPAWN_H
#define AIMS_TESTS_AIMS_SPAWN_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

/* Starts args (NULL-ended, args[0] the program) with stdout and stderr in
 * DIR/out_name and DIR/err_name. */
static inline pid_t aims_spawn_start(const char *dir, const char *const *args,
                                     const char *out_name,
                                     const char *err_name)
{
    char *argv[48];
    size_t na = 0;
    for (; args[na] && na < 47; na++)
        memcpy(&argv[na], &args[na], sizeof argv[0]); /* drop const */
    argv[na] = NULL;
    static char *env[256];
    size_t n = 0;
    for (char **e = environ; *e && n < 240; e++)
        if (strncmp(*e, "ASAN_OPTIONS=", 13) != 0)
            env[n++] = *e;
    static char asan[] = "ASAN_OPTIONS=detect_leaks=0";
    static char r1[] = "OMPI_ALLOW_RUN_AS_ROOT=1";
    static char r2[] = "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1";
    if (strstr(args[0], "mpirun") != NULL) {
        env[n++] = asan;
        env[n++] = r1;
        env[n++] = r2;
    }
    env[n] = NULL;
    char out[512], errp[512];
    snprintf(out, sizeof out, "%s/%s", dir, out_name);
    snprintf(errp, sizeof errp, "%s/%s", dir, err_name);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, 2, errp,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "posix_spawn %s: %s", argv[0], strerror(rc));
    return pid;
}

/* The exit status, or 128 + the signal that ended it. */
static inline int aims_spawn_finish(pid_t pid)
{
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* `[prefix...] BUILD/aims ARGS...` (prefix NULL-ended, or NULL) to the end,
 * with DIR/out.txt and DIR/err.txt: its exit status. */
static inline int aims_spawn_run(const char *dir, const char *build,
                                 const char *const *prefix,
                                 const char *const *args)
{
    static char prog[512];
    snprintf(prog, sizeof prog, "%s/aims", build);
    const char *argv[48];
    size_t n = 0;
    for (size_t i = 0; prefix && prefix[i]; i++)
        argv[n++] = prefix[i];
    argv[n++] = prog;
    for (size_t i = 0; args[i]; i++) {
        cr_assert_lt(n, 46u);
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    return aims_spawn_finish(aims_spawn_start(dir, argv, "out.txt",
                                              "err.txt"));
}

#endif
