/* market_internal.h -- one replication's state, shared by the files of the
 * market simulation (market.c, ent.c, rules.c, billing.c, books.c); not for
 * users.
 *
 * The world holds the rule state the timeline changes, the option table (a
 * channel, vendor, intermediary triple that can exist in this scenario), the
 * providers' onboarding queues and the population. Two indices make every
 * mechanism local instead of a population scan:
 *  - each option keeps intrusive lists of its users and of the enterprises
 *    onboarding onto it, so a rule change walks exactly the enterprises on
 *    the options it affects (DESIGN.md mechanism 4);
 *  - each option keeps, per weight class, the count and summed usage of its
 *    users, so monthly billing and the channel counts cost O(options x
 *    classes), not O(enterprises).
 * A weight class is a sector's ordinary members (weight = the sector's
 * weight) or its large accounts (weight 1): counts are kept as integers per
 * class and weighted only when reported, so they never drift.
 */
#ifndef MKT_MARKET_INTERNAL_H
#define MKT_MARKET_INTERNAL_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "mkt.h"
#include "onboard.h"

#define MKT_DAYS_PER_YEAR  365.25
#define MKT_DAYS_PER_MONTH (365.25 / 12.0)
#define MKT_NIL            (-1) /* no option, no enterprise in a list */
#define MKT_NO_PROVIDER    UINT32_MAX

enum { /* event kinds */
       MKT__EV_ADOPT = 1,    /* target: sector */
       MKT__EV_CONTRACT,     /* target: enterprise */
       MKT__EV_ONBOARDED,    /* target: enterprise; arg0 ticket, arg1 provider */
       MKT__EV_DETECT,       /* target: enterprise */
       MKT__EV_MONTH,        /* target: the month that ends */
       MKT__EV_TIMELINE,     /* target: index into params->events */
       MKT__EV_WIND_DOWN,    /* target: intermediary whose wind-down ends */
       MKT__EV_COMMERCE,     /* target: timeline index of the rule in force;
                                arg0: commerce_gen when it was announced */
       MKT__EV_BURN_IN,      /* the burn-in ends: reporting starts */
       MKT__EV_RULE_IN_FORCE, /* target: timeline index of a rule event;
                                arg0: the rule's generation then */
       MKT__EV_FILED,        /* target: seat; arg0: ticket: its filing (a
                                delay rule) is done */
       MKT__EV_DECIDE,       /* target: an agent's decision slot (agent.h) */
       MKT__EV_AGENT_DUE     /* target: slot; arg0 what falls due, arg1 its
                                generation: a delayed effect of a decision */
};

enum { /* mkt__ent.flags */
       MKT__ADOPTED = 1u,
       MKT__OFFSHORE = 2u,  /* has a subsidiary abroad */
       MKT__PUBLIC = 4u,    /* public-facing use in China */
       MKT__SOE = 8u,       /* state-owned */
       MKT__IN_SERVICE = 16u, /* being onboarded (ev is the completion) */
       MKT__HAD_OPTION = 32u, /* has had an option: later changes are
                                 switches */
       MKT__OUT = 64u,        /* chose the outside option (no external
                                 model); primary seat only */
       /* buyer attributes (the legal structure), copied to every seat */
       MKT__HQ_ABROAD = 128u, /* headquartered outside China */
       MKT__LISTED = 256u,    /* 50% or more owned by listed parties */
       MKT__INDIVIDUAL = 512u, /* an individual developer */
       MKT__FILING = 1024u,   /* filing before using its target (a delay
                                 rule; ev is the filing's end) */
       MKT__BANNED = 2048u    /* has been caught: w->fban holds when its bans
                                 end; primary seat only */
};

/* Seats. A firm may hold up to its sector's max_options options at once
 * (multi-homing). The record array w->ent holds w->stride seats per firm,
 * the firm's seats contiguous, so seat s belongs to firm s / stride and the
 * firm's primary seat is s - s % stride. Each seat is a full copy of the
 * one-option state machine (option, onboarding target, lists, detection
 * clock, onboarding ticket); the firm's own state (adoption, bans, the
 * outside choice, its choice counter) lives in its primary seat. With
 * stride 1 a seat is a firm and the model is exactly the one-option model.
 * With stride > 1 the firm's contract (its review clock) has its own handle
 * in w->cev, since a seat's ev may hold an onboarding completion. */

enum { MKT__ACTIVE, MKT__WINDING_DOWN, MKT__ENDED }; /* partnership state */

