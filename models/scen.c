/* scen.c -- scenario documents: loading with the pre-scan, --set overrides,
 * the file:line:key form of every message (see scen.h). Finding a setting by
 * path and reading it as a typed value live in scen_get.c; the document's
 * struct and the helpers both files use are in scen_internal.h.
 *
 * Invariant: every setting of a loaded document can find its document. The
 * top-level group's hook points at the scen_doc, so scen_error, given any
 * setting, walks up to the root and knows the file's name and the @include
 * directory without a global.
 *
 * Decisions a newcomer may question:
 *  - The file is read twice, once by us and once by config_read_file. Our read
 *    gives the errno libconfig hides ("file I/O error") and the text for the
 *    truncation pre-scan; letting libconfig read it keeps file names and line
 *    numbers on every setting, which config_read_string would drop. Hence
 *    only regular files are read: a pipe read once is empty the second time.
 *  - libconfig 1.5 records an included file under the name written in the
 *    @include (its settings say "inc.cfg", not "dir/inc.cfg"); messages join
 *    it to the include directory so the user can open the file named.
 *  - libconfig 1.5's setters convert silently and wrongly (set_int64 on an int
 *    setting stores 0 for a large value; set_float on an int truncates;
 *    set_int64 on a float goes through float precision). Overrides therefore
 *    only ever call the setter matching the setting's type, and widen an int
 *    to int64 by changing the setting's type field first (the struct is public
 *    in 1.5's header, and the value is a plain union member).
 */
#include "scen.h"
#include "scen_internal.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* libconfig 1.5's include nesting limit: a top-level file and ten nested
 * @includes read; an eleventh gives "include file nesting too deep". */
#define INCLUDE_DEPTH_MAX 10

static int nomem(sim_err *err)
{
    return sim_err_set(err, SIM_ENOMEM, "out of memory");
}

/* ---- names: files, paths, values ---------------------------------------- */

/* The file name to show for a file libconfig knows as name: the top-level
 * file as given, an included one joined to the include directory. */
static void file_shown(char *buf, size_t n, const scen_doc *d, const char *name,
                       bool top)
{
    if (d == NULL)
        snprintf(buf, n, "%s", name != NULL ? name : "?");
    else if (top || name == NULL)
        snprintf(buf, n, "%s", d->path);
    else if (strcmp(d->incdir, ".") == 0)
        snprintf(buf, n, "%s", name);
    else {
        size_t l = strlen(d->incdir);
        snprintf(buf, n, "%s%s%s", d->incdir,
                 l > 0 && d->incdir[l - 1] == '/' ? "" : "/", name);
    }
}

/* Whether libconfig's name for a file (a setting's or an error's) is the
 * top-level file: libconfig keeps one copy of each name and hands out
 * pointers to it, the top-level file's first. */
static bool is_top_name(const scen_doc *d, const char *name)
{
    if (d == NULL || name == NULL)
        return true;
    if (d->cfg.num_filenames > 0)
        return name == d->cfg.filenames[0];
    return strcmp(name, d->path) == 0;
}

static const scen_doc *doc_of(const config_setting_t *s)
{
    while (config_setting_parent(s) != NULL)
        s = config_setting_parent(s);
    return config_setting_get_hook(s);
}

/* s's path from the top level, e.g. "enterprises.sectors.[1].bass_q"; empty
 * for the top-level group. Built backwards so no recursion or allocation is
 * needed; a path too long for buf keeps its end, after "...". */
static void setting_path(const config_setting_t *s, char *buf, size_t n)
{
    assert(n >= 16);
    char *w = buf + n - 1;
    *w = '\0';
    for (const config_setting_t *c = s; config_setting_parent(c) != NULL;
         c = config_setting_parent(c)) {
        char idx[72];
        const char *name = config_setting_name(c);
        if (name == NULL) {
            snprintf(idx, sizeof idx, "[%d]", config_setting_index(c));
            name = idx;
        } else if (strlen(name) > 64) {
            /* An unknown key of 100,000 characters must still show: its
             * start is enough to find it. */
            snprintf(idx, sizeof idx, "%.60s...", name);
            name = idx;
        }
        size_t len = strlen(name), dot = *w != '\0';
        if ((size_t)(w - buf) < len + dot + 3) {
            memcpy(w - 3, "...", 3);
            w -= 3;
            break;
        }
        if (dot)
            *--w = '.';
        w -= len;
        memcpy(w, name, len);
    }
    memmove(buf, w, strlen(w) + 1);
}

