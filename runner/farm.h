/* farm.h -- run replications on worker threads and hand them over in order
 * (run_farm_*).
 *
 * Workers take replication numbers from a shared counter and run them, each
 * with its own engine and streams (a replication depends only on the seed and
 * its number, so the thread that runs it does not matter). The calling thread
 * hands finished replications to `consume` strictly in order first, first+1,
 * ..., so whatever it writes is the same for any number of threads, and keeps
 * only those that finished ahead of the next one. It also draws the progress
 * line and watches for the signals that end a job (run_farm_signals): then the
 * workers stop at their next month end and the farm returns 128 + signal.
 */
#ifndef AIMS_RUN_FARM_H
#define AIMS_RUN_FARM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "mkt.h"
#include "progress.h"

/* Takes replication rep's results. Return SIM_OK, or a status with err set
 * to stop the farm. The farm frees r afterwards unless consume zeroes it
 * (memset) after moving its arrays elsewhere. */
typedef int run_consume_fn(void *ctx, uint32_t rep, mkt_results *r,
                           sim_err *err);

typedef struct {
    const mkt_params *p;
    uint64_t seed;
    uint64_t threads;
    run_progress *progress; /* the job's progress line; NULL: none */
    uint32_t done;      /* finished before this batch, for the line */
    double t0;          /* start of the whole job (run_farm_now) */
    uint64_t events;    /* engine events, summed by the farm */
} run_farm;

/* Installs the handlers the farm watches: SIGHUP, SIGINT, SIGTERM, SIGUSR1,
 * SIGUSR2, SIGPIPE and SIGALRM stop the job (128 + signal); SIGXFSZ is
 * ignored, so a write past the file size limit fails with EFBIG. */
void run_farm_signals(void);

/* The signal that interrupted the job, 0 for none. */
int run_farm_signal(void);

/* The flag a signal sets: pass it as mkt_run_opts.cancel. */
const _Atomic int *run_farm_cancel_flag(void);

/* pthread_cond_timedwait for at most ms milliseconds (mu held): how the
 * farms' watching threads wake to redraw the progress line. */
void run_farm_wait(pthread_cond_t *cv, pthread_mutex_t *mu, long ms);

/* Seconds on a monotonic clock. */
double run_farm_now(void);

/* Runs replications [first, first + count). Returns RUN_OK, RUN_FAIL (err
 * set: a replication or consume failed) or 128 + the signal. */
int run_farm_run(run_farm *f, uint32_t first, uint32_t count,
                 run_consume_fn *consume, void *ctx, sim_err *err);

#endif
