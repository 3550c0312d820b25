/* choice.c -- logit probabilities and a draw with one uniform. */
#include <assert.h>
#include <math.h>

#include "choice.h"

size_t mkt_choice_probs(const double *v, const bool *ok, size_t n,
                        double *prob)
{
    double vmax = -HUGE_VAL;
    size_t usable = 0;
    for (size_t j = 0; j < n; j++)
        if (ok[j]) {
            usable++;
            if (v[j] > vmax)
                vmax = v[j];
        }
    double sum = 0;
    for (size_t j = 0; j < n; j++) {
        double e = ok[j] ? mkt_exp0(v[j] - vmax) : 0.0;
        prob[j] = e;
        sum += e;
    }
    for (size_t j = 0; j < n && usable; j++)
        prob[j] /= sum;
    return usable;
}

/* The first usable j whose running sum of weights w exceeds target. */
static size_t pick_weighted(const double *w, const bool *ok, size_t n,
                            double target)
{
    double acc = 0;
    size_t last = n;
    for (size_t j = 0; j < n; j++) {
        if (!ok[j])
            continue;
        acc += w[j];
        last = j;
        if (target < acc)
            return j;
    }
    return last; /* rounding left target >= acc: the last usable one */
}

size_t mkt_choose_option(double *v, const bool *ok, size_t n, double u)
{
    assert(u >= 0 && u < 1);
    double vmax = -HUGE_VAL;
    for (size_t j = 0; j < n; j++)
        if (ok[j] && v[j] > vmax)
            vmax = v[j];
    if (vmax == -HUGE_VAL)
        return n;
    double sum = 0;
    for (size_t j = 0; j < n; j++) {
        v[j] = ok[j] ? mkt_exp0(v[j] - vmax) : 0.0;
        sum += v[j];
    }
    return pick_weighted(v, ok, n, u * sum);
}

size_t mkt_choose_weights(const double *w, const bool *ok, size_t n, double u)
{
    assert(u >= 0 && u < 1);
    double sum = 0;
    for (size_t j = 0; j < n; j++)
        sum += w[j];
    return pick_weighted(w, ok, n, u * sum);
}

/* The inside nest's weights exp((v_j - vmax) / lambda) into w (may alias v)
 * and log P(inside) - the rest of the outside's share: returns P(outside).
 * Written with vmax subtracted so that utilities of any size are exact. */
static double nested_split(const double *v, const bool *ok, size_t n,
                           double v0, double lambda, double *w)
{
    double vmax = -HUGE_VAL;
    for (size_t j = 0; j < n; j++)
        if (ok[j] && v[j] > vmax)
            vmax = v[j];
    if (vmax == -HUGE_VAL) {
        for (size_t j = 0; j < n; j++)
            w[j] = 0.0;
        return 1.0;
    }
    double sum = 0;
    for (size_t j = 0; j < n; j++) {
        w[j] = ok[j] ? mkt_exp0((v[j] - vmax) / lambda) : 0.0;
        sum += w[j];
    }
    /* lambda I = vmax + lambda log(sum); P(out) = 1 / (1 + e^(lambda I - v0)) */
    double z = vmax + lambda * log(sum) - v0;
    if (z > 0) {
        double e = exp(-z); /* once: the same value both times */
        return e / (1.0 + e);
    }
    return 1.0 / (1.0 + exp(z));
}

double mkt_choice_probs_nested(const double *v, const bool *ok, size_t n,
                               double v0, double lambda, double *prob)
{
    assert(lambda > 0 && lambda <= 1);
    double pout = nested_split(v, ok, n, v0, lambda, prob);
    double sum = 0;
    for (size_t j = 0; j < n; j++)
        sum += prob[j];
    for (size_t j = 0; j < n && sum > 0; j++)
        prob[j] = prob[j] / sum * (1.0 - pout);
    return pout;
}

size_t mkt_choose_nested(double *v, const bool *ok, size_t n, double v0,
                         double lambda, double u)
{
    assert(u >= 0 && u < 1 && lambda > 0 && lambda <= 1);
    double pin = 1.0 - nested_split(v, ok, n, v0, lambda, v);
    if (!(u < pin))
        return MKT_CHOICE_OUTSIDE;
    double sum = 0;
    for (size_t j = 0; j < n; j++)
        sum += v[j];
    return pick_weighted(v, ok, n, u / pin * sum);
}
