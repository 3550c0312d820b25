/* golden.h -- the text form of one replication's results that
 * tests/test_golden.c compares with tests/fixtures/golden/NAME.txt.
 *
 * The golden files were written by the model as it stood before the demand
 * issue (commit 3842ee4), from frozen copies of the shipped scenarios in
 * tests/fixtures/golden/. Every value is printed with %a, so equality of the
 * text is equality of the bits. Only the results that model had are printed:
 * a later model must reproduce them exactly when its new mechanisms are set
 * to their neutral values (one option per firm, no outside option, no price
 * response, no burn-in, reviews of all adopters at a shock).
 */
#ifndef AIMS_TESTS_GOLDEN_H
#define AIMS_TESTS_GOLDEN_H

#include <stdio.h>

#include "mkt.h"

static void golden_row(FILE *f, const char *name, const double *x, size_t n)
{
    fprintf(f, "%s", name);
    for (size_t k = 0; k < n; k++)
        fprintf(f, " %a", x[k]);
    fputc('\n', f);
}

static void golden_dump(FILE *f, unsigned rep, const mkt_results *r)
{
    size_t m = r->months;
    fprintf(f, "rep %u months %zu actors %zu events %llu\n", rep, m,
            r->n_actors, (unsigned long long)r->events);
    golden_row(f, "channel_count", r->channel_count, m * MKT_N_CHANNELS);
    golden_row(f, "revenue", r->revenue, m * r->n_actors);
    golden_row(f, "payments", r->payments, m);
    golden_row(f, "adopters", r->adopters, m);
    golden_row(f, "frontier_access_share", r->frontier_access_share, m);
    golden_row(f, "switches", r->switches, m);
    golden_row(f, "detections", r->detections, m);
    golden_row(f, "days_without_access", r->days_without_access, m);
    golden_row(f, "capability_gap", r->capability_gap, m);
    golden_row(f, "cumulative_revenue", r->cumulative_revenue, r->n_actors);
    golden_row(f, "final_frontier_access_share",
               &r->final_frontier_access_share, 1);
    golden_row(f, "months_to_half_access", &r->months_to_half_access, 1);
}

#endif
