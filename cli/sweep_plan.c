/* sweep_plan.c -- `aims sweep --plan`: one calibration point, timed and
 * measured, and the Slurm array it suggests (sweep_plan.h).
 *
 * The figures, and why they are what they are:
 *  - seconds per point = CPU seconds of one replication x R. The calibration
 *    point is the middle of the design (a grid's corners are its extremes;
 *    Sobol and LHS points are all alike), and falls back to the first and
 *    the last when the model refuses it. CPU time, not wall time: a login
 *    node's other users would be in the wall time.
 *  - memory: the process's peak resident set after the calibration point
 *    ran on min(cpus, 4) threads at once, 8 times each, as a task's
 *    workers run points (each thread has its own malloc arena, which keeps
 *    growing over its first points), and after writing a trial output of
 *    every point of the design (what a task assembles and writes at the
 *    end, HDF5's own buffers included); past 4 threads, each further one
 *    adds the measured growth per thread. The trial's write time joins
 *    each shard's time. Points that change enterprises.count change both
 *    time and memory in proportion; the plan cannot see that from one
 *    point, and says so.
 *  - the array: T = ceil(points x seconds / (cpus x target)) tasks, at
 *    most one per point. Slurm refuses array indices >= MaxArraySize, so
 *    when T > MaxArraySize the T shards are kept and each task runs
 *    K = ceil(T / MaxArraySize) of them in turn (scenarios/slurm/sweep.sbatch
 *    SWEEP OUTDIR N K): the task then runs K times the target, which the
 *    plan prints, and raising --cpus-per-task (-j) is what shortens it.
 *  - --time is the estimate x 1.5 plus two minutes (start-up, and points
 *    that cost more than the calibration's), rounded up to the minute;
 *    --mem is the estimate x 1.5, rounded up to 64 MiB: the measured
 *    memory was 75-80% of a real task's peak on sweep_enforcement.cfg
 *    (5 replications a point; 97% with 1), as a worker's heap grows with
 *    its replications in a way one replication does not show.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "farm.h"
#include "sweep_plan.h"
#include "sweepfile.h"

enum { MAX_SHARDS = 1000000 }; /* what --shard I/N accepts */

/* CPU seconds of the process (user + system), all threads: divided by the
 * runs made, a run's cost, whatever else the machine runs meanwhile. */
static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

/* Slurm's --time form: [D-]HH:MM:SS, rounded up to the minute. */
static void slurm_time(double seconds, char *buf, size_t n)
{
    unsigned long long m = (unsigned long long)ceil(seconds / 60.0);
    if (m < 1)
        m = 1;
    unsigned long long d = m / 1440, h = (m % 1440) / 60, mm = m % 60;
    if (d > 0)
        snprintf(buf, n, "%llu-%02llu:%02llu:00", d, h, mm);
    else
        snprintf(buf, n, "%02llu:%02llu:00", h, mm);
}

