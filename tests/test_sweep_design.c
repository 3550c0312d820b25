/* test_sweep_design.c -- the design tables of sweeps (models/sweep.h):
 * grid order and count, Latin hypercube strata, Saltelli's Sobol blocks,
 * integer rounding, ranges, determinism and the overflow guard of
 * swp_points.
 *
 * Specs are built by hand (no sweep file, no scenario), since swp_design
 * reads only design, samples, seed and the parameters' values and ranges.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

/* A spec over d parameters with the given ranges; values stay NULL. */
static swp_spec spec(swp_design_kind k, size_t samples, uint64_t seed,
                     swp_param *params, size_t d)
{
    return (swp_spec){.design = k,
                      .samples = samples,
                      .replications = 1,
                      .seed = seed,
                      .n_params = d,
                      .params = params};
}

static double *design(const swp_spec *s)
{
    double *x = NULL;
    sim_err err = {0};
    cr_assert_eq(swp_design(s, &x, &err), SIM_OK, "%s", err.msg);
    cr_assert_not_null(x);
    return x;
}

Test(sweep_design, names)
{
    cr_assert_str_eq(swp_design_name(SWP_GRID), "grid");
    cr_assert_str_eq(swp_design_name(SWP_LHS), "lhs");
    cr_assert_str_eq(swp_design_name(SWP_SOBOL), "sobol");
}

Test(sweep_design, grid_varies_the_last_parameter_fastest)
{
    double a[] = {0.5, 1.0, 2.0}, b[] = {-1.25, 7.5};
    swp_param p[] = {{.n_values = 3, .values = a},
                     {.n_values = 2, .values = b}};
    swp_spec s = spec(SWP_GRID, 0, 1, p, 2);
    cr_assert_eq(swp_points(&s), 6);
    double *x = design(&s);
    const double want[6][2] = {{0.5, -1.25}, {0.5, 7.5},   {1.0, -1.25},
                               {1.0, 7.5},   {2.0, -1.25}, {2.0, 7.5}};
    for (size_t r = 0; r < 6; r++)
        for (size_t k = 0; k < 2; k++)
            cr_assert_eq(x[r * 2 + k], want[r][k], "row %zu col %zu", r, k);
    free(x);
}

Test(sweep_design, grid_of_three_parameters_counts_every_combination)
{
    double a[] = {1, 2}, b[] = {10, 20, 30}, c[] = {100, 200, 300, 400};
    swp_param p[] = {{.n_values = 2, .values = a},
                     {.n_values = 3, .values = b},
                     {.n_values = 4, .values = c}};
    swp_spec s = spec(SWP_GRID, 0, 1, p, 3);
    cr_assert_eq(swp_points(&s), 24);
    double *x = design(&s);
    /* Row r is (a[r / 12], b[r / 4 % 3], c[r % 4]): every triple once. */
    for (size_t r = 0; r < 24; r++) {
        cr_assert_eq(x[r * 3 + 0], a[r / 12]);
        cr_assert_eq(x[r * 3 + 1], b[r / 4 % 3]);
        cr_assert_eq(x[r * 3 + 2], c[r % 4]);
    }
    free(x);
}

Test(sweep_design, points_saturate_instead_of_wrapping)
{
    /* 2^20 values in each of 4 parameters is 2^80 points: swp_load's
     * "larger than SWP_MAX_POINTS" check must see a huge number, not the
     * product modulo 2^64 (which is 0 here). */
    swp_param p[4];
    for (size_t k = 0; k < 4; k++)
        p[k] = (swp_param){.n_values = (size_t)1 << 20};
    swp_spec s = spec(SWP_GRID, 0, 1, p, 4);
    cr_assert_eq(swp_points(&s), SIZE_MAX);
    swp_spec so = spec(SWP_SOBOL, SIZE_MAX / 2, 1, p, 4);
    cr_assert_eq(swp_points(&so), SIZE_MAX);
    swp_spec l = spec(SWP_LHS, 777, 1, p, 4);
    cr_assert_eq(swp_points(&l), 777);
}

Test(sweep_design, lhs_puts_one_point_in_each_stratum_of_each_column)
{
    enum { N = 1000, D = 3 };
    swp_param p[D] = {{.lo = 2.385, .hi = 7.1},
                      {.lo = -3.0, .hi = -2.999},
                      {.lo = -1e6, .hi = 4.5e6}};
    swp_spec s = spec(SWP_LHS, N, 20260101, p, D);
    cr_assert_eq(swp_points(&s), N);
    double *x = design(&s);
    for (size_t k = 0; k < D; k++) {
        int hits[N] = {0};
        for (size_t j = 0; j < N; j++) {
            double v = x[j * D + k];
            cr_assert(v >= p[k].lo && v < p[k].hi, "x[%zu][%zu] = %g", j, k, v);
            double u = (v - p[k].lo) / (p[k].hi - p[k].lo);
            hits[(size_t)floor(u * N)]++;
        }
        for (size_t q = 0; q < N; q++)
            cr_assert_eq(hits[q], 1, "column %zu stratum %zu: %d points", k, q,
                         hits[q]);
    }
    free(x);
}

