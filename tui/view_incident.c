/* view_incident.c: one incident in `owl tui`: its state, the labels and
 * annotations of each alert, links to copy (generator and dashboard
 * URLs, shown as text, never as terminal hyperlinks), its action-log
 * timeline and notes (the alert table and links: view_alerts.c). Live:
 * redrawn when the database changes. */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_int.h"
#include "engine/actlog.h"
#include "engine/actlog_text.h"
#include "engine/buf.h"
#include "engine/common_labels.h"
#include "integrations/rbsuggest.h"

#define DETAIL_LOG_MAX 2000 /* newest timeline entries shown */

struct view_incident {
	int64_t id;
	json_t *sug; /* suggested runbooks (rbsuggest.h), read on open */
	char sug_why[600]; /* why there are none to suggest, "" */
	int have; /* inc is loaded */
	int expanded; /* the whole alert table (e) */
	struct incident inc;
	struct pager pg;
};

static void detail_clear(struct app *a);

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
detail_head(struct app *a, const struct incident *inc, const char *storm)
{
	struct pager *p = &a->detail->pg;
	char opened[64], last[64], age[16], until[64] = "-", started[64];

	frame_time(inc->opened_at, 1, opened, sizeof opened);
	frame_time(inc->last_alert_at, 1, last, sizeof last);
	text_age(clock_now_us() - inc->opened_at, age, sizeof age);
	if (inc->snoozed_until > clock_now_us())
		frame_time(inc->snoozed_until, 1, until, sizeof until);
	if (storm[0] != '\0') {
		/* a storm is named by what its alerts share, not by the
		 * first of them */
		detail_addf(p, SCREEN_BOLD, 0,
		    "INC-%" PRId64 "  %s (%" PRId64 " alerts)", inc->id, storm,
		    inc->alert_count);
		detail_addf(p, SCREEN_DIM, 2, "first alert: %s", inc->title);
	} else {
		detail_addf(p, SCREEN_BOLD, 0, "INC-%" PRId64 "  %s", inc->id,
		    inc->title);
	}
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
		frame_time(inc->started_at, 1, started, sizeof started);
		detail_addf(
		    p, SCREEN_NORMAL, 2, "started %s (first alert)", started);
	}
	detail_addf(p, SCREEN_NORMAL, 2, "opened %s (%s ago)", opened, age);
	if (inc->state == INCIDENT_RESOLVED && inc->ended_at != 0) {
		frame_time(inc->ended_at, 1, started, sizeof started);
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

/* The runbooks whose match fits, read once when the screen opens. */
static void
detail_suggest_load(struct app *a)
{
	struct view_incident *d = a->detail;
	const char *why = NULL;
	struct err err;

	err_init(&err);
	json_decref(d->sug);
	d->sug_why[0] = '\0';
	d->sug = rbsuggest_configured(a->store, a->config, d->id, &why, &err);
	if (d->sug == NULL)
		snprintf(d->sug_why, sizeof d->sug_why,
		    "cannot read the runbooks: %s", err.msg);
	else if (why != NULL)
		snprintf(d->sug_why, sizeof d->sug_why, "%s", why);
}

static void
detail_suggest(struct app *a)
{
	struct view_incident *d = a->detail;
	struct pager *p = &d->pg;
	size_t i;
	json_t *e;

	/* no runbooks configured: nothing to say on every incident */
	if (d->sug != NULL && d->sug_why[0] != '\0')
		return;
	pager_add(p, SCREEN_NORMAL, 0, "");
	pager_add(p, SCREEN_BOLD, 0, "Suggested runbooks (R runs one)");
	if (d->sug_why[0] != '\0') {
		detail_addf(p, SCREEN_DIM, 2, "none: %s", d->sug_why);
		return;
	}
	if (json_array_size(d->sug) == 0)
		pager_add(p, SCREEN_DIM, 2,
		    "none: no runbook's match fits these alerts (R lists all)");
	json_array_foreach(d->sug, i, e)
	{
		const char *commit =
		    json_string_value(json_object_get(e, "commit"));
		char *m = json_dumps(
		    json_object_get(e, "match"), JSON_COMPACT | JSON_SORT_KEYS);

		detail_addf(p, SCREEN_OK, 2, "%-20s %s",
		    json_string_value(json_object_get(e, "name")),
		    detail_or(
		        json_string_value(json_object_get(e, "summary"))));
		detail_addf(p, SCREEN_DIM, 23,
		    "match %s \u00b7 %" JSON_INTEGER_FORMAT
		    " firing%s \u00b7 %s%.12s",
		    m ? m : "?",
		    json_integer_value(json_object_get(e, "alerts")),
		    json_is_true(json_object_get(e, "sampled"))
		        ? " of the first " RBSUGGEST_ALERTS_MAX_S
		        : "",
		    commit ? "commit " : "unversioned", commit ? commit : "");
		free(m);
	}
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

	frame_time(e->at_us, 1, at, sizeof at);
	if ((line = actlog_text_dup(w->text, e)) == NULL)
		return 1;
	if (asprintf(&head, "%s  %-10s %s", at, e->actor, line) >= 0) {
		pager_add_lines(&w->a->detail->pg, SCREEN_NORMAL, 2, head);
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
detail_timeline(struct app *a, const struct incident *inc)
{
	struct actlog_filter f = { .incident = inc->id,
		.limit = DETAIL_LOG_MAX };
	struct detail_walk w = { a, json_array(), actlog_text_new() };
	struct pager *p = &a->detail->pg;
	struct err err;
	size_t i;
	json_t *nt, *common = NULL;

	err_init(&err);
	pager_add(p, SCREEN_NORMAL, 0, "");
	pager_add(p, SCREEN_BOLD, 0, "Timeline (action log, oldest first)");
	/* alerts told by the labels that tell them apart, as owl show and
	 * the timeline tell them */
	if (w.text == NULL ||
	    common_labels_incident(
	        a->store, inc, COMMON_LABELS_ALERTS_MAX, &common, &err) == -1 ||
	    actlog_text_common(w.text, common) == -1 ||
	    actlog_each(a->store, &f, detail_learn, &w, &err) == -1 ||
	    actlog_each(a->store, &f, detail_entry, &w, &err) == -1)
		detail_addf(p, SCREEN_ALARM, 2, "%s",
		    err_isset(&err) ? err.msg : "out of memory");
	actlog_text_free(w.text);
	json_decref(common);
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
	struct view_incident *d = a->detail;
	size_t top = d->pg.top;
	struct pager alerts = { 0 };
	char storm[256];
	struct err err;

	err_init(&err);
	if (d->have)
		incident_done(&d->inc);
	d->have = 0;
	pager_clear(&d->pg);
	/* header, alerts, paging and log as of one moment */
	(void)store_read_begin(a->store, &err);
	err_init(&err);
	if (incident_get(a->store, d->id, &d->inc, &err) == -1) {
		store_read_end(a->store);
		detail_addf(&d->pg, SCREEN_ALARM, 0, "%s", err.msg);
		pager_filter(&d->pg, "");
		return;
	}
	d->have = 1;
	view_alerts_add(a, &alerts, &d->inc, d->expanded, storm, sizeof storm);
	detail_head(a, &d->inc, storm);
	for (size_t i = 0; i < alerts.n; i++)
		pager_add(&d->pg, alerts.lines[i].style, alerts.lines[i].indent,
		    alerts.lines[i].text);
	pager_clear(&alerts);
	detail_suggest(a);
	paging_detail(a, &d->pg, d->id);
	detail_timeline(a, &d->inc);
	store_read_end(a->store);
	pager_filter(&d->pg, "");
	d->pg.top = top < d->pg.nrows ? top : 0;
	a->frame.dirty = 1;
}

void
app_open_incident(struct app *a, int64_t id)
{
	const struct incident *inc;

	detail_clear(a);
	a->detail->id = id;
	a->detail->expanded = 0;
	frame_push(a, &view_incident_ops);
	detail_suggest_load(a);
	detail_reload(a);
	if ((inc = inclist_find(a, id)) != NULL)
		inclist_seen(a, inc);
	else if (a->detail->have)
		inclist_seen(a, &a->detail->inc);
}

static void
detail_clear(struct app *a)
{
	json_decref(a->detail->sug);
	a->detail->sug = NULL;
	if (a->detail->have)
		incident_done(&a->detail->inc);
	a->detail->have = 0;
	pager_clear(&a->detail->pg);
}

static void
detail_draw(struct app *a, int head, int top, int rows, int cols)
{
	char h[64];

	snprintf(h, sizeof h, "Incident INC-%" PRId64, a->detail->id);
	screen_text(a->sc, head, 0, cols, h, SCREEN_BOLD | SCREEN_PAD);
	pager_draw(&a->detail->pg, a->sc, top, rows, cols);
}

static enum view_result
detail_action(struct app *a, enum keys_action act, int rows)
{
	if (act == KEYS_EXPAND) {
		a->detail->expanded = !a->detail->expanded;
		detail_reload(a);
		return VIEW_REDRAW;
	}
	return pager_scroll(&a->detail->pg, act, rows);
}

static void
detail_close(struct app *a)
{
	detail_clear(a);
}

static int
detail_init(struct app *a)
{
	return (a->detail = calloc(1, sizeof *a->detail)) == NULL ? -1 : 0;
}

static void
detail_done(struct app *a)
{
	if (a->detail != NULL)
		detail_clear(a);
	free(a->detail);
	a->detail = NULL;
}

int64_t
view_incident_id(const struct app *a)
{
	return a->detail->id;
}

const struct incident *
view_incident_loaded(const struct app *a, int64_t id)
{
	return a->detail->have && a->detail->inc.id == id ? &a->detail->inc
	                                                  : NULL;
}

const json_t *
view_incident_suggested(const struct app *a, int64_t id)
{
	return a->detail->id == id ? a->detail->sug : NULL;
}

const struct view_ops view_incident_ops = {
	.name = "incident",
	.init = detail_init,
	.done = detail_done,
	.keys = KEYS_V_INCIDENT,
	.reload = detail_reload,
	.draw = detail_draw,
	.action = detail_action,
	.close = detail_close,
};
