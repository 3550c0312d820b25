/* wheel.c -- a timing wheel in front of a small 4-ary heap, for large
 * pending sets whose times spread forward from now (issue 17: the market's
 * onboarding completions at 10^7 enterprises).
 *
 * Why: a heap of n entries pops by a sift through log4(n) levels, and once n
 * is past the caches every level below the top few is a miss in a line no
 * other event touches (about 180 ns a pop at 160,000 entries beside the
 * market's records, by the pops' share of a profile). Here the heap holds
 * only the entries of the current bucket of time; later ones wait unsorted,
 * appended to the tail of their bucket (the live tails are few enough to stay
 * in cache), and a bucket is moved into the heap, in one sequential pass,
 * when time reaches it. A pop then sifts a heap of about TARGET entries.
 *
 * Buckets: the virtual bucket of time t is vb(t) = floor((t - origin) / w),
 * computed as (t - origin) * (1 / w), clamped to [0, VB_MAX]. It is weakly
 * monotone in t (a subtraction, a product by a positive constant, a floor and
 * a clamp never reverse an order), so vb(a) > vb(b) implies a > b; entries of
 * equal times share a bucket. The invariant: every entry outside the heap has
 * vb > cur. When the heap's least entry has vb <= cur it is then less than
 * everything outside, so it is the minimum; otherwise cur moves to the next
 * non-empty bucket (a bitmap finds it) or to the overflow's least bucket and
 * their entries join the heap. An entry pushed with vb <= cur (a short delay,
 * or a time before the minimum, which the engine never makes but a queue
 * allows) goes straight into the heap. Buckets cur + 1 .. cur + nb - 1 live
 * in physical slot vb mod nb (nb a power of two); later ones in an unsorted
 * overflow array, with its least vb kept so that cur never passes it. The
 * order within the heap is sim_qentry_less, so the pops are exactly the
 * heaps' sequence; w, nb and the switching only change speed.
 *
 * Tuning: below WHEEL_ON entries everything is in the heap (it is in cache
 * and nothing beats it). At WHEEL_ON, and again when the heap holds over
 * HEAP_HI entries (w too wide) or the overflow outgrows the rest (nb w too
 * short), but at most once per count's worth of operations (so a tuning,
 * O(n), is amortised O(1)), every entry is gathered and w is estimated from
 * a sample: TARGET entries a bucket at the density of the front quarter of
 * pending times; nb covers the sample's whole span twice, within [NB_MIN,
 * NB_MAX]. Below WHEEL_OFF entries it goes back to the heap alone.
 */
#include "queue.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "heap_impl.h"

#define D 4 /* the heap's arity: heap4's layout and code */

enum {
    WHEEL_ON = 8192,  /* entries at which the wheel starts */
    WHEEL_OFF = 2048, /* entries below which it stops */
    TARGET = 1024,    /* entries a bucket, as tuned (docs/engine.md) */
    HEAP_HI = 16 * TARGET,
    SAMPLE = 512,     /* entries sampled to tune */
    NB_MIN = 64,
    NB_MAX = 1 << 16, /* 1 MiB of bucket headers, 8 KiB of bitmap */
};

#define VB_MAX ((uint64_t)1 << 62) /* cur + nb never wraps */

typedef struct {
    sim_qentry *a;
    uint32_t n, cap;
} bucket;

typedef struct {
    heap h;      /* entries with vb <= cur; all of them when off */
    bool on;
    double origin, inv_w;
    uint64_t cur; /* the current virtual bucket */
    uint32_t nb;  /* physical buckets, a power of two; 0 when off */
    bucket *b;    /* [nb] */
    uint64_t *bits; /* [nb / 64] non-empty buckets */
    size_t wn;      /* entries in the buckets */
    bucket far;      /* the overflow: vb >= cur + nb at their push */
    uint64_t far_vb; /* least vb in far (VB_MAX + 1 when empty) */
    size_t ops;      /* since the last tuning */
    bool broken;     /* a tuning's allocation failed midway: never again */
} wheel;

