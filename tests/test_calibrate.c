/* test_calibrate.c -- `aims calibrate` as users run it (the sanitized
 * binaries, real HDF5 files, the real mpirun), on calibrations of
 * history_2023 at 300 enterprises that take seconds:
 *
 *  - the same file (data sets byte for byte, tests/py/same_sweep.py) at
 *    -j 1, -j 2 and under mpirun -n 2, for ABC-SMC and for SMM;
 *  - killed with SIGKILL at three moments (each after more evaluations
 *    are journalled) and resumed, the same file as an uninterrupted run,
 *    and the resumed run computes only what was not journalled;
 *  - `aims report` prints the fit table with the held-out targets marked;
 *  - a single-data-set parameter recovery: targets simulated at known
 *    parameters (--simulate) are fitted, and each true value lies inside
 *    its 95% posterior interval (the repeated check is make recovery);
 *  - the ABC arithmetic: weighted summaries against hand-computed values.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "abc.h"
#include "aims_spawn.h"
#include "calib.h"

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define FIX(name) AIMS_SOURCE_DIR "/tests/fixtures/calib/" name
#define SAME AIMS_SOURCE_DIR "/tests/py/same_sweep.py"

extern char **environ;

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/aims-calib-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(calibrate, .init = make_dir, .fini = remove_dir, .timeout = 300);

static void in_dir(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* args[0] found on PATH, into DIR/out_name and DIR/err_name, with the
 * environment mpirun needs (tests/aims_spawn.h). */
static const char *out_name = "out.txt", *err_name = "err.txt";

static pid_t start(const char *const *args)
{
    return aims_spawn_start(dir, args, out_name, err_name);
}

static int finish(pid_t pid)
{
    return aims_spawn_finish(pid);
}

