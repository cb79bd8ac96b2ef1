/* rb_effect.c: the chokepoint: log intent, perform, log result, record in
 * the plan, answer the worker (see rb_effect.h). The per-kind work is in
 * the table of effect kinds (rb_fx.h). */
#include "rb_effect.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlog.h"
#include "clock.h"
#include "jdump.h"
#include "mask.h"
#include "rb_fx.h"
#include "rb_lease.h"
#include "rb_runs.h"

#define RB_EFFECT_LOG_TEXT 2048 /* longest string kept in a log detail */

int
rb_effect_init(struct rb_effect *e, struct store *s, const struct effects *fx,
    int dry_run, const struct config *config, struct err *err)
{
	memset(e, 0, sizeof *e);
	e->store = s;
	e->fx = fx;
	e->dry_run = dry_run;
	e->max_effects = RB_EFFECT_MAX;
	e->max_diffs = RB_EFFECT_DIFFS_MAX;
	e->instant = (fx->caps & EFFECTS_INSTANT) != 0;
	actor_name(e->actor);
	if ((e->plan = json_array()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rb_guard_init(&e->guard, config, s ? store_path(s) : NULL, err) ==
	    -1)
		return -1;
	return rb_secrets_init(&e->secrets, err);
}

struct rb_effect_preload {
	struct rb_effect *e;
	struct err *err;
	int failed;
};

static int
rb_effect_preload_one(void *arg, const char *name, const char *value, size_t n)
{
	struct rb_effect_preload *p = arg;

	/* too short to mask: secret.get refuses it, so no handle leads to
	 * it either */
	if (n >= MASK_MIN_LEN &&
	    mask_add(p->e->secrets.mask, value, n, p->err) == -1) {
		err_prefix(p->err, "secret %s: ", name);
		p->failed = 1;
		return -1;
	}
	return 0;
}

int
rb_effect_preload(struct rb_effect *e, struct err *err)
{
	struct rb_effect_preload p = { e, err, 0 };

	if (e->fx->secret_each == NULL)
		return 0;
	if (e->fx->secret_each(e->fx->ctx, rb_effect_preload_one, &p, err) ==
	        -1 ||
	    p.failed)
		return -1;
	return 0;
}

/* The password of a URL's userinfo in s ("scheme://user:PW@host/..."):
 * its start and length, or NULL. */
static const char *
rb_effect_url_pw(const char *s, size_t *n)
{
	const char *a = strstr(s, "://"), *at, *colon;
	size_t auth;

	if (a == NULL)
		return NULL;
	a += 3;
	auth = strcspn(a, "/?#");
	for (at = a + auth; at > a && at[-1] != '@'; at--)
		;
	if (at == a)
		return NULL;
	at--; /* the last '@' of the authority */
	if ((colon = memchr(a, ':', (size_t)(at - a))) == NULL)
		return NULL;
	*n = (size_t)(at - colon - 1);
	return colon + 1;
}

/* Masks the passwords of URLs in j (a copy of the config): each becomes
 * "***" in j and, long enough, is taught to the masker. */
static int
rb_effect_config_walk(struct rb_effect *e, json_t *j, struct err *err)
{
	const char *k, *s, *pw;
	size_t i, n = 0;
	json_t *v;
	char *out;

	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
		{
			if (rb_effect_config_walk(e, v, err) == -1)
				return -1;
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
		{
			if (rb_effect_config_walk(e, v, err) == -1)
				return -1;
		}
	} else if (json_is_string(j) && (s = json_string_value(j)) != NULL &&
	    (pw = rb_effect_url_pw(s, &n)) != NULL && n > 0) {
		if (n >= MASK_MIN_LEN &&
		    mask_add(e->secrets.mask, pw, n, err) == -1)
			return -1;
		if (asprintf(&out, "%.*s***%s", (int)(pw - s), s, pw + n) == -1)
			return err_set(err, ERR_FAILED, "out of memory");
		json_string_set(j, out);
		free(out);
	}
	return 0;
}

json_t *
rb_effect_config(struct rb_effect *e, const json_t *config, struct err *err)
{
	/* owl's own sections that hold credentials: paging's channel URLs
	 * (a Slack webhook's URL is its credential) and SMTP, notify()'s
	 * URL, owl serve's credential files and pull sources, the
	 * Alertmanagers */
	static const char *const owl_only[] = { "oncall", "notify", "serve",
		"alertmanagers" };
	json_t *copy = config != NULL ? json_deep_copy(config) : json_object();

	if (copy == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < sizeof owl_only / sizeof owl_only[0]; i++)
		json_object_del(copy, owl_only[i]);
	if (rb_effect_config_walk(e, copy, err) == -1) {
		json_decref(copy);
		return NULL;
	}
	return copy;
}

static void
rb_effect_step_clear(struct rb_effect *e)
{
	free(e->step_row.name);
	memset(&e->step_row, 0, sizeof e->step_row);
}

void
rb_effect_done(struct rb_effect *e)
{
	struct err err;

	err_init(&err);
	rb_effect_flush(e, &err);
	rb_effect_step_clear(e);
	rb_secrets_done(&e->secrets);
	rb_guard_done(&e->guard);
	json_decref(e->plan);
	e->plan = NULL;
}

char *
rb_effect_mask(const struct rb_effect *e, const char *s)
{
	return mask_dup(e->secrets.mask, s);
}

/* Masks every string in j in place, and cuts long ones when cut > 0. */
void
rb_effect_mask_json(const struct rb_effect *e, json_t *j, size_t cut)
{
	const char *k;
	json_t *v;
	size_t i;

	if (cut == 0 && mask_count(e->secrets.mask) == 0)
		return; /* nothing to mask, nothing to cut */
	if (json_is_string(j)) {
		char *m = NULL;
		if (mask_count(e->secrets.mask) > 0)
			m = mask_dup(e->secrets.mask, json_string_value(j));
		if (m != NULL && cut > 0 && strlen(m) > cut)
			strcpy(m + cut - 3, "...");
		if (m != NULL)
			json_string_set(j, m);
		else if (cut > 0 && json_string_length(j) > cut) {
			char *c = strndup(json_string_value(j), cut);
			if (c != NULL)
				json_string_setn(j, c, cut);
			free(c);
		}
		free(m);
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v) rb_effect_mask_json(e, v, cut);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) rb_effect_mask_json(e, v, cut);
	}
}

