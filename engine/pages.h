/* pages.h: the pages owl sends, one row per person paged (table pages):
 * queued by escalation (escalation.c) or by hand (`owl page`), claimed
 * by the process that delivers them (integrations/pager.c), and each
 * attempt recorded with its result in the same transaction as its
 * action-log entry. A page moves along the person's channels: a failed
 * attempt is retried with backoff, after `attempts` failures the next
 * channel is tried, and when none is left the page is undeliverable:
 * never dropped silently.
 *
 * Action-log kinds: page.queued {page, to, via, level, origin, text},
 * page.sent and page.failed {page, to, channel, text, attempt, result,
 * error, retry_at | next_channel}, page.undeliverable {page, to, tried,
 * error}, page.cancelled {page, to, reason}; the same with
 * page.resolve.* for the resolve events sent to PagerDuty.
 *
 * Time is a parameter (us UTC): nothing here reads the clock. */
#ifndef OWL_PAGES_H
#define OWL_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "store.h"

#define PAGES_KIND_PAGE "page"
#define PAGES_KIND_RESOLVE "resolve" /* a PagerDuty resolve event */

struct pages_new {
	int64_t incident; /* 0: none */
	const char *kind; /* PAGES_KIND_* */
	const char *person;
	const char *via; /* the rotation; NULL: paged by name */
	int level; /* escalation level, 0-based; -1: none */
	const char *text;
	const char *origin; /* "escalation" or "manual" */
	const char *actor; /* NULL: store_actor() */
	const char *channel; /* a resolve's channel; NULL for a page */
};

/* Queues a page (in the open transaction or its own) and logs
 * page.queued; it is due at `now`. Sets *id when id is not NULL. */
int pages_queue(struct store *s, const struct pages_new *p, int64_t now,
    int64_t *id, struct err *err);

/* A page claimed for delivery (pages_claim). Strings are owned. */
struct pages_due {
	int64_t id;
	int64_t incident;
	char *kind;
	char *person;
	char *via;
	char *text;
	char *origin;
	char *channel; /* resolve: the fixed channel; page: NULL */
	int level;
	int chan_idx; /* which of the person's channels is next */
	int chan_attempt; /* attempts made on it so far */
	int attempts; /* attempts made in all */
	int64_t created_at;
	char claim[160]; /* who claimed it ("host:pid"): said as "node" in
	                    the entries of its attempt */
};

void pages_due_free(struct pages_due *v, size_t n);

/* Claims up to max pending pages due at now that nobody holds (or
 * only page `only` when it is not 0), for lease_us, marking them with
 * `claim` ("host:pid"). *out is the caller's (pages_due_free). */
int pages_claim(struct store *s, int64_t now, const char *claim,
    int64_t lease_us, size_t max, int64_t only, struct pages_due **out,
    size_t *n, struct err *err);

/* Releases the claims whose holder is on `host` and no longer runs (a
 * crashed owl): their pages are due again at once. Returns how many. */
int pages_unclaim_dead(
    struct store *s, const char *host, size_t *n, struct err *err);

/* How retries go: `attempts` per channel, waiting backoff_us, doubled
 * after each failure up to max_backoff_us, then the next channel. */
struct pages_retry {
	int attempts;
	int64_t backoff_us;
	int64_t max_backoff_us;
};

/* The outcome of one attempt on channel `channel` (the person's
 * chan_idx-th of nchan). error: the failure, already masked (NULL when
 * sent). */
struct pages_attempt {
	const char *channel;
	int nchan;
	const char *error;
	int status; /* the HTTP or SMTP status; 0: none */
};

/* Records an attempt of page d at now (d is updated to match): sent;
 * or failed and retried later on the same channel, or at once on the
 * next one; or undeliverable when none is left (also when nchan is 0).
 * One transaction with its action-log entries. *final is set to 1 when
 * the page is done (sent or undeliverable). */
int pages_record(struct store *s, struct pages_due *d,
    const struct pages_attempt *a, const struct pages_retry *r, int64_t now,
    int *final, struct err *err);

/* Cancels the pending escalation pages of an incident (acknowledged or
 * resolved meanwhile), logging page.cancelled with reason. */
int pages_cancel_incident(struct store *s, int64_t incident, const char *reason,
    int64_t now, struct err *err);

/* Queues a PagerDuty resolve for each person whose PagerDuty page for
 * the incident was sent and not yet resolved. Sets *n to the number. */
int pages_queue_resolves(
    struct store *s, int64_t incident, int64_t now, size_t *n, struct err *err);

/* The pages of an incident (0: every page created at or after since),
 * oldest first, as JSON: [{id, incident, kind, to, via, level, origin,
 * actor, state, channel, attempts, text, created_at, done_at, error}].
 * *out is a new reference. */
int pages_json(struct store *s, int64_t incident, int64_t since, json_t **out,
    struct err *err);

/* Counts for /metrics: pages sent by channel ({"slack": 3, ...}, a new
 * reference) and pages undeliverable. Resolves are not pages. */
int pages_counts(
    struct store *s, json_t **sent, int64_t *failed, struct err *err);

/* The undeliverable pages created at or after since whose incident is
 * not resolved (or that have none): how many, and the newest one's
 * person and incident, for the TUI's header. */
struct pages_alarm {
	int64_t count;
	char person[65];
	int64_t incident;
	int64_t at;
};
int pages_alarm(
    struct store *s, int64_t since, struct pages_alarm *a, struct err *err);

/* Where one page stands. */
struct pages_status {
	char state[16]; /* pending, sent, undeliverable, cancelled */
	char channel[16]; /* the last channel tried ("" none) */
	int attempts;
	int64_t next_try_at;
	char error[256]; /* the last failure ("" none) */
};

/* Reads page id's status; an unknown id: -1, ERR_FAILED. */
int pages_status(
    struct store *s, int64_t id, struct pages_status *st, struct err *err);

/* The sentence of a paging action-log entry (page.*, escalation.*,
 * paging.start, oncall.override*) for the timeline, appended to b:
 * "paged bob via slack: failed (attempt 2): slack: HTTP 500". Returns
 * 1 when kind is not one of them (nothing appended), else 0 or -1. */
int pages_text(
    const char *kind, const json_t *d, struct buf *b, struct err *err);

#endif
