/* cmd_test.h: `owl test [NAME...]`: runbook tests with fake effects. */
#ifndef OWL_CMD_TEST_H
#define OWL_CMD_TEST_H

#include "cli.h"

/* Its commands' entries (tui/main.c lists them). */
extern const struct cli_cmd cmd_test_entry;

#endif
