/* test_build.c -- the Makefile on a machine that is not this one (issue 16):
 * how it finds the libraries (scripts/find-lib) and what it says when it
 * cannot.
 *
 * A machine without the libraries is made by putting first on PATH a
 * directory of stand-ins that fail -- pkg-config, h5cc, gsl-config and cc --
 * and pointing PKG_CONFIG_PATH nowhere: every way find-lib looks then finds
 * nothing, as on a cluster before `module load`. Each make gets its own build
 * directory (B=) in a temporary directory and the environment without the
 * calling make's MAKEFLAGS (its jobserver) or any library variable.
 *
 *  - nothing found: make stops before compiling anything, exit 2, with one
 *    line naming the three libraries and what to install or set;
 *  - only HDF5 hidden: the line names HDF5 alone (GSL is found by
 *    gsl-config, libconfig by the compiler's own paths);
 *  - the same machine with HDF5_CFLAGS and HDF5_LIBS on the command line:
 *    an HDF5 source compiles, and the link line carries the flags given
 *    with the high-level library added.
 * These take a second or two; the whole build with pkg-config hidden was
 * run by hand (docs/cluster.md).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

extern char **environ;

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/aims-build-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(build, .init = make_dir, .fini = remove_dir, .timeout = 120);

/* DIR/fake/NAME: a program that fails, standing in for a missing tool. */
static void fake(const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/fake", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/fake/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fputs("#!/bin/sh\nexit 1\n", f);
    fclose(f);
    cr_assert_eq(chmod(p, 0755), 0);
}

static bool dropped(const char *e)
{
    static const char *const drop[] = {
        "MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=", "MAKEOVERRIDES=", "CC=",
        "PATH=", "PKG_CONFIG_PATH=", "PKG_CONFIG=", "HDF5_", "GSL_",
        "LIBCONFIG_", "WERROR="};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (strncmp(e, drop[i], strlen(drop[i])) == 0)
            return true;
    return false;
}

static char out_txt[1 << 16], err_txt[1 << 16];

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    size_t k = f ? fread(buf, 1, n - 1, f) : 0;
    buf[k] = '\0';
    if (f)
        fclose(f);
}

