/* h5w.h -- an atomic, self-describing HDF5 file writer (ana_h5w_*).
 *
 * A writer builds one HDF5 file and moves it into place only at
 * ana_h5w_commit(). Until then the target path is untouched: a failure, an
 * ana_h5w_abort() or an ana_h5w_free() without commit leaves nothing. The
 * file is assembled in memory (about its compressed size; twice that for a
 * moment at commit) and written at commit to a hidden temporary created by
 * ana_h5w_new next to the target (".NAME.tmp.PID.NNNNNN" in the same
 * directory, so the final rename is atomic); h5w.c says why in memory.
 *
 * What goes in is generic; the market model's layout lives elsewhere:
 *  - dimension scales: 1-D coordinate datasets (numbers or names) that are
 *    also HDF5 dimension scales, so xarray (h5netcdf engine) names the axes;
 *  - data sets of double or int64, rank 1 to ANA_H5W_MAX_RANK, each axis
 *    attached to a scale of the same length, chunked (<= 1 MiB a chunk),
 *    shuffled and deflated, written whole or a block of rows (first axis) at
 *    a time, since replications finish in any order;
 *  - attributes (string, double, int64, double array) on any object.
 *
 * Invariant: a committed file is complete. Every row of every data set was
 * written (commit refuses otherwise), and a failed HDF5 or file-system call
 * poisons the writer: every later call returns SIM_EIO ("PATH: an earlier
 * error left the file unusable") and commit removes the temporary, so a
 * caller that ignores one error still cannot commit a damaged file.
 * Argument errors (SIM_EINVAL) are found before anything is written and
 * leave the writer usable. A full disk (ENOSPC, EFBIG) shows up at commit,
 * from write(2), fsync or close, all of which are checked.
 *
 * A writer is used by one thread at a time; distinct writers may live in
 * distinct threads (Debian's HDF5 is built thread-safe).
 *
 * Strings are variable-length UTF-8 everywhere: h5py 3.7 returns such
 * attributes as str and xarray/h5netcdf returns such coordinates as str,
 * while fixed-length strings come back as bytes (checked with Debian's
 * python3-xarray and python3-h5netcdf 1.1.0).
 *
 * Object paths are absolute ("/time", "/series/revenue"). Messages name the
 * target file and the object: "out.h5: /series/revenue: ...".
 */
#ifndef ANA_H5W_H
#define ANA_H5W_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct ana_h5w ana_h5w; /* opaque: fields live in h5w.c */

enum {
    ANA_H5W_MAX_RANK = 8,            /* axes of a data set */
    ANA_H5W_CHUNK_MAX = 1024 * 1024, /* bytes in one chunk, at most */
    ANA_H5W_DEFLATE = 1              /* zlib level (1 fastest, 9 smallest):
                                        after the shuffle filter, level 4 made
                                        the baseline's file at 10^4 x 100
                                        replications 3.5% smaller and the run
                                        4% slower (2026-12-02) */
};

/* The shape of a data set. dims[i] elements along axis i, each axis named by
 * the dimension scale at scales[i] (made earlier with ana_h5w_scale_*, of
 * length dims[i]). units, when not NULL, becomes a "units" attribute. */
typedef struct {
    const char *path;          /* "/series/revenue"; groups are made */
    int rank;                  /* 1 .. ANA_H5W_MAX_RANK */
    const size_t *dims;        /* rank lengths; a 0 length is allowed */
    const char *const *scales; /* rank scale paths, e.g. "/replication" */
    const char *units;         /* e.g. "USD per month"; NULL: none */
} ana_h5w_shape;

/* Starts a file whose final name is `path`. Refuses, before creating
 * anything:
 *  - an existing target unless `force` ("PATH: exists (use --force to
 *    overwrite)"); a directory at the target even with force ("cannot
 *    create: Is a directory"), and anything else that is not a regular file
 *    (a FIFO, a device node, a socket, a symbolic link, dangling or not:
 *    "PATH: is not a regular file ..., so it is not replaced"), since the
 *    final rename would replace it;
 *  - a missing, non-directory or unwritable parent directory ("PATH: cannot
 *    create: <strerror>").
 * Then creates the (empty) temporary with the permissions a new file would
 * get (0666 less the umask), holds an exclusive flock(2) on it for the
 * writer's life (ana_h5w_remove_stale), and the HDF5 file in memory. Sets
 * *out only on
 * success. Errors: SIM_EINVAL (bad argument, exists), SIM_EIO (file
 * system), SIM_ENOMEM.
 *
 * Each public function turns off HDF5's automatic error printing with
 * H5Eset_auto2(H5E_DEFAULT, NULL, NULL) and never turns it back on. That
 * setting is global to the process in HDF5 builds without thread safety
 * and to the calling thread in thread-safe builds (Debian's serial build is
 * thread-safe); it is this module's only global effect. */
