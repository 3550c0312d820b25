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
#include <sys/wait.h>

#include "mkt.h"
#include "mkt_build.h"
#include "reps.h"
#include "scen.h"

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

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

enum { BN_FIRMS = 4000, BN_REPS = 8, BN_MONTHS = 30, BN_LAST = 12 };

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

/* Where e = b (1 - 1/N) + eps <= 1 there is no finite Nash price: at any
 * common price each vendor's own demand is inelastic, so its best response
 * is above the others' price (by a factor that tends to about 1.09 here,
 * where own demand turns elastic: b (1 - s) + eps = 1 at s = 0.47), and
 * prices climb at every epoch until the upper bound holds them (here e =
 * 1.5 x 1/2 + 0.2 = 0.95). One vendor may step back for a month when the
 * other jumped past it; their mean price never does. */
Test(agents, without_a_finite_equilibrium_prices_climb_to_their_bound)
{
    double cap[2] = {90, 90}, cost[2] = {0.5, 0.5};
    mkt_params *p = pricing_market(2, cap, cost, 1.5, 0.2, 1.0, 2000, 30);
    for (size_t v = 0; v < 2; v++)
        p->vendors[v].pricing.max_price = 40.0;
    mkt_results r;
    run_reps(p, 1, 5, &r);
    const mkt_decisions *d = r.decisions;
    for (size_t t = 1; t < 30; t++) {
        double m = (d->price[t * 2] + d->price[t * 2 + 1]) / 2,
               before = (d->price[t * 2 - 2] + d->price[t * 2 - 1]) / 2;
        /* (a price_change event multiplies: the bound to 1e-12) */
        cr_assert_leq(fmax(d->price[t * 2], d->price[t * 2 + 1]),
                      40.0 * (1 + 1e-12), "month %zu: above the bound", t + 1);
        if (before < 0.95 * 40.0)
            cr_assert_gt(m, 1.03 * before, "month %zu: mean %g after %g",
                         t + 1, m, before);
    }
    for (size_t t = 24; t < 30; t++)
        cr_assert(fabs(d->price[t * 2] - 40.0) < 4e-11 &&
                      fabs(d->price[t * 2 + 1] - 40.0) < 4e-11,
                  "month %zu: %g %g, not at the bound", t + 1, d->price[t * 2],
                  d->price[t * 2 + 1]);
    free_reps(&r, 1);
    mb_free(p);
}

/* ---- each mechanism once --------------------------------------------------
 */

/* The first entry of the log with that agent and kind; NULL if none. */
static const mkt_decision *first_log(const mkt_decisions *d, size_t agent,
                                     int kind)
{
    for (size_t k = 0; k < d->n_log; k++)
        if (d->log[k].agent == agent && d->log[k].kind == (uint32_t)kind)
            return &d->log[k];
    return NULL;
}

static size_t count_log(const mkt_decisions *d, size_t agent, int kind)
{
    size_t n = 0;
    for (size_t k = 0; k < d->n_log; k++)
        n += d->log[k].agent == agent && d->log[k].kind == (uint32_t)kind;
    return n;
}

/* A US vendor reached directly and a cn vendor with migration offers: the
 * US vendor's block at month 6 (scripted) starts the cn vendor's promotion
 * at once, before the displaced firms choose, and it ends 3 months later
 * at the price it had. */
Test(agents, a_us_exit_starts_a_promotion_the_displaced_firms_see)
{
    mkt_params *p = mb_new(12, 1000, 1000);
    size_t us = mb_vendor(p, "us", MKT_ORIGIN_US, 92, 4.0);
    size_t cn = mb_vendor(p, "cn", MKT_ORIGIN_CN, 89, 0.8);
    p->vendors[us].direct_access = true;
    mkt_pricing *pr = &p->vendors[cn].pricing;
    pr->policy = MKT_PRICING_PROMOTION;
    pr->promotion_factor = 0.25;
    pr->promotion_months = 3.0;
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_cap = 1.0;
    s->b_price = 1.0;
    mkt_event *e = mb_event(p, MKT_EV_VENDOR_POLICY, 6.0);
    e->vendor = us;
    e->direct_access = 0;
    mb_finish(p);
    mkt_results r;
    run_reps(p, 1, 11, &r);
    const mkt_decisions *d = r.decisions;
    const mkt_decision *on = first_log(d, cn, MKT_DEC_PROMOTION);
    const mkt_decision *off = first_log(d, cn, MKT_DEC_PROMOTION_END);
    cr_assert(on && off, "no promotion logged");
    cr_assert_float_eq(on->month, 6.0, 1e-9);
    cr_assert_float_eq(on->value, 0.2, 1e-12);
    cr_assert_float_eq(off->month, 9.0, 1e-9);
    cr_assert_float_eq(off->value, 0.8, 1e-12);
    cr_assert_eq(count_log(d, cn, MKT_DEC_PROMOTION), 1);
    for (size_t t = 0; t < 12; t++) { /* month t + 1's end */
        if (t == 8)
            continue; /* month 9: the end and the books at one instant */
        double want = t >= 5 && t < 8 ? 0.2 : 0.8;
        cr_assert_float_eq(d->price[t * 2 + cn], want, 1e-12, "month %zu",
                           t + 1);
    }
    free_reps(&r, 1);
    mb_free(p);
}

