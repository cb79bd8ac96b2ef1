/* test_rbask.c: suggested runbooks' match scoring (rbsuggest_score, and
 * rbsuggest_incident over an incident's stored alerts) and
 * confirm() through the action log (engine/rb_ask.h): the question
 * waits, the first answer wins with its actor, a second is refused, an
 * ended run takes none. */
#include "unit.h"

#include <jansson.h>
#include <sys/stat.h>

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

/* Writes dir/name with text. */
static void
put(const char *dir, const char *name, const char *text)
{
	char *p = unit_path(dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

/* The suggestion named name in sug: {alerts, matched, score} as "A/M/S",
 * or "-" when it is not suggested. */
static const char *
fit(const json_t *sug, const char *name, char *out, size_t n)
{
	size_t i;
	json_t *e;

	snprintf(out, n, "-");
	json_array_foreach(
	    sug, i, e) if (strcmp(json_string_value(json_object_get(e, "name")),
	                       name) == 0) snprintf(out, n, "%lld/%lld/%lld",
	    (long long)json_integer_value(json_object_get(e, "alerts")),
	    (long long)json_integer_value(json_object_get(e, "matched")),
	    (long long)json_integer_value(json_object_get(e, "score")));
	return out;
}

/* An incident's alerts against the runbooks' match: the labels as owl
 * stores them (read with no tree) and those that need jansson (an
 * escape, a key twice: the last counts, text not UTF-8-clean ASCII, a
 * value not a string) count alike; resolved alerts count as matched,
 * not firing; a runbook with no match or an empty one is never
 * suggested. */
static void
test_suggest(void **state)
{
	static const char *const labels[] = {
		"{\"alertname\":\"Down\",\"region\":\"eu\"}",
		"{\"alertname\":\"Down\",\"region\":\"us\"}",
		"{\"alertname\":\"Down\",\"region\":\"e\\u0075\"}",
		"{\"alertname\":\"Up\",\"alertname\":\"Down\"}",
		"{\"alertname\":\"Down\",\"region\":\"caf\u00e9\"}",
		"{\"alertname\":\"Down\",\"region\":5}",
		"{\"alertname\": \"Down\", \"region\": \"eu\"}",
		"not json",
	};
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db"),
	     *rb = unit_path(dir, "rb"), sql[512], got[64];
	struct rbsource *src;
	struct store *s;
	struct err err;
	json_t *sug;

	(void)state;
	err_init(&err);
	assert_int_equal(mkdir(rb, 0700), 0);
	put(rb, "down.lua",
	    "runbook{ summary = 's', match = { alertname ="
	    " 'Down' } }\n");
	put(rb, "eu.lua",
	    "runbook{ match = { alertname = 'Down', region ="
	    " { 'eu', 'caf\u00e9' } } }\n");
	put(rb, "none.lua", "runbook{ summary = 'no match' }\n");
	put(rb, "empty.lua", "runbook{ match = {} }\n");
	put(rb, "other.lua", "runbook{ match = { alertname = 'Other' } }\n");
	assert_non_null(s = store_open(path, &err));
	assert_int_equal(
	    store_exec(s,
	        "INSERT INTO incidents(source, group_key, state, severity,"
	        " title, opened_at, updated_at, last_alert_at) VALUES"
	        " ('am', 'g', 0, 3, 't', 1, 1, 1)",
	        &err),
	    0);
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		snprintf(sql, sizeof sql,
		    "INSERT INTO alerts(incident_id, source, fingerprint,"
		    " resolved, severity, labels, annotations, starts_at,"
		    " ends_at, count, first_seen, last_seen) VALUES (1, 'am',"
		    " 'f%zu', %d, 3, '%s', '{}', 1, 0, 1, 1, 1)",
		    i, i == 1, labels[i]);
		assert_int_equal(store_exec(s, sql, &err), 0);
	}
	assert_non_null(src = rbsource_dir_open(rb, &err));
	assert_non_null(sug = rbsuggest_incident(s, src, 1, &err));
	/* Down: all but "not json" (7), the resolved one not firing */
	assert_string_equal(fit(sug, "down", got, sizeof got), "6/7/1");
	/* eu: eu, e\u0075, café, and eu with spaces */
	assert_string_equal(fit(sug, "eu", got, sizeof got), "4/4/2");
	assert_string_equal(fit(sug, "none", got, sizeof got), "-");
	assert_string_equal(fit(sug, "empty", got, sizeof got), "-");
	assert_string_equal(fit(sug, "other", got, sizeof got), "-");
	/* best first */
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(sug, 0), "name")),
	    "eu");
	json_decref(sug);
	rbsource_close(src);
	store_close(s);
	unit_rmtree(dir);
	free(rb);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_ask),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests_name("rbask", tests, NULL, NULL);
}
