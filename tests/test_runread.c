/* test_runread.c -- the run file reader (analysis/runread.c).
 *
 * The round trip: a hand-built market (horizon 4, 3 actors, 3
 * replications) with a distinct value in every cell, NaN where the layout
 * allows it and integers that need all 64 bits, is written with
 * ana_runfile_* (replications out of order, extra root attributes as
 * `aims run --precision` adds them) and read back with ana_run_read; every
 * value, axis, attribute and description must come back identical.
 *
 * Then the headline metrics derived from it (ana_run_metrics) against
 * values computed here from the cell formulas, and every way a file can be
 * bad: missing, a directory, empty, text, truncated, HDF5 but not aims
 * output, a newer format_version, a missing or misshapen data set, axes
 * that contradict the attributes. Each must give SIM_EINPUT and one line
 * that starts with the file's path. The damaged files are made by editing
 * a good one through the HDF5 C API, so each test breaks exactly one thing.
 */
#include "run_axes.h"
#include "runfile.h"
#include "runread.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <hdf5.h>

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

/* ---- the per-test directory ------------------------------------------- */

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_runread.XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(runread, .init = setup, .fini = teardown);

static void in_dir(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* ---- the market and its known results ---------------------------------- */

enum { H = 4, ACT = 3, REP = 3, CH = 7 };
enum { NV = RA_NV, NO = RA_NO, NSEG = RA_NSEG, NS = RA_NS, NA = RA_NA };

/* UTF-8 on purpose: a parent cloud's Chinese name (21Vianet). */
#define VIANET "\xe4\xb8\x96\xe7\xba\xaa\xe4\xba\x92\xe8\x81\x94"
static const char *const actor_names[ACT] = {"openai", VIANET,
                                             "gray_resellers"};
static const char *const channel_names[CH] = {
    "none", "waiting", "direct", "onshore", "offshore", "gray", "domestic"};
static const uint64_t SEED = 9007199254740993ULL; /* 2^53 + 1 */
static const char *const SCENARIO_TEXT =
    "scenario = { name = \"rt\"; start = \"2026-03\"; };\n# \xc2\xb5\n";

typedef struct {
    char name[32], start[8], actor_buf[ACT][32];
    char *actors[ACT];
    ra_axes axes;
    mkt_params p;
    ana_run_meta meta;
} market;

static void market_init(market *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "runread test");
    snprintf(m->start, sizeof m->start, "2026-03");
    for (int a = 0; a < ACT; a++) {
        snprintf(m->actor_buf[a], sizeof m->actor_buf[a], "%s",
                 actor_names[a]);
        m->actors[a] = m->actor_buf[a];
    }
    m->p.name = m->name;
    m->p.start = m->start;
    m->p.horizon_months = H;
    m->p.replications = REP;
    m->p.actors = m->actors;
    m->p.n_actors = ACT;
    m->p.final_window_months = 3;
    m->p.frontier_tolerance = 0.75;
    m->p.frontier_tau = 1.25;
    ra_axes_init(&m->axes, &m->p);
    m->meta = (ana_run_meta){.params = &m->p,
                             .scenario_file = "scenarios/rt.cfg",
                             .scenario_text = SCENARIO_TEXT,
                             .seed = SEED,
                             .replications = REP,
                             .aims_version = "0.3.0",
                             .git_commit = "feedc0ffee12"};
}

/* The seven [replication, time] series, in mkt_results order. */
enum { N_RT = 7, K_ADOPTERS = 1, K_GAP = 6 };

static double cc_value(int r, int t, int c)
{
    return 1.5 * (100 * r + 10 * t + c) + 0.25;
}

static double rev_value(int r, int t, int a)
{
    return 1e6 * (r + 1) + 1000.5 * t + 7.25 * a;
}

static double rt_value(int k, int r, int t)
{
    if (k == K_GAP && r == 1 && t == 2)
        return (double)NAN; /* no adopter with access */
    if (k == K_ADOPTERS && r == 2 && t == H - 1)
        return 0.0; /* no adopters at the end: channel shares undefined */
    return 0.001 * k + 10.0 * r + 0.5 * t + 0.0625;
}

