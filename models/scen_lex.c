/* scen_lex.c -- finds the integer literals libconfig 1.5 would store wrongly,
 * and the @include directives, in raw scenario text (see scen_internal.h).
 *
 * The scanner mirrors libconfig 1.5's flex rules closely enough to agree with
 * it on every valid file: where they could disagree (garbage that libconfig
 * rejects anyway), the worst case is a truncation message for a file that
 * also has a syntax error. It uses ASCII tests rather than <ctype.h>, so the
 * result does not depend on the locale.
 *
 * What libconfig 1.5 stores, checked on Debian 12's 1.5-0.4: a decimal
 * without L goes through strtol (saturating at the 64-bit limits) and is then
 * cut to its low 32 bits; a hex literal without L goes through strtoul and is
 * cut the same way; a decimal with L saturates (atoll); a hex with L saturates
 * at 2^64-1 (strtoull) and wraps into a signed value. The stored value lets
 * the loader find the setting the literal became, to name its key.
 */
#include "scen_internal.h"

#include <assert.h>

#define MAG_MAX UINT64_MAX /* saturated magnitude */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_name_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '*';
}

/* Two's-complement reinterpretation without implementation-defined casts. */
static int64_t as_int32(uint64_t v)
{
    uint32_t u = (uint32_t)v;
    return u <= INT32_MAX ? (int64_t)u : (int64_t)u - 4294967296;
}

static int64_t as_int64(uint64_t u)
{
    return u <= INT64_MAX ? (int64_t)u
                          : (int64_t)(u - (uint64_t)INT64_MAX - 1) + INT64_MIN;
}

/* The magnitude of the digits in [p, end) in base 10 or 16, saturated. */
static uint64_t magnitude(const char *p, const char *end, unsigned base)
{
    uint64_t v = 0;
    for (; p < end; p++) {
        unsigned d = (unsigned)hex_value(*p);
        if (v > (MAG_MAX - d) / base)
            return MAG_MAX;
        v = v * base + d;
    }
    return v;
}

/* The end of an exponent part [eE][-+]?[0-9]+ starting at p, or p if there
 * is none. */
static const char *exponent(const char *p, const char *end)
{
    if (p >= end || (*p != 'e' && *p != 'E'))
        return p;
    const char *q = p + 1;
    if (q < end && (*q == '+' || *q == '-'))
        q++;
    if (q >= end || !is_digit(*q))
        return p;
    while (q < end && is_digit(*q))
        q++;
    return q;
}

/* After a digit run ending at p: the end of an L or LL suffix, or p. */
static const char *long_suffix(const char *p, const char *end)
{
    if (p < end && *p == 'L') {
        p++;
        if (p < end && *p == 'L')
            p++;
    }
    return p;
}

/* Recognises `^[ \t]*@include[ \t]+"path"` at p, the start of a line. */
static bool include_at(scen__lex *lx, const char **pp, scen__lex_item *it)
{
    static const char kw[] = "@include";
    const char *p = *pp, *end = lx->end;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    for (size_t i = 0; i < sizeof kw - 1; i++, p++)
        if (p >= end || *p != kw[i])
            return false;
    if (p >= end || (*p != ' ' && *p != '\t'))
        return false;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= end || *p != '"')
        return false;
    const char *path = ++p;
    unsigned lines = 0;
    while (p < end && *p != '"') {
        if (*p == '\\' && p + 1 < end)
            p++; /* \\ and \" */
        lines += *p == '\n';
        p++;
    }
    if (p >= end)
        return false; /* unterminated: libconfig's syntax error */
    it->kind = SCEN__LEX_INCLUDE;
    it->line = lx->line;
    it->text = path;
    it->len = (size_t)(p - path);
    it->hex = false;
    it->stored = 0;
    lx->line += lines;
    *pp = p + 1;
    return true;
}

/* Scans a number at p (a digit, or a sign or '.' that may start one). Sets
 * *pp past it and returns true, with *it filled, if the literal is one that
 * libconfig would store wrongly. */
