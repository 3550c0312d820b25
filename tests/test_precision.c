/* test_precision.c -- `aims run --precision METRIC=REL`: it stops at the
 * first batch whose 95% half-width meets the target, records the outcome,
 * and does the same again on a second run.
 *
 * The half-widths are recomputed here from the file's per-replication
 * summary with GSL, independently of the command's own arithmetic: the
 * recorded one must equal the recomputation over all replications and meet
 * the target, and the recomputation one batch earlier must miss it.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <hdf5.h>
#include <math.h>
#include <spawn.h>
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

extern char **environ;

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/aims-prec-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static int run_precision(const char *out, const char *spec,
                         const char *max)
{
    char prog[512];
    snprintf(prog, sizeof prog, "%s/aims", AIMS_BUILD_DIR);
    const char *args[] = {prog,
                          "run",
                          AIMS_SOURCE_DIR "/tests/fixtures/cli/tiny.cfg",
                          "-r",
                          "4",
                          "-o",
                          out,
                          "--precision",
                          spec,
                          "--max-reps",
                          max,
                          "--quiet",
                          NULL};
    char *argv[16];
    memcpy(argv, args, sizeof args);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, prog, NULL, NULL, argv, environ), 0);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static double attr_f64(hid_t f, const char *name)
{
    double v;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    cr_assert_geq(a, 0, "no attribute %s", name);
    cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &v), 0);
    H5Aclose(a);
    return v;
}

static int64_t attr_i64(hid_t f, const char *name)
{
    int64_t v;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    cr_assert_geq(a, 0, "no attribute %s", name);
    cr_assert_geq(H5Aread(a, H5T_NATIVE_INT64, &v), 0);
    H5Aclose(a);
    return v;
}

/* The 95% t half-width and mean of x[0..n). */
static double half_width(const double *x, size_t n, double *mean)
{
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    *mean = m;
    return gsl_cdf_tdist_Pinv(0.975, (double)n - 1) *
           sqrt(ss / (double)(n - 1)) / sqrt((double)n);
}

typedef struct {
    int64_t reps, met, batches;
    double hw, target;
} outcome;

static outcome check_file(const char *path)
{
    outcome o;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "%s", path);
    o.reps = attr_i64(f, "replications");
    o.met = attr_i64(f, "precision_met");
    o.batches = attr_i64(f, "precision_batches");
    o.hw = attr_f64(f, "precision_half_width");
    o.target = attr_f64(f, "precision_target");
    double *x = calloc((size_t)o.reps, sizeof *x);
    hid_t d = H5Dopen2(f, "/summary/final_frontier_access_share", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                          H5P_DEFAULT, x),
                  0);
    H5Dclose(d);
    H5Fclose(f);
    cr_assert_eq(o.reps, 4 * o.batches, "batches of -r 4");
    double mean, hw = half_width(x, (size_t)o.reps, &mean);
    cr_assert_float_eq(o.hw, hw, 1e-12 * hw, "recorded %.17g, recomputed %.17g",
                       o.hw, hw);
    if (o.met) {
        cr_assert_leq(hw, o.target * fabs(mean));
        if (o.batches > 1) { /* and the batch before did not meet it */
            double m0, h0 = half_width(x, (size_t)o.reps - 4, &m0);
            cr_assert_gt(h0, o.target * fabs(m0),
                         "the previous batch already met the target");
        }
    } else {
        cr_assert_gt(hw, o.target * fabs(mean));
    }
    free(x);
    return o;
}

Test(precision, stops_at_the_first_batch_that_meets_the_target,
     .init = make_dir, .fini = remove_dir, .timeout = 120)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/a.h5", dir);
    snprintf(b, sizeof b, "%s/b.h5", dir);
    const char *spec = "final_frontier_access_share=0.03";
    cr_assert_eq(run_precision(a, spec, "200"), 0);
    cr_assert_eq(run_precision(b, spec, "200"), 0);
    outcome oa = check_file(a), ob = check_file(b);
    cr_assert_eq(oa.met, 1, "not met within 200 replications");
    cr_assert_gt(oa.batches, 1, "met at once: the test shows nothing");
    cr_assert_eq(oa.reps, ob.reps);
    cr_assert_eq(oa.hw, ob.hw);
}

Test(precision, unmet_target_stops_at_max_reps_and_says_so,
     .init = make_dir, .fini = remove_dir, .timeout = 120)
{
    char a[512];
    snprintf(a, sizeof a, "%s/a.h5", dir);
    cr_assert_eq(run_precision(a, "final_frontier_access_share=0.00001", "12"),
                 0);
    outcome o = check_file(a);
    cr_assert_eq(o.met, 0);
    cr_assert_eq(o.reps, 12);
    cr_assert_eq(o.batches, 3);
}

Test(precision, bad_metric_is_refused, .init = make_dir, .fini = remove_dir)
{
    char a[512];
    snprintf(a, sizeof a, "%s/a.h5", dir);
    cr_assert_eq(run_precision(a, "final_frontier=0.1", "12"), 2);
    cr_assert_eq(run_precision(a, "cumulative_revenue:nobody=0.1", "12"), 2);
    cr_assert_eq(run_precision(a, "final_frontier_access_share=-1", "12"), 2);
    cr_assert_eq(access(a, F_OK), -1);
}
