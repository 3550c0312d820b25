/* cmd_report.c -- `aims report OUT.h5 [--csv]`: the headline metrics of a
 * run file, each with its mean over replications, 95% Student t interval,
 * standard deviation and n.
 *
 * The metrics and their names come from ana_run_metrics (runread.h) and
 * the statistics from ana_repstats (repstats.h), so report, compare and
 * `aims run --precision` agree on what a metric is. n counts the
 * replications where the metric is defined: months_to_half_access is NaN
 * where access never halved, and a mean over the others must say how many
 * there were (docs/analysis.md).
 *
 * The text table is for a terminal (6 significant digits, aligned
 * columns, "-" where there is no value); the CSV is for programs: a header
 * row, every number printed so that it reads back as the same double, and
 * "nan" where there is no value (Python's float() and pandas read it).
 *
 * Under the text table, the large accounts: for each, in how many
 * replications it holds each option at the horizon (most often first), as
 * "bytedance: offshore openai via azure_global in 26 of 40". The few large
 * accounts carry much of the revenue, and which way each one goes is often
 * what decides a revenue figure (docs/analysis.md). The CSV leaves them
 * out: it is one table, with one header.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_agents.h"
#include "report_calib.h"
#include "calibfile.h"
#include "repstats.h"
#include "runread.h"

const char cli_help_report[] =
    "usage: aims report OUT.h5 [--csv]\n"
    "The headline metrics of a run file: mean over replications, 95% "
    "interval\n"
    "(Student t), standard deviation and n (replications where the metric "
    "is\n"
    "defined), then, per large account, in how many replications it holds "
    "each\n"
    "option at the horizon.\n"
    "  --csv        the metrics only, comma-separated, with a header row:\n"
    "               metric,mean,ci_lo,ci_hi,sd,n\n"
    "  -h, --help   this help\n";

static const struct option csv_options[] = {
    {"csv", no_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static void text_number(FILE *f, double v)
{
    if (isnan(v))
        fprintf(f, " %12s", "-");
    else
        fprintf(f, " %12.6g", v);
}

static void print_csv(FILE *f, const ana_run_metric *m,
                      const ana_repstats *s, size_t n)
{
    fputs("metric,mean,ci_lo,ci_hi,sd,n\n", f);
    for (size_t i = 0; i < n; i++) {
        cli_csv_text(f, m[i].name);
        const double v[] = {s[i].mean, s[i].lo, s[i].hi, s[i].sd};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
            fputc(',', f);
            cli_csv_number(f, v[k]);
        }
        fprintf(f, ",%zu\n", s[i].n);
    }
}

static void print_text(FILE *f, const ana_run *run, const ana_run_metric *m,
                       const ana_repstats *s, size_t n)
{
    fprintf(f, "%s: scenario '%s', seed %lld, %zu replications, %zu months",
            run->path, run->scenario_name ? run->scenario_name : "?",
            (long long)run->seed, run->reps, run->months);
    if (run->start)
        fprintf(f, " from %s", run->start);
    fputc('\n', f);
    int w = (int)strlen("metric");
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(m[i].name) > w)
            w = (int)strlen(m[i].name);
    fprintf(f, "%-*s %12s %12s %12s %12s %5s  %s\n", w, "metric", "mean",
            "95% lo", "95% hi", "sd", "n", "units");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%-*s", w, m[i].name);
        text_number(f, s[i].mean);
        text_number(f, s[i].lo);
        text_number(f, s[i].hi);
        text_number(f, s[i].sd);
        fprintf(f, " %5zu  %s\n", s[i].n, m[i].units);
    }
    /* A mean over fewer replications than the run has answers a different
     * question; say so under the table rather than leave it to n. */
    for (size_t i = 0; i < n; i++) {
        if (s[i].n == run->reps)
            continue;
        if (strcmp(m[i].name, "months_to_half_access") == 0 && s[i].n == 0)
            fprintf(f,
                    "note: months_to_half_access: access never fell below "
                    "half its level at the first shock in any of the %zu "
                    "replications (or there is no shock)\n",
                    run->reps);
        else if (strcmp(m[i].name, "months_to_half_access") == 0)
            fprintf(f,
                    "note: months_to_half_access: access halved in %zu of "
                    "%zu replications (never, or no shock, in the rest); "
                    "the mean is over those %zu\n",
                    s[i].n, run->reps, s[i].n);
        else
            fprintf(f,
                    "note: %s: defined in %zu of %zu replications (no "
                    "adopters in the rest)\n",
                    m[i].name, s[i].n, run->reps);
    }
}

