/* h5w.c -- the atomic HDF5 writer (see h5w.h for the contract): the file's
 * life from _new to _commit, data sets. The writer's struct and the helpers
 * shared by its files are in h5w_internal.h; messages and path checks are in
 * h5w_util.c, attributes in h5w_attr.c.
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
#include "h5w_internal.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

/* The in-memory file grows by this much at a time (bytes). */
enum { CORE_INCREMENT = 1024 * 1024 };

static const char not_regular[] =
    "is not a regular file (a FIFO, a device, a socket or a symbolic "
    "link), so it is not replaced";

/* ---- file lifecycle ---------------------------------------------------- */

static int create_fail(sim_err *err, const char *path, int e)
{
    char reason[200];
    ana__h5w_errno_text(e, reason, sizeof reason);
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
    ana__h5w_quiet();
    if (out == NULL || path == NULL || path[0] == '\0')
        return sim_err_set(err, SIM_EINVAL, "%s",
                           out == NULL ? "ana_h5w_new: NULL out"
                                       : "the output path is empty");
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
        /* The final rename would replace a device node, a FIFO or a
         * symbolic link (not write through it): never, even with force. */
        if (!S_ISREG(st.st_mode)) {
            rc = sim_err_set(err, SIM_EINVAL, "%s: %s", path, not_regular);
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
    /* Held until the descriptor closes (at commit or abort, or when the
     * process dies, however it dies): a temporary that can be locked by
     * someone else is one nobody is writing (ana_h5w_remove_stale). */
    (void)flock(w->fd, LOCK_EX | LOCK_NB);

    /* CLOSE_SEMI: H5Fclose fails while an object is open, instead of
     * quietly keeping the file open (the "weak" default), which would hide
     * an object this module forgot to close. No backing store: the core
     * driver then never opens a file of that name (see the top comment). */
    if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
        H5Pset_fapl_core(fapl, CORE_INCREMENT, 0) < 0 ||
        H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI) < 0 ||
        (w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0) {
        char reason[200];
        ana__h5w_h5_reason(reason, sizeof reason);
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

/* The PID in a temporary's name ".NAME.tmp.PID.SUFFIX" (prefix already
 * matched: p is at PID), or -1 when the rest is not of that form. */
static long temp_pid(const char *p)
{
    long pid = 0;
    const char *q = p;
    for (; *q >= '0' && *q <= '9' && q - p < 10; q++)
        pid = pid * 10 + (*q - '0');
    if (q == p || *q != '.' || q[1] == '\0' || pid <= 0)
        return -1;
    for (q++; *q != '\0'; q++)
        if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z')))
            return -1;
    return pid;
}

size_t ana_h5w_remove_stale(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dlen = slash ? (size_t)(slash - path) : 0;
    char dir[4096], prefix[512], full[4608];
    if (dlen >= sizeof dir || strlen(base) + 7 >= sizeof prefix)
        return 0;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(dlen ? dlen : 1) : 1,
             slash ? path : ".");
    int plen = snprintf(prefix, sizeof prefix, ".%s.tmp.", base);
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    size_t removed = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strncmp(e->d_name, prefix, (size_t)plen) != 0)
            continue;
        long pid = temp_pid(e->d_name + plen);
        /* A live process (EPERM: someone else's) may still write it. */
        if (pid < 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
            errno != ESRCH)
            continue;
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        int fd = open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat st;
        /* Only a regular file of ours that no writer holds (a writer of
         * another machine with the same PID would). */
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            st.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
            unlink(full) == 0)
            removed++;
        close(fd);
    }
    closedir(d);
    return removed;
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
    ana__h5w_quiet();
    /* Unlink first: whatever closing does, nothing is left behind. */
    unlink(w->tmp);
    close_all(w);
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    w->done = true;
}

