/* test_incident.c: incidents from alerts (engine/incident_ingest.c) and
 * the actions on them (engine/incident_act.c), through ingest_parse and
 * ingest_store as the receiver uses them. */
#include "unit_ingest.h"

#include <jansson.h>

#include "engine/actlog.h"
#include "engine/alert.h"
#include "engine/incident.h"
#include "engine/incident_ingest_int.h"
#include "engine/jdump.h"
#include "engine/store.h"
#include "integrations/ingest.h"

/* An Alertmanager webhook with one alert per "fp:status" in alerts;
 * "fp:status@HH:MM" sets the time of day of its startsAt (firing) or
 * endsAt (resolved) on 2026-11-29. */
static char *
am(const char *group, int truncated, const char *const *alerts, size_t n)
{
	json_t *arr = json_array(), *doc;
	char fp[64], status[16], at[32], *text;
	const char *colon, *when;

	for (size_t i = 0; i < n; i++) {
		colon = strchr(alerts[i], ':');
		when = strchr(colon + 1, '@');
		snprintf(
		    fp, sizeof fp, "%.*s", (int)(colon - alerts[i]), alerts[i]);
		snprintf(status, sizeof status, "%.*s",
		    when ? (int)(when - colon - 1) : (int)strlen(colon + 1),
		    colon + 1);
		snprintf(at, sizeof at, "2026-11-29T%s:00Z",
		    when ? when + 1 : "16:00");
		json_array_append_new(arr,
		    json_pack("{s:s, s:{s:s, s:s, s:s},"
		              " s:{s:s}, s:s, s:s, s:s}",
		        "status", status, "labels", "alertname", "DiskFull",
		        "instance", fp, "severity",
		        i == 1 ? "critical" : "warning", "annotations",
		        "summary", "Disk full", "startsAt",
		        when && strcmp(status, "firing") == 0
		            ? at
		            : "2026-11-29T15:52:42Z",
		        "endsAt",
		        strcmp(status, "resolved") == 0
		            ? at
		            : "0001-01-01T00:00:00Z",
		        "fingerprint", fp));
	}
	doc = json_pack("{s:s, s:s, s:o, s:i}", "version", "4", "groupKey",
	    group, "alerts", arr, "truncatedAlerts", truncated);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static struct ingest_result
put_am(struct store *s, const char *group, const char *const *alerts, size_t n)
{
	char *body = am(group, 0, alerts, n);
	struct ingest_result r = unit_put(s, INGEST_ALERTMANAGER, body);

	free(body);
	return r;
}

static void
test_dedup_100_times(void **state)
{
	struct unit_db *f = *state;
	static const char *const a[] = { "aaaa:firing" };
	struct incident_alert *al;
	struct ingest_result r;
	struct incident inc;
	struct err err;
	int64_t v = 0;
	size_t n;

	for (int i = 0; i < 100; i++) {
		r = put_am(f->s, "g1", a, 1);
		assert_int_equal(r.new_alerts, i == 0 ? 1 : 0);
		assert_int_equal(r.incidents_opened, i == 0 ? 1 : 0);
		if (i == 0) {
			unit_get(f->s, r.incident, &inc);
			v = inc.version;
			incident_done(&inc);
		}
	}
	assert_int_equal(unit_scalar(f->s, "SELECT count(*) FROM alerts"), 1);
	assert_int_equal(
	    unit_scalar(f->s, "SELECT count(*) FROM incidents"), 1);
	/* one open and one new alert entry, not one per delivery */
	assert_int_equal(unit_scalar(f->s, "SELECT count(*) FROM actlog"), 2);
	err_init(&err);
	assert_int_equal(incident_alerts(f->s, r.incident, &al, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(al[0].count, 100);
	incident_alerts_free(al, n);
	unit_get(f->s, r.incident, &inc);
	assert_int_equal(inc.version, v); /* re-deliveries change nothing */
	assert_int_equal(inc.state, INCIDENT_TRIGGERED);
	assert_string_equal(inc.title, "Disk full");
	incident_done(&inc);
}

static void
test_grouping_and_autoresolve(void **state)
{
	struct unit_db *f = *state;
	static const char *const both[] = { "a1:firing", "a2:firing" };
	static const char *const one[] = { "a1:resolved", "a2:firing" };
	static const char *const none[] = { "a1:resolved", "a2:resolved" };
	static const char *const other[] = { "b1:firing" };
	struct ingest_result r1, r2;
	struct incident inc;

	r1 = put_am(f->s, "g1", both, 2);
	r2 = put_am(f->s, "g2", other, 1);
	assert_int_not_equal(r1.incident, r2.incident);
	unit_get(f->s, r1.incident, &inc);
	assert_int_equal(inc.alert_count, 2);
	assert_int_equal(inc.firing_count, 2);
	assert_int_equal(inc.severity, SEVERITY_CRITICAL); /* worst of */
	incident_done(&inc);
	r1 = put_am(f->s, "g1", one, 2);
	assert_int_equal(r1.incidents_resolved, 0);
	unit_get(f->s, r1.incident, &inc);
	assert_int_equal(inc.firing_count, 1);
	incident_done(&inc);
	r1 = put_am(f->s, "g1", none, 2);
	assert_int_equal(r1.incidents_resolved, 1);
	unit_get(f->s, r1.incident, &inc);
	assert_int_equal(inc.state, INCIDENT_RESOLVED);
	assert_true(inc.resolved_at > 0);
	incident_done(&inc);
	/* a re-sent resolve does not resolve again */
	r1 = put_am(f->s, "g1", none, 2);
	assert_int_equal(r1.incidents_resolved, 0);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog WHERE "
	                     "kind = 'incident.resolve'"),
	    1);
}

static void
test_flap_guard(void **state)
{
	struct unit_db *f = *state;
	static const char *const fire[] = { "c1:firing" };
	static const char *const res[] = { "c1:resolved" };
	static const char *const fire2[] = { "c1:firing@16:01" };
	static const char *const res2[] = { "c1:resolved@16:02" };
	static const char *const fire3[] = { "c1:firing@16:03" };
	struct ingest_result r1, r2;
	struct err err;

	r1 = put_am(f->s, "g", fire, 1);
	put_am(f->s, "g", res, 1);
	r2 = put_am(f->s, "g", fire2, 1); /* within 10 minutes: same one */
	assert_int_equal(r2.incident, r1.incident);
	assert_int_equal(r2.incidents_reopened, 1);
	assert_int_equal(r2.incidents_opened, 0);
	put_am(f->s, "g", res2, 1);
	/* resolved 11 minutes ago: a new incident */
	err_init(&err);
	assert_int_equal(store_exec(f->s,
	                     "UPDATE incidents SET resolved_at ="
	                     " resolved_at - 660000000",
	                     &err),
	    0);
	r2 = put_am(f->s, "g", fire3, 1);
	assert_int_not_equal(r2.incident, r1.incident);
	assert_int_equal(r2.incidents_opened, 1);
	assert_int_equal(unit_scalar(f->s, "SELECT count(*) FROM alerts"), 2);
}

/* An alert that moved to another group and back fires while its first
 * group's incident can still reopen: it rejoins its own row there (it
 * once failed on the alerts UNIQUE index, which owl serve answered with
 * 503 until the 10 minutes had passed). */
static void
test_flap_after_regroup(void **state)
{
	struct unit_db *f = *state;
	static const char *const seq[][2] = {
		{ "firing", "G1" },
		{ "resolved", "G1" },
		{ "firing", "G2" },
		{ "resolved", "G2" },
		{ "firing", "G1" },
	};
	struct ingest_result r = { 0 };
	char body[128];

	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		snprintf(body, sizeof body,
		    "{\"id\":\"moving\",\"status\":\"%s\","
		    "\"group\":\"%s\"}",
		    seq[i][0], seq[i][1]);
		r = unit_put(f->s, INGEST_GENERIC, body);
	}
	assert_int_equal(r.incident, 1);
	assert_int_equal(r.incidents_reopened, 1);
	assert_int_equal(r.new_alerts, 0);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM alerts WHERE"
	                     " incident_id = 1 AND resolved = 0"),
	    1);
	assert_int_equal(unit_scalar(f->s, "SELECT count(*) FROM alerts"), 2);
}

