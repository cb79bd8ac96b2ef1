/* test_jscan.c: the one-pass JSON reader of the timeline's hot path
 * (engine/jscan.c): what it reads is what SQLite's json_extract reads,
 * and what it is not sure of it refuses (the caller then asks SQLite).
 * Checked on chosen texts and on many mutations of an alert's detail. */
#include "unit.h"

#include <jansson.h>
#include <sqlite3.h>

#include "engine/jscan.h"

static const struct jscan_want wants[] = {
	{ "starts_at", 0 },
	{ "fingerprint", 0 },
	{ "annotations.summary", 0 },
	{ "after.ends_at", 0 },
	{ "labels", 1 },
};
#define NWANT 5
#define NSTR 4 /* the strings; then the labels */

static const char base[] =
    "{\"annotations\":{\"summary\":\"the provider fails\"},\"labels\":"
    "{\"alertname\":\"Down\",\"region\":\"eu-west-1\"},\"ends_at\":null,"
    "\"fingerprint\":\"a1b2\",\"severity\":\"critical\",\"starts_at\":"
    "\"2026-03-14T09:00:00Z\",\"n\":-0.5e+3,\"ok\":true,\"list\":[1,"
    "\"x\\\"y\",{\"z\":false}],\"after\":{\"ends_at\":\"2026\"}}";

/* The string values as the JSON array json_extract(s, path...) gives
 * (["a",null]); -1 when they do not fit. */
static int
jscan_array(const struct jscan_val *v, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t need = v[i].p ? v[i].n + 3 : 5; /* ,"..." or ,null */

		if (len + need + 2 > size)
			return -1;
		buf[len++] = i ? ',' : '[';
		if (v[i].p == NULL) {
			memcpy(buf + len, "null", 4);
			len += 4;
			continue;
		}
		buf[len++] = '"';
		memcpy(buf + len, v[i].p, v[i].n);
		len += v[i].n;
		buf[len++] = '"';
	}
	if (n == 0)
		buf[len++] = '[';
	buf[len++] = ']';
	buf[len] = '\0';
	return 0;
}

/* An object's text, NUL-terminated, or NULL. */
static const char *
jscan_text(const struct jscan_val *v, char *buf, size_t size)
{
	if (v->p == NULL || v->n + 1 > size)
		return NULL;
	memcpy(buf, v->p, v->n);
	buf[v->n] = '\0';
	return buf;
}

