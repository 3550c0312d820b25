/* calib.h -- calibration files and observed targets (cal_*): which
 * scenario values to fit, their priors, the observed moments they are
 * fitted to, and how one replication's results map to each moment.
 *
 * A calibration file (libconfig, docs/calibrate.md) names a scenario,
 * the parameters by the paths `aims run --set` takes with a prior range,
 * the target files (scenarios/targets/ *.cfg, the format in
 * docs/calibration.md), the method (abc_smc or smm) and its settings:
 *
 *     calibration = {
 *       name = "history";
 *       scenario = "history_2023.cfg";      # relative to this file
 *       targets = [ "targets/idc.cfg" ];    # relative to this file
 *       method = "abc_smc";                 # abc_smc | smm
 *       replications = 4;                   # per evaluation
 *       seed = 20260101;
 *       set = [ "enterprises.count=20000" ]; # optional, applied first
 *     };
 *     parameters = (
 *       { path = "vendors.[2].capability"; min = 60.0; max = 90.0;
 *         prior = "uniform"; }               # uniform | log_uniform
 *     );
 *     abc = { particles = 100; generations = 5; quantile = 0.5;
 *             min_acceptance = 0.02; batch = 100; };
 *     smm = { max_evaluations = 200; tolerance = 1e-3; step = 0.1; };
 *
 * cal_load checks everything before anything runs, with the loader's
 * message form "FILE:LINE: PATH: ...": every parameter path names a
 * numeric setting of the scenario, every prior range is non-empty, the
 * tolerance schedule can shrink, and every target maps to an output the
 * scenario has (a series, its coordinates, months inside the horizon, a
 * large account, an option).
 *
 * Why the targets are resolved here, in models/: a target is a function of
 * one replication's mkt_results (cal_target_value), and its coordinates
 * are the scenario's own vendor, actor, sector, account and option names.
 */
#ifndef CAL_CALIB_H
#define CAL_CALIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mkt.h"

typedef enum { CAL_ABC_SMC, CAL_SMM } cal_method;
typedef enum {
    CAL_SHARE,
    CAL_LEVEL,
    CAL_RATIO,
    CAL_GROWTH,
    CAL_PROBABILITY
} cal_kind;

enum { CAL_MAX_PARAMS = 20, CAL_MAX_TARGETS = 256 };

typedef struct {
    char *path;     /* as --set takes it */
    double lo, hi;  /* the prior's range, lo < hi */
    bool log;       /* log_uniform (then 0 < lo) */
    bool integer;   /* the scenario's setting is an integer */
    int line;       /* in the calibration file */
} cal_param;

/* One aggregate of a series: the months [from, to] (0-based month
 * indices, inclusive), summed for a flow, averaged for a stock, of the
 * last-axis coordinates in mask (summed; other axes summed too). */
typedef struct {
    int series;            /* index into the series table (calib_target.c) */
    int from, to;
    unsigned char *mask;   /* [coordinates of the last axis] */
} cal_agg;

typedef struct {
    char *id, *source, *observed, *sd_how, *series_name;
    double value, sd;
    cal_kind kind;
    bool held_out;
    cal_agg num, den;      /* den: share (among), ratio (per), growth (base) */
    size_t account;        /* probability: the large account */
    unsigned char *opt_mask; /* probability: the options that count */
    int month;             /* probability: 0-based month of `to` */
    char *file;            /* the target file, as resolved */
    int line;
} cal_target;

typedef struct {
    char *file, *text, *name;
    char *scenario;          /* resolved against the file's directory */
    char **sets;             /* calibration.set, in order */
    size_t n_sets;
    char **target_files, **target_texts;
    size_t n_target_files;
    cal_method method;
    size_t reps;
    uint64_t seed;
    cal_param *params;
    size_t n_params;
    cal_target *targets;
    size_t n_targets, n_fitted;
    /* abc = { ... } */
    size_t particles, generations, batch;
    double quantile;         /* (0, 1); 0 when a schedule is given */
    double *tolerances;      /* [generations] strictly decreasing, or NULL */
    double min_acceptance;   /* (0, 1] */
    /* smm = { ... } */
    size_t max_evals;
    double smm_tol, smm_step;
} cal_spec;

/* Loads and checks the calibration file at path and its targets. Sets *out
 * only on success (free with cal_free). SIM_EINPUT with the house message,
 * SIM_ENOMEM. */
int cal_load(const char *path, cal_spec **out, sim_err *err);
void cal_free(cal_spec *s); /* NULL is a no-op */

/* "PATH=VALUE" for parameter q at value v (as swp_assignment). */
void cal_assignment(const cal_param *q, double v, char *buf, size_t n);

/* The scenario of s with its `set` list and the parameter values x
 * [n_params] applied, loaded into a model. */
int cal_model(const cal_spec *s, const double *x, mkt_params **out,
              sim_err *err);

/* Target t's value in one replication (NaN when undefined there, as a
 * share with an empty denominator). */
double cal_target_value(const cal_target *t, const mkt_results *r);

const char *cal_kind_name(cal_kind k);
const char *cal_method_name(cal_method m);

#endif
