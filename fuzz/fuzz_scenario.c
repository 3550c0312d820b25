/* fuzz_scenario.c -- libFuzzer harness: a scenario file through the whole
 * loader (scen_load: includes, the truncation pre-scan, libconfig; then
 * mkt_load: every key, type, range and reference). Anything but SIM_OK or
 * SIM_EINPUT (with a message) is a bug; so is a crash, a leak or a hang. */
#include <string.h>

#include "fuzz_input.h"
#include "mkt.h"
#include "scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".cfg");
    sim_err err = {0};
    scen_doc *doc = NULL;
    mkt_params *p = NULL;
    int rc = scen_load(path, &doc, &err);
    if (rc == SIM_OK)
        rc = mkt_load(doc, &p, &err);
    if (rc != SIM_OK && (rc != SIM_EINPUT || err.msg[0] == '\0'))
        abort();
    mkt_params_free(p);
    scen_free(doc);
    return 0;
}
