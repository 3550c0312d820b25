/* test_faults.c -- faults on disk, as the real file system gives them:
 * an output directory that is missing, read-only (a read-only tmpfs) or
 * full (a 64 KiB tmpfs), an existing output, truncated or corrupt files
 * handed to merge and to --resume. Each must give a clear message, a
 * non-zero exit, nothing half-written at the target and no damage to files
 * already there.
 *
 * Mounting needs root; elsewhere the mount tests are skipped, saying so.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#ifndef AIMS_RELEASE_DIR
#define AIMS_RELEASE_DIR "build"
#endif
#define SCEN AIMS_SOURCE_DIR "/scenarios/baseline.cfg"
#define FIX(name) AIMS_SOURCE_DIR "/tests/fixtures/sweeprun/" name

extern char **environ;

static char dir[256], mnt[300];
static bool mounted;

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/aims-faults-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(mnt, sizeof mnt, "%s/mnt", dir);
    cr_assert_eq(mkdir(mnt, 0755), 0);
    mounted = false;
}

static void remove_dir(void)
{
    char cmd[700];
    if (mounted) {
        snprintf(cmd, sizeof cmd, "umount '%s'", mnt);
        cr_assert_eq(system(cmd), 0);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(faults, .init = make_dir, .fini = remove_dir, .timeout = 120);

/* Mounts a tmpfs at mnt with the given options, or skips the test. */
static void mount_tmpfs(const char *opts)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o %s tmpfs '%s' 2>/dev/null",
             opts, mnt);
    if (geteuid() != 0 || system(cmd) != 0)
        cr_skip_test("needs root to mount a tmpfs");
    mounted = true;
}

/* Starts prog_dir/aims with args (NULL-ended, without the program's name):
 * stdout to /dev/null, stderr into DIR/err.txt. */
static pid_t start_in(const char *prog_dir, const char *const *args)
{
    char prog[512], errp[512];
    snprintf(prog, sizeof prog, "%s/aims", prog_dir);
    snprintf(errp, sizeof errp, "%s/err.txt", dir);
    char *argv[32];
    size_t n = 0;
    argv[n++] = prog;
    for (; args[n - 1] && n < 31; n++)
        memcpy(&argv[n], &args[n - 1], sizeof argv[0]); /* drop const */
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, errp,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0);
    return pid;
}

static pid_t start(const char *const *args)
{
    return start_in(AIMS_BUILD_DIR, args);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void nap(double s)
{
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&t, NULL);
}

/* The exit status of pid (128 + the signal that ended it), or -1 when it
 * took more than secs: then it is killed, so a test that would hang fails
 * instead. */
static int finish_within(pid_t pid, double secs)
{
    double until = now_s() + secs;
    for (;;) {
        int st;
        pid_t w = waitpid(pid, &st, WNOHANG);
        cr_assert_geq(w, 0);
        if (w == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (now_s() > until) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        nap(0.01);
    }
}

/* build/san/aims with args; stderr into DIR/err.txt. */
static int aims(const char *const *args)
{
    return finish_within(start(args), 600);
}

static char *err_text(void)
{
    static char buf[1 << 14];
    char p[512];
    snprintf(p, sizeof p, "%s/err.txt", dir);
    FILE *f = fopen(p, "r");
    cr_assert_not_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Entries in d other than . and .. */
static int entries(const char *d)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s')\"", d);
    return system(cmd) == 0 ? 0 : 1;
}

static void write_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static bool holds(const char *p, const char *text)
{
    char buf[256] = "";
    FILE *f = fopen(p, "r");
    if (f == NULL)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strcmp(buf, text) == 0;
}

static const char *small_run[] = {"run", SCEN, "-r", "2", "--set",
                                  "enterprises.count=500", "--quiet", "-o"};

static int run_to(const char *out, bool force)
{
    const char *a[16];
    size_t n = 0;
    for (size_t i = 0; i < sizeof small_run / sizeof small_run[0]; i++)
        a[n++] = small_run[i];
    a[n++] = out;
    if (force)
        a[n++] = "--force";
    a[n] = NULL;
    return aims(a);
}

Test(faults, missing_output_directory)
{
    char out[600];
    snprintf(out, sizeof out, "%s/no/such/dir/x.h5", dir);
    int rc = run_to(out, false);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(err_text(), "no/such/dir"), "%s", err_text());
    cr_assert_eq(access(out, F_OK), -1);
}

Test(faults, read_only_output_directory)
{
    mount_tmpfs("ro,size=1m");
    char out[600];
    snprintf(out, sizeof out, "%s/x.h5", mnt);
    int rc = run_to(out, false);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(err_text(), "Read-only file system"), "%s", err_text());
    cr_assert_eq(entries(mnt), 0);
}

Test(faults, full_disk_leaves_nothing_and_keeps_the_old_file)
{
    mount_tmpfs("size=64k");
    char out[600];
    snprintf(out, sizeof out, "%s/x.h5", mnt);
    /* A run file of 500 enterprises x 2 replications x 60 months is far
     * more than 64 KiB less what is already there. */
    char pad[600];
    snprintf(pad, sizeof pad, "head -c 40000 /dev/zero > '%s/pad'", mnt);
    cr_assert_eq(system(pad), 0);
    int rc = run_to(out, false);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(err_text(), "No space left on device"), "%s",
              err_text());
    cr_assert_eq(access(out, F_OK), -1, "a partial file at the target");
    /* Replacing an existing file (--force) on a full disk keeps it. */
    write_file(out, "precious");
    rc = run_to(out, true);
    cr_assert_neq(rc, 0);
    cr_assert(holds(out, "precious"), "the old file was damaged");
    char ls[700];
    snprintf(ls, sizeof ls,
             "test \"$(ls -A '%s' | sort | tr '\\n' ' ')\" = 'pad x.h5 '",
             mnt);
    cr_assert_eq(system(ls), 0, "a temporary was left behind");
}

