/* test_ingest_defer.c: owl serve's group commit (engine/incident_ingest_
 * defer.c): the same deliveries stored one transaction each, and many to
 * a transaction with the incidents' count-and-time rows kept until the
 * commit, leave the same incidents, alerts and action log. The script
 * covers re-deliveries (kept), a new worst severity (logged: written at
 * once), every alert resolved (auto-resolve) then firing again (the flap
 * guard's reopen), a PagerDuty acknowledge of a kept incident, the
 * sender's URL, and a rollback that keeps nothing; and incidents whose
 * filter text fills up (its size kept from one alert to the next). */
#include "unit.h"

#include <jansson.h>

#include "engine/incident.h"
#include "engine/incident_ingest.h"
#include "engine/store.h"
#include "integrations/ingest.h"

struct step {
	enum ingest_format fmt;
	const char *body; /* "AM group fp:status:severity ..." or JSON */
};

/* An Alertmanager webhook from "group url fp:status:severity ...". */
static char *
am_body(const char *spec)
{
	char group[32], url[64], fp[32], status[16], sev[16];
	json_t *arr = json_array(), *doc;
	const char *p = spec;
	char *text;
	int n;

	assert_int_equal(sscanf(p, "%31s %63s%n", group, url, &n), 2);
	p += n;
	while (sscanf(p, " %31[^:]:%15[^:]:%15s%n", fp, status, sev, &n) == 3) {
		p += n;
		json_array_append_new(arr,
		    json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s}, s:s, s:s,"
		              " s:s}",
		        "status", status, "labels", "alertname", group,
		        "instance", fp, "severity", sev, "annotations",
		        "summary", "Disk full", "startsAt",
		        "2026-11-29T15:52:42Z", "endsAt",
		        strcmp(status, "resolved") == 0
		            ? "2026-11-29T16:10:00Z"
		            : "0001-01-01T00:00:00Z",
		        "fingerprint", fp));
	}
	doc = json_pack("{s:s, s:s, s:s, s:o, s:i}", "version", "4", "groupKey",
	    group, "externalURL", url, "alerts", arr, "truncatedAlerts", 0);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static const struct step script[] = {
	{ INGEST_ALERTMANAGER,
	    "g1 http://am1 a:firing:warning b:firing:warning" },
	{ INGEST_ALERTMANAGER, "g2 http://am1 c:firing:warning" },
	{ INGEST_ALERTMANAGER,
	    "g1 http://am1 a:firing:warning b:firing:warning" },
	{ INGEST_ALERTMANAGER, "g1 http://am2 a:firing:warning" },
	/* a new worst severity: incident.update */
	{ INGEST_ALERTMANAGER, "g1 http://am2 d:firing:critical" },
	{ INGEST_ALERTMANAGER,
	    "g2 http://am1 c:firing:warning e:firing:warning" },
	{ INGEST_ALERTMANAGER,
	    "g1 http://am2 a:firing:warning b:firing:warning" },
	/* every alert of g2 resolved: it resolves itself */
	{ INGEST_ALERTMANAGER, "g2 http://am1 c:resolved:warning" },
	{ INGEST_ALERTMANAGER, "g2 http://am1 e:resolved:warning" },
	/* and fires again: reopened */
	{ INGEST_ALERTMANAGER, "g2 http://am1 f:firing:warning" },
	{ INGEST_ALERTMANAGER, "g2 http://am1 f:firing:warning" },
	{ INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\",\"event_action\":\"trigger\","
	    "\"dedup_key\":\"srv01/HTTP\",\"payload\":{\"summary\":\"HTTP "
	    "down\",\"source\":\"srv01\",\"severity\":\"error\","
	    "\"timestamp\":\"2026-11-29T15:52:42Z\"}}" },
	{ INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\",\"event_action\":\"trigger\","
	    "\"dedup_key\":\"srv01/HTTP\",\"payload\":{\"summary\":\"HTTP "
	    "down\",\"source\":\"srv01\",\"severity\":\"error\","
	    "\"timestamp\":\"2026-11-29T15:52:42Z\"}}" },
	/* an acknowledge of an incident whose row is kept, and again: the
	 * second changes nothing (its state, known to the batch, says so) */
	{ INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\",\"event_action\":\"acknowledge\","
	    "\"dedup_key\":\"srv01/HTTP\"}" },
	{ INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\",\"event_action\":\"acknowledge\","
	    "\"dedup_key\":\"srv01/HTTP\"}" },
	{ INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\",\"event_action\":\"trigger\","
	    "\"dedup_key\":\"srv01/HTTP\",\"payload\":{\"summary\":\"HTTP "
	    "down\",\"source\":\"srv01\",\"severity\":\"error\","
	    "\"timestamp\":\"2026-11-29T15:52:42Z\"}}" },
	/* the worst alert resolved: the incident's alerts read again */
	{ INGEST_ALERTMANAGER, "g1 http://am2 d:resolved:critical" },
	{ INGEST_ALERTMANAGER,
	    "g1 http://am2 a:firing:warning b:firing:warning" },
	{ INGEST_ALERTMANAGER, "g1 http://am2 a:resolved:warning" },
};
#define NSCRIPT (sizeof script / sizeof script[0])

