/* cmd_sweep.c -- `aims sweep SWEEP.cfg [-o OUT.h5] [-j THREADS]
 * [--shard I/N] [--resume] [--force] [--journal-batch N | --no-journal]
 * [--quiet] [--plan ...]`: every point of a sweep's design, each a run of
 * the base scenario with the point's values set, into one HDF5 file
 * (docs/sweeps.md, docs/output.md). --plan runs one calibration point
 * instead and sizes a Slurm array for the sweep (sweep_plan.h).
 *
 * The order of things, and why:
 *  1. everything that can be refused is refused before any point runs: the
 *     sweep file, the metrics against the base scenario's actors, the
 *     shard, an output that exists (without --force), a journal left by an
 *     interrupted sweep (without --resume or --force);
 *  2. the base scenario is read once, here (by rank 0 under mpirun, which
 *     sends it to the others), and every point is built from that text; a
 *     shard compares it with the one the sweep's first shard read
 *     (sweep_base.c) and refuses a changed base;
 *  3. each finished point is journalled (journal.h) before it counts;
 *  4. the output is written from the journal, whole, through a temporary
 *     file; only then is the journal removed.
 * A kill at any moment therefore loses at most the points in progress (a
 * power loss, also the last batch of --journal-batch N), and
 * `--resume` computes exactly the points without a record.
 *
 * A point the model refuses (its sampled values are out of range, say) or
 * whose run fails is recorded as failed with the message; the others go
 * on, and the exit status is 1 with a summary when any failed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "farm.h"
#include "scen.h"
#include "sweepfile.h"
#include "sweep_plan.h"
#include "sweep_run.h"

const char cli_help_sweep[] =
    "usage: aims sweep SWEEP.cfg [-o OUT.h5] [-j THREADS] [--shard I/N] "
    "[--resume]\n"
    "                  [--force] [--journal-batch N | --no-journal] "
    "[--quiet]\n"
    "Runs every point of a sweep (docs/sweeps.md) into one HDF5 file.\n"
    "  -o, --output FILE   HDF5 output (default: the sweep's name with .h5)\n"
    "  -j, --threads N     worker threads (default: the CPUs this process "
    "may\n"
    "                      use; 1 per rank under mpirun)\n"
    "  --shard I/N         run only shard I of N (0 <= I < N), for Slurm "
    "arrays;\n"
    "                      join the parts with 'aims merge'\n"
    "  --resume            finish an interrupted sweep: run only the points "
    "its\n"
    "                      journal (OUT.h5.journal/) does not hold\n"
    "  --progress-interval S  when stderr is not a terminal, a progress "
    "line\n"
    "                      every S seconds (default 60; 0: none)\n"
    "  -f, --force         replace an existing output, discard an old "
    "journal\n"
    "  --journal-batch N   sync the journal every N points, and at least "
    "once a\n"
    "                      second (default 10000; a power loss loses at "
    "most the\n"
    "                      last N-1 finished points, and only those of "
    "the last\n"
    "                      second)\n"
    "  --no-journal        keep finished points in memory only (an "
    "interruption\n"
    "                      loses them all)\n"
    "  -q, --quiet         print nothing but errors\n"
    "  --plan              run one calibration point, print the sweep's cost "
    "and\n"
    "                      a Slurm array for it; runs no sweep "
    "(docs/cluster.md)\n"
    "  --max-array-size N  with --plan: Slurm's MaxArraySize (default 1001)\n"
    "  --task-time T       with --plan: target wall time per array task, in\n"
    "                      Slurm's --time form (default 1:00:00)\n"
    "  -h, --help          this help\n"
    "The same command under 'mpirun -n K' farms points out to K ranks.\n";

static const struct option sweep_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"threads", required_argument, NULL, 'j'},
    {"shard", required_argument, NULL, 256},
    {"resume", no_argument, NULL, 257},
    {"progress-interval", required_argument, NULL, 258},
    {"plan", no_argument, NULL, 259},
    {"max-array-size", required_argument, NULL, 260},
    {"task-time", required_argument, NULL, 261},
    {"journal-batch", required_argument, NULL, 262},
    {"no-journal", no_argument, NULL, 263},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

typedef struct {
    const char *sweep, *out;
    uint64_t threads, shard, shards, interval, batch;
    bool resume, force, quiet;
    bool plan, threads_given; /* --plan sizes the job (sweep_plan.h) */
    uint64_t max_array;
    double task_seconds;
} args;

