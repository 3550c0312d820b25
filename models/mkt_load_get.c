/* mkt_load_get.c -- the scenario loader's reading helpers: message
 * formatting, the getters the scen layer lacks, ids and references to them,
 * channel lists and the parameters shared by rules and timeline events (all
 * declared in mkt_load_internal.h).
 *
 * The scen layer's getters know closed intervals only; mkt.h also has
 * half-open ones ("(0, 10000]" for a price), so there is a getter here for
 * those with the same message form, and a did-you-mean for ids, since the
 * scen layer's is private to it and matches keys, not values. Both follow
 * the scen layer's conventions (the shortest number that reads back, at
 * most 2 edits and a third of the longer name) so that a user sees one
 * style of message whichever layer found the defect.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkt_load_internal.h"

#define TRY MKT_LOAD__TRY

/* ---- formatting ------------------------------------------------------------
 */

/* A string value as messages show it: quoted, cut after 40 characters. */
void mkt_load__quote(char *buf, size_t n, const char *v)
{
    snprintf(buf, n, "\"%.40s%s\"", v, strlen(v) > 40 ? "..." : "");
}

/* ---- shared getters (mkt_load_internal.h) ----------------------------------
 */

int mkt_load__nomem(sim_err *err)
{
    return sim_err_set(err, SIM_ENOMEM, "out of memory");
}

int mkt_load__open_num(const config_setting_t *g, const char *key, double lo,
                       double hi, double *out, sim_err *err)
{
    char a[32], b[32], what[80], got[80];
    scen_fmt_number(a, sizeof a, lo);
    scen_fmt_number(b, sizeof b, hi);
    snprintf(what, sizeof what, "a number in (%s, %s]", a, b);
    const config_setting_t *s = config_setting_get_member(g, key);
    if (s == NULL)
        return scen_error(err, g, "missing '%s' (expected %s)", key, what);
    int t = config_setting_type(s);
    bool number = true;
    double v = 0.0;
    if (t == CONFIG_TYPE_FLOAT)
        v = config_setting_get_float(s);
    else if (t == CONFIG_TYPE_INT64)
        v = (double)config_setting_get_int64(s);
    else if (t == CONFIG_TYPE_INT)
        v = config_setting_get_int(s);
    else
        number = false;
    if (!number || !isfinite(v) || !(v > lo && v <= hi)) {
        scen_describe(s, got, sizeof got);
        return scen_error(err, s, "expected %s, got %s", what, got);
    }
    *out = v;
    return SIM_OK;
}

int mkt_load__opt_num(const config_setting_t *g, const char *key, double lo,
                      double hi, double def, double *out, sim_err *err)
{
    if (!scen_has(g, key)) {
        *out = def;
        return SIM_OK;
    }
    return scen_get_number(g, key, lo, hi, out, err);
}

int mkt_load__opt_bool(const config_setting_t *g, const char *key, bool def,
                       bool *out, sim_err *err)
{
    if (!scen_has(g, key)) {
        *out = def;
        return SIM_OK;
    }
    return scen_get_bool(g, key, out, err);
}

int mkt_load__u32(const config_setting_t *g, const char *key, uint32_t lo,
                  uint32_t hi, uint32_t *out, sim_err *err)
{
    int64_t v;
    TRY(scen_get_int(g, key, lo, hi, &v, err));
    *out = (uint32_t)v;
    return SIM_OK;
}

int mkt_load__string(const config_setting_t *g, const char *key, char **out,
                     sim_err *err)
{
    const char *v;
    TRY(scen_get_string(g, key, &v, err));
    char *d = strdup(v);
    if (d == NULL)
        return mkt_load__nomem(err);
    *out = d;
    return SIM_OK;
}

/* ---- ids and references ----------------------------------------------------
 */

/* Ids and actor names become labels of the output's axes and words in
 * messages, so they hold nothing that needs quoting: [A-Za-z0-9_-]+. */
static bool is_id(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

/* Member key of g as an id or actor name. Borrowed from the document. */
int mkt_load__id(const config_setting_t *g, const char *key, const char **out,
                 sim_err *err)
{
    const char *v;
    TRY(scen_get_string(g, key, &v, err));
    if (!is_id(v)) {
        char got[80];
        mkt_load__quote(got, sizeof got, v);
        return scen_error(err, config_setting_get_member(g, key),
                          "expected a name of letters, digits, '_' and '-', "
                          "got %s",
                          got);
    }
    *out = v;
    return SIM_OK;
}

/* One kind of thing an id can name, for resolving references to it. */
typedef struct {
    const char *what, *a_what, *plural; /* "vendor", "a vendor", "vendors" */
    size_t n;
    const char *(*id)(const mkt_params *p, size_t i);
} id_kind;

static const char *vendor_id(const mkt_params *p, size_t i)
{
    return p->vendors[i].id;
}

static const char *inter_id(const mkt_params *p, size_t i)
{
    return p->inter[i].id;
}

/* The closest id of kind k to bad, by the scen layer's rule (at most 2 edits
 * and a third of the longer name; the first of equals wins), or NULL. */
static const char *nearest(const mkt_params *p, const id_kind *k,
                           const char *bad)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < k->n; i++) {
        const char *cand = k->id(p, i);
        size_t d = scen_name_distance(bad, cand);
        if (d < best_d) {
            best = cand;
            best_d = d;
        }
    }
    return best;
}

