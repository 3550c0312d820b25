/* runfile_agents.c -- the agents' part of the run file (see
 * runfile_agents.h for the layout, docs/output.md for its users).
 *
 * A layer on analysis/h5w beside runfile.c, which calls it at its new,
 * put, commit and free: the series are ordinary [replication, time, axis]
 * data sets written row by row; the log is a table whose length is known
 * only when every replication is in, so each replication's entries are
 * kept until ana_runfile_agents_finish writes them in replication order.
 * The axis names are mkt_decisions.c's tables (file format).
 */
#include "runfile_agents.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *path;
    int axis; /* 0 vendor, 1 intermediary, 2 rule, 3 indicator */
    const char *units;
    const char *long_name;
} series_desc;

static const series_desc series[] = {
    {"/agents/price", 0, "USD per Mtok",
     "each vendor's list price at the end of the month"},
    {"/agents/markup", 1, "1",
     "each intermediary's markup on the vendor's price at the end of the "
     "month"},
    {"/agents/capacity", 1, "firms",
     "each intermediary's onboarding capacity (real firms onboarded at "
     "once) at the end of the month"},
    {"/agents/rule_state", 2, "1",
     "the rule state at the end of the month: kyc, commerce, cac_filing "
     "(1 in force, 0 not), approval_prob (NaN without the licence rule), "
     "the gray enforcement level, Commerce's stance"},
    {"/agents/indicator_value", 3, "1",
     "what the regulators watch, at the end of the month: "
     "us_frontier_access and gray_share (shares of adopters), gray_volume "
     "(Mtok per month), detections (firms in the month)"},
};
enum { N_SERIES = sizeof series / sizeof series[0] };

static const char *const axis_path[] = {"/agents/vendor",
                                        "/agents/intermediary",
                                        "/agents/rule", "/agents/indicator"};

typedef struct {
    mkt_decision *log;
    size_t n;
} rep_log;

