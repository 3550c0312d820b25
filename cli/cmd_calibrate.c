/* cmd_calibrate.c -- `aims calibrate CALIB.cfg [-o OUT.h5] [-j N]
 * [--shard I/N] [--resume] [--force] [--quiet]`: fit a scenario's uncertain parameters
 * to observed targets by ABC-SMC or the simulated method of moments
 * (docs/calibrate.md), every evaluation run by the sweep's farm.
 *
 * The order of things is the sweep's (cmd_sweep.c): everything that can be
 * refused is refused first (the calibration file, its scenario, parameters
 * and targets, the output, an old journal); every finished evaluation is
 * journalled in OUT.h5.journal/ before it counts; the output is written
 * whole through a temporary file, and only then is the journal removed.
 * kill -9 at any moment loses at most the evaluations in progress, and
 * `--resume` replays the method from the start, reading every journalled
 * evaluation back instead of computing it: the same numbers in the same
 * order, so the same file as an uninterrupted run. Shards (--shard I/N,
 * calib_run.h) share the journal of their common output; shard 0 writes
 * the output.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calib_run.h"
#include "cli.h"
#include "farm.h"
#include "scen.h"
#include "sweep_run.h"

const char cli_help_calibrate[] =
    "usage: aims calibrate CALIB.cfg [-o OUT.h5] [-j THREADS] "
    "[--shard I/N]\n"
    "                      [--resume] [--force] [--quiet]\n"
    "       aims calibrate CALIB.cfg --simulate V1,V2,... [-r N] "
    "[-s SEED]\n"
    "  -o, --output FILE   HDF5 output (default: the calibration's "
    "name with .h5)\n"
    "  -j, --threads N     worker threads (default: the CPUs; 1 per "
    "rank under mpirun)\n"
    "  --shard I/N         run as shard I of N: every shard names the "
    "same -o and\n"
    "                      shares its journal; shard 0 writes the output "
    "(docs/calibrate.md)\n"
    "  --resume            finish an interrupted calibration from its "
    "journal\n"
    "                      (OUT.h5.journal/)\n"
    "  -f, --force         replace an existing output, discard an old "
    "journal\n"
    "  -q, --quiet         no progress line or generation summaries\n"
    "  --simulate V1,V2,.. run the model once at these parameter "
    "values (in the\n"
    "                      file's order) and print each target's "
    "simulated mean\n"
    "                      and its standard error: synthetic data "
    "for recovery\n"
    "  -r N, -s SEED       replications and seed for --simulate "
    "(default: the\n"
    "                      file's); each line is 'ID MEAN SE'\n"
    "The same command under 'mpirun -n K' farms evaluations out to K "
    "ranks.\n"
    "The file format and the methods: docs/calibrate.md.\n";

static const struct option calibrate_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"threads", required_argument, NULL, 'j'},
    {"shard", required_argument, NULL, 256},
    {"simulate", required_argument, NULL, 257},
    {"replications", required_argument, NULL, 'r'},
    {"seed", required_argument, NULL, 's'},
    {"resume", no_argument, NULL, 258},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

typedef struct {
    const char *file, *out, *simulate;
    uint64_t threads, reps, seed, shard, shards;
    bool resume, force, quiet, seed_given;
} args;

static int parse(int argc, char **argv, args *a)
{
    *a = (args){.threads = run_cpus()};
    bool threads_given = false, bad = false, have_out = false,
         have_shard = false;
    cli_opts_begin("calibrate");
    int c;
    while (!bad && (c = cli_opts_next(argc, argv, "o:j:r:s:fqh",
                                      calibrate_options)) != -1) {
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
        case 257:
            a->simulate = optarg;
            break;
        case 'r':
            bad = !cli_parse_u64("-r", optarg, 1, 100000, &a->reps);
            break;
        case 's':
            bad = !cli_parse_u64("-s", optarg, 0, INT64_MAX, &a->seed);
            a->seed_given = true;
            break;
        case 258:
            a->resume = true;
            break;
        case 'f':
            a->force = true;
            break;
        case 'q':
            a->quiet = true;
            break;
        case 'h':
            fputs(cli_help_calibrate, stdout);
            return -1;
        case 1:
            bad = !cli_one_operand(&a->file, optarg, "calibration file");
            break;
        default:
            bad = true;
        }
    }
    if (!bad && a->file == NULL) {
        cli_usage_error("no calibration file given");
        bad = true;
    }
    if (!bad && a->shards > 1 && a->simulate != NULL) {
        cli_usage_error("--shard and --simulate do not go together: drop "
                        "--shard (--simulate runs one point, here)");
        bad = true;
    }
    if (!bad && a->shards > 1 && run_sweep_mpi_size() > 1) {
        /* One kind of parallelism across processes at a time: shards
         * of MPI jobs would need rank 0 of each to share the journal. */
        cli_usage_error("--shard under mpirun: run the shards as separate "
                        "processes, or the ranks of one mpirun without "
                        "--shard");
        bad = true;
    }
    if (bad)
        return CLI_USAGE;
    if (run_sweep_mpi_size() > 1 && !threads_given)
        a->threads = 1; /* the ranks are the parallelism */
    return CLI_OK;
}

