/* ingest.c: alert payloads in, incidents out (see ingest.h): format
 * names and detection, parsing into a batch of normalized alerts with
 * the parser of each format (fmt_*.c), and storing a batch through
 * engine/incident_ingest.c. */
#include "integrations/ingest.h"

#include <stdlib.h>
#include <string.h>

#include "engine/incident_ingest.h"
#include "integrations/ingest_int.h"

static const char *const ingest_formats[] = {
	[INGEST_AUTO] = "auto",
	[INGEST_ALERTMANAGER] = "alertmanager",
	[INGEST_GRAFANA] = "grafana",
	[INGEST_PAGERDUTY] = "pagerduty",
	[INGEST_GENERIC] = "generic",
};

const char *
ingest_format_name(enum ingest_format f)
{
	if ((unsigned)f > INGEST_GENERIC)
		return "unknown";
	return ingest_formats[f];
}

int
ingest_format_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i <= INGEST_GENERIC; i++)
		if (strcmp(name, ingest_formats[i]) == 0)
			return i;
	return -1;
}

/* Tells the format from the document's shape: a PagerDuty event has
 * event_action; a webhook has alerts (Grafana adds orgId, state and
 * version "1"); an array of objects with labels (alerts) or alerts
 * (groups) is Alertmanager's API;
 * anything with id or alert_uid is generic. */
static int
ingest_detect(json_t *root, struct err *err)
{
	const char *version;
	json_t *first;

	if (json_is_array(root)) {
		first = json_array_get(root, 0);
		if (json_is_object(first) &&
		    (json_object_get(first, "labels") ||
		        json_is_array(json_object_get(first, "alerts"))) &&
		    !json_object_get(first, "id") &&
		    !json_object_get(first, "alert_uid"))
			return INGEST_ALERTMANAGER;
		return INGEST_GENERIC;
	}
	if (!json_is_object(root))
		return err_set(err, ERR_USAGE, "not a JSON object or array");
	if (json_object_get(root, "event_action") != NULL ||
	    json_object_get(root, "routing_key") != NULL)
		return INGEST_PAGERDUTY;
	if (json_object_get(root, "alerts") != NULL) {
		version = json_string_value(json_object_get(root, "version"));
		if (json_object_get(root, "orgId") != NULL ||
		    json_object_get(root, "state") != NULL ||
		    (version != NULL && strcmp(version, "1") == 0))
			return INGEST_GRAFANA;
		return INGEST_ALERTMANAGER;
	}
	if (json_object_get(root, "id") != NULL ||
	    json_object_get(root, "alert_uid") != NULL)
		return INGEST_GENERIC;
	return err_set(err, ERR_USAGE,
	    "unknown payload format (expected an "
	    "Alertmanager or Grafana webhook, a PagerDuty event or generic "
	    "JSON with an id)");
}

/* config severity_map = { WORD = "critical"|"error"|"warning"|"info" }
 * into o->sevmap, keyed as alert_severity_parse looks words up. */
static int
ingest_opts_sevmap(
    struct ingest_opts *o, const struct config *cfg, struct err *err)
{
	const json_t *m = cfg != NULL ? config_get(cfg, "severity_map") : NULL;
	char key[ALERT_SEVERITY_WORD_MAX + 1];
	const char *k, *name;
	json_t *v;
	int level;

	if (m == NULL)
		return 0;
	if (!json_is_object(m))
		return err_set(err, ERR_USAGE,
		    "config: severity_map: expected a table of WORD = "
		    "\"critical\"|\"error\"|\"warning\"|\"info\"");
	json_object_foreach((json_t *)m, k, v)
	{
		name = json_string_value(v);
		level = -1;
		for (int i = SEVERITY_INFO; name && i <= SEVERITY_CRITICAL; i++)
			if (strcmp(name,
			        incident_severity_name(
			            (enum incident_severity)i)) == 0)
				level = i;
		alert_severity_key(k, key, sizeof key);
		if (level < 0 || key[0] == '\0')
			return err_set(err, ERR_USAGE,
			    "config: severity_map.%.64s: %s", k,
			    key[0] == '\0' ? "not a word"
			                   : "not \"critical\", \"error\", "
			                     "\"warning\" or \"info\"");
		if (json_object_set_new(o->sevmap, key, json_integer(level)))
			return err_set(err, ERR_FAILED, "out of memory");
	}
	return 0;
}

