/* sweep_mpi.c -- the points of a sweep over MPI ranks: a task farm with one
 * writer.
 *
 * Rank 0 hands out points one at a time as ranks ask for them (dynamic:
 * points differ in cost by their parameters), journals every result it
 * receives and writes the output file; it also computes points itself on a
 * thread, so that 2 ranks do the work of 2. Only rank 0's main thread calls
 * MPI (MPI_THREAD_FUNNELED). The message a worker sends is its last result
 * (or nothing, the first time), and the reply is its next point or STOP.
 *
 * Built only with -DAIMS_MPI (build/mpi/aims, by mpicc); the serial build
 * gets the stubs at the end, and `aims` started by mpirun with more than
 * one rank hands itself over to the MPI build (main.c).
 */
#include "sweep_run.h"

#include <stdio.h>

#include "run.h"

#ifdef AIMS_MPI

#include <limits.h>
#include <mpi.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "farm.h"
#include "sweepfile.h"

enum { TAG_RESULT = 1, TAG_WORK = 2 };
#define STOP UINT64_MAX
#define CANCELED ((uint64_t)-2) /* a result slot: the worker was stopped */

static int inited;

int run_sweep_mpi_init(int *argc, char ***argv)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS)
        return RUN_FAIL;
    inited = 1;
    return RUN_OK;
}

