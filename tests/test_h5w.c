/* test_h5w.c -- the atomic HDF5 writer in analysis/h5w.c.
 *
 * Every test works in its own mkdtemp directory under /tmp (made by the
 * suite's init, removed by its fini, which Criterion runs even after a
 * failed assertion) and reads what it wrote back through the HDF5 C API,
 * not through the writer, so a writer that agrees with itself but not with
 * HDF5 still fails. The file-system faults are real: a path under a regular
 * file, a file-size limit (RLIMIT_FSIZE) for a full disk, a signal handler
 * unlinking the temporary, a file appearing at the target before commit.
 * The limit and the signal are applied in a forked child, which reports
 * back through a pipe, so the test process itself (and Criterion's own
 * files) stay unaffected. Not tested: fsync and directory-fsync failures,
 * which need a failing device to provoke.
 *
 * The h5py/xarray test runs Debian's /usr/bin/python3 (not the pyenv one on
 * PATH, see recipes/toolchain.md section 6) and skips itself when
 * python3-h5py is not installed.
 */
#include "h5w.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <hdf5.h>
#include <hdf5_hl.h>

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
    snprintf(dir, sizeof dir, "/tmp/test_h5w.XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void teardown(void)
{
    rm_flat(dir);
}

TestSuite(h5w, .init = setup, .fini = teardown);

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The names in dir, sorted, joined by spaces ("" when empty). */
static void listing(char *buf, size_t n)
{
    DIR *dp = opendir(dir);
    cr_assert_not_null(dp);
    char names[16][256];
    size_t k = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        cr_assert_lt(k, 16u);
        snprintf(names[k++], sizeof names[0], "%s", e->d_name);
    }
    closedir(dp);
    qsort(names, k, sizeof names[0], by_name);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < k && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? " " : "",
                                 names[i]);
}

static void in_dir(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
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

/* ---- the sample file -------------------------------------------------- */

enum { REP = 3, T = 5, CH = 7, ACT = 4, BIG = 200000 };

static const char *const channels[CH] = {
    "none", "waiting", "direct", "onshore", "offshore", "gray", "domestic"};
/* UTF-8 on purpose: 21Vianet's Chinese name. */
static const char *const actors[ACT] = {
    "OpenAI", "Anthropic", "\xe4\xb8\x96\xe7\xba\xaa\xe4\xba\x92\xe8\x81\x94",
    "domestic"};

static const char *const dims_rtc[] = {"/replication", "/time", "/channel"};
static const char *const dims_rta[] = {"/replication", "/time", "/actor"};
static const char *const dims_rt[] = {"/replication", "/time"};
static const char *const dims_r[] = {"/replication"};

static int64_t count_value(int r, int t, int c)
{
    return 1000000000000LL * (r + 1) + 100 * t + c; /* needs 64 bits */
}

static double revenue_value(int r, int t, int a)
{
    return 2.385 * (100 * r + 10 * t + a) + 0.125;
}

static double gap_value(int r, int t)
{
    return -0.5 * r + 0.0625 * t;
}

/* A long scenario text with a non-ASCII character every 1000 bytes. */
static char *big_text(void)
{
    char *s = malloc(BIG + 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < BIG; i++)
        s[i] = (char)('a' + i % 26);
    for (size_t i = 0; i + 2 <= BIG; i += 1000) {
        s[i] = (char)0xc3; /* U+00E9, e acute */
        s[i + 1] = (char)0xa9;
    }
    s[BIG] = '\0';
    return s;
}

#define OK(call)                                                               \
    do {                                                                       \
        sim_err err_ = {0};                                                    \
        int rc_ = (call);                                                      \
        cr_assert_eq(rc_, SIM_OK, "%s -> %d: %s", #call, rc_, err_.msg);       \
    } while (0)

/* Everything a model output needs, rows in a scrambled order. Leaves the
 * writer uncommitted. */
static void write_sample(ana_h5w *w)
{
    double time[T];
    int64_t rep[REP];
    for (int t = 0; t < T; t++)
        time[t] = t;
    for (int r = 0; r < REP; r++)
        rep[r] = r;
    /* Not "months since 2026-01": xarray reads "UNIT since DATE" as a CF
     * time axis and open_dataset fails on months (Debian's xarray has no
     * cftime, and cftime takes months only in the 360_day calendar). */
    OK(ana_h5w_scale_f64(w, "/time", T, time, "months", &err_));
    OK(ana_h5w_attr_str(w, "/time", "start", "2026-01", &err_));
    OK(ana_h5w_scale_i64(w, "/replication", REP, rep, NULL, &err_));
    OK(ana_h5w_scale_str(w, "/channel", CH, channels, &err_));
    OK(ana_h5w_scale_str(w, "/actor", ACT, actors, &err_));

    size_t d_rtc[] = {REP, T, CH};
    ana_h5w_shape count = {.path = "/series/channel_count",
                           .rank = 3,
                           .dims = d_rtc,
                           .scales = dims_rtc,
                           .units = "enterprises"};
    OK(ana_h5w_define_i64(w, &count, &err_));
    int order[REP] = {2, 0, 1};
    for (int k = 0; k < REP; k++) {
        int64_t row[T * CH];
        int r = order[k];
        for (int t = 0; t < T; t++)
            for (int c = 0; c < CH; c++)
                row[t * CH + c] = count_value(r, t, c);
        OK(ana_h5w_write_rows_i64(w, count.path, (size_t)r, 1, row, &err_));
    }

    double rev[REP * T * ACT];
    for (int r = 0; r < REP; r++)
        for (int t = 0; t < T; t++)
            for (int a = 0; a < ACT; a++)
                rev[(r * T + t) * ACT + a] = revenue_value(r, t, a);
    size_t d_rta[] = {REP, T, ACT};
    ana_h5w_shape revenue = {.path = "/series/revenue",
                             .rank = 3,
                             .dims = d_rta,
                             .scales = dims_rta,
                             .units = "USD per month"};
    OK(ana_h5w_write_f64(w, &revenue, rev, &err_));

    /* Two rows in one call, then the first. */
    size_t d_rt[] = {REP, T};
    ana_h5w_shape gap = {.path = "/series/capability_gap",
                         .rank = 2,
                         .dims = d_rt,
                         .scales = dims_rt};
    OK(ana_h5w_define_f64(w, &gap, &err_));
    double g[REP * T];
    for (int r = 0; r < REP; r++)
        for (int t = 0; t < T; t++)
            g[r * T + t] = gap_value(r, t);
    OK(ana_h5w_write_rows_f64(w, gap.path, 1, 2, g + T, &err_));
    OK(ana_h5w_write_rows_f64(w, gap.path, 0, 1, g, &err_));

    size_t d_r[] = {REP};
    ana_h5w_shape half = {.path = "/summary/months_to_half_access",
                          .rank = 1,
                          .dims = d_r,
                          .scales = dims_r,
                          .units = "months"};
    double h[REP] = {17.25, (double)NAN, 40.5};
    OK(ana_h5w_write_f64(w, &half, h, &err_));

    char *scen = big_text();
    OK(ana_h5w_attr_str(w, "/", "aims_version", "0.1.0", &err_));
    OK(ana_h5w_attr_str(w, "/", "scenario", scen, &err_));
    OK(ana_h5w_attr_i64(w, "/", "seed", 1, &err_));
    OK(ana_h5w_attr_i64(w, "/", "seed", 9007199254740993LL, &err_));
    OK(ana_h5w_attr_f64(w, "/", "discount", 0.0385, &err_));
    double weights[3] = {0.25, 2.385, -1e-300};
    OK(ana_h5w_attr_f64_array(w, "/", "weights", 3, weights, &err_));
    OK(ana_h5w_attr_str(w, "/series/revenue", "note", "net of VAT", &err_));
    OK(ana_h5w_attr_i64(w, "/series", "n_series", 3, &err_));
    free(scen);
}

static ana_h5w *new_writer(const char *path, bool force)
{
    ana_h5w *w = NULL;
    sim_err err = {0};
    cr_assert_eq(ana_h5w_new(path, force, &w, &err), SIM_OK, "%s", err.msg);
    cr_assert_not_null(w);
    return w;
}

static void write_sample_file(const char *path)
{
    ana_h5w *w = new_writer(path, false);
    write_sample(w);
    OK(ana_h5w_commit(w, &err_));
    ana_h5w_free(w);
}

/* ---- reading back, through HDF5 itself -------------------------------- */

static hid_t open_ro(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "cannot open %s", path);
    return f;
}

static hid_t open_dset(hid_t f, const char *path)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    cr_assert_geq(d, 0, "no data set %s", path);
    return d;
}

