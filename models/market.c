/* market.c -- one replication of the market: build the world, run it month
 * by month, report (mkt_run and its accessors).
 *
 * Set-up order, which fixes what each random stream draws and so makes a
 * replication a pure function of (params, seed, point, rep):
 *   1. the option table and the providers' queues, from the params alone;
 *   2. the population, sector by sector ("population" stream): usage and
 *      attributes, then the initial adopters, who take an option at once
 *      and are part-way through a contract (their choices, like every
 *      choice, draw from a per-enterprise hash, see ent.c);
 *   3. the timeline, then each sector's first adoption ("adoption"), then
 *      the first month end -- so at equal times rules act before adoption
 *      and before the month's books close.
 * Streams are per purpose, so adding, say, a detection to a scenario does
 * not shift the adoption times of the same replication (common random
 * numbers across scenarios, DESIGN.md).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "agent.h"
#include "market_internal.h"
#include "mem.h"

static size_t total_enterprises(const mkt_params *p)
{
    size_t n = 0;
    for (size_t s = 0; s < p->n_sectors; s++)
        n += p->sectors[s].count + p->sectors[s].n_accounts;
    return n;
}

/* Seats per firm: the largest max_options of any sector. */
static uint32_t seats_per_firm(const mkt_params *p)
{
    uint32_t k = 1;
    for (size_t s = 0; s < p->n_sectors; s++)
        if (p->sectors[s].max_options > k)
            k = p->sectors[s].max_options;
    return k;
}

/* Whether any enterprise can ever have a detection clock pending: gray use
 * that can be detected, or a KYC rule with a detection rate (at the start or
 * on the timeline). */
static bool can_detect(const mkt_params *p)
{
    bool enforced = p->gray.enforcement > 0;
    bool kyc = p->rules.kyc_active && p->rules.kyc_detection_rate > 0;
    for (size_t k = 0; k < p->n_events; k++) {
        const mkt_event *ev = &p->events[k];
        if (ev->type == MKT_EV_ENFORCEMENT && ev->level > 0)
            enforced = true;
        if (ev->type == MKT_EV_KYC_RULE && ev->active && ev->detection_rate > 0)
            kyc = true;
    }
    for (size_t k = 0; k < p->n_rule_defs; k++) /* rules as data */
        kyc |= p->rule_defs[k].detection_rate > 0;
    return kyc || (p->gray.enabled && p->gray.detection_rate > 0 && enforced);
}

/* At most the options build_options makes: per vendor a direct or a
 * domestic option and a gray one, per intermediary one per vendor it
 * hosts; one spare. */
static size_t options_max(const mkt_params *p)
{
    return 2 * p->n_vendors + p->n_inter * p->n_vendors + 1;
}

/* The options' rosters (ent.c) for `seats` seats: a roster holds at most
 * 2 entries per current seat and ROSTER_MIN (64) entries, in a block at
 * most 1.5 times that and 2 x 64 entries, 4 bytes each: 12 bytes per seat
 * and 896 per roster; a seat is current in one users roster and one
 * onboarding roster at most. The walk's copy is at most every seat. */
static double rosters_bound(const mkt_params *p, double seats)
{
    return seats * (2 * 3.0 + 1) * sizeof(uint32_t) +
           2.0 * (double)options_max(p) *
               (1.5 * MKT__ROSTER_MIN + 2 * MKT__ROSTER_MIN) * sizeof(uint32_t);
}

double mkt_memory_estimate(const mkt_params *p)
{
    /* An upper bound on one replication's peak, from what the code holds:
     * the enterprise records (whole huge pages), the two index arrays of the
     * adoption order, and the pending events -- per enterprise at most one
     * contract, onboarding or retry and, where the scenario can detect, one
     * detection clock; per sector an adoption; per timeline event the event
     * and a wind-down or rule it may start; the month end -- at the engine's
     * bound per event. The process itself (libraries, HDF5, the scenario, the
     * results) measured 17 MiB at 1,000 enterprises: 24 MiB is counted. */
    /* With multi-homing every seat has its record, its onboarding and its
     * detection clock, and the firm its contract, base usage, class and
     * the compact copy of its seats' options (w->sopt). */
    double n = (double)total_enterprises(p), k = seats_per_firm(p);
    double per_firm = k > 1 ? k * (can_detect(p) ? 2.0 : 1.0) + 1.0
                            : (can_detect(p) ? 2.0 : 1.0);
    double events = n * per_firm + (double)p->n_sectors +
                    2.0 * (double)p->n_events + 64.0;
    /* The three arrays are rounded up to whole 2 MiB pages (sim_mem_alloc). */
    return n * (k * (double)sizeof(mkt__ent) + 2 * sizeof(uint32_t) +
                2 * sizeof(double) /* fban */ +
                (k > 1 ? sizeof(double) + sizeof(sim_handle) +
                             k * sizeof(int32_t) + sizeof(uint32_t)
                       : 0)) +
           rosters_bound(p, n * k) + 3.0 * (double)SIM_MEM_HUGE_MIN +
           events * (double)sim_engine_bytes_per_event() +
           (double)sim_engine_bytes_fixed() + 24.0 * 1024 * 1024;
}

