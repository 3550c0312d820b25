/* mkt_decisions.c -- the agents' record in one replication's output
 * (mkt_decisions_*) and the names of its axes (mkt_agent_name,
 * mkt_decision_name, mkt_rule_var_name, mkt_indicator_name).
 *
 * The names are part of the run file's format (analysis/runfile_agents.c
 * writes them as axis labels and log entries), so they live in one table
 * each, tied to their enums' lengths by static assertions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkt.h"

_Static_assert(MKT_AGENT_CHANNELS >= MKT_N_CHANNELS,
               "a channel list in mkt_agents.h holds every channel");

static const char *const indicator_names[] = {
    "us_frontier_access", "gray_volume", "detections", "gray_share"};
_Static_assert(sizeof indicator_names / sizeof indicator_names[0] ==
                   MKT_N_INDICATORS,
               "one name per indicator");

static const char *const rule_names[] = {
    "kyc", "commerce", "approval_prob", "cac_filing", "enforcement",
    "stance"};
_Static_assert(sizeof rule_names / sizeof rule_names[0] == MKT_N_RULE_VARS,
               "one name per rule variable");

static const char *const decision_names[] = {
    "price",
    "promotion",
    "promotion_end",
    "stop_direct",
    "resume_direct",
    "stop_china_controlled",
    "resume_china_controlled",
    "markup",
    "capacity_order",
    "capacity_added",
    "partnership_end",
    "propose",
    "final_rule",
    "in_force",
    "withdraw",
    "rescind",
    "enforcement"};
_Static_assert(sizeof decision_names / sizeof decision_names[0] ==
                   MKT_N_DECISIONS,
               "one name per decision kind");

const char *mkt_indicator_name(int k)
{
    return k >= 0 && k < MKT_N_INDICATORS ? indicator_names[k] : NULL;
}

const char *mkt_rule_var_name(int k)
{
    return k >= 0 && k < MKT_N_RULE_VARS ? rule_names[k] : NULL;
}

const char *mkt_decision_name(int kind)
{
    return kind >= 0 && kind < MKT_N_DECISIONS ? decision_names[kind] : NULL;
}

size_t mkt_agent_count(size_t n_vendors, size_t n_inter)
{
    return n_vendors + n_inter + 2;
}

const char *mkt_agent_name(const char *const *vendor_ids, size_t n_vendors,
                           const char *const *inter_ids, size_t n_inter,
                           size_t a)
{
    if (a < n_vendors)
        return vendor_ids[a];
    if (a < n_vendors + n_inter)
        return inter_ids[a - n_vendors];
    if (a == n_vendors + n_inter)
        return "commerce";
    if (a == n_vendors + n_inter + 1)
        return "cac";
    return NULL;
}

static double *nan_array(size_t n)
{
    double *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t k = 0; x && k < n; k++)
        x[k] = (double)NAN;
    return x;
}

int mkt_decisions_new(size_t months, size_t n_vendors, size_t n_inter,
                      mkt_decisions **out, sim_err *err)
{
    mkt_decisions *d = calloc(1, sizeof *d);
    if (d != NULL) {
        d->months = months;
        d->n_vendors = n_vendors;
        d->n_inter = n_inter;
        d->price = nan_array(months * n_vendors);
        d->markup = nan_array(months * n_inter);
        d->capacity = nan_array(months * n_inter);
        d->rule_state = nan_array(months * MKT_N_RULE_VARS);
        d->indicator = nan_array(months * MKT_N_INDICATORS);
    }
    if (d == NULL || !d->price || !d->markup || !d->capacity ||
        !d->rule_state || !d->indicator) {
        mkt_decisions_free(d);
        return sim_err_set(err, SIM_ENOMEM, "out of memory for decisions");
    }
    *out = d;
    return SIM_OK;
}

void mkt_decisions_free(mkt_decisions *d)
{
    if (d == NULL)
        return;
    free(d->price);
    free(d->markup);
    free(d->capacity);
    free(d->rule_state);
    free(d->indicator);
    free(d->log);
    free(d);
}

bool mkt_decisions_log(mkt_decisions *d, double month, uint32_t agent,
                       uint32_t kind, double value)
{
    if (d->n_log == d->cap_log) {
        size_t cap = d->cap_log ? 2 * d->cap_log : 64;
        mkt_decision *nl = realloc(d->log, cap * sizeof *nl);
        if (nl == NULL)
            return false;
        d->log = nl;
        d->cap_log = cap;
    }
    d->log[d->n_log++] = (mkt_decision){month, agent, kind, value};
    return true;
}
