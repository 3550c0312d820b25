/* mmc.c -- the M/M/c model (see mmc.h).
 *
 * Two event kinds. An arrival joins a free server or the FIFO and schedules the
 * next arrival; a departure frees its server or starts the head of the FIFO.
 * Waiting customers are a ring buffer of arrival times, grown geometrically (no
 * allocation per customer).
 *
 * The measured window is [arrival of customer `warmup`, arrival of customer
 * `warmup + customers`): time averages are taken over it, and no arrivals are
 * generated after it. The measured customers still queued at its end are served
 * (the run drains), so every measured customer's wait is counted and none is
 * biased short by truncation.
 *
 * W is recorded at the start of service as wait + service time: the service
 * time is drawn then, so W needs no second event. Time averages use slices of
 * one mean interarrival time (any slice much shorter than a batch works; see
 * sim/stats.h).
 */
#include "mmc.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "engine.h"
#include "stats.h"

enum { EV_ARRIVE = 1, EV_DEPART = 2 };

typedef struct {
    const mmc_params *p;
    sim_rng *arrivals, *service;
    double *fifo; /* ring buffer: arrival times of the waiting customers */
    bool *fifo_measured; /* parallel ring: does that customer belong to the
                            window? */
    size_t head, len, cap;
    uint32_t busy;
    uint64_t arrived;
    bool measuring, window_closed;
    double t_end;
    sim_stats_batch wq, w;
    sim_stats_tbatch lq, l, util;
} mmc_model;

int mmc_check(const mmc_params *p, sim_err *err)
{
    if (!(p->lambda > 0) || !isfinite(p->lambda))
        return sim_err_set(err, SIM_EINVAL,
                           "--lambda: expected a finite rate > 0, got %g",
                           p->lambda);
    if (!(p->mu > 0) || !isfinite(p->mu))
        return sim_err_set(err, SIM_EINVAL,
                           "--mu: expected a finite rate > 0, got %g", p->mu);
    if (p->servers == 0)
        return sim_err_set(err, SIM_EINVAL,
                           "--servers: expected an integer >= 1, got 0");
    double rho = p->lambda / (p->servers * p->mu);
    if (!(rho < 1))
        return sim_err_set(
            err, SIM_EINVAL,
            "load rho = lambda / (servers * mu) = %g: expected < 1 (the queue "
            "would grow without bound)",
            rho);
    if (p->customers == 0)
        return sim_err_set(err, SIM_EINVAL,
                           "--customers: expected an integer >= 1, got 0");
    if (p->warmup > UINT64_MAX - p->customers)
        return sim_err_set(
            err, SIM_EINVAL,
            "--warmup + --customers: expected a total below 2^64, got "
            "%llu + %llu",
            (unsigned long long)p->warmup, (unsigned long long)p->customers);
    if (p->batches != 0 && (p->batches < 2 || p->batches > SIM_BATCH_MAX_K))
        return sim_err_set(err, SIM_EINVAL,
                           "batches: expected an integer in [2, %d], got %u",
                           SIM_BATCH_MAX_K, p->batches);
    return SIM_OK;
}

mmc_exact mmc_exact_values(const mmc_params *p)
{
    const double a = p->lambda / p->mu; /* offered load in servers */
    const double c = p->servers;
    /* Erlang B by its stable recursion B(k) = a B(k-1) / (k + a B(k-1)), then
     * Erlang C. */
    double b = 1.0;
    for (uint32_t k = 1; k <= p->servers; k++)
        b = a * b / (k + a * b);
    mmc_exact x;
    x.p_wait = c * b / (c - a * (1.0 - b));
    x.utilization = a / c;
    x.mean_wait = x.p_wait / (c * p->mu - p->lambda);
    x.mean_queue_length = p->lambda * x.mean_wait;
    x.mean_system_time = x.mean_wait + 1.0 / p->mu;
    x.mean_in_system = p->lambda * x.mean_system_time; /* Little's law */
    return x;
}

static int fifo_push(mmc_model *m, double t, bool measured)
{
    if (m->len == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 1024;
        double *f = malloc(cap * sizeof *f);
        bool *fm = malloc(cap * sizeof *fm);
        if (f == NULL || fm == NULL) {
            free(f);
            free(fm);
            return SIM_ENOMEM;
        }
        for (size_t i = 0; i < m->len;
             i++) { /* unwrap the ring into the new buffer */
            f[i] = m->fifo[(m->head + i) % m->cap];
            fm[i] = m->fifo_measured[(m->head + i) % m->cap];
        }
        free(m->fifo);
        free(m->fifo_measured);
        m->fifo = f;
        m->fifo_measured = fm;
        m->head = 0;
        m->cap = cap;
    }
    size_t i = (m->head + m->len) % m->cap;
    m->fifo[i] = t;
    m->fifo_measured[i] = measured;
    m->len++;
    return SIM_OK;
}

