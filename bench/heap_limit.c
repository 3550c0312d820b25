/* heap_limit.c -- the PHOLD hold model on a bare binary heap: the ceiling for
 * heap engines.
 *
 * The same workload and the same random draws in the same order as bench/phold,
 * on an array heap of 16-byte (time, payload) entries with nothing around it:
 * no pool, no handles, no dispatch, no tie-breaking sequence number. Each step
 * pops the minimum and pushes its successor (a plain pop then push, as the
 * textbook hold model does). An engine's rate divided by this one is the share
 * of the machine's heap throughput it keeps.
 *
 * `--heap tuned` runs the same model on a heap with the engine's own techniques
 * (4-ary, cache-line aligned, branch-free choice of the least child, pop and
 * push fused into one sift-down) but still nothing around it: the engine
 * against this one measures what the pool, handles, dispatch and tie-breaking
 * cost, with the heap itself held equal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "phold_opts.h"
#include "rng.h"

typedef struct {
    double time;
    uint64_t lp;
} entry;

/* Push onto a d-ary heap (d = 2: textbook; d = 4: tuned). Callers pass d as
 * a literal, so each use compiles to its own specialised loop. */
static inline void push(entry *h, size_t *n, entry e, size_t d)
{
    size_t k = (*n)++;
    while (k > 0) {
        size_t parent = (k - 1) / d;
        if (!(e.time < h[parent].time))
            break;
        h[k] = h[parent];
        k = parent;
    }
    h[k] = e;
}

static entry pop(entry *h, size_t *n)
{
    entry top = h[0], e = h[--*n];
    size_t k = 0, len = *n;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= len)
            break;
        if (c + 1 < len && h[c + 1].time < h[c].time)
            c++;
        if (!(h[c].time < e.time))
            break;
        h[k] = h[c];
        k = c;
    }
    if (len > 0)
        h[k] = e;
    return top;
}

/* The tuned heap: root at index 3 of a 64-byte aligned array, so four siblings
 * share a line. */
static inline size_t least4(const entry *a, size_t f)
{
    size_t m01 = f + (size_t)(a[f + 1].time < a[f].time);
    size_t m23 = f + 2 + (size_t)(a[f + 3].time < a[f + 2].time);
    return m01 + (m23 - m01) * (size_t)(a[m23].time < a[m01].time);
}

static void sift_down4(entry *a, size_t n, entry e)
{
    size_t k = 0;
    for (;;) {
        size_t f = 4 * k + 1, best;
        if (f + 4 <= n) {
            best = least4(a, f);
        } else if (f < n) {
            best = f;
            for (size_t c = f + 1; c < n; c++)
                if (a[c].time < a[best].time)
                    best = c;
        } else {
            break;
        }
        if (!(a[best].time < e.time))
            break;
        a[k] = a[best];
        k = best;
    }
    a[k] = e;
}

static void pop4(entry *a, size_t *n)
{
    if (--*n > 0)
        sift_down4(a, *n, a[*n]);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    /* --heap is ours alone; the rest is the shared PHOLD command line. */
    int tuned = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--heap") != 0)
            continue;
        if (i + 1 >= argc || (strcmp(argv[i + 1], "tuned") != 0 &&
                              strcmp(argv[i + 1], "textbook") != 0)) {
            fprintf(stderr,
                    "%s: --heap: expected 'textbook' or 'tuned', got '%s'\n",
                    argv[0], i + 1 < argc ? argv[i + 1] : "(nothing)");
            return 2;
        }
        tuned = strcmp(argv[i + 1], "tuned") == 0;
        for (int j = i; j + 2 < argc; j++) /* drop the pair */
            argv[j] = argv[j + 2];
        argc -= 2;
        break;
    }
    phold_opts o;
    if (phold_parse(argc, argv, &o, 0) != 0)
        return 2;
    const gsl_rng_type *rt = sim_rng_type_by_name(o.rng);
    if (rt == NULL) {
        fprintf(stderr, "%s: --rng: unknown GSL generator '%s'\n", argv[0],
                o.rng);
        return 2;
    }
    sim_rng *rng = NULL;
    sim_err err = {0};
    size_t cap = (size_t)o.lps * o.start_events + 4, n = 0;
    entry *base = aligned_alloc(64, (cap * sizeof(entry) + 63) / 64 * 64);
    entry *h = tuned && base ? base + 3
                             : base; /* tuned: root at index 3, see least4 */
    if (base == NULL ||
        sim_rng_new(o.seed, 0, 0, "phold", rt, &rng, &err) != SIM_OK) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        return 1;
    }
    gsl_rng *r = sim_rng_gsl(rng);
    const double mml = o.mean - o.lookahead;
    const uint32_t lps = (uint32_t)o.lps;
    for (uint32_t g = 0; g < lps; g++)
        for (unsigned long e = 0; e < o.start_events; e++) {
            double t = o.lookahead + sim_rng_exp_mean(rng, mml);
            if (t < o.end) {
                if (tuned)
                    push(h, &n, (entry){t, g}, 4);
                else
                    push(h, &n, (entry){t, g}, 2);
            }
        }
    unsigned long long events = 0;
    double t0 = phold_wall(), c0 = phold_cpu();
    if (!tuned) {
        while (n > 0) {
            entry e = pop(h, &n);
            events++;
            uint64_t dest = e.lp;
            if (gsl_rng_uniform(r) <= o.remote)
                dest = gsl_rng_uniform_int(r, lps);
            double t = e.time + o.lookahead + sim_rng_exp_mean(rng, mml);
            if (t < o.end)
                push(h, &n, (entry){t, dest}, 2);
        }
    } else {
        while (n > 0) {
            entry e = h[0];
            events++;
            uint64_t dest = e.lp;
            if (gsl_rng_uniform(r) <= o.remote)
                dest = gsl_rng_uniform_int(r, lps);
            double t = e.time + o.lookahead + sim_rng_exp_mean(rng, mml);
            if (t < o.end)
                sift_down4(h, n,
                           (entry){t, dest}); /* pop and push in one sift */
            else
                pop4(h, &n);
        }
    }
    double secs = phold_wall() - t0, cpu = phold_cpu() - c0;
    phold_report(events, secs, cpu);
    sim_rng_free(rng);
    free(base);
    return 0;
}
