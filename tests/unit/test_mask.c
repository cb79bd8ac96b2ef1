/* test_mask.c: secret masking (engine/mask.c) and the unified diffs of
 * dry-run plans (engine/rb_diff.c). */
#include "unit.h"

#include <openssl/evp.h>

#include "engine/mask.h"
#include "engine/rb_diff.h"

static char *
masked(struct mask *m, const char *s)
{
	char *out = mask_dup(m, s);

	assert_non_null(out);
	return out;
}

static void
test_forms(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "key=hunter2-secret-42!", "key=***" },
		/* base64 of the value alone, and after 1 and 2 prefix bytes */
		{ "aHVudGVyMi1zZWNyZXQtNDIh", "***" },
		{ "Basic dTpodW50ZXIyLXNlY3JldC00MiE=", "Basic dTpo***MiE=" },
		{ "eDpodW50ZXIyLXNlY3JldC00MiE", "eDpo***MiE" },
		{ "q=hunter2-secret-42%21&x=1", "q=***&x=1" },
		{ "nothing here", "nothing here" },
		{ "twice hunter2-secret-42! and hunter2-secret-42!",
		    "twice *** and ***" },
	};
	struct mask *m = mask_new();
	struct err err;
	char *out;

	(void)state;
	err_init(&err);
	assert_int_equal(mask_add(m, "hunter2-secret-42!", 18, &err), 0);
	assert_true(mask_count(m) >= 5);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		out = masked(m, t[i].in);
		if (strcmp(out, t[i].out) != 0)
			fail_msg("%s -> %s, want %s", t[i].in, out, t[i].out);
		free(out);
	}
	/* JSON-escaped form of a value with a quote */
	assert_int_equal(mask_add(m, "pa\"ss-word-xyz", 14, &err), 0);
	out = masked(m, "{\"p\":\"pa\\\"ss-word-xyz\"}");
	assert_string_equal(out, "{\"p\":\"***\"}");
	free(out);
	/* each line of a multi-line value (a PEM key) is masked alone */
	assert_int_equal(mask_add(m,
	                     "-----BEGIN KEY-----\r\nMIIEvQIBADANBgkq\r\n"
	                     "-----END KEY-----\r\n",
	                     58, &err),
	    0);
	out = masked(m, "line 2 is MIIEvQIBADANBgkq, 3 is -----END KEY-----.");
	assert_string_equal(out, "line 2 is ***, 3 is ***.");
	free(out);
	mask_free(m);
}

/* How services echo a secret back: JSON as Go writes it (<>& as \u00XX),
 * as PHP does (\/, non-ASCII as \uXXXX), lower-case percent-encoding,
 * spaces as +, and base64 wrapped by MIME (76 columns) or PEM (64). */
static void
test_echoed_forms(void **state)
{
	static const char v[] = "p@ss/w<rd>&\xc3\xa9 key-1";
	static const char *const in[] = {
		"{\"k\":\"p@ss/w\\u003crd\\u003e\\u0026\xc3\xa9 key-1\"}",
		"{\"k\":\"p@ss\\/w<rd>&\\u00e9 key-1\"}",
		"{\"k\":\"p@ss\\/w\\u003Crd\\u003E\\u0026\\u00E9 key-1\"}",
		"q=p%40ss%2fw%3crd%3e%26%c3%a9%20key-1&x",
		"q=p%40ss%2Fw%3Crd%3E%26%C3%A9+key-1&x",
		"/path/p%40ss/w%3Crd%3E%26%C3%A9%20key-1?x",
	};
	unsigned char raw[300], b64[500];
	char wrapped[700];
	struct mask *m = mask_new();
	struct err err;
	char *out;
	int n;

	(void)state;
	err_init(&err);
	assert_int_equal(mask_add(m, v, strlen(v), &err), 0);
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		out = masked(m, in[i]);
		if (strstr(out, "***") == NULL || strstr(out, "key") != NULL)
			fail_msg("%s -> %s: not masked", in[i], out);
		free(out);
	}
	/* a MIME body: 0..2 bytes before the secret, lines of 76 or 64 */
	for (int pre = 0; pre < 40; pre++)
		for (int width = 64; width <= 76; width += 12) {
			size_t o = 0;
			memset(raw, 'x', (size_t)pre);
			memcpy(raw + pre, v, strlen(v));
			memset(raw + pre + strlen(v), 'y', 60);
			n = EVP_EncodeBlock(
			    b64, raw, pre + (int)strlen(v) + 60);
			for (int k = 0; k < n; k++) {
				if (k > 0 && k % width == 0) {
					wrapped[o++] = '\r';
					wrapped[o++] = '\n';
				}
				wrapped[o++] = (char)b64[k];
			}
			wrapped[o] = '\0';
			out = masked(m, wrapped);
			if (strstr(out, "***") == NULL)
				fail_msg("prefix %d, width %d: %s not masked",
				    pre, width, wrapped);
			free(out);
		}
	mask_free(m);
}

