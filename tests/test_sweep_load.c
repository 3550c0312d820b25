/* test_sweep_load.c -- models/sweep_load.c: a good sweep file loads into
 * the fields it says; each defect is refused with the file, line and key
 * and what was expected (SIM_EINPUT), never a crash. The files are written
 * here, in /tmp, and name the shipped scenarios by absolute path. */
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

static char path[256];

static void cleanup(void)
{
    if (path[0])
        unlink(path);
}

TestSuite(sweep_load, .fini = cleanup);

/* Writes a sweep file: the sweep group's body, then the parameters list. */
static void write_sweep(const char *design_lines, const char *params)
{
    snprintf(path, sizeof path, "/tmp/aims-sweep-load-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f,
            "sweep = {\n"
            "  name = \"t\";\n"
            "  scenario = \"%s/scenarios/commerce_tightening.cfg\";\n"
            "%s"
            "};\n"
            "parameters = (\n%s\n);\n",
            AIMS_SOURCE_DIR, design_lines, params);
    fclose(f);
}

#define GRID                                                                 \
    "  design = \"grid\";\n  replications = 2;\n  seed = 1;\n"             \
    "  metrics = [ \"final_frontier_access_share\" ];\n"
#define SOBOL                                                                \
    "  design = \"sobol\";\n  samples = 8;\n  replications = 2;\n"         \
    "  seed = 1;\n  metrics = [ \"cumulative_revenue:21vianet\" ];\n"

static void refused(const char *want_line, const char *want)
{
    swp_spec *s = NULL;
    sim_err err = {0};
    cr_assert_eq(swp_load(path, &s, &err), SIM_EINPUT, "loaded: %s", path);
    cr_assert_null(s);
    char where[300];
    snprintf(where, sizeof where, "%s:%s", path, want_line);
    cr_assert(strstr(err.msg, where) || want_line[0] == '\0',
              "expected '%s' in: %s", where, err.msg);
    cr_assert(strstr(err.msg, want), "expected '%s' in: %s", want, err.msg);
}

Test(sweep_load, a_grid_loads_with_its_fields)
{
    write_sweep(GRID, "{ path = \"gray.enforcement\"; values = [ 0.5, 2.0 ]; },\n"
                      "{ path = \"enterprises.count\"; values = [ 500 ]; }");
    swp_spec *s = NULL;
    sim_err err = {0};
    cr_assert_eq(swp_load(path, &s, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(s->design, SWP_GRID);
    cr_assert_eq(s->n_params, 2u);
    cr_assert_eq(s->params[0].n_values, 2u);
    cr_assert_eq(s->params[1].values[0], 500.0);
    cr_assert(!s->params[0].integer && s->params[1].integer);
    cr_assert(s->crn);
    cr_assert_eq(swp_points(s), 2u);
    cr_assert(strstr(s->text, "gray.enforcement") != NULL);
    swp_free(s);
}

Test(sweep_load, a_sobol_design_has_n_times_d_plus_2_points)
{
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; min = 0.5; max = 2.0; },\n"
                       "{ path = \"timeline.[7].approval_prob\"; min = 0.1; "
                       "max = 0.9; }");
    swp_spec *s = NULL;
    sim_err err = {0};
    cr_assert_eq(swp_load(path, &s, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(swp_points(s), 8u * 4u);
    swp_free(s);
}

Test(sweep_load, unknown_key_with_did_you_mean)
{
    write_sweep(GRID "  replicatons = 3;\n",
                "{ path = \"gray.enforcement\"; values = [ 1.0 ]; }");
    refused("", "did you mean 'replications'");
}

Test(sweep_load, path_not_in_the_scenario)
{
    write_sweep(GRID, "{ path = \"gray.enforcment\"; values = [ 1.0 ]; }");
    refused("10: parameters.[0].path", "gray.enforcement");
}

Test(sweep_load, path_naming_a_group)
{
    write_sweep(GRID, "{ path = \"gray\"; values = [ 1.0 ]; }");
    refused("10: parameters.[0].path", "not a number");
}

Test(sweep_load, fractional_grid_value_for_an_integer_setting)
{
    write_sweep(GRID, "{ path = \"enterprises.count\"; values = [ 2.5 ]; }");
    refused("10: parameters.[0].path", "integer");
}

Test(sweep_load, grid_with_a_range)
{
    write_sweep(GRID, "{ path = \"gray.enforcement\"; min = 0.0; max = 1.0; }");
    refused("10: parameters.[0]", "min/max are for lhs and sobol");
}

Test(sweep_load, sobol_with_values)
{
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; values = [ 1.0 ]; }");
    refused("11: parameters.[0]", "values = [ ... ] is for a grid");
}

Test(sweep_load, min_not_below_max)
{
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; min = 2.0; max = 2.0; }");
    refused("11: parameters.[0].max", "expected max > min");
}

Test(sweep_load, lhs_without_samples)
{
    write_sweep("  design = \"lhs\";\n  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                "{ path = \"gray.enforcement\"; min = 0.5; max = 2.0; }");
    refused("1: sweep", "missing 'samples'");
}

Test(sweep_load, zero_replications)
{
    write_sweep("  design = \"grid\";\n  replications = 0;\n  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                "{ path = \"gray.enforcement\"; values = [ 1.0 ]; }");
    refused("5: sweep.replications", "expected");
}

Test(sweep_load, a_metric_of_no_known_form_and_a_duplicate)
{
    write_sweep("  design = \"grid\";\n  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"frontier\" ];\n",
                "{ path = \"gray.enforcement\"; values = [ 1.0 ]; }");
    refused("", "expected a metric");
    cleanup();
    write_sweep("  design = \"grid\";\n  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"months_to_half_access\", "
                "\"months_to_half_access\" ];\n",
                "{ path = \"gray.enforcement\"; values = [ 1.0 ]; }");
    refused("", "listed twice");
}

Test(sweep_load, a_path_varied_twice)
{
    write_sweep(GRID, "{ path = \"gray.enforcement\"; values = [ 1.0 ]; },\n"
                      "{ path = \"gray.enforcement\"; values = [ 2.0 ]; }");
    refused("11: parameters.[1].path", "varied twice");
}

Test(sweep_load, too_many_points)
{
    write_sweep("  design = \"lhs\";\n  samples = 2000000;\n"
                "  replications = 2;\n  seed = 1;\n"
                "  metrics = [ \"final_frontier_access_share\" ];\n",
                "{ path = \"gray.enforcement\"; min = 0.5; max = 2.0; }");
    refused("", "1000000");
}

Test(sweep_load, infinity_and_a_missing_scenario)
{
    write_sweep(SOBOL, "{ path = \"gray.enforcement\"; min = 0.0; max = 1e999; }");
    refused("11: parameters.[0].max", "finite");
    cleanup();
    snprintf(path, sizeof path, "/tmp/aims-sweep-load-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("sweep = { name = \"t\"; scenario = \"no_such.cfg\"; design = "
          "\"grid\"; replications = 1; seed = 1; metrics = [ "
          "\"final_frontier_access_share\" ]; };\n"
          "parameters = ( { path = \"gray.enforcement\"; values = [ 1.0 ]; "
          "} );\n",
          f);
    fclose(f);
    refused("1: sweep.scenario", "does not load");
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
