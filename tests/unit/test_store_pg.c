/* test_store_pg.c: the parts of the PostgreSQL backend that need no
 * server (tests/18-store-pg.t has one): SQLite's ? and ?N parameters
 * written as PostgreSQL's $N outside quotes and comments, the password
 * masked in a URL shown, and one PostgreSQL migration per SQLite one. */
#include "unit.h"

#include "engine/schema.h"
#include "engine/store_int.h"

static void
check(const char *sql, const char *want, int nparams)
{
	struct err err;
	char *out = NULL;
	int n = -1;

	err_init(&err);
	assert_int_equal(store_pg_translate(sql, &out, &n, &err), 0);
	assert_string_equal(out, want);
	assert_int_equal(n, nparams);
	free(out);
}

static void
test_translate(void **state)
{
	(void)state;
	check("SELECT 1", "SELECT 1", 0);
	check("", "", 0);
	check("SELECT ? + ?", "SELECT $1 + $2", 2);
	/* ?N keeps its number; a bare ? is one past the highest so far */
	check("WHERE a = ?2 AND b = ?1 OR c = ?",
	    "WHERE a = $2 AND b = $1 OR c = $3", 3);
	check("LIMIT ?4 OFFSET ?5", "LIMIT $4 OFFSET $5", 5);
	check("?10", "$10", 10);
	/* quotes, identifiers and comments are left alone */
	check("SELECT '?', 'it''s ?', ?", "SELECT '?', 'it''s ?', $1", 1);
	check("SELECT \"a?b\" FROM t WHERE x = ?",
	    "SELECT \"a?b\" FROM t WHERE x = $1", 1);
	check("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2);
	check("SELECT /* ? */ ?", "SELECT /* ? */ $1", 1);
	check("json_extract(d, '$.a') = ?", "json_extract(d, '$.a') = $1", 1);
	/* LIKE ignores case on SQLite: ILIKE; not inside words or quotes */
	check("WHERE t LIKE ?1 ESCAPE '\\' OR u like ?1",
	    "WHERE t ILIKE $1 ESCAPE '\\' OR u ILIKE $1", 1);
	check("WHERE x NOT LIKE 'LIKE %'", "WHERE x NOT ILIKE 'LIKE %'", 0);
	check("SELECT likes, unlike, \"LIKE\", LIKE_x FROM t",
	    "SELECT likes, unlike, \"LIKE\", LIKE_x FROM t", 0);
	check("a LIKE(b)", "a ILIKE(b)", 0);
	/* an unterminated quote or comment runs to the end */
	check("SELECT 'open ?", "SELECT 'open ?", 0);
	check("SELECT ? /* open ?", "SELECT $1 /* open ?", 1);
}

static void
test_translate_bad(void **state)
{
	struct err err;
	char *out = NULL;
	int n;

	(void)state;
	err_init(&err);
	assert_int_equal(store_pg_translate("SELECT ?0", &out, &n, &err), -1);
	assert_non_null(strstr(err.msg, "?0"));
	err_init(&err);
	assert_int_equal(
	    store_pg_translate("SELECT ?1000", &out, &n, &err), -1);
	assert_null(out);
}

static void
mask(const char *url, const char *want)
{
	char *got = store_url_masked(url);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_masked(void **state)
{
	(void)state;
	mask("postgresql://owl:s3cret@db:5432/owl",
	    "postgresql://owl:***@db:5432/owl");
	mask("postgresql://owl@db/owl", "postgresql://owl@db/owl");
	mask("postgres://db/owl?user=u&password=s3cret&sslmode=require",
	    "postgres://db/owl?user=u&password=***&sslmode=require");
	mask("postgres://db/owl?password=s3cret",
	    "postgres://db/owl?password=***");
	/* an @ in the path is not userinfo */
	mask("postgresql://db/o:w@l", "postgresql://db/o:w@l");
	mask("/var/lib/owl/owl.db", "/var/lib/owl/owl.db");
	mask("password=x", "password=x");
}

static void
test_one_migration_each(void **state)
{
	(void)state;
	assert_int_equal(schema_pg_count, schema_count);
	/* the newest one exists on PostgreSQL (the first ones are folded) */
	assert_non_null(schema_pg[schema_pg_count - 1]);
}

static void
test_is_url(void **state)
{
	(void)state;
	assert_int_equal(store_is_url("postgresql://db/owl"), STORE_URL_PG);
	assert_int_equal(store_is_url("POSTGRES://db/owl"), STORE_URL_PG);
	assert_int_equal(store_is_url("https://x/owl.db"), STORE_URL_OTHER);
	assert_int_equal(store_is_url("/tmp/owl.db"), 0);
	assert_int_equal(store_is_url("a:b/owl.db"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translate),
		cmocka_unit_test(test_translate_bad),
		cmocka_unit_test(test_masked),
		cmocka_unit_test(test_one_migration_each),
		cmocka_unit_test(test_is_url),
	};

	return cmocka_run_group_tests_name("store_pg", tests, NULL, NULL);
}