static void shape_of(hid_t d, int rank, const hsize_t *want)
{
    hid_t s = H5Dget_space(d);
    hsize_t got[8];
    cr_assert_eq(H5Sget_simple_extent_ndims(s), rank);
    cr_assert_eq(H5Sget_simple_extent_dims(s, got, NULL), rank);
    for (int i = 0; i < rank; i++)
        cr_assert_eq(got[i], want[i], "axis %d: %llu, want %llu", i,
                     (unsigned long long)got[i], (unsigned long long)want[i]);
    H5Sclose(s);
}

static char *read_str_attr(hid_t loc, const char *name)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    cr_assert_geq(a, 0, "no attribute %s", name);
    hid_t t = H5Aget_type(a);
    cr_assert_gt(H5Tis_variable_str(t), 0, "%s: not variable-length", name);
    cr_assert_eq(H5Tget_cset(t), H5T_CSET_UTF8, "%s: not UTF-8", name);
    char *s = NULL;
    cr_assert_geq(H5Aread(a, t, &s), 0);
    cr_assert_not_null(s);
    char *copy = strdup(s);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

static void read_strings(hid_t f, const char *path, size_t n,
                         const char *const *want)
{
    hid_t d = open_dset(f, path);
    hid_t t = H5Dget_type(d);
    cr_assert_gt(H5Tis_variable_str(t), 0, "%s: not variable-length", path);
    cr_assert_eq(H5Tget_cset(t), H5T_CSET_UTF8, "%s: not UTF-8", path);
    char *got[16] = {0};
    cr_assert_leq(n, 16u);
    cr_assert_geq(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, got), 0);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(got[i], want[i], "%s[%zu]", path, i);
        H5free_memory(got[i]);
    }
    H5Tclose(t);
    H5Dclose(d);
}

/* ---- tests: contents -------------------------------------------------- */

Test(h5w, scales_datasets_and_rows_round_trip_exactly)
{
    char path[128];
    in_dir(path, sizeof path, "out.h5");
    write_sample_file(path);
    hid_t f = open_ro(path);

    hid_t d = open_dset(f, "/series/channel_count");
    hsize_t want3[] = {REP, T, CH};
    shape_of(d, 3, want3);
    hid_t t = H5Dget_type(d);
    cr_assert_eq(H5Tget_class(t), H5T_INTEGER);
    cr_assert_eq(H5Tget_size(t), 8u);
    cr_assert_eq(H5Tget_sign(t), H5T_SGN_2);
    H5Tclose(t);
    int64_t cnt[REP * T * CH];
    cr_assert_geq(
        H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, cnt), 0);
    for (int r = 0; r < REP; r++)
        for (int tt = 0; tt < T; tt++)
            for (int c = 0; c < CH; c++)
                cr_assert_eq(cnt[(r * T + tt) * CH + c], count_value(r, tt, c),
                             "[%d,%d,%d]", r, tt, c);
    H5Dclose(d);

    d = open_dset(f, "/series/revenue");
    hsize_t want_rev[] = {REP, T, ACT};
    shape_of(d, 3, want_rev);
    double rev[REP * T * ACT];
    cr_assert_geq(
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, rev), 0);
    for (int r = 0; r < REP; r++)
        for (int tt = 0; tt < T; tt++)
            for (int a = 0; a < ACT; a++)
                cr_assert_eq(rev[(r * T + tt) * ACT + a],
                             revenue_value(r, tt, a), "[%d,%d,%d]", r, tt, a);
    H5Dclose(d);

    d = open_dset(f, "/series/capability_gap");
    double g[REP * T];
    cr_assert_geq(
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, g), 0);
    for (int r = 0; r < REP; r++)
        for (int tt = 0; tt < T; tt++)
            cr_assert_eq(g[r * T + tt], gap_value(r, tt), "[%d,%d]", r, tt);
    H5Dclose(d);

    d = open_dset(f, "/summary/months_to_half_access");
    double h[REP];
    cr_assert_geq(
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, h), 0);
    cr_assert_eq(h[0], 17.25);
    cr_assert(isnan(h[1]));
    cr_assert_eq(h[2], 40.5);
    H5Dclose(d);

    d = open_dset(f, "/time");
    double time[T];
    cr_assert_geq(
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, time), 0);
    for (int i = 0; i < T; i++)
        cr_assert_eq(time[i], (double)i);
    char *u = read_str_attr(d, "units");
    cr_assert_str_eq(u, "months");
    free(u);
    u = read_str_attr(d, "start");
    cr_assert_str_eq(u, "2026-01");
    free(u);
    H5Dclose(d);

    d = open_dset(f, "/replication");
    int64_t rep[REP];
    cr_assert_geq(
        H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, rep), 0);
    for (int i = 0; i < REP; i++)
        cr_assert_eq(rep[i], i);
    cr_assert_eq(H5Aexists(d, "units"), 0, "NULL units must add none");
    H5Dclose(d);

    read_strings(f, "/channel", CH, channels);
    read_strings(f, "/actor", ACT, actors);
    H5Fclose(f);
}

