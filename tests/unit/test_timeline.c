/* test_timeline.c: the postmortem timeline's event texts, header and
 * escaping (engine/timeline.c), over hand-made log entries. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "engine/timeline.h"
#include "engine/timeline_int.h"

/* Adds one entry to t: id, seconds after a fixed start, actor, run, kind
 * and detail. */
static void
add(struct timeline *t, int64_t id, int64_t sec, const char *actor, int64_t run,
    const char *kind, const char *detail)
{
	struct actlog_entry e = { .id = id,
		.at_us = INT64_C(1764386400000000) + sec * 1000000,
		.actor = actor,
		.incident = 7,
		.run = run,
		.kind = kind,
		.detail = detail,
		.prev_hash = "0",
		.hash = "abc123" };
	struct err err;

	err_init(&err);
	assert_int_equal(timeline_add(t, &e, &err), 0);
}

static void
test_texts(void **state)
{
	struct timeline t;
	struct err err;

	(void)state;
	timeline_init(&t, 7);
	add(&t, 1, 0, "owl", 0, "incident.open",
	    "{\"title\":\"LLM provider down\",\"severity\":\"critical\","
	    "\"source\":\"alertmanager\",\"state\":\"triggered\"}");
	add(&t, 2, 0, "owl", 0, "alert.new",
	    "{\"fingerprint\":\"f1\",\"status\":\"firing\",\"severity\":"
	    "\"critical\",\"labels\":{\"alertname\":\"LLMProviderDown\"},"
	    "\"starts_at\":\"2025-11-29T03:19:00Z\"}");
	add(&t, 3, 60, "alice", 0, "incident.ack",
	    "{\"before\":{\"state\":\"triggered\"},\"after\":{\"state\":"
	    "\"acknowledged\",\"acked_by\":\"alice\"},\"note\":\"on it\"}");
	add(&t, 4, 70, "bob", 9, "run.start",
	    "{\"runbook\":\"degraded-mode\",\"commit\":"
	    "\"3f2a9c1d00000000000000000000000000000000\",\"dry_run\":false}");
	add(&t, 5, 71, "bob", 9, "effect.intent",
	    "{\"seq\":1,\"kind\":\"http.put\",\"target\":\"https://flags/x\","
	    "\"dry_run\":false}");
	add(&t, 6, 72, "bob", 9, "effect.result",
	    "{\"seq\":1,\"status\":200,\"ok\":true,\"ms\":40}");
	add(&t, 7, 72, "bob", 9, "run.step",
	    "{\"i\":1,\"name\":\"switch to degraded\",\"status\":\"ok\","
	    "\"ms\":120}");
	add(&t, 8, 73, "bob", 9, "run.step",
	    "{\"i\":2,\"name\":\"verify\",\"status\":\"failed\",\"ms\":5,"
	    "\"error\":\"boom\"}");
	add(&t, 9, 74, "bob", 9, "run.end", "{\"status\":\"failed\"}");
	add(&t, 10, 200, "owl", 0, "alert.resolve",
	    "{\"fingerprint\":\"f1\",\"before\":{\"status\":\"firing\"}}");
	add(&t, 11, 200, "owl", 0, "incident.resolve",
	    "{\"before\":{\"state\":\"acknowledged\"},\"after\":{\"state\":"
	    "\"resolved\"},\"auto\":true}");
	add(&t, 12, 201, "carol", 0, "something.new", "{\"x\":1}");
	err_init(&err);
	assert_int_equal(timeline_finish(&t, &err), 0);
	assert_int_equal(t.n, 12);
	assert_string_equal(t.ev[0].text,
	    "incident opened: LLM provider down (critical, from alertmanager)");
	assert_string_equal(
	    t.ev[1].text, "alert fired: LLMProviderDown (critical)");
	assert_string_equal(t.ev[2].text, "acknowledged by alice: on it");
	assert_string_equal(t.ev[3].text,
	    "run 9 degraded-mode (commit 3f2a9c1) started by bob");
	assert_string_equal(
	    t.ev[4].text, "run 9 http.put https://flags/x: started");
	assert_string_equal(
	    t.ev[5].text, "run 9 http.put https://flags/x -> 200 40 ms");
	assert_string_equal(
	    t.ev[6].text, "run 9 step 1/2 switch to degraded: ok 120 ms");
	assert_string_equal(
	    t.ev[7].text, "run 9 step 2/2 verify: failed 5 ms: boom");
	assert_string_equal(t.ev[8].text, "run 9 degraded-mode ended: failed");
	assert_string_equal(t.ev[9].text, "alert resolved: LLMProviderDown");
	assert_string_equal(
	    t.ev[10].text, "resolved automatically: all alerts resolved");
	assert_string_equal(t.ev[11].text, "something.new {\"x\":1}");
	assert_int_equal(t.ev[3].run, 9);
	assert_int_equal(t.ev[3].entry, 4);
	assert_string_equal(t.ev[3].hash, "abc123");
	/* the header */
	assert_string_equal(t.head.title, "LLM provider down");
	assert_string_equal(t.head.state, "resolved");
	assert_int_equal(t.head.opened_us, INT64_C(1764386400000000));
	assert_int_equal(t.head.started_us, INT64_C(1764386340000000));
	assert_int_equal(t.head.acked_us - t.head.opened_us, 60000000);
	assert_int_equal(t.head.resolved_us - t.head.opened_us, 200000000);
	assert_true(t.head.resolved_auto);
	timeline_free(&t);
}

