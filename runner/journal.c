/* journal.c -- durable records of finished sweep points in one append-only
 * segment per journal (see journal.h for the format and the loss bound).
 *
 * The records are also kept in memory (status, message, values per point):
 * the output is assembled from there at the end, so the segment is only
 * ever appended to while a sweep runs and read once, at --resume.
 */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char SEG_MAGIC[8] = {'A', 'I', 'M', 'S', 'S', 'E', 'G', '2'};
#define REC_MAGIC 0x52534d41u /* "AMSR" read as a little-endian word */

enum {
    MSG_MAX = 4096,     /* bytes of a point's message kept */
    HEAD_SIZE = 8 + 5 * 8, /* magic, id, points, reps, metrics, checksum */
    REC_FIXED = 4 + 4 + 8 + 8 + 4 + 4 + 8 /* all but message and values */
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

#define FNV0 14695981039346656037ULL

uint64_t run_journal_id(const char *const *parts, size_t n)
{
    uint64_t h = FNV0;
    for (size_t i = 0; i < n; i++)
        h = fnv(h, parts[i], strlen(parts[i]) + 1);
    return h;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Syncs the directory that holds path (after a rename into it). */
static int fsync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return fsync_dir(".");
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path),
             path);
    return fsync_dir(dir);
}

/* The marker that makes a directory a journal, and what it says: version 2
 * is the segment format; version 1, one file per point, is only ever
 * recognised (to refuse it clearly, or to clean it away with --force). */
static const char MARKER[] = "AIMS-JOURNAL", OWNER[] = "OWNER",
                  SEGMENT[] = "points.seg";
static const char MARKER_TEXT[] = "aims sweep journal 2\n";
static const char MARKER_V1[] = "aims sweep journal 1\n";

/* Whether name is PREFIX followed by "K-of-N" and SUFFIX (a shard's file:
 * points.K-of-N.seg, OWNER.K-of-N), with K < N. */
static bool shard_name(const char *name, const char *prefix,
                       const char *suffix)
{
    size_t lp = strlen(prefix), ls = strlen(suffix), n = strlen(name);
    if (n <= lp + ls || strncmp(name, prefix, lp) != 0 ||
        strcmp(name + n - ls, suffix) != 0)
        return false;
    char mid[32];
    if (n - lp - ls >= sizeof mid)
        return false;
    memcpy(mid, name + lp, n - lp - ls);
    mid[n - lp - ls] = '\0';
    unsigned k, m;
    int used = 0;
    return sscanf(mid, "%u-of-%u%n", &k, &m, &used) == 2 &&
           (size_t)used == strlen(mid) && k < m && mid[0] >= '0' &&
           mid[0] <= '9';
}

/* A name aims gives a file in a journal: the segment, the marker, OWNER,
 * a shard's segment and OWNER, or the old format's "pNNNNNNNNN" and
 * ".tmp-pNNNNNNNNN". */
static bool ours(const char *name)
{
    if (strcmp(name, MARKER) == 0 || strcmp(name, OWNER) == 0 ||
        strcmp(name, SEGMENT) == 0 || shard_name(name, "points.", ".seg") ||
        shard_name(name, "OWNER.", ""))
        return true;
    if (strncmp(name, ".tmp-", 5) == 0)
        name += 5;
    if (name[0] != 'p' || strlen(name) != 10)
        return false;
    for (int i = 1; i < 10; i++)
        if (name[i] < '0' || name[i] > '9')
            return false;
    return true;
}

/* Unlinks the regular files aims made in dir: records, and with all, the
 * marker and OWNER too. Anything else (a file of the user's, a symbolic
 * link, a directory) stays. */
static void remove_ours(const char *dir, bool all)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (!ours(e->d_name) ||
            (!all && (strcmp(e->d_name, MARKER) == 0 ||
                      strcmp(e->d_name, OWNER) == 0)))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            unlink(path);
    }
    closedir(d);
}

/* Writes all of buf to fd; false on an error (errno set). */
static bool write_all(int fd, const void *buf, size_t n)
{
    const unsigned char *b = buf;
    for (size_t w = 0; w < n;) {
        ssize_t k = write(fd, b + w, n - w);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return false;
        }
        w += (size_t)k;
    }
    return true;
}

