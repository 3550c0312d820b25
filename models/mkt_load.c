/* mkt_load.c -- the market model's scenario loader: a scen_doc (after its
 * --set overrides) into a validated mkt_params (mkt.h); mkt_params_free.
 *
 * The schema is mkt.h's, key by key; docs/scenarios.md is the users'
 * reference. Reading is one pass in a fixed order -- scenario, risk,
 * vendors, intermediaries, gray, rules, enterprises (mkt_load_ent.c),
 * timeline (mkt_load_timeline.c) -- so a reference always points at
 * something already read (hosts and events name vendors and
 * intermediaries), and the defect reported is the first in that order.
 * Within a group the keys are checked before any value is read: an unknown
 * key is usually a misspelt one that would otherwise be reported missing.
 *
 * Decisions a newcomer may question:
 *  - The params are built in place and freed whole on failure. Every array
 *    is allocated zeroed at its final length and its count set at once, so
 *    mkt_params_free can free a half-read scenario without knowing where
 *    reading stopped.
 *  - The actors (revenue recipients) are derived, not written: the vendor
 *    ids, then each intermediary's parent and operator names in turn, a name
 *    seen before being the same actor, then "gray_resellers", which no
 *    scenario may use as a name so that mkt_params.reseller is unambiguous.
 *  - A key allowed for one origin or kind only (onboarding for a cn vendor,
 *    operator for an onshore cloud) is in the group's allowed keys and
 *    refused afterwards with the reason, rather than left to
 *    scen_check_keys, whose "unknown key" would be misleading.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkt_load_internal.h"

#define TRY MKT_LOAD__TRY

/* The actor that stands for the gray channel's resellers. */
static const char reseller_name[] = "gray_resellers";

/* ---- ids and actors -------------------------------------------------------
 */

/* Refuses id (at setting s) if one of the first nv vendors or ni
 * intermediaries has it: both kinds share one namespace, so a reference
 * can never be ambiguous. */
static int check_unique_id(const mkt_params *p, size_t nv, size_t ni,
                           const char *id, const config_setting_t *s,
                           sim_err *err)
{
    for (size_t v = 0; v < nv; v++)
        if (strcmp(p->vendors[v].id, id) == 0)
            return scen_error(err, s,
                              "duplicate id '%s' (already the id of "
                              "vendors.[%zu])",
                              id, v);
    for (size_t i = 0; i < ni; i++)
        if (strcmp(p->inter[i].id, id) == 0)
            return scen_error(err, s,
                              "duplicate id '%s' (already the id of "
                              "intermediaries.[%zu])",
                              id, i);
    return SIM_OK;
}

static int refuse_reserved(const config_setting_t *g, const char *key,
                           const char *name, sim_err *err)
{
    if (strcmp(name, reseller_name) != 0)
        return SIM_OK;
    return scen_error(err, config_setting_get_member(g, key),
                      "'%s' is reserved for the gray channel's resellers "
                      "(expected another name)",
                      name);
}

/* Member key of g as an actor name: the index of the actor of that name,
 * added at the end if new. p->actors has room (see read_intermediaries). */
static int get_actor(mkt_params *p, const config_setting_t *g, const char *key,
                     size_t *out, sim_err *err)
{
    const char *name;
    TRY(mkt_load__id(g, key, &name, err));
    TRY(refuse_reserved(g, key, name, err));
    for (size_t a = 0; a < p->n_actors; a++)
        if (strcmp(p->actors[a], name) == 0) {
            *out = a;
            return SIM_OK;
        }
    char *d = strdup(name);
    if (d == NULL)
        return mkt_load__nomem(err);
    p->actors[p->n_actors] = d;
    *out = p->n_actors++;
    return SIM_OK;
}

/* ---- scenario and risk -----------------------------------------------------
 */

