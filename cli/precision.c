/* precision.c -- the metric a precision target watches. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "precision.h"
#include "repstats.h"

enum { M_FRONTIER, M_INDEX, M_HALF, M_REVENUE, M_CHANNEL };

void cli_metric_list(const mkt_params *p)
{
    fprintf(stderr, "aims: metrics: final_frontier_access_share, "
                    "final_frontier_access_index, months_to_half_access, "
                    "cumulative_revenue:ACTOR (");
    for (size_t a = 0; a < p->n_actors; a++)
        fprintf(stderr, "%s%s", a ? ", " : "", p->actors[a]);
    fprintf(stderr, "), final_channel_share:CHANNEL (");
    for (int c = 0; c < MKT_N_CHANNELS; c++)
        fprintf(stderr, "%s%s", c > 0 ? ", " : "", mkt_channel_name(c));
    fprintf(stderr, ")\n");
}

/* Names out->name's metric: kind and index. */
static bool name_metric(const mkt_params *p, cli_precision *out)
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

bool cli_metric_parse(const char *name, const mkt_params *p,
                      cli_precision *out)
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

bool cli_precision_parse(const char *spec, const mkt_params *p,
                         cli_precision *out)
{
    memset(out, 0, sizeof *out);
    out->spec = spec;
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : 0;
    if (!eq || n == 0 || n >= sizeof out->name) {
        cli_error("--precision %s: expected METRIC=REL, e.g. "
                  "final_frontier_access_share=0.02",
                  spec);
        return false;
    }
    memcpy(out->name, spec, n);
    out->name[n] = '\0';
    char *end;
    out->rel = strtod(eq + 1, &end);
    if (end == eq + 1 || *end != '\0' || !(out->rel > 0) ||
        !isfinite(out->rel)) {
        cli_error("--precision %s: REL must be a number > 0 (a fraction of "
                  "the mean, e.g. 0.02), got '%s'",
                  spec, eq + 1);
        return false;
    }
    if (name_metric(p, out))
        return true;
    cli_error("--precision %s: unknown metric '%s'", spec, out->name);
    cli_metric_list(p);
    return false;
}

double cli_precision_value(const cli_precision *m, const mkt_results *r)
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

void cli_precision_interval(const double *x, size_t n, double *mean,
                            double *hw, size_t *used)
{
    /* The same statistics as `aims report` (repstats.h), so the recorded
     * half-width is the one the report prints. */
    ana_repstats s = ana_repstats_mean(x, n, 1);
    *used = s.n;
    *mean = s.mean;
    *hw = isnan(s.hw) ? (double)INFINITY : s.hw;
}
