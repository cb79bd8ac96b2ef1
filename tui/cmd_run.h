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

/* `owl recover RUN --retry` (cmd_recover.c): runs the interrupted run's
 * runbook again, replaying its first `done` steps without running them
 * (their undo recorded), then live from the next one, which runs again
 * only when declared idempotent if check (it had begun); a failure undoes
 * every step done, the interrupted run's included. The confirm() calls
 * the interrupted run had answered pass; later ones are asked (yes: as
 * --yes answers them). *ran and status as above. */
int cmd_run_recover_retry(struct cli *cli, struct store *s, const json_t *doc,
    int64_t done, int check, int yes, int64_t *ran, char *status, size_t n);

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_apply_entry;
extern const struct cli_cmd cmd_run_entry;

#endif
