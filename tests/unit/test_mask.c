/* test_mask.c: secret masking (engine/mask.c) and the unified diffs of
 * dry-run plans (engine/rb_diff.c). */
#include "unit.h"

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
		cmocka_unit_test(test_many_hits),
		cmocka_unit_test(test_short_refused),
		cmocka_unit_test(test_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
