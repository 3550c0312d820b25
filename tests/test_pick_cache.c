/* test_pick_cache.c -- the choice cache (models/pick_cache.c) changes no
 * result: aims run writes the same file with it (the default) and without
 * it (AIMS_PICK_CACHE=0), on scenarios with every kind of world event
 * (timeline rules and shocks, rules coming into force, wind-downs, the
 * Commerce rule, price moves) and the deciding agents on, and with
 * multi-homing. Files compared by scripts/h5same (h5diff, provenance
 * attributes aside). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mkt.h"
#include "reps.h"
#include "scen.h"

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/aims-pick-cache-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Runs scenario scen with the cache (cache "1") or without ("0") into
 * DIR/name.h5; extra: more aims run arguments. Returns the exit status. */
static int run(const char *cache, const char *scen, const char *name,
               const char *extra)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "AIMS_PICK_CACHE=%s %s/aims run %s/scenarios/%s -o %s/%s.h5 "
             "--force --quiet -r 2 -j 2 --set enterprises.count=4000 %s "
             ">%s/log.txt 2>&1",
             cache, AIMS_BUILD_DIR, AIMS_SOURCE_DIR, scen, dir, name, extra,
             dir);
    return system(cmd);
}

static int same(const char *a, const char *b)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s/scripts/h5same %s/%s.h5 %s/%s.h5 >%s/diff.txt 2>&1",
             AIMS_SOURCE_DIR, dir, a, dir, b, dir);
    return system(cmd);
}

static void cached_and_uncached(const char *scen, const char *extra)
{
    cr_assert_eq(run("1", scen, "on", extra), 0, "%s with the cache", scen);
    cr_assert_eq(run("0", scen, "off", extra), 0, "%s without", scen);
    cr_assert_eq(same("on", "off"), 0, "%s %s: the files differ", scen, extra);
}

#define MULTI                                                              \
    "--set enterprises.sectors.[0].choice.max_options=3 "                   \
    "--set enterprises.sectors.[1].choice.max_options=3 "                   \
    "--set enterprises.sectors.[2].choice.max_options=3 "                   \
    "--set enterprises.sectors.[3].choice.max_options=3"

Test(pick_cache, escalation_with_agents_is_the_same_file, .init = make_dir,
     .fini = remove_dir, .timeout = 300)
{
    cached_and_uncached("escalation.cfg", "");
}

Test(pick_cache, price_war_with_agents_is_the_same_file, .init = make_dir,
     .fini = remove_dir, .timeout = 300)
{
    cached_and_uncached("price_war.cfg", "");
}

Test(pick_cache, rules_as_data_are_the_same_file, .init = make_dir,
     .fini = remove_dir, .timeout = 300)
{
    cached_and_uncached("weights_rule.cfg", "");
    cached_and_uncached("vendor_blocks_all.cfg", "");
}

Test(pick_cache, multi_homing_is_the_same_file, .init = make_dir,
     .fini = remove_dir, .timeout = 300)
{
    cached_and_uncached("escalation.cfg", MULTI);
}

/* The comparison can fail (another seed is another run), and a value that
 * is neither 0 nor 1 is refused, as a bad AIMS_ENGINE is, before anything
 * is written. */
Test(pick_cache, the_comparison_can_fail_and_bad_values_are_refused,
     .init = make_dir, .fini = remove_dir, .timeout = 300)
{
    cr_assert_eq(run("1", "baseline.cfg", "a", ""), 0);
    cr_assert_eq(run("1", "baseline.cfg", "b", "-s 9"), 0);
    cr_assert_neq(same("a", "b"), 0);
    int rc = run("yes", "baseline.cfg", "c", "");
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "status %d (bad input: 2)",
              rc);
    char log[512], buf[1024] = "";
    snprintf(log, sizeof log, "%s/c.h5", dir);
    cr_assert_neq(access(log, F_OK), 0, "a file was written");
    snprintf(log, sizeof log, "%s/log.txt", dir);
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    cr_assert(strstr(buf, "AIMS_PICK_CACHE: expected 0 or 1, got 'yes'"), "%s",
              buf);
}

