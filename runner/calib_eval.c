/* calib_eval.c -- one batch of calibration evaluations through the sweep
 * farm (sweep_local.c, sweep_mpi.c) and the journal, and the statistics
 * the two methods share: per-target means, the distance, the fit table.
 *
 * A batch is run as a sweep plan whose points are computed by eval_point
 * below instead of the sweep's own code: threads, ranks, the journal and
 * the signal handling are the sweep's, unchanged. Points already in the
 * journal (a resumed run) are read back, not computed; a journal record
 * holds the values as the doubles they were, so a resumed calibration
 * continues from exactly the numbers the killed one had.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abc.h"
#include "calib_run.h"
#include "run.h"
#include "farm.h"
#include "sweep_run.h"
#include "sweepfile.h"

typedef struct {
    const run_calib *c;
    const double *x; /* [n][n_params] */
    size_t first;    /* global number of x's first row */
} batch;

static int eval_point(const run_sweep_plan *pl, size_t p, double *y,
                      char *msg, size_t msg_n)
{
    const batch *b = pl->ctx;
    const cal_spec *s = b->c->s;
    size_t T = s->n_targets, R = s->reps;
    for (size_t i = 0; i < T * R; i++)
        y[i] = (double)NAN;
    msg[0] = '\0';
    sim_err err = {0};
    mkt_params *par = NULL;
    mkt_results r = {0};
    int rc = cal_model(s, b->x + (p - b->first) * s->n_params, &par, &err);
    run_memory m;
    if (rc == SIM_OK && !run_memory_fits(par, pl->threads ? pl->threads : 1,
                                         &m))
        rc = sim_err_set(&err, SIM_EINPUT,
                         "%u enterprises need about %.3g GiB per "
                         "replication; this machine has %.3g GiB",
                         par->count, m.per / (1 << 30), m.have / (1 << 30));
    /* Distinct streams per evaluation for ABC (independent noise per
     * particle); point 0 for every evaluation under common random
     * numbers (SMM), so the objective is a smooth function of the
     * parameters. */
    mkt_run_opts o = {.point = b->c->crn ? 0 : (uint32_t)(p + 1),
                      .cancel = run_farm_cancel_flag()};
    for (size_t rep = 0; rc == SIM_OK && rep < R; rep++) {
        if ((rc = mkt_results_init(&r, par, &err)) == SIM_OK)
            rc = mkt_run(par, s->seed, (uint32_t)rep, &o, &r, &err);
        for (size_t t = 0; rc == SIM_OK && t < T; t++)
            y[t * R + rep] = cal_target_value(&s->targets[t], &r);
        mkt_results_fini(&r);
    }
    mkt_params_free(par);
    if (rc == SIM_ECANCELED || run_farm_signal())
        return SIM_ECANCELED;
    if (rc == SIM_OK)
        return ANA_SWEEP_OK;
    for (size_t i = 0; i < T * R; i++)
        y[i] = (double)NAN;
    snprintf(msg, msg_n, "%s", err.msg[0] ? err.msg : "failed");
    return ANA_SWEEP_FAILED;
}

/* A shard's order of the batch's points not journalled yet (into
 * pl->todo): its own ascending, then each other shard's descending, the
 * next shard's first, so that two shards working on one shard's points
 * meet in the middle of them. */
static void shard_order(const run_calib *c, size_t n, run_sweep_plan *pl)
{
    size_t N = c->shards;
    for (size_t v = 0; v < N; v++) {
        size_t k = (c->shard + v) % N;
        for (size_t i = 0; i < n; i++) {
            size_t p = v == 0 ? c->next + i : c->next + n - 1 - i;
            if (p % N != k)
                continue;
            if (run_journal_has(c->journal, p))
                pl->done_before++;
            else
                pl->todo[pl->n_todo++] = p;
        }
    }
}