/* Writes all of buf to a new or truncated file (never through a link). */
static int put_file(const char *path, const char *buf, size_t n, int flags)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | flags,
                  0666);
    if (fd < 0)
        return -1;
    int rc = write_all(fd, buf, n) ? 0 : -1;
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

/* The version of the marker in dir: 2 (this format), 1 (the old one), or
 * 0 when dir is not a journal aims made. */
static int journal_version(const char *dir)
{
    char path[4096], buf[sizeof MARKER_TEXT];
    snprintf(path, sizeof path, "%s/%s", dir, MARKER);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                    ? read(fd, buf, sizeof buf)
                    : -1;
    close(fd);
    if (n != (ssize_t)sizeof MARKER_TEXT - 1)
        return 0;
    if (memcmp(buf, MARKER_TEXT, sizeof MARKER_TEXT - 1) == 0)
        return 2;
    return memcmp(buf, MARKER_V1, sizeof MARKER_V1 - 1) == 0 ? 1 : 0;
}

/* The PID in owner file name of dir, or "" (into pid, n bytes). */
static void read_owner(const char *dir, const char *name, char *pid, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    ssize_t k = fd >= 0 ? read(fd, pid, n - 1) : -1;
    if (fd >= 0)
        close(fd);
    pid[k > 0 ? k : 0] = '\0';
    pid[strcspn(pid, "\n")] = '\0';
}

/* Locks fd (flock, exclusive or shared, never waiting); a lock another
 * process holds is refused with the PID in owner file `owner`. */
static int lock_or_refuse(const run_journal *j, int fd, int how,
                          const char *owner, sim_err *err)
{
    if (flock(fd, how | LOCK_NB) == 0)
        return SIM_OK;
    int e = errno;
    char pid[32];
    read_owner(j->dir, owner, pid, sizeof pid);
    if (e == EWOULDBLOCK)
        return sim_err_set(err, SIM_EINPUT,
                           "%s: in use by another aims %s (PID %s): "
                           "wait for it to finish, or stop it",
                           j->dir, j->shards ? "process" : "sweep",
                           pid[0] ? pid : "unknown");
    return sim_err_set(err, SIM_EIO, "%s: cannot lock: %s", j->dir,
                       strerror(e));
}

/* Writes this process's PID into the owner file `name`. */
static int write_owner(const run_journal *j, const char *name, sim_err *err)
{
    char path[4096], me[32];
    snprintf(path, sizeof path, "%s/%s", j->dir, name);
    int n = snprintf(me, sizeof me, "%ld\n", (long)getpid());
    if (put_file(path, me, (size_t)n, O_TRUNC) != 0)
        return sim_err_set(err, SIM_EIO, "%s: cannot write: %s", path,
                           strerror(errno));
    return SIM_OK;
}

/* Takes the journal's lock: an exclusive flock on the marker, with this
 * process's PID in OWNER. A shard holds the marker shared (its own
 * segment's lock, seg_open, keeps a second process of the same shard
 * out), so shards run together and an unsharded run is kept out. */
static int take_lock(run_journal *j, sim_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", j->dir, MARKER);
    j->lock = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (j->lock < 0)
        return sim_err_set(err, SIM_EIO, "%s: cannot open: %s", path,
                           strerror(errno));
    int rc = lock_or_refuse(j, j->lock, j->shards ? LOCK_SH : LOCK_EX, OWNER,
                            err);
    if (rc == SIM_OK && !j->shards)
        rc = write_owner(j, OWNER, err);
    return rc;
}

/* The marker of a journal aims makes now or converts from the old format
 * (after its records are gone): written whole, then the directory synced. */
static int write_marker(run_journal *j, int flags, sim_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", j->dir, MARKER);
    if (put_file(path, MARKER_TEXT, sizeof MARKER_TEXT - 1, flags) != 0 ||
        fsync_dir(j->dir) != 0)
        return sim_err_set(err, SIM_EIO, "%s: cannot write: %s", path,
                           strerror(errno));
    return SIM_OK;
}

/* ---- the in-memory store ------------------------------------------------ */

static size_t ny_of(const run_journal *j)
{
    return j->n_metrics * j->reps;
}

