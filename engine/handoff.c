/* handoff.c: the shift report (see handoff.h). The span's events come
 * from the action log, entered at the first entry of the span (found by
 * a binary search over ids, whose times only grow), not by scanning
 * the whole log; open incidents, pages and runs from their tables. */
#include "handoff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "incident.h"
#include "pages.h"

static json_t *
handoff_time(int64_t us)
{
	char at[CLOCK_RFC3339_MAX];

	if (us == 0 || us == INT64_MIN || us == INT64_MAX)
		return json_null();
	clock_format(us, 0, at);
	return json_string(at);
}

static int64_t
handoff_scalar(struct store *s, const char *sql, int64_t arg, int *ok)
{
	struct store_stmt *st;
	int64_t v = 0;

	*ok = 0;
	if ((st = store_stmt(s, sql, NULL)) == NULL)
		return 0;
	store_bind_int64(st, 1, arg);
	if (store_step(st) == STORE_ROW && !store_col_null(st, 0)) {
		v = store_col_int64(st, 0);
		*ok = 1;
	}
	store_reset(st);
	return v;
}

/* The first action-log id at or after since (ids and times grow
 * together); past the end when none. */
static int64_t
handoff_first_id(struct store *s, int64_t since)
{
	static const char at[] =
	    "SELECT at_us FROM actlog WHERE id >= ? ORDER BY id LIMIT 1";
	static const char max[] =
	    "SELECT coalesce(max(id), 0) + 0 * ? FROM actlog";
	int64_t lo = 1, hi, mid;
	int ok;

	hi = handoff_scalar(s, max, 0, &ok) + 1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (handoff_scalar(s, at, mid, &ok) >= since || !ok)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static json_t *
handoff_incident_ref(struct store *s, int64_t id, json_t *o)
{
	struct incident inc;

	if (incident_get(s, id, &inc, NULL) == 0) {
		json_object_set_new(o, "title", json_string(inc.title));
		json_object_set_new(o, "severity",
		    json_string(incident_severity_name(inc.severity)));
		incident_done(&inc);
	}
	return o;
}

/* Which list an action-log kind goes to (NULL: none; its note, if it
 * has one, still goes to the notes), and the word the notes give an
 * action's --note ("ack": owl ack INC --note TEXT). */
struct handoff_kind {
	const char *kind, *list, *with;
};

static const struct handoff_kind *
handoff_kind(const char *kind)
{
	static const struct handoff_kind map[] = {
		{ "incident.open", "opened", NULL },
		{ "incident.ack", "acknowledged", "ack" },
		{ "incident.resolve", "resolved", "resolve" },
		{ "incident.reopen", "reopened", "reopen" },
		{ "incident.note", "notes", NULL },
		{ "incident.unack", NULL, "unack" },
		{ "incident.snooze", NULL, "snooze" },
		{ "incident.unsnooze", NULL, "unsnooze" },
		{ "incident.assign", NULL, "assign" },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(kind, map[i].kind) == 0)
			return &map[i];
	return NULL;
}

static json_t *
handoff_who_when(struct store_stmt *st, int64_t inc)
{
	return json_pack("{s:I, s:o, s:s}", "incident", (json_int_t)inc, "at",
	    handoff_time(store_col_int64(st, 0)), "by",
	    (const char *)store_col_text(st, 1));
}

static void
handoff_event(struct store *s, json_t *doc, struct store_stmt *st)
{
	const struct handoff_kind *k =
	    handoff_kind((const char *)store_col_text(st, 3));
	json_t *d = json_loads((const char *)store_col_text(st, 4), 0, NULL);
	json_t *note = json_object_get(d, "note");
	int64_t inc = store_col_int64(st, 2);
	json_t *o;

	if (k == NULL) {
		json_decref(d);
		return;
	}
	if (k->list != NULL && strcmp(k->list, "notes") == 0) {
		o = handoff_who_when(st, inc);
		json_object_set(o, "text", json_object_get(d, "text"));
		json_array_append_new(json_object_get(doc, "notes"), o);
	} else if (k->list != NULL) {
		o = handoff_incident_ref(s, inc, handoff_who_when(st, inc));
		if (note != NULL)
			json_object_set(o, "note", note);
		if (json_is_true(json_object_get(d, "auto")))
			json_object_set_new(o, "auto", json_true());
		json_array_append_new(json_object_get(doc, k->list), o);
	}
	/* what was said with an action (owl ack INC --note TEXT) is a note
	 * of the shift as much as owl note's */
	if (json_is_string(note) && k->with != NULL) {
		o = handoff_who_when(st, inc);
		json_object_set(o, "text", note);
		json_object_set_new(o, "with", json_string(k->with));
		json_array_append_new(json_object_get(doc, "notes"), o);
	}
	json_decref(d);
}

static int
handoff_events(struct store *s, json_t *doc, int64_t since, struct err *err)
{
	static const char sql[] =
	    "SELECT at_us, actor, incident_id, kind, detail FROM actlog"
	    " WHERE id >= ? AND incident_id IS NOT NULL AND kind IN"
	    " ('incident.open', 'incident.ack', 'incident.resolve',"
	    " 'incident.reopen', 'incident.note', 'incident.unack',"
	    " 'incident.snooze', 'incident.unsnooze', 'incident.assign')"
	    " ORDER BY id";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, handoff_first_id(s, since));
	while ((rc = store_step(st)) == STORE_ROW)
		if (store_col_int64(st, 0) >= since)
			handoff_event(s, doc, st);
	store_reset(st);
	return rc == STORE_DONE ? 0 : store_sqlerr(s, err, "read the log");
}