static void
test_reopen_clears_resolve(void **state)
{
	struct timeline t;
	struct err err;

	(void)state;
	timeline_init(&t, 7);
	add(&t, 1, 0, "owl", 0, "incident.open",
	    "{\"title\":\"t\",\"severity\":\"warning\",\"state\":\"triggered\"}");
	add(&t, 2, 5, "bob", 0, "incident.resolve",
	    "{\"after\":{\"state\":\"resolved\"},\"auto\":false,\"note\":"
	    "\"done\"}");
	add(&t, 3, 9, "owl", 0, "incident.reopen",
	    "{\"after\":{\"state\":\"triggered\"},\"reason\":\"flap\"}");
	add(&t, 4, 10, "owl", 0, "incident.note", "not json");
	add(&t, 5, 11, "bob", 0, "incident.assign",
	    "{\"before\":{\"assignee\":null},\"after\":{\"assignee\":"
	    "\"carol\"}}");
	add(&t, 6, 12, "bob", 0, "incident.assign",
	    "{\"after\":{\"assignee\":null},\"note\":\"off shift\"}");
	err_init(&err);
	assert_int_equal(timeline_finish(&t, &err), 0);
	assert_string_equal(t.ev[1].text, "resolved by bob: done");
	assert_string_equal(
	    t.ev[2].text, "reopened: an alert fired again (flap)");
	assert_string_equal(t.ev[3].text, "note by owl: ");
	assert_string_equal(t.ev[4].text, "assigned to carol by bob");
	assert_string_equal(t.ev[5].text, "unassigned by bob: off shift");
	assert_int_equal(t.head.resolved_us, 0);
	assert_string_equal(t.head.state, "triggered");
	assert_int_equal(t.head.acked_us, 0);
	timeline_free(&t);
}

/* The escaped form of s by fn. */
static char *
esc(int (*fn)(struct buf *, const char *, struct err *), const char *s)
{
	struct buf b;
	struct err err;
	char *r;

	buf_init(&b, 0);
	err_init(&err);
	assert_int_equal(fn(&b, s, &err), 0);
	r = buf_steal(&b);
	buf_done(&b);
	return r;
}

static void
test_escaping(void **state)
{
	static const char hostile[] = "| <script> \"quoted\", \n newline";
	char *s;

	(void)state;
	s = esc(timeline_esc_md, hostile);
	assert_string_equal(s, "\\| &lt;script&gt; \"quoted\", <br> newline");
	free(s);
	s = esc(timeline_esc_md, "a*b_c`d[e]f\\g&h");
	assert_string_equal(s, "a\\*b\\_c\\`d\\[e\\]f\\\\g&amp;h");
	free(s);
	s = esc(timeline_esc_csv, hostile);
	assert_string_equal(s, "\"| <script> \"\"quoted\"\", \n newline\"");
	free(s);
	s = esc(timeline_esc_csv, "plain text");
	assert_string_equal(s, "plain text");
	free(s);
	s = esc(timeline_esc_csv, " padded");
	assert_string_equal(s, "\" padded\"");
	free(s);
	/* a field longer than the escaper's buffer, quotes at its edges */
	{
		char in[3001], want[4600];
		size_t k = 0;

		want[k++] = '"';
		for (size_t i = 0; i < 3000; i++) {
			in[i] = i % 3 == 2 ? '"' : 'a';
			want[k++] = in[i];
			if (in[i] == '"')
				want[k++] = '"';
		}
		in[3000] = '\0';
		want[k++] = '"';
		want[k] = '\0';
		s = esc(timeline_esc_csv, in);
		assert_string_equal(s, want);
		free(s);
	}
	/* spreadsheet formulas are neutralised (an actor's name) */
	s = esc(timeline_esc_csv, "=HYPERLINK(\"http://x\")");
	assert_string_equal(s, "\"'=HYPERLINK(\"\"http://x\"\")\"");
	free(s);
	s = esc(timeline_esc_csv, "+1+cmd|' /C calc'!A0");
	assert_string_equal(s, "'+1+cmd|' /C calc'!A0");
	free(s);
	s = esc(timeline_esc_csv, "-2");
	assert_string_equal(s, "'-2");
	free(s);
	s = esc(timeline_esc_csv, "@SUM(A1)");
	assert_string_equal(s, "'@SUM(A1)");
	free(s);
	s = esc(timeline_esc_csv, "a=b");
	assert_string_equal(s, "a=b");
	free(s);
	s = esc(timeline_esc_html, "<script>alert('x')</script> & \"q\"");
	assert_string_equal(s,
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
	    " &amp; &quot;q&quot;");
	free(s);
}

