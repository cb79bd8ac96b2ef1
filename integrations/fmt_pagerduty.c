/* fmt_pagerduty.c: PagerDuty Events API v2 (POST /v2/enqueue) events:
 * trigger, acknowledge and resolve, keyed by dedup_key, which is
 * generated on a trigger that has none, as PagerDuty does. */
#include "integrations/ingest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* custom_details (any JSON object) as annotations: strings as they are,
 * other values as compact JSON with numbers as they were sent. */
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
		else /* numbers in their shortest form: 0.42 */
			text = ingest_json_text(v);
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

#define FMT_PD_LINKS_MAX 16 /* links, and images, kept per event */

/* One member of links[i] or images[i]: a string (href and src are
 * required) kept as annotation NAME (the first) or NAME_<i+1>, with
 * the member's own suffix ("link_text", "image_2_alt"). */
static int
fmt_pd_member(json_t *o, const char *where, const char *member,
    const char *name, const char *suffix, size_t i, int required, json_t *ann,
    const char **out, struct err *err)
{
	char key[48];
	const char *v;

	if (ingest_json_str(o, where, member,
	        required ? INGEST_REQUIRED | INGEST_NONEMPTY : 0,
	        INGEST_VALUE_MAX, &v, err) == -1)
		return -1;
	if (out != NULL)
		*out = v;
	if (v == NULL || *v == '\0')
		return 0;
	if (i == 0)
		snprintf(key, sizeof key, "%s%s%s", name, *suffix ? "_" : "",
		    suffix);
	else
		snprintf(key, sizeof key, "%s_%zu%s%s", name, i + 1,
		    *suffix ? "_" : "", suffix);
	json_object_set_new(ann, key, json_string(v));
	return 0;
}

/* links [{href, text}] and images [{src, href, alt}] as annotations
 * (link, link_text, link_2, ...; image, image_href, image_alt, ...);
 * *first_link is the first href (borrowed from root). */
static int
fmt_pd_context(
    json_t *root, json_t *ann, const char **first_link, struct err *err)
{
	json_t *links = json_object_get(root, "links");
	json_t *images = json_object_get(root, "images"), *o;
	char where[32];
	const char *href;
	size_t i;

	*first_link = NULL;
	for (int k = 0; k < 2; k++) {
		json_t *arr = k == 0 ? links : images;
		const char *name = k == 0 ? "links" : "images";

		if (arr == NULL || json_is_null(arr))
			continue;
		if (!json_is_array(arr))
			return err_set(
			    err, ERR_USAGE, "%s: not an array", name);
		json_array_foreach(arr, i, o)
		{
			if (i >= FMT_PD_LINKS_MAX)
				break;
			snprintf(where, sizeof where, "%s[%zu]", name, i);
			if (!json_is_object(o))
				return err_set(
				    err, ERR_USAGE, "%s: not an object", where);
			if (k == 0 &&
			    (fmt_pd_member(o, where, "href", "link", "", i, 1,
			         ann, &href, err) == -1 ||
			        fmt_pd_member(o, where, "text", "link", "text",
			            i, 0, ann, NULL, err) == -1))
				return -1;
			if (k == 0 && i == 0)
				*first_link = href;
			if (k == 1 &&
			    (fmt_pd_member(o, where, "src", "image", "", i, 1,
			         ann, NULL, err) == -1 ||
			        fmt_pd_member(o, where, "href", "image", "href",
			            i, 0, ann, NULL, err) == -1 ||
			        fmt_pd_member(o, where, "alt", "image", "alt",
			            i, 0, ann, NULL, err) == -1))
				return -1;
		}
	}
	return 0;
}

/* client and client_url as annotations; the generator URL is client_url,
 * else the first link. */
static int
fmt_pd_client(json_t *root, json_t *ann, struct alert *a, struct err *err)
{
	const char *client, *url, *link;

	if (ingest_json_str(
	        root, "", "client", 0, INGEST_VALUE_MAX, &client, err) == -1 ||
	    ingest_json_str(
	        root, "", "client_url", 0, INGEST_VALUE_MAX, &url, err) == -1 ||
	    fmt_pd_context(root, ann, &link, err) == -1)
		return -1;
	if (client != NULL && *client != '\0')
		json_object_set_new(ann, "client", json_string(client));
	if (url != NULL && *url != '\0')
		json_object_set_new(ann, "client_url", json_string(url));
	else
		url = link;
	if (url != NULL && *url != '\0')
		return ingest_dup(&a->generator_url, url, err);
	return 0;
}

static int
fmt_pd_trigger(
    json_t *root, const json_t *sevmap, struct alert *a, struct err *err)
{
	json_t *p = json_object_get(root, "payload"), *labels, *ann;
	const char *summary, *sev;
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
	        p, "payload", "timestamp", 0, &a->starts_at, err) == -1)
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
	    fmt_pd_client(root, ann, a, err) == -1)
		goto out;
	/* a re-trigger carries what the client set this time: merge */
	a->merge = 1;
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
		if (ingest_uuid(uuid, err) == -1)
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

/* A change event (POST /v2/change/enqueue): {routing_key, payload:
 * {summary, source, timestamp, custom_details}, links}. */
int
fmt_pd_change_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	json_t *p, *ann = NULL, *links = NULL, *l;
	const char *routing, *summary, *source, *link;
	struct change_event *c;
	int rc = -1;

	if (!json_is_object(root))
		return err_set(err, ERR_USAGE, "not a JSON object");
	p = json_object_get(root, "payload");
	if (ingest_json_str(root, "", "routing_key",
	        INGEST_REQUIRED | INGEST_NONEMPTY, INGEST_NAME_MAX, &routing,
	        err) == -1)
		return -1;
	if (!json_is_object(p))
		return err_set(err, ERR_USAGE, "payload: %s",
		    p == NULL || json_is_null(p) ? "missing" : "not an object");
	if ((c = calloc(1, sizeof *c)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	b->change = c;
	if (ingest_json_str(p, "payload", "summary",
	        INGEST_REQUIRED | INGEST_NONEMPTY, INGEST_VALUE_MAX, &summary,
	        err) == -1 ||
	    ingest_json_str(p, "payload", "source", 0, INGEST_VALUE_MAX,
	        &source, err) == -1 ||
	    ingest_json_time(p, "payload", "timestamp", 0, &c->at, err) == -1 ||
	    ingest_dup(&c->summary, summary, err) == -1 ||
	    ingest_dup(&c->source, source && *source ? source : NULL, err) ==
	        -1)
		return -1;
	/* custom_details as strings, the links as [{href, text}] */
	if ((ann = json_object()) == NULL || (links = json_array()) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	if (fmt_pd_details(p, ann, err) == -1 ||
	    fmt_pd_context(root, ann, &link, err) == -1)
		goto out;
	for (size_t i = 0; i < FMT_PD_LINKS_MAX; i++) {
		char k[32], kt[40];

		snprintf(k, sizeof k, i ? "link_%zu" : "link", i + 1);
		snprintf(kt, sizeof kt, "%s_text", k);
		if ((l = json_object_get(ann, k)) == NULL)
			break;
		json_array_append_new(links,
		    json_pack("{s:O, s:O?}", "href", l, "text",
		        json_object_get(ann, kt)));
		json_object_del(ann, k);
		json_object_del(ann, kt);
	}
	c->details_json = json_dumps(ann, JSON_COMPACT | JSON_SORT_KEYS);
	c->links_json = json_dumps(links, JSON_COMPACT);
	if (c->details_json == NULL || c->links_json == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_decref(ann);
	json_decref(links);
	return rc;
}
