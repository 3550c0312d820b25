/* test_mmc.c -- the engine validated against queueing theory, and build/mmc's
 * command line.
 *
 * Tolerances are derived, not fitted:
 *  - Each estimate comes with a batch-means 95% half-width h = t_{0.975, b-1} s
 * / sqrt(b). A check that the estimate is within h of the closed form fails 5%
 * of the time when all is well, far too often for a suite of 100 checks. So
 * each check widens h to the two-sided level alpha = 0.001 / (number of checks)
 * (Bonferroni: the whole grid fails by chance with probability <= 0.001):
 * tolerance = h * t_{1 - alpha/2, b-1} / t_{0.975, b-1}.
 *  - The intervals themselves must be honest, neither too narrow nor too wide:
 * over R independent replications of one system, the number of 95% intervals
 * that miss the truth is Binomial(R, 0.05), and the mean half-width over t must
 * match the spread of the R estimates, whose sample variance is sigma^2
 * chi2(R-1) / (R-1). Each check accepts its central 99.9%. Run lengths are set
 * so that batch means are nearly normal, which the t interval assumes:
 *  - customers grow with the load, so batches stay long against the relaxation
 * time (about 1 / (mu (1 - sqrt rho))^2 for M/M/1: 1,500 time units at rho =
 * 0.95);
 *  - every batch holds at least 100 customers who waited (customers >= 100 * 2k
 * / P(wait), k = 20), else Wq's batch means are sums of a handful of waits and
 * badly skewed: at c = 10, rho = 0.3, P(wait) = 0.0012, and 200,000 customers
 * gave 90% coverage.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "mmc.h"

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif

static const double loads[] = {0.3, 0.5, 0.7, 0.9, 0.95};
enum { NLOADS = 5, NSERVERS = 4, NMETRICS = 6 };
/* 4 server counts x 5 loads x (5 closed forms + Little's law on the sample
 * path). */
static const double grid_checks = NSERVERS * NLOADS * NMETRICS;

static uint64_t customers_for(const mmc_params *p)
{
    double rho = p->lambda / (p->servers * p->mu);
    uint64_t by_load = rho < 0.6    ? 200000
                       : rho < 0.8  ? 400000
                       : rho < 0.92 ? 1000000
                                    : 2000000;
    double by_waits = ceil(100.0 * 2 * 20 / mmc_exact_values(p).p_wait);
    return by_waits > (double)by_load ? (uint64_t)by_waits : by_load;
}

static double widen(unsigned batches)
{
    double alpha = 0.001 / grid_checks;
    double df = batches - 1.0;
    return gsl_cdf_tdist_Pinv(1 - alpha / 2, df) /
           gsl_cdf_tdist_Pinv(0.975, df);
}

static void check(const char *what, const mmc_params *p, mmc_estimate e,
                  double exact)
{
    cr_assert(e.batches >= 2 && isfinite(e.ci95), "%s: no interval", what);
    double tol = e.ci95 * widen(e.batches);
    cr_expect_leq(fabs(e.value - exact), tol,
                  "c=%u rho=%.2f %s: estimate %.6g, exact %.6g, |diff| %.3g > "
                  "tolerance %.3g "
                  "(95%% half-width %.3g, %u batches)",
                  p->servers, p->lambda / (p->servers * p->mu), what, e.value,
                  exact, fabs(e.value - exact), tol, e.ci95, e.batches);
}

