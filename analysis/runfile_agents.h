/* runfile_agents.h -- the deciding agents' part of the run file
 * (ana_runfile_agents_*), written beside analysis/runfile.c's layout.
 *
 *   /agents/vendor        string [vendor]        vendor ids
 *   /agents/intermediary  string [intermediary]  intermediary ids
 *   /agents/rule          string [rule]          kyc, commerce,
 *                                                approval_prob, cac_filing,
 *                                                enforcement, stance
 *   /agents/indicator     string [indicator]     us_frontier_access,
 *                                                gray_volume, detections,
 *                                                gray_share
 *   /agents/price           float64 [replication, time, vendor]
 *                           "USD per Mtok": list price at the month end
 *   /agents/markup          float64 [replication, time, intermediary] "1"
 *   /agents/capacity        float64 [replication, time, intermediary]
 *                           "firms": onboarded at once
 *   /agents/rule_state      float64 [replication, time, rule]
 *   /agents/indicator_value float64 [replication, time, indicator]
 *   /agents/log/entry       int64 [entry]  0 .. N-1 (a dimension scale)
 *   /agents/log/rep         int64 [entry]  replication
 *   /agents/log/month       float64 [entry] months from the start
 *   /agents/log/agent       string [entry] a vendor or intermediary id,
 *                                          "commerce" or "cac"
 *   /agents/log/decision    string [entry] mkt_decision_name
 *   /agents/log/value       float64 [entry] (what it means: mkt_agents.h)
 *
 * The series are written per replication as they finish; the log, whose
 * length is known only at the end, is kept in memory and written at
 * ana_runfile_agents_finish, sorted by replication (each replication's
 * entries in the order they were decided), so the file is the same for any
 * number of threads. xarray reads the series with
 * open_dataset(f, group="agents") and the log with group="agents/log"
 * (docs/output.md).
 */
#ifndef ANA_RUNFILE_AGENTS_H
#define ANA_RUNFILE_AGENTS_H

#include <stdint.h>

#include "err.h"
#include "h5w.h"
#include "mkt.h"

typedef struct ana_runfile_agents ana_runfile_agents;

/* Defines the scales and series in w (whose /replication and /time scales
 * exist) for p and reps replications. Sets *out only on success. */
int ana_runfile_agents_new(ana_h5w *w, const mkt_params *p, uint32_t reps,
                           ana_runfile_agents **out, sim_err *err);

/* Checks d against the layout (NULL is fine: a replication without a
 * record gets NaN series and no log); SIM_EINVAL names what differs. */
int ana_runfile_agents_check(const ana_runfile_agents *a, uint32_t rep,
                             const mkt_decisions *d, sim_err *err);

/* Writes replication rep's series and keeps its log (replacing what an
 * earlier put of rep kept). Call after ana_runfile_agents_check. */
int ana_runfile_agents_put(ana_runfile_agents *a, uint32_t rep,
                           const mkt_decisions *d, sim_err *err);

/* Writes the log; before the file is committed. */
int ana_runfile_agents_finish(ana_runfile_agents *a, sim_err *err);

void ana_runfile_agents_free(ana_runfile_agents *a); /* NULL is a no-op */

#endif
