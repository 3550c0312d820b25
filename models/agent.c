/* agent.c -- the frame the deciding agents share (agent.h): their slots and
 * epochs, the monthly record, the decision log, the decisions kept for
 * rules.c, what is observable (usage rates, the Commerce rung and stance),
 * and the dispatch of decisions and of their delayed effects.
 *
 * The epochs are counted in months and checked at month ends, right after
 * the books close: a decision then sees the month just ended, and two
 * agents with the same period decide at the same instant in slot order
 * (vendors, intermediaries, then the regulators), each on the state the
 * previous one left. Nothing here draws a random number.
 *
 * The record is taken before the decisions of that instant: row m - 1
 * holds the prices, markups, capacities and rules that were in effect at
 * the end of month m, as the month's books saw them.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

double mkt__ag_month(const struct mkt_world *w)
{
    return (sim_now(w->eng) - w->t0) / MKT_DAYS_PER_MONTH;
}

/* Both times come from the same expression at the same event, so a
 * scripted event and a decision at one month end compare equal; "not
 * later" says it without comparing doubles for equality. */
bool mkt__ag_scripted_now(const struct mkt_world *w, double at)
{
    return !(sim_now(w->eng) > at);
}

size_t mkt__ag_inter_agent(const struct mkt_world *w, uint32_t i)
{
    return w->p->n_vendors + i;
}

size_t mkt__ag_commerce_agent(const struct mkt_world *w)
{
    return w->p->n_vendors + w->p->n_inter;
}

size_t mkt__ag_cac_agent(const struct mkt_world *w)
{
    return w->p->n_vendors + w->p->n_inter + 1;
}

int mkt__ag_log(struct mkt_world *w, size_t a, int kind, double value)
{
    mkt_decisions *d = w->ag->out;
    if (d && !mkt_decisions_log(d, mkt__ag_month(w), (uint32_t)a,
                                (uint32_t)kind, value))
        return sim_err_set(w->err, SIM_ENOMEM,
                           "out of memory for the decision log");
    return SIM_OK;
}

int mkt__ag_apply(struct mkt_world *w, const mkt_event *ev)
{
    struct mkt_agents *ag = w->ag;
    if (ag->n_ev == ag->cap_ev) {
        size_t cap = ag->cap_ev ? 2 * ag->cap_ev : 16;
        mkt_event *ne = realloc(ag->ev, cap * sizeof *ne);
        if (ne == NULL)
            return sim_err_set(w->err, SIM_ENOMEM,
                               "out of memory for an agent's decision");
        ag->ev = ne;
        ag->cap_ev = cap;
    }
    size_t k = ag->n_ev++;
    ag->ev[k] = *ev;
    ag->ev[k].month = mkt__ag_month(w);
    if (w->p->n_events + k > UINT32_MAX)
        return sim_err_set(w->err, SIM_EINVAL, "too many decisions");
    /* A copy: applying may keep more decisions and move the array. */
    mkt_event e = ag->ev[k];
    return mkt__apply_decision(w, &e, (uint32_t)(w->p->n_events + k));
}

const mkt_event *mkt__agents_event(const struct mkt_world *w, uint32_t k)
{
    assert(k >= w->p->n_events && k - w->p->n_events < w->ag->n_ev);
    return &w->ag->ev[k - w->p->n_events];
}

int mkt__ag_due(struct mkt_world *w, uint32_t s, uint32_t what, uint32_t gen,
                double months)
{
    sim_msg m = {.kind = MKT__EV_AGENT_DUE, .target = s, .arg = {what, gen}};
    return sim_schedule(w->eng, months * MKT_DAYS_PER_MONTH, &m, NULL);
}

double mkt__ag_rate(const struct mkt_world *w, uint32_t o)
{
    double r = 0;
    size_t nc = w->n_cls;
    for (size_t c = 0; c < nc; c++) {
        size_t k = (size_t)o * nc + c, s = c % w->n_sec;
        if (w->oc_n[k] == 0)
            continue;
        r += (w->oc_usage[k] + w->oc_comp[k]) * w->cls_w[c] *
             w->ufac[(size_t)o * w->n_sec + s] * w->growth[s];
    }
    return r;
}

