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

/* n * size bytes, zeroed, as sim_mem_alloc; NULL on overflow. A block of
 * SIM_MEM_PREFAULT_MIN bytes or more is prefaulted (below) while it is
 * zeroed. */
void *sim_mem_calloc(size_t n, size_t size);

/* Gives the whole pages inside [p, p + len) back to the system: a block that
 * is consumed front to back (the engine's sorted run) stops counting against
 * memory as it drains. The contents are lost (they read as zero); the block is
 * still freed with free(). Silently does nothing where unsupported. */
void sim_mem_discard(void *p, size_t len);

/* Prefaulting: a background thread that faults in a large block's pages
 * (madvise(MADV_POPULATE_WRITE), which maps them writable and leaves their
 * contents alone) while the caller goes on working. At 10^7 agents the first
 * touches of the agent array are ~1.5 s of a ~26 s run, nearly all of it the
 * kernel (and, in a virtual machine, the host) zeroing pages; done on another
 * core they cost the caller nothing where the two meet. It changes no byte of
 * the block, so the caller may read and write it meanwhile.
 *
 * Only blocks of SIM_MEM_PREFAULT_MIN bytes or more are worth a thread; for
 * smaller ones, where the kernel lacks the advice, or where no thread can be
 * started, the start returns NULL and nothing happens (the pages then fault
 * in on first touch, as without it). */
#define SIM_MEM_PREFAULT_MIN ((size_t)64 << 20)

typedef struct sim_mem_prefault sim_mem_prefault;

/* Starts faulting in the block p (from sim_mem_alloc, len bytes as asked of
 * it), from its end towards its start: a caller filling it front to back
 * meets the thread in the middle instead of following it. */
sim_mem_prefault *sim_mem_prefault_start(void *p, size_t len);

/* Stops the thread (within one chunk of a few MiB) and waits for it; call it
 * before the block is freed. NULL does nothing. */
void sim_mem_prefault_stop(sim_mem_prefault *pf);

/* The bytes sim_mem_alloc(size) reserves: size rounded up to its alignment
 * (for memory estimates). */
size_t sim_mem_rounded(size_t size);

#endif
