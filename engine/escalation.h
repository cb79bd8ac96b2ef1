/* escalation.h: escalation policies (the config's `escalation`) and the
 * tick that runs them inside `owl serve`. Each incident that opens (or
 * reopens, or is unacknowledged) gets an escalation: level 1's people
 * are paged `after` its start, level 2's later, and so on, looping
 * `loops` more times when configured; acknowledging or resolving stops
 * it, a snooze pauses it (the remaining delays resume after the snooze).
 *
 * The tick follows the action log (incident.open, reopen, unack, ack,
 * resolve, snooze, unsnooze) from a cursor kept in the database, and
 * fires due levels by queueing pages (pages.h), all in one transaction:
 * after a crash or restart it carries on from the cursor, so a level is
 * fired once, never twice, and none is lost.
 *
 * Time is a parameter: the tick never reads the clock, so tests drive
 * it with a fake clock (any sequence of `now` values). */
#ifndef OWL_ESCALATION_H
#define OWL_ESCALATION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "err.h"
#include "oncall.h"
#include "store.h"

struct escalation_level {
	int64_t after; /* us after the escalation's start (of its loop) */
	char **notify; /* rotation or person names */
	size_t nnotify;
};

struct escalation_policy {
	char *name;
	char **severity; /* matches any of these; none: any severity */
	size_t nseverity;
	json_t *labels; /* an alert of the incident has all of these;
	                   NULL: any */
	struct escalation_level *levels;
	size_t nlevels;
	int loops; /* times to go through the levels again */
	int64_t loop_every; /* us from one loop's start to the next */
};

struct escalation {
	struct escalation_policy *p; /* the first that matches wins */
	size_t n;
	const char *node; /* the owl serve that escalates ("host:pid",
	                     duty.h), said as "node" in the entries it
	                     logs; NULL: not said. Borrowed. */
};

/* Reads the config's `escalation`: a list of levels ({ after = "10m",
 * notify = "secondary" | { "a", "b" } }), or a table { levels = {...},
 * loops = N, loop_every = "1h" }, or { policies = { { name = ...,
 * severity = "critical" | {...}, labels = { team = "ml" }, levels =
 * {...}, loops = ... }, ... } }. Every name in notify must be a rotation
 * or a person of oc. No `escalation`: zero policies. -1 with err
 * (ERR_USAGE) naming the field. */
int escalation_load(const struct config *c, const struct oncall *oc,
    struct escalation *e, struct err *err);

void escalation_done(struct escalation *e);

/* What one tick did. */
struct escalation_stats {
	size_t events; /* action-log entries followed */
	size_t started;
	size_t levels; /* levels fired */
	size_t pages; /* pages queued */
	size_t stopped;
	size_t resolves; /* PagerDuty resolves queued */
};

/* One step at time now: follows the action log since the cursor and
 * fires the levels due, in one transaction. The first tick on a
 * database starts the cursor at the end of the log: incidents open
 * before paging was switched on are not paged (logged once as
 * paging.start). */
int escalation_tick(struct store *s, const struct escalation *e,
    const struct oncall *oc, int64_t now, struct escalation_stats *st,
    struct err *err);

/* Resolves a name to the person it pages at time now: a rotation gives
 * who is on call (overrides applied; "" when nobody is), a person of
 * oncall.people themself. An unknown name: -1 with err (ERR_USAGE).
 * *is_rotation tells which it was (may be NULL). */
int escalation_person(struct store *s, const struct oncall *oc,
    const char *name, int64_t now, char person[ONCALL_NAME_MAX + 1],
    int *is_rotation, struct err *err);

/* The escalation of an incident as JSON ({policy, state, level, of,
 * loop, next_at}), or JSON null when it has none. New reference. */
int escalation_json(
    struct store *s, int64_t incident, json_t **out, struct err *err);

#endif
