/* legal.c -- rules as conditions on (option, buyer) pairs: what a buyer may
 * use, at what licence odds, cost and delay (the legal structure, issue 13).
 *
 * Every rule in the world is an instance (market_internal.h): a condition
 * on option attributes (channel, vendor, intermediary, origin, where the
 * model is served and its weights sit, whom the buyer contracts with,
 * whether it is a closed frontier model) and on buyer attributes
 * (headquarters, the China ownership of the entity that contracts, listed-
 * party affiliation, segment, public-facing, state-owned, subsidiary abroad,
 * sector), and an effect: forbid, licence, cost or delay. The option side is
 * compiled once into a mask over the option table; the buyer side is
 * checked per firm, from its flags.
 *
 * The rule kinds the model had before are instances too, kept in step with
 * their old state fields (w->cac, w->commerce..., w->kyc..., w->serve_cc)
 * by mkt__legal_sync:
 *   cac_rule        forbid  { origin us }                x { public_facing }
 *   commerce_rule   licence { origin us, its channels }  x { every buyer }
 *   kyc_rule        cost    { offshore } with detection  x { every buyer }
 *   serve_china_controlled = false
 *                   forbid  { the vendor, its channels } x { more than half
 *                                                          China-owned }
 * The golden test (tests/test_golden.c) holds them to the old results bit
 * for bit.
 *
 * The China ownership of the buyer's contracting entity: the subsidiary's
 * when it buys abroad (offshore), the firm's own otherwise: 1 for a firm
 * headquartered in China, 0 for one headquartered abroad.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "market_internal.h"

static bool option_matches(const struct mkt_world *w, const mkt_cond *c,
                           uint32_t o)
{
    const mkt__opt *op = &w->opts[o];
    const mkt_vendor *vd = &w->p->vendors[op->vendor];
    return (!c->channels || (c->channels >> op->channel & 1)) &&
           (!c->vendors || (c->vendors >> op->vendor & 1)) &&
           (!c->inters ||
            (op->inter != UINT32_MAX && (c->inters >> op->inter & 1))) &&
           (!c->origins || (c->origins >> vd->origin & 1)) &&
           (!c->hosting || (c->hosting >> op->hosting & 1)) &&
           (!c->weights || (c->weights >> op->weights & 1)) &&
           (!c->contracting || (c->contracting >> op->entity & 1)) &&
           (c->closed_frontier < 0 || c->closed_frontier == op->closed);
}

/* The China ownership of the entity through which firm (seat) i buys o. */
static double ownership(const struct mkt_world *w, uint32_t o, uint32_t i)
{
    const mkt__ent *e = &w->ent[i];
    if (e->flags & MKT__HQ_ABROAD)
        return 0.0;
    return w->opts[o].channel == MKT_CH_OFFSHORE ? e->own / 100.0 : 1.0;
}

static bool tri(int8_t want, bool have)
{
    return want < 0 || (want != 0) == have;
}

bool mkt__legal_buyer(const struct mkt_world *w, const mkt_cond *c, uint32_t o,
                      uint32_t i)
{
    if (c->any_buyer)
        return true;
    const mkt__ent *e = &w->ent[i];
    uint16_t f = e->flags;
    return (!c->hq || (c->hq >> ((f & MKT__HQ_ABROAD) ? 1 : 0) & 1)) &&
           (c->own_above < 0 || ownership(w, o, i) > c->own_above) &&
           tri(c->listed, f & MKT__LISTED) &&
           tri(c->public_facing, f & MKT__PUBLIC) &&
           tri(c->state_owned, f & MKT__SOE) &&
           tri(c->offshore, f & MKT__OFFSHORE) &&
           (!c->buyer_kinds ||
            (c->buyer_kinds >> ((f & MKT__INDIVIDUAL) ? 1 : 0) & 1)) &&
           (!c->sectors || (c->sectors >> (e->cls % w->n_sec) & 1));
}

bool mkt__legal_matches(const struct mkt_world *w, const mkt__inst *r,
                        uint32_t o, uint32_t i)
{
    return r->active && r->opt[o] && mkt__legal_buyer(w, &r->def.cond, o, i);
}

/* ---- building --------------------------------------------------------------
 */

static void compile(struct mkt_world *w, mkt__inst *r)
{
    for (uint32_t o = 0; o < w->n_opts; o++)
        r->opt[o] = option_matches(w, &r->def.cond, o);
}

static void blank_cond(mkt_cond *c)
{
    memset(c, 0, sizeof *c);
    c->closed_frontier = c->listed = c->public_facing = c->state_owned =
        c->offshore = -1;
    c->own_above = -1;
}

