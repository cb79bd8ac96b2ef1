/* rb_runs.c: run rows, steps, plans and the interrupted-run sweep (see
 * rb_runs.h). */
#include "rb_runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actlog.h"
#include "clock.h"
#include "hash.h"
#include "jdump.h"
#include "rb_fx.h"
#include "rb_lease.h"

static void
rb_runs_text(struct store_stmt *st, int col, const char *s)
{
	if (s == NULL)
		store_bind_null(st, col);
	else
		store_bind_text(st, col, s, -1, STORE_STATIC);
}

int
rb_runs_insert(
    struct store *s, const struct rb_runs_new *r, int64_t *id, struct err *err)
{
	char host[256], proc[RB_LEASE_PROC_MAX];
	struct store_stmt *st;

	rb_lease_host(host, sizeof host);
	st = store_stmt(s,
	    "INSERT INTO runs(runbook, source, commit_id, "
	    "source_sha256, params, incident_id, actor, dry_run, offline, "
	    "status, pid, host, started_at, proc) VALUES (?,?,?,?,?,?,?,?,?,"
	    "'running',?,?,?,?) RETURNING id",
	    err);
	if (st == NULL)
		return -1;
	rb_runs_text(st, 1, r->runbook);
	rb_runs_text(st, 2, r->source);
	rb_runs_text(st, 3, r->commit);
	rb_runs_text(st, 4, r->source_sha256);
	rb_runs_text(st, 5, r->params);
	if (r->incident != 0)
		store_bind_int64(st, 6, r->incident);
	rb_runs_text(st, 7, r->actor);
	store_bind_int(st, 8, r->dry_run);
	store_bind_int(st, 9, r->offline);
	store_bind_int(st, 10, (int)getpid());
	rb_runs_text(st, 11, host);
	store_bind_int64(st, 12, clock_now_us());
	rb_lease_proc(getpid(), proc, sizeof proc);
	rb_runs_text(st, 13, proc);
	return store_step_id(s, st, "runs", id, err);
}

int
rb_runs_finish(struct store *s, int64_t id, const char *status,
    const char *error, int64_t plan_id, struct err *err)
{
	struct store_stmt *st = store_stmt(s,
	    "UPDATE runs SET status = ?, error = "
	    "?, plan_id = ?, ended_at = ? WHERE id = ?",
	    err);

	if (st == NULL)
		return -1;
	rb_runs_text(st, 1, status);
	rb_runs_text(st, 2, error);
	if (plan_id != 0)
		store_bind_int64(st, 3, plan_id);
	store_bind_int64(st, 4, clock_now_us());
	store_bind_int64(st, 5, id);
	return store_step_done(s, st, "runs", err);
}

int
rb_runs_step(struct store *s, int64_t run_id, int64_t seq, int64_t idx,
    const char *name, int undo, const char *status, int64_t started_at,
    int64_t ms, const char *error, struct err *err)
{
	struct store_stmt *st = store_stmt(s,
	    "INSERT INTO run_steps(run_id, seq, "
	    "idx, name, undo, status, started_at, ms, error) VALUES "
	    "(?,?,?,?,?,?,?,?,?) ON CONFLICT(run_id, seq) DO UPDATE SET "
	    "status = excluded.status, ms = excluded.ms, error = "
	    "excluded.error",
	    err);

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, run_id);
	store_bind_int64(st, 2, seq);
	store_bind_int64(st, 3, idx);
	rb_runs_text(st, 4, name);
	store_bind_int(st, 5, undo);
	rb_runs_text(st, 6, status);
	store_bind_int64(st, 7, started_at);
	if (ms >= 0)
		store_bind_int64(st, 8, ms);
	rb_runs_text(st, 9, error);
	return store_step_done(s, st, "run steps", err);
}

int
rb_runs_step_idempotent(
    struct store *s, int64_t run_id, int64_t seq, struct err *err)
{
	struct store_stmt *st = store_stmt(s,
	    "UPDATE run_steps SET idempotent = 1 WHERE run_id = ? AND seq = ?",
	    err);

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, run_id);
	store_bind_int64(st, 2, seq);
	return store_step_done(s, st, "run steps", err);
}

