/* runread_agents.c -- reads a run file's /agents group (runread_agents.h):
 * the price series and the decision log, checked against each other and
 * the file's axes with the h5r helpers, so a damaged group is a message,
 * never a crash.
 */
#include "runread_agents.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "h5r.h"

void ana_run_agents_free(ana_run_agents *a)
{
    if (a == NULL)
        return;
    ana_h5r_free_strings(a->vendors, a->n_vendors);
    free(a->price);
    free(a->rep);
    free(a->month);
    ana_h5r_free_strings(a->agent, a->n_log);
    ana_h5r_free_strings(a->decision, a->n_log);
    free(a->value);
    free(a);
}

static int read_group(ana_h5r *h, ana_run_agents *a)
{
    size_t got[3], n = 0;
    size_t any1[1] = {SIZE_MAX};
    int64_t *reps = NULL;
    double *time = NULL;
    int rc = ana_h5r_read_numbers(h, "/replication", H5T_NATIVE_INT64, 1, any1,
                                  got, (void **)&reps);
    free(reps);
    if (rc != SIM_OK)
        return rc;
    a->reps = got[0];
    if ((rc = ana_h5r_read_numbers(h, "/time", H5T_NATIVE_DOUBLE, 1, any1, got,
                                   (void **)&time)) != SIM_OK)
        return rc;
    free(time);
    a->months = got[0];
    if ((rc = ana_h5r_read_strings(h, "/agents/vendor", SIZE_MAX, &a->vendors,
                                   &a->n_vendors)) != SIM_OK)
        return rc;
    size_t want3[3] = {a->reps, a->months, a->n_vendors};
    if ((rc = ana_h5r_read_numbers(h, "/agents/price", H5T_NATIVE_DOUBLE, 3,
                                   want3, got, (void **)&a->price)) != SIM_OK)
        return rc;
    if ((rc = ana_h5r_read_numbers(h, "/agents/log/entry", H5T_NATIVE_INT64, 1,
                                   any1, got, (void **)&a->rep)) != SIM_OK)
        return rc;
    free(a->rep);
    a->rep = NULL;
    a->n_log = got[0];
    size_t want1[1] = {a->n_log};
    if ((rc = ana_h5r_read_numbers(h, "/agents/log/rep", H5T_NATIVE_INT64, 1,
                                   want1, got, (void **)&a->rep)) ||
        (rc = ana_h5r_read_numbers(h, "/agents/log/month", H5T_NATIVE_DOUBLE,
                                   1, want1, got, (void **)&a->month)) ||
        (rc = ana_h5r_read_numbers(h, "/agents/log/value", H5T_NATIVE_DOUBLE,
                                   1, want1, got, (void **)&a->value)))
        return rc;
    char **s = NULL;
    if ((rc = ana_h5r_read_strings(h, "/agents/log/agent", a->n_log, &s, &n)))
        return rc;
    a->agent = s;
    if ((rc = ana_h5r_read_strings(h, "/agents/log/decision", a->n_log, &s,
                                   &n)))
        return rc;
    a->decision = s;
    for (size_t k = 0; k < a->n_log; k++)
        if (a->rep[k] < 0 || (uint64_t)a->rep[k] >= a->reps)
            return ana_h5r_fail(h, "/agents/log/rep: a replication the file "
                                   "does not have");
    return SIM_OK;
}

int ana_run_agents_read(const char *path, ana_run_agents **out, sim_err *err)
{
    ana_h5r h;
    int rc = ana_h5r_open(&h, path, "an aims run file", err);
    if (rc != SIM_OK)
        return rc;
    ana_run_agents *a = calloc(1, sizeof *a);
    if (a == NULL)
        return ana_h5r_close(&h, ana_h5r_no_memory(&h));
    htri_t there = H5Lexists(h.file, "/agents", H5P_DEFAULT);
    if (there < 0)
        rc = ana_h5r_fail(&h, "cannot look for /agents");
    else if (there > 0) {
        a->present = true;
        rc = read_group(&h, a);
    }
    rc = ana_h5r_close(&h, rc);
    if (rc != SIM_OK) {
        ana_run_agents_free(a);
        return rc;
    }
    *out = a;
    return SIM_OK;
}

void ana_run_agents_first_action(const ana_run_agents *a, double *x)
{
    for (size_t r = 0; r < a->reps; r++)
        x[r] = (double)NAN;
    for (size_t k = 0; k < a->n_log; k++) {
        if (strcmp(a->agent[k], "commerce") != 0 &&
            strcmp(a->agent[k], "cac") != 0)
            continue;
        size_t r = (size_t)a->rep[k];
        if (isnan(x[r]) || a->month[k] < x[r])
            x[r] = a->month[k];
    }
}
