/* test_rbfx_uses.c: what a read's precondition covers when it declares
 * `uses` (engine/rb_fx_uses.c): the parts of a JSON answer the paths
 * name, in the answer's shape (fields, "*" over lists and objects, an
 * element from 1, absent parts left out), the paths the broker accepts
 * from a worker, and the change a stale plan names (plan_read_change on
 * the parts used, not on a counter that moved). */
#include "unit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/plan.h"
#include "engine/rb_fx.h"

/* rb_fx_uses_of(doc, uses) as compact, sorted JSON text (malloc'd). */
static char *
uses(const char *doc, const char *paths)
{
	json_t *d = json_loads(doc, JSON_DECODE_ANY, NULL);
	json_t *u = json_loads(paths, 0, NULL);
	json_t *got;
	char *s;

	assert_non_null(d);
	assert_non_null(u);
	got = rb_fx_uses_of(d, u);
	s = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	json_decref(u);
	json_decref(got);
	return s;
}

static void
check(const char *doc, const char *paths, const char *want)
{
	char *got = uses(doc, paths);

	assert_string_equal(got, want);
	free(got);
}

static void
test_fields(void **state)
{
	const char *limits =
	    "{\"rate_limit\":600,\"model\":null,\"spend_usd\":12.5,"
	    "\"limits\":{\"rpm\":10,\"tpm\":5}}";

	(void)state;
	check(limits, "[\"rate_limit\",\"model\"]",
	    "{\"model\":null,\"rate_limit\":600}");
	check(limits, "[\"limits.rpm\"]", "{\"limits\":{\"rpm\":10}}");
	check(limits, "[\"limits\"]", "{\"limits\":{\"rpm\":10,\"tpm\":5}}");
	/* a path and a longer one under it: the whole wins */
	check(limits, "[\"limits.rpm\",\"limits\"]",
	    "{\"limits\":{\"rpm\":10,\"tpm\":5}}");
	/* absent: left out (its appearing later is a change) */
	check(limits, "[\"until\",\"limits.x.y\"]", "{}");
	/* a path through a value that is not an object */
	check(limits, "[\"rate_limit.x\"]", "{}");
}

static void
test_lists(void **state)
{
	const char *b =
	    "{\"batches\":[{\"id\":1,\"state\":\"running\",\"done\":4000},"
	    "{\"id\":2,\"state\":\"paused\",\"done\":90}]}";

	(void)state;
	check(b, "[\"batches.*.id\",\"batches.*.state\"]",
	    "{\"batches\":[{\"id\":1,\"state\":\"running\"},"
	    "{\"id\":2,\"state\":\"paused\"}]}");
	/* an element from 1, as Lua counts; the others kept as null so
	 * that positions hold */
	check(b, "[\"batches.2.state\"]",
	    "{\"batches\":[null,{\"state\":\"paused\"}]}");
	check(b, "[\"batches.3.state\"]", "{}");
	/* "*" over an object's members */
	check("{\"a\":{\"n\":1,\"x\":2},\"b\":{\"n\":3}}", "[\"*.n\"]",
	    "{\"a\":{\"n\":1},\"b\":{\"n\":3}}");
}

static void
test_paths_checked(void **state)
{
	const char *bad[] = { "[]", "[\"\"]", "[\".a\"]", "[\"a.\"]",
		"[\"a..b\"]", "[1]", "{\"a\":1}", "\"a\"" };
	struct err err;
	json_t *u;
	char many[2000] = "[";

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		u = json_loads(bad[i], JSON_DECODE_ANY, NULL);
		assert_non_null(u);
		err_init(&err);
		assert_int_equal(rb_fx_uses_check(u, &err), -1);
		assert_int_equal(err.code, ERR_USAGE);
		json_decref(u);
	}
	for (int i = 0; i <= RB_FX_USES_MAX; i++)
		strcat(many, i ? ",\"a\"" : "\"a\"");
	strcat(many, "]");
	u = json_loads(many, 0, NULL);
	err_init(&err);
	assert_int_equal(rb_fx_uses_check(u, &err), -1);
	json_decref(u);
	u = json_loads("[\"a\",\"b.*.c\",\"d.1\"]", 0, NULL);
	err_init(&err);
	assert_int_equal(rb_fx_uses_check(u, &err), 0);
	assert_int_equal(rb_fx_uses_check(NULL, &err), 0);
	json_decref(u);
}

/* The change a stale plan names: among the parts used, not the counter
 * that moved first in the answer. */
static void
test_change_named(void **state)
{
	json_t *was = json_pack("{s:i, s:s, s:{s:i}, s:s}", "status", 200,
	    "sha256", "a", "used", "rate_limit", 600, "body",
	    "{\"spend_usd\":1,\"rate_limit\":600}");
	json_t *now = json_pack("{s:i, s:s, s:{s:i}, s:s}", "status", 200,
	    "sha256", "b", "used", "rate_limit", 100, "body",
	    "{\"spend_usd\":9,\"rate_limit\":100}");
	char out[300];

	(void)state;
	plan_read_change(was, now, out, sizeof out);
	assert_string_equal(out, "rate_limit was 600, now 100");
	json_decref(was);
	json_decref(now);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_paths_checked),
		cmocka_unit_test(test_change_named),
	};

	return cmocka_run_group_tests_name("rbfx_uses", tests, NULL, NULL);
}
