/* mkt.h -- the market model's parameters, one replication's results, and the
 * entry points: load a scenario into parameters, run one replication.
 *
 * Data flows one way (DESIGN.md): a scen_doc (models/scen.h) is read by
 * mkt_load into an mkt_params, which is plain, validated, read-only data; any
 * number of replications, in any number of threads, run from one mkt_params
 * with mkt_run, each into its own mkt_results; analysis/ writes those out.
 *
 * The scenario schema is written next to each field as its key path. The
 * loader checks every key (unknown keys get a did-you-mean), every type and
 * range, and every reference (a vendor or intermediary id that does not
 * exist), with messages "FILE:LINE: PATH: expected ..., got ..."; the full
 * key-by-key reference is docs/scenarios.md and the equations docs/model.md.
 *
 * Units: money in USD; usage in millions of tokens (Mtok) per month, priced
 * per Mtok as a blend of input and output at the mix the scenario states;
 * rates per year (converted to per day inside, 365.25 days a year); times on
 * the timeline in months from the start (a month is 365.25 / 12 days).
 */
#ifndef MKT_H
#define MKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mkt_agents.h"
#include "scen.h"

/* The ways an enterprise can reach a model, plus the two states without one.
 * The order is the order of the output's /channel axis. */
typedef enum {
    MKT_CH_NONE,     /* not adopted (or adopted with no option at all) */
    MKT_CH_WAITING,  /* adopted, waiting in an onboarding queue, no access */
    MKT_CH_DIRECT,   /* a US vendor's API reached from China */
    MKT_CH_ONSHORE,  /* an in-China cloud run by a local operator */
    MKT_CH_OFFSHORE, /* a global cloud, through a subsidiary abroad */
    MKT_CH_GRAY,     /* resellers, relays, VPNs */
    MKT_CH_DOMESTIC, /* a Chinese vendor */
    MKT_N_CHANNELS
} mkt_channel;

/* "none", "waiting", "direct", ... as in the enum; NULL out of range. */
const char *mkt_channel_name(int ch);

typedef enum { MKT_ORIGIN_US, MKT_ORIGIN_CN } mkt_origin;
typedef enum { MKT_KIND_ONSHORE, MKT_KIND_OFFSHORE } mkt_kind;

#define MKT_NO_INDEX SIZE_MAX /* an absent vendor, intermediary or actor */
#define MKT_MAX_OPTIONS 16     /* choice.max_options: at most this many */
#define MKT_MAX_SECTORS 32768  /* enterprises.sectors: a weight class (a
                                  sector's firms, its large accounts) is 16
                                  bits in the enterprise's record */

/* A provider's onboarding queue: `servers` real firms onboarded at once,
 * each taking an exponential time of mean `mean_days`. The simulation runs
 * max(1, round(servers x count / firms)) simulated servers, so capacity
 * keeps its meaning when enterprises.count changes. */
typedef struct {
    uint32_t servers; /* onboarding.servers: integer in [1, 100000000] */
    double mean_days; /* onboarding.mean_days: number in (0, 3650] */
} mkt_onboarding;

/* vendors = ( { ... }, ... ): at least one; ids unique. */
typedef struct {
    char *id;                 /* id: string, [A-Za-z0-9_-]+ (an actor name) */
    mkt_origin origin;        /* origin: "us" | "cn" */
    double capability;        /* capability: index at the start, [0, 1000] */
    double capability_growth; /* capability_growth: points per year,
                                 [-100, 100]; default 0 */
    double price;             /* price: USD per Mtok, blended, (0, 10000] */
    /* US vendors only (refused for cn, where the channel is domestic): */
    bool direct_access;          /* direct_access: the API is reachable from
                                    China at the start; default false */
    bool serve_china_controlled; /* serve_china_controlled: firms more than
                                    half owned by China-headquartered parents
                                    may buy; default true. When false, the
                                    vendor excludes them on exclusion_channels */
    bool exclusion_channels[MKT_N_CHANNELS]; /* exclusion_channels = [ ... ]:
                                    the channels a China-controlled exclusion
                                    covers, of direct, onshore, offshore;
                                    default [ "offshore" ] (abroad only); every
                                    channel that serves its models, clouds
                                    included, is [ "direct", "onshore",
                                    "offshore" ] */
    /* Where it is served and where its weights sit (the legal structure,
     * docs/scenarios.md "Regions"): region names, interned in
     * mkt_params.regions. */
    uint8_t hosting;      /* hosting: region of its own API; default "us"
                             for a us vendor, "cn" for a cn vendor */
    uint8_t weights;      /* weights: region of its weights; default its
                             hosting */
    bool closed_frontier; /* closed_frontier: a closed model above the
                             compute threshold of export controls (ECCN
                             4E091); default true for us, false for cn */
    /* cn vendors only (required there, refused for us): */
    mkt_onboarding onboarding; /* onboarding = { servers; mean_days; } */
    /* The vendor as an agent (mkt_agents.h): */
    double marginal_cost;      /* marginal_cost: USD per Mtok it serves,
                                  [0, 10000]; default 0 */
    mkt_pricing pricing;       /* pricing = { ... }; default fixed */
    mkt_china_policy china;    /* china_policy = { ... }; us only */
} mkt_vendor;