/* "FILE:LINE" for s, leaving out a line of 0 (the top-level group's). */
static void file_line(const config_setting_t *s, char *buf, size_t n)
{
    const scen_doc *d = doc_of(s);
    const char *f = config_setting_source_file(s);
    char file[256];
    file_shown(file, sizeof file, d, f, is_top_name(d, f));
    unsigned line = config_setting_source_line(s);
    if (line > 0)
        snprintf(buf, n, "%s:%u", file, line);
    else
        snprintf(buf, n, "%s", file);
}

/* The --set assignment that last changed s, or NULL. (The top-level group's
 * hook is the document, and only single values are ever overridden.) */
static const char *set_by(const config_setting_t *s)
{
    if (config_setting_parent(s) == NULL)
        return NULL;
    return config_setting_get_hook(s);
}

/* "FILE:LINE: PATH" for s, leaving out an empty path; "--set A: PATH" when
 * the value came from override A, since the file's line does not hold it. */
static void where(const config_setting_t *s, char *buf, size_t n)
{
    char fl[300], path[256];
    const char *as = set_by(s);
    if (as != NULL)
        snprintf(fl, sizeof fl, "--set %.200s%s", as,
                 strlen(as) > 200 ? "..." : "");
    else
        file_line(s, fl, sizeof fl);
    setting_path(s, path, sizeof path);
    snprintf(buf, n, "%s%s%s", fl, path[0] != '\0' ? ": " : "", path);
}

/* The shortest %g form that reads back as v. */
void scen_fmt_number(char *buf, size_t n, double v)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (!isfinite(v) || strtod(buf, NULL) == v)
            return;
    }
}

void scen_fmt_assignment(char *buf, size_t n, const char *path, bool integer,
                         double v)
{
    if (integer) {
        long long k = llround(v);
        bool wide = k > 2147483647LL || k < -2147483647LL - 1;
        snprintf(buf, n, "%s=%lld%s", path, k, wide ? "L" : "");
        return;
    }
    char num[40];
    snprintf(num, sizeof num, "%.17g", v);
    /* libconfig reads "3" as an integer; a float setting accepts it, but
     * keep the value visibly a float. */
    if (strpbrk(num, ".eEn") == NULL)
        strcat(num, ".0");
    snprintf(buf, n, "%s=%s", path, num);
}

char *scen_path_beside(const char *file, const char *rel)
{
    const char *slash = rel[0] == '/' ? NULL : strrchr(file, '/');
    size_t dir = slash ? (size_t)(slash - file) + 1 : 0;
    char *p = malloc(dir + strlen(rel) + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, file, dir);
    strcpy(p + dir, rel);
    return p;
}

/* What a setting holds, for "got ...": the value for scalars, the kind for
 * aggregates. */
void scen_describe(const config_setting_t *s, char *buf, size_t n)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        snprintf(buf, n, "%d", config_setting_get_int(s));
        break;
    case CONFIG_TYPE_INT64:
        snprintf(buf, n, "%lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        scen_fmt_number(buf, n, config_setting_get_float(s));
        break;
    case CONFIG_TYPE_BOOL:
        snprintf(buf, n, "%s", config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_STRING: {
        /* Control characters escaped, so a message stays one line. */
        const char *v = config_setting_get_string(s);
        char shown[200];
        size_t k = 0, i = 0;
        for (; v[i] != '\0' && i < 40 && k + 5 < sizeof shown; i++) {
            unsigned char c = (unsigned char)v[i];
            if (c < 0x20 || c == 0x7f)
                k += (size_t)snprintf(shown + k, sizeof shown - k,
                                      c == '\n'   ? "\\n"
                                      : c == '\t' ? "\\t"
                                                  : "\\x%02x",
                                      c);
            else
                shown[k++] = (char)c;
        }
        shown[k] = '\0';
        snprintf(buf, n, "\"%s%s\"", shown, v[i] != '\0' ? "..." : "");
        break;
    }
    case CONFIG_TYPE_GROUP:
        snprintf(buf, n, "a group");
        break;
    case CONFIG_TYPE_LIST:
        snprintf(buf, n, "a list");
        break;
    case CONFIG_TYPE_ARRAY:
        snprintf(buf, n, "an array");
        break;
    default:
        snprintf(buf, n, "nothing");
        break;
    }
}

int scen_error(sim_err *err, const config_setting_t *s, const char *fmt, ...)
{
    assert(s != NULL);
    if (err == NULL || err->status != SIM_OK)
        return SIM_EINPUT;
    char head[600], body[512];
    where(s, head, sizeof head);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return sim_err_set(err, SIM_EINPUT, "%s: %s", head, body);
}

/* ---- reading files and the pre-scan -------------------------------------- */

