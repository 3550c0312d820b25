/* test_runfile.c -- the HDF5 file of `aims run` (analysis/runfile.c).
 *
 * A hand-built market (horizon 5, 3 actors, 3 replications; 2 vendors, 3
 * options, 2 sectors, 3 large accounts) with a known,
 * distinct value in every cell is written, with the replications put out of
 * order, and read back through the HDF5 C API, not through the writer, so a
 * writer that agrees with itself but not with the layout in runfile.h still
 * fails: every value, every axis length, every scale attachment, every
 * attribute. Then the refusals: a replication never put, an existing target,
 * wrong arguments to put and to new, each with its message and with nothing
 * left in the directory.
 *
 * The h5py/xarray test runs tests/py/check_runfile.py with Debian's
 * /usr/bin/python3 (the pyenv python3 on PATH has no h5py, see
 * recipes/toolchain.md section 6) and skips itself when h5py is missing; the
 * script checks what docs/output.md tells users to type, including its
 * example of a mean with a 95% interval.
 *
 * Every test works in its own mkdtemp directory under /tmp, made by the
 * suite's init and removed by its fini (run even after a failed assertion).
 */
#include "runfile.h"
#include "run_axes.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <hdf5.h>
#include <hdf5_hl.h>

/* The Makefile passes the source tree, where tests/py/ lives. */
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

/* ---- the per-test directory ------------------------------------------- */

static char dir[64];

static void rm_flat(const char *d)
{
    DIR *dp = opendir(d);
    if (dp == NULL)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(dp)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", d, e->d_name);
        unlink(p);
    }
    closedir(dp);
    rmdir(d);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_runfile.XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void teardown(void)
{
    rm_flat(dir);
}

TestSuite(runfile, .init = setup, .fini = teardown);

static void in_dir(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* The number of entries in the test directory other than `keep`. */
static int others_in_dir(const char *keep)
{
    DIR *dp = opendir(dir);
    cr_assert_not_null(dp);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            (keep == NULL || strcmp(e->d_name, keep) != 0))
            n++;
    closedir(dp);
    return n;
}

static bool exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static void put_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static void get_file(const char *p, char *buf, size_t n)
{
    FILE *f = fopen(p, "r");
    cr_assert_not_null(f, "%s: %s", p, strerror(errno));
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = '\0';
    fclose(f);
}

/* ---- the market and its known results ---------------------------------- */

enum { H = 5, ACT = 3, REP = 3, CH = 7 };
/* Issue 12's axes: 2 vendors (openai us, qwen cn), 3 options (direct
 * openai, onshore openai via azure_cn, domestic qwen), 2 segments, 2
 * sectors, 3 large accounts (two in the first sector). */
enum {
    NV = RA_NV,
    NO = RA_NO,
    NSEG = RA_NSEG,
    NS = RA_NS,
    NA = RA_NA,
    WINDOW = 2
};

/* UTF-8 on purpose: 21Vianet's Chinese name, as a parent cloud could be. */
#define VIANET "\xe4\xb8\x96\xe7\xba\xaa\xe4\xba\x92\xe8\x81\x94"
static const char *const actor_names[ACT] = {"openai", VIANET,
                                             "gray_resellers"};
static const char *const channel_names[CH] = {
    "none", "waiting", "direct", "onshore", "offshore", "gray", "domestic"};


/* mkt_params holds char *, so the strings live in writable arrays here. */
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
    snprintf(m->name, sizeof m->name, "runfile test");
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
    m->p.final_window_months = WINDOW;
    m->p.frontier_tolerance = 1.5;
    m->p.frontier_tau = 2.5;
    ra_axes_init(&m->axes, &m->p);
    m->meta = (ana_run_meta){.params = &m->p,
                             .scenario_file = "scenarios/test.cfg",
                             .scenario_text = "scenario = { name = \"x\"; };",
                             .seed = 9007199254740993ULL, /* 2^53 + 1 */
                             .replications = REP,
                             .aims_version = "0.3.0",
                             .git_commit = "0123abc"};
}

/* The seven [replication, time] series, in the file's order. */
static const char *const rt_series[] = {
    "payments", "adopters", "frontier_access_share", "switches",
    "detections", "days_without_access", "capability_gap"};
enum { N_RT = sizeof rt_series / sizeof rt_series[0] };

/* Distinct, high-entropy values: every cell says where it came from, so a
 * transposed axis or a row written to the wrong replication shows. Month t
 * is 0-based here (the file's time coordinate is t + 1). */
static double cc_value(int r, int t, int c)
{
    return 2.385 * (1000 * r + 100 * t + c) + 0.125;
}

static double rev_value(int r, int t, int a)
{
    return 1e6 * (r + 1) + 1000.5 * t + 7.25 * a;
}

static double rt_value(int k, int r, int t)
{
    if (k == N_RT - 1 && r == 1 && t == 2)
        return (double)NAN; /* capability_gap: no adopter with access */
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
    return r == 1 ? (double)NAN : 3.75 + r; /* NaN: never halved */
}

static int64_t events_value(int r)
{
    return (INT64_C(1) << 60) + r; /* needs all 64 bits */
}

/* Issue 12's float data sets: one formula for all, k naming the set and i
 * the cell within a replication's row. */