static void
test_duration(void **state)
{
	char out[32];

	(void)state;
	timeline_duration(42 * INT64_C(1000000), out, sizeof out);
	assert_string_equal(out, "42s");
	timeline_duration(185 * INT64_C(1000000), out, sizeof out);
	assert_string_equal(out, "3m 05s");
	timeline_duration(7384 * INT64_C(1000000), out, sizeof out);
	assert_string_equal(out, "2h 03m 04s");
	timeline_duration(93780 * INT64_C(1000000), out, sizeof out);
	assert_string_equal(out, "1d 2h 03m");
	timeline_duration(-5, out, sizeof out);
	assert_string_equal(out, "0s");
}

/* The fast readers of an alert's labels: flat objects of plain strings
 * are read without jansson's parser, as pairs or as a tree; anything
 * else is left to jansson, with the same result. */
static void
test_fast_readers(void **state)
{
	const char *k[4], *v[4];
	char buf[64];
	json_t *l;

	(void)state;
	assert_int_equal(
	    tl_pairs("{\"a\":\"x\",\"b c\":\"\"}", buf, sizeof buf, k, v, 4),
	    2);
	assert_string_equal(k[0], "a");
	assert_string_equal(v[0], "x");
	assert_string_equal(k[1], "b c");
	assert_string_equal(v[1], "");
	assert_int_equal(tl_pairs("{}", buf, sizeof buf, k, v, 4), 0);
	assert_int_equal(tl_pairs(NULL, buf, sizeof buf, k, v, 4), 0);
	/* escapes, numbers, spaces, a key twice, not ASCII, too many, too
	 * long, a trailing comma: not for the fast reader */
	static const char *const slow[] = {
		"{\"a\":\"q\\\"t\"}", "{\"a\":1}", "{\"a\": \"x\"}",
		"{\"a\":\"x\",\"a\":\"y\"}", "{\"a\":\"\xc3\xa9\"}",
		"{\"a\":\"x\",}", "{\"a\":\"x\"} ",
		"{\"a\":\"x\",\"b\":\"x\",\"c\":\"x\",\"d\":\"x\",\"e\":\"x\"}"
	};
	for (size_t i = 0; i < sizeof slow / sizeof slow[0]; i++)
		assert_int_equal(
		    tl_pairs(slow[i], buf, sizeof buf, k, v, 4), -1);
	assert_int_equal(
	    tl_pairs("{\"a\":\"0123456789\"}", buf, 8, k, v, 4), -1);

	l = timeline_labels("{\"alertname\":\"X\",\"region\":\"eu\"}");
	assert_non_null(l);
	assert_int_equal(json_object_size(l), 2);
	assert_string_equal(
	    json_string_value(json_object_get(l, "region")), "eu");
	json_decref(l);
	l = timeline_labels("{\"a\":\"q\\\"t\",\"n\":\"\\u00e9\"}");
	assert_non_null(l); /* escapes: jansson reads them */
	assert_string_equal(json_string_value(json_object_get(l, "a")), "q\"t");
	assert_string_equal(
	    json_string_value(json_object_get(l, "n")), "\xc3\xa9");
	json_decref(l);
	l = timeline_labels("{}");
	assert_int_equal(json_object_size(l), 0);
	json_decref(l);
	assert_null(timeline_labels("{\"a\":"));
	assert_null(timeline_labels(NULL));
}

/* What pass two gets back from where pass one found an alert's values
 * in its detail (the row spool of json and csv) is what pass one read;
 * offsets outside the detail are refused. */
