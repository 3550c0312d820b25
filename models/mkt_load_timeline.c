/* mkt_load_timeline.c -- the scenario loader's `timeline`: rule and shock
 * events, each with exactly the keys of its type, sorted by month.
 *
 * Every event has `month`, `type` and `shock`; the rest depends on the type
 * (event_keys below, the schema of mkt.h's mkt_event_type). A key that
 * belongs to another type gets its own message ("not a key of a
 * capability_jump event"), since the usual did-you-mean would say nothing
 * useful about a correctly spelt key in the wrong place.
 *
 * The sort is stable: events in the same month keep the file's order, which
 * is the order the model applies them in (a rule lifted and another imposed
 * in one month must not swap). qsort is not stable, so it sorts on
 * (month, position in the file), a total order.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkt_load_internal.h"

#define TRY MKT_LOAD__TRY

enum { MAX_KEYS = 16 }; /* the most keys a type has, and the NULL */

/* The keys of each event type, NULL-ended; the first four are common. An
 * event's optional id names it in paths (timeline.openai_block.month, for
 * --set and sweeps: scen.h), which, unlike its index, stays put when an
 * event is inserted before it. */
static const char *const event_keys[MKT_N_EVENT_TYPES][MAX_KEYS] = {
    [MKT_EV_VENDOR_POLICY] = {"id", "month", "type", "shock", "vendor",
                              "direct_access", "serve_china_controlled",
                              "channels", NULL},
    [MKT_EV_PARTNERSHIP_END] = {"id", "month", "type", "shock", "intermediary",
                                "wind_down_months", NULL},
    [MKT_EV_LICENCE_REVOCATION] = {"id", "month", "type", "shock", "vendor",
                                   "intermediary", NULL},
    [MKT_EV_COMMERCE_RULE] = {"id", "month", "type", "shock", "active",
                              "compliance_months", "approval_prob", "channels",
                              NULL},
    [MKT_EV_KYC_RULE] = {"id", "month", "type", "shock", "active", "cost",
                         "detection_rate", NULL},
    [MKT_EV_CAC_RULE] = {"id", "month", "type", "shock", "active", NULL},
    [MKT_EV_SOE_PREFERENCE] = {"id", "month", "type", "shock", "penalty", NULL},
    [MKT_EV_ENFORCEMENT] = {"id", "month", "type", "shock", "level", NULL},
    [MKT_EV_CAPABILITY_JUMP] = {"id", "month", "type", "shock", "vendor", "delta",
                                NULL},
    [MKT_EV_PRICE_CHANGE] = {"id", "month", "type", "shock", "vendor", "factor",
                             NULL},
    [MKT_EV_RULE] = {"id", "month", "type", "shock", "name", "effect", "options",
                     "buyers", "approval_prob", "cost", "bearer",
                     "delay_months", "detection_rate", "compliance_months",
                     NULL},
    [MKT_EV_SUSPEND] = {"id", "month", "type", "shock", "rule", NULL},
    [MKT_EV_RESTORE] = {"id", "month", "type", "shock", "rule", NULL},
};

static bool listed(const char *const names[], const char *name)
{
    for (size_t k = 0; names[k] != NULL; k++)
        if (strcmp(names[k], name) == 0)
            return true;
    return false;
}

/* Refuses e's first key that type t does not have: with a message of its
 * own if another type has it, else through scen_check_keys (did-you-mean). */
static int check_event_keys(const config_setting_t *e, size_t t, sim_err *err)
{
    int len = config_setting_length(e);
    for (int i = 0; i < len; i++) {
        const config_setting_t *m = config_setting_get_elem(e, (unsigned)i);
        const char *name = config_setting_name(m);
        if (listed(event_keys[t], name))
            continue;
        for (size_t u = 0; u < MKT_N_EVENT_TYPES; u++) {
            if (!listed(event_keys[u], name))
                continue;
            char list[200] = "";
            for (size_t k = 0; event_keys[t][k] != NULL; k++) {
                size_t used = strlen(list);
                snprintf(list + used, sizeof list - used, "%s%s",
                         k > 0 ? ", " : "", event_keys[t][k]);
            }
            return scen_error(err, m,
                              "not a key of a %s event (expected one of: %s)",
                              mkt_event_type_name((int)t), list);
        }
        break;
    }
    return scen_check_keys(e, event_keys[t], err);
}

