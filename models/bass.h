/* bass.h -- Bass (1969) diffusion: the closed form and the hazard the
 * simulation draws from (mkt_bass_*).
 *
 * A non-adopter adopts at hazard p + q A(t)/N, A adopters out of N. With
 * A(0) = 0 and N large, the adopted fraction follows
 *
 *     F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t)),
 *
 * the deterministic limit the validation tests compare the simulated mean
 * against. The simulation (models/market.c) runs the finite-N process
 * exactly, as a Gillespie process: the next adoption comes after an
 * exponential time with rate mkt_bass_rate, since the total hazard changes
 * only when someone adopts.
 */
#ifndef MKT_BASS_H
#define MKT_BASS_H

#include <stdint.h>

/* F(t) for p, q in the same time unit as t; p > 0 or q > 0, t >= 0. With
 * p = 0 nobody ever adopts first, so F = 0. */
double mkt_bass_cdf(double p, double q, double t);

/* F(t) started from a fraction f0 already adopted at t = 0 (the scenario's
 * initial adopters): the logistic-type solution through (0, f0). */
double mkt_bass_cdf_from(double p, double q, double f0, double t);

/* The total adoption rate (N - A)(p + q A / N) of a sector of n with a
 * adopters; 0 when a == n. */
double mkt_bass_rate(double p, double q, uint64_t a, uint64_t n);

#endif
