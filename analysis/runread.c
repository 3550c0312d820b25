/* runread.c -- reads back the HDF5 file of one `aims run` (see runread.h).
 *
 * The reader trusts nothing in the file: every length it allocates by comes
 * from the file, so each axis is checked against the root attributes that
 * state it (replications, horizon_months) and each data set against the
 * axes, before anything is read. A file that fails a check is bad input
 * with a one-line message, never an assertion: it came from outside.
 *
 * The checks every outside HDF5 file gets (signature, truncation, one-line
 * messages) are in h5r.c, shared with the sweep file reader.
 *
 * The layout's object paths come from one table (objects[]), in the order
 * of ana_run_object, so the reader cannot disagree with itself about which
 * data set has which axes; that the table agrees with the writer is what
 * tests/test_runread.c checks, writing with ana_runfile_* and reading back.
 */
#include "runread.h"

#include "h5r.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

/* The axes a data set's dimensions follow, each a coordinate of the file
 * (read first, by read_scales). */
typedef enum {
    D_REP,
    D_TIME,
    D_CHANNEL,
    D_ACTOR,
    D_VENDOR,
    D_OPTION,
    D_SEGMENT,
    D_SECTOR,
    D_ACCOUNT,
    D_N
} dim;

static const char *const dim_name[D_N] = {
    "replication", "time",    "channel", "actor",  "vendor",
    "option",      "segment", "sector",  "account"};

typedef enum { K_F64, K_I64, K_STR } kind;

enum { MAX_RANK = ANA_RUN_MAX_RANK };

/* A coordinate (scale) is 1-D and defines the length of axis dims[0];
 * every other object has the lengths of its axes, read first. `since` is
 * the first format_version with the object (2: the outputs of issue 12). */
typedef struct {
    const char *path;
    bool scale;
    kind k;
    int rank;
    dim dims[MAX_RANK];
    int since;
} object;

#define R_ {D_REP}
#define RT {D_REP, D_TIME}
#define RTC {D_REP, D_TIME, D_CHANNEL}
#define RTSS {D_REP, D_TIME, D_SEGMENT, D_SECTOR}

/* In ana_run_object order. */
static const object objects[] = {
    {"/time", true, K_F64, 1, {D_TIME}, 1},
    {"/replication", true, K_I64, 1, {D_REP}, 1},
    {"/channel", true, K_STR, 1, {D_CHANNEL}, 1},
    {"/actor", true, K_STR, 1, {D_ACTOR}, 1},
    {"/vendor", true, K_STR, 1, {D_VENDOR}, 2},
    {"/option", true, K_STR, 1, {D_OPTION}, 2},
    {"/segment", true, K_STR, 1, {D_SEGMENT}, 2},
    {"/sector", true, K_STR, 1, {D_SECTOR}, 2},
    {"/account", true, K_STR, 1, {D_ACCOUNT}, 2},
    {"/options/channel", false, K_STR, 1, {D_OPTION}, 2},
    {"/options/vendor", false, K_STR, 1, {D_OPTION}, 2},
    {"/options/intermediary", false, K_STR, 1, {D_OPTION}, 2},
    {"/accounts/sector", false, K_STR, 1, {D_ACCOUNT}, 2},
    {"/series/channel_count", false, K_F64, 3, RTC, 1},
    {"/series/revenue", false, K_F64, 3, {D_REP, D_TIME, D_ACTOR}, 1},
    {"/series/payments", false, K_F64, 2, RT, 1},
    {"/series/adopters", false, K_F64, 2, RT, 1},
    {"/series/frontier_access_share", false, K_F64, 2, RT, 1},
    {"/series/switches", false, K_F64, 2, RT, 1},
    {"/series/detections", false, K_F64, 2, RT, 1},
    {"/series/days_without_access", false, K_F64, 2, RT, 1},
    {"/series/capability_gap", false, K_F64, 2, RT, 1},
    {"/series/frontier_access_index", false, K_F64, 2, RT, 2},
    {"/series/channel_count_by_sector", false, K_F64, 5,
     {D_REP, D_TIME, D_SEGMENT, D_SECTOR, D_CHANNEL}, 2},
    {"/series/tokens", false, K_F64, 5,
     {D_REP, D_TIME, D_OPTION, D_SEGMENT, D_SECTOR}, 2},
    {"/series/tokens_by_vendor", false, K_F64, 3, {D_REP, D_TIME, D_VENDOR},
     2},
    {"/series/tokens_by_channel", false, K_F64, 3, RTC, 2},
    {"/series/tokens_by_sector", false, K_F64, 4, RTSS, 2},
    {"/series/account_option", false, K_I64, 3, {D_REP, D_TIME, D_ACCOUNT},
     2},
    {"/summary/cumulative_revenue", false, K_F64, 2, {D_REP, D_ACTOR}, 1},
    {"/summary/final_frontier_access_share", false, K_F64, 1, R_, 1},
    {"/summary/months_to_half_access", false, K_F64, 1, R_, 1},
    {"/summary/final_frontier_access_index", false, K_F64, 1, R_, 2},
    {"/summary/final_channel_share", false, K_F64, 2, {D_REP, D_CHANNEL}, 2},
    {"/series/compliance_cost", false, K_F64, 3, {D_REP, D_TIME, D_ACTOR}, 2},
    {"/summary/events", false, K_I64, 1, R_, 1},
};
_Static_assert(sizeof objects / sizeof objects[0] == ANA_RUN_N_OBJECTS,
               "one entry per ana_run_object");

