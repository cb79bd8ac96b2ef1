/* cmd_handoff.c: `owl handoff [--since DUR] [--format md|json]`: the
 * shift report for the next person on call (engine/handoff.c), as
 * Markdown (every untrusted string made terminal-safe and escaped) or
 * one JSON document. */
#include "cmd_oncall.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/buf.h"
#include "engine/clock.h"
#include "engine/config.h"
#include "engine/handoff.h"
#include "engine/sanitize.h"

/* A table cell: sanitised, one line, Markdown specials escaped. */
static void
handoff_cell(FILE *f, const char *s)
{
	char *safe = sanitize_dup(s != NULL ? s : "", 0);

	for (const char *p = safe ? safe : ""; *p; p++) {
		if (*p == '<')
			fputs("&lt;", f);
		else if (*p == '>')
			fputs("&gt;", f);
		else if (*p == '&')
			fputs("&amp;", f);
		else if (strchr("|\\*_`[]#", *p) != NULL)
			fprintf(f, "\\%c", *p);
		else
			fputc(*p, f);
	}
	free(safe);
}

static const char *
handoff_str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v != NULL ? v : "";
}

/* "2026-12-06T23:46:28Z" as "12-06 23:46Z": the day and minute. */
static void
handoff_when(FILE *f, const char *at)
{
	if (strlen(at) >= 16)
		fprintf(f, "%.5s %.5sZ", at + 5, at + 11);
	else
		fputs(at[0] ? at : "-", f);
}

static void
handoff_md_events(
    FILE *f, const json_t *doc, const char *key, const char *title)
{
	const json_t *arr = json_object_get(doc, key), *e;
	size_t i;

	fprintf(f, "\n## %s (%zu)\n\n", title, json_array_size(arr));
	if (json_array_size(arr) == 0) {
		fputs("None.\n", f);
		return;
	}
	fputs("| When (UTC) | Incident | Severity | By | Title |\n"
	      "|---|---|---|---|---|\n",
	    f);
	json_array_foreach(arr, i, e)
	{
		fputs("| ", f);
		handoff_when(f, handoff_str(e, "at"));
		fprintf(f, " | INC-%lld | %s | ",
		    (long long)json_integer_value(
		        json_object_get(e, "incident")),
		    handoff_str(e, "severity"));
		handoff_cell(f, handoff_str(e, "by"));
		if (json_is_true(json_object_get(e, "auto")))
			fputs(" (all alerts resolved)", f);
		fputs(" | ", f);
		handoff_cell(f, handoff_str(e, "title"));
		fputs(" |\n", f);
	}
}

static void
handoff_md_open(FILE *f, const json_t *doc)
{
	const json_t *arr = json_object_get(doc, "open"), *e;
	char age[16];
	size_t i;

	fprintf(f, "\n## Still open (%zu)\n\n", json_array_size(arr));
	if (json_array_size(arr) == 0) {
		fputs("None: a quiet hand-off.\n", f);
		return;
	}
	fputs("| Incident | Severity | State | Age | Acked by | Title |\n"
	      "|---|---|---|---|---|---|\n",
	    f);
	json_array_foreach(arr, i, e)
	{
		clock_format_age(
		    json_integer_value(json_object_get(e, "age_s")) *
		        CLOCK_US_PER_SEC,
		    age, sizeof age);
		fprintf(f, "| INC-%lld | %s | %s | %s | ",
		    (long long)json_integer_value(json_object_get(e, "id")),
		    handoff_str(e, "severity"), handoff_str(e, "state"), age);
		handoff_cell(f, handoff_str(e, "acked_by"));
		fputs(" | ", f);
		handoff_cell(f, handoff_str(e, "title"));
		fputs(" |\n", f);
	}
}

