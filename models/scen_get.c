/* scen_get.c -- finding the settings of a scenario document and reading them
 * as typed values (see scen.h): paths, the scen_get_* / scen_as_* getters,
 * scen_has, scen_check_keys.
 *
 * Split from scen.c, which loads documents and applies overrides; the two
 * share the document's struct and a few helpers through scen_internal.h
 * (scen__resolve, defined here, is also how --set finds its target).
 *
 * Every defect becomes one message through scen_error, so it names the
 * file, line and path of the setting (or of the group missing a key). A
 * misspelt key or enum value gets a did-you-mean: the closest candidate by
 * case-insensitive optimal string alignment distance, at most 2 edits and
 * a third of the longer name.
 */
#include "scen.h"
#include "scen_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
size_t scen_name_distance(const char *bad, const char *cand)
{
    size_t d = distance(bad, cand);
    if (d == SIZE_MAX || d > 2)
        return SIZE_MAX;
    size_t lb = strlen(bad), lc = strlen(cand);
    return 3 * d > (lb > lc ? lb : lc) ? SIZE_MAX : d;
}

static void consider(suggestion *sg, const char *cand)
{
    size_t d = scen_name_distance(sg->bad, cand);
    if (d == SIZE_MAX)
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
/* The element of list that is a group whose member id is the string
 * name[0..len), or NULL. */
static config_setting_t *by_id(config_setting_t *list, const char *name,
                               size_t len)
{
    int n = config_setting_length(list);
    for (int i = 0; i < n; i++) {
        config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        config_setting_t *id = config_setting_type(e) == CONFIG_TYPE_GROUP
                                   ? config_setting_get_member(e, "id")
                                   : NULL;
        const char *v = id != NULL && config_setting_type(id) ==
                                          CONFIG_TYPE_STRING
                            ? config_setting_get_string(id)
                            : NULL;
        if (v != NULL && strlen(v) == len && memcmp(v, name, len) == 0)
            return e;
    }
    return NULL;
}

/* The ids of list's elements, joined by ", " into buf; false if none has
 * one. */
static bool list_ids(const config_setting_t *list, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    int len = config_setting_length(list);
    for (int i = 0; i < len && at + 1 < n; i++) {
        config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        config_setting_t *id = config_setting_type(e) == CONFIG_TYPE_GROUP
                                   ? config_setting_get_member(e, "id")
                                   : NULL;
        if (id == NULL || config_setting_type(id) != CONFIG_TYPE_STRING)
            continue;
        int k = snprintf(buf + at, n - at, "%s%s", at ? ", " : "",
                         config_setting_get_string(id));
        at = k < 0 ? n : at + (size_t)k;
    }
    if (at >= n && n > 4)
        memcpy(buf + n - 4, "...", 4);
    return buf[0] != '\0';
}

config_setting_t *scen__resolve(const scen_doc *d, const char *path, char *why,
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
            if (t == CONFIG_TYPE_LIST) {
                /* A list of groups may be addressed by the elements' ids
                 * (timeline.openai_block.month), which, unlike an index,
                 * do not shift when an element is inserted before. */
                config_setting_t *e = by_id(cur, c, (size_t)(p - c));
                if (e != NULL) {
                    cur = e;
                    if (*p == '\0')
                        return cur;
                    p++;
                    continue;
                }
                char ids[256];
                if (list_ids(cur, ids, sizeof ids)) {
                    snprintf(why, n,
                             "no setting '%s' in %s (no element of '%.*s' "
                             "has id \"%.*s\"; their ids: %s; or select an "
                             "element with '%.*s.[N]')",
                             path, d->path, plen, path, (int)(p - c), c, ids,
                             plen, path);
                    return NULL;
                }
            }
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
                    bool whole =
                        scen__resolve(d, fixed, NULL, 0, false) != NULL;
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
                        /* Room for ')' was kept, unless a long path and
                         * key list filled the buffer: then close it at
                         * the end (found by fuzz_sweep). */
                        size_t end = strlen(why);
                        if (end + 1 >= n)
                            end = n - 2;
                        why[end] = ')';
                        why[end + 1] = '\0';
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
    return scen__resolve(doc, path, NULL, 0, false);
}

int scen_lookup(const scen_doc *doc, const char *path, const char *context,
                const config_setting_t **out, sim_err *err)
{
    char why[400];
    const config_setting_t *s = NULL;
    if (path == NULL || path[0] == '\0')
        snprintf(why, sizeof why, "empty path (%s)", path_syntax);
    else
        s = scen__resolve(doc, path, why, sizeof why, true);
    if (s == NULL)
        return sim_err_set(err, SIM_EINPUT, "%s%s%s",
                           context != NULL ? context : "",
                           context != NULL ? ": " : "", why);
    *out = s;
    return SIM_OK;
}

/* ---- getters --------------------------------------------------------------
 */

static void number_what(char *buf, size_t n, double lo, double hi)
{
    char a[32], b[32];
    scen_fmt_number(a, sizeof a, lo);
    scen_fmt_number(b, sizeof b, hi);
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

/* scen_note_ranges: records that s was accepted as what. */
static void note(const config_setting_t *s, const char *what)
{
    const config_setting_t *r = s;
    while (config_setting_parent(r) != NULL)
        r = config_setting_parent(r);
    scen_doc *d = config_setting_get_hook(r);
    if (d == NULL || !d->noting)
        return;
    if (d->nnotes == d->capnotes) {
        size_t cap = d->capnotes ? 2 * d->capnotes : 64;
        struct scen__note *n = realloc(d->notes, cap * sizeof *n);
        if (n == NULL)
            return; /* a range left out of a listing, nothing worse */
        d->notes = n;
        d->capnotes = cap;
    }
    d->notes[d->nnotes].s = s;
    snprintf(d->notes[d->nnotes].what, sizeof d->notes[0].what, "%s", what);
    d->nnotes++;
}

static int wrong(const config_setting_t *s, const char *what, sim_err *err)
{
    char got[80];
    scen_describe(s, got, sizeof got);
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
    number_what(what, sizeof what, lo, hi);
    if (!isfinite(v) || !(v >= lo && v <= hi)) /* NaN fails both */
        return wrong(s, what, err);
    note(s, what);
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
        ok = scen__whole_int64(config_setting_get_float(s), &v);
    else
        ok = false;
    if (!ok || v < lo || v > hi) {
        char what[96];
        int_what(what, sizeof what, lo, hi);
        /* A number past what an int64 holds (1e19) is above any ">= lo"
         * bound: name the upper one too, or the message contradicts
         * itself. */
        if (t == CONFIG_TYPE_FLOAT && !ok && hi == INT64_MAX &&
            lo != INT64_MIN && config_setting_get_float(s) >= 0x1p63)
            snprintf(what, sizeof what, "an integer in [%" PRId64 ", %" PRId64
                     "]", lo, hi);
        return wrong(s, what, err);
    }
    char what[96];
    int_what(what, sizeof what, lo, hi);
    note(s, what);
    *out = v;
    return SIM_OK;
}

int scen_as_bool(const config_setting_t *s, bool *out, sim_err *err)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return wrong(s, "true or false", err);
    note(s, "true or false");
    *out = config_setting_get_bool(s) != 0;
    return SIM_OK;
}

int scen_as_string(const config_setting_t *s, const char **out, sim_err *err)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING ||
        config_setting_get_string(s)[0] == '\0')
        return wrong(s, "a non-empty string", err);
    /* Every string of a scenario or sweep is a name or a date that ends up
     * in a report header, a table or a file name: a "\n" or "\t" in it
     * would split the line it is printed on. */
    const char *v = config_setting_get_string(s);
    for (const char *c = v; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
            return wrong(s, "a string without control characters (a tab "
                            "or newline would split the lines it is "
                            "printed on)",
                         err);
    note(s, "a string");
    *out = v;
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
                enum_what(what, sizeof what, allowed);
                note(s, what);
                *index = i;
                return SIM_OK;
            }
            consider(&sg, allowed[i]);
        }
        if (sg.best != NULL) {
            char got[80];
            scen_describe(s, got, sizeof got);
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
