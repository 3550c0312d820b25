/* mem.c -- large blocks advised for transparent huge pages (see mem.h).
 *
 * aligned_alloc rather than mmap: the blocks stay ordinary heap memory, so
 * free() releases them and AddressSanitizer still watches them in the test
 * build. C11 (and ASan) want the size to be a multiple of the alignment,
 * hence the rounding. The advice is given before the first touch: pages
 * faulted in small are only merged later, if ever, by khugepaged.
 */
#define _DEFAULT_SOURCE /* madvise and MADV_HUGEPAGE are not POSIX */
#include "mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define LINE 64u
#define HUGE ((size_t)2 << 20)

size_t sim_mem_rounded(size_t size)
{
    size_t a = size >= SIM_MEM_HUGE_MIN ? HUGE : LINE;
    if (size > SIZE_MAX - a)
        return SIZE_MAX;
    return (size + a - 1) / a * a;
}

void *sim_mem_alloc(size_t size)
{
    if (size == 0)
        return NULL;
    size_t total = sim_mem_rounded(size);
    if (total == SIZE_MAX)
        return NULL;
    size_t align = size >= SIM_MEM_HUGE_MIN ? HUGE : LINE;
    void *p = aligned_alloc(align, total);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* Fails with EINVAL where the kernel has no transparent huge pages; the
     * block is then simply backed by small pages. */
    if (p != NULL && align == HUGE)
        (void)madvise(p, total, MADV_HUGEPAGE);
#endif
    return p;
}

void *sim_mem_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = sim_mem_alloc(n * size);
    if (p != NULL) {
        /* The zeroing is the block's first touch: a large block's pages are
         * faulted in from the far end meanwhile, and the two meet. */
        sim_mem_prefault *pf = sim_mem_prefault_start(p, n * size);
        memset(p, 0, n * size);
        sim_mem_prefault_stop(pf);
    }
    return p;
}

void sim_mem_discard(void *p, size_t len)
{
#if defined(__linux__) && defined(MADV_DONTNEED)
    const uintptr_t page = 4096;
    uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t hi = ((uintptr_t)p + len) & ~(page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
#else
    (void)p;
    (void)len;
#endif
}

/* ---- prefaulting ----------------------------------------------------------
 *
 * One thread per block, walking it back to front in chunks, checking between
 * chunks whether it is told to stop. MADV_POPULATE_WRITE (Linux 5.14) faults
 * the pages in as a write would, without writing: the block's contents are
 * the caller's throughout, so no synchronisation is needed beyond the stop
 * flag and the join. */
#define PREFAULT_CHUNK ((size_t)8 << 20) /* a multiple of the 2 MiB page */

struct sim_mem_prefault {
    pthread_t thread;
    unsigned char *p;
    size_t len; /* rounded (sim_mem_rounded): whole pages */
    atomic_bool stop;
};

#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
static void *prefault_main(void *arg)
{
    sim_mem_prefault *pf = arg;
    size_t end = pf->len;
    while (end > 0 && !atomic_load_explicit(&pf->stop, memory_order_relaxed)) {
        size_t lo = end > PREFAULT_CHUNK ? end - PREFAULT_CHUNK : 0;
        /* EINVAL: an older kernel; ENOMEM and the rest: the first touch
         * will fault the page in, or fail, as it would have anyway. */
        if (madvise(pf->p + lo, end - lo, MADV_POPULATE_WRITE) != 0)
            break;
        end = lo;
    }
    return NULL;
}
#endif

sim_mem_prefault *sim_mem_prefault_start(void *p, size_t len)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    if (p == NULL || len < SIM_MEM_PREFAULT_MIN)
        return NULL;
    sim_mem_prefault *pf = malloc(sizeof *pf);
    if (pf == NULL)
        return NULL;
    pf->p = p;
    pf->len = sim_mem_rounded(len); /* p is 2 MiB aligned, its pages whole */
    atomic_init(&pf->stop, false);
    if (pthread_create(&pf->thread, NULL, prefault_main, pf) != 0) {
        free(pf);
        return NULL;
    }
    return pf;
#else
    (void)p;
    (void)len;
    return NULL;
#endif
}

void sim_mem_prefault_stop(sim_mem_prefault *pf)
{
    if (pf == NULL)
        return;
    atomic_store_explicit(&pf->stop, true, memory_order_relaxed);
    (void)pthread_join(pf->thread, NULL);
    free(pf);
}
