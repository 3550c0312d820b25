/* calendar.c -- Brown's calendar queue (CACM 31(10), 1988) for the
 * pending-event set.
 *
 * Time is cut into Brown's "days", intervals of width w (unrelated to the
 * simulation's unit). An entry's virtual bucket, the day it falls in, is v =
 * floor(time / w), computed as time * (1 / w) and clamped to [0, 2^62]; it
 * lives in physical bucket v mod nb (nb a power of two, so a year is nb days).
 * A dequeue walks days from cur; after a whole year without a hit it searches
 * all buckets directly, Brown's fix for the empty year (one far-future entry
 * would otherwise cost a year per pop). The bucket count doubles when entries
 * exceed 2 nb and halves below nb / 2; each rebuild re-estimates w as Brown
 * does: 3 x the mean gap between the least 5 + n/10 (at most 25) entries,
 * ignoring gaps over twice the mean. Brown only re-estimates on a resize, so a
 * width left stale by a change of time scale is also re-estimated when dequeues
 * scan more than 4 days each.
 *
 * Invariant: no entry has a virtual bucket below cur, and every bucket records
 * top, the virtual bucket of its least entry. v is monotone in time
 * (multiplying by a positive constant, flooring and clamping never reverse an
 * order), so the bucket whose top equals the day being visited holds the global
 * minimum however rounding placed the day boundaries. Within a bucket, and so
 * overall, the order is exactly sim_qentry_less, as in the heaps; the width
 * only affects speed. top[cur mod nb] == cur doubles as the cached "minimum
 * found" state that min() leaves for pop and replace_min.
 *
 * The decision a newcomer would question: each bucket is a small binary heap,
 * not Brown's sorted list. Equal times share a bucket whatever the width (a
 * model can put thousands of events at t = 0), and a sorted bucket makes each
 * insert O(bucket size) there; a heap keeps it O(log), and a bucket of a few
 * entries (3-4 in a hold) costs the same either way. Buckets are segments of
 * one slab addressed by offset, moved to the free end when full and compacted
 * when the slab is full, so steady operation allocates nothing.
 */
#include "queue.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

enum {
    CAL_MIN_BUCKETS =
        16, /* never shrink below this: a year must cover a few events */
    CAL_SAMPLE_MAX = 25, /* Brown's cap on the entries sampled for the width */
    CAL_SCAN_LIMIT =
        4, /* days scanned per dequeue, on average, that trigger a retune */
    CAL_KEEP_SLOTS =
        16, /* a bucket's segment is never trimmed below this (compact_cap) */
};

/* Virtual buckets are clamped below 2^62 so cur + nb can never wrap around. */
#define CAL_VB_MAX ((uint64_t)1 << 62)
#define CAL_EMPTY                                                              \
    UINT64_MAX /* top of an empty bucket; cur of an empty queue                \
                */

typedef struct {
    uint64_t top; /* virtual bucket of the least entry; CAL_EMPTY when n == 0 */
    size_t off;   /* first slot of the segment in the slab */
    uint32_t
        n; /* entries: a binary heap on sim_qentry_less in slab[off, off + n) */
    uint32_t cap; /* slots in the segment */
} cal_bucket;

typedef struct {
    cal_bucket *b;    /* nb buckets; NULL until the first push */
    sim_qentry *slab; /* every bucket's segment */
    size_t slab_used; /* slots handed out: segments and the abandoned ones
                         between them */
    size_t slab_cap;  /* slots allocated */
    size_t nb;        /* buckets, a power of two (0 before the first push) */
    size_t n;         /* entries */
    double inv_width; /* 1 / w: days (buckets) per unit of time; positive and
                         finite */
    uint64_t cur;     /* the day being visited; no entry lies before it */
    size_t dequeues;  /* pops and replace_mins since the last rebuild or retune
                         check */
    size_t scanned;   /* days walked past (plus direct-search costs) in those
                         dequeues */
} calendar;

