/* timeline_narr.c: the narrative of a timeline (pass two): one line per
 * meaningful event, in the sentences of actlog_text; each runbook run
 * one block (its start, then its steps, effects and undos, then its
 * end), an effect's intent and result one line. */
#include "timeline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

static const char *
tn_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
tn_in(const char *k, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(k, list[i]) == 0)
			return 1;
	return 0;
}

void
timeline_classify(const struct timeline_event *ev, enum timeline_shown *shown,
    enum timeline_outcome *mark, int *rb_failed)
{
	static const char *const summary[] = { "incident.open", "incident.ack",
		"incident.unack", "incident.assign", "incident.note",
		"incident.snooze", "incident.unsnooze", "incident.silence",
		"incident.unsilence", "incident.reopen", "incident.resolve",
		"run.start", "run.end" };
	static const char *const full[] = { "runbooks.sync", "effect.intent",
		"paging.start", "page.queued", "oncall.override",
		"oncall.override.remove" };
	const char *k = ev->kind, *st;
	const json_t *ok;

	*shown = TIMELINE_NARRATIVE;
	*mark = TIMELINE_NONE;
	*rb_failed = 0;
	if (strncmp(k, "alert.", 6) == 0)
		return; /* most of a storm: in neither list, no outcome */
	st = tn_str(ev->detail, "status");
	ok = json_object_get(ev->detail, "ok");
	if (tn_in(k, summary, sizeof summary / sizeof summary[0]))
		*shown = TIMELINE_SUMMARY;
	else if (tn_in(k, full, sizeof full / sizeof full[0]))
		*shown = TIMELINE_FULL;
	*mark = TIMELINE_NONE;
	*rb_failed = 0;
	if (strcmp(k, "run.step") == 0 || strcmp(k, "run.undo") == 0 ||
	    strcmp(k, "run.end") == 0)
		*mark =
		    st && strcmp(st, "ok") == 0 ? TIMELINE_OK : TIMELINE_FAILED;
	else if (strcmp(k, "effect.result") == 0 && json_is_boolean(ok))
		*mark = json_is_true(ok) ? TIMELINE_OK : TIMELINE_FAILED;
	else if (strcmp(k, "run.interrupted") == 0 ||
	    strcmp(k, "page.failed") == 0 ||
	    strcmp(k, "page.undeliverable") == 0)
		*mark = TIMELINE_FAILED;
	else if (strcmp(k, "page.sent") == 0)
		*mark = TIMELINE_OK;
	if (strcmp(k, "run.undo") == 0 && *mark == TIMELINE_FAILED)
		*rb_failed = 1;
}

/* An effect's intent held until its result (they are told as one). */
struct tn_held {
	struct timeline_event ev;
	json_t *detail;
	int64_t seq;
	int have;
};

struct tn {
	struct timeline_stream *ts;
	enum timeline_shown mode;
	timeline_line_fn *fn;
	void *ctx;
	struct err *err;
	int64_t *done; /* runs told as blocks */
	size_t ndone, capdone;
	int64_t run, run_start; /* the block being told */
	int rb_failed;
	struct tn_held held;
	char extra[600];
};

static int
tn_emit(struct tn *t, const struct timeline_event *ev, int level,
    const char *extra, int rb_failed)
{
	struct timeline_line l = { .ev = ev, .text = ev->text, .level = level };
	char head[40];
	int rb;

	timeline_classify(ev, &l.shown, &l.mark, &rb);
	l.rollback_failed = rb || rb_failed;
	l.extra = extra;
	if (level > 0) { /* inside its run's block: "run N " said once */
		snprintf(head, sizeof head, "run %" PRId64 " ", ev->run);
		if (strncmp(l.text, head, strlen(head)) == 0)
			l.text += strlen(head);
	}
	return t->fn(&l, t->ctx);
}

static void
tn_unhold(struct tn_held *h)
{
	if (!h->have)
		return;
	free(h->ev.actor);
	free(h->ev.kind);
	free(h->ev.text);
	json_decref(h->detail);
	memset(h, 0, sizeof *h);
}