static const char *const nd_series[] = {
    "/series/frontier_access_index",  "/series/channel_count_by_sector",
    "/series/tokens",                 "/series/tokens_by_vendor",
    "/series/tokens_by_channel",      "/series/tokens_by_sector",
    "/summary/final_frontier_access_index",
    "/summary/final_channel_share",   "/series/compliance_cost"};
enum { N_ND = sizeof nd_series / sizeof nd_series[0] };
_Static_assert((int)N_ND == (int)RA_N_ND, "one path per issue-12 output");

static double nd_value(int k, int r, size_t i)
{
    if (k == 0 && r == 2 && i == 4)
        return (double)NAN; /* the index with no adopters */
    return 100.0 * k + 10.0 * r + 0.25 * (double)i + 0.5;
}

/* What large account a holds at the end of month t (0-based): every value
 * an option index or a state can take, in turn. */
static int64_t account_value(int r, int t, int a)
{
    return (int64_t)((r + 2 * t + a) % (NO + 2)) - 2;
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

/* Puts every replication, in the order 2, 0, 1 (they finish in any order). */
static void put_all(ana_runfile *f, const mkt_params *p)
{
    static const int order[REP] = {2, 0, 1};
    for (int k = 0; k < REP; k++) {
        mkt_results res;
        fill(&res, p, order[k]);
        OK(ana_runfile_put(f, (uint32_t)order[k], &res, &err_));
        mkt_results_fini(&res);
    }
}

static void write_file(const char *path, bool force)
{
    market m;
    market_init(&m);
    ana_runfile *f = NULL;
    OK(ana_runfile_new(path, force, &m.meta, &f, &err_));
    put_all(f, &m.p);
    OK(ana_runfile_commit(f, &err_));
    ana_runfile_free(f);
}

/* ---- reading back with the C API --------------------------------------- */

static hid_t open_file(const char *path)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(file, 0, "H5Fopen %s", path);
    return file;
}

/* Reads a whole data set of `rank` axes with lengths `want` into a new
 * buffer (caller frees) of native type `type`. */
static void *read_all(hid_t file, const char *obj, int rank,
                      const hsize_t *want, hid_t type)
{
    hid_t d = H5Dopen2(file, obj, H5P_DEFAULT);
    cr_assert_geq(d, 0, "no data set %s", obj);
    hid_t sp = H5Dget_space(d);
    hsize_t got[8];
    cr_assert_eq(H5Sget_simple_extent_ndims(sp), rank, "%s: rank", obj);
    H5Sget_simple_extent_dims(sp, got, NULL);
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        cr_assert_eq(got[i], want[i], "%s: axis %d has %llu, expected %llu",
                     obj, i, (unsigned long long)got[i],
                     (unsigned long long)want[i]);
        n *= (size_t)got[i];
    }
    void *buf = malloc((n ? n : 1) * 8);
    cr_assert_not_null(buf);
    cr_assert_geq(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0,
                  "%s: H5Dread", obj);
    H5Sclose(sp);
    H5Dclose(d);
    return buf;
}

static void attr_str(hid_t obj, const char *name, char *buf, size_t n)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    cr_assert_geq(a, 0, "no attribute %s", name);
    hid_t ft = H5Aget_type(a);
    cr_assert_eq(H5Tget_class(ft), H5T_STRING, "%s: not a string", name);
    cr_assert(H5Tis_variable_str(ft) > 0, "%s: fixed-length", name);
    cr_assert_eq(H5Tget_cset(ft), H5T_CSET_UTF8, "%s: not UTF-8", name);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    char *s = NULL;
    cr_assert_geq(H5Aread(a, mt, &s), 0, "%s: H5Aread", name);
    snprintf(buf, n, "%s", s);
    H5free_memory(s);
    H5Tclose(mt);
    H5Tclose(ft);
    H5Aclose(a);
}

static int64_t attr_i64(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    cr_assert_geq(a, 0, "no attribute %s", name);
    hid_t ft = H5Aget_type(a);
    cr_assert_eq(H5Tget_class(ft), H5T_INTEGER, "%s: not an integer", name);
    cr_assert_eq(H5Tget_size(ft), 8u, "%s: not 64-bit", name);
    int64_t v = 0;
    cr_assert_geq(H5Aread(a, H5T_NATIVE_INT64, &v), 0, "%s", name);
    H5Tclose(ft);
    H5Aclose(a);
    return v;
}

static void expect_attr_str(hid_t obj, const char *name, const char *want)
{
    char got[512];
    attr_str(obj, name, got, sizeof got);
    cr_assert_str_eq(got, want, "attribute %s", name);
}

/* Both NaN, or equal. The values are exact binary fractions or products
 * computed the same way on both sides, so equality is the right test. */
static void expect_f64(double got, double want, const char *what, int i)
{
    if (isnan(want))
        cr_assert(isnan(got), "%s[%d]: %g, expected NaN", what, i, got);
    else
        cr_assert(got == want, "%s[%d]: %.17g, expected %.17g", what, i, got,
                  want);
}

/* Strings of a 1-D variable-length string data set (the scales). */
static void read_names(hid_t file, const char *obj, size_t n,
                       const char *const *want)
{
    hsize_t len = n;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    char **s = read_all(file, obj, 1, &len, mt);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(s[i], want[i], "%s[%zu]", obj, i);
    hid_t d = H5Dopen2(file, obj, H5P_DEFAULT);
    hid_t sp = H5Dget_space(d);
    H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, s);
    H5Sclose(sp);
    H5Dclose(d);
    H5Tclose(mt);
    free(s);
}

