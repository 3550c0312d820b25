/* export.c -- aims files as one CSV table (see export.h).
 *
 * The table has a fixed set of columns (col below); each kind of file fills
 * the cells it has, row by row, and a column is printed only when some row
 * that will be written fills it, which each kind decides before the header
 * from the file's shapes (a coordinate of length zero yields no rows, and
 * so no column). Readers are the existing ones (runread.h, sweepfile.h):
 * the export sees exactly what `aims report` sees, checked the same way.
 */
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h5r.h"
#include "runread.h"
#include "sweepfile.h"

/* ---- the table ---------------------------------------------------------- */

typedef enum {
    C_SCENARIO,
    C_POINT,
    C_STATUS,
    C_PARAMS, /* one column per sweep parameter */
    C_REPLICATION,
    C_VARIABLE,
    C_TIME,
    C_DATE,
    C_CHANNEL,
    C_ACTOR,
    C_VENDOR,
    C_OPTION,
    C_SEGMENT,
    C_SECTOR,
    C_ACCOUNT,
    C_VALUE,
    C_UNIT,
    C_N
} col;

static const char *const col_name[C_N] = {
    "scenario", "point",   "status", NULL,      "replication", "variable",
    "time",     "date",    "channel", "actor",  "vendor",      "option",
    "segment",  "sector",  "account", "value",  "unit"};

/* A coordinate axis of a run file and the column it fills. */
static const struct {
    const char *axis;
    col c;
} axis_col[] = {{"replication", C_REPLICATION}, {"time", C_TIME},
                {"channel", C_CHANNEL},         {"actor", C_ACTOR},
                {"vendor", C_VENDOR},           {"option", C_OPTION},
                {"segment", C_SEGMENT},         {"sector", C_SECTOR},
                {"account", C_ACCOUNT}};

static col column_of(const char *axis)
{
    for (size_t i = 0; i < sizeof axis_col / sizeof axis_col[0]; i++)
        if (strcmp(axis_col[i].axis, axis) == 0)
            return axis_col[i].c;
    return C_N;
}

enum { NUM = 40 }; /* room for any formatted number */

typedef struct {
    FILE *out;
    bool used[C_N];
    size_t n_params;
    char *const *params;        /* the parameter columns' names */
    const char *cell[C_N];      /* the row being built; NULL: empty */
    const double *param_values; /* [n_params] of the row; NULL: empty */
    /* wide form: the value columns after the fixed ones */
    size_t n_wide;
    char **wide_names;
    const char **wide_cells;
} table;

