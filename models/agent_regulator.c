/* agent_regulator.c -- the regulators that decide, and the indicators they
 * watch.
 *
 * Indicators, at each month end, from the month's results and the
 * per-option aggregates (mkt_agents.h): the share of adopters on a frontier
 * model through a US-hosted channel (direct, onshore, offshore), the gray
 * channel's volume (Mtok per month flowing at the month end), the month's
 * detections (a proxy for distillation incidents), the gray share of
 * adopters.
 *
 * Both regulators watch some of them, each against its threshold. An
 * indicator above its threshold at every epoch for review_months starts an
 * action; every watched indicator below relax_below x its threshold for
 * relax_months relaxes one step (relax_below 0: never). One action is on
 * its way at a time. Looking at the indicators is part of the month's
 * books (mkt__ag_regulator_watch, from agent.c's month end); only an epoch
 * that leads to an action is a decision event, so a regulator whose
 * thresholds nothing reaches changes nothing at all, not even the engine's
 * count of events (the placebo of tests/test_agents.c).
 *
 * US Commerce ("ladder") climbs one rung per action, from the rung the
 * rule state shows (so scripted rules count): 1 the IaaS KYC rule, 2 a
 * licence requirement for US clouds (approval_prob), 3 a lower approval
 * (low_approval_prob). A rung is proposed, becomes final proposal_months
 * later and is in force compliance_months after that (a Commerce rule
 * uses its own compliance window; KYC is applied when in force). Relaxing
 * withdraws a proposal not yet final, or else rescinds the top rung at
 * once (the May 2025 rescission came before its compliance date, facts 1).
 * Its stance, which the vendors' and clouds' penalties grow with, is the
 * rung in force plus 1/2 while a rulemaking is pending.
 *
 * China's CAC ("threshold") raises gray enforcement by `step` (up to
 * max_level) lag_months after it decides, and relaxing lowers it by a step,
 * never below the starting level.
 */
#include <math.h>

#include "agent.h"

void mkt__ag_indicators(const struct mkt_world *w, uint32_t month,
                        double *ind)
{
    const mkt_params *p = w->p;
    const mkt_results *r = w->res;
    size_t row = month - 1, nc = w->n_cls;
    double best = -HUGE_VAL, adopted = 0, us = 0, gray = 0;
    for (uint32_t v = 0; v < p->n_vendors; v++)
        best = fmax(best, mkt__capability(w, v));
    for (size_t c = 0; c < nc; c++)
        adopted += w->cls_adopted[c] * w->cls_w[c];
    for (uint32_t o = 0; o < w->n_opts; o++) {
        const mkt__opt *op = &w->opts[o];
        if (op->channel == MKT_CH_GRAY)
            gray += mkt__ag_rate(w, o);
        if ((op->channel != MKT_CH_DIRECT && op->channel != MKT_CH_ONSHORE &&
             op->channel != MKT_CH_OFFSHORE) ||
            mkt__capability(w, op->vendor) < best - p->frontier_tolerance)
            continue;
        for (size_t c = 0; c < nc; c++)
            us += w->oc_n[(size_t)o * nc + c] * w->cls_w[c];
    }
    ind[MKT_IND_US_FRONTIER_ACCESS] = adopted > 0 ? us / adopted : (double)NAN;
    ind[MKT_IND_GRAY_VOLUME] = gray;
    ind[MKT_IND_DETECTIONS] = r ? r->detections[row] : (double)NAN;
    ind[MKT_IND_GRAY_SHARE] =
        r && r->adopters[row] > 0
            ? r->channel_count[row * MKT_N_CHANNELS + MKT_CH_GRAY] /
                  r->adopters[row]
            : (double)NAN;
}

/* Advances the watch by one epoch of `period` months. Sets *act when an
 * indicator has been above its threshold for review_months, *relax when
 * every one has been below relax_below x threshold for relax_months. */