struct ingest_opts *
ingest_opts_new(const struct config *cfg, struct err *err)
{
	struct ingest_opts *o = calloc(1, sizeof *o);

	if (o == NULL || (o->sevmap = json_object()) == NULL) {
		free(o);
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	if (ingest_opts_sevmap(o, cfg, err) == -1) {
		ingest_opts_free(o);
		return NULL;
	}
	return o;
}

void
ingest_opts_free(struct ingest_opts *o)
{
	if (o == NULL)
		return;
	json_decref(o->sevmap);
	free(o);
}

void
ingest_batch_free(struct ingest_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++) {
		if (b->alerts[i].group_key == b->group_key)
			b->alerts[i].group_key = NULL; /* borrowed */
		alert_done(&b->alerts[i]);
	}
	free(b->alerts);
	free(b->dedup_key);
	free(b->group_key);
	free(b->sender_url);
	free(b);
}

struct ingest_batch *
ingest_parse(
    enum ingest_format f, const char *body, size_t len, struct err *err)
{
	return ingest_parse_opts(f, body, len, NULL, err);
}

struct ingest_batch *
ingest_parse_opts(enum ingest_format f, const char *body, size_t len,
    const struct ingest_opts *o, struct err *err)
{
	struct ingest_batch *b = NULL;
	json_t *root = NULL;
	int rc, detected;

	if (ingest_json_load(body, len, &root, err) == -1)
		return NULL;
	if (f == INGEST_AUTO) {
		if ((detected = ingest_detect(root, err)) == -1)
			goto fail;
		f = (enum ingest_format)detected;
	}
	if ((b = calloc(1, sizeof *b)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto fail;
	}
	b->format = f;
	b->truncated = -1;
	b->sevmap = o != NULL ? o->sevmap : NULL;
	switch (f) {
	case INGEST_ALERTMANAGER:
		rc = fmt_alertmanager_parse(root, b, err);
		break;
	case INGEST_GRAFANA: rc = fmt_grafana_parse(root, b, err); break;
	case INGEST_PAGERDUTY: rc = fmt_pagerduty_parse(root, b, err); break;
	case INGEST_GENERIC: rc = fmt_generic_parse(root, b, err); break;
	default: rc = err_set(err, ERR_USAGE, "unknown format"); break;
	}
	if (rc == -1)
		goto fail;
	b->sevmap = NULL; /* the options need not outlive the parse */
	json_decref(root);
	return b;
fail:
	ingest_batch_free(b);
	json_decref(root);
	return NULL;
}

enum ingest_format
ingest_batch_format(const struct ingest_batch *b)
{
	return b->format;
}

size_t
ingest_batch_alerts(const struct ingest_batch *b)
{
	return b->n;
}

const char *
ingest_batch_dedup_key(const struct ingest_batch *b)
{
	return b->dedup_key;
}

const struct alert *
ingest_batch_alert_list(const struct ingest_batch *b, size_t *n)
{
	*n = b->n;
	return b->alerts;
}

const char *
ingest_batch_action(const struct ingest_batch *b)
{
	switch (b->action) {
	case INGEST_ACTION_TRIGGER: return "trigger";
	case INGEST_ACTION_ACKNOWLEDGE: return "acknowledge";
	case INGEST_ACTION_RESOLVE: return "resolve";
	default: return NULL;
	}
}

int
ingest_store(struct store *s, const struct ingest_batch *b, const char *actor,
    struct ingest_result *res, struct err *err)
{
	struct incident_ingest_opts o = { .actor = actor,
		.mode = INCIDENT_INGEST_UPSERT,
		.truncated = b->truncated,
		.sender_url = b->sender_url };
	struct incident_ingest_result r;

	if (b->action == INGEST_ACTION_ACKNOWLEDGE)
		o.mode = INCIDENT_INGEST_ACK;
	else if (b->action == INGEST_ACTION_RESOLVE)
		o.mode = INCIDENT_INGEST_RESOLVE;
	if (incident_ingest(s, b->alerts, b->n, &o, &r, err) == -1)
		return -1;
	if (res != NULL) {
		memset(res, 0, sizeof *res);
		res->alerts = r.alerts;
		res->new_alerts = r.new_alerts;
		res->incidents_opened = r.incidents_opened;
		res->incidents_resolved = r.incidents_resolved;
		res->incident = r.incident;
		res->incidents_reopened = r.incidents_reopened;
		res->incidents_acked = r.incidents_acked;
		res->dropped = r.dropped;
		res->stale = r.stale;
	}
	return 0;
}
