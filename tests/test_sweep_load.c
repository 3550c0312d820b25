/* test_sweep_load.c -- models/sweep_load.c: a good sweep file loads into
 * the fields it says; each defect is refused with the file, line and key
 * and what was expected (SIM_EINPUT), never a crash.
 *
 * Most files are written here, into /tmp, one defect each, and name the
 * shipped commerce_tightening.cfg by absolute path; write_sweep's layout
 * fixes the lines: the sweep group's body starts on line 4, and the first
 * parameter is on line 10 after GRID's four lines, line 11 after SOBOL's
 * five. Files that need a relative scenario path live in
 * tests/fixtures/sweep/. The shipped sweeps (scenarios/sweep_*.cfg) load
 * with the sizes their comments promise. */
#include "sweep.h"
#include "scen.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define FIX(name) AIMS_SOURCE_DIR "/tests/fixtures/sweep/" name
#define BASE AIMS_SOURCE_DIR "/scenarios/commerce_tightening.cfg"

static char path[256];

static void cleanup(void)
{
    if (path[0])
        unlink(path);
    path[0] = '\0';
}

TestSuite(sweep_load, .fini = cleanup);

/* Writes a sweep file: the sweep group's body, then the parameters list. */
static void write_sweep(const char *design_lines, const char *params)
{
    snprintf(path, sizeof path, "/tmp/aims-sweep-load-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "sweep = {\n"
            "  name = \"t\";\n"
            "  scenario = \"%s\";\n"
            "%s"
            "};\n"
            "parameters = (\n%s\n);\n",
            BASE, design_lines, params);
    fclose(f);
}

/* Writes a sweep file of exactly this text. */
static void write_raw(const char *text)
{
    snprintf(path, sizeof path, "/tmp/aims-sweep-load-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

#define GRID                                                                 \
    "  design = \"grid\";\n  replications = 2;\n  seed = 1;\n"             \
    "  metrics = [ \"final_frontier_access_share\" ];\n"
#define SOBOL                                                                \
    "  design = \"sobol\";\n  samples = 8;\n  replications = 2;\n"         \
    "  seed = 1;\n  metrics = [ \"cumulative_revenue:21vianet\" ];\n"
#define ENF "{ path = \"gray.enforcement\"; values = [ 1.0 ]; }"

/* The file at p is refused with SIM_EINPUT, *out untouched, and a message
 * holding "P:WANT_LINE" (unless want_line is empty) and want. */
static void refused_at(const char *p, const char *want_line, const char *want)
{
    swp_spec *s = NULL;
    sim_err err = {0};
    cr_assert_eq(swp_load(p, &s, &err), SIM_EINPUT, "loaded: %s", p);
    cr_assert_eq(err.status, SIM_EINPUT);
    cr_assert_null(s);
    char where[400];
    snprintf(where, sizeof where, "%s:%s", p, want_line);
    cr_assert(want_line[0] == '\0' || strncmp(err.msg, where,
                                              strlen(where)) == 0,
              "expected '%s' first in: %s", where, err.msg);
    cr_assert(strstr(err.msg, want), "expected '%s' in: %s", want, err.msg);
}

static void refused(const char *want_line, const char *want)
{
    refused_at(path, want_line, want);
}

static swp_spec *loads(const char *p)
{
    swp_spec *s = NULL;
    sim_err err = {0};
    cr_assert_eq(swp_load(p, &s, &err), SIM_OK, "%s: %s", p, err.msg);
    cr_assert_not_null(s);
    return s;
}

/* ---- good files ---------------------------------------------------------- */

Test(sweep_load, a_grid_loads_with_its_fields)
{
    write_sweep(GRID, "{ path = \"gray.enforcement\"; "
                      "values = [ 0.5, 2.0 ]; },\n"
                      "{ path = \"enterprises.count\"; values = [ 500 ]; }");
    swp_spec *s = loads(path);
    cr_assert_str_eq(s->name, "t");
    cr_assert_str_eq(s->file, path);
    cr_assert_str_eq(s->scenario, BASE);
    cr_assert_eq(s->design, SWP_GRID);
    cr_assert_eq(s->samples, 0u);
    cr_assert_eq(s->replications, 2u);
    cr_assert_eq(s->seed, 1u);
    cr_assert(s->crn);
    cr_assert_eq(s->n_metrics, 1u);
    cr_assert_str_eq(s->metrics[0], "final_frontier_access_share");
    cr_assert_eq(s->metrics_line, 7);
    cr_assert_eq(s->n_params, 2u);
    cr_assert_str_eq(s->params[0].path, "gray.enforcement");
    cr_assert_eq(s->params[0].line, 10);
    cr_assert_eq(s->params[1].line, 11);
    cr_assert_eq(s->params[0].n_values, 2u);
    cr_assert_eq(s->params[0].values[1], 2.0);
    cr_assert_eq(s->params[1].values[0], 500.0);
    cr_assert(!s->params[0].integer && s->params[1].integer);
    cr_assert_eq(swp_points(s), 2u);
    cr_assert(strstr(s->text, "gray.enforcement") != NULL);
    swp_free(s);
}

Test(sweep_load, a_relative_scenario_is_read_beside_the_sweep_file)
{
    swp_spec *s = loads(FIX("relative_grid.cfg"));
    cr_assert_str_eq(s->file, FIX("relative_grid.cfg"));
    cr_assert_str_eq(s->scenario, FIX("../../../scenarios/baseline.cfg"));
    cr_assert_str_eq(s->name, "relative_grid");
    cr_assert_eq(s->replications, 3u);
    cr_assert_eq(s->seed, UINT64_C(9000000000000000000));
    cr_assert(!s->crn);
    cr_assert_eq(s->n_metrics, 4u);
    cr_assert_str_eq(s->metrics[2], "cumulative_revenue:21vianet");
    cr_assert_str_eq(s->metrics[3], "final_channel_share:gray");
    cr_assert_eq(s->params[0].values[2], 2.385);
    cr_assert_eq(s->params[1].values[1], 1500.0);
    cr_assert(s->params[1].integer);
    cr_assert_eq(swp_points(s), 6u);

    /* The text is the file's, byte for byte. */
    FILE *f = fopen(FIX("relative_grid.cfg"), "rb");
    cr_assert_not_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cr_assert_str_eq(s->text, buf);
    swp_free(s);
}

Test(sweep_load, a_sweep_file_named_without_a_directory)
{
    cr_assert_eq(chdir(AIMS_SOURCE_DIR "/scenarios"), 0); /* forked: safe */
    swp_spec *s = loads("sweep_enforcement.cfg");
    cr_assert_str_eq(s->scenario, "partnership_loss.cfg");
    swp_free(s);
}

Test(sweep_load, a_sobol_design_has_n_times_d_plus_2_points)
{
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; min = 0.5; "
                       "max = 2.0; },\n"
                       "{ path = \"timeline.[7].approval_prob\"; min = 0.1; "
                       "max = 0.9; }");
    swp_spec *s = loads(path);
    cr_assert_eq(s->design, SWP_SOBOL);
    cr_assert_eq(s->samples, 8u);
    cr_assert_eq(s->n_params, 2u);
    cr_assert_eq(s->params[0].n_values, 0u);
    cr_assert_null(s->params[0].values);
    cr_assert_eq(s->params[0].lo, 0.5);
    cr_assert_eq(s->params[0].hi, 2.0);
    cr_assert_eq(s->params[1].lo, 0.1);
    cr_assert_eq(s->params[1].hi, 0.9);
    cr_assert_str_eq(s->metrics[0], "cumulative_revenue:21vianet");
    cr_assert_eq(swp_points(s), 8u * 4u);
    swp_free(s);
}

/* An lhs/sobol range on an integer setting is fine with fractional ends:
 * the design rounds what it draws. */
Test(sweep_load, an_lhs_range_over_an_integer_setting)
{
    write_sweep("  design = \"lhs\";\n  samples = 5;\n  replications = 1;\n"
                "  seed = 7;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                "{ path = \"enterprises.count\"; min = 100.4; max = 900.6; }");
    swp_spec *s = loads(path);
    cr_assert_eq(s->design, SWP_LHS);
    cr_assert(s->params[0].integer);
    cr_assert_eq(swp_points(s), 5u);
    swp_free(s);
}

/* A value the model refuses (a probability of 1.5) is the runner's to
 * report, as one failed point: the loader does not run the model. */
Test(sweep_load, a_value_only_the_model_refuses_loads)
{
    write_sweep(GRID, "{ path = \"timeline.[7].approval_prob\"; "
                      "values = [ 0.5, 1.5 ]; }");
    swp_free(loads(path));
}

Test(sweep_load, the_shipped_enforcement_grid_has_32_points)
{
    swp_spec *s = loads(AIMS_SOURCE_DIR "/scenarios/sweep_enforcement.cfg");
    cr_assert_eq(s->design, SWP_GRID);
    cr_assert_eq(s->replications, 5u);
    cr_assert_eq(swp_points(s), 32u);
    cr_assert_str_eq(s->params[0].path, "gray.enforcement");
    cr_assert_str_eq(s->params[1].path, "timeline.[6].wind_down_months");
    cr_assert(strstr(s->scenario, "scenarios/partnership_loss.cfg"),
              "%s", s->scenario);
    swp_free(s);
}

Test(sweep_load, the_shipped_sobol_sweep_has_448_points)
{
    swp_spec *s = loads(AIMS_SOURCE_DIR "/scenarios/sweep_sobol.cfg");
    cr_assert_eq(s->design, SWP_SOBOL);
    cr_assert_eq(s->samples, 64u);
    cr_assert_eq(s->n_params, 5u);
    cr_assert_eq(s->replications, 2u);
    cr_assert_eq(swp_points(s), 64u * 7u);
    for (size_t k = 0; k < s->n_params; k++)
        cr_assert(s->params[k].lo < s->params[k].hi);
    swp_free(s);
}

Test(sweep_load, free_of_null_is_a_no_op)
{
    swp_free(NULL);
}

/* ---- the sweep file's own keys and types --------------------------------- */

Test(sweep_load, unknown_key_with_did_you_mean)
{
    write_sweep(GRID "  replicatons = 3;\n", ENF);
    refused("8: sweep.replicatons", "did you mean 'replications'");
}

Test(sweep_load, unknown_top_level_key_with_did_you_mean)
{
    write_raw("sweep = { name = \"t\"; };\nparamters = ( );\n");
    refused("2: paramters", "did you mean 'parameters'");
}

Test(sweep_load, unknown_parameter_key_with_did_you_mean)
{
    write_sweep(GRID, "{ path = \"gray.enforcement\"; valuse = [ 1.0 ]; }");
    refused("10: parameters.[0].valuse", "did you mean 'values'");
}

Test(sweep_load, a_syntax_error_names_its_line)
{
    write_raw("sweep = {\n  name = \"t\";\n  seed = ;\n};\n");
    refused("3:", "syntax error");
}

Test(sweep_load, wrong_type)
{
    write_sweep("  design = \"grid\";\n  replications = \"five\";\n"
                "  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                ENF);
    refused("5: sweep.replications", "expected an integer in [1, 100000], "
                                     "got \"five\"");
}

Test(sweep_load, an_unknown_design)
{
    write_sweep("  design = \"random\";\n  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                ENF);
    refused("4: sweep.design", "expected one of \"grid\", \"lhs\", \"sobol\"");
}

Test(sweep_load, a_negative_or_fractional_seed)
{
    write_sweep("  design = \"grid\";\n  replications = 2;\n  seed = -3;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                ENF);
    refused("6: sweep.seed", "expected an integer >= 0, got -3");
    cleanup();
    write_sweep("  design = \"grid\";\n  replications = 2;\n  seed = 1.5;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                ENF);
    refused("6: sweep.seed", "got 1.5");
}

Test(sweep_load, zero_replications)
{
    write_sweep("  design = \"grid\";\n  replications = 0;\n  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                ENF);
    refused("5: sweep.replications", "expected an integer in [1, 100000], "
                                     "got 0");
}

Test(sweep_load, lhs_without_samples)
{
    write_sweep("  design = \"lhs\";\n  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                "{ path = \"gray.enforcement\"; min = 0.5; max = 2.0; }");
    refused("1: sweep", "missing 'samples'");
}

Test(sweep_load, sobol_with_one_sample)
{
    write_sweep("  design = \"sobol\";\n  samples = 1;\n  replications = 2;\n"
                "  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                "{ path = \"gray.enforcement\"; min = 0.5; max = 2.0; }");
    refused("5: sweep.samples", "expected an integer in [2, 1000000], got 1");
}

Test(sweep_load, a_grid_with_samples)
{
    write_sweep("  design = \"grid\";\n  samples = 4;\n  replications = 2;\n"
                "  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                ENF);
    refused("5: sweep.samples", "a grid design takes no samples");
}

Test(sweep_load, empty_metrics)
{
    write_sweep("  design = \"grid\";\n  replications = 2;\n  seed = 1;\n"
                "  metrics = [ ];\n",
                ENF);
    refused("7: sweep.metrics", "expected a list of 1 to");
}

Test(sweep_load, a_metric_of_no_known_form)
{
    write_sweep("  design = \"grid\";\n  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"frontier\" ];\n",
                ENF);
    refused("7: sweep.metrics.[0]", "expected a metric");
    cleanup();
    write_sweep("  design = \"grid\";\n  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\",\n"
                "              \"cumulative_revenue:\" ];\n",
                ENF);
    refused("8: sweep.metrics.[1]", "got 'cumulative_revenue:'");
}

Test(sweep_load, a_duplicate_metric)
{
    write_sweep("  design = \"grid\";\n  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"months_to_half_access\", "
                "\"months_to_half_access\" ];\n",
                ENF);
    refused("7: sweep.metrics.[1]", "'months_to_half_access' is listed twice");
}

/* ---- parameters ---------------------------------------------------------- */

Test(sweep_load, no_parameters)
{
    write_sweep(GRID, "");
    refused("9: parameters", "expected a list of 1 to 20 elements, got 0");
}

Test(sweep_load, too_many_parameters)
{
    char params[2048] = "";
    for (int k = 0; k <= SWP_MAX_PARAMS; k++) {
        char one[80];
        snprintf(one, sizeof one, "{ path = \"p%d\"; values = [ 1.0 ]; }%s\n",
                 k, k < SWP_MAX_PARAMS ? "," : "");
        strcat(params, one);
    }
    write_sweep(GRID, params);
    refused("9: parameters", "expected a list of 1 to 20 elements, got 21");
}

Test(sweep_load, a_parameter_that_is_not_a_group)
{
    write_sweep(GRID, "\"gray.enforcement\"");
    /* libconfig gives a scalar list element the line it read after it. */
    refused("", ": parameters.[0]: expected a group { ... }, "
                "got \"gray.enforcement\"");
}

Test(sweep_load, a_path_varied_twice)
{
    write_sweep(GRID, ENF ",\n"
                      "{ path = \"gray.enforcement\"; values = [ 2.0 ]; }");
    refused("11: parameters.[1].path",
            "'gray.enforcement' is varied twice (also parameters.[0])");
}

Test(sweep_load, grid_with_a_range)
{
    write_sweep(GRID, "{ path = \"gray.enforcement\"; min = 0.0; "
                      "max = 1.0; }");
    refused("10: parameters.[0]", "min/max are for lhs and sobol");
}

Test(sweep_load, grid_without_values)
{
    write_sweep(GRID, "{ path = \"gray.enforcement\"; }");
    refused("10: parameters.[0]", "missing 'values'");
    cleanup();
    write_sweep(GRID, "{ path = \"gray.enforcement\"; values = [ ]; }");
    refused("10: parameters.[0].values", "got 0 elements");
}

Test(sweep_load, a_grid_value_that_is_not_a_number)
{
    write_sweep(GRID, "{ path = \"gray.enforcement\"; values = [ \"x\" ]; }");
    refused("10: parameters.[0].values.[0]", "expected a finite number");
}

Test(sweep_load, sobol_with_values)
{
    write_sweep(SOBOL, ENF);
    refused("11: parameters.[0]", "values = [ ... ] is for a grid");
}

Test(sweep_load, sobol_without_range)
{
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; max = 2.0; }");
    refused("11: parameters.[0]", "missing 'min'");
    cleanup();
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; min = 0.5; }");
    refused("11: parameters.[0]", "missing 'max'");
}

Test(sweep_load, min_not_below_max)
{
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; min = 2.0; "
                       "max = 2.0; }");
    refused("11: parameters.[0].max", "expected max > min (2), got 2");
}

/* libconfig has no NaN literal; 1e999 overflows strtod to infinity. */
Test(sweep_load, infinite_bounds_and_values)
{
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; min = 0.0; "
                       "max = 1e999; }");
    refused("11: parameters.[0].max", "expected a finite number, got inf");
    cleanup();
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; min = -1e999; "
                       "max = 1.0; }");
    refused("11: parameters.[0].min", "expected a finite number, got -inf");
    cleanup();
    write_sweep(GRID, "{ path = \"gray.enforcement\"; "
                      "values = [ 1.0, 1e999 ]; }");
    refused("10: parameters.[0].values.[1]", "finite");
}

Test(sweep_load, too_many_points)
{
    /* 200001 x (3 + 2): just past the limit, refused with the count. */
    write_sweep("  design = \"sobol\";\n  samples = 200001;\n"
                "  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                "{ path = \"gray.enforcement\"; min = 0.5; max = 2.0; },\n"
                "{ path = \"enterprises.count\"; min = 100; max = 900; },\n"
                "{ path = \"timeline.[7].approval_prob\"; min = 0.1; "
                "max = 0.9; }");
    refused("10: parameters",
            "the sobol design has 1000005 points; at most 1000000");
}

Test(sweep_load, too_many_grid_points)
{
    /* 4 parameters x 100 values: 10^8 points, refused with the count. */
    char params[8192] = "";
    for (int k = 0; k < 4; k++) {
        char one[1024];
        int w = snprintf(one, sizeof one,
                         "{ path = \"enterprises.sectors.[%d].bass_q\"; "
                         "values = [ ",
                         k);
        for (int i = 1; i <= 100; i++)
            w += snprintf(one + w, sizeof one - (size_t)w, "%s%.2f",
                          i > 1 ? ", " : "", i / 100.0);
        snprintf(one + w, sizeof one - (size_t)w, " ] }%s\n",
                 k < 3 ? "," : "");
        strcat(params, one);
    }
    write_sweep(GRID, params);
    refused("9: parameters",
            "the grid design has 100000000 points; at most 1000000");
}

/* ---- the base scenario --------------------------------------------------- */

Test(sweep_load, missing_scenario)
{
    write_raw("sweep = { name = \"t\"; scenario = \"no_such.cfg\"; design = "
              "\"grid\"; replications = 1; seed = 1; metrics = [ "
              "\"final_frontier_access_share\" ]; };\n"
              "parameters = ( { path = \"gray.enforcement\"; values = [ 1.0 "
              "]; } );\n");
    refused("1: sweep.scenario", "the base scenario does not load: /tmp/"
                                 "no_such.cfg: cannot read");
}

Test(sweep_load, unreadable_scenario)
{
    write_raw("sweep = { name = \"t\";\n scenario = \"/tmp\"; design = "
              "\"grid\"; replications = 1; seed = 1; metrics = [ "
              "\"final_frontier_access_share\" ]; };\n"
              "parameters = ( { path = \"gray.enforcement\"; values = [ 1.0 "
              "]; } );\n");
    refused("2: sweep.scenario", "the base scenario does not load: /tmp: "
                                 "cannot read: Is a directory");
}

Test(sweep_load, a_scenario_that_does_not_parse)
{
    refused_at(FIX("bad_base.cfg"), "4: sweep.scenario",
               "the base scenario does not load: "
               FIX("broken_scenario.cfg") ":4: syntax error");
}

Test(sweep_load, path_not_in_the_scenario)
{
    write_sweep(GRID, "{ path = \"gray.enforcment\"; values = [ 1.0 ]; }");
    refused("10: parameters.[0].path",
            "no setting 'gray.enforcment' in " BASE
            " (did you mean 'gray.enforcement'?)");
}

Test(sweep_load, path_naming_a_group)
{
    write_sweep(GRID, "{ path = \"gray\"; values = [ 1.0 ]; }");
    refused("10: parameters.[0].path", "'gray' in " BASE " is not a number");
}

Test(sweep_load, path_naming_a_string_or_a_bool)
{
    write_sweep(GRID, "{ path = \"enterprises.sectors.[0].name\"; "
                      "values = [ 1.0 ]; }");
    refused("10: parameters.[0].path", "is not a number");
    cleanup();
    write_sweep(GRID, "{ path = \"timeline.[0].shock\"; values = [ 1.0 ]; }");
    refused("10: parameters.[0].path", "is not a number");
}

Test(sweep_load, fractional_grid_value_for_an_integer_setting)
{
    write_sweep(GRID, "{ path = \"enterprises.count\"; values = [ 2.5 ]; }");
    refused("10: parameters.[0].path",
            "'enterprises.count' is an integer in " BASE
            "; the grid value 2.5 is not");
}

Test(sweep_load, an_integer_value_beyond_64_bits)
{
    write_sweep(GRID, "{ path = \"enterprises.count\"; values = [ 1e30 ]; }");
    refused("10: parameters.[0].path",
            "the grid value 1e+30 is outside the 64-bit integer range");
    cleanup();
    write_sweep(SOBOL, "{ path = \"enterprises.count\"; min = 1.0; "
                       "max = 1e30; }");
    refused("11: parameters.[0].path", "max 1e+30 is outside");
}

/* fuzz_sweep found it: a parameter path so long that "no setting ... (the
 * keys of ... are: ...)" filled the message buffer, and the closing ')'
 * was written past its end. */
Test(sweep_load, a_path_that_fills_the_message_is_refused_not_overrun)
{
    swp_spec *s = NULL;
    sim_err err = {0};
    int rc = swp_load(AIMS_SOURCE_DIR
                      "/tests/fixtures/sweeprun/regress_long_path.cfg",
                      &s, &err);
    cr_assert_eq(rc, SIM_EINPUT);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "no setting"), "%s", err.msg);
    cr_assert_lt(strlen(err.msg), sizeof err.msg);
}

/* fuzz_set found the same overrun through `--set`: a long path whose
 * "the keys of ... are: ..." list filled the message. */
Test(sweep_load, a_set_path_that_fills_the_message_is_refused_not_overrun)
{
    char a[4096] = "";
    FILE *f = fopen(AIMS_SOURCE_DIR "/tests/fixtures/scen/set_long_path.txt",
                    "rb");
    cr_assert_not_null(f);
    size_t n = fread(a, 1, sizeof a - 1, f);
    fclose(f);
    a[n] = '\0';
    scen_doc *doc = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_load(AIMS_SOURCE_DIR "/scenarios/baseline.cfg", &doc,
                           &err),
                 SIM_OK, "%s", err.msg);
    cr_assert_eq(scen_set(doc, a, &err), SIM_EINPUT);
    cr_assert_lt(strlen(err.msg), sizeof err.msg);
    scen_free(doc);
}
