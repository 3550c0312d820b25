/* test_mmc.c -- the engine validated against queueing theory, and build/mmc's command line.
 *
 * Tolerances are derived, not fitted:
 *  - Each estimate comes with a batch-means 95% half-width h = t_{0.975, b-1} s / sqrt(b).
 *    A check that the estimate is within h of the closed form fails 5% of the time when all is
 *    well, far too often for a suite of 100 checks. So each check widens h to the two-sided
 *    level alpha = 0.001 / (number of checks) (Bonferroni: the whole grid fails by chance with
 *    probability <= 0.001): tolerance = h * t_{1 - alpha/2, b-1} / t_{0.975, b-1}.
 *  - The intervals themselves must be honest: over R independent replications of one system,
 *    the number of 95% intervals that miss the truth is Binomial(R, 0.05); the test accepts
 *    the counts between the 0.0005 and 0.9995 quantiles.
 * Customers per run grow with the load, so batches stay long against the relaxation time
 * (about 1 / (mu (1 - sqrt rho))^2 for M/M/1: 1,500 time units at rho = 0.95).
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
/* 4 server counts x 5 loads x (5 closed forms + Little's law on the sample path). */
static const double grid_checks = NSERVERS * NLOADS * NMETRICS;

static uint64_t customers_for(double rho)
{
    return rho < 0.6 ? 200000 : rho < 0.8 ? 400000 : rho < 0.92 ? 1000000 : 2000000;
}

static double widen(unsigned batches)
{
    double alpha = 0.001 / grid_checks;
    double df = batches - 1.0;
    return gsl_cdf_tdist_Pinv(1 - alpha / 2, df) / gsl_cdf_tdist_Pinv(0.975, df);
}

static void check(const char *what, const mmc_params *p, mmc_estimate e, double exact)
{
    cr_assert(e.batches >= 2 && isfinite(e.ci95), "%s: no interval", what);
    double tol = e.ci95 * widen(e.batches);
    cr_expect_leq(fabs(e.value - exact), tol,
                  "c=%u rho=%.2f %s: estimate %.6g, exact %.6g, |diff| %.3g > tolerance %.3g "
                  "(95%% half-width %.3g, %u batches)",
                  p->servers, p->lambda / (p->servers * p->mu), what, e.value, exact,
                  fabs(e.value - exact), tol, e.ci95, e.batches);
}

