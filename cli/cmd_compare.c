/* cmd_compare.c -- `aims compare BASE.h5 ALT.h5 [--csv]`: per headline
 * metric, the difference ALT - BASE paired by replication, with its 95%
 * interval, beside the interval an unpaired (Welch) comparison would give
 * and the ratio of the two half-widths.
 *
 * Pairing is only sound when replication k of both files drew the same
 * random numbers: the streams are named by (seed, replication, purpose)
 * (DESIGN.md), so the files must share the seed and the replications. The
 * metrics must mean the same thing too: same actors, channels and horizon,
 * the same final window and the same tau of the frontier access index.
 * Anything else is refused with one line and exit 2, not compared with a
 * warning, because a paired interval over unpaired data looks as precise as
 * a real one and is wrong.
 *
 * The ratio is unpaired half-width / paired half-width: how many times
 * narrower common random numbers made the interval. It is "-" where the
 * paired half-width is zero (a metric the scenarios do not change).
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "repstats.h"
#include "runread.h"

const char cli_help_compare[] =
    "usage: aims compare BASE.h5 ALT.h5 [--csv]\n"
    "Per headline metric: ALT - BASE paired by replication with its 95% "
    "interval,\n"
    "the unpaired (Welch) interval, and the ratio of their half-widths. The "
    "files\n"
    "must share seed, replications, actors and horizon (run both with the "
    "same\n"
    "-s and -r, or in one batch: aims run BASE.cfg ALT.cfg -d DIR).\n"
    "  --csv        comma-separated, with a header row\n"
    "  -h, --help   this help\n";

static const struct option compare_options[] = {
    {"csv", no_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static void text_number(FILE *f, double v)
{
    if (isnan(v))
        fprintf(f, " %10s", "-");
    else
        fprintf(f, " %10.4g", v);
}

/* One metric's comparison. */
typedef struct {
    ana_repstats base, alt, paired, welch;
    double ratio; /* welch.hw / paired.hw; NaN when undefined */
} row;

/* Whether two files can be paired; if not, msg holds the reason. */
static bool pairable(const ana_run *b, const ana_run *a, char *msg,
                     size_t n)
{
    if (b->seed != a->seed) {
        snprintf(msg, n,
                 "compare: %s has seed %lld, %s has seed %lld: their "
                 "replications do not pair (run both with the same -s)",
                 b->path, (long long)b->seed, a->path, (long long)a->seed);
        return false;
    }
    if (b->reps != a->reps) {
        snprintf(msg, n,
                 "compare: %s has %zu replications, %s has %zu: they do not "
                 "pair (run both with the same -r)",
                 b->path, b->reps, a->path, a->reps);
        return false;
    }
    if (b->months != a->months) {
        snprintf(msg, n,
                 "compare: %s runs %zu months, %s runs %zu: the final and "
                 "cumulative metrics are not the same quantities",
                 b->path, b->months, a->path, a->months);
        return false;
    }
    if (b->final_window_months != a->final_window_months) {
        snprintf(msg, n,
                 "compare: %s averages its final metrics over %lld months, "
                 "%s over %lld: they are not the same quantities (set "
                 "scenario.final_window_months alike)",
                 b->path, (long long)b->final_window_months, a->path,
                 (long long)a->final_window_months);
        return false;
    }
    if (b->frontier_tau != a->frontier_tau) {
        snprintf(msg, n,
                 "compare: %s weighs frontier access with tau = %g points, "
                 "%s with %g: the index is not the same quantity (set "
                 "scenario.frontier_tau alike)",
                 b->path, b->frontier_tau, a->path, a->frontier_tau);
        return false;
    }
    bool same = b->n_actors == a->n_actors;
    for (size_t i = 0; same && i < b->n_actors; i++)
        same = strcmp(b->actors[i], a->actors[i]) == 0;
    if (!same) {
        size_t i = 0;
        while (i < b->n_actors && i < a->n_actors &&
               strcmp(b->actors[i], a->actors[i]) == 0)
            i++;
        snprintf(msg, n,
                 "compare: the actor lists differ (%zu actors in %s, %zu in "
                 "%s; first difference at position %zu: '%s' vs '%s')",
                 b->n_actors, b->path, a->n_actors, a->path, i + 1,
                 i < b->n_actors ? b->actors[i] : "(none)",
                 i < a->n_actors ? a->actors[i] : "(none)");
        return false;
    }
    same = b->n_channels == a->n_channels;
    for (size_t i = 0; same && i < b->n_channels; i++)
        same = strcmp(b->channels[i], a->channels[i]) == 0;
    if (!same) {
        snprintf(msg, n, "compare: the channel axes of %s and %s differ",
                 b->path, a->path);
        return false;
    }
    return true;
}

static void print_csv(FILE *f, const ana_run_metric *m, const row *r,
                      size_t n)
{
    fputs("metric,base_mean,alt_mean,diff,paired_lo,paired_hi,paired_hw,"
          "paired_sd,n_pairs,welch_lo,welch_hi,welch_hw,welch_df,"
          "hw_ratio\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const row *x = &r[i];
        cli_csv_text(f, m[i].name);
        const double v1[] = {x->base.mean, x->alt.mean,  x->paired.mean,
                             x->paired.lo, x->paired.hi, x->paired.hw,
                             x->paired.sd};
        for (size_t k = 0; k < sizeof v1 / sizeof v1[0]; k++) {
            fputc(',', f);
            cli_csv_number(f, v1[k]);
        }
        fprintf(f, ",%zu", x->paired.n);
        const double v2[] = {x->welch.lo, x->welch.hi, x->welch.hw,
                             x->welch.df, x->ratio};
        for (size_t k = 0; k < sizeof v2 / sizeof v2[0]; k++) {
            fputc(',', f);
            cli_csv_number(f, v2[k]);
        }
        fputc('\n', f);
    }
}

