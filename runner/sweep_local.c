/* sweep_local.c -- the points of a sweep on worker threads of this
 * process. Each worker takes the next point of the plan, computes it and
 * journals it itself (the journal appends each record whole under its own
 * lock, and its syncs cover every thread's records: journal.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "farm.h"
#include "sweepfile.h"
#include "sweep_run.h"

typedef struct {
    const run_sweep_plan *pl;
    pthread_mutex_t mu;
    pthread_cond_t cv;    /* a worker finished: the progress may move */
    size_t next, done, running; /* running: workers not yet returned */
    int rc;        /* first failure */
    sim_err err;   /* its message */
} farm;

void run_sweep_progress(const run_sweep_plan *pl, size_t done, bool last)
{
    run_progress *pr = pl->progress;
    if (pr == NULL)
        return;
    pr->total = pl->total;
    pr->base = (double)pl->done_before;
    run_progress_update(pr, pl->done_before + done, 0, run_farm_now());
    if (last)
        run_progress_end(pr);
}

static void *worker(void *arg)
{
    farm *f = arg;
    const run_sweep_plan *pl = f->pl;
    size_t ny = pl->spec->n_metrics * pl->spec->replications;
    double *y = malloc((ny + 1) * sizeof *y);
    char msg[RUN_SWEEP_MSG];
    for (;;) {
        pthread_mutex_lock(&f->mu);
        bool stop = f->rc != RUN_OK || f->next >= pl->n_todo ||
                    run_farm_signal() || y == NULL;
        size_t p = stop ? 0 : pl->todo[f->next++];
        if (y == NULL && f->rc == RUN_OK) {
            f->rc = RUN_FAIL;
            sim_err_set(&f->err, SIM_ENOMEM, "out of memory");
        }
        pthread_mutex_unlock(&f->mu);
        if (stop)
            break;
        if (pl->follow) {
            run_journal_follow(pl->journal, 0.05);
            if (run_journal_has(pl->journal, p)) {
                pthread_mutex_lock(&f->mu);
                run_sweep_progress(pl, ++f->done, false);
                pthread_mutex_unlock(&f->mu);
                continue;
            }
        }
        int st = run_sweep_point(pl, p, y, msg, sizeof msg);
        if (st == SIM_ECANCELED)
            break;
        sim_err e = {0};
        int rc = run_journal_put(pl->journal, p, st, msg, y, &e);
        pthread_mutex_lock(&f->mu);
        if (rc != SIM_OK && f->rc == RUN_OK) {
            f->rc = RUN_FAIL;
            f->err = e;
        }
        if (rc == SIM_OK)
            run_sweep_progress(pl, ++f->done, false);
        pthread_mutex_unlock(&f->mu);
    }
    free(y);
    pthread_mutex_lock(&f->mu);
    f->running--;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* While the workers run, the calling thread keeps the progress line going
 * (a log gets its line every --progress-interval even when no point
 * finishes in it, with the time left counting down). */
static void watch(farm *f)
{
    pthread_mutex_lock(&f->mu);
    while (f->running > 0) {
        run_farm_wait(&f->cv, &f->mu, 200);
        run_sweep_progress(f->pl, f->done, false);
    }
    pthread_mutex_unlock(&f->mu);
}

int run_sweep_local(const run_sweep_plan *pl, sim_err *err)
{
    farm f = {.pl = pl, .rc = RUN_OK};
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cv, NULL);
    size_t n = pl->threads ? (size_t)pl->threads : 1;
    if (n > pl->n_todo)
        n = pl->n_todo ? pl->n_todo : 1;
    pthread_t *t = calloc(n, sizeof *t);
    size_t started = 0;
    f.running = n;
    if (t != NULL)
        for (; started < n; started++)
            if (pthread_create(&t[started], NULL, worker, &f) != 0)
                break;
    pthread_mutex_lock(&f.mu);
    f.running -= n - started; /* those that did not start */
    pthread_mutex_unlock(&f.mu);
    if (started == 0) { /* no threads: work here */
        f.running = 1;
        worker(&f);
    } else {
        watch(&f);
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
    pthread_cond_destroy(&f.cv);
    pthread_mutex_destroy(&f.mu);
    run_sweep_progress(pl, f.done, true);
    if (f.rc != RUN_OK) {
        *err = f.err;
        return f.rc;
    }
    int sig = run_farm_signal();
    return sig ? 128 + sig : RUN_OK;
}
