/* rb_run.c: a runbook run from start to end (see rb_run.h). */
#include "rb_run.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actlog.h"
#include "buf.h"
#include "clock.h"
#include "effects_dry.h"
#include "hash.h"
#include "plan.h"
#include "rb_lease.h"
#include "rb_runs.h"
#include "rbmeta.h"
#include "worker/rb_worker.h"
#include "words.h"

#define RB_RUN_SOURCE_MAX (1 << 20)
#define RB_RUN_LOAD_US (INT64_C(10) * 1000000)
#define RB_RUN_UNDO_GRACE_US (INT64_C(30) * 1000000)

int
rb_run_read(
    const char *dir, const char *name, char **src, size_t *n, struct err *err)
{
	char path[4200], chunk[8192];
	struct stat st;
	struct buf b;
	ssize_t r;
	int fd;

	*src = NULL;
	if (name[0] == '\0' || name[0] == '.' || strlen(name) > 100 ||
	    strspn(name,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789_-.") != strlen(name))
		return err_set(err, ERR_USAGE,
		    "'%s' is not a runbook name "
		    "(letters, digits, '_', '-', '.')",
		    name);
	snprintf(path, sizeof path, "%s/%s.lua", dir, name);
	/* O_NONBLOCK: a FIFO in the directory must not hang owl in open() */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return err_set(err, ERR_USAGE, "no runbook %s in %s (%s)", name,
		    dir, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(
		    err, ERR_USAGE, "runbook %s: not a regular file", name);
	}
	buf_init(&b, RB_RUN_SOURCE_MAX);
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		if (buf_add(&b, chunk, (size_t)r, err) == -1)
			break;
	close(fd);
	if (r != 0) {
		buf_done(&b);
		err_set(err, ERR_USAGE, "runbook %s: cannot read it", name);
		return -1;
	}
	*n = b.len;
	*src = buf_steal(&b);
	return *src ? 0 : err_set(err, ERR_FAILED, "out of memory");
}

/* Converts a --param value to the declared type. */
static json_t *
rb_run_typed(
    const char *name, const json_t *spec, const char *val, struct err *err)
{
	const char *type = json_string_value(json_object_get(spec, "type"));
	char *end;
	double d;

	if (type == NULL || strcmp(type, "string") == 0)
		return json_string(val);
	if (strcmp(type, "number") == 0) {
		d = strtod(val, &end);
		if (*val == '\0' || *end != '\0')
			return err_set(err, ERR_USAGE,
			           "--param %s: '%s' is not "
			           "a number",
			           name, val),
			       NULL;
		return d == (double)(json_int_t)d ? json_integer((json_int_t)d)
		                                  : json_real(d);
	}
	if (strcmp(type, "boolean") == 0) {
		if (strcmp(val, "true") == 0 || strcmp(val, "false") == 0)
			return json_boolean(val[0] == 't');
		return err_set(err, ERR_USAGE, "--param %s: say true or false",
		           name),
		       NULL;
	}
	return err_set(err, ERR_USAGE,
	           "runbook{}: params.%s.type must be "
	           "string, number or boolean",
	           name),
	       NULL;
}

static int
rb_run_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "unknown parameter 'servce'; did you mean 'service'? (this runbook
 * takes: reason, service)" */
static int
rb_run_unknown_param(const json_t *specs, const char *name, struct err *err)
{
	const char *names[64], *k;
	char hint[300];
	size_t n = 0;
	json_t *v;

	json_object_foreach((json_t *)specs, k, v) if (n < 64) names[n++] = k;
	if (n > 1)
		qsort(names, n, sizeof *names, rb_run_strcmp);
	words_hint(hint, sizeof hint, name, names, n, "this runbook takes", "");
	return err_set(err, ERR_USAGE, "unknown parameter '%s'%s", name, hint);
}

int
rb_run_params(
    const json_t *decl, const json_t *given, json_t **out, struct err *err)
{
	const json_t *specs = json_object_get(decl, "params"), *spec, *v;
	const char *k;

	*out = NULL;
	if (rbmeta_check(decl, err) == -1)
		return -1;
	json_object_foreach((json_t *)given, k, v)
	{
		if (json_object_get(specs, k) == NULL)
			return rb_run_unknown_param(specs, k, err);
	}
	if ((*out = json_object()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_object_foreach((json_t *)specs, k, spec)
	{
		json_t *val;
		if (!json_is_object(spec)) {
			err_set(err, ERR_USAGE,
			    "runbook{}: params.%s must be a "
			    "table",
			    k);
			goto fail;
		}
		v = json_object_get(given, k);
		if (v != NULL)
			val = rb_run_typed(k, spec, json_string_value(v), err);
		else if ((v = json_object_get(spec, "default")) != NULL)
			val = json_incref((json_t *)v);
		else if (json_is_true(json_object_get(spec, "required"))) {
			err_set(err, ERR_USAGE,
			    "missing required parameter "
			    "'%s' (give --param %s=VALUE)",
			    k, k);
			goto fail;
		} else
			continue;
		if (val == NULL)
			goto fail;
		json_object_set_new(*out, k, val);
	}
	return 0;
fail:
	json_decref(*out);
	*out = NULL;
	return -1;
}

static int64_t
rb_run_timeout(const struct rb_run_opts *o, const json_t *decl, struct err *err)
{
	const json_t *t = json_object_get(decl, "timeout");
	int64_t us;

	if (o->timeout_us > RB_RUN_TIMEOUT_MAX_US)
		return err_set(err, ERR_USAGE, "--timeout: at most 7 days");
	/* the declaration is checked even when --timeout wins */
	if (json_is_number(t)) {
		/* compared as a double: 1e13 seconds does not fit in the
		 * microseconds of an int64_t */
		double d = json_number_value(t);
		if (!(d > 0) || d * 1e6 > (double)RB_RUN_TIMEOUT_MAX_US)
			return err_set(err, ERR_USAGE,
			    "runbook{} timeout: %g is not a number of seconds "
			    "from 1 µs to 7 days",
			    d);
		us = (int64_t)(d * 1e6);
		return o->timeout_us > 0 ? o->timeout_us : us;
	}
	if (json_is_string(t)) {
		if (clock_parse_duration(json_string_value(t), &us, err) ==
		    -1) {
			err_prefix(err, "runbook{} timeout: ");
			return -1;
		}
		if (us > RB_RUN_TIMEOUT_MAX_US)
			return err_set(err, ERR_USAGE,
			    "runbook{} timeout: %s is longer than 7 days",
			    json_string_value(t));
		return o->timeout_us > 0 ? o->timeout_us : us;
	}
	if (t != NULL)
		return err_set(err, ERR_USAGE,
		    "runbook{} timeout: give a "
		    "duration such as \"5m\"");
	return o->timeout_us > 0 ? o->timeout_us : RB_RUN_TIMEOUT_US;
}

struct rb_run_ctx {
	const struct rb_run_opts *o;
	struct store *s;
	struct rb_broker b;
	struct effects *dry;
	char sha[HASH_HEX_LEN];
	char *params_text;
	char source[4200];
	char blob[RBSOURCE_OID_HEX]; /* the runbook's, from o->src */
	struct rb_apply apply; /* when o->apply is set */
	char approval[16]; /* the runbook's approval, "" when none */
	char *approved_by; /* who approved the plan applied, or NULL */
};

/* The origin of the run for its log entry and document ({} when the
 * runbook came from o->dir). */
static json_t *
rb_run_origin(const struct rb_run_ctx *c)
{
	return c->o->src ? rbsource_run_json(&c->o->src->origin, c->blob)
	                 : json_object();
}

/* Reads the runbook from o->src (its snapshot) or o->dir. */
static int
rb_run_load(struct rb_run_ctx *c, char **src, size_t *n, struct err *err)
{
	struct buf b;

	if (c->o->src == NULL)
		return rb_run_read(c->o->dir, c->o->name, src, n, err);
	buf_init(&b, RBSOURCE_FILE_MAX + 1);
	if (rbsource_read_runbook(c->o->src, c->o->name, &b, c->blob, err) ==
	    -1) {
		buf_done(&b);
		return -1;
	}
	*n = b.len;
	*src = buf_steal(&b);
	return *src ? 0 : err_set(err, ERR_FAILED, "out of memory");
}

/* Inserts the run, takes the lease (live runs) and logs the start, all in
 * one transaction. */
static int
rb_run_begin(struct rb_run_ctx *c, const json_t *params, int64_t timeout,
    struct err *err)
{
	const struct rb_run_opts *o = c->o;
	struct rb_runs_new n = { .runbook = o->name,
		.source = c->source,
		.source_sha256 = c->sha,
		.params = c->params_text,
		.incident = o->incident,
		.actor = c->b.fx.actor,
		.dry_run = o->dry_run,
		.offline = o->offline };
	const char *commit = o->src ? o->src->origin.commit : "";

	n.commit = commit[0] ? commit : NULL;
	struct rb_lease_prev prev;
	int64_t id;

	if (rb_effect_begin(&c->b.fx, err) == -1)
		return -1;
	if (rb_runs_insert(c->s, &n, &id, err) == -1 ||
	    (o->src &&
	        rbsource_record_run(c->s, id, &o->src->origin, c->blob, err) ==
	            -1))
		goto fail;
	c->b.fx.run_id = id;
	if (!o->dry_run) {
		if (rb_lease_acquire(c->s, o->name, o->incident, id,
		        c->b.fx.actor, &prev, err) == -1)
			goto fail;
		c->b.lease_runbook = o->name;
		c->b.lease_incident = o->incident;
		if (prev.run_id != 0 &&
		    rb_effect_log(&c->b.fx, "run.lease_takeover",
		        json_pack("{s:s, s:I, s:s, s:i, s:s}", "runbook",
		            o->name, "previous_run", (json_int_t)prev.run_id,
		            "holder", prev.holder, "pid", prev.pid, "host",
		            prev.host),
		        err) == -1)
			goto fail;
	}
	/* The version first: `owl show` prints the start of the detail. */
	if (rb_effect_log(&c->b.fx, "run.start",
	        json_pack("{s:s, s:s?, s:s?, "
	                  "s:s?, s:b, s:s, s:s, s:O, s:b, s:b, s:I, s:o}",
	            "runbook", o->name, "commit", n.commit, "ref",
	            o->src ? o->src->origin.ref : NULL, "blob",
	            c->blob[0] ? c->blob : NULL, "dirty",
	            o->src ? o->src->origin.dirty : 0, "source", c->source,
	            "source_sha256", c->sha, "params", params, "dry_run",
	            o->dry_run, "offline", o->offline, "timeout_s",
	            (json_int_t)(timeout / 1000000), "origin",
	            rb_run_origin(c)),
	        err) == -1)
		goto fail;
	if (o->apply != NULL &&
	    rb_effect_log(&c->b.fx, "run.apply",
	        json_pack("{s:I, s:s, s:s?}", "plan", (json_int_t)o->apply->id,
	            "plan_hash", o->apply->hash, "approved_by", c->approved_by),
	        err) == -1)
		goto fail;
	/* said on stderr too, which no one reads of a detached or
	 * TUI-started run: its log is where its reader looks */
	if (c->b.worker_warning[0] != '\0' &&
	    rb_effect_log(&c->b.fx, "run.log",
	        json_pack("{s:s}", "text", c->b.worker_warning), err) == -1)
		goto fail;
	return rb_effect_flush(&c->b.fx, err);
fail:
	rb_effect_abort(&c->b.fx);
	c->b.fx.run_id = 0;
	c->b.lease_runbook = NULL;
	return -1;
}

/* Takes params and cfg. */
static json_t *
rb_run_go(struct rb_run_ctx *c, json_t *params, json_t *cfg, int64_t timeout)
{
	const struct rb_run_opts *o = c->o;

	/* a dry-run's plain writes go one-way (rb_broker.h) */
	c->b.oneway = o->dry_run && o->apply == NULL && !c->b.fx.failed;
	return json_pack("{s:o, s:o, s:O?, s:b, s:b, s:I, s:I, s:I, s:b, s:b, "
	                 "s:b, s:I}",
	    "params", params, "config", cfg, "incident", o->incident_json,
	    "dry_run", o->dry_run, "no_undo", o->no_undo, "timeout_us",
	    (json_int_t)timeout, "undo_grace_us",
	    (json_int_t)RB_RUN_UNDO_GRACE_US, "replay", (json_int_t)o->replay,
	    "retry", o->retry, "retry_check", o->retry_check, "oneway",
	    c->b.oneway, "max_effects", (json_int_t)c->b.fx.max_effects);
}

static int
rb_run_exit(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return 0;
	if (strcmp(status, "refused") == 0)
		return 3;
	return 1;
}

/* Stores the plan, compares a live run with the last dry-run plan (not a
 * recovery, which skips steps on purpose), ends
 * the run and releases the lease. */
static int
rb_run_finish(struct rb_run_ctx *c, struct rb_run_result *r, struct err *err)
{
	const struct rb_run_opts *o = c->o;
	json_t *planned = NULL, *plan;
	char hash[65] = "";
	int64_t pid = 0;
	int rc = -1;

	if (rb_effect_flush(&c->b.fx, err) == -1)
		return -1;
	if (o->apply != NULL) {
		r->compared_plan = o->apply->id;
		planned = json_incref((json_t *)o->apply->effects);
	} else if (!o->dry_run && o->replay == 0 && !o->retry &&
	    rb_runs_plan_last(c->s, o->name, c->sha, c->params_text,
	        &r->compared_plan, &planned, err) == -1)
		return -1;
	if (rb_effect_begin(&c->b.fx, err) == -1)
		goto out;
	if (rb_runs_plan_store(c->s, c->b.fx.run_id, o->name, c->sha,
	        c->params_text, o->dry_run, c->b.fx.plan, &pid, hash,
	        err) == -1 ||
	    rb_runs_finish(c->s, c->b.fx.run_id, c->b.status,
	        c->b.error[0] ? c->b.error : NULL, pid, err) == -1)
		goto fail;
	if (planned != NULL)
		r->departures = rb_runs_departures(planned, c->b.fx.plan);
	if (rb_effect_log(&c->b.fx, "run.end",
	        json_pack("{s:s, s:s?, s:I, "
	                  "s:s, s:I, s:O?}",
	            "status", c->b.status, "error",
	            c->b.error[0] ? c->b.error : NULL, "plan", (json_int_t)pid,
	            "plan_hash", hash, "compared_plan",
	            (json_int_t)r->compared_plan, "departures", r->departures),
	        err) == -1)
		goto fail;
	if (c->b.lease_runbook != NULL &&
	    rb_lease_release(c->s, o->name, o->incident, c->b.fx.run_id, err) ==
	        -1)
		goto fail;
	if (!o->dry_run &&
	    rb_lease_release_run(c->s, c->b.fx.run_id, err) == -1)
		goto fail;
	if (rb_effect_flush(&c->b.fx, err) == -1)
		goto out;
	r->plan_id = pid;
	plan = json_pack("{s:I, s:s, s:O}", "id", (json_int_t)pid, "hash", hash,
	    "effects", c->b.fx.plan);
	r->doc = json_pack("{s:I, s:s, s:s?, s:o, s:s, s:b, s:o, s:O, s:s?, "
	                   "s:O?}",
	    "run", (json_int_t)c->b.fx.run_id, "runbook", o->name, "commit",
	    o->src && o->src->origin.commit[0] ? o->src->origin.commit : NULL,
	    "origin", rb_run_origin(c), "status", c->b.status, "dry_run",
	    o->dry_run, "plan", plan, "steps", c->b.steps, "error",
	    c->b.error[0] ? c->b.error : NULL, "departures", r->departures);
	json_decref(r->departures);
	r->departures = json_object_get(r->doc, "departures");
	rc = 0;
	goto out;
fail:
	rb_effect_abort(&c->b.fx);
	json_decref(r->departures);
	r->departures = NULL;
out:
	json_decref(planned);
	return rc;
}

static void
rb_run_conf(struct rb_run_ctx *c, struct rb_vm_conf *vc, char *chunk, size_t cn,
    const char *src, size_t n)
{
	snprintf(chunk, cn, "@%s.lua", c->o->name);
	*vc = (struct rb_vm_conf){ .mode = RB_VM_RUN,
		.name = c->o->name,
		.chunkname = chunk,
		.source = src,
		.len = n,
		.mem_cap = c->o->mem_cap ? c->o->mem_cap : RB_RUN_MEM_CAP,
		.load_deadline = clock_mono_us() + RB_RUN_LOAD_US,
		.ref_key = c->b.fx.secrets.key };
}

/* A first guess at the number of steps for the progress lines, when no
 * earlier run of this source says: the step( calls in the text. */
static int64_t
rb_run_count_steps(const char *src, size_t n)
{
	int64_t count = 0;

	for (size_t i = 0; i + 5 <= n; i++) {
		size_t j = i + 4;
		if (memcmp(src + i, "step", 4) != 0 ||
		    (i > 0 &&
		        (isalnum((unsigned char)src[i - 1]) ||
		            src[i - 1] == '_' || src[i - 1] == '.' ||
		            src[i - 1] == ':')))
			continue;
		while (j < n && (src[j] == ' ' || src[j] == '\t'))
			j++;
		count += j < n && src[j] == '(';
	}
	return count;
}

/* `owl apply` of a runbook that declares approval = "two-person": the
 * plan must have been approved, at its hash, by another person than the
 * one applying it. */
static int
rb_run_approved(struct rb_run_ctx *c, struct err *err)
{
	const struct rb_run_plan *p = c->o->apply;
	char by[ACTOR_MAX];
	int rc;

	rc = plan_approved(
	    c->s, p->id, p->hash, c->b.fx.actor, by, sizeof by, err);
	if (rc == -1)
		return -1;
	if (rc == 0)
		return err_set(err, ERR_REFUSED,
		    "plan %lld needs another person's approval (runbook %s "
		    "declares approval = \"two-person\"): someone else runs "
		    "owl approve %lld",
		    (long long)p->id, c->o->name, (long long)p->id);
	c->approved_by = strdup(by);
	return 0;
}

/* Forks the worker, reads the declaration, checks the params. */
static int
rb_run_prepare(struct rb_run_ctx *c, const char *src, size_t n, json_t **params,
    int64_t *timeout, struct err *err)
{
	struct rb_worker_limits lim;
	struct rb_vm_conf vc;
	char chunk[200];
	json_t *decl;
	int rc;

	rb_run_conf(c, &vc, chunk, sizeof chunk, src, n);
	lim.mem_cap = vc.mem_cap;
	lim.cpu_s = 0;
	if (rb_broker_start(&c->b, &vc, &lim, &decl, err) == -1)
		return -1;
	rc = rb_run_params(decl, c->o->params, params, err);
	if (rc == 0 && json_is_string(json_object_get(decl, "approval")))
		snprintf(c->approval, sizeof c->approval, "%s",
		    json_string_value(json_object_get(decl, "approval")));
	if (rc == 0 && c->o->apply != NULL &&
	    strcmp(c->approval, "two-person") == 0)
		rc = rb_run_approved(c, err);
	if (rc == 0 && (*timeout = rb_run_timeout(c->o, decl, err)) == -1)
		rc = -1;
	if (rc == 0) {
		c->params_text =
		    json_dumps(*params, JSON_COMPACT | JSON_SORT_KEYS);
		c->b.total = rb_runs_plan_steps(c->s, c->o->name, c->sha);
		if (c->b.total == 0)
			c->b.total = rb_run_count_steps(src, n);
	}
	json_decref(decl);
	return rc;
}

static int
rb_run_setup(struct rb_run_ctx *c, struct err *err)
{
	const struct rb_run_opts *o = c->o;
	const struct effects *fx = o->fx;

	if (o->dry_run) {
		if ((c->dry = effects_dry_new(o->fx, o->offline)) == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		fx = c->dry;
	}
	if (rb_effect_init(&c->b.fx, c->s, fx, o->dry_run, o->config, err) ==
	    -1)
		return -1;
	c->b.fx.incident = o->incident;
	c->b.fx.wait_leases = o->wait;
	if (o->max_effects > 0)
		c->b.fx.max_effects = o->max_effects;
	if (o->max_diffs > 0)
		c->b.fx.max_diffs = o->max_diffs;
	c->b.store = c->s;
	c->b.ui = o->ui;
	c->b.dir = o->dir;
	c->b.src = o->src;
	c->b.cancel = o->cancel;
	c->b.yes = o->yes;
	if (o->retry) {
		c->b.answered_through = o->replay + (o->retry_check ? 1 : 0);
		c->b.answered_by = o->replay_of;
	}
	c->b.dry_run = o->dry_run;
	c->b.mem_cap = o->mem_cap ? o->mem_cap : RB_RUN_MEM_CAP;
	c->b.fd = -1;
	c->b.undo_grace_us = RB_RUN_UNDO_GRACE_US;
	if (o->src != NULL)
		snprintf(c->source, sizeof c->source, "%s:%s",
		    o->src->origin.kind == RBSOURCE_GIT ? "git" : "dir",
		    o->src->origin.repo);
	else
		snprintf(c->source, sizeof c->source, "dir:%s", o->dir);
	if ((c->b.steps = json_array()) == NULL ||
	    (c->b.undoable = json_array()) == NULL ||
	    (c->b.undo_failed = json_array()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

/* `owl recover --undo`: the runbook the interrupted run ran, live, and
 * no write but the undo of the steps it did; `--retry`: the same runbook,
 * on from the step it did not finish. */
static int
rb_run_replay_init(struct rb_run_ctx *c, struct err *err)
{
	const struct rb_run_opts *o = c->o;

	if (o->dry_run)
		return err_set(err, ERR_USAGE, "a recovery is live");
	if (o->replay_sha256 != NULL && strcmp(o->replay_sha256, c->sha) != 0)
		return err_set(err, ERR_REFUSED,
		    "run %lld ran another version of runbook %s (sha256 "
		    "%.12s, now %.12s): its %s cannot be run from this one",
		    (long long)o->replay_of, o->name, o->replay_sha256, c->sha,
		    o->retry ? "steps" : "undo");
	if (o->retry)
		return 0;
	c->b.fx.failed = 1;
	snprintf(c->b.fx.failed_msg, sizeof c->b.fx.failed_msg,
	    "recovering run %lld: no write but the undo of its steps done",
	    (long long)o->replay_of);
	return 0;
}

/* `owl apply` on a terminal: a write the plan does not hold, asked. */
static int
rb_run_ask_off_plan(void *ctx, const char *question)
{
	const struct rb_ui *ui = ctx;

	enum rb_confirm c = ui->confirm(ui->ctx, question);

	return c == RB_CONFIRM_YES ? 1 : c == RB_CONFIRM_NO ? 0 : -1;
}

/* `owl apply`: the runbook must be the one the plan was made from. */
static int
rb_run_apply_init(struct rb_run_ctx *c, struct err *err)
{
	const struct rb_run_plan *p = c->o->apply;

	if (c->o->dry_run)
		return err_set(
		    err, ERR_USAGE, "a plan is applied live, not dry-run");
	if (strcmp(p->source_sha256, c->sha) != 0)
		return err_set(err, ERR_REFUSED,
		    "plan %lld was made from another version of runbook %s "
		    "(sha256 %.12s, now %.12s); make a new plan with "
		    "owl run %s --dry-run",
		    (long long)p->id, c->o->name, p->source_sha256, c->sha,
		    c->o->name);
	if (rb_apply_init(&c->apply, p->id, p->effects, err) == -1)
		return -1;
	c->b.fx.apply = &c->apply;
	if (!c->o->yes && c->o->ui != NULL && c->o->ui->confirm != NULL) {
		c->b.fx.ask_off_plan = rb_run_ask_off_plan;
		c->b.fx.ask_ctx = (void *)c->o->ui;
	}
	return 0;
}

int
rb_run(struct store *s, const struct rb_run_opts *o, struct rb_run_result *r,
    struct err *err)
{
	struct rb_run_ctx c = { .o = o, .s = s };
	unsigned char md[HASH_LEN];
	json_t *params = NULL, *cfg = NULL;
	int64_t timeout = 0;
	char *src = NULL;
	size_t n = 0;
	int rc = -1;

	memset(r, 0, sizeof *r);
	c.b.fd = -1;
	/* A dry-run changes nothing outside: its records need to survive a
	 * crash of owl, not a power loss, so no fsync per commit. */
	if (o->dry_run)
		store_sync(s, STORE_SYNC_NORMAL, NULL);
	if (rb_run_setup(&c, err) == -1 || rb_run_load(&c, &src, &n, err) == -1)
		goto out;
	hash_sha256(src, n, md);
	hash_hex(md, sizeof md, c.sha);
	if (o->apply != NULL && rb_run_apply_init(&c, err) == -1)
		goto out;
	if ((o->replay > 0 || o->retry) && rb_run_replay_init(&c, err) == -1)
		goto out;
	/* The worker is forked first, so that it holds no copy of the
	 * secret values the masker learns next. */
	if (rb_run_prepare(&c, src, n, &params, &timeout, err) == -1 ||
	    rb_effect_preload(&c.b.fx, err) == -1 ||
	    (cfg = rb_effect_config(&c.b.fx,
	         o->config ? config_json(o->config) : NULL, err)) == NULL ||
	    rb_run_begin(&c, params, timeout, err) == -1) {
		rb_broker_stop(&c.b);
		goto out;
	}
	c.b.timeout_us = timeout;
	if (rb_broker_serve(&c.b, rb_run_go(&c, params, cfg, timeout), err) ==
	    -1) {
		/* the broker failed (the database, the socket): the run
		 * failed, and says why */
		snprintf(c.b.status, sizeof c.b.status, "failed");
		snprintf(c.b.error, sizeof c.b.error, "%s", err->msg);
		err_init(err);
	}
	if (c.b.fx.refused[0] != '\0') {
		snprintf(c.b.status, sizeof c.b.status, "refused");
		snprintf(c.b.error, sizeof c.b.error, "%s", c.b.fx.refused);
	}
	params = cfg = NULL; /* the go message took them */
	if (rb_run_finish(&c, r, err) == -1)
		goto out;
	r->run_id = c.b.fx.run_id;
	snprintf(r->status, sizeof r->status, "%s", c.b.status);
	snprintf(r->error, sizeof r->error, "%s", c.b.error);
	r->exit_code = rb_run_exit(c.b.status);
	snprintf(r->approval, sizeof r->approval, "%s", c.approval);
	rc = 0;
out:
	if (o->dry_run)
		store_sync(s, STORE_SYNC_FULL, NULL);
	rb_broker_stop(&c.b);
	json_decref(params);
	json_decref(cfg);
	json_decref(c.b.steps);
	json_decref(c.b.undoable);
	json_decref(c.b.undo_failed);
	rb_effect_done(&c.b.fx);
	rb_apply_done(&c.apply);
	free(c.approved_by);
	effects_free(c.dry);
	free(c.params_text);
	free(src);
	return rc;
}

/* NAME.lua from the snapshot src, as rb_run_read does from a folder. */
static int
rb_run_read_src(struct rbsource *src, const char *name, char **out, size_t *n,
    struct err *err)
{
	char blob[RBSOURCE_OID_HEX];
	struct buf b;

	buf_init(&b, RB_RUN_SOURCE_MAX);
	if (rbsource_read_runbook(src, name, &b, blob, err) == -1) {
		buf_done(&b);
		return -1;
	}
	*n = b.len;
	*out = buf_steal(&b);
	return *out ? 0 : err_set(err, ERR_FAILED, "out of memory");
}

int
rb_run_data(const char *dir, struct rbsource *src_of, const char *name,
    json_t **out, struct err *err)
{
	struct rb_worker_limits lim = { RB_RUN_MEM_CAP, 0 };
	struct rb_broker b;
	struct rb_vm_conf vc;
	char chunk[200];
	char *src;
	size_t n;
	int rc;

	*out = NULL;
	if ((src_of != NULL ? rb_run_read_src(src_of, name, &src, &n, err)
	                    : rb_run_read(dir, name, &src, &n, err)) == -1)
		return -1;
	memset(&b, 0, sizeof b);
	b.fd = -1;
	b.dir = dir; /* a test file may require() helpers beside it */
	b.src = src_of; /* ...from the same snapshot */
	snprintf(chunk, sizeof chunk, "@%s.lua", name);
	vc = (struct rb_vm_conf){ .mode = RB_VM_DATA,
		.name = name,
		.chunkname = chunk,
		.source = src,
		.len = n,
		.mem_cap = RB_RUN_MEM_CAP,
		.load_deadline = clock_mono_us() + RB_RUN_LOAD_US };
	rc = rb_broker_start(&b, &vc, &lim, out, err);
	rb_broker_stop(&b);
	free(src);
	return rc;
}
