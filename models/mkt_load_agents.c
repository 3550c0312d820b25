/* mkt_load_agents.c -- the scenario loader's keys of the deciding agents
 * (mkt_agents.h): under a vendor marginal_cost, pricing and china_policy;
 * under an intermediary marginal_cost, markup_policy, capacity_policy and
 * exit_policy; and the top-level `regulators` group.
 *
 * A vendor's or intermediary's agent keys may instead be written in the
 * top-level `agents` group under its id (agents = { deepseek = { pricing =
 * { ... }; }; }), never in both places: a scenario that includes a shared
 * market file cannot add keys to the market's groups (libconfig refuses a
 * setting given twice), so this is how escalation.cfg and price_war.cfg make
 * the shared market's agents decide.
 *
 * Every key of a policy group is accepted whatever the policy, so that a
 * sweep or --set can switch a policy on in a file that carries its
 * numbers; every given value is type- and range-checked either way, and
 * the values a policy needs are required only when it is chosen ("missing
 * 'wait_days' (... the "grow" policy needs it)"). A group that only makes
 * sense for one kind of agent (china_policy for a us vendor, promotions
 * for a cn one, exit_policy for an onshore cloud) is refused elsewhere
 * with the reason. Messages are the loader's usual "FILE:LINE: PATH: ..."
 * with did-you-mean for unknown keys (scen.h).
 *
 * Defaults are set whether or not a group is given, so the parameters mean
 * the same in a file without any agent key: every policy "fixed".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkt_load_internal.h"

#define TRY MKT_LOAD__TRY

/* Member key of g as an integer number of months in [1, 1200]. */
static int get_period(const config_setting_t *g, uint32_t def, uint32_t *out,
                      sim_err *err)
{
    *out = def;
    if (!scen_has(g, "period_months"))
        return SIM_OK;
    return mkt_load__u32(g, "period_months", 1, 1200, out, err);
}

/* `policy`: index into names, 0 (the first, "fixed") when absent. */
static int get_policy(const config_setting_t *g, const char *const names[],
                      size_t *out, sim_err *err)
{
    *out = 0;
    if (!scen_has(g, "policy"))
        return SIM_OK;
    return scen_get_enum(g, "policy", names, out, err);
}

/* A key the chosen policy needs: missing is an error naming the policy. */
static int need(const config_setting_t *g, const char *key, const char *what,
                const char *policy, sim_err *err)
{
    if (scen_has(g, key))
        return SIM_OK;
    return scen_error(err, g,
                      "missing '%s' (expected %s: the \"%s\" policy needs it)",
                      key, what, policy);
}

/* min and max as an interval: max below min is refused at max. */
static int check_order(const config_setting_t *g, const char *lo_key,
                       double lo, const char *hi_key, double hi, sim_err *err)
{
    if (lo <= hi)
        return SIM_OK;
    char a[32], b[32];
    scen_fmt_number(a, sizeof a, lo);
    scen_fmt_number(b, sizeof b, hi);
    const config_setting_t *s = config_setting_get_member(g, hi_key);
    return scen_error(err, s ? s : g, "expected at least %s (%s), got %s",
                      lo_key, a, b);
}

/* A key present in g but not allowed for this agent. */
static int refuse(const config_setting_t *g, const char *key, const char *why,
                  sim_err *err)
{
    return scen_error(err, config_setting_get_member(g, key), "%s", why);
}

/* ---- where an agent's keys are -------------------------------------------
 */

static const char *const vendor_agent_keys[] = {"marginal_cost", "pricing",
                                                "china_policy", NULL};
static const char *const inter_agent_keys[] = {
    "marginal_cost", "markup_policy", "capacity_policy", "exit_policy", NULL};

/* The group that holds agent keys of the vendor or intermediary whose own
 * group is g and id `id`: g, or agents.<id> at the top level (checked
 * against `keys`). Both holding some is refused. */
static int agent_source(const config_setting_t *g, const char *id,
                        const char *const keys[], const config_setting_t **out,
                        sim_err *err)
{
    const config_setting_t *root = g;
    while (config_setting_parent(root) != NULL)
        root = config_setting_parent(root);
    const config_setting_t *ag = config_setting_get_member(root, "agents");
    const config_setting_t *top =
        ag && config_setting_is_group(ag) ? config_setting_get_member(ag, id)
                                          : NULL;
    *out = g;
    if (top == NULL)
        return SIM_OK;
    TRY(scen_as_group(top, err));
    TRY(scen_check_keys(top, keys, err));
    for (size_t k = 0; keys[k] != NULL; k++)
        if (scen_has(g, keys[k]))
            return scen_error(err, top,
                              "'%s' already has agent keys in its own group "
                              "(%s at line %d): expected them in one place",
                              id, keys[k],
                              config_setting_source_line(
                                  config_setting_get_member(g, keys[k])));
    *out = top;
    return SIM_OK;
}

