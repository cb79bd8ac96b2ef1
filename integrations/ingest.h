/* ingest.h: alert payloads in, incidents out. The same code serves
 * `owl ingest` and every endpoint of `owl serve`.
 *
 * CONTRACT shared by the alerts/incidents work (implements it) and
 * `owl serve` (consumes it). Parsing is split from storing so that the
 * receiver parses and validates in its connection threads, without any
 * lock, and commits many parsed payloads in one transaction (group
 * commit) in its writer thread. */
#ifndef OWL_INGEST_H
#define OWL_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "engine/buf.h"
#include "engine/config.h"
#include "engine/err.h"
#include "engine/store.h"

struct incident_ingest_defer; /* engine/incident_ingest.h */

/* Limits on what one payload may carry (documented in README.md). A
 * payload over any of them is refused as a whole. */
#define INGEST_BODY_MAX (64u * 1024 * 1024) /* bytes of JSON */
#define INGEST_DEPTH_MAX 64 /* nesting of [ and { */
#define INGEST_ALERTS_MAX 100000 /* alerts per payload */
#define INGEST_PAIRS_MAX 256 /* labels (or annotations) per alert */
#define INGEST_NAME_MAX 1024 /* a label name, fingerprint or id */
#define INGEST_VALUE_MAX (64 * 1024) /* a label or annotation value */
#define INGEST_DEDUP_MAX 255 /* a PagerDuty dedup_key (as PagerDuty) */

enum ingest_format {
	INGEST_AUTO,
	INGEST_ALERTMANAGER,
	INGEST_GRAFANA,
	INGEST_PAGERDUTY,
	INGEST_GENERIC,
	INGEST_PAGERDUTY_CHANGE, /* POST /v2/change/enqueue */
	INGEST_SNS, /* Amazon SNS (CloudWatch alarms) */
	INGEST_DATADOG,
	INGEST_SENTRY, /* metric alerts */
	INGEST_UPTIME_KUMA,
	INGEST_GRAFANA_LEGACY, /* pre-unified alerting */
	INGEST_OPSGENIE, /* POST /v2/alerts */
	INGEST_OPSGENIE_CLOSE, /* POST /v2/alerts/{id}/close */
	INGEST_OPSGENIE_ACK, /* POST /v2/alerts/{id}/acknowledge */
	INGEST_MAPPING, /* the config's mapping named by the argument */
	INGEST_FORMAT_COUNT
};

/* "alertmanager", "grafana", "pagerduty", "generic", "pagerduty-change",
 * ... (and "auto"). */
const char *ingest_format_name(enum ingest_format f);
/* Parses a format name; -1 when unknown. */
int ingest_format_parse(const char *name);

/* A payload parsed and validated, not yet stored: normalized alerts plus
 * what the payload says about them (truncatedAlerts, PagerDuty action). */
struct ingest_batch;
struct alert;

/* Parses and validates a whole payload (len bytes, not NUL-terminated
 * necessarily). INGEST_AUTO detects the format. Bad input: NULL with
 * ERR_USAGE and a one-line reason naming the field
 * ("alerts[3].startsAt: not an RFC 3339 time"); nothing is stored, ever,
 * by a payload that fails here. Touches no database and no global state:
 * safe to call from many threads at once. */
struct ingest_batch *ingest_parse(
    enum ingest_format f, const char *body, size_t len, struct err *err);

/* What the config changes in parsing: severity_map (sender's words to
 * owl's four severities), mappings (JSON pointers for other senders),
 * sns (the topics whose subscriptions owl confirms). Built once from the
 * config, validated (a bad entry: NULL with ERR_USAGE naming it,
 * "config: severity_map.sev0: 'urgent' is not critical, error, warning
 * or info"), then shared read-only by every thread. cfg NULL: the
 * defaults. Free with ingest_opts_free (accepts NULL). */
struct ingest_opts;
struct ingest_opts *ingest_opts_new(const struct config *cfg, struct err *err);
void ingest_opts_free(struct ingest_opts *o);

