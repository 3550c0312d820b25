/* mkt_build.h -- hand-built mkt_params for the model's tests.
 *
 * The model's tests build their scenarios in code rather than through the
 * loader, so a test of a mechanism does not also test the file format, and
 * each test says in one place exactly what its market holds. Every builder
 * call fills the fields mkt_load would; mb_finish derives counts,
 * weights and the reseller actor.
 */
#ifndef MKT_BUILD_H
#define MKT_BUILD_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkt.h"

static inline char *mb_strdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    strcpy(d, s);
    return d;
}

/* An empty market: horizon months, `count` enterprises standing for `firms`
 * firms, no vendors, sectors or events yet. */
static inline mkt_params *mb_new(uint32_t horizon, uint32_t count,
                                 double firms)
{
    mkt_params *p = calloc(1, sizeof *p);
    p->name = mb_strdup("test");
    p->start = mb_strdup("2026-01");
    p->horizon_months = horizon;
    p->replications = 1;
    p->seed = 1;
    p->frontier_tolerance = 1.0;
    p->frontier_tau = 2.0;
    p->final_window_months = horizon < 12 ? horizon : 12;
    p->count = count;
    p->firms = firms;
    p->vendors = calloc(8, sizeof *p->vendors);
    p->inter = calloc(8, sizeof *p->inter);
    p->sectors = calloc(8, sizeof *p->sectors);
    p->events = calloc(32, sizeof *p->events);
    p->actors = calloc(32, sizeof *p->actors);
    /* Regions, as the loader would intern them (MB_US, MB_CN, ...). */
    static const char *const regions[] = {"us", "cn", "sg", "abroad"};
    p->regions = calloc(4, sizeof *p->regions);
    for (size_t k = 0; k < 4; k++)
        p->regions[k] = mb_strdup(regions[k]);
    p->n_regions = 4;
    p->rule_defs = calloc(16, sizeof *p->rule_defs);
    return p;
}

enum { MB_US, MB_CN, MB_SG, MB_ABROAD }; /* region indices */

static inline size_t mb_vendor(mkt_params *p, const char *id, mkt_origin o,
                               double cap, double price)
{
    mkt_vendor *v = &p->vendors[p->n_vendors];
    v->id = mb_strdup(id);
    v->origin = o;
    v->capability = cap;
    v->price = price;
    v->serve_china_controlled = true;
    v->exclusion_channels[MKT_CH_OFFSHORE] = true;
    v->hosting = v->weights = o == MKT_ORIGIN_US ? MB_US : MB_CN;
    v->closed_frontier = o == MKT_ORIGIN_US;
    v->onboarding.servers = 1000000;
    v->onboarding.mean_days = 1e-3;
    p->actors[p->n_actors++] = mb_strdup(id);
    return p->n_vendors++;
}

static inline size_t mb_actor(mkt_params *p, const char *name)
{
    for (size_t a = 0; a < p->n_actors; a++)
        if (strcmp(p->actors[a], name) == 0)
            return a;
    p->actors[p->n_actors] = mb_strdup(name);
    return p->n_actors++;
}

/* An intermediary hosting one vendor (more with mb_host). */
static inline size_t mb_inter(mkt_params *p, const char *id, mkt_kind kind,
                              size_t vendor, const char *parent,
                              const char *operator_, double vs, double ps,
                              double os)
{
    mkt_intermediary *im = &p->inter[p->n_inter];
    im->id = mb_strdup(id);
    im->kind = kind;
    im->hosts = calloc(8, sizeof *im->hosts);
    im->hosts[vendor] = true;
    im->parent = mb_actor(p, parent);
    im->operator_ = operator_ ? mb_actor(p, operator_) : MKT_NO_INDEX;
    im->vendor_share = vs;
    im->parent_share = ps;
    im->operator_share = os;
    im->onboarding.servers = 1000000;
    im->onboarding.mean_days = 1e-3;
    im->hosting = im->weights = kind == MKT_KIND_ONSHORE ? MB_CN : MB_ABROAD;
    im->contracting = kind == MKT_KIND_ONSHORE ? MKT_ENTITY_OPERATOR
                                               : MKT_ENTITY_PARENT;
    return p->n_inter++;
}

