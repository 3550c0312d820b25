/* mkt_load_ent.c -- the scenario loader's `enterprises` group: the
 * population's size, its sectors (adoption, demand, attributes, choice
 * weights, large accounts) and the derived per-sector counts and weights.
 *
 * Apportionment is the decision worth explaining. A sector gets
 * share * count simulated enterprises, rounded by largest remainder
 * (Hamilton's method): each gets the floor of its quota, and the ones left
 * over go one each to the largest fractional parts, ties to the lower sector
 * index. Unlike rounding each quota, the counts always sum to count; unlike
 * anything random, the same file always gives the same population. The
 * quotas are taken of the shares divided by their sum: the shares may miss 1
 * by up to 1e-6, which at a hundred million enterprises would leave a
 * hundred unassigned.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkt_load_internal.h"

#define TRY MKT_LOAD__TRY

/* choice.outside: the "no external model" alternative, when given. */
static int read_outside(const config_setting_t *choice, mkt_sector *s,
                        sim_err *err)
{
    static const char *const keys[] = {"capability", "capability_growth",
                                       "price", "lambda", NULL};
    s->has_outside = false;
    s->nest_lambda = 1.0;
    if (!scen_has(choice, "outside"))
        return SIM_OK;
    const config_setting_t *g;
    TRY(scen_get_group(choice, "outside", &g, err));
    TRY(scen_check_keys(g, keys, err));
    s->has_outside = true;
    TRY(scen_get_number(g, "capability", 0.0, 1000.0, &s->outside_capability,
                        err));
    TRY(mkt_load__opt_num(g, "capability_growth", -100.0, 100.0, 0.0,
                          &s->outside_growth, err));
    TRY(mkt_load__open_num(g, "price", 0.0, 10000.0, &s->outside_price, err));
    if (!scen_has(g, "lambda"))
        return SIM_OK;
    return mkt_load__open_num(g, "lambda", 0.0, 1.0, &s->nest_lambda, err);
}