/* One payload whose alerts alternate between groups: each incident is
 * aggregated once (opened at version 1, one bump for the batch), with
 * all its alerts counted. */
static void
test_interleaved_groups(void **state)
{
	struct unit_db *f = *state;
	struct ingest_result r;
	struct incident inc;

	r = unit_put(f->s, INGEST_GENERIC,
	    "[{\"id\":\"x1\",\"group\":\"X\"},"
	    "{\"id\":\"y1\",\"group\":\"Y\"},"
	    "{\"id\":\"x2\",\"group\":\"X\"},"
	    "{\"id\":\"y2\",\"group\":\"Y\",\"status\":\"resolved\"},"
	    "{\"id\":\"x3\",\"group\":\"X\"}]");
	assert_int_equal(r.incidents_opened, 2);
	assert_int_equal(r.incident, 1); /* the last alert's */
	unit_get(f->s, 1, &inc);
	assert_int_equal(inc.alert_count, 3);
	assert_int_equal(inc.firing_count, 3);
	assert_int_equal(inc.version, 2);
	incident_done(&inc);
	unit_get(f->s, 2, &inc);
	assert_int_equal(inc.alert_count, 2);
	assert_int_equal(inc.firing_count, 1);
	assert_int_equal(inc.version, 2);
	incident_done(&inc);
	r = unit_put(f->s, INGEST_GENERIC,
	    "[{\"id\":\"y1\",\"group\":\"Y\",\"status\":\"resolved\"},"
	    "{\"id\":\"x1\",\"group\":\"X\"},"
	    "{\"id\":\"y2\",\"group\":\"Y\",\"status\":\"resolved\"}]");
	assert_int_equal(r.incidents_resolved, 1);
	unit_get(f->s, 2, &inc);
	assert_int_equal(inc.state, INCIDENT_RESOLVED);
	incident_done(&inc);
}

