/* cmd_show.c -- `aims show FILE.h5`: what a run or sweep file says about
 * how it was made: its provenance (aims version and commit, when, seed,
 * replications, the file it came from) and the effective scenario -- the
 * resolved text with @includes expanded and --set overrides applied, which
 * is what the model ran, not what the scenario file says today. Printed on
 * stdout, so `aims show run.h5 --scenario > again.cfg` gives a file that
 * `aims run again.cfg` accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runread.h"
#include "sweepfile.h"

const char cli_help_show[] =
    "usage: aims show FILE.h5 [--scenario]\n"
    "Prints the provenance stored in a run or sweep file (aims version and\n"
    "commit, creation time, seed, replications, source file, other root\n"
    "attributes) and then the effective scenario (or sweep) text that ran.\n"
    "  --scenario    the effective scenario text only (a valid .cfg file)\n"
    "  -h, --help    this help\n";

static const struct option show_options[] = {
    {"scenario", no_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const char *or_none(const char *s)
{
    return s != NULL ? s : "(not recorded)";
}

static void show_run(const ana_run *r, bool text_only)
{
    if (!text_only) {
        printf("file: %s\nformat: %s %lld\nscenario: %s (from %s)\n"
               "seed: %lld\nreplications: %lld\nhorizon_months: %lld\n"
               "start: %s\naims_version: %s\ngit_commit: %s\ncreated: %s\n",
               r->path, r->format, (long long)r->format_version,
               or_none(r->scenario_name), or_none(r->scenario_file),
               (long long)r->seed, (long long)r->replications,
               (long long)r->horizon_months, or_none(r->start),
               or_none(r->aims_version), or_none(r->git_commit),
               or_none(r->created));
        for (size_t k = 0; k < r->n_extra; k++) {
            const ana_run_attr *x = &r->extra[k];
            if (x->type == ANA_RUN_ATTR_STR)
                printf("%s: %s\n", x->name, x->s);
            else if (x->type == ANA_RUN_ATTR_I64)
                printf("%s: %lld\n", x->name, (long long)x->i);
            else
                printf("%s: %.17g\n", x->name, x->f);
        }
        puts("\n# the effective scenario:");
    }
    fputs(or_none(r->scenario), stdout);
}

static void show_sweep(const char *path, const ana_sweep *s, bool text_only)
{
    if (!text_only) {
        printf("file: %s\nformat: aims-sweep\nsweep: %s (from %s)\n"
               "scenario_file: %s\ndesign: %s\nseed: %lld\npoints: %zu\n"
               "replications: %zu\nshard: %lld/%lld\naims_version: %s\n"
               "git_commit: %s\ncreated: %s\n",
               path, or_none(s->name), or_none(s->sweep_file),
               or_none(s->scenario_file), or_none(s->design),
               (long long)s->seed, s->points, s->reps, (long long)s->shard,
               (long long)s->shards, or_none(s->aims_version),
               or_none(s->git_commit), or_none(s->created));
        for (size_t k = 0; k < s->n_params; k++)
            printf("parameter %zu: %s\n", k, s->params[k]);
        puts("\n# the sweep file:");
    }
    fputs(or_none(s->sweep_text), stdout);
}

int cli_show(int argc, char **argv)
{
    const char *path = NULL;
    bool text_only = false;
    cli_opts_begin("show");
    int c;
    while ((c = cli_opts_next(argc, argv, "h", show_options)) != -1) {
        if (c == 's') {
            text_only = true;
        } else if (c == 'h') {
            fputs(cli_help_show, stdout);
            return CLI_OK;
        } else if (c == 1) {
            if (!cli_one_operand(&path, optarg, "file"))
                return CLI_USAGE;
        } else {
            return CLI_USAGE;
        }
    }
    if (path == NULL) {
        cli_usage_error("no file given");
        return CLI_USAGE;
    }
    sim_err err = {0}, serr = {0};
    ana_run *run = NULL;
    cli_read_watchdog(path);
    int rc = ana_run_read(path, &run, &err);
    if (rc == SIM_OK) {
        cli_read_watchdog_off();
        show_run(run, text_only);
        ana_run_free(run);
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    }
    /* Not a run file: perhaps a sweep file. */
    ana_sweep s;
    memset(&s, 0, sizeof s);
    int src = ana_sweep_read(path, &s, &serr);
    cli_read_watchdog_off();
    if (src == SIM_OK) {
        show_sweep(path, &s, text_only);
        ana_sweep_fini(&s);
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    }
    ana_sweep_fini(&s);
    cli_error("%s", err.msg);
    return rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
}
