/* h5w_internal.h -- what the files of the HDF5 writer share; not an API.
 *
 * The writer is split by topic: h5w.c (the file's life, data sets),
 * h5w_util.c (messages, path and UTF-8 checks, groups) and h5w_attr.c
 * (attributes). They share the writer's struct, the record of each data
 * set and the helpers below. Everything here is named ana__h5w_* (or
 * ANA__H5W_*) and may change without notice.
 */
#ifndef ANA_H5W_INTERNAL_H
#define ANA_H5W_INTERNAL_H

#include "h5w.h"

#include <stdbool.h>
#include <stddef.h>

#include <hdf5.h>

enum { ANA__H5W_F64, ANA__H5W_I64, ANA__H5W_STR };

typedef struct {
    char *path;    /* canonical absolute path, owned */
    bool is_scale; /* a dimension scale (rank 1) */
    int kind;      /* ANA__H5W_* */
    int rank;      /* 1 .. ANA_H5W_MAX_RANK */
    hsize_t dims[ANA_H5W_MAX_RANK];
    hid_t dset;             /* open until commit or abort; -1 when closed */
    unsigned char *written; /* dims[0] flags for _define_ sets, else NULL */
    size_t unwritten;       /* rows not yet written */
} ana__h5w_var;

struct ana_h5w {
    char *path;         /* target, as given */
    char *dir;          /* its directory, for the fsync after rename */
    char *tmp;          /* the temporary; fixed from _new to _free */
    bool force;         /* the move may replace an existing target */
    bool done;          /* committed or aborted */
    bool failed;        /* an I/O error happened: never commit */
    int fd;             /* our descriptor of the temporary, for fsync */
    hid_t file;         /* -1 when closed */
    ana__h5w_var *vars; /* every scale and data set made so far */
    size_t nvars, cap;
};

/* ---- h5w_util.c ---- */

/* Turns off HDF5's error printing. Per thread in thread-safe HDF5 builds,
 * hence called at every entry. */
void ana__h5w_quiet(void);

/* strerror(e), thread-safe. */
void ana__h5w_errno_text(int e, char *buf, size_t n);

/* Why the last HDF5 call failed. Must run before any other HDF5 API call,
 * since each one clears the error stack. */
void ana__h5w_h5_reason(char *buf, size_t n);

/* "FILE: OBJ: what" with status, no side effect on the writer. */
__attribute__((format(printf, 5, 6))) int ana__h5w_say(const ana_h5w *w,
                                                       sim_err *err, int status,
                                                       const char *obj,
                                                       const char *fmt, ...);

/* An HDF5 call failed: "FILE: OBJ: what: reason", and the writer is
 * poisoned. Call it right after the failing call. */
__attribute__((format(printf, 4, 5))) int ana__h5w_h5fail(ana_h5w *w,
                                                          sim_err *err,
                                                          const char *obj,
                                                          const char *fmt, ...);

/* A system call failed with errno e: as ana__h5w_h5fail. */
int ana__h5w_sysfail(ana_h5w *w, sim_err *err, int e, const char *what);

/* An absolute path of non-empty components, none "." or "..", with no
 * trailing slash; "/" only with root_ok. */
bool ana__h5w_good_path(const char *p, bool root_ok);

/* Offset of the first byte that is not well-formed UTF-8, or -1. */
long ana__h5w_utf8_bad(const char *str);

/* SIM_OK if w may be used (not NULL, not finished, not failed). */
int ana__h5w_usable(ana_h5w *w, sim_err *err);

/* 1 if path names an object, 0 if not, < 0 on error. */
int ana__h5w_exists(hid_t file, const char *path);

/* Makes the groups above path (path itself excluded). */
int ana__h5w_make_parents(ana_h5w *w, const char *path, sim_err *err);

/* Checks a new object's path: well formed and not taken. */
int ana__h5w_new_object_path(ana_h5w *w, const char *path, sim_err *err);

/* ---- h5w_attr.c ---- */

/* Writes the "units" attribute of data set v. */
int ana__h5w_write_units(ana_h5w *w, ana__h5w_var *v, const char *units,
                         sim_err *err);

#endif
