/* test_plot.c -- analysis/plot.py as users meet it: Debian's /usr/bin/python3
 * on a real (small) `aims run` file, in a child process.
 *
 *  - one file: channel_shares.png, frontier_access.png, revenue_by_actor.png
 *    and tokens_by_vendor.png appear, each a valid PNG (signature, IHDR) at
 *    the default 200 dpi (9 inches = 1800 pixels wide) and of a non-trivial
 *    size, and stderr names each, one "plot.py: wrote PATH" line a file,
 *    with nothing on stdout;
 *  - --dpi 100 gives 900 pixels; --format pdf and svg write PDF and SVG;
 *  - two files of the same seed and replications: difference.png;
 *  - sweeps: a grid over two parameters (one unevenly spaced) draws a
 *    heatmap per metric, a sobol sweep sensitivity.png, and
 *    tests/py/check_plot.py checks the figures themselves: cells on the
 *    real values' edges, colour scales from 0 or symmetric, labels with
 *    units, markers at announcement and take-effect, the caption's N and
 *    replications;
 *  - bad input (a missing file, a non-HDF5 file, an HDF5 file that is not
 *    aims output, a truncated aims file, two files whose seeds, replication
 *    counts or time axes differ): exactly one line on stderr naming the
 *    file, exit status 2, no traceback, and no output directory.
 *
 * Skipped when /usr/bin/python3 lacks h5py, numpy or matplotlib
 * (scripts/install-deps installs them).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

#ifndef AIMS_BUILD_DIR
#define AIMS_BUILD_DIR "build/san"
#endif
#ifndef AIMS_SOURCE_DIR
#define AIMS_SOURCE_DIR "."
#endif
#define PYTHON "/usr/bin/python3"
#define PLOT AIMS_SOURCE_DIR "/analysis/plot.py"
#define TINY AIMS_SOURCE_DIR "/tests/fixtures/cli/tiny.cfg"

static void make_dir(void)
{
    spawn_make_dir("/tmp/aims-plot-XXXXXX");
}

static void remove_dir(void)
{
    spawn_remove_dir();
}

static bool have_python(void)
{
    return access(PYTHON, X_OK) == 0 &&
           system(PYTHON " -c 'import h5py, numpy, matplotlib' "
                         ">/dev/null 2>&1") == 0;
}

static void need_python(void)
{
    if (!have_python())
        cr_skip_test(PYTHON " lacks h5py, numpy or matplotlib "
                            "(scripts/install-deps installs them)");
}

/* aims run tiny.cfg -o DIR/name --quiet, with extra options (NULL-ended). */
static const char *tiny_run(const char *name, const char *const *extra)
{
    const char *out = in_dir(name);
    const char *a[24] = {"run", TINY, "-o", out, "--quiet"};
    size_t n = 5;
    for (; extra && *extra; extra++) {
        cr_assert_lt(n, 23u);
        a[n++] = *extra;
    }
    a[n] = NULL;
    int rc = spawn(AIMS_BUILD_DIR "/aims", a);
    cr_assert_eq(rc, 0, "aims run: %s", slurp("err.txt"));
    return out;
}

/* plot.py with args (NULL-ended): its exit status. */
static int plot(const char *const *args)
{
    const char *a[16] = {PLOT};
    size_t n = 1;
    for (; *args; args++) {
        cr_assert_lt(n, 15u);
        a[n++] = *args;
    }
    a[n] = NULL;
    return spawn(PYTHON, a);
}

/* DIR/sub/name is a PNG: the signature, an IHDR exactly `width` pixels
 * wide (9 in at the dpi asked for) and at least `height` high, and more
 * than 10 kB (a real drawing, not an empty canvas). */
static void assert_png_at(const char *sub, const char *name,
                          unsigned long width, unsigned long height)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s was not written", path);
    unsigned char h[24];
    cr_assert_eq(fread(h, 1, sizeof h, f), sizeof h, "%s: too short", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    static const unsigned char sig[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1a, '\n'};
    cr_assert(memcmp(h, sig, 8) == 0, "%s: not a PNG signature", path);
    cr_assert(memcmp(h + 12, "IHDR", 4) == 0, "%s: no IHDR first", path);
    unsigned long w = (unsigned long)h[16] << 24 | (unsigned long)h[17] << 16 |
                      (unsigned long)h[18] << 8 | h[19];
    unsigned long ht = (unsigned long)h[20] << 24 |
                       (unsigned long)h[21] << 16 |
                       (unsigned long)h[22] << 8 | h[23];
    cr_assert_eq(w, width, "%s: %lu pixels wide, expected %lu", path, w,
                 width);
    cr_assert_geq(ht, height, "%s: %lu pixels high", path, ht);
    cr_assert_gt(size, 10000l, "%s: only %ld bytes", path, size);
}

