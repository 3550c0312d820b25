/* scen.h -- scenario files: load, override, check and read typed values.
 *
 * The generic input layer under the market model's schema. A scen_doc is one
 * libconfig 1.5 file (with its @includes) after the command line's --set
 * overrides; the model's loader walks it with the getters below, which turn
 * every defect into one message of the house form
 *
 *     FILE:LINE: PATH: expected WHAT, got VALUE
 *
 * (STYLE.md section 5). Every function that can fail returns SIM_OK or a
 * negative status and records the first error in a caller-owned sim_err:
 * SIM_EINPUT for bad input (including an unreadable file), SIM_ENOMEM when an
 * allocation fails, SIM_EINVAL for a misuse the caller could have avoided
 * (a NULL path). Nothing here prints or exits.
 *
 * Paths. A setting is named by its keys from the top level, joined by '.';
 * an element of a list ( ... ) or array [ ... ] is written ".[N]", N from 0:
 *
 *     enterprises.count          enterprises.sectors.[1].bass_q
 *     timeline.[0]               rates.[2]
 *
 * This is libconfig's own syntax (config_lookup in 1.5 finds every path
 * above), and messages print paths the same way, so a path copied from a
 * message can be given to --set. Keys follow libconfig's rule for names,
 * [A-Za-z*][-A-Za-z0-9_*]*. The other spellings config_lookup tolerates ('/'
 * or ':' as separators, "a..b", "l.[1]x") are refused, and "l[1]" is refused
 * with a hint to write "l.[1]".
 *
 * Traps of libconfig 1.5 this layer closes (recipes/toolchain.md section 3):
 * an integer literal without L that does not fit in 32 bits is stored
 * truncated, so the raw text (and every --set value) is scanned first and
 * such a literal is refused with the fix; AUTOCONVERT is on, so a getter
 * accepts 5 where it wants a number, and checks ranges itself; "nan" is a
 * syntax error, but 1e999 parses as infinity, so the number getters refuse
 * non-finite values. @include paths are resolved, as libconfig 1.5 does,
 * against the directory of the top-level file (also inside included files);
 * absolute @include paths therefore cannot work and are refused.
 */
#ifndef SCEN_H
#define SCEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "err.h"

typedef struct scen_doc scen_doc; /* opaque: one parsed file plus overrides */

/* Reads the scenario file at path (borrowed). Order of checks: the file must
 * be readable ("FILE: cannot read: <strerror>"); its text and that of every
 * @include must be readable ("FILE:LINE: cannot read @include "x" (PATH):
 * <strerror>"), not circular, not nested more than 10 deep (libconfig's
 * limit) and free of truncating integer literals; then libconfig parses it
 * ("FILE:LINE: <libconfig's text>", e.g. "syntax error"). On success sets
 * *out (free it with scen_free); on failure leaves *out alone. */
int scen_load(const char *path, scen_doc **out, sim_err *err);

/* A document from text that scen_text_exact wrote (borrowed; no @include,
 * every integer already of the width it needs, so the file checks of
 * scen_load are not repeated). name (borrowed) stands for the file in
 * messages, "NAME:LINE: ...", LINE counting lines of text: a sweep names
 * the base file and says the text is the base as read at its start. On
 * success sets *out (free it with scen_free); a syntax error gives
 * SIM_EINPUT. Parsing from memory is what lets a sweep read its base once
 * and give every point, rank and shard the same one. */
int scen_load_text(const char *text, const char *name, scen_doc **out,
                   sim_err *err);

/* The resolved document as libconfig text from which scen_load_text
 * rebuilds exactly the same values (floats with 17 significant digits,
 * unlike scen_text's 15; scen_write.c). The caller owns *out (free()). */
int scen_text_exact(const scen_doc *doc, char **out, sim_err *err);

/* Frees the document and every setting and string it handed out. NULL is a
 * no-op. */
void scen_free(scen_doc *doc);

/* The path given to scen_load. Borrowed, valid until scen_free. */
const char *scen_file(const scen_doc *doc);

/* The i-th file the document was read from, as a path: 0 is the top-level
 * file as given, then each @include joined to the include directory. Writes
 * it into buf and returns true, or returns false when i is past the last.
 * For a writer that must not overwrite its own inputs. */