#undef R_
#undef RT
#undef RTC
#undef RTSS

/* The root attributes of the layout: not copied into `extra`. */
static const char *const layout_attrs[] = {
    "format",         "format_version",      "aims_version",
    "git_commit",     "scenario_file",       "scenario_name",
    "scenario",       "seed",                "replications",
    "horizon_months", "start",               "created",
    "final_window_months", "frontier_tolerance", "frontier_tau"};

const char *ana_run_object_path(int obj)
{
    return obj >= 0 && obj < ANA_RUN_N_OBJECTS ? objects[obj].path : NULL;
}

int ana_run_object_axes(int obj, const char *axes[ANA_RUN_MAX_RANK])
{
    if (obj < 0 || obj >= ANA_RUN_N_OBJECTS)
        return 0;
    for (int k = 0; k < objects[obj].rank; k++)
        axes[k] = dim_name[objects[obj].dims[k]];
    return objects[obj].rank;
}

/* ---- errors ----------------------------------------------------------- */

/* The reading in progress. */
typedef struct {
    const char *path;
    hid_t file;
    ana_run *run;
    sim_err *err;
} reader;

/* The shared reading layer (h5r.h) on this reader's file. */
static ana_h5r h5(const reader *rd)
{
    return (ana_h5r){.path = rd->path, .file = rd->file, .err = rd->err};
}

static int h5_fail(reader *rd, const char *what)
{
    ana_h5r r = h5(rd);
    return ana_h5r_fail(&r, what);
}

static int no_memory(reader *rd)
{
    ana_h5r r = h5(rd);
    return ana_h5r_no_memory(&r);
}

static int attr_str(reader *rd, hid_t obj, const char *objpath,
                    const char *name, char **out)
{
    ana_h5r r = h5(rd);
    return ana_h5r_attr_str(&r, obj, objpath, name, out);
}

static int attr_i64(reader *rd, const char *name, int64_t *out)
{
    ana_h5r r = h5(rd);
    return ana_h5r_attr_i64(&r, name, out);
}

/* format = "aims-run", format_version <= ours: anything else is not a file
 * this reader understands, whatever else it holds. */
static int check_format(reader *rd)
{
    ana_run *run = rd->run;
    int rc = attr_str(rd, rd->file, "/", "format", &run->format);
    if (rc != SIM_OK)
        return rc;
    if (run->format == NULL)
        return sim_err_set(rd->err, SIM_EINPUT,
                           "%s: not aims output (HDF5, but no 'format' "
                           "attribute; expected format = \"aims-run\")",
                           rd->path);
    if (strcmp(run->format, "aims-run") != 0)
        return sim_err_set(rd->err, SIM_EINPUT,
                           "%s: not aims run output (format = \"%.64s\", "
                           "expected \"aims-run\")",
                           rd->path, run->format);
    if ((rc = attr_i64(rd, "format_version", &run->format_version)))
        return rc;
    /* Version 1 is read as far as it goes and refused at the end
     * (old_version): a damaged old file then meets the same checks, and
     * the same containment of HDF5's own crashes, as it always did. */
    if (run->format_version < 1 ||
        run->format_version > ANA_RUN_FORMAT_VERSION)
        return sim_err_set(rd->err, SIM_EINPUT,
                           "%s: format_version %lld, this aims reads %d (a "
                           "newer aims wrote it?)",
                           rd->path, (long long)run->format_version,
                           ANA_RUN_FORMAT_VERSION);
    return SIM_OK;
}

