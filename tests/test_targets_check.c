/* test_targets_check.c -- analysis/targets_check.py on a real (small) run of
 * the history, in a child process with Debian's /usr/bin/python3.
 *
 *  - the shipped targets (scenarios/targets/history.cfg) all map to series,
 *    coordinates and months of the history's run file: one row each, the
 *    fitted and held-out counts, exit 0;
 *  - the definitions, on identities the model guarantees: revenue summed
 *    over every actor equals payments (money is conserved), a share of all
 *    channels among all is 1, a growth of a window over itself is 1;
 *  - bad input (a coordinate the series lacks, a month outside the
 *    horizon, a series the file lacks, a missing key) is one line on stderr
 *    naming file:line:key, exit status 2.
 *
 * Skipped when /usr/bin/python3 lacks h5py or numpy.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define PYTHON "/usr/bin/python3"
#define CHECK AIMS_SOURCE_DIR "/analysis/targets_check.py"
#define HISTORY AIMS_SOURCE_DIR "/scenarios/history_2023.cfg"
#define TARGETS AIMS_SOURCE_DIR "/scenarios/targets/history.cfg"

static void make_dir(void)
{
    spawn_make_dir("/tmp/aims-targets-XXXXXX");
}

static void remove_dir(void)
{
    spawn_remove_dir();
}

static void need_python(void)
{
    if (access(PYTHON, X_OK) != 0 ||
        system(PYTHON " -c 'import h5py, numpy' >/dev/null 2>&1") != 0)
        cr_skip_test(PYTHON " lacks h5py or numpy (scripts/install-deps)");
}

/* The history at 2,000 enterprises, 2 replications: small, but every
 * series, coordinate and month of the full run. */