/* intermediaries = ( { ... }, ... ): may be empty; ids unique and distinct
 * from vendor ids. */
typedef struct {
    char *id;          /* id: string, as a vendor id */
    mkt_kind kind;     /* kind: "onshore" | "offshore" */
    size_t parent;     /* parent: string, the parent cloud (an actor name,
                          e.g. "microsoft"); index into mkt_params.actors */
    size_t operator_;  /* operator: string, the local operator (an actor
                          name, e.g. "21vianet"); required for onshore,
                          refused for offshore (MKT_NO_INDEX there) */
    bool *hosts;       /* hosts = [ "openai", ... ]: ids of US vendors whose
                          models it is licensed to serve, at least one;
                          hosts[v] for each vendor index v */
    double markup;     /* markup: fraction added to the vendor's price,
                          [0, 10]; the enterprise pays price * (1 + markup) */
    double vendor_share;   /* vendor_share: fraction of each payment to the
                              vendor, [0, 1] */
    double parent_share;   /* parent_share: to the parent cloud, [0, 1] */
    double operator_share; /* operator_share: to the operator, [0, 1];
                              default 0 (must be 0 for offshore). The three
                              shares sum to 1 within 1e-9. */
    mkt_onboarding onboarding; /* onboarding = { servers; mean_days; } */
    uint8_t hosting;     /* hosting: region its models are served from;
                            default "cn" onshore, "abroad" offshore */
    uint8_t weights;     /* weights: region where the hosted weights sit;
                            default its hosting */
    uint8_t contracting; /* contracting: the entity the buyer contracts
                            with, "operator" (default onshore) | "parent"
                            (the parent cloud's global entity, default
                            offshore); an mkt_entity */
    /* The intermediary as an agent (mkt_agents.h): */
    double marginal_cost;      /* marginal_cost: USD per Mtok it serves,
                                  [0, 10000]; default 0 */
    mkt_markup_policy markup_policy; /* markup_policy = { ... } */
    mkt_capacity_policy capacity;    /* capacity_policy = { ... } */
    mkt_exit_policy exit;            /* exit_policy = { ... }; onshore */
} mkt_intermediary;

/* Who a buyer contracts with, an option attribute. */
typedef enum {
    MKT_ENTITY_VENDOR,   /* direct and domestic */
    MKT_ENTITY_PARENT,   /* a cloud's global entity */
    MKT_ENTITY_OPERATOR, /* an onshore cloud's local operator */
    MKT_ENTITY_RESELLER, /* gray */
    MKT_N_ENTITIES
} mkt_entity;

/* What kind of buyer a sector holds. */
typedef enum { MKT_BUYER_ENTERPRISE, MKT_BUYER_INDIVIDUAL, MKT_N_BUYER_KINDS }
    mkt_buyer_kind;

/* A condition on (option, buyer) pairs: every given part must hold. A set
 * is a bit mask (bit k for value k), 0 meaning any; a tristate is -1 (any),
 * 0 or 1. docs/scenarios.md "Rules" is the users' reference. */
