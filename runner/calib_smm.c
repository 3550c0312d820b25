/* calib_smm.c -- the simulated method of moments: minimise the squared
 * distance (calib_run.h) on the common-random-number objective with GSL's
 * Nelder-Mead simplex (gsl_multimin_fminimizer_nmsimplex2), on the
 * parameters scaled to [0, 1] of their prior box (z-space, abc.h).
 *
 * Common random numbers: every evaluation runs replications 0 .. R-1 with
 * the same streams (point 0), so the objective is a deterministic, nearly
 * smooth function of the parameters and the simplex does not chase noise.
 * A vertex outside the box is not evaluated: it gets a penalty that grows
 * with its distance from the box, so the simplex walks back in.
 *
 * Standard errors from the curvature: the Jacobian J of the targets'
 * simulated means with respect to z at the optimum, by central differences
 * (2 P evaluations run as one batch, in parallel), gives the Gauss-Newton
 * curvature J' W J with W = diag(1 / (sd^2 + var_sim / R)); the covariance
 * of z is its inverse, and a log-uniform parameter's standard error is
 * x times that of log x (the delta method). The "posterior" summaries of
 * the file are then the optimum and the normal interval +-1.96 se.
 *
 * Nelder-Mead asks for one point at a time, so the evaluations of the
 * search itself are not parallel across points (only the Jacobian batch
 * is); -j still runs each evaluation's work on one thread.
 */
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib_run.h"
#include "progress.h"
#include "run.h"
#include "sweepfile.h"

typedef struct {
    run_calib *c;
    double lo[CAL_MAX_PARAMS], hi[CAL_MAX_PARAMS];
    size_t evals, cap;
    double *path, *obj;       /* every evaluation: x [P], objective */
    double *y;                /* one evaluation's values [T][R] */
    double *best_y, best;     /* the lowest objective's values */
    double best_x[CAL_MAX_PARAMS];
    int rc;
    sim_err *err;
} smm;

static void to_x(const smm *m, const double *u, double *x)
{
    const cal_spec *s = m->c->s;
    for (size_t k = 0; k < s->n_params; k++)
        x[k] = run_calib_to_x(&s->params[k],
                              m->lo[k] + u[k] * (m->hi[k] - m->lo[k]));
}

static double objective(const gsl_vector *v, void *ctx)
{
    smm *m = ctx;
    const cal_spec *s = m->c->s;
    size_t P = s->n_params, T = s->n_targets, R = s->reps;
    double out = 0, u[CAL_MAX_PARAMS], x[CAL_MAX_PARAMS];
    for (size_t k = 0; k < P; k++) {
        u[k] = gsl_vector_get(v, k);
        out += u[k] < 0 ? -u[k] : u[k] > 1 ? u[k] - 1 : 0;
    }
    if (out > 0 || m->rc != RUN_OK || m->evals >= s->max_evals)
        return 1e6 * (1 + out);
    to_x(m, u, x);
    int64_t st;
    m->rc = run_calib_eval(m->c, x, 1, m->y, &st, m->err);
    if (m->rc != RUN_OK)
        return 1e6;
    double mean[CAL_MAX_TARGETS];
    for (size_t t = 0; t < T; t++)
        mean[t] = run_calib_mean(m->y + t * R, R);
    double d = st == ANA_SWEEP_OK ? run_calib_distance(s, mean) : HUGE_VAL;
    double f = isfinite(d) ? d * d : 1e6;
    if (m->evals == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 64;
        double *p = realloc(m->path, m->cap * P * sizeof *p);
        double *o = p ? realloc(m->obj, m->cap * sizeof *o) : NULL;
        if (p)
            m->path = p;
        if (o)
            m->obj = o;
        if (!p || !o) {
            m->rc = RUN_FAIL;
            sim_err_set(m->err, SIM_ENOMEM, "out of memory");
            return 1e6;
        }
    }
    memcpy(m->path + m->evals * P, x, P * sizeof *x);
    m->obj[m->evals++] = f;
    if (f < m->best) {
        m->best = f;
        memcpy(m->best_x, x, P * sizeof *x);
        memcpy(m->best_y, m->y, T * R * sizeof *m->y);
    }
    return f;
}