/* Whether the file's version has object obj. */
static bool present(const reader *rd, int obj)
{
    return objects[obj].since <= rd->run->format_version;
}

/* The refusal of a file of an older format_version, once it has been read
 * as far as its version goes. */
static int old_version(reader *rd)
{
    return sim_err_set(rd->err, SIM_EINPUT,
                       "%s: format_version %lld, written by an older aims "
                       "(no tokens, segments or large accounts; final "
                       "metrics of the last month only); this aims reads "
                       "format_version %d: run the scenario again",
                       rd->path, (long long)rd->run->format_version,
                       ANA_RUN_FORMAT_VERSION);
}

/* A required scalar number attribute of the root, read as a double. */
static int attr_f64(reader *rd, const char *name, double *out)
{
    char what[256];
    snprintf(what, sizeof what, "attribute '%s'", name);
    htri_t there = H5Aexists(rd->file, name);
    if (there < 0)
        return h5_fail(rd, what);
    if (!there)
        return sim_err_set(rd->err, SIM_EINPUT,
                           "%s: no '%s' attribute (expected a number); "
                           "damaged aims output?",
                           rd->path, name);
    hid_t a = H5Aopen(rd->file, name, H5P_DEFAULT);
    if (a < 0)
        return h5_fail(rd, what);
    int rc = SIM_OK;
    hid_t ft = H5Aget_type(a), sp = H5Aget_space(a);
    hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    H5T_class_t cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
    if (ft < 0 || sp < 0)
        rc = h5_fail(rd, what);
    else if (np != 1 || (cls != H5T_FLOAT && cls != H5T_INTEGER))
        rc = sim_err_set(rd->err, SIM_EINPUT, "%s: %s: expected a number",
                         rd->path, what);
    else if (H5Aread(a, H5T_NATIVE_DOUBLE, out) < 0)
        rc = h5_fail(rd, what);
    if (sp >= 0)
        H5Sclose(sp);
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

static int read_root_attrs(reader *rd)
{
    ana_run *run = rd->run;
    struct {
        const char *name;
        char **field;
    } strs[] = {{"aims_version", &run->aims_version},
                {"git_commit", &run->git_commit},
                {"scenario_file", &run->scenario_file},
                {"scenario_name", &run->scenario_name},
                {"scenario", &run->scenario},
                {"start", &run->start},
                {"created", &run->created}};
    int rc;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if ((rc = attr_str(rd, rd->file, "/", strs[i].name, strs[i].field)))
            return rc;
    if ((rc = attr_i64(rd, "seed", &run->seed)) ||
        (rc = attr_i64(rd, "replications", &run->replications)) ||
        (rc = attr_i64(rd, "horizon_months", &run->horizon_months)))
        return rc;
    if (run->format_version < 2)
        return SIM_OK;
    if ((rc = attr_i64(rd, "final_window_months",
                       &run->final_window_months)) ||
        (rc = attr_f64(rd, "frontier_tolerance", &run->frontier_tolerance)) ||
        (rc = attr_f64(rd, "frontier_tau", &run->frontier_tau)))
        return rc;
    return SIM_OK;
}

/* H5Aiterate2 callback: keeps a scalar string, integer or float root
 * attribute that is not in the layout. Returns -1 (stop) on an error,
 * recorded in rd. */
static herr_t keep_extra(hid_t obj, const char *name, const H5A_info_t *info,
                         void *data)
{
    (void)info;
    reader *rd = data;
    for (size_t i = 0; i < sizeof layout_attrs / sizeof layout_attrs[0]; i++)
        if (strcmp(name, layout_attrs[i]) == 0)
            return 0;
    char what[256];
    snprintf(what, sizeof what, "attribute '%s'", name);
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t sp = a >= 0 ? H5Aget_space(a) : -1;
    hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (np != 1) {
        /* Not a single value: not ours to understand, so not an error. */
        H5Eclear2(H5E_DEFAULT);
        if (a >= 0)
            H5Aclose(a);
        return 0;
    }
    ana_run *run = rd->run;
    hid_t ft = H5Aget_type(a);
    H5T_class_t cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
    ana_run_attr x = {0};
    int rc = SIM_OK;
    bool keep = true;
    if (cls == H5T_STRING) {
        x.type = ANA_RUN_ATTR_STR;
        rc = attr_str(rd, obj, "/", name, &x.s);
    } else if (cls == H5T_INTEGER) {
        x.type = ANA_RUN_ATTR_I64;
        if (H5Aread(a, H5T_NATIVE_INT64, &x.i) < 0)
            rc = h5_fail(rd, what);
    } else if (cls == H5T_FLOAT) {
        x.type = ANA_RUN_ATTR_F64;
        if (H5Aread(a, H5T_NATIVE_DOUBLE, &x.f) < 0)
            rc = h5_fail(rd, what);
    } else {
        keep = false;
    }
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    if (rc != SIM_OK || !keep) {
        free(x.s);
        return rc != SIM_OK ? -1 : 0;
    }
    ana_run_attr *grown =
        realloc(run->extra, (run->n_extra + 1) * sizeof *run->extra);
    if (grown == NULL || (x.name = strdup(name)) == NULL) {
        if (grown != NULL)
            run->extra = grown;
        free(x.s);
        no_memory(rd);
        return -1;
    }
    run->extra = grown;
    run->extra[run->n_extra++] = x;
    return 0;
}

static int read_extras(reader *rd)
{
    hsize_t idx = 0;
    herr_t st = H5Aiterate2(rd->file, H5_INDEX_NAME, H5_ITER_INC, &idx,
                            keep_extra, rd);
    if (st < 0 && rd->err->status == SIM_OK)
        return h5_fail(rd, "root attributes");
    return rd->err->status;
}

/* ---- data sets --------------------------------------------------------- */

/* The length of axis d, as read from its coordinate. */
static size_t axis_len(const ana_run *run, dim d)
{
    switch (d) {
    case D_REP:
        return run->reps;
    case D_TIME:
        return run->months;
    case D_CHANNEL:
        return run->n_channels;
    case D_ACTOR:
        return run->n_actors;
    case D_VENDOR:
        return run->n_vendors;
    case D_OPTION:
        return run->n_options;
    case D_SEGMENT:
        return run->n_segments;
    case D_SECTOR:
        return run->n_sectors;
    case D_ACCOUNT:
        return run->n_accounts;
    case D_N:
        break;
    }
    return 0;
}

/* "[20, 60, 9]" into buf. */
static void dims_text(char *buf, size_t n, int rank, const hsize_t *d)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < rank && at < n; i++)
        at += (size_t)snprintf(buf + at, n - at, "%s%llu", i ? ", " : "[",
                               (unsigned long long)d[i]);
    if (at < n)
        snprintf(buf + at, n - at, "]");
}

