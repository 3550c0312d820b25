/* summary.c -- headline numbers: final frontier access (the thresholded
 * share and the continuous index), channel shares of adopters, cumulative
 * revenue by actor, months to half access. "final" is a mean over the last
 * scenario.final_window_months months (books.c), not the last month alone:
 * the thresholded share jumps when a model crosses the tolerance, and a
 * headline should not sit on that edge. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "summary.h"

struct cli_summary {
    const mkt_params *p;
    size_t reps;
    double *share;   /* [rep] final frontier access share */
    double *index;   /* [rep] final frontier access index */
    double *half;    /* [rep] months to half access (NaN: never) */
    double *channel; /* [rep][channel] final share of adopters */
    double *revenue; /* [rep][actor] cumulative */
};

cli_summary *cli_summary_new(const mkt_params *p, size_t reps)
{
    cli_summary *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = p;
    s->reps = reps;
    s->share = calloc(reps, sizeof *s->share);
    s->index = calloc(reps, sizeof *s->index);
    s->half = calloc(reps, sizeof *s->half);
    s->channel = calloc(reps * MKT_N_CHANNELS, sizeof *s->channel);
    s->revenue = calloc(reps * (p->n_actors ? p->n_actors : 1),
                        sizeof *s->revenue);
    if (!s->share || !s->index || !s->half || !s->channel || !s->revenue) {
        cli_summary_free(s);
        return NULL;
    }
    return s;
}

void cli_summary_add(cli_summary *s, size_t rep, const mkt_results *r)
{
    s->share[rep] = r->final_frontier_access_share;
    s->index[rep] = r->final_frontier_access_index;
    s->half[rep] = r->months_to_half_access;
    for (int c = 0; c < MKT_N_CHANNELS; c++)
        s->channel[rep * MKT_N_CHANNELS + (size_t)c] =
            r->final_channel_share[c];
    for (size_t a = 0; a < r->n_actors; a++)
        s->revenue[rep * r->n_actors + a] = r->cumulative_revenue[a];
}

/* Mean and 95% half-width of x[k * stride] over n values, NaNs skipped;
 * returns the count used. */
static size_t interval(const double *x, size_t n, size_t stride,
                       double *mean, double *hw)
{
    size_t k = 0;
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (isnan(v))
            continue;
        k++;
        double d = v - m;
        m += d / (double)k;
        ss += d * (v - m);
    }
    *mean = k ? m : (double)NAN;
    *hw = k > 1 ? gsl_cdf_tdist_Pinv(0.975, (double)k - 1) *
                      sqrt(ss / (double)(k - 1)) / sqrt((double)k)
                : (double)NAN;
    return k;
}

/* "m +- hw", or just m when there is no interval (one replication); shares
 * with 4 decimals (a half-width of a few 1e-4 is common), money with 3 in
 * the table's unit (money_unit). */
static void value(FILE *f, bool money, double unit, double m, double hw)
{
    if (money)
        fprintf(f, "%10.3f", m / unit);
    else
        fprintf(f, "%.4f", m);
    if (!isnan(hw))
        fprintf(f, " +- %.*f", money ? 3 : 4, money ? hw / unit : hw);
    fputc('\n', f);
}

/* One unit for a table of money, by its largest value, so that no line
 * reads like 1.523e+10 (the plots do the same, docs/plots.md). */
static double money_unit(double largest, const char **name)
{
    static const struct {
        double unit;
        const char *name;
    } units[] = {{1e9, "USD billion"},
                 {1e6, "USD million"},
                 {1e3, "USD thousand"}};
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
        if (fabs(largest) >= units[k].unit) {
            *name = units[k].name;
            return units[k].unit;
        }
    *name = "USD";
    return 1.0;
}

void cli_summary_print(const cli_summary *s, FILE *f)
{
    const mkt_params *p = s->p;
    double m, hw;
    uint32_t w = p->final_window_months, h = p->horizon_months;
    if (w == 1)
        fprintf(f, "  final: month %u (scenario.final_window_months = 1)\n",
                h);
    else
        fprintf(f, "  final: means over months %u-%u "
                   "(scenario.final_window_months = %u)\n",
                h - w + 1, h, w);
    interval(s->share, s->reps, 1, &m, &hw);
    fprintf(f, "  %-44s", "final frontier access share of adopters");
    value(f, false, 1.0, m, hw);
    char label[64];
    snprintf(label, sizeof label,
             "final frontier access index (tau %g points)", p->frontier_tau);
    interval(s->index, s->reps, 1, &m, &hw);
    fprintf(f, "  %-44s", label);
    value(f, false, 1.0, m, hw);
    fprintf(f, "  final channel shares of adopters:\n");
    for (int c = 0; c < MKT_N_CHANNELS; c++) {
        interval(s->channel + c, s->reps, MKT_N_CHANNELS, &m, &hw);
        fprintf(f, "    %-9s ", mkt_channel_name(c));
        value(f, false, 1.0, m, hw);
    }
    double largest = 0;
    for (size_t a = 0; a < p->n_actors; a++) {
        interval(s->revenue + a, s->reps, p->n_actors, &m, &hw);
        if (fabs(m) > largest)
            largest = fabs(m);
    }
    const char *unit_name;
    double unit = money_unit(largest, &unit_name);
    fprintf(f, "  cumulative revenue over %u months (%s):\n", p->horizon_months,
            unit_name);
    for (size_t a = 0; a < p->n_actors; a++) {
        interval(s->revenue + a, s->reps, p->n_actors, &m, &hw);
        fprintf(f, "    %-16s ", p->actors[a]);
        value(f, true, unit, m, hw);
    }
    bool shock = false;
    for (size_t e = 0; e < p->n_events; e++)
        shock = shock || p->events[e].shock;
    size_t k = interval(s->half, s->reps, 1, &m, &hw);
    if (!shock)
        fprintf(f, "  months to half access: no shock on the timeline\n");
    else if (k == 0)
        fprintf(f, "  frontier access never fell below half its level at "
                   "the first shock\n");
    else
        fprintf(f, "  months from the first shock to half access: %.1f +- "
                   "%.1f (in %zu of %zu replications)\n",
                m, hw, k, s->reps);
}

void cli_summary_free(cli_summary *s)
{
    if (!s)
        return;
    free(s->share);
    free(s->index);
    free(s->half);
    free(s->channel);
    free(s->revenue);
    free(s);
}