static void validate(uint32_t c)
{
    gsl_set_error_handler_off();
    for (int i = 0; i < NLOADS; i++) {
        double rho = loads[i];
        mmc_params p = {.lambda = rho * c * 1.3,
                        .mu = 1.3,
                        .servers = c,
                        .customers = customers_for(rho),
                        .seed = 2385 + 100 * c + i};
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
        /* Little's law on the sample path: L against lambda * W, both estimated. Their errors
         * are positively correlated, so adding the half-widths in quadrature is conservative. */
        mmc_estimate little = {r.mean_in_system.value - p.lambda * r.mean_system_time.value,
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
    /* Hand-checkable cases: M/M/1 gives P(wait) = rho and Wq = rho / (mu - lambda); M/M/2
     * at a = 1 gives C = 1/3 (C = a^2 / (a^2 + 2 (2 - a)) ... = 1/3). */
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

Test(mmc, intervals_cover_the_truth_at_the_nominal_rate, .timeout = 120)
{
    /* R = 120 independent replications of M/M/2 at rho = 0.7. */
    enum { R = 120 };
    gsl_set_error_handler_off();
    mmc_params p = {
        .lambda = 1.4, .mu = 1.0, .servers = 2, .customers = 40000, .warmup = 4000, .seed = 77};
    mmc_exact x = mmc_exact_values(&p);
    unsigned miss_wq = 0, miss_l = 0;
    for (uint32_t rep = 0; rep < R; rep++) {
        p.rep = rep;
        mmc_result r;
        sim_err err = {0};
        cr_assert_eq(mmc_run(&p, &r, &err), SIM_OK, "%s", err.msg);
        miss_wq += fabs(r.mean_wait.value - x.mean_wait) > r.mean_wait.ci95;
        miss_l += fabs(r.mean_in_system.value - x.mean_in_system) > r.mean_in_system.ci95;
    }
    /* The band [lo, hi]: P(X < lo) and P(X > hi) are each below 0.0005 for X ~ Bin(R, 0.05). */
    unsigned lo = 0, hi = R;
    while (gsl_cdf_binomial_P(lo, 0.05, R) < 0.0005)
        lo++;
    while (hi > 0 && gsl_cdf_binomial_Q(hi - 1, 0.05, R) < 0.0005)
        hi--;
    cr_assert(miss_wq >= lo && miss_wq <= hi, "Wq intervals missed %u of %u (band %u..%u)", miss_wq,
              R, lo, hi);
    cr_assert(miss_l >= lo && miss_l <= hi, "L intervals missed %u of %u (band %u..%u)", miss_l, R,
              lo, hi);
}

Test(mmc, replications_differ_and_seeds_reproduce)
{
    mmc_params p = {.lambda = 0.9, .mu = 1.0, .servers = 1, .customers = 5000, .seed = 9};
    mmc_result a, b, c;
    sim_err err = {0};
    cr_assert_eq(mmc_run(&p, &a, &err), SIM_OK);
    cr_assert_eq(mmc_run(&p, &b, &err), SIM_OK);
    p.rep = 1;
    cr_assert_eq(mmc_run(&p, &c, &err), SIM_OK);
    /* Field by field: the struct has padding, which memcmp would read. */
    const mmc_estimate *ea = &a.utilization, *eb = &b.utilization;
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(ea[i].value, eb[i].value, "estimate %d differs between identical runs", i);
        cr_assert_eq(ea[i].ci95, eb[i].ci95);
        cr_assert_eq(ea[i].batches, eb[i].batches);
    }
    cr_assert_eq(a.events, b.events);
    cr_assert_neq(a.mean_wait.value, c.mean_wait.value);
}

/* ---- the command line ------------------------------------------------------------------- */

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
    cr_expect_eq(r.status, 2, "mmc %s: exit %d, stderr: %s", args, r.status, r.err);
    size_t lines = 0;
    for (const char *c = r.err; *c; c++)
        lines += *c == '\n';
    cr_expect_eq(lines, 1u, "mmc %s: expected a one-line error, got: %s", args, r.err);
    cr_expect(strstr(r.err, needle) != NULL, "mmc %s: '%s' not in: %s", args, needle, r.err);
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
    expect_usage_error("--lambda 1 --mu 2 --servers 1 --customers -5", "--customers");
    expect_usage_error("--lambda 1 --mu 2 --servers 1 --seed x", "--seed");
    expect_usage_error("--lambda 1 --mu 2", "--servers");
    expect_usage_error("--lambda 1 --mu 2 --servers 1 --bogus 3", "--bogus");
    expect_usage_error("--lambda", "--lambda");
}

Test(mmc_cli, prints_each_key_followed_by_its_half_width)
{
    ran r = run_mmc("--lambda 1.5 --mu 1 --servers 2 --customers 20000 --seed 5 --warmup 100");
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    const char *keys[] = {"utilization", "mean_wait", "mean_queue_length", "mean_system_time",
                          "mean_in_system"};
    const char *at = r.out;
    for (size_t i = 0; i < 5; i++) {
        char k1[64], k2[64];
        snprintf(k1, sizeof k1, "%s: ", keys[i]);
        snprintf(k2, sizeof k2, "\n%s_ci95: ", keys[i]);
        const char *p = strstr(at, k1);
        cr_assert_not_null(p, "missing %s in:\n%s", keys[i], r.out);
        cr_assert(p == r.out || p[-1] == '\n');
        const char *nl = strchr(p, '\n');
        cr_assert(nl && strncmp(nl, k2, strlen(k2)) == 0, "%s_ci95 must follow %s", keys[i],
                  keys[i]);
        double v = strtod(p + strlen(k1), NULL), h = strtod(nl + strlen(k2), NULL);
        cr_assert(isfinite(v) && h > 0, "%s: value %g, half-width %g", keys[i], v, h);
        at = nl + 1;
    }
}