int ana_h5w_new(const char *path, bool force, ana_h5w **out, sim_err *err);

/* The target path, as given to ana_h5w_new. Borrowed, valid until _free. */
const char *ana_h5w_path(const ana_h5w *w);

/* The temporary's path, for a signal handler in main(): a crash, SIGKILL or
 * a handled signal between _new and _commit can leave this hidden file,
 * empty or partly written (never a file at the target). The string is built by
 * _new and never moves or changes until _free, so a handler may call unlink()
 * on it: reading it is async-signal-safe. After commit or abort the file no
 * longer exists and unlinking it fails harmlessly with ENOENT. Borrowed, valid
 * until _free. */
const char *ana_h5w_tmp_path(const ana_h5w *w);

/* Dimension scales: 1-D data sets at `path` that are also HDF5 dimension
 * scales named after the last path component, written whole. n may be 0.
 * units (numeric scales), when not NULL, becomes a "units" attribute.
 * Beware "UNIT since DATE": xarray decodes it as a CF time axis, and
 * open_dataset fails for "months since 2026-01" (Debian's xarray has no
 * cftime, which allows months only in the 360_day calendar); write
 * "months" and put the origin in another attribute. Names are UTF-8, stored
 * variable-length; NULL entries are refused. Errors: SIM_EINVAL (bad path, path
 * taken, bad UTF-8), SIM_EIO, SIM_ENOMEM. */
int ana_h5w_scale_f64(ana_h5w *w, const char *path, size_t n, const double *v,
                      const char *units, sim_err *err);
int ana_h5w_scale_i64(ana_h5w *w, const char *path, size_t n, const int64_t *v,
                      const char *units, sim_err *err);
int ana_h5w_scale_str(ana_h5w *w, const char *path, size_t n,
                      const char *const *v, sim_err *err);

/* Data sets. _define_ creates one to be filled later, a block of rows at a
 * time; _write_ creates one and writes all of it from x, a contiguous
 * row-major array of dims[0] * ... * dims[rank-1] values. Intermediate
 * groups are created. Errors: SIM_EINVAL (bad path or rank, path taken, a scale
 * that was not made by this writer or whose length differs), SIM_EIO,
 * SIM_ENOMEM. */
int ana_h5w_define_f64(ana_h5w *w, const ana_h5w_shape *s, sim_err *err);
int ana_h5w_define_i64(ana_h5w *w, const ana_h5w_shape *s, sim_err *err);
int ana_h5w_write_f64(ana_h5w *w, const ana_h5w_shape *s, const double *x,
                      sim_err *err);
int ana_h5w_write_i64(ana_h5w *w, const ana_h5w_shape *s, const int64_t *x,
                      sim_err *err);

/* Writes a data set of variable-length UTF-8 strings whole (rank and axes as
 * for the numbers; v holds the product of dims strings, none NULL): per-item
 * messages, say. Not compressed. */
int ana_h5w_write_str(ana_h5w *w, const ana_h5w_shape *s,
                      const char *const *v, sim_err *err);

/* Writes rows [first, first + count) along the first axis of a data set
 * made by this writer: x holds count * dims[1] * ... values, row-major
 * (for [replication, time, channel], one replication is count = 1 and
 * time * channel values). Rows may come in any order and be rewritten.
 * The element type must match the data set's. Errors: SIM_EINVAL (unknown
 * path, wrong type, rows out of range), SIM_EIO. */
int ana_h5w_write_rows_f64(ana_h5w *w, const char *path, size_t first,
                           size_t count, const double *x, sim_err *err);
int ana_h5w_write_rows_i64(ana_h5w *w, const char *path, size_t first,
                           size_t count, const int64_t *x, sim_err *err);

