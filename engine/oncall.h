/* oncall.h: who is on call: rotations from the config (`oncall =
 * { rotations = {...}, people = {...}, overrides = {...} }`), overrides
 * from the config and from the database (`owl oncall override`), and the
 * person on call at any time, with the hand-offs around it.
 *
 * A rotation's shifts follow the wall clock of its zone: the first shift
 * starts on `start` (a local date) at the `handoff` time of day, and each
 * next one `shift` of wall-clock time later (a day is a calendar day: 23
 * or 25 hours when the clocks change; a 12h shift hands off at 09:00 and
 * 21:00 all year). Hand-off times are converted with tzone.c (the system
 * zone database); a hand-off at a time the clock skips happens when the
 * clock jumps past it, one at a time shown twice at its first showing.
 *
 * Time is always a parameter (microseconds UTC): these functions never
 * read the clock, so tests drive them with any time they like. */
#ifndef OWL_ONCALL_H
#define OWL_ONCALL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "err.h"
#include "store.h"
#include "tzone.h"

#define ONCALL_NAME_MAX 64

struct oncall_rotation {
	char *name;
	char **people;
	size_t npeople;
	char *tz;
	int64_t start_local; /* local seconds of the first hand-off */
	int64_t shift; /* seconds of wall-clock time */
	int weekday; /* of the hand-off, 0 = Sunday; -1: every shift */
	char start[16]; /* "2026-01-05", as configured */
	char handoff[16]; /* "Mon 09:00" */
	char shift_text[24]; /* "1w" */
};

/* An override: `who` is on call for `rotation` in [from, to). */
struct oncall_override {
	int64_t id; /* 0: from the config */
	char *rotation;
	char *who;
	int64_t from, to; /* microseconds UTC */
	char *note; /* NULL: none */
	char *created_by; /* NULL: the config */
	int64_t created_at;
};

struct oncall {
	struct oncall_rotation *rot;
	size_t nrot;
	struct oncall_override *ovr; /* the config's */
	size_t novr;
	json_t *people; /* oncall.people (an object), a reference */
};

/* Reads and checks the config's `oncall` table into oc (oncall_done).
 * No table: zero rotations, no error. A bad rotation (unknown zone, a
 * start date that is not the hand-off's weekday, an empty people list,
 * a name that is both a person and a rotation): -1 with err (ERR_USAGE)
 * naming the field, e.g. "config: oncall.rotations.primary.tz: ...". */
int oncall_load(const struct config *c, struct oncall *oc, struct err *err);

/* Frees what oncall_load made; accepts a zeroed struct. */
void oncall_done(struct oncall *oc);

/* The rotation called name; NULL when none. */
const struct oncall_rotation *oncall_rotation(
    const struct oncall *oc, const char *name);

/* The config entry of a person (oncall.people.NAME), borrowed; NULL
 * when the person is not configured. */
const json_t *oncall_person(const struct oncall *oc, const char *name);

/* One shift: its index (0 the first; -1 before the first), the person
 * (NULL before the first), and when it starts and ends (us UTC; from is
 * INT64_MIN before the first). */
struct oncall_shift {
	int64_t index;
	const char *person;
	int64_t from, to;
};

/* The shift of r at time t (us UTC). */
int oncall_shift_at(const struct oncall_rotation *r, int64_t t,
    struct oncall_shift *sh, struct err *err);

/* The start of shift k (us UTC). */
int oncall_handoff(
    const struct oncall_rotation *r, int64_t k, int64_t *at, struct err *err);

/* Who is on call for a rotation at time t, overrides applied (the
 * config's and, when s is not NULL, the database's; the newest
 * override wins), with the span they have been and will stay on call
 * and who comes next. Strings are copied into the struct. */
struct oncall_who {
	char person[ONCALL_NAME_MAX + 1]; /* "" when nobody */
	int64_t since; /* INT64_MIN: since always */
	int64_t until; /* when the next person takes over */
	char next[ONCALL_NAME_MAX + 1]; /* "" when nobody */
	int64_t override_id; /* -1: none; 0: the config's; else its id */
	char override_by[ONCALL_NAME_MAX + 1];
	char replaces[ONCALL_NAME_MAX + 1]; /* the rotation's person */
};

int oncall_who(struct store *s, const struct oncall *oc,
    const struct oncall_rotation *r, int64_t t, struct oncall_who *w,
    struct err *err);

/* Formats UTC time t (us) in the rotation's zone: "2026-01-05 09:00 CET"
 * into human (may be NULL) and "2026-01-05T09:00:00+01:00" into rfc
 * (may be NULL), each at least 64 bytes. */
int oncall_format_local(
    const char *tz, int64_t t, char *human, char *rfc, struct err *err);

/* --- overrides in the database (oncall_override.c) --- */

/* Adds an override and logs `oncall.override` (actor, rotation, who,
 * from, to, note) in one transaction; sets *id. to must be after from. */
int oncall_override_add(struct store *s, const struct oncall_override *o,
    const char *actor, int64_t now, int64_t *id, struct err *err);

/* Removes override id (logs `oncall.override.remove`). An unknown or
 * already removed id: -1, ERR_FAILED. */
int oncall_override_remove(struct store *s, int64_t id, const char *actor,
    int64_t now, struct err *err);

/* The database's overrides not removed and not over at `after` (us;
 * 0: all not removed), for one rotation (NULL: all), oldest first.
 * *out is owned by the caller (oncall_overrides_free). */
int oncall_override_list(struct store *s, const char *rotation, int64_t after,
    struct oncall_override **out, size_t *n, struct err *err);

void oncall_overrides_free(struct oncall_override *v, size_t n);

/* Checks a person or rotation name: letters, digits, "._-@", at most
 * ONCALL_NAME_MAX bytes. */
int oncall_name_ok(const char *name);

#endif
