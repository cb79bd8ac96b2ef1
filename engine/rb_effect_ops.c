/* rb_effect_ops.c: the per-kind part of the chokepoint: checking and
 * naming each request, substituting secret values, calling the effects
 * implementation and shaping the worker's reply (see engine_int.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "engine_int.h"
#include "hash.h"
#include "mask.h"
#include "rb_diff.h"
#include "sanitize.h"

#define RB_FX_MAX_ARGS 256
#define RB_FX_MAX_KV 64

static int
rb_fx_path_ok(const json_t *p)
{
	const char *s = json_string_value(p);

	return s != NULL && s[0] == '/' && strlen(s) == json_string_length(p) &&
	    strlen(s) < 4096;
}

static int
rb_fx_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= 64 && s[0] != '.' &&
	    strspn(s,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
	    n;
}

/* argv as one line, each argument quoted when it needs it. */
static void
rb_fx_argv_text(const json_t *argv, char *out, size_t n)
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
rb_fx_describe_http(const json_t *req, char *name, size_t nl, char *target,
    size_t tl, int *write, struct err *err)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
		"PATCH", "DELETE", NULL };
	const char *m = json_string_value(json_object_get(req, "method"));
	const char *url = json_string_value(json_object_get(req, "url"));
	int known = 0;

	for (int i = 0; m != NULL && methods[i] != NULL; i++)
		known |= strcmp(m, methods[i]) == 0;
	if (!known)
		return err_set(err, ERR_USAGE, "http: unknown method");
	if (url == NULL ||
	    (strncmp(url, "http://", 7) != 0 &&
	        strncmp(url, "https://", 8) != 0) ||
	    strlen(url) >= tl || strpbrk(url, " \r\n") != NULL)
		return err_set(err, ERR_USAGE,
		    "http: the URL must start with "
		    "http:// or https:// (and hold no spaces)");
	snprintf(name, nl, "http.");
	for (size_t i = 0; m[i] && i + 6 < nl; i++)
		name[5 + i] = (char)tolower((unsigned char)m[i]),
		         name[6 + i] = '\0';
	snprintf(target, tl, "%s", url);
	*write = strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
	return 0;
}

int
rb_effect_describe(const struct rb_secrets *s, const char *kind,
    const json_t *req, char *name, size_t nl, char *target, size_t tl,
    int *write, struct err *err)
{
	const json_t *v;
	size_t i;

	(void)s;
	*write = 0;
	if (strcmp(kind, "http") == 0)
		return rb_fx_describe_http(
		    req, name, nl, target, tl, write, err);
	snprintf(name, nl, "%s", kind);
	if (strcmp(kind, "exec") == 0) {
		const json_t *argv = json_object_get(req, "argv");
		if (!json_is_array(argv) || json_array_size(argv) == 0 ||
		    json_array_size(argv) > RB_FX_MAX_ARGS)
			return err_set(err, ERR_USAGE, "exec: bad argv");
		json_array_foreach(argv, i, v) if (!json_is_string(v) ||
		    strlen(json_string_value(v)) !=
		        json_string_length(v)) return err_set(err, ERR_USAGE,
		    "exec: argv "
		    "must be strings");
		rb_fx_argv_text(argv, target, tl);
		*write = !json_is_true(json_object_get(req, "read_only"));
		return 0;
	}
	if (strncmp(kind, "file.", 5) == 0) {
		if (!rb_fx_path_ok(json_object_get(req, "path")))
			return err_set(err, ERR_USAGE,
			    "%s: the path must be "
			    "absolute",
			    kind);
		snprintf(target, tl, "%s",
		    json_string_value(json_object_get(req, "path")));
		if (strcmp(kind, "file.read") == 0)
			return 0;
		if (strcmp(kind, "file.write") != 0)
			goto unknown;
		v = json_object_get(req, "op");
		snprintf(name, nl, "file.%s",
		    json_is_string(v) &&
		            strcmp(json_string_value(v), "replace") == 0
		        ? "replace"
		        : "write");
		*write = 1;
		return 0;
	}
	if (strncmp(kind, "secret.", 7) == 0) {
		const char *n = json_string_value(json_object_get(req, "name"));
		if (strcmp(kind, "secret.generate") == 0 && n == NULL)
			n = "generated";
		if (!rb_fx_name_ok(n))
			return err_set(err, ERR_USAGE,
			    "%s: a secret name is 1-64 "
			    "letters, digits, '_', '-' or '.'",
			    kind);
		snprintf(target, tl, "%s", n);
		*write = strcmp(kind, "secret.put") == 0;
		if (*write || strcmp(kind, "secret.get") == 0 ||
		    strcmp(kind, "secret.generate") == 0)
			return 0;
		goto unknown;
	}
	if (strcmp(kind, "notify") == 0) {
		v = json_object_get(req, "text");
		snprintf(target, tl, "%.200s",
		    json_is_string(v) ? json_string_value(v) : "");
		*write = 1;
		return 0;
	}
unknown:
	return err_set(err, ERR_USAGE, "unknown effect '%s'", kind);
}

