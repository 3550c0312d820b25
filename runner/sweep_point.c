/* sweep_point.c -- one sweep point: its values applied to the base
 * scenario with --set, the model loaded, its replications run.
 *
 * The base is the text the sweep read once at its start (pl->base_text),
 * parsed afresh for each point, never the file again: an edit of the file
 * during a long sweep cannot reach later points. Parsing a few KB of text
 * costs far less than a point's runs (bench/journal-bench). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "farm.h"
#include "scen.h"
#include "sweepfile.h"
#include "sweep_run.h"

/* A point whose population would not fit in memory (with the other
 * threads' points) fails up front with the figure, rather than allocating
 * until the machine gives out: a sweep over enterprises.count can ask for
 * 10^8 at one point and 10^3 at the next. */
static bool fits(const mkt_params *p, uint64_t threads, sim_err *err)
{
    run_memory m;
    if (run_memory_fits(p, threads, &m))
        return true;
    sim_err_set(err, SIM_EINPUT,
                "%u enterprises need about %.3g GiB per replication (%.3g "
                "GiB with %llu thread(s)); this machine has %.3g GiB",
                p->count, m.per / (1 << 30), m.need / (1 << 30),
                (unsigned long long)threads, m.have / (1 << 30));
    return false;
}

int run_sweep_point(const run_sweep_plan *pl, size_t p, double *y,
                    char *msg, size_t msg_n)
{
    if (pl->point != NULL)
        return pl->point(pl, p, y, msg, msg_n);
    const swp_spec *s = pl->spec;
    size_t R = s->replications, M = s->n_metrics;
    for (size_t i = 0; i < M * R; i++)
        y[i] = (double)NAN;
    msg[0] = '\0';
    sim_err err = {0};
    scen_doc *doc = NULL;
    mkt_params *par = NULL;
    mkt_results r = {0};
    int rc = pl->base_text
                 ? scen_load_text(pl->base_text,
                                  pl->base_name ? pl->base_name : s->scenario,
                                  &doc, &err)
                 : scen_load(s->scenario, &doc, &err);
    for (size_t k = 0; rc == SIM_OK && k < s->n_params; k++) {
        char a[1024];
        swp_assignment(&s->params[k], pl->x[p * s->n_params + k], a,
                       sizeof a);
        rc = scen_set(doc, a, &err);
    }
    if (rc == SIM_OK)
        rc = mkt_load(doc, &par, &err);
    if (rc == SIM_OK && !fits(par, pl->threads ? pl->threads : 1, &err))
        rc = SIM_EINPUT;
    mkt_run_opts o = {.point = s->crn ? 0 : (uint32_t)p,
                      .cancel = run_farm_cancel_flag()};
    /* Fresh results per replication: mkt_run adds into them. */
    for (size_t rep = 0; rc == SIM_OK && rep < R; rep++) {
        if ((rc = mkt_results_init(&r, par, &err)) == SIM_OK)
            rc = mkt_run(par, s->seed, (uint32_t)rep, &o, &r, &err);
        for (size_t m = 0; rc == SIM_OK && m < M; m++)
            y[m * R + rep] = run_precision_value(&pl->metrics[m], &r);
        mkt_results_fini(&r);
    }
    mkt_params_free(par);
    scen_free(doc);
    if (rc == SIM_ECANCELED || run_farm_signal())
        return SIM_ECANCELED;
    if (rc == SIM_OK)
        return ANA_SWEEP_OK;
    for (size_t i = 0; i < M * R; i++)
        y[i] = (double)NAN;
    snprintf(msg, msg_n, "%s", err.msg[0] ? err.msg : "failed");
    return ANA_SWEEP_FAILED;
}
