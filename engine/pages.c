/* pages.c: the pages table: queueing, claiming, recording attempts
 * with their action-log entries, cancelling, and the reads the TUI,
 * /metrics and the hand-off report need (see pages.h). */
#include "pages.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actlog.h"
#include "clock.h"

/* Appends an action-log entry for a page; takes detail. */
static int
pages_log(struct store *s, int64_t incident, const char *actor,
    const char *kind, const char *what, json_t *detail, struct err *err)
{
	struct actlog_new e = { .actor = actor, .incident = incident };
	char k[48];

	snprintf(k, sizeof k, "page.%s%s",
	    strcmp(kind, PAGES_KIND_RESOLVE) == 0 ? "resolve." : "", what);
	e.kind = k;
	return actlog_append_json(s, &e, detail, JSON_COMPACT, NULL, err);
}

static json_t *
pages_time(int64_t us)
{
	char at[CLOCK_RFC3339_MAX];

	if (us == 0)
		return json_null();
	clock_format(us, 0, at);
	return json_string(at);
}

int
pages_queue(struct store *s, const struct pages_new *p, int64_t now,
    int64_t *id, struct err *err)
{
	static const char sql[] =
	    "INSERT INTO pages(incident_id, kind, person, via, level, text,"
	    " origin, actor, state, channel, next_try_at, created_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id";
	const char *actor = p->actor ? p->actor : store_actor(s);
	struct store_stmt *st;
	int64_t pid;

	if (store_begin(s, err) == -1)
		return -1;
	if ((st = store_stmt(s, sql, err)) == NULL)
		goto fail;
	if (p->incident > 0)
		store_bind_int64(st, 1, p->incident);
	store_bind_text(st, 2, p->kind, -1, STORE_STATIC);
	store_bind_text(st, 3, p->person, -1, STORE_STATIC);
	if (p->via != NULL)
		store_bind_text(st, 4, p->via, -1, STORE_STATIC);
	if (p->level >= 0)
		store_bind_int(st, 5, p->level);
	store_bind_text(st, 6, p->text, -1, STORE_STATIC);
	store_bind_text(st, 7, p->origin, -1, STORE_STATIC);
	store_bind_text(st, 8, actor, -1, STORE_STATIC);
	if (p->channel != NULL)
		store_bind_text(st, 9, p->channel, -1, STORE_STATIC);
	store_bind_int64(st, 10, now);
	store_bind_int64(st, 11, now);
	if (store_step_id(s, st, "queue page", &pid, err) == -1)
		goto fail;
	if (pages_log(s, p->incident, actor, p->kind, "queued",
	        json_pack("{s:I, s:s, s:s?, s:o, s:s, s:s}", "page",
	            (json_int_t)pid, "to", p->person, "via", p->via, "level",
	            p->level >= 0 ? json_integer(p->level + 1) : json_null(),
	            "origin", p->origin, "text", p->text),
	        err) == -1)
		goto fail;
	if (id != NULL)
		*id = pid;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

static char *
pages_col(struct store_stmt *st, int i)
{
	const unsigned char *t = store_col_text(st, i);

	return t != NULL ? strdup((const char *)t) : NULL;
}

void
pages_due_free(struct pages_due *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].kind);
		free(v[i].person);
		free(v[i].via);
		free(v[i].text);
		free(v[i].origin);
		free(v[i].channel);
	}
	free(v);
}

static int
pages_read_due(struct store_stmt *st, struct pages_due *d)
{
	memset(d, 0, sizeof *d);
	d->id = store_col_int64(st, 0);
	d->incident = store_col_int64(st, 1);
	d->kind = pages_col(st, 2);
	d->person = pages_col(st, 3);
	d->via = pages_col(st, 4);
	d->level = store_col_null(st, 5) ? -1 : store_col_int(st, 5);
	d->text = pages_col(st, 6);
	d->origin = pages_col(st, 7);
	d->channel = pages_col(st, 8);
	d->chan_idx = store_col_int(st, 9);
	d->chan_attempt = store_col_int(st, 10);
	d->attempts = store_col_int(st, 11);
	d->created_at = store_col_int64(st, 12);
	return d->kind && d->person && d->text && d->origin ? 0 : -1;
}

#define PAGES_COLS                                                             \
	"id, coalesce(incident_id, 0), kind, person, via, level, text,"        \
	" origin, channel, chan_idx, chan_attempt, attempts, created_at"

