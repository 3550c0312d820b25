/* onboard.c -- the FIFO line of a provider's onboarding queue. */
#include <stdlib.h>
#include <string.h>

#include "onboard.h"

void mkt_onboard_init(mkt_onboard *q, uint32_t servers, double mean_days)
{
    memset(q, 0, sizeof *q);
    q->servers = servers;
    q->mean_days = mean_days;
}

void mkt_onboard_fini(mkt_onboard *q)
{
    free(q->ring);
    memset(q, 0, sizeof *q);
}

bool mkt_onboard_push(mkt_onboard *q, uint32_t ent, uint32_t ticket)
{
    if (q->len == q->cap) {
        size_t ncap = q->cap ? 2 * q->cap : 64;
        mkt_onboard_entry *r = malloc(ncap * sizeof *r);
        if (!r)
            return false;
        /* Unwrap the old ring into the front of the new one. */
        for (size_t i = 0; i < q->len; i++)
            r[i] = q->ring[(q->head + i) % q->cap];
        free(q->ring);
        q->ring = r;
        q->cap = ncap;
        q->head = 0;
    }
    q->ring[(q->head + q->len) % q->cap] =
        (mkt_onboard_entry){.ent = ent, .ticket = ticket};
    q->len++;
    return true;
}

bool mkt_onboard_pop(mkt_onboard *q, mkt_onboard_entry *out)
{
    if (q->len == 0)
        return false;
    *out = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    return true;
}
