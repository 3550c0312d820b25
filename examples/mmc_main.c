/* mmc_main.c -- build/mmc: one M/M/c replication from the command line.
 *
 *   mmc --lambda L --mu M --servers C [--customers N] [--warmup W] [--seed S]
 * [--batches K]
 *
 * Prints `key: value` lines (each estimate followed by `<key>_ci95`, its 95%
 * half-width), then the closed-form values under `exact_<key>`. Bad arguments
 * get a one-line message and exit status 2; a failed run exits 1.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "mmc.h"

static const char usage[] =
    "usage: mmc --lambda L --mu M --servers C [--customers N] [--warmup W] "
    "[--seed S]"
    " [--batches K]\n"
    "  L, M: arrival and service rates (> 0, L / (C M) < 1); C: servers (>= "
    "1)\n"
    "  N: measured customers (default 1000000); W: customers discarded first "
    "(default N/10)\n"
    "  S: seed (default 1); K: batch-means batches, 2..64 (default 20)\n";

static int bad(const char *opt, const char *got, const char *want)
{
    fprintf(stderr, "mmc: %s: expected %s, got '%s'\n", opt, want,
            got ? got : "(nothing)");
    return 2;
}

/* A finite number, the whole string. */
static int parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

/* A whole number in [lo, hi]; "2e6" is accepted when it is integral. */
static int parse_count(const char *s, double lo, double hi, uint64_t *out)
{
    double x;
    if (parse_double(s, &x) != 0 || x != floor(x) || x < lo || x > hi)
        return -1;
    *out = (uint64_t)x;
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    mmc_params p = {.customers = 1000000, .seed = 1};
    int have_lambda = 0, have_mu = 0, have_servers = 0, have_warmup = 0;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (strcmp(k, "-h") == 0 || strcmp(k, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        const char *v = i + 1 < argc ? argv[++i] : NULL;
        uint64_t n;
        if (strcmp(k, "--lambda") == 0 || strcmp(k, "--mu") == 0) {
            double x;
            if (parse_double(v, &x) != 0 || !(x > 0))
                return bad(k, v, "a rate, a finite number > 0");
            if (strcmp(k, "--lambda") == 0) {
                p.lambda = x;
                have_lambda = 1;
            } else {
                p.mu = x;
                have_mu = 1;
            }
        } else if (strcmp(k, "--servers") == 0) {
            if (parse_count(v, 1, 1e6, &n) != 0)
                return bad(k, v, "a whole number of servers in [1, 1000000]");
            p.servers = (uint32_t)n;
            have_servers = 1;
        } else if (strcmp(k, "--customers") == 0) {
            if (parse_count(v, 1, 1e12, &n) != 0)
                return bad(k, v, "a whole number of customers in [1, 1e12]");
            p.customers = n;
        } else if (strcmp(k, "--warmup") == 0) {
            if (parse_count(v, 0, 1e12, &n) != 0)
                return bad(k, v, "a whole number of customers in [0, 1e12]");
            p.warmup = n;
            have_warmup = 1;
        } else if (strcmp(k, "--seed") == 0) {
            if (parse_count(v, 0, 9007199254740992.0, &n) != 0)
                return bad(k, v, "a whole number in [0, 2^53]");
            p.seed = n;
        } else if (strcmp(k, "--batches") == 0) {
            if (parse_count(v, 2, 64, &n) != 0)
                return bad(k, v, "a whole number in [2, 64]");
            p.batches = (unsigned)n;
        } else {
            fprintf(stderr, "mmc: unknown option '%s' (try --help)\n", k);
            return 2;
        }
    }
    if (!have_lambda || !have_mu || !have_servers) {
        fprintf(stderr, "mmc: missing %s (try --help)\n",
                !have_lambda ? "--lambda"
                : !have_mu   ? "--mu"
                             : "--servers");
        return 2;
    }
    if (!have_warmup)
        p.warmup = p.customers / 10;
    sim_err err = {0};
    if (mmc_check(&p, &err) != SIM_OK) {
        fprintf(stderr, "mmc: %s\n", err.msg);
        return 2;
    }
    mmc_result r;
    if (mmc_run(&p, &r, &err) != SIM_OK) {
        fprintf(stderr, "mmc: %s\n", err.msg);
        return 1;
    }
    mmc_exact x = mmc_exact_values(&p);
    const struct {
        const char *key;
        mmc_estimate e;
        double exact;
    } rows[] = {
        {"utilization", r.utilization, x.utilization},
        {"mean_wait", r.mean_wait, x.mean_wait},
        {"mean_queue_length", r.mean_queue_length, x.mean_queue_length},
        {"mean_system_time", r.mean_system_time, x.mean_system_time},
        {"mean_in_system", r.mean_in_system, x.mean_in_system},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        printf("%s: %.9g\n%s_ci95: %.9g\n", rows[i].key, rows[i].e.value,
               rows[i].key, rows[i].e.ci95);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        printf("exact_%s: %.9g\n", rows[i].key, rows[i].exact);
    printf("customers: %llu\nwarmup: %llu\nevents: %llu\n",
           (unsigned long long)p.customers, (unsigned long long)p.warmup,
           (unsigned long long)r.events);
    return 0;
}
