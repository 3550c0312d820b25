/* cmd_run.c -- `aims run SCENARIO.cfg [-o OUT.h5] [-r REPS] [-s SEED]
 * [-j THREADS] [--set PATH=VALUE]... [--precision METRIC=REL [--max-reps N]]
 * [--force] [--quiet]`.
 *
 * Loads the scenario (with overrides), refuses what will not fit in memory,
 * runs the replications on a farm of threads (farm.h: the file is the same
 * for any -j) and writes the run file, which appears at its path only when
 * complete; SIGINT and SIGTERM leave nothing there and exit 128 + signal.
 * With --precision the replications come in batches of -r (deterministic:
 * batch b is replications b*r .. b*r + r - 1) until the metric's 95%
 * half-width is at most REL x |mean| or --max-reps is reached; the outcome
 * goes into the file's attributes. The file is then written at the end.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "farm.h"
#include "precision.h"
#include "runfile.h"
#include "summary.h"

typedef struct {
    const char *scenario, *out;
    const char **sets;
    size_t n_sets;
    uint64_t reps, seed, threads, max_reps;
    bool have_reps, have_seed, have_threads, have_max, force, quiet;
    const char *precision; /* METRIC=REL, or NULL */
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
        "  --precision METRIC=REL  add batches of -r replications until the "
        "95%\n"
        "                        half-width of METRIC is <= REL x |mean|, "
        "e.g.\n"
        "                        final_frontier_access_share=0.01\n"
        "  --max-reps N          stop adding batches at N replications "
        "(default\n"
        "                        10 x -r)\n"
        "  --force               replace an existing output file\n"
        "  --quiet               no progress line or summary\n",
        f);
}

