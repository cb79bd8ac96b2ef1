/* owl-tlseed: test tool that writes the timeline's fixed incident into a
 * new database, every entry at a fixed time (so that its hashes, and
 * every export, are the same on every run): INC-1, "LLM provider down"
 * in three regions; a deploy 8 minutes before; a page; an ack; a
 * hostile note (terminal escapes, HTML, Markdown); a runbook run whose
 * second step fails and whose undo fails too; a second run that
 * mitigates; two resolves on time and one received two days late. The
 * details are those owl's own code logs. With EXTRA, an alert storm of
 * about EXTRA more entries (the benchmark's 100,000-event incident).
 * Not installed.
 * usage: owl-tlseed DB [EXTRA] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/actlog.h"
#include "engine/store.h"

#define T0 INT64_C(1773478800000000) /* 2026-03-14T09:00:00Z */
#define S(n) ((int64_t)(n)*INT64_C(1000000))

struct seed {
	struct store *s;
	struct err err;
	int failed;
};

static void
put(struct seed *x, int64_t at, const char *actor, int64_t run,
    const char *kind, const char *detail)
{
	struct actlog_new e = { .actor = actor,
		.incident = 1,
		.run = run,
		.kind = kind,
		.detail = detail };

	if (!x->failed && actlog_append_at(x->s, &e, at, NULL, &x->err) == -1)
		x->failed = 1;
}

static const char alert_fmt[] =
    "{\"annotations\":{\"summary\":\"%s\"},\"labels\":{\"alertname\":"
    "\"LLMProviderDown\",\"provider\":\"openai\",\"region\":\"%s\","
    "\"service\":\"gateway\",\"severity\":\"%s\",\"team\":\"ml\"},"
    "\"ends_at\":null,\"fingerprint\":\"%s\",\"severity\":\"%s\","
    "\"source\":\"alertmanager\",\"starts_at\":\"%s\",\"status\":"
    "\"firing\"}";

static void
alert(struct seed *x, int64_t at, const char *region, const char *sev,
    const char *fp, const char *starts)
{
	char d[1024], sum[200];

	snprintf(sum, sizeof sum, "the LLM provider fails in %s", region);
	snprintf(d, sizeof d, alert_fmt, sum, region, sev, fp, sev, starts);
	put(x, at, "alertmanager", 0, "alert.new", d);
}

static void
resolve(struct seed *x, int64_t at, const char *fp, const char *ends)
{
	char d[512];

	snprintf(d, sizeof d,
	    "{\"source\":\"alertmanager\",\"fingerprint\":\"%s\",\"before\":"
	    "{\"status\":\"firing\"},\"after\":{\"status\":\"resolved\","
	    "\"ends_at\":\"%s\"}}",
	    fp, ends);
	put(x, at, "alertmanager", 0, "alert.resolve", d);
}

