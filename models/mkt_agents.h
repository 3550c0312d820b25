/* mkt_agents.h -- the deciding agents' parameters and what their decisions
 * leave in one replication's output (mkt_decisions_*, mkt_agent_*).
 *
 * Enterprises always decide (choose.c). Vendors, intermediaries and the two
 * regulators decide too when the scenario gives them a policy other than
 * "fixed": a vendor prices (best response, promotions) and chooses whom it
 * serves in China; a cloud sets its markup, grows its onboarding capacity
 * and may end an onshore partnership; US Commerce climbs (or descends) a
 * ladder of rules when the indicators it watches stay high (low); China's
 * CAC raises gray enforcement when gray use stays high. The decision rules
 * are docs/model.md's "Agents that decide"; the code is models/agent*.c.
 *
 * Every policy defaults to "fixed", which is the scripted model: with every
 * agent fixed a scenario's results are the same, bit for bit, as without
 * these keys (tests/test_agents.c). The zero value of every struct here is
 * "fixed", so parameters built in code (tests/mkt_build.h) need no change.
 *
 * The scenario keys are written next to each field, as in mkt.h; the
 * loader is models/mkt_load_agents.c, the users' reference
 * docs/scenarios.md. Periods are whole months: decisions are taken right
 * after a month's books close, on what the agent can see then.
 */
#ifndef MKT_AGENTS_H
#define MKT_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Room for mkt.h's channels in a channel list (mkt.h includes this header,
 * so it cannot use MKT_N_CHANNELS; mkt_decisions.c asserts it is enough). */
#define MKT_AGENT_CHANNELS 8

/* The indicators the regulators can watch, computed at each month end from
 * what the model aggregates anyway (no population scan). The order is the
 * order of the output's /agents/indicator axis. */
typedef enum {
    MKT_IND_US_FRONTIER_ACCESS, /* share of adopters on a frontier model
                                   through a US-hosted channel (direct,
                                   onshore, offshore), month end */
    MKT_IND_GRAY_VOLUME,        /* Mtok per month flowing through the gray
                                   channel at the month end (real units) */
    MKT_IND_DETECTIONS,         /* firms detected in the month (gray or
                                   offshore under KYC): a proxy for
                                   distillation incidents */
    MKT_IND_GRAY_SHARE,         /* share of adopters on the gray channel,
                                   month end */
    MKT_N_INDICATORS
} mkt_indicator;

/* "us_frontier_access", ... (the keys of a `watch` group); NULL out of
 * range. */
const char *mkt_indicator_name(int k);

/* The rule state recorded each month, in the order of /agents/rule. */
typedef enum {
    MKT_RULE_KYC,         /* 1 while the IaaS KYC rule is in force */
    MKT_RULE_COMMERCE,    /* 1 while the cloud-access licence rule is */
    MKT_RULE_APPROVAL,    /* its approval probability (NaN when not) */
    MKT_RULE_CAC,         /* 1 while foreign models are unfiled (CAC) */
    MKT_RULE_ENFORCEMENT, /* gray enforcement level */
    MKT_RULE_STANCE,      /* Commerce's stance (docs/model.md) */
    MKT_N_RULE_VARS
} mkt_rule_var;

const char *mkt_rule_var_name(int k); /* "kyc", ...; NULL out of range */

/* What a decision was, in the log; the order is fixed (file format). */
typedef enum {
    MKT_DEC_PRICE,            /* value: new list price, USD per Mtok */
    MKT_DEC_PROMOTION,        /* value: promotional price */
    MKT_DEC_PROMOTION_END,    /* value: the price restored */
    MKT_DEC_STOP_DIRECT,      /* value: expected penalty, USD per month */
    MKT_DEC_RESUME_DIRECT,    /* idem */
    MKT_DEC_STOP_CHINA_CONTROLLED,   /* idem */
    MKT_DEC_RESUME_CHINA_CONTROLLED, /* idem */
    MKT_DEC_MARKUP,           /* value: new markup (fraction) */
    MKT_DEC_CAPACITY_ORDER,   /* value: servers (real firms) once it
                                 arrives */
    MKT_DEC_CAPACITY_ADDED,   /* value: servers now */
    MKT_DEC_PARTNERSHIP_END,  /* value: expected penalty, USD per month */
    MKT_DEC_PROPOSE,          /* value: the rung proposed (1 KYC, 2
                                 licence, 3 lower approval) */
    MKT_DEC_FINAL_RULE,       /* value: the rung made final */
    MKT_DEC_IN_FORCE,         /* value: the rung now in force */
    MKT_DEC_WITHDRAW,         /* value: the rung whose proposal is
                                 withdrawn */
    MKT_DEC_RESCIND,          /* value: the rung left in force */
    MKT_DEC_ENFORCEMENT,      /* value: the new enforcement level */
    MKT_N_DECISIONS
} mkt_decision_kind;

