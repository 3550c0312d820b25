/* test_sobol.c -- Sobol indices (analysis/sobol.h) on the design that
 * models/sweep.h produces.
 *
 * The acceptance check is the Ishigami function (Ishigami and Homma 1990),
 * f = sin x1 + a sin^2 x2 + b x3^4 sin x1 with x uniform on [-pi, pi]^3,
 * whose indices have a closed form (Sobol and Levitan 1999; Saltelli et
 * al. 2010, section 4): each analytic index must lie inside its bootstrap
 * 95% interval at N = 4096. The others check what the estimators must do
 * exactly (a parameter f ignores gets 0, a dropped row is as if never
 * there, a shifted output gives the same indices) and that the bootstrap
 * is reproducible.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sobol.h"
#include "sweep.h"

#define PI     3.14159265358979323846
#define ISHI_A 7.0
#define ISHI_B 0.1
#define BOOT   1000
#define SEED   UINT64_C(20260101)

typedef double model(const double *x);

static double ishigami(const double *x)
{
    double s = sin(x[0]), s2 = sin(x[1]), x3 = x[2] * x[2];
    return s + ISHI_A * s2 * s2 + ISHI_B * x3 * x3 * s;
}

static double x1_only(const double *x)
{
    return 2.385 * x[0] + x[0] * x[0] * x[0];
}

/* f at every point of the Saltelli design over [-pi, pi]^d with base
 * sample n: the y that ana_sobol_indices takes. Caller frees. */
static double *saltelli_outputs(model *f, size_t n, size_t d)
{
    swp_param p[SWP_MAX_PARAMS];
    for (size_t k = 0; k < d; k++)
        p[k] = (swp_param){.lo = -PI, .hi = PI};
    swp_spec s = {.design = SWP_SOBOL,
                  .samples = n,
                  .replications = 1,
                  .seed = 1,
                  .n_params = d,
                  .params = p};
    double *x = NULL;
    sim_err err = {0};
    cr_assert_eq(swp_design(&s, &x, &err), SIM_OK, "%s", err.msg);
    size_t P = swp_points(&s);
    cr_assert_eq(P, n * (d + 2));
    double *y = malloc(P * sizeof *y);
    cr_assert_not_null(y);
    for (size_t q = 0; q < P; q++)
        y[q] = f(x + q * d);
    free(x);
    return y;
}

static void indices(const double *y, size_t n, size_t d, uint64_t seed,
                    ana_sobol_index *ix, size_t *used)
{
    sim_err err = {0};
    cr_assert_eq(ana_sobol_indices(y, n, d, BOOT, seed, ix, used, &err), SIM_OK,
                 "%s", err.msg);
}

static void assert_inside(const char *what, double truth, double est, double lo,
                          double hi)
{
    cr_log_info("%s: analytic %.4f, estimate %.4f, 95%% [%.4f, %.4f]", what,
                truth, est, lo, hi);
    cr_assert(lo <= truth && truth <= hi,
              "%s: analytic %.4f outside [%.4f, %.4f] (estimate %.4f)", what,
              truth, lo, hi, est);
}

Test(sobol, ishigami_analytic_indices_lie_inside_the_bootstrap_intervals)
{
    enum { N = 4096, D = 3 };
    double a = ISHI_A, b = ISHI_B, pi4 = pow(PI, 4), pi8 = pow(PI, 8);
    double V = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
    double V1 = (1 + b * pi4 / 5) * (1 + b * pi4 / 5) / 2, V2 = a * a / 8;
    double VT3 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
    const double S[D] = {V1 / V, V2 / V, 0};
    const double ST[D] = {(V1 + VT3) / V, V2 / V, VT3 / V};
    /* The brief's rounded values, as a check on the closed form itself. */
    cr_assert_float_eq(S[0], 0.314, 5e-4);
    cr_assert_float_eq(S[1], 0.442, 5e-4);
    cr_assert_float_eq(ST[0], 0.558, 5e-4);
    cr_assert_float_eq(ST[2], 0.244, 5e-4);

    double *y = saltelli_outputs(ishigami, N, D);
    ana_sobol_index ix[D];
    size_t used = 0;
    indices(y, N, D, SEED, ix, &used);
    cr_assert_eq(used, N);
    for (size_t i = 0; i < D; i++) {
        char name[16];
        snprintf(name, sizeof name, "S%zu", i + 1);
        assert_inside(name, S[i], ix[i].first, ix[i].first_lo, ix[i].first_hi);
        snprintf(name, sizeof name, "ST%zu", i + 1);
        assert_inside(name, ST[i], ix[i].total, ix[i].total_lo, ix[i].total_hi);
    }
    free(y);
}

Test(sobol, a_function_of_x1_alone_gives_x1_everything)
{
    enum { N = 1024, D = 3 };
    double *y = saltelli_outputs(x1_only, N, D);
    ana_sobol_index ix[D];
    indices(y, N, D, SEED, ix, NULL);
    cr_assert_float_eq(ix[0].first, 1.0, 0.02);
    cr_assert_float_eq(ix[0].total, 1.0, 0.02);
    cr_assert(ix[0].first_lo <= 1 && 1 <= ix[0].first_hi);
    /* f(AB_i) = f(A) exactly for i = 2, 3, so both numerators are 0. */
    for (size_t i = 1; i < D; i++) {
        cr_assert_eq(ix[i].first, 0.0);
        cr_assert_eq(ix[i].total, 0.0);
        cr_assert_eq(ix[i].total_lo, 0.0);
        cr_assert_eq(ix[i].total_hi, 0.0);
    }
    free(y);
}