static struct ingest_batch *
parse(const struct step *st)
{
	char *body = st->fmt == INGEST_ALERTMANAGER ? am_body(st->body)
	                                            : strdup(st->body);
	struct ingest_batch *b;
	struct err err;

	err_init(&err);
	b = ingest_parse(st->fmt, body, strlen(body), &err);
	if (b == NULL)
		fail_msg("parse: %s", err.msg);
	free(body);
	return b;
}

/* Stores steps [0, n) in transactions of `per` deliveries each (0: one
 * each, no defer), as owl serve's writer does. */
static void
store_steps(struct store *s, const struct step *steps, size_t n, size_t per)
{
	struct incident_ingest_defer *d = incident_ingest_defer_new();
	struct err err;

	assert_non_null(d);
	err_init(&err);
	for (size_t i = 0; i < n; i++) {
		struct ingest_batch *b = parse(&steps[i]);
		if (per == 0) {
			assert_int_equal(
			    ingest_store(s, b, "tester", NULL, &err), 0);
		} else {
			if (i % per == 0)
				assert_int_equal(store_begin(s, &err), 0);
			assert_int_equal(
			    ingest_store_defer(s, b, "tester", NULL, d, &err),
			    0);
			if (i % per == per - 1 || i == n - 1) {
				assert_int_equal(
				    incident_ingest_defer_flush(s, d, &err), 0);
				assert_int_equal(store_commit(s, &err), 0);
			}
		}
		ingest_batch_free(b);
	}
	incident_ingest_defer_free(d);
}

static void
store_script(struct store *s, size_t per)
{
	store_steps(s, script, NSCRIPT, per);
}

/* The rows as text; a time of owl's own clock as the number of log
 * entries before it (the runs happen at different moments). */
static char *
dump(struct store *s)
{
	static const char *const sql[] = {
		"SELECT id, source, group_key, state, severity, title,"
		" alert_count, firing_count, truncated_alerts, version,"
		" sender_url, started_at, ended_at, resolved_at IS NULL,"
		" acked_by, match_text,"
		/* owl's own times, as the log entries written before them */
		" (SELECT count(*) FROM actlog a WHERE a.at_us < updated_at),"
		" (SELECT count(*) FROM actlog a WHERE a.at_us < last_alert_at)"
		" FROM incidents i ORDER BY id",
		"SELECT id, incident_id, fingerprint, resolved, severity, count,"
		" labels, starts_at, ends_at FROM alerts ORDER BY id",
		"SELECT id, incident_id, kind, detail FROM actlog ORDER BY id",
	};
	json_t *all = json_array();
	struct store_stmt *st;
	char *text;

	for (size_t q = 0; q < sizeof sql / sizeof sql[0]; q++) {
		st = store_prepare(s, sql[q], NULL);
		assert_non_null(st);
		while (store_step(st) == STORE_ROW) {
			json_t *row = json_array();
			for (int c = 0; c < store_col_count(st); c++) {
				const unsigned char *v = store_col_text(st, c);
				json_array_append_new(row,
				    v ? json_string((const char *)v)
				      : json_null());
			}
			json_array_append_new(all, row);
		}
		store_finalize(st);
	}
	text = json_dumps(all, JSON_INDENT(1));
	json_decref(all);
	return text;
}

static struct store *
open_db(const char *dir, const char *name)
{
	char *path = unit_path(dir, name);
	struct store *s;
	struct err err;

	err_init(&err);
	s = store_open(path, &err);
	free(path);
	assert_non_null(s);
	return s;
}

static void
test_same_as_one_commit_each(void **state)
{
	struct unit_db *f = *state;
	char *want, *got;

	(void)state;
	store_script(f->s, 0);
	want = dump(f->s);
	for (size_t per = 1; per <= NSCRIPT; per++) {
		char name[32];
		struct store *s;
		snprintf(name, sizeof name, "per%zu.db", per);
		s = open_db(f->dir, name);
		store_script(s, per);
		got = dump(s);
		if (strcmp(want, got) != 0)
			fprintf(stderr, "# %zu a commit:\n%s\n# want:\n%s\n",
			    per, got, want);
		assert_string_equal(got, want);
		free(got);
		store_close(s);
	}
	/* the script does what it says: an update, a resolve, a reopen,
	 * an acknowledge */
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog"
	                     " WHERE kind = 'incident.update'"),
	    1);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog"
	                     " WHERE kind = 'incident.resolve'"),
	    1);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog"
	                     " WHERE kind = 'incident.reopen'"),
	    1);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog"
	                     " WHERE kind = 'incident.ack'"),
	    1);
	free(want);
}

/* A rolled-back transaction leaves nothing kept: the next one starts
 * from the rows as stored. */
