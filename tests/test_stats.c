/* test_stats.c -- accumulators in sim/stats.c: known answers, closed forms and
 * coverage.
 *
 * Reference values come from somewhere other than the code under test: two-pass
 * sums, step functions integrated by hand, and Student-t quantiles from their
 * closed forms for 2 and 4 degrees of freedom (so a wrong df, or a normal
 * quantile, shows up).
 *
 * The coverage tests run 1000 independent replications (consecutive stretches
 * of one fixed-seed taus2 stream) and count the 95% intervals that cover the
 * true mean. For a correct interval the count is Binomial(1000, 0.95): mean
 * 950, s.d. sqrt(1000 * 0.95 * 0.05) = 6.89. The band 950 +/- 3.29 s.d. (3.29 =
 * two-sided 99.9% normal quantile; the normal approximation is good at n p (1 -
 * p) = 47.5) is [928, 972], so a correct implementation fails it with
 * probability ~0.001, and with a fixed seed it either always passes or always
 * fails. A normal quantile instead of Student-t lands far outside it
 * (~880 with 5 batches); subtler slips (df b instead of b - 1) shift coverage
 * by less than the band, so the hand-computed half-width tests catch those.
 * Over 40000 and 20000 runs (not in this file) coverage measured 0.9492 +/-
 * 0.0011 (i.i.d.) and 0.9507 +/- 0.0015 (AR(1)).
 *
 * Every test forks (Criterion), so none shares state; the whole file runs in
 * under two seconds under ASan+UBSan, most of it the AR(1) coverage test.
 */
#include "stats.h"

#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static void gsl_quiet(void)
{
    gsl_set_error_handler_off(); /* GSL's default handler aborts (STYLE.md
                                    section 5) */
}

TestSuite(stats, .init = gsl_quiet);

/* Band for 1000 coverage runs at nominal 0.95; derivation in the header
 * comment. */
#define COVER_RUNS 1000u
#define COVER_LO   928u
#define COVER_HI   972u

static gsl_rng *rng_new(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    cr_assert_not_null(r);
    gsl_rng_set(r, seed);
    return r;
}

/* |got - want| <= tol * max(|want|, tiny): relative closeness that also works
 * at want = 0. */
static int close_rel(double got, double want, double tol)
{
    double scale = fabs(want) > 1e-300 ? fabs(want) : 1e-300;
    return fabs(got - want) <= tol * scale;
}

/* Student-t 0.975 quantiles in closed form (Shaw 2006, J. Comput. Finance
 * 9(4)): df 2: (2u - 1) / sqrt(2u(1 - u)); df 4: 2 sqrt(q - 1), q =
 * cos(acos(sqrt(a)) / 3) / sqrt(a), a = 4u(1 - u). Table values: 4.303
 * and 2.776. */
static double t975_df2(void)
{
    double u = 0.975;
    return (2.0 * u - 1.0) / sqrt(2.0 * u * (1.0 - u));
}

static double t975_df4(void)
{
    double u = 0.975, a = 4.0 * u * (1.0 - u);
    double q = cos(acos(sqrt(a)) / 3.0) / sqrt(a);
    return 2.0 * sqrt(q - 1.0);
}

static void two_pass(const double *x, size_t n, double *mean, double *var)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    double m = s / (double)n, ss = 0.0, c = 0.0;
    for (size_t i = 0; i < n; i++) {
        ss += (x[i] - m) * (x[i] - m);
        c += x[i] - m;
    }
    /* The corrected two-pass formula (Chan, Golub, LeVeque 1983) removes the
     * error left by rounding in m. */
    *mean = m;
    *var = (ss - c * c / (double)n) / (double)(n - 1);
}

/* ---- Welford
 * ---------------------------------------------------------------------------
 */

Test(stats, welford_matches_two_pass_variance)
{
    enum { N = 10000 };
    static double x[N];
    gsl_rng *r = rng_new(2385);
    sim_stats_welford w;
    sim_stats_welford_init(&w);
    double lo = (double)INFINITY, hi = -(double)INFINITY;
    for (size_t i = 0; i < N; i++) {
        /* A skewed mixture at a non-round location: no digits are special. */
        x[i] = 17.385 + 3.7 * gsl_ran_gaussian(r, 1.0) +
               gsl_ran_exponential(r, 2.1);
        sim_stats_welford_add(&w, x[i]);
        lo = fmin(lo, x[i]);
        hi = fmax(hi, x[i]);
    }
    double m, v;
    two_pass(x, N, &m, &v);
    cr_assert_eq(sim_stats_welford_count(&w), N);
    cr_assert(close_rel(sim_stats_welford_mean(&w), m, 1e-13),
              "mean %.17g vs %.17g", sim_stats_welford_mean(&w), m);
    cr_assert(close_rel(sim_stats_welford_var(&w), v, 1e-12),
              "var %.17g vs %.17g", sim_stats_welford_var(&w), v);
    cr_assert(close_rel(sim_stats_welford_sd(&w), sqrt(v), 1e-12));
    cr_assert_eq(sim_stats_welford_min(&w), lo);
    cr_assert_eq(sim_stats_welford_max(&w), hi);
    gsl_rng_free(r);
}

