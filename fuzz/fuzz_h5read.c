/* fuzz_h5read.c -- libFuzzer harness: the HDF5 readers (ana_run_read for
 * `aims report`/`compare`, ana_sweep_read for `merge`/`sensitivity`) on
 * mutated aims files. Every outcome but SIM_OK is bad input with a
 * message; HDF5 itself is not instrumented, only our checks are. */
#include "fuzz_input.h"
#include "runread.h"
#include "sweepfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".h5");
    sim_err err = {0};
    ana_run *run = NULL;
    int rc = ana_run_read(path, &run, &err);
    if (rc == SIM_OK) {
        ana_run_metric *m = NULL;
        size_t n = 0;
        if (ana_run_metrics(run, &m, &n, &err) == SIM_OK)
            ana_run_metrics_free(m, n);
    } else if (rc != SIM_EINPUT && rc != SIM_ENOMEM) {
        abort();
    }
    ana_run_free(run);
    ana_sweep s;
    sim_err e2 = {0};
    rc = ana_sweep_read(path, &s, &e2);
    if (rc != SIM_OK && rc != SIM_EINPUT && rc != SIM_ENOMEM)
        abort();
    ana_sweep_fini(&s);
    return 0;
}
