/* journal.c -- durable records of finished sweep points (see journal.h). */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

int cli_journal_open(cli_journal *j, const char *out, uint64_t id,
                     size_t reps, size_t n_metrics, bool resume, bool force,
                     sim_err *err)
{
    memset(j, 0, sizeof *j);
    size_t n = strlen(out) + sizeof ".journal";
    if ((j->dir = malloc(n)) == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    snprintf(j->dir, n, "%s.journal", out);
    j->id = id;
    j->reps = reps;
    j->n_metrics = n_metrics;
    struct stat st;
    if (stat(j->dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return sim_err_set(err, SIM_EINPUT,
                               "%s: exists and is not a sweep journal "
                               "(a directory); remove it",
                               j->dir);
        if (!resume && !force)
            return sim_err_set(err, SIM_EINPUT,
                               "%s: an interrupted sweep left its finished "
                               "points here: --resume to finish it, or "
                               "--force to start again",
                               j->dir);
        if (!resume)
            empty_dir(j->dir);
        return SIM_OK;
    }
    if (mkdir(j->dir, 0777) != 0)
        return sim_err_set(err, SIM_EIO, "%s: cannot create: %s", j->dir,
                           strerror(errno));
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
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
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

void cli_journal_remove(const cli_journal *j)
{
    empty_dir(j->dir);
    rmdir(j->dir);
}

void cli_journal_fini(cli_journal *j)
{
    free(j->dir);
    memset(j, 0, sizeof *j);
}