static int place_fail(sim_err *err, const char *path, int e,
                      const char *what)
{
    char reason[200];
    ana__h5w_errno_text(e, reason, sizeof reason);
    return sim_err_set(err, SIM_EIO, "%s: %s: %s", path, what, reason);
}

int ana_h5w_place(const char *from, const char *path, bool force,
                  sim_err *err)
{
    struct stat st;
    if (force) {
        /* Checked again here, at the last moment: a FIFO, device or link
         * that appeared at the target since _new is not replaced. */
        if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return sim_err_set(err, SIM_EINVAL, "%s: %s", path, not_regular);
        if (rename(from, path) != 0)
            return place_fail(err, path, errno, "cannot rename into place");
        return SIM_OK;
    }
    /* link() fails with EEXIST instead of replacing, so a file that
     * appeared at the target after _new is kept. */
    if (link(from, path) == 0) {
        unlink(from); /* if this fails, the target is still complete */
        return SIM_OK;
    }
    int e = errno;
    if (e == EEXIST)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: exists (use --force to overwrite)", path);
    if (e != EPERM && e != ENOTSUP && e != EOPNOTSUPP && e != EMLINK &&
        e != EXDEV)
        return place_fail(err, path, e, "cannot link into place");
    /* No hard links on this file system: check, then rename (racy only
     * against a writer appearing in between, as with any rename). */
    if (lstat(path, &st) == 0)
        return sim_err_set(err, SIM_EINVAL,
                           "%s: exists (use --force to overwrite)", path);
    if (rename(from, path) != 0)
        return place_fail(err, path, errno, "cannot rename into place");
    return SIM_OK;
}

/* Moves the finished temporary to the target. */
static int move_into_place(ana_h5w *w, sim_err *err)
{
    int rc = ana_h5w_place(w->tmp, w->path, w->force, err);
    if (rc != SIM_OK)
        w->failed = true;
    return rc;
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
            return ana__h5w_sysfail(w, err, errno, "cannot write");
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
        ana__h5w_var *v = &w->vars[i];
        int bad = H5Dclose(v->dset) < 0;
        v->dset = -1; /* even on failure: never close an id twice */
        if (bad)
            return ana__h5w_h5fail(w, err, v->path, "cannot close");
    }
    assert(H5Fget_obj_count(w->file, H5F_OBJ_ALL | H5F_OBJ_LOCAL) == 1);
    /* Closing the data sets wrote their chunk caches into the file. */
    if (H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        return ana__h5w_h5fail(w, err, "/", "cannot flush the file");
    ssize_t size = H5Fget_file_image(w->file, NULL, 0);
    if (size < 0)
        return ana__h5w_h5fail(w, err, "/", "cannot size the file image");
    unsigned char *buf = malloc(size > 0 ? (size_t)size : 1);
    if (buf == NULL) {
        w->failed = true;
        return ana__h5w_say(w, err, SIM_ENOMEM, "/",
                            "out of memory for the file image (%zd bytes)",
                            size);
    }
    int rc = SIM_OK;
    if (H5Fget_file_image(w->file, buf, (size_t)size) != size)
        rc = ana__h5w_h5fail(w, err, "/", "cannot copy the file image");
    else
        rc = write_image(w, buf, (size_t)size, err);
    free(buf);
    if (rc != SIM_OK)
        return rc;
    int bad = H5Fclose(w->file) < 0;
    w->file = -1;
    if (bad)
        return ana__h5w_h5fail(w, err, "/", "cannot close the file");
    return SIM_OK;
}

