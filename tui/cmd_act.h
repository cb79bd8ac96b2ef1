/* cmd_act.h: the incident actions of the command line: ack, resolve,
 * note, snooze, assign. */
#ifndef OWL_CMD_ACT_H
#define OWL_CMD_ACT_H

#include "cli.h"

/* Runs the action named by cmd->name; returns the exit code. */
int cmd_act_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_ack_entry;
extern const struct cli_cmd cmd_assign_entry;
extern const struct cli_cmd cmd_note_entry;
extern const struct cli_cmd cmd_resolve_entry;
extern const struct cli_cmd cmd_snooze_entry;

#endif