static int parse(int argc, char **argv, args *a)
{
    *a = (args){.threads = run_cpus(),
                .shards = 1,
                .interval = 60,
                .max_array = 1001,
                .task_seconds = 3600,
                .batch = 10000};
    bool threads_given = false, bad = false, have_out = false,
         have_shard = false, have_interval = false, have_max = false,
         have_task_time = false, have_batch = false, no_journal = false;
    cli_opts_begin("sweep");
    int c;
    while (!bad &&
           (c = cli_opts_next(argc, argv, "o:j:fqh", sweep_options)) != -1) {
        switch (c) {
        case 'o':
            bad = !cli_once("-o", &have_out);
            a->out = optarg;
            break;
        case 'j':
            bad = !cli_once("-j", &threads_given) ||
                  !cli_parse_u64("-j", optarg, 1, 1024, &a->threads);
            break;
        case 256:
            bad = !cli_once("--shard", &have_shard) ||
                  !cli_parse_shard(optarg, &a->shard, &a->shards);
            break;
        case 259:
            a->plan = true;
            break;
        case 260:
            bad = !cli_once("--max-array-size", &have_max) ||
                  !cli_parse_u64("--max-array-size", optarg, 1, 100000000,
                                 &a->max_array);
            break;
        case 261:
            bad = !cli_once("--task-time", &have_task_time);
            if (!bad && !cli_sweep_size_time(optarg, &a->task_seconds)) {
                cli_usage_error("--task-time: expected a time as Slurm's "
                                "--time takes it (MINUTES, M:S, H:M:S, D-H, "
                                "D-H:M or D-H:M:S; more than 0, at most a "
                                "year), got '%s'",
                                optarg);
                bad = true;
            }
            break;
        case 262:
            bad = !cli_once("--journal-batch", &have_batch) ||
                  !cli_parse_u64("--journal-batch", optarg, 1, 1000000,
                                 &a->batch);
            break;
        case 263:
            no_journal = true;
            break;
        case 257:
            a->resume = true;
            break;
        case 258:
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
            fputs(cli_help_sweep, stdout);
            return -1;
        case 1:
            bad = !cli_one_operand(&a->sweep, optarg, "sweep file");
            break;
        default:
            bad = true;
        }
    }
    if (!bad && a->sweep == NULL) {
        cli_usage_error("no sweep file given");
        bad = true;
    }
    if (!bad && no_journal && (have_batch || a->resume)) {
        cli_usage_error("--no-journal keeps nothing to %s",
                        a->resume ? "--resume from"
                                  : "sync (--journal-batch)");
        bad = true;
    }
    if (no_journal)
        a->batch = 0;
    if (!bad && !a->plan && (have_max || have_task_time)) {
        cli_usage_error("%s sizes a job: it needs --plan",
                        have_max ? "--max-array-size" : "--task-time");
        bad = true;
    }
    if (!bad && a->plan && (have_shard || a->resume || have_out ||
                            run_sweep_mpi_size() > 1)) {
        cli_usage_error("--plan sizes the whole sweep and writes nothing: "
                        "drop --shard, --resume and -o, and run it without "
                        "mpirun");
        bad = true;
    }
    if (bad)
        return CLI_USAGE;
    a->threads_given = threads_given;
    if (run_sweep_mpi_size() > 1 && !threads_given)
        a->threads = 1; /* the ranks are the parallelism */
    return CLI_OK;
}

/* The sweep's identity for the journal: a record of another sweep file,
 * base scenario (its exact text), seed or metric list is never taken for
 * this one's. */
