/* test_bad.c -- the malformed-input corpus (tests/bad/, README.md there).
 *
 * One parameterized test per file tests/bad/NAME.cfg: `aims validate FILE`,
 * then `aims run FILE -o DIR/out.h5 -r 1` (a sweep_*.cfg file: `aims sweep
 * FILE -o DIR/out.h5`; a calib_*.cfg file: `aims calibrate FILE -o
 * DIR/out.h5`), each with the sanitized binary in a child process
 * started from the source root, so the messages carry the paths the files
 * were written against (tests/bad/...). Each call must
 *
 *  - exit with status 2 (no signal, no sanitizer report on its stderr);
 *  - print, on stderr, the message the file's first line expects
 *    ("# expect: MESSAGE"), which starts with the name of the file at fault
 *    (the file itself, or what it @includes) and its line;
 *  - name that file by its path, tests/bad/NAME;
 *  - leave DIR empty: no output, no temporary .out.h5*, no journal.
 *
 * A file whose second line is "# known-bug: WHAT" exercises a defect aims
 * does not yet handle as it should: its test fails, saying so, until aims is
 * fixed, and then fails again until the mark is removed. Nothing is skipped.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define CORPUS "tests/bad" /* from the source root */

extern char **environ;

enum {
    MIN_FILES = 40,   /* the hardening issue asks for at least 40 */
    MAX_FILES = 1024, /* more are not listed (corpus_is_big_enough fails) */
    NAME_LEN = 96     /* a longer name is not listed (idem) */
};

typedef struct {
    char name[NAME_LEN]; /* "shares_not_one.cfg" */
} corpus_file;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const corpus_file *)a)->name,
                  ((const corpus_file *)b)->name);
}

/* Lists AIMS_SOURCE_DIR/tests/bad/NAME.cfg into out (room for max), sorted.
 * Returns how many there are, including any that did not fit (a name too
 * long, or past max); 0 when the directory cannot be read. */
static size_t list_corpus(corpus_file *out, size_t max, size_t *listed)
{
    size_t n = 0, k = 0;
    DIR *d = opendir(AIMS_SOURCE_DIR "/" CORPUS);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".cfg") != 0)
            continue;
        n++;
        if (len < NAME_LEN && k < max)
            memcpy(out[k++].name, e->d_name, len + 1);
    }
    if (d)
        closedir(d);
    qsort(out, k, sizeof *out, by_name);
    *listed = k;
    return n;
}

static void free_corpus(struct criterion_test_params *crp)
{
    cr_free(crp->params);
}

/* Runs in the Criterion runner: the parameters must live in cr_malloc'd
 * memory, which the test workers share. */
ParameterizedTestParameters(bad, refused_with_its_message)
{
    static corpus_file found[MAX_FILES];
    size_t n;
    list_corpus(found, MAX_FILES, &n);
    corpus_file *p = cr_malloc((n ? n : 1) * sizeof *p);
    if (p == NULL)
        n = 0;
    else if (n)
        memcpy(p, found, n * sizeof *p);
    return cr_make_param_array(corpus_file, p, n, free_corpus);
}

Test(bad, corpus_is_big_enough)
{
    static corpus_file found[MAX_FILES];
    size_t listed, n = list_corpus(found, MAX_FILES, &listed);
    cr_assert_geq(n, MIN_FILES, "%s has %zu .cfg files, at least %d wanted",
                  CORPUS, n, MIN_FILES);
    cr_assert_eq(listed, n,
                 "%zu of %zu files in %s are not tested: names must be "
                 "shorter than %d characters, and at most %d files",
                 n - listed, n, CORPUS, NAME_LEN, MAX_FILES);
}

/* ---- one file ------------------------------------------------------------
 */

/* What is wrong so far, one line per problem. */
typedef struct {
    char text[16384];
    size_t len;
} problems;

