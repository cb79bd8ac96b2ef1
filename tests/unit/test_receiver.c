/* test_receiver.c: what owl serve keeps in the database besides ingest:
 * pulls that resolve vanished alerts (engine/receiver.c), the silences
 * owl made (engine/silence.c), the replay cache of signed deliveries
 * (engine/receiver.c), and store_open beside an open connection
 * not dropping that connection's locks (engine/store.c). */
#include "unit.h"

#include "engine/actlog.h"
#include "engine/incident.h"
#include "engine/receiver.h"
#include "engine/silence.h"
#include "engine/store.h"

/* A pulled alert as serve_pull.c builds it. */
static struct alert
pulled(const char *fp, const char *name)
{
	static char labels[4][128];
	static int next;
	struct alert a;
	char *l = labels[next++ % 4];

	memset(&a, 0, sizeof a);
	snprintf(l, 128, "{\"alertname\":\"%s\"}", name);
	a.source = "alertmanager";
	a.fingerprint = (char *)fp;
	a.group_key = (char *)"{}:{alertname=\"Disk\"}";
	a.labels_json = l;
	a.annotations_json = (char *)"{}";
	a.title = (char *)name;
	a.severity = SEVERITY_WARNING;
	return a;
}

static void
pull_as(struct store *s, const char *url, struct alert *a, size_t n,
    int resolve, struct receiver_pull_result *r)
{
	struct err err;

	err_init(&err);
	if (receiver_pull(s, url, a, n, resolve, "tester", r, &err) == -1)
		fail_msg("pull: %s", err.msg);
}

static void
pull(struct store *s, const char *url, struct alert *a, size_t n,
    struct receiver_pull_result *r)
{
	pull_as(s, url, a, n, 1, r);
}

static void
test_pull_resolves_vanished(void **state)
{
	struct unit_db *f = *state;
	const char *am1 = "http://am1:9093", *am2 = "http://am2:9093";
	struct alert two[2] = { pulled("aaaa", "Disk"),
		pulled("bbbb", "Disk") };
	struct receiver_pull_result r;

	pull(f->s, am1, two, 2, &r);
	assert_int_equal(r.alerts, 2);
	assert_int_equal(r.new_alerts, 2);
	assert_int_equal(r.resolved, 0);
	assert_int_equal(receiver_open_incidents(f->s), 1);

	/* the same list again: nothing changes */
	pull(f->s, am1, two, 2, &r);
	assert_int_equal(r.new_alerts, 0);
	assert_int_equal(r.resolved, 0);

	/* another Alertmanager that does not list them resolves nothing */
	pull(f->s, am2, NULL, 0, &r);
	assert_int_equal(r.resolved, 0);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM alerts WHERE "
	                     "resolved = 0"),
	    2);

	/* am1 restarted and lists nothing yet: while it settles, nothing is
	 * resolved, and what it lists again counts as seen */
	pull_as(f->s, am1, NULL, 0, 0, &r);
	assert_int_equal(r.resolved, 0);
	pull_as(f->s, am1, two, 2, 0, &r);
	assert_int_equal(r.resolved, 0);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM alerts WHERE "
	                     "resolved = 0"),
	    2);

	/* bbbb vanished from am1's list: resolved, incident still open */
	pull(f->s, am1, two, 1, &r);
	assert_int_equal(r.resolved, 1);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT resolved FROM alerts WHERE "
	                     "fingerprint = 'bbbb'"),
	    1);
	assert_int_equal(receiver_open_incidents(f->s), 1);

	/* and the last one: the incident resolves itself */
	pull(f->s, am1, NULL, 0, &r);
	assert_int_equal(r.resolved, 1);
	assert_int_equal(r.incidents_resolved, 1);
	assert_int_equal(receiver_open_incidents(f->s), 0);
	assert_int_equal(
	    unit_scalar(f->s, "SELECT count(*) FROM pull_seen"), 0);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog WHERE "
	                     "kind = 'alert.resolve' AND actor = 'tester'"),
	    2);
}

