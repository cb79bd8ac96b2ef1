/* cmd_run.h: `owl run NAME [--dry-run [--offline]] ...`. */
#ifndef OWL_CMD_RUN_H
#define OWL_CMD_RUN_H

#include "cli.h"

int cmd_run_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);

/* `owl apply PLAN [--yes] [--json]`: runs a stored dry-run plan live,
 * held to it (engine/rb_apply.h). */
int cmd_apply_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);

#endif
