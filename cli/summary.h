/* summary.h -- the headline numbers `aims run` prints when it is done
 * (cli_summary_*): means over replications with 95% Student-t intervals. */
#ifndef AIMS_CLI_SUMMARY_H
#define AIMS_CLI_SUMMARY_H

#include <stdio.h>

#include "mkt.h"

typedef struct cli_summary cli_summary;

cli_summary *cli_summary_new(const mkt_params *p, size_t reps);
/* Keeps what the headline needs from replication rep. */
void cli_summary_add(cli_summary *s, size_t rep, const mkt_results *r);
void cli_summary_print(const cli_summary *s, FILE *f);
void cli_summary_free(cli_summary *s);

#endif
