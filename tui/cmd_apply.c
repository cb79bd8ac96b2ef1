/* cmd_apply.c: `owl apply PLAN`: runs exactly a stored plan's runbook,
 * commit and params through owl run's entry (cmd_run_int.h); and the runs
 * `owl recover RUN` asks for: --undo (the undo of its done steps) and
 * --retry (on from the step it did not finish). */
#include "cmd_run.h"
#include "cmd_run_int.h"

#include "cmd_plan.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "integrations/rbsel.h"
#include "engine/heap.h"
#include "engine/clock.h"
#include "engine/config.h"
#include "engine/rb_ask.h"
#include "engine/plan.h"
#include "engine/rb_run.h"
#include "engine/sanitize.h"
#include "engine/words.h"
#include "integrations/runner.h"

/* The plan's resolved params as --param values (text), which rb_run
 * converts back to their declared types. */
static int
cmd_apply_params(json_t *out, const json_t *params)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)params, k, v)
	{
		char *text = json_is_string(v)
		    ? strdup(json_string_value(v))
		    : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (text == NULL)
			return -1;
		json_object_set_new(out, k, json_string(text));
		free(text);
	}
	return 0;
}

static int
cmd_apply_opts(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv, struct cmd_run_args *a, long long *id)
{
	static const struct option opts[] = {
		CMD_RUN_LIVE_OPTS,
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = CLI_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "y", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (cmd_run_live_option(cli, cmd, a, c, optarg) == CLI_USAGE)
			return CLI_USAGE;
	}
	if (optind >= argc)
		return cli_usage(cmd, "apply: name a plan (see: owl plans)");
	if (cmd_plan_id(argv[optind], id) == -1)
		return cli_usage(
		    cmd, "apply: '%s' is not a plan id", argv[optind]);
	if (optind + 1 < argc)
		return cli_usage(
		    cmd, "apply: unexpected argument '%s'", argv[optind + 1]);
	return CLI_OK;
}

/* Loads plan id (a dry-run's: a live run's record is refused). */
static int
cmd_apply_plan(struct cli *cli, struct store **s, long long id, struct plan *p,
    struct err *err)
{
	if ((*s = cli_store_existing(cli, err)) == NULL ||
	    plan_get(*s, id, p, err) == -1)
		return -1;
	if (!p->dry_run)
		return err_set(err, ERR_USAGE,
		    "plan %lld records live run %lld; apply the plan of a "
		    "dry-run (see: owl plans)",
		    id, (long long)p->run_id);
	return 0;
}

/* --detach: the plan is checked here, where an error can be printed,
 * before the run's own process starts (see cmd_run_detach). */
static int
cmd_apply_detach(struct cli *cli, struct cmd_run_args *a, long long id)
{
	struct store *s = NULL;
	struct plan p = { 0 };
	struct err err;
	int rc;

	err_init(&err);
	rc = cmd_apply_plan(cli, &s, id, &p, &err) == -1 ? cli_fail(&err)
	                                                 : CLI_OK;
	plan_done(&p);
	store_close(s); /* not across fork() */
	return rc == CLI_OK ? cmd_run_detach(cli, a) : rc;
}

static int
cmd_apply_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	void *huge = NULL;
	struct cmd_run_args a = { 0 };
	struct rb_run_plan rp;
	struct store *s = NULL;
	struct plan p = { 0 };
	long long id = 0;
	struct err err;
	int rc;

	a.params = json_object();
	a.q.o.params = a.params;
	a.report_fd = -1;
	if ((rc = cmd_apply_opts(cli, cmd, argc, argv, &a, &id)) != CLI_OK)
		goto out;
	if (a.detach && (rc = cmd_apply_detach(cli, &a, id)) != 1)
		goto out;
	huge = heap_huge(CMD_RUN_HEAP); /* this process ends with the run */
	err_init(&err);
	a.sel.note = cli_note;
	if ((a.config = config_load(cli->config, &err)) == NULL ||
	    rbsel_config(&a.sel, a.config, &err) == -1 ||
	    cmd_apply_plan(cli, &s, id, &p, &err) == -1 ||
	    runner_plan_source(&a.sel, p.source, p.commit, &err) == -1 ||
	    cmd_apply_params(a.params, p.params) == -1) {
		if (!err_isset(&err))
			err_set(&err, ERR_FAILED, "out of memory");
		rc = a.report_fd != -1 ? cmd_run_detach_fail(&a, &err)
		                       : cli_fail(&err);
		goto out;
	}
	rp = (struct rb_run_plan){ p.id, p.hash, p.source_sha256, p.effects };
	a.q.o.name = p.runbook;
	a.q.o.incident = p.incident;
	a.q.o.apply = &rp;
	if (!cli->json && !a.detach) {
		printf("Applying plan %lld (hash %s)\n", id, p.hash);
		fflush(stdout);
	}
	rc = cmd_run_go(cli, &a, s);
out:
	plan_done(&p);
	store_close(s);
	free(huge);
	config_free(a.config);
	json_decref(a.params);
	return rc;
}

