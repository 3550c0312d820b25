/* test_books.c -- the month-end outputs of issue 12 (models/books.c) and
 * the two scenario keys that steer them.
 *
 * Each output is checked against a computation made here from something
 * else the model exposes, never against itself:
 *  - the frontier access index against its formula, sum over adopters with
 *    access of exp(-gap / tau) over adopters, with the users of each option
 *    counted by mkt_world_users at every month end and the capabilities
 *    computed from the parameters (tiny market, capabilities that grow at
 *    different rates, so the gaps move every month);
 *  - the "final" values against a hand average of the monthly series over
 *    the window; NaN when the window has no adopter;
 *  - tokens: the cube by option and class priced at each option's price
 *    (from the parameters: list, markup, gray factor) equals the payments
 *    the billing made, month by month; the totals by vendor, channel and
 *    class are the cube's sums, and agree with each other;
 *  - channel counts by class add up to the channel counts, and the large
 *    accounts' segment agrees, channel by channel, with what the large
 *    accounts are recorded holding (two different paths through the
 *    model: per-class option counts against each account's own state);
 *  - the option table's order, and the loader's defaults and refusals.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mkt.h"
#include "mkt_build.h"
#include "scen.h"

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define FIX(name) AIMS_SOURCE_DIR "/tests/fixtures/" name

#define NCH MKT_N_CHANNELS
#define DAYS_PER_MONTH (365.25 / 12.0)

static void close_to(double got, double want, double rel, const char *what,
                     unsigned month)
{
    double tol = rel * fmax(1.0, fabs(want));
    cr_assert(fabs(got - want) <= tol,
              "%s, month %u: got %.17g, expected %.17g", what, month, got,
              want);
}

static void run_one(const mkt_params *p, uint32_t rep, mkt_results *r,
                    const mkt_run_opts *o)
{
    sim_err err = {0};
    cr_assert_eq(mkt_results_init(r, p, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(mkt_run(p, 11, rep, o, r, &err), SIM_OK, "%s", err.msg);
}

/* ---- the frontier access index ----------------------------------------- */

/* Three vendors whose capabilities grow at different rates: the best one
 * changes hands during the run, and the gaps change every month. */
static mkt_params *index_market(double tau)
{
    mkt_params *p = mb_new(30, 3000, 7500); /* weight 2.5 */
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 93.0, 5.0);
    size_t b = mb_vendor(p, "b", MKT_ORIGIN_CN, 89.0, 0.6);
    size_t c = mb_vendor(p, "c", MKT_ORIGIN_CN, 86.5, 0.3);
    p->vendors[a].direct_access = true;
    p->vendors[a].capability_growth = 1.0;
    p->vendors[b].capability_growth = 4.0;
    p->vendors[c].capability_growth = 0.5;
    p->frontier_tau = tau;
    mkt_sector *s = mb_sector(p, "all", 1.0);
    s->initial_adopters = 0.3;
    s->bass_p = 0.4;
    s->bass_q = 0.5;
    s->b_cap = 0.3;
    s->b_price = 0.8;
    s->contract_months = 4;
    mb_finish(p);
    return p;
}

typedef struct {
    const mkt_params *p;
    const mkt_results *r;
    unsigned checked;
} index_ctx;

static void check_index(void *ctx, const mkt_world *w, uint32_t month)
{
    index_ctx *x = ctx;
    const mkt_params *p = x->p;
    double years = month * DAYS_PER_MONTH / 365.25, best = -HUGE_VAL;
    double cap[8];
    for (size_t v = 0; v < p->n_vendors; v++) {
        cap[v] = p->vendors[v].capability +
                 p->vendors[v].capability_growth * years;
        best = fmax(best, cap[v]);
    }
    double sum = 0, weight = p->sectors[0].weight;
    for (size_t v = 0; v < p->n_vendors; v++)
        for (int ch = MKT_CH_DIRECT; ch < NCH; ch++)
            sum += (double)mkt_world_users(w, ch, MKT_NO_INDEX, v) * weight *
                   exp(-(best - cap[v]) / p->frontier_tau);
    double adopters = x->r->adopters[month - 1];
    cr_assert(adopters > 0);
    close_to(x->r->frontier_access_index[month - 1], sum / adopters, 1e-12,
             "frontier access index", month);
    x->checked++;
}

