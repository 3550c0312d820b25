/* fuzz_input.h -- the loaders read files, so each harness writes the
 * fuzzer's bytes to one scratch file per process and hands over its path.
 * The file lives in FUZZ_SCRATCH (build/fuzz/scratch, three levels below
 * the source root), so that a seed sweep's `scenario =
 * "../../../scenarios/baseline.cfg"` finds the shipped scenario. */
#ifndef AIMS_FUZZ_INPUT_H
#define AIMS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef FUZZ_SCRATCH
#define FUZZ_SCRATCH "build/fuzz/scratch"
#endif

/* The bytes as the file at the returned path (the same path every call). */
static const char *fuzz_file(const uint8_t *data, size_t size,
                             const char *suffix)
{
    static char path[512];
    if (path[0] == '\0')
        snprintf(path, sizeof path, "%s/in-%ld%s", FUZZ_SCRATCH,
                 (long)getpid(), suffix);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        abort();
    if (size > 0 && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    return path;
}

#endif