static int
tn_flush(struct tn *t)
{
	int rc;

	if (!t->held.have)
		return 0;
	rc = tn_emit(t, &t->held.ev, 1, NULL, 0);
	tn_unhold(&t->held);
	return rc;
}

static int
tn_hold(struct tn *t, const struct timeline_event *ev)
{
	struct tn_held *h = &t->held;

	h->ev = *ev;
	h->ev.actor = strdup(ev->actor);
	h->ev.kind = strdup(ev->kind);
	h->ev.text = strdup(ev->text ? ev->text : "");
	h->detail = json_incref((json_t *)ev->detail);
	h->ev.detail = h->detail;
	h->ev.detail_json = NULL;
	h->seq = json_integer_value(json_object_get(ev->detail, "seq"));
	h->have = 1;
	if (h->ev.actor == NULL || h->ev.kind == NULL || h->ev.text == NULL) {
		tn_unhold(h);
		err_set(t->err, ERR_FAILED, "out of memory");
		return 1;
	}
	return 0;
}

static int
tn_keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "params: a=1, b=x" of a run's start, in the names' order (a Lua
 * table's order is not the same from one run to the next). */
static const char *
tn_params(struct tn *t, const json_t *d)
{
	const json_t *p = json_object_get(d, "params");
	const char **keys;
	size_t n = 0, nk = 0, i;
	const char *k;
	json_t *v;
	char *s;

	t->extra[0] = '\0';
	if (!json_is_object(p) || json_object_size(p) == 0)
		return NULL;
	if ((keys = calloc(json_object_size(p), sizeof *keys)) == NULL) {
		err_set(t->err, ERR_FAILED, "out of memory");
		return NULL;
	}
	json_object_foreach((json_t *)p, k, v) keys[nk++] = k;
	qsort(keys, nk, sizeof *keys, tn_keycmp);
	n = (size_t)snprintf(t->extra, sizeof t->extra, "params:");
	for (i = 0; i < nk; i++) {
		v = json_object_get(p, keys[i]);
		s = json_is_string(v)
		    ? strdup(json_string_value(v))
		    : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (n < sizeof t->extra)
			n += (size_t)snprintf(t->extra + n, sizeof t->extra - n,
			    "%s %s=%s", n > 7 ? "," : "", keys[i], s ? s : "?");
		free(s);
	}
	free(keys);
	return t->extra;
}

/* "after 1.2 s, plan 4" of a run's end. */
static const char *
tn_after(struct tn *t, const struct timeline_event *ev)
{
	int64_t us = ev->at_us - t->run_start;
	json_int_t plan =
	    json_integer_value(json_object_get(ev->detail, "plan"));
	char d[40];
	size_t n;

	if (us < 0)
		us = 0;
	if (us < 10 * 1000000)
		snprintf(d, sizeof d, "%" PRId64 ".%" PRId64 " s", us / 1000000,
		    us % 1000000 / 100000);
	else
		timeline_duration(us, d, sizeof d);
	n = (size_t)snprintf(t->extra, sizeof t->extra, "after %s", d);
	if (plan > 0 && strstr(ev->text, " plan ") == NULL &&
	    n < sizeof t->extra)
		snprintf(t->extra + n, sizeof t->extra - n,
		    ", plan %" JSON_INTEGER_FORMAT, plan);
	return t->extra;
}

/* One entry of a run's block. */
static int
tn_block(const struct timeline_event *ev, void *ctx)
{
	struct tn *t = ctx;
	const char *k = ev->kind;
	int result = strcmp(k, "effect.result") == 0;

	if (t->held.have &&
	    !(result &&
	        json_integer_value(json_object_get(ev->detail, "seq")) ==
	            t->held.seq) &&
	    tn_flush(t) != 0)
		return 1;
	if (strcmp(k, "run.start") == 0) {
		t->run_start = ev->at_us;
		return tn_emit(t, ev, 0, tn_params(t, ev->detail), 0);
	}
	if (strcmp(k, "run.undo") == 0 &&
	    !(tn_str(ev->detail, "status") &&
	        strcmp(tn_str(ev->detail, "status"), "ok") == 0))
		t->rb_failed = 1;
	if (strcmp(k, "run.end") == 0)
		return tn_emit(t, ev, 1, tn_after(t, ev), t->rb_failed);
	if (t->mode == TIMELINE_SUMMARY)
		return 0;
	if (strcmp(k, "effect.intent") == 0)
		return tn_hold(t, ev);
	if (result && t->held.have)
		tn_unhold(&t->held);
	return tn_emit(t, ev, 1, NULL, 0);
}

static int
tn_told(struct tn *t, int64_t run)
{
	for (size_t i = 0; i < t->ndone; i++)
		if (t->done[i] == run)
			return 1;
	return 0;
}

static int
tn_run(struct tn *t, int64_t run)
{
	int64_t *g;
	int rc;

	if (t->ndone == t->capdone) {
		t->capdone = t->capdone ? t->capdone * 2 : 16;
		if ((g = realloc(t->done, t->capdone * sizeof *g)) == NULL) {
			err_set(t->err, ERR_FAILED, "out of memory");
			return 1;
		}
		t->done = g;
	}
	t->done[t->ndone++] = run;
	t->run = run;
	t->rb_failed = 0;
	rc = timeline_each_run(t->ts, run, tn_block, t, t->err) == -1 ||
	    tn_flush(t) != 0;
	t->run = 0;
	return rc;
}

/* "ended 09:06:00, received 2d 0h 00m later" of an alert's resolve
 * that owl received a minute or more after the alert's own end. */
static const char *
tn_late(struct tn *t, const struct timeline_event *ev)
{
	const char *ends = ev->alert_ends;
	char late[40];
	int64_t us;

	if (strcmp(ev->kind, "alert.resolve") != 0 || ends == NULL ||
	    clock_parse(ends, &us, NULL) == -1 ||
	    ev->at_us - us < 60 * CLOCK_US_PER_SEC)
		return NULL;
	timeline_duration(ev->at_us - us, late, sizeof late);
	snprintf(t->extra, sizeof t->extra, "ended %s, received %s later", ends,
	    late);
	return t->extra;
}

static int
tn_event(const struct timeline_event *ev, void *ctx)
{
	struct tn *t = ctx;
	enum timeline_shown shown;
	enum timeline_outcome mark;
	int rb,
	    of_run = ev->run != 0 &&
	    (strncmp(ev->kind, "run.", 4) == 0 ||
	        strncmp(ev->kind, "effect.", 7) == 0);

	if (t->mode == TIMELINE_FULL)
		return tn_emit(t, ev, 0, NULL, 0);
	if (of_run && strcmp(ev->kind, "run.start") == 0 &&
	    !tn_told(t, ev->run))
		return tn_run(t, ev->run);
	if (of_run && tn_told(t, ev->run))
		return 0;
	/* the changes before the first alert have their own section */
	if (strcmp(ev->kind, "incident.change") == 0 &&
	    json_is_true(json_object_get(ev->detail, "before")))
		return 0;
	timeline_classify(ev, &shown, &mark, &rb);
	if (shown > t->mode)
		return 0;
	return tn_emit(t, ev, 0, tn_late(t, ev), 0);
}

int
timeline_narrate(struct timeline_stream *ts, enum timeline_shown mode,
    timeline_line_fn *fn, void *ctx, struct err *err)
{
	struct tn t = {
		.ts = ts, .mode = mode, .fn = fn, .ctx = ctx, .err = err
	};
	int rc;

	ts->spool_hashes = 1; /* for timeline_hashes after */
	rc = timeline_each(ts, tn_event, &t, err);

	tn_unhold(&t.held);
	free(t.done);
	return rc;
}
