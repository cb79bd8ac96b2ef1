/* duty.c: the leases on owl serve's once-only duties (see duty.h), one
 * row of paging_state each: {"holder", "host", "pid", "proc", "since",
 * "until"} (a lease written by an older owl has holder and until only). */
#include "duty.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actlog.h"

#define DUTY_ACTOR "owl"

void
duty_node_init(struct duty_node *n)
{
	memset(n, 0, sizeof *n);
	rb_lease_host(n->host, sizeof n->host);
	n->pid = (int)getpid();
	rb_lease_proc(n->pid, n->proc, sizeof n->proc);
	snprintf(n->id, sizeof n->id, "%.120s:%d", n->host, n->pid);
}

/* The stored lease of name as JSON (NULL: none). */
static int
duty_read(struct store *s, const char *name, json_t **v, struct err *err)
{
	static const char sql[] =
	    "SELECT value FROM paging_state WHERE key = ?";
	struct store_stmt *st;
	int rc;

	*v = NULL;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, name, -1, STORE_STATIC);
	if ((rc = store_step(st)) == STORE_ROW)
		*v = json_loads((const char *)store_col_text(st, 0), 0, NULL);
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "read the lease");
	return 0;
}

/* Whether the holder of lease v is a process of this host that died. A
 * lease of an older owl names its host and pid in "host:pid" only. */
static int
duty_dead(const json_t *v)
{
	const char *holder = json_string_value(json_object_get(v, "holder"));
	const char *host = json_string_value(json_object_get(v, "host"));
	const char *proc = json_string_value(json_object_get(v, "proc"));
	int pid = (int)json_integer_value(json_object_get(v, "pid"));
	char h[128];
	const char *colon;

	if (holder == NULL)
		return 0;
	if (host == NULL) {
		if ((colon = strrchr(holder, ':')) == NULL ||
		    (size_t)(colon - holder) >= sizeof h)
			return 0;
		snprintf(h, sizeof h, "%.*s", (int)(colon - holder), holder);
		host = h;
		pid = atoi(colon + 1);
	}
	return rb_lease_dead(host, pid, proc);
}

