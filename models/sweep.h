/* sweep.h -- sweep files and their designs (swp_*): which scenario values to
 * vary, over what, and the table of points that results.
 *
 * A sweep file (libconfig, docs/sweeps.md) names a base scenario, the
 * parameters to vary by the paths `aims run --set` takes, a design (grid,
 * lhs, sobol), samples, replications, a seed and the summary metrics to
 * keep:
 *
 *     sweep = {
 *       name = "enforcement";
 *       scenario = "baseline.cfg";     # relative to this file's directory
 *       design = "grid";               # grid | lhs | sobol
 *       samples = 0;                   # lhs: points; sobol: base N; grid: unused
 *       replications = 10;
 *       seed = 20260101;
 *       common_random_numbers = true;  # every point draws replication k's streams
 *       metrics = [ "final_frontier_access_share", "cumulative_revenue:21vianet" ];
 *     };
 *     parameters = (
 *       { path = "rules.gray_enforcement"; values = [ 0.5, 1.0, 2.0 ]; },   # grid
 *       { path = "timeline.[6].wind_down_months"; min = 6.0; max = 18.0; }  # lhs, sobol
 *     );
 *
 * swp_load checks the file the way the scenario loader does (messages
 * "FILE:LINE: PATH: expected WHAT, got VALUE", SIM_EINPUT) and also loads
 * the base scenario to check that every parameter path names an existing
 * numeric setting of it (an integer setting makes the parameter `integer`:
 * its values are rounded to the nearest integer when applied). It does not
 * check metric names against the scenario's actors: the runner does, with
 * the scenario's model in hand.
 *
 * The design is a pure function of the spec: swp_design gives the same
 * table on every machine, rank and shard.
 */
#ifndef SWP_SWEEP_H
#define SWP_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum { SWP_GRID, SWP_LHS, SWP_SOBOL } swp_design_kind;

/* "grid", "lhs", "sobol". */
const char *swp_design_name(swp_design_kind k);

enum {
    SWP_MAX_PARAMS = 20,      /* sobol: 2 d dimensions of GSL's Sobol (<= 40) */
    SWP_MAX_POINTS = 1000000, /* a design bigger than this is refused */
    SWP_MAX_REPS = 100000
};

typedef struct {
    char *path;       /* "rules.gray_enforcement", as --set takes it */
    size_t n_values;  /* grid: how many values (>= 1); lhs/sobol: 0 */
    double *values;   /* grid: the values, in the file's order */
    double lo, hi;    /* lhs/sobol: the range, lo < hi, both finite */
    bool integer;     /* the scenario's setting is an integer */
    int line;         /* the parameter's line in the sweep file */
} swp_param;

typedef struct {
    char *file;            /* the sweep file's path, as given */
    char *text;            /* the sweep file's text, for provenance */
    char *name;            /* sweep.name */
    char *scenario;        /* the base scenario's path, resolved against the
                              sweep file's directory (ready to open) */
    swp_design_kind design;
    size_t samples;        /* lhs: points; sobol: N; grid: 0 */
    size_t replications;   /* >= 1 */
    uint64_t seed;
    bool crn;              /* common_random_numbers (default true) */
    size_t n_params;       /* 1 .. SWP_MAX_PARAMS */
    swp_param *params;
    size_t n_metrics;      /* >= 1 */
    char **metrics;        /* names as `aims report` prints them */
    int metrics_line;      /* the line of sweep.metrics, for messages */
    int *metric_lines;     /* [n_metrics]: each name's line */
    int scenario_line;     /* the line of sweep.scenario */
} swp_spec;

/* Loads and checks the sweep file at path. Sets *out only on success (free
 * with swp_free). Errors: SIM_EINPUT (bad or unreadable file, a parameter
 * path the base scenario lacks or that is not a number, a design larger
 * than SWP_MAX_POINTS, ...), SIM_ENOMEM. */
int swp_load(const char *path, swp_spec **out, sim_err *err);

void swp_free(swp_spec *s); /* NULL is a no-op */

/* "PATH=VALUE" setting parameter q to v, as `--set` takes it: an integer
 * parameter as the nearest integer (with L past 32 bits), a float as a
 * float literal that reads back as v. The loader checks these strings
 * against the base scenario and the runner applies the same ones. */
void swp_assignment(const swp_param *q, double v, char *buf, size_t n);

/* The number of points of the design:
 *   grid:  the product of the parameters' n_values (the last parameter
 *          varies fastest);
 *   lhs:   samples;
 *   sobol: samples x (n_params + 2) (Saltelli's scheme, below). */
size_t swp_points(const swp_spec *s);

/* The design table: sets *x to a new array of swp_points(s) x n_params
 * doubles, row-major by point (free()). Integer parameters are rounded.
 *   grid:  every combination of the values.
 *   lhs:   a Latin hypercube over [lo, hi] per parameter: each of the
 *          `samples` equal strata holds one point, at a uniform position
 *          inside it; strata are permuted independently per parameter.
 *          The draws come from a stream seeded by s->seed alone.
 *   sobol: Saltelli's scheme with N = samples. Take N points of the
 *          2d-dimensional Sobol sequence (gsl_qrng_sobol, which already
 *          omits the all-zero first point: its first is (1/2, ..., 1/2));
 *          the first d coordinates form matrix A, the
 *          last d matrix B. Point blocks, each N rows, in this order:
 *            block 0: A;  block 1: B;
 *            block 2 + i (i = 0 .. d-1): AB_i = A with column i from B.
 *          Row j of block b is point b * N + j. Coordinates in [0, 1) are
 *          mapped to lo + u (hi - lo).
 * Errors: SIM_ENOMEM. */
int swp_design(const swp_spec *s, double **x, sim_err *err);

#endif
