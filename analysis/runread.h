/* runread.h -- reads back the HDF5 file of one `aims run` (ana_run_*).
 *
 * The reader of analysis/runfile.c: ana_run_read loads every coordinate,
 * data set and root attribute of the layout (runfile.h, docs/output.md)
 * into an ana_run, a plain read-only record, and checks on the way that the
 * file is what it claims to be: aims output (root attribute format =
 * "aims-run"), of a format_version this reader knows, with every data set
 * present, numeric, and shaped by its axes. Anything else is bad input
 * (SIM_EINPUT) with a one-line message that names the file; the same goes
 * for a missing file, a file that is not HDF5 and a truncated or damaged
 * one. A file of format_version 1 (written before the outputs of issue 12:
 * no tokens, segments or large accounts, "final" meaning the last month) is
 * refused with one line saying so, rather than read with half its metrics
 * missing or meaning something else; it is read as far as version 1 goes
 * first, so a damaged old file meets the checks (and the fuzz-found crash
 * files of tests/fixtures/report/ the HDF5 paths) they always did. HDF5's own error stack is never printed (H5Eset_auto2 is turned
 * off, as in h5w.h); its innermost message is quoted when it says more than
 * we can.
 *
 * Root attributes beyond the layout (the outcome of `aims run --precision`,
 * or whatever a later writer adds) are kept in `extra` when they are scalar
 * strings, integers or floats, and ignored otherwise, so that an older
 * reader still opens a newer file of the same format_version.
 *
 * Everything is read whole into memory: a run file is small (a 60-month,
 * 20-replication run is about 1 MB of doubles), and report and compare need
 * every replication of the summaries at once.
 *
 * ana_run_metrics derives the headline metrics of `aims report` and `aims
 * compare` (one value per replication each) from the loaded data sets, so
 * both commands name and compute them the same way.
 */
#ifndef ANA_RUNREAD_H
#define ANA_RUNREAD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The version read: files of format_version 1 (before the outputs of
 * issue 12) are refused with a message that says to run again. */
enum { ANA_RUN_FORMAT_VERSION = 2 };

/* The objects of the layout, for ana_run.desc and ana_run_object_path. */
typedef enum {
    ANA_RUN_TIME,        /* /time (also a "start" attribute) */
    ANA_RUN_REPLICATION, /* /replication */
    ANA_RUN_CHANNEL,     /* /channel */
    ANA_RUN_ACTOR,       /* /actor */
    ANA_RUN_VENDOR,      /* /vendor */
    ANA_RUN_OPTION,      /* /option */
    ANA_RUN_SEGMENT,     /* /segment */
    ANA_RUN_SECTOR,      /* /sector */
    ANA_RUN_ACCOUNT,     /* /account */
    ANA_RUN_OPTION_CHANNEL,      /* /options/channel */
    ANA_RUN_OPTION_VENDOR,       /* /options/vendor */
    ANA_RUN_OPTION_INTERMEDIARY, /* /options/intermediary */
    ANA_RUN_ACCOUNT_SECTOR,      /* /accounts/sector */
    ANA_RUN_CHANNEL_COUNT,
    ANA_RUN_REVENUE,
    ANA_RUN_PAYMENTS,
    ANA_RUN_ADOPTERS,
    ANA_RUN_FRONTIER_ACCESS_SHARE,
    ANA_RUN_SWITCHES,
    ANA_RUN_DETECTIONS,
    ANA_RUN_DAYS_WITHOUT_ACCESS,
    ANA_RUN_CAPABILITY_GAP,
    ANA_RUN_FRONTIER_ACCESS_INDEX,
    ANA_RUN_CHANNEL_COUNT_BY_SECTOR,
    ANA_RUN_TOKENS,
    ANA_RUN_TOKENS_BY_VENDOR,
    ANA_RUN_TOKENS_BY_CHANNEL,
    ANA_RUN_TOKENS_BY_SECTOR,
    ANA_RUN_ACCOUNT_OPTION,
    ANA_RUN_CUMULATIVE_REVENUE,
    ANA_RUN_FINAL_FRONTIER_ACCESS_SHARE,
    ANA_RUN_MONTHS_TO_HALF_ACCESS,
    ANA_RUN_FINAL_FRONTIER_ACCESS_INDEX,
    ANA_RUN_FINAL_CHANNEL_SHARE,
    ANA_RUN_COMPLIANCE_COST,
    ANA_RUN_EVENTS,
    ANA_RUN_N_OBJECTS
} ana_run_object;

/* "/time", "/series/revenue", ...; NULL out of range. */
const char *ana_run_object_path(int obj);

/* The axes of object obj, in order: the names of the coordinates its
 * dimensions follow ("replication", "time", "channel", "actor", "vendor",
 * "option", "segment", "sector", "account"), into axes[0 .. rank). Returns
 * the rank (at most ANA_RUN_MAX_RANK), 0 for obj out of range. */
enum { ANA_RUN_MAX_RANK = 5 };
int ana_run_object_axes(int obj, const char *axes[ANA_RUN_MAX_RANK]);

/* The descriptive attributes of one object; NULL where the file has none. */
typedef struct {
    char *units;
    char *long_name;
} ana_run_desc;

typedef enum {
    ANA_RUN_ATTR_STR,
    ANA_RUN_ATTR_I64,
    ANA_RUN_ATTR_F64
} ana_run_type;

/* A root attribute that is not part of the layout. */
typedef struct {
    char *name;
    ana_run_type type;
    char *s;   /* ANA_RUN_ATTR_STR */
    int64_t i; /* ANA_RUN_ATTR_I64 */
    double f;  /* ANA_RUN_ATTR_F64 */
} ana_run_attr;

