/* mkt_load_internal.h -- what the files of the scenario loader share; not an
 * API.
 *
 * mkt_load.c reads the scenario, risk, vendors, intermediaries, gray and
 * rules groups and owns the entry points; mkt_load_ent.c reads enterprises
 * (sectors, large accounts, the derived counts and weights);
 * mkt_load_timeline.c reads and sorts the timeline; mkt_load_get.c has what
 * they share: the getters the scen layer does not have (open intervals,
 * optional values with a default, owned strings, ids), reference resolution
 * with its did-you-mean, channel lists and rule parameters. Every function
 * that can fail returns SIM_OK or a negative status with the first defect
 * recorded in err, in the house form of scen.h.
 *
 * Everything here is named mkt_load__* and may change without notice.
 */
#ifndef MKT_LOAD_INTERNAL_H
#define MKT_LOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mkt.h"

#define MKT_LOAD__TRY(call)                                                    \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ != SIM_OK)                                                     \
            return rc_;                                                        \
    } while (0)

/* String value v as messages show it: quoted, cut after 40 characters. */
void mkt_load__quote(char *buf, size_t n, const char *v);

/* Records "out of memory" and returns SIM_ENOMEM. */
int mkt_load__nomem(sim_err *err);

/* Member key of group g as a number in the half-open interval (lo, hi]:
 * "expected a number in (0, 10000], got 0". Required. */
int mkt_load__open_num(const config_setting_t *g, const char *key, double lo,
                       double hi, double *out, sim_err *err);

/* Member key of g as a number in [lo, hi], or def when g has no such key. */
int mkt_load__opt_num(const config_setting_t *g, const char *key, double lo,
                      double hi, double def, double *out, sim_err *err);

/* Member key of g as a bool, or def when g has no such key. */
int mkt_load__opt_bool(const config_setting_t *g, const char *key, bool def,
                       bool *out, sim_err *err);

/* Member key of g as an integer in [lo, hi] (within uint32_t). Required. */
int mkt_load__u32(const config_setting_t *g, const char *key, uint32_t lo,
                  uint32_t hi, uint32_t *out, sim_err *err);

/* Member key of g as a non-empty string, copied: *out is the caller's. */
int mkt_load__string(const config_setting_t *g, const char *key, char **out,
                     sim_err *err);

/* Member key of g as an id or actor name, [A-Za-z0-9_-]+. *out is borrowed
 * from the document. */
int mkt_load__id(const config_setting_t *g, const char *key, const char **out,
                 sim_err *err);

/* The vendor (intermediary) whose id is string setting s: "no vendor 'x'
 * (did you mean 'y'?)", "(vendors are: a, b)", or "('x' is an
 * intermediary)" when the id names the other kind. */
int mkt_load__vendor_ref(const mkt_params *p, const config_setting_t *s,
                         size_t *out, sim_err *err);
int mkt_load__inter_ref(const mkt_params *p, const config_setting_t *s,
                        size_t *out, sim_err *err);

/* Member key of g as a `channels` list: names among direct, onshore,
 * offshore, gray; at least one, none twice. Required. Sets ch[MKT_CH_*] for
 * the named ones and clears the rest. */
int mkt_load__channels(const config_setting_t *g, const char *key,
                       bool ch[MKT_N_CHANNELS], sim_err *err);

/* The parameters of a KYC rule (rules.kyc, a kyc_rule event) in group g:
 * active (default true), then cost and detection_rate, required when active
 * and checked when given otherwise (0 when absent). The caller has checked
 * g's keys. */
int mkt_load__kyc(const config_setting_t *g, bool *active, double *cost,
                  double *detection_rate, sim_err *err);

/* The same for a Commerce cloud-access rule (rules.commerce, a
 * commerce_rule event): active (default true), approval_prob and channels,
 * required when active (0 and none when absent and inactive). */
int mkt_load__commerce(const config_setting_t *g, bool *active,
                       double *approval_prob, bool channels[MKT_N_CHANNELS],
                       sim_err *err);

/* The `enterprises` group (mkt_load_ent.c) and the `timeline` list
 * (mkt_load_timeline.c), into p, whose vendors, intermediaries and horizon
 * are already read. On failure p holds what was read so far, for
 * mkt_params_free. */
int mkt_load__enterprises(const config_setting_t *root, mkt_params *p,
                          sim_err *err);
int mkt_load__timeline(const config_setting_t *root, mkt_params *p,
                       sim_err *err);

/* The legal structure (mkt_load_legal.c): regions, option and buyer
 * attributes, rules as conditions. */
int mkt_load__region(mkt_params *p, const config_setting_t *g, const char *key,
                     const char *def, uint8_t *out, sim_err *err);
int mkt_load__vendor_legal(mkt_params *p, const config_setting_t *g,
                           mkt_vendor *vd, sim_err *err);
int mkt_load__inter_legal(mkt_params *p, const config_setting_t *g,
                          mkt_intermediary *im, sim_err *err);
int mkt_load__excl_channels(const config_setting_t *g, const char *key,
                            bool ch[MKT_N_CHANNELS], sim_err *err);
int mkt_load__sector_legal(const config_setting_t *g, mkt_sector *s,
                           sim_err *err);
int mkt_load__account_legal(const config_setting_t *g, mkt_account *a,
                            sim_err *err);
/* A rule's keys (after an event's month, type, shock), NULL-ended. */
extern const char *const mkt_load__rule_keys[];
/* Reads a rule's definition from g into p->rule_defs; *out its index. */
int mkt_load__rule(mkt_params *p, const config_setting_t *g, size_t *out,
                   sim_err *err);
/* Member key of g naming a rule read before: the latest of that name. */
int mkt_load__rule_ref(const mkt_params *p, const config_setting_t *g,
                       const char *key, size_t *out, sim_err *err);
/* rules.conditions, after the enterprises (its buyers are checked). */
int mkt_load__conditions(mkt_params *p, const config_setting_t *rules,
                         sim_err *err);
bool mkt_load__option_matches_any(const mkt_params *p, const mkt_cond *c);
void mkt_load__free_legal(mkt_params *p);
/* The deciding agents' keys (mkt_load_agents.c): a vendor's marginal_cost,
 * pricing and china_policy (vd's origin and price already read); an
 * intermediary's marginal_cost, markup_policy, capacity_policy and
 * exit_policy (its kind already read), each from its own group or from
 * agents.<id>; the top-level agents group (its ids) and regulators group.
 * Each sets every default when its keys are absent. */
int mkt_load__vendor_agent(const config_setting_t *g, mkt_vendor *vd,
                           sim_err *err);
int mkt_load__inter_agent(const config_setting_t *g, mkt_intermediary *im,
                          sim_err *err);
int mkt_load__regulators(const config_setting_t *root, mkt_params *p,
                         sim_err *err);

#endif
