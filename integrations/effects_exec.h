/* effects_exec.h: the live exec effect: posix_spawn with an argv (never
 * a shell string), a minimal environment plus the runbook's variables
 * (secrets go there or on stdin, never in argv), its own process group,
 * a timeout that kills the group, and a ceiling on captured output. */
#ifndef OWL_EFFECTS_EXEC_H
#define OWL_EFFECTS_EXEC_H

#include "engine/effects.h"

/* Runs req into res (see effects.h): a command that cannot be started
 * (not found) is -1 with err set; a non-zero exit is a result. */
int effects_exec_do(const struct effects_exec *req,
    struct effects_exec_res *res, struct err *err);

#endif
