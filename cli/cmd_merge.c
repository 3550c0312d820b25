/* cmd_merge.c -- `aims merge PART.h5... -o OUT.h5 [--force]`: joins the
 * shards of a sweep (aims sweep --shard I/N) into the file the whole sweep
 * would have written.
 *
 * The parts must be of one sweep: the same sweep text, seed, replications,
 * design table, parameters and metrics, and shards 0 .. N-1 of the same N,
 * each exactly once. Anything else is refused before writing, naming what
 * differs or which shards are missing: a merged file that silently mixes
 * two sweeps, or lacks points, would be worse than none.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sweepfile.h"

const char cli_help_merge[] =
    "usage: aims merge PART.h5... -o OUT.h5 [--force]\n"
    "Joins the parts of 'aims sweep --shard I/N' (all N of them) into one "
    "file,\n"
    "the same as the whole sweep would have written.\n"
    "  -o, --output FILE   the merged file (required)\n"
    "  -f, --force         replace an existing output file\n"
    "  -q, --quiet         no 'wrote ...' message\n"
    "  -h, --help          this help\n";

static const struct option merge_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Whether part b is of the same sweep as part a; if not, msg says how. */
static bool same_sweep(const ana_sweep *a, const char *pa, const ana_sweep *b,
                       const char *pb, char *msg, size_t n)
{
    const char *what = NULL;
    if (strcmp(a->sweep_text, b->sweep_text) != 0)
        what = "sweep files";
    else if (a->seed != b->seed)
        what = "seeds";
    else if (a->reps != b->reps)
        what = "replications";
    else if (a->points != b->points || a->n_params != b->n_params)
        what = "designs";
    else if (a->shards != b->shards)
        what = "shard counts (--shard I/N with different N)";
    else if (a->n_metrics != b->n_metrics)
        what = "metrics";
    for (size_t i = 0; !what && i < a->n_params; i++)
        if (strcmp(a->params[i], b->params[i]) != 0)
            what = "parameters";
    for (size_t i = 0; !what && i < a->n_metrics; i++)
        if (strcmp(a->metrics[i], b->metrics[i]) != 0)
            what = "metrics";
    if (!what &&
        memcmp(a->x, b->x, a->points * a->n_params * sizeof *a->x) != 0)
        what = "design tables";
    if (what)
        snprintf(msg, n, "merge: %s and %s are parts of different sweeps "
                         "(their %s differ)",
                 pa, pb, what);
    return what == NULL;
}