Test(h5w, datasets_are_chunked_shuffled_and_deflated)
{
    char path[128];
    in_dir(path, sizeof path, "out.h5");
    write_sample_file(path);
    hid_t f = open_ro(path);
    const char *sets[] = {"/series/channel_count",
                          "/series/revenue",
                          "/series/capability_gap",
                          "/summary/months_to_half_access",
                          "/time",
                          "/replication"};
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        hid_t d = open_dset(f, sets[k]);
        hid_t s = H5Dget_space(d);
        hsize_t dims[8], chunk[8];
        int rank = H5Sget_simple_extent_dims(s, dims, NULL);
        hid_t p = H5Dget_create_plist(d);
        cr_assert_eq(H5Pget_layout(p), H5D_CHUNKED, "%s", sets[k]);
        cr_assert_eq(H5Pget_chunk(p, 8, chunk), rank, "%s", sets[k]);
        for (int i = 0; i < rank; i++)
            cr_assert(chunk[i] >= 1 && chunk[i] <= dims[i],
                      "%s: chunk %llu of axis %d (%llu)", sets[k],
                      (unsigned long long)chunk[i], i,
                      (unsigned long long)dims[i]);
        cr_assert_eq(H5Pget_nfilters(p), 2, "%s", sets[k]);
        unsigned flags, cd[4];
        size_t ncd = 4;
        cr_assert_eq(H5Pget_filter2(p, 0, &flags, &ncd, cd, 0, NULL, NULL),
                     H5Z_FILTER_SHUFFLE, "%s: shuffle first", sets[k]);
        ncd = 4;
        cr_assert_eq(H5Pget_filter2(p, 1, &flags, &ncd, cd, 0, NULL, NULL),
                     H5Z_FILTER_DEFLATE, "%s: then deflate", sets[k]);
        cr_assert_eq(ncd, 1u);
        cr_assert_eq(cd[0], (unsigned)ANA_H5W_DEFLATE, "%s", sets[k]);
        H5Pclose(p);
        H5Sclose(s);
        H5Dclose(d);
    }
    H5Fclose(f);
}

Test(h5w, chunks_stay_under_1_mib_and_within_the_dims)
{
    char path[128];
    in_dir(path, sizeof path, "big.h5");
    ana_h5w *w = new_writer(path, false);
    enum { R = 3, A = 600, B = 500 }; /* 2.4 MB a row */
    double *x = calloc((size_t)R * A * B, sizeof *x);
    int64_t ir[R] = {0, 1, 2}, ia[A], ib[B];
    for (int i = 0; i < A; i++)
        ia[i] = i;
    for (int i = 0; i < B; i++)
        ib[i] = i;
    OK(ana_h5w_scale_i64(w, "/r", R, ir, NULL, &err_));
    OK(ana_h5w_scale_i64(w, "/a", A, ia, NULL, &err_));
    OK(ana_h5w_scale_i64(w, "/b", B, ib, NULL, &err_));
    size_t dims[] = {R, A, B};
    const char *const sc[] = {"/r", "/a", "/b"};
    ana_h5w_shape s = {.path = "/x", .rank = 3, .dims = dims, .scales = sc};
    OK(ana_h5w_write_f64(w, &s, x, &err_));
    OK(ana_h5w_commit(w, &err_));
    ana_h5w_free(w);
    free(x);

    hid_t f = open_ro(path);
    hid_t d = open_dset(f, "/x");
    hid_t p = H5Dget_create_plist(d);
    hsize_t chunk[3];
    cr_assert_eq(H5Pget_chunk(p, 3, chunk), 3);
    size_t bytes = 8 * chunk[0] * chunk[1] * chunk[2];
    cr_assert_leq(bytes, (size_t)ANA_H5W_CHUNK_MAX, "chunk %zu bytes", bytes);
    cr_assert_geq(bytes, (size_t)ANA_H5W_CHUNK_MAX / 4,
                  "chunk %zu bytes: needlessly small", bytes);
    cr_assert_eq(chunk[0], 1u, "one replication a chunk");
    cr_assert_leq(chunk[1], (hsize_t)A);
    cr_assert_eq(chunk[2], (hsize_t)B, "whole trailing rows");
    H5Pclose(p);
    H5Dclose(d);
    H5Fclose(f);
}

Test(h5w, every_axis_has_its_own_dimension_scale_attached)
{
    char path[128];
    in_dir(path, sizeof path, "out.h5");
    write_sample_file(path);
    hid_t f = open_ro(path);
    const char *scales[] = {"/replication", "/time", "/channel", "/actor"};
    hid_t sid[4];
    for (int i = 0; i < 4; i++) {
        sid[i] = open_dset(f, scales[i]);
        cr_assert_gt(H5DSis_scale(sid[i]), 0, "%s", scales[i]);
        char name[64] = "";
        cr_assert_gt(H5DSget_scale_name(sid[i], name, sizeof name), 0);
        cr_assert_str_eq(name, scales[i] + 1);
    }
    /* For each data set, the scale index expected on each axis. */
    struct {
        const char *path;
        int rank;
        int scale[3];
    } sets[] = {
        {"/series/channel_count", 3, {0, 1, 2}},
        {"/series/revenue", 3, {0, 1, 3}},
        {"/series/capability_gap", 2, {0, 1, -1}},
        {"/summary/months_to_half_access", 1, {0, -1, -1}},
    };
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        hid_t d = open_dset(f, sets[k].path);
        for (int ax = 0; ax < sets[k].rank; ax++) {
            cr_assert_eq(H5DSget_num_scales(d, (unsigned)ax), 1, "%s axis %d",
                         sets[k].path, ax);
            for (int s = 0; s < 4; s++) {
                htri_t at = H5DSis_attached(d, sid[s], (unsigned)ax);
                cr_assert_eq(at > 0, s == sets[k].scale[ax],
                             "%s axis %d, scale %s: attached = %d",
                             sets[k].path, ax, scales[s], (int)at);
            }
        }
        H5Dclose(d);
    }
    for (int i = 0; i < 4; i++)
        H5Dclose(sid[i]);
    H5Fclose(f);
}

