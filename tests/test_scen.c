/* test_scen.c -- scenario input: loading, the truncation pre-scan, typed
 * getters, strict keys, --set overrides, the resolved text.
 *
 * The fixtures in tests/fixtures/scen/ are good.cfg and copies of it with one
 * defect each. A small schema (read_mini below) stands in for the market
 * model's loader, which does not exist yet: it reads every fixture through
 * the public getters, so each bad file is checked the way a real loader would
 * meet it. Messages are compared whole, "file:line: key: expected X, got Y"
 * included, so a wrong line, path or wording fails.
 *
 * bad_string_token.cfg makes libconfig 1.5 leak 64 bytes inside libconfig.so
 * (recipes/toolchain.md section 3); the test binary suppresses exactly that
 * leak (tests/sanitizer_options.c).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scen.h"
#include "scen_internal.h"

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define FIXDIR    AIMS_SOURCE_DIR "/tests/fixtures/scen"
#define FIX(name) FIXDIR "/" name

/* ---- a stand-in schema ----------------------------------------------------
 */

static const char *const top_keys[] = {
    "name",  "horizon_months", "enterprises", "vendors",
    "rates", "counts",         NULL};
static const char *const ent_keys[] = {
    "count", "weight", "budget", "mask", "public_facing", "sectors", NULL};
static const char *const sector_keys[] = {"name", "bass_p", "bass_q", "firms",
                                          NULL};
static const char *const vendor_keys[] = {"id", "origin", NULL};
static const char *const origins[] = {"us", "cn", NULL};

typedef struct {
    const char *name;
    int64_t horizon, count, budget, mask;
    double weight;
    bool public_facing;
    size_t nsectors, nvendors, nrates, ncounts;
    const char *sector[4];
    double bass_p[4], bass_q[4];
    int64_t firms[4];
    size_t origin[4];
    double rate[8];
    int64_t counts[8];
} mini;

#define TRY(call)                                                              \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ != SIM_OK)                                                     \
            return rc_;                                                        \
    } while (0)

static int read_mini(const scen_doc *doc, mini *m, sim_err *err)
{
    const config_setting_t *root = scen_root(doc), *ent, *list;
    TRY(scen_check_keys(root, top_keys, err));
    TRY(scen_get_string(root, "name", &m->name, err));
    TRY(scen_get_int(root, "horizon_months", 1, 600, &m->horizon, err));
    TRY(scen_get_group(root, "enterprises", &ent, err));
    TRY(scen_check_keys(ent, ent_keys, err));
    TRY(scen_get_int(ent, "count", 1, 10000000, &m->count, err));
    TRY(scen_get_number(ent, "weight", 0.0, HUGE_VAL, &m->weight, err));
    TRY(scen_get_int(ent, "budget", 0, INT64_MAX, &m->budget, err));
    TRY(scen_get_int(ent, "mask", INT64_MIN, INT64_MAX, &m->mask, err));
    TRY(scen_get_bool(ent, "public_facing", &m->public_facing, err));
    TRY(scen_get_list(ent, "sectors", 1, 4, &list, &m->nsectors, err));
    for (size_t i = 0; i < m->nsectors; i++) {
        const config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
        TRY(scen_as_group(s, err));
        TRY(scen_check_keys(s, sector_keys, err));
        TRY(scen_get_string(s, "name", &m->sector[i], err));
        TRY(scen_get_prob(s, "bass_p", &m->bass_p[i], err));
        TRY(scen_get_prob(s, "bass_q", &m->bass_q[i], err));
        TRY(scen_get_int(s, "firms", 1, INT64_MAX, &m->firms[i], err));
    }
    TRY(scen_get_list(root, "vendors", 1, 4, &list, &m->nvendors, err));
    for (size_t i = 0; i < m->nvendors; i++) {
        const config_setting_t *v = config_setting_get_elem(list, (unsigned)i);
        const char *id;
        TRY(scen_as_group(v, err));
        TRY(scen_check_keys(v, vendor_keys, err));
        TRY(scen_get_string(v, "id", &id, err));
        TRY(scen_get_enum(v, "origin", origins, &m->origin[i], err));
    }
    TRY(scen_get_list(root, "rates", 1, 8, &list, &m->nrates, err));
    for (size_t i = 0; i < m->nrates; i++)
        TRY(scen_as_number(config_setting_get_elem(list, (unsigned)i), 0.0, 1.0,
                           &m->rate[i], err));
    TRY(scen_get_list(root, "counts", 0, 8, &list, &m->ncounts, err));
    for (size_t i = 0; i < m->ncounts; i++)
        TRY(scen_as_int(config_setting_get_elem(list, (unsigned)i), 0,
                        INT64_MAX, &m->counts[i], err));
    return SIM_OK;
}

static scen_doc *load_ok(const char *path)
{
    scen_doc *doc = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_load(path, &doc, &err), SIM_OK, "%s", err.msg);
    cr_assert_not_null(doc);
    return doc;
}

