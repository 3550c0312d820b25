/* test_legal.c -- the legal structure: each rule on a tiny market where it
 * is known by hand exactly who loses which option, and when.
 *
 * Every market here has one US vendor worth far more than the domestic
 * fallback (so every firm that may use it does, with probability 1 - 1e-9
 * or so), everyone adopted at the start, contracts of one month, and rules
 * at month 3 (in force from then: checked at the end of months 2 and 4).
 * Counts are of simulated firms, read off the month-end observer, so each
 * check is exact, not statistical, except the licence test, whose share of
 * refusals is a Binomial proportion.
 *
 *  - a vendor's China-controlled exclusion at 49% and 51% China ownership
 *    of the subsidiary abroad, abroad only and on every channel;
 *  - the weights rule with the weights onshore and offshore;
 *  - an intermediary's cut-off of individuals;
 *  - the remote-access licence for China-headquartered buyers;
 *  - an affiliates rule suspended and restored;
 *  - CAC filing as a delay for public-facing use;
 *  - a cost carried by the buyer (fewer choose the option) and by the
 *    intermediary (its compliance cost, its revenue unchanged);
 *  - the old rule kinds and the same rules written as data give the same
 *    results bit for bit.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mkt.h"
#include "mkt_build.h"

#define NCH MKT_N_CHANNELS

enum { MONTHS = 8 };

/* What the observer records at each month end. */
typedef struct {
    size_t on[MONTHS + 1][NCH]; /* simulated firms using each channel */
    size_t bad[MONTHS + 1];     /* firms on something unavailable to them */
} trace;

static void observe(void *ctx, const mkt_world *w, uint32_t month)
{
    trace *t = ctx;
    if (month > MONTHS)
        return;
    for (int ch = 0; ch < NCH; ch++)
        t->on[month][ch] = mkt_world_users(w, ch, MKT_NO_INDEX, MKT_NO_INDEX);
    t->bad[month] = mkt_world_unavailable_users(w);
}

/* A market of n enterprises (weight 1), all adopted, one sector; vendor
 * "us" (0) worth much more than the domestic fallback "cn" (1). */
static mkt_params *market(uint32_t n)
{
    mkt_params *p = mb_new(MONTHS, n, n);
    mb_vendor(p, "us", MKT_ORIGIN_US, 100, 1.0);
    mb_vendor(p, "cn", MKT_ORIGIN_CN, 50, 1.0);
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_cap = 1.0;
    s->contract_months = 1;
    return p;
}

static void run(const mkt_params *p, trace *t, mkt_results *r)
{
    sim_err err = {0};
    memset(t, 0, sizeof *t);
    mkt_run_opts o = {.on_month = observe, .ctx = t};
    cr_assert_eq(mkt_results_init(r, p, &err), SIM_OK);
    cr_assert_eq(mkt_run(p, 17, 0, &o, r, &err), SIM_OK, "%s", err.msg);
    for (int m = 1; m <= MONTHS; m++)
        cr_assert_eq(t->bad[m], 0, "month %d: %zu firms on what is not "
                     "available to them", m, t->bad[m]);
}

/* ---- a vendor's exclusion --------------------------------------------------
 */

/* One large account with a subsidiary abroad owned `own` by its Chinese
 * parent, reaching "us" through an offshore cloud; ten ordinary firms with
 * no subsidiary. The vendor excludes firms more than half China-owned from
 * month 3: the account loses the offshore option at 51%, keeps it at 49%. */
static size_t offshore_users_after(double own)
{
    mkt_params *p = market(10);
    mb_inter(p, "global", MKT_KIND_OFFSHORE, 0, "cloud", NULL, 0.2, 0.8, 0);
    mkt_sector *s = &p->sectors[0];
    s->accounts = calloc(1, sizeof *s->accounts);
    s->accounts[0] = (mkt_account){.name = mb_strdup("acct"), .usage = 100,
                                   .offshore = true,
                                   .subsidiary_ownership = own};
    s->n_accounts = 1;
    mkt_event *e = mb_event(p, MKT_EV_VENDOR_POLICY, 3);
    e->vendor = 0;
    e->serve_china_controlled = 0;
    mb_finish(p);
    trace t;
    mkt_results r;
    run(p, &t, &r);
    cr_assert_eq(t.on[2][MKT_CH_OFFSHORE], 1, "the account is offshore "
                 "before the rule");
    size_t after = t.on[4][MKT_CH_OFFSHORE];
    free(s->accounts[0].name); /* not the builder's to free */
    mkt_results_fini(&r);
    mb_free(p);
    return after;
}

