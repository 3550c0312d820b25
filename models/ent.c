/* ent.c -- an enterprise's life: adoption, onboarding, contracts and
 * detection (DESIGN.md mechanisms 1, 3 and 5); what it chooses is choose.c.
 *
 * The unit here is a seat (market_internal.h): one held option with its own
 * onboarding, rosters and detection clock. A firm has one seat unless its
 * sector lets it multi-home. Every change of a seat's (option, target) pair
 * goes through mkt__move, which keeps the option rosters, the per-class
 * counts, billing accrual, the detection clock and the firm's access state
 * consistent. A firm is in one of four states once adopted: with access (a
 * seat on an option), waiting (no option, a seat onboarding), out (it chose
 * the outside option: no external model; it reviews at its contract
 * cadence) or lost (nothing was available when it last chose; it looks
 * again every month).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "bass.h"
#include "market_internal.h"

/* Seats ahead whose records a roster's walk fetches; the entries a roster
 * has at least (and its slack); an entry made stale by hand. */
#define ROSTER_AHEAD 16
#define ROSTER_MIN   MKT__ROSTER_MIN
#define ROSTER_GONE  UINT32_MAX

/* Years since month 0: capabilities are frozen during the burn-in. With no
 * burn-in (t0 = 0) this is now / year, bit for bit. */
double mkt__years(const struct mkt_world *w)
{
    return fmax(sim_now(w->eng) - w->t0, 0.0) / MKT_DAYS_PER_YEAR;
}

double mkt__capability(const struct mkt_world *w, uint32_t v)
{
    return w->cap0[v] + w->p->vendors[v].capability_growth * mkt__years(w);
}

/* A uniform on [0, 1) from a hash of (seed, point, replication, purpose,
 * enterprise, k), splitmix64's finaliser applied to each word in turn. Draws
 * that belong to one enterprise come from here rather than from a shared
 * stream: enterprise i's k-th choice then uses the same number in every
 * scenario run with the seed, however the other enterprises' histories
 * differ, which is what makes paired scenario differences tight (common
 * random numbers, DESIGN.md). A licence fate is asked the same way, so it is
 * the same whenever and however often it is asked. i is a firm, never a
 * seat, so a firm's draws do not depend on how many seats it has. */
static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The hash's first three words are the same for every draw of a purpose in
 * one replication: mkt__uniform_init computes them once. */
static uint64_t prefix(const struct mkt_world *w, uint64_t purpose)
{
    uint64_t z = mix(w->seed);
    z = mix(z ^ ((uint64_t)w->point << 32 | w->rep));
    return mix(z ^ purpose);
}

_Static_assert(MKT__N_PURPOSES <= 8, "u_prefix holds every purpose");

void mkt__uniform_init(struct mkt_world *w)
{
    for (uint64_t p = 0; p < MKT__N_PURPOSES; p++)
        w->u_prefix[p] = prefix(w, p);
}

double mkt__uniform(const struct mkt_world *w, uint64_t purpose, uint32_t i,
                    uint64_t k)
{
    uint64_t z = purpose < MKT__N_PURPOSES ? w->u_prefix[purpose]
                                            : prefix(w, purpose);
    z = mix(z ^ i);
    z = mix(z ^ k);
    return (double)(z >> 11) * 0x1.0p-53;
}

/* What the rules allow (legal.c: the CAC and Commerce rules, vendors'
 * exclusions, rules as data), then what the market structure does: bans
 * after a detection, a vendor's direct API, a subsidiary abroad for the
 * offshore route, a cloud's licence and partnership. */
