/* sort.c -- in-place sort of queue entries by (time, key), for the engine's
 * sorted run (engine.c): the events scheduled before a run starts are sorted
 * once instead of each being sifted through a heap.
 *
 * Introsort: quicksort with a median-of-three pivot, insertion sort for short
 * ranges, and heapsort once the recursion is deeper than 2 log2(n), so no
 * input (already sorted, reversed, all times equal) is quadratic. In place on
 * purpose: the batch can be tens of millions of entries, and a merge sort's
 * second buffer would double the engine's peak memory for it. Keys are unique,
 * so the order is total and the result does not depend on the algorithm.
 */
#include <stddef.h>

#include "internal.h"
#include "queue.h"

#define INSERTION_MAX 16

static void insertion(sim_qentry *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        sim_qentry x = a[i];
        size_t j = i;
        for (; j > 0 && sim_qentry_less(x, a[j - 1]); j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

static void sift(sim_qentry *a, size_t n, size_t k)
{
    sim_qentry x = a[k];
    for (size_t c; (c = 2 * k + 1) < n; k = c) {
        if (c + 1 < n && sim_qentry_less(a[c], a[c + 1]))
            c++;
        if (!sim_qentry_less(x, a[c]))
            break;
        a[k] = a[c];
    }
    a[k] = x;
}

static void heapsort_entries(sim_qentry *a, size_t n)
{
    for (size_t k = n / 2; k-- > 0;)
        sift(a, n, k);
    while (n > 1) {
        sim_qentry x = a[--n];
        a[n] = a[0];
        a[0] = x;
        sift(a, n, 0);
    }
}

static void swap(sim_qentry *a, sim_qentry *b)
{
    sim_qentry t = *a;
    *a = *b;
    *b = t;
}

static void introsort(sim_qentry *a, size_t n, unsigned depth)
{
    while (n > INSERTION_MAX) {
        if (depth-- == 0) {
            heapsort_entries(a, n);
            return;
        }
        /* Median of three to a[0] ... a[n-1]'s middle, then Hoare's partition
         * around it; a[0] <= pivot <= a[n-1] act as sentinels. */
        size_t mid = n / 2;
        if (sim_qentry_less(a[mid], a[0]))
            swap(&a[mid], &a[0]);
        if (sim_qentry_less(a[n - 1], a[0]))
            swap(&a[n - 1], &a[0]);
        if (sim_qentry_less(a[n - 1], a[mid]))
            swap(&a[n - 1], &a[mid]);
        sim_qentry pivot = a[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (sim_qentry_less(a[++i], pivot))
                ;
            while (sim_qentry_less(pivot, a[--j]))
                ;
            if (i >= j)
                break;
            swap(&a[i], &a[j]);
        }
        /* [0, j] <= pivot <= [j + 1, n): recurse on the smaller side. */
        size_t left = j + 1;
        if (left < n - left) {
            introsort(a, left, depth);
            a += left;
            n -= left;
        } else {
            introsort(a + left, n - left, depth);
            n = left;
        }
    }
    insertion(a, n);
}

void sim__sort_entries(sim_qentry *a, size_t n)
{
    unsigned depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    introsort(a, n, depth);
}
