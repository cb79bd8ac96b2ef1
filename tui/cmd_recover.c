/* cmd_recover.c: `owl recover RUN [--recheck] [--undo | --retry |
 * --resolve --note TEXT] [--json]` (engine/rb_recover.h). */
#include "cmd_recover.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actor.h"
#include "engine/config.h"
#include "engine/hash.h"
#include "engine/rb_recover.h"
#include "engine/sanitize.h"
#include "engine/words.h"
#include "integrations/effects_live.h"
#include "integrations/runner.h"
#include "cmd_run.h"

static void
cmd_recover_put(const char *s)
{
	char *clean = sanitize_dup(s ? s : "", 0);

	fputs(clean ? clean : "?", stdout);
	free(clean);
}

static void
cmd_recover_print(const json_t *doc)
{
	const json_t *st, *e, *res = json_object_get(doc, "resolved");
	const json_t *rec = json_object_get(doc, "recovered");
	size_t i, k;

	printf("Run %" PRId64 " (",
	    (int64_t)json_integer_value(json_object_get(doc, "run")));
	cmd_recover_put(json_string_value(json_object_get(doc, "runbook")));
	printf("), %s\n", json_string_value(json_object_get(doc, "status")));
	json_array_foreach(json_object_get(doc, "steps"), i, st)
	{
		printf("  %-12s %s%" PRId64 ". ",
		    json_string_value(json_object_get(st, "state")),
		    json_is_true(json_object_get(st, "undo")) ? "undo of " : "",
		    (int64_t)json_integer_value(json_object_get(st, "i")));
		cmd_recover_put(json_string_value(json_object_get(st, "name")));
		puts(json_is_true(json_object_get(st, "idempotent"))
		        ? " (idempotent)"
		        : "");
		json_array_foreach(json_object_get(st, "effects"), k, e)
		{
			const char *r =
			    json_string_value(json_object_get(e, "result"));
			printf("      %s %-12s ",
			    json_is_true(json_object_get(e, "write")) ? "*"
			                                              : " ",
			    json_string_value(json_object_get(e, "kind")));
			cmd_recover_put(
			    json_string_value(json_object_get(e, "target")));
			printf(" -> %s\n",
			    r ? r
			      : "started, no result: may or may not have "
			        "happened");
		}
	}
	if (json_is_object(rec)) {
		fputs("Recovered by ", stdout);
		cmd_recover_put(
		    json_string_value(json_object_get(rec, "actor")));
		printf(": %s by run %" PRId64 ", which ended %s (see: owl "
		       "runs show %" PRId64 ")\n",
		    json_string_value(json_object_get(rec, "choice")),
		    (int64_t)json_integer_value(json_object_get(rec, "run")),
		    json_string_value(json_object_get(rec, "outcome"))
		        ? json_string_value(json_object_get(rec, "outcome"))
		        : "?",
		    (int64_t)json_integer_value(json_object_get(rec, "run")));
	}
	if (json_is_object(res)) {
		fputs("Resolved by ", stdout);
		cmd_recover_put(
		    json_string_value(json_object_get(res, "actor")));
		fputs(": ", stdout);
		cmd_recover_put(
		    json_string_value(json_object_get(res, "note")));
		putchar('\n');
	} else if (!json_is_object(rec) &&
	    strcmp(json_string_value(json_object_get(doc, "status")),
	        "interrupted") == 0) {
		printf(
		    "Next: owl recover %" PRId64 " --recheck (look at what "
		    "the unknown steps touched), then --retry (a step declared "
		    "idempotent), --undo or --resolve --note TEXT\n",
		    (int64_t)json_integer_value(json_object_get(doc, "run")));
	}
}

/* GETs one URL an unknown step touched; appends what it saw to seen. */
static void
cmd_recover_get(const struct effects *fx, const char *url, json_t *seen)
{
	struct effects_http h = { .method = "GET", .url = url };
	unsigned char md[HASH_LEN];
	char hex[HASH_HEX_LEN];
	struct effects_http_res res;
	struct err err;

	err_init(&err);
	effects_http_res_init(&res);
	fputs("  GET ", stdout);
	cmd_recover_put(url);
	if (fx->http(fx->ctx, &h, &res, &err) == -1) {
		fputs(" failed: ", stdout);
		cmd_recover_put(err.msg);
		putchar('\n');
		json_array_append_new(seen,
		    json_pack("{s:s, s:s}", "url", url, "error", err.msg));
	} else {
		hash_sha256(buf_str(&res.body), res.body.len, md);
		hash_hex(md, sizeof md, hex);
		printf(" -> %ld: %.*s%s\n", res.status,
		    (int)(res.body.len > 200 ? 200 : res.body.len),
		    buf_str(&res.body), res.body.len > 200 ? "..." : "");
		json_array_append_new(seen,
		    json_pack("{s:s, s:i, s:s}", "url", url, "status",
		        (int)res.status, "sha256", hex));
	}
	effects_http_res_done(&res);
}