/* The axes of every data set in runfile.h, as scale paths. */
typedef struct {
    const char *path;
    int rank;
    const char *scales[5];
    const char *units;
} layout_entry;

static const layout_entry layout[] = {
    {"/series/channel_count", 3, {"/replication", "/time", "/channel"},
     "firms"},
    {"/series/revenue", 3, {"/replication", "/time", "/actor"},
     "USD per month"},
    {"/series/payments", 2, {"/replication", "/time"}, "USD per month"},
    {"/series/adopters", 2, {"/replication", "/time"}, "firms"},
    {"/series/frontier_access_share", 2, {"/replication", "/time"}, "1"},
    {"/series/switches", 2, {"/replication", "/time"}, "firms per month"},
    {"/series/detections", 2, {"/replication", "/time"}, "firms per month"},
    {"/series/days_without_access", 2, {"/replication", "/time"},
     "firm-days per month"},
    {"/series/capability_gap", 2, {"/replication", "/time"}, "points"},
    {"/summary/cumulative_revenue", 2, {"/replication", "/actor"}, "USD"},
    {"/summary/final_frontier_access_share", 1, {"/replication"}, "1"},
    {"/summary/months_to_half_access", 1, {"/replication"}, "months"},
    {"/summary/events", 1, {"/replication"}, "events"},
    {"/series/frontier_access_index", 2, {"/replication", "/time"}, "1"},
    {"/series/channel_count_by_sector", 5,
     {"/replication", "/time", "/segment", "/sector", "/channel"}, "firms"},
    {"/series/tokens", 5,
     {"/replication", "/time", "/option", "/segment", "/sector"},
     "Mtok per month"},
    {"/series/tokens_by_vendor", 3, {"/replication", "/time", "/vendor"},
     "Mtok per month"},
    {"/series/tokens_by_channel", 3, {"/replication", "/time", "/channel"},
     "Mtok per month"},
    {"/series/tokens_by_sector", 4,
     {"/replication", "/time", "/segment", "/sector"}, "Mtok per month"},
    {"/series/account_option", 3, {"/replication", "/time", "/account"},
     "1"},
    {"/summary/final_frontier_access_index", 1, {"/replication"}, "1"},
    {"/summary/final_channel_share", 2, {"/replication", "/channel"}, "1"},
    {"/series/compliance_cost", 3, {"/replication", "/time", "/actor"},
     "USD per month"},
};
enum { N_LAYOUT = sizeof layout / sizeof layout[0] };

static size_t scale_len(const char *scale)
{
    static const struct {
        const char *scale;
        size_t n;
    } lens[] = {{"/replication", REP}, {"/time", H},    {"/channel", CH},
                {"/actor", ACT},       {"/vendor", NV}, {"/option", NO},
                {"/segment", NSEG},    {"/sector", NS}, {"/account", NA}};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        if (strcmp(scale, lens[i].scale) == 0)
            return lens[i].n;
    cr_assert(false, "unknown scale %s", scale);
    return 0;
}

static void dims_of(const layout_entry *e, hsize_t *dims)
{
    for (int i = 0; i < e->rank; i++)
        dims[i] = scale_len(e->scales[i]);
}

/* ---- the layout, read back --------------------------------------------- */

Test(runfile, every_value_reads_back_where_the_layout_says)
{
    char path[128];
    in_dir(path, sizeof path, "run.h5");
    write_file(path, false);
    hid_t file = open_file(path);

    hsize_t d[3] = {REP, H, CH};
    double *cc = read_all(file, "/series/channel_count", 3, d,
                          H5T_NATIVE_DOUBLE);
    for (int r = 0; r < REP; r++)
        for (int t = 0; t < H; t++)
            for (int c = 0; c < CH; c++) {
                int i = (r * H + t) * CH + c;
                expect_f64(cc[i], cc_value(r, t, c), "channel_count", i);
            }
    free(cc);

    d[2] = ACT;
    double *rev = read_all(file, "/series/revenue", 3, d, H5T_NATIVE_DOUBLE);
    for (int r = 0; r < REP; r++)
        for (int t = 0; t < H; t++)
            for (int a = 0; a < ACT; a++) {
                int i = (r * H + t) * ACT + a;
                expect_f64(rev[i], rev_value(r, t, a), "revenue", i);
            }
    free(rev);

    for (int k = 0; k < N_RT; k++) {
        char obj[64];
        snprintf(obj, sizeof obj, "/series/%s", rt_series[k]);
        double *x = read_all(file, obj, 2, d, H5T_NATIVE_DOUBLE);
        for (int r = 0; r < REP; r++)
            for (int t = 0; t < H; t++)
                expect_f64(x[r * H + t], rt_value(k, r, t), obj, r * H + t);
        free(x);
    }

    hsize_t ra[2] = {REP, ACT};
    double *cum = read_all(file, "/summary/cumulative_revenue", 2, ra,
                           H5T_NATIVE_DOUBLE);
    for (int r = 0; r < REP; r++)
        for (int a = 0; a < ACT; a++)
            expect_f64(cum[r * ACT + a], cum_value(r, a), "cumulative_revenue",
                       r * ACT + a);
    free(cum);

    hsize_t nr = REP;
    double *fin = read_all(file, "/summary/final_frontier_access_share", 1,
                           &nr, H5T_NATIVE_DOUBLE);
    double *half = read_all(file, "/summary/months_to_half_access", 1, &nr,
                            H5T_NATIVE_DOUBLE);
    int64_t *ev = read_all(file, "/summary/events", 1, &nr, H5T_NATIVE_INT64);
    for (int r = 0; r < REP; r++) {
        expect_f64(fin[r], final_value(r), "final_frontier_access_share", r);
        expect_f64(half[r], half_value(r), "months_to_half_access", r);
        cr_assert_eq(ev[r], events_value(r), "events[%d]: %lld", r,
                     (long long)ev[r]);
    }
    free(fin);
    free(half);
    free(ev);

    /* Issue 12's data sets, each with the shape the layout table gives. */
    for (int k = 0; k < N_ND; k++) {
        const layout_entry *e = NULL;
        for (size_t j = 0; j < N_LAYOUT; j++)
            if (strcmp(layout[j].path, nd_series[k]) == 0)
                e = &layout[j];
        cr_assert_not_null(e, "%s is not in the layout table", nd_series[k]);
        hsize_t dims[5];
        dims_of(e, dims);
        double *x = read_all(file, e->path, e->rank, dims, H5T_NATIVE_DOUBLE);
        for (int r = 0; r < REP; r++)
            for (size_t i = 0; i < ra_nd_cells(k, H); i++)
                expect_f64(x[(size_t)r * ra_nd_cells(k, H) + i],
                           nd_value(k, r, i), e->path, (int)i);
        free(x);
    }
    hsize_t da[3] = {REP, H, NA};
    int64_t *acc = read_all(file, "/series/account_option", 3, da,
                            H5T_NATIVE_INT64);
    for (int r = 0; r < REP; r++)
        for (int t = 0; t < H; t++)
            for (int a = 0; a < NA; a++)
                cr_assert_eq(acc[(r * H + t) * NA + a],
                             account_value(r, t, a),
                             "account_option[%d][%d][%d]", r, t, a);
    free(acc);
    H5Fclose(file);
}

