/* test_common_labels.c: the labels every alert of an incident shares
 * (engine/common_labels.h): how many alerts are read, and that they are
 * the same in owl show and the TUI (common_labels_incident) as in the
 * timeline's header after a label changed: the log's, not the alerts'
 * rows. */
#include "unit_ingest.h"

#include <jansson.h>

#include "engine/common_labels.h"
#include "engine/incident.h"
#include "engine/store.h"
#include "engine/timeline.h"
#include "integrations/ingest.h"

/* An Alertmanager alert of group g: DiskFull on instance i, with job
 * and dc labels. */
static void
put_labeled(struct store *s, const char *g, int i, const char *job)
{
	char *body;

	assert_true(asprintf(&body,
	                "{\"version\":\"4\",\"groupKey\":\"%s\","
	                "\"alerts\":[{\"status\":\"firing\",\"labels\":"
	                "{\"alertname\":\"DiskFull\",\"dc\":\"eu\","
	                "\"instance\":\"h%d\",\"job\":\"%s\","
	                "\"severity\":\"critical\"},\"annotations\":{},"
	                "\"startsAt\":\"2026-11-29T15:52:42Z\","
	                "\"fingerprint\":\"%s-%d\"}]}",
	                g, i, job, g, i) != -1);
	unit_put(s, INGEST_ALERTMANAGER, body);
	free(body);
}

/* The labels every alert of an incident shares (common_labels.h). */
static void
test_common_labels(void **state)
{
	struct unit_db *f = *state;
	struct incident g, one, none = { .id = 99 };
	json_t *c;
	char *text;
	struct err err;

	err_init(&err);
	for (int i = 0; i < 3; i++)
		put_labeled(f->s, "g", i, "node");
	put_labeled(f->s, "one", 9, "node");
	unit_get(f->s, 1, &g);
	unit_get(f->s, 2, &one);
	assert_int_equal(common_labels_incident(f->s, &g, 0, &c, &err), 0);
	text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"dc\":\"eu\",\"job\":\"node\"}");
	free(text);
	json_decref(c);
	/* three alerts, at most three read: known */
	assert_int_equal(common_labels_incident(f->s, &g, 3, &c, &err), 0);
	assert_int_equal(json_object_size(c), 2);
	json_decref(c);
	/* more alerts than read: not known, none */
	assert_int_equal(common_labels_incident(f->s, &g, 2, &c, &err), 0);
	assert_int_equal(json_object_size(c), 0);
	json_decref(c);
	/* one alert: all its labels but alertname and severity */
	assert_int_equal(common_labels_incident(f->s, &one, 0, &c, &err), 0);
	text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
	    text, "{\"dc\":\"eu\",\"instance\":\"h9\",\"job\":\"node\"}");
	free(text);
	json_decref(c);
	/* an alert of another job: only dc is left; and one alert more
	 * than g (read before it came) said, past max: none */
	put_labeled(f->s, "g", 3, "other");
	assert_int_equal(common_labels_incident(f->s, &g, 3, &c, &err), 0);
	assert_int_equal(json_object_size(c), 0);
	json_decref(c);
	assert_int_equal(common_labels_incident(f->s, &g, 0, &c, &err), 0);
	assert_int_equal(json_object_size(c), 1);
	assert_string_equal(json_string_value(json_object_get(c, "dc")), "eu");
	json_decref(c);
	/* no incident, no alert: nothing common */
	assert_int_equal(common_labels_incident(f->s, &none, 0, &c, &err), 0);
	assert_int_equal(json_object_size(c), 0);
	json_decref(c);
	incident_done(&g);
	incident_done(&one);
}

/* common_labels_incident's labels (owl show's, the TUI's) as the text
 * json_dumps gives them, checked to be the timeline header's too. */
static char *
common_both(struct store *s, int64_t id)
{
	struct timeline_stream ts;
	struct incident inc;
	struct err err;
	json_t *c;
	char *a, *b;

	err_init(&err);
	unit_get(s, id, &inc);
	assert_int_equal(common_labels_incident(s, &inc, 0, &c, &err), 0);
	a = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	/* bounded as owl show is: the same */
	assert_int_equal(
	    common_labels_incident(s, &inc, COMMON_LABELS_ALERTS_MAX, &c, &err),
	    0);
	b = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	assert_string_equal(a, b);
	free(b);
	assert_int_equal(timeline_open(s, id, &ts, &err), 0);
	b = ts.m.common != NULL
	    ? json_dumps(ts.m.common, JSON_COMPACT | JSON_SORT_KEYS)
	    : strdup("{}");
	timeline_close(&ts);
	assert_string_equal(a, b);
	free(b);
	incident_done(&inc);
	return a;
}

/* After a label change, owl show and the TUI take the same common
 * labels as the timeline: those every alert had, with one value,
 * throughout the log. A merging re-delivery (alert.update) that added
 * a label or changed one makes it not common, though every alert has it
 * now with one value; an Alertmanager re-delivery replacing an alert's
 * labels, which the log does not record, changes nothing: the log's
 * sentences tell the alerts as they were logged. */
static void
test_common_labels_changed(void **state)
{
	struct unit_db *f = *state;
	char *c;

	/* INC-1: two alerts of job node; the second re-delivered as job
	 * other (its row now says other; the log, node) */
	put_labeled(f->s, "g", 0, "node");
	put_labeled(f->s, "g", 1, "node");
	put_labeled(f->s, "g", 1, "other");
	c = common_both(f->s, 1);
	assert_string_equal(c, "{\"dc\":\"eu\",\"job\":\"node\"}");
	free(c);
	/* INC-2: a PagerDuty alert, re-triggered with another component
	 * and a class added (one alert.update) */
	unit_put(f->s, INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\",\"event_action\":\"trigger\","
	    "\"dedup_key\":\"d1\",\"payload\":{\"summary\":\"disk full\","
	    "\"source\":\"h1\",\"severity\":\"critical\","
	    "\"component\":\"db\",\"group\":\"storage\"}}");
	c = common_both(f->s, 2);
	assert_string_equal(c,
	    "{\"component\":\"db\",\"group\":\"storage\",\"source\":\"h1\"}");
	free(c);
	unit_put(f->s, INGEST_PAGERDUTY,
	    "{\"routing_key\":\"k\",\"event_action\":\"trigger\","
	    "\"dedup_key\":\"d1\",\"payload\":{\"summary\":\"disk full\","
	    "\"source\":\"h1\",\"severity\":\"critical\","
	    "\"component\":\"cache\",\"group\":\"storage\","
	    "\"class\":\"disk\"}}");
	c = common_both(f->s, 2);
	assert_string_equal(c, "{\"group\":\"storage\",\"source\":\"h1\"}");
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_common_labels, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_common_labels_changed,
		    unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests_name("common_labels", tests, NULL, NULL);
}
