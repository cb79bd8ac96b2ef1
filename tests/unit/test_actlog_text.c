/* test_actlog_text.c: the sentence of every kind of action-log entry the
 * code writes (engine/actlog_text.c), what one entry tells the next, one
 * pass against two, unknown kinds and the length ceiling. */
#include "unit.h"

#include "engine/actlog_text.h"
#include "engine/sanitize.h"

/* The sentence of one entry (learning it), into a static buffer. */
static const char *
say(struct actlog_text *t, int64_t run, const char *actor, const char *kind,
    const char *detail)
{
	static char out[ACTLOG_TEXT_MAX + 8];
	struct actlog_entry e = { .id = 1,
		.at_us = 1,
		.actor = actor,
		.incident = 7,
		.run = run,
		.kind = kind,
		.detail = detail };
	char *s = actlog_text_dup(t, &e);

	assert_non_null(s);
	snprintf(out, sizeof out, "%s", s);
	free(s);
	return out;
}

static void
learn(struct actlog_text *t, int64_t run, const char *kind, const char *detail)
{
	struct actlog_entry e = { .id = 1,
		.actor = "x",
		.run = run,
		.kind = kind,
		.detail = detail };

	assert_int_equal(actlog_text_learn(t, &e, NULL), 0);
}

static void
test_incident_kinds(void **state)
{
	struct actlog_text *t = actlog_text_new();

	(void)state;
	assert_non_null(t);
	assert_string_equal(say(t, 0, "owl", "incident.open",
	                        "{\"title\":\"LLM provider down\",\"severity\":"
	                        "\"critical\",\"source\":\"alertmanager\","
	                        "\"state\":\"triggered\"}"),
	    "incident opened: LLM provider down (critical, from alertmanager)");
	assert_string_equal(say(t, 0, "alice", "incident.ack",
	                        "{\"after\":{\"state\":\"acknowledged\","
	                        "\"acked_by\":\"alice\"},\"note\":\"on it\"}"),
	    "acknowledged by alice: on it");
	assert_string_equal(say(t, 0, "owl", "incident.ack",
	                        "{\"after\":{\"acked_by\":\"pd-user\"},"
	                        "\"via\":\"pagerduty\"}"),
	    "acknowledged by pd-user via pagerduty");
	assert_string_equal(say(t, 0, "alice", "incident.unack", "{}"),
	    "acknowledgement withdrawn by alice");
	assert_string_equal(say(t, 0, "bob", "incident.resolve",
	                        "{\"auto\":false,\"note\":\"fixed\"}"),
	    "resolved by bob: fixed");
	assert_string_equal(say(t, 0, "owl", "incident.resolve",
	                        "{\"auto\":true,\"reason\":\"all alerts "
	                        "resolved\"}"),
	    "resolved automatically: all alerts resolved");
	assert_string_equal(
	    say(t, 0, "owl", "incident.reopen", "{\"reason\":\"flap\"}"),
	    "reopened: an alert fired again (flap)");
	assert_string_equal(
	    say(t, 0, "alice", "incident.reopen", "{\"reason\":\"manual\"}"),
	    "reopened by alice");
	assert_string_equal(
	    say(t, 0, "owl", "incident.update",
	        "{\"before\":{\"severity\":\"warning\","
	        "\"truncated_alerts\":0},\"after\":{"
	        "\"severity\":\"critical\",\"truncated_alerts\":"
	        "0}}"),
	    "severity warning -> critical");
	assert_string_equal(say(t, 0, "owl", "incident.update",
	                        "{\"before\":{\"severity\":\"warning\","
	                        "\"truncated_alerts\":0},\"after\":{"
	                        "\"severity\":\"warning\",\"truncated_alerts\":"
	                        "1}}"),
	    "the sender left out 1 alert");
	assert_string_equal(say(t, 0, "owl", "incident.update",
	                        "{\"before\":{\"severity\":\"info\","
	                        "\"truncated_alerts\":3},\"after\":{"
	                        "\"severity\":\"error\",\"truncated_alerts\":"
	                        "0}}"),
	    "severity info -> error; every alert of the sender known");
	assert_string_equal(
	    say(t, 0, "bob", "incident.snooze",
	        "{\"after\":{\"snoozed_until\":"
	        "\"2026-11-29T04:00:00Z\"},\"note\":\"lunch\"}"),
	    "snoozed until 2026-11-29T04:00:00Z by bob: lunch");
	assert_string_equal(
	    say(t, 0, "bob", "incident.unsnooze", "{}"), "unsnoozed by bob");
	assert_string_equal(say(t, 0, "bob", "incident.assign",
	                        "{\"after\":{\"assignee\":\"carol\"}}"),
	    "assigned to carol by bob");
	assert_string_equal(say(t, 0, "bob", "incident.assign",
	                        "{\"after\":{\"assignee\":null},\"note\":"
	                        "\"off shift\"}"),
	    "unassigned by bob: off shift");
	assert_string_equal(
	    say(t, 0, "alice", "incident.note", "{\"text\":\"two\\nlines\"}"),
	    "note by alice: two\nlines");
	assert_string_equal(
	    say(t, 0, "alice", "incident.note", "not json"), "note by alice: ");
	assert_string_equal(say(t, 0, "alice", "incident.note",
	                        "{\"text\":\"moved\",\"mitigated\":true}"),
	    "note by alice (mitigated): moved");
	assert_string_equal(
	    say(t, 0, "alice", "incident.silence",
	        "{\"alertmanager\":\"http://am:9093\","
	        "\"silence_id\":\"s-1\",\"until\":"
	        "\"2026-11-29T05:00:00Z\",\"comment\":\"deploy\""
	        "}"),
	    "silenced in Alertmanager by alice until 2026-11-29T05:00:00Z "
	    "(silence s-1): deploy");
	assert_string_equal(
	    say(t, 0, "ci", "incident.change",
	        "{\"change\":4,\"at\":\"2026-11-29T02:55:00Z\","
	        "\"summary\":\"deploy assistant v2.3\",\"source\":"
	        "\"argo\",\"before\":true}"),
	    "change at 2026-11-29T02:55:00Z: deploy assistant v2.3 (from argo)");
	assert_string_equal(say(t, 0, "owl", "incident.unsilence",
	                        "{\"silence_id\":\"s-1\",\"reason\":\"incident "
	                        "resolved\"}"),
	    "silence s-1 removed: incident resolved");
	actlog_text_free(t);
}

