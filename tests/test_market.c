/* test_market.c -- the market model against theory and its invariants.
 *
 * Validation (each interval is a Student-t interval over replications; where
 * one test checks K numbers at once the level is Bonferroni-corrected to a
 * family-wise 95%, alpha = 0.05 / K, so the test fails by chance at most 5%
 * of the time with the seed changed, and never silently passes a bias larger
 * than the interval). Bass and logit use the 95% the issue asks for; the
 * queue and detection checks, which go beyond it, use a family-wise 99.9%
 * so the suite as a whole rarely fails by chance (a 400-replication run of
 * the detection case agreed with exp(-r t) to within one standard error
 * every month):
 *  - Bass: the mean adopted share each month against the closed form F(t),
 *    at two (p, q) pairs, N = 10,000, 20 replications;
 *  - logit: channel shares in a static market against the softmax of the
 *    utilities, computed here from the parameters, not from the model;
 *  - onboarding: completions from one server against E[min(Poisson, N)];
 *  - detection: gray users decaying as exp(-r t);
 *  - contracts: switches per month N (1 - sum p^2) / contract length.
 * Invariants, each month: money conservation (receipts = payments to 1e-9),
 * and nobody on an option that is not available to them after a
 * partnership's wind-down, a vendor block, the CAC and Commerce rules.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bass.h"
#include "choice.h"
#include "mkt.h"
#include "mkt_build.h"
#include "onboard.h"

#define NCH MKT_N_CHANNELS

/* Mean and t half-width at level 1 - alpha of x[0..n). */
static double half_width(const double *x, size_t n, double alpha,
                         double *mean)
{
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    *mean = m;
    double sd = sqrt(ss / (double)(n - 1));
    return gsl_cdf_tdist_Pinv(1 - alpha / 2, (double)n - 1) * sd /
           sqrt((double)n);
}

/* Runs reps replications of p, seed 7, into res[0..reps). */
static void run_reps(const mkt_params *p, size_t reps, mkt_results *res,
                     const mkt_run_opts *o)
{
    for (size_t k = 0; k < reps; k++) {
        sim_err err = {0};
        cr_assert_eq(mkt_results_init(&res[k], p, &err), SIM_OK);
        int rc = mkt_run(p, 7, (uint32_t)k, o, &res[k], &err);
        cr_assert_eq(rc, SIM_OK, "rep %zu: %s", k, err.msg);
    }
}

static void free_reps(mkt_results *res, size_t reps)
{
    for (size_t k = 0; k < reps; k++)
        mkt_results_fini(&res[k]);
}

/* ---- pieces --------------------------------------------------------------
 */

Test(market, bass_closed_form)
{
    /* F(0) = 0, F -> 1, and dF/dt = (p + qF)(1 - F) numerically. */
    double p = 0.03, q = 0.38;
    cr_assert_float_eq(mkt_bass_cdf(p, q, 0), 0, 1e-15);
    cr_assert_float_eq(mkt_bass_cdf(p, q, 200), 1, 1e-12);
    for (double t = 0.5; t < 20; t += 1.7) {
        double h = 1e-5, f = mkt_bass_cdf(p, q, t);
        double d = (mkt_bass_cdf(p, q, t + h) - mkt_bass_cdf(p, q, t - h)) /
                   (2 * h);
        cr_assert_float_eq(d, (p + q * f) * (1 - f), 1e-8, "t = %g", t);
    }
    /* From a head start f0 the curve passes through f0 and is the plain
     * curve shifted in time. */
    double f0 = mkt_bass_cdf(p, q, 3.0);
    cr_assert_float_eq(mkt_bass_cdf_from(p, q, f0, 0), f0, 1e-14);
    cr_assert_float_eq(mkt_bass_cdf_from(p, q, f0, 2.0),
                       mkt_bass_cdf(p, q, 5.0), 1e-12);
    cr_assert_float_eq(mkt_bass_rate(p, q, 10, 100), 90 * (p + q * 0.1),
                       1e-12);
    cr_assert_eq(mkt_bass_rate(p, q, 100, 100), 0.0);
}

