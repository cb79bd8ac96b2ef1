/* test_ingest.c: the alert-format parsers (integrations/fmt_*.c) and
 * ingest_parse: the normalized alert each format gives, detection,
 * errors that name the field, and parsing from many threads at once. */
#include "unit.h"

#include <pthread.h>

#include "integrations/ingest.h"
#include "integrations/ingest_int.h"

static struct ingest_batch *
parse(enum ingest_format f, const char *body)
{
	struct ingest_batch *b;
	struct err err;

	err_init(&err);
	b = ingest_parse(f, body, strlen(body), &err);
	if (b == NULL)
		fail_msg("parse: %s", err.msg);
	return b;
}

static void
parse_fails(enum ingest_format f, const char *body, const char *want)
{
	struct err err;

	err_init(&err);
	assert_null(ingest_parse(f, body, strlen(body), &err));
	assert_int_equal(err.code, ERR_USAGE);
	assert_string_equal(err.msg, want);
}

static void
test_names(void **state)
{
	(void)state;
	for (int f = INGEST_AUTO; f <= INGEST_GENERIC; f++)
		assert_int_equal(ingest_format_parse(
		                     ingest_format_name((enum ingest_format)f)),
		    f);
	assert_int_equal(ingest_format_parse("nagios"), -1);
	assert_int_equal(alert_severity_parse(NULL, "CRIT"), SEVERITY_CRITICAL);
	assert_int_equal(alert_severity_parse(NULL, "p3"), SEVERITY_WARNING);
	assert_int_equal(alert_severity_parse(NULL, "bogus"), -1);
	assert_int_equal(
	    incident_state_parse("acknowledged"), INCIDENT_ACKNOWLEDGED);
	assert_int_equal(incident_state_parse("open"), -1);
}

/* Parses one generic alert with the given severity word under opts
 * and checks the level and the raw word kept. */
static void
sev_case(
    const struct ingest_opts *o, const char *word, int want, const char *raw)
{
	const struct alert *a;
	struct ingest_batch *b;
	struct err err;
	char body[256];
	size_t n;

	err_init(&err);
	snprintf(body, sizeof body, "{\"id\":\"x\",\"severity\":\"%s\"}", word);
	b = ingest_parse_opts(
	    INGEST_GENERIC, NULL, body, strlen(body), o, &err);
	if (b == NULL)
		fail_msg("%s: refused: %s", word, err.msg);
	a = ingest_batch_alert_list(b, &n);
	assert_int_equal(n, 1);
	if ((int)a->severity != want)
		fail_msg("%s: level %d, want %d", word, (int)a->severity, want);
	if (raw == NULL)
		assert_null(a->severity_raw);
	else
		assert_string_equal(a->severity_raw, raw);
	ingest_batch_free(b);
}

/* No severity word costs a page: the built-in table, case and dashes
 * ignored; unknown words are warnings with the word kept; the config's
 * severity_map comes first. */
