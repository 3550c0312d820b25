/* cli.h -- the `aims` command line: subcommands and what they share.
 *
 * main() dispatches on the first argument; each subcommand parses its own
 * options, prints its own messages (to stderr, starting "aims: " or with the
 * file:line: key form of the loaders) and returns an exit status from
 * DESIGN.md: 0 success, 1 runtime failure, 2 bad usage or bad input, and
 * 128 + N after signal N.
 */
#ifndef AIMS_CLI_H
#define AIMS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"
#include "mkt.h"
#include "precision.h"
#include "run.h"
#include "scen.h"
#include "sweep.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cli_run(int argc, char **argv);      /* aims run ... */
int cli_validate(int argc, char **argv); /* aims validate ... */
int cli_report(int argc, char **argv);   /* aims report OUT.h5 [--csv] */
int cli_compare(int argc, char **argv);  /* aims compare BASE ALT [--csv] */
int cli_sweep(int argc, char **argv);    /* aims sweep SWEEP.cfg ... */
int cli_merge(int argc, char **argv);    /* aims merge PART... -o OUT */
int cli_sensitivity(int argc, char **argv); /* aims sensitivity OUT.h5 */
int cli_params(int argc, char **argv);   /* aims params SCENARIO */
int cli_show(int argc, char **argv);     /* aims show OUT.h5 */
int cli_diff(int argc, char **argv);     /* aims diff A.cfg B.cfg */
int cli_export(int argc, char **argv);      /* aims export FILE.h5 ... */
int cli_calibrate(int argc, char **argv);   /* aims calibrate CALIB.cfg */

/* Each command's help, kept beside its parser in cmd_*.c: what `aims help
 * CMD` and `aims CMD --help` print, and what the man page is made from. */
extern const char cli_help_run[], cli_help_validate[], cli_help_report[],
    cli_help_compare[], cli_help_sweep[], cli_help_merge[],
    cli_help_sensitivity[], cli_help_params[], cli_help_show[],
    cli_help_diff[], cli_help_export[], cli_help_calibrate[];

/* ---- option parsing (opts.c) ----
 * cli_opts_begin(cmd) resets getopt_long and names the command for
 * messages; then cli_opts_next returns each option's val (short options
 * from shortopts, without the leading "-:" the caller never writes), 1 for
 * an operand (in optarg, in order), -1 at the end, and '?' after printing
 * one line for an unknown option or a missing value. */
void cli_opts_begin(const char *cmd);
int cli_opts_next(int argc, char **argv, const char *shortopts,
                  const struct option *longopts);
const char *cli_command(void); /* the name given to cli_opts_begin */

/* A usage error: one line, "aims: CMD: MESSAGE (see 'aims help CMD')". */
void cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

const char *cli_version(void);    /* "0.3.0" */
const char *cli_git_commit(void); /* the build's commit, or "unknown" */

/* Prints "aims: " and the message and a newline to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses an unsigned decimal integer option value in [lo, hi]; on failure
 * prints one usage line, e.g. "aims: run: -r: 'x' is not a positive
 * integer (see 'aims help run')", and returns false. */
bool cli_parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi,
                   uint64_t *out);

/* An operand for a command that takes one (a file): stores arg in *slot
 * the first time; a second prints "one WHAT at a time (got 'A' and 'B')"
 * as a usage line and returns false. */
bool cli_one_operand(const char **slot, const char *arg, const char *what);

/* Parses --shard's "I/N" (0 <= I < N <= 1000000); when it is not one,
 * prints the usage line and returns false. */
bool cli_parse_shard(const char *s, uint64_t *i, uint64_t *n);

/* For an option that takes one value: the first time sets *seen and
 * returns true; a second time prints "aims: OPT: given twice ..." and
 * returns false. Taking the last of `-r 2 -r 5` silently would hide a
 * mistake in a long command line. (--set, which adds, may repeat.) */
bool cli_once(const char *opt, bool *seen);

/* Arms an alarm before reading the HDF5 file at path (30 s, plus 1 s per
 * 10 MB; AIMS_READ_TIMEOUT=SECONDS overrides): if HDF5 is still reading
 * when it fires, the file is damaged, and the process prints one line naming
 * it and exits 2. _off disarms it. */