/* The members of an effect its plan hash covers, in the order
 * JSON_SORT_KEYS writes them. */
static const char *const rb_runs_key_names[] = { "diff", "kind", "method",
	"payload", "secrets", "target", "write" };

/* Member k of e's key (rb_runs_key_names), or NULL (null). */
static const json_t *
rb_runs_key_member(const json_t *e, const struct rb_fx_kind *kind, size_t k)
{
	if (k == 0 && kind != NULL && kind->diff_unhashed)
		return NULL;
	return json_object_get(e, rb_runs_key_names[k]);
}

json_t *
rb_runs_key(const json_t *e)
{
	const struct rb_fx_kind *k =
	    rb_fx_kind(json_string_value(json_object_get(e, "kind")));
	json_t *key = json_object();

	for (size_t i = 0; key != NULL &&
	     i < sizeof rb_runs_key_names / sizeof *rb_runs_key_names;
	     i++) {
		const json_t *v = rb_runs_key_member(e, k, i);
		if (json_object_set_new(key, rb_runs_key_names[i],
		        v != NULL ? json_incref((json_t *)v) : json_null()) ==
		    -1) {
			json_decref(key);
			key = NULL;
		}
	}
	return key;
}

/* The text being hashed goes through a buffer: a digest update per
 * token (jansson's dump calls back for each) cost more than the digest. */
struct rb_runs_hasher {
	struct hash_ctx h;
	struct buf b;
};

static void
rb_runs_hash_flush(struct rb_runs_hasher *w)
{
	hash_update(&w->h, w->b.data, w->b.len);
	buf_reset(&w->b);
}

static int
rb_runs_hash_put(const char *p, size_t n, void *ctx)
{
	struct rb_runs_hasher *w = ctx;

	if (buf_add(&w->b, p, n, NULL) == -1) {
		rb_runs_hash_flush(w);
		hash_update(&w->h, p, n);
	}
	return 0;
}

/* SHA-256 over the JSON text (compact, keys sorted) of the array of the
 * effects' keys (rb_runs_key), streamed: the same bytes as dumping that
 * array, without building it. */
static void
rb_runs_hash(const json_t *effects, char hash[65])
{
	const size_t nk = sizeof rb_runs_key_names / sizeof *rb_runs_key_names;
	unsigned char md[HASH_LEN];
	struct rb_runs_hasher w = { .h = { NULL } };
	const json_t *e, *v;
	char name[16];
	size_t i, old;

	if (hash_begin(&w.h) == -1) {
		hash_sha256("", 0, md); /* as a failed dump did */
		hash_hex(md, sizeof md, hash);
		return;
	}
	buf_init(&w.b, (size_t)64 << 10);
	rb_runs_hash_put("[", 1, &w);
	json_array_foreach(effects, i, e)
	{
		const struct rb_fx_kind *k =
		    rb_fx_kind(json_string_value(json_object_get(e, "kind")));
		rb_runs_hash_put(i > 0 ? ",{" : "{", i > 0 ? 2 : 1, &w);
		for (size_t m = 0; m < nk; m++) {
			int n = snprintf(name, sizeof name,
			    "%s\"%s\":", m > 0 ? "," : "",
			    rb_runs_key_names[m]);
			rb_runs_hash_put(name, (size_t)n, &w);
			old = w.b.len;
			if ((v = rb_runs_key_member(e, k, m)) == NULL)
				rb_runs_hash_put("null", 4, &w);
			else if (jdump_add_sorted(v, &w.b, NULL) == -1) {
				/* over the buffer's ceiling: through jansson */
				w.b.len = old;
				rb_runs_hash_flush(&w);
				json_dump_callback(v, rb_runs_hash_put, &w,
				    JSON_COMPACT | JSON_SORT_KEYS |
				        JSON_ENCODE_ANY);
			}
		}
		rb_runs_hash_put("}", 1, &w);
		if (w.b.len >= (size_t)32 << 10)
			rb_runs_hash_flush(&w);
	}
	rb_runs_hash_put("]", 1, &w);
	rb_runs_hash_flush(&w);
	buf_done(&w.b);
	hash_end(&w.h, md);
	hash_hex(md, sizeof md, hash);
}