/* No scenario is this large; reading stops here (and says "File too
 * large") rather than filling memory from a huge file. */
#define SCEN_FILE_MAX ((size_t)16 << 20)

/* Why a path that is not a regular file cannot be read, after "cannot
 * read: ". A FIFO would hang the read (no writer) or be used up by it, so
 * that libconfig, which reads the file again by name, parses nothing (`cat
 * x.cfg | aims validate /dev/stdin` said "missing 'scenario'", and a
 * piped @include was not checked at all); a device never ends (/dev/zero)
 * or blocks (a terminal). Only regular files are scenarios. */
static const char *not_regular(mode_t m)
{
    if (S_ISDIR(m))
        return strerror(EISDIR);
    if (S_ISFIFO(m))
        return "a pipe or FIFO, not a regular file (aims reads a scenario "
               "twice, by name): save it to a file and give that";
    if (S_ISCHR(m))
        return "a character device, not a regular file";
    if (S_ISBLK(m))
        return "a block device, not a regular file";
    if (S_ISSOCK(m))
        return "a socket, not a regular file";
    return "not a regular file";
}

/* Reads the whole of a regular file, and says which file it is (*st, for
 * the @include cycle check). The open does not wait (O_NONBLOCK: a FIFO
 * with no writer would block it for ever), and what was opened is then
 * checked, so a FIFO is refused without being read. Returns SIM_OK,
 * SIM_ENOMEM, or SIM_EINPUT with the reason in why (borrowed: static text
 * or strerror's). */
static int read_all(const char *path, char **out, size_t *len,
                    struct stat *st, const char **why)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno != 0 ? errno : EIO);
        return SIM_EINPUT;
    }
    if (fstat(fd, st) != 0) {
        *why = strerror(errno);
        close(fd);
        return SIM_EINPUT;
    }
    if (!S_ISREG(st->st_mode)) {
        *why = not_regular(st->st_mode);
        close(fd);
        return SIM_EINPUT;
    }
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        close(fd);
        return SIM_ENOMEM;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return SIM_ENOMEM;
    }
    for (;;) {
        if (n >= SCEN_FILE_MAX) { /* a log file, say: not a scenario */
            free(buf);
            fclose(f);
            *why = strerror(EFBIG);
            return SIM_EINPUT;
        }
        if (n == cap) {
            char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return SIM_ENOMEM;
            }
            buf = nb;
            cap *= 2;
        }
        errno = 0;
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        *why = strerror(errno != 0 ? errno : EIO);
        free(buf);
        fclose(f);
        return SIM_EINPUT;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return SIM_OK;
}

/* The first name on line `line` (1-based) of text: for messages where
 * libconfig gives only the line. Empty if there is none. */
static void key_on_line(const char *text, size_t len, int line, char *key,
                        size_t n)
{
    size_t i = 0;
    for (int l = 1; l < line && i < len; i++)
        if (text[i] == '\n')
            l++;
    while (i < len && (text[i] == ' ' || text[i] == '\t'))
        i++;
    size_t k = 0;
    while (i < len && k + 1 < n &&
           ((text[i] >= 'a' && text[i] <= 'z') ||
            (text[i] >= 'A' && text[i] <= 'Z') || text[i] == '_' ||
            text[i] == '*' || text[i] == '-' ||
            (k > 0 && text[i] >= '0' && text[i] <= '9')))
        key[k++] = text[i++];
    key[k] = '\0';
}

typedef struct {
    dev_t dev;
    ino_t ino;
} file_key;

/* State of the pre-scan over the file and its includes. */
typedef struct {
    const scen_doc *doc;
    file_key chain[INCLUDE_DEPTH_MAX + 1]; /* files being read, outermost
                                              first: for cycles and depth */
    int depth;
    sim_err *err;
    /* The first literal libconfig would store wrongly, reported only after
     * libconfig has parsed the file, so the message can name the key. */
    bool found;
    scen__lex_item lit; /* lit.text is not valid after the scan */
    char lit_text[48];  /* the literal (truncated) */
    char *lit_file;     /* libconfig's name for its file; owned */
    bool lit_top;
} prescan;

static int scan_text(prescan *ps, const char *text, size_t len,
                     const char *name, bool top);

/* The @include path between the quotes, with libconfig's two escapes. */
static char *include_path(const char *raw, size_t len)
{
    char *s = malloc(len + 1), *w = s;
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\\' && i + 1 < len &&
            (raw[i + 1] == '\\' || raw[i + 1] == '"'))
            i++;
        *w++ = raw[i];
    }
    *w = '\0';
    return s;
}

