/* cmd_ingest.h: `owl ingest`, alert payloads from a file or stdin. */
#ifndef OWL_CMD_INGEST_H
#define OWL_CMD_INGEST_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_ingest_entry;

#endif
