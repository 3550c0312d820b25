/* test_cli.c -- `aims run` and `aims validate` as users meet them: the real
 * (sanitized) binary in a child process, real files, real signals.
 *
 *  - a run writes a complete file, the same for -j 1 and -j 2 and for two
 *    runs (every data set and every attribute but `created` compared by
 *    h5py), which xarray opens with named dimensions;
 *  - each kind of bad input gets one message naming file, line and key,
 *    exit status 2 and no output file (and no temporary left behind);
 *  - SIGINT and SIGTERM during a run leave nothing at the target and exit
 *    130 and 143; an existing output is kept without --force; a missing
 *    output directory is an error.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mkt.h"
#include "scen.h"
#include "spawn.h"

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_RELEASE_DIR
#define AIMS_RELEASE_DIR "build"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define FIX(name) AIMS_SOURCE_DIR "/tests/fixtures/cli/" name

static void make_dir(void)
{
    spawn_make_dir("/tmp/aims-cli-XXXXXX");
}

static void remove_dir(void)
{
    spawn_remove_dir();
}

/* build/san/aims with args (NULL-ended, without the program name), stdout
 * and stderr into DIR/out.txt and DIR/err.txt (tests/spawn.h). */
static pid_t start(const char *const *args)
{
    return spawn_start(AIMS_BUILD_DIR "/aims", args);
}

static int finish(pid_t pid)
{
    return spawn_finish(pid);
}

static int aims(const char *const *args)
{
    return finish(start(args));
}

/* Nothing in dir but the captured out.txt and err.txt. */
static void assert_no_output(void)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strcmp(n, ".") && strcmp(n, "..") && strcmp(n, "out.txt") &&
            strcmp(n, "err.txt"))
            cr_assert_fail("unexpected file %s/%s", dir, n);
    }
    closedir(d);
}

static bool have_python(const char *modules)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import %s' >/dev/null 2>&1", modules);
    return access("/usr/bin/python3", X_OK) == 0 && system(cmd) == 0;
}

/* ---- good runs -----------------------------------------------------------
 */

Test(cli, validate_says_what_the_scenario_holds, .init = make_dir,
     .fini = remove_dir)
{
    const char *a[] = {"validate", FIX("tiny.cfg"), NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    cr_assert(strstr(slurp("out.txt"), ": ok: scenario 'tiny'"), "%s",
              slurp("out.txt"));
    const char *b[] = {"validate", AIMS_SOURCE_DIR "/scenarios/baseline.cfg",
                       NULL};
    cr_assert_eq(aims(b), 0, "%s", slurp("err.txt"));
}

static const char compare_py[] =
    "import sys, h5py, numpy as np\n"
    "def walk(f):\n"
    "    out = {}\n"
    "    f.visititems(lambda n, o: out.__setitem__(n, o))\n"
    "    return out\n"
    "a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')\n"
    "oa, ob = walk(a), walk(b)\n"
    "assert sorted(oa) == sorted(ob), (sorted(oa), sorted(ob))\n"
    "n = 0\n"
    "for k, o in oa.items():\n"
    "    if isinstance(o, h5py.Dataset):\n"
    "        x, y = o[()], ob[k][()]\n"
    "        assert x.dtype == y.dtype and x.shape == y.shape, k\n"
    "        if x.dtype.kind == 'O':  # strings: compare values\n"
    "            assert list(x.flat) == list(y.flat), k\n"
    "        else:  # numbers: compare bytes, so NaNs count too\n"
    "            assert x.tobytes() == y.tobytes(), k\n"
    "        n += 1\n"
    "for k in set(a.attrs) | set(b.attrs):\n"
    "    if k != 'created':\n"
    "        assert str(a.attrs[k]) == str(b.attrs[k]), k\n"
    "assert n >= 16, n\n"
    "print('same', n)\n";

static const char xarray_py[] =
    "import sys, xarray as xr, numpy as np\n"
    "root = xr.open_dataset(sys.argv[1], engine='h5netcdf')\n"
    "s = xr.open_dataset(sys.argv[1], engine='h5netcdf', group='series')\n"
    "s = s.assign_coords({d: root[d] for d in s.dims})\n"
    "assert s['channel_count'].dims == ('replication', 'time', 'channel')\n"
    "assert s['revenue'].dims == ('replication', 'time', 'actor')\n"
    "for v in ('adopters', 'frontier_access_share', 'switches', "
    "'detections', 'days_without_access', 'capability_gap'):\n"
    "    assert s[v].dims == ('replication', 'time'), v\n"
    "assert list(s['channel'].values) == ['none', 'waiting', 'direct', "
    "'onshore', 'offshore', 'gray', 'domestic']\n"
    "assert list(s['time'].values) == list(range(1, 13))\n"
    "assert s.sizes['replication'] == 4\n"
    "m = s['channel_count'].sum('channel')\n"
    "assert np.allclose(m, 1500.0), m\n"
    "u = xr.open_dataset(sys.argv[1], engine='h5netcdf', group='summary')\n"
    "u = u.assign_coords({d: root[d] for d in u.dims})\n"
    "assert u['cumulative_revenue'].dims == ('replication', 'actor')\n"
    "assert 'openai' in list(u['actor'].values)\n"
    "print('ok')\n";

static void python(const char *script, const char *args)
{
    char sp[512], cmd[2048];
    snprintf(sp, sizeof sp, "%s/check.py", dir);
    FILE *f = fopen(sp, "w");
    cr_assert_not_null(f);
    fputs(script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s >%s/py.txt 2>&1", sp,
             args, dir);
    int rc = system(cmd);
    cr_assert_eq(rc, 0, "python: %s", slurp("py.txt"));
    unlink(sp);
}

Test(cli, same_seed_same_file_for_any_threads, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
    if (!have_python("h5py, numpy"))
        cr_skip_test("python3-h5py is not installed");
    char f[4][512];
    const char *j[] = {"1", "2", "1", "2"};
    for (int k = 0; k < 4; k++) {
        snprintf(f[k], sizeof f[k], "%s/run%d.h5", dir, k);
        const char *a[] = {"run", FIX("tiny.cfg"), "-o", f[k], "-j", j[k],
                           "-r", "4", "--quiet", NULL};
        cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    }
    char args[2048];
    for (int k = 1; k < 4; k++) {
        snprintf(args, sizeof args, "%s %s", f[0], f[k]);
        python(compare_py, args);
    }
    /* A different seed gives a different file. */
    const char *a[] = {"run", FIX("tiny.cfg"), "-o", f[3], "-s", "8",
                       "--force", "--quiet", NULL};
    cr_assert_eq(aims(a), 0);
    char sp[512], cmd[2048];
    snprintf(sp, sizeof sp, "%s/check.py", dir);
    FILE *fp = fopen(sp, "w");
    fputs(compare_py, fp);
    fclose(fp);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %s >/dev/null 2>&1", sp,
             f[0], f[3]);
    cr_assert_neq(system(cmd), 0);
}

