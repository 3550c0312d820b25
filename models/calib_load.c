/* calib_load.c -- reads and checks a calibration file and its target files
 * (calib.h). Everything that can be refused is refused here, before a
 * single model run: a calibration that fails after an hour of runs on a
 * typo in a target is the failure this loader exists to prevent.
 *
 * The scenario is loaded once with the file's `set` list applied, to check
 * every parameter path (a numeric setting; both ends of its prior can be
 * set) and to resolve the targets against the model's names.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib_internal.h"
#include "scen.h"

const char *cal_method_name(cal_method m)
{
    return m == CAL_SMM ? "smm" : "abc_smc";
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

void cal_assignment(const cal_param *q, double v, char *buf, size_t n)
{
    scen_fmt_assignment(buf, n, q->path, q->integer, v);
}

static int load_doc(const cal_spec *s, scen_doc **out, sim_err *err)
{
    scen_doc *doc = NULL;
    int rc = scen_load(s->scenario, &doc, err);
    for (size_t i = 0; rc == SIM_OK && i < s->n_sets; i++)
        rc = scen_set(doc, s->sets[i], err);
    if (rc != SIM_OK) {
        scen_free(doc);
        return rc;
    }
    *out = doc;
    return SIM_OK;
}

int cal_model(const cal_spec *s, const double *x, mkt_params **out,
              sim_err *err)
{
    scen_doc *doc = NULL;
    int rc = load_doc(s, &doc, err);
    for (size_t k = 0; rc == SIM_OK && k < s->n_params; k++) {
        char a[1200];
        cal_assignment(&s->params[k], x[k], a, sizeof a);
        rc = scen_set(doc, a, err);
    }
    if (rc == SIM_OK)
        rc = mkt_load(doc, out, err);
    scen_free(doc);
    return rc;
}

static int read_param(const config_setting_t *g, size_t k, scen_doc *base,
                      const char *scen_name, cal_param *q, sim_err *err)
{
    static const char *const keys[] = {"path", "min", "max", "prior", NULL};
    static const char *const priors[] = {"uniform", "log_uniform", NULL};
    const char *path;
    size_t prior = 0;
    int rc;
    if ((rc = scen_as_group(g, err)) || (rc = scen_check_keys(g, keys, err)) ||
        (rc = scen_get_string(g, "path", &path, err)) ||
        (rc = scen_get_number(g, "min", -HUGE_VAL, HUGE_VAL, &q->lo, err)) ||
        (rc = scen_get_number(g, "max", -HUGE_VAL, HUGE_VAL, &q->hi, err)))
        return rc;
    if (scen_has(g, "prior") &&
        (rc = scen_get_enum(g, "prior", priors, &prior, err)))
        return rc;
    q->line = config_setting_source_line(g);
    q->log = prior == 1;
    if ((q->path = cal__strdup(path)) == NULL)
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    if (!(q->lo < q->hi))
        return scen_error(err, config_setting_get_member(g, "max"),
                          "empty prior range: expected max > min (%g), "
                          "got %g",
                          q->lo, q->hi);
    if (q->log && !(q->lo > 0))
        return scen_error(err, config_setting_get_member(g, "min"),
                          "a log_uniform prior needs min > 0, got %g", q->lo);
    const config_setting_t *ps = config_setting_get_member(g, "path");
    char ctx[1200];
    snprintf(ctx, sizeof ctx, "%s:%d: parameters.[%zu].path",
             config_setting_source_file(ps) ? config_setting_source_file(ps)
                                            : "?",
             config_setting_source_line(ps), k);
    const config_setting_t *t;
    if ((rc = scen_lookup(base, path, ctx, &t, err)) != SIM_OK)
        return rc;
    int type = config_setting_type(t);
    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64 &&
        type != CONFIG_TYPE_FLOAT)
        return scen_error(err, ps,
                          "'%s' in %s is not a number (a calibration fits "
                          "numbers only)",
                          path, scen_name);
    q->integer = type != CONFIG_TYPE_FLOAT;
    for (int i = 0; i < 2; i++) {
        char a[1200];
        cal_assignment(q, i ? q->hi : q->lo, a, sizeof a);
        if ((rc = scen_set(base, a, err)) != SIM_OK) {
            char inner[sizeof err->msg];
            snprintf(inner, sizeof inner, "%s", err->msg);
            sim_err_clear(err);
            return scen_error(err, ps, "%s", inner);
        }
    }
    return SIM_OK;
}

static int read_abc(const config_setting_t *root, cal_spec *s, sim_err *err)
{
    static const char *const keys[] = {"particles",  "generations",
                                       "quantile",   "tolerances",
                                       "min_acceptance", "batch", NULL};
    const config_setting_t *g = config_setting_get_member(root, "abc");
    s->particles = 100;
    s->generations = 3;
    s->quantile = 0.5;
    s->min_acceptance = 0.01;
    if (g == NULL)
        return SIM_OK;
    int64_t v;
    int rc;
    if ((rc = scen_as_group(g, err)) || (rc = scen_check_keys(g, keys, err)))
        return rc;
    if (scen_has(g, "particles")) {
        if ((rc = scen_get_int(g, "particles", 2, 1000000, &v, err)))
            return rc;
        s->particles = (size_t)v;
    }
    if (scen_has(g, "generations")) {
        if ((rc = scen_get_int(g, "generations", 1, 1000, &v, err)))
            return rc;
        s->generations = (size_t)v;
    }
    if (scen_has(g, "batch")) {
        if ((rc = scen_get_int(g, "batch", 1, 1000000, &v, err)))
            return rc;
        s->batch = (size_t)v;
    }
    if (scen_has(g, "min_acceptance") &&
        (rc = scen_get_number(g, "min_acceptance", 1e-6, 1,
                              &s->min_acceptance, err)))
        return rc;
    if (scen_has(g, "quantile") && scen_has(g, "tolerances"))
        return scen_error(err, g,
                          "give quantile (adaptive tolerances) or tolerances "
                          "(a fixed schedule), not both");
    if (scen_has(g, "quantile")) {
        if ((rc = scen_get_number(g, "quantile", -HUGE_VAL, HUGE_VAL,
                                  &s->quantile, err)))
            return rc;
        if (!(s->quantile > 0 && s->quantile < 1))
            return scen_error(err, config_setting_get_member(g, "quantile"),
                              "the tolerance cannot shrink: expected a "
                              "quantile in (0, 1), got %g",
                              s->quantile);
    }
    if (scen_has(g, "tolerances")) {
        const config_setting_t *l;
        size_t n;
        if ((rc = scen_get_list(g, "tolerances", 1, 1000, &l, &n, err)))
            return rc;
        if (n != s->generations)
            return scen_error(err, l,
                              "expected one tolerance per generation (%zu), "
                              "got %zu",
                              s->generations, n);
        if ((s->tolerances = calloc(n, sizeof *s->tolerances)) == NULL)
            return sim_err_set(err, SIM_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(l,
                                                                (unsigned)i);
            if ((rc = scen_as_number(e, 0, HUGE_VAL, &s->tolerances[i], err)))
                return rc;
            if (i > 0 && !(s->tolerances[i] < s->tolerances[i - 1]))
                return scen_error(err, e,
                                  "the tolerance schedule cannot shrink: "
                                  "expected a value below %g (the one "
                                  "before), got %g",
                                  s->tolerances[i - 1], s->tolerances[i]);
        }
        s->quantile = 0;
    }
    return SIM_OK;
}

static int read_smm(const config_setting_t *root, cal_spec *s, sim_err *err)
{
    static const char *const keys[] = {"max_evaluations", "tolerance", "step",
                                       NULL};
    const config_setting_t *g = config_setting_get_member(root, "smm");
    s->max_evals = 200;
    s->smm_tol = 1e-3;
    s->smm_step = 0.1;
    if (g == NULL)
        return SIM_OK;
    int rc;
    int64_t v;
    if ((rc = scen_as_group(g, err)) || (rc = scen_check_keys(g, keys, err)))
        return rc;
    if (scen_has(g, "max_evaluations")) {
        if ((rc = scen_get_int(g, "max_evaluations", 1, 1000000, &v, err)))
            return rc;
        s->max_evals = (size_t)v;
    }
    if (scen_has(g, "tolerance") &&
        (rc = scen_get_number(g, "tolerance", 1e-12, 1e6, &s->smm_tol, err)))
        return rc;
    if (scen_has(g, "step") &&
        (rc = scen_get_number(g, "step", 1e-6, 1, &s->smm_step, err)))
        return rc;
    return SIM_OK;
}

/* The targets of one file, appended to s->targets. */
static int read_target_file(cal_spec *s, const config_setting_t *fname,
                            const char *path, const mkt_params *p,
                            sim_err *err)
{
    scen_doc *doc = NULL;
    int rc = scen_load(path, &doc, err);
    if (rc != SIM_OK) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        sim_err_clear(err);
        return scen_error(err, fname, "the target file does not load: %s",
                          inner);
    }
    static const char *const top[] = {"targets", NULL};
    const config_setting_t *root = scen_root(doc), *l;
    size_t n;
    char *text = NULL;
    if ((rc = scen_check_keys(root, top, err)) ||
        (rc = scen_get_list(root, "targets", 1, CAL_MAX_TARGETS, &l, &n,
                            err)) ||
        (rc = scen_text(doc, &text, err)))
        goto done;
    s->target_texts[s->n_target_files] = text;
    cal_target *grown = realloc(s->targets,
                                (s->n_targets + n) * sizeof *grown);
    if (grown == NULL) {
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    s->targets = grown;
    for (size_t i = 0; i < n && rc == SIM_OK; i++) {
        const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
        cal_target *t = &s->targets[s->n_targets];
        memset(t, 0, sizeof *t);
        s->n_targets++;
        if (s->n_targets > CAL_MAX_TARGETS) {
            rc = scen_error(err, g, "more than %d targets in all",
                            CAL_MAX_TARGETS);
            break;
        }
        if ((rc = cal__target_read(g, p, t, err)) != SIM_OK)
            break;
        if ((t->file = cal__strdup(path)) == NULL) {
            rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
            break;
        }
        const char *sc;
        if (scen_has(g, "scenario") &&
            (rc = scen_get_string(g, "scenario", &sc, err)) == SIM_OK &&
            strcmp(base_name(sc), base_name(s->scenario)) != 0)
            rc = scen_error(err, config_setting_get_member(g, "scenario"),
                            "this target is of scenario \"%s\"; a "
                            "calibration fits one scenario (%s)",
                            sc, base_name(s->scenario));
        for (size_t j = 0; rc == SIM_OK && j + 1 < s->n_targets; j++)
            if (strcmp(s->targets[j].id, t->id) == 0)
                rc = scen_error(err, config_setting_get_member(g, "id"),
                                "target '%s' is defined twice (also %s:%d)",
                                t->id, s->targets[j].file,
                                s->targets[j].line);
        if (rc == SIM_OK && !t->held_out)
            s->n_fitted++;
    }
done:
    scen_free(doc);
    return rc;
}

