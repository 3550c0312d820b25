/* test_slurm.c -- the shipped Slurm scripts (scenarios/slurm/, docs/cluster.md)
 * on a real single-node Slurm that scripts/slurm-up starts (munged,
 * slurmctld, slurmd):
 *
 *  - a trivial array round trip: `sbatch --wait --array=0-2` runs three
 *    tasks, as root, in the directory given, each seeing its index and the
 *    array's size (what sweep.sbatch turns into --shard I/N);
 *  - sweep.sbatch as a 3-task array on a small grid sweep (8 points, so the
 *    shards are uneven; test_sweep.c's tests/fixtures/sweeprun/grid.cfg, which
 *    fixes the population at 500 with a one-value grid parameter),
 *    merge.sbatch as the job that depends on it, and the
 *    merged file holds the same data sets, byte for byte, as the serial
 *    `aims sweep` of the same file (tests/py/same_sweep.py);
 *  - without Slurm: sweep.sbatch's own checks (no array, an array that is
 *    not 0-(N-1) without N) and the rerun of one task with N given, which
 *    resumes a journal when there is one and refuses a finished part;
 *  - K shards per task (sweep.sbatch SWEEP OUTDIR N K, for more shards than
 *    MaxArraySize), by hand and as a real array with its merge job: the
 *    parts merge to the serial sweep, a rerun skips complete parts;
 *  - calibrate.sbatch as a 2-task array on tests/fixtures/calib/small.cfg:
 *    shard 0 writes the file `aims calibrate -j 1` writes (data sets byte
 *    for byte), and the journal is gone.
 *
 * The Slurm tests need root (slurm.conf is the machine's) and Slurm, which
 * scripts/install-deps installs; elsewhere they are skipped, saying why. They
 * hold a lock (SLURM_TEST_LOCK) from slurm-up to slurm-down, so that two of
 * them -- in one run under --jobs 2, or two `make test` at once -- never stop
 * a Slurm the other is using. A Slurm that was up before is left up.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
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
#define SRC(p) AIMS_SOURCE_DIR "/" p
#define AIMS_BIN AIMS_BUILD_DIR "/aims"
#define GRID SRC("tests/fixtures/sweeprun/grid.cfg")
#define SWEEP_SBATCH SRC("scenarios/slurm/sweep.sbatch")
#define MERGE_SBATCH SRC("scenarios/slurm/merge.sbatch")
#define CALIB_SBATCH SRC("scenarios/slurm/calibrate.sbatch")
#define CALIB_SMALL SRC("tests/fixtures/calib/small.cfg")
#define SLURM_TEST_LOCK "/tmp/aims-slurm-test.lock"

extern char **environ;

static char dir[256];
static int lock_fd = -1;
static bool we_started; /* this test's slurm-up started Slurm */
static char job[32];    /* an array job to cancel if the test fails */

