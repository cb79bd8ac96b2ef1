/* cmd_act.h: the incident actions of the command line: ack, resolve,
 * note, snooze, assign. */
#ifndef OWL_CMD_ACT_H
#define OWL_CMD_ACT_H

#include "cli.h"

/* Runs the action named by cmd->name; returns the exit code. */
int cmd_act_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);

#endif
