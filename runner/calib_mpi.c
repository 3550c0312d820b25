/* calib_mpi.c -- the one collective `aims calibrate` adds to the sweep's
 * MPI farm: after each batch rank 0 broadcasts the batch's results, so
 * every rank makes the next proposals from the same numbers (calib_run.h).
 * Built with -DAIMS_MPI in build/aims-mpi; a no-op in the serial build. */
#include "calib_run.h"

#include "sweep_run.h"

#ifdef AIMS_MPI

#include <limits.h>
#include <mpi.h>

void run_calib_bcast(void *buf, size_t bytes)
{
    if (run_sweep_mpi_size() < 2)
        return;
    /* MPI counts are ints: large batches go in pieces. */
    unsigned char *b = buf;
    while (bytes > 0) {
        size_t n = bytes > (size_t)INT_MAX ? (size_t)INT_MAX : bytes;
        MPI_Bcast(b, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
        b += n;
        bytes -= n;
    }
}

#else

void run_calib_bcast(void *buf, size_t bytes)
{
    (void)buf;
    (void)bytes;
}

#endif