/* At the default 200 dpi: 9 x 5.5 inches, 1800 x 1100 pixels or taller. */
static void assert_png(const char *sub, const char *name)
{
    assert_png_at(sub, name, 1800ul, 1100ul);
}

/* The first n bytes of DIR/sub/name hold `magic` (anywhere in them). */
static void assert_starts_with(const char *sub, const char *name,
                               const char *magic, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s was not written", path);
    char buf[1024] = "";
    cr_assert_lt(n, sizeof buf);
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    buf[got] = '\0';
    cr_assert_not_null(strstr(buf, magic), "%s: no '%s' in its first %zu "
                       "bytes", path, magic, n);
}

/* How many lines of s start with "plot.py: wrote " and end in `suffix`. */
static int wrote_lines(const char *s, const char *suffix)
{
    int n = 0;
    size_t k = strlen(suffix);
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 15 + k && strncmp(p, "plot.py: wrote ", 15) == 0 &&
            strncmp(p + len - k, suffix, k) == 0)
            n++;
        p += len + (nl != NULL);
    }
    return n;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- good input ----------------------------------------------------------
 */

Test(plot, one_file_draws_four_pngs, .init = make_dir, .fini = remove_dir,
     .timeout = 120)
{
    need_python();
    const char *x = tiny_run("x.h5", NULL);
    const char *out = in_dir("png/sub"); /* created, parents too */
    const char *a[] = {x, "-o", out, NULL};
    cr_assert_eq(plot(a), 0, "plot.py: %s", slurp("err.txt"));
    cr_assert_str_empty(slurp("out.txt")); /* messages go to stderr */
    cr_assert_eq(wrote_lines(slurp("err.txt"), ".png"), 4, "stderr:\n%s",
                 slurp("err.txt"));
    cr_assert_not_null(strstr(slurp("err.txt"), "/png/sub/frontier_access.png"),
                       "%s", slurp("err.txt"));
    assert_png("png/sub", "channel_shares.png");
    assert_png("png/sub", "frontier_access.png");
    assert_png("png/sub", "revenue_by_actor.png");
    assert_png("png/sub", "tokens_by_vendor.png");
    cr_assert(!exists(in_dir("png/sub/difference.png")));
    /* Again into the same directory: replaced, no error. */
    cr_assert_eq(plot(a), 0, "plot.py: %s", slurp("err.txt"));
    assert_png("png/sub", "channel_shares.png");
}

Test(plot, format_and_dpi, .init = make_dir, .fini = remove_dir,
     .timeout = 120)
{
    need_python();
    const char *x = tiny_run("x.h5", NULL);
    const char *a[] = {x, "-o", in_dir("lo"), "--dpi", "100", NULL};
    cr_assert_eq(plot(a), 0, "plot.py: %s", slurp("err.txt"));
    assert_png_at("lo", "channel_shares.png", 900ul, 550ul);
    assert_png_at("lo", "tokens_by_vendor.png", 900ul, 550ul);
    const char *b[] = {x, "-o", in_dir("pdf"), "--format=pdf", NULL};
    cr_assert_eq(plot(b), 0, "plot.py: %s", slurp("err.txt"));
    cr_assert_eq(wrote_lines(slurp("err.txt"), ".pdf"), 4, "%s",
                 slurp("err.txt"));
    assert_starts_with("pdf", "frontier_access.pdf", "%PDF-", 5);
    assert_starts_with("pdf", "revenue_by_actor.pdf", "%PDF-", 5);
    cr_assert(!exists(in_dir("pdf/frontier_access.png")));
    const char *c[] = {x, "--format", "svg", "-o", in_dir("svg"), NULL};
    cr_assert_eq(plot(c), 0, "plot.py: %s", slurp("err.txt"));
    assert_starts_with("svg", "channel_shares.svg", "<svg", 800);
    assert_starts_with("svg", "tokens_by_vendor.svg", "<svg", 800);
}

/* A grid sweep over tiny.cfg: enforcement at uneven values (a factor 16,
 * so a log axis) by the partnership's wind-down, 2 replications. */
