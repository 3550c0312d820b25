/* pick_cache.c -- what a choice asks of the world, kept between world events
 * (issue 17): availability and utility of an option without the parts that
 * belong to the buyer.
 *
 * Every contract end, adoption, detection, filing and onboarding makes a
 * choice (choose.c), and each asked, option by option, the whole rule table
 * (legal.c: some 3 + vendors + rule definitions instances, nearly all of
 * them off or not covering the option), the channel's market structure
 * (direct API, licence, partnership) and the utility's price and risk
 * terms. None of that changes between two world events: it is written only
 * by the timeline, rules coming into force, wind-downs, the Commerce rule,
 * the burn-in's end, the month's books and the agents' decisions, all of
 * which run as world events (market.c's dispatch marks them). The cache is
 * rebuilt at the first choice after one, and not used during one (a world
 * event may change state after it has made some choices).
 *
 * What stays per call, because it is the buyer's: its bans, its subsidiary
 * abroad, whether it holds a winding-down cloud's option, the buyer side of
 * every rule that covers the option (its flags, ownership, sector, licence
 * fate), the SOE penalty, a rule's compliance cost on it, the switching
 * cost; and the capability term, which grows with time.
 *
 * Exactness: every value is the one the uncached path computes, by the same
 * expression in the same order (a product cached is the same product; sums
 * of rule costs keep the instances' order), so the results are the same bit
 * for bit. AIMS_PICK_CACHE=0 turns the cache off (mkt_run_opts.no_pick_cache)
 * and the tests compare the files.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "market_internal.h"

enum { PC_CLOSED, PC_OPEN, PC_HELD_ONLY }; /* pc_state */

/* The firms' memo of rule verdicts (mkt__ent.rv_mask) has a bit per
 * option; with more options every choice asks the rules. */
#define MEMO_OPTS 16u
_Static_assert(sizeof(((mkt__ent *)0)->rv_mask) * 8 == MEMO_OPTS,
               "a bit of rv_mask per option");
#define SIG_RULE_WORDS 12u /* rule_words */

/* fill_row is written once for both rows and must be specialised for each
 * (its holder and sw tests folded away): gcc does not inline it by itself. */
#if defined(__GNUC__)
#define ROW_INLINE inline __attribute__((always_inline))
#else
#define ROW_INLINE inline
#endif

int mkt__pc_new(struct mkt_world *w, bool off, uint8_t memo_epochs)
{
    size_t no = w->n_opts ? w->n_opts : 1, ni = w->n_inst ? w->n_inst : 1;
    w->pc_off = off;
    w->pc_valid = false;
    w->pc_state = calloc(no, sizeof *w->pc_state);
    w->pc_nrule = calloc(no, sizeof *w->pc_nrule);
    w->pc_ncost = calloc(no, sizeof *w->pc_ncost);
    w->pc_rule = calloc(no * ni, sizeof *w->pc_rule);
    w->pc_cost = calloc(no * ni, sizeof *w->pc_cost);
    w->pc_price = calloc(no * w->n_sec, sizeof *w->pc_price);
    w->pc_risk = calloc(no * w->n_sec, sizeof *w->pc_risk);
    w->pc_out = calloc(w->n_sec ? w->n_sec : 1, sizeof *w->pc_out);
    w->pc_cap = calloc(w->p->n_vendors ? w->p->n_vendors : 1,
                       sizeof *w->pc_cap);
    /* The verdicts' inputs (renew_memo_epoch): per option its count and
     * rules, per instance SIG_RULE_WORDS. */
    w->pc_memo = w->n_opts <= MEMO_OPTS;
    w->pc_sig_set = false;
    w->pc_epoch = 0;
    w->pc_epoch_max = memo_epochs ? memo_epochs : UINT8_MAX;
    w->pc_sig_cap = no * (1 + ni) + ni * SIG_RULE_WORDS;
    w->pc_sig = calloc(w->pc_sig_cap, sizeof *w->pc_sig);
    w->pc_sig_new = calloc(w->pc_sig_cap, sizeof *w->pc_sig_new);
    if (!w->pc_state || !w->pc_nrule || !w->pc_ncost || !w->pc_rule ||
        !w->pc_cost || !w->pc_price || !w->pc_risk || !w->pc_out ||
        !w->pc_cap || !w->pc_sig || !w->pc_sig_new)
        return SIM_ENOMEM;
    return SIM_OK;
}

