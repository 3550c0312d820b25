/* sanitizer_options.c -- AddressSanitizer defaults for the test binary.
 *
 * Built into aims-tests so the suite behaves the same under `make test` and
 * when run by hand (build/san/aims-tests with a --filter):
 *  - allocator_may_return_null: an impossible allocation returns NULL, as
 * malloc does, instead of aborting, so the tests of out-of-memory paths test
 * the code, not the sanitizer;
 *  - detect_leaks: a leak is reported (scripts/run-tests turns the report into
 * a failure, since Criterion does not). LeakSanitizer's suppressions are here
 * too, so the list of known library leaks is one place:
 *  - libconfig 1.5 leaks 64 bytes (strbuf_append) on a syntax error at a string
 * token (recipes/toolchain.md); the scenario tests provoke exactly that. The
 * sanitizers read these hooks at start-up; without them they are unused
 * functions.
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
