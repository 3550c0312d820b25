/* reps.h -- what the model's statistical tests share: running replications
 * of hand-built or loaded parameters, and a Student-t interval over them
 * (tests/test_demand.c, tests/test_agents.c), and comparing two runs' results
 * bit for bit (test_demand.c's placebos, test_pick_cache.c). Criterion asserts
 * on any failure. */
#ifndef AIMS_TESTS_REPS_H
#define AIMS_TESTS_REPS_H

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

#include "mkt.h"

/* The mean of x[0..n) and, in *hw, the half-width of its two-sided
 * (1 - alpha) Student-t interval. */
static inline double mean_hw(const double *x, size_t n, double alpha,
                             double *hw)
{
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    *hw = gsl_cdf_tdist_Pinv(1 - alpha / 2, (double)n - 1) *
          sqrt(ss / (double)(n - 1)) / sqrt((double)n);
    return m;
}

/* Replications 0 .. reps-1 of p with seed into res (initialised here). */
static inline void run_reps(const mkt_params *p, size_t reps, uint64_t seed,
                            mkt_results *res)
{
    for (size_t k = 0; k < reps; k++) {
        sim_err err = {0};
        cr_assert_eq(mkt_results_init(&res[k], p, &err), SIM_OK);
        cr_assert_eq(mkt_run(p, seed, (uint32_t)k, NULL, &res[k], &err),
                     SIM_OK, "rep %zu: %s", k, err.msg);
    }
}

static inline void free_reps(mkt_results *res, size_t reps)
{
    for (size_t k = 0; k < reps; k++)
        mkt_results_fini(&res[k]);
}

/* Asserts that two runs' results are the same bit for bit (replication rep
 * names the failure). */
static inline void assert_same_results(const mkt_results *a,
                                       const mkt_results *b, size_t rep)
{
    size_t m = a->months, na = a->n_actors;
#define SAME(f, n)                                                             \
    cr_assert(memcmp(a->f, b->f, (n) * sizeof *a->f) == 0,                     \
              "replication %zu: " #f " differs", rep)
    SAME(channel_count, m * MKT_N_CHANNELS);
    SAME(revenue, m * na);
    SAME(payments, m);
    SAME(adopters, m);
    SAME(frontier_access_share, m);
    SAME(switches, m);
    SAME(detections, m);
    SAME(days_without_access, m);
    SAME(capability_gap, m);
    SAME(cumulative_revenue, na);
#undef SAME
    cr_assert(memcmp(&a->final_frontier_access_share,
                     &b->final_frontier_access_share, sizeof(double)) == 0,
              "replication %zu: final_frontier_access_share differs", rep);
}

#endif