/* One US vendor reached directly, the only option, so its direct margin is
 * exactly (P - c) x firms x usage = 1.5 x 100 x 10 = 1500 USD a month. The
 * expected penalty is 10800 x stance / 12: 900 at stance 1 (the KYC rule,
 * scripted at month 2), 1800 at stance 2 (a licence rule at month 5). It
 * stops at its first epoch with stance 2 (month 6) and resumes at the
 * first with stance 1 again (month 12, the licence rule lifted at 11): the
 * 900 then is below the 1500 it gave up. */
Test(agents, a_us_vendor_stops_when_the_penalty_exceeds_its_margin)
{
    mkt_params *p = mb_new(15, 100, 100);
    size_t us = mb_vendor(p, "us", MKT_ORIGIN_US, 92, 2.0);
    mkt_vendor *vd = &p->vendors[us];
    vd->direct_access = true;
    vd->serve_china_controlled = false; /* else it stops that at once: it
                                           earns nothing there */
    vd->marginal_cost = 0.5;
    vd->china.penalty = true;
    vd->china.period_months = 3;
    vd->china.penalty_usd = 10800;
    vd->china.hazard_per_stance = 1.0;
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->usage_median = 10;
    s->b_price = 1.0;
    mkt_event *e = mb_event(p, MKT_EV_KYC_RULE, 2.0);
    e->cost = e->detection_rate = 0;
    e = mb_event(p, MKT_EV_COMMERCE_RULE, 5.0);
    e->approval_prob = 1.0;
    e->channels[MKT_CH_OFFSHORE] = true;
    e = mb_event(p, MKT_EV_COMMERCE_RULE, 11.0);
    e->active = false;
    mb_finish(p);
    mkt_results r;
    run_reps(p, 1, 3, &r);
    const mkt_decisions *d = r.decisions;
    cr_assert_eq(d->n_log, 2, "%zu decisions", d->n_log);
    cr_assert_eq(d->log[0].kind, MKT_DEC_STOP_DIRECT);
    cr_assert_float_eq(d->log[0].month, 6.0, 1e-9);
    cr_assert_float_eq(d->log[0].value, 1800.0, 1e-9);
    cr_assert_eq(d->log[1].kind, MKT_DEC_RESUME_DIRECT);
    cr_assert_float_eq(d->log[1].month, 12.0, 1e-9);
    cr_assert_float_eq(d->log[1].value, 900.0, 1e-9);
    /* Nobody reaches a model in months 7-12; all are back by month 14
     * (firms with nothing look again every month). */
    for (size_t t = 6; t < 12; t++)
        cr_assert_eq(r.channel_count[t * MKT_N_CHANNELS + MKT_CH_DIRECT], 0.0,
                     "month %zu", t + 1);
    cr_assert_eq(r.channel_count[13 * MKT_N_CHANNELS + MKT_CH_DIRECT], 100.0);
    /* The stance is recorded: 0, then 1 from month 2, 2 from 5, 1 from 11. */
    cr_assert_eq(d->rule_state[0 * MKT_N_RULE_VARS + MKT_RULE_STANCE], 0.0);
    cr_assert_eq(d->rule_state[2 * MKT_N_RULE_VARS + MKT_RULE_STANCE], 1.0);
    cr_assert_eq(d->rule_state[5 * MKT_N_RULE_VARS + MKT_RULE_STANCE], 2.0);
    cr_assert_eq(d->rule_state[11 * MKT_N_RULE_VARS + MKT_RULE_STANCE], 1.0);
    free_reps(&r, 1);
    mb_free(p);
}

/* Every adopter must onboard at the one cloud (10 servers, 30 days each),
 * so its line stays long; it doubles its capacity at each epoch (every 2
 * months) with a long line and no order on its way, orders arriving 3
 * months later, up to 40 servers. */
Test(agents, capacity_grows_with_a_lag_while_the_line_is_long)
{
    mkt_params *p = mb_new(14, 600, 600);
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 92, 2.0);
    size_t i = mb_inter(p, "cloud", MKT_KIND_ONSHORE, a, "parent", "op", 0.2,
                        0.5, 0.3);
    mkt_intermediary *im = &p->inter[i];
    im->onboarding.servers = 10;
    im->onboarding.mean_days = 30;
    im->capacity = (mkt_capacity_policy){.grow = true,
                                         .period_months = 2,
                                         .wait_days = 20,
                                         .growth = 1.0,
                                         .lag_months = 3,
                                         .max_servers = 40};
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->bass_p = 12; /* per year: nearly everyone adopts in 3 months */
    s->b_price = 1.0;
    mb_finish(p);
    mkt_results r;
    run_reps(p, 1, 8, &r);
    const mkt_decisions *d = r.decisions;
    const double want[][3] = {{MKT_DEC_CAPACITY_ORDER, 2, 20},
                              {MKT_DEC_CAPACITY_ADDED, 5, 20},
                              {MKT_DEC_CAPACITY_ORDER, 6, 40},
                              {MKT_DEC_CAPACITY_ADDED, 9, 40}};
    cr_assert_eq(d->n_log, 4, "%zu decisions", d->n_log);
    for (size_t k = 0; k < 4; k++) {
        cr_assert_eq(d->log[k].agent, p->n_vendors + i);
        cr_assert_eq(d->log[k].kind, (uint32_t)want[k][0], "entry %zu", k);
        cr_assert_float_eq(d->log[k].month, want[k][1], 1e-9, "entry %zu", k);
        cr_assert_float_eq(d->log[k].value, want[k][2], 1e-12, "entry %zu", k);
    }
    cr_assert_eq(d->capacity[3], 10.0); /* month 4 */
    cr_assert_eq(d->capacity[6], 20.0); /* month 7 */
    cr_assert_eq(d->capacity[12], 40.0); /* month 13 */
    free_reps(&r, 1);
    mb_free(p);
}