Test(faults, full_disk_during_a_sweep_keeps_finished_points)
{
    /* tmpfs counts 4 KiB pages: the pad leaves 4 of the 24, room for the
     * journal's marker, its OWNER and two records; without the pad there
     * is room for all 8 records (one page each) and the 31 KB output. */
    mount_tmpfs("size=96k");
    char out[600];
    snprintf(out, sizeof out, "%s/s.h5", mnt);
    char pad[600];
    snprintf(pad, sizeof pad, "head -c 80000 /dev/zero > '%s/pad'", mnt);
    cr_assert_eq(system(pad), 0);
    const char *a[] = {"sweep", FIX("grid.cfg"), "-o", out, "-j", "1",
                       "--quiet", NULL};
    int rc = aims(a);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(err_text(), "No space left on device"), "%s",
              err_text());
    cr_assert_eq(access(out, F_OK), -1);
    /* Room again: --resume finishes from what was journalled. */
    snprintf(pad, sizeof pad, "rm '%s/pad'", mnt);
    cr_assert_eq(system(pad), 0);
    const char *b[] = {"sweep", FIX("grid.cfg"), "-o", out, "-j", "1",
                       "--resume", NULL};
    cr_assert_eq(aims(b), 0, "%s", err_text());
    cr_assert(strstr(err_text(), "resuming:"), "%s", err_text());
    cr_assert_eq(access(out, F_OK), 0);
}

Test(faults, merge_refuses_a_truncated_part)
{
    char p0[600], p1[600], out[600], cut[1400];
    snprintf(p0, sizeof p0, "%s/p0.h5", dir);
    snprintf(p1, sizeof p1, "%s/p1.h5", dir);
    snprintf(out, sizeof out, "%s/m.h5", dir);
    const char *a[] = {"sweep", FIX("grid.cfg"), "--shard", "0/2", "-o", p0,
                       "--quiet", NULL};
    const char *b[] = {"sweep", FIX("grid.cfg"), "--shard", "1/2", "-o", p1,
                       "--quiet", NULL};
    cr_assert_eq(aims(a), 0, "%s", err_text());
    cr_assert_eq(aims(b), 0, "%s", err_text());
    snprintf(cut, sizeof cut, "truncate -s 3000 '%s'", p1);
    cr_assert_eq(system(cut), 0);
    const char *m[] = {"merge", p0, p1, "-o", out, NULL};
    cr_assert_eq(aims(m), 2);
    char *e = err_text();
    cr_assert(strstr(e, p1) && strstr(e, "truncated"), "%s", e);
    cr_assert(strchr(e, '\n') == e + strlen(e) - 1, "not one line: %s", e);
    cr_assert_eq(access(out, F_OK), -1);
}

Test(faults, resume_recomputes_a_corrupt_record)
{
    char ref[600], out[600], journal[700], cmd[1600];
    snprintf(ref, sizeof ref, "%s/ref.h5", dir);
    snprintf(out, sizeof out, "%s/out.h5", dir);
    snprintf(journal, sizeof journal, "%s.journal", out);
    const char *r[] = {"sweep", FIX("grid.cfg"), "-o", ref, "--quiet", NULL};
    cr_assert_eq(aims(r), 0, "%s", err_text());
    /* A journal holding a damaged record for point 3 (what a lying disk
     * might leave): refused without --resume, and with it the record is
     * not trusted: the point is computed again. */
    cr_assert_eq(mkdir(journal, 0755), 0);
    snprintf(cmd, sizeof cmd,
             "head -c 200 /dev/urandom > '%s/p000000003' && "
             "printf 'aims sweep journal 1\\n' > '%s/AIMS-JOURNAL'",
             journal, journal);
    cr_assert_eq(system(cmd), 0);
    const char *s0[] = {"sweep", FIX("grid.cfg"), "-o", out, NULL};
    cr_assert_eq(aims(s0), 2);
    cr_assert(strstr(err_text(), "--resume"), "%s", err_text());
    const char *s1[] = {"sweep", FIX("grid.cfg"), "-o", out, "--resume",
                        NULL};
    cr_assert_eq(aims(s1), 0, "%s", err_text());
    cr_assert(strstr(err_text(), "0 of 8 points done, 8 to run"), "%s",
              err_text());
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/tests/py/same_sweep.py '%s' '%s' "
             ">/dev/null",
             AIMS_SOURCE_DIR, ref, out);
    cr_assert_eq(system(cmd), 0, "the resumed sweep differs");
}

/* fuzz_h5read found a damaged run file (a corrupt global heap under a
 * string attribute) on which HDF5 1.10.8 spins for minutes: the reader's
 * watchdog turns that into one line and exit 2 (AIMS_READ_TIMEOUT shortens
 * it here). */
Test(faults, a_file_hdf5_spins_on_is_refused_in_bounded_time)
{
    setenv("AIMS_READ_TIMEOUT", "3", 1);
    const char *a[] = {"report", AIMS_SOURCE_DIR
                       "/tests/fixtures/report/hdf5_spin.h5", NULL};
    int rc = aims(a);
    unsetenv("AIMS_READ_TIMEOUT");
    cr_assert_eq(rc, 2, "%s", err_text());
    cr_assert(strstr(err_text(), "hdf5_spin.h5") &&
                  strstr(err_text(), "damaged"),
              "%s", err_text());
}

Test(faults, plot_py_refuses_the_same_file_in_bounded_time)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "AIMS_READ_TIMEOUT=3 /usr/bin/python3 %s/analysis/plot.py "
             "%s/tests/fixtures/report/hdf5_spin.h5 -o %s/plots 2>%s/err.txt",
             AIMS_SOURCE_DIR, AIMS_SOURCE_DIR, dir, dir);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s", err_text());
    cr_assert(strstr(err_text(), "hdf5_spin.h5") &&
                  strstr(err_text(), "damaged"),
              "%s", err_text());
}

/* fuzz_h5read found six damaged files on which HDF5 1.10.8 itself crashes
 * (SEGV, heap overflow or abort inside H5HG_read, H5VM_memcpyvv), before
 * any check of ours can run. The readers run in a child, so each is
 * refused: exit 2 and the file named, from `aims report` and plot.py.
 * With the release build: under AddressSanitizer the same overflows are
 * reports of their own, which is what the sanitizers are for. */
