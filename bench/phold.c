/* phold.c -- the PHOLD benchmark on the aims engine, with ROSS's phold
 * semantics.
 *
 * N logical processes (LPs, here just target indices); each starts with E
 * events to itself at lookahead + Exp(mean - lookahead). Handling an event at
 * LP g schedules exactly one event at now + lookahead + Exp(mean - lookahead),
 * to an LP drawn uniformly from all N (g included) with probability `remote`,
 * else to g; an event at or past `end` is not scheduled. The remote test is
 * ROSS's `U <= remote` (so remote 0 still sends one event in 2^32 away, as ROSS
 * does). Draw order
 * per event: the remote test, the destination (when remote), then the delay --
 * exactly what bench/heap_limit draws, so the two rates compare.
 *
 * One random stream ("phold") serves all LPs: per-LP generators would measure
 * cache misses on generator state, not the engine.
 */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "engine.h"
#include "phold_opts.h"

typedef struct {
    sim_rng *rng;
    double remote, mean_minus_la, lookahead, end;
    uint32_t lps;
} phold;

enum { EV_PHOLD = 1 };

static int on_phold(sim_engine *eng, void *ctx, const sim_msg *m)
{
    phold *p = ctx;
    uint32_t dest = m->target;
    if (sim_rng_uniform(p->rng) <= p->remote)
        dest = sim_rng_uniform_int(p->rng, p->lps);
    double t = sim_now(eng) + p->lookahead +
               sim_rng_exp_mean(p->rng, p->mean_minus_la);
    if (t >= p->end)
        return SIM_OK;
    sim_msg next = {.kind = EV_PHOLD, .target = dest};
    return sim_schedule_at(eng, t, &next, NULL);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    phold_opts o;
    if (phold_parse(argc, argv, &o, 1) != 0)
        return 2;
    const gsl_rng_type *rt = sim_rng_type_by_name(o.rng);
    if (rt == NULL) {
        fprintf(stderr, "%s: --rng: unknown GSL generator '%s'\n", argv[0],
                o.rng);
        return 2;
    }
    sim_err err = {0};
    sim_engine *eng = NULL;
    sim_engine_opts eo = {.seed = o.seed,
                          .queue = o.queue,
                          .capacity = (size_t)o.lps * o.start_events};
    if (sim_engine_new_opts(&eo, &eng, &err) != SIM_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], err.msg);
        return 2;
    }
    phold p = {.remote = o.remote,
               .mean_minus_la = o.mean - o.lookahead,
               .lookahead = o.lookahead,
               .end = o.end,
               .lps = (uint32_t)o.lps};
    if (sim_rng_new(o.seed, 0, 0, "phold", rt, &p.rng, &err) != SIM_OK ||
        sim_on(eng, EV_PHOLD, on_phold, &p) != SIM_OK) {
        fprintf(stderr, "%s: %s\n", argv[0],
                err.msg[0] ? err.msg : "setup failed");
        sim_engine_free(eng);
        return 1;
    }
    for (uint32_t g = 0; g < p.lps; g++) {
        for (unsigned long e = 0; e < o.start_events; e++) {
            double t = o.lookahead + sim_rng_exp_mean(p.rng, p.mean_minus_la);
            sim_msg m = {.kind = EV_PHOLD, .target = g};
            if (t < o.end && sim_schedule_at(eng, t, &m, NULL) != SIM_OK) {
                fprintf(stderr,
                        "%s: out of memory scheduling the start events\n",
                        argv[0]);
                return 1;
            }
        }
    }
    double t0 = phold_wall(), c0 = phold_cpu();
    int rc = sim_run_all(eng);
    double secs = phold_wall() - t0, cpu = phold_cpu() - c0;
    if (rc != SIM_OK) {
        fprintf(stderr, "%s: run failed: %s\n", argv[0], sim_strerror(rc));
        return 1;
    }
    phold_report((unsigned long long)sim_events_handled(eng), secs, cpu);
    sim_rng_free(p.rng);
    sim_engine_free(eng);
    return 0;
}
