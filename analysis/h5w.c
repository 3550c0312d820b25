/* h5w.c -- the atomic HDF5 writer (see h5w.h for the contract).
 *
 * Life of a file: ana_h5w_new checks the directory and the target, creates
 * the empty temporary ".NAME.tmp.PID.NNNNNN" with open(O_CREAT | O_EXCL,
 * 0666) and keeps its descriptor; HDF5 builds the file in memory (the core
 * driver, no backing store). ana_h5w_commit flushes, takes the file image,
 * writes it to the temporary with write(2), fsyncs, closes and moves it to
 * the target. We do not use mkstemp: it makes the file 0600, and the output
 * of a run should get the usual 0666 & ~umask, which open() applies
 * (reading the umask without changing it is not possible portably). O_EXCL
 * with a counter gives the same uniqueness.
 *
 * Why in memory, not HDF5's sec2 driver on the temporary: with HDF5 1.10.8
 * (Debian 12), once a write fails (disk full, EFBIG) the file can never be
 * closed cleanly. H5Fclose retries the flush, fails, and leaves a dangling
 * file id; a second H5Fclose, H5close() or the library's atexit handler
 * then crashes (SIGSEGV in H5F__close_cb; seen with RLIMIT_FSIZE, whether
 * or not the file was closed first). A writer that may meet a full disk
 * must therefore never let HDF5 do the disk I/O. Closing an in-memory file
 * cannot fail that way, and our own write(2) reports errno exactly. The
 * cost is memory: the compressed file, twice for a moment at commit.
 *
 * Why the writer tracks every data set: commit must refuse a file with a
 * row never written (a replication that failed silently), and the data sets
 * stay open so that row writes in any order hit HDF5's chunk cache instead
 * of recompressing a chunk per row.
 *
 * Why "failed" is sticky: after an HDF5 call fails the file's state is
 * unknown (a half-made data set or attribute, a chunk not stored for lack
 * of memory), so nothing may be committed from it even if the caller
 * ignored the status. Argument errors are found before HDF5 is called and
 * leave the writer usable.
 *
 * The file should be byte-identical for identical calls, so data sets and
 * groups are created without HDF5's access/modification times.
 */
#include "h5w.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

enum { KIND_F64, KIND_I64, KIND_STR };

/* The in-memory file grows by this much at a time (bytes). */
enum { CORE_INCREMENT = 1024 * 1024 };

typedef struct {
    char *path;    /* canonical absolute path, owned */
    bool is_scale; /* a dimension scale (rank 1) */
    int kind;      /* KIND_* */
    int rank;      /* 1 .. ANA_H5W_MAX_RANK */
    hsize_t dims[ANA_H5W_MAX_RANK];
    hid_t dset;             /* open until commit or abort; -1 when closed */
    unsigned char *written; /* dims[0] flags for _define_ sets, else NULL */
    size_t unwritten;       /* rows not yet written */
} h5w_var;

struct ana_h5w {
    char *path;    /* target, as given */
    char *dir;     /* its directory, for the fsync after rename */
    char *tmp;     /* the temporary; fixed from _new to _free */
    bool force;    /* the move may replace an existing target */
    bool done;     /* committed or aborted */
    bool failed;   /* an I/O error happened: never commit */
    int fd;        /* our descriptor of the temporary, for fsync */
    hid_t file;    /* -1 when closed */
    h5w_var *vars; /* every scale and data set made so far */
    size_t nvars, cap;
};

/* Per thread in thread-safe HDF5 builds, hence called at every entry. */
static void quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* ---- messages ---------------------------------------------------------- */

static void errno_text(int e, char *buf, size_t n)
{
    /* XSI strerror_r (we are not _GNU_SOURCE): thread-safe, unlike
     * strerror, since writers may live in replication threads. */
    if (strerror_r(e, buf, n) != 0)
        snprintf(buf, n, "errno %d", e);
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
static void h5_reason(char *buf, size_t n)
{
    h5_why y = {.eno = 0, .desc = ""};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, why_walk, &y);
    if (y.eno > 0)
        errno_text(y.eno, buf, n);
    else if (y.desc[0] != '\0')
        snprintf(buf, n, "%s", y.desc);
    else
        snprintf(buf, n, "HDF5 error");
}

