/* change.h: change events (a deploy, a config push: PagerDuty's
 * POST /v2/change/enqueue). Each is stored once, logged once in the
 * action log, and attached as context (incident.change) to the
 * incidents open when it happened and to those that open within
 * CHANGE_LOOKBACK_US after it: "what changed just before it broke". */
#ifndef OWL_CHANGE_H
#define OWL_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "engine/incident.h"
#include "engine/store.h"

/* How long before an incident started a change still counts as its
 * context. */
#define CHANGE_LOOKBACK_US (INT64_C(60) * 60 * 1000000)
/* At most this many open incidents get one change's entry (a storm of
 * open incidents must not turn one deploy into a million log rows). */
#define CHANGE_FANOUT_MAX 1000

struct change_event {
	char *summary; /* required */
	char *source; /* NULL: not given */
	char *details_json; /* JSON object of strings; never NULL once
	                       parsed ("{}") */
	char *links_json; /* JSON array of {href, text}; "[]" */
	int64_t at; /* the sender's time; 0: when owl received it */
};

/* Frees the strings of c (not c); accepts NULL. */
void change_event_done(struct change_event *c);

/* Stores c in the caller's write transaction or its own: one row, one
 * `change` entry in the action log, and one incident.change entry on
 * each incident open at its time (at most CHANGE_FANOUT_MAX, newest
 * first). *id is the change's id, *attached the incidents it went to. */
int change_store(struct store *s, const struct change_event *c,
    const char *actor, int64_t *id, size_t *attached, struct err *err);

/* Attaches to incident `incident`, which started at `started`, the
 * changes of the CHANGE_LOOKBACK_US before it (incident.change entries
 * with "before": true). Called when an incident opens. */
int change_attach_recent(struct store *s, int64_t incident, int64_t started,
    const char *actor, struct err *err);

/* One stored change, as listed. */
struct change_row {
	int64_t id, at, received_at;
	char *summary, *source, *details_json, *links_json;
};

/* The changes whose time is in [from, to], oldest first, at most max.
 * *out is owned by the caller (change_list_free). */
int change_list(struct store *s, int64_t from, int64_t to, size_t max,
    struct change_row **out, size_t *n, struct err *err);
void change_list_free(struct change_row *rows, size_t n);

/* The changes that are inc's context: from CHANGE_LOOKBACK_US before it
 * started until it ended (or now), at most 50. */
int change_context(struct store *s, const struct incident *inc,
    struct change_row **out, size_t *n, struct err *err);

/* {"id", "at", "received_at", "summary", "source", "custom_details",
 * "links"}; a new reference, NULL when out of memory. */
json_t *change_row_to_json(const struct change_row *r);

#endif