bool mkt__available(const struct mkt_world *w, uint32_t o, uint32_t i)
{
    const mkt__opt *op = &w->opts[o];
    const mkt__ent *e = &w->ent[i];
    uint32_t prim = mkt__prim(w, i); /* the firm's bans */
    if (!mkt__legal_allows(w, o, i))
        return false;
    if ((op->channel == MKT_CH_GRAY &&
         mkt__banned(w, prim, MKT__BAN_GRAY, sim_now(w->eng))) ||
        (op->channel == MKT_CH_OFFSHORE &&
         mkt__banned(w, prim, MKT__BAN_OFFSHORE, sim_now(w->eng))))
        return false;
    switch (op->channel) {
    case MKT_CH_DIRECT:
        return w->direct[op->vendor];
    case MKT_CH_OFFSHORE:
    case MKT_CH_ONSHORE:
        if (op->channel == MKT_CH_OFFSHORE && !(e->flags & MKT__OFFSHORE))
            return false;
        if (!w->licence[(size_t)op->inter * w->p->n_vendors + op->vendor])
            return false;
        switch (w->istate[op->inter]) {
        case MKT__ACTIVE:
            return true;
        case MKT__WINDING_DOWN: /* no new customers */
            return e->opt == (int32_t)o;
        default:
            return false;
        }
    case MKT_CH_GRAY:
        return w->p->gray.enabled;
    default:
        return true;
    }
}

/* ---- the no-access clock -------------------------------------------------
 */

void mkt__noacc_flush(struct mkt_world *w)
{
    double now = sim_now(w->eng), dt = now - w->noacc_last;
    if (dt > 0)
        for (size_t c = 0; c < w->n_cls; c++)
            w->cls_noacc[c] += (double)(w->cls_wait[c] + w->cls_lost[c]) * dt;
    w->noacc_last = now;
}

/* Gray use is watched at the enforcement level; rules (the KYC rule among
 * them) add their detection rates for the users they match. */
static double detection_rate(const struct mkt_world *w, uint32_t o,
                             uint32_t i)
{
    double rate = w->opts[o].channel == MKT_CH_GRAY
                       ? w->p->gray.detection_rate * w->enforcement
                       : 0.0;
    return rate + mkt__legal_detection(w, o, i);
}

/* Cancels i's detection clock and starts a fresh one if its option is
 * watched: exponential clocks are memoryless, so restarting at a new rate is
 * exact. */
int mkt__reschedule_detection(struct mkt_world *w, uint32_t i)
{
    mkt__ent *e = &w->ent[i];
    if (e->detect) {
        sim_cancel(w->eng, e->detect);
        e->detect = 0;
    }
    if (e->opt == MKT_NIL)
        return SIM_OK;
    double rate = detection_rate(w, (uint32_t)e->opt, i) / MKT_DAYS_PER_YEAR;
    if (rate <= 0)
        return SIM_OK;
    sim_msg m = {.kind = MKT__EV_DETECT, .target = i};
    return sim_schedule(w->eng, sim_rng_exp_rate(w->r_detect, rate), &m,
                        &e->detect);
}

/* ---- rosters ------------------------------------------------------------
 */

static mkt__roster *roster(struct mkt_world *w, uint32_t o, bool targets)
{
    return &w->roster[2 * (size_t)o + targets];
}

/* Whether entry k of option o's roster is current for the seat it names. */
static bool roster_holds(const struct mkt_world *w, uint32_t o, bool targets,
                         uint32_t k, uint32_t i)
{
    const mkt__ent *e = &w->ent[i];
    return targets ? e->target == (int32_t)o && e->tpos == k
                   : e->opt == (int32_t)o && e->upos == k;
}

/* Drops the stale entries, keeping the order (each read of a seat's record
 * is independent of the last, so they are fetched ahead). */
static void roster_compact(struct mkt_world *w, uint32_t o, bool targets)
{
    mkt__roster *r = roster(w, o, targets);
    uint32_t n = 0;
    for (uint32_t k = 0; k < r->n; k++) {
        if (k + ROSTER_AHEAD < r->n && r->a[k + ROSTER_AHEAD] != ROSTER_GONE)
            sim_prefetch(&w->ent[r->a[k + ROSTER_AHEAD]]);
        uint32_t i = r->a[k];
        if (i == ROSTER_GONE || !roster_holds(w, o, targets, k, i))
            continue;
        *(targets ? &w->ent[i].tpos : &w->ent[i].upos) = n;
        r->a[n++] = i;
    }
    assert(n == r->live);
    r->n = n;
    /* Given back where the roster has shrunk, so that its memory follows
     * its seats (the bound in mkt_memory_estimate). */
    if (r->cap > n + n / 2 + 2 * ROSTER_MIN) {
        uint32_t cap = n + n / 2 > ROSTER_MIN ? n + n / 2 : ROSTER_MIN;
        uint32_t *a = realloc(r->a, (size_t)cap * sizeof *a);
        if (a) { /* else it keeps the larger block: nothing is lost */
            r->a = a;
            r->cap = cap;
        }
    }
}

