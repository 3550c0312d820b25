/* runread_agents.h -- reads back the agents' part of a run file
 * (runfile_agents.h): what `aims report` needs of it (ana_run_agents_*).
 *
 * A file written before the agents existed has no /agents group; that is
 * not an error (*out is set with present = false), so report keeps reading
 * old files. A group that is there but damaged or misshapen is bad input
 * (SIM_EINPUT) with a one-line "PATH: ..." message, as in runread.h.
 */
#ifndef ANA_RUNREAD_AGENTS_H
#define ANA_RUNREAD_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    bool present;       /* the file has an /agents group */
    size_t reps, months, n_vendors;
    char **vendors;     /* [n_vendors] */
    double *price;      /* [reps][months][n_vendors] */
    size_t n_log;
    int64_t *rep;       /* [n_log] */
    double *month;      /* [n_log] */
    char **agent;       /* [n_log] */
    char **decision;    /* [n_log] */
    double *value;      /* [n_log] */
} ana_run_agents;

/* Loads path's /agents group. Sets *out only on success (free with
 * ana_run_agents_free). SIM_EINPUT, SIM_ENOMEM. */
int ana_run_agents_read(const char *path, ana_run_agents **out,
                        sim_err *err);
void ana_run_agents_free(ana_run_agents *a); /* NULL is a no-op */

/* Per replication, the month of the first decision of a regulator
 * ("commerce" or "cac"; NaN where none acted): x[0 .. reps). */
void ana_run_agents_first_action(const ana_run_agents *a, double *x);

#endif