/* Reads the ids the claim statement chose, then marks them claimed. */
static int
pages_claim_rows(struct store *s, struct store_stmt *sel, const char *claim,
    int64_t until, size_t max, struct pages_due **out, size_t *n,
    struct err *err)
{
	static const char upd[] =
	    "UPDATE pages SET claim = ?, claimed_until = ? WHERE id = ?";
	struct pages_due *v;
	struct store_stmt *st;
	int rc;

	if ((v = calloc(max + 1, sizeof *v)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	while (*n < max && (rc = store_step(sel)) == STORE_ROW)
		if (pages_read_due(sel, &v[(*n)++]) == -1) {
			rc = STORE_NOMEM;
			break;
		}
	store_reset(sel);
	if (*n < max && rc != STORE_DONE) {
		pages_due_free(v, *n);
		*n = 0;
		return store_sqlerr(s, err, "claim pages");
	}
	for (size_t i = 0; i < *n; i++) {
		snprintf(v[i].claim, sizeof v[i].claim, "%s", claim);
		if ((st = store_stmt(s, upd, err)) == NULL)
			goto fail;
		store_bind_text(st, 1, claim, -1, STORE_STATIC);
		store_bind_int64(st, 2, until);
		store_bind_int64(st, 3, v[i].id);
		if (store_step_done(s, st, "claim page", err) == -1)
			goto fail;
	}
	*out = v;
	return 0;
fail:
	pages_due_free(v, *n);
	*n = 0;
	return -1;
}

int
pages_claim(struct store *s, int64_t now, const char *claim, int64_t lease_us,
    size_t max, int64_t only, struct pages_due **out, size_t *n,
    struct err *err)
{
	static const char any[] =
	    "SELECT " PAGES_COLS " FROM pages WHERE state = 'pending'"
	    " AND next_try_at <= ?1 AND (claimed_until IS NULL OR"
	    " claimed_until <= ?1) ORDER BY next_try_at, id";
	static const char one[] =
	    "SELECT " PAGES_COLS " FROM pages WHERE id = ?2 AND"
	    " state = 'pending' AND next_try_at <= ?1 AND (claimed_until IS"
	    " NULL OR claimed_until <= ?1)";
	struct store_stmt *st;

	*out = NULL;
	*n = 0;
	if (store_begin(s, err) == -1)
		return -1;
	if ((st = store_stmt(s, only ? one : any, err)) == NULL)
		goto fail;
	store_bind_int64(st, 1, now);
	if (only)
		store_bind_int64(st, 2, only);
	if (pages_claim_rows(s, st, claim, now + lease_us, max, out, n, err) ==
	    -1)
		goto fail;
	if (store_commit(s, err) == -1) {
		pages_due_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
fail:
	store_rollback(s);
	return -1;
}

/* Whether process pid of this host is gone. */
static int
pages_pid_dead(long pid)
{
	return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) == -1 &&
	    errno == ESRCH;
}

int
pages_unclaim_dead(
    struct store *s, const char *host, size_t *n, struct err *err)
{
	static const char sel[] =
	    "SELECT DISTINCT claim FROM pages WHERE state = 'pending' AND"
	    " claim IS NOT NULL";
	static const char upd[] =
	    "UPDATE pages SET claim = NULL, claimed_until = NULL"
	    " WHERE state = 'pending' AND claim = ?";
	char dead[16][160];
	size_t nd = 0, hl = strlen(host);
	struct store_stmt *st;
	int rc;

	*n = 0;
	if (store_begin(s, err) == -1)
		return -1;
	if ((st = store_stmt(s, sel, err)) == NULL)
		goto fail;
	while (nd < 16 && (rc = store_step(st)) == STORE_ROW) {
		const char *c = (const char *)store_col_text(st, 0);

		if (c != NULL && strncmp(c, host, hl) == 0 && c[hl] == ':' &&
		    strlen(c) < sizeof dead[0] &&
		    pages_pid_dead(strtol(c + hl + 1, NULL, 10)))
			snprintf(dead[nd++], sizeof dead[0], "%s", c);
	}
	store_reset(st);
	for (size_t i = 0; i < nd; i++) {
		if ((st = store_stmt(s, upd, err)) == NULL)
			goto fail;
		store_bind_text(st, 1, dead[i], -1, STORE_STATIC);
		if (store_step_done(s, st, "release claims", err) == -1)
			goto fail;
		*n += (size_t)store_changes(s);
	}
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

static int64_t
pages_backoff(const struct pages_retry *r, int failures)
{
	int64_t b = r->backoff_us > 0 ? r->backoff_us : CLOCK_US_PER_SEC;

	for (int i = 1; i < failures && b < r->max_backoff_us; i++)
		b *= 2;
	return r->max_backoff_us > 0 && b > r->max_backoff_us
	    ? r->max_backoff_us
	    : b;
}

/* The row's state now: a page cancelled while it was being sent. */
static int
pages_state(struct store *s, int64_t id, char *state, struct err *err)
{
	static const char sql[] = "SELECT state FROM pages WHERE id = ?";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	rc = store_step(st);
	snprintf(state, 16, "%s",
	    rc == STORE_ROW && store_col_text(st, 0)
	        ? (const char *)store_col_text(st, 0)
	        : "");
	store_reset(st);
	return rc == STORE_ROW ? 0 : store_sqlerr(s, err, "read page");
}

static int
pages_update(struct store *s, const struct pages_due *d, const char *state,
    const char *channel, int64_t next, int64_t done, const char *error,
    struct err *err)
{
	static const char sql[] =
	    "UPDATE pages SET state = ?, channel = ?, chan_idx = ?,"
	    " chan_attempt = ?, attempts = ?, next_try_at = ?, done_at = ?,"
	    " error = ?, claim = NULL, claimed_until = NULL WHERE id = ?";
	struct store_stmt *st;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, state, -1, STORE_STATIC);
	if (channel != NULL)
		store_bind_text(st, 2, channel, -1, STORE_STATIC);
	store_bind_int(st, 3, d->chan_idx);
	store_bind_int(st, 4, d->chan_attempt);
	store_bind_int(st, 5, d->attempts);
	store_bind_int64(st, 6, next);
	if (done != 0)
		store_bind_int64(st, 7, done);
	if (error != NULL)
		store_bind_text(st, 8, error, -1, STORE_STATIC);
	store_bind_int64(st, 9, d->id);
	return store_step_done(s, st, "record page", err);
}

/* The detail of an attempt's entry. */
static json_t *
pages_attempt_json(const struct pages_due *d, const struct pages_attempt *a,
    const char *result)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:s, s:s?, s:o}",
	    "page", (json_int_t)d->id, "to", d->person, "channel", a->channel,
	    "text", d->text, "attempt", d->attempts, "channel_attempt",
	    d->chan_attempt, "result", result, "error", a->error, "status",
	    a->status ? json_integer(a->status) : json_null());

	/* which owl (of several nodes, or owl page) sent it */
	if (j != NULL && d->claim[0] != '\0')
		json_object_set_new(j, "node", json_string(d->claim));
	return j;
}