/* Repeats the reads of the unknown steps, and reads what their HTTP
 * writes changed (GET of the same URL), so the operator sees the world
 * as it is; what was seen is logged. Requests that carried headers are
 * not repeated (their secrets are not in the log). */
static int
cmd_recover_recheck(
    struct cli *cli, struct store *s, const json_t *doc, const char *actor)
{
	const json_t *st, *e;
	struct effects *fx;
	struct config *config;
	json_t *seen = json_array(), *urls = json_object();
	struct err err;
	size_t i, k;
	int rc = CLI_OK;

	err_init(&err);
	if ((config = config_load(cli->config, &err)) == NULL ||
	    (fx = effects_live_new(config, NULL, &err)) == NULL) {
		config_free(config);
		json_decref(seen);
		json_decref(urls);
		return cli_fail(&err);
	}
	puts("Re-check of the unknown steps:");
	json_array_foreach(json_object_get(doc, "steps"), i, st)
	{
		if (strcmp(json_string_value(json_object_get(st, "state")),
		        "unknown") != 0)
			continue;
		json_array_foreach(json_object_get(st, "effects"), k, e)
		{
			const char *kind =
			    json_string_value(json_object_get(e, "kind"));
			const char *url =
			    json_string_value(json_object_get(e, "target"));
			if (kind == NULL || strncmp(kind, "http.", 5) != 0 ||
			    url == NULL ||
			    json_object_get(json_object_get(e, "request"),
			        "headers") != NULL ||
			    json_object_get(urls, url) != NULL)
				continue;
			json_object_set_new(urls, url, json_true());
			cmd_recover_get(fx, url, seen);
		}
	}
	if (json_array_size(seen) == 0)
		puts("  (nothing an unknown step touched can be read again)");
	if (rb_recover_log(s, json_integer_value(json_object_get(doc, "run")),
	        actor, "recheck", NULL, json_pack("{s:O}", "seen", seen),
	        &err) == -1)
		rc = cli_fail(&err);
	json_decref(seen);
	json_decref(urls);
	effects_free(fx);
	config_free(config);
	return rc;
}

/* An undo or a retry already ran a recovery run: the world is what that
 * run left, so the journal of this one no longer says what to undo or
 * retry. -1 with err set (ERR_REFUSED). */
static int
cmd_recover_again(const json_t *doc, struct err *err)
{
	const json_t *rec = json_object_get(doc, "recovered");

	if (!json_is_object(rec))
		return 0;
	return err_set(err, ERR_REFUSED,
	    "run %lld was recovered already: %s by run %lld, which ended %s; "
	    "look at that run (owl runs show %lld, or owl recover %lld if "
	    "it was interrupted too)",
	    (long long)json_integer_value(json_object_get(doc, "run")),
	    json_string_value(json_object_get(rec, "choice")),
	    (long long)json_integer_value(json_object_get(rec, "run")),
	    json_string_value(json_object_get(rec, "outcome"))
	        ? json_string_value(json_object_get(rec, "outcome"))
	        : "?",
	    (long long)json_integer_value(json_object_get(rec, "run")),
	    (long long)json_integer_value(json_object_get(rec, "run")));
}

/* --undo: the undo of the steps the run did, newest first, in a new
 * run; the choice and its outcome are logged on the interrupted run. */
static int
cmd_recover_undo(
    struct cli *cli, struct store *s, const json_t *doc, const char *actor)
{
	int64_t id = json_integer_value(json_object_get(doc, "run"));
	char status[32] = "";
	struct err err;
	int64_t ran = 0;
	int rc;

	err_init(&err);
	if (strcmp(json_string_value(json_object_get(doc, "status")),
	        "interrupted") != 0) {
		err_set(&err, ERR_REFUSED,
		    "run %lld is %s, not interrupted: there is nothing to "
		    "recover",
		    (long long)id,
		    json_string_value(json_object_get(doc, "status")));
		return cli_fail(&err);
	}
	if (cmd_recover_again(doc, &err) == -1)
		return cli_fail(&err);
	rc = cmd_run_recover_undo(cli, s, doc, &ran, status, sizeof status);
	if (rb_recover_log(s, id, actor, "undo", NULL,
	        json_pack("{s:I, s:s}", "recovery_run", (json_int_t)ran,
	            "outcome", status),
	        &err) == -1)
		return cli_fail(&err);
	return rc;
}