/* RFC 4180: quoted only when it holds a comma, quote or line break. */
static void put_text(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The shortest of %.15g and %.17g that reads back as v (0.1 stays "0.1");
 * "NaN", "Inf", "-Inf", which pandas and R's read.csv both read as the
 * numbers they are. */
static const char *fmt_double(char buf[NUM], double v)
{
    if (isnan(v))
        return "NaN";
    if (isinf(v))
        return v > 0 ? "Inf" : "-Inf";
    snprintf(buf, NUM, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, NUM, "%.17g", v);
    return buf;
}

static const char *fmt_i64(char buf[NUM], int64_t v)
{
    snprintf(buf, NUM, "%" PRId64, v);
    return buf;
}

static void put_header(table *t)
{
    const char *sep = "";
    for (int c = 0; c < C_N; c++) {
        if (!t->used[c])
            continue;
        if (c == C_PARAMS) {
            for (size_t k = 0; k < t->n_params; k++) {
                fputs(sep, t->out);
                put_text(t->out, t->params[k]);
                sep = ",";
            }
            continue;
        }
        fputs(sep, t->out);
        put_text(t->out, col_name[c]);
        sep = ",";
    }
    for (size_t k = 0; k < t->n_wide; k++) {
        fputs(sep, t->out);
        put_text(t->out, t->wide_names[k]);
        sep = ",";
    }
    fputc('\n', t->out);
}

static void put_row(table *t)
{
    const char *sep = "";
    char buf[NUM];
    for (int c = 0; c < C_N; c++) {
        if (!t->used[c])
            continue;
        if (c == C_PARAMS) {
            for (size_t k = 0; k < t->n_params; k++) {
                fputs(sep, t->out);
                if (t->param_values != NULL)
                    fputs(fmt_double(buf, t->param_values[k]), t->out);
                sep = ",";
            }
            continue;
        }
        fputs(sep, t->out);
        if (t->cell[c] != NULL)
            put_text(t->out, t->cell[c]);
        sep = ",";
    }
    for (size_t k = 0; k < t->n_wide; k++) {
        fputs(sep, t->out);
        if (t->wide_cells[k] != NULL)
            fputs(t->wide_cells[k], t->out);
        sep = ",";
    }
    fputc('\n', t->out);
}

/* The calendar month of month end t (1 = the start month), "YYYY-MM";
 * NULL when start is not YYYY-MM or t not a whole month. */
static const char *month_date(char buf[NUM], const char *start, double t)
{
    int y, m;
    char tail;
    if (start == NULL || sscanf(start, "%4d-%2d%c", &y, &m, &tail) != 2 ||
        m < 1 || m > 12 || !(t >= 1 && t <= 1e6) || t != floor(t))
        return NULL;
    long k = (long)y * 12 + (m - 1) + (long)t - 1;
    snprintf(buf, NUM, "%04ld-%02ld", k / 12, k % 12 + 1);
    return buf;
}

static int out_of_memory(sim_err *err)
{
    return sim_err_set(err, SIM_ENOMEM, "out of memory");
}

/* ---- run files ---------------------------------------------------------- */

/* The values of data set obj of run: doubles or integers. */
typedef struct {
    const double *f;
    const int64_t *i;
} values;

static values run_values(const ana_run *run, int obj)
{
    values v = {NULL, NULL};
    switch ((ana_run_object)obj) {
    case ANA_RUN_CHANNEL_COUNT: v.f = run->channel_count; break;
    case ANA_RUN_REVENUE: v.f = run->revenue; break;
    case ANA_RUN_PAYMENTS: v.f = run->payments; break;
    case ANA_RUN_ADOPTERS: v.f = run->adopters; break;
    case ANA_RUN_FRONTIER_ACCESS_SHARE: v.f = run->frontier_access_share; break;
    case ANA_RUN_SWITCHES: v.f = run->switches; break;
    case ANA_RUN_DETECTIONS: v.f = run->detections; break;
    case ANA_RUN_DAYS_WITHOUT_ACCESS: v.f = run->days_without_access; break;
    case ANA_RUN_CAPABILITY_GAP: v.f = run->capability_gap; break;
    case ANA_RUN_FRONTIER_ACCESS_INDEX: v.f = run->frontier_access_index; break;
    case ANA_RUN_CHANNEL_COUNT_BY_SECTOR:
        v.f = run->channel_count_by_sector;
        break;
    case ANA_RUN_TOKENS: v.f = run->tokens; break;
    case ANA_RUN_TOKENS_BY_VENDOR: v.f = run->tokens_by_vendor; break;
    case ANA_RUN_TOKENS_BY_CHANNEL: v.f = run->tokens_by_channel; break;
    case ANA_RUN_TOKENS_BY_SECTOR: v.f = run->tokens_by_sector; break;
    case ANA_RUN_ACCOUNT_OPTION: v.i = run->account_option; break;
    case ANA_RUN_CUMULATIVE_REVENUE: v.f = run->cumulative_revenue; break;
    case ANA_RUN_FINAL_FRONTIER_ACCESS_SHARE:
        v.f = run->final_frontier_access_share;
        break;
    case ANA_RUN_MONTHS_TO_HALF_ACCESS: v.f = run->months_to_half_access; break;
    case ANA_RUN_FINAL_FRONTIER_ACCESS_INDEX:
        v.f = run->final_frontier_access_index;
        break;
    case ANA_RUN_FINAL_CHANNEL_SHARE: v.f = run->final_channel_share; break;
    case ANA_RUN_COMPLIANCE_COST: v.f = run->compliance_cost; break;
    case ANA_RUN_EVENTS: v.i = run->events; break;
    default: break; /* coordinates and tables: not values */
    }
    return v;
}

/* The labels along a string axis of run, with their number. */
static char **axis_labels(const ana_run *run, col c, size_t *n)
{
    switch (c) {
    case C_CHANNEL: *n = run->n_channels; return run->channels;
    case C_ACTOR: *n = run->n_actors; return run->actors;
    case C_VENDOR: *n = run->n_vendors; return run->vendors;
    case C_OPTION: *n = run->n_options; return run->options;
    case C_SEGMENT: *n = run->n_segments; return run->segments;
    case C_SECTOR: *n = run->n_sectors; return run->sectors;
    case C_ACCOUNT: *n = run->n_accounts; return run->accounts;
    default: *n = 0; return NULL;
    }
}

static size_t axis_length(const ana_run *run, col c)
{
    size_t n;
    if (c == C_REPLICATION)
        return run->reps;
    if (c == C_TIME)
        return run->months;
    (void)axis_labels(run, c, &n);
    return n;
}

/* One data set to export: its object, group, name and shape. */
typedef struct {
    int obj;
    bool series;
    const char *name; /* after "/summary/" or "/series/" */
    int rank;
    col cols[ANA_RUN_MAX_RANK];
    size_t len[ANA_RUN_MAX_RANK];
    size_t count; /* product of len */
} run_var;

static int by_group_then_name(const void *a, const void *b)
{
    const run_var *x = a, *y = b;
    if (x->series != y->series)
        return x->series ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* The data sets the options select, summaries first, each group by name
 * (HDF5's order, which Python's h5py lists too). */
static size_t run_vars(const ana_run *run, unsigned parts, run_var *v)
{
    size_t n = 0;
    for (int obj = 0; obj < ANA_RUN_N_OBJECTS; obj++) {
        const char *path = ana_run_object_path(obj);
        bool series = strncmp(path, "/series/", 8) == 0;
        bool summary = strncmp(path, "/summary/", 9) == 0;
        if (!(series && (parts & ANA_EXPORT_SERIES)) &&
            !(summary && (parts & ANA_EXPORT_SUMMARIES)))
            continue;
        run_var *x = &v[n++];
        const char *axes[ANA_RUN_MAX_RANK];
        x->obj = obj;
        x->series = series;
        x->name = strrchr(path, '/') + 1;
        x->rank = ana_run_object_axes(obj, axes);
        x->count = 1;
        for (int k = 0; k < x->rank; k++) {
            x->cols[k] = column_of(axes[k]);
            x->len[k] = axis_length(run, x->cols[k]);
            x->count *= x->len[k];
        }
    }
    qsort(v, n, sizeof *v, by_group_then_name);
    return n;
}

/* The cells of element idx[] of x: coordinates into t->cell. */
static void run_coords(table *t, const ana_run *run, const run_var *x,
                       const size_t *idx, char rep[NUM], char tm[NUM],
                       char date[NUM])
{
    for (int k = 0; k < x->rank; k++) {
        col c = x->cols[k];
        size_t n;
        if (c == C_REPLICATION) {
            t->cell[c] = fmt_i64(rep, run->replication[idx[k]]);
        } else if (c == C_TIME) {
            double tv = run->time[idx[k]];
            t->cell[C_TIME] = fmt_double(tm, tv);
            t->cell[C_DATE] = month_date(
                date, run->time_start ? run->time_start : run->start, tv);
        } else {
            char **labels = axis_labels(run, c, &n);
            t->cell[c] = labels[idx[k]];
        }
    }
}

/* Advances idx[] (C order) over len[]; false after the last element. */
static bool next_index(size_t *idx, const size_t *len, int rank)
{
    for (int k = rank - 1; k >= 0; k--) {
        if (++idx[k] < len[k])
            return true;
        idx[k] = 0;
    }
    return false;
}

static int run_long(table *t, const ana_run *run, const run_var *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].count > 0) {
            t->used[C_VARIABLE] = t->used[C_VALUE] = t->used[C_UNIT] = true;
            for (int k = 0; k < v[i].rank; k++)
                t->used[v[i].cols[k]] = true;
            if (t->used[C_TIME])
                t->used[C_DATE] = true;
        }
    put_header(t);
    for (size_t i = 0; i < n; i++) {
        const run_var *x = &v[i];
        values val = run_values(run, x->obj);
        size_t idx[ANA_RUN_MAX_RANK] = {0};
        char rep[NUM], tm[NUM], date[NUM], num[NUM];
        memset(t->cell + C_REPLICATION, 0,
               (C_N - C_REPLICATION) * sizeof t->cell[0]);
        t->cell[C_VARIABLE] = x->name;
        t->cell[C_UNIT] = run->desc[x->obj].units;
        for (size_t e = 0; e < x->count; e++) {
            run_coords(t, run, x, idx, rep, tm, date);
            t->cell[C_VALUE] = val.f ? fmt_double(num, val.f[e])
                                     : fmt_i64(num, val.i[e]);
            put_row(t);
            next_index(idx, x->len, x->rank);
        }
    }
    return SIM_OK;
}