static void print_text(FILE *f, const ana_run *b, const ana_run *a,
                       const ana_run_metric *m, const row *r, size_t n)
{
    fprintf(f,
            "BASE %s (scenario '%s') vs ALT %s (scenario '%s'): seed %lld, "
            "%zu replications paired\n",
            b->path, b->scenario_name ? b->scenario_name : "?", a->path,
            a->scenario_name ? a->scenario_name : "?", (long long)b->seed,
            b->reps);
    int w = (int)strlen("metric");
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(m[i].name) > w)
            w = (int)strlen(m[i].name);
    fprintf(f, "%-*s %10s %10s %10s %21s %5s %21s %7s\n", w, "", "BASE",
            "ALT", "ALT - BASE", "paired 95% CI", "", "unpaired 95% CI",
            "ratio");
    fprintf(f, "%-*s %10s %10s %10s %10s %10s %5s %10s %10s %7s\n", w,
            "metric", "mean", "mean", "mean", "lo", "hi", "n", "lo", "hi",
            "hw u/p");
    for (size_t i = 0; i < n; i++) {
        const row *x = &r[i];
        fprintf(f, "%-*s", w, m[i].name);
        text_number(f, x->base.mean);
        text_number(f, x->alt.mean);
        text_number(f, x->paired.mean);
        text_number(f, x->paired.lo);
        text_number(f, x->paired.hi);
        fprintf(f, " %5zu", x->paired.n);
        text_number(f, x->welch.lo);
        text_number(f, x->welch.hi);
        if (isnan(x->ratio))
            fprintf(f, " %7s\n", "-");
        else
            fprintf(f, " %7.2f\n", x->ratio);
    }
    fputs("ratio: unpaired half-width / paired half-width (how many times "
          "narrower pairing\nby replication made the interval); n: pairs "
          "where the metric is defined in both\n",
          f);
}

/* Reads one file; prints the message and returns the exit status on
 * failure. */
static int load(const char *path, ana_run **run)
{
    sim_err err = {0};
    cli_read_watchdog(path);
    int rc = ana_run_read(path, run, &err);
    cli_read_watchdog_off();
    if (rc == SIM_OK)
        return CLI_OK;
    fprintf(stderr, "aims: %s\n", err.msg);
    return rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
}

int cli_compare(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    int n_paths = 0;
    bool csv = false;
    cli_opts_begin("compare");
    int c;
    while ((c = cli_opts_next(argc, argv, "h", compare_options)) != -1) {
        if (c == 'c') {
            csv = true;
        } else if (c == 'h') {
            fputs(cli_help_compare, stdout);
            return CLI_OK;
        } else if (c == 1 && n_paths == 2) {
            cli_usage_error("two files, BASE and ALT (got a third, '%s')",
                            optarg);
            return CLI_USAGE;
        } else if (c == 1) {
            paths[n_paths++] = optarg;
        } else {
            return CLI_USAGE;
        }
    }
    if (n_paths < 2) {
        cli_usage_error("expected two run files, BASE.h5 and ALT.h5");
        return CLI_USAGE;
    }
    gsl_set_error_handler_off(); /* GSL's default handler aborts */
    ana_run *b = NULL, *a = NULL;
    ana_run_metric *mb = NULL, *ma = NULL;
    size_t nb = 0, na = 0;
    row *r = NULL;
    char msg[1024];
    sim_err err = {0};
    int rc = load(paths[0], &b);
    if (rc == CLI_OK)
        rc = load(paths[1], &a);
    if (rc != CLI_OK)
        goto done;
    if (!pairable(b, a, msg, sizeof msg)) {
        cli_error("%s", msg);
        rc = CLI_USAGE;
        goto done;
    }
    if (ana_run_metrics(b, &mb, &nb, &err) != SIM_OK ||
        ana_run_metrics(a, &ma, &na, &err) != SIM_OK ||
        (r = calloc(nb ? nb : 1, sizeof *r)) == NULL) {
        cli_error("%s", err.status ? err.msg : "out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    /* Same actors and channels, so the same metrics in the same order. */
    for (size_t i = 0; i < nb; i++) {
        const double *xb = mb[i].x, *xa = ma[i].x;
        row *x = &r[i];
        x->base = ana_repstats_mean(xb, b->reps, 1);
        x->alt = ana_repstats_mean(xa, a->reps, 1);
        x->paired = ana_repstats_paired(xb, xa, b->reps, 1);
        x->welch = ana_repstats_welch(xb, b->reps, xa, a->reps, 1);
        x->ratio = x->paired.hw > 0 ? x->welch.hw / x->paired.hw
                                    : (double)NAN;
    }
    if (csv)
        print_csv(stdout, mb, r, nb);
    else
        print_text(stdout, b, a, mb, r, nb);
    if (fflush(stdout) != 0) {
        cli_error("compare: cannot write the table");
        rc = CLI_FAIL;
    }
done:
    free(r);
    ana_run_metrics_free(mb, nb);
    ana_run_metrics_free(ma, na);
    ana_run_free(b);
    ana_run_free(a);
    return rc;
}