/* The seats on an option, or onboarding onto it, in the order they joined
 * (ent.c). A seat that leaves stays where it was, stale: taking it out of a
 * linked list touched the records of both its neighbours, two cache misses
 * at millions of seats, on every switch. An entry k for seat i is current
 * while i is still on (onboarding onto) the option and its upos (tpos) is
 * k; the stale ones are dropped when they are half the roster. */
#define MKT__ROSTER_MIN 64 /* entries a roster holds at least, and its slack */
typedef struct {
    uint32_t *a;       /* seat indices */
    uint32_t n, cap;   /* entries (stale ones too); allocated */
    uint32_t live;     /* current entries */
} mkt__roster;

typedef struct {
    uint8_t channel;   /* mkt_channel */
    bool foreign;      /* a US vendor's model */
    uint32_t vendor;   /* index into params->vendors */
    uint32_t inter;    /* intermediary, or UINT32_MAX */
    uint32_t provider; /* onboarding queue, or MKT_NO_PROVIDER */
    uint32_t n_users;
    double log_price;  /* log of the price the enterprise perceives */
    double last;       /* billing accrued up to this time */
    uint8_t hosting, weights; /* regions (mkt_params.regions) */
    uint8_t entity;    /* whom the buyer contracts with (mkt_entity) */
    bool closed;       /* a closed frontier model */
} mkt__opt;

/* A rule in the world: its definition (a copy: the legacy kinds build
 * theirs here), whether it applies now, and the options it covers. */
typedef struct {
    mkt_rule def;
    bool active;       /* in force and not suspended */
    bool in_force;     /* (rules as data) came into force, not replaced */
    bool suspended;
    uint64_t salt;     /* names licence fates: a new rule draws anew */
    bool *opt;         /* [n_opts] the options its condition covers */
} mkt__inst;

typedef struct {
    double base;       /* Mtok per month at the start, one firm */
    sim_handle ev;     /* contract end, or onboarding completion */
    sim_handle detect; /* pending detection */
    int32_t opt;       /* current option or MKT_NIL */
    int32_t target;    /* option being onboarded onto or MKT_NIL */
    uint32_t upos;     /* its entry in opt's users roster (ent.c) */
    uint32_t tpos;     /* its entry in target's onboarding roster */
    uint32_t ticket;   /* onboarding ticket (stale line entries) */
    uint32_t choices;  /* choices made so far: names the next draw */
    uint16_t cls;      /* weight class (MKT_MAX_SECTORS keeps it in 16 bits) */
    uint16_t flags;
    uint8_t own;       /* percent of its subsidiary abroad held by China-
                          headquartered parents (0 with none) */
    /* pick_cache.c's memo of the rules' verdicts on the firm as a buyer,
     * kept in its primary seat: bit o of rv_mask is rules_allow(o, the
     * firm), valid while rv_epoch is w->pc_epoch (0: never). In the record,
     * which a choice reads anyway, so that a hit costs no load of its own. */
    uint8_t rv_epoch;
    uint16_t rv_mask;
    uint8_t spare[8];  /* unused: the record stays one line */
} mkt__ent;
/* One cache line: at a million records and more, each event's first touch of
 * its enterprise is a miss, and a record across two lines is two. */
_Static_assert(sizeof(mkt__ent) == 64, "mkt__ent is one cache line");
enum { MKT__BAN_GRAY, MKT__BAN_OFFSHORE }; /* w->fban's columns */

struct mkt_world {
    const mkt_params *p;
    sim_engine *eng;
    uint64_t seed;
    uint32_t point, rep;
    sim_rng *r_adopt, *r_onboard, *r_detect, *r_review;
    /* The next adoption's pick, guessed to prefetch it (ent.c): a copy of
     * r_adopt to draw from, and each sector's pending adoption's time
     * (+inf: none). */
    sim_rng *r_peek;  /* NULL: no prefetch */
    double *adopt_at; /* [sector] */
    uint32_t adopt_guess;     /* the firm the next adoption is to pick */
    uint64_t *adopt_guesses;  /* mkt_run_opts.adopt_guesses */
    uint64_t u_prefix[8]; /* mkt__uniform's hash of (seed, point, rep,
                             purpose), by purpose (ent.c) */

