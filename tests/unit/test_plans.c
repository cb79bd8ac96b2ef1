/* test_plans.c: every statement a hot path runs (a webhook's ingest, the
 * incident list and its counts in each order, `owl show`, the action-log
 * filters, "changed since you looked") is captured with a trace hook as
 * it runs, then checked with EXPLAIN QUERY PLAN: none scans alerts or
 * actlog, the ingest scans no incidents and counts no incident's alerts,
 * no list sorts, and the list's unfiltered counts read the counts by
 * state; a run's start sorts no plans. And the incremental incident
 * aggregates, and those counts, stay equal to a full count over any
 * sequence of deliveries and actions. */
#include "unit.h"

#include "engine/actlog.h"
#include "engine/clock.h"
#include "engine/incident.h"
#include "engine/rb_runs.h"
#include "engine/store_sqlite.h"
#include "integrations/ingest.h"

#define PLANS_MAX 256

struct plans {
	char *sql[PLANS_MAX];
	int phase[PLANS_MAX];
	int n;
	int now; /* the phase being traced */
};

enum { PHASE_INGEST = 1, PHASE_LIST, PHASE_READ };

static int
plans_trace(unsigned type, void *ctx, void *p, void *x)
{
	struct plans *pl = ctx;
	const char *sql = sqlite3_sql(p);

	(void)type;
	(void)x;
	if (sql == NULL || strncmp(sql, "--", 2) == 0 || pl->now == 0)
		return 0;
	for (int i = 0; i < pl->n; i++)
		if (pl->phase[i] == pl->now && strcmp(pl->sql[i], sql) == 0)
			return 0;
	assert_true(pl->n < PLANS_MAX);
	pl->sql[pl->n] = strdup(sql);
	assert_non_null(pl->sql[pl->n]);
	pl->phase[pl->n++] = pl->now;
	return 0;
}

static void
ingest_body(struct store *s, const char *body)
{
	struct ingest_batch *b;
	struct err err;

	err_init(&err);
	b = ingest_parse(INGEST_GENERIC, body, strlen(body), &err);
	assert_non_null(b);
	assert_int_equal(ingest_store(s, b, "test", NULL, &err), 0);
	ingest_batch_free(b);
}

static int
count_row(struct incident *inc, void *ctx)
{
	(void)inc;
	(*(int *)ctx)++;
	return 0;
}

