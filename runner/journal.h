/* journal.h -- finished sweep points made durable, so that a sweep killed
 * at any moment loses no finished point (run_journal_*).
 *
 * The journal of OUT.h5 is the directory OUT.h5.journal/ and one
 * append-only segment file in it, `points.seg`: one segment per shard (a
 * shard has its own output, so its own journal) and under mpirun one for
 * all ranks, since rank 0 alone writes. A sweep makes O(shards) files,
 * never one per point: parallel file systems (Lustre, GPFS) handle
 * directories of 10^6 small files badly, and so do most others.
 *
 * The segment starts with a header (magic "AIMSSEG2", the sweep's
 * identity, the points, replications and metrics, a checksum). Each record
 * is length-prefixed and checksummed: magic, size, point, status, message
 * and metric values, then FNV-1a 64 of all of it seeded with the sweep's
 * identity. Records are appended with one write(2) each, under a mutex
 * (threads share the segment); the last record of a point wins.
 *
 * Durability and the loss bound. The segment is fdatasync'd after every
 * `batch` records (--journal-batch N, default 10000), at the first record
 * written a second or more after the last sync, and when the sweep stops,
 * finished or interrupted by a signal: points of a second or more are
 * each synced, tiny points cost at most one sync a second. A record is in the file (the page
 * cache) as soon as its write returns, so a killed process (kill -9, an
 * out-of-memory kill, a Slurm time limit) loses no written record; an
 * operating system crash or power loss loses at most the records since the
 * last sync, at most batch - 1 finished points and at most those of the
 * last second, never a synced one. A
 * crash mid-write leaves a torn tail record: at --resume a record that is
 * short, has a bad magic or an impossible size ends the segment there (the
 * file is cut back to the last whole record before anything is appended),
 * and a whole record whose checksum does not match is skipped; either way
 * that point is simply run again. Nothing damaged is ever taken for a
 * result.
 *
 * Identity. A segment of another sweep (its sweep file, base scenario,
 * seed, metrics or shard changed) is refused at --resume, naming what to
 * do, rather than silently recomputed or mixed. A journal of the old
 * format (earlier aims: one file pNNNNNNNNN per point, marker "aims sweep
 * journal 1") is not read: --resume refuses it naming the fix, and
 * --force removes its records as before.
 *
 * Nothing of the user's is touched. A journal is recognised by the marker
 * file AIMS-JOURNAL that aims writes into it when it makes the directory,
 * not by its name: a directory of the user's called OUT.h5.journal (or a
 * symbolic link by that name, to anywhere) is refused, never used or
 * emptied. Only the files aims itself creates there are ever removed (the
 * segment, the old format's pNNNNNNNNN and .tmp-pNNNNNNNNN, AIMS-JOURNAL
 * and OWNER), and the directory only when that leaves it empty.
 *
 * One writer at a time: the sweep holds an exclusive flock(2) on the marker
 * while the journal is open (released when the process ends, however it
 * ends) and writes its PID into OWNER, so a second `aims sweep` on the
 * same output is refused with one line naming that PID.
 *
 * Shards of one calibration (run_journal_open_shard) share one journal,
 * the one of their common output: shard I of N appends to its own segment
 * `points.I-of-N.seg` (its lock: an exclusive flock on that file, its PID
 * in OWNER.I-of-N; the marker is held shared, so an unsharded run cannot
 * join) and follows the others' segments read-only (run_journal_follow),
 * taking each whole record whose checksum holds as its own. A segment that
 * a resumed or forced shard cut back or made again is read again from its
 * start; a record still being written is read at the next call. Since a
 * point's result is a pure function of its number, any record of it, from
 * any shard, is the record.
 *
 * Without a journal (batch 0, --no-journal) nothing is written to disk:
 * the records are kept in memory only, for short sweeps and for measuring
 * what the journal costs (bench/journal-bench).
 */
#ifndef AIMS_RUN_JOURNAL_H
#define AIMS_RUN_JOURNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Another shard's segment as this one follows it. */
typedef struct {
    char name[48];      /* points.K-of-N.seg */
    int fd;             /* -1 until it exists */
    uint64_t dev, ino;  /* the file fd reads, to notice it made again */
    uint64_t off;       /* bytes read: the next record starts here */
    bool head_ok;       /* its header is this journal's */
} run_journal_peer;

