/* timeline.c: the postmortem timeline built from an incident's action-log
 * entries: one human line per entry, the incident's key times, and the
 * escaping of the export formats. Pure over the entries but for
 * timeline_load. */
#include "timeline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "actlog_text.h"
#include "clock.h"

void
timeline_init(struct timeline *t, int64_t incident)
{
	memset(t, 0, sizeof *t);
	t->head.incident = incident;
}

void
timeline_free(struct timeline *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->ev[i].actor);
		free(t->ev[i].kind);
		free(t->ev[i].text);
	}
	free(t->ev);
	json_decref(t->details);
	free(t->head.title);
	free(t->head.severity);
	free(t->head.state);
	free(t->head.source);
	free(t->head.acked_by);
	free(t->head.mitigated_by);
	memset(t, 0, sizeof *t);
}

int
timeline_add(struct timeline *t, const struct actlog_entry *e, struct err *err)
{
	struct timeline_event *ev;
	json_t *d;

	if (t->n >= TIMELINE_MAX_EVENTS)
		return err_set(err, ERR_FAILED,
		    "INC-%" PRId64 ": more than %d log entries",
		    t->head.incident, TIMELINE_MAX_EVENTS);
	if (t->details == NULL && (t->details = json_array()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		ev = realloc(t->ev, cap * sizeof *ev);
		if (ev == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		t->ev = ev;
		t->cap = cap;
	}
	ev = &t->ev[t->n];
	memset(ev, 0, sizeof *ev);
	ev->entry = e->id;
	ev->at_us = e->at_us;
	ev->run = e->run;
	ev->actor = strdup(e->actor ? e->actor : "");
	ev->kind = strdup(e->kind ? e->kind : "");
	snprintf(ev->hash, sizeof ev->hash, "%s", e->hash ? e->hash : "");
	d = json_loads(e->detail ? e->detail : "{}", JSON_DECODE_ANY, NULL);
	if (d == NULL || !json_is_object(d)) {
		json_decref(d);
		d = json_object(); /* an unparsable detail tells nothing */
	}
	if (ev->actor == NULL || ev->kind == NULL || d == NULL ||
	    json_array_append_new(t->details, d) == -1) {
		free(ev->actor);
		free(ev->kind);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	t->n++;
	return 0;
}

/* The string at o.k, or NULL. */
static const char *
tl_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The string at o.a.b, or NULL. */
static const char *
tl_str2(const json_t *o, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(o, a), b));
}

static void
tl_set(char **dst, const char *s)
{
	char *c;

	if (s == NULL || (c = strdup(s)) == NULL)
		return;
	free(*dst);
	*dst = c;
}

/* Updates the header with one event. */
static void
tl_head(
    struct timeline_head *h, const struct timeline_event *ev, const json_t *d)
{
	const char *k = ev->kind, *st = tl_str2(d, "after", "state");
	int64_t us;

	if (h->first_id == 0)
		h->first_id = ev->entry;
	h->last_id = ev->entry;
	h->last_us = ev->at_us;

	if (strcmp(k, "incident.open") == 0) {
		h->opened_us = ev->at_us;
		tl_set(&h->title, tl_str(d, "title"));
		tl_set(&h->severity, tl_str(d, "severity"));
		tl_set(&h->source, tl_str(d, "source"));
		st = tl_str(d, "state");
	}
	if (strcmp(k, "incident.update") == 0)
		tl_set(&h->severity, tl_str2(d, "after", "severity"));
	if (strcmp(k, "alert.new") == 0 && tl_str(d, "starts_at") &&
	    clock_parse(tl_str(d, "starts_at"), &us, NULL) == 0 &&
	    (h->started_us == 0 || us < h->started_us))
		h->started_us = us;
	if (strcmp(k, "incident.ack") == 0 && h->acked_us == 0)
		h->acked_us = ev->at_us;
	if (strcmp(k, "incident.resolve") == 0) {
		h->resolved_us = ev->at_us;
		h->resolved_auto = json_is_true(json_object_get(d, "auto"));
		/* the alerts' own end: an alert that ended 14 s after it
		 * started, received a week late, took 14 s to resolve */
		h->ended_us = 0;
		if (tl_str(d, "ended_at") != NULL &&
		    clock_parse(tl_str(d, "ended_at"), &us, NULL) == 0)
			h->ended_us = us;
	}
	if (strncmp(k, "incident.", 9) == 0 && st != NULL) {
		tl_set(&h->state, st);
		if (strcmp(st, "resolved") != 0)
			h->resolved_us = h->ended_us = 0;
	}
}

/* Sets ev->text (malloc'd) to the sentence of entry e (actlog_text.h);
 * b is scratch. */
static int
tl_line(struct actlog_text *at, struct timeline_event *ev,
    const struct actlog_entry *e, const json_t *d, struct buf *b,
    struct err *err)
{
	buf_reset(b);
	if (actlog_text_line(at, e, d, b, err) == -1)
		return -1;
	free(ev->text);
	if ((ev->text = strdup(buf_str(b))) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

/* The entry an event was copied from (its detail parsed apart). */
static void
tl_entry_of(const struct timeline *t, const struct timeline_event *ev,
    struct actlog_entry *e)
{
	memset(e, 0, sizeof *e);
	e->id = ev->entry;
	e->at_us = ev->at_us;
	e->actor = ev->actor;
	e->incident = t->head.incident;
	e->run = ev->run;
	e->kind = ev->kind;
	e->hash = ev->hash;
}

int
timeline_finish(struct timeline *t, struct err *err)
{
	struct actlog_text *at = actlog_text_new();
	struct actlog_entry e;
	struct buf b;
	int rc = -1;

	buf_init(&b, TIMELINE_TEXT_MAX + 1);
	if (at == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		tl_entry_of(t, &t->ev[i], &e);
		if (actlog_text_learn(at, &e, json_array_get(t->details, i)) ==
		    -1) {
			err_set(err, ERR_FAILED, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		json_t *d = json_array_get(t->details, i);

		tl_head(&t->head, &t->ev[i], d);
		tl_entry_of(t, &t->ev[i], &e);
		if (tl_line(at, &t->ev[i], &e, d, &b, err) == -1)
			goto out;
	}
	rc = 0;
out:
	buf_done(&b);
	actlog_text_free(at);
	return rc;
}

static int
tl_collect(const struct actlog_entry *e, void *ctx)
{
	void **a = ctx;

	return timeline_add(a[0], e, a[1]) == -1;
}

int
timeline_load(
    struct store *s, int64_t incident, struct timeline *t, struct err *err)
{
	struct actlog_filter f = { .incident = incident };
	void *a[2] = { t, err };

	timeline_init(t, incident);
	if (actlog_each(s, &f, tl_collect, a, err) == -1 || err_isset(err))
		return -1;
	if (t->n == 0)
		return err_set(
		    err, ERR_FAILED, "no incident INC-%" PRId64, incident);
	return timeline_finish(t, err);
}

/* --- Streaming: two passes over the log, one event in memory --- */

/* The parsed detail of an entry: an object, {} when it is not one;
 * *ok says whether it was. */
static json_t *
tl_detail_ok(const struct actlog_entry *e, int *ok)
{
	json_t *d =
	    json_loads(e->detail ? e->detail : "{}", JSON_DECODE_ANY, NULL);

	*ok = d != NULL && json_is_object(d);
	if (!*ok) {
		json_decref(d);
		d = json_object(); /* an unparsable detail tells nothing */
	}
	return d;
}

static json_t *
tl_detail(const struct actlog_entry *e)
{
	int ok;

	return tl_detail_ok(e, &ok);
}

/* A borrowed event over the entry (text not set). */
static void
tl_event(struct timeline_event *ev, const struct actlog_entry *e)
{
	memset(ev, 0, sizeof *ev);
	ev->entry = e->id;
	ev->at_us = e->at_us;
	ev->run = e->run;
	ev->actor = (char *)(e->actor ? e->actor : "");
	ev->kind = (char *)(e->kind ? e->kind : "");
	snprintf(ev->hash, sizeof ev->hash, "%s", e->hash ? e->hash : "");
}

/* Only these kinds tell the header or the context anything; the many
 * alert.new entries of a storm are read by SQL (tl_pass1_sql). */
static int
tl_pass1_kind(const char *k)
{
	return strncmp(k, "incident.", 9) == 0 || strncmp(k, "run.", 4) == 0 ||
	    strcmp(k, "effect.intent") == 0 || strcmp(k, "page.sent") == 0 ||
	    strcmp(k, "alert.resolve") == 0 || strcmp(k, "alert.refire") == 0;
}

/* The alerts' names and labels by fingerprint, for the lines of
 * alert.resolve and alert.refire (their entries name no alert): read,
 * only when there are such lines, by SQLite's JSON reader over the
 * incident's index, with no tree built for the rest of each entry. */
static int
tl_names(struct timeline_stream *ts, struct err *err)
{
	static const char sql[] =
	    "SELECT json_extract(detail, '$.fingerprint', '$.labels') FROM"
	    " actlog WHERE incident_id = ? AND kind = 'alert.new'"
	    " AND json_valid(detail)";
	struct actlog_entry e = { .kind = "alert.new" };
	sqlite3_stmt *st;
	json_t *f, *d;
	int rc, bad = 0;

	if ((st = store_stmt(ts->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ts->head.incident);
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		f = json_loads(
		    (const char *)sqlite3_column_text(st, 0), 0, NULL);
		d = json_pack("{s:O?, s:O?}", "fingerprint",
		    json_array_get(f, 0), "labels", json_array_get(f, 1));
		e.incident = ts->head.incident;
		bad = d == NULL || actlog_text_learn(ts->text, &e, d) == -1;
		json_decref(d);
		json_decref(f);
	}
	sqlite3_reset(st);
	if (bad)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rc != SQLITE_DONE)
		return store_sqlerr(ts->s, err, "action log");
	return 0;
}

/* One entry of pass one: checked against its hash, counted, and what
 * it tells the header, the model and the context. */
static int
tl_pass1(struct timeline_stream *ts, const struct actlog_entry *e,
    const char *alert, const char *labels, const char *change)
{
	struct timeline_event ev;
	json_t *d;
	int rc;

	if (ts->bad_id == 0 && !actlog_entry_ok(&ts->h, e))
		ts->bad_id = e->id;
	ts->n++;
	tl_event(&ev, e);
	if (ts->head.first_id == 0)
		ts->head.first_id = e->id;
	ts->head.last_id = e->id;
	ts->head.last_us = e->at_us;
	if (alert != NULL) /* an alert.new: what SQL read of it */
		return timeline_model_alert(ts, &ev, alert, labels) == -1 ||
		        timeline_model_add(ts, &ev, NULL) == -1
		    ? -1
		    : 0;
	if (change != NULL) /* an alert's resolve or refire */
		return timeline_model_change(ts, &ev, change) == -1 ||
		        timeline_model_add(ts, &ev, NULL) == -1
		    ? -1
		    : 0;
	if (!tl_pass1_kind(ev.kind))
		return timeline_model_add(ts, &ev, NULL);
	if ((d = tl_detail(e)) == NULL)
		return -1;
	tl_head(&ts->head, &ev, d);
	rc = actlog_text_learn(ts->text, e, d) == -1 ||
	        timeline_model_add(ts, &ev, d) == -1
	    ? -1
	    : 0;
	json_decref(d);
	return rc;
}

/* Pass one reads every column (the hash check needs them) and, of an
 * alert.new entry, what the model needs (by SQLite's JSON reader:
 * column 9 [starts_at, fingerprint, severity, status, ends_at], column
 * 10 its labels) and of an alert's resolve or refire (column 11
 * [fingerprint, ends_at, starts_at]). */
static const char tl_pass1_sql[] =
    "SELECT id, at_us, actor, incident_id, run_id, kind, detail, prev_hash,"
    " hash, CASE WHEN n THEN json_extract(detail, '$.starts_at',"
    " '$.fingerprint', '$.severity', '$.status', '$.ends_at') END,"
    " CASE WHEN n THEN json_extract(detail, '$.labels') END,"
    " CASE WHEN kind IN ('alert.resolve', 'alert.refire') AND"
    " json_valid(detail) THEN json_extract(detail, '$.fingerprint',"
    " '$.after.ends_at', '$.after.starts_at') END FROM (SELECT *,"
    " kind = 'alert.new' AND json_valid(detail) AS n FROM actlog"
    " WHERE incident_id = ?) ORDER BY id";

static const char *
tl_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Fills e from columns 0-8 of pass one or two. */
static void
tl_entry(sqlite3_stmt *st, struct actlog_entry *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->at_us = sqlite3_column_int64(st, 1);
	e->actor = tl_col(st, 2);
	e->incident = sqlite3_column_int64(st, 3);
	e->run = sqlite3_column_int64(st, 4);
	e->kind = tl_col(st, 5);
	e->detail = tl_col(st, 6);
	e->prev_hash = tl_col(st, 7);
	e->hash = tl_col(st, 8);
}

int
timeline_open(struct store *s, int64_t incident, struct timeline_stream *ts,
    struct err *err)
{
	struct actlog_entry e;
	sqlite3_stmt *st;
	int rc;

	memset(ts, 0, sizeof *ts);
	ts->s = s;
	ts->head.incident = incident;
	if ((ts->text = actlog_text_new()) == NULL ||
	    (ts->seen = json_object()) == NULL || hash_begin(&ts->h) == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	if ((st = store_stmt(s, tl_pass1_sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, incident);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_entry(st, &e);
		if (tl_pass1(ts, &e, tl_col(st, 9), tl_col(st, 10),
		        tl_col(st, 11)) == -1) {
			sqlite3_reset(st);
			return err_set(err, ERR_FAILED, "out of memory");
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, err, "action log");
	if (ts->n == 0)
		return err_set(
		    err, ERR_FAILED, "no incident INC-%" PRId64, incident);
	/* the alerts are told by the labels that tell them apart */
	if (ts->m.common != NULL &&
	    actlog_text_common(ts->text, ts->m.common) == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	return ts->need_names ? tl_names(ts, err) : 0;
}

struct tl_pass2 {
	struct timeline_stream *ts;
	timeline_fn *fn;
	void *ctx;
	struct buf b;
	struct err *err;
	int failed;
	int valid; /* the row's detail is a JSON object */
};

/* One event of pass two: its text, then the writer. */
static int
tl_pass2(struct tl_pass2 *p, const struct actlog_entry *e, json_t *d)
{
	struct timeline_event ev;
	int rc;

	tl_event(&ev, e);
	ev.detail = d;
	ev.detail_json = e->detail ? e->detail : "{}";
	ev.detail_valid = p->valid;
	if (d == NULL || tl_line(p->ts->text, &ev, e, d, &p->b, p->err) == -1) {
		json_decref(d);
		err_set(p->err, ERR_FAILED, "out of memory");
		p->failed = 1;
		return 1;
	}
	rc = p->fn(&ev, p->ctx);
	json_decref(d);
	free(ev.text);
	if (rc != 0)
		p->failed = 1;
	return rc;
}

/* Pass two reads the incident's rows in order; of an alert.new entry
 * (most of a storm) it reads only what its line says, with one call of
 * SQLite's JSON reader, instead of a tree of the whole detail (the
 * annotations are most of it): column 9 is then [fingerprint, summary,
 * status, severity] and column 11 its labels; of an alert's resolve or
 * refire, column 10 [fingerprint, ends_at, starts_at]. */
#define TL_PASS2_SQL(where)                                                    \
	"SELECT id, at_us, actor, incident_id, run_id, kind, detail,"          \
	" prev_hash, hash, CASE WHEN kind = 'alert.new' AND"                   \
	" json_valid(detail) THEN json_extract(detail, '$.fingerprint',"       \
	" '$.annotations.summary', '$.status', '$.severity') END,"             \
	" CASE WHEN kind IN ('alert.resolve', 'alert.refire') AND"             \
	" json_valid(detail) THEN json_extract(detail, '$.fingerprint',"       \
	" '$.after.ends_at', '$.after.starts_at') END, CASE WHEN kind ="       \
	" 'alert.new' AND json_valid(detail) THEN json_extract(detail,"        \
	" '$.labels') END FROM actlog WHERE " where " ORDER BY id"
static const char tl_pass2_sql[] = TL_PASS2_SQL("incident_id = ?");
static const char tl_run_sql[] = TL_PASS2_SQL("run_id = ? AND incident_id = ?");

/* The detail of an alert.new row, from the fields SQL read:
 * [fingerprint, summary, status, severity] and the labels. */
static json_t *
tl_alert_new(const char *fields, const char *labels)
{
	const char *v[4] = { NULL, NULL, NULL, NULL };
	json_t *f = NULL, *l = timeline_labels(labels), *d;
	char scratch[2048];

	if (timeline_strs(fields, scratch, sizeof scratch, v, 4) != 4) {
		f = json_loads(fields, 0, NULL);
		for (size_t i = 0; i < 4; i++)
			v[i] = json_string_value(json_array_get(f, i));
	}
	d = json_pack("{s:s?, s:o?, s:{s:s?}, s:s?, s:s?}", "fingerprint", v[0],
	    "labels", l, "annotations", "summary", v[1], "status", v[2],
	    "severity", v[3]);
	json_decref(f);
	return d;
}

/* The detail of an alert's resolve or refire, from the fields SQL
 * read: what its line and the narrative use. */
static json_t *
tl_alert_change(const char *fields)
{
	const char *v[3] = { NULL, NULL, NULL };
	char scratch[512];
	json_t *f = NULL, *d;

	if (timeline_strs(fields, scratch, sizeof scratch, v, 3) != 3) {
		f = json_loads(fields, 0, NULL);
		for (size_t i = 0; i < 3; i++)
			v[i] = json_string_value(json_array_get(f, i));
	}
	d = json_pack("{s:s?, s:{s:s?, s:s?}}", "fingerprint", v[0], "after",
	    "ends_at", v[1], "starts_at", v[2]);
	json_decref(f);
	return d;
}

/* Pass two over the rows of st (bound). */
static int
tl_each(struct timeline_stream *ts, sqlite3_stmt *st, timeline_fn *fn,
    void *ctx, struct err *err)
{
	struct tl_pass2 p = { ts, fn, ctx, { 0 }, err, 0, 0 };
	struct actlog_entry e;
	int rc;

	buf_init(&p.b, TIMELINE_TEXT_MAX + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_entry(st, &e);
		/* an alert.new SQL read is valid JSON; another entry is
		 * valid when jansson reads an object from it */
		p.valid = tl_col(st, 9) != NULL || tl_col(st, 10) != NULL;
		if (tl_pass2(&p, &e,
		        tl_col(st, 9) != NULL
		            ? tl_alert_new(tl_col(st, 9), tl_col(st, 11))
		            : tl_col(st, 10) != NULL
		            ? tl_alert_change(tl_col(st, 10))
		            : tl_detail_ok(&e, &p.valid)) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	buf_done(&p.b);
	if (rc != SQLITE_DONE)
		return store_sqlerr(ts->s, err, "action log");
	if (p.failed && !err_isset(err))
		err_set(err, ERR_FAILED, "timeline: write failed");
	return p.failed ? -1 : 0;
}

int
timeline_each(
    struct timeline_stream *ts, timeline_fn *fn, void *ctx, struct err *err)
{
	sqlite3_stmt *st;

	if ((st = store_stmt(ts->s, tl_pass2_sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ts->head.incident);
	return tl_each(ts, st, fn, ctx, err);
}

int
timeline_each_run(struct timeline_stream *ts, int64_t run, timeline_fn *fn,
    void *ctx, struct err *err)
{
	sqlite3_stmt *st;

	if ((st = store_stmt(ts->s, tl_run_sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, ts->head.incident);
	return tl_each(ts, st, fn, ctx, err);
}

int
timeline_hashes(struct timeline_stream *ts, timeline_hash_fn *fn, void *ctx,
    struct err *err)
{
	static const char sql[] = "SELECT id, hash FROM actlog"
	                          " WHERE incident_id = ? ORDER BY id";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((st = store_stmt(ts->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ts->head.incident);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(sqlite3_column_int64(st, 0), tl_col(st, 1), ctx);
	sqlite3_reset(st);
	if (stop)
		return err_isset(err)
		    ? -1
		    : err_set(err, ERR_FAILED, "timeline: write failed");
	return rc == SQLITE_DONE ? 0 : store_sqlerr(ts->s, err, "action log");
}

int
timeline_window(struct store *s, int64_t since, int64_t until, size_t max,
    int64_t **ids, size_t *n, struct err *err)
{
	static const char sql[] =
	    "SELECT id FROM incidents WHERE opened_at <= ?2 AND"
	    " (resolved_at IS NULL OR resolved_at >= ?1) ORDER BY opened_at,"
	    " id LIMIT ?3";
	sqlite3_stmt *st;
	int64_t *a = NULL, *g;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((g = realloc(a, cap * sizeof *a)) == NULL) {
				sqlite3_reset(st);
				free(a);
				*n = 0;
				return err_set(
				    err, ERR_FAILED, "out of memory");
			}
			a = g;
		}
		a[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	*ids = a;
	if (rc != SQLITE_DONE) {
		free(a);
		*ids = NULL;
		*n = 0;
		return store_sqlerr(s, err, "incidents");
	}
	return 0;
}

void
timeline_close(struct timeline_stream *ts)
{
	actlog_text_free(ts->text);
	hash_done(&ts->h);
	free(ts->head.title);
	free(ts->head.severity);
	free(ts->head.state);
	free(ts->head.source);
	free(ts->head.acked_by);
	free(ts->head.mitigated_by);
	timeline_model_free(&ts->m);
	json_decref(ts->seen);
	memset(ts, 0, sizeof *ts);
}

int
timeline_esc_md(struct buf *out, const char *s, struct err *err)
{
	int rc = 0;

	for (; s && *s && rc == 0; s++) {
		if (*s == '<')
			rc = buf_adds(out, "&lt;", err);
		else if (*s == '>')
			rc = buf_adds(out, "&gt;", err);
		else if (*s == '&')
			rc = buf_adds(out, "&amp;", err);
		else if (*s == '\n')
			rc = buf_adds(out, "<br>", err);
		else if (*s == '\r')
			continue;
		else if (strchr("\\`*_[]|#~!", *s) != NULL)
			rc = buf_printf(out, err, "\\%c", *s);
		else
			rc = buf_addc(out, *s, err);
	}
	return rc;
}

int
timeline_esc_csv(struct buf *out, const char *s, struct err *err)
{
	size_t n = s ? strlen(s) : 0;
	/* a cell a spreadsheet would take for a formula (an actor named
	 * "=HYPERLINK(...)") is neutralised with a leading quote */
	int formula = n > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	int quote = n > 0 &&
	    (strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' || s[n - 1] == ' ');
	int rc = quote ? buf_addc(out, '"', err) : 0;

	if (rc == 0 && formula)
		rc = buf_addc(out, '\'', err);

	for (size_t i = 0, j; i < n && rc == 0; i = j) {
		/* runs without a quote in one copy, a quote doubled */
		for (j = i; j < n && s[j] != '"'; j++)
			;
		rc = buf_add(out, s + i, j - i, err);
		if (rc == 0 && j < n) {
			rc = buf_adds(out, "\"\"", err);
			j++;
		}
	}
	if (rc == 0 && quote)
		rc = buf_addc(out, '"', err);
	return rc;
}

int
timeline_esc_html(struct buf *out, const char *s, struct err *err)
{
	int rc = 0;

	for (; s && *s && rc == 0; s++) {
		size_t run = strcspn(s, "&<>\"'");

		if (run > 0) { /* nothing to escape: one copy */
			rc = buf_add(out, s, run, err);
			s += run - 1;
			continue;
		}
		switch (*s) {
		case '&': rc = buf_adds(out, "&amp;", err); break;
		case '<': rc = buf_adds(out, "&lt;", err); break;
		case '>': rc = buf_adds(out, "&gt;", err); break;
		case '"': rc = buf_adds(out, "&quot;", err); break;
		case '\'': rc = buf_adds(out, "&#39;", err); break;
		default: rc = buf_addc(out, *s, err);
		}
	}
	return rc;
}

void
timeline_duration(int64_t us, char *out, size_t n)
{
	int64_t s = us < 0 ? 0 : us / 1000000;

	if (s >= 86400)
		snprintf(out, n, "%" PRId64 "d %" PRId64 "h %02" PRId64 "m",
		    s / 86400, s % 86400 / 3600, s % 3600 / 60);
	else if (s >= 3600)
		snprintf(out, n, "%" PRId64 "h %02" PRId64 "m %02" PRId64 "s",
		    s / 3600, s % 3600 / 60, s % 60);
	else if (s >= 60)
		snprintf(out, n, "%" PRId64 "m %02" PRId64 "s", s / 60, s % 60);
	else
		snprintf(out, n, "%" PRId64 "s", s);
}
