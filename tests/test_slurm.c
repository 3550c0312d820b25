/* test_slurm.c -- the shipped Slurm array job on a real single-node Slurm
 * (scripts/slurm-up: munge, slurmctld, slurmd): three array tasks each run
 * a shard of a small sweep, `aims merge` joins them, and the result holds
 * the same data sets, byte for byte, as the serial sweep.
 *
 * It needs root (slurm.conf is the machine's) and Slurm installed, which
 * scripts/install-deps does; elsewhere it is skipped, saying why. If Slurm
 * was already up it is left up, else it is stopped afterwards.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

static char dir[256];

Test(slurm, array_job_shards_merge_to_the_serial_sweep, .timeout = 300)
{
    if (geteuid() != 0 || system("command -v sbatch >/dev/null 2>&1 && "
                                 "test -x /usr/sbin/slurmctld") != 0)
        cr_skip_test("Slurm needs root and slurm-wlm + munge "
                     "(scripts/install-deps installs them)");
    snprintf(dir, sizeof dir, "/tmp/aims-slurm-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[4096], up[4096];
    snprintf(cmd, sizeof cmd, "%s/scripts/slurm-up 2>%s/up.txt",
             AIMS_SOURCE_DIR, dir);
    cr_assert_eq(system(cmd), 0, "scripts/slurm-up failed");
    snprintf(up, sizeof up, "grep -q 'already up' %s/up.txt", dir);
    bool was_up = system(up) == 0;
    /* The array: 3 tasks, submitted from dir; sbatch --wait returns when
     * all are done, non-zero if any failed. */
    snprintf(cmd, sizeof cmd,
             "cd %s && AIMS=%s/aims ASAN_OPTIONS=detect_leaks=1 "
             "sbatch --wait --array=0-2 %s/scenarios/slurm/sweep.sbatch "
             "%s/tests/fixtures/sweeprun/grid.cfg parts >sbatch.txt 2>&1",
             dir, AIMS_BUILD_DIR, AIMS_SOURCE_DIR, AIMS_SOURCE_DIR);
    int rc = system(cmd);
    snprintf(cmd, sizeof cmd, "cat %s/sbatch.txt %s/aims-sweep-*.out >&2",
             dir, dir);
    if (rc != 0)
        cr_assert_eq(system(cmd), -1, "sbatch --wait failed (output above)");
    snprintf(cmd, sizeof cmd,
             "cd %s && %s/aims merge parts/part_0.h5 parts/part_1.h5 "
             "parts/part_2.h5 -o merged.h5 && "
             "%s/aims sweep %s/tests/fixtures/sweeprun/grid.cfg -o serial.h5 "
             "--quiet && /usr/bin/python3 %s/tests/py/same_sweep.py serial.h5 "
             "merged.h5",
             dir, AIMS_BUILD_DIR, AIMS_BUILD_DIR, AIMS_SOURCE_DIR,
             AIMS_SOURCE_DIR);
    rc = system(cmd);
    if (!was_up) {
        snprintf(up, sizeof up, "%s/scripts/slurm-down 2>/dev/null",
                 AIMS_SOURCE_DIR);
        cr_assert_eq(system(up), 0);
    }
    snprintf(up, sizeof up, "rm -rf '%s'", dir);
    cr_assert_eq(system(up), 0);
    cr_assert_eq(rc, 0, "merged shards differ from the serial sweep");
}