static void
test_alert_kinds(void **state)
{
	struct actlog_text *t = actlog_text_new();

	(void)state;
	assert_string_equal(
	    say(t, 0, "owl", "alert.new",
	        "{\"fingerprint\":\"f1\",\"status\":\"firing\","
	        "\"severity\":\"critical\",\"labels\":{"
	        "\"alertname\":\"LLMProviderDown\",\"severity\":"
	        "\"critical\",\"region\":\"eu-west-1\","
	        "\"provider\":\"openai\"},\"annotations\":{"
	        "\"summary\":\"LLM provider down\"}}"),
	    "alert fired: LLMProviderDown provider=openai region=eu-west-1 "
	    "(critical): LLM provider down");
	/* later entries of the alert carry only its fingerprint */
	assert_string_equal(
	    say(t, 0, "owl", "alert.resolve",
	        "{\"fingerprint\":\"f1\",\"before\":{\"status\":"
	        "\"firing\"}}"),
	    "alert resolved: LLMProviderDown provider=openai region=eu-west-1");
	assert_string_equal(
	    say(t, 0, "owl", "alert.refire", "{\"fingerprint\":\"f1\"}"),
	    "alert fired again: LLMProviderDown provider=openai "
	    "region=eu-west-1");
	assert_string_equal(say(t, 0, "owl", "alert.stale",
	                        "{\"fingerprint\":\"f1\",\"reason\":\"older "
	                        "than the stored resolve\",\"event\":{"
	                        "\"status\":\"firing\"}}"),
	    "late firing of alert LLMProviderDown provider=openai "
	    "region=eu-west-1 ignored: older than the stored resolve");
	/* an update's "labels" is what changed, not the alert's labels */
	assert_string_equal(say(t, 0, "owl", "alert.update",
	                        "{\"fingerprint\":\"f1\",\"labels\":{"
	                        "\"changed\":{\"pod\":{}},\"added\":{\"zone\":"
	                        "{}}},\"annotations\":{\"changed\":{"
	                        "\"summary\":{}}},\"generator_url\":{}}"),
	    "alert LLMProviderDown provider=openai region=eu-west-1 updated: "
	    "pod, summary changed; zone added; its URL");
	/* one the renderer never saw: its fingerprint */
	assert_string_equal(
	    say(t, 0, "owl", "alert.resolve", "{\"fingerprint\":\"f9\"}"),
	    "alert resolved: f9");
	/* no alertname: the fingerprint names it; arriving resolved */
	assert_string_equal(say(t, 0, "owl", "alert.new",
	                        "{\"fingerprint\":\"gpu-7-oom\",\"status\":"
	                        "\"resolved\",\"severity\":\"warning\","
	                        "\"labels\":{\"node\":\"gpu-3\"}}"),
	    "alert arrived resolved: gpu-7-oom node=gpu-3 (warning)");
	actlog_text_free(t);
}

