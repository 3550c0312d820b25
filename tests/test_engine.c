/* test_engine.c -- the event loop: ordering, cancellation, run modes, errors,
 * determinism.
 *
 * Most tests run on every queue structure, since the engine promises the same
 * order from all of them. The hold model below puts event times on a
 * quarter-day grid so that many pending events share a time: its trace hashes
 * then depend on tie-breaking by sequence number, which is what the
 * determinism, queue-equivalence and sequence-wrap tests must exercise. Out-of-
 * memory paths are reached through the per-engine hooks of sim/internal.h.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine.h"
#include "internal.h"
#include "queue.h"

static const char *const queues[] = {"heap4", "heap2", "calendar", "wheel"};
#define NQUEUES (sizeof queues / sizeof queues[0])

static sim_engine *make(uint64_t seed, const char *queue)
{
    sim_engine *eng = NULL;
    sim_err err = {0};
    sim_engine_opts o = {.seed = seed, .queue = queue};
    cr_assert_eq(sim_engine_new_opts(&o, &eng, &err), SIM_OK, "%s", err.msg);
    return eng;
}

/* A log of deliveries: (time, target) pairs. */
typedef struct {
    double t[4096];
    uint32_t target[4096];
    size_t n;
} delivery_log;

static int on_log(sim_engine *eng, void *ctx, const sim_msg *m)
{
    delivery_log *l = ctx;
    cr_assert_lt(l->n, 4096u);
    l->t[l->n] = sim_now(eng);
    l->target[l->n++] = m->target;
    return (int)m->arg[0]; /* lets a test ask for a stop */
}

static void at(sim_engine *eng, double t, uint32_t target, sim_handle *h)
{
    sim_msg m = {.kind = 1, .target = target};
    cr_assert_eq(sim_schedule_at(eng, t, &m, h), SIM_OK);
}

Test(engine, equal_times_fire_in_schedule_order)
{
    for (size_t q = 0; q < NQUEUES; q++) {
        sim_engine *eng = make(1, queues[q]);
        delivery_log l = {.n = 0};
        sim_on(eng, 1, on_log, &l);
        /* Interleave two times so insertion order differs from any sorted order
         * of keys. */
        for (uint32_t i = 0; i < 1000; i++)
            at(eng, i % 2 ? 2.385 : 1.5, i, NULL);
        cr_assert_eq(sim_run_all(eng), SIM_OK);
        cr_assert_eq(l.n, 1000u);
        for (size_t i = 0; i < 500; i++) {
            cr_assert_eq(l.target[i], 2 * i, "%s: position %zu", queues[q], i);
            cr_assert_eq(l.target[500 + i], 2 * i + 1, "%s: position %zu",
                         queues[q], 500 + i);
        }
        sim_engine_free(eng);
    }
}

Test(engine, events_fire_in_time_order_from_any_queue)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    for (size_t q = 0; q < NQUEUES; q++) {
        gsl_rng_set(r, 2385);
        sim_engine *eng = make(1, queues[q]);
        delivery_log l = {.n = 0};
        sim_on(eng, 1, on_log, &l);
        for (uint32_t i = 0; i < 4000; i++)
            at(eng, 1000.0 * gsl_rng_uniform(r), i, NULL);
        cr_assert_eq(sim_run_all(eng), SIM_OK);
        cr_assert_eq(l.n, 4000u);
        for (size_t i = 1; i < l.n; i++)
            cr_assert_leq(l.t[i - 1], l.t[i], "%s: out of order at %zu",
                          queues[q], i);
        sim_engine_free(eng);
    }
    gsl_rng_free(r);
}

