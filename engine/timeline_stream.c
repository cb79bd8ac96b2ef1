/* timeline_stream.c: a timeline for export, streamed (timeline.h):
 * pass one reads the incident's entries for the header, the model and
 * the context, checking each against its hash; pass two reads them
 * again and gives one event at a time; pass three their hashes. */
#include "timeline.h"
#include "timeline_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"

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

/* What a pass reads of an alert's entry, as SQLite's json_extract
 * gives it (a JSON array of the values), without a tree of the rest of
 * the detail (the annotations are most of it): of an alert.new in
 * pass one [starts_at, fingerprint, severity, status, ends_at], in
 * pass two [fingerprint, summary, status, severity], and its labels;
 * of an alert's resolve or refire [fingerprint, ends_at, starts_at]. */
enum tl_what { TL_NEW1, TL_NEW2, TL_CHANGE };

static const struct jscan_want tl_wants[][6] = {
	[TL_NEW1] = { { "starts_at", 0 }, { "fingerprint", 0 },
	    { "severity", 0 }, { "status", 0 }, { "ends_at", 0 },
	    { "labels", 1 } },
	[TL_NEW2] = { { "fingerprint", 0 }, { "annotations.summary", 0 },
	    { "status", 0 }, { "severity", 0 }, { "labels", 1 } },
	[TL_CHANGE] = { { "fingerprint", 0 }, { "after.ends_at", 0 },
	    { "after.starts_at", 0 } },
};
static const size_t tl_nwant[] = {
	[TL_NEW1] = 6, [TL_NEW2] = 5, [TL_CHANGE] = 3
};

/* The same read by SQLite, when jscan is not sure (escapes, keys
 * twice, values of other kinds): columns TL_NEW1, TL_NEW2, TL_CHANGE,
 * then the labels; all NULL when the detail is not valid JSON. */
static const char tl_slow_sql[] =
    "SELECT CASE WHEN v THEN json_extract(d, '$.starts_at',"
    " '$.fingerprint', '$.severity', '$.status', '$.ends_at') END,"
    " CASE WHEN v THEN json_extract(d, '$.fingerprint',"
    " '$.annotations.summary', '$.status', '$.severity') END,"
    " CASE WHEN v THEN json_extract(d, '$.fingerprint',"
    " '$.after.ends_at', '$.after.starts_at') END,"
    " CASE WHEN v THEN json_extract(d, '$.labels') END"
    " FROM (SELECT ?1 AS d, json_valid(?1) AS v)";

/* What was read of one entry; fields NULL when its detail is not valid
 * JSON. Valid until the next tl_read. */
struct tl_read {
	const char *fields, *labels;
	char fbuf[2048], lbuf[4096];
	char *slow; /* what SQLite read (malloc'd), when it did */
};

static void
tl_read_done(struct tl_read *r)
{
	free(r->slow);
	r->slow = NULL;
	r->fields = r->labels = NULL;
}

/* Copies what SQLite read: fields, then labels, in one allocation. */
static int
tl_read_slow(struct store *s, const char *detail, enum tl_what w,
    struct tl_read *r, struct err *err)
{
	sqlite3_stmt *st;
	const char *f, *l;
	size_t fn, ln;
	int rc;

