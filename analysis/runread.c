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

/* The axes of an object, by the coordinate each follows. */
typedef enum {
    AX_SCALE, /* a coordinate itself: 1-D, its own length */
    AX_R,
    AX_RA,
    AX_RT,
    AX_RTC,
    AX_RTA
} axes;

typedef enum { K_F64, K_I64, K_STR } kind;

typedef struct {
    const char *path;
    axes ax;
    kind k;
} object;

/* In ana_run_object order. */
static const object objects[] = {
    {"/time", AX_SCALE, K_F64},
    {"/replication", AX_SCALE, K_I64},
    {"/channel", AX_SCALE, K_STR},
    {"/actor", AX_SCALE, K_STR},
    {"/series/channel_count", AX_RTC, K_F64},
    {"/series/revenue", AX_RTA, K_F64},
    {"/series/payments", AX_RT, K_F64},
    {"/series/adopters", AX_RT, K_F64},
    {"/series/frontier_access_share", AX_RT, K_F64},
    {"/series/switches", AX_RT, K_F64},
    {"/series/detections", AX_RT, K_F64},
    {"/series/days_without_access", AX_RT, K_F64},
    {"/series/capability_gap", AX_RT, K_F64},
    {"/summary/cumulative_revenue", AX_RA, K_F64},
    {"/summary/final_frontier_access_share", AX_R, K_F64},
    {"/summary/months_to_half_access", AX_R, K_F64},
    {"/summary/events", AX_R, K_I64},
};
_Static_assert(sizeof objects / sizeof objects[0] == ANA_RUN_N_OBJECTS,
               "one entry per ana_run_object");

/* The root attributes of the layout: not copied into `extra`. */
static const char *const layout_attrs[] = {
    "format",        "format_version", "aims_version", "git_commit",
    "scenario_file", "scenario_name",  "scenario",     "seed",
    "replications",  "horizon_months", "start",        "created"};

