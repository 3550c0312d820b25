/* books.c -- the month's books: at each month end, bill every option, close
 * the month's flows and take the month-end stocks into the replication's
 * results (mkt__on_month), then schedule the next month end or stop the run
 * at the horizon.
 *
 * Everything here reads the world and writes mkt_results; nothing here
 * changes what an enterprise does, so the outputs can grow without touching
 * the mechanisms (market.c builds the world, ent.c, rules.c and billing.c
 * move it).
 */
#include <assert.h>
#include <math.h>

#include "market_internal.h"

int mkt__on_month(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    const mkt_params *p = w->p;
    mkt_results *r = w->res;
    uint32_t month = m->target;
    size_t row = month - 1, nc = w->n_cls;
    assert(month >= 1 && month <= p->horizon_months);

    for (uint32_t o = 0; o < w->n_opts; o++)
        mkt__bill(w, o);
    mkt__noacc_flush(w);

    /* Money is conserved: every payment was split without remainder. */
    double received = 0;
    for (size_t a = 0; a < p->n_actors; a++)
        received += w->m_rev[a];
    assert(fabs(received - w->m_pay) <= 1e-9 * fabs(w->m_pay));

    double *cc = &r->channel_count[row * MKT_N_CHANNELS];
    double adopted = 0, noacc_days = 0, with_access = 0, gap = 0, best =
                                                                       -HUGE_VAL;
    for (size_t v = 0; v < p->n_vendors; v++)
        best = fmax(best, mkt__capability(w, (uint32_t)v));
    for (size_t c = 0; c < nc; c++) {
        double wt = w->cls_w[c];
        adopted += w->cls_adopted[c] * wt;
        cc[MKT_CH_WAITING] += w->cls_wait[c] * wt;
        cc[MKT_CH_NONE] +=
            (w->cls_total[c] - w->cls_adopted[c] + w->cls_lost[c]) * wt;
        noacc_days += w->cls_noacc[c] * wt;
        w->cls_noacc[c] = 0;
    }
    for (uint32_t o = 0; o < w->n_opts; o++) {
        double users = 0;
        for (size_t c = 0; c < nc; c++)
            users += w->oc_n[(size_t)o * nc + c] * w->cls_w[c];
        cc[w->opts[o].channel] += users;
        with_access += users;
        gap += users * (best - mkt__capability(w, w->opts[o].vendor));
    }
    for (size_t a = 0; a < p->n_actors; a++) {
        r->revenue[row * p->n_actors + a] = w->m_rev[a];
        r->cumulative_revenue[a] += w->m_rev[a];
        w->m_rev[a] = 0;
    }
    r->payments[row] = w->m_pay;
    r->adopters[row] = adopted;
    r->switches[row] = w->m_switch;
    r->detections[row] = w->m_detect;
    r->days_without_access[row] = noacc_days;
    r->capability_gap[row] = with_access > 0 ? gap / with_access : (double)NAN;
    double share = mkt__frontier_share(w);
    r->frontier_access_share[row] = share;
    if (w->have_ref && isnan(r->months_to_half_access) &&
        share < 0.5 * w->ref_share)
        r->months_to_half_access = month - w->ref_month;
    w->m_pay = w->m_switch = w->m_detect = 0;
    w->month = month;
    for (size_t s = 0; s < w->n_sec; s++) /* usage in the coming month */
        w->growth[s] = pow(1.0 + p->sectors[s].demand_growth, month / 12.0);

    if (w->on_month)
        w->on_month(w->on_month_ctx, w, month);
    if (w->cancel && *w->cancel)
        return sim_err_set(w->err, SIM_ECANCELED, "cancelled in month %u",
                           month);
    if (month == p->horizon_months) {
        r->final_frontier_access_share = share;
        return SIM_STOP;
    }
    sim_msg next = {.kind = MKT__EV_MONTH, .target = month + 1};
    return sim_schedule_at(eng, (month + 1) * MKT_DAYS_PER_MONTH, &next, NULL);
}