struct ana_runfile_agents {
    ana_h5w *w;        /* borrowed from the run file */
    uint32_t reps;
    size_t months, len[4];
    char **agents;     /* [n_agents] owned copies of the names */
    size_t n_agents;
    rep_log *logs;     /* [reps] */
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void ana_runfile_agents_free(ana_runfile_agents *a)
{
    if (a == NULL)
        return;
    for (size_t k = 0; a->agents && k < a->n_agents; k++)
        free(a->agents[k]);
    free(a->agents);
    for (uint32_t r = 0; a->logs && r < a->reps; r++)
        free(a->logs[r].log);
    free(a->logs);
    free(a);
}

static int nomem(const ana_runfile_agents *a, sim_err *err)
{
    return sim_err_set(err, SIM_ENOMEM, "%s: out of memory",
                       ana_h5w_path(a->w));
}

static int write_axes(ana_runfile_agents *a, const mkt_params *p,
                      sim_err *err)
{
    const char *rules[MKT_N_RULE_VARS], *inds[MKT_N_INDICATORS];
    const char **vend = malloc((p->n_vendors ? p->n_vendors : 1) *
                               sizeof *vend);
    const char **inter = malloc((p->n_inter ? p->n_inter : 1) *
                                sizeof *inter);
    int rc = SIM_OK;
    if (!vend || !inter) {
        rc = nomem(a, err);
        goto done;
    }
    for (size_t v = 0; v < p->n_vendors; v++)
        vend[v] = p->vendors[v].id;
    for (size_t i = 0; i < p->n_inter; i++)
        inter[i] = p->inter[i].id;
    for (int k = 0; k < MKT_N_RULE_VARS; k++)
        rules[k] = mkt_rule_var_name(k);
    for (int k = 0; k < MKT_N_INDICATORS; k++)
        inds[k] = mkt_indicator_name(k);
    const char *const *names[4] = {vend, inter, rules, inds};
    static const char *const about[4] = {
        "vendor (agents/price)", "intermediary (agents/markup, capacity)",
        "rule state variable", "indicator a regulator may watch"};
    for (int k = 0; k < 4 && rc == SIM_OK; k++) {
        rc = ana_h5w_scale_str(a->w, axis_path[k], a->len[k], names[k], err);
        if (rc == SIM_OK)
            rc = ana_h5w_attr_str(a->w, axis_path[k], "long_name", about[k],
                                  err);
    }
done:
    free(vend);
    free(inter);
    return rc;
}

int ana_runfile_agents_new(ana_h5w *w, const mkt_params *p, uint32_t reps,
                           ana_runfile_agents **out, sim_err *err)
{
    ana_runfile_agents *a = calloc(1, sizeof *a);
    if (a == NULL)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory",
                           ana_h5w_path(w));
    a->w = w;
    a->reps = reps;
    a->months = p->horizon_months;
    a->len[0] = p->n_vendors;
    a->len[1] = p->n_inter;
    a->len[2] = MKT_N_RULE_VARS;
    a->len[3] = MKT_N_INDICATORS;
    a->n_agents = mkt_agent_count(p->n_vendors, p->n_inter);
    a->agents = calloc(a->n_agents, sizeof *a->agents);
    a->logs = calloc(reps ? reps : 1, sizeof *a->logs);
    int rc = a->agents && a->logs ? SIM_OK : nomem(a, err);
    const char **vid = NULL, **iid = NULL;
    if (rc == SIM_OK) {
        vid = malloc((p->n_vendors ? p->n_vendors : 1) * sizeof *vid);
        iid = malloc((p->n_inter ? p->n_inter : 1) * sizeof *iid);
        if (!vid || !iid)
            rc = nomem(a, err);
    }
    for (size_t v = 0; rc == SIM_OK && v < p->n_vendors; v++)
        vid[v] = p->vendors[v].id;
    for (size_t i = 0; rc == SIM_OK && i < p->n_inter; i++)
        iid[i] = p->inter[i].id;
    for (size_t k = 0; rc == SIM_OK && k < a->n_agents; k++)
        if ((a->agents[k] = dup_str(mkt_agent_name(
                 vid, p->n_vendors, iid, p->n_inter, k))) == NULL)
            rc = nomem(a, err);
    free(vid);
    free(iid);
    if (rc == SIM_OK)
        rc = write_axes(a, p, err);
    for (size_t k = 0; rc == SIM_OK && k < N_SERIES; k++) {
        size_t dims[3] = {reps, a->months, a->len[series[k].axis]};
        const char *scales[3] = {"/replication", "/time",
                                 axis_path[series[k].axis]};
        ana_h5w_shape s = {.path = series[k].path,
                           .rank = 3,
                           .dims = dims,
                           .scales = scales,
                           .units = series[k].units};
        rc = ana_h5w_define_f64(w, &s, err);
        if (rc == SIM_OK)
            rc = ana_h5w_attr_str(w, series[k].path, "long_name",
                                  series[k].long_name, err);
    }
    if (rc != SIM_OK) {
        ana_runfile_agents_free(a);
        return rc;
    }
    *out = a;
    return SIM_OK;
}

int ana_runfile_agents_check(const ana_runfile_agents *a, uint32_t rep,
                             const mkt_decisions *d, sim_err *err)
{
    (void)rep;
    if (d == NULL)
        return SIM_OK;
    const char *path = ana_h5w_path(a->w);
    if (d->months != a->months || d->n_vendors != a->len[0] ||
        d->n_inter != a->len[1])
        return sim_err_set(err, SIM_EINVAL,
                           "%s: replication %lu: the agents' record holds "
                           "%zu months, %zu vendors, %zu intermediaries; the "
                           "file has %zu, %zu, %zu",
                           path, (unsigned long)rep, d->months, d->n_vendors,
                           d->n_inter, a->months, a->len[0], a->len[1]);
    for (size_t k = 0; k < d->n_log; k++)
        if (d->log[k].agent >= a->n_agents ||
            mkt_decision_name((int)d->log[k].kind) == NULL)
            return sim_err_set(err, SIM_EINVAL,
                               "%s: replication %lu: decision %zu names no "
                               "agent or kind of this scenario",
                               path, (unsigned long)rep, k);
    return SIM_OK;
}