static void
test_truncated_recorded(void **state)
{
	struct unit_db *f = *state;
	static const char *const a[] = { "t1:firing" };
	char *body = am("gt", 3, a, 1);
	struct ingest_result r = unit_put(f->s, INGEST_AUTO, body);
	struct incident inc;

	free(body);
	unit_get(f->s, r.incident, &inc);
	assert_int_equal(inc.truncated_alerts, 3);
	incident_done(&inc);
}

static void
test_pagerduty_cycle(void **state)
{
	struct unit_db *f = *state;
	struct ingest_result r;
	struct incident inc;
	int64_t id;

	r = unit_put(f->s, INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\","
	    "\"event_action\":\"trigger\",\"dedup_key\":\"srv01/HTTP\","
	    "\"payload\":{\"summary\":\"HTTP down\",\"source\":\"srv01\","
	    "\"severity\":\"error\"}}");
	id = r.incident;
	assert_int_equal(r.incidents_opened, 1);
	r = unit_put(f->s, INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\","
	    "\"event_action\":\"acknowledge\",\"dedup_key\":\"srv01/HTTP\"}");
	assert_int_equal(r.incidents_acked, 1);
	unit_get(f->s, id, &inc);
	assert_int_equal(inc.state, INCIDENT_ACKNOWLEDGED);
	assert_string_equal(inc.acked_by, "tester");
	assert_int_equal(inc.severity, SEVERITY_ERROR);
	assert_string_equal(inc.title, "HTTP down");
	incident_done(&inc);
	r = unit_put(f->s, INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\","
	    "\"event_action\":\"resolve\",\"dedup_key\":\"srv01/HTTP\"}");
	assert_int_equal(r.incidents_resolved, 1);
	unit_get(f->s, id, &inc);
	assert_int_equal(inc.state, INCIDENT_RESOLVED);
	incident_done(&inc);
	/* nothing open for this key: dropped, as PagerDuty does */
	r = unit_put(f->s, INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\","
	    "\"event_action\":\"resolve\",\"dedup_key\":\"nope\"}");
	assert_int_equal(r.dropped, 1);
	assert_int_equal(
	    unit_scalar(f->s, "SELECT count(*) FROM incidents"), 1);
}