/* Resolves string setting s to an index of kind k; other is the kind an
 * id might be confused with (a vendor id where an intermediary belongs). */
static int resolve(const mkt_params *p, const config_setting_t *s,
                   const id_kind *k, const id_kind *other, size_t *out,
                   sim_err *err)
{
    const char *v;
    TRY(scen_as_string(s, &v, err));
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->id(p, i), v) == 0) {
            *out = i;
            return SIM_OK;
        }
    /* Intermediaries not read yet (hosts are read in the middle of them)
     * have no id. */
    for (size_t i = 0; i < other->n; i++)
        if (other->id(p, i) != NULL && strcmp(other->id(p, i), v) == 0)
            return scen_error(err, s, "no %s '%s' ('%s' is %s)", k->what, v, v,
                              other->a_what);
    const char *best = nearest(p, k, v);
    if (best != NULL)
        return scen_error(err, s, "no %s '%s' (did you mean '%s'?)", k->what, v,
                          best);
    if (k->n == 0)
        return scen_error(err, s, "no %s '%s' (there are no %s)", k->what, v,
                          k->plural);
    char list[300] = "";
    size_t used = 0;
    for (size_t i = 0; i < k->n && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s",
                         i > 0 ? ", " : "", k->id(p, i));
        if (w < 0 || (size_t)w >= sizeof list - used) {
            memcpy(list + sizeof list - 4, "...", 4);
            break;
        }
        used += (size_t)w;
    }
    return scen_error(err, s, "no %s '%s' (%s are: %s)", k->what, v, k->plural,
                      list);
}

int mkt_load__vendor_ref(const mkt_params *p, const config_setting_t *s,
                         size_t *out, sim_err *err)
{
    const id_kind vendors = {"vendor", "a vendor", "vendors", p->n_vendors,
                             vendor_id};
    const id_kind inters = {"intermediary", "an intermediary", "intermediaries",
                            p->n_inter, inter_id};
    return resolve(p, s, &vendors, &inters, out, err);
}

int mkt_load__inter_ref(const mkt_params *p, const config_setting_t *s,
                        size_t *out, sim_err *err)
{
    const id_kind vendors = {"vendor", "a vendor", "vendors", p->n_vendors,
                             vendor_id};
    const id_kind inters = {"intermediary", "an intermediary", "intermediaries",
                            p->n_inter, inter_id};
    return resolve(p, s, &inters, &vendors, out, err);
}

/* ---- channel lists and rule parameters -------------------------------------
 */

int mkt_load__channels(const config_setting_t *g, const char *key,
                       bool ch[MKT_N_CHANNELS], sim_err *err)
{
    /* The channels a rule can cover: domestic is China's own, and none and
     * waiting are not channels one can be refused. */
    static const int code[] = {MKT_CH_DIRECT, MKT_CH_ONSHORE, MKT_CH_OFFSHORE,
                               MKT_CH_GRAY};
    enum { N = sizeof code / sizeof code[0] };
    const char *names[N + 1];
    for (size_t k = 0; k < N; k++)
        names[k] = mkt_channel_name(code[k]);
    names[N] = NULL;
    const config_setting_t *l;
    size_t n;
    TRY(scen_get_list(g, key, 1, SIZE_MAX, &l, &n, err));
    bool seen[MKT_N_CHANNELS] = {false};
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        size_t k;
        TRY(scen_as_enum(e, names, &k, err));
        if (seen[code[k]])
            return scen_error(err, e,
                              "\"%s\" is listed twice (expected each channel "
                              "at most once)",
                              names[k]);
        seen[code[k]] = true;
    }
    memcpy(ch, seen, sizeof seen);
    return SIM_OK;
}

int mkt_load__kyc(const config_setting_t *g, bool *active, double *cost,
                  double *detection_rate, sim_err *err)
{
    TRY(mkt_load__opt_bool(g, "active", true, active, err));
    /* Lifting a rule needs no parameters, but a given one is still checked:
     * a typo in an inactive rule would surface when it is switched on. */
    *cost = *detection_rate = 0.0;
    if (*active || scen_has(g, "cost"))
        TRY(scen_get_number(g, "cost", 0.0, 100.0, cost, err));
    if (*active || scen_has(g, "detection_rate"))
        TRY(scen_get_number(g, "detection_rate", 0.0, 1000.0, detection_rate,
                            err));
    return SIM_OK;
}

int mkt_load__commerce(const config_setting_t *g, bool *active,
                       double *approval_prob, bool channels[MKT_N_CHANNELS],
                       sim_err *err)
{
    TRY(mkt_load__opt_bool(g, "active", true, active, err));
    *approval_prob = 0.0;
    memset(channels, 0, MKT_N_CHANNELS * sizeof *channels);
    if (*active || scen_has(g, "approval_prob"))
        TRY(scen_get_prob(g, "approval_prob", approval_prob, err));
    if (*active || scen_has(g, "channels"))
        TRY(mkt_load__channels(g, "channels", channels, err));
    return SIM_OK;
}
