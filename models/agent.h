/* agent.h -- the internal contract of the deciding agents: vendors
 * (agent_vendor.c), intermediaries (agent_cloud.c) and regulators
 * (agent_regulator.c), the demand they price against (agent_demand.c) and
 * the frame they share (agent.c); not for users.
 *
 * How an agent decides. Each (agent, policy) that is not "fixed" has a
 * decision slot with a period in whole months. At the end of every month
 * the books close (market.c), mkt__agents_month records the month's prices
 * and rules, and every slot whose epoch has come gets an MKT__EV_DECIDE
 * event at that instant, so a decision sees the month just closed and
 * nothing later. A regulator's slot looks at its indicators there, in the
 * books, and gets the event only when that calls for an action, so a
 * regulator that never acts leaves even the engine's work unchanged. A decision reads only what its agent could know: its own
 * sales (the per-option aggregates of market_internal.h), rivals' list
 * prices and the indicators computed at month ends; nothing scans the
 * population. Decisions draw no random numbers, so they are a function of
 * the replication's history.
 *
 * How a decision acts. Rule and price decisions are mkt_events built here
 * and applied through rules.c's mkt__apply_decision, the path of the
 * timeline's events (rule state, notifications, touched-firm reviews), so
 * they keep working when the rules change form. A cloud's markup and
 * capacity, which no event sets, are changed here, books first. Delayed
 * effects (a rule's lag, capacity's arrival, a promotion's end) are
 * MKT__EV_AGENT_DUE events carrying a generation, so a withdrawn decision's
 * effect never lands.
 *
 * Scripted events stay: rules.c tells the agents what the timeline did
 * (mkt__agents_observe), and a decision that falls at the same instant as
 * a scripted event on the same state is skipped, so the script overrides
 * the policy at its time. A US vendor about to leave a channel is seen
 * before it leaves (mkt__agents_foresee), which is when promotions start.
 *
 * With every policy fixed there is no slot, no event and no state change:
 * only the monthly record is written, and results are bit for bit those
 * of the scripted model.
 */
#ifndef MKT_AGENT_H
#define MKT_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "market_internal.h"

/* ---- what market.c and rules.c call ------------------------------------ */

/* Allocates w->ag (after the world's tables, before the population);
 * SIM_ENOMEM. */
int mkt__agents_new(struct mkt_world *w);
void mkt__agents_free(struct mkt_world *w); /* w->ag NULL is a no-op */
/* After month `month`'s books: records, then schedules the epochs due. */
int mkt__agents_month(struct mkt_world *w, uint32_t month);
/* Before an event is applied: a US vendor about to leave a channel starts
 * the promotions it triggers, so the firms it displaces see them. */
int mkt__agents_foresee(struct mkt_world *w, const mkt_event *ev);
/* After an event was applied; scripted: it came from the timeline. */
int mkt__agents_observe(struct mkt_world *w, const mkt_event *ev,
                        bool scripted);
/* The decision event numbered k (>= params->n_events). */
const mkt_event *mkt__agents_event(const struct mkt_world *w, uint32_t k);
int mkt__on_decide(sim_engine *eng, void *ctx, const sim_msg *m);
int mkt__on_agent_due(sim_engine *eng, void *ctx, const sim_msg *m);

/* ---- between the agent files -------------------------------------------- */

enum { /* what a slot decides */
       MKT__AG_PRICE,     /* a vendor's best-response price */
       MKT__AG_PROMOTION, /* a cn vendor's promotion (no period: triggered) */
       MKT__AG_CHINA,     /* a US vendor's China policy */
       MKT__AG_MARKUP,    /* an intermediary's markup */
       MKT__AG_CAPACITY,  /* its onboarding capacity */
       MKT__AG_EXIT,      /* an onshore partnership's end */
       MKT__AG_COMMERCE,  /* US Commerce's ladder */
       MKT__AG_CAC        /* the CAC's enforcement */
};

enum { /* what falls due (MKT__EV_AGENT_DUE arg0) */
       MKT__DUE_PROMOTION_END,
       MKT__DUE_CAPACITY,
       MKT__DUE_FINAL,       /* a proposed rule becomes final */
       MKT__DUE_IN_FORCE,    /* ... and comes into force */
       MKT__DUE_ENFORCEMENT  /* the CAC's new level takes effect */
};

typedef struct {
    uint8_t kind;
    uint32_t who;    /* vendor or intermediary index; 0 for a regulator */
    uint32_t period; /* months between epochs; 0: not periodic */
    uint32_t next;   /* the month whose end is the next epoch */
} mkt__slot;

typedef struct {
    int32_t promo_slot;   /* its promotion slot, or -1 */
    bool in_promo;
    double promo_base;    /* the price before the promotion */
    double promo_start;   /* days: when it started */
    uint32_t promo_gen;
    double kept[2];       /* the China margin (USD per month) on direct [0]
                             and China-controlled [1] when it stopped */
    double scripted_price, scripted_policy; /* days: last scripted event */
} mkt__vendor_ag;

typedef struct {
    int32_t cap_slot;     /* its capacity slot, or -1 */
    double servers;       /* real firms onboarded at once, in place */
    double ordered;       /* servers once the order arrives; 0: none */
    uint32_t gen;
    uint32_t long_months, months; /* month ends with a long line / seen */
    double scripted_exit;
} mkt__inter_ag;

