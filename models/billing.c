/* billing.c -- usage accrual and the monthly split of payments (DESIGN.md
 * mechanism 6).
 *
 * Each option accrues, per weight class, the integral over time of its
 * users' base usage (Mtok per month x days). Accrual is brought up to date
 * whenever the option's membership or price is about to change, so a firm
 * that leaves mid-month pays for the days it used. mkt__bill charges what has
 * accrued at the option's current price and splits it among the actors:
 *
 *     direct, domestic   vendor gets all of it
 *     onshore, offshore  vendor_share to the vendor, operator_share to the
 *                        operator, the remainder to the parent cloud
 *     gray               reseller_share to the resellers, the remainder to
 *                        the vendor (the relays buy its API)
 *
 * The last recipient takes the remainder rather than its own share times the
 * payment, so receipts equal payments to rounding (a few ulps), whatever the
 * shares' own rounding; the month end asserts it.
 */
#include <assert.h>
#include <math.h>

#include "market_internal.h"

double mkt__price_paid(const struct mkt_world *w, uint32_t o)
{
    const mkt__opt *op = &w->opts[o];
    double list = w->price[op->vendor];
    switch (op->channel) {
    case MKT_CH_ONSHORE:
    case MKT_CH_OFFSHORE:
        return list * (1.0 + w->markup[op->inter]); /* world state */
    case MKT_CH_GRAY:
        return list * w->p->gray.price_factor;
    default:
        return list;
    }
}

/* Usage accrues at each class's base usage times the option's usage factor
 * for the class's sector, (P~ / reference_price)^-eps: 1 exactly when the
 * sector's usage does not respond to price, so the product changes no bit
 * then. The factor only changes at a price change, which accrues first. */
void mkt__accrue(struct mkt_world *w, uint32_t o)
{
    mkt__opt *op = &w->opts[o];
    double now = sim_now(w->eng), dt = now - op->last;
    if (dt > 0 && op->n_users > 0) {
        double *acc = &w->oc_acc[(size_t)o * w->n_cls];
        const double *use = &w->oc_usage[(size_t)o * w->n_cls];
        const double *comp = &w->oc_comp[(size_t)o * w->n_cls];
        const double *f = &w->ufac[(size_t)o * w->n_sec];
        /* Class c's sector is c mod n_sec, counted rather than divided. */
        for (size_t c = 0, s = 0; c < w->n_cls; c++) {
            acc[c] += (use[c] + comp[c]) * dt * f[s];
            if (++s == w->n_sec)
                s = 0;
        }
    }
    op->last = now;
}

void mkt__bill(struct mkt_world *w, uint32_t o)
{
    mkt__accrue(w, o);
    const mkt_params *p = w->p;
    const mkt__opt *op = &w->opts[o];
    double *acc = &w->oc_acc[(size_t)o * w->n_cls];
    double mtok = 0; /* real Mtok used this month so far */
    double *tok = mkt__tokens_row(w, o); /* this month's, by class */
    for (size_t c = 0; c < w->n_cls; c++) {
        if (acc[c] == 0)
            continue;
        size_t s = c % w->n_sec;
        double x = acc[c] / MKT_DAYS_PER_MONTH * w->cls_w[c] * w->growth[s];
        mtok += x;
        tok[c] += x;
        acc[c] = 0;
    }
    if (mtok == 0)
        return;
    double pay = mtok * mkt__price_paid(w, o);
    w->m_pay += pay;
    mkt__legal_bill(w, o, pay);
    size_t vendor = op->vendor;
    switch (op->channel) {
    case MKT_CH_ONSHORE:
    case MKT_CH_OFFSHORE: {
        const mkt_intermediary *im = &p->inter[op->inter];
        double to_vendor = pay * im->vendor_share;
        double to_operator =
            im->operator_ != MKT_NO_INDEX ? pay * im->operator_share : 0.0;
        w->m_rev[vendor] += to_vendor;
        if (im->operator_ != MKT_NO_INDEX)
            w->m_rev[im->operator_] += to_operator;
        w->m_rev[im->parent] += pay - to_vendor - to_operator;
        break;
    }
    case MKT_CH_GRAY: {
        double to_reseller = pay * p->gray.reseller_share;
        w->m_rev[p->reseller] += to_reseller;
        w->m_rev[vendor] += pay - to_reseller;
        break;
    }
    default:
        w->m_rev[vendor] += pay;
        break;
    }
}