int run_calib_eval(run_calib *c, const double *x, size_t n, double *y,
                   int64_t *status, sim_err *err)
{
    const cal_spec *s = c->s;
    size_t ny = s->n_targets * s->reps;
    bool root = run_sweep_mpi_rank() == 0;
    batch b = {.c = c, .x = x, .first = c->next};
    size_t *todo = malloc((n ? n : 1) * sizeof *todo);
    if (todo == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory"), RUN_FAIL;
    run_sweep_plan pl = {.spec = &c->shape,
                         .points = c->next + n,
                         .journal = c->journal,
                         .todo = todo,
                         .threads = c->threads,
                         .total = n,
                         .t0 = run_farm_now(),
                         .point = eval_point,
                         .ctx = &b};
    run_progress prog; /* a line on a terminal, one a minute in a log */
    run_progress_init(&prog, "calibrate", "evaluations", 0, 0, 60.0, pl.t0,
                      !c->progress);
    pl.progress = run_progress_on(&prog) ? &prog : NULL;
    int rc = RUN_OK;
    size_t puts0 = root ? c->journal->puts : 0;
    if (c->shards > 0) {
        run_journal_follow(c->journal, 0);
        shard_order(c, n, &pl);
        pl.follow = true;
    } else if (root)
        for (size_t i = 0; i < n; i++) {
            char *msg = NULL;
            int64_t st;
            if (run_journal_get(c->journal, c->next + i, &st, &msg,
                                y + i * ny)) {
                free(msg);
                pl.done_before++;
            } else {
                todo[pl.n_todo++] = c->next + i;
            }
        }
    if (run_sweep_mpi_size() > 1 || pl.n_todo > 0)
        rc = run_sweep_mpi_size() > 1 ? run_sweep_mpi_run(&pl, err)
                                      : run_sweep_local(&pl, err);
    if (c->shards > 0 && rc == RUN_OK)
        run_journal_follow(c->journal, 0);
    /* Rank 0 reads the whole batch back from the journal: what the next
     * step sees is exactly what a resumed run will see. */
    for (size_t i = 0; root && rc == RUN_OK && i < n; i++) {
        char *msg = NULL;
        int64_t st = ANA_SWEEP_FAILED;
        if (!run_journal_get(c->journal, c->next + i, &st, &msg,
                             y + i * ny)) {
            rc = RUN_FAIL;
            sim_err_set(err, SIM_EIO,
                        "%s: the record of point %zu is missing or damaged",
                        c->journal->dir, c->next + i);
        }
        free(msg);
        status[i] = st;
    }
    /* Every rank learns the outcome, then the numbers. */
    int64_t head[1] = {rc};
    run_calib_bcast(head, sizeof head);
    rc = (int)head[0];
    if (rc == RUN_OK) {
        run_calib_bcast(y, n * ny * sizeof *y);
        run_calib_bcast(status, n * sizeof *status);
    } else if (!root && err->msg[0] == '\0') {
        sim_err_set(err, SIM_EIO, "rank 0 stopped the calibration");
    }
    size_t computed = root ? c->journal->puts - puts0 : 0;
    c->computed += computed;
    c->reused += n - computed;
    c->next += n;
    free(todo);
    return rc;
}

double run_calib_mean(const double *yt, size_t reps)
{
    double s = 0;
    size_t k = 0;
    for (size_t r = 0; r < reps; r++)
        if (!isnan(yt[r])) {
            s += yt[r];
            k++;
        }
    return k ? s / (double)k : (double)NAN;
}

double run_calib_distance(const cal_spec *s, const double *m)
{
    double sum = 0;
    size_t k = 0;
    for (size_t t = 0; t < s->n_targets; t++) {
        const cal_target *g = &s->targets[t];
        if (g->held_out)
            continue;
        if (isnan(m[t]))
            return HUGE_VAL;
        double d = (m[t] - g->value) / g->sd;
        sum += d * d;
        k++;
    }
    return k ? sqrt(sum / (double)k) : HUGE_VAL;
}

double run_calib_to_x(const cal_param *q, double z)
{
    return q->log ? exp(z) : z;
}

double run_calib_to_z(const cal_param *q, double x)
{
    return q->log ? log(x) : x;
}

void run_calib_fit(const cal_spec *s, const double *y, const double *w,
                   size_t n, ana_calib *out)
{
    size_t T = s->n_targets, R = s->reps;
    double *v = malloc((n * R + 1) * sizeof *v);
    double *vw = malloc((n * R + 1) * sizeof *vw);
    for (size_t t = 0; t < T; t++) {
        const cal_target *g = &s->targets[t];
        out->observed[t] = g->value;
        out->obs_sd[t] = g->sd;
        out->held_out[t] = g->held_out;
        if (v == NULL || vw == NULL)
            continue;
        /* Every replication of every draw, a draw's weight shared by its
         * defined replications. */
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const double *yt = y + (i * T + t) * R;
            size_t def = 0;
            for (size_t r = 0; r < R; r++)
                def += !isnan(yt[r]);
            for (size_t r = 0; r < R; r++) {
                v[k] = yt[r];
                vw[k++] = isnan(yt[r]) ? 0
                          : (w ? w[i] : 1.0 / (double)n) / (double)def;
            }
        }
        double wsum = 0;
        for (size_t i = 0; i < k; i++)
            wsum += vw[i];
        for (size_t i = 0; wsum > 0 && i < k; i++)
            vw[i] /= wsum;
        const double probs[] = {0.025, 0.975};
        double q[2], mean, sd;
        ana_abc_summary(v, 1, vw, k, &mean, &sd, probs, 2, q);
        out->sim_mean[t] = mean;
        out->sim_lo[t] = q[0];
        out->sim_hi[t] = q[1];
        out->z[t] = (mean - g->value) /
                    sqrt(g->sd * g->sd + sd * sd / (double)R);
    }
    free(v);
    free(vw);
}