_Static_assert(NB_MIN % 64 == 0 && (NB_MAX & (NB_MAX - 1)) == 0,
               "whole bitmap words, a power of two");

static inline uint64_t vb_of(const wheel *q, double t)
{
    double x = (t - q->origin) * q->inv_w;
    if (!(x > 0))
        return 0;
    if (x >= (double)VB_MAX)
        return VB_MAX;
    return (uint64_t)x;
}

static int wheel_init(void *p, size_t capacity)
{
    wheel *q = p;
    memset(q, 0, sizeof *q);
    q->far_vb = VB_MAX + 1;
    size_t c = capacity < HEAP_HI ? capacity : HEAP_HI;
    return heap_reserve(&q->h, D, c + D);
}

static void free_buckets(wheel *q)
{
    for (uint32_t i = 0; i < q->nb; i++)
        free(q->b[i].a);
    free(q->b);
    free(q->bits);
    q->b = NULL;
    q->bits = NULL;
    q->nb = 0;
}

static void wheel_fini(void *p)
{
    wheel *q = p;
    free_buckets(q);
    free(q->far.a);
    free(q->h.a);
    memset(q, 0, sizeof *q);
}

static size_t wheel_count(const void *p)
{
    const wheel *q = p;
    return q->h.n + q->wn + q->far.n;
}

static int bucket_append(bucket *bk, sim_qentry e)
{
    if (bk->n == bk->cap) {
        uint32_t cap = bk->cap ? 2 * bk->cap : 16;
        if (cap < bk->cap) /* 2^32 entries in one bucket */
            return SIM_ENOMEM;
        sim_qentry *a = realloc(bk->a, (size_t)cap * sizeof *a);
        if (a == NULL)
            return SIM_ENOMEM;
        bk->a = a;
        bk->cap = cap;
    }
    bk->a[bk->n++] = e;
    return SIM_OK;
}

static int far_append(wheel *q, sim_qentry e, uint64_t v)
{
    if (bucket_append(&q->far, e) != SIM_OK)
        return SIM_ENOMEM;
    if (v < q->far_vb)
        q->far_vb = v;
    return SIM_OK;
}

