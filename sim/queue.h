/* queue.h -- the pending-event set: a priority queue of (time, key) entries
 * (engine-internal).
 *
 * Structures are GSL-style type objects (like gsl_rng_type): a const table of
 * functions over caller-provided state, picked by name. The engine owns one
 * queue; bench/phold picks the structure by name so the choice is made by
 * measurement (docs/engine.md).
 *
 * Keys are unique (the engine packs a sequence number above the pool slot), so
 * (time, key) is a total order and every structure pops the same sequence:
 * results never depend on which queue ran them. Entries are 16 bytes so a 4-ary
 * heap's children share one cache line.
 */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The layout is {key, time} on purpose: on a little-endian 64-bit machine the
 * 16 bytes read as one unsigned 128-bit integer whose high half is the bit
 * pattern of time. For finite times >= +0.0 that pattern orders like the
 * number, so (time, key) order is a single integer comparison, with no branch
 * on equal times. The engine guarantees the precondition (it rejects NaN,
 * infinity and the past, and turns -0.0 into +0.0). */
typedef struct {
    uint64_t key; /* unique; breaks ties in time */
    double time;  /* days; finite and >= +0.0 */
} sim_qentry;

#if defined(__SIZEOF_INT128__) && defined(__BYTE_ORDER__) &&                   \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <string.h>
__extension__ typedef unsigned __int128 sim_qkey;
static inline sim_qkey sim_qentry_rank(const sim_qentry *e)
{
    sim_qkey k;
    memcpy(&k, e, sizeof k);
    return k;
}
static inline bool sim_qentry_less(sim_qentry a, sim_qentry b)
{
    return sim_qentry_rank(&a) < sim_qentry_rank(&b);
}
#else
static inline bool sim_qentry_less(sim_qentry a, sim_qentry b)
{
    return a.time < b.time || (a.time == b.time && a.key < b.key);
}
#endif

typedef struct sim_queue_type {
    const char *name;
    size_t state_size; /* bytes the caller provides for the state */
    /* capacity is a hint (entries); 0 is fine. Returns SIM_OK or SIM_ENOMEM. */
    int (*init)(void *q, size_t capacity);
    void (*fini)(void *q);
    size_t (*count)(const void *q);
    int (*push)(void *q, sim_qentry e); /* SIM_OK or SIM_ENOMEM */
    /* The least entry, or NULL when empty. Borrowed: valid until the next push,
     * pop or replace_min. May reorganise internal state, hence not const. */
    const sim_qentry *(*min)(void *q);
    void (*pop)(
        void *q); /* removes the least entry; the queue must not be empty */
    /* pop then push in one step (a hold); the queue must not be empty. On
     * SIM_ENOMEM it behaves as a pop followed by a failed push: the least entry
     * is gone, e was not added. */
    int (*replace_min)(void *q, sim_qentry e);
} sim_queue_type;

/* Every structure, in the order `sim_queue_names` lists them: one list, so
 * names and table cannot drift apart. */
#define SIM_QUEUE_LIST(X) X(heap4) X(heap2) X(calendar) X(wheel)

extern const sim_queue_type sim_queue_heap2; /* binary heap, array */
extern const sim_queue_type
    sim_queue_heap4; /* 4-ary heap, cache-line aligned */
extern const sim_queue_type
    sim_queue_calendar; /* Brown (1988) calendar queue, resizing */
extern const sim_queue_type
    sim_queue_wheel; /* timing wheel in front of a small heap4 (wheel.c) */

/* The default structure (chosen in docs/engine.md). */
extern const sim_queue_type *const sim_queue_default;

/* The structure with this name; NULL for an unknown name; the default when name
 * is NULL. */
const sim_queue_type *sim_queue_by_name(const char *name);

/* The valid names, comma-separated, for "unknown queue" messages. */
const char *sim_queue_names(void);

#endif
