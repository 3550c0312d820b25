/* agent_cloud.c -- intermediaries that decide: their markup, their
 * onboarding capacity and the end of an onshore partnership.
 *
 * Markup. A cloud with markup_policy "best_response" maximises, at each
 * epoch, its expected profit per month over its options j (the vendors it
 * hosts), sum ((1 - vendor_share) P_v (1 + m) - marginal_cost) q_j, over m
 * in [min_markup, max_markup], against agent_demand.c's demand (the
 * perceived price of all its options scales with 1 + m), and moves log(1 +
 * m) a share `speed` of the way. Usage is billed at the old markup first.
 *
 * Capacity. With capacity_policy "grow", each month end it looks at its
 * own line: a newcomer would wait (live entries x mean_days / servers)
 * days before service. When that exceeded wait_days at every month end of
 * a period, it orders growth x servers more (up to max_servers), which
 * arrive lag_months later; one order at a time. Servers are real firms,
 * turned into simulated ones as at the start (market.c).
 *
 * Exit. An onshore cloud with exit_policy "penalty" ends its partnership
 * (a partnership_end event with its wind-down) when the expected penalty,
 * penalty_rate x stance x the monthly payments of its customers (all
 * China-headquartered), exceeds the margin it earns on them. A compliance
 * cost a rule makes the cloud carry (bearer "intermediary") comes off what
 * it keeps, in the markup's profit and in this margin alike.
 */
#include <math.h>

#include "agent.h"

static mkt__owner cloud_owner(struct mkt_world *w, uint32_t i)
{
    struct mkt_agents *ag = w->ag;
    const mkt_intermediary *im = &w->p->inter[i];
    uint32_t n = 0;
    for (uint32_t o = 0; o < w->n_opts; o++) {
        if (w->opts[o].inter != i)
            continue;
        ag->own[n] = o;
        /* What it keeps, less the compliance costs rules make it carry
         * (issue 13): they cut its margin, so its markup and its exit. */
        ag->take[n] = (1.0 - im->vendor_share -
                       mkt__legal_carried(w, o, MKT_BEARER_INTERMEDIARY)) *
                      mkt__price_paid(w, o);
        ag->cost[n] = im->marginal_cost;
        n++;
    }
    return (mkt__owner){.n = n, .opt = ag->own, .take = ag->take,
                        .cost = ag->cost};
}

int mkt__ag_markup(struct mkt_world *w, uint32_t i)
{
    const mkt_markup_policy *mp = &w->p->inter[i].markup_policy;
    double m0 = w->markup[i];
    mkt__owner own = cloud_owner(w, i);
    double x = mkt__ag_best(w, &own, log((1 + mp->min_markup) / (1 + m0)),
                            log((1 + mp->max_markup) / (1 + m0)));
    double m = fmin(fmax((1 + m0) * exp(mp->speed * x) - 1, mp->min_markup),
                    mp->max_markup);
    if (!(fabs(m - m0) > 1e-12 * (1 + m0)))
        return SIM_OK;
    /* Billed at the old markup up to now, then priced at the new one. */
    for (uint32_t k = 0; k < own.n; k++)
        mkt__bill(w, own.opt[k]);
    w->markup[i] = m;
    mkt__refresh_prices(w);
    return mkt__ag_log(w, mkt__ag_inter_agent(w, i), MKT_DEC_MARKUP, m);
}

/* ---- capacity --------------------------------------------------------------
 */

/* Firms in provider q's line that still wait (stale entries skipped, as
 * ent.c's serve_next does). */
static size_t live_line(const struct mkt_world *w, uint32_t q)
{
    const mkt_onboard *ob = &w->prov[q];
    size_t n = 0;
    for (size_t k = 0; k < ob->len; k++) {
        const mkt_onboard_entry *x = &ob->ring[(ob->head + k) % ob->cap];
        const mkt__ent *e = &w->ent[x->ent];
        n += e->ticket == x->ticket && e->target != MKT_NIL;
    }
    return n;
}

