/* cmd_runs.c: the runs, from any terminal: `owl runs` lists them (running
 * first; filter by incident or state), `owl runs show RUN` tells one (its
 * steps with status and duration, its log() lines, the question it waits
 * on, how it ended), and `owl answer RUN yes|no` answers the confirm() a
 * run without a terminal waits on (engine/rb_ask.h), as the actor; one
 * that wants its target typed out takes yes --target NAME. */
#include "cmd_runs.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/actlog.h"
#include "engine/actor.h"
#include "engine/clock.h"
#include "engine/rb_ask.h"
#include "engine/rb_runs.h"
#include "engine/sanitize.h"

/* A run's id: "7" or "run-7". */
static int
cmd_runs_id(const char *s, long long *id)
{
	if (strncmp(s, "run-", 4) == 0)
		s += 4;
	return cli_count(s, id);
}

static void
cmd_runs_put(const char *s)
{
	char *clean = sanitize_dup(s ? s : "", 0);

	fputs(clean ? clean : "?", stdout);
	free(clean);
}

static json_t *
cmd_runs_row_json(const struct rb_runs_row *r)
{
	char t[CLOCK_RFC3339_MAX], e[CLOCK_RFC3339_MAX];
	json_t *params = json_loads(r->params ? r->params : "{}", 0, NULL);
	json_t *o;

	clock_format(r->started_at, 0, t);
	if (r->ended_at)
		clock_format(r->ended_at, 0, e);
	o = json_pack("{s:I,s:s,s:s,s:s,s:s?,s:b,s:s,s:s?,s:s?,s:o,s:I,s:s}",
	    "id", (json_int_t)r->id, "runbook", r->runbook, "actor", r->actor,
	    "status", r->status, "error", r->error, "dry_run", r->dry_run,
	    "started_at", t, "ended_at", r->ended_at ? e : NULL, "commit",
	    r->commit, "params", params ? params : json_object(), "pid",
	    (json_int_t)r->pid, "host", r->host ? r->host : "");
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "incident",
	    r->incident ? json_integer(r->incident) : json_null());
	json_object_set_new(
	    o, "plan", r->plan_id ? json_integer(r->plan_id) : json_null());
	if (json_object_get(o, "error") == NULL)
		json_object_set_new(o, "error", json_null());
	if (json_object_get(o, "ended_at") == NULL)
		json_object_set_new(o, "ended_at", json_null());
	if (json_object_get(o, "commit") == NULL)
		json_object_set_new(o, "commit", json_null());
	return o;
}

static int
cmd_runs_line(const struct rb_runs_row *r, void *ctx)
{
	json_t *arr = ctx, *o;
	char t[64], age[32];

	if (arr != NULL) {
		o = cmd_runs_row_json(r);
		return o == NULL || json_array_append_new(arr, o) == -1;
	}
	clock_format(r->started_at, 0, t);
	clock_format_age(
	    (r->ended_at ? r->ended_at : clock_now_us()) - r->started_at, age,
	    sizeof age);
	printf("run %-4" PRId64 " %-12s ", r->id, r->status);
	cmd_runs_put(r->runbook);
	printf("%s", r->dry_run ? " (dry-run)" : "");
	if (r->incident)
		printf("  INC-%" PRId64, r->incident);
	printf("  by ");
	cmd_runs_put(r->actor);
	printf("  %s, %s%s", t, r->ended_at ? "took " : "running for ", age);
	if (r->error != NULL) {
		printf(": ");
		cmd_runs_put(r->error);
	}
	putchar('\n');
	return 0;
}

static const char *const cmd_runs_states[] = { "running", "ok", "failed",
	"rollback-failed", "cancelled", "refused", "interrupted", NULL };

static int
cmd_runs_list(struct cli *cli, struct store *s, const struct rb_runs_query *q)
{
	json_t *arr = cli->json ? json_array() : NULL;
	struct err err;
	int n = 0;

	err_init(&err);
	if (rb_runs_each(s, q, cmd_runs_line, arr, &err) == -1) {
		json_decref(arr);
		return cli_fail(&err);
	}
	if (arr != NULL) {
		char *t = json_dumps(arr, JSON_INDENT(2) | JSON_ENSURE_ASCII);

		printf("%s\n", t ? t : "[]");
		free(t);
		n = (int)json_array_size(arr);
		json_decref(arr);
	}
	(void)n;
	return CLI_OK;
}

struct cmd_runs_show {
	json_t *run, *steps, *log;
	int64_t total;
};