int
rb_runs_plan_store(struct store *s, int64_t run_id, const char *runbook,
    const char *source_sha256, const char *params, int dry_run,
    const json_t *effects, int64_t *id, char hash[65], struct err *err)
{
	struct store_stmt *st;
	char *text;
	int rc;

	rb_runs_hash(effects, hash);
	if ((text = jdump(effects)) == NULL) /* json_dumps(JSON_COMPACT) */
		return err_set(err, ERR_FAILED, "out of memory");
	st = store_stmt(s,
	    "INSERT INTO plans(run_id, runbook, source_sha256, "
	    "params, dry_run, hash, effects, created_at) VALUES "
	    "(?,?,?,?,?,?,?,?) RETURNING id",
	    err);
	if (st == NULL) {
		free(text);
		return -1;
	}
	store_bind_int64(st, 1, run_id);
	rb_runs_text(st, 2, runbook);
	rb_runs_text(st, 3, source_sha256);
	rb_runs_text(st, 4, params);
	store_bind_int(st, 5, dry_run);
	rb_runs_text(st, 6, hash);
	rb_runs_text(st, 7, text);
	store_bind_int64(st, 8, clock_now_us());
	rc = store_step_id(s, st, "plans", id, err);
	free(text);
	return rc;
}

int
rb_runs_plan_last(struct store *s, const char *runbook,
    const char *source_sha256, const char *params, int64_t *id,
    json_t **effects, struct err *err)
{
	struct store_stmt *st = store_stmt(s,
	    "SELECT id, effects FROM plans WHERE "
	    "runbook = ? AND source_sha256 = ? AND params = ? AND dry_run = 1 "
	    "ORDER BY id DESC LIMIT 1",
	    err);
	int rc;

	*id = 0;
	*effects = NULL;
	if (st == NULL)
		return -1;
	rb_runs_text(st, 1, runbook);
	rb_runs_text(st, 2, source_sha256);
	rb_runs_text(st, 3, params);
	if ((rc = store_step(st)) == STORE_ROW) {
		*id = store_col_int64(st, 0);
		*effects =
		    json_loads((const char *)store_col_text(st, 1), 0, NULL);
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "plans");
	return 0;
}

int
rb_runs_plan_steps(
    struct store *s, const char *runbook, const char *source_sha256)
{
	struct store_stmt *st = store_stmt(s,
	    "SELECT r.id FROM plans p JOIN runs "
	    "r ON r.id = p.run_id WHERE p.runbook = ? AND p.source_sha256 = ? "
	    "AND r.status = 'ok' ORDER BY p.id DESC LIMIT 1",
	    NULL);
	struct store_stmt *c;
	int64_t run = 0;
	int n = 0;

	if (st == NULL)
		return 0;
	rb_runs_text(st, 1, runbook);
	rb_runs_text(st, 2, source_sha256);
	if (store_step(st) == STORE_ROW)
		run = store_col_int64(st, 0);
	store_reset(st);
	c = store_stmt(s,
	    "SELECT count(*) FROM run_steps WHERE run_id = ? "
	    "AND undo = 0",
	    NULL);
	if (run == 0 || c == NULL)
		return 0;
	store_bind_int64(c, 1, run);
	if (store_step(c) == STORE_ROW)
		n = store_col_int(c, 0);
	store_reset(c);
	return n;
}

/* The write effects of a list as "kind target" strings. */
static json_t *
rb_runs_writes(const json_t *effects)
{
	json_t *out = json_array(), *e;
	char key[1200];
	size_t i;

	json_array_foreach(effects, i, e)
	{
		if (!json_is_true(json_object_get(e, "write")) ||
		    json_is_true(json_object_get(e, "undo")))
			continue;
		snprintf(key, sizeof key, "%s %s",
		    json_string_value(json_object_get(e, "kind")),
		    json_string_value(json_object_get(e, "target")));
		json_array_append_new(out, json_string(key));
	}
	return out;
}

static void
rb_runs_depart(json_t *out, const char *what, const char *key)
{
	const char *sp = strchr(key, ' ');
	char kind[64];

	snprintf(kind, sizeof kind, "%.*s", sp ? (int)(sp - key) : 0, key);
	json_array_append_new(out,
	    json_pack("{s:s, s:s, s:s}", "departure", what, "kind", kind,
	        "target", sp ? sp + 1 : key));
}