/* Opens object obj, checks its class and its shape (a scale: one axis of
 * any length; a data set: the lengths of its coordinates, read first) and
 * sets *count to its number of elements. *dset is >= 0 on success; the
 * caller closes it. */
static int open_object(reader *rd, int obj, hid_t *dset, size_t *count)
{
    const object *o = &objects[obj];
    *dset = -1;
    htri_t there = H5Lexists(rd->file, o->path, H5P_DEFAULT);
    /* H5Lexists fails, rather than says no, when a parent group is
     * missing ("/series/..." in a file with no /series). */
    if (there <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return sim_err_set(rd->err, SIM_EINPUT,
                           "%s: no %s data set; damaged aims output?",
                           rd->path, o->path);
    }
    if ((*dset = H5Dopen2(rd->file, o->path, H5P_DEFAULT)) < 0)
        return h5_fail(rd, o->path);
    int rc = SIM_OK;
    hid_t ft = H5Dget_type(*dset), sp = H5Dget_space(*dset);
    if (ft < 0 || sp < 0) {
        rc = h5_fail(rd, o->path);
        goto done;
    }
    H5T_class_t cls = H5Tget_class(ft);
    bool ok = o->k == K_STR   ? cls == H5T_STRING
              : o->k == K_I64 ? cls == H5T_INTEGER
                              : cls == H5T_FLOAT || cls == H5T_INTEGER;
    if (!ok) {
        rc = sim_err_set(rd->err, SIM_EINPUT, "%s: %s: expected %s values",
                         rd->path, o->path,
                         o->k == K_STR   ? "string"
                         : o->k == K_I64 ? "integer"
                                         : "numeric");
        goto done;
    }
    hsize_t got[H5S_MAX_RANK], want[MAX_RANK];
    int rank = H5Sget_simple_extent_ndims(sp);
    if (rank < 0 || H5Sget_simple_extent_dims(sp, got, NULL) < 0) {
        rc = h5_fail(rd, o->path);
        goto done;
    }
    for (int i = 0; i < o->rank; i++)
        want[i] = axis_len(rd->run, o->dims[i]);
    if (o->scale && rank == 1)
        want[0] = got[0];
    bool same = rank == o->rank;
    for (int i = 0; same && i < rank; i++)
        same = got[i] == want[i];
    if (!same && o->scale) {
        rc = sim_err_set(rd->err, SIM_EINPUT,
                         "%s: %s: expected 1 axis, got %d", rd->path,
                         o->path, rank);
        goto done;
    }
    if (!same) {
        char g[128], w[128], axes_text[96] = "";
        dims_text(g, sizeof g, rank, got);
        dims_text(w, sizeof w, o->rank, want);
        size_t at = 0;
        for (int i = 0; i < o->rank; i++)
            at += (size_t)snprintf(axes_text + at, sizeof axes_text - at,
                                   "%s%s", i ? ", " : "[",
                                   dim_name[o->dims[i]]);
        rc = sim_err_set(rd->err, SIM_EINPUT,
                         "%s: %s: expected %s] = %s, got %s", rd->path,
                         o->path, axes_text, w, g);
        goto done;
    }
    /* The element count, refused if it could not be allocated anyway. */
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (got[i] != 0 && n > SIZE_MAX / 16 / got[i]) {
            rc = sim_err_set(rd->err, SIM_EINPUT,
                             "%s: %s: too large to read", rd->path, o->path);
            goto done;
        }
        n *= (size_t)got[i];
    }
    *count = n;