/* SQLite's answers: json_valid, the array of the strings, the labels. */
static int
sql_read(sqlite3 *db, const char *s, char *arr, size_t an, char *lab, size_t ln)
{
	sqlite3_stmt *st;
	const char *a, *l;
	int valid;

	assert_int_equal(sqlite3_prepare_v2(db,
	                     "SELECT json_valid(?1), CASE WHEN json_valid(?1)"
	                     " THEN json_extract(?1, '$.starts_at',"
	                     " '$.fingerprint', '$.annotations.summary',"
	                     " '$.after.ends_at') END, CASE WHEN"
	                     " json_valid(?1) THEN json_extract(?1,"
	                     " '$.labels') END",
	                     -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	valid = sqlite3_column_int(st, 0);
	a = (const char *)sqlite3_column_text(st, 1);
	l = (const char *)sqlite3_column_text(st, 2);
	snprintf(arr, an, "%s", a ? a : "");
	snprintf(lab, ln, "%s", l ? l : "(null)");
	sqlite3_finalize(st);
	return valid;
}

/* jscan's answer for s: -1, or 0 with the same as SQLite. */
static int
check(sqlite3 *db, const char *s)
{
	struct jscan_val v[NWANT];
	char arr[4096], lab[4096], sarr[4096], slab[4096];
	const char *l;
	int valid = sql_read(db, s, sarr, sizeof sarr, slab, sizeof slab);

	if (jscan_get(s, wants, NWANT, v) == -1)
		return -1;
	if (!valid)
		fprintf(
		    stderr, "# jscan read what SQLite finds invalid: %s\n", s);
	assert_true(valid);
	assert_int_equal(jscan_array(v, NSTR, arr, sizeof arr), 0);
	assert_string_equal(arr, sarr);
	l = jscan_text(&v[NSTR], lab, sizeof lab);
	assert_string_equal(l ? l : "(null)", slab);
	return 0;
}

static void
test_reads(void **state)
{
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(check(db, base), 0);
	assert_int_equal(check(db, "{}"), 0);
	assert_int_equal(check(db, " \t\n{\"fingerprint\" : \"x\" }\r\n"), 0);
	assert_int_equal(check(db, "{\"labels\":null,\"after\":\"s\"}"), 0);
	assert_int_equal(check(db, "{\"fingerprint\":\"r\xc3\xa9gion\"}"), 0);
	/* a key with a dot is no path's */
	assert_int_equal(check(db, "{\"after.ends_at\":\"x\"}"), 0);
	/* an escape where nothing is wanted is fine */
	assert_int_equal(check(db, "{\"x\":{\"k\\n\":\"a\\u00e9\\\\\"}}"), 0);
	sqlite3_close(db);
}

static void
test_refuses(void **state)
{
	static const char *const bad[] = {
		"{\"fingerprint\":\"a\\\"b\"}", /* an escape in a wanted string
		                                 */
		"{\"fingerprin\\u0074\":\"a\"}", /* an escape in a key */
		"{\"fingerprint\":\"a\",\"fingerprint\":\"b\"}", /* twice */
		"{\"fingerprint\":5}", /* a number where a string is wanted */
		"{\"labels\":\"x\"}", /* a string where an object is */
		"{\"annotations\":{\"summary\":[1]}}",
		"{\"a\":1,}",
		"{\"a\":01}",
		"{\"a\":1.}",
		"{\"a\":-}",
		"{\"a\":\"x",
		"{\"a\":\"\x01\"}",
		"{\"a\":tru}",
		"{} x",
		"[1]",
		"\"s\"",
		"",
		"{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12g4\"}",
		"{'a':1}",
		"{\"a\" 1}",
		"{\"a\":[1,]}",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]"
		"]]]]]]]]]]]]]]]]]]}",
	};
	struct jscan_val v[NWANT];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (jscan_get(bad[i], wants, NWANT, v) != -1)
			fprintf(stderr, "# read: %s\n", bad[i]);
		assert_int_equal(jscan_get(bad[i], wants, NWANT, v), -1);
	}
	assert_int_equal(jscan_get(NULL, wants, NWANT, v), -1);
}

/* Every mutation of an alert's detail (a byte replaced, dropped or
 * doubled) that jscan reads, SQLite reads the same. */
static void
test_mutations(void **state)
{
	static const char repl[] = "\"\\{}[],:0-.eE aZ\x01\x80";
	size_t n = strlen(base), read = 0, refused = 0;
	char s[sizeof base + 2];
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (size_t i = 0; i < n; i++) {
		for (size_t r = 0; r < sizeof repl - 1 + 2; r++) {
			memcpy(s, base, n + 1);
			if (r < sizeof repl - 1) {
				s[i] = repl[r];
			} else if (r == sizeof repl - 1) {
				memmove(s + i, s + i + 1, n - i);
			} else {
				memmove(s + i + 1, s + i, n - i + 1);
			}
			if (check(db, s) == 0)
				read++;
			else
				refused++;
		}
	}
	/* both happen: the check above is not idle */
	assert_true(read > 100);
	assert_true(refused > 100);
	sqlite3_close(db);
}

static void
test_array_fits(void **state)
{
	struct jscan_val v[2] = { { "abc", 3 }, { NULL, 0 } };
	char small[8], ok[16];

	(void)state;
	assert_int_equal(jscan_array(v, 2, small, sizeof small), -1);
	assert_int_equal(jscan_array(v, 2, ok, sizeof ok), 0);
	assert_string_equal(ok, "[\"abc\",null]");
	assert_int_equal(jscan_array(v, 0, ok, sizeof ok), 0);
	assert_string_equal(ok, "[]");
}