Test(runfile, events_is_stored_as_int64)
{
    char path[128];
    in_dir(path, sizeof path, "run.h5");
    write_file(path, false);
    hid_t file = open_file(path);
    hid_t d = H5Dopen2(file, "/summary/events", H5P_DEFAULT);
    hid_t t = H5Dget_type(d);
    cr_assert_eq(H5Tget_class(t), H5T_INTEGER);
    cr_assert_eq(H5Tget_size(t), 8u);
    cr_assert_eq(H5Tget_sign(t), H5T_SGN_2);
    H5Tclose(t);
    H5Dclose(d);
    d = H5Dopen2(file, "/series/revenue", H5P_DEFAULT);
    t = H5Dget_type(d);
    cr_assert(H5Tequal(t, H5T_IEEE_F64LE) > 0, "revenue is not float64");
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(file);
}

Test(runfile, scales_have_the_right_values_and_attributes)
{
    char path[128];
    in_dir(path, sizeof path, "run.h5");
    write_file(path, false);
    hid_t file = open_file(path);

    hsize_t n = H;
    double *t = read_all(file, "/time", 1, &n, H5T_NATIVE_DOUBLE);
    for (int i = 0; i < H; i++)
        expect_f64(t[i], i + 1.0, "/time", i); /* month ends 1 .. H */
    free(t);
    n = REP;
    int64_t *r = read_all(file, "/replication", 1, &n, H5T_NATIVE_INT64);
    for (int i = 0; i < REP; i++)
        cr_assert_eq(r[i], i, "/replication[%d]", i);
    free(r);
    read_names(file, "/channel", CH, channel_names);
    read_names(file, "/actor", ACT, actor_names);
    read_names(file, "/vendor", NV, ra_vendor_names);
    read_names(file, "/option", NO, ra_option_names);
    read_names(file, "/segment", NSEG, ra_segment_names);
    read_names(file, "/sector", NS, ra_sector_names);
    read_names(file, "/account", NA, ra_account_names);
    read_names(file, "/options/channel", NO, ra_option_channels);
    read_names(file, "/options/vendor", NO, ra_option_vendors);
    read_names(file, "/options/intermediary", NO, ra_option_inters);
    read_names(file, "/accounts/sector", NA, ra_account_sectors);
    hid_t tab = H5Dopen2(file, "/options/vendor", H5P_DEFAULT);
    hid_t opt = H5Dopen2(file, "/option", H5P_DEFAULT);
    cr_assert_gt(H5DSis_attached(tab, opt, 0), 0,
                 "/options/vendor is not along /option");
    H5Dclose(opt);
    H5Dclose(tab);
    hid_t ao = H5Dopen2(file, "/series/account_option", H5P_DEFAULT);
    /* CF: flag_values are numbers of the data set's type, not text. */
    hid_t fv = H5Aopen(ao, "flag_values", H5P_DEFAULT);
    cr_assert_geq(fv, 0, "account_option has no flag_values");
    hid_t ft = H5Aget_type(fv), fs = H5Aget_space(fv);
    cr_assert_eq(H5Tget_class(ft), H5T_INTEGER, "flag_values not integers");
    cr_assert_eq(H5Tget_size(ft), 8, "flag_values not int64");
    cr_assert_eq(H5Sget_simple_extent_npoints(fs), 2);
    int64_t flags[2] = {0, 0};
    cr_assert_geq(H5Aread(fv, H5T_NATIVE_INT64, flags), 0);
    cr_expect_eq(flags[0], -1);
    cr_expect_eq(flags[1], -2);
    H5Sclose(fs);
    H5Tclose(ft);
    H5Aclose(fv);
    expect_attr_str(ao, "flag_meanings", "waiting none");
    H5Dclose(ao);

    static const char *const scales[] = {
        "/time",   "/replication", "/channel", "/actor", "/vendor",
        "/option", "/segment",     "/sector",  "/account"};
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
        hid_t s = H5Dopen2(file, scales[i], H5P_DEFAULT);
        cr_assert_gt(H5DSis_scale(s), 0, "%s is not a dimension scale",
                     scales[i]);
        char name[32];
        cr_assert_gt(H5DSget_scale_name(s, name, sizeof name), 0);
        cr_assert_str_eq(name, scales[i] + 1); /* xarray's dimension name */
        char ln[128];
        attr_str(s, "long_name", ln, sizeof ln);
        cr_assert_gt(strlen(ln), 5u, "%s: long_name", scales[i]);
        H5Dclose(s);
    }
    hid_t s = H5Dopen2(file, "/time", H5P_DEFAULT);
    expect_attr_str(s, "units", "months");
    expect_attr_str(s, "start", "2026-03");
    H5Dclose(s);
    H5Fclose(file);
}