static void
test_silences(void **state)
{
	struct unit_db *f = *state;
	struct alert one = pulled("cccc", "Disk");
	struct receiver_pull_result r;
	struct silence *list = NULL;
	char *url = NULL;
	int from_sender = -1;
	int64_t later = INT64_C(4102444800000000); /* 2100 */
	struct err err;
	size_t n = 0;

	pull(f->s, "http://am:9093/", &one, 1, &r);
	err_init(&err);
	assert_int_equal(silence_am_url(f->s, 1, &url, &from_sender, &err), 0);
	assert_string_equal(url, "http://am:9093/");
	assert_int_equal(from_sender, 0); /* --pull listed it */
	free(url);
	assert_int_equal(silence_am_url(f->s, 99, &url, NULL, &err), 0);
	assert_null(url);

	assert_int_equal(silence_add(f->s, 1, "http://am:9093", "sid-1", "cccc",
	                     "tester", later, "looking", &err),
	    0);
	assert_int_equal(silence_list(f->s, 1, 1, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].silence_id, "sid-1");
	assert_string_equal(list[0].fingerprint, "cccc");
	assert_string_equal(list[0].created_by, "tester");
	assert_int_equal(list[0].ends_at, later);
	assert_int_equal(list[0].expired_at, 0);
	silence_list_free(list, n);

	/* not due while the incident is open */
	assert_int_equal(silence_due(f->s, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	silence_list_free(list, n);
	pull(f->s, "http://am:9093/", NULL, 0, &r);
	assert_int_equal(receiver_open_incidents(f->s), 0);
	assert_int_equal(silence_due(f->s, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(
	    silence_expire(f->s, list[0].id, "owl-serve", "resolved", &err), 0);
	silence_list_free(list, n);
	assert_int_equal(silence_due(f->s, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	silence_list_free(list, n);
	assert_int_equal(silence_list(f->s, 1, 1, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	silence_list_free(list, n);
	assert_int_equal(silence_list(f->s, 1, 0, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_true(list[0].expired_at > 0);
	silence_list_free(list, n);
	assert_int_equal(
	    unit_scalar(f->s,
	        "SELECT count(*) FROM actlog WHERE kind "
	        "IN ('incident.silence', 'incident.unsilence') AND "
	        "incident_id = 1"),
	    2);
	assert_int_equal(silence_expire(f->s, 42, "x", "y", &err), -1);

	/* an Alertmanager behind basic auth: the silence keeps the URL it
	 * needs to expire it, the permanent action log never the password */
	assert_int_equal(silence_add(f->s, 1, "http://admin:hunter2@am:9093",
	                     "sid-2", "cccc", "tester", later, NULL, &err),
	    0);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM silences WHERE"
	                     " am_url = 'http://admin:hunter2@am:9093'"),
	    1);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog WHERE"
	                     " detail LIKE '%hunter2%'"),
	    0);
	assert_int_equal(unit_scalar(f->s,
	                     "SELECT count(*) FROM actlog WHERE detail LIKE"
	                     " '%\"http://***@am:9093\"%'"),
	    1);
}

/* A second store_open of the same file in one process must not drop
 * the locks of the first connection: with them gone, another process
 * closing its connection believes it is the last one and deletes the
 * WAL under the first (SQLite howtocorrupt.html §2.2). */
static void
test_second_open_keeps_locks(void **state)
{
	struct unit_db *f = *state;
	struct store *other;
	char *wal, cmd[4200];
	struct err err;

	err_init(&err);
	assert_int_equal(store_exec(f->s,
	                     "CREATE TABLE t(x);"
	                     "INSERT INTO t VALUES (1)",
	                     &err),
	    0);
	other = store_open(f->path, &err);
	assert_non_null(other);
	/* another process opens and closes the database */
	snprintf(cmd, sizeof cmd,
	    "sqlite3 '%s' 'SELECT count(*) FROM t' "
	    ">/dev/null",
	    f->path);
	assert_int_equal(system(cmd), 0);
	wal = unit_path(f->dir, "owl.db-wal");
	assert_int_equal(access(wal, F_OK), 0);
	free(wal);
	store_close(other);
	assert_int_equal(unit_scalar(f->s, "SELECT count(*) FROM t"), 1);
}

/* The replay cache: a signature is new once; a second use within the
 * transaction or later is a replay; a rolled-back use is forgotten (a
 * delivery whose alerts were not committed may be retried); purged once
 * out of the window. */
static void
test_signature_replays(void **state)
{
	struct unit_db *f = *state;
	unsigned char a[32], b[32];
	struct err err;

	memset(a, 0xa5, sizeof a);
	memset(b, 0x5a, sizeof b);
	err_init(&err);
	assert_int_equal(store_begin(f->s, &err), 0);
	assert_int_equal(receiver_signature_use(f->s, a, 32, 1000, &err), 0);
	assert_int_equal(receiver_signature_use(f->s, a, 32, 1000, &err), 1);
	assert_int_equal(store_commit(f->s, &err), 0);
	assert_int_equal(receiver_signature_use(f->s, a, 32, 1000, &err), 1);
	/* rolled back: as if never seen */
	assert_int_equal(store_begin(f->s, &err), 0);
	assert_int_equal(receiver_signature_use(f->s, b, 32, 5000, &err), 0);
	store_rollback(f->s);
	assert_int_equal(receiver_signature_use(f->s, b, 32, 5000, &err), 0);
	/* out of the window */
	assert_int_equal(receiver_signatures_purge(f->s, 2000, &err), 0);
	assert_int_equal(
	    unit_scalar(f->s, "SELECT count(*) FROM signatures_seen"), 1);
	assert_int_equal(receiver_signature_use(f->s, b, 32, 5000, &err), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pull_resolves_vanished,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_silences, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_second_open_keeps_locks,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_signature_replays, unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
