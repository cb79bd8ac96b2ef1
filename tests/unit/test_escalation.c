/* test_escalation.c: escalation driven by a fake clock (the `now` every
 * tick is given): levels in time, ack stops, snooze pauses, resolve ends
 * (and queues the PagerDuty resolve), a flap restarts, loops, policies
 * by severity and label, a restart or a crashed tick neither loses nor
 * repeats a level; and the retry and fallback of pages (pages.c). */
#include "unit.h"

#include <jansson.h>

#include "engine/clock.h"
#include "engine/config.h"
#include "engine/escalation.h"
#include "engine/incident.h"
#include "engine/pages.h"
#include "integrations/ingest.h"

#define MIN (60 * CLOCK_US_PER_SEC)

struct fx {
	struct unit_db db;
	struct config *cfg;
	struct oncall oc;
	struct escalation esc;
	int64_t t0; /* the fake clock's zero: set just after an alert */
};

static const char base_cfg[] =
    "return { oncall = {"
    " rotations = { primary = { people = { 'alice' }, start = '2020-01-06',"
    "  shift = '1w', handoff = 'Mon 09:00', tz = 'Europe/Berlin' },"
    "  secondary = { people = { 'carol' }, start = '2020-01-06' } },"
    " people = { alice = { slack = 'http://127.0.0.1:9/a' },"
    "  carol = { email = 'carol@example.com' }, lead = {} } },"
    " escalation = %s }";

static void
setup_cfg(struct fx *f, const char *esc)
{
	char src[4096];
	struct err err;

	snprintf(src, sizeof src, base_cfg, esc);
	err_init(&err);
	f->cfg = config_parse(src, strlen(src), "test.lua", &err);
	if (f->cfg == NULL)
		fail_msg("config: %s", err.msg);
	if (oncall_load(f->cfg, &f->oc, &err) == -1 ||
	    escalation_load(f->cfg, &f->oc, &f->esc, &err) == -1)
		fail_msg("load: %s", err.msg);
}

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct unit_db *db;
	void *p;

	assert_non_null(f);
	unit_db_setup(&p);
	db = p;
	f->db = *db;
	free(db);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;
	struct unit_db *db = malloc(sizeof *db);

	escalation_done(&f->esc);
	oncall_done(&f->oc);
	config_free(f->cfg);
	*db = f->db;
	free(f);
	void *p = db;
	return unit_db_teardown(&p);
}

/* Fires a generic alert (group key g); returns the incident id. */
static int64_t
fire(struct fx *f, const char *g, const char *severity, const char *status)
{
	char body[512];
	struct ingest_result r;
	struct ingest_batch *b;
	struct err err;

	snprintf(body, sizeof body,
	    "[{\"id\": \"%s-1\", \"group\": \"%s\", \"title\": \"%s\","
	    " \"status\": \"%s\", \"severity\": \"%s\", \"labels\":"
	    " {\"team\": \"%s\"}}]",
	    g, g, g, status, severity, strcmp(g, "ml") == 0 ? "ml" : "web");
	err_init(&err);
	if ((b = ingest_parse(INGEST_GENERIC, body, strlen(body), &err)) ==
	        NULL ||
	    ingest_store(f->db.s, b, "tester", &r, &err) == -1)
		fail_msg("ingest: %s", err.msg);
	ingest_batch_free(b);
	return r.incident;
}

static struct escalation_stats
tick(struct fx *f, int64_t at)
{
	struct escalation_stats st;
	struct err err;

	err_init(&err);
	if (escalation_tick(f->db.s, &f->esc, &f->oc, f->t0 + at, &st, &err) ==
	    -1)
		fail_msg("tick: %s", err.msg);
	return st;
}

static int64_t
count(struct fx *f, const char *fmt, int64_t id)
{
	char sql[512];

	snprintf(sql, sizeof sql, fmt, (long long)id);
	return unit_scalar(f->db.s, sql);
}

static char *
state_of(struct fx *f, int64_t inc)
{
	static char out[32];
	char sql[128];
	struct store_stmt *st;

	snprintf(sql, sizeof sql,
	    "SELECT state FROM escalations WHERE incident_id = %lld",
	    (long long)inc);
	st = store_prepare(f->db.s, sql, NULL);
	assert_non_null(st);
	out[0] = '\0';
	if (store_step(st) == STORE_ROW)
		snprintf(out, sizeof out, "%s", store_col_text(st, 0));
	store_finalize(st);
	return out;
}