/* The calibration's identity: its file, the resolved scenario and every
 * target file's text. A journal of anything else is never taken for it. */
static uint64_t calib_id(const cal_spec *s, const char *scen_text)
{
    size_t n = 3 + s->n_target_files;
    const char **all = malloc(n * sizeof *all);
    char nums[64];
    snprintf(nums, sizeof nums, "%llu %zu", (unsigned long long)s->seed,
             s->reps);
    if (all == NULL)
        return 0;
    all[0] = s->text;
    all[1] = scen_text;
    all[2] = nums;
    for (size_t i = 0; i < s->n_target_files; i++)
        all[3 + i] = s->target_texts[i];
    uint64_t id = run_journal_id(all, n);
    free(all);
    return id;
}

/* Every target file's resolved text, one after the other, for the
 * provenance attribute. */
static char *targets_text(const cal_spec *s)
{
    size_t n = 1;
    for (size_t i = 0; i < s->n_target_files; i++)
        n += strlen(s->target_files[i]) + strlen(s->target_texts[i]) + 16;
    char *t = malloc(n);
    if (t == NULL)
        return NULL;
    t[0] = '\0';
    for (size_t i = 0; i < s->n_target_files; i++) {
        strcat(t, "# ");
        strcat(t, s->target_files[i]);
        strcat(t, "\n");
        strcat(t, s->target_texts[i]);
    }
    return t;
}

static int fill_header(const cal_spec *s, const char *scen_text,
                       ana_calib *c, sim_err *err)
{
    c->n_params = s->n_params;
    c->n_targets = s->n_targets;
    c->n_gen = s->method == CAL_ABC_SMC ? s->generations : 0;
    c->n_particles = s->method == CAL_ABC_SMC ? s->particles : 0;
    int rc = ana_calib_alloc(c, err);
    if (rc != SIM_OK)
        return rc;
    c->seed = (int64_t)s->seed;
    c->reps = (int64_t)s->reps;
    bool ok = (c->name = strdup(s->name)) &&
              (c->method = strdup(cal_method_name(s->method))) &&
              (c->calib_text = strdup(s->text)) &&
              (c->calib_file = strdup(s->file)) &&
              (c->scenario_file = strdup(s->scenario)) &&
              (c->scenario_text = strdup(scen_text)) &&
              (c->targets_text = targets_text(s)) &&
              (c->aims_version = strdup(cli_version())) &&
              (c->git_commit = strdup(cli_git_commit()));
    for (size_t k = 0; ok && k < s->n_params; k++)
        ok = (c->params[k] = strdup(s->params[k].path)) != NULL;
    for (size_t t = 0; ok && t < s->n_targets; t++)
        ok = (c->targets[t] = strdup(s->targets[t].id)) &&
             (c->sources[t] = strdup(s->targets[t].source));
    return ok ? SIM_OK : sim_err_set(err, SIM_ENOMEM, "out of memory");
}

/* The scenario as every evaluation starts from it (the `set` list
 * applied), as text: part of the identity and of the provenance. */
static int scenario_text(const cal_spec *s, char **out, sim_err *err)
{
    scen_doc *doc = NULL;
    int rc = scen_load(s->scenario, &doc, err);
    for (size_t i = 0; rc == SIM_OK && i < s->n_sets; i++)
        rc = scen_set(doc, s->sets[i], err);
    if (rc == SIM_OK)
        rc = scen_text(doc, out, err);
    scen_free(doc);
    return rc;
}

/* --simulate: the targets' simulated means at one parameter vector, from
 * streams no evaluation of the calibration uses (point UINT32_MAX), so
 * synthetic data are not the calibration's own noise. */