static char *slurp(const char *name)
{
    static char buf[1 << 16];
    char path[512];
    in_dir(path, sizeof path, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* `[prefix...] build/san/aims ARGS...` to the end: its exit status. */
static int run(const char *const *prefix, const char *const *args)
{
    return aims_spawn_run(dir, AIMS_BUILD_DIR, prefix, args);
}

static void calib_ok(const char *fixture, const char *out, const char *j)
{
    const char *a[] = {"calibrate", fixture, "-o", out, "-j", j, "--quiet",
                       NULL};
    int rc = run(NULL, a);
    cr_assert_eq(rc, 0, "aims calibrate -j %s: %d: %s", j, rc,
                 slurp("err.txt"));
}

static void same(const char *a, const char *b)
{
    const char *argv[] = {"/usr/bin/python3", SAME, a, b, NULL};
    int rc = finish(start(argv));
    cr_assert_eq(rc, 0, "%s and %s differ: %s", a, b, slurp("out.txt"));
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- the same file, however it is run ----------------------------------- */

Test(calibrate, abc_threads_give_the_same_file)
{
    char a[512], b[512];
    in_dir(a, sizeof a, "j1.h5");
    in_dir(b, sizeof b, "j2.h5");
    calib_ok(FIX("small.cfg"), a, "1");
    calib_ok(FIX("small.cfg"), b, "2");
    same(a, b);
}

Test(calibrate, smm_threads_give_the_same_file)
{
    char a[512], b[512];
    in_dir(a, sizeof a, "j1.h5");
    in_dir(b, sizeof b, "j2.h5");
    calib_ok(FIX("small_smm.cfg"), a, "1");
    calib_ok(FIX("small_smm.cfg"), b, "2");
    same(a, b);
}

Test(calibrate, mpirun_2_ranks_give_the_same_file)
{
    char p[512];
    snprintf(p, sizeof p, "%s/aims-mpi", AIMS_BUILD_DIR);
    cr_assert(system("command -v mpirun >/dev/null 2>&1") == 0 && exists(p),
              "mpirun or %s missing (scripts/install-deps installs Open "
              "MPI)",
              p);
    char ref[512], out[512];
    in_dir(ref, sizeof ref, "ref.h5");
    in_dir(out, sizeof out, "n2.h5");
    calib_ok(FIX("small.cfg"), ref, "1");
    const char *prefix[] = {"mpirun", "-n", "2", NULL};
    const char *a[] = {"calibrate", FIX("small.cfg"), "-o", out, "--quiet",
                       NULL};
    int rc = run(prefix, a);
    cr_assert_eq(rc, 0, "mpirun -n 2 aims calibrate: %d: %s", rc,
                 slurp("err.txt"));
    same(ref, out);
}

/* ---- kill -9 and --resume ----------------------------------------------- */

/* Whole records in the journal's segment (runner/journal.c: a 48-byte
 * header, then records that start with a magic word and their size). */
static size_t seg_records(const char *journal, const char *seg)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", journal, seg);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t n = 0;
    uint32_t w[2];
    if (fseek(f, 48, SEEK_SET) == 0)
        while (fread(w, sizeof w, 1, f) == 1 && w[1] >= 8 &&
               fseek(f, (long)w[1] - 8, SEEK_CUR) == 0) {
            long at = ftell(f);
            if (fseek(f, 0, SEEK_END) != 0 || ftell(f) < at)
                break; /* a torn tail */
            n++;
            fseek(f, at, SEEK_SET);
        }
    fclose(f);
    return n;
}

static size_t records(const char *journal)
{
    return seg_records(journal, "points.seg");
}

static size_t wait_records(const char *journal, size_t n)
{
    struct timespec t = {0, 20000000};
    for (int i = 0; i < 6000; i++) {
        size_t now = records(journal);
        if (now > n)
            return now;
        nanosleep(&t, NULL);
    }
    cr_assert_fail("no new record in %s within 120 s", journal);
    return 0;
}

Test(calibrate, killed_three_times_resumes_to_the_same_file, .timeout = 600)
{
    char ref[512], out[512], journal[600], prog[512];
    in_dir(ref, sizeof ref, "ref.h5");
    in_dir(out, sizeof out, "out.h5");
    snprintf(journal, sizeof journal, "%s.journal", out);
    snprintf(prog, sizeof prog, "%s/aims", AIMS_BUILD_DIR);
    calib_ok(FIX("small.cfg"), ref, "2");
    /* Three kills, each once more evaluations are journalled than at the
     * previous one: moments in generation 0 and later ones, whatever the
     * machine's load. */
    size_t before = 0;
    const size_t after[] = {0, 10, 22};
    for (size_t k = 0; k < 3; k++) {
        const char *argv[] = {prog, "calibrate", FIX("small.cfg"), "-o", out,
                              "-j", "2", "--quiet", "--resume", NULL};
        if (k == 0)
            argv[8] = NULL;
        pid_t pid = start(argv);
        wait_records(journal, before > after[k] ? before : after[k]);
        kill(pid, SIGKILL);
        cr_assert_eq(finish(pid), 128 + SIGKILL);
        cr_assert(!exists(out), "a killed calibration left %s", out);
        size_t now = records(journal);
        cr_assert_gt(now, before, "records lost: %zu -> %zu", before, now);
        before = now;
    }
    const char *a[] = {"calibrate", FIX("small.cfg"), "-o", out, "-j", "2",
                       "--resume", NULL};
    cr_assert_eq(run(NULL, a), 0, "%s", slurp("err.txt"));
    char *err = slurp("err.txt");
    char want[128];
    snprintf(want, sizeof want, "from the journal)");
    cr_assert(strstr(err, want), "expected '%s' in: %s", want, err);
    /* Every journalled evaluation was read back, none computed twice. */
    char *p = strstr(err, "computed now, ");
    cr_assert_not_null(p, "%s", err);
    size_t reused = strtoul(p + strlen("computed now, "), NULL, 10);
    cr_assert_eq(reused, before, "%zu journalled, %zu read back: %s", before,
                 reused, err);
    cr_assert(!exists(journal), "the journal outlived the output");
    same(ref, out);
}

/* ---- shards ------------------------------------------------------------ */

/* The number after `key` in text (0 when it is not there). */
static size_t number_after(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

static pid_t start_shard(const char *cfg, const char *out, const char *shard,
                         bool resume, const char *err_file)
{
    static char prog[512];
    snprintf(prog, sizeof prog, "%s/aims", AIMS_BUILD_DIR);
    const char *argv[] = {prog, "calibrate", cfg, "-o", out, "-j", "1",
                          "--shard", shard, resume ? "--resume" : NULL, NULL};
    err_name = err_file;
    pid_t pid = start(argv);
    err_name = "err.txt";
    return pid;
}

/* Two shards run together, naming one output: shard 0 writes the file
 * -j 1 writes, shard 1 writes none of its own, the journal is gone, and
 * between them they computed each evaluation about once. */
Test(calibrate, shards_running_together_give_the_same_file)
{
    char ref[512], out[512], journal[600];
    in_dir(ref, sizeof ref, "ref.h5");
    in_dir(out, sizeof out, "sh.h5");
    snprintf(journal, sizeof journal, "%s.journal", out);
    calib_ok(FIX("small.cfg"), ref, "1");
    pid_t p0 = start_shard(FIX("small.cfg"), out, "0/2", false, "e0.txt");
    pid_t p1 = start_shard(FIX("small.cfg"), out, "1/2", false, "e1.txt");
    int r0 = finish(p0), r1 = finish(p1);
    cr_assert_eq(r0, 0, "shard 0: %d: %s", r0, slurp("e0.txt"));
    cr_assert_eq(r1, 0, "shard 1: %d: %s", r1, slurp("e1.txt"));
    char *e1 = slurp("e1.txt");
    cr_assert(strstr(e1, "aims: shard 1/2 done: abc_smc, "), "%s", e1);
    size_t total = number_after(e1, "abc_smc, ");
    size_t here1 = number_after(e1, "replications (");
    size_t here0 = number_after(slurp("e0.txt"), "replications (");
    cr_assert_gt(total, 0u);
    cr_assert_leq(here0, total);
    cr_assert_leq(here1, total);
    cr_assert_geq(here0 + here1, total, "every evaluation computed: %zu + "
                  "%zu of %zu", here0, here1, total);
    cr_assert(!exists(journal), "the journal outlived the output");
    same(ref, out);
}

/* A shard that runs alone (its partner queued, as the tasks of a Slurm
 * array may be) finishes every evaluation by itself; shard 0 run after it
 * computes none and writes the same file; and shard 1 run again after
 * that has nothing left to do. */
Test(calibrate, a_shard_alone_finishes_and_the_others_reuse_it)
{
    char ref[512], out[512], journal[600];
    in_dir(ref, sizeof ref, "ref.h5");
    in_dir(out, sizeof out, "sh.h5");
    snprintf(journal, sizeof journal, "%s.journal", out);
    calib_ok(FIX("small.cfg"), ref, "1");
    int rc = finish(start_shard(FIX("small.cfg"), out, "1/2", false,
                                "e1.txt"));
    cr_assert_eq(rc, 0, "shard 1: %d: %s", rc, slurp("e1.txt"));
    cr_assert(!exists(out), "shard 1 wrote the output");
    cr_assert(exists(journal));
    char *e1 = slurp("e1.txt");
    size_t total = number_after(e1, "abc_smc, ");
    cr_assert_eq(number_after(e1, "replications ("), total, "%s", e1);
    rc = finish(start_shard(FIX("small.cfg"), out, "0/2", false, "e0.txt"));
    cr_assert_eq(rc, 0, "shard 0: %d: %s", rc, slurp("e0.txt"));
    char *e0 = slurp("e0.txt");
    cr_assert(strstr(e0, "(0 computed now, "), "%s", e0);
    same(ref, out);
    cr_assert(!exists(journal));
    rc = finish(start_shard(FIX("small.cfg"), out, "1/2", false, "e1.txt"));
    cr_assert_eq(rc, 0, "%s", slurp("e1.txt"));
    cr_assert(strstr(slurp("e1.txt"), "already holds this calibration"),
              "%s", slurp("e1.txt"));
    cr_assert(!exists(journal), "a finished shard made a journal again");
}

/* Shard 1 killed with SIGKILL while both run, and started again with
 * --resume: the same file; its own records are read back. */
Test(calibrate, a_killed_shard_resumes_to_the_same_file, .timeout = 600)
{
    char ref[512], out[512], journal[600];
    in_dir(ref, sizeof ref, "ref.h5");
    in_dir(out, sizeof out, "sh.h5");
    snprintf(journal, sizeof journal, "%s.journal", out);
    calib_ok(FIX("small.cfg"), ref, "1");
    pid_t p1 = start_shard(FIX("small.cfg"), out, "1/2", false, "e1.txt");
    struct timespec t = {0, 20000000};
    for (int i = 0; i < 6000 && seg_records(journal, "points.1-of-2.seg") < 6;
         i++)
        nanosleep(&t, NULL);
    kill(p1, SIGKILL);
    cr_assert_eq(finish(p1), 128 + SIGKILL);
    size_t kept = seg_records(journal, "points.1-of-2.seg");
    cr_assert_geq(kept, 6u);
    /* Without --resume its segment is refused, naming the fix. */
    int rc = finish(start_shard(FIX("small.cfg"), out, "1/2", false,
                                "e1.txt"));
    cr_assert_eq(rc, 2);
    cr_assert(strstr(slurp("e1.txt"), "--resume to finish it"), "%s",
              slurp("e1.txt"));
    pid_t p0 = start_shard(FIX("small.cfg"), out, "0/2", false, "e0.txt");
    p1 = start_shard(FIX("small.cfg"), out, "1/2", true, "e1.txt");
    int r0 = finish(p0), r1 = finish(p1);
    cr_assert_eq(r0, 0, "shard 0: %s", slurp("e0.txt"));
    cr_assert_eq(r1, 0, "shard 1: %s", slurp("e1.txt"));
    same(ref, out);
}

Test(calibrate, shards_refuse_bad_values_and_mpirun)
{
    char out[512], p[512];
    in_dir(out, sizeof out, "sh.h5");
    const char *bad[] = {"2/2", "1/1x", "-1/2", "1", NULL};
    for (size_t i = 0; bad[i]; i++) {
        const char *a[] = {"calibrate", FIX("small.cfg"), "-o", out,
                           "--shard", bad[i], NULL};
        cr_assert_eq(run(NULL, a), 2, "--shard %s", bad[i]);
        cr_assert(strstr(slurp("err.txt"), "--shard: expected I/N"), "%s",
                  slurp("err.txt"));
    }
    snprintf(p, sizeof p, "%s/aims-mpi", AIMS_BUILD_DIR);
    cr_assert(system("command -v mpirun >/dev/null 2>&1") == 0 && exists(p));
    const char *prefix[] = {"mpirun", "-n", "2", NULL};
    const char *a[] = {"calibrate", FIX("small.cfg"), "-o", out, "--shard",
                       "0/2", NULL};
    cr_assert_eq(run(prefix, a), 2);
    cr_assert(strstr(slurp("err.txt"), "--shard under mpirun"), "%s",
              slurp("err.txt"));
    cr_assert(!exists(out));
}

/* analysis/rebase_market.py carries a 2023 posterior to January 2026
 * (month 36) by the history's own rule: DeepSeek's capability grows 3.5 a
 * year and jumps +2 (month 16) and +4 (month 24.6, R1) before then, so
 * every summary moves by 3.5 x 3 + 6 = 16.5; bass_q is carried over. */
Test(calibrate, rebase_market_shifts_by_the_history_growth_and_jumps)
{
    char cal[512], prog[512];
    in_dir(cal, sizeof cal, "ds.h5");
    snprintf(prog, sizeof prog, "%s/aims", AIMS_BUILD_DIR);
    calib_ok(FIX("small_deepseek.cfg"), cal, "2");
    const char *argv[] = {"/usr/bin/python3",
                          AIMS_SOURCE_DIR "/analysis/rebase_market.py", cal,
                          "--aims", prog, NULL};
    int rc = finish(start(argv));
    cr_assert_eq(rc, 0, "rebase_market.py: %d: %s", rc, slurp("err.txt"));
    char *out = slurp("out.txt");
    char *line = strstr(out, "vendors.[2].capability (deepseek)");
    cr_assert_not_null(line, "%s", out);
    double m0, lo0, hi0, shift, m1, lo1, hi1;
    cr_assert_eq(sscanf(line, "vendors.[2].capability (deepseek) %lf [%lf, "
                              "%lf] %lf %lf [%lf, %lf]",
                        &m0, &lo0, &hi0, &shift, &m1, &lo1, &hi1),
                 7, "%s", line);
    cr_assert_float_eq(shift, 16.5, 1e-9, "%s", line);
    cr_assert_float_eq(m1 - m0, 16.5, 2e-3, "%s", line);
    cr_assert_float_eq(lo1 - lo0, 16.5, 2e-3, "%s", line);
    cr_assert_float_eq(hi1 - hi0, 16.5, 2e-3, "%s", line);
    cr_assert(strstr(out, "jump +2 at month 16, jump +4 at month 24.6"), "%s",
              out);
    line = strstr(out, "enterprises.sectors.[0].bass_q");
    cr_assert_not_null(line);
    cr_assert_eq(sscanf(line, "enterprises.sectors.[0].bass_q %lf [%lf, %lf] "
                              "%lf %lf",
                        &m0, &lo0, &hi0, &shift, &m1),
                 5, "%s", line);
    cr_assert_float_eq(shift, 0.0, 1e-12);
    cr_assert_float_eq(m1, m0, 1e-12);
}

/* ---- the report --------------------------------------------------------- */

Test(calibrate, report_prints_the_fit_table_with_held_out_marked)
{
    char out[512];
    in_dir(out, sizeof out, "fit.h5");
    calib_ok(FIX("small.cfg"), out, "2");
    const char *a[] = {"report", out, NULL};
    cr_assert_eq(run(NULL, a), 0, "%s", slurp("err.txt"));
    char *txt = slurp("out.txt");
    cr_assert(strstr(txt, "target") && strstr(txt, "observed") &&
                  strstr(txt, "sim mean") && strstr(txt, " z"),
              "%s", txt);
    /* The two held-out targets of targets_tiny.cfg, marked; the fitted
     * ones not. */
    const char *lines[] = {"domestic_tokens_growth", "bytedance_azure_2026",
                           "doubao_share_2025", "adopters_2025"};
    for (size_t i = 0; i < 4; i++) {
        char *l = strstr(txt, lines[i]);
        cr_assert_not_null(l, "no row for %s: %s", lines[i], txt);
        char *end = strchr(l, '\n');
        bool held = strstr(l, "held out") && strstr(l, "held out") < end;
        cr_assert_eq(held, i < 2, "%s: held out marked %d: %s", lines[i],
                     held, txt);
    }
    cr_assert(strstr(txt, "fitted targets within their uncertainty"), "%s",
              txt);
    cr_assert(strstr(txt, "held-out targets inside the simulated 95% "
                          "interval: "),
              "%s", txt);
    const char *c[] = {"report", out, "--csv", NULL};
    cr_assert_eq(run(NULL, c), 0, "%s", slurp("err.txt"));
    cr_assert(strstr(slurp("out.txt"),
                     "target,observed,sd,sim_mean,sim_lo,sim_hi,z,"
                     "held_out\n"),
              "%s", slurp("out.txt"));
    /* The pictures of the same file. */
    char pics[512], png[600];
    in_dir(pics, sizeof pics, "pics");
    const char *py[] = {"/usr/bin/python3",
                        AIMS_SOURCE_DIR "/analysis/plot_calibration.py", out,
                        "-o", pics, NULL};
    cr_assert_eq(finish(start(py)), 0, "%s", slurp("err.txt"));
    const char *names[] = {"posterior.png", "fit.png"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(png, sizeof png, "%s/%s", pics, names[i]);
        struct stat st;
        cr_assert(stat(png, &st) == 0 && st.st_size > 1000, "%s", png);
    }
}

/* ---- parameter recovery, one synthetic data set ------------------------- */

static void read_f64(const char *path, const char *dset, double *v)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "%s", path);
    cr_assert_geq(H5LTread_dataset_double(f, dset, v), 0, "%s", dset);
    H5Fclose(f);
}

Test(calibrate, recovers_known_parameters_inside_their_95_intervals,
     .timeout = 600)
{
    /* The truth, inside the priors of recovery_fast.cfg. */
    const double truth[] = {74.3, 76.1};
    char sim[512], targets[512], calib[512], out[512];
    in_dir(targets, sizeof targets, "targets.cfg");
    in_dir(calib, sizeof calib, "calib.cfg");
    in_dir(out, sizeof out, "rec.h5");
    snprintf(sim, sizeof sim, "%.17g,%.17g", truth[0], truth[1]);
    const char *s[] = {"calibrate", FIX("recovery_fast.cfg"), "--simulate",
                       sim, "-r", "4", "-s", "1234", NULL};
    cr_assert_eq(run(NULL, s), 0, "%s", slurp("err.txt"));
    /* Synthetic targets: the fixture's, with the simulated mean as value
     * and its standard error (at least 1% of it) as sd. */
    char ids[4][64];
    double val[4], se[4];
    size_t n = 0;
    for (char *l = slurp("out.txt"); n < 4 && *l;) {
        cr_assert_eq(sscanf(l, "%63s %lf %lf", ids[n], &val[n], &se[n]), 3,
                     "%s", l);
        n++;
        l = strchr(l, '\n');
        cr_assert_not_null(l);
        l++;
    }
    cr_assert_eq(n, 2u);
    FILE *f = fopen(targets, "w");
    cr_assert_not_null(f);
    fputs("targets = (\n", f);
    const char *of[] = {"doubao", "deepseek"};
    for (size_t i = 0; i < n; i++) {
        double sd = fmax(se[i], 0.01 * fabs(val[i]));
        fprintf(f,
                "  { id = \"%s\"; source = \"synthetic\"; observed = "
                "\"2025-12\"; value = %.17g; sd = %.17g; kind = \"share\"; "
                "series = \"tokens_by_vendor\"; of = [\"%s\"]; among = "
                "[\"doubao\", \"deepseek\", \"qwen\"]; from = \"2025-01\"; "
                "to = \"2025-12\"; }%s\n",
                ids[i], val[i], sd, of[i], i + 1 < n ? "," : "");
    }
    fputs(");\n", f);
    fclose(f);
    f = fopen(calib, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "calibration = { name = \"rec\"; scenario = \"%s\"; targets = "
            "[ \"targets.cfg\" ]; method = \"abc_smc\"; replications = 2; "
            "seed = 5; set = [ \"enterprises.count=300\" ]; };\n"
            "parameters = (\n"
            "  { path = \"vendors.[3].capability\"; min = 66.0; max = 80.0; },"
            "\n  { path = \"vendors.[2].capability\"; min = 70.0; max = 82.0; }"
            "\n);\n"
            "abc = { particles = 30; generations = 3; quantile = 0.5; "
            "min_acceptance = 0.05; batch = 30; };\n",
            AIMS_SOURCE_DIR "/scenarios/history_2023.cfg");
    fclose(f);
    calib_ok(calib, out, "2");
    double lo[2], hi[2], sd[2];
    read_f64(out, "/posterior/q025", lo);
    read_f64(out, "/posterior/q975", hi);
    read_f64(out, "/posterior/sd", sd);
    const double prior[2][2] = {{66, 80}, {70, 82}};
    bool learnt = false;
    for (size_t k = 0; k < 2; k++) {
        cr_assert(lo[k] <= truth[k] && truth[k] <= hi[k],
                  "parameter %zu: truth %g outside [%g, %g]", k, truth[k],
                  lo[k], hi[k]);
        /* The shares depend mostly on the difference of the two
         * capabilities (a ridge), so only the pair is sharply identified;
         * still, the data must have told the posterior something: one sd
         * at most 3/4 of the uniform prior's (range / sqrt 12). */
        learnt = learnt ||
                 sd[k] < 0.75 * (prior[k][1] - prior[k][0]) / sqrt(12.0);
    }
    cr_assert(learnt, "posterior sds %g, %g: no narrower than the priors",
              sd[0], sd[1]);
}

/* ---- the ABC arithmetic ------------------------------------------------- */

Test(calibrate, weighted_summaries_match_hand_computation)
{
    const double x[] = {3.0, 1.0, 2.0, 10.0};
    const double w[] = {0.2, 0.3, 0.4, 0.1};
    const double probs[] = {0.25, 0.5, 0.975};
    double mean, sd, q[3];
    ana_abc_summary(x, 1, w, 4, &mean, &sd, probs, 3, q);
    /* mean = 0.6 + 0.3 + 0.8 + 1.0 = 2.7; variance = sum w (x - 2.7)^2. */
    double var = 0.2 * 0.09 + 0.3 * 2.89 + 0.4 * 0.49 + 0.1 * 53.29;
    cr_assert_float_eq(mean, 2.7, 1e-12);
    cr_assert_float_eq(sd, sqrt(var), 1e-12);
    /* Sorted: 1 (0.3), 2 (0.4), 3 (0.2), 10 (0.1); cumulative 0.3, 0.7,
     * 0.9, 1.0. */
    cr_assert_float_eq(q[0], 1.0, 0);
    cr_assert_float_eq(q[1], 2.0, 0);
    cr_assert_float_eq(q[2], 10.0, 0);
}

Test(calibrate, proposals_are_a_function_of_seed_generation_and_index)
{
    const double lo[] = {0, 10}, hi[] = {1, 20};
    double a[2], b[2], c[2];
    sim_err err = {0};
    cr_assert_eq(ana_abc_propose(9, 0, 5, NULL, 2, lo, hi, a, &err), SIM_OK);
    cr_assert_eq(ana_abc_propose(9, 0, 6, NULL, 2, lo, hi, c, &err), SIM_OK);
    cr_assert_eq(ana_abc_propose(9, 0, 5, NULL, 2, lo, hi, b, &err), SIM_OK);
    cr_assert(a[0] == b[0] && a[1] == b[1], "the same name, other numbers");
    cr_assert(a[0] != c[0], "two particles drew the same numbers");
    for (size_t k = 0; k < 2; k++)
        cr_assert(a[k] >= lo[k] && a[k] <= hi[k]);
    /* From a population: inside the box, reproducible. */
    const double z[] = {0.2, 12.0, 0.8, 18.0, 0.5, 15.0};
    const double w[] = {0.25, 0.25, 0.5};
    double chol[4];
    ana_abc_pop pop = {.n = 3, .d = 2, .z = z, .w = w, .chol = chol};
    const double range[] = {1, 10};
    cr_assert_eq(ana_abc_kernel(&pop, range, &err), SIM_OK, "%s", err.msg);
    for (uint32_t i = 0; i < 50; i++) {
        cr_assert_eq(ana_abc_propose(9, 1, i, &pop, 2, lo, hi, a, &err),
                     SIM_OK);
        cr_assert(a[0] >= 0 && a[0] <= 1 && a[1] >= 10 && a[1] <= 20);
        cr_assert(isfinite(ana_abc_log_weight(&pop, a)));
    }
}

/* ---- targets against one replication's results -------------------------- */

Test(calibrate, targets_read_the_series_they_name)
{
    sim_err err = {0};
    cal_spec *s = NULL;
    cr_assert_eq(cal_load(FIX("tiny.cfg"), &s, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(s->n_targets, 4u);
    cr_assert_eq(s->n_fitted, 2u);
    cr_assert(!s->params[0].log && s->params[1].log);
    const double x[] = {74.0, 0.7};
    mkt_params *p = NULL;
    cr_assert_eq(cal_model(s, x, &p, &err), SIM_OK, "%s", err.msg);
    mkt_results r = {0};
    cr_assert_eq(mkt_results_init(&r, p, &err), SIM_OK);
    cr_assert_eq(mkt_run(p, 3, 0, NULL, &r, &err), SIM_OK, "%s", err.msg);
    /* doubao_share_2025: doubao's tokens over those of the three Chinese
     * vendors, 2025-01 .. 2025-12 = months 24 .. 35 of a 2023-01 start. */
    size_t v[3] = {3, 2, 4}; /* doubao, deepseek, qwen */
    double num = 0, den = 0;
    for (size_t m = 24; m <= 35; m++)
        for (size_t k = 0; k < 3; k++) {
            double t = r.tokens_by_vendor[m * r.n_vendors + v[k]];
            den += t;
            if (k == 0)
                num += t;
        }
    cr_assert_gt(den, 0);
    cr_assert_float_eq(cal_target_value(&s->targets[0], &r), num / den,
                       1e-12 * (num / den));
    /* adopters_2025: a stock, the mean over its one month, 2025-12. */
    cr_assert_eq(cal_target_value(&s->targets[1], &r), r.adopters[35]);
    /* bytedance_azure_2026: 0 or 1. */
    double b = cal_target_value(&s->targets[3], &r);
    cr_assert(b == 0.0 || b == 1.0, "%g", b);
    mkt_results_fini(&r);
    mkt_params_free(p);
    cal_free(s);
}
