/* cmd_incidents.h: `owl incidents` (the list) and `owl show INC` (one
 * incident with its alerts and log). */
#ifndef OWL_CMD_INCIDENTS_H
#define OWL_CMD_INCIDENTS_H

#include "cli.h"

/* Run `owl incidents` and `owl show`; return the exit code. */
int cmd_incidents_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_incidents_entry;
extern const struct cli_cmd cmd_show_entry;

#endif