typedef struct {
    /* options = { ... } */
    uint32_t channels;   /* channels = [ "onshore", ... ] */
    uint64_t vendors;    /* vendors = [ ids ] */
    uint64_t inters;     /* intermediaries = [ ids ] */
    uint32_t origins;    /* origin = [ "us" | "cn" ] */
    uint64_t hosting;    /* hosting = [ regions ] */
    uint64_t weights;    /* weights = [ regions ] */
    uint32_t contracting; /* contracting = [ "vendor", "parent", "operator",
                             "reseller" ] */
    int8_t closed_frontier; /* closed_frontier = bool */
    /* buyers = { ... } */
    uint32_t hq;         /* headquarters = [ "cn" | "abroad" ] */
    double own_above;    /* china_ownership_above: the contracting entity is
                            more than this share owned by China-
                            headquartered parents, [0, 1); < 0 any */
    int8_t listed;       /* listed_affiliate = bool */
    int8_t public_facing, state_owned, offshore; /* bools */
    uint32_t buyer_kinds; /* buyer_kind = [ "enterprise" | "individual" ] */
    uint64_t sectors;    /* sectors = [ names ] */
    bool any_buyer;      /* derived: no buyer condition at all */
} mkt_cond;

/* What a rule does to the pairs its condition matches. */
typedef enum {
    MKT_RULE_FORBID,  /* they may not be used */
    MKT_RULE_LICENCE, /* a licence each, granted with approval_prob */
    MKT_RULE_COST,    /* a compliance cost, a fraction of the price */
    MKT_RULE_DELAY,   /* a buyer must file first: delay_months before it can
                         start using a matching option (and cost, if any) */
    MKT_N_RULE_EFFECTS
} mkt_rule_effect;

/* Who carries a rule's cost. */
typedef enum {
    MKT_BEARER_BUYER,        /* a cost it perceives (utility), paid to no
                                one */
    MKT_BEARER_INTERMEDIARY, /* the option's contracting cloud entity: its
                                margin falls (compliance_cost output) */
    MKT_BEARER_VENDOR        /* the option's vendor */
} mkt_bearer;

/* A rule as data (a `rule` event, or rules.conditions at the start). */
typedef struct {
    char *name;             /* name: an id; suspend / restore refer to it */
    mkt_rule_effect effect; /* effect: "forbid" | "licence" | "cost" |
                               "delay" */
    mkt_cond cond;          /* options = { ... }; buyers = { ... } */
    double approval_prob;   /* licence: [0, 1] */
    double cost;            /* cost (required), delay (optional): [0, 100] */
    mkt_bearer bearer;      /* bearer: "buyer" (default) | "intermediary" |
                               "vendor" */
    double delay_months;    /* delay: (0, 1200] */
    double detection_rate;  /* detection_rate: detections per matching
                               user-year, [0, 1000]; default 0 */
} mkt_rule;

/* gray = { ... }: resellers and relays serving US vendors' models. */
typedef struct {
    bool enabled;          /* enabled: default true */
    double price_factor;   /* price_factor: paid price / vendor list price,
                              (0, 100] */
    double reseller_share; /* reseller_share: fraction of each payment kept by
                              the resellers, [0, 1]; the rest buys the
                              vendor's API (to the vendor) */
    double detection_rate; /* detection_rate: detections per user-year at
                              enforcement level 1, [0, 1000] */
    double enforcement;    /* enforcement: level at the start, [0, 1000];
                              detection hazard = detection_rate * level */
    double risk_per_level; /* risk_per_level: utility risk added per level,
                              [0, 1000]; risk(gray) = risk.gray +
                              risk_per_level * level */
    double ban_months;     /* ban_months: after a detection the enterprise
                              cannot use gray for this long, [0, 1200] */
    uint8_t hosting;       /* hosting: region the relays serve from;
                              default "abroad" */
} mkt_gray;

/* rules = { ... }: the regulators' state at the start. The timeline
 * changes it. */
