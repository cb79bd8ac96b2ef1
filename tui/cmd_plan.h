/* cmd_plan.h: `owl plan show PLAN`, `owl plan diff A B`, `owl plans`,
 * and the printing of a plan's effects that `owl run --dry-run` shares. */
#ifndef OWL_CMD_PLAN_H
#define OWL_CMD_PLAN_H

#include <jansson.h>

#include "cli.h"

/* Prints a plan's effects grouped by step: each effect's line (writes
 * marked '*'), every write in full, what each read saw, file diffs. */
void cmd_plan_effects(const json_t *effects);

/* Parses a plan id ("7"); -1 when it is not one. */
int cmd_plan_id(const char *s, long long *id);

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_approve_entry;
extern const struct cli_cmd cmd_plan_entry;
extern const struct cli_cmd cmd_plans_entry;

#endif
