/* test_layering.c -- the check that keeps sim/ free of model and analysis
 * headers, and runner/ free of the command line's, can fail.
 *
 * `make test` runs scripts/check-layering on the real tree; these tests run it
 * on small trees made for the purpose, one that keeps the rule and ones that
 * break it, so a check that passes everything would be caught.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

static char root[64];

static void write_file(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static int check(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/scripts/check-layering %s >/dev/null 2>&1",
             AIMS_SOURCE_DIR, root);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void make_tree(void)
{
    snprintf(root, sizeof root, "/tmp/aims-layering-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    char d[128];
    snprintf(d, sizeof d, "%s/sim", root);
    cr_assert_eq(mkdir(d, 0700), 0);
    snprintf(d, sizeof d, "%s/models", root);
    cr_assert_eq(mkdir(d, 0700), 0);
    snprintf(d, sizeof d, "%s/analysis", root);
    cr_assert_eq(mkdir(d, 0700), 0);
    snprintf(d, sizeof d, "%s/runner", root);
    cr_assert_eq(mkdir(d, 0700), 0);
    snprintf(d, sizeof d, "%s/cli", root);
    cr_assert_eq(mkdir(d, 0700), 0);
    write_file("sim/engine.h", "#include <stdint.h>\n");
    write_file("sim/engine.c", "#include \"engine.h\"\n#include <math.h>\n");
    write_file("models/world.h", "#include \"engine.h\"\n");
    write_file("analysis/h5.h",
               "#include \"world.h\"\n#include \"engine.h\"\n");
    write_file("runner/farm.h", "#include \"h5.h\"\n#include \"world.h\"\n"
                                "#include \"engine.h\"\n");
    write_file("cli/cli.h", "#include \"farm.h\"\n#include \"h5.h\"\n");
}

static void remove_tree(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    cr_assert_eq(system(cmd), 0);
}

Test(layering, a_clean_engine_passes)
{
    make_tree();
    cr_expect_eq(check(), 0);
    remove_tree();
}

Test(layering, a_quoted_model_header_fails)
{
    make_tree();
    write_file("sim/engine.c",
               "#include \"engine.h\"\n#include \"../models/world.h\"\n");
    cr_expect_eq(check(), 1);
    remove_tree();
}

Test(layering, an_angle_bracket_analysis_header_fails)
{
    make_tree();
    write_file("sim/engine.h", "#include <analysis/h5.h>\n");
    cr_expect_eq(check(), 1);
    remove_tree();
}

Test(layering, a_header_found_only_through_an_include_path_fails)
{
    make_tree();
    write_file("sim/engine.c",
               "#include \"world.h\"\n"); /* would need -Imodels */
    cr_expect_eq(check(), 1);
    remove_tree();
}

Test(layering, a_model_including_an_analysis_header_fails)
{
    make_tree();
    cr_expect_eq(check(), 0, "models -> sim and analysis -> models are fine");
    write_file("models/world.c", "#include \"world.h\"\n#include \"h5.h\"\n");
    cr_expect_eq(check(), 1);
    remove_tree();
}

Test(layering, an_escape_through_dotdot_fails_even_into_an_allowed_folder)
{
    make_tree();
    write_file("models/world.c", "#include \"../sim/engine.h\"\n");
    cr_expect_eq(check(), 1, "headers come by -I paths, never by ../");
    remove_tree();
}

Test(layering, the_runner_including_a_cli_header_fails)
{
    make_tree();
    cr_expect_eq(check(), 0, "runner -> analysis and cli -> runner are fine");
    write_file("runner/farm.c", "#include \"farm.h\"\n#include \"cli.h\"\n");
    cr_expect_eq(check(), 1);
    write_file("runner/farm.c", "#include <cli/cli.h>\n");
    cr_expect_eq(check(), 1, "nor by an angle include");
    remove_tree();
}

Test(layering, analysis_including_a_runner_header_fails)
{
    make_tree();
    write_file("analysis/h5.c", "#include \"h5.h\"\n#include \"farm.h\"\n");
    cr_expect_eq(check(), 1);
    remove_tree();
}