static const char *tiny_grid(void)
{
    const char *cfg = in_dir("grid.cfg");
    FILE *f = fopen(cfg, "w");
    cr_assert_not_null(f);
    fprintf(f, "sweep = { name = \"grid_test\"; scenario = \"%s\";\n"
               "  design = \"grid\"; replications = 2; seed = 3;\n"
               "  metrics = [ \"final_frontier_access_share\",\n"
               "              \"final_channel_share:gray\" ]; };\n"
               "parameters = (\n"
               "  { path = \"gray.enforcement\";\n"
               "    values = [ 0.25, 0.5, 1.0, 4.0 ]; },\n"
               "  { path = \"timeline.[0].wind_down_months\";\n"
               "    values = [ 0.0, 3.0, 6.0 ]; });\n",
            TINY);
    fclose(f);
    const char *out = in_dir("grid.h5");
    const char *a[] = {"sweep", cfg, "-o", out, "--quiet", NULL};
    cr_assert_eq(spawn(AIMS_BUILD_DIR "/aims", a), 0, "aims sweep: %s",
                 slurp("err.txt"));
    return out;
}

Test(plot, sweep_plots_are_drawn_as_documented, .init = make_dir,
     .fini = remove_dir, .timeout = 180)
{
    need_python();
    if (system(PYTHON " -c 'import scipy.stats' >/dev/null 2>&1") != 0)
        cr_skip_test(PYTHON " lacks scipy (scripts/install-deps)");
    const char *run = tiny_run("x.h5", NULL);
    const char *grid = tiny_grid();
    const char *sobol = in_dir("sobol.h5");
    const char *sw[] = {"sweep", AIMS_SOURCE_DIR "/tests/fixtures/cli/"
                                                 "tiny_sobol.cfg",
                        "-o", sobol, "--quiet", NULL};
    cr_assert_eq(spawn(AIMS_BUILD_DIR "/aims", sw), 0, "aims sweep: %s",
                 slurp("err.txt"));
    const char *sens = in_dir("sens.h5"); /* the sweep with its indices */
    const char *se[] = {"sensitivity", sobol, "-o", sens, "-q", NULL};
    cr_assert_eq(spawn(AIMS_BUILD_DIR "/aims", se), 0, "aims sensitivity: %s",
                 slurp("err.txt"));

    const char *g[] = {grid, "-o", in_dir("grid"), NULL};
    cr_assert_eq(plot(g), 0, "plot.py: %s", slurp("err.txt"));
    cr_assert_eq(wrote_lines(slurp("err.txt"), ".png"), 2, "%s",
                 slurp("err.txt"));
    assert_png("grid", "heatmap_final_frontier_access_share.png");
    assert_png("grid", "heatmap_final_channel_share_gray.png");
    const char *s[] = {sens, "-o", in_dir("sobol"), NULL};
    cr_assert_eq(plot(s), 0, "plot.py: %s", slurp("err.txt"));
    cr_assert_eq(wrote_lines(slurp("err.txt"), "sensitivity.png"), 1, "%s",
                 slurp("err.txt"));
    /* sensitivity.png is 10.5 inches wide, 2100 pixels at 200 dpi, and
     * 3.3 inches high for one metric and one parameter. */
    assert_png_at("sobol", "sensitivity.png", 2100ul, 660ul);

    const char *chk[] = {AIMS_SOURCE_DIR "/tests/py/check_plot.py", run, grid,
                         sens, in_dir("check"), NULL};
    int rc = spawn(PYTHON, chk);
    cr_assert_eq(rc, 0, "check_plot.py:\n%s%s", slurp("out.txt"),
                 slurp("err.txt"));
    cr_assert(strncmp(slurp("out.txt"), "ok ", 3) == 0, "%s",
              slurp("out.txt"));
}

/* A calibration file (aims calibrate on tests/fixtures/calib/small.cfg):
 * the posterior marginals and the fit, in the --format asked for. */