    /* rule state (the timeline changes it) */
    double *cap0;      /* [vendor] capability at day 0 plus jumps so far */
    double *price;     /* [vendor] list price now */
    bool *direct;      /* [vendor] */
    bool *serve_cc;    /* [vendor] */
    bool *excl_ch;     /* [vendor * MKT_N_CHANNELS] channels its
                          China-controlled exclusion covers */
    bool *licence;     /* [inter * n_vendors + vendor] */
    uint8_t *istate;   /* [inter] MKT__ACTIVE ... */
    bool cac;
    double soe_penalty;
    bool kyc;
    double kyc_cost, kyc_rate;
    bool commerce;
    double commerce_p;
    bool commerce_ch[MKT_N_CHANNELS];
    uint64_t commerce_salt; /* which rule: licence fates are per rule */
    uint32_t commerce_gen;  /* bumped by every commerce_rule event: a
                               pending rule whose number moved on is void */
    double enforcement;
    double *markup;    /* [inter] markup now (a cloud may set it) */

    mkt__opt *opts;
    size_t n_opts;
    mkt_onboard *prov; /* [inter] then [cn vendor, in vendor order] */
    size_t n_prov;

    mkt__ent *ent;
    uint32_t n_ent;
    size_t n_sec;
    uint32_t *sec_first, *sec_n, *sec_adopted; /* segments of perm */
    uint32_t *perm, *pos; /* per sector: adopters first; pos inverts perm */

    size_t n_cls;
    double *cls_w;         /* [cls] weight */
    /* [cls] its sector's parameters: &p->sectors[cls % n_sec] without the
     * division, which costs 14 to 46 cycles on the machines we measure on and
     * was made several times an event (mkt__sector). */
    const mkt_sector **cls_sec;
    uint32_t *cls_total;   /* [cls] enterprises */
    uint32_t *cls_adopted; /* [cls] */
    uint32_t *cls_wait;    /* [cls] adopted, no option, onboarding */
    uint32_t *cls_lost;    /* [cls] adopted, no option, not onboarding */
    double *cls_noacc;     /* [cls] enterprise-days without access, month */
    double noacc_last;

    uint32_t *oc_n;   /* [opt * n_cls + cls] users */
    double *oc_usage; /* [opt * n_cls + cls] summed base usage of users */
    double *oc_comp;  /* [opt * n_cls + cls] its Neumaier compensation */
    double *oc_acc;   /* [opt * n_cls + cls] usage x days, this month */

    uint32_t month;   /* months completed */
    double *growth;   /* [sector] usage factor this month */
    double m_pay, m_switch, m_detect;
    double *m_rev;    /* [actor] this month */

    bool have_ref;    /* the first shock has happened */
    double ref_share, ref_month;

    /* books.c: running sums over the final window (issue 12 outputs); the
     * world is calloc'd, so they start at 0. */
    double bk_share_sum, bk_index_sum, bk_ch_sum[MKT_N_CHANNELS];
    uint32_t bk_share_n, bk_index_n, bk_ch_n; /* months summed */

    double *v;        /* [opt] scratch utilities */
    bool *ok;         /* [opt] scratch availability */
    double *v2;       /* [opt + 1] scratch: a further option's draw */
    double *vsave;    /* [opt] scratch: a portfolio's utilities */
    bool *ok2;        /* [opt + 1] */
    uint32_t *pf_holder; /* [opt] scratch: the seat holding it, else prim */
    bool *pf_sw;      /* [opt] scratch: choosing it costs the switch */
    /* [2 * n_opts] (ent.c): at 2o the seats on option o, at 2o + 1 those
     * onboarding onto it, each in the order it joined */
    mkt__roster *roster;
    uint32_t *walk;   /* scratch: a roster's seats, before they move */
    size_t walk_cap;

    /* demand (issue 12) */
    double t0;          /* days of burn-in: reported month m ends at
                           t0 + m months; capabilities are frozen before */
    uint32_t stride;    /* seats per firm: the largest max_options */
    double *fbase;      /* [firm] base usage, stride > 1 (a seat's base is
                           its share of it) */
    int32_t *sopt;      /* [seat] stride > 1: a copy of each seat's opt, so
                           the month's firm scan reads 4 bytes a seat, not a
                           record (mkt__move keeps it) */
    uint32_t *fcls;     /* [firm] stride > 1: its weight class */
    double *fban;       /* [firm][MKT__BAN_*] the day a firm's ban on the gray
                           or the offshore channel ends, where MKT__BANNED:
                           outside the record, which bans seldom need, so
                           that a record is one cache line */
    uint32_t *fs_tag;   /* [opt + 1] stride > 1: books.c's firm scan, each
                           option's channel bit and frontier verdict */
    double *fs_idx;     /* [opt + 1] ... and its frontier index term */
    uint32_t *fs_hist;  /* [cls][MKT__FS_TAGS] ... and its firms by tag */
    sim_handle *cev;    /* [firm] contract, stride > 1 */
    uint32_t *cls_out;  /* [cls] adopted firms that chose the outside */
    double *ufac;       /* [opt * n_sec + sector] usage factor
                           (P~ / reference_price)^-elasticity */
    bool *chg;          /* [opt] scratch: an event changed the option */
    bool *better;       /* [opt] scratch: ... and made it more attractive */
    double *oldlp;      /* [opt] scratch: log prices before an event */
    int32_t *pick_buf;  /* [stride] scratch: a portfolio being chosen */
    double *cls_out_base; /* [cls] summed base usage of the firms out */

