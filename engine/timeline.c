/* timeline.c: the postmortem timeline built from an incident's action-log
 * entries: one human line per entry, the incident's key times, and the
 * escaping of the export formats, the incidents of a window. Pure over
 * the entries but for timeline_load and timeline_window; the streamed
 * export is in timeline_stream.c. */
#include "timeline.h"
#include "timeline_int.h"

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

void
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

int
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

int
timeline_window(struct store *s, int64_t since, int64_t until, size_t max,
    int64_t **ids, size_t *n, struct err *err)
{
	static const char sql[] =
	    "SELECT id FROM incidents WHERE opened_at <= ?2 AND"
	    " (resolved_at IS NULL OR resolved_at >= ?1) ORDER BY opened_at,"
	    " id LIMIT ?3";
	struct store_stmt *st;
	int64_t *a = NULL, *g;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, since);
	store_bind_int64(st, 2, until);
	store_bind_int64(st, 3, (int64_t)max);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((g = realloc(a, cap * sizeof *a)) == NULL) {
				store_reset(st);
				free(a);
				*n = 0;
				return err_set(
				    err, ERR_FAILED, "out of memory");
			}
			a = g;
		}
		a[(*n)++] = store_col_int64(st, 0);
	}
	store_reset(st);
	*ids = a;
	if (rc != STORE_DONE) {
		free(a);
		*ids = NULL;
		*n = 0;
		return store_sqlerr(s, err, "incidents");
	}
	return 0;
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
	size_t n = s ? strlen(s) : 0, k = 0;
	/* a cell a spreadsheet would take for a formula (an actor named
	 * "=HYPERLINK(...)") is neutralised with a leading quote */
	int formula = n > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	int quote = n > 0 &&
	    (strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' || s[n - 1] == ' ');
	char t[1024];

	if (!quote && !formula)
		return n > 0 ? buf_add(out, s, n, err) : 0;
	if (quote)
		t[k++] = '"';
	if (formula)
		t[k++] = '\'';
	/* each quote doubled, into t, added a piece at a time (an entry's
	 * detail has dozens: a call for each cost csv a tenth of its time) */
	for (size_t i = 0; i < n; i++) {
		if (k + 3 > sizeof t) {
			if (buf_add(out, t, k, err) == -1)
				return -1;
			k = 0;
		}
		if ((t[k++] = s[i]) == '"')
			t[k++] = '"';
	}
	if (quote)
		t[k++] = '"';
	return buf_add(out, t, k, err);
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