/* Seat i joins option o's roster: before its opt (target) is set to o, so
 * that an entry left from an earlier stay reads as stale. */
static int roster_add(struct mkt_world *w, uint32_t o, bool targets,
                      uint32_t i)
{
    mkt__roster *r = roster(w, o, targets);
    if (r->n == r->cap && r->n - r->live > r->n / 3)
        roster_compact(w, o, targets); /* a third of it goes, or more */
    if (r->n == r->cap) { /* by half again: the roster's bound */
        uint32_t cap = r->cap ? r->cap + r->cap / 2 : ROSTER_MIN;
        uint32_t *a = r->cap <= UINT32_MAX / 3 * 2
                          ? realloc(r->a, (size_t)cap * sizeof *a)
                          : NULL;
        if (!a)
            return sim_err_set(w->err, SIM_ENOMEM,
                               "out of memory listing an option's users");
        r->a = a;
        r->cap = cap;
    }
    uint32_t k = r->n++;
    r->a[k] = i;
    r->live++;
    *(targets ? &w->ent[i].tpos : &w->ent[i].upos) = k;
    assert(r->n - r->live <= r->live + ROSTER_MIN); /* roster_remove's bound */
    return SIM_OK;
}

/* Seat i leaves: its entry stays, stale once its opt (target) changes
 * (which mkt__move does next). The stale entries are dropped when they
 * outnumber the current ones by ROSTER_MIN: a roster never holds more than
 * twice its seats and ROSTER_MIN entries, and a compaction reads about two
 * entries per seat that left since the last (at 1.5 entries per seat it
 * read three, and the runs at 10^6 took 3% longer). */
static void roster_remove(struct mkt_world *w, uint32_t o, bool targets,
                          uint32_t i)
{
    mkt__roster *r = roster(w, o, targets);
    assert(r->live > 0);
    r->live--;
    if (r->n - r->live <= r->live + ROSTER_MIN)
        return; /* the bound holds: mkt_memory_estimate counts on it */
    /* Seat i still reads as current here: it leaves first. */
    uint32_t k = targets ? w->ent[i].tpos : w->ent[i].upos;
    assert(r->a[k] == i);
    r->a[k] = ROSTER_GONE;
    roster_compact(w, o, targets);
}

int mkt__rosters_new(struct mkt_world *w)
{
    w->roster = calloc(2 * (size_t)(w->n_opts ? w->n_opts : 1),
                       sizeof *w->roster);
    return w->roster ? SIM_OK : SIM_ENOMEM;
}

void mkt__rosters_free(struct mkt_world *w)
{
    for (size_t k = 0; w->roster && k < 2 * (size_t)w->n_opts; k++)
        free(w->roster[k].a);
    free(w->roster);
}

/* Most recent first: the order the linked lists before the rosters gave
 * (each seat went in at the head), which the walks' draws depend on. */
int mkt__walk_copy(struct mkt_world *w, uint32_t o, bool targets, size_t *n)
{
    const mkt__roster *r = roster(w, o, targets);
    if (r->live > w->walk_cap) {
        uint32_t *nw = realloc(w->walk, (size_t)r->live * sizeof *nw);
        if (!nw)
            return sim_err_set(w->err, SIM_ENOMEM,
                               "out of memory walking an option's users");
        w->walk = nw;
        w->walk_cap = r->live;
    }
    size_t k = 0;
    for (uint32_t j = r->n; j-- > 0;) {
        if (j >= ROSTER_AHEAD)
            sim_prefetch(&w->ent[r->a[j - ROSTER_AHEAD]]);
        if (roster_holds(w, o, targets, j, r->a[j]))
            w->walk[k++] = r->a[j];
    }
    assert(k == r->live);
    *n = k;
    return SIM_OK;
}

/* ---- state changes -------------------------------------------------------
 */

/* Adds x to a cell's usage sum with Neumaier's compensation: users of wildly
 * different sizes come and go, and a plain running sum would keep the
 * rounding error of the largest that ever passed through (the value is
 * oc_usage + oc_comp). */
