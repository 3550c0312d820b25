/* choose.c -- what an enterprise chooses (DESIGN.md mechanism 2): the logit
 * over the options available to it, the outside nest, and the portfolio of
 * a firm that multi-homes.
 *
 * One option per firm (the sector's max_options is 1 everywhere, stride 1):
 * a choice is one draw, from the plain logit or, with an outside option,
 * from the nested logit of choice.h; keeping the option renews the
 * contract, moving to another provider goes through its onboarding queue.
 * These paths are the model before multi-homing, line for line, and the
 * golden test (tests/test_golden.c) holds them to it bit for bit.
 *
 * Several options (stride > 1): at each occasion the firm chooses its whole
 * portfolio as a sequence of draws, each with one uniform from the firm's
 * own hash (so common random numbers hold):
 *   1. the primary option, from the nested logit over every option
 *      available to it (switching cost on options it does not hold);
 *   2. then up to max_options - 1 further options, each a logit over the
 *      options not yet chosen, at utility V_j - multihoming_cost (minus the
 *      switching cost where it applies), against "no further option" at the
 *      primary's utility: an extra model is taken when it is worth its cost
 *      beside what the firm has.
 * The portfolio is then given to the firm's seats: a seat already holding
 * (or onboarding onto) a chosen option keeps it, the others take the rest
 * (with onboarding where the firm has no relationship with the provider)
 * or are released. Its usage is split among the options it holds in
 * proportion to exp(V_j) (mkt__resplit), fixed until the portfolio next
 * changes. Choosing the outside releases every seat.
 */
#include <assert.h>
#include <math.h>

#include "choice.h"
#include "market_internal.h"

/* A choice's result besides an option index: the outside, and "nothing
 * available" (only possible with no outside option and no domestic
 * vendor). */
#define PICK_OUTSIDE UINT32_MAX

/* V_j for seat i (its firm's attributes), with the switching cost when
 * switch_cost; a compliance cost the rules put on this buyer alone enters
 * as a higher perceived price. */
static double utility_ref(const struct mkt_world *w, const mkt_sector *s,
                          uint32_t i, uint32_t o, bool switch_cost)
{
    const mkt__ent *e = &w->ent[i];
    const mkt__opt *op = &w->opts[o];
    double risk = w->p->risk[op->channel];
    if (op->channel == MKT_CH_GRAY)
        risk += w->p->gray.risk_per_level * w->enforcement;
    double u = s->b_cap * mkt__capability(w, op->vendor) -
               s->b_price * op->log_price - s->b_risk * risk;
    if (op->foreign && (e->flags & MKT__SOE))
        u -= w->soe_penalty;
    double cost = mkt__legal_cost(w, o, i);
    if (cost > 0)
        u -= s->b_price * log1p(cost);
    if (switch_cost)
        u -= s->switching_cost;
    return u;
}

double mkt__utility(const struct mkt_world *w, const mkt_sector *s,
                    uint32_t i, uint32_t o)
{
    return utility_ref(w, s, i, o, false);
}

/* The outside option's utility: b_cap c(t) - b_price log(price), with the
 * outside's own capability growth (open weights improve too). */
double mkt__outside_utility(const struct mkt_world *w, const mkt_sector *s)
{
    double cap = s->outside_capability + s->outside_growth * mkt__years(w);
    return s->b_cap * cap - s->b_price * log(s->outside_price);
}

/* A utility from the choice cache (pick_cache.c) when the choice may use it
 * (cached: mkt__pc_begin said so): the same value. */
static double utility(const struct mkt_world *w, bool cached,
                      const mkt_sector *s, uint32_t i, uint32_t o,
                      bool switch_cost)
{
    return cached ? mkt__pc_utility(w, s, i, o, switch_cost)
                  : utility_ref(w, s, i, o, switch_cost);
}

/* The draw from w->v / w->ok (already filled) for firm prim: plain logit,
 * or nested with the outside when the sector has one. */
static uint32_t draw_primary(struct mkt_world *w, uint32_t prim, bool cached)
{
    mkt__ent *pe = &w->ent[prim];
    const mkt_sector *s = mkt__sector(w, prim);
    double u = mkt__uniform(w, MKT__PURPOSE_CHOICE, mkt__firm(w, prim),
                            pe->choices++);
    if (!s->has_outside)
        return (uint32_t)mkt_choose_option(w->v, w->ok, w->n_opts, u);
    double v0 = cached ? mkt__pc_outside_utility(w, s)
                       : mkt__outside_utility(w, s);
    size_t j = mkt_choose_nested(w->v, w->ok, w->n_opts, v0, s->nest_lambda,
                                 u);
    return j == MKT_CHOICE_OUTSIDE ? PICK_OUTSIDE : (uint32_t)j;
}

