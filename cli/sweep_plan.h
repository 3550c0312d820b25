/* sweep_plan.h -- `aims sweep SWEEP.cfg --plan` (cli_sweep_size_*): what a
 * sweep costs and how to ask Slurm for it, from one real calibration point.
 *
 * A sweep point is R replications of the base scenario with the point's
 * values; the replications run one after another and cost about the same,
 * so one replication of one point, timed, gives the point's cost (x R) and
 * the sweep's (x points). Its memory is measured, not guessed: the growth of
 * the process's peak resident set (getrusage ru_maxrss) while the point
 * runs on as many threads as a task will have (up to 4). A task holds its
 * base (the sweep, the design, the base scenario), one running point per
 * thread, and at the end the whole output in memory (every part file holds
 * the whole design: points x metrics x replications doubles), so that last
 * term grows with the points of the sweep, not of the shard.
 *
 * The suggestion is arithmetic on those figures (sweep_plan.c says which):
 * enough tasks that each takes about the target wall time, at most
 * MaxArraySize tasks; past that, several shards per task.
 */
#ifndef AIMS_CLI_SWEEP_PLAN_H
#define AIMS_CLI_SWEEP_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sweep_run.h"

typedef struct {
    const char *sweep_file;  /* as given, for the printed sbatch line */
    uint64_t cpus;           /* per task: -j when given, else 1 */
    uint64_t max_array;      /* Slurm MaxArraySize: indices 0..max_array-1 */
    double task_seconds;     /* target wall time per task */
} cli_sweep_size_opts;

/* Parses a time in Slurm's --time forms: MINUTES, MINUTES:SECONDS,
 * HOURS:MINUTES:SECONDS, DAYS-HOURS, DAYS-HOURS:MINUTES and
 * DAYS-HOURS:MINUTES:SECONDS, into seconds (> 0, at most a year). Returns
 * false for anything else. */
bool cli_sweep_size_time(const char *s, double *seconds);

/* Runs the calibration (one replication of one point of pl's design, on
 * min(cpus, 4) threads, 8 times each and while under half a CPU second in
 * all, each run with other random streams) and prints
 * the estimate and the suggested array to f. pl is the sweep's plan as
 * cmd_sweep.c built it; its journal is not touched. Returns CLI_OK,
 * CLI_FAIL (every calibration point failed; the message is printed) or
 * 128 + the signal. */
int cli_sweep_size_print(const run_sweep_plan *pl,
                         const cli_sweep_size_opts *o, FILE *f);

#endif