    struct mkt_agents *ag; /* the deciding agents (agent.h) */

    /* the legal structure: rules as data (legal.c) */
    mkt__inst *inst;    /* [n_inst]: the legacy kinds first (below), then
                           one per rule definition */
    size_t n_inst;
    size_t inst_cac, inst_commerce, inst_kyc; /* legacy kinds' instances */
    size_t inst_excl;   /* first of n_vendors exclusions (serve_china_...) */
    size_t inst_defs;   /* first of n_rule_defs */
    uint32_t *rule_gen; /* [n_rule_defs] bumped by each event of a rule: a
                           pending one whose number moved on is void */
    double *m_comp;     /* [actor] compliance costs this month */

    /* pick_cache.c: what a choice asks of the world, between world events */
    bool pc_off;        /* AIMS_PICK_CACHE=0: every choice asks anew */
    bool pc_valid;      /* built since the last world event */
    bool pc_world;      /* a world event is running: not used meanwhile */
    uint8_t *pc_state;  /* [opt] the market structure's verdict */
    uint32_t *pc_nrule, *pc_rule; /* [opt], [opt * n_inst]: the active
                                     forbid and licence rules covering it */
    uint32_t *pc_ncost, *pc_cost; /* ... the buyer-specific cost rules */
    double *pc_price;   /* [opt * n_sec + sector] b_price log(price) */
    double *pc_risk;    /* [opt * n_sec + sector] b_risk risk */
    double *pc_out;     /* [sector] b_price log(outside price) */
    double *pc_cap;     /* [vendor] capability at the current choice */
    double pc_years;    /* mkt__years at the current choice */
    bool pc_memo;       /* firms memoise their rule verdicts (n_opts <= 16) */
    bool pc_sig_set;    /* pc_sig holds the verdicts' inputs of a build */
    uint8_t pc_epoch;   /* names those inputs: mkt__ent.rv_epoch, 1 to
                           pc_epoch_max (0: none yet) */
    uint8_t pc_epoch_max; /* then the records are swept, and it starts over */
    size_t pc_sig_n;    /* words in pc_sig */
    uint64_t *pc_sig, *pc_sig_new; /* [pc_sig_cap] the inputs, last build
                                      and this one */
    size_t pc_sig_cap;

    mkt_results *res;
    mkt_month_fn *on_month;
    void *on_month_ctx;
    const _Atomic int *cancel;
    sim_err *err;
};

/* ent.c: an enterprise's (a seat's) state machine */
static inline uint32_t mkt__prim(const struct mkt_world *w, uint32_t s)
{
    return w->stride == 1 ? s : s - s % w->stride;
}
static inline uint32_t mkt__firm(const struct mkt_world *w, uint32_t s)
{
    return w->stride == 1 ? s : s / w->stride;
}
/* Whether the firm of primary seat prim is banned from channel `which`
 * (MKT__BAN_*) at time now: as `now < end` with end 0 for a firm never
 * caught, since simulated time is never negative. */
static inline bool mkt__banned(const struct mkt_world *w, uint32_t prim,
                               unsigned which, double now)
{
    return (w->ent[prim].flags & MKT__BANNED) &&
           now < w->fban[2 * (size_t)mkt__firm(w, prim) + which];
}
static inline const mkt_sector *mkt__sector(const struct mkt_world *w,
                                            uint32_t s)
{
    return w->cls_sec[w->ent[s].cls];
}
bool mkt__available(const struct mkt_world *w, uint32_t o, uint32_t i);
double mkt__capability(const struct mkt_world *w, uint32_t v);
double mkt__years(const struct mkt_world *w); /* since month 0, >= 0 */
double mkt__uniform(const struct mkt_world *w, uint64_t purpose, uint32_t i,
                    uint64_t k);