static void usage_add(struct mkt_world *w, size_t k, double x)
{
    double s = w->oc_usage[k], t = s + x;
    if (fabs(s) >= fabs(x))
        w->oc_comp[k] += (s - t) + x;
    else
        w->oc_comp[k] += (x - t) + s;
    w->oc_usage[k] = t;
}

/* The counter of the firm's no-access state (waiting, lost or out), or NULL
 * when it has access or has not adopted. A firm has access when any of its
 * seats is on an option. */
static uint32_t *state_counter(struct mkt_world *w, uint32_t prim)
{
    const mkt__ent *e = &w->ent[prim];
    if (!(e->flags & MKT__ADOPTED))
        return NULL;
    bool target = false;
    for (uint32_t k = 0; k < w->stride; k++) {
        const mkt__ent *x = &w->ent[prim + k];
        if (x->opt != MKT_NIL)
            return NULL;
        target |= x->target != MKT_NIL;
    }
    if (e->flags & MKT__OUT)
        return &w->cls_out[e->cls];
    return target ? &w->cls_wait[e->cls] : &w->cls_lost[e->cls];
}

static double firm_base(const struct mkt_world *w, uint32_t prim)
{
    return w->stride > 1 ? w->fbase[mkt__firm(w, prim)] : w->ent[prim].base;
}

int mkt__set_out(struct mkt_world *w, uint32_t prim, bool out)
{
    mkt__ent *e = &w->ent[prim];
    if (((e->flags & MKT__OUT) != 0) == out)
        return SIM_OK;
    mkt__noacc_flush(w);
    uint32_t *cnt = state_counter(w, prim);
    if (cnt)
        (*cnt)--;
    e->flags = (uint16_t)(out ? e->flags | MKT__OUT : e->flags & ~MKT__OUT);
    /* The outside's usage by class, for the agents' demand (agent_demand.c);
     * reset to 0 exactly when the last firm leaves it. */
    w->cls_out_base[e->cls] += out ? firm_base(w, prim) : -firm_base(w, prim);
    cnt = state_counter(w, prim);
    if (cnt)
        (*cnt)++;
    if (w->cls_out[e->cls] == 0)
        w->cls_out_base[e->cls] = 0;
    return SIM_OK;
}

/* Puts seat i on option opt, onboarding onto target (either may be
 * MKT_NIL). Counts a switch when a seat that has had an option gets a
 * different one. */
int mkt__move(struct mkt_world *w, uint32_t i, int32_t opt, int32_t target)
{
    mkt__ent *e = &w->ent[i];
    uint32_t prim = mkt__prim(w, i);
    size_t nc = w->n_cls;
    mkt__noacc_flush(w);
    uint32_t *cnt = state_counter(w, prim);
    if (cnt)
        (*cnt)--;
    if (opt != e->opt) {
        if (e->opt != MKT_NIL) {
            uint32_t o = (uint32_t)e->opt;
            mkt__accrue(w, o);
            roster_remove(w, o, false, i);
            w->opts[o].n_users--;
            size_t k = (size_t)o * nc + e->cls;
            /* An empty cell is reset to exactly 0: sums of doubles added
             * and removed in another order need not cancel. */
            if (--w->oc_n[k] == 0)
                w->oc_usage[k] = w->oc_comp[k] = 0;
            else
                usage_add(w, k, -e->base);
        }
        if (opt != MKT_NIL) {
            uint32_t o = (uint32_t)opt;
            mkt__accrue(w, o);
            int rc = roster_add(w, o, false, i);
            if (rc != SIM_OK)
                return rc;
            w->opts[o].n_users++;
            size_t k = (size_t)o * nc + e->cls;
            w->oc_n[k]++;
            usage_add(w, k, e->base);
            if (e->flags & MKT__HAD_OPTION)
                w->m_switch += w->cls_w[e->cls];
            e->flags |= MKT__HAD_OPTION;
        }
        e->opt = opt;
        if (w->sopt)
            w->sopt[i] = opt;
        int rc = mkt__reschedule_detection(w, i);
        if (rc != SIM_OK)
            return rc;
    }
    if (target != e->target) {
        if (e->target != MKT_NIL)
            roster_remove(w, (uint32_t)e->target, true, i);
        if (target != MKT_NIL) {
            int rc = roster_add(w, (uint32_t)target, true, i);
            if (rc != SIM_OK)
                return rc;
        }
        e->target = target;
    }
    cnt = state_counter(w, prim);
    if (cnt)
        (*cnt)++;
    return SIM_OK;
}