Test(faults, files_hdf5_crashes_on_are_refused, .timeout = 240)
{
    for (int i = 0; i < 6; i++) {
        char cmd[1600], file[600];
        snprintf(file, sizeof file,
                 "%s/tests/fixtures/report/hdf5_crash/crash%d.h5",
                 AIMS_SOURCE_DIR, i);
        snprintf(cmd, sizeof cmd,
                 "AIMS_READ_TIMEOUT=20 '%s/aims' report '%s' >/dev/null "
                 "2>'%s/err.txt'",
                 AIMS_RELEASE_DIR, file, dir);
        int st = system(cmd);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "aims report %s: %s",
                  file, err_text());
        cr_assert(strstr(err_text(), file), "%s", err_text());
        snprintf(cmd, sizeof cmd,
                 "AIMS_READ_TIMEOUT=20 /usr/bin/python3 %s/analysis/plot.py "
                 "'%s' -o '%s/plots' 2>'%s/err.txt'",
                 AIMS_SOURCE_DIR, file, dir, dir);
        st = system(cmd);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "plot.py %s: %s",
                  file, err_text());
        cr_assert(strstr(err_text(), file), "%s", err_text());
    }
}

/* ==== what aims will never do to your files (docs/hardening.md) ==========
 * One test per item of the hardening issue on destroyed data, each failing
 * before its fix, and the property test of the output rule. Device nodes,
 * FIFOs and symbolic links are made in the test's own directory, never in
 * /dev. */

#define CLI_FIX(name) AIMS_SOURCE_DIR "/tests/fixtures/cli/" name

static void path_in(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* stderr holds exactly one line. */
static bool one_line(const char *e)
{
    size_t n = strlen(e);
    return n > 0 && strchr(e, '\n') == e + n - 1;
}

/* A hash of everything under root (names, types, modes, sizes, device
 * numbers, link targets, file contents), in name order, leaving out the
 * paths in skip: what a command must not change. FIFOs and devices are
 * never opened. */
typedef struct {
    uint64_t h;
    size_t entries;
} tree_sig;

static void mix(tree_sig *t, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        t->h ^= b[i];
        t->h *= 1099511628211ULL;
    }
}

static void walk(tree_sig *t, const char *path, const char *rel,
                 const char *const *skip)
{
    for (const char *const *s = skip; *s != NULL; s++)
        if (strcmp(*s, path) == 0)
            return;
    struct stat st;
    mix(t, rel, strlen(rel) + 1);
    t->entries++;
    if (lstat(path, &st) != 0) {
        mix(t, "-", 1);
        return;
    }
    uint64_t meta[3] = {(uint64_t)st.st_mode, (uint64_t)st.st_rdev,
                        S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0};
    mix(t, meta, sizeof meta);
    if (S_ISLNK(st.st_mode)) {
        char to[1024];
        ssize_t k = readlink(path, to, sizeof to);
        mix(t, to, k > 0 ? (size_t)k : 0);
    } else if (S_ISREG(st.st_mode)) {
        FILE *f = fopen(path, "rb");
        char buf[8192];
        size_t k;
        while (f != NULL && (k = fread(buf, 1, sizeof buf, f)) > 0)
            mix(t, buf, k);
        if (f != NULL)
            fclose(f);
    } else if (S_ISDIR(st.st_mode)) {
        struct dirent **names;
        int n = scandir(path, &names, NULL, alphasort);
        for (int i = 0; i < n; i++) {
            const char *nm = names[i]->d_name;
            if (strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) {
                char p2[2048], r2[2048];
                snprintf(p2, sizeof p2, "%s/%s", path, nm);
                snprintf(r2, sizeof r2, "%s/%s", rel, nm);
                walk(t, p2, r2, skip);
            }
            free(names[i]);
        }
        if (n >= 0)
            free(names);
    }
}

/* The test directory's signature, err.txt (the captured stderr) and the
 * paths given left out. */
static uint64_t signature(const char *skip1, const char *skip2)
{
    char errp[512];
    path_in(errp, sizeof errp, "err.txt");
    const char *skip[] = {errp, skip1 ? skip1 : errp, skip2 ? skip2 : errp,
                          NULL};
    tree_sig t = {14695981039346656037ULL, 0};
    walk(&t, dir, ".", skip);
    return t.h;
}

static mode_t kind_at(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0 ? st.st_mode & S_IFMT : 0;
}

static bool is_hdf5(const char *p)
{
    char b[8] = "";
    FILE *f = fopen(p, "rb");
    bool ok = f != NULL && fread(b, 1, 8, f) == 8 &&
              memcmp(b, "\x89HDF\r\n\x1a\n", 8) == 0;
    if (f != NULL)
        fclose(f);
    return ok;
}

/* Item 1: --force replaced a character device (as root, -o /dev/null
 * --force destroyed /dev/null), a FIFO, a symbolic link and the scenario
 * itself. */
Test(faults, force_never_replaces_a_device_a_fifo_a_link_or_an_input)
{
    char scen[600], null[600], fifo[600], victim[600], link[600];
    path_in(scen, sizeof scen, "tiny.cfg");
    path_in(null, sizeof null, "mynull");
    path_in(fifo, sizeof fifo, "fifo");
    path_in(victim, sizeof victim, "victim.h5");
    path_in(link, sizeof link, "link.h5");
    sh("cp '%s' '%s' && mkfifo '%s' && echo keep > '%s' && ln -s victim.h5 "
       "'%s'",
       CLI_FIX("tiny.cfg"), scen, fifo, victim, link);
    /* A null device of our own (mknod needs root; elsewhere a second FIFO
     * stands in). */
    char mk[700];
    snprintf(mk, sizeof mk, "mknod '%s' c 1 3 2>/dev/null", null);
    bool dev = system(mk) == 0;
    uint64_t before = signature(NULL, NULL);
    const char *outs[] = {fifo, link, scen, dev ? null : fifo};
    const char *want[] = {"FIFO", "symbolic link", "an input of this command",
                          dev ? "character device" : "FIFO"};
    for (size_t i = 0; i < 4; i++) {
        const char *a[] = {"run", scen, "-o", outs[i], "-r", "1", "--force",
                           "--quiet", NULL};
        cr_assert_eq(finish_within(start(a), 120), 2, "-o %s: %s", outs[i],
                     err_text());
        cr_assert(strstr(err_text(), want[i]) && one_line(err_text()),
                  "-o %s: %s", outs[i], err_text());
    }
    cr_assert_eq(signature(NULL, NULL), before, "something changed");
    cr_assert_eq(kind_at(fifo), (mode_t)S_IFIFO);
    cr_assert_eq(kind_at(link), (mode_t)S_IFLNK);
    if (dev) {
        struct stat st;
        cr_assert_eq(lstat(null, &st), 0);
        cr_assert(S_ISCHR(st.st_mode) && st.st_rdev == (dev_t)makedev(1, 3));
    }
}

