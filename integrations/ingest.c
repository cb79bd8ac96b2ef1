/* ingest.c: alert payloads in, incidents out (see ingest.h): format
 * names and detection, parsing into a batch of normalized alerts with
 * the parser of each format (fmt_*.c), and storing a batch through
 * engine/incident_ingest.c. */
#include "integrations/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actlog.h"
#include "engine/incident_ingest.h"
#include "integrations/ingest_int.h"

typedef int ingest_parse_fn(
    json_t *root, struct ingest_batch *b, struct err *err);

/* Each format: its name and its parser (fmt_*.c). */
static const struct ingest_fmt {
	const char *name;
	ingest_parse_fn *parse;
} ingest_fmts[INGEST_FORMAT_COUNT] = {
	[INGEST_AUTO] = { "auto", NULL },
	[INGEST_ALERTMANAGER] = { "alertmanager", fmt_alertmanager_parse },
	[INGEST_GRAFANA] = { "grafana", fmt_grafana_parse },
	[INGEST_PAGERDUTY] = { "pagerduty", fmt_pagerduty_parse },
	[INGEST_GENERIC] = { "generic", fmt_generic_parse },
	[INGEST_PAGERDUTY_CHANGE] = { "pagerduty-change", fmt_pd_change_parse },
	[INGEST_SNS] = { "sns", fmt_sns_parse },
	[INGEST_DATADOG] = { "datadog", fmt_datadog_parse },
	[INGEST_SENTRY] = { "sentry", fmt_sentry_parse },
	[INGEST_UPTIME_KUMA] = { "uptime-kuma", fmt_kuma_parse },
	[INGEST_GRAFANA_LEGACY] = { "grafana-legacy",
	    fmt_grafana_legacy_parse },
	[INGEST_OPSGENIE] = { "opsgenie", fmt_opsgenie_parse },
	[INGEST_OPSGENIE_CLOSE] = { "opsgenie-close",
	    fmt_opsgenie_close_parse },
	[INGEST_OPSGENIE_ACK] = { "opsgenie-ack", fmt_opsgenie_ack_parse },
	[INGEST_MAPPING] = { "mapping", fmt_mapping_parse },
};

/* "found: a, b, c" of the first keys of an object, for a hint. */
static void
ingest_found_keys(json_t *root, char *out, size_t n)
{
	const char *k;
	size_t len = 0, i = 0;
	json_t *v;

	out[0] = '\0';
	if (!json_is_object(root)) {
		snprintf(out, n, "a JSON %s",
		    json_is_array(root) ? "array" : "value");
		return;
	}
	json_object_foreach(root, k, v)
	{
		if (i++ == 8 || len + strlen(k) + 8 >= n) {
			snprintf(out + len, n - len, ", ...");
			break;
		}
		len += (size_t)snprintf(
		    out + len, n - len, "%s%.40s", len ? ", " : "fields ", k);
	}
	if (i == 0)
		snprintf(out, n, "an empty object");
}

/* The one-line refusal of a payload owl cannot understand: what it
 * found, and how to map it. */
static int
ingest_unknown(json_t *root, const char *what, struct err *err)
{
	char found[200];

	ingest_found_keys(root, found, sizeof found);
	return err_set(err, ERR_USAGE,
	    "%s (found %s): send owl's generic JSON ({\"id\", \"title\", "
	    "\"status\"}) or map it with the config's mappings and "
	    "/v1/alerts/mapping/NAME (README \"Mappings\")",
	    what, found);
}

const char *
ingest_format_name(enum ingest_format f)
{
	if ((unsigned)f >= INGEST_FORMAT_COUNT)
		return "unknown";
	return ingest_fmts[f].name;
}

int
ingest_format_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < INGEST_FORMAT_COUNT; i++)
		if (strcmp(name, ingest_fmts[i].name) == 0)
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
	int detected;

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
	if ((detected = fmt_sender_detect(root)) >= 0)
		return detected;
	if (json_object_get(root, "event_action") == NULL &&
	    json_object_get(root, "routing_key") != NULL &&
	    json_is_object(json_object_get(root, "payload")))
		return INGEST_PAGERDUTY_CHANGE;
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
	if (json_object_get(root, "message") != NULL &&
	    (json_object_get(root, "alias") != NULL ||
	        json_object_get(root, "priority") != NULL ||
	        json_object_get(root, "responders") != NULL))
		return INGEST_OPSGENIE;
	return ingest_unknown(root, "not a payload owl knows", err);
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

/* sns = { topics = { ARN, ... }, endpoint = URL }: the topics whose
 * SubscriptionConfirmation owl confirms, and a SubscribeURL prefix
 * allowed besides Amazon's (LocalStack, a test). */
static int
ingest_opts_sns(
    struct ingest_opts *o, const struct config *cfg, struct err *err)
{
	const json_t *t = cfg ? config_get(cfg, "sns.topics") : NULL, *v;
	const char *ep =
	    cfg ? config_str(cfg, "sns.endpoint", NULL, err) : NULL;
	size_t i;