Test(h5w, attributes_round_trip_with_their_types)
{
    char path[128];
    in_dir(path, sizeof path, "out.h5");
    write_sample_file(path);
    hid_t f = open_ro(path);
    hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);

    char *s = read_str_attr(root, "aims_version");
    cr_assert_str_eq(s, "0.1.0");
    free(s);
    s = read_str_attr(root, "scenario");
    char *want = big_text();
    cr_assert_eq(strlen(s), (size_t)BIG);
    cr_assert_str_eq(s, want, "the 200 kB scenario text differs");
    free(want);
    free(s);

    /* 2^53 + 1 is not a double: it survives only as an int64. */
    hid_t a = H5Aopen(root, "seed", H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    cr_assert_eq(H5Tget_class(t), H5T_INTEGER);
    cr_assert_eq(H5Tget_size(t), 8u);
    int64_t seed = 0;
    cr_assert_geq(H5Aread(a, H5T_NATIVE_INT64, &seed), 0);
    cr_assert_eq(seed, 9007199254740993LL, "the second write replaces");
    H5Tclose(t);
    H5Aclose(a);

    a = H5Aopen(root, "discount", H5P_DEFAULT);
    t = H5Aget_type(a);
    cr_assert_eq(H5Tget_class(t), H5T_FLOAT);
    double disc = 0;
    cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &disc), 0);
    cr_assert_eq(disc, 0.0385);
    H5Tclose(t);
    H5Aclose(a);

    a = H5Aopen(root, "weights", H5P_DEFAULT);
    hid_t sp = H5Aget_space(a);
    hsize_t n = 0;
    cr_assert_eq(H5Sget_simple_extent_ndims(sp), 1);
    H5Sget_simple_extent_dims(sp, &n, NULL);
    cr_assert_eq(n, 3u);
    double wts[3] = {0};
    cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, wts), 0);
    cr_assert_eq(wts[0], 0.25);
    cr_assert_eq(wts[1], 2.385);
    cr_assert_eq(wts[2], -1e-300);
    H5Sclose(sp);
    H5Aclose(a);
    H5Gclose(root);

    hid_t d = open_dset(f, "/series/revenue");
    s = read_str_attr(d, "note");
    cr_assert_str_eq(s, "net of VAT");
    free(s);
    s = read_str_attr(d, "units");
    cr_assert_str_eq(s, "USD per month");
    free(s);
    H5Dclose(d);

    hid_t g = H5Gopen2(f, "/series", H5P_DEFAULT);
    cr_assert_geq(g, 0);
    int64_t ns = 0;
    a = H5Aopen(g, "n_series", H5P_DEFAULT);
    cr_assert_geq(H5Aread(a, H5T_NATIVE_INT64, &ns), 0);
    cr_assert_eq(ns, 3);
    H5Aclose(a);
    H5Gclose(g);
    H5Fclose(f);
}

Test(h5w, zero_length_axes_are_written_and_committed)
{
    char path[128];
    in_dir(path, sizeof path, "empty.h5");
    ana_h5w *w = new_writer(path, false);
    int64_t two[2] = {0, 1};
    OK(ana_h5w_scale_f64(w, "/time", 0, NULL, "months", &err_));
    OK(ana_h5w_scale_str(w, "/channel", 0, NULL, &err_));
    OK(ana_h5w_scale_i64(w, "/replication", 2, two, NULL, &err_));
    size_t dims[] = {2, 0};
    const char *const sc[] = {"/replication", "/time"};
    ana_h5w_shape s = {.path = "/x", .rank = 2, .dims = dims, .scales = sc};
    OK(ana_h5w_define_f64(w, &s, &err_));
    OK(ana_h5w_write_rows_f64(w, "/x", 0, 2, NULL, &err_));
    OK(ana_h5w_commit(w, &err_));
    ana_h5w_free(w);

    hid_t f = open_ro(path);
    hid_t d = open_dset(f, "/x");
    hsize_t want[] = {2, 0};
    shape_of(d, 2, want);
    H5Dclose(d);
    H5Fclose(f);
}

Test(h5w, same_calls_give_byte_identical_files)
{
    char a[128], b[128];
    in_dir(a, sizeof a, "a.h5");
    in_dir(b, sizeof b, "b.h5");
    write_sample_file(a);
    sleep(1); /* HDF5 object times, were they kept, would now differ */
    write_sample_file(b);
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    cr_assert(fa != NULL && fb != NULL);
    long off = 0;
    int ca, cb;
    do {
        ca = getc(fa);
        cb = getc(fb);
        off++;
    } while (ca == cb && ca != EOF);
    fclose(fa);
    fclose(fb);
    cr_assert_eq(ca, cb, "files differ at byte %ld", off - 1);
}

/* ---- tests: atomicity ------------------------------------------------- */

Test(h5w, target_appears_only_at_commit_and_temporary_is_hidden_beside_it)
{
    char path[128], names[1024], want[256];
    in_dir(path, sizeof path, "out.h5");
    ana_h5w *w = new_writer(path, false);
    cr_assert_str_eq(ana_h5w_path(w), path);

    const char *tmp = ana_h5w_tmp_path(w);
    snprintf(want, sizeof want, "%s/.out.h5.tmp.%ld.", dir, (long)getpid());
    cr_assert(strncmp(tmp, want, strlen(want)) == 0, "tmp %s", tmp);
    cr_assert(exists(tmp));
    write_sample(w);
    cr_assert(!exists(path), "the target exists before commit");
    listing(names, sizeof names);
    cr_assert_str_eq(names, strrchr(tmp, '/') + 1, "only the temporary");

    OK(ana_h5w_commit(w, &err_));
    cr_assert(exists(path));
    cr_assert(!exists(tmp), "the temporary outlived the commit");
    listing(names, sizeof names);
    cr_assert_str_eq(names, "out.h5");
    cr_assert_eq(ana_h5w_tmp_path(w), tmp, "tmp path moved");

    /* A committed writer refuses more work. */
    sim_err err = {0};
    cr_assert_eq(ana_h5w_attr_i64(w, "/", "late", 1, &err), SIM_EINVAL);
    cr_assert(strstr(err.msg, "already committed or aborted"), "got: %s",
              err.msg);
    sim_err_clear(&err);
    cr_assert_eq(ana_h5w_commit(w, &err), SIM_EINVAL);
    ana_h5w_free(w);
    cr_assert(exists(path), "free after commit removed the file");
}

Test(h5w, new_file_gets_the_umask_permissions)
{
    char path[128];
    in_dir(path, sizeof path, "out.h5");
    mode_t old = umask(022);
    write_sample_file(path);
    umask(old);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0644u, "mode %o", st.st_mode & 0777);
}