static inline mkt_sector *mb_sector(mkt_params *p, const char *name,
                                    double share)
{
    mkt_sector *s = &p->sectors[p->n_sectors++];
    s->name = mb_strdup(name);
    s->share = share;
    s->bass_p = 1.0;
    s->usage_median = 1.0;
    s->contract_months = 12;
    s->max_options = 1;
    s->nest_lambda = 1.0;
    s->reference_price = 1.0;
    s->own_wholly = s->own_min = s->own_max = 1.0;
    return s;
}

static inline mkt_event *mb_event(mkt_params *p, mkt_event_type type,
                                  double month)
{
    mkt_event *e = &p->events[p->n_events++];
    e->type = type;
    e->month = month;
    e->shock = true;
    e->vendor = e->intermediary = MKT_NO_INDEX;
    e->direct_access = e->serve_china_controlled = -1;
    e->active = true;
    e->excl_channels[MKT_CH_OFFSHORE] = true;
    return e;
}

/* A rule event at month: effect on the options and buyers the caller then
 * sets in the returned rule's cond (blank: every option, every buyer). */
static inline mkt_rule *mb_rule(mkt_params *p, const char *name,
                                mkt_rule_effect effect, double month)
{
    mkt_rule *r = &p->rule_defs[p->n_rule_defs];
    memset(r, 0, sizeof *r);
    r->name = mb_strdup(name);
    r->effect = effect;
    r->cond.closed_frontier = r->cond.listed = r->cond.public_facing =
        r->cond.state_owned = r->cond.offshore = -1;
    r->cond.own_above = -1;
    r->cond.any_buyer = true;
    mkt_event *e = mb_event(p, MKT_EV_RULE, month);
    e->rule = p->n_rule_defs++;
    return r;
}

/* Recomputes cond.any_buyer after a test set buyer conditions. */
static inline void mb_buyers_set(mkt_rule *r)
{
    const mkt_cond *c = &r->cond;
    r->cond.any_buyer = !c->hq && c->own_above < 0 && c->listed < 0 &&
                        c->public_facing < 0 && c->state_owned < 0 &&
                        c->offshore < 0 && !c->buyer_kinds && !c->sectors;
}

/* Counts (floors, then one more to each sector in turn: simpler than the
 * loader's largest remainder and enough for tests), weights, the reseller
 * actor. Events must have been added in month order. */
static inline void mb_finish(mkt_params *p)
{
    uint32_t given = 0;
    for (size_t s = 0; s < p->n_sectors; s++) {
        p->sectors[s].count = (uint32_t)floor(p->sectors[s].share * p->count);
        given += p->sectors[s].count;
    }
    for (size_t s = 0; given < p->count; s = (s + 1) % p->n_sectors) {
        p->sectors[s].count++;
        given++;
    }
    for (size_t s = 0; s < p->n_sectors; s++) {
        mkt_sector *sec = &p->sectors[s];
        sec->weight = sec->count ? p->firms * sec->share / sec->count : 0;
    }
    p->reseller = mb_actor(p, "gray_resellers");
}

static inline void mb_free(mkt_params *p)
{
    for (size_t v = 0; v < p->n_vendors; v++)
        free(p->vendors[v].id);
    for (size_t i = 0; i < p->n_inter; i++) {
        free(p->inter[i].id);
        free(p->inter[i].hosts);
    }
    for (size_t s = 0; s < p->n_sectors; s++) {
        free(p->sectors[s].name);
        free(p->sectors[s].accounts);
    }
    for (size_t a = 0; a < p->n_actors; a++)
        free(p->actors[a]);
    for (size_t k = 0; k < p->n_regions; k++)
        free(p->regions[k]);
    free(p->regions);
    for (size_t k = 0; k < p->n_rule_defs; k++)
        free(p->rule_defs[k].name);
    free(p->rule_defs);
    free(p->rules.conditions);
    free(p->vendors);
    free(p->inter);
    free(p->sectors);
    free(p->events);
    free(p->actors);
    free(p->name);
    free(p->start);
    free(p);
}

#endif
