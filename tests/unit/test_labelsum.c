/* test_labelsum.c: the summary of an incident's labels the ingest keeps
 * (engine/labelsum.h, incidents.label_keys): folding, merging, its
 * stored form, that it never says what the alerts' rows do not show
 * (after relabels, in batches of several incidents), and that runbook
 * suggestions decided from it say what the walk of the alerts says. */
#include "unit_ingest.h"

#include <jansson.h>
#include <sys/stat.h>

#include "engine/incident_ingest.h"
#include "engine/labelsum.h"
#include "engine/rbsource.h"
#include "engine/store.h"
#include "integrations/rbsuggest.h"

static char *
dump(const struct labelsum *s)
{
	char *t = labelsum_dump(s);

	assert_non_null(t);
	return t;
}

static void
is_dump(const struct labelsum *s, const char *want)
{
	char *t = dump(s);

	assert_string_equal(t, want);
	free(t);
}

/* Folding alerts' labels: a key every alert has with one value keeps
 * it, one they differ on or some lack is null; too many keys, labels
 * not as owl writes them: unknown, and it stays so. */
static void
test_fold(void **state)
{
	struct labelsum s, t;
	char many[2048];
	size_t n = 0;

	(void)state;
	labelsum_init(&s);
	is_dump(&s, "{}");
	assert_int_equal(labelsum_add(&s, "{\"a\":\"1\",\"b\":\"x\"}"), 0);
	assert_true(s.changed);
	is_dump(&s, "{\"a\":\"1\",\"b\":\"x\"}");
	s.changed = 0;
	assert_int_equal(labelsum_add(&s, "{\"a\":\"1\",\"b\":\"x\"}"), 0);
	assert_false(s.changed);
	assert_int_equal(labelsum_add(&s, "{\"a\":\"1\",\"b\":\"y\"}"), 0);
	assert_true(s.changed);
	is_dump(&s, "{\"a\":\"1\",\"b\":null}");
	/* a key only the new alert has; a key it lacks */
	assert_int_equal(labelsum_add(&s, "{\"b\":\"x\",\"c\":\"3\"}"), 0);
	is_dump(&s, "{\"a\":null,\"b\":null,\"c\":null}");
	/* merging: a summary of other alerts */
	labelsum_init(&t);
	assert_int_equal(labelsum_add(&t, "{\"a\":\"1\",\"d\":\"4\"}"), 0);
	assert_int_equal(labelsum_merge(&s, &t), 0);
	is_dump(&s, "{\"a\":null,\"b\":null,\"c\":null,\"d\":null}");
	labelsum_done(&t);
	labelsum_init(&t);
	assert_int_equal(labelsum_add(&t, "{\"a\":\"1\"}"), 0);
	labelsum_done(&s);
	labelsum_init(&s);
	assert_int_equal(labelsum_merge(&s, &t), 0); /* into an empty one */
	is_dump(&s, "{\"a\":\"1\"}");
	labelsum_done(&t);
	/* a value past LABELSUM_VALUE_MAX is not kept: null */
	n = (size_t)snprintf(many, sizeof many, "{\"long\":\"");
	memset(many + n, 'v', LABELSUM_VALUE_MAX + 1);
	snprintf(many + n + LABELSUM_VALUE_MAX + 1, 8, "\"}");
	labelsum_init(&t);
	assert_int_equal(labelsum_add(&t, many), 0);
	is_dump(&t, "{\"long\":null}");
	labelsum_done(&t);
	/* more keys than kept: unknown, and it stays unknown */
	n = (size_t)snprintf(many, sizeof many, "{");
	for (int i = 0; i <= LABELSUM_KEYS; i++)
		n += (size_t)snprintf(many + n, sizeof many - n,
		    "%s\"k%02d\":\"v\"", i ? "," : "", i);
	snprintf(many + n, sizeof many - n, "}");
	assert_int_equal(labelsum_add(&s, many), 0);
	assert_int_equal(s.state, LABELSUM_UNKNOWN);
	is_dump(&s, "unknown");
	assert_int_equal(labelsum_add(&s, "{\"a\":\"1\"}"), 0);
	is_dump(&s, "unknown");
	labelsum_done(&s);
	/* a value not a string: the key is there, its value differs; text
	 * not as owl writes it, read as a tree; not an object: unknown */
	labelsum_init(&s);
	assert_int_equal(labelsum_add(&s, "{\"a\":5,\"b\":\"caf\u00e9\"}"), 0);
	is_dump(&s, "{\"a\":null,\"b\":\"caf\u00e9\"}");
	assert_int_equal(
	    labelsum_add(&s, "{\"a\":\"5\",\"b\":\"caf\u00e9\"}"), 0);
	is_dump(&s, "{\"a\":null,\"b\":\"caf\u00e9\"}");
	assert_int_equal(labelsum_add(&s, "[]"), 0);
	assert_int_equal(s.state, LABELSUM_UNKNOWN);
	labelsum_done(&s);
}