/* Item 2: finishing a sweep emptied whatever OUT.h5.journal pointed to,
 * and a directory of the user's by that name was called an interrupted
 * sweep and emptied. */
Test(faults, a_journal_aims_did_not_make_is_never_emptied)
{
    char out[600], journal[700], cmd[2000];
    path_in(out, sizeof out, "s.h5");
    snprintf(journal, sizeof journal, "%s.journal", out);
    sh("mkdir '%s/victim' && echo keep > '%s/victim/important.txt' && "
       "ln -s victim '%s'",
       dir, dir, journal);
    uint64_t before = signature(NULL, NULL);
    const char *flags[][2] = {{"--resume", NULL}, {"--force", NULL},
                              {"--resume", "--force"}};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < 3; i++) {
            const char *a[] = {"sweep", CLI_FIX("tiny_sweep.cfg"), "-o", out,
                               "--quiet", flags[i][0], flags[i][1], NULL};
            cr_assert_eq(aims(a), 2, "%s", err_text());
            cr_assert(one_line(err_text()), "%s", err_text());
            cr_assert(strstr(err_text(), pass ? "did not make"
                                              : "symbolic link"),
                      "%s", err_text());
        }
        cr_assert_eq(signature(NULL, NULL), before, "something changed");
        if (pass == 0) { /* now a plain directory of the user's */
            sh("rm '%s' && mkdir '%s' && echo tex > '%s/thesis.tex'",
               journal, journal, journal);
            before = signature(NULL, NULL);
        }
    }
    /* A journal aims made, with a file of the user's put into it: the
     * sweep finishes, removes its own files and keeps the directory. */
    sh("rm -r '%s' && mkdir '%s' && printf 'aims sweep journal 1\\n' > "
       "'%s/AIMS-JOURNAL' && echo mine > '%s/notes.txt'",
       journal, journal, journal, journal);
    const char *r[] = {"sweep", CLI_FIX("tiny_sweep.cfg"), "-o", out,
                       "--resume", "--quiet", NULL};
    cr_assert_eq(aims(r), 0, "%s", err_text());
    cr_assert(is_hdf5(out));
    cr_assert_eq(kind_at(journal), (mode_t)S_IFDIR);
    char notes[800];
    snprintf(notes, sizeof notes, "%s/notes.txt", journal);
    cr_assert(holds(notes, "mine\n"), "the user's file went");
    cr_assert(strstr(err_text(), "kept"), "%s", err_text());
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s')\" = notes.txt", journal);
    cr_assert_eq(system(cmd), 0, "aims left its own files behind");
}

/* Item 3: --resume with no journal replaced an existing output without
 * --force, and a finished sweep rerun with --resume was recomputed and
 * replaced. */
Test(faults, resume_never_replaces_an_existing_output)
{
    char out[600];
    path_in(out, sizeof out, "precious.h5");
    write_file(out, "precious");
    const char *a[] = {"sweep", CLI_FIX("tiny_sweep.cfg"), "-o", out,
                       "--resume", "--quiet", NULL};
    cr_assert_eq(aims(a), 2, "%s", err_text());
    cr_assert(strstr(err_text(), "exists (use --force"), "%s", err_text());
    cr_assert(holds(out, "precious"));
    unlink(out);
    const char *b[] = {"sweep", CLI_FIX("tiny_sweep.cfg"), "-o", out,
                       "--quiet", NULL};
    cr_assert_eq(aims(b), 0, "%s", err_text());
    uint64_t before = signature(NULL, NULL);
    cr_assert_eq(aims(a), 2, "%s", err_text());
    cr_assert_eq(signature(NULL, NULL), before, "the finished sweep changed");
}

/* The PID of pid's only child, waiting up to 30 s for it to appear. */
static pid_t child_of(pid_t pid)
{
    char p[128];
    snprintf(p, sizeof p, "/proc/%ld/task/%ld/children", (long)pid,
             (long)pid);
    for (int i = 0; i < 3000; i++) {
        FILE *f = fopen(p, "r");
        long c = 0;
        bool got = f != NULL && fscanf(f, "%ld", &c) == 1 && c > 0;
        if (f != NULL)
            fclose(f);
        if (got)
            return (pid_t)c;
        nap(0.01);
    }
    cr_assert_fail("no child of %ld within 30 s", (long)pid);
    return 0;
}

/* Gone, or a zombie no one reaps (orphans go to PID 1, which here may not
 * reap them): either way it runs no more. */