typedef struct {
    bool cac_filing; /* cac_filing: public-facing enterprises may not use US
                        vendors' models (no foreign model is filed) */
    double soe_foreign_penalty; /* soe_foreign_penalty: utility subtracted
                                   from US vendors' options for state-owned
                                   enterprises, [0, 1000] */
    /* kyc = { active; cost; detection_rate; }: the IaaS know-your-customer
     * rule on the offshore channel. */
    bool kyc_active;         /* kyc.active */
    double kyc_cost;         /* kyc.cost: compliance cost as a fraction of
                                the price, [0, 100]; it raises the price the
                                enterprise perceives (utility), it is no one's
                                revenue */
    double kyc_detection_rate; /* kyc.detection_rate: detections per
                                  offshore user-year, [0, 1000] */
    /* commerce = { active; approval_prob; channels; }: the Commerce
     * cloud-access rule, in force at the start when active. */
    bool commerce_active;         /* commerce.active */
    double commerce_approval_prob; /* commerce.approval_prob: [0, 1] */
    bool commerce_channels[MKT_N_CHANNELS]; /* commerce.channels = [
                                               "onshore", "offshore" ]: of
                                               direct, onshore, offshore,
                                               gray; at least one */
    /* conditions = ( { name; effect; options; buyers; ... }, ... ): rules
     * as data in force at the start (and during the burn-in); indices into
     * mkt_params.rule_defs */
    size_t *conditions;
    size_t n_conditions;
} mkt_rules;

/* A large account: one real firm (weight 1) with its own size, part of a
 * sector, adopted at the start.
 * enterprises.sectors.[i].large_accounts = ( { ... }, ... ), may be empty. */
typedef struct {
    char *name;         /* name: string */
    double usage;       /* usage: Mtok per month at the start, (0, 1e12] */
    bool offshore;      /* offshore: has a subsidiary abroad */
    bool public_facing; /* public_facing: serves the public in China */
    bool state_owned;   /* state_owned */
    bool hq_abroad;     /* headquarters: "cn" (default) | "abroad" */
    double subsidiary_ownership; /* subsidiary_ownership: share of its
                                    subsidiary abroad held by China-
                                    headquartered parents, [0, 1]; default
                                    1 */
    bool listed;        /* listed_affiliate: 50% or more owned by listed
                           parties (Entity List); default false */
} mkt_account;

/* enterprises.sectors = ( { ... }, ... ): at least one; names unique. */
typedef struct {
    char *name;      /* name: string */
    double share;    /* share: of enterprises.count and .firms, [0, 1]; the
                        shares sum to 1 within 1e-6 */
    uint32_t count;  /* derived: simulated enterprises, largest-remainder
                        rounding of share * count, so they sum to count */
    double weight;   /* derived: real firms per simulated enterprise,
                        firms * share / count (0 when count is 0) */
    double bass_p;   /* bass_p: innovation, per year, [0, 100] */
    double bass_q;   /* bass_q: imitation, per year, [0, 100]; p + q > 0 */
    double initial_adopters; /* initial_adopters: share adopted at the
                                start, [0, 1] */
    double usage_median;     /* usage_median: Mtok per month, (0, 1e12] */
    double usage_sigma;      /* usage_sigma: log-normal sigma, [0, 10] */
    double demand_growth;    /* demand_growth: usage growth per year,
                                (-1, 100]; 0.5 = +50% a year */
    double offshore_share;      /* offshore_share: [0, 1] */
    double public_facing_share; /* public_facing_share: [0, 1] */
    double state_owned_share;   /* state_owned_share: [0, 1] */
    /* Buyer attributes (the legal structure); all optional, the defaults
     * are the model before it: */
    mkt_buyer_kind buyer_kind;  /* buyer_kind: "enterprise" (default) |
                                   "individual" (developers) */
    double hq_abroad_share;     /* headquarters_abroad_share: share
                                   headquartered outside China, [0, 1];
                                   default 0 */
    double listed_share;        /* listed_affiliate_share: [0, 1]; default 0 */
    /* subsidiary_ownership = { wholly_owned; min; max; }: the share of a
     * subsidiary abroad held by China-headquartered parents: 1 with
     * probability wholly_owned, else uniform on [min, max]; default
     * wholly_owned 1 */
    double own_wholly, own_min, own_max;
    /* choice = { b_cap; b_price; b_risk; switching_cost; } (utility units
     * per capability point, per log USD, per risk unit, per switch) */
    double b_cap;          /* choice.b_cap: [0, 1000] */
    double b_price;        /* choice.b_price: [0, 1000] */
    double b_risk;         /* choice.b_risk: [0, 1000] */
    double switching_cost; /* choice.switching_cost: [0, 1000] */
    /* choice.outside = { capability; capability_growth; price; lambda; }:
     * the "no external model" nest (in-house, open weights on own
     * hardware, or nothing), with utility
     * b_cap (capability + capability_growth t) - b_price log(price);
     * absent: no outside option (every adopter buys when it can). */
    bool has_outside;
    double outside_capability; /* outside.capability: [0, 1000] */
    double outside_growth;     /* outside.capability_growth: points per
                                  year, [-100, 100]; default 0 */
    double outside_price;      /* outside.price: USD per Mtok equivalent,
                                  (0, 10000] */
    double nest_lambda;        /* outside.lambda: dissimilarity of the
                                  external models' nest, (0, 1]; 1 is plain
                                  logit with the outside as one more
                                  alternative; default 1 */
    uint32_t max_options;      /* choice.max_options: options a firm holds
                                  at once, [1, 16]; default 1 */
    double multihoming_cost;   /* choice.multihoming_cost: utility cost of
                                  each option beyond the first, [0, 1000];
                                  default 0 */
    double price_elasticity;   /* price_elasticity: usage on an option is
                                  u (P / reference_price)^-eps, [0, 10];
                                  default 0 (usage does not respond) */
    double reference_price;    /* reference_price: USD per Mtok at which
                                  usage_median (and a large account's usage)
                                  is measured, (0, 10000]; default 1 */
    double contract_months;   /* contract_months: (0, 1200] */
    double shock_review_prob; /* shock_review_prob: chance an adopter
                                 reviews its choice when a shock is
                                 announced, [0, 1] */
    mkt_account *accounts;    /* large_accounts; optional, default empty */
    size_t n_accounts;
} mkt_sector;

