/* cpus.c -- how many worker threads -j means by default: the CPUs this
 * process may run on, not the CPUs the machine has. `taskset -c 0`, a
 * container's cpuset and a Slurm allocation all restrict the affinity mask;
 * counting the machine's CPUs instead ran two threads on one CPU. Slurm
 * with task/none leaves the mask alone, so SLURM_CPUS_PER_TASK, when set,
 * caps the count too. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "run.h"

uint64_t run_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        n = CPU_COUNT(&set);
    const char *slurm = getenv("SLURM_CPUS_PER_TASK");
    if (slurm != NULL) {
        char *end;
        long s = strtol(slurm, &end, 10);
        if (end != slurm && *end == '\0' && s > 0 && (n <= 0 || s < n))
            n = s;
    }
    return n > 0 ? (uint64_t)n : 1;
}