Test(engine, cancelled_event_is_never_delivered)
{
    for (size_t q = 0; q < NQUEUES; q++) {
        sim_engine *eng = make(1, queues[q]);
        delivery_log l = {.n = 0};
        sim_on(eng, 1, on_log, &l);
        sim_handle h[10];
        for (uint32_t i = 0; i < 10; i++)
            at(eng, 1.0 + i, i, &h[i]);
        cr_assert_eq(sim_cancel(eng, h[3]), SIM_OK);
        cr_assert_eq(sim_cancel(eng, h[0]), SIM_OK); /* the head itself */
        cr_assert_eq(sim_cancel(eng, h[9]), SIM_OK);
        cr_assert_eq(sim_pending(eng), 7u);
        cr_assert_eq(sim_cancel(eng, h[3]), SIM_ESTALE, "cancelling twice");
        cr_assert_eq(sim_run_all(eng), SIM_OK);
        cr_assert_eq(l.n, 7u);
        for (size_t i = 0; i < l.n; i++)
            cr_assert(l.target[i] != 0 && l.target[i] != 3 && l.target[i] != 9);
        cr_assert_eq(sim_cancel(eng, h[5]), SIM_ESTALE,
                     "cancelling a delivered event");
        cr_assert_eq(sim_pending(eng), 0u);
        sim_engine_free(eng);
    }
}

Test(engine, stale_handle_does_not_cancel_the_slot_reuser)
{
    sim_engine *eng = make(1, NULL);
    delivery_log l = {.n = 0};
    sim_on(eng, 1, on_log, &l);
    sim_handle old, fresh;
    at(eng, 1.0, 1, &old);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    at(eng, 2.0, 2, &fresh); /* reuses the freed record */
    cr_assert_neq(old, fresh);
    cr_assert_eq(sim_cancel(eng, old), SIM_ESTALE);
    cr_assert_eq(sim_cancel(eng, 0), SIM_ESTALE, "0 is never a handle");
    cr_assert_eq(sim_cancel(eng, UINT64_C(0xdeadbeef00001234)), SIM_ESTALE);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(l.n, 2u);
    cr_assert_eq(l.target[1], 2u);
    sim_engine_free(eng);
}

static sim_handle self_handle;
static int on_cancel_self(sim_engine *eng, void *ctx, const sim_msg *m)
{
    (void)m;
    *(int *)ctx = sim_cancel(eng, self_handle);
    return SIM_OK;
}

Test(engine, an_event_being_delivered_cannot_be_cancelled)
{
    sim_engine *eng = make(1, NULL);
    int rc = 0;
    sim_on(eng, 1, on_cancel_self, &rc);
    at(eng, 1.0, 0, &self_handle);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(rc, SIM_ESTALE);
    sim_engine_free(eng);
}

Test(engine, run_until_delivers_up_to_and_including_until_then_sets_the_clock)
{
    sim_engine *eng = make(1, NULL);
    delivery_log l = {.n = 0};
    sim_on(eng, 1, on_log, &l);
    at(eng, 1.0, 1, NULL);
    at(eng, 2.0, 2, NULL);
    at(eng, 3.5, 3, NULL);
    cr_assert_eq(sim_run(eng, 2.0), SIM_OK);
    cr_assert_eq(l.n, 2u);
    cr_assert_eq(sim_now(eng), 2.0);
    cr_assert_eq(sim_run(eng, 3.0), SIM_OK);
    cr_assert_eq(l.n, 2u);
    cr_assert_eq(sim_now(eng), 3.0,
                 "the clock moves to until even without events");
    cr_assert_eq(sim_run(eng, 1.0), SIM_EINVAL, "until before now");
    cr_assert_eq(sim_run(eng, (double)NAN), SIM_EINVAL);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(l.n, 3u);
    cr_assert_eq(sim_now(eng), 3.5,
                 "run_all leaves the clock at the last event");
    sim_engine_free(eng);
}

