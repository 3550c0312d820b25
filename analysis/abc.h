/* abc.h -- the arithmetic of ABC-SMC, population Monte Carlo with adaptive
 * tolerances (ana_abc_*): Beaumont, Cornuet, Marin and Robert (2009),
 * "Adaptive approximate Bayesian computation", Biometrika 96(4); Toni et
 * al. (2009), J. R. Soc. Interface 6(31).
 *
 * Particles live in "z-space": the parameter itself for a uniform prior,
 * its logarithm for a log-uniform one, so that every prior is uniform on a
 * box [lo, hi] and its density a constant that cancels from the weights.
 *
 * Generation 0 draws from the prior. Generation g > 0 picks an ancestor j
 * with probability w_j and perturbs it with a Gaussian kernel whose
 * covariance is twice the weighted covariance of generation g - 1
 * (Beaumont et al. 2009, section 3); a proposal outside the box is drawn
 * again. The importance weight of an accepted particle is prior(z) /
 * sum_j w_j K(z | z_j).
 *
 * Every proposal's randomness comes from its own stream, named (seed,
 * generation, particle index, "abc"): proposal i of generation g is the
 * same numbers whichever thread, rank or run computes it, which is what
 * makes the accepted set independent of the parallelism.
 */
#ifndef ANA_ABC_H
#define ANA_ABC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    size_t n, d;        /* particles, dimensions */
    const double *z;    /* [n][d] */
    const double *w;    /* [n], summing to 1 */
    double *chol;       /* [d][d] lower Cholesky factor of 2 x cov */
    double log_det;     /* log det of the factor */
} ana_abc_pop;

/* Fills pop->chol and log_det from z and w (twice the weighted covariance;
 * a degenerate direction gets a small floor relative to the box width
 * range[k] so the kernel never collapses). pop->chol is caller storage of
 * d x d doubles. SIM_EINVAL when the factorisation fails. */
int ana_abc_kernel(ana_abc_pop *pop, const double *range, sim_err *err);

/* Proposal `index` of generation `gen` into z [d]: from the prior box
 * when prev is NULL (generation 0), else from the kernel around prev. */
int ana_abc_propose(uint64_t seed, uint32_t gen, uint32_t index,
                    const ana_abc_pop *prev, size_t d, const double *lo,
                    const double *hi, double *z, sim_err *err);

/* log of the unnormalised importance weight of z: -log sum_j w_j
 * K(z | z_j) (the prior is constant on the box). */
double ana_abc_log_weight(const ana_abc_pop *prev, const double *z);

/* Normalises log weights lw [n] in place into weights summing to 1. */
void ana_abc_normalise(double *lw, size_t n);

/* The q-quantile (0 < q < 1) of x [n], unweighted, by GSL's
 * interpolation on the sorted values. */
double ana_abc_quantile(const double *x, size_t n, double q);

/* Weighted summaries of x [n] with weights w (summing to 1): mean, sd and
 * the weighted quantiles at probs [n_probs] (the smallest x whose
 * cumulative weight reaches p). stride steps through x. */
void ana_abc_summary(const double *x, size_t stride, const double *w,
                     size_t n, double *mean, double *sd, const double *probs,
                     size_t n_probs, double *q);

#endif