Test(stats, welford_survives_large_offset_where_naive_formula_fails)
{
    enum { N = 10000 };
    static double d[N];
    gsl_rng *r = rng_new(1009);
    sim_stats_welford w;
    sim_stats_welford_init(&w);
    double s = 0.0, s2 = 0.0;
    for (size_t i = 0; i < N; i++) {
        double x = 1e9 + gsl_ran_gaussian(r, 1.0);
        /* x and 1e9 are within a factor of two, so this difference is exact
         * (Sterbenz): d holds the very data Welford sees, minus a shift that
         * leaves the variance alone. */
        d[i] = x - 1e9;
        sim_stats_welford_add(&w, x);
        s += x;
        s2 += x * x;
    }
    double m, v;
    two_pass(d, N, &m, &v);
    double naive = (s2 - s * s / N) / (N - 1);
    /* The data really are hard: sum(x^2) ~ 1e22 has an ulp of ~2e6, far above
     * the variance ~1 times N, so the textbook formula returns noise. */
    cr_assert(!close_rel(naive, v, 0.5),
              "naive formula unexpectedly fine: %g vs %g", naive, v);
    /* The running mean rounds at ulp(1e9) = 1.2e-7 on every update, a random
     * walk of ~sqrt(N) ulps: 1e-13 relative is 1e-4, still far below the
     * noise's s.e. of 0.01. */
    cr_assert(close_rel(sim_stats_welford_mean(&w), 1e9 + m, 1e-13),
              "mean %.17g vs %.17g", sim_stats_welford_mean(&w), 1e9 + m);
    /* Welford is not exact here either: the running mean rounds to ulp(1e9)
     * = 1.2e-7, which perturbs every deviation (~sd = 1) by up to 1.2e-7
     * relative; the errors partly cancel (measured: 4e-9). 1e-7 is that
     * per-term bound; the naive formula is off by > 50%. */
    cr_assert(close_rel(sim_stats_welford_var(&w), v, 1e-7),
              "var %.17g vs %.17g", sim_stats_welford_var(&w), v);
    gsl_rng_free(r);
}

Test(stats, welford_merge_of_two_parts_equals_one_pass)
{
    enum { N = 4001 };
    static double x[N];
    gsl_rng *r = rng_new(77);
    for (size_t i = 0; i < N; i++)
        x[i] = 1e6 + 2.385 * gsl_ran_gaussian(r, 1.0) + (i < N / 3 ? 5.0 : 0.0);
    sim_stats_welford all;
    sim_stats_welford_init(&all);
    for (size_t i = 0; i < N; i++)
        sim_stats_welford_add(&all, x[i]);
    size_t cuts[] = {1, 7, N / 2, N - 1}; /* halves, and lopsided splits */
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        sim_stats_welford a, b;
        sim_stats_welford_init(&a);
        sim_stats_welford_init(&b);
        for (size_t i = 0; i < cuts[c]; i++)
            sim_stats_welford_add(&a, x[i]);
        for (size_t i = cuts[c]; i < N; i++)
            sim_stats_welford_add(&b, x[i]);
        sim_stats_welford_merge(&a, &b);
        cr_assert_eq(sim_stats_welford_count(&a), N);
        cr_assert(close_rel(sim_stats_welford_mean(&a),
                            sim_stats_welford_mean(&all), 1e-14),
                  "cut %zu", cuts[c]);
        cr_assert(close_rel(sim_stats_welford_var(&a),
                            sim_stats_welford_var(&all), 1e-9),
                  "cut %zu: var %.17g vs %.17g", cuts[c],
                  sim_stats_welford_var(&a), sim_stats_welford_var(&all));
        cr_assert_eq(sim_stats_welford_min(&a), sim_stats_welford_min(&all));
        cr_assert_eq(sim_stats_welford_max(&a), sim_stats_welford_max(&all));
    }
    gsl_rng_free(r);
}

Test(stats, welford_merge_with_empty_side_is_identity)
{
    sim_stats_welford a, e;
    sim_stats_welford_init(&a);
    sim_stats_welford_init(&e);
    sim_stats_welford_add(&a, 2.385);
    sim_stats_welford_add(&a, -1.25);
    sim_stats_welford_add(&a, 7.5);
    sim_stats_welford before = a;
    sim_stats_welford_merge(&a, &e);
    cr_assert_eq(a.n, before.n);
    cr_assert_eq(a.mean, before.mean);
    cr_assert_eq(a.m2, before.m2);
    sim_stats_welford_merge(&e, &a);
    cr_assert_eq(sim_stats_welford_count(&e), 3);
    cr_assert_eq(sim_stats_welford_mean(&e), sim_stats_welford_mean(&a));
    cr_assert_eq(sim_stats_welford_var(&e), sim_stats_welford_var(&a));
    cr_assert_eq(sim_stats_welford_min(&e), -1.25);
    cr_assert_eq(sim_stats_welford_max(&e), 7.5);
}

