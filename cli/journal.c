/* journal.c -- durable records of finished sweep points (see journal.h). */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MAGIC[8] = {'A', 'I', 'M', 'S', 'P', 'T', '1', '\n'};

enum { MSG_MAX = 4096 }; /* bytes of a point's message kept */

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

uint64_t cli_journal_id(const char *const *parts, size_t n)
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

/* The marker that makes a directory a journal, and what it says. */
static const char MARKER[] = "AIMS-JOURNAL", OWNER[] = "OWNER";
static const char MARKER_TEXT[] = "aims sweep journal 1\n";

/* A name aims gives a file in a journal: "pNNNNNNNNN" (a record),
 * ".tmp-pNNNNNNNNN" (its temporary), the marker or OWNER. */
static bool ours(const char *name)
{
    if (strcmp(name, MARKER) == 0 || strcmp(name, OWNER) == 0)
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

/* Unlinks the regular files aims made in dir: records and their
 * temporaries, and with all, the marker and OWNER too. Anything else (a
 * file of the user's, a symbolic link, a directory) stays. */
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

/* Writes all of buf to a new or truncated file (never through a link). */
static int put_file(const char *path, const char *buf, size_t n, int flags)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | flags,
                  0666);
    if (fd < 0)
        return -1;
    int rc = 0;
    for (size_t w = 0; rc == 0 && w < n;) {
        ssize_t k = write(fd, buf + w, n - w);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            rc = -1;
        else
            w += (size_t)k;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

/* Whether dir holds the marker aims wrote when it made it. */
static bool is_journal(const char *dir)
{
    char path[4096], buf[sizeof MARKER_TEXT];
    snprintf(path, sizeof path, "%s/%s", dir, MARKER);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                    ? read(fd, buf, sizeof buf)
                    : -1;
    close(fd);
    return n == (ssize_t)sizeof MARKER_TEXT - 1 &&
           memcmp(buf, MARKER_TEXT, sizeof MARKER_TEXT - 1) == 0;
}

/* Takes the journal's lock (an exclusive flock on the marker) and writes
 * this process's PID into OWNER; a lock another process holds is refused
 * with its PID. */
static int take_lock(cli_journal *j, sim_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", j->dir, MARKER);
    j->lock = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (j->lock < 0)
        return sim_err_set(err, SIM_EIO, "%s: cannot open: %s", path,
                           strerror(errno));
    snprintf(path, sizeof path, "%s/%s", j->dir, OWNER);
    if (flock(j->lock, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char pid[32] = "";
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        ssize_t k = fd >= 0 ? read(fd, pid, sizeof pid - 1) : -1;
        if (fd >= 0)
            close(fd);
        pid[k > 0 ? k : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        if (e == EWOULDBLOCK)
            return sim_err_set(err, SIM_EINPUT,
                               "%s: in use by another aims sweep (PID %s): "
                               "wait for it to finish, or stop it",
                               j->dir, pid[0] ? pid : "unknown");
        return sim_err_set(err, SIM_EIO, "%s: cannot lock: %s", j->dir,
                           strerror(e));
    }
    char me[32];
    int n = snprintf(me, sizeof me, "%ld\n", (long)getpid());
    if (put_file(path, me, (size_t)n, O_TRUNC) != 0)
        return sim_err_set(err, SIM_EIO, "%s: cannot write: %s", path,
                           strerror(errno));
    return SIM_OK;
}

/* A new journal: the directory was just made; the marker goes in first. */
static int make_journal(cli_journal *j, sim_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", j->dir, MARKER);
    if (put_file(path, MARKER_TEXT, sizeof MARKER_TEXT - 1, O_EXCL) != 0 ||
        fsync_dir(j->dir) != 0)
        return sim_err_set(err, SIM_EIO, "%s: cannot write: %s", path,
                           strerror(errno));
    return take_lock(j, err);
}

int cli_journal_open(cli_journal *j, const char *out, uint64_t id,
                     size_t reps, size_t n_metrics, bool resume, bool force,
                     sim_err *err)
{
    memset(j, 0, sizeof *j);
    j->lock = -1;
    size_t n = strlen(out) + sizeof ".journal";
    if ((j->dir = malloc(n)) == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    snprintf(j->dir, n, "%s.journal", out);
    j->id = id;
    j->reps = reps;
    j->n_metrics = n_metrics;
    struct stat st;
    if (lstat(j->dir, &st) != 0) {
        if (errno != ENOENT)
            return sim_err_set(err, SIM_EIO, "%s: cannot use: %s", j->dir,
                               strerror(errno));
        if (mkdir(j->dir, 0777) == 0)
            return make_journal(j, err);
        if (errno != EEXIST || lstat(j->dir, &st) != 0)
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
    if (!is_journal(j->dir))
        return sim_err_set(err, SIM_EINPUT,
                           "%s: a directory aims did not make (it has no %s "
                           "marker), so it is neither used nor emptied: move "
                           "it away or choose another -o",
                           j->dir, MARKER);
    int rc = take_lock(j, err);
    if (rc != SIM_OK)
        return rc;
    if (!resume && !force)
        return sim_err_set(err, SIM_EINPUT,
                           "%s: an interrupted sweep left its finished "
                           "points here: --resume to finish it, or "
                           "--force to start again",
                           j->dir);
    if (!resume)
        remove_ours(j->dir, false);
    return SIM_OK;
}

static void record_path(const cli_journal *j, size_t point, bool tmp,
                        char *buf, size_t n)
{
    snprintf(buf, n, "%s/%sp%09zu", j->dir, tmp ? ".tmp-" : "", point);
}

int cli_journal_put(const cli_journal *j, size_t point, int64_t status,
                    const char *msg, const double *y, sim_err *err)
{
    size_t len = msg ? strlen(msg) : 0;
    if (len > MSG_MAX)
        len = MSG_MAX;
    size_t ny = j->n_metrics * j->reps;
    uint64_t head[6] = {j->id, point, (uint64_t)status, j->reps,
                        j->n_metrics, len};
    size_t size = sizeof MAGIC + sizeof head + len + ny * sizeof *y + 8;
    unsigned char *buf = malloc(size);
    if (buf == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    size_t at = 0;
    memcpy(buf + at, MAGIC, sizeof MAGIC);
    at += sizeof MAGIC;
    memcpy(buf + at, head, sizeof head);
    at += sizeof head;
    if (len)
        memcpy(buf + at, msg, len);
    at += len;
    if (ny)
        memcpy(buf + at, y, ny * sizeof *y);
    at += ny * sizeof *y;
    uint64_t sum = fnv(FNV0, buf, at);
    memcpy(buf + at, &sum, 8);
    char tmp[4096], path[4096];
    record_path(j, point, true, tmp, sizeof tmp);
    record_path(j, point, false, path, sizeof path);
    int rc = SIM_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                  0666);
    if (fd < 0) {
        rc = sim_err_set(err, SIM_EIO, "%s: cannot create: %s", tmp,
                         strerror(errno));
        goto done;
    }
    for (size_t w = 0; w < size;) {
        ssize_t k = write(fd, buf + w, size - w);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = sim_err_set(err, SIM_EIO, "%s: cannot write: %s", tmp,
                             k < 0 ? strerror(errno) : "short write");
            break;
        }
        w += (size_t)k;
    }
    if (rc == SIM_OK && fsync(fd) != 0)
        rc = sim_err_set(err, SIM_EIO, "%s: cannot sync: %s", tmp,
                         strerror(errno));
    if (close(fd) != 0 && rc == SIM_OK)
        rc = sim_err_set(err, SIM_EIO, "%s: cannot close: %s", tmp,
                         strerror(errno));
    if (rc == SIM_OK && rename(tmp, path) != 0)
        rc = sim_err_set(err, SIM_EIO, "%s: cannot rename: %s", path,
                         strerror(errno));
    if (rc != SIM_OK)
        unlink(tmp);
    else if (fsync_dir(j->dir) != 0)
        rc = sim_err_set(err, SIM_EIO, "%s: cannot sync: %s", j->dir,
                         strerror(errno));
done:
    free(buf);
    return rc;
}

bool cli_journal_get(const cli_journal *j, size_t point, int64_t *status,
                     char **msg, double *y)
{
    char path[4096];
    record_path(j, point, false, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t ny = j->n_metrics * j->reps;
    size_t cap = sizeof MAGIC + 6 * 8 + MSG_MAX + ny * sizeof *y + 8 + 1;
    unsigned char *buf = malloc(cap);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    fclose(f);
    bool ok = false;
    uint64_t head[6], sum;
    if (buf == NULL || n < sizeof MAGIC + sizeof head + 8 ||
        memcmp(buf, MAGIC, sizeof MAGIC) != 0)
        goto done;
    memcpy(head, buf + sizeof MAGIC, sizeof head);
    size_t len = (size_t)head[5];
    if (head[0] != j->id || head[1] != point || head[3] != j->reps ||
        head[4] != j->n_metrics || len > MSG_MAX || head[2] > 2 ||
        n != sizeof MAGIC + sizeof head + len + ny * sizeof *y + 8)
        goto done;
    memcpy(&sum, buf + n - 8, 8);
    if (fnv(FNV0, buf, n - 8) != sum)
        goto done;
    const unsigned char *p = buf + sizeof MAGIC + sizeof head;
    char *m = malloc(len + 1);
    if (m == NULL)
        goto done;
    memcpy(m, p, len);
    m[len] = '\0';
    memcpy(y, p + len, ny * sizeof *y);
    *status = (int64_t)head[2];
    *msg = m;
    ok = true;
done:
    free(buf);
    return ok;
}

bool cli_journal_remove(const cli_journal *j)
{
    remove_ours(j->dir, true);
    return rmdir(j->dir) == 0 || errno == ENOENT;
}

void cli_journal_fini(cli_journal *j)
{
    if (j->dir != NULL && j->lock >= 0)
        close(j->lock);
    free(j->dir);
    memset(j, 0, sizeof *j);
    j->lock = -1;
}
