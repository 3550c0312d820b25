/* progress.h -- the progress line of a long job (run_progress_*): on a
 * terminal, one line redrawn in place; in a log (stderr is a file, as
 * under Slurm), one line every `interval` seconds, so a job's log shows
 * how far it got and when it will end.
 *
 * Work is counted in units (replications, points) and, within a unit, in
 * steps (months), so a run of few long replications still moves. The rate
 * is the work done over the time it took up to the last step; the time
 * left is remaining work over that rate. Two rules keep the estimate
 * honest in a log:
 *  - while nothing finishes, the rate stays the one measured at the last
 *    step and the time left counts down with the clock (dividing by the
 *    time elapsed instead made the estimate grow while a long month ran);
 *  - while the rate is steady -- within 10% of the rate on the previous
 *    line -- the time left never rises between lines: the earlier of the
 *    two predicted finishing times is kept, so the jitter of a step
 *    finishing a little late does not make the estimate go up. A rate that
 *    really falls (by more than 10%) moves the estimate up, as it must.
 */
#ifndef AIMS_RUN_PROGRESS_H
#define AIMS_RUN_PROGRESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    const char *name;  /* the scenario's or sweep's name */
    const char *unit;  /* "replications", "points" */
    uint64_t total;    /* units in the job */
    uint64_t steps;    /* steps per unit (months), 0: units only */
    bool tty;          /* redraw one line (stderr is a terminal) */
    double interval;   /* log: seconds between lines; 0: none */
    double t0;         /* start of the job (run_farm_now) */
    double base;       /* units done before t0 (a resumed sweep): not in
                          the rate */
    /* state, zeroed by run_progress_init */
    double work;       /* units done at the last change (fractional) */
    double t_work;     /* when work last changed */
    double shown_at;   /* when the last line went out; < 0: none yet */
    double rate;       /* units/s on the last line; 0: none yet */
    double eta;        /* predicted finishing time (run_farm_now) */
    bool drawn;        /* a terminal line is on screen */
} run_progress;

/* Sets the fields above; tty is isatty(stderr) and quiet turns it all off. */
void run_progress_init(run_progress *pr, const char *name, const char *unit,
                       uint64_t total, uint64_t steps, double interval,
                       double t0, bool quiet);

/* Reports that `units` whole units and `steps` steps of unfinished units
 * are done (steps counted over all units: units * steps_per_unit + the
 * partial ones; pass steps = 0 when steps_per_unit is 0). Draws or logs a
 * line when it is time. now is run_farm_now(). */
void run_progress_update(run_progress *pr, uint64_t units, uint64_t steps,
                         double now);

/* Ends the job's progress: clears a terminal line. */
void run_progress_end(run_progress *pr);

/* Whether the object shows anything at all. */
bool run_progress_on(const run_progress *pr);

/* A line of a job's progress that the redrawn line does not carry (a
 * calibration's generation, where its search ended): "aims: ", the message
 * and a newline, to stderr. The only other text the runner prints. */
void run_progress_vnote(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));
void run_progress_note(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
