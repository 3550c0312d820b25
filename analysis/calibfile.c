/* calibfile.c -- writes and reads the calibration file (calibfile.h) with
 * the generic writer h5w.c and the distrustful reader h5r.c. */
#include "calibfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h5r.h"
#include "h5w.h"

static void *zalloc(size_t n, size_t size, bool *ok)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL)
        *ok = false;
    return p;
}

int ana_calib_alloc(ana_calib *c, sim_err *err)
{
    bool ok = true;
    size_t P = c->n_params, T = c->n_targets, G = c->n_gen,
           N = c->n_particles, E = c->n_evals;
    c->params = zalloc(P, sizeof(char *), &ok);
    c->targets = zalloc(T, sizeof(char *), &ok);
    c->sources = zalloc(T, sizeof(char *), &ok);
    c->particles = zalloc(G * N * P, sizeof(double), &ok);
    c->weights = zalloc(G * N, sizeof(double), &ok);
    c->distances = zalloc(G * N, sizeof(double), &ok);
    c->tolerance = zalloc(G, sizeof(double), &ok);
    c->accept = zalloc(G, sizeof(double), &ok);
    c->target_mean = zalloc(G * N * T, sizeof(double), &ok);
    c->proposals = zalloc(G, sizeof(int64_t), &ok);
    c->path = zalloc(E * P, sizeof(double), &ok);
    c->objective = zalloc(E, sizeof(double), &ok);
    double **pv[] = {&c->mean, &c->sd, &c->q025, &c->q50, &c->q975};
    for (size_t i = 0; i < 5; i++)
        *pv[i] = zalloc(P, sizeof(double), &ok);
    double **tv[] = {&c->observed, &c->obs_sd, &c->sim_mean,
                     &c->sim_lo, &c->sim_hi, &c->z};
    for (size_t i = 0; i < 6; i++)
        *tv[i] = zalloc(T, sizeof(double), &ok);
    c->held_out = zalloc(T, sizeof(int64_t), &ok);
    return ok ? SIM_OK : sim_err_set(err, SIM_ENOMEM, "out of memory");
}

void ana_calib_fini(ana_calib *c)
{
    char **s[] = {&c->name, &c->method, &c->calib_text, &c->calib_file,
                  &c->scenario_file, &c->scenario_text, &c->targets_text,
                  &c->stop_reason, &c->aims_version, &c->git_commit};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        free(*s[i]);
    for (size_t i = 0; c->params && i < c->n_params; i++)
        free(c->params[i]);
    for (size_t i = 0; c->targets && i < c->n_targets; i++) {
        free(c->targets[i]);
        if (c->sources)
            free(c->sources[i]);
    }
    free(c->params);
    free(c->targets);
    free(c->sources);
    void *a[] = {c->particles, c->weights,   c->distances, c->tolerance,
                 c->accept,    c->target_mean, c->proposals, c->path,
                 c->objective, c->mean,      c->sd,        c->q025,
                 c->q50,       c->q975,      c->observed,  c->obs_sd,
                 c->sim_mean,  c->sim_lo,    c->sim_hi,    c->z,
                 c->held_out};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
        free(a[i]);
    memset(c, 0, sizeof *c);
}

static int write_attrs(ana_h5w *w, const ana_calib *c, sim_err *err)
{
    char created[32];
    ana_h5w_now_utc(created, sizeof created);
    const ana_h5w_str_attr str[] = {
        {"format", "aims-calibration"},
        {"name", c->name},
        {"method", c->method},
        {"calibration", c->calib_text},
        {"calibration_file", c->calib_file},
        {"scenario_file", c->scenario_file},
        {"scenario", c->scenario_text},
        {"targets", c->targets_text},
        {"stop_reason", c->stop_reason},
        {"aims_version", c->aims_version},
        {"git_commit", c->git_commit},
        {"created", created}};
    const ana_h5w_i64_attr num[] = {
        {"format_version", ANA_CALIB_FORMAT_VERSION},
        {"seed", c->seed},
        {"replications", c->reps},
        {"generations", (int64_t)c->n_gen},
        {"evaluations", (int64_t)c->n_evals}};
    return ana_h5w_attr_table(w, "/", str, sizeof str / sizeof str[0], num,
                              sizeof num / sizeof num[0], err);
}

static int scale_idx(ana_h5w *w, const char *path, size_t n, sim_err *err)
{
    int64_t *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)i;
    int rc = ana_h5w_scale_i64(w, path, n, v, NULL, err);
    free(v);
    return rc;
}