int ana_h5w_commit(ana_h5w *w, sim_err *err)
{
    int rc = ana__h5w_usable(w, err);
    if (rc != SIM_OK) {
        ana_h5w_abort(w);
        return rc;
    }
    for (size_t i = 0; i < w->nvars; i++) {
        ana__h5w_var *v = &w->vars[i];
        if (v->unwritten == 0)
            continue;
        size_t r = 0;
        while (v->written[r])
            r++;
        rc = ana__h5w_say(w, err, SIM_EINVAL, v->path,
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
        rc = ana__h5w_sysfail(w, err, errno, "cannot fsync");
        goto fail;
    }
    int cr = close(w->fd);
    int ce = errno;
    w->fd = -1;
    if (cr != 0) {
        rc = ana__h5w_sysfail(w, err, ce, "cannot close");
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
        ana__h5w_errno_text(fe, reason, sizeof reason);
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

static ana__h5w_var *find_var(ana_h5w *w, const char *path)
{
    for (size_t i = 0; i < w->nvars; i++)
        if (strcmp(w->vars[i].path, path) == 0)
            return &w->vars[i];
    return NULL;
}

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
        ana__h5w_var *v = realloc(w->vars, cap * sizeof *v);
        if (v == NULL)
            return ana__h5w_say(w, err, SIM_ENOMEM, path, "out of memory");
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
                      ana__h5w_var **out, sim_err *err)
{
    hid_t ftype = -1, space = -1, dcpl = -1;
    int rc = reserve_var(w, path, err);
    if (rc != SIM_OK)
        return rc;
    ana__h5w_var v = {.path = dup_str(path, strlen(path)),
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
        return ana__h5w_say(w, err, SIM_ENOMEM, path, "out of memory");
    }
    if ((rc = ana__h5w_make_parents(w, path, err)) != SIM_OK)
        goto done;

    rc = SIM_EIO;
    if (kind == ANA__H5W_STR) {
        if ((ftype = H5Tcopy(H5T_C_S1)) < 0 ||
            H5Tset_size(ftype, H5T_VARIABLE) < 0 ||
            H5Tset_cset(ftype, H5T_CSET_UTF8) < 0) {
            rc = ana__h5w_h5fail(w, err, path, "cannot make the string type");
            goto done;
        }
    } else if ((ftype = H5Tcopy(kind == ANA__H5W_F64 ? H5T_IEEE_F64LE
                                                     : H5T_STD_I64LE)) < 0) {
        rc = ana__h5w_h5fail(w, err, path, "cannot make the type");
        goto done;
    }
    hsize_t total = 1;
    for (int i = 0; i < rank; i++)
        total *= dims[i];
    if ((space = H5Screate_simple(rank, dims, NULL)) < 0 ||
        (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_obj_track_times(dcpl, 0) < 0) {
        rc = ana__h5w_h5fail(w, err, path, "cannot set up");
        goto done;
    }
    if (kind != ANA__H5W_STR && total > 0) {
        hsize_t chunk[ANA_H5W_MAX_RANK];
        choose_chunk(rank, dims, 8, chunk);
        /* Shuffle groups the bytes of equal significance, which makes
         * doubles and small integers far more compressible by deflate. */
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
            H5Pset_deflate(dcpl, ANA_H5W_DEFLATE) < 0) {
            rc = ana__h5w_h5fail(w, err, path,
                                 "cannot set chunking and compression");
            goto done;
        }
    }
    if ((v.dset = H5Dcreate2(w->file, path, ftype, space, H5P_DEFAULT, dcpl,
                             H5P_DEFAULT)) < 0) {
        rc = ana__h5w_h5fail(w, err, path, "cannot create");
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

static int check_units(ana_h5w *w, const char *path, const char *units,
                       sim_err *err)
{
    long bad = units ? ana__h5w_utf8_bad(units) : -1;
    if (bad >= 0)
        return ana__h5w_say(w, err, SIM_EINVAL, path,
                            "units are not valid UTF-8 (byte %ld)", bad);
    return SIM_OK;
}

static int scale_numeric(ana_h5w *w, const char *path, int kind, size_t n,
                         const void *x, const char *units, sim_err *err)
{
    int rc = ana__h5w_usable(w, err);
    if (rc != SIM_OK ||
        (rc = ana__h5w_new_object_path(w, path, err)) != SIM_OK ||
        (rc = check_units(w, path, units, err)) != SIM_OK)
        return rc;
    if (n > 0 && x == NULL)
        return ana__h5w_say(w, err, SIM_EINVAL, path, "no values (NULL)");
    if (n > SIZE_MAX / 8)
        return ana__h5w_say(w, err, SIM_EINVAL, path, "too many values (%zu)",
                            n);
    hsize_t dims[1] = {n};
    ana__h5w_var *v = NULL;
    if ((rc = create_var(w, path, kind, 1, dims, true, false, &v, err)) !=
        SIM_OK)
        return rc;
    hid_t mtype = kind == ANA__H5W_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
    if (n > 0 && H5Dwrite(v->dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
        return ana__h5w_h5fail(w, err, path, "cannot write");
    const char *base = strrchr(path, '/') + 1;
    if (H5DSset_scale(v->dset, base) < 0)
        return ana__h5w_h5fail(w, err, path, "cannot make a dimension scale");
    return units ? ana__h5w_write_units(w, v, units, err) : SIM_OK;
}

int ana_h5w_scale_f64(ana_h5w *w, const char *path, size_t n, const double *v,
                      const char *units, sim_err *err)
{
    return scale_numeric(w, path, ANA__H5W_F64, n, v, units, err);
}

int ana_h5w_scale_i64(ana_h5w *w, const char *path, size_t n, const int64_t *v,
                      const char *units, sim_err *err)
{
    return scale_numeric(w, path, ANA__H5W_I64, n, v, units, err);
}

int ana_h5w_scale_str(ana_h5w *w, const char *path, size_t n,
                      const char *const *v, sim_err *err)
{
    int rc = ana__h5w_usable(w, err);
    if (rc != SIM_OK || (rc = ana__h5w_new_object_path(w, path, err)) != SIM_OK)
        return rc;
    if (n > 0 && v == NULL)
        return ana__h5w_say(w, err, SIM_EINVAL, path, "no names (NULL)");
    for (size_t i = 0; i < n; i++) {
        if (v[i] == NULL)
            return ana__h5w_say(w, err, SIM_EINVAL, path, "name %zu is NULL",
                                i);
        long bad = ana__h5w_utf8_bad(v[i]);
        if (bad >= 0)
            return ana__h5w_say(w, err, SIM_EINVAL, path,
                                "name %zu is not valid UTF-8 (byte %ld)", i,
                                bad);
    }
    hsize_t dims[1] = {n};
    ana__h5w_var *var = NULL;
    if ((rc = create_var(w, path, ANA__H5W_STR, 1, dims, true, false, &var,
                         err)) != SIM_OK)
        return rc;
    rc = SIM_EIO;
    hid_t mtype = -1;
    if ((mtype = H5Tcopy(H5T_C_S1)) < 0 ||
        H5Tset_size(mtype, H5T_VARIABLE) < 0 ||
        H5Tset_cset(mtype, H5T_CSET_UTF8) < 0) {
        rc = ana__h5w_h5fail(w, err, path, "cannot make the string type");
        goto done;
    }
    if (n > 0 &&
        H5Dwrite(var->dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        rc = ana__h5w_h5fail(w, err, path, "cannot write");
        goto done;
    }
    if (H5DSset_scale(var->dset, strrchr(path, '/') + 1) < 0) {
        rc = ana__h5w_h5fail(w, err, path, "cannot make a dimension scale");
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
    int rc = ana__h5w_new_object_path(w, s->path, err);
    if (rc != SIM_OK || (rc = check_units(w, s->path, s->units, err)))
        return rc;
    if (s->rank < 1 || s->rank > ANA_H5W_MAX_RANK)
        return ana__h5w_say(w, err, SIM_EINVAL, s->path,
                            "rank %d is not in 1..%d", s->rank,
                            (int)ANA_H5W_MAX_RANK);
    if (s->dims == NULL || s->scales == NULL)
        return ana__h5w_say(w, err, SIM_EINVAL, s->path, "NULL %s",
                            s->dims == NULL ? "dims" : "scales");
    size_t total = 8;
    for (int i = 0; i < s->rank; i++) {
        const char *sp = s->scales[i];
        ana__h5w_var *sc = sp ? find_var(w, sp) : NULL;
        if (sc == NULL || !sc->is_scale)
            return ana__h5w_say(
                w, err, SIM_EINVAL, s->path,
                "axis %d: %s is not a dimension scale of this file", i,
                sp ? sp : "(null)");
        if (sc->dims[0] != s->dims[i])
            return ana__h5w_say(
                w, err, SIM_EINVAL, s->path,
                "axis %d has %zu elements but scale %s has %llu", i, s->dims[i],
                sp, (unsigned long long)sc->dims[0]);
        if (s->dims[i] > 0 && total > SIZE_MAX / s->dims[i])
            return ana__h5w_say(w, err, SIM_EINVAL, s->path, "too large");
        total *= s->dims[i];
        dims[i] = s->dims[i];
        scales[i] = (size_t)(sc - w->vars);
    }
    return SIM_OK;
}

/* Creates a data set; rows: filled later by write_rows, else whole from x
 * (which is checked here, before anything is created). */
static int define(ana_h5w *w, const ana_h5w_shape *s, int kind, bool rows,
                  const void *x, ana__h5w_var **out, sim_err *err)
{
    hsize_t dims[ANA_H5W_MAX_RANK];
    size_t scales[ANA_H5W_MAX_RANK];
    int rc = ana__h5w_usable(w, err);
    if (rc != SIM_OK || (rc = check_shape(w, s, dims, scales, err)) != SIM_OK)
        return rc;
    hsize_t total = 1;
    for (int i = 0; i < s->rank; i++)
        total *= dims[i];
    if (!rows && total > 0 && x == NULL)
        return ana__h5w_say(w, err, SIM_EINVAL, s->path, "no data (NULL)");
    ana__h5w_var *v = NULL;
    if ((rc = create_var(w, s->path, kind, s->rank, dims, false, rows, &v,
                         err)) != SIM_OK)
        return rc;
    for (int i = 0; i < s->rank; i++) {
        const ana__h5w_var *sc = &w->vars[scales[i]];
        if (H5DSattach_scale(v->dset, sc->dset, (unsigned)i) < 0)
            return ana__h5w_h5fail(w, err, s->path,
                                   "cannot attach scale %s to axis %d",
                                   sc->path, i);
    }
    if (s->units != NULL &&
        (rc = ana__h5w_write_units(w, v, s->units, err)) != SIM_OK)
        return rc;
    *out = v;
    return SIM_OK;
}

int ana_h5w_define_f64(ana_h5w *w, const ana_h5w_shape *s, sim_err *err)
{
    ana__h5w_var *v;
    return define(w, s, ANA__H5W_F64, true, NULL, &v, err);
}

int ana_h5w_define_i64(ana_h5w *w, const ana_h5w_shape *s, sim_err *err)
{
    ana__h5w_var *v;
    return define(w, s, ANA__H5W_I64, true, NULL, &v, err);
}

static int write_all(ana_h5w *w, const ana_h5w_shape *s, int kind,
                     const void *x, sim_err *err)
{
    ana__h5w_var *v = NULL;
    int rc = define(w, s, kind, false, x, &v, err);
    if (rc != SIM_OK)
        return rc;
    hsize_t total = 1;
    for (int i = 0; i < v->rank; i++)
        total *= v->dims[i];
    if (total == 0)
        return SIM_OK;
    hid_t mtype = kind == ANA__H5W_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
    if (H5Dwrite(v->dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0)
        return ana__h5w_h5fail(w, err, s->path, "cannot write");
    return SIM_OK;
}

int ana_h5w_write_f64(ana_h5w *w, const ana_h5w_shape *s, const double *x,
                      sim_err *err)
{
    return write_all(w, s, ANA__H5W_F64, x, err);
}

int ana_h5w_write_i64(ana_h5w *w, const ana_h5w_shape *s, const int64_t *x,
                      sim_err *err)
{
    return write_all(w, s, ANA__H5W_I64, x, err);
}

int ana_h5w_write_str(ana_h5w *w, const ana_h5w_shape *s,
                      const char *const *v, sim_err *err)
{
    size_t total = 1;
    for (int i = 0; s != NULL && i < s->rank; i++)
        total *= s->dims[i];
    for (size_t i = 0; v != NULL && i < total; i++) {
        long bad = v[i] ? ana__h5w_utf8_bad(v[i]) : 0;
        if (bad >= 0)
            return ana__h5w_say(w, err, SIM_EINVAL, s->path,
                                v[i] ? "string %zu is not valid UTF-8"
                                     : "string %zu is NULL",
                                i);
    }
    ana__h5w_var *var = NULL;
    int rc = define(w, s, ANA__H5W_STR, false, v, &var, err);
    if (rc != SIM_OK || total == 0)
        return rc;
    hid_t mtype = -1;
    rc = SIM_EIO;
    if ((mtype = H5Tcopy(H5T_C_S1)) < 0 ||
        H5Tset_size(mtype, H5T_VARIABLE) < 0 ||
        H5Tset_cset(mtype, H5T_CSET_UTF8) < 0)
        rc = ana__h5w_h5fail(w, err, s->path, "cannot make the string type");
    else if (H5Dwrite(var->dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        rc = ana__h5w_h5fail(w, err, s->path, "cannot write");
    else
        rc = SIM_OK;
    if (mtype >= 0)
        H5Tclose(mtype);
    return rc;
}

static int write_rows(ana_h5w *w, const char *path, int kind, size_t first,
                      size_t count, const void *x, sim_err *err)
{
    int rc = ana__h5w_usable(w, err);
    if (rc != SIM_OK)
        return rc;
    ana__h5w_var *v = path ? find_var(w, path) : NULL;
    if (v == NULL || v->is_scale)
        return ana__h5w_say(w, err, SIM_EINVAL, path ? path : "(null)",
                            "not a data set of this file");
    if (v->written == NULL)
        return ana__h5w_say(
            w, err, SIM_EINVAL, path,
            "written whole; rows go only to sets made by _define_");
    if (v->kind != kind)
        return ana__h5w_say(w, err, SIM_EINVAL, path, "holds %s, not %s",
                            v->kind == ANA__H5W_F64 ? "double" : "int64",
                            kind == ANA__H5W_F64 ? "double" : "int64");
    hsize_t n0 = v->dims[0];
    if (count > n0 || first > n0 - count)
        return ana__h5w_say(w, err, SIM_EINVAL, path,
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
        return ana__h5w_say(w, err, SIM_EINVAL, path, "no data (NULL)");
    if (total > 0) {
        rc = SIM_EIO;
        hid_t fspace = -1, mspace = -1;
        hid_t mtype =
            kind == ANA__H5W_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
        if ((fspace = H5Dget_space(v->dset)) < 0 ||
            H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, cnt,
                                NULL) < 0 ||
            (mspace = H5Screate_simple(v->rank, cnt, NULL)) < 0 ||
            H5Dwrite(v->dset, mtype, mspace, fspace, H5P_DEFAULT, x) < 0)
            rc = ana__h5w_h5fail(w, err, path, "cannot write rows %zu..%zu",
                                 first, first + count - 1);
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
    return write_rows(w, path, ANA__H5W_F64, first, count, x, err);
}

int ana_h5w_write_rows_i64(ana_h5w *w, const char *path, size_t first,
                           size_t count, const int64_t *x, sim_err *err)
{
    return write_rows(w, path, ANA__H5W_I64, first, count, x, err);
}