/* The runs: a failed one whose undo fails, and one that mitigates. */
static void
runs(struct seed *x)
{
	static const char start[] =
	    "{\"runbook\":\"degraded-mode\",\"commit\":"
	    "\"3f2a9c1d0b7e4a5f8c6d2e1b0a9f8e7d6c5b4a3f\",\"ref\":\"main\","
	    "\"blob\":\"5e1c0a7b\",\"dirty\":false,\"source\":"
	    "\"git:runbooks\",\"params\":{\"service\":\"gateway\",\"mode\":\"%s\"},\"dry_run\":false,"
	    "\"offline\":false,\"timeout_s\":600}";
	char d[1024];

	snprintf(d, sizeof d, start, "cached");
	put(x, T0 + S(150), "bob", 1, "run.start", d);
	put(x, T0 + S(150) + 20000, "bob", 1, "effect.intent",
	    "{\"seq\":1,\"kind\":\"http\",\"target\":\"POST "
	    "http://flags.internal/v1/flags/degraded\",\"write\":true,"
	    "\"step\":1,\"step_name\":\"enable degraded mode\",\"dry_run\":"
	    "false}");
	put(x, T0 + S(150) + 61000, "bob", 1, "effect.result",
	    "{\"seq\":1,\"status\":200,\"ok\":true,\"ms\":41,\"simulated\":"
	    "false}");
	put(x, T0 + S(150) + 65000, "bob", 1, "run.step",
	    "{\"i\":1,\"name\":\"enable degraded mode\",\"status\":\"ok\","
	    "\"ms\":45,\"error\":null}");
	put(x, T0 + S(150) + 70000, "bob", 1, "effect.intent",
	    "{\"seq\":2,\"kind\":\"http\",\"target\":\"POST "
	    "http://cache.internal/v1/warm\",\"write\":true,\"step\":2,"
	    "\"step_name\":\"warm the cache\",\"dry_run\":false}");
	put(x, T0 + S(155) + 72000, "bob", 1, "effect.result",
	    "{\"seq\":2,\"status\":503,\"ok\":false,\"ms\":5002,\"simulated\":"
	    "false,\"error\":\"503 Service Unavailable\"}");
	put(x, T0 + S(155) + 80000, "bob", 1, "run.step",
	    "{\"i\":2,\"name\":\"warm the cache\",\"status\":\"failed\","
	    "\"ms\":5010,\"error\":\"degraded-mode.lua:31: cache warm: 503\"}");
	put(x, T0 + S(155) + 90000, "bob", 1, "effect.intent",
	    "{\"seq\":3,\"kind\":\"http\",\"target\":\"DELETE "
	    "http://flags.internal/v1/flags/degraded\",\"write\":true,"
	    "\"step\":1,\"step_name\":\"enable degraded mode\",\"undo\":true,"
	    "\"dry_run\":false}");
	put(x, T0 + S(158) + 91000, "bob", 1, "effect.result",
	    "{\"seq\":3,\"ok\":false,\"ms\":3000,\"simulated\":false,"
	    "\"error\":\"timeout after 3000 ms\"}");
	put(x, T0 + S(158) + 95000, "bob", 1, "run.undo",
	    "{\"i\":1,\"name\":\"enable degraded mode\",\"status\":\"failed\","
	    "\"ms\":3004,\"error\":\"degraded-mode.lua:18: timeout after 3000 "
	    "ms\"}");
	put(x, T0 + S(158) + 99000, "bob", 1, "run.end",
	    "{\"status\":\"failed\",\"error\":\"degraded-mode.lua:31: cache "
	    "warm: 503\",\"plan\":7,\"compared_plan\":0,\"departures\":null}");
	snprintf(d, sizeof d, start, "static");
	put(x, T0 + S(240), "bob", 2, "run.start", d);
	put(x, T0 + S(240) + 10000, "bob", 2, "effect.intent",
	    "{\"seq\":1,\"kind\":\"http\",\"target\":\"POST "
	    "http://flags.internal/v1/flags/static\",\"write\":true,"
	    "\"step\":1,\"step_name\":\"serve static answers\",\"dry_run\":"
	    "false}");
	put(x, T0 + S(240) + 48000, "bob", 2, "effect.result",
	    "{\"seq\":1,\"status\":200,\"ok\":true,\"ms\":38,\"simulated\":"
	    "false}");
	put(x, T0 + S(240) + 50000, "bob", 2, "run.step",
	    "{\"i\":1,\"name\":\"serve static answers\",\"status\":\"ok\","
	    "\"ms\":40,\"error\":null}");
	put(x, T0 + S(240) + 52000, "bob", 2, "run.end",
	    "{\"status\":\"ok\",\"error\":null,\"plan\":8,\"compared_plan\":0,"
	    "\"departures\":null}");
}

/* A storm of about n more entries: alerts that fire and resolve, notes,
 * and runs of one step, between T0 + 7 min and T0 + 1 day. */
static void
storm(struct seed *x, long n)
{
	char fp[32], region[32], at[40];

	for (long i = 0; i < n && !x->failed; i++) {
		int64_t t = T0 + S(420) + i * 800000;
		time_t secs = (time_t)(t / 1000000);
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(fp, sizeof fp, "s%08lx", i / 2);
		snprintf(region, sizeof region, "node-%ld", i / 2);
		if (i % 50 == 49)
			put(x, t, "carol", 0, "incident.note",
			    "{\"text\":\"still watching the storm\"}");
		else if (i % 2 == 0)
			alert(x, t, region, i % 4 ? "warning" : "critical", fp,
			    at);
		else
			resolve(x, t, fp, at);
	}
}