Test(stats, welford_merge_with_itself_doubles_every_observation)
{
    sim_stats_welford a, twice;
    sim_stats_welford_init(&a);
    sim_stats_welford_init(&twice);
    double x[] = {2.385, -1.25, 7.5, 0.3};
    for (size_t i = 0; i < 4; i++) {
        sim_stats_welford_add(&a, x[i]);
        sim_stats_welford_add(&twice, x[i]);
        sim_stats_welford_add(&twice, x[i]);
    }
    sim_stats_welford_merge(&a, &a);
    cr_assert_eq(sim_stats_welford_count(&a), 8);
    cr_assert(close_rel(sim_stats_welford_mean(&a),
                        sim_stats_welford_mean(&twice), 1e-15));
    cr_assert(close_rel(sim_stats_welford_var(&a),
                        sim_stats_welford_var(&twice), 1e-14));
}

Test(stats, welford_ci95_uses_student_t_with_n_minus_1_df)
{
    /* n = 3: mean 2.5, deviations -0.115, 1.585, -1.47, sum of squares 4.68635,
     * var 2.343175. */
    sim_stats_welford w;
    sim_stats_welford_init(&w);
    sim_stats_welford_add(&w, 2.385);
    sim_stats_welford_add(&w, 4.085);
    sim_stats_welford_add(&w, 1.03);
    cr_assert(close_rel(sim_stats_welford_mean(&w), 2.5, 1e-15));
    cr_assert(close_rel(sim_stats_welford_var(&w), 2.343175, 1e-14));
    double want =
        t975_df2() * sqrt(2.343175) / sqrt(3.0); /* 4.3027 * 1.5307 / 1.7321 */
    cr_assert(close_rel(sim_stats_welford_ci95(&w), want, 1e-12),
              "ci95 %.17g vs %.17g", sim_stats_welford_ci95(&w), want);

    /* n = 5: mean 3.0, deviations -0.615, 1.085, -1.97, 0.25, 1.25; sum of
     * squares 7.06135. */
    sim_stats_welford_add(&w, 3.25);
    sim_stats_welford_add(&w, 4.25);
    cr_assert(close_rel(sim_stats_welford_mean(&w), 3.0, 1e-15));
    cr_assert(close_rel(sim_stats_welford_var(&w), 7.06135 / 4.0, 1e-14));
    want = t975_df4() * sqrt(7.06135 / 4.0) / sqrt(5.0);
    cr_assert(close_rel(sim_stats_welford_ci95(&w), want, 1e-12),
              "ci95 %.17g vs %.17g", sim_stats_welford_ci95(&w), want);
}

Test(stats, welford_is_nan_with_too_few_observations)
{
    sim_stats_welford w;
    sim_stats_welford_init(&w);
    cr_assert_eq(sim_stats_welford_count(&w), 0);
    cr_assert(isnan(sim_stats_welford_mean(&w)));
    cr_assert(isnan(sim_stats_welford_var(&w)));
    cr_assert(isnan(sim_stats_welford_sd(&w)));
    cr_assert(isnan(sim_stats_welford_ci95(&w)));
    cr_assert(isnan(sim_stats_welford_min(&w)));
    cr_assert(isnan(sim_stats_welford_max(&w)));
    sim_stats_welford_add(&w, 2.385);
    cr_assert_eq(sim_stats_welford_mean(&w), 2.385);
    cr_assert_eq(sim_stats_welford_min(&w), 2.385);
    cr_assert_eq(sim_stats_welford_max(&w), 2.385);
    cr_assert(isnan(sim_stats_welford_var(&w)));
    cr_assert(isnan(sim_stats_welford_sd(&w)));
    cr_assert(isnan(sim_stats_welford_ci95(&w)));
    sim_stats_welford_add(&w, 2.385);
    cr_assert_eq(sim_stats_welford_var(&w), 0.0);
    cr_assert_eq(sim_stats_welford_ci95(&w), 0.0);
}

