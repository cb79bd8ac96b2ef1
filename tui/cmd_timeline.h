/* cmd_timeline.h: `owl timeline INC`, the postmortem timeline export. */
#ifndef OWL_CMD_TIMELINE_H
#define OWL_CMD_TIMELINE_H

#include "cli.h"

int cmd_timeline_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_timeline_entry;

#endif