static int
duty_write(struct store *s, const char *name, const struct duty_node *n,
    int64_t since, int64_t until, struct err *err)
{
	static const char sql[] =
	    "INSERT INTO paging_state(key, value) VALUES (?, ?)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	struct store_stmt *st;
	json_t *v;
	char *text;
	int rc;

	v = json_pack("{s:s, s:s, s:i, s:s, s:I, s:I}", "holder", n->id, "host",
	    n->host, "pid", n->pid, "proc", n->proc, "since", (json_int_t)since,
	    "until", (json_int_t)until);
	text = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	if (text == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if ((st = store_stmt(s, sql, err)) == NULL) {
		free(text);
		return -1;
	}
	store_bind_text(st, 1, name, -1, STORE_STATIC);
	store_bind_text(st, 2, text, -1, STORE_STATIC);
	rc = store_step_done(s, st, "take the lease", err);
	free(text);
	return rc;
}

static int
duty_log_takeover(struct store *s, const char *name, const struct duty_node *n,
    const struct duty_take *t, struct err *err)
{
	struct actlog_new e = { DUTY_ACTOR, 0, 0, "duty.takeover", NULL };
	json_t *d;

	d = json_pack("{s:s, s:s, s:s, s:s, s:I}", "duty", name, "node", n->id,
	    "previous", t->other, "reason",
	    t->died ? "its process died" : "its lease expired", "expired_at",
	    (json_int_t)t->other_until);
	return actlog_append_json(s, &e, d, JSON_COMPACT, NULL, err);
}

/* What the stored lease v means for node n at now, without writing:
 * 1 decided (t filled: fresh enough to keep, or held by a live other),
 * 0 the lease must be written (free, expired, dead, or due a renewal). */
static int
duty_decide(const json_t *v, const struct duty_node *n, int64_t now,
    int64_t ttl, struct duty_take *t)
{
	const char *cur = json_string_value(json_object_get(v, "holder"));
	int64_t until = json_integer_value(json_object_get(v, "until"));

	memset(t, 0, sizeof *t);
	if (cur == NULL)
		return 0;
	if (strcmp(cur, n->id) == 0) {
		/* renewed once a third of it has passed, not at every call:
		 * each write is a transaction every node is notified of */
		t->got = until - now > ttl - ttl / 3;
		return t->got;
	}
	snprintf(t->other, sizeof t->other, "%s", cur);
	t->other_until = until;
	t->died = duty_dead(v);
	return until > now && !t->died;
}

int
duty_settled(struct store *s, const char *name, const struct duty_node *n,
    int64_t now, int64_t ttl, struct duty_take *t, struct err *err)
{
	json_t *v = NULL;
	int settled;

	if (duty_read(s, name, &v, err) == -1)
		return -1;
	settled = duty_decide(v, n, now, ttl, t);
	json_decref(v);
	return settled;
}

int
duty_take(struct store *s, const char *name, const struct duty_node *n,
    int64_t now, int64_t ttl, struct duty_take *t, struct err *err)
{
	int64_t since = now;
	json_t *v = NULL;

	/* a plain read first: standing by, or keeping a fresh lease, opens
	 * no write transaction */
	if (duty_read(s, name, &v, err) == -1)
		return -1;
	if (duty_decide(v, n, now, ttl, t)) {
		json_decref(v);
		return 0;
	}
	json_decref(v);
	if (store_begin(s, err) == -1)
		return -1;
	if (duty_read(s, name, &v, err) == -1)
		goto fail;
	if (duty_decide(v, n, now, ttl, t) && !t->got) {
		json_decref(v);
		return store_commit(s, err); /* another node was first */
	}
	t->taken_over = t->other[0] != '\0';
	if (!t->taken_over &&
	    json_integer_value(json_object_get(v, "since")) > 0)
		since = json_integer_value(json_object_get(v, "since"));
	json_decref(v);
	v = NULL;
	if (duty_write(s, name, n, since, now + ttl, err) == -1 ||
	    (t->taken_over && duty_log_takeover(s, name, n, t, err) == -1))
		goto fail;
	t->got = 1;
	return store_commit(s, err);
fail:
	json_decref(v);
	store_rollback(s);
	memset(t, 0, sizeof *t);
	return -1;
}

int
duty_held(struct store *s, const char *name, const char *id, struct err *err)
{
	json_t *v;
	const char *cur;
	int held;

	if (duty_read(s, name, &v, err) == -1)
		return -1;
	cur = json_string_value(json_object_get(v, "holder"));
	held = cur != NULL && strcmp(cur, id) == 0;
	json_decref(v);
	return held;
}

int
duty_release(struct store *s, const char *name, const char *id, struct err *err)
{
	static const char sql[] = "DELETE FROM paging_state WHERE key = ? AND"
	                          " json_extract(value, '$.holder') = ?";
	struct store_stmt *st;
	int rc;

	if (store_begin(s, err) == -1)
		return -1;
	if ((st = store_stmt(s, sql, err)) == NULL) {
		store_rollback(s);
		return -1;
	}
	store_bind_text(st, 1, name, -1, STORE_STATIC);
	store_bind_text(st, 2, id, -1, STORE_STATIC);
	if ((rc = store_step_done(s, st, "release the lease", err)) == -1) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, err);
}

int
duty_renew(struct store *s, const char *name, const struct duty_node *n,
    int64_t now, int64_t ttl, struct duty_take *t, struct err *err)
{
	int sqlite = store_is_url(store_path(s)) == 0, rc;

	if (sqlite && store_sync(s, STORE_SYNC_NORMAL, err) == -1)
		return -1;
	rc = duty_take(s, name, n, now, ttl, t, err);
	/* the connection's other work (escalation, silences) stays FULL */
	if (sqlite &&
	    store_sync(s, STORE_SYNC_FULL, rc == -1 ? NULL : err) == -1)
		rc = -1;
	return rc;
}