/* One seat: the logit draw over the options available to i; n_opts when
 * none is, PICK_OUTSIDE for the outside. */
static uint32_t pick(struct mkt_world *w, uint32_t i)
{
    mkt__ent *e = &w->ent[i];
    const mkt_sector *s = mkt__sector(w, i);
    /* What the firm has or is moving to: leaving it costs the switch. */
    int32_t ref = e->target != MKT_NIL ? e->target : e->opt;
    bool cached = mkt__pc_begin(w);
    if (cached)
        mkt__pc_fill(w, s, i, ref);
    else
        for (uint32_t o = 0; o < w->n_opts; o++) {
            w->ok[o] = mkt__available(w, o, i);
            w->v[o] = w->ok[o] ? utility_ref(w, s, i, o,
                                             ref != MKT_NIL &&
                                                 ref != (int32_t)o)
                               : 0.0;
        }
    return draw_primary(w, i, cached);
}

/* An adopter left with nothing looks again a month later (a rule may be
 * lifted, a ban run out): without this it would wait for a shock review. The
 * event slot is free, since it has neither a contract nor an onboarding. */
static int retry_later(struct mkt_world *w, uint32_t i)
{
    mkt__ent *e = &w->ent[i];
    assert(e->opt == MKT_NIL && e->target == MKT_NIL &&
           !(e->flags & MKT__IN_SERVICE));
    (void)e;
    return mkt__contract_start(w, i, MKT_DAYS_PER_MONTH);
}

/* Seat i stops onboarding and leaves its option. */
static int release(struct mkt_world *w, uint32_t i)
{
    int rc = mkt__abandon(w, i);
    if (rc == SIM_OK && w->ent[i].opt != MKT_NIL)
        rc = mkt__move(w, i, MKT_NIL, MKT_NIL);
    return rc;
}

/* The firm chose the outside: no external model until its next review,
 * after delay days. */
static int go_outside(struct mkt_world *w, uint32_t prim, double delay)
{
    int rc = SIM_OK;
    for (uint32_t k = 0; rc == SIM_OK && k < w->stride; k++)
        rc = release(w, prim + k);
    if (rc == SIM_OK)
        rc = mkt__set_out(w, prim, true);
    if (rc == SIM_OK && delay >= 0)
        rc = mkt__contract_start(w, prim, delay);
    return rc;
}

/* ---- one option per firm ---------------------------------------------------
 */

/* Enterprise i chooses among its available options. renew: a contract
 * ended, so keeping the option starts a new contract (a review at a shock
 * leaves the running one alone). cur_prov: the provider it is with, which
 * it may leave for another model there without onboarding again (the
 * provider of an option it has just lost, too). */
static int choose_one(struct mkt_world *w, uint32_t i, bool renew,
                      uint32_t cur_prov)
{
    mkt__ent *e = &w->ent[i];
    uint32_t j = pick(w, i);
    if (j == PICK_OUTSIDE)
        return go_outside(w, i, mkt__contract_days(w, i));
    if (j == w->n_opts) { /* nothing available at all */
        if (e->opt != MKT_NIL)
            return SIM_OK;
        int rc = mkt__abandon(w, i);
        return rc != SIM_OK ? rc : retry_later(w, i);
    }
    int rc = mkt__set_out(w, i, false);
    if (rc != SIM_OK)
        return rc;
    if ((int32_t)j == e->target)
        return SIM_OK; /* keeps waiting for it */
    rc = mkt__abandon(w, i);
    if (rc != SIM_OK)
        return rc;
    if ((int32_t)j == e->opt)
        return renew ? mkt__contract_start(w, i, mkt__contract_days(w, i))
                     : SIM_OK;
    double filing = mkt__legal_delay(w, j, i);
    if (filing > 0) /* a delay rule: file first */
        return mkt__start_filing(w, i, j, filing);
    uint32_t prov = w->opts[j].provider;
    if (prov == MKT_NO_PROVIDER || prov == cur_prov) {
        /* No onboarding: an API key, or another model at the same cloud. */
        rc = mkt__move(w, i, (int32_t)j, MKT_NIL);
        return rc != SIM_OK
                   ? rc
                   : mkt__contract_start(w, i, mkt__contract_days(w, i));
    }
    if (e->ev) { /* leaving: the old contract no longer renews */
        sim_cancel(w->eng, e->ev);
        e->ev = 0;
    }
    rc = mkt__move(w, i, e->opt, (int32_t)j); /* keeps its option meanwhile */
    return rc != SIM_OK ? rc : mkt__enqueue(w, prov, i);
}

