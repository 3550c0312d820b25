/* engine.h -- clock, pending events and dispatch for ONE replication.
 *
 * Events are ordered by (time, sequence number): equal times fire in the order
 * they were scheduled, so a run is a pure function of its seed. An event is a
 * small message copied into a pooled record (no malloc per event); its `kind`
 * selects the handler registered with sim_on, which gets the context pointer
 * given there. Scheduling returns a handle; a cancelled event is never
 * delivered (cancellation is O(1): the record is freed and the queue entry
 * discarded when it surfaces).
 *
 * Speed at scale, without any change to the order: a delay that repeats gets
 * its own FIFO (a lane, detected or declared with sim_declare_delay), and a
 * model can tell the engine where the state an event works on lives
 * (sim_prefetch_targets) so that it is fetched a few deliveries early.
 *
 * The engine owns the random streams of its replication (sim_engine_rng), named
 * by (seed, point, rep, purpose), so two engines in one process share nothing.
 * Time is a double in days since the scenario start. Not thread-safe: one
 * engine per thread.
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "rng.h"

typedef struct sim_engine sim_engine; /* opaque: fields live in engine.c */
typedef double sim_time;              /* days since the scenario start, >= 0 */
typedef uint64_t sim_handle; /* from sim_schedule; 0 is never a valid handle */

typedef struct {     /* copied into a pooled record */
    uint32_t kind;   /* selects the handler; < SIM_MAX_KINDS */
    uint32_t target; /* agent index; its meaning is the handler's */
    uint64_t arg[2]; /* two words of payload */
} sim_msg;

#define SIM_MAX_KINDS 256u

/* A handler. m is a copy, valid during the call. A non-zero return stops
 * sim_run after this event, and sim_run returns it: SIM_STOP to stop cleanly, a
 * negative status for an error. */
typedef int sim_handler(sim_engine *eng, void *ctx, const sim_msg *m);

/* Called before each delivery, for traces and determinism checks; see
 * sim_engine_set_trace. */
typedef void sim_trace_fn(void *ctx, sim_time t, uint64_t seq,
                          const sim_msg *m);

/* How the engine holds pending events (docs/engine.md). Every mode delivers
 * the same events in the same order; only speed differs. */
enum {
    SIM_MODE_AUTO = 0, /* the default: lanes for declared delays and for any
                          sim_schedule delay that repeats, the sorted run of
                          events scheduled before sim_run, the look-ahead
                          window with its prefetches */
    SIM_MODE_DECLARED, /* the same, but lanes only for declared delays */
    SIM_MODE_NO_LANES, /* the sorted run and the window, no lanes */
    SIM_MODE_PLAIN     /* every event through the queue structure alone: the
                          reference the other modes are tested against */
};

typedef struct {
    uint64_t seed; /* master seed */
    uint32_t point,
        rep; /* sweep point and replication: with seed, they name the streams */
    const char *queue; /* pending-event set by name ("heap4", "heap2",
                          "calendar"); NULL: the default */
    size_t capacity;   /* expected peak of pending events (a hint; 0 is fine) */
    size_t prefault;   /* about how many events will be pending at once: the
                          pool's records for them are faulted in on a helper
                          thread until sim_run (mem.h; a hint, 0: none) */
    int mode;          /* SIM_MODE_*; 0 is SIM_MODE_AUTO */
} sim_engine_opts;

/* Creates an engine at time 0 with the default queue. Caller owns *out
 * (sim_engine_free). Returns SIM_OK, SIM_ENOMEM. */
int sim_engine_new(uint64_t seed, uint32_t point, uint32_t rep,
                   sim_engine **out, sim_err *err);
/* The same with options; an unknown queue name or mode is SIM_EINVAL with a
 * message (for a queue, the valid names listed). */
int sim_engine_new_opts(const sim_engine_opts *opts, sim_engine **out,
                        sim_err *err);
void sim_engine_free(sim_engine *eng); /* NULL is a no-op */

/* Registers fn (with its context) for events of this kind, replacing any
 * earlier one; fn NULL removes it. SIM_EINVAL for kind >= SIM_MAX_KINDS. */
int sim_on(sim_engine *eng, uint32_t kind, sim_handler *fn, void *ctx);

/* Declares that events will often be scheduled `delay` days ahead with
 * sim_schedule (a contract that renews every 12 months): they get a lane at
 * once instead of after the engine has seen the delay repeat. Order is
 * unaffected; an engine keeps at most 8 lanes and further delays simply use
 * the queue, as every delay does in modes without lanes. SIM_EINVAL for a
 * negative, NaN or infinite delay. */
int sim_declare_delay(sim_engine *eng, sim_time delay);

/* Tells the engine where the state that events of `kind` work on lives: the
 * state of target t is the `size` bytes at base + t * size, for t < count.
 * The engine then prefetches it a few deliveries before the event, so the
 * cache miss overlaps earlier handlers. A hint only: it changes no result,
 * and an event whose target is >= count is not prefetched. base NULL removes
 * the hint. The array must stay where it is while the hint is set. SIM_EINVAL
 * for kind >= SIM_MAX_KINDS or size 0 with a base. */
int sim_prefetch_targets(sim_engine *eng, uint32_t kind, const void *base,
                         size_t size, size_t count);

/* Widens the hint of `kind` (set by sim_prefetch_targets, which resets it
 * to `size`): the engine prefetches `bytes` from the target's state, for an
 * event that works on its target's neighbours too (a firm's seats after its
 * primary seat). The span must stay inside the array for every target <
 * count. SIM_EINVAL without a hint, for bytes < size or bytes >
 * SIM_PREFETCH_SPAN_MAX. */
