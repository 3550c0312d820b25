/* csv.c -- the CSV fields of `aims report --csv` and `aims compare --csv`
 * (RFC 4180), shared so the two tables read back the same way. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* 15 significant digits when they read back as the same double (0.1 stays
 * 0.1), 17 otherwise; "nan" where there is no value, which Python's
 * float() and pandas read. */
void cli_csv_number(FILE *f, double v)
{
    if (isnan(v)) {
        fputs("nan", f);
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, f);
}

/* Quoted only when it holds a comma, quote or line break; actor ids are
 * plain ASCII, but a file may say otherwise. */
void cli_csv_text(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
