/* farm.c -- worker threads for replications, in-order hand-over, progress,
 * and the signals that end a job (run_farm_signals). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"
#include "farm.h"

#include "engine.h"

/* The only process-wide state: a handler may touch nothing else. */
static _Atomic int got_signal; /* the signal number, 0 for none */
static _Atomic int cancel_runs;

static void on_signal(int sig)
{
    atomic_store(&got_signal, sig);
    atomic_store(&cancel_runs, 1);
}

/* Every signal whose default action ends the process without a core
 * dump ends a run the same way: the workers stop, the temporary is
 * removed, nothing is left at the target, and the exit status is 128 +
 * the signal. (SIGHUP when the terminal goes, SIGPIPE when `aims run |
 * head` stops reading, SIGUSR1 from a batch system's warning: each of them
 * used to leave the hidden temporary behind.) SIGXFSZ is ignored instead,
 * so that a write past `ulimit -f` fails with EFBIG and is reported as a
 * file size limit, not a silent death. SIGKILL cannot be caught: the next
 * writer of the same output removes what it left (ana_h5w_remove_stale). */
void run_farm_signals(void)
{
    static const int sigs[] = {SIGHUP,  SIGINT,  SIGTERM, SIGUSR1,
                               SIGUSR2, SIGPIPE, SIGALRM};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &sa, NULL);
}

int run_farm_signal(void)
{
    return atomic_load(&got_signal);
}

const _Atomic int *run_farm_cancel_flag(void)
{
    return &cancel_runs;
}

double run_farm_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    const run_farm *f;
    uint32_t first, count;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t next;        /* next index (from 0) to hand out */
    mkt_results *res;     /* [count] */
    unsigned char *state; /* [count] 0 pending, 1 done, 2 failed */
    sim_err err;          /* the first failure */
    int mode;             /* the engine's (AIMS_ENGINE) */
    bool no_pick_cache;   /* AIMS_PICK_CACHE=0 */
    _Atomic uint64_t months; /* month ends reached in this batch, for the
                                progress line of long replications */
} batch;

/* mkt_run_opts.on_month: counts the months of unfinished replications, so
 * the progress line moves within a long replication. */
static void count_month(void *ctx, const mkt_world *w, uint32_t month)
{
    (void)w;
    (void)month;
    batch *b = ctx;
    atomic_fetch_add(&b->months, 1);
}

static void *worker(void *arg)
{
    batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        bool stop = b->next >= b->count || atomic_load(&cancel_runs);
        uint32_t k = b->next++;
        pthread_mutex_unlock(&b->mu);
        if (stop)
            return NULL;
        sim_err err = {0};
        mkt_run_opts o = {.cancel = &cancel_runs,
                          .engine_mode = b->mode,
                          .no_pick_cache = b->no_pick_cache,
                          .on_month = b->f->progress ? count_month : NULL,
                          .ctx = b};
        int rc = mkt_results_init(&b->res[k], b->f->p, &err);
        if (rc == SIM_OK)
            rc = mkt_run(b->f->p, b->f->seed, b->first + k, &o, &b->res[k],
                         &err);
        pthread_mutex_lock(&b->mu);
        b->state[k] = rc == SIM_OK ? 1 : 2;
        if (rc != SIM_OK && rc != SIM_ECANCELED && b->err.status == SIM_OK)
            b->err = err;
        if (rc != SIM_OK)
            atomic_store(&cancel_runs, 1);
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
    }
}

/* The line for replications done (whole, and months of the others). */
static void progress(const run_farm *f, batch *b, uint32_t done)
{
    if (f->progress == NULL)
        return;
    uint64_t H = f->p->horizon_months;
    uint64_t months = (uint64_t)f->done * H + atomic_load(&b->months);
    run_progress_update(f->progress, f->done + done, months, run_farm_now());
}

void run_farm_wait(pthread_cond_t *cv, pthread_mutex_t *mu, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, mu, &ts);
}

/* Waits up to 200 ms for a worker to report (then the line is redrawn). */
static void wait_a_little(batch *b)
{
    run_farm_wait(&b->cv, &b->mu, 200);
}

