/* test_actlog.c: the hash-chained action log (engine/actlog.c): appends,
 * concurrent appends from several processes, and each way of tampering
 * that `owl audit verify` must catch. */
#include "unit.h"

#include <sys/wait.h>

#include "engine/actlog.h"
#include "engine/store.h"

static void
append_n(struct store *s, int n)
{
	struct actlog_new e = { .actor = "alice", .kind = "test.entry" };
	char detail[64];
	struct err err;
	int64_t id;

	for (int i = 0; i < n; i++) {
		snprintf(detail, sizeof detail, "{\"i\":%d}", i);
		e.detail = detail;
		e.incident = i % 3 == 0 ? 7 : 0;
		e.run = i % 5 == 0 ? 11 : 0;
		err_init(&err);
		assert_int_equal(actlog_append(s, &e, &id, &err), 0);
		assert_true(id > 0);
	}
}

static void
verify(struct store *s, int64_t count, int64_t bad)
{
	struct actlog_check c;
	struct err err;

	err_init(&err);
	assert_int_equal(actlog_verify(s, &c, &err), 0);
	if (c.bad_id != bad)
		fprintf(stderr, "# bad_id %lld (%s), want %lld\n",
		    (long long)c.bad_id, c.why, (long long)bad);
	assert_int_equal(c.bad_id, bad);
	if (bad == 0)
		assert_int_equal(c.count, count);
}

/* Tampers behind owl's back: the triggers only stop accidents. */
static void
tamper(struct store *s, const char *sql)
{
	struct err err;

	err_init(&err);
	assert_int_equal(store_exec(s,
	                     "DROP TRIGGER IF EXISTS actlog_no_update;"
	                     "DROP TRIGGER IF EXISTS actlog_no_delete;",
	                     &err),
	    0);
	assert_int_equal(store_exec(s, sql, &err), 0);
}

static void
test_empty_and_intact(void **state)
{
	struct unit_db *f = *state;

	verify(f->s, 0, 0);
	append_n(f->s, 50);
	verify(f->s, 50, 0);
}

static void
test_triggers_refuse_changes(void **state)
{
	struct unit_db *f = *state;
	struct err err;

	append_n(f->s, 3);
	err_init(&err);
	assert_int_equal(
	    store_exec(f->s, "UPDATE actlog SET actor = 'eve'", &err), -1);
	assert_non_null(strstr(err.msg, "append-only"));
	err_init(&err);
	assert_int_equal(store_exec(f->s, "DELETE FROM actlog", &err), -1);
	verify(f->s, 3, 0);
}

static void
test_changed_row(void **state)
{
	struct unit_db *f = *state;

	append_n(f->s, 20);
	tamper(f->s, "UPDATE actlog SET detail = '{\"i\":99}' WHERE id = 7");
	verify(f->s, 0, 7);
}

static void
test_changed_row_rehashed(void **state)
{
	struct unit_db *f = *state;

	/* the attacker rewrites row 7's hash too: row 8 no longer links */
	append_n(f->s, 20);
	tamper(f->s,
	    "UPDATE actlog SET actor = 'eve', hash = "
	    "'1111111111111111111111111111111111111111111111111111111111111111'"
	    " WHERE id = 7");
	verify(f->s, 0, 7);
}

static void
test_deleted_row(void **state)
{
	struct unit_db *f = *state;

	append_n(f->s, 20);
	tamper(f->s, "DELETE FROM actlog WHERE id = 12");
	verify(f->s, 0, 12);
}

static void
test_reordered_rows(void **state)
{
	struct unit_db *f = *state;

	append_n(f->s, 20);
	tamper(f->s,
	    "UPDATE actlog SET id = -5 WHERE id = 5;"
	    "UPDATE actlog SET id = 5 WHERE id = 6;"
	    "UPDATE actlog SET id = 6 WHERE id = -5;");
	verify(f->s, 0, 5);
}

