/* choice.h -- multinomial logit choice (mkt_choice_*).
 *
 * With utilities V_j plus independent standard Gumbel noise, option j is the
 * best with probability exp(V_j) / sum_k exp(V_k) (McFadden 1974). Drawing
 * that probability vector with one uniform gives the same distribution as
 * drawing n Gumbels, at one random number per choice: the same enterprise
 * then consumes the same amount of its stream whatever the options, which
 * keeps common random numbers aligned across scenarios.
 */
#ifndef MKT_CHOICE_H
#define MKT_CHOICE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

/* exp(x), without the call where x is 0: a logit's best option's weight (x
 * is v_j - vmax), exactly 1 as exp(0) and exp(-0) are. A NaN compares
 * unequal and still goes to exp. */
static inline double mkt_exp0(double x)
{
    return x == 0 ? 1.0 : exp(x);
}

/* Writes the logit probabilities of v[0..n) into prob (may alias v), skipping
 * entries with ok[j] false (probability 0). Returns the number of usable
 * entries; with none, every prob is 0. Stable for any finite utilities (the
 * largest is subtracted first). */
size_t mkt_choice_probs(const double *v, const bool *ok, size_t n,
                        double *prob);

/* The index j whose cumulative probability first exceeds u, over entries
 * with ok[j]; u in [0, 1). Returns n when no entry is usable. v is scratch:
 * it is overwritten with unnormalised weights (saves a second exp pass). */
size_t mkt_choose_option(double *v, const bool *ok, size_t n, double u);

/* The same draw from weights w already computed: w[j] = exp(v[j] - vmax)
 * where ok[j], 0 elsewhere, as mkt_choose_option leaves them in v (a caller
 * that draws again from nearly the same set keeps them). */
size_t mkt_choose_weights(const double *w, const bool *ok, size_t n, double u);

/* Nested logit with an outside option (Train 2009, ch. 4): the usable
 * entries of v form one nest with dissimilarity lambda in (0, 1], the
 * outside alternative, of utility v0, a nest of its own. With the inside
 * inclusive value I = log sum_j exp(v_j / lambda),
 *
 *     P(outside) = exp(v0) / (exp(v0) + exp(lambda I)),
 *     P(j)       = (1 - P(outside)) exp(v_j / lambda) / exp(I).
 *
 * lambda = 1 is the plain logit with the outside as one more alternative.
 * Writes P(j) into prob[0..n) and returns P(outside) (1 when no entry is
 * usable). */
double mkt_choice_probs_nested(const double *v, const bool *ok, size_t n,
                               double v0, double lambda, double *prob);

/* A draw from the nested logit above with one uniform u in [0, 1): the
 * outside takes the top P(outside) of the unit interval, so u below it is
 * rescaled and drawn inside. Returns the inside index, or MKT_CHOICE_OUTSIDE
 * (never a valid index) for the outside. v is scratch, as above. */
#define MKT_CHOICE_OUTSIDE ((size_t)-2)
size_t mkt_choose_nested(double *v, const bool *ok, size_t n, double v0,
                         double lambda, double u);

#endif
