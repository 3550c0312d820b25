/* calib_target.c -- an observed target against the model's outputs: which
 * series, coordinates and months it reads (resolved once, when the
 * calibration file loads) and its value in one replication.
 *
 * The series are those of the run file (the /series group, docs/output.md) by the
 * same names, so a target written against `aims run`'s file means the same
 * thing here. A target names coordinates of a series' LAST axis (vendors
 * of tokens_by_vendor, actors of revenue, channels of channel_count,
 * sectors of tokens_by_sector); every other axis is summed. Over the months
 * [from, to] a flow is summed and a stock averaged (NaN months left out),
 * as the target format says.
 *
 * Every name is checked here, against the scenario's own vendors, actors,
 * sectors, accounts and options: a typo in a target file would otherwise
 * fit a model to a zero.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib_internal.h"
#include "scen.h"

enum { AX_NONE, AX_CHANNEL, AX_ACTOR, AX_VENDOR, AX_SECTOR };

typedef struct {
    const char *name;
    bool stock;
    int axis;
} series_def;

/* The order is the switch in series_at. */
static const series_def series[] = {
    {"channel_count", true, AX_CHANNEL},
    {"revenue", false, AX_ACTOR},
    {"payments", false, AX_NONE},
    {"adopters", true, AX_NONE},
    {"frontier_access_share", true, AX_NONE},
    {"switches", false, AX_NONE},
    {"detections", false, AX_NONE},
    {"days_without_access", false, AX_NONE},
    {"capability_gap", true, AX_NONE},
    {"frontier_access_index", true, AX_NONE},
    {"compliance_cost", false, AX_ACTOR},
    {"tokens_by_vendor", false, AX_VENDOR},
    {"tokens_by_channel", false, AX_CHANNEL},
    {"tokens_by_sector", false, AX_SECTOR},
    {"channel_count_by_sector", true, AX_CHANNEL},
    {"tokens", false, AX_SECTOR},
};
enum { N_SERIES = sizeof series / sizeof series[0] };

char *cal__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static size_t axis_len(int axis, const mkt_params *p)
{
    switch (axis) {
    case AX_CHANNEL: return MKT_N_CHANNELS;
    case AX_ACTOR: return p->n_actors;
    case AX_VENDOR: return p->n_vendors;
    case AX_SECTOR: return p->n_sectors;
    default: return 1;
    }
}

static const char *axis_name(int axis, const mkt_params *p, size_t k)
{
    switch (axis) {
    case AX_CHANNEL: return mkt_channel_name((int)k);
    case AX_ACTOR: return p->actors[k];
    case AX_VENDOR: return p->vendors[k].id;
    case AX_SECTOR: return p->sectors[k].name;
    default: return "";
    }
}

/* Series s at 0-based month m, coordinate k of its last axis, the other
 * axes summed. */
static double series_at(int s, const mkt_results *r, size_t m, size_t k)
{
    size_t C = MKT_N_CHANNELS, A = r->n_actors, S = r->n_sectors;
    size_t G = MKT_N_SEGMENTS, O = r->n_options;
    double v = 0;
    switch (s) {
    case 0: return r->channel_count[m * C + k];
    case 1: return r->revenue[m * A + k];
    case 2: return r->payments[m];
    case 3: return r->adopters[m];
    case 4: return r->frontier_access_share[m];
    case 5: return r->switches[m];
    case 6: return r->detections[m];
    case 7: return r->days_without_access[m];
    case 8: return r->capability_gap[m];
    case 9: return r->frontier_access_index[m];
    case 10: return r->compliance_cost[m * A + k];
    case 11: return r->tokens_by_vendor[m * r->n_vendors + k];
    case 12: return r->tokens_by_channel[m * C + k];
    case 13:
        for (size_t g = 0; g < G; g++)
            v += r->tokens_by_sector[(m * G + g) * S + k];
        return v;
    case 14:
        for (size_t g = 0; g < G * S; g++)
            v += r->channel_count_by_sector[(m * G * S + g) * C + k];
        return v;
    case 15:
        for (size_t o = 0; o < O; o++)
            for (size_t g = 0; g < G; g++)
                v += r->tokens[((m * O + o) * G + g) * S + k];
        return v;
    default: return (double)NAN;
    }
}

