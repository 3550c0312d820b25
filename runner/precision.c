/* precision.c -- the metric a precision target watches: its name read
 * against the scenario, its value in a replication, and its interval. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "precision.h"
#include "repstats.h"

enum { M_FRONTIER, M_INDEX, M_HALF, M_REVENUE, M_CHANNEL };

/* Names out->name's metric: kind and index. */
static bool name_metric(const mkt_params *p, run_precision *out)
{
    const char *colon = strchr(out->name, ':');
    if (!colon) {
        if (strcmp(out->name, "final_frontier_access_share") == 0)
            out->kind = M_FRONTIER;
        else if (strcmp(out->name, "final_frontier_access_index") == 0)
            out->kind = M_INDEX;
        else if (strcmp(out->name, "months_to_half_access") == 0)
            out->kind = M_HALF;
        else
            return false;
        return true;
    }
    const char *what = colon + 1;
    size_t head = (size_t)(colon - out->name);
    if (head == strlen("cumulative_revenue") &&
        strncmp(out->name, "cumulative_revenue", head) == 0) {
        out->kind = M_REVENUE;
        for (size_t a = 0; a < p->n_actors; a++)
            if (strcmp(p->actors[a], what) == 0) {
                out->index = a;
                return true;
            }
    } else if (head == strlen("final_channel_share") &&
               strncmp(out->name, "final_channel_share", head) == 0) {
        out->kind = M_CHANNEL;
        for (int c = 0; c < MKT_N_CHANNELS; c++)
            if (strcmp(mkt_channel_name(c), what) == 0) {
                out->index = (size_t)c;
                return true;
            }
    }
    return false;
}

bool run_metric_parse(const char *name, const mkt_params *p,
                      run_precision *out)
{
    memset(out, 0, sizeof *out);
    out->spec = name;
    size_t n = strlen(name);
    if (n < sizeof out->name) {
        memcpy(out->name, name, n + 1);
        if (name_metric(p, out))
            return true;
    }
    return false;
}

double run_precision_value(const run_precision *m, const mkt_results *r)
{
    switch (m->kind) {
    case M_FRONTIER:
        return r->final_frontier_access_share;
    case M_INDEX:
        return r->final_frontier_access_index;
    case M_HALF:
        return r->months_to_half_access;
    case M_REVENUE:
        return r->cumulative_revenue[m->index];
    default:
        return r->final_channel_share[m->index];
    }
}

void run_precision_interval(const double *x, size_t n, double *mean,
                            double *hw, size_t *used)
{
    /* The same statistics as `aims report` (repstats.h), so the recorded
     * half-width is the one the report prints. */
    ana_repstats s = ana_repstats_mean(x, n, 1);
    *used = s.n;
    *mean = s.mean;
    *hw = isnan(s.hw) ? (double)INFINITY : s.hw;
}
