/* h5r.c -- reading HDF5 files that came from outside (see h5r.h). */
#include "h5r.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { H5_MSG_MAX = 160 }; /* bytes of HDF5's message we quote */

/* H5Ewalk2 callback: keeps the innermost (most specific) message. */
static herr_t innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    char *buf = data;
    if (n == 0 && e->desc != NULL)
        snprintf(buf, H5_MSG_MAX, "%s", e->desc);
    return 0;
}

int ana_h5r_fail(ana_h5r *r, const char *what)
{
    char msg[H5_MSG_MAX] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, msg);
    H5Eclear2(H5E_DEFAULT);
    if (msg[0] != '\0')
        return sim_err_set(r->err, SIM_EINPUT, "%s: %s (HDF5: %s)", r->path,
                           what, msg);
    return sim_err_set(r->err, SIM_EINPUT, "%s: %s", r->path, what);
}

int ana_h5r_no_memory(ana_h5r *r)
{
    return sim_err_set(r->err, SIM_ENOMEM, "%s: out of memory", r->path);
}

/* Whether the file holds HDF5's signature where HDF5 looks for it: offset
 * 0, 512, 1024, 2048, ... (a user block may come first). */
static bool has_signature(int fd, off_t size)
{
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F',
                                         '\r', '\n', 0x1a, '\n'};
    for (off_t at = 0; at + 8 <= size; at = at ? at * 2 : 512) {
        unsigned char buf[8];
        if (pread(fd, buf, sizeof buf, at) != (ssize_t)sizeof buf)
            return false;
        if (memcmp(buf, sig, sizeof sig) == 0)
            return true;
    }
    return false;
}

