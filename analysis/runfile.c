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
#include <string.h>

/* The /channel axis, in mkt_channel order. */
static const char *const channel_names[] = {
    "none", "waiting", "direct", "onshore", "offshore", "gray", "domestic"};
_Static_assert(sizeof channel_names / sizeof channel_names[0] ==
                   MKT_N_CHANNELS,
               "one /channel name per mkt_channel");

enum { FORMAT_VERSION = 2 }; /* bump when a reader must change */

/* The /segment axis, in MKT_SEG_* order. */
static const char *const segment_names[] = {"ordinary", "large"};
_Static_assert(sizeof segment_names / sizeof segment_names[0] ==
                   MKT_N_SEGMENTS,
               "one /segment name per segment");

/* The axes a data set's dimensions follow, each a coordinate of the file
 * (write_scales makes them all). */
typedef enum {
    D_REP,     /* /replication */
    D_TIME,    /* /time */
    D_CHANNEL, /* /channel */
    D_ACTOR,   /* /actor */
    D_VENDOR,  /* /vendor */
    D_OPTION,  /* /option */
    D_SEGMENT, /* /segment */
    D_SECTOR,  /* /sector */
    D_ACCOUNT, /* /account */
    D_N
} dim;

static const char *const dim_scale[D_N] = {
    "/replication", "/time",    "/channel", "/actor",  "/vendor",
    "/option",      "/segment", "/sector",  "/account"};

enum { MAX_RANK = 5 };

typedef struct {
    const char *path;
    int rank;
    dim dims[MAX_RANK];
    const char *units;
    const char *long_name;
} dset_desc;

#define R_ {D_REP}
#define RT {D_REP, D_TIME}

/* The float64 data sets, in the order of the source pointers that
 * ana_runfile_put gathers. Stocks are taken at the end of the month, flows
 * summed over it (mkt.h, mkt_results). */
static const dset_desc f64_sets[] = {
    {"/series/channel_count", 3, {D_REP, D_TIME, D_CHANNEL}, "firms",
     "firms in each channel at the end of the month"},
    {"/series/revenue", 3, {D_REP, D_TIME, D_ACTOR}, "USD per month",
     "revenue received by each actor during the month"},
    {"/series/payments", 2, RT, "USD per month",
     "payments made by enterprises during the month"},
    {"/series/adopters", 2, RT, "firms",
     "firms that have adopted by the end of the month"},
    {"/series/frontier_access_share", 2, RT, "1",
     "share of adopters using a frontier model at the end of the month"},
    {"/series/switches", 2, RT, "firms per month",
     "option changes completed during the month (adopting is not one)"},
    {"/series/detections", 2, RT, "firms per month",
     "detections of gray or offshore users during the month"},
    {"/series/days_without_access", 2, RT, "firm-days per month",
     "days adopters spent without access during the month, summed over "
     "firms"},
    {"/series/capability_gap", 2, RT, "points",
     "mean capability points below the frontier of the models used by "
     "adopters with access, at the end of the month (NaN: no such adopter)"},
    {"/series/frontier_access_index", 2, RT, "1",
     "adopters with access weighted by exp(-gap / frontier_tau), gap the "
     "points below the best model, over adopters, at the end of the month "
     "(NaN: no adopters)"},
    {"/series/channel_count_by_sector", 5,
     {D_REP, D_TIME, D_SEGMENT, D_SECTOR, D_CHANNEL}, "firms",
     "firms in each channel at the end of the month, by sector and segment "
     "(ordinary members, large accounts)"},
    {"/series/tokens", 5, {D_REP, D_TIME, D_OPTION, D_SEGMENT, D_SECTOR},
     "Mtok per month",
     "millions of tokens billed during the month, by option and by the "
     "sector and segment of the buyer"},
    {"/series/tokens_by_vendor", 3, {D_REP, D_TIME, D_VENDOR},
     "Mtok per month",
     "millions of tokens billed during the month, by the vendor whose model "
     "served them"},
    {"/series/tokens_by_channel", 3, {D_REP, D_TIME, D_CHANNEL},
     "Mtok per month",
     "millions of tokens billed during the month, by channel"},
    {"/series/tokens_by_sector", 4, {D_REP, D_TIME, D_SEGMENT, D_SECTOR},
     "Mtok per month",
     "millions of tokens billed during the month, by sector and segment"},
    {"/summary/cumulative_revenue", 2, {D_REP, D_ACTOR}, "USD",
     "revenue received by each actor over the whole horizon"},
    {"/summary/final_frontier_access_share", 1, R_, "1",
     "frontier_access_share averaged over the last final_window_months "
     "months"},
    {"/summary/months_to_half_access", 1, R_, "months",
     "months from the first shock to the first month end with frontier "
     "access below half its level at the shock (NaN: never, or no shock)"},
    {"/summary/final_frontier_access_index", 1, R_, "1",
     "frontier_access_index averaged over the last final_window_months "
     "months"},
    {"/series/compliance_cost", 3, {D_REP, D_TIME, D_ACTOR}, "USD per month",
     "costs of rules (licences, audits, filing) each actor carried during "
     "the month: its expense; its revenue is unchanged"},
    {"/summary/final_channel_share", 2, {D_REP, D_CHANNEL}, "1",
     "share of adopters in each channel averaged over the last "
     "final_window_months months; for none, adopters with no option that "
     "are not waiting"},
};
enum { N_F64 = sizeof f64_sets / sizeof f64_sets[0] };