void mkt__ag_cloud_month(struct mkt_world *w)
{
    for (uint32_t i = 0; i < w->p->n_inter; i++) {
        const mkt_capacity_policy *cp = &w->p->inter[i].capacity;
        if (!cp->grow)
            continue;
        const mkt_onboard *ob = &w->prov[i]; /* the clouds' queues first */
        double wait = (double)live_line(w, i) * ob->mean_days / ob->servers;
        mkt__inter_ag *ia = &w->ag->inter[i];
        ia->months++;
        ia->long_months += wait > cp->wait_days;
    }
}

int mkt__ag_capacity(struct mkt_world *w, uint32_t i)
{
    const mkt_capacity_policy *cp = &w->p->inter[i].capacity;
    mkt__inter_ag *ia = &w->ag->inter[i];
    bool long_all = ia->months > 0 && ia->long_months == ia->months;
    ia->months = ia->long_months = 0;
    if (!long_all || ia->ordered > 0 || !(ia->servers < cp->max_servers))
        return SIM_OK;
    ia->ordered = fmin(ia->servers * (1.0 + cp->growth), cp->max_servers);
    int rc = mkt__ag_log(w, mkt__ag_inter_agent(w, i), MKT_DEC_CAPACITY_ORDER,
                         ia->ordered);
    return rc != SIM_OK ? rc
                        : mkt__ag_due(w, (uint32_t)ia->cap_slot,
                                      MKT__DUE_CAPACITY, ++ia->gen,
                                      cp->lag_months);
}

int mkt__ag_cloud_due(struct mkt_world *w, uint32_t i, uint32_t what,
                      uint32_t gen)
{
    mkt__inter_ag *ia = &w->ag->inter[i];
    if (what != MKT__DUE_CAPACITY || gen != ia->gen || !(ia->ordered > 0))
        return SIM_OK;
    const mkt_params *p = w->p;
    ia->servers = ia->ordered;
    ia->ordered = 0;
    /* As market.c's simulated_servers: capacity means the same whatever
     * enterprises.count is. */
    double s = floor(ia->servers * p->count / p->firms + 0.5);
    uint32_t sim = s < 1 ? 1 : s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    if (sim > w->prov[i].servers) {
        w->prov[i].servers = sim;
        int rc = mkt__serve_next(w, i);
        if (rc != SIM_OK)
            return rc;
    }
    return mkt__ag_log(w, mkt__ag_inter_agent(w, i), MKT_DEC_CAPACITY_ADDED,
                       ia->servers);
}

/* ---- exit ------------------------------------------------------------------
 */

int mkt__ag_exit(struct mkt_world *w, uint32_t i)
{
    const mkt_exit_policy *xp = &w->p->inter[i].exit;
    if (w->istate[i] != MKT__ACTIVE ||
        mkt__ag_scripted_now(w, w->ag->inter[i].scripted_exit))
        return SIM_OK;
    mkt__owner own = cloud_owner(w, i);
    double exposure = 0, margin = 0;
    for (uint32_t k = 0; k < own.n; k++) {
        double rate = mkt__ag_rate(w, own.opt[k]);
        exposure += mkt__price_paid(w, own.opt[k]) * rate;
        margin += (own.take[k] - own.cost[k]) * rate;
    }
    double penalty = xp->penalty_rate * mkt__ag_stance(w) * exposure;
    if (!(penalty > margin))
        return SIM_OK;
    mkt_event ev = {.type = MKT_EV_PARTNERSHIP_END,
                    .shock = true,
                    .vendor = MKT_NO_INDEX,
                    .intermediary = i,
                    .direct_access = -1,
                    .serve_china_controlled = -1,
                    .wind_down_months = xp->wind_down_months};
    int rc = mkt__ag_apply(w, &ev);
    return rc != SIM_OK ? rc
                        : mkt__ag_log(w, mkt__ag_inter_agent(w, i),
                                      MKT_DEC_PARTNERSHIP_END, penalty);
}
