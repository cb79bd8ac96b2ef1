/* cmd_show.c: `owl show INC` prints one incident with its alerts, runs,
 * silences, pages and action log, as aligned text or DESIGN.md's JSON
 * (streamed). All alert text is sanitised before it reaches the
 * terminal. */
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
#include "engine/common_labels.h"
#include "engine/escalation.h"
#include "engine/incident.h"
#include "engine/jscan.h"
#include "engine/pages.h"
#include "engine/rb_runs.h"
#include "integrations/rbsuggest.h"
#include "engine/sanitize.h"

#define CMD_SHOW_LIMIT 100 /* alerts and log lines `owl show` prints */
/* The older log entries `owl show` counts at most: counting is a walk of
 * the incident's index (~14 ms at 100,000 entries), past this it says
 * "over 10000". */
#define CMD_SHOW_COUNT_MAX 10000
#define CMD_SHOW_PAIRS 64 /* an alert's labels read with no tree */

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
	cmd_field("state", cmd_incidents_state(inc, now));
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

/* Prints one entry of cmd_show_map. */
static void
cmd_show_pair(const char *k, const char *v, int inline_pairs)
{
	char *sk = sanitize_dup(k, 0),
	     *sv = sanitize_dup(v, inline_pairs ? 0 : SANITIZE_NEWLINES);

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

/* Prints "    name: value" for each entry of a stored JSON object, values
 * sanitised with their newlines kept and indented; as owl stores labels
 * and annotations (flat, no escapes) it is read with no tree. */
static void
cmd_show_map(const char *text, int inline_pairs)
{
	const char *k[CMD_SHOW_PAIRS], *val[CMD_SHOW_PAIRS], *key;
	char buf[4096];
	json_t *o, *v;
	int n;

	if (text != NULL &&
	    (n = jscan_pairs(text, strlen(text), buf, sizeof buf, k, val,
	         CMD_SHOW_PAIRS)) >= 0) {
		for (int i = 0; i < n; i++)
			cmd_show_pair(k[i], val[i], inline_pairs);
		return;
	}
	o = json_loads(text != NULL ? text : "{}", 0, NULL);
	json_object_foreach(o, key, v)
	    cmd_show_pair(key, json_string_value(v), inline_pairs);
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

/* Prints one alert (incident_alert_fn). */
static int
cmd_show_alert(struct incident_alert *one, void *ctx)
{
	const struct incident_alert *a = one;
	char seen[16], *fp, *url, *raw;
	int64_t now = clock_now_us();

	(void)ctx;
	{
		fp = sanitize_dup(a->fingerprint, 0);
		raw = a->severity_raw ? sanitize_dup(a->severity_raw, 0) : NULL;
		clock_format_age(now - a->last_seen, seen, sizeof seen);
		printf("  %-8s %s  %s%s%s%s  seen %" PRId64 "x, last %s ago\n",
		    a->resolved ? "resolved" : "firing", fp ? fp : "?",
		    a->severity ? a->severity : "?", raw ? " (\"" : "",
		    raw ? raw : "", raw ? "\")" : "", a->count, seen);
		free(raw);
		cmd_show_alert_time("started", a->starts_at, a->starts_given,
		    a->received_starts);
		if (a->resolved)
			cmd_show_alert_time("ended", a->ends_at, a->ends_given,
			    a->received_ends);
		printf("    labels:");
		cmd_show_map(a->labels_json, 1);
		putchar('\n');
		cmd_show_map(a->annotations_json, 0);
		if (a->generator_url != NULL) {
			url = sanitize_dup(a->generator_url, 0);
			printf("    source: %s\n", url ? url : "?");
			free(url);
		}
		free(fp);
	}
	return 0;
}

/* Prints text indented: its line breaks continue under the first line. */
static void
cmd_show_indented(const char *text, int indent)
{
	for (const char *p = text; *p != '\0'; p++) {
		putchar(*p);
		if (*p == '\n')
			printf("%*s", indent, "");
	}
	putchar('\n');
}

/* Pass one of the log: what later entries' sentences need. */
static int
cmd_show_log_learn(const struct actlog_entry *e, void *ctx)
{
	return actlog_text_learn(ctx, e, NULL) == -1;
}

/* Pass two: "  TIME  ACTOR  SENTENCE" (actlog_text.h), sanitised. */
static int
cmd_show_log_line(const struct actlog_entry *e, void *ctx)
{
	char t[CLOCK_RFC3339_MAX], *actor, *line, *text;
	int w;

	clock_format(e->at_us, 0, t);
	if ((line = actlog_text_dup(ctx, e)) == NULL)
		return 1;
	actor = sanitize_dup(e->actor, 0);
	text = sanitize_dup(line, SANITIZE_NEWLINES);
	w = printf("  %s  %-10s ", t, actor ? actor : "?");
	cmd_show_indented(text ? text : "?", w > 0 ? w : 0);
	free(actor);
	free(text);
	free(line);
	return 0;
}

/* The error of a run without its status repeated ("interrupted: its
 * owl process died ..." of an interrupted run), sanitised; NULL when
 * none. */
static char *
cmd_run_error(const struct rb_runs_row *r, const char *st)
{
	size_t sl = strlen(st);

	if (r->error == NULL)
		return NULL;
	if (strncmp(r->error, st, sl) == 0 &&
	    strncmp(r->error + sl, ": ", 2) == 0)
		return sanitize_dup(r->error + sl + 2, 0);
	return sanitize_dup(r->error, 0);
}

/* One run bound to the incident: id, start, runbook and its version,
 * actor, outcome. */
static int
cmd_show_run(const struct rb_runs_row *r, void *ctx)
{
	const char *st = r->status ? r->status : "?";
	char t[CLOCK_RFC3339_MAX], *rb, *actor, *error, *ref;
	int *n = ctx;

	if ((*n)++ == 0)
		printf("\nRuns:\n");
	clock_format(r->started_at, 0, t);
	rb = sanitize_dup(r->runbook, 0);
	actor = sanitize_dup(r->actor, 0);
	ref = r->ref != NULL ? sanitize_dup(r->ref, 0) : NULL;
	error = cmd_run_error(r, st);
	printf("  run %-4" PRId64 " %s  %s", r->id, t, rb ? rb : "?");
	if (r->commit != NULL)
		printf(" (%s%s%.12s%s%s%.12s)", ref ? ref : "",
		    ref ? " at " : "", r->commit, r->dirty ? ", dirty" : "",
		    r->blob ? ", blob " : "", r->blob ? r->blob : "");
	else if (r->blob != NULL)
		printf(" (unversioned, blob %.12s)", r->blob);
	printf(" by %s: %s%s", actor ? actor : "?",
	    r->dry_run ? "dry-run " : "", st);
	if (r->dry_run && r->plan_id > 0)
		printf(" (plan %" PRId64 ")", r->plan_id);
	if (error != NULL)
		printf(": %s", error);
	putchar('\n');
	free(rb);
	free(actor);
	free(ref);
	free(error);
	return 0;
}

/* The runbooks suggested for the incident (integrations/rbsuggest.h),
 * or why there are none; never fails `owl show`. */
static json_t *
cmd_show_suggest(const struct cli *cli, struct store *s, int64_t id,
    const char **why, char *errbuf, size_t n)
{
	struct config *c;
	struct err err;
	json_t *out;

	err_init(&err);
	*why = NULL;
	if ((c = config_load(cli->config, &err)) == NULL ||
	    (out = rbsuggest_configured(s, c, id, why, &err)) == NULL) {
		snprintf(errbuf, n, "cannot read the runbooks: %s", err.msg);
		*why = errbuf;
		out = json_array();
	}
	config_free(c);
	return out;
}

static void
cmd_show_suggest_text(const json_t *sug, const char *why)
{
	size_t i;
	json_t *e;

	printf("\nSuggested runbooks:\n");
	if (why != NULL) {
		char *w = sanitize_dup(why, 0);

		printf("  none: %s\n", w ? w : "?");
		free(w);
		return;
	}
	if (json_array_size(sug) == 0)
		printf("  none: no runbook's match fits these alerts\n");
	json_array_foreach(sug, i, e)
	{
		const char *commit =
		    json_string_value(json_object_get(e, "commit"));
		char *name = sanitize_dup(
		    json_string_value(json_object_get(e, "name")), 0);
		char *sum = sanitize_dup(
		    json_string_value(json_object_get(e, "summary")), 0);
		char *m = json_dumps(json_object_get(e, "match"),
		    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		char *ms = sanitize_dup(m, 0);

		json_int_t firing =
		    json_integer_value(json_object_get(e, "alerts"));
		char of[64] = "";

		/* counted over the first alerts only: said so */
		if (json_is_true(json_object_get(e, "sampled")))
			snprintf(of, sizeof of,
			    " of the first %" JSON_INTEGER_FORMAT,
			    json_integer_value(json_object_get(e, "of")));
		printf("  %-20s %s\n", name ? name : "?", sum ? sum : "-");
		printf("  %-20s match %s, %" JSON_INTEGER_FORMAT
		       " firing alert%s%s; %s%.12s\n",
		    "", ms ? ms : "?", firing, firing == 1 ? "" : "s", of,
		    commit ? "commit " : "unversioned", commit ? commit : "");
		free(name);
		free(sum);
		free(m);
		free(ms);
	}
	printf("  run one: owl run NAME --incident ID (--dry-run first)\n");
}

/* "Changes:" with what changed just before and while it was open. */
static int
cmd_show_changes(struct store *s, const struct incident *inc, struct err *err)
{
	struct change_row *rows;
	char t[CLOCK_RFC3339_MAX], *sum, *src;
	size_t n;

	if (change_context(s, inc, &rows, &n, err) == -1)
		return -1;
	if (n > 0)
		printf("\nChanges (from 1h before it started):\n");
	for (size_t i = 0; i < n; i++) {
		clock_format(rows[i].at, 0, t);
		sum = sanitize_dup(rows[i].summary, 0);
		src = rows[i].source ? sanitize_dup(rows[i].source, 0) : NULL;
		printf("  %s  %s%s%s%s\n", t, sum ? sum : "?",
		    src ? " (from " : "", src ? src : "", src ? ")" : "");
		free(sum);
		free(src);
	}
	change_list_free(rows, n);
	return 0;
}

static json_t *
cmd_show_changes_json(struct store *s, const struct incident *inc)
{
	struct change_row *rows;
	json_t *arr = json_array();
	struct err err;
	size_t n;

	err_init(&err);
	if (arr == NULL || change_context(s, inc, &rows, &n, &err) == -1)
		return arr;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, change_row_to_json(&rows[i]));
	change_list_free(rows, n);
	return arr;
}

/* The number of action-log entries of an incident (its index), counted
 * up to max. */
static int64_t
cmd_show_log_count(struct store *s, int64_t id, int64_t max)
{
	struct store_stmt *st = store_stmt(s,
	    "SELECT count(*) FROM (SELECT 1 FROM actlog "
	    "WHERE incident_id = ? LIMIT ?) AS upto",
	    NULL);
	int64_t n = 0;

	if (st == NULL)
		return 0;
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, max);
	if (store_step(st) == STORE_ROW)
		n = store_col_int64(st, 0);
	store_reset(st);
	return n;
}

/* The text form: the first `limit` alerts and the newest `limit` log
 * entries (0: all), each printed as it is read; what was left out is
 * said, with the way to see it. */
static int
cmd_show_text(struct store *s, const struct incident *inc, int64_t limit,
    const json_t *sug, const char *why, struct err *err)
{
	struct actlog_filter f = { .incident = inc->id, .limit = limit };
	struct actlog_text *at;
	int runs = 0, rc = -1;
	json_t *common = NULL;
	int64_t nlog;

	cmd_show_head(inc);
	cmd_silence_show(s, inc->id);
	printf("\nAlerts:\n");
	if (incident_alerts_each(
	        s, inc->id, limit, cmd_show_alert, NULL, err) == -1)
		return -1;
	if (limit > 0 && inc->alert_count > limit)
		printf("  ... %" PRId64 " more alert%s (owl show INC-%" PRId64
		       " --all)\n",
		    inc->alert_count - limit, words_s(inc->alert_count - limit),
		    inc->id);
	cmd_show_suggest_text(sug, why);
	if (cmd_show_changes(s, inc, err) == -1)
		return -1;
	if (rb_runs_of_incident(s, inc->id, cmd_show_run, &runs, err) == -1)
		return -1;
	printf("\nLog:\n");
	if (limit > 0 &&
	    (nlog = cmd_show_log_count(
	         s, inc->id, limit + CMD_SHOW_COUNT_MAX + 1)) > limit) {
		if (nlog > limit + CMD_SHOW_COUNT_MAX)
			printf(
			    "  ... over %d older entries", CMD_SHOW_COUNT_MAX);
		else
			printf("  ... %" PRId64 " older entr%s", nlog - limit,
			    nlog - limit == 1 ? "y" : "ies");
		printf(" (owl show INC-%" PRId64 " --all)\n", inc->id);
	}
	if ((at = actlog_text_new()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	/* alerts told by the labels that tell them apart, as the timeline
	 * tells them (of every alert with --all); two passes: a run's
	 * steps are told "2/5" */
	if (common_labels_incident(s, inc,
	        limit > 0 ? COMMON_LABELS_ALERTS_MAX : 0, &common, err) == 0 &&
	    (actlog_text_common(at, common) == 0 ||
	        err_set(err, ERR_FAILED, "out of memory") == 0) &&
	    actlog_each(s, &f, cmd_show_log_learn, at, err) == 0 &&
	    actlog_each(s, &f, cmd_show_log_line, at, err) == 0)
		rc = 0;
	json_decref(common);
	actlog_text_free(at);
	return rc;
}

/* Prints one JSON value of an array streamed a line each. */
static int
cmd_show_jitem(json_t *o, size_t *n)
{
	char *t = o != NULL ? json_dumps(o, JSON_ENSURE_ASCII) : NULL;

	json_decref(o);
	if (t == NULL)
		return 1;
	printf("%s\n    %s", (*n)++ ? "," : "", t);
	free(t);
	return 0;
}

static int
cmd_show_jalert(struct incident_alert *a, void *ctx)
{
	return cmd_show_jitem(incident_alert_to_json(a), ctx);
}

static int
cmd_show_jlog(const struct actlog_entry *e, void *ctx)
{
	return cmd_show_jitem(incident_log_entry_to_json(e), ctx);
}

/* DESIGN.md's shape, streamed: the incident's fields, then "alerts" and
 * "log" an element at a time (memory does not grow with the incident),
 * then "silences". limit: as cmd_show_text, 0 for all. */
static int
cmd_show_json(struct store *s, const struct incident *inc, int64_t limit,
    json_t *sug, const char *why, struct err *err)
{
	struct actlog_filter f = { .incident = inc->id, .limit = limit };
	json_t *o = incident_to_json(inc), *rest = NULL, *a;
	char *head = NULL, *tail = NULL;
	size_t n = 0, len;
	int rc = -1;

	if (o == NULL ||
	    (head = json_dumps(o, JSON_INDENT(2) | JSON_ENSURE_ASCII)) ==
	        NULL ||
	    (len = strlen(head)) < 2)
		goto oom;
	head[len - 2] = '\0'; /* the closing "\n}" */
	printf("%s,\n  \"alerts\": [", head);
	if (incident_alerts_each(s, inc->id, limit, cmd_show_jalert, &n, err) ==
	    -1)
		goto out;
	printf("%s],\n  \"log\": [", n ? "\n  " : "");
	n = 0;
	if (actlog_each(s, &f, cmd_show_jlog, &n, err) == -1)
		goto out;
	/* the small parts: silences, pages, escalation */
	if ((rest = json_object()) == NULL)
		goto oom;
	json_object_set_new(rest, "silences", cmd_silence_json(s, inc->id));
	json_object_set_new(rest, "changes", cmd_show_changes_json(s, inc));
	json_object_set(rest, "suggested_runbooks", sug);
	json_object_set_new(rest, "suggested_runbooks_note",
	    why ? json_string(why) : json_null());
	if (pages_json(s, inc->id, 0, &a, err) == -1)
		goto out;
	json_object_set_new(rest, "pages", a);
	if (escalation_json(s, inc->id, &a, err) == -1)
		goto out;
	json_object_set_new(rest, "escalation", a);
	if ((tail = json_dumps(rest, JSON_INDENT(2) | JSON_ENSURE_ASCII)) ==
	    NULL)
		goto oom;
	/* its members after the streamed ones: "{\n  ..." less the brace */
	printf("%s],\n%s\n", n ? "\n  " : "", tail + 2);
	rc = 0;
	goto out;
oom:
	err_set(err, ERR_FAILED, "out of memory");
out:
	json_decref(o);
	json_decref(rest);
	free(head);
	free(tail);
	return rc;
}

static int
cmd_incidents_show(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'n' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct incident inc;
	struct store *s;
	struct err err;
	long long id;
	int64_t limit = -1;
	char *end, whybuf[600];
	const char *why;
	json_t *sug;
	int c, rc = CLI_OK;

	while (
	    (c = cli_getopt(cli, cmd, argc, argv, "jan:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j')
			cli->json = 1;
		else if (c == 'a')
			limit = 0;
		else if (c == 'n' &&
		    ((limit = strtoll(optarg, &end, 10)) <= 0 || *end != '\0'))
			return cli_usage(cmd,
			    "--limit: '%s' is not a positive number", optarg);
	}
	/* text: a screenful by default; JSON: everything unless limited */
	if (limit < 0)
		limit = cli->json ? 0 : CMD_SHOW_LIMIT;
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
	if (store_short_lived(s, &err) == 0 &&
	    incident_get(s, id, &inc, &err) == 0) {
		sug = cmd_show_suggest(cli, s, id, &why, whybuf, sizeof whybuf);
		if ((cli->json ? cmd_show_json(s, &inc, limit, sug, why, &err)
		               : cmd_show_text(
		                     s, &inc, limit, sug, why, &err)) == -1)
			rc = cli_fail(&err);
		json_decref(sug);
		incident_done(&inc);
	} else {
		rc = cli_fail(&err);
	}
	store_close(s);
	return rc;
}

/* `owl show`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_show_entry = { "show",
	"show INC [--all] [--limit N] [--json]",
	"Show an incident, its alerts, its runs and its log.",
	"Prints the incident's fields, its silences, its alerts (labels,\n"
	"annotations), the runs bound to it (owl run --incident: id,\n"
	"start, runbook, actor, outcome) and its action log as sentences\n"
	"(\"acknowledged by alice: on it\"), as the TUI and the timeline\n"
	"tell them. As text: the first 100 alerts and the newest 100 log\n"
	"entries, and how many more there are (older entries are counted\n"
	"up to 10000).\n"
	"\nOptions:\n"
	"  --all           every alert and log entry\n"
	"  --limit N       the first N alerts, the newest N entries\n"
	"  --json          the incident's fields (as owl incidents --json)\n"
	"                  plus \"alerts\" [{source, fingerprint, status,\n"
	"                  labels, annotations, starts_at, ends_at,\n"
	"                  generator_url, count, last_seen}], \"log\"\n"
	"                  [{id, at, actor, kind, detail}] and \"silences\"\n"
	"                  [{id, alertmanager, fingerprint, created_by,\n"
	"                  created_at, ends_at, expired_at}] (owl silence),\n"
	"                  \"pages\" [{id, kind, to, via, level, origin,\n"
	"                  actor, state, channel, attempts, text, created_at,\n"
	"                  done_at, error}] and \"escalation\" {policy,\n"
	"                  state, level, loop, next_at} or null\n",
	cmd_incidents_show };