/* timeline = ( { month; type; ... }, ... ): may be empty. */
typedef enum {
    MKT_EV_VENDOR_POLICY,      /* vendor; direct_access and/or
                                  serve_china_controlled (bools, at least
                                  one); vendor must be us */
    MKT_EV_PARTNERSHIP_END,    /* intermediary (onshore); wind_down_months
                                  [0, 1200]: no new customers from `month`,
                                  none at all from month + wind_down */
    MKT_EV_LICENCE_REVOCATION, /* vendor; intermediary (must host it) */
    MKT_EV_COMMERCE_RULE,      /* active (default true); compliance_months
                                  [0, 1200]; approval_prob [0, 1]; channels
                                  (as rules.commerce.channels): in force at
                                  month + compliance_months */
    MKT_EV_KYC_RULE,           /* active (default true); cost;
                                  detection_rate (as rules.kyc) */
    MKT_EV_CAC_RULE,           /* active (bool, default true) */
    MKT_EV_SOE_PREFERENCE,     /* penalty [0, 1000] */
    MKT_EV_ENFORCEMENT,        /* level [0, 1000] */
    MKT_EV_CAPABILITY_JUMP,    /* vendor; delta [-1000, 1000] points */
    MKT_EV_PRICE_CHANGE,       /* vendor; factor (0, 1000]: new price = old
                                  price * factor */
    MKT_EV_RULE,               /* a rule as data (mkt_rule): name, effect,
                                  options, buyers, ...; compliance_months
                                  [0, 1200]: in force at month + compliance;
                                  a rule of the same name replaces it */
    MKT_EV_SUSPEND,            /* rule: a rule's name; it stops applying */
    MKT_EV_RESTORE,            /* rule: a suspended rule applies again */
    MKT_N_EVENT_TYPES
} mkt_event_type;

/* "vendor_policy", "partnership_end", ... as in the enum (the `type` key's
 * values); NULL out of range. */
const char *mkt_event_type_name(int type);