static bool dead(pid_t pid)
{
    char p[64], line[256];
    snprintf(p, sizeof p, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(p, "r");
    if (f == NULL)
        return true;
    bool z = fgets(line, sizeof line, f) && strstr(line, ") Z ") != NULL;
    fclose(f);
    return z;
}

/* Item 4: the reader child outlived its parent and rewrote the file after
 * the parent had died. SIGSTOP the child, kill -9 the parent, SIGCONT the
 * child: it must be dead, and the directory untouched (no -o file). */
Test(faults, a_reader_child_dies_with_its_parent, .timeout = 240)
{
    char s4[600];
    path_in(s4, sizeof s4, "s4.h5");
    const char *mk[] = {"sweep", CLI_FIX("tiny_sobol.cfg"), "-o", s4,
                        "--quiet", NULL};
    cr_assert_eq(finish_within(start_in(AIMS_RELEASE_DIR, mk), 120), 0, "%s",
                 err_text());
    for (int sig = 0; sig < 2; sig++) {
        uint64_t before = signature(NULL, NULL);
        char s5[600]; /* a child that outlived its parent could write it */
        path_in(s5, sizeof s5, "s5.h5");
        const char *a[] = {"sensitivity", s4, "--bootstrap", "1000000",
                           "-o", s5, NULL};
        pid_t parent = start(a);
        pid_t child = child_of(parent);
        if (sig == 0) {
            cr_assert_eq(kill(child, SIGSTOP), 0);
            cr_assert_eq(kill(parent, SIGKILL), 0);
        } else {
            cr_assert_eq(kill(parent, SIGTERM), 0);
        }
        int rc = finish_within(parent, 60);
        cr_assert_eq(rc, sig == 0 ? 128 + SIGKILL : 128 + SIGTERM);
        kill(child, SIGCONT); /* fails harmlessly if it is gone already */
        for (int i = 0; i < 1000 && !dead(child); i++)
            nap(0.01);
        cr_assert(dead(child), "the child outlived its parent");
        nap(0.5); /* time it would have had to write */
        cr_assert_eq(signature(NULL, NULL), before,
                     "the file or its directory changed");
    }
}

/* Item 6: a piped input was read twice (the pre-scan used it up, then
 * libconfig parsed nothing): `cat x.cfg | aims validate /dev/stdin` said
 * "missing 'scenario'", and garbage piped into an @include said "ok". */
Test(faults, a_piped_scenario_or_include_is_refused_not_read_twice)
{
    char cmd[2000], inc[600];
    snprintf(cmd, sizeof cmd,
             "cat '%s' | '%s/aims' validate /dev/stdin >/dev/null "
             "2>'%s/err.txt'",
             CLI_FIX("tiny.cfg"), AIMS_BUILD_DIR, dir);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s", err_text());
    cr_assert(strstr(err_text(), "/dev/stdin: cannot read: a pipe or FIFO") &&
                  one_line(err_text()),
              "%s", err_text());
    path_in(inc, sizeof inc, "inc_stdin.cfg");
    sh("sed 's/^# tiny.cfg.*/@include \"stdin.inc\"/' '%s' > '%s' && "
       "ln -s /dev/stdin '%s/stdin.inc'",
       CLI_FIX("tiny.cfg"), inc, dir);
    snprintf(cmd, sizeof cmd,
             "printf '}}} garbage\\n' | '%s/aims' validate '%s' >/dev/null "
             "2>'%s/err.txt'",
             AIMS_BUILD_DIR, inc, dir);
    st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s", err_text());
    cr_assert(strstr(err_text(), "inc_stdin.cfg:1: cannot read @include "
                                 "\"stdin.inc\"") &&
                  strstr(err_text(), "a pipe or FIFO"),
              "%s", err_text());
}

/* Item 7: a FIFO as a scenario, an @include, a sweep's base scenario or an
 * HDF5 input hung (report waited for its 30 s watchdog). Each is refused
 * at once, with what it is, and nobody ever writes to the FIFO here. */
Test(faults, a_fifo_as_any_input_is_refused_at_once)
{
    char fifo[600], inc[600], sw[600];
    path_in(fifo, sizeof fifo, "f.cfg");
    path_in(inc, sizeof inc, "inc.cfg");
    path_in(sw, sizeof sw, "sw.cfg");
    sh("mkfifo '%s' && sed 's/^# tiny.cfg.*/@include \"f.cfg\"/' '%s' > '%s' "
       "&& sed 's/scenario = \"tiny.cfg\"/scenario = \"f.cfg\"/' '%s' > '%s'",
       fifo, CLI_FIX("tiny.cfg"), inc, CLI_FIX("tiny_sweep.cfg"), sw);
    const char *v[] = {"validate", fifo, NULL};
    const char *i[] = {"validate", inc, NULL};
    const char *s[] = {"sweep", sw, "-o", "/nonexistent/never.h5", NULL};
    const char *r[] = {"report", fifo, NULL};
    const char *const *cmds[] = {v, i, s, r};
    const char *want[] = {"f.cfg: cannot read: a pipe or FIFO",
                          "inc.cfg:1: cannot read @include \"f.cfg\"",
                          "sweep.scenario: the base scenario does not load",
                          "f.cfg: is a pipe or FIFO, not a regular file"};
    for (size_t k = 0; k < 4; k++) {
        double t0 = now_s();
        int rc = finish_within(start(cmds[k]), 20);
        cr_assert_eq(rc, 2, "aims %s: %s (after %.1f s)", cmds[k][0],
                     err_text(), now_s() - t0);
        cr_assert(strstr(err_text(), want[k]) && one_line(err_text()),
                  "aims %s: %s", cmds[k][0], err_text());
    }
    cr_assert_eq(kind_at(fifo), (mode_t)S_IFIFO);
}

/* Item 8: libconfig's lexer takes time quadratic in a line's length (27 s
 * for a 4 MB comment line in the release build): the pre-scan refuses a
 * line over 32 KiB before libconfig sees it. */
Test(faults, a_long_line_is_refused_in_bounded_time)
{
    char big[600];
    path_in(big, sizeof big, "big.cfg");
    sh("{ printf '#'; head -c 4000000 /dev/zero | tr '\\0' x; echo; cat "
       "'%s'; } > '%s'",
       CLI_FIX("tiny.cfg"), big);
    const char *a[] = {"validate", big, NULL};
    double t0 = now_s();
    int rc = finish_within(start(a), 10);
    cr_assert_eq(rc, 2, "not refused within 10 s (%.1f s): %s", now_s() - t0,
                 err_text());
    cr_assert(strstr(err_text(), "big.cfg:1: a line of 4000001 bytes; at most "
                                 "32768"),
              "%s", err_text());
}

/* Item 10: plot.py printed a 25-31 line traceback on damaged sweep files
 * (found by corrupting bytes of a real one: each of these four raised a
 * different error from h5py inside open_sweep). */
Test(faults, plot_py_refuses_damaged_sweep_files_in_one_line,
     .timeout = 240)
{
    const char *files[] = {"inflate", "btree", "global_heap", "precision"};
    for (size_t i = 0; i < 4; i++) {
        char cmd[2000], f[600];
        snprintf(f, sizeof f,
                 "%s/tests/fixtures/report/plot_damaged/%s.h5",
                 AIMS_SOURCE_DIR, files[i]);
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 %s/analysis/plot.py '%s' -o '%s/plots' "
                 ">/dev/null 2>'%s/err.txt'",
                 AIMS_SOURCE_DIR, f, dir, dir);
        int st = system(cmd);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s: %s", f,
                  err_text());
        cr_assert(one_line(err_text()) && strstr(err_text(), f) &&
                      !strstr(err_text(), "Traceback"),
                  "%s: %s", f, err_text());
    }
}

