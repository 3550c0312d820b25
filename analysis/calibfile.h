/* calibfile.h -- the output file of `aims calibrate` (ana_calib_*):
 * format "aims-calibration", docs/calibrate.md.
 *
 *   /parameter, /target, /generation, /particle   dimension scales
 *   /abc/particles   [generation, particle, parameter]  the accepted values
 *   /abc/weights     [generation, particle]            importance weights
 *   /abc/distances   [generation, particle]
 *   /abc/tolerance, /abc/proposals, /abc/acceptance_rate  [generation]
 *   /abc/target_mean [generation, particle, target]    simulated means
 *   /smm/path        [evaluation, parameter], /smm/objective [evaluation]
 *   /posterior/{mean,sd,q025,q50,q975}  [parameter]
 *   /fit/{observed,sd,sim_mean,sim_lo,sim_hi,z}  [target], /fit/held_out
 *
 * Written whole through a temporary file and a rename (h5w.h): an
 * interrupted calibration leaves no half-written file. Everything in it is
 * a function of the calibration file, its scenario and targets, so two
 * runs at any parallelism give the same file up to the provenance
 * attributes created, git_commit and aims_version.
 */
#ifndef ANA_CALIBFILE_H
#define ANA_CALIBFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum { ANA_CALIB_FORMAT_VERSION = 1 };

typedef struct {
    char *name, *method, *calib_text, *calib_file, *scenario_file,
        *scenario_text, *targets_text, *stop_reason, *aims_version,
        *git_commit;
    int64_t seed, reps;
    size_t n_params, n_targets;
    char **params, **targets;  /* [n_params], [n_targets] */
    char **sources;            /* [n_targets] */
    /* ABC-SMC (n_gen = 0 for smm) */
    size_t n_gen, n_particles;
    double *particles, *weights, *distances, *tolerance, *accept,
        *target_mean;
    int64_t *proposals;
    /* SMM (n_evals = 0 for abc) */
    size_t n_evals;
    double *path, *objective;
    /* posterior summaries [n_params] */
    double *mean, *sd, *q025, *q50, *q975;
    /* the fit table [n_targets] */
    double *observed, *obs_sd, *sim_mean, *sim_lo, *sim_hi, *z;
    int64_t *held_out;
} ana_calib;

/* Allocates every array for the sizes set in c (zeroed). */
int ana_calib_alloc(ana_calib *c, sim_err *err);
void ana_calib_fini(ana_calib *c); /* frees everything; repeatable */

int ana_calib_write(const ana_calib *c, const char *path, bool force,
                    sim_err *err);

/* Whether path is an aims calibration file (its format attribute). */
bool ana_calib_is(const char *path);

/* Reads the header (the calibration, scenario and targets texts
 * included), the posterior and the fit table (not the generations) for
 * `aims report`. */
int ana_calib_read(const char *path, ana_calib *c, sim_err *err);

#endif
