/* test_queue.c -- every pending-event set structure (queue.h) against a
 * reference.
 *
 * Each test loops over heap2, heap4 and calendar. The reference is independent
 * of the code under test: entries are ordered by entry_cmp (written out here,
 * not sim_qentry_less), batches are checked against qsort, and mixed workloads
 * against a plain sorted array kept with binary search. Keys are a counter
 * times an odd constant, so they are unique but their order is unrelated to
 * insertion order, and a tie broken by insertion shows up.
 *
 * The mixed workloads are 100k pushes, pops and replace_mins whose target size
 * ramps up to 4096 and back down (so the calendar doubles and halves several
 * times), with min() checked before a random half of the steps (so pop and
 * replace_min run both after a cached min() and without one) and the count
 * after every step. Their time distributions are the ones a calendar queue
 * finds hard: hold increments, uniform times that often lie before the current
 * minimum, integer times with thousands of ties, a near/far bimodal mix, a
 * single far-future outlier beside a few near entries (the empty-year case),
 * and zeros mixed with times from 1e-9 to 1e9.
 *
 * A mismatch fails with the structure, the workload, the step and both entries.
 * Checks in the long loops call cr_assert_fail only on a mismatch, since a
 * passing Criterion assert per step would dominate the run time. The file runs
 * in a few seconds under ASan+UBSan.
 */
#include "queue.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "err.h"

static void gsl_quiet(void)
{
    gsl_set_error_handler_off(); /* GSL's default handler aborts (STYLE.md
                                    section 5) */
}

TestSuite(queue, .init = gsl_quiet);

static const sim_queue_type *const all_types[] = {
    &sim_queue_heap2,
    &sim_queue_heap4,
    &sim_queue_calendar,
    &sim_queue_wheel,
};
#define N_TYPES (sizeof all_types / sizeof all_types[0])

#define MIX_STEPS 100000u

static gsl_rng *rng_new(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    cr_assert_not_null(r);
    gsl_rng_set(r, seed);
    return r;
}

/* Unique keys in an order unrelated to i: multiplication by an odd constant is
 * a bijection modulo 2^64. */
static uint64_t key_of(uint64_t i)
{
    return (i + 1) * UINT64_C(0x9E3779B97F4A7C15);
}

/* The reference order, written independently of sim_qentry_less. */
static int entry_cmp(const void *pa, const void *pb)
{
    const sim_qentry *a = pa, *b = pb;
    if (a->time < b->time)
        return -1;
    if (a->time > b->time)
        return 1;
    return (a->key > b->key) - (a->key < b->key);
}

/* An entry by field name (queue.h's field order is an implementation detail),
 * as a call so that it can sit inside a Criterion macro, whose arguments a
 * compound literal would split. */
static sim_qentry entry(double time, uint64_t key)
{
    return (sim_qentry){.time = time, .key = key};
}

static bool entry_eq(const sim_qentry *a, const sim_qentry *b)
{
    return entry_cmp(a, b) == 0;
}

static void *q_open(const sim_queue_type *t, size_t capacity)
{
    void *q = malloc(t->state_size);
    cr_assert_not_null(q, "%s: no memory for the state", t->name);
    cr_assert_eq(t->init(q, capacity), SIM_OK, "%s: init(%zu) failed", t->name,
                 capacity);
    return q;
}

static void q_close(const sim_queue_type *t, void *q)
{
    t->fini(q);
    free(q);
}

/* Fails unless min() is want (NULL: the queue should be empty). */
static void check_min(const sim_queue_type *t, void *q, const sim_qentry *want,
                      const char *what, size_t step)
{
    const sim_qentry *got = t->min(q);
    if (want == NULL && got != NULL)
        cr_assert_fail("%s, %s, step %zu: min is (%.17g, %" PRIu64
                       "), expected empty",
                       t->name, what, step, got->time, got->key);
    if (want != NULL && got == NULL)
        cr_assert_fail(
            "%s, %s, step %zu: min is NULL, expected (%.17g, %" PRIu64 ")",
            t->name, what, step, want->time, want->key);
    if (want != NULL && !entry_eq(got, want))
        cr_assert_fail("%s, %s, step %zu: min is (%.17g, %" PRIu64
                       "), expected (%.17g, %" PRIu64 ")",
                       t->name, what, step, got->time, got->key, want->time,
                       want->key);
}