static int scan_include(prescan *ps, const char *name, bool top,
                        const scen__lex_item *it)
{
    const scen_doc *d = ps->doc;
    char from[256];
    file_shown(from, sizeof from, d, name, top);
    char *inc = include_path(it->text, it->len);
    if (inc == NULL)
        return nomem(ps->err);
    int rc = SIM_OK;
    char *full = NULL, *text = NULL;
    size_t len = 0;
    if (inc[0] == '/') {
        rc = sim_err_set(ps->err, SIM_EINPUT,
                         "%s:%u: @include \"%s\": absolute paths do not work: "
                         "libconfig 1.5 reads every @include relative to %s, "
                         "the directory of %s",
                         from, it->line, inc, d->incdir, d->path);
        goto done;
    }
    if (ps->depth > INCLUDE_DEPTH_MAX) {
        rc = sim_err_set(ps->err, SIM_EINPUT,
                         "%s:%u: @include \"%s\": includes nested more than %d "
                         "deep (libconfig's limit)",
                         from, it->line, inc, INCLUDE_DEPTH_MAX);
        goto done;
    }
    size_t fl = strlen(d->incdir) + 1 + strlen(inc) + 1;
    if ((full = malloc(fl)) == NULL) {
        rc = nomem(ps->err);
        goto done;
    }
    snprintf(full, fl, "%s/%s", d->incdir, inc);
    const char *why = NULL;
    struct stat st;
    rc = read_all(full, &text, &len, &st, &why);
    if (rc == SIM_ENOMEM) {
        nomem(ps->err);
        goto done;
    }
    if (rc != SIM_OK) {
        sim_err_set(ps->err, SIM_EINPUT,
                    "%s:%u: cannot read @include \"%s\" (%s): %s", from,
                    it->line, inc, full, why);
        goto done;
    }
    for (int i = 0; i < ps->depth; i++)
        if (ps->chain[i].dev == st.st_dev && ps->chain[i].ino == st.st_ino) {
            rc = sim_err_set(ps->err, SIM_EINPUT,
                             "%s:%u: @include \"%s\" is circular: %s is "
                             "already being read",
                             from, it->line, inc, full);
            goto done;
        }
    ps->chain[ps->depth].dev = st.st_dev;
    ps->chain[ps->depth].ino = st.st_ino;
    ps->depth++;
    rc = scan_text(ps, text, len, inc, false);
    ps->depth--;
done:
    free(text);
    free(full);
    free(inc);
    return rc;
}

static int scan_text(prescan *ps, const char *text, size_t len,
                     const char *name, bool top)
{
    /* libconfig stops a string at a NUL byte and says nothing: "ti\0ny"
     * would silently become "ti". No text file holds one. */
    const char *nul = memchr(text, '\0', len);
    if (nul != NULL) {
        int line = 1;
        for (const char *c = text; c < nul; c++)
            line += *c == '\n';
        char file[256];
        file_shown(file, sizeof file, ps->doc, name, top);
        return sim_err_set(ps->err, SIM_EINPUT,
                           "%s:%d: a NUL byte (this is not a text file)",
                           file, line);
    }
    char file[256];
    file_shown(file, sizeof file, ps->doc, name, top);
    /* Windows editors start a UTF-8 file with a byte-order mark, which
     * libconfig calls a bare "syntax error" on line 1. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        return sim_err_set(ps->err, SIM_EINPUT,
                           "%s:1: a byte-order mark (bytes EF BB BF) starts "
                           "the file: save it as UTF-8 without BOM",
                           file);
    /* libconfig's time grows with the square of a token's length (see
     * SCEN__TOKEN_MAX): refuse a long line before it sees one. */
    int line = 1;
    for (const char *c = text, *end = text + len; c < end; line++) {
        const char *nl = memchr(c, '\n', (size_t)(end - c));
        size_t n = (size_t)((nl != NULL ? nl : end) - c);
        if (n > SCEN__TOKEN_MAX)
            return sim_err_set(ps->err, SIM_EINPUT,
                               "%s:%d: a line of %zu bytes; at most %zu (is "
                               "this a scenario file?)",
                               file, line, n, SCEN__TOKEN_MAX);
        c += n + 1;
    }
    scen__lex lx;
    scen__lex_item it;
    scen__lex_init(&lx, text, len);
    int kind;
    while ((kind = scen__lex_next(&lx, &it)) != SCEN__LEX_END) {
        if (kind == SCEN__LEX_LONG) {
            return sim_err_set(ps->err, SIM_EINPUT,
                               "%s:%u: a string of %zu bytes; at most %zu "
                               "(is this a scenario file?)",
                               file, it.line, it.len, SCEN__TOKEN_MAX);
        } else if (kind == SCEN__LEX_INCLUDE) {
            int rc = scan_include(ps, name, top, &it);
            if (rc != SIM_OK)
                return rc;
        } else if (!ps->found) {
            if ((ps->lit_file = strdup(name)) == NULL)
                return nomem(ps->err);
            ps->found = true;
            ps->lit = it;
            ps->lit_top = top;
            snprintf(ps->lit_text, sizeof ps->lit_text, "%.*s",
                     (int)(it.len < 40 ? it.len : 40), it.text);
            if (it.len > 40)
                strcat(ps->lit_text, "...");
            ps->lit.text = NULL;
        }
    }
    return SIM_OK;
}

