/* runfile.c -- the HDF5 file of one `aims run` (see runfile.h for the
 * layout, docs/output.md for its users).
 *
 * A thin layer on analysis/h5w: this file knows the market model's layout
 * (which data sets, their axes, units and one-line descriptions) and h5w
 * knows HDF5 (scales, chunking, the temporary-then-rename commit). Every
 * data set is described once, in the tables below, so the layout, the
 * units and the rows written by ana_runfile_put cannot drift apart.
 *
 * Key invariant: a committed file holds every replication 0 .. R-1. h5w
 * already refuses a data set with a row never written; we also keep a flag
 * per replication, so the refusal names the missing replication in the
 * model's terms, and so a put that fails half-way (only an HDF5 failure
 * can, and that poisons the writer) is never counted as done.
 *
 * Why the channel names are our own table and not mkt_channel_name(): the
 * file's /channel axis is part of the file format, which must not change
 * when someone renames a label in the model; the static assertion below
 * ties the table to mkt_channel's length, and tests check the names.
 *
 * Why "created" is the only clock-dependent value: two runs of the same
 * command must give identical data (STYLE.md, "Before review"), so nothing
 * else may depend on the time, the host or the thread count.
 */
#include "runfile.h"

#include "h5w.h"
#include "runfile_agents.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The /channel axis, in mkt_channel order. */
static const char *const channel_names[] = {
    "none", "waiting", "direct", "onshore", "offshore", "gray", "domestic"};
_Static_assert(sizeof channel_names / sizeof channel_names[0] ==
                   MKT_N_CHANNELS,
               "one /channel name per mkt_channel");

enum { FORMAT_VERSION = 1 }; /* bump when a reader must change */

/* Which scales a data set's axes are attached to. */
typedef enum {
    AX_R,   /* [replication] */
    AX_RA,  /* [replication, actor] */
    AX_RT,  /* [replication, time] */
    AX_RTC, /* [replication, time, channel] */
    AX_RTA  /* [replication, time, actor] */
} axes;

typedef struct {
    const char *path;
    axes ax;
    const char *units;
    const char *long_name;
} dset_desc;

/* The float64 data sets, in the order of the source pointers that
 * ana_runfile_put gathers (put_rows). Stocks are taken at the end of the
 * month, flows summed over it (mkt.h, mkt_results). */
static const dset_desc f64_sets[] = {
    {"/series/channel_count", AX_RTC, "firms",
     "firms in each channel at the end of the month"},
    {"/series/revenue", AX_RTA, "USD per month",
     "revenue received by each actor during the month"},
    {"/series/payments", AX_RT, "USD per month",
     "payments made by enterprises during the month"},
    {"/series/adopters", AX_RT, "firms",
     "firms that have adopted by the end of the month"},
    {"/series/frontier_access_share", AX_RT, "1",
     "share of adopters using a frontier model at the end of the month"},
    {"/series/switches", AX_RT, "firms per month",
     "option changes completed during the month (adopting is not one)"},
    {"/series/detections", AX_RT, "firms per month",
     "detections of gray or offshore users during the month"},
    {"/series/days_without_access", AX_RT, "firm-days per month",
     "days adopters spent without access during the month, summed over "
     "firms"},
    {"/series/capability_gap", AX_RT, "points",
     "mean capability points below the frontier of the models used by "
     "adopters with access, at the end of the month (NaN: no such adopter)"},
    {"/summary/cumulative_revenue", AX_RA, "USD",
     "revenue received by each actor over the whole horizon"},
    {"/summary/final_frontier_access_share", AX_R, "1",
     "share of adopters using a frontier model at the end of the horizon"},
    {"/summary/months_to_half_access", AX_R, "months",
     "months from the first shock to the first month end with frontier "
     "access below half its level at the shock (NaN: never, or no shock)"},
};
enum { N_F64 = sizeof f64_sets / sizeof f64_sets[0] };

static const dset_desc events_set = {
    "/summary/events", AX_R, "events",
    "events handled by the simulation engine (a measure of work)"};

struct ana_runfile {
    ana_h5w *w;
    uint32_t reps;   /* R, the length of /replication */
    size_t months;   /* H, the length of /time */
    size_t n_actors; /* the length of /actor */
    bool *done;      /* [reps]: replication put successfully */
    ana_runfile_agents *agents; /* the /agents group (runfile_agents.h) */
};

