/* rb_fx_file.c: the file effects of the chokepoint (rb_fx.h): file.read
 * and file.write (op "replace" for file.replace), confined to the
 * operator's roots (rb_guard.h), with a unified diff of each write (or,
 * for content holding a secret, hashes and sizes) for the plan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mask.h"
#include "rb_diff.h"
#include "rb_fx.h"
#include "sanitize.h"

static int
rb_fx_file_describe(const json_t *req, struct rb_fx_desc *d, struct err *err)
{
	const char *op = json_string_value(json_object_get(req, "op"));

	if (!rb_fx_path_ok(json_object_get(req, "path")))
		return err_set(
		    err, ERR_USAGE, "%s: the path must be absolute", d->name);
	snprintf(d->target, sizeof d->target, "%s",
	    json_string_value(json_object_get(req, "path")));
	if (!d->write)
		return 0;
	if (op != NULL && strcmp(op, "replace") == 0)
		snprintf(d->name, sizeof d->name, "file.replace");
	snprintf(d->lease, sizeof d->lease, "file:%s", d->target);
	return 0;
}

/* Nonzero when the n bytes at s are UTF-8 text (NUL bytes allowed). */
static int
rb_fx_file_is_text(const char *s, size_t n)
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
		if (!rb_fx_file_is_text(buf_str(&res.content), res.content.len))
			json_object_set_new(c->reply, "binary", json_true());
	}
	if (res.unknown)
		json_object_set_new(c->reply, "unknown", json_true());
	if (!res.simulated && !res.unknown) {
		rb_fx_saw(c, res.missing ? -2 : -1, buf_str(&res.content),
		    res.missing ? 0 : res.content.len);
		if (res.missing && c->seen != NULL)
			json_object_set_new(c->seen, "missing", json_true());
	}
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

/* A file write in full: its path, mode, and the new content's size and
 * SHA-256 (secrets as "***"; the plan's diff shows the lines). */
static json_t *
rb_fx_file_show(
    struct rb_effect *e, const json_t *req, json_t *names, struct err *err)
{
	json_t *p = json_pack("{s:O, s:O?}", "path",
	    json_object_get(req, "path"), "mode", json_object_get(req, "mode"));
	json_t *v;

	if (p == NULL)
		return err_set(err, ERR_FAILED, "out of memory"), NULL;
	v = rb_secrets_show(
	    &e->secrets, json_object_get(req, "content"), names, err);
	if (v == NULL || !json_is_string(v)) {
		json_decref(v);
		json_decref(p);
		return err_set(
		           err, ERR_USAGE, "file.write: content must be text"),
		       NULL;
	}
	rb_fx_show_hash(
	    p, "content", json_string_value(v), json_string_length(v));
	json_decref(v);
	return p;
}

const struct rb_fx_kind rb_fx_file_read_kind = {
	.name = "file.read",
	.access = RB_FX_READ,
	.describe = rb_fx_file_describe,
	.perform = rb_fx_file_read,
	.dry_in_batch = 1,
};

const struct rb_fx_kind rb_fx_file_write_kind = {
	.name = "file.write",
	.access = RB_FX_WRITE,
	.describe = rb_fx_file_describe,
	.perform = rb_fx_file_write,
	.show = rb_fx_file_show,
};