/* Loads path and reads it with the schema; both together must fail with
 * SIM_EINPUT and exactly the message path + rest. */
static void expect_error(const char *path, const char *rest)
{
    scen_doc *doc = NULL;
    sim_err err = {0};
    mini m;
    int rc = scen_load(path, &doc, &err);
    if (rc == SIM_OK)
        rc = read_mini(doc, &m, &err);
    char want[600];
    snprintf(want, sizeof want, "%s%s", path, rest);
    cr_assert_eq(rc, SIM_EINPUT, "%s: status %d, message: %s", path, rc,
                 err.msg);
    cr_assert_eq(err.status, SIM_EINPUT);
    cr_assert_str_eq(err.msg, want);
    scen_free(doc);
}

/* Applies assignment to a fresh good.cfg, expecting failure with message
 * "--set ASSIGNMENT: " + rest, and checks the document was left alone. */
static void expect_set_error(const char *assignment, const char *rest)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    char *before = NULL, *after = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_text(doc, &before, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(scen_set(doc, assignment, &err), SIM_EINPUT, "%s: %s",
                 assignment, err.msg);
    char want[800];
    snprintf(want, sizeof want, "--set %s: %s", assignment, rest);
    cr_assert_str_eq(err.msg, want);
    sim_err_clear(&err);
    cr_assert_eq(scen_text(doc, &after, &err), SIM_OK, "%s", err.msg);
    cr_assert_str_eq(after, before, "a failed --set changed the document");
    free(before);
    free(after);
    scen_free(doc);
}

static void set_ok(scen_doc *doc, const char *assignment)
{
    sim_err err = {0};
    cr_assert_eq(scen_set(doc, assignment, &err), SIM_OK, "%s: %s", assignment,
                 err.msg);
}

static int64_t get_int_at(const scen_doc *doc, const char *path)
{
    const config_setting_t *s = scen_find(doc, path);
    cr_assert_not_null(s, "%s", path);
    int64_t v = 0;
    sim_err err = {0};
    cr_assert_eq(scen_as_int(s, INT64_MIN, INT64_MAX, &v, &err), SIM_OK, "%s",
                 err.msg);
    return v;
}

static double get_number_at(const scen_doc *doc, const char *path)
{
    const config_setting_t *s = scen_find(doc, path);
    cr_assert_not_null(s, "%s", path);
    double v = 0.0;
    sim_err err = {0};
    cr_assert_eq(scen_as_number(s, -HUGE_VAL, HUGE_VAL, &v, &err), SIM_OK, "%s",
                 err.msg);
    return v;
}

/* ---- loading good files ----------------------------------------------------
 */

Test(scen, good_file_reads_every_value_through_the_getters)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    mini m;
    sim_err err = {0};
    cr_assert_eq(read_mini(doc, &m, &err), SIM_OK, "%s", err.msg);
    cr_assert_str_eq(m.name, "baseline 5000000000");
    cr_assert_eq(m.horizon, 60);
    cr_assert_eq(m.count, 20000);
    cr_assert_eq(m.weight, 2.385);
    cr_assert_eq(m.budget, INT64_C(5000000000));
    cr_assert_eq(m.mask, 0x7FFFFFFF);
    cr_assert(m.public_facing);
    cr_assert_eq(m.nsectors, 2);
    cr_assert_str_eq(m.sector[1], "retail");
    cr_assert_eq(m.bass_p[0], 0.003);
    cr_assert_eq(m.bass_q[1], 0.41);
    cr_assert_eq(m.firms[0], 12000, "1.2e4 is a whole number");
    cr_assert_eq(m.firms[1], 30000);
    cr_assert_eq(m.nvendors, 2);
    cr_assert_eq(m.origin[0], 0);
    cr_assert_eq(m.origin[1], 1);
    cr_assert_eq(m.nrates, 3);
    cr_assert_eq(m.rate[2], 0.125);
    cr_assert_eq(m.ncounts, 3);
    cr_assert_eq(m.counts[1], 20);
    cr_assert_str_eq(scen_file(doc), FIX("good.cfg"));
    scen_free(doc);
}

Test(scen, free_null_is_a_no_op)
{
    scen_free(NULL);
}

Test(scen, failed_load_leaves_out_untouched)
{
    scen_doc *sentinel = (scen_doc *)&sentinel, *doc = sentinel;
    sim_err err = {0};
    cr_assert_eq(scen_load(FIX("bad_syntax.cfg"), &doc, &err), SIM_EINPUT);
    cr_assert_eq(doc, sentinel);
}

/* ---- unreadable files ------------------------------------------------------
 */

Test(scen, nonexistent_file_says_cannot_read_with_strerror)
{
    expect_error(FIX("nonexistent.cfg"),
                 ": cannot read: No such file or directory");
}

Test(scen, directory_says_cannot_read_is_a_directory)
{
    expect_error(FIXDIR, ": cannot read: Is a directory");
}

