/* cmd_incidents.c: `owl incidents` lists incidents (open ones by default,
 * most severe and newest first) and `owl show INC` prints one with its
 * alerts and action log, as aligned text or DESIGN.md's JSON. All alert
 * text is sanitised before it reaches the terminal. */
#include "cmd_incidents.h"
#include "cmd_silence.h"
#include "text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/words.h"
#include "engine/actlog.h"
#include "engine/clock.h"
#include "engine/escalation.h"
#include "engine/incident.h"
#include "engine/pages.h"
#include "engine/sanitize.h"

#define CMD_DETAIL_MAX 160 /* log detail shown per line in `owl show` */
#define CMD_WHO_COLS 12 /* the ASSIGNEE column of `owl incidents` */

/* The state column: snoozed incidents say so. */
static const char *
cmd_state(const struct incident *inc, int64_t now)
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
	    cmd_state(inc, c->now), incident_severity_name(inc->severity), age,
	    inc->alert_count, whocol, title != NULL ? title : "?");
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
			return cli_usage(cmd,
			    "--state: '%s' is not triggered, "
			    "acknowledged or resolved",
			    optarg);
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

/* Prints "  label  value" with the value sanitised; NULL prints "-". */
static void
cmd_field(const char *label, const char *value)
{
	char *v = sanitize_dup(value != NULL ? value : "-", 0);

	printf("%-10s %s\n", label, v != NULL ? v : "?");
	free(v);
}

static void
cmd_time_field(const char *label, int64_t us, int64_t now)
{
	char t[CLOCK_RFC3339_MAX], age[16], line[128];

	if (us == 0) {
		cmd_field(label, NULL);
		return;
	}
	clock_format(us, 0, t);
	clock_format_age(now > us ? now - us : us - now, age, sizeof age);
	snprintf(line, sizeof line, "%s (%s %s)", t, age,
	    now >= us ? "ago" : "from now");
	cmd_field(label, line);
}

static void
cmd_show_head(const struct incident *inc)
{
	int64_t now = clock_now_us();
	char line[128], *title = sanitize_dup(inc->title, 0);

	printf("INC-%" PRId64 "  %s\n\n", inc->id, title ? title : "?");
	free(title);
	cmd_field("state", cmd_state(inc, now));
	cmd_field("severity", incident_severity_name(inc->severity));
	cmd_field("source", inc->source);
	cmd_field("group", inc->group_key);
	cmd_time_field("started", inc->started_at, now);
	cmd_time_field("opened", inc->opened_at, now);
	if (inc->state == INCIDENT_RESOLVED && inc->ended_at != 0) {
		cmd_time_field("ended", inc->ended_at, now);
		if (inc->started_at != 0 && inc->ended_at >= inc->started_at) {
			clock_format_age(
			    inc->ended_at - inc->started_at, line, sizeof line);
			cmd_field("lasted", line);
		}
	}
	cmd_time_field("resolved", inc->resolved_at, now);
	cmd_time_field("updated", inc->updated_at, now);
	cmd_time_field("last alert", inc->last_alert_at, now);
	snprintf(line, sizeof line, "%" PRId64 " (%" PRId64 " firing)",
	    inc->alert_count, inc->firing_count);
	cmd_field("alerts", line);
	if (inc->truncated_alerts > 0) {
		snprintf(line, sizeof line,
		    "%" PRId64 " more alert%s not shown "
		    "by the sender",
		    inc->truncated_alerts, words_s(inc->truncated_alerts));
		cmd_field("truncated", line);
	}
	cmd_field("acked by", inc->acked_by);
	cmd_field("assignee", inc->assignee);
	if (incident_is_snoozed(inc, now))
		cmd_time_field("snoozed", inc->snoozed_until, now);
}

/* Prints "    name: value" for each entry of a stored JSON object, values
 * sanitised with their newlines kept and indented. */
static void
cmd_show_map(const char *text, int inline_pairs)
{
	json_t *o = json_loads(text != NULL ? text : "{}", 0, NULL), *v;
	const char *k;
	char *sk, *sv;

	json_object_foreach(o, k, v)
	{
		sk = sanitize_dup(k, 0);
		sv = sanitize_dup(
		    json_string_value(v), inline_pairs ? 0 : SANITIZE_NEWLINES);
		if (inline_pairs) {
			printf(" %s=%s", sk ? sk : "?", sv ? sv : "?");
		} else {
			printf("    %s: ", sk ? sk : "?");
			for (const char *p = sv ? sv : "?"; *p != '\0'; p++) {
				putchar(*p);
				if (*p == '\n')
					fputs("      ", stdout);
			}
			putchar('\n');
		}
		free(sk);
		free(sv);
	}
	json_decref(o);
}

/* "  started 2026-...Z (received 2026-...Z)" for one of an alert's
 * times: the sender's, with owl's beside it when they differ. */
static void
cmd_show_alert_time(const char *what, int64_t at, int given, int64_t rx)
{
	char t[CLOCK_RFC3339_MAX], r[CLOCK_RFC3339_MAX];

	if (at == 0)
		return;
	clock_format(at, 0, t);
	if (!given) {
		printf(
		    "    %s %s (received; the sender gave no time)\n", what, t);
		return;
	}
	if (rx != 0)
		clock_format(rx, 0, r);
	if (rx == 0 || strcmp(r, t) == 0) {
		printf("    %s %s\n", what, t);
		return;
	}
	printf("    %s %s (received %s)\n", what, t, r);
}

