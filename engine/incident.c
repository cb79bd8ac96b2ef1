/* incident.c: reading incidents and their alerts (list, get, alerts,
 * JSON forms). The actions live in incident_act.c, the ingest logic in
 * incident_ingest.c. */
#include "incident.h"

#include <stdlib.h>
#include <string.h>

#include "engine/actlog.h"
#include "engine/clock.h"
#include "engine/incident_int.h"

static const char *const incident_states[] = {
	[INCIDENT_TRIGGERED] = "triggered",
	[INCIDENT_ACKNOWLEDGED] = "acknowledged",
	[INCIDENT_RESOLVED] = "resolved",
};

static const char *const incident_severities[] = {
	[SEVERITY_INFO] = "info",
	[SEVERITY_WARNING] = "warning",
	[SEVERITY_ERROR] = "error",
	[SEVERITY_CRITICAL] = "critical",
};

const char *
incident_state_name(enum incident_state s)
{
	if ((unsigned)s > INCIDENT_RESOLVED)
		return "unknown";
	return incident_states[s];
}

const char *
incident_severity_name(enum incident_severity s)
{
	if ((unsigned)s > SEVERITY_CRITICAL)
		return "unknown";
	return incident_severities[s];
}

int
incident_state_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i <= INCIDENT_RESOLVED; i++)
		if (strcmp(name, incident_states[i]) == 0)
			return i;
	if (strcmp(name, "acked") == 0)
		return INCIDENT_ACKNOWLEDGED;
	return -1;
}

void
incident_done(struct incident *inc)
{
	if (inc == NULL)
		return;
	free(inc->title);
	free(inc->source);
	free(inc->group_key);
	free(inc->acked_by);
	free(inc->assignee);
	free(inc->group_labels);
	memset(inc, 0, sizeof *inc);
}

void
incident_list_free(struct incident *list, size_t n)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		incident_done(&list[i]);
	free(list);
}

/* A copy of a text column, NULL when the column is NULL; *oom set when
 * the copy failed. */
static char *
incident_col_dup(struct store_stmt *st, int col, int *oom)
{
	const char *v = (const char *)store_col_text(st, col);
	char *d;

	if (v == NULL)
		return NULL;
	if ((d = strdup(v)) == NULL)
		*oom = 1;
	return d;
}

int
incident_row(struct store_stmt *st, struct incident *inc)
{
	int oom = 0;

	memset(inc, 0, sizeof *inc);
	inc->id = store_col_int64(st, 0);
	inc->state = (enum incident_state)store_col_int(st, 1);
	inc->severity = (enum incident_severity)store_col_int(st, 2);
	inc->title = incident_col_dup(st, 3, &oom);
	inc->source = incident_col_dup(st, 4, &oom);
	inc->group_key = incident_col_dup(st, 5, &oom);
	inc->alert_count = store_col_int64(st, 6);
	inc->firing_count = store_col_int64(st, 7);
	inc->truncated_alerts = store_col_int64(st, 8);
	inc->opened_at = store_col_int64(st, 9);
	inc->updated_at = store_col_int64(st, 10);
	inc->resolved_at = store_col_int64(st, 11);
	inc->last_alert_at = store_col_int64(st, 12);
	inc->acked_by = incident_col_dup(st, 13, &oom);
	inc->assignee = incident_col_dup(st, 14, &oom);
	inc->snoozed_until = store_col_int64(st, 15);
	inc->version = store_col_int64(st, 16);
	inc->started_at = store_col_int64(st, 17);
	inc->ended_at = store_col_int64(st, 18);
	inc->group_labels = incident_col_dup(st, 19, &oom);
	if (oom) {
		incident_done(inc);
		return -1;
	}
	return 0;
}

struct incident_collect {
	struct incident *list;
	size_t len, cap;
	int oom;
};