Test(h5w, abort_leaves_no_file_and_no_temporary)
{
    char path[128], names[1024];
    in_dir(path, sizeof path, "out.h5");
    ana_h5w *w = new_writer(path, false);
    write_sample(w);
    listing(names, sizeof names);
    cr_assert_neq(names[0], '\0', "the temporary should exist before abort");
    ana_h5w_abort(w);
    listing(names, sizeof names);
    cr_assert_str_eq(names, "", "left behind: %s", names);
    sim_err err = {0};
    cr_assert_eq(ana_h5w_commit(w, &err), SIM_EINVAL);
    cr_assert(!exists(path));
    ana_h5w_abort(w); /* a second abort is a no-op */
    ana_h5w_free(w);
}

Test(h5w, free_without_commit_leaves_no_file_and_no_temporary)
{
    char path[128], names[1024];
    in_dir(path, sizeof path, "out.h5");
    ana_h5w *w = new_writer(path, false);
    write_sample(w);
    listing(names, sizeof names);
    cr_assert_neq(names[0], '\0', "the temporary should exist before free");
    ana_h5w_free(w);
    listing(names, sizeof names);
    cr_assert_str_eq(names, "", "left behind: %s", names);
    ana_h5w_free(NULL);
}

Test(h5w, unwritten_rows_refuse_commit_and_leave_nothing)
{
    char path[128], names[1024];
    in_dir(path, sizeof path, "out.h5");
    ana_h5w *w = new_writer(path, false);
    int64_t rep[4] = {0, 1, 2, 3};
    OK(ana_h5w_scale_i64(w, "/replication", 4, rep, NULL, &err_));
    size_t dims[] = {4};
    const char *const sc[] = {"/replication"};
    ana_h5w_shape s = {
        .path = "/summary/x", .rank = 1, .dims = dims, .scales = sc};
    OK(ana_h5w_define_f64(w, &s, &err_));
    double v = 2.385;
    OK(ana_h5w_write_rows_f64(w, "/summary/x", 0, 1, &v, &err_));
    OK(ana_h5w_write_rows_f64(w, "/summary/x", 0, 1, &v, &err_)); /* again */
    OK(ana_h5w_write_rows_f64(w, "/summary/x", 3, 1, &v, &err_));
    sim_err err = {0};
    cr_assert_eq(ana_h5w_commit(w, &err), SIM_EINVAL);
    cr_assert(strstr(err.msg, path), "got: %s", err.msg);
    cr_assert(strstr(err.msg, "/summary/x: 2 of 4 rows never written "
                              "(first: row 1)"),
              "got: %s", err.msg);
    listing(names, sizeof names);
    cr_assert_str_eq(names, "", "left behind: %s", names);
    ana_h5w_free(w);
}

/* What a signal handler in main() does with ana_h5w_tmp_path. */
static const char *volatile to_unlink;

static void on_term(int sig)
{
    (void)sig;
    if (to_unlink != NULL)
        unlink(to_unlink);
    _exit(143);
}

Test(h5w, signal_handler_can_remove_the_temporary)
{
    char path[128], names[1024];
    in_dir(path, sizeof path, "out.h5");
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        ana_h5w *w = NULL;
        if (ana_h5w_new(path, false, &w, NULL) != SIM_OK)
            _exit(1);
        to_unlink = ana_h5w_tmp_path(w);
        struct sigaction sa = {.sa_handler = on_term};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        double x[3] = {1, 2, 3};
        ana_h5w_scale_f64(w, "/time", 3, x, NULL, NULL);
        raise(SIGTERM);
        _exit(2); /* not reached */
    }
    int st = 0;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 143, "status %d", st);
    listing(names, sizeof names);
    cr_assert_str_eq(names, "", "left behind: %s", names);
}

/* ---- tests: the target and its directory ------------------------------ */

Test(h5w, existing_target_is_refused_without_force_and_kept)
{
    char path[128], names[1024], text[64];
    in_dir(path, sizeof path, "out.h5");
    put_file(path, "precious");
    ana_h5w *w = NULL;
    sim_err err = {0};
    cr_assert_eq(ana_h5w_new(path, false, &w, &err), SIM_EINVAL);
    cr_assert_null(w, "*out set on failure");
    char want[256];
    snprintf(want, sizeof want, "%s: exists (use --force to overwrite)", path);
    cr_assert_str_eq(err.msg, want);
    get_file(path, text, sizeof text);
    cr_assert_str_eq(text, "precious");
    listing(names, sizeof names);
    cr_assert_str_eq(names, "out.h5", "left behind: %s", names);
}

Test(h5w, existing_target_is_replaced_with_force)
{
    char path[128], names[1024];
    in_dir(path, sizeof path, "out.h5");
    put_file(path, "old");
    ana_h5w *w = new_writer(path, true);
    write_sample(w);
    char text[64];
    get_file(path, text, sizeof text);
    cr_assert_str_eq(text, "old", "the old file must stay until commit");
    OK(ana_h5w_commit(w, &err_));
    ana_h5w_free(w);
    cr_assert_gt(H5Fis_hdf5(path), 0, "the target is not the new file");
    listing(names, sizeof names);
    cr_assert_str_eq(names, "out.h5", "left behind: %s", names);
}

Test(h5w, target_appearing_after_new_is_not_overwritten_without_force)
{
    char path[128], names[1024], text[64];
    in_dir(path, sizeof path, "out.h5");
    ana_h5w *w = new_writer(path, false);
    write_sample(w);
    put_file(path, "someone else's");
    sim_err err = {0};
    cr_assert_eq(ana_h5w_commit(w, &err), SIM_EINVAL);
    char want[256];
    snprintf(want, sizeof want, "%s: exists (use --force to overwrite)", path);
    cr_assert_str_eq(err.msg, want);
    get_file(path, text, sizeof text);
    cr_assert_str_eq(text, "someone else's");
    listing(names, sizeof names);
    cr_assert_str_eq(names, "out.h5", "left behind: %s", names);
    ana_h5w_free(w);
}

Test(h5w, missing_directory_gives_cannot_create)
{
    char path[128], want[256];
    in_dir(path, sizeof path, "no/such/dir/out.h5");
    ana_h5w *w = NULL;
    sim_err err = {0};
    cr_assert_eq(ana_h5w_new(path, false, &w, &err), SIM_EIO);
    cr_assert_null(w);
    snprintf(want, sizeof want, "%s: cannot create: %s", path,
             strerror(ENOENT));
    cr_assert_str_eq(err.msg, want);
}