Test(plot, a_calibration_draws_its_posterior_and_fit, .init = make_dir,
     .fini = remove_dir, .timeout = 180)
{
    need_python();
    const char *cal = in_dir("cal.h5");
    const char *c[] = {"calibrate",
                       AIMS_SOURCE_DIR "/tests/fixtures/calib/small.cfg",
                       "-o", cal, "-j", "2", "--quiet", NULL};
    cr_assert_eq(spawn(AIMS_BUILD_DIR "/aims", c), 0, "aims calibrate: %s",
                 slurp("err.txt"));
    const char *out = in_dir("cal");
    const char *a[] = {cal, "-o", out, NULL};
    cr_assert_eq(plot(a), 0, "plot.py: %s", slurp("err.txt"));
    cr_assert_eq(wrote_lines(slurp("err.txt"), ".png"), 2, "stderr:\n%s",
                 slurp("err.txt"));
    char path[512];
    const char *names[] = {"posterior.png", "fit.png"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", out, names[i]);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s was not written", path);
        unsigned char h[8];
        cr_assert_eq(fread(h, 1, 8, f), 8u);
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fclose(f);
        cr_assert(memcmp(h, "\x89PNG", 4) == 0, "%s: not a PNG", path);
        cr_assert_gt(size, 10000l, "%s: only %ld bytes", path, size);
    }
    const char *b[] = {cal, "-o", out, "--format", "svg", NULL};
    cr_assert_eq(plot(b), 0, "plot.py --format svg: %s", slurp("err.txt"));
    cr_assert(exists(in_dir("cal/posterior.svg")));
    cr_assert(exists(in_dir("cal/fit.svg")));
}

Test(plot, two_files_draw_the_paired_difference, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
    need_python();
    const char *x = tiny_run("x.h5", NULL);
    /* The same scenario with its shock three months earlier: same seed and
     * replications, so the two pair. */
    const char *early[] = {"--set", "timeline.[0].month=3", "--set",
                           "scenario.name=\"tiny_early\"", NULL};
    const char *y = tiny_run("y.h5", early);
    const char *a[] = {x, y, "-o", in_dir("diff"), NULL};
    cr_assert_eq(plot(a), 0, "plot.py: %s", slurp("err.txt"));
    cr_assert_str_empty(slurp("out.txt")); /* messages go to stderr */
    assert_png("diff", "difference.png");
}

/* ---- bad input -----------------------------------------------------------
 */

/* plot.py ARGS... -o DIR/out refuses: exit 2, exactly one line on stderr,
 * naming `names` (the file at fault), no traceback, no output directory. */
static void refused(const char *const *files, const char *names)
{
    const char *a[8];
    size_t n = 0;
    for (; *files; files++)
        a[n++] = *files;
    a[n++] = "-o";
    a[n++] = in_dir("out");
    a[n] = NULL;
    int rc = plot(a);
    const char *err = slurp("err.txt");
    cr_assert_eq(rc, 2, "exit %d, stderr: %s", rc, err);
    const char *nl = strchr(err, '\n');
    cr_assert(nl && nl[1] == '\0', "not exactly one line on stderr:\n%s",
              err);
    cr_assert(strncmp(err, "plot.py: ", 9) == 0, "%s", err);
    cr_assert_not_null(strstr(err, names), "'%s' not named in: %s", names,
                       err);
    cr_assert_null(strstr(err, "Traceback"), "%s", err);
    cr_assert(!exists(in_dir("out")), "output directory made: %s", err);
}

Test(plot, missing_file, .init = make_dir, .fini = remove_dir,
     .timeout = 60)
{
    need_python();
    const char *f = in_dir("nowhere.h5");
    const char *a[] = {f, NULL};
    refused(a, f);
    cr_assert(strstr(slurp("err.txt"), "no such file"));
}

Test(plot, non_hdf5_file, .init = make_dir, .fini = remove_dir,
     .timeout = 60)
{
    need_python();
    const char *f = in_dir("text.h5");
    FILE *fp = fopen(f, "w");
    cr_assert_not_null(fp);
    fputs("time,share\n1,0.5\n", fp);
    fclose(fp);
    const char *a[] = {f, NULL};
    refused(a, f);
    cr_assert(strstr(slurp("err.txt"), "not an HDF5 file"));
}

Test(plot, hdf5_that_is_not_aims_output, .init = make_dir,
     .fini = remove_dir, .timeout = 60)
{
    need_python();
    const char *f = in_dir("other.h5");
    const char *g = in_dir("noformat.h5");
    const char *py[] = {
        "-c",
        "import sys, h5py\n"
        "with h5py.File(sys.argv[1], 'w') as f:\n"
        "    f['series/x'] = [1.0, 2.0]\n"
        "    f.attrs['format'] = 'netcdf-thing'\n"
        "with h5py.File(sys.argv[2], 'w') as f:\n"
        "    f['time'] = [1.0, 2.0]\n",
        f, g, NULL};
    cr_assert_eq(spawn(PYTHON, py), 0, "%s", slurp("err.txt"));
    const char *a[] = {f, NULL};
    refused(a, f);
    cr_assert(strstr(slurp("err.txt"), "not an aims run file"));
    const char *b[] = {g, NULL};
    refused(b, g);
    cr_assert(strstr(slurp("err.txt"), "not an aims run file"));
}