void mkt__pc_free(struct mkt_world *w)
{
    free(w->pc_state);
    free(w->pc_nrule);
    free(w->pc_ncost);
    free(w->pc_rule);
    free(w->pc_cost);
    free(w->pc_price);
    free(w->pc_risk);
    free(w->pc_out);
    free(w->pc_cap);
    free(w->pc_sig);
    free(w->pc_sig_new);
}

/* The market structure's part of mkt__available: what does not depend on
 * the buyer. */
static uint8_t structure(const struct mkt_world *w, uint32_t o)
{
    const mkt__opt *op = &w->opts[o];
    switch (op->channel) {
    case MKT_CH_DIRECT:
        return w->direct[op->vendor] ? PC_OPEN : PC_CLOSED;
    case MKT_CH_OFFSHORE:
    case MKT_CH_ONSHORE:
        if (!w->licence[(size_t)op->inter * w->p->n_vendors + op->vendor])
            return PC_CLOSED;
        switch (w->istate[op->inter]) {
        case MKT__ACTIVE:
            return PC_OPEN;
        case MKT__WINDING_DOWN:
            return PC_HELD_ONLY;
        default:
            return PC_CLOSED;
        }
    case MKT_CH_GRAY:
        return w->p->gray.enabled ? PC_OPEN : PC_CLOSED;
    default:
        return PC_OPEN;
    }
}

/* mkt__legal_cost's test, without the buyer. */
static bool buyer_cost_rule(const mkt__inst *r)
{
    return (r->def.effect == MKT_RULE_COST ||
            r->def.effect == MKT_RULE_DELAY) &&
           r->def.bearer == MKT_BEARER_BUYER && r->def.cost > 0 &&
           !r->def.cond.any_buyer;
}