json_t *
rb_runs_departures(const json_t *planned, const json_t *done)
{
	json_t *p = rb_runs_writes(planned), *d = rb_runs_writes(done);
	json_t *out = json_array();
	size_t np = json_array_size(p), nd = json_array_size(d), i = 0, j = 0;

	/* Walk both in order; a mismatch is an unplanned effect when the
	 * planned one still comes later, else a planned one not done. */
	while (i < np || j < nd) {
		const char *a =
		    i < np ? json_string_value(json_array_get(p, i)) : NULL;
		const char *b =
		    j < nd ? json_string_value(json_array_get(d, j)) : NULL;
		size_t k;
		if (a && b && strcmp(a, b) == 0) {
			i++, j++;
			continue;
		}
		for (k = i; b && k < np; k++)
			if (strcmp(json_string_value(json_array_get(p, k)),
			        b) == 0)
				break;
		if (b && k < np) { /* b comes later: a..k-1 were skipped */
			for (; i < k; i++)
				rb_runs_depart(out, "not done",
				    json_string_value(json_array_get(p, i)));
		} else if (b) {
			rb_runs_depart(out, "unplanned", b);
			j++;
		} else {
			rb_runs_depart(out, "not done", a);
			i++;
		}
	}
	json_decref(p);
	json_decref(d);
	return out;
}

struct rb_runs_scan {
	json_t *intents; /* seq -> "kind target" */
};

static int
rb_runs_scan_row(const struct actlog_entry *e, void *ctx)
{
	struct rb_runs_scan *sc = ctx;
	json_t *d = json_loads(e->detail, 0, NULL);
	char seq[24], what[600];

	if (d == NULL)
		return 0;
	snprintf(seq, sizeof seq, "%lld",
	    (long long)json_integer_value(json_object_get(d, "seq")));
	if (strcmp(e->kind, "effect.intent") == 0) {
		snprintf(what, sizeof what, "%s %s",
		    json_string_value(json_object_get(d, "kind")),
		    json_string_value(json_object_get(d, "target")));
		json_object_set_new(sc->intents, seq, json_string(what));
	} else if (strcmp(e->kind, "effect.result") == 0) {
		json_object_del(sc->intents, seq);
	}
	json_decref(d);
	return 0;
}

int
rb_runs_inflight(
    struct store *s, int64_t run_id, char *out, size_t n, struct err *err)
{
	struct actlog_filter f = { .run = run_id };
	struct rb_runs_scan sc = { json_object() };
	char step[300] = "";
	struct store_stmt *st;
	const char *k;
	json_t *v;
	int rc;

	st = store_stmt(s,
	    "SELECT name, undo FROM run_steps WHERE run_id = ? "
	    "AND status = 'running' ORDER BY seq DESC LIMIT 1",
	    err);
	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, run_id);
	if (store_step(st) == STORE_ROW)
		snprintf(step, sizeof step, " during %sstep '%s'",
		    store_col_int(st, 1) ? "the undo of " : "",
		    (const char *)store_col_text(st, 0));
	store_reset(st);
	rc = actlog_each(s, &f, rb_runs_scan_row, &sc, err);
	snprintf(out, n, "%s", step);
	json_object_foreach(sc.intents, k, v)
	{
		size_t l = strlen(out);
		snprintf(out + l, n - l, " (%s started, no result)",
		    json_string_value(v));
	}
	json_decref(sc.intents);
	return rc;
}

/* Decides whether a running run's process is gone: on this host, by its
 * process (pid and identity); elsewhere, by its lease's expiry. */
static int
rb_runs_gone(
    struct store *s, int64_t id, const char *host, int pid, const char *proc)
{
	enum rb_lease_life life = rb_lease_life(host, pid, proc);
	struct store_stmt *st;
	int64_t exp = -1;

	if (life != RB_LEASE_UNKNOWN)
		return life == RB_LEASE_DEAD;
	st = store_stmt(
	    s, "SELECT expires_at FROM leases WHERE run_id = ?", NULL);
	if (st == NULL)
		return 0;
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_ROW)
		exp = store_col_int64(st, 0);
	store_reset(st);
	return exp >= 0 && exp < clock_now_us();
}

