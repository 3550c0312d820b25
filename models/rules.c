/* rules.c -- the timeline: rule and shock events, and the enterprises they
 * reach (DESIGN.md mechanism 4).
 *
 * An event first changes the rule state, then notifies: it walks the users
 * and the onboarding lists of exactly the options whose availability it can
 * have taken away, and each enterprise found there drops what it may no
 * longer use and chooses again (mkt__revalidate). Nothing scans the
 * population. An event that changes nothing (a price factor of 1, a policy
 * set to what it already is, an enforcement level unchanged) does nothing:
 * no billing split, no clock restarted, no random number drawn.
 *
 * A shock also makes firms review their choice. By default
 * (scenario.shock_reviews = "touched") only the firms it touches do:
 *  - the users of (and firms onboarding onto) every option whose
 *    availability, price, risk or capability the event changed, each with
 *    probability shock_review_prob, decided by the firm's own hash (a common
 *    random number: the same firm reviews in every scenario with that
 *    event);
 *  - when the event made some option more attractive or newly available, a
 *    Binomial(adopters, shock_review_prob) sample of each sector's adopters
 *    (drawn from the adopters' segment of the sector's permutation in
 *    O(sample)), of whom those to whom such an option is available review.
 * With "all", every shock reviews a Binomial sample of all adopters, touched
 * or not: the model before the demand issue, kept for comparison.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "agent.h"
#include "market_internal.h"

/* Perceived prices, and the usage factor (P~ / reference_price)^-eps of
 * each (option, sector). An option whose factor changes is accrued first, so
 * usage before the change is billed at the old factor. */
void mkt__refresh_prices(struct mkt_world *w)
{
    for (uint32_t o = 0; o < w->n_opts; o++) {
        /* Compliance costs the buyers carry on every use of the option (the
         * KYC rule's among them) are felt, not paid to anyone. */
        double price = mkt__price_paid(w, o) * mkt__legal_price_factor(w, o);
        double lp = log(price);
        w->opts[o].log_price = lp;
        bool accrued = false;
        for (size_t s = 0; s < w->n_sec; s++) {
            const mkt_sector *sec = &w->p->sectors[s];
            double f = sec->price_elasticity > 0
                           ? exp(-sec->price_elasticity *
                                 (lp - log(sec->reference_price)))
                           : 1.0;
            double *cell = &w->ufac[(size_t)o * w->n_sec + s];
            if (f != *cell) {
                if (!accrued)
                    mkt__accrue(w, o);
                accrued = true;
                *cell = f;
            }
        }
    }
}

double mkt__frontier_share(const struct mkt_world *w)
{
    if (w->stride > 1) /* firms, not the options they hold */
        return mkt__frontier_share_firms(w);
    const mkt_params *p = w->p;
    double best = -HUGE_VAL;
    for (uint32_t v = 0; v < p->n_vendors; v++)
        best = fmax(best, mkt__capability(w, v));
    double adopted = 0, frontier = 0;
    for (size_t c = 0; c < w->n_cls; c++)
        adopted += w->cls_adopted[c] * w->cls_w[c];
    for (uint32_t o = 0; o < w->n_opts; o++) {
        if (mkt__capability(w, w->opts[o].vendor) <
            best - p->frontier_tolerance)
            continue;
        for (size_t c = 0; c < w->n_cls; c++)
            frontier += w->oc_n[(size_t)o * w->n_cls + c] * w->cls_w[c];
    }
    return adopted > 0 ? frontier / adopted : (double)NAN;
}

/* Every user of, and every enterprise onboarding onto, option o checks what
 * it may still use. The copy is taken before anyone moves; an enterprise
 * that moved meanwhile is checked anyway, which is harmless. */
static int notify_option(struct mkt_world *w, uint32_t o)
{
    for (int pass = 0; pass < 2; pass++) {
        bool targets = pass == 1;
        size_t n;
        int rc = mkt__walk_copy(w, o, targets, &n);
        if (rc != SIM_OK)
            return rc;
        /* w->walk stays ours: revalidating never walks a list. */
        for (size_t k = 0; k < n; k++) {
            rc = mkt__revalidate(w, w->walk[k]);
            if (rc != SIM_OK)
                return rc;
        }
    }
    return SIM_OK;
}