/* Up to 4 numbers separated by ':' after an optional "DAYS-". */
bool cli_sweep_size_time(const char *s, double *seconds)
{
    unsigned long long v[4], days = 0;
    size_t n = 0;
    const char *p = s, *dash = strchr(s, '-');
    if (dash != NULL) {
        char *end;
        if (!isdigit((unsigned char)*s))
            return false;
        days = strtoull(s, &end, 10);
        if (end != dash || days > 365)
            return false;
        p = dash + 1;
    }
    for (;;) {
        char *end;
        if (!isdigit((unsigned char)*p) || n == 4)
            return false;
        v[n++] = strtoull(p, &end, 10);
        if (end - p > 6)
            return false;
        if (*end == '\0')
            break;
        if (*end != ':')
            return false;
        p = end + 1;
    }
    double t;
    if (dash != NULL) { /* D-H, D-H:M, D-H:M:S */
        if (n > 3)
            return false;
        t = 86400.0 * (double)days + 3600.0 * (double)v[0] +
            (n > 1 ? 60.0 * (double)v[1] : 0) + (n > 2 ? (double)v[2] : 0);
    } else if (n == 1) { /* M */
        t = 60.0 * (double)v[0];
    } else if (n == 2) { /* M:S */
        t = 60.0 * (double)v[0] + (double)v[1];
    } else if (n == 3) { /* H:M:S */
        t = 3600.0 * (double)v[0] + 60.0 * (double)v[1] + (double)v[2];
    } else {
        return false;
    }
    if (!(t > 0 && t <= 366.0 * 86400.0))
        return false;
    *seconds = t;
    return true;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

typedef struct {
    size_t point;     /* the calibration point */
    unsigned runs;    /* how often it ran */
    unsigned at_once; /* the first runs: that many threads together */
    double seconds;   /* mean CPU time of one run (one replication) */
    double wall;      /* mean wall time of one run */
    double rss_mib;   /* peak resident set after the first runs */
    double grow_mib;  /* its growth during them, per thread */
} calibration;

/* A worker's heap (its own malloc arena) keeps growing over its first
 * points, as freed blocks raise glibc's mmap threshold and stay in the
 * arena: measured on sweep_enforcement.cfg, 4 points per thread gave 79%
 * of a real 2-thread sweep's peak, 8 and 16 both 97%. So each thread runs
 * the point 8 times, unless that passes the CPU budget (a login node's
 * patience), in which case the plan says how many it ran. */
enum {
    MAX_AT_ONCE = 4, /* threads measured together; more: scaled */
    ROUNDS = 8       /* points per thread before its heap has settled */
};
#define CPU_BUDGET 30.0 /* CPU seconds per thread for the rounds */

typedef struct {
    const run_sweep_plan *pl;
    size_t point;
    unsigned times; /* runs of the point, one after another, at most */
    unsigned done;  /* runs made */
    unsigned id;    /* which thread */
    double c0;      /* process CPU seconds at the start */
    double budget;  /* stop after a run once the process used this more */
    int status;
    double y[64];
    double *yp; /* y, or a larger buffer */
    char msg[RUN_SWEEP_MSG];
} one_run;

static void *run_one(void *arg)
{
    one_run *r = arg;
    /* Each run with other random streams (another seed), as a worker's
     * replications are: a replication's peak depends on its draws. */
    swp_spec spec = *r->pl->spec;
    run_sweep_plan pl = *r->pl;
    pl.spec = &spec;
    while (r->done < r->times && r->status == ANA_SWEEP_OK) {
        spec.seed = r->pl->spec->seed + 1000003u * r->id + r->done;
        r->status = run_sweep_point(&pl, r->point, r->yp, r->msg,
                                    sizeof r->msg);
        r->done += r->status == ANA_SWEEP_OK;
        if (cpu_seconds() - r->c0 > r->budget)
            break;
    }
    return NULL;
}

/* Point p once on n threads at the same time, as n workers of a task run
 * n points: each thread has its own malloc arena and stack, which is why
 * one point's growth on the main thread would undercount them. */
static int run_together(const run_sweep_plan *cp, size_t p, unsigned n,
                        unsigned times, unsigned *runs, char *msg,
                        size_t msg_n)
{
    size_t M = cp->spec->n_metrics;
    one_run r[MAX_AT_ONCE];
    pthread_t t[MAX_AT_ONCE];
    unsigned started = 0;
    int st = ANA_SWEEP_OK;
    for (unsigned i = 0; i < n; i++) {
        r[i] = (one_run){.pl = cp,
                         .point = p,
                         .times = times,
                         .id = i,
                         .c0 = cpu_seconds(),
                         .budget = CPU_BUDGET * n,
                         .status = ANA_SWEEP_OK};
        r[i].yp = M <= 64 ? r[i].y : malloc(M * sizeof *r[i].yp);
        if (r[i].yp == NULL) {
            snprintf(msg, msg_n, "out of memory");
            st = ANA_SWEEP_FAILED;
            n = i;
            break;
        }
    }
    for (; started < n; started++)
        if (pthread_create(&t[started], NULL, run_one, &r[started]) != 0)
            break;
    if (started < n && st == ANA_SWEEP_OK) {
        snprintf(msg, msg_n, "cannot start %u threads", n);
        st = ANA_SWEEP_FAILED;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    *runs = 0;
    for (unsigned i = 0; i < n; i++) {
        *runs += r[i].done;
        if (st == ANA_SWEEP_OK && r[i].status != ANA_SWEEP_OK) {
            st = r[i].status;
            snprintf(msg, msg_n, "%s", r[i].msg);
        }
        if (r[i].yp != r[i].y)
            free(r[i].yp);
    }
    return st;
}

/* Runs one replication of candidate points until one succeeds, on
 * min(cpus, MAX_AT_ONCE) threads together, ROUNDS times each (the memory),
 * then again while less than half a CPU second has gone (the time; at
 * most 50 runs). */
static int calibrate(const run_sweep_plan *pl, uint64_t cpus, calibration *c,
                     FILE *f)
{
    swp_spec one = *pl->spec;
    one.replications = 1;
    unsigned n = cpus < MAX_AT_ONCE ? (unsigned)cpus : MAX_AT_ONCE;
    run_sweep_plan cp = *pl;
    cp.spec = &one;
    cp.threads = n;
    cp.progress = false;
    size_t P = pl->points;
    assert(P > 0 && n >= 1);
    char msg[RUN_SWEEP_MSG];
    size_t cand[3] = {P / 2, 0, P - 1};
    int rc = CLI_FAIL;
    for (size_t k = 0; k < 3 && rc == CLI_FAIL; k++) {
        if ((k == 1 && cand[1] == cand[0]) ||
            (k == 2 && (cand[2] == cand[0] || cand[2] == cand[1])))
            continue;
        double before = peak_rss_mib(), t0 = run_farm_now(),
               c0 = cpu_seconds();
        unsigned runs = 0;
        int st = run_together(&cp, cand[k], n, ROUNDS, &runs, msg,
                              sizeof msg);
        if (st == SIM_ECANCELED) {
            rc = 128 + run_farm_signal();
            break;
        }
        if (st != ANA_SWEEP_OK) {
            fprintf(f, "calibration: point %zu failed: %s\n", cand[k], msg);
            continue;
        }
        *c = (calibration){.point = cand[k], .runs = runs, .at_once = n};
        c->rss_mib = peak_rss_mib();
        c->grow_mib = (c->rss_mib - before) / n;
        /* A cheap point: more runs, so its time is not clock noise. */
        while (cpu_seconds() - c0 < 0.5 && c->runs + n <= 50) {
            st = run_together(&cp, cand[k], n, 1, &runs, msg, sizeof msg);
            if (st != ANA_SWEEP_OK)
                break;
            c->runs += runs;
        }
        if (st == SIM_ECANCELED) {
            rc = 128 + run_farm_signal();
            break;
        }
        c->seconds = (cpu_seconds() - c0) / c->runs;
        c->wall = (run_farm_now() - t0) * n / c->runs; /* per thread */
        rc = CLI_OK;
    }
    if (rc == CLI_FAIL)
        cli_error("--plan: every calibration point failed (the messages "
                  "are above); fix the sweep before sizing it");
    return rc;
}

static char *copy(const char *s, bool *ok)
{
    char *d = strdup(s != NULL ? s : "");
    *ok = *ok && d != NULL;
    return d;
}

/* What a task does last: the whole output (every point of the design, as
 * assemble in cmd_sweep.c builds it) in memory, written with HDF5. Done
 * for real, into a temporary file that is removed, so that its memory
 * (HDF5's own included) and its time are measured, not guessed. */
static int probe_output(const run_sweep_plan *pl, double *rss_mib,
                        double *seconds)
{
    const swp_spec *s = pl->spec;
    ana_sweep out = {.points = pl->points,
                     .n_params = s->n_params,
                     .n_metrics = s->n_metrics,
                     .reps = s->replications,
                     .seed = (int64_t)s->seed,
                     .samples = (int64_t)s->samples,
                     .crn = s->crn,
                     .shards = 1};
    sim_err err = {0};
    double t0 = run_farm_now();
    bool ok = true;
    out.name = copy(s->name, &ok);
    out.design = copy(swp_design_name(s->design), &ok);
    out.sweep_text = copy(s->text, &ok);
    out.sweep_file = copy(s->file, &ok);
    out.scenario_file = copy(s->scenario, &ok);
    out.aims_version = copy(cli_version(), &ok);
    out.git_commit = copy(cli_git_commit(), &ok);
    out.params = calloc(s->n_params, sizeof *out.params);
    out.metrics = calloc(s->n_metrics, sizeof *out.metrics);
    ok = ok && out.params != NULL && out.metrics != NULL;
    for (size_t k = 0; ok && k < s->n_params; k++)
        out.params[k] = copy(s->params[k].path, &ok);
    for (size_t m = 0; ok && m < s->n_metrics; m++)
        out.metrics[m] = copy(s->metrics[m], &ok);
    int rc = ok ? ana_sweep_alloc(&out, &err)
                : sim_err_set(&err, SIM_ENOMEM, "out of memory");
    if (rc == SIM_OK)
        memcpy(out.x, pl->x, pl->points * s->n_params * sizeof *out.x);
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/aims-plan-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    int fd = rc == SIM_OK ? mkstemp(path) : -1;
    if (rc == SIM_OK && fd < 0)
        rc = sim_err_set(&err, SIM_EIO, "%s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (rc == SIM_OK)
        rc = ana_sweep_write(&out, path, true, &err);
    if (fd >= 0)
        unlink(path);
    ana_sweep_fini(&out);
    *rss_mib = peak_rss_mib();
    *seconds = run_farm_now() - t0;
    if (rc != SIM_OK)
        cli_error("--plan: writing a trial output: %s", err.msg);
    return rc == SIM_OK ? CLI_OK : CLI_FAIL;
}

int cli_sweep_size_print(const run_sweep_plan *pl,
                         const cli_sweep_size_opts *o, FILE *f)
{
    const swp_spec *s = pl->spec;
    calibration c;
    int rc = calibrate(pl, o->cpus, &c, f);
    if (rc != CLI_OK)
        return rc;
    uint64_t P = pl->points, R = s->replications, cpus = o->cpus;
    double out_rss, out_s;
    if ((rc = probe_output(pl, &out_rss, &out_s)) != CLI_OK)
        return rc;
    double per_point = c.seconds * (double)R;
    double total = per_point * (double)P;
    /* The output's share: what the trial write added to the peak. */
    double out_mib = out_rss > c.rss_mib ? out_rss - c.rss_mib : 0;
    double grow = c.grow_mib > 0 ? c.grow_mib : 0;
    double task_mib = out_rss + (double)(cpus - c.at_once) * grow;

    double target = o->task_seconds;
    uint64_t want = (uint64_t)ceil(total / ((double)cpus * target));
    if (want < 1)
        want = 1;
    if (want > P)
        want = P;
    if (want > MAX_SHARDS)
        want = MAX_SHARDS;
    uint64_t shards = want, per_task = ceil_div(shards, o->max_array);
    uint64_t tasks = ceil_div(shards, per_task);
    uint64_t pts_shard = ceil_div(P, shards);
    /* A shard's points run on the task's threads, whole points each. */
    double task_s = (double)per_task *
                    ((double)ceil_div(pts_shard, cpus) * per_point + out_s);
    char tbuf[32];
    slurm_time(task_s * 1.5 + 120.0, tbuf, sizeof tbuf);
    uint64_t mem = 64 * (uint64_t)ceil(task_mib * 1.5 / 64.0);

    fprintf(f, "sweep: %s (%s)\n", s->name, s->file);
    fprintf(f, "points: %llu\n", (unsigned long long)P);
    fprintf(f, "replications per point: %llu\n", (unsigned long long)R);
    fprintf(f,
            "calibration: point %zu, 1 replication, %u run(s) on %u "
            "thread(s), %.6g CPU s each (%.6g s wall on this machine)\n",
            c.point, c.runs, c.at_once, c.seconds, c.wall);
    fprintf(f, "seconds per point: %.6g (calibration x %llu replications)\n",
            per_point, (unsigned long long)R);
    fprintf(f, "seconds whole sweep: %.6g (per point x %llu points, one "
               "CPU; %.3g CPU-hours)\n",
            total, (unsigned long long)P, total / 3600.0);
    fprintf(f,
            "memory per point: %.1f MiB (peak RSS growth while %u "
            "thread(s) ran it, per thread; replications run one after "
            "another, so it does not grow with them)\n",
            grow, c.at_once);
    fprintf(f,
            "memory per task: %.1f MiB (peak RSS %.1f MiB with %u point(s) "
            "running, + %.1f MiB writing the output of all %llu points, + "
            "%llu more thread(s) x %.1f MiB)\n",
            task_mib, c.rss_mib, c.at_once, out_mib, (unsigned long long)P,
            (unsigned long long)(cpus - c.at_once), grow);
    fprintf(f,
            "output per shard: %.3g s to write (measured: a trial file of "
            "all %llu points; every part holds the whole design)\n",
            out_s, (unsigned long long)P);
    fprintf(f,
            "memory whole sweep: %.1f MiB per task; %.1f MiB if all %llu "
            "tasks run at once\n",
            task_mib, task_mib * (double)tasks, (unsigned long long)tasks);
    fprintf(f,
            "target: %.6g s per task (--task-time), %llu CPU(s) per task "
            "(-j), MaxArraySize %llu (--max-array-size)\n",
            target, (unsigned long long)cpus,
            (unsigned long long)o->max_array);
    fprintf(f,
            "suggested array: tasks %llu, shards %llu, shards per task "
            "%llu, points per shard <= %llu, about %.6g s per task\n",
            (unsigned long long)tasks, (unsigned long long)shards,
            (unsigned long long)per_task, (unsigned long long)pts_shard,
            task_s);
    fprintf(f, "suggested sbatch options: --time=%s --mem=%lluM "
               "--cpus-per-task=%llu\n",
            tbuf, (unsigned long long)mem, (unsigned long long)cpus);
    fprintf(f,
            "command: sbatch --array=0-%llu --time=%s --mem=%lluM "
            "--cpus-per-task=%llu scenarios/slurm/sweep.sbatch %s parts "
            "%llu %llu\n",
            (unsigned long long)(tasks - 1), tbuf, (unsigned long long)mem,
            (unsigned long long)cpus, o->sweep_file,
            (unsigned long long)shards, (unsigned long long)per_task);
    if (per_task > 1)
        fprintf(f,
                "note: %llu shards of about %.6g s do not fit in one "
                "array of %llu tasks, so each task runs %llu shards in "
                "turn (%.6g s); more CPUs per task (-j) shorten it\n",
                (unsigned long long)shards, target,
                (unsigned long long)o->max_array,
                (unsigned long long)per_task, task_s);
    if (pts_shard == 1 && per_point > target)
        fprintf(f,
                "note: one point takes longer than the target (%.6g s > "
                "%.6g s); a task runs at least one point\n",
                per_point, target);
    fprintf(f,
            "note: estimates from one point; a sweep over "
            "enterprises.count (or the horizon) changes time and memory in "
            "proportion, so plan at its largest value\n");
    return CLI_OK;
}