static inline uint64_t vbucket(double inv_width, double t)
{
    double x = t * inv_width;
    if (!(x >
          0.0)) /* also catches a negative time: clamping keeps v monotone */
        return 0;
    if (!(x < (double)CAL_VB_MAX))
        return CAL_VB_MAX;
    return (uint64_t)x; /* truncation is floor for x > 0 */
}

/* Heap operations inside one bucket's segment; both move a hole rather than
 * swapping. seg_sift_up returns where e came to rest, so the caller knows
 * whether it is the root. */
static inline size_t seg_sift_up(sim_qentry *a, size_t k, sim_qentry e)
{
    while (k > 0) {
        size_t parent = (k - 1) / 2;
        if (!sim_qentry_less(e, a[parent]))
            break;
        a[k] = a[parent];
        k = parent;
    }
    a[k] = e;
    return k;
}

static inline void seg_sift_down(sim_qentry *a, size_t n, size_t k,
                                 sim_qentry e)
{
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= n)
            break;
        if (c + 1 < n && sim_qentry_less(a[c + 1], a[c]))
            c++;
        if (!sim_qentry_less(a[c], e))
            break;
        a[k] = a[c];
        k = c;
    }
    a[k] = e;
}

/* Adds e (virtual bucket v) to bk, which must have a free slot. */
static inline void bucket_insert(cal_bucket *bk, sim_qentry *slab, uint64_t v,
                                 sim_qentry e)
{
    assert(bk->n < bk->cap);
    if (seg_sift_up(slab + bk->off, bk->n++, e) == 0)
        bk->top = v;
}

static inline void bucket_pop(calendar *c, cal_bucket *bk)
{
    sim_qentry *a = c->slab + bk->off;
    assert(bk->n > 0);
    uint32_t n = --bk->n;
    if (n == 0) {
        bk->top = CAL_EMPTY;
        return;
    }
    seg_sift_down(a, n, 0, a[n]);
    bk->top = vbucket(c->inv_width, a[0].time);
}

static inline void bucket_replace_root(calendar *c, cal_bucket *bk,
                                       sim_qentry e)
{
    sim_qentry *a = c->slab + bk->off;
    assert(bk->n > 0);
    seg_sift_down(a, bk->n, 0, e);
    bk->top = vbucket(c->inv_width, a[0].time);
}

static int slab_alloc(size_t slots, sim_qentry **out)
{
    if (slots > SIZE_MAX / sizeof(sim_qentry))
        return SIM_ENOMEM;
    *out = malloc(slots * sizeof(sim_qentry));
    return *out != NULL ? SIM_OK : SIM_ENOMEM;
}

/* The segment a bucket keeps when the slab is compacted: its current size, so a
 * bucket's usual high-water mark does not move again, but at most max(2 (n +
 * 1), CAL_KEEP_SLOTS), so a bucket that was crowded once does not pin the
 * memory until the next resize. The floor matters: in a hold a bucket empties
 * when its day is dequeued and refills a year later, and trimming it to n + 1
 * then made it move again (11k compactions in 14M holds at 1024 entries,
 * against 16 with the floor). */
static size_t compact_cap(const cal_bucket *bk)
{
    size_t keep = 2 * ((size_t)bk->n + 1);
    keep = keep > CAL_KEEP_SLOTS ? keep : CAL_KEEP_SLOTS;
    return bk->cap < keep ? bk->cap : keep;
}

/* Copies every segment into a fresh slab, dropping the abandoned ones, with
 * want slots for bucket grow. On failure nothing changes. */
static int compact(calendar *c, size_t grow, size_t want)
{
    size_t total = 0;
    for (size_t i = 0; i < c->nb; i++)
        total += i == grow ? want : compact_cap(&c->b[i]);
    size_t cap =
        total + total / 2; /* free room so the next compaction is far off */
    sim_qentry *slab;
    if (slab_alloc(cap, &slab) != SIM_OK)
        return SIM_ENOMEM;
    size_t off = 0;
    for (size_t i = 0; i < c->nb; i++) {
        cal_bucket *bk = &c->b[i];
        size_t seg = i == grow ? want : compact_cap(bk);
        if (bk->n > 0)
            memcpy(slab + off, c->slab + bk->off, bk->n * sizeof *slab);
        bk->off = off;
        bk->cap = (uint32_t)seg;
        off += seg;
    }
    free(c->slab);
    c->slab = slab;
    c->slab_used = off;
    c->slab_cap = cap;
    return SIM_OK;
}