int run_sweep_mpi_rank(void)
{
    int r = 0;
    if (inited)
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int run_sweep_mpi_size(void)
{
    int n = 1;
    if (inited)
        MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

void run_sweep_mpi_finalize(void)
{
    if (inited)
        MPI_Finalize();
    inited = 0;
}

void run_sweep_mpi_abort(int code)
{
    if (inited)
        MPI_Abort(MPI_COMM_WORLD, code);
}

/* The base scenario's text, read by rank 0 alone: ranks on other hosts
 * may see another copy of the file (or none), and even on one host the
 * file may change between two ranks' reads. A length of 0 means rank 0
 * failed before it had a text; the others then stop too. */
void run_sweep_mpi_share(char **text)
{
    if (!inited)
        return;
    int rank = run_sweep_mpi_rank();
    unsigned long long n = rank == 0 && *text ? strlen(*text) + 1 : 0;
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (n == 0 || n > (unsigned long long)INT_MAX) {
        if (rank != 0) {
            free(*text);
            *text = NULL;
        }
        return;
    }
    char *buf = rank == 0 ? *text : malloc((size_t)n);
    if (buf == NULL)
        MPI_Abort(MPI_COMM_WORLD, RUN_FAIL);
    MPI_Bcast(buf, (int)n, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (rank != 0) {
        buf[n - 1] = '\0';
        free(*text);
        *text = buf;
    }
}

/* A result message: point, status, message length, message, values. */
typedef struct {
    uint64_t point, status, len;
} head;

static size_t result_size(const run_sweep_plan *pl)
{
    return sizeof(head) + RUN_SWEEP_MSG +
           pl->spec->n_metrics * pl->spec->replications * sizeof(double);
}

/* ---- workers (rank > 0) ---------------------------------------------- */

static int worker_loop(const run_sweep_plan *pl)
{
    size_t size = result_size(pl), ny = pl->spec->n_metrics *
                                          pl->spec->replications;
    unsigned char *buf = malloc(size);
    double *y = malloc((ny + 1) * sizeof *y);
    char msg[RUN_SWEEP_MSG];
    if (buf == NULL || y == NULL)
        MPI_Abort(MPI_COMM_WORLD, RUN_FAIL);
    head h = {STOP, 0, 0}; /* nothing to report yet */
    for (;;) {
        memcpy(buf, &h, sizeof h);
        size_t n = sizeof h;
        if (h.point != STOP && h.status != CANCELED) {
            memcpy(buf + n, msg, h.len);
            n += h.len;
            memcpy(buf + n, y, ny * sizeof *y);
            n += ny * sizeof *y;
        }
        MPI_Send(buf, (int)n, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
        uint64_t p;
        MPI_Recv(&p, 1, MPI_UINT64_T, 0, TAG_WORK, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        if (p == STOP)
            break;
        int st = run_sweep_point(pl, (size_t)p, y, msg, sizeof msg);
        h.point = p;
        h.status = st == SIM_ECANCELED ? CANCELED : (uint64_t)st;
        h.len = strlen(msg);
    }
    free(buf);
    free(y);
    return RUN_OK;
}

/* ---- rank 0 -------------------------------------------------------------
 */

typedef struct {
    const run_sweep_plan *pl;
    pthread_mutex_t mu;
    size_t next, done;
    int rc;
    sim_err err;
    int local_done;
} coord;

/* The next point to hand out, or STOP. */
static uint64_t take(coord *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t p = STOP;
    if (c->rc == RUN_OK && !run_farm_signal() && c->next < c->pl->n_todo)
        p = c->pl->todo[c->next++];
    pthread_mutex_unlock(&c->mu);
    return p;
}

static void record(coord *c, size_t p, int64_t st, const char *msg,
                   const double *y)
{
    sim_err e = {0};
    int rc = run_journal_put(c->pl->journal, p, st, msg, y, &e);
    pthread_mutex_lock(&c->mu);
    if (rc != SIM_OK && c->rc == RUN_OK) {
        c->rc = RUN_FAIL;
        c->err = e;
    }
    if (rc == SIM_OK)
        run_sweep_progress(c->pl, ++c->done, false);
    pthread_mutex_unlock(&c->mu);
}

static void *local_worker(void *arg)
{
    coord *c = arg;
    size_t ny = c->pl->spec->n_metrics * c->pl->spec->replications;
    double *y = malloc((ny + 1) * sizeof *y);
    char msg[RUN_SWEEP_MSG];
    for (uint64_t p; y != NULL && (p = take(c)) != STOP;) {
        int st = run_sweep_point(c->pl, (size_t)p, y, msg, sizeof msg);
        if (st == SIM_ECANCELED)
            break;
        record(c, (size_t)p, st, msg, y);
    }
    free(y);
    pthread_mutex_lock(&c->mu);
    c->local_done = 1;
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

static int coordinator(const run_sweep_plan *pl, sim_err *err)
{
    int size = run_sweep_mpi_size();
    coord c = {.pl = pl, .rc = RUN_OK};
    pthread_mutex_init(&c.mu, NULL);
    pthread_t t;
    bool threaded = pthread_create(&t, NULL, local_worker, &c) == 0;
    if (!threaded)
        c.local_done = 1;
    size_t rsize = result_size(pl), ny = pl->spec->n_metrics *
                                           pl->spec->replications;
    unsigned char *buf = malloc(rsize);
    double *y = malloc((ny + 1) * sizeof *y);
    if (buf == NULL || y == NULL)
        MPI_Abort(MPI_COMM_WORLD, RUN_FAIL);
    int active = size - 1;
    struct timespec nap = {0, 1000000}; /* 1 ms between polls */
    for (;;) {
        pthread_mutex_lock(&c.mu);
        int local_done = c.local_done;
        pthread_mutex_unlock(&c.mu);
        if (active == 0 && local_done)
            break;
        int flag = 0;
        MPI_Status st;
        if (active > 0)
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            nanosleep(&nap, NULL);
            continue;
        }
        int n = 0;
        MPI_Get_count(&st, MPI_BYTE, &n);
        MPI_Recv(buf, (int)rsize, MPI_BYTE, st.MPI_SOURCE, TAG_RESULT,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        head h;
        memcpy(&h, buf, sizeof h);
        bool canceled = h.status == CANCELED;
        if (h.point != STOP && !canceled && h.len < RUN_SWEEP_MSG &&
            (size_t)n == sizeof h + h.len + ny * sizeof *y) {
            char msg[RUN_SWEEP_MSG];
            memcpy(msg, buf + sizeof h, h.len);
            msg[h.len] = '\0';
            memcpy(y, buf + sizeof h + h.len, ny * sizeof *y);
            record(&c, (size_t)h.point, (int64_t)h.status, msg, y);
        }
        uint64_t next = canceled ? STOP : take(&c);
        MPI_Send(&next, 1, MPI_UINT64_T, st.MPI_SOURCE, TAG_WORK,
                 MPI_COMM_WORLD);
        if (next == STOP)
            active--;
    }
    if (threaded)
        pthread_join(t, NULL);
    free(buf);
    free(y);
    pthread_mutex_destroy(&c.mu);
    run_sweep_progress(pl, c.done, true);
    if (c.rc != RUN_OK) {
        *err = c.err;
        return c.rc;
    }
    int sig = run_farm_signal();
    return sig ? 128 + sig : RUN_OK;
}

int run_sweep_mpi_run(const run_sweep_plan *pl, sim_err *err)
{
    if (run_sweep_mpi_rank() != 0)
        return worker_loop(pl);
    return coordinator(pl, err);
}

#else /* the serial build */

int run_sweep_mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return RUN_OK;
}

int run_sweep_mpi_rank(void)
{
    return 0;
}

int run_sweep_mpi_size(void)
{
    return 1;
}

int run_sweep_mpi_run(const run_sweep_plan *pl, sim_err *err)
{
    return run_sweep_local(pl, err);
}

void run_sweep_mpi_share(char **text)
{
    (void)text;
}

void run_sweep_mpi_finalize(void)
{
}

void run_sweep_mpi_abort(int code)
{
    (void)code;
}

#endif