/* "YYYY-MM" with a month from 01 to 12. */
static bool is_year_month(const char *s)
{
    if (strlen(s) != 7 || s[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !(s[i] >= '0' && s[i] <= '9'))
            return false;
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    return month >= 1 && month <= 12;
}

static int read_start(const config_setting_t *g, mkt_params *p, sim_err *err)
{
    const char *v;
    TRY(scen_get_string(g, "start", &v, err));
    if (!is_year_month(v)) {
        char got[80];
        mkt_load__quote(got, sizeof got, v);
        return scen_error(err, config_setting_get_member(g, "start"),
                          "expected a month \"YYYY-MM\" (MM from 01 to 12), "
                          "got %s",
                          got);
    }
    if ((p->start = strdup(v)) == NULL)
        return mkt_load__nomem(err);
    return SIM_OK;
}

/* The scenario keys of issue 12's outputs (docs/scenarios.md): the scale
 * of the frontier access index, and the window the "final" metrics average.
 * The window's default is 12 months, or the whole horizon when that is
 * shorter; a window given must fit in the horizon. */
static int read_outputs(const config_setting_t *g, mkt_params *p,
                        sim_err *err)
{
    p->frontier_tau = 2.0;
    if (scen_has(g, "frontier_tau"))
        TRY(mkt_load__open_num(g, "frontier_tau", 0.0, 1000.0,
                               &p->frontier_tau, err));
    p->final_window_months = p->horizon_months < 12 ? p->horizon_months : 12;
    if (!scen_has(g, "final_window_months"))
        return SIM_OK;
    TRY(mkt_load__u32(g, "final_window_months", 1, 1200,
                      &p->final_window_months, err));
    if (p->final_window_months > p->horizon_months)
        return scen_error(err, config_setting_get_member(g,
                                                         "final_window_months"),
                          "expected at most horizon_months (%u): the final "
                          "window is the last months of the run, got %u",
                          p->horizon_months, p->final_window_months);
    return SIM_OK;
}

static int read_scenario(const config_setting_t *root, mkt_params *p,
                         sim_err *err)
{
    static const char *const keys[] = {"name",
                                       "start",
                                       "horizon_months",
                                       "replications",
                                       "seed",
                                       "frontier_tolerance",
                                       "burn_in_months",
                                       "shock_reviews",
                                       "frontier_tau",
                                       "final_window_months",
                                       NULL};
    static const char *const reviews[] = {"touched", "all", NULL};
    const config_setting_t *g;
    TRY(scen_get_group(root, "scenario", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(mkt_load__string(g, "name", &p->name, err));
    TRY(read_start(g, p, err));
    TRY(mkt_load__u32(g, "horizon_months", 1, 1200, &p->horizon_months, err));
    p->replications = 20;
    if (scen_has(g, "replications"))
        TRY(mkt_load__u32(g, "replications", 1, 1000000, &p->replications,
                          err));
    p->seed = 1;
    if (scen_has(g, "seed")) {
        int64_t seed;
        TRY(scen_get_int(g, "seed", 0, INT64_MAX, &seed, err));
        p->seed = (uint64_t)seed;
    }
    TRY(mkt_load__opt_num(g, "burn_in_months", 0.0, 1200.0, 0.0,
                          &p->burn_in_months, err));
    p->review_all = false;
    if (scen_has(g, "shock_reviews")) {
        size_t k;
        TRY(scen_get_enum(g, "shock_reviews", reviews, &k, err));
        p->review_all = k == 1;
    }
    TRY(mkt_load__opt_num(g, "frontier_tolerance", 0.0, 1000.0, 1.0,
                          &p->frontier_tolerance, err));
    return read_outputs(g, p, err);
}

static int read_risk(const config_setting_t *root, mkt_params *p, sim_err *err)
{
    static const char *const keys[] = {"direct", "onshore",  "offshore",
                                       "gray",   "domestic", NULL};
    static const int code[] = {MKT_CH_DIRECT, MKT_CH_ONSHORE, MKT_CH_OFFSHORE,
                               MKT_CH_GRAY, MKT_CH_DOMESTIC};
    if (!scen_has(root, "risk"))
        return SIM_OK; /* every channel's risk stays 0 */
    const config_setting_t *g;
    TRY(scen_get_group(root, "risk", &g, err));
    TRY(scen_check_keys(g, keys, err));
    for (size_t k = 0; keys[k] != NULL; k++)
        TRY(mkt_load__opt_num(g, keys[k], 0.0, 1000.0, 0.0, &p->risk[code[k]],
                              err));
    return SIM_OK;
}

/* ---- vendors ---------------------------------------------------------------
 */

static int read_onboarding(const config_setting_t *g, mkt_onboarding *o,
                           sim_err *err)
{
    static const char *const keys[] = {"servers", "mean_days", NULL};
    const config_setting_t *q;
    TRY(scen_get_group(g, "onboarding", &q, err));
    TRY(scen_check_keys(q, keys, err));
    TRY(mkt_load__u32(q, "servers", 1, 100000000, &o->servers, err));
    return mkt_load__open_num(q, "mean_days", 0.0, 3650.0, &o->mean_days, err);
}

/* A US vendor's policy toward China; it is reached directly, through
 * intermediaries and through resellers, never through a queue of its own. */
static int read_us_vendor(const config_setting_t *g, mkt_vendor *vd,
                          sim_err *err)
{
    TRY(mkt_load__opt_bool(g, "direct_access", false, &vd->direct_access, err));
    TRY(mkt_load__opt_bool(g, "serve_china_controlled", true,
                           &vd->serve_china_controlled, err));
    if (scen_has(g, "onboarding"))
        return scen_error(err, config_setting_get_member(g, "onboarding"),
                          "not allowed for a us vendor (only a cn vendor has "
                          "an onboarding queue; a us vendor's customers "
                          "onboard at an intermediary)");
    return SIM_OK;
}

/* A Chinese vendor: its own channel (domestic) with its own onboarding
 * queue; US policy toward China does not apply to it. */
static int read_cn_vendor(const config_setting_t *g, mkt_vendor *vd,
                          sim_err *err)
{
    static const char *const us_only[] = {"direct_access",
                                          "serve_china_controlled", NULL};
    for (size_t k = 0; us_only[k] != NULL; k++)
        if (scen_has(g, us_only[k]))
            return scen_error(err, config_setting_get_member(g, us_only[k]),
                              "not allowed for a cn vendor (only a us vendor "
                              "has a policy toward China; a cn vendor is "
                              "reached through the domestic channel)");
    if (!scen_has(g, "onboarding"))
        return scen_error(err, g,
                          "missing 'onboarding' (expected a group { servers; "
                          "mean_days; }: a cn vendor onboards its own "
                          "customers)");
    return read_onboarding(g, &vd->onboarding, err);
}

static int read_vendor(mkt_params *p, const config_setting_t *g, size_t v,
                       sim_err *err)
{
    static const char *const keys[] = {"id",
                                       "origin",
                                       "capability",
                                       "capability_growth",
                                       "price",
                                       "direct_access",
                                       "serve_china_controlled",
                                       "exclusion_channels",
                                       "onboarding",
                                       "hosting",
                                       "weights",
                                       "closed_frontier",
                                       "marginal_cost", /* agents: */
                                       "pricing",
                                       "china_policy",
                                       NULL};
    static const char *const origins[] = {"us", "cn", NULL};
    mkt_vendor *vd = &p->vendors[v];
    const char *id;
    size_t origin;
    TRY(scen_as_group(g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(mkt_load__id(g, "id", &id, err));
    TRY(refuse_reserved(g, "id", id, err));
    TRY(check_unique_id(p, v, 0, id, config_setting_get_member(g, "id"), err));
    if ((vd->id = strdup(id)) == NULL)
        return mkt_load__nomem(err);
    TRY(scen_get_enum(g, "origin", origins, &origin, err));
    vd->origin = origin == 0 ? MKT_ORIGIN_US : MKT_ORIGIN_CN;
    TRY(scen_get_number(g, "capability", 0.0, 1000.0, &vd->capability, err));
    TRY(mkt_load__opt_num(g, "capability_growth", -100.0, 100.0, 0.0,
                          &vd->capability_growth, err));
    TRY(mkt_load__open_num(g, "price", 0.0, 10000.0, &vd->price, err));
    /* The US-only defaults, also on cn vendors, where nothing reads them. */
    vd->direct_access = false;
    vd->serve_china_controlled = true;
    TRY(mkt_load__vendor_legal(p, g, vd, err));
    TRY(mkt_load__vendor_agent(g, vd, err)); /* mkt_load_agents.c */
    if (vd->origin == MKT_ORIGIN_US)
        return read_us_vendor(g, vd, err);
    return read_cn_vendor(g, vd, err);
}

static int read_vendors(const config_setting_t *root, mkt_params *p,
                        sim_err *err)
{
    const config_setting_t *l;
    size_t n;
    TRY(scen_get_list(root, "vendors", 1, SIZE_MAX, &l, &n, err));
    if ((p->vendors = calloc(n, sizeof *p->vendors)) == NULL)
        return mkt_load__nomem(err);
    p->n_vendors = n;
    for (size_t v = 0; v < n; v++)
        TRY(read_vendor(p, config_setting_get_elem(l, (unsigned)v), v, err));
    return SIM_OK;
}

/* ---- intermediaries --------------------------------------------------------
 */

static int read_hosts(mkt_params *p, const config_setting_t *g,
                      mkt_intermediary *im, sim_err *err)
{
    const config_setting_t *l;
    size_t n;
    TRY(scen_get_list(g, "hosts", 1, SIZE_MAX, &l, &n, err));
    if ((im->hosts = calloc(p->n_vendors, sizeof *im->hosts)) == NULL)
        return mkt_load__nomem(err);
    for (size_t k = 0; k < n; k++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)k);
        size_t v;
        TRY(mkt_load__vendor_ref(p, e, &v, err));
        if (p->vendors[v].origin == MKT_ORIGIN_CN)
            return scen_error(err, e,
                              "'%s' is a cn vendor (expected a us vendor: "
                              "the onshore and offshore channels serve US "
                              "models; cn models go through the domestic "
                              "channel)",
                              p->vendors[v].id);
        if (im->hosts[v])
            return scen_error(err, e,
                              "'%s' is listed twice (expected each vendor at "
                              "most once)",
                              p->vendors[v].id);
        im->hosts[v] = true;
    }
    return SIM_OK;
}

/* The split of each payment; money is conserved only if it sums to 1. */
static int read_shares(const config_setting_t *g, mkt_intermediary *im,
                       sim_err *err)
{
    TRY(scen_get_prob(g, "vendor_share", &im->vendor_share, err));
    TRY(scen_get_prob(g, "parent_share", &im->parent_share, err));
    TRY(mkt_load__opt_num(g, "operator_share", 0.0, 1.0, 0.0,
                          &im->operator_share, err));
    if (im->kind == MKT_KIND_OFFSHORE && im->operator_share != 0.0) {
        char got[32];
        scen_fmt_number(got, sizeof got, im->operator_share);
        return scen_error(err, config_setting_get_member(g, "operator_share"),
                          "expected 0 for an offshore intermediary (it has "
                          "no local operator), got %s",
                          got);
    }
    double sum = im->vendor_share + im->parent_share + im->operator_share;
    if (!(fabs(sum - 1.0) <= 1e-9))
        return scen_error(err, g,
                          "vendor_share + parent_share + operator_share = "
                          "%.12g, expected 1 (within 1e-9)",
                          sum);
    return SIM_OK;
}

static int read_inter(mkt_params *p, const config_setting_t *g, size_t i,
                      sim_err *err)
{
    static const char *const keys[] = {"id",
                                       "kind",
                                       "parent",
                                       "operator",
                                       "hosts",
                                       "markup",
                                       "vendor_share",
                                       "parent_share",
                                       "operator_share",
                                       "onboarding",
                                       "hosting",
                                       "weights",
                                       "contracting",
                                       "marginal_cost", /* agents: */
                                       "markup_policy",
                                       "capacity_policy",
                                       "exit_policy",
                                       NULL};
    static const char *const kinds[] = {"onshore", "offshore", NULL};
    mkt_intermediary *im = &p->inter[i];
    const char *id;
    size_t kind;
    TRY(scen_as_group(g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(mkt_load__id(g, "id", &id, err));
    TRY(check_unique_id(p, p->n_vendors, i, id,
                        config_setting_get_member(g, "id"), err));
    if ((im->id = strdup(id)) == NULL)
        return mkt_load__nomem(err);
    TRY(scen_get_enum(g, "kind", kinds, &kind, err));
    im->kind = kind == 0 ? MKT_KIND_ONSHORE : MKT_KIND_OFFSHORE;
    TRY(get_actor(p, g, "parent", &im->parent, err));
    im->operator_ = MKT_NO_INDEX;
    if (im->kind == MKT_KIND_ONSHORE) {
        if (!scen_has(g, "operator"))
            return scen_error(err, g,
                              "missing 'operator' (expected a name: an "
                              "onshore intermediary is run by a local "
                              "operator)");
        TRY(get_actor(p, g, "operator", &im->operator_, err));
    } else if (scen_has(g, "operator")) {
        return scen_error(err, config_setting_get_member(g, "operator"),
                          "not allowed for an offshore intermediary (only an "
                          "onshore one has a local operator)");
    }
    TRY(read_hosts(p, g, im, err));
    TRY(scen_get_number(g, "markup", 0.0, 10.0, &im->markup, err));
    TRY(read_shares(g, im, err));
    TRY(mkt_load__inter_legal(p, g, im, err));
    TRY(read_onboarding(g, &im->onboarding, err));
    return mkt_load__inter_agent(g, im, err); /* mkt_load_agents.c */
}

/* Reads the intermediaries and derives the actors, which they name. */
static int read_intermediaries(const config_setting_t *root, mkt_params *p,
                               sim_err *err)
{
    const config_setting_t *l = NULL;
    size_t n = 0;
    if (scen_has(root, "intermediaries"))
        TRY(scen_get_list(root, "intermediaries", 0, SIZE_MAX, &l, &n, err));
    /* Room for every vendor, a new parent and operator per intermediary,
     * and the resellers. */
    size_t cap = p->n_vendors + 2 * n + 1;
    if ((p->actors = calloc(cap, sizeof *p->actors)) == NULL)
        return mkt_load__nomem(err);
    for (size_t v = 0; v < p->n_vendors; v++) {
        if ((p->actors[v] = strdup(p->vendors[v].id)) == NULL)
            return mkt_load__nomem(err);
        p->n_actors++;
    }
    if (n > 0 && (p->inter = calloc(n, sizeof *p->inter)) == NULL)
        return mkt_load__nomem(err);
    p->n_inter = n;
    for (size_t i = 0; i < n; i++)
        TRY(read_inter(p, config_setting_get_elem(l, (unsigned)i), i, err));
    assert(p->n_actors < cap);
    if ((p->actors[p->n_actors] = strdup(reseller_name)) == NULL)
        return mkt_load__nomem(err);
    p->reseller = p->n_actors++;
    return SIM_OK;
}

/* ---- gray channel and rules ------------------------------------------------
 */

static int read_gray(const config_setting_t *root, mkt_params *p, sim_err *err)
{
    static const char *const keys[] = {
        "enabled",     "price_factor",   "reseller_share", "detection_rate",
        "enforcement", "risk_per_level", "ban_months",     "hosting",
        NULL};
    mkt_gray *gr = &p->gray;
    if (!scen_has(root, "gray")) /* no gray channel: all zero, disabled */
        return mkt_load__region(p, NULL, "hosting", "abroad", &gr->hosting,
                                err);
    const config_setting_t *g;
    TRY(scen_get_group(root, "gray", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(mkt_load__region(p, g, "hosting", "abroad", &gr->hosting, err));
    TRY(mkt_load__opt_bool(g, "enabled", true, &gr->enabled, err));
    /* A disabled channel needs no numbers; given ones are still checked. */
    bool need = gr->enabled;
    if (need || scen_has(g, "price_factor"))
        TRY(mkt_load__open_num(g, "price_factor", 0.0, 100.0, &gr->price_factor,
                               err));
    if (need || scen_has(g, "reseller_share"))
        TRY(scen_get_prob(g, "reseller_share", &gr->reseller_share, err));
    if (need || scen_has(g, "detection_rate"))
        TRY(scen_get_number(g, "detection_rate", 0.0, 1000.0,
                            &gr->detection_rate, err));
    if (need || scen_has(g, "enforcement"))
        TRY(scen_get_number(g, "enforcement", 0.0, 1000.0, &gr->enforcement,
                            err));
    TRY(mkt_load__opt_num(g, "risk_per_level", 0.0, 1000.0, 0.0,
                          &gr->risk_per_level, err));
    return mkt_load__opt_num(g, "ban_months", 0.0, 1200.0, 12.0,
                             &gr->ban_months, err);
}

static int read_rules(const config_setting_t *root, mkt_params *p, sim_err *err)
{
    static const char *const keys[] = {"cac_filing", "soe_foreign_penalty",
                                       "kyc", "commerce", "conditions", NULL};
    static const char *const kyc_keys[] = {"active", "cost", "detection_rate",
                                           NULL};
    static const char *const commerce_keys[] = {"active", "approval_prob",
                                                "channels", NULL};
    mkt_rules *r = &p->rules;
    if (!scen_has(root, "rules"))
        return SIM_OK; /* no rule in force at the start */
    const config_setting_t *g, *sub;
    TRY(scen_get_group(root, "rules", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(mkt_load__opt_bool(g, "cac_filing", false, &r->cac_filing, err));
    TRY(mkt_load__opt_num(g, "soe_foreign_penalty", 0.0, 1000.0, 0.0,
                          &r->soe_foreign_penalty, err));
    if (scen_has(g, "kyc")) {
        TRY(scen_get_group(g, "kyc", &sub, err));
        TRY(scen_check_keys(sub, kyc_keys, err));
        TRY(mkt_load__kyc(sub, &r->kyc_active, &r->kyc_cost,
                          &r->kyc_detection_rate, err));
    }
    if (scen_has(g, "commerce")) {
        TRY(scen_get_group(g, "commerce", &sub, err));
        TRY(scen_check_keys(sub, commerce_keys, err));
        TRY(mkt_load__commerce(sub, &r->commerce_active,
                               &r->commerce_approval_prob, r->commerce_channels,
                               err));
    }
    return SIM_OK;
}

/* ---- entry points ----------------------------------------------------------
 */

static int read_params(const config_setting_t *root, mkt_params *p,
                       sim_err *err)
{
    static const char *const keys[] = {"scenario",       "risk",     "vendors",
                                       "intermediaries", "gray",     "rules",
                                       "enterprises",    "timeline",
                                       "regulators",     "agents", NULL};
    TRY(scen_check_keys(root, keys, err));
    TRY(read_scenario(root, p, err));
    TRY(read_risk(root, p, err));
    TRY(read_vendors(root, p, err));
    TRY(read_intermediaries(root, p, err));
    TRY(read_gray(root, p, err));
    TRY(read_rules(root, p, err));
    TRY(mkt_load__regulators(root, p, err)); /* mkt_load_agents.c */
    TRY(mkt_load__enterprises(root, p, err));
    const config_setting_t *rules = config_setting_get_member(root, "rules");
    TRY(mkt_load__conditions(p, rules, err));
    return mkt_load__timeline(root, p, err);
}

int mkt_load(const scen_doc *doc, mkt_params **out, sim_err *err)
{
    assert(doc != NULL && out != NULL);
    mkt_params *p = calloc(1, sizeof *p);
    if (p == NULL)
        return mkt_load__nomem(err);
    int rc = read_params(scen_root(doc), p, err);
    if (rc != SIM_OK) {
        mkt_params_free(p);
        return rc;
    }
    *out = p;
    return SIM_OK;
}

void mkt_params_free(mkt_params *p)
{
    if (p == NULL)
        return;
    for (size_t v = 0; v < p->n_vendors; v++)
        free(p->vendors[v].id);
    for (size_t i = 0; i < p->n_inter; i++) {
        free(p->inter[i].id);
        free(p->inter[i].hosts);
    }
    for (size_t s = 0; s < p->n_sectors; s++) {
        mkt_sector *sec = &p->sectors[s];
        for (size_t a = 0; a < sec->n_accounts; a++)
            free(sec->accounts[a].name);
        free(sec->accounts);
        free(sec->name);
    }
    for (size_t a = 0; a < p->n_actors; a++)
        free(p->actors[a]);
    mkt_load__free_legal(p);
    free(p->vendors);
    free(p->inter);
    free(p->sectors);
    free(p->events);
    free(p->actors);
    free(p->name);
    free(p->start);
    free(p);
}