static void
test_many_labels_are_cut(void **state)
{
	struct actlog_text *t = actlog_text_new();
	char detail[4096] = "{\"fingerprint\":\"f\",\"status\":\"firing\","
	                    "\"labels\":{\"alertname\":\"X\"";
	const char *s;

	(void)state;
	for (int i = 0; i < 30; i++)
		snprintf(detail + strlen(detail),
		    sizeof detail - strlen(detail),
		    ",\"label%02d\":\"value-%02d\"", i, i);
	strcat(detail, "}}");
	s = say(t, 0, "owl", "alert.new", detail);
	assert_non_null(strstr(s, "alert fired: X label00=value-00 "));
	assert_non_null(strstr(s, " ... (?)"));
	assert_true(strlen(s) < 220);
	actlog_text_free(t);
}

static void
test_run_kinds(void **state)
{
	struct actlog_text *t = actlog_text_new();
	const char *start =
	    "{\"runbook\":\"degraded-mode\",\"commit\":"
	    "\"3f2a9c1d00000000000000000000000000000000\",\"dry_run\":false}";

	(void)state;
	/* pass one: the number of steps is known before the first */
	learn(t, 9, "run.start", start);
	learn(t, 9, "run.step", "{\"i\":1}");
	learn(t, 9, "run.step", "{\"i\":2}");
	assert_string_equal(say(t, 9, "bob", "run.start", start),
	    "run 9 degraded-mode (commit 3f2a9c1) started by bob");
	assert_string_equal(say(t, 9, "bob", "run.lease_takeover",
	                        "{\"runbook\":\"degraded-mode\","
	                        "\"previous_run\":8,\"holder\":\"alice\"}"),
	    "run 9 degraded-mode took over the lease of run 8 (alice, gone)");
	assert_string_equal(
	    say(t, 9, "bob", "effect.intent",
	        "{\"seq\":1,\"kind\":\"http.put\",\"target\":\"https://flags/"
	        "x\",\"write\":true,\"dry_run\":false}"),
	    "run 9 http.put https://flags/x: started");
	assert_string_equal(
	    say(t, 9, "bob", "effect.result",
	        "{\"seq\":1,\"status\":200,\"ok\":true,\"ms\":40}"),
	    "run 9 http.put https://flags/x -> 200 40 ms");
	assert_string_equal(say(t, 9, "bob", "run.log",
	                        "{\"text\":\"mode is "
	                        "normal\"}"),
	    "run 9 log: mode is normal");
	assert_string_equal(say(t, 9, "bob", "run.confirm",
	                        "{\"text\":\"Switch?\",\"answer\":\"yes\","
	                        "\"yes_flag\":true}"),
	    "run 9 confirm \"Switch?\": yes (--yes)");
	assert_string_equal(
	    say(t, 9, "bob", "run.step",
	        "{\"i\":1,\"name\":\"switch\",\"status\":\"ok\","
	        "\"ms\":120}"),
	    "run 9 step 1/2 switch: ok 120 ms");
	assert_string_equal(say(t, 9, "bob", "run.step",
	                        "{\"i\":2,\"name\":\"verify\",\"status\":"
	                        "\"failed\",\"ms\":5,\"error\":\"boom\"}"),
	    "run 9 step 2/2 verify: failed 5 ms: boom");
	assert_string_equal(
	    say(t, 9, "bob", "run.undo",
	        "{\"i\":1,\"name\":\"switch\",\"status\":\"ok\","
	        "\"ms\":3}"),
	    "run 9 undo of step 1 switch: ok 3 ms");
	assert_string_equal(say(t, 9, "bob", "effect.intent",
	                        "{\"seq\":2,\"kind\":\"exec\",\"target\":\"sh "
	                        "-c x\"}"),
	    "run 9 exec sh -c x: started");
	assert_string_equal(say(t, 9, "bob", "effect.result",
	                        "{\"seq\":2,\"code\":3,\"ok\":false,\"ms\":7,"
	                        "\"error\":\"exited 3\"}"),
	    "run 9 exec sh -c x -> exit 3: exited 3 7 ms");
	assert_string_equal(
	    say(t, 9, "bob", "run.end",
	        "{\"status\":\"rolled-back\",\"error\":\"step 2 "
	        "failed\",\"plan\":5,\"compared_plan\":4,"
	        "\"departures\":[{\"departure\":\"missing\"}]}"),
	    "run 9 degraded-mode ended: rolled-back: step 2 failed; departed "
	    "from plan 4");
	assert_string_equal(
	    say(t, 9, "bob", "run.end",
	        "{\"status\":\"ok\",\"plan\":5,\"compared_plan\":"
	        "4,\"departures\":[]}"),
	    "run 9 degraded-mode ended: ok; as planned in plan 4");
	assert_string_equal(say(t, 9, "owl", "run.interrupted",
	                        "{\"runbook\":\"degraded-mode\",\"why\":"
	                        "\"interrupted: its owl process died during "
	                        "step 'switch'\"}"),
	    "run 9 degraded-mode interrupted: its owl process died during step "
	    "'switch'");
	actlog_text_free(t);
}