#define THREE_LEVELS                                                           \
	"{ { after = '0m', notify = 'primary' }, { after = '10m', notify ="    \
	" 'secondary' }, { after = '30m', notify = { 'lead' } } }"

#define PAGES_TO(who)                                                            \
	"SELECT count(*) FROM pages WHERE incident_id = %lld AND person = '" who \
	"' AND kind = 'page'"

/* The first tick starts paging: what was open before is not paged. */
static void
test_levels_in_time(void **state)
{
	struct fx *f = *state;
	struct escalation_stats st;
	int64_t old, inc;

	setup_cfg(f, THREE_LEVELS);
	old = fire(f, "old", "critical", "firing");
	st = tick(f, 0);
	assert_int_equal(st.levels, 0);
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM actlog WHERE kind ="
	                     " 'paging.start' AND %lld > 0",
	                     1),
	    1);
	inc = fire(f, "disk", "critical", "firing");
	f->t0 = clock_now_us();
	st = tick(f, 1);
	assert_int_equal(st.started, 1);
	assert_int_equal(st.levels, 1);
	assert_int_equal(count(f, PAGES_TO("alice"), inc), 1);
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM pages WHERE"
	                     " incident_id = %lld",
	                     old),
	    0);
	assert_int_equal(tick(f, 9 * MIN).levels, 0);
	assert_int_equal(tick(f, 10 * MIN + 1).levels, 1);
	assert_int_equal(count(f, PAGES_TO("carol"), inc), 1);
	assert_int_equal(tick(f, 29 * MIN).levels, 0);
	assert_int_equal(tick(f, 31 * MIN).levels, 1);
	assert_int_equal(count(f, PAGES_TO("lead"), inc), 1);
	assert_string_equal(state_of(f, inc), "exhausted");
	assert_int_equal(tick(f, 600 * MIN).levels, 0);
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM actlog WHERE"
	                     " incident_id = %lld AND kind ="
	                     " 'escalation.level'",
	                     inc),
	    3);
	/* the page names the incident, its severity and the level */
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM pages WHERE"
	                     " incident_id = %lld AND text LIKE"
	                     " 'INC-%%[critical] disk: open %%(level 2"
	                     " of 3)'",
	                     inc),
	    1);
}

/* Acknowledging stops it and cancels what has not gone out yet. */
static void
test_ack_stops(void **state)
{
	struct fx *f = *state;
	struct incident_act a = { .actor = "bob" };
	int64_t inc;

	setup_cfg(f, THREE_LEVELS);
	tick(f, 0);
	inc = fire(f, "gpu", "error", "firing");
	f->t0 = clock_now_us();
	assert_int_equal(tick(f, 1).levels, 1);
	assert_int_equal(incident_ack(f->db.s, inc, &a, NULL), 0);
	assert_int_equal(tick(f, 2).stopped, 1);
	assert_string_equal(state_of(f, inc), "acked");
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM pages WHERE"
	                     " incident_id = %lld AND state ="
	                     " 'cancelled'",
	                     inc),
	    1);
	assert_int_equal(tick(f, 15 * MIN).levels, 0);
	assert_int_equal(tick(f, 45 * MIN).levels, 0);
	assert_int_equal(count(f, PAGES_TO("carol"), inc), 0);
	/* un-acknowledged (the TUI's undo): a new escalation */
	assert_int_equal(incident_unack(f->db.s, inc, &a, NULL), 0);
	assert_int_equal(tick(f, 46 * MIN).started, 1);
	assert_int_equal(count(f, PAGES_TO("alice"), inc), 2);
}

/* A snooze pauses it: the delays left resume after the snooze. */
static void
test_snooze_pauses(void **state)
{
	struct fx *f = *state;
	struct incident_act a = { .actor = "bob" };
	int64_t inc;

	setup_cfg(f, THREE_LEVELS);
	tick(f, 0);
	inc = fire(f, "queue", "critical", "firing");
	f->t0 = clock_now_us();
	assert_int_equal(tick(f, 1).levels, 1);
	assert_int_equal(
	    incident_snooze(f->db.s, inc, f->t0 + 20 * MIN, &a, NULL), 0);
	tick(f, 2);
	assert_string_equal(state_of(f, inc), "paused");
	assert_int_equal(tick(f, 15 * MIN).levels, 0);
	/* the snooze ran out at 20m; level 2 was 10m in, so at 30m */
	assert_int_equal(tick(f, 25 * MIN).levels, 0);
	assert_string_equal(state_of(f, inc), "active");
	assert_int_equal(tick(f, 29 * MIN).levels, 0);
	assert_int_equal(tick(f, 31 * MIN).levels, 1);
	assert_int_equal(count(f, PAGES_TO("carol"), inc), 1);
}