static int parse(int argc, char **argv, run_args *a)
{
    bool bad = false, have_out = false, have_precision = false;
    for (int i = 1; i < argc && !bad;) {
        const char *v;
        if (cli_opt(argc, argv, &i, "-o", "--output", &v, &bad)) {
            bad = bad || !cli_once("-o", &have_out);
            a->out = v;
        } else if (cli_opt(argc, argv, &i, "-r", "--replications", &v,
                           &bad)) {
            bad = bad || !cli_once("-r", &a->have_reps) ||
                  !cli_parse_u64("-r", v, 1, 1000000, &a->reps);
        } else if (cli_opt(argc, argv, &i, "-s", "--seed", &v, &bad)) {
            bad = bad || !cli_once("-s", &a->have_seed) ||
                  !cli_parse_u64("-s", v, 0, INT64_MAX, &a->seed);
        } else if (cli_opt(argc, argv, &i, "-j", "--threads", &v, &bad)) {
            bad = bad || !cli_once("-j", &a->have_threads) ||
                  !cli_parse_u64("-j", v, 1, 1024, &a->threads);
        } else if (cli_opt(argc, argv, &i, NULL, "--set", &v, &bad)) {
            a->sets[a->n_sets++] = v;
        } else if (cli_opt(argc, argv, &i, NULL, "--precision", &v, &bad)) {
            bad = bad || !cli_once("--precision", &have_precision);
            a->precision = v;
        } else if (cli_opt(argc, argv, &i, NULL, "--max-reps", &v, &bad)) {
            bad = bad || !cli_once("--max-reps", &a->have_max) ||
                  !cli_parse_u64("--max-reps", v, 2, 1000000, &a->max_reps);
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
    if (!bad && a->have_max && !a->precision) {
        cli_error("run: --max-reps goes with --precision");
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
    uint64_t at_once = threads < reps ? threads : reps;
    cli_memory m;
    if (cli_memory_fits(p, at_once, &m))
        return true;
    cli_error("%s: %u enterprises need about %.3g GiB per replication "
              "(%.3g GiB with %llu at once); this machine has %.3g GiB. "
              "Lower enterprises.count (each simulated enterprise can "
              "stand for many firms: enterprises.firms) or -j",
              p->name, p->count, m.per / (1 << 30), m.need / (1 << 30),
              (unsigned long long)at_once, m.have / (1 << 30));
    return false;
}

/* ---- writing ------------------------------------------------------------
 */

typedef struct {
    ana_runfile *file;
    cli_summary *sum;
} writer;

static int write_one(void *ctx, uint32_t rep, mkt_results *r, sim_err *err)
{
    writer *w = ctx;
    cli_summary_add(w->sum, rep, r);
    return ana_runfile_put(w->file, rep, r, err);
}

/* --precision: replications are kept until the number is known. */
typedef struct {
    const cli_precision *metric;
    mkt_results *kept; /* [cap] */
    double *value;     /* [cap] */
    uint32_t cap;
} keeper;

static int keep_one(void *ctx, uint32_t rep, mkt_results *r, sim_err *err)
{
    keeper *k = ctx;
    (void)err;
    k->value[rep] = cli_precision_value(k->metric, r);
    k->kept[rep] = *r;          /* the arrays move into kept ... */
    memset(r, 0, sizeof *r);    /* ... so the farm frees nothing */
    return SIM_OK;
}

static void print_done(const run_args *a, const mkt_params *p,
                       const cli_farm *f, const cli_summary *sum,
                       const char *out, uint32_t reps, double secs)
{
    if (a->quiet)
        return;
    struct rusage ru;
    double peak = getrusage(RUSAGE_SELF, &ru) == 0
                      ? (double)ru.ru_maxrss / 1024.0 /* KiB on Linux */
                      : (double)NAN;
    printf("wrote %s: scenario '%s', %u replications x %u months, seed "
           "%llu\n  %llu thread%s, %.2f s, %llu events, %.3g events/s, "
           "peak memory %.0f MiB\n",
           out, p->name, reps, p->horizon_months, (unsigned long long)f->seed,
           (unsigned long long)f->threads, f->threads == 1 ? "" : "s", secs,
           (unsigned long long)f->events,
           secs > 0 ? (double)f->events / secs : 0.0, peak);
    cli_summary_print(sum, stdout);
}

/* Maps a farm or writer failure to the exit status, with its message. */
static int failed(int rc, const sim_err *err, const char *out)
{
    if (rc > 128) {
        cli_error("interrupted by signal %d; no file written to %s", rc - 128,
                  out);
        return rc;
    }
    fprintf(stderr, "aims: %s\n", err->status ? err->msg : "run failed");
    return CLI_FAIL;
}

static int simulate_streaming(const run_args *a, cli_farm *f,
                              const ana_run_meta *meta, const char *out,
                              uint32_t reps)
{
    sim_err err = {0};
    ana_runfile *file = NULL;
    int rc = ana_runfile_new(out, a->force, meta, &file, &err);
    if (rc != SIM_OK) {
        fprintf(stderr, "aims: %s\n", err.msg);
        return rc == SIM_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    cli_summary *sum = cli_summary_new(f->p, reps);
    writer w = {.file = file, .sum = sum};
    rc = sum ? cli_farm_run(f, 0, reps, write_one, &w, &err) : CLI_FAIL;
    if (f->progress)
        fputs("\r\033[K", stderr);
    if (rc == CLI_OK && ana_runfile_commit(file, &err) != SIM_OK)
        rc = CLI_FAIL;
    double secs = cli_farm_now() - f->t0;
    ana_runfile_free(file); /* after a failure: removes the temporary */
    if (rc != CLI_OK)
        rc = failed(rc, &err, out);
    else
        print_done(a, f->p, f, sum, out, reps, secs);
    cli_summary_free(sum);
    return rc;
}

static int simulate_precision(const run_args *a, cli_farm *f,
                              ana_run_meta *meta, const char *out,
                              uint32_t batch)
{
    cli_precision metric;
    if (!cli_precision_parse(a->precision, f->p, &metric))
        return CLI_USAGE;
    uint32_t max = (uint32_t)(a->have_max ? a->max_reps
                                          : (uint64_t)batch * 10);
    if (max < batch)
        max = batch;
    keeper k = {.metric = &metric, .cap = max};
    k.kept = calloc(max, sizeof *k.kept);
    k.value = calloc(max, sizeof *k.value);
    sim_err err = {0};
    int rc = k.kept && k.value ? CLI_OK : CLI_FAIL;
    if (rc != CLI_OK)
        sim_err_set(&err, SIM_ENOMEM, "out of memory");
    uint32_t reps = 0, batches = 0;
    double mean = (double)NAN, hw = (double)INFINITY;
    size_t used = 0;
    bool met = false;
    f->total = max;
    while (rc == CLI_OK && !met && reps < max) {
        uint32_t n = max - reps < batch ? max - reps : batch;
        rc = cli_farm_run(f, reps, n, keep_one, &k, &err);
        if (rc != CLI_OK)
            break;
        reps += n;
        batches++;
        cli_precision_interval(k.value, reps, &mean, &hw, &used);
        met = used >= 2 && hw <= metric.rel * fabs(mean);
    }
    if (f->progress)
        fputs("\r\033[K", stderr);
    ana_runfile *file = NULL;
    cli_summary *sum = NULL;
    if (rc == CLI_OK) {
        meta->replications = reps;
        int wrc = ana_runfile_new(out, a->force, meta, &file, &err);
        sum = cli_summary_new(f->p, reps);
        for (uint32_t r = 0; wrc == SIM_OK && r < reps; r++) {
            if (sum)
                cli_summary_add(sum, r, &k.kept[r]);
            wrc = ana_runfile_put(file, r, &k.kept[r], &err);
        }
        if (wrc == SIM_OK)
            wrc = ana_runfile_attr_str(file, "precision_metric", metric.name,
                                       &err);
        if (wrc == SIM_OK)
            wrc = ana_runfile_attr_f64(file, "precision_target", metric.rel,
                                       &err);
        if (wrc == SIM_OK)
            wrc = ana_runfile_attr_f64(file, "precision_mean", mean, &err);
        if (wrc == SIM_OK)
            wrc = ana_runfile_attr_f64(file, "precision_half_width", hw,
                                       &err);
        if (wrc == SIM_OK)
            wrc = ana_runfile_attr_i64(file, "precision_met", met, &err);
        if (wrc == SIM_OK)
            wrc = ana_runfile_attr_i64(file, "precision_batches", batches,
                                       &err);
        if (wrc == SIM_OK)
            wrc = ana_runfile_commit(file, &err);
        rc = wrc == SIM_OK ? CLI_OK : CLI_FAIL;
    }
    double secs = cli_farm_now() - f->t0;
    ana_runfile_free(file);
    if (rc != CLI_OK) {
        rc = failed(rc, &err, out);
    } else {
        print_done(a, f->p, f, sum, out, reps, secs);
        if (!a->quiet)
            printf("  precision: %s = %.6g +- %.3g (target %.3g x |mean| = "
                   "%.3g) %s after %u batch%s of %u\n",
                   metric.name, mean, hw, metric.rel,
                   metric.rel * fabs(mean), met ? "met" : "NOT met", batches,
                   batches == 1 ? "" : "es", batch);
    }
    cli_summary_free(sum);
    for (uint32_t r = 0; k.kept && r < max; r++)
        mkt_results_fini(&k.kept[r]);
    free(k.kept);
    free(k.value);
    return rc;
}

static int simulate(const run_args *a, const mkt_params *p,
                    const char *text, const char *out)
{
    uint32_t reps = (uint32_t)(a->have_reps ? a->reps : p->replications);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cli_farm f = {.p = p,
                  .seed = a->have_seed ? a->seed : p->seed,
                  .threads = a->have_threads ? a->threads
                                             : (uint64_t)(cpus > 0 ? cpus : 1),
                  .progress = !a->quiet && isatty(STDERR_FILENO),
                  .total = reps,
                  .t0 = cli_farm_now()};
    if (f.threads > reps)
        f.threads = reps;
    if (!fits_in_memory(p, f.threads, reps))
        return CLI_USAGE;
    ana_run_meta meta = {.params = p,
                         .scenario_file = a->scenario,
                         .scenario_text = text,
                         .seed = f.seed,
                         .replications = reps,
                         .aims_version = cli_version(),
                         .git_commit = cli_git_commit()};
    if (a->precision) {
        if (reps < 2) {
            cli_error("--precision: -r (the batch size) must be at least 2");
            return CLI_USAGE;
        }
        return simulate_precision(a, &f, &meta, out, reps);
    }
    return simulate_streaming(a, &f, &meta, out, reps);
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
    /* The output rule (output.c), before anything runs: never over the
     * scenario or one of its @includes. */
    const char *inputs[64];
    char names[64][1024];
    size_t n_in = 0;
    while (n_in < 64 && scen_source(doc, n_in, names[n_in], sizeof names[0])) {
        inputs[n_in] = names[n_in];
        n_in++;
    }
    if (!cli_output_ok(out, a.force, inputs, n_in)) {
        rc = CLI_USAGE;
        goto done;
    }
    cli_farm_signals();
    rc = simulate(&a, p, text, out);
done:
    free(out_alloc);
    free(text);
    mkt_params_free(p);
    scen_free(doc);
    free(a.sets);
    return rc;
}