typedef struct {
    char *dir;          /* OUT.h5.journal */
    char seg_name[48];  /* points.seg, or points.I-of-N.seg for a shard */
    char owner_name[48]; /* OWNER, or OWNER.I-of-N */
    unsigned shard, shards; /* shards 0: not a shard */
    run_journal_peer *peers; /* [shards - 1]: the other shards' segments */
    double followed_at; /* CLOCK_MONOTONIC seconds of the last follow */
    pthread_mutex_t follow_mu; /* one follower at a time */
    uint64_t id;        /* the sweep's identity (run_journal_id) */
    size_t points, reps, n_metrics; /* points 0: open-ended (grows) */
    size_t cap;         /* points the store holds now */
    size_t batch;       /* records per fdatasync; 0: memory only */
    int lock;           /* the locked marker's descriptor, -1 when none */
    int seg;            /* the segment's descriptor, -1 when none */
    uint64_t end;       /* bytes of whole records in the segment */
    size_t unsynced;    /* records written since the last sync */
    double synced_at;   /* CLOCK_MONOTONIC seconds of the last sync */
    size_t dropped;     /* damaged records skipped or cut at open */
    size_t puts;        /* records put by this process */
    pthread_mutex_t mu; /* one writer of the segment and the store */
    bool mu_ok;
    signed char *status; /* [points]: a record's status, -1 for none */
    char **msg;          /* [points]: its message, NULL when empty */
    double *y;           /* [points][n_metrics x reps] */
} run_journal;

/* FNV-1a 64 of the given strings in order, each with its terminator: the
 * identity of a sweep (its file's text, the resolved base scenario, the
 * seed and the metric list, say). */
uint64_t run_journal_id(const char *const *parts, size_t n);

/* Sets j up for output path out and a design of `points` points (0: as
 * many as are put, for a calibration, whose count the results decide); with
 * batch > 0 takes the journal's lock. The directory is created (with its
 * marker) if missing. If it exists, it must be a journal aims made and no
 * other process may hold it (SIM_EINPUT otherwise, naming what is wrong or
 * the PID that holds it); then with resume its segment is read (a segment
 * of another sweep, or a journal of the old format, is SIM_EINPUT with the
 * fix); without, aims's records in it are removed when `force`, else it is
 * refused (SIM_EINPUT, the message says to use --resume or --force).
 * SIM_EIO when it cannot be made or read. With batch 0 an existing journal
 * is refused (it would be neither used nor finished). Call
 * run_journal_fini in every case. */
int run_journal_open(run_journal *j, const char *out, uint64_t id,
                     size_t points, size_t reps, size_t n_metrics,
                     size_t batch, bool resume, bool force, sim_err *err);

/* run_journal_open for shard `shard` of `shards` of an open-ended
 * calibration whose output is out (every shard names the same out): the
 * journal directory is made by whichever shard comes first; resume and
 * force apply to this shard's own segment only (the others' are always
 * followed, never removed). Call run_journal_follow to see the others'
 * records. */
int run_journal_open_shard(run_journal *j, const char *out, uint64_t id,
                           size_t reps, size_t n_metrics, size_t batch,
                           unsigned shard, unsigned shards, bool resume,
                           bool force, sim_err *err);

/* Reads the records the other shards appended since the last call into
 * the store, at most once per `interval` seconds (0: now) and by one
 * thread at a time (another caller returns at once). Returns how many
 * records it took; 0 for a journal that is not a shard's. */
size_t run_journal_follow(run_journal *j, double interval);

/* Whether point has a record (of this process or a followed shard). */
bool run_journal_has(run_journal *j, size_t point);

/* Appends point's record (y holds n_metrics x reps values) and keeps it;
 * syncs when the batch is full. Safe from several threads. */
int run_journal_put(run_journal *j, size_t point, int64_t status,
                    const char *msg, const double *y, sim_err *err);

/* Makes every record written so far durable (fdatasync). */
int run_journal_sync(run_journal *j, sim_err *err);

/* Reads point's record: returns true and fills status, *msg (new string)
 * and y when a valid record of this sweep is there, false otherwise. */
bool run_journal_get(run_journal *j, size_t point, int64_t *status,
                     char **msg, double *y);

/* Removes the files aims made in the journal and then the directory (after
 * the output is written). Returns false when the directory stays because
 * it holds something else (the caller says so). */
bool run_journal_remove(run_journal *j);

/* Syncs what is unsynced, closes, frees. */
void run_journal_fini(run_journal *j);

#endif
