/* h5w_attr.c -- attributes of the HDF5 writer (see h5w.h): strings, doubles,
 * int64s and double arrays on the root, a group or a data set, replacing
 * an attribute of the same name. Also the "units" attribute that h5w.c
 * puts on scales and data sets.
 *
 * Split from h5w.c, whose struct and helpers it uses through
 * h5w_internal.h. Strings are variable-length UTF-8, checked before HDF5
 * is called, as h5py and xarray would fail on bad bytes at read time.
 */
#include "h5w.h"
#include "h5w_internal.h"

#include <stdbool.h>
#include <string.h>

#include <hdf5.h>

/* ---- attributes -------------------------------------------------------- */

/* An attribute name: not empty, no '/', at most 255 bytes. */
static bool good_name(const char *name)
{
    return name != NULL && name[0] != '\0' && strchr(name, '/') == NULL &&
           strlen(name) <= 255;
}

/* Writes attribute `name` on the open object loc (called obj in messages),
 * replacing one of that name. */
static int put_attr(ana_h5w *w, hid_t loc, const char *obj, const char *name,
                    hid_t ftype, hid_t mtype, hid_t space, const void *buf,
                    sim_err *err)
{
    int rc = SIM_EIO;
    hid_t a = -1;
    htri_t e = H5Aexists(loc, name);
    if (e < 0 || (e > 0 && H5Adelete(loc, name) < 0)) {
        rc = ana__h5w_h5fail(w, err, obj, "attribute %s: cannot replace", name);
        goto done;
    }
    if ((a = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT)) <
            0 ||
        H5Awrite(a, mtype, buf) < 0) {
        rc = ana__h5w_h5fail(w, err, obj, "attribute %s: cannot write", name);
        goto done;
    }
    rc = SIM_OK;
done:
    if (a >= 0 && H5Aclose(a) < 0 && rc == SIM_OK)
        rc = ana__h5w_h5fail(w, err, obj, "attribute %s: cannot close", name);
    return rc;
}