/* ---- building ------------------------------------------------------------
 */

static int add_option(struct mkt_world *w, int ch, size_t v, size_t inter,
                      uint32_t prov)
{
    mkt__opt *op = &w->opts[w->n_opts++];
    memset(op, 0, sizeof *op);
    op->channel = (uint8_t)ch;
    op->vendor = (uint32_t)v;
    op->inter = inter == MKT_NO_INDEX ? UINT32_MAX : (uint32_t)inter;
    op->provider = prov;
    const mkt_vendor *vd = &w->p->vendors[v];
    op->foreign = vd->origin == MKT_ORIGIN_US;
    /* The legal structure: where it is served, its weights, whom the buyer
     * contracts with (docs/model.md). */
    op->closed = vd->closed_frontier;
    op->hosting = vd->hosting;
    op->weights = vd->weights;
    op->entity = MKT_ENTITY_VENDOR;
    if (inter != MKT_NO_INDEX) {
        op->hosting = w->p->inter[inter].hosting;
        op->weights = w->p->inter[inter].weights;
        op->entity = w->p->inter[inter].contracting;
    } else if (ch == MKT_CH_GRAY) {
        op->hosting = w->p->gray.hosting;
        op->entity = MKT_ENTITY_RESELLER;
    }
    return SIM_OK;
}

/* Onboarding capacity is given in real firms; a simulated enterprise
 * stands for firms / count of them on average, so the queue gets
 * servers x count / firms simulated servers (at least one). Results then do
 * not depend on how many enterprises simulate the market. */