/* ---- portfolios ------------------------------------------------------------
 */

/* What seat e is on or moving to. */
static int32_t seat_ref(const mkt__ent *e)
{
    return e->target != MKT_NIL ? e->target : e->opt;
}

/* Fills w->ok / w->v for firm prim: an option is available to the firm when
 * it is to the seat that holds it (a winding-down cloud keeps its own
 * customers) or, if none does, to the primary seat; the switching cost
 * falls on options no seat holds or is moving to, once the firm holds or is
 * moving to something (a firm with nothing pays none, as with one seat). */
static void portfolio_utilities(struct mkt_world *w, uint32_t prim,
                                bool cached)
{
    const mkt_sector *s = mkt__sector(w, prim);
    uint32_t K = w->stride;
    int32_t sopt[MKT_MAX_OPTIONS], sref[MKT_MAX_OPTIONS]; /* [seat] */
    bool holds_any = false;
    for (uint32_t k = 0; k < K; k++) {
        sopt[k] = w->ent[prim + k].opt;
        sref[k] = seat_ref(&w->ent[prim + k]);
        holds_any |= sref[k] != MKT_NIL;
    }
    /* Which seat holds each option (the last, if several) and which
     * options cost the switch, in O(options + seats). */
    uint32_t *holder = w->pf_holder;
    bool *sw = w->pf_sw;
    for (uint32_t o = 0; o < w->n_opts; o++) {
        holder[o] = prim;
        sw[o] = holds_any;
    }
    for (uint32_t k = 0; k < K; k++) {
        if (sopt[k] != MKT_NIL)
            holder[sopt[k]] = prim + k;
        if (sref[k] != MKT_NIL)
            sw[sref[k]] = false;
    }
    if (cached) {
        mkt__pc_fill_firm(w, s, prim, holder, sw);
        return;
    }
    for (uint32_t o = 0; o < w->n_opts; o++) {
        w->ok[o] = mkt__available(w, o, holder[o]);
        w->v[o] = w->ok[o] ? utility_ref(w, s, prim, o, sw[o]) : 0.0;
    }
}

/* Draws the further options after the primary j0 into w->pick_buf[1..),
 * returning the portfolio's size. w->v still holds the utilities (the
 * primary's draw used its own copy). */
static uint32_t draw_further(struct mkt_world *w, uint32_t prim, uint32_t j0,
                             const double *v, uint32_t max, bool cached)
{
    mkt__ent *pe = &w->ent[prim];
    const mkt_sector *s = mkt__sector(w, prim);
    double stop = utility(w, cached, s, prim, j0, false);
    uint32_t n = w->n_opts, len = 1;
    w->pick_buf[0] = (int32_t)j0;
    /* Each draw is mkt_choose_option over v - multihoming_cost and the
     * stop, without the options taken. A draw's weights exp(v_j - vmax)
     * are the last draw's whenever vmax is (the option taken was not the
     * only best): then only the taken one's weight goes to 0, which is
     * what computing them anew would give, bit for bit. */
    double *wt = w->v2, last_vmax = (double)NAN;
    bool *ok2 = w->ok2;
    for (uint32_t o = 0; o < n; o++)
        ok2[o] = w->ok[o] && o != j0;
    ok2[n] = true;
    while (len < max) {
        double vmax = stop;
        for (uint32_t o = 0; o < n; o++)
            if (ok2[o] && v[o] - s->multihoming_cost > vmax)
                vmax = v[o] - s->multihoming_cost;
        if (vmax != last_vmax) {
            for (uint32_t o = 0; o < n; o++)
                wt[o] = ok2[o] ? mkt_exp0(v[o] - s->multihoming_cost - vmax)
                               : 0.0;
            wt[n] = mkt_exp0(stop - vmax);
            last_vmax = vmax;
        }
        double u = mkt__uniform(w, MKT__PURPOSE_CHOICE, mkt__firm(w, prim),
                                pe->choices++);
        size_t j = mkt_choose_weights(wt, ok2, n + 1, u);
        if (j == n)
            break;
        w->pick_buf[len++] = (int32_t)j;
        ok2[j] = false;
        wt[j] = 0.0;
    }
    return len;
}