/* The fix for a literal libconfig would store wrongly, after "integer X ". */
static void literal_advice(char *buf, size_t n, const scen__lex_item *it,
                           const char *text)
{
    if (it->kind == SCEN__LEX_INT32 && !it->hex)
        snprintf(buf, n,
                 "integer %s does not fit in 32 bits and libconfig would "
                 "truncate it; write %sL (or %s.0)",
                 text, text, text);
    else if (it->kind == SCEN__LEX_INT32)
        snprintf(buf, n,
                 "integer %s does not fit in 32 bits and libconfig would "
                 "truncate it; write %sL",
                 text, text);
    else
        snprintf(buf, n,
                 "integer %s does not fit in 64 bits and libconfig would "
                 "store %" PRId64 "; write it as a float",
                 text, it->stored);
}

/* The setting the recorded literal became: same file, integer type and the
 * value libconfig stored; on the literal's line if possible, else the
 * nearest line above (a setting's line is where its name is). */
static void find_literal(const config_setting_t *s, const prescan *ps,
                         const config_setting_t **best)
{
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_GROUP || t == CONFIG_TYPE_LIST ||
        t == CONFIG_TYPE_ARRAY) {
        int n = config_setting_length(s);
        for (int i = 0; i < n; i++)
            find_literal(config_setting_get_elem(s, i), ps, best);
        return;
    }
    int want =
        ps->lit.kind == SCEN__LEX_INT32 ? CONFIG_TYPE_INT : CONFIG_TYPE_INT64;
    if (t != want)
        return;
    int64_t v = t == CONFIG_TYPE_INT ? config_setting_get_int(s)
                                     : config_setting_get_int64(s);
    const char *f = config_setting_source_file(s);
    unsigned line = config_setting_source_line(s);
    if (v != ps->lit.stored || f == NULL || line > ps->lit.line ||
        is_top_name(ps->doc, f) != ps->lit_top ||
        (!ps->lit_top && strcmp(f, ps->lit_file) != 0))
        return;
    if (*best == NULL || (config_setting_source_line(*best) < line &&
                          config_setting_source_line(*best) != ps->lit.line))
        *best = s;
}

static int report_literal(const prescan *ps, sim_err *err)
{
    char advice[300];
    literal_advice(advice, sizeof advice, &ps->lit, ps->lit_text);
    const config_setting_t *s = NULL;
    find_literal(config_root_setting(&ps->doc->cfg), ps, &s);
    if (s != NULL)
        return scen_error(err, s, "%s", advice);
    char file[256];
    file_shown(file, sizeof file, ps->doc, ps->lit_file, ps->lit_top);
    return sim_err_set(err, SIM_EINPUT, "%s:%u: %s", file, ps->lit.line,
                       advice);
}

/* ---- loading --------------------------------------------------------------
 */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

void scen_free(scen_doc *doc)
{
    if (doc == NULL)
        return;
    config_destroy(&doc->cfg);
    for (size_t i = 0; i < doc->nsets; i++)
        free(doc->sets[i]);
    free(doc->sets);
    free(doc->notes);
    free(doc->incdir);
    free(doc->path);
    free(doc);
}