/* Keeps the first failure to write the log: the run stops on it. */
static void
rb_effect_log_failed(struct rb_effect *e, const struct err *err)
{
	if (e->log_failed)
		return;
	e->log_failed = 1;
	snprintf(e->log_error, sizeof e->log_error,
	    "the action log could not be written (%.400s): the run was "
	    "stopped",
	    err->msg[0] ? err->msg : "unknown error");
}

int
rb_effect_begin(struct rb_effect *e, struct err *err)
{
	if (e->txn)
		return 0;
	if (store_begin(e->store, err) == -1) {
		rb_effect_log_failed(e, err);
		return -1;
	}
	e->txn = 1;
	e->txn_since = clock_mono_us();
	return 0;
}

/* Writes the waiting begin row of the step running now, if any, into
 * the batching transaction. */
static int
rb_effect_step_write(struct rb_effect *e, struct err *err)
{
	const struct rb_effect_step_row *r = &e->step_row;
	int rc = 0;

	if (!r->pending)
		return 0;
	if (e->run_id != 0 &&
	    (rb_effect_begin(e, err) == -1 ||
	        rb_runs_step(e->store, e->run_id, r->seq, r->i,
	            r->name ? r->name : "?", r->undo, "running", r->started_at,
	            -1, NULL, err) == -1 ||
	        (r->idempotent &&
	            rb_runs_step_idempotent(e->store, e->run_id, r->seq, err) ==
	                -1))) {
		rb_effect_log_failed(e, err);
		rc = -1;
	}
	rb_effect_step_clear(e);
	return rc;
}

