/* cmd_validate.c -- `aims validate FILE.cfg [--set PATH=VALUE]...`: load and
 * check a scenario, change nothing, say what it holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib.h"
#include "cli.h"
#include "precision.h"
#include "sweep.h"

const char cli_help_validate[] =
    "usage: aims validate FILE.cfg [--set PATH=VALUE]...\n"
    "Checks a scenario or sweep file (with any overrides) and prints what "
    "it\n"
    "holds. Exit status: 0 valid, 2 not.\n"
    "  --set PATH=VALUE      override a scenario value first\n"
    "  -h, --help            this help\n";

static const struct option validate_options[] = {
    {"set", required_argument, NULL, 256},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

int cli_validate(int argc, char **argv)
{
    const char *path = NULL;
    const char **sets = calloc((size_t)argc, sizeof *sets);
    size_t n_sets = 0;
    if (!sets) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    bool bad = false;
    cli_opts_begin("validate");
    int c;
    while (!bad && (c = cli_opts_next(argc, argv, "h", validate_options)) !=
                       -1) {
        if (c == 256) {
            sets[n_sets++] = optarg;
        } else if (c == 'h') {
            fputs(cli_help_validate, stdout);
            free(sets);
            return CLI_OK;
        } else if (c == 1) {
            bad = !cli_one_operand(&path, optarg, "scenario file");
        } else {
            bad = true;
        }
    }
    if (!bad && !path) {
        cli_usage_error("no scenario file given");
        bad = true;
    }
    if (bad) {
        free(sets);
        return CLI_USAGE;
    }
    /* A sweep file (a top-level `sweep` group) is checked as one: its own
     * keys, then its base scenario and parameter paths. */
    scen_doc *doc = NULL;
    sim_err err = {0};
    if (scen_load(path, &doc, &err) == SIM_OK &&
        scen_find(doc, "sweep") != NULL) {
        scen_free(doc);
        free(sets);
        swp_spec *sw = NULL;
        if (swp_load(path, &sw, &err) != SIM_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return err.status == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        }
        /* The metrics name actors of the base scenario: check them there,
         * as aims sweep will. */
        mkt_params *bp = NULL;
        scen_doc *bd = NULL;
        int brc = cli_load_base(sw, &bd, &bp);
        for (size_t m = 0; brc == CLI_OK && m < sw->n_metrics; m++) {
            run_precision mp;
            if (!run_metric_parse(sw->metrics[m], bp, &mp)) {
                cli_error("%s:%d: sweep.metrics.[%zu]: '%s' is not a metric "
                          "of %s",
                          path, sw->metric_lines[m], m, sw->metrics[m],
                          sw->scenario);
                cli_metric_list(bp);
                brc = CLI_USAGE;
            }
        }
        mkt_params_free(bp);
        scen_free(bd);
        if (brc != CLI_OK) {
            swp_free(sw);
            return brc;
        }
        printf("%s: ok: sweep '%s' over %s, %s design, %zu parameters, %zu "
               "points x %zu replications, %zu metrics\n",
               path, sw->name, sw->scenario, swp_design_name(sw->design),
               sw->n_params, swp_points(sw), sw->replications, sw->n_metrics);
        swp_free(sw);
        return CLI_OK;
    }
    /* A calibration file (a top-level `calibration` group): its settings,
     * parameters and targets against its scenario, as aims calibrate
     * checks them before any run (calib.h). */
    if (doc != NULL && scen_find(doc, "calibration") != NULL) {
        scen_free(doc);
        free(sets);
        cal_spec *cs = NULL;
        if (cal_load(path, &cs, &err) != SIM_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return err.status == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        }
        printf("%s: ok: calibration '%s' of %s, %s, %zu parameters, %zu "
               "targets (%zu fitted, %zu held out), %zu replications per "
               "evaluation\n",
               path, cs->name, cs->scenario, cal_method_name(cs->method),
               cs->n_params, cs->n_targets, cs->n_fitted,
               cs->n_targets - cs->n_fitted, cs->reps);
        cal_free(cs);
        return CLI_OK;
    }
    scen_free(doc);
    mkt_params *p;
    int rc = cli_load_scenario(path, sets, n_sets, &doc, &p);
    free(sets);
    if (rc != CLI_OK)
        return rc;
    size_t accounts = 0;
    for (size_t s = 0; s < p->n_sectors; s++)
        accounts += p->sectors[s].n_accounts;
    printf("%s: ok: scenario '%s' from %s, %u months; %zu vendors, %zu "
           "intermediaries, %zu sectors, %u enterprises (+%zu large "
           "accounts) standing for %.6g firms; %zu timeline events; "
           "%zu actors\n",
           path, p->name, p->start, p->horizon_months, p->n_vendors,
           p->n_inter, p->n_sectors, p->count, accounts, p->firms,
           p->n_events, p->n_actors);
    mkt_params_free(p);
    scen_free(doc);
    return CLI_OK;
}