static void validate(uint32_t c)
{
    gsl_set_error_handler_off();
    for (int i = 0; i < NLOADS; i++) {
        double rho = loads[i];
        mmc_params p = {.lambda = rho * c * 1.3,
                        .mu = 1.3,
                        .servers = c,
                        .customers = 1,
                        .seed = 2385 + 100 * c + i};
        p.customers = customers_for(&p);
        p.warmup = p.customers / 10;
        mmc_result r;
        sim_err err = {0};
        cr_assert_eq(mmc_run(&p, &r, &err), SIM_OK, "%s", err.msg);
        mmc_exact x = mmc_exact_values(&p);
        check("utilization", &p, r.utilization, x.utilization);
        check("Wq (Erlang C)", &p, r.mean_wait, x.mean_wait);
        check("Lq (Erlang C)", &p, r.mean_queue_length, x.mean_queue_length);
        check("W", &p, r.mean_system_time, x.mean_system_time);
        check("L", &p, r.mean_in_system, x.mean_in_system);
        /* Little's law on the sample path: L against lambda * W, both
         * estimated. Their errors are positively correlated, so adding the
         * half-widths in quadrature is conservative. */
        mmc_estimate little = {
            r.mean_in_system.value - p.lambda * r.mean_system_time.value,
            hypot(r.mean_in_system.ci95, p.lambda * r.mean_system_time.ci95),
            r.mean_in_system.batches < r.mean_system_time.batches
                ? r.mean_in_system.batches
                : r.mean_system_time.batches};
        check("Little's law L - lambda W", &p, little, 0.0);
    }
}

Test(mmc, matches_erlang_c_with_one_server, .timeout = 120)
{
    validate(1);
}
Test(mmc, matches_erlang_c_with_two_servers, .timeout = 120)
{
    validate(2);
}
Test(mmc, matches_erlang_c_with_five_servers, .timeout = 120)
{
    validate(5);
}
Test(mmc, matches_erlang_c_with_ten_servers, .timeout = 120)
{
    validate(10);
}

Test(mmc, erlang_c_closed_form_matches_known_values)
{
    /* Hand-checkable cases: M/M/1 gives P(wait) = rho and Wq = rho / (mu -
     * lambda); M/M/2 at a = 1 gives C = 1/3 (C = a^2 / (a^2 + 2 (2 - a)) ... =
     * 1/3). */
    mmc_params p1 = {.lambda = 0.8, .mu = 1.0, .servers = 1, .customers = 1};
    mmc_exact x = mmc_exact_values(&p1);
    cr_assert_float_eq(x.p_wait, 0.8, 1e-12);
    cr_assert_float_eq(x.mean_wait, 4.0, 1e-12);
    cr_assert_float_eq(x.mean_in_system, 4.0, 1e-12);
    mmc_params p2 = {.lambda = 1.0, .mu = 1.0, .servers = 2, .customers = 1};
    x = mmc_exact_values(&p2);
    cr_assert_float_eq(x.p_wait, 1.0 / 3.0, 1e-12);
    cr_assert_float_eq(x.mean_wait, 1.0 / 3.0, 1e-12);
}

/* The central 99.9% of Binomial(r, 0.05), as [lo, hi]. */
static void binomial_band(unsigned r, unsigned *lo, unsigned *hi)
{
    *lo = 0;
    while (gsl_cdf_binomial_P(*lo, 0.05, r) < 0.0005)
        (*lo)++;
    *hi = r;
    while (*hi > 0 && gsl_cdf_binomial_Q(*hi - 1, 0.05, r) < 0.0005)
        (*hi)--;
}

static void check_honest(const char *what, const double *est, const double *hw,
                         const unsigned *batches, unsigned r, double exact)
{
    unsigned miss = 0, lo, hi;
    double mean = 0, var = 0, sigma_from_hw = 0;
    for (unsigned i = 0; i < r; i++) {
        miss +=
            !(fabs(est[i] - exact) <= hw[i]); /* a NaN half-width is a miss */
        mean += est[i] / r;
        sigma_from_hw +=
            hw[i] / gsl_cdf_tdist_Pinv(0.975, batches[i] - 1.0) / r;
    }
    for (unsigned i = 0; i < r; i++)
        var += (est[i] - mean) * (est[i] - mean) / (r - 1);
    binomial_band(r, &lo, &hi);
    cr_expect(lo >= 1, "R = %u is too small to catch intervals that never miss",
              r);
    cr_expect(miss >= lo && miss <= hi,
              "%s: 95%% intervals missed %u of %u (band %u..%u)", what, miss, r,
              lo, hi);
    /* sd / sigma = sqrt(chi2(r-1) / (r-1)); the half-widths estimate sigma (to
     * within the few per cent of their own noise, which the 99.9% band dwarfs
     * at r = 200). */
    double ratio = sqrt(var) / sigma_from_hw;
    double rlo = sqrt(gsl_cdf_chisq_Pinv(0.0005, r - 1.0) / (r - 1.0));
    double rhi = sqrt(gsl_cdf_chisq_Pinv(0.9995, r - 1.0) / (r - 1.0));
    cr_expect(ratio >= rlo && ratio <= rhi,
              "%s: spread of estimates / spread implied by the half-widths = "
              "%.3f, expected "
              "%.3f..%.3f",
              what, ratio, rlo, rhi);
}