/* An onshore cloud that is everyone's only option, no serving cost: its
 * margin is 0.8 of its customers' payments, the expected penalty 0.5 x
 * stance x those payments, so it ends the partnership at its first epoch
 * with stance 2 (a licence rule scripted at month 5, after KYC at 2): month
 * 6, with a 3-month wind-down, after which nobody reaches it. */
Test(agents, a_partnership_ends_when_the_penalty_exceeds_the_margin)
{
    mkt_params *p = mb_new(12, 100, 100);
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 92, 2.0);
    size_t i = mb_inter(p, "cloud", MKT_KIND_ONSHORE, a, "parent", "op", 0.2,
                        0.5, 0.3);
    p->inter[i].exit = (mkt_exit_policy){.penalty = true,
                                         .period_months = 3,
                                         .penalty_rate = 0.5,
                                         .wind_down_months = 3};
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->usage_median = 10;
    s->b_price = 1.0;
    mkt_event *e = mb_event(p, MKT_EV_KYC_RULE, 2.0);
    e->cost = e->detection_rate = 0;
    e = mb_event(p, MKT_EV_COMMERCE_RULE, 5.0);
    e->approval_prob = 1.0;
    e->channels[MKT_CH_ONSHORE] = true;
    mb_finish(p);
    mkt_results r;
    run_reps(p, 1, 9, &r);
    const mkt_decisions *d = r.decisions;
    cr_assert_eq(d->n_log, 1, "%zu decisions", d->n_log);
    cr_assert_eq(d->log[0].kind, MKT_DEC_PARTNERSHIP_END);
    cr_assert_float_eq(d->log[0].month, 6.0, 1e-9);
    /* The expected penalty: 0.5 x 2 x 100 firms x 10 Mtok x 2 USD. */
    cr_assert_float_eq(d->log[0].value, 2000.0, 1e-9);
    for (size_t t = 0; t < 12; t++) {
        double on = r.channel_count[t * MKT_N_CHANNELS + MKT_CH_ONSHORE];
        cr_assert_eq(on, t < 8 ? 100.0 : 0.0, "month %zu: %g", t + 1, on);
    }
    free_reps(&r, 1);
    mb_free(p);
}

/* Every adopter on the gray channel (the only option, never detected): the
 * CAC's gray share stays above its threshold, so every 2 epochs it raises
 * enforcement by a step, a month later, up to its maximum. */
Test(agents, the_cac_raises_enforcement_while_gray_use_stays_high)
{
    mkt_params *p = mb_new(12, 200, 200);
    mb_vendor(p, "a", MKT_ORIGIN_US, 92, 2.0);
    p->gray = (mkt_gray){.enabled = true, .price_factor = 1.0,
                         .reseller_share = 0.3, .enforcement = 1.0};
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_price = 1.0;
    mkt_cac_agent *c = &p->regulators.cac;
    c->threshold = true;
    c->period_months = 1;
    c->watch.watched[MKT_IND_GRAY_SHARE] = true;
    c->watch.threshold[MKT_IND_GRAY_SHARE] = 0.5;
    c->watch.review_months = 2;
    c->lag_months = 1;
    c->step = 1.0;
    c->max_level = 3.0;
    mb_finish(p);
    mkt_results r;
    run_reps(p, 1, 2, &r);
    const mkt_decisions *d = r.decisions;
    size_t cac = p->n_vendors + p->n_inter + 1;
    cr_assert_eq(d->n_log, 2, "%zu decisions", d->n_log);
    cr_assert_eq(d->log[0].agent, cac);
    cr_assert_eq(d->log[0].kind, MKT_DEC_ENFORCEMENT);
    cr_assert_float_eq(d->log[0].month, 3.0, 1e-9);
    cr_assert_eq(d->log[0].value, 2.0);
    cr_assert_float_eq(d->log[1].month, 5.0, 1e-9);
    cr_assert_eq(d->log[1].value, 3.0);
    cr_assert_eq(d->rule_state[11 * MKT_N_RULE_VARS + MKT_RULE_ENFORCEMENT],
                 3.0);
    free_reps(&r, 1);
    mb_free(p);
}

