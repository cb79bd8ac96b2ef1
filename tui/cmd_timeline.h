/* cmd_timeline.h: `owl timeline INC`, the postmortem timeline export. */
#ifndef OWL_CMD_TIMELINE_H
#define OWL_CMD_TIMELINE_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_timeline_entry;

#endif