Test(legal, exclusion_above_half_owned_at_51_not_49)
{
    cr_assert_eq(offshore_users_after(0.51), 0);
    cr_assert_eq(offshore_users_after(0.49), 1);
    cr_assert_eq(offshore_users_after(0.50), 1, "more than half: 50%% is not");
}

/* The same exclusion on every channel that serves the vendor's models: ten
 * firms headquartered in China (wholly China-owned) on an onshore cloud
 * lose it; abroad only, they keep it. */
static size_t onshore_users_after(bool all_channels)
{
    mkt_params *p = market(10);
    mb_inter(p, "cloud", MKT_KIND_ONSHORE, 0, "parent", "op", 0.2, 0.5, 0.3);
    mkt_event *e = mb_event(p, MKT_EV_VENDOR_POLICY, 3);
    e->vendor = 0;
    e->serve_china_controlled = 0;
    if (all_channels)
        e->excl_channels[MKT_CH_DIRECT] = e->excl_channels[MKT_CH_ONSHORE] =
            true;
    mb_finish(p);
    trace t;
    mkt_results r;
    run(p, &t, &r);
    cr_assert_eq(t.on[2][MKT_CH_ONSHORE], 10);
    size_t after = t.on[4][MKT_CH_ONSHORE];
    mkt_results_fini(&r);
    mb_free(p);
    return after;
}

Test(legal, exclusion_names_its_channels)
{
    cr_assert_eq(onshore_users_after(false), 10, "abroad only spares clouds");
    cr_assert_eq(onshore_users_after(true), 0, "every channel: clouds too");
}

/* ---- the weights rule ------------------------------------------------------
 */

/* Frontier weights may not sit in China from month 3: an onshore cloud
 * keeping the weights onshore loses its users; one serving them from
 * Singapore keeps them. */
static size_t users_after_weights_rule(uint8_t weights)
{
    mkt_params *p = market(10);
    size_t i = mb_inter(p, "cloud", MKT_KIND_ONSHORE, 0, "parent", "op", 0.2,
                        0.5, 0.3);
    p->inter[i].hosting = p->inter[i].weights = weights;
    mkt_rule *r = mb_rule(p, "weights", MKT_RULE_FORBID, 3);
    r->cond.weights = UINT64_C(1) << MB_CN;
    r->cond.closed_frontier = 1;
    mb_finish(p);
    trace t;
    mkt_results res;
    run(p, &t, &res);
    cr_assert_eq(t.on[2][MKT_CH_ONSHORE], 10);
    size_t after = t.on[4][MKT_CH_ONSHORE];
    mkt_results_fini(&res);
    mb_free(p);
    return after;
}

Test(legal, weights_rule_onshore_versus_offshore)
{
    cr_assert_eq(users_after_weights_rule(MB_CN), 0);
    cr_assert_eq(users_after_weights_rule(MB_SG), 10);
}

/* ---- individuals -----------------------------------------------------------
 */

/* Ten individual developers and ten enterprises on an onshore cloud; the
 * cloud cuts off individuals at month 3. */
Test(legal, individuals_cut_off_by_one_intermediary)
{
    mkt_params *p = market(20);
    mb_inter(p, "cloud", MKT_KIND_ONSHORE, 0, "parent", "op", 0.2, 0.5, 0.3);
    p->sectors[0].share = 0.5;
    mkt_sector *ind = mb_sector(p, "devs", 0.5);
    char *name = ind->name; /* mb_sector's copy, kept over the struct copy */
    *ind = p->sectors[0];
    ind->name = name;
    ind->buyer_kind = MKT_BUYER_INDIVIDUAL;
    mkt_rule *r = mb_rule(p, "no_individuals", MKT_RULE_FORBID, 3);
    r->cond.inters = 1;
    r->cond.buyer_kinds = 1u << MKT_BUYER_INDIVIDUAL;
    mb_buyers_set(r);
    mb_finish(p);
    trace t;
    mkt_results res;
    run(p, &t, &res);
    cr_assert_eq(t.on[2][MKT_CH_ONSHORE], 20);
    cr_assert_eq(t.on[4][MKT_CH_ONSHORE], 10, "only the enterprises remain");
    cr_assert_eq(t.on[4][MKT_CH_DOMESTIC], 10, "the individuals went "
                 "domestic");
    mkt_results_fini(&res);
    mb_free(p);
}

/* ---- remote access ---------------------------------------------------------
 */