/* Seat i's usage on its option becomes x (a multi-homing firm's split
 * changed): accrued at the old amount up to now. */
void mkt__set_base(struct mkt_world *w, uint32_t i, double x)
{
    mkt__ent *e = &w->ent[i];
    if (e->opt != MKT_NIL && x != e->base) {
        uint32_t o = (uint32_t)e->opt;
        mkt__accrue(w, o);
        size_t k = (size_t)o * w->n_cls + e->cls;
        usage_add(w, k, x - e->base);
    }
    e->base = x;
}

/* The firm's contract: its review clock. With one seat it shares the
 * seat's event slot with onboarding (a firm leaving for another provider has
 * no contract until it arrives); with several it has its own. */
int mkt__contract_start(struct mkt_world *w, uint32_t i, double delay)
{
    sim_msg m = {.kind = MKT__EV_CONTRACT, .target = i};
    if (w->stride > 1) {
        sim_handle *h = &w->cev[mkt__firm(w, i)];
        if (*h)
            sim_cancel(w->eng, *h);
        return sim_schedule(w->eng, delay, &m, h);
    }
    mkt__ent *e = &w->ent[i];
    assert(!(e->flags & (MKT__IN_SERVICE | MKT__FILING)));
    if (e->ev)
        sim_cancel(w->eng, e->ev);
    return sim_schedule(w->eng, delay, &m, &e->ev);
}

double mkt__contract_days(const struct mkt_world *w, uint32_t i)
{
    return mkt__sector(w, i)->contract_months * MKT_DAYS_PER_MONTH;
}

/* ---- onboarding ----------------------------------------------------------
 */

static int start_service(struct mkt_world *w, uint32_t prov, uint32_t i)
{
    mkt_onboard *q = &w->prov[prov];
    mkt__ent *e = &w->ent[i];
    q->busy++;
    e->flags |= MKT__IN_SERVICE;
    if (e->ev) { /* a running contract ends: the firm is leaving */
        sim_cancel(w->eng, e->ev);
        e->ev = 0;
    }
    sim_msg m = {.kind = MKT__EV_ONBOARDED,
                 .target = i,
                 .arg = {e->ticket, prov}};
    return sim_schedule(w->eng, sim_rng_exp_mean(w->r_onboard, q->mean_days),
                        &m, &e->ev);
}

/* Starts service for the next live entries in prov's line (also after a
 * provider's capacity grew, agent_cloud.c). */