Test(mmc, intervals_are_honest_over_independent_replications, .timeout = 120)
{
    /* R = 200 independent replications of M/M/2 at rho = 0.7: P(no miss)
     * = 3.5e-5, so the miss count has a lower bound too. */
    enum { R = 200 };
    gsl_set_error_handler_off();
    mmc_params p = {.lambda = 1.4,
                    .mu = 1.0,
                    .servers = 2,
                    .customers = 30000,
                    .warmup = 3000,
                    .seed = 77};
    mmc_exact x = mmc_exact_values(&p);
    static double wq[R], wq_hw[R], l[R], l_hw[R];
    static unsigned wq_b[R], l_b[R];
    for (uint32_t rep = 0; rep < R; rep++) {
        p.rep = rep;
        mmc_result r;
        sim_err err = {0};
        cr_assert_eq(mmc_run(&p, &r, &err), SIM_OK, "%s", err.msg);
        wq[rep] = r.mean_wait.value;
        wq_hw[rep] = r.mean_wait.ci95;
        wq_b[rep] = r.mean_wait.batches;
        l[rep] = r.mean_in_system.value;
        l_hw[rep] = r.mean_in_system.ci95;
        l_b[rep] = r.mean_in_system.batches;
    }
    check_honest("Wq", wq, wq_hw, wq_b, R, x.mean_wait);
    check_honest("L", l, l_hw, l_b, R, x.mean_in_system);
}

Test(mmc, a_window_past_2_to_the_64_is_refused)
{
    mmc_params p = {.lambda = 0.5,
                    .mu = 1.0,
                    .servers = 1,
                    .customers = 10,
                    .warmup = UINT64_MAX - 5};
    sim_err err = {0};
    cr_assert_eq(mmc_check(&p, &err), SIM_EINVAL);
    cr_assert(strstr(err.msg, "--warmup") && strstr(err.msg, "--customers"),
              "got: %s", err.msg);
}

Test(mmc, replications_differ_and_seeds_reproduce)
{
    mmc_params p = {
        .lambda = 0.9, .mu = 1.0, .servers = 1, .customers = 5000, .seed = 9};
    mmc_result a, b, c;
    sim_err err = {0};
    cr_assert_eq(mmc_run(&p, &a, &err), SIM_OK);
    cr_assert_eq(mmc_run(&p, &b, &err), SIM_OK);
    p.rep = 1;
    cr_assert_eq(mmc_run(&p, &c, &err), SIM_OK);
    /* Field by field: the struct has padding, which memcmp would read. */
    const mmc_estimate *pairs[][2] = {
        {&a.utilization, &b.utilization},
        {&a.mean_wait, &b.mean_wait},
        {&a.mean_queue_length, &b.mean_queue_length},
        {&a.mean_system_time, &b.mean_system_time},
        {&a.mean_in_system, &b.mean_in_system},
    };
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(pairs[i][0]->value, pairs[i][1]->value,
                     "estimate %d differs", i);
        cr_assert_eq(pairs[i][0]->ci95, pairs[i][1]->ci95);
        cr_assert_eq(pairs[i][0]->batches, pairs[i][1]->batches);
    }
    cr_assert_eq(a.events, b.events);
    cr_assert_neq(a.mean_wait.value, c.mean_wait.value);
}

/* ---- the command line
 * ------------------------------------------------------------------- */

typedef struct {
    int status;
    char out[4096], err[4096];
} ran;

