/* test_sweep_hosts.c -- `aims sweep` under the real mpirun across two
 * "hosts": two network namespaces on this machine, joined by a veth pair
 * with their own addresses (10.213.N.1 and .2) and host names (a, b), so
 * that the ranks talk over TCP through the veth, as over a cluster's
 * network, and nothing is shared but the file system (as on a cluster).
 *
 * How Open MPI reaches host b without sshd: its rsh launcher runs
 * `AGENT HOST orted ...` (plm_rsh_agent); the agent here is a script
 * that runs the command in that host's namespace, with its own host name
 * (unshare --uts). mpirun itself runs in a's namespace, and each namespace
 * has an /etc/netns/NS/hosts (ip netns exec puts it over /etc/hosts) that
 * names a and b. Out-of-band and MPI traffic are held to the veth's
 * subnet (oob_tcp_if_include, btl_tcp_if_include, btl self,tcp).
 *
 * The file must equal the -j 1 run (scripts/h5same); rank 1 must have
 * been placed on b (mpirun --display-map) and bytes must have crossed the
 * veth. It needs root and `ip netns` (and unshare, mpirun and aims-mpi);
 * without them it is skipped, saying why. The namespaces and their hosts
 * files are removed whatever happens (the suite's fini).
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif

static char dir[256], ns_a[32], ns_b[32], veth_a[16], veth_b[16];
static int net; /* the third octet of 10.213.net.0/24 */

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh_rc(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int vsh(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

static int vsh(const char *fmt, va_list ap)
{
    char cmd[8192];
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static int sh_rc(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vsh(fmt, ap);
    va_end(ap);
    return rc;
}

static void sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vsh(fmt, ap);
    va_end(ap);
    cr_assert_eq(rc, 0, "command failed (%d): %s", rc, fmt);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/aims-hosts-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    long pid = (long)getpid();
    snprintf(ns_a, sizeof ns_a, "aims-%ld-a", pid);
    snprintf(ns_b, sizeof ns_b, "aims-%ld-b", pid);
    snprintf(veth_a, sizeof veth_a, "av%lda", pid % 10000000);
    snprintf(veth_b, sizeof veth_b, "av%ldb", pid % 10000000);
    net = (int)(pid % 250) + 1;
    /* A run killed on its timeout never reached teardown: its namespaces
     * (named after a process that is gone) are removed here. */
    if (geteuid() == 0)
        sh_rc("for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | "
              "grep -E '^aims-[0-9]+-[ab]$'); do p=${ns#aims-}; p=${p%%-*}; "
              "kill -0 \"$p\" 2>/dev/null || { ip netns del \"$ns\"; "
              "rm -rf \"/etc/netns/$ns\"; }; done; true");
}

/* Whatever setup got as far as, undone: deleting a namespace deletes the
 * veth end in it, and with it the pair. Called before every skip too:
 * Criterion's cr_skip_test ends the test's process without running the
 * suite's fini. */
static void teardown(void)
{
    if (ns_a[0] != '\0') {
        sh_rc("ip netns del '%s' 2>/dev/null; ip netns del '%s' 2>/dev/null;"
              " rm -rf '/etc/netns/%s' '/etc/netns/%s'; "
              "rmdir /etc/netns 2>/dev/null; true",
              ns_a, ns_b, ns_a, ns_b);
        cr_assert_neq(sh_rc("ip netns list | grep -q -- '%s'", ns_a), 0,
                      "namespace %s left behind", ns_a);
    }
    sh_rc("rm -rf '%s'", dir);
}

static void skip(const char *why) __attribute__((noreturn));
static void skip(const char *why)
{
    teardown();
    cr_skip_test("%s", why);
    abort(); /* not reached: cr_skip_test does not return */
}

TestSuite(sweep_hosts, .init = setup, .fini = teardown, .timeout = 300);

/* Why this machine cannot run the test, or NULL. */
static const char *missing(void)
{
    static char why[256];
    if (geteuid() != 0)
        return "not root: making network namespaces needs root";
    if (sh_rc("ip netns list >/dev/null 2>&1") != 0)
        return "'ip netns' is not available (iproute2, or no namespaces)";
    if (sh_rc("command -v unshare >/dev/null 2>&1") != 0)
        return "no unshare (util-linux)";
    if (sh_rc("command -v mpirun >/dev/null 2>&1") != 0 ||
        access(AIMS_BUILD_DIR "/aims-mpi", X_OK) != 0) {
        snprintf(why, sizeof why, "mpirun or %s/aims-mpi missing",
                 AIMS_BUILD_DIR);
        return why;
    }
    return NULL;
}

/* The two hosts. If the kernel refuses a namespace or a veth (a container
 * without CAP_NET_ADMIN, say), the test is skipped with the reason. */
static void make_hosts(void)
{
    int rc = sh_rc("ip netns add '%s' 2>'%s/netns.err' && "
                   "ip netns add '%s' 2>>'%s/netns.err' && "
                   "ip link add '%s' type veth peer name '%s' "
                   "2>>'%s/netns.err'",
                   ns_a, dir, ns_b, dir, veth_a, veth_b, dir);
    if (rc != 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "cat '%s/netns.err' >&2", dir);
        sh_rc("%s", cmd);
        skip("cannot make network namespaces or a veth pair here (see "
             "stderr)");
    }
    /* Entering a namespace needs mount rights too (ip netns exec remounts
     * /sys), and the agent a new UTS namespace: a container may allow
     * making namespaces but not these. */
    if (sh_rc("ip netns exec '%s' unshare --uts true 2>'%s/netns.err'", ns_b,
              dir) != 0) {
        sh_rc("cat '%s/netns.err' >&2", dir);
        skip("cannot enter a network namespace with a host name of its "
             "own here (see stderr)");
    }
    sh("ip link set '%s' netns '%s' && ip link set '%s' netns '%s'", veth_a,
       ns_a, veth_b, ns_b);
    sh("ip -n '%s' addr add 10.213.%d.1/24 dev '%s' && "
       "ip -n '%s' addr add 10.213.%d.2/24 dev '%s'",
       ns_a, net, veth_a, ns_b, net, veth_b);
    sh("ip -n '%s' link set '%s' up && ip -n '%s' link set lo up && "
       "ip -n '%s' link set '%s' up && ip -n '%s' link set lo up",
       ns_a, veth_a, ns_a, ns_b, veth_b, ns_b);
    for (int i = 0; i < 2; i++) {
        const char *ns = i ? ns_b : ns_a;
        sh("mkdir -p '/etc/netns/%s' && printf '127.0.0.1 localhost\\n"
           "10.213.%d.1 a\\n10.213.%d.2 b\\n' > '/etc/netns/%s/hosts'",
           ns, net, net, ns);
    }
    /* Open MPI's launch agent: AGENT [options] HOST COMMAND... */
    sh("printf '#!/bin/sh\\nwhile [ $# -gt 0 ]; do case $1 in -*) shift ;; "
       "*) break ;; esac; done\\nhost=$1; shift\\ncase $host in a) ns=%s "
       ";; b) ns=%s ;; *) echo \"agent: unknown host $host\" >&2; exit 1 "
       ";; esac\\nexec ip netns exec \"$ns\" unshare --uts /bin/sh -c "
       "\"hostname $host; $*\"\\n' > '%s/agent' && chmod +x '%s/agent'",
       ns_a, ns_b, dir, dir);
}

static long rx_bytes(const char *ns, const char *veth)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "ip netns exec '%s' cat /sys/class/net/%s/statistics/rx_bytes",
             ns, veth);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    long n = -1;
    if (fscanf(p, "%ld", &n) != 1)
        n = -1;
    pclose(p);
    return n;
}

