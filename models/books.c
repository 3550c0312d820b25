/* books.c -- the month's books: at each month end, bill every option, close
 * the month's flows and take the month-end stocks into the replication's
 * results (mkt__on_month), then schedule the next month end or stop the run
 * at the horizon.
 *
 * Everything here reads the world and writes mkt_results; nothing here
 * changes what an enterprise does, so the outputs can grow without touching
 * the mechanisms (market.c builds the world, ent.c, rules.c and billing.c
 * move it). The outputs of issue 12 are taken here too:
 *  - the frontier access index, sum over adopters with access of
 *    exp(-gap / frontier_tau) over adopters, gap = the best vendor's
 *    capability minus that of the model used: a continuous companion of the
 *    thresholded share, so a model crossing frontier_tolerance does not
 *    make the headline jump;
 *  - the "final" values, means over the last final_window_months month
 *    ends (running sums in the world, divided at the horizon);
 *  - channel counts by class (segment x sector), tokens by option and class
 *    (mkt__bill adds into the current month's row, mkt__tokens_row) and
 *    their totals by vendor, channel and class;
 *  - what each large account holds at each month end.
 * Each costs O(options x classes) or O(large accounts) a month, never a
 * scan of the population, except in a multi-homing market (stride > 1):
 * there a firm counts once per channel it uses and once in the frontier
 * share, which needs one scan of the seats a month (books_firms).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "market_internal.h"

size_t mkt_option_table(const mkt_params *p, mkt_option *out, size_t n)
{
    size_t k = 0;
#define ROW(ch, v, i)                                                          \
    do {                                                                       \
        if (k < n)                                                             \
            out[k] = (mkt_option){.channel = (ch), .vendor = (v),              \
                                  .inter = (i)};                               \
        k++;                                                                   \
    } while (0)
    for (size_t v = 0; v < p->n_vendors; v++)
        if (p->vendors[v].origin == MKT_ORIGIN_US)
            ROW(MKT_CH_DIRECT, v, MKT_NO_INDEX);
    for (size_t i = 0; i < p->n_inter; i++) {
        int ch = p->inter[i].kind == MKT_KIND_ONSHORE ? MKT_CH_ONSHORE
                                                      : MKT_CH_OFFSHORE;
        for (size_t v = 0; v < p->n_vendors; v++)
            if (p->inter[i].hosts[v])
                ROW(ch, v, i);
    }
    if (p->gray.enabled)
        for (size_t v = 0; v < p->n_vendors; v++)
            if (p->vendors[v].origin == MKT_ORIGIN_US)
                ROW(MKT_CH_GRAY, v, MKT_NO_INDEX);
    for (size_t v = 0; v < p->n_vendors; v++)
        if (p->vendors[v].origin == MKT_ORIGIN_CN)
            ROW(MKT_CH_DOMESTIC, v, MKT_NO_INDEX);
#undef ROW
    return k;
}

#ifndef NDEBUG
/* The world's option table (market.c builds it) is the one the output
 * names (mkt_option_table): checked once, at the first month end. */
static bool same_option_table(const struct mkt_world *w)
{
    size_t n = mkt_option_table(w->p, NULL, 0);
    if (n != w->n_opts)
        return false;
    mkt_option *t = malloc((n ? n : 1) * sizeof *t);
    if (t == NULL)
        return true; /* cannot check; not a reason to fail */
    mkt_option_table(w->p, t, n);
    bool same = true;
    for (size_t o = 0; same && o < n; o++) {
        const mkt__opt *op = &w->opts[o];
        size_t inter = op->inter == UINT32_MAX ? MKT_NO_INDEX : op->inter;
        same = t[o].channel == op->channel && t[o].vendor == op->vendor &&
               t[o].inter == inter;
    }
    free(t);
    return same;
}
#endif

double *mkt__tokens_row(struct mkt_world *w, uint32_t o)
{
    mkt_results *r = w->res;
    assert(w->month < r->months && o < r->n_options &&
           w->n_cls == MKT_N_SEGMENTS * r->n_sectors);
    return &r->tokens[((size_t)w->month * r->n_options + o) * w->n_cls];
}