Test(scen, file_without_read_permission_says_permission_denied)
{
    /* Root reads a mode-000 file anyway, so there the case cannot happen and
     * the test would check nothing: skip it. */
    if (geteuid() == 0)
        cr_skip_test("running as root, which may read a mode-000 file");
    char path[] = "/tmp/scen-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "a = 1;\n", 7), 7);
    close(fd);
    cr_assert_eq(chmod(path, 0), 0);
    scen_doc *doc = NULL;
    sim_err err = {0};
    int rc = scen_load(path, &doc, &err);
    unlink(path);
    char want[128];
    snprintf(want, sizeof want, "%s: cannot read: Permission denied", path);
    cr_assert_eq(rc, SIM_EINPUT);
    cr_assert_str_eq(err.msg, want);
}

Test(scen, null_path_is_invalid_argument)
{
    scen_doc *doc = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_load(NULL, &doc, &err), SIM_EINVAL);
    cr_assert_null(doc);
}

/* ---- syntax errors (libconfig's text, our file:line) ------------------------
 */

Test(scen, syntax_error_gives_file_and_line)
{
    expect_error(FIX("bad_syntax.cfg"), ":4: syntax error");
}

Test(scen, syntax_error_at_a_string_token_gives_file_and_line)
{
    /* libconfig 1.5 leaks 64 B here (suppressed: tests/sanitizer_options.c). */
    expect_error(FIX("bad_string_token.cfg"), ":4: syntax error");
}

Test(scen, nan_is_a_syntax_error_in_libconfig)
{
    expect_error(FIX("bad_nan.cfg"), ":15: syntax error");
}

Test(scen, duplicate_key_is_reported_with_its_name)
{
    /* libconfig says only "duplicate setting name"; the key comes from
     * the line it names. */
    expect_error(FIX("bad_duplicate.cfg"),
                 ":9: count: duplicate setting name (a key given twice in "
                 "one group)");
}

/* ---- the truncation pre-scan
 * -------------------------------------------------- */

Test(scen, truncating_integer_names_line_key_and_fix)
{
    expect_error(FIX("bad_truncated_int.cfg"),
                 ":8: enterprises.count: integer 5000000000 does not fit in 32 "
                 "bits and libconfig would truncate it; write 5000000000L (or "
                 "5000000000.0)");
}

Test(scen, truncating_hex_integer_is_refused)
{
    expect_error(FIX("bad_truncated_hex.cfg"),
                 ":11: enterprises.mask: integer 0x1FFFFFFFF does not fit in "
                 "32 bits and libconfig would truncate it; write 0x1FFFFFFFFL");
}

Test(scen, truncating_array_element_is_named_by_index)
{
    expect_error(FIX("bad_truncated_in_array.cfg"),
                 ":20: counts.[1]: integer 3000000000 does not fit in 32 bits "
                 "and libconfig would truncate it; write 3000000000L (or "
                 "3000000000.0)");
}

Test(scen, integer_beyond_64_bits_is_refused)
{
    expect_error(FIX("bad_int64_overflow.cfg"),
                 ":10: enterprises.budget: integer 99999999999999999999L does "
                 "not fit in 64 bits and libconfig would store "
                 "9223372036854775807; write it as a float");
}

static int lex_all(const char *text, scen__lex_item *items, int max)
{
    scen__lex lx;
    scen__lex_init(&lx, text, strlen(text));
    int n = 0;
    while (n < max && scen__lex_next(&lx, &items[n]) != SCEN__LEX_END)
        n++;
    return n;
}

Test(scen, prescan_ignores_strings_comments_names_and_floats)
{
    scen__lex_item it[4];
    const char *text = "a = \"5000000000 \\\" 6000000000\";\n"
                       "# 5000000000\n// 5000000000\n/* 5000000000 */\n"
                       "x5000000000 = 1; y-5000000000 = 2;\n"
                       "f = 5000000000.0; g = 5000000000e0; h = .5e10;\n"
                       "l = 5000000000L; m = 0x7FFFFFFF; n = -2147483648;\n"
                       "o = 2147483647; p = 9223372036854775807L;\n";
    cr_assert_eq(lex_all(text, it, 4), 0, "flagged '%.*s' on line %u",
                 (int)it[0].len, it[0].text, it[0].line);
}