/* `make -C SOURCE B=DIR/b ARGS...` with DIR/fake first on PATH. */
static int make(const char *const *args)
{
    static char *env[512], path[4096], pcp[] = "PKG_CONFIG_PATH=/nonexistent";
    size_t n = 0;
    const char *old = getenv("PATH");
    snprintf(path, sizeof path, "PATH=%s/fake:%s", dir,
             old ? old : "/usr/bin:/bin");
    for (char **e = environ; *e && n < 500; e++)
        if (!dropped(*e))
            env[n++] = *e;
    env[n++] = path;
    env[n++] = pcp;
    env[n] = NULL;
    static char b[300];
    snprintf(b, sizeof b, "B=%s/b", dir);
    char *argv[32];
    size_t na = 0;
    static char mk[] = "make", c[] = "-C", src[] = AIMS_SOURCE_DIR;
    argv[na++] = mk;
    argv[na++] = c;
    argv[na++] = src;
    argv[na++] = b;
    for (size_t i = 0; args[i] && na < 31; i++)
        memcpy(&argv[na++], &args[i], sizeof argv[0]); /* drop const */
    argv[na] = NULL;
    char o[512], e[512];
    snprintf(o, sizeof o, "%s/out.txt", dir);
    snprintf(e, sizeof e, "%s/err.txt", dir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fi = open("/dev/null", O_RDONLY);
        if (fo < 0 || fe < 0 || fi < 0 || dup2(fi, 0) < 0 ||
            dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
            _exit(126);
        environ = env; /* execvp searches the PATH given */
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    slurp(o, out_txt, sizeof out_txt);
    slurp(e, err_txt, sizeof err_txt);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static size_t lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static bool exists(const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

Test(build, no_library_found_stops_make_in_one_line)
{
    fake("pkg-config");
    fake("h5cc");
    fake("gsl-config");
    fake("cc");
    const char *a[] = {NULL};
    int rc = make(a);
    cr_assert_eq(rc, 2, "make: %d: %s", rc, err_txt);
    cr_assert_eq(lines(err_txt), 1u, "not one line:\n%s", err_txt);
    static const char *const want[] = {
        "HDF5 (",   "libhdf5-dev", "HDF5_CFLAGS=", "HDF5_LIBS=",
        "GSL (",    "GSL_LIBS=",   "libconfig (",  "LIBCONFIG_LIBS=",
        "docs/cluster.md"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(err_txt, want[i]), "no '%s' in: %s",
                           want[i], err_txt);
    cr_assert(!exists("b"), "make built something before stopping");
}

/* HDF5's flags as this machine's find-lib finds them, before hiding. */
static void real_hdf5(char *cflags, char *libs, size_t n)
{
    FILE *p = popen(AIMS_SOURCE_DIR "/scripts/find-lib hdf5 --cflags", "r");
    cr_assert_not_null(p);
    if (fgets(cflags, (int)n, p) == NULL)
        cflags[0] = '\0';
    cr_assert_eq(pclose(p), 0, "this machine has no HDF5");
    p = popen(AIMS_SOURCE_DIR "/scripts/find-lib hdf5 --libs", "r");
    cr_assert_not_null(p);
    if (fgets(libs, (int)n, p) == NULL)
        libs[0] = '\0';
    cr_assert_eq(pclose(p), 0);
    cflags[strcspn(cflags, "\n")] = '\0';
    libs[strcspn(libs, "\n")] = '\0';
    /* What a user would type: the plain library, -lhdf5_hl left out. */
    char *hl = strstr(libs, "-lhdf5_hl ");
    if (hl != NULL)
        memmove(hl, hl + 10, strlen(hl + 10) + 1);
}

Test(build, hdf5_flags_given_build_with_pkg_config_hidden)
{
    char cflags[1024], libs[1024];
    real_hdf5(cflags, libs, sizeof cflags);
    fake("pkg-config");
    fake("h5cc");
    /* Hidden, and not given: HDF5 alone is named. */
    const char *a[] = {NULL};
    int rc = make(a);
    cr_assert_eq(rc, 2, "make: %d: %s", rc, err_txt);
    cr_assert_eq(lines(err_txt), 1u, "%s", err_txt);
    cr_assert_not_null(strstr(err_txt, "HDF5 ("), "%s", err_txt);
    cr_assert_null(strstr(err_txt, "GSL ("), "gsl-config was there: %s",
                   err_txt);
    cr_assert_null(strstr(err_txt, "libconfig ("), "%s", err_txt);
    /* Given: an HDF5 source compiles, and aims would link with them. */
    char hc[1100], hl[1100], obj[400];
    snprintf(hc, sizeof hc, "HDF5_CFLAGS=%s", cflags);
    snprintf(hl, sizeof hl, "HDF5_LIBS=%s", libs);
    snprintf(obj, sizeof obj, "%s/b/analysis/h5w_attr.o", dir);
    const char *b[] = {hc, hl, obj, NULL};
    rc = make(b);
    cr_assert_eq(rc, 0, "make with HDF5 flags given: %d: %s", rc, err_txt);
    cr_assert(exists("b/analysis/h5w_attr.o"));
    char bin[400];
    snprintf(bin, sizeof bin, "%s/b/aims", dir);
    const char *c[] = {"-n", hc, hl, bin, NULL};
    rc = make(c);
    cr_assert_eq(rc, 0, "make -n: %d: %s", rc, err_txt);
    char want[1200];
    snprintf(want, sizeof want, "-lhdf5_hl %s", libs);
    char *link = strstr(out_txt, "-o ");
    for (char *p = out_txt; (p = strstr(p, " -o ")) != NULL; p++)
        if (strncmp(p + 4, bin, strlen(bin)) == 0)
            link = p;
    cr_assert_not_null(link);
    char *eol = strchr(link, '\n');
    if (eol)
        *eol = '\0';
    cr_assert_not_null(strstr(link, want), "want '%s' in the link line: %s",
                       want, link);
}