/* Firms by channel per class, and the month's tokens added up by vendor,
 * channel and class. Class c = segment * n_sectors + sector, as the
 * world numbers its weight classes. */
static void books_by_class(const struct mkt_world *w, size_t row)
{
    mkt_results *r = w->res;
    size_t nc = w->n_cls, no = w->n_opts;
    double *cc = &r->channel_count_by_sector[row * nc * MKT_N_CHANNELS];
    for (size_t c = 0; c < nc; c++) {
        double wt = w->cls_w[c], *x = &cc[c * MKT_N_CHANNELS];
        x[MKT_CH_WAITING] = w->cls_wait[c] * wt;
        x[MKT_CH_NONE] = (w->cls_total[c] - w->cls_adopted[c] +
                          w->cls_lost[c] + w->cls_out[c]) *
                         wt;
        for (uint32_t o = 0; o < no; o++)
            x[w->opts[o].channel] += w->oc_n[(size_t)o * nc + c] * wt;
    }
    const double *tok = &r->tokens[row * no * nc];
    double *tv = &r->tokens_by_vendor[row * r->n_vendors];
    double *tc = &r->tokens_by_channel[row * MKT_N_CHANNELS];
    double *ts = &r->tokens_by_sector[row * nc];
    for (uint32_t o = 0; o < no; o++)
        for (size_t c = 0; c < nc; c++) {
            double x = tok[(size_t)o * nc + c];
            tv[w->opts[o].vendor] += x;
            tc[w->opts[o].channel] += x;
            ts[c] += x;
        }
}

/* What each large account holds: accounts sit after their sector's ordinary
 * members in the population (populate() in market.c). */
static void books_accounts(const struct mkt_world *w, size_t row)
{
    const mkt_params *p = w->p;
    mkt_results *r = w->res;
    int64_t *x = &r->account_option[row * r->n_accounts];
    size_t k = 0;
    for (size_t s = 0; s < p->n_sectors; s++)
        for (size_t a = 0; a < p->sectors[s].n_accounts; a++) {
            /* A multi-homing account shows its first seat's option. */
            const mkt__ent *e = &w->ent[(w->sec_first[s] +
                                         p->sectors[s].count + a) *
                                        w->stride];
            assert(e->cls == w->n_sec + s);
            x[k++] = e->opt != MKT_NIL      ? (int64_t)e->opt
                     : e->target != MKT_NIL ? MKT_ACCOUNT_WAITING
                                            : MKT_ACCOUNT_NONE;
        }
    assert(k == r->n_accounts);
}

#if defined(__GNUC__)
#define SCAN_INLINE inline __attribute__((always_inline))
#else
#define SCAN_INLINE inline
#endif

/* firm_scan's pass over the firms, from the compact copies (w->sopt,
 * w->fcls), in firm order, without a branch on the firm: its tag counts in
 * a histogram (the counts become the channel and frontier sums after the
 * scan: adding 1.0 a firm gave the same whole numbers, exact in a double),
 * and its best index term adds to its class's sum in firm order, as before.
 * The sum runs in a register while the class stays the same (firms come
 * sector by sector), which is the same additions in the same order without
 * a store and a load between two of them. A firm holding nothing has tag 0
 * (counted nowhere) and adds +0.0, which leaves a sum of non-negative terms
 * exactly as it was. Every oidx is >= 0 and not NaN, so the empty seats' 0
 * changes no maximum and the comparison is fmax. A seat holding nothing
 * (MKT_NIL, as unsigned above every option) reads entry n_opts, all zero. */
