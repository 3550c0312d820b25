/* precision.h -- `aims run --precision METRIC=REL`: which number to watch
 * and how precise it must be (run_precision_*).
 *
 * METRIC names one per-replication number, as `aims report` names them:
 *   final_frontier_access_share
 *   final_frontier_access_index
 *   months_to_half_access            (replications where it never happens
 *                                     are left out)
 *   cumulative_revenue:ACTOR         (an actor of the scenario)
 *   final_channel_share:CHANNEL      (share of adopters; "none": adopters
 *                                     with no option, not waiting)
 * "final" is a mean over the last scenario.final_window_months months.
 * The run adds batches of replications until the 95% half-width of the
 * metric's mean is at most REL x |mean|.
 */
#ifndef AIMS_RUN_PRECISION_H
#define AIMS_RUN_PRECISION_H

#include <stdbool.h>
#include <stddef.h>

#include "mkt.h"

typedef struct {
    const char *spec; /* "METRIC=REL" as given */
    char name[128];   /* METRIC */
    int kind;         /* which number */
    size_t index;     /* actor or channel */
    double rel;       /* REL > 0 */
} run_precision;

/* Parses a bare metric name (no =REL) against p's actors. Prints
 * nothing: on failure the caller says which name is wrong and lists the
 * valid ones (cli_metric_list); `aims run --precision METRIC=REL` is
 * parsed in cli/ (cli_precision_parse), into the same struct. */
bool run_metric_parse(const char *name, const mkt_params *p,
                      run_precision *out);

/* The metric's value in replication r (NaN when it has none). */
double run_precision_value(const run_precision *m, const mkt_results *r);

/* Mean and 95% Student-t half-width of the non-NaN x[0..n); *used is
 * their count (the half-width is infinite below two). */
void run_precision_interval(const double *x, size_t n, double *mean,
                            double *hw, size_t *used);

#endif