static uint32_t simulated_servers(const mkt_params *p, uint32_t servers)
{
    double s = floor((double)servers * p->count / p->firms + 0.5);
    return s < 1 ? 1 : s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static int build_options(struct mkt_world *w)
{
    const mkt_params *p = w->p;
    size_t max = options_max(p);
    w->opts = calloc(max, sizeof *w->opts);
    size_t n_cn = 0;
    for (size_t v = 0; v < p->n_vendors; v++)
        n_cn += p->vendors[v].origin == MKT_ORIGIN_CN;
    w->n_prov = p->n_inter + n_cn;
    w->prov = calloc(w->n_prov ? w->n_prov : 1, sizeof *w->prov);
    if (!w->opts || !w->prov)
        return SIM_ENOMEM;
    for (size_t v = 0; v < p->n_vendors; v++)
        if (p->vendors[v].origin == MKT_ORIGIN_US)
            add_option(w, MKT_CH_DIRECT, v, MKT_NO_INDEX, MKT_NO_PROVIDER);
    for (size_t i = 0; i < p->n_inter; i++) {
        const mkt_intermediary *im = &p->inter[i];
        mkt_onboard_init(&w->prov[i],
                         simulated_servers(p, im->onboarding.servers),
                         im->onboarding.mean_days);
        int ch = im->kind == MKT_KIND_ONSHORE ? MKT_CH_ONSHORE
                                              : MKT_CH_OFFSHORE;
        for (size_t v = 0; v < p->n_vendors; v++)
            if (im->hosts[v])
                add_option(w, ch, v, i, (uint32_t)i);
    }
    if (p->gray.enabled)
        for (size_t v = 0; v < p->n_vendors; v++)
            if (p->vendors[v].origin == MKT_ORIGIN_US)
                add_option(w, MKT_CH_GRAY, v, MKT_NO_INDEX, MKT_NO_PROVIDER);
    size_t k = p->n_inter;
    for (size_t v = 0; v < p->n_vendors; v++) {
        const mkt_vendor *vd = &p->vendors[v];
        if (vd->origin != MKT_ORIGIN_CN)
            continue;
        mkt_onboard_init(&w->prov[k],
                         simulated_servers(p, vd->onboarding.servers),
                         vd->onboarding.mean_days);
        add_option(w, MKT_CH_DOMESTIC, v, MKT_NO_INDEX, (uint32_t)k);
        k++;
    }
    assert(w->n_opts <= max);
    return mkt__rosters_new(w);
}

static int build_rules(struct mkt_world *w)
{
    const mkt_params *p = w->p;
    size_t nv = p->n_vendors, ni = p->n_inter;
    w->cap0 = malloc(nv * sizeof *w->cap0);
    w->price = malloc(nv * sizeof *w->price);
    w->direct = malloc(nv * sizeof *w->direct);
    w->serve_cc = malloc(nv * sizeof *w->serve_cc);
    w->excl_ch = calloc(nv * MKT_N_CHANNELS, sizeof *w->excl_ch);
    w->licence = malloc((ni ? ni : 1) * nv * sizeof *w->licence);
    w->istate = calloc(ni ? ni : 1, 1);
    w->markup = malloc((ni ? ni : 1) * sizeof *w->markup);
    if (!w->cap0 || !w->price || !w->direct || !w->serve_cc || !w->licence ||
        !w->istate || !w->excl_ch || !w->markup)
        return SIM_ENOMEM;
    for (size_t i = 0; i < ni; i++)
        w->markup[i] = p->inter[i].markup;
    for (size_t v = 0; v < nv; v++) {
        const mkt_vendor *vd = &p->vendors[v];
        w->cap0[v] = vd->capability;
        w->price[v] = vd->price;
        w->direct[v] = vd->origin == MKT_ORIGIN_US && vd->direct_access;
        w->serve_cc[v] = vd->serve_china_controlled;
    }
    for (size_t i = 0; i < ni; i++)
        for (size_t v = 0; v < nv; v++)
            w->licence[i * nv + v] = p->inter[i].hosts[v];
    const mkt_rules *r = &p->rules;
    w->cac = r->cac_filing;
    w->soe_penalty = r->soe_foreign_penalty;
    w->kyc = r->kyc_active;
    w->kyc_cost = r->kyc_cost;
    w->kyc_rate = r->kyc_detection_rate;
    w->commerce = r->commerce_active;
    w->commerce_p = r->commerce_approval_prob;
    memcpy(w->commerce_ch, r->commerce_channels, sizeof w->commerce_ch);
    w->commerce_salt = 0;
    w->enforcement = p->gray.enforcement;
    return SIM_OK;
}

static int build_tables(struct mkt_world *w)
{
    const mkt_params *p = w->p;
    size_t nc = w->n_cls = 2 * p->n_sectors, no = w->n_opts ? w->n_opts : 1;
    w->n_sec = p->n_sectors;
    w->cls_w = calloc(nc, sizeof *w->cls_w);
    w->cls_sec = calloc(nc, sizeof *w->cls_sec);
    w->cls_total = calloc(nc, sizeof *w->cls_total);
    w->cls_adopted = calloc(nc, sizeof *w->cls_adopted);
    w->cls_wait = calloc(nc, sizeof *w->cls_wait);
    w->cls_lost = calloc(nc, sizeof *w->cls_lost);
    w->cls_noacc = calloc(nc, sizeof *w->cls_noacc);
    w->oc_n = calloc(no * nc, sizeof *w->oc_n);
    w->oc_usage = calloc(no * nc, sizeof *w->oc_usage);
    w->oc_comp = calloc(no * nc, sizeof *w->oc_comp);
    w->oc_acc = calloc(no * nc, sizeof *w->oc_acc);
    w->growth = calloc(w->n_sec, sizeof *w->growth);
    w->m_rev = calloc(p->n_actors ? p->n_actors : 1, sizeof *w->m_rev);
    w->v = calloc(no, sizeof *w->v);
    w->ok = calloc(no, sizeof *w->ok);
    w->v2 = calloc(no + 1, sizeof *w->v2);
    w->ok2 = calloc(no + 1, sizeof *w->ok2);
    w->vsave = calloc(no, sizeof *w->vsave);
    w->pf_holder = calloc(no, sizeof *w->pf_holder);
    w->pf_sw = calloc(no, sizeof *w->pf_sw);
    w->chg = calloc(no, sizeof *w->chg);
    w->better = calloc(no, sizeof *w->better);
    w->oldlp = calloc(no, sizeof *w->oldlp);
    w->ufac = malloc(no * w->n_sec * sizeof *w->ufac);
    w->cls_out = calloc(nc, sizeof *w->cls_out);
    w->cls_out_base = calloc(nc, sizeof *w->cls_out_base);
    w->pick_buf = calloc(w->stride, sizeof *w->pick_buf);
    w->sec_first = calloc(w->n_sec, sizeof *w->sec_first);
    w->sec_n = calloc(w->n_sec, sizeof *w->sec_n);
    w->sec_adopted = calloc(w->n_sec, sizeof *w->sec_adopted);
    w->adopt_at = calloc(w->n_sec ? w->n_sec : 1, sizeof *w->adopt_at);
    if (!w->cls_w || !w->cls_sec || !w->cls_total || !w->cls_adopted || !w->cls_wait ||
        !w->cls_lost || !w->cls_noacc || !w->oc_n || !w->oc_usage || !w->oc_comp ||
        !w->oc_acc || !w->growth || !w->m_rev || !w->v || !w->ok ||
        !w->sec_first || !w->sec_n || !w->sec_adopted || !w->adopt_at ||
        !w->v2 || !w->ok2 ||
        !w->vsave || !w->pf_holder || !w->pf_sw || !w->chg || !w->better || !w->oldlp || !w->ufac ||
        !w->cls_out || !w->pick_buf || !w->cls_out_base)
        return SIM_ENOMEM;
    for (size_t k = 0; k < no * w->n_sec; k++)
        w->ufac[k] = 1.0;
    for (size_t c = 0; c < nc; c++)
        w->cls_sec[c] = &p->sectors[c % w->n_sec];
    for (size_t s = 0; s < w->n_sec; s++) {
        w->cls_w[s] = p->sectors[s].weight;
        w->cls_w[w->n_sec + s] = 1.0;
        w->growth[s] = 1.0;
    }
    return SIM_OK;
}

/* The legal structure's buyer attributes of firm k (its record e, whose
 * class is set): from the firm's own hash, not the population stream, so
 * adding them changed no draw of the model before them. A large account
 * states its own. */
static void buyer_attributes(const struct mkt_world *w, uint32_t k,
                             mkt__ent *e)
{
    const mkt_params *p = w->p;
    size_t s = e->cls % w->n_sec;
    const mkt_sector *sec = &p->sectors[s];
    bool abroad, listed;
    double own;
    if (e->cls >= w->n_sec) { /* a large account */
        const mkt_account *a = &sec->accounts[k - w->sec_first[s] - sec->count];
        abroad = a->hq_abroad;
        listed = a->listed;
        own = a->subsidiary_ownership;
    } else {
        abroad = mkt__uniform(w, MKT__PURPOSE_ATTR, k, 0) < sec->hq_abroad_share;
        listed = mkt__uniform(w, MKT__PURPOSE_ATTR, k, 1) < sec->listed_share;
        own = mkt__uniform(w, MKT__PURPOSE_ATTR, k, 2) < sec->own_wholly
                  ? 1.0
                  : sec->own_min + (sec->own_max - sec->own_min) *
                                       mkt__uniform(w, MKT__PURPOSE_ATTR, k, 3);
    }
    e->flags |= (uint16_t)((abroad ? MKT__HQ_ABROAD : 0) |
                           (listed ? MKT__LISTED : 0) |
                           (sec->buyer_kind == MKT_BUYER_INDIVIDUAL ? MKT__INDIVIDUAL
                                                               : 0));
    e->own = (e->flags & MKT__OFFSHORE) && !abroad
                 ? (uint8_t)floor(own * 100.0 + 0.5)
                 : 0;
}

#define ADOPT_AHEAD 8

/* Draws the population and seats the initial adopters. Firm k's seats are
 * w->ent[k * stride ...]; its primary seat holds what is the firm's. */
static int populate(struct mkt_world *w)
{
    const mkt_params *p = w->p;
    size_t n = total_enterprises(p), K = w->stride;
    if (n * K > INT32_MAX)
        return sim_err_set(w->err, SIM_EINVAL,
                           "%zu enterprises x %zu options: at most %d are "
                           "supported",
                           n, K, INT32_MAX);
    /* mkt__ent.cls is 16 bits; the loader refuses more sectors. */
    _Static_assert(2 * MKT_MAX_SECTORS <= UINT16_MAX + 1, "cls fits 16 bits");
    assert(w->n_cls <= 2 * MKT_MAX_SECTORS);
    w->n_ent = (uint32_t)(n * K);
    /* Huge pages, prefaulted while zeroed (mem.h). */
    w->ent = sim_mem_calloc(n ? n * K : 1, sizeof *w->ent);
    w->perm = sim_mem_alloc((n ? n : 1) * sizeof *w->perm);
    w->pos = sim_mem_alloc((n ? n : 1) * sizeof *w->pos);
    /* Plain calloc: its pages are touched only where a firm is caught. */
    w->fban = calloc(n ? 2 * (size_t)n : 2, sizeof *w->fban);
    if (!w->ent || !w->perm || !w->pos || !w->fban)
        return SIM_ENOMEM;
    if (K > 1) {
        w->fbase = calloc(n ? n : 1, sizeof *w->fbase);
        w->cev = calloc(n ? n : 1, sizeof *w->cev);
        w->sopt = malloc((n ? n * K : 1) * sizeof *w->sopt);
        w->fcls = malloc((n ? n : 1) * sizeof *w->fcls);
        w->fs_tag = malloc((w->n_opts + 1) * sizeof *w->fs_tag);
        w->fs_idx = malloc((w->n_opts + 1) * sizeof *w->fs_idx);
        w->fs_hist = malloc(w->n_cls * MKT__FS_TAGS * sizeof *w->fs_hist);
        if (!w->fbase || !w->cev || !w->sopt || !w->fcls || !w->fs_tag ||
            !w->fs_idx || !w->fs_hist)
            return SIM_ENOMEM;
    }
    sim_rng *pop = sim_engine_rng(w->eng, "population", w->err);
    if (!pop)
        return w->err->status;
    uint32_t i = 0;
    for (size_t s = 0; s < p->n_sectors; s++) {
        const mkt_sector *sec = &p->sectors[s];
        w->sec_first[s] = i;
        w->sec_n[s] = sec->count + (uint32_t)sec->n_accounts;
        for (uint32_t k = 0; k < sec->count; k++, i++) {
            mkt__ent *e = &w->ent[i * K];
            e->base = sec->usage_median *
                      exp(sec->usage_sigma *
                          gsl_ran_gaussian_ziggurat(sim_rng_gsl(pop), 1.0));
            e->flags = (uint16_t)(
                (sim_rng_uniform(pop) < sec->offshore_share ? MKT__OFFSHORE
                                                            : 0) |
                (sim_rng_uniform(pop) < sec->public_facing_share ? MKT__PUBLIC
                                                                 : 0) |
                (sim_rng_uniform(pop) < sec->state_owned_share ? MKT__SOE
                                                               : 0));
            e->cls = (uint16_t)s;
        }
        for (size_t k = 0; k < sec->n_accounts; k++, i++) {
            const mkt_account *a = &sec->accounts[k];
            mkt__ent *e = &w->ent[i * K];
            e->base = a->usage;
            e->flags = (uint16_t)((a->offshore ? MKT__OFFSHORE : 0) |
                                 (a->public_facing ? MKT__PUBLIC : 0) |
                                 (a->state_owned ? MKT__SOE : 0));
            e->cls = (uint16_t)(w->n_sec + s);
        }
    }
    assert(i == n);
    for (uint32_t k = 0; k < n; k++) {
        mkt__ent *e = &w->ent[k * K];
        buyer_attributes(w, k, e);
        w->cls_total[e->cls]++;
        if (K > 1) { /* the seats share the firm's attributes */
            w->fbase[k] = e->base;
            w->fcls[k] = e->cls;
            e->base = 0;
            for (uint32_t q = 1; q < K; q++) {
                w->ent[k * K + q].cls = e->cls;
                w->ent[k * K + q].flags = e->flags;
                w->ent[k * K + q].own = e->own;
            }
        }
    }
    for (uint32_t k = 0; k < n * K; k++) {
        mkt__ent *e = &w->ent[k];
        e->opt = e->target = MKT_NIL;
        if (w->sopt)
            w->sopt[k] = MKT_NIL;
    }
    /* Each sector's segment of perm: the large accounts first (adopted from
     * the start), then the ordinary members, a uniform sample of whom
     * start adopted (a partial Fisher-Yates shuffle). perm holds firms. */
    for (size_t s = 0; s < p->n_sectors; s++) {
        const mkt_sector *sec = &p->sectors[s];
        uint32_t first = w->sec_first[s], na = (uint32_t)sec->n_accounts;
        for (uint32_t k = 0; k < na; k++)
            w->perm[first + k] = first + sec->count + k;
        for (uint32_t k = 0; k < sec->count; k++)
            w->perm[first + na + k] = first + k;
        uint32_t init = (uint32_t)floor(sec->initial_adopters * sec->count +
                                        0.5);
        for (uint32_t k = 0; k < init; k++) {
            uint32_t r = k + sim_rng_uniform_int(pop, sec->count - k);
            uint32_t x = w->perm[first + na + k];
            w->perm[first + na + k] = w->perm[first + na + r];
            w->perm[first + na + r] = x;
        }
        for (uint32_t k = 0; k < w->sec_n[s]; k++)
            w->pos[w->perm[first + k]] = first + k;
        w->sec_adopted[s] = na + init;
    }
    /* The initial adopters come in the shuffled order, each a miss on its
     * records: they are fetched ADOPT_AHEAD adopters early (at 10^7
     * enterprises the wait for them was 0.8 s of a 6.5 s set-up). */
    for (size_t s = 0; s < p->n_sectors; s++) {
        const uint32_t *order = &w->perm[w->sec_first[s]];
        uint32_t na = w->sec_adopted[s];
        for (uint32_t k = 0; k < na; k++) {
            if (k + ADOPT_AHEAD < na)
                mkt__prefetch_firm(w, order[k + ADOPT_AHEAD] * (uint32_t)K);
            int rc = mkt__adopt_initial(w, order[k] * (uint32_t)K);
            if (rc != SIM_OK)
                return rc;
        }
    }
    return SIM_OK;
}

/* With a burn-in the market runs from day 0 under its starting state and
 * reporting starts at t0: the burn-in's end comes first, then the timeline
 * (shifted by t0), then each sector's first adoption after t0. */
static int schedule_start(struct mkt_world *w)
{
    const mkt_params *p = w->p;
    int rc = SIM_OK;
    if (w->t0 > 0) {
        sim_msg m = {.kind = MKT__EV_BURN_IN};
        rc = sim_schedule_at(w->eng, w->t0, &m, NULL);
    }
    for (size_t k = 0; rc == SIM_OK && k < p->n_events; k++) {
        sim_msg m = {.kind = MKT__EV_TIMELINE, .target = (uint32_t)k};
        rc = sim_schedule_at(w->eng,
                             w->t0 + p->events[k].month * MKT_DAYS_PER_MONTH,
                             &m, NULL);
    }
    for (size_t s = 0; s < p->n_sectors; s++)
        w->adopt_at[s] = HUGE_VAL;
    for (size_t s = 0; rc == SIM_OK && s < p->n_sectors; s++) {
        const mkt_sector *sec = &p->sectors[s];
        double rate = 0;
        if (w->sec_adopted[s] < w->sec_n[s])
            rate = sec->bass_p + sec->bass_q * w->sec_adopted[s] / w->sec_n[s];
        rate *= (double)(w->sec_n[s] - w->sec_adopted[s]);
        if (rate <= 0)
            continue;
        sim_msg m = {.kind = MKT__EV_ADOPT, .target = (uint32_t)s};
        double delay =
            w->t0 + sim_rng_exp_rate(w->r_adopt, rate / MKT_DAYS_PER_YEAR);
        rc = sim_schedule(w->eng, delay, &m, NULL);
        w->adopt_at[s] = sim_now(w->eng) + delay;
    }
    if (rc == SIM_OK)
        mkt__adopt_prefetch(w);
    if (rc == SIM_OK) {
        sim_msg m = {.kind = MKT__EV_MONTH, .target = 1};
        rc = sim_schedule_at(w->eng, w->t0 + MKT_DAYS_PER_MONTH, &m, NULL);
    }
    return rc;
}

/* The burn-in ends: what accrued before month 0 is billed and dropped, so
 * month 1 starts with empty books. */
int mkt__on_burn_in(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    (void)eng;
    (void)m;
    for (uint32_t o = 0; o < w->n_opts; o++)
        mkt__bill(w, o);
    mkt__noacc_flush(w);
    for (size_t c = 0; c < w->n_cls; c++)
        w->cls_noacc[c] = 0;
    for (size_t a = 0; a < w->p->n_actors; a++)
        w->m_rev[a] = w->m_comp[a] = 0;
    w->m_pay = w->m_switch = w->m_detect = 0;
    /* The burn-in's tokens went into month 1's row (w->month is 0). */
    mkt_results *r = w->res;
    memset(r->tokens, 0, r->n_options * w->n_cls * sizeof *r->tokens);
    return SIM_OK;
}

/* ---- lifecycle -----------------------------------------------------------
 */

static void world_free(struct mkt_world *w)
{
    if (!w)
        return;
    mkt__agents_free(w);
    mkt__pc_free(w);
    sim_engine_free(w->eng);
    for (size_t k = 0; k < w->n_prov; k++)
        mkt_onboard_fini(&w->prov[k]);
    free(w->prov);
    mkt__rosters_free(w);
    free(w->opts);
    free(w->cap0);
    free(w->price);
    free(w->direct);
    free(w->serve_cc);
    free(w->excl_ch);
    mkt__legal_free(w);
    free(w->licence);
    free(w->istate);
    free(w->markup);
    free(w->ent);
    free(w->perm);
    free(w->pos);
    free(w->sec_first);
    free(w->sec_n);
    free(w->sec_adopted);
    free(w->adopt_at);
    sim_rng_free(w->r_peek);
    free(w->cls_w);
    free(w->cls_sec);
    free(w->cls_total);
    free(w->cls_adopted);
    free(w->cls_wait);
    free(w->cls_lost);
    free(w->cls_noacc);
    free(w->oc_n);
    free(w->oc_usage);
    free(w->oc_comp);
    free(w->oc_acc);
    free(w->growth);
    free(w->m_rev);
    free(w->v);
    free(w->ok);
    free(w->v2);
    free(w->ok2);
    free(w->vsave);
    free(w->pf_holder);
    free(w->pf_sw);
    free(w->chg);
    free(w->better);
    free(w->oldlp);
    free(w->ufac);
    free(w->cls_out);
    free(w->cls_out_base);
    free(w->pick_buf);
    free(w->fbase);
    free(w->sopt);
    free(w->fcls);
    free(w->fban);
    free(w->fs_tag);
    free(w->fs_idx);
    free(w->fs_hist);
    free(w->cev);
    free(w->walk);
    free(w);
}

/* Events about one enterprise (the first five) change no world state that
 * a choice reads; every other kind may, so it runs through on_world, which
 * keeps the choice cache (pick_cache.c) out of it and voids it after. */
static const struct {
    uint32_t kind;
    sim_handler *fn;
    bool world;
} handlers[] = {
    {MKT__EV_ADOPT, mkt__on_adopt, false},
    {MKT__EV_CONTRACT, mkt__on_contract, false},
    {MKT__EV_ONBOARDED, mkt__on_onboarded, false},
    {MKT__EV_DETECT, mkt__on_detect, false},
    {MKT__EV_FILED, mkt__on_filed, false},
    {MKT__EV_MONTH, mkt__on_month, true},
    {MKT__EV_TIMELINE, mkt__on_timeline, true},
    {MKT__EV_WIND_DOWN, mkt__on_wind_down, true},
    {MKT__EV_COMMERCE, mkt__on_commerce, true},
    {MKT__EV_BURN_IN, mkt__on_burn_in, true},
    {MKT__EV_RULE_IN_FORCE, mkt__on_rule_in_force, true},
    {MKT__EV_DECIDE, mkt__on_decide, true},        /* agent.h */
    {MKT__EV_AGENT_DUE, mkt__on_agent_due, true},  /* agent.h */
};

static int on_world(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    sim_handler *fn = NULL;
    for (size_t k = 0; k < sizeof handlers / sizeof handlers[0]; k++)
        if (handlers[k].kind == m->kind)
            fn = handlers[k].fn;
    w->pc_world = true;
    int rc = fn(eng, ctx, m);
    w->pc_world = false;
    w->pc_valid = false;
    return rc;
}

static int world_new(const mkt_params *p, uint64_t seed, uint32_t rep,
                     const mkt_run_opts *opts, mkt_results *r, sim_err *err,
                     struct mkt_world **out)
{
    struct mkt_world *w = calloc(1, sizeof *w);
    if (!w)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    w->p = p;
    w->seed = seed;
    w->rep = rep;
    w->point = opts ? opts->point : 0;
    mkt__uniform_init(w);
    w->on_month = opts ? opts->on_month : NULL;
    w->on_month_ctx = opts ? opts->ctx : NULL;
    w->cancel = opts ? opts->cancel : NULL;
    w->res = r;
    w->err = err;
    w->stride = seats_per_firm(p);
    w->t0 = p->burn_in_months * MKT_DAYS_PER_MONTH;
    sim_engine_opts eo = {.seed = seed,
                          .point = w->point,
                          .rep = rep,
                          .capacity = (2 * w->stride +
                                       (w->stride > 1 ? 1 : 0)) *
                                          total_enterprises(p) +
                                      64,
                          /* a contract or an adoption for each seat */
                          .prefault = w->stride * total_enterprises(p),
                          .mode = opts ? opts->engine_mode : 0,
                          .queue = opts && opts->queue ? opts->queue
                                   : w->stride * total_enterprises(p) >=
                                           MKT__WHEEL_MIN
                                       ? "wheel"
                                       : NULL};
    int rc = sim_engine_new_opts(&eo, &w->eng, err);
    if (rc == SIM_OK) {
        for (size_t k = 0; k < sizeof handlers / sizeof handlers[0]; k++)
            sim_on(w->eng, handlers[k].kind,
                   handlers[k].world ? on_world : handlers[k].fn, w);
        w->r_adopt = sim_engine_rng(w->eng, "adoption", err);
        /* Only a prefetch needs it: without it there is none. */
        int8_t ap = opts ? opts->adopt_prefetch : 0;
        if (w->r_adopt && (ap > 0 || (ap == 0 && w->stride *
                                                        total_enterprises(p) >=
                                                    MKT__ADOPT_PREFETCH_MIN)))
            w->r_peek = sim_rng_new_like(w->r_adopt);
        w->adopt_guess = UINT32_MAX;
        w->adopt_guesses = opts ? opts->adopt_guesses : NULL;
        w->r_onboard = sim_engine_rng(w->eng, "onboarding", err);
        w->r_detect = sim_engine_rng(w->eng, "detection", err);
        w->r_review = sim_engine_rng(w->eng, "review", err);
        if (!w->r_adopt || !w->r_onboard || !w->r_detect ||
            !w->r_review)
            rc = err->status;
    }
    if (rc == SIM_OK)
        rc = build_options(w);
    if (rc == SIM_OK)
        rc = build_rules(w);
    if (rc == SIM_OK)
        rc = build_tables(w);
    if (rc == SIM_OK)
        rc = mkt__legal_build(w);
    if (rc == SIM_OK)
        rc = mkt__pc_new(w, opts && opts->no_pick_cache,
                         opts ? opts->memo_epochs : 0);
    if (rc == SIM_OK)
        rc = mkt__agents_new(w); /* agent.h */
    if (rc == SIM_OK) {
        mkt__refresh_prices(w);
        rc = populate(w);
    }
    /* Events about one enterprise: the engine fetches its record early. */
    for (uint32_t k = MKT__EV_CONTRACT; rc == SIM_OK && k <= MKT__EV_DETECT; k++)
        sim_prefetch_targets(w->eng, k, w->ent, sizeof *w->ent, w->n_ent);
    /* A firm's contract (target: its primary seat) reads all its seats. */
    if (rc == SIM_OK && w->stride > 1 &&
        w->stride * sizeof *w->ent <= SIM_PREFETCH_SPAN_MAX)
        sim_prefetch_span(w->eng, MKT__EV_CONTRACT, w->stride * sizeof *w->ent);
    /* ... and every event about a seat of a multi-homing firm its firm's
     * entries outside the records: the base usage (the split, the outside's
     * usage), the contract handle and the seat's compact option. */
    for (uint32_t k = MKT__EV_CONTRACT;
         rc == SIM_OK && w->stride > 1 && k <= MKT__EV_DETECT; k++) {
        sim_prefetch_also(w->eng, k, w->fbase, sizeof *w->fbase, w->stride);
        sim_prefetch_also(w->eng, k, w->cev, sizeof *w->cev, w->stride);
        sim_prefetch_also(w->eng, k, w->sopt, sizeof *w->sopt, 1);
    }
    if (rc == SIM_ENOMEM && err->status == SIM_OK)
        sim_err_set(err, SIM_ENOMEM, "out of memory building replication %u",
                    rep);
    if (rc != SIM_OK) {
        world_free(w);
        return rc;
    }
    *out = w;
    return SIM_OK;
}

int mkt_run(const mkt_params *p, uint64_t seed, uint32_t rep,
            const mkt_run_opts *opts, mkt_results *r, sim_err *err)
{
    assert(r->months == p->horizon_months && r->n_actors == p->n_actors);
    struct mkt_world *w = NULL;
    int rc = world_new(p, seed, rep, opts, r, err, &w);
    if (rc != SIM_OK)
        return rc;
    rc = schedule_start(w);
    w->pc_valid = false; /* whatever the set-up changed is read anew */
    if (rc == SIM_OK)
        rc = sim_run_all(w->eng);
    if (rc == SIM_STOP)
        rc = SIM_OK;
    else if (rc == SIM_OK) /* the months always reschedule; cannot happen */
        rc = sim_err_set(err, SIM_EINVAL, "the run ended before month %u",
                         p->horizon_months);
    else if (err->status == SIM_OK)
        sim_err_set(err, rc, "replication %u failed: %s", rep,
                    sim_strerror(rc));
    r->events = sim_events_handled(w->eng);
    world_free(w);
    return rc;
}

/* ---- observers -----------------------------------------------------------
 */

size_t mkt_world_unavailable_users(const mkt_world *w)
{
    size_t bad = 0;
    for (uint32_t i = 0; i < w->n_ent; i++)
        if (w->ent[i].opt != MKT_NIL &&
            !mkt__available(w, (uint32_t)w->ent[i].opt, i))
            bad++;
    return bad;
}

size_t mkt_world_users(const mkt_world *w, int ch, size_t inter, size_t vendor)
{
    size_t n = 0;
    for (uint32_t o = 0; o < w->n_opts; o++) {
        const mkt__opt *op = &w->opts[o];
        if (op->channel != ch)
            continue;
        if (inter != MKT_NO_INDEX && op->inter != inter)
            continue;
        if (vendor != MKT_NO_INDEX && op->vendor != vendor)
            continue;
        n += op->n_users;
    }
    return n;
}