int
rb_effect_step_begin(struct rb_effect *e, int64_t seq, int64_t i, int undo,
    const char *name, int idempotent, struct err *err)
{
	if (rb_effect_step_write(e, err) == -1)
		return -1;
	e->step_row.seq = seq;
	e->step_row.i = i;
	e->step_row.undo = undo;
	e->step_row.idempotent = idempotent;
	e->step_row.started_at = clock_now_us();
	if ((e->step_row.name = strdup(name ? name : "?")) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	e->step_row.pending = 1;
	return 0;
}

int
rb_effect_step_end(struct rb_effect *e, int64_t seq, int64_t i,
    const char *name, int undo, const char *status, int64_t ms,
    const char *error, struct err *err)
{
	int64_t started = clock_now_us(); /* unused when the row exists */
	int idempotent = 0; /* set when this call writes the step's row */

	if (e->step_row.pending && e->step_row.seq == seq) {
		started = e->step_row.started_at;
		idempotent = e->step_row.idempotent;
		rb_effect_step_clear(e);
	} else if (rb_effect_step_write(e, err) == -1) {
		return -1;
	}
	if (e->run_id == 0)
		return 0;
	if (rb_effect_begin(e, err) == -1)
		return -1;
	if (rb_runs_step(e->store, e->run_id, seq, i, name ? name : "?", undo,
	        status, started, ms, error, err) == -1)
		return -1;
	return idempotent
	    ? rb_runs_step_idempotent(e->store, e->run_id, seq, err)
	    : 0;
}

int
rb_effect_flush(struct rb_effect *e, struct err *err)
{
	if (rb_effect_step_write(e, err) == -1)
		return -1;
	if (!e->txn)
		return 0;
	e->txn = 0;
	if (store_commit(e->store, err) == -1) {
		rb_effect_log_failed(e, err);
		return -1;
	}
	return 0;
}

void
rb_effect_abort(struct rb_effect *e)
{
	if (!e->txn)
		return;
	e->txn = 0;
	store_rollback(e->store);
}

int
rb_effect_flush_old(struct rb_effect *e, int64_t max_us, struct err *err)
{
	if (e->txn && clock_mono_us() - e->txn_since > max_us)
		return rb_effect_flush(e, err);
	return 0;
}

int
rb_effect_log(
    struct rb_effect *e, const char *kind, json_t *detail, struct err *err)
{
	struct actlog_new n = { .actor = e->actor,
		.incident = e->incident,
		.run = e->run_id,
		.kind = kind };
	char *s = NULL, *m = NULL;
	int rc = -1;

	if (detail == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	s = jdump(detail); /* json_dumps(JSON_COMPACT)'s text */
	if (s == NULL ||
	    (mask_count(e->secrets.mask) > 0 &&
	        (m = mask_dup(e->secrets.mask, s)) == NULL)) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	n.detail = m != NULL ? m : s;
	if (rb_effect_begin(e, err) == -1)
		goto out;
	rc = actlog_append(e->store, &n, NULL, err);
out:
	if (rc == -1)
		rb_effect_log_failed(e, err);
	json_decref(detail);
	free(s);
	free(m);
	return rc;
}

/* Adds a write's "payload" (what it sends, in full) and "secrets" (the
 * names of the secrets it uses) to its plan entry. */
static int
rb_effect_show(struct rb_effect *e, const struct rb_fx_call *c, json_t *entry,
    struct err *err)
{
	json_t *names, *p;

	if (c->kind->show == NULL)
		return 0;
	if ((names = json_array()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if ((p = c->kind->show(e, c->req, names, err)) == NULL) {
		json_decref(names);
		return -1;
	}
	json_object_set_new(entry, "payload", p);
	if (json_array_size(names) > 0)
		json_object_set(entry, "secrets", names);
	json_decref(names);
	return 0;
}

/* A new plan entry describing the request (c->desc filled); NULL with
 * err set when the request is malformed. */
static json_t *
rb_effect_entry(struct rb_effect *e, struct rb_fx_call *c, struct err *err)
{
	json_t *entry;

	if (rb_fx_describe(c, err) == -1)
		return NULL;
	entry =
	    json_pack("{s:I, s:s, s:s, s:b}", "seq", (json_int_t)e->seq, "kind",
	        c->desc.name, "target", c->desc.target, "write", c->desc.write);
	if (entry == NULL)
		return err_set(err, ERR_FAILED, "out of memory"), NULL;
	if (e->step_i > 0) {
		json_object_set_new(entry, "step", json_integer(e->step_i));
		json_object_set_new(entry, "step_name", json_string(e->step));
	}
	if (e->undo)
		json_object_set_new(entry, "undo", json_true());
	if (json_is_string(json_object_get(c->req, "method")))
		json_object_set(
		    entry, "method", json_object_get(c->req, "method"));
	if (c->desc.write && rb_effect_show(e, c, entry, err) == -1) {
		json_decref(entry);
		return NULL;
	}
	return entry;
}

/* Whether v holds no secret reference, and no string that masking or
 * cutting at cut bytes would change (then it can be logged as it is). */
static int
rb_effect_plain(const struct rb_effect *e, const json_t *v, size_t cut)
{
	const char *k;
	const json_t *c;
	size_t i;

	if (json_is_string(v))
		return json_string_length(v) <= cut;
	if (rb_secrets_is_ref(&e->secrets, v))
		return 0;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k,
		    c) if (!rb_effect_plain(e, c, cut)) return 0;
	} else if (json_is_array(v)) {
		json_array_foreach(
		    v, i, c) if (!rb_effect_plain(e, c, cut)) return 0;
	}
	return mask_count(e->secrets.mask) == 0;
}

static int
rb_effect_intent(struct rb_effect *e, const json_t *entry, const json_t *req,
    struct err *err)
{
	/* a shallow copy: the entry's members are not changed before this
	 * detail is written out */
	json_t *d = json_copy((json_t *)entry), *summary;

	/* a request with no secret in it and nothing to mask or cut needs
	 * no deep copy: only its top level loses members */
	summary = rb_effect_plain(e, req, RB_EFFECT_LOG_TEXT)
	    ? json_copy((json_t *)req)
	    : rb_secrets_subst(&e->secrets, req, 0, err);
	if (summary == NULL && !err_isset(err))
		err_set(err, ERR_FAILED, "out of memory");
	if (d == NULL || summary == NULL) {
		json_decref(d);
		json_decref(summary);
		return -1;
	}
	json_object_del(summary, "t");
	json_object_del(summary, "kind");
	json_object_del(d, "payload"); /* the request says it */
	rb_effect_mask_json(e, summary, RB_EFFECT_LOG_TEXT);
	json_object_set_new(d, "request", summary);
	json_object_set_new(d, "dry_run", json_boolean(e->dry_run));
	return rb_effect_log(e, "effect.intent", d, err);
}

/* Logs the result and completes the plan entry. */
static int
rb_effect_result(struct rb_effect *e, json_t *entry, struct rb_fx_call *c,
    int ok, int64_t ms, const char *error, struct err *err)
{
	/* the call's own result object, nobody else's: completed in place */
	json_t *d = c->result ? json_incref(c->result) : json_object();
	const char *k;
	json_t *v;

	json_object_set_new(d, "seq", json_integer(e->seq));
	json_object_set_new(d, "ok", json_boolean(ok && !c->failed));
	json_object_set_new(d, "ms", json_integer(ms));
	json_object_set_new(d, "simulated", json_boolean(c->simulated));
	if (error != NULL)
		json_object_set_new(d, "error", json_string(error));
	json_object_foreach(d, k, v) if (strcmp(k, "seq") != 0 &&
	    strcmp(k, "bytes") != 0) json_object_set(entry, k, v);
	if (c->diff != NULL)
		json_object_set_new(entry, "diff", json_incref(c->diff));
	if (c->seen != NULL)
		json_object_set_new(entry, "read", json_incref(c->seen));
	rb_effect_mask_json(e, entry, 0);
	return rb_effect_log(e, "effect.result", d, err);
}

/* A refusal (a stale plan, a write not in it, a held target): no write
 * but undo is made from now on, and the run ends refused. */
static int
rb_effect_refuse(struct rb_effect *e, const struct err *err)
{
	if (!e->failed) {
		e->failed = 1;
		snprintf(e->failed_msg, sizeof e->failed_msg, "%s", err->msg);
	}
	if (err->code == ERR_REFUSED && e->refused[0] == '\0')
		snprintf(e->refused, sizeof e->refused, "%s", err->msg);
	return -1;
}

/* `owl apply`: a write the plan does not hold (err says which). On a
 * terminal the operator may make it anyway, logged with the question;
 * else, or on no, the run is refused before it (undo runs). */
static int
rb_effect_off_plan(struct rb_effect *e, const json_t *entry, struct err *err)
{
	static const char made[] = "; it was not made";
	char q[1200];
	size_t n;
	struct err lerr;
	int yes;

	if (e->ask_off_plan == NULL)
		return rb_effect_refuse(e, err);
	n = strlen(err->msg);
	if (n >= sizeof made - 1 &&
	    strcmp(err->msg + n - (sizeof made - 1), made) == 0)
		n -= sizeof made - 1;
	snprintf(q, sizeof q, "%.*s. Make this write anyway, off the plan?",
	    (int)n, err->msg);
	err_init(&lerr);
	/* the log is on disk, and the progress on the screen, while the
	 * prompt waits */
	if (rb_effect_flush(e, &lerr) == -1)
		return rb_effect_refuse(e, err);
	if (e->before_perform != NULL)
		e->before_perform(e->before_perform_ctx);
	yes = e->ask_off_plan(e->ask_ctx, q);
	if (rb_effect_log(e, "run.confirm",
	        json_pack("{s:s, s:s, s:b}", "text", q, "answer",
	            yes == 1       ? "yes"
	                : yes == 0 ? "no"
	                           : "nobody",
	            "off_plan", 1),
	        &lerr) == -1 ||
	    yes != 1)
		return rb_effect_refuse(e, err);
	rb_apply_accept(e->apply, entry);
	return 0;
}

/* Takes the lease of the target a live write is about to change, before
 * it is changed; a takeover of a dead holder's is logged. */
static int
rb_effect_lease(
    struct rb_effect *e, const struct rb_fx_call *c, struct err *err)
{
	int cancels = e->cancel != NULL ? *e->cancel : 0;
	struct rb_lease_prev prev;

	for (;;) {
		if (rb_effect_begin(e, err) == -1)
			return -1;
		if (rb_lease_target(e->store, c->desc.lease, e->run_id,
		        e->actor, &prev, err) == 0)
			break;
		rb_effect_abort(e);
		if (!e->wait_leases || err->code != ERR_REFUSED)
			return -1;
		if (e->cancel != NULL && *e->cancel != cancels) {
			err_prefix(err, "cancelled (^C) while waiting: ");
			return -1;
		}
		if (e->deadline > 0 && clock_mono_us() > e->deadline) {
			err_prefix(err, "the run's time ran out waiting: ");
			return -1;
		}
		poll(NULL, 0, 200);
		err_init(err);
	}
	if (prev.run_id != 0 &&
	    rb_effect_log(e, "run.lease_takeover",
	        json_pack("{s:s, s:I, s:s, s:i, s:s}", "target", c->desc.lease,
	            "previous_run", (json_int_t)prev.run_id, "holder",
	            prev.holder, "pid", prev.pid, "host", prev.host),
	        err) == -1)
		return -1;
	return rb_effect_flush(e, err);
}

static json_t *
rb_effect_fail_reply(struct rb_effect *e, const char *msg)
{
	char *m = rb_effect_mask(e, msg);
	json_t *r = json_pack("{s:b, s:s}", "ok", 0, "error", m ? m : "failed");

	free(m);
	return r;
}

json_t *
rb_effect_do(struct rb_effect *e, const json_t *req)
{
	struct rb_fx_call c = { .e = e, .req = req };
	json_t *entry, *reply = NULL;
	struct err err, lerr;
	int64_t t0;
	int rc;

	err_init(&err);
	err_init(&lerr);
	if (e->seq >= e->max_effects) {
		err_set(&err, ERR_FAILED,
		    "refused: this run already made %lld effects, the most "
		    "a run may make",
		    (long long)e->seq);
		return rb_effect_fail_reply(e, err.msg);
	}
	e->seq++;
	if ((entry = rb_effect_entry(e, &c, &err)) == NULL)
		return rb_effect_fail_reply(e, err.msg);
	/* the step's row waits for the commit (rb_effect_flush writes it
	 * first) or the step's end: a dry-run write commits nothing, so a
	 * step of such writes gets its one row at its end */
	if (rb_effect_intent(e, entry, req, &lerr) == -1) {
		json_decref(entry);
		err_prefix(&lerr, "not done, could not log it: ");
		return rb_effect_fail_reply(e, lerr.msg);
	}
	/* The intent is durable before anything real happens; a dry-run's
	 * simulated writes and its reads of local files (rb_fx.h,
	 * dry_in_batch) are made inside the batch and committed with it. */
	if (!e->instant &&
	    !(e->dry_run &&
	        (json_is_true(json_object_get(entry, "write")) ||
	            c.kind->dry_in_batch))) {
		if (rb_effect_flush(e, &lerr) == -1) {
			json_decref(entry);
			return rb_effect_fail_reply(e, lerr.msg);
		}
		if (e->before_perform != NULL)
			e->before_perform(e->before_perform_ctx);
	}
	c.reply = json_object();
	c.result = json_object();
	t0 = clock_mono_us();
	if (e->failed && !e->undo_ok &&
	    json_is_true(json_object_get(entry, "write")))
		rc = err_set(&err, ERR_REFUSED,
		    "refused: the run already failed (%s); no write but undo "
		    "is made now",
		    e->failed_msg);
	else if (e->apply != NULL && !e->undo && c.desc.write &&
	    rb_apply_write(e->apply, entry, &err) == -1 &&
	    rb_effect_off_plan(e, entry, &err) == -1)
		rc = -1;
	else if (c.desc.write && !e->dry_run && !e->instant && e->run_id != 0 &&
	    c.desc.lease[0] != '\0' && rb_effect_lease(e, &c, &err) == -1)
		rc = rb_effect_refuse(e, &err);
	else
		rc = c.kind->perform(&c, &err);
	if (rc == 0 && e->apply != NULL && !e->undo && !c.desc.write &&
	    c.seen != NULL &&
	    rb_apply_read(e->apply, entry, c.seen, &err) == -1)
		rc = rb_effect_refuse(e, &err);
	if (rb_effect_result(e, entry, &c, rc == 0,
	        (clock_mono_us() - t0) / 1000, rc == 0 ? NULL : err.msg,
	        &lerr) == -1 &&
	    rc == 0) {
		err_set(&err, ERR_FAILED, "%s", lerr.msg);
		rc = -1;
	}
	json_array_append(e->plan, entry);
	e->last = entry;
	json_decref(entry);
	if (rc == 0) {
		reply = c.reply;
		c.reply = NULL;
		rb_effect_mask_json(e, reply, 0);
		json_object_set_new(reply, "ok", json_true());
		if (c.simulated)
			json_object_set_new(reply, "simulated", json_true());
	} else {
		reply = rb_effect_fail_reply(e, err.msg);
	}
	json_decref(c.reply);
	json_decref(c.result);
	json_decref(c.diff);
	json_decref(c.seen);
	return reply;
}

int
rb_effect_confirm(
    struct rb_effect *e, const char *text, const char *answer, struct err *err)
{
	json_t *entry;

	if (e->seq >= e->max_effects)
		return err_set(err, ERR_FAILED,
		    "refused: this run already made %lld effects, the most "
		    "a run may make",
		    (long long)e->seq);
	e->seq++;
	entry = json_pack("{s:I, s:s, s:s, s:b, s:s}", "seq",
	    (json_int_t)e->seq, "kind", "confirm", "target", text, "write", 0,
	    "answer", answer);
	if (entry == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (e->step_i > 0) {
		json_object_set_new(entry, "step", json_integer(e->step_i));
		json_object_set_new(entry, "step_name", json_string(e->step));
	}
	rb_effect_mask_json(e, entry, 0);
	json_array_append(e->plan, entry);
	e->last = entry;
	return rb_effect_log(e, "run.confirm", entry, err);
}