typedef struct {
    int32_t slot;         /* its slot, or -1 */
    uint32_t above[MKT_N_INDICATORS]; /* consecutive epochs above */
    uint32_t calm;        /* consecutive epochs all below relax_below */
    bool act, relax;      /* what the last look at the indicators said */
    bool pending;         /* an action on its way */
    bool final_issued;    /* Commerce: the pending rule is final */
    uint32_t target;      /* Commerce: its rung */
    double level;         /* CAC: the level it sets */
    double base;          /* CAC: the starting level, its floor */
    uint32_t gen;
    double scripted;
} mkt__reg_ag;

struct mkt_agents {
    mkt__slot *slot;
    size_t n_slots;
    mkt__vendor_ag *vendor; /* [n_vendors] */
    mkt__inter_ag *inter;   /* [n_inter] */
    mkt__reg_ag commerce, cac;
    double ind[MKT_N_INDICATORS]; /* the last month end's indicators */
    mkt_event *ev;          /* decisions applied; number n_events + k */
    size_t n_ev, cap_ev;
    mkt_decisions *out;     /* w->res->decisions (borrowed), or NULL */
    /* scratch for agent_demand.c: [n_opts], and the table of n_rows rows
     * (one per ordinary class and one per large account) */
    uint32_t *own, *idx;
    double *take, *cost, *v, *prob, *sig, *q0, *tab;
    bool *ok;
    size_t n_rows;
};

/* agent.c */
double mkt__ag_month(const struct mkt_world *w); /* months since month 0 */
/* Whether a scripted event at day `at` falls at this instant. */
bool mkt__ag_scripted_now(const struct mkt_world *w, double at);
/* Logs a decision of agent a (mkt_agent_name's index). SIM_ENOMEM. */
int mkt__ag_log(struct mkt_world *w, size_t a, int kind, double value);
/* Keeps ev and applies it as a decision. */
int mkt__ag_apply(struct mkt_world *w, const mkt_event *ev);
/* Schedules what falls due for slot s after `months`. */
int mkt__ag_due(struct mkt_world *w, uint32_t s, uint32_t what, uint32_t gen,
                double months);
/* Real Mtok per month now flowing through option o. */
double mkt__ag_rate(const struct mkt_world *w, uint32_t o);
/* The Commerce rung in force (0 none, 1 KYC, 2 licence, 3 lower approval)
 * and the stance: the rung plus 1/2 while a rulemaking is pending. */
uint32_t mkt__ag_rung(const struct mkt_world *w);
double mkt__ag_stance(const struct mkt_world *w);
/* The agent index of intermediary i, of Commerce, of the CAC. */
size_t mkt__ag_inter_agent(const struct mkt_world *w, uint32_t i);
size_t mkt__ag_commerce_agent(const struct mkt_world *w);
size_t mkt__ag_cac_agent(const struct mkt_world *w);

/* agent_demand.c: the demand an owner of some options (a vendor, a cloud)
 * faces when it scales the prices of all of them by e^x, calibrated on the
 * shares it sees now (docs/model.md, "The demand an agent prices
 * against"). take[k] and cost[k] are its revenue and cost per Mtok on
 * option opt[k] at today's prices. */
typedef struct {
    uint32_t n;
    const uint32_t *opt;
    const double *take, *cost;
} mkt__owner;
/* Doubles of agent_demand.c's table per class, for n options. */
#define MKT__AG_TAB_ROW(n) (8 + 8 * (size_t)(n))
/* Expected profit, USD per month, at log price ratio x. */
double mkt__ag_profit(struct mkt_world *w, const mkt__owner *o, double x);
/* The x in [lo, hi] that maximises it (0 when it is flat and 0 is in). */
double mkt__ag_best(struct mkt_world *w, const mkt__owner *o, double lo,
                    double hi);

/* agent_vendor.c */
int mkt__ag_vendor_price(struct mkt_world *w, uint32_t v);
int mkt__ag_vendor_promotion(struct mkt_world *w, uint32_t v);
int mkt__ag_vendor_china(struct mkt_world *w, uint32_t v);
int mkt__ag_vendor_due(struct mkt_world *w, uint32_t v, uint32_t what,
                       uint32_t gen);
/* Whether ev would take a US vendor out of a channel it serves now. */
bool mkt__ag_leaves_channel(const struct mkt_world *w, const mkt_event *ev);

/* agent_cloud.c */
int mkt__ag_markup(struct mkt_world *w, uint32_t i);
int mkt__ag_capacity(struct mkt_world *w, uint32_t i);
int mkt__ag_exit(struct mkt_world *w, uint32_t i);
int mkt__ag_cloud_due(struct mkt_world *w, uint32_t i, uint32_t what,
                      uint32_t gen);
void mkt__ag_cloud_month(struct mkt_world *w); /* samples the lines */

/* agent_regulator.c */
void mkt__ag_indicators(const struct mkt_world *w, uint32_t month,
                        double *ind);
/* The regulator of slot kind `kind` looks at the month's indicators (at its
 * epoch); true when that calls for a decision. */
bool mkt__ag_regulator_watch(struct mkt_world *w, uint8_t kind);
int mkt__ag_commerce(struct mkt_world *w);
int mkt__ag_cac(struct mkt_world *w);
int mkt__ag_regulator_due(struct mkt_world *w, uint8_t kind, uint32_t what,
                          uint32_t gen);

#endif
