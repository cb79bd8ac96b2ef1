/* cmd_oncall.h: the paging commands: `owl oncall` (who is on call, now
 * or at a time; overrides) and `owl page` (page someone by hand). */
#ifndef OWL_CMD_ONCALL_H
#define OWL_CMD_ONCALL_H

#include "cli.h"

int cmd_oncall_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
int cmd_page_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
int cmd_handoff_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);

#endif