static void in_dir(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* Runs argv with stdout and stderr to DIR/OUT and DIR/ERR, stdin from
 * /dev/null, the environment without any SLURM_* (a `make test` inside a
 * Slurm job must not leak its own) plus `extra` (NULL-ended, may be NULL).
 * Returns the exit status, or 128 + the signal. */
static int run_env(const char *const *argv, const char *const *extra,
                   const char *out, const char *err)
{
    static char *env[512];
    size_t n = 0;
    for (char **e = environ; *e && n < 480; e++)
        if (strncmp(*e, "SLURM_", 6) != 0 && strncmp(*e, "AIMS=", 5) != 0 &&
            strncmp(*e, "ASAN_OPTIONS=", 13) != 0)
            env[n++] = *e;
    for (size_t i = 0; extra && extra[i] && n < 510; i++)
        memcpy(&env[n++], &extra[i], sizeof env[0]); /* drop const */
    env[n] = NULL;
    char *args[32];
    size_t na = 0;
    for (; argv[na] && na < 31; na++)
        memcpy(&args[na], &argv[na], sizeof args[0]);
    args[na] = NULL;
    char o[512], e[512];
    in_dir(o, sizeof o, out);
    in_dir(e, sizeof e, err);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, o, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t pid;
    int rc = posix_spawnp(&pid, args[0], &fa, NULL, args, env);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "posix_spawn %s: %s", args[0], strerror(rc));
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run(const char *const *argv)
{
    return run_env(argv, NULL, "out.txt", "err.txt");
}

static char *slurp(const char *name)
{
    static char buf[1 << 16];
    char path[512];
    in_dir(path, sizeof path, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(buf, sizeof buf, "(no %s)", name);
        return buf;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Every DIR/PREFIX* file, concatenated into buf, for failure messages. */
static char *slurp_all(const char *prefix, char *buf, size_t size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cat '%s'/%s* 2>&1", dir, prefix);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(buf, 1, size - 1, p) : 0;
    buf[n] = '\0';
    if (p)
        pclose(p);
    return buf;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/aims-slurm-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void slurm_down(void)
{
    if (!we_started)
        return;
    we_started = false;
    const char *a[] = {SRC("scripts/slurm-down"), NULL};
    int rc = run_env(a, NULL, "down.out", "down.err");
    cr_assert_eq(rc, 0, "scripts/slurm-down: %d: %s", rc, slurp("down.err"));
}

/* Runs also when a test fails: Slurm is not left running by a failed test. */
static void cleanup(void)
{
    if (job[0] != '\0') {
        const char *a[] = {"scancel", job, NULL};
        run_env(a, NULL, "scancel.out", "scancel.err");
        job[0] = '\0';
    }
    if (we_started) {
        const char *a[] = {SRC("scripts/slurm-down"), NULL};
        run_env(a, NULL, "down.out", "down.err");
        we_started = false;
    }
    if (lock_fd >= 0)
        close(lock_fd); /* releases the lock */
    lock_fd = -1;
    if (dir[0] == '\0')
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_slurm: could not remove %s\n", dir);
    dir[0] = '\0';
}

/* Each test makes its directory (make_dir) only once it knows it is not
 * skipped: Criterion 2.4.1 does not run .fini after cr_skip_test. */
TestSuite(slurm, .fini = cleanup, .timeout = 300);

/* Skips unless root with Slurm installed; takes the lock; scripts/slurm-up. */
static void slurm_up(void)
{
    if (geteuid() != 0)
        cr_skip_test("Slurm tests need root (scripts/slurm-up writes "
                     "/etc/slurm/slurm.conf)");
    if (system("command -v sbatch >/dev/null 2>&1") != 0 ||
        !exists("/usr/sbin/slurmctld") || !exists("/usr/sbin/slurmd") ||
        !exists("/usr/sbin/munged"))
        cr_skip_test("Slurm is not installed (scripts/install-deps installs "
                     "slurm-wlm and munge)");
    make_dir();
    lock_fd = open(SLURM_TEST_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    cr_assert_geq(lock_fd, 0, "%s: %s", SLURM_TEST_LOCK, strerror(errno));
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int rc;
    while ((rc = fcntl(lock_fd, F_SETLKW, &lk)) != 0 && errno == EINTR)
        ;
    cr_assert_eq(rc, 0, "lock %s: %s", SLURM_TEST_LOCK, strerror(errno));
    const char *a[] = {SRC("scripts/slurm-up"), NULL};
    rc = run_env(a, NULL, "up.out", "up.err");
    cr_assert_eq(rc, 0, "scripts/slurm-up: %d: %s", rc, slurp("up.err"));
    we_started = strstr(slurp("up.err"), "already up") == NULL;
}

Test(slurm, array_round_trip)
{
    slurm_up();
    const char *a[] = {"sbatch",
                       "--wait",
                       "--quiet",
                       "--array=0-2",
                       "--time=5",
                       "-D",
                       dir,
                       "-o",
                       "rt_%a.out",
                       "--wrap",
                       "echo $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT "
                       "$(id -un) $(pwd)",
                       NULL};
    int rc = run(a);
    cr_assert_eq(rc, 0, "sbatch --wait: %d: %s", rc, slurp("err.txt"));
    for (int i = 0; i < 3; i++) {
        char name[32], want[512];
        snprintf(name, sizeof name, "rt_%d.out", i);
        snprintf(want, sizeof want, "%d/3 root %s\n", i, dir);
        cr_expect_str_eq(slurp(name), want, "task %d", i);
    }
    slurm_down();
}

Test(slurm, array_job_shards_merge_to_the_serial_sweep)
{
    slurm_up();
    const char *env[] = {"AIMS=" AIMS_BIN, "ASAN_OPTIONS=detect_leaks=1",
                         NULL};
    /* The array, then the merge job that waits for it, as docs/cluster.md
     * says; sbatch --wait on the merge job returns when both are done. A
     * failed task cancels the merge job (merge.sbatch has
     * --kill-on-invalid-dep=yes), and sbatch --wait says 0 for a job so
     * cancelled: the merged file's existence is what tells. */
    const char *arr[] = {"sbatch", "--parsable", "--array=0-2", "--time=5",
                         "-D",     dir,          SWEEP_SBATCH,  GRID,
                         "parts",  NULL};
    int rc = run_env(arr, env, "jid.txt", "err.txt");
    cr_assert_eq(rc, 0, "sbatch sweep.sbatch: %d: %s", rc, slurp("err.txt"));
    long jid = strtol(slurp("jid.txt"), NULL, 10);
    cr_assert_gt(jid, 0, "sbatch --parsable said '%s'", slurp("jid.txt"));
    snprintf(job, sizeof job, "%ld", jid);
    char dep[64];
    snprintf(dep, sizeof dep, "--dependency=afterok:%ld", jid);
    const char *mrg[] = {"sbatch", "--wait", "--quiet", dep,   "--time=5",
                         "-D",     dir,      MERGE_SBATCH, "parts",
                         "merged.h5", NULL};
    rc = run_env(mrg, env, "out.txt", "err.txt");
    char serial[512], merged[512];
    in_dir(serial, sizeof serial, "serial.h5");
    in_dir(merged, sizeof merged, "merged.h5");
    static char tasks[1 << 14], merge[1 << 12];
    cr_assert(rc == 0 && exists(merged),
              "the array or the merge job failed (sbatch: %d, %s)\n"
              "task logs:\n%s\nmerge log:\n%s",
              rc, slurp("err.txt"),
              slurp_all("aims-sweep-", tasks, sizeof tasks),
              slurp_all("aims-merge-", merge, sizeof merge));
    job[0] = '\0';
    const char *sw[] = {AIMS_BIN, "sweep", GRID, "-o", serial, NULL};
    rc = run(sw);
    cr_assert_eq(rc, 0, "serial aims sweep: %d: %s", rc, slurp("err.txt"));
    const char *cmp[] = {"/usr/bin/python3", SRC("tests/py/same_sweep.py"),
                         serial, merged, NULL};
    rc = run(cmp);
    cr_assert_eq(rc, 0, "merged shards differ from the serial sweep: %s%s",
                 slurp("out.txt"), slurp("err.txt"));
    slurm_down();
}

/* sweep.sbatch run as Slurm would, by sh with the array's variables. */
static int task(const char *id, const char *count, const char *min,
                const char *max, const char *n)
{
    char v[4][48];
    snprintf(v[0], sizeof v[0], "SLURM_ARRAY_TASK_ID=%s", id);
    snprintf(v[1], sizeof v[1], "SLURM_ARRAY_TASK_COUNT=%s", count);
    snprintf(v[2], sizeof v[2], "SLURM_ARRAY_TASK_MIN=%s", min);
    snprintf(v[3], sizeof v[3], "SLURM_ARRAY_TASK_MAX=%s", max);
    const char *env[] = {"AIMS=" AIMS_BIN, v[0], v[1], v[2], v[3], NULL};
    char parts[512];
    in_dir(parts, sizeof parts, "parts");
    const char *a[] = {"/bin/sh", SWEEP_SBATCH, GRID, parts, n, NULL};
    return run_env(a, env, "out.txt", "err.txt");
}

Test(slurm, sweep_sbatch_checks_and_reruns_one_task)
{
    make_dir();
    char parts[512];
    in_dir(parts, sizeof parts, "parts");
    /* Not an array task. */
    const char *a[] = {"/bin/sh", SWEEP_SBATCH, GRID, parts, NULL};
    cr_assert_eq(run(a), 2);
    cr_assert_not_null(strstr(slurp("err.txt"), "not an array task"), "%s",
                       slurp("err.txt"));
    /* --array=1: the shard count is not the array's size; N is asked for. */
    cr_assert_eq(task("1", "1", "1", "1", NULL), 2);
    cr_assert_not_null(strstr(slurp("err.txt"), "give it"), "%s",
                       slurp("err.txt"));
    /* With N: shard 1 of 3, resuming the journal a killed run left. */
    char journal[600];
    snprintf(journal, sizeof journal, "%s/part_1.h5.journal", parts);
    cr_assert_eq(mkdir(parts, 0755), 0);
    cr_assert_eq(mkdir(journal, 0755), 0);
    char marker[700];
    snprintf(marker, sizeof marker, "%s/AIMS-JOURNAL", journal);
    FILE *mf = fopen(marker, "w");
    cr_assert_not_null(mf);
    fputs("aims sweep journal 2\n", mf); /* what aims writes there */
    fclose(mf);
    int rc = task("1", "1", "1", "1", "3");
    cr_assert_eq(rc, 0, "%d: %s", rc, slurp("err.txt"));
    cr_assert_not_null(strstr(slurp("err.txt"), "shard 1/3"), "%s",
                       slurp("err.txt"));
    cr_assert_not_null(strstr(slurp("err.txt"), "resuming its journal"),
                       "%s", slurp("err.txt"));
    cr_assert(!exists(journal), "the journal was not removed");
    /* A finished part is refused, not redone. */
    rc = task("1", "1", "1", "1", "3");
    cr_assert_eq(rc, 2, "%d: %s", rc, slurp("err.txt"));
    /* A full array 0-2 needs no N. */
    rc = task("0", "3", "0", "2", NULL);
    cr_assert_eq(rc, 0, "%d: %s", rc, slurp("err.txt"));
    cr_assert_not_null(strstr(slurp("err.txt"), "shard 0/3"), "%s",
                       slurp("err.txt"));
}

/* sweep.sbatch's fourth argument, K shards per task (more shards than
 * MaxArraySize lets an array have tasks), run as Slurm would by sh: 5 shards
 * of the 8-point grid, 2 per task, so tasks 0, 1 and 2 run shards {0, 1},
 * {2, 3} and {4}. The parts merge to the serial sweep's data sets; a rerun
 * skips the complete parts; a task past the shards and a bad K exit 2. */
static int task_k(const char *id, const char *n, const char *k)
{
    char v[4][48];
    snprintf(v[0], sizeof v[0], "SLURM_ARRAY_TASK_ID=%s", id);
    snprintf(v[1], sizeof v[1], "SLURM_ARRAY_TASK_COUNT=3");
    snprintf(v[2], sizeof v[2], "SLURM_ARRAY_TASK_MIN=0");
    snprintf(v[3], sizeof v[3], "SLURM_ARRAY_TASK_MAX=2");
    const char *env[] = {"AIMS=" AIMS_BIN, v[0], v[1], v[2], v[3], NULL};
    char parts[512];
    in_dir(parts, sizeof parts, "parts");
    const char *a[] = {"/bin/sh", SWEEP_SBATCH, GRID, parts, n, k, NULL};
    return run_env(a, env, "out.txt", "err.txt");
}

Test(slurm, sweep_sbatch_runs_several_shards_per_task)
{
    make_dir();
    static const char *const want[3][2] = {{"shard 0/5", "shard 1/5"},
                                           {"shard 2/5", "shard 3/5"},
                                           {"shard 4/5", NULL}};
    for (int t = 0; t < 3; t++) {
        char id[16];
        snprintf(id, sizeof id, "%d", t);
        int rc = task_k(id, "5", "2");
        cr_assert_eq(rc, 0, "task %d: %d: %s", t, rc, slurp("err.txt"));
        for (int j = 0; j < 2 && want[t][j]; j++)
            cr_assert_not_null(strstr(slurp("err.txt"), want[t][j]),
                               "task %d: %s", t, slurp("err.txt"));
        static const char *const other[3] = {"shard 2/5", "shard 4/5",
                                             "shard 3/5"};
        cr_assert_null(strstr(slurp("err.txt"), other[t]), "task %d: %s", t,
                       slurp("err.txt"));
    }
    for (int s = 0; s < 5; s++) {
        char p[64], full[600];
        snprintf(p, sizeof p, "parts/part_%d.h5", s);
        in_dir(full, sizeof full, p);
        cr_assert(exists(full), "no %s", p);
    }
    /* A rerun of a finished task skips its parts and succeeds. */
    int rc = task_k("1", "5", "2");
    cr_assert_eq(rc, 0, "%d: %s", rc, slurp("err.txt"));
    cr_assert_not_null(strstr(slurp("err.txt"), "part_2.h5 is complete"),
                       "%s", slurp("err.txt"));
    cr_assert_not_null(strstr(slurp("err.txt"), "part_3.h5 is complete"),
                       "%s", slurp("err.txt"));
    /* Past the shards, and a K that is not a whole number >= 1. */
    rc = task_k("3", "5", "2");
    cr_assert_eq(rc, 2, "%d: %s", rc, slurp("err.txt"));
    cr_assert_not_null(strstr(slurp("err.txt"), "needs only 3 tasks"), "%s",
                       slurp("err.txt"));
    cr_assert_eq(task_k("0", "5", "0"), 2, "%s", slurp("err.txt"));
    cr_assert_not_null(strstr(slurp("err.txt"), "K (shards per task)"), "%s",
                       slurp("err.txt"));
    /* The parts are the serial sweep's. */
    char serial[512], merged[512], glob[1400];
    in_dir(serial, sizeof serial, "serial.h5");
    in_dir(merged, sizeof merged, "merged.h5");
    const char *sw[] = {AIMS_BIN, "sweep", GRID, "-o", serial, "-j", "1",
                        "--quiet", NULL};
    rc = run(sw);
    cr_assert_eq(rc, 0, "serial aims sweep: %d: %s", rc, slurp("err.txt"));
    snprintf(glob, sizeof glob, "%s '%s'/parts/part_*.h5 -o '%s'",
             AIMS_BIN " merge", dir, merged);
    const char *mg[] = {"/bin/sh", "-c", glob, NULL};
    rc = run(mg);
    cr_assert_eq(rc, 0, "aims merge: %d: %s", rc, slurp("err.txt"));
    const char *cmp[] = {"/usr/bin/python3", SRC("tests/py/same_sweep.py"),
                         serial, merged, NULL};
    rc = run(cmp);
    cr_assert_eq(rc, 0, "5 shards, 2 per task, differ from the serial "
                        "sweep: %s%s",
                 slurp("out.txt"), slurp("err.txt"));
}

/* The same on the real Slurm: a 3-task array of 5 shards, 2 per task, and
 * the merge job that depends on it. */
Test(slurm, array_of_several_shards_per_task_merges_to_the_serial_sweep)
{
    slurm_up();
    const char *env[] = {"AIMS=" AIMS_BIN, "ASAN_OPTIONS=detect_leaks=1",
                         NULL};
    const char *arr[] = {"sbatch", "--parsable", "--array=0-2", "--time=5",
                         "-D",     dir,          SWEEP_SBATCH,  GRID,
                         "parts",  "5",          "2",           NULL};
    int rc = run_env(arr, env, "jid.txt", "err.txt");
    cr_assert_eq(rc, 0, "sbatch sweep.sbatch: %d: %s", rc, slurp("err.txt"));
    long jid = strtol(slurp("jid.txt"), NULL, 10);
    cr_assert_gt(jid, 0, "sbatch --parsable said '%s'", slurp("jid.txt"));
    snprintf(job, sizeof job, "%ld", jid);
    char dep[64];
    snprintf(dep, sizeof dep, "--dependency=afterok:%ld", jid);
    const char *mrg[] = {"sbatch", "--wait", "--quiet", dep,   "--time=5",
                         "-D",     dir,      MERGE_SBATCH, "parts",
                         "merged.h5", NULL};
    rc = run_env(mrg, env, "out.txt", "err.txt");
    char serial[512], merged[512];
    in_dir(serial, sizeof serial, "serial.h5");
    in_dir(merged, sizeof merged, "merged.h5");
    static char tasks[1 << 14], merge[1 << 12];
    cr_assert(rc == 0 && exists(merged),
              "the array or the merge job failed (sbatch: %d, %s)\n"
              "task logs:\n%s\nmerge log:\n%s",
              rc, slurp("err.txt"),
              slurp_all("aims-sweep-", tasks, sizeof tasks),
              slurp_all("aims-merge-", merge, sizeof merge));
    job[0] = '\0';
    for (int s = 0; s < 5; s++) {
        char p[64], full[600];
        snprintf(p, sizeof p, "parts/part_%d.h5", s);
        in_dir(full, sizeof full, p);
        cr_assert(exists(full), "no %s", p);
    }
    const char *sw[] = {AIMS_BIN, "sweep", GRID, "-o", serial, NULL};
    rc = run(sw);
    cr_assert_eq(rc, 0, "serial aims sweep: %d: %s", rc, slurp("err.txt"));
    const char *cmp[] = {"/usr/bin/python3", SRC("tests/py/same_sweep.py"),
                         serial, merged, NULL};
    rc = run(cmp);
    cr_assert_eq(rc, 0, "merged shards differ from the serial sweep: %s%s",
                 slurp("out.txt"), slurp("err.txt"));
    slurm_down();
}

Test(slurm, calibration_array_gives_the_serial_file)
{
    slurm_up();
    const char *env[] = {"AIMS=" AIMS_BIN, "ASAN_OPTIONS=detect_leaks=1",
                         NULL};
    const char *arr[] = {"sbatch", "--wait",   "--quiet", "--array=0-1",
                         "--time=5", "-D",     dir,       CALIB_SBATCH,
                         CALIB_SMALL, "cal.h5", NULL};
    int rc = run_env(arr, env, "out.txt", "err.txt");
    char serial[512], cal[512], journal[600];
    in_dir(serial, sizeof serial, "serial.h5");
    in_dir(cal, sizeof cal, "cal.h5");
    snprintf(journal, sizeof journal, "%s.journal", cal);
    static char tasks[1 << 14];
    cr_assert(rc == 0 && exists(cal),
              "the calibration array failed (sbatch: %d, %s)\ntask logs:\n%s",
              rc, slurp("err.txt"),
              slurp_all("aims-calibrate-", tasks, sizeof tasks));
    cr_assert(!exists(journal), "the journal outlived the calibration");
    const char *one[] = {AIMS_BIN, "calibrate", CALIB_SMALL, "-o", serial,
                         "-j", "1", "--quiet", NULL};
    rc = run(one);
    cr_assert_eq(rc, 0, "aims calibrate -j 1: %d: %s", rc, slurp("err.txt"));
    const char *cmp[] = {"/usr/bin/python3", SRC("tests/py/same_sweep.py"),
                         serial, cal, NULL};
    rc = run(cmp);
    cr_assert_eq(rc, 0, "the array's file differs from -j 1's: %s%s",
                 slurp("out.txt"), slurp("err.txt"));
    slurm_down();
}