static void
test_truncated_tail(void **state)
{
	struct unit_db *f = *state;

	append_n(f->s, 20);
	tamper(f->s, "DELETE FROM actlog WHERE id > 17");
	verify(f->s, 0, 18);
}

static int
collect(const struct actlog_entry *e, void *ctx)
{
	int *n = ctx;

	assert_non_null(e->hash);
	assert_int_equal(strlen(e->hash), 64);
	assert_string_equal(e->actor, "alice");
	(*n)++;
	return 0;
}

static void
test_each_filters(void **state)
{
	struct unit_db *f = *state;
	struct actlog_filter flt = { 0 };
	struct err err;
	int n;

	append_n(f->s, 30);

	err_init(&err);
	n = 0;
	flt.incident = 7;
	assert_int_equal(actlog_each(f->s, &flt, collect, &n, &err), 0);
	assert_int_equal(n, 10); /* i % 3 == 0 for i in 0..29 */
	n = 0;
	flt.incident = 0;
	flt.limit = 4;
	assert_int_equal(actlog_each(f->s, &flt, collect, &n, &err), 0);
	assert_int_equal(n, 4);
}

/* Appends inside one transaction reuse the cached tail; a rolled-back
 * transaction must not leave a stale tail behind for the next one. */
static void
test_tail_cache_and_rollback(void **state)
{
	struct unit_db *f = *state;
	struct actlog_new e = { .actor = "bob", .kind = "test.tail" };
	struct err err;
	int64_t id;

	err_init(&err);
	assert_int_equal(store_begin(f->s, &err), 0);
	append_n(f->s, 30);
	assert_int_equal(store_commit(f->s, &err), 0);
	verify(f->s, 30, 0);
	assert_int_equal(store_begin(f->s, &err), 0);
	append_n(f->s, 5);
	store_rollback(f->s);
	assert_int_equal(actlog_append(f->s, &e, &id, &err), 0);
	assert_int_equal(id, 31);
	/* another connection appends between two of ours */
	struct store *other = store_open(f->path, &err);
	assert_non_null(other);
	assert_int_equal(actlog_append(other, &e, &id, &err), 0);
	assert_int_equal(id, 32);
	store_close(other);
	assert_int_equal(actlog_append(f->s, &e, &id, &err), 0);
	assert_int_equal(id, 33);
	verify(f->s, 33, 0);
}

/* Four processes append 500 rows each at the same time; the chain must
 * come out whole, with every row present. */
static void
test_concurrent_processes(void **state)
{
	struct unit_db *f = *state;
	pid_t pids[4];
	int status;

	for (int p = 0; p < 4; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			struct actlog_new e = { .kind = "test.concurrent" };
			struct store *s;
			struct err err;

			err_init(&err);
			if ((s = store_open(f->path, &err)) == NULL)
				_exit(1);
			for (int i = 0; i < 500; i++)
				if (actlog_append(s, &e, NULL, &err) == -1) {
					fprintf(stderr, "# %s\n", err.msg);
					_exit(1);
				}
			store_close(s);
			_exit(0);
		}
	}
	for (int p = 0; p < 4; p++) {
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	verify(f->s, 2000, 0);
}

/* The hashes follow the encoding documented in actlog.h, whatever the
 * size of a field: known answers computed apart (Python's hashlib over
 * the documented bytes), with a detail and a kind past the encoder's
 * buffer, NULL and non-NULL ids. */
struct kat {
	char *hash[4];
	int n;
};

static int
kat_collect(const struct actlog_entry *e, void *ctx)
{
	struct kat *k = ctx;

	if (k->n < 4)
		k->hash[k->n++] = strdup(e->hash);
	return 0;
}

