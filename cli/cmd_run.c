/* cmd_run.c -- `aims run SCENARIO.cfg [-o OUT.h5] [-r REPS] [-s SEED]
 * [-j THREADS] [--set PATH=VALUE]... [--force] [--quiet]`.
 *
 * Worker threads take replication numbers from a shared counter and run
 * them, each with its own engine and streams (a replication depends only on
 * the seed and its number, so the thread that runs it does not matter). The
 * main thread writes finished replications into the file strictly in order
 * 0, 1, 2, ..., so the file is the same for any -j, and keeps only the
 * replications that finished ahead of the next one to write. It also draws
 * the progress line and watches for SIGINT and SIGTERM: then the workers stop
 * at their next month end, the temporary file is removed, nothing appears at
 * the target, and the exit status is 128 + the signal.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "runfile.h"
#include "summary.h"

static _Atomic int got_signal; /* the signal number, 0 for none */
static _Atomic int cancel_runs;

static void on_signal(int sig)
{
    atomic_store(&got_signal, sig);
    atomic_store(&cancel_runs, 1);
}

typedef struct {
    const mkt_params *p;
    uint64_t seed;
    uint32_t reps;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t next;        /* next replication to hand out */
    mkt_results *res;     /* [reps] */
    unsigned char *state; /* [reps] 0 pending, 1 done, 2 failed */
    sim_err err;          /* the first failure */
    uint64_t events;
} run_farm;