int ana_calib_write(const ana_calib *c, const char *path, bool force,
                    sim_err *err)
{
    ana_h5w *w = NULL;
    int rc = ana_h5w_new(path, force, &w, err);
    if (rc != SIM_OK)
        return rc;
    size_t P = c->n_params, T = c->n_targets, G = c->n_gen,
           N = c->n_particles, E = c->n_evals;
    const char *sp[] = {"/parameter"}, *st[] = {"/target"};
    size_t dp[] = {P}, dt[] = {T};
    if ((rc = write_attrs(w, c, err)) ||
        (rc = ana_h5w_scale_str(w, "/parameter", P,
                                (const char *const *)c->params, err)) ||
        (rc = ana_h5w_scale_str(w, "/target", T,
                                (const char *const *)c->targets, err)))
        goto done;
    if (G > 0) {
        const char *sg[] = {"/generation"}, *sgn[] = {"/generation",
                                                      "/particle"},
                   *sgnp[] = {"/generation", "/particle", "/parameter"},
                   *sgnt[] = {"/generation", "/particle", "/target"};
        size_t dg[] = {G}, dgn[] = {G, N}, dgnp[] = {G, N, P},
               dgnt[] = {G, N, T};
        ana_h5w_shape parts = {"/abc/particles", 3, dgnp, sgnp, NULL},
                      wts = {"/abc/weights", 2, dgn, sgn, "1"},
                      dist = {"/abc/distances", 2, dgn, sgn, "1"},
                      tol = {"/abc/tolerance", 1, dg, sg, "1"},
                      acc = {"/abc/acceptance_rate", 1, dg, sg, "1"},
                      prop = {"/abc/proposals", 1, dg, sg, "evaluations"},
                      tm = {"/abc/target_mean", 3, dgnt, sgnt, NULL};
        if ((rc = scale_idx(w, "/generation", G, err)) ||
            (rc = scale_idx(w, "/particle", N, err)) ||
            (rc = ana_h5w_write_f64(w, &parts, c->particles, err)) ||
            (rc = ana_h5w_write_f64(w, &wts, c->weights, err)) ||
            (rc = ana_h5w_write_f64(w, &dist, c->distances, err)) ||
            (rc = ana_h5w_write_f64(w, &tol, c->tolerance, err)) ||
            (rc = ana_h5w_write_f64(w, &acc, c->accept, err)) ||
            (rc = ana_h5w_write_i64(w, &prop, c->proposals, err)) ||
            (rc = ana_h5w_write_f64(w, &tm, c->target_mean, err)))
            goto done;
    }
    if (E > 0) {
        const char *se[] = {"/evaluation"}, *sep[] = {"/evaluation",
                                                      "/parameter"};
        size_t de[] = {E}, dep[] = {E, P};
        ana_h5w_shape pa = {"/smm/path", 2, dep, sep, NULL},
                      ob = {"/smm/objective", 1, de, se, "1"};
        if ((rc = scale_idx(w, "/evaluation", E, err)) ||
            (rc = ana_h5w_write_f64(w, &pa, c->path, err)) ||
            (rc = ana_h5w_write_f64(w, &ob, c->objective, err)))
            goto done;
    }
    const struct {
        const char *path;
        const double *v;
    } post[] = {{"/posterior/mean", c->mean}, {"/posterior/sd", c->sd},
                {"/posterior/q025", c->q025}, {"/posterior/q50", c->q50},
                {"/posterior/q975", c->q975}};
    for (size_t i = 0; i < 5; i++) {
        ana_h5w_shape s = {post[i].path, 1, dp, sp, NULL};
        if ((rc = ana_h5w_write_f64(w, &s, post[i].v, err)))
            goto done;
    }
    const struct {
        const char *path;
        const double *v;
    } fit[] = {{"/fit/observed", c->observed}, {"/fit/sd", c->obs_sd},
               {"/fit/sim_mean", c->sim_mean}, {"/fit/sim_lo", c->sim_lo},
               {"/fit/sim_hi", c->sim_hi},     {"/fit/z", c->z}};
    for (size_t i = 0; i < 6; i++) {
        ana_h5w_shape s = {fit[i].path, 1, dt, st, NULL};
        if ((rc = ana_h5w_write_f64(w, &s, fit[i].v, err)))
            goto done;
    }
    ana_h5w_shape ho = {"/fit/held_out", 1, dt, st, "1"},
                  so = {"/fit/source", 1, dt, st, NULL};
    if ((rc = ana_h5w_write_i64(w, &ho, c->held_out, err)) ||
        (rc = ana_h5w_write_str(w, &so, (const char *const *)c->sources,
                                err)))
        goto done;
    rc = ana_h5w_commit(w, err);
done:
    if (rc != SIM_OK)
        ana_h5w_abort(w);
    ana_h5w_free(w);
    return rc;
}

bool ana_calib_is(const char *path)
{
    sim_err err = {0};
    ana_h5r r;
    if (ana_h5r_open(&r, path, "an aims file", &err) != SIM_OK)
        return false;
    char *f = NULL;
    bool is = ana_h5r_attr_str(&r, r.file, "/", "format", &f) == SIM_OK &&
              f != NULL && strcmp(f, "aims-calibration") == 0;
    free(f);
    ana_h5r_close(&r, SIM_OK);
    return is;
}