/* Makes room for one more entry in bucket i. On failure nothing changes. */
static int bucket_reserve(calendar *c, size_t i)
{
    cal_bucket *bk = &c->b[i];
    if (bk->n < bk->cap)
        return SIM_OK;
    if (bk->cap > UINT32_MAX / 2)
        return SIM_ENOMEM;
    size_t want = bk->cap < 2 ? 4 : 2 * (size_t)bk->cap;
    if (bk->off + bk->cap == c->slab_used && c->slab_cap - bk->off >= want) {
        c->slab_used = bk->off + want; /* the last segment grows in place */
    } else if (c->slab_cap - c->slab_used >= want) {
        if (bk->n > 0)
            memcpy(c->slab + c->slab_used, c->slab + bk->off,
                   bk->n * sizeof *c->slab);
        bk->off = c->slab_used;
        c->slab_used += want;
    } else {
        return compact(c, i, want);
    }
    bk->cap = (uint32_t)want;
    return SIM_OK;
}

/* Brown's estimate of 1 / w from the least entries, sorted: w = 3 x the mean
 * gap after dropping gaps over twice the mean. Zero gaps are dropped too: equal
 * times share a bucket whatever w is, so they say nothing about it, and a
 * sample of ties would give w = 0. With no positive gap, w = spread / n spreads
 * the entries over about one year. If that too is zero or not finite, the old
 * width stays. */
static double estimate_inv_width(const sim_qentry *s, size_t ns, double spread,
                                 size_t n, double old)
{
    double sum = 0.0;
    size_t k = 0;
    for (size_t i = 1; i < ns; i++) {
        double gap = s[i].time - s[i - 1].time;
        if (gap > 0.0) {
            sum += gap;
            k++;
        }
    }
    double width = 0.0;
    if (k > 0) {
        double limit = 2.0 * sum / (double)k;
        double kept = 0.0;
        size_t m = 0; /* >= 1: the least positive gap is at most the mean */
        for (size_t i = 1; i < ns; i++) {
            double gap = s[i].time - s[i - 1].time;
            if (gap > 0.0 && gap <= limit) {
                kept += gap;
                m++;
            }
        }
        width = 3.0 * kept / (double)m;
    } else if (n > 1) {
        width = spread / (double)n;
    }
    double inv = 1.0 / width;
    if (!(width > 0.0) || !(inv > 0.0) || !isfinite(inv))
        return old;
    return inv;
}

/* Redistributes every entry over nb2 buckets with a freshly estimated width.
 * stretch > 1 asks for a width at least stretch times the current one (a retune
 * after costly scans). Everything is allocated before anything changes, so on
 * failure the queue is untouched. */
