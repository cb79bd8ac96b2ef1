/* fmt_pagerduty.c: PagerDuty Events API v2 (POST /v2/enqueue) events:
 * trigger, acknowledge and resolve, keyed by dedup_key, which is
 * generated on a trigger that has none, as PagerDuty does. */
#include "integrations/ingest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* A random UUID (version 4), the form PagerDuty's generated keys take. */
static int
fmt_pd_uuid(char out[37], struct err *err)
{
	unsigned char r[16];

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return err_set(err, ERR_FAILED, "dedup_key: no random bytes");
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
	    r[11], r[12], r[13], r[14], r[15]);
	return 0;
}

/* custom_details (any JSON object) as annotations: strings as they are,
 * other values as compact JSON. */
static int
fmt_pd_details(json_t *payload, json_t *ann, struct err *err)
{
	json_t *d = json_object_get(payload, "custom_details"), *v;
	const char *k;
	char *text;

	if (d == NULL || json_is_null(d))
		return 0;
	if (!json_is_object(d))
		return err_set(err, ERR_USAGE,
		    "payload.custom_details: not an "
		    "object");
	if (json_object_size(d) > INGEST_PAIRS_MAX - 1)
		return err_set(err, ERR_USAGE,
		    "payload.custom_details: more "
		    "than %d entries",
		    INGEST_PAIRS_MAX - 1);
	json_object_foreach(d, k, v)
	{
		if (strcmp(k, "summary") == 0 || strlen(k) > INGEST_NAME_MAX)
			continue;
		if (json_is_string(v))
			text = strdup(json_string_value(v));
		else
			text = json_dumps(
			    v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (text == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		if (strlen(text) > INGEST_VALUE_MAX) {
			free(text);
			return err_set(err, ERR_USAGE,
			    "payload.custom_details: "
			    "a value is longer than %d bytes",
			    INGEST_VALUE_MAX);
		}
		json_object_set_new(ann, k, json_string(text));
		free(text);
	}
	return 0;
}

/* payload.component, group, class, source and severity become labels. */
static int
fmt_pd_labels(json_t *p, json_t *labels, struct err *err)
{
	static const char *const keys[] = { "source", "component", "group",
		"class" };
	const char *s;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (ingest_json_str(p, "payload", keys[i], 0, INGEST_VALUE_MAX,
		        &s, err) == -1)
			return -1;
		if (s != NULL && *s != '\0')
			json_object_set_new(labels, keys[i], json_string(s));
	}
	return 0;
}

static int
fmt_pd_trigger(
    json_t *root, const json_t *sevmap, struct alert *a, struct err *err)
{
	json_t *p = json_object_get(root, "payload"), *labels, *ann;
	const char *summary, *sev, *url;
	int rc = -1;

	if (!json_is_object(p))
		return err_set(err, ERR_USAGE, "payload: %s",
		    p == NULL || json_is_null(p) ? "missing" : "not an object");
	if (ingest_json_str(p, "payload", "summary",
	        INGEST_REQUIRED | INGEST_NONEMPTY, INGEST_VALUE_MAX, &summary,
	        err) == -1 ||
	    ingest_json_str(p, "payload", "severity", 0, INGEST_VALUE_MAX, &sev,
	        err) == -1 ||
	    ingest_json_time(
	        p, "payload", "timestamp", 0, &a->starts_at, err) == -1 ||
	    ingest_json_str(
	        root, "", "client_url", 0, INGEST_VALUE_MAX, &url, err) == -1)
		return -1;
	/* PagerDuty refuses anything but its four words; a templated
	 * severity (Alertmanager's pagerduty_configs) can be any word, and
	 * a refused page is lost: map it, unknown is a warning */
	if (alert_set_severity(a, sevmap, sev, err) == -1)
		return -1;
	labels = json_pack("{s:s}", "severity",
	    sev != NULL && *sev != '\0' ? sev
	                                : incident_severity_name(a->severity));
	ann = json_pack("{s:s}", "summary", summary);
	if (labels == NULL || ann == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	if (fmt_pd_labels(p, labels, err) == -1 ||
	    fmt_pd_details(p, ann, err) == -1 ||
	    (url != NULL && *url != '\0' &&
	        ingest_dup(&a->generator_url, url, err) == -1))
		goto out;
	rc = alert_set_maps(a, labels, ann, NULL, 1, err);
out:
	json_decref(labels);
	json_decref(ann);
	return rc;
}

static int
fmt_pd_action(json_t *root, enum ingest_action *act, struct err *err)
{
	const char *s;

	if (ingest_json_str(
	        root, "", "event_action", INGEST_REQUIRED, 32, &s, err) == -1)
		return -1;
	if (strcmp(s, "trigger") == 0)
		*act = INGEST_ACTION_TRIGGER;
	else if (strcmp(s, "acknowledge") == 0)
		*act = INGEST_ACTION_ACKNOWLEDGE;
	else if (strcmp(s, "resolve") == 0)
		*act = INGEST_ACTION_RESOLVE;
	else
		return err_set(err, ERR_USAGE,
		    "event_action: not \"trigger\", "
		    "\"acknowledge\" or \"resolve\"");
	return 0;
}

int
fmt_pagerduty_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	const char *key, *routing;
	char uuid[37];
	struct alert *a;
	json_t *empty;
	int rc;

	if (!json_is_object(root))
		return err_set(err, ERR_USAGE, "not a JSON object");
	if (ingest_json_str(root, "", "routing_key",
	        INGEST_REQUIRED | INGEST_NONEMPTY, INGEST_NAME_MAX, &routing,
	        err) == -1 ||
	    fmt_pd_action(root, &b->action, err) == -1 ||
	    ingest_json_str(root, "", "dedup_key",
	        b->action == INGEST_ACTION_TRIGGER
	            ? 0
	            : INGEST_REQUIRED | INGEST_NONEMPTY,
	        INGEST_DEDUP_MAX, &key, err) == -1)
		return -1;
	if (key == NULL || *key == '\0') {
		if (fmt_pd_uuid(uuid, err) == -1)
			return -1;
		key = uuid;
	}
	if (ingest_dup(&b->dedup_key, key, err) == -1 ||
	    (a = ingest_batch_add(b, "pagerduty", err)) == NULL ||
	    ingest_dup(&a->fingerprint, key, err) == -1 ||
	    ingest_dup(&a->group_key, key, err) == -1)
		return -1;
	a->resolved = b->action == INGEST_ACTION_RESOLVE;
	if (b->action == INGEST_ACTION_TRIGGER)
		return fmt_pd_trigger(root, b->sevmap, a, err);
	if ((empty = json_object()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = alert_set_maps(a, empty, empty, NULL, 1, err);
	json_decref(empty);
	return rc;
}
