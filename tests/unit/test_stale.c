/* test_stale.c: order and staleness (engine/incident_ingest.c): one
 * case per row of the README's table ("Order and staleness"): firing
 * and resolved events older, equal and newer than what is stored,
 * across payloads, across a flap-guard reopen and within one payload. */
#include "unit.h"

#include <jansson.h>

#include "engine/clock.h"
#include "engine/incident.h"
#include "integrations/ingest.h"

/* The times of the table: S0 is when the stored episode began, E0 when
 * it ended. */
#define T_OLD "2026-11-29T15:50:00Z"
#define T_S0 "2026-11-29T15:55:00Z"
#define T_MID "2026-11-29T15:57:00Z"
#define T_E0 "2026-11-29T16:00:00Z"
#define T_NEW "2026-11-29T16:05:00Z"
#define T_NEWER "2026-11-29T16:10:00Z"

/* One event for the alert "fp1": status, startsAt, endsAt (NULL: the
 * sender gave none). */
struct ev {
	const char *status, *starts, *ends;
};

#define FIRING(s)                                                              \
	{                                                                      \
		"firing", s, NULL                                              \
	}
#define RESOLVED(s, e)                                                         \
	{                                                                      \
		"resolved", s, e                                               \
	}

struct row {
	const char *name; /* the README's row */
	struct ev before[3]; /* stored first, one payload each */
	size_t nbefore;
	struct ev event[2]; /* then these, in one payload */
	size_t nevent;
	size_t stale; /* events found stale */
	const char *status; /* the alert afterwards */
	const char *starts; /* its starts_at afterwards; NULL: not checked */
	int state; /* its incident's state afterwards */
};

static const struct row rows[] = {
	{ "firing, older firing: stale", { FIRING(T_S0) }, 1, { FIRING(T_OLD) },
	    1, 1, "firing", T_S0, INCIDENT_TRIGGERED },
	{ "firing, same firing: re-delivery", { FIRING(T_S0) }, 1,
	    { FIRING(T_S0) }, 1, 0, "firing", T_S0, INCIDENT_TRIGGERED },
	{ "firing, newer firing: new episode", { FIRING(T_S0) }, 1,
	    { FIRING(T_NEW) }, 1, 0, "firing", T_NEW, INCIDENT_TRIGGERED },
	{ "firing, resolve that ended before it began: stale",
	    { FIRING(T_NEW) }, 1, { RESOLVED(T_OLD, T_S0) }, 1, 1, "firing",
	    T_NEW, INCIDENT_TRIGGERED },
	{ "firing, resolve ending as it began: applied", { FIRING(T_S0) }, 1,
	    { RESOLVED(T_OLD, T_S0) }, 1, 0, "resolved", T_OLD,
	    INCIDENT_RESOLVED },
	{ "firing, resolve ending later: applied", { FIRING(T_S0) }, 1,
	    { RESOLVED(T_S0, T_E0) }, 1, 0, "resolved", T_S0,
	    INCIDENT_RESOLVED },
	{ "resolved, firing of the resolved episode: stale",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0) }, 2, { FIRING(T_S0) }, 1, 1,
	    "resolved", T_S0, INCIDENT_RESOLVED },
	{ "resolved, older firing: stale",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0) }, 2, { FIRING(T_OLD) }, 1, 1,
	    "resolved", T_S0, INCIDENT_RESOLVED },
	{ "resolved, firing that began before it ended: stale",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0) }, 2, { FIRING(T_MID) }, 1, 1,
	    "resolved", T_S0, INCIDENT_RESOLVED },
	{ "resolved, firing as it ended: applied (flap guard)",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0) }, 2, { FIRING(T_E0) }, 1, 0,
	    "firing", T_E0, INCIDENT_TRIGGERED },
	{ "resolved, newer firing: applied (flap guard)",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0) }, 2, { FIRING(T_NEW) }, 1, 0,
	    "firing", T_NEW, INCIDENT_TRIGGERED },
	{ "resolved, resolve that ended earlier: stale",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0) }, 2,
	    { RESOLVED(T_S0, T_MID) }, 1, 1, "resolved", T_S0,
	    INCIDENT_RESOLVED },
	{ "resolved, same resolve: re-delivery",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0) }, 2, { RESOLVED(T_S0, T_E0) },
	    1, 0, "resolved", T_S0, INCIDENT_RESOLVED },
	{ "resolved, resolve that ended later: applied",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0) }, 2,
	    { RESOLVED(T_S0, T_NEW) }, 1, 0, "resolved", T_S0,
	    INCIDENT_RESOLVED },
	{ "resolved, resolve of an older episode: stale",
	    { FIRING(T_NEW), RESOLVED(T_NEW, T_NEWER) }, 2,
	    { RESOLVED(T_OLD, T_NEWER) }, 1, 1, "resolved", T_NEW,
	    INCIDENT_RESOLVED },
	{ "an event without times: applied in arrival order", { FIRING(T_S0) },
	    1, { RESOLVED(NULL, NULL) }, 1, 0, "resolved", T_S0,
	    INCIDENT_RESOLVED },
	{ "stored times owl supplied: applied in arrival order",
	    { FIRING(NULL) }, 1, { RESOLVED(T_OLD, T_S0) }, 1, 0, "resolved",
	    T_OLD, INCIDENT_RESOLVED },
	{ "after a flap-guard reopen, the old resolve: stale",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0), FIRING(T_NEW) }, 3,
	    { RESOLVED(T_S0, T_E0) }, 1, 1, "firing", T_NEW,
	    INCIDENT_TRIGGERED },
	{ "after a flap-guard reopen, the old firing: stale",
	    { FIRING(T_S0), RESOLVED(T_S0, T_E0), FIRING(T_NEW) }, 3,
	    { FIRING(T_S0) }, 1, 1, "firing", T_NEW, INCIDENT_TRIGGERED },
	{ "one payload, newer firing then older resolve: stale", { { 0 } }, 0,
	    { FIRING(T_NEW), RESOLVED(T_S0, T_E0) }, 2, 1, "firing", T_NEW,
	    INCIDENT_TRIGGERED },
	{ "one payload, resolve then newer firing: both applied", { { 0 } }, 0,
	    { RESOLVED(T_S0, T_E0), FIRING(T_NEW) }, 2, 0, "firing", T_NEW,
	    INCIDENT_TRIGGERED },
};