static void
test_dry_run_and_one_pass(void **state)
{
	struct actlog_text *t = actlog_text_new();

	(void)state;
	/* one pass: nothing learnt ahead, the step count is not known */
	assert_string_equal(say(t, 4, "bob", "run.start",
	                        "{\"runbook\":\"rotate\",\"blob\":"
	                        "\"acd4ce9000000000000000000000000000000000\","
	                        "\"dry_run\":true}"),
	    "run 4 rotate (unversioned, blob acd4ce9) started by bob as a "
	    "dry-run");
	assert_string_equal(say(t, 4, "bob", "run.step",
	                        "{\"i\":1,\"name\":\"a\",\"status\":\"ok\","
	                        "\"ms\":1}"),
	    "run 4 step 1 a: ok 1 ms");
	assert_string_equal(say(t, 4, "bob", "run.step",
	                        "{\"i\":2,\"name\":\"b\",\"status\":\"ok\","
	                        "\"ms\":1}"),
	    "run 4 step 2 b: ok 1 ms");
	assert_string_equal(
	    say(t, 4, "bob", "effect.intent",
	        "{\"seq\":1,\"kind\":\"file.write\",\"target\":\"/etc/x\","
	        "\"dry_run\":true}"),
	    "run 4 file.write /etc/x: started (dry-run)");
	assert_string_equal(say(t, 4, "bob", "effect.result",
	                        "{\"seq\":1,\"ok\":true,\"changed\":true,"
	                        "\"simulated\":true,\"ms\":0}"),
	    "run 4 file.write /etc/x -> ok, changed (simulated) 0 ms");
	assert_string_equal(say(t, 4, "bob", "run.confirm",
	                        "{\"seq\":2,\"kind\":\"confirm\",\"target\":"
	                        "\"Rotate?\",\"answer\":\"yes (dry-run)\"}"),
	    "run 4 confirm \"Rotate?\": yes (dry-run)");
	assert_string_equal(
	    say(t, 4, "bob", "run.end", "{\"status\":\"ok\",\"plan\":3}"),
	    "run 4 rotate dry-run ended: ok; its writes are plan 3");
	/* an effect result whose intent was never seen */
	assert_string_equal(say(t, 5, "bob", "effect.result",
	                        "{\"seq\":1,\"ok\":false,\"ms\":2}"),
	    "run 5 effect ? -> failed 2 ms");
	actlog_text_free(t);
}

