/* opts.c -- the command-line conventions every subcommand shares: options
 * through getopt_long (so `-r2`, `--replications=2`, `-qf` and options
 * after the operands all work as in other Unix tools), and one form for a
 * usage error: a single line on stderr, "aims: CMD: ..." with a pointer to
 * `aims help CMD`, never the whole usage (which buries the one line that
 * says what was wrong).
 *
 * getopt_long keeps its state in globals (optind, optarg); each command
 * parses once per process, and cli_opts_begin resets that state, so a
 * batch or a test that calls two parsers in one process still works.
 * The option string starts with "-" so operands come back in order as
 * option 1 (whatever POSIXLY_CORRECT says) and with ":" so a missing value
 * is told from an unknown option.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *command = "aims"; /* for messages; set per command */

void cli_opts_begin(const char *cmd)
{
    command = cmd;
    optind = 0; /* glibc: 0 re-initialises the scan, not just restarts */
    opterr = 0; /* our messages, not getopt's */
}

const char *cli_command(void)
{
    return command;
}

void cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "aims: %s: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'aims help %s')\n", command);
    va_end(ap);
}

/* How the user wrote the option getopt stopped at, for the message. */
static void name_of(char *buf, size_t n, char **argv, int c,
                    const struct option *lo)
{
    const char *arg = argv[optind - 1];
    if (optopt != 0 && optopt != c) {
        for (size_t k = 0; lo && lo[k].name; k++)
            if (lo[k].val == optopt && strncmp(arg, "--", 2) == 0) {
                snprintf(buf, n, "--%s", lo[k].name);
                return;
            }
        snprintf(buf, n, "-%c", optopt);
        return;
    }
    snprintf(buf, n, "%s", arg);
    char *eq = strchr(buf, '=');
    if (eq != NULL && strncmp(buf, "--", 2) == 0)
        *eq = '\0';
}

int cli_opts_next(int argc, char **argv, const char *shortopts,
                  const struct option *longopts)
{
    char spec[128];
    snprintf(spec, sizeof spec, "-:%s", shortopts);
    int c = getopt_long(argc, argv, spec, longopts, NULL);
    if (c != '?' && c != ':')
        return c;
    char name[256];
    name_of(name, sizeof name, argv, c, longopts);
    if (c == ':')
        cli_usage_error("%s needs a value", name);
    else if (optopt != 0 && strncmp(argv[optind - 1], "--", 2) != 0)
        cli_usage_error("unknown option '-%c'", optopt);
    else if (optopt != 0) /* --force=1: a flag given a value */
        cli_usage_error("%s takes no value", name);
    else
        cli_usage_error("unknown option '%s'", name);
    return '?';
}
