/* scen.c -- scenario documents: loading with the pre-scan, --set overrides,
 * typed getters with file:line:key messages (see scen.h).
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
 *    numbers on every setting, which config_read_string would drop.
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
#include <sys/stat.h>

/* libconfig 1.5's include nesting limit: a top-level file and ten nested
 * @includes read; an eleventh gives "include file nesting too deep". */
#define INCLUDE_DEPTH_MAX 10

struct scen_doc {
    config_t cfg;
    char *path;   /* as given to scen_load */
    char *incdir; /* its directory ("." when it has none): the include dir */
    char **sets;  /* the applied --set assignments, owned; an overridden
                     setting's hook points at the one that set it last */
    size_t nsets, capsets;
};

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
        char idx[24];
        const char *name = config_setting_name(c);
        if (name == NULL) {
            snprintf(idx, sizeof idx, "[%d]", config_setting_index(c));
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
        snprintf(fl, sizeof fl, "--set %s", as);
    else
        file_line(s, fl, sizeof fl);
    setting_path(s, path, sizeof path);
    snprintf(buf, n, "%s%s%s", fl, path[0] != '\0' ? ": " : "", path);
}

/* The shortest %g form that reads back as v. */
static void fmt_double(char *buf, size_t n, double v)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (!isfinite(v) || strtod(buf, NULL) == v)
            return;
    }
}

/* What a setting holds, for "got ...": the value for scalars, the kind for
 * aggregates. */