/* The int64 data sets, in the order ana_runfile_put writes them. */
static const dset_desc i64_sets[] = {
    {"/summary/events", 1, R_, "events",
     "events handled by the simulation engine (a measure of work)"},
    {"/series/account_option", 3, {D_REP, D_TIME, D_ACCOUNT}, "1",
     "what each large account holds at the end of the month: an index "
     "into /option, -1 waiting (onboarding, no option), -2 none"},
};
enum { N_I64 = sizeof i64_sets / sizeof i64_sets[0] };

#undef R_
#undef RT

struct ana_runfile {
    ana_h5w *w;
    uint32_t reps;         /* R, the length of /replication */
    size_t len[D_N];       /* the length of each axis */
    bool *done;            /* [reps]: replication put successfully */
    ana_runfile_agents *agents; /* the /agents group (runfile_agents.h) */
};

/* ---- ana_runfile_new --------------------------------------------------- */

static int define(ana_runfile *f, const dset_desc *d, bool i64, sim_err *err)
{
    size_t dims[MAX_RANK];
    const char *scales[MAX_RANK];
    for (int k = 0; k < d->rank; k++) {
        dims[k] = f->len[d->dims[k]];
        scales[k] = dim_scale[d->dims[k]];
    }
    ana_h5w_shape s = {.path = d->path,
                       .rank = d->rank,
                       .dims = dims,
                       .scales = scales,
                       .units = d->units};
    int rc = i64 ? ana_h5w_define_i64(f->w, &s, err)
                 : ana_h5w_define_f64(f->w, &s, err);
    if (rc != SIM_OK)
        return rc;
    return ana_h5w_attr_str(f->w, d->path, "long_name", d->long_name, err);
}

/* A 1-D table of strings along one axis, with its long_name. */
static int write_column(ana_runfile *f, const char *path, dim axis,
                        const char *const *v, const char *long_name,
                        sim_err *err)
{
    size_t n = f->len[axis];
    const char *scale = dim_scale[axis];
    ana_h5w_shape s = {.path = path, .rank = 1, .dims = &n, .scales = &scale};
    int rc = ana_h5w_write_str(f->w, &s, v, err);
    if (rc == SIM_OK)
        rc = ana_h5w_attr_str(f->w, path, "long_name", long_name, err);
    return rc;
}

/* The names the string axes and tables hold, built from the params. */
typedef struct {
    const char **vendor;  /* [vendor] ids */
    const char **sector;  /* [sector] names */
    char **option;        /* [option] "offshore openai via azure_global" */
    const char **opt_channel, **opt_vendor, **opt_inter; /* [option] */
    const char **account; /* [account] names */
    const char **acc_sector; /* [account] its sector's name */
} names;

static void names_free(names *n, size_t n_options)
{
    for (size_t o = 0; n->option != NULL && o < n_options; o++)
        free(n->option[o]);
    free(n->option);
    free(n->vendor);
    free(n->sector);
    free(n->opt_channel);
    free(n->opt_vendor);
    free(n->opt_inter);
    free(n->account);
    free(n->acc_sector);
}

