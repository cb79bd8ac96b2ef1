/* handoff.h: the shift report for the next person on call (`owl
 * handoff`): from the action log and the tables, over a span of time:
 * incidents opened, acknowledged, resolved, and those still open with
 * their age; pages sent and to whom; runbooks run and their outcomes;
 * notes; and who is on call now and next. */
#ifndef OWL_HANDOFF_H
#define OWL_HANDOFF_H

#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "oncall.h"
#include "store.h"

/* Builds the report for [since, now] as one JSON document (a new
 * reference in *out):
 * {"since", "until", "oncall": [{rotation, person, until, next}],
 *  "open": [{id, title, severity, state, opened_at, age_s, acked_by,
 *            assignee, snoozed_until}],
 *  "opened" | "acknowledged" | "resolved" | "reopened":
 *          [{id, title, severity, at, by, note?, auto?}],
 *  "pages": [{id, incident, kind, to, via, level, origin, actor, state,
 *             channel, attempts, text, created_at, done_at, error}],
 *  "runs": [{id, runbook, incident, actor, status, dry_run, started_at,
 *            ended_at, error}],
 *  "notes": [{incident, at, by, text}]}.
 * oc may be NULL (no "oncall"). Times are RFC 3339 UTC. */
int handoff_build(struct store *s, const struct oncall *oc, int64_t since,
    int64_t now, json_t **out, struct err *err);

#endif
