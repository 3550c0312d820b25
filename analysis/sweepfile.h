/* sweepfile.h -- the HDF5 file of `aims sweep` and `aims merge`
 * (ana_sweep_*): written whole from an ana_sweep, read back whole.
 *
 * Layout (docs/output.md, "Sweep files"):
 *
 *   /point        [point]      int64 dimension scale, 0 .. P-1
 *   /parameter    [parameter]  string dimension scale: the --set paths
 *   /replication  [replication] int64 dimension scale, 0 .. R-1
 *   /points/parameters [point, parameter]  double: the design
 *   /points/status     [point]  int64: 0 ok, 1 failed, 2 not run (a shard
 *                               holds only its own points)
 *   /points/message    [point]  string: why a point failed ("" if ok)
 *   /points/summary/METRIC [point, replication]  double, NaN where the
 *                               point failed or was not run
 *   /sensitivity/METRIC/first, first_lo, first_hi, total, total_lo,
 *                total_hi [parameter]  double: Sobol indices with bootstrap
 *                               95% intervals, once `aims sensitivity` ran
 *   root attributes: format = "aims-sweep", format_version, name, design,
 *   sweep (the sweep file's text), sweep_file, scenario_file, seed,
 *   replications, samples, common_random_numbers, shard, shards, points,
 *   aims_version, git_commit, created.
 *
 * Written through h5w (temporary file, renamed at commit), so an
 * interrupted write leaves nothing at the target. Every data set is a pure
 * function of the sweep file, the seed and the results: the provenance
 * attributes aims_version, git_commit and created are the only things two
 * equal sweeps may differ in.
 */
#ifndef ANA_SWEEPFILE_H
#define ANA_SWEEPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum {
    ANA_SWEEP_FORMAT_VERSION = 1,
    ANA_SWEEP_OK = 0,
    ANA_SWEEP_FAILED = 1,
    ANA_SWEEP_NOT_RUN = 2
};

typedef struct {
    /* root attributes */
    char *name, *design, *sweep_text, *sweep_file, *scenario_file;
    char *aims_version, *git_commit; /* provenance */
    char *created; /* as read; the writer writes the time of writing */
    int64_t seed, samples, crn, shard, shards;
    /* sizes */
    size_t points, n_params, n_metrics, reps;
    char **params;   /* [n_params] */
    char **metrics;  /* [n_metrics] */
    double *x;       /* [points][n_params] */
    int64_t *status; /* [points] */
    char **message;  /* [points], never NULL entries ("" if none) */
    double *y;       /* [n_metrics][points][reps] */
    /* Sobol indices (aims sensitivity), NULL when not computed:
     * [n_metrics][ANA_SWEEP_SENS][n_params], in the order of sens_names. */
    double *sens;
    int64_t sens_boot; /* bootstrap resamples behind the intervals */
} ana_sweep;

enum { ANA_SWEEP_SENS = 6 };

/* "first", "first_lo", "first_hi", "total", "total_lo", "total_hi": the
 * data sets under /sensitivity/METRIC/. */
extern const char *const ana_sweep_sens_names[ANA_SWEEP_SENS];

/* Allocates s's arrays for the sizes and names already set in it (params,
 * metrics and the strings are the caller's to set): x zeroed, status
 * NOT_RUN, messages "", y NaN. SIM_ENOMEM. */
int ana_sweep_alloc(ana_sweep *s, sim_err *err);

/* Frees everything s owns (every pointer field) and zeroes it. */
void ana_sweep_fini(ana_sweep *s);

/* Writes s to path (force: replace an existing file). Errors as h5w. */
int ana_sweep_write(const ana_sweep *s, const char *path, bool force,
                    sim_err *err);

/* The units of a sweep metric ("1", "USD", "months"), written as its
 * data set's "units"; NULL for a name this version does not know. */
const char *ana_sweep_metric_units(const char *metric);

/* For a metric NAME:LABEL, the run file's axis LABEL is on ("actor" for
 * cumulative_revenue:ACTOR, "channel" for final_channel_share:CHANNEL), so
 * that `aims export` names it as a run's summary; NULL for the others. */
const char *ana_sweep_metric_axis(const char *metric);

/* Reads the sweep file at path into *s (zeroed first; ana_sweep_fini it
 * even on failure). SIM_EINPUT, with a one-line message naming the file,
 * for anything that is not a readable aims sweep file of a known
 * format_version with every object shaped as above. */
int ana_sweep_read(const char *path, ana_sweep *s, sim_err *err);

#endif