static double cum_value(int r, int a)
{
    return 5e8 * (r + 1) + 3.5 * a;
}

static double final_value(int r)
{
    return 0.2385 * (r + 1);
}

static double half_value(int r)
{
    return r == 1 ? (double)NAN : 3.75 + r;
}

static int64_t events_value(int r)
{
    return (INT64_C(1) << 60) + r;
}

static double *rt_member(mkt_results *res, int k)
{
    double *const m[N_RT] = {res->payments,
                             res->adopters,
                             res->frontier_access_share,
                             res->switches,
                             res->detections,
                             res->days_without_access,
                             res->capability_gap};
    return m[k];
}

/* Issue 12's float data sets (one formula, k names the set, i the cell of
 * a replication's row) and the large accounts' holdings. */
enum { N_ND = RA_N_ND };

static double nd_value(int k, int r, size_t i)
{
    if (k == 0 && r == 1 && i == 2)
        return (double)NAN;
    return 100.0 * k + 10.0 * r + 0.25 * (double)i + 0.125;
}

static double *nd_loaded(const ana_run *run, int k)
{
    double *const m[N_ND] = {run->frontier_access_index,
                             run->channel_count_by_sector,
                             run->tokens,
                             run->tokens_by_vendor,
                             run->tokens_by_channel,
                             run->tokens_by_sector,
                             run->final_frontier_access_index,
                             run->final_channel_share,
                             run->compliance_cost};
    return m[k];
}

static int64_t account_value(int r, int t, int a)
{
    return (int64_t)((3 * r + t + a) % (NO + 2)) - 2;
}

static double *rt_loaded(const ana_run *run, int k)
{
    double *const m[N_RT] = {run->payments,
                             run->adopters,
                             run->frontier_access_share,
                             run->switches,
                             run->detections,
                             run->days_without_access,
                             run->capability_gap};
    return m[k];
}

static void fill(mkt_results *res, const mkt_params *p, int r)
{
    sim_err err = {0};
    cr_assert_eq(mkt_results_init(res, p, &err), SIM_OK, "%s", err.msg);
    for (int t = 0; t < H; t++) {
        for (int c = 0; c < CH; c++)
            res->channel_count[t * CH + c] = cc_value(r, t, c);
        for (int a = 0; a < ACT; a++)
            res->revenue[t * ACT + a] = rev_value(r, t, a);
        for (int k = 0; k < N_RT; k++)
            rt_member(res, k)[t] = rt_value(k, r, t);
    }
    for (int a = 0; a < ACT; a++)
        res->cumulative_revenue[a] = cum_value(r, a);
    res->final_frontier_access_share = final_value(r);
    res->months_to_half_access = half_value(r);
    res->events = (uint64_t)events_value(r);
    for (int k = 0; k < N_ND; k++)
        for (size_t i = 0; i < ra_nd_cells(k, H); i++)
            ra_nd_member(res, k)[i] = nd_value(k, r, i);
    for (int t = 0; t < H; t++)
        for (int a = 0; a < NA; a++)
            res->account_option[t * NA + a] = account_value(r, t, a);
}