static void
handoff_md_pages(FILE *f, const json_t *doc)
{
	const json_t *arr = json_object_get(doc, "pages"), *e;
	size_t i;

	fprintf(f, "\n## Pages (%zu)\n\n", json_array_size(arr));
	if (json_array_size(arr) == 0) {
		fputs("Nobody was paged.\n", f);
		return;
	}
	fputs("| When (UTC) | To | Channel | Result | Incident | Text |\n"
	      "|---|---|---|---|---|---|\n",
	    f);
	json_array_foreach(arr, i, e)
	{
		const json_t *inc = json_object_get(e, "incident");

		fputs("| ", f);
		handoff_when(f, handoff_str(e, "created_at"));
		fputs(" | ", f);
		handoff_cell(f, handoff_str(e, "to"));
		fprintf(f, "%s | %s | %s%s",
		    strcmp(handoff_str(e, "kind"), "resolve") == 0
		        ? " (resolve)"
		        : "",
		    handoff_str(e, "channel")[0] ? handoff_str(e, "channel")
		                                 : "-",
		    handoff_str(e, "state"),
		    json_is_string(json_object_get(e, "error")) &&
		            strcmp(handoff_str(e, "state"), "sent")
		        ? ": "
		        : "");
		if (strcmp(handoff_str(e, "state"), "sent"))
			handoff_cell(f, handoff_str(e, "error"));
		if (json_is_integer(inc))
			fprintf(f, " | INC-%lld | ",
			    (long long)json_integer_value(inc));
		else
			fputs(" | - | ", f);
		handoff_cell(f, handoff_str(e, "text"));
		fputs(" |\n", f);
	}
}

static void
handoff_md_runs(FILE *f, const json_t *doc)
{
	const json_t *arr = json_object_get(doc, "runs"), *e, *inc;
	size_t i;

	fprintf(f, "\n## Runbooks run (%zu)\n\n", json_array_size(arr));
	if (json_array_size(arr) == 0) {
		fputs("None.\n", f);
		return;
	}
	fputs("| When (UTC) | Runbook | Incident | By | Outcome |\n"
	      "|---|---|---|---|---|\n",
	    f);
	json_array_foreach(arr, i, e)
	{
		inc = json_object_get(e, "incident");
		fputs("| ", f);
		handoff_when(f, handoff_str(e, "started_at"));
		fputs(" | ", f);
		handoff_cell(f, handoff_str(e, "runbook"));
		if (json_is_integer(inc))
			fprintf(f, " | INC-%lld | ",
			    (long long)json_integer_value(inc));
		else
			fputs(" | - | ", f);
		handoff_cell(f, handoff_str(e, "actor"));
		fprintf(f, " | %s%s%s", handoff_str(e, "status"),
		    json_is_true(json_object_get(e, "dry_run")) ? " (dry-run)"
		                                                : "",
		    json_is_string(json_object_get(e, "error")) ? ": " : "");
		handoff_cell(f, handoff_str(e, "error"));
		fputs(" |\n", f);
	}
}