Test(market, logit_probabilities)
{
    double v[4] = {1000.0, 1001.0, -5.0, 1000.5};
    bool ok[4] = {true, true, false, true};
    double pr[4];
    cr_assert_eq(mkt_choice_probs(v, ok, 4, pr), 3u);
    double z = 1 + exp(1) + exp(0.5);
    cr_assert_float_eq(pr[0], 1 / z, 1e-14);
    cr_assert_float_eq(pr[1], exp(1) / z, 1e-14);
    cr_assert_eq(pr[2], 0.0);
    /* The draw: u below P0 picks 0, just above picks 1. */
    double w[4];
    memcpy(w, v, sizeof w);
    cr_assert_eq(mkt_choose_option(w, ok, 4, 0.5 / z), 0u);
    memcpy(w, v, sizeof w);
    cr_assert_eq(mkt_choose_option(w, ok, 4, 1.5 / z), 1u);
    memcpy(w, v, sizeof w);
    cr_assert_eq(mkt_choose_option(w, ok, 4, 0.999999), 3u);
    bool none[4] = {false, false, false, false};
    cr_assert_eq(mkt_choose_option(w, none, 4, 0.3), 4u);
}

Test(market, onboard_line_is_fifo_across_growth)
{
    mkt_onboard q;
    mkt_onboard_init(&q, 2, 5.0);
    mkt_onboard_entry x;
    uint32_t next_out = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        cr_assert(mkt_onboard_push(&q, i, i * 3));
        if (i % 3 == 0) { /* pops interleaved so the ring wraps */
            cr_assert(mkt_onboard_pop(&q, &x));
            cr_assert_eq(x.ent, next_out);
            cr_assert_eq(x.ticket, next_out * 3);
            next_out++;
        }
    }
    while (mkt_onboard_pop(&q, &x)) {
        cr_assert_eq(x.ent, next_out);
        next_out++;
    }
    cr_assert_eq(next_out, 1000u);
    mkt_onboard_fini(&q);
}

/* ---- Bass ----------------------------------------------------------------
 */

static void check_bass(double bp, double bq, uint32_t months)
{
    enum { N = 10000, REPS = 20 };
    mkt_params *p = mb_new(months, N, N);
    mb_vendor(p, "dom", MKT_ORIGIN_CN, 80, 1.0);
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->bass_p = bp;
    s->bass_q = bq;
    mb_finish(p);
    mkt_results res[REPS];
    run_reps(p, REPS, res, NULL);
    double alpha = 0.05 / months, x[REPS];
    size_t inside95 = 0;
    for (uint32_t m = 1; m <= months; m++) {
        for (size_t k = 0; k < REPS; k++)
            x[k] = res[k].adopters[m - 1] / N;
        double mean, hw = half_width(x, REPS, alpha, &mean);
        double mean95, hw95 = half_width(x, REPS, 0.05, &mean95);
        double f = mkt_bass_cdf(bp, bq, m / 12.0);
        inside95 += fabs(mean - f) <= hw95;
        cr_assert(fabs(mean - f) <= hw,
                  "p %g q %g month %u: mean %.5f, F %.5f, |diff| %.5f > "
                  "half-width %.5f",
                  bp, bq, m, mean, f, fabs(mean - f), hw);
    }
    cr_log_info("Bass p %g q %g: %zu of %u months inside the plain 95%% "
                "interval",
                bp, bq, inside95, months);
    free_reps(res, REPS);
    mb_free(p);
}

Test(market, bass_matches_closed_form_slow_diffusion, .timeout = 120)
{
    check_bass(0.05, 0.6, 60);
}

Test(market, bass_matches_closed_form_fast_diffusion, .timeout = 120)
{
    check_bass(0.3, 1.2, 36);
}

/* ---- logit ---------------------------------------------------------------
 */