static int names_build(const ana_runfile *f, const mkt_params *p, names *n,
                       sim_err *err)
{
    size_t nv = f->len[D_VENDOR], no = f->len[D_OPTION],
           ns = f->len[D_SECTOR], na = f->len[D_ACCOUNT];
    memset(n, 0, sizeof *n);
    mkt_option *t = calloc(no ? no : 1, sizeof *t);
    n->vendor = calloc(nv ? nv : 1, sizeof *n->vendor);
    n->sector = calloc(ns ? ns : 1, sizeof *n->sector);
    n->option = calloc(no ? no : 1, sizeof *n->option);
    n->opt_channel = calloc(no ? no : 1, sizeof *n->opt_channel);
    n->opt_vendor = calloc(no ? no : 1, sizeof *n->opt_vendor);
    n->opt_inter = calloc(no ? no : 1, sizeof *n->opt_inter);
    n->account = calloc(na ? na : 1, sizeof *n->account);
    n->acc_sector = calloc(na ? na : 1, sizeof *n->acc_sector);
    bool ok = t && n->vendor && n->sector && n->option && n->opt_channel &&
              n->opt_vendor && n->opt_inter && n->account && n->acc_sector;
    if (ok)
        mkt_option_table(p, t, no);
    for (size_t v = 0; ok && v < nv; v++)
        n->vendor[v] = p->vendors[v].id;
    for (size_t o = 0; ok && o < no; o++) {
        const char *ch = channel_names[t[o].channel];
        const char *vd = p->vendors[t[o].vendor].id;
        const char *im =
            t[o].inter == MKT_NO_INDEX ? NULL : p->inter[t[o].inter].id;
        size_t len = strlen(ch) + strlen(vd) + (im ? strlen(im) + 5 : 0) + 2;
        if ((n->option[o] = malloc(len)) == NULL) {
            ok = false;
            break;
        }
        if (im)
            snprintf(n->option[o], len, "%s %s via %s", ch, vd, im);
        else
            snprintf(n->option[o], len, "%s %s", ch, vd);
        n->opt_channel[o] = ch;
        n->opt_vendor[o] = vd;
        n->opt_inter[o] = im ? im : "";
    }
    size_t k = 0;
    for (size_t s = 0; ok && s < ns; s++) {
        n->sector[s] = p->sectors[s].name;
        for (size_t a = 0; a < p->sectors[s].n_accounts; a++, k++) {
            n->account[k] = p->sectors[s].accounts[a].name;
            n->acc_sector[k] = p->sectors[s].name;
        }
    }
    free(t);
    if (!ok) {
        names_free(n, no);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory",
                           ana_h5w_path(f->w));
    }
    return SIM_OK;
}

/* The coordinate axes, and the tables that describe the options and the
 * large accounts. /time counts month ends from the start (1 is the end of
 * the first month), in plain "months": "months since YYYY-MM" would make
 * xarray decode a calendar axis and fail (h5w.h), so the origin is the
 * separate "start" attribute. */