/* Frontier access through a US channel (direct) stays far above Commerce's
 * threshold, so it climbs its ladder: each rung proposed after two epochs
 * above (counted afresh once the last one is in force), final two months
 * later and in force one month after that; then it stops at rung 3. */
Test(agents, commerce_climbs_its_ladder_while_leakage_stays_high)
{
    mkt_params *p = mb_new(18, 400, 400);
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 92, 2.0);
    mb_vendor(p, "c", MKT_ORIGIN_CN, 88, 0.5);
    p->vendors[a].direct_access = true;
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_cap = 0.5;
    s->b_price = 1.0;
    mkt_commerce_agent *c = &p->regulators.commerce;
    c->ladder = true;
    c->period_months = 1;
    c->watch.watched[MKT_IND_US_FRONTIER_ACCESS] = true;
    c->watch.threshold[MKT_IND_US_FRONTIER_ACCESS] = 0.2;
    c->watch.review_months = 2;
    c->proposal_months = 2;
    c->compliance_months = 1;
    c->kyc_cost = 0.1;
    c->kyc_detection_rate = 0.2;
    c->approval_prob = 0.7;
    c->low_approval_prob = 0.4;
    c->channels[MKT_CH_ONSHORE] = c->channels[MKT_CH_OFFSHORE] = true;
    mb_finish(p);
    mkt_results r;
    run_reps(p, 1, 4, &r);
    const mkt_decisions *d = r.decisions;
    /* propose, final, in force for rungs 1, 2, 3. */
    const double when[9] = {2, 4, 5, 6, 8, 9, 10, 12, 13};
    cr_assert_eq(d->n_log, 9, "%zu decisions", d->n_log);
    for (size_t k = 0; k < 9; k++) {
        cr_assert_eq(d->log[k].kind, MKT_DEC_PROPOSE + k % 3, "entry %zu",
                     k);
        cr_assert_float_eq(d->log[k].month, when[k], 1e-9, "entry %zu", k);
        cr_assert_eq(d->log[k].value, (double)(k / 3 + 1), "entry %zu", k);
    }
    const double *rs = d->rule_state;
    cr_assert_eq(rs[3 * MKT_N_RULE_VARS + MKT_RULE_STANCE], 0.5);  /* m 4 */
    cr_assert_eq(rs[4 * MKT_N_RULE_VARS + MKT_RULE_KYC], 1.0);     /* m 5 */
    cr_assert_eq(rs[8 * MKT_N_RULE_VARS + MKT_RULE_COMMERCE], 1.0); /* m 9 */
    cr_assert_eq(rs[8 * MKT_N_RULE_VARS + MKT_RULE_APPROVAL], 0.7);
    cr_assert_eq(rs[13 * MKT_N_RULE_VARS + MKT_RULE_APPROVAL], 0.4);
    cr_assert_eq(rs[17 * MKT_N_RULE_VARS + MKT_RULE_STANCE], 3.0);
    free_reps(&r, 1);
    mb_free(p);
}

/* ---- placebo, monotone, fixed = scripted ------------------------------------
 */

#ifndef AIMS_RELEASE_DIR
#define AIMS_RELEASE_DIR "build"
#endif

/* Loads scenarios/NAME with overrides. */
static mkt_params *load_shipped(const char *name, const char *const *sets)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/%s", AIMS_SOURCE_DIR, name);
    sim_err err = {0};
    scen_doc *doc = NULL;
    cr_assert_eq(scen_load(path, &doc, &err), SIM_OK, "%s", err.msg);
    for (size_t k = 0; sets && sets[k]; k++)
        cr_assert_eq(scen_set(doc, sets[k], &err), SIM_OK, "%s: %s", sets[k],
                     err.msg);
    mkt_params *p = NULL;
    cr_assert_eq(mkt_load(doc, &p, &err), SIM_OK, "%s", err.msg);
    scen_free(doc);
    return p;
}

