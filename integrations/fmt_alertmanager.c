/* fmt_alertmanager.c: the Prometheus Alertmanager webhook (version 4),
 * Grafana's webhook (the same envelope with extras), and Alertmanager's
 * API v2 alert lists (GET /api/v2/alerts, POST bodies) for pulling.
 * Firing or resolved is read per alert, never from the group status. */
#include "integrations/ingest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/buf.h"
#include "engine/clock.h"

#define FMT_WHERE_MAX 32

static int
fmt_cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* prometheus/common model.LabelSet.Fingerprint(): FNV-1a 64 over the
 * label names in byte order, each name and value followed by 0xff. */
static int
fmt_fingerprint(json_t *labels, char out[17], struct err *err)
{
	const char **names, *k;
	size_t n = json_object_size(labels), i = 0;
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	json_t *v;

	if ((names = calloc(n + 1, sizeof *names)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_object_foreach(labels, k, v) names[i++] = k;
	qsort(names, n, sizeof *names, fmt_cmp_names);
	for (i = 0; i < n; i++) {
		const char *parts[2] = { names[i],
			json_string_value(json_object_get(labels, names[i])) };
		for (int p = 0; p < 2; p++) {
			for (const unsigned char *c =
			         (const unsigned char *)parts[p];
			     *c != '\0'; c++)
				h = (h ^ *c) * UINT64_C(0x100000001b3);
			h = (h ^ 0xff) * UINT64_C(0x100000001b3);
		}
	}
	free(names);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
	return 0;
}

/* Grafana's per-alert extras become annotations: the links, the image,
 * the query values (compact JSON, numbers as sent) and their legacy
 * string, the enrichments. */
static int
fmt_grafana_extras(json_t *o, const char *where, json_t *ann, struct err *err)
{
	static const char *const strs[][2] = {
		{ "dashboardURL", "dashboard_url" },
		{ "panelURL", "panel_url" },
		{ "silenceURL", "silence_url" },
		{ "imageURL", "image_url" },
		{ "valueString", "value_string" },
	};
	static const char *const objs[][2] = {
		{ "values", "values" },
		{ "enrichments", "enrichments" },
	};
	char path[64], *text;
	const char *s;
	json_t *v;

	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		if (ingest_json_str(o, where, strs[i][0], 0, INGEST_VALUE_MAX,
		        &s, err) == -1)
			return -1;
		if (s != NULL && *s != '\0')
			json_object_set_new(ann, strs[i][1], json_string(s));
	}
	for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
		v = json_object_get(o, objs[i][0]);
		if (v == NULL || json_is_null(v))
			continue;
		ingest_path(path, sizeof path, where, objs[i][0]);
		if (!json_is_object(v))
			return err_set(
			    err, ERR_USAGE, "%s: not an object", path);
		if (json_object_size(v) == 0)
			continue;
		text = ingest_json_text(v);
		if (text == NULL || strlen(text) > INGEST_VALUE_MAX) {
			free(text);
			return err_set(err, ERR_USAGE, "%s: too large", path);
		}
		json_object_set_new(ann, objs[i][1], json_string(text));
		free(text);
	}
	return 0;
}

/* Grafana's "Test" button (a contact point's test notification): it
 * never resolves, so it is stored resolved, labelled test=true. */
static void
fmt_grafana_test(json_t *labels, json_t *ann, struct alert *a)
{
	const char *n = json_string_value(json_object_get(labels, "alertname"));
	const char *i = json_string_value(json_object_get(labels, "instance"));
	const char *s = json_string_value(json_object_get(ann, "summary"));

	if (n == NULL || i == NULL || s == NULL ||
	    strcmp(n, "TestAlert") != 0 || strcmp(i, "Grafana") != 0 ||
	    strcmp(s, "Notification test") != 0)
		return;
	a->resolved = 1;
	a->ends_at = a->starts_at;
	json_object_set_new(labels, "test", json_string("true"));
}

