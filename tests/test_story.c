/* test_story.c -- the seed articles' story, out of the shipped scenarios.
 *
 * Each test loads scenarios/NAME.cfg through the real loader, sets the
 * population size through the same override `--set` applies (the shipped
 * 20,000), runs REPS replications with one seed, and asserts the direction
 * of an effect with a 95% Student-t interval that must exclude zero. Scenarios compared share the seed, so
 * replication k of each draws the same population and adoption times
 * (common random numbers) and the differences are paired by replication.
 *
 *  - baseline: most enterprise frontier access goes through the onshore
 *    intermediary;
 *  - partnership_loss: frontier access falls after the wind-down (against
 *    its own pre-shock level and against the baseline) and the domestic
 *    share of adopters rises;
 *  - commerce_tightening: the onshore intermediary's operator and parent
 *    earn less than in the baseline;
 *  - vendor_blocks: nobody is on the offshore route to OpenAI after the
 *    block, in any month.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mkt.h"
#include "scen.h"

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

enum { REPS = 20, COUNT = 20000 };
#define NCH MKT_N_CHANNELS

typedef struct {
    mkt_params *p;
    mkt_results r[REPS];
} story;

static void run_scenario(const char *name, story *s, mkt_run_opts *o)
{
    char path[512], count[64];
    snprintf(path, sizeof path, "%s/scenarios/%s.cfg", AIMS_SOURCE_DIR, name);
    snprintf(count, sizeof count, "enterprises.count=%d", COUNT);
    sim_err err = {0};
    scen_doc *doc = NULL;
    cr_assert_eq(scen_load(path, &doc, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(scen_set(doc, count, &err), SIM_OK, "%s", err.msg);
    cr_assert_eq(mkt_load(doc, &s->p, &err), SIM_OK, "%s", err.msg);
    scen_free(doc);
    for (uint32_t k = 0; k < REPS; k++) {
        cr_assert_eq(mkt_results_init(&s->r[k], s->p, &err), SIM_OK);
        cr_assert_eq(mkt_run(s->p, 424242, k, o, &s->r[k], &err), SIM_OK,
                     "%s rep %u: %s", name, k, err.msg);
    }
}

static void free_story(story *s)
{
    for (size_t k = 0; k < REPS; k++)
        mkt_results_fini(&s->r[k]);
    mkt_params_free(s->p);
}

/* Mean and 95% half-width of x[0..REPS). */
static double ci(const double *x, double *hw)
{
    double m = 0, ss = 0;
    for (size_t i = 0; i < REPS; i++)
        m += x[i] / REPS;
    for (size_t i = 0; i < REPS; i++)
        ss += (x[i] - m) * (x[i] - m);
    *hw = gsl_cdf_tdist_Pinv(0.975, REPS - 1) * sqrt(ss / (REPS - 1)) /
          sqrt((double)REPS);
    return m;
}

static size_t actor(const mkt_params *p, const char *name)
{
    for (size_t a = 0; a < p->n_actors; a++)
        if (strcmp(p->actors[a], name) == 0)
            return a;
    cr_assert_fail("no actor %s", name);
    return 0;
}

static double at(const mkt_results *r, int month, int ch)
{
    return r->channel_count[(size_t)(month - 1) * NCH + (size_t)ch];
}

Test(story, baseline_frontier_access_goes_mostly_onshore, .timeout = 300)
{
    story b;
    run_scenario("baseline", &b, NULL);
    /* Frontier models are the US vendors' here (the best domestic model
     * stays more than frontier_tolerance behind over the horizon, checked
     * through the capability gap), so frontier users are the users of the
     * US-model channels. */
    double x[REPS], hw;
    for (int month = 12; month <= 60; month += 24) {
        for (size_t k = 0; k < REPS; k++) {
            const mkt_results *r = &b.r[k];
            double frontier = at(r, month, MKT_CH_DIRECT) +
                              at(r, month, MKT_CH_ONSHORE) +
                              at(r, month, MKT_CH_OFFSHORE) +
                              at(r, month, MKT_CH_GRAY);
            x[k] = at(r, month, MKT_CH_ONSHORE) / frontier;
        }
        double m = ci(x, &hw);
        cr_log_info("baseline month %d: onshore share of frontier access "
                    "%.3f +- %.3f",
                    month, m, hw);
        cr_assert_gt(m - hw, 0.5, "month %d: onshore %.3f +- %.3f", month, m,
                     hw);
    }
    free_story(&b);
}