static double agg_value(const cal_agg *a, const mkt_results *r)
{
    const series_def *d = &series[a->series];
    size_t K = d->axis == AX_NONE ? 1
               : d->axis == AX_CHANNEL ? MKT_N_CHANNELS
               : d->axis == AX_ACTOR ? r->n_actors
               : d->axis == AX_VENDOR ? r->n_vendors
                                      : r->n_sectors;
    double sum = 0;
    size_t used = 0;
    for (int m = a->from; m <= a->to; m++) {
        double v = 0;
        for (size_t k = 0; k < K; k++)
            if (a->mask[k])
                v += series_at(a->series, r, (size_t)m, k);
        if (isnan(v))
            continue;
        sum += v;
        used++;
    }
    if (!d->stock)
        return used == (size_t)(a->to - a->from + 1) ? sum : (double)NAN;
    return used ? sum / (double)used : (double)NAN;
}

double cal_target_value(const cal_target *t, const mkt_results *r)
{
    if (t->kind == CAL_PROBABILITY) {
        int64_t o = r->account_option[(size_t)t->month * r->n_accounts +
                                      t->account];
        return o >= 0 && t->opt_mask[o] ? 1.0 : 0.0;
    }
    double a = agg_value(&t->num, r);
    if (t->kind == CAL_LEVEL)
        return a;
    double b = agg_value(&t->den, r);
    return b != 0 ? a / b : (double)NAN;
}

/* ---- reading a target --------------------------------------------------- */

/* "YYYY-MM" to a 0-based month of the run (start = month 0). */
static int month_of(const config_setting_t *g, const char *key,
                    const mkt_params *p, int *out, sim_err *err)
{
    const char *s;
    int rc = scen_get_string(g, key, &s, err);
    if (rc != SIM_OK)
        return rc;
    const config_setting_t *k = config_setting_get_member(g, key);
    int y, mo, y0, m0;
    char tail;
    if (sscanf(s, "%4d-%2d%c", &y, &mo, &tail) != 2 || mo < 1 || mo > 12 ||
        strlen(s) != 7)
        return scen_error(err, k, "expected a month \"YYYY-MM\", got \"%s\"",
                          s);
    if (p->start == NULL || sscanf(p->start, "%4d-%2d", &y0, &m0) != 2)
        return scen_error(err, k, "the scenario has no start month");
    int m = (y - y0) * 12 + (mo - m0);
    if (m < 0 || m >= (int)p->horizon_months)
        return scen_error(err, k,
                          "%s is outside the scenario's months (%s, %u "
                          "months): no output there",
                          s, p->start, p->horizon_months);
    *out = m;
    return SIM_OK;
}

static int find_series(const config_setting_t *g, const char *key,
                       const char **name, int *out, sim_err *err)
{
    int rc = scen_get_string(g, key, name, err);
    if (rc != SIM_OK)
        return rc;
    for (int i = 0; i < (int)N_SERIES; i++)
        if (strcmp(series[i].name, *name) == 0) {
            *out = i;
            return SIM_OK;
        }
    char list[1024] = "";
    for (size_t i = 0; i < N_SERIES; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, series[i].name, sizeof list - strlen(list) - 1);
    }
    return scen_error(err, config_setting_get_member(g, key),
                      "'%s' is not a series of the run file (expected one "
                      "of: %s)",
                      *name, list);
}