Test(engine, handler_stop_returns_its_status_and_a_later_run_resumes)
{
    sim_engine *eng = make(1, NULL);
    delivery_log l = {.n = 0};
    sim_on(eng, 1, on_log, &l);
    sim_msg stop = {.kind = 1, .target = 7, .arg = {SIM_STOP, 0}};
    at(eng, 1.0, 1, NULL);
    cr_assert_eq(sim_schedule_at(eng, 2.0, &stop, NULL), SIM_OK);
    at(eng, 3.0, 3, NULL);
    cr_assert_eq(sim_run(eng, 10.0), SIM_STOP);
    cr_assert_eq(l.n, 2u);
    cr_assert_eq(sim_now(eng), 2.0, "the clock stays at the stopping event");
    cr_assert_eq(sim_pending(eng), 1u);
    cr_assert_eq(sim_run(eng, 10.0), SIM_OK);
    cr_assert_eq(l.n, 3u);
    cr_assert_eq(l.target[2], 3u);
    sim_engine_free(eng);
}

Test(engine, scheduling_into_the_past_is_an_error_not_a_crash)
{
    sim_engine *eng = make(1, NULL);
    delivery_log l = {.n = 0};
    sim_on(eng, 1, on_log, &l);
    at(eng, 5.0, 1, NULL);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    sim_msg m = {.kind = 1};
    sim_handle h = 12345;
    cr_assert_eq(sim_schedule(eng, -0.001, &m, &h), SIM_EPAST);
    cr_assert_eq(sim_schedule_at(eng, 4.999, &m, &h), SIM_EPAST);
    cr_assert_eq(sim_schedule(eng, (double)NAN, &m, &h), SIM_EINVAL);
    cr_assert_eq(sim_schedule(eng, HUGE_VAL, &m, &h), SIM_EINVAL);
    cr_assert_eq(sim_schedule_at(eng, -HUGE_VAL, &m, &h), SIM_EINVAL);
    cr_assert_eq(h, 12345u, "no handle on failure");
    cr_assert_eq(sim_pending(eng), 0u, "nothing scheduled on failure");
    cr_assert_eq(sim_schedule(eng, -0.0, &m, NULL), SIM_OK,
                 "-0.0 is now, not the past");
    cr_assert_eq(sim_schedule(eng, 0.0, &m, NULL), SIM_OK);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(l.n, 3u);
    cr_assert_eq(sim_now(eng), 5.0);
    cr_assert_str_eq(sim_strerror(SIM_EPAST),
                     "event scheduled before the current time");
    sim_engine_free(eng);
}

Test(engine, invalid_kinds_and_missing_handlers_are_reported)
{
    sim_engine *eng = make(1, NULL);
    sim_msg bad = {.kind = SIM_MAX_KINDS};
    cr_assert_eq(sim_on(eng, SIM_MAX_KINDS, on_log, NULL), SIM_EINVAL);
    cr_assert_eq(sim_schedule(eng, 1.0, &bad, NULL), SIM_EINVAL);
    sim_msg orphan = {.kind = 9};
    cr_assert_eq(sim_schedule(eng, 1.0, &orphan, NULL), SIM_OK);
    cr_assert_eq(sim_run_all(eng), SIM_ENOHANDLER);
    cr_assert_eq(sim_pending(eng), 0u,
                 "the orphan event is dropped, not retried forever");
    cr_assert_eq(sim_events_handled(eng), 0u,
                 "a dropped event is not a delivery");
    sim_engine_free(eng);
}

static int on_reenter(sim_engine *eng, void *ctx, const sim_msg *m)
{
    (void)m;
    *(int *)ctx = sim_run(eng, 100.0);
    return SIM_OK;
}

Test(engine, run_inside_a_handler_is_refused)
{
    sim_engine *eng = make(1, NULL);
    int rc = 0;
    sim_on(eng, 1, on_reenter, &rc);
    at(eng, 1.0, 0, NULL);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(rc, SIM_EBUSY);
    sim_engine_free(eng);
}