/* A licence for China-headquartered buyers of hosted frontier models, from
 * month 3: at approval 0 all such buyers lose them, at 1 none does, at 0.3
 * the share kept is Binomial(n, 0.3)/n. Firms headquartered abroad are not
 * asked. */
static void remote_access(double approval, size_t *cn_kept, size_t *abroad)
{
    enum { N = 4000 };
    mkt_params *p = market(N);
    mb_inter(p, "cloud", MKT_KIND_ONSHORE, 0, "parent", "op", 0.2, 0.5, 0.3);
    p->inter[0].hosting = p->inter[0].weights = MB_SG;
    p->sectors[0].hq_abroad_share = 0.25;
    mkt_rule *r = mb_rule(p, "remote", MKT_RULE_LICENCE, 3);
    r->approval_prob = approval;
    r->cond.closed_frontier = 1;
    r->cond.channels = 1u << MKT_CH_ONSHORE;
    r->cond.hq = 1; /* "cn" */
    mb_buyers_set(r);
    mb_finish(p);
    trace t;
    mkt_results res;
    run(p, &t, &res);
    cr_assert_eq(t.on[2][MKT_CH_ONSHORE], N);
    *cn_kept = t.on[4][MKT_CH_ONSHORE];
    *abroad = t.on[4][MKT_CH_DOMESTIC];
    mkt_results_fini(&res);
    mb_free(p);
}

Test(legal, remote_access_licence_for_china_headquartered_buyers)
{
    size_t kept, dom;
    remote_access(0.0, &kept, &dom);
    /* Left: exactly the firms headquartered abroad (about 1,000). */
    size_t abroad = kept;
    cr_assert(abroad > 850 && abroad < 1150, "%zu abroad", abroad);
    cr_assert_eq(kept + dom, 4000);
    remote_access(1.0, &kept, &dom);
    cr_assert_eq(kept, 4000);
    remote_access(0.3, &kept, &dom);
    /* The same firms are abroad (their attributes are hashes); of the
     * 4000 - abroad China-headquartered, a Binomial 0.3 keep access. */
    double n = 4000 - (double)abroad, got = (double)(kept - abroad) / n;
    double hw = gsl_cdf_ugaussian_Pinv(0.9995) * sqrt(0.3 * 0.7 / n);
    cr_assert(fabs(got - 0.3) <= hw, "kept %.4f, approval 0.3 +- %.4f", got,
              hw);
}

/* ---- the affiliates rule ---------------------------------------------------
 */

/* Listed affiliates may not use US models from month 3; the rule is
 * suspended at month 5 and restored at month 7. With one-month contracts
 * they come back during the suspension and leave again. */
Test(legal, affiliates_rule_suspended_and_restored)
{
    mkt_params *p = market(1000);
    p->vendors[0].direct_access = true;
    p->sectors[0].listed_share = 0.3;
    mkt_rule *r = mb_rule(p, "affiliates", MKT_RULE_FORBID, 3);
    r->cond.origins = 1u << MKT_ORIGIN_US;
    r->cond.listed = 1;
    mb_buyers_set(r);
    mkt_event *e = mb_event(p, MKT_EV_SUSPEND, 5);
    e->rule = 0;
    e = mb_event(p, MKT_EV_RESTORE, 7);
    e->rule = 0;
    mb_finish(p);
    trace t;
    mkt_results res;
    run(p, &t, &res);
    size_t listed = 1000 - t.on[4][MKT_CH_DIRECT];
    cr_assert_eq(t.on[2][MKT_CH_DIRECT], 1000);
    cr_assert(listed > 240 && listed < 360, "%zu listed", listed);
    cr_assert_eq(t.on[4][MKT_CH_DOMESTIC], listed);
    cr_assert_eq(t.on[6][MKT_CH_DIRECT], 1000, "back during the suspension");
    cr_assert_eq(t.on[8][MKT_CH_DIRECT], 1000 - listed, "out again");
    mkt_results_fini(&res);
    mb_free(p);
}

/* ---- CAC filing as a delay -------------------------------------------------
 */

/* Nobody adopted at the start; everyone adopts within days (p = 1000 a
 * year); the only option is domestic. Public-facing use must be filed
 * first: two months for those firms, while the others start at once. */
