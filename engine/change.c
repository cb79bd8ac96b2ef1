/* change.c: change events stored, logged and attached to incidents as
 * context (see change.h). */
#include "change.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actlog.h"
#include "engine/clock.h"
#include "engine/incident_int.h"

void
change_event_done(struct change_event *c)
{
	if (c == NULL)
		return;
	free(c->summary);
	free(c->source);
	free(c->details_json);
	free(c->links_json);
	memset(c, 0, sizeof *c);
}

/* The detail of a change's log entries. */
static json_t *
change_detail(int64_t id, int64_t at, const char *summary, const char *source,
    const char *details, const char *links, int before)
{
	json_t *d = json_loads(details ? details : "{}", 0, NULL);
	json_t *l = json_loads(links ? links : "[]", 0, NULL);
	json_t *o;

	o = json_pack("{s:I, s:o, s:s, s:o, s:o, s:o}", "change",
	    (json_int_t)id, "at", incident_jtime(at), "summary", summary,
	    "source", incident_jstr(source), "custom_details",
	    d ? d : json_object(), "links", l ? l : json_array());
	if (o != NULL && before >= 0)
		json_object_set_new(o, "before", json_boolean(before));
	return o;
}

/* incident.change on each incident open at time at, or that started
 * within CHANGE_LOOKBACK_US after it. */
static int
change_fanout(struct store *s, int64_t id, const struct change_event *c,
    int64_t at, const char *actor, size_t *attached, struct err *err)
{
	static const char sql[] =
	    "SELECT id, coalesce(started_at, opened_at) FROM incidents"
	    " WHERE state <> 2 AND coalesce(started_at, opened_at) <= ?"
	    " ORDER BY id DESC LIMIT " INCIDENT_STR(CHANGE_FANOUT_MAX);
	struct {
		int64_t id, start;
	} *rows = NULL, *p;
	size_t n = 0, cap = 0;
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, at + CHANGE_LOOKBACK_US);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((p = realloc(rows, cap * sizeof *p)) == NULL)
				break;
			rows = p;
		}
		rows[n].id = store_col_int64(st, 0);
		rows[n++].start = store_col_int64(st, 1);
	}
	store_reset(st);
	if (rc != STORE_DONE) {
		free(rows);
		return rc == STORE_ROW
		    ? err_set(err, ERR_FAILED, "out of memory")
		    : store_sqlerr(s, err, "incidents");
	}
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = incident_log(s, rows[i].id, actor, "incident.change",
		    change_detail(id, at, c->summary, c->source,
		        c->details_json, c->links_json, rows[i].start > at),
		    err);
	free(rows);
	*attached = n;
	return rc;
}

int
change_store(struct store *s, const struct change_event *c, const char *actor,
    int64_t *id, size_t *attached, struct err *err)
{
	static const char sql[] =
	    "INSERT INTO changes(at_us, received_at, source,"
	    " summary, details, links) VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
	int64_t now = clock_now_us(), at = c->at != 0 ? c->at : now;
	struct actlog_new e = { .actor = actor, .kind = "change" };
	struct store_stmt *st;
	json_t *d;

	*id = 0;
	*attached = 0;
	if (store_begin(s, err) == -1)
		return -1;
	if ((st = store_stmt(s, sql, err)) == NULL)
		goto fail;
	store_bind_int64(st, 1, at);
	store_bind_int64(st, 2, now);
	if (c->source != NULL)
		store_bind_text(st, 3, c->source, -1, STORE_STATIC);
	store_bind_text(st, 4, c->summary, -1, STORE_STATIC);
	store_bind_text(st, 5, c->details_json, -1, STORE_STATIC);
	store_bind_text(st, 6, c->links_json, -1, STORE_STATIC);
	if (store_step_id(s, st, "store change", id, err) == -1)
		goto fail;
	d = change_detail(
	    *id, at, c->summary, c->source, c->details_json, c->links_json, -1);
	if (actlog_append_json(
	        s, &e, d, JSON_COMPACT | JSON_SORT_KEYS, NULL, err) == -1)
		goto fail;
	if (change_fanout(s, *id, c, at, actor, attached, err) == -1)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

int
change_attach_recent(struct store *s, int64_t incident, int64_t started,
    const char *actor, struct err *err)
{
	struct change_row *rows = NULL;
	size_t n = 0;
	int rc = 0;

	if (change_list(s, started - CHANGE_LOOKBACK_US, started, 50, &rows, &n,
	        err) == -1)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = incident_log(s, incident, actor, "incident.change",
		    change_detail(rows[i].id, rows[i].at, rows[i].summary,
		        rows[i].source, rows[i].details_json,
		        rows[i].links_json, 1),
		    err);
	change_list_free(rows, n);
	return rc;
}

void
change_list_free(struct change_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].summary);
		free(rows[i].source);
		free(rows[i].details_json);
		free(rows[i].links_json);
	}
	free(rows);
}