/* The coordinates named by list key (absent or [] = all). */
static int read_mask(const config_setting_t *g, const char *key, int axis,
                     const mkt_params *p, unsigned char **out, sim_err *err)
{
    size_t K = axis_len(axis, p);
    unsigned char *m = calloc(K, 1);
    if (m == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    *out = m;
    const config_setting_t *l = config_setting_get_member(g, key);
    size_t n = 0;
    int rc;
    if (l != NULL && (rc = scen_as_list(l, 0, 4096, &n, err)) != SIM_OK)
        return rc;
    if (n == 0) {
        memset(m, 1, K);
        return SIM_OK;
    }
    if (axis == AX_NONE)
        return scen_error(err, l,
                          "this series has no coordinates to pick; write "
                          "[] or leave it out");
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *name;
        if ((rc = scen_as_string(e, &name, err)) != SIM_OK)
            return rc;
        size_t k = 0;
        while (k < K && strcmp(axis_name(axis, p, k), name) != 0)
            k++;
        if (k == K) {
            char list[1024] = "";
            for (size_t j = 0; j < K; j++) {
                strncat(list, j ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, axis_name(axis, p, j),
                        sizeof list - strlen(list) - 1);
            }
            return scen_error(err, e,
                              "'%s' is not a coordinate of this series "
                              "(expected one of: %s)",
                              name, list);
        }
        m[k] = 1;
    }
    return SIM_OK;
}

static int read_probability(const config_setting_t *g, const mkt_params *p,
                            cal_target *t, sim_err *err)
{
    const char *acc, *sub;
    int rc;
    if ((rc = scen_get_string(g, "account", &acc, err)) ||
        (rc = scen_get_string(g, "option_contains", &sub, err)) ||
        (rc = month_of(g, "to", p, &t->month, err)))
        return rc;
    size_t k = 0;
    bool found = false;
    for (size_t s = 0; s < p->n_sectors && !found; s++)
        for (size_t a = 0; a < p->sectors[s].n_accounts; a++, k++)
            if (strcmp(p->sectors[s].accounts[a].name, acc) == 0) {
                found = true;
                break;
            }
    if (!found)
        return scen_error(err, config_setting_get_member(g, "account"),
                          "'%s' is not a large account of the scenario",
                          acc);
    t->account = k;
    size_t no = mkt_option_table(p, NULL, 0);
    mkt_option *tab = calloc(no ? no : 1, sizeof *tab);
    t->opt_mask = calloc(no ? no : 1, 1);
    if (tab == NULL || t->opt_mask == NULL) {
        free(tab);
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    }
    mkt_option_table(p, tab, no);
    size_t hits = 0;
    for (size_t o = 0; o < no; o++) {
        char name[512];
        const char *ch = mkt_channel_name(tab[o].channel);
        const char *vd = p->vendors[tab[o].vendor].id;
        if (tab[o].inter == MKT_NO_INDEX)
            snprintf(name, sizeof name, "%s %s", ch, vd);
        else
            snprintf(name, sizeof name, "%s %s via %s", ch, vd,
                     p->inter[tab[o].inter].id);
        if (strstr(name, sub) != NULL) {
            t->opt_mask[o] = 1;
            hits++;
        }
    }
    free(tab);
    if (hits == 0)
        return scen_error(err,
                          config_setting_get_member(g, "option_contains"),
                          "no option of the scenario contains \"%s\"", sub);
    return SIM_OK;
}

