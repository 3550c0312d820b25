/* output.c -- the one rule for every path a command writes (cli_output_*).
 *
 * run, sweep, merge and sensitivity (and any command that comes to write a
 * file) vet their output path here, before anything is computed, so that
 * nothing of the user's is ever destroyed by it:
 *
 *  - only a regular file is ever replaced, and only with --force. The final
 *    rename of the writer would replace whatever the name holds: a device
 *    node (as root, `-o /dev/null --force` destroyed /dev/null), a FIFO, a
 *    socket. The last component is looked at with lstat: a symbolic link
 *    there, dangling or not, is refused rather than replaced or written
 *    through (where it points is the user's business, and "the file I
 *    named" is ambiguous). Links among the directories above it are
 *    followed, as by every other tool;
 *  - never an input of the same command, even with --force: the scenario
 *    and its @includes, a sweep's file and base scenario, merge's parts.
 *    Files are compared by device and inode, so another name for the same
 *    file (a hard link, a path through a symbolic link) is caught too;
 *  - the directory must exist and be writable, checked before a long run
 *    spends its time.
 *
 * The analysis layer's writer checks the same at its start and again just
 * before its rename (ana_h5w_place): a FIFO that appears in between is not
 * replaced either.
 *
 * Readers of outside files run in a child process (cli_guarded, util.c).
 * Such a child never writes the output: it writes a hidden staging file
 * beside it (cli_output_staged) and tells the parent, which renames it into
 * place only after reaping the child with exit status 0. A child that
 * outlives its parent (it cannot: PR_SET_PDEATHSIG) would leave at most
 * that hidden file, which the next writer of the same output removes
 * (ana_h5w_remove_stale).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "h5w.h"

const char *cli_file_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a pipe or FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISLNK(m))
        return "a symbolic link";
    return "not a regular file";
}

/* The directory path lives in, into buf: "." for "x", "/" for "/x". */
static void dir_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(buf, n, ".");
    else if (slash == path)
        snprintf(buf, n, "/");
    else
        snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

/* The directory must exist and take a new file. */
static bool dir_usable(const char *path)
{
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    struct stat st;
    int e = 0;
    if (stat(dir, &st) != 0)
        e = errno;
    else if (!S_ISDIR(st.st_mode))
        e = ENOTDIR;
    /* access() answers for the real uid: root passes it on any local
     * directory, but not on a read-only mount. */
    else if (access(dir, W_OK | X_OK) != 0)
        e = errno;
    if (e != 0) {
        cli_error("%s: cannot create: %s", path, strerror(e));
        return false;
    }
    return true;
}

static void say_link(const char *path, const char *what)
{
    char to[1024];
    ssize_t k = readlink(path, to, sizeof to - 1);
    to[k > 0 ? k : 0] = '\0';
    cli_error("%s: is a symbolic link (to %s); %s: give the path of the "
              "file itself",
              path, k > 0 ? to : "?", what);
}

/* Removes what writers killed earlier left beside path, and says so. */
static void clean_stale(const char *path)
{
    size_t k = ana_h5w_remove_stale(path);
    if (k > 0)
        cli_error("%s: removed %zu hidden temporar%s that an aims killed "
                  "while writing it left behind",
                  path, k, k == 1 ? "y" : "ies");
}

