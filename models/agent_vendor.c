/* agent_vendor.c -- vendors that decide: their price (best response,
 * promotions) and, for US vendors, whom they serve in China.
 *
 * Best response. At each epoch the vendor maximises its expected profit
 * per month, sum over its options j of (take_j - cost_j) q_j, over one list
 * price P in [min_price, max_price], against the demand of
 * agent_demand.c (rivals' prices held). take_j is what it receives per
 * Mtok at P: P on its direct and domestic options, vendor_share x (1 +
 * markup) x P on a cloud's, (1 - reseller_share) x price_factor x P on the
 * gray channel; cost_j is its marginal_cost where it serves the tokens
 * itself (direct, domestic, gray: the relays buy its API) and 0 on a
 * cloud's options, whose serving cost the cloud bears (an ASSUMPTION,
 * docs/model.md). It then moves its log price a share `speed` of the way.
 * With N symmetric single-option vendors this converges to the logit
 * Bertrand-Nash price P* = c e / (e - 1), e = b (1 - 1/N) + eps, and where
 * e <= 1 (no finite equilibrium) to max_price (tests/test_agents.c).
 *
 * Promotion. A cn vendor with a promotion_factor below 1 that sees a US
 * vendor about to leave a channel (agent.c, mkt__agents_foresee) cuts its
 * price by that factor for promotion_months, then restores the price it
 * had; a promotion is announced (a shock: touched firms review), as the
 * June 2024 migration offers were (facts 1, 2024-06-25). Its best-response
 * epochs wait while it runs; a scripted price change meanwhile stands when
 * it ends.
 *
 * China policy. A US vendor with policy "penalty" stops serving a channel
 * (direct; China-controlled firms abroad, the offshore channel) when the
 * expected penalty, penalty x (hazard + hazard_per_stance x stance) / 12
 * USD per month, exceeds the margin it earns there now, and resumes when
 * the expected penalty falls below the margin it had when it stopped.
 */
#include <math.h>

#include "agent.h"

/* Fills w->ag's owner arrays with vendor v's options at today's price. */
static mkt__owner vendor_owner(struct mkt_world *w, uint32_t v)
{
    struct mkt_agents *ag = w->ag;
    const mkt_params *p = w->p;
    double P = w->price[v], c = p->vendors[v].marginal_cost;
    uint32_t n = 0;
    for (uint32_t o = 0; o < w->n_opts; o++) {
        const mkt__opt *op = &w->opts[o];
        if (op->vendor != v)
            continue;
        double take = P, cost = c;
        switch (op->channel) {
        case MKT_CH_ONSHORE:
        case MKT_CH_OFFSHORE:
            take = P * (1.0 + w->markup[op->inter]) *
                   p->inter[op->inter].vendor_share;
            cost = 0.0; /* the cloud serves */
            break;
        case MKT_CH_GRAY:
            take = P * p->gray.price_factor * (1.0 - p->gray.reseller_share);
            break;
        default:
            break;
        }
        ag->own[n] = o;
        /* Less what rules make the vendor carry (issue 13). */
        ag->take[n] = take - mkt__legal_carried(w, o, MKT_BEARER_VENDOR) *
                                 mkt__price_paid(w, o);
        ag->cost[n] = cost;
        n++;
    }
    return (mkt__owner){.n = n, .opt = ag->own, .take = ag->take,
                        .cost = ag->cost};
}

/* Sets vendor v's list price to `price` through a price_change event. */
static int set_price(struct mkt_world *w, uint32_t v, double price,
                     bool shock)
{
    mkt_event ev = {.type = MKT_EV_PRICE_CHANGE,
                    .shock = shock,
                    .vendor = v,
                    .intermediary = MKT_NO_INDEX,
                    .direct_access = -1,
                    .serve_china_controlled = -1,
                    .factor = price / w->price[v]};
    return mkt__ag_apply(w, &ev);
}

int mkt__ag_vendor_price(struct mkt_world *w, uint32_t v)
{
    const mkt_pricing *pr = &w->p->vendors[v].pricing;
    const mkt__vendor_ag *va = &w->ag->vendor[v];
    if (va->in_promo || mkt__ag_scripted_now(w, va->scripted_price))
        return SIM_OK;
    double P0 = w->price[v];
    mkt__owner own = vendor_owner(w, v);
    double x = mkt__ag_best(w, &own, log(pr->min_price / P0),
                            log(pr->max_price / P0));
    double P = fmin(fmax(P0 * exp(pr->speed * x), pr->min_price),
                    pr->max_price);
    if (!(fabs(P - P0) > 1e-12 * P0))
        return SIM_OK; /* already there */
    int rc = set_price(w, v, P, false);
    return rc != SIM_OK ? rc : mkt__ag_log(w, v, MKT_DEC_PRICE, w->price[v]);
}