static void note(problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(problems *p, const char *fmt, ...)
{
    if (p->len >= sizeof p->text - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(p->text + p->len, sizeof p->text - p->len, fmt, ap);
    va_end(ap);
    if (k > 0)
        p->len += (size_t)k;
    if (p->len >= sizeof p->text)
        p->len = sizeof p->text - 1;
}

static void copy(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    cr_assert_lt(len, n, "a header line longer than %zu characters", n - 1);
    memcpy(dst, src, len + 1);
}

/* The file's first two lines: the expected message, and the known bug (""
 * when there is none). */
static void read_header(const char *path, char *want, size_t nw, char *bug,
                        size_t nb)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    char line[2][1024] = {"", ""};
    for (int i = 0; i < 2 && fgets(line[i], sizeof line[i], f); i++)
        line[i][strcspn(line[i], "\r\n")] = '\0';
    fclose(f);
    /* byte_order_mark.cfg starts with one, before its expectation. */
    if (strncmp(line[0], "\xEF\xBB\xBF", 3) == 0)
        memmove(line[0], line[0] + 3, strlen(line[0] + 3) + 1);
    static const char ex[] = "# expect: ", kb[] = "# known-bug: ";
    cr_assert(strncmp(line[0], ex, strlen(ex)) == 0 &&
                  line[0][strlen(ex)] != '\0',
              "%s: the first line must be '%sMESSAGE', got '%s'", path, ex,
              line[0]);
    copy(want, nw, line[0] + strlen(ex));
    bool has_bug = strncmp(line[1], kb, strlen(kb)) == 0;
    copy(bug, nb, has_bug ? line[1] + strlen(kb) : "");
    cr_assert(!has_bug || bug[0] != '\0',
              "%s: the second line must say what the bug is: '%sWHAT'", path,
              kb);
}

static void slurp(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
}

/* Runs AIMS_BUILD_DIR/aims with args (NULL-ended, without the program's
 * name) from the current directory; stdout and stderr into the files
 * outp and errp. Returns the exit status, or 128 + the signal. */
static int aims(const char *const *args, const char *outp, const char *errp)
{
    char prog[512];
    snprintf(prog, sizeof prog, "%s/aims", AIMS_BUILD_DIR);
    char *argv[16];
    size_t n = 0;
    argv[n++] = prog;
    for (; args[n - 1]; n++) {
        cr_assert_lt(n, 15u);
        /* posix_spawn takes char *const[]: copy the pointer, not cast. */
        memcpy(&argv[n], &args[n - 1], sizeof argv[n]);
    }
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, outp,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, errp,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "posix_spawn %s: %s", prog, strerror(rc));
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Notes every entry of dir: it must stay empty. */
static void expect_empty(problems *p, const char *what, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        note(p, "  %s: cannot list %s: %s\n", what, dir, strerror(errno));
        return;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            note(p, "  %s: left %s/%s behind (nothing may be written)\n",
                 what, dir, e->d_name);
    closedir(d);
}

/* One command on one file: every way it falls short goes into p. */
static void check(problems *p, const char *const *args, const char *tmp,
                  const char *want, const char *names)
{
    char what[512], outdir[512], outp[512], errp[512];
    snprintf(what, sizeof what, "aims %s %s", args[0], args[1]);
    snprintf(outdir, sizeof outdir, "%s/out", tmp);
    snprintf(outp, sizeof outp, "%s/stdout.txt", tmp);
    snprintf(errp, sizeof errp, "%s/stderr.txt", tmp);
    cr_assert_eq(mkdir(outdir, 0755), 0, "mkdir %s: %s", outdir,
                 strerror(errno));
    int rc = aims(args, outp, errp);
    static char err[65536], out[4096];
    slurp(errp, err, sizeof err);
    slurp(outp, out, sizeof out);
    size_t before = p->len;
    if (rc != 2)
        note(p, "  %s: exit status %d, expected 2 (bad input)%s\n", what, rc,
             rc > 128 ? " -- killed by a signal" : "");
    if (strstr(err, "Sanitizer") || strstr(err, "runtime error:"))
        note(p, "  %s: a sanitizer report on stderr\n", what);
    if (strstr(err, want) == NULL)
        note(p, "  %s: stderr lacks the expected message\n      %s\n", what,
             want);
    if (strstr(err, names) == NULL)
        note(p, "  %s: stderr does not name the file: no '%s'\n", what,
             names);
    expect_empty(p, what, outdir);
    if (p->len != before)
        note(p, "    its stderr: %.2000s%s    its stdout: %.500s\n",
             err[0] ? err : "(empty)\n",
             err[0] && err[strlen(err) - 1] != '\n' ? "\n" : "",
             out[0] ? out : "(empty)\n");
    char rm[600];
    snprintf(rm, sizeof rm, "rm -rf '%s'", outdir);
    cr_assert_eq(system(rm), 0);
}

ParameterizedTest(corpus_file *f, bad, refused_with_its_message,
                  .timeout = 120)
{
    /* Criterion runs each parameter in its own worker: the directory
     * changes for this file only. */
    cr_assert_eq(chdir(AIMS_SOURCE_DIR), 0, "chdir %s: %s", AIMS_SOURCE_DIR,
                 strerror(errno));
    char path[256], want[1024], bug[1024];
    snprintf(path, sizeof path, "%s/%s", CORPUS, f->name);
    read_header(path, want, sizeof want, bug, sizeof bug);

    /* The file at fault: the message's first word, before ':'. */
    size_t at = strcspn(want, ":");
    cr_assert(at > 0 && want[at] == ':',
              "%s: the expected message must start with the file at fault "
              "and ':', got '%s'", path, want);
    char names[300], faulty[256];
    snprintf(faulty, sizeof faulty, "%s/%.*s", CORPUS, (int)at, want);
    cr_assert_eq(access(faulty, R_OK), 0,
                 "%s: the expected message names %s, which is not there",
                 path, faulty);
    snprintf(names, sizeof names, "%s:", faulty);

    char tmp[] = "/tmp/aims-bad-XXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    char out[600];
    snprintf(out, sizeof out, "%s/out/out.h5", tmp);
    bool sweep = strncmp(f->name, "sweep_", 6) == 0;
    static problems p;
    p.len = 0;
    p.text[0] = '\0';
    const char *validate[] = {"validate", path, NULL};
    const char *run[] = {"run", path, "-o", out, "-r", "1", NULL};
    const char *swp[] = {"sweep", path, "-o", out, NULL};
    const char *cal[] = {"calibrate", path, "-o", out, "--quiet", NULL};
    bool calib = strncmp(f->name, "calib_", 6) == 0;
    check(&p, validate, tmp, want, names);
    check(&p, calib ? cal : sweep ? swp : run, tmp, want, names);
    char rm[600];
    snprintf(rm, sizeof rm, "rm -rf '%s'", tmp);
    cr_assert_eq(system(rm), 0);

    if (bug[0] != '\0' && p.len > 0)
        cr_assert_fail("%s: KNOWN BUG (not yet fixed in aims): %s\n%s", path,
                       bug, p.text);
    if (bug[0] != '\0')
        cr_assert_fail("%s: marked '# known-bug: %s', but aims now refuses "
                       "it as expected: make line 2 a plain comment (so no "
                       "line moves) and update %s/README.md",
                       path, bug, CORPUS);
    cr_assert_eq(p.len, 0u, "%s: not refused as expected:\n%s", path,
                 p.text);
}