static int check_file(const char *path, const char *expected, sim_err *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return sim_err_set(err, SIM_EINPUT, "%s: cannot open: %s", path,
                           strerror(errno));
    struct stat st;
    int rc = SIM_OK;
    if (fstat(fd, &st) != 0)
        rc = sim_err_set(err, SIM_EINPUT, "%s: cannot open: %s", path,
                         strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = sim_err_set(err, SIM_EINPUT,
                         "%s: is a directory, expected %s (HDF5)", path,
                         expected);
    else if (!S_ISREG(st.st_mode) || !has_signature(fd, st.st_size))
        rc = sim_err_set(err, SIM_EINPUT, "%s: not an HDF5 file (expected %s)",
                         path, expected);
    close(fd);
    return rc;
}

int ana_h5r_open(ana_h5r *r, const char *path, const char *expected,
                 sim_err *err)
{
    *r = (ana_h5r){.path = path, .file = -1, .err = err};
    /* Never let HDF5 print its stack: the user gets our one line. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int rc = check_file(path, expected, err);
    if (rc != SIM_OK)
        return rc;
    if ((r->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return ana_h5r_fail(r, "damaged or truncated HDF5 file");
    return SIM_OK;
}

int ana_h5r_close(ana_h5r *r, int rc)
{
    if (r->file >= 0 && H5Fclose(r->file) < 0 && rc == SIM_OK)
        rc = ana_h5r_fail(r, "cannot close");
    r->file = -1;
    return rc;
}

/* ---- attributes -------------------------------------------------------- */

static char *dup_str(const char *s)
{
    return strdup(s != NULL ? s : "");
}

/* Reads an open scalar string attribute a into a new string. */
static int attr_read_str(ana_h5r *r, hid_t a, const char *what, char **out)
{
    int rc = SIM_OK;
    hid_t ft = H5Aget_type(a), mt = -1;
    if (ft < 0)
        return ana_h5r_fail(r, what);
    if (H5Tget_class(ft) != H5T_STRING) {
        rc = sim_err_set(r->err, SIM_EINPUT, "%s: %s: expected a string",
                         r->path, what);
        goto done;
    }
    htri_t vlen = H5Tis_variable_str(ft);
    size_t size = H5Tget_size(ft);
    if (vlen < 0 || (mt = H5Tcopy(H5T_C_S1)) < 0) {
        rc = ana_h5r_fail(r, what);
        goto done;
    }
    if (vlen) {
        char *s = NULL;
        if (H5Tset_size(mt, H5T_VARIABLE) < 0 ||
            H5Tset_cset(mt, H5Tget_cset(ft)) < 0 ||
            H5Aread(a, mt, &s) < 0) {
            rc = ana_h5r_fail(r, what);
            goto done;
        }
        *out = dup_str(s);
        H5free_memory(s);
    } else {
        char *s = calloc(1, size + 1);
        if (s == NULL) {
            rc = ana_h5r_no_memory(r);
            goto done;
        }
        if (H5Tset_size(mt, size + 1) < 0 ||
            H5Tset_strpad(mt, H5T_STR_NULLTERM) < 0 ||
            H5Tset_cset(mt, H5Tget_cset(ft)) < 0 || H5Aread(a, mt, s) < 0) {
            free(s);
            rc = ana_h5r_fail(r, what);
            goto done;
        }
        *out = s;
    }
    if (*out == NULL)
        rc = ana_h5r_no_memory(r);
done:
    if (mt >= 0)
        H5Tclose(mt);
    H5Tclose(ft);
    return rc;
}

/* Opens attribute name of obj if it exists and is a single value: *a is
 * then >= 0; a missing one leaves *a at -1 and is not an error. */
static int attr_open(ana_h5r *r, hid_t obj, const char *name,
                     const char *what, hid_t *a)
{
    *a = -1;
    htri_t there = H5Aexists(obj, name);
    if (there < 0)
        return ana_h5r_fail(r, what);
    if (!there)
        return SIM_OK;
    if ((*a = H5Aopen(obj, name, H5P_DEFAULT)) < 0)
        return ana_h5r_fail(r, what);
    hid_t sp = H5Aget_space(*a);
    hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (np != 1) {
        H5Aclose(*a);
        *a = -1;
        return sim_err_set(r->err, SIM_EINPUT,
                           "%s: %s: expected a single value", r->path, what);
    }
    return SIM_OK;
}

int ana_h5r_attr_str(ana_h5r *r, hid_t obj, const char *objpath,
                     const char *name, char **out)
{
    char what[256];
    snprintf(what, sizeof what, "%s attribute '%s'", objpath, name);
    hid_t a;
    int rc = attr_open(r, obj, name, what, &a);
    if (rc == SIM_OK && a >= 0)
        rc = attr_read_str(r, a, what, out);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

int ana_h5r_attr_i64(ana_h5r *r, const char *name, int64_t *out)
{
    char what[256];
    snprintf(what, sizeof what, "attribute '%s'", name);
    hid_t a;
    int rc = attr_open(r, r->file, name, what, &a);
    if (rc != SIM_OK)
        return rc;
    if (a < 0)
        return sim_err_set(r->err, SIM_EINPUT,
                           "%s: no '%s' attribute (expected an integer); "
                           "damaged aims output?",
                           r->path, name);
    hid_t ft = H5Aget_type(a);
    if (ft < 0)
        rc = ana_h5r_fail(r, what);
    else if (H5Tget_class(ft) != H5T_INTEGER)
        rc = sim_err_set(r->err, SIM_EINPUT, "%s: %s: expected an integer",
                         r->path, what);
    else if (H5Aread(a, H5T_NATIVE_INT64, out) < 0)
        rc = ana_h5r_fail(r, what);
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

/* ---- data sets --------------------------------------------------------- */

static void dims_text(char *buf, size_t n, int rank, const size_t *d)
{
    size_t at = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < rank && at < n; i++)
        at += (size_t)snprintf(buf + at, n - at, "%s%zu", i ? ", " : "",
                               d[i]);
    if (at < n)
        snprintf(buf + at, n - at, "]");
}

int ana_h5r_open_data(ana_h5r *r, const char *path, H5T_class_t cls,
                      int rank, const size_t *want, size_t *got,
                      hid_t *dset, size_t *count)
{
    *dset = -1;
    /* H5Lexists fails, rather than says no, when a parent group is
     * missing ("/points/..." in a file with no /points). */
    htri_t there = H5Lexists(r->file, path, H5P_DEFAULT);
    if (there <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return sim_err_set(r->err, SIM_EINPUT,
                           "%s: no %s data set; damaged aims output?",
                           r->path, path);
    }
    if ((*dset = H5Dopen2(r->file, path, H5P_DEFAULT)) < 0)
        return ana_h5r_fail(r, path);
    int rc = SIM_OK;
    hid_t ft = H5Dget_type(*dset), sp = H5Dget_space(*dset);
    if (ft < 0 || sp < 0) {
        rc = ana_h5r_fail(r, path);
        goto done;
    }
    H5T_class_t c = H5Tget_class(ft);
    if (!(c == cls || (cls == H5T_FLOAT && c == H5T_INTEGER))) {
        rc = sim_err_set(r->err, SIM_EINPUT, "%s: %s: expected %s values",
                         r->path, path,
                         cls == H5T_STRING    ? "string"
                         : cls == H5T_INTEGER ? "integer"
                                              : "numeric");
        goto done;
    }
    hsize_t d[H5S_MAX_RANK];
    int k = H5Sget_simple_extent_ndims(sp);
    if (k < 0 || H5Sget_simple_extent_dims(sp, d, NULL) < 0) {
        rc = ana_h5r_fail(r, path);
        goto done;
    }
    if (k != rank) {
        rc = sim_err_set(r->err, SIM_EINPUT, "%s: %s: expected %d axis%s, got %d",
                         r->path, path, rank, rank == 1 ? "" : "es", k);
        goto done;
    }
    size_t n = 1, g[H5S_MAX_RANK];
    bool same = true;
    for (int i = 0; i < rank; i++) {
        g[i] = (size_t)d[i];
        same = same && (want[i] == SIZE_MAX || want[i] == g[i]);
        if (g[i] != 0 && n > SIZE_MAX / 16 / g[i]) {
            rc = sim_err_set(r->err, SIM_EINPUT, "%s: %s: too large to read",
                             r->path, path);
            goto done;
        }
        n *= g[i];
    }
    if (!same) {
        char gt[96], wt[96];
        size_t w2[H5S_MAX_RANK];
        for (int i = 0; i < rank; i++)
            w2[i] = want[i] == SIZE_MAX ? g[i] : want[i];
        dims_text(gt, sizeof gt, rank, g);
        dims_text(wt, sizeof wt, rank, w2);
        rc = sim_err_set(r->err, SIM_EINPUT, "%s: %s: expected %s, got %s",
                         r->path, path, wt, gt);
        goto done;
    }
    if (got != NULL)
        memcpy(got, g, (size_t)rank * sizeof *g);
    *count = n;
done:
    if (ft >= 0)
        H5Tclose(ft);
    if (sp >= 0)
        H5Sclose(sp);
    if (rc != SIM_OK && *dset >= 0) {
        H5Dclose(*dset);
        *dset = -1;
    }
    return rc;
}

int ana_h5r_read_numbers(ana_h5r *r, const char *path, hid_t mem, int rank,
                         const size_t *want, size_t *got, void **out)
{
    hid_t d;
    size_t count;
    int rc = ana_h5r_open_data(
        r, path, H5Tequal(mem, H5T_NATIVE_INT64) > 0 ? H5T_INTEGER : H5T_FLOAT,
        rank, want, got, &d, &count);
    if (rc != SIM_OK)
        return rc;
    void *buf = malloc((count ? count : 1) * 8);
    if (buf == NULL)
        rc = ana_h5r_no_memory(r);
    else if (count > 0 &&
             H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        rc = ana_h5r_fail(r, path);
    H5Dclose(d);
    if (rc != SIM_OK)
        free(buf);
    else
        *out = buf;
    return rc;
}

void ana_h5r_free_strings(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

int ana_h5r_read_strings(ana_h5r *r, const char *path, size_t want,
                         char ***out, size_t *count)
{
    hid_t d, ft = -1, mt = -1;
    size_t n;
    int rc = ana_h5r_open_data(r, path, H5T_STRING, 1, &want, NULL, &d, &n);
    if (rc != SIM_OK)
        return rc;
    char **v = calloc(n ? n : 1, sizeof *v);
    void *raw = NULL;
    if (v == NULL) {
        rc = ana_h5r_no_memory(r);
        goto done;
    }
    htri_t vlen;
    if ((ft = H5Dget_type(d)) < 0 || (vlen = H5Tis_variable_str(ft)) < 0 ||
        (mt = H5Tcopy(H5T_C_S1)) < 0 ||
        H5Tset_cset(mt, H5Tget_cset(ft)) < 0) {
        rc = ana_h5r_fail(r, path);
        goto done;
    }
    size_t width = vlen ? sizeof(char *) : H5Tget_size(ft) + 1;
    if ((raw = calloc(n ? n : 1, width)) == NULL) {
        rc = ana_h5r_no_memory(r);
        goto done;
    }
    if ((vlen ? H5Tset_size(mt, H5T_VARIABLE)
              : (H5Tset_size(mt, width) < 0
                     ? -1
                     : H5Tset_strpad(mt, H5T_STR_NULLTERM))) < 0 ||
        (n > 0 && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)) {
        rc = ana_h5r_fail(r, path);
        /* A read that failed half-way may have allocated some strings. */
        for (size_t i = 0; vlen > 0 && i < n; i++) {
            char *s;
            memcpy(&s, (char *)raw + i * width, sizeof s);
            if (s != NULL)
                H5free_memory(s);
        }
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        char *cell = (char *)raw + i * width;
        char *s = cell; /* fixed length: the cell holds the text */
        if (vlen)
            memcpy(&s, cell, sizeof s); /* variable: a pointer to it */
        if ((v[i] = dup_str(s)) == NULL && rc == SIM_OK)
            rc = ana_h5r_no_memory(r);
        if (vlen && s != NULL)
            H5free_memory(s); /* HDF5 allocated it */
    }
done:
    free(raw);
    if (rc != SIM_OK) {
        ana_h5r_free_strings(v, v ? n : 0);
    } else {
        *out = v;
        *count = n;
    }
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    H5Dclose(d);
    return rc;
}
