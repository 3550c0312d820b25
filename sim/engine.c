/* engine.c -- the event loop, the record pool and cancellation (see engine.h).
 *
 * Layout. A scheduled event is a record in a growable pool (indexed, so growth
 * by realloc is safe: nothing holds a record pointer across a call that may
 * schedule) plus a 16-byte queue entry (time, key) with key = seq << 32 | slot.
 * The sequence number breaks ties between equal times, so the pop order is a
 * total order fixed by the scheduling order alone; it is 32 bits so the entry
 * stays 16 bytes, and on the (rare) wrap the pending entries are renumbered in
 * order, which preserves that order exactly.
 *
 * Holds. Most handlers schedule one event. The loop therefore leaves the event
 * it is delivering at the head of the queue ("top pending"): the first
 * sim_schedule inside the handler replaces it in a single sift-down
 * (replace_min) instead of a pop and a push; if the handler schedules nothing
 * the entry is popped afterwards. Either way the queue is the same as with
 * pop-then-push.
 *
 * Prefetch. At 10^5+ pending events the record of the next event to deliver
 * was written long ago and has left the cache; the heap knows where the next
 * least entry most likely is (the root's least child), so the loop asks for
 * that record while the current handler runs (+43% on PHOLD at 262,144
 * pending events, docs/engine.md).
 *
 * Cancellation is lazy: the record is marked and its entry dropped when it
 * surfaces, O(1). When cancelled entries outnumber live ones the queue is
 * rebuilt without them, so a model that reschedules heavily cannot grow the
 * queue without bound.
 *
 * Handles are (generation << 32 | slot + 1): a slot's generation changes
 * whenever the record is freed, so a stale handle is recognised rather than
 * cancelling a stranger's event.
 */
#include "engine.h"

#include <math.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "queue.h"

enum { REC_FREE, REC_PENDING, REC_CANCELLED, REC_DELIVERING };

typedef struct {
    sim_msg msg;  /* when free, msg.arg[0] links the free list */
    uint32_t gen; /* bumped on free: invalidates old handles */
    uint32_t state;
} rec;

typedef struct {
    sim_handler *fn;
    void *ctx;
} handler_slot;

typedef struct {
    char *purpose; /* owned copy: the lookup key */
    sim_rng *rng;  /* owned */
} named_rng;

/* A hint to load a cache line early; a no-op where the compiler has no such
 * builtin. */
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

#define NO_SLOT   UINT32_MAX
#define SEQ_LIMIT (UINT64_C(1) << 32)
/* Cancelled entries before a purge is worth its O(n log n). */
#define PURGE_MIN 4096

struct sim_engine {
    const sim_queue_type *qt;
    void *q; /* qt's state */
    sim_time now;
    uint64_t next_seq; /* < SEQ_LIMIT */
    uint64_t handled;
    rec *recs;
    uint32_t nrecs, cap; /* records ever used; allocated */
    uint32_t free_head;
    size_t cancelled; /* cancelled entries still in the queue */
    /* The delivering event's entry is still the queue's head. */
    bool top_pending;
    /* SIM_ENOMEM once a rebuild lost entries: every later call fails. */
    int broken;
    /* Tests: engine allocations left before one fails; < 0: never. */
    long fail_after;
    bool running;
    sim_trace_fn *trace;
    void *trace_ctx;
    uint64_t seed;
    uint32_t point, rep;
    named_rng *rngs;
    size_t nrngs;
    handler_slot handlers[SIM_MAX_KINDS];
};

/* The engine's own allocations go through here, so tests can make the n-th one
 * fail. */
static void *engine_realloc(sim_engine *eng, void *p, size_t size)
{
    if (eng->fail_after == 0)
        return NULL;
    if (eng->fail_after > 0)
        eng->fail_after--;
    return realloc(p, size);
}

/* Grows the pool to at least `want` records (at least doubling). */
static int grow_pool(sim_engine *eng, size_t want)
{
    if (eng->cap >= NO_SLOT - 1 || want > NO_SLOT - 1)
        return SIM_ENOMEM;
    size_t cap = eng->cap ? (size_t)eng->cap * 2 : 1024;
    if (cap < want)
        cap = want;
    if (cap > NO_SLOT - 1)
        cap = NO_SLOT - 1;
    rec *r = engine_realloc(eng, eng->recs, cap * sizeof *r);
    if (r == NULL)
        return SIM_ENOMEM;
    eng->recs = r;
    eng->cap = (uint32_t)cap;
    return SIM_OK;
}