Test(stats, welford_ci95_covers_the_mean_95_percent_of_runs)
{
    /* Five normal observations per run: the t quantile (2.776) against the
     * normal one (1.96) is the difference between ~950 and ~880 covering runs.
     */
    gsl_rng *r = rng_new(31337);
    unsigned cover = 0;
    for (unsigned run = 0; run < COVER_RUNS; run++) {
        sim_stats_welford w;
        sim_stats_welford_init(&w);
        for (int i = 0; i < 5; i++)
            sim_stats_welford_add(&w, 2.385 + 1.7 * gsl_ran_gaussian(r, 1.0));
        cover += fabs(sim_stats_welford_mean(&w) - 2.385) <=
                 sim_stats_welford_ci95(&w);
    }
    cr_log_info("welford ci95 coverage: %u / %u", cover, COVER_RUNS);
    cr_assert(cover >= COVER_LO && cover <= COVER_HI,
              "coverage %u / %u outside [%u, %u]", cover, COVER_RUNS, COVER_LO,
              COVER_HI);
    gsl_rng_free(r);
}

/* ---- Time average
 * ---------------------------------------------------------------------- */

Test(stats, timeavg_matches_hand_computed_step_function)
{
    /* 2.0 on [1.5, 2.25), 5.0 on [2.25, 4.0), -1.0 for no time at 4.0,
     * then 3.5. */
    sim_stats_timeavg a;
    sim_stats_timeavg_init(&a, 1.5, 2.0);
    cr_assert_eq(sim_stats_timeavg_mean(&a, 2.0), 2.0);
    sim_stats_timeavg_set(&a, 2.25, 5.0);
    /* Over [1.5, 3.0]: (2.0 * 0.75 + 5.0 * 0.75) / 1.5 = 3.5. */
    cr_assert(close_rel(sim_stats_timeavg_mean(&a, 3.0), 3.5, 1e-15));
    sim_stats_timeavg_set(&a, 4.0, -1.0);
    sim_stats_timeavg_set(&a, 4.0, 3.5);
    /* Over [1.5, 6.5]: (2.0 * 0.75 + 5.0 * 1.75 + 3.5 * 2.5) / 5.0 = 19.0 / 5.0
     * = 3.8. */
    cr_assert(close_rel(sim_stats_timeavg_mean(&a, 6.5), 3.8, 1e-15),
              "got %.17g", sim_stats_timeavg_mean(&a, 6.5));
    /* The query did not fold anything in: asking again, or later, still works.
     */
    cr_assert(close_rel(sim_stats_timeavg_mean(&a, 6.5), 3.8, 1e-15));
    cr_assert(close_rel(sim_stats_timeavg_mean(&a, 11.5),
                        (19.0 + 3.5 * 5.0) / 10.0, 1e-15));
}

Test(stats, timeavg_mean_is_nan_on_an_empty_window)
{
    sim_stats_timeavg a;
    sim_stats_timeavg_init(&a, 1.5, 2.0);
    cr_assert(isnan(sim_stats_timeavg_mean(&a, 1.5)));
    cr_assert(isnan(sim_stats_timeavg_mean(&a, 1.0)));
    cr_assert(isnan(sim_stats_timeavg_mean(&a, (double)NAN)));
}

Test(stats, timeavg_set_back_in_time_asserts, .signal = SIGABRT)
{
    sim_stats_timeavg a;
    sim_stats_timeavg_init(&a, 0.0, 1.0);
    sim_stats_timeavg_set(&a, 2.0, 3.0);
    sim_stats_timeavg_set(&a, 1.0, 4.0);
}

/* ---- Batch means
 * ----------------------------------------------------------------------- */

Test(stats, batch_init_rejects_k_out_of_range)
{
    sim_stats_batch b;
    b.k = 12345; /* a sentinel: a rejected init must not touch b */
    cr_assert_eq(sim_stats_batch_init(&b, 0), SIM_EINVAL);
    cr_assert_eq(sim_stats_batch_init(&b, 1), SIM_EINVAL);
    cr_assert_eq(sim_stats_batch_init(&b, SIM_BATCH_MAX_K + 1), SIM_EINVAL);
    cr_assert_eq(b.k, 12345);
    cr_assert_eq(sim_stats_batch_init(&b, 2), SIM_OK);
    cr_assert_eq(sim_stats_batch_init(&b, SIM_BATCH_MAX_K), SIM_OK);
}

Test(stats, batch_count_stays_between_k_and_2k_minus_1)
{
    unsigned ks[] = {2, 3, 10, SIM_BATCH_MAX_K};
    for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++) {
        unsigned k = ks[c];
        sim_stats_batch b;
        cr_assert_eq(sim_stats_batch_init(&b, k), SIM_OK);
        for (uint64_t n = 1; n <= 100000; n++) {
            sim_stats_batch_add(&b, 0.5 * (double)(n % 7));
            sim_stats_batch_result r = sim_stats_batch_result_get(&b);
            cr_assert_eq(sim_stats_batch_count(&b), n);
            if (n < k)
                cr_assert(r.batches == n && r.batch_size == 1, "k %u n %llu", k,
                          (unsigned long long)n);
            else
                cr_assert(r.batches >= k && r.batches <= 2 * k - 1,
                          "k %u n %llu: %u batches", k, (unsigned long long)n,
                          r.batches);
            cr_assert_eq(r.used, (uint64_t)r.batches * r.batch_size);
            /* Only the partial batch is left out, and it is shorter than a
             * batch. */
            cr_assert(r.used <= n && n - r.used < r.batch_size, "k %u n %llu",
                      k, (unsigned long long)n);
            cr_assert_eq(r.batch_size & (r.batch_size - 1),
                         0); /* a power of two */
        }
    }
}