Test(market, logit_shares_match_softmax, .timeout = 120)
{
    enum { N = 10000, REPS = 20 };
    mkt_params *p = mb_new(6, N, N);
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 90, 5.0);
    size_t b = mb_vendor(p, "b", MKT_ORIGIN_US, 88, 3.0);
    size_t c = mb_vendor(p, "c", MKT_ORIGIN_CN, 85, 0.5);
    p->vendors[a].direct_access = true;
    size_t i = mb_inter(p, "cloud", MKT_KIND_ONSHORE, b, "parent", "op", 0.2,
                        0.5, 0.3);
    p->inter[i].markup = 0.2;
    p->gray = (mkt_gray){.enabled = true, .price_factor = 0.8,
                         .reseller_share = 0.3};
    p->risk[MKT_CH_ONSHORE] = 0.3;
    p->risk[MKT_CH_GRAY] = 1.0;
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_cap = 0.1;
    s->b_price = 1.0;
    s->b_risk = 1.0;
    s->contract_months = 2;
    mb_finish(p);
    (void)c;

    /* The utilities, from the parameters. */
    double vd = 0.1 * 90 - log(5.0);
    double vo = 0.1 * 88 - log(3.0 * 1.2) - 0.3;
    double vga = 0.1 * 90 - log(5.0 * 0.8) - 1.0;
    double vgb = 0.1 * 88 - log(3.0 * 0.8) - 1.0;
    double vc = 0.1 * 85 - log(0.5);
    double z = exp(vd) + exp(vo) + exp(vga) + exp(vgb) + exp(vc);
    double want[NCH] = {0};
    want[MKT_CH_DIRECT] = exp(vd) / z;
    want[MKT_CH_ONSHORE] = exp(vo) / z;
    want[MKT_CH_GRAY] = (exp(vga) + exp(vgb)) / z;
    want[MKT_CH_DOMESTIC] = exp(vc) / z;

    mkt_results res[REPS];
    run_reps(p, REPS, res, NULL);
    const int chans[] = {MKT_CH_DIRECT, MKT_CH_ONSHORE, MKT_CH_GRAY,
                         MKT_CH_DOMESTIC};
    for (size_t k = 0; k < 4; k++) {
        int ch = chans[k];
        double x[REPS], mean;
        for (size_t r = 0; r < REPS; r++)
            x[r] = res[r].channel_count[5 * NCH + ch] / N;
        double hw = half_width(x, REPS, 0.05 / 4, &mean);
        cr_log_info("logit %s: mean %.5f softmax %.5f half-width %.5f",
                    mkt_channel_name(ch), mean, want[ch], hw);
        cr_assert(fabs(mean - want[ch]) <= hw,
                  "%s: mean share %.5f, softmax %.5f, |diff| %.5f > %.5f",
                  mkt_channel_name(ch), mean, want[ch], fabs(mean - want[ch]),
                  hw);
    }
    free_reps(res, REPS);
    mb_free(p);
}

/* Contracts: with no switching cost every renewal is a fresh logit draw, so
 * a firm on option i moves with probability 1 - p_i, and with phases spread
 * uniformly N / L firms renew each month: switches per month are
 * N (1 - sum p_j^2) / L. */
Test(market, contracts_renew_at_their_rate, .timeout = 120)
{
    enum { N = 10000, REPS = 20 };
    mkt_params *p = mb_new(12, N, N);
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 90, 5.0);
    mb_vendor(p, "c", MKT_ORIGIN_CN, 85, 0.5);
    p->vendors[a].direct_access = true;
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_cap = 0.1;
    s->b_price = 1.0;
    s->contract_months = 6;
    mb_finish(p);
    double v[2] = {0.1 * 90 - log(5.0), 0.1 * 85 - log(0.5)};
    double p0 = exp(v[0]) / (exp(v[0]) + exp(v[1])), p1 = 1 - p0;
    double want = N * (1 - p0 * p0 - p1 * p1) / 6.0;
    mkt_results res[REPS];
    run_reps(p, REPS, res, NULL);
    for (uint32_t m = 1; m <= 12; m++) {
        double x[REPS], mean;
        for (size_t k = 0; k < REPS; k++)
            x[k] = res[k].switches[m - 1];
        double hw = half_width(x, REPS, 0.001 / 12, &mean);
        cr_assert(fabs(mean - want) <= hw,
                  "month %u: %.1f switches, expected %.1f (+- %.1f)", m, mean,
                  want, hw);
    }
    free_reps(res, REPS);
    mb_free(p);
}