/* The stored form read back: NULL of an incident with no alert is
 * empty, with alerts unknown; text not a summary is unknown. */
static void
test_load(void **state)
{
	struct labelsum s;

	(void)state;
	labelsum_init(&s);
	assert_int_equal(labelsum_load(&s, NULL, 0), 0);
	assert_int_equal(s.state, LABELSUM_EMPTY);
	assert_int_equal(labelsum_load(&s, NULL, 3), 0);
	assert_int_equal(s.state, LABELSUM_UNKNOWN);
	assert_int_equal(labelsum_load(&s, "unknown", 3), 0);
	assert_int_equal(s.state, LABELSUM_UNKNOWN);
	assert_int_equal(labelsum_load(&s, "{\"a\":5}", 3), 0);
	assert_int_equal(s.state, LABELSUM_UNKNOWN);
	assert_int_equal(labelsum_load(&s, "[]", 3), 0);
	assert_int_equal(s.state, LABELSUM_UNKNOWN);
	/* as dumped: read with no tree; with an escape: from a tree */
	assert_int_equal(labelsum_load(&s, "{\"q\":\"a\\\"b\"}", 3), 0);
	assert_int_equal(s.state, LABELSUM_KNOWN);
	is_dump(&s, "{\"q\":\"a\\\"b\"}");
	assert_int_equal(labelsum_load(&s, "{}", 3), 0);
	assert_int_equal(s.state, LABELSUM_KNOWN);
	assert_int_equal(labelsum_load(&s, "{\"a\":\"1\",\"b\":null}", 3), 0);
	assert_int_equal(s.state, LABELSUM_KNOWN);
	assert_false(s.changed);
	is_dump(&s, "{\"a\":\"1\",\"b\":null}");
	assert_int_equal(labelsum_add(&s, "{\"a\":\"1\",\"b\":\"2\"}"), 0);
	assert_false(s.changed);
	labelsum_done(&s);
}

/* incidents.label_keys of incident id (a malloc'd copy; NULL for SQL
 * NULL). */
static char *
stored(struct store *s, int64_t id)
{
	struct store_stmt *st;
	struct err err;
	char *t = NULL;

	err_init(&err);
	assert_non_null(
	    st = store_stmt(
	        s, "SELECT label_keys FROM incidents WHERE id = ?", &err));
	store_bind_int64(st, 1, id);
	assert_int_equal(store_step(st), STORE_ROW);
	if (store_col_text(st, 0) != NULL)
		t = strdup((const char *)store_col_text(st, 0));
	store_reset(st);
	return t;
}

/* What the summary of incident id says is so of its alerts' rows: a
 * key with a value, every row has it so; a key absent, no row has it.
 * Asserts it. */
static void
sound(struct store *s, int64_t id)
{
	char *t = stored(s, id);
	json_t *sum, *v;
	const char *k;
	struct store_stmt *st;
	struct err err;

	err_init(&err);
	assert_non_null(t);
	assert_non_null(sum = json_loads(t, 0, NULL));
	json_object_foreach(sum, k, v)
	{
		if (!json_is_string(v))
			continue;
		/* one statement text (the store keeps statements by it) */
		assert_non_null(st = store_stmt(s,
		                    "SELECT count(*) FROM alerts WHERE"
		                    " incident_id = ?1 AND json_extract(labels,"
		                    " '$.' || ?3) IS NOT ?2",
		                    &err));
		store_bind_int64(st, 1, id);
		store_bind_text(st, 2, json_string_value(v), -1, STORE_STATIC);
		store_bind_text(st, 3, k, -1, STORE_STATIC);
		assert_int_equal(store_step(st), STORE_ROW);
		assert_int_equal(store_col_int64(st, 0), 0);
		store_reset(st);
	}
	/* every key any row has is in the summary */
	assert_non_null(st = store_stmt(s,
	                    "SELECT DISTINCT j.key FROM alerts,"
	                    " json_each(alerts.labels) AS j"
	                    " WHERE incident_id = ?",
	                    &err));
	store_bind_int64(st, 1, id);
	while (store_step(st) == STORE_ROW)
		assert_non_null(
		    json_object_get(sum, (const char *)store_col_text(st, 0)));
	store_reset(st);
	json_decref(sum);
	free(t);
}

/* An Alertmanager webhook of group g with n alerts, alert i labelled
 * alertname=A, instance=h<i>, job=<job>, plus extra (",\"k\":\"v\"" or
 * "") on alert `on`. */
