/* err.h -- status codes and the error record shared by every aims module.
 *
 * A status is an int: 0 (SIM_OK) is success, a negative value an error, a
 * positive value a request (SIM_STOP: a handler asked sim_run to stop). The
 * codes live in one X-macro so the enum and the text of sim_strerror can never
 * drift apart (the libuv UV_ERRNO_MAP pattern).
 *
 * Expected failures (bad input, I/O, out of memory) return a status and record
 * a message in a caller-owned sim_err; nothing below main() prints or exits.
 * The first error recorded wins: later calls keep the root cause rather than
 * its consequences.
 */
#ifndef SIM_ERR_H
#define SIM_ERR_H

#include <stdarg.h>

#define SIM_ERRNO_MAP(X)                                                       \
    X(EINVAL, -1, "invalid argument")                                          \
    X(EINPUT, -2, "bad input file")                                            \
    X(ENOMEM, -3, "out of memory")                                             \
    X(EPAST, -4, "event scheduled before the current time")                    \
    X(EIO, -5, "input/output error")                                           \
    X(ESTALE, -6, "event handle is not pending")                               \
    X(ENOHANDLER, -7, "no handler registered for event kind")                  \
    X(EBUSY, -8, "engine is already running")                                  \
    X(ECANCELED, -9, "cancelled")

enum {
    SIM_OK = 0,
    SIM_STOP = 1, /* a handler's request to stop sim_run; not an error */
#define SIM_ERR_ENUM_(name, code, text) SIM_##name = code,
    SIM_ERRNO_MAP(SIM_ERR_ENUM_)
#undef SIM_ERR_ENUM_
};

typedef struct {
    int status;    /* SIM_OK until the first error */
    char msg[512]; /* "file:line: key: what was expected, got what" */
} sim_err;

/* The fixed text for a status ("unknown status" for codes not in the map).
 * Never NULL. */
const char *sim_strerror(int status);

/* Records status and a printf-style message unless err already holds an error,
 * and returns status, so callers can write `return sim_err_set(err, SIM_EINVAL,
 * "...")`. err may be NULL. */
int sim_err_set(sim_err *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sim_err_vset(sim_err *err, int status, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Forgets a recorded error, so the record can be reused. */
void sim_err_clear(sim_err *err);

#endif
