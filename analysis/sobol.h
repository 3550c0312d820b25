/* sobol.h -- Sobol sensitivity indices from a Saltelli design (ana_sobol_*):
 * how much of an output's variance each parameter explains alone (first
 * order) and with all its interactions (total), with bootstrap intervals.
 *
 * The design is sweep.h's sobol scheme: N rows, d parameters, N (d + 2)
 * points in blocks of N, block 0 = A, 1 = B, 2 + i = AB_i (A with column i
 * from B). With f_A = f(A)_j, f_B = f(B)_j, f_i = f(AB_i)_j over rows j:
 *
 *   V    = the variance of the 2N values f_A and f_B together, mean mu
 *   S_i  = mean_j (f_B - mu) (f_i - f_A) / V     Saltelli et al. 2010, (b)
 *   ST_i = mean_j (f_A - f_i)^2 / 2 / V          Jansen 1999, (f)
 *
 * (Saltelli, Annoni, Azzini, Campolongo, Ratto, Tarantola, "Variance based
 * sensitivity analysis of model output", Comput. Phys. Commun. 181 (2010)
 * 259-270, Table 2: the pair that paper recommends.) S_i centres f_B on mu,
 * which the paper's form does not: the expectation is the same, since
 * E[f_i] = E[f_A], but the uncentred form multiplies the noise of
 * f_i - f_A by the output's mean. On Ishigami shifted by 100, N = 4096,
 * its S_1 interval is [-0.57, 1.17]; centred, [0.28, 0.34] with or
 * without the shift (B = 1000 resamples).
 *
 * Intervals are 95% percentile bootstrap intervals: resample the rows j
 * with replacement (one resample serves every block, which keeps the
 * pairing of f_A, f_B and f_i the estimators rely on), recompute, and take
 * the 2.5% and 97.5% quantiles. The bootstrap treats the rows as
 * independent draws, which a quasi-random design is not; its intervals
 * describe Monte Carlo error and tend to be wider than the error of the
 * Sobol design itself.
 *
 * A row j whose value is NaN in any block (a failed point) is dropped from
 * every block. Too little data (fewer than 2 rows left) or an output that
 * does not vary gives NaN indices, not an error: the caller reports them
 * as undefined.
 */
#ifndef ANA_SOBOL_H
#define ANA_SOBOL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define ANA_SOBOL_LEVEL 0.95 /* two-sided level of the intervals */

/* One parameter's indices. Each _lo/_hi pair is the 95% percentile
 * bootstrap interval of the index before it; NaN when the index is NaN or
 * there were no resamples. */
typedef struct {
    double first, first_lo, first_hi; /* S_i */
    double total, total_lo, total_hi; /* ST_i */
} ana_sobol_index;

/* Indices of the d parameters from y, the outputs of the n * (d + 2)
 * points of a Saltelli design in sweep.h's order (borrowed). boot is the
 * number of bootstrap resamples (0: no intervals); the resamples come from
 * the stream named (seed, 0, 0, "sobol_bootstrap") (sim/rng.h), so the
 * same arguments give the same numbers. Writes ix[0 .. d-1] and, unless
 * used is NULL, the number of rows j that had no NaN. Memory: about
 * 8 (n (d + 2) + 2 d boot) bytes besides y.
 *
 * Errors: SIM_EINVAL (y or ix NULL, d = 0, n (d + 2) overflowing, n >=
 * 2^32), SIM_ENOMEM. On error ix and *used are unspecified. */
int ana_sobol_indices(const double *y, size_t n, size_t d, size_t boot,
                      uint64_t seed, ana_sobol_index *ix, size_t *used,
                      sim_err *err);

#endif
