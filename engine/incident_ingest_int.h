/* incident_ingest_int.h: what the files of incident_ingest share:
 * incident_ingest.c (the batch, one event at a time: stale, ack, which
 * incident), incident_ingest_alert.c (alert rows) and
 * incident_ingest_touch.c (incidents: groups, aggregates, auto-resolve). */
#ifndef OWL_INCIDENT_INGEST_INT_H
#define OWL_INCIDENT_INGEST_INT_H

#include <stdint.h>

#include "engine/actor.h"
#include "engine/buf.h"
#include "engine/incident.h"
#include "engine/incident_ingest.h"
#include "engine/incident_int.h"
#include "engine/labelsum.h"
#include "engine/strmap.h"

/* An incident the batch touched, and what its alerts did to its
 * aggregates: kept incrementally, so a request costs the same whatever
 * the incident's size. */
struct ingest_touch {
	int64_t id;
	int changed; /* something worth a version bump happened */
	int64_t dcount; /* alerts added */
	int64_t dfiring; /* change in firing alerts */
	int sev; /* the worst severity an alert now has; -1: none */
	int lowered; /* the highest severity an alert left; -1: none */
	int64_t first_start; /* earliest starts_at of its alerts here; 0 */
	int64_t last_end; /* latest ends_at of its alerts resolved here; 0 */
	struct labelsum *sum; /* the labels stored here; NULL: none (owned) */
};

/* What finishing an incident writes to its row (ingest_row_write), and
 * what incident_ingest_defer keeps of it until the commit. */
struct ingest_row {
	int64_t id;
	int state; /* read, never written here */
	int64_t count, firing, truncated;
	int severity;
	int64_t last_alert_at;
	int64_t updated_at; /* 0: as stored */
	int64_t version_add;
	char *sender_url; /* NULL: as stored (kept: owned; else borrowed) */
	int64_t started_at, ended_at; /* 0: none */
	/* label_keys as stored now (never written by ingest_row_write),
	 * when lk_known (kept: owned; else borrowed) */
	char *label_keys;
	int lk_known;
};

/* Writes r to its incident's row. */
int ingest_row_write(
    struct store *s, const struct ingest_row *r, struct err *err);

/* The kept row of incident id, or NULL (d may be NULL). */
struct ingest_row *ingest_defer_find(
    const struct incident_ingest_defer *d, int64_t id);

/* Keeps r (its sender URL copied) as the row of r->id, to be written at
 * the flush: over a kept one, the values are r's and the version bumps
 * add up. */
int ingest_defer_keep(struct incident_ingest_defer *d,
    const struct ingest_row *r, struct err *err);

/* The known lower bound of the bytes of incident id's filter text
 * (match_text), or NULL when not known (d may be NULL). Valid for the
 * batch's transaction: the text only grows. */
int64_t *ingest_defer_text(struct incident_ingest_defer *d, int64_t id);

/* Whether d can note the size of one more incident's filter text. */
int ingest_defer_text_room(const struct incident_ingest_defer *d);

/* Notes that incident id's filter text has at least len bytes (nothing
 * when d is NULL or knows enough incidents already). */
void ingest_defer_text_note(
    struct incident_ingest_defer *d, int64_t id, int64_t len);

/* The newest incident of (source, group key) as the batch knows it: 1
 * with *id (0: none), *state and *resolved_at set; 0 when not known (d
 * may be NULL). */
int ingest_defer_group(struct incident_ingest_defer *d, const char *source,
    const char *group_key, int64_t *id, int *state, int64_t *resolved_at);

/* Notes the newest incident of (source, group key) (nothing when d is
 * NULL or knows enough groups already). */
void ingest_defer_group_set(struct incident_ingest_defer *d, const char *source,
    const char *group_key, int64_t id, int state, int64_t resolved_at);

/* Notes a change of incident id's state (and resolve time: 0, none) in
 * the groups d knows. */
void ingest_defer_group_state(struct incident_ingest_defer *d, int64_t id,
    int state, int64_t resolved_at);