/* The "read-only directory" case. Tests run as root on the project's
 * machines, and chmod 0555 does not stop root from writing, so a mode-based
 * test would pass or fail depending on who runs it. A path below a regular
 * file is unwritable for everyone, root included, and goes through the same
 * up-front check. */
Test(h5w, unwritable_directory_gives_cannot_create)
{
    char file[128], path[160], want[256], names[1024];
    in_dir(file, sizeof file, "file.txt");
    put_file(file, "not a directory");
    snprintf(path, sizeof path, "%s/out.h5", file);
    ana_h5w *w = NULL;
    sim_err err = {0};
    cr_assert_eq(ana_h5w_new(path, true, &w, &err), SIM_EIO);
    cr_assert_null(w);
    snprintf(want, sizeof want, "%s: cannot create: %s", path,
             strerror(ENOTDIR));
    cr_assert_str_eq(err.msg, want);
    listing(names, sizeof names);
    cr_assert_str_eq(names, "file.txt", "left behind: %s", names);
}

Test(h5w, directory_at_the_target_is_refused_even_with_force)
{
    char path[128], want[256];
    in_dir(path, sizeof path, "out.h5");
    cr_assert_eq(mkdir(path, 0755), 0);
    ana_h5w *w = NULL;
    sim_err err = {0};
    cr_assert_eq(ana_h5w_new(path, true, &w, &err), SIM_EIO);
    snprintf(want, sizeof want, "%s: cannot create: %s", path,
             strerror(EISDIR));
    cr_assert_str_eq(err.msg, want);
    rmdir(path);
}

/* With force the final rename would replace whatever is at the target: a
 * FIFO, a device node or a symbolic link is refused at _new, and one that
 * appears between _new and _commit is refused at the rename. */
Test(h5w, only_a_regular_file_is_replaced_even_with_force)
{
    char fifo[128], link[128], path[128], want[256];
    in_dir(fifo, sizeof fifo, "fifo");
    in_dir(link, sizeof link, "link.h5");
    cr_assert_eq(mkfifo(fifo, 0644), 0);
    cr_assert_eq(symlink("nowhere", link), 0);
    const char *targets[] = {fifo, link};
    for (size_t i = 0; i < 2; i++) {
        ana_h5w *w = NULL;
        sim_err err = {0};
        cr_assert_eq(ana_h5w_new(targets[i], true, &w, &err), SIM_EINVAL);
        cr_assert_null(w);
        snprintf(want, sizeof want, "%s: is not a regular file", targets[i]);
        cr_assert(strstr(err.msg, want), "got: %s", err.msg);
    }
    in_dir(path, sizeof path, "out.h5");
    ana_h5w *w = new_writer(path, true);
    write_sample(w);
    cr_assert_eq(mkfifo(path, 0644), 0);
    sim_err err = {0};
    cr_assert_eq(ana_h5w_commit(w, &err), SIM_EINVAL);
    snprintf(want, sizeof want, "%s: is not a regular file", path);
    cr_assert(strstr(err.msg, want), "got: %s", err.msg);
    struct stat st;
    cr_assert(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode));
    ana_h5w_free(w);
    char names[1024];
    listing(names, sizeof names);
    cr_assert_str_eq(names, "fifo link.h5 out.h5", "left: %s", names);
}

/* A temporary whose writer died (here: a child killed with SIGKILL after
 * _new) is removed; one whose writer lives (this process's own) is not. */
Test(h5w, remove_stale_takes_only_a_dead_writers_temporary)
{
    char path[128], names[1024];
    in_dir(path, sizeof path, "out.h5");
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        ana_h5w *w = NULL;
        if (ana_h5w_new(path, false, &w, NULL) != SIM_OK)
            _exit(1);
        raise(SIGKILL);
        _exit(2);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    ana_h5w *mine = new_writer(path, false);
    listing(names, sizeof names);
    cr_assert_eq(strlen(names) > 0 && strchr(names, ' ') != NULL, true,
                 "two temporaries expected: %s", names);
    cr_assert_eq(ana_h5w_remove_stale(path), 1u);
    listing(names, sizeof names);
    char want[128];
    snprintf(want, sizeof want, ".out.h5.tmp.%ld.000000", (long)getpid());
    cr_assert_str_eq(names, want, "left: %s", names);
    cr_assert_eq(ana_h5w_remove_stale(path), 0u, "a live temporary went");
    ana_h5w_free(mine);
}

/* The disk fills up: a file-size limit makes write() fail with EFBIG once
 * the file reaches 256 KiB (SIGXFSZ ignored, or it would kill the child).
 * Four rows of random doubles, 1 MiB each, cannot compress below that. The
 * writer holds the file in memory, so the failure surfaces at commit; it
 * must be reported and nothing may remain. The child then shuts HDF5 down
 * with H5close(), as exit() would: HDF5 1.10.8 crashes there when a file
 * it wrote itself could not be flushed, which a crash of the child (no
 * report in the pipe) would show. */
typedef struct {
    int stage; /* 1 new, 2 scales, 3 define, 4+r row r, 10 commit, 11 none */
    int rc;
    int later_rc; /* commit after the failure */
    char msg[512];
} full_result;

static void fill_disk(const char *path, full_result *res)
{
    enum { R = 4, N = 131072 };
    ana_h5w *w = NULL;
    sim_err err = {0};
    double *row = malloc(N * sizeof *row);
    int64_t idx[R] = {0, 1, 2, 3};
    uint64_t x = 88172645463325252u;
    res->stage = 1;
    if ((res->rc = ana_h5w_new(path, false, &w, &err)) != SIM_OK)
        goto out;
    int64_t *n = malloc(N * sizeof *n);
    for (int i = 0; i < N; i++)
        n[i] = i;
    res->stage = 2;
    res->rc = ana_h5w_scale_i64(w, "/r", R, idx, NULL, &err);
    if (res->rc == SIM_OK)
        res->rc = ana_h5w_scale_i64(w, "/n", N, n, NULL, &err);
    free(n);
    if (res->rc != SIM_OK)
        goto out;
    size_t dims[] = {R, N};
    const char *const sc[] = {"/r", "/n"};
    ana_h5w_shape s = {.path = "/noise", .rank = 2, .dims = dims, .scales = sc};
    res->stage = 3;
    if ((res->rc = ana_h5w_define_f64(w, &s, &err)) != SIM_OK)
        goto out;
    for (int r = 0; r < R; r++) {
        for (int i = 0; i < N; i++) {
            x ^= x << 13; /* xorshift64 (Marsaglia 2003) */
            x ^= x >> 7;
            x ^= x << 17;
            row[i] = (double)(x >> 11) * 0x1p-53;
        }
        res->stage = 4 + r;
        if ((res->rc = ana_h5w_write_rows_f64(w, "/noise", (size_t)r, 1, row,
                                              &err)) != SIM_OK) {
            res->later_rc = ana_h5w_commit(w, NULL);
            goto out;
        }
    }
    res->stage = 10;
    res->rc = ana_h5w_commit(w, &err);
    if (res->rc == SIM_OK)
        res->stage = 11;
out:
    snprintf(res->msg, sizeof res->msg, "%s", err.msg);
    ana_h5w_free(w);
    free(row);
}

