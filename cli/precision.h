/* precision.h -- `aims run --precision METRIC=REL`: which number to watch
 * and how precise it must be (cli_precision_*).
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
#ifndef AIMS_CLI_PRECISION_H
#define AIMS_CLI_PRECISION_H

#include <stdbool.h>
#include <stddef.h>

#include "mkt.h"

typedef struct {
    const char *spec; /* "METRIC=REL" as given */
    char name[128];   /* METRIC */
    int kind;         /* which number */
    size_t index;     /* actor or channel */
    double rel;       /* REL > 0 */
} cli_precision;

/* Parses spec against p's actors. On failure prints a one-line message
 * listing the valid metrics and returns false. */
bool cli_precision_parse(const char *spec, const mkt_params *p,
                         cli_precision *out);

/* Parses a bare metric name (no =REL) against p's actors, for sweeps.
 * Prints nothing; on failure the caller says which name is wrong, then
 * cli_metric_list prints the valid ones. */
bool cli_metric_parse(const char *name, const mkt_params *p,
                      cli_precision *out);
void cli_metric_list(const mkt_params *p); /* "aims: metrics: ..." */

/* The metric's value in replication r (NaN when it has none). */
double cli_precision_value(const cli_precision *m, const mkt_results *r);

/* Mean and 95% Student-t half-width of the non-NaN x[0..n); *used is
 * their count (the half-width is infinite below two). */
void cli_precision_interval(const double *x, size_t n, double *mean,
                            double *hw, size_t *used);

#endif
