/* run.h -- what every part of the runner shares: its return statuses, the
 * default thread count and the memory estimate (run_*).
 *
 * runner/ runs points -- replications on threads (farm.h), sweep points
 * and calibration evaluations on threads, MPI ranks and shards
 * (sweep_run.h, calib_run.h), the journal that makes them resumable
 * (journal.h) -- for the commands in cli/. It prints only the progress
 * line (progress.h); every failure goes back as a status and a sim_err,
 * and cli/ prints it.
 */
#ifndef AIMS_RUN_RUN_H
#define AIMS_RUN_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "mkt.h"

/* The runner's statuses are the exit statuses of DESIGN.md, so a command
 * returns them as they are: 0 success, 1 runtime failure (err set), 2 bad
 * input (err set), and 128 + N after signal N. */
enum { RUN_OK = 0, RUN_FAIL = 1, RUN_USAGE = 2 };

/* The default of -j: the CPUs this process may use (its affinity mask,
 * capped by SLURM_CPUS_PER_TASK when that is set), at least 1 (cpus.c). */
uint64_t run_cpus(void);

/* Whether at_once replications of p fit in this machine's memory (with a
 * fifth to spare), estimated before anything is allocated; m gets the
 * figures, in bytes, for the refusal message (memory.c). */
typedef struct {
    double per, need, have; /* one replication, at_once of them, RAM */
} run_memory;
bool run_memory_fits(const mkt_params *p, uint64_t at_once, run_memory *m);

#endif
