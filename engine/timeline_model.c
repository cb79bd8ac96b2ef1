/* timeline_model.c: what pass one of a timeline export learns besides
 * the header: the alerts' lanes (their own firing times), the runs'
 * lanes (a bar per step), the marks (acks, notes, pages, changes), the
 * participants, the changes reported before the first alert, and the
 * labels every alert shares. Everything is bounded (timeline.h); past a
 * maximum the rest is counted. */
#include "timeline.h"
#include "timeline_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "common_labels.h"

static const char *
tm_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const char *
tm_str2(const json_t *o, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(o, a), b));
}

/* A copy of s ("" for NULL); NULL only when out of memory. */
static char *
tm_dup(const char *s)
{
	return strdup(s ? s : "");
}

/* The time of an RFC 3339 string, or 0. */
static int64_t
tm_time(const char *s)
{
	int64_t us;

	return s != NULL && clock_parse(s, &us, NULL) == 0 ? us : 0;
}

json_t *
timeline_labels(const char *s)
{
	const char *p = s, *key, *val;
	size_t kn, vn;
	char kb[256];
	json_t *o;

	if (p == NULL || *p++ != '{' || (o = json_object()) == NULL)
		return s ? json_loads(s, 0, NULL) : NULL;
	while (*p == '"') {
		key = ++p;
		while (*p != '"' && *p != '\\' && *p != '\0')
			p++;
		if (*p != '"' || p[1] != ':' || p[2] != '"')
			goto slow;
		kn = (size_t)(p - key);
		val = p += 3;
		while (*p != '"' && *p != '\\' && *p != '\0')
			p++;
		if (*p != '"' || kn >= sizeof kb)
			goto slow;
		vn = (size_t)(p - val);
		memcpy(kb, key, kn);
		kb[kn] = '\0';
		if (json_object_set_new(o, kb, json_stringn(val, vn)) == -1)
			goto slow;
		if (*++p == ',')
			p++;
	}
	if (*p == '}' && p[1] == '\0')
		return o;
slow: /* escapes, numbers, nesting: jansson reads it */
	json_decref(o);
	return json_loads(s, 0, NULL);
}

void
timeline_model_free(struct timeline_model *m)
{
	for (size_t i = 0; i < m->nalert; i++) {
		free(m->alert[i].fp);
		free(m->alert[i].name);
		json_decref(m->alert[i].labels);
		free(m->alert[i].severity);
	}
	for (size_t i = 0; i < m->nrun; i++) {
		for (size_t j = 0; j < m->run[i].nbar; j++)
			free(m->run[i].bar[j].name);
		free(m->run[i].runbook);
		free(m->run[i].actor);
		free(m->run[i].status);
	}
	for (size_t i = 0; i < m->nmark; i++)
		free(m->mark[i].label);
	for (size_t i = 0; i < m->nperson; i++)
		free(m->person[i].actor);
	for (size_t i = 0; i < m->nchange; i++) {
		free(m->change[i].summary);
		free(m->change[i].source);
	}
	json_decref(m->common);
	json_decref(m->services);
	strmap_free(m->lanes);
	memset(m, 0, sizeof *m);
}

/* The lane of the alert fp, or NULL. */
static struct timeline_alert *
tm_alert(struct timeline_model *m, const char *fp)
{
	const char *i = fp != NULL ? strmap_get(m->lanes, fp) : NULL;

	return i != NULL ? &m->alert[strtoul(i, NULL, 10)] : NULL;
}

static struct timeline_run *
tm_run(struct timeline_model *m, int64_t run)
{
	for (size_t i = 0; i < m->nrun; i++)
		if (m->run[i].run == run)
			return &m->run[i];
	return NULL;
}

/* Adds a "service" label's value to the services (at most 8). */
static int
tm_service(struct timeline_model *m, const char *svc)
{
	if (svc == NULL)
		return 0;
	if (m->services == NULL && (m->services = json_array()) == NULL)
		return -1;
	for (size_t i = 0; i < json_array_size(m->services); i++)
		if (strcmp(json_string_value(json_array_get(m->services, i)),
		        svc) == 0)
			return 0;
	return json_array_size(m->services) < 8
	    ? json_array_append_new(m->services, json_string(svc))
	    : 0;
}