/* Resolving ends it and tells PagerDuty; a flap starts it again. */
static void
test_resolve_and_flap(void **state)
{
	struct fx *f = *state;
	struct pages_attempt ok = { "pagerduty", 1, NULL, 202 };
	struct pages_retry r = { 3, CLOCK_US_PER_SEC, 60 * CLOCK_US_PER_SEC };
	struct pages_due *d;
	int64_t inc, inc2;
	size_t n;
	int final;

	setup_cfg(f, THREE_LEVELS);
	tick(f, 0);
	inc = fire(f, "llm", "critical", "firing");
	f->t0 = clock_now_us();
	tick(f, 1);
	/* alice's page went out through PagerDuty */
	assert_int_equal(
	    pages_claim(f->db.s, f->t0 + 1, "h:1", MIN, 10, 0, &d, &n, NULL),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(
	    pages_record(f->db.s, &d[0], &ok, &r, f->t0 + 2, &final, NULL), 0);
	assert_int_equal(final, 1);
	pages_due_free(d, n);
	fire(f, "llm", "critical", "resolved");
	assert_int_equal(tick(f, 3).resolves, 1);
	assert_string_equal(state_of(f, inc), "resolved");
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM pages WHERE"
	                     " incident_id = %lld AND kind = 'resolve'"
	                     " AND channel = 'pagerduty' AND person ="
	                     " 'alice'",
	                     inc),
	    1);
	assert_int_equal(tick(f, 20 * MIN).levels, 0);
	/* it fires again within the flap guard: the same incident, again */
	inc2 = fire(f, "llm", "critical", "firing");
	assert_true(inc2 == inc);
	assert_int_equal(tick(f, 21 * MIN).started, 1);
	assert_int_equal(count(f, PAGES_TO("alice"), inc), 2);
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM actlog WHERE"
	                     " incident_id = %lld AND kind ="
	                     " 'escalation.start' AND detail LIKE"
	                     " '%%reopen%%'",
	                     inc),
	    1);
}

/* Without any escalation policy, a page sent by hand through PagerDuty
 * for an incident is still resolved there when the incident resolves. */
static void
test_resolve_without_policy(void **state)
{
	struct fx *f = *state;
	struct pages_attempt ok = { "pagerduty", 1, NULL, 202 };
	struct pages_retry r = { 3, CLOCK_US_PER_SEC, 60 * CLOCK_US_PER_SEC };
	struct pages_new p = { 0, PAGES_KIND_PAGE, "alice", NULL, -1, "look",
		"manual", "tester", NULL };
	struct pages_due *d;
	int64_t inc;
	size_t n;
	int final;

	setup_cfg(f, "nil");
	assert_int_equal(f->esc.n, 0);
	tick(f, 0);
	inc = fire(f, "man", "critical", "firing");
	f->t0 = clock_now_us();
	p.incident = inc;
	assert_int_equal(pages_queue(f->db.s, &p, f->t0, NULL, NULL), 0);
	assert_int_equal(tick(f, 1).levels, 0);
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM escalations WHERE"
	                     " incident_id = %lld",
	                     inc),
	    0);
	assert_int_equal(
	    pages_claim(f->db.s, f->t0 + 1, "h:1", MIN, 10, 0, &d, &n, NULL),
	    0);
	assert_int_equal(
	    pages_record(f->db.s, &d[0], &ok, &r, f->t0 + 2, &final, NULL), 0);
	pages_due_free(d, n);
	fire(f, "man", "critical", "resolved");
	assert_int_equal(tick(f, 3).resolves, 1);
}

/* A restart (the database closed and opened again) or a tick that
 * crashed before its commit: each level still fires exactly once; a
 * long outage catches up every level due, once. */
