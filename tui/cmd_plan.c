/* cmd_plan.c: `owl plan show PLAN [--json]`, `owl plan diff A B
 * [--json]`, `owl plans [--incident INC] [--json]`: stored plans read
 * back, compared and listed (engine/plan.h). */
#include "cmd_plan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actor.h"
#include "engine/plan.h"
#include "engine/sanitize.h"
#include "engine/words.h"

static void
cmd_plan_put(const char *s)
{
	char *clean = sanitize_dup(s ? s : "", 0);

	fputs(clean ? clean : "?", stdout);
	free(clean);
}

/* Prints text line by line, each indented. */
static void
cmd_plan_lines(const char *text, const char *indent)
{
	char *clean = sanitize_dup(text, SANITIZE_NEWLINES);
	char *line, *save = NULL;

	for (line = strtok_r(clean, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		printf("%s%s\n", indent, line);
	free(clean);
}

static void
cmd_plan_dump(const json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	putchar('\n');
}

int
cmd_plan_id(const char *s, long long *id)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	*id = strtoll(s, &end, 10);
	return *end == '\0' && *id > 0 ? 0 : -1;
}

void
cmd_plan_effects(const json_t *effects)
{
	int64_t step = -1;
	const json_t *e;
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	json_array_foreach(effects, i, e)
	{
		int64_t s = json_integer_value(json_object_get(e, "step"));
		if (s != step && s == 0) {
			puts("  -- between steps");
			step = s;
		} else if (s != step) {
			printf("  %" PRId64 ". ", s);
			cmd_plan_put(
			    json_string_value(json_object_get(e, "step_name")));
			putchar('\n');
			step = s;
		}
		printf("     %s %-14s ",
		    json_is_true(json_object_get(e, "write")) ? "*" : " ",
		    json_string_value(json_object_get(e, "kind")));
		cmd_plan_put(json_string_value(json_object_get(e, "target")));
		putchar('\n');
		if (json_is_string(json_object_get(e, "note")))
			cmd_plan_lines(
			    json_string_value(json_object_get(e, "note")),
			    "           ");
		buf_reset(&b);
		if (plan_effect_text(e, &b, NULL) == 0 && b.len > 0)
			cmd_plan_lines(buf_str(&b), "           ");
		if (json_is_string(json_object_get(e, "diff")))
			cmd_plan_lines(
			    json_string_value(json_object_get(e, "diff")),
			    "           ");
	}
	if (json_array_size(effects) == 0)
		puts("  (no effects)");
	buf_done(&b);
}

static void
cmd_plan_head(const struct plan *p)
{
	const json_t *e;
	int64_t writes = 0;
	size_t i;
	json_t *pre = plan_preconditions(p->effects);

	json_array_foreach(p->effects, i, e) writes +=
	    json_is_true(json_object_get(e, "write")) &&
	    !json_is_true(json_object_get(e, "undo"));
	printf("Plan %" PRId64 " of runbook ", p->id);
	cmd_plan_put(p->runbook);
	printf(" (%s run %" PRId64 " by ", p->dry_run ? "dry-run" : "live",
	    p->run_id);
	cmd_plan_put(p->actor);
	printf(", %s)\n", p->status ? p->status : "?");
	printf("  hash     %s\n", p->hash);
	fputs("  source   ", stdout);
	cmd_plan_put(p->source);
	if (p->commit != NULL) {
		fputs(" commit ", stdout);
		cmd_plan_put(p->commit);
	}
	printf("\n  runbook  sha256 %s\n  params   ", p->source_sha256);
	{
		char *s = json_dumps(p->params, JSON_COMPACT | JSON_SORT_KEYS);
		cmd_plan_put(s);
		free(s);
	}
	if (p->incident > 0)
		printf("\n  incident INC-%" PRId64, p->incident);
	printf("\n  %" PRId64 " write%s, %zu precondition%s\n", writes,
	    words_s(writes), json_array_size(pre),
	    words_s((int64_t)json_array_size(pre)));
	json_decref(pre);
}

static int
cmd_plan_show(struct cli *cli, struct store *s, long long id)
{
	struct plan p;
	struct err err;
	json_t *doc;

	err_init(&err);
	if (plan_get(s, id, &p, &err) == -1)
		return cli_fail(&err);
	if (cli->json) {
		doc = plan_json(&p);
		cmd_plan_dump(doc);
		json_decref(doc);
	} else {
		cmd_plan_head(&p);
		cmd_plan_effects(p.effects);
	}
	plan_done(&p);
	return CLI_OK;
}

static void
cmd_plan_diff_print(long long a, long long b, const json_t *d)
{
	const json_t *c;
	size_t i;

	if (json_array_size(d) == 0) {
		printf("Plans %lld and %lld make the same writes.\n", a, b);
		return;
	}
	printf("Plan %lld -> plan %lld: %zu write%s differ%s\n", a, b,
	    json_array_size(d), words_s((int64_t)json_array_size(d)),
	    json_array_size(d) == 1 ? "s" : "");
	json_array_foreach(d, i, c)
	{
		printf("  %-8s %s ",
		    json_string_value(json_object_get(c, "change")),
		    json_string_value(json_object_get(c, "kind")));
		cmd_plan_put(json_string_value(json_object_get(c, "target")));
		putchar('\n');
		if (json_is_string(json_object_get(c, "diff")))
			cmd_plan_lines(
			    json_string_value(json_object_get(c, "diff")),
			    "    ");
	}
}

static int
cmd_plan_diff(struct cli *cli, struct store *s, long long a, long long b)
{
	struct plan pa, pb;
	struct err err;
	json_t *d;
	int rc = CLI_OK;

	err_init(&err);
	if (plan_get(s, a, &pa, &err) == -1)
		return cli_fail(&err);
	if (plan_get(s, b, &pb, &err) == -1) {
		plan_done(&pa);
		return cli_fail(&err);
	}
	if ((d = plan_diff(pa.effects, pb.effects, &err)) == NULL) {
		rc = cli_fail(&err);
	} else if (cli->json) {
		json_t *doc = json_pack("{s:I, s:s, s:I, s:s, s:O}", "from",
		    (json_int_t)a, "from_hash", pa.hash, "to", (json_int_t)b,
		    "to_hash", pb.hash, "changes", d);
		cmd_plan_dump(doc);
		json_decref(doc);
	} else {
		cmd_plan_diff_print(a, b, d);
	}
	/* like diff(1): 1 when the writes differ */
	if (rc == CLI_OK && json_array_size(d) > 0)
		rc = CLI_FAILED;
	json_decref(d);
	plan_done(&pa);
	plan_done(&pb);
	return rc;
}

static int
cmd_plan_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	long long a = 0, b = 0;
	struct store *s;
	struct err err;
	int c, rc = CLI_OK, diff;

	while ((c = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j')
			cli->json = 1;
	}
	if (optind >= argc)
		return cli_usage(cmd, "plan: say show PLAN or diff A B");
	diff = strcmp(argv[optind], "diff") == 0;
	if (!diff && strcmp(argv[optind], "show") != 0)
		return cli_usage(
		    cmd, "plan: unknown subcommand '%s'", argv[optind]);
	if (optind + 2 + diff != argc)
		return cli_usage(cmd,
		    diff ? "plan diff: name two plans"
		         : "plan show: name one plan");
	if (cmd_plan_id(argv[optind + 1], &a) == -1 ||
	    (diff && cmd_plan_id(argv[optind + 2], &b) == -1))
		return cli_usage(cmd, "plan: '%s' is not a plan id",
		    argv[optind + 1 + (a > 0)]);
	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	rc = diff ? cmd_plan_diff(cli, s, a, b) : cmd_plan_show(cli, s, a);
	store_close(s);
	return rc;
}

static int
cmd_plans_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "incident", required_argument, NULL, 'i' },
		{ "limit", required_argument, NULL, 'l' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	long long inc = 0, limit = 50;
	struct store *s;
	struct err err;
	json_t *list, *p;
	size_t i;
	int c, rc = CLI_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j')
			cli->json = 1;
		else if (c == 'i' && cli_incident_id(optarg, &inc) == -1)
			return cli_usage(cmd,
			    "--incident: '%s' is not an incident id", optarg);
		else if (c == 'l' && cli_count(optarg, &limit) == -1)
			return cli_usage(
			    cmd, "--limit: '%s' is not a count", optarg);
	}
	if (optind < argc)
		return cli_usage(
		    cmd, "plans: unexpected argument '%s'", argv[optind]);
	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	if (plan_list(s, inc, (int)limit, &list, &err) == -1) {
		store_close(s);
		return cli_fail(&err);
	}
	if (cli->json)
		cmd_plan_dump(list);
	else if (json_array_size(list) == 0)
		puts("no plans (owl run NAME --dry-run makes one)");
	json_array_foreach(cli->json ? NULL : list, i, p)
	{
		const json_t *inc_v = json_object_get(p, "incident");
		printf("%-6" PRId64 " %.12s  %-7s %-3" PRId64 " write%-2s ",
		    (int64_t)json_integer_value(json_object_get(p, "id")),
		    json_string_value(json_object_get(p, "hash")),
		    json_is_true(json_object_get(p, "dry_run")) ? "dry-run"
		                                                : "live",
		    (int64_t)json_integer_value(json_object_get(p, "writes")),
		    words_s(json_integer_value(json_object_get(p, "writes"))));
		cmd_plan_put(json_string_value(json_object_get(p, "runbook")));
		if (json_is_integer(inc_v))
			printf("  INC-%" PRId64,
			    (int64_t)json_integer_value(inc_v));
		putchar(' ');
		cmd_plan_put(
		    json_string_value(json_object_get(p, "created_at")));
		fputs(" by ", stdout);
		cmd_plan_put(json_string_value(json_object_get(p, "actor")));
		putchar('\n');
	}
	json_decref(list);
	store_close(s);
	return rc;
}