static ran run_mmc(const char *args)
{
    ran r = {0};
    char full[1200];
    snprintf(full, sizeof full, "%s/mmc %s", AIMS_BUILD_DIR, args);
    int pout[2], perr[2];
    cr_assert_eq(pipe(pout), 0);
    cr_assert_eq(pipe(perr), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(pout[1], 1);
        dup2(perr[1], 2);
        close(pout[0]);
        close(perr[0]);
        execl("/bin/sh", "sh", "-c", full, (char *)NULL);
        _exit(127);
    }
    close(pout[1]);
    close(perr[1]);
    size_t no = 0, ne = 0;
    ssize_t k;
    while ((k = read(pout[0], r.out + no, sizeof r.out - 1 - no)) > 0)
        no += (size_t)k;
    while ((k = read(perr[0], r.err + ne, sizeof r.err - 1 - ne)) > 0)
        ne += (size_t)k;
    close(pout[0]);
    close(perr[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return r;
}

static void expect_usage_error(const char *args, const char *needle)
{
    ran r = run_mmc(args);
    cr_expect_eq(r.status, 2, "mmc %s: exit %d, stderr: %s", args, r.status,
                 r.err);
    size_t lines = 0;
    for (const char *c = r.err; *c; c++)
        lines += *c == '\n';
    cr_expect_eq(lines, 1u, "mmc %s: expected a one-line error, got: %s", args,
                 r.err);
    cr_expect(strstr(r.err, needle) != NULL, "mmc %s: '%s' not in: %s", args,
              needle, r.err);
    cr_expect_eq(r.out[0], '\0', "mmc %s: printed results on bad input", args);
}

Test(mmc_cli, bad_arguments_get_one_line_and_exit_2)
{
    expect_usage_error("--lambda -1 --mu 1 --servers 1", "--lambda");
    expect_usage_error("--lambda 1 --mu -2 --servers 1", "--mu");
    expect_usage_error("--lambda 1 --mu 0 --servers 1", "--mu");
    expect_usage_error("--lambda 2 --mu 1 --servers 2", "rho");   /* rho = 1 */
    expect_usage_error("--lambda 2.5 --mu 1 --servers 2", "rho"); /* rho > 1 */
    expect_usage_error("--lambda 1 --mu 2 --servers 0", "--servers");
    expect_usage_error("--lambda 1 --mu 2 --servers 1.5", "--servers");
    expect_usage_error("--lambda abc --mu 2 --servers 1", "--lambda");
    expect_usage_error("--lambda 1x --mu 2 --servers 1", "--lambda");
    expect_usage_error("--lambda nan --mu 2 --servers 1", "--lambda");
    expect_usage_error("--lambda inf --mu 2 --servers 1", "--lambda");
    expect_usage_error("--lambda 1 --mu 2 --servers 1 --customers -5",
                       "--customers");
    expect_usage_error("--lambda 1 --mu 2 --servers 1 --seed x", "--seed");
    expect_usage_error("--lambda 1 --mu 2", "--servers");
    expect_usage_error("--lambda 1 --mu 2 --servers 1 --bogus 3", "--bogus");
    expect_usage_error("--lambda", "--lambda");
}

Test(mmc_cli, prints_each_key_followed_by_its_half_width)
{
    ran r = run_mmc("--lambda 1.5 --mu 1 --servers 2 --customers 20000 --seed "
                    "5 --warmup 100");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    const char *keys[] = {"utilization", "mean_wait", "mean_queue_length",
                          "mean_system_time", "mean_in_system"};
    const char *at = r.out;
    for (size_t i = 0; i < 5; i++) {
        char k1[64], k2[64];
        snprintf(k1, sizeof k1, "%s: ", keys[i]);
        snprintf(k2, sizeof k2, "\n%s_ci95: ", keys[i]);
        const char *p = strstr(at, k1);
        cr_assert_not_null(p, "missing %s in:\n%s", keys[i], r.out);
        cr_assert(p == r.out || p[-1] == '\n');
        const char *nl = strchr(p, '\n');
        cr_assert(nl && strncmp(nl, k2, strlen(k2)) == 0,
                  "%s_ci95 must follow %s", keys[i], keys[i]);
        double v = strtod(p + strlen(k1), NULL),
               h = strtod(nl + strlen(k2), NULL);
        cr_assert(isfinite(v) && h > 0, "%s: value %g, half-width %g", keys[i],
                  v, h);
        at = nl + 1;
    }
}