enum { MKT__PURPOSE_CHOICE = 1, MKT__PURPOSE_LICENCE, MKT__PURPOSE_CONTRACT,
       MKT__PURPOSE_REVIEW, MKT__PURPOSE_ATTR, MKT__N_PURPOSES };
/* Fills w->u_prefix once seed, point and rep are set. */
void mkt__uniform_init(struct mkt_world *w);
int mkt__move(struct mkt_world *w, uint32_t i, int32_t opt, int32_t target);
int mkt__abandon(struct mkt_world *w, uint32_t i);
int mkt__enqueue(struct mkt_world *w, uint32_t prov, uint32_t i);
int mkt__start_filing(struct mkt_world *w, uint32_t i, uint32_t j,
                      double months);
int mkt__contract_start(struct mkt_world *w, uint32_t i, double delay);
double mkt__contract_days(const struct mkt_world *w, uint32_t i);
int mkt__set_out(struct mkt_world *w, uint32_t prim, bool out);
void mkt__set_base(struct mkt_world *w, uint32_t i, double x);
int mkt__revalidate(struct mkt_world *w, uint32_t i);
/* Starts loading what a firm's first choice reads of its own: its seats'
 * records and, with several seats, its entries beside them. */
static inline void mkt__prefetch_firm(const struct mkt_world *w, uint32_t prim)
{
    sim_prefetch_bytes(&w->ent[prim], w->stride * sizeof *w->ent);
    if (w->stride > 1) {
        uint32_t f = mkt__firm(w, prim);
        sim_prefetch(&w->fbase[f]);
        sim_prefetch(&w->cev[f]);
        sim_prefetch(&w->sopt[prim]);
    }
}
/* After an adoption is scheduled: prefetch what the next one will read
 * (by default from this many seats: below, everything is in cache and the
 * look-ahead costs more than it saves). */
#define MKT__ADOPT_PREFETCH_MIN ((size_t)1 << 18)
/* books.c's firm scan: a firm's tag is the bits of the channels it uses
 * (1 << channel) and MKT__FS_FRONTIER when one of its models is frontier. */
#define MKT__FS_FRONTIER (1u << MKT_N_CHANNELS)
#define MKT__FS_TAGS (2u << MKT_N_CHANNELS)
/* The engine's queue is the wheel (sim/wheel.c) from this many seats, heap4
 * below: the events that go to the queue rather than a lane (onboarding
 * completions, adoptions, detections, filings) number about 1.6% of the
 * seats pending at once, so from here the heap outgrows the caches. */
#define MKT__WHEEL_MIN ((size_t)1 << 18)

void mkt__adopt_prefetch(struct mkt_world *w);
int mkt__adopt_initial(struct mkt_world *w, uint32_t i);
int mkt__reschedule_detection(struct mkt_world *w, uint32_t i);
int mkt__serve_next(struct mkt_world *w, uint32_t prov);

/* choose.c: choices (logit, the outside nest, portfolios) */
double mkt__utility(const struct mkt_world *w, const mkt_sector *s,
                    uint32_t i, uint32_t o);
/* The outside option's utility for sector s now (has_outside). */
double mkt__outside_utility(const struct mkt_world *w, const mkt_sector *s);
int mkt__choose(struct mkt_world *w, uint32_t i, bool renew);
int mkt__choose_from(struct mkt_world *w, uint32_t i, bool renew,
                     uint32_t cur_prov);
int mkt__choose_initial(struct mkt_world *w, uint32_t prim);
int mkt__resplit(struct mkt_world *w, uint32_t prim);
int mkt__on_adopt(sim_engine *eng, void *ctx, const sim_msg *m);
int mkt__on_contract(sim_engine *eng, void *ctx, const sim_msg *m);
int mkt__on_onboarded(sim_engine *eng, void *ctx, const sim_msg *m);
int mkt__on_detect(sim_engine *eng, void *ctx, const sim_msg *m);
void mkt__noacc_flush(struct mkt_world *w);