static void watch_step(const mkt_watch *wt, mkt__reg_ag *r, const double *ind,
                       uint32_t period, bool *act, bool *relax)
{
    bool calm = true;
    *act = false;
    for (int k = 0; k < MKT_N_INDICATORS; k++) {
        if (!wt->watched[k])
            continue;
        r->above[k] = ind[k] > wt->threshold[k] ? r->above[k] + 1 : 0;
        *act |= (uint64_t)r->above[k] * period >= wt->review_months;
        calm &= ind[k] < wt->relax_below * wt->threshold[k];
    }
    r->calm = calm ? r->calm + 1 : 0;
    *relax = wt->relax_below > 0 &&
             (uint64_t)r->calm * period >= wt->relax_months;
}

static void reset_watch(mkt__reg_ag *r)
{
    for (int k = 0; k < MKT_N_INDICATORS; k++)
        r->above[k] = 0;
    r->calm = 0;
}

/* The kyc_rule or commerce_rule event that puts rung `rung` (1-3) in force,
 * or takes the ladder down to it (rung 0-2) when `down`. */
static mkt_event rung_event(const struct mkt_world *w, uint32_t rung,
                            bool down)
{
    const mkt_commerce_agent *c = &w->p->regulators.commerce;
    mkt_event ev = {.shock = true,
                    .vendor = MKT_NO_INDEX,
                    .intermediary = MKT_NO_INDEX,
                    .direct_access = -1,
                    .serve_china_controlled = -1,
                    .active = true};
    if ((!down && rung == 1) || (down && rung == 0)) {
        ev.type = MKT_EV_KYC_RULE;
        ev.active = !down;
        ev.cost = down ? 0.0 : c->kyc_cost;
        ev.detection_rate = down ? 0.0 : c->kyc_detection_rate;
        return ev;
    }
    ev.type = MKT_EV_COMMERCE_RULE;
    ev.active = !(down && rung == 1);
    ev.approval_prob = rung == 3 ? c->low_approval_prob : c->approval_prob;
    ev.compliance_months = down ? 0.0 : c->compliance_months;
    for (int ch = 0; ch < MKT_N_CHANNELS; ch++)
        ev.channels[ch] = ev.active && c->channels[ch];
    return ev;
}

bool mkt__ag_regulator_watch(struct mkt_world *w, uint8_t kind)
{
    const mkt_regulators *rg = &w->p->regulators;
    bool commerce = kind == MKT__AG_COMMERCE;
    mkt__reg_ag *r = commerce ? &w->ag->commerce : &w->ag->cac;
    watch_step(commerce ? &rg->commerce.watch : &rg->cac.watch, r,
               w->ag->ind,
               commerce ? rg->commerce.period_months : rg->cac.period_months,
               &r->act, &r->relax);
    if (commerce) {
        uint32_t rung = mkt__ag_rung(w);
        return (r->act && !r->pending && rung < 3) ||
               (r->relax && ((r->pending && !r->final_issued) ||
                             (!r->pending && rung > 0)));
    }
    double level = w->enforcement;
    return !r->pending && ((r->act && level < rg->cac.max_level) ||
                           (r->relax && level > r->base));
}

