/* phold_opts.h -- the command line shared by bench/phold and bench/heap_limit.
 *
 * Both programs take the same options and draw the same random numbers in the
 * same order, so their rates compare: heap_limit is the ceiling a heap-based
 * engine can approach on this workload, phold is what the engine achieves.
 * Header-only: two small programs, one parser.
 */
#ifndef AIMS_PHOLD_OPTS_H
#define AIMS_PHOLD_OPTS_H

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    unsigned long lps, start_events;
    double remote, mean, lookahead, end;
    unsigned long long seed;
    const char *queue; /* phold only */
    const char *rng;   /* GSL generator name; NULL: taus2 */
} phold_opts;

static inline double phold_wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU time of this process: on a shared machine a run that is descheduled
 * loses wall time but not CPU time, so rates by CPU time compare better. */
static inline double phold_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline int phold_bad(const char *prog, const char *opt, const char *val,
                            const char *want)
{
    fprintf(stderr, "%s: %s: expected %s, got '%s'\n", prog, opt, want,
            val ? val : "(nothing)");
    return 2;
}

/* Parses argv into o (defaults: ROSS's phold defaults scaled to the issue's
 * sizes). Returns 0, or 2 after printing a one-line message. */
static inline int phold_parse(int argc, char **argv, phold_opts *o,
                              int with_queue)
{
    const char *prog = argv[0];
    *o = (phold_opts){.lps = 1024,
                      .start_events = 1,
                      .remote = 0.25,
                      .mean = 1.0,
                      .lookahead = 0.1,
                      .end = 10000.0,
                      .seed = 1};
    for (int i = 1; i < argc; i += 2) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *endp = NULL;
        errno = 0;
        if (strcmp(k, "--lps") == 0 || strcmp(k, "--start-events") == 0 ||
            strcmp(k, "--seed") == 0) {
            if (v == NULL || v[0] == '-')
                return phold_bad(prog, k, v, "a non-negative integer");
            unsigned long long x = strtoull(v, &endp, 10);
            if (*endp != '\0' || endp == v || errno != 0)
                return phold_bad(prog, k, v, "a non-negative integer");
            if (strcmp(k, "--seed") == 0)
                o->seed = x;
            else if (x == 0 || x > 100000000ull)
                return phold_bad(prog, k, v, "an integer in [1, 1e8]");
            else if (strcmp(k, "--lps") == 0)
                o->lps = (unsigned long)x;
            else
                o->start_events = (unsigned long)x;
        } else if (strcmp(k, "--remote") == 0 || strcmp(k, "--mean") == 0 ||
                   strcmp(k, "--lookahead") == 0 || strcmp(k, "--end") == 0) {
            double x = v ? strtod(v, &endp) : (double)NAN;
            if (v == NULL || *endp != '\0' || endp == v || !isfinite(x) ||
                x < 0)
                return phold_bad(prog, k, v, "a finite number >= 0");
            if (strcmp(k, "--remote") == 0) {
                if (x > 1)
                    return phold_bad(prog, k, v, "a probability in [0, 1]");
                o->remote = x;
            } else if (strcmp(k, "--mean") == 0) {
                o->mean = x;
            } else if (strcmp(k, "--lookahead") == 0) {
                o->lookahead = x;
            } else {
                o->end = x;
            }
        } else if (strcmp(k, "--queue") == 0 && with_queue) {
            if (v == NULL)
                return phold_bad(prog, k, v, "a queue name");
            o->queue = v;
        } else if (strcmp(k, "--rng") == 0) {
            if (v == NULL)
                return phold_bad(prog, k, v, "a GSL generator name");
            o->rng = v;
        } else {
            fprintf(stderr,
                    "%s: unknown option '%s' (expected --lps N --start-events "
                    "E --remote F "
                    "--mean M --lookahead L --end T --seed S%s [--rng NAME])\n",
                    prog, k, with_queue ? " [--queue NAME]" : "");
            return 2;
        }
    }
    if (!(o->mean > o->lookahead)) {
        fprintf(stderr, "%s: --mean (%g) must exceed --lookahead (%g)\n", prog,
                o->mean, o->lookahead);
        return 2;
    }
    return 0;
}

/* seconds: wall time of the run loop; cpu: its CPU time. */
static inline void phold_report(unsigned long long events, double seconds,
                                double cpu)
{
    printf("events: %llu\nseconds: %.6f\nevents_per_second: %.0f\n"
           "cpu_seconds: %.6f\nevents_per_cpu_second: %.0f\n",
           events, seconds, seconds > 0 ? (double)events / seconds : 0.0, cpu,
           cpu > 0 ? (double)events / cpu : 0.0);
}

#endif
