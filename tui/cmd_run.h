/* cmd_run.h: `owl run NAME [--dry-run [--offline]] ...`. */
#ifndef OWL_CMD_RUN_H
#define OWL_CMD_RUN_H

#include "cli.h"

int cmd_run_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);

#endif