static int simulate(const cal_spec *s, const char *values, uint64_t reps,
                    uint64_t seed, bool seed_given)
{
    double x[CAL_MAX_PARAMS];
    size_t n = 0;
    const char *p = values;
    while (*p && n < CAL_MAX_PARAMS) {
        char *end;
        x[n++] = strtod(p, &end);
        if (end == p || (*end != ',' && *end != '\0')) {
            cli_error("--simulate: expected %zu numbers separated by "
                      "commas, got '%s'",
                      s->n_params, values);
            return CLI_USAGE;
        }
        p = *end ? end + 1 : end;
    }
    if (n != s->n_params) {
        cli_error("--simulate: expected %zu values (one per parameter), got "
                  "%zu",
                  s->n_params, n);
        return CLI_USAGE;
    }
    sim_err err = {0};
    mkt_params *par = NULL;
    if (cal_model(s, x, &par, &err) != SIM_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return CLI_USAGE;
    }
    size_t R = reps ? (size_t)reps : s->reps, T = s->n_targets;
    double *y = malloc((T * R + 1) * sizeof *y);
    mkt_run_opts o = {.point = UINT32_MAX};
    mkt_results r = {0};
    int rc = y ? SIM_OK : sim_err_set(&err, SIM_ENOMEM, "out of memory");
    for (size_t rep = 0; rc == SIM_OK && rep < R; rep++) {
        if ((rc = mkt_results_init(&r, par, &err)) == SIM_OK)
            rc = mkt_run(par, seed_given ? seed : s->seed, (uint32_t)rep,
                         &o, &r, &err);
        for (size_t t = 0; rc == SIM_OK && t < T; t++)
            y[t * R + rep] = cal_target_value(&s->targets[t], &r);
        mkt_results_fini(&r);
    }
    for (size_t t = 0; rc == SIM_OK && t < T; t++) {
        const double *yt = y + t * R;
        double m = run_calib_mean(yt, R), v = 0;
        size_t k = 0;
        for (size_t i = 0; i < R; i++)
            if (yt[i] == yt[i]) {
                v += (yt[i] - m) * (yt[i] - m);
                k++;
            }
        double se = k > 1 ? sqrt(v / (double)(k - 1) / (double)k)
                          : (double)NAN;
        printf("%s %.17g %.17g\n", s->targets[t].id, m, se);
    }
    if (rc != SIM_OK)
        cli_error("%s", err.msg);
    free(y);
    mkt_params_free(par);
    return rc == SIM_OK ? CLI_OK : CLI_FAIL;
}

/* Whether out is already the finished calibration of s (its texts the
 * same): a shard other than 0 that starts after shard 0 wrote it, as the
 * later tasks of a Slurm array that ran one at a time do, has nothing left
 * to do. */
static bool complete_already(const cal_spec *s, const char *scen_txt,
                             const ana_calib *want, const char *out)
{
    if (access(out, F_OK) != 0 || !ana_calib_is(out))
        return false;
    ana_calib got = {0};
    sim_err err = {0};
    if (ana_calib_read(out, &got, &err) != SIM_OK)
        return false;
    bool same = got.calib_text && got.scenario_text && got.targets_text &&
                strcmp(got.calib_text, s->text) == 0 &&
                strcmp(got.scenario_text, scen_txt) == 0 &&
                strcmp(got.targets_text, want->targets_text) == 0 &&
                got.seed == want->seed && got.reps == want->reps;
    ana_calib_fini(&got);
    return same;
}