#define SIM_PREFETCH_SPAN_MAX 512
int sim_prefetch_span(sim_engine *eng, uint32_t kind, size_t bytes);

/* Adds to the hint of `kind` one more array its events read: the engine also
 * prefetches element target / per of the `size`-byte elements at base (per
 * targets share an element: a firm's seats its firm's entry; per 1, an
 * element each). The element must exist for every target < the hint's count.
 * Up to SIM_PREFETCH_ALSO_MAX arrays a kind; sim_prefetch_targets removes
 * them. SIM_EINVAL without a hint, for base NULL, size 0, per 0 or one array
 * too many. */
#define SIM_PREFETCH_ALSO_MAX 4
int sim_prefetch_also(sim_engine *eng, uint32_t kind, const void *base,
                      size_t size, uint32_t per);

/* A hint that the caller will soon read the cache line at p, for a model
 * walking its own state in an order it knows ahead (the engine's hints above
 * cover the events' targets). Changes no result; a no-op where the compiler
 * has no prefetch builtin. The empty volatile asm that claims to change the
 * address is not decoration: GCC 12's dead-code elimination deletes a
 * __builtin_prefetch whose address is computed from loaded values once it is
 * inlined (it did so to the engine's target prefetch, silently). */
static inline void sim_prefetch(const void *p)
{
#if defined(__GNUC__)
    __asm__ volatile("" : "+r"(p));
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

/* sim_prefetch for the `bytes` (> 0) from p: every line they touch, both
 * ends included whatever p's alignment. */
static inline void sim_prefetch_bytes(const void *p, size_t bytes)
{
    const char *c = p;
    sim_prefetch(c);
    for (size_t off = 64; off < bytes - 1; off += 64)
        sim_prefetch(c + off);
    sim_prefetch(c + bytes - 1);
}

/* Schedules m to fire `delay` days from now (delay >= 0 and finite). Stores the
 * handle in *h when h is not NULL. SIM_EPAST for a negative delay, SIM_EINVAL
 * for NaN or infinity (of the delay or of now + delay) or a kind >=
 * SIM_MAX_KINDS, SIM_ENOMEM. On error nothing is scheduled.
 *
 * Handles: a handle names (slot, generation) in this engine. It stays
 * unambiguous while its slot is reused fewer than 2^32 times (a slot is reused
 * at most once per delivery or cancellation, so for at least 4 * 10^9 of them
 * after the event fired); a handle from another engine is meaningless here and
 * may name one of this engine's events. */
int sim_schedule(sim_engine *eng, sim_time delay, const sim_msg *m,
                 sim_handle *h);
/* The same at absolute time t (t >= now, finite). SIM_EPAST when t < now.
 * Only sim_schedule's delays are candidates for a lane. */
int sim_schedule_at(sim_engine *eng, sim_time t, const sim_msg *m,
                    sim_handle *h);

/* Cancels a pending event: it will never be delivered. SIM_ESTALE when h is not
 * pending (already delivered, being delivered now, already cancelled, or never
 * issued).
 *
 * Out of memory: the engine occasionally rebuilds its queue (to drop cancelled
 * entries, or to renumber at the 2^32 sequence wrap). If that runs out of
 * memory, events may have been lost, so the engine is marked broken: the call
 * that hit it and every later sim_schedule and sim_run return SIM_ENOMEM. A
 * replication that sees SIM_ENOMEM must be discarded. */
int sim_cancel(sim_engine *eng, sim_handle h);

/* Delivers events in order while their time is <= until, then sets the clock to
 * `until` (unless until is infinite). Returns SIM_OK when it reached `until` or
 * ran out of events, the first non-zero handler status otherwise (the clock
 * then stays at that event's time and a later sim_run resumes after it),
 * SIM_ENOHANDLER for an event of a kind nobody handles (the event is dropped),
 * SIM_EBUSY when called from inside a handler, SIM_EINVAL for a NaN `until` or
 * one before now. */
int sim_run(sim_engine *eng, sim_time until);
/* sim_run(eng, INFINITY): until the queue is empty or a handler stops it. */
int sim_run_all(sim_engine *eng);

sim_time sim_now(const sim_engine *eng);
/* Events scheduled and not yet delivered or cancelled. */
size_t sim_pending(const sim_engine *eng);
/* Deliveries so far (dropped and cancelled events are not deliveries). */
uint64_t sim_events_handled(const sim_engine *eng);
const char *sim_engine_queue_name(const sim_engine *eng);
/* Lanes in use, declared or detected. */
size_t sim_engine_lanes(const sim_engine *eng);

/* For memory estimates: an upper bound on the bytes an engine uses per event
 * pending at once (its record and entry, and the entries of cancelled events
 * waiting for compaction), and on the bytes that do not grow with the events
 * (the engine, its buffers, the rounding of its arrays to huge pages). The
 * random streams and the handlers' own state are not included. */
size_t sim_engine_bytes_per_event(void);
size_t sim_engine_bytes_fixed(void);

/* The engine's stream for `purpose`, created on first use and owned by the
 * engine (borrowed: valid until sim_engine_free). The same purpose always
 * returns the same stream. Returns NULL (with err set) for an empty purpose or
 * when out of memory. */
sim_rng *sim_engine_rng(sim_engine *eng, const char *purpose, sim_err *err);

/* Installs fn to be called before every delivery (NULL removes it). */
void sim_engine_set_trace(sim_engine *eng, sim_trace_fn *fn, void *ctx);

#endif
