/* report_calib.h -- `aims report` on a calibration file (report_calib.c). */
#ifndef AIMS_CLI_REPORT_CALIB_H
#define AIMS_CLI_REPORT_CALIB_H

#include <stdbool.h>

/* Prints the posterior and the fit table of the calibration file at path
 * (text, or the fit table as CSV). Returns an exit status. */
int cli_report_calib(const char *path, bool csv);

#endif
