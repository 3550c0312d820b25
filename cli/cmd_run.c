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
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "farm.h"
#include "precision.h"
#include "runfile.h"
#include "summary.h"

typedef struct {
    const char **scenarios; /* [n_scenarios]; more than one: a batch */
    size_t n_scenarios;
    const char *scenario, *out, *dir; /* the one being run; -o; -d */
    const char **sets;
    size_t n_sets;
    uint64_t reps, seed, threads, max_reps, interval;
    bool have_reps, have_seed, have_threads, have_max, force, quiet;
    const char *precision; /* METRIC=REL, or NULL */
} run_args;

const char cli_help_run[] =
    "usage: aims run SCENARIO.cfg [-o OUT.h5] [options]\n"
    "       aims run A.cfg B.cfg ... -d OUTDIR [options]\n"
    "Simulates replications of a scenario and writes them to one HDF5 file\n"
    "(docs/output.md). With several scenarios and -d, runs each with the\n"
    "same seed and replications (so their results pair in 'aims compare')\n"
    "into OUTDIR/NAME.h5, NAME being the scenario file's name without .cfg.\n"
    "  -o, --output FILE     HDF5 output (default: SCENARIO's name with .h5,\n"
    "                        in the current directory)\n"
    "  -d, --dir DIR         the directory for a batch's files\n"
    "  -r, --replications N  replications (default: scenario.replications;\n"
    "                        in a batch, the first scenario's)\n"
    "  -s, --seed N          master seed (default: scenario.seed; in a\n"
    "                        batch, the first scenario's)\n"
    "  -j, --threads N       worker threads (default: the CPUs this process\n"
    "                        may use); the file is the same for any N\n"
    "  --set PATH=VALUE      override a scenario value, e.g.\n"
    "                        --set enterprises.sectors.[1].bass_q=0.6 or\n"
    "                        --set timeline.openai_block.month=7\n"
    "                        ('aims params' lists the paths)\n"
    "  --precision METRIC=REL  add batches of -r replications until the 95%\n"
    "                        half-width of METRIC is <= REL x |mean|, e.g.\n"
    "                        final_frontier_access_share=0.01\n"
    "  --max-reps N          stop adding batches at N replications\n"
    "                        (default 10 x -r)\n"
    "  --progress-interval S  when stderr is not a terminal, a progress line\n"
    "                        every S seconds (default 60; 0: none)\n"
    "  -f, --force           replace an existing output file\n"
    "  -q, --quiet           print nothing but errors (no progress, no\n"
    "                        summary)\n"
    "  -h, --help            this help\n"
    "The summary table goes to stdout; progress and 'wrote ...' go to\n"
    "stderr, so 'aims run X.cfg > table.txt' keeps only results.\n";

enum { OPT_SET = 256, OPT_PRECISION, OPT_MAX_REPS, OPT_INTERVAL };

static const struct option run_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"dir", required_argument, NULL, 'd'},
    {"replications", required_argument, NULL, 'r'},
    {"seed", required_argument, NULL, 's'},
    {"threads", required_argument, NULL, 'j'},
    {"set", required_argument, NULL, OPT_SET},
    {"precision", required_argument, NULL, OPT_PRECISION},
    {"max-reps", required_argument, NULL, OPT_MAX_REPS},
    {"progress-interval", required_argument, NULL, OPT_INTERVAL},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static int parse(int argc, char **argv, run_args *a)
{
    bool bad = false, have_out = false, have_precision = false,
         have_dir = false, have_interval = false;
    a->interval = 60;
    cli_opts_begin("run");
    int c;
    while (!bad &&
           (c = cli_opts_next(argc, argv, "o:d:r:s:j:fqh", run_options)) !=
               -1) {
        switch (c) {
        case 1:
            a->scenarios[a->n_scenarios++] = optarg;
            break;
        case 'o':
            bad = !cli_once("-o", &have_out);
            a->out = optarg;
            break;
        case 'd':
            bad = !cli_once("-d", &have_dir);
            a->dir = optarg;
            break;
        case 'r':
            bad = !cli_once("-r", &a->have_reps) ||
                  !cli_parse_u64("-r", optarg, 1, 1000000, &a->reps);
            break;
        case 's':
            bad = !cli_once("-s", &a->have_seed) ||
                  !cli_parse_u64("-s", optarg, 0, INT64_MAX, &a->seed);
            break;
        case 'j':
            bad = !cli_once("-j", &a->have_threads) ||
                  !cli_parse_u64("-j", optarg, 1, 1024, &a->threads);
            break;
        case OPT_SET:
            a->sets[a->n_sets++] = optarg;
            break;
        case OPT_PRECISION:
            bad = !cli_once("--precision", &have_precision);
            a->precision = optarg;
            break;
        case OPT_MAX_REPS:
            bad = !cli_once("--max-reps", &a->have_max) ||
                  !cli_parse_u64("--max-reps", optarg, 2, 1000000,
                                 &a->max_reps);
            break;
        case OPT_INTERVAL:
            bad = !cli_once("--progress-interval", &have_interval) ||
                  !cli_parse_u64("--progress-interval", optarg, 0, 86400,
                                 &a->interval);
            break;
        case 'f':
            a->force = true;
            break;
        case 'q':
            a->quiet = true;
            break;
        case 'h':
            fputs(cli_help_run, stdout);
            return -1;
        default:
            bad = true;
        }
    }
    if (!bad && a->n_scenarios == 0) {
        cli_usage_error("no scenario file given");
        bad = true;
    }
    if (!bad && a->n_scenarios > 1 && a->dir == NULL) {
        cli_usage_error("%zu scenario files: give -d OUTDIR for their "
                        "outputs (or run them one at a time)",
                        a->n_scenarios);
        bad = true;
    }
    if (!bad && a->dir != NULL && a->out != NULL) {
        cli_usage_error("-o names one file and -d a batch's directory; "
                        "give one of them");
        bad = true;
    }
    if (!bad && a->have_max && !a->precision) {
        cli_usage_error("--max-reps goes with --precision");
        bad = true;
    }
    return bad ? CLI_USAGE : CLI_OK;
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
    run_memory m;
    if (run_memory_fits(p, at_once, &m))
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
    const run_precision *metric;
    mkt_results *kept; /* [cap] */
    double *value;     /* [cap] */
    uint32_t cap;
} keeper;