/* A failed attempt: retry on this channel, move to the next, or give
 * up. Logs page.failed and, when nothing is left, page.undeliverable. */
static int
pages_record_failure(struct store *s, struct pages_due *d,
    const struct pages_attempt *a, const struct pages_retry *r, int64_t now,
    int cancelled, int *final, struct err *err)
{
	int attempts = r->attempts > 0 ? r->attempts : 1;
	json_t *j = pages_attempt_json(d, a, "failed");
	int64_t next = now;

	if (cancelled) {
		*final = 1;
		return pages_update(s, d, "cancelled", a->channel, now, now,
		           a->error, err) == -1 ||
		        pages_log(s, d->incident, "owl", d->kind, "failed", j,
		            err) == -1
		    ? -1
		    : 0;
	}
	if (d->chan_attempt < attempts) {
		next = now + pages_backoff(r, d->chan_attempt);
		json_object_set_new(j, "retry_at", pages_time(next));
	} else if (d->chan_idx + 1 < a->nchan) {
		d->chan_idx++;
		d->chan_attempt = 0;
		json_object_set_new(j, "next", json_string("next channel"));
	} else {
		*final = 1;
	}
	if (pages_update(s, d, *final ? "undeliverable" : "pending", a->channel,
	        next, *final ? now : 0, a->error, err) == -1 ||
	    pages_log(s, d->incident, "owl", d->kind, "failed", j, err) == -1)
		return -1;
	if (!*final)
		return 0;
	return pages_log(s, d->incident, "owl", d->kind, "undeliverable",
	    json_pack("{s:I, s:s, s:s, s:i, s:s?}", "page", (json_int_t)d->id,
	        "to", d->person, "text", d->text, "attempts", d->attempts,
	        "error", a->error),
	    err);
}

