/* cmd_silence.h: `owl silence` and `owl unsilence`: Alertmanager
 * silences for an incident's alerts. */
#ifndef OWL_CMD_SILENCE_H
#define OWL_CMD_SILENCE_H

#include "cli.h"

int cmd_silence_run(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv);
int cmd_unsilence_run(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv);

#endif