static int
cmd_runs_take(const struct rb_runs_row *r, void *ctx)
{
	struct cmd_runs_show *w = ctx;

	w->run = cmd_runs_row_json(r);
	return 1;
}

static int
cmd_runs_step(const struct rb_runs_step_row *r, void *ctx)
{
	struct cmd_runs_show *w = ctx;

	json_t *o = json_pack("{s:I,s:s,s:b,s:s,s:s?}", "step",
	    (json_int_t)r->idx, "name", r->name, "undo", r->undo, "status",
	    r->status, "error", r->error);

	if (o == NULL)
		return 1;
	json_object_set_new(
	    o, "ms", r->ms >= 0 ? json_integer(r->ms) : json_null());
	if (json_object_get(o, "error") == NULL)
		json_object_set_new(o, "error", json_null());
	return json_array_append_new(w->steps, o) == -1;
}

/* The run's log() lines, its questions and answers, in order. */
static int
cmd_runs_log(const struct actlog_entry *e, void *ctx)
{
	struct cmd_runs_show *w = ctx;
	json_t *d;
	char t[CLOCK_RFC3339_MAX];

	if (strcmp(e->kind, "run.log") != 0 &&
	    strcmp(e->kind, "run.question") != 0 &&
	    strcmp(e->kind, "run.answer") != 0 &&
	    strcmp(e->kind, "run.confirm") != 0)
		return 0;
	d = json_loads(e->detail, 0, NULL);
	clock_format(e->at_us, 0, t);
	json_array_append_new(w->log,
	    json_pack("{s:s,s:s,s:s,s:o}", "at", t, "kind", e->kind + 4,
	        "actor", e->actor, "detail", d ? d : json_object()));
	return 0;
}

/* Colour only for a terminal that has it, and not under NO_COLOR. */
static int
cmd_runs_red(void)
{
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (no == NULL || *no == '\0') &&
	    term != NULL && strcmp(term, "dumb") != 0;
}

static void
cmd_runs_show_text(
    struct cmd_runs_show *w, const struct rb_ask *ask, const char *left)
{
	json_t *r = w->run, *e;
	int red = cmd_runs_red();
	size_t i;

	printf("run %" JSON_INTEGER_FORMAT ": ",
	    json_integer_value(json_object_get(r, "id")));
	cmd_runs_put(json_string_value(json_object_get(r, "runbook")));
	printf("%s, %s",
	    json_is_true(json_object_get(r, "dry_run")) ? " (dry-run)" : "",
	    json_string_value(json_object_get(r, "status")));
	if (json_is_string(json_object_get(r, "error"))) {
		printf(": ");
		cmd_runs_put(json_string_value(json_object_get(r, "error")));
	}
	if (left[0] != '\0') {
		/* the world is half-changed: said first, in red on a terminal
		 */
		printf("\n  %srollback failed: steps left undone: ",
		    red ? "\033[1;31m" : "");
		cmd_runs_put(left);
		printf("%s", red ? "\033[0m" : "");
	}
	printf("\n  by ");
	cmd_runs_put(json_string_value(json_object_get(r, "actor")));
	printf(", started %s",
	    json_string_value(json_object_get(r, "started_at")));
	if (json_is_string(json_object_get(r, "ended_at")))
		printf(", ended %s",
		    json_string_value(json_object_get(r, "ended_at")));
	if (json_integer_value(json_object_get(r, "incident")))
		printf(", for INC-%" JSON_INTEGER_FORMAT,
		    json_integer_value(json_object_get(r, "incident")));
	printf("\n\nSteps:\n");
	json_array_foreach(w->steps, i, e)
	{
		printf("  %s%-3" JSON_INTEGER_FORMAT " ",
		    json_is_true(json_object_get(e, "undo")) ? "undo " : "",
		    json_integer_value(json_object_get(e, "step")));
		cmd_runs_put(json_string_value(json_object_get(e, "name")));
		printf(
		    " ... %s", json_string_value(json_object_get(e, "status")));
		if (json_integer_value(json_object_get(e, "ms")) > 0)
			printf(" %" JSON_INTEGER_FORMAT " ms",
			    json_integer_value(json_object_get(e, "ms")));
		if (json_is_string(json_object_get(e, "error"))) {
			printf(": ");
			cmd_runs_put(
			    json_string_value(json_object_get(e, "error")));
		}
		putchar('\n');
	}
	if (json_array_size(w->steps) == 0)
		printf("  (none yet)\n");
	printf("\nLog:\n");
	json_array_foreach(w->log, i, e)
	{
		const json_t *d = json_object_get(e, "detail");
		const char *k = json_string_value(json_object_get(e, "kind"));

		printf("  %s  ", json_string_value(json_object_get(e, "at")));
		if (strcmp(k, "log") == 0)
			cmd_runs_put(
			    json_string_value(json_object_get(d, "text")));
		else if (strcmp(k, "question") == 0) {
			printf("asks: ");
			cmd_runs_put(
			    json_string_value(json_object_get(d, "text")));
			if (json_is_string(json_object_get(d, "target"))) {
				printf(" (type the target: ");
				cmd_runs_put(json_string_value(
				    json_object_get(d, "target")));
				putchar(')');
			}
		} else if (strcmp(k, "answer") == 0) {
			printf("answered %s by ",
			    json_is_true(json_object_get(d, "yes")) ? "yes"
			                                            : "no");
			cmd_runs_put(
			    json_string_value(json_object_get(e, "actor")));
		} else {
			printf("confirm: ");
			cmd_runs_put(
			    json_string_value(json_object_get(d, "text")));
			printf(" -> %s",
			    json_string_value(json_object_get(d, "answer"))
			        ?: "?");
		}
		putchar('\n');
	}
	if (ask != NULL && ask->target[0] != '\0') {
		printf("\nWaiting for an answer: ");
		cmd_runs_put(ask->text);
		printf("\n  it wants its target typed out: ");
		cmd_runs_put(ask->target);
		printf("\n  answer: owl answer %" JSON_INTEGER_FORMAT
		       " yes --target NAME, or owl answer %" JSON_INTEGER_FORMAT
		       " no\n",
		    json_integer_value(json_object_get(r, "id")),
		    json_integer_value(json_object_get(r, "id")));
	} else if (ask != NULL) {
		printf("\nWaiting for an answer: ");
		cmd_runs_put(ask->text);
		printf("\n  answer: owl answer %" JSON_INTEGER_FORMAT
		       " yes|no\n",
		    json_integer_value(json_object_get(r, "id")));
	}
}

