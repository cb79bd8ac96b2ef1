/* cmd_runs.h: `owl runs [--incident INC] [--state S] [--json]`, `owl runs
 * show RUN [--json]` and `owl answer RUN yes|no`. */
#ifndef OWL_CMD_RUNS_H
#define OWL_CMD_RUNS_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_runs_entry;
extern const struct cli_cmd cmd_answer_entry;

#endif
