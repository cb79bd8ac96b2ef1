/* timeline.c: the postmortem timeline built from an incident's action-log
 * entries: one human line per entry, the incident's key times, and the
 * escaping of the export formats. Pure over the entries but for
 * timeline_load. */
#include "timeline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "pages.h"

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

/* The key of an effect in ctx.fx: "RUN:SEQ". */
static void
tl_fxkey(char *out, size_t n, int64_t run, const json_t *d)
{
	snprintf(out, n, "%" PRId64 ":%" PRId64, run,
	    (int64_t)json_integer_value(json_object_get(d, "seq")));
}

/* The first pass's context: alert names by fingerprint, runbook names
 * and step counts by run, effects by run and sequence number. */
static json_t *
tl_context_new(void)
{
	json_t *ctx = json_object();

	if (ctx == NULL)
		return NULL;
	if (json_object_set_new(ctx, "fp", json_object()) == -1 ||
	    json_object_set_new(ctx, "runs", json_object()) == -1 ||
	    json_object_set_new(ctx, "fx", json_object()) == -1) {
		json_decref(ctx);
		return NULL;
	}
	return ctx;
}

/* Adds what one event tells to the context. */
static void
tl_context_add(json_t *ctx, const struct timeline_event *ev, json_t *d)
{
	json_t *fps = json_object_get(ctx, "fp");
	json_t *runs = json_object_get(ctx, "runs");
	const char *fp = tl_str(d, "fingerprint");
	const char *name = tl_str2(d, "labels", "alertname");
	char key[64];
	json_t *r;

	if (strcmp(ev->kind, "alert.new") == 0 && fp && name)
		json_object_set_new(fps, fp, json_string(name));
	if (ev->run == 0)
		return;
	snprintf(key, sizeof key, "%" PRId64, ev->run);
	if (json_object_get(runs, key) == NULL)
		json_object_set_new(runs, key, json_object());
	r = json_object_get(runs, key);
	if (strcmp(ev->kind, "run.start") == 0)
		json_object_set(r, "runbook", json_object_get(d, "runbook"));
	if (strcmp(ev->kind, "run.step") == 0 &&
	    json_integer_value(json_object_get(d, "i")) >
	        json_integer_value(json_object_get(r, "steps")))
		json_object_set(r, "steps", json_object_get(d, "i"));
	if (strcmp(ev->kind, "effect.intent") == 0) {
		tl_fxkey(key, sizeof key, ev->run, d);
		json_object_set(json_object_get(ctx, "fx"), key, d);
	}
}