static bool number_at(scen__lex *lx, const char **pp, scen__lex_item *it)
{
    const char *p = *pp, *end = lx->end, *q = p;
    bool neg = false, sign = false;
    if (*q == '+' || *q == '-') {
        neg = *q == '-';
        sign = true;
        q++;
    }
    /* Hex takes no sign in libconfig: "-0x10" is "-0" and then a name. */
    if (!sign && end - q > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X') &&
        hex_value(q[2]) >= 0) {
        const char *h = q + 2;
        while (h < end && hex_value(*h) >= 0)
            h++;
        const char *e = long_suffix(h, end);
        uint64_t v = magnitude(q + 2, h, 16);
        *pp = e;
        bool is64 = e != h;
        if (is64 ? v <= INT64_MAX : v <= INT32_MAX)
            return false;
        it->kind = is64 ? SCEN__LEX_INT64 : SCEN__LEX_INT32;
        it->hex = true;
        it->stored = is64 ? as_int64(v) : as_int32(v);
        it->text = p;
        it->len = (size_t)(e - p);
        it->line = lx->line;
        return true;
    }
    const char *d = q;
    while (d < end && is_digit(*d))
        d++;
    /* Floats: [0-9]*\.[0-9]*(exp)? or [0-9]+(exp); flex takes the longest
     * match, and a float is always longer than the integer inside it. */
    if (d < end && *d == '.') {
        const char *f = d + 1;
        while (f < end && is_digit(*f))
            f++;
        *pp = exponent(f, end);
        return false;
    }
    if (d == q) {
        *pp = q > p ? q : p + 1; /* a lone sign or '.': not a number */
        return false;
    }
    const char *x = exponent(d, end);
    if (x != d) {
        *pp = x;
        return false;
    }
    const char *e = long_suffix(d, end);
    bool is64 = e != d;
    uint64_t v = magnitude(q, d, 10);
    *pp = e;
    uint64_t lim = is64 ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX;
    if (v <= lim + neg)
        return false;
    /* strtol/atoll saturate at the 64-bit limits. */
    int64_t sat;
    if (neg)
        sat = v > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)v;
    else
        sat = v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
    it->kind = is64 ? SCEN__LEX_INT64 : SCEN__LEX_INT32;
    it->hex = false;
    it->stored = is64 ? sat : as_int32((uint64_t)sat);
    it->text = p;
    it->len = (size_t)(e - p);
    it->line = lx->line;
    return true;
}

void scen__lex_init(scen__lex *lx, const char *text, size_t len)
{
    assert(text != NULL || len == 0);
    lx->start = text;
    lx->p = text;
    lx->end = text + len;
    lx->line = 1;
}

int scen__lex_next(scen__lex *lx, scen__lex_item *it)
{
    const char *p = lx->p, *end = lx->end;
    while (p < end) {
        char c = *p;
        if ((p == lx->start || p[-1] == '\n') && include_at(lx, &p, it)) {
            lx->p = p;
            return it->kind;
        }
        if (c == '\n') {
            lx->line++;
            p++;
        } else if (c == '"') {
            const char *quote = p;
            unsigned line = lx->line;
            for (p++; p < end && *p != '"'; p++) {
                if (*p == '\\' && p + 1 < end)
                    p++; /* an escaped quote or backslash */
                lx->line += *p == '\n';
            }
            p += p < end; /* the closing quote */
            if ((size_t)(p - quote) > SCEN__TOKEN_MAX) {
                it->kind = SCEN__LEX_LONG;
                it->line = line;
                it->text = quote;
                it->len = (size_t)(p - quote);
                it->hex = false;
                it->stored = 0;
                lx->p = p;
                return it->kind;
            }
        } else if (c == '#' || (c == '/' && p + 1 < end && p[1] == '/')) {
            while (p < end && *p != '\n')
                p++;
        } else if (c == '/' && p + 1 < end && p[1] == '*') {
            for (p += 2; p < end && !(*p == '*' && p + 1 < end && p[1] == '/');
                 p++)
                lx->line += *p == '\n';
            p = p < end ? p + 2 : end;
        } else if (is_alpha(c) || c == '*') {
            /* A name, digits and dashes included: "x-5000000000" is one. */
            while (p < end && is_name_char(*p))
                p++;
        } else if (is_digit(c) || c == '+' || c == '-' || c == '.') {
            if (number_at(lx, &p, it)) {
                lx->p = p;
                return it->kind;
            }
        } else {
            p++;
        }
    }
    lx->p = p;
    return SCEN__LEX_END;
}