static char *
change_col(struct store_stmt *st, int col, int *oom)
{
	const char *v = (const char *)store_col_text(st, col);
	char *d;

	if (v == NULL)
		return NULL;
	if ((d = strdup(v)) == NULL)
		*oom = 1;
	return d;
}

int
change_list(struct store *s, int64_t from, int64_t to, size_t max,
    struct change_row **out, size_t *n, struct err *err)
{
	static const char sql[] =
	    "SELECT id, at_us, received_at, summary,"
	    " source, details, links FROM changes"
	    " WHERE at_us BETWEEN ? AND ? ORDER BY at_us, id LIMIT ?";
	struct change_row *rows = NULL, *p;
	struct store_stmt *st;
	int rc, oom = 0;

	*out = NULL;
	*n = 0;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, from);
	store_bind_int64(st, 2, to);
	store_bind_int64(st, 3, (int64_t)max);
	while ((rc = store_step(st)) == STORE_ROW) {
		if ((p = realloc(rows, (*n + 1) * sizeof *p)) == NULL) {
			oom = 1;
			break;
		}
		rows = p;
		p = &rows[(*n)++];
		p->id = store_col_int64(st, 0);
		p->at = store_col_int64(st, 1);
		p->received_at = store_col_int64(st, 2);
		p->summary = change_col(st, 3, &oom);
		p->source = change_col(st, 4, &oom);
		p->details_json = change_col(st, 5, &oom);
		p->links_json = change_col(st, 6, &oom);
	}
	store_reset(st);
	if (oom || (rc != STORE_ROW && rc != STORE_DONE)) {
		change_list_free(rows, *n);
		*n = 0;
		return oom ? err_set(err, ERR_FAILED, "out of memory")
		           : store_sqlerr(s, err, "changes");
	}
	*out = rows;
	return 0;
}

int
change_context(struct store *s, const struct incident *inc,
    struct change_row **out, size_t *n, struct err *err)
{
	int64_t start = inc->started_at ? inc->started_at : inc->opened_at;
	int64_t to = inc->state != INCIDENT_RESOLVED ? clock_now_us()
	    : inc->ended_at > inc->resolved_at       ? inc->ended_at
	                                             : inc->resolved_at;

	return change_list(s, start - CHANGE_LOOKBACK_US,
	    to > start ? to : start, 50, out, n, err);
}

json_t *
change_row_to_json(const struct change_row *r)
{
	json_t *d =
	    json_loads(r->details_json ? r->details_json : "{}", 0, NULL);
	json_t *l = json_loads(r->links_json ? r->links_json : "[]", 0, NULL);

	return json_pack("{s:I, s:o, s:o, s:s?, s:o, s:o, s:o}", "id",
	    (json_int_t)r->id, "at", incident_jtime(r->at), "received_at",
	    incident_jtime(r->received_at), "summary", r->summary, "source",
	    incident_jstr(r->source), "custom_details", d ? d : json_object(),
	    "links", l ? l : json_array());
}
