/* test_export.c -- `aims export`, analysis/aims_data.py and the netCDF
 * attributes, on real files of the sanitized aims:
 *
 *  - round trip: a run (commerce_tightening at 500 enterprises, 2
 *    replications: large accounts, tokens, dates) and a sweep with a failed
 *    point, exported six ways (all, --summaries, --series, --wide; the
 *    sweep long and --wide), read back with pandas: every value of the HDF5
 *    file at the row its coordinates name, equal as a double, nothing else;
 *    aims_data.tidy() equal to each table; R's read.csv giving the same
 *    doubles (skipped without Rscript). tests/py/check_export.py does the
 *    comparing;
 *  - every data set of a run file and of sweep files (one after `aims
 *    sensitivity`) has long_name, units where it holds numbers, and
 *    integer flag_values (tests/py/check_attrs.py); ncdump -h shows them as
 *    integers (skipped without netcdf-bin);
 *  - docs/example_analysis.py runs on both files;
 *  - bad input: one line naming the file, exit 2, nothing at -o and no
 *    hidden leftovers; an existing output only with --force.
 *
 * Skipped when /usr/bin/python3 lacks h5py, xarray, h5netcdf or pandas
 * (scripts/install-deps installs them).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
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

#include "spawn.h"

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define AIMS AIMS_BUILD_DIR "/aims"
#define PYTHON "/usr/bin/python3"
#define RSCRIPT "/usr/bin/Rscript"
#define NCDUMP "/usr/bin/ncdump"
#define SRC(p) AIMS_SOURCE_DIR "/" p

static void make_dir(void)
{
    spawn_make_dir("/tmp/aims-export-XXXXXX");
}

static void remove_dir(void)
{
    spawn_remove_dir();
}

TestSuite(export, .init = make_dir, .fini = remove_dir, .timeout = 240);

static void need_python(void)
{
    if (access(PYTHON, X_OK) != 0 ||
        system(PYTHON " -c 'import h5py, xarray, h5netcdf, pandas' "
                      ">/dev/null 2>&1") != 0)
        cr_skip_test(PYTHON " lacks h5py, xarray, h5netcdf or pandas "
                            "(scripts/install-deps installs them)");
}

/* The run file of these tests, DIR/run.h5. */
static const char *make_run(void)
{
    const char *out = in_dir("run.h5");
    const char *a[] = {"run", SRC("scenarios/commerce_tightening.cfg"),
                       "-r", "2", "--set", "enterprises.count=500", "-o",
                       out, "--quiet", NULL};
    cr_assert_eq(spawn(AIMS, a), 0, "aims run: %s", slurp("err.txt"));
    return out;
}

/* The sweep file, DIR/sweep.h5: one of its three points fails (exit 1). */
static const char *make_sweep(void)
{
    const char *out = in_dir("sweep.h5");
    const char *a[] = {"sweep", SRC("tests/fixtures/sweeprun/export.cfg"),
                       "-o", out, "--quiet", "-j", "2", NULL};
    int rc = spawn(AIMS, a);
    cr_assert_eq(rc, 1, "aims sweep exit %d (want 1: a point fails): %s", rc,
                 slurp("err.txt"));
    cr_assert_eq(access(out, F_OK), 0, "no sweep file: %s", slurp("err.txt"));
    return out;
}

/* aims export in -o DIR/name.csv with up to two options. */
static void export_to(const char *in, const char *name, const char *o1,
                      const char *o2)
{
    char csv[128];
    snprintf(csv, sizeof csv, "%s.csv", name);
    const char *a[] = {"export", in, "-o", in_dir(csv), o1, o2, NULL};
    int rc = spawn(AIMS, a);
    cr_assert_eq(rc, 0, "aims export %s: exit %d: %s", name, rc,
                 slurp("err.txt"));
    cr_expect(strstr(slurp("err.txt"), "wrote") != NULL,
              "aims export says nothing of what it wrote");
}

/* The six tables of run and sweep, checked by check_export.py (with R's
 * reading of two of them when r). */
static void round_trip(const char *run, const char *sweep, bool r);

Test(export, round_trip_pandas_tidy_and_r)
{
    need_python();
    round_trip(make_run(), make_sweep(), access(RSCRIPT, X_OK) == 0);
}

/* tiny.cfg has no large accounts: account_option has no values, and the
 * table no account column. */
Test(export, round_trip_without_large_accounts)
{
    need_python();
    const char *run = in_dir("run.h5");
    const char *a[] = {"run", SRC("tests/fixtures/cli/tiny.cfg"), "-r", "2",
                       "-o", run, "--quiet", NULL};
    cr_assert_eq(spawn(AIMS, a), 0, "aims run: %s", slurp("err.txt"));
    round_trip(run, make_sweep(), false);
    char *head = slurp("run.csv"); /* its header line */
    head[strcspn(head, "\n")] = '\0';
    cr_expect(strstr(head, "account") == NULL,
              "an account column without accounts: %s", head);
}