#define OK(call)                                                               \
    do {                                                                       \
        sim_err err_ = {0};                                                    \
        int rc_ = (call);                                                      \
        cr_assert_eq(rc_, SIM_OK, "%s -> %d: %s", #call, rc_, err_.msg);       \
    } while (0)

/* Writes the hand-built run file at path, with the extra attributes that
 * `aims run --precision` adds. */
static void write_file(const char *path)
{
    market m;
    market_init(&m);
    ana_runfile *f = NULL;
    OK(ana_runfile_new(path, false, &m.meta, &f, &err_));
    static const int order[REP] = {1, 2, 0};
    for (int k = 0; k < REP; k++) {
        mkt_results res;
        fill(&res, &m.p, order[k]);
        OK(ana_runfile_put(f, (uint32_t)order[k], &res, &err_));
        mkt_results_fini(&res);
    }
    OK(ana_runfile_attr_str(f, "precision_metric",
                            "cumulative_revenue:" VIANET, &err_));
    OK(ana_runfile_attr_f64(f, "precision_half_width", 0.0123456789012345,
                            &err_));
    OK(ana_runfile_attr_f64(f, "precision_mean", (double)NAN, &err_));
    OK(ana_runfile_attr_i64(f, "precision_batches", INT64_MIN + 7, &err_));
    OK(ana_runfile_commit(f, &err_));
    ana_runfile_free(f);
}

static bool same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* ---- the round trip ----------------------------------------------------- */

Test(runread, round_trips_every_value_of_the_writer)
{
    char path[128];
    in_dir(path, sizeof path, "rt.h5");
    write_file(path);
    ana_run *run = NULL;
    OK(ana_run_read(path, &run, &err_));
    cr_assert_str_eq(run->path, path);

    /* Root attributes. */
    cr_assert_str_eq(run->format, "aims-run");
    cr_assert_eq(run->format_version, 2);
    cr_assert_eq(run->final_window_months, 3);
    cr_assert(run->frontier_tolerance == 0.75 && run->frontier_tau == 1.25);
    cr_assert_str_eq(run->aims_version, "0.3.0");
    cr_assert_str_eq(run->git_commit, "feedc0ffee12");
    cr_assert_str_eq(run->scenario_file, "scenarios/rt.cfg");
    cr_assert_str_eq(run->scenario_name, "runread test");
    cr_assert_str_eq(run->scenario, SCENARIO_TEXT);
    cr_assert_eq(run->seed, (int64_t)SEED);
    cr_assert_eq(run->replications, REP);
    cr_assert_eq(run->horizon_months, H);
    cr_assert_str_eq(run->start, "2026-03");
    cr_assert_not_null(run->created);
    cr_assert_eq(strlen(run->created), strlen("2026-11-22T10:11:12Z"),
                 "created = %s", run->created);

    /* The extra attributes, and nothing else. */
    cr_assert_eq(run->n_extra, 4);
    const ana_run_attr *x = ana_run_extra(run, "precision_metric");
    cr_assert_not_null(x);
    cr_assert_eq(x->type, ANA_RUN_ATTR_STR);
    cr_assert_str_eq(x->s, "cumulative_revenue:" VIANET);
    x = ana_run_extra(run, "precision_half_width");
    cr_assert_not_null(x);
    cr_assert_eq(x->type, ANA_RUN_ATTR_F64);
    cr_assert(x->f == 0.0123456789012345);
    x = ana_run_extra(run, "precision_mean");
    cr_assert(x != NULL && x->type == ANA_RUN_ATTR_F64 && isnan(x->f));
    x = ana_run_extra(run, "precision_batches");
    cr_assert(x != NULL && x->type == ANA_RUN_ATTR_I64);
    cr_assert_eq(x->i, INT64_MIN + 7);
    cr_assert_null(ana_run_extra(run, "format"));
    cr_assert_null(ana_run_extra(run, "seed"));

    /* Coordinates. */
    cr_assert_eq(run->reps, REP);
    cr_assert_eq(run->months, H);
    cr_assert_eq(run->n_channels, CH);
    cr_assert_eq(run->n_actors, ACT);
    for (int r = 0; r < REP; r++)
        cr_assert_eq(run->replication[r], r);
    for (int t = 0; t < H; t++)
        cr_assert(run->time[t] == t + 1);
    for (int c = 0; c < CH; c++)
        cr_assert_str_eq(run->channels[c], channel_names[c]);
    for (int a = 0; a < ACT; a++)
        cr_assert_str_eq(run->actors[a], actor_names[a]);
    cr_assert_str_eq(run->time_start, "2026-03");
    cr_assert(run->n_vendors == NV && run->n_options == NO &&
              run->n_segments == NSEG && run->n_sectors == NS &&
              run->n_accounts == NA);
    for (int v = 0; v < NV; v++)
        cr_assert_str_eq(run->vendors[v], ra_vendor_names[v]);
    for (int o = 0; o < NO; o++) {
        cr_assert_str_eq(run->options[o], ra_option_names[o]);
        cr_assert_str_eq(run->option_channel[o], ra_option_channels[o]);
        cr_assert_str_eq(run->option_vendor[o], ra_option_vendors[o]);
        cr_assert_str_eq(run->option_intermediary[o], ra_option_inters[o]);
    }
    for (int k = 0; k < NSEG; k++)
        cr_assert_str_eq(run->segments[k], ra_segment_names[k]);
    for (int k = 0; k < NS; k++)
        cr_assert_str_eq(run->sectors[k], ra_sector_names[k]);
    for (int a = 0; a < NA; a++) {
        cr_assert_str_eq(run->accounts[a], ra_account_names[a]);
        cr_assert_str_eq(run->account_sector[a], ra_account_sectors[a]);
    }

    /* Every cell. */
    for (int r = 0; r < REP; r++) {
        for (int t = 0; t < H; t++) {
            for (int c = 0; c < CH; c++)
                cr_assert(same(run->channel_count[(r * H + t) * CH + c],
                               cc_value(r, t, c)),
                          "channel_count[%d][%d][%d]", r, t, c);
            for (int a = 0; a < ACT; a++)
                cr_assert(same(run->revenue[(r * H + t) * ACT + a],
                               rev_value(r, t, a)),
                          "revenue[%d][%d][%d]", r, t, a);
            for (int k = 0; k < N_RT; k++)
                cr_assert(same(rt_loaded(run, k)[r * H + t],
                               rt_value(k, r, t)),
                          "series %d [%d][%d]: %g", k, r, t,
                          rt_loaded(run, k)[r * H + t]);
        }
        for (int a = 0; a < ACT; a++)
            cr_assert(same(run->cumulative_revenue[r * ACT + a],
                           cum_value(r, a)));
        cr_assert(same(run->final_frontier_access_share[r],
                       final_value(r)));
        cr_assert(same(run->months_to_half_access[r], half_value(r)),
                  "months_to_half_access[%d] = %g", r,
                  run->months_to_half_access[r]);
        cr_assert_eq(run->events[r], events_value(r));
    }
    cr_assert(isnan(run->capability_gap[1 * H + 2]));
    cr_assert(isnan(run->months_to_half_access[1]));
    for (int k = 0; k < N_ND; k++)
        for (int r = 0; r < REP; r++)
            for (size_t i = 0; i < ra_nd_cells(k, H); i++)
                cr_assert(same(nd_loaded(run, k)[(size_t)r *
                                                     ra_nd_cells(k, H) + i],
                               nd_value(k, r, i)),
                          "issue-12 set %d [%d][%zu]", k, r, i);
    for (int r = 0; r < REP; r++)
        for (int t = 0; t < H; t++)
            for (int a = 0; a < NA; a++)
                cr_assert_eq(run->account_option[(r * H + t) * NA + a],
                             account_value(r, t, a));

    /* Units (runfile.h) and a one-line description on every object. */
    static const char *const units[ANA_RUN_N_OBJECTS] = {
        [ANA_RUN_TIME] = "months",
        [ANA_RUN_REPLICATION] = "1", /* every numeric data set has units */
        [ANA_RUN_CHANNEL_COUNT] = "firms",
        [ANA_RUN_REVENUE] = "USD per month",
        [ANA_RUN_PAYMENTS] = "USD per month",
        [ANA_RUN_ADOPTERS] = "firms",
        [ANA_RUN_FRONTIER_ACCESS_SHARE] = "1",
        [ANA_RUN_SWITCHES] = "firms per month",
        [ANA_RUN_DETECTIONS] = "firms per month",
        [ANA_RUN_DAYS_WITHOUT_ACCESS] = "firm-days per month",
        [ANA_RUN_CAPABILITY_GAP] = "points",
        [ANA_RUN_CUMULATIVE_REVENUE] = "USD",
        [ANA_RUN_FINAL_FRONTIER_ACCESS_SHARE] = "1",
        [ANA_RUN_MONTHS_TO_HALF_ACCESS] = "months",
        [ANA_RUN_EVENTS] = "events",
        [ANA_RUN_FRONTIER_ACCESS_INDEX] = "1",
        [ANA_RUN_CHANNEL_COUNT_BY_SECTOR] = "firms",
        [ANA_RUN_TOKENS] = "Mtok per month",
        [ANA_RUN_TOKENS_BY_VENDOR] = "Mtok per month",
        [ANA_RUN_TOKENS_BY_CHANNEL] = "Mtok per month",
        [ANA_RUN_TOKENS_BY_SECTOR] = "Mtok per month",
        [ANA_RUN_ACCOUNT_OPTION] = "1",
        [ANA_RUN_FINAL_FRONTIER_ACCESS_INDEX] = "1",
        [ANA_RUN_FINAL_CHANNEL_SHARE] = "1",
        [ANA_RUN_COMPLIANCE_COST] = "USD per month"};
    for (int o = 0; o < ANA_RUN_N_OBJECTS; o++) {
        const ana_run_desc *d = &run->desc[o];
        if (units[o] == NULL)
            cr_assert_null(d->units, "%s has units '%s'",
                           ana_run_object_path(o), d->units);
        else
            cr_assert(d->units && strcmp(d->units, units[o]) == 0,
                      "%s: units '%s', expected '%s'", ana_run_object_path(o),
                      d->units ? d->units : "(none)", units[o]);
        cr_assert(d->long_name && d->long_name[0] &&
                      !strchr(d->long_name, '\n'),
                  "%s: long_name", ana_run_object_path(o));
    }
    ana_run_free(run);
}

Test(runread, object_paths_follow_the_enum)
{
    cr_assert_str_eq(ana_run_object_path(ANA_RUN_TIME), "/time");
    cr_assert_str_eq(ana_run_object_path(ANA_RUN_REVENUE),
                     "/series/revenue");
    cr_assert_str_eq(ana_run_object_path(ANA_RUN_EVENTS), "/summary/events");
    cr_assert_str_eq(ana_run_object_path(ANA_RUN_TOKENS), "/series/tokens");
    cr_assert_str_eq(ana_run_object_path(ANA_RUN_OPTION_INTERMEDIARY),
                     "/options/intermediary");
    cr_assert_null(ana_run_object_path(-1));
    cr_assert_null(ana_run_object_path(ANA_RUN_N_OBJECTS));
}

Test(runread, free_of_null_is_a_no_op)
{
    ana_run_free(NULL);
    ana_run_metrics_free(NULL, 3);
}

/* ---- headline metrics --------------------------------------------------- */

Test(runread, metrics_are_named_ordered_and_computed_from_the_data_sets)
{
    char path[128];
    in_dir(path, sizeof path, "m.h5");
    write_file(path);
    ana_run *run = NULL;
    OK(ana_run_read(path, &run, &err_));
    ana_run_metric *m = NULL;
    size_t n = 0;
    OK(ana_run_metrics(run, &m, &n, &err_));
    /* 2 + 7 channels + 3 actors + 1: the "final" values as the file's
     * summaries hold them (books.c averages them; test_books.c checks). */
    cr_assert_eq(n, 13);
    cr_assert_str_eq(m[0].name, "final_frontier_access_share");
    cr_assert_str_eq(m[0].units, "1");
    cr_assert_str_eq(m[1].name, "final_frontier_access_index");
    cr_assert_str_eq(m[1].units, "1");
    for (int r = 0; r < REP; r++) {
        cr_assert(same(m[0].x[r], final_value(r)));
        cr_assert(same(m[1].x[r], nd_value(6, r, 0)));
    }
    for (int c = 0; c < CH; c++) {
        const ana_run_metric *x = &m[2 + c];
        char want[64];
        snprintf(want, sizeof want, "final_channel_share:%s",
                 channel_names[c]);
        cr_assert_str_eq(x->name, want);
        cr_assert_str_eq(x->units, "1");
        for (int r = 0; r < REP; r++)
            cr_assert(same(x->x[r], nd_value(7, r, (size_t)c)),
                      "%s[%d]: %g", x->name, r, x->x[r]);
    }
    for (int a = 0; a < ACT; a++) {
        const ana_run_metric *x = &m[2 + CH + a];
        char want[64];
        snprintf(want, sizeof want, "cumulative_revenue:%s", actor_names[a]);
        cr_assert_str_eq(x->name, want);
        cr_assert_str_eq(x->units, "USD");
        for (int r = 0; r < REP; r++)
            cr_assert(same(x->x[r], cum_value(r, a)));
    }
    cr_assert_str_eq(m[12].name, "months_to_half_access");
    cr_assert_str_eq(m[12].units, "months");
    for (int r = 0; r < REP; r++)
        cr_assert(same(m[12].x[r], half_value(r)));
    ana_run_metrics_free(m, n);
    ana_run_free(run);
}

/* ---- bad input ------------------------------------------------------------
 */

/* Reading path fails with SIM_EINPUT and one line that starts with the
 * path and contains `phrase`. */
static void refused(const char *path, const char *phrase)
{
    ana_run *run = NULL;
    sim_err err = {0};
    int rc = ana_run_read(path, &run, &err);
    cr_assert_eq(rc, SIM_EINPUT, "rc %d: %s", rc, err.msg);
    cr_assert_null(run);
    char head[256];
    snprintf(head, sizeof head, "%s: ", path);
    cr_assert_eq(strncmp(err.msg, head, strlen(head)), 0,
                 "does not name the file: %s", err.msg);
    cr_assert(strstr(err.msg, phrase), "expected '%s' in: %s", phrase,
              err.msg);
    cr_assert_null(strchr(err.msg, '\n'), "more than one line: %s",
                   err.msg);
}

static void put_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

Test(runread, missing_file)
{
    char path[128];
    in_dir(path, sizeof path, "nothing.h5");
    refused(path, "cannot open: No such file or directory");
}

Test(runread, directory)
{
    refused(dir, "is a directory");
}

Test(runread, empty_file)
{
    char path[128];
    in_dir(path, sizeof path, "empty.h5");
    put_text(path, "");
    refused(path, "not an HDF5 file");
}

Test(runread, text_file)
{
    char path[128];
    in_dir(path, sizeof path, "text.h5");
    put_text(path, "time,value\n1,2\n");
    refused(path, "not an HDF5 file");
}

Test(runread, truncated_file)
{
    char path[128];
    in_dir(path, sizeof path, "cut.h5");
    write_file(path);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(truncate(path, st.st_size / 2), 0);
    refused(path, "damaged or truncated HDF5 file");
}

Test(runread, hdf5_but_not_aims_output)
{
    char path[128];
    in_dir(path, sizeof path, "other.h5");
    hid_t f = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hsize_t dims[1] = {3};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t d = H5Dcreate2(f, "/x", H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                         H5P_DEFAULT, H5P_DEFAULT);
    double v[3] = {1, 2, 3};
    cr_assert_geq(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                           H5P_DEFAULT, v),
                  0);
    H5Dclose(d);
    H5Sclose(sp);
    H5Fclose(f);
    refused(path, "not aims output");
}