static void same_bits(const mkt_results *a, const mkt_results *b, size_t rep)
{
    size_t m = a->months, na = a->n_actors;
    const mkt_decisions *x = a->decisions, *y = b->decisions;
#define SAME(p, q, n)                                                          \
    cr_assert(memcmp(p, q, (n) * sizeof *(p)) == 0,                            \
              "replication %zu: " #p " differs", rep)
    SAME(a->channel_count, b->channel_count, m * MKT_N_CHANNELS);
    SAME(a->revenue, b->revenue, m * na);
    SAME(a->payments, b->payments, m);
    SAME(a->frontier_access_share, b->frontier_access_share, m);
    SAME(a->detections, b->detections, m);
    SAME(a->cumulative_revenue, b->cumulative_revenue, na);
    SAME(x->price, y->price, m * x->n_vendors);
    SAME(x->markup, y->markup, m * x->n_inter);
    SAME(x->capacity, y->capacity, m * x->n_inter);
    SAME(x->rule_state, y->rule_state, m * MKT_N_RULE_VARS);
    SAME(x->indicator, y->indicator, m * MKT_N_INDICATORS);
#undef SAME
    cr_assert_eq(a->events, b->events, "replication %zu: events", rep);
    cr_assert_eq(x->n_log, y->n_log, "replication %zu: log", rep);
    cr_assert(x->n_log == 0 ||
                  memcmp(x->log, y->log, x->n_log * sizeof *x->log) == 0,
              "replication %zu: log differs", rep);
}

/* A Commerce regulator and a CAC whose thresholds no indicator reaches
 * never act, and every result of escalation.cfg, its own record and the
 * engine's work included, equals the run with both regulators fixed (the
 * scripted model). With thresholds that are reached they do act, so the
 * comparison has power. */
Test(agents, a_regulator_that_no_indicator_reaches_changes_nothing,
     .timeout = 120)
{
    enum { REPS = 3 };
    const char *base[] = {"enterprises.count=1500",
                          "scenario.burn_in_months=24.0", NULL};
    const char *fixed[] = {"enterprises.count=1500",
                           "scenario.burn_in_months=24.0",
                           "regulators.commerce.policy=\"fixed\"",
                           "regulators.cac.policy=\"fixed\"", NULL};
    const char *never[] = {
        "enterprises.count=1500",
        "scenario.burn_in_months=24.0",
        "regulators.commerce.watch.us_frontier_access=1e15",
        "regulators.commerce.watch.detections=1e15",
        "regulators.commerce.watch.gray_volume=1e15",
        "regulators.cac.watch.gray_share=1e15",
        "regulators.commerce.relax_below=0.0",
        "regulators.cac.relax_below=0.0",
        NULL};
    mkt_params *pf = load_shipped("escalation.cfg", fixed);
    mkt_params *pn = load_shipped("escalation.cfg", never);
    mkt_params *pa = load_shipped("escalation.cfg", base);
    mkt_results rf[REPS], rn[REPS], ra[REPS];
    run_reps(pf, REPS, 61, rf);
    run_reps(pn, REPS, 61, rn);
    run_reps(pa, REPS, 61, ra);
    size_t commerce = pf->n_vendors + pf->n_inter, acted = 0;
    for (size_t k = 0; k < REPS; k++) {
        same_bits(&rf[k], &rn[k], k);
        for (size_t a = commerce; a <= commerce + 1; a++)
            for (int kind = 0; kind < MKT_N_DECISIONS; kind++) {
                cr_assert_eq(count_log(rn[k].decisions, a, kind), 0);
                acted += count_log(ra[k].decisions, a, kind);
            }
    }
    cr_assert_gt(acted, 0, "the regulators never act in escalation.cfg");
    free_reps(rf, REPS);
    free_reps(rn, REPS);
    free_reps(ra, REPS);
    mkt_params_free(pf);
    mkt_params_free(pn);
    mkt_params_free(pa);
}

/* The first month agent a took a decision of `kind` in each replication
 * (INFINITY: never). */
static void first_months(const mkt_results *res, size_t reps, size_t a,
                         int kind, double *out)
{
    for (size_t k = 0; k < reps; k++) {
        const mkt_decision *d = first_log(res[k].decisions, a, kind);
        out[k] = d ? d->month : (double)INFINITY;
    }
}

/* Commerce's first proposal under three thresholds on frontier access (the
 * others unreachable), and its first rule in force under three proposal
 * lags: replication by replication, a higher threshold never proposes
 * earlier and a longer lag never comes into force sooner. Until Commerce
 * first acts the runs are the same, so this holds exactly; and the lowest
 * threshold and the shortest lag do act, and do differ from the others, so
 * the test can fail. */
Test(agents, a_higher_threshold_never_acts_earlier_a_longer_lag_never_sooner,
     .timeout = 240)
{
    enum { REPS = 4, N = 3 };
    const char *thr[N] = {"0.045", "0.055", "0.062"};
    const char *lag[N] = {"1.0", "4.0", "9.0"};
    double first[2][N][REPS];
    for (int what = 0; what < 2; what++)
        for (int k = 0; k < N; k++) {
            char a[96], b[96];
            snprintf(a, sizeof a,
                     "regulators.commerce.watch.us_frontier_access=%s",
                     what == 0 ? thr[k] : "0.05");
            snprintf(b, sizeof b, "regulators.commerce.proposal_months=%s",
                     what == 1 ? lag[k] : "6.0");
            const char *sets[] = {"enterprises.count=1500",
                                  "scenario.burn_in_months=24.0",
                                  "regulators.commerce.watch.detections=1e15",
                                  "regulators.commerce.watch.gray_volume=1e15",
                                  a, b, NULL};
            mkt_params *p = load_shipped("escalation.cfg", sets);
            mkt_results res[REPS];
            run_reps(p, REPS, 97, res);
            first_months(res, REPS, p->n_vendors + p->n_inter,
                         what == 0 ? MKT_DEC_PROPOSE : MKT_DEC_IN_FORCE,
                         first[what][k]);
            free_reps(res, REPS);
            mkt_params_free(p);
        }
    for (int what = 0; what < 2; what++) {
        bool differ = false;
        for (size_t r = 0; r < REPS; r++) {
            cr_assert(isfinite(first[what][0][r]),
                      "replication %zu: Commerce never acts at %s", r,
                      what == 0 ? thr[0] : lag[0]);
            for (int k = 1; k < N; k++) {
                cr_log_info("%s %s, replication %zu: month %g",
                            what == 0 ? "threshold" : "lag",
                            what == 0 ? thr[k] : lag[k], r, first[what][k][r]);
                cr_assert_geq(first[what][k][r], first[what][k - 1][r],
                              "replication %zu: %s %s acts at %g, %s at %g",
                              r, what == 0 ? "threshold" : "lag",
                              what == 0 ? thr[k] : lag[k], first[what][k][r],
                              what == 0 ? thr[k - 1] : lag[k - 1],
                              first[what][k - 1][r]);
                differ |= first[what][k][r] > first[what][k - 1][r];
            }
        }
        cr_assert(differ, "%s: every variant acts at the same month",
                  what == 0 ? "thresholds" : "lags");
    }
}

/* Every agent of the shipped market written out with policy "fixed" (and
 * some parameters, which fixed policies ignore), and both regulators fixed:
 * `aims run` gives the same run file as baseline.cfg without those keys,
 * data set for data set (h5diff; the root attributes name the scenario
 * text and the time, which differ). */
static const char all_fixed[] =
    "agents = {\n"
    "  openai = { marginal_cost = 0.5; pricing = { policy = \"fixed\"; };\n"
    "             china_policy = { policy = \"fixed\"; penalty = 1e9; }; };\n"
    "  anthropic = { pricing = { policy = \"fixed\"; speed = 0.5; };\n"
    "                china_policy = { policy = \"fixed\"; }; };\n"
    "  deepseek = { marginal_cost = 0.05; pricing = { policy = \"fixed\";\n"
    "               promotion_factor = 0.5; }; };\n"
    "  doubao = { pricing = { policy = \"fixed\"; }; };\n"
    "  qwen = { pricing = { policy = \"fixed\"; max_price = 9.0; }; };\n"
    "  azure_china = { marginal_cost = 1.0;\n"
    "    markup_policy = { policy = \"fixed\"; max_markup = 1.0; };\n"
    "    capacity_policy = { policy = \"fixed\"; wait_days = 30.0; };\n"
    "    exit_policy = { policy = \"fixed\"; penalty_rate = 0.3; }; };\n"
    "  azure_global = { markup_policy = { policy = \"fixed\"; };\n"
    "                   capacity_policy = { policy = \"fixed\"; }; };\n"
    "  aws_global = { markup_policy = { policy = \"fixed\"; }; };\n"
    "};\n"
    "regulators = {\n"
    "  commerce = { policy = \"fixed\"; watch = { detections = 1.0; }; };\n"
    "  cac = { policy = \"fixed\"; step = 1.0; };\n"
    "};\n";

static void sh(const char *cmd)
{
    int st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "failed: %s", cmd);
}

