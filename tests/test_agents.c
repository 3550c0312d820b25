/* test_agents.c -- the agents that decide (the agents issue) against
 * closed forms, placebos and their own monotonicity.
 *
 *  - Bertrand-Nash: N symmetric single-option vendors pricing by best
 *    response converge to the logit price P* = c e / (e - 1), e = b (1 -
 *    1/N) + eps, at several (N, b, c, eps); an asymmetric pair converges
 *    to the fixed point of the first-order conditions solved here with a
 *    GSL root finder; where e <= 1 the price goes to its upper bound.
 *    Tolerances are Student-t intervals over replications (Bonferroni where
 *    one test checks several numbers).
 *  - placebo: a regulator whose thresholds nothing reaches never acts, and
 *    its results equal the scripted run's bit for bit; every policy written
 *    out as "fixed" equals a file without agent keys.
 *  - monotone: a higher threshold never acts earlier, a longer lag never
 *    takes effect sooner.
 *  - each mechanism once: promotions after a US exit, the China policy,
 *    capacity growth, a partnership's exit, the CAC's enforcement.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multiroots.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkt.h"
#include "mkt_build.h"
#include "scen.h"

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

static double mean_hw(const double *x, size_t n, double alpha, double *hw)
{
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    *hw = gsl_cdf_tdist_Pinv(1 - alpha / 2, (double)n - 1) *
          sqrt(ss / (double)(n - 1)) / sqrt((double)n);
    return m;
}

static void run_reps(const mkt_params *p, size_t reps, uint64_t seed,
                     mkt_results *res)
{
    for (size_t k = 0; k < reps; k++) {
        sim_err err = {0};
        cr_assert_eq(mkt_results_init(&res[k], p, &err), SIM_OK);
        cr_assert_eq(mkt_run(p, seed, (uint32_t)k, NULL, &res[k], &err),
                     SIM_OK, "rep %zu: %s", k, err.msg);
    }
}

static void free_reps(mkt_results *res, size_t reps)
{
    for (size_t k = 0; k < reps; k++)
        mkt_results_fini(&res[k]);
}

/* ---- Bertrand-Nash ---------------------------------------------------------
 */

/* A market of n US vendors reached directly, capabilities cap[v], marginal
 * cost cost[v], one sector of `firms` equal firms adopted at the start,
 * logit weight b on log price, usage elasticity eps, no switching cost,
 * monthly contracts (every firm chooses again each month at the prices
 * then) and monthly best responses from price p0. */
static mkt_params *pricing_market(size_t n, const double *cap,
                                  const double *cost, double b, double eps,
                                  double p0, uint32_t firms, uint32_t months)
{
    mkt_params *p = mb_new(months, firms, firms);
    for (size_t v = 0; v < n; v++) {
        char id[32];
        snprintf(id, sizeof id, "v%zu", v);
        size_t k = mb_vendor(p, id, MKT_ORIGIN_US, cap[v], p0);
        mkt_vendor *vd = &p->vendors[k];
        vd->direct_access = true;
        vd->marginal_cost = cost[v];
        vd->pricing.policy = MKT_PRICING_BEST_RESPONSE;
        vd->pricing.period_months = 1;
        vd->pricing.speed = 1.0;
        vd->pricing.min_price = 1e-3;
        vd->pricing.max_price = 1e3;
        vd->pricing.promotion_factor = 1.0;
    }
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_cap = 0.5;
    s->b_price = b;
    s->price_elasticity = eps;
    s->usage_median = 10;
    s->contract_months = 1;
    mb_finish(p);
    return p;
}

/* Vendor v's mean list price over the last `last` months of replication
 * r. */
static double late_price(const mkt_results *r, size_t v, size_t last)
{
    const mkt_decisions *d = r->decisions;
    double m = 0;
    for (size_t t = d->months - last; t < d->months; t++)
        m += d->price[t * d->n_vendors + v] / (double)last;
    return m;
}

/* The finite-population part of the tolerance. A vendor sees its share s
 * of `firms` equal firms with sampling variance s (1 - s) / firms; its
 * price is a smooth function of the share it sees, P(s) = c e / (e - 1)
 * with e = b (1 - s) + eps at the fixed point, so the share's noise leaves
 * the mean price off by about P''(s) Var(s) / 2 (the first-order part
 * averages out over months and replications, the second-order part does
 * not): P'' = 2 c b^2 / (e - 1)^3. */
static double share_noise_bias(double c, double b, double eps, double s,
                               double firms)
{
    double e = b * (1 - s) + eps;
    return c * b * b / pow(e - 1, 3) * s * (1 - s) / firms;
}

enum { BN_FIRMS = 6000, BN_REPS = 8, BN_MONTHS = 36, BN_LAST = 12 };

/* N symmetric vendors: the mean over vendors and the last months of each
 * replication against P*, within the replications' t interval plus the
 * share-noise bias. */