/* An optional bool of a vendor_policy event: -1 when absent (unchanged). */
static int get_tristate(const config_setting_t *e, const char *key, int *out,
                        sim_err *err)
{
    bool b;
    *out = -1;
    if (!scen_has(e, key))
        return SIM_OK;
    TRY(scen_get_bool(e, key, &b, err));
    *out = b;
    return SIM_OK;
}

/* Member key of e, a vendor (or intermediary) id; required. */
static int get_ref(const mkt_params *p, const config_setting_t *e,
                   const char *key, size_t *out, sim_err *err)
{
    const config_setting_t *s = config_setting_get_member(e, key);
    if (s == NULL)
        return scen_error(err, e, "missing '%s' (expected %s id)", key,
                          strcmp(key, "vendor") == 0 ? "a vendor"
                                                     : "an intermediary");
    if (strcmp(key, "vendor") == 0)
        return mkt_load__vendor_ref(p, s, out, err);
    return mkt_load__inter_ref(p, s, out, err);
}

static int read_vendor_policy(const mkt_params *p, const config_setting_t *e,
                              mkt_event *ev, sim_err *err)
{
    TRY(get_ref(p, e, "vendor", &ev->vendor, err));
    if (p->vendors[ev->vendor].origin != MKT_ORIGIN_US)
        return scen_error(err, config_setting_get_member(e, "vendor"),
                          "'%s' is a cn vendor (expected a us vendor: a "
                          "vendor_policy event sets a US vendor's policy "
                          "toward China)",
                          p->vendors[ev->vendor].id);
    if (!scen_has(e, "direct_access") && !scen_has(e, "serve_china_controlled"))
        return scen_error(err, e,
                          "missing 'direct_access' or "
                          "'serve_china_controlled' (a vendor_policy event "
                          "changes at least one)");
    TRY(get_tristate(e, "direct_access", &ev->direct_access, err));
    TRY(get_tristate(e, "serve_china_controlled", &ev->serve_china_controlled,
                     err));
    /* The exclusion's channels: abroad only unless the event (or the
     * vendor) says which. */
    memcpy(ev->excl_channels, p->vendors[ev->vendor].exclusion_channels,
           sizeof ev->excl_channels);
    if (!scen_has(e, "channels"))
        return SIM_OK;
    if (ev->serve_china_controlled < 0)
        return scen_error(err, config_setting_get_member(e, "channels"),
                          "channels name what an exclusion covers: expected "
                          "serve_china_controlled with them");
    /* With serve_china_controlled = true they are checked and unused: the
     * exclusion is lifted on every channel (so --set can turn the event
     * into its placebo). */
    return mkt_load__excl_channels(e, "channels", ev->excl_channels, err);
}

static int read_partnership_end(const mkt_params *p, const config_setting_t *e,
                                mkt_event *ev, sim_err *err)
{
    TRY(get_ref(p, e, "intermediary", &ev->intermediary, err));
    const mkt_intermediary *im = &p->inter[ev->intermediary];
    if (im->kind != MKT_KIND_ONSHORE)
        return scen_error(err, config_setting_get_member(e, "intermediary"),
                          "'%s' is offshore (expected an onshore "
                          "intermediary: only those have a local operator "
                          "to part with)",
                          im->id);
    return scen_get_number(e, "wind_down_months", 0.0, 1200.0,
                           &ev->wind_down_months, err);
}

