/* test_plan_apply.c: what `owl apply` holds a run to (rb_apply.c) and how
 * a plan is compared and read (plan_text.c): preconditions are the reads
 * before the first write, a changed one is refused naming the JSON member
 * that changed, a write must be the plan's next one payload and all, and
 * plan_diff sorts writes into added, removed and changed. */
#include "unit.h"

#include "engine/hash.h"
#include "engine/plan.h"
#include "engine/rb_apply.h"
#include "engine/rb_runs.h"

static json_t *
fx(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	assert_non_null(j);
	return j;
}

#define GET_A                                                                  \
	"{\"seq\":1,\"kind\":\"http.get\",\"target\":\"http://gw/a\","         \
	"\"method\":\"GET\",\"write\":false,\"read\":{\"status\":200,"         \
	"\"sha256\":\"aa\",\"bytes\":17,\"body\":\"{\\\"mode\\\":\\\"normal\\\"}\"}}"
#define PUT_A(mode)                                                            \
	"{\"seq\":2,\"kind\":\"http.put\",\"target\":\"http://gw/a\","         \
	"\"method\":\"PUT\",\"write\":true,\"payload\":{\"method\":\"PUT\","   \
	"\"url\":\"http://gw/a\",\"json\":{\"mode\":\"" mode "\"}}}"
#define GET_B                                                                  \
	"{\"seq\":3,\"kind\":\"http.get\",\"target\":\"http://gw/b\","         \
	"\"method\":\"GET\",\"write\":false,\"read\":{\"status\":200,"         \
	"\"sha256\":\"bb\",\"bytes\":2,\"body\":\"{}\"}}"
#define NOTE(text)                                                             \
	"{\"seq\":4,\"kind\":\"notify\",\"target\":\"" text "\","              \
	"\"write\":true,\"payload\":{\"text\":\"" text "\"}}"

static void
test_preconditions_are_reads_before_first_write(void **state)
{
	json_t *plan = fx("[" GET_A "," PUT_A("degraded") "," GET_B "]");
	json_t *pre = plan_preconditions(plan);

	(void)state;
	assert_int_equal(json_array_size(pre), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(pre, 0), "target")),
	    "http://gw/a");
	json_decref(pre);
	json_decref(plan);
}

static void
test_stale_read_is_refused_naming_the_member(void **state)
{
	json_t *plan = fx("[" GET_A "," PUT_A("degraded") "]");
	json_t *get = fx(GET_A);
	json_t *now = fx("{\"status\":200,\"sha256\":\"cc\",\"bytes\":19,"
	                 "\"body\":\"{\\\"mode\\\":\\\"degraded\\\"}\"}");
	struct rb_apply a;
	struct err err;

	(void)state;
	err_init(&err);
	assert_int_equal(rb_apply_init(&a, 7, plan, &err), 0);
	assert_int_equal(rb_apply_read(&a, get, now, &err), -1);
	assert_int_equal(err.code, ERR_REFUSED);
	assert_non_null(strstr(err.msg,
	    "plan 7 is stale: GET http://gw/a: mode was \"normal\", now "
	    "\"degraded\""));
	assert_true(a.refused);
	rb_apply_done(&a);
	json_decref(plan);
	json_decref(get);
	json_decref(now);
}

static void
test_writes_must_be_the_plans(void **state)
{
	json_t *plan = fx("[" GET_A "," PUT_A("degraded") "," NOTE("hi") "]");
	json_t *get = fx(GET_A), *same = fx(PUT_A("degraded"));
	json_t *other = fx(PUT_A("cached")), *note = fx(NOTE("bye"));
	struct rb_apply a;
	struct err err;

	(void)state;
	err_init(&err);
	/* a write before the precondition was read again */
	assert_int_equal(rb_apply_init(&a, 3, plan, &err), 0);
	assert_int_equal(rb_apply_write(&a, same, &err), -1);
	assert_non_null(strstr(err.msg, "without reading GET http://gw/a"));
	rb_apply_done(&a);
	/* another payload */
	err_init(&err);
	assert_int_equal(rb_apply_init(&a, 3, plan, &err), 0);
	assert_int_equal(
	    rb_apply_read(&a, get, json_object_get(get, "read"), &err), 0);
	assert_int_equal(rb_apply_write(&a, other, &err), -1);
	assert_non_null(strstr(err.msg, "would send something else"));
	rb_apply_done(&a);
	/* the same writes pass; a write the plan does not hold is refused */
	err_init(&err);
	assert_int_equal(rb_apply_init(&a, 3, plan, &err), 0);
	assert_int_equal(
	    rb_apply_read(&a, get, json_object_get(get, "read"), &err), 0);
	assert_int_equal(rb_apply_write(&a, same, &err), 0);
	assert_int_equal(rb_apply_write(&a, note, &err), -1);
	assert_non_null(
	    strstr(err.msg, "does not hold this write: notify bye"));
	rb_apply_done(&a);
	json_decref(plan);
	json_decref(get);
	json_decref(same);
	json_decref(other);
	json_decref(note);
}

