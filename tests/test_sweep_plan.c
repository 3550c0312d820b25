/* test_sweep_plan.c -- `aims sweep SWEEP.cfg --plan` (cli/sweep_plan.c) as a
 * user runs it, on the sanitized binary:
 *
 *  - every field is printed and they agree with each other: the sweep's
 *    seconds are the point's times the points, the point's the calibration's
 *    times the replications, the task's memory at least the calibration's
 *    peak, the suggested array within MaxArraySize and covering every shard,
 *    and the sbatch line carries the same --time, --mem and --cpus-per-task;
 *  - past MaxArraySize the shards are kept and each task runs several;
 *  - bad values and options that make no sense with --plan exit 2, naming
 *    the option, and nothing is written.
 * The timing itself is the machine's; the assertions are on the arithmetic
 * that links the fields, which holds on any machine.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define AIMS_BIN AIMS_BUILD_DIR "/aims"
#define GRID AIMS_SOURCE_DIR "/tests/fixtures/sweeprun/grid.cfg"
#define ENFORCEMENT AIMS_SOURCE_DIR "/scenarios/sweep_enforcement.cfg"

extern char **environ;

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/aims-plan-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(sweep_plan, .init = make_dir, .fini = remove_dir, .timeout = 120);

static char out_txt[1 << 14], err_txt[1 << 14];

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    size_t k = f ? fread(buf, 1, n - 1, f) : 0;
    buf[k] = '\0';
    if (f)
        fclose(f);
}

/* Runs build/san/aims sweep ARGS in dir (so anything it wrote would be
 * there), stdout and stderr into out_txt and err_txt. */
static int plan(const char *const *args)
{
    char *argv[32];
    size_t n = 0;
    static char prog[] = AIMS_BIN, sweep[] = "sweep";
    argv[n++] = prog;
    argv[n++] = sweep;
    for (size_t i = 0; args[i] && n < 31; i++)
        memcpy(&argv[n++], &args[i], sizeof argv[0]); /* drop const */
    argv[n] = NULL;
    char o[512], e[512];
    snprintf(o, sizeof o, "%s/out.txt", dir);
    snprintf(e, sizeof e, "%s/err.txt", dir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) { /* the child: only async-signal-safe calls */
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0 ||
            chdir(dir) != 0)
            _exit(126);
        execve(prog, argv, environ);
        _exit(127);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    slurp(o, out_txt, sizeof out_txt);
    slurp(e, err_txt, sizeof err_txt);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The text after "key: " on its line of out_txt; fails the test if none. */
static const char *field(const char *key)
{
    char k[128];
    snprintf(k, sizeof k, "\n%s: ", key);
    const char *p = strstr(out_txt, k);
    if (p == NULL && strncmp(out_txt, k + 1, strlen(k + 1)) == 0)
        p = out_txt - 1;
    cr_assert_not_null(p, "no '%s:' line in:\n%s", key, out_txt);
    return p + strlen(k);
}

static double number(const char *key)
{
    char *end;
    double v = strtod(field(key), &end);
    cr_assert(end != field(key), "'%s' is not a number: %s", key, out_txt);
    return v;
}

/* What the sizing lines say; checked against each other. */
typedef struct {
    unsigned long long tasks, shards, per_task, pts_shard, cpus, mem;
    double task_s;
    char time[32];
} suggestion;

static suggestion suggested(void)
{
    suggestion s = {0};
    cr_assert_eq(sscanf(field("suggested array"),
                        "tasks %llu, shards %llu, shards per task %llu, "
                        "points per shard <= %llu, about %lf s per task",
                        &s.tasks, &s.shards, &s.per_task, &s.pts_shard,
                        &s.task_s),
                 5, "%s", out_txt);
    cr_assert_eq(sscanf(field("suggested sbatch options"),
                        "--time=%31s --mem=%lluM --cpus-per-task=%llu",
                        s.time, &s.mem, &s.cpus),
                 3, "%s", out_txt);
    return s;
}

/* [D-]HH:MM:SS in seconds. */
static double slurm_seconds(const char *t)
{
    unsigned d = 0, h, m, sec;
    if (strchr(t, '-') != NULL)
        cr_assert_eq(sscanf(t, "%u-%u:%u:%u", &d, &h, &m, &sec), 4, "%s", t);
    else
        cr_assert_eq(sscanf(t, "%u:%u:%u", &h, &m, &sec), 3, "%s", t);
    return 86400.0 * d + 3600.0 * h + 60.0 * m + sec;
}

static bool dir_holds_only_logs(void)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    bool only = true;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            strcmp(e->d_name, "out.txt") && strcmp(e->d_name, "err.txt"))
            only = false;
    closedir(d);
    return only;
}