Test(stats, batch_mean_equals_plain_mean_of_used_observations)
{
    enum { N = 3000 };
    static double x[N];
    gsl_rng *r = rng_new(4242);
    sim_stats_batch b;
    cr_assert_eq(sim_stats_batch_init(&b, 3), SIM_OK);
    for (size_t n = 1; n <= N; n++) {
        x[n - 1] = 123.456 + 9.87 * gsl_ran_gaussian(r, 1.0);
        sim_stats_batch_add(&b, x[n - 1]);
        sim_stats_batch_result res = sim_stats_batch_result_get(&b);
        double s = 0.0;
        for (size_t i = 0; i < res.used; i++)
            s += x[i];
        double want = s / (double)res.used;
        cr_assert(close_rel(res.mean, want, 1e-13),
                  "n %zu used %llu: %.17g vs %.17g", n,
                  (unsigned long long)res.used, res.mean, want);
    }
    gsl_rng_free(r);
}

Test(stats, batch_half_width_matches_hand_computed_value)
{
    /* k = 2, six observations: sizes go 1 -> 2 at the fourth, leaving three
     * batches of two with means 3.0, 1.5, 4.0. Mean 8.5 / 3; squared deviations
     * 1/36 + 16/9 + 49/36 = 19/6; s^2 = 19/12; half-width t_{0.975, 2} *
     * sqrt(19/12) / sqrt(3). */
    sim_stats_batch b;
    cr_assert_eq(sim_stats_batch_init(&b, 2), SIM_OK);
    double x[] = {2.5, 3.5, 1.0, 2.0, 4.25, 3.75};
    for (size_t i = 0; i < 6; i++)
        sim_stats_batch_add(&b, x[i]);
    sim_stats_batch_result r = sim_stats_batch_result_get(&b);
    cr_assert_eq(r.batches, 3);
    cr_assert_eq(r.batch_size, 2);
    cr_assert_eq(r.used, 6);
    cr_assert(close_rel(r.mean, 8.5 / 3.0, 1e-15));
    double want = t975_df2() * sqrt(19.0 / 12.0) / sqrt(3.0);
    cr_assert(close_rel(r.half_width, want, 1e-12), "%.17g vs %.17g",
              r.half_width, want);
}

Test(stats, batch_result_is_nan_with_too_few_batches)
{
    sim_stats_batch b;
    cr_assert_eq(sim_stats_batch_init(&b, 4), SIM_OK);
    sim_stats_batch_result r = sim_stats_batch_result_get(&b);
    cr_assert(r.batches == 0 && r.used == 0 && r.batch_size == 1);
    cr_assert(isnan(r.mean));
    cr_assert(isnan(r.half_width));
    sim_stats_batch_add(&b, 2.385);
    r = sim_stats_batch_result_get(&b);
    cr_assert_eq(r.batches, 1);
    cr_assert_eq(r.mean, 2.385);
    cr_assert(isnan(r.half_width));
    sim_stats_batch_add(&b, 2.385);
    r = sim_stats_batch_result_get(&b);
    cr_assert_eq(r.half_width, 0.0);
}

Test(stats, batch_add_n_equals_repeated_add)
{
    struct {
        unsigned k, prefix;
        double x;
        uint64_t count;
    } cases[] = {
        {2, 0, 2.385, 1},  {2, 0, 2.385, 1000}, {5, 3, -0.75, 9},
        {5, 37, 1.1, 777}, {10, 1000, 3.3, 0},  {10, 1001, 1e9 + 0.5, 12345},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        sim_stats_batch a, b;
        cr_assert_eq(sim_stats_batch_init(&a, cases[c].k), SIM_OK);
        cr_assert_eq(sim_stats_batch_init(&b, cases[c].k), SIM_OK);
        for (unsigned i = 0; i < cases[c].prefix; i++) {
            double y = 0.37 * (double)(i % 11);
            sim_stats_batch_add(&a, y);
            sim_stats_batch_add(&b, y);
        }
        for (uint64_t i = 0; i < cases[c].count; i++)
            sim_stats_batch_add(&a, cases[c].x);
        sim_stats_batch_add_n(&b, cases[c].x, cases[c].count);
        sim_stats_batch_result ra = sim_stats_batch_result_get(&a),
                               rb = sim_stats_batch_result_get(&b);
        cr_assert_eq(sim_stats_batch_count(&a), sim_stats_batch_count(&b),
                     "case %zu", c);
        cr_assert(ra.batches == rb.batches && ra.batch_size == rb.batch_size &&
                      ra.used == rb.used,
                  "case %zu", c);
        cr_assert(close_rel(rb.mean, ra.mean, 1e-13),
                  "case %zu: %.17g vs %.17g", c, rb.mean, ra.mean);
        if (ra.batches >= 2)
            cr_assert(fabs(rb.half_width - ra.half_width) <=
                          1e-9 * (fabs(ra.mean) + 1.0),
                      "case %zu: %.17g vs %.17g", c, rb.half_width,
                      ra.half_width);
    }
}