uint32_t mkt__ag_rung(const struct mkt_world *w)
{
    if (w->commerce &&
        w->commerce_p <= w->p->regulators.commerce.low_approval_prob)
        return 3;
    if (w->commerce)
        return 2;
    return w->kyc ? 1 : 0;
}

double mkt__ag_stance(const struct mkt_world *w)
{
    return mkt__ag_rung(w) + (w->ag->commerce.pending ? 0.5 : 0.0);
}

/* ---- set-up --------------------------------------------------------------
 */

static int add_slot(struct mkt_agents *ag, uint8_t kind, uint32_t who,
                    uint32_t period)
{
    mkt__slot *s = &ag->slot[ag->n_slots++];
    s->kind = kind;
    s->who = who;
    s->period = period;
    s->next = period;
    return (int)(ag->n_slots - 1);
}

int mkt__agents_new(struct mkt_world *w)
{
    const mkt_params *p = w->p;
    struct mkt_agents *ag = calloc(1, sizeof *ag);
    if (ag == NULL)
        return SIM_ENOMEM;
    w->ag = ag;
    size_t nv = p->n_vendors, ni = p->n_inter, no = w->n_opts;
    ag->slot = calloc(3 * nv + 3 * ni + 2, sizeof *ag->slot);
    ag->vendor = calloc(nv ? nv : 1, sizeof *ag->vendor);
    ag->inter = calloc(ni ? ni : 1, sizeof *ag->inter);
    size_t n1 = no ? no : 1;
    ag->n_rows = w->n_sec;
    for (size_t sct = 0; sct < w->n_sec; sct++)
        ag->n_rows += p->sectors[sct].n_accounts;
    ag->own = calloc(n1, sizeof *ag->own);
    ag->idx = calloc(n1, sizeof *ag->idx);
    ag->take = calloc(n1, sizeof *ag->take);
    ag->cost = calloc(n1, sizeof *ag->cost);
    ag->v = calloc(n1, sizeof *ag->v);
    ag->prob = calloc(n1, sizeof *ag->prob);
    ag->sig = calloc(n1, sizeof *ag->sig);
    ag->q0 = calloc(n1, sizeof *ag->q0);
    ag->ok = calloc(n1, sizeof *ag->ok);
    ag->tab = calloc((ag->n_rows ? ag->n_rows : 1) * MKT__AG_TAB_ROW(no),
                     sizeof *ag->tab);
    if (!ag->slot || !ag->vendor || !ag->inter || !ag->own || !ag->idx ||
        !ag->take || !ag->cost || !ag->v || !ag->prob || !ag->sig ||
        !ag->q0 || !ag->ok || !ag->tab)
        return SIM_ENOMEM;
    ag->out = w->res ? w->res->decisions : NULL;
    for (size_t v = 0; v < nv; v++) {
        const mkt_vendor *vd = &p->vendors[v];
        mkt__vendor_ag *va = &ag->vendor[v];
        va->promo_slot = -1;
        va->scripted_price = va->scripted_policy = -HUGE_VAL;
        if (vd->pricing.policy == MKT_PRICING_BEST_RESPONSE)
            add_slot(ag, MKT__AG_PRICE, (uint32_t)v,
                     vd->pricing.period_months);
        if (vd->origin == MKT_ORIGIN_CN && vd->pricing.policy !=
                                               MKT_PRICING_FIXED &&
            vd->pricing.promotion_factor < 1)
            va->promo_slot = add_slot(ag, MKT__AG_PROMOTION, (uint32_t)v, 0);
        if (vd->origin == MKT_ORIGIN_US && vd->china.penalty)
            add_slot(ag, MKT__AG_CHINA, (uint32_t)v, vd->china.period_months);
    }
    for (size_t i = 0; i < ni; i++) {
        const mkt_intermediary *im = &p->inter[i];
        mkt__inter_ag *ia = &ag->inter[i];
        ia->servers = im->onboarding.servers;
        ia->scripted_exit = -HUGE_VAL;
        ia->cap_slot = -1;
        if (im->markup_policy.best_response)
            add_slot(ag, MKT__AG_MARKUP, (uint32_t)i,
                     im->markup_policy.period_months);
        if (im->capacity.grow)
            ia->cap_slot = add_slot(ag, MKT__AG_CAPACITY, (uint32_t)i,
                                    im->capacity.period_months);
        if (im->exit.penalty && im->kind == MKT_KIND_ONSHORE)
            add_slot(ag, MKT__AG_EXIT, (uint32_t)i, im->exit.period_months);
    }
    const mkt_regulators *rg = &p->regulators;
    ag->commerce.scripted = ag->cac.scripted = -HUGE_VAL;
    ag->cac.base = p->gray.enforcement;
    ag->commerce.slot = ag->cac.slot = -1;
    if (rg->commerce.ladder)
        ag->commerce.slot = add_slot(ag, MKT__AG_COMMERCE, 0,
                                     rg->commerce.period_months);
    if (rg->cac.threshold)
        ag->cac.slot = add_slot(ag, MKT__AG_CAC, 0, rg->cac.period_months);
    for (size_t k = 0; k < ag->n_slots; k++)
        assert(ag->slot[k].kind == MKT__AG_PROMOTION ||
               ag->slot[k].period >= 1);
    for (int k = 0; k < MKT_N_INDICATORS; k++)
        ag->ind[k] = (double)NAN;
    return SIM_OK;
}

