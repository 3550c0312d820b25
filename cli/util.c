/* util.c -- what the subcommands share: messages, numbers, options,
 * loading a scenario. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    run_progress_vnote(fmt, ap); /* "aims: MESSAGE\n", as the runner's */
    va_end(ap);
}

bool cli_parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi,
                   uint64_t *out)
{
    const char *p = s;
    bool ok = *p != '\0';
    uint64_t v = 0;
    for (; ok && *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) {
            ok = false;
            break;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (!ok)
        cli_usage_error("%s: '%s' is not %s", opt, s,
                        lo == 0   ? "a whole number"
                        : lo == 1 ? "a positive integer"
                                  : "an integer");
    else if (v < lo)
        cli_usage_error("%s: '%s' is less than %llu", opt, s,
                        (unsigned long long)lo);
    else if (v > hi)
        cli_usage_error("%s: '%s' is more than %llu", opt, s,
                        (unsigned long long)hi);
    if (!ok || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool cli_once(const char *opt, bool *seen)
{
    if (*seen) {
        cli_usage_error("%s: given twice; give it once", opt);
        return false;
    }
    *seen = true;
    return true;
}

int cli_load_scenario(const char *path, const char *const *sets,
                      size_t n_sets, scen_doc **doc, mkt_params **params)
{
    sim_err err = {0};
    scen_doc *d = NULL;
    mkt_params *p = NULL;
    int rc = scen_load(path, &d, &err);
    for (size_t k = 0; rc == SIM_OK && k < n_sets; k++)
        rc = scen_set(d, sets[k], &err);
    if (rc == SIM_OK)
        rc = mkt_load(d, &p, &err);
    if (rc != SIM_OK) {
        fprintf(stderr, "%s\n", err.msg);
        scen_free(d);
        return rc == SIM_EINPUT || rc == SIM_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    *doc = d;
    *params = p;
    return CLI_OK;
}

/* ---- a watchdog for reading outside files --------------------------------
 * HDF5 1.10.8 can spin for minutes on some damaged files (a corrupt global
 * heap under a string attribute; found by fuzz_h5read) before it fails, if
 * it ever does. A reader must not hang on bad input, so report, compare,
 * merge and sensitivity arm this alarm: when it fires, the file is damaged
 * (no aims file takes anywhere near that long to read), and the process
 * says so in one line and exits 2. Only async-signal-safe calls in the
 * handler. */

static char watch_msg[1200];
static size_t watch_len;

static void on_alarm(int sig)
{
    (void)sig;
    if (write(STDERR_FILENO, watch_msg, watch_len) < 0)
        _exit(CLI_USAGE);
    _exit(CLI_USAGE);
}

void cli_read_watchdog(const char *path)
{
    struct stat st;
    unsigned secs = 30;
    if (stat(path, &st) == 0 && st.st_size > 0) /* 1 s more per 10 MB */
        secs += (unsigned)(st.st_size / 10000000);
    const char *env = getenv("AIMS_READ_TIMEOUT"); /* seconds, for tests */
    if (env != NULL && atoi(env) > 0)
        secs = (unsigned)atoi(env);
    int n = snprintf(watch_msg, sizeof watch_msg,
                     "aims: %s: HDF5 did not finish reading it in %u s: a "
                     "damaged file? Write it again (aims run or sweep); if it "
                     "is just large, AIMS_READ_TIMEOUT=SECONDS allows more\n",
                     path, secs);
    watch_len = n > 0 && (size_t)n < sizeof watch_msg ? (size_t)n
                                                       : sizeof watch_msg - 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm(secs);
}

void cli_read_watchdog_off(void)
{
    alarm(0);
}

/* ---- readers in a child process ------------------------------------------
 * HDF5 1.10.8 itself crashes on some damaged files (fuzz_h5read found
 * SEGVs and heap overflows inside H5HG_read and H5VM_memcpyvv: no check of
 * ours runs before them). So the commands that read files from outside run
 * in a child: if it dies of a signal, the parent says the input is damaged,
 * in one line, and exits 2. The child's own exit status passes through.
 *
 * The child is tied to the parent: it gets SIGKILL when the parent dies
 * (`kill -9` of aims, or SIGTERM: a child that went on alone once rewrote
 * its output seconds after its parent had exited 143, and printed into the
 * next command's terminal), and if the parent died before that was set up,
 * it stops at once. It never puts a file in place itself: it sends the
 * parent a record through a pipe (cli_output_staged), and the parent moves
 * the staged file only once it has reaped the child with status 0. */
/* The child a guarded command runs in, for the parent's handlers. */
static volatile sig_atomic_t guarded_child;

/* A signal that ends a job, sent to the parent alone (kill PID, a Slurm
 * job's SIGTERM), goes on to the child: the child then dies of it, the
 * parent reaps it and removes what the child had staged, as for any
 * failed child. (Left alone, the parent died at once and the child, killed
 * by PR_SET_PDEATHSIG, left its hidden staging file behind.) */
static void forward_to_child(int sig)
{
    if (guarded_child > 0)
        kill((pid_t)guarded_child, sig);
}

int cli_guarded(int (*cmd)(int, char **), int argc, char **argv,
                const char *what, uint64_t bytes)
{
    (void)bytes; /* unused in sanitized builds */
    fflush(NULL);
    int fds[2];
    if (pipe(fds) != 0)
        return cmd(argc, argv); /* no child: run it here */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return cmd(argc, argv);
    }
    if (pid == 0) {
        close(fds[0]);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(CLI_FAIL);
        cli_output_stage_to(fds[1]);
#ifndef __SANITIZE_ADDRESS__ /* ASan reserves terabytes of address space */
        /* HDF5 can also allocate gigabytes for sizes a damaged file claims
         * (fuzz_h5read: 8 GB before failing). Reading an aims file needs
         * a small multiple of its size; cap the child there. */
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t)(2ULL << 30) + 16 * (rlim_t)bytes;
        setrlimit(RLIMIT_AS, &rl);
#endif
        int rc = cmd(argc, argv);
        fflush(NULL);
        _exit(rc);
    }
    close(fds[1]);
    static const int ends[] = {SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
    enum { N_ENDS = sizeof ends / sizeof ends[0] };
    struct sigaction fwd, old[N_ENDS];
    memset(&fwd, 0, sizeof fwd);
    fwd.sa_handler = forward_to_child;
    sigemptyset(&fwd.sa_mask);
    guarded_child = (sig_atomic_t)pid;
    for (size_t k = 0; k < N_ENDS; k++)
        sigaction(ends[k], &fwd, &old[k]);
    int st;
    bool reaped = true;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            reaped = false;
            break;
        }
    for (size_t k = 0; k < N_ENDS; k++)
        sigaction(ends[k], &old[k], NULL);
    guarded_child = 0;
    if (!reaped) {
        close(fds[0]);
        return CLI_FAIL;
    }
    /* The child has exited: its record (if any) is in the pipe, and the
     * pipe is at end of file. */
    char rec[2 * 4096 + 8];
    size_t got = 0;
    while (got < sizeof rec) {
        ssize_t k = read(fds[0], rec + got, sizeof rec - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fds[0]);
    int rc;
    if (WIFEXITED(st)) {
        rc = WEXITSTATUS(st);
    } else {
        int sig = WTERMSIG(st);
        rc = 128 + sig;
        if (sig != SIGINT && sig != SIGTERM && sig != SIGHUP &&
            sig != SIGUSR1 && sig != SIGUSR2) {
            cli_error("%s: HDF5 crashed reading it (signal %d): a damaged "
                      "file? Write it again (aims run or sweep) or copy it "
                      "again",
                      what, sig);
            rc = CLI_USAGE;
        }
    }
    return cli_output_finish(rec, got, rc);
}

int cli_load_base(const swp_spec *sw, scen_doc **doc, mkt_params **params)
{
    sim_err err = {0};
    scen_doc *d = NULL;
    mkt_params *p = NULL;
    int rc = scen_load(sw->scenario, &d, &err);
    if (rc == SIM_OK)
        rc = mkt_load(d, &p, &err);
    if (rc != SIM_OK) {
        fprintf(stderr,
                "%s:%d: sweep.scenario: the base scenario does not load: "
                "%s\n",
                sw->file, sw->scenario_line, err.msg);
        scen_free(d);
        return rc == SIM_EINPUT || rc == SIM_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    *doc = d;
    *params = p;
    return CLI_OK;
}

bool cli_one_operand(const char **slot, const char *arg, const char *what)
{
    if (*slot != NULL) {
        cli_usage_error("one %s at a time (got '%s' and '%s')", what, *slot,
                        arg);
        return false;
    }
    *slot = arg;
    return true;
}

bool cli_parse_shard(const char *s, uint64_t *i, uint64_t *n)
{
    char *end;
    errno = 0;
    unsigned long long a = strtoull(s, &end, 10);
    if (end == s || *end != '/' || errno || s[0] == '-') {
        cli_usage_error("--shard: expected I/N with 0 <= I < N, got '%s'", s);
        return false;
    }
    const char *t = end + 1;
    unsigned long long b = strtoull(t, &end, 10);
    if (end == t || *end != '\0' || errno || t[0] == '-' || b == 0 ||
        b > 1000000 || a >= b) {
        cli_usage_error("--shard: expected I/N with 0 <= I < N, got '%s'", s);
        return false;
    }
    *i = a;
    *n = b;
    return true;
}