/* The steps whose undo failed (a rollback-failed run), as
 * rb_runs_left_undone counts them: [{step, name}]. */
static json_t *
cmd_runs_left_json(const json_t *steps)
{
	json_t *out = json_array();
	const json_t *e;
	const char *st;
	size_t i;

	json_array_foreach(steps, i, e)
	{
		st = json_string_value(json_object_get(e, "status"));
		if (!json_is_true(json_object_get(e, "undo")) || st == NULL ||
		    strcmp(st, "ok") == 0 || strcmp(st, "running") == 0)
			continue;
		json_array_append_new(out,
		    json_pack("{s:O,s:O}", "step", json_object_get(e, "step"),
		        "name", json_object_get(e, "name")));
	}
	return out;
}

static int
cmd_runs_show(struct cli *cli, struct store *s, long long id)
{
	struct cmd_runs_show w = { NULL, json_array(), json_array(), 0 };
	struct rb_runs_query q = { .run = id };
	struct actlog_filter f = { .run = id };
	struct rb_ask ask;
	char left[600];
	struct err err;
	int rc = CLI_OK, waits;

	err_init(&err);
	if (rb_runs_each(s, &q, cmd_runs_take, &w, &err) == -1 ||
	    (w.run != NULL &&
	        (rb_runs_steps(s, id, cmd_runs_step, &w, &err) == -1 ||
	            actlog_each(s, &f, cmd_runs_log, &w, &err) == -1)) ||
	    (w.run != NULL &&
	        (waits = rb_ask_pending(s, id, &ask, &err)) == -1)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (w.run == NULL) {
		fprintf(stderr, "owl: no run %lld (see owl runs)\n", id);
		rc = CLI_USAGE;
		goto out;
	}
	if (rb_runs_left_undone(s, id, left, sizeof left, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (cli->json) {
		char *t;

		json_object_set(w.run, "steps", w.steps);
		json_object_set(w.run, "log", w.log);
		json_object_set_new(w.run, "waiting_for",
		    waits == 1 ? json_string(ask.text) : json_null());
		json_object_set_new(
		    w.run, "left_undone", cmd_runs_left_json(w.steps));
		json_object_set_new(w.run, "waiting_target",
		    waits == 1 && ask.target[0] ? json_string(ask.target)
		                                : json_null());
		t = json_dumps(w.run, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		printf("%s\n", t ? t : "{}");
		free(t);
	} else {
		cmd_runs_show_text(&w, waits == 1 ? &ask : NULL, left);
	}
out:
	json_decref(w.run);
	json_decref(w.steps);
	json_decref(w.log);
	return rc;
}

static int
cmd_runs_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "incident", required_argument, NULL, 'i' },
		{ "state", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rb_runs_query q = { .limit = 200 };
	long long id;
	struct store *s;
	struct err err;
	int c, rc = CLI_OK, i;

	while ((c = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j')
			cli->json = 1;
		else if (c == 'i' && cli_incident_id(optarg, &id) == -1)
			return cli_usage(cmd,
			    "--incident: '%s' is not an incident id", optarg);
		else if (c == 'i')
			q.incident = id;
		else if (c == 's') {
			for (i = 0; cmd_runs_states[i] != NULL; i++)
				if (strcmp(optarg, cmd_runs_states[i]) == 0)
					break;
			if (cmd_runs_states[i] == NULL)
				return cli_usage(cmd,
				    "--state: '%s' is not one of running, ok, "
				    "failed, rollback-failed, cancelled, "
				    "refused, interrupted",
				    optarg);
			q.status = optarg;
		}
	}
	if (optind < argc && strcmp(argv[optind], "show") != 0)
		return cli_usage(cmd,
		    "runs: unknown subcommand '%s' (show RUN)", argv[optind]);
	if (optind < argc && optind + 2 != argc)
		return cli_usage(cmd, "usage: owl runs show RUN [--json]");
	if (optind < argc && cmd_runs_id(argv[optind + 1], &id) == -1)
		return cli_usage(cmd, "'%s' is not a run id (see owl runs)",
		    argv[optind + 1]);
	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	rc = optind < argc ? cmd_runs_show(cli, s, id)
	                   : cmd_runs_list(cli, s, &q);
	store_close(s);
	return rc;
}

static int
cmd_answer_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *typed = NULL;
	char actor[ACTOR_MAX];
	long long id;
	struct store *s;
	struct err err;
	int c, rc = CLI_OK, yes;

	while ((c = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 't')
			typed = optarg;
	}
	if (argc - optind != 2)
		return cli_usage(cmd, "usage: owl %s", cmd->usage);
	if (cmd_runs_id(argv[optind], &id) == -1)
		return cli_usage(
		    cmd, "'%s' is not a run id (see owl runs)", argv[optind]);
	if (strcmp(argv[optind + 1], "yes") == 0)
		yes = 1;
	else if (strcmp(argv[optind + 1], "no") == 0)
		yes = 0;
	else
		return cli_usage(
		    cmd, "answer: say yes or no, not '%s'", argv[optind + 1]);
	if (typed != NULL && !yes)
		return cli_usage(cmd, "--target goes with yes");
	actor_name(actor);
	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	if (rb_ask_answer(s, id, yes, typed, actor, &err) == -1)
		rc = cli_fail(&err);
	else
		printf("run %lld: answered %s by %s\n", id, yes ? "yes" : "no",
		    actor);
	store_close(s);
	return rc;
}

/* `owl runs`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_runs_entry = { "runs",
	"runs [--incident INC] [--state S] [--json] | runs show RUN [--json]",
	"List the runbook runs, running first; or show one as it goes.",
	"  A run is its own process and writes every step, log() line and\n"
	"  confirm() question to the database: any terminal can follow it.\n"
	"  owl runs show RUN: its steps with status and duration, its log\n"
	"  lines, the question it waits on (answer with owl answer); a\n"
	"  rollback that failed names the steps it left undone.\n"
	"\nOptions:\n"
	"  --incident INC  only the runs for this incident\n"
	"  --state S       only the runs in this state: running, ok,\n"
	"                  failed, rollback-failed, cancelled, refused,\n"
	"                  interrupted\n"
	"  --json          one JSON document (an array; show: an object\n"
	"                  with steps, log, waiting_for, waiting_target\n"
	"                  and left_undone)\n",
	cmd_runs_run };

/* `owl answer`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_answer_entry = { "answer",
	"answer RUN yes|no [--target NAME]",
	"Answer the confirm() a run without a terminal waits on.",
	"  Runs started with owl run --detach or from the TUI ask their\n"
	"  confirm() questions through the database; the first answer\n"
	"  wins and is logged with its actor; a run that waits on no\n"
	"  question refuses the answer (exit 3).\n"
	"\nOptions:\n"
	"  --target NAME   a confirm({ type = \"target\" }) is answered\n"
	"                  yes only with its target typed out (owl runs\n"
	"                  show RUN names it); another name, or none, is\n"
	"                  refused (exit 3)\n",
	cmd_answer_run };