/* ---- rules that are lifted (regressions from review) --------------------
 */

/* One US vendor reachable directly, nothing else: who may use it is all
 * the rules decide. */
static mkt_params *direct_only(void)
{
    mkt_params *p = mb_new(6, 1000, 1000);
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 90, 5.0);
    p->vendors[a].direct_access = true;
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->public_facing_share = 0.5;
    s->contract_months = 1000;
    return p;
}

static double direct_at(const mkt_results *r, int month)
{
    return r->channel_count[(size_t)(month - 1) * NCH + MKT_CH_DIRECT];
}

Test(market, commerce_rule_lifted_before_it_applies_never_applies)
{
    mkt_params *p = direct_only();
    mkt_event *e = mb_event(p, MKT_EV_COMMERCE_RULE, 1);
    e->compliance_months = 2;
    e->approval_prob = 0;
    e->channels[MKT_CH_DIRECT] = true;
    e = mb_event(p, MKT_EV_COMMERCE_RULE, 2);
    e->active = false;
    mb_finish(p);
    mkt_results r;
    sim_err err = {0};
    cr_assert_eq(mkt_results_init(&r, p, &err), SIM_OK);
    cr_assert_eq(mkt_run(p, 3, 0, NULL, &r, &err), SIM_OK, "%s", err.msg);
    for (int m = 1; m <= 6; m++)
        cr_assert_eq(direct_at(&r, m), 1000, "month %d: %g", m,
                     direct_at(&r, m));
    mkt_results_fini(&r);
    mb_free(p);
}

Test(market, firms_left_with_nothing_come_back_when_a_rule_is_lifted)
{
    mkt_params *p = direct_only();
    mb_event(p, MKT_EV_CAC_RULE, 1);
    mkt_event *e = mb_event(p, MKT_EV_CAC_RULE, 2);
    e->active = false;
    e->shock = false; /* no reviews: only the monthly retry brings them */
    mb_finish(p);
    mkt_results r;
    sim_err err = {0};
    cr_assert_eq(mkt_results_init(&r, p, &err), SIM_OK);
    cr_assert_eq(mkt_run(p, 3, 0, NULL, &r, &err), SIM_OK, "%s", err.msg);
    cr_assert_lt(direct_at(&r, 1), 1000); /* the public-facing half left */
    cr_assert_gt(direct_at(&r, 1), 0);
    cr_assert_eq(direct_at(&r, 4), 1000, "month 4: %g", direct_at(&r, 4));
    mkt_results_fini(&r);
    mb_free(p);
}

Test(market, losing_one_model_at_a_cloud_needs_no_new_onboarding)
{
    /* An offshore cloud hosts a and b, onboards one firm per 1000 days; b
     * stops serving China-controlled firms. Its users move to a at the same
     * cloud at once: nobody waits. */
    mkt_params *p = mb_new(4, 500, 500);
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 90, 5.0);
    size_t b = mb_vendor(p, "b", MKT_ORIGIN_US, 90, 5.0);
    size_t i = mb_inter(p, "cloud", MKT_KIND_OFFSHORE, a, "parent", NULL, 0.2,
                        0.8, 0);
    p->inter[i].hosts[b] = true;
    p->inter[i].onboarding = (mkt_onboarding){1, 1000.0};
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->offshore_share = 1.0;
    s->contract_months = 1000;
    mkt_event *e = mb_event(p, MKT_EV_VENDOR_POLICY, 2);
    e->vendor = b;
    e->serve_china_controlled = 0;
    mb_finish(p);
    mkt_results r;
    sim_err err = {0};
    cr_assert_eq(mkt_results_init(&r, p, &err), SIM_OK);
    cr_assert_eq(mkt_run(p, 3, 0, NULL, &r, &err), SIM_OK, "%s", err.msg);
    for (int m = 1; m <= 4; m++) {
        cr_assert_eq(r.channel_count[(size_t)(m - 1) * NCH + MKT_CH_OFFSHORE],
                     500, "month %d", m);
        cr_assert_eq(r.channel_count[(size_t)(m - 1) * NCH + MKT_CH_WAITING],
                     0, "month %d", m);
    }
    mkt_results_fini(&r);
    mb_free(p);
}