/* ---- a good file with one thing broken ---------------------------------- */

static hid_t open_rw(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0, "H5Fopen %s", path);
    return f;
}

static void set_attr_i64(hid_t obj, const char *name, int64_t v)
{
    if (H5Aexists(obj, name) > 0)
        cr_assert_geq(H5Adelete(obj, name), 0);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_STD_I64LE, sp, H5P_DEFAULT,
                         H5P_DEFAULT);
    cr_assert_geq(a, 0);
    cr_assert_geq(H5Awrite(a, H5T_NATIVE_INT64, &v), 0);
    H5Aclose(a);
    H5Sclose(sp);
}

/* A fixed-length string attribute (what h5py writes for numpy bytes). */
static void set_attr_fixed_str(hid_t obj, const char *name, const char *v)
{
    if (H5Aexists(obj, name) > 0)
        cr_assert_geq(H5Adelete(obj, name), 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(v));
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(a, 0);
    cr_assert_geq(H5Awrite(a, t, v), 0);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
}

/* Replaces data set obj by a float64 one of the given shape. */
static void replace_dset(hid_t f, const char *obj, int rank,
                         const hsize_t *dims, hid_t type)
{
    cr_assert_geq(H5Ldelete(f, obj, H5P_DEFAULT), 0);
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t d = H5Dcreate2(f, obj, type, sp, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
    cr_assert_geq(d, 0);
    H5Dclose(d);
    H5Sclose(sp);
}

/* A good file at DIR/name, opened read-write for breaking. */
static hid_t good_file(char *path, size_t n, const char *name)
{
    in_dir(path, n, name);
    write_file(path);
    return open_rw(path);
}

Test(runread, no_format_attribute)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "nofmt.h5");
    cr_assert_geq(H5Adelete(f, "format"), 0);
    H5Fclose(f);
    refused(path, "not aims output (HDF5, but no 'format' attribute");
}