static int
handoff_open(struct store *s, json_t *doc, int64_t now, struct err *err)
{
	struct incident_query q = { .all = 0, .state = -1 };
	struct incident *v = NULL;
	size_t n = 0;
	json_t *arr = json_object_get(doc, "open");

	if (incident_list(s, &q, &v, &n, err) == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr,
		    json_pack("{s:I, s:s, s:s, s:s, s:o, s:I, s:s?, s:s?, s:o}",
		        "id", (json_int_t)v[i].id, "title", v[i].title,
		        "severity", incident_severity_name(v[i].severity),
		        "state",
		        incident_is_snoozed(&v[i], now)
		            ? "snoozed"
		            : incident_state_name(v[i].state),
		        "opened_at", handoff_time(v[i].opened_at), "age_s",
		        (json_int_t)((now - v[i].opened_at) / CLOCK_US_PER_SEC),
		        "acked_by", v[i].acked_by, "assignee", v[i].assignee,
		        "snoozed_until",
		        incident_is_snoozed(&v[i], now)
		            ? handoff_time(v[i].snoozed_until)
		            : json_null()));
	incident_list_free(v, n);
	return 0;
}

static int
handoff_runs(struct store *s, json_t *doc, int64_t since, struct err *err)
{
	static const char sql[] =
	    "SELECT id, runbook, incident_id, actor, status, dry_run,"
	    " started_at, ended_at, error FROM runs WHERE started_at >= ?"
	    " ORDER BY id";
	json_t *arr = json_object_get(doc, "runs");
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, since);
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(arr,
		    json_pack("{s:I, s:s, s:o, s:s, s:s, s:b, s:o, s:o, s:s?}",
		        "id", (json_int_t)store_col_int64(st, 0), "runbook",
		        (const char *)store_col_text(st, 1), "incident",
		        store_col_null(st, 2)
		            ? json_null()
		            : json_integer(store_col_int64(st, 2)),
		        "actor", (const char *)store_col_text(st, 3), "status",
		        (const char *)store_col_text(st, 4), "dry_run",
		        store_col_int(st, 5), "started_at",
		        handoff_time(store_col_int64(st, 6)), "ended_at",
		        handoff_time(store_col_int64(st, 7)), "error",
		        (const char *)store_col_text(st, 8)));
	store_reset(st);
	return rc == STORE_DONE ? 0 : store_sqlerr(s, err, "read runs");
}

static int
handoff_oncall(struct store *s, const struct oncall *oc, json_t *doc,
    int64_t now, struct err *err)
{
	json_t *arr = json_array();
	struct oncall_who w;

	json_object_set_new(doc, "oncall", arr);
	for (size_t i = 0; oc != NULL && i < oc->nrot; i++) {
		if (oncall_who(s, oc, &oc->rot[i], now, &w, err) == -1)
			return -1;
		json_array_append_new(arr,
		    json_pack("{s:s, s:o, s:o, s:o, s:b}", "rotation",
		        oc->rot[i].name, "person",
		        w.person[0] ? json_string(w.person) : json_null(),
		        "until", handoff_time(w.until), "next",
		        w.next[0] ? json_string(w.next) : json_null(),
		        "override", w.override_id >= 0));
	}
	return 0;
}

int
handoff_build(struct store *s, const struct oncall *oc, int64_t since,
    int64_t now, json_t **out, struct err *err)
{
	json_t *doc, *pages = NULL;

	doc = json_pack("{s:o, s:o, s:[], s:[], s:[], s:[], s:[], s:[], s:[]}",
	    "since", handoff_time(since), "until", handoff_time(now), "open",
	    "opened", "acknowledged", "resolved", "reopened", "runs", "notes");
	if (doc == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (handoff_oncall(s, oc, doc, now, err) == -1 ||
	    handoff_open(s, doc, now, err) == -1 ||
	    handoff_events(s, doc, since, err) == -1 ||
	    pages_json(s, 0, since, &pages, err) == -1 ||
	    handoff_runs(s, doc, since, err) == -1) {
		json_decref(doc);
		return -1;
	}
	json_object_set_new(doc, "pages", pages);
	*out = doc;
	return 0;
}
