/* cmd_oncall.h: the paging commands: `owl oncall` (who is on call, now
 * or at a time; overrides) and `owl page` (page someone by hand). */
#ifndef OWL_CMD_ONCALL_H
#define OWL_CMD_ONCALL_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_handoff_entry;
extern const struct cli_cmd cmd_oncall_entry;
extern const struct cli_cmd cmd_page_entry;

#endif