/* Wide: one row per replication, a column per summary element, named
 * NAME or NAME:LABEL[:LABEL]. */
static int run_wide(table *t, const ana_run *run, const run_var *v, size_t n,
                    sim_err *err)
{
    size_t cols = 0;
    for (size_t i = 0; i < n; i++)
        cols += run->reps ? v[i].count / run->reps : 0;
    int rc = SIM_OK;
    t->wide_names = calloc(cols + 1, sizeof *t->wide_names);
    t->wide_cells = calloc(cols + 1, sizeof *t->wide_cells);
    char *nums = malloc((cols + 1) * NUM);
    if (t->wide_names == NULL || t->wide_cells == NULL || nums == NULL) {
        rc = out_of_memory(err);
        goto done;
    }
    /* The names: each summary's elements of one replication, in order. */
    size_t at = 0;
    for (size_t i = 0; i < n && run->reps > 0; i++) {
        const run_var *x = &v[i];
        size_t idx[ANA_RUN_MAX_RANK] = {0};
        for (size_t e = 0; e < x->count / run->reps; e++) {
            char name[1024];
            int len = snprintf(name, sizeof name, "%s", x->name);
            for (int k = 1; k < x->rank; k++) {
                size_t nl;
                char **labels = axis_labels(run, x->cols[k], &nl);
                len += snprintf(name + len, sizeof name - (size_t)len, ":%s",
                                labels ? labels[idx[k]] : "?");
                if (len >= (int)sizeof name)
                    len = (int)sizeof name - 1;
            }
            if ((t->wide_names[at++] = strdup(name)) == NULL) {
                rc = out_of_memory(err);
                goto done;
            }
            next_index(idx + 1, x->len + 1, x->rank - 1);
        }
    }
    t->n_wide = cols;
    t->used[C_SCENARIO] = t->used[C_REPLICATION] = true;
    put_header(t);
    char rep[NUM];
    for (size_t r = 0; r < run->reps; r++) {
        t->cell[C_REPLICATION] = fmt_i64(rep, run->replication[r]);
        at = 0;
        for (size_t i = 0; i < n; i++) {
            values val = run_values(run, v[i].obj);
            size_t per = v[i].count / run->reps;
            for (size_t e = 0; e < per; e++, at++)
                t->wide_cells[at] =
                    val.f ? fmt_double(nums + at * NUM, val.f[r * per + e])
                          : fmt_i64(nums + at * NUM, val.i[r * per + e]);
        }
        put_row(t);
    }
done:
    if (t->wide_names != NULL)
        for (size_t k = 0; k < cols; k++)
            free(t->wide_names[k]);
    free(t->wide_names);
    free(t->wide_cells);
    free(nums);
    t->wide_names = NULL;
    t->wide_cells = NULL;
    t->n_wide = 0;
    return rc;
}