Test(stats, batch_means_survive_large_offset)
{
    /* The same noise with and without 1e9 added. Batch means differ by
     * ~1/sqrt(size), far below the rounding error of unshifted batch sums near
     * 1e9 * size; with the shift, the two intervals agree to rounding of the
     * noise itself. */
    gsl_rng *r = rng_new(99);
    sim_stats_batch big, small;
    cr_assert_eq(sim_stats_batch_init(&big, 10), SIM_OK);
    cr_assert_eq(sim_stats_batch_init(&small, 10), SIM_OK);
    for (int i = 0; i < (1 << 20); i++) {
        double x = 1e9 + gsl_ran_gaussian(r, 1.0);
        sim_stats_batch_add(&big, x);
        sim_stats_batch_add(&small, x - 1e9); /* exact (Sterbenz) */
    }
    sim_stats_batch_result rb = sim_stats_batch_result_get(&big),
                           rs = sim_stats_batch_result_get(&small);
    cr_assert(fabs((rb.mean - 1e9) - rs.mean) <= 1e-6, "%.17g vs %.17g",
              rb.mean - 1e9, rs.mean);
    cr_assert(close_rel(rb.half_width, rs.half_width, 1e-6), "%.17g vs %.17g",
              rb.half_width, rs.half_width);
    gsl_rng_free(r);
}

/* How many of `runs` batch-means intervals, each from n steps of x_t = phi
 * x_{t-1} + e_t with e_t ~ N(0, 1), cover the true mean 0. phi = 0 gives i.i.d.
 * N(0, 1). Each run starts in the stationary law N(0, 1 / (1 - phi^2)), so
 * there is no warm-up transient to confound the interval's own error. */
static unsigned batch_coverage(unsigned k, uint64_t n, double phi,
                               unsigned long seed)
{
    gsl_rng *r = rng_new(seed);
    unsigned cover = 0;
    for (unsigned run = 0; run < COVER_RUNS; run++) {
        sim_stats_batch b;
        cr_assert_eq(sim_stats_batch_init(&b, k), SIM_OK);
        double x = gsl_ran_gaussian(r, 1.0 / sqrt(1.0 - phi * phi));
        for (uint64_t i = 0; i < n; i++) {
            sim_stats_batch_add(&b, x);
            x = phi * x + gsl_ran_gaussian(r, 1.0);
        }
        sim_stats_batch_result res = sim_stats_batch_result_get(&b);
        cover += fabs(res.mean) <= res.half_width;
    }
    gsl_rng_free(r);
    return cover;
}

Test(stats, batch_interval_covers_iid_normal_mean_95_percent)
{
    /* k = 4 and n = 1500 end with 5 batches of 256 (t_{0.975, 4} = 2.776): few
     * batches, so a normal quantile or a wrong df would miss the band by far.
     */
    unsigned cover = batch_coverage(4, 1500, 0.0, 2385);
    cr_log_info("batch iid coverage: %u / %u", cover, COVER_RUNS);
    cr_assert(cover >= COVER_LO && cover <= COVER_HI,
              "coverage %u / %u outside [%u, %u]", cover, COVER_RUNS, COVER_LO,
              COVER_HI);
}

Test(stats, batch_interval_covers_ar1_mean_95_percent_with_long_batches)
{
    /* AR(1), phi = 0.9: integrated autocorrelation time (1 + phi) / (1 - phi) =
     * 19 steps. For batch size m, batch means underestimate the variance of the
     * mean by a fraction ~2 phi / ((1 - phi^2) m) = 9.5 / m, and adjacent batch
     * means correlate ~4.7 / m. With k = 10 and n = 20000 a run ends with 19
     * batches of 1024: both effects are under 1%, i.e. a coverage shift of
     * ~0.001, well inside the band. */
    unsigned cover = batch_coverage(10, 20000, 0.9, 1962);
    cr_log_info("batch AR(1) coverage, batches of 1024: %u / %u", cover,
                COVER_RUNS);
    cr_assert(cover >= COVER_LO && cover <= COVER_HI,
              "coverage %u / %u outside [%u, %u]", cover, COVER_RUNS, COVER_LO,
              COVER_HI);
}