Test(story, partnership_loss_cuts_frontier_access_and_feeds_domestic,
     .timeout = 300)
{
    story b, l;
    run_scenario("baseline", &b, NULL);
    run_scenario("partnership_loss", &l, NULL);
    /* The wind-down starts at month 12 and ends at 24. */
    double own[REPS], vs_base[REPS], dom[REPS], hw;
    for (size_t k = 0; k < REPS; k++) {
        const mkt_results *rb = &b.r[k], *rl = &l.r[k];
        own[k] =
            rl->frontier_access_share[29] - rl->frontier_access_share[10];
        vs_base[k] =
            rl->frontier_access_share[29] - rb->frontier_access_share[29];
        dom[k] = at(rl, 30, MKT_CH_DOMESTIC) / rl->adopters[29] -
                 at(rb, 30, MKT_CH_DOMESTIC) / rb->adopters[29];
        /* After the wind-down nobody is on the onshore channel. */
        for (int m = 24; m <= 60; m++)
            cr_assert_eq(at(rl, m, MKT_CH_ONSHORE), 0, "month %d", m);
    }
    double m1 = ci(own, &hw);
    cr_log_info("partnership_loss: frontier share month 30 - month 11: "
                "%.3f +- %.3f",
                m1, hw);
    cr_assert_lt(m1 + hw, 0);
    double m2 = ci(vs_base, &hw);
    cr_log_info("partnership_loss - baseline, frontier share month 30: "
                "%.3f +- %.3f",
                m2, hw);
    cr_assert_lt(m2 + hw, 0);
    double m3 = ci(dom, &hw);
    cr_log_info("partnership_loss - baseline, domestic share month 30: "
                "%.3f +- %.3f",
                m3, hw);
    cr_assert_gt(m3 - hw, 0);
    free_story(&b);
    free_story(&l);
}

Test(story, commerce_tightening_cuts_the_intermediarys_revenue,
     .timeout = 300)
{
    story b, c;
    run_scenario("baseline", &b, NULL);
    run_scenario("commerce_tightening", &c, NULL);
    const char *who[] = {"21vianet", "microsoft"};
    for (size_t w = 0; w < 2; w++) {
        size_t a = actor(b.p, who[w]);
        cr_assert_str_eq(c.p->actors[a], who[w]);
        double d[REPS], hw;
        for (size_t k = 0; k < REPS; k++)
            d[k] = (c.r[k].cumulative_revenue[a] -
                    b.r[k].cumulative_revenue[a]) /
                   b.r[k].cumulative_revenue[a];
        double m = ci(d, &hw);
        cr_log_info("commerce_tightening - baseline, %s cumulative revenue: "
                    "%+.3f +- %.3f (relative)",
                    who[w], m, hw);
        cr_assert_lt(m + hw, 0, "%s: %+.3f +- %.3f", who[w], m, hw);
    }
    free_story(&b);
    free_story(&c);
}

typedef struct {
    size_t offshore_openai, months;
} blocks_watch;

static void watch_blocks(void *ctx, const mkt_world *w, uint32_t month)
{
    blocks_watch *x = ctx;
    if (month < 6)
        return;
    x->months++;
    x->offshore_openai += mkt_world_users(w, MKT_CH_OFFSHORE, MKT_NO_INDEX, 0);
    cr_assert_eq(mkt_world_unavailable_users(w), 0u, "month %u", month);
}

Test(story, vendor_blocks_close_the_offshore_route, .timeout = 300)
{
    blocks_watch x = {0};
    mkt_run_opts o = {.on_month = watch_blocks, .ctx = &x};
    story v;
    run_scenario("vendor_blocks", &v, &o);
    cr_assert_str_eq(v.p->vendors[0].id, "openai");
    cr_assert_eq(x.months, (size_t)REPS * 55);
    cr_assert_eq(x.offshore_openai, 0u);
    /* ... where the baseline's offshore route was in use before. */
    double before = 0;
    for (size_t k = 0; k < REPS; k++)
        before += at(&v.r[k], 5, MKT_CH_OFFSHORE);
    cr_assert_gt(before, 0);
    free_story(&v);
}