/* Writes and forgets the kept row of incident id, if any: before any
 * other change of that row. */
int ingest_defer_settle(struct store *s, struct incident_ingest_defer *d,
    int64_t id, struct err *err);

/* A touched incident's row read ahead (incident_ingest_ahead.c). */
struct ingest_fin {
	int ok; /* read */
	int state, severity;
	int64_t count, firing, truncated, started_at, ended_at;
	char *label_keys; /* owned; NULL: SQL NULL */
};

/* What incident_ingest_ahead.c read ahead on a remote store. */
struct ingest_ahead {
	struct ingest_found *rows; /* of alerts [start, end): rows[k - start] */
	size_t start, end;
	int stale; /* an incident reopened: rows' states may be old */
	/* "source\ngroup_key" -> "id state resolved_at" (id 0: none), for
	 * the alerts before groups_end */
	struct strmap *groups;
	size_t groups_end;
	struct ingest_fin *fin; /* per touched incident (after the merge) */
};

struct ingest_ctx {
	struct store *s;
	const struct incident_ingest_opts *o;
	struct incident_ingest_result *res;
	char actor[ACTOR_MAX];
	int64_t now;
	struct ingest_touch *touched;
	size_t ntouched, cap;
	const char *cache_group; /* the last group key decided, borrowed */
	int64_t cache_id; /* and its incident */
	/* ingest_known: the (source, fingerprint) keys that may have a row,
	 * for the alerts before known_end; NULL: each alert is looked up */
	struct strmap *known;
	size_t known_end;
	const struct alert *alerts; /* the batch */
	size_t nalerts;
	struct ingest_ahead ahead; /* a remote store's reads ahead */
	struct buf detail; /* an alert.new entry's, grown once a batch */
};

/* Before alert i of n: when the batch is large, reads in one statement
 * which of the next alerts' keys have rows, so that ingest_find needs no
 * statement for a new one (one round trip each on PostgreSQL). */
int ingest_known(struct ingest_ctx *c, const struct alert *alerts, size_t i,
    size_t n, struct err *err);

/* Notes that alert a's key has a row now (or may have one). */
int ingest_known_add(
    struct ingest_ctx *c, const struct alert *a, struct err *err);

/* Reads the alert columns every lookup selects, from column 0:
 * id, resolved, starts_at, ends_at, times_given, received_starts,
 * received_ends, severity, labels, annotations, generator_url,
 * severity_raw. */
#define INGEST_FOUND_COLS                                                      \
	"a.id, a.resolved, a.starts_at, a.ends_at, a.times_given,"             \
	" a.received_starts, a.received_ends, a.severity, a.labels,"           \
	" a.annotations, a.generator_url, a.severity_raw"
#define INGEST_FOUND_N 12

/* What the database knows of an alert: its newest row. */
struct ingest_found {
	int found;
	int64_t alert_id;
	int64_t incident;
	struct incident_times t; /* its status and times */
	int severity;
	int same; /* labels, annotations and the rest as the event says */
	enum incident_state state; /* of its incident */
};

/* Reads a lookup's row (INGEST_FOUND_COLS from column 0) into f, its
 * sameness judged against event a; f->incident and f->state are the
 * caller's. */
void ingest_found_read(
    struct store_stmt *st, const struct alert *a, struct ingest_found *f);

int ingest_find(struct ingest_ctx *c, const struct alert *a,
    struct ingest_found *f, struct err *err);

/* The alert's row in incident `in`, when it has one there besides its
 * newest: an alert that moved to another group (a routing change, or a
 * pull's group) and then fired again while its first group could
 * reopen. f->found is cleared when there is none. */
int ingest_find_in(struct ingest_ctx *c, const struct alert *a, int64_t in,
    struct ingest_found *f, struct err *err);

/* Appends the detail of a's alert.new entry to t (starts, ends: its
 * times as stored, 0 for none). */
int ingest_new_detail(const struct alert *a, int64_t starts, int64_t ends,
    struct buf *t, struct err *err);

int ingest_insert(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    struct err *err);