/* Logs a --retry of run id: the step, and its outcome (a note the
 * timeline shows). */
static int
cmd_recover_retry_log(struct store *s, int64_t id, const char *actor,
    const json_t *st, int64_t ran, const char *outcome, struct err *err)
{
	char note[400];

	snprintf(note, sizeof note, "step %" PRId64 " '%.200s': %s",
	    st ? (int64_t)json_integer_value(json_object_get(st, "i")) : 0,
	    st ? json_string_value(json_object_get(st, "name")) : "", outcome);
	return rb_recover_log(s, id, actor, "retry", st ? note : NULL,
	    json_pack("{s:I, s:I, s:s}", "step",
	        st ? json_integer_value(json_object_get(st, "i")) : 0,
	        "recovery_run", (json_int_t)ran, "outcome", outcome),
	    err);
}

/* --retry: runs the step the run did not finish again, and on from
 * there, when that is safe: a step that had begun (unknown) only when it
 * is declared idempotent = true. Refused (exit 3, one line): a run that
 * failed, or was undoing, when it was interrupted (--undo finishes
 * that), and a step that may not run twice. */
static int
cmd_recover_retry(struct cli *cli, struct store *s, const json_t *doc,
    const char *actor, int yes)
{
	int64_t id = json_integer_value(json_object_get(doc, "run")), done = 0;
	const json_t *st, *next = NULL;
	char status[32] = "";
	const char *state;
	struct err err;
	int64_t ran = 0;
	size_t i;
	int rc;

	err_init(&err);
	if (strcmp(json_string_value(json_object_get(doc, "status")),
	        "interrupted") != 0) {
		/* refused, saying the run is not interrupted */
		rb_recover_log(s, id, actor, "retry", NULL, NULL, &err);
		return cli_fail(&err);
	}
	if (cmd_recover_again(doc, &err) == -1)
		goto refuse;
	json_array_foreach(json_object_get(doc, "steps"), i, st)
	{
		if (json_is_true(json_object_get(st, "undo"))) {
			err_set(&err, ERR_REFUSED,
			    "run %lld was undoing its steps when it was "
			    "interrupted: a retry would redo what it undid; "
			    "finish the undo with owl recover %lld --undo",
			    (long long)id, (long long)id);
			goto refuse;
		}
		state = json_string_value(json_object_get(st, "state"));
		if (next == NULL && strcmp(state, "done") != 0)
			next = st;
		else if (next == NULL)
			done = json_integer_value(json_object_get(st, "i"));
	}
	state = next ? json_string_value(json_object_get(next, "state")) : "";
	if (strcmp(state, "failed") == 0) {
		err_set(&err, ERR_REFUSED,
		    "step %lld '%s' of run %lld failed before the run was "
		    "interrupted: there is nothing to retry; owl recover %lld "
		    "--undo undoes the steps before it",
		    (long long)json_integer_value(json_object_get(next, "i")),
		    json_string_value(json_object_get(next, "name")),
		    (long long)id, (long long)id);
		goto refuse;
	}
	if (strcmp(state, "unknown") == 0 &&
	    !json_is_true(json_object_get(next, "idempotent"))) {
		err_set(&err, ERR_REFUSED,
		    "step %lld '%s' of run %lld is not declared idempotent = "
		    "true: running it again could do it twice; see what it "
		    "did with owl recover %lld --recheck, then --undo or "
		    "--resolve --note TEXT",
		    (long long)json_integer_value(json_object_get(next, "i")),
		    json_string_value(json_object_get(next, "name")),
		    (long long)id, (long long)id);
		goto refuse;
	}
	if (next == NULL) {
		printf("Run %lld did every step it began: retrying runs the "
		       "rest of it, after the %lld step%s it did:\n",
		    (long long)id, (long long)done, words_s(done));
	} else {
		printf("Retrying run %lld from step %lld '", (long long)id,
		    (long long)json_integer_value(json_object_get(next, "i")));
		cmd_recover_put(
		    json_string_value(json_object_get(next, "name")));
		printf("'%s, after the %lld step%s it did:\n",
		    strcmp(state, "unknown") == 0 ? " (declared idempotent)"
		                                  : "",
		    (long long)done, words_s(done));
	}
	fflush(stdout);
	rc = cmd_run_recover_retry(cli, s, doc, done,
	    strcmp(state, "unknown") == 0, yes, &ran, status, sizeof status);
	if (cmd_recover_retry_log(s, id, actor, next, ran, status, &err) == -1)
		return cli_fail(&err);
	return rc;
refuse:
	rc = cli_fail(&err);
	err_init(&err);
	if (cmd_recover_retry_log(s, id, actor, next, 0, "refused", &err) == -1)
		cli_fail(&err);
	return rc;
}

