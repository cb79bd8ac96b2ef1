/* test_jdump.c: jdump writes what json_dumps(JSON_COMPACT |
 * JSON_ENCODE_ANY) writes, byte for byte, over many random values
 * (control characters, quotes, NUL bytes, every UTF-8 length, invalid
 * UTF-8, extreme integers, reals, deep nesting, keys with NUL bytes),
 * and refuses what it refuses: the action log's hash chain and the
 * worker protocol depend on those bytes. */
#include "unit.h"

#include "engine/jdump.h"

static unsigned long jd_seed = 12345;

static unsigned
jd_rand(void)
{
	jd_seed = jd_seed * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(jd_seed >> 33);
}

/* Random bytes: mostly plain, some escapes and UTF-8, rarely invalid. */
static size_t
jd_text(char *p, size_t max, int valid)
{
	static const char *const pieces[] = { "a", "Z", "\"", "\\", "/", "\n",
		"\t", "\r", "\b", "\f", "\x01", "\x1f", "\x7f", " ", "\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe2\x80\xa8",
		"\xef\xbf\xbf", "\xc2\x80", "{", "}", ":", "," };
	static const char *const bad[] = { "\xc0\x80", "\xed\xa0\x80", "\xff",
		"\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\xc3" };
	size_t n = 0, want = jd_rand() % 24;

	for (size_t i = 0; i < want; i++) {
		const char *s;
		size_t k;
		if (jd_rand() % 11 == 0) {
			p[n++] = '\0';
			continue;
		}
		s = !valid && jd_rand() % 5 == 0
		    ? bad[jd_rand() % (sizeof bad / sizeof *bad)]
		    : pieces[jd_rand() % (sizeof pieces / sizeof *pieces)];
		k = strlen(s);
		if (n + k >= max)
			break;
		memcpy(p + n, s, k);
		n += k;
	}
	return n;
}

static json_t *
jd_value(int depth, int valid)
{
	char text[256];
	size_t n;
	json_t *v;

	switch (depth > 5 ? jd_rand() % 6 : jd_rand() % 8) {
	case 0: return json_null();
	case 1: return json_boolean(jd_rand() % 2);
	case 2: {
		static const json_int_t ints[] = { 0, -1, 1, 42, INT64_MAX,
			INT64_MIN, -1234567890123 };
		return json_integer(ints[jd_rand() % 7]);
	}
	case 3: {
		static const double reals[] = { 0.0, -0.5, 1e300, 3.14159,
			1.0 / 3, 1e-300, 100.0 };
		return json_real(reals[jd_rand() % 7]);
	}
	case 4:
	case 5:
		n = jd_text(text, sizeof text, valid);
		return valid ? json_stringn(text, n)
		             : json_stringn_nocheck(text, n);
	case 6:
		v = json_array();
		for (unsigned i = jd_rand() % 5; i > 0; i--)
			json_array_append_new(v, jd_value(depth + 1, valid));
		return v;
	default:
		v = json_object();
		for (unsigned i = jd_rand() % 5; i > 0; i--) {
			n = jd_text(text, sizeof text, 1);
			json_object_setn_new(
			    v, text, n, jd_value(depth + 1, valid));
		}
		return v;
	}
}

static void
jd_same(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	char *got = jdump(v);

	struct buf b;
	struct err err;
	int rc;

	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(want);
	free(got);
	/* and with JSON_SORT_KEYS (the plan's hash) */
	want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	buf_init(&b, (size_t)1 << 30);
	err_init(&err);
	rc = jdump_add_sorted(v, &b, &err);
	if (want == NULL) {
		assert_int_equal(rc, -1);
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(b.len, strlen(want));
		assert_memory_equal(b.data, want, b.len);
	}
	free(want);
	buf_done(&b);
}

/* Keys that are prefixes of each other, hold NUL bytes or high bytes:
 * sorted as jansson sorts them (bytes, then the shorter first). */
static void
test_sorted_keys(void **state)
{
	static const char *const keys[] = { "ab", "a", "", "b", "a\0",
		"\xc3\xa9", "A", "aa", "a\x01", "zz", "z" };
	static const size_t lens[] = { 2, 1, 0, 1, 2, 2, 1, 2, 2, 2, 1 };
	json_t *v = json_object(), *inner = json_object();

	(void)state;
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		json_object_setn_new(v, keys[i], lens[i], json_integer((int)i));
		json_object_setn_new(inner, keys[i], lens[i], json_true());
	}
	json_object_set_new(
	    v, "inner", json_pack("[o, {s:o}]", inner, "n", json_object()));
	jd_same(v);
	json_decref(v);
}

static void
test_same_bytes_as_jansson(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++) {
		json_t *v = jd_value(0, i % 4 != 0);
		assert_non_null(v);
		jd_same(v);
		json_decref(v);
	}
}

static void
test_deep_and_buffered(void **state)
{
	json_t *v = json_string("x"), *a;
	struct buf b;
	struct err err;

	(void)state;
	for (int i = 0; i < 2000; i++) { /* past JDUMP_DEPTH */
		a = json_array();
		json_array_append_new(a, v);
		v = a;
	}
	jd_same(v);
	json_decref(v);
	/* jdump_add appends, and leaves the buffer as it was on failure */
	buf_init(&b, 16);
	err_init(&err);
	buf_adds(&b, "ab", NULL);
	v = json_pack("{s:i}", "k", 1);
	assert_int_equal(jdump_add(v, &b, &err), 0);
	assert_string_equal(buf_str(&b), "ab{\"k\":1}");
	json_decref(v);
	v = json_string("a string longer than the buffer's ceiling");
	assert_int_equal(jdump_add(v, &b, &err), -1);
	assert_string_equal(buf_str(&b), "ab{\"k\":1}");
	json_decref(v);
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes_as_jansson),
		cmocka_unit_test(test_deep_and_buffered),
		cmocka_unit_test(test_sorted_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
