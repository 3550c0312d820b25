/* mkt_load_legal.c -- the scenario loader's legal structure: regions, the
 * attributes of options (where a model is served and its weights sit, whom
 * the buyer contracts with, whether it is a closed frontier model), those of
 * buyers, and rules as conditions on both.
 *
 * Regions are free names ([a-z0-9_-]+, e.g. "cn", "hk", "sg", "us",
 * "abroad"), interned in mkt_params.regions as they first appear on a
 * vendor, intermediary or the gray channel; a rule may name only regions
 * something is served from or keeps weights in, since any other can never
 * match.
 *
 * A rule is refused when it can never match anything: its option condition
 * selects none of the options the scenario makes possible (the option table
 * of models/market.c, enumerated here the same way), or its buyer condition
 * asks for a kind of buyer no sector or large account can be (an
 * individual where every sector is enterprises, a firm headquartered abroad
 * where none is, ...). That is almost always a typo or a misread schema, and
 * a rule that silently did nothing would be read as an effect of zero.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkt_load_internal.h"

#define TRY MKT_LOAD__TRY

enum { MAX_SET = 64 }; /* members of a set-valued condition */

/* ---- regions ---------------------------------------------------------------
 */

static bool is_region_name(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

/* The index of region name v, interning it (at most MAX_SET regions). */
static int intern(mkt_params *p, const char *v, const config_setting_t *at,
                  uint8_t *out, sim_err *err)
{
    for (size_t k = 0; k < p->n_regions; k++)
        if (strcmp(p->regions[k], v) == 0) {
            *out = (uint8_t)k;
            return SIM_OK;
        }
    if (p->n_regions == MAX_SET)
        return scen_error(err, at, "more than %d regions", MAX_SET);
    char **r = realloc(p->regions, (p->n_regions + 1) * sizeof *r);
    if (r == NULL)
        return mkt_load__nomem(err);
    p->regions = r;
    if ((r[p->n_regions] = strdup(v)) == NULL)
        return mkt_load__nomem(err);
    *out = (uint8_t)p->n_regions++;
    return SIM_OK;
}

/* g NULL: the default, there being no group to read it from. */
int mkt_load__region(mkt_params *p, const config_setting_t *g, const char *key,
                     const char *def, uint8_t *out, sim_err *err)
{
    const char *v = def;
    const config_setting_t *s = g ? config_setting_get_member(g, key) : NULL;
    if (s != NULL) {
        TRY(scen_get_string(g, key, &v, err));
        if (!is_region_name(v)) {
            char got[80];
            mkt_load__quote(got, sizeof got, v);
            return scen_error(err, s,
                              "expected a region name ([a-z0-9_-]+, e.g. "
                              "\"cn\", \"sg\"), got %s",
                              got);
        }
    }
    return intern(p, v, s ? s : g, out, err);
}

/* ---- option attributes -----------------------------------------------------
 */

int mkt_load__vendor_legal(mkt_params *p, const config_setting_t *g,
                           mkt_vendor *vd, sim_err *err)
{
    bool us = vd->origin == MKT_ORIGIN_US;
    TRY(mkt_load__region(p, g, "hosting", us ? "us" : "cn", &vd->hosting,
                         err));
    TRY(mkt_load__region(p, g, "weights", p->regions[vd->hosting],
                         &vd->weights, err));
    TRY(mkt_load__opt_bool(g, "closed_frontier", us, &vd->closed_frontier,
                           err));
    memset(vd->exclusion_channels, 0, sizeof vd->exclusion_channels);
    vd->exclusion_channels[MKT_CH_OFFSHORE] = true;
    if (!scen_has(g, "exclusion_channels"))
        return SIM_OK;
    if (!us)
        return scen_error(err, config_setting_get_member(g,
                                                         "exclusion_channels"),
                          "not allowed for a cn vendor (only a us vendor "
                          "excludes China-controlled firms)");
    return mkt_load__excl_channels(g, "exclusion_channels",
                                   vd->exclusion_channels, err);
}

int mkt_load__excl_channels(const config_setting_t *g, const char *key,
                            bool ch[MKT_N_CHANNELS], sim_err *err)
{
    TRY(mkt_load__channels(g, key, ch, err));
    if (ch[MKT_CH_GRAY])
        return scen_error(err, config_setting_get_member(g, key),
                          "\"gray\" cannot be excluded by a vendor (a relay "
                          "hides who the buyer is; expected direct, onshore, "
                          "offshore)");
    return SIM_OK;
}

int mkt_load__inter_legal(mkt_params *p, const config_setting_t *g,
                          mkt_intermediary *im, sim_err *err)
{
    static const char *const entities[] = {"parent", "operator", NULL};
    bool on = im->kind == MKT_KIND_ONSHORE;
    TRY(mkt_load__region(p, g, "hosting", on ? "cn" : "abroad", &im->hosting,
                         err));
    TRY(mkt_load__region(p, g, "weights", p->regions[im->hosting],
                         &im->weights, err));
    im->contracting = on ? MKT_ENTITY_OPERATOR : MKT_ENTITY_PARENT;
    if (!scen_has(g, "contracting"))
        return SIM_OK;
    size_t k;
    TRY(scen_get_enum(g, "contracting", entities, &k, err));
    if (k == 1 && !on)
        return scen_error(err, config_setting_get_member(g, "contracting"),
                          "\"operator\" for an offshore intermediary (it has "
                          "no local operator; expected \"parent\")");
    im->contracting = k == 0 ? MKT_ENTITY_PARENT : MKT_ENTITY_OPERATOR;
    return SIM_OK;
}

/* ---- buyer attributes ------------------------------------------------------
 */

int mkt_load__sector_legal(const config_setting_t *g, mkt_sector *s,
                           sim_err *err)
{
    static const char *const segments[] = {"enterprise", "individual", NULL};
    static const char *const own_keys[] = {"wholly_owned", "min", "max", NULL};
    s->buyer_kind = MKT_BUYER_ENTERPRISE;
    if (scen_has(g, "buyer_kind")) {
        size_t k;
        TRY(scen_get_enum(g, "buyer_kind", segments, &k, err));
        s->buyer_kind = (mkt_buyer_kind)k;
    }
    TRY(mkt_load__opt_num(g, "headquarters_abroad_share", 0.0, 1.0, 0.0,
                          &s->hq_abroad_share, err));
    TRY(mkt_load__opt_num(g, "listed_affiliate_share", 0.0, 1.0, 0.0,
                          &s->listed_share, err));
    s->own_wholly = 1.0;
    s->own_min = s->own_max = 1.0;
    if (!scen_has(g, "subsidiary_ownership"))
        return SIM_OK;
    const config_setting_t *o;
    TRY(scen_get_group(g, "subsidiary_ownership", &o, err));
    TRY(scen_check_keys(o, own_keys, err));
    TRY(scen_get_prob(o, "wholly_owned", &s->own_wholly, err));
    bool need = s->own_wholly < 1.0;
    s->own_min = s->own_max = 1.0;
    if (need || scen_has(o, "min"))
        TRY(scen_get_prob(o, "min", &s->own_min, err));
    if (need || scen_has(o, "max"))
        TRY(scen_get_prob(o, "max", &s->own_max, err));
    if (s->own_min > s->own_max)
        return scen_error(err, config_setting_get_member(o, "max"),
                          "expected max >= min (%g), got %g", s->own_min,
                          s->own_max);
    return SIM_OK;
}

int mkt_load__account_legal(const config_setting_t *g, mkt_account *a,
                            sim_err *err)
{
    static const char *const hqs[] = {"cn", "abroad", NULL};
    a->hq_abroad = false;
    if (scen_has(g, "headquarters")) {
        size_t k;
        TRY(scen_get_enum(g, "headquarters", hqs, &k, err));
        a->hq_abroad = k == 1;
    }
    TRY(mkt_load__opt_num(g, "subsidiary_ownership", 0.0, 1.0, 1.0,
                          &a->subsidiary_ownership, err));
    return mkt_load__opt_bool(g, "listed_affiliate", false, &a->listed, err);
}

/* ---- conditions ------------------------------------------------------------
 */

/* Member key of g, a list of names among names[0..n) (or ids of vendors,
 * intermediaries, sectors, regions), into mask. what names the kind for
 * messages. */
static int get_set(const config_setting_t *g, const char *key,
                   const char *const *names, size_t n, const char *what,
                   uint64_t *mask, sim_err *err)
{
    *mask = 0;
    if (!scen_has(g, key))
        return SIM_OK;
    const config_setting_t *l;
    size_t len;
    TRY(scen_get_list(g, key, 1, MAX_SET, &l, &len, err));
    for (size_t i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *v = config_setting_get_string(e);
        if (v == NULL)
            return scen_error(err, e, "expected a string (%s)", what);
        size_t k = 0;
        while (k < n && strcmp(names[k], v) != 0)
            k++;
        if (k == n) {
            char got[80], list[400] = "";
            mkt_load__quote(got, sizeof got, v);
            for (size_t j = 0; j < n; j++) {
                size_t used = strlen(list);
                if (used + strlen(names[j]) + 8 >= sizeof list) {
                    snprintf(list + used, sizeof list - used, ", ...");
                    break;
                }
                snprintf(list + used, sizeof list - used, "%s\"%s\"",
                         j ? ", " : "", names[j]);
            }
            const char *near = NULL;
            size_t best = 3;
            for (size_t j = 0; j < n; j++) {
                size_t d = scen_name_distance(names[j], v);
                if (d < best) {
                    best = d;
                    near = names[j];
                }
            }
            if (near)
                return scen_error(err, e,
                                  "no %s %s (did you mean \"%s\"?; expected "
                                  "one of: %s)",
                                  what, got, near, list);
            return scen_error(err, e, "no %s %s (expected one of: %s)", what,
                              got, list);
        }
        if (*mask & (UINT64_C(1) << k))
            return scen_error(err, e,
                              "%s is listed twice (expected each at most "
                              "once)",
                              v);
        *mask |= UINT64_C(1) << k;
    }
    return SIM_OK;
}

static int get_tri(const config_setting_t *g, const char *key, int8_t *out,
                   sim_err *err)
{
    *out = -1;
    if (!scen_has(g, key))
        return SIM_OK;
    bool b;
    TRY(scen_get_bool(g, key, &b, err));
    *out = b;
    return SIM_OK;
}

static int option_cond(const mkt_params *p, const config_setting_t *g,
                       mkt_cond *c, sim_err *err)
{
    static const char *const keys[] = {
        "channels", "vendors",     "intermediaries",  "origin", "hosting",
        "weights",  "contracting", "closed_frontier", NULL};
    static const char *const origins[] = {"us", "cn"};
    static const char *const entities[] = {"vendor", "parent", "operator",
                                           "reseller"};
    TRY(scen_check_keys(g, keys, err));
    const char *names[MAX_SET];
    uint64_t m;
    for (int ch = 0; ch < MKT_N_CHANNELS; ch++)
        names[ch] = mkt_channel_name(ch);
    TRY(get_set(g, "channels", names, MKT_N_CHANNELS, "channel", &m, err));
    if (m & ((1u << MKT_CH_NONE) | (1u << MKT_CH_WAITING)))
        return scen_error(err, config_setting_get_member(g, "channels"),
                          "\"none\" and \"waiting\" are not channels an option "
                          "is on (expected direct, onshore, offshore, gray, "
                          "domestic)");
    c->channels = (uint32_t)m;
    size_t nv = p->n_vendors < MAX_SET ? p->n_vendors : MAX_SET;
    for (size_t v = 0; v < nv; v++)
        names[v] = p->vendors[v].id;
    TRY(get_set(g, "vendors", names, nv, "vendor", &c->vendors, err));
    size_t ni = p->n_inter < MAX_SET ? p->n_inter : MAX_SET;
    for (size_t i = 0; i < ni; i++)
        names[i] = p->inter[i].id;
    TRY(get_set(g, "intermediaries", names, ni, "intermediary", &c->inters,
                err));
    TRY(get_set(g, "origin", origins, 2, "origin", &m, err));
    c->origins = (uint32_t)m;
    for (size_t r = 0; r < p->n_regions; r++)
        names[r] = p->regions[r];
    TRY(get_set(g, "hosting", names, p->n_regions,
                "region anything is served from", &c->hosting, err));
    TRY(get_set(g, "weights", names, p->n_regions,
                "region any weights sit in", &c->weights, err));
    TRY(get_set(g, "contracting", entities, MKT_N_ENTITIES,
                "contracting entity", &m, err));
    c->contracting = (uint32_t)m;
    return get_tri(g, "closed_frontier", &c->closed_frontier, err);
}

static int buyer_cond(const mkt_params *p, const config_setting_t *g,
                      mkt_cond *c, sim_err *err)
{
    static const char *const keys[] = {"headquarters",
                                       "china_ownership_above",
                                       "listed_affiliate",
                                       "public_facing",
                                       "state_owned",
                                       "offshore",
                                       "buyer_kind",
                                       "sectors",
                                       NULL};
    static const char *const hqs[] = {"cn", "abroad"};
    static const char *const segs[] = {"enterprise", "individual"};
    TRY(scen_check_keys(g, keys, err));
    uint64_t m;
    TRY(get_set(g, "headquarters", hqs, 2, "headquarters", &m, err));
    c->hq = (uint32_t)m;
    c->own_above = -1;
    if (scen_has(g, "china_ownership_above")) {
        TRY(scen_get_number(g, "china_ownership_above", 0.0, 1.0, &c->own_above,
                            err));
        if (c->own_above >= 1.0)
            return scen_error(err,
                              config_setting_get_member(
                                  g, "china_ownership_above"),
                              "expected a share in [0, 1) (no buyer is more "
                              "than wholly owned), got %g",
                              c->own_above);
    }
    TRY(get_tri(g, "listed_affiliate", &c->listed, err));
    TRY(get_tri(g, "public_facing", &c->public_facing, err));
    TRY(get_tri(g, "state_owned", &c->state_owned, err));
    TRY(get_tri(g, "offshore", &c->offshore, err));
    TRY(get_set(g, "buyer_kind", segs, 2, "buyer kind", &m, err));
    c->buyer_kinds = (uint32_t)m;
    const char *names[MAX_SET];
    size_t ns = p->n_sectors < MAX_SET ? p->n_sectors : MAX_SET;
    for (size_t s = 0; s < ns; s++)
        names[s] = p->sectors[s].name;
    return get_set(g, "sectors", names, ns, "sector", &c->sectors, err);
}

/* ---- can it ever match? ----------------------------------------------------
 */

/* Whether option (ch, v, inter) -- one the model builds -- meets c. */
static bool option_meets(const mkt_params *p, const mkt_cond *c, int ch,
                         size_t v, size_t inter)
{
    const mkt_vendor *vd = &p->vendors[v];
    uint8_t host = vd->hosting, wts = vd->weights;
    int entity = MKT_ENTITY_VENDOR;
    if (inter != MKT_NO_INDEX) {
        host = p->inter[inter].hosting;
        wts = p->inter[inter].weights;
        entity = p->inter[inter].contracting;
    } else if (ch == MKT_CH_GRAY) {
        host = p->gray.hosting;
        entity = MKT_ENTITY_RESELLER;
    }
    return (!c->channels || (c->channels >> ch & 1)) &&
           (!c->vendors || (c->vendors >> v & 1)) &&
           (!c->inters ||
            (inter != MKT_NO_INDEX && (c->inters >> inter & 1))) &&
           (!c->origins || (c->origins >> vd->origin & 1)) &&
           (!c->hosting || (c->hosting >> host & 1)) &&
           (!c->weights || (c->weights >> wts & 1)) &&
           (!c->contracting || (c->contracting >> entity & 1)) &&
           (c->closed_frontier < 0 || c->closed_frontier == vd->closed_frontier);
}

bool mkt_load__option_matches_any(const mkt_params *p, const mkt_cond *c)
{
    for (size_t v = 0; v < p->n_vendors; v++) {
        bool us = p->vendors[v].origin == MKT_ORIGIN_US;
        if (us && option_meets(p, c, MKT_CH_DIRECT, v, MKT_NO_INDEX))
            return true;
        if (us && p->gray.enabled &&
            option_meets(p, c, MKT_CH_GRAY, v, MKT_NO_INDEX))
            return true;
        if (!us && option_meets(p, c, MKT_CH_DOMESTIC, v, MKT_NO_INDEX))
            return true;
        for (size_t i = 0; i < p->n_inter; i++)
            if (p->inter[i].hosts[v] &&
                option_meets(p, c, p->inter[i].kind == MKT_KIND_ONSHORE
                                       ? MKT_CH_ONSHORE
                                       : MKT_CH_OFFSHORE,
                             v, i))
                return true;
    }
    return false;
}

/* Refuses an option condition one of whose parts no option of the scenario
 * has (a region nothing is served from, "operator" with no onshore cloud, a
 * channel with no option on it, ...): a rule that can never apply, almost
 * always a typo. Parts that each match something but not together are
 * accepted: such a rule does not apply here (the weights rule in a market
 * whose frontier weights all sit abroad), which is an answer, not a
 * mistake. */
static int check_parts(const mkt_params *p, const config_setting_t *g,
                       const mkt_cond *c, sim_err *err)
{
    static const char *const keys[] = {"channels", "vendors", "intermediaries",
                                       "origin", "hosting", "weights",
                                       "contracting", "closed_frontier"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        mkt_cond one;
        memset(&one, 0, sizeof one);
        one.closed_frontier = -1;
        switch (k) {
        case 0: one.channels = c->channels; break;
        case 1: one.vendors = c->vendors; break;
        case 2: one.inters = c->inters; break;
        case 3: one.origins = c->origins; break;
        case 4: one.hosting = c->hosting; break;
        case 5: one.weights = c->weights; break;
        case 6: one.contracting = c->contracting; break;
        default: one.closed_frontier = c->closed_frontier; break;
        }
        if (!scen_has(g, keys[k]) || mkt_load__option_matches_any(p, &one))
            continue;
        return scen_error(err, config_setting_get_member(g, keys[k]),
                          "matches no option of this scenario (a rule that "
                          "can never apply: no option has any of these)");
    }
    return SIM_OK;
}

/* Whether some sector's members or some large account may meet c's buyer
 * part (each attribute separately possible: a loose test, which is what a
 * typo check needs). */
static bool buyer_possible(const mkt_params *p, const mkt_cond *c)
{
    for (size_t s = 0; s < p->n_sectors; s++) {
        const mkt_sector *sec = &p->sectors[s];
        if (c->sectors && !(c->sectors >> s & 1))
            continue;
        bool ordinary = sec->count > 0;
        if (c->buyer_kinds && !(c->buyer_kinds >> sec->buyer_kind & 1))
            continue;
        bool hq_cn = ordinary && sec->hq_abroad_share < 1,
             hq_ab = ordinary && sec->hq_abroad_share > 0,
             listed = ordinary && sec->listed_share > 0,
             unlisted = ordinary && sec->listed_share < 1,
             pub = ordinary && sec->public_facing_share > 0,
             npub = ordinary && sec->public_facing_share < 1,
             soe = ordinary && sec->state_owned_share > 0,
             nsoe = ordinary && sec->state_owned_share < 1,
             off = ordinary && sec->offshore_share > 0,
             noff = ordinary && sec->offshore_share < 1;
        for (size_t a = 0; a < sec->n_accounts; a++) {
            const mkt_account *ac = &sec->accounts[a];
            hq_cn |= !ac->hq_abroad;
            hq_ab |= ac->hq_abroad;
            listed |= ac->listed;
            unlisted |= !ac->listed;
            pub |= ac->public_facing;
            npub |= !ac->public_facing;
            soe |= ac->state_owned;
            nsoe |= !ac->state_owned;
            off |= ac->offshore;
            noff |= !ac->offshore;
        }
        if ((c->hq && !(((c->hq & 1) && hq_cn) || ((c->hq & 2) && hq_ab))) ||
            (c->listed == 1 && !listed) ||
            (c->listed == 0 && !unlisted) || (c->public_facing == 1 && !pub) ||
            (c->public_facing == 0 && !npub) || (c->state_owned == 1 && !soe) ||
            (c->state_owned == 0 && !nsoe) || (c->offshore == 1 && !off) ||
            (c->offshore == 0 && !noff))
            continue;
        if (c->own_above >= 0 && !hq_cn)
            continue; /* only China-headquartered buyers have China owners */
        return true;
    }
    return false;
}

static void finish_cond(mkt_cond *c)
{
    c->any_buyer = !c->hq && c->own_above < 0 && c->listed < 0 &&
                   c->public_facing < 0 && c->state_owned < 0 &&
                   c->offshore < 0 && !c->buyer_kinds && !c->sectors;
}

/* ---- rules -----------------------------------------------------------------
 */

/* The keys of a rule, besides an event's month, type and shock. */
const char *const mkt_load__rule_keys[] = {
    "name",         "effect", "options",        "buyers",
    "approval_prob", "cost",  "bearer",         "delay_months",
    "detection_rate", "compliance_months", NULL};

int mkt_load__rule(mkt_params *p, const config_setting_t *g, size_t *out,
                   sim_err *err)
{
    static const char *const effects[] = {"forbid", "licence", "cost", "delay",
                                          NULL};
    static const char *const bearers[] = {"buyer", "intermediary", "vendor",
                                          NULL};
    mkt_rule r;
    memset(&r, 0, sizeof r);
    r.cond.closed_frontier = r.cond.listed = r.cond.public_facing =
        r.cond.state_owned = r.cond.offshore = -1;
    r.cond.own_above = -1;
    const char *name;
    TRY(mkt_load__id(g, "name", &name, err));
    size_t k;
    TRY(scen_get_enum(g, "effect", effects, &k, err));
    r.effect = (mkt_rule_effect)k;
    const config_setting_t *sub;
    if (!scen_has(g, "options"))
        return scen_error(err, g,
                          "missing 'options' (expected a group naming the "
                          "options the rule covers, e.g. { weights = [ \"cn\" "
                          "]; closed_frontier = true; })");
    TRY(scen_get_group(g, "options", &sub, err));
    TRY(option_cond(p, sub, &r.cond, err));
    TRY(check_parts(p, sub, &r.cond, err));
    if (scen_has(g, "buyers")) {
        TRY(scen_get_group(g, "buyers", &sub, err));
        TRY(buyer_cond(p, sub, &r.cond, err));
        if (!buyer_possible(p, &r.cond))
            return scen_error(err, sub,
                              "matches no buyer of this scenario (no sector "
                              "or large account can be such a buyer)");
    }
    finish_cond(&r.cond);
    bool licence = r.effect == MKT_RULE_LICENCE,
         cost = r.effect == MKT_RULE_COST, delay = r.effect == MKT_RULE_DELAY;
    if (licence || scen_has(g, "approval_prob")) {
        if (!licence)
            return scen_error(err, config_setting_get_member(g,
                                                             "approval_prob"),
                              "only a \"licence\" rule has an approval "
                              "probability");
        TRY(scen_get_prob(g, "approval_prob", &r.approval_prob, err));
    }
    if (cost || scen_has(g, "cost")) {
        if (!cost && !delay)
            return scen_error(err, config_setting_get_member(g, "cost"),
                              "only a \"cost\" or \"delay\" rule has a cost");
        TRY(scen_get_number(g, "cost", 0.0, 100.0, &r.cost, err));
    }
    if (delay || scen_has(g, "delay_months")) {
        if (!delay)
            return scen_error(err, config_setting_get_member(g,
                                                             "delay_months"),
                              "only a \"delay\" rule has delay_months");
        TRY(mkt_load__open_num(g, "delay_months", 0.0, 1200.0, &r.delay_months,
                               err));
    }
    r.bearer = MKT_BEARER_BUYER;
    if (scen_has(g, "bearer")) {
        TRY(scen_get_enum(g, "bearer", bearers, &k, err));
        r.bearer = (mkt_bearer)k;
        if (r.bearer != MKT_BEARER_BUYER && r.cost == 0 && !cost)
            return scen_error(err, config_setting_get_member(g, "bearer"),
                              "a bearer carries a cost: expected a \"cost\" "
                              "rule or a cost");
        if (r.bearer != MKT_BEARER_BUYER && !r.cond.any_buyer)
            return scen_error(err, config_setting_get_member(g, "bearer"),
                              "a cost the %s carries applies to every buyer "
                              "of the options (revenue is booked per option, "
                              "not per buyer): remove 'buyers' or make the "
                              "bearer \"buyer\"",
                              bearers[r.bearer]);
    }
    if (r.bearer == MKT_BEARER_INTERMEDIARY) {
        /* Only options at a cloud have one. */
        mkt_cond at_cloud = r.cond;
        at_cloud.channels &= (1u << MKT_CH_ONSHORE) | (1u << MKT_CH_OFFSHORE);
        if (!at_cloud.channels)
            at_cloud.channels = (1u << MKT_CH_ONSHORE) | (1u << MKT_CH_OFFSHORE);
        if (!mkt_load__option_matches_any(p, &at_cloud))
            return scen_error(err, config_setting_get_member(g, "bearer"),
                              "\"intermediary\": none of the rule's options "
                              "is at an intermediary");
    }
    TRY(mkt_load__opt_num(g, "detection_rate", 0.0, 1000.0, 0.0,
                          &r.detection_rate, err));
    /* The same name later on is the same rule, redefined. */
    size_t idx = p->n_rule_defs;
    mkt_rule *defs = realloc(p->rule_defs, (idx + 1) * sizeof *defs);
    if (defs == NULL)
        return mkt_load__nomem(err);
    p->rule_defs = defs;
    if ((r.name = strdup(name)) == NULL)
        return mkt_load__nomem(err);
    defs[idx] = r;
    p->n_rule_defs++;
    *out = idx;
    return SIM_OK;
}

int mkt_load__rule_ref(const mkt_params *p, const config_setting_t *g,
                       const char *key, size_t *out, sim_err *err)
{
    const char *name;
    TRY(mkt_load__id(g, key, &name, err));
    /* The latest definition read so far (events are read in file order). */
    for (size_t k = p->n_rule_defs; k-- > 0;)
        if (strcmp(p->rule_defs[k].name, name) == 0) {
            *out = k;
            return SIM_OK;
        }
    return scen_error(err, config_setting_get_member(g, key),
                      "no rule '%s' before this event (expected the name of "
                      "a rule event earlier in the file, or of "
                      "rules.conditions)",
                      name);
}

int mkt_load__conditions(mkt_params *p, const config_setting_t *rules,
                         sim_err *err)
{
    if (rules == NULL || !scen_has(rules, "conditions"))
        return SIM_OK;
    const config_setting_t *l;
    size_t n;
    TRY(scen_get_list(rules, "conditions", 0, SIZE_MAX, &l, &n, err));
    if (n == 0)
        return SIM_OK;
    if ((p->rules.conditions = calloc(n, sizeof *p->rules.conditions)) == NULL)
        return mkt_load__nomem(err);
    p->rules.n_conditions = n;
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
        TRY(scen_as_group(g, err));
        TRY(scen_check_keys(g, mkt_load__rule_keys, err));
        if (scen_has(g, "compliance_months"))
            return scen_error(err,
                              config_setting_get_member(g,
                                                        "compliance_months"),
                              "a condition in force at the start has no "
                              "compliance window (use a rule event on the "
                              "timeline)");
        TRY(mkt_load__rule(p, g, &p->rules.conditions[i], err));
    }
    return SIM_OK;
}

void mkt_load__free_legal(mkt_params *p)
{
    for (size_t k = 0; k < p->n_rule_defs; k++)
        free(p->rule_defs[k].name);
    free(p->rule_defs);
    for (size_t k = 0; k < p->n_regions; k++)
        free(p->regions[k]);
    free(p->regions);
    free(p->rules.conditions);
}
