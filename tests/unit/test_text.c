/* test_text.c: the small text tools at the bottom of the engine:
 * buffers with a ceiling (buf.c), hashing (hash.c, git blob ids of
 * rbsource.c), terminal sanitising
 * (sanitize.c) and error records (err.c). */
#include "unit.h"

#include "engine/buf.h"
#include "engine/err.h"
#include "engine/hash.h"
#include "integrations/hmac.h"
#include "engine/rbsource.h"
#include "engine/sanitize.h"

static void
test_buf_ceiling(void **state)
{
	struct err err;
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	err_init(&err);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_adds(&b, "12345", &err), 0);
	assert_int_equal(buf_printf(&b, &err, "%d", 678), 0);
	assert_string_equal(buf_str(&b), "12345678");
	assert_int_equal(buf_addc(&b, '9', &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	assert_string_equal(buf_str(&b), "12345678"); /* unchanged */
	err_init(&err);
	assert_int_equal(buf_printf(&b, &err, "x"), -1);
	buf_reset(&b);
	assert_int_equal(buf_adds(&b, "ab", &err), 0);
	char *s = buf_steal(&b);
	assert_string_equal(s, "ab");
	free(s);
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	buf_done(&b);
	buf_done(&b); /* twice is fine */
}

static void
test_sha256_vectors(void **state)
{
	unsigned char md[HASH_LEN];
	char hex[HASH_HEX_LEN], blob[RBSOURCE_OID_HEX];
	struct hash_ctx h;

	(void)state;
	hash_sha256("abc", 3, md);
	hash_hex(md, sizeof md, hex);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(hash_begin(&h), 0);
	hash_update(&h, "a", 1);
	hash_update(&h, "bc", 2);
	hash_end(&h, md);
	hash_hex(md, sizeof md, hex);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	/* one context for several digests (the action log's chain): each
	 * starts afresh, the two-block NIST vector and the empty string */
	assert_int_equal(hash_begin(&h), 0);
	hash_update(
	    &h, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56);
	hash_next(&h, md);
	hash_hex(md, sizeof md, hex);
	assert_string_equal(hex,
	    "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	hash_next(&h, md);
	hash_hex(md, sizeof md, hex);
	assert_string_equal(hex,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	hash_update(&h, "abc", 3);
	hash_next(&h, md);
	hash_hex(md, sizeof md, hex);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	hash_done(&h);
	hash_done(&h); /* twice is fine */
	/* git's blob id (git hash-object) of "hello\n" */
	rbsource_blob_id("hello\n", 6, blob);
	assert_string_equal(blob, "ce013625030ba8dba906f756967f9e9ca394464a");
	/* RFC 4231 test case 2 */
	assert_int_equal(
	    hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, md), 0);
	hash_hex(md, sizeof md, hex);
	assert_string_equal(hex,
	    "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
}

static void
test_hex_and_equal(void **state)
{
	unsigned char raw[4] = { 0xde, 0xad, 0xbe, 0xef }, back[4];
	char hex[9];

	(void)state;
	hash_hex(raw, 4, hex);
	assert_string_equal(hex, "deadbeef");
	assert_int_equal(hash_unhex("DEADbeef", back, 4), 0);
	assert_memory_equal(raw, back, 4);
	assert_int_equal(hash_unhex("deadbee", back, 4), -1);
	assert_int_equal(hash_unhex("deadbeefff", back, 4), -1);
	assert_int_equal(hash_unhex("deadbeeg", back, 4), -1);
	assert_int_equal(hash_equal("abcd", "abcd", 4), 0);
	assert_int_equal(hash_equal("abcd", "abce", 4), -1);
}

static void
check_sanitize(const char *in, int flags, const char *want)
{
	char *got = sanitize_dup(in, flags);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_sanitize(void **state)
{
	(void)state;
	check_sanitize("plain text", 0, "plain text");
	check_sanitize(
	    "\x1b[2J\x1b]0;pwned\x07", 0, "\\x1b[2J\\x1b]0;pwned\\x07");
	check_sanitize("a\rb\bc\td\ne", 0, "a\\x0db\\x08c\\x09d\\x0ae");
	check_sanitize("a\tb\nc\r", SANITIZE_NEWLINES, "a\tb\nc\\x0d");
	check_sanitize("del\x7f", 0, "del\\x7f");
	/* C1 controls encoded in UTF-8: U+009B is CSI on some terminals */
	check_sanitize("x\xc2\x9b"
	               "31m",
	    0, "x\\u009b31m");
	/* bidi override and isolate, zero-width space */
	check_sanitize("abc\xe2\x80\xae"
	               "fed",
	    0, "abc\\u202efed");
	check_sanitize("\xe2\x81\xa6x\xe2\x81\xa9", 0, "\\u2066x\\u2069");
	check_sanitize("a\xe2\x80\x8b"
	               "b",
	    0, "a\\u200bb");
	/* wide and emoji characters pass through */
	check_sanitize("LLM \xe6\x95\x85\xe9\x9a\x9c \xf0\x9f\x94\xa5", 0,
	    "LLM \xe6\x95\x85\xe9\x9a\x9c \xf0\x9f\x94\xa5");
	check_sanitize("caf\xc3\xa9", SANITIZE_ASCII, "caf\\u00e9");
	check_sanitize("\xf0\x9f\x94\xa5", SANITIZE_ASCII, "\\U0001f525");
	/* invalid UTF-8: lone continuation, overlong, surrogate, truncated */
	check_sanitize("a\x80z", 0, "a\\x80z");
	check_sanitize("\xc0\xaf", 0, "\\xc0\\xaf");
	check_sanitize("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
	check_sanitize("ok\xe2\x82", 0, "ok\\xe2\\x82");
	check_sanitize(NULL, 0, "");
}

/* URLs shown in messages and the action log lose their credentials. */
static void
test_sanitize_url(void **state)
{
	static const char *const cases[][2] = {
		{ "http://am:9093", "http://am:9093" },
		{ "http://admin:pw@am:9093/x", "http://***@am:9093/x" },
		{ "https://token@am", "https://***@am" },
		{ "http://u:p@w@am/a@b?c@d", "http://***@am/a@b?c@d" },
		{ "http://am/path@x", "http://am/path@x" },
		{ "http://am?q=a@b", "http://am?q=a@b" },
		{ "not a url @ all", "not a url @ all" },
	};
	char out[64], small[12];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(
		    sanitize_url(cases[i][0], out, sizeof out), cases[i][1]);
	assert_string_equal(
	    sanitize_url("http://a:secret@h", small, sizeof small),
	    "http://***@"); /* cut, never the password */
}

static void
test_utf8_validation(void **state)
{
	(void)state;
	assert_true(sanitize_is_utf8("h\xc3\xa9llo", 6));
	assert_false(sanitize_is_utf8("h\xc3llo", 5));
	assert_false(sanitize_is_utf8("a\0b", 3));
	assert_false(sanitize_is_utf8("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_true(sanitize_is_utf8("", 0));
}

static void
test_err_first_wins(void **state)
{
	struct err err;

	(void)state;
	err_init(&err);
	assert_false(err_isset(&err));
	err_prefix(&err, "ignored: ");
	assert_string_equal(err.msg, "");
	assert_int_equal(err_set(&err, ERR_USAGE, "bad %s", "thing"), -1);
	assert_int_equal(err_set(&err, ERR_FAILED, "later"), -1);
	assert_int_equal(err.code, ERR_USAGE);
	err_prefix(&err, "ctx %d: ", 1);
	assert_string_equal(err.msg, "ctx 1: bad thing");
	assert_int_equal(err_set(NULL, ERR_FAILED, "no record"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_ceiling),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_hex_and_equal),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_sanitize_url),
		cmocka_unit_test(test_utf8_validation),
		cmocka_unit_test(test_err_first_wins),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