Test(stats, batch_interval_undercovers_ar1_with_short_batches)
{
    /* The same series with n = 200 ends with 12 batches of 16 steps, shorter
     * than the correlation time: batch means carry ~half the variance they
     * should and are positively correlated, so the interval is too narrow. This
     * pins down that the coverage test above has power, and why batches must be
     * long. */
    unsigned cover = batch_coverage(10, 200, 0.9, 1962);
    cr_log_info("batch AR(1) coverage, batches of 16: %u / %u", cover,
                COVER_RUNS);
    cr_assert(cover < COVER_LO,
              "coverage %u / %u: short batches should undercover", cover,
              COVER_RUNS);
}

/* ---- Time-weighted batch means
 * --------------------------------------------------------- */

Test(stats, tbatch_init_rejects_bad_arguments)
{
    sim_stats_tbatch t;
    t.slice = 2.385; /* a sentinel: a rejected init must not touch t */
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, 0.0, 1.0, 0.0), SIM_EINVAL);
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, 0.0, 1.0, -1.0), SIM_EINVAL);
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, 0.0, 1.0, (double)INFINITY),
                 SIM_EINVAL);
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, 0.0, 1.0, (double)NAN),
                 SIM_EINVAL);
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, (double)NAN, 1.0, 1.0),
                 SIM_EINVAL);
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, -(double)INFINITY, 1.0, 1.0),
                 SIM_EINVAL);
    cr_assert_eq(sim_stats_tbatch_init(&t, 1, 0.0, 1.0, 1.0), SIM_EINVAL);
    cr_assert_eq(sim_stats_tbatch_init(&t, SIM_BATCH_MAX_K + 1, 0.0, 1.0, 1.0),
                 SIM_EINVAL);
    cr_assert_eq(t.slice, 2.385);
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, 0.0, 1.0, 1e-300), SIM_OK);
}

Test(stats, tbatch_square_wave_aligned_with_slices_gives_exact_average)
{
    /* 3.25 on [i, i + 0.25), -0.75 on [i + 0.25, i + 1): every unit slice
     * averages 3.25 * 0.25 - 0.75 * 0.75 = 0.25 exactly (all numbers are
     * dyadic), so the mean is 0.25 and the batch means have no spread at all.
     */
    sim_stats_tbatch t;
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, 10.0, 3.25, 1.0), SIM_OK);
    for (int i = 0; i < 1000; i++) {
        sim_stats_tbatch_set(&t, 10.0 + i + 0.25, -0.75);
        sim_stats_tbatch_set(&t, 10.0 + i + 1.0, 3.25);
    }
    sim_stats_batch_result r = sim_stats_tbatch_result_get(&t, 1010.5);
    cr_assert_eq(sim_stats_tbatch_slices(&t, 1010.5), 1000);
    cr_assert_eq(
        r.used,
        896); /* 7 batches of 128; the last 104 slices are a partial batch */
    cr_assert_eq(r.mean, 0.25, "got %.17g", r.mean);
    cr_assert_eq(r.half_width, 0.0, "got %.17g", r.half_width);
}

/* Integral over [0, T] of the period-3 wave: 2.5 on [3i, 3i + 1), -0.5 on [3i +
 * 1, 3i + 3). */
static double wave3_integral(double T)
{
    double periods = floor(T / 3.0), rest = T - 3.0 * periods;
    double in_rest = rest <= 1.0 ? 2.5 * rest : 2.5 - 0.5 * (rest - 1.0);
    return periods * 1.5 + in_rest;
}

Test(stats, tbatch_square_wave_across_slices_gives_exact_average)
{
    /* Slices of 2 against a period of 3: slices average 1.0, 1.0 and -0.5 in
     * turn, so the estimate depends on exactly which slices are used, and must
     * equal the integral of the wave over those slices: 640 slices are 213
     * whole periods and one slice of 1.0, so (213 * 1.5 + 1.0) / 640 =
     * 0.50078125, not the wave's long-run 0.5. */
    sim_stats_tbatch t;
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, 0.0, 2.5, 2.0), SIM_OK);
    for (int i = 0; i < 500; i++) {
        sim_stats_tbatch_set(&t, 3.0 * i + 1.0, -0.5);
        sim_stats_tbatch_set(&t, 3.0 * i + 3.0, 2.5);
    }
    sim_stats_batch_result r = sim_stats_tbatch_result_get(&t, 1500.75);
    double span = 2.0 * (double)r.used;
    double want = wave3_integral(span) / span;
    cr_assert_eq(r.batches * r.batch_size, r.used);
    cr_assert_eq(r.used, 640); /* 5 batches of 128 of the 750 complete slices */
    cr_assert(close_rel(r.mean, want, 1e-14), "%.17g vs %.17g", r.mean, want);
    cr_assert_eq(want, 0.50078125); /* the closed form above, by hand */
}

