/* util.c -- what the subcommands share: messages, numbers, options,
 * loading a scenario. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("aims: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool cli_parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi,
                   uint64_t *out)
{
    const char *p = s;
    bool ok = *p != '\0';
    uint64_t v = 0;
    for (; ok && *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) {
            ok = false;
            break;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (!ok || v < lo || v > hi) {
        cli_error("%s: expected an integer in [%llu, %llu], got '%s'", opt,
                  (unsigned long long)lo, (unsigned long long)hi, s);
        return false;
    }
    *out = v;
    return true;
}

bool cli_opt(int argc, char **argv, int *i, const char *short_name,
             const char *long_name, const char **val, bool *bad)
{
    const char *a = argv[*i];
    size_t ln = long_name ? strlen(long_name) : 0;
    if (long_name && strncmp(a, long_name, ln) == 0 && a[ln] == '=') {
        *val = a + ln + 1;
        (*i)++;
        return true;
    }
    if ((short_name && strcmp(a, short_name) == 0) ||
        (long_name && strcmp(a, long_name) == 0)) {
        if (*i + 1 >= argc) {
            cli_error("%s: missing value", a);
            *bad = true;
            return true;
        }
        *val = argv[*i + 1];
        *i += 2;
        return true;
    }
    return false;
}

int cli_load_scenario(const char *path, const char *const *sets,
                      size_t n_sets, scen_doc **doc, mkt_params **params)
{
    sim_err err = {0};
    scen_doc *d = NULL;
    mkt_params *p = NULL;
    int rc = scen_load(path, &d, &err);
    for (size_t k = 0; rc == SIM_OK && k < n_sets; k++)
        rc = scen_set(d, sets[k], &err);
    if (rc == SIM_OK)
        rc = mkt_load(d, &p, &err);
    if (rc != SIM_OK) {
        fprintf(stderr, "%s\n", err.msg);
        scen_free(d);
        return rc == SIM_EINPUT || rc == SIM_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    *doc = d;
    *params = p;
    return CLI_OK;
}
