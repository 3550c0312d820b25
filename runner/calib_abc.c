/* calib_abc.c -- ABC-SMC (population Monte Carlo with adaptive
 * tolerances, abc.h) over the calibration's evaluations.
 *
 * Generation g proposes in batches of `batch` particles, numbered 0, 1,
 * ... within the generation, each from its own stream (seed, g, index).
 * A batch is evaluated whole; then its particles are taken in index order,
 * each accepted when its distance is at most the generation's tolerance,
 * until `particles` are accepted. The accepted set therefore depends only
 * on the numbers, never on which evaluation finished first: the same file
 * at -j 1, -j 2 and under mpirun. The last batch may evaluate a few
 * particles past the last accepted one; they are journalled and ignored.
 *
 * The tolerance of generation 0 is infinite (the prior sample) unless a
 * fixed schedule is given; after that it is the `quantile` of the previous
 * generation's accepted distances. A generation that needs more than
 * particles / min_acceptance proposals is abandoned and the method stops
 * with the last complete generation: the acceptance rate has fallen below
 * the floor, and further generations would cost more than they refine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abc.h"
#include "calib_run.h"
#include "run.h"
#include "farm.h"
#include "progress.h"
#include "sweepfile.h"

static void summarise(const cal_spec *s, const double *x, const double *w,
                      size_t n, ana_calib *out)
{
    const double probs[] = {0.025, 0.5, 0.975};
    for (size_t k = 0; k < s->n_params; k++) {
        double q[3];
        ana_abc_summary(x + k, s->n_params, w, n, &out->mean[k],
                        &out->sd[k], probs, 3, q);
        out->q025[k] = q[0];
        out->q50[k] = q[1];
        out->q975[k] = q[2];
    }
}

int run_calib_abc(run_calib *c, ana_calib *out, sim_err *err)
{
    const cal_spec *s = c->s;
    size_t G = s->generations, N = s->particles, B = s->batch,
           P = s->n_params, T = s->n_targets, R = s->reps;
    size_t max_prop = (size_t)ceil((double)N / s->min_acceptance);
    double lo[CAL_MAX_PARAMS], hi[CAL_MAX_PARAMS], range[CAL_MAX_PARAMS];
    for (size_t k = 0; k < P; k++) {
        lo[k] = run_calib_to_z(&s->params[k], s->params[k].lo);
        hi[k] = run_calib_to_z(&s->params[k], s->params[k].hi);
        range[k] = hi[k] - lo[k];
    }
    double *zb = malloc(B * P * sizeof *zb), *xb = malloc(B * P * sizeof *xb);
    double *yb = malloc(B * T * R * sizeof *yb);
    int64_t *stb = malloc(B * sizeof *stb);
    double *zp = malloc(N * P * sizeof *zp), *wp = malloc(N * sizeof *wp);
    double *dp = malloc(N * sizeof *dp);
    double *zc = malloc(N * P * sizeof *zc), *wc = malloc(N * sizeof *wc);
    double *yc = malloc(N * T * R * sizeof *yc), *m = malloc(T * sizeof *m);
    double *yp = malloc(N * T * R * sizeof *yp);
    double chol[CAL_MAX_PARAMS * CAL_MAX_PARAMS];
    int rc = RUN_OK;
    if (!zb || !xb || !yb || !stb || !zp || !wp || !dp || !zc || !wc ||
        !yc || !m || !yp) {
        rc = RUN_FAIL;
        sim_err_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    size_t done_gens = 0;
    const char *stop = "completed every generation";
    char stop_buf[256];
    for (size_t g = 0; g < G && rc == RUN_OK; g++) {
        ana_abc_pop prev = {.n = N, .d = P, .z = zp, .w = wp, .chol = chol};
        if (g > 0 && ana_abc_kernel(&prev, range, err) != SIM_OK) {
            rc = RUN_FAIL;
            break;
        }
        double eps = s->tolerances ? s->tolerances[g]
                     : g == 0      ? HUGE_VAL
                                   : ana_abc_quantile(dp, N, s->quantile);
        size_t accepted = 0, proposed = 0, used = 0;
        double *dnew = out->distances + g * N;
        while (accepted < N && proposed < max_prop && rc == RUN_OK) {
            size_t n = B < max_prop - proposed ? B : max_prop - proposed;
            for (size_t i = 0; i < n && rc == RUN_OK; i++) {
                if (ana_abc_propose(s->seed, (uint32_t)g,
                                    (uint32_t)(proposed + i),
                                    g ? &prev : NULL, P, lo, hi, zb + i * P,
                                    err) != SIM_OK)
                    rc = RUN_FAIL;
                for (size_t k = 0; k < P; k++)
                    xb[i * P + k] = run_calib_to_x(&s->params[k],
                                                   zb[i * P + k]);
            }
            if (rc == RUN_OK)
                rc = run_calib_eval(c, xb, n, yb, stb, err);
            for (size_t i = 0; rc == RUN_OK && i < n && accepted < N; i++) {
                if (stb[i] != ANA_SWEEP_OK)
                    continue;
                for (size_t t = 0; t < T; t++)
                    m[t] = run_calib_mean(yb + (i * T + t) * R, R);
                double d = run_calib_distance(s, m);
                if (!(d <= eps) || !isfinite(d))
                    continue;
                size_t a = accepted++;
                memcpy(zc + a * P, zb + i * P, P * sizeof *zc);
                memcpy(out->particles + (g * N + a) * P, xb + i * P,
                       P * sizeof *xb);
                memcpy(yc + a * T * R, yb + i * T * R, T * R * sizeof *yc);
                memcpy(out->target_mean + (g * N + a) * T, m,
                       T * sizeof *m);
                dnew[a] = d;
                wc[a] = g ? ana_abc_log_weight(&prev, zb + i * P) : 0;
                used = proposed + i + 1;
            }
            proposed += n;
        }
        if (rc != RUN_OK)
            break;
        if (accepted < N) {
            snprintf(stop_buf, sizeof stop_buf,
                     "generation %zu accepted %zu of %zu proposals, below "
                     "min_acceptance %g: stopped after generation %zu",
                     g, accepted, proposed, s->min_acceptance,
                     g ? g - 1 : 0);
            stop = stop_buf;
            break;
        }
        ana_abc_normalise(wc, N);
        memcpy(out->weights + g * N, wc, N * sizeof *wc);
        out->tolerance[g] = isfinite(eps) ? eps : (double)NAN;
        out->proposals[g] = (int64_t)used;
        out->accept[g] = (double)N / (double)used;
        memcpy(zp, zc, N * P * sizeof *zp);
        memcpy(wp, wc, N * sizeof *wp);
        memcpy(dp, dnew, N * sizeof *dp);
        memcpy(yp, yc, N * T * R * sizeof *yp);
        done_gens = g + 1;
        if (!c->quiet)
            run_progress_note("%s: generation %zu: tolerance %.4g, %zu "
                              "accepted of %zu proposals (%.3g)",
                              s->name, g, eps, N, used, out->accept[g]);
    }
    if (rc == RUN_OK && done_gens == 0) {
        rc = RUN_FAIL;
        sim_err_set(err, SIM_EINPUT,
                    "%s: not one generation completed: %s", s->file, stop);
    }
    if (rc == RUN_OK) { /* the last complete generation is the posterior */
        size_t g = done_gens - 1;
        summarise(s, out->particles + g * N * P, out->weights + g * N, N,
                  out);
        run_calib_fit(s, yp, out->weights + g * N, N, out);
    }
    out->n_gen = done_gens;
    if ((out->stop_reason = strdup(stop)) == NULL && rc == RUN_OK) {
        rc = RUN_FAIL;
        sim_err_set(err, SIM_ENOMEM, "out of memory");
    }
done:
    free(zb);
    free(xb);
    free(yb);
    free(stb);
    free(zp);
    free(wp);
    free(dp);
    free(zc);
    free(wc);
    free(yc);
    free(yp);
    free(m);
    return rc;
}