/* "FILE: OBJ: what" with status, no side effect on the writer. */
__attribute__((format(printf, 5, 6))) static int say(const ana_h5w *w,
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
 * poisoned. Call it right after the failing call (see h5_reason). */
__attribute__((format(printf, 4, 5))) static int
h5fail(ana_h5w *w, sim_err *err, const char *obj, const char *fmt, ...)
{
    char reason[200], what[256];
    h5_reason(reason, sizeof reason);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    w->failed = true;
    return sim_err_set(err, SIM_EIO, "%s: %s: %s: %s", w->path, obj, what,
                       reason);
}

/* A system call failed with errno e: as h5fail. */
static int sysfail(ana_h5w *w, sim_err *err, int e, const char *what)
{
    char reason[200];
    errno_text(e, reason, sizeof reason);
    w->failed = true;
    return sim_err_set(err, SIM_EIO, "%s: %s: %s", w->path, what, reason);
}

/* ---- small checks ------------------------------------------------------ */

/* An absolute path of non-empty components, none "." or "..", with no
 * trailing slash: one spelling per object, so paths compare with strcmp. */
static bool good_path(const char *p, bool root_ok)
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

static bool good_name(const char *name)
{
    return name != NULL && name[0] != '\0' && strchr(name, '/') == NULL &&
           strlen(name) <= 255;
}

/* Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or -1. h5py and
 * xarray decode these strings and would fail on bad bytes at read time. */
static long utf8_bad(const char *str)
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

static int usable(ana_h5w *w, sim_err *err)
{
    if (w == NULL)
        return sim_err_set(err, SIM_EINVAL, "ana_h5w: NULL writer");
    quiet();
    if (w->done)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: writer already committed or aborted", w->path);
    if (w->failed)
        return sim_err_set(err, SIM_EIO,
                           "%s: an earlier error left the file unusable",
                           w->path);
    return SIM_OK;
}

static h5w_var *find_var(ana_h5w *w, const char *path)
{
    for (size_t i = 0; i < w->nvars; i++)
        if (strcmp(w->vars[i].path, path) == 0)
            return &w->vars[i];
    return NULL;
}

/* 1 if path names an object, 0 if not (a component is missing or is not a
 * group), < 0 on error. H5Lexists on "/a/b" fails outright in HDF5 1.10
 * when "/a" is missing or is a data set, so the components are checked
 * from the root down. */
static int exists(hid_t file, const char *path)
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
static int make_parents(ana_h5w *w, const char *path, sim_err *err)
{
    char buf[1100];
    snprintf(buf, sizeof buf, "%s", path);
    int rc = SIM_OK;
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl < 0 || H5Pset_obj_track_times(gcpl, 0) < 0) {
        rc = h5fail(w, err, path, "cannot set up groups");
        goto done;
    }
    for (char *c = strchr(buf + 1, '/'); c != NULL; c = strchr(c + 1, '/')) {
        *c = '\0';
        htri_t e = H5Lexists(w->file, buf, H5P_DEFAULT);
        hid_t g = -1;
        if (e < 0) {
            rc = h5fail(w, err, buf, "cannot look up group");
        } else if (e > 0) {
            /* H5Iget_type rather than H5Oget_info, whose signature changed
             * between HDF5 1.10 and 1.12. */
            if ((g = H5Oopen(w->file, buf, H5P_DEFAULT)) < 0)
                rc = h5fail(w, err, buf, "cannot open group");
            else if (H5Iget_type(g) != H5I_GROUP)
                rc = say(w, err, SIM_EINVAL, path, "%s is not a group", buf);
        } else if ((g = H5Gcreate2(w->file, buf, H5P_DEFAULT, gcpl,
                                   H5P_DEFAULT)) < 0) {
            rc = h5fail(w, err, buf, "cannot create group");
        }
        if (g >= 0 && H5Oclose(g) < 0 && rc == SIM_OK)
            rc = h5fail(w, err, buf, "cannot close group");
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
static int new_object_path(ana_h5w *w, const char *path, sim_err *err)
{
    if (!good_path(path, false))
        return say(w, err, SIM_EINVAL, path ? path : "(null)",
                   "not an absolute HDF5 path such as /name or /group/name");
    int e = exists(w->file, path);
    if (e < 0)
        return h5fail(w, err, path, "cannot look up");
    if (e > 0)
        return say(w, err, SIM_EINVAL, path, "already exists");
    return SIM_OK;
}

/* ---- file lifecycle ---------------------------------------------------- */

static int create_fail(sim_err *err, const char *path, int e)
{
    char reason[200];
    errno_text(e, reason, sizeof reason);
    return sim_err_set(err, SIM_EIO, "%s: cannot create: %s", path, reason);
}

static char *dup_str(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void release(ana_h5w *w)
{
    for (size_t i = 0; i < w->nvars; i++) {
        free(w->vars[i].path);
        free(w->vars[i].written);
    }
    free(w->vars);
    free(w->path);
    free(w->dir);
    free(w->tmp);
    free(w);
}

int ana_h5w_new(const char *path, bool force, ana_h5w **out, sim_err *err)
{
    quiet();
    if (out == NULL || path == NULL || path[0] == '\0')
        return sim_err_set(err, SIM_EINVAL, "ana_h5w_new: %s",
                           out == NULL ? "NULL out" : "empty output path");
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return create_fail(err, path, EISDIR);

    ana_h5w *w = calloc(1, sizeof *w);
    if (w == NULL)
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    w->fd = -1;
    w->file = -1;
    w->force = force;
    size_t dlen = slash ? (size_t)(slash - path) : 0;
    w->path = dup_str(path, strlen(path));
    /* "/name" lives in "/", "name" in ".". */
    w->dir =
        slash ? dup_str(dlen ? path : "/", dlen ? dlen : 1) : dup_str(".", 1);
    size_t tlen = strlen(path) + 64;
    w->tmp = malloc(tlen);
    if (w->path == NULL || w->dir == NULL || w->tmp == NULL) {
        release(w);
        return sim_err_set(err, SIM_ENOMEM, "%s: out of memory", path);
    }

    int rc = SIM_EIO;
    hid_t fapl = -1;
    struct stat st;
    if (stat(w->dir, &st) != 0) {
        rc = create_fail(err, path, errno);
        goto done;
    }
    if (!S_ISDIR(st.st_mode)) {
        rc = create_fail(err, path, ENOTDIR);
        goto done;
    }
    /* access() answers for the real uid, which is what we run as; root
     * passes it on any local directory, but not on a read-only mount. */
    if (access(w->dir, W_OK | X_OK) != 0) {
        rc = create_fail(err, path, errno);
        goto done;
    }
    if (lstat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rc = create_fail(err, path, EISDIR);
            goto done;
        }
        if (!force) {
            rc = sim_err_set(err, SIM_EINVAL,
                             "%s: exists (use --force to overwrite)", path);
            goto done;
        }
    } else if (errno != ENOENT) {
        rc = create_fail(err, path, errno);
        goto done;
    }

    for (unsigned i = 0; i < 1000000 && w->fd < 0; i++) {
        snprintf(w->tmp, tlen, "%.*s.%s.tmp.%ld.%06u",
                 slash ? (int)(dlen + 1) : 0, path, base, (long)getpid(), i);
        w->fd = open(w->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (w->fd < 0 && errno != EEXIST) {
            rc = create_fail(err, path, errno);
            goto done;
        }
    }
    if (w->fd < 0) {
        rc = create_fail(err, path, EEXIST);
        goto done;
    }

    /* CLOSE_SEMI: H5Fclose fails while an object is open, instead of
     * quietly keeping the file open (the "weak" default), which would hide
     * an object this module forgot to close. No backing store: the core
     * driver then never opens a file of that name (see the top comment). */
    if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
        H5Pset_fapl_core(fapl, CORE_INCREMENT, 0) < 0 ||
        H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI) < 0 ||
        (w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0) {
        char reason[200];
        h5_reason(reason, sizeof reason);
        rc = sim_err_set(err, SIM_EIO, "%s: cannot create: %s", path, reason);
        goto done;
    }
    rc = SIM_OK;
done:
    if (fapl >= 0)
        H5Pclose(fapl);
    if (rc != SIM_OK) {
        if (w->fd >= 0) {
            unlink(w->tmp);
            close(w->fd);
        }
        release(w);
        return rc;
    }
    *out = w;
    return SIM_OK;
}

const char *ana_h5w_path(const ana_h5w *w)
{
    return w->path;
}

const char *ana_h5w_tmp_path(const ana_h5w *w)
{
    return w->tmp;
}

/* Closes every HDF5 object still open and the file, ignoring failures:
 * the file is in memory and about to be dropped. */
static void close_all(ana_h5w *w)
{
    for (size_t i = 0; i < w->nvars; i++) {
        if (w->vars[i].dset >= 0)
            H5Dclose(w->vars[i].dset);
        w->vars[i].dset = -1;
    }
    if (w->file >= 0)
        H5Fclose(w->file);
    w->file = -1;
}

void ana_h5w_abort(ana_h5w *w)
{
    if (w == NULL || w->done)
        return;
    quiet();
    /* Unlink first: whatever closing does, nothing is left behind. */
    unlink(w->tmp);
    close_all(w);
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    w->done = true;
}

/* Moves the finished temporary to the target. */
static int move_into_place(ana_h5w *w, sim_err *err)
{
    if (w->force) {
        if (rename(w->tmp, w->path) != 0)
            return sysfail(w, err, errno, "cannot rename into place");
        return SIM_OK;
    }
    /* link() fails with EEXIST instead of replacing, so a file that
     * appeared at the target after _new is kept. */
    if (link(w->tmp, w->path) == 0) {
        unlink(w->tmp); /* if this fails, the target is still complete */
        return SIM_OK;
    }
    int e = errno;
    if (e == EEXIST) {
        w->failed = true;
        return sim_err_set(err, SIM_EINVAL,
                           "%s: exists (use --force to overwrite)", w->path);
    }
    if (e != EPERM && e != ENOTSUP && e != EOPNOTSUPP && e != EMLINK &&
        e != EXDEV)
        return sysfail(w, err, e, "cannot link into place");
    /* No hard links on this file system: check, then rename (racy only
     * against a writer appearing in between, as with any rename). */
    struct stat st;
    if (lstat(w->path, &st) == 0) {
        w->failed = true;
        return sim_err_set(err, SIM_EINVAL,
                           "%s: exists (use --force to overwrite)", w->path);
    }
    if (rename(w->tmp, w->path) != 0)
        return sysfail(w, err, errno, "cannot rename into place");
    return SIM_OK;
}

/* Writes the whole image to the temporary (write(2) may write less than
 * asked, and a signal may interrupt it). */
static int write_image(ana_h5w *w, const unsigned char *buf, size_t n,
                       sim_err *err)
{
    while (n > 0) {
        ssize_t k = write(w->fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return sysfail(w, err, errno, "cannot write");
        buf += k;
        n -= (size_t)k;
    }
    return SIM_OK;
}

/* Closes the data sets (which stores their cached chunks), flushes, copies
 * the file image to the temporary, then closes the in-memory file. */
static int save_image(ana_h5w *w, sim_err *err)
{
    for (size_t i = 0; i < w->nvars; i++) {
        h5w_var *v = &w->vars[i];
        int bad = H5Dclose(v->dset) < 0;
        v->dset = -1; /* even on failure: never close an id twice */
        if (bad)
            return h5fail(w, err, v->path, "cannot close");
    }
    assert(H5Fget_obj_count(w->file, H5F_OBJ_ALL | H5F_OBJ_LOCAL) == 1);
    /* Closing the data sets wrote their chunk caches into the file. */
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return h5fail(w, err, "/", "cannot flush the file");
    ssize_t size = H5Fget_file_image(w->file, NULL, 0);
    if (size < 0)
        return h5fail(w, err, "/", "cannot size the file image");
    unsigned char *buf = malloc(size > 0 ? (size_t)size : 1);
    if (buf == NULL) {
        w->failed = true;
        return say(w, err, SIM_ENOMEM, "/",
                   "out of memory for the file image (%zd bytes)", size);
    }
    int rc = SIM_OK;
    if (H5Fget_file_image(w->file, buf, (size_t)size) != size)
        rc = h5fail(w, err, "/", "cannot copy the file image");
    else
        rc = write_image(w, buf, (size_t)size, err);
    free(buf);
    if (rc != SIM_OK)
        return rc;
    int bad = H5Fclose(w->file) < 0;
    w->file = -1;
    if (bad)
        return h5fail(w, err, "/", "cannot close the file");
    return SIM_OK;
}

int ana_h5w_commit(ana_h5w *w, sim_err *err)
{
    int rc = usable(w, err);
    if (rc != SIM_OK) {
        ana_h5w_abort(w);
        return rc;
    }
    for (size_t i = 0; i < w->nvars; i++) {
        h5w_var *v = &w->vars[i];
        if (v->unwritten == 0)
            continue;
        size_t r = 0;
        while (v->written[r])
            r++;
        rc = say(w, err, SIM_EINVAL, v->path,
                 "%zu of %llu rows never written (first: row %zu); "
                 "file not committed",
                 v->unwritten, (unsigned long long)v->dims[0], r);
        ana_h5w_abort(w);
        return rc;
    }
    if ((rc = save_image(w, err)) != SIM_OK)
        goto fail;
    /* The data must be on disk before the name is: otherwise a power loss
     * after the rename can leave an empty or partial file at the target.
     * close() is checked too: some file systems (NFS) report errors only
     * there. */
    if (fsync(w->fd) != 0) {
        rc = sysfail(w, err, errno, "cannot fsync");
        goto fail;
    }
    int cr = close(w->fd);
    int ce = errno;
    w->fd = -1;
    if (cr != 0) {
        rc = sysfail(w, err, ce, "cannot close");
        goto fail;
    }
    if ((rc = move_into_place(w, err)) != SIM_OK)
        goto fail;
    w->done = true;

    /* Make the rename itself durable. Some file systems cannot fsync a
     * directory (EINVAL): then there is nothing more we can do. */
    int dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return SIM_OK;
    int fr = fsync(dfd);
    int fe = errno;
    close(dfd);
    if (fr != 0 && fe != EINVAL && fe != ENOTSUP) {
        char reason[200];
        errno_text(fe, reason, sizeof reason);
        return sim_err_set(err, SIM_EIO,
                           "%s: written, but the directory could not be "
                           "synced, so the file may not survive a power "
                           "loss: %s",
                           w->path, reason);
    }
    return SIM_OK;
fail:
    ana_h5w_abort(w);
    return rc;
}

void ana_h5w_free(ana_h5w *w)
{
    if (w == NULL)
        return;
    ana_h5w_abort(w);
    release(w);
}

/* ---- data sets --------------------------------------------------------- */

/* Chunk shape: start from the whole array and halve the outermost axis
 * still above 1 until a chunk fits ANA_H5W_CHUNK_MAX. A chunk then covers
 * whole trailing rows, a contiguous block of the row-major buffer, so
 * writing or reading one replication touches as few chunks as possible,
 * and no chunk is larger than the data set. */
static void choose_chunk(int rank, const hsize_t *dims, size_t esz,
                         hsize_t *chunk)
{
    hsize_t bytes = esz;
    for (int i = 0; i < rank; i++) {
        chunk[i] = dims[i];
        bytes *= dims[i];
    }
    for (int i = 0; i < rank && bytes > ANA_H5W_CHUNK_MAX; i++) {
        while (bytes > ANA_H5W_CHUNK_MAX && chunk[i] > 1) {
            hsize_t half = (chunk[i] + 1) / 2;
            bytes = bytes / chunk[i] * half;
            chunk[i] = half;
        }
    }
}

/* Grows w->vars by one slot (not yet counted in nvars). */
static int reserve_var(ana_h5w *w, const char *path, sim_err *err)
{
    if (w->nvars == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        h5w_var *v = realloc(w->vars, cap * sizeof *v);
        if (v == NULL)
            return say(w, err, SIM_ENOMEM, path, "out of memory");
        w->vars = v;
        w->cap = cap;
    }
    return SIM_OK;
}

/* Creates the data set described by (path, kind, rank, dims) and records
 * it; with rows, also the per-row "written" flags. The caller has checked
 * the path and the sizes. Numeric data are chunked and compressed when not
 * empty; strings (variable length: the data are heap references, which
 * compress poorly) and empty sets are contiguous. */
static int create_var(ana_h5w *w, const char *path, int kind, int rank,
                      const hsize_t *dims, bool is_scale, bool rows,
                      h5w_var **out, sim_err *err)
{
    hid_t ftype = -1, space = -1, dcpl = -1;
    int rc = reserve_var(w, path, err);
    if (rc != SIM_OK)
        return rc;
    h5w_var v = {.path = dup_str(path, strlen(path)),
                 .is_scale = is_scale,
                 .kind = kind,
                 .rank = rank,
                 .dset = -1};
    memcpy(v.dims, dims, (size_t)rank * sizeof *dims);
    if (rows) {
        v.written = calloc(dims[0] ? (size_t)dims[0] : 1, 1);
        v.unwritten = (size_t)dims[0];
    }
    if (v.path == NULL || (rows && v.written == NULL)) {
        free(v.path);
        free(v.written);
        return say(w, err, SIM_ENOMEM, path, "out of memory");
    }
    if ((rc = make_parents(w, path, err)) != SIM_OK)
        goto done;

    rc = SIM_EIO;
    if (kind == KIND_STR) {
        if ((ftype = H5Tcopy(H5T_C_S1)) < 0 ||
            H5Tset_size(ftype, H5T_VARIABLE) < 0 ||
            H5Tset_cset(ftype, H5T_CSET_UTF8) < 0) {
            rc = h5fail(w, err, path, "cannot make the string type");
            goto done;
        }
    } else if ((ftype = H5Tcopy(kind == KIND_F64 ? H5T_IEEE_F64LE
                                                 : H5T_STD_I64LE)) < 0) {
        rc = h5fail(w, err, path, "cannot make the type");
        goto done;
    }
    hsize_t total = 1;
    for (int i = 0; i < rank; i++)
        total *= dims[i];
    if ((space = H5Screate_simple(rank, dims, NULL)) < 0 ||
        (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_obj_track_times(dcpl, 0) < 0) {
        rc = h5fail(w, err, path, "cannot set up");
        goto done;
    }
    if (kind != KIND_STR && total > 0) {
        hsize_t chunk[ANA_H5W_MAX_RANK];
        choose_chunk(rank, dims, 8, chunk);
        /* Shuffle groups the bytes of equal significance, which makes
         * doubles and small integers far more compressible by deflate. */
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
            H5Pset_deflate(dcpl, ANA_H5W_DEFLATE) < 0) {
            rc = h5fail(w, err, path, "cannot set chunking and compression");
            goto done;
        }
    }
    if ((v.dset = H5Dcreate2(w->file, path, ftype, space, H5P_DEFAULT, dcpl,
                             H5P_DEFAULT)) < 0) {
        rc = h5fail(w, err, path, "cannot create");
        goto done;
    }
    w->vars[w->nvars++] = v;
    *out = &w->vars[w->nvars - 1];
    rc = SIM_OK;
done:
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (rc != SIM_OK) {
        free(v.path);
        free(v.written);
    }
    return rc;
}

static int write_units(ana_h5w *w, h5w_var *v, const char *units, sim_err *err);

static int check_units(ana_h5w *w, const char *path, const char *units,
                       sim_err *err)
{
    long bad = units ? utf8_bad(units) : -1;
    if (bad >= 0)
        return say(w, err, SIM_EINVAL, path,
                   "units are not valid UTF-8 (byte %ld)", bad);
    return SIM_OK;
}

static int scale_numeric(ana_h5w *w, const char *path, int kind, size_t n,
                         const void *x, const char *units, sim_err *err)
{
    int rc = usable(w, err);
    if (rc != SIM_OK || (rc = new_object_path(w, path, err)) != SIM_OK ||
        (rc = check_units(w, path, units, err)) != SIM_OK)
        return rc;
    if (n > 0 && x == NULL)
        return say(w, err, SIM_EINVAL, path, "no values (NULL)");
    if (n > SIZE_MAX / 8)
        return say(w, err, SIM_EINVAL, path, "too many values (%zu)", n);
    hsize_t dims[1] = {n};
    h5w_var *v = NULL;
    if ((rc = create_var(w, path, kind, 1, dims, true, false, &v, err)) !=
        SIM_OK)
        return rc;
    hid_t mtype = kind == KIND_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
    if (n > 0 && H5Dwrite(v->dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
        return h5fail(w, err, path, "cannot write");
    const char *base = strrchr(path, '/') + 1;
    if (H5DSset_scale(v->dset, base) < 0)
        return h5fail(w, err, path, "cannot make a dimension scale");
    return units ? write_units(w, v, units, err) : SIM_OK;
}

int ana_h5w_scale_f64(ana_h5w *w, const char *path, size_t n, const double *v,
                      const char *units, sim_err *err)
{
    return scale_numeric(w, path, KIND_F64, n, v, units, err);
}

int ana_h5w_scale_i64(ana_h5w *w, const char *path, size_t n, const int64_t *v,
                      const char *units, sim_err *err)
{
    return scale_numeric(w, path, KIND_I64, n, v, units, err);
}

int ana_h5w_scale_str(ana_h5w *w, const char *path, size_t n,
                      const char *const *v, sim_err *err)
{
    int rc = usable(w, err);
    if (rc != SIM_OK || (rc = new_object_path(w, path, err)) != SIM_OK)
        return rc;
    if (n > 0 && v == NULL)
        return say(w, err, SIM_EINVAL, path, "no names (NULL)");
    for (size_t i = 0; i < n; i++) {
        if (v[i] == NULL)
            return say(w, err, SIM_EINVAL, path, "name %zu is NULL", i);
        long bad = utf8_bad(v[i]);
        if (bad >= 0)
            return say(w, err, SIM_EINVAL, path,
                       "name %zu is not valid UTF-8 (byte %ld)", i, bad);
    }
    hsize_t dims[1] = {n};
    h5w_var *var = NULL;
    if ((rc = create_var(w, path, KIND_STR, 1, dims, true, false, &var, err)) !=
        SIM_OK)
        return rc;
    rc = SIM_EIO;
    hid_t mtype = -1;
    if ((mtype = H5Tcopy(H5T_C_S1)) < 0 ||
        H5Tset_size(mtype, H5T_VARIABLE) < 0 ||
        H5Tset_cset(mtype, H5T_CSET_UTF8) < 0) {
        rc = h5fail(w, err, path, "cannot make the string type");
        goto done;
    }
    if (n > 0 &&
        H5Dwrite(var->dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        rc = h5fail(w, err, path, "cannot write");
        goto done;
    }
    if (H5DSset_scale(var->dset, strrchr(path, '/') + 1) < 0) {
        rc = h5fail(w, err, path, "cannot make a dimension scale");
        goto done;
    }
    rc = SIM_OK;
done:
    if (mtype >= 0)
        H5Tclose(mtype);
    return rc;
}

/* Checks a shape against the scales of this writer; fills dims and the
 * scales' indices in w->vars (indices: creating a set may move w->vars). */
static int check_shape(ana_h5w *w, const ana_h5w_shape *s, hsize_t *dims,
                       size_t *scales, sim_err *err)
{
    if (s == NULL)
        return sim_err_set(err, SIM_EINVAL, "%s: NULL shape", w->path);
    int rc = new_object_path(w, s->path, err);
    if (rc != SIM_OK || (rc = check_units(w, s->path, s->units, err)))
        return rc;
    if (s->rank < 1 || s->rank > ANA_H5W_MAX_RANK)
        return say(w, err, SIM_EINVAL, s->path, "rank %d is not in 1..%d",
                   s->rank, (int)ANA_H5W_MAX_RANK);
    if (s->dims == NULL || s->scales == NULL)
        return say(w, err, SIM_EINVAL, s->path, "NULL %s",
                   s->dims == NULL ? "dims" : "scales");
    size_t total = 8;
    for (int i = 0; i < s->rank; i++) {
        const char *sp = s->scales[i];
        h5w_var *sc = sp ? find_var(w, sp) : NULL;
        if (sc == NULL || !sc->is_scale)
            return say(w, err, SIM_EINVAL, s->path,
                       "axis %d: %s is not a dimension scale of this file", i,
                       sp ? sp : "(null)");
        if (sc->dims[0] != s->dims[i])
            return say(w, err, SIM_EINVAL, s->path,
                       "axis %d has %zu elements but scale %s has %llu", i,
                       s->dims[i], sp, (unsigned long long)sc->dims[0]);
        if (s->dims[i] > 0 && total > SIZE_MAX / s->dims[i])
            return say(w, err, SIM_EINVAL, s->path, "too large");
        total *= s->dims[i];
        dims[i] = s->dims[i];
        scales[i] = (size_t)(sc - w->vars);
    }
    return SIM_OK;
}

/* Creates a data set; rows: filled later by write_rows, else whole from x
 * (which is checked here, before anything is created). */
static int define(ana_h5w *w, const ana_h5w_shape *s, int kind, bool rows,
                  const void *x, h5w_var **out, sim_err *err)
{
    hsize_t dims[ANA_H5W_MAX_RANK];
    size_t scales[ANA_H5W_MAX_RANK];
    int rc = usable(w, err);
    if (rc != SIM_OK || (rc = check_shape(w, s, dims, scales, err)) != SIM_OK)
        return rc;
    hsize_t total = 1;
    for (int i = 0; i < s->rank; i++)
        total *= dims[i];
    if (!rows && total > 0 && x == NULL)
        return say(w, err, SIM_EINVAL, s->path, "no data (NULL)");
    h5w_var *v = NULL;
    if ((rc = create_var(w, s->path, kind, s->rank, dims, false, rows, &v,
                         err)) != SIM_OK)
        return rc;
    for (int i = 0; i < s->rank; i++) {
        const h5w_var *sc = &w->vars[scales[i]];
        if (H5DSattach_scale(v->dset, sc->dset, (unsigned)i) < 0)
            return h5fail(w, err, s->path, "cannot attach scale %s to axis %d",
                          sc->path, i);
    }
    if (s->units != NULL && (rc = write_units(w, v, s->units, err)) != SIM_OK)
        return rc;
    *out = v;
    return SIM_OK;
}

int ana_h5w_define_f64(ana_h5w *w, const ana_h5w_shape *s, sim_err *err)
{
    h5w_var *v;
    return define(w, s, KIND_F64, true, NULL, &v, err);
}

int ana_h5w_define_i64(ana_h5w *w, const ana_h5w_shape *s, sim_err *err)
{
    h5w_var *v;
    return define(w, s, KIND_I64, true, NULL, &v, err);
}

static int write_all(ana_h5w *w, const ana_h5w_shape *s, int kind,
                     const void *x, sim_err *err)
{
    h5w_var *v = NULL;
    int rc = define(w, s, kind, false, x, &v, err);
    if (rc != SIM_OK)
        return rc;
    hsize_t total = 1;
    for (int i = 0; i < v->rank; i++)
        total *= v->dims[i];
    if (total == 0)
        return SIM_OK;
    hid_t mtype = kind == KIND_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
    if (H5Dwrite(v->dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
        return h5fail(w, err, s->path, "cannot write");
    return SIM_OK;
}

int ana_h5w_write_f64(ana_h5w *w, const ana_h5w_shape *s, const double *x,
                      sim_err *err)
{
    return write_all(w, s, KIND_F64, x, err);
}

int ana_h5w_write_i64(ana_h5w *w, const ana_h5w_shape *s, const int64_t *x,
                      sim_err *err)
{
    return write_all(w, s, KIND_I64, x, err);
}

static int write_rows(ana_h5w *w, const char *path, int kind, size_t first,
                      size_t count, const void *x, sim_err *err)
{
    int rc = usable(w, err);
    if (rc != SIM_OK)
        return rc;
    h5w_var *v = path ? find_var(w, path) : NULL;
    if (v == NULL || v->is_scale)
        return say(w, err, SIM_EINVAL, path ? path : "(null)",
                   "not a data set of this file");
    if (v->written == NULL)
        return say(w, err, SIM_EINVAL, path,
                   "written whole; rows go only to sets made by _define_");
    if (v->kind != kind)
        return say(w, err, SIM_EINVAL, path, "holds %s, not %s",
                   v->kind == KIND_F64 ? "double" : "int64",
                   kind == KIND_F64 ? "double" : "int64");
    hsize_t n0 = v->dims[0];
    if (count > n0 || first > n0 - count)
        return say(w, err, SIM_EINVAL, path,
                   "rows %zu..%zu out of range (%llu rows)", first,
                   first + count - 1, (unsigned long long)n0);
    hsize_t start[ANA_H5W_MAX_RANK] = {first}, cnt[ANA_H5W_MAX_RANK];
    hsize_t total = count;
    cnt[0] = count;
    for (int i = 1; i < v->rank; i++) {
        cnt[i] = v->dims[i];
        total *= v->dims[i];
    }
    if (total > 0 && x == NULL)
        return say(w, err, SIM_EINVAL, path, "no data (NULL)");
    if (total > 0) {
        rc = SIM_EIO;
        hid_t fspace = -1, mspace = -1;
        hid_t mtype = kind == KIND_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
        if ((fspace = H5Dget_space(v->dset)) < 0 ||
            H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, cnt,
                                NULL) < 0 ||
            (mspace = H5Screate_simple(v->rank, cnt, NULL)) < 0 ||
            H5Dwrite(v->dset, mtype, mspace, fspace, H5P_DEFAULT, x) < 0)
            rc = h5fail(w, err, path, "cannot write rows %zu..%zu", first,
                        first + count - 1);
        else
            rc = SIM_OK;
        if (mspace >= 0)
            H5Sclose(mspace);
        if (fspace >= 0)
            H5Sclose(fspace);
        if (rc != SIM_OK)
            return rc;
    }
    for (size_t r = first; r < first + count; r++) {
        if (!v->written[r]) {
            v->written[r] = 1;
            v->unwritten--;
        }
    }
    return SIM_OK;
}

int ana_h5w_write_rows_f64(ana_h5w *w, const char *path, size_t first,
                           size_t count, const double *x, sim_err *err)
{
    return write_rows(w, path, KIND_F64, first, count, x, err);
}

int ana_h5w_write_rows_i64(ana_h5w *w, const char *path, size_t first,
                           size_t count, const int64_t *x, sim_err *err)
{
    return write_rows(w, path, KIND_I64, first, count, x, err);
}

/* ---- attributes -------------------------------------------------------- */

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
        rc = h5fail(w, err, obj, "attribute %s: cannot replace", name);
        goto done;
    }
    if ((a = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT)) <
            0 ||
        H5Awrite(a, mtype, buf) < 0) {
        rc = h5fail(w, err, obj, "attribute %s: cannot write", name);
        goto done;
    }
    rc = SIM_OK;
done:
    if (a >= 0 && H5Aclose(a) < 0 && rc == SIM_OK)
        rc = h5fail(w, err, obj, "attribute %s: cannot close", name);
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
        rc = h5fail(w, err, obj, "attribute %s: cannot set up", name);
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

static int write_units(ana_h5w *w, h5w_var *v, const char *units, sim_err *err)
{
    return put_str(w, v->dset, v->path, "units", units, err);
}

/* Opens obj for an attribute, after the checks every attribute shares. */
static int open_for_attr(ana_h5w *w, const char *obj, const char *name,
                         hid_t *o, sim_err *err)
{
    int rc = usable(w, err);
    if (rc != SIM_OK)
        return rc;
    if (!good_path(obj, true))
        return say(w, err, SIM_EINVAL, obj ? obj : "(null)",
                   "not an absolute HDF5 path such as / or /group/name");
    if (!good_name(name))
        return say(w, err, SIM_EINVAL, obj,
                   "bad attribute name \"%s\" (empty, has '/' or too long)",
                   name ? name : "(null)");
    if (strcmp(obj, "/") != 0) {
        int e = exists(w->file, obj);
        if (e < 0)
            return h5fail(w, err, obj, "cannot look up");
        if (e == 0)
            return say(w, err, SIM_EINVAL, obj, "attribute %s: no such object",
                       name);
    }
    if ((*o = H5Oopen(w->file, obj, H5P_DEFAULT)) < 0)
        return h5fail(w, err, obj, "cannot open");
    return SIM_OK;
}

static int close_obj(ana_h5w *w, hid_t o, const char *obj, int rc, sim_err *err)
{
    if (H5Oclose(o) < 0 && rc == SIM_OK)
        rc = h5fail(w, err, obj, "cannot close");
    return rc;
}

int ana_h5w_attr_str(ana_h5w *w, const char *obj, const char *name,
                     const char *value, sim_err *err)
{
    hid_t o = -1;
    int rc = open_for_attr(w, obj, name, &o, err);
    if (rc != SIM_OK)
        return rc;
    long bad = value ? utf8_bad(value) : -1;
    if (value == NULL)
        rc = say(w, err, SIM_EINVAL, obj, "attribute %s: NULL value", name);
    else if (bad >= 0)
        rc = say(w, err, SIM_EINVAL, obj,
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
        rc = say(w, err, SIM_EINVAL, obj, "attribute %s: %s", name,
                 n == 0 ? "no values (n = 0)" : "no values (NULL)");
    } else if ((space = scalar ? H5Screate(H5S_SCALAR)
                               : H5Screate_simple(1, dims, NULL)) < 0) {
        rc = h5fail(w, err, obj, "attribute %s: cannot set up", name);
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