static void
test_rollback_keeps_nothing(void **state)
{
	struct unit_db *f = *state;
	struct incident_ingest_defer *d = incident_ingest_defer_new();
	struct ingest_batch *b = parse(&script[0]);
	struct store *s = open_db(f->dir, "b.db");
	char *want, *got;
	struct err err;

	err_init(&err);
	assert_int_equal(ingest_store(f->s, b, "tester", NULL, &err), 0);
	assert_int_equal(ingest_store(f->s, b, "tester", NULL, &err), 0);
	want = dump(f->s);
	assert_int_equal(ingest_store(s, b, "tester", NULL, &err), 0);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(ingest_store_defer(s, b, "tester", NULL, d, &err), 0);
	store_rollback(s);
	incident_ingest_defer_discard(d);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(ingest_store_defer(s, b, "tester", NULL, d, &err), 0);
	assert_int_equal(incident_ingest_defer_flush(s, d, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	got = dump(s);
	assert_string_equal(got, want);
	assert_int_equal(unit_scalar(s, "SELECT count FROM alerts LIMIT 1"), 2);
	free(want);
	free(got);
	store_close(s);
	ingest_batch_free(b);
	incident_ingest_defer_free(d);
}

/* Two incidents whose filter text (match_text, at most 4096 bytes)
 * fills up over 16 deliveries of 8 new alerts each, the two groups
 * interleaved, with re-deliveries: what each alert adds, and which
 * alert is the first that no longer fits, are the same in batches of
 * any size as one delivery a transaction. */
static void
test_filter_text_fills(void **state)
{
	struct unit_db *f = *state;
	struct step steps[20];
	char specs[20][512], *want, *got;
	size_t n = 0;
	int k = 0;

	for (int d = 0; d < 16; d++) {
		int len = snprintf(specs[n], sizeof specs[n], "%s http://am1",
		    d % 2 ? "fill-b" : "fill-a");
		for (int a = 0; a < 8; a++, k++)
			len += snprintf(specs[n] + len,
			    sizeof specs[n] - (size_t)len,
			    " node-%d-%s:firing:warning", k,
			    k % 3 ? "x" : "a-longer-instance-name");
		steps[n].fmt = INGEST_ALERTMANAGER;
		steps[n].body = specs[n];
		n++;
		if (d % 5 == 4) { /* a re-delivery: nothing new to add */
			steps[n] = steps[n - 1];
			n++;
		}
	}
	store_steps(f->s, steps, n, 0);
	want = dump(f->s);
	/* both texts full: the last alerts added nothing */
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM incidents WHERE"
	                     " length(CAST(match_text AS BLOB)) > 3900"),
	    2);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM incidents WHERE match_text"
	                     " LIKE '%node-127-%'"),
	    0);
	for (size_t per = 2; per <= n; per += 3) {
		char name[32];
		struct store *s;
		snprintf(name, sizeof name, "fill%zu.db", per);
		s = open_db(f->dir, name);
		store_steps(s, steps, n, per);
		got = dump(s);
		assert_string_equal(got, want);
		free(got);
		store_close(s);
	}
	free(want);
}

/* An incident resolved inside the batch by other means than ingest (a
 * call of owl serve's own, e.g. an escalation's writes) after
 * incident_ingest_defer_forget: the group is looked up again, and the
 * next firing alert reopens it (the flap guard), as it does when each
 * step is a transaction of its own. */
static void
test_forget_groups(void **state)
{
	struct unit_db *f = *state;
	struct step first = { INGEST_ALERTMANAGER,
		"g7 http://am1 p:firing:warning" };
	struct step next = { INGEST_ALERTMANAGER,
		"g7 http://am1 q:firing:warning" };
	struct incident_ingest_defer *d = incident_ingest_defer_new();
	struct ingest_batch *b1 = parse(&first), *b2 = parse(&next);
	struct store *s = open_db(f->dir, "forget.db");
	struct incident_act act = { .actor = "tester" };
	char *want, *got;
	struct err err;

	(void)state;
	err_init(&err);
	assert_int_equal(ingest_store(f->s, b1, "tester", NULL, &err), 0);
	assert_int_equal(incident_resolve(f->s, 1, &act, &err), 0);
	assert_int_equal(ingest_store(f->s, b2, "tester", NULL, &err), 0);
	want = dump(f->s);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog"
	                     " WHERE kind = 'incident.reopen'"),
	    1);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(ingest_store_defer(s, b1, "tester", NULL, d, &err), 0);
	/* as owl serve's writer runs a call between two requests */
	incident_ingest_defer_forget(d);
	assert_int_equal(incident_resolve(s, 1, &act, &err), 0);
	assert_int_equal(ingest_store_defer(s, b2, "tester", NULL, d, &err), 0);
	assert_int_equal(incident_ingest_defer_flush(s, d, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	got = dump(s);
	assert_string_equal(got, want);
	free(want);
	free(got);
	store_close(s);
	ingest_batch_free(b1);
	ingest_batch_free(b2);
	incident_ingest_defer_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_one_commit_each,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_rollback_keeps_nothing,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_filter_text_fills, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_forget_groups, unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