/* ---- a market with every channel, and its invariants --------------------
 */

typedef struct {
    size_t onshore, vendor_us, ended_month, blocked_month, inter_off;
    size_t months_checked;
    size_t unavailable;
    size_t onshore_after_end, direct_after_block;
} watch;

static void on_month(void *ctx, const mkt_world *w, uint32_t month)
{
    watch *x = ctx;
    x->months_checked++;
    x->unavailable += mkt_world_unavailable_users(w);
    if (month >= x->ended_month)
        x->onshore_after_end +=
            mkt_world_users(w, MKT_CH_ONSHORE, x->onshore, MKT_NO_INDEX);
    if (month >= x->blocked_month)
        x->direct_after_block +=
            mkt_world_users(w, MKT_CH_DIRECT, MKT_NO_INDEX, x->vendor_us);
}

/* A market with direct, onshore (with operator), offshore, gray and two
 * domestic vendors, onboarding queues that bind, and rules switched on. */
static mkt_params *rich_market(uint32_t count)
{
    mkt_params *p = mb_new(36, count, 10.0 * count);
    size_t oa = mb_vendor(p, "openai", MKT_ORIGIN_US, 92, 4.4);
    size_t an = mb_vendor(p, "anthropic", MKT_ORIGIN_US, 93, 6.0);
    size_t d1 = mb_vendor(p, "deepseek", MKT_ORIGIN_CN, 88, 0.5);
    size_t d2 = mb_vendor(p, "doubao", MKT_ORIGIN_CN, 86, 0.2);
    p->vendors[oa].direct_access = true;
    p->vendors[oa].capability_growth = 3;
    p->vendors[d1].capability_growth = 5;
    p->vendors[d1].onboarding = (mkt_onboarding){20, 14.0};
    p->vendors[d2].onboarding = (mkt_onboarding){50, 7.0};
    size_t on = mb_inter(p, "azure_china", MKT_KIND_ONSHORE, oa, "microsoft",
                         "21vianet", 0.2, 0.5, 0.3);
    p->inter[on].markup = 0.1;
    p->inter[on].onboarding = (mkt_onboarding){10, 20.0};
    size_t off = mb_inter(p, "azure_global", MKT_KIND_OFFSHORE, oa,
                          "microsoft", NULL, 0.2, 0.8, 0.0);
    p->inter[off].hosts[an] = true;
    p->inter[off].onboarding = (mkt_onboarding){5, 45.0};
    p->gray = (mkt_gray){.enabled = true, .price_factor = 1.0,
                         .reseller_share = 0.25, .detection_rate = 0.5,
                         .enforcement = 1.0, .risk_per_level = 0.5,
                         .ban_months = 12};
    p->risk[MKT_CH_ONSHORE] = 0.2;
    p->risk[MKT_CH_OFFSHORE] = 0.5;
    p->risk[MKT_CH_GRAY] = 1.5;
    p->risk[MKT_CH_DIRECT] = 0.3;
    p->rules.soe_foreign_penalty = 1.0;
    for (int k = 0; k < 2; k++) {
        mkt_sector *s = mb_sector(p, k ? "smb" : "platforms", k ? 0.7 : 0.3);
        s->bass_p = 0.05;
        s->bass_q = 0.6;
        s->initial_adopters = 0.3;
        s->usage_median = k ? 20 : 500;
        s->usage_sigma = 1.0;
        s->demand_growth = 0.5;
        s->offshore_share = k ? 0.1 : 0.6;
        s->public_facing_share = 0.4;
        s->state_owned_share = k ? 0.1 : 0.3;
        s->b_cap = k ? 0.3 : 0.8;
        s->b_price = k ? 1.4 : 0.8;
        s->b_risk = 1.0;
        s->switching_cost = 1.0;
        s->contract_months = 12;
        s->shock_review_prob = 0.2;
    }
    mkt_sector *big = &p->sectors[0];
    big->accounts = calloc(1, sizeof *big->accounts);
    big->accounts[0] = (mkt_account){.usage = 1e6, .offshore = true};
    big->n_accounts = 1;
    mkt_event *e = mb_event(p, MKT_EV_PRICE_CHANGE, 3.5);
    e->vendor = d2;
    e->factor = 0.5;
    e = mb_event(p, MKT_EV_CAC_RULE, 4);
    e = mb_event(p, MKT_EV_ENFORCEMENT, 5);
    e->level = 3;
    e = mb_event(p, MKT_EV_PARTNERSHIP_END, 6);
    e->intermediary = on;
    e->wind_down_months = 6;
    e = mb_event(p, MKT_EV_VENDOR_POLICY, 8);
    e->vendor = oa;
    e->direct_access = 0;
    e = mb_event(p, MKT_EV_KYC_RULE, 9);
    e->cost = 0.2;
    e->detection_rate = 0.3;
    e = mb_event(p, MKT_EV_COMMERCE_RULE, 10);
    e->compliance_months = 2;
    e->approval_prob = 0.6;
    e->channels[MKT_CH_OFFSHORE] = true;
    e = mb_event(p, MKT_EV_CAPABILITY_JUMP, 14);
    e->vendor = d1;
    e->delta = 6;
    e = mb_event(p, MKT_EV_LICENCE_REVOCATION, 20);
    e->vendor = an;
    e->intermediary = off;
    mb_finish(p);
    return p;
}