/* ---- ana_runfile_new --------------------------------------------------- */

/* dims and scale paths of a data set with axes ax. */
static int shape_of(const ana_runfile *f, axes ax, size_t *dims,
                    const char **scales)
{
    static const char *const r = "/replication", *const t = "/time",
                             *const c = "/channel", *const a = "/actor";
    dims[0] = f->reps;
    scales[0] = r;
    switch (ax) {
    case AX_R:
        return 1;
    case AX_RA:
        dims[1] = f->n_actors;
        scales[1] = a;
        return 2;
    case AX_RT:
    case AX_RTC:
    case AX_RTA:
        break;
    }
    dims[1] = f->months;
    scales[1] = t;
    if (ax == AX_RT)
        return 2;
    dims[2] = ax == AX_RTC ? (size_t)MKT_N_CHANNELS : f->n_actors;
    scales[2] = ax == AX_RTC ? c : a;
    return 3;
}

static int define(ana_runfile *f, const dset_desc *d, bool i64, sim_err *err)
{
    size_t dims[3];
    const char *scales[3];
    ana_h5w_shape s = {.path = d->path,
                       .rank = shape_of(f, d->ax, dims, scales),
                       .dims = dims,
                       .scales = scales,
                       .units = d->units};
    int rc = i64 ? ana_h5w_define_i64(f->w, &s, err)
                 : ana_h5w_define_f64(f->w, &s, err);
    if (rc != SIM_OK)
        return rc;
    return ana_h5w_attr_str(f->w, d->path, "long_name", d->long_name, err);
}

/* The four coordinate axes. /time counts month ends from the start (1 is
 * the end of the first month), in plain "months": "months since YYYY-MM"
 * would make xarray decode a calendar axis and fail (h5w.h), so the origin
 * is the separate "start" attribute. */
static int write_scales(ana_runfile *f, const mkt_params *p, sim_err *err)
{
    int rc = SIM_ENOMEM;
    double *t = malloc((f->months ? f->months : 1) * sizeof *t);
    int64_t *r = malloc((f->reps ? f->reps : 1) * sizeof *r);
    if (t == NULL || r == NULL) {
        rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory",
                         ana_h5w_path(f->w));
        goto done;
    }
    for (size_t m = 0; m < f->months; m++)
        t[m] = (double)(m + 1);
    for (uint32_t i = 0; i < f->reps; i++)
        r[i] = i;
    ana_h5w *w = f->w;
    if ((rc = ana_h5w_scale_f64(w, "/time", f->months, t, "months", err)) ||
        (rc = ana_h5w_attr_str(w, "/time", "start", p->start, err)) ||
        (rc = ana_h5w_attr_str(w, "/time", "long_name",
                               "end of month, in months from the start",
                               err)) ||
        (rc = ana_h5w_scale_i64(w, "/replication", f->reps, r, NULL, err)) ||
        (rc = ana_h5w_attr_str(w, "/replication", "long_name",
                               "replication (names its random streams)",
                               err)) ||
        (rc = ana_h5w_scale_str(w, "/channel", MKT_N_CHANNELS, channel_names,
                                err)) ||
        (rc = ana_h5w_attr_str(w, "/channel", "long_name",
                               "how an enterprise reaches a model", err)) ||
        (rc = ana_h5w_scale_str(w, "/actor", f->n_actors,
                                (const char *const *)p->actors, err)) ||
        (rc = ana_h5w_attr_str(w, "/actor", "long_name",
                               "recipient of revenue", err)))
        goto done;
    rc = SIM_OK;
done:
    free(r);
    free(t);
    return rc;
}