static SCAN_INLINE void scan_seats(const struct mkt_world *w, uint32_t K,
                                   const uint32_t *tag, const double *oidx,
                                   uint32_t *hist, double *index)
{
    const int32_t *sopt = w->sopt;
    uint32_t n = w->n_opts, nf = w->n_ent / K;
    if (nf == 0)
        return;
    uint32_t cls = w->fcls[0];
    double sum = index[cls];
    for (uint32_t f = 0; f < nf; f++) {
        const int32_t *fo = &sopt[(size_t)f * K];
        uint32_t t = 0;
        double idx = 0;
        for (uint32_t k = 0; k < K; k++) {
            uint32_t o = (uint32_t)fo[k];
            o = o < n ? o : n;
            t |= tag[o];
            idx = oidx[o] > idx ? oidx[o] : idx; /* fmax, without the call */
        }
        uint32_t c = w->fcls[f];
        if (c != cls) {
            index[cls] = sum;
            cls = c;
            sum = index[cls];
        }
        hist[(size_t)cls * MKT__FS_TAGS + t]++;
        sum += idx;
    }
    index[cls] = sum;
}

/* With several options per firm (stride > 1), a firm counts once in each
 * channel it uses, once in the frontier share if any of its models is
 * frontier, and in the index with its best model: a scan of the seats,
 * O(firms x stride) a month, where one option per firm needs only the
 * per-(option, class) counts. Fills, per class, firms by channel
 * (ch[cls * MKT_N_CHANNELS + channel]), frontier firms and index sums,
 * unweighted. */
static void firm_scan(const struct mkt_world *w, double *ch, double *front,
                      double *index)
{
    const mkt_params *p = w->p;
    size_t nc = w->n_cls;
    double best = -HUGE_VAL;
    for (uint32_t v = 0; v < p->n_vendors; v++)
        best = fmax(best, mkt__capability(w, v));
    /* Per option once, not per seat: its channel's bit with the gap's
     * verdict (MKT__FS_FRONTIER), and the exp (the same values); one entry
     * more, all zero, for a seat holding nothing (MKT_NIL, read as n_opts),
     * so a seat needs no test. */
    uint32_t n = w->n_opts, *tag = w->fs_tag, *hist = w->fs_hist;
    double *oidx = w->fs_idx;
    for (uint32_t o = 0; o < n; o++) {
        double gap = best - mkt__capability(w, w->opts[o].vendor);
        tag[o] = 1u << w->opts[o].channel |
                 (gap <= p->frontier_tolerance ? MKT__FS_FRONTIER : 0u);
        oidx[o] = exp(-gap / p->frontier_tau);
    }
    tag[n] = 0;
    oidx[n] = 0.0;
    for (size_t c = 0; c < nc; c++)
        index[c] = 0;
    memset(hist, 0, nc * MKT__FS_TAGS * sizeof *hist);
    switch (w->stride) { /* K a constant in each copy of the loop */
    case 2:
        scan_seats(w, 2, tag, oidx, hist, index);
        break;
    case 3:
        scan_seats(w, 3, tag, oidx, hist, index);
        break;
    default:
        scan_seats(w, w->stride, tag, oidx, hist, index);
        break;
    }
    for (size_t c = 0; c < nc; c++) {
        double *cc = &ch[c * MKT_N_CHANNELS], fr = 0;
        for (int k = 0; k < MKT_N_CHANNELS; k++)
            cc[k] = 0;
        for (uint32_t t = 1; t < MKT__FS_TAGS; t++) {
            double m = hist[c * MKT__FS_TAGS + t];
            if (m == 0)
                continue;
            if (t & MKT__FS_FRONTIER)
                fr += m;
            for (int k = 0; k < MKT_N_CHANNELS; k++)
                if (t >> k & 1u)
                    cc[k] += m;
        }
        front[c] = fr;
    }
}

double mkt__frontier_share_firms(const struct mkt_world *w)
{
    size_t nc = w->n_cls;
    double *ch = malloc(nc * (MKT_N_CHANNELS + 2) * sizeof *ch);
    if (!ch)
        return (double)NAN;
    double *front = ch + nc * MKT_N_CHANNELS, *index = front + nc;
    firm_scan(w, ch, front, index);
    double adopted = 0, fr = 0;
    for (size_t c = 0; c < nc; c++) {
        adopted += w->cls_adopted[c] * w->cls_w[c];
        fr += front[c] * w->cls_w[c];
    }
    free(ch);
    return adopted > 0 ? fr / adopted : (double)NAN;
}