done:
    if (ft >= 0)
        H5Tclose(ft);
    if (sp >= 0)
        H5Sclose(sp);
    if (rc != SIM_OK) {
        if (*dset >= 0)
            H5Dclose(*dset);
        *dset = -1;
    }
    return rc;
}

/* Reads numeric object obj whole, converted to mem (H5T_NATIVE_DOUBLE or
 * H5T_NATIVE_INT64), into a new array *out of *count values. */
static int read_numbers(reader *rd, int obj, hid_t mem, void **out,
                        size_t *count)
{
    hid_t d;
    int rc = open_object(rd, obj, &d, count);
    if (rc != SIM_OK)
        return rc;
    void *buf = malloc((*count ? *count : 1) * 8);
    if (buf == NULL)
        rc = no_memory(rd);
    else if (*count > 0 &&
             H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        rc = h5_fail(rd, objects[obj].path);
    H5Dclose(d);
    if (rc != SIM_OK)
        free(buf);
    else
        *out = buf;
    return rc;
}

/* Reads string object obj (variable- or fixed-length) into a new array of
 * new strings: a scale of any length, or a table as long as its axis. */
static int read_strings(reader *rd, int obj, char ***out, size_t *count)
{
    ana_h5r r = h5(rd);
    const object *o = &objects[obj];
    size_t want = o->scale ? SIZE_MAX : axis_len(rd->run, o->dims[0]);
    return ana_h5r_read_strings(&r, o->path, want, out, count);
}

/* Where each string object goes, by object; NULL for the others. *len is
 * where a scale's length goes (NULL for a table, as long as its axis). */
static char ***str_field(ana_run *run, int obj, size_t **len)
{
    *len = NULL;
    switch (obj) {
    case ANA_RUN_CHANNEL:
        *len = &run->n_channels;
        return &run->channels;
    case ANA_RUN_ACTOR:
        *len = &run->n_actors;
        return &run->actors;
    case ANA_RUN_VENDOR:
        *len = &run->n_vendors;
        return &run->vendors;
    case ANA_RUN_OPTION:
        *len = &run->n_options;
        return &run->options;
    case ANA_RUN_SEGMENT:
        *len = &run->n_segments;
        return &run->segments;
    case ANA_RUN_SECTOR:
        *len = &run->n_sectors;
        return &run->sectors;
    case ANA_RUN_ACCOUNT:
        *len = &run->n_accounts;
        return &run->accounts;
    case ANA_RUN_OPTION_CHANNEL:
        return &run->option_channel;
    case ANA_RUN_OPTION_VENDOR:
        return &run->option_vendor;
    case ANA_RUN_OPTION_INTERMEDIARY:
        return &run->option_intermediary;
    case ANA_RUN_ACCOUNT_SECTOR:
        return &run->account_sector;
    default:
        return NULL;
    }
}

/* The coordinates, checked against the attributes that state them, then
 * the string tables along them. */
static int read_scales(reader *rd)
{
    ana_run *run = rd->run;
    void *t = NULL, *r = NULL;
    int rc;
    if ((rc = read_numbers(rd, ANA_RUN_TIME, H5T_NATIVE_DOUBLE, &t,
                           &run->months)))
        return rc;
    run->time = t;
    if ((rc = read_numbers(rd, ANA_RUN_REPLICATION, H5T_NATIVE_INT64, &r,
                           &run->reps)))
        return rc;
    run->replication = r;
    for (int obj = 0; obj < ANA_RUN_N_OBJECTS; obj++) {
        size_t *len, n;
        char ***field = str_field(run, obj, &len);
        if (field == NULL || !objects[obj].scale || !present(rd, obj))
            continue;
        if ((rc = read_strings(rd, obj, field, &n)))
            return rc;
        *len = n;
    }
    if (run->reps == 0 || (int64_t)run->reps != run->replications)
        return sim_err_set(rd->err, SIM_EINPUT,
                           "%s: /replication holds %zu replications, the "
                           "'replications' attribute says %lld",
                           rd->path, run->reps, (long long)run->replications);
    if (run->months == 0 || (int64_t)run->months != run->horizon_months)
        return sim_err_set(rd->err, SIM_EINPUT,
                           "%s: /time holds %zu months, the "
                           "'horizon_months' attribute says %lld",
                           rd->path, run->months,
                           (long long)run->horizon_months);
    if (run->format_version >= 2 &&
        (run->final_window_months < 1 ||
         run->final_window_months > run->horizon_months))
        return sim_err_set(rd->err, SIM_EINPUT,
                           "%s: 'final_window_months' is %lld, expected 1 "
                           ".. %lld (horizon_months)",
                           rd->path, (long long)run->final_window_months,
                           (long long)run->horizon_months);
    for (int obj = 0; obj < ANA_RUN_N_OBJECTS; obj++) {
        size_t *len, n;
        char ***field = str_field(run, obj, &len);
        if (field == NULL || objects[obj].scale || !present(rd, obj))
            continue;
        if ((rc = read_strings(rd, obj, field, &n)))
            return rc;
    }
    return SIM_OK;
}

/* Where each float64 data set goes, by object; NULL for the others. */
static double **f64_field(ana_run *run, int obj)
{
    switch (obj) {
    case ANA_RUN_CHANNEL_COUNT:
        return &run->channel_count;
    case ANA_RUN_REVENUE:
        return &run->revenue;
    case ANA_RUN_PAYMENTS:
        return &run->payments;
    case ANA_RUN_ADOPTERS:
        return &run->adopters;
    case ANA_RUN_FRONTIER_ACCESS_SHARE:
        return &run->frontier_access_share;
    case ANA_RUN_SWITCHES:
        return &run->switches;
    case ANA_RUN_DETECTIONS:
        return &run->detections;
    case ANA_RUN_DAYS_WITHOUT_ACCESS:
        return &run->days_without_access;
    case ANA_RUN_CAPABILITY_GAP:
        return &run->capability_gap;
    case ANA_RUN_FRONTIER_ACCESS_INDEX:
        return &run->frontier_access_index;
    case ANA_RUN_CHANNEL_COUNT_BY_SECTOR:
        return &run->channel_count_by_sector;
    case ANA_RUN_TOKENS:
        return &run->tokens;
    case ANA_RUN_TOKENS_BY_VENDOR:
        return &run->tokens_by_vendor;
    case ANA_RUN_TOKENS_BY_CHANNEL:
        return &run->tokens_by_channel;
    case ANA_RUN_TOKENS_BY_SECTOR:
        return &run->tokens_by_sector;
    case ANA_RUN_CUMULATIVE_REVENUE:
        return &run->cumulative_revenue;
    case ANA_RUN_FINAL_FRONTIER_ACCESS_SHARE:
        return &run->final_frontier_access_share;
    case ANA_RUN_MONTHS_TO_HALF_ACCESS:
        return &run->months_to_half_access;
    case ANA_RUN_FINAL_FRONTIER_ACCESS_INDEX:
        return &run->final_frontier_access_index;
    case ANA_RUN_FINAL_CHANNEL_SHARE:
        return &run->final_channel_share;
    case ANA_RUN_COMPLIANCE_COST:
        return &run->compliance_cost;
    default:
        return NULL;
    }
}

/* Where each int64 data set goes, by object; NULL for the others. */
static int64_t **i64_field(ana_run *run, int obj)
{
    switch (obj) {
    case ANA_RUN_ACCOUNT_OPTION:
        return &run->account_option;
    case ANA_RUN_EVENTS:
        return &run->events;
    default:
        return NULL;
    }
}

static int read_data(reader *rd)
{
    ana_run *run = rd->run;
    for (int obj = 0; obj < ANA_RUN_N_OBJECTS; obj++) {
        const object *o = &objects[obj];
        if (o->scale || o->k == K_STR || !present(rd, obj))
            continue;
        size_t n;
        void *buf = NULL;
        bool f64 = o->k == K_F64;
        int rc = read_numbers(rd, obj,
                              f64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64,
                              &buf, &n);
        if (rc != SIM_OK)
            return rc;
        if (f64)
            *f64_field(run, obj) = buf;
        else
            *i64_field(run, obj) = buf;
    }
    return SIM_OK;
}

/* units and long_name of every object, /time's start. */
static int read_descriptions(reader *rd)
{
    ana_run *run = rd->run;
    int rc = SIM_OK;
    for (int obj = 0; rc == SIM_OK && obj < ANA_RUN_N_OBJECTS; obj++) {
        if (!present(rd, obj))
            continue;
        const char *path = objects[obj].path;
        hid_t d = H5Oopen(rd->file, path, H5P_DEFAULT);
        if (d < 0)
            return h5_fail(rd, path);
        if ((rc = attr_str(rd, d, path, "units", &run->desc[obj].units)) ==
            SIM_OK)
            rc = attr_str(rd, d, path, "long_name",
                          &run->desc[obj].long_name);
        if (rc == SIM_OK && obj == ANA_RUN_TIME)
            rc = attr_str(rd, d, path, "start", &run->time_start);
        H5Oclose(d);
    }
    return rc;
}

/* ---- ana_run_read ------------------------------------------------------ */

int ana_run_read(const char *path, ana_run **out, sim_err *err)
{
    if (path == NULL || out == NULL)
        return sim_err_set(err, SIM_EINVAL, "ana_run_read: NULL %s",
                           path == NULL ? "path" : "out");
    sim_err local = {0};
    sim_err *e = err != NULL ? err : &local;
    ana_h5r h;
    int rc = ana_h5r_open(&h, path, "an aims run file", e);
    ana_run *run = NULL;
    reader rd = {.path = path, .file = h.file, .run = NULL, .err = e};
    if (rc != SIM_OK)
        goto done;
    rd.run = run = calloc(1, sizeof *run);
    if (run == NULL || (run->path = strdup(path)) == NULL) {
        rc = no_memory(&rd);
        goto done;
    }
    if ((rc = check_format(&rd)) || (rc = read_root_attrs(&rd)) ||
        (rc = read_extras(&rd)) || (rc = read_scales(&rd)) ||
        (rc = read_data(&rd)) || (rc = read_descriptions(&rd)))
        goto done;
    rc = run->format_version < ANA_RUN_FORMAT_VERSION ? old_version(&rd)
                                                      : SIM_OK;
done:
    rc = ana_h5r_close(&h, rc);
    if (rc != SIM_OK) {
        ana_run_free(run);
        return rc;
    }
    *out = run;
    return SIM_OK;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

void ana_run_free(ana_run *run)
{
    if (run == NULL)
        return;
    char *strs[] = {run->path,          run->format,
                    run->aims_version,  run->git_commit,
                    run->scenario_file, run->scenario_name,
                    run->scenario,      run->start,
                    run->created,       run->time_start};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(strs[i]);
    for (size_t i = 0; i < run->n_extra; i++) {
        free(run->extra[i].name);
        free(run->extra[i].s);
    }
    free(run->extra);
    free(run->replication);
    free(run->time);
    for (int obj = 0; obj < ANA_RUN_N_OBJECTS; obj++) {
        size_t *len;
        char ***field = str_field(run, obj, &len);
        if (field == NULL)
            continue;
        /* A table is as long as its axis (read_strings checked it). */
        free_strings(*field, len != NULL
                                 ? *len
                                 : axis_len(run, objects[obj].dims[0]));
    }
    for (int obj = 0; obj < ANA_RUN_N_OBJECTS; obj++) {
        if (f64_field(run, obj) != NULL)
            free(*f64_field(run, obj));
        if (i64_field(run, obj) != NULL)
            free(*i64_field(run, obj));
        free(run->desc[obj].units);
        free(run->desc[obj].long_name);
    }
    free(run);
}

const ana_run_attr *ana_run_extra(const ana_run *run, const char *name)
{
    for (size_t i = 0; i < run->n_extra; i++)
        if (strcmp(run->extra[i].name, name) == 0)
            return &run->extra[i];
    return NULL;
}

/* ---- headline metrics -------------------------------------------------- */

void ana_run_metrics_free(ana_run_metric *m, size_t n)
{
    for (size_t i = 0; m != NULL && i < n; i++) {
        free(m[i].name);
        free(m[i].x);
    }
    free(m);
}

/* "HEAD:TAIL" (or HEAD alone) as a new string. */
static char *metric_name(const char *head, const char *tail)
{
    size_t nh = strlen(head), nt = tail ? strlen(tail) + 1 : 0;
    char *s = malloc(nh + nt + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, head, nh);
    if (tail) {
        s[nh] = ':';
        memcpy(s + nh + 1, tail, nt - 1);
    }
    s[nh + nt] = '\0';
    return s;
}

/* One metric: name HEAD[:TAIL], units, the values x[r * stride] of run's
 * replications. */
static int metric_set(ana_run_metric *m, const ana_run *run,
                      const char *head, const char *tail,
                      const char *units, const double *x, size_t stride)
{
    if ((m->name = metric_name(head, tail)) == NULL ||
        (m->x = malloc(run->reps * sizeof *m->x)) == NULL)
        return SIM_ENOMEM;
    m->units = units;
    for (size_t r = 0; r < run->reps; r++)
        m->x[r] = x[r * stride];
    return SIM_OK;
}

int ana_run_metrics(const ana_run *run, ana_run_metric **out, size_t *n,
                    sim_err *err)
{
    size_t nch = run->n_channels, na = run->n_actors;
    size_t total = 3 + nch + na;
    ana_run_metric *m = calloc(total, sizeof *m);
    if (m == NULL)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", run->path);
    size_t k = 0;
    int rc = metric_set(&m[k++], run, "final_frontier_access_share", NULL,
                        "1", run->final_frontier_access_share, 1);
    if (rc == SIM_OK)
        rc = metric_set(&m[k++], run, "final_frontier_access_index", NULL,
                        "1", run->final_frontier_access_index, 1);
    for (size_t c = 0; rc == SIM_OK && c < nch; c++)
        rc = metric_set(&m[k++], run, "final_channel_share",
                        run->channels[c], "1", run->final_channel_share + c,
                        nch);
    for (size_t a = 0; rc == SIM_OK && a < na; a++)
        rc = metric_set(&m[k++], run, "cumulative_revenue", run->actors[a],
                        "USD", run->cumulative_revenue + a, na);
    if (rc == SIM_OK)
        rc = metric_set(&m[k++], run, "months_to_half_access", NULL,
                        "months", run->months_to_half_access, 1);
    if (rc != SIM_OK) {
        ana_run_metrics_free(m, total);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", run->path);
    }
    *out = m;
    *n = k;
    return SIM_OK;
}
