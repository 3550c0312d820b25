/* cmd_diff.c -- `aims diff A.cfg B.cfg`: the values in which two scenarios
 * differ once resolved (@includes expanded, --set applied to both), one
 * line per path: PATH, A's value, B's value, "(absent)" where a side lacks
 * the path. Text diffs of scenario files mislead: an @include, a moved
 * event or a reformatted number shows as a change, or hides one. Events
 * with an id are matched by it (settings.c), so inserting an event is one
 * event's difference, not a shift of every later one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char cli_help_diff[] =
    "usage: aims diff A.cfg B.cfg [--set PATH=VALUE]... [--csv]\n"
    "Prints the resolved differences between two scenarios: each path "
    "whose\n"
    "value differs, with A's and B's values ('(absent)' where one lacks "
    "it).\n"
    "Both must load (as 'aims validate' checks). Timeline events with an "
    "id\n"
    "are matched by id. Prints nothing when they are the same.\n"
    "  --set PATH=VALUE   apply an override to both first\n"
    "  --csv              path,a,b with a header row\n"
    "  -h, --help         this help\n";

static const struct option diff_options[] = {
    {"set", required_argument, NULL, 256},
    {"csv", no_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

typedef struct {
    char *path, *value;
} leaf;

typedef struct {
    leaf *v;
    size_t n, cap;
    bool nomem;
} leaves;

static void collect(void *ctx, const char *path, const config_setting_t *s)
{
    leaves *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        leaf *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            l->nomem = true;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    char value[400];
    scen_describe(s, value, sizeof value);
    l->v[l->n].path = strdup(path);
    l->v[l->n].value = strdup(value);
    if (l->v[l->n].path == NULL || l->v[l->n].value == NULL)
        l->nomem = true;
    l->n++;
}

static void free_leaves(leaves *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].value);
    }
    free(l->v);
}

static const leaf *find(const leaves *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].path, path) == 0)
            return &l->v[i];
    return NULL;
}

static void line(bool csv, const char *path, const char *a, const char *b)
{
    if (csv) {
        cli_csv_text(stdout, path);
        putchar(',');
        cli_csv_text(stdout, a);
        putchar(',');
        cli_csv_text(stdout, b);
        putchar('\n');
    } else {
        printf("%-48s %-20s %s\n", path, a, b);
    }
}

int cli_diff(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    int n_paths = 0;
    const char **sets = calloc((size_t)argc, sizeof *sets);
    size_t n_sets = 0;
    bool csv = false, bad = false;
    if (sets == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    cli_opts_begin("diff");
    int c;
    while (!bad &&
           (c = cli_opts_next(argc, argv, "h", diff_options)) != -1) {
        if (c == 256) {
            sets[n_sets++] = optarg;
        } else if (c == 'c') {
            csv = true;
        } else if (c == 'h') {
            fputs(cli_help_diff, stdout);
            free(sets);
            return CLI_OK;
        } else if (c == 1 && n_paths == 2) {
            cli_usage_error("two scenario files, A and B (got a third, '%s')",
                            optarg);
            bad = true;
        } else if (c == 1) {
            paths[n_paths++] = optarg;
        } else {
            bad = true;
        }
    }
    if (!bad && n_paths < 2) {
        cli_usage_error("expected two scenario files, A.cfg and B.cfg");
        bad = true;
    }
    scen_doc *doc[2] = {NULL, NULL};
    mkt_params *p[2] = {NULL, NULL};
    leaves l[2] = {{0}, {0}};
    int rc = bad ? CLI_USAGE : CLI_OK;
    for (int k = 0; rc == CLI_OK && k < 2; k++)
        rc = cli_load_scenario(paths[k], sets, n_sets, &doc[k], &p[k]);
    for (int k = 0; rc == CLI_OK && k < 2; k++) {
        cli_settings_walk(doc[k], collect, &l[k]);
        if (l[k].nomem) {
            cli_error("out of memory");
            rc = CLI_FAIL;
        }
    }
    if (rc == CLI_OK) {
        if (csv)
            puts("path,a,b");
        for (size_t i = 0; i < l[0].n; i++) {
            const leaf *b = find(&l[1], l[0].v[i].path);
            if (b == NULL || strcmp(b->value, l[0].v[i].value) != 0)
                line(csv, l[0].v[i].path, l[0].v[i].value,
                     b ? b->value : "(absent)");
        }
        for (size_t i = 0; i < l[1].n; i++)
            if (find(&l[0], l[1].v[i].path) == NULL)
                line(csv, l[1].v[i].path, "(absent)", l[1].v[i].value);
        if (fflush(stdout) != 0)
            rc = CLI_FAIL;
    }
    for (int k = 0; k < 2; k++) {
        free_leaves(&l[k]);
        mkt_params_free(p[k]);
        scen_free(doc[k]);
    }
    free(sets);
    return rc;
}
