/* cmd_run_int.h: what owl run (cmd_run.c) shares with owl apply and
 * recover's undo (cmd_apply.c): the parsed arguments of a run and the
 * one place that runs it. */
#ifndef OWL_CMD_RUN_INT_H
#define OWL_CMD_RUN_INT_H

#include <jansson.h>
#include <stdint.h>

#include "cli.h"
#include "integrations/rbsel.h"
#include "integrations/runner.h"

struct cmd_run_args {
	struct runner_req q;
	int detailed; /* --detailed-exitcode: 2 when writes are planned */
	int64_t ran; /* the run that took place, 0: none */
	char ran_status[24];
	json_t *params;
	struct rbsel sel; /* where the runbook comes from */
	struct config *config;
	int detach; /* --detach */
	int report_fd; /* --detach, in the run's process: see cmd_run_ui */
};

/* Runs (or dry-runs) what a describes, reporting as owl run does. */
int cmd_run_go(struct cli *cli, struct cmd_run_args *a, struct store *s);

/* The options owl run and owl apply share, as getopt_long entries, and
 * their handling: CLI_OK when c was one of them, CLI_USAGE on a bad
 * value (said), 1 when c is not theirs. */
/* The heap a run command reserves in huge pages (engine/heap.h). */
#define CMD_RUN_HEAP ((size_t)32 << 20)

#define CMD_RUN_LIVE_OPTS                                                      \
	{ "yes", no_argument, NULL, 'y' }, { "json", no_argument, NULL, 'j' }, \
	    { "timeout", required_argument, NULL, 't' },                       \
	    { "no-undo", no_argument, NULL, 'U' },                             \
	    { "wait", no_argument, NULL, 'W' },                                \
	{                                                                      \
		"detach", no_argument, NULL, 'B'                               \
	}
int cmd_run_live_option(struct cli *cli, const struct cli_cmd *cmd,
    struct cmd_run_args *a, int c, const char *arg);

/* --detach: the run goes on in a process of its own (new session,
 * SIGHUP ignored, no terminal, a->report_fd set); this one returns once
 * it has started, saying its id (or why not). Returns 1 in the run's
 * process (go on running), or the exit code of the starter. */
int cmd_run_detach(struct cli *cli, struct cmd_run_args *a);

/* --detach, in the run's process: a failure before the run started
 * goes to the starter (which prints it and exits with its code).
 * Returns CLI_FAILED. */
int cmd_run_detach_fail(struct cmd_run_args *a, const struct err *err);

#endif