Test(scen, prescan_flags_each_literal_libconfig_would_store_wrongly)
{
    scen__lex_item it[8];
    const char *text = "a = 2147483648;\n"
                       "b = -2147483649;\n"
                       "/* two\nlines */ c = [1, 0x80000000];\n"
                       "d = \"multi\nline\"; e = 9223372036854775808L;\n"
                       "f = -9223372036854775809LL;\n";
    int n = lex_all(text, it, 8);
    cr_assert_eq(n, 5);
    const char *want[] = {"2147483648", "-2147483649", "0x80000000",
                          "9223372036854775808L", "-9223372036854775809LL"};
    unsigned lines[] = {1, 2, 4, 6, 7};
    int kinds[] = {SCEN__LEX_INT32, SCEN__LEX_INT32, SCEN__LEX_INT32,
                   SCEN__LEX_INT64, SCEN__LEX_INT64};
    /* What libconfig 1.5 stores for each (checked with its parser). */
    int64_t stored[] = {INT32_MIN, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    for (int i = 0; i < n; i++) {
        cr_assert_eq(it[i].len, strlen(want[i]), "item %d", i);
        cr_assert(memcmp(it[i].text, want[i], it[i].len) == 0, "item %d", i);
        cr_assert_eq(it[i].line, lines[i], "item %d", i);
        cr_assert_eq(it[i].kind, kinds[i], "item %d", i);
        cr_assert_eq(it[i].stored, stored[i], "item %d", i);
    }
    cr_assert(it[2].hex);
    cr_assert(!it[0].hex);
}

Test(scen, prescan_reports_includes_only_at_the_start_of_a_line)
{
    scen__lex_item it[4];
    const char *text = "a = 1; @include \"no.cfg\"\n"
                       "  @include \"yes.cfg\"\n"
                       "# @include \"no.cfg\"\n"
                       "@include \"a\\\"b.cfg\"\n";
    int n = lex_all(text, it, 4);
    cr_assert_eq(n, 2);
    cr_assert_eq(it[0].kind, SCEN__LEX_INCLUDE);
    cr_assert_eq(it[0].line, 2);
    cr_assert_eq(it[0].len, 7);
    cr_assert(memcmp(it[0].text, "yes.cfg", 7) == 0);
    cr_assert_eq(it[1].line, 4);
    cr_assert_eq(it[1].len, 8);
    cr_assert(memcmp(it[1].text, "a\\\"b.cfg", 8) == 0);
}

/* ---- getters: types, ranges, missing keys ----------------------------------
 */

Test(scen, unknown_key_suggests_the_close_allowed_key)
{
    expect_error(FIX("bad_unknown_key.cfg"),
                 ":15: enterprises.sectors.[1].bass_qq: unknown key (did you "
                 "mean 'bass_q'?)");
}

Test(scen, unknown_key_far_from_all_lists_the_allowed_keys)
{
    expect_error(FIX("bad_unknown_key_far.cfg"),
                 ":12: enterprises.colour: unknown key (expected one of: "
                 "count, weight, budget, mask, public_facing, sectors)");
}

Test(scen, string_where_a_probability_belongs_is_a_wrong_type)
{
    expect_error(FIX("bad_wrong_type.cfg"),
                 ":15: enterprises.sectors.[1].bass_q: expected a number in "
                 "[0, 1], got \"high\"");
}

Test(scen, probability_out_of_range_names_list_element_path)
{
    expect_error(FIX("bad_range.cfg"),
                 ":15: enterprises.sectors.[1].bass_q: expected a number in "
                 "[0, 1], got 1.7");
}

Test(scen, missing_key_points_at_its_group)
{
    expect_error(FIX("bad_missing_key.cfg"),
                 ":15: enterprises.sectors.[1]: missing 'bass_q' (expected a "
                 "number in [0, 1])");
}

Test(scen, missing_top_level_key_names_the_file_only)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    sim_err err = {0};
    double x;
    cr_assert_eq(
        scen_get_number(scen_root(doc), "seed", 0.0, HUGE_VAL, &x, &err),
        SIM_EINPUT);
    cr_assert_str_eq(err.msg,
                     FIX("good.cfg") ": missing 'seed' (expected a number >= "
                                     "0)");
    scen_free(doc);
}

Test(scen, infinity_is_refused_by_number_getters)
{
    expect_error(FIX("bad_inf.cfg"),
                 ":15: enterprises.sectors.[1].bass_q: expected a number in "
                 "[0, 1], got inf");
}

Test(scen, fractional_number_is_refused_where_an_integer_belongs)
{
    expect_error(FIX("bad_fraction.cfg"),
                 ":15: enterprises.sectors.[1].firms: expected an integer >= "
                 "1, got 2.5");
}

Test(scen, integer_out_of_range_shows_the_range)
{
    expect_error(FIX("bad_negative.cfg"),
                 ":8: enterprises.count: expected an integer in [1, 10000000], "
                 "got -3");
}

Test(scen, number_where_a_bool_belongs_is_refused)
{
    expect_error(FIX("bad_bool.cfg"),
                 ":12: enterprises.public_facing: expected true or false, got "
                 "1");
}

Test(scen, empty_string_is_refused)
{
    expect_error(FIX("bad_empty_string.cfg"),
                 ":15: enterprises.sectors.[1].name: expected a non-empty "
                 "string, got \"\"");
}

Test(scen, enum_value_lists_allowed_values_and_suggests_close_one)
{
    expect_error(FIX("bad_enum.cfg"),
                 ":18: vendors.[1].origin: expected one of \"us\", \"cn\", got "
                 "\"CN \" (did you mean \"cn\"?)");
}