static void index_matches_formula(double tau)
{
    mkt_params *p = index_market(tau);
    mkt_results r;
    index_ctx x = {.p = p, .r = &r};
    mkt_run_opts o = {.on_month = check_index, .ctx = &x};
    run_one(p, 0, &r, &o);
    cr_assert_eq(x.checked, 30u);
    /* Not a degenerate check: the index moves and stays in (0, 1]. */
    double lo = 1, hi = 0;
    for (size_t m = 0; m < 30; m++) {
        lo = fmin(lo, r.frontier_access_index[m]);
        hi = fmax(hi, r.frontier_access_index[m]);
    }
    cr_assert(lo > 0 && hi <= 1 && hi - lo > 1e-3, "index %g .. %g", lo, hi);
    mkt_results_fini(&r);
    mb_free(p);
}

Test(books, frontier_index_matches_its_formula_every_month)
{
    index_matches_formula(2.0);
}

Test(books, frontier_index_matches_its_formula_with_another_tau)
{
    index_matches_formula(0.7);
}

Test(books, frontier_index_is_continuous_where_the_share_jumps)
{
    /* b overtakes a by 1 point per 4 months at growth 4 vs 1: the
     * thresholded share (tolerance 1) changes by whole users' shares when
     * a model crosses the tolerance; the index moves by less month to
     * month, since a model at the tolerance counts exp(-1 / tau) already. */
    mkt_params *p = index_market(2.0);
    mkt_results r;
    run_one(p, 0, &r, NULL);
    double jump_share = 0, jump_index = 0;
    for (size_t m = 1; m < 30; m++) {
        jump_share = fmax(jump_share, fabs(r.frontier_access_share[m] -
                                           r.frontier_access_share[m - 1]));
        jump_index = fmax(jump_index, fabs(r.frontier_access_index[m] -
                                           r.frontier_access_index[m - 1]));
    }
    cr_log_info("largest month-to-month change: share %.4f, index %.4f",
                jump_share, jump_index);
    cr_assert(jump_index < jump_share, "index %g, share %g", jump_index,
              jump_share);
    mkt_results_fini(&r);
    mb_free(p);
}

/* ---- the final window --------------------------------------------------- */

/* The mean of x[from .. to), NaNs left out; NaN if all are. */
static double mean_of(const double *x, size_t from, size_t to,
                      size_t stride)
{
    double s = 0;
    size_t n = 0;
    for (size_t m = from; m < to; m++)
        if (!isnan(x[m * stride])) {
            s += x[m * stride];
            n++;
        }
    return n ? s / (double)n : (double)NAN;
}

Test(books, final_values_are_means_over_the_window)
{
    mkt_params *p = index_market(2.0);
    p->final_window_months = 7;
    mkt_results r;
    run_one(p, 1, &r, NULL);
    size_t H = 30, from = H - 7;
    close_to(r.final_frontier_access_share,
             mean_of(r.frontier_access_share, from, H, 1), 1e-14,
             "final frontier access share", 0);
    close_to(r.final_frontier_access_index,
             mean_of(r.frontier_access_index, from, H, 1), 1e-14,
             "final frontier access index", 0);
    /* Channel shares of adopters, month by month, averaged; "none" is what
     * the others leave of the adopters (one option per firm). */
    double want[NCH] = {0};
    for (size_t m = from; m < H; m++) {
        double rest = 1;
        for (int c = MKT_CH_WAITING; c < NCH; c++) {
            double s = r.channel_count[m * NCH + c] / r.adopters[m];
            want[c] += s / 7;
            rest -= s;
        }
        want[MKT_CH_NONE] += rest / 7;
    }
    for (int c = 0; c < NCH; c++)
        close_to(r.final_channel_share[c], want[c], 1e-12,
                 mkt_channel_name(c), 0);
    /* A window that is not the last month is not the last month. */
    cr_assert(r.final_frontier_access_index !=
              r.frontier_access_index[H - 1]);
    mkt_results_fini(&r);
    mb_free(p);
}

Test(books, a_window_of_one_month_is_the_last_month_exactly)
{
    mkt_params *p = index_market(2.0);
    p->final_window_months = 1;
    mkt_results r;
    run_one(p, 2, &r, NULL);
    cr_assert_eq(r.final_frontier_access_share,
                 r.frontier_access_share[29]);
    cr_assert_eq(r.final_frontier_access_index,
                 r.frontier_access_index[29]);
    cr_assert_eq(r.final_channel_share[MKT_CH_DOMESTIC],
                 r.channel_count[29 * NCH + MKT_CH_DOMESTIC] /
                     r.adopters[29]);
    mkt_results_fini(&r);
    mb_free(p);
}