int
main(int argc, char **argv)
{
	struct seed x = { 0 };
	long extra = argc > 2 ? strtol(argv[2], NULL, 10) : 0;

	if (argc < 2 || extra < 0) {
		fprintf(stderr, "usage: owl-tlseed DB [EXTRA]\n");
		return 2;
	}
	err_init(&x.err);
	if ((x.s = store_open(argv[1], &x.err)) == NULL) {
		fprintf(stderr, "owl-tlseed: %s\n", x.err.msg);
		return 1;
	}
	if (store_begin(x.s, &x.err) == -1)
		x.failed = 1;
	put(&x, T0 + S(3), "alertmanager", 0, "incident.open",
	    "{\"group_key\":\"{}:{alertname=\\\"LLMProviderDown\\\"}\","
	    "\"severity\":\"critical\",\"source\":\"alertmanager\",\"state\":"
	    "\"triggered\",\"title\":\"LLM provider down\"}");
	alert(&x, T0 + S(3), "eu-west-1", "critical", "a1b2c3d4e5f60718",
	    "2026-03-14T09:00:00Z");
	alert(&x, T0 + S(3) + 1000, "us-east-1", "critical", "b2c3d4e5f6071829",
	    "2026-03-14T09:00:02Z");
	alert(&x, T0 + S(4), "ap-south-1", "warning", "c3d4e5f60718293a",
	    "2026-03-14T09:00:04Z");
	put(&x, T0 + S(4) + 1000, "alertmanager", 0, "incident.change",
	    "{\"change\":1,\"at\":\"2026-03-14T08:52:00Z\",\"summary\":"
	    "\"Deploy gateway v2.14.0 (provider timeout 30s -> 5s)\","
	    "\"source\":\"ci\",\"custom_details\":{},\"links\":[],"
	    "\"before\":true}");
	put(&x, T0 + S(5), "owl", 0, "page.queued",
	    "{\"to\":\"ada\",\"via\":\"primary\",\"text\":\"INC-1 "
	    "[critical] LLM provider down\"}");
	put(&x, T0 + S(6), "owl", 0, "page.sent",
	    "{\"to\":\"ada\",\"channel\":\"slack\",\"attempt\":1}");
	put(&x, T0 + S(90), "ada", 0, "incident.ack",
	    "{\"after\":{\"acked_by\":\"ada\",\"state\":\"acknowledged\"},"
	    "\"before\":{\"state\":\"triggered\"},\"note\":\"looking\"}");
	put(&x, T0 + S(120), "ada", 0, "incident.note",
	    "{\"text\":\"provider 502s <script>alert(1)</script> & "
	    "\\u001b[31mred\\u001b[0m | `rm -rf` *bold* [x](http://e.vil)\\n"
	    "# second line -> </li>\"}");
	runs(&x);
	resolve(&x, T0 + S(310), "a1b2c3d4e5f60718", "2026-03-14T09:05:00Z");
	resolve(&x, T0 + S(321), "b2c3d4e5f6071829", "2026-03-14T09:05:20Z");
	storm(&x, extra);
	/* the last resolve is received two days after the alert ended */
	resolve(&x, T0 + S(2 * 86400 + 360), "c3d4e5f60718293a",
	    "2026-03-14T09:06:00Z");
	put(&x, T0 + S(2 * 86400 + 360) + 1000, "alertmanager", 0,
	    "incident.resolve",
	    "{\"before\":{\"state\":\"acknowledged\"},\"after\":{\"state\":"
	    "\"resolved\"},\"auto\":true,\"reason\":\"all alerts resolved\","
	    "\"started_at\":\"2026-03-14T09:00:00Z\",\"ended_at\":"
	    "\"2026-03-14T09:06:00Z\"}");
	if (!x.failed &&
	    store_exec(x.s,
	        "INSERT INTO incidents(id, source, group_key, state, severity,"
	        " title, alert_count, opened_at, updated_at, resolved_at,"
	        " last_alert_at) VALUES (1, 'alertmanager', 'llm', 2, 3,"
	        " 'LLM provider down', 3, 1773478803000000, 1773651960001000,"
	        " 1773651960001000, 1773651960000000)",
	        &x.err) == -1)
		x.failed = 1;
	if (!x.failed && store_commit(x.s, &x.err) == -1)
		x.failed = 1;
	if (x.failed)
		fprintf(stderr, "owl-tlseed: %s\n", x.err.msg);
	store_close(x.s);
	return x.failed ? 1 : 0;
}