/* rules.c: the timeline */
int mkt__on_timeline(sim_engine *eng, void *ctx, const sim_msg *m);
int mkt__on_wind_down(sim_engine *eng, void *ctx, const sim_msg *m);
int mkt__on_commerce(sim_engine *eng, void *ctx, const sim_msg *m);
int mkt__on_burn_in(sim_engine *eng, void *ctx, const sim_msg *m);
int mkt__on_rule_in_force(sim_engine *eng, void *ctx, const sim_msg *m);
int mkt__on_filed(sim_engine *eng, void *ctx, const sim_msg *m);
void mkt__refresh_prices(struct mkt_world *w);
/* Applies ev, an agent's decision numbered k (k >= params->n_events: it
 * names the decision in the reviews' hash and a Commerce rule's licence
 * fates), as a timeline event is applied: rule state, notifications and,
 * for a shock, the touched firms' reviews. */
int mkt__apply_decision(struct mkt_world *w, const mkt_event *ev,
                        uint32_t k);
double mkt__frontier_share(const struct mkt_world *w);
double mkt__frontier_share_firms(const struct mkt_world *w); /* books.c */

/* billing.c: money */
void mkt__accrue(struct mkt_world *w, uint32_t o);
void mkt__bill(struct mkt_world *w, uint32_t o);
double mkt__price_paid(const struct mkt_world *w, uint32_t o);

/* legal.c: rules as conditions on (option, buyer) */
int mkt__legal_build(struct mkt_world *w);
void mkt__legal_free(struct mkt_world *w);
void mkt__legal_sync(struct mkt_world *w); /* legacy state -> instances */
bool mkt__legal_allows(const struct mkt_world *w, uint32_t o, uint32_t i);
double mkt__legal_cost(const struct mkt_world *w, uint32_t o, uint32_t i);
double mkt__legal_price_factor(const struct mkt_world *w, uint32_t o);
double mkt__legal_detection(const struct mkt_world *w, uint32_t o,
                            uint32_t i);
double mkt__legal_delay(const struct mkt_world *w, uint32_t o, uint32_t i);
void mkt__legal_bill(struct mkt_world *w, uint32_t o, double pay);
/* The share of what o's users pay that rules make `who` carry as a cost:
 * what the deciding agents take off their margin (agent_cloud.c,
 * agent_vendor.c). */
double mkt__legal_carried(const struct mkt_world *w, uint32_t o,
                          mkt_bearer who);
bool mkt__legal_matches(const struct mkt_world *w, const mkt__inst *r,
                        uint32_t o, uint32_t i);
/* Whether seat i, buying o, is a buyer condition c names. */
bool mkt__legal_buyer(const struct mkt_world *w, const mkt_cond *c, uint32_t o,
                      uint32_t i);

/* market.c */
/* books.c: the month's books */
int mkt__on_month(sim_engine *eng, void *ctx, const sim_msg *m);
/* The results' row of real Mtok that option o bills in the current month,
 * one value per weight class: mkt__bill adds to it. */
double *mkt__tokens_row(struct mkt_world *w, uint32_t o);

/* pick_cache.c: the cache of what a choice asks of the world (see there).
 * mkt__pc_begin starts a choice: false when the cache may not be used now
 * (it is off, or a world event runs), and the caller asks mkt__available
 * and computes utilities itself; true, and the others give the same
 * values as those, bit for bit, until the choice ends. */
int mkt__pc_new(struct mkt_world *w, bool off,
                uint8_t memo_epochs); /* 0: 255 */
void mkt__pc_free(struct mkt_world *w);
bool mkt__pc_begin(struct mkt_world *w);
double mkt__pc_utility(const struct mkt_world *w, const mkt_sector *s,
                       uint32_t i, uint32_t o, bool switch_cost);
double mkt__pc_outside_utility(const struct mkt_world *w,
                               const mkt_sector *s);
/* w->ok / w->v for seat i of sector s, ref the option it holds or moves to
 * (the others cost the switch): pick()'s loop. */
void mkt__pc_fill(struct mkt_world *w, const mkt_sector *s, uint32_t i,
                  int32_t ref);
/* The same for firm prim's portfolio: o's availability is to seat
 * holder[o], its utility the primary's, with the switching cost where
 * sw[o] (choose.c's portfolio_utilities). */
void mkt__pc_fill_firm(struct mkt_world *w, const mkt_sector *s, uint32_t prim,
                       const uint32_t *holder, const bool *sw);

/* ent.c: the seats on option o (targets: onboarding onto it), most recent
 * first, copied into w->walk (the walk moves them); n of them. */
int mkt__walk_copy(struct mkt_world *w, uint32_t o, bool targets, size_t *n);
/* ent.c: the rosters' memory, for 2 * n_opts rosters */
int mkt__rosters_new(struct mkt_world *w);
void mkt__rosters_free(struct mkt_world *w);

#endif