static void
put_group(struct store *s, const char *g, int from, int n, const char *job,
    int on, const char *extra)
{
	char *body = NULL, *alerts = strdup(""), *p;

	for (int i = from; i < from + n; i++) {
		assert_true(asprintf(&p,
		                "%s%s{\"status\":\"firing\",\"labels\":"
		                "{\"alertname\":\"A%s\",\"instance\":\"h%d\","
		                "\"job\":\"%s\"%s},\"annotations\":{},"
		                "\"fingerprint\":\"%s-%d\"}",
		                alerts, i > from ? "," : "", g, i, job,
		                i == on ? extra : "", g, i) != -1);
		free(alerts);
		alerts = p;
	}
	assert_true(asprintf(&body,
	                "{\"version\":\"4\",\"groupKey\":\"%s\","
	                "\"alerts\":[%s]}",
	                g, alerts) != -1);
	unit_put(s, INGEST_ALERTMANAGER, body);
	free(alerts);
	free(body);
}

/* The ingest keeps the summary as alerts come, are re-delivered with
 * other labels, and come for two incidents in one batch. */
static void
test_ingest(void **state)
{
	struct unit_db *f = *state;
	char *t;

	put_group(f->s, "g", 0, 3, "node", -1, "");
	assert_non_null(t = stored(f->s, 1));
	assert_string_equal(
	    t, "{\"alertname\":\"Ag\",\"instance\":null,\"job\":\"node\"}");
	free(t);
	sound(f->s, 1);
	/* a re-delivery that adds a label to one alert */
	put_group(f->s, "g", 1, 1, "node", 1, ",\"team\":\"db\"");
	assert_non_null(t = stored(f->s, 1));
	assert_string_equal(t,
	    "{\"alertname\":\"Ag\",\"instance\":null,\"job\":\"node\","
	    "\"team\":null}");
	free(t);
	sound(f->s, 1);
	/* one that changes job of one alert */
	put_group(f->s, "g", 2, 1, "other", -1, "");
	assert_non_null(t = stored(f->s, 1));
	assert_string_equal(t,
	    "{\"alertname\":\"Ag\",\"instance\":null,\"job\":null,"
	    "\"team\":null}");
	free(t);
	sound(f->s, 1);
	/* a batch of two groups, interleaved (the touched entries merge) */
	{
		const char *body =
		    "[{\"labels\":{\"alertname\":\"X\",\"a\":\"1\"}},"
		    "{\"labels\":{\"alertname\":\"Y\",\"b\":\"1\"}},"
		    "{\"labels\":{\"alertname\":\"X\",\"a\":\"2\"}},"
		    "{\"labels\":{\"alertname\":\"Y\",\"b\":\"1\"},"
		    "\"annotations\":{\"n\":\"2\"}}]";

		unit_put(f->s, INGEST_ALERTMANAGER, body);
	}
	assert_non_null(t = stored(f->s, 2));
	assert_string_equal(t, "{\"a\":null,\"alertname\":\"X\"}");
	free(t);
	assert_non_null(t = stored(f->s, 3));
	assert_string_equal(t, "{\"alertname\":\"Y\",\"b\":\"1\"}");
	free(t);
	sound(f->s, 2);
	sound(f->s, 3);
}

/* The same through owl serve's group commit: the incident's row kept
 * between batches (incident_ingest_defer) carries the summary. */
static void
test_ingest_defer(void **state)
{
	static const char *const bodies[] = {
		"[{\"labels\":{\"alertname\":\"X\",\"i\":\"0\",\"job\":\"n\"}},"
		"{\"labels\":{\"alertname\":\"X\",\"i\":\"1\",\"job\":\"n\"}}]",
		"[{\"labels\":{\"alertname\":\"X\",\"i\":\"2\",\"job\":\"n\"}}]",
		"[{\"labels\":{\"alertname\":\"X\",\"i\":\"3\",\"job\":\"n\","
		"\"team\":\"db\"}}]",
		"[{\"labels\":{\"alertname\":\"X\",\"i\":\"4\",\"job\":\"m\"}}]",
	};
	static const char *const want[] = {
		"{\"alertname\":\"X\",\"i\":null,\"job\":\"n\"}",
		"{\"alertname\":\"X\",\"i\":null,\"job\":\"n\"}",
		"{\"alertname\":\"X\",\"i\":null,\"job\":\"n\",\"team\":null}",
		"{\"alertname\":\"X\",\"i\":null,\"job\":null,\"team\":null}",
	};
	struct unit_db *f = *state;
	struct incident_ingest_defer *d = incident_ingest_defer_new();
	struct ingest_result r;
	struct ingest_batch *b;
	struct err err;
	char *t;

	err_init(&err);
	assert_non_null(d);
	assert_int_equal(store_begin(f->s, &err), 0);
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		assert_non_null(b = ingest_parse(INGEST_ALERTMANAGER, bodies[i],
		                    strlen(bodies[i]), &err));
		assert_int_equal(
		    ingest_store_defer(f->s, b, "tester", &r, d, &err), 0);
		ingest_batch_free(b);
		assert_non_null(t = stored(f->s, 1));
		assert_string_equal(t, want[i]);
		free(t);
	}
	assert_int_equal(incident_ingest_defer_flush(f->s, d, &err), 0);
	assert_int_equal(store_commit(f->s, &err), 0);
	incident_ingest_defer_free(d);
	sound(f->s, 1);
}

