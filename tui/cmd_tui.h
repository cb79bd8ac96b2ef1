/* cmd_tui.h: `owl tui`, the interactive incident console. */
#ifndef OWL_CMD_TUI_H
#define OWL_CMD_TUI_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_tui_entry;

#endif