static void
handoff_md(FILE *f, const json_t *doc, const char *since_text)
{
	const json_t *oc = json_object_get(doc, "oncall"), *e, *notes;
	size_t i;

	fprintf(f, "# Hand-off: the last %s\n\n%s to %s (UTC)\n", since_text,
	    handoff_str(doc, "since"), handoff_str(doc, "until"));
	if (json_array_size(oc) > 0) {
		fputs(
		    "\n## On call\n\n| Rotation | Now | Until (UTC) | Next |\n"
		    "|---|---|---|---|\n",
		    f);
		json_array_foreach(oc, i, e) fprintf(f,
		    "| %s | %s%s | %s | %s |\n", handoff_str(e, "rotation"),
		    handoff_str(e, "person")[0] ? handoff_str(e, "person")
		                                : "nobody",
		    json_is_true(json_object_get(e, "override")) ? " (override)"
		                                                 : "",
		    handoff_str(e, "until"), handoff_str(e, "next"));
	}
	handoff_md_open(f, doc);
	handoff_md_events(f, doc, "opened", "Opened");
	handoff_md_events(f, doc, "reopened", "Reopened (flapping)");
	handoff_md_events(f, doc, "acknowledged", "Acknowledged");
	handoff_md_events(f, doc, "resolved", "Resolved");
	handoff_md_pages(f, doc);
	handoff_md_runs(f, doc);
	notes = json_object_get(doc, "notes");
	fprintf(f, "\n## Notes (%zu)\n\n", json_array_size(notes));
	if (json_array_size(notes) == 0)
		fputs("None.\n", f);
	json_array_foreach(notes, i, e)
	{
		fputs("- ", f);
		handoff_when(f, handoff_str(e, "at"));
		fprintf(f, " INC-%lld ",
		    (long long)json_integer_value(
		        json_object_get(e, "incident")));
		handoff_cell(f, handoff_str(e, "by"));
		if (handoff_str(e, "with")[0] != '\0') /* owl ack --note */
			fprintf(f, " (%s)", handoff_str(e, "with"));
		fputs(": ", f);
		handoff_cell(f, handoff_str(e, "text"));
		fputc('\n', f);
	}
}

static int
handoff_run(struct cli *cli, const char *since_text, int64_t since_us, int json)
{
	struct config *c = NULL;
	struct store *s = NULL;
	int64_t now = clock_now_us();
	json_t *doc = NULL;
	struct oncall oc;
	struct err err;
	int rc = CLI_OK;

	err_init(&err);
	memset(&oc, 0, sizeof oc);
	if ((c = config_load(cli->config, &err)) == NULL ||
	    oncall_load(c, &oc, &err) == -1 ||
	    (s = cli_store_existing(cli, &err)) == NULL ||
	    handoff_build(s, &oc, now - since_us, now, &doc, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
	} else {
		handoff_md(stdout, doc, since_text);
	}
out:
	json_decref(doc);
	store_close(s);
	oncall_done(&oc);
	config_free(c);
	return rc;
}

static int
cmd_handoff_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "md", "json" };
	const char *since = "12h";
	int64_t since_us;
	int rc = CLI_OK, c, json = 0;
	struct err err;

	while ((c = cli_getopt(cli, cmd, argc, argv, "f:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 's')
			since = optarg;
		else if (c == 'j')
			json = 1;
		else if (c == 'f' && strcmp(optarg, "json") == 0)
			json = 1;
		else if (c == 'f' && strcmp(optarg, "md") != 0)
			return cli_bad_word(cmd, "--format: ", optarg,
			    " is not a format", formats, 2, "formats");
	}
	if (optind < argc)
		return cli_usage(
		    cmd, "handoff: unexpected argument '%s'", argv[optind]);
	err_init(&err);
	if (clock_parse_duration(since, &since_us, &err) == -1)
		return cli_usage(cmd, "--since: %s", err.msg);
	return handoff_run(cli, since, since_us, json);
}

/* `owl handoff`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_handoff_entry = { "handoff",
	"handoff [--since DUR] [--format md|json]",
	"The shift report for the next person on call.",
	"Over the last DUR (default 12h): who is on call now and next,\n"
	"the incidents still open (with their age), those opened,\n"
	"reopened, acknowledged and resolved, the pages sent and to whom\n"
	"(and through what, and those that failed), the runbooks run\n"
	"and their outcomes, and the notes (owl note's, and those given\n"
	"with ack, resolve, snooze or assign --note). From the action\n"
	"log and the database; untrusted text is made safe and escaped.\n"
	"\nOptions:\n"
	"  --since DUR     how far back (8h, 12h, 1d)\n"
	"  -f, --format F  md (Markdown, the default) or json (one\n"
	"                  document: since, until, oncall, open, opened,\n"
	"                  reopened, acknowledged, resolved, pages, runs,\n"
	"                  notes)\n"
	"  --json          the same as --format json\n",
	cmd_handoff_run };
