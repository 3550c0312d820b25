/* sanitizer_options.c -- sanitizer defaults built into the test binary.
 *
 * Built into aims-tests so the suite behaves the same under `make test` and
 * when run by hand (build/san/aims-tests with a --filter).
 *
 * ASan: allocator_may_return_null makes an impossible allocation return NULL,
 * as malloc does, instead of aborting, so the out-of-memory tests test the
 * code, not the sanitizer; detect_leaks reports leaks (scripts/run-tests turns
 * a report into a failure, since Criterion does not).
 *
 * LSan: the known library leaks, in this one place. libconfig 1.5 leaks 64
 * bytes (strbuf_append) on a syntax error at a string token
 * (recipes/toolchain.md); the scenario tests provoke exactly that.
 *
 * The sanitizers read these hooks at start-up; without them they are unused.
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
    return "leak:libconfig.so\n";
}

const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1:detect_leaks=1";
}