static int export_run(const char *path, const ana_export_opts *o, table *t,
                      sim_err *err)
{
    unsigned parts = o->parts ? o->parts
                     : o->wide ? (unsigned)ANA_EXPORT_SUMMARIES
                               : (unsigned)ANA_EXPORT_ALL;
    if (o->wide && (parts & ANA_EXPORT_SERIES))
        return sim_err_set(err, SIM_EINVAL,
                           "%s: the wide form holds summaries only (one row "
                           "per replication); give --summaries, or drop "
                           "--wide for the series",
                           path);
    ana_run *run = NULL;
    int rc = ana_run_read(path, &run, err);
    if (rc != SIM_OK)
        return rc;
    if (o->read_done != NULL)
        o->read_done();
    run_var v[ANA_RUN_N_OBJECTS];
    size_t n = run_vars(run, parts, v);
    t->used[C_SCENARIO] = true;
    t->cell[C_SCENARIO] = run->scenario_name ? run->scenario_name : "";
    rc = o->wide ? run_wide(t, run, v, n, err) : run_long(t, run, v, n);
    ana_run_free(run);
    return rc;
}

/* ---- sweep files -------------------------------------------------------- */

static const char *status_name(int64_t s)
{
    return s == ANA_SWEEP_OK       ? "ok"
           : s == ANA_SWEEP_FAILED ? "failed"
                                   : "not_run";
}

