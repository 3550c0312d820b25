/* engine.c -- the event loop, the record pool, cancellation and the pending
 * set: queue structure, lanes and look-ahead window (see engine.h).
 *
 * Layout. A scheduled event is a record in a growable pool (indexed, so growth
 * is safe: nothing holds a record pointer across a call that may schedule)
 * plus a 16-byte queue entry (time, key) with key = seq << 32 | slot. The
 * sequence number breaks ties between equal times, so the delivery order is a
 * total order fixed by the scheduling order alone; it is 32 bits so the entry
 * stays 16 bytes, and on the (rare) wrap the pending entries are renumbered in
 * order, which preserves that order exactly. A record remembers the sequence
 * number of its entry: an entry whose number its record does not carry is
 * stale (its event was cancelled), which lets a cancel free the record at once
 * while the entry is dropped whenever it surfaces.
 *
 * Where a pending entry lives. Four places, every one ordered by (time, key),
 * and delivery always takes the least entry of all of them, so the order is
 * exactly that of one priority queue holding everything:
 *  - the sorted run: whatever is scheduled while the engine is not running
 *    (a model's setup: a million initial contracts) is collected unsorted and
 *    sorted once when sim_run starts, then consumed front to back. A heap
 *    would sift each of those entries through log n cache lines instead;
 *  - lanes: a delay that repeats (the engine counts the delays sim_schedule
 *    sees, or the model declares one) gets a FIFO. Events scheduled at now + d
 *    for one d arrive in (time, sequence) order, because now never decreases
 *    and rounding is monotone, so the FIFO is sorted without any work: O(1)
 *    where the heap costs a sift through log n cache lines;
 *  - the queue structure (heap4 by default) for everything else;
 *  - the window: the next few entries to deliver, already taken out of the
 *    other two in order. Knowing them early is what makes prefetching exact:
 *    an entry's record is fetched when it enters the window and the model's
 *    state for its target (sim_prefetch_targets) a few deliveries later, so
 *    both misses overlap the handlers before it. Invariant: the window is
 *    sorted and its last entry precedes every lane and queue entry; a new
 *    event that would go before that last entry is inserted into the window.
 *
 * Holds. Most handlers schedule one event while the window is one short of
 * full (its front was just delivered). That schedule tops the window up from
 * the heap and puts the new entry in the heap in a single sift-down
 * (replace_min) instead of a pop and a push.
 *
 * Direct delivery. The window's bookkeeping costs some 60 instructions an
 * event and only pays when there is something to hide or merge. With no lane
 * or run entries and a pending set small enough for the cache (below
 * WIN_OFF entries) the loop delivers the heap's top directly, leaving it at
 * the head while the handler runs so that the handler's first schedule
 * replaces it in one sift-down; it goes back to the window once a lane or the
 * run has entries again or the set reaches WIN_ON. Both loops deliver the
 * least entry of all, so switching changes no order.
 *
 * Cancellation is O(1): the record is freed, so its handle goes stale, and the
 * entry is dropped when it reaches the front. When stale entries pass a
 * quarter of the live ones everything is compacted, so a model that
 * reschedules heavily cannot grow the pending set without bound.
 *
 * Handles are (generation << 32 | slot + 1): a slot's generation changes
 * whenever the record is freed, so a stale handle is recognised rather than
 * cancelling a stranger's event.
 */
#include "engine.h"

#include <assert.h>
#include <math.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "heap_impl.h"
#include "internal.h"
#include "mem.h"
#include "queue.h"

typedef struct {
    sim_msg msg;  /* when free, msg.arg[0] links the free list */
    uint32_t gen; /* bumped on free: invalidates old handles */
    uint32_t seq; /* its entry's sequence number while pending; else below */
} rec;

/* rec.seq of a record that is not pending. Sequence numbers stay below both. */
#define SEQ_FREE       UINT32_MAX
#define SEQ_DELIVERING (UINT32_MAX - 1)
#define SEQ_LIMIT      ((uint64_t)SEQ_DELIVERING)

typedef struct {
    sim_handler *fn;
    void *ctx;
    const char *tbase; /* sim_prefetch_targets: target t at tbase + t * tsize */
    size_t tsize, tcount;
    size_t tspan;      /* bytes prefetched from there (sim_prefetch_span) */
    uint32_t nalso;    /* sim_prefetch_also: more arrays, element t / per */
    struct {
        const char *base;
        size_t size;
        uint32_t per;
    } also[SIM_PREFETCH_ALSO_MAX];
} handler_slot;

typedef struct {
    char *purpose; /* owned copy: the lookup key */
    sim_rng *rng;  /* owned */
} named_rng;

#define NO_SLOT UINT32_MAX
/* Compaction: when stale entries number at least PURGE_MIN and more than a
 * quarter of the live ones (PURGE_SHARE), which bounds what cancelled events
 * cost (sim_engine_bytes_per_event) at little work: each compaction removes
 * a fifth of the entries or more. */
#define PURGE_MIN   4096
#define PURGE_SHARE 4

/* ---- lanes: FIFOs of entries in 64 KiB blocks ---------------------------
 *
 * Blocks rather than one ring buffer: a lane holding a million contract
 * renewals grows without a copy and never reserves twice what it holds, and
 * a lane that drains gives its blocks back. */
#define LANE_BLOCK 4095 /* entries: with the header, a block is 64 KiB */
#define LANES_MAX  8    /* lanes an engine keeps; delays past them use the heap */
#define SPARES_MAX 8    /* empty blocks kept for reuse, engine-wide */

typedef struct lane_block {
    struct lane_block *next;
    uint64_t pad; /* keeps e[] 16-byte aligned */
    sim_qentry e[LANE_BLOCK];
} lane_block;