static void check_count(const sim_queue_type *t, void *q, size_t want,
                        const char *what, size_t step)
{
    size_t got = t->count(q);
    if (got != want)
        cr_assert_fail("%s, %s, step %zu: count is %zu, expected %zu", t->name,
                       what, step, got, want);
}

static void check_rc(const sim_queue_type *t, int rc, const char *op,
                     const char *what, size_t step)
{
    if (rc != SIM_OK)
        cr_assert_fail("%s, %s, step %zu: %s returned %d", t->name, what, step,
                       op, rc);
}

/* Pops everything, checking each min against want[0 .. n), then that the queue
 * is empty. */
static void drain_and_check(const sim_queue_type *t, void *q,
                            const sim_qentry *want, size_t n, const char *what)
{
    check_count(t, q, n, what, 0);
    for (size_t i = 0; i < n; i++) {
        check_min(t, q, &want[i], what, i);
        t->pop(q);
    }
    check_count(t, q, 0, what, n);
    check_min(t, q, NULL, what, n);
}

/* ---- Time distributions. now is the time of the last entry popped (0 at the
 * start). */

typedef enum {
    T_HOLD,    /* now + 0.1 + Exp(mean 0.9): the classic hold model */
    T_UNIFORM, /* U[0, 1000) regardless of now: often before the current minimum
                */
    T_TIES,    /* now + {0, 1, 2, 3}: integer times, thousands of ties broken by
                  key */
    T_BIMODAL, /* 90% now + Exp(1), 10% now + 1e6 + Exp(1000) */
    T_OUTLIER, /* the first entry at 1e9, the rest as T_HOLD */
    T_SPREAD,  /* 30% exactly 0, else 10^U(-9, 9) regardless of now */
    T_WHEEL,   /* the wheel's cases: now + Exp(100), 5% exactly now, 3%
                  before now, and after the first 3000 pushes 1% at now +
                  20000 + Exp(100) (a far tail its tuning must span) */
} tdist;

static double draw_time(gsl_rng *r, tdist d, double now, size_t i)
{
    switch (d) {
    case T_HOLD:
        return now + 0.1 + gsl_ran_exponential(r, 0.9);
    case T_UNIFORM:
        return 1000.0 * gsl_rng_uniform(r);
    case T_TIES:
        return now + (double)gsl_rng_uniform_int(r, 4);
    case T_BIMODAL:
        if (gsl_rng_uniform(r) < 0.9)
            return now + gsl_ran_exponential(r, 1.0);
        return now + 1e6 + gsl_ran_exponential(r, 1000.0);
    case T_OUTLIER:
        return i == 0 ? 1e9 : now + 0.1 + gsl_ran_exponential(r, 0.9);
    case T_SPREAD:
        if (gsl_rng_uniform(r) < 0.3)
            return 0.0;
        return pow(10.0, -9.0 + 18.0 * gsl_rng_uniform(r));
    case T_WHEEL: {
        double u = gsl_rng_uniform(r);
        if (i > 3000 && u < 0.01) /* the far tail */
            return now + 20000.0 + gsl_ran_exponential(r, 100.0);
        if (u < 0.07)
            return now;
        if (u < 0.10)
            return fmax(0.0, now - 10.0 * gsl_rng_uniform(r));
        return now + gsl_ran_exponential(r, 100.0);
    }
    }
    cr_assert_fail("unknown distribution %d", (int)d);
    return 0.0;
}

/* ---- The reference for mixed workloads: a sorted array, least at lo. */

typedef struct {
    sim_qentry *a;
    size_t lo, hi, cap; /* entries at [lo, hi) */
} ref_pq;