static int
rb_runs_interrupt(struct store *s, int64_t id, const char *runbook,
    int64_t incident, rb_runs_sweep_fn *fn, void *ctx, struct err *err)
{
	struct actlog_new n = {
		.incident = incident, .run = id, .kind = "run.interrupted"
	};
	char why[1200], msg[1300];
	json_t *d;
	int rc;

	if (rb_runs_inflight(s, id, why, sizeof why, err) == -1)
		return -1;
	snprintf(msg, sizeof msg, "interrupted: its owl process died%s", why);
	d = json_pack("{s:s, s:s}", "runbook", runbook, "why", msg);
	rc = store_begin(s, err);
	if (rc == 0 &&
	    (rb_runs_finish(s, id, "interrupted", msg, 0, err) == -1 ||
	        actlog_append_json(
	            s, &n, json_incref(d), JSON_COMPACT, NULL, err) == -1)) {
		store_rollback(s);
		rc = -1;
	} else if (rc == 0) {
		rc = store_commit(s, err);
	}
	json_decref(d);
	if (rc == 0 && fn != NULL)
		fn(ctx, id, runbook, msg);
	return rc;
}

int
rb_runs_sweep(struct store *s, rb_runs_sweep_fn *fn, void *ctx, struct err *err)
{
	struct store_stmt *st = store_stmt(s,
	    "SELECT id, runbook, host, pid, "
	    "incident_id, proc FROM runs WHERE status = 'running'",
	    err);
	json_t *gone = json_array(), *g;
	size_t i;
	int rc = 0;

	if (st == NULL) {
		json_decref(gone);
		return -1;
	}
	while (store_step(st) == STORE_ROW) {
		int64_t id = store_col_int64(st, 0);
		if (rb_runs_gone(s, id, (const char *)store_col_text(st, 2),
		        store_col_int(st, 3),
		        (const char *)store_col_text(st, 5)))
			json_array_append_new(gone,
			    json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id,
			        "runbook", (const char *)store_col_text(st, 1),
			        "incident",
			        (json_int_t)store_col_int64(st, 4)));
	}
	store_reset(st);
	json_array_foreach(gone, i,
	    g) if (rb_runs_interrupt(s,
	               json_integer_value(json_object_get(g, "id")),
	               json_string_value(json_object_get(g, "runbook")),
	               json_integer_value(json_object_get(g, "incident")), fn,
	               ctx, err) == -1) rc = -1;
	json_decref(gone);
	return rc;
}

int
rb_runs_of_incident(struct store *s, int64_t incident, rb_runs_row_fn *fn,
    void *ctx, struct err *err)
{
	static const char sql[] =
	    "SELECT id, runbook, actor, status, error, dry_run,"
	    " started_at, coalesce(ended_at, 0), coalesce(plan_id, 0),"
	    " commit_id, source_ref, blob_id, dirty"
	    " FROM runs WHERE incident_id = ? ORDER BY id";
	struct rb_runs_row r;
	struct store_stmt *st;
	int rc, stop = 0;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, incident);
	while (!stop && (rc = store_step(st)) == STORE_ROW) {
		r.id = store_col_int64(st, 0);
		r.runbook = (const char *)store_col_text(st, 1);
		r.actor = (const char *)store_col_text(st, 2);
		r.status = (const char *)store_col_text(st, 3);
		r.error = (const char *)store_col_text(st, 4);
		r.dry_run = store_col_int(st, 5);
		r.started_at = store_col_int64(st, 6);
		r.ended_at = store_col_int64(st, 7);
		r.plan_id = store_col_int64(st, 8);
		r.commit = (const char *)store_col_text(st, 9);
		r.ref = (const char *)store_col_text(st, 10);
		r.blob = (const char *)store_col_text(st, 11);
		r.dirty = store_col_int(st, 12);
		stop = fn(&r, ctx);
	}
	store_reset(st);
	if (!stop && rc != STORE_DONE)
		return store_sqlerr(s, err, "runs");
	return 0;
}