static void *worker(void *arg)
{
    run_farm *f = arg;
    for (;;) {
        pthread_mutex_lock(&f->mu);
        bool stop = f->next >= f->reps || atomic_load(&cancel_runs);
        uint32_t rep = f->next++;
        pthread_mutex_unlock(&f->mu);
        if (stop)
            return NULL;
        sim_err err = {0};
        mkt_run_opts o = {.cancel = &cancel_runs};
        int rc = mkt_results_init(&f->res[rep], f->p, &err);
        if (rc == SIM_OK)
            rc = mkt_run(f->p, f->seed, rep, &o, &f->res[rep], &err);
        pthread_mutex_lock(&f->mu);
        f->state[rep] = rc == SIM_OK ? 1 : 2;
        if (rc != SIM_OK && rc != SIM_ECANCELED && f->err.status == SIM_OK)
            f->err = err;
        if (rc != SIM_OK)
            atomic_store(&cancel_runs, 1);
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress(bool on, const char *name, uint32_t done, uint32_t reps,
                     double t0)
{
    if (!on)
        return;
    double el = now_seconds() - t0, rate = el > 0 ? done / el : 0;
    if (done == 0 || rate <= 0)
        fprintf(stderr, "\r\033[Kaims: %s: %u/%u replications", name, done,
                reps);
    else
        fprintf(stderr,
                "\r\033[Kaims: %s: %u/%u replications, %.2f/s, %.0f s left",
                name, done, reps, rate, (reps - done) / rate);
    fflush(stderr);
}

typedef struct {
    const char *scenario, *out;
    const char **sets;
    size_t n_sets;
    uint64_t reps, seed, threads;
    bool have_reps, have_seed, have_threads, force, quiet;
} run_args;

static void usage(FILE *f)
{
    fputs(
        "usage: aims run SCENARIO.cfg [-o OUT.h5] [-r REPS] [-s SEED] "
        "[-j THREADS]\n"
        "                [--set PATH=VALUE]... [--force] [--quiet]\n"
        "  -o, --output FILE     HDF5 output (default: SCENARIO's name with "
        ".h5,\n"
        "                        in the current directory)\n"
        "  -r, --replications N  replications (default: "
        "scenario.replications)\n"
        "  -s, --seed N          master seed (default: scenario.seed)\n"
        "  -j, --threads N       worker threads (default: the CPUs); the "
        "file is\n"
        "                        the same for any N\n"
        "  --set PATH=VALUE      override a scenario value, e.g.\n"
        "                        --set enterprises.sectors.[1].bass_q=0.6\n"
        "  --force               replace an existing output file\n"
        "  --quiet               no progress line or summary\n",
        f);
}

static int parse(int argc, char **argv, run_args *a)
{
    bool bad = false;
    for (int i = 1; i < argc && !bad;) {
        const char *v;
        if (cli_opt(argc, argv, &i, "-o", "--output", &v, &bad)) {
            a->out = v;
        } else if (cli_opt(argc, argv, &i, "-r", "--replications", &v,
                           &bad)) {
            bad = bad || !cli_parse_u64("-r", v, 1, 1000000, &a->reps);
            a->have_reps = true;
        } else if (cli_opt(argc, argv, &i, "-s", "--seed", &v, &bad)) {
            bad = bad || !cli_parse_u64("-s", v, 0, INT64_MAX, &a->seed);
            a->have_seed = true;
        } else if (cli_opt(argc, argv, &i, "-j", "--threads", &v, &bad)) {
            bad = bad || !cli_parse_u64("-j", v, 1, 1024, &a->threads);
            a->have_threads = true;
        } else if (cli_opt(argc, argv, &i, NULL, "--set", &v, &bad)) {
            a->sets[a->n_sets++] = v;
        } else if (strcmp(argv[i], "--force") == 0) {
            a->force = true;
            i++;
        } else if (strcmp(argv[i], "--quiet") == 0) {
            a->quiet = true;
            i++;
        } else if (strcmp(argv[i], "-h") == 0 ||
                   strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return -1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            cli_error("run: unknown option '%s'", argv[i]);
            bad = true;
        } else if (a->scenario) {
            cli_error("run: one scenario file at a time (got '%s' and '%s')",
                      a->scenario, argv[i]);
            bad = true;
        } else {
            a->scenario = argv[i++];
        }
    }
    if (!bad && !a->scenario) {
        cli_error("run: no scenario file given");
        bad = true;
    }
    if (bad) {
        usage(stderr);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* "dir/baseline.cfg" -> "baseline.h5" (in the current directory). */
static char *default_output(const char *scenario)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".cfg") == 0)
        n -= 4;
    char *out = malloc(n + 4);
    if (out) {
        memcpy(out, base, n);
        memcpy(out + n, ".h5", 4);
    }
    return out;
}

/* Refuses a run whose population would not fit: estimated before any
 * allocation, so 10^10 enterprises fails at once with the figure. */
static bool fits_in_memory(const mkt_params *p, uint64_t threads,
                           uint64_t reps)
{
    double per = mkt_memory_estimate(p);
    double need = per * (double)(threads < reps ? threads : reps);
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    double have = pages > 0 && size > 0 ? (double)pages * (double)size : 0;
    if (have > 0 && need > 0.8 * have) {
        cli_error("%s: %u enterprises need about %.3g GiB per replication "
                  "(%.3g GiB with %llu at once); this machine has %.3g GiB. "
                  "Lower enterprises.count (each simulated enterprise can "
                  "stand for many firms: enterprises.firms) or -j",
                  p->name, p->count, per / (1 << 30), need / (1 << 30),
                  (unsigned long long)(threads < reps ? threads : reps),
                  have / (1 << 30));
        return false;
    }
    return true;
}

static int simulate(const run_args *a, const mkt_params *p,
                    const char *text, const char *out)
{
    uint32_t reps = (uint32_t)(a->have_reps ? a->reps : p->replications);
    uint64_t seed = a->have_seed ? a->seed : p->seed;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t threads = a->have_threads ? a->threads
                                       : (uint64_t)(cpus > 0 ? cpus : 1);
    if (threads > reps)
        threads = reps;
    if (!fits_in_memory(p, threads, reps))
        return CLI_USAGE;

    sim_err err = {0};
    ana_run_meta meta = {.params = p,
                         .scenario_file = a->scenario,
                         .scenario_text = text,
                         .seed = seed,
                         .replications = reps,
                         .aims_version = cli_version(),
                         .git_commit = cli_git_commit()};
    ana_runfile *file = NULL;
    int rc = ana_runfile_new(out, a->force, &meta, &file, &err);
    if (rc != SIM_OK) {
        fprintf(stderr, "aims: %s\n", err.msg);
        return rc == SIM_EINVAL ? CLI_USAGE : CLI_FAIL;
    }

    run_farm f = {.p = p, .seed = seed, .reps = reps};
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cv, NULL);
    f.res = calloc(reps, sizeof *f.res);
    f.state = calloc(reps, 1);
    cli_summary *sum = cli_summary_new(p, reps);
    pthread_t *tid = calloc(threads, sizeof *tid);
    if (!f.res || !f.state || !sum || !tid) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    bool show = !a->quiet && isatty(STDERR_FILENO);
    double t0 = now_seconds(), shown = 0;
    size_t started = 0;
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, worker, &f) != 0)
            break;
    if (started == 0) {
        cli_error("cannot start a thread: %s", strerror(errno));
        rc = CLI_FAIL;
        goto done;
    }
    uint64_t events = 0;
    uint32_t written = 0;
    rc = CLI_OK;
    progress(show, p->name, 0, reps, t0);
    pthread_mutex_lock(&f.mu);
    while (written < reps && rc == CLI_OK) {
        if (f.state[written] == 0 && !atomic_load(&cancel_runs)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200 * 1000 * 1000; /* wake to draw progress */
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&f.cv, &f.mu, &ts);
        }
        if (atomic_load(&got_signal) || f.state[written] == 2) {
            rc = CLI_FAIL;
            break;
        }
        if (atomic_load(&cancel_runs) && f.state[written] == 0) {
            /* another replication failed: stop once workers notice */
            rc = CLI_FAIL;
            break;
        }
        while (written < reps && f.state[written] == 1) {
            mkt_results *r = &f.res[written];
            pthread_mutex_unlock(&f.mu);
            int wrc = ana_runfile_put(file, written, r, &err);
            cli_summary_add(sum, written, r);
            events += r->events;
            mkt_results_fini(r);
            pthread_mutex_lock(&f.mu);
            if (wrc != SIM_OK) {
                f.err = err;
                atomic_store(&cancel_runs, 1);
                rc = CLI_FAIL;
                break;
            }
            written++;
        }
        double t = now_seconds();
        if (show && t - shown > 0.2) {
            progress(show, p->name, written, reps, t0);
            shown = t;
        }
    }
    if (rc != CLI_OK)
        atomic_store(&cancel_runs, 1);
    pthread_mutex_unlock(&f.mu);
    for (size_t k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
    if (show)
        fputs("\r\033[K", stderr);
    double secs = now_seconds() - t0;

    int sig = atomic_load(&got_signal);
    if (sig) {
        ana_runfile_free(file); /* removes the temporary */
        file = NULL;
        cli_error("interrupted by signal %d; no file written to %s", sig,
                  out);
        rc = 128 + sig;
        goto done;
    }
    if (rc != CLI_OK) {
        fprintf(stderr, "aims: %s\n",
                f.err.status ? f.err.msg : "a replication failed");
        goto done;
    }
    rc = ana_runfile_commit(file, &err) == SIM_OK ? CLI_OK : CLI_FAIL;
    if (rc != CLI_OK) {
        fprintf(stderr, "aims: %s\n", err.msg);
        goto done;
    }
    if (!a->quiet) {
        struct rusage ru;
        double peak = getrusage(RUSAGE_SELF, &ru) == 0
                          ? (double)ru.ru_maxrss / 1024.0 /* KiB on Linux */
                          : (double)NAN;
        printf("wrote %s: scenario '%s', %u replications x %u months, seed "
               "%llu\n  %llu thread%s, %.2f s, %llu events, %.3g events/s, "
               "peak memory %.0f MiB\n",
               out, p->name, reps, p->horizon_months,
               (unsigned long long)seed, (unsigned long long)threads,
               threads == 1 ? "" : "s", secs, (unsigned long long)events,
               secs > 0 ? (double)events / secs : 0.0, peak);
        cli_summary_print(sum, stdout);
    }
done:
    if (f.res)
        for (uint32_t k = 0; k < reps; k++)
            mkt_results_fini(&f.res[k]);
    free(f.res);
    free(f.state);
    free(tid);
    cli_summary_free(sum);
    ana_runfile_free(file);
    pthread_cond_destroy(&f.cv);
    pthread_mutex_destroy(&f.mu);
    return rc;
}

int cli_run(int argc, char **argv)
{
    run_args a = {0};
    a.sets = calloc((size_t)argc, sizeof *a.sets);
    if (!a.sets) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    int rc = parse(argc, argv, &a);
    if (rc != CLI_OK) {
        free(a.sets);
        return rc < 0 ? CLI_OK : rc;
    }
    scen_doc *doc = NULL;
    mkt_params *p = NULL;
    char *text = NULL, *out_alloc = NULL;
    rc = cli_load_scenario(a.scenario, a.sets, a.n_sets, &doc, &p);
    if (rc != CLI_OK)
        goto done;
    sim_err err = {0};
    if (scen_text(doc, &text, &err) != SIM_OK) {
        fprintf(stderr, "aims: %s\n", err.msg);
        rc = CLI_FAIL;
        goto done;
    }
    const char *out = a.out;
    if (!out) {
        out = out_alloc = default_output(a.scenario);
        if (!out) {
            cli_error("out of memory");
            rc = CLI_FAIL;
            goto done;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = simulate(&a, p, text, out);
done:
    free(out_alloc);
    free(text);
    mkt_params_free(p);
    scen_free(doc);
    free(a.sets);
    return rc;
}
