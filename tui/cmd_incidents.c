/* cmd_incidents.c: `owl incidents` lists incidents (open ones by default,
 * most severe and newest first), as aligned text or DESIGN.md's JSON,
 * streamed off an index. All alert text is sanitised before it reaches
 * the terminal. `owl show INC` is in cmd_show.c. */
#include "cmd_incidents.h"
#include "cmd_silence.h"
#include "text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/words.h"
#include "engine/actlog.h"
#include "engine/actlog_text.h"
#include "engine/change.h"
#include "engine/clock.h"
#include "engine/escalation.h"
#include "engine/incident.h"
#include "engine/jscan.h"
#include "engine/pages.h"
#include "engine/rb_runs.h"
#include "integrations/rbsuggest.h"
#include "engine/sanitize.h"

#define CMD_WHO_COLS 12 /* the ASSIGNEE column of `owl incidents` */

/* The state column: snoozed incidents say so. */
const char *
cmd_incidents_state(const struct incident *inc, int64_t now)
{
	return incident_is_snoozed(inc, now) ? "snoozed"
	                                     : incident_state_name(inc->state);
}

/* Streams the list: each row is printed as it is read, so the first
 * screen comes at once and memory stays flat however many there are. */
struct cmd_list {
	int json, w;
	size_t n;
	int64_t now;
	int failed;
};

static int
cmd_incidents_row(struct incident *inc, void *ctx)
{
	struct cmd_list *c = ctx;
	char id[32], age[16], whocol[4 * CMD_WHO_COLS + 1], *title, *who, *js;
	json_t *o;

	if (c->json) {
		if ((o = incident_to_json(inc)) == NULL ||
		    (js = json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII)) ==
		        NULL) {
			json_decref(o);
			c->failed = 1;
			return 1;
		}
		printf("%s%s", c->n ? ",\n" : "[\n", js);
		free(js);
		json_decref(o);
		c->n++;
		return 0;
	}
	if (c->n++ == 0)
		printf("%-*s  %-12s  %-8s  %4s  %6s  %-*s  %s\n", c->w, "ID",
		    "STATE", "SEVERITY", "AGE", "ALERTS", CMD_WHO_COLS,
		    "ASSIGNEE", "TITLE");
	snprintf(id, sizeof id, "INC-%" PRId64, inc->id);
	clock_format_age(c->now - inc->opened_at, age, sizeof age);
	title = sanitize_dup(inc->title, 0);
	who = sanitize_dup(inc->assignee != NULL ? inc->assignee : "-", 0);
	/* rows stream, so the column has a width of its own: a longer name
	 * is cut with an ellipsis (owl show and --json give it whole) */
	text_fit(whocol, sizeof whocol, who != NULL ? who : "?", CMD_WHO_COLS,
	    TEXT_PAD);
	printf("%-*s  %-12s  %-8s  %4s  %6" PRId64 "  %s  %s\n", c->w, id,
	    cmd_incidents_state(inc, c->now),
	    incident_severity_name(inc->severity), age, inc->alert_count,
	    whocol, title != NULL ? title : "?");
	free(title);
	free(who);
	return 0;
}

static int
cmd_incidents_list(
    struct store *s, const struct incident_page *p, int json, struct err *err)
{
	struct cmd_list c = { .json = json, .now = clock_now_us() };
	int rc;

	c.w = snprintf(NULL, 0, "INC-%" PRId64, incident_max_id(s));
	if (c.w < 3)
		c.w = 3;
	rc = incident_each(s, p, cmd_incidents_row, &c, err);
	if (rc == 0 && c.failed)
		rc = err_set(err, ERR_FAILED, "out of memory");
	if (json)
		printf("%s\n", c.n ? "\n]" : "[]");
	else if (c.n == 0 && rc == 0)
		printf(p->all || p->state >= 0 ? "no incidents\n"
		                               : "no open incidents\n");
	return rc;
}

int
cmd_incidents_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "state", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'n' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const char *const states[] = { "triggered", "acknowledged",
		"resolved" };
	struct incident_page q = { .order = INCIDENT_ORDER_SEVERITY,
		.state = -1 };
	struct store *s;
	struct err err;
	char *end;
	int c, rc = CLI_OK;

	while (
	    (c = cli_getopt(cli, cmd, argc, argv, "as:jn:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'a')
			q.all = 1;
		else if (c == 'j')
			cli->json = 1;
		else if (c == 'n' &&
		    ((q.limit = strtoll(optarg, &end, 10)) <= 0 ||
		        *end != '\0'))
			return cli_usage(cmd,
			    "--limit: '%s' is not a positive number", optarg);
		else if (c == 's' &&
		    (q.state = incident_state_parse(optarg)) < 0)
			return cli_bad_word(cmd, "--state: ", optarg,
			    " is not a state", states, 3, "states");
	}
	if (optind < argc)
		return cli_usage(
		    cmd, "incidents: unexpected argument '%s'", argv[optind]);
	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	if (q.state == INCIDENT_RESOLVED)
		q.all = 1;
	if (cmd_incidents_list(s, &q, cli->json, &err) == -1)
		rc = cli_fail(&err);
	store_close(s);
	return rc;
}

/* `owl incidents`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_incidents_entry = { "incidents",
	"incidents [--all] [--state S] [--limit N] [--json]",
	"List incidents, most severe and newest first.",
	"Shows open incidents (triggered or acknowledged): id, state\n"
	"(\"snoozed\" while snoozed), severity, age, alert count,\n"
	"assignee (cut at 12 columns; --json has it whole), title.\n"
	"\nOptions:\n"
	"  --all           include resolved incidents\n"
	"  --state S       only triggered, acknowledged or resolved ones\n"
	"  --limit N       the first N only (rows are streamed in order\n"
	"                  off an index: the first screen comes at once)\n"
	"  --json          one JSON array of {id, state, severity, title,\n"
	"                  source, group_key, alert_count, firing_count,\n"
	"                  truncated_alerts, opened_at, updated_at,\n"
	"                  resolved_at, last_alert_at, acked_by, assignee,\n"
	"                  snoozed_until, version}; times RFC 3339 UTC,\n"
	"                  absent values null\n",
	cmd_incidents_run };