Test(runfile, every_data_set_has_its_axes_units_and_long_name)
{
    char path[128];
    in_dir(path, sizeof path, "run.h5");
    write_file(path, false);
    hid_t file = open_file(path);
    for (size_t k = 0; k < N_LAYOUT; k++) {
        const layout_entry *e = &layout[k];
        hid_t d = H5Dopen2(file, e->path, H5P_DEFAULT);
        cr_assert_geq(d, 0, "no data set %s", e->path);
        hid_t sp = H5Dget_space(d);
        hsize_t got[5], want[5];
        dims_of(e, want);
        cr_assert_eq(H5Sget_simple_extent_ndims(sp), e->rank, "%s", e->path);
        H5Sget_simple_extent_dims(sp, got, NULL);
        for (int i = 0; i < e->rank; i++) {
            cr_assert_eq(got[i], want[i], "%s: axis %d", e->path, i);
            hid_t sc = H5Dopen2(file, e->scales[i], H5P_DEFAULT);
            cr_assert_gt(H5DSis_attached(d, sc, (unsigned)i), 0,
                         "%s: axis %d not attached to %s", e->path, i,
                         e->scales[i]);
            cr_assert_eq(H5DSget_num_scales(d, (unsigned)i), 1,
                         "%s: axis %d", e->path, i);
            H5Dclose(sc);
        }
        expect_attr_str(d, "units", e->units);
        char ln[512];
        attr_str(d, "long_name", ln, sizeof ln);
        cr_assert_gt(strlen(ln), 10u, "%s: long_name '%s'", e->path, ln);
        cr_assert_null(strchr(ln, '\n'), "%s: long_name is one line", e->path);
        H5Sclose(sp);
        H5Dclose(d);
    }
    /* Nothing else: a data set added to runfile.c must be added to the
     * layout (runfile.h, docs/output.md) and to this table. */
    H5G_info_t gi;
    H5Gget_info_by_name(file, "/series", &gi, H5P_DEFAULT);
    cr_assert_eq(gi.nlinks, 17u, "/series holds %llu objects",
                 (unsigned long long)gi.nlinks);
    H5Gget_info_by_name(file, "/summary", &gi, H5P_DEFAULT);
    cr_assert_eq(gi.nlinks, 6u, "/summary holds %llu objects",
                 (unsigned long long)gi.nlinks);
    H5Gget_info_by_name(file, "/options", &gi, H5P_DEFAULT);
    cr_assert_eq(gi.nlinks, 3u, "/options holds %llu objects",
                 (unsigned long long)gi.nlinks);
    H5Gget_info_by_name(file, "/accounts", &gi, H5P_DEFAULT);
    cr_assert_eq(gi.nlinks, 1u, "/accounts holds %llu objects",
                 (unsigned long long)gi.nlinks);
    /* 9 coordinates, 4 groups */
    H5Gget_info_by_name(file, "/", &gi, H5P_DEFAULT);
    /* The thirteen above and /agents (analysis/runfile_agents.h, checked by
     * tests/test_agents.c). */
    cr_assert_eq(gi.nlinks, 14u, "/ holds %llu objects",
                 (unsigned long long)gi.nlinks);
    H5Fclose(file);
}