/* Item 11: `make fuzz` set ASAN_OPTIONS and LSAN_OPTIONS as shell
 * variables that never reached the harness, so the known libconfig leak
 * stopped each one. scripts/run-fuzz (what make fuzz runs) must hand them
 * to the harness; here the harness is a script that writes down what it
 * got and exits with the status asked for. */
Test(faults, make_fuzz_gives_each_harness_its_sanitizer_options)
{
    char b[600], env[700];
    path_in(b, sizeof b, "b");
    snprintf(env, sizeof env, "%s/env.txt", b);
    sh("mkdir -p '%s/fuzz' && printf '#!/bin/sh\\nenv > %s\\nexit "
       "${STATUS:-0}\\n' > '%s/fuzz/fuzz_scenario' && chmod +x "
       "'%s/fuzz/fuzz_scenario'",
       b, env, b, b);
    char cmd[2000];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && ./scripts/run-fuzz '%s' 1 scenario >'%s/out.txt' "
             "2>&1",
             AIMS_SOURCE_DIR, b, dir);
    cr_assert_eq(system(cmd), 0);
    FILE *f = fopen(env, "r");
    cr_assert_not_null(f);
    static char text[65536];
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    char want[800];
    snprintf(want, sizeof want,
             "LSAN_OPTIONS=suppressions=%s/tests/fuzz/lsan.supp\n",
             AIMS_SOURCE_DIR);
    cr_assert(strstr(text, want), "the harness did not get %s", want);
    cr_assert(strstr(text, "ASAN_OPTIONS=") && strstr(text, "detect_leaks=1"),
              "%s", text);
    snprintf(want, sizeof want, "%s/tests/fuzz/lsan.supp", AIMS_SOURCE_DIR);
    cr_assert_eq(access(want, R_OK), 0, "%s: the suppressions are missing",
                 want);
    /* A harness that stops on a finding fails the run. */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && STATUS=77 ./scripts/run-fuzz '%s' 1 scenario "
             ">/dev/null 2>&1",
             AIMS_SOURCE_DIR, b);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
}

/* Waits until a hidden temporary of out appears in dir (the run started
 * writing), up to 120 s. */
static void wait_temporary(const char *base)
{
    char pat[300];
    snprintf(pat, sizeof pat, ".%s.tmp.", base);
    for (int i = 0; i < 12000; i++) {
        DIR *d = opendir(dir);
        bool seen = false;
        for (struct dirent *e; d && (e = readdir(d)) != NULL;)
            seen = seen || strncmp(e->d_name, pat, strlen(pat)) == 0;
        if (d)
            closedir(d);
        if (seen)
            return;
        nap(0.01);
    }
    cr_assert_fail("no temporary %s* within 120 s", pat);
}

/* Entries of dir other than err.txt and mnt (made by every test of this
 * suite), sorted, space-separated. */
static void listing(char *buf, size_t n)
{
    char cmd[800];
    snprintf(cmd, sizeof cmd,
             "ls -A '%s' | grep -v -x -e err.txt -e mnt | tr '\\n' ' '", dir);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t k = fread(buf, 1, n - 1, p);
    buf[k] = '\0';
    pclose(p);
}

/* Item 12: SIGHUP, SIGUSR1, SIGPIPE and SIGXFSZ during `aims run` left the
 * hidden temporary; SIGKILL still does, and the next run of the same
 * output removes it. */
Test(faults, signals_during_a_run_leave_no_temporary, .timeout = 240)
{
    char out[600], names[1024];
    path_in(out, sizeof out, "k.h5");
    const char *a[] = {"run", SCEN, "-o", out, "-r", "50", "-j", "1",
                       "--set", "enterprises.count=5000", "--quiet", NULL};
    const int sigs[] = {SIGHUP, SIGUSR1, SIGPIPE, SIGKILL};
    for (size_t i = 0; i < 4; i++) {
        pid_t pid = start(a);
        wait_temporary("k.h5");
        cr_assert_eq(kill(pid, sigs[i]), 0);
        cr_assert_eq(finish_within(pid, 120), 128 + sigs[i], "%s",
                     err_text());
        listing(names, sizeof names);
        if (sigs[i] != SIGKILL) {
            cr_assert_str_eq(names, "", "signal %d left: %s", sigs[i],
                             names);
            cr_assert(strstr(err_text(), "interrupted by signal"), "%s",
                      err_text());
        }
    }
    cr_assert(strncmp(names, ".k.h5.tmp.", 10) == 0, "after SIGKILL: %s",
              names);
    const char *b[] = {"run", CLI_FIX("tiny.cfg"), "-o", out, "-r", "1",
                       "--quiet", NULL};
    cr_assert_eq(aims(b), 0, "%s", err_text());
    cr_assert(strstr(err_text(), "removed 1 hidden temporary"), "%s",
              err_text());
    listing(names, sizeof names);
    cr_assert_str_eq(names, "k.h5 ", "%s", names);
    /* ulimit -f: said, not a silent death, and nothing left. */
    unlink(out);
    char cmd[2000];
    snprintf(cmd, sizeof cmd,
             "ulimit -f 16; '%s/aims' run '%s' -o '%s' -r 2 --quiet "
             "2>'%s/err.txt'",
             AIMS_BUILD_DIR, CLI_FIX("tiny.cfg"), out, dir);
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "%d: %s", st,
              err_text());
    cr_assert(strstr(err_text(), "file size limit"), "%s", err_text());
    listing(names, sizeof names);
    cr_assert_str_eq(names, "", "left: %s", names);
}

/* Item 13: a sweep journal had no lock: a second `--resume` while the
 * sweep ran gave two failures with raw path errors. */