int mkt__legal_build(struct mkt_world *w)
{
    const mkt_params *p = w->p;
    size_t nv = p->n_vendors;
    w->inst_cac = 0;
    w->inst_commerce = 1;
    w->inst_kyc = 2;
    w->inst_excl = 3;
    w->inst_defs = 3 + nv;
    w->n_inst = w->inst_defs + p->n_rule_defs;
    w->inst = calloc(w->n_inst, sizeof *w->inst);
    w->rule_gen = calloc(p->n_rule_defs ? p->n_rule_defs : 1,
                         sizeof *w->rule_gen);
    w->m_comp = calloc(p->n_actors ? p->n_actors : 1, sizeof *w->m_comp);
    if (!w->inst || !w->rule_gen || !w->m_comp)
        return SIM_ENOMEM;
    for (size_t k = 0; k < w->n_inst; k++) {
        w->inst[k].opt = calloc(w->n_opts ? w->n_opts : 1, sizeof(bool));
        if (!w->inst[k].opt)
            return SIM_ENOMEM;
        blank_cond(&w->inst[k].def.cond);
    }
    mkt__inst *r = &w->inst[w->inst_cac];
    r->def.effect = MKT_RULE_FORBID;
    r->def.cond.origins = 1u << MKT_ORIGIN_US;
    r->def.cond.public_facing = 1;
    r = &w->inst[w->inst_commerce];
    r->def.effect = MKT_RULE_LICENCE;
    r->def.cond.origins = 1u << MKT_ORIGIN_US;
    r = &w->inst[w->inst_kyc];
    r->def.effect = MKT_RULE_COST;
    r->def.cond.channels = 1u << MKT_CH_OFFSHORE;
    for (size_t v = 0; v < nv; v++) {
        r = &w->inst[w->inst_excl + v];
        r->def.effect = MKT_RULE_FORBID;
        r->def.cond.vendors = UINT64_C(1) << v;
        r->def.cond.own_above = 0.5;
        memcpy(w->excl_ch + v * MKT_N_CHANNELS, p->vendors[v].exclusion_channels,
               MKT_N_CHANNELS * sizeof(bool));
    }
    w->inst[w->inst_cac].def.cond.any_buyer = false;
    w->inst[w->inst_commerce].def.cond.any_buyer = true;
    w->inst[w->inst_kyc].def.cond.any_buyer = true;
    for (size_t v = 0; v < nv; v++)
        w->inst[w->inst_excl + v].def.cond.any_buyer = false;
    for (size_t k = 0; k < p->n_rule_defs; k++) {
        r = &w->inst[w->inst_defs + k];
        r->def = p->rule_defs[k];
        r->salt = UINT64_C(1) << 40 | (uint64_t)k << 8;
        compile(w, r);
    }
    for (size_t k = 0; k < p->rules.n_conditions; k++)
        w->inst[w->inst_defs + p->rules.conditions[k]].active = true;
    mkt__legal_sync(w);
    return SIM_OK;
}

void mkt__legal_free(struct mkt_world *w)
{
    for (size_t k = 0; w->inst && k < w->n_inst; k++)
        free(w->inst[k].opt);
    free(w->inst);
    free(w->rule_gen);
    free(w->m_comp);
}

void mkt__legal_sync(struct mkt_world *w)
{
    mkt__inst *r = &w->inst[w->inst_cac];
    r->active = w->cac;
    compile(w, r);
    r = &w->inst[w->inst_commerce];
    r->active = w->commerce;
    r->def.approval_prob = w->commerce_p;
    r->def.cond.channels = 0;
    for (int c = 0; c < MKT_N_CHANNELS; c++)
        if (w->commerce_ch[c])
            r->def.cond.channels |= 1u << c;
    r->salt = w->commerce_salt;
    compile(w, r);
    if (!r->def.cond.channels) /* no channels: covers nothing */
        memset(r->opt, 0, w->n_opts * sizeof *r->opt);
    r = &w->inst[w->inst_kyc];
    r->active = w->kyc;
    r->def.cost = w->kyc_cost;
    r->def.detection_rate = w->kyc_rate;
    compile(w, r);
    for (size_t v = 0; v < w->p->n_vendors; v++) {
        r = &w->inst[w->inst_excl + v];
        r->active = !w->serve_cc[v];
        r->def.cond.channels = 0;
        for (int c = 0; c < MKT_N_CHANNELS; c++)
            if (w->excl_ch[v * MKT_N_CHANNELS + (size_t)c])
                r->def.cond.channels |= 1u << c;
        compile(w, r);
        if (!r->def.cond.channels)
            memset(r->opt, 0, w->n_opts * sizeof *r->opt);
    }
}

