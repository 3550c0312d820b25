/* fuzz_sweep.c -- libFuzzer harness: a sweep file through swp_load (its own
 * keys, then the base scenario it names and the parameter paths), then the
 * design when it is small enough to build quickly. */
#include "fuzz_input.h"
#include "sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".cfg");
    sim_err err = {0};
    swp_spec *s = NULL;
    int rc = swp_load(path, &s, &err);
    if (rc != SIM_OK && (rc != SIM_EINPUT || err.msg[0] == '\0'))
        abort();
    if (rc == SIM_OK && swp_points(s) <= 4096) {
        double *x = NULL;
        if (swp_design(s, &x, &err) != SIM_OK)
            abort();
        free(x);
    }
    swp_free(s);
    return 0;
}
