/* timeline_data.c: the timeline for programs: JSON (documented in
 * owl(1) and README, stable field names, every entry with its full
 * detail) and CSV (RFC 4180, one row per entry). Both carry every
 * entry whatever --summary or --full say; each entry says where it
 * shows ("shown") and how it turned out ("outcome"). */
#include "timeline_fmt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"

static json_t *
dj_time(int64_t us)
{
	char at[CLOCK_RFC3339_MAX];

	if (us == 0)
		return json_null();
	clock_format(us, 0, at);
	return json_string(at);
}

static json_t *
dj_span(int64_t from, int64_t to)
{
	return from && to ? json_integer((to - from) / 1000000) : json_null();
}

static json_t *
dj_people(const struct timeline_model *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->nperson; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:I, s:o, s:o, s:b}", "actor",
		        m->person[i].actor, "actions",
		        (json_int_t)m->person[i].n, "first_at",
		        dj_time(m->person[i].first_us), "last_at",
		        dj_time(m->person[i].last_us), "human",
		        m->person[i].human));
	return a;
}

static json_t *
dj_alerts(const struct timeline_model *m)
{
	json_t *a = json_array(), *sp;

	for (size_t i = 0; a && i < m->nalert; i++) {
		sp = json_array();
		for (size_t j = 0; sp && j < m->alert[i].nspan; j++)
			json_array_append_new(sp,
			    json_pack("{s:o, s:o}", "from",
			        dj_time(m->alert[i].span[j].from_us), "to",
			        dj_time(m->alert[i].span[j].to_us)));
		json_array_append_new(a,
		    json_pack("{s:s, s:s, s:s, s:o}", "fingerprint",
		        m->alert[i].fp, "name", m->alert[i].name, "severity",
		        m->alert[i].severity, "firing",
		        sp ? sp : json_array()));
	}
	return a;
}

static json_t *
dj_runs(const struct timeline_model *m)
{
	json_t *a = json_array(), *st;

	for (size_t i = 0; a && i < m->nrun; i++) {
		const struct timeline_run *r = &m->run[i];

		st = json_array();
		for (size_t j = 0; st && j < r->nbar; j++)
			json_array_append_new(st,
			    json_pack("{s:i, s:s, s:b, s:b, s:o, s:I}", "i",
			        r->bar[j].i, "name", r->bar[j].name, "undo",
			        r->bar[j].undo, "ok", r->bar[j].ok, "ended_at",
			        dj_time(r->bar[j].at_us), "ms",
			        (json_int_t)r->bar[j].ms));
		json_array_append_new(a,
		    json_pack("{s:I, s:s, s:s, s:o, s:o, s:s?, s:b, s:b, s:o}",
		        "run", (json_int_t)r->run, "runbook", r->runbook,
		        "actor", r->actor, "started_at", dj_time(r->start_us),
		        "ended_at", dj_time(r->end_us), "status", r->status,
		        "dry_run", r->dry_run, "rollback_failed",
		        r->rollback_failed, "steps", st ? st : json_array()));
	}
	return a;
}

static json_t *
dj_changes(const struct timeline_model *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->nchange; i++)
		json_array_append_new(a,
		    json_pack("{s:o, s:I, s:s, s:s}", "at",
		        dj_time(m->change[i].at_us), "entry",
		        (json_int_t)m->change[i].entry, "summary",
		        m->change[i].summary, "source", m->change[i].source));
	return a;
}

static json_t *
dj_incident(const struct tl_doc *d)
{
	const struct timeline_head *h = &d->t.head;
	const struct timeline_model *m = &d->t.m;
	int64_t start = tl_start(h);
	json_t *o;

	o = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:O?, s:O?, s:o, s:o}",
	    "id", (json_int_t)h->incident, "title", h->title, "severity",
	    h->severity, "state", h->state, "source", h->source, "services",
	    m->services, "common_labels", m->common, "started_at",
	    dj_time(h->started_us), "opened_at", dj_time(h->opened_us));
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "acknowledged_at", dj_time(h->acked_us));
	json_object_set_new(o, "acknowledged_by",
	    h->acked_by ? json_string(h->acked_by) : json_null());
	json_object_set_new(o, "mitigated_at", dj_time(h->mitigated_us));
	json_object_set_new(o, "mitigated_by",
	    h->mitigated_by ? json_string(h->mitigated_by) : json_null());
	json_object_set_new(o, "resolved_at", dj_time(h->resolved_us));
	json_object_set_new(
	    o, "ended_at", h->resolved_us ? dj_time(h->ended_us) : json_null());
	json_object_set_new(o, "resolved_automatically",
	    json_boolean(h->resolved_us && h->resolved_auto));
	json_object_set_new(o, "duration_s",
	    h->resolved_us ? dj_span(h->opened_us, h->resolved_us)
	                   : json_null());
	json_object_set_new(
	    o, "time_to_acknowledge_s", dj_span(start, h->acked_us));
	json_object_set_new(
	    o, "time_to_mitigate_s", dj_span(start, h->mitigated_us));
	json_object_set_new(o, "time_to_resolve_s", dj_span(start, tl_end(h)));
	json_object_set_new(o, "alerts", json_integer(h->alerts));
	json_object_set_new(o, "pages", json_integer(h->pages));
	json_object_set_new(o, "runs", json_integer(h->runs));
	json_object_set_new(o, "notes", json_integer(h->notes));
	json_object_set_new(o, "first_entry", json_integer(h->first_id));
	json_object_set_new(o, "last_entry", json_integer(h->last_id));
	json_object_set_new(o, "entries", json_integer(d->t.n));
	return o;
}

