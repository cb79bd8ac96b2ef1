/* rb_fx_exec.c: the exec effect of the chokepoint (rb_fx.h): a command
 * from an argv (never a shell string), a write unless the runbook says
 * read_only, and even then run by a dry-run only when the operator's
 * config allows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rb_fx.h"

/* argv as one line, each argument quoted when it needs it. */
static void
rb_fx_exec_text(const json_t *argv, char *out, size_t n)
{
	const json_t *a;
	size_t i, o = 0;

	out[0] = '\0';
	json_array_foreach(argv, i, a)
	{
		const char *s = json_string_value(a);
		int q = s[0] == '\0' || strpbrk(s, " \t\n'\"\\$`") != NULL;
		int w = snprintf(out + o, n - o, "%s%s%s%s", i ? " " : "",
		    q ? "'" : "", s, q ? "'" : "");
		if (w < 0 || (size_t)w >= n - o)
			break;
		o += (size_t)w;
	}
}

static int
rb_fx_exec_describe(const json_t *req, struct rb_fx_desc *d, struct err *err)
{
	const json_t *argv = json_object_get(req, "argv"), *v;
	size_t i;

	if (!json_is_array(argv) || json_array_size(argv) == 0 ||
	    json_array_size(argv) > RB_FX_MAX_ARGS)
		return err_set(err, ERR_USAGE, "exec: bad argv");
	json_array_foreach(argv, i, v)
	{
		if (!json_is_string(v) ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return err_set(
			    err, ERR_USAGE, "exec: argv must be strings");
	}
	rb_fx_exec_text(argv, d->target, sizeof d->target);
	d->write = !json_is_true(json_object_get(req, "read_only"));
	return 0;
}

static int
rb_fx_exec_perform(struct rb_fx_call *c, struct err *err)
{
	const json_t *argv = json_object_get(c->req, "argv");
	struct effects_kv kv[RB_FX_MAX_KV];
	struct buf vals[RB_FX_MAX_KV], in;
	char *args[RB_FX_MAX_ARGS + 1];
	struct effects_exec_res res;
	struct effects_exec x = { 0 };
	size_t n = 0, i;
	const json_t *a;
	int rc = -1;

	buf_init(&in, EFFECTS_BODY_MAX);
	effects_exec_res_init(&res);
	json_array_foreach(argv, i, a) args[i] = (char *)json_string_value(a);
	args[json_array_size(argv)] = NULL;
	if (rb_fx_kv(c->e, json_object_get(c->req, "env"), kv, vals, &n, "env",
	        err) == -1)
		goto out;
	if (json_object_get(c->req, "stdin") != NULL &&
	    rb_secrets_text(&c->e->secrets, json_object_get(c->req, "stdin"),
	        &in, err) == -1)
		goto out;
	x.argv = args;
	x.env = kv;
	x.nenv = n;
	x.stdin_data = json_object_get(c->req, "stdin") ? buf_str(&in) : NULL;
	x.stdin_len = in.len;
	x.timeout_us = rb_fx_timeout(c, EFFECTS_EXEC_TIMEOUT_US);
	x.read_only = json_is_true(json_object_get(c->req, "read_only"));
	/* A dry-run of an unreviewed runbook must not be code execution:
	 * the runbook cannot be the one to decide a command is harmless,
	 * only the operator's config can. */
	if (c->e->dry_run && x.read_only &&
	    !rb_guard_dry_exec(
	        &c->e->guard, argv, json_object_get(c->req, "env"))) {
		x.read_only = 0; /* simulated, as a write is */
		json_object_set_new(
		    c->result, "note", json_string(RB_EFFECT_DRY_EXEC_NOTE));
	}
	x.cancel = c->e->cancel;
	x.cancel_seen = c->e->cancel != NULL ? *c->e->cancel : 0;
	if (c->e->fx->exec(c->e->fx->ctx, &x, &res, err) == -1)
		goto out;
	c->simulated = res.simulated;
	json_object_set_new(c->result, "code", json_integer(res.code));
	if (res.timed_out || res.cancelled) {
		err_set(err, ERR_FAILED, "exec %s: %s", args[0],
		    res.cancelled ? "cancelled (^C)" : "timed out");
		goto out;
	}
	c->failed = res.code != 0;
	if (!c->desc.write && !res.simulated)
		rb_fx_saw(c, res.code, buf_str(&res.out), res.out.len);
	json_object_set_new(c->reply, "code", json_integer(res.code));
	json_object_set_new(c->reply, "stdout",
	    rb_fx_text(c->e, buf_str(&res.out), res.out.len));
	json_object_set_new(c->reply, "stderr",
	    rb_fx_text(c->e, buf_str(&res.err), res.err.len));
	rc = 0;
out:
	for (i = 0; i < n; i++)
		rb_fx_wipe(&vals[i]);
	rb_fx_wipe(&in);
	effects_exec_res_done(&res);
	return rc;
}

static int
rb_fx_exec_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of an environment, sorted (at most RB_FX_MAX_KV). */
static json_t *
rb_fx_exec_names(const json_t *env)
{
	const char *names[RB_FX_MAX_KV], *k;
	json_t *keys = json_array(), *x;
	size_t n = 0;

	json_object_foreach((json_t *)env, k, x) if (n < RB_FX_MAX_KV)
	    names[n++] = k;
	qsort(names, n, sizeof *names, rb_fx_exec_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(keys, json_string(names[i]));
	return keys;
}

/* A command in full: argv, the names of its environment (the values
 * enter the plan's hash through env_sha256, secrets as "***"), and its
 * standard input's size and SHA-256. */
static json_t *
rb_fx_exec_show(
    struct rb_effect *e, const json_t *req, json_t *names, struct err *err)
{
	const json_t *env = json_object_get(req, "env");
	const json_t *in = json_object_get(req, "stdin");
	json_t *p = json_pack("{s:O}", "argv", json_object_get(req, "argv"));
	json_t *v = NULL, *keys;
	char *dump;

	if (p == NULL)
		return err_set(err, ERR_FAILED, "out of memory"), NULL;
	if (json_is_object(env)) {
		if ((v = rb_secrets_show(&e->secrets, env, names, err)) == NULL)
			goto fail;
		keys = rb_fx_exec_names(v);
		json_object_set_new(p, "env", keys);
		dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		rb_fx_show_hash(
		    p, "env_values", dump ? dump : "", dump ? strlen(dump) : 0);
		free(dump);
		json_decref(v);
	}
	if (in != NULL) {
		if ((v = rb_secrets_show(&e->secrets, in, names, err)) ==
		        NULL ||
		    !json_is_string(v)) {
			json_decref(v);
			err_set(err, ERR_USAGE, "exec: stdin must be text");
			goto fail;
		}
		rb_fx_show_hash(
		    p, "stdin", json_string_value(v), json_string_length(v));
		json_decref(v);
	}
	return p;
fail:
	json_decref(p);
	return NULL;
}

const struct rb_fx_kind rb_fx_exec_kind = {
	.name = "exec",
	.access = RB_FX_BY_REQUEST,
	.describe = rb_fx_exec_describe,
	.perform = rb_fx_exec_perform,
	.show = rb_fx_exec_show,
};
