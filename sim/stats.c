/* stats.c -- Welford moments, time averages and batch means (see stats.h).
 *
 * The floating-point choices, since they are what a reader would question:
 *   - Welford's update adds d * (x - new mean), where d = x - old mean. The new
 * mean lies between the old mean and x, so the product is never negative and m2
 * never drifts below zero, unlike sum(x^2) - n * mean^2.
 *   - Batch sums are sums of (x - shift), shift being the first observation.
 * Near the mean the shifted values are small, so their sums keep the digits
 * that separate one batch mean from the next (batch means differ by
 * ~sd/sqrt(size), which can be far below the rounding error of an unshifted sum
 * when the mean is large). Batch sizes are powers of two, so dividing a sum by
 * its size is exact.
 *   - The batch-means variance is a two-pass sum over at most 2k - 1 stored
 * batch means.
 *   - Slice boundaries are t0 + i * slice from the integer index i: repeated
 * addition of a slice such as 0.1 drifts (10000 additions of 0.1 exceed
 * 1000.0), and would put an observation in the wrong slice or drop a slice on
 * long runs.
 */
#include "stats.h"

#include <assert.h>
#include <math.h>

#include <gsl/gsl_cdf.h>

/* ---- Welford
 * ---------------------------------------------------------------------------
 */

void sim_stats_welford_init(sim_stats_welford *w)
{
    w->n = 0;
    w->mean = 0.0;
    w->m2 = 0.0;
    w->min = (double)INFINITY;
    w->max = -(double)INFINITY;
}

void sim_stats_welford_add(sim_stats_welford *w, double x)
{
    w->n++;
    double d = x - w->mean;
    w->mean += d / (double)w->n;
    w->m2 += d * (x - w->mean);
    if (x < w->min)
        w->min = x;
    if (x > w->max)
        w->max = x;
}

void sim_stats_welford_merge(sim_stats_welford *into,
                             const sim_stats_welford *from)
{
    /* Read `from` first: it may alias `into`. */
    uint64_t nb = from->n;
    double mb = from->mean, m2b = from->m2, minb = from->min, maxb = from->max;
    if (nb == 0)
        return;
    if (into->n == 0) {
        *into = *from;
        return;
    }
    uint64_t n = into->n + nb;
    double na = (double)into->n;
    double delta = mb - into->mean;
    /* delta * nb / n, not (na * ma + nb * mb) / n: the correction is small when
     * the means are close, so its rounding error is too (Chan, Golub, LeVeque
     * 1983). */
    into->mean += delta * ((double)nb / (double)n);
    into->m2 += m2b + delta * delta * (na * ((double)nb / (double)n));
    into->n = n;
    if (minb < into->min)
        into->min = minb;
    if (maxb > into->max)
        into->max = maxb;
}

uint64_t sim_stats_welford_count(const sim_stats_welford *w)
{
    return w->n;
}

double sim_stats_welford_mean(const sim_stats_welford *w)
{
    return w->n == 0 ? (double)NAN : w->mean;
}

double sim_stats_welford_var(const sim_stats_welford *w)
{
    return w->n < 2 ? (double)NAN : w->m2 / (double)(w->n - 1);
}

double sim_stats_welford_sd(const sim_stats_welford *w)
{
    return sqrt(sim_stats_welford_var(w));
}

double sim_stats_welford_ci95(const sim_stats_welford *w)
{
    if (w->n < 2)
        return (double)NAN;
    double n = (double)w->n;
    return gsl_cdf_tdist_Pinv(0.975, n - 1.0) * sim_stats_welford_sd(w) /
           sqrt(n);
}

double sim_stats_welford_min(const sim_stats_welford *w)
{
    return w->n == 0 ? (double)NAN : w->min;
}

double sim_stats_welford_max(const sim_stats_welford *w)
{
    return w->n == 0 ? (double)NAN : w->max;
}

/* ---- Time average
 * ---------------------------------------------------------------------- */

void sim_stats_timeavg_init(sim_stats_timeavg *a, double t0, double v0)
{
    a->t0 = t0;
    a->t_last = t0;
    a->value = v0;
    a->area = 0.0;
}

void sim_stats_timeavg_set(sim_stats_timeavg *a, double t, double v)
{
    assert(t >= a->t_last); /* also rejects NaN */
    a->area += a->value * (t - a->t_last);
    a->t_last = t;
    a->value = v;
}

double sim_stats_timeavg_mean(const sim_stats_timeavg *a, double t_end)
{
    if (!(t_end > a->t0))
        return (double)NAN;
    assert(t_end >= a->t_last);
    return (a->area + a->value * (t_end - a->t_last)) / (t_end - a->t0);
}

/* ---- Batch means
 * ----------------------------------------------------------------------- */

int sim_stats_batch_init(sim_stats_batch *b, unsigned k)
{
    if (k < 2 || k > SIM_BATCH_MAX_K)
        return SIM_EINVAL;
    b->k = k;
    b->complete = 0;
    b->size = 1;
    b->n = 0;
    b->in_cur = 0;
    b->shift = 0.0;
    b->cur = 0.0;
    return SIM_OK;
}

/* Files the partial batch, now full, as complete; at 2k complete batches,
 * merges adjacent pairs. The merge happens the moment the 2k-th batch
 * completes, when the partial batch is empty, so no observation ever straddles
 * two batch sizes. */
static void batch_complete(sim_stats_batch *b)
{
    assert(b->in_cur == b->size && b->complete < 2 * b->k);
    b->sums[b->complete++] = b->cur;
    b->cur = 0.0;
    b->in_cur = 0;
    if (b->complete == 2 * b->k) {
        for (unsigned i = 0; i < b->k; i++)
            b->sums[i] = b->sums[2 * i] + b->sums[2 * i + 1];
        b->complete = b->k;
        assert(b->size <= UINT64_MAX / 2);
        b->size *= 2;
    }
}

