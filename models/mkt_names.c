/* mkt_names.c -- the names of channels and timeline event types (mkt.h).
 *
 * One table each, indexed by the enum, so the scenario loader (which accepts
 * these names in `channels` lists and as an event's `type`), the reports and
 * the output's /channel axis spell them the same way. The static asserts tie
 * each table's length to its enum: adding a channel or an event type without
 * naming it fails to compile.
 */
#include "mkt.h"

static const char *const channel_names[] = {
    "none", "waiting", "direct", "onshore", "offshore", "gray", "domestic",
};
_Static_assert(sizeof channel_names / sizeof channel_names[0] == MKT_N_CHANNELS,
               "every mkt_channel has a name");

static const char *const event_type_names[] = {
    "vendor_policy",   "partnership_end", "licence_revocation", "commerce_rule",
    "kyc_rule",        "cac_rule",        "soe_preference",     "enforcement",
    "capability_jump", "price_change",    "rule",               "suspend",
    "restore",
};
_Static_assert(sizeof event_type_names / sizeof event_type_names[0] ==
                   MKT_N_EVENT_TYPES,
               "every mkt_event_type has a name");

const char *mkt_channel_name(int ch)
{
    if (ch < 0 || ch >= MKT_N_CHANNELS)
        return NULL;
    return channel_names[ch];
}

const char *mkt_event_type_name(int type)
{
    if (type < 0 || type >= MKT_N_EVENT_TYPES)
        return NULL;
    return event_type_names[type];
}