Test(engine, unknown_queue_name_lists_the_valid_ones)
{
    sim_engine *eng = NULL;
    sim_err err = {0};
    sim_engine_opts o = {.queue = "splay"};
    cr_assert_eq(sim_engine_new_opts(&o, &eng, &err), SIM_EINVAL);
    cr_assert_null(eng);
    cr_assert(strstr(err.msg, "'splay'") &&
                  strstr(err.msg, "heap4, heap2, calendar, wheel"),
              "got: %s", err.msg);
    sim_engine_free(NULL); /* a no-op */
}

/* ---- holds, sequence wrap and purging
 * ------------------------------------------------- */

typedef struct {
    uint64_t hash;
    uint64_t n, limit;
    sim_rng *rng;
} hold_model;

static void fnv(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        *h ^= c[i];
        *h *= UINT64_C(0x100000001b3);
    }
}

static void trace_hash(void *ctx, sim_time t, uint64_t seq, const sim_msg *m)
{
    uint64_t *h = ctx;
    (void)seq; /* renumbering changes seq, never the order */
    fnv(h, &t, sizeof t);
    fnv(h, &m->kind, sizeof m->kind);
    fnv(h, &m->target, sizeof m->target);
    fnv(h, m->arg, sizeof m->arg);
}

/* Times on a quarter-day grid: with hundreds of events pending, most share
 * their time with others, so their order is decided by sequence numbers. */
static double on_grid(double t)
{
    return ceil(t * 4.0) / 4.0;
}

/* Each event schedules 0, 1 or 2 successors, many at equal times, some
 * cancelled. */
static int on_hold(sim_engine *eng, void *ctx, const sim_msg *m)
{
    hold_model *hm = ctx;
    if (++hm->n >= hm->limit)
        return SIM_OK;
    double u = sim_rng_uniform(hm->rng);
    sim_msg next = {.kind = 1,
                    .target = sim_rng_uniform_int(hm->rng, 64),
                    .arg = {m->arg[0] + 1, hm->n}};
    double d =
        u < 0.2 ? 0.0 : sim_rng_exp_mean(hm->rng, 2.385); /* ties at "now" */
    sim_handle h;
    int rc = sim_schedule_at(eng, on_grid(sim_now(eng) + d), &next, &h);
    if (rc == SIM_OK && u > 0.6)
        rc = sim_schedule_at(
            eng, on_grid(sim_now(eng) + sim_rng_exp_mean(hm->rng, 1.0)), &next,
            NULL);
    if (rc == SIM_OK && u > 0.9)
        rc = sim_cancel(eng, h);
    return rc;
}

static uint64_t run_hold(uint64_t seed, const char *queue, uint64_t limit,
                         uint64_t start_seq)
{
    sim_engine *eng = make(seed, queue);
    sim_err err = {0};
    hold_model hm = {.hash = UINT64_C(0xcbf29ce484222325), .limit = limit};
    hm.rng = sim_engine_rng(eng, "hold", &err);
    cr_assert_not_null(hm.rng, "%s", err.msg);
    sim_on(eng, 1, on_hold, &hm);
    sim_engine_set_trace(eng, trace_hash, &hm.hash);
    if (start_seq)
        sim__engine_set_next_seq(eng, start_seq);
    for (uint32_t i = 0; i < 200; i++) {
        sim_msg m = {.kind = 1, .target = i};
        cr_assert_eq(sim_schedule_at(
                         eng, on_grid(sim_rng_exp_mean(hm.rng, 1.0)), &m, NULL),
                     SIM_OK);
    }
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    uint64_t h = hm.hash;
    sim_engine_free(eng);
    return h;
}

Test(engine, same_seed_gives_an_identical_event_trace)
{
    uint64_t a = run_hold(2385, NULL, 100000, 0);
    uint64_t b = run_hold(2385, NULL, 100000, 0);
    uint64_t c = run_hold(2386, NULL, 100000, 0);
    cr_assert_eq(a, b, "same seed, different traces");
    cr_assert_neq(a, c, "a different seed should change the trace");
}