static void
cmd_show_alerts(const struct incident_alert *a, size_t n)
{
	char seen[16], *fp, *url, *raw;
	int64_t now = clock_now_us();

	printf("\nAlerts:\n");
	for (size_t i = 0; i < n; i++) {
		fp = sanitize_dup(a[i].fingerprint, 0);
		raw = a[i].severity_raw ? sanitize_dup(a[i].severity_raw, 0)
		                        : NULL;
		clock_format_age(now - a[i].last_seen, seen, sizeof seen);
		printf("  %-8s %s  %s%s%s%s  seen %" PRId64 "x, last %s ago\n",
		    a[i].resolved ? "resolved" : "firing", fp ? fp : "?",
		    a[i].severity ? a[i].severity : "?", raw ? " (\"" : "",
		    raw ? raw : "", raw ? "\")" : "", a[i].count, seen);
		free(raw);
		cmd_show_alert_time("started", a[i].starts_at,
		    a[i].starts_given, a[i].received_starts);
		if (a[i].resolved)
			cmd_show_alert_time("ended", a[i].ends_at,
			    a[i].ends_given, a[i].received_ends);
		printf("    labels:");
		cmd_show_map(a[i].labels_json, 1);
		putchar('\n');
		cmd_show_map(a[i].annotations_json, 0);
		if (a[i].generator_url != NULL) {
			url = sanitize_dup(a[i].generator_url, 0);
			printf("    source: %s\n", url ? url : "?");
			free(url);
		}
		free(fp);
	}
}

static int
cmd_show_log_line(const struct actlog_entry *e, void *ctx)
{
	char t[CLOCK_RFC3339_MAX], *actor, *kind, *detail;
	size_t n;

	(void)ctx;
	clock_format(e->at_us, 0, t);
	actor = sanitize_dup(e->actor, 0);
	kind = sanitize_dup(e->kind, 0);
	detail = sanitize_dup(e->detail, 0);
	if (detail != NULL && (n = strlen(detail)) > CMD_DETAIL_MAX) {
		n = CMD_DETAIL_MAX - 3;
		while (n > 0 && (detail[n] & 0xc0) == 0x80)
			n--; /* cut between characters */
		strcpy(detail + n, "...");
	}
	printf("  %s  %-10s %-17s %s\n", t, actor ? actor : "?",
	    kind ? kind : "?", detail ? detail : "?");
	free(actor);
	free(kind);
	free(detail);
	return 0;
}

static int
cmd_show_text(struct store *s, const struct incident *inc, struct err *err)
{
	struct actlog_filter f = { .incident = inc->id };
	struct incident_alert *alerts;
	size_t n;

	if (incident_alerts(s, inc->id, &alerts, &n, err) == -1)
		return -1;
	cmd_show_head(inc);
	cmd_silence_show(s, inc->id);
	cmd_show_alerts(alerts, n);
	incident_alerts_free(alerts, n);
	printf("\nLog:\n");
	return actlog_each(s, &f, cmd_show_log_line, NULL, err);
}

static int
cmd_show_json(struct store *s, const struct incident *inc, struct err *err)
{
	struct incident_alert *alerts = NULL;
	json_t *o = NULL, *arr = NULL, *log = NULL, *a;
	size_t n = 0;
	int rc = -1;

	if (incident_alerts(s, inc->id, &alerts, &n, err) == -1 ||
	    incident_log_json(s, inc->id, &log, err) == -1)
		goto out;
	if ((o = incident_to_json(inc)) == NULL || (arr = json_array()) == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++)
		if ((a = incident_alert_to_json(&alerts[i])) == NULL ||
		    json_array_append_new(arr, a) == -1)
			goto oom;
	json_object_set(o, "alerts", arr);
	json_object_set(o, "log", log);
	json_object_set_new(o, "silences", cmd_silence_json(s, inc->id));
	if (pages_json(s, inc->id, 0, &a, err) == -1)
		goto out;
	json_object_set_new(o, "pages", a);
	if (escalation_json(s, inc->id, &a, err) == -1)
		goto out;
	json_object_set_new(o, "escalation", a);
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	putchar('\n');
	rc = 0;
	goto out;
oom:
	err_set(err, ERR_FAILED, "out of memory");
out:
	incident_alerts_free(alerts, n);
	json_decref(o);
	json_decref(arr);
	json_decref(log);
	return rc;
}

int
cmd_incidents_show(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct incident inc;
	struct store *s;
	struct err err;
	long long id;
	int c, rc = CLI_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "j", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j')
			cli->json = 1;
	}
	if (optind >= argc)
		return cli_usage(cmd, "show: which incident?");
	if (optind + 1 < argc)
		return cli_usage(
		    cmd, "show: unexpected argument '%s'", argv[optind + 1]);
	if (cli_incident_id(argv[optind], &id) == -1)
		return cli_usage(cmd,
		    "'%s' is not an incident id (42 or "
		    "INC-42)",
		    argv[optind]);
	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL)
		return cli_fail(&err);
	if (incident_get(s, id, &inc, &err) == 0) {
		if ((cli->json ? cmd_show_json(s, &inc, &err)
		               : cmd_show_text(s, &inc, &err)) == -1)
			rc = cli_fail(&err);
		incident_done(&inc);
	} else {
		rc = cli_fail(&err);
	}
	store_close(s);
	return rc;
}