static int read_all(scen_doc *doc, cal_spec *s, sim_err *err)
{
    static const char *const top[] = {"calibration", "parameters", "abc",
                                      "smm", NULL};
    static const char *const keys[] = {"name",    "scenario", "targets",
                                       "method",  "replications", "seed",
                                       "set",     NULL};
    static const char *const methods[] = {"abc_smc", "smm", NULL};
    const config_setting_t *root = scen_root(doc), *g, *l;
    const char *name, *scen;
    size_t method, n;
    int64_t v;
    int rc;
    if ((rc = scen_check_keys(root, top, err)) ||
        (rc = scen_get_group(root, "calibration", &g, err)) ||
        (rc = scen_check_keys(g, keys, err)) ||
        (rc = scen_get_string(g, "name", &name, err)) ||
        (rc = scen_get_string(g, "scenario", &scen, err)) ||
        (rc = scen_get_enum(g, "method", methods, &method, err)) ||
        (rc = scen_get_int(g, "replications", 1, 100000, &v, err)))
        return rc;
    s->reps = (size_t)v;
    if ((rc = scen_get_int(g, "seed", 0, INT64_MAX, &v, err)))
        return rc;
    s->seed = (uint64_t)v;
    s->method = (cal_method)method;
    if (!(s->name = cal__strdup(name)) ||
        !(s->scenario = scen_path_beside(s->file, scen)))
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    if (scen_has(g, "set")) {
        if ((rc = scen_get_list(g, "set", 0, 1000, &l, &n, err)))
            return rc;
        if ((s->sets = calloc(n ? n : 1, sizeof *s->sets)) == NULL)
            return sim_err_set(err, SIM_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            const char *a;
            if ((rc = scen_as_string(config_setting_get_elem(l, (unsigned)i),
                                     &a, err)))
                return rc;
            if ((s->sets[i] = cal__strdup(a)) == NULL)
                return sim_err_set(err, SIM_ENOMEM, "out of memory");
            s->n_sets++;
        }
    }
    if ((rc = read_abc(root, s, err)) || (rc = read_smm(root, s, err)))
        return rc;
    if (s->batch == 0)
        s->batch = s->particles;
    /* The scenario as the calibration runs it. */
    scen_doc *base = NULL;
    if ((rc = load_doc(s, &base, err)) != SIM_OK) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        sim_err_clear(err);
        return scen_error(err, config_setting_get_member(g, "scenario"),
                          "the scenario does not load: %s", inner);
    }
    mkt_params *p = NULL;
    if ((rc = mkt_load(base, &p, err)) != SIM_OK) {
        char inner[sizeof err->msg];
        snprintf(inner, sizeof inner, "%s", err->msg);
        sim_err_clear(err);
        rc = scen_error(err, config_setting_get_member(g, "scenario"),
                        "the scenario does not load: %s", inner);
        goto done;
    }
    const config_setting_t *pl;
    if ((rc = scen_get_list(root, "parameters", 1, CAL_MAX_PARAMS, &pl, &n,
                            err)))
        goto done;
    if ((s->params = calloc(n, sizeof *s->params)) == NULL) {
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n && rc == SIM_OK; k++) {
        s->n_params++;
        rc = read_param(config_setting_get_elem(pl, (unsigned)k), k, base,
                        s->scenario, &s->params[k], err);
        for (size_t j = 0; rc == SIM_OK && j < k; j++)
            if (strcmp(s->params[j].path, s->params[k].path) == 0)
                rc = scen_error(err, config_setting_get_elem(pl, (unsigned)k),
                                "'%s' is fitted twice", s->params[k].path);
    }
    if (rc != SIM_OK)
        goto done;
    if ((rc = scen_get_list(g, "targets", 1, 64, &l, &n, err)))
        goto done;
    s->target_files = calloc(n, sizeof *s->target_files);
    s->target_texts = calloc(n, sizeof *s->target_texts);
    if (s->target_files == NULL || s->target_texts == NULL) {
        rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n && rc == SIM_OK; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *f;
        if ((rc = scen_as_string(e, &f, err)))
            break;
        if ((s->target_files[i] = scen_path_beside(s->file, f)) == NULL) {
            rc = sim_err_set(err, SIM_ENOMEM, "out of memory");
            break;
        }
        rc = read_target_file(s, e, s->target_files[i], p, err);
        s->n_target_files++;
    }
    if (rc == SIM_OK && s->n_fitted == 0)
        rc = scen_error(err, config_setting_get_member(g, "targets"),
                        "every target is held out: nothing to fit");