/* The value of key among pairs, or NULL. */
static const char *
tm_pair(const char *const *k, const char *const *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(k[i], key) == 0)
			return v[i];
	return NULL;
}

/* Keeps in m->common only the labels that `labels` has with the same
 * value (common_labels.h); collects the "service" labels. */
static int
tm_common(struct timeline_stream *ts, const json_t *labels)
{
	if (common_labels_add(&ts->m.common, labels) == -1)
		return -1;
	return tm_service(&ts->m, tm_str(labels, "service"));
}

/* The same of labels read as pairs (each key once, strings). */
static int
tm_common_pairs(struct timeline_stream *ts, const char *const *k,
    const char *const *v, size_t n)
{
	if (common_labels_add_pairs(&ts->m.common, k, v, n) == -1)
		return -1;
	return tm_service(&ts->m, tm_pair(k, v, n, "service"));
}

/* Starts a firing span of a, unless it is firing already. */
static void
tm_fire(struct timeline_alert *a, int64_t at)
{
	if (a->nspan > 0 && a->span[a->nspan - 1].to_us == 0)
		return;
	if (a->nspan == TIMELINE_SPANS_MAX)
		return;
	a->span[a->nspan].from_us = at;
	a->span[a->nspan++].to_us = 0;
}

static void
tm_end(struct timeline_alert *a, int64_t at)
{
	if (a->nspan > 0 && a->span[a->nspan - 1].to_us == 0)
		a->span[a->nspan - 1].to_us = at > a->span[a->nspan - 1].from_us
		    ? at
		    : a->span[a->nspan - 1].from_us;
}

/* A lane for a new alert (labels: its labels' tree, or NULL), past the
 * most lanes counted. */
static int
tm_lane(struct timeline_stream *ts, const struct timeline_event *ev,
    const char *const *v, json_t *labels)
{
	struct timeline_model *m = &ts->m;
	struct timeline_alert *a;
	int64_t start = tm_time(v[TL_V_START]), end = tm_time(v[TL_V_END]);
	char i[24];

	if (m->nalert == TIMELINE_LANES_MAX) {
		m->more_alerts++;
		return 0;
	}
	snprintf(i, sizeof i, "%zu", m->nalert);
	if ((m->lanes == NULL && (m->lanes = strmap_new()) == NULL) ||
	    strmap_set(m->lanes, v[TL_V_FP], i) == -1)
		return -1;
	a = &m->alert[m->nalert];
	memset(a, 0, sizeof *a);
	a->fp = tm_dup(v[TL_V_FP]);
	a->name = tm_dup(tm_str(labels, "alertname"));
	a->severity = tm_dup(v[TL_V_SEV]);
	a->labels = json_incref(labels);
	if (a->fp == NULL || a->name == NULL || a->severity == NULL) {
		free(a->fp);
		free(a->name);
		free(a->severity);
		json_decref(a->labels);
		return -1;
	}
	m->nalert++;
	tm_fire(a, start ? start : ev->at_us);
	if (v[TL_V_STATUS] != NULL && strcmp(v[TL_V_STATUS], "resolved") == 0)
		tm_end(a, end ? end : ev->at_us);
	return 0;
}

#define TM_PAIRS 64 /* labels read as pairs */

/* Notes that an alert.new of fp was read: in ts->seen once a resolve
 * or refire was, else in ts->pend. */
static int
tm_seen(struct timeline_stream *ts, const char *fp)
{
	size_t n = strlen(fp) + 1, cap;
	char *p;

	if (ts->seen != NULL)
		return strmap_set(ts->seen, fp, NULL);
	if (ts->npend + n > ts->pendcap) {
		cap = ts->pendcap ? ts->pendcap * 2 : 4096;
		while (cap < ts->npend + n)
			cap *= 2;
		if ((p = realloc(ts->pend, cap)) == NULL)
			return -1;
		ts->pend = p;
		ts->pendcap = cap;
	}
	memcpy(ts->pend + ts->npend, fp, n);
	ts->npend += n;
	return 0;
}