Test(sweep_hosts, mpirun_across_two_namespaces_gives_the_same_file)
{
    const char *why = missing();
    if (why != NULL)
        skip(why);
    make_hosts();
    /* The Makefile gives both directories as absolute paths: the ranks on
     * b start in mpirun's directory, but nothing else is assumed. */
    const char *bin = AIMS_BUILD_DIR, *src = AIMS_SOURCE_DIR;
    const char *grid = AIMS_SOURCE_DIR "/tests/fixtures/sweeprun/grid.cfg";
    sh("ASAN_OPTIONS=detect_leaks=0 '%s/aims' sweep '%s' -o '%s/ref.h5' "
       "-j 1 --quiet",
       bin, grid, dir);
    long before = rx_bytes(ns_b, veth_b);
    int rc = sh_rc(
        "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
        "ASAN_OPTIONS=detect_leaks=0 timeout 240 ip netns exec '%s' mpirun "
        "--host a,b -n 2 --display-map --mca plm_rsh_agent '%s/agent' "
        "--mca oob_tcp_if_include 10.213.%d.0/24 "
        "--mca btl_tcp_if_include 10.213.%d.0/24 --mca btl self,tcp "
        "-x ASAN_OPTIONS '%s/aims' sweep '%s' -o '%s/hosts.h5' "
        ">'%s/out.txt' 2>'%s/err.txt'",
        ns_a, dir, net, net, bin, grid, dir, dir, dir);
    char errs[700];
    snprintf(errs, sizeof errs, "%s/err.txt", dir);
    if (rc != 0)
        sh_rc("cat '%s/out.txt' '%s' >&2", dir, errs);
    cr_assert_eq(rc, 0, "mpirun across two namespaces: exit %d (stderr "
                        "above)",
                 rc);
    /* The map names each host with its rank: rank 1 ran on b. */
    cr_assert_eq(sh_rc("grep -q 'Data for node: b' '%s/out.txt'", dir), 0,
                 "no rank was placed on host b");
    cr_assert_eq(sh_rc("'%s/scripts/h5same' '%s/ref.h5' '%s/hosts.h5'", src,
                       dir, dir),
                 0, "the file differs from the -j 1 run's");
    long after = rx_bytes(ns_b, veth_b);
    cr_assert_gt(after, before, "nothing crossed the veth to host b");
}