int ana_runfile_agents_put(ana_runfile_agents *a, uint32_t rep,
                           const mkt_decisions *d, sim_err *err)
{
    size_t most = a->months * (a->len[0] > a->len[1] ? a->len[0] : a->len[1]);
    if (most < a->months * MKT_N_RULE_VARS)
        most = a->months * MKT_N_RULE_VARS;
    double *nan_row = NULL;
    if (d == NULL) { /* no record: NaN everywhere */
        if ((nan_row = malloc((most ? most : 1) * sizeof *nan_row)) == NULL)
            return nomem(a, err);
        for (size_t k = 0; k < most; k++)
            nan_row[k] = (double)NAN;
    }
    const double *src[N_SERIES] = {
        d ? d->price : nan_row, d ? d->markup : nan_row,
        d ? d->capacity : nan_row, d ? d->rule_state : nan_row,
        d ? d->indicator : nan_row};
    int rc = SIM_OK;
    for (size_t k = 0; rc == SIM_OK && k < N_SERIES; k++)
        rc = ana_h5w_write_rows_f64(a->w, series[k].path, rep, 1, src[k],
                                    err);
    free(nan_row);
    if (rc != SIM_OK)
        return rc;
    rep_log *l = &a->logs[rep];
    free(l->log);
    l->log = NULL;
    l->n = 0;
    if (d == NULL || d->n_log == 0)
        return SIM_OK;
    if ((l->log = malloc(d->n_log * sizeof *l->log)) == NULL)
        return nomem(a, err);
    memcpy(l->log, d->log, d->n_log * sizeof *l->log);
    l->n = d->n_log;
    return SIM_OK;
}

int ana_runfile_agents_finish(ana_runfile_agents *a, sim_err *err)
{
    size_t n = 0;
    for (uint32_t r = 0; r < a->reps; r++)
        n += a->logs[r].n;
    int64_t *entry = malloc((n ? n : 1) * sizeof *entry);
    int64_t *rep = malloc((n ? n : 1) * sizeof *rep);
    double *month = malloc((n ? n : 1) * sizeof *month);
    double *value = malloc((n ? n : 1) * sizeof *value);
    const char **agent = malloc((n ? n : 1) * sizeof *agent);
    const char **what = malloc((n ? n : 1) * sizeof *what);
    int rc = SIM_OK;
    if (!entry || !rep || !month || !value || !agent || !what) {
        rc = nomem(a, err);
        goto done;
    }
    size_t k = 0;
    for (uint32_t r = 0; r < a->reps; r++)
        for (size_t j = 0; j < a->logs[r].n; j++, k++) {
            const mkt_decision *x = &a->logs[r].log[j];
            entry[k] = (int64_t)k;
            rep[k] = r;
            month[k] = x->month;
            value[k] = x->value;
            agent[k] = a->agents[x->agent];
            what[k] = mkt_decision_name((int)x->kind);
        }
    const char *scale[1] = {"/agents/log/entry"};
    size_t dims[1] = {n};
    ana_h5w *w = a->w;
    ana_h5w_shape s = {.rank = 1, .dims = dims, .scales = scale};
    /* units on every numeric data set (docs/output.md); "1" for counters
     * and indices, "mixed" where the row says what the value is in. */
    if ((rc = ana_h5w_scale_i64(w, "/agents/log/entry", n, entry, "1",
                                err)) ||
        (rc = ana_h5w_attr_str(w, "/agents/log/entry", "long_name",
                               "one decision of an agent", err)))
        goto done;
    s.path = "/agents/log/rep";
    s.units = "1";
    if ((rc = ana_h5w_write_i64(w, &s, rep, err)) ||
        (rc = ana_h5w_attr_str(w, s.path, "long_name",
                               "the replication it was taken in", err)))
        goto done;
    s.path = "/agents/log/month";
    s.units = "months";
    if ((rc = ana_h5w_write_f64(w, &s, month, err)) ||
        (rc = ana_h5w_attr_str(w, s.path, "long_name",
                               "when, in months from the start", err)))
        goto done;
    s.units = NULL;
    s.path = "/agents/log/agent";
    if ((rc = ana_h5w_write_str(w, &s, agent, err)) ||
        (rc = ana_h5w_attr_str(w, s.path, "long_name",
                               "who: a vendor or intermediary id, commerce "
                               "or cac",
                               err)))
        goto done;
    s.path = "/agents/log/decision";
    if ((rc = ana_h5w_write_str(w, &s, what, err)) ||
        (rc = ana_h5w_attr_str(w, s.path, "long_name",
                               "what was decided (docs/output.md lists the "
                               "kinds)",
                               err)))
        goto done;
    s.path = "/agents/log/value";
    s.units = "mixed";
    if ((rc = ana_h5w_write_f64(w, &s, value, err)) ||
        (rc = ana_h5w_attr_str(w, s.path, "long_name",
                               "its value: a price (USD per Mtok), a markup, "
                               "servers (firms), a rung, a level, or an "
                               "expected penalty (USD per month)",
                               err)))
        goto done;
done:
    free(entry);
    free(rep);
    free(month);
    free(value);
    free(agent);
    free(what);
    return rc;
}