static void describe(const config_setting_t *s, char *buf, size_t n)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        snprintf(buf, n, "%d", config_setting_get_int(s));
        break;
    case CONFIG_TYPE_INT64:
        snprintf(buf, n, "%lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        fmt_double(buf, n, config_setting_get_float(s));
        break;
    case CONFIG_TYPE_BOOL:
        snprintf(buf, n, "%s", config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_STRING: {
        const char *v = config_setting_get_string(s);
        snprintf(buf, n, "\"%.40s%s\"", v, strlen(v) > 40 ? "..." : "");
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

/* ---- did you mean ---------------------------------------------------------
 */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Optimal string alignment distance, case-insensitive (see scen.h). */
static size_t distance(const char *a, const char *b)
{
    enum { MAXLEN = 64 };
    size_t m = strlen(a), n = strlen(b);
    if (m > MAXLEN || n > MAXLEN)
        return SIZE_MAX;
    unsigned char d[MAXLEN + 1][MAXLEN + 1];
    for (size_t i = 0; i <= m; i++)
        d[i][0] = (unsigned char)i;
    for (size_t j = 0; j <= n; j++)
        d[0][j] = (unsigned char)j;
    for (size_t i = 1; i <= m; i++)
        for (size_t j = 1; j <= n; j++) {
            int cost = lower(a[i - 1]) != lower(b[j - 1]);
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = (unsigned char)v;
        }
    return d[m][n];
}

typedef struct {
    const char *bad;  /* the name to match */
    const char *best; /* closest candidate so far, or NULL */
    size_t dist;
} suggestion;

/* Keeps cand if it is closer than the best so far and close enough: at most
 * 2 edits and at most a third of the longer name, so "x" never suggests "y"
 * and "bass_qq" suggests "bass_q". The first of equally close names wins. */
static void consider(suggestion *sg, const char *cand)
{
    size_t d = distance(sg->bad, cand);
    if (d == SIZE_MAX || d > 2)
        return;
    size_t lb = strlen(sg->bad), lc = strlen(cand);
    if (3 * d > (lb > lc ? lb : lc))
        return;
    if (sg->best == NULL || d < sg->dist) {
        sg->best = cand;
        sg->dist = d;
    }
}

/* Appends "a, b, c" (the names) to buf, truncating with "..." when full. */
static void join_names(char *buf, size_t n, const char *const names[],
                       bool quoted)
{
    size_t k = strlen(buf);
    for (size_t i = 0; names[i] != NULL && k < n; i++) {
        int w = snprintf(buf + k, n - k, quoted ? "%s\"%s\"" : "%s%s",
                         i > 0 ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= n - k) {
            if (n > 4)
                memcpy(buf + n - 4, "...", 4);
            return;
        }
        k += (size_t)w;
    }
}

/* As join_names, for the member names of group g. */
static void join_members(char *buf, size_t n, const config_setting_t *g)
{
    size_t k = strlen(buf);
    int len = config_setting_length(g);
    for (int i = 0; i < len && k < n; i++) {
        const char *name = config_setting_name(config_setting_get_elem(g, i));
        int w = snprintf(buf + k, n - k, "%s%s", i > 0 ? ", " : "", name);
        if (w < 0 || (size_t)w >= n - k) {
            if (n > 4)
                memcpy(buf + n - 4, "...", 4);
            return;
        }
        k += (size_t)w;
    }
}

/* ---- reading files and the pre-scan -------------------------------------- */

/* Reads the whole file. Returns SIM_OK, SIM_ENOMEM, or SIM_EINPUT with
 * *eno set. */
static int read_all(const char *path, char **out, size_t *len, int *eno)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *eno = errno != 0 ? errno : EIO;
        return SIM_EINPUT;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return SIM_ENOMEM;
    }
    for (;;) {
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
        *eno = errno != 0 ? errno : EIO; /* a directory gives EISDIR here */
        free(buf);
        fclose(f);
        return SIM_EINPUT;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return SIM_OK;
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
    int eno = 0;
    struct stat st;
    rc = read_all(full, &text, &len, &eno);
    if (rc == SIM_OK && stat(full, &st) != 0) {
        eno = errno;
        free(text);
        text = NULL;
        rc = SIM_EINPUT;
    }
    if (rc == SIM_ENOMEM) {
        nomem(ps->err);
        goto done;
    }
    if (rc != SIM_OK) {
        sim_err_set(ps->err, SIM_EINPUT,
                    "%s:%u: cannot read @include \"%s\" (%s): %s", from,
                    it->line, inc, full, strerror(eno));
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
    scen__lex lx;
    scen__lex_item it;
    scen__lex_init(&lx, text, len);
    int kind;
    while ((kind = scen__lex_next(&lx, &it)) != SCEN__LEX_END) {
        if (kind == SCEN__LEX_INCLUDE) {
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
    int rc, eno = 0;
    if ((d->path = strdup(path)) == NULL ||
        (d->incdir = dir_of(path)) == NULL) {
        rc = nomem(err);
        goto fail;
    }
    struct stat st;
    rc = read_all(path, &text, &len, &eno);
    if (rc == SIM_OK && stat(path, &st) != 0) {
        eno = errno;
        rc = SIM_EINPUT;
    }
    if (rc == SIM_ENOMEM) {
        nomem(err);
        goto fail;
    }
    if (rc != SIM_OK) {
        sim_err_set(err, rc, "%s: cannot read: %s", path, strerror(eno));
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
            char file[256];
            file_shown(file, sizeof file, d, ef, is_top_name(d, ef));
            rc = sim_err_set(err, SIM_EINPUT, "%s:%d: %s", file,
                             config_error_line(&d->cfg),
                             config_error_text(&d->cfg));
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

const char *scen_file(const scen_doc *doc)
{
    return doc->path;
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

/* ---- paths ----------------------------------------------------------------
 */

static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static const char path_syntax[] =
    "expected keys separated by '.', with list elements as '.[N]' "
    "(e.g. enterprises.sectors.[0].bass_q)";

/* The setting at path, or NULL with the reason in why (when why is not NULL):
 * "no setting 'P' in FILE (...)" or "bad path 'P': ...". With suggest, a
 * misspelt key gets a did-you-mean, checked against the rest of the path. */
static config_setting_t *resolve(const scen_doc *d, const char *path, char *why,
                                 size_t n, bool suggest)
{
    config_setting_t *cur = config_root_setting(&d->cfg);
    const char *p = path;
    char dummy[8];
    if (why == NULL) {
        why = dummy;
        n = sizeof dummy;
    }
    why[0] = '\0';
    for (;;) {
        const char *c = p; /* this component; path up to c is resolved */
        int plen = c == path ? 0 : (int)(c - path - 1); /* resolved prefix */
        if (*p == '[') {
            unsigned long idx = 0;
            const char *q = ++p;
            while (*p >= '0' && *p <= '9' && p - q < 9)
                idx = idx * 10 + (unsigned long)(*p++ - '0');
            if (p == q || *p != ']') {
                snprintf(why, n, "bad path '%s': %s", path, path_syntax);
                return NULL;
            }
            p++;
            if (*p != '\0' && *p != '.') {
                snprintf(why, n, "bad path '%s': %s", path, path_syntax);
                return NULL;
            }
            int t = config_setting_type(cur);
            if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY) {
                if (plen == 0)
                    snprintf(why, n,
                             "no setting '%s' in %s (the top level is a "
                             "group; name one of its keys)",
                             path, d->path);
                else
                    snprintf(why, n, "no setting '%s' in %s ('%.*s' is %s)",
                             path, d->path, plen, path,
                             t == CONFIG_TYPE_GROUP
                                 ? "a group; name one of its keys"
                                 : "a single value");
                return NULL;
            }
            int len = config_setting_length(cur);
            if (idx >= (unsigned long)len) {
                if (len == 0)
                    snprintf(why, n, "no setting '%s' in %s ('%.*s' is empty)",
                             path, d->path, plen, path);
                else
                    snprintf(why, n,
                             "no setting '%s' in %s ('%.*s' has %d "
                             "element%s, [0] to [%d])",
                             path, d->path, plen, path, len,
                             len == 1 ? "" : "s", len - 1);
                return NULL;
            }
            cur = config_setting_get_elem(cur, (unsigned)idx);
        } else if (is_name_start(*p)) {
            while (is_name_char(*p))
                p++;
            if (*p == '[') {
                snprintf(why, n,
                         "bad path '%s': write list elements as '%.*s.%s'",
                         path, (int)(p - path), path, p);
                return NULL;
            }
            if (*p != '\0' && *p != '.') {
                snprintf(why, n, "bad path '%s': %s", path, path_syntax);
                return NULL;
            }
            int t = config_setting_type(cur);
            if (t != CONFIG_TYPE_GROUP) {
                if (t == CONFIG_TYPE_LIST || t == CONFIG_TYPE_ARRAY)
                    snprintf(why, n,
                             "no setting '%s' in %s ('%.*s' is a list; select "
                             "an element with '%.*s.[N]')",
                             path, d->path, plen, path, plen, path);
                else
                    snprintf(why, n,
                             "no setting '%s' in %s ('%.*s' is a single value)",
                             path, d->path, plen, path);
                return NULL;
            }
            char key[128];
            if (p - c >= (long)sizeof key) {
                snprintf(why, n, "no setting '%s' in %s", path, d->path);
                return NULL;
            }
            memcpy(key, c, (size_t)(p - c));
            key[p - c] = '\0';
            config_setting_t *m = config_setting_get_member(cur, key);
            if (m == NULL) {
                suggestion sg = {.bad = key};
                int len = config_setting_length(cur);
                for (int i = 0; suggest && i < len; i++)
                    consider(&sg, config_setting_name(
                                      config_setting_get_elem(cur, i)));
                if (sg.best != NULL) {
                    /* Suggest the whole corrected path if it exists, else
                     * the corrected prefix. */
                    char fixed[512];
                    snprintf(fixed, sizeof fixed, "%.*s%s%s", (int)(c - path),
                             path, sg.best, p);
                    bool whole = resolve(d, fixed, NULL, 0, false) != NULL;
                    snprintf(why, n,
                             "no setting '%s' in %s (did you mean '%.*s%s%s'?)",
                             path, d->path, (int)(c - path), path, sg.best,
                             whole ? p : "");
                } else {
                    int k = snprintf(why, n, "no setting '%s' in %s (", path,
                                     d->path);
                    if (k >= 0 && (size_t)k < n) {
                        if (plen == 0)
                            snprintf(why + k, n - (size_t)k,
                                     "the top-level keys are: ");
                        else
                            snprintf(why + k, n - (size_t)k,
                                     "the keys of '%.*s' are: ", plen, path);
                        join_members(why, n - 1, cur);
                        strcat(why, ")");
                    }
                }
                return NULL;
            }
            cur = m;
        } else {
            snprintf(why, n, "bad path '%s': %s", path, path_syntax);
            return NULL;
        }
        if (*p == '\0')
            return cur;
        p++; /* the '.' */
    }
}

const config_setting_t *scen_find(const scen_doc *doc, const char *path)
{
    if (path == NULL || path[0] == '\0')
        return NULL;
    return resolve(doc, path, NULL, 0, false);
}

int scen_lookup(const scen_doc *doc, const char *path, const char *context,
                const config_setting_t **out, sim_err *err)
{
    char why[400];
    const config_setting_t *s = NULL;
    if (path == NULL || path[0] == '\0')
        snprintf(why, sizeof why, "empty path (%s)", path_syntax);
    else
        s = resolve(doc, path, why, sizeof why, true);
    if (s == NULL)
        return sim_err_set(err, SIM_EINPUT, "%s%s%s",
                           context != NULL ? context : "",
                           context != NULL ? ": " : "", why);
    *out = s;
    return SIM_OK;
}

/* ---- overrides ------------------------------------------------------------
 */

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

static bool whole_int64(double v, int64_t *out)
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
                 !whole_int64(config_setting_get_float(val), &iv))
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
    describe(val, got, sizeof got);
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

int scen_set(scen_doc *doc, const char *as, sim_err *err)
{
    if (doc == NULL || as == NULL)
        return sim_err_set(err, SIM_EINVAL, "scen_set: no override given");
    const char *eq = strchr(as, '=');
    if (eq == NULL)
        return sim_err_set(err, SIM_EINPUT, "--set %s: expected PATH=VALUE",
                           as);
    int rc = SIM_OK;
    char *path = trimmed(as, (size_t)(eq - as));
    char *value = trimmed(eq + 1, strlen(eq + 1));
    char *text = NULL;
    config_t tmp;
    bool tmp_live = false;
    if (path == NULL || value == NULL) {
        rc = nomem(err);
        goto done;
    }
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
    char why[400];
    config_setting_t *target = resolve(doc, path, why, sizeof why, true);
    if (target == NULL) {
        rc = sim_err_set(err, SIM_EINPUT, "--set %s: %s", as, why);
        goto done;
    }
    if (!config_setting_is_scalar(target)) {
        char got[32];
        describe(target, got, sizeof got);
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
        if (kind != SCEN__LEX_INCLUDE) {
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
                         as, value, config_error_text(&tmp), value_kinds);
        goto done;
    }
    const config_setting_t *root = config_root_setting(&tmp);
    const config_setting_t *val = config_setting_get_member(root, "v");
    if (config_setting_length(root) != 1 || val == NULL ||
        !config_setting_is_scalar(val)) {
        rc = sim_err_set(err, SIM_EINPUT,
                         "--set %s: VALUE '%s' is not a single value "
                         "(expected %s)",
                         as, value, value_kinds);
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
    char *copy = strdup(as);
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

/* ---- getters --------------------------------------------------------------
 */

static void number_what(char *buf, size_t n, double lo, double hi)
{
    char a[32], b[32];
    fmt_double(a, sizeof a, lo);
    fmt_double(b, sizeof b, hi);
    if (isinf(lo) && isinf(hi))
        snprintf(buf, n, "a finite number");
    else if (isinf(hi))
        snprintf(buf, n, "a number >= %s", a);
    else if (isinf(lo))
        snprintf(buf, n, "a number <= %s", b);
    else
        snprintf(buf, n, "a number in [%s, %s]", a, b);
}

static void int_what(char *buf, size_t n, int64_t lo, int64_t hi)
{
    if (lo == INT64_MIN && hi == INT64_MAX)
        snprintf(buf, n, "an integer");
    else if (hi == INT64_MAX)
        snprintf(buf, n, "an integer >= %" PRId64, lo);
    else if (lo == INT64_MIN)
        snprintf(buf, n, "an integer <= %" PRId64, hi);
    else
        snprintf(buf, n, "an integer in [%" PRId64 ", %" PRId64 "]", lo, hi);
}

static void enum_what(char *buf, size_t n, const char *const allowed[])
{
    snprintf(buf, n, "one of ");
    join_names(buf, n, allowed, true);
}

static void list_what(char *buf, size_t n, size_t min, size_t max)
{
    if (min == 0 && max == SIZE_MAX)
        snprintf(buf, n, "a list");
    else if (max == SIZE_MAX)
        snprintf(buf, n, "a list of at least %zu element%s", min,
                 min == 1 ? "" : "s");
    else if (min == max)
        snprintf(buf, n, "a list of %zu element%s", min, min == 1 ? "" : "s");
    else
        snprintf(buf, n, "a list of %zu to %zu elements", min, max);
}

static int wrong(const config_setting_t *s, const char *what, sim_err *err)
{
    char got[80];
    describe(s, got, sizeof got);
    return scen_error(err, s, "expected %s, got %s", what, got);
}

static int missing(const config_setting_t *grp, const char *key,
                   const char *what, sim_err *err)
{
    return scen_error(err, grp, "missing '%s' (expected %s)", key, what);
}

static const config_setting_t *member(const config_setting_t *grp,
                                      const char *key)
{
    assert(grp != NULL && key != NULL);
    assert(config_setting_is_group(grp));
    return config_setting_get_member(grp, key);
}

bool scen_has(const config_setting_t *grp, const char *key)
{
    return member(grp, key) != NULL;
}

int scen_as_number(const config_setting_t *s, double lo, double hi, double *out,
                   sim_err *err)
{
    assert(!(lo > hi) && !isnan(lo) && !isnan(hi));
    char what[96];
    int t = config_setting_type(s);
    double v;
    if (t == CONFIG_TYPE_FLOAT)
        v = config_setting_get_float(s);
    else if (t == CONFIG_TYPE_INT64)
        v = (double)config_setting_get_int64(s);
    else if (t == CONFIG_TYPE_INT)
        v = config_setting_get_int(s);
    else {
        number_what(what, sizeof what, lo, hi);
        return wrong(s, what, err);
    }
    if (!isfinite(v) || !(v >= lo && v <= hi)) { /* NaN fails both */
        number_what(what, sizeof what, lo, hi);
        return wrong(s, what, err);
    }
    *out = v;
    return SIM_OK;
}

int scen_as_int(const config_setting_t *s, int64_t lo, int64_t hi, int64_t *out,
                sim_err *err)
{
    assert(lo <= hi);
    int t = config_setting_type(s);
    int64_t v = 0;
    bool ok = true;
    if (t == CONFIG_TYPE_INT)
        v = config_setting_get_int(s);
    else if (t == CONFIG_TYPE_INT64)
        v = config_setting_get_int64(s);
    else if (t == CONFIG_TYPE_FLOAT)
        ok = whole_int64(config_setting_get_float(s), &v);
    else
        ok = false;
    if (!ok || v < lo || v > hi) {
        char what[96];
        int_what(what, sizeof what, lo, hi);
        return wrong(s, what, err);
    }
    *out = v;
    return SIM_OK;
}

int scen_as_bool(const config_setting_t *s, bool *out, sim_err *err)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return wrong(s, "true or false", err);
    *out = config_setting_get_bool(s) != 0;
    return SIM_OK;
}

int scen_as_string(const config_setting_t *s, const char **out, sim_err *err)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING ||
        config_setting_get_string(s)[0] == '\0')
        return wrong(s, "a non-empty string", err);
    *out = config_setting_get_string(s);
    return SIM_OK;
}

int scen_as_enum(const config_setting_t *s, const char *const allowed[],
                 size_t *index, sim_err *err)
{
    assert(allowed != NULL && allowed[0] != NULL);
    char what[300];
    if (config_setting_type(s) == CONFIG_TYPE_STRING) {
        const char *v = config_setting_get_string(s);
        suggestion sg = {.bad = v};
        for (size_t i = 0; allowed[i] != NULL; i++) {
            if (strcmp(v, allowed[i]) == 0) {
                *index = i;
                return SIM_OK;
            }
            consider(&sg, allowed[i]);
        }
        if (sg.best != NULL) {
            char got[80];
            describe(s, got, sizeof got);
            enum_what(what, sizeof what, allowed);
            return scen_error(err, s,
                              "expected %s, got %s (did you mean \"%s\"?)",
                              what, got, sg.best);
        }
    }
    enum_what(what, sizeof what, allowed);
    return wrong(s, what, err);
}

int scen_as_group(const config_setting_t *s, sim_err *err)
{
    if (!config_setting_is_group(s))
        return wrong(s, "a group { ... }", err);
    return SIM_OK;
}

int scen_as_list(const config_setting_t *s, size_t min, size_t max, size_t *n,
                 sim_err *err)
{
    assert(min <= max);
    char what[96];
    list_what(what, sizeof what, min, max);
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY)
        return wrong(s, what, err);
    size_t len = (size_t)config_setting_length(s);
    if (len < min || len > max)
        return scen_error(err, s, "expected %s, got %zu element%s", what, len,
                          len == 1 ? "" : "s");
    *n = len;
    return SIM_OK;
}

int scen_get_number(const config_setting_t *grp, const char *key, double lo,
                    double hi, double *out, sim_err *err)
{
    const config_setting_t *s = member(grp, key);
    if (s == NULL) {
        char what[96];
        number_what(what, sizeof what, lo, hi);
        return missing(grp, key, what, err);
    }
    return scen_as_number(s, lo, hi, out, err);
}

int scen_get_prob(const config_setting_t *grp, const char *key, double *out,
                  sim_err *err)
{
    return scen_get_number(grp, key, 0.0, 1.0, out, err);
}

int scen_get_int(const config_setting_t *grp, const char *key, int64_t lo,
                 int64_t hi, int64_t *out, sim_err *err)
{
    const config_setting_t *s = member(grp, key);
    if (s == NULL) {
        char what[96];
        int_what(what, sizeof what, lo, hi);
        return missing(grp, key, what, err);
    }
    return scen_as_int(s, lo, hi, out, err);
}

int scen_get_bool(const config_setting_t *grp, const char *key, bool *out,
                  sim_err *err)
{
    const config_setting_t *s = member(grp, key);
    if (s == NULL)
        return missing(grp, key, "true or false", err);
    return scen_as_bool(s, out, err);
}

int scen_get_string(const config_setting_t *grp, const char *key,
                    const char **out, sim_err *err)
{
    const config_setting_t *s = member(grp, key);
    if (s == NULL)
        return missing(grp, key, "a non-empty string", err);
    return scen_as_string(s, out, err);
}

int scen_get_enum(const config_setting_t *grp, const char *key,
                  const char *const allowed[], size_t *index, sim_err *err)
{
    const config_setting_t *s = member(grp, key);
    if (s == NULL) {
        char what[300];
        enum_what(what, sizeof what, allowed);
        return missing(grp, key, what, err);
    }
    return scen_as_enum(s, allowed, index, err);
}

int scen_get_group(const config_setting_t *grp, const char *key,
                   const config_setting_t **out, sim_err *err)
{
    const config_setting_t *s = member(grp, key);
    if (s == NULL)
        return missing(grp, key, "a group { ... }", err);
    int rc = scen_as_group(s, err);
    if (rc == SIM_OK)
        *out = s;
    return rc;
}

int scen_get_list(const config_setting_t *grp, const char *key, size_t min,
                  size_t max, const config_setting_t **out, size_t *n,
                  sim_err *err)
{
    const config_setting_t *s = member(grp, key);
    if (s == NULL) {
        char what[96];
        list_what(what, sizeof what, min, max);
        return missing(grp, key, what, err);
    }
    int rc = scen_as_list(s, min, max, n, err);
    if (rc == SIM_OK)
        *out = s;
    return rc;
}

int scen_check_keys(const config_setting_t *grp, const char *const allowed[],
                    sim_err *err)
{
    assert(allowed != NULL);
    if (!config_setting_is_group(grp))
        return wrong(grp, "a group { ... }", err);
    int len = config_setting_length(grp);
    for (int i = 0; i < len; i++) {
        const config_setting_t *m = config_setting_get_elem(grp, i);
        const char *name = config_setting_name(m);
        suggestion sg = {.bad = name};
        bool known = false;
        for (size_t j = 0; allowed[j] != NULL && !known; j++) {
            known = strcmp(name, allowed[j]) == 0;
            consider(&sg, allowed[j]);
        }
        if (known)
            continue;
        if (sg.best != NULL)
            return scen_error(err, m, "unknown key (did you mean '%s'?)",
                              sg.best);
        char list[300] = "";
        join_names(list, sizeof list, allowed, false);
        return scen_error(err, m, "unknown key (expected one of: %s)", list);
    }
    return SIM_OK;
}
