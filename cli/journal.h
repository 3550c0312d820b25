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
 *
 * Nothing of the user's is touched. A journal is recognised by the marker
 * file AIMS-JOURNAL that aims writes into it when it makes the directory,
 * not by its name: a directory of the user's called OUT.h5.journal (or a
 * symbolic link by that name, to anywhere) is refused, never used or
 * emptied. Only the files aims itself creates there are ever removed (the
 * records pNNNNNNNNN, their temporaries .tmp-pNNNNNNNNN, AIMS-JOURNAL and
 * OWNER), and the directory only when that leaves it empty.
 *
 * One writer at a time: the sweep holds an exclusive flock(2) on the marker
 * while the journal is open (released when the process ends, however it
 * ends) and writes its PID into OWNER, so a second `aims sweep` on the
 * same output is refused with one line naming that PID.
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
    int lock;         /* the locked marker's descriptor, -1 when none */
} cli_journal;

/* FNV-1a 64 of the given strings in order, each with its terminator: the
 * identity of a sweep (its file's text, the resolved base scenario, the
 * seed and the metric list, say). */
uint64_t cli_journal_id(const char *const *parts, size_t n);

/* Sets j up for output path out and takes the journal's lock. The
 * directory is created (with its marker) if missing. If it exists, it must
 * be a journal aims made and no other process may hold it (SIM_EINPUT
 * otherwise, naming what is wrong or the PID that holds it); then with
 * resume it is used; without, aims's records in it are removed when
 * `force`, else it is refused (SIM_EINPUT, the message says to use --resume
 * or --force). SIM_EIO when it cannot be made. Call cli_journal_fini in
 * every case. */
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

/* Removes the files aims made in the journal and then the directory (after
 * the output is written). Returns false when the directory stays because
 * it holds something else (the caller says so). */
bool cli_journal_remove(const cli_journal *j);

void cli_journal_fini(cli_journal *j);

#endif
