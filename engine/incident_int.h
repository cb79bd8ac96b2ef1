/* incident_int.h: what the files of the incident module share (reading a
 * row, writing an action-log entry); private to engine/incident*.c. */
#ifndef OWL_INCIDENT_INT_H
#define OWL_INCIDENT_INT_H

#include <jansson.h>

#include "engine/alert.h"
#include "engine/incident.h"

/* Flap guard: a group that fires again this soon after its incident
 * resolved reopens that incident instead of opening a new one. */
/* A number as SQL text: INCIDENT_STR(CHANGE_FANOUT_MAX). */
#define INCIDENT_STR_(x) #x
#define INCIDENT_STR(x) INCIDENT_STR_(x)

#define INCIDENT_FLAP_US (INT64_C(10) * 60 * 1000000)

#define INCIDENT_COLS                                                          \
	"id, state, severity, title, source, group_key, "                      \
	"alert_count, firing_count, truncated_alerts, opened_at, updated_at, " \
	"resolved_at, last_alert_at, acked_by, assignee, snoozed_until, "      \
	"version, started_at, ended_at, group_labels"

/* Fills inc from a row selected with INCIDENT_COLS first; -1 when out of
 * memory. */
int incident_row(struct store_stmt *st, struct incident *inc);

/* Appends one action-log entry about incident id with kind and detail
 * (takes ownership of detail; NULL: "{}"). actor NULL: actor_name(). */
int incident_log(struct store *s, int64_t id, const char *actor,
    const char *kind, json_t *detail, struct err *err);

/* The same with the detail as JSON text (borrowed). */
int incident_log_text(struct store *s, int64_t id, const char *actor,
    const char *kind, const char *detail, struct err *err);

/* Bits of alerts.times_given: which of an alert's times are the
 * sender's own (the others are when owl received the event). */
#define INCIDENT_GIVEN_START 1
#define INCIDENT_GIVEN_END 2

/* An alert's status and times as stored (incident_order.c). */
struct incident_times {
	int resolved;
	int64_t starts, ends; /* ends 0 while firing */
	int64_t rx_starts, rx_ends; /* when owl received them; 0: none */
	int given; /* INCIDENT_GIVEN_* */
};

/* Why event a is older than what is stored (README "Order and
 * staleness"), or NULL when it is to be applied. */
const char *incident_stale_why(
    const struct incident_times *stored, const struct alert *a);

/* The times of a new alert from event a, received at now. */
void incident_times_new(
    const struct alert *a, int64_t now, struct incident_times *out);

/* The times after applying event a (not stale) to stored, at now. */
void incident_times_apply(const struct incident_times *stored,
    const struct alert *a, int64_t now, struct incident_times *out);

/* An alert's labels, annotations and URL after a merging re-delivery
 * (incident_merge.c). */
struct incident_merged {
	char *labels, *annotations, *generator_url;
	int changed; /* something was added or changed (and logged) */
};

/* Merges event a (a->merge) into the stored alert alert_id of
 * incident: what a adds or changes wins, nothing is removed; logs one
 * alert.update with what changed (nothing when nothing did). out is
 * filled (incident_merged_done). */
int incident_merge(struct store *s, int64_t alert_id, int64_t incident,
    const char *actor, const struct alert *a, struct incident_merged *out,
    struct err *err);
void incident_merged_done(struct incident_merged *m);

/* A JSON string for s, or null when s is NULL. */
json_t *incident_jstr(const char *s);

/* A JSON RFC 3339 string for the time us, or null when us is 0. */
json_t *incident_jtime(int64_t us);

#endif