/* Updates the header with one event. */
static void
tl_head(
    struct timeline_head *h, const struct timeline_event *ev, const json_t *d)
{
	const char *k = ev->kind, *st = tl_str2(d, "after", "state");
	int64_t us;

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

/* s, or dflt when s is NULL. */
static const char *
tl_or(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

/* " by WHO" unless WHO is empty. */
static int
tl_by(struct buf *b, const char *who, struct err *err)
{
	return who && *who ? buf_printf(b, err, " by %s", who) : 0;
}

/* ": NOTE" when the detail has a note. */
static int
tl_note(struct buf *b, const json_t *d, struct err *err)
{
	const char *n = tl_str(d, "note");
	return n && *n ? buf_printf(b, err, ": %s", n) : 0;
}

static int tl_text_incident_more(struct buf *b, const struct timeline_event *ev,
    const json_t *d, struct err *err);

static int
tl_text_incident(struct buf *b, const struct timeline_event *ev,
    const json_t *d, struct err *err)
{
	const char *k = ev->kind + 9, *a = ev->actor;

	if (strcmp(k, "open") == 0)
		return buf_printf(b, err, "incident opened: %s (%s, from %s)",
		    tl_or(tl_str(d, "title"), "?"),
		    tl_or(tl_str(d, "severity"), "?"),
		    tl_or(tl_str(d, "source"), "?"));
	if (strcmp(k, "ack") == 0 || strcmp(k, "unack") == 0) {
		const char *via = tl_str(d, "via");
		if (buf_printf(b, err, "%s",
		        *k == 'a' ? "acknowledged"
		                  : "acknowledgement withdrawn") == -1 ||
		    tl_by(b,
		        *k == 'a' ? tl_or(tl_str2(d, "after", "acked_by"), a)
		                  : a,
		        err) == -1 ||
		    (via && buf_printf(b, err, " via %s", via) == -1))
			return -1;
		return tl_note(b, d, err);
	}
	if (strcmp(k, "resolve") == 0) {
		if (json_is_true(json_object_get(d, "auto")))
			return buf_printf(b, err, "resolved automatically: %s",
			    tl_or(tl_str(d, "reason"), "all alerts resolved"));
		if (buf_adds(b, "resolved", err) == -1 ||
		    tl_by(b, a, err) == -1)
			return -1;
		return tl_note(b, d, err);
	}
	if (strcmp(k, "reopen") == 0) {
		const char *r = tl_str(d, "reason");
		if (r && strcmp(r, "flap") == 0)
			return buf_adds(
			    b, "reopened: an alert fired again (flap)", err);
		return buf_printf(
		    b, err, "reopened by %s%s%s", a, r ? ": " : "", r ? r : "");
	}
	if (strcmp(k, "update") == 0)
		return buf_printf(b, err, "severity %s -> %s",
		    tl_or(tl_str2(d, "before", "severity"), "?"),
		    tl_or(tl_str2(d, "after", "severity"), "?"));
	return tl_text_incident_more(b, ev, d, err);
}

/* The incident kinds that change who or when: snooze, assign, notes and
 * silences. */
static int
tl_text_incident_more(struct buf *b, const struct timeline_event *ev,
    const json_t *d, struct err *err)
{
	const char *k = ev->kind + 9, *a = ev->actor;

	if (strcmp(k, "snooze") == 0 || strcmp(k, "unsnooze") == 0) {
		const char *u = tl_str2(d, "after", "snoozed_until");
		if (buf_printf(b, err, "%s",
		        *k == 's' ? "snoozed" : "unsnoozed") == -1 ||
		    (*k == 's' && u &&
		        buf_printf(b, err, " until %s", u) == -1) ||
		    tl_by(b, a, err) == -1)
			return -1;
		return tl_note(b, d, err);
	}
	if (strcmp(k, "assign") == 0) {
		const char *w = tl_str2(d, "after", "assignee");
		if ((w ? buf_printf(b, err, "assigned to %s", w)
		       : buf_adds(b, "unassigned", err)) == -1 ||
		    tl_by(b, a, err) == -1)
			return -1;
		return tl_note(b, d, err);
	}
	if (strcmp(k, "note") == 0)
		return buf_printf(
		    b, err, "note by %s: %s", a, tl_or(tl_str(d, "text"), ""));
	if (strcmp(k, "change") == 0) /* a deploy, a config push */
		return buf_printf(b, err, "change%s%s: %s%s%s%s",
		    tl_str(d, "at") ? " at " : "", tl_or(tl_str(d, "at"), ""),
		    tl_or(tl_str(d, "summary"), "?"),
		    tl_str(d, "source") ? " (from " : "",
		    tl_or(tl_str(d, "source"), ""),
		    tl_str(d, "source") ? ")" : "");
	if (strcmp(k, "silence") == 0)
		return buf_printf(b, err,
		    "silenced in Alertmanager by %s until %s (silence %s)%s%s",
		    a, tl_or(tl_str(d, "until"), "?"),
		    tl_or(tl_str(d, "silence_id"), "?"),
		    tl_str(d, "comment") ? ": " : "",
		    tl_or(tl_str(d, "comment"), ""));
	if (strcmp(k, "unsilence") == 0)
		return buf_printf(b, err, "silence %s removed: %s",
		    tl_or(tl_str(d, "silence_id"), "?"),
		    tl_or(tl_str(d, "reason"), "?"));
	return 1;
}

/* "alert X updated: a, b changed; c added" from an alert.update. */
static int
tl_text_alert_update(
    struct buf *b, const char *name, const json_t *d, struct err *err)
{
	static const char *const parts[] = { "labels", "annotations" };
	static const char *const how[] = { "changed", "added" };
	const char *k, *sep = ": ";
	json_t *o, *v;

	if (buf_printf(b, err, "alert %s updated", name) == -1)
		return -1;
	for (int h = 0; h < 2; h++) {
		int any = 0;

		for (int p = 0; p < 2; p++) {
			o = json_object_get(
			    json_object_get(d, parts[p]), how[h]);
			json_object_foreach(o, k, v)
			{
				if (buf_printf(b, err, "%s%s", any ? ", " : sep,
				        k) == -1)
					return -1;
				any = 1;
			}
		}
		if (any && buf_printf(b, err, " %s", how[h]) == -1)
			return -1;
		if (any)
			sep = "; ";
	}
	if (json_object_get(d, "generator_url") != NULL &&
	    buf_printf(b, err, "%sits URL", sep) == -1)
		return -1;
	return 0;
}

static int
tl_text_alert(struct buf *b, const struct timeline_event *ev, const json_t *d,
    const json_t *ctx, struct err *err)
{
	const char *k = ev->kind + 6, *fp = tl_str(d, "fingerprint");
	const char *name = tl_str2(d, "labels", "alertname");
	const char *sum = tl_str2(d, "annotations", "summary");

	if (name == NULL && fp != NULL)
		name = json_string_value(
		    json_object_get(json_object_get(ctx, "fp"), fp));
	if (name == NULL)
		name = fp ? fp : "?";
	if (strcmp(k, "new") == 0)
		return buf_printf(b, err, "alert %s %s (%s)%s%s", name,
		    tl_or(tl_str(d, "status"), "?"),
		    tl_or(tl_str(d, "severity"), "?"), sum ? ": " : "",
		    sum ? sum : "");
	if (strcmp(k, "resolve") == 0)
		return buf_printf(b, err, "alert %s resolved", name);
	if (strcmp(k, "refire") == 0)
		return buf_printf(b, err, "alert %s firing again", name);
	if (strcmp(k, "update") == 0)
		return tl_text_alert_update(b, name, d, err);
	if (strcmp(k, "stale") == 0)
		return buf_printf(b, err, "late %s of alert %s ignored: %s",
		    tl_or(tl_str2(d, "event", "status"), "event"), name,
		    tl_or(tl_str(d, "reason"), "older than what is stored"));
	return 1;
}

/* "3f2a9c1" of the commit, else "blob acd4ce9", else "unversioned". */
static int
tl_version(struct buf *b, const json_t *d, struct err *err)
{
	const char *c = tl_str(d, "commit"), *blob = tl_str(d, "blob");

	if (c != NULL)
		return buf_printf(b, err, "commit %.7s%s", c,
		    json_is_true(json_object_get(d, "dirty")) ? ", dirty" : "");
	if (blob != NULL)
		return buf_printf(b, err, "unversioned, blob %.7s", blob);
	return buf_adds(b, "unversioned", err);
}

static int
tl_text_run(struct buf *b, const struct timeline_event *ev, const json_t *d,
    const json_t *run, struct err *err)
{
	const char *k = ev->kind + 4, *e = tl_str(d, "error");
	const char *rb = tl_or(tl_str(run, "runbook"), "?");
	json_int_t ms = json_integer_value(json_object_get(d, "ms"));

	if (strcmp(k, "start") == 0) {
		if (buf_printf(b, err, "runbook %s (", rb) == -1 ||
		    tl_version(b, d, err) == -1 ||
		    buf_printf(b, err, ") %sstarted by %s",
		        json_is_true(json_object_get(d, "dry_run")) ? "dry-run "
		                                                    : "",
		        ev->actor) == -1)
			return -1;
		return 0;
	}
	if (strcmp(k, "step") == 0 || strcmp(k, "undo") == 0)
		return buf_printf(b, err,
		    "%s %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
		    " %s %s %" JSON_INTEGER_FORMAT " ms%s%s",
		    *k == 's' ? "step" : "undo step",
		    json_integer_value(json_object_get(d, "i")),
		    json_integer_value(json_object_get(run, "steps")),
		    tl_or(tl_str(d, "name"), "?"),
		    tl_or(tl_str(d, "status"), "?"), ms, e ? ": " : "",
		    e ? e : "");
	if (strcmp(k, "log") == 0)
		return buf_printf(
		    b, err, "log: %s", tl_or(tl_str(d, "text"), ""));
	if (strcmp(k, "confirm") == 0)
		return buf_printf(b, err, "confirm \"%s\": %s%s",
		    tl_or(tl_str(d, "text"), ""),
		    tl_or(tl_str(d, "answer"), "?"),
		    json_is_true(json_object_get(d, "yes_flag")) ? " (--yes)"
		                                                 : "");
	if (strcmp(k, "end") == 0)
		return buf_printf(b, err, "runbook %s ended: %s%s%s", rb,
		    tl_or(tl_str(d, "status"), "?"), e ? ": " : "", e ? e : "");
	if (strcmp(k, "interrupted") == 0)
		return buf_printf(b, err, "runbook %s interrupted%s%s", rb,
		    tl_str(d, "reason") ? ": " : "",
		    tl_or(tl_str(d, "reason"), ""));
	if (strcmp(k, "lease_takeover") == 0)
		return buf_printf(b, err,
		    "runbook %s took over the lease of run %" JSON_INTEGER_FORMAT
		    " (%s, gone)",
		    rb, json_integer_value(json_object_get(d, "previous_run")),
		    tl_or(tl_str(d, "holder"), "?"));
	return 1;
}

static int
tl_text_effect(struct buf *b, const struct timeline_event *ev, const json_t *d,
    const json_t *ctx, struct err *err)
{
	char key[64];
	const json_t *in = d;
	const json_t *v;

	if (strcmp(ev->kind, "effect.result") == 0) {
		tl_fxkey(key, sizeof key, ev->run, d);
		in = json_object_get(json_object_get(ctx, "fx"), key);
	}
	if (buf_printf(b, err, "%s %s", tl_or(tl_str(in, "kind"), "effect"),
	        tl_or(tl_str(in, "target"), "?")) == -1)
		return -1;
	if (strcmp(ev->kind, "effect.intent") == 0)
		return buf_printf(b, err, ": started%s",
		    json_is_true(json_object_get(d, "dry_run")) ? " (dry-run)"
		                                                : "");
	if (strcmp(ev->kind, "effect.result") != 0)
		return 1;
	if (buf_adds(b, " -> ", err) == -1)
		return -1;
	if ((v = json_object_get(d, "status")) != NULL && json_is_integer(v))
		buf_printf(
		    b, err, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if ((v = json_object_get(d, "code")) != NULL && json_is_integer(v))
		buf_printf(b, err, "exit %" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else
		buf_adds(b,
		    json_is_true(json_object_get(d, "ok")) ? "ok" : "failed",
		    err);
	if (tl_str(d, "error") != NULL)
		buf_printf(b, err, ": %s", tl_str(d, "error"));
	if (json_is_true(json_object_get(d, "changed")))
		buf_adds(b, ", changed", err);
	if (json_is_true(json_object_get(d, "simulated")))
		buf_adds(b, " (simulated)", err);
	return buf_printf(b, err, " %" JSON_INTEGER_FORMAT " ms",
	    json_integer_value(json_object_get(d, "ms")));
}

/* The text of one event into b. */
static int
tl_text(const struct timeline_event *ev, const json_t *d, const json_t *ctx,
    struct buf *b, struct err *err)
{
	char key[32];
	char *s;
	int rc = 1;

	snprintf(key, sizeof key, "%" PRId64, ev->run);
	if (strncmp(ev->kind, "incident.", 9) == 0)
		rc = tl_text_incident(b, ev, d, err);
	else if (strncmp(ev->kind, "alert.", 6) == 0)
		rc = tl_text_alert(b, ev, d, ctx, err);
	else if (strncmp(ev->kind, "run.", 4) == 0)
		rc = tl_text_run(b, ev, d,
		    json_object_get(json_object_get(ctx, "runs"), key), err);
	else if (strncmp(ev->kind, "effect.", 7) == 0)
		rc = tl_text_effect(b, ev, d, ctx, err);
	else
		rc = pages_text(ev->kind, d, b, err);
	if (rc != 1)
		return rc;
	/* a kind this version does not know: its name and its detail */
	buf_reset(b);
	s = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	rc = buf_printf(b, err, "%s %s", ev->kind, s ? s : "{}");
	free(s);
	return rc;
}

/* Sets ev->text (malloc'd) to the event's line, cut at
 * TIMELINE_TEXT_MAX; b is scratch. */
static int
tl_line(struct timeline_event *ev, const json_t *d, const json_t *ctx,
    struct buf *b, struct err *err)
{
	struct err e2;

	err_init(&e2);
	buf_reset(b);
	/* a text past the ceiling is cut, not an error */
	tl_text(ev, d, ctx, b, &e2);
	free(ev->text);
	if ((ev->text = strdup(buf_str(b))) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (strlen(ev->text) > TIMELINE_TEXT_MAX)
		strcpy(ev->text + TIMELINE_TEXT_MAX - 3, "...");
	return 0;
}

int
timeline_finish(struct timeline *t, struct err *err)
{
	json_t *ctx = tl_context_new();
	struct buf b;
	int rc = -1;

	buf_init(&b, TIMELINE_TEXT_MAX * 8);
	if (ctx == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n; i++)
		tl_context_add(ctx, &t->ev[i], json_array_get(t->details, i));
	for (size_t i = 0; i < t->n; i++) {
		json_t *d = json_array_get(t->details, i);

		tl_head(&t->head, &t->ev[i], d);
		if (tl_line(&t->ev[i], d, ctx, &b, err) == -1)
			goto out;
	}
	rc = 0;
out:
	buf_done(&b);
	json_decref(ctx);
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

/* The parsed detail of an entry: an object, {} when it is not one. */
static json_t *
tl_detail(const struct actlog_entry *e)
{
	json_t *d =
	    json_loads(e->detail ? e->detail : "{}", JSON_DECODE_ANY, NULL);

	if (d == NULL || !json_is_object(d)) {
		json_decref(d);
		d = json_object(); /* an unparsable detail tells nothing */
	}
	return d;
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
	    strcmp(k, "effect.intent") == 0;
}

/* The alert names by fingerprint, for the lines of alert.resolve and
 * alert.refire (their entries name no alert): read, only when there are
 * such lines, by SQLite's JSON reader over the incident's index, with no
 * tree built per entry. */
static int
tl_names(struct timeline_stream *ts, struct err *err)
{
	static const char sql[] =
	    "SELECT json_extract(detail, '$.fingerprint'),"
	    " json_extract(detail, '$.labels.alertname') FROM actlog"
	    " WHERE incident_id = ? AND kind = 'alert.new'"
	    " AND json_valid(detail)";
	json_t *fps = json_object_get(ts->ctx, "fp");
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(ts->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ts->head.incident);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *fp = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);

		if (fp != NULL && name != NULL &&
		    json_object_set_new(fps, fp, json_string(name)) == -1) {
			sqlite3_reset(st);
			return err_set(err, ERR_FAILED, "out of memory");
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(ts->s, err, "action log");
	return 0;
}

/* One entry of pass one: checked against its hash, counted, and what
 * it tells the header and the context. */
static int
tl_pass1(struct timeline_stream *ts, const struct actlog_entry *e,
    const char *starts)
{
	struct timeline_event ev;
	json_t *d;

	int64_t us;

	if (ts->bad_id == 0 && !actlog_entry_ok(&ts->h, e))
		ts->bad_id = e->id;
	ts->n++;
	if (starts != NULL) { /* an alert.new: only its start counts here */
		if (clock_parse(starts, &us, NULL) == 0 &&
		    (ts->head.started_us == 0 || us < ts->head.started_us))
			ts->head.started_us = us;
		return 0;
	}
	tl_event(&ev, e);
	if (strcmp(ev.kind, "alert.resolve") == 0 ||
	    strcmp(ev.kind, "alert.refire") == 0)
		ts->need_names = 1;
	if (!tl_pass1_kind(ev.kind))
		return 0;
	if ((d = tl_detail(e)) == NULL)
		return -1;
	tl_head(&ts->head, &ev, d);
	tl_context_add(ts->ctx, &ev, d);
	json_decref(d);
	return 0;
}

/* Pass one reads every column (the hash check needs them) and, of an
 * alert.new entry, its starts_at (column 9, by SQLite's JSON reader). */
static const char tl_pass1_sql[] =
    "SELECT id, at_us, actor, incident_id, run_id, kind, detail, prev_hash,"
    " hash, CASE WHEN kind = 'alert.new' AND json_valid(detail) THEN"
    " coalesce(json_extract(detail, '$.starts_at'), '') END FROM actlog"
    " WHERE incident_id = ? ORDER BY id";

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
	if ((ts->ctx = tl_context_new()) == NULL || hash_begin(&ts->h) == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	if ((st = store_stmt(s, tl_pass1_sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, incident);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_entry(st, &e);
		if (tl_pass1(ts, &e, tl_col(st, 9)) == -1) {
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

/* One event of pass two: its text, then the writer. */
static int
tl_pass2(struct tl_pass2 *p, const struct actlog_entry *e, json_t *d)
{
	struct timeline_event ev;
	int rc;

	tl_event(&ev, e);
	if (d == NULL || tl_line(&ev, d, p->ts->ctx, &p->b, p->err) == -1) {
		json_decref(d);
		err_set(p->err, ERR_FAILED, "out of memory");
		p->failed = 1;
		return 1;
	}
	json_decref(d);
	rc = p->fn(&ev, p->ctx);
	free(ev.text);
	if (rc != 0)
		p->failed = 1;
	return rc;
}

/* Pass two reads the incident's rows in order; of an alert.new entry
 * (most of a storm) it reads only what its line says, with one call of
 * SQLite's JSON reader, instead of a tree of the whole detail: column 9
 * is then [fingerprint, alertname, summary, status, severity] and
 * column 6 (the detail) NULL. */
static const char tl_pass2_sql[] =
    "SELECT id, at_us, actor, incident_id, run_id, kind,"
    " CASE WHEN n THEN NULL ELSE detail END, prev_hash, hash,"
    " CASE WHEN n THEN json_extract(detail, '$.fingerprint',"
    " '$.labels.alertname', '$.annotations.summary', '$.status',"
    " '$.severity') END"
    " FROM (SELECT *, kind = 'alert.new' AND json_valid(detail) AS n"
    " FROM actlog WHERE incident_id = ?) ORDER BY id";

/* The detail of an alert.new row, from the fields SQL read. */
static json_t *
tl_alert_new(const char *fields)
{
	json_t *f = json_loads(fields, 0, NULL), *d;

	d = json_pack("{s:O?, s:{s:O?}, s:{s:O?}, s:O?, s:O?}", "fingerprint",
	    json_array_get(f, 0), "labels", "alertname", json_array_get(f, 1),
	    "annotations", "summary", json_array_get(f, 2), "status",
	    json_array_get(f, 3), "severity", json_array_get(f, 4));
	json_decref(f);
	return d;
}

int
timeline_each(
    struct timeline_stream *ts, timeline_fn *fn, void *ctx, struct err *err)
{
	struct tl_pass2 p = { ts, fn, ctx, { 0 }, err, 0 };
	struct actlog_entry e;
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(ts->s, tl_pass2_sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ts->head.incident);
	buf_init(&p.b, TIMELINE_TEXT_MAX * 8);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_entry(st, &e);
		if (tl_pass2(&p, &e,
		        tl_col(st, 9) != NULL ? tl_alert_new(tl_col(st, 9))
		                              : tl_detail(&e)) != 0) {
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

void
timeline_close(struct timeline_stream *ts)
{
	json_decref(ts->ctx);
	hash_done(&ts->h);
	free(ts->head.title);
	free(ts->head.severity);
	free(ts->head.state);
	free(ts->head.source);
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

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = s[i] == '"' ? buf_adds(out, "\"\"", err)
		                 : buf_addc(out, s[i], err);
	if (rc == 0 && quote)
		rc = buf_addc(out, '"', err);
	return rc;
}

int
timeline_esc_html(struct buf *out, const char *s, struct err *err)
{
	int rc = 0;

	for (; s && *s && rc == 0; s++) {
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