static int rebuild(calendar *c, size_t nb2, double stretch)
{
    assert(nb2 >= CAL_MIN_BUCKETS && (nb2 & (nb2 - 1)) == 0);
    if (nb2 > SIZE_MAX / sizeof(cal_bucket))
        return SIM_ENOMEM;
    /* First, so that a shrink that keeps failing (retried at every pop) fails
     * cheaply. */
    cal_bucket *b2 = malloc(nb2 * sizeof *b2);
    if (b2 == NULL)
        return SIM_ENOMEM;

    /* The least entries, sorted, by insertion into a short array: the sample is
     * near the head, as in Brown's, without disturbing the queue. */
    sim_qentry sample[CAL_SAMPLE_MAX];
    size_t want = c->n <= 5 ? c->n : 5 + c->n / 10;
    want = want < CAL_SAMPLE_MAX ? want : CAL_SAMPLE_MAX;
    size_t got = 0;
    double tmin = HUGE_VAL, tmax = -HUGE_VAL;
    for (size_t i = 0; i < c->nb; i++) {
        const sim_qentry *a = c->slab + c->b[i].off;
        for (size_t j = 0; j < c->b[i].n; j++) {
            sim_qentry e = a[j];
            tmin = e.time < tmin ? e.time : tmin;
            tmax = e.time > tmax ? e.time : tmax;
            if (got == want && !sim_qentry_less(e, sample[got - 1]))
                continue;
            size_t k = got < want ? got++ : got - 1;
            for (; k > 0 && sim_qentry_less(e, sample[k - 1]); k--)
                sample[k] = sample[k - 1];
            sample[k] = e;
        }
    }
    assert(got == want);
    double inv =
        estimate_inv_width(sample, got, tmax - tmin, c->n, c->inv_width);
    if (stretch > 1.0 && c->inv_width / stretch < inv)
        inv = c->inv_width / stretch;

    size_t mask = nb2 - 1;
    for (size_t i = 0; i < nb2; i++)
        b2[i] = (cal_bucket){.top = CAL_EMPTY, .off = 0, .n = 0, .cap = 0};
    for (size_t i = 0; i < c->nb; i++) {
        const sim_qentry *a = c->slab + c->b[i].off;
        for (size_t j = 0; j < c->b[i].n; j++) {
            cal_bucket *bk = &b2[vbucket(inv, a[j].time) & mask];
            if (bk->n == UINT32_MAX - 1) {
                free(b2);
                return SIM_ENOMEM;
            }
            bk->n++;
        }
    }
    /* One spare slot per bucket: an insert into a full bucket moves it, so
     * without the spare the first insert anywhere would. */
    size_t total = 0;
    for (size_t i = 0; i < nb2; i++) {
        b2[i].off = total;
        b2[i].cap = b2[i].n + 1;
        b2[i].n = 0;
        total += b2[i].cap;
    }
    size_t cap = total + total / 2;
    sim_qentry *slab2;
    if (slab_alloc(cap, &slab2) != SIM_OK) {
        free(b2);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < c->nb; i++) {
        const sim_qentry *a = c->slab + c->b[i].off;
        for (size_t j = 0; j < c->b[i].n; j++) {
            uint64_t v = vbucket(inv, a[j].time);
            bucket_insert(&b2[v & mask], slab2, v, a[j]);
        }
    }

    free(c->b);
    free(c->slab);
    c->b = b2;
    c->slab = slab2;
    c->slab_used = total;
    c->slab_cap = cap;
    c->nb = nb2;
    c->inv_width = inv;
    c->cur = got > 0 ? vbucket(inv, sample[0].time) : CAL_EMPTY;
    c->dequeues = 0;
    c->scanned = 0;
    return SIM_OK;
}

/* The bucket holding the least entry, leaving cur on its day. */
static inline size_t find_min(calendar *c)
{
    assert(c->n > 0);
    size_t mask = c->nb - 1;
    uint64_t v = c->cur;
    for (size_t i = 0; i < c->nb; i++, v++) {
        size_t k = (size_t)(v & mask);
        assert(c->b[k].top >= v); /* the invariant: nothing before cur */
        if (c->b[k].top == v) {
            c->cur = v;
            c->scanned += i;
            return k;
        }
    }
    /* A year without a hit: the least top is the minimum's day, and the bucket
     * holding it is the only one with that top, since all entries of one day
     * share a bucket. */
    size_t best = 0;
    for (size_t k = 1; k < c->nb; k++)
        if (c->b[k].top < c->b[best].top)
            best = k;
    c->cur = c->b[best].top;
    c->scanned += 2 * c->nb;
    return best;
}

/* After every dequeue: each 2 nb dequeues, a width whose scans averaged more
 * than CAL_SCAN_LIMIT days is re-estimated, and widened at least as far as the
 * scans suggest (aiming at two days per dequeue). That also covers times spread
 * over many orders of magnitude, where no width from the head sample fits:
 * entries then crowd into a few buckets, whose heaps keep that O(log n),
 * instead of every pop costing a direct search. */
