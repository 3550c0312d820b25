/* mmc.h -- the M/M/c queue on the aims engine: the engine's validation model.
 *
 * Poisson arrivals (rate lambda), exponential service (rate mu), c servers,
 * FIFO, infinite waiting room. The run discards `warmup` customers, then
 * measures the next `customers`: their waits (Wq) and times in system (W) as
 * customer averages, and the queue length (Lq), number in system (L) and busy
 * servers as time averages over the measured window, each with a batch-means
 * 95% interval. mmc_exact gives the closed forms (Erlang C, Little's law) that
 * the tests compare against.
 *
 * Arrivals and service times come from two streams ("arrivals", "service"), so
 * a change of c or mu leaves the arrival sequence of a replication unchanged
 * (common random numbers).
 */
#ifndef AIMS_MMC_H
#define AIMS_MMC_H

#include <stdint.h>

#include "err.h"

typedef struct {
    double lambda,
        mu; /* arrival and service rates, per unit time; > 0, finite */
    uint32_t servers;   /* c >= 1 */
    uint64_t customers; /* measured customers >= 1 */
    uint64_t warmup;    /* customers discarded first */
    uint64_t seed;
    uint32_t rep; /* replication: names the streams with seed */
    unsigned
        batches; /* k for batch means (k to 2k-1 batches); 0: the default, 20 */
} mmc_params;

typedef struct {
    double value,
        ci95; /* estimate and 95% half-width (NaN with fewer than 2 batches) */
    unsigned
        batches; /* batch means behind ci95: Student t with batches - 1 d.f. */
} mmc_estimate;

typedef struct {
    mmc_estimate utilization;       /* busy servers / c, time average */
    mmc_estimate mean_wait;         /* Wq, time in queue, customer average */
    mmc_estimate mean_queue_length; /* Lq, time average */
    mmc_estimate mean_system_time;  /* W = Wq + service, customer average */
    mmc_estimate mean_in_system;    /* L, time average */
    uint64_t events;                /* engine deliveries */
} mmc_result;

typedef struct {
    double utilization, mean_wait, mean_queue_length, mean_system_time,
        mean_in_system;
    double p_wait; /* Erlang C: probability an arrival waits */
} mmc_exact;

/* SIM_OK, or SIM_EINVAL with a message naming the offending parameter. */
int mmc_check(const mmc_params *p, sim_err *err);

/* Runs one replication. SIM_OK, SIM_EINVAL (as mmc_check), SIM_ENOMEM. */
int mmc_run(const mmc_params *p, mmc_result *out, sim_err *err);

/* The stationary closed forms for p (which must pass mmc_check). */
mmc_exact mmc_exact_values(const mmc_params *p);

#endif
