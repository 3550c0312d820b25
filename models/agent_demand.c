/* agent_demand.c -- the demand a price-setter faces (agent.h: mkt__owner):
 * a vendor scaling its list price, or a cloud scaling 1 + markup, moves the
 * perceived price of all its options by the same factor e^x.
 *
 * The demand is the model's own, calibrated on what the owner sees now
 * (the logit "inversion" of Berry 1994, as in merger simulation): in each
 * weight class c (a sector's ordinary firms, or its large accounts), the
 * base usage on each option, B_jc, and on the outside, O_c, give the
 * usage-weighted shares the nested logit of choose.c implies at today's
 * prices. Scaling the owner's prices by e^x changes their utilities by
 * t = -b_price x, and the nested logit then gives, exactly,
 *
 *     G      = 1 - a + a e^(t / lambda),  a = sum over own j of B_jc / I_c,
 *     q_jc   = B_jc (e^(t / lambda) / G) / (s_out G^-lambda + s_in)
 *              x usage factor x growth x e^(-eps x),
 *
 * with I_c = sum_j B_jc, s_out = O_c / (I_c + O_c), s_in = 1 - s_out, and
 * lambda = 1 when the sector has no outside option (plain logit).
 *
 * The large accounts are a handful of known firms, and a share inverted
 * from one firm's 0-or-1 choice would say it can never leave: each account
 * is its own row instead, with the choice probabilities the model gives it
 * now (its available options, its utilities without switching cost, the
 * outside) in place of shares and its own usage as the weight. The same
 * formula then gives its expected usage at e^x.
 *
 * Profit is sum (take e^x - cost) q over the owner's options and rows.
 * When shares are in equilibrium with today's prices this is the demand at
 * rivals' current prices; it ignores switching costs (long-run demand).
 * docs/model.md derives it and says why shares, not a population scan.
 *
 * The maximiser is a grid over [lo, hi] refined by golden-section search
 * around the best grid point: profit need not be concave in x once
 * classes of different elasticity add up. It is deterministic and draws
 * nothing.
 */
#include <assert.h>
#include <math.h>

#include "agent.h"
#include "choice.h"

enum { GRID = 256, GOLDEN_STEPS = 80 };

/* Row layout in w->ag->tab: a header, then 4 doubles per own option. */
enum { H_SOUT, H_SIN, H_B, H_LAMBDA, H_EPS, H_A, H_N, H_SIZE = 8 };
enum { E_Q0, E_TAKE, E_COST, E_SIZE = 4 };

static double base_of(const struct mkt_world *w, uint32_t o, size_t c)
{
    size_t k = (size_t)o * w->n_cls + c;
    return w->oc_n[k] ? (w->oc_usage[k] + w->oc_comp[k]) * w->cls_w[c] : 0.0;
}

/* Writes one row: outside share s_out, the owner's options' conditional
 * inside shares sig[k] and current usage q0[k] (n of them). */
static void put_row(double *h, const mkt_sector *sec, double s_out,
                    const double *sig, const double *q0, const uint32_t *idx,
                    size_t n, const mkt__owner *o)
{
    double *e = h + H_SIZE, a = 0;
    for (size_t k = 0; k < n; k++) {
        a += sig[k];
        e[k * E_SIZE + E_Q0] = q0[k];
        e[k * E_SIZE + E_TAKE] = o->take[idx[k]];
        e[k * E_SIZE + E_COST] = o->cost[idx[k]];
    }
    h[H_SOUT] = s_out;
    h[H_SIN] = 1 - s_out;
    h[H_B] = sec->b_price;
    h[H_LAMBDA] = sec->has_outside ? sec->nest_lambda : 1.0;
    h[H_EPS] = sec->price_elasticity;
    h[H_A] = fmin(a, 1.0);
    h[H_N] = (double)n;
}

/* The rows of sector s's large accounts: each one's choice probabilities
 * now. Returns the rows written at tab. */
static size_t account_rows(struct mkt_world *w, const mkt__owner *o,
                           size_t s, double *tab)
{
    struct mkt_agents *ag = w->ag;
    const mkt_sector *sec = &w->p->sectors[s];
    size_t rows = 0, row_len = MKT__AG_TAB_ROW(w->n_opts);
    for (size_t k = 0; k < sec->n_accounts; k++) {
        uint32_t firm = w->sec_first[s] + sec->count + (uint32_t)k;
        uint32_t seat = firm * w->stride;
        const mkt__ent *e = &w->ent[seat];
        if (!(e->flags & MKT__ADOPTED))
            continue;
        for (uint32_t j = 0; j < w->n_opts; j++) {
            ag->ok[j] = mkt__available(w, j, seat);
            ag->v[j] = ag->ok[j] ? mkt__utility(w, sec, seat, j) : 0.0;
        }
        double p_out = 0;
        if (sec->has_outside)
            p_out = mkt_choice_probs_nested(ag->v, ag->ok, w->n_opts,
                                            mkt__outside_utility(w, sec),
                                            sec->nest_lambda, ag->prob);
        else if (mkt_choice_probs(ag->v, ag->ok, w->n_opts, ag->prob) == 0)
            continue;
        if (!(p_out < 1))
            continue;
        double base = w->stride > 1 ? w->fbase[firm] : e->base;
        double *sig = ag->sig, *q0 = ag->q0;
        uint32_t *idx = ag->idx;
        size_t n = 0;
        for (uint32_t m = 0; m < o->n; m++) {
            uint32_t j = o->opt[m];
            if (!(ag->prob[j] > 0))
                continue;
            sig[n] = ag->prob[j] / (1 - p_out);
            q0[n] = base * ag->prob[j] * w->ufac[(size_t)j * w->n_sec + s] *
                    w->growth[s];
            idx[n++] = m;
        }
        if (n == 0)
            continue;
        put_row(&tab[rows * row_len], sec, p_out, sig, q0, idx, n, o);
        rows++;
    }
    return rows;
}