static int keep_one(void *ctx, uint32_t rep, mkt_results *r, sim_err *err)
{
    keeper *k = ctx;
    (void)err;
    k->value[rep] = run_precision_value(k->metric, r);
    k->kept[rep] = *r;          /* the arrays move into kept ... */
    memset(r, 0, sizeof *r);    /* ... so the farm frees nothing */
    return SIM_OK;
}

static void print_done(const run_args *a, const mkt_params *p,
                       const run_farm *f, const cli_summary *sum,
                       const char *out, uint32_t reps, double secs)
{
    if (a->quiet)
        return;
    struct rusage ru;
    double peak = getrusage(RUSAGE_SELF, &ru) == 0
                      ? (double)ru.ru_maxrss / 1024.0 /* KiB on Linux */
                      : (double)NAN;
    fprintf(stderr,
            "aims: wrote %s: scenario '%s', %u replications x %u months, "
            "seed %llu; %llu thread%s, %.2f s, %llu events, %.3g "
            "events/s, peak memory %.0f MiB\n",
           out, p->name, reps, p->horizon_months, (unsigned long long)f->seed,
           (unsigned long long)f->threads, f->threads == 1 ? "" : "s", secs,
           (unsigned long long)f->events,
           secs > 0 ? (double)f->events / secs : 0.0, peak);
    if (a->dir != NULL) /* a batch: say whose table follows */
        printf("%s (%s):\n", out, a->scenario);
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
    /* RUN_USAGE: the replications were refused before any ran (a bad
     * AIMS_ENGINE or AIMS_PICK_CACHE), which is bad input. */
    return rc == RUN_USAGE ? CLI_USAGE : CLI_FAIL;
}

static int simulate_streaming(const run_args *a, run_farm *f,
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
    rc = sum ? run_farm_run(f, 0, reps, write_one, &w, &err) : CLI_FAIL;
    if (f->progress)
        run_progress_end(f->progress);
    if (rc == CLI_OK && ana_runfile_commit(file, &err) != SIM_OK)
        rc = CLI_FAIL;
    double secs = run_farm_now() - f->t0;
    ana_runfile_free(file); /* after a failure: removes the temporary */
    if (rc != CLI_OK)
        rc = failed(rc, &err, out);
    else
        print_done(a, f->p, f, sum, out, reps, secs);
    cli_summary_free(sum);
    return rc;
}

