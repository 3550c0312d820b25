/* repstats.c -- replication statistics (see repstats.h).
 *
 * Means and variances are two-pass (the mean first, then the sum of squared
 * deviations from it), as gsl_stats_mean and gsl_stats_variance do: revenue
 * totals near 1e10 USD with spreads near 1e8 would lose digits in the
 * one-pass sum-of-squares formula. The mean is a running one (m += (x -
 * m) / k, as gsl_stats_mean computes it), which is exact for a constant
 * sample, so a metric a scenario does not touch gets sd 0, not 1e-16.
 * GSL's own functions are not called because they cannot skip NaN, and
 * copying the non-NaN values first would need an allocation, hence an
 * error path, for nothing. The t quantile is GSL's.
 */
#include "repstats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

double ana_repstats_t95(double df)
{
    if (!(df > 0))
        return (double)NAN;
    return gsl_cdf_tdist_Pinv(0.5 + ANA_REPSTATS_LEVEL / 2, df);
}

/* Sets sd, se, df, hw, lo, hi from n, mean and the sum of squared
 * deviations. */
static void finish(ana_repstats *s, double ss)
{
    s->sd = s->se = s->df = s->hw = s->lo = s->hi = (double)NAN;
    if (s->n < 2)
        return;
    s->sd = sqrt(ss / (double)(s->n - 1));
    s->se = s->sd / sqrt((double)s->n);
    s->df = (double)(s->n - 1);
    s->hw = ana_repstats_t95(s->df) * s->se;
    s->lo = s->mean - s->hw;
    s->hi = s->mean + s->hw;
}

ana_repstats ana_repstats_mean(const double *x, size_t n, size_t stride)
{
    ana_repstats s = {.mean = (double)NAN};
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (isnan(v))
            continue;
        s.n++;
        m += (v - m) / (double)s.n;
    }
    if (s.n > 0)
        s.mean = m;
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (!isnan(v))
            ss += (v - s.mean) * (v - s.mean);
    }
    finish(&s, ss);
    return s;
}

ana_repstats ana_repstats_paired(const double *base, const double *alt,
                                 size_t n, size_t stride)
{
    ana_repstats s = {.mean = (double)NAN};
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = alt[i * stride] - base[i * stride]; /* NaN if either is */
        if (isnan(d))
            continue;
        s.n++;
        m += (d - m) / (double)s.n;
    }
    if (s.n > 0)
        s.mean = m;
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        double d = alt[i * stride] - base[i * stride];
        if (!isnan(d))
            ss += (d - s.mean) * (d - s.mean);
    }
    finish(&s, ss);
    return s;
}

ana_repstats ana_repstats_welch(const double *base, size_t n_base,
                                const double *alt, size_t n_alt,
                                size_t stride)
{
    ana_repstats b = ana_repstats_mean(base, n_base, stride);
    ana_repstats a = ana_repstats_mean(alt, n_alt, stride);
    ana_repstats s = {.n = b.n + a.n,
                      .mean = a.mean - b.mean,
                      .sd = (double)NAN,
                      .se = (double)NAN,
                      .df = (double)NAN,
                      .hw = (double)NAN,
                      .lo = (double)NAN,
                      .hi = (double)NAN};
    if (b.n < 2 || a.n < 2)
        return s;
    double vb = b.se * b.se, va = a.se * a.se; /* s^2 / n of each side */
    s.se = sqrt(vb + va);
    if (vb + va > 0) {
        s.df = (vb + va) * (vb + va) /
               (vb * vb / (double)(b.n - 1) + va * va / (double)(a.n - 1));
        s.hw = ana_repstats_t95(s.df) * s.se;
    } else {
        /* Both sides constant: Welch's df is 0/0, and any df gives a
         * zero-width interval; take the pooled df so df stays a number. */
        s.df = (double)(s.n - 2);
        s.hw = 0;
    }
    s.lo = s.mean - s.hw;
    s.hi = s.mean + s.hw;
    return s;
}
