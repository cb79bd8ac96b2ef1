/* timeline_stream.c: a timeline for export, streamed (timeline.h):
 * pass one reads the incident's entries for the header, the model and
 * the context, checking each against its hash; pass two reads them
 * again and gives one event at a time; pass three their hashes. */
#include "timeline.h"
#include "timeline_int.h"
#include "common_labels.h"
#include "jscan.h"
#include "scratch.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if (e->hash != NULL)
		memcpy(
		    ev->hash, e->hash, strnlen(e->hash, sizeof ev->hash - 1));
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
	    " AND json_valid(detail) = 1";
	struct actlog_entry e = { .kind = "alert.new" };
	struct store_stmt *st;
	json_t *f, *d;
	int rc, bad = 0;

	if ((st = store_stmt(ts->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, ts->head.incident);
	while (!bad && (rc = store_step(st)) == STORE_ROW) {
		f = json_loads((const char *)store_col_text(st, 0), 0, NULL);
		d = json_pack("{s:O?, s:O?}", "fingerprint",
		    json_array_get(f, 0), "labels", json_array_get(f, 1));
		e.incident = ts->head.incident;
		bad = d == NULL || actlog_text_learn(ts->text, &e, d) == -1;
		json_decref(d);
		json_decref(f);
	}
	store_reset(st);
	if (bad)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rc != STORE_DONE)
		return store_sqlerr(ts->s, err, "action log");
	return 0;
}

/* One entry of pass one: checked against its hash, counted, and what
 * it tells the header, the model and the context. */
