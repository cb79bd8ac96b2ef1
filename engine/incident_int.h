/* incident_int.h: what the files of the incident module share (reading a
 * row, writing an action-log entry); private to engine/incident*.c. */
#ifndef OWL_INCIDENT_INT_H
#define OWL_INCIDENT_INT_H

#include <jansson.h>

#include "engine/incident.h"

/* Flap guard: a group that fires again this soon after its incident
 * resolved reopens that incident instead of opening a new one. */
#define INCIDENT_FLAP_US (INT64_C(10) * 60 * 1000000)

#define INCIDENT_COLS                                                          \
	"id, state, severity, title, source, group_key, "                      \
	"alert_count, firing_count, truncated_alerts, opened_at, updated_at, " \
	"resolved_at, last_alert_at, acked_by, assignee, snoozed_until, version"

/* Fills inc from a row selected with INCIDENT_COLS first; -1 when out of
 * memory. */
int incident_row(sqlite3_stmt *st, struct incident *inc);

/* Appends one action-log entry about incident id with kind and detail
 * (takes ownership of detail; NULL: "{}"). actor NULL: actor_name(). */
int incident_log(struct store *s, int64_t id, const char *actor,
    const char *kind, json_t *detail, struct err *err);

/* The same with the detail as JSON text (borrowed). */
int incident_log_text(struct store *s, int64_t id, const char *actor,
    const char *kind, const char *detail, struct err *err);

/* A JSON string for s, or null when s is NULL. */
json_t *incident_jstr(const char *s);

/* A JSON RFC 3339 string for the time us, or null when us is 0. */
json_t *incident_jtime(int64_t us);

#endif