int cal__target_read(const config_setting_t *g, const mkt_params *p,
                     cal_target *t, sim_err *err)
{
    static const char *const keys[] = {
        "id",       "source",   "observed",  "value",   "sd",
        "sd_how",   "kind",     "series",    "of",      "among",
        "from",     "to",       "per",       "per_of",  "base_from",
        "base_to",  "account",  "option_contains",      "held_out",
        "scenario", "note",     NULL};
    static const char *const kinds[] = {"share", "level", "ratio", "growth",
                                        "probability", NULL};
    const char *id, *src, *obs, *how = "", *sname;
    size_t kind;
    int rc;
    if ((rc = scen_as_group(g, err)) || (rc = scen_check_keys(g, keys, err)) ||
        (rc = scen_get_string(g, "id", &id, err)) ||
        (rc = scen_get_string(g, "source", &src, err)) ||
        (rc = scen_get_string(g, "observed", &obs, err)) ||
        (rc = scen_get_number(g, "value", -HUGE_VAL, HUGE_VAL, &t->value,
                              err)) ||
        (rc = scen_get_number(g, "sd", 0, HUGE_VAL, &t->sd, err)) ||
        (rc = scen_get_enum(g, "kind", kinds, &kind, err)))
        return rc;
    t->line = config_setting_source_line(g);
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return scen_error(err, config_setting_get_member(g, "id"),
                              "expected an id of [a-z0-9_], got \"%s\"", id);
    if (!(t->sd > 0))
        return scen_error(err, config_setting_get_member(g, "sd"),
                          "expected sd > 0 (the distance divides by it), "
                          "got %g",
                          t->sd);
    if (scen_has(g, "sd_how") &&
        (rc = scen_get_string(g, "sd_how", &how, err)))
        return rc;
    if (scen_has(g, "held_out") &&
        (rc = scen_get_bool(g, "held_out", &t->held_out, err)))
        return rc;
    t->kind = (cal_kind)kind;
    if (!(t->id = cal__strdup(id)) || !(t->source = cal__strdup(src)) ||
        !(t->observed = cal__strdup(obs)) || !(t->sd_how = cal__strdup(how)))
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    if (t->kind == CAL_PROBABILITY) {
        if ((rc = scen_get_string(g, "series", &sname, err)))
            return rc;
        if (strcmp(sname, "account_option") != 0)
            return scen_error(err, config_setting_get_member(g, "series"),
                              "a probability target reads "
                              "\"account_option\", got \"%s\"",
                              sname);
        if (!(t->series_name = cal__strdup(sname)))
            return sim_err_set(err, SIM_ENOMEM, "out of memory");
        return read_probability(g, p, t, err);
    }
    if ((rc = find_series(g, "series", &sname, &t->num.series, err)))
        return rc;
    if (!(t->series_name = cal__strdup(sname)))
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    int ax = series[t->num.series].axis;
    if ((rc = read_mask(g, "of", ax, p, &t->num.mask, err)) ||
        (rc = month_of(g, "from", p, &t->num.from, err)) ||
        (rc = month_of(g, "to", p, &t->num.to, err)))
        return rc;
    if (t->num.to < t->num.from)
        return scen_error(err, config_setting_get_member(g, "to"),
                          "expected a month no earlier than from");
    t->den = t->num;
    t->den.mask = NULL;
    switch (t->kind) {
    case CAL_SHARE:
        return read_mask(g, "among", ax, p, &t->den.mask, err);
    case CAL_RATIO: {
        const char *per;
        if ((rc = find_series(g, "per", &per, &t->den.series, err)))
            return rc;
        return read_mask(g, "per_of", series[t->den.series].axis, p,
                         &t->den.mask, err);
    }
    case CAL_GROWTH:
        if ((rc = month_of(g, "base_from", p, &t->den.from, err)) ||
            (rc = month_of(g, "base_to", p, &t->den.to, err)))
            return rc;
        if (t->den.to < t->den.from)
            return scen_error(err, config_setting_get_member(g, "base_to"),
                              "expected a month no earlier than base_from");
        return read_mask(g, "of", ax, p, &t->den.mask, err);
    default:
        return SIM_OK;
    }
}

void cal__target_fini(cal_target *t)
{
    free(t->id);
    free(t->source);
    free(t->observed);
    free(t->sd_how);
    free(t->series_name);
    free(t->num.mask);
    free(t->den.mask);
    free(t->opt_mask);
    free(t->file);
    memset(t, 0, sizeof *t);
}

const char *cal_kind_name(cal_kind k)
{
    static const char *const n[] = {"share", "level", "ratio", "growth",
                                    "probability"};
    return (unsigned)k < 5 ? n[k] : "?";
}
