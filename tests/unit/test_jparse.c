/* test_jparse.c: rb_jparse (engine/worker/rb_jparse.c) gives what
 * json_loadb(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL) gives, or gives up,
 * over many random texts: compact dumps of random values (escapes, NUL
 * bytes, UTF-8, reals, big and negative integers, deep nesting) and those
 * texts damaged (cut, a byte changed, a key doubled, spaces); and it
 * does parse the protocol's common messages itself. */
#include "unit.h"

#include "engine/jdump.h"
#include "engine/worker/rb_jparse.h"

static unsigned long jp_seed = 4242;

static unsigned
jp_rand(void)
{
	jp_seed = jp_seed * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(jp_seed >> 33);
}

static size_t
jp_text(char *p, size_t max)
{
	static const char *const pieces[] = { "a", "Z", "_", "0", "\"", "\\",
		"/", "\n", "\t", "\r", "\b", "\f", "\x01", "\x7f", " ",
		"\xc3\xa9", "\xe2\x82\xac", "{", "}", ":", ",", "[", "]" };
	size_t n = 0, want = jp_rand() % 12;

	for (size_t i = 0; i < want; i++) {
		const char *s;
		size_t k;
		if (jp_rand() % 40 == 0) {
			p[n++] = '\0';
			continue;
		}
		s = jp_rand() % 3
		    ? pieces[jp_rand() % 3]
		    : pieces[jp_rand() % (sizeof pieces / sizeof *pieces)];
		k = strlen(s);
		if (n + k >= max)
			break;
		memcpy(p + n, s, k);
		n += k;
	}
	return n;
}

static json_t *
jp_value(int depth)
{
	char text[64];
	size_t n;
	unsigned r = jp_rand() % (depth > 6 ? 6 : 9);

	switch (r) {
	case 0: return json_true();
	case 1: return json_false();
	case 2: return json_null();
	case 3: {
		static const json_int_t ints[] = { 0, 1, -1, 7, 42, -42,
			999999999999999999LL, -999999999999999999LL,
			1000000000000000000LL, INT64_MAX, INT64_MIN };
		return json_integer(jp_rand() % 2
		        ? ints[jp_rand() % (sizeof ints / sizeof *ints)]
		        : (json_int_t)jp_rand() - (json_int_t)(1u << 31));
	}
	case 4: return json_real((double)jp_rand() / 7.0);
	case 5: n = jp_text(text, sizeof text); return json_stringn(text, n);
	case 6:
	case 7: {
		json_t *a = json_array();
		for (unsigned i = jp_rand() % 4; i > 0; i--)
			json_array_append_new(a, jp_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (unsigned i = jp_rand() % 5; i > 0; i--) {
			n = jp_text(text, sizeof text);
			json_object_setn_new(o, text, n, jp_value(depth + 1));
		}
		return o;
	}
	}
}

/* Holds rb_jparse to json_loadb on p[0, n): 1 when it parsed it. */
static int
jp_check(const char *p, size_t n)
{
	json_t *fast = rb_jparse(p, n);
	json_t *ref =
	    json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	int parsed = fast != NULL;

	if (fast != NULL) {
		char *a, *b;
		assert_non_null(ref);
		assert_true(json_equal(fast, ref));
		a = jdump(fast); /* the same members in the same order */
		b = jdump(ref);
		assert_non_null(a);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	json_decref(fast);
	json_decref(ref);
	return parsed;
}

static void
test_same_as_jansson(void **state)
{
	int fast = 0;

	(void)state;
	for (int i = 0; i < 30000; i++) {
		json_t *o = json_object();
		char *t;
		size_t n;
		for (unsigned k = jp_rand() % 6; k > 0; k--) {
			char key[16];
			snprintf(key, sizeof key, "k%u", jp_rand() % 8);
			json_object_set_new(o, key, jp_value(1));
		}
		t = json_dumps(o, JSON_COMPACT);
		assert_non_null(t);
		n = strlen(t);
		fast += jp_check(t, n);
		/* damaged: cut short, a byte changed, spaces, text after */
		jp_check(t, jp_rand() % (n + 1));
		if (n > 0) {
			char *d = malloc(n + 8);
			memcpy(d, t, n);
			static const char bytes[] =
			    "{}[]\",:0-9 ae\\tnu\x01\xc3";
			d[jp_rand() % n] =
			    bytes[jp_rand() % (sizeof bytes - 1)];
			jp_check(d, n);
			memcpy(d, t, n);
			memcpy(d + n, " ", 1);
			jp_check(d, n + 1);
			memcpy(d + n, "{}", 2);
			jp_check(d, n + 2);
			free(d);
		}
		free(t);
		json_decref(o);
	}
	/* most of these have the fast path's shape */
	assert_true(fast > 1000);
}

static void
test_edges(void **state)
{
	static const char *const texts[] = { "{}", "{\"a\":1}",
		"{\"a\":1,\"a\":2}", "{\"a\":-0}", "{\"a\":01}", "{\"a\":1.5}",
		"{\"a\":1e3}", "{\"a\":123456789012345678}",
		"{\"a\":1234567890123456789}", "{\"a\":-9223372036854775808}",
		"{\"a\":\"\\u0041\"}", "{\"a\":\"\\u0000\"}", "{\"a\":\"\\x\"}",
		"{\"\":\"\"}", "{\"a\":[]}", "{\"a\":[1,]}", "{\"a\":{}}",
		"{\"a\":tru}", "{\"a\":true}", "{\"a\":nul}", "{\"a\":null}",
		"{\"a\":fals}", "{\"a\":\"x\"} ", " {\"a\":1}", "{\"a\" :1}",
		"[1]", "\"s\"", "1", "{\"a\":1", "{\"a\"}", "{,}",
		"{\"a\":\"\t\"}", "{\"a\":\"\\t\\n\\r\\b\\f\\/\\\\\\\"\"}" };

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		jp_check(texts[i], strlen(texts[i]));
	/* deeper than the fast path goes: jansson's */
	{
		char deep[400];
		size_t n = 0;
		for (int i = 0; i < 100; i++)
			deep[n++] = '[';
		for (int i = 0; i < 100; i++)
			deep[n++] = ']';
		assert_null(rb_jparse(deep, n));
	}
}

static void
test_protocol_messages(void **state)
{
	static const char *const msgs[] = {
		"{\"t\":\"step\",\"event\":\"begin\",\"i\":3,\"name\":\"step "
		"3\",\"undo\":false,\"idempotent\":false}",
		"{\"t\":\"effect\",\"kind\":\"http\",\"method\":\"POST\",\"url\":"
		"\"http://127.0.0.1:9/bench/3\",\"json\":{\"i\":3},\"oneway\":"
		"true}",
		"{\"t\":\"step\",\"event\":\"end\",\"i\":3,\"name\":\"step 3\","
		"\"undo\":false,\"status\":\"ok\",\"ms\":0}",
		"{\"ok\":true,\"status\":200,\"body\":\"{\\\"ok\\\": "
		"true}\\n\",\"headers\":{\"content-type\":\"application/"
		"json\"}}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++)
		assert_int_equal(jp_check(msgs[i], strlen(msgs[i])), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_jansson),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_protocol_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
