/* run_axes.h -- the issue-12 axes of the hand-built run files of
 * tests/test_runfile.c and tests/test_runread.c: 2 vendors (openai us, qwen
 * cn), one onshore cloud hosting openai, no gray channel, so 3 options
 * (direct openai, onshore openai via azure_cn, domestic qwen); 2 sectors
 * with 3 large accounts (two in the first). The strings live in the
 * struct, since mkt_params holds char *; keep it where it was initialised.
 */
#ifndef AIMS_TESTS_RUN_AXES_H
#define AIMS_TESTS_RUN_AXES_H

#include <stdio.h>
#include <string.h>

#include "mkt.h"

enum { RA_NV = 2, RA_NO = 3, RA_NSEG = 2, RA_NS = 2, RA_NA = 3 };

static const char *const ra_vendor_names[RA_NV] = {"openai", "qwen"};
static const char *const ra_option_names[RA_NO] = {
    "direct openai", "onshore openai via azure_cn", "domestic qwen"};
static const char *const ra_option_channels[RA_NO] = {"direct", "onshore",
                                                      "domestic"};
static const char *const ra_option_vendors[RA_NO] = {"openai", "openai",
                                                     "qwen"};
static const char *const ra_option_inters[RA_NO] = {"", "azure_cn", ""};
static const char *const ra_segment_names[RA_NSEG] = {"ordinary", "large"};
static const char *const ra_sector_names[RA_NS] = {"internet", "finance"};
static const char *const ra_account_names[RA_NA] = {"bytedance", "tencent",
                                                    "icbc"};
static const char *const ra_account_sectors[RA_NA] = {"internet", "internet",
                                                      "finance"};

typedef struct {
    char vid[RA_NV][16], iid[16], sname[RA_NS][16], aname[RA_NA][16];
    mkt_vendor vendors[RA_NV];
    mkt_intermediary inter;
    bool hosts[RA_NV];
    mkt_sector sectors[RA_NS];
    mkt_account accounts[RA_NA];
} ra_axes;

/* The float64 outputs issue 12 (and 13) added to mkt_results, in the order
 * the two tests fill them: [months], [months][segment][sector][channel],
 * [months][option][segment][sector], [months][vendor], [months][channel],
 * [months][segment][sector], one value, [channel], [months][actor]. */
enum { RA_N_ND = 9, RA_NACT = 3 };

/* Values per replication of output k, for a horizon of `months`. */
static inline size_t ra_nd_cells(int k, size_t months)
{
    const size_t ch = MKT_N_CHANNELS;
    const size_t n[RA_N_ND] = {months,
                               months * RA_NSEG * RA_NS * ch,
                               months * RA_NO * RA_NSEG * RA_NS,
                               months * RA_NV,
                               months * ch,
                               months * RA_NSEG * RA_NS,
                               1,
                               ch,
                               months * RA_NACT};
    return n[k];
}

static inline double *ra_nd_member(mkt_results *res, int k)
{
    double *const m[RA_N_ND] = {res->frontier_access_index,
                                res->channel_count_by_sector,
                                res->tokens,
                                res->tokens_by_vendor,
                                res->tokens_by_channel,
                                res->tokens_by_sector,
                                &res->final_frontier_access_index,
                                res->final_channel_share,
                                res->compliance_cost};
    return m[k];
}

/* Fills x and points p's vendors, intermediaries, gray and sectors at it. */
static inline void ra_axes_init(ra_axes *x, mkt_params *p)
{
    memset(x, 0, sizeof *x);
    for (int v = 0; v < RA_NV; v++) {
        snprintf(x->vid[v], sizeof x->vid[v], "%s", ra_vendor_names[v]);
        x->vendors[v].id = x->vid[v];
        x->vendors[v].origin = v ? MKT_ORIGIN_CN : MKT_ORIGIN_US;
    }
    snprintf(x->iid, sizeof x->iid, "azure_cn");
    x->hosts[0] = true;
    x->inter = (mkt_intermediary){.id = x->iid,
                                  .kind = MKT_KIND_ONSHORE,
                                  .hosts = x->hosts};
    for (int k = 0; k < RA_NA; k++) {
        snprintf(x->aname[k], sizeof x->aname[k], "%s", ra_account_names[k]);
        x->accounts[k].name = x->aname[k];
    }
    for (int k = 0; k < RA_NS; k++) {
        snprintf(x->sname[k], sizeof x->sname[k], "%s", ra_sector_names[k]);
        x->sectors[k].name = x->sname[k];
    }
    x->sectors[0].accounts = &x->accounts[0];
    x->sectors[0].n_accounts = 2;
    x->sectors[1].accounts = &x->accounts[2];
    x->sectors[1].n_accounts = 1;
    p->vendors = x->vendors;
    p->n_vendors = RA_NV;
    p->inter = &x->inter;
    p->n_inter = 1;
    p->gray.enabled = false;
    p->sectors = x->sectors;
    p->n_sectors = RA_NS;
}

#endif