Test(market, nobody_uses_what_is_not_available, .timeout = 120)
{
    mkt_params *p = rich_market(4000);
    for (uint32_t rep = 0; rep < 3; rep++) {
        watch x = {.onshore = 0, .vendor_us = 0, .ended_month = 12,
                   .blocked_month = 8};
        mkt_run_opts o = {.on_month = on_month, .ctx = &x};
        mkt_results r;
        sim_err err = {0};
        cr_assert_eq(mkt_results_init(&r, p, &err), SIM_OK);
        cr_assert_eq(mkt_run(p, 11, rep, &o, &r, &err), SIM_OK, "%s",
                     err.msg);
        cr_assert_eq(x.months_checked, 36u);
        cr_assert_eq(x.unavailable, 0u, "%zu enterprise-months on an "
                     "unavailable option", x.unavailable);
        cr_assert_eq(x.onshore_after_end, 0u);
        cr_assert_eq(x.direct_after_block, 0u);
        /* ... and the market really used those channels before. */
        cr_assert_gt(r.channel_count[4 * NCH + MKT_CH_ONSHORE], 0);
        cr_assert_gt(r.channel_count[6 * NCH + MKT_CH_DIRECT], 0);
        cr_assert_eq(r.channel_count[12 * NCH + MKT_CH_ONSHORE], 0);
        double det = 0, sw = 0;
        for (size_t m = 0; m < 36; m++) {
            det += r.detections[m];
            sw += r.switches[m];
        }
        cr_assert_gt(det, 0);
        cr_assert_gt(sw, 0);
        mkt_results_fini(&r);
    }
    mb_free(p);
}

