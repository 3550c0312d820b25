/* repstats.h -- statistics over replications (ana_repstats_*): the mean of
 * a metric with its 95% Student t interval, and the difference between two
 * scenarios, paired by replication or not.
 *
 * Replications are independent draws of the same random experiment, so a
 * mean over n of them has a t interval with n - 1 degrees of freedom
 * (gsl_cdf_tdist_Pinv). A NaN value means "not defined in this replication"
 * (months_to_half_access when access never halved, docs/output.md): it is
 * skipped, and n counts only the values used, so "the mean over the
 * replications where it happened" and "how often it happened" stay apart.
 *
 * Two scenarios run with the same seed share their random streams
 * (DESIGN.md, common random numbers): replication k of both draws the same
 * population and the same choices. The paired difference d_k = alt_k -
 * base_k then cancels the noise the two share, and its interval is the t
 * interval of the mean of d. The unpaired (Welch) interval ignores the
 * pairing; it is what two independent runs would give, and the ratio of the
 * two half-widths measures what the common random numbers bought.
 *
 * Everything here is a pure function of its arguments: no allocation, no
 * state, no error path. Values that cannot be computed (a mean of nothing,
 * an interval from one value) are NaN, never an error.
 */
#ifndef ANA_REPSTATS_H
#define ANA_REPSTATS_H

#include <stddef.h>

#define ANA_REPSTATS_LEVEL 0.95 /* two-sided confidence level */

/* One interval. For a mean, `mean` is the mean of the values and `sd` their
 * sample standard deviation (n - 1 in the denominator); for a difference,
 * `mean` is the difference of means (ALT - BASE) and `sd` the sample
 * standard deviation of the paired differences (NaN for Welch). */
typedef struct {
    size_t n;      /* values (or pairs) used: the non-NaN ones */
    double mean;   /* NaN if n == 0 */
    double sd;     /* NaN if n < 2 */
    double se;     /* standard error of `mean`; NaN if n < 2 */
    double df;     /* degrees of freedom of the t quantile; NaN if n < 2 */
    double hw;     /* half-width: t(0.975, df) x se; NaN if n < 2 */
    double lo, hi; /* mean -+ hw */
} ana_repstats;

/* Mean, sd and 95% interval of x[0], x[stride], ..., x[(n - 1) * stride],
 * NaN values skipped. stride >= 1 lets a caller take a column of a
 * row-major [replication][...] array without copying it. */
ana_repstats ana_repstats_mean(const double *x, size_t n, size_t stride);

/* The paired difference of two samples of equal length n (replication k of
 * alt against replication k of base): the mean of d_k = alt_k - base_k with
 * its 95% interval, df = pairs - 1. A pair with a NaN on either side is
 * skipped; n is the number of pairs used. */
ana_repstats ana_repstats_paired(const double *base, const double *alt,
                                 size_t n, size_t stride);

/* The unpaired difference mean(alt) - mean(base), NaN values skipped on
 * each side separately, with Welch's 95% interval: se^2 = s_b^2/n_b +
 * s_a^2/n_a and the Welch-Satterthwaite degrees of freedom
 *   df = se^4 / ((s_b^2/n_b)^2/(n_b - 1) + (s_a^2/n_a)^2/(n_a - 1)).
 * n is n_b + n_a; sd is NaN. Needs two values on each side; when both
 * samples are constant (se = 0) the interval is the point itself, with
 * df = n_b + n_a - 2. */
ana_repstats ana_repstats_welch(const double *base, size_t n_base,
                                const double *alt, size_t n_alt,
                                size_t stride);

/* The t quantile of a two-sided 95% interval with df degrees of freedom
 * (t(0.975, df): 12.706 for df = 1, 2.093 for 19, 1.960 as df grows); NaN
 * for df <= 0 or NaN. */
double ana_repstats_t95(double df);

#endif