/* ts->seen, made from ts->pend at the first resolve or refire. */
static int
tm_seen_map(struct timeline_stream *ts)
{
	if (ts->seen != NULL)
		return 0;
	if ((ts->seen = strmap_new()) == NULL)
		return -1;
	for (size_t i = 0; i < ts->npend; i += strlen(ts->pend + i) + 1)
		if (strmap_set(ts->seen, ts->pend + i, NULL) == -1)
			return -1;
	free(ts->pend);
	ts->pend = NULL;
	ts->npend = ts->pendcap = 0;
	return 0;
}

int
timeline_model_alert(struct timeline_stream *ts,
    const struct timeline_event *ev, const char *const *v, const char *lab)
{
	const char *k[TM_PAIRS], *val[TM_PAIRS], *fp = v[TL_V_FP];
	struct timeline_model *m = &ts->m;
	int64_t start = tm_time(v[TL_V_START]);
	json_t *labels = NULL;
	char buf[4096];
	int n = -1, rc = 0;

	ts->head.alerts++;
	if (start != 0 &&
	    (ts->head.started_us == 0 || start < ts->head.started_us))
		ts->head.started_us = start;
	/* the labels as pairs when they are as owl writes them, else a
	 * tree (and a tree for a new lane) */
	if (lab != NULL &&
	    (n = tl_pairs(lab, buf, sizeof buf, k, val, TM_PAIRS)) >= 0)
		rc = tm_common_pairs(ts, k, val, (size_t)n);
	else {
		/* not in json_is_object(): a macro, it reads its argument
		 * twice (two trees, the first one lost) */
		labels = timeline_labels(lab);
		if (json_is_object(labels))
			rc = tm_common(ts, labels);
	}
	if (fp != NULL && tm_seen(ts, fp) == -1)
		rc = -1;
	if (rc == 0 && fp != NULL && tm_alert(m, fp) == NULL) {
		if (n >= 0 && m->nalert < TIMELINE_LANES_MAX)
			labels = timeline_labels(lab);
		rc = tm_lane(ts, ev, v, labels);
	}
	json_decref(labels);
	return rc;
}

static int
tm_mark(struct timeline_model *m, const struct timeline_event *ev,
    enum timeline_mark_kind kind, const char *label)
{
	struct timeline_mark *k;

	if (m->nmark == TIMELINE_MARKS_MAX) {
		m->more_marks++;
		return 0;
	}
	k = &m->mark[m->nmark];
	k->at_us = ev->at_us;
	k->entry = ev->entry;
	k->kind = kind;
	if ((k->label = tm_dup(label)) == NULL)
		return -1;
	m->nmark++;
	return 0;
}

/* The kinds a person does to an incident (a human action). */
static int
tm_human(const char *k)
{
	static const char *const kinds[] = { "incident.ack", "incident.unack",
		"incident.assign", "incident.note", "incident.snooze",
		"incident.unsnooze", "incident.silence", "incident.unsilence",
		"incident.reopen", "run.start", "page.queued" };

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(k, kinds[i]) == 0)
			return 1;
	return 0;
}

static int
tm_person(
    struct timeline_model *m, const struct timeline_event *ev, const json_t *d)
{
	struct timeline_person *p = NULL;
	int human = tm_human(ev->kind) ||
	    (strcmp(ev->kind, "incident.resolve") == 0 &&
	        !json_is_true(json_object_get(d, "auto")));

	if (m->last_person < m->nperson &&
	    strcmp(m->person[m->last_person].actor, ev->actor) == 0)
		p = &m->person[m->last_person];
	for (size_t i = 0; i < m->nperson && p == NULL; i++)
		if (strcmp(m->person[i].actor, ev->actor) == 0)
			p = &m->person[i];
	if (p == NULL) {
		if (m->nperson == TIMELINE_PEOPLE_MAX) {
			m->more_people++;
			return 0;
		}
		p = &m->person[m->nperson];
		memset(p, 0, sizeof *p);
		if ((p->actor = tm_dup(ev->actor)) == NULL)
			return -1;
		p->first_us = ev->at_us;
		m->nperson++;
	}
	m->last_person = (size_t)(p - m->person);
	p->n++;
	p->last_us = ev->at_us;
	p->human |= human;
	return 0;
}