Test(faults, a_second_writer_of_a_journal_is_refused_naming_its_pid,
     .timeout = 240)
{
    char out[600], owner[800];
    path_in(out, sizeof out, "sl.h5");
    snprintf(owner, sizeof owner, "%s.journal/OWNER", out);
    const char *a[] = {"sweep", FIX("slow.cfg"), "-o", out, "-j", "1",
                       "--quiet", NULL};
    pid_t first = start(a);
    for (int i = 0; i < 12000 && access(owner, R_OK) != 0; i++)
        nap(0.01);
    char want[128];
    snprintf(want, sizeof want, "in use by another aims sweep (PID %ld)",
             (long)first);
    const char *b[] = {"sweep", FIX("slow.cfg"), "-o", out, "--resume",
                       "--quiet", NULL};
    const char *c[] = {"sweep", FIX("slow.cfg"), "-o", out, "--force",
                       "--quiet", NULL};
    int rb = aims(b);
    char eb[4096];
    snprintf(eb, sizeof eb, "%s", err_text());
    int rcf = aims(c);
    char ec[4096]; /* before the first sweep, stopped, writes there too */
    snprintf(ec, sizeof ec, "%s", err_text());
    kill(first, SIGTERM);
    finish_within(first, 120);
    cr_assert_eq(rb, 2, "%s", eb);
    cr_assert(strstr(eb, want) && one_line(eb), "%s", eb);
    cr_assert_eq(rcf, 2, "%s", ec);
    cr_assert(strstr(ec, want), "%s", ec);
}

/* Item 14: -o '' named an internal function, and a repeated option
 * silently took the last value. (The rest of item 14 is in tests/bad/:
 * byte_order_mark, long_unknown_key, control_char_in_name.) */
Test(faults, an_empty_output_and_a_repeated_option_are_refused_clearly)
{
    const char *a[] = {"run", CLI_FIX("tiny.cfg"), "-o", "", NULL};
    cr_assert_eq(aims(a), 2);
    cr_assert(strstr(err_text(), "the output path is empty") &&
                  !strstr(err_text(), "ana_h5w"),
              "%s", err_text());
    char out[600];
    path_in(out, sizeof out, "r.h5");
    const char *b[] = {"run", CLI_FIX("tiny.cfg"), "-o", out, "-r", "2",
                       "-r", "5", NULL};
    cr_assert_eq(aims(b), 2);
    cr_assert(strstr(err_text(), "-r: given twice"), "%s", err_text());
    cr_assert_eq(access(out, F_OK), -1);
    const char *c[] = {"sweep", CLI_FIX("tiny_sweep.cfg"), "-o", out, "-o",
                       out, NULL};
    cr_assert_eq(aims(c), 2);
    cr_assert(strstr(err_text(), "-o: given twice"), "%s", err_text());
}

/* ---- the output rule, as a property ---------------------------------------
 * For every command that writes, every kind of path at its output and each
 * of --force and --resume (where the command has them): either the command
 * succeeds and nothing but the output path changed, or it refuses with one
 * line and exit 2 and nothing at all changed (the test directory hashed
 * before and after, the output path included). Which of the two is the
 * rule's: success for an absent path, or an existing regular file with
 * --force (sensitivity: the sweep file it is given, which it rewrites);
 * refusal for everything else. The release binary runs the ~90 cases, so
 * that they take seconds; the sanitized one runs each item's test above. */

enum {
    K_ABSENT,
    K_FILE,
    K_LINK_FILE,
    K_LINK_DIR,
    K_LINK_DANGLING,
    K_DIR,
    K_FIFO,
    K_CHARDEV,
    K_INPUT,
    K_READONLY,
    K_COUNT
};

static const char *const kind_names[K_COUNT] = {
    "an absent path",        "a regular file",      "a symlink to a file",
    "a symlink to a directory", "a dangling symlink", "a directory",
    "a FIFO",                "a character device",  "the command's input",
    "a path in a read-only directory"};

enum { C_RUN, C_SWEEP, C_MERGE, C_SENS, C_COUNT };

static const char *const cmd_names[C_COUNT] = {"run", "sweep", "merge",
                                               "sensitivity"};

/* Makes kind k at DIR/k/out.h5 (or names the input or the read-only path),
 * and returns the output path in out; false when k cannot be made here. */
static bool make_kind(int k, const char *input, char *out, size_t n)
{
    char kd[600];
    path_in(kd, sizeof kd, "k");
    snprintf(out, n, "%s/out.h5", kd);
    char mk[2000];
    switch (k) {
    case K_FILE:
        snprintf(mk, sizeof mk, "echo precious > '%s'", out);
        break;
    case K_LINK_FILE:
        snprintf(mk, sizeof mk, "ln -s ../victim.txt '%s'", out);
        break;
    case K_LINK_DIR:
        snprintf(mk, sizeof mk, "ln -s ../victimdir '%s'", out);
        break;
    case K_LINK_DANGLING:
        snprintf(mk, sizeof mk, "ln -s ../nowhere '%s'", out);
        break;
    case K_DIR:
        snprintf(mk, sizeof mk, "mkdir '%s' && echo keep > '%s/keep.txt'",
                 out, out);
        break;
    case K_FIFO:
        snprintf(mk, sizeof mk, "mkfifo '%s'", out);
        break;
    case K_CHARDEV:
        snprintf(mk, sizeof mk, "mknod '%s' c 1 3 2>/dev/null", out);
        break;
    case K_INPUT:
        snprintf(out, n, "%s", input);
        return true;
    case K_READONLY:
        if (!mounted)
            return false;
        snprintf(out, n, "%s/out.h5", mnt);
        return true;
    default:
        return true;
    }
    return system(mk) == 0;
}