static const char *history_run(void)
{
    static char out[512]; /* not one of in_dir's rotating buffers */
    snprintf(out, sizeof out, "%s", in_dir("h.h5"));
    const char *a[] = {"run", HISTORY, "-o", out, "-r", "2", "--quiet",
                       "--set", "enterprises.count=2000", NULL};
    cr_assert_eq(spawn(AIMS_BUILD_DIR "/aims", a), 0, "aims run: %s",
                 slurp("err.txt"));
    return out;
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(in_dir(name), "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static int check(const char *run, const char *targets)
{
    const char *a[] = {CHECK, run, targets, NULL};
    return spawn(PYTHON, a);
}

/* The printed row of target id: id kind fit observed sd mean 2.5% 97.5% z n;
 * returns the simulated mean, and its z in *z. */
static double sim_mean_z(const char *out, const char *id, double *z)
{
    char key[128];
    snprintf(key, sizeof key, "\n%s ", id);
    const char *p = strstr(out, key);
    cr_assert_not_null(p, "no row for %s in:\n%s", id, out);
    char kind[32], fit[8];
    double obs, sd, mean, lo, hi, zz;
    cr_assert_eq(sscanf(p + strlen(key), "%31s %7s %lf %lf %lf %lf %lf %lf",
                        kind, fit, &obs, &sd, &mean, &lo, &hi, &zz),
                 8, "row of %s unreadable", id);
    if (z)
        *z = zz;
    return mean;
}

static double sim_mean(const char *out, const char *id)
{
    return sim_mean_z(out, id, NULL);
}

Test(targets_check, shipped_targets_all_map, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
    need_python();
    const char *run = history_run();
    int rc = check(run, TARGETS);
    cr_assert_eq(rc, 0, "targets_check: %s", slurp("err.txt"));
    const char *out = slurp("out.txt");
    /* Every id of the file has a row. */
    FILE *f = fopen(TARGETS, "r");
    cr_assert_not_null(f);
    char line[1024];
    int ids = 0;
    while (fgets(line, sizeof line, f)) {
        char id[128];
        if (sscanf(line, " id = \"%127[a-z0-9_]\"", id) == 1) {
            ids++;
            char key[160];
            snprintf(key, sizeof key, "\n%s ", id);
            cr_assert_not_null(strstr(out, key), "no row for %s", id);
        }
    }
    fclose(f);
    cr_assert_geq(ids, 12, "only %d targets in %s", ids, TARGETS);
    cr_assert_not_null(strstr(out, "held-out: "), "no held-out summary");
    cr_assert_null(strstr(out, "skipped"), "a target was skipped:\n%s", out);
}

Test(targets_check, definitions_on_identities, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
    need_python();
    const char *run = history_run();
    write_file("t.cfg",
               "targets = (\n"
               " { id = \"rev\"; source = \"s\"; observed = \"2024-12\"; value = 1.0;"
               "   sd = 1.0; sd_how = \"x\"; kind = \"level\"; series = \"revenue\";"
               "   of = []; from = \"2024-01\"; to = \"2024-12\"; held_out = false; },\n"
               " { id = \"pay\"; source = \"s\"; observed = \"2024-12\"; value = 1.0;"
               "   sd = 1.0; sd_how = \"x\"; kind = \"level\"; series = \"payments\";"
               "   of = []; from = \"2024-01\"; to = \"2024-12\"; held_out = true; },\n"
               " { id = \"all\"; source = \"s\"; observed = \"2024-12\"; value = 0.5;"
               "   sd = 0.1; sd_how = \"x\"; kind = \"share\"; series = \"channel_count\";"
               "   of = []; among = []; from = \"2023-01\"; to = \"2026-06\"; held_out = false; },\n"
               " { id = \"flat\"; source = \"s\"; observed = \"2024-12\"; value = 2.0;"
               "   sd = 0.1; sd_how = \"x\"; kind = \"growth\"; series = \"tokens_by_vendor\";"
               "   of = [\"qwen\"]; from = \"2025-01\"; to = \"2025-06\";"
               "   base_from = \"2025-01\"; base_to = \"2025-06\"; held_out = false; }\n"
               ");\n");
    int rc = check(run, in_dir("t.cfg"));
    cr_assert_eq(rc, 0, "targets_check: %s", slurp("err.txt"));
    const char *out = slurp("out.txt");
    double rev = sim_mean(out, "rev"), pay = sim_mean(out, "pay");
    cr_assert_gt(pay, 0.0, "no payments in 2024");
    /* Printed to 4 significant digits: equal within that rounding. */
    cr_assert_leq(fabs(rev - pay), 1e-3 * pay, "revenue %g vs payments %g",
                  rev, pay);
    cr_assert_float_eq(sim_mean(out, "all"), 1.0, 1e-12);
    cr_assert_float_eq(sim_mean(out, "flat"), 1.0, 1e-12);
    /* z of "all": (1 - 0.5) / sqrt(0.1^2 + 0 / 2) = 5, no spread over
     * replications in a share that is 1 in each. */
    double z;
    sim_mean_z(out, "all", &z);
    cr_assert_float_eq(z, 5.0, 1e-9);
}

/* One bad target: exit 2, one line on stderr naming t.cfg:LINE:KEY. */
static void refused(const char *run, const char *body, const char *where)
{
    char text[2048];
    snprintf(text, sizeof text,
             "targets = (\n"
             " { id = \"x\"; source = \"s\"; observed = \"2024-12\";\n"
             "   value = 1.0; sd = 1.0; sd_how = \"x\"; held_out = false;\n"
             "%s\n"
             " }\n);\n",
             body);
    write_file("t.cfg", text);
    int rc = check(run, in_dir("t.cfg"));
    const char *err = slurp("err.txt");
    cr_assert_eq(rc, 2, "exit %d for %s; stderr: %s", rc, where, err);
    char want[512];
    snprintf(want, sizeof want, "t.cfg:%s", where);
    cr_assert_not_null(strstr(err, want), "expected %s in: %s", want, err);
    const char *nl = strchr(err, '\n');
    cr_assert(nl != NULL && nl[1] == '\0', "not one line: %s", err);
    cr_assert_null(strstr(err, "Traceback"), "%s", err);
}

Test(targets_check, bad_input_names_file_line_key, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
    need_python();
    const char *run = history_run();
    refused(run,
            "   kind = \"share\"; series = \"tokens_by_vendor\";\n"
            "   of = [\"baidu\"]; among = []; from = \"2024-01\"; to = \"2024-12\";",
            "5:of");
    refused(run,
            "   kind = \"level\"; series = \"revenue\"; of = [];\n"
            "   from = \"2022-12\"; to = \"2024-12\";",
            "5:from");
    refused(run,
            "   kind = \"level\"; series = \"revenue\"; of = [];\n"
            "   from = \"2024-01\"; to = \"2026-07\";",
            "5:to");
    refused(run,
            "   kind = \"level\"; series = \"tokens_by_model\"; of = [];\n"
            "   from = \"2024-01\"; to = \"2024-12\";",
            "4:series");
    refused(run,
            "   kind = \"growth\"; series = \"revenue\"; of = [];\n"
            "   from = \"2024-01\"; to = \"2024-12\";",
            "2:base_from");
    refused(run,
            "   kind = \"probability\"; series = \"account_option\";\n"
            "   account = \"alibaba\"; option_contains = \"azure\";\n"
            "   from = \"2024-01\"; to = \"2024-12\";",
            "5:account");
}