	if ((st = store_stmt(s, tl_slow_sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, detail, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_sqlerr(s, err, "action log");
	}
	f = (const char *)sqlite3_column_text(st, (int)w);
	l = (const char *)sqlite3_column_text(st, 3);
	fn = f ? strlen(f) + 1 : 0;
	ln = l ? strlen(l) + 1 : 0;
	if (fn + ln > 0 && (r->slow = malloc(fn + ln)) == NULL) {
		sqlite3_reset(st);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	if (f != NULL)
		r->fields = memcpy(r->slow, f, fn);
	if (l != NULL && w != TL_CHANGE)
		r->labels = memcpy(r->slow + fn, l, ln);
	sqlite3_reset(st);
	return 0;
}

/* Reads what w says of an entry's detail into r (tl_read_done
 * after). */
static int
tl_read(struct store *s, const char *detail, enum tl_what w, struct tl_read *r,
    struct err *err)
{
	struct jscan_val v[JSCAN_MAX];
	size_t n = tl_nwant[w], nf = w == TL_CHANGE ? n : n - 1;

	tl_read_done(r);
	if (detail == NULL)
		return 0;
	if (jscan_get(detail, tl_wants[w], n, v) == 0 &&
	    jscan_array(v, nf, r->fbuf, sizeof r->fbuf) == 0 &&
	    (w == TL_CHANGE ||
	        jscan_text(&v[nf], r->lbuf, sizeof r->lbuf, &r->labels) == 0)) {
		r->fields = r->fbuf;
		return 0;
	}
	r->labels = NULL;
	return tl_read_slow(s, detail, w, r, err);
}

/* The kind of an alert's entry a pass reads fields of, or -1. */
static int
tl_alert_kind(const char *k)
{
	if (strncmp(k, "alert.", 6) != 0)
		return -1;
	if (strcmp(k + 6, "new") == 0)
		return 0;
	return strcmp(k + 6, "resolve") == 0 || strcmp(k + 6, "refire") == 0
	    ? 1
	    : -1;
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

/* Pass one reads every column (the hash check needs them); of an
 * alert's entries, what the model needs is read apart (tl_read). */
static const char tl_pass1_sql[] =
    "SELECT id, at_us, actor, incident_id, run_id, kind, detail, prev_hash,"
    " hash FROM actlog WHERE incident_id = ? ORDER BY id";

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
	struct tl_read r = { 0 };
	sqlite3_stmt *st;
	int rc, a, bad = 0;

	memset(ts, 0, sizeof *ts);
	ts->s = s;
	ts->head.incident = incident;
	if ((ts->text = actlog_text_new()) == NULL ||
	    (ts->seen = json_object()) == NULL || hash_begin(&ts->h) == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	if ((st = store_stmt(s, tl_pass1_sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, incident);
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_entry(st, &e);
		tl_read_done(&r);
		a = tl_alert_kind(e.kind ? e.kind : "");
		bad = (a >= 0 &&
		          tl_read(s, e.detail, a ? TL_CHANGE : TL_NEW1, &r,
		              err) == -1) ||
		    tl_pass1(ts, &e, a == 0 ? r.fields : NULL, r.labels,
		        a == 1 ? r.fields : NULL) == -1;
	}
	tl_read_done(&r);
	sqlite3_reset(st);
	if (bad)
		return err_isset(err)
		    ? -1
		    : err_set(err, ERR_FAILED, "out of memory");
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

/* Pass two reads the incident's rows in order; of an alert's entry
 * (most of a storm) it reads only what its line says (tl_read). */
#define TL_PASS2_SQL(where)                                                    \
	"SELECT id, at_us, actor, incident_id, run_id, kind, detail,"          \
	" prev_hash, hash FROM actlog WHERE " where " ORDER BY id"
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
	struct tl_read r = { 0 };
	int rc, a;

	buf_init(&p.b, TIMELINE_TEXT_MAX + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_entry(st, &e);
		tl_read_done(&r);
		a = tl_alert_kind(e.kind ? e.kind : "");
		if (a >= 0 &&
		    tl_read(ts->s, e.detail, a ? TL_CHANGE : TL_NEW2, &r,
		        err) == -1) {
			p.failed = 1;
			rc = SQLITE_DONE;
			break;
		}
		/* an alert's entry SQL would read is valid JSON; another
		 * entry is valid when jansson reads an object from it */
		p.valid = r.fields != NULL;
		if (tl_pass2(&p, &e,
		        r.fields == NULL ? tl_detail_ok(&e, &p.valid)
		            : a == 0     ? tl_alert_new(r.fields, r.labels)
		                         : tl_alert_change(r.fields)) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	tl_read_done(&r);
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