/* ---- the firms' memo of rule verdicts --------------------------------------
 * A firm keeps the rules' verdicts on it as a buyer, tagged with the rule
 * set's epoch; after a number of epochs the tags are swept. With a licence
 * rule toggled 46 times and a sweep every 3 epochs (as every 255 in a run),
 * a memo kept across a sweep would pass for the new epoch's: the results
 * must stay those of choices that ask the rules every time. */

static void run_toggles(const mkt_params *p, uint32_t rep,
                        const mkt_run_opts *o, mkt_results *r)
{
    sim_err err = {0};
    cr_assert_eq(mkt_results_init(r, p, &err), SIM_OK);
    cr_assert_eq(mkt_run(p, 11, rep, o, r, &err), SIM_OK, "%s", err.msg);
}

Test(pick_cache, rule_memos_swept_every_few_epochs_are_the_uncached_run,
     .timeout = 300)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/pick_cache/rule_toggles.cfg",
             AIMS_SOURCE_DIR);
    sim_err err = {0};
    scen_doc *doc = NULL;
    cr_assert_eq(scen_load(path, &doc, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(scen_set(doc, "enterprises.count=3000", &err), SIM_OK, "%s",
                 err.msg);
    mkt_params *p = NULL;
    cr_assert_eq(mkt_load(doc, &p, &err), SIM_OK, "%s", err.msg);
    scen_free(doc);
    const mkt_run_opts plain = {.no_pick_cache = true};
    const mkt_run_opts memo[] = {{.memo_epochs = 1}, {.memo_epochs = 3},
                                 {.memo_epochs = 0}};
    for (uint32_t rep = 0; rep < 2; rep++) {
        mkt_results ref;
        run_toggles(p, rep, &plain, &ref);
        for (size_t k = 0; k < sizeof memo / sizeof memo[0]; k++) {
            mkt_results r;
            run_toggles(p, rep, &memo[k], &r);
            assert_same_results(&ref, &r, rep);
            mkt_results_fini(&r);
        }
        mkt_results_fini(&ref);
    }
    mkt_params_free(p);
}

/* The adoptions' look-ahead (ent.c, mkt__adopt_prefetch) only prefetches:
 * the baseline with it on at a small size (it is on from 2^18 seats by
 * default) is the run with it off, bit for bit, with one option per firm
 * and with three; and its guess of the next adoption's firm is right every
 * time (only a tie between two sectors' adoption times could make it
 * wrong), so the prefetches are of the records that are read. */
Test(pick_cache, the_adoption_look_ahead_changes_nothing_and_guesses_right,
     .timeout = 300)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/baseline.cfg", AIMS_SOURCE_DIR);
    for (int k = 1; k <= 3; k += 2) {
        sim_err err = {0};
        scen_doc *doc = NULL;
        cr_assert_eq(scen_load(path, &doc, &err), SIM_OK, "%s", err.msg);
        cr_assert_eq(scen_set(doc, "enterprises.count=4000", &err), SIM_OK);
        for (int s = 0; s < 4 && k > 1; s++) {
            char set[96];
            snprintf(set, sizeof set,
                     "enterprises.sectors.[%d].choice.max_options=%d", s, k);
            cr_assert_eq(scen_set(doc, set, &err), SIM_OK, "%s", err.msg);
        }
        mkt_params *p = NULL;
        cr_assert_eq(mkt_load(doc, &p, &err), SIM_OK, "%s", err.msg);
        scen_free(doc);
        uint64_t guesses[2] = {0, 0};
        const mkt_run_opts off = {.adopt_prefetch = -1};
        const mkt_run_opts on = {.adopt_prefetch = 1, .adopt_guesses = guesses};
        for (uint32_t rep = 0; rep < 2; rep++) {
            mkt_results a, b;
            run_toggles(p, rep, &off, &a);
            run_toggles(p, rep, &on, &b);
            assert_same_results(&a, &b, rep);
            mkt_results_fini(&a);
            mkt_results_fini(&b);
        }
        cr_assert_gt(guesses[0], 1000, "%d options: %llu adoptions", k,
                     (unsigned long long)guesses[0]);
        cr_expect_eq(guesses[1], guesses[0],
                     "%d options: %llu of %llu adoptions guessed", k,
                     (unsigned long long)guesses[1],
                     (unsigned long long)guesses[0]);
        mkt_params_free(p);
    }
}