/* A note that says it mitigated the incident: marked so (owl note INC
 * --mitigated TEXT), or, as notes said it before the mark, starting
 * "mitigated..." or "Mitigation...". */
static int
tm_mitigation_note(const json_t *d)
{
	const char *text = tm_str(d, "text");

	return json_is_true(json_object_get(d, "mitigated")) ||
	    (text != NULL &&
	        (strncasecmp(text, "mitigated", 9) == 0 ||
	            strncasecmp(text, "mitigation", 10) == 0));
}

static void
tm_mitigated(struct timeline_head *h, int64_t at, const char *by)
{
	char *c;

	if (h->mitigated_us != 0 || (c = strdup(by)) == NULL)
		return;
	h->mitigated_us = at;
	h->mitigated_by = c;
}

static int
tm_run_event(struct timeline_stream *ts, const struct timeline_event *ev,
    const json_t *d)
{
	struct timeline_model *m = &ts->m;
	struct timeline_run *r = tm_run(m, ev->run);
	struct timeline_bar *b;
	const char *k = ev->kind, *st = tm_str(d, "status");
	char by[200];

	if (strcmp(k, "run.start") == 0 && r == NULL) {
		ts->head.runs++;
		if (m->nrun == TIMELINE_RUNS_MAX) {
			m->more_runs++;
			return 0;
		}
		r = &m->run[m->nrun];
		memset(r, 0, sizeof *r);
		r->run = ev->run;
		r->start_us = ev->at_us;
		r->dry_run = json_is_true(json_object_get(d, "dry_run"));
		if ((r->runbook = tm_dup(tm_str(d, "runbook"))) == NULL ||
		    (r->actor = tm_dup(ev->actor)) == NULL)
			return -1;
		m->nrun++;
		return 0;
	}
	if (strcmp(k, "run.end") == 0 && st != NULL) {
		if (strcmp(st, "ok") == 0 && (r == NULL || !r->dry_run)) {
			snprintf(by, sizeof by, "run %" PRId64 " %s", ev->run,
			    r && r->runbook ? r->runbook : "");
			tm_mitigated(&ts->head, ev->at_us, by);
		}
		if (r == NULL)
			return 0;
		r->end_us = ev->at_us;
		free(r->status);
		return (r->status = tm_dup(st)) == NULL ? -1 : 0;
	}
	if (r == NULL ||
	    (strcmp(k, "run.step") != 0 && strcmp(k, "run.undo") != 0))
		return 0;
	if (strcmp(k, "run.undo") == 0 && st && strcmp(st, "ok") != 0)
		r->rollback_failed = 1;
	if (r->nbar == TIMELINE_BARS_MAX)
		return 0;
	b = &r->bar[r->nbar];
	b->at_us = ev->at_us;
	b->ms = json_integer_value(json_object_get(d, "ms"));
	b->i = (int)json_integer_value(json_object_get(d, "i"));
	b->undo = strcmp(k, "run.undo") == 0;
	b->ok = st != NULL && strcmp(st, "ok") == 0;
	if ((b->name = tm_dup(tm_str(d, "name"))) == NULL)
		return -1;
	r->nbar++;
	return 0;
}

int
timeline_model_change(struct timeline_stream *ts,
    const struct timeline_event *ev, const char *const *v)
{
	struct timeline_alert *a;
	int64_t at;

	/* pass two learns each alert's name from its alert.new, in log
	 * order: only an alert whose alert.new comes later or elsewhere
	 * needs the names read first */
	if (tm_seen_map(ts) == -1)
		return -1;
	if (v[TL_C_FP] != NULL && strmap_get(ts->seen, v[TL_C_FP]) == NULL)
		ts->need_names = 1;
	if ((a = tm_alert(&ts->m, v[TL_C_FP])) != NULL) {
		if (strcmp(ev->kind, "alert.resolve") == 0) {
			at = tm_time(v[TL_C_END]);
			tm_end(a, at ? at : ev->at_us);
		} else {
			at = tm_time(v[TL_C_START]);
			tm_fire(a, at ? at : ev->at_us);
		}
	}
	return 0;
}