Test(books, a_window_without_adopters_gives_nan)
{
    mkt_params *p = index_market(2.0);
    p->sectors[0].initial_adopters = 0;
    p->sectors[0].bass_p = 0;
    p->sectors[0].bass_q = 0;
    mkt_results r;
    run_one(p, 0, &r, NULL);
    cr_assert_eq(r.adopters[29], 0.0);
    cr_assert(isnan(r.frontier_access_index[29]));
    cr_assert(isnan(r.final_frontier_access_share));
    cr_assert(isnan(r.final_frontier_access_index));
    for (int c = 0; c < NCH; c++)
        cr_assert(isnan(r.final_channel_share[c]));
    mkt_results_fini(&r);
    mb_free(p);
}

/* ---- tokens and segments ------------------------------------------------ */

/* Every channel, two sectors of different weights, large accounts, demand
 * that grows; no price change, so an option's price is fixed. */
static mkt_params *segment_market(void)
{
    mkt_params *p = mb_new(18, 4000, 30000);
    size_t a = mb_vendor(p, "a", MKT_ORIGIN_US, 92.0, 4.375);
    size_t b = mb_vendor(p, "b", MKT_ORIGIN_US, 93.0, 6.0);
    mb_vendor(p, "c", MKT_ORIGIN_CN, 89.0, 0.52);
    mb_vendor(p, "d", MKT_ORIGIN_CN, 87.0, 0.15);
    p->vendors[a].direct_access = true;
    size_t on = mb_inter(p, "cloud_cn", MKT_KIND_ONSHORE, a, "parent",
                         "operator", 0.55, 0.25, 0.2);
    p->inter[on].markup = 0.25;
    p->inter[on].onboarding.servers = 3; /* a queue: some wait */
    p->inter[on].onboarding.mean_days = 40;
    size_t off = mb_inter(p, "cloud_global", MKT_KIND_OFFSHORE, a, "parent",
                          NULL, 0.7, 0.3, 0);
    p->inter[off].hosts[b] = true;
    p->inter[off].markup = 0.1;
    /* Slow queues everywhere (one simulated server each): firms forced
     * off an option wait, large accounts among them. */
    p->inter[off].onboarding.servers = 3;
    p->inter[off].onboarding.mean_days = 40;
    for (size_t v = 2; v < 4; v++)
        p->vendors[v].onboarding = (mkt_onboarding){.servers = 3,
                                                    .mean_days = 40};
    p->gray = (mkt_gray){.enabled = true, .price_factor = 0.8,
                         .reseller_share = 0.3};
    p->risk[MKT_CH_GRAY] = 1.0;
    for (int k = 0; k < 2; k++) {
        mkt_sector *s = mb_sector(p, k ? "finance" : "internet",
                                  k ? 0.35 : 0.65);
        s->initial_adopters = 0.4;
        s->bass_p = 0.3;
        s->bass_q = 0.6;
        s->usage_median = k ? 20.0 : 50.0;
        s->usage_sigma = 1.2;
        s->demand_growth = 0.4;
        s->offshore_share = 0.5;
        s->b_cap = 0.5;
        s->b_price = k ? 1.4 : 0.7;
        s->b_risk = 1.0;
        s->contract_months = 3;
        s->n_accounts = k ? 1 : 3;
        s->accounts = calloc(s->n_accounts, sizeof *s->accounts);
        for (size_t i = 0; i < s->n_accounts; i++) {
            s->accounts[i].usage = 1e5 * (double)(i + 1);
            s->accounts[i].offshore = i != 1;
        }
    }
    /* Direct access ends at month 6: its users must onboard elsewhere,
     * and wait in a queue. */
    mkt_event *e = mb_event(p, MKT_EV_VENDOR_POLICY, 6.0);
    e->vendor = a;
    e->direct_access = 0;
    mb_finish(p);
    return p;
}

/* The price an enterprise pays on option o, from the parameters. */
static double option_price(const mkt_params *p, const mkt_option *o)
{
    double list = p->vendors[o->vendor].price;
    switch (o->channel) {
    case MKT_CH_ONSHORE:
    case MKT_CH_OFFSHORE:
        return list * (1 + p->inter[o->inter].markup);
    case MKT_CH_GRAY:
        return list * p->gray.price_factor;
    default:
        return list;
    }
}

