/* cmd_migrate.h: `owl migrate --to postgresql://...`. */
#ifndef OWL_CMD_MIGRATE_H
#define OWL_CMD_MIGRATE_H

#include "cli.h"

/* Its command's entry (tui/main.c lists it). */
extern const struct cli_cmd cmd_migrate_entry;

#endif
