/* stats.h -- output statistics: Welford moments, time averages and batch-means
 * intervals.
 *
 * Everything here lives on caller storage (an `_init` on a visible struct, no
 * malloc, no
 * `_fini`), because a simulation keeps one accumulator per observed quantity
 * per replication and updates it on every event: an allocation per accumulator
 * would be pure overhead. The structs are visible only so they can be embedded
 * and stack-allocated; their fields are private and may change.
 *
 * Three estimators, for three kinds of output:
 *   - sim_stats_welford: i.i.d. observations (one per replication, say).
 * Welford's update (1962), not the sum-of-squares formula, which loses every
 * digit when the mean is large against the spread (1e9 + noise).
 *   - sim_stats_timeavg: the time average of a piecewise-constant signal such
 * as a queue length.
 *   - sim_stats_batch / sim_stats_tbatch: a confidence interval for the mean of
 * ONE long, autocorrelated run. Observations are grouped into batches whose
 * means are nearly independent once a batch is much longer than the correlation
 * time. The number of batches is kept in [k, 2k-1] by merging pairs and
 * doubling the batch size, so the run length need not be known in advance and
 * storage is fixed. Schmeiser (1982, Oper. Res. 30:556) finds 10 to 30 batches
 * a good trade-off, hence k = 10 to 16 is a sensible choice.
 *
 * The batch-means interval is only as good as its batches: if batches are not
 * long against the correlation time, it undercovers (tests/test_stats.c shows
 * it for an AR(1) series).
 *
 * GSL's default error handler aborts: programs call gsl_set_error_handler_off()
 * once at start (STYLE.md section 5). Nothing here passes GSL an argument it
 * would reject.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stdint.h>

#include "err.h"

/* ---- Welford mean and variance, plus min and max
 * --------------------------------------- */

typedef struct {
    uint64_t n;  /* observations so far */
    double mean; /* running mean */
    double m2;   /* sum of squared deviations from the running mean */
    double min;  /* +inf while n == 0 */
    double max;  /* -inf while n == 0 */
} sim_stats_welford;

/* Empties the accumulator. */
void sim_stats_welford_init(sim_stats_welford *w);

/* Adds one observation. A NaN makes the mean and variance NaN from then on. */
void sim_stats_welford_add(sim_stats_welford *w, double x);

/* Adds everything `from` holds to `into`, as if its observations had been added
 * one by one (up to rounding): the pairwise combination of Chan, Golub and
 * LeVeque (1983, Amer. Statist. 37:242). Either may be empty; `into == from`
 * doubles every observation. */
void sim_stats_welford_merge(sim_stats_welford *into,
                             const sim_stats_welford *from);

uint64_t sim_stats_welford_count(const sim_stats_welford *w);

/* The sample mean; NaN when n == 0. */
double sim_stats_welford_mean(const sim_stats_welford *w);

/* The sample variance (divisor n - 1); NaN when n < 2. */
double sim_stats_welford_var(const sim_stats_welford *w);

/* The sample standard deviation, sqrt(var); NaN when n < 2. */
double sim_stats_welford_sd(const sim_stats_welford *w);

/* The half-width of the Student-t 95% interval for the mean, t_{0.975, n-1} *
 * sd / sqrt(n); NaN when n < 2. Valid for i.i.d. observations that are roughly
 * normal (or numerous). */
double sim_stats_welford_ci95(const sim_stats_welford *w);

/* The smallest and largest observation; NaN when n == 0. */
double sim_stats_welford_min(const sim_stats_welford *w);
double sim_stats_welford_max(const sim_stats_welford *w);

/* ---- Time-weighted average of a piecewise-constant signal
 * ------------------------------ */

typedef struct {
    double t0;     /* start of the averaging window */
    double t_last; /* time of the last change */
    double value;  /* the signal's value since t_last */
    double area;   /* integral of the signal over [t0, t_last] */
} sim_stats_timeavg;

/* Starts averaging at time t0, where the signal's value is v0. */
void sim_stats_timeavg_init(sim_stats_timeavg *a, double t0, double v0);

/* The signal's value becomes v at time t. t must not be before the last change
 * (asserted; a NaN t fails the assertion too). */
void sim_stats_timeavg_set(sim_stats_timeavg *a, double t, double v);

/* The time average over [t0, t_end]: integral / (t_end - t0). NaN if t_end <=
 * t0 (or NaN). Otherwise t_end must not be before the last change (asserted).
 * Does not modify a. */
