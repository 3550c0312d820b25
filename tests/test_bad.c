/* test_bad.c -- the malformed-input corpus (tests/bad/, README.md there):
 * every file, through `aims validate` and then `aims run` (sweep files:
 * `aims sweep`), must exit 2, print the message its first line expects
 * (file, line and key), and write nothing: no output, no temporary, no
 * journal. Run from the source root, so the messages' paths are the ones
 * the files were written against. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

enum { MAX_FILES = 256 };

static char names[MAX_FILES][128];

static size_t list_corpus(void)
{
    DIR *d = opendir(AIMS_SOURCE_DIR "/tests/bad");
    cr_assert_not_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && len < sizeof names[0] &&
            strcmp(e->d_name + len - 4, ".cfg") == 0 && n < MAX_FILES)
            strcpy(names[n++], e->d_name);
    }
    closedir(d);
    return n;
}

/* The text after "# expect: " on the file's first line. */
static void expected(const char *name, char *buf, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/bad/%s", AIMS_SOURCE_DIR, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[512] = "";
    cr_assert_not_null(fgets(line, sizeof line, f));
    fclose(f);
    cr_assert(strncmp(line, "# expect: ", 10) == 0,
              "%s: first line must be '# expect: MESSAGE'", name);
    line[strcspn(line, "\n")] = '\0';
    snprintf(buf, n, "%s", line + 10);
}

/* Runs `aims ARGS` from the source root; stderr into err. Exit status. */
static int aims_in_root(const char *args, const char *dir, char *err,
                        size_t n)
{
    char cmd[2048], errp[600];
    snprintf(errp, sizeof errp, "%s/err.txt", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s/aims' %s >/dev/null 2>'%s'",
             AIMS_SOURCE_DIR, AIMS_BUILD_DIR, args, errp);
    int st = system(cmd);
    FILE *f = fopen(errp, "r");
    cr_assert_not_null(f);
    size_t k = fread(err, 1, n - 1, f);
    err[k] = '\0';
    fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static bool empty_but_err(const char *dir)
{
    DIR *d = opendir(dir);
    bool empty = true;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            strcmp(e->d_name, "err.txt"))
            empty = false;
    if (d)
        closedir(d);
    return empty;
}

Test(bad, every_file_is_refused_with_its_message, .timeout = 300)
{
    size_t n = list_corpus();
    cr_assert_geq(n, 40u, "the corpus has %zu files, at least 40 wanted", n);
    char dir[] = "/tmp/aims-bad-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        char want[512], err[8192], args[1200];
        expected(names[i], want, sizeof want);
        bool sweep = strncmp(names[i], "sweep_", 6) == 0;
        for (int k = 0; k < 2; k++) {
            if (k == 0)
                snprintf(args, sizeof args, "validate tests/bad/%s",
                         names[i]);
            else if (sweep)
                snprintf(args, sizeof args, "sweep tests/bad/%s -o '%s/out.h5'",
                         names[i], dir);
            else
                snprintf(args, sizeof args,
                         "run tests/bad/%s -o '%s/out.h5' -r 1 --quiet",
                         names[i], dir);
            int rc = aims_in_root(args, dir, err, sizeof err);
            bool ok = rc == 2 && strstr(err, want) != NULL &&
                      empty_but_err(dir);
            if (!ok) {
                failed++;
                cr_log_error("tests/bad/%s: aims %s: exit %d (want 2), "
                             "wanted '%s' in: %s%s",
                             names[i], k ? (sweep ? "sweep" : "run")
                                         : "validate",
                             rc, want, err,
                             empty_but_err(dir) ? "" : " (and it wrote a file)");
            }
        }
    }
    char rm[64];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    cr_assert_eq(failed, 0u, "%zu of %zu checks failed (above)", failed,
                 2 * n);
}