Test(market, money_is_conserved_every_month, .timeout = 120)
{
    mkt_params *p = rich_market(3000);
    mkt_results r;
    sim_err err = {0};
    cr_assert_eq(mkt_results_init(&r, p, &err), SIM_OK);
    cr_assert_eq(mkt_run(p, 5, 0, NULL, &r, &err), SIM_OK, "%s", err.msg);
    double total = 0;
    for (size_t m = 0; m < r.months; m++) {
        double got = 0;
        for (size_t a = 0; a < r.n_actors; a++) {
            cr_assert_geq(r.revenue[m * r.n_actors + a], 0);
            got += r.revenue[m * r.n_actors + a];
        }
        cr_assert_gt(r.payments[m], 0);
        cr_assert_leq(fabs(got - r.payments[m]), 1e-9 * r.payments[m],
                      "month %zu: receipts %.17g payments %.17g", m + 1, got,
                      r.payments[m]);
        total += r.payments[m];
    }
    double cum = 0;
    for (size_t a = 0; a < r.n_actors; a++)
        cum += r.cumulative_revenue[a];
    cr_assert_leq(fabs(cum - total), 1e-9 * total);
    mkt_results_fini(&r);
    mb_free(p);
}

/* With one onshore option only, the split is exactly the shares. */
Test(market, onshore_split_follows_the_shares)
{
    mkt_params *p = mb_new(12, 500, 500);
    size_t oa = mb_vendor(p, "openai", MKT_ORIGIN_US, 90, 4.0);
    size_t on = mb_inter(p, "azure_china", MKT_KIND_ONSHORE, oa, "microsoft",
                         "21vianet", 0.2, 0.45, 0.35);
    p->inter[on].markup = 0.25;
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    mb_finish(p);
    mkt_results r;
    sim_err err = {0};
    cr_assert_eq(mkt_results_init(&r, p, &err), SIM_OK);
    cr_assert_eq(mkt_run(p, 5, 0, NULL, &r, &err), SIM_OK, "%s", err.msg);
    /* 500 firms x 1 Mtok x 4 USD x 1.25, every month (no growth). */
    for (size_t m = 0; m < 12; m++) {
        double pay = r.payments[m];
        cr_assert_float_eq(pay, 500 * 4.0 * 1.25, 1e-9 * pay);
        cr_assert_float_eq(r.revenue[m * r.n_actors + oa], 0.2 * pay,
                           1e-12 * pay);
        cr_assert_float_eq(r.revenue[m * r.n_actors + 1], 0.45 * pay,
                           1e-12 * pay);
        cr_assert_float_eq(r.revenue[m * r.n_actors + 2], 0.35 * pay,
                           1e-12 * pay);
    }
    mkt_results_fini(&r);
    mb_free(p);
}

/* ---- queues and detection against closed forms ---------------------------
 */

/* E[min(X, n)] for X ~ Poisson(mu): sum_{k<n} P(X > k). */
static double mean_min_poisson(double mu, unsigned n)
{
    double s = 0;
    for (unsigned k = 0; k < n; k++)
        s += gsl_cdf_poisson_Q(k, mu);
    return s;
}

Test(market, one_server_onboards_at_its_rate, .timeout = 120)
{
    /* At month 1 the only cloud closes with no wind-down; all N users must
     * move to the one domestic vendor, which onboards one at a time, 10 days
     * each: by day t after, min(Poisson(t / 10), N) are through. */
    enum { N = 200, REPS = 30 };
    mkt_params *p = mb_new(8, N, N);
    size_t oa = mb_vendor(p, "openai", MKT_ORIGIN_US, 90, 4.0);
    size_t d = mb_vendor(p, "dom", MKT_ORIGIN_CN, 0, 1.0);
    p->vendors[d].onboarding = (mkt_onboarding){1, 10.0};
    size_t on = mb_inter(p, "cloud", MKT_KIND_ONSHORE, oa, "ms", "op", 0.2,
                         0.5, 0.3);
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_cap = 1.0; /* capability 90 vs 0: nobody picks domestic early */
    s->contract_months = 1000;
    mkt_event *e = mb_event(p, MKT_EV_PARTNERSHIP_END, 1);
    e->intermediary = on;
    e->shock = false;
    mb_finish(p);
    mkt_results res[REPS];
    run_reps(p, REPS, res, NULL);
    for (uint32_t m = 2; m <= 8; m++) {
        double x[REPS], mean;
        for (size_t k = 0; k < REPS; k++)
            x[k] = res[k].channel_count[(m - 1) * NCH + MKT_CH_DOMESTIC];
        double hw = half_width(x, REPS, 0.001 / 7, &mean);
        double want = mean_min_poisson((m - 1) * (365.25 / 12) / 10.0, N);
        cr_assert(fabs(mean - want) <= hw,
                  "month %u: onboarded %.2f, expected %.2f (+- %.2f)", m,
                  mean, want, hw);
        /* Everyone not yet through is waiting, without access. */
        cr_assert_float_eq(
            res[0].channel_count[(m - 1) * NCH + MKT_CH_WAITING] +
                res[0].channel_count[(m - 1) * NCH + MKT_CH_DOMESTIC],
            N, 1e-9);
    }
    /* Firm-days without access in month 2: the integral of the line. */
    cr_assert_gt(res[0].days_without_access[1], 0);
    cr_assert_eq(res[0].days_without_access[0], 0);
    free_reps(res, REPS);
    mb_free(p);
}