void mkt__agents_free(struct mkt_world *w)
{
    struct mkt_agents *ag = w ? w->ag : NULL;
    if (ag == NULL)
        return;
    free(ag->slot);
    free(ag->vendor);
    free(ag->inter);
    free(ag->ev);
    free(ag->own);
    free(ag->idx);
    free(ag->take);
    free(ag->cost);
    free(ag->v);
    free(ag->prob);
    free(ag->sig);
    free(ag->q0);
    free(ag->ok);
    free(ag->tab);
    free(ag);
    w->ag = NULL;
}

/* ---- the month end -------------------------------------------------------
 */

static void record(struct mkt_world *w, uint32_t month)
{
    mkt_decisions *d = w->ag->out;
    if (d == NULL)
        return;
    const mkt_params *p = w->p;
    size_t row = month - 1;
    assert(row < d->months);
    for (size_t v = 0; v < p->n_vendors; v++)
        d->price[row * p->n_vendors + v] = w->price[v];
    for (size_t i = 0; i < p->n_inter; i++) {
        d->markup[row * p->n_inter + i] = w->markup[i];
        d->capacity[row * p->n_inter + i] = w->ag->inter[i].servers;
    }
    double *r = &d->rule_state[row * MKT_N_RULE_VARS];
    r[MKT_RULE_KYC] = w->kyc;
    r[MKT_RULE_COMMERCE] = w->commerce;
    r[MKT_RULE_APPROVAL] = w->commerce ? w->commerce_p : (double)NAN;
    r[MKT_RULE_CAC] = w->cac;
    r[MKT_RULE_ENFORCEMENT] = w->enforcement;
    r[MKT_RULE_STANCE] = mkt__ag_stance(w);
    memcpy(&d->indicator[row * MKT_N_INDICATORS], w->ag->ind,
           sizeof w->ag->ind);
}