static int
cmd_recover_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "recheck", no_argument, NULL, 'r' },
		{ "undo", no_argument, NULL, 'u' },
		{ "retry", no_argument, NULL, 'T' },
		{ "yes", no_argument, NULL, 'y' },
		{ "resolve", no_argument, NULL, 'R' },
		{ "note", required_argument, NULL, 'n' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *note = NULL;
	int c, rc = CLI_OK, recheck = 0, resolve = 0, undo = 0, retry = 0;
	int yes = 0;
	char actor[ACTOR_MAX], *end;
	struct store *s;
	struct err err;
	json_t *doc = NULL;
	long long id;

	while ((c = cli_getopt(cli, cmd, argc, argv, "y", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j')
			cli->json = 1;
		else if (c == 'r')
			recheck = 1;
		else if (c == 'u')
			undo = 1;
		else if (c == 'R')
			resolve = 1;
		else if (c == 'T')
			retry = 1;
		else if (c == 'y')
			yes = 1;
		else if (c == 'n')
			note = optarg;
	}
	if (optind + 1 != argc)
		return cli_usage(cmd, "recover: name one run (see: owl runs)");
	id = strtoll(argv[optind], &end, 10);
	if (*argv[optind] == '\0' || *end != '\0' || id <= 0)
		return cli_usage(
		    cmd, "recover: '%s' is not a run id", argv[optind]);
	if (resolve && (note == NULL || *note == '\0'))
		return cli_usage(cmd,
		    "--resolve needs --note TEXT: say what you found and did");
	if (note != NULL && !resolve)
		return cli_usage(cmd, "--note goes with --resolve");
	if (retry + undo + resolve > 1)
		return cli_usage(
		    cmd, "choose one of --retry, --undo and --resolve");
	if (yes && !retry)
		return cli_usage(cmd,
		    "--yes goes with --retry (it answers the questions the "
		    "run asks past the point it had reached)");
	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	actor_name(actor);
	/* a run its dead process left "running" is interrupted first */
	runner_sweep(s, cli_note, NULL);
	if (resolve &&
	    rb_recover_log(s, id, actor, "resolved", note, NULL, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (rb_recover_list(s, id, &doc, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (cli->json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
	} else {
		cmd_recover_print(doc);
	}
	if (recheck)
		rc = cmd_recover_recheck(cli, s, doc, actor);
	if (rc == CLI_OK && undo)
		rc = cmd_recover_undo(cli, s, doc, actor);
	if (rc == CLI_OK && retry)
		rc = cmd_recover_retry(cli, s, doc, actor, yes);
out:
	json_decref(doc);
	store_close(s);
	return rc;
}

/* `owl recover`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_recover_entry = { "recover",
	"recover RUN [--recheck] [--undo | --retry [--yes] |\n"
	"                  --resolve --note TEXT] [--json]",
	"Look into a crashed or killed run, and resolve it.",
	"Lists the run's steps from its journal (the intent and result\n"
	"the chokepoint logs around every effect): done, failed, unknown\n"
	"(begun and never ended: a write whose intent has no result may\n"
	"or may not have happened) and not started (steps of the newest\n"
	"dry-run plan of the same runbook and params never begun). A run\n"
	"whose owl process is gone is marked interrupted first.\n"
	"\nOptions:\n"
	"  --recheck        read again what the unknown steps touched\n"
	"                   (their HTTP reads, and a GET of the URLs they\n"
	"                   wrote), and log what was seen\n"
	"  --undo           run the undo of the steps it did, newest\n"
	"                   first (the same runbook version and params;\n"
	"                   the steps are not run again, nothing else is\n"
	"                   written); the unknown step's undo is not run\n"
	"  --retry          run the step it did not finish again, and on\n"
	"                   from there (the same runbook version and\n"
	"                   params; the steps done are not run again): a\n"
	"                   step that had begun only when the runbook\n"
	"                   declares it idempotent = true (else exit 3); a\n"
	"                   failure undoes every step done, newest first;\n"
	"                   the questions the run had answered pass, the\n"
	"                   later ones are asked\n"
	"  --yes            with --retry: answer those yes (no terminal)\n"
	"  --resolve --note TEXT  mark the run resolved by hand, with what\n"
	"                   you found and did (logged as run.recover)\n"
	"  --json           one JSON document\n"
	"Each choice is logged on the run (run.recover). Once an undo or\n"
	"a retry ran, the run is recovered: look at that recovery run.\n"
	"\nExit codes: 0 ok, 1 the recovery run failed, 2 no such run,\n"
	"3 the run is not interrupted, or a retry is refused.\n",
	cmd_recover_run };