done:
    mkt_params_free(p);
    scen_free(base);
    return rc;
}

int cal_load(const char *path, cal_spec **out, sim_err *err)
{
    if (path == NULL || out == NULL)
        return sim_err_set(err, SIM_EINVAL, "cal_load: NULL argument");
    scen_doc *doc = NULL;
    int rc = scen_load(path, &doc, err);
    if (rc != SIM_OK)
        return rc;
    cal_spec *s = calloc(1, sizeof *s);
    if (s == NULL || !(s->file = cal__strdup(path))) {
        free(s);
        scen_free(doc);
        return sim_err_set(err, SIM_ENOMEM, "out of memory");
    }
    rc = scen_text(doc, &s->text, err);
    if (rc == SIM_OK)
        rc = read_all(doc, s, err);
    scen_free(doc);
    if (rc != SIM_OK) {
        cal_free(s);
        return rc;
    }
    *out = s;
    return SIM_OK;
}

void cal_free(cal_spec *s)
{
    if (s == NULL)
        return;
    free(s->file);
    free(s->text);
    free(s->name);
    free(s->scenario);
    for (size_t i = 0; i < s->n_sets; i++)
        free(s->sets[i]);
    free(s->sets);
    for (size_t i = 0; i < s->n_target_files; i++) {
        free(s->target_files[i]);
        free(s->target_texts[i]);
    }
    free(s->target_files);
    free(s->target_texts);
    for (size_t k = 0; k < s->n_params; k++)
        free(s->params[k].path);
    free(s->params);
    for (size_t t = 0; t < s->n_targets; t++)
        cal__target_fini(&s->targets[t]);
    free(s->targets);
    free(s->tolerances);
    free(s);
}