static void
test_plan_diff(void **state)
{
	json_t *a = fx("[" GET_A "," PUT_A("degraded") "," NOTE("x") "]");
	json_t *b = fx("[" PUT_A("cached") "," NOTE("y") "]");
	json_t *c = fx("[" NOTE("x") "]");
	struct err err;
	json_t *d;

	(void)state;
	err_init(&err);
	d = plan_diff(a, a, &err);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
	d = plan_diff(a, b, &err);
	assert_int_equal(json_array_size(d), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(d, 0), "change")),
	    "changed");
	assert_non_null(strstr(
	    json_string_value(json_object_get(json_array_get(d, 0), "diff")),
	    "-  \"mode\": \"degraded\"\n+  \"mode\": \"cached\""));
	json_decref(d);
	d = plan_diff(a, c, &err);
	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(d, 0), "change")),
	    "removed");
	json_decref(d);
	d = plan_diff(c, a, &err);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(d, 0), "change")),
	    "added");
	json_decref(d);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static void
test_read_change_wording(void **state)
{
	json_t *w = fx("{\"status\":200,\"sha256\":\"a\",\"body\":"
	               "\"{\\\"x\\\":{\\\"n\\\":[1,2]}}\"}");
	json_t *n = fx("{\"status\":200,\"sha256\":\"b\",\"body\":"
	               "\"{\\\"x\\\":{\\\"n\\\":[1,3]}}\"}");
	json_t *s = fx("{\"status\":503,\"sha256\":\"c\"}");
	json_t *t1 = fx("{\"sha256\":\"d\",\"bytes\":3,\"body\":\"abc\"}");
	json_t *t2 = fx("{\"sha256\":\"e\",\"bytes\":3,\"body\":\"abd\"}");
	char out[300];

	(void)state;
	plan_read_change(w, n, out, sizeof out);
	assert_string_equal(out, "x.n[1] was 2, now 3");
	plan_read_change(w, s, out, sizeof out);
	assert_string_equal(out, "status was 200, now 503");
	plan_read_change(t1, t2, out, sizeof out);
	assert_string_equal(out, "content was \"abc\", now \"abd\"");
	json_decref(w);
	json_decref(n);
	json_decref(s);
	json_decref(t1);
	json_decref(t2);
}

/* The plan hash is streamed (rb_runs.c): it must stay the SHA-256 of the
 * JSON text of the array of the effects' keys (compact, keys sorted),
 * as plans already stored were hashed, whatever the values hold. */
static void
test_plan_hash_is_the_keys_text(void **state)
{
	struct unit_db *f = *state;
	json_t *plan = fx("[" GET_A "," PUT_A("degraded") "," GET_B "," NOTE(
	    "caf\\u00e9 \\t\\u0001 \\\"q\\\" \\\\ / \\u2028") ","
	                                                      "{\"seq\":5,\"kind\":\"git.push\",\"target\":\"r\","
	                                                      "\"write\":true,\"diff\":\"--- a\\n+++ b\\n\","
	                                                      "\"payload\":{\"z\":1,\"a\":[1.5,-2,1e300,null,"
	                                                      "true,{\"y\":{},\"b\":[]}]}},"
	                                                      "{\"seq\":6,\"kind\":\"file.write\",\"target\":\"/x\","
	                                                      "\"write\":true,\"diff\":\"-a\\n+b\\n\",\"secrets\":"
	                                                      "[\"k\"],\"payload\":{\"path\":\"/x\",\"n\":0.1}},"
	                                                      "{\"seq\":7,\"kind\":\"nosuch\"}]");
	json_t *keys = json_array();
	unsigned char md[HASH_LEN];
	char want[65], got[65];
	struct err err;
	int64_t id;
	size_t i;
	json_t *e;
	char *s;

	struct rb_runs_new run = { .runbook = "rb",
		.source = "dir:/rb",
		.source_sha256 = "sha",
		.params = "{}",
		.actor = "t",
		.dry_run = 1 };
	int64_t run_id;

	err_init(&err);
	assert_int_equal(rb_runs_insert(f->s, &run, &run_id, &err), 0);
	json_array_foreach(plan, i, e)
	    json_array_append_new(keys, rb_runs_key(e));
	s = json_dumps(keys, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	hash_sha256(s, strlen(s), md);
	hash_hex(md, sizeof md, want);
	assert_int_equal(rb_runs_plan_store(f->s, run_id, "rb", "sha", "{}", 1,
	                     plan, &id, got, &err),
	    0);
	assert_string_equal(got, want);
	/* an empty plan too */
	json_array_clear(plan);
	hash_sha256("[]", 2, md);
	hash_hex(md, sizeof md, want);
	assert_int_equal(rb_runs_plan_store(f->s, run_id, "rb", "sha", "{}", 1,
	                     plan, &id, got, &err),
	    0);
	assert_string_equal(got, want);
	free(s);
	json_decref(keys);
	json_decref(plan);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_preconditions_are_reads_before_first_write),
		cmocka_unit_test(test_stale_read_is_refused_naming_the_member),
		cmocka_unit_test(test_writes_must_be_the_plans),
		cmocka_unit_test(test_plan_diff),
		cmocka_unit_test(test_read_change_wording),
		cmocka_unit_test_setup_teardown(test_plan_hash_is_the_keys_text,
		    unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
