/* calib_run.h -- the parts of `aims calibrate` (run_calib_*): evaluating a
 * batch of parameter vectors through the sweep farm and its journal
 * (calib_eval.c), and the two methods on top of it (calib_abc.c,
 * calib_smm.c).
 *
 * An evaluation is one parameter vector run for `replications`
 * replications; its result is every target's value in every replication,
 * [n_targets][reps], journalled as one sweep-like point. Points are
 * numbered globally in the order the method asks for them, which is a pure
 * function of the calibration file and the results of earlier points: so a
 * resumed calibration asks for the same points in the same order, finds
 * the finished ones in the journal and computes only the rest; so
 * --resume after any kill picks up from the journal.
 *
 * Shards (--shard I/N, all naming the same output) share its journal
 * (journal.h): every shard runs the method in lockstep, as MPI ranks do,
 * and computes every evaluation of a batch that no shard has journalled
 * yet, its own (point % N == I) first and in order, then the others'
 * from the last down (shard I + 1's first), following their segments
 * before each point. Shards that run together split each batch; a shard
 * that runs alone (the others queued, or dead) finishes it by itself;
 * either way every shard sees the same records, so shard 0, which writes
 * the output, writes the same file.
 *
 * Under mpirun every rank runs the method in lockstep: rank 0 hands the
 * batch's points out (sweep_mpi.c) and then broadcasts the whole batch's
 * results, so every rank makes the next proposals from the same numbers.
 */
#ifndef AIMS_RUN_CALIB_RUN_H
#define AIMS_RUN_CALIB_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calib.h"
#include "calibfile.h"
#include "journal.h"
#include "sweep.h"

typedef struct {
    const cal_spec *s;
    run_journal *journal;   /* rank 0 only */
    uint64_t threads;
    bool quiet, progress;
    bool crn;               /* every evaluation draws point 0's streams */
    unsigned shard, shards; /* --shard I/N; shards 0: not sharded */
    size_t next;            /* the next global point number */
    size_t computed, reused; /* points computed now / read back */
    swp_spec shape;         /* name, n_metrics = targets, replications */
    double t0;
} run_calib;

/* Evaluates the n parameter vectors x [n][n_params] as points next ..
 * next + n - 1 into y [n][n_targets][reps] and status [n] (ANA_SWEEP_OK
 * or ANA_SWEEP_FAILED), and advances next. Returns RUN_OK, RUN_FAIL with
 * err set, or 128 + signal. Every MPI rank must call it. */
int run_calib_eval(run_calib *c, const double *x, size_t n, double *y,
                   int64_t *status, sim_err *err);

/* The mean over replications of target t's values yt [reps] (NaN ones
 * left out; NaN when all are) and the distance of means m [n_targets]:
 * sqrt(mean over fitted targets of ((m - value) / sd)^2), infinite when a
 * fitted mean is NaN. */
double run_calib_mean(const double *yt, size_t reps);
double run_calib_distance(const cal_spec *s, const double *m);

/* z-space (abc.h) <-> parameter values. */
double run_calib_to_x(const cal_param *q, double z);
double run_calib_to_z(const cal_param *q, double x);

/* The methods: fill c's generations or path, posterior and fit table. */
int run_calib_abc(run_calib *c, ana_calib *out, sim_err *err);
int run_calib_smm(run_calib *c, ana_calib *out, sim_err *err);

/* The fit table from pooled draws: y [n][n_targets][reps] with per-draw
 * weights w [n] (NULL: equal). */
void run_calib_fit(const cal_spec *s, const double *y, const double *w,
                   size_t n, ana_calib *out);

/* MPI (calib_mpi.c): rank 0's buffer to every rank; a no-op without MPI. */
void run_calib_bcast(void *buf, size_t bytes);

#endif