/* Long: metric by metric (by name, as stored), point, replication. */
static int sweep_long(table *t, const ana_sweep *s, sim_err *err)
{
    size_t P = s->points, R = s->reps;
    char **names = calloc(s->n_metrics + 1, sizeof *names);
    if (names == NULL)
        return out_of_memory(err);
    int rc = SIM_OK;
    for (size_t m = 0; m < s->n_metrics; m++) {
        const char *axis = ana_sweep_metric_axis(s->metrics[m]);
        const char *colon = strchr(s->metrics[m], ':');
        size_t len = axis && colon ? (size_t)(colon - s->metrics[m])
                                   : strlen(s->metrics[m]);
        if ((names[m] = malloc(len + 1)) == NULL) {
            rc = out_of_memory(err);
            goto done;
        }
        memcpy(names[m], s->metrics[m], len);
        names[m][len] = '\0';
        if (P * R > 0) {
            t->used[C_VARIABLE] = t->used[C_VALUE] = t->used[C_UNIT] = true;
            t->used[C_POINT] = t->used[C_STATUS] = t->used[C_REPLICATION] =
                true;
            if (axis != NULL)
                t->used[column_of(axis)] = true;
        }
    }
    t->used[C_PARAMS] = t->used[C_POINT];
    put_header(t);
    char pt[NUM], rep[NUM], num[NUM];
    for (size_t m = 0; m < s->n_metrics; m++) {
        const char *axis = ana_sweep_metric_axis(s->metrics[m]);
        const char *colon = strchr(s->metrics[m], ':');
        t->cell[C_VARIABLE] = names[m];
        t->cell[C_CHANNEL] = t->cell[C_ACTOR] = NULL;
        if (axis != NULL && colon != NULL)
            t->cell[column_of(axis)] = colon + 1;
        t->cell[C_UNIT] = ana_sweep_metric_units(s->metrics[m]);
        for (size_t p = 0; p < P; p++) {
            t->cell[C_POINT] = fmt_i64(pt, (int64_t)p);
            t->cell[C_STATUS] = status_name(s->status[p]);
            t->param_values = s->x + p * s->n_params;
            for (size_t r = 0; r < R; r++) {
                t->cell[C_REPLICATION] = fmt_i64(rep, (int64_t)r);
                t->cell[C_VALUE] = fmt_double(num, s->y[(m * P + p) * R + r]);
                put_row(t);
            }
        }
    }
done:
    for (size_t m = 0; m < s->n_metrics; m++)
        free(names[m]);
    free(names);
    return rc;
}

