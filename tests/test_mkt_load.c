/* test_mkt_load.c -- the market model's scenario loader (models/mkt_load*.c):
 * every field of a complete scenario, the defaults, the derived counts,
 * weights and actors, the timeline's stable sort, and one message per
 * defect.
 *
 * The fixtures in tests/fixtures/mkt/ are good.cfg (every key the schema
 * has, with values that make derived quantities easy to check), minimal.cfg
 * (only the required keys), inactive.cfg (a disabled gray channel and rules
 * not in force, which need fewer keys) and bad_*.cfg, each a copy of
 * good.cfg with one defect on the same line numbers. Messages are compared
 * whole, so a wrong line, path or wording fails. Overrides go through
 * scen_set, as `aims run --set` does, to check that the loader's own
 * complaints about an overridden value name the override.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mkt.h"
#include "scen.h"

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define FIXDIR    AIMS_SOURCE_DIR "/tests/fixtures/mkt"
#define FIX(name) FIXDIR "/" name

/* ---- helpers ---------------------------------------------------------------
 */

/* Loads path, applies the NULL-ended overrides, reads the model; all must
 * succeed. The document is freed: params own every string they hold. */
static mkt_params *load_ok(const char *path, const char *const sets[])
{
    scen_doc *doc = NULL;
    mkt_params *p = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_load(path, &doc, &err), SIM_OK, "%s", err.msg);
    for (size_t k = 0; sets != NULL && sets[k] != NULL; k++)
        cr_assert_eq(scen_set(doc, sets[k], &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(mkt_load(doc, &p, &err), SIM_OK, "%s", err.msg);
    cr_assert_not_null(p);
    scen_free(doc);
    return p;
}

/* Loads path after the overrides and expects the load or the model to fail
 * with SIM_EINPUT and exactly the message want, leaving *out NULL. */
static void expect_message(const char *path, const char *const sets[],
                           const char *want)
{
    scen_doc *doc = NULL;
    mkt_params *p = NULL;
    sim_err err = {0};
    int rc = scen_load(path, &doc, &err);
    for (size_t k = 0; rc == SIM_OK && sets != NULL && sets[k] != NULL; k++)
        cr_assert_eq(scen_set(doc, sets[k], &err), SIM_OK, "%s", err.msg);
    if (rc == SIM_OK)
        rc = mkt_load(doc, &p, &err);
    cr_assert_eq(rc, SIM_EINPUT, "%s: status %d, message: %s", path, rc,
                 err.msg);
    cr_assert_eq(err.status, SIM_EINPUT);
    cr_assert_null(p, "mkt_load set *out on failure");
    cr_assert_str_eq(err.msg, want);
    scen_free(doc);
}

/* The fixture tests/fixtures/mkt/NAME must fail with "PATH" + rest. */
static void expect_error(const char *name, const char *rest)
{
    char path[256], want[800];
    snprintf(path, sizeof path, "%s/%s", FIXDIR, name);
    snprintf(want, sizeof want, "%s%s", path, rest);
    expect_message(path, NULL, want);
}

/* good.cfg with override assignment must fail with
 * "--set ASSIGNMENT: " + rest. */
static void expect_set_error(const char *assignment, const char *rest)
{
    const char *const sets[] = {assignment, NULL};
    char want[800];
    snprintf(want, sizeof want, "--set %s: %s", assignment, rest);
    expect_message(FIX("good.cfg"), sets, want);
}

/* ---- a good file -----------------------------------------------------------
 */

Test(mkt_load, scenario_and_risk_load_as_written)
{
    mkt_params *p = load_ok(FIX("good.cfg"), NULL);
    cr_assert_str_eq(p->name, "loader test");
    cr_assert_str_eq(p->start, "2026-01");
    cr_assert_eq(p->horizon_months, 36);
    cr_assert_eq(p->replications, 5);
    cr_assert_eq(p->seed, UINT64_C(5000000000));
    cr_assert_eq(p->frontier_tolerance, 2.5);
    cr_assert_eq(p->risk[MKT_CH_NONE], 0.0);
    cr_assert_eq(p->risk[MKT_CH_WAITING], 0.0);
    cr_assert_eq(p->risk[MKT_CH_DIRECT], 0.5);
    cr_assert_eq(p->risk[MKT_CH_ONSHORE], 0.1);
    cr_assert_eq(p->risk[MKT_CH_OFFSHORE], 0.3);
    cr_assert_eq(p->risk[MKT_CH_GRAY], 1.5);
    cr_assert_eq(p->risk[MKT_CH_DOMESTIC], 0.2);
    mkt_params_free(p);
}

Test(mkt_load, vendors_load_as_written_with_origin_defaults)
{
    mkt_params *p = load_ok(FIX("good.cfg"), NULL);
    cr_assert_eq(p->n_vendors, 3);
    const mkt_vendor *v = p->vendors;
    cr_assert_str_eq(v[0].id, "openai");
    cr_assert_eq(v[0].origin, MKT_ORIGIN_US);
    cr_assert_eq(v[0].capability, 100.0);
    cr_assert_eq(v[0].capability_growth, 12.0);
    cr_assert_eq(v[0].price, 4.5);
    cr_assert_eq(v[0].direct_access, false);
    cr_assert_eq(v[0].serve_china_controlled, true);
    cr_assert_str_eq(v[1].id, "anthropic");
    cr_assert_eq(v[1].origin, MKT_ORIGIN_US);
    cr_assert_eq(v[1].capability, 98.0); /* an integer where a number goes */
    cr_assert_eq(v[1].capability_growth, 0.0);       /* default */
    cr_assert_eq(v[1].direct_access, false);         /* default */
    cr_assert_eq(v[1].serve_china_controlled, true); /* default */
    cr_assert_eq(v[1].price, 6.0);
    cr_assert_str_eq(v[2].id, "qwen");
    cr_assert_eq(v[2].origin, MKT_ORIGIN_CN);
    cr_assert_eq(v[2].capability, 90.0);
    cr_assert_eq(v[2].capability_growth, -2.5);
    cr_assert_eq(v[2].price, 0.8);
    cr_assert_eq(v[2].onboarding.servers, 50);
    cr_assert_eq(v[2].onboarding.mean_days, 7.5);
    mkt_params_free(p);
}

Test(mkt_load, intermediaries_load_as_written)
{
    mkt_params *p = load_ok(FIX("good.cfg"), NULL);
    cr_assert_eq(p->n_inter, 3);
    const mkt_intermediary *im = p->inter;
    cr_assert_str_eq(im[0].id, "azure_cn");
    cr_assert_eq(im[0].kind, MKT_KIND_ONSHORE);
    cr_assert_str_eq(p->actors[im[0].parent], "microsoft");
    cr_assert_str_eq(p->actors[im[0].operator_], "21vianet");
    cr_assert(im[0].hosts[0] && !im[0].hosts[1] && !im[0].hosts[2]);
    cr_assert_eq(im[0].markup, 0.2);
    cr_assert_eq(im[0].vendor_share, 0.5);
    cr_assert_eq(im[0].parent_share, 0.3);
    cr_assert_eq(im[0].operator_share, 0.2);
    cr_assert_eq(im[0].onboarding.servers, 20);
    cr_assert_eq(im[0].onboarding.mean_days, 30.0);

    cr_assert_str_eq(im[1].id, "aws_global");
    cr_assert_eq(im[1].kind, MKT_KIND_OFFSHORE);
    cr_assert_str_eq(p->actors[im[1].parent], "amazon");
    cr_assert_eq(im[1].operator_, MKT_NO_INDEX);
    cr_assert(im[1].hosts[0] && im[1].hosts[1] && !im[1].hosts[2]);
    cr_assert_eq(im[1].markup, 0.1);
    cr_assert_eq(im[1].vendor_share, 0.75);
    cr_assert_eq(im[1].parent_share, 0.25);
    cr_assert_eq(im[1].operator_share, 0.0); /* default */
    cr_assert_eq(im[1].onboarding.servers, 100);
    cr_assert_eq(im[1].onboarding.mean_days, 14.0);

    cr_assert_str_eq(im[2].id, "azure_global");
    cr_assert_eq(im[2].parent, im[0].parent, "one parent, one actor");
    cr_assert_eq(im[2].operator_, MKT_NO_INDEX);
    cr_assert_eq(im[2].markup, 0.05);
    cr_assert_eq(im[2].onboarding.mean_days, 10.0);
    mkt_params_free(p);
}

Test(mkt_load, actors_are_vendors_then_parents_and_operators_then_resellers)
{
    mkt_params *p = load_ok(FIX("good.cfg"), NULL);
    static const char *const want[] = {"openai",        "anthropic", "qwen",
                                       "microsoft",     "21vianet",  "amazon",
                                       "gray_resellers"};
    cr_assert_eq(p->n_actors, 7);
    for (size_t a = 0; a < 7; a++)
        cr_assert_str_eq(p->actors[a], want[a], "actor %zu", a);
    cr_assert_eq(p->reseller, 6);
    mkt_params_free(p);
}

Test(mkt_load, an_actor_named_like_a_vendor_is_that_vendor)
{
    const char *const sets[] = {"intermediaries.[1].parent=\"anthropic\"",
                                NULL};
    mkt_params *p = load_ok(FIX("good.cfg"), sets);
    cr_assert_eq(p->inter[1].parent, 1);
    static const char *const want[] = {"openai",   "anthropic",
                                       "qwen",     "microsoft",
                                       "21vianet", "gray_resellers"};
    cr_assert_eq(p->n_actors, 6);
    for (size_t a = 0; a < 6; a++)
        cr_assert_str_eq(p->actors[a], want[a], "actor %zu", a);
    cr_assert_eq(p->reseller, 5);
    mkt_params_free(p);
}

Test(mkt_load, gray_and_rules_load_as_written)
{
    mkt_params *p = load_ok(FIX("good.cfg"), NULL);
    const mkt_gray *g = &p->gray;
    cr_assert_eq(g->enabled, true); /* default when the group is given */
    cr_assert_eq(g->price_factor, 1.3);
    cr_assert_eq(g->reseller_share, 0.4);
    cr_assert_eq(g->detection_rate, 0.05);
    cr_assert_eq(g->enforcement, 1.0);
    cr_assert_eq(g->risk_per_level, 0.5);
    cr_assert_eq(g->ban_months, 12.0); /* default */
    const mkt_rules *r = &p->rules;
    cr_assert_eq(r->cac_filing, true);
    cr_assert_eq(r->soe_foreign_penalty, 2.0);
    cr_assert_eq(r->kyc_active, false);
    cr_assert_eq(r->kyc_cost, 0.0);
    cr_assert_eq(r->kyc_detection_rate, 0.0);
    cr_assert_eq(r->commerce_active, true);
    cr_assert_eq(r->commerce_approval_prob, 0.3);
    for (int ch = 0; ch < MKT_N_CHANNELS; ch++)
        cr_assert_eq(r->commerce_channels[ch],
                     ch == MKT_CH_OFFSHORE || ch == MKT_CH_DIRECT, "%s",
                     mkt_channel_name(ch));
    mkt_params_free(p);
}

Test(mkt_load, sectors_load_as_written)
{
    mkt_params *p = load_ok(FIX("good.cfg"), NULL);
    cr_assert_eq(p->count, 10);
    cr_assert_eq(p->firms, 25000.0);
    cr_assert_eq(p->n_sectors, 3);
    const mkt_sector *s = p->sectors;
    cr_assert_str_eq(s[0].name, "finance");
    cr_assert_eq(s[0].share, 0.333);
    cr_assert_eq(s[0].bass_p, 0.03);
    cr_assert_eq(s[0].bass_q, 0.4);
    cr_assert_eq(s[0].initial_adopters, 0.1);
    cr_assert_eq(s[0].usage_median, 50.0);
    cr_assert_eq(s[0].usage_sigma, 1.5);
    cr_assert_eq(s[0].demand_growth, 0.5);
    cr_assert_eq(s[0].offshore_share, 0.3);
    cr_assert_eq(s[0].public_facing_share, 0.2);
    cr_assert_eq(s[0].state_owned_share, 0.4);
    cr_assert_eq(s[0].b_cap, 0.2);
    cr_assert_eq(s[0].b_price, 1.0);
    cr_assert_eq(s[0].b_risk, 0.8);
    cr_assert_eq(s[0].switching_cost, 1.5);
    cr_assert_eq(s[0].contract_months, 12.0);
    cr_assert_eq(s[0].shock_review_prob, 0.25);
    cr_assert_eq(s[0].n_accounts, 2);
    const mkt_account *a = s[0].accounts;
    cr_assert_str_eq(a[0].name, "bigbank");
    cr_assert_eq(a[0].usage, 1e6);
    cr_assert(a[0].offshore && !a[0].public_facing && a[0].state_owned);
    cr_assert_str_eq(a[1].name, "insurer");
    cr_assert_eq(a[1].usage, 2.5e5);
    cr_assert(!a[1].offshore && a[1].public_facing && !a[1].state_owned);

    cr_assert_str_eq(s[1].name, "retail");
    cr_assert_eq(s[1].demand_growth, -0.1);
    cr_assert_eq(s[1].switching_cost, 0.5);
    cr_assert_eq(s[1].n_accounts, 0); /* no large_accounts key */
    cr_assert_null(s[1].accounts);
    cr_assert_str_eq(s[2].name, "manufacturing");
    cr_assert_eq(s[2].bass_p, 0.0); /* q > 0 is enough */
    cr_assert_eq(s[2].contract_months, 24.0);
    cr_assert_eq(s[2].n_accounts, 0); /* an empty list */
    mkt_params_free(p);
}

Test(mkt_load, counts_by_largest_remainder_and_weights_from_firms)
{
    mkt_params *p = load_ok(FIX("good.cfg"), NULL);
    /* Quotas 3.33, 3.33, 3.34: floors 3, 3, 3, and the one left goes to the
     * largest remainder, the third sector. */
    const mkt_sector *s = p->sectors;
    cr_assert_eq(s[0].count, 3);
    cr_assert_eq(s[1].count, 3);
    cr_assert_eq(s[2].count, 4);
    cr_assert_float_eq(s[0].weight, 25000 * 0.333 / 3, 1e-9);
    cr_assert_float_eq(s[1].weight, 25000 * 0.333 / 3, 1e-9);
    cr_assert_float_eq(s[2].weight, 25000 * 0.334 / 4, 1e-9);
    mkt_params_free(p);
}

Test(mkt_load, equal_remainders_go_to_the_lower_sector_and_zero_weighs_zero)
{
    const char *const sets[] = {"enterprises.count=2",
                                "enterprises.sectors.[0].share=0.25",
                                "enterprises.sectors.[1].share=0.25",
                                "enterprises.sectors.[2].share=0.5", NULL};
    mkt_params *p = load_ok(FIX("good.cfg"), sets);
    /* Quotas 0.5, 0.5, 1: floors 0, 0, 1; the tie goes to sector 0. */
    cr_assert_eq(p->sectors[0].count, 1);
    cr_assert_eq(p->sectors[1].count, 0);
    cr_assert_eq(p->sectors[2].count, 1);
    cr_assert_float_eq(p->sectors[0].weight, 25000 * 0.25, 1e-9);
    cr_assert_eq(p->sectors[1].weight, 0.0);
    cr_assert_float_eq(p->sectors[2].weight, 25000 * 0.5, 1e-9);
    mkt_params_free(p);
}

Test(mkt_load, counts_sum_to_count_when_shares_miss_one_slightly)
{
    /* The shares sum to 1 - 9e-7, inside the tolerance; a hundred million
     * enterprises would leave 90 unassigned without normalising. */
    const char *const sets[] = {"enterprises.count=100000000",
                                "enterprises.sectors.[0].share=0.3329991",
                                NULL};
    mkt_params *p = load_ok(FIX("good.cfg"), sets);
    uint64_t total = 0;
    for (size_t s = 0; s < p->n_sectors; s++)
        total += p->sectors[s].count;
    cr_assert_eq(total, 100000000);
    mkt_params_free(p);
}

Test(mkt_load, timeline_is_sorted_by_month_keeping_file_order_on_ties)
{
    mkt_params *p = load_ok(FIX("good.cfg"), NULL);
    static const struct {
        mkt_event_type type;
        double month;
    } want[] = {
        {MKT_EV_ENFORCEMENT, 0},        {MKT_EV_VENDOR_POLICY, 6},
        {MKT_EV_COMMERCE_RULE, 6},      {MKT_EV_PARTNERSHIP_END, 12},
        {MKT_EV_PRICE_CHANGE, 12},      {MKT_EV_LICENCE_REVOCATION, 18},
        {MKT_EV_CAPABILITY_JUMP, 24.5}, {MKT_EV_KYC_RULE, 30},
        {MKT_EV_CAC_RULE, 30},          {MKT_EV_SOE_PREFERENCE, 36},
    };
    cr_assert_eq(p->n_events, 10);
    for (size_t i = 0; i < 10; i++) {
        cr_assert_eq(p->events[i].type, want[i].type, "event %zu is %s", i,
                     mkt_event_type_name((int)p->events[i].type));
        cr_assert_eq(p->events[i].month, want[i].month, "event %zu", i);
    }
    mkt_params_free(p);
}

Test(mkt_load, events_hold_their_keys_and_unused_fields_are_unset)
{
    mkt_params *p = load_ok(FIX("good.cfg"), NULL);
    const mkt_event *e = p->events;
    /* enforcement */
    cr_assert_eq(e[0].level, 2.0);
    cr_assert_eq(e[0].shock, true);
    cr_assert_eq(e[0].vendor, MKT_NO_INDEX);
    cr_assert_eq(e[0].intermediary, MKT_NO_INDEX);
    cr_assert_eq(e[0].direct_access, -1);
    cr_assert_eq(e[0].serve_china_controlled, -1);
    /* vendor_policy */
    cr_assert_eq(e[1].vendor, 0);
    cr_assert_eq(e[1].intermediary, MKT_NO_INDEX);
    cr_assert_eq(e[1].direct_access, -1);
    cr_assert_eq(e[1].serve_china_controlled, 0);
    cr_assert_eq(e[1].shock, false);
    /* commerce_rule */
    cr_assert_eq(e[2].active, true);
    cr_assert_eq(e[2].compliance_months, 3.0);
    cr_assert_eq(e[2].approval_prob, 0.1);
    for (int ch = 0; ch < MKT_N_CHANNELS; ch++)
        cr_assert_eq(e[2].channels[ch],
                     ch == MKT_CH_ONSHORE || ch == MKT_CH_OFFSHORE, "%s",
                     mkt_channel_name(ch));
    /* partnership_end */
    cr_assert_eq(e[3].intermediary, 0);
    cr_assert_eq(e[3].vendor, MKT_NO_INDEX);
    cr_assert_eq(e[3].wind_down_months, 6.0);
    /* price_change */
    cr_assert_eq(e[4].vendor, 2);
    cr_assert_eq(e[4].factor, 0.5);
    /* licence_revocation */
    cr_assert_eq(e[5].vendor, 1);
    cr_assert_eq(e[5].intermediary, 1);
    /* capability_jump */
    cr_assert_eq(e[6].vendor, 2);
    cr_assert_eq(e[6].delta, 8.0);
    /* kyc_rule */
    cr_assert_eq(e[7].active, true);
    cr_assert_eq(e[7].cost, 0.15);
    cr_assert_eq(e[7].detection_rate, 0.02);
    /* cac_rule */
    cr_assert_eq(e[8].active, false);
    /* soe_preference */
    cr_assert_eq(e[9].penalty, 1.5);
    mkt_params_free(p);
}

Test(mkt_load, overriding_a_month_reorders_the_timeline)
{
    const char *const sets[] = {"timeline.[5].month=18", NULL};
    mkt_params *p = load_ok(FIX("good.cfg"), sets);
    /* The enforcement event moves to month 18, where the revocation is:
     * the file's order decides, and enforcement is timeline.[5], the
     * revocation timeline.[6]. */
    cr_assert_eq(p->events[0].type, MKT_EV_VENDOR_POLICY);
    cr_assert_eq(p->events[4].type, MKT_EV_ENFORCEMENT);
    cr_assert_eq(p->events[4].month, 18.0);
    cr_assert_eq(p->events[5].type, MKT_EV_LICENCE_REVOCATION);
    mkt_params_free(p);
}

Test(mkt_load, minimal_file_gets_every_default)
{
    mkt_params *p = load_ok(FIX("minimal.cfg"), NULL);
    cr_assert_str_eq(p->start, "2030-12");
    cr_assert_eq(p->replications, 20);
    cr_assert_eq(p->seed, 1);
    cr_assert_eq(p->frontier_tolerance, 1.0);
    for (int ch = 0; ch < MKT_N_CHANNELS; ch++)
        cr_assert_eq(p->risk[ch], 0.0);
    cr_assert_eq(p->vendors[0].capability_growth, 0.0);
    cr_assert_eq(p->vendors[0].direct_access, false);
    cr_assert_eq(p->vendors[0].serve_china_controlled, true);
    cr_assert_eq(p->n_inter, 0);
    cr_assert_eq(p->gray.enabled, false);
    cr_assert_eq(p->gray.price_factor, 0.0);
    cr_assert_eq(p->gray.ban_months, 0.0);
    cr_assert_eq(p->rules.cac_filing, false);
    cr_assert_eq(p->rules.soe_foreign_penalty, 0.0);
    cr_assert_eq(p->rules.kyc_active, false);
    cr_assert_eq(p->rules.commerce_active, false);
    for (int ch = 0; ch < MKT_N_CHANNELS; ch++)
        cr_assert_eq(p->rules.commerce_channels[ch], false);
    cr_assert_eq(p->firms, 7.0); /* count */
    cr_assert_eq(p->sectors[0].count, 7);
    cr_assert_eq(p->sectors[0].weight, 1.0);
    cr_assert_eq(p->sectors[0].n_accounts, 0);
    cr_assert_eq(p->n_events, 0);
    cr_assert_eq(p->n_actors, 2);
    cr_assert_str_eq(p->actors[0], "openai");
    cr_assert_str_eq(p->actors[1], "gray_resellers");
    cr_assert_eq(p->reseller, 1);
    mkt_params_free(p);
}

Test(mkt_load, inactive_rules_and_disabled_gray_need_no_numbers)
{
    mkt_params *p = load_ok(FIX("inactive.cfg"), NULL);
    cr_assert_eq(p->gray.enabled, false);
    cr_assert_eq(p->gray.price_factor, 0.0);
    cr_assert_eq(p->gray.reseller_share, 0.0);
    cr_assert_eq(p->gray.enforcement, 0.0);
    cr_assert_eq(p->gray.ban_months, 3.0);
    cr_assert_eq(p->rules.kyc_active, false);
    cr_assert_eq(p->rules.kyc_cost, 0.25); /* given, so checked and kept */
    cr_assert_eq(p->rules.commerce_active, false);
    cr_assert_eq(p->rules.commerce_approval_prob, 0.0);
    cr_assert_eq(p->n_events, 3);
    cr_assert_eq(p->events[0].type, MKT_EV_COMMERCE_RULE);
    cr_assert_eq(p->events[0].active, false);
    cr_assert_eq(p->events[0].compliance_months, 0.0);
    for (int ch = 0; ch < MKT_N_CHANNELS; ch++)
        cr_assert_eq(p->events[0].channels[ch], false);
    cr_assert_eq(p->events[1].type, MKT_EV_KYC_RULE);
    cr_assert_eq(p->events[1].active, false);
    cr_assert_eq(p->events[2].type, MKT_EV_CAC_RULE);
    cr_assert_eq(p->events[2].active, true); /* default */
    cr_assert_eq(p->events[2].month, 12.0);  /* the horizon is allowed */
    mkt_params_free(p);
}

Test(mkt_load, free_of_null_is_a_no_op)
{
    mkt_params_free(NULL);
}

Test(mkt_load, names_of_channels_and_event_types)
{
    cr_assert_str_eq(mkt_channel_name(MKT_CH_NONE), "none");
    cr_assert_str_eq(mkt_channel_name(MKT_CH_WAITING), "waiting");
    cr_assert_str_eq(mkt_channel_name(MKT_CH_DIRECT), "direct");
    cr_assert_str_eq(mkt_channel_name(MKT_CH_ONSHORE), "onshore");
    cr_assert_str_eq(mkt_channel_name(MKT_CH_OFFSHORE), "offshore");
    cr_assert_str_eq(mkt_channel_name(MKT_CH_GRAY), "gray");
    cr_assert_str_eq(mkt_channel_name(MKT_CH_DOMESTIC), "domestic");
    cr_assert_null(mkt_channel_name(-1));
    cr_assert_null(mkt_channel_name(MKT_N_CHANNELS));
    cr_assert_str_eq(mkt_event_type_name(MKT_EV_VENDOR_POLICY),
                     "vendor_policy");
    cr_assert_str_eq(mkt_event_type_name(MKT_EV_LICENCE_REVOCATION),
                     "licence_revocation");
    cr_assert_str_eq(mkt_event_type_name(MKT_EV_PRICE_CHANGE), "price_change");
    cr_assert_null(mkt_event_type_name(-1));
    cr_assert_null(mkt_event_type_name(MKT_N_EVENT_TYPES));
}

/* ---- defects: keys, types, ranges ------------------------------------------
 */

Test(mkt_load, unknown_key_suggests_the_close_one)
{
    expect_error("bad_unknown_key.cfg",
                 ":17: vendors.[0].capabilty: unknown key (did you mean "
                 "'capability'?)");
}

Test(mkt_load, unknown_top_level_key_suggests_the_close_one)
{
    expect_error("bad_unknown_top.cfg",
                 ":80: ruels: unknown key (did you mean 'rules'?)");
}

Test(mkt_load, unknown_key_in_the_risk_group)
{
    expect_error("bad_risk_key.cfg",
                 ":12: risk.domestik: unknown key (did you mean "
                 "'domestic'?)");
}

Test(mkt_load, string_for_a_price_is_a_wrong_type)
{
    expect_error("bad_wrong_type.cfg",
                 ":27: vendors.[1].price: expected a number in (0, 10000], "
                 "got \"cheap\"");
}

Test(mkt_load, markup_out_of_range)
{
    expect_error("bad_range.cfg",
                 ":45: intermediaries.[0].markup: expected a number in "
                 "[0, 10], got 11");
}

Test(mkt_load, truncating_integer_literal_is_refused_with_the_fix)
{
    expect_error("bad_truncated.cfg",
                 ":91: enterprises.count: integer 5000000000 does not fit in "
                 "32 bits and "
                 "libconfig would truncate it; write 5000000000L (or "
                 "5000000000.0)");
}

Test(mkt_load, fraction_for_an_integer_is_refused_not_rounded)
{
    expect_error("bad_fraction.cfg",
                 ":49: intermediaries.[0].onboarding.servers: expected an "
                 "integer in [1, 100000000], got 2.5");
}

Test(mkt_load, infinity_is_refused)
{
    expect_error("bad_inf.cfg",
                 ":74: gray.price_factor: expected a number in (0, 100], got "
                 "inf");
}

Test(mkt_load, negative_seed_is_refused)
{
    expect_error("bad_seed.cfg",
                 ":9: scenario.seed: expected an integer >= 0, got -1");
}

Test(mkt_load, missing_key_points_at_its_group)
{
    expect_error("bad_missing_key.cfg",
                 ":114: enterprises.sectors.[1]: missing 'bass_q' (expected "
                 "a number in [0, 100])");
}

Test(mkt_load, missing_top_level_group_names_the_file)
{
    expect_error("bad_no_enterprises.cfg",
                 ": missing 'enterprises' (expected a group { ... })");
}

Test(mkt_load, number_for_a_group_is_refused)
{
    expect_error("bad_not_group.cfg",
                 ":73: gray: expected a group { ... }, got 1");
}

Test(mkt_load, empty_vendor_list_is_refused)
{
    expect_error("bad_vendors_empty.cfg",
                 ":13: vendors: expected a list of at least 1 element, got 0 "
                 "elements");
}

Test(mkt_load, start_month_13_is_refused)
{
    expect_error("bad_start.cfg",
                 ":6: scenario.start: expected a month \"YYYY-MM\" (MM from "
                 "01 to 12), got \"2026-13\"");
}

Test(mkt_load, start_with_one_month_digit_is_refused)
{
    expect_error("bad_start_form.cfg",
                 ":6: scenario.start: expected a month \"YYYY-MM\" (MM from "
                 "01 to 12), got \"2026-1\"");
}

Test(mkt_load, enabled_gray_channel_needs_its_numbers)
{
    expect_error("bad_gray_missing.cfg",
                 ":73: gray: missing 'reseller_share' (expected a number in "
                 "[0, 1])");
}

Test(mkt_load, active_kyc_rule_needs_its_cost)
{
    expect_error("bad_kyc_missing.cfg",
                 ":83: rules.kyc: missing 'cost' (expected a number in "
                 "[0, 100])");
}

/* A weight class is 16 bits in the enterprise's record: good.cfg with
 * 32,766 more (empty) sectors, 32,769 in all, is refused at the list, with
 * its line; one fewer passes that check and fails at the first empty one,
 * on the next line. Returns the line of "sectors = (". */
static int write_with_more_sectors(const char *path, size_t extra)
{
    FILE *in = fopen(FIX("good.cfg"), "r"), *out = fopen(path, "w");
    cr_assert(in != NULL && out != NULL);
    char line[1024];
    int at = 0;
    for (int n = 1; fgets(line, sizeof line, in) != NULL; n++) {
        fputs(line, out);
        if (strcmp(line, "  sectors = (\n") == 0) {
            at = n;
            for (size_t k = 0; k < extra; k++)
                fputs("{},\n", out);
        }
    }
    fclose(in);
    cr_assert_eq(fclose(out), 0);
    cr_assert_gt(at, 0, "good.cfg has no sectors list");
    return at;
}

Test(mkt_load, more_sectors_than_a_record_holds_are_refused, .timeout = 60)
{
    char dir[] = "/tmp/aims-sectors-XXXXXX", path[64], want[256];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/many.cfg", dir);
    int at = write_with_more_sectors(path, 32766);
    snprintf(want, sizeof want,
             "%s:%d: enterprises.sectors: expected a list of 1 to 32768 "
             "elements, got 32769 elements",
             path, at);
    expect_message(path, NULL, want);
    at = write_with_more_sectors(path, 32765);
    snprintf(want, sizeof want,
             "%s:%d: enterprises.sectors.[0]: missing 'name' (expected a "
             "non-empty string)",
             path, at + 1);
    expect_message(path, NULL, want);
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(rmdir(dir), 0);
}

Test(mkt_load, bass_p_and_q_both_zero_is_refused)
{
    expect_error("bad_bass_zero.cfg",
                 ":134: enterprises.sectors.[2].bass_q: expected bass_p + "
                 "bass_q > 0 (else no one ever adopts), got 0 + 0");
}

/* ---- defects: ids, names, references --------------------------------------
 */

Test(mkt_load, id_with_a_space_is_refused)
{
    expect_error("bad_id_pattern.cfg",
                 ":24: vendors.[1].id: expected a name of letters, digits, "
                 "'_' and '-', got \"anthropic ai\"");
}

Test(mkt_load, actor_name_with_a_space_is_refused)
{
    expect_error("bad_actor_name.cfg",
                 ":64: intermediaries.[2].parent: expected a name of letters, "
                 "digits, '_' and '-', got \"micro soft\"");
}

Test(mkt_load, reseller_actor_name_is_reserved)
{
    expect_error("bad_reserved_actor.cfg",
                 ":43: intermediaries.[0].operator: 'gray_resellers' is "
                 "reserved for the gray channel's resellers (expected another "
                 "name)");
}

Test(mkt_load, duplicate_vendor_id)
{
    expect_error("bad_duplicate_vendor.cfg",
                 ":30: vendors.[2].id: duplicate id 'openai' (already the id "
                 "of vendors.[0])");
}

Test(mkt_load, intermediary_id_equal_to_a_vendor_id)
{
    expect_error("bad_duplicate_id.cfg",
                 ":62: intermediaries.[2].id: duplicate id 'openai' (already "
                 "the id of vendors.[0])");
}

Test(mkt_load, duplicate_sector_name)
{
    expect_error("bad_sector_dup.cfg",
                 ":131: enterprises.sectors.[2].name: duplicate sector name "
                 "'finance' (already enterprises.sectors.[0])");
}

Test(mkt_load, duplicate_large_account_name)
{
    expect_error("bad_account_dup.cfg",
                 ":111: enterprises.sectors.[0].large_accounts.[1].name: "
                 "duplicate large account 'bigbank' (already "
                 "enterprises.sectors.[0].large_accounts.[0])");
}

Test(mkt_load, hosts_naming_no_vendor_suggests_the_close_one)
{
    expect_error("bad_hosts_dangling.cfg",
                 ":44: intermediaries.[0].hosts.[0]: no vendor 'opneai' (did "
                 "you mean 'openai'?)");
}

Test(mkt_load, event_naming_no_vendor_lists_the_vendors)
{
    expect_error("bad_event_vendor.cfg",
                 ":152: timeline.[2].vendor: no vendor 'gemini' (vendors are: "
                 "openai, anthropic, qwen)");
}

Test(mkt_load, event_naming_no_intermediary_suggests_the_close_one)
{
    expect_error("bad_event_inter.cfg",
                 ":150: timeline.[0].intermediary: no intermediary "
                 "'azure-cn' (did you mean 'azure_cn'?)");
}

Test(mkt_load, intermediary_id_where_a_vendor_belongs_says_so)
{
    expect_error("bad_ref_kind.cfg",
                 ":154: timeline.[4].vendor: no vendor 'azure_cn' "
                 "('azure_cn' is an intermediary)");
}

Test(mkt_load, hosts_naming_a_cn_vendor_is_refused)
{
    expect_error("bad_hosts_cn.cfg",
                 ":55: intermediaries.[1].hosts.[1]: 'qwen' is a cn vendor "
                 "(expected a us vendor: the onshore and offshore channels "
                 "serve US models; cn models go through the domestic "
                 "channel)");
}

Test(mkt_load, hosts_naming_a_vendor_twice_is_refused)
{
    expect_error("bad_hosts_dup.cfg",
                 ":55: intermediaries.[1].hosts.[1]: 'anthropic' is listed "
                 "twice (expected each vendor at most once)");
}

/* ---- defects: origin and kind ---------------------------------------------
 */

Test(mkt_load, onboarding_on_a_us_vendor_is_refused)
{
    expect_error("bad_onboarding_us.cfg",
                 ":27: vendors.[1].onboarding: not allowed for a us vendor "
                 "(only a cn vendor has an onboarding queue; a us vendor's "
                 "customers onboard at an intermediary)");
}

Test(mkt_load, cn_vendor_without_onboarding_is_refused)
{
    expect_error("bad_cn_no_onboarding.cfg",
                 ":29: vendors.[2]: missing 'onboarding' (expected a group { "
                 "servers; mean_days; }: a cn vendor onboards its own "
                 "customers)");
}

Test(mkt_load, direct_access_on_a_cn_vendor_is_refused)
{
    expect_error("bad_cn_direct_access.cfg",
                 ":34: vendors.[2].direct_access: not allowed for a cn vendor "
                 "(only a us vendor has a policy toward China; a cn vendor is "
                 "reached through the domestic channel)");
}

Test(mkt_load, operator_on_an_offshore_intermediary_is_refused)
{
    expect_error("bad_operator_offshore.cfg",
                 ":54: intermediaries.[1].operator: not allowed for an "
                 "offshore intermediary (only an onshore one has a local "
                 "operator)");
}

Test(mkt_load, onshore_intermediary_without_operator_is_refused)
{
    expect_error("bad_onshore_no_operator.cfg",
                 ":39: intermediaries.[0]: missing 'operator' (expected a "
                 "name: an onshore intermediary is run by a local "
                 "operator)");
}

Test(mkt_load, operator_share_on_an_offshore_intermediary_is_refused)
{
    expect_error("bad_operator_share_offshore.cfg",
                 ":69: intermediaries.[2].operator_share: expected 0 for an "
                 "offshore intermediary (it has no local operator), got "
                 "0.1");
}

/* ---- defects: sums ---------------------------------------------------------
 */

Test(mkt_load, revenue_shares_not_summing_to_one_give_the_sum)
{
    expect_error("bad_inter_shares.cfg",
                 ":39: intermediaries.[0]: vendor_share + parent_share + "
                 "operator_share = 0.9, expected 1 (within 1e-9)");
}

Test(mkt_load, sector_shares_not_summing_to_one_give_the_sum)
{
    expect_error("bad_sector_shares.cfg",
                 ":93: enterprises.sectors: the sectors' shares sum to 0.99, "
                 "expected 1 (within 1e-6)");
}

/* ---- defects: the timeline -------------------------------------------------
 */

Test(mkt_load, event_after_the_horizon_is_refused)
{
    expect_error("bad_event_after_horizon.cfg",
                 ":159: timeline.[9].month: expected a number in [0, 36], got "
                 "36.5");
}

Test(mkt_load, event_before_the_start_is_refused)
{
    expect_error("bad_event_negative.cfg",
                 ":155: timeline.[5].month: expected a number in [0, 36], got "
                 "-1");
}

Test(mkt_load, key_of_another_event_type_is_refused_with_the_right_keys)
{
    expect_error("bad_event_foreign_key.cfg",
                 ":154: timeline.[4].factor: not a key of a capability_jump "
                 "event (expected one of: id, month, type, shock, vendor, "
                 "delta)");
}

Test(mkt_load, misspelt_event_key_suggests_the_close_one)
{
    expect_error("bad_event_key_typo.cfg",
                 ":150: timeline.[0].wind_down_month: unknown key (did you "
                 "mean 'wind_down_months'?)");
}

Test(mkt_load, misspelt_event_type_suggests_the_close_one)
{
    expect_error("bad_event_type.cfg",
                 ":157: timeline.[7].type: expected one of \"vendor_policy\", "
                 "\"partnership_end\", \"licence_revocation\", "
                 "\"commerce_rule\", \"kyc_rule\", \"cac_rule\", "
                 "\"soe_preference\", \"enforcement\", \"capability_jump\", "
                 "\"price_change\", \"rule\", \"suspend\", \"restore\", "
                 "got \"kyc_rules\" (did you mean \"kyc_rule\"?)");
}

Test(mkt_load, vendor_policy_that_changes_nothing_is_refused)
{
    expect_error("bad_policy_no_change.cfg",
                 ":151: timeline.[1]: missing 'direct_access' or "
                 "'serve_china_controlled' (a vendor_policy event changes at "
                 "least one)");
}

Test(mkt_load, vendor_policy_for_a_cn_vendor_is_refused)
{
    expect_error("bad_policy_cn.cfg",
                 ":151: timeline.[1].vendor: 'qwen' is a cn vendor (expected "
                 "a us vendor: a vendor_policy event sets a US vendor's "
                 "policy toward China)");
}

Test(mkt_load, partnership_end_offshore_is_refused)
{
    expect_error("bad_partnership_offshore.cfg",
                 ":150: timeline.[0].intermediary: 'aws_global' is offshore "
                 "(expected an onshore intermediary: only those have a local "
                 "operator to part with)");
}

Test(mkt_load, revoking_a_licence_never_held_is_refused)
{
    expect_error("bad_revocation_unhosted.cfg",
                 ":156: timeline.[6].intermediary: 'azure_cn' does not host "
                 "'anthropic' (expected an intermediary whose hosts include "
                 "it)");
}

Test(mkt_load, active_commerce_rule_needs_channels)
{
    expect_error("bad_commerce_event_missing.cfg",
                 ":153: timeline.[3]: missing 'channels' (expected a list of "
                 "at least 1 element)");
}

Test(mkt_load, channel_a_rule_cannot_cover_is_refused)
{
    expect_error("bad_channel.cfg",
                 ":87: rules.commerce.channels.[1]: expected one of "
                 "\"direct\", \"onshore\", \"offshore\", \"gray\", got "
                 "\"domestic\"");
}

Test(mkt_load, channel_listed_twice_is_refused)
{
    expect_error("bad_channel_dup.cfg",
                 ":153: timeline.[3].channels.[1]: \"onshore\" is listed "
                 "twice (expected each channel at most once)");
}

/* ---- defects through --set -------------------------------------------------
 */

Test(mkt_load, override_out_of_range_names_the_override)
{
    expect_set_error("enterprises.sectors.[1].bass_q=-1",
                     "enterprises.sectors.[1].bass_q: expected a number in "
                     "[0, 100], got -1");
}

Test(mkt_load, override_past_the_horizon_names_the_override)
{
    expect_set_error("timeline.[0].month=37",
                     "timeline.[0].month: expected a number in [0, 36], got "
                     "37");
}

Test(mkt_load, override_to_a_cn_host_names_the_override)
{
    expect_set_error("intermediaries.[0].hosts.[0]=\"qwen\"",
                     "intermediaries.[0].hosts.[0]: 'qwen' is a cn vendor "
                     "(expected a us vendor: the onshore and offshore "
                     "channels serve US models; cn models go through the "
                     "domestic channel)");
}

Test(mkt_load, override_naming_a_vendor_as_intermediary_says_so)
{
    expect_set_error("timeline.[0].intermediary=\"openai\"",
                     "timeline.[0].intermediary: no intermediary 'openai' "
                     "('openai' is a vendor)");
}

Test(mkt_load, override_of_infinity_names_the_override)
{
    expect_set_error("vendors.[0].price=1e999",
                     "vendors.[0].price: expected a number in (0, 10000], got "
                     "inf");
}

Test(mkt_load, override_breaking_a_sum_is_reported_at_the_file_line)
{
    /* The sum is a property of the list, which is still the file's. */
    const char *const sets[] = {"enterprises.sectors.[0].share=0.5", NULL};
    expect_message(FIX("good.cfg"), sets,
                   FIX("good.cfg") ":93: enterprises.sectors: the sectors' "
                                   "shares sum to 1.167, expected 1 (within "
                                   "1e-6)");
}