/* A reply string: masked, and made valid UTF-8 (bad bytes become
 * U+FFFD) so that it can travel as JSON. */
static json_t *
rb_fx_text(const struct rb_effect *e, const char *s, size_t n)
{
	struct buf m, u;
	json_t *j = NULL;
	unsigned cp;

	buf_init(&m, 0);
	buf_init(&u, 0);
	if (mask_apply(e->secrets.mask, s ? s : "", s ? n : 0, &m, NULL) == -1)
		goto out;
	for (size_t i = 0; i < m.len;) {
		size_t k = sanitize_utf8(
		    (const unsigned char *)m.data + i, m.len - i, &cp);
		if (k == 0) {
			buf_adds(&u, "\xef\xbf\xbd", NULL);
			i++;
		} else {
			buf_add(&u, m.data + i, k, NULL);
			i += k;
		}
	}
	j = json_stringn(buf_str(&u), u.len);
out:
	buf_done(&m);
	buf_done(&u);
	return j;
}

static void
rb_fx_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_done(b);
}

/* Resolves an object of name -> text-or-secret into kv (values in bufs). */
static int
rb_fx_kv(struct rb_effect *e, const json_t *obj, struct effects_kv *kv,
    struct buf *vals, size_t *n, const char *what, struct err *err)
{
	const char *k;
	json_t *v;

	*n = 0;
	if (obj == NULL)
		return 0;
	if (!json_is_object(obj) || json_object_size(obj) > RB_FX_MAX_KV)
		return err_set(err, ERR_USAGE,
		    "%s: expected a table of at most "
		    "%d names",
		    what, RB_FX_MAX_KV);
	json_object_foreach((json_t *)obj, k, v)
	{
		buf_init(&vals[*n], (size_t)1 << 20);
		if (rb_secrets_text(&e->secrets, v, &vals[*n], err) == -1) {
			rb_fx_wipe(&vals[*n]);
			return err_set(
			    err, ERR_USAGE, "%s.%s: expected text", what, k);
		}
		kv[*n].name = k;
		kv[*n].value = buf_str(&vals[*n]);
		kv[*n].len = vals[*n].len;
		(*n)++;
		if (strpbrk(k, "\r\n:= ") != NULL ||
		    memchr(kv[*n - 1].value, '\n', kv[*n - 1].len) != NULL ||
		    memchr(kv[*n - 1].value, '\r', kv[*n - 1].len) != NULL)
			return err_set(err, ERR_USAGE,
			    "%s.%s: names and values "
			    "cannot hold line breaks",
			    what, k);
	}
	return 0;
}

static int
rb_fx_body(struct rb_effect *e, const json_t *req, struct buf *body, int *has,
    struct err *err)
{
	const json_t *j = json_object_get(req, "json");
	json_t *real;
	char *s;
	int rc;