Test(market, gray_users_decay_at_the_detection_rate, .timeout = 120)
{
    /* Everyone starts on gray; detection at r per year bans them for longer
     * than the horizon and the only other option is useless, so gray users
     * at month m are N exp(-r m / 12) in expectation. */
    enum { N = 5000, REPS = 20 };
    double rate = 1.5;
    mkt_params *p = mb_new(12, N, N);
    mb_vendor(p, "openai", MKT_ORIGIN_US, 90, 4.0);
    mb_vendor(p, "dom", MKT_ORIGIN_CN, 0, 1.0);
    p->gray = (mkt_gray){.enabled = true, .price_factor = 1.0,
                         .reseller_share = 0.3, .detection_rate = rate,
                         .enforcement = 1.0, .ban_months = 100};
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_cap = 1.0;
    mb_finish(p);
    mkt_results res[REPS];
    run_reps(p, REPS, res, NULL);
    for (uint32_t m = 1; m <= 12; m++) {
        double mean = 0;
        for (size_t k = 0; k < REPS; k++)
            mean += res[k].channel_count[(m - 1) * NCH + MKT_CH_GRAY] / REPS;
        /* Firms are independent, so the count is exactly Binomial(N, pi):
         * a z interval on the known variance, not on the sample's. */
        double pi = exp(-rate * m / 12.0), want = N * pi;
        double hw = gsl_cdf_ugaussian_Qinv(0.001 / 12 / 2) *
                    sqrt(N * pi * (1 - pi) / REPS);
        cr_assert(fabs(mean - want) <= hw,
                  "month %u: gray %.1f, expected %.1f (+- %.1f)", m, mean,
                  want, hw);
    }
    free_reps(res, REPS);
    mb_free(p);
}

/* ---- determinism ---------------------------------------------------------
 */

static bool same_results(const mkt_results *a, const mkt_results *b)
{
    size_t m = a->months, na = a->n_actors;
#define SAME(f, n) (memcmp(a->f, b->f, (n) * sizeof(double)) == 0)
    return SAME(channel_count, m * NCH) && SAME(revenue, m * na) &&
           SAME(payments, m) && SAME(adopters, m) &&
           SAME(frontier_access_share, m) && SAME(switches, m) &&
           SAME(detections, m) && SAME(days_without_access, m) &&
           SAME(capability_gap, m) && SAME(cumulative_revenue, na) &&
           a->events == b->events;
#undef SAME
}

Test(market, same_seed_same_results, .timeout = 60)
{
    mkt_params *p = rich_market(2000);
    mkt_results r[3];
    sim_err err = {0};
    for (int k = 0; k < 3; k++) {
        cr_assert_eq(mkt_results_init(&r[k], p, &err), SIM_OK);
        cr_assert_eq(mkt_run(p, 99, k == 2 ? 1 : 0, NULL, &r[k], &err),
                     SIM_OK);
    }
    cr_assert(same_results(&r[0], &r[1]));
    cr_assert_not(same_results(&r[0], &r[2]));
    for (int k = 0; k < 3; k++)
        mkt_results_fini(&r[k]);
    mb_free(p);
}