/* A text full of hits against many registered secrets (a runbook can
 * generate hundreds, and an echoing service or a command can repeat one
 * a million times) is masked in one pass per pattern: searching every
 * pattern again after each hit took hours here, in the broker. */
static void
test_many_hits(void **state)
{
	struct mask *m = mask_new();
	size_t n = (size_t)20 << 16; /* 65536 hits */
	char value[32], *text = malloc(n + 1);
	struct buf out;
	struct err err;

	(void)state;
	err_init(&err);
	for (int i = 0; i < 100; i++) {
		snprintf(value, sizeof value, "secret-value-%04d-x", i);
		assert_int_equal(mask_add(m, value, strlen(value), &err), 0);
	}
	for (size_t i = 0; i < n; i++)
		text[i] = "secret-value-0042-x "[i % 20];
	text[n] = '\0';
	alarm(60); /* the quadratic masker fails by running out of time */
	buf_init(&out, 0);
	assert_int_equal(mask_apply(m, text, n, &out, &err), 0);
	alarm(0);
	assert_int_equal(out.len, 4 << 16); /* "*** " each */
	assert_null(strstr(buf_str(&out), "secret"));
	buf_done(&out);
	free(text);
	mask_free(m);
}

static void
test_short_refused(void **state)
{
	struct mask *m = mask_new();
	struct err err;
	char *out;

	(void)state;
	err_init(&err);
	assert_int_equal(mask_add(m, "abc", 3, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	out = masked(m, "abc abc");
	assert_string_equal(out, "abc abc");
	free(out);
	mask_free(m);
	out = mask_dup(NULL, "plain");
	assert_string_equal(out, "plain");
	free(out);
}

static void
test_diff(void **state)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n"
	                "15\n16\n17\n18\n19\n20\n";
	const char *b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\n13\n14\n"
	                "15\n16\n17\neighteen\n19\n20\n";
	struct err err;
	struct buf out;

	(void)state;
	err_init(&err);
	buf_init(&out, 0);
	assert_int_equal(
	    rb_diff_unified(a, strlen(a), b, strlen(b), "/etc/x", &out, &err),
	    0);
	assert_string_equal(buf_str(&out),
	    "--- a/etc/x\n+++ b/etc/x\n"
	    "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
	    "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n");
	buf_reset(&out);
	assert_int_equal(
	    rb_diff_unified("x\n", 2, "x", 1, "/f", &out, &err), 0);
	assert_string_equal(buf_str(&out),
	    "--- a/f\n+++ b/f\n"
	    "@@ -1,1 +1,1 @@\n-x\n+x\n\\ No newline at end of file\n");
	buf_reset(&out);
	assert_int_equal(
	    rb_diff_unified(a, strlen(a), a, strlen(a), "/etc/x", &out, &err),
	    0);
	assert_int_equal(out.len, 0);
	assert_int_equal(
	    rb_diff_unified(NULL, 0, "new\n", 4, "/n", &out, &err), 0);
	assert_string_equal(buf_str(&out),
	    "--- /dev/null\n+++ b/n\n"
	    "@@ -0,0 +1,1 @@\n+new\n");
	buf_done(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_echoed_forms),
		cmocka_unit_test(test_many_hits),
		cmocka_unit_test(test_short_refused),
		cmocka_unit_test(test_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