static int write_root_attrs(ana_runfile *f, const ana_run_meta *m,
                            sim_err *err)
{
    const mkt_params *p = m->params;
    ana_h5w *w = f->w;
    char created[32];
    ana_h5w_now_utc(created, sizeof created);
    int rc;
    if ((rc = ana_h5w_attr_str(w, "/", "format", "aims-run", err)) ||
        (rc = ana_h5w_attr_i64(w, "/", "format_version", FORMAT_VERSION,
                               err)) ||
        (rc = ana_h5w_attr_str(w, "/", "aims_version", m->aims_version,
                               err)) ||
        (rc = ana_h5w_attr_str(w, "/", "git_commit", m->git_commit, err)) ||
        (rc = ana_h5w_attr_str(w, "/", "scenario_file", m->scenario_file,
                               err)) ||
        (rc = ana_h5w_attr_str(w, "/", "scenario_name", p->name, err)) ||
        (rc = ana_h5w_attr_str(w, "/", "scenario", m->scenario_text, err)) ||
        (rc = ana_h5w_attr_i64(w, "/", "seed", (int64_t)m->seed, err)) ||
        (rc = ana_h5w_attr_i64(w, "/", "replications", m->replications,
                               err)) ||
        (rc = ana_h5w_attr_i64(w, "/", "horizon_months", p->horizon_months,
                               err)) ||
        (rc = ana_h5w_attr_str(w, "/", "start", p->start, err)) ||
        (rc = ana_h5w_attr_str(w, "/", "created", created, err)))
        return rc;
    return SIM_OK;
}

/* Refuses what would make a file that cannot be read back as the layout
 * says. Strings are checked for NULL here because h5w would only name the
 * attribute, not the field of ana_run_meta the caller forgot. */
static int check_meta(const char *path, const ana_run_meta *m, sim_err *err)
{
    if (m == NULL || m->params == NULL)
        return sim_err_set(err, SIM_EINVAL, "%s: no run metadata or params",
                           path);
    const mkt_params *p = m->params;
    const char *missing = m->scenario_file == NULL   ? "scenario_file"
                          : m->scenario_text == NULL ? "scenario_text"
                          : m->aims_version == NULL  ? "aims_version"
                          : m->git_commit == NULL    ? "git_commit"
                          : p->name == NULL          ? "params->name"
                          : p->start == NULL         ? "params->start"
                          : p->n_actors > 0 && p->actors == NULL
                              ? "params->actors"
                              : NULL;
    if (missing != NULL)
        return sim_err_set(err, SIM_EINVAL, "%s: %s is NULL", path, missing);
    if (m->replications == 0)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: replications: expected at least 1, got 0",
                           path);
    if (p->horizon_months == 0)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: horizon_months: expected at least 1, got 0",
                           path);
    /* The file stores int64, which is what h5py and numpy read without
     * surprises; mkt.h already limits the seed to 2^63 - 1. */
    if (m->seed > (uint64_t)INT64_MAX)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: seed: expected at most 2^63 - 1, got %llu",
                           path, (unsigned long long)m->seed);
    return SIM_OK;
}

int ana_runfile_new(const char *path, bool force, const ana_run_meta *meta,
                    ana_runfile **out, sim_err *err)
{
    if (path == NULL || out == NULL)
        return sim_err_set(err, SIM_EINVAL, "ana_runfile_new: NULL %s",
                           path == NULL ? "path" : "out");
    int rc = check_meta(path, meta, err);
    if (rc != SIM_OK)
        return rc;
    ana_runfile *f = calloc(1, sizeof *f);
    if (f == NULL)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    f->reps = meta->replications;
    f->months = meta->params->horizon_months;
    f->n_actors = meta->params->n_actors;
    f->done = calloc(f->reps, sizeof *f->done);
    if (f->done == NULL) {
        free(f);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    }
    if ((rc = ana_h5w_new(path, force, &f->w, err)) != SIM_OK) {
        free(f->done);
        free(f);
        return rc;
    }
    if ((rc = write_scales(f, meta->params, err)) ||
        (rc = write_root_attrs(f, meta, err)))
        goto fail;
    for (size_t i = 0; i < N_F64; i++)
        if ((rc = define(f, &f64_sets[i], false, err)) != SIM_OK)
            goto fail;
    if ((rc = define(f, &events_set, true, err)) != SIM_OK ||
        (rc = ana_runfile_agents_new(f->w, meta->params, f->reps, &f->agents,
                                     err)) != SIM_OK)
        goto fail;
    *out = f;
    return SIM_OK;
fail:
    ana_h5w_free(f->w); /* removes the temporary */
    ana_runfile_agents_free(f->agents);
    free(f->done);
    free(f);
    return rc;
}

/* ---- ana_runfile_put --------------------------------------------------- */