typedef struct {
    uint64_t bits;          /* the delay (days) as a bit pattern */
    lane_block *head, *tail; /* NULL until the first push */
    uint32_t hpos, tpos;    /* first entry in head; next free slot in tail */
    size_t n;
    sim_qentry last; /* the last entry pushed: a lane only ever grows */
} lane;

/* Detection: a delay is given a lane once sim_schedule has seen it this many
 * times, counted in a small direct-mapped table (a collision restarts the
 * count; random delays never reach it). */
#define DETECT_SLOTS 64
#define DETECT_HITS  32

/* The look-ahead window: WIN_FILL entries ahead when the sources allow, at
 * most WIN_CAP (events scheduled into it push it past WIN_FILL). A target is
 * prefetched when its entry is WIN_TARGET deliveries from the front, by which
 * time the record that names the target has arrived. */
#define WIN_CAP    32
#define WIN_FILL   8
#define WIN_TARGET 4
/* Direct delivery below WIN_OFF entries, the window from WIN_ON (hysteresis,
 * so a pending set near one size does not flip between the loops). Measured
 * on PHOLD: the window already paid at 16,384 pending events (B: 5.86
 * against 5.30 M events per CPU second), direct delivery at 1,024 (A). */
#define WIN_ON  8192
#define WIN_OFF 4096
/* run_direct and run_window return this to hand over to the other. */
#define SWITCH_LOOP 2

enum { SRC_NONE = -3, SRC_RUN = -2, SRC_HEAP = -1 }; /* else a lane index */

/* The sorted run: a[pos, sorted) in order, then a[sorted, n) appended since
 * (unsorted until the next sim_run). Consumed pages are handed back as the
 * run drains (RUN_DISCARD entries, 2 MiB, at a time). */
typedef struct {
    sim_qentry *a;
    size_t pos, sorted, n, cap;
    size_t discarded; /* a[0, discarded) given back to the system */
} run;
#define RUN_DISCARD (SIM_MEM_HUGE_MIN / sizeof(sim_qentry))