static int read_choice(const config_setting_t *sec, mkt_sector *s, sim_err *err)
{
    static const char *const keys[] = {"b_cap",          "b_price",
                                       "b_risk",         "switching_cost",
                                       "outside",        "max_options",
                                       "multihoming_cost", NULL};
    const config_setting_t *g;
    TRY(scen_get_group(sec, "choice", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(scen_get_number(g, "b_cap", 0.0, 1000.0, &s->b_cap, err));
    TRY(scen_get_number(g, "b_price", 0.0, 1000.0, &s->b_price, err));
    TRY(scen_get_number(g, "b_risk", 0.0, 1000.0, &s->b_risk, err));
    TRY(scen_get_number(g, "switching_cost", 0.0, 1000.0, &s->switching_cost,
                        err));
    s->max_options = 1;
    if (scen_has(g, "max_options"))
        TRY(mkt_load__u32(g, "max_options", 1, MKT_MAX_OPTIONS,
                          &s->max_options, err));
    TRY(mkt_load__opt_num(g, "multihoming_cost", 0.0, 1000.0, 0.0,
                          &s->multihoming_cost, err));
    return read_outside(g, s, err);
}

/* Refuses a large account's name (at setting at) that an account read
 * before has, in any sector: an account is one real firm, counted once. */
static int check_account_name(const mkt_params *p, size_t s, size_t a,
                              const char *name, const config_setting_t *at,
                              sim_err *err)
{
    for (size_t t = 0; t <= s; t++) {
        const mkt_sector *sec = &p->sectors[t];
        size_t n = t < s ? sec->n_accounts : a;
        for (size_t k = 0; k < n; k++)
            if (strcmp(sec->accounts[k].name, name) == 0)
                return scen_error(err, at,
                                  "duplicate large account '%s' (already "
                                  "enterprises.sectors.[%zu]."
                                  "large_accounts.[%zu])",
                                  name, t, k);
    }
    return SIM_OK;
}

static int read_account(mkt_params *p, size_t s, size_t a,
                        const config_setting_t *g, sim_err *err)
{
    static const char *const keys[] = {
        "name",        "usage",        "offshore",
        "public_facing", "state_owned", "headquarters",
        "subsidiary_ownership", "listed_affiliate", NULL};
    mkt_account *acc = &p->sectors[s].accounts[a];
    const char *name;
    TRY(scen_as_group(g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(scen_get_string(g, "name", &name, err));
    TRY(check_account_name(p, s, a, name, config_setting_get_member(g, "name"),
                           err));
    if ((acc->name = strdup(name)) == NULL)
        return mkt_load__nomem(err);
    TRY(mkt_load__open_num(g, "usage", 0.0, 1e12, &acc->usage, err));
    TRY(scen_get_bool(g, "offshore", &acc->offshore, err));
    TRY(scen_get_bool(g, "public_facing", &acc->public_facing, err));
    TRY(scen_get_bool(g, "state_owned", &acc->state_owned, err));
    return mkt_load__account_legal(g, acc, err);
}

static int read_accounts(mkt_params *p, size_t s, const config_setting_t *sec,
                         sim_err *err)
{
    mkt_sector *sp = &p->sectors[s];
    if (!scen_has(sec, "large_accounts"))
        return SIM_OK;
    const config_setting_t *l;
    size_t n;
    TRY(scen_get_list(sec, "large_accounts", 0, SIZE_MAX, &l, &n, err));
    if (n > 0 && (sp->accounts = calloc(n, sizeof *sp->accounts)) == NULL)
        return mkt_load__nomem(err);
    sp->n_accounts = n;
    for (size_t a = 0; a < n; a++)
        TRY(read_account(p, s, a, config_setting_get_elem(l, (unsigned)a),
                         err));
    return SIM_OK;
}

/* Name, then the Bass coefficients, which must give someone a reason to
 * adopt: with p = q = 0 the hazard is 0 forever. */
static int read_adoption(mkt_params *p, size_t s, const config_setting_t *g,
                         sim_err *err)
{
    mkt_sector *sp = &p->sectors[s];
    const char *name;
    TRY(scen_get_string(g, "name", &name, err));
    for (size_t t = 0; t < s; t++)
        if (strcmp(p->sectors[t].name, name) == 0)
            return scen_error(err, config_setting_get_member(g, "name"),
                              "duplicate sector name '%s' (already "
                              "enterprises.sectors.[%zu])",
                              name, t);
    if ((sp->name = strdup(name)) == NULL)
        return mkt_load__nomem(err);
    TRY(scen_get_prob(g, "share", &sp->share, err));
    TRY(scen_get_number(g, "bass_p", 0.0, 100.0, &sp->bass_p, err));
    TRY(scen_get_number(g, "bass_q", 0.0, 100.0, &sp->bass_q, err));
    if (!(sp->bass_p + sp->bass_q > 0.0))
        return scen_error(err, config_setting_get_member(g, "bass_q"),
                          "expected bass_p + bass_q > 0 (else no one ever "
                          "adopts), got 0 + 0");
    return scen_get_prob(g, "initial_adopters", &sp->initial_adopters, err);
}

/* price_elasticity is the elasticity's size: usage goes as P^-eps. People
 * write elasticities negative, so a negative one gets told how to write
 * it rather than only the range. */
static int read_elasticity(const config_setting_t *g, double *out,
                           sim_err *err)
{
    TRY(mkt_load__opt_num(g, "price_elasticity", -1e300, 1e300, 0.0, out,
                          err));
    if (*out >= 0.0 && *out <= 10.0)
        return SIM_OK;
    const config_setting_t *s = config_setting_get_member(g,
                                                          "price_elasticity");
    if (*out < 0.0 && *out >= -10.0)
        return scen_error(err, s,
                          "expected the elasticity's size, a number in [0, "
                          "10] (write %g for an elasticity of %g), got %g",
                          -*out, *out, *out);
    return scen_error(err, s, "expected a number in [0, 10], got %g", *out);
}

static int read_sector(mkt_params *p, size_t s, const config_setting_t *g,
                       sim_err *err)
{
    static const char *const keys[] = {"name",
                                       "share",
                                       "bass_p",
                                       "bass_q",
                                       "initial_adopters",
                                       "usage_median",
                                       "usage_sigma",
                                       "price_elasticity",
                                       "reference_price",
                                       "demand_growth",
                                       "offshore_share",
                                       "public_facing_share",
                                       "state_owned_share",
                                       "buyer_kind",
                                       "headquarters_abroad_share",
                                       "listed_affiliate_share",
                                       "subsidiary_ownership",
                                       "choice",
                                       "contract_months",
                                       "shock_review_prob",
                                       "large_accounts",
                                       NULL};
    mkt_sector *sp = &p->sectors[s];
    TRY(scen_as_group(g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(read_adoption(p, s, g, err));
    TRY(mkt_load__open_num(g, "usage_median", 0.0, 1e12, &sp->usage_median,
                           err));
    TRY(scen_get_number(g, "usage_sigma", 0.0, 10.0, &sp->usage_sigma, err));
    TRY(read_elasticity(g, &sp->price_elasticity, err));
    sp->reference_price = 1.0;
    if (scen_has(g, "reference_price"))
        TRY(mkt_load__open_num(g, "reference_price", 0.0, 10000.0,
                               &sp->reference_price, err));
    TRY(mkt_load__open_num(g, "demand_growth", -1.0, 100.0, &sp->demand_growth,
                           err));
    TRY(scen_get_prob(g, "offshore_share", &sp->offshore_share, err));
    TRY(scen_get_prob(g, "public_facing_share", &sp->public_facing_share, err));
    TRY(scen_get_prob(g, "state_owned_share", &sp->state_owned_share, err));
    TRY(mkt_load__sector_legal(g, sp, err));
    TRY(read_choice(g, sp, err));
    TRY(mkt_load__open_num(g, "contract_months", 0.0, 1200.0,
                           &sp->contract_months, err));
    TRY(scen_get_prob(g, "shock_review_prob", &sp->shock_review_prob, err));
    return read_accounts(p, s, g, err);
}

typedef struct {
    double rem; /* fractional part of the sector's quota */
    size_t idx; /* the sector */
} quota_part;

/* Larger remainder first; equal ones by lower sector index, so the order is
 * total and qsort's instability cannot show. */
static int by_remainder(const void *a, const void *b)
{
    const quota_part *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sector counts by largest remainder (see the top of the file), then the
 * weights. sum is the sum of the shares. */
static int apportion(mkt_params *p, double sum, sim_err *err)
{
    size_t n = p->n_sectors;
    quota_part *r = malloc(n * sizeof *r);
    if (r == NULL)
        return mkt_load__nomem(err);
    uint64_t given = 0;
    for (size_t s = 0; s < n; s++) {
        double quota = p->sectors[s].share / sum * p->count;
        double whole = fmin(floor(quota), p->count);
        p->sectors[s].count = (uint32_t)whole;
        given += p->sectors[s].count;
        r[s] = (quota_part){quota - whole, s};
    }
    qsort(r, n, sizeof *r, by_remainder);
    /* The floors fall short by fewer than n. Rounding in a quota just under
     * a whole number can make them overshoot instead; the excess is taken
     * back from the smallest remainders. */
    for (size_t k = 0; given < p->count; k = (k + 1) % n) {
        p->sectors[r[k].idx].count++;
        given++;
    }
    for (size_t k = n - 1; given > p->count; k = k > 0 ? k - 1 : n - 1)
        if (p->sectors[r[k].idx].count > 0) {
            p->sectors[r[k].idx].count--;
            given--;
        }
    free(r);
    for (size_t s = 0; s < n; s++) {
        mkt_sector *sp = &p->sectors[s];
        sp->weight = sp->count > 0 ? p->firms * sp->share / sp->count : 0.0;
    }
    return SIM_OK;
}

static int read_sectors(const config_setting_t *ent, mkt_params *p,
                        sim_err *err)
{
    const config_setting_t *l;
    size_t n;
    TRY(scen_get_list(ent, "sectors", 1, MKT_MAX_SECTORS, &l, &n, err));
    if ((p->sectors = calloc(n, sizeof *p->sectors)) == NULL)
        return mkt_load__nomem(err);
    p->n_sectors = n;
    double sum = 0.0;
    for (size_t s = 0; s < n; s++) {
        TRY(read_sector(p, s, config_setting_get_elem(l, (unsigned)s), err));
        sum += p->sectors[s].share;
    }
    if (!(fabs(sum - 1.0) <= 1e-6))
        return scen_error(err, l,
                          "the sectors' shares sum to %.9g, expected 1 "
                          "(within 1e-6)",
                          sum);
    return apportion(p, sum, err);
}

int mkt_load__enterprises(const config_setting_t *root, mkt_params *p,
                          sim_err *err)
{
    static const char *const keys[] = {"count", "firms", "sectors", NULL};
    const config_setting_t *g;
    TRY(scen_get_group(root, "enterprises", &g, err));
    TRY(scen_check_keys(g, keys, err));
    TRY(mkt_load__u32(g, "count", 1, 100000000, &p->count, err));
    TRY(mkt_load__opt_num(g, "firms", 1.0, 1e10, p->count, &p->firms, err));
    return read_sectors(g, p, err);
}
