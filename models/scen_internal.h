/* scen_internal.h -- what the files of the scen module share with each other
 * and with the white-box tests; not an API.
 *
 * scen.c (loading, overrides, messages) and scen_get.c (paths, typed
 * getters) both need the document's fields and a few helpers, declared at
 * the end. The rest of this header is the raw-text pre-scan (scen_lex.c).
 *
 * libconfig 1.5 stores an integer literal without an `L` suffix in 32 bits
 * however large it is (5000000000 becomes 705032704, with no error), and a
 * 64-bit literal that does not fit in 64 bits saturates. Nothing in the parsed
 * tree shows that this happened, so the loader looks at the text first. The
 * scanner below follows libconfig 1.5's own lexical rules (lib/scanner.l):
 * strings, `#`, `//` and block comments are skipped, a name
 * ([A-Za-z*][-A-Za-z0-9_*]*) is one token even when it holds digits, and a
 * number is a float as soon as it has a '.' or an exponent. It also reports
 * each `@include "file"` directive (at the start of a line, as libconfig
 * requires), so the loader can check included files too.
 *
 * Everything here is named scen__* and may change without notice.
 */
#ifndef SCEN_INTERNAL_H
#define SCEN_INTERNAL_H

#include "scen.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *start, *p, *end; /* the text and the scan position */
    unsigned line;               /* 1-based line of p */
} scen__lex;

enum {
    SCEN__LEX_END = 0, /* no more findings */
    SCEN__LEX_INT32,   /* an integer without L that does not fit in int32 */
    SCEN__LEX_INT64,   /* an integer with L that does not fit in int64 */
    SCEN__LEX_INCLUDE, /* an @include directive */
    SCEN__LEX_LONG     /* a string literal longer than SCEN__TOKEN_MAX */
};

/* The longest line, and the longest string literal, the pre-scan lets
 * libconfig see (bytes). libconfig 1.5's scanner takes time quadratic in
 * the length of one token: 1.8 s for a 1 MB comment line, 27 s for 4 MB,
 * 7 s for a 2 MB string spread over many lines. So a 16 MiB file (the cap)
 * of lines of length L costs about 16 MiB x L: measured on this project's
 * machine, 0.3 s of CPU for 4 KiB lines, 0.6 s for 16 KiB, 1.25 s for
 * 64 KiB. 32 KiB keeps the worst file under about a second; no scenario
 * comes near it on one line or in one string. */
#define SCEN__TOKEN_MAX ((size_t)32 << 10)

typedef struct {
    int kind;         /* SCEN__LEX_* */
    unsigned line;    /* where the literal or directive starts */
    const char *text; /* the literal as written (sign and L included), the
                         raw include path between the quotes, or the opening
                         quote of a long string; points into the scanned
                         text */
    size_t len;       /* length of text */
    bool hex;         /* the literal is hexadecimal */
    int64_t stored;   /* what libconfig 1.5 stores for the literal: an int
                         for SCEN__LEX_INT32, a long long for _INT64 */
} scen__lex_item;

/* Starts a scan of len bytes of text (borrowed; it need not end in '\0'). */
void scen__lex_init(scen__lex *lx, const char *text, size_t len);

/* Finds the next finding, fills *it and returns its kind, or returns
 * SCEN__LEX_END (and leaves *it alone) at the end of the text. An unterminated
 * string, comment or include path simply ends the scan: libconfig reports
 * those as syntax errors (an unterminated string longer than SCEN__TOKEN_MAX
 * is reported as SCEN__LEX_LONG first). */
int scen__lex_next(scen__lex *lx, scen__lex_item *it);

/* ---- shared by scen.c and scen_get.c ---- */

struct scen_doc {
    config_t cfg;
    char *path;   /* as given to scen_load */
    char *incdir; /* its directory ("." when it has none): the include dir */
    char **sets;  /* the applied --set assignments, owned; an overridden
                     setting's hook points at the one that set it last */
    size_t nsets, capsets;
    /* scen_note_ranges: what each getter accepted a setting as */
    struct scen__note {
        const config_setting_t *s;
        char what[200];
    } *notes;
    size_t nnotes, capnotes;
    bool noting;
};

/* The setting at path, or NULL with the reason in why (when why is not NULL):
 * "no setting 'P' in FILE (...)" or "bad path 'P': ...". With suggest, a
 * misspelt key gets a did-you-mean, checked against the rest of the path.
 * (scen_get.c) */
config_setting_t *scen__resolve(const scen_doc *d, const char *path, char *why,
                                size_t n, bool suggest);

/* Whether v is a whole number that fits in int64; if so stores it in *out.
 * (scen.c) */
bool scen__whole_int64(double v, int64_t *out);

#endif