static void
test_restart_once(void **state)
{
	struct fx *f = *state;
	struct escalation_stats st;
	struct err err;
	int64_t inc;

	setup_cfg(f, THREE_LEVELS);
	tick(f, 0);
	inc = fire(f, "net", "warning", "firing");
	f->t0 = clock_now_us();
	assert_int_equal(tick(f, 1).levels, 1);
	store_close(f->db.s);
	err_init(&err);
	assert_non_null(f->db.s = store_open(f->db.path, &err));
	assert_int_equal(tick(f, 2).levels, 0);
	/* a tick that dies before committing leaves no trace */
	assert_int_equal(store_begin(f->db.s, &err), 0);
	assert_int_equal(escalation_tick(f->db.s, &f->esc, &f->oc,
	                     f->t0 + 40 * MIN, &st, &err),
	    0);
	assert_int_equal(st.levels, 2);
	store_rollback(f->db.s);
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM pages WHERE"
	                     " incident_id = %lld",
	                     inc),
	    1);
	/* back up after 40 minutes: levels 2 and 3 go out, once each */
	assert_int_equal(tick(f, 40 * MIN).levels, 2);
	assert_int_equal(tick(f, 41 * MIN).levels, 0);
	assert_int_equal(count(f, PAGES_TO("carol"), inc), 1);
	assert_int_equal(count(f, PAGES_TO("lead"), inc), 1);
}

/* loops: the levels again after loop_every, until acknowledged; an
 * outage fires each level of the latest round once. */
static void
test_loops(void **state)
{
	struct fx *f = *state;
	int64_t inc;

	setup_cfg(f,
	    "{ levels = { { after = '0m', notify = 'primary' },"
	    " { after = '10m', notify = 'secondary' } }, loops = 3,"
	    " loop_every = '1h' }");
	tick(f, 0);
	inc = fire(f, "loop", "critical", "firing");
	f->t0 = clock_now_us();
	assert_int_equal(tick(f, 1).levels, 1);
	assert_int_equal(tick(f, 11 * MIN).levels, 1);
	assert_int_equal(tick(f, 59 * MIN).levels, 0);
	assert_int_equal(tick(f, 61 * MIN).levels, 1);
	assert_int_equal(count(f, PAGES_TO("alice"), inc), 2);
	/* the box was down from 1h01 to 3h30: round 4's two levels, once */
	assert_int_equal(tick(f, 210 * MIN).levels, 2);
	assert_int_equal(count(f, PAGES_TO("alice"), inc), 3);
	assert_int_equal(count(f, PAGES_TO("carol"), inc), 2);
	assert_string_equal(state_of(f, inc), "exhausted");
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM pages WHERE"
	                     " incident_id = %lld AND text LIKE"
	                     " '%%round 4)'",
	                     inc),
	    2);
}

/* Policies: by severity, by label, else the last; none matching: none. */
static void
test_policies(void **state)
{
	struct fx *f = *state;
	int64_t a, b, c;

	setup_cfg(f,
	    "{ policies = {"
	    " { name = 'crit', severity = 'critical', levels = {"
	    "  { after = '0m', notify = 'lead' } } },"
	    " { name = 'ml', labels = { team = 'ml' }, levels = {"
	    "  { after = '0m', notify = 'carol' } } },"
	    " { name = 'warn', severity = { 'warning', 'error' },"
	    "  levels = { { after = '5m', notify = 'primary' } } } } }");
	tick(f, 0);
	a = fire(f, "cpu", "critical", "firing");
	b = fire(f, "ml", "error", "firing");
	c = fire(f, "info", "info", "firing");
	f->t0 = clock_now_us();
	tick(f, 1);
	assert_int_equal(count(f, PAGES_TO("lead"), a), 1);
	assert_int_equal(count(f, PAGES_TO("carol"), b), 1);
	assert_string_equal(state_of(f, c), "none");
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM escalations WHERE"
	                     " incident_id = %lld AND policy = 'ml'",
	                     b),
	    1);
}