static int read_licence_revocation(const mkt_params *p,
                                   const config_setting_t *e, mkt_event *ev,
                                   sim_err *err)
{
    TRY(get_ref(p, e, "vendor", &ev->vendor, err));
    TRY(get_ref(p, e, "intermediary", &ev->intermediary, err));
    const mkt_intermediary *im = &p->inter[ev->intermediary];
    if (!im->hosts[ev->vendor])
        return scen_error(err, config_setting_get_member(e, "intermediary"),
                          "'%s' does not host '%s' (expected an "
                          "intermediary whose hosts include it)",
                          im->id, p->vendors[ev->vendor].id);
    return SIM_OK;
}

static int read_commerce_rule(const config_setting_t *e, mkt_event *ev,
                              sim_err *err)
{
    TRY(mkt_load__commerce(e, &ev->active, &ev->approval_prob, ev->channels,
                           err));
    if (ev->active || scen_has(e, "compliance_months"))
        TRY(scen_get_number(e, "compliance_months", 0.0, 1200.0,
                            &ev->compliance_months, err));
    return SIM_OK;
}

/* The keys of event type t, after month, type and shock. */
static int read_by_type(mkt_params *p, const config_setting_t *e,
                        mkt_event *ev, sim_err *err)
{
    switch (ev->type) {
    case MKT_EV_VENDOR_POLICY:
        return read_vendor_policy(p, e, ev, err);
    case MKT_EV_PARTNERSHIP_END:
        return read_partnership_end(p, e, ev, err);
    case MKT_EV_LICENCE_REVOCATION:
        return read_licence_revocation(p, e, ev, err);
    case MKT_EV_COMMERCE_RULE:
        return read_commerce_rule(e, ev, err);
    case MKT_EV_KYC_RULE:
        return mkt_load__kyc(e, &ev->active, &ev->cost, &ev->detection_rate,
                             err);
    case MKT_EV_CAC_RULE:
        return mkt_load__opt_bool(e, "active", true, &ev->active, err);
    case MKT_EV_SOE_PREFERENCE:
        return scen_get_number(e, "penalty", 0.0, 1000.0, &ev->penalty, err);
    case MKT_EV_ENFORCEMENT:
        return scen_get_number(e, "level", 0.0, 1000.0, &ev->level, err);
    case MKT_EV_CAPABILITY_JUMP:
        TRY(get_ref(p, e, "vendor", &ev->vendor, err));
        return scen_get_number(e, "delta", -1000.0, 1000.0, &ev->delta, err);
    case MKT_EV_PRICE_CHANGE:
        TRY(get_ref(p, e, "vendor", &ev->vendor, err));
        return mkt_load__open_num(e, "factor", 0.0, 1000.0, &ev->factor, err);
    case MKT_EV_RULE:
        TRY(mkt_load__opt_num(e, "compliance_months", 0.0, 1200.0, 0.0,
                              &ev->compliance_months, err));
        return mkt_load__rule(p, e, &ev->rule, err);
    case MKT_EV_SUSPEND:
    case MKT_EV_RESTORE:
        return mkt_load__rule_ref(p, e, "rule", &ev->rule, err);
    case MKT_N_EVENT_TYPES:
        break;
    }
    return SIM_OK; /* not reached: type came from the enum's names */
}

static int check_id(const config_setting_t *e, sim_err *err);

static int read_event(mkt_params *p, const config_setting_t *e,
                      mkt_event *ev, sim_err *err)
{
    const char *types[MKT_N_EVENT_TYPES + 1];
    for (int t = 0; t < MKT_N_EVENT_TYPES; t++)
        types[t] = mkt_event_type_name(t);
    types[MKT_N_EVENT_TYPES] = NULL;
    size_t t;
    TRY(scen_as_group(e, err));
    TRY(scen_get_enum(e, "type", types, &t, err));
    TRY(check_event_keys(e, t, err));
    /* The fields a type does not use: no index, "unchanged", the defaults. */
    memset(ev, 0, sizeof *ev);
    ev->type = (mkt_event_type)t;
    ev->vendor = ev->intermediary = MKT_NO_INDEX;
    ev->direct_access = ev->serve_china_controlled = -1;
    ev->active = true;
    TRY(scen_get_number(e, "month", 0.0, p->horizon_months, &ev->month, err));
    TRY(mkt_load__opt_bool(e, "shock", true, &ev->shock, err));
    TRY(check_id(e, err));
    return read_by_type(p, e, ev, err);
}