Test(sobol, rows_with_a_nan_are_dropped_from_every_block)
{
    enum { N = 512, D = 3, W = D + 2 };
    double *y = saltelli_outputs(ishigami, N, D);
    /* Fail rows 3, 100 and 511, each in a different block. */
    const size_t bad[3] = {3, 100, 511}, blk[3] = {0, 1, 4};
    for (size_t k = 0; k < 3; k++)
        y[blk[k] * N + bad[k]] = (double)NAN;
    /* The same design with those rows never there. */
    double *z = malloc((N - 3) * W * sizeof *z);
    cr_assert_not_null(z);
    for (size_t b = 0, m; b < W; b++) {
        m = 0;
        for (size_t j = 0; j < N; j++)
            if (j != bad[0] && j != bad[1] && j != bad[2])
                z[b * (N - 3) + m++] = y[b * N + j];
    }
    ana_sobol_index got[D], want[D];
    size_t used = 0, used_z = 0;
    indices(y, N, D, SEED, got, &used);
    indices(z, N - 3, D, SEED, want, &used_z);
    cr_assert_eq(used, N - 3);
    cr_assert_eq(used_z, N - 3);
    cr_assert_eq(memcmp(got, want, sizeof got), 0);
    for (size_t i = 0; i < D; i++)
        cr_assert(isfinite(got[i].first) && isfinite(got[i].total_hi));
    free(z);
    free(y);
}

Test(sobol, the_bootstrap_depends_on_the_seed_alone)
{
    enum { N = 256, D = 3 };
    double *y = saltelli_outputs(ishigami, N, D);
    ana_sobol_index a[D], b[D], c[D];
    indices(y, N, D, SEED, a, NULL);
    indices(y, N, D, SEED, b, NULL);
    indices(y, N, D, SEED + 1, c, NULL);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    for (size_t i = 0; i < D; i++) {
        cr_assert_eq(c[i].first, a[i].first); /* estimates use no draws */
        cr_assert_eq(c[i].total, a[i].total);
    }
    cr_assert_neq(c[0].first_lo, a[0].first_lo);
    free(y);
}

Test(sobol, a_shifted_output_gives_the_same_indices)
{
    /* An output's level says nothing about what drives it. The first-order
     * numerator is centred for this; uncentred, 1e6 times the noise of
     * f(AB_i) - f(A) would swamp it. */
    enum { N = 512, D = 3, P = N * (D + 2) };
    double *y = saltelli_outputs(ishigami, N, D);
    ana_sobol_index a[D], b[D];
    indices(y, N, D, SEED, a, NULL);
    for (size_t q = 0; q < P; q++)
        y[q] += 1e6;
    indices(y, N, D, SEED, b, NULL);
    for (size_t i = 0; i < D; i++) {
        cr_assert_float_eq(b[i].first, a[i].first, 1e-6);
        cr_assert_float_eq(b[i].first_hi, a[i].first_hi, 1e-6);
        cr_assert_float_eq(b[i].total, a[i].total, 1e-6);
    }
    free(y);
}

Test(sobol, too_few_rows_or_no_variance_give_nan)
{
    enum { N = 8, D = 2, P = N * (D + 2) };
    double y[P];
    for (size_t q = 0; q < P; q++)
        y[q] = 2.385; /* constant output */
    ana_sobol_index ix[D];
    size_t used = 0;
    indices(y, N, D, SEED, ix, &used);
    cr_assert_eq(used, N);
    for (size_t i = 0; i < D; i++)
        cr_assert(isnan(ix[i].first) && isnan(ix[i].total) &&
                  isnan(ix[i].first_lo) && isnan(ix[i].total_hi));
    for (size_t q = 0; q < P; q++)
        y[q] = (double)q * 0.37;
    for (size_t j = 1; j < N; j++) /* only row 0 survives */
        y[N + j] = (double)NAN;
    indices(y, N, D, SEED, ix, &used);
    cr_assert_eq(used, 1);
    cr_assert(isnan(ix[0].first) && isnan(ix[1].total));
}

Test(sobol, misuse_is_einval_with_a_message)
{
    double y[4] = {1, 2, 3, 4};
    ana_sobol_index ix[1];
    sim_err err = {0};
    cr_assert_eq(ana_sobol_indices(NULL, 1, 1, 10, 1, ix, NULL, &err),
                 SIM_EINVAL);
    cr_assert(strstr(err.msg, "sobol indices:"), "got: %s", err.msg);
    sim_err_clear(&err);
    cr_assert_eq(ana_sobol_indices(y, 1, 0, 10, 1, ix, NULL, &err), SIM_EINVAL);
    cr_assert(strstr(err.msg, "at least one parameter"), "got: %s", err.msg);
    sim_err_clear(&err);
    cr_assert_eq(
        ana_sobol_indices(y, (size_t)1 << 40, 1, 10, 1, ix, NULL, &err),
        SIM_EINVAL);
    cr_assert(strstr(err.msg, "too large"), "got: %s", err.msg);
}
