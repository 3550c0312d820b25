/* internal.h -- helpers shared inside sim/ and with its white-box tests; not an API. */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include <stdint.h>

#include "engine.h"

/* Sets the next sequence number, so tests can exercise renumbering at the 2^32 wrap without
 * scheduling four billion events. */
void sim__engine_set_next_seq(sim_engine *eng, uint64_t seq);

/* Entries the queue holds, cancelled ones included (tests check that purging bounds it). */
size_t sim__engine_queue_count(const sim_engine *eng);

/* splitmix64's output function of state z (the stream-name mixer), for its known-answer test. */
uint64_t sim__rng_mix64(uint64_t z);

#endif