static int
count_entry(const struct actlog_entry *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static void
run_hot_paths(struct store *s, struct plans *pl)
{
	static const char *const filters[] = { NULL, "team=ml", "INC-1" };
	struct incident_counts c;
	struct incident_alert *al;
	struct incident inc;
	struct err err;
	size_t n;
	int rows = 0;

	err_init(&err);
	pl->now = PHASE_INGEST;
	ingest_body(s,
	    "{\"id\":\"a\",\"title\":\"t\",\"status\":\"firing\","
	    "\"group\":\"g\",\"labels\":{\"team\":\"ml\"}}");
	ingest_body(s,
	    "{\"id\":\"b\",\"title\":\"t\",\"status\":\"firing\","
	    "\"group\":\"g\",\"severity\":\"critical\"}");
	ingest_body(s,
	    "{\"id\":\"a\",\"title\":\"t\",\"status\":\"firing\","
	    "\"group\":\"g\",\"labels\":{\"team\":\"ml\"}}");
	ingest_body(s,
	    "{\"id\":\"b\",\"title\":\"t\",\"status\":\"resolved\","
	    "\"group\":\"g\",\"severity\":\"critical\"}");
	ingest_body(s, "{\"id\":\"c\",\"title\":\"u\",\"status\":\"firing\"}");
	pl->now = PHASE_LIST;
	for (int o = INCIDENT_ORDER_SEVERITY; o <= INCIDENT_ORDER_ID; o++)
		for (size_t f = 0; f < 3; f++)
			for (int off = 0; off < 3; off += 2) {
				struct incident_page p = { .order = o,
					.state = -1,
					.filter = filters[f],
					.now = clock_now_us(),
					.offset = off,
					.limit = 50 };

				assert_int_equal(
				    incident_count(s, &p, &c, &err), 0);
				assert_int_equal(incident_each(s, &p, count_row,
				                     &rows, &err),
				    0);
				p.all = 1;
				assert_int_equal(incident_each(s, &p, count_row,
				                     &rows, &err),
				    0);
				p.state = INCIDENT_ACKNOWLEDGED;
				assert_int_equal(incident_each(s, &p, count_row,
				                     &rows, &err),
				    0);
			}
	assert_true(rows > 0);
	(void)incident_last_alert_at(s);
	pl->now = PHASE_READ;
	assert_int_equal(incident_get(s, 1, &inc, &err), 0);
	assert_int_equal(incident_alerts(s, 1, &al, &n, &err), 0);
	incident_alerts_free(al, n);
	for (int i = 0; i < 8; i++) {
		struct actlog_filter f = { .incident = i & 1 ? 1 : 0,
			.run = i & 2 ? 1 : 0,
			.limit = i & 4 ? 50 : 0,
			.after_id = 1 };

		assert_int_equal(
		    actlog_each(s, &f, count_entry, &rows, &err), 0);
	}
	{
		struct incident_act a = { .expect_version = 1 };

		/* changed since you looked: refused, naming the change */
		assert_int_equal(incident_ack(s, 1, &a, &err), -1);
	}
	incident_done(&inc);
	pl->now = 0;
}

/* Counts (and names) the plan lines that scan a big table, or sort a
 * list. */
static int
check_plan(struct store *s, const char *sql, int phase)
{
	char *q = malloc(strlen(sql) + 32);
	sqlite3_stmt *st;
	int nbad = 0;

	sprintf(q, "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(
	    sqlite3_prepare_v2(store_sqlite_db(s), q, -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);
		int bad = strncmp(d, "SCAN alerts", 11) == 0 ||
		    strncmp(d, "SCAN actlog", 11) == 0 ||
		    (phase == PHASE_INGEST &&
		        strncmp(d, "SCAN incidents", 14) == 0) ||
		    (phase == PHASE_INGEST && strstr(sql, "count(") != NULL) ||
		    (phase == PHASE_LIST && strstr(d, "TEMP B-TREE") != NULL) ||
		    /* an unfiltered count reads the counts by state, never
		     * the incidents (but the few snoozed ones) */
		    (phase == PHASE_LIST && strstr(sql, "count(") != NULL &&
		        strstr(sql, " LIKE ") == NULL &&
		        strstr(sql, "snoozed_until") == NULL &&
		        strstr(d, "incidents") != NULL);

		if (bad)
			fprintf(stderr, "# %s\n#   -> %s\n", sql, d);
		nbad += bad;
	}
	sqlite3_finalize(st);
	free(q);
	return nbad;
}

static void
test_hot_queries_use_indexes(void **state)
{
	struct unit_db *f = *state;
	struct plans pl = { .n = 0 };
	int seen[4] = { 0 }, bad = 0;

	sqlite3_trace_v2(
	    store_sqlite_db(f->s), SQLITE_TRACE_STMT, plans_trace, &pl);
	run_hot_paths(f->s, &pl);
	sqlite3_trace_v2(store_sqlite_db(f->s), 0, NULL, NULL);
	for (int i = 0; i < pl.n; i++) {
		bad += check_plan(f->s, pl.sql[i], pl.phase[i]);
		seen[pl.phase[i]]++;
		free(pl.sql[i]);
	}
	assert_int_equal(bad, 0);
	/* the trace saw each path (a test that checks nothing fails) */
	assert_true(seen[PHASE_INGEST] >= 5);
	assert_true(seen[PHASE_LIST] >= 10);
	assert_true(seen[PHASE_READ] >= 8);
}

/* A run's start reads the step count of its runbook's newest ok plan
 * (rb_runs_plan_steps) off an index: no sort of every plan that version
 * ever made (a run's cost must not grow with the history). */
static void
test_run_start_sorts_no_plans(void **state)
{
	struct unit_db *f = *state;
	struct plans pl = { .n = 0 };
	int bad = 0;

	sqlite3_trace_v2(
	    store_sqlite_db(f->s), SQLITE_TRACE_STMT, plans_trace, &pl);
	pl.now = PHASE_LIST; /* a sort is what this checks for */
	assert_int_equal(rb_runs_plan_steps(f->s, "rb", "0123"), 0);
	pl.now = 0;
	sqlite3_trace_v2(store_sqlite_db(f->s), 0, NULL, NULL);
	for (int i = 0; i < pl.n; i++) {
		bad += check_plan(f->s, pl.sql[i], PHASE_LIST);
		free(pl.sql[i]);
	}
	assert_true(pl.n >= 1);
	assert_int_equal(bad, 0);
}

/* The check itself catches what it is for: the old catch-all filter. */
static void
test_catch_all_is_caught(void **state)
{
	struct unit_db *f = *state;
	sqlite3_stmt *st;
	int scans = 0;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(f->s),
	                     "EXPLAIN QUERY PLAN SELECT id FROM actlog WHERE"
	                     " (?1 = 0 OR incident_id = ?1)",
	                     -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		scans += strncmp((const char *)sqlite3_column_text(st, 3),
		             "SCAN actlog", 11) == 0;
	sqlite3_finalize(st);
	assert_int_equal(scans, 1);
}

/* Every incident's alert_count, firing_count and severity equal a full
 * count of its alerts. */
static void
check_aggregates(struct store *s, int step)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(s),
	                     "SELECT i.id, i.alert_count, i.firing_count,"
	                     " i.severity, count(a.id), coalesce(sum("
	                     "a.resolved = 0), 0), coalesce(max(a.severity),"
	                     " i.severity) FROM incidents i LEFT JOIN alerts"
	                     " a ON a.incident_id = i.id GROUP BY i.id",
	                     -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int k = 1; k <= 3; k++)
			if (sqlite3_column_int64(st, k) !=
			    sqlite3_column_int64(st, k + 3))
				fail_msg("step %d: INC-%lld column %d is %lld,"
				         " a full count says %lld",
				    step,
				    (long long)sqlite3_column_int64(st, 0), k,
				    (long long)sqlite3_column_int64(st, k),
				    (long long)sqlite3_column_int64(st, k + 3));
	}
	sqlite3_finalize(st);
	/* the counts by state the triggers keep */
	assert_int_equal(sqlite3_prepare_v2(store_sqlite_db(s),
	                     "SELECT i.state, count(*), coalesce((SELECT n"
	                     " FROM incident_counts c WHERE c.state ="
	                     " i.state), -1) FROM incidents i GROUP BY"
	                     " i.state",
	                     -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_column_int64(st, 1) != sqlite3_column_int64(st, 2))
			fail_msg("step %d: %lld incidents in state %lld, the "
			         "counts say %lld",
			    step, (long long)sqlite3_column_int64(st, 1),
			    (long long)sqlite3_column_int64(st, 0),
			    (long long)sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	assert_int_equal(unit_scalar(s, "SELECT count(*) FROM incidents"),
	    unit_scalar(s, "SELECT total(n) FROM incident_counts"));
}

static void
test_aggregates_incremental(void **state)
{
	static const char *const sev[] = { "info", "warning", "error",
		"critical" };
	struct unit_db *f = *state;
	char body[512];
	unsigned seed = 12;

	for (int i = 0; i < 600; i++) {
		int fp = rand_r(&seed) % 40, grp = fp % 4;

		snprintf(body, sizeof body,
		    "{\"id\":\"fp%d\",\"group\":\"g%d\",\"title\":\"t\","
		    "\"status\":\"%s\",\"severity\":\"%s\","
		    "\"labels\":{\"v\":\"%d\"}}",
		    fp, grp, rand_r(&seed) % 3 == 0 ? "resolved" : "firing",
		    sev[rand_r(&seed) % 4], rand_r(&seed) % 2);
		ingest_body(f->s, body);
		if (i % 7 == 3) { /* an engineer acts: the counts follow */
			struct incident_act a = { .actor = "erin" };
			int64_t id = 1 +
			    rand_r(&seed) %
			        unit_scalar(
			            f->s, "SELECT max(id) FROM incidents");
			struct err err;

			err_init(&err);
			if (rand_r(&seed) % 2)
				(void)incident_ack(f->s, id, &a, &err);
			else
				(void)incident_resolve(f->s, id, &a, &err);
		}
		check_aggregates(f->s, i);
	}
	assert_true(unit_scalar(f->s, "SELECT count(*) FROM incidents") > 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hot_queries_use_indexes,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_catch_all_is_caught, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_aggregates_incremental,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_run_start_sorts_no_plans,
		    unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