typedef bool option_filter(const struct mkt_world *w, const mkt__opt *op,
                           const mkt_event *ev);

static int notify_where(struct mkt_world *w, option_filter *f,
                        const mkt_event *ev)
{
    for (uint32_t o = 0; o < w->n_opts; o++) {
        if (!f(w, &w->opts[o], ev))
            continue;
        int rc = notify_option(w, o);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

static bool is_direct_of(const struct mkt_world *w, const mkt__opt *op,
                         const mkt_event *ev)
{
    (void)w;
    return op->channel == MKT_CH_DIRECT && op->vendor == ev->vendor;
}

static bool is_of_inter(const struct mkt_world *w, const mkt__opt *op,
                        const mkt_event *ev)
{
    (void)w;
    return op->inter == ev->intermediary;
}

static bool is_licence(const struct mkt_world *w, const mkt__opt *op,
                       const mkt_event *ev)
{
    (void)w;
    return op->inter == ev->intermediary && op->vendor == ev->vendor;
}

static bool is_commerce(const struct mkt_world *w, const mkt__opt *op,
                        const mkt_event *ev)
{
    (void)ev;
    return op->foreign && w->commerce_ch[op->channel];
}

static bool is_foreign(const struct mkt_world *w, const mkt__opt *op,
                       const mkt_event *ev)
{
    (void)w;
    (void)ev;
    return op->foreign;
}

/* Detection rates changed on one channel: restart the clocks of its users. */
static int restart_detection(struct mkt_world *w, int channel)
{
    for (uint32_t o = 0; o < w->n_opts; o++) {
        if (w->opts[o].channel != channel)
            continue;
        size_t n;
        int rc = mkt__walk_copy(w, o, false, &n);
        for (size_t k = 0; rc == SIM_OK && k < n; k++)
            rc = mkt__reschedule_detection(w, w->walk[k]);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

static void mark_prices(struct mkt_world *w);
static void begin_event(struct mkt_world *w);
static int touched_reviews(struct mkt_world *w, const mkt_event *ev,
                           uint32_t k, uint32_t serial);
static const mkt_event *event_at(const struct mkt_world *w, uint32_t k);

/* Detection rates changed on the options an instance covers: restart the
 * clocks of their users. */
static int restart_detection_of(struct mkt_world *w, const mkt__inst *r)
{
    for (uint32_t o = 0; o < w->n_opts; o++) {
        if (!r->opt[o])
            continue;
        size_t n;
        int rc = mkt__walk_copy(w, o, false, &n);
        for (size_t k = 0; rc == SIM_OK && k < n; k++)
            rc = mkt__reschedule_detection(w, w->walk[k]);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

/* Marks the options instance r covers as changed, and walks their users
 * and targets (revalidating) when the change can take something away. */
static int rule_changed(struct mkt_world *w, const mkt__inst *r, bool better)
{
    bool any = false;
    for (uint32_t o = 0; o < w->n_opts; o++)
        if (r->opt[o]) {
            w->chg[o] = true;
            w->better[o] |= better;
            any = true;
        }
    if (!any || better)
        return SIM_OK;
    for (uint32_t o = 0; o < w->n_opts; o++)
        if (r->opt[o]) {
            int rc = notify_option(w, o);
            if (rc != SIM_OK)
                return rc;
        }
    return SIM_OK;
}

/* Whether rule a and b are of the same name (the same rule, redefined). */
static bool same_rule(const mkt__inst *a, const mkt__inst *b)
{
    return a->def.name && b->def.name && strcmp(a->def.name, b->def.name) == 0;
}

/* Instance r's applying changed from was to r->active: prices, detection
 * clocks, marks and forced moves follow. */
static int rule_toggled(struct mkt_world *w, mkt__inst *r, bool was)
{
    if (r->active == was)
        return SIM_OK;
    mkt__refresh_prices(w);
    mark_prices(w);
    int rc = rule_changed(w, r, !r->active);
    if (rc == SIM_OK && r->def.detection_rate > 0)
        rc = restart_detection_of(w, r);
    return rc;
}

/* Rule event k (definition ev->rule) comes into force: it replaces any
 * earlier rule of its name, and is suspended if they were. */
static int rule_in_force(struct mkt_world *w, uint32_t k)
{
    const mkt_event *ev = event_at(w, k);
    mkt__inst *r = &w->inst[w->inst_defs + ev->rule];
    bool suspended = r->suspended; /* suspended during its window */
    for (size_t q = w->inst_defs; q < w->n_inst; q++) {
        mkt__inst *x = &w->inst[q];
        if (x == r || !same_rule(x, r))
            continue;
        suspended |= x->suspended;
        bool was = x->active;
        x->in_force = x->active = false;
        int rc = rule_toggled(w, x, was);
        if (rc != SIM_OK)
            return rc;
    }
    bool was = r->active;
    r->in_force = true;
    r->suspended = suspended;
    r->active = !suspended;
    /* Licence fates are drawn anew for each rule event, named as a
     * commerce_rule's are (its timeline index + 1), so the two kinds given
     * the same rule draw the same fates. */
    r->salt = (uint64_t)k + 1;
    return rule_toggled(w, r, was);
}

int mkt__on_rule_in_force(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    (void)eng;
    const mkt_event *ev = event_at(w, m->target);
    if (m->arg[0] != w->rule_gen[ev->rule])
        return SIM_OK; /* replaced, or its name suspended, before it */
    begin_event(w);
    int rc = rule_in_force(w, m->target);
    if (rc == SIM_OK && ev->shock && !w->p->review_all)
        rc = touched_reviews(w, ev, m->target, 1);
    return rc;
}

/* Suspends (restores) every definition of the rule's name. */
static int rule_suspend(struct mkt_world *w, size_t def, bool suspend)
{
    const mkt__inst *named = &w->inst[w->inst_defs + def];
    for (size_t q = w->inst_defs; q < w->n_inst; q++) {
        mkt__inst *x = &w->inst[q];
        if (!same_rule(x, named))
            continue;
        bool was = x->active;
        x->suspended = suspend;
        x->active = x->in_force && !suspend;
        int rc = rule_toggled(w, x, was);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

/* Bills a vendor's options at the old price before the price changes. */
static void bill_vendor(struct mkt_world *w, size_t v)
{
    for (uint32_t o = 0; o < w->n_opts; o++)
        if (w->opts[o].vendor == v)
            mkt__bill(w, o);
}

/* ---- what an event changed -------------------------------------------------
 */

/* Marks the options f selects as changed by the event; better: more
 * attractive or available to more firms than before. */
static void mark_where(struct mkt_world *w, option_filter *f,
                       const mkt_event *ev, bool better)
{
    for (uint32_t o = 0; o < w->n_opts; o++)
        if (f(w, &w->opts[o], ev)) {
            w->chg[o] = true;
            w->better[o] |= better;
        }
}

/* Marks the options whose perceived price moved since w->oldlp was taken. */
static void mark_prices(struct mkt_world *w)
{
    for (uint32_t o = 0; o < w->n_opts; o++)
        if (w->opts[o].log_price != w->oldlp[o]) {
            w->chg[o] = true;
            w->better[o] |= w->opts[o].log_price < w->oldlp[o];
        }
}

static bool is_of_vendor(const struct mkt_world *w, const mkt__opt *op,
                         const mkt_event *ev)
{
    (void)w;
    return op->vendor == ev->vendor;
}

static bool is_gray(const struct mkt_world *w, const mkt__opt *op,
                    const mkt_event *ev)
{
    (void)w;
    (void)ev;
    return op->channel == MKT_CH_GRAY;
}

/* Whether the event can matter to seat i at all: a rule on state-owned or
 * public-facing firms leaves the others alone. */
static bool concerns(const struct mkt_world *w, const mkt_event *ev,
                     uint32_t o, uint32_t i)
{
    const mkt__inst *r = NULL;
    switch (ev->type) {
    case MKT_EV_SOE_PREFERENCE:
        return (w->ent[i].flags & MKT__SOE) != 0;
    case MKT_EV_CAC_RULE:
        r = &w->inst[w->inst_cac];
        break;
    case MKT_EV_RULE:
    case MKT_EV_SUSPEND:
    case MKT_EV_RESTORE:
        r = &w->inst[w->inst_defs + ev->rule];
        break;
    default:
        return true;
    }
    /* A rule concerns the buyers its condition names, on any changed
     * option when o is UINT32_MAX. */
    for (uint32_t q = 0; q < w->n_opts; q++)
        if ((o == UINT32_MAX ? w->chg[q] : q == o) && r->opt[q] &&
            mkt__legal_buyer(w, &r->def.cond, q, i))
            return true;
    return false;
}

/* ---- reviews ---------------------------------------------------------------
 */

/* Swaps a uniform sample of k of the sector's a adopters to the front of its
 * segment of perm (a partial Fisher-Yates shuffle) and returns k, drawn
 * Binomial(a, prob) from the review stream. */
static uint32_t sample_adopters(struct mkt_world *w, size_t s, double prob)
{
    uint32_t a = w->sec_adopted[s], first = w->sec_first[s];
    if (a == 0 || prob <= 0)
        return 0;
    unsigned k = gsl_ran_binomial(sim_rng_gsl(w->r_review), prob, a);
    for (uint32_t j = 0; j < k; j++) {
        uint32_t r = j + sim_rng_uniform_int(w->r_review, a - j);
        uint32_t x = w->perm[first + j], y = w->perm[first + r];
        w->perm[first + j] = y;
        w->pos[y] = first + j;
        w->perm[first + r] = x;
        w->pos[x] = first + r;
    }
    return k;
}

/* The legacy review: a Binomial sample of every sector's adopters. */
static int reviews(struct mkt_world *w)
{
    const mkt_params *p = w->p;
    for (size_t s = 0; s < w->n_sec; s++) {
        uint32_t k = sample_adopters(w, s, p->sectors[s].shock_review_prob);
        for (uint32_t j = 0; j < k; j++) {
            uint32_t i = w->perm[w->sec_first[s] + j] * w->stride;
            if (w->ent[i].target != MKT_NIL)
                continue; /* already moving */
            int rc = mkt__choose(w, i, false);
            if (rc != SIM_OK)
                return rc;
        }
    }
    return SIM_OK;
}

/* Whether firm prim holds or is moving to a changed option. */
static bool holds_changed(const struct mkt_world *w, uint32_t prim)
{
    for (uint32_t k = 0; k < w->stride; k++) {
        const mkt__ent *x = &w->ent[prim + k];
        if ((x->opt != MKT_NIL && w->chg[x->opt]) ||
            (x->target != MKT_NIL && w->chg[x->target]))
            return true;
    }
    return false;
}

/* A firm reviews when its hash for this event falls under its sector's
 * probability; one moving somewhere already waits for that. */
static int review_firm(struct mkt_world *w, uint32_t prim, uint32_t k_event,
                       uint32_t serial)
{
    const mkt__ent *e = &w->ent[prim];
    if (!(e->flags & MKT__ADOPTED))
        return SIM_OK;
    for (uint32_t k = 0; k < w->stride; k++)
        if (w->ent[prim + k].target != MKT_NIL)
            return SIM_OK;
    double u = mkt__uniform(w, MKT__PURPOSE_REVIEW, mkt__firm(w, prim),
                            (uint64_t)serial << 32 | k_event);
    if (!(u < mkt__sector(w, prim)->shock_review_prob))
        return SIM_OK;
    return mkt__choose(w, prim, false);
}

/* The touched firms of event ev, number k, review (see the top of the
 * file). */
static int touched_reviews(struct mkt_world *w, const mkt_event *ev,
                           uint32_t k, uint32_t serial)
{
    bool any_better = false;
    for (uint32_t o = 0; o < w->n_opts; o++) {
        any_better |= w->better[o];
        if (!w->chg[o])
            continue;
        for (int pass = 0; pass < 2; pass++) {
            bool targets = pass == 1;
            size_t n;
            int rc = mkt__walk_copy(w, o, targets, &n);
            for (size_t j = 0; rc == SIM_OK && j < n; j++) {
                uint32_t i = w->walk[j], prim = mkt__prim(w, i);
                /* A firm on two changed options is reviewed once: at the
                 * first changed option in option order it holds. */
                bool first = true;
                for (uint32_t q = 0; q < w->stride && w->stride > 1; q++) {
                    const mkt__ent *x = &w->ent[prim + q];
                    int32_t r = x->opt != MKT_NIL && w->chg[x->opt] ? x->opt
                                                                    : x->target;
                    if (r != MKT_NIL && w->chg[r] && (uint32_t)r < o)
                        first = false;
                }
                if (first && concerns(w, ev, o, i))
                    rc = review_firm(w, prim, k, serial);
            }
            if (rc != SIM_OK)
                return rc;
        }
    }
    if (!any_better)
        return SIM_OK;
    for (size_t s = 0; s < w->n_sec; s++) {
        uint32_t n = sample_adopters(w, s, w->p->sectors[s].shock_review_prob);
        for (uint32_t j = 0; j < n; j++) {
            uint32_t prim = w->perm[w->sec_first[s] + j] * w->stride;
            if (holds_changed(w, prim) || !concerns(w, ev, UINT32_MAX, prim))
                continue; /* reviewed above, or not concerned */
            bool gains = false;
            for (uint32_t o = 0; o < w->n_opts && !gains; o++)
                gains = w->better[o] && mkt__available(w, o, prim);
            bool moving = false;
            for (uint32_t q = 0; q < w->stride; q++)
                moving |= w->ent[prim + q].target != MKT_NIL;
            if (!gains || moving)
                continue;
            int rc = mkt__choose(w, prim, false);
            if (rc != SIM_OK)
                return rc;
        }
    }
    return SIM_OK;
}

static int schedule_internal(struct mkt_world *w, uint32_t kind,
                             uint32_t target, double months)
{
    sim_msg m = {.kind = kind, .target = target};
    return sim_schedule(w->eng, months * MKT_DAYS_PER_MONTH, &m, NULL);
}

/* The event numbered k: the timeline's, or an agent's decision. */
static const mkt_event *event_at(const struct mkt_world *w, uint32_t k)
{
    return k < w->p->n_events ? &w->p->events[k] : mkt__agents_event(w, k);
}

/* Applies ev, the event numbered k (a timeline index, or an agent's
 * decision: mkt__apply_decision). */
static int apply(struct mkt_world *w, const mkt_event *ev, uint32_t k)
{
    size_t v = ev->vendor;
    switch (ev->type) {
    case MKT_EV_VENDOR_POLICY: {
        int rc = SIM_OK;
        if (ev->direct_access >= 0 && w->direct[v] != (ev->direct_access > 0)) {
            w->direct[v] = ev->direct_access;
            mark_where(w, is_direct_of, ev, w->direct[v]);
            rc = notify_where(w, is_direct_of, ev);
        }
        if (rc == SIM_OK && ev->serve_china_controlled >= 0 &&
            (w->serve_cc[v] != (ev->serve_china_controlled > 0) ||
             (!w->serve_cc[v] &&
              memcmp(w->excl_ch + v * MKT_N_CHANNELS, ev->excl_channels,
                     sizeof ev->excl_channels) != 0))) {
            /* The exclusion covers the event's channels (abroad only by
             * default, as before the legal structure). */
            mkt__inst *r = &w->inst[w->inst_excl + v];
            bool was = r->active;
            if (was) /* lifted or moved: those it refused may come back */
                rc = rule_changed(w, r, true);
            w->serve_cc[v] = ev->serve_china_controlled;
            if (!w->serve_cc[v])
                memcpy(w->excl_ch + v * MKT_N_CHANNELS, ev->excl_channels,
                       sizeof ev->excl_channels);
            mkt__legal_sync(w);
            if (rc == SIM_OK && r->active)
                rc = rule_changed(w, r, false);
        }
        return rc;
    }
    case MKT_EV_PARTNERSHIP_END:
        /* Already ending: a second end with no wind-down ends it now; one
         * with a wind-down leaves the earlier, sooner end in place. */
        if (w->istate[ev->intermediary] == MKT__WINDING_DOWN &&
            ev->wind_down_months <= 0) {
            w->istate[ev->intermediary] = MKT__ENDED;
            mark_where(w, is_of_inter, ev, false);
            return notify_where(w, is_of_inter, ev);
        }
        if (w->istate[ev->intermediary] != MKT__ACTIVE)
            return SIM_OK;
        mark_where(w, is_of_inter, ev, false);
        if (ev->wind_down_months <= 0) {
            w->istate[ev->intermediary] = MKT__ENDED;
            return notify_where(w, is_of_inter, ev);
        }
        w->istate[ev->intermediary] = MKT__WINDING_DOWN;
        {
            int rc = notify_where(w, is_of_inter, ev); /* onboarding ones */
            return rc != SIM_OK
                       ? rc
                       : schedule_internal(w, MKT__EV_WIND_DOWN,
                                           (uint32_t)ev->intermediary,
                                           ev->wind_down_months);
        }
    case MKT_EV_LICENCE_REVOCATION:
        if (!w->licence[ev->intermediary * w->p->n_vendors + v])
            return SIM_OK;
        w->licence[ev->intermediary * w->p->n_vendors + v] = false;
        mark_where(w, is_licence, ev, false);
        return notify_where(w, is_licence, ev);
    case MKT_EV_COMMERCE_RULE: {
        /* The newest commerce event decides: it voids any rule still in its
         * compliance period (a lifted or replaced rule never comes into
         * force). */
        uint32_t gen = ++w->commerce_gen;
        if (!ev->active) {
            if (w->commerce && w->commerce_p < 1) /* lifted: the refused
                                                    may come back */
                mark_where(w, is_commerce, ev, true);
            w->commerce = false;
            mkt__legal_sync(w);
            return SIM_OK;
        }
        sim_msg m = {.kind = MKT__EV_COMMERCE, .target = k, .arg = {gen}};
        if (ev->compliance_months <= 0)
            return mkt__on_commerce(w->eng, w, &m);
        return sim_schedule(w->eng,
                            ev->compliance_months * MKT_DAYS_PER_MONTH, &m,
                            NULL);
    }
    case MKT_EV_KYC_RULE: {
        if (w->kyc == ev->active && w->kyc_cost == ev->cost &&
            w->kyc_rate == ev->detection_rate)
            return SIM_OK;
        w->kyc = ev->active;
        w->kyc_cost = ev->cost;
        w->kyc_rate = ev->detection_rate;
        mkt__legal_sync(w);
        mkt__refresh_prices(w);
        mark_prices(w);
        return restart_detection(w, MKT_CH_OFFSHORE);
    }
    case MKT_EV_CAC_RULE:
        if (w->cac == ev->active)
            return SIM_OK;
        w->cac = ev->active;
        mkt__legal_sync(w);
        mark_where(w, is_foreign, ev, !w->cac);
        return w->cac ? notify_where(w, is_foreign, ev) : SIM_OK;
    case MKT_EV_SOE_PREFERENCE:
        if (w->soe_penalty == ev->penalty)
            return SIM_OK;
        mark_where(w, is_foreign, ev, ev->penalty < w->soe_penalty);
        w->soe_penalty = ev->penalty;
        return SIM_OK;
    case MKT_EV_ENFORCEMENT:
        if (w->enforcement == ev->level)
            return SIM_OK;
        mark_where(w, is_gray, ev, ev->level < w->enforcement);
        w->enforcement = ev->level;
        return restart_detection(w, MKT_CH_GRAY);
    case MKT_EV_CAPABILITY_JUMP:
        if (ev->delta == 0)
            return SIM_OK;
        w->cap0[v] += ev->delta;
        mark_where(w, is_of_vendor, ev, ev->delta > 0);
        return SIM_OK;
    case MKT_EV_PRICE_CHANGE: {
        /* Kept within [1e-6, 1e6] USD per Mtok: compounded factors could
         * otherwise reach 0 or infinity and make utilities NaN. */
        double price = fmin(fmax(w->price[v] * ev->factor, 1e-6), 1e6);
        if (price == w->price[v])
            return SIM_OK;
        bill_vendor(w, v);
        w->price[v] = price;
        mkt__refresh_prices(w);
        mark_prices(w);
        return SIM_OK;
    }
    case MKT_EV_RULE: {
        /* The newest event of a rule's name decides: it voids one of that
         * name still in its compliance window. */
        const mkt__inst *r = &w->inst[w->inst_defs + ev->rule];
        for (size_t q = 0; q < w->p->n_rule_defs; q++)
            if (same_rule(&w->inst[w->inst_defs + q], r))
                w->rule_gen[q]++;
        if (ev->compliance_months <= 0)
            return rule_in_force(w, k);
        sim_msg m = {.kind = MKT__EV_RULE_IN_FORCE,
                     .target = k,
                     .arg = {w->rule_gen[ev->rule]}};
        return sim_schedule(w->eng,
                            ev->compliance_months * MKT_DAYS_PER_MONTH, &m,
                            NULL);
    }
    case MKT_EV_SUSPEND:
    case MKT_EV_RESTORE:
        return rule_suspend(w, ev->rule, ev->type == MKT_EV_SUSPEND);
    default:
        assert(0 && "unknown event type");
        return SIM_EINVAL;
    }
}

/* Clears the change marks and keeps the perceived prices, before an event
 * changes anything. */
static void begin_event(struct mkt_world *w)
{
    for (uint32_t o = 0; o < w->n_opts; o++) {
        w->chg[o] = w->better[o] = false;
        w->oldlp[o] = w->opts[o].log_price;
    }
}

int mkt__on_timeline(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    const mkt_event *ev = &w->p->events[m->target];
    if (ev->shock && !w->have_ref) {
        w->have_ref = true;
        w->ref_share = mkt__frontier_share(w);
        w->ref_month = (sim_now(eng) - w->t0) / MKT_DAYS_PER_MONTH;
    }
    int rc = mkt__agents_foresee(w, ev); /* promotions start first */
    if (rc != SIM_OK)
        return rc;
    begin_event(w);
    rc = apply(w, ev, m->target);
    if (rc == SIM_OK && ev->shock)
        rc = w->p->review_all ? reviews(w)
                              : touched_reviews(w, ev, m->target, 0);
    /* The agents see what the timeline did: a scripted event overrides a
     * policy at its time. */
    return rc == SIM_OK ? mkt__agents_observe(w, ev, true) : rc;
}

int mkt__apply_decision(struct mkt_world *w, const mkt_event *ev, uint32_t k)
{
    assert(k >= w->p->n_events);
    if (ev->shock && !w->have_ref) {
        w->have_ref = true;
        w->ref_share = mkt__frontier_share(w);
        w->ref_month = (sim_now(w->eng) - w->t0) / MKT_DAYS_PER_MONTH;
    }
    int rc = mkt__agents_foresee(w, ev);
    if (rc != SIM_OK)
        return rc;
    begin_event(w);
    rc = apply(w, ev, k);
    if (rc == SIM_OK && ev->shock)
        rc = w->p->review_all ? reviews(w) : touched_reviews(w, ev, k, 0);
    return rc == SIM_OK ? mkt__agents_observe(w, ev, false) : rc;
}

int mkt__on_wind_down(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    (void)eng;
    w->istate[m->target] = MKT__ENDED;
    mkt_event ev = {.intermediary = m->target};
    return notify_where(w, is_of_inter, &ev);
}

int mkt__on_commerce(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    (void)eng;
    const mkt_event *ev = event_at(w, m->target);
    if (m->arg[0] != w->commerce_gen)
        return SIM_OK; /* lifted or replaced during its compliance period */
    /* Fates are drawn anew for each rule, so a rule replacing one that
     * refused some may admit them (on the channels it covered); a rule that
     * refuses some (approval below 1) may exclude anyone on the channels it
     * covers. With approval 1 nobody is refused and nothing changes. */
    begin_event(w);
    if (w->commerce && w->commerce_p < 1)
        mark_where(w, is_commerce, ev, true); /* the old rule's channels */
    w->commerce = true;
    w->commerce_p = ev->approval_prob;
    for (int c = 0; c < MKT_N_CHANNELS; c++)
        w->commerce_ch[c] = ev->channels[c];
    w->commerce_salt = (uint64_t)m->target + 1;
    mkt__legal_sync(w);
    if (ev->approval_prob < 1)
        mark_where(w, is_commerce, ev, false);
    int rc = notify_where(w, is_commerce, ev);
    /* In force after a compliance window: the touched review now. */
    if (rc == SIM_OK && ev->shock && !w->p->review_all &&
        ev->compliance_months > 0)
        rc = touched_reviews(w, ev, m->target, 1);
    return rc;
}