bool scen_source(const scen_doc *doc, size_t i, char *buf, size_t n);

/* The top-level group. Borrowed, valid until scen_free; pass it to the
 * getters. */
const config_setting_t *scen_root(const scen_doc *doc);

/* The setting at path (syntax above), or NULL if there is none or the path is
 * malformed. Borrowed, valid until scen_free. */
const config_setting_t *scen_find(const scen_doc *doc, const char *path);

/* As scen_find, but a missing setting is an error: "CONTEXT: no setting
 * 'a.b' in FILE (did you mean 'a.c'?)", with "CONTEXT: " left out when
 * context is NULL (a sweep loader passes its own "FILE:LINE: key"). */
int scen_lookup(const scen_doc *doc, const char *path, const char *context,
                const config_setting_t **out, sim_err *err);

/* Applies one override "PATH=VALUE" (spaces around PATH and VALUE ignored),
 * as `aims run --set PATH=VALUE` gives it. PATH must name an existing single
 * value: an override cannot add keys or replace a group or list. VALUE is a
 * libconfig scalar: an integer (42, -7, 0x1F), a 64-bit integer (5000000000L),
 * a float (0.35, 1e6), true or false, or a double-quoted string ("cn"; quote
 * it for the shell too). Its type must suit the setting: a number for a
 * float; an integer, or a float with no fractional part, for an integer (a
 * 32-bit setting becomes 64-bit if the value needs it, except inside an array,
 * whose elements share one type); the same type for a bool or string. The
 * 32-bit truncation rule applies to VALUE as to files. Overrides apply in
 * call order, so a later one on the same path wins. Errors start with
 * "--set PATH=VALUE: ". On failure the document is unchanged. The document
 * remembers the assignment: a getter's later complaint about the value (out of
 * range, say) starts "--set PATH=VALUE: PATH: " instead of naming a file line
 * that does not hold it. */
int scen_set(scen_doc *doc, const char *assignment, sim_err *err);

/* The resolved scenario (includes expanded, overrides applied) as libconfig
 * text, for the provenance attribute of output files. Sets *out to a
 * NUL-terminated string the caller owns (free()). The text is what libconfig
 * 1.5's config_write produces: comments are gone and floats are written with
 * 15 significant digits, so a value given with more digits appears rounded
 * (the model itself uses the exact value). */
int scen_text(const scen_doc *doc, char **out, sim_err *err);

/* Ranges for `aims params`: after scen_note_ranges(doc), every getter
 * below that accepts a setting of doc records what it accepted it as ("a
 * number in [0, 1]", "one of \"a\", \"b\""); scen_range gives that text
 * for setting s, or NULL when no getter read it. The ranges therefore are
 * the model loader's own checks and cannot drift from them. Off by
 * default: recording is for one loader on one thread. */
void scen_note_ranges(scen_doc *doc);
const char *scen_range(const scen_doc *doc, const config_setting_t *s);

/* Records "FILE:LINE: PATH: " followed by the formatted message in err, and
 * returns SIM_EINPUT. FILE:LINE is where setting s starts (the line is left
 * out for the top-level group, which has none, and so is the empty path);
 * for a value set by scen_set, "--set PATH=VALUE: PATH: ".
 * For model loaders' own checks, e.g. a reference to a vendor that does not
 * exist. */