struct sim_engine {
    const sim_queue_type *qt;
    void *q; /* qt's state */
    sim_time now;
    uint64_t next_seq; /* < SEQ_LIMIT */
    uint64_t handled;
    rec *recs;
    uint32_t nrecs, cap; /* records ever used; allocated */
    uint32_t free_head;
    size_t stale;       /* entries of cancelled events still held */
    size_t lane_total;  /* entries in all lanes */
    run run;
    uint32_t wh, wn;    /* window: first entry, entries */
    uint32_t nlanes;
    int mode;           /* SIM_MODE_* */
    size_t capacity;    /* sim_engine_opts.capacity: sizes the run */
    /* A helper thread faulting in the pool's first prefault records until
     * sim_run (mem.h); stopped before the pool moves. */
    sim_mem_prefault *pool_pf;
    /* SIM_ENOMEM once a rebuild lost entries: every later call fails. */
    int broken;
    /* Tests: engine allocations left before one fails; < 0: never. */
    long fail_after;
    bool running;
    bool h4;          /* the queue is heap4: its operations are inlined */
    bool direct;      /* sim_run is delivering the heap's top directly */
    bool top_pending; /* direct: the delivering event is still the top */
    uint64_t switches; /* between the two loops (tests) */
    bool targets; /* some kind has a target prefetch hint */
    sim_trace_fn *trace;
    void *trace_ctx;
    uint64_t seed;
    uint32_t point, rep;
    named_rng *rngs;
    size_t nrngs;
    lane_block *spares;
    size_t nspares;
    sim_qentry win[WIN_CAP];
    lane lanes[LANES_MAX];
    struct {
        uint64_t bits;
        uint32_t hits;
    } detect[DETECT_SLOTS];
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

static inline uint64_t time_bits(double t)
{
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    return b;
}

static inline bool entry_stale(const sim_engine *eng, sim_qentry e)
{
    return eng->recs[(uint32_t)e.key].seq != (uint32_t)(e.key >> 32);
}

/* The queue's operations: heap4's inlined when it is the queue (the
 * default; heap_impl.h), the type object's otherwise. */
static SIM__ALWAYS_INLINE int q_push(sim_engine *eng, sim_qentry e)
{
    return eng->h4 ? heap_push(eng->q, 4, e) : eng->qt->push(eng->q, e);
}

static SIM__ALWAYS_INLINE const sim_qentry *q_min(sim_engine *eng)
{
    return eng->h4 ? heap_min(eng->q, 4) : eng->qt->min(eng->q);
}

static SIM__ALWAYS_INLINE void q_pop(sim_engine *eng)
{
    if (eng->h4)
        heap_pop(eng->q, 4);
    else
        eng->qt->pop(eng->q);
}

static SIM__ALWAYS_INLINE int q_replace_min(sim_engine *eng, sim_qentry e)
{
    return eng->h4 ? heap_replace(eng->q, 4, e)
                   : eng->qt->replace_min(eng->q, e);
}

/* ---- the record pool ---------------------------------------------------- */

/* A large array (sim_mem_alloc: huge pages), under the same test hook. */
static void *engine_mem_alloc(sim_engine *eng, size_t size)
{
    if (eng->fail_after == 0)
        return NULL;
    if (eng->fail_after > 0)
        eng->fail_after--;
    return sim_mem_alloc(size);
}

/* The pool's helper thread: stopped when set-up is over (sim_run), the pool
 * moves (grow_pool) or the engine goes. */
static void prefault_stop(sim_engine *eng)
{
    sim_mem_prefault_stop(eng->pool_pf);
    eng->pool_pf = NULL;
}

/* Grows the pool to at least `want` records (at least doubling). The pool is
 * one of the large arrays (32 bytes an event), so it comes from sim_mem_alloc
 * for huge pages; growth copies, which geometric growth amortises. */
static int grow_pool(sim_engine *eng, size_t want)
{
    if (eng->cap >= NO_SLOT - 1 || want > NO_SLOT - 1)
        return SIM_ENOMEM;
    size_t cap = eng->cap ? (size_t)eng->cap * 2 : 1024;
    if (cap < want)
        cap = want;
    if (cap > NO_SLOT - 1)
        cap = NO_SLOT - 1;
    rec *r = engine_mem_alloc(eng, cap * sizeof *r);
    if (r == NULL)
        return SIM_ENOMEM;
    if (eng->recs != NULL)
        memcpy(r, eng->recs, (size_t)eng->nrecs * sizeof *r);
    prefault_stop(eng); /* before the pool it faults in goes */
    free(eng->recs);
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
    r->seq = SEQ_FREE;
    r->gen++;
    r->msg.arg[0] = eng->free_head;
    eng->free_head = slot;
}

/* ---- lanes -------------------------------------------------------------- */

static lane_block *block_get(sim_engine *eng)
{
    lane_block *b = eng->spares;
    if (b != NULL) {
        eng->spares = b->next;
        eng->nspares--;
    } else if ((b = engine_realloc(eng, NULL, sizeof *b)) == NULL) {
        return NULL;
    }
    b->next = NULL;
    return b;
}

static void block_put(sim_engine *eng, lane_block *b)
{
    if (eng->nspares >= SPARES_MAX) {
        free(b);
        return;
    }
    b->next = eng->spares;
    eng->spares = b;
    eng->nspares++;
}

static inline const sim_qentry *lane_head(const lane *l)
{
    return &l->head->e[l->hpos];
}

/* SIM_ENOMEM when a new block was needed and none could be had; the caller
 * then puts the entry in the heap, which orders it just as well. */
static inline int lane_push(sim_engine *eng, lane *l, sim_qentry e)
{
    if (l->tail == NULL || l->tpos == LANE_BLOCK) {
        lane_block *b = block_get(eng);
        if (b == NULL)
            return SIM_ENOMEM;
        if (l->tail == NULL)
            l->head = b;
        else
            l->tail->next = b;
        l->tail = b;
        l->tpos = 0;
    }
    assert(!sim_qentry_less(e, l->last));
    l->last = e;
    l->tail->e[l->tpos++] = e;
    l->n++;
    eng->lane_total++;
    return SIM_OK;
}

static inline void lane_pop(sim_engine *eng, lane *l)
{
    assert(l->n > 0);
    eng->lane_total--;
    if (--l->n == 0) {
        assert(l->head == l->tail);
        l->hpos = l->tpos = 0; /* start the one block over */
    } else if (++l->hpos == LANE_BLOCK) {
        lane_block *b = l->head;
        l->head = b->next;
        l->hpos = 0;
        block_put(eng, b);
    }
}

/* Cursor over a lane's entries in order. */
typedef struct {
    lane_block *b;
    uint32_t pos;
    size_t left;
} lane_cursor;

static lane_cursor lane_begin(const lane *l)
{
    return (lane_cursor){l->head, l->hpos, l->n};
}

static sim_qentry *cursor_at(lane_cursor *c)
{
    if (c->pos == LANE_BLOCK) {
        c->b = c->b->next;
        c->pos = 0;
    }
    return &c->b->e[c->pos];
}

/* Drops the lane's stale entries, keeping the order, and gives back the
 * blocks that empties. */
static void lane_compact(sim_engine *eng, lane *l)
{
    if (l->n == 0)
        return;
    lane_cursor rd = lane_begin(l), wr = rd;
    size_t kept = 0;
    for (; rd.left > 0; rd.left--, rd.pos++) {
        sim_qentry e = *cursor_at(&rd);
        if (entry_stale(eng, e)) {
            eng->stale--;
            continue;
        }
        *cursor_at(&wr) = e;
        wr.pos++;
        kept++;
    }
    eng->lane_total -= l->n - kept;
    l->n = kept;
    if (kept == 0) {
        wr.b = l->head;
        l->hpos = wr.pos = 0;
    }
    lane_block *rest = wr.b->next;
    wr.b->next = NULL;
    l->tail = wr.b;
    l->tpos = wr.pos;
    while (rest != NULL) {
        lane_block *nx = rest->next;
        block_put(eng, rest);
        rest = nx;
    }
}

static void lane_free(lane *l)
{
    for (lane_block *b = l->head; b != NULL;) {
        lane_block *nx = b->next;
        free(b);
        b = nx;
    }
    l->head = l->tail = NULL;
    l->n = 0;
}

/* The lane for a delay, creating it when the delay has repeated enough;
 * SRC_HEAP when it has none. */
static inline int lane_for(sim_engine *eng, double delay)
{
    if (eng->mode >= SIM_MODE_NO_LANES)
        return SRC_HEAP;
    uint64_t b = time_bits(delay);
    for (uint32_t l = 0; l < eng->nlanes; l++)
        if (eng->lanes[l].bits == b)
            return (int)l;
    if (eng->mode != SIM_MODE_AUTO || eng->nlanes == LANES_MAX)
        return SRC_HEAP;
    /* Fibonacci hashing of the bit pattern. */
    size_t k = (size_t)((b * UINT64_C(0x9e3779b97f4a7c15)) >> 58);
    if (eng->detect[k].bits != b) {
        eng->detect[k].bits = b;
        eng->detect[k].hits = 1;
        return SRC_HEAP;
    }
    if (++eng->detect[k].hits < DETECT_HITS)
        return SRC_HEAP;
    eng->detect[k].hits = 0;
    eng->lanes[eng->nlanes].bits = b;
    return (int)eng->nlanes++;
}

/* ---- the sorted run ------------------------------------------------------ */

static inline size_t run_count(const run *r)
{
    return r->n - r->pos;
}

static void run_reset(run *r)
{
    /* A drained run gives its memory back: it is mostly a set-up batch. */
    free(r->a);
    *r = (run){0};
}

/* Appends e (not running: sorted when the run starts). SIM_ENOMEM when the
 * array cannot grow; the caller then uses the heap. */
static int run_append(sim_engine *eng, sim_qentry e)
{
    run *r = &eng->run;
    if (r->n == r->cap) {
        size_t live = r->n - r->pos;
        size_t cap = r->cap ? 2 * live + 1024 : eng->capacity;
        if (cap < 4096)
            cap = 4096;
        if (cap > SIZE_MAX / sizeof *r->a)
            return SIM_ENOMEM;
        sim_qentry *a = engine_mem_alloc(eng, cap * sizeof *a);
        if (a == NULL)
            return SIM_ENOMEM;
        if (live > 0)
            memcpy(a, r->a + r->pos, live * sizeof *a);
        free(r->a);
        r->a = a;
        r->sorted = r->sorted > r->pos ? r->sorted - r->pos : 0;
        r->n = live;
        r->pos = r->discarded = 0;
        r->cap = cap;
    }
    r->a[r->n++] = e;
    return SIM_OK;
}

static inline void run_pop(sim_engine *eng)
{
    run *r = &eng->run;
    if (++r->pos == r->n) {
        run_reset(r);
    } else if (r->pos - r->discarded >= 2 * RUN_DISCARD) {
        size_t upto = r->pos - RUN_DISCARD;
        sim_mem_discard(r->a + r->discarded,
                        (upto - r->discarded) * sizeof *r->a);
        r->discarded = upto;
    }
}

/* Sorts what was appended since the last run, and merges it with what is
 * left of the sorted part. SIM_ENOMEM (nothing lost, nothing changed) when
 * that merge cannot get its array. */
static int run_prepare(sim_engine *eng)
{
    run *r = &eng->run;
    if (r->sorted == r->n)
        return SIM_OK;
    sim__sort_entries(r->a + r->sorted, r->n - r->sorted);
    if (r->pos == r->sorted) {
        r->sorted = r->n;
        return SIM_OK;
    }
    /* Two sorted ranges, [pos, sorted) and [sorted, n): merge into a new
     * array (only a model that schedules between sim_run calls gets here). */
    size_t live = r->n - r->pos;
    sim_qentry *a = engine_mem_alloc(eng, live * sizeof *a);
    if (a == NULL)
        return SIM_ENOMEM;
    size_t i = r->pos, j = r->sorted, k = 0;
    while (i < r->sorted && j < r->n)
        a[k++] = sim_qentry_less(r->a[j], r->a[i]) ? r->a[j++] : r->a[i++];
    while (i < r->sorted)
        a[k++] = r->a[i++];
    while (j < r->n)
        a[k++] = r->a[j++];
    free(r->a);
    *r = (run){.a = a, .sorted = live, .n = live, .cap = live};
    return SIM_OK;
}

/* Drops the run's stale entries, keeping the order (the run is sorted). */
static void run_compact(sim_engine *eng)
{
    run *r = &eng->run;
    size_t w = r->pos;
    for (size_t i = r->pos; i < r->n; i++) {
        if (entry_stale(eng, r->a[i]))
            eng->stale--;
        else
            r->a[w++] = r->a[i];
    }
    r->n = r->sorted = w;
    if (r->pos == r->n)
        run_reset(r);
}

/* ---- the window --------------------------------------------------------- */

static inline sim_qentry *win_at(sim_engine *eng, uint32_t i)
{
    return &eng->win[(eng->wh + i) & (WIN_CAP - 1)];
}

static inline void win_append(sim_engine *eng, sim_qentry e)
{
    assert(eng->wn < WIN_CAP);
    *win_at(eng, eng->wn++) = e;
    sim_prefetch(&eng->recs[(uint32_t)e.key]);
}

/* Inserts e in order; e precedes the last entry and the window has room. */
static void win_insert(sim_engine *eng, sim_qentry e)
{
    assert(eng->wn < WIN_CAP);
    uint32_t j = eng->wn++;
    while (j > 0 && sim_qentry_less(e, *win_at(eng, j - 1))) {
        *win_at(eng, j) = *win_at(eng, j - 1);
        j--;
    }
    *win_at(eng, j) = e;
}

static inline void win_pop(sim_engine *eng)
{
    eng->wh = (eng->wh + 1) & (WIN_CAP - 1);
    eng->wn--;
}

/* The least entry outside the window and where it is. */
static inline int source_min(sim_engine *eng, const sim_qentry **out)
{
    const sim_qentry *best = q_min(eng);
    int src = best != NULL ? SRC_HEAP : SRC_NONE;
    *out = best;
    if (eng->nlanes == 0 && eng->run.pos == eng->run.n)
        return src; /* the heap alone, as in PHOLD */
    const run *r = &eng->run;
    if (r->pos < r->n &&
        (best == NULL || sim_qentry_less(r->a[r->pos], *best))) {
        assert(r->sorted == r->n);
        best = &r->a[r->pos];
        src = SRC_RUN;
    }
    for (uint32_t l = 0; l < eng->nlanes; l++) {
        const lane *ln = &eng->lanes[l];
        if (ln->n > 0 && (best == NULL || sim_qentry_less(*lane_head(ln), *best))) {
            best = lane_head(ln);
            src = (int)l;
        }
    }
    *out = best;
    return src;
}

static inline void source_pop(sim_engine *eng, int src)
{
    if (src == SRC_HEAP)
        q_pop(eng);
    else if (src == SRC_RUN)
        run_pop(eng);
    else
        lane_pop(eng, &eng->lanes[src]);
}

/* Fills the window to WIN_FILL from the lanes and the heap, in order. */
static void win_top_up(sim_engine *eng)
{
    while (eng->wn < WIN_FILL) {
        const sim_qentry *m;
        int src = source_min(eng, &m);
        if (src == SRC_NONE)
            return;
        sim_qentry e = *m;
        source_pop(eng, src);
        win_append(eng, e);
    }
}

/* Ends direct delivery (the loop notices and switches to the window). */
static void leave_direct(sim_engine *eng)
{
    if (eng->top_pending) {
        q_pop(eng);
        eng->top_pending = false;
    }
    eng->direct = false;
}

/* Puts e where it belongs: dest is the lane its delay maps to, or SRC_HEAP. On
 * SIM_ENOMEM e is nowhere and nothing else was lost. */
static SIM__ALWAYS_INLINE int enqueue(sim_engine *eng, sim_qentry e, int dest)
{
    if (eng->mode == SIM_MODE_PLAIN)
        return q_push(eng, e);
    if (eng->direct) {
        if (dest == SRC_HEAP) {
            if (!eng->top_pending)
                return q_push(eng, e);
            /* A failed replace_min has still removed the delivering event,
             * which is what the loop would have done. */
            eng->top_pending = false;
            return q_replace_min(eng, e);
        }
        /* A lane event: only the window merges lanes with the heap. */
        leave_direct(eng);
    }
    if (eng->wn > 0 && sim_qentry_less(e, *win_at(eng, eng->wn - 1))) {
        if (eng->wn == WIN_CAP) { /* the last entry goes back to the heap */
            if (q_push(eng, *win_at(eng, eng->wn - 1)) != SIM_OK)
                return SIM_ENOMEM;
            eng->wn--;
        }
        win_insert(eng, e);
        return SIM_OK;
    }
    if (!eng->running) /* set-up: sorted in one go when the run starts */
        return run_append(eng, e) == SIM_OK ? SIM_OK : q_push(eng, e);
    if (eng->wn < WIN_FILL) {
        const sim_qentry *m;
        int src = source_min(eng, &m);
        if (src == SRC_NONE || sim_qentry_less(e, *m)) {
            win_append(eng, e);
            return SIM_OK;
        }
        sim_qentry x = *m;
        if (src == SRC_HEAP && dest == SRC_HEAP) {
            /* The hold: x leaves the heap for the window, e takes its place,
             * one sift-down. A failed replace_min has still removed x. */
            int rc = q_replace_min(eng, e);
            win_append(eng, x);
            return rc;
        }
        source_pop(eng, src);
        win_append(eng, x);
    }
    if (dest != SRC_HEAP && lane_push(eng, &eng->lanes[dest], e) == SIM_OK)
        return SIM_OK;
    return q_push(eng, e);
}

static size_t entries(const sim_engine *eng)
{
    return eng->qt->count(eng->q) + run_count(&eng->run) + eng->lane_total +
           eng->wn;
}

/* ---- life cycle --------------------------------------------------------- */

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
    if (opts->mode < SIM_MODE_AUTO || opts->mode > SIM_MODE_PLAIN)
        return sim_err_set(err, SIM_EINVAL, "unknown engine mode %d",
                           opts->mode);
    sim_engine *eng = calloc(1, sizeof *eng);
    if (eng == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory creating an engine");
    eng->qt = qt;
    eng->h4 = qt == &sim_queue_heap4;
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
    eng->mode = opts->mode;
    eng->capacity = opts->capacity;
    /* Size the pool for the expected peak now, not by doublings in setup. */
    if (opts->capacity > 0 &&
        grow_pool(eng, opts->capacity < NO_SLOT - 1 ? opts->capacity
                                                    : NO_SLOT - 1) != SIM_OK) {
        sim_engine_free(eng);
        return sim_err_set(err, SIM_ENOMEM,
                           "out of memory for %zu pending events",
                           opts->capacity);
    }
    /* Records are taken front to back while nothing is freed: set-up's. */
    if (opts->prefault > 0 && eng->cap > 0)
        eng->pool_pf = sim_mem_prefault_start(
            eng->recs,
            (opts->prefault < eng->cap ? opts->prefault : eng->cap) *
                sizeof *eng->recs);
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
    prefault_stop(eng);
    eng->qt->fini(eng->q);
    free(eng->q);
    free(eng->recs);
    free(eng->run.a);
    for (uint32_t l = 0; l < eng->nlanes; l++)
        lane_free(&eng->lanes[l]);
    while (eng->spares != NULL) {
        lane_block *nx = eng->spares->next;
        free(eng->spares);
        eng->spares = nx;
    }
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

int sim_prefetch_targets(sim_engine *eng, uint32_t kind, const void *base,
                         size_t size, size_t count)
{
    if (kind >= SIM_MAX_KINDS || (base != NULL && size == 0))
        return SIM_EINVAL;
    handler_slot *hs = &eng->handlers[kind];
    if (base != NULL)
        eng->targets = true;
    hs->tbase = base;
    hs->tsize = base != NULL ? size : 0;
    hs->tcount = base != NULL ? count : 0;
    hs->tspan = hs->tsize;
    hs->nalso = 0;
    return SIM_OK;
}

int sim_prefetch_also(sim_engine *eng, uint32_t kind, const void *base,
                      size_t size, uint32_t per)
{
    if (kind >= SIM_MAX_KINDS || eng->handlers[kind].tbase == NULL ||
        base == NULL || size == 0 || per == 0 ||
        eng->handlers[kind].nalso >= SIM_PREFETCH_ALSO_MAX)
        return SIM_EINVAL;
    handler_slot *hs = &eng->handlers[kind];
    hs->also[hs->nalso].base = base;
    hs->also[hs->nalso].size = size;
    hs->also[hs->nalso].per = per;
    hs->nalso++;
    return SIM_OK;
}

int sim_prefetch_span(sim_engine *eng, uint32_t kind, size_t bytes)
{
    if (kind >= SIM_MAX_KINDS || eng->handlers[kind].tbase == NULL ||
        bytes < eng->handlers[kind].tsize || bytes > SIM_PREFETCH_SPAN_MAX)
        return SIM_EINVAL;
    eng->handlers[kind].tspan = bytes;
    return SIM_OK;
}

int sim_declare_delay(sim_engine *eng, sim_time delay)
{
    if (!isfinite(delay) || delay < 0)
        return SIM_EINVAL;
    if (eng->mode >= SIM_MODE_NO_LANES)
        return SIM_OK;
    uint64_t b = time_bits(delay + 0.0);
    for (uint32_t l = 0; l < eng->nlanes; l++)
        if (eng->lanes[l].bits == b)
            return SIM_OK;
    if (eng->nlanes == LANES_MAX)
        return SIM_OK; /* still correct: the delay's events use the heap */
    eng->lanes[eng->nlanes++].bits = b;
    return SIM_OK;
}

/* ---- rebuilding --------------------------------------------------------- */

/* Renumbers every entry 0, 1, ... in delivery order, in place: the window's
 * first (it precedes everything), then a merge of the drained heap (tmp, k
 * entries, sorted) with the run and the lanes. Relative order is unchanged, so every
 * structure stays sorted. */
static void renumber(sim_engine *eng, sim_qentry *tmp, size_t k)
{
    uint64_t s = 0;
#define RENUMBER(ep)                                                           \
    do {                                                                       \
        uint32_t slot_ = (uint32_t)(ep)->key;                                  \
        (ep)->key = s << 32 | slot_;                                           \
        eng->recs[slot_].seq = (uint32_t)s;                                    \
        s++;                                                                   \
    } while (0)
    for (uint32_t i = 0; i < eng->wn; i++)
        RENUMBER(win_at(eng, i));
    lane_cursor cur[LANES_MAX];
    for (uint32_t l = 0; l < eng->nlanes; l++) {
        cur[l] = lane_begin(&eng->lanes[l]);
        eng->lanes[l].last = (sim_qentry){0, 0.0}; /* set again below */
    }
    size_t ti = 0;
    run *r = &eng->run;
    size_t ri = r->pos;
    for (;;) {
        sim_qentry *best = ti < k ? &tmp[ti] : NULL;
        int src = best ? SRC_HEAP : SRC_NONE;
        if (ri < r->n && (best == NULL || sim_qentry_less(r->a[ri], *best))) {
            best = &r->a[ri];
            src = SRC_RUN;
        }
        for (uint32_t l = 0; l < eng->nlanes; l++) {
            if (cur[l].left == 0)
                continue;
            sim_qentry *e = cursor_at(&cur[l]);
            if (best == NULL || sim_qentry_less(*e, *best)) {
                best = e;
                src = (int)l;
            }
        }
        if (src == SRC_NONE)
            break;
        RENUMBER(best);
        if (src == SRC_HEAP) {
            ti++;
        } else if (src == SRC_RUN) {
            ri++;
        } else {
            eng->lanes[src].last = *best;
            cur[src].pos++;
            cur[src].left--;
        }
    }
#undef RENUMBER
    eng->next_seq = s;
}

/* Drops every stale entry and, when renumbering, gives the live ones
 * sequence numbers 0, 1, ... in their current order (which keeps the order
 * itself unchanged). O(n log n) for the heap's part; happens once per 2^32
 * schedules or when stale entries dominate. */
static int rebuild(sim_engine *eng, bool renum)
{
    const sim_queue_type *qt = eng->qt;
    if (eng->top_pending) {
        /* The delivering event leaves the heap now, not after its handler. */
        q_pop(eng);
        eng->top_pending = false;
    }
    size_t n = qt->count(eng->q);
    sim_qentry *tmp = engine_realloc(eng, NULL, (n ? n : 1) * sizeof *tmp);
    if (tmp == NULL)
        return SIM_ENOMEM; /* nothing was lost: everything is as it was */
    if (run_prepare(eng) != SIM_OK) {
        free(tmp);
        return SIM_ENOMEM;
    }
    size_t k = 0;
    for (const sim_qentry *e; (e = q_min(eng)) != NULL;) {
        sim_qentry x = *e;
        q_pop(eng);
        if (entry_stale(eng, x))
            eng->stale--;
        else
            tmp[k++] = x;
    }
    uint32_t w = 0;
    for (uint32_t i = 0; i < eng->wn; i++) {
        sim_qentry x = *win_at(eng, i);
        if (entry_stale(eng, x))
            eng->stale--;
        else
            *win_at(eng, w++) = x;
    }
    eng->wn = w;
    run_compact(eng);
    for (uint32_t l = 0; l < eng->nlanes; l++)
        lane_compact(eng, &eng->lanes[l]);
    assert(eng->stale == 0);
    if (renum)
        renumber(eng, tmp, k);
    int rc = SIM_OK;
    for (size_t i = 0; i < k; i++)
        /* A structure that shrank while draining (the calendar) may allocate
         * here. If it cannot, events are lost: the engine is unusable from now
         * on, and says so. */
        if (q_push(eng, tmp[i]) != SIM_OK)
            rc = eng->broken = SIM_ENOMEM;
    free(tmp);
    return rc;
}

/* ---- scheduling --------------------------------------------------------- */

static inline int schedule(sim_engine *eng, sim_time t, int dest,
                           const sim_msg *m, sim_handle *h)
{
    if (m->kind >= SIM_MAX_KINDS)
        return SIM_EINVAL;
    if (eng->next_seq >= SEQ_LIMIT && rebuild(eng, true) != SIM_OK)
        return SIM_ENOMEM;
    uint32_t slot;
    if (alloc_slot(eng, &slot) != SIM_OK)
        return SIM_ENOMEM;
    rec *r = &eng->recs[slot];
    r->msg = *m;
    r->seq = (uint32_t)eng->next_seq;
    /* + 0.0 turns -0.0 into +0.0, which the queue's integer ordering needs
     * (queue.h). */
    sim_qentry e = {.key = eng->next_seq << 32 | slot, .time = t + 0.0};
    if (enqueue(eng, e, dest) != SIM_OK) {
        free_slot(eng, slot);
        return SIM_ENOMEM;
    }
    eng->next_seq++;
    if (h != NULL)
        *h = (uint64_t)r->gen << 32 | ((uint64_t)slot + 1);
    return SIM_OK;
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
    return schedule(eng, t, SRC_HEAP, m, h);
}

int sim_schedule(sim_engine *eng, sim_time delay, const sim_msg *m,
                 sim_handle *h)
{
    if (eng->broken)
        return eng->broken;
    if (!isfinite(delay))
        return SIM_EINVAL;
    if (delay < 0)
        return SIM_EPAST;
    sim_time t = eng->now + delay;
    if (!isfinite(t))
        return SIM_EINVAL;
    /* Only here is the delay known: now + d for one d is what keeps a lane
     * sorted. */
    return schedule(eng, t, lane_for(eng, delay + 0.0), m, h);
}

int sim_cancel(sim_engine *eng, sim_handle h)
{
    uint64_t low = h & 0xffffffffu;
    if (low == 0 || low > eng->nrecs)
        return SIM_ESTALE;
    uint32_t slot = (uint32_t)(low - 1);
    rec *r = &eng->recs[slot];
    if (r->gen != (uint32_t)(h >> 32) || r->seq >= SEQ_LIMIT)
        return SIM_ESTALE;
    free_slot(eng, slot);
    eng->stale++;
    /* A purge that cannot get its scratch memory loses nothing (the stale
     * entries stay until they surface), so only a lost entry makes this cancel
     * fail. */
    if (eng->stale >= PURGE_MIN &&
        eng->stale * PURGE_SHARE > entries(eng) - eng->stale)
        rebuild(eng, false);
    return eng->broken;
}

/* ---- delivery ----------------------------------------------------------- */

/* The unsorted part of the run, pushed into the heap instead. Pushes that
 * fail lose entries: the engine is then broken. */
static int run_to_heap(sim_engine *eng)
{
    run *r = &eng->run;
    for (; r->n > r->sorted; r->n--)
        if (q_push(eng, r->a[r->n - 1]) != SIM_OK)
            return eng->broken = SIM_ENOMEM;
    if (r->pos == r->n)
        run_reset(r);
    return SIM_OK;
}

/* The model's state for the event WIN_TARGET deliveries ahead: its record was
 * fetched when it entered the window, so reading the target costs nothing,
 * and the state has that many handlers' time to arrive. */
static inline void prefetch_target(const sim_engine *eng)
{
    if (!eng->targets || eng->wn <= WIN_TARGET)
        return;
    const sim_qentry *x =
        &eng->win[(eng->wh + WIN_TARGET) & (WIN_CAP - 1)];
    const sim_msg *m = &eng->recs[(uint32_t)x->key].msg;
    const handler_slot *hs = &eng->handlers[m->kind];
    if (m->target < hs->tcount) {
        sim_prefetch_bytes(hs->tbase + (size_t)m->target * hs->tsize,
                           hs->tspan);
        /* One division per distinct `per` (the market's arrays share one). */
        uint32_t per = 1, q = m->target;
        for (uint32_t k = 0; k < hs->nalso; k++) {
            if (hs->also[k].per != per) {
                per = hs->also[k].per;
                q = per == 1 ? m->target : m->target / per;
            }
            sim_prefetch(hs->also[k].base + (size_t)q * hs->also[k].size);
        }
    }
}

/* Whether direct delivery would do: nothing outside the heap and window to
 * merge, and a set small enough (below `limit` entries). */
static inline bool direct_fits(const sim_engine *eng, size_t limit)
{
    return eng->lane_total == 0 && eng->run.pos == eng->run.n &&
           entries(eng) < limit;
}

/* Direct delivery: the heap's top, left at the head during its handler. The
 * window's entries go back to the heap first (they are the least of all, so
 * each push is short). SWITCH_LOOP when the window is needed again, never in
 * SIM_MODE_PLAIN, where this is the whole loop: every event is pushed into
 * the queue structure (enqueue), so the delivering event stays its least
 * entry until its handler returns and is popped then. */
static int run_direct(sim_engine *eng, sim_time until)
{
    while (eng->wn > 0) {
        if (q_push(eng, *win_at(eng, eng->wn - 1)) != SIM_OK)
            return SWITCH_LOOP; /* stay with the window: nothing is lost */
        eng->wn--;
    }
    eng->direct = true;
    eng->switches++;
    for (;;) {
        /* Lane entries only come through leave_direct, run entries only
         * outside sim_run: the size is all there is to watch. */
        if (eng->mode != SIM_MODE_PLAIN &&
            (!eng->direct ||
             ((eng->handled & 1023) == 0 && entries(eng) >= WIN_ON))) {
            eng->direct = false;
            return SWITCH_LOOP;
        }
        const sim_qentry *top = q_min(eng);
        if (top == NULL)
            break;
        sim_qentry e = *top;
        uint32_t slot = (uint32_t)e.key;
        rec *r = &eng->recs[slot];
        if (r->seq != (uint32_t)(e.key >> 32)) { /* cancelled */
            q_pop(eng);
            eng->stale--;
            continue;
        }
        if (e.time > until)
            break;
        eng->now = e.time;
        sim_msg m = r->msg;
        const handler_slot *hs = &eng->handlers[m.kind];
        if (hs->fn == NULL) {
            q_pop(eng);
            free_slot(eng, slot);
            eng->direct = false;
            return SIM_ENOHANDLER;
        }
        r->seq = SEQ_DELIVERING;
        if (eng->trace != NULL)
            eng->trace(eng->trace_ctx, eng->now, e.key >> 32, &m);
        eng->top_pending = true;
        int hrc = hs->fn(eng, hs->ctx, &m);
        if (eng->top_pending) {
            q_pop(eng);
            eng->top_pending = false;
        }
        free_slot(eng, slot);
        eng->handled++;
        if (hrc != SIM_OK) {
            eng->direct = false;
            return hrc;
        }
    }
    eng->direct = false;
    return SIM_OK;
}

/* The window's front, which is the least entry of all. SWITCH_LOOP when
 * direct delivery would do (checked every 1024 deliveries). */
static int run_window(sim_engine *eng, sim_time until)
{
    for (;;) {
        if ((eng->handled & 1023) == 0 && direct_fits(eng, WIN_OFF))
            return SWITCH_LOOP;
        if (eng->wn < WIN_FILL)
            win_top_up(eng);
        if (eng->wn == 0)
            return SIM_OK;
        sim_qentry top = eng->win[eng->wh];
        uint32_t slot = (uint32_t)top.key;
        rec *r = &eng->recs[slot];
        if (r->seq != (uint32_t)(top.key >> 32)) { /* cancelled */
            win_pop(eng);
            eng->stale--;
            continue;
        }
        if (top.time > until)
            return SIM_OK;
        win_pop(eng);
        eng->now = top.time;
        sim_msg m = r->msg; /* a copy: the handler may grow (move) the pool */
        const handler_slot *hs = &eng->handlers[m.kind];
        if (hs->fn == NULL) {
            /* Dropped, not delivered: neither traced nor counted. */
            free_slot(eng, slot);
            return SIM_ENOHANDLER;
        }
        r->seq = SEQ_DELIVERING;
        prefetch_target(eng);
        if (eng->trace != NULL)
            eng->trace(eng->trace_ctx, eng->now, top.key >> 32, &m);
        int hrc = hs->fn(eng, hs->ctx, &m);
        free_slot(eng, slot);
        eng->handled++;
        if (hrc != SIM_OK)
            return hrc;
    }
}

int sim_run(sim_engine *eng, sim_time until)
{
    if (eng->running)
        return SIM_EBUSY;
    if (eng->broken)
        return eng->broken;
    if (isnan(until) || until < eng->now)
        return SIM_EINVAL;
    prefault_stop(eng);
    /* Out of memory merging two runs: nothing is lost, the appended part
     * goes to the heap instead. */
    if (run_prepare(eng) != SIM_OK && run_to_heap(eng) != SIM_OK)
        return SIM_ENOMEM;
    eng->running = true;
    int rc;
    bool direct = eng->mode == SIM_MODE_PLAIN || direct_fits(eng, WIN_OFF);
    while ((rc = direct ? run_direct(eng, until) : run_window(eng, until)) ==
           SWITCH_LOOP)
        direct = !direct;
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
    return entries(eng) - eng->stale - (eng->top_pending ? 1 : 0);
}

uint64_t sim_events_handled(const sim_engine *eng)
{
    return eng->handled;
}

const char *sim_engine_queue_name(const sim_engine *eng)
{
    return eng->qt->name;
}

size_t sim_engine_lanes(const sim_engine *eng)
{
    return eng->nlanes;
}

/* A pending event holds one record (the pool never holds more than the
 * pending events plus the one being delivered: a cancel frees its record at
 * once) and one entry; cancelled events keep their entries until compaction,
 * at most a quarter as many as pending ones, hence 16 / 4 bytes more. */
size_t sim_engine_bytes_per_event(void)
{
    return sizeof(rec) + sizeof(sim_qentry) +
           sizeof(sim_qentry) / PURGE_SHARE;
}

/* What does not grow with the events: the engine itself, the lanes' partly
 * filled and spare blocks, the stale entries below PURGE_MIN, the sorted
 * run's pages not yet given back, and the rounding of the pool's, the heap's
 * and the run's arrays to whole 2 MiB pages. */
size_t sim_engine_bytes_fixed(void)
{
    return sizeof(struct sim_engine) +
           (LANES_MAX + SPARES_MAX) * sizeof(lane_block) +
           PURGE_MIN * sizeof(sim_qentry) +
           (2 * RUN_DISCARD + LANE_BLOCK) * sizeof(sim_qentry) +
           3 * SIM_MEM_HUGE_MIN;
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
    return entries(eng);
}

size_t sim__engine_lane_count(const sim_engine *eng)
{
    return eng->lane_total;
}

uint64_t sim__engine_loop_switches(const sim_engine *eng)
{
    return eng->switches;
}

size_t sim__engine_pool_size(const sim_engine *eng)
{
    return eng->cap;
}

void sim__engine_fail_allocs_after(sim_engine *eng, long n)
{
    eng->fail_after = n;
}
