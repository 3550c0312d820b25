/* sweep_design.c -- the design table of a sweep (swp_design, swp_points,
 * swp_design_name; contracts in sweep.h).
 *
 * The table is a pure function of the spec: grid and sobol draw nothing,
 * and lhs draws from one named stream, (s->seed, point 0, replication 0,
 * "sweep_lhs") in sim/rng.h's scheme, so every rank and shard computes the
 * same table without exchanging it. The purpose name keeps the stream apart
 * from every model stream of the same seed.
 *
 * Sobol's first point. sweep.h asks for the all-zero first point of the
 * sequence to be skipped (it sits on every lower bound and is the point
 * Saltelli's scheme handles worst). GSL's gsl_qrng_sobol already leaves it
 * out: its first point is (1/2, ..., 1/2), the sequence's second (GSL 2.7,
 * checked in tests/test_sweep_design.c). So the N points used are the
 * sequence's points 1 .. N, as SALib takes them, and nothing more is
 * skipped here.
 *
 * Sizes. swp_points saturates at SIZE_MAX instead of wrapping, so a grid
 * whose product of value counts overflows is still "too big" to swp_load's
 * SWP_MAX_POINTS check. swp_design asserts the spec is that small: a
 * bigger one never comes out of swp_load, so receiving one is a bug.
 */
#include "sweep.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_qrng.h>

#include "rng.h"

const char *swp_design_name(swp_design_kind k)
{
    switch (k) {
    case SWP_GRID:
        return "grid";
    case SWP_LHS:
        return "lhs";
    case SWP_SOBOL:
        return "sobol";
    }
    return "unknown";
}

/* a * b, or SIZE_MAX when that does not fit. */
static size_t mul_sat(size_t a, size_t b)
{
    if (a != 0 && b > SIZE_MAX / a)
        return SIZE_MAX;
    return a * b;
}

size_t swp_points(const swp_spec *s)
{
    switch (s->design) {
    case SWP_GRID: {
        size_t n = 1;
        for (size_t k = 0; k < s->n_params; k++)
            n = mul_sat(n, s->params[k].n_values);
        return n;
    }
    case SWP_LHS:
        return s->samples;
    case SWP_SOBOL:
        return mul_sat(s->samples, s->n_params + 2);
    }
    return 0;
}

/* Row p of the grid: p written in the mixed radix of the value counts,
 * last parameter as the lowest digit, so it varies fastest. */
static void fill_grid(const swp_spec *s, size_t P, double *x)
{
    size_t d = s->n_params;
    for (size_t p = 0; p < P; p++) {
        size_t rest = p;
        for (size_t k = d; k-- > 0;) {
            const swp_param *q = &s->params[k];
            x[p * d + k] = q->values[rest % q->n_values];
            rest /= q->n_values;
        }
    }
}

/* u in [0, 1) to [lo, hi). lo + u (hi - lo) can round up to hi itself when
 * u is within an ulp or so of 1; such a value is pulled back below hi so
 * every value stays inside its parameter's half-open range. */
static double scale(const swp_param *q, double u)
{
    double v = q->lo + u * (q->hi - q->lo);
    return v < q->hi ? v : nextafter(q->hi, q->lo);
}

/* Each column: the strata 0 .. n-1 in a random order (Fisher-Yates on the
 * shared stream), and a fresh uniform position inside each. Columns are
 * drawn one after another, so column k's values depend on the seed and on
 * k alone. */
static int fill_lhs(const swp_spec *s, double *x, sim_err *err)
{
    size_t n = s->samples, d = s->n_params;
    assert(n <= UINT32_MAX); /* sim_rng_uniform_int's range */
    sim_rng *r = NULL;
    size_t *perm = malloc((n ? n : 1) * sizeof *perm);
    if (perm == NULL)
        return sim_err_set(err, SIM_ENOMEM,
                           "out of memory for a %zu-point latin hypercube", n);
    int rc = sim_rng_new(s->seed, 0, 0, "sweep_lhs", NULL, &r, err);
    if (rc != SIM_OK) {
        free(perm);
        return rc;
    }
    for (size_t k = 0; k < d; k++) {
        for (size_t j = 0; j < n; j++)
            perm[j] = j;
        for (size_t j = n; j > 1; j--) {
            size_t i = sim_rng_uniform_int(r, (uint32_t)j);
            size_t t = perm[j - 1];
            perm[j - 1] = perm[i];
            perm[i] = t;
        }
        for (size_t j = 0; j < n; j++) {
            double u = ((double)perm[j] + sim_rng_uniform(r)) / (double)n;
            x[j * d + k] = scale(&s->params[k], u);
        }
    }
    sim_rng_free(r);
    free(perm);
    return SIM_OK;
}

/* Saltelli's blocks: A, B, then AB_i for each i (sweep.h). */
static int fill_sobol(const swp_spec *s, double *x, sim_err *err)
{
    size_t n = s->samples, d = s->n_params;
    assert(d >= 1 && d <= SWP_MAX_PARAMS);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * d));
    if (q == NULL)
        return sim_err_set(err, SIM_ENOMEM,
                           "out of memory for a %zu-dimensional Sobol sequence",
                           2 * d);
    double u[2 * SWP_MAX_PARAMS];
    for (size_t j = 0; j < n; j++) {
        int got = gsl_qrng_get(q, u);
        assert(got == 0); /* fails only past 2^30 points */
        (void)got;
        for (size_t k = 0; k < d; k++) {
            const swp_param *p = &s->params[k];
            double a = scale(p, u[k]), b = scale(p, u[d + k]);
            x[(0 * n + j) * d + k] = a;
            x[(1 * n + j) * d + k] = b;
            for (size_t i = 0; i < d; i++)
                x[((2 + i) * n + j) * d + k] = i == k ? b : a;
        }
    }
    gsl_qrng_free(q);
    return SIM_OK;
}

int swp_design(const swp_spec *s, double **x, sim_err *err)
{
    size_t P = swp_points(s), d = s->n_params;
    assert(P <= SWP_MAX_POINTS && d >= 1 && d <= SWP_MAX_PARAMS);
    double *t = malloc((P ? P * d : 1) * sizeof *t);
    if (t == NULL)
        return sim_err_set(err, SIM_ENOMEM,
                           "out of memory for a %zu-point %s design", P,
                           swp_design_name(s->design));
    int rc = SIM_OK;
    switch (s->design) {
    case SWP_GRID:
        fill_grid(s, P, t);
        break;
    case SWP_LHS:
        rc = fill_lhs(s, t, err);
        break;
    case SWP_SOBOL:
        rc = fill_sobol(s, t, err);
        break;
    }
    if (rc != SIM_OK) {
        free(t);
        return rc;
    }
    /* Rounded once here, after drawing, so an integer parameter takes the
     * same values whatever design produced the real number. round() sends
     * halves away from zero. */
    for (size_t k = 0; k < d; k++)
        if (s->params[k].integer)
            for (size_t p = 0; p < P; p++)
                t[p * d + k] = round(t[p * d + k]);
    *x = t;
    return SIM_OK;
}