int mkt__ag_commerce(struct mkt_world *w)
{
    const mkt_commerce_agent *c = &w->p->regulators.commerce;
    mkt__reg_ag *r = &w->ag->commerce;
    size_t me = mkt__ag_commerce_agent(w);
    bool act = r->act, relax = r->relax;
    if (mkt__ag_scripted_now(w, r->scripted))
        return SIM_OK; /* the script decides at this instant */
    uint32_t rung = mkt__ag_rung(w);
    if (act && !r->pending && rung < 3) {
        r->pending = true;
        r->final_issued = false;
        r->target = rung + 1;
        reset_watch(r);
        int rc = mkt__ag_log(w, me, MKT_DEC_PROPOSE, r->target);
        return rc != SIM_OK ? rc
                            : mkt__ag_due(w, (uint32_t)r->slot,
                                          MKT__DUE_FINAL, ++r->gen,
                                          c->proposal_months);
    }
    if (!relax)
        return SIM_OK;
    reset_watch(r);
    if (r->pending && !r->final_issued) {
        r->pending = false;
        r->gen++; /* its final rule never comes */
        return mkt__ag_log(w, me, MKT_DEC_WITHDRAW, r->target);
    }
    if (r->pending || rung == 0)
        return SIM_OK; /* a final rule is on its way: it comes first */
    mkt_event ev = rung_event(w, rung - 1, true);
    int rc = mkt__ag_apply(w, &ev);
    return rc != SIM_OK ? rc
                        : mkt__ag_log(w, me, MKT_DEC_RESCIND,
                                      mkt__ag_rung(w));
}

int mkt__ag_cac(struct mkt_world *w)
{
    const mkt_cac_agent *c = &w->p->regulators.cac;
    mkt__reg_ag *r = &w->ag->cac;
    bool act = r->act, relax = r->relax;
    if (r->pending || mkt__ag_scripted_now(w, r->scripted))
        return SIM_OK;
    double level = w->enforcement;
    if (act && level < c->max_level)
        r->level = fmin(level + c->step, c->max_level);
    else if (relax && level > r->base)
        r->level = fmax(level - c->step, r->base);
    else
        return SIM_OK;
    r->pending = true;
    reset_watch(r);
    return mkt__ag_due(w, (uint32_t)r->slot, MKT__DUE_ENFORCEMENT, ++r->gen,
                       c->lag_months);
}

int mkt__ag_regulator_due(struct mkt_world *w, uint8_t kind, uint32_t what,
                          uint32_t gen)
{
    const mkt_commerce_agent *c = &w->p->regulators.commerce;
    mkt__reg_ag *r = kind == MKT__AG_COMMERCE ? &w->ag->commerce : &w->ag->cac;
    if (gen != r->gen || !r->pending)
        return SIM_OK; /* withdrawn */
    int rc = SIM_OK;
    if (what == MKT__DUE_ENFORCEMENT) {
        mkt_event ev = {.type = MKT_EV_ENFORCEMENT,
                        .shock = true,
                        .vendor = MKT_NO_INDEX,
                        .intermediary = MKT_NO_INDEX,
                        .direct_access = -1,
                        .serve_china_controlled = -1,
                        .level = r->level};
        r->pending = false;
        rc = mkt__ag_apply(w, &ev);
        return rc != SIM_OK ? rc
                            : mkt__ag_log(w, mkt__ag_cac_agent(w),
                                          MKT_DEC_ENFORCEMENT,
                                          w->enforcement);
    }
    size_t me = mkt__ag_commerce_agent(w);
    if (what == MKT__DUE_FINAL) {
        r->final_issued = true;
        rc = mkt__ag_log(w, me, MKT_DEC_FINAL_RULE, r->target);
        /* A Commerce rule runs its own compliance window; KYC is applied
         * when it comes into force. */
        if (rc == SIM_OK && r->target >= 2) {
            mkt_event ev = rung_event(w, r->target, false);
            rc = mkt__ag_apply(w, &ev);
        }
        return rc != SIM_OK ? rc
                            : mkt__ag_due(w, (uint32_t)r->slot,
                                          MKT__DUE_IN_FORCE, gen,
                                          c->compliance_months);
    }
    r->pending = false;
    reset_watch(r);
    if (r->target == 1) {
        mkt_event ev = rung_event(w, 1, false);
        rc = mkt__ag_apply(w, &ev);
    }
    /* A scripted Commerce event during the compliance window may have
     * voided the rule: only a rung that did come into force is logged. */
    if (rc == SIM_OK && mkt__ag_rung(w) >= r->target)
        rc = mkt__ag_log(w, me, MKT_DEC_IN_FORCE, r->target);
    return rc;
}
