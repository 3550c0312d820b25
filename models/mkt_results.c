/* mkt_results.c -- one replication's output arrays (mkt_results_*). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkt.h"

int mkt_results_init(mkt_results *r, const mkt_params *p, sim_err *err)
{
    size_t m = p->horizon_months, a = p->n_actors;
    memset(r, 0, sizeof *r);
    r->months = m;
    r->n_actors = a;
    r->channel_count = calloc(m * MKT_N_CHANNELS, sizeof(double));
    r->revenue = calloc(m * (a ? a : 1), sizeof(double));
    r->payments = calloc(m, sizeof(double));
    r->adopters = calloc(m, sizeof(double));
    r->frontier_access_share = calloc(m, sizeof(double));
    r->switches = calloc(m, sizeof(double));
    r->detections = calloc(m, sizeof(double));
    r->days_without_access = calloc(m, sizeof(double));
    r->capability_gap = calloc(m, sizeof(double));
    r->cumulative_revenue = calloc(a ? a : 1, sizeof(double));
    if (!r->channel_count || !r->revenue || !r->payments || !r->adopters ||
        !r->frontier_access_share || !r->switches || !r->detections ||
        !r->days_without_access || !r->capability_gap ||
        !r->cumulative_revenue) {
        mkt_results_fini(r);
        return sim_err_set(err, SIM_ENOMEM, "out of memory for results");
    }
    if (mkt_decisions_new(m, p->n_vendors, p->n_inter, &r->decisions,
                          err) != SIM_OK) {
        mkt_results_fini(r);
        return err->status;
    }
    r->final_frontier_access_share = (double)NAN;
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
    mkt_decisions_free(r->decisions);
    memset(r, 0, sizeof *r);
}