Test(books, option_table_in_the_documented_order)
{
    mkt_params *p = segment_market();
    mkt_option t[16];
    size_t n = mkt_option_table(p, t, 16);
    /* direct a, b; cloud_cn: a; cloud_global: a, b; gray a, b; domestic
     * c, d. */
    const int ch[] = {MKT_CH_DIRECT,   MKT_CH_DIRECT,   MKT_CH_ONSHORE,
                      MKT_CH_OFFSHORE, MKT_CH_OFFSHORE, MKT_CH_GRAY,
                      MKT_CH_GRAY,     MKT_CH_DOMESTIC, MKT_CH_DOMESTIC};
    const size_t v[] = {0, 1, 0, 0, 1, 0, 1, 2, 3};
    const size_t i[] = {MKT_NO_INDEX, MKT_NO_INDEX, 0, 1, 1,
                        MKT_NO_INDEX, MKT_NO_INDEX, MKT_NO_INDEX,
                        MKT_NO_INDEX};
    cr_assert_eq(n, 9u);
    cr_assert_eq(mkt_option_table(p, NULL, 0), 9u);
    for (size_t k = 0; k < n; k++)
        cr_assert(t[k].channel == ch[k] && t[k].vendor == v[k] &&
                      t[k].inter == i[k],
                  "row %zu: %d %zu %zu", k, t[k].channel, t[k].vendor,
                  t[k].inter);
    p->gray.enabled = false;
    cr_assert_eq(mkt_option_table(p, t, 2), 7u); /* writes only 2 */
    mb_free(p);
}

Test(books, tokens_priced_are_the_payments_and_totals_agree)
{
    mkt_params *p = segment_market();
    mkt_option t[16];
    size_t no = mkt_option_table(p, t, 16), ns = p->n_sectors;
    size_t nc = MKT_N_SEGMENTS * ns, nv = p->n_vendors;
    mkt_results r;
    run_one(p, 3, &r, NULL);
    cr_assert_eq(r.n_options, no);
    double used[NCH] = {0};
    for (unsigned m = 0; m < r.months; m++) {
        const double *cube = &r.tokens[m * no * nc];
        double paid = 0, total = 0, by_v[8] = {0}, by_ch[NCH] = {0},
               by_c[8] = {0};
        for (size_t o = 0; o < no; o++)
            for (size_t c = 0; c < nc; c++) {
                double x = cube[o * nc + c];
                cr_assert(x >= 0);
                paid += x * option_price(p, &t[o]);
                total += x;
                by_v[t[o].vendor] += x;
                by_ch[t[o].channel] += x;
                by_c[c] += x;
                used[t[o].channel] += x;
            }
        close_to(paid, r.payments[m], 1e-9, "tokens x price vs payments",
                 m + 1);
        double sv = 0, sch = 0, sc = 0;
        for (size_t v = 0; v < nv; v++) {
            close_to(r.tokens_by_vendor[m * nv + v], by_v[v], 1e-12,
                     "tokens_by_vendor", m + 1);
            sv += r.tokens_by_vendor[m * nv + v];
        }
        for (int ch = 0; ch < NCH; ch++) {
            close_to(r.tokens_by_channel[m * NCH + ch], by_ch[ch], 1e-12,
                     "tokens_by_channel", m + 1);
            sch += r.tokens_by_channel[m * NCH + ch];
        }
        for (size_t c = 0; c < nc; c++) {
            close_to(r.tokens_by_sector[m * nc + c], by_c[c], 1e-12,
                     "tokens_by_sector", m + 1);
            sc += r.tokens_by_sector[m * nc + c];
        }
        close_to(sv, total, 1e-12, "vendor totals", m + 1);
        close_to(sch, sv, 1e-12, "channel totals vs vendor totals", m + 1);
        close_to(sc, sv, 1e-12, "class totals vs vendor totals", m + 1);
        cr_assert_eq(r.tokens_by_channel[m * NCH + MKT_CH_NONE], 0.0);
        cr_assert_eq(r.tokens_by_channel[m * NCH + MKT_CH_WAITING], 0.0);
    }
    /* The market is not degenerate: tokens flow on most channels. */
    for (int ch = MKT_CH_DIRECT; ch < NCH; ch++)
        if (ch != MKT_CH_GRAY)
            cr_assert(used[ch] > 0, "no tokens on %s", mkt_channel_name(ch));
    mkt_results_fini(&r);
    mb_free(p);
}