const char *mkt_decision_name(int kind); /* "price", ...; NULL out of range */

/* ---- parameters ----------------------------------------------------------
 */

typedef enum {
    MKT_PRICING_FIXED,         /* "fixed": the price moves only by events */
    MKT_PRICING_BEST_RESPONSE, /* "best_response" */
    MKT_PRICING_PROMOTION      /* "promotion": fixed, with promotions */
} mkt_pricing_policy;

/* vendors.[i].pricing = { ... } */
typedef struct {
    mkt_pricing_policy policy; /* policy: default "fixed" */
    uint32_t period_months;    /* period_months: [1, 1200], default 3 */
    double speed;              /* speed: (0, 1], share of the step to the
                                  best response taken, in log price;
                                  default 1 */
    double min_price;          /* min_price, max_price: USD per Mtok, (0,
                                  1e6], min <= max; default: the vendor's */
    double max_price;          /*   price / 100 and x 100 */
    double promotion_factor;   /* promotion_factor: (0, 1], the price is
                                  multiplied by it during a promotion;
                                  required by "promotion", optional with
                                  "best_response"; default 1 (none); cn
                                  vendors only */
    double promotion_months;   /* promotion_months: (0, 1200], how long;
                                  default 3 */
} mkt_pricing;

/* vendors.[i].china_policy = { ... }: a US vendor's policy toward China. */
typedef struct {
    bool penalty;          /* policy: "fixed" (default) | "penalty" */
    uint32_t period_months; /* period_months: [1, 1200], default 3 */
    double penalty_usd;    /* penalty: USD lost if penalised, [0, 1e13] */
    double hazard;         /* hazard: penalties per year at stance 0,
                              [0, 100] */
    double hazard_per_stance; /* hazard_per_stance: per year and unit of
                                 stance, [0, 100] */
} mkt_china_policy;

/* An intermediary's markup_policy = { ... } */
typedef struct {
    bool best_response;     /* policy: "fixed" (default) | "best_response" */
    uint32_t period_months; /* default 3 */
    double speed;           /* (0, 1], default 1 */
    double min_markup;      /* min_markup, max_markup: [0, 10], min <= max;
                               default 0 and 10 */
    double max_markup;
} mkt_markup_policy;

/* capacity_policy = { ... } */
typedef struct {
    bool grow;              /* policy: "fixed" (default) | "grow" */
    uint32_t period_months; /* default 3 */
    double wait_days;       /* wait_days: (0, 3650]: the line is long when
                               a newcomer would wait longer than this
                               before service (line length x mean_days /
                               servers), at every month end of a period */
    double growth;          /* growth: (0, 10], servers ordered as a
                               fraction of the current ones */
    double lag_months;      /* lag_months: [0, 1200], order to arrival */
    double max_servers;     /* max_servers: [1, 1e8], real firms; default
                               1e8 */
} mkt_capacity_policy;

/* exit_policy = { ... }: onshore intermediaries only. */
typedef struct {
    bool penalty;           /* policy: "fixed" (default) | "penalty" */
    uint32_t period_months; /* default 3 */
    double penalty_rate;    /* penalty_rate: [0, 100], expected penalty per
                               month per USD of monthly China-headquartered
                               business and unit of stance */
    double wind_down_months; /* wind_down_months: [0, 1200], default 12 */
} mkt_exit_policy;

/* A regulator's watch = { INDICATOR = threshold; ... } and its review. */
typedef struct {
    bool watched[MKT_N_INDICATORS];
    double threshold[MKT_N_INDICATORS]; /* [0, 1e15] each */
    uint32_t review_months;  /* review_months: [1, 1200], default 3: an
                                indicator above its threshold at every
                                decision for this long starts an action */
    double relax_below;      /* relax_below: [0, 1], default 0 (never):
                                every watched indicator below this fraction
                                of its threshold ... */
    uint32_t relax_months;   /* relax_months: [1, 1200], default 12: ...
                                for this long relaxes one step */
} mkt_watch;

