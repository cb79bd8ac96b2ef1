/* cmd_incidents.h: `owl incidents` (the list, cmd_incidents.c) and `owl
 * show INC` (one incident with its alerts and log, cmd_show.c). */
#ifndef OWL_CMD_INCIDENTS_H
#define OWL_CMD_INCIDENTS_H

#include <stdint.h>

#include "cli.h"

struct incident;

/* Run `owl incidents` and `owl show`; return the exit code. */
int cmd_incidents_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);

/* The state column of both: "snoozed" while snoozed, else the state's
 * name. */
const char *cmd_incidents_state(const struct incident *inc, int64_t now);

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_incidents_entry;
extern const struct cli_cmd cmd_show_entry;

#endif