static bool in(const int32_t *a, uint32_t n, int32_t x)
{
    for (uint32_t k = 0; k < n; k++)
        if (a[k] == x)
            return true;
    return false;
}

/* Seat i takes option j of the new portfolio. instant: no onboarding (the
 * initial adopters); provs: the providers the firm was with before this
 * choice (and the one of an option it just lost). */
static int seat_take(struct mkt_world *w, uint32_t i, uint32_t j, bool instant,
                     const uint32_t *provs, uint32_t n_provs)
{
    mkt__ent *e = &w->ent[i];
    if ((int32_t)j == e->target)
        return SIM_OK;
    int rc = mkt__abandon(w, i);
    if (rc != SIM_OK || (int32_t)j == e->opt)
        return rc;
    if (!instant) {
        double filing = mkt__legal_delay(w, j, i);
        if (filing > 0) /* a delay rule: file first */
            return mkt__start_filing(w, i, j, filing);
    }
    uint32_t prov = w->opts[j].provider;
    bool known = false;
    for (uint32_t k = 0; k < n_provs; k++)
        known |= provs[k] == prov;
    if (instant || prov == MKT_NO_PROVIDER || known)
        return mkt__move(w, i, (int32_t)j, MKT_NIL);
    rc = mkt__move(w, i, e->opt, (int32_t)j); /* keeps its option meanwhile */
    return rc != SIM_OK ? rc : mkt__enqueue(w, prov, i);
}

/* Gives the portfolio in w->pick_buf[0..len) to the firm's seats. */
static int assign(struct mkt_world *w, uint32_t prim, uint32_t len,
                  bool instant, uint32_t lost_prov)
{
    uint32_t K = w->stride, provs[MKT_MAX_OPTIONS + 1], n_provs = 0;
    int32_t seat_of[MKT_MAX_OPTIONS]; /* [portfolio entry] */
    bool busy[MKT_MAX_OPTIONS];       /* [seat] keeps or takes an entry */
    for (uint32_t k = 0; k < K; k++) {
        busy[k] = false;
        int32_t o = w->ent[prim + k].opt;
        if (o != MKT_NIL)
            provs[n_provs++] = w->opts[o].provider;
    }
    if (lost_prov != MKT_NO_PROVIDER)
        provs[n_provs++] = lost_prov;
    for (uint32_t c = 0; c < len; c++)
        seat_of[c] = -1;
    /* A seat keeps what it is moving to, then what it is on; then the
     * entries left go to the seats left, in order. */
    for (int pass = 0; pass < 3; pass++)
        for (uint32_t c = 0; c < len; c++) {
            if (seat_of[c] >= 0)
                continue;
            for (uint32_t k = 0; k < K; k++) {
                const mkt__ent *x = &w->ent[prim + k];
                bool fits = pass == 0   ? seat_ref(x) == w->pick_buf[c]
                            : pass == 1 ? x->opt == w->pick_buf[c]
                                        : !in(w->pick_buf, len, x->opt);
                if (!busy[k] && fits) {
                    seat_of[c] = (int32_t)k;
                    busy[k] = true;
                    break;
                }
            }
        }
    int rc = SIM_OK;
    for (uint32_t c = 0; rc == SIM_OK && c < len; c++) {
        assert(seat_of[c] >= 0);
        rc = seat_take(w, prim + (uint32_t)seat_of[c],
                       (uint32_t)w->pick_buf[c], instant, provs, n_provs);
    }
    for (uint32_t k = 0; rc == SIM_OK && k < K; k++)
        if (!busy[k])
            rc = release(w, prim + k);
    return rc;
}

int mkt__resplit(struct mkt_world *w, uint32_t prim)
{
    if (w->stride == 1)
        return SIM_OK;
    const mkt_sector *s = mkt__sector(w, prim);
    double base = w->fbase[mkt__firm(w, prim)];
    uint32_t held = 0, only = 0;
    for (uint32_t k = 0; k < w->stride; k++)
        if (w->ent[prim + k].opt != MKT_NIL) {
            held++;
            only = k;
        }
    if (held <= 1) { /* all of it on one option, or none */
        for (uint32_t k = 0; k < w->stride; k++)
            mkt__set_base(w, prim + k, held && k == only ? base : 0.0);
        return SIM_OK;
    }
    double vmax = -HUGE_VAL, sum = 0, u[MKT_MAX_OPTIONS];
    bool cached = mkt__pc_begin(w);
    for (uint32_t k = 0; k < w->stride; k++) {
        const mkt__ent *x = &w->ent[prim + k];
        u[k] = x->opt != MKT_NIL
                   ? utility(w, cached, s, prim, (uint32_t)x->opt, false)
                   : -HUGE_VAL;
        vmax = fmax(vmax, u[k]);
    }
    double ex[MKT_MAX_OPTIONS]; /* each exp once: the same value twice */
    for (uint32_t k = 0; k < w->stride; k++) {
        ex[k] = u[k] > -HUGE_VAL ? mkt_exp0(u[k] - vmax) : 0.0;
        sum += ex[k];
    }
    for (uint32_t k = 0; k < w->stride; k++)
        mkt__set_base(w, prim + k,
                      u[k] > -HUGE_VAL ? base * ex[k] / sum : 0.0);
    return SIM_OK;
}