/* Refuses an id that a path could not name: it must be a key-like name
 * (letters, digits, '_' and '-', starting with a letter), the rule of
 * scen.h's paths. */
static int check_id(const config_setting_t *e, sim_err *err)
{
    if (!scen_has(e, "id"))
        return SIM_OK;
    const char *id;
    TRY(scen_get_string(e, "id", &id, err));
    bool ok = isalpha((unsigned char)id[0]) && strlen(id) <= 64;
    for (const char *c = id; ok && *c; c++)
        ok = isalnum((unsigned char)*c) || *c == '_' || *c == '-';
    if (!ok)
        return scen_error(err, config_setting_get_member(e, "id"),
                          "expected a name of letters, digits, '_' and '-' "
                          "starting with a letter (at most 64), got \"%s\"",
                          id);
    return SIM_OK;
}

/* Two events with one id would make timeline.ID name either. */
static int unique_ids(const config_setting_t *l, size_t n, sim_err *err)
{
    for (size_t i = 1; i < n; i++) {
        const config_setting_t *a = config_setting_get_member(
            config_setting_get_elem(l, (unsigned)i), "id");
        for (size_t k = 0; a != NULL && k < i; k++) {
            const config_setting_t *b = config_setting_get_member(
                config_setting_get_elem(l, (unsigned)k), "id");
            if (b != NULL && strcmp(config_setting_get_string(a),
                                    config_setting_get_string(b)) == 0)
                return scen_error(err, a,
                                  "\"%s\" is already the id of "
                                  "timeline.[%zu] (line %u); ids must be "
                                  "unique",
                                  config_setting_get_string(a), k,
                                  config_setting_source_line(b));
        }
    }
    return SIM_OK;
}

typedef struct {
    double month;
    size_t idx; /* position in the file */
} event_key;

static int by_month_then_position(const void *a, const void *b)
{
    const event_key *x = a, *y = b;
    if (x->month != y->month)
        return x->month < y->month ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Reorders p->events by month, stably (see the top of the file). */
static int sort_events(mkt_params *p, sim_err *err)
{
    size_t n = p->n_events;
    event_key *key = malloc(n * sizeof *key);
    mkt_event *sorted = malloc(n * sizeof *sorted);
    if (key == NULL || sorted == NULL) {
        free(key);
        free(sorted);
        return mkt_load__nomem(err);
    }
    for (size_t i = 0; i < n; i++)
        key[i] = (event_key){p->events[i].month, i};
    qsort(key, n, sizeof *key, by_month_then_position);
    for (size_t i = 0; i < n; i++)
        sorted[i] = p->events[key[i].idx];
    free(key);
    free(p->events);
    p->events = sorted;
    return SIM_OK;
}

int mkt_load__timeline(const config_setting_t *root, mkt_params *p,
                       sim_err *err)
{
    if (!scen_has(root, "timeline"))
        return SIM_OK; /* no events */
    const config_setting_t *l;
    size_t n;
    TRY(scen_get_list(root, "timeline", 0, SIZE_MAX, &l, &n, err));
    if (n == 0)
        return SIM_OK;
    if ((p->events = calloc(n, sizeof *p->events)) == NULL)
        return mkt_load__nomem(err);
    p->n_events = n;
    for (size_t i = 0; i < n; i++)
        TRY(read_event(p, config_setting_get_elem(l, (unsigned)i),
                       &p->events[i], err));
    TRY(unique_ids(l, n, err));
    return sort_events(p, err);
}