Test(legal, filing_delays_public_facing_use)
{
    mkt_params *p = mb_new(MONTHS, 1000, 1000);
    mb_vendor(p, "cn", MKT_ORIGIN_CN, 50, 1.0);
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->bass_p = 1000;
    s->public_facing_share = 0.5;
    s->contract_months = 12;
    mkt_rule *r = mb_rule(p, "filing", MKT_RULE_DELAY, 0);
    r->delay_months = 2.0;
    r->cond.public_facing = 1;
    mb_buyers_set(r);
    /* In force from the start: rules.conditions, not a month-0 event. */
    p->n_events = 0;
    p->rules.conditions = calloc(1, sizeof *p->rules.conditions);
    p->rules.n_conditions = 1;
    mb_finish(p);
    trace t;
    mkt_results res;
    run(p, &t, &res);
    size_t at1 = t.on[1][MKT_CH_DOMESTIC];
    cr_assert(at1 > 400 && at1 < 600, "month 1: %zu on domestic (the "
              "non-public half)", at1);
    cr_assert_eq(t.on[1][MKT_CH_WAITING], 0, "filing is not in a queue");
    cr_assert_eq(t.on[3][MKT_CH_DOMESTIC], 1000, "month 3: all filed");
    mkt_results_fini(&res);
    mb_free(p);
}

/* ---- costs and their bearer ------------------------------------------------
 */

/* Two options, direct and onshore, of the same model; a cost rule on the
 * onshore one from month 0. Carried by the buyer (cost 1, a doubled
 * perceived price), its logit share falls from 1/2 to 1/3 (b_price 1, no
 * switching cost); carried by the intermediary (cost 0.1), the shares stay
 * 1/2 and the operator books 0.1 of what the onshore users pay as
 * compliance cost, its revenue unchanged. */
static void cost_case(mkt_bearer bearer, double cost, double *share,
                      double *comp_ratio)
{
    enum { N = 20000 };
    mkt_params *p = mb_new(6, N, N);
    mb_vendor(p, "us", MKT_ORIGIN_US, 100, 1.0);
    p->vendors[0].direct_access = true;
    size_t i = mb_inter(p, "cloud", MKT_KIND_ONSHORE, 0, "parent", "op", 0.2,
                        0.5, 0.3);
    (void)i;
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 1.0;
    s->bass_p = 0;
    s->b_price = 1.0;
    s->contract_months = 1;
    mkt_rule *r = mb_rule(p, "cost", MKT_RULE_COST, 0);
    r->cost = cost;
    r->bearer = bearer;
    r->cond.channels = 1u << MKT_CH_ONSHORE;
    p->n_events = 0;
    p->rules.conditions = calloc(1, sizeof *p->rules.conditions);
    p->rules.n_conditions = 1;
    mb_finish(p);
    trace t;
    mkt_results res;
    run(p, &t, &res);
    *share = (double)t.on[6][MKT_CH_ONSHORE] / N;
    size_t op = 2; /* actors: us, parent, op */
    cr_assert_str_eq(p->actors[op], "op");
    *comp_ratio = res.compliance_cost[5 * p->n_actors + op] /
                  (res.revenue[5 * p->n_actors + 1] / 0.5); /* parent 0.5 */
    mkt_results_fini(&res);
    mb_free(p);
}

Test(legal, cost_falls_on_its_bearer)
{
    double share, ratio;
    double hw = gsl_cdf_ugaussian_Pinv(0.9995) * sqrt(0.25 / 20000);
    cost_case(MKT_BEARER_BUYER, 1.0, &share, &ratio);
    cr_assert(fabs(share - 1.0 / 3) <= hw, "buyer's cost: share %.4f", share);
    cr_assert_eq(ratio, 0.0);
    cost_case(MKT_BEARER_INTERMEDIARY, 0.1, &share, &ratio);
    cr_assert(fabs(share - 0.5) <= hw, "cloud's cost: share %.4f", share);
    cr_assert_float_eq(ratio, 0.1, 1e-9, "compliance cost / payments %.6f",
                       ratio);
}

/* ---- the old kinds are instances -------------------------------------------
 */

static bool same(const mkt_results *a, const mkt_results *b)
{
    size_t m = a->months;
    return memcmp(a->channel_count, b->channel_count,
                  m * NCH * sizeof(double)) == 0 &&
           memcmp(a->revenue, b->revenue, m * a->n_actors * sizeof(double)) ==
               0 &&
           memcmp(a->switches, b->switches, m * sizeof(double)) == 0;
}

/* A market with an onshore cloud, offshore subsidiaries, gray and public-
 * facing firms, and one rule at month 3 in one of two forms. */