Test(sweep_plan, fields_are_printed_and_agree)
{
    /* 6 CPUs: 4 threads measured together, 2 more scaled from them. */
    const char *a[] = {GRID, "--plan", "-j", "6", NULL};
    int rc = plan(a);
    cr_assert_eq(rc, 0, "%d: %s%s", rc, out_txt, err_txt);
    cr_assert_eq(number("points"), 8.0); /* grid.cfg: 1 x 2 x 4 */
    cr_assert_eq(number("replications per point"), 2.0);
    double cal, cal_wall;
    unsigned long long point, runs, at_once;
    cr_assert_eq(sscanf(field("calibration"),
                        "point %llu, 1 replication, %llu run(s) on %llu "
                        "thread(s), %lf CPU s each (%lf s wall",
                        &point, &runs, &at_once, &cal, &cal_wall),
                 5, "%s", out_txt);
    cr_assert_eq(point, 4u, "the middle of the design");
    cr_assert_eq(at_once, 4u, "at most 4 threads are measured together");
    /* 8 runs per thread for the memory (a cheap point is in no danger of
     * the CPU budget), at most 50 in all. */
    cr_assert(runs >= 32 && runs <= 50 && cal > 0 && cal_wall > 0, "%s",
              out_txt);
    /* Printed with 6 significant digits: products agree to 1e-5. */
    double per = number("seconds per point");
    double total = number("seconds whole sweep");
    cr_assert(fabs(per - 2 * cal) <= 1e-5 * per, "%g vs 2 x %g", per, cal);
    cr_assert(fabs(total - 8 * per) <= 1e-5 * total, "%g vs 8 x %g", total,
              per);
    /* Memory: a task's peak is at least the calibration's, plus a second
     * thread's point. */
    double grow = number("memory per point");
    double task, peak, out_mib, more_grow;
    unsigned long long running, pts, more;
    cr_assert_eq(sscanf(field("memory per task"),
                        "%lf MiB (peak RSS %lf MiB with %llu point(s) "
                        "running, + %lf MiB writing the output of all %llu "
                        "points, + %llu more thread(s) x %lf MiB)",
                        &task, &peak, &running, &out_mib, &pts, &more,
                        &more_grow),
                 7, "%s", out_txt);
    cr_assert(grow >= 0 && peak > 0 && out_mib >= 0, "%s", out_txt);
    cr_assert_eq(running, 4u);
    cr_assert_eq(pts, 8u);
    cr_assert_eq(more, 2u, "-j 6 is 2 threads more than the 4 measured");
    cr_assert(fabs(more_grow - grow) <= 0.05, "%s", out_txt);
    cr_assert(fabs(task - (peak + out_mib + 2 * grow)) <= 0.25, "%s",
              out_txt);
    suggestion s = suggested();
    cr_assert_eq(s.cpus, 6u);
    cr_assert(s.tasks >= 1 && s.tasks <= 1001 && s.per_task >= 1, "%s",
              out_txt);
    cr_assert(s.tasks * s.per_task >= s.shards &&
                  (s.tasks - 1) * s.per_task < s.shards,
              "the tasks cover the shards exactly: %s", out_txt);
    cr_assert(s.shards * s.pts_shard >= 8 && s.shards <= 8, "%s", out_txt);
    /* --time covers the estimate with its stated margin (x 1.5 + 2 min,
     * rounded up to the minute); --mem covers the task's peak x 1.5. */
    double t = slurm_seconds(s.time);
    cr_assert(t >= s.task_s * 1.5 + 120 && t < s.task_s * 1.5 + 180, "%s",
              out_txt);
    cr_assert(s.mem >= task * 1.5 && s.mem < task * 1.5 + 64 &&
                  s.mem % 64 == 0,
              "%s", out_txt);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "sbatch --array=0-%llu --time=%s --mem=%lluM "
             "--cpus-per-task=6 scenarios/slurm/sweep.sbatch " GRID
             " parts %llu %llu\n",
             s.tasks - 1, s.time, s.mem, s.shards, s.per_task);
    cr_assert_not_null(strstr(out_txt, cmd), "want '%s' in:\n%s", cmd,
                       out_txt);
    cr_assert(dir_holds_only_logs(), "--plan wrote a file");
}

