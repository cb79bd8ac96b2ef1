/* pages_read.c: what is read back from the pages table (the pages of
 * an incident or of a time span, the /metrics counts, the TUI's alarm)
 * (see pages.h). */
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

static json_t *
pages_read_time(struct store_stmt *st, int i)
{
	char at[CLOCK_RFC3339_MAX];

	if (store_col_null(st, i))
		return json_null();
	clock_format(store_col_int64(st, i), 0, at);
	return json_string(at);
}

static json_t *
pages_read_text(struct store_stmt *st, int i)
{
	const unsigned char *t = store_col_text(st, i);

	return t != NULL ? json_string((const char *)t) : json_null();
}

static json_t *
pages_read_row(struct store_stmt *st)
{
	json_t *level = store_col_null(st, 5)
	    ? json_null()
	    : json_integer(store_col_int(st, 5) + 1);

	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
	                 " s:i, s:o, s:o, s:o, s:o}",
	    "id", (json_int_t)store_col_int64(st, 0), "incident",
	    store_col_null(st, 1) ? json_null()
	                          : json_integer(store_col_int64(st, 1)),
	    "kind", pages_read_text(st, 2), "to", pages_read_text(st, 3), "via",
	    pages_read_text(st, 4), "level", level, "origin",
	    pages_read_text(st, 6), "actor", pages_read_text(st, 7), "state",
	    pages_read_text(st, 8), "channel", pages_read_text(st, 9),
	    "attempts", store_col_int(st, 10), "text", pages_read_text(st, 11),
	    "created_at", pages_read_time(st, 12), "done_at",
	    pages_read_time(st, 13), "error", pages_read_text(st, 14));
}

#define PAGES_READ_COLS                                                        \
	"id, incident_id, kind, person, via, level, origin, actor, state,"     \
	" channel, attempts, text, created_at, done_at, error"

int
pages_json(struct store *s, int64_t incident, int64_t since, json_t **out,
    struct err *err)
{
	static const char by_inc[] =
	    "SELECT " PAGES_READ_COLS " FROM pages WHERE incident_id = ?"
	    " ORDER BY id";
	static const char by_time[] =
	    "SELECT " PAGES_READ_COLS " FROM pages WHERE created_at >= ?"
	    " ORDER BY id";
	struct store_stmt *st;
	json_t *a, *row;
	int rc;

	if ((a = json_array()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if ((st = store_stmt(s, incident ? by_inc : by_time, err)) == NULL) {
		json_decref(a);
		return -1;
	}
	store_bind_int64(st, 1, incident ? incident : since);
	while ((rc = store_step(st)) == STORE_ROW)
		if ((row = pages_read_row(st)) == NULL ||
		    json_array_append_new(a, row) == -1) {
			rc = STORE_NOMEM;
			break;
		}
	store_reset(st);
	if (rc != STORE_DONE) {
		json_decref(a);
		return rc == STORE_NOMEM
		    ? err_set(err, ERR_FAILED, "out of memory")
		    : store_sqlerr(s, err, "list pages");
	}
	*out = a;
	return 0;
}

int
pages_counts(struct store *s, json_t **sent, int64_t *failed, struct err *err)
{
	static const char by_chan[] =
	    "SELECT channel, count(*) FROM pages WHERE state = 'sent' AND"
	    " kind = 'page' GROUP BY channel ORDER BY channel";
	static const char undeliv[] =
	    "SELECT count(*) FROM pages WHERE state = 'undeliverable' AND"
	    " kind = 'page'";
	struct store_stmt *st;
	int rc;

	if ((*sent = json_object()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if ((st = store_stmt(s, by_chan, err)) == NULL)
		goto fail;
	while ((rc = store_step(st)) == STORE_ROW)
		if (store_col_text(st, 0) != NULL)
			json_object_set_new(*sent,
			    (const char *)store_col_text(st, 0),
			    json_integer(store_col_int64(st, 1)));
	store_reset(st);
	if (rc != STORE_DONE || (st = store_stmt(s, undeliv, err)) == NULL)
		goto sqlfail;
	rc = store_step(st);
	*failed = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	if (rc != STORE_ROW)
		goto sqlfail;
	return 0;
sqlfail:
	store_sqlerr(s, err, "count pages");
fail:
	json_decref(*sent);
	*sent = NULL;
	return -1;
}

int
pages_alarm(
    struct store *s, int64_t since, struct pages_alarm *a, struct err *err)
{
	static const char sql[] =
	    "SELECT p.person, coalesce(p.incident_id, 0), p.done_at"
	    " FROM pages p LEFT JOIN incidents i ON i.id = p.incident_id"
	    " WHERE p.state = 'undeliverable' AND p.kind = 'page' AND"
	    " p.done_at >= ? AND (i.id IS NULL OR i.state != 2)"
	    " ORDER BY p.done_at DESC";
	struct store_stmt *st;
	int rc;

	memset(a, 0, sizeof *a);
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, since);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (a->count++ > 0)
			continue;
		snprintf(a->person, sizeof a->person, "%s",
		    (const char *)store_col_text(st, 0));
		a->incident = store_col_int64(st, 1);
		a->at = store_col_int64(st, 2);
	}
	store_reset(st);
	return rc == STORE_DONE ? 0 : store_sqlerr(s, err, "undelivered pages");
}

int
pages_status(
    struct store *s, int64_t id, struct pages_status *ps, struct err *err)
{
	static const char sql[] =
	    "SELECT state, coalesce(channel, ''), attempts, next_try_at,"
	    " coalesce(error, '') FROM pages WHERE id = ?";
	struct store_stmt *st;
	int rc;

	memset(ps, 0, sizeof *ps);
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	if ((rc = store_step(st)) == STORE_ROW) {
		snprintf(ps->state, sizeof ps->state, "%s",
		    (const char *)store_col_text(st, 0));
		snprintf(ps->channel, sizeof ps->channel, "%s",
		    (const char *)store_col_text(st, 1));
		ps->attempts = store_col_int(st, 2);
		ps->next_try_at = store_col_int64(st, 3);
		snprintf(ps->error, sizeof ps->error, "%s",
		    (const char *)store_col_text(st, 4));
	}
	store_reset(st);
	if (rc == STORE_DONE)
		return err_set(err, ERR_FAILED, "no page %lld", (long long)id);
	return rc == STORE_ROW ? 0 : store_sqlerr(s, err, "read page");
}