/* Wide: a row per point and replication, a column per metric. */
static int sweep_wide(table *t, const ana_sweep *s, sim_err *err)
{
    size_t P = s->points, R = s->reps, M = s->n_metrics;
    char *nums = malloc((M + 1) * NUM);
    t->wide_cells = calloc(M + 1, sizeof *t->wide_cells);
    if (nums == NULL || t->wide_cells == NULL) {
        free(nums);
        free(t->wide_cells);
        t->wide_cells = NULL;
        return out_of_memory(err);
    }
    t->wide_names = s->metrics;
    t->n_wide = M;
    t->used[C_POINT] = t->used[C_STATUS] = t->used[C_PARAMS] =
        t->used[C_REPLICATION] = true;
    put_header(t);
    char pt[NUM], rep[NUM];
    for (size_t p = 0; p < P; p++) {
        t->cell[C_POINT] = fmt_i64(pt, (int64_t)p);
        t->cell[C_STATUS] = status_name(s->status[p]);
        t->param_values = s->x + p * s->n_params;
        for (size_t r = 0; r < R; r++) {
            t->cell[C_REPLICATION] = fmt_i64(rep, (int64_t)r);
            for (size_t m = 0; m < M; m++)
                t->wide_cells[m] =
                    fmt_double(nums + m * NUM, s->y[(m * P + p) * R + r]);
            put_row(t);
        }
    }
    free(nums);
    free(t->wide_cells);
    t->wide_cells = NULL;
    t->wide_names = NULL;
    t->n_wide = 0;
    return SIM_OK;
}

static int export_sweep(const char *path, const ana_export_opts *o,
                        table *t, sim_err *err)
{
    if (o->parts & ANA_EXPORT_SERIES)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: a sweep file holds one summary value per "
                           "point and replication, no monthly series: drop "
                           "--series",
                           path);
    ana_sweep s;
    int rc = ana_sweep_read(path, &s, err);
    if (rc == SIM_OK && o->read_done != NULL)
        o->read_done();
    if (rc == SIM_OK) {
        t->n_params = s.n_params;
        t->params = s.params;
        t->used[C_SCENARIO] = true;
        t->cell[C_SCENARIO] = s.name ? s.name : "";
        rc = o->wide ? sweep_wide(t, &s, err) : sweep_long(t, &s, err);
    }
    ana_sweep_fini(&s);
    return rc;
}

/* ---- the kinds of file -------------------------------------------------- */

/* By the root attribute "format". Calibration files become a row here. */
static const struct {
    const char *format;
    int (*fn)(const char *path, const ana_export_opts *o, table *t,
              sim_err *err);
} kinds[] = {
    {"aims-run", export_run},
    {"aims-sweep", export_sweep},
};

/* The file's format attribute, into a new string (NULL: it has none). */
static int read_format(const char *path, char **format, sim_err *err)
{
    ana_h5r r;
    int rc = ana_h5r_open(&r, path, "an aims output file", err);
    if (rc != SIM_OK)
        return rc;
    rc = ana_h5r_attr_str(&r, r.file, "/", "format", format);
    return ana_h5r_close(&r, rc);
}

int ana_export_csv(const char *path, const ana_export_opts *opts, FILE *out,
                   sim_err *err)
{
    char *format = NULL;
    int rc = read_format(path, &format, err);
    if (rc != SIM_OK)
        return rc;
    size_t k = 0;
    while (k < sizeof kinds / sizeof kinds[0] &&
           (format == NULL || strcmp(format, kinds[k].format) != 0))
        k++;
    if (k == sizeof kinds / sizeof kinds[0]) {
        rc = format == NULL
                 ? sim_err_set(err, SIM_EINPUT,
                               "%s: not aims output (HDF5, but no 'format' "
                               "attribute)",
                               path)
                 : sim_err_set(err, SIM_EINPUT,
                               "%s: format \"%.64s\" is not one aims export "
                               "reads (aims-run, aims-sweep)",
                               path, format);
        free(format);
        return rc;
    }
    free(format);
    table t;
    memset(&t, 0, sizeof t);
    t.out = out;
    if (opts->parts & ~(unsigned)ANA_EXPORT_ALL)
        return sim_err_set(err, SIM_EINVAL, "%s: unknown parts to export",
                           path);
    errno = 0;
    rc = kinds[k].fn(path, opts, &t, err);
    if (rc == SIM_OK && (fflush(out) != 0 || ferror(out))) {
        int e = errno;
        rc = sim_err_set(err, SIM_EIO, "cannot write the table: %s",
                         e ? strerror(e) : "write error");
        errno = e;
    }
    return rc;
}