Test(engine, every_queue_gives_the_same_trace)
{
    uint64_t ref = run_hold(77, "heap4", 100000, 0);
    cr_assert_eq(run_hold(77, "heap2", 100000, 0), ref);
    cr_assert_eq(run_hold(77, "calendar", 100000, 0), ref);
    cr_assert_eq(run_hold(77, "wheel", 100000, 0), ref);
}

Test(engine, ties_decide_the_hold_trace)
{
    /* The trace hashes below only guard tie-breaking if ties occur: count them.
     */
    sim_engine *eng = make(2385, NULL);
    delivery_log l = {.n = 0};
    sim_on(eng, 1, on_log, &l);
    sim_err err = {0};
    sim_rng *r = sim_engine_rng(eng, "hold", &err);
    for (uint32_t i = 0; i < 200; i++)
        at(eng, on_grid(sim_rng_exp_mean(r, 1.0)), i, NULL);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    size_t ties = 0;
    for (size_t i = 1; i < l.n; i++)
        ties += l.t[i] == l.t[i - 1];
    cr_assert_gt(ties, 100u, "only %zu of %zu deliveries tied", ties, l.n);
    sim_engine_free(eng);
}

Test(engine, equal_times_keep_schedule_order_across_the_sequence_wrap)
{
    for (size_t q = 0; q < NQUEUES; q++) {
        sim_engine *eng = make(1, queues[q]);
        delivery_log l = {.n = 0};
        sim_on(eng, 1, on_log, &l);
        at(eng, 1.0, 100, NULL); /* before the wrap, at another time */
        sim__engine_set_next_seq(eng, (UINT64_C(1) << 32) - 3);
        for (uint32_t i = 0; i < 9;
             i++) /* the 3rd of these wraps the counter */
            at(eng, 2.385, i, NULL);
        cr_assert_eq(sim_run(eng, 1.5), SIM_OK);
        for (uint32_t i = 9; i < 12; i++) /* after the renumbering, same time */
            at(eng, 2.385, i, NULL);
        cr_assert_eq(sim_run_all(eng), SIM_OK);
        cr_assert_eq(l.n, 13u);
        cr_assert_eq(l.target[0], 100u);
        for (uint32_t i = 0; i < 12; i++)
            cr_assert_eq(l.target[1 + i], i, "%s: position %u holds %u",
                         queues[q], i + 1, l.target[1 + i]);
        sim_engine_free(eng);
    }
}

Test(engine, sequence_wrap_renumbers_without_changing_the_order)
{
    /* Starting 1000 schedules short of 2^32 forces a renumbering mid-run. */
    uint64_t ref = run_hold(99, NULL, 20000, 0);
    cr_assert_eq(run_hold(99, NULL, 20000, (UINT64_C(1) << 32) - 1000), ref);
    cr_assert_eq(run_hold(99, "calendar", 20000, (UINT64_C(1) << 32) - 1), ref);
    cr_assert_eq(run_hold(99, "wheel", 20000, (UINT64_C(1) << 32) - 1), ref);
}

Test(engine, mass_cancellation_does_not_grow_the_queue)
{
    sim_engine *eng = make(1, NULL);
    delivery_log l = {.n = 0};
    sim_on(eng, 1, on_log, &l);
    sim_handle keep;
    at(eng, 1e6, 0, &keep);
    for (uint32_t i = 0; i < 200000; i++) {
        sim_handle h;
        at(eng, 10.0 + i, i + 1, &h);
        cr_assert_eq(sim_cancel(eng, h), SIM_OK);
    }
    cr_assert_eq(sim_pending(eng), 1u);
    cr_assert_lt(sim__engine_queue_count(eng), 10000u,
                 "cancelled entries were not purged");
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(l.n, 1u);
    cr_assert_eq(l.target[0], 0u);
    sim_engine_free(eng);
}