static int read_f64(ana_h5r *r, const char *path, size_t n, double **out)
{
    size_t want[] = {n}, got[1];
    void *v = NULL;
    int rc = ana_h5r_read_numbers(r, path, H5T_NATIVE_DOUBLE, 1, want, got,
                                  &v);
    if (rc == SIM_OK) {
        free(*out);
        *out = v;
    }
    return rc;
}

int ana_calib_read(const char *path, ana_calib *c, sim_err *err)
{
    ana_h5r r;
    memset(c, 0, sizeof *c);
    int rc = ana_h5r_open(&r, path, "an aims calibration file", err);
    if (rc != SIM_OK)
        return rc;
    int64_t v;
    char **names = NULL;
    size_t n = 0;
    if ((rc = ana_h5r_attr_i64(&r, "format_version", &v)) != SIM_OK)
        goto done;
    if (v != ANA_CALIB_FORMAT_VERSION) {
        rc = sim_err_set(err, SIM_EINPUT,
                         "%s: calibration format_version %lld; this aims "
                         "reads %d",
                         path, (long long)v, ANA_CALIB_FORMAT_VERSION);
        goto done;
    }
    if ((rc = ana_h5r_attr_i64(&r, "seed", &c->seed)) ||
        (rc = ana_h5r_attr_i64(&r, "replications", &c->reps)) ||
        (rc = ana_h5r_attr_str(&r, r.file, "/", "name", &c->name)) ||
        (rc = ana_h5r_attr_str(&r, r.file, "/", "method", &c->method)) ||
        (rc = ana_h5r_attr_str(&r, r.file, "/", "stop_reason",
                               &c->stop_reason)) ||
        (rc = ana_h5r_attr_str(&r, r.file, "/", "calibration",
                               &c->calib_text)) ||
        (rc = ana_h5r_attr_str(&r, r.file, "/", "scenario",
                               &c->scenario_text)) ||
        (rc = ana_h5r_attr_str(&r, r.file, "/", "targets",
                               &c->targets_text)) ||
        (rc = ana_h5r_attr_i64(&r, "generations", &v)))
        goto done;
    c->n_gen = (size_t)v;
    if ((rc = ana_h5r_attr_i64(&r, "evaluations", &v)))
        goto done;
    c->n_evals = (size_t)v;
    if ((rc = ana_h5r_read_strings(&r, "/parameter", SIZE_MAX, &names, &n)))
        goto done;
    c->params = names;
    c->n_params = n;
    if ((rc = ana_h5r_read_strings(&r, "/target", SIZE_MAX, &names, &n)))
        goto done;
    c->targets = names;
    c->n_targets = n;
    size_t P = c->n_params, T = c->n_targets;
    if ((rc = read_f64(&r, "/posterior/mean", P, &c->mean)) ||
        (rc = read_f64(&r, "/posterior/sd", P, &c->sd)) ||
        (rc = read_f64(&r, "/posterior/q025", P, &c->q025)) ||
        (rc = read_f64(&r, "/posterior/q50", P, &c->q50)) ||
        (rc = read_f64(&r, "/posterior/q975", P, &c->q975)) ||
        (rc = read_f64(&r, "/fit/observed", T, &c->observed)) ||
        (rc = read_f64(&r, "/fit/sd", T, &c->obs_sd)) ||
        (rc = read_f64(&r, "/fit/sim_mean", T, &c->sim_mean)) ||
        (rc = read_f64(&r, "/fit/sim_lo", T, &c->sim_lo)) ||
        (rc = read_f64(&r, "/fit/sim_hi", T, &c->sim_hi)) ||
        (rc = read_f64(&r, "/fit/z", T, &c->z)))
        goto done;
    {
        size_t want[] = {T}, got[1];
        void *h = NULL;
        if ((rc = ana_h5r_read_numbers(&r, "/fit/held_out", H5T_NATIVE_INT64,
                                       1, want, got, &h)))
            goto done;
        c->held_out = h;
    }
    if (c->n_gen > 0) {
        size_t want[] = {c->n_gen}, got[1];
        void *h = NULL;
        if ((rc = read_f64(&r, "/abc/acceptance_rate", c->n_gen, &c->accept)) ||
            (rc = read_f64(&r, "/abc/tolerance", c->n_gen, &c->tolerance)) ||
            (rc = ana_h5r_read_numbers(&r, "/abc/proposals", H5T_NATIVE_INT64,
                                       1, want, got, &h)))
            goto done;
        c->proposals = h;
    }
done:
    rc = ana_h5r_close(&r, rc);
    if (rc != SIM_OK)
        ana_calib_fini(c);
    return rc;
}
