/* calib_internal.h -- shared between calib_load.c (the files) and
 * calib_target.c (targets against the model's outputs). */
#ifndef CAL_CALIB_INTERNAL_H
#define CAL_CALIB_INTERNAL_H

#include <libconfig.h>

#include "calib.h"

/* Reads target group g (one element of a target file's list) into t and
 * resolves it against p: its series, coordinates and months must exist.
 * SIM_EINPUT naming the target's file:line:key. */
int cal__target_read(const config_setting_t *g, const mkt_params *p,
                     cal_target *t, sim_err *err);
void cal__target_fini(cal_target *t);

char *cal__strdup(const char *s);

#endif
