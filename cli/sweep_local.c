/* sweep_local.c -- the points of a sweep on worker threads of this
 * process. Each worker takes the next point of the plan, computes it and
 * journals it itself (the journal appends each record whole under its own
 * lock, and its syncs cover every thread's records: journal.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "farm.h"
#include "sweepfile.h"
#include "sweep_run.h"

typedef struct {
    const cli_sweep_plan *pl;
    pthread_mutex_t mu;
    size_t next, done;
    int rc;        /* first failure */
    sim_err err;   /* its message */
} farm;

void cli_sweep_progress(const cli_sweep_plan *pl, size_t done, bool last)
{
    if (!pl->progress)
        return;
    double t = cli_farm_now() - pl->t0;
    size_t all = pl->done_before + done;
    double rate = t > 0 ? (double)done / t : 0;
    if (rate > 0 && all < pl->total)
        fprintf(stderr, "\r\033[Kaims: %s: %zu/%zu points, %.2f/s, %.0f s left",
                pl->spec->name, all, pl->total, rate,
                (double)(pl->total - all) / rate);
    else
        fprintf(stderr, "\r\033[Kaims: %s: %zu/%zu points", pl->spec->name,
                all, pl->total);
    if (last)
        fputc('\n', stderr);
    fflush(stderr);
}

static void *worker(void *arg)
{
    farm *f = arg;
    const cli_sweep_plan *pl = f->pl;
    size_t ny = pl->spec->n_metrics * pl->spec->replications;
    double *y = malloc((ny + 1) * sizeof *y);
    char msg[CLI_SWEEP_MSG];
    for (;;) {
        pthread_mutex_lock(&f->mu);
        bool stop = f->rc != CLI_OK || f->next >= pl->n_todo ||
                    cli_farm_signal() || y == NULL;
        size_t p = stop ? 0 : pl->todo[f->next++];
        if (y == NULL && f->rc == CLI_OK) {
            f->rc = CLI_FAIL;
            sim_err_set(&f->err, SIM_ENOMEM, "out of memory");
        }
        pthread_mutex_unlock(&f->mu);
        if (stop)
            break;
        int st = cli_sweep_point(pl, p, y, msg, sizeof msg);
        if (st == SIM_ECANCELED)
            break;
        sim_err e = {0};
        int rc = cli_journal_put(pl->journal, p, st, msg, y, &e);
        pthread_mutex_lock(&f->mu);
        if (rc != SIM_OK && f->rc == CLI_OK) {
            f->rc = CLI_FAIL;
            f->err = e;
        }
        if (rc == SIM_OK)
            cli_sweep_progress(pl, ++f->done, false);
        pthread_mutex_unlock(&f->mu);
    }
    free(y);
    return NULL;
}

int cli_sweep_local(const cli_sweep_plan *pl, sim_err *err)
{
    farm f = {.pl = pl, .rc = CLI_OK};
    pthread_mutex_init(&f.mu, NULL);
    size_t n = pl->threads ? (size_t)pl->threads : 1;
    if (n > pl->n_todo)
        n = pl->n_todo ? pl->n_todo : 1;
    pthread_t *t = calloc(n, sizeof *t);
    size_t started = 0;
    if (t != NULL)
        for (; started < n; started++)
            if (pthread_create(&t[started], NULL, worker, &f) != 0)
                break;
    if (started == 0) /* no threads: work here */
        worker(&f);
    for (size_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
    pthread_mutex_destroy(&f.mu);
    cli_sweep_progress(pl, f.done, true);
    if (f.rc != CLI_OK) {
        *err = f.err;
        return f.rc;
    }
    int sig = cli_farm_signal();
    return sig ? 128 + sig : CLI_OK;
}
