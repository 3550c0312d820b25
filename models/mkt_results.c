/* mkt_results.c -- one replication's output arrays (mkt_results_*).
 *
 * Every length comes from the params alone (the horizon, the actors, the
 * option table, the sectors and their large accounts), so a writer can lay
 * out its file before any replication has run and every replication's
 * results have the same shape.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkt.h"

static size_t total_accounts(const mkt_params *p)
{
    size_t n = 0;
    for (size_t s = 0; s < p->n_sectors; s++)
        n += p->sectors[s].n_accounts;
    return n;
}

/* calloc of n doubles (int64 for the one int64 array), at least one, so a
 * zero length is not mistaken for a failure. */
static void *zeros(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

int mkt_results_init(mkt_results *r, const mkt_params *p, sim_err *err)
{
    size_t m = p->horizon_months, a = p->n_actors;
    memset(r, 0, sizeof *r);
    r->months = m;
    r->n_actors = a;
    r->n_vendors = p->n_vendors;
    r->n_options = mkt_option_table(p, NULL, 0);
    r->n_sectors = p->n_sectors;
    r->n_accounts = total_accounts(p);
    size_t cls = MKT_N_SEGMENTS * r->n_sectors;
    r->channel_count = zeros(m * MKT_N_CHANNELS, sizeof(double));
    r->revenue = zeros(m * a, sizeof(double));
    r->payments = zeros(m, sizeof(double));
    r->adopters = zeros(m, sizeof(double));
    r->frontier_access_share = zeros(m, sizeof(double));
    r->switches = zeros(m, sizeof(double));
    r->detections = zeros(m, sizeof(double));
    r->days_without_access = zeros(m, sizeof(double));
    r->capability_gap = zeros(m, sizeof(double));
    r->cumulative_revenue = zeros(a, sizeof(double));
    r->frontier_access_index = zeros(m, sizeof(double));
    r->channel_count_by_sector = zeros(m * cls * MKT_N_CHANNELS,
                                       sizeof(double));
    r->tokens = zeros(m * r->n_options * cls, sizeof(double));
    r->tokens_by_vendor = zeros(m * r->n_vendors, sizeof(double));
    r->tokens_by_channel = zeros(m * MKT_N_CHANNELS, sizeof(double));
    r->tokens_by_sector = zeros(m * cls, sizeof(double));
    r->account_option = zeros(m * r->n_accounts, sizeof(int64_t));
    r->compliance_cost = zeros(m * a, sizeof(double));
    if (!r->channel_count || !r->revenue || !r->payments || !r->adopters ||
        !r->frontier_access_share || !r->switches || !r->detections ||
        !r->days_without_access || !r->capability_gap ||
        !r->cumulative_revenue || !r->frontier_access_index ||
        !r->channel_count_by_sector || !r->tokens || !r->tokens_by_vendor ||
        !r->tokens_by_channel || !r->tokens_by_sector ||
        !r->account_option || !r->compliance_cost) {
        mkt_results_fini(r);
        return sim_err_set(err, SIM_ENOMEM, "out of memory for results");
    }
    if (mkt_decisions_new(m, p->n_vendors, p->n_inter, &r->decisions,
                          err) != SIM_OK) {
        mkt_results_fini(r);
        return err->status;
    }
    r->final_frontier_access_share = (double)NAN;
    r->final_frontier_access_index = (double)NAN;
    for (int c = 0; c < MKT_N_CHANNELS; c++)
        r->final_channel_share[c] = (double)NAN;
    r->months_to_half_access = (double)NAN;
    return SIM_OK;
}

void mkt_results_fini(mkt_results *r)
{
    free(r->channel_count);
    free(r->revenue);
    free(r->payments);
    free(r->adopters);
    free(r->frontier_access_share);
    free(r->switches);
    free(r->detections);
    free(r->days_without_access);
    free(r->capability_gap);
    free(r->cumulative_revenue);
    free(r->frontier_access_index);
    free(r->channel_count_by_sector);
    free(r->tokens);
    free(r->tokens_by_vendor);
    free(r->tokens_by_channel);
    free(r->tokens_by_sector);
    free(r->account_option);
    free(r->compliance_cost);
    mkt_decisions_free(r->decisions);
    memset(r, 0, sizeof *r);
}