Test(runread, another_format)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "sweep.h5");
    set_attr_fixed_str(f, "format", "aims-sweep");
    H5Fclose(f);
    refused(path, "format = \"aims-sweep\", expected \"aims-run\"");
}

Test(runread, newer_format_version)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "v3.h5");
    set_attr_i64(f, "format_version", 3);
    H5Fclose(f);
    refused(path, "format_version 3, this aims reads 2 (a newer aims wrote "
                  "it?)");
}

Test(runread, format_version_1_is_refused_with_what_to_do)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "v1.h5");
    set_attr_i64(f, "format_version", 1);
    H5Fclose(f);
    refused(path, "format_version 1, written by an older aims (no tokens, "
                  "segments or large accounts; final metrics of the last "
                  "month only); this aims reads format_version 2: run the "
                  "scenario again");
}

Test(runread, a_file_the_older_writer_wrote_is_refused)
{
    /* The fuzzer's seed, written by aims before format 2. */
    refused(AIMS_SOURCE_DIR "/tests/fuzz/h5read/run.h5",
            "format_version 1, written by an older aims");
}

Test(runread, missing_issue_12_objects_are_damaged_files)
{
    static const char *const gone[] = {"/series/tokens", "/option",
                                       "/accounts/sector",
                                       "/series/account_option"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        char path[128], name[32], want[96];
        snprintf(name, sizeof name, "gone%zu.h5", i);
        hid_t f = good_file(path, sizeof path, name);
        cr_assert_geq(H5Ldelete(f, gone[i], H5P_DEFAULT), 0);
        H5Fclose(f);
        snprintf(want, sizeof want, "no %s data set", gone[i]);
        refused(path, want);
    }
}