/* An Alertmanager webhook with the events, all for alert fp1. */
static char *
webhook(const struct ev *e, size_t n)
{
	json_t *arr = json_array(), *doc, *a;
	char *text;

	for (size_t i = 0; i < n; i++) {
		a = json_pack("{s:s, s:{s:s}, s:s}", "status", e[i].status,
		    "labels", "alertname", "DiskFull", "fingerprint", "fp1");
		if (e[i].starts != NULL)
			json_object_set_new(
			    a, "startsAt", json_string(e[i].starts));
		json_object_set_new(a, "endsAt",
		    json_string(
		        e[i].ends ? e[i].ends : "0001-01-01T00:00:00Z"));
		json_array_append_new(arr, a);
	}
	doc = json_pack(
	    "{s:s, s:s, s:o}", "version", "4", "groupKey", "g", "alerts", arr);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static struct ingest_result
put(struct store *s, const struct ev *e, size_t n)
{
	char *body = webhook(e, n);
	struct ingest_result r;
	struct ingest_batch *b;
	struct err err;

	err_init(&err);
	b = ingest_parse(INGEST_ALERTMANAGER, body, strlen(body), &err);
	if (b == NULL)
		fail_msg("parse: %s", err.msg);
	if (ingest_store(s, b, "tester", &r, &err) == -1)
		fail_msg("store: %s", err.msg);
	ingest_batch_free(b);
	free(body);
	return r;
}

static int64_t
us(const char *t)
{
	int64_t v = 0;

	assert_int_equal(clock_parse(t, &v, NULL), 0);
	return v;
}

static void
check_row(const struct row *w)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct ingest_result r;
	struct store *s;
	struct err err;

	err_init(&err);
	if ((s = store_open(path, &err)) == NULL)
		fail_msg("%s: %s", w->name, err.msg);
	for (size_t i = 0; i < w->nbefore; i++)
		put(s, &w->before[i], 1);
	r = put(s, w->event, w->nevent);
	if (r.stale != w->stale)
		fail_msg("%s: %zu stale, want %zu", w->name, r.stale, w->stale);
	if (unit_scalar(s,
	        "SELECT count(*) FROM actlog WHERE kind ="
	        " 'alert.stale'") != (int64_t)w->stale)
		fail_msg("%s: stale events not logged", w->name);
	if (unit_scalar(s, "SELECT resolved FROM alerts ORDER BY id DESC") !=
	    (strcmp(w->status, "resolved") == 0))
		fail_msg("%s: the alert is not %s", w->name, w->status);
	if (w->starts != NULL &&
	    unit_scalar(s, "SELECT starts_at FROM alerts ORDER BY id DESC") !=
	        us(w->starts))
		fail_msg("%s: starts_at is not %s", w->name, w->starts);
	if (unit_scalar(s, "SELECT state FROM incidents ORDER BY id DESC") !=
	    w->state)
		fail_msg("%s: incident not %s", w->name,
		    incident_state_name((enum incident_state)w->state));
	store_close(s);
	unit_rmtree(dir);
	free(path);
	free(dir);
}