int
pages_record(struct store *s, struct pages_due *d,
    const struct pages_attempt *a, const struct pages_retry *r, int64_t now,
    int *final, struct err *err)
{
	char state[16];

	*final = 0;
	if (store_begin(s, err) == -1)
		return -1;
	if (pages_state(s, d->id, state, err) == -1)
		goto fail;
	if (a->nchan == 0 || a->channel == NULL) {
		/* nothing to try: undeliverable without an attempt */
		*final = 1;
		if (pages_update(s, d, "undeliverable", NULL, now, now,
		        a->error, err) == -1 ||
		    pages_log(s, d->incident, "owl", d->kind, "undeliverable",
		        json_pack("{s:I, s:s, s:s, s:i, s:s?}", "page",
		            (json_int_t)d->id, "to", d->person, "text", d->text,
		            "attempts", 0, "error", a->error),
		        err) == -1)
			goto fail;
		return store_commit(s, err);
	}
	d->attempts++;
	d->chan_attempt++;
	if (a->error == NULL) {
		*final = 1;
		if (pages_update(
		        s, d, "sent", a->channel, now, now, NULL, err) == -1 ||
		    pages_log(s, d->incident, "owl", d->kind, "sent",
		        pages_attempt_json(d, a, "sent"), err) == -1)
			goto fail;
	} else if (pages_record_failure(s, d, a, r, now,
	               strcmp(state, "cancelled") == 0, final, err) == -1) {
		goto fail;
	}
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

int
pages_cancel_incident(struct store *s, int64_t incident, const char *reason,
    int64_t now, struct err *err)
{
	static const char sel[] =
	    "SELECT id, person FROM pages WHERE incident_id = ? AND"
	    " state = 'pending' AND kind = 'page' AND origin = 'escalation'";
	static const char upd[] =
	    "UPDATE pages SET state = 'cancelled', done_at = ? WHERE id = ?";
	json_t *ids = json_array();
	struct store_stmt *st;
	size_t i;
	json_t *v;
	int rc;

	if (ids == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (store_begin(s, err) == -1 || (st = store_stmt(s, sel, err)) == NULL)
		goto fail;
	store_bind_int64(st, 1, incident);
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(ids,
		    json_pack("[I, s]", (json_int_t)store_col_int64(st, 0),
		        (const char *)store_col_text(st, 1)));
	store_reset(st);
	json_array_foreach(ids, i, v)
	{
		json_int_t id = json_integer_value(json_array_get(v, 0));

		if ((st = store_stmt(s, upd, err)) == NULL)
			goto fail;
		store_bind_int64(st, 1, now);
		store_bind_int64(st, 2, id);
		if (store_step_done(s, st, "cancel page", err) == -1 ||
		    pages_log(s, incident, "owl", PAGES_KIND_PAGE, "cancelled",
		        json_pack("{s:I, s:O, s:s}", "page", id, "to",
		            json_array_get(v, 1), "reason", reason),
		        err) == -1)
			goto fail;
	}
	json_decref(ids);
	return store_commit(s, err);
fail:
	json_decref(ids);
	store_rollback(s);
	return -1;
}

int
pages_queue_resolves(
    struct store *s, int64_t incident, int64_t now, size_t *n, struct err *err)
{
	static const char sel[] =
	    "SELECT DISTINCT person FROM pages WHERE incident_id = ? AND"
	    " kind = 'page' AND state = 'sent' AND channel = 'pagerduty'"
	    " AND closed = 0 ORDER BY person";
	static const char upd[] =
	    "UPDATE pages SET closed = 1 WHERE incident_id = ? AND"
	    " kind = 'page' AND channel = 'pagerduty' AND closed = 0";
	json_t *people = json_array();
	char text[96];
	struct store_stmt *st;
	size_t i;
	json_t *v;

	*n = 0;
	if (people == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (store_begin(s, err) == -1 || (st = store_stmt(s, sel, err)) == NULL)
		goto fail;
	store_bind_int64(st, 1, incident);
	while (store_step(st) == STORE_ROW)
		json_array_append_new(
		    people, json_string((const char *)store_col_text(st, 0)));
	store_reset(st);
	snprintf(text, sizeof text, "INC-%lld resolved", (long long)incident);
	json_array_foreach(people, i, v)
	{
		struct pages_new p = { incident, PAGES_KIND_RESOLVE,
			json_string_value(v), NULL, -1, text, "escalation",
			"owl", "pagerduty" };

		if (pages_queue(s, &p, now, NULL, err) == -1)
			goto fail;
		(*n)++;
	}
	if ((st = store_stmt(s, upd, err)) == NULL)
		goto fail;
	store_bind_int64(st, 1, incident);
	if (store_step_done(s, st, "close pages", err) == -1)
		goto fail;
	json_decref(people);
	return store_commit(s, err);
fail:
	json_decref(people);
	store_rollback(s);
	return -1;
}
