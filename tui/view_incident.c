/* view_incident.c: one incident in `owl tui`: its state, the labels and
 * annotations of each alert, links to copy (generator and dashboard
 * URLs, shown as text, never as terminal hyperlinks), its action-log
 * timeline and notes. Live: redrawn when the database changes. */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_int.h"
#include "engine/actlog.h"
#include "engine/actlog_text.h"
#include "engine/buf.h"

#define DETAIL_LOG_MAX 2000 /* newest timeline entries shown */

static void detail_addf(struct pager *p, int style, int indent, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
detail_addf(struct pager *p, int style, int indent, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pager_add(p, style, indent, line);
}

static const char *
detail_or(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

static void
detail_head(struct app *a, const struct incident *inc)
{
	struct pager *p = &a->detail.pg;
	char opened[64], last[64], age[16], until[64] = "-", started[64];

	app_time(inc->opened_at, 1, opened, sizeof opened);
	app_time(inc->last_alert_at, 1, last, sizeof last);
	text_age(clock_now_us() - inc->opened_at, age, sizeof age);
	if (inc->snoozed_until > clock_now_us())
		app_time(inc->snoozed_until, 1, until, sizeof until);
	detail_addf(
	    p, SCREEN_BOLD, 0, "INC-%" PRId64 "  %s", inc->id, inc->title);
	detail_addf(p, SCREEN_NORMAL, 2,
	    "state %s   severity %s   alerts %" PRId64 " (%" PRId64
	    " firing)%s",
	    incident_state_name(inc->state),
	    incident_severity_name(inc->severity), inc->alert_count,
	    inc->firing_count,
	    inc->truncated_alerts ? ", more left out "
	                            "by the sender"
	                          : "");
	if (inc->started_at != 0) {
		app_time(inc->started_at, 1, started, sizeof started);
		detail_addf(
		    p, SCREEN_NORMAL, 2, "started %s (first alert)", started);
	}
	detail_addf(p, SCREEN_NORMAL, 2, "opened %s (%s ago)", opened, age);
	if (inc->state == INCIDENT_RESOLVED && inc->ended_at != 0) {
		app_time(inc->ended_at, 1, started, sizeof started);
		detail_addf(
		    p, SCREEN_NORMAL, 2, "ended %s (last alert)", started);
	}
	detail_addf(p, SCREEN_NORMAL, 2, "last alert %s", last);
	detail_addf(p, SCREEN_NORMAL, 2,
	    "acked by %s   assignee %s   "
	    "snoozed until %s",
	    detail_or(inc->acked_by), detail_or(inc->assignee), until);
	detail_addf(p, SCREEN_DIM, 2, "source %s   group %s",
	    detail_or(inc->source), detail_or(inc->group_key));
}

/* Adds "key = value" lines of a JSON object; URL values go to links. */
static void
detail_object(
    struct pager *p, const char *what, const char *text, json_t *links)
{
	json_t *o = json_loads(text ? text : "{}", 0, NULL);
	const char *k;
	json_t *v;

	if (!json_is_object(o) || json_object_size(o) == 0) {
		json_decref(o);
		return;
	}
	pager_add(p, SCREEN_DIM, 4, what);
	json_object_foreach(o, k, v)
	{
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		char *line;

		if (strncmp(s, "http://", 7) == 0 ||
		    strncmp(s, "https://", 8) == 0)
			json_array_append_new(links, json_pack("[s,s]", k, s));
		if (asprintf(&line, "%s = %s", k, s) >= 0) {
			pager_add_lines(p, SCREEN_NORMAL, 6, line);
			free(line);
		}
	}
	json_decref(o);
}

static void
detail_alerts(struct app *a, int64_t id, json_t *links)
{
	struct pager *p = &a->detail.pg;
	struct incident_alert *al = NULL;
	struct err err;
	size_t n = 0;

	err_init(&err);
	pager_add(p, SCREEN_NORMAL, 0, "");
	if (incident_alerts(a->store, id, &al, &n, &err) == -1) {
		detail_addf(p, SCREEN_ALARM, 0, "alerts: %s", err.msg);
		return;
	}
	detail_addf(p, SCREEN_BOLD, 0, "Alerts (%zu)", n);
	for (size_t i = 0; i < n; i++) {
		char since[64] = "?";

		if (al[i].starts_at)
			app_time(al[i].starts_at, 1, since, sizeof since);
		detail_addf(p, al[i].resolved ? SCREEN_RESOLVED : SCREEN_FIRING,
		    2, "%s  %s/%s  %s%s%s%s  since %s, delivered %" PRId64 "x",
		    al[i].resolved ? "resolved" : "FIRING",
		    detail_or(al[i].source), detail_or(al[i].fingerprint),
		    detail_or(al[i].severity), al[i].severity_raw ? " (" : "",
		    al[i].severity_raw ? al[i].severity_raw : "",
		    al[i].severity_raw ? ")" : "", since, al[i].count);
		detail_object(p, "labels", al[i].labels_json, links);
		detail_object(p, "annotations", al[i].annotations_json, links);
		if (al[i].generator_url != NULL && *al[i].generator_url)
			json_array_append_new(links,
			    json_pack(
			        "[s,s]", "generator", al[i].generator_url));
	}
	incident_alerts_free(al, n);
}

static void
detail_links(struct pager *p, json_t *links)
{
	size_t i;
	json_t *l;

	if (json_array_size(links) == 0)
		return;
	pager_add(p, SCREEN_NORMAL, 0, "");
	pager_add(p, SCREEN_BOLD, 0, "Links (text to copy)");
	json_array_foreach(links, i, l) detail_addf(p, SCREEN_NORMAL, 2,
	    "%-12s %s", json_string_value(json_array_get(l, 0)),
	    json_string_value(json_array_get(l, 1)));
}

struct detail_walk {
	struct app *a;
	json_t *notes;
	struct actlog_text *text;
};

/* Pass one: what the sentences of later entries need. */
static int
detail_learn(const struct actlog_entry *e, void *ctx)
{
	struct detail_walk *w = ctx;

	return actlog_text_learn(w->text, e, NULL) == -1;
}

/* Pass two: time, actor and the entry's sentence (engine/actlog_text.h,
 * as owl show and the timeline say it), continued lines indented. */
static int
detail_entry(const struct actlog_entry *e, void *ctx)
{
	struct detail_walk *w = ctx;
	char at[64], *line, *head;
	json_t *d;

	app_time(e->at_us, 1, at, sizeof at);
	if ((line = actlog_text_dup(w->text, e)) == NULL)
		return 1;
	if (asprintf(&head, "%s  %-10s %s", at, e->actor, line) >= 0) {
		pager_add_lines(&w->a->detail.pg, SCREEN_NORMAL, 2, head);
		free(head);
	}
	free(line);
	if (strcmp(e->kind, "incident.note") == 0 &&
	    (d = json_loads(e->detail, 0, NULL)) != NULL) {
		json_array_append_new(w->notes,
		    json_pack(
		        "[s,s,O?]", at, e->actor, json_object_get(d, "text")));
		json_decref(d);
	}
	return 0;
}

static void
detail_timeline(struct app *a, int64_t id)
{
	struct actlog_filter f = { .incident = id, .limit = DETAIL_LOG_MAX };
	struct detail_walk w = { a, json_array(), actlog_text_new() };
	struct pager *p = &a->detail.pg;
	struct err err;
	size_t i;
	json_t *nt;

	err_init(&err);
	pager_add(p, SCREEN_NORMAL, 0, "");
	pager_add(p, SCREEN_BOLD, 0, "Timeline (action log, oldest first)");
	if (w.text == NULL ||
	    actlog_each(a->store, &f, detail_learn, &w, &err) == -1 ||
	    actlog_each(a->store, &f, detail_entry, &w, &err) == -1)
		detail_addf(p, SCREEN_ALARM, 2, "%s",
		    w.text == NULL ? "out of memory" : err.msg);
	actlog_text_free(w.text);
	pager_add(p, SCREEN_NORMAL, 0, "");
	detail_addf(p, SCREEN_BOLD, 0, "Notes (%zu)", json_array_size(w.notes));
	json_array_foreach(w.notes, i, nt)
	{
		char *line;

		if (asprintf(&line, "%s %s: %s",
		        json_string_value(json_array_get(nt, 0)),
		        json_string_value(json_array_get(nt, 1)),
		        detail_or(json_string_value(json_array_get(nt, 2)))) >=
		    0) {
			pager_add_lines(p, SCREEN_NORMAL, 2, line);
			free(line);
		}
	}
	json_decref(w.notes);
}

/* (Re)reads the incident and rebuilds the text, keeping the scroll. */
static void
detail_reload(struct app *a)
{
	struct app_detail *d = &a->detail;
	size_t top = d->pg.top;
	struct err err;
	json_t *links;

	err_init(&err);
	if (d->have)
		incident_done(&d->inc);
	d->have = 0;
	pager_clear(&d->pg);
	if (incident_get(a->store, d->id, &d->inc, &err) == -1) {
		detail_addf(&d->pg, SCREEN_ALARM, 0, "%s", err.msg);
		pager_filter(&d->pg, "");
		return;
	}
	d->have = 1;
	links = json_array();
	detail_head(a, &d->inc);
	detail_alerts(a, d->id, links);
	paging_detail(a, &d->pg, d->id);
	detail_links(&d->pg, links);
	json_decref(links);
	detail_timeline(a, d->id);
	pager_filter(&d->pg, "");
	d->pg.top = top < d->pg.nrows ? top : 0;
	a->dirty = 1;
}

void
app_open_incident(struct app *a, int64_t id)
{
	const struct incident *inc;

	view_incident_free(a);
	a->detail.id = id;
	app_push(a, &view_incident_ops);
	detail_reload(a);
	if ((inc = view_incidents_find(a, id)) != NULL)
		view_incidents_seen(a, inc);
	else if (a->detail.have)
		view_incidents_seen(a, &a->detail.inc);
}

void
view_incident_free(struct app *a)
{
	if (a->detail.have)
		incident_done(&a->detail.inc);
	a->detail.have = 0;
	pager_clear(&a->detail.pg);
}

static void
detail_draw(struct app *a, int head, int top, int rows, int cols)
{
	char h[64];

	snprintf(h, sizeof h, "Incident INC-%" PRId64, a->detail.id);
	screen_text(a->sc, head, 0, cols, h, SCREEN_BOLD | SCREEN_PAD);
	pager_draw(&a->detail.pg, a->sc, top, rows, cols);
}

static int
detail_action(struct app *a, enum keys_action act, int rows)
{
	return pager_scroll(&a->detail.pg, act, rows);
}

static void
detail_close(struct app *a)
{
	view_incident_free(a);
}

const struct view_ops view_incident_ops = {
	.name = "incident",
	.keys = KEYS_V_INCIDENT,
	.reload = detail_reload,
	.draw = detail_draw,
	.action = detail_action,
	.close = detail_close,
};
