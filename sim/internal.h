/* internal.h -- hooks shared inside sim/ and with its white-box tests; not an
 * API.
 *
 * Everything here is named sim__* (libuv's uv__ convention) and may change
 * without notice. The hooks exist so tests can reach states that are
 * impractical to reach honestly: the 2^32 sequence wrap, allocation failure, a
 * queue structure that fails on demand. None of them is a global: each acts on
 * one engine.
 */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include <stdint.h>

#include "engine.h"
#include "queue.h"

/* For the few hot helpers whose specialisation matters (heap.c). */
#if defined(__GNUC__)
#define SIM__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define SIM__ALWAYS_INLINE inline
#endif

/* Sets the next sequence number, so tests can exercise renumbering at the 2^32
 * wrap without scheduling four billion events. */
void sim__engine_set_next_seq(sim_engine *eng, uint64_t seq);

/* Entries the queue holds, cancelled ones included (tests check that purging
 * bounds it). */
size_t sim__engine_queue_count(const sim_engine *eng);

/* Entries the lanes hold, stale ones included. */
size_t sim__engine_lane_count(const sim_engine *eng);

/* How many times sim_run has started direct delivery (tests check that both
 * of its loops are exercised). */
uint64_t sim__engine_loop_switches(const sim_engine *eng);

/* The records the pool holds (in use or free): tests check reuse keeps it
 * small. */
size_t sim__engine_pool_size(const sim_engine *eng);

/* Makes the engine's (n+1)-th allocation from now fail, and every one after it;
 * n < 0 turns this off. Covers the pool, the rebuild scratch array, lane
 * blocks and stream records, not the queue. */
void sim__engine_fail_allocs_after(sim_engine *eng, long n);

struct sim_queue_type;
/* sim_engine_new_opts with a queue structure given directly (opts->queue is
 * ignored), so a test can supply one that fails on demand. */
int sim__engine_new_typed(const sim_engine_opts *opts,
                          const struct sim_queue_type *qt, sim_engine **out,
                          sim_err *err);

/* Sorts n queue entries in place by (time, key) (sort.c). */
void sim__sort_entries(sim_qentry *a, size_t n);

/* splitmix64's output function of state z (the stream-name mixer), for its
 * known-answer test. */
uint64_t sim__rng_mix64(uint64_t z);

#endif
