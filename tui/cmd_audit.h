/* cmd_audit.h: `owl audit verify` and `owl audit log`. */
#ifndef OWL_CMD_AUDIT_H
#define OWL_CMD_AUDIT_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_audit_entry;

#endif
