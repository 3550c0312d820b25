/* h5r.h -- reading HDF5 files that came from outside (ana_h5r_*): the
 * checks and one-line messages the readers of run and sweep files share.
 *
 * Everything read is distrusted: a file that fails a check is bad input
 * (SIM_EINPUT) with a message "PATH: what is wrong", never an assertion.
 * HDF5's own error stack is never printed; its innermost message is quoted
 * when it says more than we can ("truncated file: eof = ...").
 *
 * Why look for the HDF5 signature before H5Fopen: H5Fopen fails the same
 * way for a text file and for a truncated file, and the user needs to know
 * which. A file with the signature that HDF5 still cannot open is damaged
 * or truncated.
 */
#ifndef ANA_H5R_H
#define ANA_H5R_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "err.h"

typedef struct {
    const char *path; /* as given, for messages */
    hid_t file;       /* -1 when closed */
    sim_err *err;
} ana_h5r;

/* Opens path read-only. expected names what the file should be, for the
 * messages ("an aims run file"). Refuses a missing or unreadable file, a
 * directory, a file without the HDF5 signature, and one HDF5 cannot open.
 * On failure r->file is -1. */
int ana_h5r_open(ana_h5r *r, const char *path, const char *expected,
                 sim_err *err);

/* Closes the file if open; a failure to close is reported if rc is SIM_OK.
 * Returns the resulting status. */
int ana_h5r_close(ana_h5r *r, int rc);

/* "PATH: WHAT (HDF5: innermost message)", SIM_EINPUT; clears the stack. */
int ana_h5r_fail(ana_h5r *r, const char *what);
int ana_h5r_no_memory(ana_h5r *r); /* "PATH: out of memory", SIM_ENOMEM */

/* A scalar string attribute (variable or fixed length) of obj (objpath
 * names it in messages) into a new string; *out stays NULL when there is
 * no such attribute. */
int ana_h5r_attr_str(ana_h5r *r, hid_t obj, const char *objpath,
                     const char *name, char **out);

/* A required scalar integer attribute of the root. */
int ana_h5r_attr_i64(ana_h5r *r, const char *name, int64_t *out);

/* Opens data set path, which must exist, hold values of class cls
 * (H5T_FLOAT accepts integers too) and have rank `rank` with the lengths
 * want[i] (want[i] == SIZE_MAX: any length; got[] receives them). Sets
 * *count to the number of elements. */
int ana_h5r_open_data(ana_h5r *r, const char *path, H5T_class_t cls,
                      int rank, const size_t *want, size_t *got,
                      hid_t *dset, size_t *count);

/* Reads numbers of data set path (checked as ana_h5r_open_data) into a new
 * array: doubles (mem = H5T_NATIVE_DOUBLE) or int64 (H5T_NATIVE_INT64). */
int ana_h5r_read_numbers(ana_h5r *r, const char *path, hid_t mem, int rank,
                         const size_t *want, size_t *got, void **out);

/* Reads a 1-D string data set (variable or fixed length) of want strings
 * (SIZE_MAX: any; *n receives the count) into a new array of new strings. */
int ana_h5r_read_strings(ana_h5r *r, const char *path, size_t want,
                         char ***out, size_t *n);

void ana_h5r_free_strings(char **v, size_t n); /* NULL ok */

#endif
