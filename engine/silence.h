/* silence.h: the Alertmanager silences owl created for incidents
 * (`owl silence INC --for 2h`): which silence ids, at which Alertmanager,
 * until when, and when they were expired (by `owl unsilence`, or by
 * `owl serve` once the incident resolved). Each change is an action-log
 * entry of its incident. */
#ifndef OWL_SILENCE_H
#define OWL_SILENCE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/store.h"

struct silence {
	int64_t id; /* owl's row id */
	int64_t incident;
	char *am_url; /* the Alertmanager's base URL */
	char *silence_id; /* Alertmanager's id */
	char *fingerprint; /* the alert it matches; NULL: the group */
	char *created_by;
	int64_t created_at;
	int64_t ends_at;
	int64_t expired_at; /* 0: not expired by owl */
};

/* Records a silence created for an incident and logs "incident.silence"
 * (actor NULL: actor_name()), in one transaction. */
int silence_add(struct store *s, int64_t incident, const char *am_url,
    const char *silence_id, const char *fingerprint, const char *actor,
    int64_t ends_at, const char *comment, struct err *err);

/* The silences of an incident (0: of every incident), oldest first; with
 * active_only, only those neither expired by owl nor past their end.
 * *out belongs to the caller (silence_list_free). */
int silence_list(struct store *s, int64_t incident, int active_only,
    struct silence **out, size_t *n, struct err *err);

/* Active silences whose incident is resolved: to expire now. */
int silence_due(
    struct store *s, struct silence **out, size_t *n, struct err *err);

void silence_list_free(struct silence *list, size_t n);

/* Marks one silence (owl's row id) expired and logs "incident.unsilence"
 * with the reason ("unsilence", "resolved"). */
int silence_expire(struct store *s, int64_t id, const char *actor,
    const char *reason, struct err *err);

/* The Alertmanager of an incident, malloc'd into *url: the one its alerts
 * were pulled from (`owl serve --pull`), else the externalURL its webhook
 * deliveries named (*from_sender 1, when not NULL: whoever could post
 * the webhook chose it); *url NULL when neither is known. */
int silence_am_url(struct store *s, int64_t incident, char **url,
    int *from_sender, struct err *err);

#endif