Test(scen, enum_value_far_from_all_lists_allowed_values)
{
    expect_error(FIX("bad_enum_far.cfg"),
                 ":18: vendors.[1].origin: expected one of \"us\", \"cn\", got "
                 "\"eu\"");
}

Test(scen, list_with_too_few_elements_gives_the_count)
{
    expect_error(FIX("bad_list_empty.cfg"),
                 ":18: vendors: expected a list of 1 to 4 elements, got 0 "
                 "elements");
}

Test(scen, value_where_a_group_belongs_is_refused)
{
    expect_error(FIX("bad_not_group.cfg"),
                 ":7: enterprises: expected a group { ... }, got 20000");
}

Test(scen, getters_leave_out_alone_on_failure)
{
    scen_doc *doc = load_ok(FIX("bad_range.cfg"));
    const config_setting_t *s = scen_find(doc, "enterprises.sectors.[1]");
    cr_assert_not_null(s);
    sim_err err = {0};
    double x = 2.385;
    cr_assert_eq(scen_get_prob(s, "bass_q", &x, &err), SIM_EINPUT);
    cr_assert_eq(x, 2.385);
    scen_free(doc);
}

Test(scen, first_error_wins)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    sim_err err = {0};
    bool b;
    const char *str;
    cr_assert_eq(scen_get_bool(scen_root(doc), "name", &b, &err), SIM_EINPUT);
    cr_assert_eq(scen_get_string(scen_root(doc), "horizon_months", &str, &err),
                 SIM_EINPUT);
    cr_assert_str_eq(err.msg, FIX("good.cfg") ":3: name: expected true or "
                                              "false, got \"baseline "
                                              "5000000000\"");
    scen_free(doc);
}

Test(scen, has_tells_optional_keys_apart)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    cr_assert(scen_has(scen_root(doc), "horizon_months"));
    cr_assert(!scen_has(scen_root(doc), "horizon"));
    scen_free(doc);
}

Test(scen, scen_error_prefixes_file_line_and_path)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    const config_setting_t *s = scen_find(doc, "vendors.[1].id");
    cr_assert_not_null(s);
    sim_err err = {0};
    cr_assert_eq(scen_error(&err, s, "no vendor '%s'", "qwen"), SIM_EINPUT);
    cr_assert_str_eq(err.msg,
                     FIX("good.cfg") ":18: vendors.[1].id: no vendor 'qwen'");
    scen_free(doc);
}

/* ---- paths ------------------------------------------------------------------
 */

Test(scen, paths_mean_the_same_to_scen_find_and_config_lookup)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    config_t *cfg = scen_root(doc)->config;
    const char *paths[] = {"enterprises.count", "enterprises.sectors.[1]",
                           "enterprises.sectors.[1].bass_q", "rates.[2]",
                           "vendors.[0].origin"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const config_setting_t *s = scen_find(doc, paths[i]);
        cr_assert_not_null(s, "%s", paths[i]);
        cr_assert_eq(s, config_lookup(cfg, paths[i]), "%s", paths[i]);
    }
    /* Spellings config_lookup tolerates but the documented syntax refuses. */
    const char *odd[] = {"enterprises/count",
                         "enterprises:count",
                         "enterprises..count",
                         "rates.[2]x",
                         ".name",
                         "rates[2]",
                         ""};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        cr_assert_null(scen_find(doc, odd[i]), "'%s'", odd[i]);
    scen_free(doc);
}

Test(scen, lookup_of_a_missing_path_suggests_and_takes_a_context)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    const config_setting_t *s = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_lookup(doc, "enterprises.sectors.[0].bass_qq",
                             "sweep.cfg:4: parameters.[0].path", &s, &err),
                 SIM_EINPUT);
    cr_assert_null(s);
    cr_assert_str_eq(err.msg, "sweep.cfg:4: parameters.[0].path: no setting "
                              "'enterprises.sectors.[0].bass_qq' in " FIX(
                                  "good.cfg") " (did you mean "
                                              "'enterprises.sectors.[0]."
                                              "bass_q'?)");
    sim_err_clear(&err);
    cr_assert_eq(scen_lookup(doc, "rates.[1]", NULL, &s, &err), SIM_OK);
    cr_assert_eq(s, scen_find(doc, "rates.[1]"));
    scen_free(doc);
}

/* ---- includes
 * ----------------------------------------------------------------- */