/* regulators.commerce = { ... }: US Commerce's ladder. */
typedef struct {
    bool ladder;            /* policy: "fixed" (default) | "ladder" */
    uint32_t period_months; /* default 1 */
    mkt_watch watch;
    double proposal_months; /* proposal_months: [0, 1200], proposed rule
                               to final rule; default 6 */
    double compliance_months; /* compliance_months: [0, 1200], final rule
                                 to in force; default 4 */
    /* ladder = { kyc_cost; kyc_detection_rate; approval_prob;
     *            low_approval_prob; channels; } : the rungs */
    double kyc_cost;           /* rung 1: as rules.kyc.cost, default 0.1 */
    double kyc_detection_rate; /* rung 1: default 0.2 */
    double approval_prob;      /* rung 2: the licence requirement, [0, 1],
                                  default 0.7 */
    double low_approval_prob;  /* rung 3: a lower approval, [0, 1], at most
                                  approval_prob; default 0.4 */
    bool channels[MKT_AGENT_CHANNELS]; /* rungs 2-3: as
                                          rules.commerce.channels; default
                                          onshore, offshore (indexed by
                                          mkt_channel) */
} mkt_commerce_agent;

/* regulators.cac = { ... }: China's CAC and gray enforcement. */
typedef struct {
    bool threshold;         /* policy: "fixed" (default) | "threshold" */
    uint32_t period_months; /* default 1 */
    mkt_watch watch;
    double lag_months;      /* lag_months: [0, 1200], decision to effect;
                               default 1 */
    double step;            /* step: (0, 1000], enforcement level added */
    double max_level;       /* max_level: [0, 1000], default 10 */
} mkt_cac_agent;

/* regulators = { commerce = { ... }; cac = { ... }; }, optional. */
typedef struct {
    mkt_commerce_agent commerce;
    mkt_cac_agent cac;
} mkt_regulators;

/* ---- output --------------------------------------------------------------
 */

/* One decision: month from the start (fractional), who, what, a value. */
typedef struct {
    double month;
    uint32_t agent; /* mkt_agent_name's index */
    uint32_t kind;  /* mkt_decision_kind */
    double value;
} mkt_decision;

/* One replication's record of the agents: series per month m = 1 ..
 * months (row m - 1, taken at the end of month m, after the decisions
 * taken then) and the log of every decision, in order. Reached from
 * mkt_results.decisions; allocated with the results. */
typedef struct mkt_decisions {
    size_t months, n_vendors, n_inter;
    double *price;      /* [months][n_vendors] list price, USD per Mtok */
    double *markup;     /* [months][n_inter] markup (fraction) */
    double *capacity;   /* [months][n_inter] onboarding servers, real firms
                           onboarded at once */
    double *rule_state; /* [months][MKT_N_RULE_VARS] */
    double *indicator;  /* [months][MKT_N_INDICATORS] */
    mkt_decision *log;  /* [n_log] */
    size_t n_log, cap_log;
} mkt_decisions;

/* Agents, for the log: the vendors (index v), then the intermediaries
 * (n_vendors + i), then "commerce" and "cac". */
size_t mkt_agent_count(size_t n_vendors, size_t n_inter);
/* The name of agent a given the vendor and intermediary ids; NULL out of
 * range. Borrowed. */
const char *mkt_agent_name(const char *const *vendor_ids, size_t n_vendors,
                           const char *const *inter_ids, size_t n_inter,
                           size_t a);

/* Allocates a record for `months` months, n_vendors and n_inter, series
 * NaN, log empty. Sets *out on success; SIM_ENOMEM otherwise. */
int mkt_decisions_new(size_t months, size_t n_vendors, size_t n_inter,
                      mkt_decisions **out, sim_err *err);
void mkt_decisions_free(mkt_decisions *d); /* NULL is a no-op */

/* Appends to the log; false when out of memory (log unchanged). */
bool mkt_decisions_log(mkt_decisions *d, double month, uint32_t agent,
                       uint32_t kind, double value);

#endif
