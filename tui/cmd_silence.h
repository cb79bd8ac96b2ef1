/* cmd_silence.h: `owl silence` and `owl unsilence`: Alertmanager
 * silences for an incident's alerts. */
#ifndef OWL_CMD_SILENCE_H
#define OWL_CMD_SILENCE_H

#include <jansson.h>
#include <stdint.h>

#include "cli.h"

/* For `owl show`: prints the incident's active silences as fields. */
void cmd_silence_show(struct store *s, int64_t incident);

/* For `owl show --json`: every silence of the incident, a JSON array
 * [{id, alertmanager, fingerprint, created_by, created_at, ends_at,
 * expired_at}] (empty when none or unreadable). */
json_t *cmd_silence_json(struct store *s, int64_t incident);

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_silence_entry;
extern const struct cli_cmd cmd_unsilence_entry;

#endif