static void
test_runbook_kinds_and_unknown(void **state)
{
	struct actlog_text *t = actlog_text_new();
	char big[ACTLOG_TEXT_MAX + 200], *s;
	struct actlog_entry e = { .actor = "x", .kind = "incident.note" };

	(void)state;
	assert_string_equal(say(t, 0, "alice", "runbook.refused",
	                        "{\"runbook\":\"degraded-mode\",\"commit\":"
	                        "\"abcdef1234567890\",\"reason\":\"commit not "
	                        "signed\"}"),
	    "runbook degraded-mode refused (commit abcdef1): commit not signed");
	assert_string_equal(say(t, 0, "alice", "runbooks.sync",
	                        "{\"repo\":\"https://git/rb\",\"old\":"
	                        "\"1111111111111111\",\"new\":"
	                        "\"2222222222222222\",\"changed\":[{\"name\":"
	                        "\"a\"}]}"),
	    "runbooks synced by alice from https://git/rb: 111111111111 -> "
	    "222222222222 (1 runbook changed)");
	assert_string_equal(
	    say(t, 0, "alice", "runbooks.sync",
	        "{\"repo\":\"r\",\"new\":\"2222222222222222\",\"changed\":[]}"),
	    "runbooks synced by alice from r: new mirror at 222222222222");
	assert_string_equal(say(t, 0, "owl", "duty.takeover",
	                        "{\"duty\":\"pager\",\"node\":\"b:7\","
	                        "\"previous\":\"a:5\",\"reason\":\"its "
	                        "process died\",\"expired_at\":1}"),
	    "b:7 took over the pager duty from a:5 (its process died)");
	assert_string_equal(say(t, 0, "carol", "something.new", "{\"x\":1}"),
	    "something.new {\"x\":1}");
	assert_string_equal(say(t, 0, "carol", "run.future", "{\"x\":1}"),
	    "run.future {\"x\":1}");
	/* the ceiling: cut between characters, "..." at the end */
	strcpy(big, "{\"text\":\"");
	for (size_t i = strlen(big); i < ACTLOG_TEXT_MAX + 100; i += 2)
		strcat(big, "\xc3\xa9"); /* é */
	strcat(big, "\"}");
	e.detail = big;
	s = actlog_text_dup(t, &e);
	assert_non_null(s);
	assert_true(strlen(s) <= ACTLOG_TEXT_MAX);
	assert_string_equal(s + strlen(s) - 3, "...");
	assert_true(sanitize_is_utf8(s, strlen(s)));
	free(s);
	actlog_text_free(t);
	actlog_text_free(NULL);
}

/* Paging's kinds are said by pages_text (engine/pages_text.c, tested
 * with paging); here: that the renderer hands them over. */
static void
test_paging_kinds(void **state)
{
	struct actlog_text *t = actlog_text_new();

	(void)state;
	assert_string_equal(say(t, 0, "owl", "escalation.level",
	                        "{\"policy\":\"critical\",\"level\":2,\"of\":3,"
	                        "\"loop\":1,\"notify\":[\"primary\"],\"paged\":"
	                        "[\"alice\",\"bob\"],\"nobody\":[]}"),
	    "escalation level 2 of 3: paging alice, bob");
	assert_string_equal(say(t, 0, "owl", "page.failed",
	                        "{\"page\":12,\"to\":\"alice\",\"channel\":"
	                        "\"smtp\",\"attempt\":2,\"error\":\"connection "
	                        "refused\"}"),
	    "page to alice via smtp failed (attempt 2): connection refused");
	assert_string_equal(
	    say(t, 0, "carol", "oncall.override.remove", "{\"override\":3}"),
	    "override 3 removed");
	/* counts agree in number */
	assert_string_equal(say(t, 0, "owl", "escalation.start",
	                        "{\"policy\":\"p\",\"levels\":1,"
	                        "\"reason\":\"opened\"}"),
	    "escalation started (policy p, 1 level, on opened)");
	assert_string_equal(say(t, 0, "owl", "escalation.start",
	                        "{\"policy\":\"p\",\"levels\":3,"
	                        "\"reason\":\"opened\"}"),
	    "escalation started (policy p, 3 levels, on opened)");
	assert_string_equal(say(t, 0, "owl", "page.undeliverable",
	                        "{\"to\":\"erin\",\"attempts\":1,"
	                        "\"error\":\"refused\"}"),
	    "page to erin UNDELIVERABLE after 1 attempt: refused");
	assert_string_equal(say(t, 0, "owl", "page.undeliverable",
	                        "{\"to\":\"erin\",\"attempts\":4,"
	                        "\"error\":\"refused\"}"),
	    "page to erin UNDELIVERABLE after 4 attempts: refused");
	assert_string_equal(
	    say(t, 0, "owl", "paging.start", "{\"open_not_paged\":1}"),
	    "paging switched on (1 open incident not paged)");
	/* a paging kind it does not know either: the fallback */
	assert_string_equal(say(t, 0, "owl", "page.frobbed", "{\"x\":1}"),
	    "page.frobbed {\"x\":1}");
	actlog_text_free(t);
}