/* The engine's fast paths (lanes, the sorted run, the look-ahead window,
 * docs/engine.md) must not change a single delivery: the baseline at 10^4
 * and 10^5 enterprises gives the same file with every event through the
 * plain heap, as before they existed (AIMS_ENGINE=plain), as with them
 * (auto, the default) and with only some of them. Compared by h5diff with
 * the provenance attributes aside (scripts/h5same). */
Test(cli, the_engine_fast_paths_leave_the_run_file_unchanged, .init = make_dir,
     .fini = remove_dir, .timeout = 300)
{
    static const char *const modes[] = {"plain", "auto", "nolanes",
                                        "declared"};
    const char *sizes[] = {"enterprises.count=10000",
                           "enterprises.count=100000"};
    char f[2][4][512];
    for (int s = 0; s < 2; s++)
        for (int m = 0; m < 4; m++) {
            snprintf(f[s][m], sizeof f[s][m], "%s/%d-%s.h5", dir, s,
                     modes[m]);
            cr_assert_eq(setenv("AIMS_ENGINE", modes[m], 1), 0);
            const char *a[] = {"run", AIMS_SOURCE_DIR "/scenarios/baseline.cfg",
                               "-o", f[s][m], "-r", s ? "1" : "2", "-j", "1",
                               "--set", sizes[s], "--quiet", NULL};
            cr_assert_eq(aims(a), 0, "%s: %s", modes[m], slurp("err.txt"));
        }
    unsetenv("AIMS_ENGINE");
    char cmd[2048];
    for (int s = 0; s < 2; s++)
        for (int m = 1; m < 4; m++) {
            snprintf(cmd, sizeof cmd, "%s/scripts/h5same %s %s >%s/diff.txt 2>&1",
                     AIMS_SOURCE_DIR, f[s][0], f[s][m], dir);
            cr_assert_eq(system(cmd), 0, "%s against plain: %s", f[s][m],
                         slurp("diff.txt"));
        }
    /* The comparison can fail: two sizes are two different runs. */
    snprintf(cmd, sizeof cmd, "%s/scripts/h5same %s %s >/dev/null 2>&1",
             AIMS_SOURCE_DIR, f[0][1], f[1][1]);
    cr_assert_neq(system(cmd), 0);
    /* A mode that does not exist is refused before anything is written. */
    cr_assert_eq(setenv("AIMS_ENGINE", "fast", 1), 0);
    char out[512];
    snprintf(out, sizeof out, "%s/bad.h5", dir);
    const char *a[] = {"run", AIMS_SOURCE_DIR "/scenarios/baseline.cfg", "-o",
                       out, "--set", "enterprises.count=1000", "--quiet",
                       NULL};
    cr_assert_eq(aims(a), 2, "bad input exits 2");
    cr_assert(strstr(slurp("err.txt"), "AIMS_ENGINE: expected auto, declared, "
                                       "nolanes or plain, got 'fast'"),
              "%s", slurp("err.txt"));
    cr_assert_neq(access(out, F_OK), 0, "a file was written");
}

