/* fmt_senders.c: the senders that are not Alertmanager, Grafana or
 * PagerDuty, each with its resolve semantics: Amazon SNS (CloudWatch
 * alarms ALARM/OK, the SubscriptionConfirmation handshake), Datadog
 * (its default webhook and templates with $ALERT_TRANSITION), Sentry
 * metric alerts, Uptime Kuma's default webhook and Grafana's legacy
 * (pre-unified) webhook; and how each is recognised by its shape. */
#include "integrations/ingest_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FMT_ID_MAX 600

/* --- Amazon SNS ---------------------------------------------------- */

/* "arn:aws:cloudwatch:REGION:..." -> the alarm's console URL. */
static void
fmt_sns_console(const char *arn, const char *name, char *out, size_t n)
{
	char region[64] = "";

	out[0] = '\0';
	if (arn == NULL || name == NULL ||
	    sscanf(arn, "arn:aws:cloudwatch:%63[a-z0-9-]:", region) != 1)
		return;
	snprintf(out, n,
	    "https://console.aws.amazon.com/cloudwatch/home?region=%s"
	    "#alarmsV2:alarm/%s",
	    region, name);
}

/* A CloudWatch alarm's state change (SNS Message, parsed): ALARM fires
 * (error), INSUFFICIENT_DATA fires (warning), OK resolves. */
