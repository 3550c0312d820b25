/* runfile.h -- the HDF5 file of one `aims run` (ana_runfile_*).
 *
 * The layout (docs/output.md is the reference for users; format_version 2):
 *
 *   coordinates (dimension scales):
 *   /time          float64 [time]   months from the start, 1 .. H (the end
 *                                   of each month); attrs units = "months",
 *                                   start = "YYYY-MM", long_name
 *   /replication   int64 [replication]  0 .. R-1
 *   /channel       string [channel]     none, waiting, direct, onshore,
 *                                       offshore, gray, domestic
 *   /actor         string [actor]       mkt_params.actors
 *   /vendor        string [vendor]      vendor ids
 *   /option        string [option]      "offshore openai via azure_global",
 *                                       mkt_option_table's order
 *   /segment       string [segment]     ordinary, large
 *   /sector        string [sector]      sector names
 *   /account       string [account]     large accounts, sector by sector
 *   tables:
 *   /options/channel, /options/vendor, /options/intermediary  string
 *                  [option] ("" intermediary: none)
 *   /accounts/sector  string [account]
 *   /series/channel_count         float64 [replication, time, channel] firms
 *   /series/revenue               float64 [replication, time, actor]
 *                                 "USD per month"
 *   /series/payments              float64 [replication, time] "USD per month"
 *   /series/adopters              float64 [replication, time] firms
 *   /series/frontier_access_share float64 [replication, time] "1"
 *   /series/switches              float64 [replication, time] "firms per month"
 *   /series/detections            float64 [replication, time] "firms per month"
 *   /series/days_without_access   float64 [replication, time]
 *                                 "firm-days per month"
 *   /series/capability_gap        float64 [replication, time] "points"
 *   /series/frontier_access_index float64 [replication, time] "1"
 *   /series/channel_count_by_sector  float64 [replication, time, segment,
 *                                 sector, channel] firms
 *   /series/tokens                float64 [replication, time, option,
 *                                 segment, sector] "Mtok per month"
 *   /series/tokens_by_vendor      float64 [replication, time, vendor]
 *   /series/tokens_by_channel     float64 [replication, time, channel]
 *   /series/tokens_by_sector      float64 [replication, time, segment,
 *                                 sector] (the three: "Mtok per month")
 *   /series/compliance_cost       float64 [replication, time, actor]: costs
 *                                 of rules each actor carried (its expense)
 *   /series/account_option        int64 [replication, time, account] "1":
 *                                 an /option index, -1 waiting, -2 none
 *                                 (attrs flag_values, flag_meanings)
 *   /summary/cumulative_revenue           float64 [replication, actor] USD
 *   /summary/final_frontier_access_share  float64 [replication] "1"
 *   /summary/final_frontier_access_index  float64 [replication] "1"
 *   /summary/final_channel_share          float64 [replication, channel] "1"
 *                                         (finals: means over the last
 *                                         final_window_months months)
 *   /summary/months_to_half_access        float64 [replication] months
 *                                         (NaN: never)
 *   /summary/events                       int64 [replication] "events"
 *                                         (handled by the engine)
 *
 * Every data set has a units attribute and a long_name attribute (one line
 * saying what it is). Root attributes: aims_version, git_commit, scenario (the
 * resolved text), scenario_file, scenario_name, seed (int64), replications
 * (int64), horizon_months (int64), start, final_window_months (int64),
 * frontier_tolerance and frontier_tau (float64), created (ISO 8601 UTC, the
 * only one that differs between two runs of the same command), format =
 * "aims-run", format_version = 2 (int64).
 *
 * Rows (replications) are written as they finish, in any order; the file
 * appears at its path only at ana_runfile_commit (analysis/h5w.h).
 */
#ifndef ANA_RUNFILE_H
#define ANA_RUNFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "mkt.h"

typedef struct ana_runfile ana_runfile;

typedef struct {
    const mkt_params *params;
    const char *scenario_file; /* as given on the command line */
    const char *scenario_text; /* scen_text(): resolved, overrides applied */
    uint64_t seed;
    uint32_t replications;
    const char *aims_version;  /* e.g. "0.3.0" */
    const char *git_commit;    /* hash, or "unknown" */
} ana_run_meta;

/* Starts the file (ana_h5w_new: refuses an existing target unless force, a
 * missing or unwritable directory), writes the scales and attributes and
 * defines every data set. Sets *out only on success. Errors: SIM_EINVAL
 * (NULL meta, params or string field; replications or horizon_months 0;
 * final_window_months outside 1 .. horizon_months; a seed above 2^63 - 1;
 * the target exists), SIM_EIO, SIM_ENOMEM; nothing is
 * left on disk. */
int ana_runfile_new(const char *path, bool force, const ana_run_meta *meta,
                    ana_runfile **out, sim_err *err);

/* Writes replication rep's rows (r made by mkt_results_init for the same
 * params) into every data set; putting a replication again overwrites it.
 * SIM_EINVAL, with nothing written, for rep >= replications, results of
 * another shape than the params' (months, actors, vendors, options, sectors,
 * large accounts), or r->events above INT64_MAX. Not thread-safe: callers serialise. */
int ana_runfile_put(ana_runfile *f, uint32_t rep, const mkt_results *r,
                    sim_err *err);

/* Extra root attributes, for what a command adds beyond the layout (the
 * outcome of `aims run --precision`, say). Replaces one of the same name.
 * Errors as ana_h5w_attr_*. */
int ana_runfile_attr_str(ana_runfile *f, const char *name, const char *value,
                         sim_err *err);
int ana_runfile_attr_f64(ana_runfile *f, const char *name, double value,
                         sim_err *err);
int ana_runfile_attr_i64(ana_runfile *f, const char *name, int64_t value,
                         sim_err *err);

/* ana_h5w_commit: the file appears at its path, complete, or not at all.
 * Refuses (SIM_EINVAL, "PATH: 1 of 20 replications never written (first:
 * 7); file not committed") unless every replication was put. Success or
 * not, the file is finished: later puts and commits fail. */
int ana_runfile_commit(ana_runfile *f, sim_err *err);

/* The hidden temporary, for a signal handler to unlink (ana_h5w_tmp_path). */
const char *ana_runfile_tmp_path(const ana_runfile *f);

void ana_runfile_free(ana_runfile *f); /* aborts if not committed; NULL ok */

#endif
