/* h5w_util.c -- the HDF5 writer's small helpers (see h5w_internal.h):
 * messages in the house form "FILE: OBJ: what: reason", with the reason
 * taken from HDF5's error stack or errno; checks of object paths and UTF-8
 * strings; the lookup of objects and the creation of parent groups.
 *
 * Split from h5w.c so that the file's life and its data sets read on their
 * own; every function here is used by h5w.c or h5w_attr.c as well.
 */
#include "h5w.h"
#include "h5w_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

/* Per thread in thread-safe HDF5 builds, hence called at every entry. */
void ana__h5w_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* ---- messages ---------------------------------------------------------- */

void ana__h5w_errno_text(int e, char *buf, size_t n)
{
    /* XSI strerror_r (we are not _GNU_SOURCE): thread-safe, unlike
     * strerror, since writers may live in replication threads. */
    if (strerror_r(e, buf, n) != 0)
        snprintf(buf, n, "errno %d", e);
    /* What "File too large" means in practice: a shell's `ulimit -f`
     * (SIGXFSZ is ignored, so write(2) fails instead of killing us). */
    size_t k = strlen(buf);
    if (e == EFBIG && k < n)
        snprintf(buf + k, n - k, " (the file size limit, ulimit -f?)");
}

typedef struct {
    int eno;        /* first "errno = N" found in the stack, or 0 */
    char desc[160]; /* innermost description */
} h5_why;

static herr_t why_walk(unsigned n, const H5E_error2_t *e, void *data)
{
    h5_why *y = data;
    if (e->desc == NULL)
        return 0;
    if (n == 0) {
        snprintf(y->desc, sizeof y->desc, "%s", e->desc);
        /* HDF5 appends ": time = <ctime>\n, name = ..." to open failures. */
        char *cut = strstr(y->desc, ": time =");
        if (cut != NULL)
            *cut = '\0';
        y->desc[strcspn(y->desc, "\n")] = '\0';
    }
    const char *p = strstr(e->desc, "errno = ");
    if (p != NULL && y->eno == 0)
        y->eno = (int)strtol(p + 8, NULL, 10);
    return 0;
}

/* Why the last HDF5 call failed. Must run before any other HDF5 API call,
 * since each one clears the error stack. When HDF5 did system I/O, its
 * drivers put the errno in the text ("errno = 28"); that is the most useful
 * reason, so it wins over HDF5's own wording. */
void ana__h5w_h5_reason(char *buf, size_t n)
{
    h5_why y = {.eno = 0, .desc = ""};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, why_walk, &y);
    if (y.eno > 0)
        ana__h5w_errno_text(y.eno, buf, n);
    else if (y.desc[0] != '\0')
        snprintf(buf, n, "%s", y.desc);
    else
        snprintf(buf, n, "HDF5 error");
}

/* "FILE: OBJ: what" with status, no side effect on the writer. */
__attribute__((format(printf, 5, 6))) int ana__h5w_say(const ana_h5w *w,
                                                       sim_err *err, int status,
                                                       const char *obj,
                                                       const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sim_err_set(err, status, "%s: %s: %s", w->path, obj, what);
}

/* An HDF5 call failed: "FILE: OBJ: what: reason", and the writer is
 * poisoned. Call it right after the failing call (see ana__h5w_h5_reason). */
__attribute__((format(printf, 4, 5))) int
ana__h5w_h5fail(ana_h5w *w, sim_err *err, const char *obj, const char *fmt, ...)
{
    char reason[200], what[256];
    ana__h5w_h5_reason(reason, sizeof reason);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    w->failed = true;
    return sim_err_set(err, SIM_EIO, "%s: %s: %s: %s", w->path, obj, what,
                       reason);
}

/* A system call failed with errno e: as ana__h5w_h5fail. */
int ana__h5w_sysfail(ana_h5w *w, sim_err *err, int e, const char *what)
{
    char reason[200];
    ana__h5w_errno_text(e, reason, sizeof reason);
    w->failed = true;
    return sim_err_set(err, SIM_EIO, "%s: %s: %s", w->path, what, reason);
}

/* ---- small checks ------------------------------------------------------ */

/* An absolute path of non-empty components, none "." or "..", with no
 * trailing slash: one spelling per object, so paths compare with strcmp. */
bool ana__h5w_good_path(const char *p, bool root_ok)
{
    if (p == NULL || p[0] != '/')
        return false;
    if (p[1] == '\0')
        return root_ok;
    if (strlen(p) > 1024)
        return false;
    for (const char *c = p; *c != '\0';) {
        const char *s = c + 1; /* after the slash */
        size_t len = strcspn(s, "/");
        if (len == 0)
            return false;
        if ((len == 1 && s[0] == '.') ||
            (len == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        c = s + len;
    }
    return true;
}

/* Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or -1. h5py and
 * xarray decode these strings and would fail on bad bytes at read time. */
long ana__h5w_utf8_bad(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; s[i] != 0;) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0;
            if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;
        } else {
            return (long)i;
        }
        if (s[i + 1] < lo || s[i + 1] > hi)
            return (long)i;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return (long)i;
        i += len;
    }
    return -1;
}