/* Room for points [0, cap): status -1 (no record), no message. */
static bool store_grow(run_journal *j, size_t cap)
{
    size_t ny = ny_of(j);
    if (ny != 0 && cap > SIZE_MAX / sizeof(double) / ny)
        return false;
    signed char *st = realloc(j->status, cap + 1);
    if (st != NULL)
        j->status = st;
    char **msg = realloc(j->msg, (cap + 1) * sizeof *msg);
    if (msg != NULL)
        j->msg = msg;
    double *y = realloc(j->y, (cap * ny + 1) * sizeof *y);
    if (y != NULL)
        j->y = y;
    if (st == NULL || msg == NULL || y == NULL)
        return false;
    size_t old = j->cap;
    memset(st + old, -1, cap + 1 - old);
    memset(msg + old, 0, (cap + 1 - old) * sizeof *msg);
    j->cap = cap;
    return true;
}

static int store_alloc(run_journal *j, sim_err *err)
{
    j->cap = 0;
    if (!store_grow(j, j->points ? j->points : 1024))
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    return SIM_OK;
}

/* Keeps a record (the last one of a point wins). */
static bool store(run_journal *j, size_t point, int64_t status,
                  const char *msg, size_t len, const void *y)
{
    if (point >= j->cap &&
        (j->points != 0 ||
         !store_grow(j, point + 1 > 2 * j->cap ? point + 1 : 2 * j->cap)))
        return false; /* a fixed design holds no such point */
    char *m = NULL;
    if (len > 0) {
        if ((m = malloc(len + 1)) == NULL)
            return false;
        memcpy(m, msg, len);
        m[len] = '\0';
    }
    free(j->msg[point]);
    j->msg[point] = m;
    j->status[point] = (signed char)status;
    size_t ny = ny_of(j);
    if (ny)
        memcpy(j->y + point * ny, y, ny * sizeof *j->y);
    return true;
}

/* ---- the segment -------------------------------------------------------- */

static void seg_path(const run_journal *j, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", j->dir, j->seg_name);
}

static void header(const run_journal *j, unsigned char *h)
{
    uint64_t w[4] = {j->id, j->points, j->reps, j->n_metrics};
    memcpy(h, SEG_MAGIC, 8);
    memcpy(h + 8, w, sizeof w);
    uint64_t sum = fnv(FNV0, h, 40);
    memcpy(h + 40, &sum, 8);
}

/* A record into buf (REC_FIXED + len + 8 ny bytes); returns its size. */
static size_t encode(const run_journal *j, unsigned char *buf, size_t point,
                     int64_t status, const char *msg, size_t len,
                     const double *y)
{
    size_t ny = ny_of(j), size = REC_FIXED + len + ny * sizeof *y;
    uint32_t w32[2] = {REC_MAGIC, (uint32_t)size};
    uint64_t w64[2] = {point, (uint64_t)status};
    uint32_t l32[2] = {(uint32_t)len, 0};
    size_t at = 0;
    memcpy(buf + at, w32, 8);
    at += 8;
    memcpy(buf + at, w64, 16);
    at += 16;
    memcpy(buf + at, l32, 8);
    at += 8;
    if (len)
        memcpy(buf + at, msg, len);
    at += len;
    if (ny)
        memcpy(buf + at, y, ny * sizeof *y);
    at += ny * sizeof *y;
    uint64_t sum = fnv(j->id, buf, at);
    memcpy(buf + at, &sum, 8);
    return size;
}

/* Reads the segment of a journal being resumed into the store. Stops at
 * the first record that is short, has a bad magic or an impossible size (a
 * torn tail: j->end stays at the last whole record, where appending
 * resumes); skips a whole record whose checksum fails. A header of another
 * sweep is refused; a torn header counts as an empty segment. */
