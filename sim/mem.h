/* mem.h -- allocation of the large arrays of a run (the event pool, the heap,
 * a model's agent records) so that transparent huge pages can back them.
 *
 * At 10^6 agents and more, the arrays an event touches (the engine's record,
 * the model's agent record) are tens to hundreds of megabytes, read at random:
 * with 4 KiB pages nearly every access also misses the TLB. A 2 MiB page
 * covers 512 times as much. Linux hands out huge pages to an anonymous region
 * on first touch when the region is 2 MiB aligned and advised with
 * madvise(MADV_HUGEPAGE) (the kernel's "madvise" mode, Debian's default), so
 * a large block is allocated 2 MiB aligned and advised before anything touches
 * it. Where transparent huge pages are off or unknown the advice fails and is
 * ignored: the memory is the same, only the pages are small.
 *
 * Blocks are ordinary heap memory: release them with free().
 */
#ifndef SIM_MEM_H
#define SIM_MEM_H

#include <stddef.h>

/* Blocks of at least this many bytes are 2 MiB aligned and advised. */
#define SIM_MEM_HUGE_MIN ((size_t)2 << 20)

/* size bytes, 64-byte aligned (a cache line), uninitialised; NULL when out of
 * memory or for size 0. A block of SIM_MEM_HUGE_MIN bytes or more is 2 MiB
 * aligned and advised for huge pages, and its size rounded up to a multiple of
 * 2 MiB (the page it would use anyway). Caller owns the block (free()). */
void *sim_mem_alloc(size_t size);

/* n * size bytes, zeroed, as sim_mem_alloc; NULL on overflow. */
void *sim_mem_calloc(size_t n, size_t size);

/* Gives the whole pages inside [p, p + len) back to the system: a block that
 * is consumed front to back (the engine's sorted run) stops counting against
 * memory as it drains. The contents are lost (they read as zero); the block is
 * still freed with free(). Silently does nothing where unsupported. */
void sim_mem_discard(void *p, size_t len);

/* The bytes sim_mem_alloc(size) reserves: size rounded up to its alignment
 * (for memory estimates). */
size_t sim_mem_rounded(size_t size);

#endif
