/* journal.h -- finished sweep points made durable one by one, so that a
 * sweep killed at any moment loses no finished point (cli_journal_*).
 *
 * The journal of OUT.h5 is the directory OUT.h5.journal/. A point's record
 * is the file pNNNNNNNNN: the sweep's identity, the point, its status and
 * message and its metric values, then a checksum. It is written to a
 * temporary name, fsynced, renamed into place and the directory fsynced:
 * a record is either whole or absent, and a point counts as done only when
 * its record is. A record that does not check (a torn write from a crash
 * before the rename cannot happen, but a disk can lie) or that belongs to
 * another sweep is ignored and the point is run again.
 *
 * `aims sweep` writes the output file from the records, then removes the
 * journal; `--resume` runs only the points without a record.
 */
#ifndef AIMS_CLI_JOURNAL_H
#define AIMS_CLI_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    char *dir;        /* OUT.h5.journal */
    uint64_t id;      /* the sweep's identity (cli_journal_id) */
    size_t reps, n_metrics;
} cli_journal;

/* FNV-1a 64 of the given strings in order, each with its terminator: the
 * identity of a sweep (its file's text, the resolved base scenario, the
 * seed and the metric list, say). */
uint64_t cli_journal_id(const char *const *parts, size_t n);

/* Sets j up for output path out. The directory is created if missing.
 * If it exists: with resume it is used; with fresh (not resume) it is
 * emptied when `force`, else refused (SIM_EINPUT, the message says to use
 * --resume or --force). SIM_EIO when it cannot be made. */
int cli_journal_open(cli_journal *j, const char *out, uint64_t id,
                     size_t reps, size_t n_metrics, bool resume, bool force,
                     sim_err *err);

/* Makes point's record durable. y holds n_metrics x reps values. */
int cli_journal_put(const cli_journal *j, size_t point, int64_t status,
                    const char *msg, const double *y, sim_err *err);

/* Reads point's record: returns true and fills status, *msg (new string)
 * and y when a valid record of this sweep is there, false otherwise. */
bool cli_journal_get(const cli_journal *j, size_t point, int64_t *status,
                     char **msg, double *y);

/* Removes the records and the directory (after the output is written). */
void cli_journal_remove(const cli_journal *j);

void cli_journal_fini(cli_journal *j);

#endif
