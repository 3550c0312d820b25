/* test_mem.c -- sim/mem's large blocks: the prefaulting thread faults a
 * block's pages in without changing a byte of it, while the caller writes it,
 * and stops when told. */
#define _DEFAULT_SOURCE /* mincore, madvise */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

#define BLOCK (SIM_MEM_PREFAULT_MIN + ((size_t)32 << 20))

/* Whether the kernel takes MADV_POPULATE_WRITE (Linux 5.14 and later). */
static bool populate_supported(void)
{
#if defined(MADV_POPULATE_WRITE)
    long page = sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return false;
    bool ok = madvise(p, (size_t)page, MADV_POPULATE_WRITE) == 0;
    munmap(p, (size_t)page);
    return ok;
#else
    return false;
#endif
}

/* Pages of [p, p + len) resident now (mincore). */
static size_t resident_pages(void *p, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (len + page - 1) / page;
    unsigned char *v = malloc(n);
    cr_assert_not_null(v);
    cr_assert_eq(mincore(p, len, v), 0, "mincore: %s", strerror(errno));
    size_t in = 0;
    for (size_t k = 0; k < n; k++)
        in += v[k] & 1;
    free(v);
    return in;
}

static void nap(long ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L};
    nanosleep(&t, NULL);
}

Test(mem, small_blocks_get_no_thread)
{
    void *p = sim_mem_alloc(SIM_MEM_PREFAULT_MIN - 1);
    cr_assert_not_null(p);
    cr_assert_null(sim_mem_prefault_start(p, SIM_MEM_PREFAULT_MIN - 1));
    cr_assert_null(sim_mem_prefault_start(NULL, BLOCK));
    sim_mem_prefault_stop(NULL); /* does nothing */
    free(p);
}

/* Nothing touches the block: the thread alone brings every page in. */
Test(mem, prefault_brings_the_pages_in)
{
    if (!populate_supported())
        cr_skip_test("the kernel has no MADV_POPULATE_WRITE");
    unsigned char *p = sim_mem_alloc(BLOCK);
    cr_assert_not_null(p);
    size_t page = (size_t)sysconf(_SC_PAGESIZE), all = BLOCK / page;
    size_t before = resident_pages(p, BLOCK);
    sim_mem_prefault *pf = sim_mem_prefault_start(p, BLOCK);
    cr_assert_not_null(pf);
    size_t now = before;
    for (int k = 0; k < 2000 && now < all; k++) { /* 20 s at most */
        nap(10);
        now = resident_pages(p, BLOCK);
    }
    sim_mem_prefault_stop(pf);
    cr_expect_eq(now, all, "%zu of %zu pages resident (%zu before)", now, all,
                 before);
    free(p);
}

/* The caller fills the block front to back while the thread faults it in
 * back to front: every byte is the caller's at the end. */
Test(mem, prefault_leaves_the_contents_alone)
{
    size_t n = BLOCK / sizeof(uint64_t);
    uint64_t *p = sim_mem_alloc(BLOCK);
    cr_assert_not_null(p);
    for (size_t k = 0; k < n / 4; k++) /* some written before it starts */
        p[k] = k * 0x9e3779b97f4a7c15u;
    sim_mem_prefault *pf = sim_mem_prefault_start(p, BLOCK);
    for (size_t k = n / 4; k < n; k++)
        p[k] = k * 0x9e3779b97f4a7c15u;
    sim_mem_prefault_stop(pf);
    size_t bad = 0;
    for (size_t k = 0; k < n; k++)
        bad += p[k] != k * 0x9e3779b97f4a7c15u;
    cr_assert_eq(bad, 0, "%zu of %zu words changed", bad, n);
    free(p);
}

/* Stopped at once, the thread is joined before the block is freed (the
 * sanitizers watch the free). */
Test(mem, prefault_stops_early)
{
    for (int k = 0; k < 4; k++) {
        void *p = sim_mem_alloc(BLOCK);
        cr_assert_not_null(p);
        sim_mem_prefault_stop(sim_mem_prefault_start(p, BLOCK));
        free(p);
    }
}

/* A large sim_mem_calloc is zeroed, prefaulted or not: every word reads 0,
 * whatever the pages held when the allocator last gave them out. */
Test(mem, a_large_calloc_is_all_zero)
{
    for (int round = 0; round < 2; round++) {
        uint64_t *p = sim_mem_calloc(BLOCK / sizeof *p, sizeof *p);
        cr_assert_not_null(p);
        size_t n = BLOCK / sizeof *p, bad = 0;
        for (size_t k = 0; k < n; k++)
            bad += p[k] != 0;
        cr_assert_eq(bad, 0, "round %d: %zu of %zu words not zero", round, bad,
                     n);
        for (size_t k = 0; k < n; k++) /* dirty it for the next round */
            p[k] = ~(uint64_t)0;
        free(p);
    }
}
