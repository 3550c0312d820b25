/* heap_impl.h -- the d-ary array heaps' state and operations, always inlined
 * (engine-internal).
 *
 * heap.c wraps them as the queue type objects heap2 and heap4; the engine
 * also calls the heap4 ones directly when that is its queue (the default),
 * so that its hot path -- the hold in enqueue, the top and pop in direct
 * delivery -- is inlined instead of going through the type object's
 * function pointers (docs/engine.md, "Round 4"). Both reach the same code, so
 * the order is the same by construction.
 *
 * The root sits at physical index d - 1, so the children of logical node k, at
 * physical d*(k+1) .. d*(k+1)+d-1, start on a multiple of d. With 16-byte
 * entries and a 64-byte aligned array, a 4-ary node's four children are one
 * cache line: a sift-down touches one line per level and the tree is half as
 * deep as a binary heap's. Sifts move a hole rather than swapping (one store
 * per level).
 *
 * replace_min is a hold in one sift-down, which is what an event loop mostly
 * does: handle the least event and schedule one more.
 */
#ifndef SIM_HEAP_IMPL_H
#define SIM_HEAP_IMPL_H

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "internal.h"
#include "mem.h"
#include "queue.h"

typedef struct {
    sim_qentry *a; /* physical array; entries at [d-1, d-1+n) */
    size_t n;      /* entries */
    size_t cap;    /* physical slots allocated */
} heap;

static inline int heap_reserve(heap *h, size_t d, size_t want)
{
    if (want <= h->cap)
        return SIM_OK;
    size_t cap = h->cap ? h->cap : 64;
    while (cap < want) {
        if (cap > SIZE_MAX / 2 / sizeof(sim_qentry))
            return SIM_ENOMEM;
        cap *= 2;
    }
    /* 64-byte aligned (and huge pages once large, mem.h); there is no aligned
     * realloc, so copy: growth is geometric, so amortised O(1). */
    sim_qentry *a = sim_mem_alloc(cap * sizeof *a);
    if (a == NULL)
        return SIM_ENOMEM;
    if (h->a != NULL) {
        memcpy(a + (d - 1), h->a + (d - 1), h->n * sizeof *a);
        free(h->a);
    }
    h->a = a;
    h->cap = cap;
    return SIM_OK;
}

static inline void sift_up(heap *h, size_t d, size_t k, sim_qentry e)
{
    sim_qentry *a = h->a + (d - 1); /* logical view: a[0] is the root */
    while (k > 0) {
        size_t parent = (k - 1) / d;
        if (!sim_qentry_less(e, a[parent]))
            break;
        a[k] = a[parent];
        k = parent;
    }
    a[k] = e;
}

/* The least of the d children starting at `first` (all present). Which child is
 * least is random, so a compare-and-branch per child mispredicts about once a
 * level; using the comparison result as an index offset makes the choice
 * branch-free (44% of a PHOLD event was spent here before). */
static SIM__ALWAYS_INLINE size_t least_child(const sim_qentry *a, size_t d, size_t first)
{
    size_t m01 = first + (size_t)sim_qentry_less(a[first + 1], a[first]);
    if (d == 2)
        return m01;
    size_t m23 =
        first + 2 + (size_t)sim_qentry_less(a[first + 3], a[first + 2]);
    return m01 + (m23 - m01) * (size_t)sim_qentry_less(a[m23], a[m01]);
}

/* Heaps of at least this many entries (512 KiB) are sifted with prefetching:
 * below it the heap stays in cache and the prefetches are pure cost. */
#define FAR_MIN 32768

/* far: while the children of k are compared, fetch its grandchildren -- in
 * this layout the d*d of them are contiguous, d lines for d = 4 -- so the
 * line the next level reads is already on its way. A sift through a heap
 * that is out of cache then waits for about every other level instead of
 * every level (PHOLD at 262,144 events, and the market's onboarding and
 * detection events at 10^7 enterprises, docs/engine.md). Always inlined, so
 * that each caller gets its own loop for its d and far: left to itself GCC
 * made one out-of-line copy testing far at every level, which cost PHOLD
 * with 1,024 events a tenth of its speed. */
static SIM__ALWAYS_INLINE void sift_down(heap *h, size_t d, size_t k,
                                         sim_qentry e, bool far)
{
    sim_qentry *a = h->a + (d - 1);
    size_t n = h->n;
    /* Floyd's bottom-up order: the hole goes down to a leaf along the least
     * children without e being compared on the way, then e rises from there.
     * In a hold the new entry is one of the latest and belongs near the
     * bottom, so it rises a step or none, and each level costs the three
     * comparisons among the children instead of four. */
    for (;;) {
        size_t first = d * k + 1, best;
        if (far) {
            size_t g = d * first + 1; /* the first grandchild */
            if (g + d * d <= n)
                for (size_t c = 0; c < d * d; c += 64 / sizeof *a)
                    sim_prefetch(&a[g + c]);
        }
        if (first + d <= n) {
            best = least_child(a, d, first);
        } else if (first < n) { /* the one partial group, at the bottom */
            best = first;
            for (size_t c = first + 1; c < n; c++)
                if (sim_qentry_less(a[c], a[best]))
                    best = c;
        } else {
            break;
        }
        a[k] = a[best];
        k = best;
    }
    sift_up(h, d, k, e);
}


static SIM__ALWAYS_INLINE int heap_push(heap *h, size_t d, sim_qentry e)
{
    if (h->n + d >= h->cap && heap_reserve(h, d, h->n + d + 1) != SIM_OK)
        return SIM_ENOMEM;
    h->n++;
    sift_up(h, d, h->n - 1, e);
    return SIM_OK;
}

static SIM__ALWAYS_INLINE const sim_qentry *heap_min(heap *h, size_t d)
{
    return h->n ? &h->a[d - 1] : NULL;
}

static SIM__ALWAYS_INLINE void heap_pop(heap *h, size_t d)
{
    assert(h->n > 0);
    h->n--;
    if (h->n >= FAR_MIN)
        sift_down(h, d, 0, h->a[d - 1 + h->n], true);
    else if (h->n > 0)
        sift_down(h, d, 0, h->a[d - 1 + h->n], false);
}

static SIM__ALWAYS_INLINE int heap_replace(heap *h, size_t d, sim_qentry e)
{
    assert(h->n > 0);
    if (h->n >= FAR_MIN)
        sift_down(h, d, 0, e, true);
    else
        sift_down(h, d, 0, e, false);
    return SIM_OK;
}

#endif