static uint64_t sweep_id(const swp_spec *s, const char *scenario_text,
                         uint64_t shard, uint64_t shards)
{
    char nums[96];
    snprintf(nums, sizeof nums, "%llu %zu %llu/%llu",
             (unsigned long long)s->seed, s->replications,
             (unsigned long long)shard, (unsigned long long)shards);
    size_t n = 3;
    const char **all = malloc((n + s->n_metrics) * sizeof *all);
    if (all == NULL)
        return 0;
    all[0] = s->text;
    all[1] = scenario_text;
    all[2] = nums;
    for (size_t i = 0; i < s->n_metrics; i++)
        all[n + i] = s->metrics[i];
    uint64_t id = run_journal_id(all, n + s->n_metrics);
    free(all);
    return id;
}

/* The output file from the journal: every point of the design, those of
 * other shards marked not run. */
static int assemble(const swp_spec *s, const run_sweep_plan *pl,
                    const args *a, const char *scenario_file, size_t *failed,
                    size_t *first_failed, char **first_msg, sim_err *err)
{
    ana_sweep out = {0};
    size_t R = s->replications, M = s->n_metrics, P = pl->points;
    out.points = P;
    out.n_params = s->n_params;
    out.n_metrics = M;
    out.reps = R;
    int rc = ana_sweep_alloc(&out, err);
    out.params = calloc(s->n_params, sizeof *out.params);
    out.metrics = calloc(M, sizeof *out.metrics);
    double *y = malloc((M * R + 1) * sizeof *y);
    if (rc == SIM_OK && (!out.params || !out.metrics || !y))
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
    for (size_t k = 0; rc == SIM_OK && k < s->n_params; k++)
        if ((out.params[k] = strdup(s->params[k].path)) == NULL)
            rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
    for (size_t m = 0; rc == SIM_OK && m < M; m++)
        if ((out.metrics[m] = strdup(s->metrics[m])) == NULL)
            rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
    if (rc == SIM_OK &&
        (!(out.name = strdup(s->name)) ||
         !(out.design = strdup(swp_design_name(s->design))) ||
         !(out.sweep_text = strdup(s->text)) ||
         !(out.sweep_file = strdup(s->file)) ||
         !(out.scenario_file = strdup(scenario_file)) ||
         !(out.aims_version = strdup(cli_version())) ||
         !(out.git_commit = strdup(cli_git_commit()))))
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
    out.seed = (int64_t)s->seed;
    out.samples = (int64_t)s->samples;
    out.crn = s->crn;
    out.shard = (int64_t)a->shard;
    out.shards = (int64_t)a->shards;
    if (rc == SIM_OK)
        memcpy(out.x, pl->x, P * s->n_params * sizeof *out.x);
    *failed = 0;
    for (size_t p = a->shard; rc == SIM_OK && p < P; p += a->shards) {
        int64_t st;
        char *msg = NULL;
        if (!run_journal_get(pl->journal, p, &st, &msg, y)) {
            rc = sim_err_set(err, SIM_EIO,
                             "%s: the record of point %zu is missing or "
                             "damaged; run again with --resume",
                             pl->journal->dir, p);
            break;
        }
        out.status[p] = st;
        free(out.message[p]);
        out.message[p] = msg;
        for (size_t m = 0; m < M; m++)
            memcpy(out.y + (m * P + p) * R, y + m * R, R * sizeof *y);
        if (st == ANA_SWEEP_FAILED && (*failed)++ == 0) {
            *first_failed = p;
            *first_msg = strdup(msg);
        }
    }
    if (rc == SIM_OK)
        rc = ana_sweep_write(&out, a->out, a->force, err);
    free(y);
    ana_sweep_fini(&out);
    return rc;
}