	if (err_isset(err))
		return -1;
	if (t != NULL && !json_is_array(t))
		return err_set(err, ERR_USAGE,
		    "config: sns.topics: expected a list of topic ARNs");
	json_array_foreach(t, i, v)
	{
		if (!json_is_string(v) ||
		    strncmp(json_string_value(v), "arn:", 4) != 0)
			return err_set(err, ERR_USAGE,
			    "config: sns.topics[%zu]: not a topic ARN "
			    "(arn:aws:sns:REGION:ACCOUNT:NAME)",
			    i + 1);
	}
	if (t != NULL && (o->sns_topics = json_deep_copy(t)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (ep != NULL && strncmp(ep, "http://", 7) != 0 &&
	    strncmp(ep, "https://", 8) != 0)
		return err_set(
		    err, ERR_USAGE, "config: sns.endpoint: not an http(s) URL");
	return ep != NULL ? ingest_dup(&o->sns_endpoint, ep, err) : 0;
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
	if (ingest_opts_sevmap(o, cfg, err) == -1 ||
	    ingest_mappings_load(cfg ? config_get(cfg, "mappings") : NULL,
	        &o->mappings, err) == -1 ||
	    ingest_opts_sns(o, cfg, err) == -1) {
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
	ingest_mappings_free(o->mappings);
	json_decref(o->sns_topics);
	free(o->sns_endpoint);
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
		if (b->alerts[i].group_labels == b->group_labels)
			b->alerts[i].group_labels = NULL;
		alert_done(&b->alerts[i]);
	}
	free(b->alerts);
	change_event_done(b->change);
	free(b->change);
	free(b->name);
	free(b->confirm_topic);
	free(b->confirm_url);
	free(b->dedup_key);
	free(b->group_key);
	free(b->group_labels);
	free(b->sender_url);
	free(b);
}

struct ingest_batch *
ingest_parse(
    enum ingest_format f, const char *body, size_t len, struct err *err)
{
	return ingest_parse_opts(f, NULL, body, len, NULL, err);
}

/* Whether body is only white space (an Opsgenie close may have none). */
static int
ingest_blank(const char *body, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (strchr(" \t\r\n", body[i]) == NULL || body[i] == '\0')
			return 0;
	return 1;
}

/* Does o have a key owl's generic JSON does not know? */
static int
ingest_generic_strange(json_t *o)
{
	static const char *const known[] = { "id", "alert_uid", "title",
		"message", "status", "state", "severity", "group", "labels",
		"url", "link_to_upstream_details", "timestamp", "image_url" };
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v)
	{
		for (i = 0; i < sizeof known / sizeof known[0]; i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (i == sizeof known / sizeof known[0])
			return 1;
	}
	return 0;
}

/* The generic endpoint: another sender's payload is recognised (Datadog
 * pointed at a "generic webhook"); owl's own is refused when it has
 * nothing to show (no title or message) and fields owl does not know:
 * someone else's payload whose id would become the title. */
static int
ingest_generic_format(json_t *root, struct err *err)
{
	int detected = fmt_sender_detect(root);

	if (detected >= 0)
		return detected;
	if (!json_is_object(root) || json_object_get(root, "title") != NULL ||
	    json_object_get(root, "message") != NULL ||
	    json_object_get(json_object_get(root, "labels"), "alertname") !=
	        NULL ||
	    !ingest_generic_strange(root))
		return INGEST_GENERIC;
	if (json_object_get(root, "id") == NULL &&
	    json_object_get(root, "alert_uid") == NULL)
		return ingest_unknown(root, "generic: no id and no title", err);
	return ingest_unknown(
	    root, "generic: an id but no title or message", err);
}

struct ingest_batch *
ingest_parse_opts(enum ingest_format f, const char *arg, const char *body,
    size_t len, const struct ingest_opts *o, struct err *err)
{
	struct ingest_batch *b = NULL;
	json_t *root = NULL;
	int rc, detected;

	if ((f == INGEST_OPSGENIE_CLOSE || f == INGEST_OPSGENIE_ACK) &&
	    ingest_blank(body, len))
		root = json_object(); /* no body: nothing to say but the id */
	else if (ingest_json_load(body, len, &root, err) == -1)
		return NULL;
	if (f == INGEST_AUTO) {
		if ((detected = ingest_detect(root, err)) == -1)
			goto fail;
		f = (enum ingest_format)detected;
	} else if (f == INGEST_GENERIC) {
		if ((detected = ingest_generic_format(root, err)) == -1)
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
	b->arg = arg;
	if (f == INGEST_MAPPING && arg != NULL && o != NULL)
		b->mapping = ingest_mapping_find(o->mappings, arg);
	if (f == INGEST_MAPPING && arg != NULL &&
	    asprintf(&b->name, "mapping:%.64s", arg) == -1) {
		b->name = NULL;
		err_set(err, ERR_FAILED, "out of memory");
		goto fail;
	}
	if ((unsigned)f < INGEST_FORMAT_COUNT && ingest_fmts[f].parse != NULL)
		rc = ingest_fmts[f].parse(root, b, err);
	else
		rc = err_set(err, ERR_USAGE, "unknown format");
	if (rc == -1)
		goto fail;
	/* the options and the argument need not outlive the parse */
	b->sevmap = NULL;
	b->arg = NULL;
	b->mapping = NULL;
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

const char *
ingest_batch_name(const struct ingest_batch *b)
{
	return b->name != NULL ? b->name : ingest_format_name(b->format);
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

/* An SNS subscription confirmed: one entry in the action log. */
static int
ingest_store_confirm(struct store *s, const struct ingest_batch *b,
    const char *actor, struct ingest_result *res, struct err *err)
{
	struct actlog_new e = { .actor = actor, .kind = "sns.subscribe" };
	json_t *d = json_pack(
	    "{s:s, s:b}", "topic", b->confirm_topic, "confirmed", b->confirmed);

	if (res != NULL) {
		memset(res, 0, sizeof *res);
		res->confirmed = b->confirmed;
	}
	return actlog_append_json(
	    s, &e, d, JSON_COMPACT | JSON_SORT_KEYS, NULL, err);
}

int
ingest_store(struct store *s, const struct ingest_batch *b, const char *actor,
    struct ingest_result *res, struct err *err)
{
	return ingest_store_defer(s, b, actor, res, NULL, err);
}

int
ingest_store_defer(struct store *s, const struct ingest_batch *b,
    const char *actor, struct ingest_result *res,
    struct incident_ingest_defer *defer, struct err *err)
{
	struct incident_ingest_opts o = { .actor = actor,
		.mode = INCIDENT_INGEST_UPSERT,
		.truncated = b->truncated,
		.sender_url = b->sender_url,
		.defer = defer };
	struct incident_ingest_result r;

	/* what reads or changes incidents otherwise sees their rows */
	if ((b->confirm_topic != NULL || b->change != NULL) &&
	    incident_ingest_defer_flush(s, defer, err) == -1)
		return -1;
	if (b->confirm_topic != NULL)
		return ingest_store_confirm(s, b, actor, res, err);
	if (b->change != NULL) {
		int64_t id;
		size_t attached;

		if (change_store(s, b->change, actor, &id, &attached, err) ==
		    -1)
			return -1;
		if (res != NULL) {
			memset(res, 0, sizeof *res);
			res->change = id;
			res->change_incidents = attached;
		}
		return 0;
	}
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

int
ingest_reply(const struct ingest_batch *b, const struct ingest_result *r,
    struct buf *out, struct err *err)
{
	json_t *o;
	char *s, uuid[37];
	int status = 200;

	switch (b->format) {
	case INGEST_PAGERDUTY: /* as PagerDuty answers */
		status = 202;
		o = json_pack("{s:s, s:s, s:s?}", "status", "success",
		    "message", "Event processed", "dedup_key", b->dedup_key);
		break;
	case INGEST_PAGERDUTY_CHANGE:
		status = 202;
		o = json_pack("{s:s, s:s, s:I}", "status", "success", "message",
		    "Change event processed", "id", (json_int_t)r->change);
		break;
	case INGEST_OPSGENIE: /* as Opsgenie's asynchronous API answers */
	case INGEST_OPSGENIE_CLOSE:
	case INGEST_OPSGENIE_ACK:
		status = 202;
		if (ingest_uuid(uuid, err) == -1)
			return -1;
		o = json_pack("{s:s, s:f, s:s, s:s?}", "result",
		    "Request will be processed", "took", 0.0, "requestId", uuid,
		    "alias", b->dedup_key);
		break;
	case INGEST_SNS:
		if (b->confirm_topic != NULL) {
			o = json_pack("{s:s, s:s}", "status", "confirmed",
			    "topic", b->confirm_topic);
			break;
		}
		/* fall through */
	default:
		o = json_pack("{s:s, s:I, s:I}", "status", "stored", "alerts",
		    (json_int_t)r->alerts, "new_alerts",
		    (json_int_t)r->new_alerts);
		if (o != NULL && r->stale > 0)
			json_object_set_new(
			    o, "stale", json_integer((json_int_t)r->stale));
		if (o != NULL && r->incident != 0) {
			s = NULL;
			if (asprintf(&s, "INC-%lld", (long long)r->incident) >
			    0)
				json_object_set_new(
				    o, "incident", json_string(s));
			free(s);
		}
		break;
	}
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (s == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (buf_adds(out, s, err) == -1 || buf_addc(out, '\n', err) == -1)
		status = -1;
	free(s);
	return status;
}
