/* bass.c -- the Bass curve and the sector's total adoption hazard. */
#include <assert.h>
#include <math.h>

#include "bass.h"

double mkt_bass_cdf(double p, double q, double t)
{
    return mkt_bass_cdf_from(p, q, 0.0, t);
}

/* dF/dt = (p + q F)(1 - F). Separating variables, with r = p + q,
 * (1 - F) / (p + q F) = C exp(-r t), C = (1 - f0) / (p + q f0); so
 * F = (1 - p C e) / (1 + q C e), e = exp(-r t). At f0 = 0 this is the
 * textbook form (C = 1 / p). */
double mkt_bass_cdf_from(double p, double q, double f0, double t)
{
    assert(p >= 0 && q >= 0 && t >= 0 && f0 >= 0 && f0 <= 1);
    if (p == 0 && f0 == 0)
        return 0.0;
    double r = p + q, e = exp(-r * t);
    double den0 = p + q * f0;
    double ce = (1.0 - f0) / den0 * e;
    return (1.0 - p * ce) / (1.0 + q * ce);
}

double mkt_bass_rate(double p, double q, uint64_t a, uint64_t n)
{
    assert(a <= n);
    if (a >= n)
        return 0.0;
    return (double)(n - a) * (p + q * (double)a / (double)n);
}