/* Attributes on the existing object `obj` ("/" for the root group), scalar
 * unless stated; an attribute of the same name is replaced. Strings are
 * variable-length UTF-8 of any length (the text lives in HDF5's heap). A
 * double or int64 array holds n >= 1 values and must fit HDF5's 64 KiB object
 * header (about 8000 values); a larger one is an HDF5 failure (SIM_EIO,
 * writer poisoned). Errors: SIM_EINVAL (no such object, bad name, bad
 * UTF-8), SIM_EIO. */
int ana_h5w_attr_str(ana_h5w *w, const char *obj, const char *name,
                     const char *value, sim_err *err);
int ana_h5w_attr_f64(ana_h5w *w, const char *obj, const char *name,
                     double value, sim_err *err);
int ana_h5w_attr_i64(ana_h5w *w, const char *obj, const char *name,
                     int64_t value, sim_err *err);
int ana_h5w_attr_f64_array(ana_h5w *w, const char *obj, const char *name,
                           size_t n, const double *v, sim_err *err);
/* int64, e.g. CF's flag_values, which must have the type of its data set. */
int ana_h5w_attr_i64_array(ana_h5w *w, const char *obj, const char *name,
                           size_t n, const int64_t *v, sim_err *err);

/* A table of string and of int64 attributes for obj, written in order (a
 * file's root provenance, say); NULL string values are written empty. */
typedef struct {
    const char *name, *value;
} ana_h5w_str_attr;
typedef struct {
    const char *name;
    int64_t value;
} ana_h5w_i64_attr;
int ana_h5w_attr_table(ana_h5w *w, const char *obj,
                       const ana_h5w_str_attr *str, size_t n_str,
                       const ana_h5w_i64_attr *num, size_t n_num,
                       sim_err *err);

/* Finishes the file: refuses if an earlier call failed (SIM_EIO) or a row
 * of a data set was never written (SIM_EINVAL, "PATH: OBJ: 2 of 4 rows
 * never written (first: row 1); file not committed"); then closes every HDF5
 * object, writes the file image to the temporary, fsyncs and closes it, moves
 * it to the target and fsyncs the directory. Without force the move cannot
 * replace a file that appeared at the target since _new (link, then unlink of
 * the temporary; SIM_EINVAL "PATH: exists (use --force to overwrite)"); with
 * force it is a rename, which replaces the old file atomically. Returns SIM_OK
 * (file at target) or an error with the temporary removed and nothing at
 * the target, with one exception reported in the message: if only the
 * final directory fsync fails, the file is in place but the rename may not
 * survive a power loss (SIM_EIO). Either way the writer is finished: later
 * calls other than _path, _tmp_path and _free return SIM_EINVAL. */
int ana_h5w_commit(ana_h5w *w, sim_err *err);

/* Moves the finished file `from` to `path`, as commit does (the caller
 * fsyncs the directory): with force, a rename, which atomically replaces a
 * regular file at path, but never anything else (checked with lstat just
 * before: SIM_EINVAL, "PATH: is not a regular file ..."); without force,
 * link(2) then unlink(2) of from, so a file at path is never replaced
 * (SIM_EINVAL, "PATH: exists (use --force to overwrite)"). Other failures
 * are SIM_EIO ("PATH: cannot rename into place: <strerror>"). On failure
 * from is left where it was. */
int ana_h5w_place(const char *from, const char *path, bool force,
                  sim_err *err);

/* Removes the temporaries of target `path` that writers which died without
 * cleaning up left (SIGKILL, a crash, a power loss): the regular files
 * ".NAME.tmp.PID.SUFFIX" beside it whose PID is no live process and which
 * nobody holds a flock on. Another writer's live temporary is never
 * touched: its process exists, or (a PID of another machine sharing the
 * directory) its lock is held. Returns how many were removed. */
size_t ana_h5w_remove_stale(const char *path);

/* Closes everything and removes the temporary; the target is untouched.
 * Later calls other than _path, _tmp_path and _free return SIM_EINVAL.
 * A no-op after commit or abort. */
void ana_h5w_abort(ana_h5w *w);

/* Aborts if not committed, then frees. NULL is a no-op. */
void ana_h5w_free(ana_h5w *w);

/* "2026-11-22T10:11:12Z": the current time in UTC, for `created`
 * attributes ("unknown" if the clock fails). */
void ana_h5w_now_utc(char *buf, size_t n);

#endif