void sim_stats_batch_add(sim_stats_batch *b, double x)
{
    if (b->n == 0)
        b->shift = x;
    b->n++;
    b->cur += x - b->shift;
    if (++b->in_cur == b->size)
        batch_complete(b);
}

void sim_stats_batch_add_n(sim_stats_batch *b, double x, uint64_t count)
{
    if (count > 0 && b->n == 0)
        b->shift = x;
    /* Each pass either fills the partial batch or uses up count. Batch sizes
     * double every k batches, so count copies take O(k log count) passes. */
    while (count > 0) {
        uint64_t r = b->size - b->in_cur;
        if (r > count)
            r = count;
        b->cur += (x - b->shift) * (double)r;
        b->in_cur += r;
        b->n += r;
        count -= r;
        if (b->in_cur == b->size)
            batch_complete(b);
    }
}

uint64_t sim_stats_batch_count(const sim_stats_batch *b)
{
    return b->n;
}

sim_stats_batch_result sim_stats_batch_result_get(const sim_stats_batch *b)
{
    sim_stats_batch_result r = {
        .mean = (double)NAN,
        .half_width = (double)NAN,
        .batches = b->complete,
        .batch_size = b->size,
        .used = (uint64_t)b->complete * b->size,
    };
    if (b->complete == 0)
        return r;
    double nb = (double)b->complete, size = (double)b->size;
    double sum = 0.0;
    for (unsigned i = 0; i < b->complete; i++)
        sum += b->sums[i] / size;
    double mean = sum / nb; /* of the shifted batch means */
    r.mean = b->shift + mean;
    if (b->complete < 2)
        return r;
    double ss = 0.0;
    for (unsigned i = 0; i < b->complete; i++) {
        double d = b->sums[i] / size - mean;
        ss += d * d;
    }
    double sd = sqrt(ss / (nb - 1.0));
    r.half_width = gsl_cdf_tdist_Pinv(0.975, nb - 1.0) * sd / sqrt(nb);
    return r;
}

/* ---- Time-weighted batch means
 * --------------------------------------------------------- */

/* Start of slice i. Computed afresh from i every time, so boundaries never
 * drift and every call agrees on where a boundary is. */
static double tbatch_bound(const sim_stats_tbatch *t, uint64_t i)
{
    return t->t0 + (double)i * t->slice;
}

/* The index j >= t->idx of the slice that holds `time`: bound(j) <= time <
 * bound(j + 1). The quotient is only a first guess, since it and the boundaries
 * round differently; the loops make the answer agree with tbatch_bound exactly,
 * and move a step or two at most. */
static uint64_t tbatch_slice_of(const sim_stats_tbatch *t, double time)
{
    assert(time >= t->t_last); /* also rejects NaN */
    double q = (time - t->t0) / t->slice;
    assert(
        q <
        0x1p53); /* beyond it, i * slice no longer names distinct boundaries */
    uint64_t j = (uint64_t)q;
    if (j < t->idx)
        j = t->idx;
    while (tbatch_bound(t, j + 1) <= time)
        j++;
    while (j > t->idx && tbatch_bound(t, j) > time)
        j--;
    return j;
}

int sim_stats_tbatch_init(sim_stats_tbatch *t, unsigned k, double t0, double v0,
                          double slice)
{
    if (!isfinite(t0) || !isfinite(slice) || !(slice > 0.0))
        return SIM_EINVAL;
    sim_stats_batch inner;
    int rc = sim_stats_batch_init(&inner, k);
    if (rc != SIM_OK)
        return rc;
    t->inner = inner;
    t->t0 = t0;
    t->slice = slice;
    t->idx = 0;
    t->t_last = t0;
    t->value = v0;
    t->area = 0.0;
    return SIM_OK;
}

void sim_stats_tbatch_set(sim_stats_tbatch *t, double time, double v)
{
    uint64_t j = tbatch_slice_of(t, time);
    if (j > t->idx) {
        /* Close slice idx. Dividing by its computed width rather than by
         * `slice` makes a signal constant over the slice give back its value
         * (to the last bit but one); the widths differ from `slice` by rounding
         * only, so slices stay equally weighted. */
        double lo = tbatch_bound(t, t->idx), hi = tbatch_bound(t, t->idx + 1);
        t->area += t->value * (hi - t->t_last);
        sim_stats_batch_add(&t->inner, t->area / (hi - lo));
        /* Slices idx+1 .. j-1 are covered by the held value alone: their
         * average is exactly that value, with no area to round. */
        sim_stats_batch_add_n(&t->inner, t->value, j - t->idx - 1);
        t->idx = j;
        t->t_last = tbatch_bound(t, j);
        t->area = 0.0;
    }
    t->area += t->value * (time - t->t_last);
    t->t_last = time;
    t->value = v;
}

sim_stats_batch_result sim_stats_tbatch_result_get(const sim_stats_tbatch *t,
                                                   double t_end)
{
    /* Closing the slices up to t_end on a copy keeps t untouched and shares one
     * code path with sim_stats_tbatch_set, so a result never disagrees with
     * what later sets will record. */
    sim_stats_tbatch c = *t;
    sim_stats_tbatch_set(&c, t_end, c.value);
    return sim_stats_batch_result_get(&c.inner);
}

uint64_t sim_stats_tbatch_slices(const sim_stats_tbatch *t, double t_end)
{
    return tbatch_slice_of(t, t_end);
}