Test(books, channel_counts_by_class_add_up_and_match_the_accounts)
{
    mkt_params *p = segment_market();
    mkt_option t[16];
    size_t no = mkt_option_table(p, t, 16), ns = p->n_sectors;
    size_t nc = MKT_N_SEGMENTS * ns;
    mkt_results r;
    run_one(p, 4, &r, NULL);
    cr_assert_eq(r.n_accounts, 4u);
    unsigned waited = 0;
    for (unsigned m = 0; m < r.months; m++) {
        const double *x = &r.channel_count_by_sector[m * nc * NCH];
        for (int ch = 0; ch < NCH; ch++) {
            double sum = 0;
            for (size_t c = 0; c < nc; c++)
                sum += x[c * NCH + ch];
            close_to(sum, r.channel_count[m * NCH + ch], 1e-12,
                     mkt_channel_name(ch), m + 1);
        }
        /* The large segment of each sector, from the accounts' states. */
        const int64_t *acc = &r.account_option[m * r.n_accounts];
        size_t k = 0;
        for (size_t s = 0; s < ns; s++) {
            double want[NCH] = {0};
            for (size_t a = 0; a < p->sectors[s].n_accounts; a++, k++) {
                int64_t o = acc[k];
                cr_assert(o == MKT_ACCOUNT_WAITING ||
                              o == MKT_ACCOUNT_NONE ||
                              (o >= 0 && (size_t)o < no),
                          "account %zu month %u: %lld", k, m + 1,
                          (long long)o);
                int ch = o == MKT_ACCOUNT_WAITING ? MKT_CH_WAITING
                         : o == MKT_ACCOUNT_NONE  ? MKT_CH_NONE
                                                  : t[o].channel;
                want[ch] += 1;
                waited += o == MKT_ACCOUNT_WAITING;
            }
            const double *large = &x[(MKT_SEG_LARGE * ns + s) * NCH];
            for (int ch = 0; ch < NCH; ch++)
                cr_assert_eq(large[ch], want[ch],
                             "sector %zu, %s, month %u: %g firms, the "
                             "accounts say %g",
                             s, mkt_channel_name(ch), m + 1, large[ch],
                             want[ch]);
        }
    }
    cr_log_info("account-months waiting: %u", waited);
    cr_assert(waited > 0, "no large account ever waited: the test does not "
                          "reach that state");
    mkt_results_fini(&r);
    mb_free(p);
}

/* ---- the scenario keys -------------------------------------------------- */

static mkt_params *load(const char *path, const char *set, sim_err *err)
{
    scen_doc *doc = NULL;
    mkt_params *p = NULL;
    *err = (sim_err){0}; /* the first error wins: start afresh */
    cr_assert_eq(scen_load(path, &doc, err), SIM_OK, "%s", err->msg);
    if (set != NULL)
        cr_assert_eq(scen_set(doc, set, err), SIM_OK, "%s", err->msg);
    mkt_load(doc, &p, err);
    scen_free(doc);
    return p;
}

Test(books, keys_load_as_written)
{
    sim_err err = {0};
    mkt_params *p = load(FIX("books/outputs.cfg"), NULL, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(p->frontier_tau, 3.5);
    cr_assert_eq(p->final_window_months, 6u);
    mkt_params_free(p);
}

Test(books, defaults_are_tau_2_and_a_12_month_window)
{
    sim_err err = {0};
    mkt_params *p = load(FIX("mkt/good.cfg"), NULL, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(p->frontier_tau, 2.0);
    cr_assert_eq(p->final_window_months, 12u);
    mkt_params_free(p);
    /* A horizon shorter than 12 months: the window is the whole run. */
    p = load(FIX("mkt/minimal.cfg"), "scenario.horizon_months=5", &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(p->final_window_months, 5u);
    mkt_params_free(p);
}

Test(books, a_window_longer_than_the_horizon_is_refused)
{
    sim_err err = {0};
    mkt_params *p = load(FIX("books/outputs.cfg"),
                         "scenario.final_window_months=37", &err);
    cr_assert_null(p);
    cr_assert_eq(err.status, SIM_EINPUT);
    cr_assert_str_eq(err.msg,
                     "--set scenario.final_window_months=37: "
                     "scenario.final_window_months: expected at most "
                     "horizon_months (36): the final window is the "
                     "last months of the run, got 37");
    p = load(FIX("books/outputs.cfg"), "scenario.horizon_months=4", &err);
    cr_assert_null(p);
    cr_assert_str_eq(err.msg,
                     AIMS_SOURCE_DIR "/tests/fixtures/books/outputs.cfg:11: "
                     "scenario.final_window_months: expected at most "
                     "horizon_months (4): the final window is the last "
                     "months of the run, got 6");
}

Test(books, bad_tau_and_window_values_are_refused)
{
    sim_err err = {0};
    mkt_params *p = load(FIX("books/outputs.cfg"), "scenario.frontier_tau=0",
                         &err);
    cr_assert_null(p);
    cr_assert_str_eq(err.msg, "--set scenario.frontier_tau=0: "
                              "scenario.frontier_tau: expected a number in "
                              "(0, 1000], got 0");
    p = load(FIX("books/outputs.cfg"), "scenario.final_window_months=0",
             &err);
    cr_assert_null(p);
    cr_assert(strstr(err.msg, "scenario.final_window_months") &&
                  strstr(err.msg, "[1, 1200]"),
              "%s", err.msg);
}
