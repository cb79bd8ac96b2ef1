/* oncall_override.c: overrides of who is on call, kept in the database
 * and logged (`owl oncall override`), and who is on call at a time once
 * the config's and the database's overrides are laid over the shifts
 * (see oncall.h). */
#include "oncall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlog.h"
#include "clock.h"

#define ONCALL_WALK_MAX 64 /* segments merged when looking for a change */

static json_t *
oncall_time_json(int64_t us)
{
	char at[CLOCK_RFC3339_MAX];

	clock_format(us, 0, at);
	return json_string(at);
}

int
oncall_override_add(struct store *s, const struct oncall_override *o,
    const char *actor, int64_t now, int64_t *id, struct err *err)
{
	static const char sql[] =
	    "INSERT INTO oncall_overrides(rotation, who, from_us, to_us, note,"
	    " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
	    " RETURNING id";
	struct actlog_new e = { .actor = actor, .kind = "oncall.override" };
	struct store_stmt *st;
	json_t *d;

	if (o->to <= o->from)
		return err_set(err, ERR_USAGE, "--to must be after --from");
	if (store_begin(s, err) == -1)
		return -1;
	if ((st = store_stmt(s, sql, err)) == NULL)
		goto fail;
	store_bind_text(st, 1, o->rotation, -1, STORE_STATIC);
	store_bind_text(st, 2, o->who, -1, STORE_STATIC);
	store_bind_int64(st, 3, o->from);
	store_bind_int64(st, 4, o->to);
	if (o->note != NULL)
		store_bind_text(st, 5, o->note, -1, STORE_STATIC);
	store_bind_text(
	    st, 6, actor ? actor : store_actor(s), -1, STORE_STATIC);
	store_bind_int64(st, 7, now);
	if (store_step_id(s, st, "add override", id, err) == -1)
		goto fail;
	d = json_pack("{s:I, s:s, s:s, s:o, s:o, s:s?}", "override",
	    (json_int_t)*id, "rotation", o->rotation, "who", o->who, "from",
	    oncall_time_json(o->from), "to", oncall_time_json(o->to), "note",
	    o->note);
	if (actlog_append_json(s, &e, d, JSON_COMPACT, NULL, err) == -1)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

int
oncall_override_remove(struct store *s, int64_t id, const char *actor,
    int64_t now, struct err *err)
{
	static const char sql[] =
	    "UPDATE oncall_overrides SET removed_by = ?, removed_at = ?"
	    " WHERE id = ? AND removed_at IS NULL";
	struct actlog_new e = { .actor = actor,
		.kind = "oncall.override.remove" };
	char detail[64];
	struct store_stmt *st;

	if (store_begin(s, err) == -1)
		return -1;
	if ((st = store_stmt(s, sql, err)) == NULL)
		goto fail;
	store_bind_text(
	    st, 1, actor ? actor : store_actor(s), -1, STORE_STATIC);
	store_bind_int64(st, 2, now);
	store_bind_int64(st, 3, id);
	if (store_step_done(s, st, "remove override", err) == -1)
		goto fail;
	if (store_changes(s) == 0) {
		err_set(err, ERR_FAILED,
		    "no override %lld (see: owl oncall overrides)",
		    (long long)id);
		goto fail;
	}
	snprintf(detail, sizeof detail, "{\"override\":%lld}", (long long)id);
	e.detail = detail;
	if (actlog_append(s, &e, NULL, err) == -1)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

static char *
oncall_col(struct store_stmt *st, int i)
{
	const unsigned char *t = store_col_text(st, i);

	return t != NULL ? strdup((const char *)t) : NULL;
}

int
oncall_override_list(struct store *s, const char *rotation, int64_t after,
    struct oncall_override **out, size_t *n, struct err *err)
{
	static const char sql[] =
	    "SELECT id, rotation, who, from_us, to_us, note, created_by,"
	    " created_at FROM oncall_overrides WHERE removed_at IS NULL"
	    " AND to_us > ? AND (?2 IS NULL OR rotation = ?2) ORDER BY id";
	struct oncall_override *v = NULL, *nv;
	size_t cap = 0;
	struct store_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, after);
	if (rotation != NULL)
		store_bind_text(st, 2, rotation, -1, STORE_STATIC);
	while ((rc = store_step(st)) == STORE_ROW) {
		struct oncall_override *o;

		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL)
				break;
			v = nv;
		}
		o = &v[(*n)++];
		o->id = store_col_int64(st, 0);
		o->rotation = oncall_col(st, 1);
		o->who = oncall_col(st, 2);
		o->from = store_col_int64(st, 3);
		o->to = store_col_int64(st, 4);
		o->note = oncall_col(st, 5);
		o->created_by = oncall_col(st, 6);
		o->created_at = store_col_int64(st, 7);
		if (o->rotation == NULL || o->who == NULL) {
			rc = STORE_NOMEM;
			break;
		}
	}
	store_reset(st);
	if (rc != STORE_DONE) {
		oncall_overrides_free(v, *n);
		*n = 0;
		return rc == STORE_NOMEM || rc == STORE_ROW
		    ? err_set(err, ERR_FAILED, "out of memory")
		    : store_sqlerr(s, err, "list overrides");
	}
	*out = v;
	return 0;
}