static int
fmt_status(json_t *o, const char *where, int *resolved, struct err *err)
{
	json_t *v = json_object_get(o, "status");
	const char *s = json_string_value(v);
	char path[64];

	ingest_path(path, sizeof path, where, "status");
	if (v == NULL)
		return err_set(err, ERR_USAGE, "%s: missing", path);
	if (s != NULL && strcmp(s, "firing") == 0)
		*resolved = 0;
	else if (s != NULL && strcmp(s, "resolved") == 0)
		*resolved = 1;
	else
		return err_set(err, ERR_USAGE,
		    "%s: not \"firing\" or "
		    "\"resolved\"",
		    path);
	return 0;
}

/* The fingerprint: the given one (Grafana's cannot be recomputed, so it
 * is required there), else computed from the labels. */
static int
fmt_alert_fingerprint(json_t *o, const char *where, json_t *labels, int grafana,
    struct alert *a, struct err *err)
{
	char fp[17];
	const char *s, *rule = NULL;

	if (ingest_json_str(o, where, "fingerprint",
	        grafana ? INGEST_REQUIRED | INGEST_NONEMPTY : 0,
	        INGEST_NAME_MAX, &s, err) == -1)
		return -1;
	if (grafana &&
	    ingest_json_str(
	        o, where, "ruleUID", 0, INGEST_NAME_MAX, &rule, err) == -1)
		return -1;
	if (s == NULL || *s == '\0') {
		if (fmt_fingerprint(labels, fp, err) == -1)
			return -1;
		s = fp;
	}
	if (rule != NULL && *rule != '\0') {
		if (asprintf(&a->fingerprint, "%s/%s", rule, s) == -1)
			a->fingerprint = NULL;
		if (a->fingerprint == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		return 0;
	}
	return ingest_dup(&a->fingerprint, s, err);
}

/* Reads the fields every form of an Alertmanager alert has. */
static int
fmt_alert_common(json_t *o, const char *where, int grafana,
    const json_t *sevmap, struct alert *a, struct err *err)
{
	json_t *labels = NULL, *ann = NULL;
	const char *url;
	int rc = -1;

	if (ingest_json_map(o, where, "labels", &labels, err) == -1 ||
	    ingest_json_map(o, where, "annotations", &ann, err) == -1 ||
	    ingest_json_time(o, where, "startsAt", 0, &a->starts_at, err) ==
	        -1 ||
	    ingest_json_time(o, where, "endsAt", 0, &a->ends_at, err) == -1 ||
	    ingest_json_str(o, where, "generatorURL", 0, INGEST_VALUE_MAX, &url,
	        err) == -1 ||
	    fmt_alert_fingerprint(o, where, labels, grafana, a, err) == -1)
		goto out;
	if (url != NULL && *url != '\0' &&
	    ingest_dup(&a->generator_url, url, err) == -1)
		goto out;
	if (grafana) {
		/* annotations is shared with the document: copy first */
		json_t *copy = json_copy(ann);

		json_decref(ann);
		ann = copy;
		if (ann == NULL || fmt_grafana_extras(o, where, ann, err) == -1)
			goto out;
		copy = json_copy(labels);
		json_decref(labels);
		if ((labels = copy) == NULL) {
			err_set(err, ERR_FAILED, "out of memory");
			goto out;
		}
		fmt_grafana_test(labels, ann, a);
	}
	rc = alert_set_maps(a, labels, ann, sevmap, 0, err);
out:
	json_decref(labels);
	json_decref(ann);
	return rc;
}

/* Alertmanager's externalURL (--web.external-url): the Alertmanager that
 * sent the group, where `owl silence` creates its silences. Kept only when
 * it is an http(s) URL; anything else is ignored, not an error, since the
 * alerts themselves are fine without it. */
static int
fmt_sender_url(json_t *root, struct ingest_batch *b, struct err *err)
{
	const char *u;

	if (ingest_json_str(
	        root, "", "externalURL", 0, INGEST_NAME_MAX, &u, err) == -1)
		return -1;
	if (u == NULL ||
	    (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0))
		return 0;
	return ingest_dup(&b->sender_url, u, err);
}

/* groupLabels (what `owl silence` of a truncated group silences by). */
static int
fmt_group_labels(json_t *root, struct ingest_batch *b, struct err *err)
{
	json_t *gl = NULL;

	if (json_object_get(root, "groupLabels") == NULL)
		return 0;
	if (ingest_json_map(root, "", "groupLabels", &gl, err) == -1)
		return -1;
	b->group_labels = alert_map_text(gl);
	json_decref(gl);
	return b->group_labels != NULL
	    ? 0
	    : err_set(err, ERR_FAILED, "out of memory");
}

/* The webhook envelope: groupKey, truncatedAlerts and the alerts. */
static int
fmt_webhook(json_t *root, struct ingest_batch *b, int grafana, struct err *err)
{
	const char *source = grafana ? "grafana" : "alertmanager";
	json_t *alerts, *trunc, *o;
	char where[FMT_WHERE_MAX];
	const char *gk;
	struct alert *a;
	size_t i;

	if (!json_is_object(root))
		return err_set(err, ERR_USAGE, "not a JSON object");
	if (ingest_json_str(root, "", "groupKey", INGEST_REQUIRED,
	        INGEST_VALUE_MAX, &gk, err) == -1)
		return -1;
	trunc = json_object_get(root, "truncatedAlerts");
	if (trunc != NULL &&
	    (!json_is_integer(trunc) || json_integer_value(trunc) < 0))
		return err_set(err, ERR_USAGE,
		    "truncatedAlerts: not a "
		    "non-negative integer");
	b->truncated = trunc != NULL ? json_integer_value(trunc) : -1;
	if (!grafana && fmt_sender_url(root, b, err) == -1)
		return -1;
	/* one copy for the whole group: a copy per alert would turn a 64 KiB
	 * groupKey and 40,000 tiny alerts (1 MiB) into gigabytes */
	if (ingest_dup(&b->group_key, gk, err) == -1 ||
	    fmt_group_labels(root, b, err) == -1)
		return -1;
	alerts = json_object_get(root, "alerts");
	if (!json_is_array(alerts))
		return err_set(err, ERR_USAGE, "alerts: %s",
		    alerts == NULL ? "missing" : "not an array");
	json_array_foreach(alerts, i, o)
	{
		snprintf(where, sizeof where, "alerts[%zu]", i);
		if (!json_is_object(o))
			return err_set(
			    err, ERR_USAGE, "%s: not an object", where);
		if ((a = ingest_batch_add(b, source, err)) == NULL ||
		    fmt_status(o, where, &a->resolved, err) == -1 ||
		    fmt_alert_common(o, where, grafana, b->sevmap, a, err) ==
		        -1)
			return -1;
		a->group_key = b->group_key;
		a->group_labels = b->group_labels;
	}
	return 0;
}

/* Alertmanager's group key for group labels at the root route:
 * `{}:{a="x", b="y"}` (names sorted, values quoted as Go's %q), so that
 * pulled alerts meet the webhook's (receiver.c joins other routes). */
static int
fmt_group_key(json_t *labels, char **key, char **text, struct err *err)
{
	const char **names, *k, *v;
	size_t n = json_object_size(labels), i = 0;
	struct buf b;
	json_t *val;

	if ((names = calloc(n + 1, sizeof *names)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_object_foreach(labels, k, val) names[i++] = k;
	qsort(names, n, sizeof *names, fmt_cmp_names);
	buf_init(&b, INGEST_BODY_MAX);
	buf_adds(&b, "{}:{", NULL);
	for (i = 0; i < n; i++) {
		v = json_string_value(json_object_get(labels, names[i]));
		buf_printf(&b, NULL, "%s%s=\"", i ? ", " : "", names[i]);
		for (; v != NULL && *v; v++)
			if (*v == '"' || *v == '\\')
				buf_printf(&b, NULL, "\\%c", *v);
			else if (*v == '\n')
				buf_adds(&b, "\\n", NULL);
			else
				buf_addc(&b, *v, NULL);
		buf_addc(&b, '"', NULL);
	}
	free(names);
	if (buf_addc(&b, '}', NULL) == -1) {
		buf_done(&b);
		return err_set(err, ERR_USAGE, "group labels too large");
	}
	*key = buf_steal(&b);
	*text = alert_map_text(labels);
	if (*key == NULL || *text == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

/* The group an alert pulled from the API joins when it is not known
 * yet: its group's labels (from GET /api/v2/alerts/groups), else its
 * alertname, like Alertmanager's usual group_by. */
static int
fmt_api_group(struct alert *a, json_t *o, json_t *group, struct err *err)
{
	json_t *name =
	    json_object_get(json_object_get(o, "labels"), "alertname");
	json_t *labels = group;
	int rc;

	if (labels == NULL &&
	    (labels = json_pack("{s:s}", "alertname",
	         json_is_string(name) ? json_string_value(name) : "")) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = fmt_group_key(labels, &a->group_key, &a->group_labels, err);
	if (labels != group)
		json_decref(labels);
	return rc;
}

/* An alert list from Alertmanager's API v2 (where is "" or the path of
 * a group from GET /api/v2/alerts/groups): no per-alert status string;
 * an alert whose endsAt has passed is resolved. */
static int
fmt_api_alerts(json_t *root, const char *prefix, json_t *group,
    struct ingest_batch *b, struct err *err)
{
	char where[FMT_WHERE_MAX * 2];
	int64_t now = clock_now_us();
	struct alert *a;
	json_t *o;
	size_t i;

	json_array_foreach(root, i, o)
	{
		snprintf(where, sizeof where, "%s[%zu]", prefix, i);
		if (!json_is_object(o))
			return err_set(
			    err, ERR_USAGE, "%s: not an object", where);
		if ((a = ingest_batch_add(b, "alertmanager", err)) == NULL ||
		    fmt_alert_common(o, where, 0, b->sevmap, a, err) == -1 ||
		    fmt_api_group(a, o, group, err) == -1)
			return -1;
		a->resolved = a->ends_at != 0 && a->ends_at <= now;
		if (!a->resolved)
			a->ends_at = 0;
	}
	return 0;
}

/* GET /api/v2/alerts/groups: [{labels, receiver, alerts: [...]}]. */
static int
fmt_api_groups(json_t *root, struct ingest_batch *b, struct err *err)
{
	char where[FMT_WHERE_MAX];
	json_t *g, *alerts, *labels;
	size_t i;

	json_array_foreach(root, i, g)
	{
		snprintf(where, sizeof where, "[%zu].alerts", i);
		alerts = json_object_get(g, "alerts");
		if (!json_is_array(alerts))
			return err_set(err, ERR_USAGE, "%s: %s", where,
			    alerts == NULL ? "missing" : "not an array");
		labels = json_object_get(g, "labels");
		if (labels != NULL && !json_is_object(labels))
			return err_set(err, ERR_USAGE,
			    "[%zu].labels: not an "
			    "object",
			    i);
		if (fmt_api_alerts(alerts, where, labels, b, err) == -1)
			return -1;
	}
	return 0;
}

int
fmt_alertmanager_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	if (json_is_array(root) &&
	    json_is_array(json_object_get(json_array_get(root, 0), "alerts")))
		return fmt_api_groups(root, b, err);
	if (json_is_array(root))
		return fmt_api_alerts(root, "", NULL, b, err);
	return fmt_webhook(root, b, 0, err);
}

int
fmt_grafana_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	return fmt_webhook(root, b, 1, err);
}