static mkt_params *rich(void)
{
    mkt_params *p = market(3000);
    p->vendors[0].direct_access = true;
    mb_inter(p, "cloud", MKT_KIND_ONSHORE, 0, "parent", "op", 0.2, 0.5, 0.3);
    mb_inter(p, "global", MKT_KIND_OFFSHORE, 0, "gparent", NULL, 0.2, 0.8, 0);
    p->gray = (mkt_gray){.enabled = true, .price_factor = 1.0,
                         .reseller_share = 0.3, .hosting = MB_ABROAD};
    mkt_sector *s = &p->sectors[0];
    s->b_cap = 0.05; /* a spread of choices */
    s->public_facing_share = 0.4;
    s->offshore_share = 0.5;
    s->switching_cost = 0.5;
    s->shock_review_prob = 0.3;
    return p;
}

static void run_both(mkt_params *a, mkt_params *b)
{
    mb_finish(a);
    mb_finish(b);
    for (uint32_t rep = 0; rep < 3; rep++) {
        sim_err err = {0};
        mkt_results ra, rb;
        mkt_results_init(&ra, a, &err);
        mkt_results_init(&rb, b, &err);
        cr_assert_eq(mkt_run(a, 5, rep, NULL, &ra, &err), SIM_OK, "%s",
                     err.msg);
        cr_assert_eq(mkt_run(b, 5, rep, NULL, &rb, &err), SIM_OK, "%s",
                     err.msg);
        cr_assert(same(&ra, &rb), "replication %u differs", rep);
        mkt_results_fini(&ra);
        mkt_results_fini(&rb);
    }
    mb_free(a);
    mb_free(b);
}

Test(legal, cac_rule_is_a_forbid_rule)
{
    mkt_params *a = rich(), *b = rich();
    mb_event(a, MKT_EV_CAC_RULE, 3);
    mkt_rule *r = mb_rule(b, "cac", MKT_RULE_FORBID, 3);
    r->cond.origins = 1u << MKT_ORIGIN_US;
    r->cond.public_facing = 1;
    mb_buyers_set(r);
    run_both(a, b);
}

Test(legal, commerce_rule_is_a_licence_rule)
{
    mkt_params *a = rich(), *b = rich();
    mkt_event *e = mb_event(a, MKT_EV_COMMERCE_RULE, 3);
    e->approval_prob = 0.6;
    e->channels[MKT_CH_ONSHORE] = e->channels[MKT_CH_OFFSHORE] = true;
    mkt_rule *r = mb_rule(b, "commerce", MKT_RULE_LICENCE, 3);
    r->approval_prob = 0.6;
    r->cond.origins = 1u << MKT_ORIGIN_US;
    r->cond.channels = (1u << MKT_CH_ONSHORE) | (1u << MKT_CH_OFFSHORE);
    run_both(a, b);
}

Test(legal, vendor_exclusion_is_a_forbid_rule)
{
    mkt_params *a = rich(), *b = rich();
    mkt_event *e = mb_event(a, MKT_EV_VENDOR_POLICY, 3);
    e->vendor = 0;
    e->serve_china_controlled = 0;
    mkt_rule *r = mb_rule(b, "excl", MKT_RULE_FORBID, 3);
    r->cond.vendors = 1;
    r->cond.channels = 1u << MKT_CH_OFFSHORE;
    r->cond.own_above = 0.5;
    mb_buyers_set(r);
    run_both(a, b);
}

/* A rule suspended during its compliance window does not come into force
 * at the window's end (the AI Diffusion rule, rescinded before its
 * compliance date, facts 1); restored later, it applies from then. */
Test(legal, rule_suspended_in_its_window_waits_for_restore)
{
    mkt_params *p = market(1000);
    p->vendors[0].direct_access = true;
    p->sectors[0].listed_share = 0.3;
    mkt_rule *r = mb_rule(p, "affiliates", MKT_RULE_FORBID, 3);
    r->cond.origins = 1u << MKT_ORIGIN_US;
    r->cond.listed = 1;
    mb_buyers_set(r);
    p->events[0].compliance_months = 2; /* in force at month 5 ... */
    mkt_event *e = mb_event(p, MKT_EV_SUSPEND, 4); /* ... but suspended */
    e->rule = 0;
    e = mb_event(p, MKT_EV_RESTORE, 7);
    e->rule = 0;
    mb_finish(p);
    trace t;
    mkt_results res;
    run(p, &t, &res);
    cr_assert_eq(t.on[6][MKT_CH_DIRECT], 1000, "not in force while suspended");
    size_t listed = 1000 - t.on[8][MKT_CH_DIRECT];
    cr_assert(listed > 240 && listed < 360, "restored: %zu out", listed);
    mkt_results_fini(&res);
    mb_free(p);
}
