/* sweep_point.c -- one sweep point: its values applied to the base
 * scenario with --set, the model loaded, its replications run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "farm.h"
#include "scen.h"
#include "sweepfile.h"
#include "sweep_run.h"

/* "PATH=VALUE" with VALUE written so that it reads back as the same double
 * (an integer parameter as an integer literal, 64-bit with L when needed). */
static void assignment(const swp_param *q, double v, char *buf, size_t n)
{
    if (q->integer) {
        long long k = llround(v);
        bool wide = k > 2147483647LL || k < -2147483647LL - 1;
        snprintf(buf, n, "%s=%lld%s", q->path, k, wide ? "L" : "");
        return;
    }
    char num[40];
    snprintf(num, sizeof num, "%.17g", v);
    /* libconfig reads "3" as an integer; a float setting accepts it, but
     * keep the value visibly a float. */
    if (strpbrk(num, ".eEn") == NULL)
        strcat(num, ".0");
    snprintf(buf, n, "%s=%s", q->path, num);
}

/* A point whose population would not fit in memory (with the other
 * threads' points) fails up front with the figure, rather than allocating
 * until the machine gives out: a sweep over enterprises.count can ask for
 * 10^8 at one point and 10^3 at the next. */
static bool fits(const mkt_params *p, uint64_t threads, sim_err *err)
{
    double per = mkt_memory_estimate(p), need = per * (double)threads;
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    double have = pages > 0 && size > 0 ? (double)pages * (double)size : 0;
    if (have > 0 && need > 0.8 * have) {
        sim_err_set(err, SIM_EINPUT,
                    "%u enterprises need about %.3g GiB per replication "
                    "(%.3g GiB with %llu thread(s)); this machine has %.3g "
                    "GiB",
                    p->count, per / (1 << 30), need / (1 << 30),
                    (unsigned long long)threads, have / (1 << 30));
        return false;
    }
    return true;
}

int cli_sweep_point(const cli_sweep_plan *pl, size_t p, double *y,
                    char *msg, size_t msg_n)
{
    const swp_spec *s = pl->spec;
    size_t R = s->replications, M = s->n_metrics;
    for (size_t i = 0; i < M * R; i++)
        y[i] = (double)NAN;
    msg[0] = '\0';
    sim_err err = {0};
    scen_doc *doc = NULL;
    mkt_params *par = NULL;
    mkt_results r = {0};
    int rc = scen_load(s->scenario, &doc, &err);
    for (size_t k = 0; rc == SIM_OK && k < s->n_params; k++) {
        char a[1024];
        assignment(&s->params[k], pl->x[p * s->n_params + k], a, sizeof a);
        rc = scen_set(doc, a, &err);
    }
    if (rc == SIM_OK)
        rc = mkt_load(doc, &par, &err);
    if (rc == SIM_OK && !fits(par, pl->threads ? pl->threads : 1, &err))
        rc = SIM_EINPUT;
    mkt_run_opts o = {.point = s->crn ? 0 : (uint32_t)p,
                      .cancel = cli_farm_cancel_flag()};
    /* Fresh results per replication: mkt_run adds into them. */
    for (size_t rep = 0; rc == SIM_OK && rep < R; rep++) {
        if ((rc = mkt_results_init(&r, par, &err)) == SIM_OK)
            rc = mkt_run(par, s->seed, (uint32_t)rep, &o, &r, &err);
        for (size_t m = 0; rc == SIM_OK && m < M; m++)
            y[m * R + rep] = cli_precision_value(&pl->metrics[m], &r);
        mkt_results_fini(&r);
    }
    mkt_params_free(par);
    scen_free(doc);
    if (rc == SIM_ECANCELED || cli_farm_signal())
        return SIM_ECANCELED;
    if (rc == SIM_OK)
        return ANA_SWEEP_OK;
    for (size_t i = 0; i < M * R; i++)
        y[i] = (double)NAN;
    snprintf(msg, msg_n, "%s", err.msg[0] ? err.msg : "failed");
    return ANA_SWEEP_FAILED;
}