static void ref_push(ref_pq *r, sim_qentry e)
{
    size_t l = r->lo,
           h = r->hi; /* first entry greater than e (keys are unique) */
    while (l < h) {
        size_t m = l + (h - l) / 2;
        if (entry_cmp(&r->a[m], &e) < 0)
            l = m + 1;
        else
            h = m;
    }
    if (r->lo > 0 && l - r->lo < r->hi - l) { /* shift the shorter side */
        memmove(r->a + r->lo - 1, r->a + r->lo, (l - r->lo) * sizeof e);
        r->lo--;
        r->a[l - 1] = e;
        return;
    }
    if (r->hi == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 1024;
        r->a = realloc(r->a, cap * sizeof e);
        cr_assert_not_null(r->a);
        r->cap = cap;
    }
    memmove(r->a + l + 1, r->a + l, (r->hi - l) * sizeof e);
    r->a[l] = e;
    r->hi++;
}

static sim_qentry ref_pop(ref_pq *r)
{
    cr_assert(r->lo < r->hi, "reference popped while empty");
    return r->a[r->lo++];
}

/* ---- Mixed workloads: a script of steps, generated once with the reference's
 * answers, then replayed on every structure. */

typedef enum { OP_PUSH, OP_POP, OP_REPLACE } op_kind;

typedef struct {
    op_kind kind;
    bool peek;       /* call min() before the step and compare it with want */
    bool has_want;   /* the reference was non-empty before the step */
    sim_qentry e;    /* entry pushed (OP_PUSH, OP_REPLACE) */
    sim_qentry want; /* the reference's least entry before the step */
    size_t count_after; /* the reference's size after the step */
} step;

typedef struct {
    step *steps;
    size_t n;
    sim_qentry *rest; /* what is left after the steps, in order */
    size_t nrest;
} script;

/* The size the workload steers towards at step i of n: up to peak over the
 * first 30%, level until 70%, then back down to min_n. */
static size_t target_size(size_t i, size_t n, size_t peak, size_t min_n)
{
    double f = (double)i / (double)n;
    double t = f < 0.3 ? f / 0.3 : f < 0.7 ? 1.0 : (1.0 - f) / 0.3;
    size_t s = (size_t)(t * (double)peak);
    return s > min_n ? s : min_n;
}

/* min_n: the workload never pops below this many entries (keeps T_OUTLIER's far
 * entry). */
static script make_script_n(tdist d, size_t peak, size_t min_n,
                            unsigned long seed, size_t nsteps)
{
    gsl_rng *r = rng_new(seed);
    script s = {.steps = calloc(nsteps, sizeof(step)), .n = nsteps};
    cr_assert_not_null(s.steps);
    ref_pq ref = {0};
    double now = 0.0;
    size_t pushed = 0;
    for (size_t i = 0; i < nsteps; i++) {
        step *st = &s.steps[i];
        size_t n = ref.hi - ref.lo;
        size_t target = target_size(i, nsteps, peak, min_n);
        double u = gsl_rng_uniform(r);
        if (n <= min_n)
            st->kind = OP_PUSH;
        else if (n < target)
            st->kind = u < 0.6 ? OP_PUSH : u < 0.7 ? OP_POP : OP_REPLACE;
        else
            st->kind = u < 0.25 ? OP_PUSH : u < 0.7 ? OP_POP : OP_REPLACE;
        st->peek = gsl_rng_uniform(r) < 0.5;
        st->has_want = n > 0;
        if (n > 0)
            st->want = ref.a[ref.lo];
        if (st->kind != OP_PUSH)
            now = ref_pop(&ref).time;
        if (st->kind != OP_POP) {
            st->e = entry(draw_time(r, d, now, pushed), key_of(pushed));
            pushed++;
            ref_push(&ref, st->e);
        }
        st->count_after = ref.hi - ref.lo;
    }
    s.nrest = ref.hi - ref.lo;
    s.rest = malloc((s.nrest + 1) * sizeof *s.rest);
    cr_assert_not_null(s.rest);
    memcpy(s.rest, ref.a + ref.lo, s.nrest * sizeof *s.rest);
    free(ref.a);
    gsl_rng_free(r);
    return s;
}

static script make_script(tdist d, size_t peak, size_t min_n,
                          unsigned long seed)
{
    return make_script_n(d, peak, min_n, seed, MIX_STEPS);
}