/* ---- two engines, one process
 * ---------------------------------------------------------- */

Test(engine, two_engines_in_one_process_do_not_interfere)
{
    uint64_t alone_a = run_hold(5, NULL, 50000, 0);
    uint64_t alone_b = run_hold(6, "calendar", 50000, 0);
    /* Now interleave them, a slice of simulated time each. */
    sim_engine *ea = make(5, NULL), *eb = make(6, "calendar");
    sim_err err = {0};
    hold_model ha = {.hash = UINT64_C(0xcbf29ce484222325), .limit = 50000};
    hold_model hb = ha;
    ha.rng = sim_engine_rng(ea, "hold", &err);
    hb.rng = sim_engine_rng(eb, "hold", &err);
    sim_on(ea, 1, on_hold, &ha);
    sim_on(eb, 1, on_hold, &hb);
    sim_engine_set_trace(ea, trace_hash, &ha.hash);
    sim_engine_set_trace(eb, trace_hash, &hb.hash);
    for (uint32_t i = 0; i < 200; i++) {
        sim_msg m = {.kind = 1, .target = i};
        sim_schedule_at(ea, on_grid(sim_rng_exp_mean(ha.rng, 1.0)), &m, NULL);
        sim_schedule_at(eb, on_grid(sim_rng_exp_mean(hb.rng, 1.0)), &m, NULL);
    }
    for (double t = 0.5; sim_pending(ea) + sim_pending(eb) > 0; t += 0.5) {
        cr_assert_eq(sim_run(ea, t), SIM_OK);
        cr_assert_eq(sim_run(eb, t), SIM_OK);
    }
    cr_assert_eq(ha.hash, alone_a);
    cr_assert_eq(hb.hash, alone_b);
    sim_engine_free(ea);
    sim_engine_free(eb);
}

Test(engine, engine_streams_are_cached_per_purpose_and_named_by_the_engine)
{
    sim_engine *a = make(2385, NULL), *b = make(2385, NULL);
    sim_err err = {0};
    sim_rng *a1 = sim_engine_rng(a, "choice", &err);
    cr_assert_eq(sim_engine_rng(a, "choice", &err), a1);
    sim_rng *b_other =
        sim_engine_rng(b, "adoption", &err); /* created first in b */
    sim_rng *b1 = sim_engine_rng(b, "choice", &err);
    cr_assert_neq(b_other, b1);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(sim_rng_uniform(a1), sim_rng_uniform(b1));
    cr_assert_null(sim_engine_rng(a, "", &err));
    cr_assert_eq(err.status, SIM_EINVAL);
    sim_engine_free(a);
    sim_engine_free(b);
}

/* ---- a large hold model: pool growth and reuse under ASan
 * --------------------------------- */

/* A single chain of events: each delivery schedules the next. */
static int on_chain(sim_engine *eng, void *ctx, const sim_msg *m)
{
    uint64_t *left =
        ctx; /* shared by all chains: the first to find it spent stops */
    if (*left == 0 || --*left == 0)
        return SIM_OK;
    sim_msg next = *m;
    return sim_schedule(eng, 0.5, &next, NULL);
}

Test(engine, a_million_events_through_a_small_pool)
{
    /* 100 chains of 10,000 events: never more than 100 pending, so the pool
     * must stay at its first allocation (1024 records) however many events pass
     * through it. */
    sim_engine *eng = make(1, NULL);
    uint64_t left = 1000000;
    sim_on(eng, 1, on_chain, &left);
    for (uint32_t i = 0; i < 100; i++)
        at(eng, 0.01 * i, i, NULL);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(sim_events_handled(eng), 1000099u);
    cr_assert_eq(sim__engine_pool_size(eng), 1024u);
    sim_engine_free(eng);
}

/* ---- purging inside a handler
 * ------------------------------------------------------------ */

