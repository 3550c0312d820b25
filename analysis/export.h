/* export.h -- an aims HDF5 file as one CSV table (ana_export_*), for
 * `aims export` and for anyone who reads results with pandas, R or a
 * spreadsheet rather than HDF5.
 *
 * The long ("tidy") form has one row per value, and these columns, in this
 * order, each only when some exported value has it (a run has no point, a
 * sweep no time):
 *
 *   scenario     a run's scenario_name; a sweep's name
 *   point        the sweep point (design row)
 *   status       ok, failed, not_run (the point's /points/status)
 *   PARAM...     one column per sweep parameter, named by its --set path
 *   replication
 *   variable     the data set's name: a run's /summary/NAME or /series/NAME;
 *                a sweep metric NAME:LABEL is split into its NAME and the
 *                LABEL in the column of its axis (cumulative_revenue:openai
 *                becomes cumulative_revenue, actor openai), so run and
 *                sweep tables name the same thing the same way
 *   time, date   the month (1 .. H) and its calendar month, YYYY-MM
 *   channel, actor, vendor, option, segment, sector, account
 *                the other coordinates; empty where a value has none
 *   value        the number: doubles as the shortest of %.15g and %.17g
 *                that reads back as the same double, integers as
 *                integers, NaN as "NaN" (pandas and R both read it)
 *   unit         the data set's "units" attribute
 *
 * Rows come variable by variable (summaries first, then series; each
 * group's variables by name, as HDF5 lists them), and within one in the
 * order of the data set's elements (C order). The wide form has one row
 * per replication (a run) or per point and replication (a sweep) and one
 * column per summary value, named NAME or NAME:LABEL as `aims report`
 * names metrics; it holds summaries only. analysis/aims_data.py's tidy()
 * builds the same table from Python (the test suite checks they agree).
 *
 * The decision log of the agents (/agents) and the Sobol indices
 * (/sensitivity) are tables of another shape and are not exported.
 *
 * Each kind of file is one entry of a table in export.c, chosen by the
 * file's root "format" attribute; a new kind (calibration files) is a new
 * entry.
 */
#ifndef ANA_EXPORT_H
#define ANA_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"

enum {
    ANA_EXPORT_SUMMARIES = 1, /* per-replication values */
    ANA_EXPORT_SERIES = 2,    /* monthly values (run files only) */
    ANA_EXPORT_ALL = ANA_EXPORT_SUMMARIES | ANA_EXPORT_SERIES
};

typedef struct {
    unsigned parts; /* ANA_EXPORT_* bits; 0: all the file has (summaries
                       only in the wide form) */
    bool wide;      /* one column per value; summaries only */
    /* Called, when not NULL, once the file is read and before the table is
     * written: `aims export` disarms its read watchdog there, so a slow
     * reader of the table (a pager on the pipe) is not taken for a damaged
     * file. */
    void (*read_done)(void);
} ana_export_opts;

/* Writes the file at path to out as CSV (RFC 4180, header row first).
 * Errors: SIM_EINPUT for a file that is not a readable aims file of a kind
 * this version exports (one line naming the file), SIM_EINVAL for options
 * the file cannot honour (series of a sweep; wide series), SIM_EIO when out
 * cannot be written (errno is kept for the caller), SIM_ENOMEM. */
int ana_export_csv(const char *path, const ana_export_opts *opts, FILE *out,
                   sim_err *err);

#endif
