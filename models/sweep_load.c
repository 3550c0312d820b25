/* sweep_load.c -- reads and checks a sweep file (see sweep.h).
 *
 * The checks run in the order a user fixes things: the file's own keys and
 * types (scen_* messages, FILE:LINE: PATH: ...), then the sizes (a design
 * of too many points is refused before anything is allocated for it), then
 * the base scenario: that it loads, that every parameter names a number in
 * it, and that every grid value can be set there. A value the model itself
 * would refuse (a probability of 1.5) is not caught here: that point will
 * fail alone when it runs, with the model's message, and the rest of the
 * sweep goes on (docs/sweeps.md).
 */
#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen.h"

static const char *const design_names[] = {"grid", "lhs", "sobol", NULL};

static char *dup_str(const char *s)
{
    return strdup(s);
}

/* The sweep file's raw text, for provenance. scen_load has just read the
 * same file, so failing here means it vanished in between or memory ran
 * out; the two get their own statuses. */
static int read_text(const char *path, char **out, sim_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sim_err_set(err, SIM_EINPUT, "%s: cannot read", path);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf != NULL && (k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            char *g = realloc(buf, cap *= 2);
            if (g == NULL)
                free(buf);
            buf = g;
        }
    }
    bool bad = buf != NULL && ferror(f);
    fclose(f);
    if (buf == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    if (bad) {
        free(buf);
        return sim_err_set(err, SIM_EINPUT, "%s: cannot read", path);
    }
    buf[n] = '\0';
    *out = buf;
    return SIM_OK;
}

/* "final_frontier_access_share", "final_frontier_access_index",
 * "months_to_half_access", "cumulative_revenue:NAME",
 * "final_channel_share:NAME". */
static bool metric_form(const char *m)
{
    if (strcmp(m, "final_frontier_access_share") == 0 ||
        strcmp(m, "final_frontier_access_index") == 0 ||
        strcmp(m, "months_to_half_access") == 0)
        return true;
    const char *heads[] = {"cumulative_revenue:", "final_channel_share:"};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(heads[i]);
        if (strncmp(m, heads[i], n) == 0 && m[n] != '\0' &&
            strchr(m + n, ':') == NULL && strchr(m, '/') == NULL)
            return true;
    }
    return false;
}

