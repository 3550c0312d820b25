/* sweep_base.c -- one base scenario for all the shards of a sweep
 * (run_sweep_base_*).
 *
 * Within one `aims sweep` the base is read once and every point is built
 * from that text (sweep_point.c), and under mpirun rank 0 broadcasts it.
 * Shards are separate processes, often started hours apart by a Slurm
 * array: if the base file is edited in between, later shards would read
 * the new text and the parts would mix two bases. So the first shard to
 * start leaves the base as it read it next to its output, in
 *
 *     OUTDIR/NAME.HASH.base.cfg
 *
 * (NAME the sweep's name, HASH the sweep file's text hashed: another
 * version of the sweep file gets its own), a libconfig file with a comment
 * header that can be diffed against the base or run. Every later shard
 * compares the base it read with that file and refuses, naming the base
 * file and the stamp, when they differ. Shards that write into different
 * directories are not compared; `aims merge` still refuses parts whose
 * sweeps differ.
 *
 * The stamp is made with link(2) from a synced temporary, so two shards
 * starting at once agree on one stamp; the loser compares with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "sweep_run.h"
#include "sweepfile.h"

static void stamp_path(const char *out, const swp_spec *s, char *buf,
                       size_t n)
{
    const char *parts[1] = {s->text};
    unsigned long long h = (unsigned long long)run_journal_id(parts, 1);
    const char *slash = strrchr(out, '/');
    int dl = slash ? (int)(slash - out) + 1 : 0;
    snprintf(buf, n, "%.*s%s.%016llx.base.cfg", dl, out, s->name, h);
}

/* What the stamp holds: a comment header, then the base's exact text. */
static char *stamp_text(const swp_spec *s, const char *base_text,
                        size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL)
        return NULL;
    fprintf(f,
            "# aims sweep: the base scenario of sweep '%s' (%s), from %s,\n"
            "# as the first of its shards read it. Every shard of this "
            "sweep that writes\n"
            "# into this directory must read the same; delete this file "
            "to start the\n"
            "# sweep again on a changed base (and rerun every shard with "
            "--force).\n",
            s->name, s->file, s->scenario);
    fputs(base_text, f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    *len = size;
    return buf;
}

/* The stamp's bytes, or NULL when there is none (errno ENOENT) or it
 * cannot be read. */
static char *read_stamp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (buf = malloc((size_t)st.st_size + 1)) != NULL) {
        ssize_t k = read(fd, buf, (size_t)st.st_size + 1);
        if (k != (ssize_t)st.st_size) {
            free(buf);
            buf = NULL;
            errno = EIO;
        } else {
            *len = (size_t)k;
        }
    }
    close(fd);
    return buf;
}

static int compare(const char *path, const char *want, size_t n,
                   const swp_spec *s, bool *found, sim_err *err)
{
    size_t len = 0;
    char *have = read_stamp(path, &len);
    if (have == NULL) {
        if (errno == ENOENT) {
            *found = false;
            return SIM_OK;
        }
        return sim_err_set(err, SIM_EIO, "%s: cannot read: %s", path,
                           strerror(errno));
    }
    *found = true;
    bool same = len == n && memcmp(have, want, n) == 0;
    free(have);
    if (same)
        return SIM_OK;
    return sim_err_set(err, SIM_EINPUT,
                       "%s: the base scenario has changed since the first "
                       "shard of sweep '%s' read it (%s holds the text "
                       "then); shards of one sweep must share one base: "
                       "restore %s, or delete %s and rerun every shard "
                       "with --force",
                       s->scenario, s->name, path, s->scenario, path);
}

int run_sweep_base_check(const char *out, const swp_spec *s,
                         const char *base_text, bool make, sim_err *err)
{
    char path[4096], tmp[4200];
    stamp_path(out, s, path, sizeof path);
    size_t n = 0;
    char *want = stamp_text(s, base_text, &n);
    if (want == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    bool found = false;
    int rc = compare(path, want, n, s, &found, err);
    if (rc != SIM_OK || found || !make)
        goto done;
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0666);
    bool ok = fd >= 0;
    for (size_t w = 0; ok && w < n;) {
        ssize_t k = write(fd, want + w, n - w);
        if (k < 0 && errno == EINTR)
            continue;
        ok = k > 0;
        if (ok)
            w += (size_t)k;
    }
    ok = ok && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && link(tmp, path) != 0) {
        if (errno == EEXIST) /* another shard was quicker: compare */
            rc = compare(path, want, n, s, &found, err);
        else
            ok = false;
    }
    if (!ok)
        rc = sim_err_set(err, SIM_EIO, "%s: cannot write: %s", path,
                         strerror(errno));
    if (fd >= 0)
        unlink(tmp);
done:
    free(want);
    return rc;
}
