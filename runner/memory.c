/* memory.c -- whether a job's replications fit in this machine's memory
 * (run_memory_fits), asked before anything is allocated. */
#include <unistd.h>

#include "run.h"

bool run_memory_fits(const mkt_params *p, uint64_t at_once, run_memory *m)
{
    m->per = mkt_memory_estimate(p);
    m->need = m->per * (double)at_once;
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    m->have = pages > 0 && size > 0 ? (double)pages * (double)size : 0;
    return !(m->have > 0 && m->need > 0.8 * m->have);
}