/* The sentences of alerts told from what was read of them, with no
 * tree (the timeline export's hot path), are the sentences of their
 * entries, and teach the same: the labels every alert has, a long
 * description cut, an alert arrived resolved, no summary, no name, no
 * fingerprint, a resolve of a known and of an unknown alert. */
static void
test_alert_fast_path(void **state)
{
	static const struct {
		const char *fp, *sum, *status, *sev;
		const char *k[8], *v[8];
		size_t n;
	} a[] = {
		{ "f1", "the provider fails", "firing", "critical",
		    { "alertname", "region", "service", "severity" },
		    { "Down", "eu-west-1", "gateway", "critical" }, 4 },
		{ "f2", "", "resolved", NULL,
		    { "service", "zone", "alertname" },
		    { "gateway", "b", "Down" }, 3 },
		{ "f3", NULL, NULL, "warning", { "a", "b", "c", "d" },
		    { "0123456789012345678901234567890123456789",
		        "0123456789012345678901234567890123456789",
		        "0123456789012345678901234567890123456789",
		        "0123456789012345678901234567890123456789" },
		    4 },
		{ NULL, "s", "firing", "info", { "alertname" }, { "NoFp" }, 1 },
		{ "f5", "s", "firing", "info", { "service" }, { "other" }, 1 },
	};
	struct actlog_text *slow = actlog_text_new(), *fast = actlog_text_new();
	json_t *common = json_pack("{s:s}", "service", "gateway");
	struct actlog_entry e = { .id = 1, .actor = "am", .incident = 7 };
	struct buf b1, b2;
	struct err err;

	(void)state;
	assert_int_equal(actlog_text_common(slow, common), 0);
	assert_int_equal(actlog_text_common(fast, common), 0);
	buf_init(&b1, 0);
	buf_init(&b2, 0);
	err_init(&err);
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		struct actlog_alert al = { a[i].fp, a[i].sum, a[i].status,
			a[i].sev, a[i].k, a[i].v, a[i].n };
		json_t *l = json_object(), *d;

		for (size_t j = 0; j < a[i].n; j++)
			json_object_set_new(
			    l, a[i].k[j], json_string(a[i].v[j]));
		d = json_pack("{s:s?, s:o, s:{s:s?}, s:s?, s:s?}",
		    "fingerprint", a[i].fp, "labels", l, "annotations",
		    "summary", a[i].sum, "status", a[i].status, "severity",
		    a[i].sev);
		e.kind = "alert.new";
		buf_reset(&b1);
		buf_reset(&b2);
		assert_int_equal(actlog_text_line(slow, &e, d, &b1, &err), 0);
		assert_int_equal(
		    actlog_text_alert_new(fast, &al, &b2, &err), 0);
		assert_string_equal(buf_str(&b2), buf_str(&b1));
		json_decref(d);
	}
	static const char *const fps[] = { "f1", "f3", "nope", NULL };
	for (size_t i = 0; i < 4; i++) {
		json_t *d = json_pack("{s:s?}", "fingerprint", fps[i]);

		e.kind = i % 2 ? "alert.refire" : "alert.resolve";
		buf_reset(&b1);
		buf_reset(&b2);
		assert_int_equal(actlog_text_line(slow, &e, d, &b1, &err), 0);
		assert_int_equal(
		    actlog_text_alert_change(fast, e.kind, fps[i], &b2, &err),
		    0);
		assert_string_equal(buf_str(&b2), buf_str(&b1));
		json_decref(d);
	}
	assert_string_equal(buf_str(&b2), "alert fired again: ?");
	buf_done(&b1);
	buf_done(&b2);
	json_decref(common);
	actlog_text_free(slow);
	actlog_text_free(fast);
}