/* A variable-length UTF-8 string attribute on an open object. */
static int put_str(ana_h5w *w, hid_t loc, const char *obj, const char *name,
                   const char *value, sim_err *err)
{
    int rc = SIM_EIO;
    hid_t t = -1, space = -1;
    if ((t = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(t, H5T_VARIABLE) < 0 ||
        H5Tset_cset(t, H5T_CSET_UTF8) < 0 ||
        (space = H5Screate(H5S_SCALAR)) < 0) {
        rc = ana__h5w_h5fail(w, err, obj, "attribute %s: cannot set up", name);
        goto done;
    }
    rc = put_attr(w, loc, obj, name, t, t, space, &value, err);
done:
    if (space >= 0)
        H5Sclose(space);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

int ana__h5w_write_units(ana_h5w *w, ana__h5w_var *v, const char *units,
                         sim_err *err)
{
    return put_str(w, v->dset, v->path, "units", units, err);
}

/* Opens obj for an attribute, after the checks every attribute shares. */
static int open_for_attr(ana_h5w *w, const char *obj, const char *name,
                         hid_t *o, sim_err *err)
{
    int rc = ana__h5w_usable(w, err);
    if (rc != SIM_OK)
        return rc;
    if (!ana__h5w_good_path(obj, true))
        return ana__h5w_say(
            w, err, SIM_EINVAL, obj ? obj : "(null)",
            "not an absolute HDF5 path such as / or /group/name");
    if (!good_name(name))
        return ana__h5w_say(
            w, err, SIM_EINVAL, obj,
            "bad attribute name \"%s\" (empty, has '/' or too long)",
            name ? name : "(null)");
    if (strcmp(obj, "/") != 0) {
        int e = ana__h5w_exists(w->file, obj);
        if (e < 0)
            return ana__h5w_h5fail(w, err, obj, "cannot look up");
        if (e == 0)
            return ana__h5w_say(w, err, SIM_EINVAL, obj,
                                "attribute %s: no such object", name);
    }
    if ((*o = H5Oopen(w->file, obj, H5P_DEFAULT)) < 0)
        return ana__h5w_h5fail(w, err, obj, "cannot open");
    return SIM_OK;
}

static int close_obj(ana_h5w *w, hid_t o, const char *obj, int rc, sim_err *err)
{
    if (H5Oclose(o) < 0 && rc == SIM_OK)
        rc = ana__h5w_h5fail(w, err, obj, "cannot close");
    return rc;
}

int ana_h5w_attr_str(ana_h5w *w, const char *obj, const char *name,
                     const char *value, sim_err *err)
{
    hid_t o = -1;
    int rc = open_for_attr(w, obj, name, &o, err);
    if (rc != SIM_OK)
        return rc;
    long bad = value ? ana__h5w_utf8_bad(value) : -1;
    if (value == NULL)
        rc = ana__h5w_say(w, err, SIM_EINVAL, obj, "attribute %s: NULL value",
                          name);
    else if (bad >= 0)
        rc =
            ana__h5w_say(w, err, SIM_EINVAL, obj,
                         "attribute %s: not valid UTF-8 (byte %ld)", name, bad);
    else
        rc = put_str(w, o, obj, name, value, err);
    return close_obj(w, o, obj, rc, err);
}

static int put_numeric(ana_h5w *w, const char *obj, const char *name,
                       hid_t ftype, hid_t mtype, size_t n, bool scalar,
                       const void *buf, sim_err *err)
{
    hid_t o = -1;
    int rc = open_for_attr(w, obj, name, &o, err);
    if (rc != SIM_OK)
        return rc;
    hid_t space = -1;
    hsize_t dims[1] = {n};
    if (!scalar && (n == 0 || buf == NULL)) {
        rc = ana__h5w_say(w, err, SIM_EINVAL, obj, "attribute %s: %s", name,
                          n == 0 ? "no values (n = 0)" : "no values (NULL)");
    } else if ((space = scalar ? H5Screate(H5S_SCALAR)
                               : H5Screate_simple(1, dims, NULL)) < 0) {
        rc = ana__h5w_h5fail(w, err, obj, "attribute %s: cannot set up", name);
    } else {
        rc = put_attr(w, o, obj, name, ftype, mtype, space, buf, err);
    }
    if (space >= 0)
        H5Sclose(space);
    return close_obj(w, o, obj, rc, err);
}

int ana_h5w_attr_f64(ana_h5w *w, const char *obj, const char *name,
                     double value, sim_err *err)
{
    return put_numeric(w, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, true,
                       &value, err);
}

int ana_h5w_attr_i64(ana_h5w *w, const char *obj, const char *name,
                     int64_t value, sim_err *err)
{
    return put_numeric(w, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, true,
                       &value, err);
}

int ana_h5w_attr_f64_array(ana_h5w *w, const char *obj, const char *name,
                           size_t n, const double *v, sim_err *err)
{
    return put_numeric(w, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n,
                       false, v, err);
}

int ana_h5w_attr_i64_array(ana_h5w *w, const char *obj, const char *name,
                           size_t n, const int64_t *v, sim_err *err)
{
    return put_numeric(w, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, n, false,
                       v, err);
}

int ana_h5w_attr_table(ana_h5w *w, const char *obj,
                       const ana_h5w_str_attr *str, size_t n_str,
                       const ana_h5w_i64_attr *num, size_t n_num,
                       sim_err *err)
{
    int rc = SIM_OK;
    for (size_t i = 0; rc == SIM_OK && i < n_str; i++)
        rc = ana_h5w_attr_str(w, obj, str[i].name,
                              str[i].value ? str[i].value : "", err);
    for (size_t i = 0; rc == SIM_OK && i < n_num; i++)
        rc = ana_h5w_attr_i64(w, obj, num[i].name, num[i].value, err);
    return rc;
}