	*has = 0;
	if (json_object_get(req, "body") != NULL) {
		*has = 1;
		return rb_secrets_text(
		    &e->secrets, json_object_get(req, "body"), body, err);
	}
	if (j == NULL)
		return 0;
	*has = 2;
	if ((real = rb_secrets_subst(&e->secrets, j, 1, err)) == NULL)
		return -1;
	s = json_dumps(real, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(real);
	if (s == NULL)
		return err_set(err, ERR_FAILED, "http: cannot encode json");
	rc = buf_adds(body, s, err);
	explicit_bzero(s, strlen(s));
	free(s);
	return rc;
}

/* The request's timeout (or the default), cut to what is left of the
 * run: a blocking effect must not outlive the run's deadline. */
static int64_t
rb_fx_timeout(const struct rb_fx_call *c, int64_t def)
{
	int64_t us = json_integer_value(json_object_get(c->req, "timeout_us"));
	int64_t left;

	if (us <= 0)
		us = def;
	if (c->e->deadline > 0) {
		left = c->e->deadline - clock_mono_us();
		if (us > left)
			us = left > 1000 ? left : 1000;
	}
	return us;
}

static int
rb_fx_http(struct rb_fx_call *c, struct err *err)
{
	struct effects_kv kv[RB_FX_MAX_KV + 1];
	struct buf vals[RB_FX_MAX_KV], body;
	struct effects_http_res res;
	struct effects_http h = { 0 };
	size_t n = 0, nvals = 0;
	int has, rc = -1;

	buf_init(&body, EFFECTS_BODY_MAX);
	effects_http_res_init(&res);
	rc = rb_fx_kv(c->e, json_object_get(c->req, "headers"), kv, vals, &n,
	    "headers", err);
	nvals = n;
	if (rc == -1 || rb_fx_body(c->e, c->req, &body, &has, err) == -1) {
		rc = -1;
		goto out;
	}
	rc = -1;
	if (has == 2 &&
	    json_object_get(
	        json_object_get(c->req, "headers"), "Content-Type") == NULL)
		kv[n++] = (struct effects_kv){ "Content-Type",
			"application/json", 16 };
	h.method = json_string_value(json_object_get(c->req, "method"));
	h.url = json_string_value(json_object_get(c->req, "url"));
	h.headers = kv;
	h.nheaders = n;
	h.body = has ? buf_str(&body) : NULL;
	h.body_len = body.len;
	h.timeout_us = rb_fx_timeout(c, EFFECTS_HTTP_TIMEOUT_US);
	h.cancel = c->e->cancel;
	h.cancel_seen = c->e->cancel != NULL ? *c->e->cancel : 0;
	if (c->e->fx->http(c->e->fx->ctx, &h, &res, err) == -1)
		goto out;
	c->simulated = res.simulated;
	json_object_set_new(c->reply, "status", json_integer(res.status));
	json_object_set_new(c->reply, "body",
	    rb_fx_text(c->e, buf_str(&res.body), res.body.len));
	if (res.headers != NULL)
		json_object_set(c->reply, "headers", res.headers);
	json_object_set_new(c->result, "status", json_integer(res.status));
	json_object_set_new(
	    c->result, "bytes", json_integer((json_int_t)res.body.len));
	rc = 0;
out:
	for (size_t i = 0; i < nvals; i++)
		rb_fx_wipe(&vals[i]);
	rb_fx_wipe(&body);
	effects_http_res_done(&res);
	return rc;
}

static int
rb_fx_exec(struct rb_fx_call *c, struct err *err)
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

/* Nonzero when the n bytes at s are UTF-8 text (NUL bytes allowed). */
static int
rb_fx_is_text(const char *s, size_t n)
{
	unsigned cp;
	size_t k;

	for (size_t i = 0; i < n; i += k)
		if ((k = sanitize_utf8(
		         (const unsigned char *)s + i, n - i, &cp)) == 0)
			return 0;
	return 1;
}

static int
rb_fx_file_read(struct rb_fx_call *c, struct err *err)
{
	const char *path = json_string_value(json_object_get(c->req, "path"));
	char real[RB_GUARD_PATH_MAX];
	struct effects_file_res res;
	int rc = -1;

	effects_file_res_init(&res);
	if (rb_guard_file(&c->e->guard, "file.read", path, 0, real, sizeof real,
	        err) == -1 ||
	    c->e->fx->file_read(c->e->fx->ctx, real, &res, err) == -1)
		goto out;
	c->simulated = res.simulated;
	if (res.missing) {
		json_object_set_new(c->reply, "missing", json_true());
		json_object_set_new(c->result, "missing", json_true());
	} else {
		json_object_set_new(c->reply, "content",
		    rb_fx_text(c->e, buf_str(&res.content), res.content.len));
		json_object_set_new(c->result, "bytes",
		    json_integer((json_int_t)res.content.len));
		/* file.replace must not write back what travelled lossy */
		if (!rb_fx_is_text(buf_str(&res.content), res.content.len))
			json_object_set_new(c->reply, "binary", json_true());
	}
	if (res.unknown)
		json_object_set_new(c->reply, "unknown", json_true());
	rc = 0;
out:
	effects_file_res_done(&res);
	return rc;
}

/* The plan's account of a write whose old or new content holds a secret
 * (a key rotation writing the key file whole): a diff would print the
 * old key, which the masker may not know; hashes and sizes only. */
static int
rb_fx_secret_diff(struct rb_fx_call *c, const struct effects_file_res *cur,
    const char *data, size_t n)
{
	unsigned char md[HASH_LEN];
	char old[HASH_HEX_LEN] = "none", new[HASH_HEX_LEN], text[400];
	int same;

	hash_sha256(data, n, md);
	hash_hex(md, sizeof md, new);
	if (!cur->missing) {
		hash_sha256(buf_str(&cur->content), cur->content.len, md);
		hash_hex(md, sizeof md, old);
	}
	same = !cur->missing && strcmp(old, new) == 0;
	if (same)
		snprintf(text, sizeof text,
		    "content unchanged (holds a secret): SHA-256 %s, %zu bytes",
		    new, n);
	else
		snprintf(text, sizeof text,
		    "content changed (holds a secret): SHA-256 %s -> %s, %zu "
		    "-> %zu bytes",
		    old, new, cur->missing ? (size_t)0 : cur->content.len, n);
	json_object_set_new(c->result, "changed", json_boolean(!same));
	c->diff = json_string(text);
	return 0;
}

/* Reads the current content for the diff; refuses a read-modify-write
 * (file.replace) of a file holding a secret, since the worker only saw
 * it masked. */
static int
rb_fx_file_diff(struct rb_fx_call *c, const char *path, const char *data,
    size_t n, int replace, struct err *err)
{
	struct effects_file_res cur;
	struct buf d, m;
	int rc = -1;

	effects_file_res_init(&cur);
	buf_init(&d, EFFECTS_BODY_MAX);
	buf_init(&m, 0);
	if (c->e->fx->file_read(c->e->fx->ctx, path, &cur, err) == -1)
		goto out;
	if (cur.unknown) {
		c->diff = json_string("(offline: the current content was not "
		                      "read)");
		rc = 0;
		goto out;
	}
	if (replace &&
	    mask_apply(c->e->secrets.mask, buf_str(&cur.content),
	        cur.content.len, &m, err) == 0 &&
	    m.len != cur.content.len) {
		err_set(err, ERR_FAILED,
		    "file.replace %s: the file holds a "
		    "secret value, and the runbook only saw it masked; write "
		    "it whole with file.write",
		    path);
		goto out;
	}
	if (rb_guard_is_secret(&c->e->guard, path) ||
	    mask_contains(c->e->secrets.mask, data, n) ||
	    (!cur.missing &&
	        mask_contains(c->e->secrets.mask, buf_str(&cur.content),
	            cur.content.len))) {
		rc = rb_fx_secret_diff(c, &cur, data, n);
		goto out;
	}
	if (rb_diff_unified(cur.missing ? NULL : buf_str(&cur.content),
	        cur.content.len, data, n, path, &d, err) == -1)
		goto out;
	json_object_set_new(c->result, "changed", json_boolean(d.len > 0));
	if (d.len > c->e->max_diffs - c->e->diff_bytes) {
		c->diff = json_string("(diff not kept: this run's diffs "
		                      "passed their ceiling)");
	} else {
		c->e->diff_bytes += d.len;
		c->diff = rb_fx_text(c->e, buf_str(&d), d.len);
	}
	rc = 0;
out:
	rb_fx_wipe(&cur.content);
	buf_done(&d);
	buf_done(&m);
	return rc;
}

static int
rb_fx_file_write(struct rb_fx_call *c, struct err *err)
{
	const char *path = json_string_value(json_object_get(c->req, "path"));
	const char *op = json_string_value(json_object_get(c->req, "op"));
	const char *ms = json_string_value(json_object_get(c->req, "mode"));
	int mode = -1, sim = 0, rc = -1;
	char real[RB_GUARD_PATH_MAX];
	struct buf data;
	char *end;

	buf_init(&data, EFFECTS_BODY_MAX);
	if (rb_guard_file(&c->e->guard,
	        op != NULL && strcmp(op, "replace") == 0 ? "file.replace"
	                                                 : "file.write",
	        path, 1, real, sizeof real, err) == -1)
		goto out;
	path = real;
	if (ms != NULL) {
		long v = strtol(ms, &end, 8);
		if (*ms == '\0' || *end != '\0' || v < 0 || v > 07777) {
			err_set(err, ERR_USAGE,
			    "file.write: mode must be octal "
			    "such as \"0640\"");
			goto out;
		}
		mode = (int)v;
	}
	if (rb_secrets_text(&c->e->secrets, json_object_get(c->req, "content"),
	        &data, err) == -1)
		goto out;
	if (rb_fx_file_diff(c, path, buf_str(&data), data.len,
	        op != NULL && strcmp(op, "replace") == 0, err) == -1)
		goto out;
	json_object_set_new(
	    c->result, "bytes", json_integer((json_int_t)data.len));
	if (c->e->fx->file_write(c->e->fx->ctx, path, buf_str(&data), data.len,
	        mode, &sim, err) == -1)
		goto out;
	c->simulated = sim;
	rc = 0;
out:
	rb_fx_wipe(&data);
	return rc;
}

static int
rb_fx_secret(struct rb_fx_call *c, const char *kind, struct err *err)
{
	const char *name = json_string_value(json_object_get(c->req, "name"));
	const json_t *bytes = json_object_get(c->req, "bytes");
	const char *enc =
	    json_string_value(json_object_get(c->req, "encoding"));
	struct buf v;
	int64_t h = 0;
	int rc = -1, sim = 0;

	buf_init(&v, (size_t)1 << 16);
	if (strcmp(kind, "secret.generate") == 0) {
		rc = rb_secrets_generate(&c->e->secrets,
		    name ? name : "generated",
		    bytes ? (int)json_integer_value(bytes) : 32,
		    enc ? enc : "base64url", &h, err);
	} else if (strcmp(kind, "secret.get") == 0) {
		if (c->e->fx->secret_get(c->e->fx->ctx, name, &v, err) == 0)
			rc = rb_secrets_add(
			    &c->e->secrets, name, buf_str(&v), v.len, &h, err);
	} else if (rb_secrets_text(&c->e->secrets,
	               json_object_get(c->req, "value"), &v, err) == 0) {
		rc = c->e->fx->secret_put(
		    c->e->fx->ctx, name, buf_str(&v), v.len, &sim, err);
		c->simulated = sim;
	}
	if (rc == 0 && h != 0)
		json_object_set_new(c->reply, "handle", json_integer(h));
	rb_fx_wipe(&v);
	return rc;
}

int
rb_effect_perform(struct rb_fx_call *c, struct err *err)
{
	const char *kind = json_string_value(json_object_get(c->req, "kind"));
	int sim = 0;

	if (strcmp(kind, "http") == 0)
		return rb_fx_http(c, err);
	if (strcmp(kind, "exec") == 0)
		return rb_fx_exec(c, err);
	if (strcmp(kind, "file.read") == 0)
		return rb_fx_file_read(c, err);
	if (strcmp(kind, "file.write") == 0)
		return rb_fx_file_write(c, err);
	if (strncmp(kind, "secret.", 7) == 0)
		return rb_fx_secret(c, kind, err);
	if (c->e->fx->notify(c->e->fx->ctx,
	        json_string_value(json_object_get(c->req, "text")), &sim,
	        err) == -1)
		return -1;
	c->simulated = sim;
	return 0;
}