static void replay(const sim_queue_type *t, const script *s, const char *what)
{
    void *q = q_open(t, 0);
    for (size_t i = 0; i < s->n; i++) {
        const step *st = &s->steps[i];
        if (st->peek)
            check_min(t, q, st->has_want ? &st->want : NULL, what, i);
        switch (st->kind) {
        case OP_PUSH:
            check_rc(t, t->push(q, st->e), "push", what, i);
            break;
        case OP_POP:
            t->pop(q);
            break;
        case OP_REPLACE:
            check_rc(t, t->replace_min(q, st->e), "replace_min", what, i);
            break;
        }
        check_count(t, q, st->count_after, what, i);
    }
    drain_and_check(t, q, s->rest, s->nrest, what);
    q_close(t, q);
}

static void run_mix(tdist d, size_t peak, size_t min_n, unsigned long seed,
                    const char *what)
{
    script s = make_script(d, peak, min_n, seed);
    /* The script itself must be a mix, or the test would prove little. */
    size_t kinds[3] = {0, 0, 0};
    for (size_t i = 0; i < s.n; i++)
        kinds[s.steps[i].kind]++;
    cr_assert(kinds[OP_POP] > s.n / 10 && kinds[OP_REPLACE] > s.n / 10,
              "%s: script has %zu pushes, %zu pops, %zu replace_mins", what,
              kinds[OP_PUSH], kinds[OP_POP], kinds[OP_REPLACE]);
    for (size_t k = 0; k < N_TYPES; k++)
        replay(all_types[k], &s, what);
    free(s.steps);
    free(s.rest);
}

Test(queue, mixed_ops_match_reference_for_hold_increments)
{
    run_mix(T_HOLD, 4096, 0, 2385, "hold increments");
}

Test(queue, mixed_ops_match_reference_for_uniform_times_before_the_minimum)
{
    run_mix(T_UNIFORM, 4096, 0, 4127, "uniform times");
}

Test(queue, mixed_ops_match_reference_for_integer_times_with_many_ties)
{
    run_mix(T_TIES, 4096, 0, 7919, "integer ties");
}

Test(queue, mixed_ops_match_reference_for_bimodal_near_and_far_times)
{
    run_mix(T_BIMODAL, 4096, 0, 104729, "bimodal near/far");
}

Test(queue, mixed_ops_match_reference_with_one_far_future_outlier)
{
    run_mix(T_OUTLIER, 4, 1, 1299709, "far outlier");
}

Test(queue, mixed_ops_match_reference_for_zeros_and_times_over_18_decades)
{
    run_mix(T_SPREAD, 4096, 0, 15485863, "zeros and 1e-9..1e9");
}

/* The wheel (wheel.c) starts at 8,192 entries and stops below 2,048, so the
 * 4,096-entry workloads above only test its heap: these run to 12,000
 * entries (its buckets and tunings at work) and back to empty (switching
 * off), against the reference, with heap4 beside it. */
Test(queue, wheel_matches_reference_past_its_switch_on_size)
{
    static const struct {
        tdist d;
        unsigned long seed;
        const char *what;
    } cases[] = {
        {T_WHEEL, 31337, "wheel: exp, ties, past, far"},
        {T_HOLD, 27183, "wheel: hold increments"},
        {T_BIMODAL, 14142, "wheel: bimodal near/far"},
        {T_SPREAD, 17321, "wheel: zeros and 18 decades"},
        {T_TIES, 22361, "wheel: integer ties"},
    };
    const sim_queue_type *types[] = {&sim_queue_heap4, &sim_queue_wheel};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        /* Pushes outnumber pops by 0.2 a step while growing: 12,000 entries
         * need 60,000 growing steps, the first 30% of the script. */
        script s = make_script_n(cases[c].d, 12000, 0, cases[c].seed, 220000);
        size_t most = 0;
        for (size_t i = 0; i < s.n; i++)
            most = s.steps[i].count_after > most ? s.steps[i].count_after
                                                 : most;
        cr_assert_gt(most, 8192u, "%s: the workload peaked at %zu entries",
                     cases[c].what, most);
        for (size_t k = 0; k < 2; k++)
            replay(types[k], &s, cases[c].what);
        free(s.steps);
        free(s.rest);
    }
}