/* The firm's portfolio choice. delay >= 0: (re)start its contract with that
 * many days (an adoption, a contract end, the initial adopters' remaining
 * term); < 0: its contract runs on. */
static int choose_portfolio(struct mkt_world *w, uint32_t prim, double delay,
                            uint32_t lost_prov, bool instant)
{
    const mkt_sector *s = mkt__sector(w, prim);
    bool cached = mkt__pc_begin(w);
    portfolio_utilities(w, prim, cached);
    /* The primary draw scratches w->v; the further draws need it whole. */
    for (uint32_t o = 0; o < w->n_opts; o++)
        w->vsave[o] = w->v[o];
    uint32_t j0 = draw_primary(w, prim, cached);
    if (j0 == PICK_OUTSIDE)
        return go_outside(w, prim, delay);
    int rc = SIM_OK;
    if (j0 == w->n_opts) { /* nothing available at all */
        for (uint32_t k = 0; k < w->stride; k++)
            if (w->ent[prim + k].opt != MKT_NIL)
                return SIM_OK;
        for (uint32_t k = 0; rc == SIM_OK && k < w->stride; k++)
            rc = release(w, prim + k);
        return rc != SIM_OK ? rc : retry_later(w, prim);
    }
    rc = mkt__set_out(w, prim, false);
    uint32_t len = draw_further(w, prim, j0, w->vsave, s->max_options, cached);
    int32_t before[MKT_MAX_OPTIONS];
    for (uint32_t k = 0; k < w->stride; k++)
        before[k] = w->ent[prim + k].opt;
    if (rc == SIM_OK)
        rc = assign(w, prim, len, instant, lost_prov);
    /* The split is set when the options held change, and kept otherwise
     * (a renewal of the same portfolio leaves it alone). */
    bool changed = false;
    for (uint32_t k = 0; k < w->stride; k++)
        changed |= w->ent[prim + k].opt != before[k];
    if (rc == SIM_OK && changed)
        rc = mkt__resplit(w, prim);
    if (rc == SIM_OK && delay >= 0)
        rc = mkt__contract_start(w, prim, delay);
    return rc;
}

/* ---- entry points ----------------------------------------------------------
 */

int mkt__choose_from(struct mkt_world *w, uint32_t i, bool renew,
                     uint32_t cur_prov)
{
    if (w->stride == 1)
        return choose_one(w, i, renew, cur_prov);
    uint32_t prim = mkt__prim(w, i);
    return choose_portfolio(w, prim,
                            renew ? mkt__contract_days(w, prim) : -1.0,
                            cur_prov, false);
}

int mkt__choose(struct mkt_world *w, uint32_t i, bool renew)
{
    const mkt__ent *e = &w->ent[i];
    if (w->stride > 1)
        return mkt__choose_from(w, i, renew, MKT_NO_PROVIDER);
    return choose_one(w, i, renew,
                      e->opt != MKT_NIL ? w->opts[e->opt].provider
                                        : MKT_NO_PROVIDER);
}

int mkt__choose_initial(struct mkt_world *w, uint32_t prim)
{
    double left = mkt__contract_days(w, prim) *
                  (1.0 - mkt__uniform(w, MKT__PURPOSE_CONTRACT,
                                      mkt__firm(w, prim), 0));
    if (w->stride > 1)
        return choose_portfolio(w, prim, left, MKT_NO_PROVIDER, true);
    uint32_t j = pick(w, prim);
    if (j == PICK_OUTSIDE)
        return go_outside(w, prim, left);
    if (j == w->n_opts)
        return retry_later(w, prim);
    int rc = mkt__move(w, prim, (int32_t)j, MKT_NIL);
    return rc != SIM_OK ? rc : mkt__contract_start(w, prim, left);
}