static int
tl_pass1(struct timeline_stream *ts, const struct actlog_entry *e, int a,
    const struct tl_read *r)
{
	struct timeline_event ev;
	json_t *d;
	int rc;

	if (ts->bad_id == 0 && !actlog_entry_ok(&ts->h, e))
		ts->bad_id = e->id;
	ts->n++;
	tl_event(&ev, e);
	if (strncmp(ev.kind, "alert.", 6) == 0 && a != 0)
		ts->recalls++;
	if (ts->head.first_id == 0)
		ts->head.first_id = e->id;
	ts->head.last_id = e->id;
	ts->head.last_us = e->at_us;
	if (a == 0 && r->valid) /* an alert.new: what was read of it */
		return timeline_model_alert(ts, &ev, r->v, r->labels) == -1 ||
		        timeline_model_add(ts, &ev, NULL) == -1
		    ? -1
		    : 0;
	if (a == 1 && r->valid) /* an alert's resolve or refire */
		return timeline_model_change(ts, &ev, r->v) == -1 ||
		        timeline_model_add(ts, &ev, NULL) == -1
		    ? -1
		    : 0;
	if (strcmp(ev.kind, "alert.update") == 0) {
		/* a label it added or changed was not common throughout */
		if ((d = tl_detail(e)) == NULL)
			return -1;
		common_labels_update(ts->m.common, d);
		json_decref(d);
		return timeline_model_add(ts, &ev, NULL);
	}
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
tl_col(struct store_stmt *st, int i)
{
	return (const char *)store_col_text(st, i);
}

/* Fills e from columns 0-8 of pass one or two. */
static void
tl_entry(struct store_stmt *st, struct actlog_entry *e)
{
	e->id = store_col_int64(st, 0);
	e->at_us = store_col_int64(st, 1);
	e->actor = tl_col(st, 2);
	e->incident = store_col_int64(st, 3);
	e->run = store_col_int64(st, 4);
	e->kind = tl_col(st, 5);
	e->detail = tl_col(st, 6);
	e->prev_hash = tl_col(st, 7);
	e->hash = tl_col(st, 8);
}

/* An entry in the row spool: id, at_us, incident, run, then its
 * strings as lengths (UINT32_MAX: NULL) and bytes with their NULs:
 * actor, kind, detail, hash (prev_hash only pass one checks), then of
 * an alert's entry what pass one read of it (tl_read: the strings and
 * the labels), and whether it did (TL_ROW_READ). The detail of such an
 * entry is left out when no writer shows it (TIMELINE_LEAN): pass two
 * tells it from what was read. When it is kept, and what was read are
 * pieces of it (jscan), where they are in it is kept instead
 * (TL_ROW_AT: after the head, tl_read's off and len). A failure only
 * means pass two reads the log. */
enum { TL_ROW_ACTOR, TL_ROW_KIND, TL_ROW_DETAIL, TL_ROW_HASH, TL_ROW_V };
#define TL_ROW_LABELS (TL_ROW_V + TL_READ_MAX)
#define TL_ROW_STRS (TL_ROW_LABELS + 1)
struct tl_rowhead {
	int64_t num[4];
	uint32_t len[TL_ROW_STRS];
	uint32_t read; /* TL_ROW_* */
};
enum { TL_ROW_NONE, TL_ROW_READ, TL_ROW_AT };
#define TL_ROW_ATS (2 * (TL_READ_MAX + 1) * sizeof(uint32_t))
#define TL_ROW_BUF (256 * 1024)
/* past this much (a /tmp on tmpfs is memory), pass two reads the log */
#define TL_ROW_MAX ((int64_t)256 * 1024 * 1024)

/* Room for n bytes in ts->rowbuf: 0, or -1. */
static int
tl_row_room(struct timeline_stream *ts, size_t n)
{
	char *nb;

	if (n <= ts->rowcap)
		return 0;
	if ((nb = realloc(ts->rowbuf, n)) == NULL)
		return -1;
	ts->rowbuf = nb;
	ts->rowcap = n;
	return 0;
}

/* A scratch file with a buffer of TL_ROW_BUF bytes (*io, freed by
 * tl_scratch_close): glibc's setvbuf() ignores the size when it is not
 * given the buffer, and a spool written and read 4 KiB a call cost a
 * storm's export 30,000 system calls. */
static FILE *
tl_scratch(char **io)
{
	FILE *f = scratch_file();

	if (f != NULL && (*io = malloc(TL_ROW_BUF)) != NULL)
		setvbuf(f, *io, _IOFBF, TL_ROW_BUF);
	return f;
}

static void
tl_scratch_close(FILE **f, char **io)
{
	if (*f != NULL)
		fclose(*f); /* its space back at once */
	*f = NULL;
	free(*io); /* after fclose: the stream used it until then */
	*io = NULL;
}

/* Keeps entry e (a: tl_alert_kind, r what was read of it) for pass
 * two, in one write. */
static void
tl_row_put(struct timeline_stream *ts, const struct actlog_entry *e, int a,
    const struct tl_read *r)
{
	const char *str[TL_ROW_STRS] = { [TL_ROW_ACTOR] = e->actor,
		[TL_ROW_KIND] = e->kind,
		[TL_ROW_DETAIL] = e->detail,
		[TL_ROW_HASH] = e->hash };
	struct tl_rowhead h = { .num = {
		                    e->id, e->at_us, e->incident, e->run } };
	size_t k, n, size = sizeof h;
	int at = 0;

	if (ts->nrows < 0)
		return;
	if (ts->rows == NULL) {
		/* fewer, larger writes: it is written and read straight */
		if ((ts->rows = tl_scratch(&ts->rows_io)) == NULL)
			goto fail;
	}
	if (a >= 0 && r->valid && !ts->lean && r->at) {
		h.read = TL_ROW_AT;
		size += TL_ROW_ATS;
		at = 1;
	} else if (a >= 0 && r->valid) {
		h.read = TL_ROW_READ;
		for (k = 0; k < TL_READ_MAX; k++)
			str[TL_ROW_V + k] = r->v[k];
		str[TL_ROW_LABELS] = r->labels;
		if (ts->lean)
			str[TL_ROW_DETAIL] = NULL;
	}
	for (k = 0; k < TL_ROW_STRS; k++) {
		n = str[k] ? strlen(str[k]) : 0;
		if (n >= UINT32_MAX)
			goto fail;
		h.len[k] = str[k] ? (uint32_t)n : UINT32_MAX;
		size += str[k] ? n + 1 : 0;
	}
	if ((ts->rowbytes += (int64_t)size) > TL_ROW_MAX ||
	    tl_row_room(ts, size) == -1)
		goto fail;
	memcpy(ts->rowbuf, &h, sizeof h);
	n = sizeof h;
	if (at) {
		memcpy(ts->rowbuf + n, r->off, sizeof r->off);
		memcpy(ts->rowbuf + n + sizeof r->off, r->len, sizeof r->len);
		n += TL_ROW_ATS;
	}
	for (k = 0; k < TL_ROW_STRS; k++)
		if (str[k] != NULL) {
			memcpy(ts->rowbuf + n, str[k], h.len[k] + 1);
			n += h.len[k] + 1;
		}
	if (fwrite(ts->rowbuf, 1, n, ts->rows) != n)
		goto fail;
	ts->nrows++;
	return;
fail:
	ts->nrows = -1;
	tl_scratch_close(&ts->rows, &ts->rows_io);
}

/* Reads the next entry of the row spool into e, and into r what pass
 * one read of it (r->valid; else r is empty), the strings in
 * ts->rowbuf, valid until the next call: 1 when r was read, 0 when
 * not, or -1. */
static int
tl_row_get(
    struct timeline_stream *ts, struct actlog_entry *e, struct tl_read *r)
{
	const char *str[TL_ROW_STRS];
	struct tl_rowhead h;
	size_t k, total = 0, at = 0;
	uint32_t off[TL_READ_MAX + 1], len[TL_READ_MAX + 1];
	int a;

	tl_read_done(r);
	if (fread(&h, sizeof h, 1, ts->rows) != 1 ||
	    (h.read == TL_ROW_AT &&
	        (fread(off, sizeof off, 1, ts->rows) != 1 ||
	            fread(len, sizeof len, 1, ts->rows) != 1)))
		return -1;
	for (k = 0; k < TL_ROW_STRS; k++)
		total += h.len[k] == UINT32_MAX ? 0 : (size_t)h.len[k] + 1;
	if (tl_row_room(ts, total) == -1)
		return -1;
	if (total > 0 && fread(ts->rowbuf, 1, total, ts->rows) != total)
		return -1;
	for (k = 0; k < TL_ROW_STRS; k++) {
		str[k] = h.len[k] == UINT32_MAX ? NULL : ts->rowbuf + at;
		at += h.len[k] == UINT32_MAX ? 0 : (size_t)h.len[k] + 1;
		if (str[k] != NULL && str[k][h.len[k]] != '\0')
			return -1;
	}
	e->id = h.num[0];
	e->at_us = h.num[1];
	e->incident = h.num[2];
	e->run = h.num[3];
	e->actor = str[TL_ROW_ACTOR];
	e->kind = str[TL_ROW_KIND];
	e->detail = str[TL_ROW_DETAIL];
	e->hash = str[TL_ROW_HASH];
	if (h.read == TL_ROW_AT) {
		a = tl_alert_kind(e->kind ? e->kind : "");
		return e->detail != NULL && a >= 0 &&
		        tl_read_at(e->detail, h.len[TL_ROW_DETAIL],
		            a ? TL_CHANGE : TL_NEW, off, len, r) == 0
		    ? 1
		    : -1;
	}
	if (h.read != TL_ROW_READ)
		return 0;
	for (k = 0; k < TL_READ_MAX; k++)
		r->v[k] = str[TL_ROW_V + k];
	r->labels = str[TL_ROW_LABELS];
	r->valid = 1;
	return 1;
}

int
timeline_open(struct store *s, int64_t incident, struct timeline_stream *ts,
    struct err *err)
{
	return timeline_open_as(s, incident, 0, ts, err);
}

int
timeline_open_as(struct store *s, int64_t incident, unsigned how,
    struct timeline_stream *ts, struct err *err)
{
	struct actlog_entry e;
	struct tl_read r = { 0 };
	struct store_stmt *st;
	int rc, a, bad = 0;

	memset(ts, 0, sizeof *ts);
	ts->s = s;
	ts->lean = (how & TIMELINE_LEAN) != 0;
	ts->head.incident = incident;
	if ((ts->text = actlog_text_new()) == NULL || hash_begin(&ts->h) == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	if ((st = store_stmt(s, tl_pass1_sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, incident);
	/* the incident's rows are spread over the log (a storm's among
	 * others': about one a page), read in the file's order */
	store_read_ahead(s, 1);
	while (!bad && (rc = store_step(st)) == STORE_ROW) {
		tl_entry(st, &e);
		tl_read_done(&r);
		a = tl_alert_kind(e.kind ? e.kind : "");
		bad = (a >= 0 &&
		          tl_read(s, e.detail, a ? TL_CHANGE : TL_NEW, &r,
		              err) == -1) ||
		    tl_pass1(ts, &e, a, &r) == -1;
		if (!bad)
			tl_row_put(ts, &e, a, &r);
	}
	tl_read_done(&r);
	store_reset(st);
	store_read_ahead(s, 0);
	if (bad)
		return err_isset(err)
		    ? -1
		    : err_set(err, ERR_FAILED, "out of memory");
	if (rc != STORE_DONE)
		return store_sqlerr(s, err, "action log");
	if (ts->n == 0)
		return err_set(
		    err, ERR_FAILED, "no incident INC-%" PRId64, incident);
	if (ts->recalls == 0)
		actlog_text_no_recall(ts->text);
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
};

/* The detail of an alert.new row, from what was read of it (when its
 * labels are not as simple as owl writes them). */
static json_t *
tl_alert_new(const struct tl_read *r)
{
	return json_pack("{s:s?, s:o?, s:{s:s?}, s:s?, s:s?}", "fingerprint",
	    r->v[TL_V_FP], "labels", timeline_labels(r->labels), "annotations",
	    "summary", r->v[TL_V_SUMMARY], "status", r->v[TL_V_STATUS],
	    "severity", r->v[TL_V_SEV]);
}

/* The sentence of an alert's entry (a: tl_alert_kind) from what was
 * read of it, with no tree: 0, 1 when its labels are not that simple,
 * -1 with err set. */
static int
tl_alert_line(struct tl_pass2 *p, const struct actlog_entry *e, int a,
    const struct tl_read *r)
{
	const char *k[64], *v[64];
	struct actlog_alert al;
	char buf[4096];
	int n;

	if (a == 1)
		return actlog_text_alert_change(
		    p->ts->text, e->kind, r->v[TL_C_FP], &p->b, p->err);
	/* the labels as pairs when they are as owl writes them */
	if ((n = jscan_pairs(r->labels, r->labels ? strlen(r->labels) : 0, buf,
	         sizeof buf, k, v, 64)) < 0)
		return 1;
	al = (struct actlog_alert){ .fingerprint = r->v[TL_V_FP],
		.summary = r->v[TL_V_SUMMARY],
		.status = r->v[TL_V_STATUS],
		.severity = r->v[TL_V_SEV],
		.key = k,
		.val = v,
		.nlabels = (size_t)n };
	return actlog_text_alert_new(p->ts->text, &al, &p->b, p->err);
}

/* One event of pass two: its sentence, then the writer. Of an alert's
 * entry the event's detail is what was read of it, or NULL (its
 * sentence told with no tree), and alert_ends its end. */
static int
tl_pass2(struct tl_pass2 *p, const struct actlog_entry *e, int a,
    const struct tl_read *r)
{
	struct timeline_event ev;
	json_t *d = NULL;
	int rc = 1;

	tl_event(&ev, e);
	ev.detail_json = e->detail ? e->detail : "{}";
	ev.detail_valid = r->valid;
	buf_reset(&p->b);
	if (a >= 0 && r->valid) {
		ev.alert_ends = a == 1 ? r->v[TL_C_END] : NULL;
		rc = tl_alert_line(p, e, a, r);
	}
	if (rc == 1) {
		/* an alert's resolve is told from what was read of it */
		d = !r->valid ? tl_detail_ok(e, &ev.detail_valid)
		    : a == 0
		    ? tl_alert_new(r)
		    : json_pack("{s:s?, s:{s:s?, s:s?}}", "fingerprint",
		          r->v[TL_C_FP], "after", "ends_at", r->v[TL_C_END],
		          "starts_at", r->v[TL_C_START]);
		ev.detail = d;
		rc = d == NULL
		    ? -1
		    : actlog_text_line(p->ts->text, e, d, &p->b, p->err);
	}
	if (rc == -1) {
		json_decref(d);
		err_set(p->err, ERR_FAILED, "out of memory");
		p->failed = 1;
		return 1;
	}
	ev.text = (char *)buf_str(&p->b);
	rc = p->fn(&ev, p->ctx);
	json_decref(d);
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

/* Starts the spool of pass two's hashes when it is wanted. */
static void
tl_spool_start(struct timeline_stream *ts)
{
	ts->spooled = 0;
	ts->nspool = 0;
	if (!ts->spool_hashes)
		return;
	if (ts->spool == NULL)
		ts->spool = tl_scratch(&ts->spool_io);
	else if (fseek(ts->spool, 0, SEEK_SET) != 0 ||
	    ftruncate(fileno(ts->spool), 0) != 0)
		tl_scratch_close(&ts->spool, &ts->spool_io);
}

/* Keeps an entry's id and hash; a failure only means pass three reads
 * the log. */
static void
tl_spool(struct timeline_stream *ts, const struct actlog_entry *e)
{
	uint32_t n = e->hash ? (uint32_t)strlen(e->hash) : UINT32_MAX;

	if (ts->spool == NULL)
		return;
	if (n > 255 || fwrite(&e->id, sizeof e->id, 1, ts->spool) != 1 ||
	    fwrite(&n, sizeof n, 1, ts->spool) != 1 ||
	    fwrite(e->hash, 1, n, ts->spool) != n) {
		tl_scratch_close(&ts->spool, &ts->spool_io);
		return;
	}
	ts->nspool++;
}

/* Pass three from the spool: 0, 1 when fn stopped, -1 when the spool
 * could not be read back (then the log is read). */
static int
tl_spooled(struct timeline_stream *ts, timeline_hash_fn *fn, void *ctx)
{
	char hash[256];
	int64_t id;
	uint32_t n;

	if (!ts->spooled || fflush(ts->spool) != 0 ||
	    fseek(ts->spool, 0, SEEK_SET) != 0)
		return -1;
	for (int64_t i = 0; i < ts->nspool; i++) {
		if (fread(&id, sizeof id, 1, ts->spool) != 1 ||
		    fread(&n, sizeof n, 1, ts->spool) != 1 || n > 255 ||
		    fread(hash, 1, n, ts->spool) != n)
			return i == 0 ? -1 : 1;
		hash[n] = '\0';
		if (fn(id, hash, ctx) != 0)
			return 1;
	}
	return 0;
}

/* One entry of pass two (r: what pass one read of it when `read`):
 * 0, or nonzero to stop (p->failed says why). */
static int
tl_each_one(struct tl_pass2 *p, const struct actlog_entry *e, struct tl_read *r,
    int read, int spool)
{
	int a;

	if (spool)
		tl_spool(p->ts, e);
	a = tl_alert_kind(e->kind ? e->kind : "");
	if (!read)
		tl_read_done(r);
	if (a >= 0 && !read &&
	    tl_read(p->ts->s, e->detail, a ? TL_CHANGE : TL_NEW, r, p->err) ==
	        -1) {
		p->failed = 1;
		return 1;
	}
	return tl_pass2(p, e, a, r) != 0;
}

/* Pass two over the rows of st (bound), or over pass one's row spool
 * (st NULL). */
static int
tl_each(struct timeline_stream *ts, struct store_stmt *st, timeline_fn *fn,
    void *ctx, struct err *err, int spool)
{
	struct tl_pass2 p = { ts, fn, ctx, { 0 }, err, 0 };
	struct actlog_entry e;
	struct tl_read r = { 0 };
	int rc = STORE_DONE, read;

	buf_init(&p.b, TIMELINE_TEXT_MAX + 1);
	if (spool)
		tl_spool_start(ts);
	if (st == NULL) {
		for (int64_t i = 0; i < ts->nrows; i++) {
			memset(&e, 0, sizeof e);
			if ((read = tl_row_get(ts, &e, &r)) == -1) {
				err_set(err, ERR_FAILED,
				    "timeline: cannot read back its "
				    "temporary file");
				p.failed = 1;
				break;
			}
			if (tl_each_one(&p, &e, &r, read, spool) != 0)
				break;
		}
	} else {
		while ((rc = store_step(st)) == STORE_ROW) {
			tl_entry(st, &e);
			if (tl_each_one(&p, &e, &r, 0, spool) != 0) {
				rc = STORE_DONE;
				break;
			}
		}
		store_reset(st);
	}
	tl_read_done(&r);
	buf_done(&p.b);
	if (rc != STORE_DONE)
		return store_sqlerr(ts->s, err, "action log");
	if (p.failed && !err_isset(err))
		err_set(err, ERR_FAILED, "timeline: write failed");
	ts->spooled = spool && !p.failed && ts->spool != NULL;
	return p.failed ? -1 : 0;
}

int
timeline_each(
    struct timeline_stream *ts, timeline_fn *fn, void *ctx, struct err *err)
{
	struct store_stmt *st;

	/* pass one's rows, when they were all kept */
	if (ts->rows != NULL && ts->nrows == ts->n && fflush(ts->rows) == 0 &&
	    fseek(ts->rows, 0, SEEK_SET) == 0)
		return tl_each(ts, NULL, fn, ctx, err, 1);
	if ((st = store_stmt(ts->s, tl_pass2_sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, ts->head.incident);
	return tl_each(ts, st, fn, ctx, err, 1);
}

int
timeline_each_run(struct timeline_stream *ts, int64_t run, timeline_fn *fn,
    void *ctx, struct err *err)
{
	struct store_stmt *st;

	if ((st = store_stmt(ts->s, tl_run_sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, run);
	store_bind_int64(st, 2, ts->head.incident);
	return tl_each(ts, st, fn, ctx, err, 0);
}

int
timeline_hashes(struct timeline_stream *ts, timeline_hash_fn *fn, void *ctx,
    struct err *err)
{
	static const char sql[] = "SELECT id, hash FROM actlog"
	                          " WHERE incident_id = ? ORDER BY id";
	struct store_stmt *st;
	int rc, stop = 0;

	if ((rc = tl_spooled(ts, fn, ctx)) >= 0) {
		stop = rc;
		rc = STORE_DONE;
		goto out;
	}
	if ((st = store_stmt(ts->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, ts->head.incident);
	while (!stop && (rc = store_step(st)) == STORE_ROW)
		stop = fn(store_col_int64(st, 0), tl_col(st, 1), ctx);
	store_reset(st);
out:
	if (stop)
		return err_isset(err)
		    ? -1
		    : err_set(err, ERR_FAILED, "timeline: write failed");
	return rc == STORE_DONE ? 0 : store_sqlerr(ts->s, err, "action log");
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
	strmap_free(ts->seen);
	free(ts->pend);
	tl_scratch_close(&ts->spool, &ts->spool_io);
	tl_scratch_close(&ts->rows, &ts->rows_io);
	free(ts->rowbuf);
	memset(ts, 0, sizeof *ts);
}