/* The wheel's overflow (entries past its horizon when pushed) reached by
 * time while the wheel runs, which the workloads above, drained at the end,
 * do not do: 8,192 entries at 0, 0.25, .. 2047.75 switch it on with buckets
 * of 256 time units and a horizon of 64 buckets; 100 entries at 2e4 + k go
 * past it; then a steady hold (pop the least, push at now + 2048 + U(0,
 * 0.25), so a pop advances time by about 0.25) runs until time has passed
 * them all, with heap4 beside it for the order, every minimum compared. */
Test(queue, wheel_reaches_its_overflow_in_time_order)
{
    const sim_queue_type *types[] = {&sim_queue_heap4, &sim_queue_wheel};
    void *q[2];
    for (size_t k = 0; k < 2; k++)
        q[k] = q_open(types[k], 0);
    gsl_rng *r = rng_new(60221);
    uint64_t key = 0;
    for (size_t k = 0; k < 2; k++) { /* the same entries into both */
        uint64_t k0 = 0;
        for (size_t i = 0; i < 8192; i++)
            check_rc(types[k],
                     types[k]->push(q[k], entry(0.25 * (double)i, key_of(k0++))),
                     "push", "overflow: ramp", i);
        for (size_t i = 0; i < 100; i++)
            check_rc(types[k],
                     types[k]->push(q[k], entry(2e4 + (double)i, key_of(k0++))),
                     "push", "overflow: far", i);
        key = k0;
    }
    double now = 0;
    size_t steps = 0;
    while (now < 2e4 + 100) { /* past the last far entry */
        const sim_qentry *a = types[0]->min(q[0]);
        check_min(types[1], q[1], a, "overflow: hold", steps);
        now = a->time;
        sim_qentry e = entry(now + 2048.0 + 0.25 * gsl_rng_uniform(r),
                             key_of(key++));
        for (size_t k = 0; k < 2; k++)
            check_rc(types[k], types[k]->replace_min(q[k], e), "replace_min",
                     "overflow: hold", steps);
        steps++;
        cr_assert_lt(steps, 1000000u, "time never reached the far entries");
    }
    for (size_t k = 0; k < 2; k++)
        q_close(types[k], q[k]);
    gsl_rng_free(r);
}

/* ---- Batches against qsort. */

/* n entries of distribution d drawn with now = 0, and the same sorted by qsort.
 */
static void make_batch(tdist d, size_t n, unsigned long seed, sim_qentry **out,
                       sim_qentry **sorted)
{
    gsl_rng *r = rng_new(seed);
    *out = malloc(n * sizeof **out);
    *sorted = malloc(n * sizeof **sorted);
    cr_assert(*out != NULL && *sorted != NULL);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = entry(draw_time(r, d, 0.0, i), key_of(i));
    memcpy(*sorted, *out, n * sizeof **out);
    qsort(*sorted, n, sizeof **sorted, entry_cmp);
    gsl_rng_free(r);
}

Test(queue, pops_in_time_then_key_order)
{
    static const struct {
        tdist d;
        const char *name;
    } dists[] = {
        {T_HOLD, "batch of Exp times"},
        {T_UNIFORM, "batch of uniform times"},
        {T_TIES, "batch of 4 distinct times"},
        {T_BIMODAL, "batch bimodal"},
        {T_OUTLIER, "batch with an outlier"},
        {T_SPREAD, "batch of zeros and 1e-9..1e9"},
    };
    const size_t n = 20000;
    for (size_t j = 0; j < sizeof dists / sizeof dists[0]; j++) {
        sim_qentry *in, *sorted;
        make_batch(dists[j].d, n, 31337 + j, &in, &sorted);
        for (size_t k = 0; k < N_TYPES; k++) {
            const sim_queue_type *t = all_types[k];
            void *q = q_open(t, 0);
            for (size_t i = 0; i < n; i++)
                check_rc(t, t->push(q, in[i]), "push", dists[j].name, i);
            drain_and_check(t, q, sorted, n, dists[j].name);
            q_close(t, q);
        }
        free(in);
        free(sorted);
    }
}