/* The run file's data sets of A and B are equal (h5diff exit 0). */
static void same_data(const char *a, const char *b)
{
    static const char *const objs[] = {"/series", "/summary", "/agents",
                                       "/time",   "/replication",
                                       "/channel", "/actor"};
    for (size_t k = 0; k < sizeof objs / sizeof objs[0]; k++) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "h5diff -q '%s' '%s' %s %s", a, b, objs[k],
                 objs[k]);
        sh(cmd);
    }
}

/* `aims run SCEN -o DIR/NAME.h5 -r 3 -j J` on 2,000 enterprises. */
static void run_file(const char *scen, const char *dir, const char *name,
                     int j)
{
    char cmd[2400];
    snprintf(cmd, sizeof cmd,
             "'%s/aims' run '%s' -o '%s/%s.h5' -r 3 -j %d --quiet "
             "--set enterprises.count=2000",
             AIMS_RELEASE_DIR, scen, dir, name, j);
    sh(cmd);
}

Test(agents, every_policy_fixed_gives_the_scripted_run_file, .timeout = 180)
{
    char dir[] = "/tmp/aims-agents-XXXXXX", cmd[2400], path[600];
    cr_assert(mkdtemp(dir));
    /* baseline.cfg's text with the keys added, beside a link to the shipped
     * market so its @include resolves the same. */
    snprintf(cmd, sizeof cmd,
             "ln -s '%s/scenarios/market' '%s/market' && "
             "cp '%s/scenarios/baseline.cfg' '%s/fixed.cfg'",
             AIMS_SOURCE_DIR, dir, AIMS_SOURCE_DIR, dir);
    sh(cmd);
    snprintf(path, sizeof path, "%s/fixed.cfg", dir);
    FILE *f = fopen(path, "a");
    cr_assert(f);
    fputs(all_fixed, f);
    fclose(f);
    run_file(AIMS_SOURCE_DIR "/scenarios/baseline.cfg", dir, "base", 2);
    run_file(path, dir, "fixed", 2);
    char a[700], b[700];
    snprintf(a, sizeof a, "%s/base.h5", dir);
    snprintf(b, sizeof b, "%s/fixed.h5", dir);
    same_data(a, b);
    /* And with agents deciding, the file is the same for any -j. */
    run_file(AIMS_SOURCE_DIR "/scenarios/escalation.cfg", dir, "esc1", 1);
    run_file(AIMS_SOURCE_DIR "/scenarios/escalation.cfg", dir, "esc2", 2);
    snprintf(a, sizeof a, "%s/esc1.h5", dir);
    snprintf(b, sizeof b, "%s/esc2.h5", dir);
    same_data(a, b);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    sh(cmd);
}