Test(h5w, full_disk_is_reported_and_leaves_nothing)
{
    char path[128], names[1024];
    in_dir(path, sizeof path, "out.h5");
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        struct sigaction sa = {.sa_handler = SIG_IGN};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGXFSZ, &sa, NULL);
        struct rlimit rl = {.rlim_cur = 256 * 1024, .rlim_max = 256 * 1024};
        full_result res = {.stage = 0, .rc = 0, .later_rc = 0};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            res.stage = -1;
        else
            fill_disk(path, &res);
        if (H5close() < 0)
            res.stage = -2;
        ssize_t wr = write(fds[1], &res, sizeof res);
        _exit(wr == (ssize_t)sizeof res ? 0 : 1);
    }
    close(fds[1]);
    full_result res;
    size_t got = 0;
    while (got < sizeof res) {
        ssize_t r = read(fds[0], (char *)&res + got, sizeof res - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fds[0]);
    int st = 0;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
    cr_assert_eq(got, sizeof res);
    cr_assert_neq(res.stage, -1, "setrlimit failed");
    cr_assert_neq(res.stage, -2, "H5close failed");
    cr_assert_neq(res.stage, 11, "4 MiB of noise fitted under 256 KiB");
    cr_assert_geq(res.stage, 3, "failed early, at stage %d: %s", res.stage,
                  res.msg);
    cr_assert_eq(res.rc, SIM_EIO, "stage %d: rc %d: %s", res.stage, res.rc,
                 res.msg);
    cr_assert(strstr(res.msg, path), "got: %s", res.msg);
    cr_assert(strstr(res.msg, strerror(EFBIG)), "got: %s", res.msg);
    if (res.stage < 10)
        cr_assert_eq(res.later_rc, SIM_EIO, "commit after a failed write");
    cr_assert(!exists(path), "a target appeared");
    listing(names, sizeof names);
    cr_assert_str_eq(names, "", "left behind: %s", names);
}

/* ---- tests: bad calls ------------------------------------------------- */

/* Each case is refused with SIM_EINVAL and a message naming the file and the
 * object; none of them spoils the file, which still commits. */