/* The overrides of one rotation, oldest first: the config's, then the
 * database's (borrowed pointers into oc and db). */
struct oncall_layer {
	const struct oncall_override **v;
	size_t n;
};

/* One stretch of time with nothing changing inside it. */
struct oncall_seg {
	const char *person; /* NULL: nobody */
	const char *replaces;
	const struct oncall_override *by;
	int64_t from, to;
};

static int
oncall_seg_at(const struct oncall_rotation *r, const struct oncall_layer *l,
    int64_t t, struct oncall_seg *g, struct err *err)
{
	struct oncall_shift sh;

	if (oncall_shift_at(r, t, &sh, err) == -1)
		return -1;
	*g = (struct oncall_seg){ sh.person, sh.person, NULL, sh.from, sh.to };
	for (size_t i = 0; i < l->n; i++) {
		const struct oncall_override *o = l->v[i];

		if (o->from <= t && t < o->to)
			g->by = o; /* the newest wins */
		if (o->from <= t && o->from > g->from)
			g->from = o->from;
		if (o->to <= t && o->to > g->from)
			g->from = o->to;
		if (o->from > t && o->from < g->to)
			g->to = o->from;
		if (o->to > t && o->to < g->to)
			g->to = o->to;
	}
	if (g->by != NULL)
		g->person = g->by->who;
	return 0;
}

static int
oncall_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Widens g over the neighbouring segments with the same person, and
 * finds who comes next. */
static int
oncall_walk(const struct oncall_rotation *r, const struct oncall_layer *l,
    struct oncall_seg *g, const char **next, struct err *err)
{
	struct oncall_seg h;

	for (int i = 0; i < ONCALL_WALK_MAX && g->from != INT64_MIN; i++) {
		if (oncall_seg_at(r, l, g->from - 1, &h, err) == -1)
			return -1;
		if (!oncall_same(h.person, g->person))
			break;
		g->from = h.from;
	}
	*next = g->person;
	for (int i = 0; i < ONCALL_WALK_MAX; i++) {
		if (oncall_seg_at(r, l, g->to, &h, err) == -1)
			return -1;
		*next = h.person;
		if (!oncall_same(h.person, g->person))
			return 0;
		g->to = h.to;
	}
	g->to = INT64_MAX; /* the same person as far as we look: no end */
	return 0;
}

static void
oncall_copy(char *dst, const char *src)
{
	snprintf(dst, ONCALL_NAME_MAX + 1, "%s", src != NULL ? src : "");
}

int
oncall_who(struct store *s, const struct oncall *oc,
    const struct oncall_rotation *r, int64_t t, struct oncall_who *w,
    struct err *err)
{
	struct oncall_override *db = NULL;
	struct oncall_layer l = { NULL, 0 };
	struct oncall_seg g;
	const char *next;
	size_t ndb = 0;
	int rc = -1;

	if (s != NULL &&
	    oncall_override_list(s, r->name, 0, &db, &ndb, err) == -1)
		return -1;
	if ((l.v = calloc(oc->novr + ndb + 1, sizeof *l.v)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < oc->novr; i++)
		if (strcmp(oc->ovr[i].rotation, r->name) == 0)
			l.v[l.n++] = &oc->ovr[i];
	for (size_t i = 0; i < ndb; i++)
		l.v[l.n++] = &db[i];
	if (oncall_seg_at(r, &l, t, &g, err) == -1 ||
	    oncall_walk(r, &l, &g, &next, err) == -1)
		goto out;
	memset(w, 0, sizeof *w);
	oncall_copy(w->person, g.person);
	oncall_copy(w->next, next);
	w->since = g.from;
	w->until = g.to;
	w->override_id = g.by != NULL ? g.by->id : -1;
	if (g.by != NULL) {
		oncall_copy(w->override_by,
		    g.by->created_by ? g.by->created_by : "config");
		oncall_copy(w->replaces, g.replaces);
	}
	rc = 0;
out:
	free(l.v);
	oncall_overrides_free(db, ndb);
	return rc;
}