static void round_trip(const char *run, const char *sweep, bool r)
{
    export_to(run, "run", NULL, NULL);
    export_to(run, "run_summaries", "--summaries", NULL);
    export_to(run, "run_series", "--series", NULL);
    export_to(run, "run_wide", "--wide", NULL);
    export_to(sweep, "sweep", NULL, NULL);
    export_to(sweep, "sweep_wide", "--wide", NULL);
    if (r) {
        const char *files[][2] = {{"run.csv", "r_run.txt"},
                                  {"sweep.csv", "r_sweep.txt"}};
        for (size_t i = 0; i < 2; i++) {
            const char *a[] = {SRC("tests/r/read_export.R"),
                               in_dir(files[i][0]), in_dir(files[i][1]),
                               NULL};
            cr_assert_eq(spawn(RSCRIPT, a), 0, "Rscript: %s",
                         slurp("err.txt"));
        }
    } else if (access(RSCRIPT, X_OK) != 0) {
        cr_log_warn("no " RSCRIPT ": R's read.csv not checked "
                    "(scripts/install-deps installs r-base-core)");
    }
    const char *a[] = {SRC("tests/py/check_export.py"), run, sweep, dir,
                       r ? "--r" : NULL, dir, NULL};
    int rc = spawn(PYTHON, a);
    cr_assert_eq(rc, 0, "check_export.py: %s", slurp("err.txt"));
    const char *out = slurp("out.txt");
    cr_expect(strstr(out, "tidy() equals all six tables") != NULL, "%s", out);
    if (r)
        cr_expect(strstr(out, "R's read.csv") != NULL, "%s", out);
}

Test(export, every_data_set_has_units_and_long_name)
{
    need_python();
    const char *run = make_run(), *sweep = make_sweep();
    const char *sobol = in_dir("sobol.h5");
    const char *s[] = {"sweep", SRC("tests/fixtures/cli/tiny_sobol.cfg"),
                       "-o", sobol, "--quiet", "-j", "2", NULL};
    cr_assert_eq(spawn(AIMS, s), 0, "sobol sweep: %s", slurp("err.txt"));
    const char *sens[] = {"sensitivity", sobol, "--bootstrap", "50", NULL};
    cr_assert_eq(spawn(AIMS, sens), 0, "sensitivity: %s", slurp("err.txt"));
    const char *a[] = {SRC("tests/py/check_attrs.py"), run, sweep, sobol,
                       NULL};
    int rc = spawn(PYTHON, a);
    cr_assert_eq(rc, 0, "check_attrs.py: %s", slurp("err.txt"));
    if (access(NCDUMP, X_OK) != 0) {
        cr_log_warn("no " NCDUMP " (netcdf-bin): ncdump -h not checked");
        return;
    }
    /* netCDF's own reader sees the flags as integers and the units. */
    const char *nc[] = {"-h", sweep, NULL};
    cr_assert_eq(spawn(NCDUMP, nc), 0, "ncdump: %s", slurp("err.txt"));
    const char *o = slurp("out.txt");
    cr_expect(strstr(o, "status:flag_values = 0LL, 1LL, 2LL ;") != NULL, "%s",
              o);
    cr_expect(strstr(o, "months_to_half_access:units = \"months\"") != NULL,
              "%s", o);
    const char *nr[] = {"-h", run, NULL};
    cr_assert_eq(spawn(NCDUMP, nr), 0, "ncdump: %s", slurp("err.txt"));
    o = slurp("out.txt");
    cr_expect(strstr(o, "account_option:flag_values = -1LL, -2LL ;") != NULL,
              "%s", o);
}

Test(export, example_script_runs)
{
    need_python();
    const char *run = make_run(), *sweep = make_sweep();
    const char *a[] = {SRC("docs/example_analysis.py"), run, sweep, NULL};
    int rc = spawn(PYTHON, a);
    cr_assert_eq(rc, 0, "example_analysis.py: %s", slurp("err.txt"));
    cr_expect(strstr(slurp("out.txt"), "final_frontier_access_share") != NULL,
              "%s", slurp("out.txt"));
}

/* Nothing but the given names in DIR (no output, no hidden staging). */
static void only_files(const char *const *keep)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        bool ok = false;
        for (const char *const *k = keep; *k; k++)
            ok = ok || strcmp(e->d_name, *k) == 0;
        cr_expect(ok, "left behind: %s/%s", dir, e->d_name);
    }
    closedir(d);
}

/* aims export ARGS: exit 2, one line on stderr starting "aims: " holding
 * want. */
static void refused(const char *const *args, const char *want)
{
    int rc = spawn(AIMS, args);
    const char *e = slurp("err.txt");
    cr_expect_eq(rc, 2, "exit %d for %s: %s", rc, args[1], e);
    cr_expect(strncmp(e, "aims: ", 6) == 0, "no aims: prefix: %s", e);
    const char *nl = strchr(e, '\n');
    cr_expect(nl != NULL && nl[1] == '\0', "not one line: %s", e);
    cr_expect(strstr(e, want) != NULL, "'%s' not in: %s", want, e);
}