static void
test_severity(void **state)
{
	static const char cfgsrc[] =
	    "return { severity_map = { urgent = 'critical',"
	    " ['SEV-3'] = 'info' } }";
	static const struct {
		const char *word;
		int want;
		const char *raw;
	} cases[] = {
		{ "critical", SEVERITY_CRITICAL, NULL },
		{ "info", SEVERITY_INFO, NULL },
		{ "sev1", SEVERITY_CRITICAL, "sev1" },
		{ "SEV-2", SEVERITY_ERROR, "SEV-2" },
		{ "Sev 3", SEVERITY_WARNING, "Sev 3" },
		{ "P1", SEVERITY_CRITICAL, "P1" },
		{ "p5", SEVERITY_INFO, "p5" },
		{ "disaster", SEVERITY_CRITICAL, "disaster" },
		{ "average", SEVERITY_ERROR, "average" },
		{ "Not classified", SEVERITY_INFO, "Not classified" },
		{ "page", SEVERITY_CRITICAL, "page" },
		{ "Warning", SEVERITY_WARNING, "Warning" },
		{ "high", SEVERITY_ERROR, "high" },
		{ "medium", SEVERITY_WARNING, "medium" },
		{ "low", SEVERITY_INFO, "low" },
		{ "error", SEVERITY_ERROR, NULL },
		{ "urgent", SEVERITY_WARNING, "urgent" },
		{ "\u00e9lev\u00e9", SEVERITY_WARNING, "\xc3\xa9lev\xc3\xa9" },
	};
	struct ingest_opts *o;
	struct config *cfg;
	struct err err;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		sev_case(NULL, cases[i].word, cases[i].want, cases[i].raw);
	err_init(&err);
	cfg = config_parse(cfgsrc, strlen(cfgsrc), "t.lua", &err);
	assert_non_null(cfg);
	o = ingest_opts_new(cfg, &err);
	assert_non_null(o);
	sev_case(o, "Urgent", SEVERITY_CRITICAL, "Urgent");
	sev_case(o, "sev3", SEVERITY_INFO, "sev3"); /* the map wins */
	sev_case(o, "P1", SEVERITY_CRITICAL, "P1");
	ingest_opts_free(o);
	config_free(cfg);
	cfg = config_parse(
	    "return { severity_map = { sev0 = 'loud' } }", 43, "t.lua", &err);
	assert_non_null(cfg);
	assert_null(ingest_opts_new(cfg, &err));
	assert_string_equal(err.msg,
	    "config: severity_map.sev0: not \"critical\", \"error\", "
	    "\"warning\" or \"info\"");
	config_free(cfg);
}

/* Values kept as annotations keep numbers as they were sent. */
static void
test_json_text(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "0.42", "0.42" },
		{ "0.1", "0.1" },
		{ "1e300", "1e+300" },
		{ "2.0", "2.0" },
		{ "-0.000123", "-0.000123" },
		{ "123456789012345678", "123456789012345678" },
		{ "{\"b\":[0.3,true,null],\"a\":\"\\u00e9\\n\"}",
		    "{\"a\":\"\u00e9\\n\",\"b\":[0.3,true,null]}" },
	};
	json_t *v;
	char *t;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		v = json_loads(cases[i].in, JSON_DECODE_ANY, NULL);
		assert_non_null(v);
		t = ingest_json_text(v);
		assert_non_null(t);
		assert_string_equal(t, cases[i].out);
		free(t);
		json_decref(v);
	}
}

/* A pulled group's key is the one Alertmanager's root route gives it
 * (names sorted, values quoted as Go does), its labels kept. */