static inline int alloc_slot(sim_engine *eng, uint32_t *slot)
{
    if (eng->free_head != NO_SLOT) {
        *slot = eng->free_head;
        eng->free_head = (uint32_t)eng->recs[*slot].msg.arg[0];
        return SIM_OK;
    }
    if (eng->nrecs == eng->cap && grow_pool(eng, 0) != SIM_OK)
        return SIM_ENOMEM;
    *slot = eng->nrecs++;
    eng->recs[*slot].gen = 1;
    return SIM_OK;
}

static inline void free_slot(sim_engine *eng, uint32_t slot)
{
    rec *r = &eng->recs[slot];
    r->state = REC_FREE;
    r->gen++;
    r->msg.arg[0] = eng->free_head;
    eng->free_head = slot;
}

int sim_engine_new(uint64_t seed, uint32_t point, uint32_t rep,
                   sim_engine **out, sim_err *err)
{
    sim_engine_opts o = {.seed = seed, .point = point, .rep = rep};
    return sim__engine_new_typed(&o, sim_queue_default, out, err);
}

int sim_engine_new_opts(const sim_engine_opts *opts, sim_engine **out,
                        sim_err *err)
{
    const sim_queue_type *qt = sim_queue_by_name(opts->queue);
    if (qt == NULL)
        return sim_err_set(err, SIM_EINVAL,
                           "unknown event queue '%s' (expected one of: %s)",
                           opts->queue, sim_queue_names());
    return sim__engine_new_typed(opts, qt, out, err);
}

/* The constructor proper: the public one resolves the queue's name first, tests
 * hand in a structure of their own. opts->queue is not looked at here. */