Test(export, bad_input_one_line_no_file)
{
    const char *run = make_run();
    const char *csv = in_dir("out.csv");
    const char *notes = in_dir("notes.h5");
    FILE *f = fopen(notes, "w");
    cr_assert_not_null(f);
    fputs("not an HDF5 file\n", f);
    fclose(f);
    /* A truncated copy of the run file. */
    const char *cut = in_dir("cut.h5");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "head -c 4000 '%s' > '%s'", run, cut);
    cr_assert_eq(system(cmd), 0);
    const char *missing = in_dir("missing.h5");
    const char *a1[] = {"export", missing, "-o", csv, NULL};
    refused(a1, missing);
    const char *a2[] = {"export", notes, "-o", csv, NULL};
    refused(a2, notes);
    const char *a3[] = {"export", cut, "-o", csv, NULL};
    refused(a3, cut);
    const char *a4[] = {"export", run, "--wide", "--series", "-o", csv, NULL};
    refused(a4, "summaries only");
    const char *a5[] = {"export", run, "--bogus", NULL};
    refused(a5, "--bogus");
    const char *a6[] = {"export", run, "-o", run, "--force", NULL};
    refused(a6, "input");
    const char *keep[] = {"run.h5", "notes.h5", "cut.h5", "out.txt",
                          "err.txt", NULL};
    only_files(keep);

    /* A sweep has no series. */
    const char *sweep = make_sweep();
    const char *a7[] = {"export", sweep, "--series", "-o", csv, NULL};
    refused(a7, "no monthly series");
    const char *keep2[] = {"run.h5", "notes.h5", "cut.h5", "out.txt",
                           "err.txt", "sweep.h5", NULL};
    only_files(keep2);
}

Test(export, existing_output_only_with_force)
{
    const char *run = make_run();
    const char *csv = in_dir("t.csv");
    FILE *f = fopen(csv, "w");
    cr_assert_not_null(f);
    fputs("mine\n", f);
    fclose(f);
    const char *a[] = {"export", run, "--summaries", "-o", csv, NULL};
    refused(a, "exists");
    cr_expect_str_eq(slurp("t.csv"), "mine\n");
    const char *b[] = {"export", run, "--summaries", "-o", csv, "-f", NULL};
    cr_assert_eq(spawn(AIMS, b), 0, "%s", slurp("err.txt"));
    cr_expect(strncmp(slurp("t.csv"), "scenario,replication,variable,", 30) ==
                  0,
              "%s", slurp("t.csv"));
    /* To stdout, the same table, and nothing on stderr. */
    const char *c[] = {"export", run, "--summaries", NULL};
    cr_assert_eq(spawn(AIMS, c), 0, "%s", slurp("err.txt"));
    cr_expect_str_eq(slurp("err.txt"), "");
    char *want = strdup(slurp("t.csv"));
    cr_expect_str_eq(slurp("out.txt"), want);
    free(want);
}

/* Whether DIR holds a hidden file (a staging file: .NAME.tmp.PID...). */
static bool hidden_file(void)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    bool found = false;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        found = found || (e->d_name[0] == '.' && strcmp(e->d_name, ".") &&
                          strcmp(e->d_name, ".."));
    closedir(d);
    return found;
}

/* SIGTERM to the parent alone (kill PID, as a batch system sends it) while
 * the guarded child is writing its staging file: the parent hands the
 * signal to the child, reaps it and removes the stage, so nothing but the
 * input is left and the exit status is 128 + SIGTERM. (Before, the parent
 * died at once and the child's hidden staging file stayed.) */
Test(export, sigterm_to_the_parent_leaves_no_staging_file)
{
    const char *run = in_dir("run.h5");
    const char *r[] = {"run", SRC("scenarios/commerce_tightening.cfg"), "-r",
                       "8", "-o", run, "--quiet", NULL};
    cr_assert_eq(spawn(AIMS, r), 0, "aims run: %s", slurp("err.txt"));
    const char *args[] = {AIMS, "export", run, "-o", in_dir("run.csv"), NULL};
    char *argv[6];
    memcpy(argv, args, sizeof argv); /* drop const, as spawn() does */
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, AIMS, NULL, NULL, argv, environ), 0);
    struct timespec nap = {0, 2000000};
    int st;
    bool staged = false;
    for (int i = 0; i < 20000 && !staged; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            cr_skip_test("the export finished before its stage was seen");
        staged = hidden_file();
        if (!staged)
            nanosleep(&nap, NULL);
    }
    cr_assert(staged, "no staging file appeared within 40 s");
    cr_assert_eq(kill(pid, SIGTERM), 0);
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    cr_expect_eq(rc, 128 + SIGTERM, "exit %d", rc);
    const char *keep[] = {"run.h5", "out.txt", "err.txt", NULL};
    only_files(keep);
}
