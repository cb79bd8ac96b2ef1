/* ingest_int.h: what the alert-format parsers of integrations/ share:
 * the batch they fill and JSON field readers that name the field in
 * every error ("alerts[3].startsAt: not an RFC 3339 time"). Private to
 * integrations/ingest*.c and integrations/fmt_*.c. */
#ifndef OWL_INGEST_INT_H
#define OWL_INGEST_INT_H

#include <jansson.h>

#include "engine/alert.h"
#include "integrations/ingest.h"

enum ingest_action {
	INGEST_ACTION_NONE,
	INGEST_ACTION_TRIGGER,
	INGEST_ACTION_ACKNOWLEDGE,
	INGEST_ACTION_RESOLVE,
};

struct ingest_opts {
	json_t *sevmap; /* alert_severity_key(word) -> level; never NULL */
};

struct ingest_batch {
	enum ingest_format format;
	const json_t *sevmap; /* while parsing: the config's severity_map */
	struct alert *alerts;
	size_t n, cap; /* alerts used, allocated */
	int64_t truncated; /* -1: the format does not say */
	enum ingest_action action;
	char *dedup_key; /* PagerDuty */
	char *sender_url; /* Alertmanager's externalURL, NULL: not given */
	char *group_key; /* a webhook's groupKey: its alerts borrow it */
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

/* Copies s into *dst (NULL stays NULL); -1 with err when out of memory. */
int ingest_dup(char **dst, const char *s, struct err *err);

/* Writes "where.key" (or "key" when where is "") into out. */
void ingest_path(char *out, size_t n, const char *where, const char *key);

/* The parsers, one per format: fill b from the parsed document root. */
int fmt_alertmanager_parse(
    json_t *root, struct ingest_batch *b, struct err *err);
int fmt_grafana_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_pagerduty_parse(json_t *root, struct ingest_batch *b, struct err *err);
int fmt_generic_parse(json_t *root, struct ingest_batch *b, struct err *err);

#endif