Test(runread, a_table_shorter_than_its_axis_is_refused)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "table.h5");
    hsize_t dims[1] = {NO - 1};
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    replace_dset(f, "/options/vendor", 1, dims, t);
    H5Tclose(t);
    H5Fclose(f);
    refused(path, "/options/vendor");
}

Test(runread, a_window_longer_than_the_horizon_is_refused)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "window.h5");
    set_attr_i64(f, "final_window_months", H + 1);
    H5Fclose(f);
    refused(path, "'final_window_months' is 5, expected 1 .. 4");
}

Test(runread, missing_seed)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "noseed.h5");
    cr_assert_geq(H5Adelete(f, "seed"), 0);
    H5Fclose(f);
    refused(path, "no 'seed' attribute");
}

Test(runread, seed_that_is_not_an_integer)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "strseed.h5");
    set_attr_fixed_str(f, "seed", "42");
    H5Fclose(f);
    refused(path, "attribute 'seed': expected an integer");
}

Test(runread, missing_data_set)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "noevents.h5");
    cr_assert_geq(H5Ldelete(f, "/summary/events", H5P_DEFAULT), 0);
    H5Fclose(f);
    refused(path, "no /summary/events data set");
}

Test(runread, missing_group)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "noseries.h5");
    cr_assert_geq(H5Ldelete(f, "/series", H5P_DEFAULT), 0);
    H5Fclose(f);
    refused(path, "no /series/channel_count data set");
}

