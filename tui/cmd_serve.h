/* cmd_serve.h: `owl serve`, the webhook receiver daemon. */
#ifndef OWL_CMD_SERVE_H
#define OWL_CMD_SERVE_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_serve_entry;

#endif
