/* cmd_sensitivity.c -- `aims sensitivity SWEEP.h5 [-o OUT.h5] [--csv]
 * [--bootstrap B]`: Sobol first-order and total indices, with bootstrap 95%
 * intervals, for each parameter and kept metric of a sobol sweep
 * (analysis/sobol.h), printed as a table and, with -o, written with the
 * whole sweep to OUT.h5 (/sensitivity/...). It used to rewrite its input:
 * a command that reads a file should not change it, so the input is left
 * as it is and OUT follows the output rule of every writer (output.c).
 *
 * The output of a point is the mean of the metric over its replications:
 * the indices apportion the variance of that mean across the design, so
 * replication noise that the mean leaves shows up as variance no parameter
 * explains (first-order indices summing to less than 1). A failed point,
 * or one where the metric is undefined in every replication, drops its row
 * j of the design from the estimate (analysis/sobol.h), and the table says
 * how many rows were used.
 *
 * The file is rewritten whole (read, indices added, written through a
 * temporary and renamed, by the parent process once this one, its reading
 * child, has succeeded: cli_output_staged), so an interrupted run leaves
 * the old file. It must be a regular file, not a symbolic link.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sobol.h"
#include "sweepfile.h"

const char cli_help_sensitivity[] =
    "usage: aims sensitivity SWEEP.h5 [-o OUT.h5] [--csv] [--bootstrap B]\n"
    "Sobol first-order and total indices (Saltelli 2010, Jansen) with "
    "bootstrap\n"
    "95% intervals for every parameter and metric of a sobol sweep, "
    "printed.\n"
    "SWEEP.h5 is not changed.\n"
    "  -o, --output FILE   also write the sweep with the indices (under\n"
    "                      /sensitivity) to FILE, for analysis/plot.py\n"
    "  --csv               comma-separated, with a header row\n"
    "  --bootstrap B       resamples for the intervals (default 1000)\n"
    "  -f, --force         replace an existing output file\n"
    "  -q, --quiet         no 'wrote ...' message\n"
    "  -h, --help          this help\n";

static const struct option sens_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"csv", no_argument, NULL, 'c'},
    {"bootstrap", required_argument, NULL, 'b'},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Mean over replications of each point, NaN when no replication has a
 * value. */
static void point_means(const ana_sweep *s, size_t m, double *out)
{
    size_t P = s->points, R = s->reps;
    for (size_t p = 0; p < P; p++) {
        double sum = 0;
        size_t n = 0;
        for (size_t r = 0; r < R; r++) {
            double v = s->y[(m * P + p) * R + r];
            if (!isnan(v)) {
                sum += v;
                n++;
            }
        }
        out[p] = s->status[p] == ANA_SWEEP_OK && n ? sum / (double)n : (double)NAN;
    }
}