bool cli_output_ok(const char *path, bool force, const char *const *inputs,
                   size_t n_inputs)
{
    if (path == NULL || path[0] == '\0') {
        cli_error("the output path is empty (-o '')");
        return false;
    }
    size_t len = strlen(path);
    if (path[len - 1] == '/') {
        cli_error("%s: names a directory; give a file name", path);
        return false;
    }
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) {
            cli_error("%s: cannot create: %s", path, strerror(errno));
            return false;
        }
        if (!dir_usable(path))
            return false;
        clean_stale(path);
        return true;
    }
    if (S_ISLNK(st.st_mode)) {
        say_link(path, "aims neither writes through a link nor replaces one");
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error("%s: is %s, not a regular file: aims writes only regular "
                  "files, and does not replace anything else, even with "
                  "--force",
                  path, cli_file_kind(st.st_mode));
        return false;
    }
    for (size_t i = 0; i < n_inputs; i++) {
        struct stat in;
        if (inputs[i] != NULL && stat(inputs[i], &in) == 0 &&
            in.st_dev == st.st_dev && in.st_ino == st.st_ino) {
            char same[1100] = "";
            if (strcmp(inputs[i], path) != 0)
                snprintf(same, sizeof same, " (the same file as %s)",
                         inputs[i]);
            cli_error("%s: is an input of this command%s: it is not "
                      "replaced, even with --force; write the output "
                      "elsewhere",
                      path, same);
            return false;
        }
    }
    if (!force) {
        cli_error("%s: exists (use --force to overwrite)", path);
        return false;
    }
    if (!dir_usable(path))
        return false;
    clean_stale(path);
    return true;
}

bool cli_output_in_place(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return true; /* the reader says what is wrong with it */
    if (S_ISLNK(st.st_mode)) {
        say_link(path, "the results are written into the file read, and "
                       "aims does not replace a link");
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error("%s: is %s, not a regular file", path,
                  cli_file_kind(st.st_mode));
        return false;
    }
    if (!dir_usable(path))
        return false;
    clean_stale(path);
    return true;
}

/* ---- staging in a guarded child ------------------------------------------
 * The record a child sends its parent: 'F' (replace) or 'N', the output
 * path, NUL, the staging path, NUL. */

static int stage_fd = -1;

void cli_output_stage_to(int fd)
{
    stage_fd = fd;
}

const char *cli_output_staged(const char *out, bool force, char *buf,
                              size_t n, bool *use_force)
{
    *use_force = force;
    if (stage_fd < 0)
        return out;
    const char *slash = strrchr(out, '/');
    const char *base = slash ? slash + 1 : out;
    int k = snprintf(buf, n, "%.*s.%s.tmp.%ld.stage",
                     slash ? (int)(slash - out + 1) : 0, out, base,
                     (long)getppid());
    size_t lo = strlen(out) + 1, ls = (size_t)k + 1;
    char *rec = malloc(1 + lo + ls);
    if (k < 0 || (size_t)k >= n || rec == NULL) {
        free(rec);
        cli_error("%s: out of memory", out);
        return NULL;
    }
    rec[0] = force ? 'F' : 'N';
    memcpy(rec + 1, out, lo);
    memcpy(rec + 1 + lo, buf, ls);
    size_t size = 1 + lo + ls, at = 0;
    while (at < size) {
        ssize_t w = write(stage_fd, rec + at, size - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        at += (size_t)w;
    }
    free(rec);
    if (at < size) {
        cli_error("%s: cannot tell the parent process where the output is",
                  out);
        return NULL;
    }
    *use_force = false; /* the staging name is ours alone */
    return buf;
}

static void fsync_dir_of(const char *path)
{
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* Removes the staging file named in a record, if it is a regular file. */
static void drop_stage(const char *stage)
{
    struct stat st;
    if (lstat(stage, &st) == 0 && S_ISREG(st.st_mode))
        unlink(stage);
}

int cli_output_finish(const char *rec, size_t n, int child_status)
{
    if (n < 3 || (rec[0] != 'F' && rec[0] != 'N') || rec[n - 1] != '\0')
        return child_status; /* nothing staged (or nothing sensible) */
    const char *out = rec + 1;
    size_t lo = strlen(out) + 1;
    if (1 + lo >= n)
        return child_status;
    const char *stage = out + lo;
    if (child_status != CLI_OK) {
        drop_stage(stage);
        ana_h5w_remove_stale(out); /* the dead child's own temporary */
        return child_status;
    }
    sim_err err = {0};
    int rc = ana_h5w_place(stage, out, rec[0] == 'F', &err);
    if (rc != SIM_OK) {
        cli_error("%s", err.msg);
        drop_stage(stage);
        return rc == SIM_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    fsync_dir_of(out);
    return CLI_OK;
}