const char *ana_run_object_path(int obj)
{
    return obj >= 0 && obj < ANA_RUN_N_OBJECTS ? objects[obj].path : NULL;
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
    if (run->format_version < 1 ||
        run->format_version > ANA_RUN_FORMAT_VERSION)
        return sim_err_set(rd->err, SIM_EINPUT,
                           "%s: format_version %lld, this aims reads 1 .. "
                           "%d (a newer aims wrote it?)",
                           rd->path, (long long)run->format_version,
                           ANA_RUN_FORMAT_VERSION);
    return SIM_OK;
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

/* The lengths an object's axes must have, and how to say so. */
static int expected_dims(const ana_run *run, axes ax, hsize_t *dims,
                         const char **names)
{
    dims[0] = run->reps;
    names[0] = "replication";
    switch (ax) {
    case AX_SCALE:
        return 1; /* checked by the caller */
    case AX_R:
        return 1;
    case AX_RA:
        dims[1] = run->n_actors;
        names[1] = "actor";
        return 2;
    case AX_RT:
    case AX_RTC:
    case AX_RTA:
        break;
    }
    dims[1] = run->months;
    names[1] = "time";
    if (ax == AX_RT)
        return 2;
    dims[2] = ax == AX_RTC ? run->n_channels : run->n_actors;
    names[2] = ax == AX_RTC ? "channel" : "actor";
    return 3;
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
    hsize_t got[H5S_MAX_RANK], want[3];
    const char *names[3];
    int rank = H5Sget_simple_extent_ndims(sp);
    if (rank < 0 || H5Sget_simple_extent_dims(sp, got, NULL) < 0) {
        rc = h5_fail(rd, o->path);
        goto done;
    }
    int want_rank = expected_dims(rd->run, o->ax, want, names);
    if (o->ax == AX_SCALE && rank == 1)
        want[0] = got[0];
    bool same = rank == want_rank;
    for (int i = 0; same && i < rank; i++)
        same = got[i] == want[i];
    if (!same && o->ax == AX_SCALE) {
        rc = sim_err_set(rd->err, SIM_EINPUT,
                         "%s: %s: expected 1 axis, got %d", rd->path,
                         o->path, rank);
        goto done;
    }
    if (!same) {
        char g[96], w[96], axes_text[64] = "";
        dims_text(g, sizeof g, rank, got);
        dims_text(w, sizeof w, want_rank, want);
        size_t at = 0;
        for (int i = 0; i < want_rank; i++)
            at += (size_t)snprintf(axes_text + at, sizeof axes_text - at,
                                   "%s%s", i ? ", " : "[", names[i]);
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

/* Reads string scale obj (variable- or fixed-length) into a new array of
 * new strings. */
static int read_strings(reader *rd, int obj, char ***out, size_t *count)
{
    ana_h5r r = h5(rd);
    return ana_h5r_read_strings(&r, objects[obj].path, SIZE_MAX, out, count);
}

/* The four coordinates, checked against the attributes that state them. */
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
    if ((rc = read_strings(rd, ANA_RUN_CHANNEL, &run->channels,
                           &run->n_channels)) ||
        (rc = read_strings(rd, ANA_RUN_ACTOR, &run->actors, &run->n_actors)))
        return rc;
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
    case ANA_RUN_CUMULATIVE_REVENUE:
        return &run->cumulative_revenue;
    case ANA_RUN_FINAL_FRONTIER_ACCESS_SHARE:
        return &run->final_frontier_access_share;
    case ANA_RUN_MONTHS_TO_HALF_ACCESS:
        return &run->months_to_half_access;
    default:
        return NULL;
    }
}

static int read_data(reader *rd)
{
    ana_run *run = rd->run;
    for (int obj = ANA_RUN_ACTOR + 1; obj < ANA_RUN_N_OBJECTS; obj++) {
        size_t n;
        void *buf = NULL;
        bool f64 = objects[obj].k == K_F64;
        int rc = read_numbers(rd, obj,
                              f64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64,
                              &buf, &n);
        if (rc != SIM_OK)
            return rc;
        if (f64)
            *f64_field(run, obj) = buf;
        else
            run->events = buf; /* the only int64 data set */
    }
    return SIM_OK;
}

/* units and long_name of every object, /time's start. */
static int read_descriptions(reader *rd)
{
    ana_run *run = rd->run;
    int rc = SIM_OK;
    for (int obj = 0; rc == SIM_OK && obj < ANA_RUN_N_OBJECTS; obj++) {
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
    rc = SIM_OK;
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
    free_strings(run->channels, run->n_channels);
    free_strings(run->actors, run->n_actors);
    for (int obj = ANA_RUN_ACTOR + 1; obj < ANA_RUN_N_OBJECTS; obj++)
        if (f64_field(run, obj) != NULL)
            free(*f64_field(run, obj));
    free(run->events);
    for (int obj = 0; obj < ANA_RUN_N_OBJECTS; obj++) {
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

int ana_run_metrics(const ana_run *run, ana_run_metric **out, size_t *n,
                    sim_err *err)
{
    size_t none = run->n_channels; /* index of "none", if any */
    for (size_t c = 0; c < run->n_channels; c++)
        if (strcmp(run->channels[c], "none") == 0)
            none = c;
    size_t total = 2 + run->n_channels + run->n_actors;
    if (none < run->n_channels)
        total--;
    ana_run_metric *m = calloc(total, sizeof *m);
    if (m == NULL)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", run->path);
    size_t k = 0, reps = run->reps, last = run->months - 1,
           nch = run->n_channels;
    for (size_t i = 0; i < total; i++)
        if ((m[i].x = malloc(reps * sizeof *m[i].x)) == NULL)
            goto nomem;
    if ((m[k].name = metric_name("final_frontier_access_share", NULL)) ==
        NULL)
        goto nomem;
    m[k].units = "1";
    for (size_t r = 0; r < reps; r++)
        m[k].x[r] = run->final_frontier_access_share[r];
    k++;
    for (size_t c = 0; c < nch; c++) {
        if (c == none)
            continue;
        if ((m[k].name = metric_name("final_channel_share",
                                     run->channels[c])) == NULL)
            goto nomem;
        m[k].units = "1";
        for (size_t r = 0; r < reps; r++) {
            size_t at = r * run->months + last; /* [r][last] */
            double adopters = run->adopters[at];
            m[k].x[r] = adopters > 0
                            ? run->channel_count[at * nch + c] / adopters
                            : (double)NAN;
        }
        k++;
    }
    for (size_t a = 0; a < run->n_actors; a++) {
        if ((m[k].name = metric_name("cumulative_revenue",
                                     run->actors[a])) == NULL)
            goto nomem;
        m[k].units = "USD";
        for (size_t r = 0; r < reps; r++)
            m[k].x[r] = run->cumulative_revenue[r * run->n_actors + a];
        k++;
    }
    if ((m[k].name = metric_name("months_to_half_access", NULL)) == NULL)
        goto nomem;
    m[k].units = "months";
    for (size_t r = 0; r < reps; r++)
        m[k].x[r] = run->months_to_half_access[r];
    k++;
    *out = m;
    *n = k;
    return SIM_OK;
nomem:
    ana_run_metrics_free(m, total);
    return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", run->path);
}