Test(runfile, root_attributes_carry_the_provenance)
{
    char path[128], before[32], after[32], created[64];
    in_dir(path, sizeof path, "run.h5");
    time_t t0 = time(NULL);
    struct tm tm;
    strftime(before, sizeof before, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t0, &tm));
    write_file(path, false);
    time_t t1 = time(NULL);
    strftime(after, sizeof after, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t1, &tm));

    hid_t file = open_file(path);
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    expect_attr_str(root, "format", "aims-run");
    cr_assert_eq(attr_i64(root, "format_version"), 2);
    cr_assert_eq(attr_i64(root, "final_window_months"), WINDOW);
    double tol = 0, tau = 0;
    hid_t a = H5Aopen(root, "frontier_tolerance", H5P_DEFAULT);
    cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &tol), 0);
    H5Aclose(a);
    a = H5Aopen(root, "frontier_tau", H5P_DEFAULT);
    cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &tau), 0);
    H5Aclose(a);
    cr_assert(tol == 1.5 && tau == 2.5, "tolerance %g, tau %g", tol, tau);
    expect_attr_str(root, "aims_version", "0.3.0");
    expect_attr_str(root, "git_commit", "0123abc");
    expect_attr_str(root, "scenario", "scenario = { name = \"x\"; };");
    expect_attr_str(root, "scenario_file", "scenarios/test.cfg");
    expect_attr_str(root, "scenario_name", "runfile test");
    cr_assert_eq(attr_i64(root, "seed"), INT64_C(9007199254740993));
    cr_assert_eq(attr_i64(root, "replications"), REP);
    cr_assert_eq(attr_i64(root, "horizon_months"), H);
    expect_attr_str(root, "start", "2026-03");
    attr_str(root, "created", created, sizeof created);
    /* ISO 8601 in UTC, to the second, taken while the file was made; the
     * fixed-width form sorts as text, so strcmp compares the times. */
    cr_assert_eq(strlen(created), 20u, "created: %s", created);
    cr_assert(created[10] == 'T' && created[19] == 'Z', "created: %s",
              created);
    cr_assert(strcmp(before, created) <= 0 && strcmp(created, after) <= 0,
              "created %s not in [%s, %s]", created, before, after);
    H5Gclose(root);
    H5Fclose(file);
}

/* ---- h5py and xarray --------------------------------------------------- */

static bool python_has(const char *modules)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import %s' >/dev/null 2>&1", modules);
    return access("/usr/bin/python3", X_OK) == 0 && system(cmd) == 0;
}

Test(runfile, h5py_and_xarray_read_the_layout_docs_output_md_describes)
{
    if (!python_has("h5py"))
        cr_skip_test("python3-h5py is not installed");
    char path[128], out[128], cmd[512], text[8192];
    in_dir(path, sizeof path, "run.h5");
    in_dir(out, sizeof out, "check.out");
    write_file(path, false);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/tests/py/check_runfile.py %s >%s 2>&1",
             AIMS_SOURCE_DIR, path, out);
    int st = system(cmd);
    get_file(out, text, sizeof text);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "python said:\n%s", text);
    cr_assert(strstr(text, "h5py ok"), "python said:\n%s", text);
    /* xarray is optional; when it is there, its checks must have run. */
    bool have_xr = python_has("xarray, h5netcdf");
    cr_assert(strstr(text, have_xr ? "xarray ok" : "no xarray"),
              "python said:\n%s", text);
    /* ... and so must the examples of docs/output.md. */
    cr_assert(!have_xr || strstr(text, "docs ok"), "python said:\n%s", text);
}

/* ---- refusals ----------------------------------------------------------- */

Test(runfile, commit_refuses_a_replication_never_put_and_leaves_nothing)
{
    char path[128];
    in_dir(path, sizeof path, "run.h5");
    market m;
    market_init(&m);
    ana_runfile *f = NULL;
    OK(ana_runfile_new(path, false, &m.meta, &f, &err_));
    cr_assert(exists(ana_runfile_tmp_path(f)), "no temporary while writing");
    for (int r = 0; r < REP; r += 2) { /* 0 and 2, not 1 */
        mkt_results res;
        fill(&res, &m.p, r);
        OK(ana_runfile_put(f, (uint32_t)r, &res, &err_));
        mkt_results_fini(&res);
    }
    sim_err err = {0};
    cr_assert_eq(ana_runfile_commit(f, &err), SIM_EINVAL);
    cr_assert(strstr(err.msg, "run.h5: 1 of 3 replications never written "
                              "(first: 1); file not committed"),
              "got: %s", err.msg);
    cr_assert(!exists(path), "a file appeared at the target");
    cr_assert(!exists(ana_runfile_tmp_path(f)), "the temporary is left");
    cr_assert_eq(others_in_dir(NULL), 0);
    /* The writer is finished, as after a failed ana_h5w_commit: the lost
     * replication cannot be put late, nor the file committed. */
    mkt_results res;
    fill(&res, &m.p, 1);
    sim_err err2 = {0}, err3 = {0};
    cr_assert_neq(ana_runfile_put(f, 1, &res, &err2), SIM_OK);
    mkt_results_fini(&res);
    cr_assert_neq(ana_runfile_commit(f, &err3), SIM_OK);
    cr_assert(!exists(path));
    ana_runfile_free(f);
    cr_assert_eq(others_in_dir(NULL), 0);
}

Test(runfile, commit_refuses_when_nothing_was_put)
{
    char path[128];
    in_dir(path, sizeof path, "run.h5");
    market m;
    market_init(&m);
    ana_runfile *f = NULL;
    OK(ana_runfile_new(path, false, &m.meta, &f, &err_));
    sim_err err = {0};
    cr_assert_eq(ana_runfile_commit(f, &err), SIM_EINVAL);
    cr_assert(strstr(err.msg, "3 of 3 replications never written (first: "
                              "0)"),
              "got: %s", err.msg);
    ana_runfile_free(f);
    cr_assert_eq(others_in_dir(NULL), 0);
}

