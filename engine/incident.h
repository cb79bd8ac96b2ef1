/* incident.h: incidents: alerts grouped by group key, with a state
 * machine (triggered -> acknowledged -> resolved, snoozed until a time),
 * and every change written to the action log (engine/actlog.h).
 *
 * CONTRACT shared by the alerts/incidents work (implements it), the TUI
 * and `owl serve` (consume it). Extend freely; do not change these
 * signatures without telling the lead. */
#ifndef OWL_INCIDENT_H
#define OWL_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "engine/store.h"

enum incident_state {
	INCIDENT_TRIGGERED,
	INCIDENT_ACKNOWLEDGED,
	INCIDENT_RESOLVED,
};

/* Ordered: a higher value is worse. */
enum incident_severity {
	SEVERITY_INFO,
	SEVERITY_WARNING,
	SEVERITY_ERROR,
	SEVERITY_CRITICAL,
};

struct incident {
	int64_t id; /* shown as INC-<id> */
	enum incident_state state;
	enum incident_severity severity;
	char *title; /* untrusted: sanitise before showing */
	char *source; /* alertmanager|grafana|pagerduty|generic */
	char *group_key;
	int64_t alert_count;
	int64_t firing_count;
	int64_t truncated_alerts; /* alerts the sender left out */
	int64_t opened_at; /* microseconds, UTC (engine/clock.h) */
	int64_t updated_at;
	int64_t resolved_at; /* 0: not resolved */
	int64_t last_alert_at; /* last delivery of any of its alerts */
	char *acked_by; /* NULL: nobody */
	char *assignee; /* NULL: nobody */
	int64_t snoozed_until; /* 0: not snoozed */
	int64_t version; /* +1 on every change (check-then-act) */
	/* the alerts' own times, beside owl's opened_at and resolved_at:
	 * the first startsAt, and the last endsAt (meaningful once
	 * resolved); 0: not known */
	int64_t started_at;
	int64_t ended_at;
	char *group_labels; /* the sender's group labels, a JSON object
	                       (Alertmanager's groupLabels); NULL: unknown */
};

/* Frees the strings of one incident (not the struct); accepts NULL. */
void incident_done(struct incident *inc);

/* Frees an array from incident_list(); accepts NULL. */
void incident_list_free(struct incident *list, size_t n);

const char *incident_state_name(enum incident_state s); /* "triggered" */
const char *incident_severity_name(enum incident_severity s); /* "critical" */
/* Parses a state name; -1 when unknown. */
int incident_state_parse(const char *name);

struct incident_query {
	int all; /* include resolved ones */
	int state; /* -1: any; else only this enum incident_state */
	size_t limit; /* 0: no limit */
};

/* Lists incidents, most severe first, then newest first. *out is an
 * array of *n incidents owned by the caller (incident_list_free). */
int incident_list(struct store *s, const struct incident_query *q,
    struct incident **out, size_t *n, struct err *err);

/* The orders of a page of incidents; each is an index walk. */
enum incident_order {
	INCIDENT_ORDER_SEVERITY, /* worst first, then newest (owl incidents) */
	INCIDENT_ORDER_URGENCY, /* open ones: firing, acknowledged, snoozed;
	                         * each worst first, then newest (the TUI) */
	INCIDENT_ORDER_NEWEST, /* open ones, newest first */
	INCIDENT_ORDER_ALERTS, /* open ones, most alerts first */
	INCIDENT_ORDER_ID, /* open ones, highest id first */
};

/* Which rows incident_each() visits. state applies to
 * INCIDENT_ORDER_SEVERITY only; all takes the resolved ones in (the
 * urgency order lists them last). */
struct incident_page {
	enum incident_order order;
	int all; /* include resolved ones */
	int state; /* -1: any; else only this enum incident_state */
	const char *filter; /* NULL or "": all; else a case-insensitive
	                     * substring of the title, "INC-<id>" or an
	                     * alert's "key=value" (incident.match_text) */
	int64_t now; /* what "snoozed" is measured against */
	int64_t offset; /* rows skipped (an index walk, no sort) */
	int64_t limit; /* 0: every row */
};

/* Called with each row, borrowed: fn may keep its strings by copying
 * *inc and zeroing it. Returns nonzero to stop. */
typedef int incident_fn(struct incident *inc, void *ctx);

/* Calls fn for each incident of the page, in its order. Memory and time
 * depend on offset + limit, not on how many incidents there are. */
int incident_each(struct store *s, const struct incident_page *p,
    incident_fn *fn, void *ctx, struct err *err);

/* Counts of the open incidents (firing = triggered and not snoozed,
 * acked = acknowledged and not snoozed, snoozed), and rows: how many
 * rows incident_each() would visit with no offset or limit. */
struct incident_counts {
	int64_t firing, acked, snoozed;
	int64_t rows;
};
int incident_count(struct store *s, const struct incident_page *p,
    struct incident_counts *c, struct err *err);

/* The highest incident id (0: none), for column widths. */
int64_t incident_max_id(struct store *s);

