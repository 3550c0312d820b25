/* cmd_export.c -- `aims export FILE.h5 [-o OUT.csv]`: a run or sweep file
 * as one CSV table (analysis/export.h says what the table holds).
 *
 * Without -o the table goes to stdout, for pipes. With -o it is written
 * whole, then put in place: main() runs this command in a child
 * (cli_guarded), which writes a hidden staging file beside OUT.csv; the
 * parent moves it to OUT.csv only when the child exited with status 0, so
 * an interrupted or failed export leaves nothing at OUT.csv. Run outside
 * such a child (fork failed), it stages the same way itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "h5w.h"

const char cli_help_export[] =
    "usage: aims export FILE.h5 [-o OUT.csv] [--summaries | --series] "
    "[--wide] [--force]\n"
    "A run or sweep file as one CSV table (docs/output.md, \"Tables\"): one "
    "row per\n"
    "value, with scenario, point, the sweep's parameters, replication, "
    "variable,\n"
    "time and date, the coordinates (channel, actor, ...), value and unit.\n"
    "  -o, --output FILE   write FILE (default: stdout)\n"
    "  --summaries         per-replication values only\n"
    "  --series            monthly series only (run files)\n"
    "  --wide              one row per replication (and point), one column "
    "per\n"
    "                      summary value\n"
    "  -f, --force         replace an existing FILE\n"
    "  -h, --help          this help\n";

/* Writes the table to path: staged beside it (by the parent's rule when in
 * a guarded child; by ana_h5w_place here otherwise), fsynced, complete. */
static int to_file(const char *in, const char *out, bool force,
                   const ana_export_opts *o)
{
    char stage[4200], own[4200];
    bool use_force = force;
    const char *path = cli_output_staged(out, force, stage, sizeof stage,
                                         &use_force);
    if (path == NULL)
        return CLI_FAIL;
    bool mine = path == out; /* not in a guarded child: stage it here */
    if (mine) {
        const char *slash = strrchr(out, '/');
        int k = snprintf(own, sizeof own, "%.*s.%s.tmp.%ld.export",
                         slash ? (int)(slash - out + 1) : 0, out,
                         slash ? slash + 1 : out, (long)getpid());
        if (k < 0 || (size_t)k >= sizeof own) {
            cli_error("%s: path too long", out);
            return CLI_USAGE;
        }
        path = own;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        cli_error("%s: cannot create: %s", out, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return CLI_FAIL;
    }
    sim_err err = {0};
    cli_read_watchdog(in);
    int rc = ana_export_csv(in, o, f, &err);
    cli_read_watchdog_off();
    if (rc == SIM_OK && fsync(fileno(f)) != 0)
        rc = sim_err_set(&err, SIM_EIO, "%s: cannot write: %s", out,
                         strerror(errno));
    if (fclose(f) != 0 && rc == SIM_OK)
        rc = sim_err_set(&err, SIM_EIO, "%s: cannot write: %s", out,
                         strerror(errno));
    if (rc == SIM_OK && mine) {
        rc = ana_h5w_place(path, out, use_force, &err);
        if (rc != SIM_OK)
            unlink(path);
    }
    if (rc != SIM_OK) {
        if (mine)
            unlink(path); /* a guarded child's stage is the parent's */
        fprintf(stderr, "aims: %s\n", err.msg);
        return rc == SIM_EINPUT || rc == SIM_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    fprintf(stderr, "aims: wrote %s\n", out);
    return CLI_OK;
}

static int to_stdout(const char *in, const ana_export_opts *o)
{
    /* `aims export F | head`: a closed pipe is a write error here, ended
     * quietly with the status SIGPIPE would have given, not a death by
     * signal, which the parent would take for HDF5 crashing. */
    signal(SIGPIPE, SIG_IGN);
    sim_err err = {0};
    cli_read_watchdog(in);
    int rc = ana_export_csv(in, o, stdout, &err);
    cli_read_watchdog_off();
    if (rc == SIM_EIO && errno == EPIPE)
        return 128 + SIGPIPE;
    if (rc != SIM_OK) {
        fprintf(stderr, "aims: %s\n", err.msg);
        return rc == SIM_EINPUT || rc == SIM_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    return CLI_OK;
}

int cli_export(int argc, char **argv)
{
    enum { O_SUMMARIES = 256, O_SERIES, O_WIDE };
    static const struct option longs[] = {
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"summaries", no_argument, NULL, O_SUMMARIES},
        {"series", no_argument, NULL, O_SERIES},
        {"wide", no_argument, NULL, O_WIDE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *out = NULL, *in = NULL;
    bool force = false, seen_out = false;
    ana_export_opts o = {0, false, NULL};
    cli_opts_begin("export");
    int c;
    while ((c = cli_opts_next(argc, argv, "o:fh", longs)) != -1) {
        switch (c) {
        case 'o':
            if (!cli_once("-o", &seen_out))
                return CLI_USAGE;
            out = optarg;
            break;
        case 'f': force = true; break;
        case O_SUMMARIES: o.parts |= ANA_EXPORT_SUMMARIES; break;
        case O_SERIES: o.parts |= ANA_EXPORT_SERIES; break;
        case O_WIDE: o.wide = true; break;
        case 'h': fputs(cli_help_export, stdout); return CLI_OK;
        case 1:
            if (!cli_one_operand(&in, optarg, "file"))
                return CLI_USAGE;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (in == NULL) {
        cli_usage_error("no file given");
        return CLI_USAGE;
    }
    o.read_done = cli_read_watchdog_off; /* writing the table is no read */
    if (out == NULL)
        return to_stdout(in, &o);
    const char *inputs[] = {in};
    if (!cli_output_ok(out, force, inputs, 1))
        return CLI_USAGE;
    return to_file(in, out, force, &o);
}
