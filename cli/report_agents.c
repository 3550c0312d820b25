/* report_agents.c -- the agents' headline under `aims report`'s table
 * (report_agents.h). The numbers come from the run file's /agents group
 * (analysis/runread_agents.h) and the intervals from ana_repstats, as for
 * the table above it: a mean over the replications where the value is
 * defined, with n saying how many (a regulator that never acts in some
 * replications leaves them out of the month's mean, and says so).
 */
#include "report_agents.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "repstats.h"
#include "runread_agents.h"

static void interval(FILE *f, const ana_repstats *s)
{
    if (s->n == 0)
        fprintf(f, "%12s", "-");
    else if (isnan(s->hw))
        fprintf(f, "%12.6g", s->mean);
    else
        fprintf(f, "%12.6g  [%.6g, %.6g]", s->mean, s->lo, s->hi);
}

int cli_report_agents(FILE *f, const char *path)
{
    sim_err err = {0};
    ana_run_agents *a = NULL;
    cli_read_watchdog(path);
    int rc = ana_run_agents_read(path, &a, &err);
    cli_read_watchdog_off();
    if (rc != SIM_OK) {
        fprintf(stderr, "aims: %s\n", err.msg);
        return rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
    }
    if (!a->present || a->reps == 0 || a->months == 0) {
        ana_run_agents_free(a);
        return CLI_OK;
    }
    double *x = malloc(a->reps * sizeof *x);
    if (x == NULL) {
        ana_run_agents_free(a);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    fprintf(f, "agents: %zu decisions in %zu replications\n", a->n_log,
            a->reps);
    ana_run_agents_first_action(a, x);
    ana_repstats s = ana_repstats_mean(x, a->reps, 1);
    fprintf(f, "  first regulator action, month ");
    interval(f, &s);
    if (s.n == 0)
        fprintf(f, "  (no regulator acted in any replication)\n");
    else
        fprintf(f, "  (n %zu: a regulator acted in %zu of %zu)\n", s.n, s.n,
                a->reps);
    fprintf(f, "  mean list price at month %zu, USD per Mtok:\n", a->months);
    for (size_t v = 0; v < a->n_vendors; v++) {
        for (size_t r = 0; r < a->reps; r++)
            x[r] = a->price[(r * a->months + a->months - 1) * a->n_vendors +
                            v];
        s = ana_repstats_mean(x, a->reps, 1);
        fprintf(f, "    %-16s", a->vendors[v]);
        interval(f, &s);
        fputc('\n', f);
    }
    free(x);
    ana_run_agents_free(a);
    if (fflush(f) != 0) {
        cli_error("report: cannot write the agents' headline");
        return CLI_FAIL;
    }
    return CLI_OK;
}