static int
incident_collect(struct incident *inc, void *ctx)
{
	struct incident_collect *c = ctx;
	struct incident *p;

	if (c->len == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;

		if ((p = realloc(c->list, cap * sizeof *p)) == NULL) {
			c->oom = 1;
			return 1;
		}
		c->list = p;
		c->cap = cap;
	}
	c->list[c->len++] = *inc;
	memset(inc, 0, sizeof *inc); /* the strings are the list's now */
	return 0;
}

int
incident_list(struct store *s, const struct incident_query *q,
    struct incident **out, size_t *n, struct err *err)
{
	struct incident_page p = { .order = INCIDENT_ORDER_SEVERITY,
		.all = q->all || q->state == INCIDENT_RESOLVED,
		.state = q->state,
		.limit = (int64_t)q->limit };
	struct incident_collect c = { NULL, 0, 0, 0 };

	*out = NULL;
	*n = 0;
	if (incident_each(s, &p, incident_collect, &c, err) == -1 || c.oom) {
		incident_list_free(c.list, c.len);
		return c.oom ? err_set(err, ERR_FAILED, "out of memory") : -1;
	}
	*out = c.list;
	*n = c.len;
	return 0;
}

int
incident_get(struct store *s, int64_t id, struct incident *inc, struct err *err)
{
	static const char sql[] =
	    "SELECT " INCIDENT_COLS " FROM incidents WHERE id = ?";
	struct store_stmt *st;
	int rc, ret = 0;

	memset(inc, 0, sizeof *inc);
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		if (incident_row(st, inc) == -1)
			ret = err_set(err, ERR_FAILED, "out of memory");
	} else if (rc == STORE_DONE) {
		ret = err_set(
		    err, ERR_FAILED, "no incident INC-%lld", (long long)id);
	} else {
		ret = store_sqlerr(s, err, "incident");
	}
	store_reset(st);
	return ret;
}

static void
incident_alerts_free_one(struct incident_alert *a)
{
	free(a->source);
	free(a->fingerprint);
	free(a->labels_json);
	free(a->annotations_json);
	free(a->generator_url);
	free(a->severity);
	free(a->severity_raw);
	memset(a, 0, sizeof *a);
}

void
incident_alerts_free(struct incident_alert *list, size_t n)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		incident_alerts_free_one(&list[i]);
	free(list);
}

static int
incident_alert_row(struct store_stmt *st, struct incident_alert *a)
{
	int oom = 0;

	memset(a, 0, sizeof *a);
	a->source = incident_col_dup(st, 0, &oom);
	a->fingerprint = incident_col_dup(st, 1, &oom);
	a->resolved = store_col_int(st, 2);
	a->labels_json = incident_col_dup(st, 3, &oom);
	a->annotations_json = incident_col_dup(st, 4, &oom);
	a->starts_at = store_col_int64(st, 5);
	a->ends_at = store_col_int64(st, 6);
	a->generator_url = incident_col_dup(st, 7, &oom);
	a->count = store_col_int64(st, 8);
	a->last_seen = store_col_int64(st, 9);
	a->severity = strdup(incident_severity_name(
	    (enum incident_severity)store_col_int(st, 10)));
	if (a->severity == NULL)
		oom = 1;
	a->severity_raw = incident_col_dup(st, 11, &oom);
	a->received_starts = store_col_int64(st, 12);
	a->received_ends = store_col_int64(st, 13);
	a->starts_given = (store_col_int(st, 14) & 1) != 0;
	a->ends_given = (store_col_int(st, 14) & 2) != 0;
	return oom ? -1 : 0;
}

/* The one walk over an incident's alert rows, oldest first, the first
 * `limit` (0: all): each alert whole to afn, or (afn NULL) only its
 * labels and state to lfn, until one says stop. */