static void
test_pagerduty_generated_key(void **state)
{
	struct unit_db *f = *state;
	static const char body[] =
	    "{\"routing_key\":\"k\",\"event_action\":"
	    "\"trigger\",\"payload\":{\"summary\":\"s\",\"source\":\"x\","
	    "\"severity\":\"info\"}}";
	struct ingest_batch *b1, *b2;
	struct err err;

	err_init(&err);
	b1 = ingest_parse(INGEST_AUTO, body, strlen(body), &err);
	b2 = ingest_parse(INGEST_AUTO, body, strlen(body), &err);
	assert_non_null(b1);
	assert_non_null(b2);
	assert_int_equal(strlen(ingest_batch_dedup_key(b1)), 36);
	assert_string_not_equal(
	    ingest_batch_dedup_key(b1), ingest_batch_dedup_key(b2));
	ingest_batch_free(b1);
	ingest_batch_free(b2);
	(void)f;
}

static void
test_caller_transaction(void **state)
{
	struct unit_db *f = *state;
	static const char *const a[] = { "x1:firing" };
	char *body = am("gx", 0, a, 1);
	struct ingest_batch *b;
	struct err err;

	err_init(&err);
	b = ingest_parse(INGEST_ALERTMANAGER, body, strlen(body), &err);
	free(body);
	assert_non_null(b);
	/* many batches, one transaction, rolled back: nothing stays */
	assert_int_equal(store_begin(f->s, &err), 0);
	assert_int_equal(ingest_store(f->s, b, NULL, NULL, &err), 0);
	assert_int_equal(ingest_store(f->s, b, NULL, NULL, &err), 0);
	store_rollback(f->s);
	assert_int_equal(unit_scalar(f->s, "SELECT count(*) FROM alerts"), 0);
	assert_int_equal(store_begin(f->s, &err), 0);
	assert_int_equal(ingest_store(f->s, b, NULL, NULL, &err), 0);
	assert_int_equal(ingest_store(f->s, b, NULL, NULL, &err), 0);
	assert_int_equal(store_commit(f->s, &err), 0);
	assert_int_equal(unit_scalar(f->s, "SELECT count FROM alerts"), 2);
	ingest_batch_free(b);
}

static void
test_actions(void **state)
{
	struct unit_db *f = *state;
	static const char *const a[] = { "y1:firing" };
	struct incident_act act = { .actor = "alice", .note = "on it" };
	struct ingest_result r = put_am(f->s, "gy", a, 1);
	struct incident inc;
	struct err err;
	int64_t id = r.incident, v;

	err_init(&err);
	assert_int_equal(incident_ack(f->s, id, &act, &err), 0);
	assert_int_equal(incident_ack(f->s, id, &act, &err), -1);
	assert_string_equal(err.msg, "INC-1 is already acknowledged by alice");
	err_init(&err);
	assert_int_equal(incident_unack(f->s, id, &act, &err), 0);
	assert_int_equal(
	    incident_snooze(f->s, id, INT64_C(1) << 60, &act, &err), 0);
	assert_int_equal(incident_unsnooze(f->s, id, &act, &err), 0);
	assert_int_equal(incident_assign(f->s, id, "bob", &act, &err), 0);
	assert_int_equal(incident_note(f->s, id, "a note", &act, &err), 0);
	unit_get(f->s, id, &inc);
	v = inc.version;
	assert_string_equal(inc.assignee, "bob");
	assert_null(inc.acked_by);
	incident_done(&inc);
	/* a colleague's note changes nothing an ack was decided on */
	assert_int_equal(incident_note(f->s, id, "bob's note",
	                     &(struct incident_act){ .actor = "bob" }, &err),
	    0);
	unit_get(f->s, id, &inc);
	assert_int_equal(inc.version, v);
	incident_done(&inc);
	/* check-then-act: someone else resolves first, then notes */
	assert_int_equal(incident_resolve(f->s, id,
	                     &(struct incident_act){ .actor = "bob" }, &err),
	    0);
	assert_int_equal(incident_note(f->s, id, "closing",
	                     &(struct incident_act){ .actor = "carol" }, &err),
	    0);
	act.expect_version = v;
	assert_int_equal(incident_ack(f->s, id, &act, &err), -1);
	assert_int_equal(err.code, ERR_REFUSED);
	assert_non_null(strstr(err.msg,
	    "INC-1 changed since you looked: "
	    "resolved by bob"));
	err_init(&err);
	act.expect_version = 0;
	assert_int_equal(incident_resolve(f->s, id, &act, &err), -1);
	assert_string_equal(err.msg, "INC-1 is already resolved");
	err_init(&err);
	assert_int_equal(incident_note(f->s, id, "post", &act, &err), 0);
	assert_int_equal(incident_reopen(f->s, id, &act, &err), 0);
	unit_get(f->s, id, &inc);
	assert_int_equal(inc.state, INCIDENT_TRIGGERED);
	incident_done(&inc);
	assert_int_equal(incident_get(f->s, 99, &inc, &err), -1);
	assert_string_equal(err.msg, "no incident INC-99");
	/* every change: one entry with the actor */
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog WHERE "
	                     "actor = 'alice'"),
	    8);
}

