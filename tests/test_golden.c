/* test_golden.c -- the model before the demand issue, pinned to the bit.
 *
 * tests/fixtures/golden/ holds frozen copies of the shipped scenarios (and
 * of the loader's all-events fixture) with the results the model gave at
 * commit 3842ee4, printed with %a (golden.h). Each test loads a frozen file
 * through the real loader, sets the population the golden run used, runs
 * the same replications with the same seed and compares the text: any
 * change of any bit of any result fails. The frozen files state the neutral
 * values of every mechanism added since, so this is the "one option per
 * firm gives today's results" check of the demand issue and its kind.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "scen.h"

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define GOLDEN AIMS_SOURCE_DIR "/tests/fixtures/golden/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert(s && fread(s, 1, (size_t)n, f) == (size_t)n);
    s[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return s;
}

/* Runs NAME.cfg with `count` enterprises (0: the file's) and compares. */
static void check(const char *name, int count, unsigned reps, uint64_t seed)
{
    char path[512];
    snprintf(path, sizeof path, GOLDEN "%s.cfg", name);
    sim_err err = {0};
    scen_doc *doc = NULL;
    cr_assert_eq(scen_load(path, &doc, &err), SIM_OK, "%s", err.msg);
    if (count > 0) {
        char set[64];
        snprintf(set, sizeof set, "enterprises.count=%d", count);
        cr_assert_eq(scen_set(doc, set, &err), SIM_OK, "%s", err.msg);
    }
    mkt_params *p = NULL;
    cr_assert_eq(mkt_load(doc, &p, &err), SIM_OK, "%s", err.msg);
    scen_free(doc);

    char *got = NULL;
    size_t got_len = 0;
    FILE *f = open_memstream(&got, &got_len);
    cr_assert(f);
    for (unsigned k = 0; k < reps; k++) {
        mkt_results r;
        cr_assert_eq(mkt_results_init(&r, p, &err), SIM_OK);
        cr_assert_eq(mkt_run(p, seed, k, NULL, &r, &err), SIM_OK, "%s",
                     err.msg);
        golden_dump(f, k, &r);
        mkt_results_fini(&r);
    }
    fclose(f);
    mkt_params_free(p);

    snprintf(path, sizeof path, GOLDEN "%s.txt", name);
    size_t want_len;
    char *want = slurp(path, &want_len);
    /* Name the first line that differs: that says which result moved. */
    const char *a = got, *b = want;
    while (*a && *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a) : strlen(a);
        size_t lb = eb ? (size_t)(eb - b) : strlen(b);
        if (la != lb || memcmp(a, b, la) != 0) {
            char head[48];
            snprintf(head, sizeof head, "%.*s", (int)(lb < 40 ? lb : 40), b);
            cr_assert(false, "%s: results differ from the golden run at "
                             "the line starting '%s'", name, head);
            break;
        }
        a += la + (ea != NULL);
        b += lb + (eb != NULL);
    }
    cr_assert(got_len == want_len && memcmp(got, want, want_len) == 0,
              "%s: %zu bytes of results, the golden run has %zu", name,
              got_len, want_len);
    free(got);
    free(want);
}

Test(golden, baseline) { check("baseline", 3000, 3, 20260101); }
Test(golden, commerce_tightening) { check("commerce_tightening", 3000, 3, 20260101); }
Test(golden, partnership_loss) { check("partnership_loss", 3000, 3, 20260101); }
Test(golden, vendor_blocks) { check("vendor_blocks", 3000, 3, 20260101); }
Test(golden, domestic_catchup) { check("domestic_catchup", 3000, 3, 20260101); }
Test(golden, tiny_all_events) { check("tiny_all_events", 0, 5, 777); }