int ingest_update(struct ingest_ctx *c, const struct alert *a,
    const struct ingest_found *f, struct err *err);

/* Marks an incident as touched by this batch. Only the last entry is
 * checked (alerts of one group come together); ingest_touch_merge()
 * folds the repeats afterwards. A search of the whole list per alert was
 * quadratic: 75,000 alerts of distinct groups (1 MiB) spent 1.2 s in it. */
int ingest_touch(
    struct ingest_ctx *c, int64_t id, int changed, struct err *err);

/* Keeps the alert's times for its incident's (touched last) first
 * start and last end. */
void ingest_touch_times(struct ingest_ctx *c, int64_t starts, int64_t ends);

/* Folds the labels an alert is stored with (borrowed) into its
 * incident's entry (the last one), for incidents.label_keys. */
int ingest_touch_labels(
    struct ingest_ctx *c, const char *labels, struct err *err);

/* Frees what the touched entries own. */
void ingest_touch_free(struct ingest_ctx *c);

/* Folds what one alert did into its incident's entry (the last one:
 * ingest_touch has just put it there). */
void ingest_delta(struct ingest_ctx *c, int64_t dcount, int64_t dfiring,
    int sev, int lowered);

/* Sorts the touched incidents by id and keeps one entry for each. */
void ingest_touch_merge(struct ingest_ctx *c);

/* The newest incident of (source, group key): *id 0 when none. */
int ingest_group_find(struct ingest_ctx *c, const struct alert *a, int64_t *id,
    int *state, int64_t *resolved_at, struct err *err);

/* Chooses the incident of an alert by its group: the open one, the one
 * resolved less than INCIDENT_FLAP_US ago (reopened) when the alert
 * fires, else a new one. */
int ingest_group(struct ingest_ctx *c, const struct alert *a, int64_t *target,
    struct err *err);

/* Updates one touched incident from its deltas: counts, worst
 * severity, the sender's truncation, last delivery; then the
 * auto-resolve. */
int ingest_finish(
    struct ingest_ctx *c, const struct ingest_touch *t, struct err *err);

/* Orders touched incidents by id (qsort, bsearch). */
int ingest_touch_cmp(const void *a, const void *b);

/* incident_ingest_ahead.c: the keys of alerts [i, end) as a JSON array
 * of [source, fingerprint] (group: [source, group_key]); NULL when one
 * is missing or no UTF-8 (then each is looked up by itself). */
char *ingest_keys_json(
    const struct alert *alerts, size_t i, size_t end, int group);

/* incident_ingest_ahead.c (remote stores only; see there).
 * Reads the rows of alerts [i, i + chunk) and makes known the set of
 * keys the batch stored or updated. */
int ingest_ahead_alerts(struct ingest_ctx *c, const struct alert *alerts,
    size_t i, size_t n, struct err *err);

/* 1 with *f set when a's row was read ahead and is still what the
 * database has; 0: look it up. */
int ingest_ahead_find(
    const struct ingest_ctx *c, const struct alert *a, struct ingest_found *f);

/* a's group's newest incident, read ahead: 0 with *id (0: none), *state
 * and *resolved_at set; 1 when not read ahead (look it up); -1 with err
 * set. */
int ingest_ahead_group(struct ingest_ctx *c, const struct alert *a, int64_t *id,
    int *state, int64_t *resolved_at, struct err *err);

/* a's group decided: incident id, in state. */
int ingest_ahead_group_set(struct ingest_ctx *c, const struct alert *a,
    int64_t id, int state, struct err *err);

/* Reads the rows of the touched incidents that no kept row has. */
int ingest_ahead_finish(struct ingest_ctx *c, struct err *err);

/* 1 with *inc and *label_keys (borrowed; NULL: SQL NULL) set when t's
 * row was read ahead. */
int ingest_ahead_fin(const struct ingest_ctx *c, const struct ingest_touch *t,
    struct incident *inc, const char **label_keys);

void ingest_ahead_free(struct ingest_ctx *c);

#endif