static int seg_read(run_journal *j, FILE *f, sim_err *err)
{
    unsigned char h[HEAD_SIZE], want[HEAD_SIZE];
    size_t n = fread(h, 1, sizeof h, f);
    if (n < sizeof h) {
        j->end = 0; /* torn while it was being made: start it again */
        return SIM_OK;
    }
    header(j, want);
    uint64_t sum;
    memcpy(&sum, h + 40, 8);
    if (memcmp(h, SEG_MAGIC, 8) != 0 || fnv(FNV0, h, 40) != sum) {
        j->end = 0;
        j->dropped++;
        return SIM_OK;
    }
    if (memcmp(h, want, sizeof h) != 0)
        return sim_err_set(err, SIM_EINPUT,
                           "%s: holds the finished points of another "
                           "version of this sweep (its sweep file, base "
                           "scenario, seed, metrics or shard have changed "
                           "since it started): restore them and --resume, "
                           "or --force to start again",
                           j->dir);
    j->end = HEAD_SIZE;
    size_t ny = ny_of(j), cap = REC_FIXED + MSG_MAX + ny * sizeof(double);
    unsigned char *buf = malloc(cap);
    if (buf == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    int rc = SIM_OK;
    for (;;) {
        if (fread(buf, 1, 8, f) != 8)
            break;
        uint32_t w32[2];
        memcpy(w32, buf, 8);
        size_t size = w32[1];
        if (w32[0] != REC_MAGIC || size < REC_FIXED + ny * sizeof(double) ||
            size > cap || fread(buf + 8, 1, size - 8, f) != size - 8) {
            j->dropped++; /* a torn tail: cut here */
            break;
        }
        uint64_t w64[2];
        uint32_t l32[2];
        memcpy(w64, buf + 8, 16);
        memcpy(l32, buf + 24, 8);
        memcpy(&sum, buf + size - 8, 8);
        size_t len = l32[0];
        j->end += size;
        if (fnv(j->id, buf, size - 8) != sum || (j->points && w64[0] >= j->points) ||
            w64[1] > 2 || len > MSG_MAX ||
            size != REC_FIXED + len + ny * sizeof(double)) {
            j->dropped++; /* whole but damaged: that point runs again */
            continue;
        }
        if (!store(j, (size_t)w64[0], (int64_t)w64[1],
                   (const char *)buf + 32, len, buf + 32 + len)) {
            rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
            break;
        }
    }
    free(buf);
    if (rc == SIM_OK && ferror(f))
        rc = sim_err_set(err, SIM_EIO, "%s/%s: cannot read: %s", j->dir,
                         j->seg_name, strerror(errno));
    return rc;
}

/* Opens the segment for appending: reads what a resumed journal holds,
 * cuts a torn tail, writes the header of a new one. */
static int seg_open(run_journal *j, bool resume, bool force, sim_err *err)
{
    char path[4096];
    seg_path(j, path, sizeof path);
    j->seg = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (j->seg < 0)
        return sim_err_set(err, SIM_EIO, "%s: cannot open: %s", path,
                           strerror(errno));
    j->end = 0;
    if (j->shards) { /* the shard's own lock, then what it left before */
        int rc = lock_or_refuse(j, j->seg, LOCK_EX, j->owner_name, err);
        struct stat st;
        if (rc == SIM_OK && fstat(j->seg, &st) != 0)
            rc = sim_err_set(err, SIM_EIO, "%s: %s", path, strerror(errno));
        if (rc == SIM_OK && st.st_size > 0 && !resume && !force)
            rc = sim_err_set(err, SIM_EINPUT,
                             "%s: an interrupted run of shard %u/%u left "
                             "its finished points here: --resume to finish "
                             "it, or --force to start this shard again",
                             path, j->shard, j->shards);
        if (rc == SIM_OK)
            rc = write_owner(j, j->owner_name, err);
        if (rc != SIM_OK)
            return rc;
    }
    if (resume) {
        int fd = dup(j->seg);
        FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
        if (f == NULL) {
            if (fd >= 0)
                close(fd);
            return sim_err_set(err, SIM_EIO, "%s: cannot read: %s", path,
                               strerror(errno));
        }
        int rc = seg_read(j, f, err);
        fclose(f);
        if (rc != SIM_OK)
            return rc;
    }
    struct stat st;
    if (fstat(j->seg, &st) != 0)
        return sim_err_set(err, SIM_EIO, "%s: %s", path, strerror(errno));
    if ((uint64_t)st.st_size != j->end &&
        (ftruncate(j->seg, (off_t)j->end) != 0 || fsync(j->seg) != 0))
        return sim_err_set(err, SIM_EIO, "%s: cannot cut its torn tail: %s",
                           path, strerror(errno));
    if (lseek(j->seg, (off_t)j->end, SEEK_SET) < 0)
        return sim_err_set(err, SIM_EIO, "%s: %s", path, strerror(errno));
    if (j->end == 0) {
        unsigned char h[HEAD_SIZE];
        header(j, h);
        if (!write_all(j->seg, h, sizeof h) || fsync(j->seg) != 0 ||
            fsync_dir(j->dir) != 0)
            return sim_err_set(err, SIM_EIO, "%s: cannot write: %s", path,
                               strerror(errno));
        j->end = HEAD_SIZE;
    }
    return SIM_OK;
}

/* Seconds on the monotonic clock. */
static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- the other shards' segments ----------------------------------------- */

/* Opens peer p once its file exists, and again when it was made anew (a
 * forced shard, another inode); a file that vanished (the journal
 * removed when the calibration ended) is still read through its open
 * descriptor. */
static void peer_open(const run_journal *j, run_journal_peer *p)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", j->dir, p->name);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    if (p->fd >= 0 &&
        ((uint64_t)st.st_dev == p->dev && (uint64_t)st.st_ino == p->ino))
        return;
    if (p->fd >= 0)
        close(p->fd);
    p->fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (p->fd >= 0 && fstat(p->fd, &st) != 0) {
        close(p->fd);
        p->fd = -1;
    }
    p->dev = p->fd >= 0 ? (uint64_t)st.st_dev : 0;
    p->ino = p->fd >= 0 ? (uint64_t)st.st_ino : 0;
    p->off = 0;
    p->head_ok = false;
}

