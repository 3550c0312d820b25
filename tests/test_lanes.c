/* test_lanes.c -- the engine's fast paths (lanes, the sorted run of set-up
 * events, the look-ahead window) against a reference: a plain binary heap of
 * (time, sequence) written here, independent of sim/, fed the same schedules
 * and cancellations. The order of delivery is compared event by event.
 *
 * One model drives both. It draws its actions from its own generator in
 * delivery order, so the two runs stay in step exactly as long as they deliver
 * the same events in the same order, and the first divergence is reported by
 * its position. Its actions mix what the fast paths must get right: fixed
 * delays (lanes, declared or detected), random delays and absolute times on a
 * coarse grid (ties broken by sequence), zero delays (into the window),
 * cancellations of any pending event (stale entries in every structure),
 * events scheduled before the run and between pieces of it (the sorted run
 * and its merge), and the 2^32 sequence wrap. Each model runs on every queue
 * structure and in every engine mode; PHOLD with fixed delays is the
 * benchmark's workload in the same harness.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "engine.h"
#include "internal.h"
#include "queue.h"

static void quiet(void)
{
    gsl_set_error_handler_off();
}
TestSuite(lanes, .init = quiet);

/* ---- the reference: a textbook binary heap ------------------------------ */

typedef struct {
    double t;
    uint64_t seq;
    uint32_t id;
} ref_ev;

typedef struct {
    ref_ev *a;
    size_t n, cap;
    uint64_t seq;
} ref_heap;