static void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

/* "name:alerts/matched/of/sampled score" of each suggestion, in order. */
static char *
line(const json_t *sug)
{
	char *out = strdup(""), *p;
	size_t i;
	json_t *e;

	json_array_foreach(sug, i, e)
	{
		assert_true(
		    asprintf(&p, "%s%s:%lld/%lld/%lld/%d %lld ", out,
		        json_string_value(json_object_get(e, "name")),
		        (long long)json_integer_value(
		            json_object_get(e, "alerts")),
		        (long long)json_integer_value(
		            json_object_get(e, "matched")),
		        (long long)json_integer_value(json_object_get(e, "of")),
		        json_is_true(json_object_get(e, "sampled")),
		        (long long)json_integer_value(
		            json_object_get(e, "score"))) != -1);
		free(out);
		out = p;
	}
	return out;
}

static char *
suggest(struct store *s, struct rbsource *src, int64_t id)
{
	struct err err;
	json_t *sug;
	char *l;

	err_init(&err);
	sug = rbsuggest_incident(s, src, id, &err);
	if (sug == NULL)
		fail_msg("suggest: %s", err.msg);
	l = line(sug);
	json_decref(sug);
	return l;
}

/* Suggestions decided from the summary say what the walk says (the
 * same with the summary taken away), and past RBSUGGEST_ALERTS_MAX
 * alerts a runbook every alert fits counts them all, one only the walk
 * can tell is said to be counted over the first ones. */
static void
test_suggest(void **state)
{
	struct unit_db *f = *state;
	char *rb, *a, *b;
	struct rbsource *src;
	struct err err;

	err_init(&err);
	assert_true(asprintf(&rb, "%s/rb", f->dir) != -1);
	assert_int_equal(mkdir(rb, 0700), 0);
	put(rb, "all.lua", "runbook{ match = { alertname = 'Ag' } }\n");
	put(rb, "list.lua",
	    "runbook{ match = { alertname = { 'Ag', 'B' }, job = 'node' } }\n");
	put(rb, "some.lua",
	    "runbook{ match = { alertname = 'Ag', instance = { 'h1', 'h7' "
	    "} } }\n");
	put(rb, "team.lua", "runbook{ match = { team = 'db' } }\n");
	put(rb, "other.lua", "runbook{ match = { alertname = 'B' } }\n");
	put(rb, "absent.lua", "runbook{ match = { suite = 'nightly' } }\n");
	/* the tests of a runbook are none */
	put(rb, "all.test.lua", "runbook{ match = { alertname = 'Ag' } }\n");
	assert_non_null(src = rbsource_dir_open(rb, &err));
	put_group(f->s, "g", 0, 10, "node", 3, ",\"team\":\"db\"");
	a = suggest(f->s, src, 1);
	assert_string_equal(a,
	    "list:10/10/10/0 2 some:2/2/10/0 2 all:10/10/10/0 1 "
	    "team:1/1/10/0 1 ");
	assert_int_equal(
	    store_exec(f->s, "UPDATE incidents SET label_keys = NULL", &err),
	    0);
	b = suggest(f->s, src, 1);
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* past RBSUGGEST_ALERTS_MAX: counted in full where the summary
	 * tells, over the first ones where only the alerts can */
	put_group(f->s, "big", 0, RBSUGGEST_ALERTS_MAX + 2, "node", -1, "");
	put(rb, "bigall.lua", "runbook{ match = { alertname = 'Abig' } }\n");
	put(rb, "bigsome.lua",
	    "runbook{ match = { instance = { 'h0', 'h5001' } } }\n");
	rbsource_close(src);
	assert_non_null(src = rbsource_dir_open(rb, &err));
	a = suggest(f->s, src, 2);
	assert_string_equal(a,
	    "bigall:5002/5002/5002/0 1 "
	    "bigsome:1/1/5000/1 1 ");
	free(a);
	rbsource_close(src);
	free(rb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_load),
		cmocka_unit_test_setup_teardown(
		    test_ingest, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_ingest_defer, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_suggest, unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests_name("labelsum", tests, NULL, NULL);
}