static uint64_t dbl_word(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* What rules_allow reads of instance r: its effect, odds, salt and the
 * buyer side of its condition (mkt__legal_buyer). The option side is in
 * which options list it. */
static size_t rule_words(const mkt__inst *r, uint64_t *out)
{
    const mkt_cond *c = &r->def.cond;
    size_t n = 0;
    out[n++] = (uint64_t)r->def.effect;
    out[n++] = dbl_word(r->def.approval_prob);
    out[n++] = r->salt;
    out[n++] = c->any_buyer;
    out[n++] = c->hq;
    out[n++] = dbl_word(c->own_above);
    out[n++] = (uint64_t)(int64_t)c->listed;
    out[n++] = (uint64_t)(int64_t)c->public_facing;
    out[n++] = (uint64_t)(int64_t)c->state_owned;
    out[n++] = (uint64_t)(int64_t)c->offshore;
    out[n++] = c->buyer_kinds;
    out[n++] = c->sectors;
    assert(n == SIG_RULE_WORDS);
    return n;
}

/* After a build: everything a firm's rule verdicts depend on but the firm
 * (whose buyer attributes never change after populate) and the
 * replication's hash; every instance's words, covering or not (a change to
 * one that covers nothing only ends an epoch early). When any of it
 * differs from the last build's, the memos are void: a new epoch. After pc_epoch_max (255) the records are
 * swept, so that an old epoch's memo cannot pass for a new one's. */
static void renew_memo_epoch(struct mkt_world *w)
{
    size_t ni = w->n_inst, n = 0;
    uint64_t *sig = w->pc_sig_new;
    for (uint32_t o = 0; o < w->n_opts; o++) {
        sig[n++] = w->pc_nrule[o];
        for (uint32_t k = 0; k < w->pc_nrule[o]; k++)
            sig[n++] = w->pc_rule[o * ni + k];
    }
    for (size_t k = 0; k < ni; k++)
        n += rule_words(&w->inst[k], sig + n);
    assert(n <= w->pc_sig_cap);
    if (w->pc_sig_set && n == w->pc_sig_n &&
        memcmp(sig, w->pc_sig, n * sizeof *sig) == 0)
        return;
    w->pc_sig_new = w->pc_sig;
    w->pc_sig = sig;
    w->pc_sig_n = n;
    w->pc_sig_set = true;
    if (w->pc_epoch == w->pc_epoch_max) {
        for (uint32_t i = 0; w->ent && i < w->n_ent; i++)
            w->ent[i].rv_epoch = 0;
        w->pc_epoch = 1;
    } else {
        w->pc_epoch++;
    }
}

static void rebuild(struct mkt_world *w)
{
    size_t ni = w->n_inst, ns = w->n_sec;
    for (uint32_t o = 0; o < w->n_opts; o++) {
        const mkt__opt *op = &w->opts[o];
        w->pc_state[o] = structure(w, o);
        uint32_t nr = 0, nc = 0;
        for (size_t k = 0; k < ni; k++) {
            const mkt__inst *r = &w->inst[k];
            if (!r->active || !r->opt[o])
                continue;
            if (r->def.effect == MKT_RULE_FORBID ||
                r->def.effect == MKT_RULE_LICENCE)
                w->pc_rule[o * ni + nr++] = (uint32_t)k;
            if (buyer_cost_rule(r)) /* in order: the sum is the same */
                w->pc_cost[o * ni + nc++] = (uint32_t)k;
        }
        w->pc_nrule[o] = nr;
        w->pc_ncost[o] = nc;
        /* utility_ref's terms, as it computes them */
        double risk = w->p->risk[op->channel];
        if (op->channel == MKT_CH_GRAY)
            risk += w->p->gray.risk_per_level * w->enforcement;
        for (size_t s = 0; s < ns; s++) {
            const mkt_sector *sec = &w->p->sectors[s];
            w->pc_price[o * ns + s] = sec->b_price * op->log_price;
            w->pc_risk[o * ns + s] = sec->b_risk * risk;
        }
    }
    for (size_t s = 0; s < ns; s++) {
        const mkt_sector *sec = &w->p->sectors[s];
        w->pc_out[s] = sec->has_outside ? sec->b_price * log(sec->outside_price)
                                        : 0.0;
    }
    if (w->pc_memo)
        renew_memo_epoch(w);
    w->pc_valid = true;
}

bool mkt__pc_begin(struct mkt_world *w)
{
    if (w->pc_off || w->pc_world)
        return false;
    if (!w->pc_valid)
        rebuild(w);
    /* mkt__capability for every vendor at this instant: the same value for
     * each of the options it offers. */
    double years = mkt__years(w);
    for (size_t v = 0; v < w->p->n_vendors; v++)
        w->pc_cap[v] = w->cap0[v] + w->p->vendors[v].capability_growth * years;
    w->pc_years = years;
    return true;
}

/* The buyer's side of the forbid and licence rules covering o. */
static bool rules_allow(const struct mkt_world *w, uint32_t o, uint32_t i)
{
    const uint32_t *rule = &w->pc_rule[o * w->n_inst];
    for (uint32_t k = 0; k < w->pc_nrule[o]; k++) {
        const mkt__inst *r = &w->inst[rule[k]];
        if (!mkt__legal_buyer(w, &r->def.cond, o, i))
            continue;
        if (r->def.effect == MKT_RULE_FORBID)
            return false;
        if (mkt__uniform(w, MKT__PURPOSE_LICENCE, mkt__firm(w, i), r->salt) >=
            r->def.approval_prob)
            return false;
    }
    return true;
}

/* The rules' verdicts on every option for the firm whose primary seat is h
 * (bit o: rules_allow(o, h); 1 where no rule covers o), from the memo in
 * that seat, computed at the firm's first choice in an epoch. The memo is
 * the cache's, not the model's state, so a const world still keeps it (the
 * records are not const through it). */
static uint16_t rule_verdicts(const struct mkt_world *w, uint32_t h)
{
    mkt__ent *he = &w->ent[h];
    if (he->rv_epoch == w->pc_epoch)
        return he->rv_mask;
    uint16_t m = 0;
    for (uint32_t o = 0; o < w->n_opts; o++)
        if (w->pc_nrule[o] == 0 || rules_allow(w, o, h))
            m |= (uint16_t)(1u << o);
    he->rv_mask = m;
    he->rv_epoch = w->pc_epoch;
    return m;
}

/* mkt__available's market-structure and channel part from the cache, for
 * option o and seat he (the seat whose option it is, for a winding-down
 * cloud's own customers and the offshore route), given whether its firm may
 * use the gray channel and the offshore one at all now (its bans). */
static inline bool row_open(const struct mkt_world *w, uint32_t o,
                            const mkt__ent *he, bool gray_ok, bool off_ban_ok)
{
    uint8_t st = w->pc_state[o];
    bool ok = st == PC_OPEN || (st == PC_HELD_ONLY && he->opt == (int32_t)o);
    if (ok && w->opts[o].channel == MKT_CH_GRAY)
        ok = gray_ok;
    else if (ok && w->opts[o].channel == MKT_CH_OFFSHORE)
        ok = (he->flags & MKT__OFFSHORE) && off_ban_ok;
    return ok;
}

/* utility_ref's V_j from the cache: option o in sector s for buyer (its SOE
 * flag given, so that a row reads it once), at the cache's cell o x sector;
 * the same terms in the same order. */
static inline double row_utility(const struct mkt_world *w,
                                 const mkt_sector *s, uint32_t o, size_t cell,
                                 uint32_t buyer, bool soe, bool switch_cost)
{
    const mkt__opt *op = &w->opts[o];
    double u = s->b_cap * w->pc_cap[op->vendor] - w->pc_price[cell] -
               w->pc_risk[cell];
    if (op->foreign && soe)
        u -= w->soe_penalty;
    if (w->pc_ncost[o]) {
        double cost = 0;
        const uint32_t *rule = &w->pc_cost[o * w->n_inst];
        for (uint32_t k = 0; k < w->pc_ncost[o]; k++) {
            const mkt__inst *r = &w->inst[rule[k]];
            if (mkt__legal_buyer(w, &r->def.cond, o, buyer))
                cost += r->def.cost;
        }
        if (cost > 0)
            u -= s->b_price * log1p(cost);
    }
    if (switch_cost)
        u -= s->switching_cost;
    return u;
}

double mkt__pc_utility(const struct mkt_world *w, const mkt_sector *s,
                       uint32_t i, uint32_t o, bool switch_cost)
{
    size_t cell = o * w->n_sec + (size_t)(s - w->p->sectors);
    return row_utility(w, s, o, cell, i, w->ent[i].flags & MKT__SOE,
                       switch_cost);
}

/* A row: availability and utility of every option, with what belongs to
 * the buyer read once. Seat buyer of firm prim chooses; option o's
 * availability is asked for the seat holding it, holder[o] (a portfolio),
 * or for the buyer (holder NULL); the switching cost applies where sw[o]
 * (a portfolio) or where o is not ref. The rules' verdicts come from the
 * firm's memo, in its primary seat: populate gives the seats the
 * primary's buyer attributes and nothing changes them after, so rules_allow
 * gives each seat the primary's verdicts (pick_cache's multi_homing test
 * compares with choices that ask each seat). The availability tests
 * are mkt__available's conjunction in another order. */
static ROW_INLINE void fill_row(struct mkt_world *w, const mkt_sector *s,
                                uint32_t prim, uint32_t buyer,
                                const uint32_t *holder, const bool *sw,
                                int32_t ref)
{
    double now = sim_now(w->eng);
    bool gray_ok = !mkt__banned(w, prim, MKT__BAN_GRAY, now);
    bool off_ban_ok = !mkt__banned(w, prim, MKT__BAN_OFFSHORE, now);
    bool soe = w->ent[buyer].flags & MKT__SOE;
    size_t ns = w->n_sec, sec = (size_t)(s - w->p->sectors);
    uint16_t rv = w->pc_memo ? rule_verdicts(w, prim) : 0;
    for (uint32_t o = 0; o < w->n_opts; o++) {
        uint32_t h = holder ? holder[o] : buyer;
        bool ok = row_open(w, o, &w->ent[h], gray_ok, off_ban_ok) &&
                  (w->pc_memo ? rv >> o & 1
                              : w->pc_nrule[o] == 0 || rules_allow(w, o, h));
        bool sw_o = sw ? sw[o] : ref != MKT_NIL && ref != (int32_t)o;
        w->ok[o] = ok;
        w->v[o] = ok ? row_utility(w, s, o, (size_t)o * ns + sec, buyer, soe,
                                   sw_o)
                     : 0.0;
    }
}

/* One seat's whole row (the hot path of a contract end). */
void mkt__pc_fill(struct mkt_world *w, const mkt_sector *s, uint32_t i,
                  int32_t ref)
{
    fill_row(w, s, mkt__prim(w, i), i, NULL, NULL, ref);
}

/* A multi-homing firm's row (choose.c's portfolio_utilities): option o is
 * available when it is to the seat holding it (holder[o]), its utility is
 * the primary seat's, with the switching cost where sw[o]. */
void mkt__pc_fill_firm(struct mkt_world *w, const mkt_sector *s, uint32_t prim,
                       const uint32_t *holder, const bool *sw)
{
    fill_row(w, s, prim, prim, holder, sw, MKT_NIL);
}

double mkt__pc_outside_utility(const struct mkt_world *w, const mkt_sector *s)
{
    double cap = s->outside_capability + s->outside_growth * w->pc_years;
    return s->b_cap * cap - w->pc_out[s - w->p->sectors];
}