typedef struct {
    sim_handle h[10000];
    delivery_log log;
    int mode; /* where the handler schedules: 0 before the survivors, 1 after, 2
                 now */
} purge_model;

static int on_purge(sim_engine *eng, void *ctx, const sim_msg *m)
{
    purge_model *pm = ctx;
    if (m->target != 0) {
        on_log(eng, &pm->log, m);
        return SIM_OK;
    }
    /* Cancel 9,000 of the 10,000 pending events: enough to trigger a purge
     * mid-handler. */
    for (uint32_t i = 0; i < 10000; i++)
        if (i % 10 != 0)
            cr_assert_eq(sim_cancel(eng, pm->h[i]), SIM_OK);
    double t = pm->mode == 0 ? 0.5 : pm->mode == 1 ? 2e4 : 0.0;
    sim_msg x = {.kind = 1, .target = 99999};
    return sim_schedule(eng, t, &x, NULL);
}

Test(engine, purging_inside_a_handler_keeps_order_and_loses_nothing)
{
    for (size_t q = 0; q < NQUEUES; q++)
        for (int mode = 0; mode < 3; mode++) {
            sim_engine *eng = make(1, queues[q]);
            purge_model *pm = calloc(1, sizeof *pm);
            pm->mode = mode;
            sim_on(eng, 1, on_purge, pm);
            at(eng, 1.0, 0, NULL);
            for (uint32_t i = 0; i < 10000; i++)
                at(eng, 2.0 + i, i + 1, &pm->h[i]);
            cr_assert_eq(sim_run_all(eng), SIM_OK);
            cr_assert_lt(sim__engine_queue_count(eng), 1u);
            cr_assert_eq(pm->log.n, 1001u, "%s mode %d: %zu delivered",
                         queues[q], mode, pm->log.n);
            size_t extra = mode == 1 ? 1000 : 0; /* where the new event lands */
            cr_assert_eq(pm->log.target[extra], 99999u, "%s mode %d", queues[q],
                         mode);
            for (size_t i = 1; i < pm->log.n; i++)
                cr_assert_leq(pm->log.t[i - 1], pm->log.t[i]);
            free(pm);
            sim_engine_free(eng);
        }
}

/* ---- out of memory
 * --------------------------------------------------------------------- */

Test(engine, a_failed_pool_growth_schedules_nothing)
{
    sim_engine *eng = make(1, NULL);
    sim__engine_fail_allocs_after(eng, 0);
    sim_msg m = {.kind = 1};
    sim_handle h = 7;
    cr_assert_eq(sim_schedule(eng, 1.0, &m, &h), SIM_ENOMEM);
    cr_assert_eq(h, 7u);
    cr_assert_eq(sim_pending(eng), 0u);
    sim__engine_fail_allocs_after(eng, -1);
    cr_assert_eq(sim_schedule(eng, 1.0, &m, &h), SIM_OK,
                 "recovers when memory returns");
    cr_assert_eq(sim_pending(eng), 1u);
    sim_err err = {0};
    sim__engine_fail_allocs_after(eng, 0);
    cr_assert_null(sim_engine_rng(eng, "adoption", &err));
    cr_assert_eq(err.status, SIM_ENOMEM);
    cr_assert(strstr(err.msg, "adoption"), "got: %s", err.msg);
    sim_engine_free(eng);
}

Test(engine, a_purge_without_scratch_memory_loses_nothing)
{
    sim_engine *eng = make(1, NULL);
    delivery_log *l = calloc(1, sizeof *l);
    sim_on(eng, 1, on_log, l);
    sim_handle h[9000];
    for (uint32_t i = 0; i < 9000; i++)
        at(eng, 1.0 + i, i, &h[i]);
    sim__engine_fail_allocs_after(
        eng, 0); /* every purge attempt fails to get its array */
    for (uint32_t i = 0; i < 9000; i++)
        if (i % 3 != 0)
            cr_assert_eq(sim_cancel(eng, h[i]), SIM_OK, "cancel %u", i);
    cr_assert_eq(sim_pending(eng), 3000u);
    cr_assert_eq(sim__engine_queue_count(eng), 9000u,
                 "no purge could have run");
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(l->n, 3000u);
    for (size_t i = 0; i < l->n; i++)
        cr_assert_eq(l->target[i], 3 * i);
    free(l);
    sim_engine_free(eng);
}

