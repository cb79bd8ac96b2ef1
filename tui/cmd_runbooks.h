/* cmd_runbooks.h: `owl runbooks sync|list|show NAME|log NAME`. */
#ifndef OWL_CMD_RUNBOOKS_H
#define OWL_CMD_RUNBOOKS_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_runbooks_entry;

#endif
