/* onboard.h -- a provider's onboarding queue: c servers and a FIFO line
 * (mkt_onboard_*).
 *
 * An intermediary or domestic vendor onboards at most `servers` enterprises
 * at once, each for an exponential time (an M/M/c queue when arrivals are
 * Poisson). This module keeps the line and the busy count; the market decides
 * who enters and handles completions. Entries carry a ticket: an enterprise
 * that gives up (its target became unavailable, it chose again) bumps its
 * ticket, and its stale entry is skipped when it reaches the front, so
 * leaving the line is O(1) without searching it.
 */
#ifndef MKT_ONBOARD_H
#define MKT_ONBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t ent;    /* enterprise index */
    uint32_t ticket; /* the enterprise's ticket when it joined */
} mkt_onboard_entry;

typedef struct {
    uint32_t servers;  /* at most this many in service */
    uint32_t busy;     /* in service now */
    double mean_days;  /* mean onboarding time */
    mkt_onboard_entry *ring; /* the line, a growable ring buffer */
    size_t cap, head, len;
} mkt_onboard;

void mkt_onboard_init(mkt_onboard *q, uint32_t servers, double mean_days);
void mkt_onboard_fini(mkt_onboard *q);

/* Appends to the line. Returns false when out of memory (q unchanged). */
bool mkt_onboard_push(mkt_onboard *q, uint32_t ent, uint32_t ticket);

/* Removes the front of the line into *out; false when the line is empty. */
bool mkt_onboard_pop(mkt_onboard *q, mkt_onboard_entry *out);

#endif