static bool ref_less(const ref_ev *x, const ref_ev *y)
{
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void ref_push(ref_heap *h, double t, uint32_t id)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->a = realloc(h->a, h->cap * sizeof *h->a);
        cr_assert_not_null(h->a);
    }
    ref_ev e = {t, h->seq++, id};
    size_t k = h->n++;
    while (k > 0 && ref_less(&e, &h->a[(k - 1) / 2])) {
        h->a[k] = h->a[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    h->a[k] = e;
}

static ref_ev ref_pop(ref_heap *h)
{
    ref_ev top = h->a[0], e = h->a[--h->n];
    size_t k = 0;
    for (size_t c; (c = 2 * k + 1) < h->n; k = c) {
        if (c + 1 < h->n && ref_less(&h->a[c + 1], &h->a[c]))
            c++;
        if (!ref_less(&h->a[c], &e))
            break;
        h->a[k] = h->a[c];
    }
    if (h->n > 0)
        h->a[k] = e;
    return top;
}

/* ---- the model ---------------------------------------------------------- */

#define MAX_IDS 2000000u

typedef struct {
    const double *delays; /* the fixed delays (days) */
    size_t ndelays;
    double p_fixed, p_at, p_zero; /* per successor: which kind of time */
    double p_cancel;              /* per delivery: cancel a random event */
    double p_two;                 /* per delivery: two successors, not one */
    double mean;                  /* of the random delays */
    uint32_t initial;             /* events scheduled before the run */
    uint64_t limit;               /* deliveries before successors stop */
    double piece;                 /* run in pieces of this length; 0: at once */
    uint32_t between;             /* events scheduled between pieces */
    uint64_t start_seq;           /* engine only: the first sequence number */
    bool phold;                   /* PHOLD: one successor, never cancels */
} model;

/* One system under the model: the engine or the reference. */
typedef struct sys sys;
struct sys {
    const model *md;
    gsl_rng *r;
    uint32_t next_id;
    bool *pending;     /* [id] */
    uint64_t handled;
    double *lt;        /* the log: time and id of each delivery */
    uint32_t *lid;
    size_t ln, lcap;
    /* the engine side */
    sim_engine *eng;
    sim_handle *h;     /* [id] */
    size_t peak;       /* the most events pending at a delivery */
    /* the reference side */
    ref_heap ref;
    double ref_now;
    bool *cancelled;   /* [id] */
};

static double grid(double t)
{
    return ceil(t * 4.0) / 4.0;
}

static void sys_schedule(sys *s, bool at, double x)
{
    uint32_t id = s->next_id++;
    cr_assert_lt(id, MAX_IDS);
    s->pending[id] = true;
    if (s->eng != NULL) {
        sim_msg m = {.kind = 1, .target = id};
        int rc = at ? sim_schedule_at(s->eng, x, &m, &s->h[id])
                    : sim_schedule(s->eng, x, &m, &s->h[id]);
        cr_assert_eq(rc, SIM_OK, "schedule of event %u: %s", id,
                     sim_strerror(rc));
    } else {
        ref_push(&s->ref, at ? x : s->ref_now + x, id);
    }
}

static void sys_cancel(sys *s, uint32_t id)
{
    bool was = s->pending[id];
    s->pending[id] = false;
    if (s->eng != NULL) {
        int rc = sim_cancel(s->eng, s->h[id]);
        cr_assert_eq(rc, was ? SIM_OK : SIM_ESTALE, "cancel of event %u: %s",
                     id, sim_strerror(rc));
    } else if (was) {
        s->cancelled[id] = true;
    }
}

static double now_of(const sys *s)
{
    return s->eng != NULL ? sim_now(s->eng) : s->ref_now;
}

/* One new event at a time the model draws. */
static void successor(sys *s, uint32_t from)
{
    const model *md = s->md;
    gsl_rng *r = s->r;
    double now = now_of(s);
    if (md->phold) {
        /* The destination LP does not change when an event fires, so the
         * successor's identity is all the order depends on. */
        (void)from;
        sys_schedule(s, false, md->delays[gsl_rng_uniform_int(r, md->ndelays)]);
        return;
    }
    double u = gsl_rng_uniform(r);
    if (u < md->p_fixed)
        sys_schedule(s, false, md->delays[gsl_rng_uniform_int(r, md->ndelays)]);
    else if (u < md->p_fixed + md->p_at)
        sys_schedule(s, true, grid(now - md->mean * log(gsl_rng_uniform_pos(r))));
    else if (u < md->p_fixed + md->p_at + md->p_zero)
        sys_schedule(s, false, 0.0);
    else
        sys_schedule(s, false, -md->mean * log(gsl_rng_uniform_pos(r)));
}

/* What a delivery does: log it, then draw successors and a cancellation. */
static void deliver(sys *s, double t, uint32_t id)
{
    cr_assert(s->pending[id], "event %u delivered but not pending", id);
    s->pending[id] = false;
    if (s->ln == s->lcap) {
        s->lcap = s->lcap ? 2 * s->lcap : 65536;
        s->lt = realloc(s->lt, s->lcap * sizeof *s->lt);
        s->lid = realloc(s->lid, s->lcap * sizeof *s->lid);
        cr_assert(s->lt && s->lid);
    }
    s->lt[s->ln] = t;
    s->lid[s->ln++] = id;
    const model *md = s->md;
    if (++s->handled >= md->limit)
        return;
    successor(s, id);
    if (md->phold)
        return;
    if (gsl_rng_uniform(s->r) < md->p_two)
        successor(s, id);
    if (gsl_rng_uniform(s->r) < md->p_cancel)
        sys_cancel(s, (uint32_t)gsl_rng_uniform_int(s->r, s->next_id));
}

static int on_event(sim_engine *eng, void *ctx, const sim_msg *m)
{
    sys *s = ctx;
    size_t pending = sim_pending(eng);
    if (pending > s->peak)
        s->peak = pending;
    deliver(ctx, sim_now(eng), m->target);
    return SIM_OK;
}

static void sys_init(sys *s, const model *md, unsigned long seed)
{
    memset(s, 0, sizeof *s);
    s->md = md;
    s->r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(s->r, seed);
    s->pending = calloc(MAX_IDS, sizeof *s->pending);
    cr_assert_not_null(s->pending);
}

static void sys_fini(sys *s)
{
    gsl_rng_free(s->r);
    free(s->pending);
    free(s->h);
    free(s->cancelled);
    free(s->ref.a);
    free(s->lt);
    free(s->lid);
    sim_engine_free(s->eng);
}

/* The reference's sim_run(until). */
static void ref_run(sys *s, double until)
{
    while (s->ref.n > 0 && s->ref.a[0].t <= until) {
        ref_ev e = ref_pop(&s->ref);
        if (s->cancelled[e.id])
            continue;
        s->ref_now = e.t;
        deliver(s, e.t, e.id);
    }
    if (isfinite(until))
        s->ref_now = until;
}

/* Set-up, then the run (in pieces, with schedules between them). */
static void drive(sys *s)
{
    const model *md = s->md;
    for (uint32_t i = 0; i < md->initial; i++)
        successor(s, i);
    if (md->piece <= 0) {
        if (s->eng)
            cr_assert_eq(sim_run_all(s->eng), SIM_OK);
        else
            ref_run(s, HUGE_VAL);
        return;
    }
    for (double until = md->piece;; until += md->piece) {
        if (s->eng) {
            cr_assert_eq(sim_run(s->eng, until), SIM_OK);
            if (sim_pending(s->eng) == 0)
                break;
        } else {
            ref_run(s, until);
            if (s->ref.n == 0)
                break;
        }
        for (uint32_t i = 0; i < md->between && s->handled < md->limit; i++)
            successor(s, i);
    }
}

static void run_reference(sys *s, const model *md, unsigned long seed)
{
    sys_init(s, md, seed);
    s->cancelled = calloc(MAX_IDS, sizeof *s->cancelled);
    cr_assert_not_null(s->cancelled);
    drive(s);
}

static void run_engine(sys *s, const model *md, unsigned long seed,
                       const char *queue, int mode)
{
    sys_init(s, md, seed);
    s->h = calloc(MAX_IDS, sizeof *s->h);
    cr_assert_not_null(s->h);
    sim_err err = {0};
    sim_engine_opts o = {.seed = 1, .queue = queue, .mode = mode};
    cr_assert_eq(sim_engine_new_opts(&o, &s->eng, &err), SIM_OK, "%s",
                 err.msg);
    sim_on(s->eng, 1, on_event, s);
    if (mode == SIM_MODE_DECLARED)
        for (size_t k = 0; k < md->ndelays; k++)
            cr_assert_eq(sim_declare_delay(s->eng, md->delays[k]), SIM_OK);
    if (md->start_seq)
        sim__engine_set_next_seq(s->eng, md->start_seq);
    drive(s);
}

static const char *const mode_names[] = {"auto", "declared", "nolanes",
                                         "plain"};

/* Event by event: the same ids at the same times. */
static void same_order(const sys *ref, const sys *got, const char *what)
{
    size_t n = ref->ln < got->ln ? ref->ln : got->ln;
    for (size_t i = 0; i < n; i++)
        if (ref->lid[i] != got->lid[i] || ref->lt[i] != got->lt[i])
            cr_assert_fail("%s: delivery %zu is event %u at %.17g, the "
                           "reference delivers event %u at %.17g",
                           what, i, got->lid[i], got->lt[i], ref->lid[i],
                           ref->lt[i]);
    cr_assert_eq(got->ln, ref->ln, "%s: %zu deliveries, the reference %zu",
                 what, got->ln, ref->ln);
}

static const char *const queues[] = {"heap4", "heap2", "calendar", "wheel"};

/* The model on every queue and in every mode against one reference run;
 * returns the deliveries. */
static size_t against_reference(const model *md, unsigned long seed,
                                 size_t *lanes_seen)
{
    sys ref;
    run_reference(&ref, md, seed);
    cr_assert_gt(ref.ln, 1000u, "the model delivered only %zu events", ref.ln);
    *lanes_seen = 0;
    for (size_t q = 0; q < sizeof queues / sizeof queues[0]; q++)
        for (int mode = SIM_MODE_AUTO; mode <= SIM_MODE_PLAIN; mode++) {
            sys got;
            run_engine(&got, md, seed, queues[q], mode);
            char what[64];
            snprintf(what, sizeof what, "%s, mode %s", queues[q],
                     mode_names[mode]);
            same_order(&ref, &got, what);
            cr_assert_eq(sim_pending(got.eng), 0u, "%s", what);
            if (mode == SIM_MODE_AUTO && q == 0)
                *lanes_seen = sim_engine_lanes(got.eng);
            if (mode >= SIM_MODE_NO_LANES)
                cr_assert_eq(sim_engine_lanes(got.eng), 0u, "%s", what);
            sys_fini(&got);
        }
    size_t n = ref.ln;
    sys_fini(&ref);
    return n;
}

/* Contract-like delays: a month, half a year, a year (days), and a zero. */
static const double market_delays[] = {365.25 / 12.0, 6 * 365.25 / 12.0,
                                       365.25, 2.385, 0.0};

/* Every time on the quarter-day grid: fixed delays that are multiples of
 * 0.25 and the rest drawn onto the grid, so most deliveries tie with others
 * in every structure and the order rests on sequence numbers alone. */
static const double grid_delays[] = {0.25, 1.0, 2.5, 0.0};

static model tie_model(void)
{
    return (model){.delays = grid_delays,
                   .ndelays = 4,
                   .p_fixed = 0.5,
                   .p_at = 0.5,
                   .p_cancel = 0.2,
                   .p_two = 0.3,
                   .mean = 3.0,
                   .initial = 2000,
                   .limit = 40000};
}

/* How many deliveries share their time with the one before. */
static size_t ties_in(const sys *s)
{
    size_t ties = 0;
    for (size_t i = 1; i < s->ln; i++)
        ties += s->lt[i] == s->lt[i - 1];
    return ties;
}

Test(lanes, ties_everywhere_are_broken_by_sequence_as_in_the_reference)
{
    model md = tie_model();
    size_t lanes;
    size_t n = against_reference(&md, 31, &lanes);
    cr_assert_eq(lanes, 4u);
    sys ref;
    run_reference(&ref, &md, 31);
    cr_assert_gt(ties_in(&ref), n / 2, "only %zu of %zu deliveries tied",
                 ties_in(&ref), n);
    sys_fini(&ref);
}

Test(lanes, random_schedules_cancellations_and_ties_match_the_reference)
{
    model md = {.delays = market_delays,
                .ndelays = 5,
                .p_fixed = 0.6,
                .p_at = 0.15,
                .p_zero = 0.05,
                .p_cancel = 0.3,
                .p_two = 0.3,
                .mean = 20.0,
                .initial = 3000,
                .limit = 60000};
    size_t lanes;
    against_reference(&md, 2385, &lanes);
    cr_assert_eq(lanes, 5u, "auto mode detected %zu of the 5 fixed delays",
                 lanes);
}

Test(lanes, runs_in_pieces_with_schedules_between_them_match_the_reference)
{
    /* Schedules outside sim_run go to the sorted run; each piece merges the
     * new batch with what is left of the last one. */
    model md = {.delays = market_delays,
                .ndelays = 4,
                .p_fixed = 0.5,
                .p_at = 0.2,
                .p_zero = 0.1,
                .p_cancel = 0.2,
                .p_two = 0.25,
                .mean = 10.0,
                .initial = 2000,
                .limit = 40000,
                .piece = 17.5,
                .between = 300};
    size_t lanes;
    against_reference(&md, 77, &lanes);
    cr_assert_gt(lanes, 0u);
}

Test(lanes, mass_cancellation_purges_and_keeps_the_order)
{
    /* A cancellation per delivery on average, against a population of
     * 20,000: stale entries pass PURGE_MIN and a quarter of the live ones
     * again and again, so compaction runs on the lanes, the run and the
     * heap. */
    model md = {.delays = market_delays,
                .ndelays = 3,
                .p_fixed = 0.7,
                .p_at = 0.1,
                .p_cancel = 0.95,
                .p_two = 0.97,
                .mean = 30.0,
                .initial = 20000,
                .limit = 60000};
    size_t lanes;
    against_reference(&md, 4242, &lanes);
    /* And the purge bounded the engine's entries: checked on one run. */
    sys got;
    run_engine(&got, &md, 4242, "heap4", SIM_MODE_AUTO);
    cr_assert_lt(sim__engine_queue_count(got.eng), 10000u,
                 "stale entries were not purged");
    sys_fini(&got);
}

Test(lanes, the_sequence_wrap_renumbers_lanes_run_and_heap_in_order)
{
    /* 2^32 - 2 is the engine's limit: start 2000 schedules short of it, and
     * with events pending in every structure (set-up events still in the
     * sorted run when the wrap comes). */
    model md = {.delays = market_delays,
                .ndelays = 5,
                .p_fixed = 0.6,
                .p_at = 0.15,
                .p_zero = 0.05,
                .p_cancel = 0.2,
                .p_two = 0.3,
                .mean = 20.0,
                .initial = 3000,
                .limit = 20000,
                .start_seq = (UINT64_C(1) << 32) - 2 - 4000};
    size_t lanes;
    against_reference(&md, 99, &lanes);
    md.piece = 5.0; /* wrap between pieces, outside the run, too */
    md.between = 400;
    md.start_seq = (UINT64_C(1) << 32) - 2 - 3500;
    against_reference(&md, 98, &lanes);
    /* With ties everywhere, where a renumbering that got one structure's
     * numbers wrong would show at once. */
    md = tie_model();
    md.start_seq = (UINT64_C(1) << 32) - 2 - 3000;
    against_reference(&md, 97, &lanes);
    md.piece = 2.0;
    md.between = 200;
    against_reference(&md, 96, &lanes);
}

Test(lanes, a_pending_set_large_enough_for_the_wheel_matches_the_reference)
{
    /* The wheel (sim/wheel.c) keeps to its heap below 8,192 entries, which
     * the models above stay under: 30,000 events at the start, two thirds of
     * successors at random delays (the queue's), cancellations, ties at the
     * same instant, and the sequence numbers wrapping midway. */
    model md = {.delays = market_delays,
                .ndelays = 5,
                .p_fixed = 0.3,
                .p_at = 0.1,
                .p_zero = 0.05,
                .p_cancel = 0.2,
                .p_two = 0.2,
                .mean = 30.0,
                .initial = 30000,
                .limit = 150000,
                .start_seq = (UINT64_C(1) << 32) - 100000};
    size_t lanes;
    against_reference(&md, 8128, &lanes);
    cr_assert_gt(lanes, 0u);
}

Test(lanes, switching_between_direct_delivery_and_the_window_keeps_the_order)
{
    /* No delay repeats (not even 0), so no lanes, and one set-up event, so
     * the sorted run is gone at once: the engine delivers directly while the
     * pending set is small, takes the window when it passes 8,192 events
     * (the population grows by about 0.7 an event, to some 25,000), and goes
     * back to direct delivery as it drains below 4,096. */
    model md = {.ndelays = 0,
                .p_at = 0.3,
                .p_cancel = 0.1,
                .p_two = 0.8,
                .mean = 5.0,
                .initial = 1,
                .limit = 40000};
    size_t lanes;
    against_reference(&md, 555, &lanes);
    cr_assert_eq(lanes, 0u);
    sys got;
    run_engine(&got, &md, 555, "heap4", SIM_MODE_AUTO);
    cr_assert_gt(got.peak, 20000u, "only %zu events pending at most",
                 got.peak);
    cr_assert_geq(sim__engine_loop_switches(got.eng), 2u,
                  "direct delivery started %llu times",
                  (unsigned long long)sim__engine_loop_switches(got.eng));
    sys_fini(&got);
}

/* PHOLD's successors with fixed delays: lookahead 0.1 plus one of four
 * fixed increments; every delay becomes a lane and the heap carries only
 * the start events. */
static const double phold_delays[] = {0.1, 0.4, 0.7, 1.0};

Test(lanes, phold_with_fixed_delays_matches_the_reference_event_by_event)
{
    model md = {.delays = phold_delays,
                .ndelays = 4,
                .phold = true,
                .initial = 16384,
                .limit = 200000};
    size_t lanes;
    size_t n = against_reference(&md, 1, &lanes);
    cr_assert_eq(lanes, 4u, "auto mode detected %zu of PHOLD's 4 delays",
                 lanes);
    cr_assert_geq(n, 200000u);
}

/* ---- out of memory: every fast path falls back to the queue ------------- */

/* Chains of events, each rescheduling itself 0.5 or 0.75 days ahead (by the
 * parity of its target) until `left` runs out; a trace hash of every
 * delivery, and the most entries the lanes held at any delivery. */
typedef struct {
    uint64_t hash, left;
    size_t lane_peak;
} chains;

static int on_chain(sim_engine *eng, void *ctx, const sim_msg *m)
{
    chains *c = ctx;
    double t = sim_now(eng);
    const unsigned char *p = (const unsigned char *)&t;
    for (size_t i = 0; i < sizeof t; i++)
        c->hash = (c->hash ^ p[i]) * UINT64_C(0x100000001b3);
    c->hash = (c->hash ^ m->target) * UINT64_C(0x100000001b3);
    size_t held = sim__engine_lane_count(eng);
    if (held > c->lane_peak)
        c->lane_peak = held;
    if (c->left == 0 || --c->left == 0)
        return SIM_OK;
    sim_msg next = *m;
    return sim_schedule(eng, m->target % 2 ? 0.75 : 0.5, &next, NULL);
}

/* Runs 300 chains for 30,000 deliveries; fail_after >= 0 makes the engine's
 * allocations fail from then on (the pool is sized up front, so only the
 * fast paths' own allocations are refused). */
static chains run_chains(int mode, long fail_after)
{
    sim_engine *eng = NULL;
    sim_err err = {0};
    sim_engine_opts o = {.seed = 1, .mode = mode, .capacity = 4096};
    cr_assert_eq(sim_engine_new_opts(&o, &eng, &err), SIM_OK, "%s", err.msg);
    chains c = {.hash = UINT64_C(0xcbf29ce484222325), .left = 30000};
    sim_on(eng, 1, on_chain, &c);
    sim_declare_delay(eng, 0.5);
    sim_declare_delay(eng, 0.75);
    if (fail_after >= 0)
        sim__engine_fail_allocs_after(eng, fail_after);
    for (uint32_t i = 0; i < 300; i++) {
        sim_msg m = {.kind = 1, .target = i};
        cr_assert_eq(sim_schedule_at(eng, 0.01 * (i % 7), &m, NULL), SIM_OK);
    }
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(sim_events_handled(eng), 30299u);
    sim_engine_free(eng);
    return c;
}

/* The chains of run_chains on eng, whose prefetch hints for kind 1 the
 * caller has set: the trace's hash (the engine is freed). */
static uint64_t hinted_chains(sim_engine *eng)
{
    chains c = {.hash = UINT64_C(0xcbf29ce484222325), .left = 30000};
    sim_on(eng, 1, on_chain, &c);
    sim_declare_delay(eng, 0.5);
    sim_declare_delay(eng, 0.75);
    for (uint32_t i = 0; i < 300; i++) {
        sim_msg m = {.kind = 1, .target = i};
        cr_assert_eq(sim_schedule_at(eng, 0.01 * (i % 7), &m, NULL), SIM_OK);
    }
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    sim_engine_free(eng);
    return c.hash;
}

Test(lanes, lanes_and_the_run_without_memory_fall_back_to_the_heap)
{
    chains ref = run_chains(SIM_MODE_PLAIN, -1);
    chains fast = run_chains(SIM_MODE_AUTO, -1);
    cr_assert_eq(fast.hash, ref.hash);
    cr_assert_gt(fast.lane_peak, 100u, "the lanes were not used");
    /* No lane block, no run array: everything through the heap, same order. */
    chains starved = run_chains(SIM_MODE_AUTO, 0);
    cr_assert_eq(starved.hash, ref.hash);
    cr_assert_eq(starved.lane_peak, 0u);
    /* Memory that runs out part-way: some blocks had, later ones refused. */
    chains some = run_chains(SIM_MODE_AUTO, 2);
    cr_assert_eq(some.hash, ref.hash);
}

Test(lanes, a_merge_without_memory_sends_the_new_batch_to_the_heap)
{
    /* Two batches scheduled outside the run: the second must be merged with
     * what is left of the first, and the merge's array is refused. */
    uint64_t hash[2];
    for (int k = 0; k < 2; k++) {
        sim_engine *eng = NULL;
        sim_err err = {0};
        sim_engine_opts o = {.seed = 1, .mode = k ? SIM_MODE_AUTO
                                                  : SIM_MODE_PLAIN};
        cr_assert_eq(sim_engine_new_opts(&o, &eng, &err), SIM_OK);
        chains c = {.hash = UINT64_C(0xcbf29ce484222325), .left = 20000};
        sim_on(eng, 1, on_chain, &c);
        for (uint32_t i = 0; i < 3000; i++) {
            sim_msg m = {.kind = 1, .target = i};
            cr_assert_eq(sim_schedule_at(eng, 0.001 * i, &m, NULL), SIM_OK);
        }
        cr_assert_eq(sim_run(eng, 1.0), SIM_OK);
        for (uint32_t i = 0; i < 500; i++) {
            sim_msg m = {.kind = 1, .target = 3000 + i};
            cr_assert_eq(sim_schedule_at(eng, 1.0 + 0.003 * i, &m, NULL),
                         SIM_OK);
        }
        sim__engine_fail_allocs_after(eng, 0);
        cr_assert_eq(sim_run_all(eng), SIM_OK);
        hash[k] = c.hash;
        sim_engine_free(eng);
    }
    cr_assert_eq(hash[1], hash[0]);
}

/* ---- the calls that steer the fast paths -------------------------------- */

static int on_nothing(sim_engine *eng, void *ctx, const sim_msg *m)
{
    (void)eng;
    (void)ctx;
    (void)m;
    return SIM_OK;
}

Test(lanes, a_delay_gets_a_lane_once_it_has_repeated_32_times)
{
    sim_engine *eng = NULL;
    sim_err err = {0};
    cr_assert_eq(sim_engine_new(1, 0, 0, &eng, &err), SIM_OK);
    sim_on(eng, 1, on_nothing, NULL);
    sim_msg m = {.kind = 1};
    for (int i = 0; i < 31; i++)
        cr_assert_eq(sim_schedule(eng, 2.385, &m, NULL), SIM_OK);
    cr_assert_eq(sim_engine_lanes(eng), 0u);
    cr_assert_eq(sim_schedule(eng, 2.385, &m, NULL), SIM_OK);
    cr_assert_eq(sim_engine_lanes(eng), 1u);
    /* Delays that never repeat never get one. */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    for (int i = 0; i < 100000; i++)
        cr_assert_eq(sim_schedule(eng, 10.0 * gsl_rng_uniform(r), &m, NULL),
                     SIM_OK);
    cr_assert_eq(sim_engine_lanes(eng), 1u);
    gsl_rng_free(r);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(sim_events_handled(eng), 100032u);
    sim_engine_free(eng);
}

Test(lanes, declared_delays_are_checked_and_capped)
{
    sim_engine *eng = NULL;
    sim_err err = {0};
    cr_assert_eq(sim_engine_new(1, 0, 0, &eng, &err), SIM_OK);
    cr_assert_eq(sim_declare_delay(eng, -1.0), SIM_EINVAL);
    cr_assert_eq(sim_declare_delay(eng, (double)NAN), SIM_EINVAL);
    cr_assert_eq(sim_declare_delay(eng, HUGE_VAL), SIM_EINVAL);
    cr_assert_eq(sim_engine_lanes(eng), 0u);
    cr_assert_eq(sim_declare_delay(eng, -0.0), SIM_OK, "-0.0 is a delay of 0");
    cr_assert_eq(sim_declare_delay(eng, 0.0), SIM_OK);
    cr_assert_eq(sim_engine_lanes(eng), 1u, "-0.0 and 0.0 are one lane");
    for (int i = 1; i <= 20; i++)
        cr_assert_eq(sim_declare_delay(eng, i), SIM_OK);
    cr_assert_eq(sim_engine_lanes(eng), 8u, "at most 8 lanes");
    sim_engine_free(eng);
    sim_engine_opts o = {.mode = SIM_MODE_PLAIN};
    cr_assert_eq(sim_engine_new_opts(&o, &eng, &err), SIM_OK);
    cr_assert_eq(sim_declare_delay(eng, 1.0), SIM_OK);
    cr_assert_eq(sim_engine_lanes(eng), 0u, "no lanes in plain mode");
    sim_engine_free(eng);
    o.mode = 4;
    cr_assert_eq(sim_engine_new_opts(&o, &eng, &err), SIM_EINVAL);
    cr_assert(strstr(err.msg, "engine mode 4"), "got: %s", err.msg);
}

Test(lanes, target_prefetch_hints_are_checked_and_change_nothing)
{
    sim_engine *eng = NULL;
    sim_err err = {0};
    cr_assert_eq(sim_engine_new(1, 0, 0, &eng, &err), SIM_OK);
    static char state[100][24];
    cr_assert_eq(sim_prefetch_targets(eng, SIM_MAX_KINDS, state, 24, 100),
                 SIM_EINVAL);
    cr_assert_eq(sim_prefetch_targets(eng, 1, state, 0, 100), SIM_EINVAL);
    cr_assert_eq(sim_prefetch_targets(eng, 1, NULL, 0, 0), SIM_OK,
                 "NULL removes the hint");
    cr_assert_eq(sim_prefetch_span(eng, 1, 48), SIM_EINVAL, "no hint");
    cr_assert_eq(sim_prefetch_targets(eng, 1, state, 24, 100), SIM_OK);
    cr_assert_eq(sim_prefetch_span(eng, 1, 23), SIM_EINVAL, "below size");
    cr_assert_eq(sim_prefetch_span(eng, 1, SIM_PREFETCH_SPAN_MAX + 1),
                 SIM_EINVAL);
    cr_assert_eq(sim_prefetch_span(eng, SIM_MAX_KINDS, 48), SIM_EINVAL);
    cr_assert_eq(sim_prefetch_span(eng, 1, 48), SIM_OK);
    sim_engine_free(eng);
    /* The chains with a hint covering half their targets: same trace. */
    chains ref = run_chains(SIM_MODE_PLAIN, -1);
    cr_assert_eq(sim_engine_new(1, 0, 0, &eng, &err), SIM_OK);
    cr_assert_eq(sim_prefetch_targets(eng, 1, state, sizeof state[0], 150),
                 SIM_OK);
    cr_assert_eq(hinted_chains(eng), ref.hash);
}

/* A span wider than the record (a firm's seats after its primary one),
 * through the lines between its ends: still the same trace. */
Test(lanes, a_wide_prefetch_span_changes_nothing)
{
    chains ref = run_chains(SIM_MODE_PLAIN, -1);
    sim_engine *eng = NULL;
    sim_err err = {0};
    static char state[400][24];
    cr_assert_eq(sim_engine_new(1, 0, 0, &eng, &err), SIM_OK);
    cr_assert_eq(sim_prefetch_targets(eng, 1, state, sizeof state[0], 290),
                 SIM_OK);
    cr_assert_eq(sim_prefetch_span(eng, 1, 200), SIM_OK);
    cr_assert_eq(hinted_chains(eng), ref.hash);
}

/* More arrays a kind reads (a firm's entries beside its seats' records):
 * checked, removed by a new hint, and the same trace; the elements are sized
 * so that the last target's is the arrays' last (ASan sees any read past). */
Test(lanes, prefetching_more_arrays_is_checked_and_changes_nothing)
{
    sim_engine *eng = NULL;
    sim_err err = {0};
    static char state[300][24], firm[100][8], seat[300][4];
    cr_assert_eq(sim_engine_new(1, 0, 0, &eng, &err), SIM_OK);
    cr_assert_eq(sim_prefetch_also(eng, 1, firm, 8, 3), SIM_EINVAL, "no hint");
    cr_assert_eq(sim_prefetch_targets(eng, 1, state, 24, 300), SIM_OK);
    cr_assert_eq(sim_prefetch_also(eng, SIM_MAX_KINDS, firm, 8, 3), SIM_EINVAL);
    cr_assert_eq(sim_prefetch_also(eng, 1, NULL, 8, 3), SIM_EINVAL);
    cr_assert_eq(sim_prefetch_also(eng, 1, firm, 0, 3), SIM_EINVAL);
    cr_assert_eq(sim_prefetch_also(eng, 1, firm, 8, 0), SIM_EINVAL);
    for (int k = 0; k < SIM_PREFETCH_ALSO_MAX; k++)
        cr_assert_eq(sim_prefetch_also(eng, 1, firm, 8, 3), SIM_OK);
    cr_assert_eq(sim_prefetch_also(eng, 1, firm, 8, 3), SIM_EINVAL,
                 "one array too many");
    cr_assert_eq(sim_prefetch_targets(eng, 1, state, 24, 300), SIM_OK);
    cr_assert_eq(sim_prefetch_also(eng, 1, firm, 8, 3), SIM_OK,
                 "a new hint starts with no arrays");
    sim_engine_free(eng);

    chains ref = run_chains(SIM_MODE_PLAIN, -1);
    cr_assert_eq(sim_engine_new(1, 0, 0, &eng, &err), SIM_OK);
    cr_assert_eq(sim_prefetch_targets(eng, 1, state, sizeof state[0], 300),
                 SIM_OK);
    cr_assert_eq(sim_prefetch_also(eng, 1, firm, sizeof firm[0], 3), SIM_OK);
    cr_assert_eq(sim_prefetch_also(eng, 1, seat, sizeof seat[0], 1), SIM_OK);
    cr_assert_eq(hinted_chains(eng), ref.hash);
}

/* ---- the sort behind the run -------------------------------------------- */

static int cmp_entries(const void *pa, const void *pb)
{
    const sim_qentry *a = pa, *b = pb;
    return sim_qentry_less(*a, *b) ? -1 : sim_qentry_less(*b, *a) ? 1 : 0;
}

Test(lanes, the_run_sort_orders_like_qsort_on_every_shape_of_input)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 2385);
    const size_t sizes[] = {0, 1, 2, 3, 17, 100, 4097, 100000};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (int shape = 0; shape < 5; shape++) {
            size_t n = sizes[si];
            sim_qentry *a = malloc((n ? n : 1) * sizeof *a);
            sim_qentry *b = malloc((n ? n : 1) * sizeof *b);
            for (size_t i = 0; i < n; i++) {
                double t = shape == 0   ? 1e3 * gsl_rng_uniform(r)
                           : shape == 1 ? (double)i          /* sorted */
                           : shape == 2 ? (double)(n - i)    /* reversed */
                           : shape == 3 ? 2.385              /* all tied */
                                        : floor(4 * gsl_rng_uniform(r));
                uint64_t seq = shape == 3 ? n - i : gsl_rng_get(r);
                a[i] = (sim_qentry){.key = seq << 32 | i, .time = t};
            }
            memcpy(b, a, n * sizeof *a);
            sim__sort_entries(a, n);
            qsort(b, n, sizeof *b, cmp_entries);
            cr_assert(memcmp(a, b, n * sizeof *a) == 0,
                      "n %zu, shape %d: not sorted like qsort", n, shape);
            free(a);
            free(b);
        }
    gsl_rng_free(r);
}