Test(sweep_plan, more_shards_than_max_array_size_run_several_per_task)
{
    /* 32 points of about 0.1 CPU s x 5 replications against a 1 s target:
     * far more shards than 3 tasks, so each task runs several. */
    const char *a[] = {ENFORCEMENT, "--plan", "--task-time", "0:01",
                       "--max-array-size", "3", NULL};
    int rc = plan(a);
    cr_assert_eq(rc, 0, "%d: %s%s", rc, out_txt, err_txt);
    suggestion s = suggested();
    double total = number("seconds whole sweep");
    cr_assert_gt(total, 3.0, "the test needs a sweep of more than 3 s");
    unsigned long long want = (unsigned long long)ceil(total / 1.0);
    cr_assert_eq(s.shards, want < 32 ? want : 32, "%s", out_txt);
    cr_assert_leq(s.tasks, 3u, "%s", out_txt);
    cr_assert_eq(s.per_task, (s.shards + 2) / 3, "%s", out_txt);
    cr_assert(s.tasks * s.per_task >= s.shards, "%s", out_txt);
    cr_assert_not_null(strstr(out_txt, "note: "), "%s", out_txt);
    cr_assert_not_null(strstr(out_txt, "shards in turn"), "%s", out_txt);
}

Test(sweep_plan, bad_values_exit_2_naming_the_option)
{
    static const struct {
        const char *args[8];
        const char *want;
    } cases[] = {
        {{GRID, "--plan", "--max-array-size", "0", NULL}, "--max-array-size"},
        {{GRID, "--plan", "--max-array-size", "ten", NULL},
         "--max-array-size"},
        {{GRID, "--plan", "--task-time", "0", NULL}, "--task-time"},
        {{GRID, "--plan", "--task-time", "1:2:3:4", NULL}, "--task-time"},
        {{GRID, "--plan", "--task-time", "an hour", NULL}, "--task-time"},
        {{GRID, "--plan", "--task-time", "400-00", NULL}, "--task-time"},
        {{GRID, "--max-array-size", "100", NULL}, "needs --plan"},
        {{GRID, "--task-time", "10", NULL}, "needs --plan"},
        {{GRID, "--plan", "--shard", "0/2", NULL}, "drop --shard"},
        {{GRID, "--plan", "-o", "x.h5", NULL}, "drop --shard"},
        {{GRID, "--plan", "--max-array-size", "5", "--max-array-size", "6",
          NULL},
         "given twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = plan(cases[i].args);
        cr_expect_eq(rc, 2, "case %zu: exit %d: %s", i, rc, err_txt);
        cr_expect_not_null(strstr(err_txt, cases[i].want),
                           "case %zu: want '%s' in: %s", i, cases[i].want,
                           err_txt);
        cr_expect(dir_holds_only_logs(), "case %zu wrote a file", i);
    }
}