Test(h5w, bad_calls_name_file_and_object_and_do_not_spoil_the_file)
{
    char path[128];
    in_dir(path, sizeof path, "out.h5");
    ana_h5w *w = new_writer(path, false);
    double t3[3] = {0, 1, 2};
    OK(ana_h5w_scale_f64(w, "/time", 3, t3, NULL, &err_));
    OK(ana_h5w_scale_f64(w, "/rep", 2, t3, NULL, &err_));
    size_t d23[] = {2, 3}, d33[] = {3, 3};
    const char *const sc[] = {"/rep", "/time"};
    const char *const nosc[] = {"/rep", "/nope"};
    const char *const notscale[] = {"/rep", "/x"};
    ana_h5w_shape x = {.path = "/x", .rank = 2, .dims = d23, .scales = sc};
    OK(ana_h5w_define_i64(w, &x, &err_));
    double row[3] = {1, 2, 3};
    int64_t irow[3] = {1, 2, 3};
    ana_h5w_shape s_bad_path = x, s_rank = x, s_nosc = x, s_len = x, s_dup = x,
                  s_notscale = x, s_through = x, s_units = x;
    s_bad_path.path = "series//x";
    s_rank.path = "/r";
    s_rank.rank = 9;
    s_nosc.path = "/y";
    s_nosc.scales = nosc;
    s_len.path = "/z";
    s_len.dims = d33;
    s_notscale.path = "/w";
    s_notscale.scales = notscale;
    s_through.path = "/x/inner";
    s_units.path = "/u";
    s_units.units = "\xff";
    const char *bad_name[] = {"a", "\xc3\x28"}; /* truncated 2-byte form */
    sim_err err;

#define BAD(call, text)                                                        \
    do {                                                                       \
        sim_err_clear(&err);                                                   \
        cr_assert_eq((call), SIM_EINVAL, "%s", #call);                         \
        cr_assert(strncmp(err.msg, path, strlen(path)) == 0 &&                 \
                      strstr(err.msg, text) != NULL,                           \
                  "%s: got \"%s\", want \"%s\"", #call, err.msg, text);        \
    } while (0)

    BAD(ana_h5w_define_f64(w, &s_bad_path, &err),
        ": series//x: not an absolute HDF5 path");
    BAD(ana_h5w_define_f64(w, &s_rank, &err), ": /r: rank 9 is not in 1..8");
    BAD(ana_h5w_define_f64(w, &s_nosc, &err),
        ": /y: axis 1: /nope is not a dimension scale of this file");
    BAD(ana_h5w_define_f64(w, &s_notscale, &err),
        ": /w: axis 1: /x is not a dimension scale of this file");
    BAD(ana_h5w_define_f64(w, &s_len, &err),
        ": /z: axis 0 has 3 elements but scale /rep has 2");
    BAD(ana_h5w_define_f64(w, &s_dup, &err), ": /x: already exists");
    BAD(ana_h5w_define_f64(w, &s_through, &err),
        ": /x/inner: /x is not a group");
    BAD(ana_h5w_define_f64(w, &s_units, &err),
        ": /u: units are not valid UTF-8 (byte 0)");
    BAD(ana_h5w_write_f64(w, &s_units, NULL, &err), ": /u: units are not");
    s_units.units = NULL;
    BAD(ana_h5w_write_f64(w, &s_units, NULL, &err), ": /u: no data (NULL)");
    BAD(ana_h5w_scale_f64(w, "/time", 3, t3, NULL, &err),
        ": /time: already exists");
    BAD(ana_h5w_scale_str(w, "/names", 2, bad_name, &err),
        ": /names: name 1 is not valid UTF-8 (byte 0)");
    BAD(ana_h5w_write_rows_f64(w, "/x", 0, 1, row, &err),
        ": /x: holds int64, not double");
    BAD(ana_h5w_write_rows_i64(w, "/x", 1, 2, irow, &err),
        ": /x: rows 1..2 out of range (2 rows)");
    BAD(ana_h5w_write_rows_i64(w, "/time", 0, 1, irow, &err),
        ": /time: not a data set of this file");
    BAD(ana_h5w_write_rows_i64(w, "/nope", 0, 1, irow, &err),
        ": /nope: not a data set of this file");
    BAD(ana_h5w_attr_f64(w, "/series/x", "a", 1.0, &err),
        ": /series/x: attribute a: no such object");
    BAD(ana_h5w_attr_f64(w, "/x", "a/b", 1.0, &err),
        ": /x: bad attribute name \"a/b\"");
    BAD(ana_h5w_attr_str(w, "/", "s", "ok \xed\xa0\x80", &err),
        ": /: attribute s: not valid UTF-8 (byte 3)"); /* a surrogate */
    BAD(ana_h5w_attr_f64_array(w, "/", "v", 0, t3, &err),
        ": /: attribute v: no values (n = 0)");

    /* None of that touched the file: it still commits, without /u. */
    OK(ana_h5w_write_rows_i64(w, "/x", 0, 1, irow, &err_));
    OK(ana_h5w_write_rows_i64(w, "/x", 1, 1, irow, &err_));
    OK(ana_h5w_commit(w, &err_));
    ana_h5w_free(w);
    hid_t f = open_ro(path);
    cr_assert_eq(H5Lexists(f, "/u", H5P_DEFAULT), 0);
    cr_assert_eq(H5Lexists(f, "/names", H5P_DEFAULT), 0);
    H5Fclose(f);
#undef BAD
}

/* A failure inside HDF5 (here an attribute too large for HDF5's 64 KiB
 * object header) leaves the file in an unknown state: the writer refuses
 * everything after it, and commit removes the temporary. */
Test(h5w, hdf5_failure_poisons_the_writer_and_commit_leaves_nothing)
{
    char path[128], names[1024];
    in_dir(path, sizeof path, "out.h5");
    ana_h5w *w = new_writer(path, false);
    enum { N = 20000 }; /* 160 kB */
    double *v = calloc(N, sizeof *v);
    sim_err err = {0};
    cr_assert_eq(ana_h5w_attr_f64_array(w, "/", "big", N, v, &err), SIM_EIO);
    free(v);
    char want[256];
    snprintf(want, sizeof want, "%s: /: attribute big: cannot write: ", path);
    cr_assert(strncmp(err.msg, want, strlen(want)) == 0, "got: %s", err.msg);
    cr_assert_gt(strlen(err.msg), strlen(want), "no reason given");

    sim_err later = {0};
    cr_assert_eq(ana_h5w_attr_i64(w, "/", "small", 1, &later), SIM_EIO);
    snprintf(want, sizeof want, "%s: an earlier error left the file unusable",
             path);
    cr_assert_str_eq(later.msg, want);
    sim_err_clear(&later);
    cr_assert_eq(ana_h5w_commit(w, &later), SIM_EIO);
    cr_assert_str_eq(later.msg, want);
    listing(names, sizeof names);
    cr_assert_str_eq(names, "", "left behind: %s", names);
    ana_h5w_free(w);
}

Test(h5w, first_error_wins_in_the_message)
{
    char path[128];
    in_dir(path, sizeof path, "out.h5");
    ana_h5w *w = new_writer(path, false);
    sim_err err = {0};
    cr_assert_eq(ana_h5w_attr_f64(w, "/missing", "a", 1, &err), SIM_EINVAL);
    cr_assert_eq(ana_h5w_attr_f64(w, "/other", "a", 1, &err), SIM_EINVAL);
    cr_assert(strstr(err.msg, "/missing"), "got: %s", err.msg);
    ana_h5w_free(w);
}

/* ---- h5py and xarray, when installed ---------------------------------- */

static const char py_check[] =
    "import sys\n"
    "import h5py\n"
    "f = h5py.File(sys.argv[1], 'r')\n"
    "a = f.attrs['aims_version']\n"
    "assert isinstance(a, str) and a == '0.1.0', repr(a)\n"
    "assert f.attrs['seed'] == 9007199254740993, f.attrs['seed']\n"
    "d = f['series/channel_count']\n"
    "assert d.shape == (3, 5, 7), d.shape\n"
    "assert [dim.label or list(dim.keys())[0] for dim in d.dims] == \\\n"
    "    ['replication', 'time', 'channel'], [list(x.keys()) for x in "
    "d.dims]\n"
    "ch = list(f['channel'].asstr()[()])\n"
    "assert ch[3] == 'onshore' and len(ch) == 7, ch\n"
    "assert f['series/revenue'].attrs['units'] == 'USD per month'\n"
    "f.close()\n"
    "try:\n"
    "    import xarray as xr, h5netcdf\n"
    "except ImportError:\n"
    "    print('no xarray'); sys.exit(0)\n"
    "ds = xr.open_dataset(sys.argv[1], engine='h5netcdf')\n"
    "assert ds['time'].attrs['units'] == 'months', ds['time'].attrs\n"
    "names = [str(x) for x in ds['actor'].values]\n"
    "assert all(isinstance(x, str) for x in ds['actor'].values), "
    "ds['actor'].values\n"
    "assert names[2] == '\\u4e16\\u7eaa\\u4e92\\u8054', names\n"
    "s = xr.open_dataset(sys.argv[1], engine='h5netcdf', group='series')\n"
    "assert s['channel_count'].dims == ('replication', 'time', 'channel'), "
    "s['channel_count'].dims\n"
    "assert s['revenue'].dims == ('replication', 'time', 'actor')\n"
    "assert int(s['channel_count'][2, 4, 6]) == 3000000000406\n"
    "print('xarray ok')\n";

Test(h5w, h5py_and_xarray_read_names_shapes_and_strings)
{
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-h5py is not installed");
    char path[128], script[128], out[128], cmd[512], text[4096];
    in_dir(path, sizeof path, "out.h5");
    in_dir(script, sizeof script, "check.py");
    in_dir(out, sizeof out, "check.out");
    write_sample_file(path);
    put_file(script, py_check);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s >%s 2>&1", script, path,
             out);
    int st = system(cmd);
    get_file(out, text, sizeof text);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "python said:\n%s", text);
    /* xarray is optional; when it is there, its check must have run. */
    bool have_xr = system("/usr/bin/python3 -c 'import xarray, h5netcdf' "
                          ">/dev/null 2>&1") == 0;
    cr_assert(strstr(text, have_xr ? "xarray ok" : "no xarray"),
              "python said:\n%s", text);
}