Test(stats, tbatch_agrees_with_timeavg_on_a_random_signal)
{
    /* A signal that jumps at random times; the tbatch mean over its used slices
     * must equal the plain time average over the same span. */
    gsl_rng *r = rng_new(555);
    sim_stats_tbatch t;
    double t0 = 3.7, slice = 0.3;
    cr_assert_eq(sim_stats_tbatch_init(&t, 5, t0, 1.0, slice), SIM_OK);
    double times[4000], values[4000], now = t0;
    for (int i = 0; i < 4000; i++) {
        now += gsl_ran_exponential(r, 0.7);
        times[i] = now;
        values[i] = floor(20.0 * gsl_rng_uniform(r)) + 0.385;
        sim_stats_tbatch_set(&t, now, values[i]);
    }
    sim_stats_batch_result res = sim_stats_tbatch_result_get(&t, now);
    double end = t0 + (double)res.used * slice;
    sim_stats_timeavg a;
    sim_stats_timeavg_init(&a, t0, 1.0);
    for (int i = 0; i < 4000 && times[i] <= end; i++)
        sim_stats_timeavg_set(&a, times[i], values[i]);
    double want = sim_stats_timeavg_mean(&a, end);
    cr_assert(res.used > 1000);
    cr_assert(close_rel(res.mean, want, 1e-12), "%.17g vs %.17g", res.mean,
              want);
    gsl_rng_free(r);
}

Test(stats, tbatch_slice_boundaries_do_not_drift)
{
    /* 10000 additions of 0.1 give 1000.0000000001588, but 10000 * 0.1 rounds to
     * 1000.0: with boundaries from the index, slice 9999 is complete at 1000.0
     * and none is lost. */
    sim_stats_tbatch t;
    cr_assert_eq(sim_stats_tbatch_init(&t, 10, 0.0, 1.5, 0.1), SIM_OK);
    for (int i = 1; i < 100; i++)
        sim_stats_tbatch_set(&t, 10.0 * i, 1.5);
    cr_assert_eq(sim_stats_tbatch_slices(&t, 1000.0), 10000);
    cr_assert_eq(sim_stats_tbatch_slices(&t, nextafter(1000.0, 0.0)), 9999);
    sim_stats_batch_result r = sim_stats_tbatch_result_get(&t, 1000.0);
    cr_assert(close_rel(r.mean, 1.5, 1e-15), "got %.17g", r.mean);
}

Test(stats, tbatch_value_held_over_a_billion_slices_costs_little,
     .timeout = 2.0)
{
    /* One value over 1e9 slices: bulk-added, so this takes microseconds, not
     * seconds. */
    sim_stats_tbatch t;
    cr_assert_eq(sim_stats_tbatch_init(&t, 16, 0.0, 2.385, 0.1), SIM_OK);
    sim_stats_tbatch_set(&t, 1e8 + 0.05, -1.0);
    cr_assert_eq(sim_stats_tbatch_slices(&t, 1e8 + 0.05), UINT64_C(1000000000));
    sim_stats_batch_result r = sim_stats_tbatch_result_get(&t, 1e8 + 0.05);
    cr_assert(r.batches >= 16 && r.batches <= 31);
    cr_assert(close_rel(r.mean, 2.385, 1e-14), "got %.17g", r.mean);
    cr_assert(r.half_width <= 1e-12, "got %.17g", r.half_width);
}

Test(stats, tbatch_result_get_does_not_modify_the_accumulator)
{
    sim_stats_tbatch t, u;
    cr_assert_eq(sim_stats_tbatch_init(&t, 3, 0.0, 1.25, 0.5), SIM_OK);
    cr_assert_eq(sim_stats_tbatch_init(&u, 3, 0.0, 1.25, 0.5), SIM_OK);
    for (int i = 1; i <= 200; i++) {
        double v = (double)(i % 5) + 0.385;
        sim_stats_tbatch_set(&t, 0.37 * i, v);
        sim_stats_tbatch_set(&u, 0.37 * i, v);
        (void)sim_stats_tbatch_result_get(&t, 0.37 * i +
                                                  0.2); /* only t is queried */
    }
    sim_stats_batch_result a = sim_stats_tbatch_result_get(&t, 80.0),
                           b = sim_stats_tbatch_result_get(&u, 80.0);
    cr_assert_eq(a.used, b.used);
    cr_assert_eq(a.mean, b.mean);
    cr_assert_eq(a.half_width, b.half_width);
    cr_assert_eq(sim_stats_tbatch_slices(&t, 80.0),
                 sim_stats_tbatch_slices(&u, 80.0));
}

Test(stats, tbatch_set_back_in_time_asserts, .signal = SIGABRT)
{
    sim_stats_tbatch t;
    cr_assert_eq(sim_stats_tbatch_init(&t, 4, 0.0, 1.0, 1.0), SIM_OK);
    sim_stats_tbatch_set(&t, 5.5, 2.0);
    sim_stats_tbatch_set(&t, 5.25, 3.0);
}