static void
test_known_hashes(void **state)
{
	static const char *const want[] = {
		"a596f4a16c3895500b34dbdf252f8b0cc914f48cac83fdf860021248ff7d746f",
		"28ec27ba5ae2bf9a07e772e8c16696edbeb46ee5c639d40d72b91a13b8f3deed",
		"c493c27db2c25ecbf8e4013c4c490e8915d737ebbfdd1d1aab3540201fbdb7de",
	};
	struct unit_db *f = *state;
	char big[3100], kind[1011], mid[1000];
	struct actlog_new e = {
		.actor = "alice", .kind = "test.kat", .detail = "{\"a\":1}"
	};
	struct actlog_filter all = { 0 };
	struct kat k = { { NULL }, 0 };
	struct err err;

	snprintf(big, sizeof big, "{\"x\":\"%0*d\"}", 3000, 0);
	memset(big + 6, 'y', 3000);
	memset(kind, 'k', 1010);
	kind[1010] = '\0';
	snprintf(mid, sizeof mid, "{\"b\":\"%0*d\"}", 990, 0);
	memset(mid + 6, 'w', 990);
	err_init(&err);
	assert_int_equal(
	    actlog_append_at(f->s, &e, 1700000000000000, NULL, &err), 0);
	e = (struct actlog_new){ .actor = "bob",
		.incident = 7,
		.run = 11,
		.kind = "test.kat",
		.detail = big };
	assert_int_equal(
	    actlog_append_at(f->s, &e, 1700000000000001, NULL, &err), 0);
	e = (struct actlog_new){
		.actor = "carol", .incident = 7, .kind = kind, .detail = mid
	};
	assert_int_equal(
	    actlog_append_at(f->s, &e, 1700000000000002, NULL, &err), 0);
	assert_int_equal(actlog_each(f->s, &all, kat_collect, &k, &err), 0);
	assert_int_equal(k.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(k.hash[i], want[i]);
		free(k.hash[i]);
	}
	verify(f->s, 3, 0);
}

struct details {
	char *d[3];
	int n;
};

static int
details_collect(const struct actlog_entry *e, void *ctx)
{
	struct details *k = ctx;

	if (k->n < 3)
		k->d[k->n++] = strdup(e->detail);
	return 0;
}

/* actlog_append_json writes json_dumps(detail, flags), byte for byte
 * (the rows its callers wrote before it were dumped with their own
 * flags, and the text is hashed), and NULL (a failed json_pack) is an
 * error that appends nothing. */
static void
test_append_json(void **state)
{
	struct unit_db *f = *state;
	struct actlog_new e = {
		.actor = "alice", .incident = 3, .kind = "t.j"
	};
	struct actlog_filter all = { 0 };
	struct details k = { { NULL }, 0 };
	struct err err;
	int64_t id = 0;

	err_init(&err);
	assert_int_equal(actlog_append_json(f->s, &e,
	                     json_pack("{s:i, s:s}", "b", 1, "a", "x"),
	                     JSON_COMPACT, &id, &err),
	    0);
	assert_true(id > 0);
	assert_int_equal(actlog_append_json(f->s, &e,
	                     json_pack("{s:i, s:s}", "b", 1, "a", "x"),
	                     JSON_COMPACT | JSON_SORT_KEYS, NULL, &err),
	    0);
	assert_int_equal(
	    actlog_append_json(f->s, &e, NULL, JSON_COMPACT, NULL, &err), -1);
	assert_string_equal(err.msg, "out of memory");
	err_init(&err);
	assert_int_equal(actlog_each(f->s, &all, details_collect, &k, &err), 0);
	assert_int_equal(k.n, 2);
	assert_string_equal(k.d[0], "{\"b\":1,\"a\":\"x\"}");
	assert_string_equal(k.d[1], "{\"a\":\"x\",\"b\":1}");
	free(k.d[0]);
	free(k.d[1]);
	verify(f->s, 2, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_empty_and_intact, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_triggers_refuse_changes,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_changed_row, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_changed_row_rehashed, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_deleted_row, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_reordered_rows, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_truncated_tail, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_each_filters, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_tail_cache_and_rollback,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_concurrent_processes, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_known_hashes, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_append_json, unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests_name("actlog", tests, NULL, NULL);
}