/* Takes the whole records peer p has gained since the last call (buf: cap
 * bytes, room for the largest record). A segment cut back below what was
 * read (its shard resumed and cut a torn tail, or started again) is read
 * again from its start: its records are the same points' results. Stops,
 * to look again next time, at a record still being written; skips a whole
 * record that fails its checksum when more follow it (damaged: that point
 * is computed here instead). */
static size_t peer_read(run_journal *j, run_journal_peer *p,
                        unsigned char *buf, size_t cap)
{
    struct stat st;
    if (p->fd < 0 || fstat(p->fd, &st) != 0)
        return 0;
    uint64_t size = (uint64_t)st.st_size;
    if (size < p->off) {
        p->off = 0;
        p->head_ok = false;
    }
    if (!p->head_ok) {
        unsigned char h[HEAD_SIZE], want[HEAD_SIZE];
        header(j, want);
        /* Too short, torn, or of another version of this calibration:
         * not (yet) one of this journal's. */
        if (size < HEAD_SIZE ||
            pread(p->fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
            memcmp(h, want, sizeof h) != 0)
            return 0;
        p->head_ok = true;
        p->off = HEAD_SIZE;
    }
    size_t ny = ny_of(j), taken = 0;
    while (p->off + 8 <= size) {
        uint32_t w32[2];
        if (pread(p->fd, w32, 8, (off_t)p->off) != 8)
            break;
        size_t rs = w32[1];
        if (w32[0] != REC_MAGIC || rs < REC_FIXED + ny * sizeof(double) ||
            rs > cap || p->off + rs > size ||
            pread(p->fd, buf, rs, (off_t)p->off) != (ssize_t)rs)
            break; /* being written, or a torn tail its shard will cut */
        uint64_t w64[2], sum;
        uint32_t l32[2];
        memcpy(w64, buf + 8, 16);
        memcpy(l32, buf + 24, 8);
        memcpy(&sum, buf + rs - 8, 8);
        size_t len = l32[0];
        bool whole = fnv(j->id, buf, rs - 8) == sum && w64[1] <= 2 &&
                     len <= MSG_MAX &&
                     rs == REC_FIXED + len + ny * sizeof(double);
        if (!whole && p->off + rs == size)
            break; /* perhaps still being written: next time */
        p->off += rs;
        if (!whole)
            continue;
        pthread_mutex_lock(&j->mu);
        bool kept = store(j, (size_t)w64[0], (int64_t)w64[1],
                          (const char *)buf + 32, len, buf + 32 + len);
        pthread_mutex_unlock(&j->mu);
        if (!kept) { /* out of memory: the point is computed here */
            p->off -= rs;
            break;
        }
        taken++;
    }
    return taken;
}

size_t run_journal_follow(run_journal *j, double interval)
{
    if (j->shards == 0 || pthread_mutex_trylock(&j->follow_mu) != 0)
        return 0;
    size_t taken = 0;
    double t = now_s();
    if (interval <= 0 || t - j->followed_at >= interval) {
        j->followed_at = t;
        size_t cap = REC_FIXED + MSG_MAX + ny_of(j) * sizeof(double);
        unsigned char *buf = malloc(cap);
        for (unsigned i = 0; buf != NULL && i + 1 < j->shards; i++) {
            peer_open(j, &j->peers[i]);
            taken += peer_read(j, &j->peers[i], buf, cap);
        }
        free(buf);
    }
    pthread_mutex_unlock(&j->follow_mu);
    return taken;
}

bool run_journal_has(run_journal *j, size_t point)
{
    pthread_mutex_lock(&j->mu);
    bool has = j->status != NULL && point < j->cap && j->status[point] >= 0;
    pthread_mutex_unlock(&j->mu);
    return has;
}

/* ---- the interface ------------------------------------------------------ */

/* Makes the journal directory with its marker already in it: built as
 * DIR.tmp-PID and renamed into place, so another process (a shard
 * starting at the same moment) never sees it without the marker. Returns
 * 1 when made, 0 when someone else's is there now, -1 on an error (err
 * set). */
static int make_dir(run_journal *j, sim_err *err)
{
    size_t n = strlen(j->dir) + 32;
    char *tmp = malloc(n);
    if (tmp == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory"), -1;
    snprintf(tmp, n, "%s.tmp-%ld", j->dir, (long)getpid());
    char *dir = j->dir;
    int made = -1;
    if (mkdir(tmp, 0777) != 0) {
        sim_err_set(err, SIM_EIO, "%s: cannot create: %s", tmp,
                    strerror(errno));
        free(tmp);
        return -1;
    }
    j->dir = tmp;
    int rc = write_marker(j, O_EXCL, err);
    j->dir = dir;
    if (rc == SIM_OK && rename(tmp, dir) == 0 && fsync_dir_of(dir) == 0)
        made = 1;
    else if (rc == SIM_OK && (errno == EEXIST || errno == ENOTEMPTY))
        made = 0;
    else if (rc == SIM_OK)
        sim_err_set(err, SIM_EIO, "%s: cannot create: %s", dir,
                    strerror(errno));
    if (made != 1) { /* take the unused one away again */
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", tmp, MARKER);
        unlink(path);
        rmdir(tmp);
    }
    free(tmp);
    return made;
}

static int open_dir(run_journal *j, bool resume, bool force, sim_err *err)
{
    struct stat st;
    if (lstat(j->dir, &st) != 0) {
        if (errno != ENOENT)
            return sim_err_set(err, SIM_EIO, "%s: cannot use: %s", j->dir,
                               strerror(errno));
        if (j->batch == 0)
            return SIM_OK; /* no journal, and none to be confused with */
        int made = make_dir(j, err);
        if (made < 0)
            return err->status;
        if (made > 0)
            return take_lock(j, err);
        if (lstat(j->dir, &st) != 0)
            return sim_err_set(err, SIM_EIO, "%s: cannot create: %s", j->dir,
                               strerror(errno));
        /* Another sweep made it just now: look at it as at any other. */
    }
    if (S_ISLNK(st.st_mode))
        return sim_err_set(err, SIM_EINPUT,
                           "%s: is a symbolic link; a sweep keeps its journal "
                           "in a directory of its own: move the link away or "
                           "choose another -o",
                           j->dir);
    if (!S_ISDIR(st.st_mode))
        return sim_err_set(err, SIM_EINPUT,
                           "%s: exists and is not a sweep journal (a "
                           "directory): move it away or choose another -o",
                           j->dir);
    int version = journal_version(j->dir);
    if (version == 0)
        return sim_err_set(err, SIM_EINPUT,
                           "%s: a directory aims did not make (it has no %s "
                           "marker), so it is neither used nor emptied: move "
                           "it away or choose another -o",
                           j->dir, MARKER);
    if (j->batch == 0)
        return sim_err_set(err, SIM_EINPUT,
                           "%s: an interrupted sweep left its finished "
                           "points here, which --no-journal would neither "
                           "use nor keep: --resume without --no-journal, or "
                           "remove it",
                           j->dir);
    int rc = take_lock(j, err);
    if (rc != SIM_OK)
        return rc;
    if (j->shards) {
        /* A shard decides about its own segment only (seg_open); the
         * others' are theirs, and the old format has no shards' files. */
        if (version == 1)
            return sim_err_set(err, SIM_EINPUT,
                               "%s: a journal of an earlier aims (one file "
                               "per point), which shards do not share: "
                               "remove it, or run once without --shard and "
                               "--force",
                               j->dir);
        return SIM_OK;
    }
    if (version == 1 && !force)
        return sim_err_set(err, SIM_EINPUT,
                           "%s: a journal of an earlier aims (one file per "
                           "point), which this one does not read: finish "
                           "that sweep with the aims that started it, or "
                           "--force to start again",
                           j->dir);
    if (!resume && !force)
        return sim_err_set(err, SIM_EINPUT,
                           "%s: an interrupted sweep left its finished "
                           "points here: --resume to finish it, or "
                           "--force to start again",
                           j->dir);
    if (!resume || version == 1) {
        remove_ours(j->dir, false);
        if (version == 1 && (rc = write_marker(j, O_TRUNC, err)) != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

/* The longest a finished point waits for its sync, whatever the batch. */
static const double SYNC_SECONDS = 1.0;

/* The fields every journal starts with; the directory is OUT.journal. */
static int init(run_journal *j, const char *out, uint64_t id, size_t points,
                size_t reps, size_t n_metrics, size_t batch, sim_err *err)
{
    memset(j, 0, sizeof *j);
    j->lock = j->seg = -1;
    j->id = id;
    j->points = points;
    j->reps = reps;
    j->n_metrics = n_metrics;
    j->batch = batch;
    j->synced_at = now_s();
    snprintf(j->seg_name, sizeof j->seg_name, "%s", SEGMENT);
    snprintf(j->owner_name, sizeof j->owner_name, "%s", OWNER);
    j->mu_ok = pthread_mutex_init(&j->mu, NULL) == 0;
    if (j->mu_ok && pthread_mutex_init(&j->follow_mu, NULL) != 0) {
        pthread_mutex_destroy(&j->mu);
        j->mu_ok = false;
    }
    size_t n = strlen(out) + sizeof ".journal";
    if (!j->mu_ok || (j->dir = malloc(n)) == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    snprintf(j->dir, n, "%s.journal", out);
    return store_alloc(j, err);
}

int run_journal_open(run_journal *j, const char *out, uint64_t id,
                     size_t points, size_t reps, size_t n_metrics,
                     size_t batch, bool resume, bool force, sim_err *err)
{
    int rc = init(j, out, id, points, reps, n_metrics, batch, err);
    if (rc == SIM_OK)
        rc = open_dir(j, resume, force, err);
    if (rc == SIM_OK && batch > 0)
        rc = seg_open(j, resume, force, err);
    return rc;
}

int run_journal_open_shard(run_journal *j, const char *out, uint64_t id,
                           size_t reps, size_t n_metrics, size_t batch,
                           unsigned shard, unsigned shards, bool resume,
                           bool force, sim_err *err)
{
    int rc = init(j, out, id, 0, reps, n_metrics, batch, err);
    if (rc != SIM_OK)
        return rc;
    if (shards < 2 || shard >= shards || batch == 0)
        return sim_err_set(err, SIM_EINVAL,
                           "a shard journal needs shard < shards, shards >= "
                           "2 and a batch (got %u/%u, batch %zu)",
                           shard, shards, batch);
    j->shard = shard;
    j->shards = shards;
    snprintf(j->seg_name, sizeof j->seg_name, "points.%u-of-%u.seg", shard,
             shards);
    snprintf(j->owner_name, sizeof j->owner_name, "OWNER.%u-of-%u", shard,
             shards);
    if ((j->peers = calloc(shards - 1, sizeof *j->peers)) == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    for (unsigned k = 0, i = 0; k < shards; k++) {
        if (k == shard)
            continue;
        run_journal_peer *p = &j->peers[i++];
        p->fd = -1;
        snprintf(p->name, sizeof p->name, "points.%u-of-%u.seg", k, shards);
    }
    if ((rc = open_dir(j, resume, force, err)) == SIM_OK)
        rc = seg_open(j, resume, force, err);
    if (rc == SIM_OK)
        run_journal_follow(j, 0);
    return rc;
}

int run_journal_put(run_journal *j, size_t point, int64_t status,
                    const char *msg, const double *y, sim_err *err)
{
    size_t len = msg ? strlen(msg) : 0;
    if (len > MSG_MAX)
        len = MSG_MAX;
    unsigned char *buf = NULL;
    size_t size = 0;
    if (j->batch > 0) {
        if ((buf = malloc(REC_FIXED + len + ny_of(j) * sizeof *y)) == NULL)
            return sim_err_set(err, SIM_ENOMEM, "out of memory");
        size = encode(j, buf, point, status, msg, len, y);
    }
    int rc = SIM_OK;
    bool sync = false;
    pthread_mutex_lock(&j->mu);
    if (buf != NULL) {
        if (write_all(j->seg, buf, size)) {
            j->end += size;
            double t = now_s();
            sync = ++j->unsynced >= j->batch ||
                   t - j->synced_at >= SYNC_SECONDS;
            if (sync) {
                j->unsynced = 0;
                j->synced_at = t;
            }
        } else {
            int e = errno;
            /* Cut a partial record away, so later records (of a resumed
             * sweep) follow whole ones; if even that fails, --resume finds
             * the torn tail and cuts it. */
            if (ftruncate(j->seg, (off_t)j->end) == 0)
                (void)lseek(j->seg, (off_t)j->end, SEEK_SET);
            rc = sim_err_set(err, SIM_EIO, "%s/%s: cannot write: %s",
                             j->dir, j->seg_name, strerror(e));
        }
    }
    if (rc == SIM_OK && !store(j, point, status, msg, len, y))
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
    if (rc == SIM_OK)
        j->puts++;
    pthread_mutex_unlock(&j->mu);
    free(buf);
    /* Outside the lock: other threads append meanwhile, and one fdatasync
     * covers everything written before it (group commit). The point
     * counts as done when this returns. */
    if (rc == SIM_OK && sync && fdatasync(j->seg) != 0)
        rc = sim_err_set(err, SIM_EIO, "%s/%s: cannot sync: %s", j->dir,
                         j->seg_name, strerror(errno));
    return rc;
}

int run_journal_sync(run_journal *j, sim_err *err)
{
    if (j->seg < 0)
        return SIM_OK;
    pthread_mutex_lock(&j->mu);
    bool any = j->unsynced > 0;
    j->unsynced = 0;
    pthread_mutex_unlock(&j->mu);
    if (any && fdatasync(j->seg) != 0)
        return sim_err_set(err, SIM_EIO, "%s/%s: cannot sync: %s", j->dir,
                           j->seg_name, strerror(errno));
    return SIM_OK;
}

bool run_journal_get(run_journal *j, size_t point, int64_t *status,
                     char **msg, double *y)
{
    /* Under the lock: a put may grow the store of an open-ended journal. */
    if (j->mu_ok)
        pthread_mutex_lock(&j->mu);
    bool ok = j->status != NULL && point < j->cap && j->status[point] >= 0;
    if (ok) {
        const char *m = j->msg[point] ? j->msg[point] : "";
        ok = (*msg = strdup(m)) != NULL;
    }
    if (ok) {
        size_t ny = ny_of(j);
        if (ny)
            memcpy(y, j->y + point * ny, ny * sizeof *y);
        *status = j->status[point];
    }
    if (j->mu_ok)
        pthread_mutex_unlock(&j->mu);
    return ok;
}

bool run_journal_remove(run_journal *j)
{
    if (j->lock < 0)
        return true; /* memory only: there is no directory */
    if (j->seg >= 0)
        close(j->seg);
    j->seg = -1;
    remove_ours(j->dir, true);
    return rmdir(j->dir) == 0 || errno == ENOENT;
}

void run_journal_fini(run_journal *j)
{
    if (j->dir == NULL && !j->mu_ok)
        return; /* never opened: {0} has descriptors 0 */
    if (j->seg >= 0) {
        sim_err ignore = {0};
        run_journal_sync(j, &ignore);
        close(j->seg);
    }
    if (j->lock >= 0)
        close(j->lock);
    for (unsigned i = 0; j->peers != NULL && i + 1 < j->shards; i++)
        if (j->peers[i].fd >= 0)
            close(j->peers[i].fd);
    free(j->peers);
    if (j->msg != NULL)
        for (size_t p = 0; p < j->cap; p++)
            free(j->msg[p]);
    free(j->msg);
    free(j->status);
    free(j->y);
    free(j->dir);
    if (j->mu_ok) {
        pthread_mutex_destroy(&j->mu);
        pthread_mutex_destroy(&j->follow_mu);
    }
    memset(j, 0, sizeof *j);
    j->lock = j->seg = -1;
}
