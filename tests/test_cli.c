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

extern char **environ;

static char dir[256]; /* a fresh directory per test */

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/aims-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Starts build/san/aims with argv (NULL-ended, without the program name),
 * stdout and stderr into DIR/out.txt and DIR/err.txt. */
static pid_t start(const char *const *args)
{
    char prog[512], out[512], errp[512];
    snprintf(prog, sizeof prog, "%s/aims", AIMS_BUILD_DIR);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(errp, sizeof errp, "%s/err.txt", dir);
    char *argv[32];
    size_t n = 0;
    argv[n++] = prog;
    for (; args[n - 1]; n++) {
        cr_assert_lt(n, 31u);
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

/* The exit status, or 128 + the signal that ended it. */
static int finish(pid_t pid)
{
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int aims(const char *const *args)
{
    return finish(start(args));
}

static char *slurp(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
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
    cr_assert_neq(aims(a), 0);
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
    cr_assert(strstr(out, "wrote ") && strstr(out, "final frontier access"),
              "%s", out);
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
    cr_assert(strstr(slurp("err.txt"), "-r: expected an integer"));
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
static double estimate_mib(const char *path, const char *count)
{
    sim_err err = {0};
    scen_doc *d = NULL;
    mkt_params *p = NULL;
    cr_assert_eq(scen_load(path, &d, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(scen_set(d, count, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(mkt_load(d, &p, &err), SIM_OK, "%s", err.msg);
    double mib = mkt_memory_estimate(p) / (1024.0 * 1024.0);
    mkt_params_free(p);
    scen_free(d);
    return mib;
}

/* The peak a release build of aims reports for one replication, in MiB (the
 * sanitized build's shadow memory would swamp it). */
static double measured_mib(const char *path, const char *count)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s/aims run %s -o %s/m.h5 --force -r 1 -j 1 --set %s "
             ">%s/out.txt 2>%s/err.txt",
             AIMS_RELEASE_DIR, path, dir, count, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", slurp("err.txt"));
    const char *s = strstr(slurp("out.txt"), "peak memory ");
    cr_assert_not_null(s, "%s", slurp("out.txt"));
    return atof(s + strlen("peak memory "));
}

/* An upper bound at every size, on the baseline and on its worst case (every
 * enterprise with two events pending); and not a loose one where the scenario
 * cannot reach it: within the ratio of the per-enterprise bounds, two events
 * against the one the baseline mostly has ((88 + 2 x 52) / (88 + 52)). */
Test(cli, the_memory_estimate_bounds_the_peak_at_every_size,
     .init = make_dir, .fini = remove_dir, .timeout = 300)
{
    const char *scen[] = {AIMS_SOURCE_DIR "/scenarios/baseline.cfg",
                          FIX("all_gray.cfg")};
    const char *sizes[] = {"enterprises.count=1000",
                           "enterprises.count=30000",
                           "enterprises.count=300000"};
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 3; k++) {
            double est = estimate_mib(scen[s], sizes[k]);
            double got = measured_mib(scen[s], sizes[k]);
            cr_assert_geq(est, got, "%s, %s: estimate %.1f MiB, peak %.1f",
                          scen[s], sizes[k], est, got);
            if (s == 0 && k == 2)
                cr_assert_leq(est, 1.38 * got + 40,
                              "%s, %s: estimate %.1f MiB for a peak of %.1f",
                              scen[s], sizes[k], est, got);
        }
}
