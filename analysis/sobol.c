/* sobol.c -- Saltelli/Jansen Sobol indices and their bootstrap (sobol.h).
 *
 * The rows without a NaN are first copied into one packed table, row j
 * holding its d + 2 block values side by side, so the estimate and every
 * bootstrap resample read contiguous memory and never meet a NaN.
 *
 * Centring f_B (sobol.h) costs nothing here: the mean is needed for V
 * anyway, so each estimate makes two passes over its rows, the first for
 * the mean, the second for V and every numerator. Two passes rather than
 * one sum of squares, because a metric whose mean is large against its
 * spread would lose V's digits to cancellation.
 */
#include "sobol.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "rng.h"

/* Indices from the packed rows of t (m rows of w = d + 2 values), taking
 * row pick[j] for j = 0 .. m-1, or row j itself when pick is NULL. Writes
 * s[i] and st[i]; all NaN when m < 2 or f_A, f_B do not vary. */
static void estimate(const double *t, size_t m, size_t d, const uint32_t *pick,
                     double *s, double *st)
{
    size_t w = d + 2;
    double sum = 0, lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t j = 0; j < m; j++) {
        const double *r = t + (pick ? pick[j] : j) * w;
        sum += r[0] + r[1];
        lo = fmin(lo, fmin(r[0], r[1]));
        hi = fmax(hi, fmax(r[0], r[1]));
    }
    /* lo == hi rather than v == 0: the mean of equal values may be off by
     * an ulp, which would leave a tiny spurious variance. */
    if (m < 2 || !(lo < hi)) {
        for (size_t i = 0; i < d; i++)
            s[i] = st[i] = (double)NAN;
        return;
    }
    double mean = sum / (double)(2 * m), v = 0;
    for (size_t i = 0; i < d; i++)
        s[i] = st[i] = 0;
    for (size_t j = 0; j < m; j++) {
        const double *r = t + (pick ? pick[j] : j) * w;
        double a = r[0] - mean, b = r[1] - mean;
        v += a * a + b * b;
        for (size_t i = 0; i < d; i++) {
            double diff = r[2 + i] - r[0];
            s[i] += b * diff;
            st[i] += diff * diff;
        }
    }
    v /= (double)(2 * m);
    for (size_t i = 0; i < d; i++) {
        s[i] = s[i] / (double)m / v;
        st[i] = st[i] / (double)(2 * m) / v;
    }
}

/* NaN sorts last, so the finite values form a sorted prefix. */
static int cmp_nan_last(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

/* The percentile interval of the n resampled values x (reordered).
 * Resamples with a NaN (one that happened to pick a constant output) are
 * left out; with none left the interval is NaN. */
static void percentile(double *x, size_t n, double *lo, double *hi)
{
    qsort(x, n, sizeof *x, cmp_nan_last);
    size_t k = 0;
    while (k < n && !isnan(x[k]))
        k++;
    double tail = (1.0 - ANA_SOBOL_LEVEL) / 2;
    *lo = *hi = (double)NAN;
    if (k > 0) {
        *lo = gsl_stats_quantile_from_sorted_data(x, 1, k, tail);
        *hi = gsl_stats_quantile_from_sorted_data(x, 1, k, 1 - tail);
    }
}

/* The packed table of usable rows (see the file comment); returns m. */
static size_t pack(const double *y, size_t n, size_t d, double *t)
{
    size_t w = d + 2, m = 0;
    for (size_t j = 0; j < n; j++) {
        bool ok = true;
        for (size_t b = 0; b < w && ok; b++)
            ok = !isnan(y[b * n + j]);
        if (!ok)
            continue;
        for (size_t b = 0; b < w; b++)
            t[m * w + b] = y[b * n + j];
        m++;
    }
    return m;
}

int ana_sobol_indices(const double *y, size_t n, size_t d, size_t boot,
                      uint64_t seed, ana_sobol_index *ix, size_t *used,
                      sim_err *err)
{
    if (y == NULL || ix == NULL || d == 0)
        return sim_err_set(err, SIM_EINVAL,
                           "sobol indices: need outputs, an index array and "
                           "at least one parameter");
    size_t w = d + 2;
    if (d > SIZE_MAX / 64 || n > UINT32_MAX ||
        n > SIZE_MAX / sizeof(double) / w ||
        boot > SIZE_MAX / sizeof(double) / (2 * d))
        return sim_err_set(err, SIM_EINVAL,
                           "sobol indices: design of %zu rows and %zu "
                           "parameters (%zu resamples) is too large",
                           n, d, boot);
    int rc = SIM_OK;
    sim_rng *rng = NULL;
    double *t = malloc((n ? n * w : 1) * sizeof *t);
    double *s = malloc(2 * d * sizeof *s), *st = s ? s + d : NULL;
    double *bs = malloc((boot ? 2 * d * boot : 1) * sizeof *bs);
    uint32_t *pick = malloc((n ? n : 1) * sizeof *pick);
    if (!t || !s || !bs || !pick) {
        rc = sim_err_set(err, SIM_ENOMEM,
                         "sobol indices: out of memory for %zu rows, %zu "
                         "parameters and %zu resamples",
                         n, d, boot);
        goto done;
    }
    size_t m = pack(y, n, d, t);
    if (used != NULL)
        *used = m;
    estimate(t, m, d, NULL, s, st);
    for (size_t i = 0; i < d; i++)
        ix[i] = (ana_sobol_index){.first = s[i],
                                  .total = st[i],
                                  .first_lo = (double)NAN,
                                  .first_hi = (double)NAN,
                                  .total_lo = (double)NAN,
                                  .total_hi = (double)NAN};
    if (boot == 0 || isnan(s[0]))
        goto done; /* no resamples, or nothing to resample */
    rc = sim_rng_new(seed, 0, 0, "sobol_bootstrap", NULL, &rng, err);
    if (rc != SIM_OK)
        goto done;
    /* bs holds every resample's indices, parameter-major: first-order of
     * parameter i in bs[i boot .. (i+1) boot), totals after all d of
     * those, so each interval sorts one contiguous run. */
    for (size_t r = 0; r < boot; r++) {
        for (size_t j = 0; j < m; j++)
            pick[j] = sim_rng_uniform_int(rng, (uint32_t)m);
        estimate(t, m, d, pick, s, st);
        for (size_t i = 0; i < d; i++) {
            bs[i * boot + r] = s[i];
            bs[(d + i) * boot + r] = st[i];
        }
    }
    for (size_t i = 0; i < d; i++) {
        percentile(bs + i * boot, boot, &ix[i].first_lo, &ix[i].first_hi);
        percentile(bs + (d + i) * boot, boot, &ix[i].total_lo, &ix[i].total_hi);
    }
done:
    sim_rng_free(rng);
    free(pick);
    free(bs);
    free(s);
    free(t);
    return rc;
}
