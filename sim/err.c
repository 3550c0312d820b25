/* err.c -- status texts and the first-error-wins message record (see err.h).
 *
 * The texts come from the same X-macro as the codes, so a code added to
 * SIM_ERRNO_MAP has its text at once. Messages are formatted into the caller's
 * fixed buffer (truncated, never overflowing) and never printed here: printing
 * is main()'s job, so the library stays usable from tests and threads.
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

const char *sim_strerror(int status)
{
    switch (status) {
    case SIM_OK:
        return "success";
    case SIM_STOP:
        return "stopped by a handler";
#define SIM_ERR_TEXT_(name, code, text)                                        \
    case SIM_##name:                                                           \
        return text;
        SIM_ERRNO_MAP(SIM_ERR_TEXT_)
#undef SIM_ERR_TEXT_
    default:
        return "unknown status";
    }
}

int sim_err_vset(sim_err *err, int status, const char *fmt, va_list ap)
{
    if (err == NULL || err->status != SIM_OK)
        return status;
    err->status = status;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return status;
}

int sim_err_set(sim_err *err, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sim_err_vset(err, status, fmt, ap);
    va_end(ap);
    return status;
}

void sim_err_clear(sim_err *err)
{
    if (err == NULL)
        return;
    err->status = SIM_OK;
    err->msg[0] = '\0';
}