/* ---- vendors ---------------------------------------------------------------
 */

static int read_pricing(const config_setting_t *vg, mkt_vendor *vd,
                        sim_err *err)
{
    static const char *const keys[] = {"policy",           "period_months",
                                       "speed",            "min_price",
                                       "max_price",        "promotion_factor",
                                       "promotion_months", NULL};
    static const char *const policies[] = {"fixed", "best_response",
                                           "promotion", NULL};
    mkt_pricing *pr = &vd->pricing;
    pr->policy = MKT_PRICING_FIXED;
    pr->period_months = 3;
    pr->speed = 1.0;
    pr->min_price = vd->price / 100.0;
    pr->max_price = fmin(vd->price * 100.0, 1e6);
    pr->promotion_factor = 1.0;
    pr->promotion_months = 3.0;
    if (!scen_has(vg, "pricing"))
        return SIM_OK;
    const config_setting_t *g;
    size_t k;
    TRY(scen_get_group(vg, "pricing", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(get_policy(g, policies, &k, err));
    pr->policy = (mkt_pricing_policy)k;
    TRY(get_period(g, 3, &pr->period_months, err));
    if (scen_has(g, "speed"))
        TRY(mkt_load__open_num(g, "speed", 0.0, 1.0, &pr->speed, err));
    if (scen_has(g, "min_price"))
        TRY(mkt_load__open_num(g, "min_price", 0.0, 1e6, &pr->min_price, err));
    if (scen_has(g, "max_price"))
        TRY(mkt_load__open_num(g, "max_price", 0.0, 1e6, &pr->max_price, err));
    TRY(check_order(g, "min_price", pr->min_price, "max_price", pr->max_price,
                    err));
    bool promo = pr->policy == MKT_PRICING_PROMOTION ||
                 scen_has(g, "promotion_factor");
    if (promo && vd->origin == MKT_ORIGIN_US)
        return refuse(g,
                      scen_has(g, "promotion_factor") ? "promotion_factor"
                                                      : "policy",
                      "not allowed for a us vendor (a promotion answers a US "
                      "rival leaving a channel: cn vendors only)",
                      err);
    if (pr->policy == MKT_PRICING_PROMOTION)
        TRY(need(g, "promotion_factor", "a number in (0, 1]", "promotion",
                 err));
    if (scen_has(g, "promotion_factor"))
        TRY(mkt_load__open_num(g, "promotion_factor", 0.0, 1.0,
                               &pr->promotion_factor, err));
    if (scen_has(g, "promotion_months"))
        TRY(mkt_load__open_num(g, "promotion_months", 0.0, 1200.0,
                               &pr->promotion_months, err));
    return SIM_OK;
}

static int read_china_policy(const config_setting_t *vg, mkt_vendor *vd,
                             sim_err *err)
{
    static const char *const keys[] = {"policy", "period_months", "penalty",
                                       "hazard", "hazard_per_stance", NULL};
    static const char *const policies[] = {"fixed", "penalty", NULL};
    mkt_china_policy *cp = &vd->china;
    cp->period_months = 3;
    if (!scen_has(vg, "china_policy"))
        return SIM_OK;
    if (vd->origin == MKT_ORIGIN_CN)
        return refuse(vg, "china_policy",
                      "not allowed for a cn vendor (only a us vendor has a "
                      "policy toward China)",
                      err);
    const config_setting_t *g;
    size_t k;
    TRY(scen_get_group(vg, "china_policy", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(get_policy(g, policies, &k, err));
    cp->penalty = k == 1;
    TRY(get_period(g, 3, &cp->period_months, err));
    if (cp->penalty)
        TRY(need(g, "penalty", "a number in [0, 1e13], USD", "penalty", err));
    TRY(mkt_load__opt_num(g, "penalty", 0.0, 1e13, 0.0, &cp->penalty_usd,
                          err));
    TRY(mkt_load__opt_num(g, "hazard", 0.0, 100.0, 0.0, &cp->hazard, err));
    return mkt_load__opt_num(g, "hazard_per_stance", 0.0, 100.0, 0.0,
                             &cp->hazard_per_stance, err);
}

int mkt_load__vendor_agent(const config_setting_t *vg, mkt_vendor *vd,
                           sim_err *err)
{
    const config_setting_t *g;
    TRY(agent_source(vg, vd->id, vendor_agent_keys, &g, err));
    TRY(mkt_load__opt_num(g, "marginal_cost", 0.0, 10000.0, 0.0,
                          &vd->marginal_cost, err));
    TRY(read_pricing(g, vd, err));
    return read_china_policy(g, vd, err);
}

/* ---- intermediaries --------------------------------------------------------
 */

static int read_markup_policy(const config_setting_t *ig,
                              mkt_intermediary *im, sim_err *err)
{
    static const char *const keys[] = {"policy",     "period_months", "speed",
                                       "min_markup", "max_markup",    NULL};
    static const char *const policies[] = {"fixed", "best_response", NULL};
    mkt_markup_policy *mp = &im->markup_policy;
    mp->period_months = 3;
    mp->speed = 1.0;
    mp->min_markup = 0.0;
    mp->max_markup = 10.0;
    if (!scen_has(ig, "markup_policy"))
        return SIM_OK;
    const config_setting_t *g;
    size_t k;
    TRY(scen_get_group(ig, "markup_policy", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(get_policy(g, policies, &k, err));
    mp->best_response = k == 1;
    TRY(get_period(g, 3, &mp->period_months, err));
    if (scen_has(g, "speed"))
        TRY(mkt_load__open_num(g, "speed", 0.0, 1.0, &mp->speed, err));
    TRY(mkt_load__opt_num(g, "min_markup", 0.0, 10.0, 0.0, &mp->min_markup,
                          err));
    TRY(mkt_load__opt_num(g, "max_markup", 0.0, 10.0, 10.0, &mp->max_markup,
                          err));
    return check_order(g, "min_markup", mp->min_markup, "max_markup",
                       mp->max_markup, err);
}

static int read_capacity_policy(const config_setting_t *ig,
                                mkt_intermediary *im, sim_err *err)
{
    static const char *const keys[] = {"policy",     "period_months",
                                       "wait_days",  "growth",
                                       "lag_months", "max_servers",
                                       NULL};
    static const char *const policies[] = {"fixed", "grow", NULL};
    mkt_capacity_policy *cp = &im->capacity;
    cp->period_months = 3;
    cp->max_servers = 1e8;
    if (!scen_has(ig, "capacity_policy"))
        return SIM_OK;
    const config_setting_t *g;
    size_t k;
    TRY(scen_get_group(ig, "capacity_policy", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(get_policy(g, policies, &k, err));
    cp->grow = k == 1;
    TRY(get_period(g, 3, &cp->period_months, err));
    if (cp->grow) {
        TRY(need(g, "wait_days", "a number in (0, 3650]", "grow", err));
        TRY(need(g, "growth", "a number in (0, 10]", "grow", err));
    }
    if (scen_has(g, "wait_days"))
        TRY(mkt_load__open_num(g, "wait_days", 0.0, 3650.0, &cp->wait_days,
                               err));
    if (scen_has(g, "growth"))
        TRY(mkt_load__open_num(g, "growth", 0.0, 10.0, &cp->growth, err));
    TRY(mkt_load__opt_num(g, "lag_months", 0.0, 1200.0, 0.0, &cp->lag_months,
                          err));
    TRY(mkt_load__opt_num(g, "max_servers", 1.0, 1e8, 1e8, &cp->max_servers,
                          err));
    return SIM_OK;
}

static int read_exit_policy(const config_setting_t *ig, mkt_intermediary *im,
                            sim_err *err)
{
    static const char *const keys[] = {"policy", "period_months",
                                       "penalty_rate", "wind_down_months",
                                       NULL};
    static const char *const policies[] = {"fixed", "penalty", NULL};
    mkt_exit_policy *xp = &im->exit;
    xp->period_months = 3;
    xp->wind_down_months = 12.0;
    if (!scen_has(ig, "exit_policy"))
        return SIM_OK;
    if (im->kind != MKT_KIND_ONSHORE)
        return refuse(ig, "exit_policy",
                      "not allowed for an offshore intermediary (only an "
                      "onshore one has a local partnership to end)",
                      err);
    const config_setting_t *g;
    size_t k;
    TRY(scen_get_group(ig, "exit_policy", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(get_policy(g, policies, &k, err));
    xp->penalty = k == 1;
    TRY(get_period(g, 3, &xp->period_months, err));
    if (xp->penalty)
        TRY(need(g, "penalty_rate", "a number in [0, 100]", "penalty", err));
    TRY(mkt_load__opt_num(g, "penalty_rate", 0.0, 100.0, 0.0,
                          &xp->penalty_rate, err));
    return mkt_load__opt_num(g, "wind_down_months", 0.0, 1200.0, 12.0,
                             &xp->wind_down_months, err);
}

int mkt_load__inter_agent(const config_setting_t *ig, mkt_intermediary *im,
                          sim_err *err)
{
    const config_setting_t *g;
    TRY(agent_source(ig, im->id, inter_agent_keys, &g, err));
    TRY(mkt_load__opt_num(g, "marginal_cost", 0.0, 10000.0, 0.0,
                          &im->marginal_cost, err));
    TRY(read_markup_policy(g, im, err));
    TRY(read_capacity_policy(g, im, err));
    return read_exit_policy(g, im, err);
}

/* ---- regulators ------------------------------------------------------------
 */

/* watch = { INDICATOR = threshold; ... } and the review keys beside it,
 * in regulator group g. `active`: the policy needs at least one. */
static int read_watch(const config_setting_t *g, bool active,
                      const char *policy, mkt_watch *wt, sim_err *err)
{
    const char *names[MKT_N_INDICATORS + 1];
    for (int k = 0; k < MKT_N_INDICATORS; k++)
        names[k] = mkt_indicator_name(k);
    names[MKT_N_INDICATORS] = NULL;
    wt->review_months = 3;
    wt->relax_months = 12;
    if (scen_has(g, "review_months"))
        TRY(mkt_load__u32(g, "review_months", 1, 1200, &wt->review_months,
                          err));
    TRY(mkt_load__opt_num(g, "relax_below", 0.0, 1.0, 0.0, &wt->relax_below,
                          err));
    if (scen_has(g, "relax_months"))
        TRY(mkt_load__u32(g, "relax_months", 1, 1200, &wt->relax_months,
                          err));
    if (active)
        TRY(need(g, "watch", "a group { INDICATOR = threshold; ... }", policy,
                 err));
    if (!scen_has(g, "watch"))
        return SIM_OK;
    const config_setting_t *wg;
    TRY(scen_get_group(g, "watch", &wg, err));
    TRY(scen_check_keys(wg, names, err));
    bool any = false;
    for (int k = 0; k < MKT_N_INDICATORS; k++) {
        if (!scen_has(wg, names[k]))
            continue;
        TRY(scen_get_number(wg, names[k], 0.0, 1e15, &wt->threshold[k], err));
        wt->watched[k] = any = true;
    }
    if (active && !any) {
        char list[160] = "";
        for (int k = 0; k < MKT_N_INDICATORS; k++) {
            strcat(list, k ? ", " : "");
            strcat(list, names[k]);
        }
        return scen_error(err, wg,
                          "expected at least one indicator to watch (one of: "
                          "%s)",
                          list);
    }
    return SIM_OK;
}

static int read_commerce(const config_setting_t *rg, mkt_commerce_agent *c,
                         sim_err *err)
{
    static const char *const keys[] = {
        "policy",       "period_months",     "watch",
        "review_months", "relax_below",      "relax_months",
        "proposal_months", "compliance_months", "ladder",
        NULL};
    static const char *const ladder_keys[] = {
        "kyc_cost", "kyc_detection_rate", "approval_prob",
        "low_approval_prob", "channels", NULL};
    static const char *const policies[] = {"fixed", "ladder", NULL};
    c->period_months = 1;
    c->proposal_months = 6.0;
    c->compliance_months = 4.0;
    c->kyc_cost = 0.1;
    c->kyc_detection_rate = 0.2;
    c->approval_prob = 0.7;
    c->low_approval_prob = 0.4;
    c->channels[MKT_CH_ONSHORE] = c->channels[MKT_CH_OFFSHORE] = true;
    c->watch.review_months = 3;
    c->watch.relax_months = 12;
    if (!rg || !scen_has(rg, "commerce"))
        return SIM_OK;
    const config_setting_t *g;
    size_t k;
    TRY(scen_get_group(rg, "commerce", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(get_policy(g, policies, &k, err));
    c->ladder = k == 1;
    TRY(get_period(g, 1, &c->period_months, err));
    TRY(read_watch(g, c->ladder, "ladder", &c->watch, err));
    TRY(mkt_load__opt_num(g, "proposal_months", 0.0, 1200.0, 6.0,
                          &c->proposal_months, err));
    TRY(mkt_load__opt_num(g, "compliance_months", 0.0, 1200.0, 4.0,
                          &c->compliance_months, err));
    if (!scen_has(g, "ladder"))
        return SIM_OK;
    const config_setting_t *lg;
    TRY(scen_get_group(g, "ladder", &lg, err));
    TRY(scen_check_keys(lg, ladder_keys, err));
    TRY(mkt_load__opt_num(lg, "kyc_cost", 0.0, 100.0, 0.1, &c->kyc_cost, err));
    TRY(mkt_load__opt_num(lg, "kyc_detection_rate", 0.0, 1000.0, 0.2,
                          &c->kyc_detection_rate, err));
    TRY(mkt_load__opt_num(lg, "approval_prob", 0.0, 1.0, 0.7,
                          &c->approval_prob, err));
    TRY(mkt_load__opt_num(lg, "low_approval_prob", 0.0, 1.0, 0.4,
                          &c->low_approval_prob, err));
    if (c->low_approval_prob > c->approval_prob) {
        char a[32], b[32];
        scen_fmt_number(a, sizeof a, c->approval_prob);
        scen_fmt_number(b, sizeof b, c->low_approval_prob);
        return scen_error(err, config_setting_get_member(lg,
                                                         "low_approval_prob"),
                          "expected at most approval_prob (%s: the third "
                          "rung lowers the approval), got %s",
                          a, b);
    }
    if (scen_has(lg, "channels")) {
        bool ch[MKT_N_CHANNELS];
        TRY(mkt_load__channels(lg, "channels", ch, err));
        for (int x = 0; x < MKT_N_CHANNELS; x++)
            c->channels[x] = ch[x];
    }
    return SIM_OK;
}

static int read_cac(const config_setting_t *rg, mkt_cac_agent *c,
                    sim_err *err)
{
    static const char *const keys[] = {
        "policy",       "period_months", "watch",     "review_months",
        "relax_below",  "relax_months",  "lag_months", "step",
        "max_level",    NULL};
    static const char *const policies[] = {"fixed", "threshold", NULL};
    c->period_months = 1;
    c->lag_months = 1.0;
    c->max_level = 10.0;
    c->watch.review_months = 3;
    c->watch.relax_months = 12;
    if (!rg || !scen_has(rg, "cac"))
        return SIM_OK;
    const config_setting_t *g;
    size_t k;
    TRY(scen_get_group(rg, "cac", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(get_policy(g, policies, &k, err));
    c->threshold = k == 1;
    TRY(get_period(g, 1, &c->period_months, err));
    TRY(read_watch(g, c->threshold, "threshold", &c->watch, err));
    TRY(mkt_load__opt_num(g, "lag_months", 0.0, 1200.0, 1.0, &c->lag_months,
                          err));
    if (c->threshold)
        TRY(need(g, "step", "a number in (0, 1000]", "threshold", err));
    if (scen_has(g, "step"))
        TRY(mkt_load__open_num(g, "step", 0.0, 1000.0, &c->step, err));
    return mkt_load__opt_num(g, "max_level", 0.0, 1000.0, 10.0, &c->max_level,
                             err);
}

/* The top-level agents group: a group whose keys are vendor or
 * intermediary ids (each member was read with its agent, agent_source). */
static int check_agents_group(const config_setting_t *root,
                              const mkt_params *p, sim_err *err)
{
    if (!scen_has(root, "agents"))
        return SIM_OK;
    const config_setting_t *g;
    TRY(scen_get_group(root, "agents", &g, err));
    size_t n = p->n_vendors + p->n_inter;
    const char **ids = malloc((n + 1) * sizeof *ids);
    if (ids == NULL)
        return mkt_load__nomem(err);
    for (size_t v = 0; v < p->n_vendors; v++)
        ids[v] = p->vendors[v].id;
    for (size_t i = 0; i < p->n_inter; i++)
        ids[p->n_vendors + i] = p->inter[i].id;
    ids[n] = NULL;
    int rc = scen_check_keys(g, ids, err);
    free(ids);
    return rc;
}

int mkt_load__regulators(const config_setting_t *root, mkt_params *p,
                         sim_err *err)
{
    static const char *const keys[] = {"commerce", "cac", NULL};
    const config_setting_t *g = NULL;
    TRY(check_agents_group(root, p, err));
    if (scen_has(root, "regulators")) {
        TRY(scen_get_group(root, "regulators", &g, err));
        TRY(scen_check_keys(g, keys, err));
    }
    TRY(read_commerce(g, &p->regulators.commerce, err));
    return read_cac(g, &p->regulators.cac, err);
}