Test(runread, misshapen_data_set)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "shape.h5");
    hsize_t dims[3] = {REP, H - 1, ACT};
    replace_dset(f, "/series/revenue", 3, dims, H5T_IEEE_F64LE);
    H5Fclose(f);
    refused(path, "/series/revenue: expected [replication, time, actor] = "
                  "[3, 4, 3], got [3, 3, 3]");
}

Test(runread, data_set_of_the_wrong_rank)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "rank.h5");
    hsize_t dims[2] = {REP, 1};
    replace_dset(f, "/summary/final_frontier_access_share", 2, dims,
                 H5T_IEEE_F64LE);
    H5Fclose(f);
    refused(path, "/summary/final_frontier_access_share: expected "
                  "[replication] = [3], got [3, 1]");
}

Test(runread, strings_where_numbers_belong)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "strings.h5");
    hsize_t dims[1] = {REP};
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 8);
    replace_dset(f, "/summary/months_to_half_access", 1, dims, t);
    H5Tclose(t);
    H5Fclose(f);
    refused(path, "/summary/months_to_half_access: expected numeric values");
}

Test(runread, axis_that_contradicts_the_attribute)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "reps.h5");
    set_attr_i64(f, "replications", 4);
    H5Fclose(f);
    refused(path, "/replication holds 3 replications, the 'replications' "
                  "attribute says 4");
}