Test(plot, a_file_of_the_old_format_is_refused_with_what_to_do,
     .init = make_dir, .fini = remove_dir, .timeout = 120)
{
    need_python();
    const char *x = tiny_run("x.h5", NULL);
    const char *py[] = {"-c",
                        "import sys, h5py, numpy\n"
                        "with h5py.File(sys.argv[1], 'a') as f:\n"
                        "    f.attrs['format_version'] = numpy.int64(1)\n",
                        x, NULL};
    cr_assert_eq(spawn(PYTHON, py), 0, "%s", slurp("err.txt"));
    const char *a[] = {x, NULL};
    refused(a, x);
    cr_assert(strstr(slurp("err.txt"), "format_version 1, written by an "
                                       "older aims") &&
                  strstr(slurp("err.txt"), "run the scenario again"),
              "%s", slurp("err.txt"));
}

Test(plot, truncated_aims_file, .init = make_dir, .fini = remove_dir,
     .timeout = 120)
{
    need_python();
    const char *x = tiny_run("x.h5", NULL);
    const char *cut = in_dir("cut.h5");
    FILE *in = fopen(x, "rb");
    cr_assert_not_null(in);
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    cr_assert_gt(n, 1000u);
    cr_assert_lt(n, sizeof buf, "x.h5 larger than the buffer");
    FILE *out = fopen(cut, "wb");
    cr_assert_not_null(out);
    cr_assert_eq(fwrite(buf, 1, n / 2, out), n / 2);
    fclose(out);
    const char *a[] = {cut, NULL};
    refused(a, cut);
    /* In either position of a pair. */
    const char *b[] = {x, cut, NULL};
    refused(b, cut);
}

Test(plot, difference_needs_files_that_pair, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
    need_python();
    const char *x = tiny_run("x.h5", NULL);
    const char *s8[] = {"-s", "8", NULL};
    const char *r3[] = {"-r", "3", NULL};
    const char *h6[] = {"--set", "scenario.horizon_months=6", NULL};
    const char *y = tiny_run("seed8.h5", s8);
    const char *z = tiny_run("reps3.h5", r3);
    const char *w = tiny_run("h6.h5", h6);

    const char *a[] = {x, y, NULL};
    refused(a, y);
    cr_assert(strstr(slurp("err.txt"), "seed"), "%s", slurp("err.txt"));
    const char *b[] = {x, z, NULL};
    refused(b, z);
    cr_assert(strstr(slurp("err.txt"), "replications"), "%s",
              slurp("err.txt"));
    const char *c[] = {x, w, NULL};
    refused(c, w);
    cr_assert(strstr(slurp("err.txt"), "time axis"), "%s", slurp("err.txt"));
}

Test(plot, bad_usage_exits_2, .init = make_dir, .fini = remove_dir,
     .timeout = 60)
{
    need_python();
    const char *none[] = {"-o", in_dir("out"), NULL};
    cr_assert_eq(plot(none), 2, "%s", slurp("err.txt"));
    const char *noout[] = {in_dir("x.h5"), NULL};
    cr_assert_eq(plot(noout), 2, "%s", slurp("err.txt"));
    const char *bogus[] = {"--bogus", in_dir("x.h5"), "-o", in_dir("o"),
                           NULL};
    cr_assert_eq(plot(bogus), 2, "%s", slurp("err.txt"));
    cr_assert_null(strstr(slurp("err.txt"), "Traceback"));
    /* A bad value: one line naming the option, exit 2, nothing drawn. */
    const char *fmt[] = {in_dir("x.h5"), "-o", in_dir("o"), "--format", "gif",
                         NULL};
    cr_assert_eq(plot(fmt), 2, "%s", slurp("err.txt"));
    const char *dpi[] = {in_dir("x.h5"), "-o", in_dir("o"), "--dpi", "10",
                         NULL};
    cr_assert_eq(plot(dpi), 2, "%s", slurp("err.txt"));
    const char *err = slurp("err.txt");
    const char *nl = strchr(err, '\n');
    cr_assert(nl && nl[1] == '\0', "not one line:\n%s", err);
    cr_assert(strncmp(err, "plot.py: ", 9) == 0 && strstr(err, "--dpi"), "%s",
              err);
    cr_assert(!exists(in_dir("o")));
}
