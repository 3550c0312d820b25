/* abc.c -- ABC-SMC arithmetic (abc.h): the kernel, proposals, importance
 * weights and weighted summaries. GSL does the linear algebra and the
 * Gaussian draws; the streams are sim_rng's named streams. */
#include "abc.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

int ana_abc_kernel(ana_abc_pop *pop, const double *range, sim_err *err)
{
    size_t n = pop->n, d = pop->d;
    double *mean = calloc(d, sizeof *mean);
    if (mean == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++)
            mean[k] += pop->w[i] * pop->z[i * d + k];
    gsl_matrix_view c = gsl_matrix_view_array(pop->chol, d, d);
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b <= a; b++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += pop->w[i] * (pop->z[i * d + a] - mean[a]) *
                     (pop->z[i * d + b] - mean[b]);
            gsl_matrix_set(&c.matrix, a, b, 2 * s);
            gsl_matrix_set(&c.matrix, b, a, 2 * s);
        }
    /* A population collapsed onto a line (or a point) would give a kernel
     * that can never move off it; 1e-6 of the box keeps it proper. */
    for (size_t k = 0; k < d; k++) {
        double floor = 1e-12 * range[k] * range[k];
        double v = gsl_matrix_get(&c.matrix, k, k);
        gsl_matrix_set(&c.matrix, k, k, v + floor);
    }
    free(mean);
    int st = gsl_linalg_cholesky_decomp1(&c.matrix);
    if (st != 0)
        return sim_err_set(err, SIM_EINVAL,
                           "ABC kernel: the weighted covariance is not "
                           "positive definite");
    pop->log_det = 0;
    for (size_t a = 0; a < d; a++) {
        pop->log_det += log(gsl_matrix_get(&c.matrix, a, a));
        for (size_t b = a + 1; b < d; b++)
            gsl_matrix_set(&c.matrix, a, b, 0); /* keep L only */
    }
    return SIM_OK;
}

static bool inside(const double *z, size_t d, const double *lo,
                   const double *hi)
{
    for (size_t k = 0; k < d; k++)
        if (!(z[k] >= lo[k] && z[k] <= hi[k]))
            return false;
    return true;
}

int ana_abc_propose(uint64_t seed, uint32_t gen, uint32_t index,
                    const ana_abc_pop *prev, size_t d, const double *lo,
                    const double *hi, double *z, sim_err *err)
{
    sim_rng *r = NULL;
    int rc = sim_rng_new(seed, gen, index, "abc", NULL, &r, err);
    if (rc != SIM_OK)
        return rc;
    if (prev == NULL) {
        for (size_t k = 0; k < d; k++)
            z[k] = lo[k] + sim_rng_uniform(r) * (hi[k] - lo[k]);
        sim_rng_free(r);
        return SIM_OK;
    }
    /* Redrawn until inside the prior's support: the prior is zero outside,
     * so such a proposal could never be accepted. A bound on the tries
     * keeps a kernel centred far outside the box from looping forever;
     * then the ancestor itself (inside by construction) is taken. */
    for (int tries = 0; tries < 10000; tries++) {
        double u = sim_rng_uniform(r), c = 0;
        size_t j = 0;
        while (j + 1 < prev->n && (c += prev->w[j]) <= u)
            j++;
        const double *zj = prev->z + j * d;
        double e[64];
        for (size_t k = 0; k < d; k++)
            e[k] = gsl_ran_gaussian(sim_rng_gsl(r), 1.0);
        for (size_t a = 0; a < d; a++) {
            double s = 0;
            for (size_t b = 0; b <= a; b++)
                s += prev->chol[a * d + b] * e[b];
            z[a] = zj[a] + s;
        }
        if (inside(z, d, lo, hi)) {
            sim_rng_free(r);
            return SIM_OK;
        }
        if (tries == 9999)
            memcpy(z, zj, d * sizeof *z);
    }
    sim_rng_free(r);
    return SIM_OK;
}

double ana_abc_log_weight(const ana_abc_pop *prev, const double *z)
{
    size_t d = prev->d;
    double best = -HUGE_VAL, *lt = malloc(prev->n * sizeof *lt);
    if (lt == NULL)
        return (double)NAN;
    for (size_t j = 0; j < prev->n; j++) {
        /* Solve L y = z - z_j; the density is exp(-|y|^2 / 2) / det L. */
        double y[64], q = 0;
        for (size_t a = 0; a < d; a++) {
            double s = z[a] - prev->z[j * d + a];
            for (size_t b = 0; b < a; b++)
                s -= prev->chol[a * d + b] * y[b];
            y[a] = s / prev->chol[a * d + a];
            q += y[a] * y[a];
        }
        lt[j] = prev->w[j] > 0 ? log(prev->w[j]) - 0.5 * q : -HUGE_VAL;
        if (lt[j] > best)
            best = lt[j];
    }
    double s = 0;
    for (size_t j = 0; j < prev->n; j++)
        s += exp(lt[j] - best);
    free(lt);
    return -(best + log(s) - prev->log_det);
}

void ana_abc_normalise(double *lw, size_t n)
{
    double best = -HUGE_VAL, s = 0;
    for (size_t i = 0; i < n; i++)
        if (lw[i] > best)
            best = lw[i];
    for (size_t i = 0; i < n; i++)
        s += (lw[i] = exp(lw[i] - best));
    for (size_t i = 0; i < n; i++)
        lw[i] /= s;
}

double ana_abc_quantile(const double *x, size_t n, double q)
{
    double *c = malloc(n * sizeof *c);
    if (c == NULL || n == 0) {
        free(c);
        return (double)NAN;
    }
    memcpy(c, x, n * sizeof *c);
    gsl_sort(c, 1, n);
    double v = gsl_stats_quantile_from_sorted_data(c, 1, n, q);
    free(c);
    return v;
}

typedef struct {
    double x, w;
} xw;

static int by_x(const void *a, const void *b)
{
    double u = ((const xw *)a)->x, v = ((const xw *)b)->x;
    return (u > v) - (u < v);
}

void ana_abc_summary(const double *x, size_t stride, const double *w,
                     size_t n, double *mean, double *sd, const double *probs,
                     size_t n_probs, double *q)
{
    xw *v = malloc((n ? n : 1) * sizeof *v);
    double m = 0, s2 = 0, wsum = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double xi = x[i * stride];
        if (isnan(xi) || !(w[i] > 0))
            continue;
        m += w[i] * xi;
        wsum += w[i];
        if (v != NULL)
            v[k++] = (xw){xi, w[i]};
    }
    m = wsum > 0 ? m / wsum : (double)NAN;
    for (size_t i = 0; i < k; i++)
        s2 += v[i].w * (v[i].x - m) * (v[i].x - m);
    *mean = m;
    *sd = wsum > 0 ? sqrt(s2 / wsum) : (double)NAN;
    if (v != NULL)
        qsort(v, k, sizeof *v, by_x);
    for (size_t p = 0; p < n_probs; p++) {
        q[p] = (double)NAN;
        double c = 0;
        for (size_t i = 0; v != NULL && i < k; i++) {
            c += v[i].w / wsum;
            if (c >= probs[p] - 1e-12) {
                q[p] = v[i].x;
                break;
            }
        }
    }
    free(v);
}