Test(scen, include_is_read_relative_to_the_file)
{
    scen_doc *doc = load_ok(FIX("include_main.cfg"));
    mini m;
    sim_err err = {0};
    cr_assert_eq(read_mini(doc, &m, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(m.count, 20000);
    cr_assert_eq(m.nsectors, 2);
    cr_assert_str_eq(m.sector[0], "finance"); /* the nested include */
    cr_assert_eq(m.firms[0], 12000);
    /* Messages about included settings name the included file. */
    const config_setting_t *q = scen_find(doc, "enterprises.sectors.[0]");
    cr_assert_not_null(q);
    cr_assert_eq(scen_get_int(q, "bass_q", 0, 1, &(int64_t){0}, &err),
                 SIM_EINPUT);
    cr_assert_str_eq(err.msg, FIX("parts/finance.cfg") ":2: "
                                                       "enterprises.sectors.[0]"
                                                       ".bass_q: expected an "
                                                       "integer in [0, 1], got "
                                                       "0.38");
    scen_free(doc);
}

Test(scen, missing_include_names_the_including_file_and_line)
{
    expect_error(FIX("bad_include_missing.cfg"),
                 ":4: cannot read @include \"parts/nonexistent.cfg\" (" FIX(
                     "parts/nonexistent.cfg") "): No such file or directory");
}

Test(scen, circular_include_is_refused)
{
    scen_doc *doc = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_load(FIX("bad_include_circular.cfg"), &doc, &err),
                 SIM_EINPUT);
    cr_assert_str_eq(err.msg, FIX("parts/loop.cfg") ":2: @include "
                                                    "\"bad_include_circular."
                                                    "cfg\" is circular: " FIX(
                                                        "bad_include_circular."
                                                        "cfg") " is already "
                                                               "being read");
}

Test(scen, absolute_include_is_refused_with_the_reason)
{
    expect_error(FIX("bad_include_absolute.cfg"),
                 ":3: @include \"/etc/aims/common.cfg\": absolute paths do "
                 "not work: libconfig 1.5 reads every @include relative "
                 "to " FIXDIR
                 ", the directory of " FIX("bad_include_absolute.cfg"));
}

Test(scen, truncating_integer_in_an_include_names_the_included_file)
{
    scen_doc *doc = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_load(FIX("bad_include_truncated.cfg"), &doc, &err),
                 SIM_EINPUT);
    cr_assert_str_eq(err.msg,
                     FIX("parts/big_count.cfg") ":2: enterprises.count: "
                                                "integer 7000000000 does not "
                                                "fit in 32 bits and libconfig "
                                                "would truncate it; write "
                                                "7000000000L (or "
                                                "7000000000.0)");
}

Test(scen, syntax_error_in_an_include_names_the_included_file)
{
    scen_doc *doc = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_load(FIX("bad_include_syntax.cfg"), &doc, &err),
                 SIM_EINPUT);
    cr_assert_str_eq(err.msg, FIX("parts/broken.cfg") ":3: syntax error");
}

/* ---- overrides
 * ---------------------------------------------------------------- */

Test(scen, set_replaces_an_existing_value)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    set_ok(doc, "enterprises.count=50000");
    cr_assert_eq(get_int_at(doc, "enterprises.count"), 50000);
    set_ok(doc, " name = \"other\" ");
    set_ok(doc, "enterprises.public_facing=false");
    mini m;
    sim_err err = {0};
    cr_assert_eq(read_mini(doc, &m, &err), SIM_OK, "%s", err.msg);
    cr_assert_str_eq(m.name, "other");
    cr_assert(!m.public_facing);
    scen_free(doc);
}

Test(scen, set_reaches_list_and_array_elements)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    set_ok(doc, "enterprises.sectors.[1].bass_q=0.45");
    set_ok(doc, "rates.[2]=0.2");
    set_ok(doc, "counts.[0]=-7");
    cr_assert_eq(get_number_at(doc, "enterprises.sectors.[1].bass_q"), 0.45);
    cr_assert_eq(get_number_at(doc, "enterprises.sectors.[0].bass_q"), 0.38);
    cr_assert_eq(get_number_at(doc, "rates.[2]"), 0.2);
    cr_assert_eq(get_int_at(doc, "counts.[0]"), -7);
    scen_free(doc);
}

Test(scen, later_override_wins)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    set_ok(doc, "enterprises.count=100");
    set_ok(doc, "enterprises.count=200");
    cr_assert_eq(get_int_at(doc, "enterprises.count"), 200);
    scen_free(doc);
}

Test(scen, set_int_into_float_keeps_a_float)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    set_ok(doc, "enterprises.weight=3");
    const config_setting_t *s = scen_find(doc, "enterprises.weight");
    cr_assert_eq(config_setting_type(s), CONFIG_TYPE_FLOAT);
    cr_assert_eq(config_setting_get_float(s), 3.0);
    set_ok(doc, "enterprises.weight=123456789012345L");
    cr_assert_eq(config_setting_get_float(s), 123456789012345.0,
                 "exact, not through float precision");
    scen_free(doc);
}

Test(scen, set_whole_float_into_integer_stores_the_integer)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    set_ok(doc, "enterprises.count=5e4");
    const config_setting_t *s = scen_find(doc, "enterprises.count");
    cr_assert_eq(config_setting_type(s), CONFIG_TYPE_INT);
    cr_assert_eq(get_int_at(doc, "enterprises.count"), 50000);
    scen_free(doc);
}

