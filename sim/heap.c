/* heap.c -- d-ary array heaps (d = 2 and 4) for the pending-event set: the
 * queue type objects over heap_impl.h's operations (the layout and the
 * techniques are described there). */
#include "queue.h"

#include "heap_impl.h"

static int init_d(void *q, size_t d, size_t capacity)
{
    heap *h = q;
    memset(h, 0, sizeof *h);
    if (capacity > SIZE_MAX / 2 / sizeof(sim_qentry))
        return SIM_ENOMEM;
    return heap_reserve(h, d, capacity + d);
}

static void heap_fini(void *q)
{
    heap *h = q;
    free(h->a);
    memset(h, 0, sizeof *h);
}

static size_t heap_count(const void *q)
{
    return ((const heap *)q)->n;
}

static SIM__ALWAYS_INLINE int push_d(void *q, size_t d, sim_qentry e)
{
    return heap_push(q, d, e);
}

static SIM__ALWAYS_INLINE const sim_qentry *min_d(void *q, size_t d)
{
    return heap_min(q, d);
}

static SIM__ALWAYS_INLINE void pop_d(void *q, size_t d)
{
    heap_pop(q, d);
}

static SIM__ALWAYS_INLINE int replace_d(void *q, size_t d, sim_qentry e)
{
    return heap_replace(q, d, e);
}

/* The arity is a literal in each wrapper, so the compiler specialises the
 * loops. */
#define HEAP_TYPE(D)                                                           \
    static int init_##D(void *q, size_t c)                                     \
    {                                                                          \
        return init_d(q, D, c);                                                \
    }                                                                          \
    static int push_##D(void *q, sim_qentry e)                                 \
    {                                                                          \
        return push_d(q, D, e);                                                \
    }                                                                          \
    static const sim_qentry *min_##D(void *q)                                  \
    {                                                                          \
        return min_d(q, D);                                                    \
    }                                                                          \
    static void pop_##D(void *q)                                               \
    {                                                                          \
        pop_d(q, D);                                                           \
    }                                                                          \
    static int replace_##D(void *q, sim_qentry e)                              \
    {                                                                          \
        return replace_d(q, D, e);                                             \
    }                                                                          \
    const sim_queue_type sim_queue_heap##D = {                                 \
        "heap" #D, sizeof(heap), init_##D, heap_fini,   heap_count,            \
        push_##D,  min_##D,      pop_##D,  replace_##D};

HEAP_TYPE(2)
HEAP_TYPE(4)
