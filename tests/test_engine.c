/* test_engine.c -- the event loop: ordering, cancellation, run modes, errors, determinism. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine.h"
#include "internal.h"
#include "queue.h"

static const char *const queues[] = {"heap4", "heap2", "calendar"};
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
} log_t;

static int on_log(sim_engine *eng, void *ctx, const sim_msg *m)
{
    log_t *l = ctx;
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
        log_t l = {.n = 0};
        sim_on(eng, 1, on_log, &l);
        /* Interleave two times so insertion order differs from any sorted order of keys. */
        for (uint32_t i = 0; i < 1000; i++)
            at(eng, i % 2 ? 2.385 : 1.5, i, NULL);
        cr_assert_eq(sim_run_all(eng), SIM_OK);
        cr_assert_eq(l.n, 1000u);
        for (size_t i = 0; i < 500; i++) {
            cr_assert_eq(l.target[i], 2 * i, "%s: position %zu", queues[q], i);
            cr_assert_eq(l.target[500 + i], 2 * i + 1, "%s: position %zu", queues[q], 500 + i);
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
        log_t l = {.n = 0};
        sim_on(eng, 1, on_log, &l);
        for (uint32_t i = 0; i < 4000; i++)
            at(eng, 1000.0 * gsl_rng_uniform(r), i, NULL);
        cr_assert_eq(sim_run_all(eng), SIM_OK);
        cr_assert_eq(l.n, 4000u);
        for (size_t i = 1; i < l.n; i++)
            cr_assert_leq(l.t[i - 1], l.t[i], "%s: out of order at %zu", queues[q], i);
        sim_engine_free(eng);
    }
    gsl_rng_free(r);
}

Test(engine, cancelled_event_is_never_delivered)
{
    for (size_t q = 0; q < NQUEUES; q++) {
        sim_engine *eng = make(1, queues[q]);
        log_t l = {.n = 0};
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
        cr_assert_eq(sim_cancel(eng, h[5]), SIM_ESTALE, "cancelling a delivered event");
        cr_assert_eq(sim_pending(eng), 0u);
        sim_engine_free(eng);
    }
}

Test(engine, stale_handle_does_not_cancel_the_slot_reuser)
{
    sim_engine *eng = make(1, NULL);
    log_t l = {.n = 0};
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
    log_t l = {.n = 0};
    sim_on(eng, 1, on_log, &l);
    at(eng, 1.0, 1, NULL);
    at(eng, 2.0, 2, NULL);
    at(eng, 3.5, 3, NULL);
    cr_assert_eq(sim_run(eng, 2.0), SIM_OK);
    cr_assert_eq(l.n, 2u);
    cr_assert_eq(sim_now(eng), 2.0);
    cr_assert_eq(sim_run(eng, 3.0), SIM_OK);
    cr_assert_eq(l.n, 2u);
    cr_assert_eq(sim_now(eng), 3.0, "the clock moves to until even without events");
    cr_assert_eq(sim_run(eng, 1.0), SIM_EINVAL, "until before now");
    cr_assert_eq(sim_run(eng, (double)NAN), SIM_EINVAL);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(l.n, 3u);
    cr_assert_eq(sim_now(eng), 3.5, "run_all leaves the clock at the last event");
    sim_engine_free(eng);
}

Test(engine, handler_stop_returns_its_status_and_a_later_run_resumes)
{
    sim_engine *eng = make(1, NULL);
    log_t l = {.n = 0};
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
    log_t l = {.n = 0};
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
    cr_assert_eq(sim_schedule(eng, -0.0, &m, NULL), SIM_OK, "-0.0 is now, not the past");
    cr_assert_eq(sim_schedule(eng, 0.0, &m, NULL), SIM_OK);
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(l.n, 3u);
    cr_assert_eq(sim_now(eng), 5.0);
    cr_assert_str_eq(sim_strerror(SIM_EPAST), "event scheduled before the current time");
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
    cr_assert_eq(sim_pending(eng), 0u, "the orphan event is dropped, not retried forever");
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
    cr_assert(strstr(err.msg, "'splay'") && strstr(err.msg, "heap4, heap2, calendar"), "got: %s",
              err.msg);
    sim_engine_free(NULL); /* a no-op */
}