static void
test_read_at(void **state)
{
	static const char d[] =
	    "{\"annotations\":{\"summary\":\"disk full\"},\"ends_at\":null,"
	    "\"fingerprint\":\"f1\",\"labels\":{\"alertname\":\"Disk\","
	    "\"host\":\"a\"},\"severity\":\"critical\","
	    "\"starts_at\":\"2026-03-14T09:00:00Z\",\"status\":\"firing\"}";
	static const char c[] =
	    "{\"after\":{\"ends_at\":\"2026-03-14T09:05:00Z\"},"
	    "\"fingerprint\":\"f1\"}";
	struct tl_read r = { 0 }, b = { 0 };
	uint32_t off[TL_READ_MAX + 1], len[TL_READ_MAX + 1];
	struct err err;

	(void)state;
	err_init(&err);
	assert_int_equal(tl_read(NULL, d, TL_NEW, &r, &err), 0);
	assert_true(r.valid && r.at);
	assert_string_equal(r.v[TL_V_FP], "f1");
	assert_string_equal(r.v[TL_V_SUMMARY], "disk full");
	assert_string_equal(r.v[TL_V_SEV], "critical");
	assert_string_equal(r.v[TL_V_STATUS], "firing");
	assert_string_equal(r.v[TL_V_START], "2026-03-14T09:00:00Z");
	assert_null(r.v[TL_V_END]);
	memcpy(off, r.off, sizeof off);
	memcpy(len, r.len, sizeof len);
	assert_int_equal(tl_read_at(d, strlen(d), TL_NEW, off, len, &b), 0);
	assert_true(b.valid);
	for (size_t i = 0; i < TL_READ_MAX; i++)
		if (r.v[i] == NULL)
			assert_null(b.v[i]);
		else
			assert_string_equal(b.v[i], r.v[i]);
	assert_string_equal(b.labels, r.labels);
	assert_string_equal(
	    b.labels, "{\"alertname\":\"Disk\",\"host\":\"a\"}");
	off[TL_V_FP] = (uint32_t)strlen(d); /* past the end */
	assert_int_equal(tl_read_at(d, strlen(d), TL_NEW, off, len, &b), -1);

	assert_int_equal(tl_read(NULL, c, TL_CHANGE, &r, &err), 0);
	memcpy(off, r.off, sizeof off);
	memcpy(len, r.len, sizeof len);
	assert_int_equal(tl_read_at(c, strlen(c), TL_CHANGE, off, len, &b), 0);
	assert_string_equal(b.v[TL_C_FP], "f1");
	assert_string_equal(b.v[TL_C_END], "2026-03-14T09:05:00Z");
	assert_null(b.v[TL_C_START]);
	assert_null(b.labels);
	tl_read_done(&r);
	tl_read_done(&b);
}

/* Pass one's model of alerts whose labels jansson reads (a quote in a
 * value): their lanes and the labels they share, and nothing left
 * behind (it leaked a second tree of the labels: LeakSanitizer fails
 * this test then). */
static void
test_model_slow_labels(void **state)
{
	static const char *const lab[] = {
		"{\"alertname\":\"Q\",\"note\":\"a \\\"quoted\\\" value\","
		"\"zone\":\"z1\"}",
		"{\"alertname\":\"Q\",\"note\":\"a \\\"quoted\\\" value\","
		"\"zone\":\"z2\"}",
		"{\"alertname\":\"Q\",\"note\":\"a \\\"quoted\\\" value\","
		"\"zone\":\"z2\"}", /* a lane's second alert.new */
		"{\"a\":", /* not JSON */
	};
	static const char *const fp[] = { "f1", "f2", "f2", "f3" };
	struct timeline_stream *ts = calloc(1, sizeof *ts);
	struct timeline_event ev = { .entry = 1, .at_us = 1 };
	const char *v[TL_READ_MAX] = { 0 };

	(void)state;
	assert_non_null(ts);
	for (size_t i = 0; i < sizeof lab / sizeof lab[0]; i++) {
		v[TL_V_FP] = fp[i];
		v[TL_V_SEV] = "critical";
		assert_int_equal(timeline_model_alert(ts, &ev, v, lab[i]), 0);
	}
	assert_int_equal(ts->m.nalert, 3);
	assert_string_equal(ts->m.alert[0].name, "Q");
	assert_string_equal(
	    json_string_value(json_object_get(ts->m.alert[1].labels, "zone")),
	    "z2");
	assert_null(ts->m.alert[2].labels);
	assert_string_equal(
	    json_string_value(json_object_get(ts->m.common, "note")),
	    "a \"quoted\" value");
	assert_null(json_object_get(ts->m.common, "zone"));
	timeline_model_free(&ts->m);
	strmap_free(ts->seen);
	free(ts->pend);
	free(ts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_reopen_clears_resolve),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_fast_readers),
		cmocka_unit_test(test_read_at),
		cmocka_unit_test(test_model_slow_labels),
	};

	return cmocka_run_group_tests_name("timeline", tests, NULL, NULL);
}