/* Reads one incident into *inc (incident_done). An unknown id: -1 with
 * ERR_FAILED and the message "no incident INC-<id>". */
int incident_get(
    struct store *s, int64_t id, struct incident *inc, struct err *err);

/* Options of every action: who acts, the note that goes with it, and the
 * version the actor saw (0: do not check). When expect_version is set and
 * the incident has changed since, the action is refused (-1, ERR_REFUSED)
 * and err says who did what ("INC-42 changed since you looked: resolved
 * by bob 2m ago"). */
struct incident_act {
	const char *actor; /* NULL: actor_name() */
	const char *note; /* NULL: none */
	int64_t expect_version; /* 0: no check */
};

/* Each action changes the incident and appends one action-log entry with
 * the actor and a before/after detail, in one transaction. Acting on a
 * resolved incident (except incident_note and incident_reopen) fails
 * with ERR_FAILED "INC-42 is already resolved". */
int incident_ack(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err);
int incident_resolve(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err);
int incident_note(struct store *s, int64_t id, const char *text,
    const struct incident_act *a, struct err *err);
/* A note that says the incident is mitigated (the impact stopped, the
 * cause not yet fixed): its detail says "mitigated": true, and the
 * timeline's summary takes its time as the mitigation's. */
int incident_note_mitigated(struct store *s, int64_t id, const char *text,
    const struct incident_act *a, struct err *err);
int incident_snooze(struct store *s, int64_t id, int64_t until_us,
    const struct incident_act *a, struct err *err);
int incident_assign(struct store *s, int64_t id, const char *who,
    const struct incident_act *a, struct err *err);

/* The reverse actions, for the TUI's undo key: acknowledged -> triggered,
 * resolved -> triggered (or acknowledged when it was), snooze cleared. */
int incident_unack(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err);
int incident_reopen(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err);
int incident_unsnooze(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err);

/* One alert of an incident, for `owl show` and the TUI's incident screen. */
struct incident_alert {
	char *source;
	char *fingerprint;
	int resolved;
	char *labels_json; /* JSON object text */
	char *annotations_json; /* JSON object text */
	int64_t starts_at; /* 0: unknown */
	int64_t ends_at; /* 0: not ended */
	char *generator_url; /* NULL: none */
	int64_t count; /* deliveries */
	int64_t last_seen;
	char *severity; /* its severity name */
	char *severity_raw; /* the sender's word, NULL: one of the four */
	int64_t received_starts; /* when owl received its start; 0: ? */
	int64_t received_ends; /* and its end; 0: not ended or unknown */
	int starts_given; /* starts_at is the sender's, not owl's */
	int ends_given;
};

/* Lists the alerts of an incident (incident_alerts_free). */
int incident_alerts(struct store *s, int64_t id, struct incident_alert **out,
    size_t *n, struct err *err);
void incident_alerts_free(struct incident_alert *list, size_t n);

/* Called with each alert, borrowed (fn may keep its strings by copying
 * *a and zeroing it). Returns nonzero to stop. */
typedef int incident_alert_fn(struct incident_alert *a, void *ctx);

/* Streams the first `limit` alerts of an incident (0: all), oldest
 * first: memory does not grow with the incident. */
int incident_alerts_each(struct store *s, int64_t id, int64_t limit,
    incident_alert_fn *fn, void *ctx, struct err *err);

/* Called with one alert's labels (JSON object text, borrowed) and
 * whether it is resolved. Returns nonzero to stop. */
typedef int incident_labels_fn(const char *labels, int resolved, void *ctx);

/* The same walk as incident_alerts_each reading only the labels and the
 * state (runbook suggestions match on them): the first `limit` alerts
 * (0: all), oldest first. */
int incident_alert_labels_each(struct store *s, int64_t id, int64_t limit,
    incident_labels_fn *fn, void *ctx, struct err *err);

/* Time of the newest alert delivery of any incident (0: none); the TUI
 * shows it as data freshness. */
int64_t incident_last_alert_at(struct store *s);

/* --- Additions beyond the shared contract --- */

/* Nonzero when the incident is snoozed at time now_us. */
int incident_is_snoozed(const struct incident *inc, int64_t now_us);

/* The incident as DESIGN.md's JSON object ("owl incidents --json"):
 * times as RFC 3339 UTC strings, absent values null. New reference,
 * NULL when out of memory. */
json_t *incident_to_json(const struct incident *inc);

/* One alert as {"source", "fingerprint", "status", "labels",
 * "annotations", "starts_at", "ends_at", "generator_url", "count",
 * "last_seen"}. New reference, NULL when out of memory. */
json_t *incident_alert_to_json(const struct incident_alert *a);

/* The incident's action-log entries, oldest first, as a JSON array of
 * {"id", "at", "actor", "kind", "detail"} (detail embedded as JSON).
 * *out is a new reference. */
int incident_log_json(
    struct store *s, int64_t id, json_t **out, struct err *err);

/* One entry of that array. New reference, NULL when out of memory. */
struct actlog_entry;
json_t *incident_log_entry_to_json(const struct actlog_entry *e);

#endif