/* A loaded run file. Arrays are row-major with the replication first, as
 * in mkt_results: channel_count[(r * months + m) * n_channels + c] is
 * replication r, month m + 1 (0-based m), channel c. */
typedef struct {
    char *path; /* as given to ana_run_read */

    /* Root attributes of the layout. The numbers and format are required;
     * a string the file lacks is NULL. */
    char *format; /* "aims-run" */
    int64_t format_version, seed, replications, horizon_months;
    int64_t final_window_months; /* the "final" metrics' window */
    double frontier_tolerance, frontier_tau; /* points */
    char *aims_version, *git_commit, *scenario_file, *scenario_name;
    char *scenario; /* the resolved scenario text */
    char *start;    /* "YYYY-MM" */
    char *created;  /* ISO 8601, UTC */
    ana_run_attr *extra; /* other scalar root attributes, in HDF5's order
                            (by name) */
    size_t n_extra;

    /* Coordinates: the lengths of the axes and their values. */
    size_t reps, months, n_channels, n_actors;
    size_t n_vendors, n_options, n_segments, n_sectors, n_accounts;
    int64_t *replication; /* [reps] */
    double *time;         /* [months], 1 .. H */
    char *time_start;     /* /time's "start" attribute; NULL if absent */
    char **channels;      /* [n_channels] */
    char **actors;        /* [n_actors] */
    char **vendors;       /* [n_vendors] */
    char **options;       /* [n_options] "offshore openai via azure_global" */
    char **segments;      /* [n_segments] "ordinary", "large" */
    char **sectors;       /* [n_sectors] */
    char **accounts;      /* [n_accounts] */

    /* The option table and the large accounts' sectors. */
    char **option_channel;      /* [n_options] */
    char **option_vendor;       /* [n_options] */
    char **option_intermediary; /* [n_options], "" for none */
    char **account_sector;      /* [n_accounts] */

    /* /series: one value per replication and month. */
    double *channel_count;         /* [reps][months][n_channels] */
    double *revenue;               /* [reps][months][n_actors] */
    double *payments;              /* [reps][months] */
    double *adopters;              /* [reps][months] */
    double *frontier_access_share; /* [reps][months] */
    double *switches;              /* [reps][months] */
    double *detections;            /* [reps][months] */
    double *days_without_access;   /* [reps][months] */
    double *capability_gap;        /* [reps][months], NaN: none */
    double *frontier_access_index; /* [reps][months], NaN: no adopters */
    double *channel_count_by_sector; /* [reps][months][n_segments]
                                        [n_sectors][n_channels] */
    double *tokens;            /* [reps][months][n_options][n_segments]
                                  [n_sectors] */
    double *tokens_by_vendor;  /* [reps][months][n_vendors] */
    double *tokens_by_channel; /* [reps][months][n_channels] */
    double *tokens_by_sector;  /* [reps][months][n_segments][n_sectors] */
    int64_t *account_option;   /* [reps][months][n_accounts]: an option
                                  index, -1 waiting, -2 none */

    /* /summary: one value per replication. */
    double *cumulative_revenue;          /* [reps][n_actors] */
    double *final_frontier_access_share; /* [reps] */
    double *months_to_half_access;       /* [reps], NaN: never */
    double *final_frontier_access_index; /* [reps] */
    double *final_channel_share;         /* [reps][n_channels] */
    double *compliance_cost;             /* [reps][months][n_actors] */
    int64_t *events;                     /* [reps] */

    ana_run_desc desc[ANA_RUN_N_OBJECTS]; /* units, long_name by object */
} ana_run;

/* Loads the run file at path. Sets *out only on success (free with
 * ana_run_free). Errors, each a one-line message starting "PATH: ":
 * SIM_EINPUT for a missing or unreadable file, a file that is not HDF5, a
 * truncated or damaged one, one that is not aims output or is of a newer
 * format_version, and a missing or misshapen object; SIM_ENOMEM. */
int ana_run_read(const char *path, ana_run **out, sim_err *err);

void ana_run_free(ana_run *run); /* NULL is a no-op */

/* The extra root attribute called name, or NULL. Borrowed, valid until
 * ana_run_free. */
const ana_run_attr *ana_run_extra(const ana_run *run, const char *name);

/* ---- headline metrics ------------------------------------------------- */

/* One value per replication of a headline metric. */
typedef struct {
    char *name;        /* e.g. "cumulative_revenue:21vianet" */
    const char *units; /* "1", "USD" or "months" */
    double *x;         /* [reps]; NaN where it is not defined */
} ana_run_metric;

/* The headline metrics of run, in this order:
 *   final_frontier_access_share   /summary/final_frontier_access_share
 *   final_frontier_access_index   /summary/final_frontier_access_index
 *   final_channel_share:CHANNEL   /summary/final_channel_share, for each
 *                                 channel in the file's order ("none": the
 *                                 adopters with no option, not waiting)
 *   cumulative_revenue:ACTOR      for each actor, in the file's order
 *   months_to_half_access         NaN where access never halved
 * The "final" ones are means over the last final_window_months months.
 * The names are those of `aims run --precision` (runner/precision.h). Sets
 * *out to a new array of *n metrics (free with ana_run_metrics_free).
 * Errors: SIM_ENOMEM. */
int ana_run_metrics(const ana_run *run, ana_run_metric **out, size_t *n,
                    sim_err *err);

void ana_run_metrics_free(ana_run_metric *m, size_t n); /* NULL is ok */

#endif
