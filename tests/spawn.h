/* spawn.h -- what the tests that run programs share: a fresh directory per
 * test (dir), paths in it, a program run with its stdout and stderr in
 * DIR/out.txt and DIR/err.txt, and those files read back
 * (tests/test_plot.c, tests/test_export.c, tests/test_targets_check.c,
 * tests/test_cli.c).
 * Criterion asserts on any failure. */
#ifndef AIMS_TESTS_SPAWN_H
#define AIMS_TESTS_SPAWN_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static char dir[256]; /* a fresh directory per test */

/* Makes dir from a mkdtemp template ("/tmp/aims-NAME-XXXXXX"). */
static inline void spawn_make_dir(const char *tmpl)
{
    snprintf(dir, sizeof dir, "%s", tmpl);
    cr_assert_not_null(mkdtemp(dir));
}

static inline void spawn_remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* DIR/name, in one of 32 rotating buffers (several are alive at once). */
static inline const char *in_dir(const char *name)
{
    static char buf[32][512];
    static int k;
    char *p = buf[k++ % 32];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

/* Starts prog with args (NULL-ended, without the program name), stdout and
 * stderr into DIR/out.txt and DIR/err.txt; spawn_finish waits for it. */
static inline pid_t spawn_start(const char *prog, const char *const *args)
{
    char out[512], errp[512];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(errp, sizeof errp, "%s/err.txt", dir);
    char *argv[40];
    size_t n = 0;
    memcpy(&argv[n++], &prog, sizeof argv[0]);
    for (; args[n - 1]; n++) {
        cr_assert_lt(n, 39u);
        /* posix_spawn takes char *const[]: copy the pointer, not cast. */
        memcpy(&argv[n], &args[n - 1], sizeof argv[n]);
    }
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, 2, errp,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "posix_spawn %s: %s", prog, strerror(rc));
    return pid;
}

/* The exit status of a spawn_start'ed pid, or 128 + the signal that ended
 * it. */
static inline int spawn_finish(pid_t pid)
{
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* spawn_start and spawn_finish: the exit status. */
static inline int spawn(const char *prog, const char *const *args)
{
    return spawn_finish(spawn_start(prog, args));
}

/* DIR/name's text (up to 1 MiB: ncdump -h of a run file holds its
 * scenario), in a buffer the next call reuses. */
static inline char *slurp(const char *name)
{
    static char buf[1 << 20];
    FILE *f = fopen(in_dir(name), "r");
    cr_assert_not_null(f, "%s/%s", dir, name);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

#endif