Test(runfile, free_without_commit_leaves_nothing)
{
    char path[128];
    in_dir(path, sizeof path, "run.h5");
    market m;
    market_init(&m);
    ana_runfile *f = NULL;
    OK(ana_runfile_new(path, false, &m.meta, &f, &err_));
    put_all(f, &m.p);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", ana_runfile_tmp_path(f));
    cr_assert_eq(strncmp(tmp, dir, strlen(dir)), 0, "temporary %s", tmp);
    ana_runfile_free(f);
    cr_assert(!exists(path) && !exists(tmp));
    cr_assert_eq(others_in_dir(NULL), 0);
    ana_runfile_free(NULL); /* a no-op */
}

Test(runfile, existing_target_is_refused_without_force_replaced_with_it)
{
    char path[128], text[64];
    in_dir(path, sizeof path, "run.h5");
    put_file(path, "precious");
    market m;
    market_init(&m);
    ana_runfile *f = NULL;
    sim_err err = {0};
    cr_assert_eq(ana_runfile_new(path, false, &m.meta, &f, &err), SIM_EINVAL);
    cr_assert_null(f);
    cr_assert(strstr(err.msg, "run.h5: exists (use --force to overwrite)"),
              "got: %s", err.msg);
    get_file(path, text, sizeof text);
    cr_assert_str_eq(text, "precious");
    cr_assert_eq(others_in_dir("run.h5"), 0);

    write_file(path, true);
    cr_assert_eq(others_in_dir("run.h5"), 0);
    hid_t file = open_file(path);
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    expect_attr_str(root, "format", "aims-run");
    H5Gclose(root);
    H5Fclose(file);
}

Test(runfile, put_refuses_wrong_replication_months_or_actors)
{
    char path[128];
    in_dir(path, sizeof path, "run.h5");
    market m;
    market_init(&m);
    ana_runfile *f = NULL;
    OK(ana_runfile_new(path, false, &m.meta, &f, &err_));
    mkt_results res;
    fill(&res, &m.p, 0);

    sim_err err = {0};
    cr_assert_eq(ana_runfile_put(f, REP, &res, &err), SIM_EINVAL);
    cr_assert(strstr(err.msg, "run.h5: replication 3 out of range (the file "
                              "holds 3, 0 .. 2)"),
              "got: %s", err.msg);

    res.months = H - 1;
    sim_err err2 = {0};
    cr_assert_eq(ana_runfile_put(f, 0, &res, &err2), SIM_EINVAL);
    cr_assert(strstr(err2.msg, "run.h5: replication 0: results hold 4 "
                               "months, the file has 5"),
              "got: %s", err2.msg);
    res.months = H;

    res.n_actors = ACT + 1;
    sim_err err3 = {0};
    cr_assert_eq(ana_runfile_put(f, 0, &res, &err3), SIM_EINVAL);
    cr_assert(strstr(err3.msg, "run.h5: replication 0: results hold 4 "
                               "actors, the file has 3"),
              "got: %s", err3.msg);
    res.n_actors = ACT;

    res.n_options = NO - 1;
    sim_err err6 = {0};
    cr_assert_eq(ana_runfile_put(f, 0, &res, &err6), SIM_EINVAL);
    cr_assert(strstr(err6.msg, "run.h5: replication 0: results hold 2 "
                               "options, the file has 3"),
              "got: %s", err6.msg);
    res.n_options = NO;

    res.n_accounts = NA + 1;
    sim_err err7 = {0};
    cr_assert_eq(ana_runfile_put(f, 0, &res, &err7), SIM_EINVAL);
    cr_assert(strstr(err7.msg, "run.h5: replication 0: results hold 4 "
                               "large accounts, the file has 3"),
              "got: %s", err7.msg);
    res.n_accounts = NA;

    res.events = UINT64_MAX;
    sim_err err4 = {0};
    cr_assert_eq(ana_runfile_put(f, 0, &res, &err4), SIM_EINVAL);
    cr_assert(strstr(err4.msg, "run.h5: replication 0: events: "
                               "18446744073709551615 does not fit int64"),
              "got: %s", err4.msg);
    mkt_results_fini(&res);

    sim_err err5 = {0};
    cr_assert_eq(ana_runfile_put(f, 0, NULL, &err5), SIM_EINVAL);
    cr_assert(strstr(err5.msg, "NULL results"), "got: %s", err5.msg);

    /* Argument errors leave the file usable and wrote nothing: the rows
     * that follow are the only ones, and they read back. */
    put_all(f, &m.p);
    OK(ana_runfile_commit(f, &err_));
    ana_runfile_free(f);
    hid_t file = open_file(path);
    hsize_t nr = REP;
    int64_t *ev = read_all(file, "/summary/events", 1, &nr, H5T_NATIVE_INT64);
    cr_assert_eq(ev[0], events_value(0));
    free(ev);
    H5Fclose(file);
}

/* A way to spoil the metadata, and the message it must give. */
typedef struct {
    void (*spoil)(market *m);
    const char *msg;
} bad_meta;

static void no_reps(market *m)
{
    m->meta.replications = 0;
}

static void no_months(market *m)
{
    m->p.horizon_months = 0;
}

static void huge_seed(market *m)
{
    m->meta.seed = UINT64_C(1) << 63;
}

static void no_commit(market *m)
{
    m->meta.git_commit = NULL;
}

static void no_start(market *m)
{
    m->p.start = NULL;
}

static void no_params(market *m)
{
    m->meta.params = NULL;
}

static void long_window(market *m)
{
    m->p.final_window_months = H + 1;
}

