/* cmd_recover.h: `owl recover RUN`: an interrupted run's steps (done,
 * unknown, not started), a re-check of what its unknown steps touched,
 * and its resolution by hand with a note. */
#ifndef OWL_CMD_RECOVER_H
#define OWL_CMD_RECOVER_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_recover_entry;

#endif