typedef struct {
    mkt_event_type type; /* type: string, one of the names above */
    double month;        /* month: months from the start, [0, horizon] */
    bool shock;          /* shock: default true; a shock makes adopters
                            review (sector shock_review_prob) and the first
                            one is the reference for months_to_half_access */
    size_t vendor;       /* vendor: id; MKT_NO_INDEX when unused */
    size_t intermediary; /* intermediary: id; MKT_NO_INDEX when unused */
    int direct_access;          /* vendor_policy: -1 unchanged, 0, 1 */
    int serve_china_controlled; /* vendor_policy: -1 unchanged, 0, 1 */
    double wind_down_months;    /* partnership_end */
    bool active;                /* commerce_rule, kyc_rule, cac_rule */
    double compliance_months;   /* commerce_rule */
    double approval_prob;       /* commerce_rule */
    bool channels[MKT_N_CHANNELS]; /* commerce_rule */
    double cost, detection_rate;   /* kyc_rule */
    double penalty;                /* soe_preference */
    double level;                  /* enforcement */
    double delta;                  /* capability_jump */
    double factor;                 /* price_change */
    size_t rule;                   /* rule, suspend, restore: index into
                                      mkt_params.rule_defs */
    bool excl_channels[MKT_N_CHANNELS]; /* vendor_policy: channels =
                                           [ ... ] of the exclusion that
                                           serve_china_controlled = false
                                           starts; default the vendor's
                                           exclusion_channels */
} mkt_event;

/* The whole scenario, validated. Read-only once loaded; shared by threads. */
typedef struct {
    /* scenario = { name; start; horizon_months; replications; seed;
     *              frontier_tolerance; frontier_tau; final_window_months; } */
    char *name;                 /* scenario.name: string */
    char *start;                /* scenario.start: "YYYY-MM" */
    uint32_t horizon_months;    /* scenario.horizon_months: [1, 1200] */
    uint32_t replications;      /* scenario.replications: [1, 1000000];
                                   default for -r; default 20 */
    uint64_t seed;              /* scenario.seed: [0, 2^63 - 1]; default for
                                   -s; default 1 */
    double frontier_tolerance;  /* scenario.frontier_tolerance: [0, 1000]:
                                   a model within this many points of the
                                   best one is frontier; default 1 */
    double burn_in_months;      /* scenario.burn_in_months: [0, 1200]: the
                                   market runs this long before month 0
                                   under the starting state (capabilities,
                                   prices and rules frozen, no adoption, no
                                   timeline), unreported; default 0 */
    bool review_all;            /* scenario.shock_reviews: "touched"
                                   (default: a shock makes review only the
                                   firms whose options, prices or risks it
                                   changes) | "all" (a Binomial sample of
                                   every sector's adopters, the model before
                                   the demand issue) */
    /* issue 12, outputs: */
    double frontier_tau;        /* scenario.frontier_tau: (0, 1000] points:
                                   an adopter on a model `gap` points below
                                   the best counts exp(-gap / tau) in the
                                   frontier access index; default 2,
                                   ASSUMPTION (0.5-5) */
    uint32_t final_window_months; /* scenario.final_window_months: [1,
                                     horizon_months]: the "final" metrics
                                     are means over the last this many
                                     months; default 12 (the horizon when
                                     shorter), ASSUMPTION (1-24) */
    /* risk = { direct; onshore; offshore; gray; domestic; }: each [0, 1000],
     * the risk term of each channel's utility (indexed by mkt_channel) */
    double risk[MKT_N_CHANNELS];
    mkt_vendor *vendors;
    size_t n_vendors;
    mkt_intermediary *inter; /* intermediaries */
    size_t n_inter;
    mkt_gray gray;
    mkt_rules rules;
    /* enterprises = { count; firms; sectors; } */
    uint32_t count;    /* enterprises.count: simulated, [1, 100000000] */
    double firms;      /* enterprises.firms: real firms they stand for,
                          [1, 1e10]; default: count (weight 1) */
    mkt_sector *sectors;
    size_t n_sectors;
    mkt_event *events; /* timeline, sorted by month (stable) */
    size_t n_events;
    mkt_rule *rule_defs; /* every rule's definition (rules.conditions, rule
                            events), in file order */
    size_t n_rule_defs;
    char **regions;      /* region names (hosting, weights), interned */
    size_t n_regions;
    mkt_regulators regulators; /* regulators = { commerce; cac; } */
    /* derived: the revenue recipients, in order: every vendor id, then the
     * parent and operator names in order of first appearance (a name equal
     * to an earlier actor is the same actor), then "gray_resellers" */
    char **actors;
    size_t n_actors;
    size_t reseller; /* index of "gray_resellers" in actors */
} mkt_params;