static int read_sweep_group(const config_setting_t *root, swp_spec *s,
                            const char **scenario, sim_err *err)
{
    static const char *const keys[] = {
        "name",   "scenario", "design",
        "samples", "replications", "seed",
        "common_random_numbers", "metrics", NULL};
    const config_setting_t *g, *ml;
    const char *name;
    size_t design, nm;
    int64_t v;
    int rc;
    if ((rc = scen_get_group(root, "sweep", &g, err)) ||
        (rc = scen_check_keys(g, keys, err)) ||
        (rc = scen_get_string(g, "name", &name, err)) ||
        (rc = scen_get_string(g, "scenario", scenario, err)) ||
        (rc = scen_get_enum(g, "design", design_names, &design, err)))
        return rc;
    /* Without -o the output is NAME.h5 (and NAME.h5.journal/) in the
     * current directory: "../../x" or "/tmp/x" would write elsewhere, and
     * ".x" would hide the file. A name must be a name. */
    if (strchr(name, '/') != NULL || name[0] == '.' || strlen(name) > 200)
        return scen_error(err, config_setting_get_member(g, "name"),
                          "expected a name (without -o the output is "
                          "NAME.h5 in the current directory): no '/', not "
                          "starting with '.', at most 200 bytes; got "
                          "\"%.60s%s\"",
                          name, strlen(name) > 60 ? "..." : "");
    if ((s->name = dup_str(name)) == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    s->design = (swp_design_kind)design;
    if (s->design == SWP_GRID) {
        /* A grid's size is the product of its value lists; a samples count
         * there is a leftover from another design, and silently ignoring it
         * would hide that the user meant one. */
        if (scen_has(g, "samples")) {
            const config_setting_t *sm = config_setting_get_member(g,
                                                                   "samples");
            if ((rc = scen_as_int(sm, INT64_MIN, INT64_MAX, &v, err)))
                return rc;
            if (v != 0)
                return scen_error(err, sm,
                                  "a grid design takes no samples (its points"
                                  " are every combination of the values): "
                                  "leave it out or write 0, got %lld",
                                  (long long)v);
        }
    } else {
        if (!scen_has(g, "samples"))
            return scen_error(err, g,
                              "missing 'samples' (expected an integer >= 2: "
                              "%s)",
                              s->design == SWP_LHS
                                  ? "the number of points"
                                  : "N, for Saltelli's N (d + 2) points");
        if ((rc = scen_get_int(g, "samples", 2, SWP_MAX_POINTS, &v, err)))
            return rc;
        s->samples = (size_t)v;
    }
    if ((rc = scen_get_int(g, "replications", 1, SWP_MAX_REPS, &v, err)))
        return rc;
    s->replications = (size_t)v;
    if ((rc = scen_get_int(g, "seed", 0, INT64_MAX, &v, err)))
        return rc;
    s->seed = (uint64_t)v;
    s->crn = true;
    if (scen_has(g, "common_random_numbers") &&
        (rc = scen_get_bool(g, "common_random_numbers", &s->crn, err)))
        return rc;
    if ((rc = scen_get_list(g, "metrics", 1, 256, &ml, &nm, err)))
        return rc;
    s->metrics_line = config_setting_source_line(ml);
    s->scenario_line =
        config_setting_source_line(config_setting_get_member(g, "scenario"));
    if ((s->metrics = calloc(nm, sizeof *s->metrics)) == NULL ||
        (s->metric_lines = calloc(nm, sizeof *s->metric_lines)) == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    for (size_t i = 0; i < nm; i++) {
        const config_setting_t *e = config_setting_get_elem(ml, (unsigned)i);
        const char *m;
        if ((rc = scen_as_string(e, &m, err)))
            return rc;
        if (!metric_form(m))
            return scen_error(err, e,
                              "expected a metric: final_frontier_access_share,"
                              " final_frontier_access_index, "
                              "months_to_half_access, cumulative_revenue:"
                              "ACTOR or final_channel_share:CHANNEL; got "
                              "'%s'",
                              m);
        for (size_t k = 0; k < i; k++)
            if (strcmp(s->metrics[k], m) == 0)
                return scen_error(err, e, "'%s' is listed twice", m);
        if ((s->metrics[i] = dup_str(m)) == NULL)
            return sim_err_set(err, SIM_ENOMEM, "out of memory");
        s->metric_lines[i] = config_setting_source_line(e);
        s->n_metrics = i + 1;
    }
    return SIM_OK;
}

static int read_param(const config_setting_t *g, const swp_spec *s,
                      swp_param *q, sim_err *err)
{
    static const char *const keys[] = {"path", "values", "min", "max", NULL};
    const char *path;
    int rc;
    if ((rc = scen_as_group(g, err)) || (rc = scen_check_keys(g, keys, err)) ||
        (rc = scen_get_string(g, "path", &path, err)))
        return rc;
    q->line = config_setting_source_line(g);
    /* Every point runs with the sweep's own seed and replications
     * (runner/sweep_point.c), whatever the base scenario says: varying these
     * would silently change nothing. */
    static const char *const replaced[][2] = {
        {"scenario.seed", "sweep.seed"},
        {"scenario.replications", "sweep.replications"}};
    for (size_t i = 0; i < sizeof replaced / sizeof replaced[0]; i++)
        if (strcmp(path, replaced[i][0]) == 0)
            return scen_error(err, config_setting_get_member(g, "path"),
                              "'%s' cannot be swept: %s replaces it at "
                              "every point, so its values would change "
                              "nothing (set %s instead)",
                              path, replaced[i][1], replaced[i][1]);
    if ((q->path = dup_str(path)) == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    bool has_values = scen_has(g, "values"),
         has_range = scen_has(g, "min") || scen_has(g, "max");
    if (s->design == SWP_GRID) {
        if (has_range)
            return scen_error(err, g,
                              "min/max are for lhs and sobol designs; a grid "
                              "lists its values = [ ... ]");
        const config_setting_t *vl;
        size_t n;
        if ((rc = scen_get_list(g, "values", 1, SWP_MAX_POINTS, &vl, &n,
                                err)))
            return rc;
        if ((q->values = calloc(n, sizeof *q->values)) == NULL)
            return sim_err_set(err, SIM_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            if ((rc = scen_as_number(config_setting_get_elem(vl, (unsigned)i),
                                     -HUGE_VAL, HUGE_VAL, &q->values[i],
                                     err)))
                return rc;
        q->n_values = n;
        return SIM_OK;
    }
    if (has_values)
        return scen_error(err, g,
                          "values = [ ... ] is for a grid design; %s samples "
                          "a range: min = ...; max = ...;",
                          swp_design_name(s->design));
    if ((rc = scen_get_number(g, "min", -HUGE_VAL, HUGE_VAL, &q->lo, err)) ||
        (rc = scen_get_number(g, "max", -HUGE_VAL, HUGE_VAL, &q->hi, err)))
        return rc;
    if (!(q->lo < q->hi))
        return scen_error(err, config_setting_get_member(g, "max"),
                          "expected max > min (%g), got %g", q->lo, q->hi);
    return SIM_OK;
}

void swp_assignment(const swp_param *q, double v, char *buf, size_t n)
{
    scen_fmt_assignment(buf, n, q->path, q->integer, v);
}

/* Every parameter names a number of the base scenario; grid values (and
 * the ends of ranges, rounded for integers) can be set there. */
static int check_against(const char *file, const config_setting_t *plist,
                         const config_setting_t *scen_key, swp_spec *s,
                         sim_err *err)
{
    scen_doc *base = NULL;
    int rc = scen_load(s->scenario, &base, err);
    if (rc != SIM_OK) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        sim_err_clear(err);
        return scen_error(err, scen_key, "the base scenario does not load: %s",
                          inner);
    }
    for (size_t k = 0; rc == SIM_OK && k < s->n_params; k++) {
        swp_param *q = &s->params[k];
        const config_setting_t *ps = config_setting_get_member(
            config_setting_get_elem(plist, (unsigned)k), "path");
        char ctx[1024];
        snprintf(ctx, sizeof ctx, "%s:%d: parameters.[%zu].path", file,
                 config_setting_source_line(ps), k);
        const config_setting_t *t;
        if ((rc = scen_lookup(base, q->path, ctx, &t, err)) != SIM_OK)
            break;
        int type = config_setting_type(t);
        if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64 &&
            type != CONFIG_TYPE_FLOAT) {
            rc = scen_error(err, ps,
                            "'%s' in %s is not a number (a sweep varies "
                            "numbers only)",
                            q->path, s->scenario);
            break;
        }
        q->integer = type != CONFIG_TYPE_FLOAT;
        size_t n = q->n_values ? q->n_values : 2;
        for (size_t i = 0; rc == SIM_OK && i < n; i++) {
            double v = q->n_values ? q->values[i] : i ? q->hi : q->lo;
            if (q->integer && q->n_values && v != floor(v)) {
                rc = scen_error(err, ps,
                                "'%s' is an integer in %s; the grid value %g "
                                "is not",
                                q->path, s->scenario, v);
                break;
            }
            /* Said here in the sweep's terms: scen_set would refuse the
             * rounded value too, but as a --set the user never wrote. 2^63
             * is exact in a double; round(v) below it fits an int64. */
            if (q->integer && !(fabs(round(v)) < 9223372036854775808.0)) {
                rc = scen_error(err, ps,
                                "'%s' is an integer in %s; %s %g is outside "
                                "the 64-bit integer range",
                                q->path, s->scenario,
                                q->n_values ? "the grid value"
                                : i         ? "max"
                                            : "min",
                                v);
                break;
            }
            char a[1200];
            swp_assignment(q, v, a, sizeof a);
            if ((rc = scen_set(base, a, err)) != SIM_OK) {
                char inner[sizeof err->msg];
                snprintf(inner, sizeof inner, "%s", err->msg);
                sim_err_clear(err);
                rc = scen_error(err, ps, "%s", inner);
            }
        }
    }
    scen_free(base);
    return rc;
}

int swp_load(const char *path, swp_spec **out, sim_err *err)
{
    if (path == NULL || out == NULL)
        return sim_err_set(err, SIM_EINVAL, "swp_load: NULL argument");
    scen_doc *doc = NULL;
    int rc = scen_load(path, &doc, err);
    if (rc != SIM_OK)
        return rc;
    swp_spec *s = calloc(1, sizeof *s);
    const config_setting_t *root = scen_root(doc), *plist;
    const char *scenario = NULL;
    size_t np;
    static const char *const top[] = {"sweep", "parameters", NULL};
    if (s == NULL || (s->file = dup_str(path)) == NULL) {
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = read_text(path, &s->text, err)) ||
        (rc = scen_check_keys(root, top, err)) ||
        (rc = read_sweep_group(root, s, &scenario, err)) ||
        (rc = scen_get_list(root, "parameters", 1, SWP_MAX_PARAMS, &plist,
                            &np, err)))
        goto done;
    if ((s->params = calloc(np, sizeof *s->params)) == NULL) {
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < np; k++) {
        const config_setting_t *g = config_setting_get_elem(plist, (unsigned)k);
        s->n_params = k + 1; /* so that swp_free frees what read_param got */
        if ((rc = read_param(g, s, &s->params[k], err)))
            goto done;
        for (size_t i = 0; i < k; i++)
            if (strcmp(s->params[i].path, s->params[k].path) == 0) {
                rc = scen_error(err, config_setting_get_member(g, "path"),
                                "'%s' is varied twice (also parameters.[%zu])",
                                s->params[k].path, i);
                goto done;
            }
    }
    size_t points = swp_points(s);
    if (points > SWP_MAX_POINTS) {
        rc = scen_error(err, plist,
                        "the %s design has %s%zu points; at most %d",
                        swp_design_name(s->design),
                        points == SIZE_MAX ? "more than " : "",
                        points == SIZE_MAX ? (size_t)SWP_MAX_POINTS : points,
                        SWP_MAX_POINTS);
        goto done;
    }
    if ((s->scenario = scen_path_beside(path, scenario)) == NULL) {
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    rc = check_against(
        path, plist,
        config_setting_get_member(config_setting_get_member(root, "sweep"),
                                  "scenario"),
        s, err);
done:
    scen_free(doc);
    if (rc != SIM_OK) {
        swp_free(s);
        return rc;
    }
    *out = s;
    return SIM_OK;
}

void swp_free(swp_spec *s)
{
    if (s == NULL)
        return;
    for (size_t k = 0; s->params && k < s->n_params; k++) {
        free(s->params[k].path);
        free(s->params[k].values);
    }
    free(s->params);
    for (size_t m = 0; s->metrics && m < s->n_metrics; m++)
        free(s->metrics[m]);
    free(s->metrics);
    free(s->metric_lines);
    free(s->file);
    free(s->text);
    free(s->name);
    free(s->scenario);
    free(s);
}