int ana__h5w_usable(ana_h5w *w, sim_err *err)
{
    if (w == NULL)
        return sim_err_set(err, SIM_EINVAL, "ana_h5w: NULL writer");
    ana__h5w_quiet();
    if (w->done)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: writer already committed or aborted", w->path);
    if (w->failed)
        return sim_err_set(err, SIM_EIO,
                           "%s: an earlier error left the file unusable",
                           w->path);
    return SIM_OK;
}

/* 1 if path names an object, 0 if not (a component is missing or is not a
 * group), < 0 on error. H5Lexists on "/a/b" fails outright in HDF5 1.10
 * when "/a" is missing or is a data set, so the components are checked
 * from the root down. */
int ana__h5w_exists(hid_t file, const char *path)
{
    char buf[1100];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *c = buf + 1;; c++) {
        if (*c != '/' && *c != '\0')
            continue;
        char keep = *c;
        *c = '\0';
        htri_t e = H5Lexists(file, buf, H5P_DEFAULT);
        if (e > 0 && keep == '/') {
            hid_t o = H5Oopen(file, buf, H5P_DEFAULT);
            if (o < 0)
                return -1;
            e = H5Iget_type(o) == H5I_GROUP;
            if (H5Oclose(o) < 0)
                return -1;
        }
        *c = keep;
        if (e <= 0)
            return e < 0 ? -1 : 0;
        if (keep == '\0')
            return 1;
    }
}

/* Makes the groups above path (path itself excluded), without times
 * (HDF5 1.10 stores none for groups in the default file format anyway;
 * the setting keeps it so under a newer format). */
int ana__h5w_make_parents(ana_h5w *w, const char *path, sim_err *err)
{
    char buf[1100];
    snprintf(buf, sizeof buf, "%s", path);
    int rc = SIM_OK;
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl < 0 || H5Pset_obj_track_times(gcpl, 0) < 0) {
        rc = ana__h5w_h5fail(w, err, path, "cannot set up groups");
        goto done;
    }
    for (char *c = strchr(buf + 1, '/'); c != NULL; c = strchr(c + 1, '/')) {
        *c = '\0';
        htri_t e = H5Lexists(w->file, buf, H5P_DEFAULT);
        hid_t g = -1;
        if (e < 0) {
            rc = ana__h5w_h5fail(w, err, buf, "cannot look up group");
        } else if (e > 0) {
            /* H5Iget_type rather than H5Oget_info, whose signature changed
             * between HDF5 1.10 and 1.12. */
            if ((g = H5Oopen(w->file, buf, H5P_DEFAULT)) < 0)
                rc = ana__h5w_h5fail(w, err, buf, "cannot open group");
            else if (H5Iget_type(g) != H5I_GROUP)
                rc = ana__h5w_say(w, err, SIM_EINVAL, path, "%s is not a group",
                                  buf);
        } else if ((g = H5Gcreate2(w->file, buf, H5P_DEFAULT, gcpl,
                                   H5P_DEFAULT)) < 0) {
            rc = ana__h5w_h5fail(w, err, buf, "cannot create group");
        }
        if (g >= 0 && H5Oclose(g) < 0 && rc == SIM_OK)
            rc = ana__h5w_h5fail(w, err, buf, "cannot close group");
        *c = '/';
        if (rc != SIM_OK)
            goto done;
    }
done:
    if (gcpl >= 0)
        H5Pclose(gcpl);
    return rc;
}

/* Checks a new object's path: well formed and not taken. */
int ana__h5w_new_object_path(ana_h5w *w, const char *path, sim_err *err)
{
    if (!ana__h5w_good_path(path, false))
        return ana__h5w_say(
            w, err, SIM_EINVAL, path ? path : "(null)",
            "not an absolute HDF5 path such as /name or /group/name");
    int e = ana__h5w_exists(w->file, path);
    if (e < 0)
        return ana__h5w_h5fail(w, err, path, "cannot look up");
    if (e > 0)
        return ana__h5w_say(w, err, SIM_EINVAL, path, "already exists");
    return SIM_OK;
}

void ana_h5w_now_utc(char *buf, size_t n)
{
    time_t now = time(NULL);
    struct tm tm;
    if (now == (time_t)-1 || gmtime_r(&now, &tm) == NULL ||
        strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, n, "unknown");
}