static const bad_meta bad_metas[] = {
    {no_reps, "run.h5: replications: expected at least 1, got 0"},
    {no_months, "run.h5: horizon_months: expected at least 1, got 0"},
    {huge_seed, "run.h5: seed: expected at most 2^63 - 1, got "
                "9223372036854775808"},
    {no_commit, "run.h5: git_commit is NULL"},
    {no_start, "run.h5: params->start is NULL"},
    {no_params, "run.h5: no run metadata or params"},
    {long_window, "run.h5: final_window_months: expected 1 .. 5, got 6"},
};

Test(runfile, new_refuses_bad_metadata_before_creating_anything)
{
    char path[128];
    in_dir(path, sizeof path, "run.h5");
    for (size_t i = 0; i < sizeof bad_metas / sizeof bad_metas[0]; i++) {
        market m;
        market_init(&m);
        bad_metas[i].spoil(&m);
        ana_runfile *f = NULL;
        sim_err err = {0};
        cr_assert_eq(ana_runfile_new(path, false, &m.meta, &f, &err),
                     SIM_EINVAL, "case %zu", i);
        cr_assert_null(f);
        cr_assert(strstr(err.msg, bad_metas[i].msg), "case %zu: got: %s", i,
                  err.msg);
        cr_assert_eq(others_in_dir(NULL), 0, "case %zu left a file", i);
    }
}

Test(runfile, missing_directory_is_an_io_error)
{
    char path[128];
    in_dir(path, sizeof path, "no/such/run.h5");
    market m;
    market_init(&m);
    ana_runfile *f = NULL;
    sim_err err = {0};
    cr_assert_eq(ana_runfile_new(path, false, &m.meta, &f, &err), SIM_EIO);
    cr_assert_null(f);
    cr_assert(strstr(err.msg, "cannot create"), "got: %s", err.msg);
}

/* ---- reproducibility ---------------------------------------------------- */

/* The raw bytes of a data set (NaN payloads included). Caller frees. */
static unsigned char *raw(hid_t file, const layout_entry *e, size_t *n)
{
    hsize_t dims[5];
    dims_of(e, dims);
    size_t cells = 1;
    for (int i = 0; i < e->rank; i++)
        cells *= (size_t)dims[i];
    *n = cells * 8;
    hid_t type = strcmp(e->path, "/summary/events") == 0 ||
                         strcmp(e->path, "/series/account_option") == 0
                     ? H5T_NATIVE_INT64
                     : H5T_NATIVE_DOUBLE;
    return read_all(file, e->path, e->rank, dims, type);
}

Test(runfile, identical_results_give_identical_data)
{
    char p1[128], p2[128];
    in_dir(p1, sizeof p1, "a.h5");
    in_dir(p2, sizeof p2, "b.h5");
    write_file(p1, false);
    write_file(p2, false);
    hid_t f1 = open_file(p1), f2 = open_file(p2);
    for (size_t k = 0; k < N_LAYOUT; k++) {
        size_t n1, n2;
        unsigned char *a = raw(f1, &layout[k], &n1);
        unsigned char *b = raw(f2, &layout[k], &n2);
        cr_assert_eq(n1, n2);
        cr_assert_eq(memcmp(a, b, n1), 0, "%s differs", layout[k].path);
        free(a);
        free(b);
    }
    /* And every root attribute but "created". */
    static const char *const same[] = {"aims_version", "git_commit",
                                       "scenario",     "scenario_file",
                                       "scenario_name", "start", "format"};
    hid_t r1 = H5Gopen2(f1, "/", H5P_DEFAULT);
    hid_t r2 = H5Gopen2(f2, "/", H5P_DEFAULT);
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char a[512], b[512];
        attr_str(r1, same[i], a, sizeof a);
        attr_str(r2, same[i], b, sizeof b);
        cr_assert_str_eq(a, b, "%s", same[i]);
    }
    cr_assert_eq(attr_i64(r1, "seed"), attr_i64(r2, "seed"));
    H5Gclose(r1);
    H5Gclose(r2);
    H5Fclose(f1);
    H5Fclose(f2);
}

/* A different result must show up in the comparison above, or the test
 * could not fail. */
Test(runfile, a_different_result_gives_different_data)
{
    char p1[128], p2[128];
    in_dir(p1, sizeof p1, "a.h5");
    in_dir(p2, sizeof p2, "b.h5");
    write_file(p1, false);
    market m;
    market_init(&m);
    ana_runfile *f = NULL;
    OK(ana_runfile_new(p2, false, &m.meta, &f, &err_));
    for (int r = 0; r < REP; r++) {
        mkt_results res;
        fill(&res, &m.p, r);
        if (r == 1)
            res.revenue[2 * ACT + 1] += 0.5;
        OK(ana_runfile_put(f, (uint32_t)r, &res, &err_));
        mkt_results_fini(&res);
    }
    OK(ana_runfile_commit(f, &err_));
    ana_runfile_free(f);
    hid_t f1 = open_file(p1), f2 = open_file(p2);
    size_t n1, n2;
    unsigned char *a = raw(f1, &layout[1], &n1); /* /series/revenue */
    unsigned char *b = raw(f2, &layout[1], &n2);
    cr_assert_neq(memcmp(a, b, n1), 0);
    free(a);
    free(b);
    H5Fclose(f1);
    H5Fclose(f2);
}