static void check_symmetric(size_t n, double b, double c, double eps,
                            double alpha)
{
    double cap[8] = {0}, cost[8] = {0};
    for (size_t v = 0; v < n; v++) {
        cap[v] = 90;
        cost[v] = c;
    }
    double e = b * (1 - 1.0 / n) + eps, want = c * e / (e - 1);
    mkt_params *p = pricing_market(n, cap, cost, b, eps, 2 * c, BN_FIRMS,
                                   BN_MONTHS);
    mkt_results res[BN_REPS];
    run_reps(p, BN_REPS, 20261101, res);
    double x[BN_REPS], hw;
    for (size_t r = 0; r < BN_REPS; r++) {
        x[r] = 0;
        for (size_t v = 0; v < n; v++)
            x[r] += late_price(&res[r], v, BN_LAST) / (double)n;
    }
    double m = mean_hw(x, BN_REPS, alpha, &hw);
    double tol = hw + share_noise_bias(c, b, eps, 1.0 / n, BN_FIRMS);
    cr_log_info("N %zu b %g c %g eps %g: price %.5f +- %.5f, Nash %.5f", n, b,
                c, eps, m, tol, want);
    cr_assert(fabs(m - want) <= tol,
              "N %zu b %g c %g eps %g: mean price %.5f, Bertrand-Nash %.5f, "
              "|diff| %.5f > %.5f",
              n, b, c, eps, m, want, fabs(m - want), tol);
    free_reps(res, BN_REPS);
    mb_free(p);
}

Test(agents, symmetric_best_responses_reach_the_bertrand_nash_price,
     .timeout = 240)
{
    /* Four points, family-wise 95%. */
    check_symmetric(2, 3.0, 1.0, 0.0, 0.05 / 4);
    check_symmetric(3, 2.0, 0.5, 0.0, 0.05 / 4);
    check_symmetric(4, 2.5, 2.0, 0.0, 0.05 / 4);
    check_symmetric(2, 1.5, 1.0, 0.6, 0.05 / 4); /* elastic usage */
}

/* The two first-order conditions of an asymmetric pair, in log prices:
 * P_i (e_i - 1) - c_i e_i = 0 with e_i = b (1 - s_i) + eps and s_i the
 * logit share of exp(b_cap cap_i - b log P_i). */
typedef struct {
    double cap[2], cost[2], b_cap, b, eps;
} pair_market;

static int pair_foc(const gsl_vector *x, void *ctx, gsl_vector *f)
{
    const pair_market *m = ctx;
    double u[2], s[2];
    for (int i = 0; i < 2; i++)
        u[i] = m->b_cap * m->cap[i] - m->b * gsl_vector_get(x, i);
    double mx = fmax(u[0], u[1]);
    double z = exp(u[0] - mx) + exp(u[1] - mx);
    for (int i = 0; i < 2; i++) {
        s[i] = exp(u[i] - mx) / z;
        double e = m->b * (1 - s[i]) + m->eps, P = exp(gsl_vector_get(x, i));
        gsl_vector_set(f, i, P * (e - 1) - m->cost[i] * e);
    }
    return GSL_SUCCESS;
}

/* Solves the pair's Nash prices and shares with a hybrid root finder. */
static void pair_nash(pair_market *m, double P[2], double s[2])
{
    gsl_multiroot_function fn = {.f = pair_foc, .n = 2, .params = m};
    gsl_vector *x = gsl_vector_alloc(2);
    gsl_vector_set(x, 0, log(3 * m->cost[0]));
    gsl_vector_set(x, 1, log(3 * m->cost[1]));
    gsl_multiroot_fsolver *sv =
        gsl_multiroot_fsolver_alloc(gsl_multiroot_fsolver_hybrids, 2);
    gsl_multiroot_fsolver_set(sv, &fn, x);
    int status = GSL_CONTINUE;
    for (int it = 0; it < 200 && status == GSL_CONTINUE; it++) {
        cr_assert_eq(gsl_multiroot_fsolver_iterate(sv), GSL_SUCCESS);
        status = gsl_multiroot_test_residual(sv->f, 1e-13);
    }
    cr_assert_eq(status, GSL_SUCCESS, "the root finder did not converge");
    double u[2];
    for (int i = 0; i < 2; i++) {
        P[i] = exp(gsl_vector_get(sv->x, i));
        u[i] = m->b_cap * m->cap[i] - m->b * log(P[i]);
    }
    s[0] = 1 / (1 + exp(u[1] - u[0]));
    s[1] = 1 - s[0];
    gsl_multiroot_fsolver_free(sv);
    gsl_vector_free(x);
}

Test(agents, asymmetric_pair_reaches_the_nash_fixed_point, .timeout = 120)
{
    gsl_set_error_handler_off();
    pair_market pm = {.cap = {92, 88}, .cost = {0.6, 0.4}, .b_cap = 0.5,
                      .b = 2.5, .eps = 0.3};
    double want[2], share[2];
    pair_nash(&pm, want, share);
    cr_log_info("pair: Nash prices %.5f %.5f, shares %.4f %.4f", want[0],
                want[1], share[0], share[1]);
    mkt_params *p = pricing_market(2, pm.cap, pm.cost, pm.b, pm.eps, 1.0,
                                   BN_FIRMS, BN_MONTHS);
    p->sectors[0].b_cap = pm.b_cap;
    mkt_results res[BN_REPS];
    run_reps(p, BN_REPS, 777, res);
    for (size_t v = 0; v < 2; v++) {
        double x[BN_REPS], hw;
        for (size_t r = 0; r < BN_REPS; r++)
            x[r] = late_price(&res[r], v, BN_LAST);
        double m = mean_hw(x, BN_REPS, 0.05 / 2, &hw);
        double tol = hw + share_noise_bias(pm.cost[v], pm.b, pm.eps, share[v],
                                           BN_FIRMS);
        cr_log_info("pair vendor %zu: %.5f +- %.5f, Nash %.5f", v, m, tol,
                    want[v]);
        cr_assert(fabs(m - want[v]) <= tol,
                  "vendor %zu: mean price %.5f, Nash (root finder) %.5f, "
                  "|diff| %.5f > %.5f",
                  v, m, want[v], fabs(m - want[v]), tol);
    }
    free_reps(res, BN_REPS);
    mb_free(p);
}