/* The sentence of e told from a tree of its detail (as a caller that
 * parsed it gives it): what at_parse makes of the text. */
static char *
tree_line(struct actlog_text *t, const struct actlog_entry *e)
{
	json_t *d = json_loads(e->detail, JSON_DECODE_ANY, NULL);
	struct buf b;
	struct err err;

	if (!json_is_object(d)) {
		json_decref(d);
		d = json_object();
	}
	buf_init(&b, 0);
	err_init(&err);
	assert_int_equal(actlog_text_line(t, e, d, &b, &err), 0);
	json_decref(d);
	return buf_steal(&b);
}

/* An alert's entries read with no tree (the detail not given: owl show,
 * the TUI) say what their tree says, and teach the later entries the
 * same, on every mutation of the text (a byte replaced, dropped or
 * doubled): a resolve learnt ahead of its alert.new, the alert.new,
 * then a refire. */
static void
test_no_tree_same(void **state)
{
	static const char base[] =
	    "{\"annotations\":{\"description\":\"d\",\"summary\":"
	    "\"the provider fails\"},\"labels\":{\"alertname\":\"Down\","
	    "\"region\":\"eu-west-1\",\"severity\":\"critical\"},"
	    "\"ends_at\":null,\"fingerprint\":\"a1b2\",\"severity\":"
	    "\"critical\",\"status\":\"firing\",\"count\":2}";
	static const char repl[] = "\"\\{}[],:0 aZ\x01\x80\xc3";
	static const char *const kinds[] = { "alert.resolve", "alert.new",
		"alert.refire" };
	size_t n = strlen(base), same = 0;
	char s[sizeof base + 2];

	(void)state;
	for (size_t i = 0; i <= n; i++) {
		for (size_t r = 0; r < sizeof repl - 1 + 2; r++) {
			struct actlog_text *fast = actlog_text_new(),
			                   *slow = actlog_text_new();
			struct actlog_entry e = { .id = 1,
				.actor = "am",
				.incident = 7,
				.detail = s };

			memcpy(s, base, n + 1);
			if (i == n)
				; /* the text as it is */
			else if (r < sizeof repl - 1)
				s[i] = repl[r];
			else if (r == sizeof repl - 1)
				memmove(s + i, s + i + 1, n - i);
			else
				memmove(s + i + 1, s + i, n - i + 1);
			assert_non_null(fast);
			assert_non_null(slow);
			for (size_t p = 0; p < 2; p++) { /* learn, then say */
				for (size_t k = 0; k < 3; k++) {
					char *a, *b;

					e.kind = kinds[k];
					if (p == 0) {
						assert_int_equal(
						    actlog_text_learn(
						        fast, &e, NULL),
						    0);
						continue;
					}
					a = actlog_text_dup(fast, &e);
					b = tree_line(slow, &e);
					assert_non_null(a);
					if (strcmp(a, b) != 0)
						fprintf(stderr, "# %s: %s\n",
						    e.kind, s);
					assert_string_equal(a, b);
					same += strstr(b, "eu-west-1") != NULL;
					free(a);
					free(b);
				}
				/* the tree's side learns as its callers do */
				if (p == 0)
					for (size_t k = 0; k < 3; k++) {
						json_t *d = json_loads(
						    s, JSON_DECODE_ANY, NULL);

						e.kind = kinds[k];
						if (!json_is_object(d)) {
							json_decref(d);
							d = json_object();
						}
						assert_int_equal(
						    actlog_text_learn(
						        slow, &e, d),
						    0);
						json_decref(d);
					}
			}
			actlog_text_free(fast);
			actlog_text_free(slow);
			if (i == n)
				break;
		}
	}
	/* most mutations still name the alert: the check is not idle */
	assert_true(same > 500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incident_kinds),
		cmocka_unit_test(test_alert_kinds),
		cmocka_unit_test(test_many_labels_are_cut),
		cmocka_unit_test(test_run_kinds),
		cmocka_unit_test(test_dry_run_and_one_pass),
		cmocka_unit_test(test_runbook_kinds_and_unknown),
		cmocka_unit_test(test_paging_kinds),
		cmocka_unit_test(test_alert_fast_path),
		cmocka_unit_test(test_no_tree_same),
	};

	return cmocka_run_group_tests_name("actlog_text", tests, NULL, NULL);
}
