/* scen_write.c -- a scenario document as libconfig text that reads back to
 * exactly the same values (scen_text_exact; see scen.h).
 *
 * Why not config_write: libconfig 1.5 writes floats with 15 significant
 * digits, so 0.12345678901234567 comes back as 0.123456789012346. A sweep
 * reads its base scenario once and rebuilds every point from text (so that
 * every thread, rank and shard uses the same base, whatever happens to the
 * file later); from config_write's text a base value with 16 or 17 digits
 * would differ from the file's, and `aims sweep` from `aims run --set`.
 * Here floats are written with 17 significant digits, which round-trips
 * every finite double through strtod (IEEE 754 binary64: 17 digits are
 * enough, C11 F.5 / DBL_DECIMAL_DIG), and always with a '.' or an
 * exponent, so libconfig reads a float back as a float, never an int.
 *
 * The layout follows config_write (one setting per line, groups indented),
 * so the text is also readable; comments and the original line numbers are
 * not kept, which is why scen_load_text takes a name for its messages.
 */
#include "scen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void indent(FILE *f, int depth)
{
    for (int i = 0; i < depth; i++)
        fputs("  ", f);
}

/* A string in libconfig's syntax: quotes, backslash and control
 * characters escaped (libconfig 1.5's scanner knows \\ \" \n \r \t \f and
 * \xNN). */
static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\r')
            fputs("\\r", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p == '\f')
            fputs("\\f", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02X", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void put_float(FILE *f, double v)
{
    if (isinf(v)) { /* libconfig has no "inf"; 1e999 parses to it */
        fputs(v < 0 ? "-1e999" : "1e999", f);
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, f);
    if (strpbrk(buf, ".eE") == NULL)
        fputs(".0", f);
}

static void put_setting(FILE *f, const config_setting_t *s, int depth);

static void put_value(FILE *f, const config_setting_t *s, int depth)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        fprintf(f, "%d", config_setting_get_int(s));
        break;
    case CONFIG_TYPE_INT64:
        fprintf(f, "%lldL", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        put_float(f, config_setting_get_float(s));
        break;
    case CONFIG_TYPE_BOOL:
        fputs(config_setting_get_bool(s) ? "true" : "false", f);
        break;
    case CONFIG_TYPE_STRING:
        put_string(f, config_setting_get_string(s));
        break;
    case CONFIG_TYPE_GROUP: {
        fputs("{\n", f);
        int n = config_setting_length(s);
        for (int i = 0; i < n; i++)
            put_setting(f, config_setting_get_elem(s, (unsigned)i),
                        depth + 1);
        indent(f, depth);
        fputc('}', f);
        break;
    }
    case CONFIG_TYPE_ARRAY:
    case CONFIG_TYPE_LIST: {
        bool list = config_setting_type(s) == CONFIG_TYPE_LIST;
        fputs(list ? "(" : "[", f);
        int n = config_setting_length(s);
        for (int i = 0; i < n; i++) {
            fputs(i ? ", " : " ", f);
            put_value(f, config_setting_get_elem(s, (unsigned)i), depth + 1);
        }
        fputs(n ? " " : "", f);
        fputs(list ? ")" : "]", f);
        break;
    }
    default: /* CONFIG_TYPE_NONE: libconfig never parses one */
        break;
    }
}

static void put_setting(FILE *f, const config_setting_t *s, int depth)
{
    indent(f, depth);
    fprintf(f, "%s = ", config_setting_name(s));
    put_value(f, s, depth);
    fputs(";\n", f);
}

int scen_text_exact(const scen_doc *doc, char **out, sim_err *err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    const config_setting_t *root = scen_root(doc);
    int n = config_setting_length(root);
    for (int i = 0; i < n; i++)
        put_setting(f, config_setting_get_elem(root, (unsigned)i), 0);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad || buf == NULL) {
        free(buf);
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    }
    *out = buf;
    return SIM_OK;
}