/* Reads the model from a loaded scenario (after its --set overrides). On
 * success sets *out (free with mkt_params_free); on failure records the
 * first defect in err (SIM_EINPUT with the house message, SIM_ENOMEM) and
 * leaves *out alone. */
int mkt_load(const scen_doc *doc, mkt_params **out, sim_err *err);
void mkt_params_free(mkt_params *p); /* NULL is a no-op */

/* An upper bound on the bytes one replication (mkt_run) of this scenario
 * holds at its peak, the process's own share included: the population, its
 * indices and its pending events at the engine's bound per event. For
 * refusing runs that would not fit before anything is allocated. */
double mkt_memory_estimate(const mkt_params *p);

/* The option table: every (channel, vendor, intermediary) triple a
 * scenario can offer, whether or not it is available at a given time. The
 * order is the order of every replication's table and of the output's
 * /option axis: the direct options of the us vendors, then each
 * intermediary's hosted vendors (intermediaries in order), then the gray
 * options of the us vendors (when gray is enabled), then the domestic
 * options of the cn vendors. */
typedef struct {
    int channel;   /* MKT_CH_DIRECT .. MKT_CH_DOMESTIC */
    size_t vendor; /* index into vendors */
    size_t inter;  /* index into inter; MKT_NO_INDEX for direct, gray and
                      domestic */
} mkt_option;

/* Writes the first min(n, count) rows of p's option table into out (NULL
 * with n = 0 to count them) and returns the count. */
size_t mkt_option_table(const mkt_params *p, mkt_option *out, size_t n);

/* The two segments of a sector: its ordinary members (each standing for
 * `weight` real firms) and its large accounts (one firm each). */
enum { MKT_SEG_ORDINARY, MKT_SEG_LARGE, MKT_N_SEGMENTS };

/* What a large account holds at a month end, besides an option index. */
enum {
    MKT_ACCOUNT_WAITING = -1, /* no option, onboarding onto one */
    MKT_ACCOUNT_NONE = -2     /* no option, not onboarding */
};

/* One replication's output. Series hold one value per month m = 1 ..
 * months: stocks are taken at the end of month m, flows summed over month
 * m. Counts are in real firms (simulated enterprises times their weight),
 * tokens in real Mtok. Row-major, the month first:
 * channel_count[(m - 1) * MKT_N_CHANNELS + ch]. A "class" is a (segment,
 * sector) pair, numbered segment * n_sectors + sector.
 *
 * "final" values are means over the last final_window_months months of the
 * series they name (months where it is NaN left out; NaN if all are). */