static int write_scales(ana_runfile *f, const mkt_params *p, sim_err *err)
{
    int rc = SIM_ENOMEM;
    size_t months = f->len[D_TIME];
    double *t = malloc((months ? months : 1) * sizeof *t);
    int64_t *r = malloc((f->reps ? f->reps : 1) * sizeof *r);
    names n;
    bool have_names = false;
    if (t == NULL || r == NULL) {
        rc = sim_err_set(err, SIM_ENOMEM, "%s: out of memory",
                         ana_h5w_path(f->w));
        goto done;
    }
    if ((rc = names_build(f, p, &n, err)) != SIM_OK)
        goto done;
    have_names = true;
    for (size_t m = 0; m < months; m++)
        t[m] = (double)(m + 1);
    for (uint32_t i = 0; i < f->reps; i++)
        r[i] = i;
    ana_h5w *w = f->w;
    if ((rc = ana_h5w_scale_f64(w, "/time", months, t, "months", err)) ||
        (rc = ana_h5w_attr_str(w, "/time", "start", p->start, err)) ||
        (rc = ana_h5w_attr_str(w, "/time", "long_name",
                               "end of month, in months from the start",
                               err)) ||
        (rc = ana_h5w_scale_i64(w, "/replication", f->reps, r, "1", err)) ||
        (rc = ana_h5w_attr_str(w, "/replication", "long_name",
                               "replication (names its random streams)",
                               err)) ||
        (rc = ana_h5w_scale_str(w, "/channel", MKT_N_CHANNELS, channel_names,
                                err)) ||
        (rc = ana_h5w_attr_str(w, "/channel", "long_name",
                               "how an enterprise reaches a model", err)) ||
        (rc = ana_h5w_scale_str(w, "/actor", f->len[D_ACTOR],
                                (const char *const *)p->actors, err)) ||
        (rc = ana_h5w_attr_str(w, "/actor", "long_name",
                               "recipient of revenue", err)) ||
        (rc = ana_h5w_scale_str(w, "/vendor", f->len[D_VENDOR], n.vendor,
                                err)) ||
        (rc = ana_h5w_attr_str(w, "/vendor", "long_name",
                               "vendor whose model serves the tokens",
                               err)) ||
        (rc = ana_h5w_scale_str(w, "/option", f->len[D_OPTION],
                                (const char *const *)n.option, err)) ||
        (rc = ana_h5w_attr_str(w, "/option", "long_name",
                               "a way to reach a vendor's model: channel, "
                               "vendor and intermediary (/options)",
                               err)) ||
        (rc = ana_h5w_scale_str(w, "/segment", MKT_N_SEGMENTS, segment_names,
                                err)) ||
        (rc = ana_h5w_attr_str(w, "/segment", "long_name",
                               "ordinary members of a sector, or its large "
                               "accounts",
                               err)) ||
        (rc = ana_h5w_scale_str(w, "/sector", f->len[D_SECTOR], n.sector,
                                err)) ||
        (rc = ana_h5w_attr_str(w, "/sector", "long_name",
                               "sector of the enterprises", err)) ||
        (rc = ana_h5w_scale_str(w, "/account", f->len[D_ACCOUNT], n.account,
                                err)) ||
        (rc = ana_h5w_attr_str(w, "/account", "long_name",
                               "large account (one real firm)", err)) ||
        (rc = write_column(f, "/options/channel", D_OPTION, n.opt_channel,
                           "the option's channel", err)) ||
        (rc = write_column(f, "/options/vendor", D_OPTION, n.opt_vendor,
                           "the vendor whose model the option serves",
                           err)) ||
        (rc = write_column(f, "/options/intermediary", D_OPTION, n.opt_inter,
                           "the cloud that hosts it (\"\" for direct, "
                           "gray and domestic)",
                           err)) ||
        (rc = write_column(f, "/accounts/sector", D_ACCOUNT, n.acc_sector,
                           "the sector the large account belongs to", err)))
        goto done;
    rc = SIM_OK;
done:
    if (have_names)
        names_free(&n, f->len[D_OPTION]);
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
        (rc = ana_h5w_attr_i64(w, "/", "final_window_months",
                               p->final_window_months, err)) ||
        (rc = ana_h5w_attr_f64(w, "/", "frontier_tolerance",
                               p->frontier_tolerance, err)) ||
        (rc = ana_h5w_attr_f64(w, "/", "frontier_tau", p->frontier_tau,
                               err)) ||
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
    if (p->final_window_months < 1 ||
        p->final_window_months > p->horizon_months)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: final_window_months: expected 1 .. %lu, got "
                           "%lu",
                           path, (unsigned long)p->horizon_months,
                           (unsigned long)p->final_window_months);
    /* The file stores int64, which is what h5py and numpy read without
     * surprises; mkt.h already limits the seed to 2^63 - 1. */
    if (m->seed > (uint64_t)INT64_MAX)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: seed: expected at most 2^63 - 1, got %llu",
                           path, (unsigned long long)m->seed);
    return SIM_OK;
}