Test(scen, set_64_bit_value_widens_a_32_bit_setting)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    set_ok(doc, "enterprises.count=5000000000L");
    const config_setting_t *s = scen_find(doc, "enterprises.count");
    cr_assert_eq(config_setting_type(s), CONFIG_TYPE_INT64);
    cr_assert_eq(get_int_at(doc, "enterprises.count"), INT64_C(5000000000));
    char *text = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_text(doc, &text, &err), SIM_OK, "%s", err.msg);
    cr_assert_not_null(strstr(text, "count = 5000000000L\n"), "%s", text);
    free(text);
    scen_free(doc);
}

Test(scen, resolved_text_holds_the_override_and_reads_back)
{
    scen_doc *doc = load_ok(FIX("include_main.cfg"));
    set_ok(doc, "enterprises.sectors.[0].firms=13579");
    char *text = NULL;
    sim_err err = {0};
    cr_assert_eq(scen_text(doc, &text, &err), SIM_OK, "%s", err.msg);
    cr_assert_not_null(strstr(text, "firms = 13579\n"), "%s", text);
    cr_assert_null(strstr(text, "@include"), "includes are expanded");
    config_t back;
    config_init(&back);
    cr_assert(config_read_string(&back, text), "line %d: %s",
              config_error_line(&back), config_error_text(&back));
    int firms = 0;
    cr_assert(
        config_lookup_int(&back, "enterprises.sectors.[0].firms", &firms));
    cr_assert_eq(firms, 13579);
    config_destroy(&back);
    free(text);
    scen_free(doc);
}

Test(scen, set_of_a_missing_path_suggests_the_close_one)
{
    expect_set_error("enterprises.cuont=5",
                     "no setting 'enterprises.cuont' in " FIX(
                         "good.cfg") " (did you mean 'enterprises.count'?)");
}

Test(scen, set_of_a_misspelt_group_suggests_the_whole_path)
{
    expect_set_error("enterprise.sectors.[0].bass_p=0.01",
                     "no setting 'enterprise.sectors.[0].bass_p' in " FIX(
                         "good.cfg") " (did you mean "
                                     "'enterprises.sectors.[0].bass_p'?)");
}

Test(scen, set_of_a_path_far_from_all_lists_the_keys)
{
    expect_set_error("foo.bar=1",
                     "no setting 'foo.bar' in " FIX(
                         "good.cfg") " (the top-level keys are: name, "
                                     "horizon_months, enterprises, vendors, "
                                     "rates, counts)");
}

Test(scen, set_past_the_end_of_a_list_gives_its_length)
{
    expect_set_error("enterprises.sectors.[2].bass_q=0.1",
                     "no setting 'enterprises.sectors.[2].bass_q' in " FIX(
                         "good.cfg") " ('enterprises.sectors' has 2 "
                                     "elements, [0] to [1])");
}

/* A name on a list of groups with ids is taken as an id: the message names
 * the ids there are, and the index form. */
Test(scen, set_with_a_name_on_a_list_asks_for_an_id_or_an_index)
{
    expect_set_error("vendors.origin=\"cn\"",
                     "no setting 'vendors.origin' in " FIX(
                         "good.cfg") " (no element of 'vendors' has id "
                                     "\"origin\"; their ids: openai, qwen; "
                                     "or select an element with "
                                     "'vendors.[N]')");
}

Test(scen, a_list_element_by_its_id)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    sim_err err = {0};
    cr_assert_eq(scen_set(doc, "vendors.qwen.origin=\"us\"", &err), SIM_OK,
                 "%s", err.msg);
    const config_setting_t *s = scen_find(doc, "vendors.[1].origin");
    cr_assert_not_null(s);
    cr_assert_str_eq(config_setting_get_string(s), "us");
    cr_assert_eq(scen_find(doc, "vendors.qwen"), scen_find(doc, "vendors.[1]"));
    scen_free(doc);
}

Test(scen, set_with_c_style_index_shows_the_libconfig_spelling)
{
    expect_set_error("vendors[0].origin=\"cn\"",
                     "bad path 'vendors[0].origin': write list elements as "
                     "'vendors.[0].origin'");
}

Test(scen, set_with_a_malformed_path_explains_the_syntax)
{
    expect_set_error("enterprises..count=1",
                     "bad path 'enterprises..count': expected keys separated "
                     "by '.', with list elements as '.[N]' (e.g. "
                     "enterprises.sectors.[0].bass_q)");
}

Test(scen, set_of_the_wrong_type_names_the_setting_and_its_line)
{
    expect_set_error("enterprises.count=\"many\"",
                     "expected an integer (enterprises.count is one at " FIX(
                         "good.cfg") ":8), got \"many\"");
}

Test(scen, set_of_a_fraction_into_an_integer_is_refused)
{
    expect_set_error("enterprises.count=2.5",
                     "expected an integer (enterprises.count is one at " FIX(
                         "good.cfg") ":8), got 2.5");
}

