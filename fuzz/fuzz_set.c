/* fuzz_set.c -- libFuzzer harness: `--set PATH=VALUE` parsing. The bytes
 * (up to the first NUL) are one assignment applied to the shipped baseline;
 * the model is then loaded from the result, as `aims run --set` does. */
#include <stdlib.h>
#include <string.h>

#include "mkt.h"
#include "scen.h"

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char a[4096];
    size_t n = size < sizeof a - 1 ? size : sizeof a - 1;
    memcpy(a, data, n);
    a[n] = '\0';
    sim_err err = {0};
    scen_doc *doc = NULL;
    mkt_params *p = NULL;
    if (scen_load(AIMS_SOURCE_DIR "/scenarios/baseline.cfg", &doc, &err) !=
        SIM_OK)
        abort();
    int rc = scen_set(doc, a, &err);
    if (rc == SIM_OK)
        rc = mkt_load(doc, &p, &err);
    if (rc != SIM_OK && (rc != SIM_EINPUT || err.msg[0] == '\0'))
        abort();
    mkt_params_free(p);
    scen_free(doc);
    return 0;
}