void cli_read_watchdog(const char *path);
void cli_read_watchdog_off(void);

/* Runs cmd(argc, argv) in a child process and returns its exit status; a
 * child killed by a signal (HDF5 crashing on a damaged file) becomes one
 * line, "WHAT: HDF5 crashed reading it ...", and CLI_USAGE. The child's
 * address space is capped at 2 GiB plus 16 x bytes (the inputs' size). The
 * child dies with the parent (PR_SET_PDEATHSIG), and what it writes goes
 * through cli_output_staged: only the parent puts a file in place. */
int cli_guarded(int (*cmd)(int, char **), int argc, char **argv,
                const char *what, uint64_t bytes);

/* ---- the output rule (output.c) ----
 * Vets path as the output of a command, before anything is computed: it
 * must be absent, or a regular file that is none of the command's inputs
 * (compared by device and inode) and may be replaced (force); never a
 * symbolic link, a directory, a FIFO, a device or a socket, even with
 * force; and its directory must take a new file. On refusal prints one line
 * and returns false (exit 2). On success also removes the hidden
 * temporaries that writers of path killed earlier left (and says so). */
bool cli_output_ok(const char *path, bool force, const char *const *inputs,
                   size_t n_inputs);

/* What a file of mode m that is not a regular file is, for messages: "a
 * directory", "a pipe or FIFO", "a character device" ... */
const char *cli_file_kind(mode_t m);

/* The same for a command that rewrites the file it reads (sensitivity):
 * path must be a regular file, not a symbolic link, in a writable
 * directory. A missing path passes (the reader reports it). */
bool cli_output_in_place(const char *path);

/* The path to hand to the writer for output out. In the parent process
 * that is out itself (and *use_force = force). In a child of cli_guarded it
 * is a hidden staging file beside out, built in buf (n bytes): the child
 * writes that, and the parent moves it to out, with force's rule, only
 * after the child exited with status 0 (cli_output_finish). NULL (with the
 * message printed) when the parent cannot be told. */
const char *cli_output_staged(const char *out, bool force, char *buf,
                              size_t n, bool *use_force);

/* For cli_guarded: where a child sends its staging record, and what the
 * parent does with the n bytes it received once the child ended with
 * child_status: on 0, the staged file is moved into place (the returned
 * status says whether that worked); otherwise it and the dead child's
 * temporaries are removed, and child_status is returned. */
void cli_output_stage_to(int fd);
int cli_output_finish(const char *rec, size_t n, int child_status);

/* Parses `--precision METRIC=REL` against p's actors (precision_opt.c).
 * On failure prints a one-line message (listing the valid metrics when the
 * name is wrong) and returns false. */
bool cli_precision_parse(const char *spec, const mkt_params *p,
                         run_precision *out);
void cli_metric_list(const mkt_params *p); /* "aims: metrics: ..." */

/* cli_load_scenario for a sweep's base scenario: a failure is reported as
 * "SWEEP:LINE: sweep.scenario: the base scenario does not load: ...". */
int cli_load_base(const swp_spec *sw, scen_doc **doc, mkt_params **params);

/* Calls fn for every single value of doc (settings.c): its path (list
 * elements with an id by the id, others as .[N]) and the setting. */
typedef void cli_leaf_fn(void *ctx, const char *path,
                         const config_setting_t *s);
void cli_settings_walk(const scen_doc *doc, cli_leaf_fn *fn, void *ctx);

/* CSV fields (csv.c): a number that reads back as the same double, "nan"
 * for NaN; a text field, quoted when it needs to be (RFC 4180). */
void cli_csv_number(FILE *f, double v);
void cli_csv_text(FILE *f, const char *s);

/* Loads a scenario file, applies the --set assignments in order and reads
 * the model. On failure prints the message and returns CLI_USAGE (bad
 * input) or CLI_FAIL; on success the caller frees *doc and *params. */
int cli_load_scenario(const char *path, const char *const *sets,
                      size_t n_sets, scen_doc **doc, mkt_params **params);

#endif