int mkt__serve_next(struct mkt_world *w, uint32_t prov)
{
    mkt_onboard *q = &w->prov[prov];
    mkt_onboard_entry x;
    while (q->busy < q->servers && mkt_onboard_pop(q, &x)) {
        const mkt__ent *e = &w->ent[x.ent];
        if (e->ticket != x.ticket || e->target == MKT_NIL)
            continue; /* it gave up while in line */
        int rc = start_service(w, prov, x.ent);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

int mkt__enqueue(struct mkt_world *w, uint32_t prov, uint32_t i)
{
    mkt_onboard *q = &w->prov[prov];
    mkt__ent *e = &w->ent[i];
    e->ticket++;
    if (q->busy < q->servers)
        return start_service(w, prov, i);
    if (!mkt_onboard_push(q, i, e->ticket))
        return sim_err_set(w->err, SIM_ENOMEM,
                           "out of memory for an onboarding queue");
    return SIM_OK;
}

/* Stops i's onboarding: a stale line entry, or a freed server. */
int mkt__abandon(struct mkt_world *w, uint32_t i)
{
    mkt__ent *e = &w->ent[i];
    if (e->target == MKT_NIL)
        return SIM_OK;
    uint32_t prov = w->opts[e->target].provider;
    e->ticket++;
    int rc = mkt__move(w, i, e->opt, MKT_NIL);
    if (rc == SIM_OK && (e->flags & MKT__FILING)) { /* no queue to leave */
        sim_cancel(w->eng, e->ev);
        e->ev = 0;
        e->flags &= (uint16_t)~MKT__FILING;
        return SIM_OK;
    }
    if (rc == SIM_OK && (e->flags & MKT__IN_SERVICE)) {
        sim_cancel(w->eng, e->ev);
        e->ev = 0;
        e->flags &= (uint16_t)~MKT__IN_SERVICE;
        w->prov[prov].busy--;
        rc = mkt__serve_next(w, prov);
    }
    return rc;
}

/* ---- filing (a delay rule) -------------------------------------------------
 */

/* Seat i must file before it may start on option j: it targets j, keeps
 * its option meanwhile, and its filing ends after delay months (the ev slot:
 * a firm with one seat is leaving its contract, as when onboarding). */
int mkt__start_filing(struct mkt_world *w, uint32_t i, uint32_t j,
                      double months)
{
    mkt__ent *e = &w->ent[i];
    if (e->ev) { /* leaving: the old contract no longer renews */
        sim_cancel(w->eng, e->ev);
        e->ev = 0;
    }
    int rc = mkt__move(w, i, e->opt, (int32_t)j);
    if (rc != SIM_OK)
        return rc;
    e->ticket++;
    e->flags |= MKT__FILING;
    sim_msg m = {.kind = MKT__EV_FILED, .target = i, .arg = {e->ticket}};
    return sim_schedule(w->eng, months * MKT_DAYS_PER_MONTH, &m, &e->ev);
}

int mkt__on_filed(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    (void)eng;
    uint32_t i = m->target;
    mkt__ent *e = &w->ent[i];
    assert(e->ticket == m->arg[0] && (e->flags & MKT__FILING));
    e->ev = 0;
    e->flags &= (uint16_t)~MKT__FILING;
    uint32_t t = (uint32_t)e->target, prim = mkt__prim(w, i);
    if (!mkt__available(w, t, i)) { /* it went away while filing */
        int rc = mkt__move(w, i, e->opt, MKT_NIL);
        if (rc != SIM_OK)
            return rc;
        return w->stride > 1 ? mkt__choose(w, prim, false)
                             : mkt__choose(w, i, true);
    }
    uint32_t prov = w->opts[t].provider;
    bool known = prov == MKT_NO_PROVIDER;
    for (uint32_t k = 0; k < w->stride && !known; k++) {
        int32_t o = w->ent[prim + k].opt;
        known = o != MKT_NIL && w->opts[o].provider == prov;
    }
    if (!known) /* filed: now the provider's onboarding */
        return mkt__enqueue(w, prov, i);
    int rc = mkt__move(w, i, (int32_t)t, MKT_NIL);
    if (rc != SIM_OK)
        return rc;
    return w->stride > 1 ? mkt__resplit(w, prim)
                         : mkt__contract_start(w, i, mkt__contract_days(w, i));
}

/* ---- forced changes ------------------------------------------------------
 */

/* Drops whatever became unavailable to seat i and lets the firm choose
 * again. */
int mkt__revalidate(struct mkt_world *w, uint32_t i)
{
    mkt__ent *e = &w->ent[i];
    bool lost = false;
    uint32_t lost_prov = MKT_NO_PROVIDER;
    int rc = SIM_OK;
    if (e->target != MKT_NIL &&
        !mkt__available(w, (uint32_t)e->target, i)) {
        rc = mkt__abandon(w, i);
        lost = true;
    }
    if (rc == SIM_OK && e->opt != MKT_NIL &&
        !mkt__available(w, (uint32_t)e->opt, i)) {
        if (w->stride == 1 && e->ev &&
            !(e->flags & (MKT__IN_SERVICE | MKT__FILING))) {
            sim_cancel(w->eng, e->ev);
            e->ev = 0;
        }
        lost_prov = w->opts[e->opt].provider;
        rc = mkt__move(w, i, MKT_NIL, e->target);
        lost = true;
    }
    if (rc != SIM_OK || !lost)
        return rc;
    if (w->stride > 1) /* the firm reviews what it holds; its contract runs */
        return mkt__choose_from(w, mkt__prim(w, i), false, lost_prov);
    return e->target == MKT_NIL ? mkt__choose_from(w, i, true, lost_prov)
                                : SIM_OK;
}

/* An enterprise adopted before the start: it is already on its options (no
 * onboarding), part-way through a contract. */
int mkt__adopt_initial(struct mkt_world *w, uint32_t i)
{
    mkt__ent *e = &w->ent[i];
    mkt__noacc_flush(w);
    e->flags |= MKT__ADOPTED;
    w->cls_adopted[e->cls]++;
    w->cls_lost[e->cls]++;
    return mkt__choose_initial(w, i);
}

/* ---- handlers ------------------------------------------------------------
 */

int mkt__on_adopt(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    size_t s = m->target;
    uint32_t first = w->sec_first[s], n = w->sec_n[s], a = w->sec_adopted[s];
    assert(a < n);
    /* A uniform non-adopter joins the adopters' end of the segment. */
    uint32_t k = a + sim_rng_uniform_int(w->r_adopt, n - a);
    uint32_t i = w->perm[first + k], j = w->perm[first + a];
    w->perm[first + k] = j;
    w->pos[j] = first + k;
    w->perm[first + a] = i;
    w->pos[i] = first + a;
    w->sec_adopted[s] = ++a;
    if (w->adopt_guesses) {
        w->adopt_guesses[0]++;
        w->adopt_guesses[1] += i == w->adopt_guess;
    }

    uint32_t prim = i * w->stride;
    mkt__ent *e = &w->ent[prim];
    mkt__noacc_flush(w);
    e->flags |= MKT__ADOPTED;
    w->cls_adopted[e->cls]++;
    w->cls_lost[e->cls]++;
    int rc = mkt__choose(w, prim, true);
    if (rc != SIM_OK)
        return rc;

    const mkt_sector *sec = &w->p->sectors[s];
    double rate = mkt_bass_rate(sec->bass_p, sec->bass_q, a, n);
    w->adopt_at[s] = HUGE_VAL;
    if (rate <= 0) {
        mkt__adopt_prefetch(w);
        return SIM_OK;
    }
    sim_msg next = {.kind = MKT__EV_ADOPT, .target = (uint32_t)s};
    double delay = sim_rng_exp_rate(w->r_adopt, rate / MKT_DAYS_PER_YEAR);
    rc = sim_schedule(eng, delay, &next, NULL);
    w->adopt_at[s] = sim_now(eng) + delay;
    mkt__adopt_prefetch(w);
    return rc;
}

/* The sector whose pending adoption is the earliest, with sector `moved`'s
 * at time t instead; SIZE_MAX when none is pending. */
static size_t adopt_next(const struct mkt_world *w, size_t moved, double t)
{
    size_t best = SIZE_MAX;
    double bt = HUGE_VAL;
    for (size_t q = 0; q < w->n_sec; q++) {
        double at = q == moved ? t : w->adopt_at[q];
        if (at < bt) {
            bt = at;
            best = q;
        }
    }
    return best;
}

/* Only adoptions draw from r_adopt, one chain a sector, so the adoptions to
 * come are known: the next is the sector's whose pending adoption is the
 * earliest, its pick the next uniform_int of r_adopt, and the one after
 * follows from that adoption's own next time. Drawn here on a copy of the
 * stream, two deep: the next adoption's pick had its entry in perm
 * prefetched at the last call, so it is read now and the pick's records
 * are prefetched; the one after has its entry in perm prefetched. At 10^7
 * about a dozen events separate two adoptions, time for both misses to
 * arrive. A guess only (a tie in time could make it wrong), and a prefetch
 * changes no result. It repeats mkt__on_adopt's draws in their order
 * (uniform_int, then exp_rate): a change to that order must come here too,
 * or the guesses go wrong silently -- pick_cache's look-ahead test counts
 * them and would fail. */
void mkt__adopt_prefetch(struct mkt_world *w)
{
    if (w->r_peek == NULL)
        return;
    size_t s = adopt_next(w, SIZE_MAX, 0);
    if (s == SIZE_MAX)
        return;
    uint32_t first = w->sec_first[s], n = w->sec_n[s], a = w->sec_adopted[s];
    if (a >= n)
        return;
    sim_rng_copy_state(w->r_peek, w->r_adopt);
    uint32_t k = a + sim_rng_uniform_int(w->r_peek, n - a);
    uint32_t i = w->perm[first + k], j = w->perm[first + a];
    w->adopt_guess = i;
    sim_prefetch(&w->pos[i]);
    sim_prefetch(&w->pos[j]);
    mkt__prefetch_firm(w, i * w->stride);
    /* The adoption after it: that one's next time, as mkt__on_adopt draws
     * it, decides which sector comes then. */
    const mkt_sector *sec = &w->p->sectors[s];
    double rate = mkt_bass_rate(sec->bass_p, sec->bass_q, a + 1, n);
    double t = rate > 0 ? w->adopt_at[s] + sim_rng_exp_rate(
                                               w->r_peek,
                                               rate / MKT_DAYS_PER_YEAR)
                        : HUGE_VAL;
    size_t s2 = adopt_next(w, s, t);
    if (s2 == SIZE_MAX)
        return;
    uint32_t a2 = w->sec_adopted[s2] + (s2 == s), n2 = w->sec_n[s2];
    if (a2 >= n2)
        return;
    uint32_t k2 = a2 + sim_rng_uniform_int(w->r_peek, n2 - a2);
    sim_prefetch(&w->perm[w->sec_first[s2] + k2]);
}

int mkt__on_contract(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    (void)eng;
    if (w->stride > 1)
        w->cev[mkt__firm(w, m->target)] = 0;
    else
        w->ent[m->target].ev = 0;
    return mkt__choose(w, m->target, true);
}

int mkt__on_onboarded(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    (void)eng;
    uint32_t i = m->target, prov = (uint32_t)m->arg[1];
    mkt__ent *e = &w->ent[i];
    assert(e->ticket == m->arg[0] && (e->flags & MKT__IN_SERVICE));
    e->ev = 0;
    e->flags &= (uint16_t)~MKT__IN_SERVICE;
    w->prov[prov].busy--;
    int32_t t = e->target;
    int rc;
    if (mkt__available(w, (uint32_t)t, i)) {
        rc = mkt__move(w, i, t, MKT_NIL);
        if (rc == SIM_OK)
            rc = w->stride > 1 ? mkt__resplit(w, mkt__prim(w, i))
                               : mkt__contract_start(w, i,
                                                     mkt__contract_days(w, i));
    } else { /* it went away during onboarding */
        rc = mkt__move(w, i, e->opt, MKT_NIL);
        if (rc == SIM_OK)
            rc = w->stride > 1 ? mkt__choose(w, mkt__prim(w, i), false)
                               : mkt__choose(w, i, true);
    }
    return rc != SIM_OK ? rc : mkt__serve_next(w, prov);
}

int mkt__on_detect(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    uint32_t i = m->target, prim = mkt__prim(w, i);
    mkt__ent *e = &w->ent[i];
    e->detect = 0;
    assert(e->opt != MKT_NIL);
    w->m_detect += w->cls_w[e->cls];
    /* Each watched channel keeps its own ban, so a second detection on
     * the other channel does not lift the first. A ban is the firm's. */
    double until = sim_now(eng) + w->p->gray.ban_months * MKT_DAYS_PER_MONTH;
    w->ent[prim].flags |= MKT__BANNED;
    w->fban[2 * (size_t)mkt__firm(w, prim) +
            (w->opts[e->opt].channel == MKT_CH_GRAY ? MKT__BAN_GRAY
                                                    : MKT__BAN_OFFSHORE)] =
        until;
    /* Caught: it must leave the option now (even with no ban, when it may
     * come back at its next choice). */
    if (w->stride == 1 && e->ev &&
        !(e->flags & (MKT__IN_SERVICE | MKT__FILING))) {
        sim_cancel(w->eng, e->ev);
        e->ev = 0;
    }
    int rc = mkt__move(w, i, MKT_NIL, e->target);
    /* ... and give up an onboarding the ban now rules out. */
    if (rc == SIM_OK && e->target != MKT_NIL &&
        !mkt__available(w, (uint32_t)e->target, i))
        rc = mkt__abandon(w, i);
    if (rc != SIM_OK)
        return rc;
    if (w->stride > 1)
        return mkt__choose(w, prim, false);
    return e->target == MKT_NIL ? mkt__choose(w, i, true) : SIM_OK;
}