static int
incident_alert_walk(struct store *s, int64_t id, int64_t limit,
    incident_alert_fn *afn, incident_labels_fn *lfn, void *ctx, struct err *err)
{
	static const char whole[] =
	    "SELECT source, fingerprint, resolved,"
	    " labels, annotations, starts_at, ends_at, generator_url, count,"
	    " last_seen, severity, severity_raw, received_starts,"
	    " received_ends, times_given FROM alerts WHERE incident_id = ?"
	    " ORDER BY id LIMIT ?";
	static const char labels[] =
	    "SELECT labels, resolved FROM alerts WHERE incident_id = ?"
	    " ORDER BY id LIMIT ?";
	struct incident_alert a;
	struct store_stmt *st;
	int rc, stop = 0, oom = 0;

	if ((st = store_stmt(s, afn ? whole : labels, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	/* no limit: the largest (SQLite's -1 is an error on PostgreSQL) */
	store_bind_int64(st, 2, limit > 0 ? limit : INT64_MAX);
	while (!stop && !oom && (rc = store_step(st)) == STORE_ROW) {
		if (afn == NULL) {
			stop = lfn((const char *)store_col_text(st, 0),
			           store_col_int(st, 1), ctx) != 0;
			continue;
		}
		oom = incident_alert_row(st, &a) == -1;
		if (!oom)
			stop = afn(&a, ctx) != 0;
		incident_alerts_free_one(&a);
	}
	store_reset(st);
	if (oom)
		return err_set(err, ERR_FAILED, "out of memory");
	if (!stop && rc != STORE_DONE)
		return store_sqlerr(s, err, "alerts");
	return 0;
}

int
incident_alerts_each(struct store *s, int64_t id, int64_t limit,
    incident_alert_fn *fn, void *ctx, struct err *err)
{
	return incident_alert_walk(s, id, limit, fn, NULL, ctx, err);
}

int
incident_alert_labels_each(struct store *s, int64_t id, int64_t limit,
    incident_labels_fn *fn, void *ctx, struct err *err)
{
	return incident_alert_walk(s, id, limit, NULL, fn, ctx, err);
}

struct incident_alerts_list {
	struct incident_alert *list;
	size_t len, cap;
	int oom;
};

static int
incident_alerts_take(struct incident_alert *a, void *ctx)
{
	struct incident_alerts_list *l = ctx;
	struct incident_alert *p;

	if (l->len == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;

		if ((p = realloc(l->list, cap * sizeof *p)) == NULL) {
			l->oom = 1;
			return 1;
		}
		l->list = p;
		l->cap = cap;
	}
	l->list[l->len++] = *a;
	memset(a, 0, sizeof *a);
	return 0;
}

int
incident_alerts(struct store *s, int64_t id, struct incident_alert **out,
    size_t *n, struct err *err)
{
	struct incident_alerts_list l = { NULL, 0, 0, 0 };

	*out = NULL;
	*n = 0;
	if (incident_alerts_each(s, id, 0, incident_alerts_take, &l, err) ==
	        -1 ||
	    l.oom) {
		incident_alerts_free(l.list, l.len);
		return l.oom ? err_set(err, ERR_FAILED, "out of memory") : -1;
	}
	*out = l.list;
	*n = l.len;
	return 0;
}

int64_t
incident_last_alert_at(struct store *s)
{
	struct store_stmt *st;
	int64_t v = 0;

	st = store_stmt(s, "SELECT max(last_alert_at) FROM incidents", NULL);
	if (st == NULL)
		return 0;
	if (store_step(st) == STORE_ROW)
		v = store_col_int64(st, 0);
	store_reset(st);
	return v;
}

int
incident_is_snoozed(const struct incident *inc, int64_t now_us)
{
	return inc->state != INCIDENT_RESOLVED && inc->snoozed_until > now_us;
}

json_t *
incident_jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *
incident_jtime(int64_t us)
{
	char t[CLOCK_RFC3339_MAX];

	if (us == 0)
		return json_null();
	clock_format(us, 1, t);
	return json_string(t);
}

json_t *
incident_to_json(const struct incident *inc)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I,"
	                 " s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o}",
	    "id", (json_int_t)inc->id, "state", incident_state_name(inc->state),
	    "severity", incident_severity_name(inc->severity), "title",
	    incident_jstr(inc->title), "source", incident_jstr(inc->source),
	    "group_key", incident_jstr(inc->group_key), "alert_count",
	    (json_int_t)inc->alert_count, "firing_count",
	    (json_int_t)inc->firing_count, "truncated_alerts",
	    (json_int_t)inc->truncated_alerts, "opened_at",
	    incident_jtime(inc->opened_at), "updated_at",
	    incident_jtime(inc->updated_at), "resolved_at",
	    incident_jtime(inc->resolved_at), "last_alert_at",
	    incident_jtime(inc->last_alert_at), "acked_by",
	    incident_jstr(inc->acked_by), "assignee",
	    incident_jstr(inc->assignee), "snoozed_until",
	    incident_jtime(inc->snoozed_until), "version",
	    (json_int_t)inc->version, "started_at",
	    incident_jtime(inc->started_at), "ended_at",
	    incident_jtime(
	        inc->state == INCIDENT_RESOLVED ? inc->ended_at : 0));
}

/* Embeds stored JSON text; a text that does not parse (never written by
 * owl) is kept as a string rather than lost. */
static json_t *
incident_jraw(const char *text)
{
	json_t *v;

	if (text == NULL)
		return json_null();
	v = json_loads(text, JSON_DECODE_ANY, NULL);
	return v != NULL ? v : json_string(text);
}

json_t *
incident_alert_to_json(const struct incident_alert *a)
{
	return json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o,"
	                 " s:s?, s:o, s:o, s:o}",
	    "source", incident_jstr(a->source), "fingerprint",
	    incident_jstr(a->fingerprint), "status",
	    a->resolved ? "resolved" : "firing", "labels",
	    incident_jraw(a->labels_json), "annotations",
	    incident_jraw(a->annotations_json), "starts_at",
	    incident_jtime(a->starts_at), "ends_at", incident_jtime(a->ends_at),
	    "generator_url", incident_jstr(a->generator_url), "count",
	    (json_int_t)a->count, "last_seen", incident_jtime(a->last_seen),
	    "severity", a->severity, "severity_raw",
	    incident_jstr(a->severity_raw), "received_starts_at",
	    incident_jtime(a->received_starts), "received_ends_at",
	    incident_jtime(a->received_ends));
}