/* Standard errors at the optimum from the Jacobian (above). */
static int standard_errors(smm *m, ana_calib *out)
{
    const cal_spec *s = m->c->s;
    size_t P = s->n_params, T = s->n_targets, R = s->reps;
    double z0[CAL_MAX_PARAMS], h[CAL_MAX_PARAMS];
    double *x = malloc(2 * P * P * sizeof *x);
    double *y = malloc(2 * P * T * R * sizeof *y);
    int64_t *st = malloc(2 * P * sizeof *st);
    int rc = RUN_OK;
    if (!x || !y || !st) {
        rc = RUN_FAIL;
        sim_err_set(m->err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < P; k++) {
        z0[k] = run_calib_to_z(&s->params[k], m->best_x[k]);
        h[k] = 0.01 * (m->hi[k] - m->lo[k]);
    }
    for (size_t j = 0; j < 2 * P; j++)
        for (size_t k = 0; k < P; k++) {
            double z = z0[k] + (k == j / 2 ? (j % 2 ? h[k] : -h[k]) : 0);
            x[j * P + k] = run_calib_to_x(&s->params[k], z);
        }
    if ((rc = run_calib_eval(m->c, x, 2 * P, y, st, m->err)) != RUN_OK)
        goto done;
    gsl_matrix *A = gsl_matrix_calloc(P, P);
    double *Jt = calloc(P * T, sizeof *Jt), var[CAL_MAX_TARGETS];
    for (size_t t = 0; t < T; t++) {
        double mm = run_calib_mean(m->best_y + t * R, R), v = 0;
        size_t k = 0;
        for (size_t r = 0; r < R; r++)
            if (!isnan(m->best_y[t * R + r])) {
                v += (m->best_y[t * R + r] - mm) *
                     (m->best_y[t * R + r] - mm);
                k++;
            }
        var[t] = k > 1 ? v / (double)(k - 1) : 0;
    }
    bool ok = A != NULL && Jt != NULL;
    for (size_t k = 0; ok && k < P; k++)
        for (size_t t = 0; t < T; t++) {
            double a = run_calib_mean(y + ((2 * k) * T + t) * R, R);
            double b = run_calib_mean(y + ((2 * k + 1) * T + t) * R, R);
            Jt[k * T + t] = st[2 * k] == ANA_SWEEP_OK &&
                                    st[2 * k + 1] == ANA_SWEEP_OK
                                ? (b - a) / (2 * h[k])
                                : (double)NAN;
        }
    for (size_t a = 0; ok && a < P; a++)
        for (size_t b = 0; b < P; b++) {
            double sum = 0;
            for (size_t t = 0; t < T; t++) {
                const cal_target *g = &s->targets[t];
                if (g->held_out)
                    continue;
                double w = 1 / (g->sd * g->sd + var[t] / (double)R);
                sum += Jt[a * T + t] * w * Jt[b * T + t];
            }
            gsl_matrix_set(A, a, b, sum);
        }
    /* A flat direction (a parameter the fitted targets do not move) has
     * no finite standard error: NaN, said in the report, not a guess. */
    bool pd = ok && gsl_linalg_cholesky_decomp1(A) == 0 &&
              gsl_linalg_cholesky_invert(A) == 0;
    for (size_t k = 0; k < P; k++) {
        double sez = pd ? sqrt(gsl_matrix_get(A, k, k)) : (double)NAN;
        double x0 = m->best_x[k];
        double se = s->params[k].log ? x0 * sez : sez;
        out->mean[k] = x0;
        out->q50[k] = x0;
        out->sd[k] = se;
        out->q025[k] = s->params[k].log ? exp(z0[k] - 1.96 * sez)
                                        : x0 - 1.96 * se;
        out->q975[k] = s->params[k].log ? exp(z0[k] + 1.96 * sez)
                                        : x0 + 1.96 * se;
    }
    gsl_matrix_free(A);
    free(Jt);
done:
    free(x);
    free(y);
    free(st);
    return rc;
}

int run_calib_smm(run_calib *c, ana_calib *out, sim_err *err)
{
    const cal_spec *s = c->s;
    size_t P = s->n_params, T = s->n_targets, R = s->reps;
    smm m = {.c = c, .best = HUGE_VAL, .rc = RUN_OK, .err = err};
    for (size_t k = 0; k < P; k++) {
        m.lo[k] = run_calib_to_z(&s->params[k], s->params[k].lo);
        m.hi[k] = run_calib_to_z(&s->params[k], s->params[k].hi);
    }
    m.y = malloc(T * R * sizeof *m.y);
    m.best_y = malloc(T * R * sizeof *m.best_y);
    gsl_vector *u = gsl_vector_alloc(P), *step = gsl_vector_alloc(P);
    gsl_multimin_fminimizer *mz =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, P);
    int rc = RUN_OK;
    const char *stop = "simplex size below tolerance";
    if (!m.y || !m.best_y || !u || !step || !mz) {
        rc = RUN_FAIL;
        sim_err_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    gsl_vector_set_all(u, 0.5); /* the centre of the prior box */
    gsl_vector_set_all(step, s->smm_step);
    gsl_multimin_function f = {.f = objective, .n = P, .params = &m};
    gsl_multimin_fminimizer_set(mz, &f, u, step);
    for (;;) {
        if (m.rc != RUN_OK)
            break;
        if (m.evals >= s->max_evals) {
            stop = "max_evaluations reached";
            break;
        }
        if (gsl_multimin_fminimizer_iterate(mz) != 0) {
            stop = "the simplex could not improve";
            break;
        }
        double size = gsl_multimin_fminimizer_size(mz);
        if (gsl_multimin_test_size(size, s->smm_tol) == GSL_SUCCESS)
            break;
    }
    if ((rc = m.rc) != RUN_OK)
        goto done;
    if (!isfinite(m.best) || m.best >= 1e6) {
        rc = RUN_FAIL;
        sim_err_set(err, SIM_EINPUT,
                    "%s: no evaluation gave a finite distance", s->file);
        goto done;
    }
    if (!c->quiet)
        run_progress_note("%s: smm: %zu evaluations, distance %.4g (%s)",
                          s->name, m.evals, sqrt(m.best), stop);
    if ((rc = standard_errors(&m, out)) != RUN_OK)
        goto done;
    run_calib_fit(s, m.best_y, NULL, 1, out);
    out->n_evals = m.evals;
    free(out->path);
    free(out->objective);
    out->path = m.path;
    out->objective = m.obj;
    m.path = m.obj = NULL;
    if ((out->stop_reason = strdup(stop)) == NULL) {
        rc = RUN_FAIL;
        sim_err_set(err, SIM_ENOMEM, "out of memory");
    }
done:
    gsl_multimin_fminimizer_free(mz);
    gsl_vector_free(u);
    gsl_vector_free(step);
    free(m.y);
    free(m.best_y);
    free(m.path);
    free(m.obj);
    return rc;
}