int cli_sweep(int argc, char **argv)
{
    args a;
    int rc = parse(argc, argv, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    bool root = run_sweep_mpi_rank() == 0;
    /* Every rank reads the sweep and meets the same errors; one says so. */
    if (!root && freopen("/dev/null", "w", stderr) == NULL)
        return CLI_FAIL;
    sim_err err = {0};
    swp_spec *s = NULL;
    double *x = NULL;
    scen_doc *base = NULL;
    mkt_params *bp = NULL;
    run_precision *metrics = NULL;
    char *scen_txt = NULL, *first_msg = NULL;
    size_t *todo = NULL;
    run_journal j = {0};
    char out_buf[4096];
    run_sweep_plan pl = {0};
    run_progress prog;
    bool workers_waiting = false; /* MPI ranks > 0 wait for rank 0 */
    if ((rc = swp_load(a.sweep, &s, &err)) != SIM_OK) {
        if (root)
            fprintf(stderr, "%s\n", err.msg);
        rc = rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    if (a.out == NULL) {
        snprintf(out_buf, sizeof out_buf, "%s.h5", s->name);
        a.out = out_buf;
    }
    /* The base scenario as the sweep names it, read once, by rank 0: its
     * actors check the metrics, its exact resolved text joins the sweep's
     * identity and is what every point (on every rank) is built from. */
    char base_name[1200];
    snprintf(base_name, sizeof base_name, "%s (as the sweep read it)",
             s->scenario);
    if (root && (rc = cli_load_base(s, &base, &bp)) == CLI_OK &&
        scen_text_exact(base, &scen_txt, &err) != SIM_OK) {
        cli_error("%s", err.msg);
        rc = CLI_FAIL;
    }
    run_sweep_mpi_share(&scen_txt); /* rank 0's text, or NULL: all stop */
    if (rc != CLI_OK)
        goto done;
    if (!root && (scen_txt == NULL ||
                  scen_load_text(scen_txt, base_name, &base, &err) !=
                      SIM_OK ||
                  mkt_load(base, &bp, &err) != SIM_OK)) {
        rc = CLI_FAIL;
        goto done;
    }
    if (swp_design(s, &x, &err) != SIM_OK ||
        !(metrics = calloc(s->n_metrics, sizeof *metrics))) {
        cli_error("%s", err.msg[0] ? err.msg : "out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    for (size_t m = 0; m < s->n_metrics; m++) {
        const char *name = s->metrics[m];
        if (strlen(name) < sizeof metrics[m].name &&
            run_metric_parse(name, bp, &metrics[m]))
            continue;
        cli_error("%s:%d: sweep.metrics.[%zu]: '%s' is not a metric of %s",
                  a.sweep, s->metric_lines[m], m, name, s->scenario);
        cli_metric_list(bp);
        rc = CLI_USAGE;
        goto done;
    }
    size_t P = swp_points(s);
    pl = (run_sweep_plan){.spec = s,
                          .x = x,
                          .points = P,
                          .metrics = metrics,
                          .journal = &j,
                          .base_text = scen_txt,
                          .base_name = base_name,
                          .threads = a.threads,
                          .t0 = run_farm_now()};
    run_progress_init(&prog, s->name, "points", 0, 0, (double)a.interval,
                      pl.t0, a.quiet || !root);
    pl.progress = run_progress_on(&prog) ? &prog : NULL;
    run_farm_signals();
    if (a.plan) { /* a calibration point and the job's size; no sweep */
        cli_sweep_size_opts o = {.sweep_file = a.sweep,
                                 .cpus = a.threads_given ? a.threads : 1,
                                 .max_array = a.max_array,
                                 .task_seconds = a.task_seconds};
        rc = cli_sweep_size_print(&pl, &o, stdout);
        goto done;
    }
    if (!root) { /* an MPI worker: compute what rank 0 hands out */
        rc = run_sweep_mpi_run(&pl, &err);
        goto done;
    }
    /* From here on only rank 0 decides; if it refuses, the other ranks
     * must be told there is nothing to do. */
    workers_waiting = run_sweep_mpi_size() > 1;
    /* The output rule (output.c): an existing output is replaced only with
     * --force, --resume or not (a finished sweep run again with --resume
     * was recomputed and replaced), and never the sweep file or the base
     * scenario. */
    {
        const char *inputs[66];
        char names[65][1024];
        size_t n_in = 0;
        inputs[n_in++] = a.sweep;
        while (n_in < 66 && scen_source(base, n_in - 1, names[n_in - 1],
                                        sizeof names[0])) {
            inputs[n_in] = names[n_in - 1];
            n_in++;
        }
        if (!cli_output_ok(a.out, a.force, inputs, n_in)) {
            rc = CLI_USAGE;
            goto done;
        }
    }
    /* Shards of one sweep share one base: the first leaves it next to
     * its output, the others compare (before the journal, so a refused
     * shard leaves nothing; the stamp is made once the journal is ours). */
    if (a.shards > 1 &&
        (rc = run_sweep_base_check(a.out, s, scen_txt, false, &err)) !=
            SIM_OK) {
        cli_error("%s", err.msg);
        rc = rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    uint64_t id = sweep_id(s, scen_txt, a.shard, a.shards);
    if ((rc = run_journal_open(&j, a.out, id, P, s->replications,
                               s->n_metrics, (size_t)a.batch, a.resume,
                               a.force, &err)) != SIM_OK ||
        (a.shards > 1 &&
         (rc = run_sweep_base_check(a.out, s, scen_txt, true, &err)) !=
             SIM_OK)) {
        cli_error("%s", err.msg);
        rc = rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    /* This shard's points (round robin: balanced, and the same for any
     * number of threads or ranks), less those already journalled. */
    if ((todo = malloc((P / a.shards + 1) * sizeof *todo)) == NULL) {
        cli_error("out of memory");
        rc = CLI_FAIL;
        goto done;
    }
    {
        size_t ny = s->n_metrics * s->replications;
        double *y = malloc((ny + 1) * sizeof *y);
        for (size_t p = a.shard; y != NULL && p < P; p += a.shards) {
            pl.total++;
            int64_t stt;
            char *msg = NULL;
            if (a.resume && run_journal_get(&j, p, &stt, &msg, y)) {
                pl.done_before++;
                free(msg);
            } else {
                todo[pl.n_todo++] = p;
            }
        }
        free(y);
    }
    pl.todo = todo;
    if (a.resume && !a.quiet)
        fprintf(stderr, "aims: %s: resuming: %zu of %zu points done, %zu to "
                        "run\n",
                s->name, pl.done_before, pl.total, pl.n_todo);
    workers_waiting = false;
    rc = run_sweep_mpi_size() > 1 ? run_sweep_mpi_run(&pl, &err)
                                  : run_sweep_local(&pl, &err);
    {   /* durable before the output is written (or the run is given up) */
        sim_err se = {0};
        if (run_journal_sync(&j, &se) != SIM_OK && rc == CLI_OK) {
            err = se;
            rc = CLI_FAIL;
        }
    }
    if (rc >= 128) {
        if (a.batch == 0)
            cli_error("interrupted: with --no-journal no finished point "
                      "was kept");
        else
            cli_error("interrupted: the finished points are in %s; run the "
                      "same command with --resume to finish",
                      j.dir);
        goto done;
    }
    if (rc != CLI_OK) {
        cli_error("%s", err.msg);
        goto done;
    }
    size_t failed = 0, first = 0;
    if (assemble(s, &pl, &a, s->scenario, &failed, &first, &first_msg,
                 &err) != SIM_OK) {
        cli_error("%s", err.msg);
        rc = CLI_FAIL;
        goto done;
    }
    if (!run_journal_remove(&j))
        cli_error("%s: kept: it holds files aims did not write (its own "
                  "records are gone)",
                  j.dir);
    if (!a.quiet)
        fprintf(stderr,
                "aims: wrote %s: %zu points x %zu replications%s (%zu "
                "computed now, %zu from the journal)\n",
                a.out, pl.total, s->replications,
                a.shards > 1 ? " of this shard" : "", pl.n_todo,
                pl.done_before);
    if (failed > 0) {
        cli_error("%zu of %zu points failed (status 1 in /points/status); "
                  "first, point %zu: %s",
                  failed, pl.total, first, first_msg ? first_msg : "");
        rc = CLI_FAIL;
    }
done:
    if (workers_waiting) { /* an empty plan sends every rank STOP */
        sim_err ignore = {0};
        pl.n_todo = 0;
        run_sweep_mpi_run(&pl, &ignore);
    }
    free(first_msg);
    free(todo);
    run_journal_fini(&j);
    free(metrics);
    free(scen_txt);
    free(x);
    mkt_params_free(bp);
    scen_free(base);
    swp_free(s);
    return rc;
}
