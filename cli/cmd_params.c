/* cmd_params.c -- `aims params SCENARIO.cfg`: every settable path of a
 * scenario with its value, unit, range and the comment beside it.
 *
 * Where each column comes from, so none of them can drift from the model:
 *  - path and value: the resolved scenario (@includes, --set applied),
 *    list elements with an id named by it (settings.c);
 *  - range: what the model's loader checked the value against, recorded
 *    as it loaded it (scen_note_ranges), "-" for a value no check read;
 *  - unit: from the key's name where the name says it (units[] below:
 *    *_months are months, a timeline month is months from the start);
 *  - note: the comment on the setting's line in the file, which is where
 *    the shipped scenarios give units and sources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char cli_help_params[] =
    "usage: aims params SCENARIO.cfg [--set PATH=VALUE]... [--csv]\n"
    "Lists every settable path of a scenario (what --set and a sweep's\n"
    "parameters accept) with its value, unit, the range the model checks "
    "it\n"
    "against and the comment beside it in the file. Timeline events with "
    "an\n"
    "id are listed by it (timeline.openai_block.month).\n"
    "  --set PATH=VALUE   apply an override first\n"
    "  --csv              path,value,unit,range,note with a header row\n"
    "  -h, --help         this help\n";

static const struct option params_options[] = {
    {"set", required_argument, NULL, 256},
    {"csv", no_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Units the key's name states; the first match wins. */
static const struct {
    const char *suffix, *unit;
} units[] = {
    {"_months", "months"},   {"month", "months from start"},
    {"_days", "days"},       {"_prob", "probability"},
    {"_share", "fraction"},  {"replications", "count"},
    {"count", "count"},      {"seed", "-"},
};

static const char *unit_of(const char *path)
{
    const char *key = strrchr(path, '.');
    key = key ? key + 1 : path;
    size_t n = strlen(key);
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        size_t m = strlen(units[k].suffix);
        if (n >= m && strcmp(key + n - m, units[k].suffix) == 0)
            return units[k].unit;
    }
    return "-";
}

/* The comment on line `line` of file, trimmed, into buf ("" for none). A
 * '#' inside a string is not a comment start. */
static void comment_at(const char *file, unsigned line, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = file != NULL && line > 0 ? fopen(file, "r") : NULL;
    if (f == NULL)
        return;
    char text[2048];
    for (unsigned k = 1; fgets(text, sizeof text, f) != NULL; k++) {
        if (k < line)
            continue;
        bool quoted = false;
        for (char *c = text; *c; c++) {
            if (*c == '"')
                quoted = !quoted;
            if (quoted || *c != '#')
                continue;
            c++;
            while (*c == ' ' || *c == '#')
                c++;
            size_t len = strcspn(c, "\r\n");
            snprintf(buf, n, "%.*s", (int)len, c);
            break;
        }
        break;
    }
    fclose(f);
}

typedef struct {
    const scen_doc *doc;
    bool csv;
} lister;

static void list_one(void *ctx, const char *path, const config_setting_t *s)
{
    lister *l = ctx;
    char value[200], note[200];
    scen_describe(s, value, sizeof value);
    const char *range = scen_range(l->doc, s);
    comment_at(config_setting_source_file(s), config_setting_source_line(s),
               note, sizeof note);
    if (l->csv) {
        cli_csv_text(stdout, path);
        putchar(',');
        cli_csv_text(stdout, value);
        putchar(',');
        cli_csv_text(stdout, unit_of(path));
        putchar(',');
        cli_csv_text(stdout, range ? range : "");
        putchar(',');
        cli_csv_text(stdout, note);
        putchar('\n');
    } else {
        printf("%-48s %-14s %-18s %s%s%s\n", path, value, unit_of(path),
               range ? range : "-", note[0] ? "  # " : "", note);
    }
}

int cli_params(int argc, char **argv)
{
    const char *path = NULL;
    const char **sets = calloc((size_t)argc, sizeof *sets);
    size_t n_sets = 0;
    bool csv = false, bad = false;
    if (sets == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_opts_begin("params");
    int c;
    while (!bad && (c = cli_opts_next(argc, argv, "h", params_options)) !=
                       -1) {
        if (c == 256) {
            sets[n_sets++] = optarg;
        } else if (c == 'c') {
            csv = true;
        } else if (c == 'h') {
            fputs(cli_help_params, stdout);
            free(sets);
            return CLI_OK;
        } else if (c == 1 && path != NULL) {
            cli_usage_error("one scenario file at a time");
            bad = true;
        } else if (c == 1) {
            path = optarg;
        } else {
            bad = true;
        }
    }
    if (!bad && path == NULL) {
        cli_usage_error("no scenario file given");
        bad = true;
    }
    if (bad) {
        free(sets);
        return CLI_USAGE;
    }
    sim_err err = {0};
    scen_doc *doc = NULL;
    mkt_params *p = NULL;
    int rc = scen_load(path, &doc, &err);
    for (size_t k = 0; rc == SIM_OK && k < n_sets; k++)
        rc = scen_set(doc, sets[k], &err);
    if (rc == SIM_OK) {
        scen_note_ranges(doc); /* the loader's checks become the ranges */
        rc = mkt_load(doc, &p, &err);
    }
    free(sets);
    if (rc != SIM_OK) {
        fprintf(stderr, "%s\n", err.msg);
        scen_free(doc);
        return rc == SIM_EINPUT || rc == SIM_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    lister l = {.doc = doc, .csv = csv};
    if (csv)
        puts("path,value,unit,range,note");
    else
        printf("%-48s %-14s %-18s %s\n", "path", "value", "unit",
               "range (checked by the model)  # comment in the file");
    cli_settings_walk(doc, list_one, &l);
    mkt_params_free(p);
    scen_free(doc);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
