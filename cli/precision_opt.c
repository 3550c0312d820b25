/* precision_opt.c -- `aims run --precision METRIC=REL` read from the
 * command line, and the list of metrics the messages print; the metric
 * itself is the runner's (runner/precision.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_metric_list(const mkt_params *p)
{
    fprintf(stderr, "aims: metrics: final_frontier_access_share, "
                    "final_frontier_access_index, months_to_half_access, "
                    "cumulative_revenue:ACTOR (");
    for (size_t a = 0; a < p->n_actors; a++)
        fprintf(stderr, "%s%s", a ? ", " : "", p->actors[a]);
    fprintf(stderr, "), final_channel_share:CHANNEL (");
    for (int c = 0; c < MKT_N_CHANNELS; c++)
        fprintf(stderr, "%s%s", c > 0 ? ", " : "", mkt_channel_name(c));
    fprintf(stderr, ")\n");
}

bool cli_precision_parse(const char *spec, const mkt_params *p,
                         run_precision *out)
{
    memset(out, 0, sizeof *out);
    out->spec = spec;
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : 0;
    char name[sizeof out->name];
    if (!eq || n == 0 || n >= sizeof name) {
        cli_error("--precision %s: expected METRIC=REL, e.g. "
                  "final_frontier_access_share=0.02",
                  spec);
        return false;
    }
    memcpy(name, spec, n);
    name[n] = '\0';
    char *end;
    double rel = strtod(eq + 1, &end);
    if (end == eq + 1 || *end != '\0' || !(rel > 0) || !isfinite(rel)) {
        cli_error("--precision %s: REL must be a number > 0 (a fraction of "
                  "the mean, e.g. 0.02), got '%s'",
                  spec, eq + 1);
        return false;
    }
    if (!run_metric_parse(name, p, out)) {
        cli_error("--precision %s: unknown metric '%s'", spec, name);
        cli_metric_list(p);
        return false;
    }
    out->spec = spec;
    out->rel = rel;
    return true;
}