/* Sum over adopters with access of exp(-gap / tau), over adopters. */
static double frontier_index(const struct mkt_world *w, double best,
                             double adopted)
{
    size_t nc = w->n_cls;
    double sum = 0;
    for (uint32_t o = 0; o < w->n_opts; o++) {
        double users = 0;
        for (size_t c = 0; c < nc; c++)
            users += w->oc_n[(size_t)o * nc + c] * w->cls_w[c];
        if (users == 0)
            continue;
        double gap = best - mkt__capability(w, w->opts[o].vendor);
        sum += users * exp(-gap / w->p->frontier_tau);
    }
    return adopted > 0 ? sum / adopted : (double)NAN;
}

/* A multi-homing market's firm counts replace the per-option ones: firms by
 * channel (any use; a firm using two channels counts in both), by class,
 * and the frontier share and index of firms. Tokens by channel are the
 * usage shares. */
static int books_firms(struct mkt_world *w, size_t row, double adopted)
{
    mkt_results *r = w->res;
    size_t nc = w->n_cls;
    double *ch = malloc(nc * (MKT_N_CHANNELS + 2) * sizeof *ch);
    if (!ch)
        return sim_err_set(w->err, SIM_ENOMEM, "out of memory at a month end");
    double *front = ch + nc * MKT_N_CHANNELS, *index = front + nc;
    firm_scan(w, ch, front, index);
    double *cc = &r->channel_count[row * MKT_N_CHANNELS];
    double *bc = &r->channel_count_by_sector[row * nc * MKT_N_CHANNELS];
    double fr = 0, idx = 0;
    for (int k = 0; k < MKT_N_CHANNELS; k++)
        if (k != MKT_CH_NONE && k != MKT_CH_WAITING)
            cc[k] = 0;
    for (size_t c = 0; c < nc; c++) {
        double wt = w->cls_w[c];
        for (int k = 0; k < MKT_N_CHANNELS; k++) {
            if (k == MKT_CH_NONE || k == MKT_CH_WAITING)
                continue;
            double x = ch[c * MKT_N_CHANNELS + (size_t)k] * wt;
            bc[c * MKT_N_CHANNELS + (size_t)k] = x;
            cc[k] += x;
        }
        fr += front[c] * wt;
        idx += index[c] * wt;
    }
    r->frontier_access_share[row] = adopted > 0 ? fr / adopted : (double)NAN;
    r->frontier_access_index[row] = adopted > 0 ? idx / adopted : (double)NAN;
    free(ch);
    return SIM_OK;
}

/* Adds month `row`'s values to the final window's sums if the month is in
 * it, and at the horizon turns the sums into means. */
static void books_window(struct mkt_world *w, uint32_t month, double adopted,
                         double lost)
{
    const mkt_params *p = w->p;
    mkt_results *r = w->res;
    size_t row = month - 1;
    if (month + p->final_window_months > p->horizon_months) {
        double share = r->frontier_access_share[row];
        double index = r->frontier_access_index[row];
        if (!isnan(share)) {
            w->bk_share_sum += share;
            w->bk_share_n++;
        }
        if (!isnan(index)) {
            w->bk_index_sum += index;
            w->bk_index_n++;
        }
        if (adopted > 0) {
            const double *cc = &r->channel_count[row * MKT_N_CHANNELS];
            for (int c = 0; c < MKT_N_CHANNELS; c++)
                w->bk_ch_sum[c] += (c == MKT_CH_NONE ? lost : cc[c]) /
                                   adopted;
            w->bk_ch_n++;
        }
    }
    if (month != p->horizon_months)
        return;
    r->final_frontier_access_share =
        w->bk_share_n ? w->bk_share_sum / w->bk_share_n : (double)NAN;
    r->final_frontier_access_index =
        w->bk_index_n ? w->bk_index_sum / w->bk_index_n : (double)NAN;
    for (int c = 0; c < MKT_N_CHANNELS; c++)
        r->final_channel_share[c] =
            w->bk_ch_n ? w->bk_ch_sum[c] / w->bk_ch_n : (double)NAN;
}

