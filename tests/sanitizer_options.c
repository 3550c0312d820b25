/* sanitizer_options.c -- AddressSanitizer defaults for the test binary.
 *
 * Built into aims-tests so the suite behaves the same under `make test` and
 * when run by hand (build/san/aims-tests with a --filter):
 *  - allocator_may_return_null: an impossible allocation returns NULL, as
 * malloc does, instead of aborting, so the tests of out-of-memory paths test
 * the code, not the sanitizer;
 *  - detect_leaks: a leak fails the test that leaked.
 * ASan reads this hook at start-up; without ASan it is an unused function.
 */
const char *__asan_default_options(void);

const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1:detect_leaks=1";
}