/* The run of a recovery of doc's run: its runbook, at its version, with
 * its params and incident, answering yes (the operator chose). */
static int
cmd_recover_args(struct cli *cli, const json_t *doc, struct cmd_run_args *a)
{
	struct err err;

	err_init(&err);
	a->params = json_object();
	a->q.o.params = a->params;
	a->sel.note = cli_note;
	if (cmd_apply_params(a->params, json_object_get(doc, "params")) == -1 ||
	    (a->config = config_load(cli->config, &err)) == NULL ||
	    rbsel_config(&a->sel, a->config, &err) == -1 ||
	    runner_plan_source(&a->sel,
	        json_string_value(json_object_get(doc, "source")),
	        json_string_value(json_object_get(doc, "commit")), &err) == -1)
		return err_isset(&err) ? cli_fail(&err) : CLI_FAILED;
	a->q.o.name = json_string_value(json_object_get(doc, "runbook"));
	a->q.o.incident = json_integer_value(json_object_get(doc, "incident"));
	a->q.o.yes = 1;
	a->q.o.replay_of = json_integer_value(json_object_get(doc, "run"));
	a->q.o.replay_sha256 =
	    json_string_value(json_object_get(doc, "source_sha256"));
	return CLI_OK;
}

int
cmd_run_recover_undo(struct cli *cli, struct store *s, const json_t *doc,
    int64_t *ran, char *status, size_t n)
{
	struct cmd_run_args a = { 0 };
	const json_t *st;
	int64_t done = 0;
	size_t i;
	int rc;

	json_array_foreach(json_object_get(doc, "steps"), i, st)
	{
		if (json_is_true(json_object_get(st, "undo")))
			continue;
		if (strcmp(json_string_value(json_object_get(st, "state")),
		        "done") != 0)
			break;
		done = json_integer_value(json_object_get(st, "i"));
	}
	*ran = 0;
	if (done == 0) {
		puts("Nothing to undo: the run finished no step.");
		snprintf(status, n, "nothing to undo");
		return CLI_OK;
	}
	if ((rc = cmd_recover_args(cli, doc, &a)) != CLI_OK)
		goto out;
	a.q.o.replay = done;
	printf("Undoing the %" PRId64 " step%s run %" PRId64
	       " did, newest first:\n",
	    done, words_s(done), a.q.o.replay_of);
	fflush(stdout);
	rc = cmd_run_go(cli, &a, s);
	*ran = a.ran;
	/* its undo ran to the end: what a recovery is for */
	snprintf(status, n, "%s",
	    strcmp(a.ran_status, "failed") == 0 ? "undone" : a.ran_status);
out:
	config_free(a.config);
	json_decref(a.params);
	return rc;
}

int
cmd_run_recover_retry(struct cli *cli, struct store *s, const json_t *doc,
    int64_t done, int check, int yes, int64_t *ran, char *status, size_t n)
{
	struct cmd_run_args a = { 0 };
	int rc;

	*ran = 0;
	if ((rc = cmd_recover_args(cli, doc, &a)) != CLI_OK)
		goto out;
	a.q.o.replay = done;
	a.q.o.retry = 1;
	a.q.o.retry_check = check;
	/* the questions past the point the run reached are asked again */
	a.q.o.yes = yes;
	rc = cmd_run_go(cli, &a, s);
	*ran = a.ran;
	snprintf(status, n, "%s", a.ran_status[0] ? a.ran_status : "failed");
out:
	config_free(a.config);
	json_decref(a.params);
	return rc;
}

/* `owl apply`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_apply_entry = { "apply",
	"apply PLAN [--yes] [--json] [--timeout D] [--no-undo] [--wait] "
	"[--detach]",
	"Run a stored dry-run plan live, exactly as planned.",
	"Runs the plan's runbook (the same commit and blob: another\n"
	"version is refused), with its params and incident. Before the\n"
	"first write, the reads the plan made before its first write\n"
	"(its preconditions) are made again and must see what the plan\n"
	"saw; a difference refuses the run (exit 3) and names the read:\n"
	"  GET http://gw/v1/flags/assistant: mode was \"normal\", now\n"
	"  \"degraded\"\n"
	"Each write must be the plan's next write, payload and all: any\n"
	"other (or a different body) stops the run before that write,\n"
	"and the undo of the steps done runs. On a terminal (without\n"
	"--yes) owl asks first: yes makes that write anyway, off the\n"
	"plan, and the answer is logged.\n"
	"\nOptions:\n"
	"  --yes           answer yes to confirm() (needed without a\n"
	"                  terminal)\n"
	"  --json          one JSON document, as owl run --json\n"
	"  --timeout D     wall-clock limit (default: the runbook's)\n"
	"  --no-undo       on failure, do not run the undo functions\n"
	"  --wait          wait for a target another run is changing\n"
	"  --detach        run it in a process of its own (new session,\n"
	"                  no terminal), as owl run --detach\n"
	"\nExit codes: 0 ok, 1 the run failed, 2 bad usage, 3 refused (a\n"
	"stale plan, another runbook version, a write not in the plan).\n",
	cmd_apply_run };