/* ---- what the rules say ----------------------------------------------------
 */

static double fate(const struct mkt_world *w, const mkt__inst *r, uint32_t i)
{
    return mkt__uniform(w, MKT__PURPOSE_LICENCE, mkt__firm(w, i), r->salt);
}

bool mkt__legal_allows(const struct mkt_world *w, uint32_t o, uint32_t i)
{
    for (size_t k = 0; k < w->n_inst; k++) {
        const mkt__inst *r = &w->inst[k];
        if (!r->active || !r->opt[o])
            continue;
        if (r->def.effect == MKT_RULE_FORBID) {
            if (mkt__legal_buyer(w, &r->def.cond, o, i))
                return false;
        } else if (r->def.effect == MKT_RULE_LICENCE) {
            if (mkt__legal_buyer(w, &r->def.cond, o, i) &&
                fate(w, r, i) >= r->def.approval_prob)
                return false;
        }
    }
    return true;
}

/* A cost the buyer carries on o: through the price (every buyer of the
 * option) or here (only some buyers). */
static bool buyer_cost(const mkt__inst *r)
{
    return (r->def.effect == MKT_RULE_COST || r->def.effect == MKT_RULE_DELAY) &&
           r->def.bearer == MKT_BEARER_BUYER && r->def.cost > 0;
}

double mkt__legal_price_factor(const struct mkt_world *w, uint32_t o)
{
    double f = 1.0;
    for (size_t k = 0; k < w->n_inst; k++) {
        const mkt__inst *r = &w->inst[k];
        if (r->active && r->opt[o] && buyer_cost(r) && r->def.cond.any_buyer)
            f *= 1.0 + r->def.cost;
    }
    return f;
}

double mkt__legal_cost(const struct mkt_world *w, uint32_t o, uint32_t i)
{
    double c = 0;
    for (size_t k = 0; k < w->n_inst; k++) {
        const mkt__inst *r = &w->inst[k];
        if (r->active && r->opt[o] && buyer_cost(r) && !r->def.cond.any_buyer &&
            mkt__legal_buyer(w, &r->def.cond, o, i))
            c += r->def.cost;
    }
    return c;
}

double mkt__legal_detection(const struct mkt_world *w, uint32_t o, uint32_t i)
{
    double rate = 0;
    for (size_t k = 0; k < w->n_inst; k++) {
        const mkt__inst *r = &w->inst[k];
        if (r->def.detection_rate > 0 && mkt__legal_matches(w, r, o, i))
            rate += r->def.detection_rate;
    }
    return rate;
}

double mkt__legal_delay(const struct mkt_world *w, uint32_t o, uint32_t i)
{
    double d = 0;
    for (size_t k = w->inst_defs; k < w->n_inst; k++) {
        const mkt__inst *r = &w->inst[k];
        if (r->def.effect == MKT_RULE_DELAY && mkt__legal_matches(w, r, o, i))
            d = fmax(d, r->def.delay_months);
    }
    return d;
}

/* Costs an intermediary or vendor carries: a share of what o's users pay
 * this month, booked as that actor's compliance cost (its revenue is
 * unchanged: money paid is money received). */
void mkt__legal_bill(struct mkt_world *w, uint32_t o, double pay)
{
    const mkt__opt *op = &w->opts[o];
    for (size_t k = w->inst_defs; k < w->n_inst; k++) {
        const mkt__inst *r = &w->inst[k];
        if (!r->active || !r->opt[o] || r->def.bearer == MKT_BEARER_BUYER ||
            r->def.cost <= 0)
            continue;
        size_t actor = op->vendor;
        if (r->def.bearer == MKT_BEARER_INTERMEDIARY) {
            if (op->inter == UINT32_MAX)
                continue; /* no cloud on this option */
            const mkt_intermediary *im = &w->p->inter[op->inter];
            actor = op->entity == MKT_ENTITY_OPERATOR ? im->operator_
                                                      : im->parent;
        }
        w->m_comp[actor] += r->def.cost * pay;
    }
}

double mkt__legal_carried(const struct mkt_world *w, uint32_t o,
                          mkt_bearer who)
{
    double c = 0;
    for (size_t k = w->inst_defs; k < w->n_inst; k++) {
        const mkt__inst *r = &w->inst[k];
        if (r->active && r->opt[o] && r->def.bearer == who && r->def.cost > 0)
            c += r->def.cost;
    }
    return c;
}
