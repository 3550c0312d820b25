/* test_install.c -- `make install PREFIX=...` and `make uninstall`, for
 * real, into a fresh temporary prefix: tests/check_install.sh does the work
 * (what lands where, the installed aims running the installed baseline from
 * another directory, `man -l` showing a page that names every command and
 * option of `aims help`, the bash completion, uninstall leaving nothing)
 * and prints what failed. A few seconds.
 *
 * It needs the release build (make check builds it before the tests) and
 * man (man-db, which scripts/install-deps installs); without either the
 * test is skipped, not passed.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#ifndef AIMS_RELEASE_DIR
#define AIMS_RELEASE_DIR "build"
#endif

Test(install, make_install_then_uninstall, .timeout = 120)
{
    if (access(AIMS_RELEASE_DIR "/aims", X_OK) != 0)
        cr_skip_test(AIMS_RELEASE_DIR "/aims is not built (make check "
                                      "builds it)");
    if (system("command -v man >/dev/null 2>&1") != 0)
        cr_skip_test("no man (scripts/install-deps installs man-db)");
    char dir[] = "/tmp/aims-install-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[1024], log[512];
    snprintf(log, sizeof log, "%s/check.log", dir);
    snprintf(cmd, sizeof cmd,
             "'%s/tests/check_install.sh' '%s' '%s' >'%s' 2>&1",
             AIMS_SOURCE_DIR, AIMS_SOURCE_DIR, dir, log);
    int rc = system(cmd);
    static char out[16384];
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(rc, 0, "check_install.sh failed:\n%s", out);
    cr_assert_str_eq(out, "ok\n");
}