static void
test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		check_row(&rows[i]);
}

/* The reproduction: firing since 16:00, then a resolve of an
 * older episode (15:52:42-15:52:56) re-sent after a reload. The log
 * entry carries both times; the incident, its version and the alert's
 * count do not move. */
static void
test_logged_with_both_times(void **state)
{
	struct unit_db *f = *state;
	const struct ev firing[] = { FIRING("2026-11-29T16:00:00Z") };
	const struct ev late[] = { RESOLVED(
	    "2026-11-29T15:52:42Z", "2026-11-29T15:52:56Z") };
	struct ingest_result r;
	struct incident inc;
	json_t *log, *d;
	struct err err;
	int64_t version;

	r = put(f->s, firing, 1);
	err_init(&err);
	assert_int_equal(incident_get(f->s, r.incident, &inc, &err), 0);
	version = inc.version;
	incident_done(&inc);
	r = put(f->s, late, 1);
	assert_int_equal(r.stale, 1);
	assert_int_equal(r.alerts, 0);
	assert_int_equal(incident_get(f->s, r.incident, &inc, &err), 0);
	assert_int_equal(inc.state, INCIDENT_TRIGGERED);
	assert_int_equal(inc.version, version);
	assert_int_equal(inc.started_at, us("2026-11-29T16:00:00Z"));
	incident_done(&inc);
	assert_int_equal(unit_scalar(f->s, "SELECT count FROM alerts"), 1);
	assert_int_equal(incident_log_json(f->s, r.incident, &log, &err), 0);
	d = json_object_get(
	    json_array_get(log, json_array_size(log) - 1), "detail");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(log, json_array_size(log) - 1), "kind")),
	    "alert.stale");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(d, "event"), "ends_at")),
	    "2026-11-29T15:52:56.000000Z");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(d, "stored"), "starts_at")),
	    "2026-11-29T16:00:00.000000Z");
	json_decref(log);
}

/* Incident times come from the alerts: an alert that ended 14 s after
 * it started, delivered a week later, lasted 14 s. */
static void
test_incident_times(void **state)
{
	struct unit_db *f = *state;
	const struct ev ev[] = { RESOLVED(
	    "2026-11-29T16:00:00Z", "2026-11-29T16:00:14Z") };
	struct ingest_result r = put(f->s, ev, 1);
	struct incident inc;
	struct err err;

	err_init(&err);
	assert_int_equal(incident_get(f->s, r.incident, &inc, &err), 0);
	assert_int_equal(inc.state, INCIDENT_RESOLVED);
	assert_int_equal(inc.started_at, us("2026-11-29T16:00:00Z"));
	assert_int_equal(inc.ended_at - inc.started_at, 14 * 1000000);
	assert_true(inc.opened_at > inc.ended_at); /* received later */
	incident_done(&inc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test_setup_teardown(test_logged_with_both_times,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_incident_times, unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