Test(sweep_design, lhs_columns_are_permuted_independently)
{
    /* Identical permutations would put every point on the diagonal. */
    enum { N = 200 };
    swp_param p[2] = {{.lo = 0, .hi = 1}, {.lo = 0, .hi = 1}};
    swp_spec s = spec(SWP_LHS, N, 7, p, 2);
    double *x = design(&s);
    size_t same = 0;
    for (size_t j = 0; j < N; j++)
        same += floor(x[j * 2] * N) == floor(x[j * 2 + 1] * N);
    cr_assert_lt(same, 10, "%zu rows share a stratum", same);
    free(x);
}

Test(sweep_design, lhs_depends_on_the_seed_alone)
{
    enum { N = 64, D = 4 };
    swp_param p[D];
    for (size_t k = 0; k < D; k++)
        p[k] = (swp_param){.lo = -2.385 * (double)k, .hi = 1.5};
    swp_spec s = spec(SWP_LHS, N, 2385, p, D);
    double *x1 = design(&s), *x2 = design(&s);
    cr_assert_eq(memcmp(x1, x2, N * D * sizeof *x1), 0);
    s.seed = 2386;
    double *x3 = design(&s);
    cr_assert_neq(memcmp(x1, x3, N * D * sizeof *x1), 0);
    free(x1);
    free(x2);
    free(x3);
}

Test(sweep_design, sobol_has_saltelli_blocks)
{
    enum { N = 256, D = 5 };
    swp_param p[D];
    for (size_t k = 0; k < D; k++)
        p[k] = (swp_param){.lo = -1.0 - (double)k, .hi = 2.385 * (double)k};
    swp_spec s = spec(SWP_SOBOL, N, 1, p, D);
    cr_assert_eq(swp_points(&s), N * (D + 2));
    double *x = design(&s);
    const double *A = x, *B = x + N * D;
    for (size_t j = 0; j < N; j++)
        for (size_t k = 0; k < D; k++) {
            cr_assert(A[j * D + k] >= p[k].lo && A[j * D + k] < p[k].hi);
            cr_assert(B[j * D + k] >= p[k].lo && B[j * D + k] < p[k].hi);
            for (size_t i = 0; i < D; i++) {
                double ab = x[((2 + i) * N + j) * D + k];
                cr_assert_eq(ab, i == k ? B[j * D + k] : A[j * D + k],
                             "AB_%zu row %zu col %zu", i, j, k);
            }
        }
    /* A and B are different halves of the sequence, not copies. */
    cr_assert_neq(memcmp(A, B, N * D * sizeof *A), 0);
    free(x);
}

Test(sweep_design, sobol_starts_after_the_all_zero_point)
{
    /* gsl_qrng_sobol's first point is (1/2, ..., 1/2): the sequence's
     * all-zero point 0 is already left out, so row 0 of A and of B is the
     * middle of every range, and no coordinate sits on a lower bound. */
    enum { N = 64, D = 3 };
    swp_param p[D] = {
        {.lo = 0, .hi = 8}, {.lo = -4, .hi = 4}, {.lo = 10, .hi = 11}};
    swp_spec s = spec(SWP_SOBOL, N, 1, p, D);
    double *x = design(&s);
    const double mid[D] = {4, 0, 10.5};
    for (size_t k = 0; k < D; k++) {
        cr_assert_eq(x[k], mid[k]);
        cr_assert_eq(x[N * D + k], mid[k]);
    }
    for (size_t q = 0; q < (size_t)N * (D + 2); q++)
        for (size_t k = 0; k < D; k++)
            cr_assert_gt(x[q * D + k], p[k].lo);
    free(x);
}

Test(sweep_design, integer_parameters_are_rounded_half_away_from_zero)
{
    double a[] = {-2.5, -1.5, -0.4, 0.5, 1.49, 2.5}, b[] = {0.25};
    swp_param p[] = {{.n_values = 6, .values = a, .integer = true},
                     {.n_values = 1, .values = b}};
    swp_spec s = spec(SWP_GRID, 0, 1, p, 2);
    double *x = design(&s);
    const double want[] = {-3, -2, 0, 1, 1, 3};
    for (size_t r = 0; r < 6; r++) {
        cr_assert_eq(x[r * 2], want[r], "row %zu: %g", r, x[r * 2]);
        cr_assert_eq(x[r * 2 + 1], 0.25); /* not an integer: kept */
    }
    free(x);
}

Test(sweep_design, integer_lhs_and_sobol_values_are_whole_and_in_range)
{
    enum { N = 97 };
    swp_param p[] = {{.lo = 6, .hi = 18, .integer = true},
                     {.lo = 0.1, .hi = 0.9}};
    for (int k = 0; k < 2; k++) {
        swp_spec s = spec(k ? SWP_SOBOL : SWP_LHS, N, 5, p, 2);
        size_t P = swp_points(&s);
        double *x = design(&s);
        bool fraction = false;
        for (size_t q = 0; q < P; q++) {
            double v = x[q * 2];
            cr_assert_eq(v, round(v), "%s point %zu: %g",
                         swp_design_name(s.design), q, v);
            cr_assert(v >= 6 && v <= 18);
            fraction |= x[q * 2 + 1] != round(x[q * 2 + 1]);
            cr_assert(x[q * 2 + 1] >= 0.1 && x[q * 2 + 1] < 0.9);
        }
        cr_assert(fraction, "the real parameter was rounded too");
        free(x);
    }
}