int scen_load(const char *path, scen_doc **out, sim_err *err)
{
    if (path == NULL || out == NULL)
        return sim_err_set(err, SIM_EINVAL, "scen_load: no file given");
    scen_doc *d = calloc(1, sizeof *d);
    if (d == NULL)
        return nomem(err);
    config_init(&d->cfg);
    prescan ps = {.doc = d, .err = err};
    char *text = NULL;
    size_t len = 0;
    int rc;
    const char *why = NULL;
    if ((d->path = strdup(path)) == NULL ||
        (d->incdir = dir_of(path)) == NULL) {
        rc = nomem(err);
        goto fail;
    }
    struct stat st;
    rc = read_all(path, &text, &len, &st, &why);
    if (rc == SIM_ENOMEM) {
        nomem(err);
        goto fail;
    }
    if (rc != SIM_OK) {
        sim_err_set(err, rc, "%s: cannot read: %s", path, why);
        goto fail;
    }
    ps.chain[0].dev = st.st_dev;
    ps.chain[0].ino = st.st_ino;
    ps.depth = 1;
    if ((rc = scan_text(&ps, text, len, path, true)) != SIM_OK)
        goto fail;
    config_set_options(&d->cfg, CONFIG_OPTION_AUTOCONVERT);
    config_set_include_dir(&d->cfg, d->incdir);
    if (!config_read_file(&d->cfg, path)) {
        const char *ef = config_error_file(&d->cfg);
        if (config_error_type(&d->cfg) == CONFIG_ERR_FILE_IO) {
            rc = sim_err_set(err, SIM_EINPUT, "%s: cannot read: %s", path,
                             config_error_text(&d->cfg));
        } else {
            char file[256], key[64] = "";
            file_shown(file, sizeof file, d, ef, is_top_name(d, ef));
            int line = config_error_line(&d->cfg);
            const char *what = config_error_text(&d->cfg);
            /* libconfig does not say which key is doubled; the line does. */
            if (strcmp(what, "duplicate setting name") == 0 &&
                is_top_name(d, ef))
                key_on_line(text, len, line, key, sizeof key);
            if (key[0] != '\0')
                rc = sim_err_set(err, SIM_EINPUT,
                                 "%s:%d: %s: duplicate setting name (a key "
                                 "given twice in one group)",
                                 file, line, key);
            else
                rc = sim_err_set(err, SIM_EINPUT, "%s:%d: %s", file, line,
                                 what);
        }
        goto fail;
    }
    config_setting_set_hook(config_root_setting(&d->cfg), d);
    if (ps.found) {
        rc = report_literal(&ps, err);
        goto fail;
    }
    free(ps.lit_file);
    free(text);
    *out = d;
    return SIM_OK;
fail:
    free(ps.lit_file);
    free(text);
    scen_free(d);
    return rc;
}

int scen_load_text(const char *text, const char *name, scen_doc **out,
                   sim_err *err)
{
    if (text == NULL || name == NULL || out == NULL)
        return sim_err_set(err, SIM_EINVAL, "scen_load_text: no text given");
    scen_doc *d = calloc(1, sizeof *d);
    if (d == NULL)
        return nomem(err);
    config_init(&d->cfg);
    int rc = SIM_OK;
    if ((d->path = strdup(name)) == NULL || (d->incdir = strdup(".")) == NULL) {
        rc = nomem(err);
        goto fail;
    }
    config_set_options(&d->cfg, CONFIG_OPTION_AUTOCONVERT);
    if (!config_read_string(&d->cfg, text)) {
        rc = sim_err_set(err, SIM_EINPUT, "%s:%d: %s", name,
                         config_error_line(&d->cfg),
                         config_error_text(&d->cfg));
        goto fail;
    }
    config_setting_set_hook(config_root_setting(&d->cfg), d);
    *out = d;
    return SIM_OK;
fail:
    scen_free(d);
    return rc;
}

const char *scen_file(const scen_doc *doc)
{
    return doc->path;
}

bool scen_source(const scen_doc *doc, size_t i, char *buf, size_t n)
{
    if (i == 0) {
        snprintf(buf, n, "%s", doc->path);
        return true;
    }
    if (i >= doc->cfg.num_filenames)
        return false;
    file_shown(buf, n, doc, doc->cfg.filenames[i], false);
    return true;
}

const config_setting_t *scen_root(const scen_doc *doc)
{
    return config_root_setting(&doc->cfg);
}

int scen_text(const scen_doc *doc, char **out, sim_err *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL)
        return nomem(err);
    config_write(&doc->cfg, f);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad || buf == NULL) {
        free(buf);
        return nomem(err);
    }
    *out = buf;
    return SIM_OK;
}

/* ---- overrides ------------------------------------------------------------
 */

/* For messages: s, or its first CLIP_MAX bytes and "...". */
enum { CLIP_MAX = 200 };

static void clip(const char *s, char *buf, size_t n)
{
    assert(n >= CLIP_MAX + 4);
    snprintf(buf, n, "%.*s%s", (int)CLIP_MAX, s,
             strlen(s) > CLIP_MAX ? "..." : "");
}

static const char value_kinds[] =
    "a number, true or false, or a double-quoted string";