/* ---- holds, sequence wrap and purging ------------------------------------------------- */

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

/* Each event schedules 0, 1 or 2 successors, some at equal times, some cancelled. */
static int on_hold(sim_engine *eng, void *ctx, const sim_msg *m)
{
    hold_model *hm = ctx;
    if (++hm->n >= hm->limit)
        return SIM_OK;
    double u = sim_rng_uniform(hm->rng);
    sim_msg next = {
        .kind = 1, .target = sim_rng_uniform_int(hm->rng, 64), .arg = {m->arg[0] + 1, hm->n}};
    double d = u < 0.2 ? 0.0 : sim_rng_exp_mean(hm->rng, 2.385); /* ties at "now" */
    sim_handle h;
    int rc = sim_schedule(eng, d, &next, &h);
    if (rc == SIM_OK && u > 0.6)
        rc = sim_schedule(eng, sim_rng_exp_mean(hm->rng, 1.0), &next, NULL);
    if (rc == SIM_OK && u > 0.9)
        rc = sim_cancel(eng, h);
    return rc;
}

static uint64_t run_hold(uint64_t seed, const char *queue, uint64_t limit, uint64_t start_seq)
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
        cr_assert_eq(sim_schedule(eng, sim_rng_exp_mean(hm.rng, 1.0), &m, NULL), SIM_OK);
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
}

Test(engine, sequence_wrap_renumbers_without_changing_the_order)
{
    /* Starting 1000 schedules short of 2^32 forces a renumbering mid-run. */
    uint64_t ref = run_hold(99, NULL, 20000, 0);
    cr_assert_eq(run_hold(99, NULL, 20000, (UINT64_C(1) << 32) - 1000), ref);
    cr_assert_eq(run_hold(99, "calendar", 20000, (UINT64_C(1) << 32) - 1), ref);
}

Test(engine, mass_cancellation_does_not_grow_the_queue)
{
    sim_engine *eng = make(1, NULL);
    log_t l = {.n = 0};
    sim_on(eng, 1, on_log, &l);
    sim_handle keep;
    at(eng, 1e6, 0, &keep);
    for (uint32_t i = 0; i < 200000; i++) {
        sim_handle h;
        at(eng, 10.0 + i, i + 1, &h);
        cr_assert_eq(sim_cancel(eng, h), SIM_OK);
    }
    cr_assert_eq(sim_pending(eng), 1u);
    cr_assert_lt(sim__engine_queue_count(eng), 10000u, "cancelled entries were not purged");
    cr_assert_eq(sim_run_all(eng), SIM_OK);
    cr_assert_eq(l.n, 1u);
    cr_assert_eq(l.target[0], 0u);
    sim_engine_free(eng);
}

/* ---- two engines, one process ---------------------------------------------------------- */

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
        sim_schedule(ea, sim_rng_exp_mean(ha.rng, 1.0), &m, NULL);
        sim_schedule(eb, sim_rng_exp_mean(hb.rng, 1.0), &m, NULL);
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
    sim_rng *b_other = sim_engine_rng(b, "adoption", &err); /* created first in b */
    sim_rng *b1 = sim_engine_rng(b, "choice", &err);
    cr_assert_neq(b_other, b1);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(sim_rng_uniform(a1), sim_rng_uniform(b1));
    cr_assert_null(sim_engine_rng(a, "", &err));
    cr_assert_eq(err.status, SIM_EINVAL);
    sim_engine_free(a);
    sim_engine_free(b);
}

/* ---- a large hold model: pool growth and reuse under ASan --------------------------------- */

Test(engine, a_million_events_through_a_small_pool)
{
    uint64_t h = run_hold(1, NULL, 1000000, 0);
    cr_assert_neq(h, 0u);
}