static void retune(calendar *c)
{
    if (++c->dequeues < 2 * c->nb)
        return;
    if (c->scanned > CAL_SCAN_LIMIT * c->dequeues) {
        double stretch = (double)c->scanned / (2.0 * (double)c->dequeues);
        (void)rebuild(c, c->nb,
                      stretch); /* on ENOMEM it stays as it is, only slower */
    }
    c->dequeues = 0;
    c->scanned = 0;
}

static int cal_init(void *q, size_t capacity)
{
    /* The capacity hint is unused: every doubling rebuilds (to re-learn the
     * width) into a fresh slab, so anything allocated for it now would be
     * thrown away at n = 33. Buckets are allocated by the first push, so init
     * cannot fail. */
    (void)capacity;
    calendar *c = q;
    memset(c, 0, sizeof *c);
    c->inv_width = 1.0;
    c->cur = CAL_EMPTY;
    return SIM_OK;
}

static void cal_fini(void *q)
{
    calendar *c = q;
    free(c->b);
    free(c->slab);
    memset(c, 0, sizeof *c);
}

static size_t cal_count(const void *q)
{
    return ((const calendar *)q)->n;
}

static int cal_push(void *q, sim_qentry e)
{
    calendar *c = q;
    /* queue.h's precondition. sim_qentry_less compares bit patterns, under
     * which -0.0 sorts after every positive time while vbucket puts it with 0:
     * the orders agree only here. */
    assert(isfinite(e.time) && !signbit(e.time));
    if (c->n >= 2 * c->nb) {
        int rc = rebuild(c, c->nb == 0 ? CAL_MIN_BUCKETS : 2 * c->nb, 1.0);
        if (rc != SIM_OK)
            return rc;
    }
    uint64_t v = vbucket(c->inv_width, e.time);
    size_t k = (size_t)(v & (c->nb - 1));
    if (bucket_reserve(c, k) != SIM_OK)
        return SIM_ENOMEM;
    bucket_insert(&c->b[k], c->slab, v, e);
    c->n++;
    if (v < c->cur)
        c->cur = v;
    return SIM_OK;
}

static const sim_qentry *cal_min(void *q)
{
    calendar *c = q;
    if (c->n == 0)
        return NULL;
    return &c->slab[c->b[find_min(c)].off];
}

static void cal_pop(void *q)
{
    calendar *c = q;
    assert(c->n > 0);
    bucket_pop(c, &c->b[find_min(c)]);
    if (--c->n == 0)
        c->cur = CAL_EMPTY;
    /* pop cannot report ENOMEM; a failed shrink leaves more buckets than
     * needed, which is slower but valid, and is retried at the next pop. */
    if (c->nb > CAL_MIN_BUCKETS && c->n < c->nb / 2)
        (void)rebuild(c, c->nb / 2, 1.0);
    else
        retune(c);
}

/* Exactly pop then push(e), failure included: on ENOMEM the least entry is gone
 * and e was not added, which is what the engine expects (sim_schedule_at in
 * engine.c). */
static int cal_replace_min(void *q, sim_qentry e)
{
    calendar *c = q;
    assert(c->n > 0);
    assert(isfinite(e.time) && !signbit(e.time)); /* as in cal_push */
    size_t from = find_min(c);
    uint64_t v = vbucket(c->inv_width, e.time);
    size_t to = (size_t)(v & (c->nb - 1));
    if (to == from) {
        bucket_replace_root(c, &c->b[from], e);
    } else if (bucket_reserve(c, to) == SIM_OK) {
        bucket_pop(c, &c->b[from]);
        bucket_insert(&c->b[to], c->slab, v, e);
    } else {
        bucket_pop(c, &c->b[from]);
        if (--c->n == 0)
            c->cur = CAL_EMPTY;
        return SIM_ENOMEM;
    }
    if (v < c->cur)
        c->cur = v;
    retune(c);
    return SIM_OK;
}

const sim_queue_type sim_queue_calendar = {
    "calendar", sizeof(calendar), cal_init, cal_fini,       cal_count,
    cal_push,   cal_min,          cal_pop,  cal_replace_min};
