/* report_calib.c -- `aims report` on a calibration file: the posterior
 * summaries and the fit table (target, observed, sd, simulated mean, 95%
 * interval, z), held-out targets marked, then how many targets fall within
 * their uncertainty (|z| <= 2) and how many held-out ones inside the
 * simulated 95% interval (docs/calibrate.md). Honest counting is the
 * point: a miss is a finding. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calibfile.h"
#include "cli.h"
#include "report_calib.h"

static void num(FILE *f, double v)
{
    if (isnan(v))
        fprintf(f, " %11s", "-");
    else
        fprintf(f, " %11.5g", v);
}

static void print_text(FILE *f, const char *path, const ana_calib *c)
{
    fprintf(f, "%s: calibration '%s', %s, seed %lld, %lld replications per "
               "evaluation",
            path, c->name ? c->name : "?", c->method ? c->method : "?",
            (long long)c->seed, (long long)c->reps);
    if (c->n_gen)
        fprintf(f, ", %zu generations", c->n_gen);
    if (c->n_evals)
        fprintf(f, ", %zu evaluations", c->n_evals);
    fprintf(f, "\nstopped: %s\n", c->stop_reason ? c->stop_reason : "?");
    for (size_t g = 0; g < c->n_gen; g++)
        fprintf(f, "  generation %zu: tolerance %.4g, acceptance rate %.3g "
                   "(%lld proposals)\n",
                g, c->tolerance[g], c->accept[g], (long long)c->proposals[g]);
    int w = (int)strlen("parameter");
    for (size_t k = 0; k < c->n_params; k++)
        if ((int)strlen(c->params[k]) > w)
            w = (int)strlen(c->params[k]);
    fprintf(f, "\n%-*s %11s %11s %11s %11s %11s\n", w, "parameter", "mean",
            "sd", "2.5%", "50%", "97.5%");
    for (size_t k = 0; k < c->n_params; k++) {
        fprintf(f, "%-*s", w, c->params[k]);
        num(f, c->mean[k]);
        num(f, c->sd[k]);
        num(f, c->q025[k]);
        num(f, c->q50[k]);
        num(f, c->q975[k]);
        fputc('\n', f);
    }
    w = (int)strlen("target");
    for (size_t t = 0; t < c->n_targets; t++)
        if ((int)strlen(c->targets[t]) > w)
            w = (int)strlen(c->targets[t]);
    fprintf(f, "\n%-*s %11s %11s %11s %11s %11s %11s\n", w, "target",
            "observed", "sd", "sim mean", "sim 2.5%", "sim 97.5%", "z");
    size_t fit = 0, fit_in = 0, held = 0, held_in = 0;
    for (size_t t = 0; t < c->n_targets; t++) {
        fprintf(f, "%-*s", w, c->targets[t]);
        num(f, c->observed[t]);
        num(f, c->obs_sd[t]);
        num(f, c->sim_mean[t]);
        num(f, c->sim_lo[t]);
        num(f, c->sim_hi[t]);
        num(f, c->z[t]);
        fputs(c->held_out[t] ? "  held out\n" : "\n", f);
        if (c->held_out[t]) {
            held++;
            held_in += c->observed[t] >= c->sim_lo[t] &&
                       c->observed[t] <= c->sim_hi[t];
        } else {
            fit++;
            fit_in += fabs(c->z[t]) <= 2;
        }
    }
    fprintf(f, "\nfitted targets within their uncertainty (|z| <= 2): %zu "
               "of %zu\n",
            fit_in, fit);
    if (held)
        fprintf(f, "held-out targets inside the simulated 95%% interval: "
                   "%zu of %zu\n",
                held_in, held);
}

static void print_csv(FILE *f, const ana_calib *c)
{
    fputs("target,observed,sd,sim_mean,sim_lo,sim_hi,z,held_out\n", f);
    for (size_t t = 0; t < c->n_targets; t++) {
        cli_csv_text(f, c->targets[t]);
        const double v[] = {c->observed[t], c->obs_sd[t], c->sim_mean[t],
                            c->sim_lo[t],   c->sim_hi[t], c->z[t]};
        for (size_t k = 0; k < 6; k++) {
            fputc(',', f);
            cli_csv_number(f, v[k]);
        }
        fprintf(f, ",%s\n", c->held_out[t] ? "true" : "false");
    }
}

int cli_report_calib(const char *path, bool csv)
{
    sim_err err = {0};
    ana_calib c;
    int rc = ana_calib_read(path, &c, &err);
    if (rc != SIM_OK) {
        fprintf(stderr, "aims: %s\n", err.msg);
        return rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
    }
    if (csv)
        print_csv(stdout, &c);
    else
        print_text(stdout, path, &c);
    ana_calib_fini(&c);
    if (fflush(stdout) != 0) {
        cli_error("report: cannot write the table");
        return CLI_FAIL;
    }
    return CLI_OK;
}