/* escalation.cfg through the command line: its run file's /agents group is
 * what docs/output.md says, for h5py and xarray (tests/py/check_agents.py),
 * and `aims report` shows the headline decisions: the month of the first
 * regulator action with its interval, and the mean prices at the horizon. */
Test(agents, the_run_file_and_report_show_the_decisions, .timeout = 120)
{
    char dir[] = "/tmp/aims-agents-XXXXXX", cmd[2400], text[16384];
    cr_assert(mkdtemp(dir));
    run_file(AIMS_SOURCE_DIR "/scenarios/escalation.cfg", dir, "esc", 2);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/tests/py/check_agents.py' '%s/esc.h5' "
             ">'%s/py.txt' 2>&1",
             AIMS_SOURCE_DIR, dir, dir);
    int st = system(cmd);
    snprintf(cmd, sizeof cmd, "%s/py.txt", dir);
    FILE *f = fopen(cmd, "r");
    cr_assert(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "python said:\n%s", text);
    cr_assert(strstr(text, "h5py ok") && (strstr(text, "xarray ok") ||
                                          strstr(text, "no xarray")),
              "python said:\n%s", text);
    snprintf(cmd, sizeof cmd, "'%s/aims' report '%s/esc.h5' >'%s/rep.txt'",
             AIMS_RELEASE_DIR, dir, dir);
    sh(cmd);
    snprintf(cmd, sizeof cmd, "%s/rep.txt", dir);
    f = fopen(cmd, "r");
    cr_assert(f);
    n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    const char *first = strstr(text, "first regulator action, month");
    cr_assert(first, "no first action in:\n%s", text);
    double m, lo, hi;
    cr_assert_eq(sscanf(first, "first regulator action, month %lf [%lf, %lf]",
                        &m, &lo, &hi),
                 3, "%s", first);
    cr_assert(lo <= m && m <= hi && m >= 0 && m <= 60, "%s", first);
    cr_assert(strstr(text, "mean list price at month 60"), "%s", text);
    const char *ids[] = {"openai", "anthropic", "deepseek", "doubao", "qwen"};
    for (size_t k = 0; k < 5; k++)
        cr_assert(strstr(strstr(text, "mean list price"), ids[k]), "%s: %s",
                  ids[k], text);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    sh(cmd);
}

/* A scripted event overrides a policy at its time: a best-responding
 * vendor's scripted price cut at the end of month 6 holds through that
 * instant's epoch (the month-7 row shows it), and a scripted cut during a
 * promotion stands when the promotion ends. */
Test(agents, scripted_events_override_a_policy_at_their_time)
{
    double cap[2] = {90, 90}, cost[2] = {0.5, 0.5};
    mkt_params *p = pricing_market(2, cap, cost, 3.0, 0.0, 1.0, 2000, 10);
    mkt_event *e = mb_event(p, MKT_EV_PRICE_CHANGE, 6.0);
    e->vendor = 0;
    e->factor = 0.1;
    e->shock = false;
    mkt_results r;
    run_reps(p, 1, 21, &r);
    const mkt_decisions *d = r.decisions;
    /* The price set at month 5's epoch, cut by the script at the end of
     * month 6 (the timeline first, then the books: month 6's row); the
     * epoch of that instant is skipped for vendor 0 only, so month 7's row
     * still shows the cut, and the epoch after moves it again. */
    double p5 = (double)NAN;
    bool at6[2] = {false, false};
    for (size_t k = 0; k < d->n_log; k++) {
        const mkt_decision *x = &d->log[k];
        if (x->agent == 0 && fabs(x->month - 5.0) < 1e-9)
            p5 = x->value;
        if (fabs(x->month - 6.0) < 1e-9)
            at6[x->agent] = true;
    }
    cr_assert(!isnan(p5), "no best response at month 5");
    cr_assert_float_eq(d->price[5 * 2], p5 * 0.1, 1e-12 * p5);
    cr_assert(!at6[0] && at6[1], "month 6: vendor 0 %d, vendor 1 %d", at6[0],
              at6[1]);
    cr_assert_eq(d->price[6 * 2], d->price[5 * 2]);
    cr_assert_neq(d->price[7 * 2], d->price[6 * 2], "no epoch after it");
    free_reps(&r, 1);
    mb_free(p);

    p = mb_new(12, 500, 500);
    size_t us = mb_vendor(p, "us", MKT_ORIGIN_US, 92, 4.0);
    size_t cn = mb_vendor(p, "cn", MKT_ORIGIN_CN, 89, 0.8);
    p->vendors[us].direct_access = true;
    p->vendors[cn].pricing = (mkt_pricing){.policy = MKT_PRICING_PROMOTION,
                                           .promotion_factor = 0.25,
                                           .promotion_months = 3.0};
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_price = 1.0;
    e = mb_event(p, MKT_EV_VENDOR_POLICY, 6.0);
    e->vendor = us;
    e->direct_access = 0;
    e = mb_event(p, MKT_EV_PRICE_CHANGE, 7.5);
    e->vendor = cn;
    e->factor = 0.5;
    e->shock = false;
    mb_finish(p);
    run_reps(p, 1, 21, &r);
    d = r.decisions;
    const mkt_decision *off = first_log(d, cn, MKT_DEC_PROMOTION_END);
    cr_assert(off, "the promotion never ended");
    cr_assert_float_eq(off->value, 0.1, 1e-12, "ended at %g", off->value);
    cr_assert_float_eq(d->price[11 * 2 + cn], 0.1, 1e-12);
    free_reps(&r, 1);
    mb_free(p);
}