int ana_runfile_put(ana_runfile *f, uint32_t rep, const mkt_results *r,
                    sim_err *err)
{
    if (f == NULL || r == NULL)
        return sim_err_set(err, SIM_EINVAL, "ana_runfile_put: NULL %s",
                           f == NULL ? "file" : "results");
    const char *path = ana_h5w_path(f->w);
    /* Everything is checked before the first row is written, so an
     * argument error leaves no replication half-written. */
    if (rep >= f->reps)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: replication %lu out of range (the file "
                           "holds %lu, 0 .. %lu)",
                           path, (unsigned long)rep, (unsigned long)f->reps,
                           (unsigned long)f->reps - 1);
    if (r->months != f->months)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: replication %lu: results hold %zu months, "
                           "the file's horizon is %zu",
                           path, (unsigned long)rep, r->months, f->months);
    if (r->n_actors != f->n_actors)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: replication %lu: results hold %zu actors, "
                           "the file has %zu",
                           path, (unsigned long)rep, r->n_actors,
                           f->n_actors);
    if (r->events > (uint64_t)INT64_MAX)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: replication %lu: events: %llu does not fit "
                           "int64",
                           path, (unsigned long)rep,
                           (unsigned long long)r->events);
    int arc = ana_runfile_agents_check(f->agents, rep, r->decisions, err);
    if (arc != SIM_OK)
        return arc;
    /* In f64_sets order. */
    const double *src[] = {r->channel_count,
                           r->revenue,
                           r->payments,
                           r->adopters,
                           r->frontier_access_share,
                           r->switches,
                           r->detections,
                           r->days_without_access,
                           r->capability_gap,
                           r->cumulative_revenue,
                           &r->final_frontier_access_share,
                           &r->months_to_half_access};
    _Static_assert(sizeof src / sizeof src[0] == N_F64,
                   "one source per float64 data set");
    for (size_t i = 0; i < N_F64; i++) {
        assert(src[i] != NULL); /* mkt_results_init allocates them all */
        int rc = ana_h5w_write_rows_f64(f->w, f64_sets[i].path, rep, 1,
                                        src[i], err);
        if (rc != SIM_OK)
            return rc;
    }
    int64_t ev = (int64_t)r->events;
    int rc = ana_h5w_write_rows_i64(f->w, events_set.path, rep, 1, &ev, err);
    if (rc == SIM_OK)
        rc = ana_runfile_agents_put(f->agents, rep, r->decisions, err);
    if (rc != SIM_OK)
        return rc;
    f->done[rep] = true;
    return SIM_OK;
}

/* ---- commit, free ------------------------------------------------------ */

int ana_runfile_commit(ana_runfile *f, sim_err *err)
{
    if (f == NULL)
        return sim_err_set(err, SIM_EINVAL, "ana_runfile_commit: NULL file");
    /* h5w would refuse too, naming a data set and a row; this names the
     * replication. Like a failed ana_h5w_commit, the refusal finishes the
     * writer and removes the temporary: a run that lost a replication has
     * nothing left to save. */
    uint32_t missing = 0, first = 0;
    for (uint32_t i = f->reps; i-- > 0;)
        if (!f->done[i]) {
            missing++;
            first = i;
        }
    if (missing > 0) {
        const char *path = ana_h5w_path(f->w);
        ana_h5w_abort(f->w);
        return sim_err_set(err, SIM_EINVAL,
                           "%s: %lu of %lu replications never written "
                           "(first: %lu); file not committed",
                           path, (unsigned long)missing,
                           (unsigned long)f->reps, (unsigned long)first);
    }
    int rc = ana_runfile_agents_finish(f->agents, err);
    if (rc != SIM_OK) {
        ana_h5w_abort(f->w);
        return rc;
    }
    return ana_h5w_commit(f->w, err);
}

int ana_runfile_attr_str(ana_runfile *f, const char *name, const char *value,
                         sim_err *err)
{
    return ana_h5w_attr_str(f->w, "/", name, value, err);
}

int ana_runfile_attr_f64(ana_runfile *f, const char *name, double value,
                         sim_err *err)
{
    return ana_h5w_attr_f64(f->w, "/", name, value, err);
}

int ana_runfile_attr_i64(ana_runfile *f, const char *name, int64_t value,
                         sim_err *err)
{
    return ana_h5w_attr_i64(f->w, "/", name, value, err);
}

const char *ana_runfile_tmp_path(const ana_runfile *f)
{
    return ana_h5w_tmp_path(f->w);
}

void ana_runfile_free(ana_runfile *f)
{
    if (f == NULL)
        return;
    ana_h5w_free(f->w);
    ana_runfile_agents_free(f->agents);
    free(f->done);
    free(f);
}