Test(queue, equal_times_pop_in_key_order_not_insertion_order)
{
    const size_t n = 5000;
    for (size_t k = 0; k < N_TYPES; k++) {
        const sim_queue_type *t = all_types[k];
        void *q = q_open(t, 0);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(t->push(q, entry(2.385, key_of(i))), SIM_OK);
        uint64_t last = 0;
        for (size_t i = 0; i < n; i++) {
            const sim_qentry *m = t->min(q);
            cr_assert_not_null(m, "%s: empty after %zu of %zu pops", t->name, i,
                               n);
            if (i > 0 && !(m->key > last))
                cr_assert_fail("%s: pop %zu has key %" PRIu64 " after %" PRIu64,
                               t->name, i, m->key, last);
            last = m->key;
            t->pop(q);
        }
        q_close(t, q);
    }
}

/* ---- replace_min against pop + push on a twin queue. */

Test(queue, replace_min_equals_pop_then_push)
{
    const size_t fill = 2000, steps = 50000;
    for (size_t k = 0; k < N_TYPES; k++) {
        const sim_queue_type *t = all_types[k];
        gsl_rng *r = rng_new(2718281);
        void *a = q_open(t, 0), *b = q_open(t, 0);
        uint64_t next = 0;
        for (size_t i = 0; i < fill; i++) {
            sim_qentry e =
                entry((double)gsl_rng_uniform_int(r, 50), key_of(next++));
            check_rc(t, t->push(a, e), "push", "fill a", i);
            check_rc(t, t->push(b, e), "push", "fill b", i);
        }
        for (size_t i = 0; i < steps; i++) {
            const sim_qentry *m = t->min(b);
            cr_assert_not_null(m);
            double now = m->time;
            /* Mostly later than the minimum, with ties; sometimes before it. */
            double when = gsl_rng_uniform(r) < 0.1
                              ? now - (double)gsl_rng_uniform_int(r, 3)
                              : now + (double)gsl_rng_uniform_int(r, 40);
            sim_qentry e = entry(when > 0.0 ? when : 0.0, key_of(next++));
            if (gsl_rng_uniform(r) < 0.5)
                (void)t->min(a); /* with and without a cached min() */
            check_rc(t, t->replace_min(a, e), "replace_min", "twin a", i);
            t->pop(b);
            check_rc(t, t->push(b, e), "push", "twin b", i);
            check_count(t, a, fill, "twin a", i);
            check_min(t, a, t->min(b), "replace_min vs pop+push", i);
        }
        sim_qentry *rest = malloc(fill * sizeof *rest);
        cr_assert_not_null(rest);
        for (size_t i = 0; i < fill; i++) {
            rest[i] = *t->min(b);
            t->pop(b);
        }
        for (size_t i = 1; i < fill; i++)
            cr_assert_lt(entry_cmp(&rest[i - 1], &rest[i]), 0,
                         "%s: twin b out of order", t->name);
        drain_and_check(t, a, rest, fill, "replace_min twin drain");
        free(rest);
        q_close(t, a);
        q_close(t, b);
        gsl_rng_free(r);
    }
}

/* ---- Counts, growth, emptiness, lookup. */

Test(queue, count_follows_push_pop_and_replace_min)
{
    for (size_t k = 0; k < N_TYPES; k++) {
        const sim_queue_type *t = all_types[k];
        void *q = q_open(t, 0);
        cr_assert_eq(t->count(q), 0, "%s: fresh count", t->name);
        for (size_t i = 0; i < 100; i++) {
            cr_assert_eq(t->push(q, entry(0.5 * (double)(i % 7), key_of(i))),
                         SIM_OK);
            cr_assert_eq(t->count(q), i + 1, "%s: count after %zu pushes",
                         t->name, i + 1);
        }
        for (size_t i = 0; i < 50; i++) {
            cr_assert_eq(
                t->replace_min(q, entry(10.0 + (double)i, key_of(100 + i))),
                SIM_OK);
            cr_assert_eq(t->count(q), 100, "%s: replace_min changed the count",
                         t->name);
        }
        for (size_t i = 0; i < 100; i++) {
            t->pop(q);
            cr_assert_eq(t->count(q), 99 - i, "%s: count after %zu pops",
                         t->name, i + 1);
        }
        q_close(t, q);
    }
}