/* price_war.cfg: the three domestic vendors set their prices by best
 * response every quarter and run a migration offer when OpenAI stops
 * serving China-controlled firms (month 6); nobody else decides, the US
 * prices do not move, and every price stays within its bounds. */
Test(agents, price_war_prices_come_out_of_the_domestic_vendors, .timeout = 60)
{
    enum { REPS = 2 };
    const char *sets[] = {"enterprises.count=1500",
                          "scenario.burn_in_months=24.0", NULL};
    mkt_params *p = load_shipped("price_war.cfg", sets);
    mkt_results res[REPS];
    run_reps(p, REPS, 13, res);
    for (size_t k = 0; k < REPS; k++) {
        const mkt_decisions *d = res[k].decisions;
        for (size_t v = 0; v < p->n_vendors; v++) {
            bool cn = p->vendors[v].origin == MKT_ORIGIN_CN;
            cr_assert_eq(count_log(d, v, MKT_DEC_PRICE) > 0, cn, "%s",
                         p->vendors[v].id);
            const mkt_decision *pr = first_log(d, v, MKT_DEC_PROMOTION);
            cr_assert_eq(pr != NULL, cn, "%s", p->vendors[v].id);
            if (pr)
                cr_assert_float_eq(pr->month, 6.0, 1e-9);
            for (size_t t = 0; t < d->months; t++) {
                double P = d->price[t * d->n_vendors + v];
                if (cn)
                    cr_assert(P >= 0.01 * (1 - 1e-12) &&
                                  P <= 5.0 * (1 + 1e-12),
                              "%s month %zu: %g", p->vendors[v].id, t + 1, P);
                else
                    cr_assert_eq(P, p->vendors[v].price);
            }
        }
        for (size_t a = p->n_vendors; a < p->n_vendors + p->n_inter + 2; a++)
            for (int kind = 0; kind < MKT_N_DECISIONS; kind++)
                cr_assert_eq(count_log(d, a, kind), 0);
    }
    free_reps(res, REPS);
    mkt_params_free(p);
}

/* A compliance cost a rule makes the cloud carry cuts its margin, and so
 * its exit (issues 13 and 11): the market above with a lower penalty rate,
 * 0.35, exits nowhere on its margin of 0.8 of payments (0.7 < 0.8 at stance
 * 2), but a 20% cost it carries from the start leaves it 0.6, and it ends
 * the partnership at month 6 as above. */
static size_t exits_with_cost(double cost)
{
    mkt_params *p = mb_new(12, 100, 100);
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 92, 2.0);
    size_t i = mb_inter(p, "cloud", MKT_KIND_ONSHORE, a, "parent", "op", 0.2,
                        0.5, 0.3);
    p->inter[i].exit = (mkt_exit_policy){.penalty = true,
                                         .period_months = 3,
                                         .penalty_rate = 0.35,
                                         .wind_down_months = 3};
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->usage_median = 10;
    s->b_price = 1.0;
    if (cost > 0) {
        mkt_rule *r = mb_rule(p, "audit", MKT_RULE_COST, 0);
        r->cost = cost;
        r->bearer = MKT_BEARER_INTERMEDIARY;
        r->cond.inters = 1;
        p->n_events = 0; /* in force from the start */
        p->rules.conditions = calloc(1, sizeof *p->rules.conditions);
        p->rules.n_conditions = 1;
    }
    mkt_event *e = mb_event(p, MKT_EV_KYC_RULE, 2.0);
    e->cost = e->detection_rate = 0;
    e = mb_event(p, MKT_EV_COMMERCE_RULE, 5.0);
    e->approval_prob = 1.0;
    e->channels[MKT_CH_ONSHORE] = true;
    mb_finish(p);
    mkt_results r;
    run_reps(p, 1, 9, &r);
    size_t n = 0;
    for (size_t k = 0; k < r.decisions->n_log; k++)
        n += r.decisions->log[k].kind == MKT_DEC_PARTNERSHIP_END;
    if (cost > 0)
        cr_assert(r.compliance_cost[p->n_actors * 0 + 2] > 0,
                  "the operator books its compliance cost");
    free_reps(&r, 1);
    mb_free(p);
    return n;
}

Test(agents, a_compliance_cost_the_cloud_carries_brings_its_exit)
{
    cr_assert_eq(exits_with_cost(0.0), 0, "no exit on a margin of 0.8");
    cr_assert_eq(exits_with_cost(0.2), 1, "exit on a margin of 0.6");
}