Test(scen, set_of_a_number_into_a_bool_is_refused)
{
    expect_set_error("enterprises.public_facing=0",
                     "expected true or false (enterprises.public_facing is "
                     "one at " FIX("good.cfg") ":12), got 0");
}

Test(scen, set_of_a_truncating_integer_gives_the_fix)
{
    expect_set_error("enterprises.count=5000000000",
                     "integer 5000000000 does not fit in 32 bits and "
                     "libconfig would truncate it; write 5000000000L (or "
                     "5000000000.0)");
}

Test(scen, set_of_a_64_bit_value_into_a_32_bit_array_is_refused)
{
    expect_set_error("counts.[1]=5000000000L",
                     "expected an integer in [-2147483648, 2147483647] (the "
                     "elements of array counts are 32-bit), got 5000000000");
}

Test(scen, set_of_a_group_is_refused)
{
    expect_set_error("enterprises=1",
                     "'enterprises' is a group; --set replaces single values "
                     "only (name one inside it)");
}

Test(scen, set_of_an_unparsable_value_says_what_values_look_like)
{
    expect_set_error("name=cn",
                     "cannot read VALUE 'cn': syntax error (expected a "
                     "number, true or false, or a double-quoted string)");
}

Test(scen, set_of_two_values_is_refused)
{
    expect_set_error("enterprises.weight=1; w = 2",
                     "VALUE '1; w = 2' is not a single value (expected a "
                     "number, true or false, or a double-quoted string)");
}

Test(scen, set_without_equals_or_value_is_refused)
{
    expect_set_error("enterprises.count", "expected PATH=VALUE");
    expect_set_error("enterprises.count=",
                     "no VALUE after '=' (expected a number, true or false, "
                     "or a double-quoted string)");
    expect_set_error("=5", "no PATH before '='");
}

Test(scen, getter_complaint_about_an_override_names_the_override)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    set_ok(doc, "enterprises.sectors.[1].bass_q=1.7");
    mini m;
    sim_err err = {0};
    cr_assert_eq(read_mini(doc, &m, &err), SIM_EINPUT);
    cr_assert_str_eq(err.msg, "--set enterprises.sectors.[1].bass_q=1.7: "
                              "enterprises.sectors.[1].bass_q: expected a "
                              "number in [0, 1], got 1.7");
    scen_free(doc);
}

/* Writes dir/c0.cfg ... dir/cN.cfg, each including the next; returns dir's
 * top file in top. */
static void include_chain(char *dir, int n, char *top, size_t size)
{
    cr_assert_not_null(mkdtemp(dir));
    for (int i = 0; i <= n; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/c%d.cfg", dir, i);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fprintf(f, "v%d = %d;\n", i, i);
        if (i < n)
            fprintf(f, "@include \"c%d.cfg\"\n", i + 1);
        fclose(f);
    }
    snprintf(top, size, "%s/c0.cfg", dir);
}

static void remove_chain(const char *dir, int n)
{
    for (int i = 0; i <= n; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/c%d.cfg", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

Test(scen, includes_nest_ten_deep_as_in_libconfig_and_no_deeper)
{
    char dir[] = "/tmp/scen-chain-XXXXXX", top[128];
    include_chain(dir, 10, top, sizeof top);
    scen_doc *doc = NULL;
    sim_err err = {0};
    int rc = scen_load(top, &doc, &err);
    cr_expect_eq(rc, SIM_OK, "%s", err.msg);
    if (rc == SIM_OK)
        cr_expect_eq(get_int_at(doc, "v10"), 10);
    scen_free(doc);
    remove_chain(dir, 10);

    char dir2[] = "/tmp/scen-chain-XXXXXX", top2[128], want[256];
    include_chain(dir2, 11, top2, sizeof top2);
    doc = NULL;
    sim_err_clear(&err);
    rc = scen_load(top2, &doc, &err);
    snprintf(want, sizeof want,
             "%s/c10.cfg:2: @include \"c11.cfg\": includes nested more than "
             "10 deep (libconfig's limit)",
             dir2);
    remove_chain(dir2, 11);
    cr_assert_eq(rc, SIM_EINPUT);
    cr_assert_str_eq(err.msg, want);
}

Test(scen, infinity_is_refused_even_when_the_range_is_open)
{
    scen_doc *doc = load_ok(FIX("good.cfg"));
    set_ok(doc, "enterprises.weight=1e999"); /* libconfig reads it as inf */
    mini m;
    sim_err err = {0};
    cr_assert_eq(read_mini(doc, &m, &err), SIM_EINPUT);
    cr_assert_str_eq(err.msg, "--set enterprises.weight=1e999: "
                              "enterprises.weight: expected a number >= 0, "
                              "got inf");
    scen_free(doc);
}

Test(scen, set_value_with_a_newline_cannot_smuggle_an_include)
{
    expect_set_error("name=\"x\"\n@include \"good.cfg\"",
                     "VALUE holds a control character (expected a number, "
                     "true or false, or a double-quoted string)");
}