/* jscan_pairs's answer for the n bytes at s: -1, or the number of
 * members, which jansson reads the same (the same keys, string values,
 * in the same order). */
static int
pairs_check(const char *s, size_t n)
{
	const char *k[8], *v[8], *key;
	char buf[256], *text = strndup(s, n);
	json_t *o, *val;
	size_t i = 0;
	int m;

	assert_non_null(text);
	if ((m = jscan_pairs(s, n, buf, sizeof buf, k, v, 8)) == -1) {
		free(text);
		return -1;
	}
	o = json_loads(text, 0, NULL);
	if (o == NULL)
		fprintf(
		    stderr, "# pairs read what jansson refuses: %s\n", text);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), (size_t)m);
	json_object_foreach(o, key, val)
	{
		assert_string_equal(key, k[i]);
		assert_string_equal(json_string_value(val), v[i]);
		i++;
	}
	json_decref(o);
	free(text);
	return m;
}

static void
test_pairs(void **state)
{
	static const char labels[] =
	    "{\"alertname\":\"Down\",\"region\":\"eu-west-1\",\"a b\":"
	    "\"x:y,z\",\"e\":\"\"}";
	static const char *const bad[] = {
		"{\"a\":\"x\",\"a\":\"y\"}", /* twice: jansson's choice */
		"{\"a\":\"x\\\"y\"}", /* an escape */
		"{\"a\":\"r\xc3\xa9gion\"}", /* not ASCII */
		"{\"a\":1}",
		"{\"a\":null}",
		"{\"a\": \"x\"}",
		"{ }",
		"{\"a\":\"x\",}",
		"{\"a\":\"x\"",
		"{\"a\"}",
		"[]",
		"",
		"{\"a\":{\"b\":\"c\"}}",
		"{\"a\":\"x\"}}",
	};
	static const char repl[] = "\"\\{}[],: aZ\x01\x80";
	size_t n = strlen(labels), read = 0, refused = 0;
	const char *k[2], *v[2];
	char s[sizeof labels + 2], small[8];

	(void)state;
	assert_int_equal(pairs_check(labels, n), 4);
	assert_int_equal(pairs_check("{}", 2), 0);
	/* the length given, not the NUL, ends it */
	assert_int_equal(pairs_check("{\"a\":\"b\"}xyz", 9), 1);
	assert_int_equal(jscan_pairs(NULL, 0, small, sizeof small, k, v, 2), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (pairs_check(bad[i], strlen(bad[i])) != -1)
			fprintf(stderr, "# read: %s\n", bad[i]);
		assert_int_equal(
		    jscan_pairs(bad[i], strlen(bad[i]), s, sizeof s, k, v, 2),
		    -1);
	}
	/* more members than asked for, or more bytes than the room */
	assert_int_equal(jscan_pairs(labels, n, s, sizeof s, k, v, 2), -1);
	assert_int_equal(
	    jscan_pairs("{\"ab\":\"cd\"}", 11, small, 5, k, v, 2), -1);
	assert_int_equal(
	    jscan_pairs("{\"ab\":\"cd\"}", 11, small, 6, k, v, 2), 1);
	/* every mutation it reads, jansson reads the same */
	for (size_t i = 0; i < n; i++) {
		for (size_t r = 0; r < sizeof repl - 1 + 2; r++) {
			size_t len = n;

			memcpy(s, labels, n + 1);
			if (r < sizeof repl - 1) {
				s[i] = repl[r];
			} else if (r == sizeof repl - 1) {
				memmove(s + i, s + i + 1, n - i);
				len--;
			} else {
				memmove(s + i + 1, s + i, n - i + 1);
				len++;
			}
			if (pairs_check(s, len) >= 0)
				read++;
			else
				refused++;
		}
	}
	assert_true(read > 50);
	assert_true(refused > 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_array_fits),
		cmocka_unit_test(test_pairs),
	};

	return cmocka_run_group_tests_name("jscan", tests, NULL, NULL);
}