/* The name of what a large account holds: an option of the file's table,
 * or one of the two states without one. */
static const char *holding_name(const ana_run *run, int64_t x)
{
    if (x >= 0 && (uint64_t)x < run->n_options)
        return run->options[x];
    return x == -1 ? "waiting (onboarding, no option)"
           : x == -2 ? "no option"
                     : "?";
}

/* Per large account, the replications holding each option at the last
 * month, most often first (ties in the option table's order). */
static int print_accounts(FILE *f, const ana_run *run)
{
    size_t na = run->n_accounts, no = run->n_options, reps = run->reps;
    if (na == 0)
        return CLI_OK;
    /* counts[k]: option k - 2, so the states -2 and -1 come first. */
    size_t *counts = calloc(no + 2, sizeof *counts);
    if (counts == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    fprintf(f, "large accounts at month %zu, replications holding each "
               "option:\n",
            run->months);
    for (size_t a = 0; a < na; a++) {
        memset(counts, 0, (no + 2) * sizeof *counts);
        for (size_t r = 0; r < reps; r++) {
            int64_t x = run->account_option[(r * run->months + run->months -
                                             1) * na + a];
            if (x >= -2 && (x < 0 || (uint64_t)x < no))
                counts[x + 2]++;
        }
        fprintf(f, "  %s (%s):", run->accounts[a], run->account_sector[a]);
        const char *sep = " ";
        for (;;) {
            /* The most frequent left; in a tie the options in table order,
             * then waiting, then no option. */
            size_t best = no + 2;
            for (size_t j = 0; j < no + 2; j++) {
                size_t k = (j + 2) % (no + 2);
                if (counts[k] > 0 &&
                    (best == no + 2 || counts[k] > counts[best]))
                    best = k;
            }
            if (best == no + 2)
                break;
            fprintf(f, "%s%s in %zu of %zu", sep,
                    holding_name(run, (int64_t)best - 2), counts[best], reps);
            counts[best] = 0;
            sep = "; ";
        }
        fputc('\n', f);
    }
    free(counts);
    return CLI_OK;
}

int cli_report(int argc, char **argv)
{
    const char *path = NULL;
    bool csv = false;
    cli_opts_begin("report");
    int c;
    while ((c = cli_opts_next(argc, argv, "h", csv_options)) != -1) {
        if (c == 'c') {
            csv = true;
        } else if (c == 'h') {
            fputs(cli_help_report, stdout);
            return CLI_OK;
        } else if (c == 1) {
            if (!cli_one_operand(&path, optarg, "file"))
                return CLI_USAGE;
        } else {
            return CLI_USAGE;
        }
    }
    if (path == NULL) {
        cli_usage_error("no run file given");
        return CLI_USAGE;
    }
    gsl_set_error_handler_off(); /* GSL's default handler aborts */
    sim_err err = {0};
    ana_run *run = NULL;
    ana_run_metric *m = NULL;
    ana_repstats *s = NULL;
    size_t n = 0;
    cli_read_watchdog(path);
    if (ana_calib_is(path)) { /* aims calibrate's file: its fit table */
        int crc = cli_report_calib(path, csv);
        cli_read_watchdog_off();
        return crc;
    }
    int rc = ana_run_read(path, &run, &err);
    cli_read_watchdog_off();
    if (rc == SIM_OK)
        rc = ana_run_metrics(run, &m, &n, &err);
    if (rc != SIM_OK) {
        fprintf(stderr, "aims: %s\n", err.msg);
        ana_run_free(run);
        return rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
    }
    if ((s = calloc(n ? n : 1, sizeof *s)) == NULL) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    } else {
        for (size_t i = 0; i < n; i++)
            s[i] = ana_repstats_mean(m[i].x, run->reps, 1);
        rc = CLI_OK;
        if (csv)
            print_csv(stdout, m, s, n);
        else {
            print_text(stdout, run, m, s, n);
            rc = print_accounts(stdout, run);
        }
        if (rc == CLI_OK)
            rc = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
        if (rc != CLI_OK)
            cli_error("report: cannot write the table");
        else if (!csv) /* the agents' headline (report_agents.c) */
            rc = cli_report_agents(stdout, path);
    }
    free(s);
    ana_run_metrics_free(m, n);
    ana_run_free(run);
    return rc;
}