/* The arguments of command c writing to out. */
static size_t args_for(int c, const char *out, bool force, bool resume,
                       const char **a)
{
    static char scen[600], sweep[600], p0[600], p1[600], sob[600];
    path_in(sob, sizeof sob, "in/sobol.h5");
    path_in(scen, sizeof scen, "in/tiny.cfg");
    path_in(sweep, sizeof sweep, "in/tiny_sweep.cfg");
    path_in(p0, sizeof p0, "in/p0.h5");
    path_in(p1, sizeof p1, "in/p1.h5");
    size_t n = 0;
    switch (c) {
    case C_RUN:
        a[n++] = "run", a[n++] = scen, a[n++] = "-r", a[n++] = "1";
        break;
    case C_SWEEP:
        a[n++] = "sweep", a[n++] = sweep, a[n++] = "-j", a[n++] = "1";
        break;
    case C_MERGE:
        a[n++] = "merge", a[n++] = p0, a[n++] = p1;
        break;
    default:
        a[n++] = "sensitivity", a[n++] = sob, a[n++] = "--bootstrap",
        a[n++] = "20";
        break;
    }
    a[n++] = "-o", a[n++] = out;
    if (c == C_RUN || c == C_SWEEP)
        a[n++] = "--quiet";
    if (force)
        a[n++] = "--force";
    if (resume)
        a[n++] = "--resume";
    a[n] = NULL;
    return n;
}

Test(faults, the_output_rule_holds_for_every_command_path_and_flag,
     .timeout = 600)
{
    /* Inputs, victims a wrong write would damage, and a read-only tmpfs
     * (root only; elsewhere that kind is left out). */
    sh("mkdir '%s/in' '%s/k' '%s/victimdir' && cp '%s' '%s' '%s' '%s/in/' "
       "&& echo keep > '%s/victim.txt' && echo keep > "
       "'%s/victimdir/keep.txt'",
       dir, dir, dir, CLI_FIX("tiny.cfg"), CLI_FIX("tiny_sweep.cfg"),
       CLI_FIX("tiny_sobol.cfg"), dir, dir, dir);
    char sobol[600];
    path_in(sobol, sizeof sobol, "in/sobol.h5");
    const char *mk[] = {"sweep", NULL, "-o", sobol, "--quiet", NULL};
    char cfg[600];
    path_in(cfg, sizeof cfg, "in/tiny_sobol.cfg");
    mk[1] = cfg;
    cr_assert_eq(finish_within(start_in(AIMS_RELEASE_DIR, mk), 120), 0, "%s",
                 err_text());
    path_in(cfg, sizeof cfg, "in/tiny_sweep.cfg");
    for (int s = 0; s < 2; s++) {
        char part[600], shard[16];
        snprintf(part, sizeof part, "%s/in/p%d.h5", dir, s);
        snprintf(shard, sizeof shard, "%d/2", s);
        const char *sh_args[] = {"sweep", cfg, "--shard", shard, "-o", part,
                                 "--quiet", NULL};
        cr_assert_eq(finish_within(start_in(AIMS_RELEASE_DIR, sh_args), 120),
                     0, "%s", err_text());
    }
    char mount_cmd[2000];
    snprintf(mount_cmd, sizeof mount_cmd,
             "mount -t tmpfs -o size=1m tmpfs '%s' 2>/dev/null && cp '%s' "
             "'%s/' && mount -o remount,ro '%s'",
             mnt, sobol, mnt, mnt);
    mounted = geteuid() == 0 && system(mount_cmd) == 0;
    const char *inputs[C_COUNT] = {NULL, NULL, NULL, NULL};
    char in_run[600], in_sweep[600], in_merge[600];
    path_in(in_run, sizeof in_run, "in/tiny.cfg");
    path_in(in_sweep, sizeof in_sweep, "in/tiny_sweep.cfg");
    path_in(in_merge, sizeof in_merge, "in/p0.h5");
    inputs[C_RUN] = in_run;
    inputs[C_SWEEP] = in_sweep;
    inputs[C_MERGE] = in_merge;
    inputs[C_SENS] = sobol; /* sensitivity reads it, writes to -o */
    size_t cases = 0, successes = 0, skipped = 0;
    for (int c = 0; c < C_COUNT; c++)
        for (int k = 0; k < K_COUNT; k++)
            for (int fl = 0; fl < 4; fl++) {
                bool force = fl & 1, resume = fl & 2;
                if (c != C_SWEEP && resume)
                    continue; /* flags the command does not have */
                char out[700];
                if (!make_kind(k, inputs[c], out, sizeof out)) {
                    skipped++;
                    continue;
                }
                char journal[800];
                snprintf(journal, sizeof journal, "%s.journal", out);
                uint64_t all = signature(NULL, NULL);
                uint64_t rest = signature(out, journal);
                mode_t was = kind_at(out);
                const char *a[20];
                args_for(c, out, force, resume, a);
                int rc = finish_within(start_in(AIMS_RELEASE_DIR, a), 60);
                bool ok = k == K_ABSENT || (k == K_FILE && force);
                cases++;
                const char *what = kind_names[k];
                if (ok) {
                    successes++;
                    cr_assert_eq(rc, 0, "aims %s to %s%s%s: exit %d: %s",
                                 cmd_names[c], what, force ? " --force" : "",
                                 resume ? " --resume" : "", rc, err_text());
                    cr_assert(is_hdf5(out), "aims %s to %s: no HDF5 file",
                              cmd_names[c], what);
                    cr_assert_eq(signature(out, journal), rest,
                                 "aims %s to %s%s%s changed something "
                                 "besides its output",
                                 cmd_names[c], what, force ? " --force" : "",
                                 resume ? " --resume" : "");
                    cr_assert_eq(kind_at(journal), 0, "a journal was left");
                } else {
                    cr_assert_eq(rc, 2, "aims %s to %s%s%s: exit %d: %s",
                                 cmd_names[c], what, force ? " --force" : "",
                                 resume ? " --resume" : "", rc, err_text());
                    cr_assert(one_line(err_text()),
                              "aims %s to %s: not one line: %s",
                              cmd_names[c], what, err_text());
                    cr_assert_eq(signature(NULL, NULL), all,
                                 "aims %s to %s%s%s refused but changed "
                                 "something",
                                 cmd_names[c], what, force ? " --force" : "",
                                 resume ? " --resume" : "");
                    cr_assert_eq(kind_at(out), was);
                }
                /* Undo the kind for the next case (never the input). */
                if (k != K_INPUT && k != K_READONLY)
                    sh("rm -rf '%s'", out);
            }
    cr_assert(cases >= 60, "only %zu cases ran (%zu skipped)", cases,
              skipped);
    cr_assert_geq(successes, 8);
    cr_log_info("output rule: %zu cases (%zu successes), %zu skipped", cases,
                successes, skipped);
}
