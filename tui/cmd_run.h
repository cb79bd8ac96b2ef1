/* cmd_run.h: `owl run NAME [--dry-run [--offline]] ...`. */
#ifndef OWL_CMD_RUN_H
#define OWL_CMD_RUN_H

#include <jansson.h>
#include <stdint.h>

#include "cli.h"

/* `owl recover RUN --undo` (cmd_recover.c): runs the interrupted run's
 * runbook (doc: rb_recover_list's) again, replaying the steps it did
 * without running them, and runs their undo, newest first; nothing else
 * is written. *ran is the recovery run (0: none), status its outcome. */
int cmd_run_recover_undo(struct cli *cli, struct store *s, const json_t *doc,
    int64_t *ran, char *status, size_t n);

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_apply_entry;
extern const struct cli_cmd cmd_run_entry;

#endif
