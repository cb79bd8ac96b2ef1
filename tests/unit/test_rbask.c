/* test_rbask.c: suggested runbooks' match scoring (rbsuggest_score) and
 * confirm() through the action log (engine/rb_ask.h): the question
 * waits, the first answer wins with its actor, a second is refused, an
 * ended run takes none. */
#include "unit.h"

#include <jansson.h>

#include "engine/actlog.h"
#include "engine/rb_ask.h"
#include "engine/rb_runs.h"
#include "integrations/rbsuggest.h"

static void
test_score(void **state)
{
	json_t *labels = json_pack("{s:s,s:s,s:s}", "alertname",
	    "LLMProviderDown", "region", "eu", "service", "assistant");
	json_t *m1 = json_pack("{s:s}", "alertname", "LLMProviderDown");
	json_t *m2 = json_pack("{s:s,s:[s,s]}", "alertname", "LLMProviderDown",
	    "region", "us", "eu");
	json_t *m3 = json_pack(
	    "{s:s,s:s}", "alertname", "LLMProviderDown", "region", "us");
	json_t *none = json_object();

	(void)state;
	assert_int_equal(rbsuggest_score(m1, labels), 1);
	assert_int_equal(rbsuggest_score(m2, labels), 2); /* any of a list */
	assert_int_equal(rbsuggest_score(m3, labels), 0); /* all must fit */
	assert_int_equal(rbsuggest_score(none, labels), 0);
	assert_int_equal(rbsuggest_score(NULL, labels), 0);
	json_decref(labels);
	json_decref(m1);
	json_decref(m2);
	json_decref(m3);
	json_decref(none);
}

static void
test_ask(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct rb_runs_new r = { .runbook = "ask",
		.source = "dir:/x",
		.source_sha256 = "00",
		.params = "{}",
		.actor = "alice" };
	struct actlog_new forged = { .actor = "mallory",
		.kind = "run.answer",
		.detail = "{\"n\":5,\"yes\":true}" };
	struct rb_ask q;
	char who[64];
	struct store *s;
	struct err err;
	int64_t run, n;

	(void)state;
	err_init(&err);
	assert_non_null(s = store_open(path, &err));
	assert_int_equal(rb_runs_insert(s, &r, &run, &err), 0);
	forged.run = run;
	assert_int_equal(rb_ask_pending(s, run, &q, &err), 0);
	assert_int_equal(rb_ask_question(s, run, "Go?", NULL, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rb_ask_pending(s, run, &q, &err), 1);
	assert_int_equal(q.n, 1);
	assert_string_equal(q.text, "Go?");
	assert_string_equal(q.target, "");
	assert_int_equal(
	    rb_ask_answer_of(s, run, 1, who, sizeof who, &err), -1);
	assert_int_equal(rb_ask_answer(s, run, 1, NULL, "bob", &err), 0);
	assert_int_equal(rb_ask_answer_of(s, run, 1, who, sizeof who, &err), 1);
	assert_string_equal(who, "bob");
	/* the first answer wins */
	err_init(&err);
	assert_int_equal(rb_ask_answer(s, run, 0, NULL, "carol", &err), -1);
	assert_int_equal(err.code, ERR_REFUSED);
	/* a second question, answered no */
	assert_int_equal(rb_ask_question(s, run, "Really?", NULL, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rb_ask_answer(s, run, 0, NULL, "carol", &err), 0);
	assert_int_equal(rb_ask_answer_of(s, run, 2, who, sizeof who, &err), 0);
	assert_string_equal(who, "carol");
	/* a target question: yes only with the target typed out */
	assert_int_equal(
	    rb_ask_question(s, run, "Drop?", "sessions", &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rb_ask_pending(s, run, &q, &err), 1);
	assert_string_equal(q.target, "sessions");
	err_init(&err);
	assert_int_equal(rb_ask_answer(s, run, 1, NULL, "erin", &err), -1);
	assert_int_equal(err.code, ERR_REFUSED);
	err_init(&err);
	assert_int_equal(rb_ask_answer(s, run, 1, "session", "erin", &err), -1);
	assert_int_equal(err.code, ERR_REFUSED);
	assert_int_equal(rb_ask_pending(s, run, &q, &err), 1); /* waits */
	assert_int_equal(rb_ask_answer(s, run, 1, "sessions", "erin", &err), 0);
	assert_int_equal(rb_ask_answer_of(s, run, 3, who, sizeof who, &err), 1);
	assert_string_equal(who, "erin");
	/* a target question's no needs nothing typed */
	assert_int_equal(
	    rb_ask_question(s, run, "Drop?", "users", &n, &err), 0);
	assert_int_equal(rb_ask_answer(s, run, 0, NULL, "erin", &err), 0);
	assert_int_equal(rb_ask_answer_of(s, run, 4, who, sizeof who, &err), 0);
	/* a yes written without the target (not through rb_ask_answer)
	 * does not confirm it */
	assert_int_equal(rb_ask_question(s, run, "Drop?", "x", &n, &err), 0);
	assert_int_equal(actlog_append(s, &forged, NULL, &err), 0);
	assert_int_equal(rb_ask_answer_of(s, run, 5, who, sizeof who, &err), 0);
	/* an ended run waits on nothing */
	assert_int_equal(rb_ask_question(s, run, "Late?", NULL, &n, &err), 0);
	assert_int_equal(rb_runs_finish(s, run, "ok", NULL, 0, &err), 0);
	assert_int_equal(rb_ask_pending(s, run, &q, &err), 0);
	err_init(&err);
	assert_int_equal(rb_ask_answer(s, run, 1, NULL, "dave", &err), -1);
	assert_int_equal(err.code, ERR_REFUSED);
	store_close(s);
	unit_rmtree(dir);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_ask),
	};

	return cmocka_run_group_tests_name("rbask", tests, NULL, NULL);
}
