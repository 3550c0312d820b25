/* progress.c -- the progress line and its estimate (progress.h says how
 * the estimate is made and why). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "progress.h"

void run_progress_init(run_progress *pr, const char *name, const char *unit,
                       uint64_t total, uint64_t steps, double interval,
                       double t0, bool quiet)
{
    *pr = (run_progress){.name = name,
                         .unit = unit,
                         .total = total,
                         .steps = steps,
                         .tty = !quiet && isatty(STDERR_FILENO),
                         .interval = quiet ? 0 : interval,
                         .t0 = t0,
                         .t_work = t0,
                         .shown_at = -1};
}

bool run_progress_on(const run_progress *pr)
{
    return pr->tty || pr->interval > 0;
}

/* The estimate at a line: rate from the last change of work; the time
 * left under the two rules of progress.h. */
static void estimate(run_progress *pr)
{
    double el = pr->t_work - pr->t0;
    double rate = pr->work > pr->base && el > 0 ? (pr->work - pr->base) / el
                                                : 0;
    if (rate <= 0)
        return; /* nothing done yet: no rate, no estimate */
    double eta = pr->t_work + ((double)pr->total - pr->work) / rate;
    bool steady = pr->rate > 0 && fabs(rate - pr->rate) <= 0.1 * pr->rate;
    pr->eta = steady && pr->eta < eta ? pr->eta : eta;
    pr->rate = rate;
}

void run_progress_update(run_progress *pr, uint64_t units, uint64_t steps,
                         double now)
{
    if (!run_progress_on(pr))
        return;
    double work = pr->steps > 0 ? (double)steps / (double)pr->steps
                                : (double)units;
    if (work > pr->work) {
        pr->work = work;
        pr->t_work = now;
    }
    double gap = pr->tty ? 0.2 : pr->interval;
    if (pr->shown_at >= 0 ? now - pr->shown_at < gap : now - pr->t0 < gap)
        return;
    estimate(pr);
    pr->shown_at = now;
    char part[96] = "";
    if (pr->steps > 0 && units < pr->total)
        snprintf(part, sizeof part, ", %llu/%llu months",
                 (unsigned long long)steps,
                 (unsigned long long)(pr->total * pr->steps));
    const char *lead = pr->tty ? "\r\033[K" : "";
    if (pr->rate <= 0)
        fprintf(stderr, "%saims: %s: %llu/%llu %s%s", lead, pr->name,
                (unsigned long long)units, (unsigned long long)pr->total,
                pr->unit, part);
    else
        fprintf(stderr, "%saims: %s: %llu/%llu %s%s, %.4g %s/s, %.0f s left",
                lead, pr->name, (unsigned long long)units,
                (unsigned long long)pr->total, pr->unit, part, pr->rate,
                pr->unit, pr->eta > now ? pr->eta - now : 0.0);
    if (!pr->tty)
        fputc('\n', stderr);
    pr->drawn = pr->tty;
    fflush(stderr);
}

void run_progress_end(run_progress *pr)
{
    if (pr->drawn)
        fputs("\r\033[K", stderr);
    pr->drawn = false;
    fflush(stderr);
}

void run_progress_vnote(const char *fmt, va_list ap)
{
    fputs("aims: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void run_progress_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    run_progress_vnote(fmt, ap);
    va_end(ap);
}