static void
test_list_order(void **state)
{
	struct unit_db *f = *state;
	static const char *const w[] = { "w1:firing" };
	static const char *const c[] = { "c0:firing", "c1:firing" };
	struct incident_query q = { .state = -1 };
	struct incident *list;
	struct err err;
	size_t n;

	put_am(f->s, "warn", w, 1);
	put_am(f->s, "crit", c, 2);
	put_am(f->s, "warn2", (const char *const[]){ "w2:firing" }, 1);
	err_init(&err);
	assert_int_equal(incident_list(f->s, &q, &list, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].group_key, "crit");
	assert_string_equal(list[1].group_key, "warn2");
	assert_string_equal(list[2].group_key, "warn");
	incident_list_free(list, n);
	assert_int_equal(incident_resolve(f->s, 2, NULL, &err), 0);
	assert_int_equal(incident_list(f->s, &q, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	incident_list_free(list, n);
	q.state = INCIDENT_RESOLVED;
	assert_int_equal(incident_list(f->s, &q, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	incident_list_free(list, n);
	assert_true(incident_last_alert_at(f->s) > 0);
}

/* An incident's filter text stays within ALERT_MATCH_MAX bytes, also
 * when its alerts' labels are not ASCII (the bound was once counted in
 * characters: 2-byte characters filled it to twice its size). */
static void
test_match_text_bytes(void **state)
{
	struct unit_db *f = *state;
	struct ingest_result r;
	char *body;
	int64_t bytes;

	/* instance "NN" and 30 two-byte characters: some 110 bytes of
	 * filter text an alert, 80 characters */
	for (int i = 0; i < 60; i++) {
		assert_true(
		    asprintf(&body,
		        "{\"version\":\"4\",\"groupKey\":\"g-utf8\","
		        "\"alerts\":[{\"status\":\"firing\",\"labels\":"
		        "{\"alertname\":\"DiskFull\",\"instance\":\"%02d"
		        "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
		        "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
		        "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
		        "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
		        "\u00e9\u00e9\"},\"annotations\":{},"
		        "\"startsAt\":\"2026-11-29T15:52:42Z\","
		        "\"fingerprint\":\"fp%02d\"}]}",
		        i, i) != -1);
		r = unit_put(f->s, INGEST_ALERTMANAGER, body);
		assert_int_equal(r.new_alerts, 1);
		free(body);
	}
	assert_int_equal(
	    unit_scalar(f->s, "SELECT count(*) FROM incidents"), 1);
	bytes = unit_scalar(
	    f->s, "SELECT length(CAST(match_text AS BLOB)) FROM incidents");
	assert_true(bytes <= ALERT_MATCH_MAX);
	/* filled: a few dozen alerts' text, not the first one's alone */
	assert_true(bytes > ALERT_MATCH_MAX / 2);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT instr(match_text, 'instance=00') > 0"
	                     " FROM incidents"),
	    1);
}

/* The detail of alert.new as json_pack and a sorted dump built it
 * before ingest_new_detail wrote it directly: the same bytes. */
static char *
new_detail_jansson(const struct alert *a, int64_t starts, int64_t ends)
{
	json_t *rest;
	struct buf t;
	struct err err;
	size_t at;

	err_init(&err);
	rest = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:o}", "source",
	    a->source, "fingerprint", a->fingerprint, "status",
	    a->resolved ? "resolved" : "firing", "severity",
	    incident_severity_name(a->severity), "severity_raw",
	    a->severity_raw, "starts_at", incident_jtime(starts), "ends_at",
	    incident_jtime(ends), "generator_url",
	    incident_jstr(a->generator_url));
	if (rest == NULL)
		return NULL;
	buf_init(&t, 0);
	assert_int_equal(buf_adds(&t, "{\"annotations\":", &err), 0);
	assert_int_equal(
	    buf_adds(
	        &t, a->annotations_json ? a->annotations_json : "{}", &err),
	    0);
	assert_int_equal(buf_adds(&t, ",\"labels\":", &err), 0);
	assert_int_equal(
	    buf_adds(&t, a->labels_json ? a->labels_json : "{}", &err), 0);
	assert_int_equal(buf_addc(&t, ',', &err), 0);
	at = t.len;
	assert_int_equal(jdump_add_sorted(rest, &t, &err), 0);
	memmove(t.data + at, t.data + at + 1, t.len - at - 1);
	t.len--;
	t.data[t.len] = '\0';
	json_decref(rest);
	return t.data;
}