/* What a scalar setting of type t takes, for override messages. */
static const char *type_what(int t)
{
    switch (t) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "an integer";
    case CONFIG_TYPE_FLOAT:
        return "a number";
    case CONFIG_TYPE_BOOL:
        return "true or false";
    default:
        return "a double-quoted string";
    }
}

bool scen__whole_int64(double v, int64_t *out)
{
    /* [-2^63, 2^63) is exactly the doubles that convert without overflow. */
    if (!isfinite(v) || v != floor(v) || v < -0x1p63 || v >= 0x1p63)
        return false;
    *out = (int64_t)v;
    return true;
}

/* Stores the parsed scalar val into target. */
static int assign(const char *as, config_setting_t *target,
                  const config_setting_t *val, sim_err *err)
{
    int tt = config_setting_type(target), vt = config_setting_type(val);
    int ok = CONFIG_FALSE;
    bool vnum = vt == CONFIG_TYPE_INT || vt == CONFIG_TYPE_INT64 ||
                vt == CONFIG_TYPE_FLOAT;
    int64_t iv = 0;
    switch (tt) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        if (vt == CONFIG_TYPE_INT)
            iv = config_setting_get_int(val);
        else if (vt == CONFIG_TYPE_INT64)
            iv = config_setting_get_int64(val);
        else if (vt != CONFIG_TYPE_FLOAT ||
                 !scen__whole_int64(config_setting_get_float(val), &iv))
            break;
        if (tt == CONFIG_TYPE_INT && (iv < INT32_MIN || iv > INT32_MAX)) {
            const config_setting_t *par = config_setting_parent(target);
            if (config_setting_is_array(par)) {
                char arr[256];
                setting_path(par, arr, sizeof arr);
                return sim_err_set(err, SIM_EINPUT,
                                   "--set %s: expected an integer in "
                                   "[-2147483648, 2147483647] (the elements "
                                   "of array %s are 32-bit), got %" PRId64,
                                   as, arr, iv);
            }
            /* Widen: see the file comment on 1.5's setters. */
            target->type = CONFIG_TYPE_INT64;
            tt = CONFIG_TYPE_INT64;
        }
        ok = tt == CONFIG_TYPE_INT ? config_setting_set_int(target, (int)iv)
                                   : config_setting_set_int64(target, iv);
        break;
    case CONFIG_TYPE_FLOAT:
        if (vnum)
            ok = config_setting_set_float(
                target, vt == CONFIG_TYPE_FLOAT ? config_setting_get_float(val)
                        : vt == CONFIG_TYPE_INT64
                            ? (double)config_setting_get_int64(val)
                            : (double)config_setting_get_int(val));
        break;
    case CONFIG_TYPE_BOOL:
        if (vt == CONFIG_TYPE_BOOL)
            ok = config_setting_set_bool(target, config_setting_get_bool(val));
        break;
    case CONFIG_TYPE_STRING:
        if (vt == CONFIG_TYPE_STRING) {
            ok = config_setting_set_string(target,
                                           config_setting_get_string(val));
            if (!ok)
                return nomem(err);
        }
        break;
    default:
        break;
    }
    if (ok)
        return SIM_OK;
    char got[80], at[300], tp[256];
    scen_describe(val, got, sizeof got);
    file_line(target, at, sizeof at);
    setting_path(target, tp, sizeof tp);
    return sim_err_set(err, SIM_EINPUT,
                       "--set %s: expected %s (%s is one at %s), got %s", as,
                       type_what(tt), tp, at, got);
}