static size_t total_accounts(const mkt_params *p)
{
    size_t n = 0;
    for (size_t s = 0; s < p->n_sectors; s++)
        n += p->sectors[s].n_accounts;
    return n;
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
    const mkt_params *p = meta->params;
    f->reps = meta->replications;
    f->len[D_REP] = f->reps;
    f->len[D_TIME] = p->horizon_months;
    f->len[D_CHANNEL] = MKT_N_CHANNELS;
    f->len[D_ACTOR] = p->n_actors;
    f->len[D_VENDOR] = p->n_vendors;
    f->len[D_OPTION] = mkt_option_table(p, NULL, 0);
    f->len[D_SEGMENT] = MKT_N_SEGMENTS;
    f->len[D_SECTOR] = p->n_sectors;
    f->len[D_ACCOUNT] = total_accounts(p);
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
    if ((rc = write_scales(f, p, err)))
        goto fail;
    for (size_t i = 0; i < N_F64; i++)
        if ((rc = define(f, &f64_sets[i], false, err)) != SIM_OK)
            goto fail;
    for (size_t i = 0; i < N_I64; i++)
        if ((rc = define(f, &i64_sets[i], true, err)) != SIM_OK)
            goto fail;
    /* The two values that are not option indices, as the sweep file marks
     * its status codes (CF's flag_values and flag_meanings). flag_values
     * are numbers of the data set's own type, as CF requires: a string
     * "-1 -2" is only text to ncdump and CF tools. */
    static const int64_t flags[] = {-1, -2};
    if ((rc = ana_h5w_attr_i64_array(f->w, "/series/account_option",
                                     "flag_values", 2, flags, err)) ||
        (rc = ana_h5w_attr_str(f->w, "/series/account_option",
                               "flag_meanings", "waiting none", err)))
        goto fail;
    if ((rc = write_root_attrs(f, meta, err)))
        goto fail;
    if ((rc = ana_runfile_agents_new(f->w, meta->params, f->reps, &f->agents,
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

/* Whether r has the shape of the file's replications; if not, says how. */
static int check_results(const ana_runfile *f, uint32_t rep,
                         const mkt_results *r, sim_err *err)
{
    const char *path = ana_h5w_path(f->w);
    struct {
        const char *what;
        size_t got, want;
    } lens[] = {{"months", r->months, f->len[D_TIME]},
                {"actors", r->n_actors, f->len[D_ACTOR]},
                {"vendors", r->n_vendors, f->len[D_VENDOR]},
                {"options", r->n_options, f->len[D_OPTION]},
                {"sectors", r->n_sectors, f->len[D_SECTOR]},
                {"large accounts", r->n_accounts, f->len[D_ACCOUNT]}};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++)
        if (lens[k].got != lens[k].want)
            return sim_err_set(err, SIM_EINVAL,
                               "%s: replication %lu: results hold %zu %s, "
                               "the file has %zu",
                               path, (unsigned long)rep, lens[k].got,
                               lens[k].what, lens[k].want);
    return SIM_OK;
}

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
    int rc = check_results(f, rep, r, err);
    if (rc != SIM_OK)
        return rc;
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
                           r->frontier_access_index,
                           r->channel_count_by_sector,
                           r->tokens,
                           r->tokens_by_vendor,
                           r->tokens_by_channel,
                           r->tokens_by_sector,
                           r->cumulative_revenue,
                           &r->final_frontier_access_share,
                           &r->months_to_half_access,
                           &r->final_frontier_access_index,
                           r->compliance_cost,
                           r->final_channel_share};
    _Static_assert(sizeof src / sizeof src[0] == N_F64,
                   "one source per float64 data set");
    for (size_t i = 0; i < N_F64; i++) {
        assert(src[i] != NULL); /* mkt_results_init allocates them all */
        rc = ana_h5w_write_rows_f64(f->w, f64_sets[i].path, rep, 1, src[i],
                                    err);
        if (rc != SIM_OK)
            return rc;
    }
    int64_t ev = (int64_t)r->events;
    const int64_t *isrc[] = {&ev, r->account_option};
    _Static_assert(sizeof isrc / sizeof isrc[0] == N_I64,
                   "one source per int64 data set");
    for (size_t i = 0; i < N_I64; i++) {
        rc = ana_h5w_write_rows_i64(f->w, i64_sets[i].path, rep, 1, isrc[i],
                                    err);
        if (rc != SIM_OK)
            return rc;
    }
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