/* ingest_parse with the config's options (o NULL: the defaults) and
 * what the URL names for formats that take it (arg: the Opsgenie alert
 * id of a close or an acknowledge, the mapping's name; else NULL). */
struct ingest_batch *ingest_parse_opts(enum ingest_format f, const char *arg,
    const char *body, size_t len, const struct ingest_opts *o, struct err *err);

/* What a parsed batch needs done outside the database before it is
 * stored: an SNS SubscriptionConfirmation is confirmed (GET its
 * SubscribeURL with libcurl) when its topic is one the config allows
 * (sns.topics) and the URL is Amazon's (or sns.endpoint's); otherwise
 * -1 with ERR_REFUSED naming what to add to the config. A failed
 * confirmation: -1 with ERR_FAILED (the sender retries). Nothing to do
 * for other batches. */
int ingest_prepare(
    struct ingest_batch *b, const struct ingest_opts *o, struct err *err);

/* The format of a parsed batch (the detected one for INGEST_AUTO). */
enum ingest_format ingest_batch_format(const struct ingest_batch *b);

/* What sent it, for summaries and as the actor: the format's name, or
 * "mapping:NAME". Borrowed from the batch. */
const char *ingest_batch_name(const struct ingest_batch *b);

/* Number of alerts in the batch. */
size_t ingest_batch_alerts(const struct ingest_batch *b);

/* For PagerDuty events: the dedup_key (given, or generated on trigger
 * as PagerDuty does). NULL for other formats. Borrowed from the batch. */
const char *ingest_batch_dedup_key(const struct ingest_batch *b);

/* The normalized alerts of a batch (*n of them), borrowed from it: for
 * callers that store them their own way (owl serve --pull). */
const struct alert *ingest_batch_alert_list(
    const struct ingest_batch *b, size_t *n);

void ingest_batch_free(struct ingest_batch *b);

/* For PagerDuty events: "trigger", "acknowledge" or "resolve"; NULL for
 * other formats. */
const char *ingest_batch_action(const struct ingest_batch *b);

struct ingest_result {
	size_t alerts; /* alerts upserted */
	size_t new_alerts; /* of which first seen */
	size_t incidents_opened;
	size_t incidents_resolved;
	int64_t incident; /* the (last) incident touched */
	/* additions beyond the shared contract: */
	size_t incidents_reopened; /* by the flap guard (10 min) */
	size_t incidents_acked; /* by a PagerDuty acknowledge */
	size_t dropped; /* ack/resolve with nothing open */
	size_t stale; /* older than what is stored: logged, not applied */
	int64_t change; /* a change event: its id; 0: none */
	int confirmed; /* an SNS subscription confirmed */
	size_t change_incidents; /* the incidents it was attached to */
};

/* The reply owl serve sends for a stored batch, as the sender expects
 * it (PagerDuty's 202 {"status":"success",...}, owl's 200 {"status":
 * "stored",...}): the HTTP status, and the body into out. */
int ingest_reply(const struct ingest_batch *b, const struct ingest_result *r,
    struct buf *out, struct err *err);

/* Stores a parsed batch: upserts alerts by (source, fingerprint), groups
 * them into incidents, drives the state machine, and appends the action
 * log entries, inside the caller's write transaction if one is open
 * (store_begin nests) or its own otherwise. actor NULL: actor_name().
 * res may be NULL. */
int ingest_store(struct store *s, const struct ingest_batch *b,
    const char *actor, struct ingest_result *res, struct err *err);

/* ingest_store in a group commit (owl serve's writer): the incidents'
 * rows that only change counts and times are kept in defer, for
 * incident_ingest_defer_flush before the caller's COMMIT; a batch that
 * is not alerts (a change event, a subscription) writes what defer
 * keeps first. The caller's transaction must be open. */
int ingest_store_defer(struct store *s, const struct ingest_batch *b,
    const char *actor, struct ingest_result *res,
    struct incident_ingest_defer *defer, struct err *err);

#endif
