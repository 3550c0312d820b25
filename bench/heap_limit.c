/* heap_limit.c -- the PHOLD hold model on a bare binary heap: the ceiling for heap engines.
 *
 * The same workload and the same random draws in the same order as bench/phold, on an array
 * heap of 16-byte (time, payload) entries with nothing around it: no pool, no handles, no
 * dispatch, no tie-breaking sequence number. Each step pops the minimum and pushes its
 * successor (a plain pop then push, as the textbook hold model does). An engine's rate
 * divided by this one is the share of the machine's heap throughput it keeps.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "phold_opts.h"
#include "rng.h"

typedef struct {
    double time;
    uint64_t lp;
} entry;

static void push(entry *h, size_t *n, entry e)
{
    size_t k = (*n)++;
    while (k > 0) {
        size_t parent = (k - 1) / 2;
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

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    phold_opts o;
    if (phold_parse(argc, argv, &o, 0) != 0)
        return 2;
    const gsl_rng_type *rt = sim_rng_type_by_name(o.rng);
    if (rt == NULL) {
        fprintf(stderr, "%s: --rng: unknown GSL generator '%s'\n", argv[0], o.rng);
        return 2;
    }
    sim_rng *rng = NULL;
    sim_err err = {0};
    size_t cap = (size_t)o.lps * o.start_events + 1, n = 0;
    entry *h = malloc(cap * sizeof *h);
    if (h == NULL || sim_rng_new(o.seed, 0, 0, "phold", rt, &rng, &err) != SIM_OK) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        return 1;
    }
    gsl_rng *r = sim_rng_gsl(rng);
    const double mml = o.mean - o.lookahead;
    const uint32_t lps = (uint32_t)o.lps;
    for (uint32_t g = 0; g < lps; g++)
        for (unsigned long e = 0; e < o.start_events; e++) {
            double t = o.lookahead + sim_rng_exp_mean(rng, mml);
            if (t < o.end)
                push(h, &n, (entry){t, g});
        }
    unsigned long long events = 0;
    double t0 = phold_wall();
    while (n > 0) {
        entry e = pop(h, &n);
        events++;
        uint64_t dest = e.lp;
        if (gsl_rng_uniform(r) < o.remote)
            dest = gsl_rng_uniform_int(r, lps);
        double t = e.time + o.lookahead + sim_rng_exp_mean(rng, mml);
        if (t < o.end)
            push(h, &n, (entry){t, dest});
    }
    double secs = phold_wall() - t0;
    phold_report(events, secs);
    sim_rng_free(rng);
    free(h);
    return 0;
}