int cli_calibrate(int argc, char **argv)
{
    args a;
    int rc = parse(argc, argv, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    gsl_set_error_handler_off();
    bool root = run_sweep_mpi_rank() == 0;
    if (!root && freopen("/dev/null", "w", stderr) == NULL)
        return CLI_FAIL;
    sim_err err = {0};
    cal_spec *s = NULL;
    char *scen_txt = NULL, out_buf[4096];
    run_journal j = {0};
    ana_calib out = {0};
    run_calib c = {0};
    if ((rc = cal_load(a.file, &s, &err)) != SIM_OK) {
        fprintf(stderr, "%s\n", err.msg);
        rc = rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    if (a.simulate != NULL) {
        rc = simulate(s, a.simulate, a.reps, a.seed, a.seed_given);
        goto done;
    }
    if (a.out == NULL) {
        snprintf(out_buf, sizeof out_buf, "%s.h5", s->name);
        a.out = out_buf;
    }
    if ((rc = scenario_text(s, &scen_txt, &err)) != SIM_OK ||
        (rc = fill_header(s, scen_txt, &out, &err)) != SIM_OK) {
        fprintf(stderr, "aims: %s\n", err.msg);
        rc = rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    if (a.shards > 1 && a.shard != 0 && !a.force &&
        complete_already(s, scen_txt, &out, a.out)) {
        if (!a.quiet)
            fprintf(stderr,
                    "aims: shard %llu/%llu: %s already holds this "
                    "calibration (shard 0 wrote it): nothing to do\n",
                    (unsigned long long)a.shard,
                    (unsigned long long)a.shards, a.out);
        rc = CLI_OK;
        goto done;
    }
    run_farm_signals();
    /* Only rank 0 owns the output and the journal; under MPI a refusal
     * there must still let the other ranks finish, so the decision is
     * broadcast before any batch. */
    int64_t go[1] = {CLI_OK};
    if (root) {
        const char *inputs[2 + 64];
        size_t n_in = 0;
        inputs[n_in++] = a.file;
        inputs[n_in++] = s->scenario;
        for (size_t i = 0; i < s->n_target_files && n_in < 66; i++)
            inputs[n_in++] = s->target_files[i];
        if (!cli_output_ok(a.out, a.force, inputs, n_in))
            go[0] = CLI_USAGE;
        else if ((rc = a.shards > 1
                           ? run_journal_open_shard(
                                 &j, a.out, calib_id(s, scen_txt), s->reps,
                                 s->n_targets, 1000, (unsigned)a.shard,
                                 (unsigned)a.shards, a.resume, a.force, &err)
                           : run_journal_open(&j, a.out, calib_id(s, scen_txt),
                                              0 /* open-ended */, s->reps,
                                              s->n_targets, 1000, a.resume,
                                              a.force, &err)) != SIM_OK) {
            cli_error("%s", err.msg);
            go[0] = rc == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        }
    }
    run_calib_bcast(go, sizeof go);
    if ((rc = (int)go[0]) != CLI_OK)
        goto done;
    c = (run_calib){.s = s,
                    .journal = &j,
                    .threads = a.threads,
                    .quiet = a.quiet,
                    .progress = root && !a.quiet,
                    .crn = s->method == CAL_SMM,
                    .shard = a.shards > 1 ? (unsigned)a.shard : 0,
                    .shards = a.shards > 1 ? (unsigned)a.shards : 0,
                    .shape = {.name = s->name,
                              .n_metrics = s->n_targets,
                              .replications = s->reps},
                    .t0 = run_farm_now()};
    rc = s->method == CAL_ABC_SMC ? run_calib_abc(&c, &out, &err)
                                  : run_calib_smm(&c, &out, &err);
    if (!root)
        goto done;
    if (rc >= 128) {
        cli_error("interrupted: the finished evaluations are in %s; run the "
                  "same command with --resume to finish",
                  j.dir);
        goto done;
    }
    if (rc != CLI_OK) {
        cli_error("%s", err.msg);
        if (err.status == SIM_EINPUT)
            rc = CLI_USAGE;
        goto done;
    }
    if (a.shards > 1 && a.shard != 0) {
        /* Shard 0 writes the file and removes the journal: it has every
         * record this shard has (or computes what it lacks). */
        if (!a.quiet)
            fprintf(stderr,
                    "aims: shard %llu/%llu done: %s, %zu evaluations x %zu "
                    "replications (%zu computed here, %zu by other shards "
                    "or an earlier run), %.1f s; shard 0 writes %s\n",
                    (unsigned long long)a.shard,
                    (unsigned long long)a.shards,
                    cal_method_name(s->method), c.next, s->reps, c.computed,
                    c.next - c.computed, run_farm_now() - c.t0, a.out);
        goto done;
    }
    if (ana_calib_write(&out, a.out, a.force, &err) != SIM_OK) {
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
                "aims: wrote %s: %s, %zu evaluations x %zu replications "
                "(%zu computed now, %zu from the journal%s), %.1f s\n",
                a.out, cal_method_name(s->method), c.next, s->reps,
                c.computed, c.next - c.computed,
                a.shards > 1 ? " or other shards" : "",
                run_farm_now() - c.t0);
done:
    run_journal_fini(&j);
    ana_calib_fini(&out);
    free(scen_txt);
    cal_free(s);
    return rc;
}
