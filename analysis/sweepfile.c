/* sweepfile.c -- the HDF5 file of `aims sweep` and `aims merge` (see
 * sweepfile.h). */
#include "sweepfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5r.h"
#include "h5w.h"

const char *const ana_sweep_sens_names[ANA_SWEEP_SENS] = {
    "first", "first_lo", "first_hi", "total", "total_lo", "total_hi"};

int ana_sweep_alloc(ana_sweep *s, sim_err *err)
{
    size_t P = s->points, K = s->n_params, M = s->n_metrics, R = s->reps;
    if ((K && P > SIZE_MAX / 8 / K) || (R && P > SIZE_MAX / 8 / R / (M ? M : 1)))
        return sim_err_set(err, SIM_ENOMEM, "sweep of %zu points too large",
                           P);
    s->x = calloc(P * K + 1, sizeof *s->x);
    s->status = calloc(P ? P : 1, sizeof *s->status);
    s->message = calloc(P ? P : 1, sizeof *s->message);
    s->y = malloc((M * P * R + 1) * sizeof *s->y);
    if (!s->x || !s->status || !s->message || !s->y)
        return sim_err_set(err, SIM_ENOMEM, "out of memory for the sweep");
    for (size_t i = 0; i < P; i++) {
        s->status[i] = ANA_SWEEP_NOT_RUN;
        if ((s->message[i] = strdup("")) == NULL)
            return sim_err_set(err, SIM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < M * P * R; i++)
        s->y[i] = (double)NAN;
    return SIM_OK;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

void ana_sweep_fini(ana_sweep *s)
{
    free(s->name);
    free(s->design);
    free(s->sweep_text);
    free(s->sweep_file);
    free(s->scenario_file);
    free(s->aims_version);
    free(s->git_commit);
    free(s->created);
    free_strings(s->params, s->n_params);
    free_strings(s->metrics, s->n_metrics);
    free_strings(s->message, s->message ? s->points : 0);
    free(s->x);
    free(s->status);
    free(s->y);
    free(s->sens);
    memset(s, 0, sizeof *s);
}

/* ---- writing ------------------------------------------------------------ */

static int write_attrs(ana_h5w *w, const ana_sweep *s, sim_err *err)
{
    char created[32];
    ana_h5w_now_utc(created, sizeof created);
    const ana_h5w_str_attr str[] = {
        {"format", "aims-sweep"},
        {"name", s->name},
        {"design", s->design},
        {"sweep", s->sweep_text},
        {"sweep_file", s->sweep_file},
        {"scenario_file", s->scenario_file},
        {"aims_version", s->aims_version},
        {"git_commit", s->git_commit},
        {"created", created}};
    const ana_h5w_i64_attr num[] = {
        {"format_version", ANA_SWEEP_FORMAT_VERSION},
        {"seed", s->seed},
        {"replications", (int64_t)s->reps},
        {"samples", s->samples},
        {"common_random_numbers", s->crn},
        {"shard", s->shard},
        {"shards", s->shards},
        {"points", (int64_t)s->points}};
    return ana_h5w_attr_table(w, "/", str, sizeof str / sizeof str[0], num,
                              sizeof num / sizeof num[0], err);
}

/* ---- what each data set holds (units, long_name) ---------------------- */

/* The metrics of a sweep are those of `aims run --precision`
 * (runner/precision.h): a name, or a prefix and ":" and an actor or channel. */
static const struct {
    const char *name; /* whole name, or prefix ending in ':' */
    const char *units;
    const char *about, *after; /* long_name: about, the part after ':', after */
    const char *axis; /* what the part after ':' is: a run file's axis */
} metric_table[] = {
    {"final_frontier_access_share", "1",
     "share of adopters using a frontier model, mean over the final window",
     "", NULL},
    {"final_frontier_access_index", "1",
     "frontier access index, mean over the final window", "", NULL},
    {"months_to_half_access", "months",
     "months from the first shock until frontier access halved (NaN: never)",
     "", NULL},
    {"cumulative_revenue:", "USD", "revenue of ", " over the horizon",
     "actor"},
    {"final_channel_share:", "1", "share of adopters in channel ",
     ", mean over the final window", "channel"},
};

static int metric_find(const char *metric)
{
    for (size_t i = 0; i < sizeof metric_table / sizeof metric_table[0];
         i++) {
        const char *n = metric_table[i].name;
        size_t len = strlen(n);
        if (n[len - 1] == ':' ? strncmp(metric, n, len) == 0
                              : strcmp(metric, n) == 0)
            return (int)i;
    }
    return -1;
}

const char *ana_sweep_metric_units(const char *metric)
{
    int i = metric_find(metric);
    return i < 0 ? NULL : metric_table[i].units;
}

const char *ana_sweep_metric_axis(const char *metric)
{
    int i = metric_find(metric);
    return i < 0 ? NULL : metric_table[i].axis;
}

static void metric_long_name(const char *metric, char *buf, size_t n)
{
    int i = metric_find(metric);
    const char *colon = strchr(metric, ':');
    if (i < 0)
        snprintf(buf, n, "%s, per point and replication", metric);
    else
        snprintf(buf, n, "%s%s%s", metric_table[i].about,
                 colon != NULL ? colon + 1 : "", metric_table[i].after);
}

/* In the order of ana_sweep_sens_names. */
static const char *const sens_about[ANA_SWEEP_SENS] = {
    "first-order Sobol index",
    "lower end of the 95% interval of the first-order Sobol index",
    "upper end of the 95% interval of the first-order Sobol index",
    "total Sobol index",
    "lower end of the 95% interval of the total Sobol index",
    "upper end of the 95% interval of the total Sobol index"};

static int write_long_names(ana_h5w *w, sim_err *err)
{
    static const struct {
        const char *path, *about;
    } v[] = {
        {"/point", "sweep point: the design's row"},
        {"/replication", "replication (names its random streams)"},
        {"/parameter", "parameter, as its --set path"},
        {"/points/parameters",
         "each point's parameter values, each in the unit of its scenario "
         "path"},
        {"/points/status", "how the point ended: 0 ok, 1 failed, 2 not run"},
        {"/points/message", "why the point failed (empty if it did not)"},
    };
    int rc = SIM_OK;
    for (size_t i = 0; rc == SIM_OK && i < sizeof v / sizeof v[0]; i++)
        rc = ana_h5w_attr_str(w, v[i].path, "long_name", v[i].about, err);
    return rc;
}

int ana_sweep_write(const ana_sweep *s, const char *path, bool force,
                    sim_err *err)
{
    ana_h5w *w = NULL;
    int rc = ana_h5w_new(path, force, &w, err);
    if (rc != SIM_OK)
        return rc;
    size_t P = s->points, R = s->reps;
    int64_t *idx = malloc((P > R ? P : R) * sizeof *idx + 1);
    if (idx == NULL) {
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < P; i++)
        idx[i] = (int64_t)i;
    if ((rc = ana_h5w_scale_i64(w, "/point", P, idx, "1", err)) != SIM_OK)
        goto done;
    for (size_t i = 0; i < R; i++)
        idx[i] = (int64_t)i;
    if ((rc = ana_h5w_scale_i64(w, "/replication", R, idx, "1", err)) ||
        (rc = ana_h5w_scale_str(w, "/parameter", s->n_params,
                                (const char *const *)s->params, err)))
        goto done;
    const char *pk[] = {"/point", "/parameter"}, *pr[] = {"/point",
                                                          "/replication"};
    size_t dpk[] = {P, s->n_params}, dpr[] = {P, R};
    /* Each parameter is in the unit of its scenario path; there is no one
     * unit for the matrix, and "1" would say there is. */
    ana_h5w_shape xs = {"/points/parameters", 2, dpk, pk, "mixed"};
    ana_h5w_shape ss = {"/points/status", 1, dpk, pk, "1"};
    static const int64_t flags[] = {ANA_SWEEP_OK, ANA_SWEEP_FAILED,
                                    ANA_SWEEP_NOT_RUN};
    ana_h5w_shape ms = {"/points/message", 1, dpk, pk, NULL};
    if ((rc = ana_h5w_write_f64(w, &xs, s->x, err)) ||
        (rc = ana_h5w_write_i64(w, &ss, s->status, err)) ||
        (rc = ana_h5w_write_str(w, &ms, (const char *const *)s->message,
                                err)) ||
        (rc = ana_h5w_attr_i64_array(w, "/points/status", "flag_values", 3,
                                     flags, err)) ||
        (rc = ana_h5w_attr_str(w, "/points/status", "flag_meanings",
                               "ok failed not_run", err)) ||
        (rc = write_long_names(w, err)))
        goto done;
    for (size_t m = 0; m < s->n_metrics; m++) {
        char p[512], about[512];
        snprintf(p, sizeof p, "/points/summary/%s", s->metrics[m]);
        ana_h5w_shape ys = {p, 2, dpr, pr,
                            ana_sweep_metric_units(s->metrics[m])};
        metric_long_name(s->metrics[m], about, sizeof about);
        if ((rc = ana_h5w_write_f64(w, &ys, s->y + m * P * R, err)) ||
            (rc = ana_h5w_attr_str(w, p, "long_name", about, err)))
            goto done;
    }
    const char *pp[] = {"/parameter"};
    size_t dp[] = {s->n_params};
    for (size_t m = 0; s->sens != NULL && m < s->n_metrics; m++)
        for (size_t k = 0; k < ANA_SWEEP_SENS; k++) {
            char p[600];
            snprintf(p, sizeof p, "/sensitivity/%s/%s", s->metrics[m],
                     ana_sweep_sens_names[k]);
            ana_h5w_shape sh = {p, 1, dp, pp, "1"};
            char about[600];
            snprintf(about, sizeof about, "%s of %s",
                     sens_about[k], s->metrics[m]);
            if ((rc = ana_h5w_write_f64(
                     w, &sh, s->sens + (m * ANA_SWEEP_SENS + k) * s->n_params,
                     err)) ||
                (rc = ana_h5w_attr_str(w, p, "long_name", about, err)))
                goto done;
        }
    if (s->sens != NULL &&
        (rc = ana_h5w_attr_i64(w, "/", "sensitivity_bootstrap", s->sens_boot,
                               err)))
        goto done;
    if ((rc = write_attrs(w, s, err)) == SIM_OK)
        rc = ana_h5w_commit(w, err);
done:
    free(idx);
    if (rc != SIM_OK)
        ana_h5w_abort(w);
    ana_h5w_free(w);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

static int read_str_attr(ana_h5r *r, const char *name, char **out)
{
    int rc = ana_h5r_attr_str(r, r->file, "/", name, out);
    if (rc == SIM_OK && *out == NULL && (*out = strdup("")) == NULL)
        rc = ana_h5r_no_memory(r);
    return rc;
}

static int check_format(ana_h5r *r)
{
    char *format = NULL;
    int rc = ana_h5r_attr_str(r, r->file, "/", "format", &format);
    if (rc == SIM_OK && (format == NULL || strcmp(format, "aims-sweep") != 0))
        rc = sim_err_set(r->err, SIM_EINPUT,
                         "%s: not an aims sweep file (format = \"%.64s\", "
                         "expected \"aims-sweep\")",
                         r->path, format ? format : "(none)");
    free(format);
    int64_t v = 0;
    if (rc == SIM_OK && (rc = ana_h5r_attr_i64(r, "format_version", &v)) ==
                            SIM_OK &&
        (v < 1 || v > ANA_SWEEP_FORMAT_VERSION))
        rc = sim_err_set(r->err, SIM_EINPUT,
                         "%s: format_version %lld, this aims reads 1 .. %d",
                         r->path, (long long)v, ANA_SWEEP_FORMAT_VERSION);
    return rc;
}

/* The metric names: the members of /points/summary, in HDF5's name order
 * (the writer's order need not be kept: readers look metrics up by name). */
static herr_t add_name(hid_t g, const char *name, const H5L_info_t *info,
                       void *data)
{
    (void)g;
    (void)info;
    ana_sweep *s = data;
    char **grown = realloc(s->metrics, (s->n_metrics + 1) * sizeof *grown);
    if (grown == NULL)
        return -1;
    s->metrics = grown;
    if ((s->metrics[s->n_metrics] = strdup(name)) == NULL)
        return -1;
    s->n_metrics++;
    return 0;
}

static int read_metric_names(ana_h5r *r, ana_sweep *s)
{
    htri_t there = H5Lexists(r->file, "/points", H5P_DEFAULT);
    if (there > 0)
        there = H5Lexists(r->file, "/points/summary", H5P_DEFAULT);
    if (there <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return sim_err_set(r->err, SIM_EINPUT,
                           "%s: no /points/summary group; damaged aims "
                           "sweep file?",
                           r->path);
    }
    hid_t g = H5Gopen2(r->file, "/points/summary", H5P_DEFAULT);
    if (g < 0)
        return ana_h5r_fail(r, "/points/summary");
    hsize_t idx = 0;
    herr_t st = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, add_name, s);
    H5Gclose(g);
    if (st < 0)
        return ana_h5r_fail(r, "/points/summary");
    return SIM_OK;
}

/* /sensitivity, when there is one: all of it, or it is damaged. */
static int read_sens(ana_h5r *r, ana_sweep *s)
{
    htri_t there = H5Lexists(r->file, "/sensitivity", H5P_DEFAULT);
    if (there <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return SIM_OK;
    }
    int rc = ana_h5r_attr_i64(r, "sensitivity_bootstrap", &s->sens_boot);
    size_t K = s->n_params, M = s->n_metrics;
    if (rc == SIM_OK &&
        (s->sens = malloc((M * ANA_SWEEP_SENS * K + 1) * sizeof *s->sens)) ==
            NULL)
        rc = ana_h5r_no_memory(r);
    for (size_t m = 0; rc == SIM_OK && m < M; m++)
        for (size_t k = 0; rc == SIM_OK && k < ANA_SWEEP_SENS; k++) {
            char p[600];
            snprintf(p, sizeof p, "/sensitivity/%s/%s", s->metrics[m],
                     ana_sweep_sens_names[k]);
            void *v = NULL;
            if ((rc = ana_h5r_read_numbers(r, p, H5T_NATIVE_DOUBLE, 1, &K,
                                           NULL, &v)) == SIM_OK) {
                memcpy(s->sens + (m * ANA_SWEEP_SENS + k) * K, v,
                       K * sizeof *s->sens);
                free(v);
            }
        }
    return rc;
}

int ana_sweep_read(const char *path, ana_sweep *s, sim_err *err)
{
    memset(s, 0, sizeof *s);
    ana_h5r r;
    int rc = ana_h5r_open(&r, path, "an aims sweep file", err);
    if (rc != SIM_OK)
        return rc;
    int64_t reps = 0, points = 0;
    if ((rc = check_format(&r)) || (rc = read_str_attr(&r, "name", &s->name)) ||
        (rc = read_str_attr(&r, "design", &s->design)) ||
        (rc = read_str_attr(&r, "sweep", &s->sweep_text)) ||
        (rc = read_str_attr(&r, "sweep_file", &s->sweep_file)) ||
        (rc = read_str_attr(&r, "scenario_file", &s->scenario_file)) ||
        (rc = read_str_attr(&r, "aims_version", &s->aims_version)) ||
        (rc = read_str_attr(&r, "git_commit", &s->git_commit)) ||
        (rc = read_str_attr(&r, "created", &s->created)) ||
        (rc = ana_h5r_attr_i64(&r, "seed", &s->seed)) ||
        (rc = ana_h5r_attr_i64(&r, "replications", &reps)) ||
        (rc = ana_h5r_attr_i64(&r, "samples", &s->samples)) ||
        (rc = ana_h5r_attr_i64(&r, "common_random_numbers", &s->crn)) ||
        (rc = ana_h5r_attr_i64(&r, "shard", &s->shard)) ||
        (rc = ana_h5r_attr_i64(&r, "shards", &s->shards)) ||
        (rc = ana_h5r_attr_i64(&r, "points", &points)))
        goto done;
    if (reps < 1 || points < 0 || s->shards < 1 || s->shard < 0 ||
        s->shard >= s->shards) {
        rc = sim_err_set(err, SIM_EINPUT,
                         "%s: replications %lld, points %lld, shard %lld/%lld: "
                         "damaged aims sweep file?",
                         path, (long long)reps, (long long)points,
                         (long long)s->shard, (long long)s->shards);
        goto done;
    }
    s->reps = (size_t)reps;
    s->points = (size_t)points;
    size_t n_params = 0, n_msg = 0;
    if ((rc = ana_h5r_read_strings(&r, "/parameter", SIZE_MAX, &s->params,
                                   &n_params)))
        goto done;
    s->n_params = n_params;
    if ((rc = read_metric_names(&r, s)))
        goto done;
    size_t P = s->points, R = s->reps, M = s->n_metrics;
    size_t wx[] = {P, n_params}, wp[] = {P}, wy[] = {P, R};
    void *x = NULL, *st = NULL;
    if ((rc = ana_h5r_read_numbers(&r, "/points/parameters", H5T_NATIVE_DOUBLE,
                                   2, wx, NULL, &x)))
        goto done;
    s->x = x;
    if ((rc = ana_h5r_read_numbers(&r, "/points/status", H5T_NATIVE_INT64, 1,
                                   wp, NULL, &st)))
        goto done;
    s->status = st;
    for (size_t i = 0; i < P; i++)
        if (s->status[i] < ANA_SWEEP_OK || s->status[i] > ANA_SWEEP_NOT_RUN) {
            rc = sim_err_set(err, SIM_EINPUT,
                             "%s: /points/status[%zu] = %lld, expected 0, 1 "
                             "or 2",
                             path, i, (long long)s->status[i]);
            goto done;
        }
    if ((rc = ana_h5r_read_strings(&r, "/points/message", P, &s->message,
                                   &n_msg)))
        goto done;
    if ((s->y = malloc((M * P * R + 1) * sizeof *s->y)) == NULL) {
        rc = ana_h5r_no_memory(&r);
        goto done;
    }
    for (size_t m = 0; m < M; m++) {
        char p[512];
        snprintf(p, sizeof p, "/points/summary/%s", s->metrics[m]);
        void *y = NULL;
        if ((rc = ana_h5r_read_numbers(&r, p, H5T_NATIVE_DOUBLE, 2, wy, NULL,
                                       &y)))
            goto done;
        memcpy(s->y + m * P * R, y, P * R * sizeof *s->y);
        free(y);
    }
    rc = read_sens(&r, s);
done:
    return ana_h5r_close(&r, rc);
}