json_t *
incident_log_entry_to_json(const struct actlog_entry *e)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o}", "id", (json_int_t)e->id,
	    "at", incident_jtime(e->at_us), "actor", incident_jstr(e->actor),
	    "kind", incident_jstr(e->kind), "detail", incident_jraw(e->detail));
}

static int
incident_log_entry(const struct actlog_entry *e, void *ctx)
{
	json_t *o = incident_log_entry_to_json(e);

	if (o == NULL || json_array_append_new(ctx, o) == -1)
		return 1;
	return 0;
}

int
incident_log_json(struct store *s, int64_t id, json_t **out, struct err *err)
{
	struct actlog_filter f = { .incident = id };
	json_t *arr;

	*out = NULL;
	if ((arr = json_array()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (actlog_each(s, &f, incident_log_entry, arr, err) == -1) {
		json_decref(arr);
		return -1;
	}
	*out = arr;
	return 0;
}

int
incident_log_text(struct store *s, int64_t id, const char *actor,
    const char *kind, const char *detail, struct err *err)
{
	struct actlog_new e = {
		.actor = actor, .incident = id, .kind = kind, .detail = detail
	};

	return actlog_append(s, &e, NULL, err);
}

int
incident_log(struct store *s, int64_t id, const char *actor, const char *kind,
    json_t *detail, struct err *err)
{
	struct actlog_new e = { .actor = actor, .incident = id, .kind = kind };

	if (detail == NULL) /* the row's detail is then "{}" */
		return actlog_append(s, &e, NULL, err);
	return actlog_append_json(
	    s, &e, detail, JSON_COMPACT | JSON_SORT_KEYS, NULL, err);
}