/* The calling thread's loop: consume in order until done or stopped. */
static int hand_over(run_farm *f, batch *b, run_consume_fn *consume,
                     void *ctx, sim_err *err)
{
    uint32_t next = 0;
    int rc = RUN_OK;
    pthread_mutex_lock(&b->mu);
    while (next < b->count && rc == RUN_OK) {
        if (b->state[next] == 0 && !atomic_load(&cancel_runs))
            wait_a_little(b);
        if (atomic_load(&got_signal) || b->state[next] == 2 ||
            (atomic_load(&cancel_runs) && b->state[next] == 0)) {
            rc = RUN_FAIL;
            break;
        }
        while (next < b->count && b->state[next] == 1) {
            mkt_results *r = &b->res[next];
            pthread_mutex_unlock(&b->mu);
            f->events += r->events;
            int crc = consume(ctx, b->first + next, r, err);
            mkt_results_fini(r);
            pthread_mutex_lock(&b->mu);
            if (crc != SIM_OK) {
                atomic_store(&cancel_runs, 1);
                rc = RUN_FAIL;
                break;
            }
            next++;
        }
        progress(f, b, next); /* draws only when it is time */
    }
    if (rc != RUN_OK)
        atomic_store(&cancel_runs, 1);
    if (rc != RUN_OK && err->status == SIM_OK)
        *err = b->err;
    pthread_mutex_unlock(&b->mu);
    f->done += next;
    return rc;
}

/* AIMS_ENGINE=auto|declared|nolanes|plain picks the engine's mode
 * (sim_engine_opts.mode) for the replications of aims run: every mode gives
 * the same file, so the tests and bench/scale-bench run both ways and
 * compare them. Unset or empty: auto. */
static int engine_mode(int *mode, sim_err *err)
{
    static const char *const names[] = {"auto", "declared", "nolanes",
                                        "plain"};
    const char *env = getenv("AIMS_ENGINE");
    *mode = SIM_MODE_AUTO;
    if (env == NULL || env[0] == '\0')
        return SIM_OK;
    for (int k = 0; k < 4; k++)
        if (strcmp(env, names[k]) == 0) {
            *mode = k;
            return SIM_OK;
        }
    return sim_err_set(err, SIM_EINVAL,
                       "AIMS_ENGINE: expected auto, declared, nolanes or "
                       "plain, got '%s'",
                       env);
}

/* AIMS_PICK_CACHE=0 turns off the model's choice cache
 * (mkt_run_opts.no_pick_cache), for the tests that compare the files;
 * unset, empty or 1: on. */
static int pick_cache(bool *off, sim_err *err)
{
    const char *env = getenv("AIMS_PICK_CACHE");
    *off = env != NULL && strcmp(env, "0") == 0;
    if (env == NULL || env[0] == '\0' || strcmp(env, "0") == 0 ||
        strcmp(env, "1") == 0)
        return SIM_OK;
    return sim_err_set(err, SIM_EINVAL,
                       "AIMS_PICK_CACHE: expected 0 or 1, got '%s'", env);
}

int run_farm_run(run_farm *f, uint32_t first, uint32_t count,
                 run_consume_fn *consume, void *ctx, sim_err *err)
{
    batch b = {.f = f, .first = first, .count = count};
    if (engine_mode(&b.mode, err) != SIM_OK ||
        pick_cache(&b.no_pick_cache, err) != SIM_OK)
        return RUN_USAGE;
    uint64_t threads = f->threads < count ? f->threads : count;
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    b.res = calloc(count ? count : 1, sizeof *b.res);
    b.state = calloc(count ? count : 1, 1);
    pthread_t *tid = calloc(threads ? threads : 1, sizeof *tid);
    int rc = RUN_OK;
    size_t started = 0;
    if (!b.res || !b.state || !tid) {
        sim_err_set(err, SIM_ENOMEM, "out of memory");
        rc = RUN_FAIL;
    }
    for (; rc == RUN_OK && started < threads; started++)
        if (pthread_create(&tid[started], NULL, worker, &b) != 0)
            break;
    if (rc == RUN_OK && started == 0) {
        sim_err_set(err, SIM_EINVAL, "cannot start a thread: %s",
                    strerror(errno));
        rc = RUN_FAIL;
    }
    if (rc == RUN_OK)
        rc = hand_over(f, &b, consume, ctx, err);
    for (size_t k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
    if (b.res)
        for (uint32_t k = 0; k < count; k++)
            mkt_results_fini(&b.res[k]);
    free(b.res);
    free(b.state);
    free(tid);
    pthread_cond_destroy(&b.cv);
    pthread_mutex_destroy(&b.mu);
    int sig = atomic_load(&got_signal);
    if (sig)
        return 128 + sig;
    if (rc != RUN_OK && err->status == SIM_OK)
        sim_err_set(err, SIM_EINVAL, "a replication failed");
    return rc;
}