double sim_stats_timeavg_mean(const sim_stats_timeavg *a, double t_end);

/* ---- Batch means
 * ----------------------------------------------------------------------- */

#define SIM_BATCH_MAX_K 64

typedef struct {
    unsigned k;        /* batches left after a merge; in [2, SIM_BATCH_MAX_K] */
    unsigned complete; /* complete batches in sums[] */
    uint64_t size;     /* observations per batch: a power of two */
    uint64_t n;      /* observations added, complete batches and partial one */
    uint64_t in_cur; /* observations in the partial batch, < size */
    double shift; /* the first observation; every sum below is of (x - shift) */
    double cur;   /* sum over the partial batch */
    double sums[2 * SIM_BATCH_MAX_K]; /* sum over each complete batch */
} sim_stats_batch;

typedef struct {
    double mean; /* mean of the observations in complete batches; NaN if none */
    double
        half_width;   /* 95% half-width; NaN if fewer than 2 complete batches */
    unsigned batches; /* complete batches */
    uint64_t batch_size; /* observations per batch */
    uint64_t used;       /* batches * batch_size: observations behind mean and
                            half_width */
} sim_stats_batch_result;

/* Empties b; after a merge it keeps k complete batches (between k and 2k-1 once
 * k observations are in). Returns SIM_EINVAL, leaving b untouched, unless 2 <=
 * k <= SIM_BATCH_MAX_K. */
int sim_stats_batch_init(sim_stats_batch *b, unsigned k);

/* Adds one observation. Observations should be finite: a NaN or an infinity
 * makes the mean NaN from then on. */
void sim_stats_batch_add(sim_stats_batch *b, double x);

/* Adds `count` copies of x: the same as count calls of sim_stats_batch_add(b,
 * x) up to rounding, in O(k log count) time rather than O(count). */
void sim_stats_batch_add_n(sim_stats_batch *b, double x, uint64_t count);

/* Observations added so far, including the partial batch the result leaves out.
 */
uint64_t sim_stats_batch_count(const sim_stats_batch *b);

/* The estimate from the complete batches: mean of the batch means, and the
 * half-width t_{0.975, b-1} * s_b / sqrt(b), where s_b is the sample s.d. of
 * the b batch means. The observations of the partial batch (fewer than
 * batch_size of them) are left out. */
sim_stats_batch_result sim_stats_batch_result_get(const sim_stats_batch *b);

/* ---- Time-weighted batch means
 * --------------------------------------------------------- */

/* The signal's time average over each slice [t0 + i*slice, t0 + (i+1)*slice)
 * becomes one observation of an inner sim_stats_batch. Slices are equally long,
 * so they are equally weighted and a batch mean is the time average over that
 * batch. Slice boundaries are computed from the integer index i, never by
 * repeated addition, so they do not drift over long runs; the index must stay
 * below 2^53 (asserted). */
typedef struct {
    sim_stats_batch inner; /* one observation per complete slice */
    double t0;             /* start of slice 0 */
    double slice;          /* slice length, > 0 */
    uint64_t idx;          /* index of the slice that holds t_last */
    double t_last;         /* time of the last change */
    double value;          /* the signal's value since t_last */
    double
        area; /* integral of the signal from the start of slice idx to t_last */
} sim_stats_tbatch;

/* Starts at time t0 with value v0; k is as for sim_stats_batch_init. Returns
 * SIM_EINVAL, leaving t untouched, unless k is valid, t0 is finite and slice is
 * finite and > 0. */
int sim_stats_tbatch_init(sim_stats_tbatch *t, unsigned k, double t0, double v0,
                          double slice);

/* The signal's value becomes v at `time`, which must not be before the last
 * change (asserted). Completes every slice that ends at or before `time`: a
 * value held over many slices costs O(k log slices), not O(slices). */
void sim_stats_tbatch_set(sim_stats_tbatch *t, double time, double v);

/* The batch-means estimate from the slices complete at t_end (t_end not before
 * the last change; asserted). The partial slice at t_end is left out. Does not
 * modify t. */
sim_stats_batch_result sim_stats_tbatch_result_get(const sim_stats_tbatch *t,
                                                   double t_end);

/* The number of slices complete at t_end (t_end not before the last change;
 * asserted). */
uint64_t sim_stats_tbatch_slices(const sim_stats_tbatch *t, double t_end);

#endif