/* Appends "\"key\": VALUE" with v dumped (and released). */
static int
dj_put(struct buf *b, const char *key, json_t *v, int indent, struct err *err)
{
	char *s = v ? json_dumps(v,
	                  (indent ? JSON_INDENT(2) : JSON_COMPACT) |
	                      JSON_ENSURE_ASCII | JSON_ENCODE_ANY)
	            : NULL;
	int rc;

	json_decref(v);
	if (s == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = buf_printf(b, err, "\"%s\": %s,\n", key, s);
	free(s);
	return rc;
}

static int
dj_begin(struct tl_out *o)
{
	if (o->since == 0)
		return 0;
	return buf_adds(&o->b, "{\"version\": 2,\n", o->err) == -1 ||
	        dj_put(&o->b, "since", dj_time(o->since), 0, o->err) == -1 ||
	        dj_put(&o->b, "until", dj_time(o->until), 0, o->err) == -1
	    ? -1
	    : buf_adds(&o->b, "\"timelines\": [\n", o->err);
}

static int
dj_end(struct tl_out *o)
{
	return o->since == 0 ? 0 : buf_adds(&o->b, "]}\n", o->err);
}

struct dj_ev {
	struct tl_out *o;
	size_t i;
};

/* Nonzero when s is printable ASCII with nothing JSON escapes. */
static int
dj_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f ||
		    *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/* Appends s as a JSON string, ASCII only. */
static int
dj_str(struct buf *b, const char *s, struct err *err)
{
	json_t *j;
	char *t;
	int rc;

	if (dj_plain(s))
		return buf_printf(b, err, "\"%s\"", s);
	j = json_string(s);
	t = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	json_decref(j);
	if (t == NULL) /* not UTF-8: jansson refuses it; say so */
		return buf_adds(b, "\"(not UTF-8)\"", err);
	rc = buf_adds(b, t, err);
	free(t);
	return rc;
}

/* Appends the detail as logged: as it is when it is a JSON object in
 * ASCII (owl writes them so), else re-encoded, else as a string. */
static int
dj_detail(struct buf *b, const struct timeline_event *e, struct err *err)
{
	const char *d = e->detail_json ? e->detail_json : "{}";
	json_t *j;
	char *t;
	int rc;

	for (const char *p = d; e->detail_valid; p++) {
		if (*p == '\0')
			return buf_adds(b, d, err);
		if ((unsigned char)*p >= 0x7f || (unsigned char)*p < 0x20)
			break;
	}
	j = e->detail_valid ? json_loads(d, 0, NULL) : NULL;
	t = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(j);
	if (t == NULL)
		return dj_str(b, d, err);
	rc = buf_adds(b, t, err);
	free(t);
	return rc;
}

/* One entry: its fields, its detail as stored (an object), where it
 * shows and how it turned out; one line. */
static int
dj_event(const struct timeline_event *e, void *ctx)
{
	struct dj_ev *x = ctx;
	struct buf *b = &x->o->b;
	struct err *err = x->o->err;
	enum timeline_shown shown;
	enum timeline_outcome mark;
	char at[CLOCK_RFC3339_MAX], run[32];
	const char *out;
	int rb, rc = 0;

	timeline_classify(e, &shown, &mark, &rb);
	out = tl_outcome(mark);
	clock_format(e->at_us, 1, at);
	snprintf(run, sizeof run, "%" PRId64, e->run);
	rc |= buf_printf(
	    b, err, "%s\n  {\"at\":\"%s\",\"actor\":", x->i++ ? "," : "", at);
	rc |= dj_str(b, e->actor, err);
	rc |= buf_adds(b, ",\"kind\":", err);
	rc |= dj_str(b, e->kind, err);
	rc |= buf_adds(b, ",\"text\":", err);
	rc |= dj_str(b, e->text, err);
	rc |= buf_printf(b, err,
	    ",\"entry\":%" PRId64 ",\"hash\":\"%s\",\"run\":%s,"
	    "\"shown\":\"%s\",\"outcome\":%s%s%s,\"rollback_failed\":%s,"
	    "\"detail\":",
	    e->entry, e->hash, e->run ? run : "null", tl_shown(shown),
	    out ? "\"" : "", out ? out : "null", out ? "\"" : "",
	    rb ? "true" : "false");
	rc |= dj_detail(b, e, err);
	rc |= buf_addc(b, '}', err);
	return rc != 0 || tl_maybe(x->o) == -1;
}

static int
dj_incident_doc(struct tl_out *o, struct tl_doc *d)
{
	const struct timeline_model *m = &d->t.m;
	struct dj_ev x = { o, 0 };
	struct buf *b = &o->b;
	struct err *err = o->err;
	json_t *c;

	if ((o->since != 0 && o->n > 0 && buf_adds(b, ",\n", err) == -1) ||
	    buf_adds(b, "{\"version\": 2,\n", err) == -1 ||
	    dj_put(b, "incident", dj_incident(d), 1, err) == -1 ||
	    dj_put(b, "participants", dj_people(m), 1, err) == -1 ||
	    dj_put(b, "alerts", dj_alerts(m), 1, err) == -1 ||
	    dj_put(b, "more_alerts", json_integer((json_int_t)m->more_alerts),
	        0, err) == -1 ||
	    dj_put(b, "runs", dj_runs(m), 1, err) == -1 ||
	    dj_put(b, "changes", dj_changes(m), 1, err) == -1 ||
	    buf_adds(b, "\"events\": [", err) == -1 ||
	    timeline_each(&d->t, dj_event, &x, err) == -1)
		return -1;
	/* absent values are null: an intact chain is broken nowhere, not
	 * at entry 0 */
	c = json_pack("{s:b, s:s, s:I, s:o, s:I, s:I}", "verified",
	    d->chk.bad_id == 0, "head", d->head, "entries",
	    (json_int_t)d->chk.count, "broken_at",
	    d->chk.bad_id != 0 ? json_integer(d->chk.bad_id) : json_null(),
	    "first_entry", (json_int_t)d->t.head.first_id, "last_entry",
	    (json_int_t)d->t.head.last_id);
	if (buf_adds(b, "\n],\n", err) == -1 ||
	    dj_put(b, "chain", c, 1, err) == -1)
		return -1;
	b->len -= 2; /* the last ",\n" */
	return buf_adds(b, "\n}\n", err);
}

const struct tl_format tl_fmt_json = { dj_begin, dj_incident_doc, dj_end };

/* --- CSV --- */

static const char csv_head[] = "at,actor,kind,text,entry,hash,run,incident,"
                               "shown,outcome,rollback_failed,detail\r\n";

static int
csv_begin(struct tl_out *o)
{
	return buf_adds(&o->b, csv_head, o->err);
}

static int
csv_end(struct tl_out *o)
{
	(void)o;
	return 0;
}

struct csv_ev {
	struct tl_out *o;
	int64_t incident;
};

static int
csv_event(const struct timeline_event *e, void *ctx)
{
	struct csv_ev *x = ctx;
	struct buf *b = &x->o->b;
	char at[CLOCK_RFC3339_MAX], id[32], run[32], inc[32];
	enum timeline_shown shown;
	enum timeline_outcome mark;
	const char *out;
	int rb;

	timeline_classify(e, &shown, &mark, &rb);
	out = tl_outcome(mark);
	clock_format(e->at_us, 1, at);
	snprintf(id, sizeof id, "%" PRId64, e->entry);
	snprintf(inc, sizeof inc, "%" PRId64, x->incident);
	run[0] = '\0';
	if (e->run != 0)
		snprintf(run, sizeof run, "%" PRId64, e->run);
	{
		const char *f[12] = { at, e->actor, e->kind, e->text, id,
			e->hash, run, inc, tl_shown(shown), out ? out : "",
			rb ? "true" : "false", e->detail_json };
		for (size_t k = 0; k < 12; k++) {
			char *own;
			const char *c = tl_cleaned(f[k], &own);
			int bad = c == NULL ||
			    (k > 0 && buf_addc(b, ',', x->o->err) == -1) ||
			    timeline_esc_csv(b, c, x->o->err) == -1;
			free(own);
			if (bad) {
				err_set(x->o->err, ERR_FAILED, "out of memory");
				return 1;
			}
		}
	}
	return buf_adds(b, "\r\n", x->o->err) == -1 || tl_maybe(x->o) == -1;
}

static int
csv_incident(struct tl_out *o, struct tl_doc *d)
{
	struct csv_ev x = { o, d->t.head.incident };

	return timeline_each(&d->t, csv_event, &x, o->err);
}

const struct tl_format tl_fmt_csv = { csv_begin, csv_incident, csv_end };