static void observe_state(mmc_model *m, double now)
{
    if (!m->measuring)
        return;
    sim_stats_tbatch_set(&m->lq, now, (double)m->len);
    sim_stats_tbatch_set(&m->l, now, (double)(m->len + m->busy));
    sim_stats_tbatch_set(&m->util, now, (double)m->busy / m->p->servers);
}

/* Starts service now for a customer who arrived at `arrived_at`. */
static int start_service(sim_engine *eng, mmc_model *m, double arrived_at,
                         bool measured, uint32_t target)
{
    double now = sim_now(eng);
    double s = sim_rng_exp_rate(m->service, m->p->mu);
    if (measured) {
        sim_stats_batch_add(&m->wq, now - arrived_at);
        sim_stats_batch_add(&m->w, now - arrived_at + s);
    }
    sim_msg d = {.kind = EV_DEPART, .target = target};
    return sim_schedule(eng, s, &d, NULL);
}

static int on_arrive(sim_engine *eng, void *ctx, const sim_msg *msg)
{
    (void)msg;
    mmc_model *m = ctx;
    const mmc_params *p = m->p;
    double now = sim_now(eng);
    uint64_t idx = m->arrived++;
    if (idx == p->warmup) {
        /* The window opens: statistics start from the state the warm-up left.
         */
        double slice = 1.0 / p->lambda;
        unsigned k = p->batches ? p->batches : 20;
        sim_stats_batch_init(&m->wq, k);
        sim_stats_batch_init(&m->w, k);
        sim_stats_tbatch_init(&m->lq, k, now, (double)m->len, slice);
        sim_stats_tbatch_init(&m->l, k, now, (double)(m->len + m->busy), slice);
        sim_stats_tbatch_init(&m->util, k, now, (double)m->busy / p->servers,
                              slice);
        m->measuring = true;
    }
    if (idx == p->warmup + p->customers) {
        /* The window closes at this (unadmitted) arrival; the system drains. */
        m->measuring = false;
        m->window_closed = true;
        m->t_end = now;
        return SIM_OK;
    }
    bool measured = idx >= p->warmup;
    int rc;
    if (m->busy < p->servers) {
        m->busy++;
        rc = start_service(eng, m, now, measured, 0);
    } else {
        rc = fifo_push(m, now, measured);
    }
    if (rc != SIM_OK)
        return rc;
    observe_state(m, now);
    sim_msg next = {.kind = EV_ARRIVE};
    return sim_schedule(eng, sim_rng_exp_rate(m->arrivals, p->lambda), &next,
                        NULL);
}

static int on_depart(sim_engine *eng, void *ctx, const sim_msg *msg)
{
    mmc_model *m = ctx;
    int rc = SIM_OK;
    if (m->len > 0) {
        double t = m->fifo[m->head];
        bool measured = m->fifo_measured[m->head];
        m->head = (m->head + 1) % m->cap;
        m->len--;
        rc = start_service(eng, m, t, measured, msg->target);
    } else {
        m->busy--;
    }
    observe_state(m, sim_now(eng));
    return rc;
}

static mmc_estimate estimate(sim_stats_batch_result r)
{
    return (mmc_estimate){r.mean, r.half_width, r.batches};
}

int mmc_run(const mmc_params *p, mmc_result *out, sim_err *err)
{
    int rc = mmc_check(p, err);
    if (rc != SIM_OK)
        return rc;
    sim_engine *eng = NULL;
    sim_engine_opts eo = {
        .seed = p->seed, .rep = p->rep, .capacity = p->servers + 1};
    if ((rc = sim_engine_new_opts(&eo, &eng, err)) != SIM_OK)
        return rc;
    mmc_model m = {.p = p};
    m.arrivals = sim_engine_rng(eng, "arrivals", err);
    m.service = sim_engine_rng(eng, "service", err);
    if (m.arrivals == NULL || m.service == NULL) {
        rc = SIM_ENOMEM;
        goto done;
    }
    sim_on(eng, EV_ARRIVE, on_arrive, &m);
    sim_on(eng, EV_DEPART, on_depart, &m);
    sim_msg first = {.kind = EV_ARRIVE};
    if ((rc = sim_schedule(eng, sim_rng_exp_rate(m.arrivals, p->lambda), &first,
                           NULL)) != SIM_OK ||
        (rc = sim_run_all(eng)) != SIM_OK) {
        sim_err_set(err, rc, "M/M/c run failed: %s", sim_strerror(rc));
        goto done;
    }
    out->mean_wait = estimate(sim_stats_batch_result_get(&m.wq));
    out->mean_system_time = estimate(sim_stats_batch_result_get(&m.w));
    out->mean_queue_length =
        estimate(sim_stats_tbatch_result_get(&m.lq, m.t_end));
    out->mean_in_system = estimate(sim_stats_tbatch_result_get(&m.l, m.t_end));
    out->utilization = estimate(sim_stats_tbatch_result_get(&m.util, m.t_end));
    out->events = sim_events_handled(eng);
done:
    free(m.fifo);
    free(m.fifo_measured);
    sim_engine_free(eng);
    return rc;
}
