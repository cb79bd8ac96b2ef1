/* rb_runs_list.c: reading runs back for `owl runs`, `owl runs show` and
 * the TUI's runs screens: the runs (running first) and their steps. */
#include "rb_runs.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void
rb_runs_list_row(struct store_stmt *st, struct rb_runs_row *r)
{
	r->id = store_col_int64(st, 0);
	r->runbook = (const char *)store_col_text(st, 1);
	r->actor = (const char *)store_col_text(st, 2);
	r->status = (const char *)store_col_text(st, 3);
	r->error = (const char *)store_col_text(st, 4);
	r->dry_run = store_col_int(st, 5);
	r->started_at = store_col_int64(st, 6);
	r->ended_at = store_col_int64(st, 7);
	r->plan_id = store_col_int64(st, 8);
	r->commit = (const char *)store_col_text(st, 9);
	r->ref = (const char *)store_col_text(st, 10);
	r->blob = (const char *)store_col_text(st, 11);
	r->dirty = store_col_int(st, 12);
	r->incident = store_col_int64(st, 13);
	r->pid = store_col_int64(st, 14);
	r->host = (const char *)store_col_text(st, 15);
	r->params = (const char *)store_col_text(st, 16);
}

int
rb_runs_each(struct store *s, const struct rb_runs_query *q, rb_runs_row_fn *fn,
    void *ctx, struct err *err)
{
	static const char sql[] =
	    "SELECT id, runbook, actor, status, error, dry_run,"
	    " started_at, coalesce(ended_at, 0), coalesce(plan_id, 0),"
	    " commit_id, source_ref, blob_id, dirty,"
	    " coalesce(incident_id, 0), pid, host, params"
	    " FROM runs WHERE (?1 = 0 OR incident_id = ?1)"
	    " AND (?2 = 0 OR id = ?2) AND (?3 IS NULL OR status = ?3)"
	    " ORDER BY status = 'running' DESC, id DESC LIMIT ?4";
	struct rb_runs_row r;
	struct store_stmt *st;
	int rc, stop = 0;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, q->incident);
	store_bind_int64(st, 2, q->run);
	if (q->status != NULL)
		store_bind_text(st, 3, q->status, -1, STORE_STATIC);
	else
		store_bind_null(st, 3);
	store_bind_int64(st, 4, q->limit > 0 ? q->limit : INT64_MAX);
	while (!stop && (rc = store_step(st)) == STORE_ROW) {
		rb_runs_list_row(st, &r);
		stop = fn(&r, ctx);
	}
	store_reset(st);
	if (!stop && rc != STORE_DONE)
		return store_sqlerr(s, err, "runs");
	return 0;
}

int
rb_runs_steps(struct store *s, int64_t run, rb_runs_step_fn *fn, void *ctx,
    struct err *err)
{
	static const char sql[] =
	    "SELECT seq, idx, name, undo, status, started_at,"
	    " coalesce(ms, -1), error FROM run_steps WHERE run_id = ?"
	    " ORDER BY seq";
	struct rb_runs_step_row r;
	struct store_stmt *st;
	int rc, stop = 0;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, run);
	while (!stop && (rc = store_step(st)) == STORE_ROW) {
		r.seq = store_col_int64(st, 0);
		r.idx = store_col_int64(st, 1);
		r.name = (const char *)store_col_text(st, 2);
		r.undo = store_col_int(st, 3);
		r.status = (const char *)store_col_text(st, 4);
		r.started_at = store_col_int64(st, 5);
		r.ms = store_col_int64(st, 6);
		r.error = (const char *)store_col_text(st, 7);
		stop = fn(&r, ctx);
	}
	store_reset(st);
	if (!stop && rc != STORE_DONE)
		return store_sqlerr(s, err, "run steps");
	return 0;
}

int
rb_runs_plan_effects(
    struct store *s, int64_t plan, json_t **effects, struct err *err)
{
	static const char sql[] = "SELECT effects FROM plans WHERE id = ?";
	struct store_stmt *st;
	int rc;

	*effects = NULL;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, plan);
	if ((rc = store_step(st)) == STORE_ROW)
		*effects =
		    json_loads((const char *)store_col_text(st, 0), 0, NULL);
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "plans");
	return 0;
}

struct rb_runs_left {
	char *out;
	size_t n, o;
	int count;
};

static int
rb_runs_left_one(const struct rb_runs_step_row *r, void *ctx)
{
	struct rb_runs_left *w = ctx;

	if (!r->undo || strcmp(r->status, "ok") == 0 ||
	    strcmp(r->status, "running") == 0)
		return 0;
	if (w->o < w->n)
		w->o += (size_t)snprintf(w->out + w->o, w->n - w->o,
		    "%s'%s' (step %" PRId64 ")", w->count ? ", " : "", r->name,
		    r->idx);
	w->count++;
	return 0;
}

int
rb_runs_left_undone(
    struct store *s, int64_t run, char *out, size_t n, struct err *err)
{
	struct rb_runs_left w = { out, n, 0, 0 };

	if (n > 0)
		out[0] = '\0';
	if (rb_runs_steps(s, run, rb_runs_left_one, &w, err) == -1)
		return -1;
	return w.count;
}