Test(cli, xarray_opens_the_file_with_named_dimensions, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
    if (!have_python("xarray, h5netcdf"))
        cr_skip_test("python3-xarray or python3-h5netcdf is not installed");
    char f[512];
    snprintf(f, sizeof f, "%s/x.h5", dir);
    const char *a[] = {"run", FIX("tiny.cfg"), "-o", f, NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    const char *out = slurp("out.txt");
    cr_assert(strstr(out, "final frontier access"), "%s", out);
    cr_assert(strstr(slurp("err.txt"), "aims: wrote "), "%s",
              slurp("err.txt"));
    python(xarray_py, f);
}

/* ---- bad input -----------------------------------------------------------
 */

/* Runs validate and run on a bad input: both exit 2 with `want` in the
 * message, and no file appears. */
static void refused(const char *file, const char *set, const char *want)
{
    char out[512];
    snprintf(out, sizeof out, "%s/out.h5", dir);
    for (int cmd = 0; cmd < 2; cmd++) {
        const char *a[12];
        size_t n = 0;
        a[n++] = cmd ? "run" : "validate";
        a[n++] = file;
        if (set) {
            a[n++] = "--set";
            a[n++] = set;
        }
        if (cmd) {
            a[n++] = "-o";
            a[n++] = out;
        }
        a[n] = NULL;
        int rc = aims(a);
        char *err = slurp("err.txt");
        cr_assert_eq(rc, 2, "%s: exit %d: %s", a[0], rc, err);
        cr_assert(strstr(err, want), "%s: expected '%s' in: %s", a[0], want,
                  err);
        cr_assert_eq(access(out, F_OK), -1);
        assert_no_output();
    }
}

Test(cli, unknown_key_gets_did_you_mean, .init = make_dir,
     .fini = remove_dir)
{
    refused(FIX("bad_unknown_key.cfg"),
            NULL, "bad_unknown_key.cfg:28: enterprises.sectors.[0].bass_qq: "
                  "unknown key (did you mean 'bass_q'?)");
}

Test(cli, wrong_type_names_file_line_key, .init = make_dir,
     .fini = remove_dir)
{
    refused(FIX("bad_wrong_type.cfg"), NULL,
            "bad_wrong_type.cfg:5: scenario.horizon_months: expected an "
            "integer");
}

Test(cli, out_of_range_names_file_line_key, .init = make_dir,
     .fini = remove_dir)
{
    refused(FIX("bad_range.cfg"), NULL,
            "bad_range.cfg:28: enterprises.sectors.[0].bass_p: expected a "
            "number in [0, 100], got -0.05");
}

Test(cli, truncating_integer_is_refused, .init = make_dir,
     .fini = remove_dir)
{
    refused(FIX("bad_truncated.cfg"), NULL, "bad_truncated.cfg:25:");
    refused(FIX("bad_truncated.cfg"), NULL, "5000000000");
}

Test(cli, dangling_vendor_reference, .init = make_dir, .fini = remove_dir)
{
    refused(FIX("bad_vendor_ref.cfg"), NULL,
            "bad_vendor_ref.cfg:17: intermediaries.[0].hosts.[0]: no vendor "
            "'opneai' (did you mean 'openai'?)");
}

Test(cli, dangling_intermediary_reference, .init = make_dir,
     .fini = remove_dir)
{
    refused(FIX("bad_inter_ref.cfg"), NULL,
            "bad_inter_ref.cfg:38: timeline.[0].intermediary: no "
            "intermediary 'azure_cn'");
}

Test(cli, set_of_a_path_that_does_not_exist, .init = make_dir,
     .fini = remove_dir)
{
    refused(FIX("tiny.cfg"), "enterprises.cuont=5",
            "--set enterprises.cuont=5: no setting 'enterprises.cuont'");
}

Test(cli, set_with_a_bad_value, .init = make_dir, .fini = remove_dir)
{
    refused(FIX("tiny.cfg"), "enterprises.sectors.[0].bass_q=-1",
            "--set enterprises.sectors.[0].bass_q=-1: "
            "enterprises.sectors.[0].bass_q: expected a number");
}

Test(cli, unreadable_file, .init = make_dir, .fini = remove_dir)
{
    refused(FIX("no_such_file.cfg"), NULL,
            "no_such_file.cfg: cannot read: No such file or directory");
    refused(AIMS_SOURCE_DIR "/tests/fixtures", NULL, "fixtures: cannot read");
}

Test(cli, bad_options_exit_2, .init = make_dir, .fini = remove_dir)
{
    const char *a[] = {"run", FIX("tiny.cfg"), "-r", "zero", NULL};
    cr_assert_eq(aims(a), 2);
    cr_assert(strstr(slurp("err.txt"), "-r: 'zero' is not a positive integer"));
    const char *b[] = {"run", FIX("tiny.cfg"), "--frobnicate", NULL};
    cr_assert_eq(aims(b), 2);
    const char *c[] = {"frobnicate", NULL};
    cr_assert_eq(aims(c), 2);
    const char *d[] = {NULL};
    cr_assert_eq(aims(d), 2);
    assert_no_output();
}

Test(cli, absurd_population_refused_up_front, .init = make_dir,
     .fini = remove_dir)
{
    char out[512];
    snprintf(out, sizeof out, "%s/big.h5", dir);
    /* The largest count the schema allows, two at once: some 40 GiB. */
    const char *a[] = {"run",  FIX("tiny.cfg"),
                       "--set", "enterprises.count=100000000",
                       "-j",   "2",
                       "-r",   "2",
                       "-o",   out,
                       NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(aims(a), 2, "%s", slurp("err.txt"));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert(strstr(slurp("err.txt"), "GiB"), "%s", slurp("err.txt"));
    cr_assert_lt(t1.tv_sec - t0.tv_sec, 10);
    assert_no_output();
}

/* ---- the file system and signals ----------------------------------------
 */

Test(cli, existing_output_is_kept_without_force, .init = make_dir,
     .fini = remove_dir)
{
    char out[512];
    snprintf(out, sizeof out, "%s/keep.h5", dir);
    FILE *f = fopen(out, "w");
    fputs("precious", f);
    fclose(f);
    const char *a[] = {"run", FIX("tiny.cfg"), "-o", out, NULL};
    cr_assert_eq(aims(a), 2);
    cr_assert(strstr(slurp("err.txt"), "exists (use --force"), "%s",
              slurp("err.txt"));
    f = fopen(out, "r");
    char buf[16] = {0};
    cr_assert_eq(fread(buf, 1, 15, f), 8u);
    fclose(f);
    cr_assert_str_eq(buf, "precious");
}

Test(cli, missing_output_directory, .init = make_dir, .fini = remove_dir)
{
    char out[512];
    snprintf(out, sizeof out, "%s/no/such/dir/x.h5", dir);
    const char *a[] = {"run", FIX("tiny.cfg"), "-o", out, NULL};
    int rc = aims(a);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(slurp("err.txt"), "cannot create"), "%s",
              slurp("err.txt"));
}

static void interrupted(int sig)
{
    char out[512];
    snprintf(out, sizeof out, "%s/big.h5", dir);
    const char *a[] = {"run", AIMS_SOURCE_DIR "/scenarios/baseline.cfg",
                       "--set", "enterprises.count=100000", "-r", "50", "-o",
                       out, "-j", "2", NULL};
    pid_t pid = start(a);
    /* well inside the run, past the set-up */
    nanosleep(&(struct timespec){.tv_sec = 1, .tv_nsec = 500000000}, NULL);
    cr_assert_eq(kill(pid, sig), 0);
    int rc = finish(pid);
    cr_assert_eq(rc, 128 + sig, "exit %d: %s", rc, slurp("err.txt"));
    cr_assert(strstr(slurp("err.txt"), "no file written"), "%s",
              slurp("err.txt"));
    assert_no_output();
}

Test(cli, sigint_leaves_no_file, .init = make_dir, .fini = remove_dir,
     .timeout = 120)
{
    interrupted(SIGINT);
}

Test(cli, sigterm_leaves_no_file, .init = make_dir, .fini = remove_dir,
     .timeout = 120)
{
    interrupted(SIGTERM);
}

/* ---- the memory estimate -------------------------------------------------
 */

/* mkt_memory_estimate for the scenario at `path` with `count` enterprises,
 * in MiB. */
static double estimate_mib(const char *path, const char *count,
                           const char *const *more)
{
    sim_err err = {0};
    scen_doc *d = NULL;
    mkt_params *p = NULL;
    cr_assert_eq(scen_load(path, &d, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(scen_set(d, count, &err), SIM_OK, "%s", err.msg);
    for (size_t k = 0; more && more[k]; k++)
        cr_assert_eq(scen_set(d, more[k], &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(mkt_load(d, &p, &err), SIM_OK, "%s", err.msg);
    double mib = mkt_memory_estimate(p) / (1024.0 * 1024.0);
    mkt_params_free(p);
    scen_free(d);
    return mib;
}

/* The peak a release build of aims reports for one replication, in MiB (the
 * sanitized build's shadow memory would swamp it). */
static double measured_mib(const char *path, const char *count,
                           const char *const *more)
{
    char cmd[4096], sets[2048] = "";
    for (size_t k = 0; more && more[k]; k++) {
        size_t len = strlen(sets);
        snprintf(sets + len, sizeof sets - len, " --set %s", more[k]);
    }
    snprintf(cmd, sizeof cmd,
             "%s/aims run %s -o %s/m.h5 --force -r 1 -j 1 --set %s%s "
             ">%s/out.txt 2>%s/err.txt",
             AIMS_RELEASE_DIR, path, dir, count, sets, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", slurp("err.txt"));
    const char *s = strstr(slurp("err.txt"), "peak memory ");
    cr_assert_not_null(s, "%s", slurp("err.txt"));
    return atof(s + strlen("peak memory "));
}

/* An upper bound at every size, on the baseline, on its worst case (every
 * enterprise with two events pending) and on the baseline with three options
 * per firm (multi-homing: three seat records per firm and the firm's own
 * arrays); and not a loose one where the scenario cannot reach it: within
 * the ratio of the per-enterprise bounds, two events against the one the
 * baseline mostly has ((88 + 2 x 52) / (88 + 52)). */
Test(cli, the_memory_estimate_bounds_the_peak_at_every_size,
     .init = make_dir, .fini = remove_dir, .timeout = 300)
{
    const char *scen[] = {AIMS_SOURCE_DIR "/scenarios/baseline.cfg",
                          FIX("all_gray.cfg"),
                          AIMS_SOURCE_DIR "/scenarios/baseline.cfg"};
    const char *multihoming[] = {"enterprises.sectors.[0].choice.max_options=3",
                                 "enterprises.sectors.[1].choice.max_options=3",
                                 "enterprises.sectors.[2].choice.max_options=3",
                                 "enterprises.sectors.[3].choice.max_options=3",
                                 NULL};
    const char *const *more[] = {NULL, NULL, multihoming};
    const char *sizes[] = {"enterprises.count=1000",
                           "enterprises.count=30000",
                           "enterprises.count=300000"};
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < 3; k++) {
            double est = estimate_mib(scen[s], sizes[k], more[s]);
            double got = measured_mib(scen[s], sizes[k], more[s]);
            cr_assert_geq(est, got, "%s%s, %s: estimate %.1f MiB, peak %.1f",
                          scen[s], more[s] ? " (max_options 3)" : "",
                          sizes[k], est, got);
            if (s == 0 && k == 2)
                cr_assert_leq(est, 1.38 * got + 40,
                              "%s, %s: estimate %.1f MiB for a peak of %.1f",
                              scen[s], sizes[k], est, got);
        }
}

/* ---- conventional command lines (issue 15) -------------------------------
 */

/* The replications a run file holds, by `aims show`. */
static long stored_reps(const char *file)
{
    const char *a[] = {"show", file, NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    const char *at = strstr(slurp("out.txt"), "\nreplications: ");
    cr_assert_not_null(at, "%s", slurp("out.txt"));
    return strtol(at + 15, NULL, 10);
}

Test(cli, getopt_forms_attached_values_long_equals_and_combined_flags,
     .init = make_dir, .fini = remove_dir, .timeout = 60)
{
    char out[512];
    snprintf(out, sizeof out, "%s/r.h5", dir);
    const char *a[] = {"run", FIX("tiny.cfg"), "-r2", "-q", "-o", out, NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    cr_assert_eq(stored_reps(out), 2);
    /* --replications=3 and -qf (quiet + force over the file just made);
     * an option after the operand works too. */
    const char *b[] = {"run", "--replications=3", "-qf", "-o", out,
                       FIX("tiny.cfg"), NULL};
    cr_assert_eq(aims(b), 0, "%s", slurp("err.txt"));
    cr_assert_str_eq(slurp("out.txt"), ""); /* -q: nothing at all */
    cr_assert_str_eq(slurp("err.txt"), "");
    cr_assert_eq(stored_reps(out), 3);
    const char *c[] = {"run", FIX("tiny.cfg"), "--output=" , NULL};
    cr_assert_eq(aims(c), 2);
}

Test(cli, help_cmd_prints_that_commands_help, .init = make_dir,
     .fini = remove_dir)
{
    static char help[65536];
    const char *a[] = {"help", "run", NULL};
    cr_assert_eq(aims(a), 0);
    strcpy(help, slurp("out.txt"));
    cr_assert(strncmp(help, "usage: aims run SCENARIO.cfg", 28) == 0, "%s",
              help);
    cr_assert(strstr(help, "--replications") && strstr(help, "-d, --dir"));
    cr_assert_null(strstr(help, "usage: aims COMMAND"));
    const char *b[] = {"run", "--help", NULL};
    cr_assert_eq(aims(b), 0);
    cr_assert_str_eq(slurp("out.txt"), help); /* one text per command */
    /* Every command has its own help, and the list names them all. */
    const char *cmds[] = {"validate", "params", "diff", "report", "compare",
                          "show", "sweep", "merge", "sensitivity"};
    const char *l[] = {"help", NULL};
    cr_assert_eq(aims(l), 0);
    strcpy(help, slurp("out.txt"));
    for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
        const char *h[] = {"help", cmds[k], NULL};
        cr_assert_eq(aims(h), 0, "%s", cmds[k]);
        char want[64];
        snprintf(want, sizeof want, "usage: aims %s ", cmds[k]);
        cr_assert(strncmp(slurp("out.txt"), want, strlen(want)) == 0,
                  "%s: %s", cmds[k], slurp("out.txt"));
        snprintf(want, sizeof want, "\n  %s ", cmds[k]);
        cr_assert(strstr(help, want), "aims help lacks %s", cmds[k]);
    }
    /* ... and the environment variables aims reads. */
    cr_assert(strstr(help, "SLURM_CPUS_PER_TASK") &&
              strstr(help, "AIMS_READ_TIMEOUT") && strstr(help, "AIMS_ENGINE"));
}

Test(cli, a_bad_value_is_one_line_pointing_at_the_commands_help,
     .init = make_dir, .fini = remove_dir)
{
    const char *a[] = {"run", FIX("tiny.cfg"), "-r", "x", NULL};
    cr_assert_eq(aims(a), 2);
    cr_assert_str_eq(slurp("err.txt"),
                     "aims: run: -r: 'x' is not a positive integer (see "
                     "'aims help run')\n");
    cr_assert_str_eq(slurp("out.txt"), "");
    const char *b[] = {"sweep", "x.cfg", "--threads=0", NULL};
    cr_assert_eq(aims(b), 2);
    cr_assert_str_eq(slurp("err.txt"), "aims: sweep: -j: '0' is less than 1 "
                                       "(see 'aims help sweep')\n");
    const char *c[] = {"report", "--tsv", "x.h5", NULL};
    cr_assert_eq(aims(c), 2);
    cr_assert_str_eq(slurp("err.txt"), "aims: report: unknown option "
                                       "'--tsv' (see 'aims help report')\n");
    assert_no_output();
}

Test(cli, results_on_stdout_messages_on_stderr, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
    char out[512];
    snprintf(out, sizeof out, "%s/r.h5", dir);
    const char *a[] = {"run", FIX("tiny.cfg"), "-r", "2", "-o", out, NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    char *o = slurp("out.txt");
    /* stdout: the summary table only, no message line. */
    cr_assert(strstr(o, "final frontier access share"), "%s", o);
    cr_assert_null(strstr(o, "aims:"), "%s", o);
    cr_assert_null(strstr(o, "wrote"), "%s", o);
    /* stderr: every line a message starting "aims: ". */
    char *e = slurp("err.txt");
    cr_assert(strncmp(e, "aims: wrote ", 12) == 0, "%s", e);
    for (char *l = e; *l; l = strchr(l, '\n') + 1)
        cr_assert(strncmp(l, "aims: ", 6) == 0, "line without aims: %s", l);
}

/* scripts/h5same with data set paths (bench/scale-bench's comparison of an
 * old file with a newer one that has more): those paths compared alone, the
 * scales' lists of attached data sets aside; a changed value still found;
 * an unknown path is "cannot compare" (2). */
Test(cli, h5same_compares_the_named_data_sets_of_a_file_with_more,
     .init = make_dir, .fini = remove_dir, .timeout = 120)
{
    if (!have_python("h5py"))
        cr_skip_test("python3-h5py is not installed");
    char out[512], cmd[4096];
    snprintf(out, sizeof out, "%s/a.h5", dir);
    const char *a[] = {"run", FIX("tiny.cfg"), "-r", "2", "-o", out, NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    const char *py = AIMS_SOURCE_DIR "/tests/py/extend_runfile.py";
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s %s/a.h5 %s/more.h5 && "
             "/usr/bin/python3 %s %s/a.h5 %s/changed.h5 /series/payments",
             py, dir, dir, py, dir, dir);
    cr_assert_eq(system(cmd), 0);
    /* h5same A B [sets of A], status only */
    char list[1024];
    snprintf(list, sizeof list,
             "$(h5ls -r %s/a.h5 | awk '$2 == \"Dataset\" { print $1 }')", dir);
    const char *cases[][3] = {{"more.h5", "", "1"},
                              {"more.h5", list, "0"},
                              {"changed.h5", list, "1"},
                              {"more.h5", "/no/such/set", "2"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        snprintf(cmd, sizeof cmd,
                 "%s/scripts/h5same %s/a.h5 %s/%s %s >%s/diff.txt 2>&1",
                 AIMS_SOURCE_DIR, dir, dir, cases[k][0], cases[k][1], dir);
        int rc = system(cmd);
        cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == atoi(cases[k][2]),
                  "h5same a.h5 %s %s: status %d, expected %s: %s",
                  cases[k][0], cases[k][1][0] ? "(its data sets)" : "",
                  WEXITSTATUS(rc), cases[k][2], slurp("diff.txt"));
    }
}

/* The summary's revenue table: one unit for the table, named in its
 * heading, chosen so that its largest value is at least 1 and below 1000 of
 * it (or plain USD below 1000), and no value in exponent notation. */
Test(cli, the_revenue_table_has_one_unit_and_no_exponents, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
    char out[512];
    snprintf(out, sizeof out, "%s/r.h5", dir);
    const char *a[] = {"run", FIX("tiny.cfg"), "-r", "2", "-o", out, NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    char *o = slurp("out.txt");
    char *t = strstr(o, "cumulative revenue over ");
    cr_assert_not_null(t, "%s", o);
    char unit[32] = "";
    cr_assert_eq(sscanf(strchr(t, '(') + 1, "%31[^)]", unit), 1, "%s", t);
    cr_assert(strcmp(unit, "USD") == 0 || strcmp(unit, "USD thousand") == 0 ||
                  strcmp(unit, "USD million") == 0 ||
                  strcmp(unit, "USD billion") == 0,
              "unit '%s'", unit);
    double largest = 0;
    int rows = 0;
    for (char *l = strchr(t, '\n') + 1; strncmp(l, "    ", 4) == 0;
         l = strchr(l, '\n') + 1) {
        char *end = strchr(l, '\n');
        cr_assert_not_null(end);
        *end = '\0';
        cr_assert_null(strstr(l, "e+"), "an exponent: %s", l);
        char name[64];
        double m = 0;
        cr_assert_eq(sscanf(l, "%63s %lf", name, &m), 2, "%s", l);
        largest = fabs(m) > largest ? fabs(m) : largest;
        rows++;
        *end = '\n';
    }
    cr_assert_gt(rows, 0, "no revenue rows: %s", t);
    cr_assert_lt(largest, 1000.0, "%s: largest %g", unit, largest);
    if (strcmp(unit, "USD") != 0)
        cr_assert_geq(largest, 1.0, "%s: largest %g", unit, largest);
}

Test(cli, the_default_threads_follow_the_cpu_affinity, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
    if (system("taskset -c 0 true >/dev/null 2>&1") != 0)
        cr_skip_test("taskset is not available");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "taskset -c 0 %s/aims run %s -r 4 -o %s/r.h5 >%s/out.txt "
             "2>%s/err.txt",
             AIMS_BUILD_DIR, FIX("tiny.cfg"), dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", slurp("err.txt"));
    cr_assert(strstr(slurp("err.txt"), "; 1 thread, "), "%s",
              slurp("err.txt"));
    /* With two CPUs allowed it takes two (when the machine has two). */
    if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
        snprintf(cmd, sizeof cmd,
                 "taskset -c 0,1 %s/aims run %s -r 4 -f -o %s/r.h5 "
                 ">%s/out.txt 2>%s/err.txt",
                 AIMS_BUILD_DIR, FIX("tiny.cfg"), dir, dir, dir);
        cr_assert_eq(system(cmd), 0, "%s", slurp("err.txt"));
        cr_assert(strstr(slurp("err.txt"), "; 2 threads, "), "%s",
                  slurp("err.txt"));
    }
    /* SLURM_CPUS_PER_TASK caps it. */
    snprintf(cmd, sizeof cmd,
             "SLURM_CPUS_PER_TASK=1 %s/aims run %s -r 4 -f -o %s/r.h5 "
             ">%s/out.txt 2>%s/err.txt",
             AIMS_BUILD_DIR, FIX("tiny.cfg"), dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", slurp("err.txt"));
    cr_assert(strstr(slurp("err.txt"), "; 1 thread, "), "%s",
              slurp("err.txt"));
}

/* Progress in a log: stderr to a file, --progress-interval 1, a run of a
 * few seconds (two long replications of 600 months, so the months carry
 * the progress; about 7 s on an idle machine).
 * Each line "aims: tiny: D/T replications, M/MT months, R replications/s,
 * L s left" is parsed. Steady here means two consecutive lines whose rates
 * differ by less than 9% (the program's own rule is 10% of the rate on the
 * previous line; 9% leaves room for the 4 digits printed): then the time
 * left must not have grown. The lines must show progress, and at least one
 * steady pair must occur, or the test proved nothing. */
Test(cli, progress_lines_in_a_log_never_raise_a_steady_estimate,
     .init = make_dir, .fini = remove_dir, .timeout = 180)
{
    char out[512];
    snprintf(out, sizeof out, "%s/p.h5", dir);
    const char *a[] = {"run",
                       FIX("tiny.cfg"),
                       "--set",
                       "enterprises.count=100000",
                       "--set",
                       "scenario.horizon_months=600",
                       "-r",
                       "2",
                       "-j",
                       "1",
                       "--progress-interval",
                       "1",
                       "-o",
                       out,
                       NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    char *e = slurp("err.txt");
    double rate[512], left[512];
    unsigned months[512];
    size_t n = 0;
    for (char *l = e; *l && n < 512; l = strchr(l, '\n') + 1) {
        unsigned d, t, m, mt;
        if (sscanf(l, "aims: tiny: %u/%u replications, %u/%u months, %lf "
                      "replications/s, %lf s left",
                   &d, &t, &m, &mt, &rate[n], &left[n]) == 6) {
            cr_assert_eq(t, 2u);
            cr_assert_eq(mt, 1200u);
            months[n++] = m;
        }
    }
    cr_assert_geq(n, 3u, "too few progress lines:\n%s", e);
    size_t steady = 0;
    for (size_t k = 1; k < n; k++) {
        cr_assert_geq(months[k], months[k - 1]);
        if (fabs(rate[k] - rate[k - 1]) < 0.09 * rate[k - 1]) {
            steady++;
            cr_assert_leq(left[k], left[k - 1],
                          "line %zu: time left rose from %g to %g at a "
                          "steady rate (%g, %g):\n%s",
                          k, left[k - 1], left[k], rate[k - 1], rate[k], e);
        }
    }
    cr_assert_geq(steady, 1u, "no two lines at a steady rate:\n%s", e);
    /* --progress-interval 0: no line at all. */
    const char *b[] = {"run", FIX("tiny.cfg"), "-r", "2", "-f", "-o", out,
                       "--progress-interval", "0", NULL};
    cr_assert_eq(aims(b), 0);
    cr_assert_null(strstr(slurp("err.txt"), "replications/s"));
}

/* A batch: same seed and replications for all, and each file equal to the
 * single run of its scenario with that seed and replications. */
Test(cli, a_batch_run_equals_the_single_runs, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
    if (!have_python("h5py, numpy"))
        cr_skip_test("python3-h5py is not installed");
    char bdir[512], one[2][512], batch[2][600];
    snprintf(bdir, sizeof bdir, "%s/batch", dir);
    const char *a[] = {"run", FIX("tiny.cfg"), FIX("ids.cfg"), "-d", bdir,
                       "-r", "3", "-s", "11", NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    /* Each table on stdout says whose it is. */
    cr_assert(strstr(slurp("out.txt"), "/batch/tiny.h5 (") &&
                  strstr(slurp("out.txt"), "/batch/ids.h5 ("),
              "%s", slurp("out.txt"));
    const char *names[2] = {"tiny", "ids"};
    for (int k = 0; k < 2; k++) {
        snprintf(batch[k], sizeof batch[k], "%s/%s.h5", bdir, names[k]);
        snprintf(one[k], sizeof one[k], "%s/one_%s.h5", dir, names[k]);
        char cfg[512];
        snprintf(cfg, sizeof cfg, FIX("%s.cfg"), names[k]);
        const char *s1[] = {"run", cfg, "-r", "3", "-s", "11", "-q", "-o",
                            one[k], NULL};
        cr_assert_eq(aims(s1), 0, "%s", slurp("err.txt"));
        char args[2048];
        snprintf(args, sizeof args, "%s %s", one[k], batch[k]);
        python(compare_py, args);
    }
    /* Without -s and -r the batch takes the first scenario's. */
    const char *b[] = {"run", FIX("tiny.cfg"), FIX("ids.cfg"), "-d", bdir,
                       "-f", NULL};
    cr_assert_eq(aims(b), 0, "%s", slurp("err.txt"));
    cr_assert(strstr(slurp("err.txt"), "each with seed 7 and 4 replications"),
              "%s", slurp("err.txt"));
    /* Several scenarios need -d; two that would write one file are
     * refused before anything runs. */
    const char *c[] = {"run", FIX("tiny.cfg"), FIX("ids.cfg"), NULL};
    cr_assert_eq(aims(c), 2);
    cr_assert(strstr(slurp("err.txt"), "give -d OUTDIR"));
    const char *d[] = {"run", FIX("tiny.cfg"), FIX("tiny.cfg"), "-d", bdir,
                       "-f", NULL};
    cr_assert_eq(aims(d), 2);
    cr_assert(strstr(slurp("err.txt"), "would both write"));
}

/* Timeline ids: --set by id works and is the same as by index; an unknown
 * id names the ids there are. (Duplicate and malformed ids are in the bad
 * corpus: tests/bad/timeline_*_id.cfg.) */
Test(cli, timeline_events_by_id, .init = make_dir, .fini = remove_dir,
     .timeout = 60)
{
    if (!have_python("h5py, numpy"))
        cr_skip_test("python3-h5py is not installed");
    char f[2][512];
    const char *set[2] = {"timeline.deepseek_cut.month=7",
                          "timeline.[1].month=7"};
    for (int k = 0; k < 2; k++) {
        snprintf(f[k], sizeof f[k], "%s/id%d.h5", dir, k);
        const char *a[] = {"run", FIX("ids.cfg"), "--set", set[k], "-r", "2",
                           "-q", "-o", f[k], NULL};
        cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    }
    char args[2048];
    snprintf(args, sizeof args, "%s %s", f[0], f[1]);
    python(compare_py, args);
    /* A sweep parameter may name the event by id too. */
    char sw[512];
    snprintf(sw, sizeof sw, "%s/sw.h5", dir);
    const char *c[] = {"sweep", FIX("ids_sweep.cfg"), "-o", sw, "-q", NULL};
    cr_assert_eq(aims(c), 0, "%s", slurp("err.txt"));
    const char *d[] = {"show", sw, NULL};
    cr_assert_eq(aims(d), 0, "%s", slurp("err.txt"));
    cr_assert(strstr(slurp("out.txt"),
                     "parameter 0: timeline.deepseek_cut.month"),
              "%s", slurp("out.txt"));
    const char *b[] = {"validate", FIX("ids.cfg"), "--set",
                       "timeline.nope.month=7", NULL};
    cr_assert_eq(aims(b), 2);
    cr_assert(strstr(slurp("err.txt"),
                     "no element of 'timeline' has id \"nope\"; their ids: "
                     "azure_exit, deepseek_cut"),
              "%s", slurp("err.txt"));
}

/* params, diff and show: what they print comes from the scenario and the
 * file. */
Test(cli, params_diff_and_show, .init = make_dir, .fini = remove_dir,
     .timeout = 60)
{
    const char *a[] = {"params", FIX("ids.cfg"), NULL};
    cr_assert_eq(aims(a), 0, "%s", slurp("err.txt"));
    char *o = slurp("out.txt");
    /* The range is the loader's check (horizon: [1, 1200] months; an
     * event's month: [0, horizon]). */
    cr_assert(strstr(o, "scenario.horizon_months") &&
                  strstr(o, "an integer in [1, 1200]"),
              "%s", o);
    cr_assert(strstr(o, "timeline.deepseek_cut.month"), "%s", o);
    cr_assert(strstr(o, "a number in [0, 12]"), "%s", o);
    const char *d[] = {"diff", FIX("ids.cfg"), FIX("ids.cfg"), "--csv", NULL};
    cr_assert_eq(aims(d), 0);
    cr_assert_str_eq(slurp("out.txt"), "path,a,b\n");
    const char *d2[] = {"diff", FIX("ids.cfg"), FIX("ids.cfg"), "--csv",
                        "--set", "timeline.deepseek_cut.factor=0.5", NULL};
    cr_assert_eq(aims(d2), 0); /* the same override on both: no change */
    cr_assert_str_eq(slurp("out.txt"), "path,a,b\n");
    const char *d3[] = {"diff", FIX("tiny.cfg"), FIX("ids.cfg"), NULL};
    cr_assert_eq(aims(d3), 0);
    o = slurp("out.txt");
    cr_assert(strstr(o, "timeline.deepseek_cut.factor") &&
                  strstr(o, "(absent)"),
              "%s", o);
    char out[512];
    snprintf(out, sizeof out, "%s/s.h5", dir);
    const char *r[] = {"run", FIX("ids.cfg"), "-r", "2", "-s", "5", "-q",
                       "--set", "timeline.deepseek_cut.month=9", "-o", out,
                       NULL};
    cr_assert_eq(aims(r), 0, "%s", slurp("err.txt"));
    const char *s[] = {"show", out, NULL};
    cr_assert_eq(aims(s), 0, "%s", slurp("err.txt"));
    o = slurp("out.txt");
    cr_assert(strstr(o, "\nseed: 5\n") && strstr(o, "\nreplications: 2\n") &&
                  strstr(o, "aims_version: ") &&
                  strstr(o, "# the effective scenario:"),
              "%s", o);
    /* The stored scenario is the effective one: the override is in it. */
    cr_assert(strstr(o, "month = 9.0"), "%s", o);
}

/* Every environment variable the program reads (each getenv("NAME") in the
 * sources) is named in `aims help` and in docs/cli.md. */
Test(cli, every_environment_variable_is_documented, .init = make_dir,
     .fini = remove_dir)
{
    static char help[65536], doc[65536];
    const char *a[] = {"help", NULL};
    cr_assert_eq(aims(a), 0);
    strcpy(help, slurp("out.txt"));
    FILE *d = fopen(AIMS_SOURCE_DIR "/docs/cli.md", "r");
    cr_assert_not_null(d);
    doc[fread(doc, 1, sizeof doc - 1, d)] = '\0';
    fclose(d);
    FILE *p = popen("cd '" AIMS_SOURCE_DIR "' && grep -oh 'getenv(\"[A-Z_]*\")' "
                    "cli/*.c runner/*.c sim/*.c models/*.c analysis/*.c",
                    "r");
    cr_assert_not_null(p);
    char line[256];
    size_t n = 0;
    while (fgets(line, sizeof line, p)) {
        char name[128];
        if (sscanf(line, "getenv(\"%127[A-Z_]\")", name) != 1)
            continue;
        n++;
        cr_assert(strstr(help, name), "aims help does not name %s", name);
        cr_assert(strstr(doc, name), "docs/cli.md does not name %s", name);
    }
    pclose(p);
    cr_assert_geq(n, 7u); /* the grep found them */
}