/* Copies [p, p+n) without surrounding blanks into a new string. */
static char *trimmed(const char *p, size_t n)
{
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

int scen_set(scen_doc *doc, const char *full, sim_err *err)
{
    if (doc == NULL || full == NULL)
        return sim_err_set(err, SIM_EINVAL, "scen_set: no override given");
    /* Messages show the assignment clipped, so that a long one cannot push
     * the reason out of the message. */
    char as[CLIP_MAX + 4], vshown[CLIP_MAX + 4];
    clip(full, as, sizeof as);
    const char *eq = strchr(full, '=');
    if (eq == NULL)
        return sim_err_set(err, SIM_EINPUT, "--set %s: expected PATH=VALUE",
                           as);
    int rc = SIM_OK;
    char *path = trimmed(full, (size_t)(eq - full));
    char *value = trimmed(eq + 1, strlen(eq + 1));
    char *text = NULL;
    config_t tmp;
    bool tmp_live = false;
    if (path == NULL || value == NULL) {
        rc = nomem(err);
        goto done;
    }
    clip(value, vshown, sizeof vshown);
    if (path[0] == '\0') {
        rc = sim_err_set(err, SIM_EINPUT, "--set %s: no PATH before '='", as);
        goto done;
    }
    if (value[0] == '\0') {
        rc = sim_err_set(err, SIM_EINPUT,
                         "--set %s: no VALUE after '=' (expected %s)", as,
                         value_kinds);
        goto done;
    }
    if (strlen(path) > 512) {
        rc = sim_err_set(err, SIM_EINPUT,
                         "--set %s: a PATH of %zu bytes (no setting has "
                         "one that long)",
                         as, strlen(path));
        goto done;
    }
    char why[400];
    config_setting_t *target = scen__resolve(doc, path, why, sizeof why, true);
    if (target == NULL) {
        rc = sim_err_set(err, SIM_EINPUT, "--set %s: %s", as, why);
        goto done;
    }
    if (!config_setting_is_scalar(target)) {
        char got[32];
        scen_describe(target, got, sizeof got);
        rc = sim_err_set(err, SIM_EINPUT,
                         "--set %s: '%s' is %s; --set replaces single "
                         "values only (name one inside it)",
                         as, path, got);
        goto done;
    }
    for (const char *c = value; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t') {
            rc = sim_err_set(err, SIM_EINPUT,
                             "--set %s: VALUE holds a control character "
                             "(expected %s)",
                             as, value_kinds);
            goto done;
        }
    /* The truncation rule, on the value's own text. */
    scen__lex lx;
    scen__lex_item it;
    scen__lex_init(&lx, value, strlen(value));
    int kind;
    while ((kind = scen__lex_next(&lx, &it)) != SCEN__LEX_END)
        if (kind == SCEN__LEX_LONG) {
            rc = sim_err_set(err, SIM_EINPUT,
                             "--set %s: VALUE holds a string of %zu "
                             "bytes; at most %zu",
                             as, it.len, SCEN__TOKEN_MAX);
            goto done;
        } else if (kind != SCEN__LEX_INCLUDE) {
            char lit[48], advice[300];
            snprintf(lit, sizeof lit, "%.*s", (int)(it.len < 40 ? it.len : 40),
                     it.text);
            literal_advice(advice, sizeof advice, &it, lit);
            rc = sim_err_set(err, SIM_EINPUT, "--set %s: %s", as, advice);
            goto done;
        }
    /* Parse VALUE as libconfig would parse it in a file. The value holds no
     * newline, so it cannot start an @include line. */
    size_t tl = strlen(value) + 5;
    if ((text = malloc(tl)) == NULL) {
        rc = nomem(err);
        goto done;
    }
    snprintf(text, tl, "v = %s", value);
    config_init(&tmp);
    tmp_live = true;
    if (!config_read_string(&tmp, text)) {
        rc = sim_err_set(err, SIM_EINPUT,
                         "--set %s: cannot read VALUE '%s': %s (expected %s)",
                         as, vshown, config_error_text(&tmp), value_kinds);
        goto done;
    }
    const config_setting_t *root = config_root_setting(&tmp);
    const config_setting_t *val = config_setting_get_member(root, "v");
    if (config_setting_length(root) != 1 || val == NULL ||
        !config_setting_is_scalar(val)) {
        rc = sim_err_set(err, SIM_EINPUT,
                         "--set %s: VALUE '%s' is not a single value "
                         "(expected %s)",
                         as, vshown, value_kinds);
        goto done;
    }
    /* Room to remember the assignment first, so that running out of memory
     * cannot leave the document changed. */
    if (doc->nsets == doc->capsets) {
        size_t cap = doc->capsets ? 2 * doc->capsets : 8;
        char **ns = realloc(doc->sets, cap * sizeof *ns);
        if (ns == NULL) {
            rc = nomem(err);
            goto done;
        }
        doc->sets = ns;
        doc->capsets = cap;
    }
    char *copy = strdup(full);
    if (copy == NULL) {
        rc = nomem(err);
        goto done;
    }
    rc = assign(as, target, val, err);
    if (rc != SIM_OK) {
        free(copy);
        goto done;
    }
    doc->sets[doc->nsets++] = copy;
    config_setting_set_hook(target, copy);
done:
    if (tmp_live)
        config_destroy(&tmp);
    free(text);
    free(value);
    free(path);
    return rc;
}

void scen_note_ranges(scen_doc *doc)
{
    doc->noting = true;
}

const char *scen_range(const scen_doc *doc, const config_setting_t *s)
{
    const char *what = NULL; /* the last getter's word wins */
    for (size_t i = 0; i < doc->nnotes; i++)
        if (doc->notes[i].s == s)
            what = doc->notes[i].what;
    return what;
}
