/* settings.c -- every single value of a scenario, with its path, for
 * `aims params` and `aims diff` (cli_settings_walk). A list element that is
 * a group with an id is named by the id (timeline.openai_block.month), as
 * --set and sweeps accept it: then the path of an event does not change
 * when another is inserted before it, and two scenarios that differ by an
 * inserted event differ in that event only. Other elements are named by
 * index (.[N]). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void walk(const config_setting_t *s, char *path, size_t at, size_t n,
                 cli_leaf_fn *fn, void *ctx)
{
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_GROUP && t != CONFIG_TYPE_LIST &&
        t != CONFIG_TYPE_ARRAY) {
        fn(ctx, path, s);
        return;
    }
    int len = config_setting_length(s);
    for (int i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(e);
        char idx[80];
        if (t != CONFIG_TYPE_GROUP) {
            const config_setting_t *id =
                config_setting_type(e) == CONFIG_TYPE_GROUP
                    ? config_setting_get_member(e, "id")
                    : NULL;
            if (id != NULL && config_setting_type(id) == CONFIG_TYPE_STRING)
                snprintf(idx, sizeof idx, "%s", config_setting_get_string(id));
            else
                snprintf(idx, sizeof idx, "[%d]", i);
            name = idx;
        }
        int k = snprintf(path + at, n - at, "%s%s", at ? "." : "", name);
        if (k < 0 || (size_t)k >= n - at)
            continue; /* a path past 1 KB: no scenario has one */
        walk(e, path, at + (size_t)k, n, fn, ctx);
        path[at] = '\0';
    }
}

void cli_settings_walk(const scen_doc *doc, cli_leaf_fn *fn, void *ctx)
{
    char path[1024] = "";
    walk(scen_root(doc), path, 0, sizeof path, fn, ctx);
}