/* Fills the table for owner o; returns the number of rows. */
static size_t build(struct mkt_world *w, const mkt__owner *o)
{
    double *tab = w->ag->tab;
    size_t rows = 0, row_len = MKT__AG_TAB_ROW(w->n_opts);
    for (size_t s = 0; s < w->n_sec; s++)
        rows += account_rows(w, o, s, &tab[rows * row_len]);
    for (size_t c = 0; c < w->n_sec; c++) { /* the ordinary firms */
        size_t s = c % w->n_sec;
        const mkt_sector *sec = &w->p->sectors[s];
        double inside = 0;
        for (uint32_t j = 0; j < w->n_opts; j++)
            inside += base_of(w, j, c);
        if (!(inside > 0))
            continue;
        double out = sec->has_outside ? w->cls_out_base[c] * w->cls_w[c]
                                      : 0.0;
        if (out < 0)
            out = 0; /* rounding of a running sum */
        double *sig = w->ag->sig, *q0 = w->ag->q0;
        uint32_t *idx = w->ag->idx;
        size_t n = 0;
        for (uint32_t k = 0; k < o->n; k++) {
            uint32_t j = o->opt[k];
            double b = base_of(w, j, c);
            if (!(b > 0))
                continue;
            sig[n] = b / inside;
            q0[n] = b * w->ufac[(size_t)j * w->n_sec + s] * w->growth[s];
            idx[n++] = k;
        }
        if (n == 0)
            continue;
        put_row(&tab[rows * row_len], sec, out / (inside + out), sig, q0, idx,
                n, o);
        rows++;
    }
    return rows;
}

static double profit_of(const struct mkt_world *w, size_t rows, double x)
{
    const double *tab = w->ag->tab;
    size_t row_len = MKT__AG_TAB_ROW(w->n_opts);
    double total = 0, ex = exp(x);
    for (size_t r = 0; r < rows; r++) {
        const double *h = &tab[r * row_len], *e = h + H_SIZE;
        double lam = h[H_LAMBDA], a = h[H_A];
        double t = -h[H_B] * x / lam;
        /* log G without overflow for large |t|. */
        double lg = t >= 0 ? t + log((1 - a) * exp(-t) + a)
                           : log((1 - a) + a * exp(t));
        double ratio = exp(t - lg); /* e^t / G */
        double inside = 1.0 / (h[H_SOUT] * exp(-lam * lg) + h[H_SIN]);
        double f = inside * ratio * exp(-h[H_EPS] * x);
        size_t n = (size_t)h[H_N];
        for (size_t k = 0; k < n; k++)
            total += (e[k * E_SIZE + E_TAKE] * ex - e[k * E_SIZE + E_COST]) *
                     e[k * E_SIZE + E_Q0] * f;
    }
    return total;
}

double mkt__ag_profit(struct mkt_world *w, const mkt__owner *o, double x)
{
    return profit_of(w, build(w, o), x);
}

double mkt__ag_best(struct mkt_world *w, const mkt__owner *o, double lo,
                    double hi)
{
    assert(lo <= hi);
    size_t rows = build(w, o);
    /* The incumbent: today's price when it is allowed, so a flat profit
     * (no sales) moves nothing. */
    double best_x = fmin(fmax(0.0, lo), hi);
    double best = profit_of(w, rows, best_x);
    if (rows == 0 || !(hi > lo))
        return best_x;
    double step = (hi - lo) / (GRID - 1);
    for (size_t k = 0; k < GRID; k++) {
        double x = lo + step * (double)k, f = profit_of(w, rows, x);
        if (f > best + 1e-12 * fabs(best)) {
            best = f;
            best_x = x;
        }
    }
    /* Golden-section search on the grid cell either side of the best (the
     * incumbent included: the optimum may lie closer to it than the grid). */
    double a = fmax(best_x - step, lo), b = fmin(best_x + step, hi);
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double c = b - g * (b - a), d = a + g * (b - a);
    double fc = profit_of(w, rows, c), fd = profit_of(w, rows, d);
    for (int it = 0; it < GOLDEN_STEPS; it++) {
        if (fc > fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = profit_of(w, rows, c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = profit_of(w, rows, d);
        }
    }
    double x = 0.5 * (a + b), f = profit_of(w, rows, x);
    return f > best ? x : best_x;
}