int cli_merge(int argc, char **argv)
{
    const char *out = NULL;
    bool force = false, bad = false, have_out = false, quiet = false;
    const char **parts = calloc((size_t)argc, sizeof *parts);
    size_t n = 0;
    if (parts == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_opts_begin("merge");
    int c;
    while (!bad &&
           (c = cli_opts_next(argc, argv, "o:fqh", merge_options)) != -1) {
        if (c == 'o') {
            bad = !cli_once("-o", &have_out);
            out = optarg;
        } else if (c == 'f') {
            force = true;
        } else if (c == 'q') {
            quiet = true;
        } else if (c == 'h') {
            fputs(cli_help_merge, stdout);
            free(parts);
            return CLI_OK;
        } else if (c == 1) {
            parts[n++] = optarg;
        } else {
            bad = true;
        }
    }
    if (!bad && (n == 0 || out == NULL)) {
        cli_usage_error(n == 0 ? "no part files given"
                               : "no output file (-o OUT.h5)");
        bad = true;
    }
    if (bad) {
        free(parts);
        return CLI_USAGE;
    }
    if (!cli_output_ok(out, force, parts, n)) {
        free(parts);
        return CLI_USAGE;
    }
    ana_sweep *s = calloc(n, sizeof *s);
    ana_sweep m = {0};
    char msg[1024];
    sim_err err = {0};
    int rc = s ? CLI_OK : CLI_FAIL;
    for (size_t i = 0; rc == CLI_OK && i < n; i++) {
        cli_read_watchdog(parts[i]);
        int read = ana_sweep_read(parts[i], &s[i], &err);
        cli_read_watchdog_off();
        if (read != SIM_OK) {
            cli_error("%s", err.msg);
            rc = err.status == SIM_EINPUT ? CLI_USAGE : CLI_FAIL;
        }
    }
    for (size_t i = 1; rc == CLI_OK && i < n; i++)
        if (!same_sweep(&s[0], parts[0], &s[i], parts[i], msg, sizeof msg)) {
            cli_error("%s", msg);
            rc = CLI_USAGE;
        }
    /* Each shard exactly once. */
    size_t N = rc == CLI_OK ? (size_t)s[0].shards : 0;
    const char **by_shard = rc == CLI_OK ? calloc(N, sizeof *by_shard) : NULL;
    if (rc == CLI_OK && by_shard == NULL)
        rc = CLI_FAIL;
    for (size_t i = 0; rc == CLI_OK && i < n; i++) {
        size_t k = (size_t)s[i].shard;
        if (by_shard[k] != NULL) {
            cli_error("merge: %s and %s are both shard %zu/%zu", by_shard[k],
                      parts[i], k, N);
            rc = CLI_USAGE;
        }
        by_shard[k] = parts[i];
    }
    if (rc == CLI_OK) {
        size_t missing = 0, at = 0;
        msg[0] = '\0';
        for (size_t k = 0; k < N; k++)
            if (by_shard[k] == NULL && missing++ < 20 && at < sizeof msg)
                at += (size_t)snprintf(msg + at, sizeof msg - at, "%s%zu",
                                       missing > 1 ? ", " : "", k);
        if (missing > 0) {
            cli_error("merge: %zu of %zu shards missing (shard%s %s%s of "
                      "--shard I/%zu); nothing written",
                      missing, N, missing > 1 ? "s" : "", msg,
                      missing > 20 ? ", ..." : "", N);
            rc = CLI_USAGE;
        }
    }
    /* The whole sweep: the first part's metadata, every point from the
     * part that ran it. */
    if (rc == CLI_OK) {
        m = s[0];
        memset(&s[0], 0, sizeof s[0]);
        m.shard = 0;
        m.shards = 1;
        free(m.aims_version);
        free(m.git_commit);
        m.aims_version = strdup(cli_version());
        m.git_commit = strdup(cli_git_commit());
        size_t P = m.points, R = m.reps;
        for (size_t i = 1; i < n; i++)
            for (size_t p = 0; p < P; p++) {
                if (s[i].status[p] == ANA_SWEEP_NOT_RUN)
                    continue;
                m.status[p] = s[i].status[p];
                char *t2 = m.message[p];
                m.message[p] = s[i].message[p];
                s[i].message[p] = t2;
                for (size_t k = 0; k < m.n_metrics; k++)
                    memcpy(m.y + (k * P + p) * R, s[i].y + (k * P + p) * R,
                           R * sizeof *m.y);
            }
        for (size_t p = 0; p < P && rc == CLI_OK; p++)
            if (m.status[p] == ANA_SWEEP_NOT_RUN) {
                cli_error("merge: point %zu is in no part (shard %zu/%zu "
                          "was not finished?)",
                          p, p % N, N);
                rc = CLI_USAGE;
            }
        if (rc == CLI_OK && (!m.aims_version || !m.git_commit))
            rc = CLI_FAIL;
        char stage[4200];
        bool wforce;
        const char *to = rc == CLI_OK ? cli_output_staged(out, force, stage,
                                                          sizeof stage,
                                                          &wforce)
                                      : NULL;
        if (rc == CLI_OK && to == NULL)
            rc = CLI_FAIL;
        if (rc == CLI_OK && ana_sweep_write(&m, to, wforce, &err) != SIM_OK) {
            cli_error("%s", err.msg);
            rc = err.status == SIM_EINPUT || err.status == SIM_EINVAL
                     ? CLI_USAGE
                     : CLI_FAIL;
        }
        /* Written here by the reading child, moved into place by the
         * parent (cli_guarded), which reports if that fails. */
        if (rc == CLI_OK && !quiet)
            fprintf(stderr, "aims: wrote %s: %zu points from %zu parts\n",
                    out, m.points, n);
    }
    for (size_t i = 0; s && i < n; i++)
        ana_sweep_fini(&s[i]);
    ana_sweep_fini(&m);
    free(s);
    free(by_shard);
    free(parts);
    return rc;
}