/* Where e belongs when the wheel is on: the heap, a bucket or the overflow. */
static int place(wheel *q, sim_qentry e)
{
    uint64_t v = vb_of(q, e.time);
    if (v <= q->cur)
        return heap_push(&q->h, D, e);
    if (v - q->cur < q->nb) {
        uint32_t i = (uint32_t)(v & (q->nb - 1));
        if (bucket_append(&q->b[i], e) != SIM_OK)
            return SIM_ENOMEM;
        q->bits[i / 64] |= (uint64_t)1 << (i % 64);
        q->wn++;
        return SIM_OK;
    }
    return far_append(q, e, v);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* All entries into one array (the heap's, grown), the wheel emptied. */
static int gather(wheel *q)
{
    size_t n = wheel_count(q);
    if (heap_reserve(&q->h, D, n + D + 1) != SIM_OK)
        return SIM_ENOMEM;
    sim_qentry *a = q->h.a + (D - 1);
    size_t k = q->h.n;
    for (uint32_t i = 0; i < q->nb; i++) {
        bucket *bk = &q->b[i];
        if (bk->n) /* memcpy from NULL is undefined even for 0 bytes */
            memcpy(a + k, bk->a, (size_t)bk->n * sizeof *a);
        k += bk->n;
        bk->n = 0;
    }
    if (q->far.n)
        memcpy(a + k, q->far.a, q->far.n * sizeof *a);
    k += q->far.n;
    q->wn = 0;
    q->far.n = 0;
    q->far_vb = VB_MAX + 1;
    if (q->bits)
        memset(q->bits, 0, q->nb / 64 * sizeof *q->bits);
    q->h.n = k;
    return SIM_OK;
}

/* Makes the heap's array a heap again after gather or a filter, by sifting
 * each entry up in turn: O(1) an entry on average for entries in random
 * order or in time order, as a bucket's and the overflow's are. */
static void heapify(heap *h)
{
    sim_qentry *a = h->a + (D - 1);
    size_t n = h->n;
    h->n = 0;
    for (size_t i = 0; i < n; i++) { /* sift_up in place: O(n) on average */
        h->n++;
        sift_up(h, D, i, a[i]);
    }
}

/* The heap alone, its array holding every entry (after gather). */
static void heap_only(wheel *q)
{
    heapify(&q->h);
    free_buckets(q);
    q->on = false;
}

/* Back to the heap alone. */
static void turn_off(wheel *q)
{
    if (gather(q) != SIM_OK) {
        q->broken = true; /* keeps going on, correct, never tunes again */
        return;
    }
    heap_only(q);
}

/* Re-estimates w and nb from the entries and redistributes them (see the
 * top). On SIM_ENOMEM the entries are all in a valid structure still. */
static void tune(wheel *q)
{
    q->ops = 0;
    if (q->broken || gather(q) != SIM_OK)
        return;
    sim_qentry *a = q->h.a + (D - 1);
    size_t n = q->h.n;
    double s[SAMPLE];
    size_t m = n < SAMPLE ? n : SAMPLE;
    for (size_t i = 0; i < m; i++)
        s[i] = a[i * n / m].time;
    qsort(s, m, sizeof *s, cmp_double);
    double lo = s[0], span = s[m / 4] - lo, all = s[m - 1] - lo;
    if (!(span > 0))
        span = all;
    double w = span * TARGET / ((double)n / 4);
    if (!(w > 0) || !isfinite(w) || !isfinite(1 / w) || !isfinite(all)) {
        /* One time for all, or no spread a double can bucket: the heap. */
        heap_only(q);
        return;
    }
    uint64_t want = NB_MIN;
    while (want < NB_MAX && (double)want * w < 2 * all)
        want *= 2;
    if (want != q->nb) {
        bucket *b = calloc(want, sizeof *b);
        uint64_t *bits = calloc(want / 64, sizeof *bits);
        if (b == NULL || bits == NULL) {
            free(b);
            free(bits);
            heap_only(q);
            q->broken = true;
            return;
        }
        free_buckets(q);
        q->b = b;
        q->bits = bits;
        q->nb = (uint32_t)want;
    }
    q->on = true;
    q->origin = lo;
    q->inv_w = 1 / w;
    /* The least entry's bucket is the current one. */
    double tmin = a[0].time;
    for (size_t i = 1; i < n; i++)
        if (a[i].time < tmin)
            tmin = a[i].time;
    q->cur = vb_of(q, tmin);
    size_t keep = 0;
    for (size_t i = 0; i < n; i++) {
        sim_qentry e = a[i];
        uint64_t v = vb_of(q, e.time);
        if (v <= q->cur) {
            a[keep++] = e;
        } else if (place(q, e) != SIM_OK) {
            /* Out of memory: what is not placed stays in the heap, which
             * holds entries of any vb correctly (min advances over them). */
            for (size_t j = i; j < n; j++)
                a[keep++] = a[j];
            q->broken = true;
            break;
        }
    }
    q->h.n = keep;
    heapify(&q->h);
}

/* The next non-empty bucket after cur, as a virtual bucket; 0 if none. */
static uint64_t next_bucket(const wheel *q)
{
    uint32_t nb = q->nb, start = (uint32_t)((q->cur + 1) & (nb - 1));
    uint32_t words = nb / 64;
    uint32_t wi = start / 64;
    uint64_t word = q->bits[wi] & (~(uint64_t)0 << (start % 64));
    for (uint32_t k = 0; k <= words; k++) {
        if (word) {
            uint32_t i = wi * 64 + (uint32_t)__builtin_ctzll(word);
            uint32_t d = (i - start) & (nb - 1);
            return q->cur + 1 + d;
        }
        wi = (wi + 1) % words;
        word = q->bits[wi];
    }
    return 0;
}

/* Moves cur forward to the next non-empty bucket, or to the overflow's least
 * bucket if that comes first, and their entries into the heap (which has room
 * for every entry: wheel_push keeps it so). False when nothing is left outside
 * the heap. */
static bool advance(wheel *q)
{
    uint64_t nv = q->wn ? next_bucket(q) : VB_MAX + 1;
    uint64_t fv = q->far.n ? q->far_vb : VB_MAX + 1;
    uint64_t to = nv < fv ? nv : fv;
    if (to > VB_MAX)
        return false;
    q->cur = to;
    if (nv == to) {
        uint32_t i = (uint32_t)(nv & (q->nb - 1));
        bucket *bk = &q->b[i];
        q->bits[i / 64] &= ~((uint64_t)1 << (i % 64));
        q->wn -= bk->n;
        for (uint32_t k = 0; k < bk->n; k++)
            (void)heap_push(&q->h, D, bk->a[k]); /* has room */
        bk->n = 0;
    }
    if (fv == to) {
        /* Each overflow entry where it now belongs; the wheel's window moved
         * on, so some fit in buckets. One whose bucket cannot grow goes into
         * the heap, which holds entries of any bucket correctly (min moves
         * cur on until the heap's least is current). */
        uint32_t n = q->far.n;
        q->far.n = 0;
        q->far_vb = VB_MAX + 1;
        for (uint32_t i = 0; i < n; i++) /* re-appends write behind i */
            if (place(q, q->far.a[i]) != SIM_OK)
                (void)heap_push(&q->h, D, q->far.a[i]); /* has room */
    }
    return true;
}

static const sim_qentry *wheel_min(void *p)
{
    wheel *q = p;
    if (!q->on)
        return heap_min(&q->h, D);
    for (;;) {
        const sim_qentry *top = heap_min(&q->h, D);
        if (top != NULL && vb_of(q, top->time) <= q->cur)
            return top;
        if (!advance(q))
            return top; /* nothing outside the heap: its least is the least */
    }
}

static void maybe_tune(wheel *q)
{
    size_t n = wheel_count(q);
    q->ops++;
    if (q->broken)
        return;
    if (!q->on) {
        if (n >= WHEEL_ON && q->ops >= n / 2)
            tune(q);
        return;
    }
    if (n < WHEEL_OFF) {
        turn_off(q);
        return;
    }
    if (q->ops >= n && (q->h.n > HEAP_HI || q->far.n > q->wn + q->h.n))
        tune(q);
}

static int wheel_push(void *p, sim_qentry e)
{
    wheel *q = p;
    /* Room in the heap for every entry, so that moving a bucket or the
     * overflow into it (in min, which cannot fail) never allocates. */
    if (q->on && heap_reserve(&q->h, D, wheel_count(q) + 2 * D + 2) != SIM_OK)
        return SIM_ENOMEM;
    int rc = q->on ? place(q, e) : heap_push(&q->h, D, e);
    if (rc == SIM_OK)
        maybe_tune(q);
    return rc;
}

static void wheel_pop(void *p)
{
    wheel *q = p;
    (void)wheel_min(q);
    heap_pop(&q->h, D);
    maybe_tune(q);
}

static int wheel_replace_min(void *p, sim_qentry e)
{
    wheel *q = p;
    (void)wheel_min(q);
    int rc;
    if (!q->on || vb_of(q, e.time) <= q->cur) {
        rc = heap_replace(&q->h, D, e);
    } else {
        heap_pop(&q->h, D);
        rc = place(q, e);
    }
    maybe_tune(q);
    return rc;
}

const sim_queue_type sim_queue_wheel = {
    "wheel",   sizeof(wheel), wheel_init, wheel_fini,       wheel_count,
    wheel_push, wheel_min,    wheel_pop,  wheel_replace_min};