int scen_error(sim_err *err, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* For model loaders' own messages, so they read like this layer's: the
 * shortest %g form of v that reads back as v; what a setting holds ("2.5",
 * "\"cn\"", "a group"); and how far a misspelt name is from a candidate
 * (edits, case-insensitive, transposition counting 1), SIZE_MAX when it is
 * not close enough to suggest: more than 2 edits or a third of the longer
 * name. */
void scen_fmt_number(char *buf, size_t n, double v);

/* "PATH=VALUE" as --set takes it, for a swept or calibrated parameter at v:
 * rounded half away from zero for an integer setting (with libconfig's L
 * suffix past 32 bits), every digit of a double with a decimal point kept
 * visible otherwise. */
void scen_fmt_assignment(char *buf, size_t n, const char *path, bool integer,
                         double v);

/* rel as written if absolute, else beside file (as libconfig resolves an
 * @include against the top file's directory); a new string, NULL when out
 * of memory. */
char *scen_path_beside(const char *file, const char *rel);
void scen_describe(const config_setting_t *s, char *buf, size_t n);
size_t scen_name_distance(const char *bad, const char *cand);

/* Checks that every member of group grp is named in allowed (a NULL-ended
 * list). The first unknown member gives "FILE:LINE: PATH.key: unknown key
 * (did you mean 'good'?)" when one allowed name is close to it (edit distance
 * at most 2 and at most a third of the longer name; a transposition counts
 * 1), otherwise "... unknown key (expected one of: a, b, c)". */
int scen_check_keys(const config_setting_t *grp, const char *const allowed[],
                    sim_err *err);

/* Whether group grp has a member named key: for optional keys. */
bool scen_has(const config_setting_t *grp, const char *key);

/* Getters on member key of group grp (a group: asserted, since passing
 * anything else is the caller's bug; check it with scen_get_group or
 * scen_as_group first). A missing key gives "FILE:LINE: PATH:
 * missing 'key' (expected WHAT)" at the group's line; a value of the wrong
 * type or out of range gives "FILE:LINE: PATH.key: expected WHAT, got VALUE".
 * *out is written only on success. Borrowed pointers stay valid until
 * scen_free or an override of that setting.
 *
 * _number: an int, int64 or float, finite and in [lo, hi] (lo <= hi; pass
 *          -HUGE_VAL or HUGE_VAL for an open side). _prob: a number in [0, 1].
 * _int:    an integer in [lo, hi]; a float is accepted only when it is a whole
 *          number (5e4), so 2.5 is refused, never rounded.
 * _bool:   true or false (not 0 or 1).
 * _string: a non-empty string without control characters (a tab or newline
 *          would split the report line it is printed on).
 * _enum:   a string equal to one of allowed (NULL-ended); *index is its
 *          position. The message lists the allowed values.
 * _group:  a group { ... }.
 * _list:   a list ( ... ) or array [ ... ] of min to max elements (max =
 *          SIZE_MAX for no limit); *n is its length. Elements come from
 *          config_setting_get_elem and are read with the scen_as_* forms. */
int scen_get_number(const config_setting_t *grp, const char *key, double lo,
                    double hi, double *out, sim_err *err);
int scen_get_prob(const config_setting_t *grp, const char *key, double *out,
                  sim_err *err);
int scen_get_int(const config_setting_t *grp, const char *key, int64_t lo,
                 int64_t hi, int64_t *out, sim_err *err);
int scen_get_bool(const config_setting_t *grp, const char *key, bool *out,
                  sim_err *err);
int scen_get_string(const config_setting_t *grp, const char *key,
                    const char **out, sim_err *err);
int scen_get_enum(const config_setting_t *grp, const char *key,
                  const char *const allowed[], size_t *index, sim_err *err);
int scen_get_group(const config_setting_t *grp, const char *key,
                   const config_setting_t **out, sim_err *err);
int scen_get_list(const config_setting_t *grp, const char *key, size_t min,
                  size_t max, const config_setting_t **out, size_t *n,
                  sim_err *err);

/* The same checks on a setting already in hand (a list element, say), with
 * the same messages: "FILE:LINE: PATH: expected WHAT, got VALUE". */
int scen_as_number(const config_setting_t *s, double lo, double hi, double *out,
                   sim_err *err);
int scen_as_int(const config_setting_t *s, int64_t lo, int64_t hi, int64_t *out,
                sim_err *err);
int scen_as_bool(const config_setting_t *s, bool *out, sim_err *err);
int scen_as_string(const config_setting_t *s, const char **out, sim_err *err);
int scen_as_enum(const config_setting_t *s, const char *const allowed[],
                 size_t *index, sim_err *err);
int scen_as_group(const config_setting_t *s, sim_err *err);
int scen_as_list(const config_setting_t *s, size_t min, size_t max, size_t *n,
                 sim_err *err);

#endif
