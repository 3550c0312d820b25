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
        double e = ok[j] ? exp(v[j] - vmax) : 0.0;
        prob[j] = e;
        sum += e;
    }
    for (size_t j = 0; j < n && usable; j++)
        prob[j] /= sum;
    return usable;
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
        v[j] = ok[j] ? exp(v[j] - vmax) : 0.0;
        sum += v[j];
    }
    double target = u * sum, acc = 0;
    size_t last = n;
    for (size_t j = 0; j < n; j++) {
        if (!ok[j])
            continue;
        acc += v[j];
        last = j;
        if (target < acc)
            return j;
    }
    return last; /* rounding left target >= acc: the last usable one */
}
