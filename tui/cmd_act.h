/* cmd_act.h: the incident actions of the command line: ack, resolve,
 * note, snooze, assign. */
#ifndef OWL_CMD_ACT_H
#define OWL_CMD_ACT_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_ack_entry;
extern const struct cli_cmd cmd_assign_entry;
extern const struct cli_cmd cmd_note_entry;
extern const struct cli_cmd cmd_resolve_entry;
extern const struct cli_cmd cmd_snooze_entry;

#endif
