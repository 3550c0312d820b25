/* sweep_run.h -- the parts of `aims sweep` (run_sweep_*): one point's
 * computation, the local thread farm and the MPI farm, which share the
 * plan of the sweep.
 *
 * A point is a pure function of the sweep file, the base scenario and the
 * point's number: its parameter values come from the design table, its
 * random streams from (seed, point or 0 with common random numbers,
 * replication). So the results do not depend on which thread, rank or
 * shard computes them, which is what makes -j, mpirun and --shard give the
 * same file.
 */
#ifndef AIMS_RUN_SWEEP_RUN_H
#define AIMS_RUN_SWEEP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "progress.h"
#include "precision.h"
#include "sweep.h"

enum { RUN_SWEEP_MSG = 1024 }; /* bytes of a failed point's message */

typedef struct run_sweep_plan {
    const swp_spec *spec;
    const double *x;            /* the design [points][n_params] */
    size_t points;              /* of the whole design */
    const run_precision *metrics; /* [spec->n_metrics] */
    run_journal *journal;
    const char *base_text;      /* the base as read once (scen_text_exact);
                                   NULL: each point reads spec->scenario */
    const char *base_name;      /* names base_text in a point's messages */
    size_t *todo;               /* points to compute, ascending */
    size_t n_todo;
    uint64_t threads;
    run_progress *progress;     /* the progress line; NULL: none */
    size_t done_before;         /* finished in an earlier run (resume) */
    size_t total;               /* points of this shard */
    double t0;
    /* When set, computes point p in place of the sweep's own computation
     * (aims calibrate, runner/calib_eval.c): same farm, journal and MPI, other
     * points. spec then only supplies name, n_metrics and replications. */
    int (*point)(const struct run_sweep_plan *pl, size_t p, double *y,
                 char *msg, size_t msg_n);
    void *ctx;
    /* Shards of a calibration: before each point a worker follows the
     * other shards' segments (run_journal_follow) and skips a point one
     * of them has finished, counting it done. */
    bool follow;
} run_sweep_plan;

/* Computes point p into y [n_metrics][reps]. Returns ANA_SWEEP_OK or
 * ANA_SWEEP_FAILED (msg says why: the model refused the values, a run
 * failed), or SIM_ECANCELED after a signal. */
int run_sweep_point(const run_sweep_plan *pl, size_t p, double *y,
                    char *msg, size_t msg_n);

/* Computes and journals every point of the plan on pl->threads threads.
 * Returns RUN_OK, RUN_FAIL (err set: a journal write failed) or 128 + the
 * signal. */
int run_sweep_local(const run_sweep_plan *pl, sim_err *err);

/* Progress line: points done / total, rate and time left. */
void run_sweep_progress(const run_sweep_plan *pl, size_t done, bool last);

/* The shards' common base (sweep_base.c): compares base_text with the
 * stamp the first shard of sweep s left next to output out
 * (OUTDIR/NAME.HASH.base.cfg) and refuses, SIM_EINPUT naming the base
 * file and the stamp, when they differ; with make, writes the stamp when
 * there is none. SIM_EIO when it cannot be read or written. */
int run_sweep_base_check(const char *out, const swp_spec *s,
                         const char *base_text, bool make, sim_err *err);

/* MPI (sweep_mpi.c; in the serial build, stubs). run_sweep_mpi_size is the
 * world size (1 without MPI). run_sweep_mpi_init initialises MPI when the
 * process was started by mpirun; run_sweep_mpi_run runs the plan with rank
 * 0 handing points out and writing the journal, the other ranks computing;
 * only rank 0 returns to write the output (the others exit 0 from it). */
int run_sweep_mpi_init(int *argc, char ***argv);
int run_sweep_mpi_rank(void);
int run_sweep_mpi_size(void);
int run_sweep_mpi_run(const run_sweep_plan *pl, sim_err *err);
/* Collective: rank 0's *text (NULL: it failed, the others give up too)
 * replaces every other rank's, which receives a new string it owns (or
 * NULL). Without MPI, nothing happens. */
void run_sweep_mpi_share(char **text);
void run_sweep_mpi_finalize(void);
void run_sweep_mpi_abort(int code);

#endif