/* A bad escalation config names what is wrong. */
static void
test_bad_config(void **state)
{
	static const struct {
		const char *esc, *want;
	} bad[] = {
		{ "{ { after = '5m', notify = 'nobody' } }",
		    "'nobody' is neither a rotation" },
		{ "{ { after = 'soon', notify = 'lead' } }", "after:" },
		{ "{ { after = '10m', notify = 'lead' }, { after = '5m',"
		  " notify = 'lead' } }",
		    "in order of time" },
		{ "{ levels = { { notify = 'lead' } }, loops = -1 }",
		    "loops:" },
		{ "{ policies = { { severity = 'urgent', levels = {"
		  " { notify = 'lead' } } } } }",
		    "severity:" },
	};
	struct fx *f = *state;
	char src[2048];
	struct err err;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct config *c;
		struct oncall oc;
		struct escalation e;

		snprintf(src, sizeof src, base_cfg, bad[i].esc);
		err_init(&err);
		assert_non_null(
		    c = config_parse(src, strlen(src), "t.lua", &err));
		assert_int_equal(oncall_load(c, &oc, &err), 0);
		assert_int_equal(escalation_load(c, &oc, &e, &err), -1);
		if (strstr(err.msg, bad[i].want) == NULL)
			fail_msg("%s: %s", bad[i].esc, err.msg);
		oncall_done(&oc);
		config_free(c);
	}
	(void)f;
}

/* Retries with backoff, then the next channel, then undeliverable;
 * every attempt is an action-log entry. */
static void
test_retry_and_fallback(void **state)
{
	struct fx *f = *state;
	struct pages_new p = { 0, PAGES_KIND_PAGE, "alice", NULL, -1, "hello",
		"manual", "tester", NULL };
	struct pages_retry r = { 2, 10 * CLOCK_US_PER_SEC,
		15 * CLOCK_US_PER_SEC };
	struct pages_attempt bad = { "slack", 2, "slack: HTTP 500", 500 };
	struct pages_due *d;
	int64_t id, t = 1000 * CLOCK_US_PER_SEC;
	size_t n;
	int final;

	assert_int_equal(pages_queue(f->db.s, &p, t, &id, NULL), 0);
	assert_int_equal(
	    pages_claim(f->db.s, t, "h:1", MIN, 10, id, &d, &n, NULL), 0);
	assert_int_equal(n, 1);
	/* claimed: nobody else gets it */
	{
		struct pages_due *d2;
		size_t n2;

		assert_int_equal(
		    pages_claim(f->db.s, t, "h:2", MIN, 10, 0, &d2, &n2, NULL),
		    0);
		assert_int_equal(n2, 0);
		pages_due_free(d2, n2);
	}
	assert_int_equal(
	    pages_record(f->db.s, d, &bad, &r, t, &final, NULL), 0);
	assert_int_equal(final, 0);
	assert_int_equal(count(f, "SELECT next_try_at - %lld FROM pages", t),
	    10 * CLOCK_US_PER_SEC);
	assert_int_equal(
	    pages_record(f->db.s, d, &bad, &r, t, &final, NULL), 0);
	assert_int_equal(final, 0);
	/* two failures on slack: email, at once */
	assert_int_equal(
	    count(f, "SELECT chan_idx FROM pages WHERE id = %lld", id), 1);
	bad.channel = "email";
	bad.error = "email: 554";
	assert_int_equal(
	    pages_record(f->db.s, d, &bad, &r, t, &final, NULL), 0);
	assert_int_equal(count(f, "SELECT next_try_at - %lld FROM pages", t),
	    10 * CLOCK_US_PER_SEC);
	assert_int_equal(
	    pages_record(f->db.s, d, &bad, &r, t, &final, NULL), 0);
	assert_int_equal(final, 1);
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM pages WHERE id = %lld"
	                     " AND state = 'undeliverable'",
	                     id),
	    1);
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM actlog WHERE kind ="
	                     " 'page.failed' AND detail LIKE"
	                     " '%%\"attempt\":4%%' AND %lld",
	                     1),
	    1);
	assert_int_equal(count(f,
	                     "SELECT count(*) FROM actlog WHERE kind ="
	                     " 'page.undeliverable' AND %lld",
	                     1),
	    1);
	pages_due_free(d, n);
	{
		struct pages_alarm al;
		json_t *sent;
		int64_t failed;

		assert_int_equal(pages_alarm(f->db.s, 0, &al, NULL), 0);
		assert_int_equal(al.count, 1);
		assert_string_equal(al.person, "alice");
		assert_int_equal(
		    pages_counts(f->db.s, &sent, &failed, NULL), 0);
		assert_int_equal(failed, 1);
		json_decref(sent);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_levels_in_time, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_ack_stops, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_snooze_pauses, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolve_and_flap, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolve_without_policy, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_restart_once, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_loops, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_policies, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_config, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_retry_and_fallback, fx_setup, fx_teardown),
	};

	tzone_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