Test(queue, grows_from_zero_capacity_to_a_million_and_drains_for_reuse)
{
    const size_t n = 1000000, again = 3000;
    gsl_rng *r = rng_new(161803);
    sim_qentry *in = malloc(n * sizeof *in),
               *sorted = malloc(n * sizeof *sorted);
    cr_assert(in != NULL && sorted != NULL);
    for (size_t i = 0; i < n; i++) /* 1e6 draws from 1e6 values: many ties */
        in[i] =
            entry((double)gsl_rng_uniform_int(r, 1000000) / 64.0, key_of(i));
    memcpy(sorted, in, n * sizeof *in);
    qsort(sorted, n, sizeof *sorted, entry_cmp);
    sim_qentry *again_sorted = malloc(again * sizeof *again_sorted);
    cr_assert_not_null(again_sorted);
    memcpy(again_sorted, in + n - again, again * sizeof *in);
    qsort(again_sorted, again, sizeof *again_sorted, entry_cmp);

    for (size_t k = 0; k < N_TYPES; k++) {
        const sim_queue_type *t = all_types[k];
        void *q = q_open(t, 0);
        for (size_t i = 0; i < n; i++)
            check_rc(t, t->push(q, in[i]), "push", "growth to 1e6", i);
        drain_and_check(t, q, sorted, n, "drain from 1e6");
        /* Emptied by pops, not fini: the same queue must work again. */
        for (size_t i = 0; i < again; i++)
            check_rc(t, t->push(q, in[n - again + i]), "push", "reuse", i);
        drain_and_check(t, q, again_sorted, again, "reuse after drain");
        q_close(t, q);
    }
    free(again_sorted);
    free(sorted);
    free(in);
    gsl_rng_free(r);
}

Test(queue, min_on_empty_returns_null)
{
    for (size_t k = 0; k < N_TYPES; k++) {
        const sim_queue_type *t = all_types[k];
        void *q = q_open(t, 0);
        cr_assert_null(t->min(q), "%s: min of a fresh queue", t->name);
        cr_assert_eq(t->push(q, entry(1e9, key_of(0))), SIM_OK);
        const sim_qentry *m = t->min(q);
        cr_assert_not_null(m, "%s: min with one entry", t->name);
        cr_assert(m->time == 1e9 && m->key == key_of(0), "%s: wrong entry",
                  t->name);
        t->pop(q);
        cr_assert_null(t->min(q), "%s: min after popping the only entry",
                       t->name);
        q_close(t, q);
        q = q_open(t, 1000); /* a capacity hint changes nothing observable */
        cr_assert_null(t->min(q), "%s: min of a fresh queue with a hint",
                       t->name);
        q_close(t, q);
    }
}

Test(queue, by_name_finds_each_structure_and_rejects_unknown_names)
{
    cr_assert_eq(sim_queue_by_name("heap2"), &sim_queue_heap2);
    cr_assert_eq(sim_queue_by_name("heap4"), &sim_queue_heap4);
    cr_assert_eq(sim_queue_by_name("calendar"), &sim_queue_calendar);
    for (size_t k = 0; k < N_TYPES; k++) {
        const sim_queue_type *t = all_types[k];
        cr_assert_eq(sim_queue_by_name(t->name), t, "%s: not found by its name",
                     t->name);
        cr_assert_not_null(strstr(sim_queue_names(), t->name),
                           "%s missing from '%s'", t->name, sim_queue_names());
    }
    static const char *const unknown[] = {
        "", "heap", "heap8", "Heap4", "calendar ", "ladder", "splay"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        cr_assert_null(sim_queue_by_name(unknown[i]), "'%s' should be unknown",
                       unknown[i]);
}