int sim__engine_new_typed(const sim_engine_opts *opts, const sim_queue_type *qt,
                          sim_engine **out, sim_err *err)
{
    sim_engine *eng = calloc(1, sizeof *eng);
    if (eng == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory creating an engine");
    eng->qt = qt;
    eng->q = aligned_alloc(alignof(max_align_t),
                           (qt->state_size + alignof(max_align_t) - 1) /
                               alignof(max_align_t) * alignof(max_align_t));
    if (eng->q == NULL || qt->init(eng->q, opts->capacity) != SIM_OK) {
        free(eng->q);
        free(eng);
        return sim_err_set(err, SIM_ENOMEM,
                           "out of memory creating an event queue");
    }
    eng->free_head = NO_SLOT;
    eng->fail_after = -1;
    /* Size the pool for the expected peak now, not by doublings in setup. */
    if (opts->capacity > 0 &&
        grow_pool(eng, opts->capacity < NO_SLOT - 1 ? opts->capacity
                                                    : NO_SLOT - 1) != SIM_OK) {
        sim_engine_free(eng);
        return sim_err_set(err, SIM_ENOMEM,
                           "out of memory for %zu pending events",
                           opts->capacity);
    }
    eng->seed = opts->seed;
    eng->point = opts->point;
    eng->rep = opts->rep;
    *out = eng;
    return SIM_OK;
}

void sim_engine_free(sim_engine *eng)
{
    if (eng == NULL)
        return;
    eng->qt->fini(eng->q);
    free(eng->q);
    free(eng->recs);
    for (size_t i = 0; i < eng->nrngs; i++) {
        free(eng->rngs[i].purpose);
        sim_rng_free(eng->rngs[i].rng);
    }
    free(eng->rngs);
    free(eng);
}

int sim_on(sim_engine *eng, uint32_t kind, sim_handler *fn, void *ctx)
{
    if (kind >= SIM_MAX_KINDS)
        return SIM_EINVAL;
    eng->handlers[kind].fn = fn;
    eng->handlers[kind].ctx = ctx;
    return SIM_OK;
}

/* Drains the queue and pushes back the live entries, dropping cancelled ones
 * and, when renumber is set, giving them sequence numbers 0, 1, ... in their
 * current order (which keeps the order itself unchanged). O(n log n); happens
 * once per 2^32 schedules or when cancelled entries dominate. */
static int rebuild(sim_engine *eng, bool renumber)
{
    const sim_queue_type *qt = eng->qt;
    if (eng->top_pending) {
        /* The delivering event leaves the queue now, not after its handler. */
        qt->pop(eng->q);
        eng->top_pending = false;
    }
    size_t n = qt->count(eng->q);
    sim_qentry *tmp = engine_realloc(eng, NULL, (n ? n : 1) * sizeof *tmp);
    if (tmp == NULL)
        return SIM_ENOMEM; /* nothing was lost: the queue is as it was */
    size_t k = 0;
    for (const sim_qentry *e; (e = qt->min(eng->q)) != NULL;) {
        sim_qentry x = *e;
        qt->pop(eng->q);
        uint32_t slot = (uint32_t)x.key;
        if (eng->recs[slot].state == REC_CANCELLED)
            free_slot(eng, slot);
        else
            tmp[k++] = x;
    }
    eng->cancelled = 0;
    int rc = SIM_OK;
    for (size_t i = 0; i < k; i++) {
        if (renumber)
            tmp[i].key = (uint64_t)i << 32 | (uint32_t)tmp[i].key;
        /* A structure that shrank while draining (the calendar) may allocate
         * here. If it cannot, events are lost: the engine is unusable from now
         * on, and says so. */
        if (qt->push(eng->q, tmp[i]) != SIM_OK)
            rc = eng->broken = SIM_ENOMEM;
    }
    if (renumber)
        eng->next_seq = k;
    free(tmp);
    return rc;
}

int sim_schedule_at(sim_engine *eng, sim_time t, const sim_msg *m,
                    sim_handle *h)
{
    if (eng->broken)
        return eng->broken;
    if (!isfinite(t))
        return SIM_EINVAL;
    if (t < eng->now)
        return SIM_EPAST;
    if (m->kind >= SIM_MAX_KINDS)
        return SIM_EINVAL;
    if (eng->next_seq >= SEQ_LIMIT && rebuild(eng, true) != SIM_OK)
        return SIM_ENOMEM;
    uint32_t slot;
    if (alloc_slot(eng, &slot) != SIM_OK)
        return SIM_ENOMEM;
    rec *r = &eng->recs[slot];
    r->msg = *m;
    r->state = REC_PENDING;
    /* + 0.0 turns -0.0 into +0.0, which the queue's integer ordering needs
     * (queue.h). */
    sim_qentry e = {.key = eng->next_seq << 32 | slot, .time = t + 0.0};
    int rc;
    if (eng->top_pending) {
        /* A failed replace_min has still removed the head (its contract), so
         * the delivering event is out of the queue either way. */
        eng->top_pending = false;
        rc = eng->qt->replace_min(eng->q, e);
    } else {
        rc = eng->qt->push(eng->q, e);
    }
    if (rc != SIM_OK) {
        free_slot(eng, slot);
        return SIM_ENOMEM;
    }
    eng->next_seq++;
    if (h != NULL)
        *h = (uint64_t)r->gen << 32 | ((uint64_t)slot + 1);
    return SIM_OK;
}

int sim_schedule(sim_engine *eng, sim_time delay, const sim_msg *m,
                 sim_handle *h)
{
    if (!isfinite(delay))
        return SIM_EINVAL;
    if (delay < 0)
        return SIM_EPAST;
    return sim_schedule_at(eng, eng->now + delay, m, h);
}

int sim_cancel(sim_engine *eng, sim_handle h)
{
    uint64_t low = h & 0xffffffffu;
    if (low == 0 || low > eng->nrecs)
        return SIM_ESTALE;
    uint32_t slot = (uint32_t)(low - 1);
    rec *r = &eng->recs[slot];
    if (r->gen != (uint32_t)(h >> 32) || r->state != REC_PENDING)
        return SIM_ESTALE;
    r->state = REC_CANCELLED;
    eng->cancelled++;
    /* A purge that cannot get its scratch memory loses nothing (the cancelled
     * entries stay until they surface), so only a lost entry makes this cancel
     * fail. */
    if (eng->cancelled >= PURGE_MIN &&
        eng->cancelled > eng->qt->count(eng->q) / 2)
        rebuild(eng, false);
    return eng->broken;
}

int sim_run(sim_engine *eng, sim_time until)
{
    if (eng->running)
        return SIM_EBUSY;
    if (eng->broken)
        return eng->broken;
    if (isnan(until) || until < eng->now)
        return SIM_EINVAL;
    eng->running = true;
    const sim_queue_type *qt = eng->qt;
    void *q = eng->q;
    int rc = SIM_OK;
    for (const sim_qentry *top; (top = qt->min(q)) != NULL;) {
        uint32_t slot = (uint32_t)top->key;
        rec *r = &eng->recs[slot];
        if (r->state == REC_CANCELLED) {
            qt->pop(q);
            eng->cancelled--;
            free_slot(eng, slot);
            continue;
        }
        if (top->time > until)
            break;
        eng->now = top->time;
        sim_msg m = r->msg; /* a copy: the handler may grow (move) the pool */
        const handler_slot *hs = &eng->handlers[m.kind];
        if (hs->fn == NULL) {
            /* Dropped, not delivered: neither traced nor counted. */
            qt->pop(q);
            free_slot(eng, slot);
            rc = SIM_ENOHANDLER;
            break;
        }
        r->state = REC_DELIVERING;
        /* The next event's record was scheduled long ago and is likely out of
         * cache; start loading it now so the miss overlaps this handler. */
        if (qt->next_hint != NULL) {
            const sim_qentry *nx = qt->next_hint(q);
            if (nx != NULL)
                PREFETCH(&eng->recs[(uint32_t)nx->key]);
        }
        if (eng->trace != NULL)
            eng->trace(eng->trace_ctx, eng->now, top->key >> 32, &m);
        eng->top_pending = true;
        int hrc = hs->fn(eng, hs->ctx, &m);
        if (eng->top_pending) {
            qt->pop(q);
            eng->top_pending = false;
        }
        free_slot(eng, slot);
        eng->handled++;
        if (hrc != SIM_OK) {
            rc = hrc;
            break;
        }
    }
    if (rc == SIM_OK && isfinite(until))
        eng->now = until;
    eng->running = false;
    return rc;
}

int sim_run_all(sim_engine *eng)
{
    return sim_run(eng, HUGE_VAL);
}

sim_time sim_now(const sim_engine *eng)
{
    return eng->now;
}

size_t sim_pending(const sim_engine *eng)
{
    return eng->qt->count(eng->q) - eng->cancelled - (eng->top_pending ? 1 : 0);
}

uint64_t sim_events_handled(const sim_engine *eng)
{
    return eng->handled;
}

const char *sim_engine_queue_name(const sim_engine *eng)
{
    return eng->qt->name;
}

sim_rng *sim_engine_rng(sim_engine *eng, const char *purpose, sim_err *err)
{
    if (purpose == NULL || purpose[0] == '\0') {
        sim_err_set(err, SIM_EINVAL,
                    "random stream purpose must be a non-empty name");
        return NULL;
    }
    for (size_t i = 0; i < eng->nrngs; i++)
        if (strcmp(eng->rngs[i].purpose, purpose) == 0)
            return eng->rngs[i].rng;
    named_rng *grown =
        engine_realloc(eng, eng->rngs, (eng->nrngs + 1) * sizeof *grown);
    if (grown == NULL) {
        sim_err_set(err, SIM_ENOMEM, "out of memory for random stream '%s'",
                    purpose);
        return NULL;
    }
    eng->rngs = grown;
    size_t len = strlen(purpose) + 1;
    char *copy = malloc(len);
    sim_rng *r = NULL;
    if (copy == NULL || sim_rng_new(eng->seed, eng->point, eng->rep, purpose,
                                    NULL, &r, err) != SIM_OK) {
        free(copy);
        sim_err_set(err, SIM_ENOMEM, "out of memory for random stream '%s'",
                    purpose);
        return NULL;
    }
    memcpy(copy, purpose, len);
    eng->rngs[eng->nrngs].purpose = copy;
    eng->rngs[eng->nrngs].rng = r;
    eng->nrngs++;
    return r;
}

void sim_engine_set_trace(sim_engine *eng, sim_trace_fn *fn, void *ctx)
{
    eng->trace = fn;
    eng->trace_ctx = ctx;
}

void sim__engine_set_next_seq(sim_engine *eng, uint64_t seq)
{
    eng->next_seq = seq;
}

size_t sim__engine_queue_count(const sim_engine *eng)
{
    return eng->qt->count(eng->q);
}

size_t sim__engine_pool_size(const sim_engine *eng)
{
    return eng->cap;
}

void sim__engine_fail_allocs_after(sim_engine *eng, long n)
{
    eng->fail_after = n;
}