static int
cmd_approve_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	char actor[ACTOR_MAX];
	struct plan p = { 0 };
	struct store *s;
	struct err err;
	long long id;
	int c, rc = CLI_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1)
		if (c == -2)
			return rc;
	if (optind + 1 != argc || cmd_plan_id(argv[optind], &id) == -1)
		return cli_usage(
		    cmd, "approve: name one plan (see: owl plans)");
	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	actor_name(actor);
	if (plan_get(s, id, &p, &err) == 0 && !p.dry_run)
		err_set(&err, ERR_USAGE,
		    "plan %lld records live run %lld: approve the plan of a "
		    "dry-run",
		    id, (long long)p.run_id);
	if (err_isset(&err) || plan_approve(s, &p, actor, &err) == -1) {
		rc = cli_fail(&err);
	} else {
		printf("approved plan %lld (hash %s) as ", id, p.hash);
		cmd_plan_put(actor);
		printf("\nSomeone other than you may now run: owl apply %lld\n",
		    id);
	}
	plan_done(&p);
	store_close(s);
	return rc;
}

/* `owl approve`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_approve_entry = { "approve", "approve PLAN",
	"Approve a plan for another person to apply (two-person rule).",
	"A runbook that declares approval = \"two-person\" is applied\n"
	"(owl apply PLAN) only after owl approve PLAN by another person\n"
	"than the one applying it, from any terminal. The approval is\n"
	"bound to the plan's hash and logged (plan.approve). Approving\n"
	"your own dry-run's plan is refused (exit 3).\n",
	cmd_approve_run };

/* `owl plan`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_plan_entry = { "plan",
	"plan show PLAN [--json] | plan diff A B [--json]",
	"Show a stored plan in full, or what changed between two plans.",
	"Every dry-run (and every run) is stored as a plan: the runbook,\n"
	"its commit and blob, the resolved params, every effect in order\n"
	"with every write in full (HTTP method, URL, headers with secrets\n"
	"as ***, the JSON body pretty-printed, other bodies as text or\n"
	"size + SHA-256; exec argv, env names, stdin hash; file diffs;\n"
	"secret.put names; notifications), what each read saw, and the\n"
	"preconditions (the reads made before the first write). The hash\n"
	"covers every write in full (secrets by name, never by value).\n"
	"\n  plan show PLAN   the plan, its hash, params, preconditions\n"
	"  plan diff A B    writes added, removed and changed from plan A\n"
	"                   to plan B, with a diff of each changed write;\n"
	"                   exit 1 when they differ (like diff(1))\n"
	"\nOptions:\n"
	"  --json          one JSON document\n",
	cmd_plan_run };

/* `owl plans`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_plans_entry = { "plans",
	"plans [--incident INC] [--limit N] [--json]",
	"List stored plans, newest first.",
	"Each plan: id, hash, dry-run or live, writes, runbook, incident,\n"
	"when and by whom.\n"
	"\nOptions:\n"
	"  --incident INC  only the plans of runs for this incident\n"
	"  --limit N       at most N plans (default 50)\n"
	"  --json          one JSON document\n",
	cmd_plans_run };