static void
test_new_detail(void **state)
{
	char fp_odd[] = "fp \"q\" \\ \n\t\x01 /\xc3\xa9\xe2\x80\xa8";
	char fp[] = "a1b2", raw[] = "P1",
	     url[] = "http://p:9090/graph?g0.expr=up",
	     lab[] = "{\"alertname\":\"Disk\",\"job\":\"node\"}",
	     ann[] = "{\"summary\":\"x\"}", bad[] = "bad \xff";
	struct alert alerts[] = {
		{ .source = "alertmanager",
		    .fingerprint = fp,
		    .severity = SEVERITY_CRITICAL,
		    .severity_raw = raw,
		    .labels_json = lab,
		    .annotations_json = ann,
		    .generator_url = url,
		    .resolved = 1 },
		{ .source = "grafana",
		    .fingerprint = fp_odd,
		    .severity = SEVERITY_WARNING },
		{ .source = "generic",
		    .fingerprint = fp,
		    .generator_url = fp_odd,
		    .severity_raw = fp_odd,
		    .labels_json = lab },
	};
	const int64_t times[][2] = { { 1764431562123456, 1764431600000000 },
		{ 1764431562000000, 0 }, { 0, 0 } };
	struct alert broken = { .source = "generic", .fingerprint = bad };
	struct buf t;
	struct err err;

	(void)state;
	for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++) {
		char *want =
		    new_detail_jansson(&alerts[i], times[i][0], times[i][1]);

		assert_non_null(want);
		err_init(&err);
		buf_init(&t, 0);
		assert_int_equal(ingest_new_detail(&alerts[i], times[i][0],
		                     times[i][1], &t, &err),
		    0);
		assert_string_equal(buf_str(&t), want);
		buf_done(&t);
		free(want);
	}
	/* not UTF-8: refused, as json_pack refused it */
	assert_null(new_detail_jansson(&broken, 0, 0));
	err_init(&err);
	buf_init(&t, 0);
	assert_int_equal(ingest_new_detail(&broken, 0, 0, &t, &err), -1);
	buf_done(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_dedup_100_times, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_grouping_and_autoresolve,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_flap_guard, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_flap_after_regroup, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_interleaved_groups, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_truncated_recorded, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_pagerduty_cycle, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_pagerduty_generated_key,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_caller_transaction, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_actions, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_list_order, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_match_text_bytes, unit_db_setup, unit_db_teardown),
		cmocka_unit_test(test_new_detail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