int mkt__on_month(sim_engine *eng, void *ctx, const sim_msg *m)
{
    struct mkt_world *w = ctx;
    const mkt_params *p = w->p;
    mkt_results *r = w->res;
    uint32_t month = m->target;
    size_t row = month - 1, nc = w->n_cls;
    assert(month >= 1 && month <= p->horizon_months);
    assert(month > 1 || same_option_table(w));

    for (uint32_t o = 0; o < w->n_opts; o++)
        mkt__bill(w, o);
    mkt__noacc_flush(w);

    /* Money is conserved: every payment was split without remainder. */
    double received = 0;
    for (size_t a = 0; a < p->n_actors; a++)
        received += w->m_rev[a];
    assert(fabs(received - w->m_pay) <= 1e-9 * fabs(w->m_pay));

    double *cc = &r->channel_count[row * MKT_N_CHANNELS];
    double adopted = 0, noacc_days = 0, with_access = 0, gap = 0, lost = 0,
           best = -HUGE_VAL;
    for (size_t v = 0; v < p->n_vendors; v++)
        best = fmax(best, mkt__capability(w, (uint32_t)v));
    for (size_t c = 0; c < nc; c++) {
        double wt = w->cls_w[c];
        adopted += w->cls_adopted[c] * wt;
        lost += (w->cls_lost[c] + w->cls_out[c]) * wt; /* out: chose none */
        cc[MKT_CH_WAITING] += w->cls_wait[c] * wt;
        cc[MKT_CH_NONE] += (w->cls_total[c] - w->cls_adopted[c] +
                            w->cls_lost[c] + w->cls_out[c]) *
                           wt;
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
        r->compliance_cost[row * p->n_actors + a] = w->m_comp[a];
        w->m_comp[a] = 0;
    }
    r->payments[row] = w->m_pay;
    r->adopters[row] = adopted;
    r->switches[row] = w->m_switch;
    r->detections[row] = w->m_detect;
    r->days_without_access[row] = noacc_days;
    r->capability_gap[row] = with_access > 0 ? gap / with_access : (double)NAN;
    books_by_class(w, row);
    double share;
    if (w->stride > 1) { /* one scan of the firms gives both */
        int rc = books_firms(w, row, adopted);
        if (rc != SIM_OK)
            return rc;
        share = r->frontier_access_share[row];
    } else {
        share = mkt__frontier_share(w);
        r->frontier_access_share[row] = share;
        r->frontier_access_index[row] = frontier_index(w, best, adopted);
    }
    if (w->have_ref && isnan(r->months_to_half_access) &&
        share < 0.5 * w->ref_share)
        r->months_to_half_access = month - w->ref_month;
    books_accounts(w, row);
    books_window(w, month, adopted, lost);
    w->m_pay = w->m_switch = w->m_detect = 0;
    w->month = month;
    for (size_t s = 0; s < w->n_sec; s++) /* usage in the coming month */
        w->growth[s] = pow(1.0 + p->sectors[s].demand_growth, month / 12.0);

    int arc = mkt__agents_month(w, month); /* records; epochs due (agent.h) */
    if (arc != SIM_OK)
        return arc;
    if (w->on_month)
        w->on_month(w->on_month_ctx, w, month);
    if (w->cancel && *w->cancel)
        return sim_err_set(w->err, SIM_ECANCELED, "cancelled in month %u",
                           month);
    if (month == p->horizon_months)
        return SIM_STOP;
    sim_msg next = {.kind = MKT__EV_MONTH, .target = month + 1};
    return sim_schedule_at(eng, w->t0 + (month + 1) * MKT_DAYS_PER_MONTH,
                           &next, NULL);
}
