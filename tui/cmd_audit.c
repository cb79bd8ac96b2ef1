/* cmd_audit.c: `owl audit verify` walks the action log's hash chain;
 * `owl audit log` prints it, newest last, as lines or one JSON array. */
#include "cmd_audit.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actlog.h"
#include "engine/clock.h"
#include "engine/sanitize.h"

static int
cmd_audit_verify(struct store *s)
{
	struct actlog_check c;
	struct err err;

	err_init(&err);
	if (actlog_verify(s, &c, &err) == -1)
		return cli_fail(&err);
	if (c.bad_id != 0) {
		fprintf(stderr,
		    "owl: audit chain broken at entry %" PRId64 ": %s\n",
		    c.bad_id, c.why);
		return CLI_REFUSED;
	}
	printf("ok: %" PRId64 " entr%s\n", c.count, c.count == 1 ? "y" : "ies");
	return CLI_OK;
}

/* Prints one entry as a line: id, time, actor, incident, run, kind and
 * detail, each sanitised for the terminal. */
static int
cmd_audit_line(const struct actlog_entry *e, void *ctx)
{
	char at[CLOCK_RFC3339_MAX], inc[32] = "-", run[32] = "-";
	char *actor, *kind, *detail;

	(void)ctx;
	clock_format(e->at_us, 1, at);
	if (e->incident != 0)
		snprintf(inc, sizeof inc, "INC-%" PRId64, e->incident);
	if (e->run != 0)
		snprintf(run, sizeof run, "run-%" PRId64, e->run);
	actor = sanitize_dup(e->actor, 0);
	kind = sanitize_dup(e->kind, 0);
	detail = sanitize_dup(e->detail, 0);
	printf("%" PRId64 " %s %s %s %s %s %s\n", e->id, at,
	    actor ? actor : "?", inc, run, kind ? kind : "?",
	    detail ? detail : "?");
	free(actor);
	free(kind);
	free(detail);
	return 0;
}

static json_t *
cmd_audit_idjson(int64_t v)
{
	return v != 0 ? json_integer(v) : json_null();
}

/* Appends one entry to the JSON array in ctx; the detail is embedded as
 * JSON, or as a string when it does not parse. */
static int
cmd_audit_json(const struct actlog_entry *e, void *ctx)
{
	char at[CLOCK_RFC3339_MAX];
	json_t *o, *detail;

	clock_format(e->at_us, 1, at);
	detail =
	    json_loads(e->detail ? e->detail : "null", JSON_DECODE_ANY, NULL);
	if (detail == NULL)
		detail = json_string(e->detail);
	o = json_pack("{s:I, s:s, s:s?, s:o, s:o, s:s?, s:o, s:s?, s:s?}", "id",
	    (json_int_t)e->id, "at", at, "actor", e->actor, "incident",
	    cmd_audit_idjson(e->incident), "run", cmd_audit_idjson(e->run),
	    "kind", e->kind, "detail", detail, "prev_hash", e->prev_hash,
	    "hash", e->hash);
	if (o == NULL)
		return 1;
	json_array_append_new(ctx, o);
	return 0;
}

static int
cmd_audit_log(struct store *s, int json, long long limit)
{
	struct actlog_filter f = { .limit = limit };
	struct err err;
	json_t *arr = NULL;
	int rc;

	err_init(&err);
	if (json && (arr = json_array()) == NULL)
		return cli_fail(&err);
	rc = actlog_each(
	    s, &f, json ? cmd_audit_json : cmd_audit_line, arr, &err);
	if (rc == -1) {
		json_decref(arr);
		return cli_fail(&err);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
		json_decref(arr);
	}
	return CLI_OK;
}

static int
cmd_audit_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'n' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	long long limit = 0;
	struct store *s;
	struct err err;
	static const char *const subs[] = { "verify", "log" };
	const char *sub;
	int c, rc = CLI_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "jn:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j')
			cli->json = 1;
		else if (c == 'n' && cli_count(optarg, &limit) == -1)
			return cli_usage(cmd,
			    "--limit: '%s' is not a positive "
			    "number",
			    optarg);
	}
	if (optind >= argc)
		return cli_usage(cmd, "audit: say verify or log");
	sub = argv[optind++];
	if (strcmp(sub, "verify") != 0 && strcmp(sub, "log") != 0)
		return cli_bad_word(cmd, "audit: unknown subcommand ", sub, "",
		    subs, 2, "subcommands");
	if (optind < argc)
		return cli_usage(cmd, "audit %s: unexpected argument '%s'", sub,
		    argv[optind]);
	if (strcmp(sub, "verify") == 0 && (cli->json || limit))
		return cli_usage(cmd, "audit verify takes no options");
	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	if (strcmp(sub, "verify") == 0)
		rc = cmd_audit_verify(s);
	else
		rc = cmd_audit_log(s, cli->json, limit);
	store_close(s);
	return rc;
}

/* `owl audit`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_audit_entry = { "audit",
	"audit verify | audit log [--json] [--limit N]",
	"Verify or print the hash-chained action log.",
	"  audit verify    walk the chain; exit 0 and 'ok: N entries' when\n"
	"                  intact, exit 3 naming the first bad entry when a\n"
	"                  row was changed, removed or reordered\n"
	"  audit log       every action, oldest first, one per line\n"
	"\nOptions:\n"
	"  --json          one JSON array of {id, at, actor, incident, run,\n"
	"                  kind, detail, prev_hash, hash}\n"
	"  --limit N       only the newest N entries\n",
	cmd_audit_run };