typedef struct {
    size_t months, n_actors;
    size_t n_vendors, n_options, n_sectors, n_accounts;
    double *channel_count;  /* [months][MKT_N_CHANNELS] firms at month end */
    double *revenue;        /* [months][n_actors] USD received in month */
    double *payments;       /* [months] USD paid by enterprises in month */
    double *adopters;       /* [months] firms that have adopted, month end */
    double *frontier_access_share; /* [months] share of adopters on a
                                      frontier model, month end */
    double *switches;       /* [months] option changes completed in month
                               (firms; adoption is not a switch) */
    double *detections;     /* [months] detections in month (firms) */
    double *days_without_access; /* [months] firm-days adopted without
                                    access in month */
    double *capability_gap; /* [months] mean points below the frontier of
                               the models adopters with access use, month
                               end; NaN with no such adopter */
    double *cumulative_revenue;  /* [n_actors] USD over the horizon */
    double *compliance_cost; /* [months][n_actors] USD of rules' costs the
                                actor carried in month (its revenue is
                                unchanged: they are its expense) */
    double final_frontier_access_share; /* final frontier_access_share */
    double months_to_half_access; /* months from the first shock to the
                                     first month end with frontier access
                                     below half its level at the shock;
                                     NaN if never or no shock */
    uint64_t events;        /* engine events handled */

    /* issue 12, outputs (books.c): */
    double *frontier_access_index; /* [months] sum over adopters with
                                      access of exp(-gap / frontier_tau),
                                      over adopters, month end; NaN with
                                      no adopters */
    double *channel_count_by_sector; /* [months][MKT_N_SEGMENTS][n_sectors]
                                        [MKT_N_CHANNELS] firms at month end;
                                        sums over classes to
                                        channel_count */
    double *tokens;            /* [months][n_options][MKT_N_SEGMENTS]
                                  [n_sectors] real Mtok billed in month
                                  (mkt__bill adds into the current month) */
    double *tokens_by_vendor;  /* [months][n_vendors] */
    double *tokens_by_channel; /* [months][MKT_N_CHANNELS] (none and
                                  waiting are 0) */
    double *tokens_by_sector;  /* [months][MKT_N_SEGMENTS][n_sectors] */
    int64_t *account_option;   /* [months][n_accounts] at month end: an
                                  option index, MKT_ACCOUNT_WAITING or
                                  MKT_ACCOUNT_NONE; accounts sector by
                                  sector, in the scenario's order */
    double final_frontier_access_index; /* final frontier_access_index */
    double final_channel_share[MKT_N_CHANNELS]; /* final share of adopters
                                                   by channel; for
                                                   MKT_CH_NONE, adopters
                                                   with no option that
                                                   are not waiting */
    mkt_decisions *decisions; /* the agents' prices, rules and decision log
                                 (mkt_agents.h); owned */
} mkt_results;

/* Allocates the arrays for p's horizon and actors, zeroed. SIM_ENOMEM. */
int mkt_results_init(mkt_results *r, const mkt_params *p, sim_err *err);
void mkt_results_fini(mkt_results *r); /* zeroed or initialised; repeatable */

typedef struct mkt_world mkt_world; /* one replication's state (market.c) */

/* Called after each month's bookkeeping, for tests and tracing. */
typedef void mkt_month_fn(void *ctx, const mkt_world *w, uint32_t month);

typedef struct {
    uint32_t point;         /* sweep point: names the random streams */
    mkt_month_fn *on_month; /* NULL: none */
    void *ctx;
    const _Atomic int *cancel; /* NULL, or checked at each month end: when
                                  non-zero the run stops with SIM_ECANCELED
                                  (a signal handler may set it) */
    int engine_mode; /* sim_engine_opts.mode; 0 the default. Results are the
                        same in every mode, only speed differs */
    bool no_pick_cache; /* true: choices do not cache what they ask of the
                           world (pick_cache.c); the same results, slower */
    uint8_t memo_epochs; /* tests: rule-set epochs before the firms' memos
                            of rule verdicts are swept (pick_cache.c); 0:
                            255, what fits their tag. The same results */
    int8_t adopt_prefetch; /* tests: 1 prefetches the adoptions to come at
                              any size, -1 never; 0: from 2^18 seats, where
                              the records no longer fit in cache (ent.c).
                              The same results */
    uint64_t *adopt_guesses; /* tests: NULL, or [0] counts adoptions and [1]
                                those whose firm the prefetch had guessed */
    const char *queue; /* tests: the engine's queue by name (sim/queue.h);
                          NULL: "wheel" from 2^18 seats, the default heap4
                          below (market_internal.h). The same results */
} mkt_run_opts;

/* Runs replication `rep` of p with master seed `seed` into r (initialised
 * with mkt_results_init for p). opts may be NULL. Deterministic: the same
 * (p, seed, point, rep) gives the same r, in any thread. Returns SIM_OK,
 * SIM_ENOMEM, or another status with err set. */
int mkt_run(const mkt_params *p, uint64_t seed, uint32_t rep,
            const mkt_run_opts *opts, mkt_results *r, sim_err *err);

/* For on_month observers: enterprises now using an option that is not
 * available to them (must be 0), found by scanning everyone. */
size_t mkt_world_unavailable_users(const mkt_world *w);
/* Simulated enterprises now using options of channel ch through
 * intermediary i (MKT_NO_INDEX: any) and vendor v (MKT_NO_INDEX: any). */
size_t mkt_world_users(const mkt_world *w, int ch, size_t inter, size_t vendor);

#endif