static int simulate_precision(const run_args *a, run_farm *f,
                              ana_run_meta *meta, const char *out,
                              uint32_t batch)
{
    run_precision metric;
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
    if (f->progress)
        f->progress->total = max;
    while (rc == CLI_OK && !met && reps < max) {
        uint32_t n = max - reps < batch ? max - reps : batch;
        rc = run_farm_run(f, reps, n, keep_one, &k, &err);
        if (rc != CLI_OK)
            break;
        reps += n;
        batches++;
        run_precision_interval(k.value, reps, &mean, &hw, &used);
        met = used >= 2 && hw <= metric.rel * fabs(mean);
    }
    if (f->progress)
        run_progress_end(f->progress);
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
    double secs = run_farm_now() - f->t0;
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
    run_progress prog;
    run_farm f = {.p = p,
                  .seed = a->have_seed ? a->seed : p->seed,
                  .threads = a->have_threads ? a->threads : run_cpus(),
                  .t0 = run_farm_now()};
    run_progress_init(&prog, p->name, "replications", reps,
                      p->horizon_months, (double)a->interval, f.t0,
                      a->quiet);
    f.progress = run_progress_on(&prog) ? &prog : NULL;
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

/* A scenario loaded, its text kept for the file and its output vetted. */
typedef struct {
    scen_doc *doc;
    mkt_params *p;
    char *text, *out;
} loaded;

static void unload(loaded *l)
{
    free(l->out);
    free(l->text);
    mkt_params_free(l->p);
    scen_free(l->doc);
    *l = (loaded){0};
}

/* Loads scenario (with the --set assignments) and picks and vets its
 * output: -o, or DIR/NAME.h5 in a batch, or NAME.h5 here. */
static int prepare(const run_args *a, const char *scenario, loaded *l)
{
    int rc = cli_load_scenario(scenario, a->sets, a->n_sets, &l->doc, &l->p);
    if (rc != CLI_OK)
        return rc;
    sim_err err = {0};
    if (scen_text(l->doc, &l->text, &err) != SIM_OK) {
        cli_error("%s", err.msg);
        return CLI_FAIL;
    }
    char *name = default_output(scenario);
    if (name != NULL && a->out != NULL) {
        free(name);
        name = strdup(a->out);
    } else if (name != NULL && a->dir != NULL) {
        size_t n = strlen(a->dir) + strlen(name) + 2;
        char *path = malloc(n);
        if (path != NULL)
            snprintf(path, n, "%s/%s", a->dir, name);
        free(name);
        name = path;
    }
    if ((l->out = name) == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    /* The output rule (output.c), before anything runs: never over the
     * scenario or one of its @includes. */
    const char *inputs[64];
    char names[64][1024];
    size_t n_in = 0;
    while (n_in < 64 &&
           scen_source(l->doc, n_in, names[n_in], sizeof names[0])) {
        inputs[n_in] = names[n_in];
        n_in++;
    }
    return cli_output_ok(l->out, a->force, inputs, n_in) ? CLI_OK
                                                          : CLI_USAGE;
}

/* A batch: every scenario loads and every output is free before the first
 * runs (a typo in the last file should not cost the first run's hours),
 * no two write the same file, and all take the first scenario's seed and
 * replications unless -s and -r say otherwise, so their replications pair
 * (same streams, docs/output.md) in 'aims compare'. */
static int check_batch(run_args *a)
{
    struct stat st;
    if (stat(a->dir, &st) != 0 && mkdir(a->dir, 0777) != 0 &&
        errno != EEXIST) {
        cli_error("run: -d %s: cannot create it: %s", a->dir,
                  strerror(errno));
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    char **outs = calloc(a->n_scenarios, sizeof *outs);
    if (outs == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    for (size_t k = 0; rc == CLI_OK && k < a->n_scenarios; k++) {
        loaded l = {0};
        rc = prepare(a, a->scenarios[k], &l);
        if (rc == CLI_OK && k == 0) {
            if (!a->have_seed)
                a->seed = l.p->seed;
            if (!a->have_reps)
                a->reps = l.p->replications;
            a->have_seed = a->have_reps = true;
        }
        for (size_t j = 0; rc == CLI_OK && j < k; j++)
            if (strcmp(outs[j], l.out) == 0) {
                cli_usage_error("%s and %s would both write %s: rename "
                                "one of them",
                                a->scenarios[j], a->scenarios[k], l.out);
                rc = CLI_USAGE;
            }
        if (rc == CLI_OK) {
            outs[k] = l.out;
            l.out = NULL;
        }
        unload(&l);
    }
    for (size_t k = 0; k < a->n_scenarios; k++)
        free(outs[k]);
    free(outs);
    if (rc == CLI_OK && !a->quiet)
        fprintf(stderr,
                "aims: run: %zu scenarios into %s/, each with seed %llu "
                "and %llu replications\n",
                a->n_scenarios, a->dir, (unsigned long long)a->seed,
                (unsigned long long)a->reps);
    return rc;
}

int cli_run(int argc, char **argv)
{
    run_args a = {0};
    a.sets = calloc((size_t)argc, sizeof *a.sets);
    a.scenarios = calloc((size_t)argc, sizeof *a.scenarios);
    if (!a.sets || !a.scenarios) {
        cli_error("out of memory");
        free(a.sets);
        free(a.scenarios);
        return CLI_FAIL;
    }
    int rc = parse(argc, argv, &a);
    if (rc == CLI_OK && a.dir != NULL)
        rc = check_batch(&a);
    if (rc == CLI_OK)
        run_farm_signals();
    for (size_t k = 0; rc == CLI_OK && k < a.n_scenarios; k++) {
        loaded l = {0};
        a.scenario = a.scenarios[k];
        rc = prepare(&a, a.scenario, &l);
        if (rc == CLI_OK)
            rc = simulate(&a, l.p, l.text, l.out);
        unload(&l);
    }
    free(a.sets);
    free(a.scenarios);
    return rc < 0 ? CLI_OK : rc;
}