Test(runread, horizon_that_contradicts_the_time_axis)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "horizon.h5");
    set_attr_i64(f, "horizon_months", 60);
    H5Fclose(f);
    refused(path, "/time holds 4 months, the 'horizon_months' attribute "
                  "says 60");
}

/* ---- what a reader must tolerate ---------------------------------------- */

Test(runread, fixed_length_strings_and_unknown_attributes_are_read)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "h5py.h5");
    /* h5py writes numpy bytes as fixed-length strings. */
    set_attr_fixed_str(f, "scenario_name", "edited by h5py");
    set_attr_fixed_str(f, "note", "fixed");
    /* An array attribute and a compound one: not ours, ignored. */
    hsize_t dims[1] = {3};
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t a = H5Acreate2(f, "array", H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                         H5P_DEFAULT);
    double v[3] = {1, 2, 3};
    cr_assert_geq(H5Awrite(a, H5T_NATIVE_DOUBLE, v), 0);
    H5Aclose(a);
    H5Sclose(sp);
    hid_t ct = H5Tcreate(H5T_COMPOUND, 16);
    H5Tinsert(ct, "a", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(ct, "b", 8, H5T_NATIVE_DOUBLE);
    sp = H5Screate(H5S_SCALAR);
    a = H5Acreate2(f, "compound", ct, sp, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(H5Awrite(a, ct, v), 0);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(ct);
    H5Fclose(f);
    ana_run *run = NULL;
    OK(ana_run_read(path, &run, &err_));
    cr_assert_str_eq(run->scenario_name, "edited by h5py");
    const ana_run_attr *x = ana_run_extra(run, "note");
    cr_assert(x != NULL && x->type == ANA_RUN_ATTR_STR);
    cr_assert_str_eq(x->s, "fixed");
    cr_assert_null(ana_run_extra(run, "array"));
    cr_assert_null(ana_run_extra(run, "compound"));
    cr_assert_eq(run->n_extra, 5); /* four of --precision's and note */
    ana_run_free(run);
}

Test(runread, missing_optional_strings_are_null)
{
    char path[128];
    hid_t f = good_file(path, sizeof path, "nocreated.h5");
    cr_assert_geq(H5Adelete(f, "created"), 0);
    cr_assert_geq(H5Adelete(f, "git_commit"), 0);
    H5Fclose(f);
    ana_run *run = NULL;
    OK(ana_run_read(path, &run, &err_));
    cr_assert_null(run->created);
    cr_assert_null(run->git_commit);
    cr_assert_str_eq(run->aims_version, "0.3.0");
    ana_run_free(run);
}