int mkt__ag_vendor_promotion(struct mkt_world *w, uint32_t v)
{
    const mkt_pricing *pr = &w->p->vendors[v].pricing;
    mkt__vendor_ag *va = &w->ag->vendor[v];
    if (va->in_promo)
        return SIM_OK;
    va->in_promo = true;
    va->promo_base = w->price[v];
    va->promo_start = sim_now(w->eng);
    uint32_t gen = ++va->promo_gen;
    int rc = set_price(w, v, w->price[v] * pr->promotion_factor, true);
    if (rc == SIM_OK)
        rc = mkt__ag_log(w, v, MKT_DEC_PROMOTION, w->price[v]);
    if (rc == SIM_OK)
        rc = mkt__ag_due(w, (uint32_t)va->promo_slot, MKT__DUE_PROMOTION_END,
                         gen, pr->promotion_months);
    return rc;
}

int mkt__ag_vendor_due(struct mkt_world *w, uint32_t v, uint32_t what,
                       uint32_t gen)
{
    mkt__vendor_ag *va = &w->ag->vendor[v];
    if (what != MKT__DUE_PROMOTION_END || gen != va->promo_gen ||
        !va->in_promo)
        return SIM_OK;
    va->in_promo = false;
    /* A scripted price change during the promotion set the price: it
     * stands (the script overrides the policy). */
    int rc = va->scripted_price >= va->promo_start
                 ? SIM_OK
                 : set_price(w, v, va->promo_base, false);
    return rc != SIM_OK ? rc
                        : mkt__ag_log(w, v, MKT_DEC_PROMOTION_END,
                                      w->price[v]);
}

/* ---- China policy ----------------------------------------------------------
 */

bool mkt__ag_leaves_channel(const struct mkt_world *w, const mkt_event *ev)
{
    const mkt_params *p = w->p;
    switch (ev->type) {
    case MKT_EV_VENDOR_POLICY:
        return (ev->direct_access == 0 && w->direct[ev->vendor]) ||
               (ev->serve_china_controlled == 0 && w->serve_cc[ev->vendor]);
    case MKT_EV_LICENCE_REVOCATION:
        return w->licence[ev->intermediary * p->n_vendors + ev->vendor];
    case MKT_EV_PARTNERSHIP_END:
        return w->istate[ev->intermediary] == MKT__ACTIVE;
    default:
        return false;
    }
}

/* The margin vendor v earns now, USD per month, on its options of
 * channel ch (direct, or offshore for China-controlled firms abroad). */
static double margin_on(struct mkt_world *w, uint32_t v, int ch)
{
    mkt__owner own = vendor_owner(w, v);
    double m = 0;
    for (uint32_t k = 0; k < own.n; k++)
        if (w->opts[own.opt[k]].channel == ch)
            m += (own.take[k] - own.cost[k]) * mkt__ag_rate(w, own.opt[k]);
    return m;
}

static int set_policy(struct mkt_world *w, uint32_t v, int direct, int cc)
{
    mkt_event ev = {.type = MKT_EV_VENDOR_POLICY,
                    .shock = true,
                    .vendor = v,
                    .intermediary = MKT_NO_INDEX,
                    .direct_access = direct,
                    .serve_china_controlled = cc};
    return mkt__ag_apply(w, &ev);
}

int mkt__ag_vendor_china(struct mkt_world *w, uint32_t v)
{
    const mkt_china_policy *cp = &w->p->vendors[v].china;
    mkt__vendor_ag *va = &w->ag->vendor[v];
    if (mkt__ag_scripted_now(w, va->scripted_policy))
        return SIM_OK;
    double cost = cp->penalty_usd *
                  (cp->hazard + cp->hazard_per_stance * mkt__ag_stance(w)) /
                  12.0;
    int rc = SIM_OK;
    for (int k = 0; k < 2 && rc == SIM_OK; k++) {
        int ch = k == 0 ? MKT_CH_DIRECT : MKT_CH_OFFSHORE;
        bool on = k == 0 ? w->direct[v] : w->serve_cc[v];
        int kind;
        if (on) {
            double m = margin_on(w, v, ch);
            if (!(cost > m))
                continue;
            va->kept[k] = m;
            kind = k == 0 ? MKT_DEC_STOP_DIRECT : MKT_DEC_STOP_CHINA_CONTROLLED;
        } else {
            if (!(cost < va->kept[k]))
                continue;
            kind = k == 0 ? MKT_DEC_RESUME_DIRECT
                          : MKT_DEC_RESUME_CHINA_CONTROLLED;
        }
        rc = set_policy(w, v, k == 0 ? !on : -1, k == 1 ? !on : -1);
        if (rc == SIM_OK)
            rc = mkt__ag_log(w, v, kind, cost);
    }
    return rc;
}