static void
test_api_group_key(void **state)
{
	static const char body[] =
	    "[{\"labels\":{\"team\":\"d\\\"b\",\"alertname\":\"X\"},"
	    "\"receiver\":{\"name\":\"owl\"},\"alerts\":[{\"labels\":"
	    "{\"alertname\":\"X\",\"team\":\"d\\\"b\"},\"annotations\":{},"
	    "\"startsAt\":\"2026-11-29T15:52:42Z\",\"endsAt\":"
	    "\"2099-01-01T00:00:00Z\",\"fingerprint\":\"f1\"}]}]";
	struct ingest_batch *b;
	struct err err;

	(void)state;
	err_init(&err);
	b = ingest_parse(INGEST_ALERTMANAGER, body, strlen(body), &err);
	if (b == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(
	    b->alerts[0].group_key, "{}:{alertname=\"X\", team=\"d\\\"b\"}");
	assert_string_equal(b->alerts[0].group_labels,
	    "{\"alertname\":\"X\",\"team\":\"d\\\"b\"}");
	ingest_batch_free(b);
}

static void
test_alertmanager(void **state)
{
	static const char body[] =
	    "{\"version\":\"4\",\"groupKey\":"
	    "\"{}:{alertname=\\\"DiskFull\\\"}\",\"truncatedAlerts\":2,"
	    "\"status\":\"firing\",\"alerts\":[{\"status\":\"resolved\","
	    "\"labels\":{\"severity\":\"critical\",\"alertname\":\"DiskFull\"},"
	    "\"annotations\":{},\"startsAt\":\"2026-11-29T15:52:42Z\","
	    "\"endsAt\":\"2026-11-29T16:00:00+01:00\",\"generatorURL\":"
	    "\"?orgId=1\",\"fingerprint\":\"abc\"},{\"status\":\"firing\","
	    "\"labels\":{\"alertname\":\"DiskFull\"},\"annotations\":"
	    "{\"title\":\"T\"},\"endsAt\":\"0001-01-01T00:00:00Z\"}]}";
	struct ingest_batch *b = parse(INGEST_AUTO, body);
	struct alert *a = b->alerts;

	(void)state;
	assert_int_equal(ingest_batch_format(b), INGEST_ALERTMANAGER);
	assert_int_equal(ingest_batch_alerts(b), 2);
	assert_null(ingest_batch_dedup_key(b));
	assert_int_equal(b->truncated, 2);
	assert_string_equal(a[0].source, "alertmanager");
	assert_string_equal(a[0].fingerprint, "abc");
	assert_string_equal(a[0].group_key, "{}:{alertname=\"DiskFull\"}");
	assert_int_equal(a[0].resolved, 1); /* per alert, not the top */
	assert_int_equal(a[0].severity, SEVERITY_CRITICAL);
	assert_string_equal(a[0].labels_json,
	    "{\"alertname\":\"DiskFull\",\"severity\":\"critical\"}");
	assert_string_equal(a[0].title, "DiskFull");
	assert_int_equal(a[0].starts_at, INT64_C(1795967562000000));
	assert_int_equal(a[0].ends_at, INT64_C(1795964400000000));
	assert_string_equal(a[0].generator_url, "?orgId=1"); /* lenient */
	assert_int_equal(a[1].resolved, 0);
	assert_int_equal(a[1].ends_at, 0);
	assert_int_equal(a[1].starts_at, 0);
	assert_string_equal(a[1].title, "T");
	assert_int_equal(a[1].severity, SEVERITY_WARNING);
	assert_string_equal(a[1].fingerprint, "744e61ca074bea90");
	ingest_batch_free(b);
}

static void
test_grafana(void **state)
{
	static const char body[] =
	    "{\"version\":\"1\",\"orgId\":1,"
	    "\"state\":\"alerting\",\"groupKey\":\"{}:{}\",\"alerts\":[{"
	    "\"status\":\"firing\",\"labels\":{\"alertname\":\"CPU\"},"
	    "\"annotations\":{\"summary\":\"hot\"},\"fingerprint\":\"f1\","
	    "\"ruleUID\":\"r9\",\"dashboardURL\":\"http://d\",\"panelURL\":"
	    "\"\",\"values\":{\"B\":44.5}}]}";
	struct ingest_batch *b = parse(INGEST_AUTO, body);

	(void)state;
	assert_int_equal(ingest_batch_format(b), INGEST_GRAFANA);
	assert_string_equal(b->alerts[0].source, "grafana");
	assert_string_equal(b->alerts[0].fingerprint, "r9/f1");
	assert_string_equal(b->alerts[0].annotations_json,
	    "{\"dashboard_url\":\"http://d\",\"summary\":\"hot\","
	    "\"values\":\"{\\\"B\\\":44.5}\"}");
	assert_int_equal(b->truncated, -1);
	ingest_batch_free(b);
	parse_fails(INGEST_GRAFANA,
	    "{\"groupKey\":\"g\",\"alerts\":[{"
	    "\"status\":\"firing\"}]}",
	    "alerts[0].fingerprint: missing");
}

static void
test_pagerduty(void **state)
{
	static const char trig[] =
	    "{\"routing_key\":\"k\",\"event_action\":"
	    "\"trigger\",\"dedup_key\":\"srv01/HTTP\",\"client_url\":"
	    "\"https://mon\",\"payload\":{\"summary\":\"HTTP down\","
	    "\"source\":\"srv01\",\"severity\":\"warning\",\"timestamp\":"
	    "\"2015-07-17T08:42:58.315+0000\",\"custom_details\":{\"n\":1.5,"
	    "\"s\":\"x\",\"o\":{\"a\":[1]}}}}";
	struct ingest_batch *b = parse(INGEST_AUTO, trig);
	struct alert *a = b->alerts;

	(void)state;
	assert_int_equal(ingest_batch_format(b), INGEST_PAGERDUTY);
	assert_string_equal(ingest_batch_action(b), "trigger");
	assert_string_equal(ingest_batch_dedup_key(b), "srv01/HTTP");
	assert_string_equal(a->fingerprint, "srv01/HTTP");
	assert_string_equal(a->group_key, "srv01/HTTP");
	assert_int_equal(a->severity, SEVERITY_WARNING);
	assert_string_equal(a->title, "HTTP down");
	assert_string_equal(a->generator_url, "https://mon");
	assert_int_equal(a->starts_at, INT64_C(1437122578315000));
	assert_string_equal(
	    a->labels_json, "{\"severity\":\"warning\",\"source\":\"srv01\"}");
	assert_string_equal(a->annotations_json,
	    "{\"client_url\":\"https://mon\",\"n\":\"1.5\",\"o\":"
	    "\"{\\\"a\\\":[1]}\",\"s\":\"x\",\"summary\":\"HTTP down\"}");
	ingest_batch_free(b);
	b = parse(INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\",\"dedup_key\":"
	    "\"d\",\"event_action\":\"resolve\"}");
	assert_string_equal(ingest_batch_action(b), "resolve");
	assert_int_equal(b->alerts[0].resolved, 1);
	ingest_batch_free(b);
	parse_fails(INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\",\"event_action\":"
	    "\"resolve\"}",
	    "dedup_key: missing");
}

static void
test_generic(void **state)
{
	static const char one[] =
	    "{\"alert_uid\":\"u1\",\"title\":\"Down\","
	    "\"state\":\"OK\",\"message\":\"m\",\"link_to_upstream_details\":"
	    "\"https://x\",\"timestamp\":\"2026-11-29T03:04:05Z\"}";
	static const char arr[] =
	    "[{\"id\":\"a\",\"status\":\"firing\","
	    "\"group\":\"g\",\"severity\":\"critical\",\"labels\":{\"severity\":"
	    "\"info\"}},{\"id\":\"b\",\"labels\":{\"alertname\":\"N\"}}]";
	struct ingest_batch *b = parse(INGEST_AUTO, one);
	struct alert *a = b->alerts;

	(void)state;
	assert_int_equal(ingest_batch_format(b), INGEST_GENERIC);
	assert_string_equal(a->fingerprint, "u1");
	assert_string_equal(a->group_key, "u1");
	assert_int_equal(a->resolved, 1); /* OnCall: state "ok" */
	assert_int_equal(a->ends_at, INT64_C(1795921445000000));
	assert_string_equal(a->title, "Down");
	assert_string_equal(a->generator_url, "https://x");
	ingest_batch_free(b);
	b = parse(INGEST_AUTO, arr);
	a = b->alerts;
	assert_int_equal(ingest_batch_alerts(b), 2);
	assert_string_equal(a[0].group_key, "g");
	assert_int_equal(a[0].severity, SEVERITY_CRITICAL); /* field wins */
	assert_int_equal(a[1].resolved, 0);
	assert_string_equal(a[1].title, "N");
	ingest_batch_free(b);
}

static void
test_errors_name_fields(void **state)
{
	(void)state;
	parse_fails(INGEST_AUTO,
	    "{\"groupKey\":\"g\",\"alerts\":[{\"status\":"
	    "\"firing\"},{\"status\":\"firing\",\"startsAt\":\"x\"}]}",
	    "alerts[1].startsAt: not an RFC 3339 time");
	parse_fails(INGEST_AUTO,
	    "{\"groupKey\":\"g\",\"alerts\":[{\"status\":"
	    "\"firing\",\"labels\":{\"k\":\"\xc3\x28\"}}]}",
	    "alerts[0].labels.k: not valid UTF-8");
	parse_fails(INGEST_GENERIC, "{\"id\":\"\"}", "id: empty");
	parse_fails(INGEST_AUTO, "[\"x\"]", "[0]: not a JSON object");
	parse_fails(INGEST_AUTO, "{\"a\":1,\"a\":2}",
	    "not valid JSON: line 1 column 10: duplicate object key near "
	    "'\"a\"'");
	/* jansson's "near" text is sanitised before it reaches a terminal */
	parse_fails(INGEST_AUTO, "\x1b[2J",
	    "not valid JSON: line 1 column 1: "
	    "'[' or '{' expected near '\\x1b'");
}

struct job {
	const char *body;
	int ok;
};

static void *
worker(void *p)
{
	struct job *j = p;
	struct ingest_batch *b;
	struct err err;

	for (int i = 0; i < 200; i++) {
		err_init(&err);
		b = ingest_parse(INGEST_AUTO, j->body, strlen(j->body), &err);
		if (b == NULL || ingest_batch_alerts(b) != 2)
			j->ok = 0;
		ingest_batch_free(b);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	static const char body[] =
	    "{\"groupKey\":\"g\",\"alerts\":[{\"status\":"
	    "\"firing\",\"labels\":{\"a\":\"1\"}},{\"status\":\"resolved\","
	    "\"labels\":{\"a\":\"2\"}}]}";
	struct job jobs[4];
	pthread_t t[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		jobs[i].body = body;
		jobs[i].ok = 1;
		assert_int_equal(
		    pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_true(jobs[i].ok);
	}
}

/* A field that does not read names its path (built only then): a
 * label that is not a string, a map that is not an object, a value or
 * a name too long, a string field of the wrong type or empty. */
static void
test_field_errors(void **state)
{
	char body[INGEST_NAME_MAX + 64], name[INGEST_NAME_MAX + 2];

	(void)state;
	parse_fails(INGEST_ALERTMANAGER,
	    "[{\"labels\":{\"alertname\":\"A\",\"job\":7}}]",
	    "[0].labels.job: not a string");
	parse_fails(INGEST_ALERTMANAGER,
	    "[{\"labels\":{\"alertname\":\"A\"},\"annotations\":[]}]",
	    "[0].annotations: not an object");
	parse_fails(INGEST_ALERTMANAGER,
	    "[{\"labels\":{\"alertname\":\"A\"},\"generatorURL\":1}]",
	    "[0].generatorURL: not a string");
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	snprintf(body, sizeof body, "[{\"labels\":{\"%s\":\"v\"}}]", name);
	parse_fails(INGEST_ALERTMANAGER, body,
	    "[0].labels: a name is empty or longer than 1024 bytes");
}

/* An alert's labels and annotations are stored as the text
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes of them (alert.c
 * writes it with jdump), and so are its group's labels: keys in byte order,
 * escapes, non-ASCII as UTF-8, control characters as \\u00XX. */
static void
test_maps_text(void **state)
{
	static const char body[] =
	    "[{\"labels\":{\"zeta\":\"z\",\"alertname\":\"A\\\"q\","
	    "\"Alpha\":\"\\u00e9\\t/\\u0001\",\"a\":\"\\ud83d\\ude00\"},"
	    "\"annotations\":{\"summary\":\"s\\\\x\",\"b\":\"\"}}]";
	struct ingest_batch *b = parse(INGEST_ALERTMANAGER, body);
	json_t *o = json_loads(body, 0, NULL), *a = json_array_get(o, 0);
	char *l = json_dumps(
	    json_object_get(a, "labels"), JSON_COMPACT | JSON_SORT_KEYS);
	char *n = json_dumps(
	    json_object_get(a, "annotations"), JSON_COMPACT | JSON_SORT_KEYS);

	(void)state;
	assert_string_equal(b->alerts[0].labels_json, l);
	assert_string_equal(b->alerts[0].annotations_json, n);
	/* its group's labels (its alertname), the same way */
	assert_string_equal(
	    b->alerts[0].group_labels, "{\"alertname\":\"A\\\"q\"}");
	assert_string_equal(b->alerts[0].annotations_json,
	    "{\"b\":\"\",\"summary\":\"s\\\\x\"}");
	free(l);
	free(n);
	json_decref(o);
	ingest_batch_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_json_text),
		cmocka_unit_test(test_api_group_key),
		cmocka_unit_test(test_alertmanager),
		cmocka_unit_test(test_grafana),
		cmocka_unit_test(test_field_errors),
		cmocka_unit_test(test_maps_text),
		cmocka_unit_test(test_pagerduty),
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_errors_name_fields),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