static int
fmt_sns_alarm(json_t *root, json_t *m, struct ingest_batch *b, struct err *err)
{
	const char *name = fmt_str(m, "AlarmName"),
	           *arn = fmt_str(m, "AlarmArn");
	const char *state = fmt_str(m, "NewStateValue");
	json_t *trig = json_object_get(m, "Trigger"), *dims, *d;
	struct fmt_fields f = { 0 };
	char id[FMT_ID_MAX], url[700];
	size_t i;
	int rc = -1;

	if (name == NULL || state == NULL)
		return err_set(err, ERR_USAGE,
		    "Message: a CloudWatch alarm without AlarmName or "
		    "NewStateValue");
	snprintf(id, sizeof id, "%s%s", arn ? "" : "alarm/", arn ? arn : name);
	f.labels = json_object();
	f.ann = json_object();
	if (f.labels == NULL || f.ann == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	fmt_set(f.labels, "alertname", name);
	fmt_set(f.labels, "region", fmt_str(m, "Region"));
	fmt_set(f.labels, "account", fmt_str(m, "AWSAccountId"));
	fmt_set(f.labels, "namespace", fmt_str(trig, "Namespace"));
	fmt_set(f.labels, "metric", fmt_str(trig, "MetricName"));
	dims = json_object_get(trig, "Dimensions");
	json_array_foreach(dims, i, d)
	{
		const char *k = fmt_str(d, "name");

		if (k != NULL && i < 16 && json_object_get(f.labels, k) == NULL)
			fmt_set(f.labels, k, fmt_str(d, "value"));
	}
	fmt_set(f.ann, "description", fmt_str(m, "AlarmDescription"));
	fmt_set(f.ann, "reason", fmt_str(m, "NewStateReason"));
	fmt_set(f.ann, "state", state);
	fmt_set(f.ann, "subject", fmt_str(root, "Subject"));
	fmt_set(f.ann, "topic", fmt_str(root, "TopicArn"));
	fmt_sns_console(arn, name, url, sizeof url);
	f.fingerprint = id;
	f.title = name;
	f.url = url;
	f.resolved = strcmp(state, "OK") == 0;
	f.severity = f.resolved                       ? NULL
	    : strcmp(state, "INSUFFICIENT_DATA") == 0 ? "warning"
	                                              : "error";
	*(f.resolved ? &f.ends : &f.starts) =
	    fmt_time_any(json_object_get(m, "StateChangeTime"));
	rc = fmt_alert_build(b, "sns", &f, err);
out:
	json_decref(f.labels);
	json_decref(f.ann);
	return rc;
}

/* Any other SNS notification: a firing alert per topic and subject
 * (there is nothing that would resolve it). */
static int
fmt_sns_plain(
    json_t *root, const char *msg, struct ingest_batch *b, struct err *err)
{
	const char *topic = fmt_str(root, "TopicArn");
	const char *subject = fmt_str(root, "Subject");
	struct fmt_fields f = { 0 };
	char id[FMT_ID_MAX], title[200];
	int rc;

	snprintf(id, sizeof id, "%s/%s", topic, subject ? subject : "message");
	snprintf(title, sizeof title, "%.*s", (int)strcspn(msg, "\n"), msg);
	if ((f.ann = json_object()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	fmt_set(f.ann, "message", msg);
	fmt_set(f.ann, "topic", topic);
	f.fingerprint = id;
	f.title = subject ? subject : title;
	f.starts = fmt_time_any(json_object_get(root, "Timestamp"));
	rc = fmt_alert_build(b, "sns", &f, err);
	json_decref(f.ann);
	return rc;
}

int
fmt_sns_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	const char *type, *topic, *msg, *url;
	json_t *m;
	int rc;

	/* raw message delivery (a subscription attribute SNS offers for
	 * HTTP/S): the CloudWatch alarm itself, without SNS's envelope */
	if (json_is_object(root) && json_object_get(root, "Type") == NULL &&
	    json_object_get(root, "AlarmName") != NULL &&
	    json_object_get(root, "NewStateValue") != NULL)
		return fmt_sns_alarm(root, root, b, err);
	if (ingest_json_str(root, "", "Type", INGEST_REQUIRED | INGEST_NONEMPTY,
	        64, &type, err) == -1 ||
	    ingest_json_str(root, "", "TopicArn",
	        INGEST_REQUIRED | INGEST_NONEMPTY, INGEST_NAME_MAX, &topic,
	        err) == -1)
		return -1;
	if (strcmp(type, "SubscriptionConfirmation") == 0) {
		if (ingest_json_str(root, "", "SubscribeURL",
		        INGEST_REQUIRED | INGEST_NONEMPTY, INGEST_VALUE_MAX,
		        &url, err) == -1)
			return -1;
		return ingest_dup(&b->confirm_topic, topic, err) == -1 ||
		        ingest_dup(&b->confirm_url, url, err) == -1
		    ? -1
		    : 0;
	}
	if (strcmp(type, "UnsubscribeConfirmation") == 0)
		return 0; /* nothing to store: the topic stops sending */
	if (strcmp(type, "Notification") != 0)
		return err_set(err, ERR_USAGE,
		    "Type: not Notification, "
		    "SubscriptionConfirmation or UnsubscribeConfirmation");
	if (ingest_json_str(root, "", "Message", INGEST_REQUIRED,
	        INGEST_VALUE_MAX, &msg, err) == -1)
		return -1;
	m = json_loads(msg, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(m) && json_object_get(m, "AlarmName") != NULL)
		rc = fmt_sns_alarm(root, m, b, err);
	else
		rc = fmt_sns_plain(root, msg, b, err);
	json_decref(m);
	return rc;
}

/* --- Datadog -------------------------------------------------------- */

/* Datadog's transitions ($ALERT_TRANSITION): resolved, and severity. */
static const struct {
	const char *word;
	int resolved;
	const char *severity; /* NULL: from the priority, else error */
} fmt_dd_transitions[] = {
	{ "Recovered", 1, NULL },
	{ "Triggered", 0, NULL },
	{ "Re-Triggered", 0, NULL },
	{ "Renotify", 0, NULL },
	{ "Warn", 0, "warning" },
	{ "Re-Warn", 0, "warning" },
	{ "No Data", 0, "warning" },
	{ "Re-No Data", 0, "warning" },
};

/* The transition: the field, else the title's "[Recovered] " prefix
 * (the default payload); *rest is the title after the prefix. */
static void
fmt_dd_transition(json_t *root, char *out, size_t n, const char **rest)
{
	const char *t = fmt_str(root, "alert_transition"), *title, *close;

	if (t == NULL)
		t = fmt_str(root, "transition");
	title = fmt_str(root, "title");
	*rest = title;
	out[0] = '\0';
	if (title != NULL && title[0] == '[' &&
	    (close = strchr(title, ']')) != NULL) {
		if (t == NULL)
			snprintf(out, n, "%.*s", (int)(close - title - 1),
			    title + 1);
		*rest = close + 1 + (close[1] == ' ');
	}
	if (t != NULL)
		snprintf(out, n, "%s", t);
}

/* The identity: the cycle key, else the monitor (id and scope), else
 * the monitor id in the default payload's body ("monitors#18692904"),
 * else the title without its transition. */
static void
fmt_dd_id(
    json_t *root, const char *title, char *id, size_t n, char *group, size_t gn)
{
	const char *cycle = fmt_str(root, "alert_cycle_key");
	const char *mon = fmt_str(root, "alert_id");
	const char *scope = fmt_str(root, "alert_scope");
	const char *body = fmt_str(root, "body"), *p;
	char num[32] = "";

	if (mon == NULL && body != NULL &&
	    (p = strstr(body, "monitors#")) != NULL &&
	    sscanf(p + 9, "%31[0-9]", num) == 1)
		mon = num;
	if (mon != NULL)
		snprintf(group, gn, "monitor/%s%s%s", mon, scope ? "/" : "",
		    scope ? scope : "");
	else
		snprintf(group, gn, "title/%s", title ? title : "?");
	snprintf(id, n, "%s", cycle ? cycle : group);
}

int
fmt_datadog_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	char tr[64], id[FMT_ID_MAX], group[FMT_ID_MAX];
	struct fmt_fields f = { 0 };
	const char *title;
	int64_t at;
	int rc = -1;

	if (!json_is_object(root))
		return err_set(err, ERR_USAGE, "not a JSON object");
	fmt_dd_transition(root, tr, sizeof tr, &title);
	if (tr[0] == '\0')
		return err_set(err, ERR_USAGE,
		    "datadog: no transition (use the default payload, or "
		    "\"alert_transition\": \"$ALERT_TRANSITION\")");
	for (size_t i = 0;
	     i < sizeof fmt_dd_transitions / sizeof fmt_dd_transitions[0]; i++)
		if (strcasecmp(tr, fmt_dd_transitions[i].word) == 0) {
			f.resolved = fmt_dd_transitions[i].resolved;
			f.severity = fmt_dd_transitions[i].severity;
		}
	if (!f.resolved && f.severity == NULL)
		f.severity = fmt_str(root, "alert_priority");
	if (!f.resolved && f.severity == NULL)
		f.severity = "error";
	fmt_dd_id(root, title, id, sizeof id, group, sizeof group);
	f.labels = json_object();
	f.ann = json_object();
	if (f.labels == NULL || f.ann == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	fmt_set(f.labels, "monitor", fmt_str(root, "alert_id"));
	fmt_set(f.labels, "scope", fmt_str(root, "alert_scope"));
	fmt_set(f.labels, "host", fmt_str(root, "hostname"));
	fmt_set(f.labels, "tags", fmt_str(root, "tags"));
	fmt_set(f.labels, "org", fmt_str(json_object_get(root, "org"), "name"));
	fmt_set(f.ann, "description", fmt_str(root, "body"));
	fmt_set(f.ann, "transition", tr);
	fmt_set(f.ann, "query", fmt_str(root, "alert_query"));
	fmt_set(f.ann, "snapshot", fmt_str(root, "snapshot"));
	f.fingerprint = id;
	f.group = group;
	f.title = title;
	f.url = fmt_str(root, "link");
	at = fmt_epoch_ms(json_object_get(root, "date"));
	if (at == 0)
		at = fmt_epoch_ms(json_object_get(root, "last_updated"));
	f.starts = f.resolved ? 0 : at;
	f.ends = f.resolved ? at : 0;
	rc = fmt_alert_build(b, "datadog", &f, err);
out:
	json_decref(f.labels);
	json_decref(f.ann);
	return rc;
}

/* --- Sentry metric alerts ------------------------------------------- */

int
fmt_sentry_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	json_t *data = json_object_get(root, "data");
	json_t *ma = json_object_get(data, "metric_alert");
	json_t *rule = json_object_get(ma, "alert_rule");
	const char *action = fmt_str(root, "action");
	char id[FMT_ID_MAX], group[FMT_ID_MAX], *mid, *rid;
	struct fmt_fields f = { 0 };
	int rc = -1;

	if (!json_is_object(ma))
		return err_set(err, ERR_USAGE,
		    "sentry: data.metric_alert missing (only metric alerts "
		    "resolve; map issue alerts with a mapping)");
	if (action == NULL ||
	    (strcmp(action, "critical") != 0 &&
	        strcmp(action, "warning") != 0 &&
	        strcmp(action, "resolved") != 0))
		return err_set(err, ERR_USAGE,
		    "action: not \"critical\", \"warning\" or \"resolved\"");
	mid = fmt_text(json_object_get(ma, "id"));
	rid = fmt_text(json_object_get(rule, "id"));
	snprintf(id, sizeof id, "metric_alert/%s", mid ? mid : "?");
	snprintf(group, sizeof group, "rule/%s", rid ? rid : "?");
	free(mid);
	free(rid);
	f.labels = json_object();
	f.ann = json_object();
	if (f.labels == NULL || f.ann == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	fmt_set(f.labels, "alertname", fmt_str(rule, "name"));
	fmt_set_any(f.labels, "projects", json_object_get(rule, "projects"));
	fmt_set(f.labels, "environment", fmt_str(rule, "environment"));
	fmt_set(f.labels, "aggregate", fmt_str(rule, "aggregate"));
	fmt_set(f.labels, "query", fmt_str(rule, "query"));
	fmt_set(f.ann, "title", fmt_str(data, "description_title"));
	fmt_set(f.ann, "description", fmt_str(data, "description_text"));
	fmt_set(f.ann, "sentry_title", fmt_str(ma, "title"));
	f.fingerprint = id;
	f.group = group;
	f.title = fmt_str(rule, "name");
	f.url = fmt_str(data, "web_url");
	f.resolved = strcmp(action, "resolved") == 0;
	f.severity = f.resolved ? NULL : action;
	if (f.resolved) /* the start is known already: its end */
		f.ends = fmt_time_any(json_object_get(ma, "date_closed"));
	else
		f.starts = fmt_time_any(json_object_get(ma, "date_started"));
	rc = fmt_alert_build(b, "sentry", &f, err);
out:
	json_decref(f.labels);
	json_decref(f.ann);
	return rc;
}

/* --- Uptime Kuma ---------------------------------------------------- */

/* {heartbeat, monitor, msg}: status 0 down fires, 1 up resolves, 2
 * pending fires as a warning, 3 maintenance resolves; no heartbeat and
 * no monitor is the "Test" button. */
int
fmt_kuma_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	json_t *hb = json_object_get(root, "heartbeat");
	json_t *mon = json_object_get(root, "monitor");
	static const char *const states[] = { "down", "up", "pending",
		"maintenance" };
	struct fmt_fields f = { 0 };
	char id[FMT_ID_MAX], *mid;
	json_int_t st;
	int rc = -1;

	if (!json_is_object(root))
		return err_set(err, ERR_USAGE, "not a JSON object");
	f.labels = json_object();
	f.ann = json_object();
	if (f.labels == NULL || f.ann == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	fmt_set(f.ann, "message", fmt_str(root, "msg"));
	if (!json_is_object(hb) && !json_is_object(mon)) {
		f.fingerprint = "test";
		f.title = fmt_str(root, "msg") ? fmt_str(root, "msg")
		                               : "Uptime Kuma test";
		f.test = 1;
		rc = fmt_alert_build(b, "uptime-kuma", &f, err);
		goto out;
	}
	st = json_integer_value(json_object_get(hb, "status"));
	if (!json_is_integer(json_object_get(hb, "status")) || st < 0 ||
	    st > 3) {
		err_set(err, ERR_USAGE,
		    "heartbeat.status: not 0 (down), 1 (up), 2 (pending) or 3 "
		    "(maintenance)");
		goto out;
	}
	mid = fmt_text(json_object_get(mon, "id"));
	if (mid == NULL)
		mid = fmt_text(json_object_get(hb, "monitorID"));
	snprintf(id, sizeof id, "monitor/%s", mid ? mid : "?");
	free(mid);
	fmt_set(f.labels, "alertname", fmt_str(mon, "name"));
	fmt_set(f.labels, "type", fmt_str(mon, "type"));
	fmt_set(f.labels, "host", fmt_str(mon, "hostname"));
	fmt_set(f.ann, "reason", fmt_str(hb, "msg"));
	fmt_set(f.ann, "state", states[st]);
	f.fingerprint = id;
	f.title = fmt_str(mon, "name");
	f.url = fmt_str(mon, "url");
	if (f.url != NULL && strncmp(f.url, "http", 4) != 0)
		f.url = NULL; /* "https://" is Kuma's empty URL */
	f.resolved = st == 1 || st == 3;
	f.severity = st == 0 ? "critical" : st == 2 ? "warning" : NULL;
	*(f.resolved ? &f.ends : &f.starts) =
	    fmt_time_any(json_object_get(hb, "time"));
	rc = fmt_alert_build(b, "uptime-kuma", &f, err);
out:
	json_decref(f.labels);
	json_decref(f.ann);
	return rc;
}

/* --- Grafana legacy (pre-unified) alerting -------------------------- */

/* {ruleId, ruleName, ruleUrl, state, title, message, evalMatches,
 * imageUrl, tags}: alerting fires, no_data fires as a warning, ok
 * resolves; rule 0 named "Test notification" is the test button. */
int
fmt_grafana_legacy_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	const char *state = fmt_str(root, "state");
	const char *name = fmt_str(root, "ruleName");
	json_t *matches = json_object_get(root, "evalMatches");
	struct fmt_fields f = { 0 };
	char id[FMT_ID_MAX], *rid;
	const char *k;
	json_t *v;
	int rc = -1;

	if (state == NULL || name == NULL)
		return err_set(err, ERR_USAGE,
		    "grafana legacy webhook without state or ruleName");
	if (strcmp(state, "alerting") != 0 && strcmp(state, "ok") != 0 &&
	    strcmp(state, "no_data") != 0)
		return err_set(err, ERR_USAGE,
		    "state: not \"alerting\", \"ok\" or \"no_data\"");
	rid = fmt_text(json_object_get(root, "ruleId"));
	snprintf(id, sizeof id, "legacy/%s",
	    rid && strcmp(rid, "0") != 0 ? rid : name);
	f.test = rid != NULL && strcmp(rid, "0") == 0 &&
	    strcmp(name, "Test notification") == 0;
	free(rid);
	f.labels = json_object();
	f.ann = json_object();
	if (f.labels == NULL || f.ann == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	fmt_set(f.labels, "alertname", name);
	json_object_foreach(json_object_get(root, "tags"), k, v)
	{
		if (json_object_size(f.labels) < 64 &&
		    json_object_get(f.labels, k) == NULL)
			fmt_set_any(f.labels, k, v);
	}
	fmt_set(f.ann, "description", fmt_str(root, "message"));
	fmt_set(f.ann, "image_url", fmt_str(root, "imageUrl"));
	if (json_array_size(matches) > 0)
		fmt_set_any(f.ann, "values", matches);
	f.fingerprint = id;
	f.title = name;
	f.url = fmt_str(root, "ruleUrl");
	f.resolved = strcmp(state, "ok") == 0;
	f.severity = strcmp(state, "no_data") == 0 ? "warning" : NULL;
	rc = fmt_alert_build(b, "grafana", &f, err);
out:
	json_decref(f.labels);
	json_decref(f.ann);
	return rc;
}

/* --- Recognition ---------------------------------------------------- */

static int
fmt_has(json_t *o, const char *key)
{
	return json_object_get(o, key) != NULL;
}

int
fmt_sender_detect(json_t *root)
{
	const char *type = fmt_str(root, "Type");

	if (!json_is_object(root))
		return -1;
	if ((type != NULL && fmt_has(root, "TopicArn")) ||
	    (fmt_has(root, "AlarmName") && fmt_has(root, "NewStateValue")))
		return INGEST_SNS;
	if (fmt_has(root, "action") && fmt_has(root, "data") &&
	    (fmt_has(root, "installation") || fmt_has(root, "actor")))
		return INGEST_SENTRY;
	if (fmt_has(root, "heartbeat") && fmt_has(root, "monitor") &&
	    fmt_has(root, "msg"))
		return INGEST_UPTIME_KUMA;
	if (fmt_has(root, "ruleName") && fmt_has(root, "state") &&
	    !fmt_has(root, "alerts"))
		return INGEST_GRAFANA_LEGACY;
	if (fmt_has(root, "alert_transition") ||
	    (fmt_has(root, "event_type") && fmt_has(root, "org") &&
	        (fmt_has(root, "body") || fmt_has(root, "title"))))
		return INGEST_DATADOG;
	return -1;
}