static int
tm_alert_change(struct timeline_stream *ts, const struct timeline_event *ev,
    const json_t *d)
{
	struct timeline_alert *a = tm_alert(&ts->m, tm_str(d, "fingerprint"));
	int64_t at;

	if (a == NULL)
		return 0;
	if (strcmp(ev->kind, "alert.resolve") == 0) {
		at = tm_time(tm_str2(d, "after", "ends_at"));
		tm_end(a, at ? at : ev->at_us);
	} else {
		at = tm_time(tm_str2(d, "after", "starts_at"));
		tm_fire(a, at ? at : ev->at_us);
	}
	return 0;
}

static int
tm_change(struct timeline_stream *ts, const struct timeline_event *ev,
    const json_t *d)
{
	struct timeline_model *m = &ts->m;
	struct timeline_change *c;
	int64_t at = tm_time(tm_str(d, "at"));

	if (tm_mark(m, ev, TIMELINE_MARK_CHANGE, tm_str(d, "summary")) == -1)
		return -1;
	/* the marks are at the change's own time */
	if (m->nmark > 0 && m->mark[m->nmark - 1].entry == ev->entry && at)
		m->mark[m->nmark - 1].at_us = at;
	if (!json_is_true(json_object_get(d, "before")) ||
	    m->nchange == TIMELINE_CHANGES_MAX)
		return 0;
	c = &m->change[m->nchange];
	c->at_us = at ? at : ev->at_us;
	c->entry = ev->entry;
	c->summary = tm_dup(tm_str(d, "summary"));
	c->source = tm_dup(tm_str(d, "source"));
	if (c->summary == NULL || c->source == NULL) {
		free(c->summary);
		free(c->source);
		return -1;
	}
	m->nchange++;
	return 0;
}

int
timeline_model_add(struct timeline_stream *ts, const struct timeline_event *ev,
    const json_t *d)
{
	struct timeline_model *m = &ts->m;
	const char *k = ev->kind;
	char by[200];

	if (tm_person(m, ev, d) == -1)
		return -1;
	if (strncmp(k, "run.", 4) == 0 && ev->run != 0)
		return tm_run_event(ts, ev, d);
	if (strcmp(k, "alert.resolve") == 0 || strcmp(k, "alert.refire") == 0)
		return tm_alert_change(ts, ev, d);
	if (strcmp(k, "incident.change") == 0)
		return tm_change(ts, ev, d);
	if (strcmp(k, "incident.ack") == 0) {
		if (ts->head.acked_by == NULL)
			ts->head.acked_by =
			    tm_dup(tm_str2(d, "after", "acked_by")
			            ? tm_str2(d, "after", "acked_by")
			            : ev->actor);
		return tm_mark(m, ev, TIMELINE_MARK_ACK, ev->actor);
	}
	if (strcmp(k, "incident.note") == 0) {
		ts->head.notes++;
		if (tm_mitigation_note(d)) {
			snprintf(by, sizeof by, "note by %s", ev->actor);
			tm_mitigated(&ts->head, ev->at_us, by);
		}
		return tm_mark(m, ev, TIMELINE_MARK_NOTE, ev->actor);
	}
	if (strcmp(k, "page.sent") == 0) {
		ts->head.pages++;
		return tm_mark(m, ev, TIMELINE_MARK_PAGE,
		    tm_str(d, "to") ? tm_str(d, "to") : ev->actor);
	}
	if (strcmp(k, "incident.assign") == 0 ||
	    strcmp(k, "incident.reopen") == 0 ||
	    strcmp(k, "incident.snooze") == 0 ||
	    strcmp(k, "incident.silence") == 0)
		return tm_mark(m, ev, TIMELINE_MARK_OTHER, k + 9);
	return 0;
}