/* A heap4 whose pushes fail once a countdown runs out: the structure-side
 * failure that makes a rebuild lose entries. The countdown is per test
 * (Criterion forks each one). */
static long flaky_pushes_left = -1;

static int flaky_push(void *q, sim_qentry e)
{
    if (flaky_pushes_left == 0)
        return SIM_ENOMEM;
    if (flaky_pushes_left > 0)
        flaky_pushes_left--;
    return sim_queue_heap4.push(q, e);
}

/* Kind 2: schedules 9000 events at times 1, 2, ... from inside the run, so
 * they go to the queue structure (what is scheduled before a run goes to the
 * engine's sorted run, which a rebuild compacts in place). */
typedef struct {
    sim_handle h[9000];
} filler;

static int on_fill(sim_engine *eng, void *ctx, const sim_msg *m)
{
    filler *f = ctx;
    (void)m;
    for (uint32_t i = 0; i < 9000; i++) {
        sim_msg x = {.kind = 1, .target = i};
        cr_assert_eq(sim_schedule_at(eng, 1.0 + i, &x, &f->h[i]), SIM_OK);
    }
    return SIM_OK;
}

Test(engine, a_rebuild_that_loses_entries_breaks_the_engine_for_good)
{
    sim_queue_type flaky = sim_queue_heap4;
    flaky.name = "flaky";
    flaky.push = flaky_push;
    sim_engine *eng = NULL;
    sim_err err = {0};
    sim_engine_opts o = {.seed = 1};
    cr_assert_eq(sim__engine_new_typed(&o, &flaky, &eng, &err), SIM_OK, "%s",
                 err.msg);
    delivery_log *l = calloc(1, sizeof *l);
    filler *f = calloc(1, sizeof *f);
    sim_on(eng, 1, on_log, l);
    sim_on(eng, 2, on_fill, f);
    sim_msg fill = {.kind = 2};
    cr_assert_eq(sim_schedule_at(eng, 0.0, &fill, NULL), SIM_OK);
    cr_assert_eq(sim_run(eng, 0.5), SIM_OK);
    cr_assert_eq(sim_pending(eng), 9000u);
    flaky_pushes_left = 10; /* the purge's re-push will fail after 10 entries */
    int rc = SIM_OK;
    for (uint32_t i = 0; i < 9000 && rc == SIM_OK; i++)
        if (i % 3 != 0)
            rc = sim_cancel(eng, f->h[i]);
    cr_assert_eq(rc, SIM_ENOMEM,
                 "the cancel that triggered the lossy purge reports it");
    flaky_pushes_left = -1;
    sim_msg m = {.kind = 1};
    cr_assert_eq(sim_schedule(eng, 1.0, &m, NULL), SIM_ENOMEM);
    cr_assert_eq(sim_run_all(eng), SIM_ENOMEM);
    cr_assert_eq(l->n, 0u, "a broken engine delivers nothing");
    free(l);
    free(f);
    sim_engine_free(eng);
}

Test(engine, an_absurd_capacity_is_refused_not_attempted)
{
    sim_engine *eng = NULL;
    sim_err err = {0};
    sim_engine_opts o = {.capacity = (size_t)1 << 40};
    cr_assert_eq(sim_engine_new_opts(&o, &eng, &err), SIM_ENOMEM);
    cr_assert_null(eng);
    cr_assert(strstr(err.msg, "out of memory"), "got: %s", err.msg);
}
