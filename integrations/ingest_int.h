/* ingest_int.h: what the alert-format parsers of integrations/ share:
 * the batch they fill and JSON field readers that name the field in
 * every error ("alerts[3].startsAt: not an RFC 3339 time"). Private to
 * integrations/ingest*.c and integrations/fmt_*.c. */
#ifndef OWL_INGEST_INT_H
#define OWL_INGEST_INT_H

#include <jansson.h>

#include "engine/alert.h"
#include "engine/change.h"
#include "integrations/ingest.h"

enum ingest_action {
	INGEST_ACTION_NONE,
	INGEST_ACTION_TRIGGER,
	INGEST_ACTION_ACKNOWLEDGE,
	INGEST_ACTION_RESOLVE,
};

struct ingest_mapping; /* fmt_mapping.c */

struct ingest_opts {
	json_t *sevmap; /* alert_severity_key(word) -> level; never NULL */
	struct ingest_mapping *mappings; /* the config's; NULL: none */
	json_t *sns_topics; /* ARNs ("...:*" a prefix); NULL: none */
	char *sns_endpoint; /* SubscribeURLs allowed besides Amazon's */
};

struct ingest_batch {
	enum ingest_format format;
	const json_t *sevmap; /* while parsing: the config's severity_map */
	const char *arg; /* while parsing: what the URL names */
	const struct ingest_mapping *mapping; /* while parsing: its mapping */
	struct alert *alerts;
	size_t n, cap; /* alerts used, allocated */
	int64_t truncated; /* -1: the format does not say */
	enum ingest_action action;
	char *dedup_key; /* PagerDuty */
	char *sender_url; /* Alertmanager's externalURL, NULL: not given */
	char *group_key; /* a webhook's groupKey: its alerts borrow it */
	char *group_labels; /* and its groupLabels (JSON), borrowed too */
	struct change_event *change; /* a change event instead of alerts */
	char *name; /* "mapping:NAME"; NULL: the format's name */
	char *confirm_topic; /* an SNS SubscriptionConfirmation: its topic */
	char *confirm_url; /* and SubscribeURL */
	int confirmed; /* ingest_prepare confirmed it */
};

/* Appends a zeroed alert of the given source to b; NULL when out of
 * memory or past INGEST_ALERTS_MAX (err set). */
struct alert *ingest_batch_add(
    struct ingest_batch *b, const char *source, struct err *err);

/* Parses body into *out, after refusing a body over INGEST_BODY_MAX,
 * nested deeper than INGEST_DEPTH_MAX or holding a NUL byte; JSON errors
 * name the field where they happen when they are inside one. */
int ingest_json_load(
    const char *body, size_t len, json_t **out, struct err *err);

#define INGEST_REQUIRED 0x1 /* absent (or null) is an error */
#define INGEST_NONEMPTY 0x2 /* "" is an error */

/* Reads obj[key] as a string of at most max bytes into *out (borrowed
 * from obj; NULL when absent and not required). where is the path of
 * obj ("alerts[3]", or "" for the top level). */
int ingest_json_str(json_t *obj, const char *where, const char *key, int flags,
    size_t max, const char **out, struct err *err);

/* Reads obj[key] as an RFC 3339 time; absent, null, "" and Go's zero
 * time "0001-01-01T00:00:00Z" give 0. */
int ingest_json_time(json_t *obj, const char *where, const char *key, int flags,
    int64_t *us, struct err *err);

/* Reads obj[key] as an object of strings (labels, annotations) within
 * the INGEST_PAIRS_MAX, INGEST_NAME_MAX and INGEST_VALUE_MAX limits.
 * *out is a new reference (an empty object when absent). */
int ingest_json_map(json_t *obj, const char *where, const char *key,
    json_t **out, struct err *err);

/* Compact JSON text of v with sorted keys and every real in its
 * shortest form ("0.42"), for values kept as annotations. NULL when out
 * of memory; free() it. */
char *ingest_json_text(const json_t *v);

/* Copies s into *dst (NULL stays NULL); -1 with err when out of memory. */
int ingest_dup(char **dst, const char *s, struct err *err);

/* Writes "where.key" (or "key" when where is "") into out. */
void ingest_path(char *out, size_t n, const char *where, const char *key);

/* What a sender's payload says about one alert (fmt_common.c). */
struct fmt_fields {
	const char *fingerprint; /* required */
	const char *group; /* NULL: the fingerprint */
	const char *title; /* the summary annotation unless ann has one */
	const char *url; /* the generator URL */
	const char *severity; /* the sender's word; NULL: labels.severity */
	int resolved;
	int test; /* a test notification: stored resolved, label test */
	int64_t starts, ends; /* the sender's times; 0: not given */
	json_t *labels, *ann; /* borrowed; NULL: empty */
};

/* Appends the alert f describes to b (source static). */
int fmt_alert_build(struct ingest_batch *b, const char *source,
    const struct fmt_fields *f, struct err *err);

/* Sets o[key] to value when it is a non-empty string of a sane size. */
void fmt_set(json_t *o, const char *key, const char *value);
/* Sets o[key] to v as text (strings as they are, others as JSON). */
void fmt_set_any(json_t *o, const char *key, const json_t *v);
/* v as text, malloc'd; NULL for absent or null. */
char *fmt_text(const json_t *v);
/* o[key] when it is a non-empty string, else NULL (borrowed). */
const char *fmt_str(const json_t *o, const char *key);
/* Epoch milliseconds (a number or a string of digits) in us; 0: not. */
int64_t fmt_epoch_ms(const json_t *v);
/* An RFC 3339 time, "YYYY-MM-DD HH:MM:SS[.mmm]" in UTC, or epoch
 * milliseconds, in us; 0: none of them. */
int64_t fmt_time_any(const json_t *v);

/* The parsers, one per format: fill b from the parsed document root. */
int fmt_alertmanager_parse(
    json_t *root, struct ingest_batch *b, struct err *err);
int fmt_grafana_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_pagerduty_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_generic_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_pd_change_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_sns_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_datadog_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_sentry_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_kuma_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_grafana_legacy_parse(
    json_t *root, struct ingest_batch *b, struct err *err);
int fmt_opsgenie_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_opsgenie_close_parse(
    json_t *root, struct ingest_batch *b, struct err *err);
int fmt_opsgenie_ack_parse(
    json_t *root, struct ingest_batch *b, struct err *err);
int fmt_mapping_parse(json_t *root, struct ingest_batch *b, struct err *err);

/* Which of the other senders (SNS, Sentry, Uptime Kuma, Grafana legacy,
 * Datadog) a document looks like; -1: none. */
int fmt_sender_detect(json_t *root);

/* A random UUID (version 4), the form generated keys take. */
int ingest_uuid(char out[37], struct err *err);

/* The config's mappings (fmt_mapping.c): load (validated; a bad one is
 * an error naming it), find by name, free. */
int ingest_mappings_load(
    const json_t *cfg, struct ingest_mapping **out, struct err *err);
const struct ingest_mapping *ingest_mapping_find(
    const struct ingest_mapping *m, const char *name);
const char *ingest_mapping_name(const struct ingest_mapping *m);
void ingest_mappings_free(struct ingest_mapping *m);

#endif