int mkt__agents_month(struct mkt_world *w, uint32_t month)
{
    struct mkt_agents *ag = w->ag;
    mkt__ag_indicators(w, month, ag->ind);
    record(w, month);
    mkt__ag_cloud_month(w);
    for (size_t k = 0; k < ag->n_slots; k++) {
        mkt__slot *s = &ag->slot[k];
        if (s->period == 0 || month < s->next)
            continue;
        s->next += s->period;
        /* A regulator's look at the indicators is bookkeeping; its epoch is
         * an event only when it acts (agent_regulator.c). */
        if ((s->kind == MKT__AG_COMMERCE || s->kind == MKT__AG_CAC) &&
            !mkt__ag_regulator_watch(w, s->kind))
            continue;
        sim_msg m = {.kind = MKT__EV_DECIDE, .target = (uint32_t)k};
        int rc = sim_schedule(w->eng, 0.0, &m, NULL);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

/* ---- what the timeline does ----------------------------------------------
 */

int mkt__agents_foresee(struct mkt_world *w, const mkt_event *ev)
{
    struct mkt_agents *ag = w->ag;
    if (!mkt__ag_leaves_channel(w, ev))
        return SIM_OK;
    for (size_t v = 0; v < w->p->n_vendors; v++) {
        if (ag->vendor[v].promo_slot < 0 || ag->vendor[v].in_promo)
            continue;
        int rc = mkt__ag_vendor_promotion(w, (uint32_t)v);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

int mkt__agents_observe(struct mkt_world *w, const mkt_event *ev,
                        bool scripted)
{
    struct mkt_agents *ag = w->ag;
    if (!scripted)
        return SIM_OK;
    double now = sim_now(w->eng);
    switch (ev->type) {
    case MKT_EV_PRICE_CHANGE:
        ag->vendor[ev->vendor].scripted_price = now;
        break;
    case MKT_EV_VENDOR_POLICY:
        ag->vendor[ev->vendor].scripted_policy = now;
        break;
    case MKT_EV_PARTNERSHIP_END:
        ag->inter[ev->intermediary].scripted_exit = now;
        break;
    case MKT_EV_COMMERCE_RULE:
    case MKT_EV_KYC_RULE:
        ag->commerce.scripted = now;
        break;
    case MKT_EV_ENFORCEMENT:
    case MKT_EV_CAC_RULE:
        ag->cac.scripted = now;
        break;
    default:
        break;
    }
    return SIM_OK;
}

/* ---- dispatch --------------------------------------------------------------
 */

int mkt__on_decide(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    (void)eng;
    assert(m->target < w->ag->n_slots);
    const mkt__slot *s = &w->ag->slot[m->target];
    switch (s->kind) {
    case MKT__AG_PRICE:
        return mkt__ag_vendor_price(w, s->who);
    case MKT__AG_PROMOTION:
        return mkt__ag_vendor_promotion(w, s->who);
    case MKT__AG_CHINA:
        return mkt__ag_vendor_china(w, s->who);
    case MKT__AG_MARKUP:
        return mkt__ag_markup(w, s->who);
    case MKT__AG_CAPACITY:
        return mkt__ag_capacity(w, s->who);
    case MKT__AG_EXIT:
        return mkt__ag_exit(w, s->who);
    case MKT__AG_COMMERCE:
        return mkt__ag_commerce(w);
    case MKT__AG_CAC:
        return mkt__ag_cac(w);
    default:
        assert(0 && "unknown slot kind");
        return SIM_EINVAL;
    }
}

int mkt__on_agent_due(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    (void)eng;
    assert(m->target < w->ag->n_slots);
    const mkt__slot *s = &w->ag->slot[m->target];
    uint32_t what = (uint32_t)m->arg[0], gen = (uint32_t)m->arg[1];
    switch (s->kind) {
    case MKT__AG_PROMOTION:
        return mkt__ag_vendor_due(w, s->who, what, gen);
    case MKT__AG_CAPACITY:
        return mkt__ag_cloud_due(w, s->who, what, gen);
    case MKT__AG_COMMERCE:
    case MKT__AG_CAC:
        return mkt__ag_regulator_due(w, s->kind, what, gen);
    default:
        assert(0 && "nothing falls due for this slot");
        return SIM_EINVAL;
    }
}