int cli_sensitivity(int argc, char **argv)
{
    const char *path = NULL, *out = NULL;
    bool csv = false, bad = false, have_boot = false, have_out = false,
         force = false, quiet = false;
    uint64_t boot = 1000;
    cli_opts_begin("sensitivity");
    int c;
    while (!bad &&
           (c = cli_opts_next(argc, argv, "o:fqh", sens_options)) != -1) {
        if (c == 'o') {
            bad = !cli_once("-o", &have_out);
            out = optarg;
        } else if (c == 'b') {
            bad = !cli_once("--bootstrap", &have_boot) ||
                  !cli_parse_u64("--bootstrap", optarg, 10, 1000000, &boot);
        } else if (c == 'c') {
            csv = true;
        } else if (c == 'f') {
            force = true;
        } else if (c == 'q') {
            quiet = true;
        } else if (c == 'h') {
            fputs(cli_help_sensitivity, stdout);
            return CLI_OK;
        } else if (c == 1) {
            if (!cli_one_operand(&path, optarg, "file"))
                bad = true;
        } else {
            bad = true;
        }
    }
    if (!bad && path == NULL) {
        cli_usage_error("no sweep file given");
        bad = true;
    }
    if (bad)
        return CLI_USAGE;
    if (out != NULL && !cli_output_ok(out, force, &path, 1))
        return CLI_USAGE;
    ana_sweep s;
    sim_err err = {0};
    int rc = CLI_OK;
    double *y = NULL;
    ana_sobol_index *ix = NULL;
    cli_read_watchdog(path);
    int read = ana_sweep_read(path, &s, &err);
    cli_read_watchdog_off();
    if (read != SIM_OK) {
        cli_error("%s", err.msg);
        rc = err.status == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    size_t K = s.n_params, M = s.n_metrics;
    if (strcmp(s.design, "sobol") != 0 || s.samples < 2 ||
        s.points != (size_t)s.samples * (K + 2)) {
        cli_error("%s: a %s sweep; Sobol indices need design = \"sobol\" "
                  "(Saltelli's N (d + 2) points)",
                  path, s.design);
        rc = CLI_USAGE;
        goto done;
    }
    if (s.shards != 1) {
        cli_error("%s: shard %lld of %lld; merge the shards first (aims "
                  "merge)",
                  path, (long long)s.shard, (long long)s.shards);
        rc = CLI_USAGE;
        goto done;
    }
    free(s.sens);
    s.sens = malloc((M * ANA_SWEEP_SENS * K + 1) * sizeof *s.sens);
    y = malloc((s.points + 1) * sizeof *y);
    ix = calloc(K, sizeof *ix);
    if (!s.sens || !y || !ix) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    s.sens_boot = (int64_t)boot;
    if (csv)
        puts("metric,parameter,first,first_lo,first_hi,total,total_lo,"
             "total_hi,rows");
    for (size_t m = 0; m < M; m++) {
        point_means(&s, m, y);
        size_t used = 0;
        /* The bootstrap's seed is the sweep's: the same file gives the
         * same intervals. */
        if (ana_sobol_indices(y, (size_t)s.samples, K, (size_t)boot,
                              (uint64_t)s.seed, ix, &used, &err) != SIM_OK) {
            cli_error("%s", err.msg);
            rc = CLI_FAIL;
            goto done;
        }
        if (!csv)
            printf("%s%s: %zu of %lld design rows used\n"
                   "  %-40s %8s %19s %8s %19s\n",
                   m ? "\n" : "", s.metrics[m], used, (long long)s.samples,
                   "parameter", "first", "95% interval", "total",
                   "95% interval");
        for (size_t k = 0; k < K; k++) {
            const double v[ANA_SWEEP_SENS] = {ix[k].first,    ix[k].first_lo,
                                              ix[k].first_hi, ix[k].total,
                                              ix[k].total_lo, ix[k].total_hi};
            for (size_t q = 0; q < ANA_SWEEP_SENS; q++)
                s.sens[(m * ANA_SWEEP_SENS + q) * K + k] = v[q];
            if (csv) {
                cli_csv_text(stdout, s.metrics[m]);
                putchar(',');
                cli_csv_text(stdout, s.params[k]);
                for (size_t q = 0; q < ANA_SWEEP_SENS; q++) {
                    putchar(',');
                    cli_csv_number(stdout, v[q]);
                }
                printf(",%zu\n", used);
            } else {
                printf("  %-40s %8.3f [%7.3f, %7.3f] %8.3f [%7.3f, %7.3f]\n",
                       s.params[k], v[0], v[1], v[2], v[3], v[4], v[5]);
            }
        }
    }
    char stage[4200];
    bool wforce;
    const char *to = out == NULL ? NULL
                                 : cli_output_staged(out, force, stage,
                                                     sizeof stage, &wforce);
    if (out != NULL && to == NULL) {
        rc = CLI_FAIL;
    } else if (to != NULL && ana_sweep_write(&s, to, wforce, &err) != SIM_OK) {
        cli_error("%s", err.msg);
        rc = CLI_FAIL;
    } else if (to != NULL && !quiet) {
        fprintf(stderr, "aims: wrote %s: %s with Sobol indices of %zu "
                        "metrics\n",
                out, path, M);
    }
done:
    free(y);
    free(ix);
    ana_sweep_fini(&s);
    return rc;
}
