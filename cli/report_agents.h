/* report_agents.h -- the agents' headline in `aims report` (text form):
 * the month of the first regulator action with its interval across
 * replications, and the mean list prices at the horizon. */
#ifndef AIMS_CLI_REPORT_AGENTS_H
#define AIMS_CLI_REPORT_AGENTS_H

#include <stdio.h>

/* Prints the section for the run file at path to f (nothing for a file
 * without an /agents group). Returns a CLI_* status; a damaged group is
 * reported on stderr and is CLI_USAGE. */
int cli_report_agents(FILE *f, const char *path);

#endif
