/* rb_fx.c: the table of effect kinds and the helpers the kinds share
 * (see rb_fx.h). */
#include "rb_fx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hash.h"
#include "mask.h"
#include "sanitize.h"

static const struct rb_fx_kind *const rb_fx_kinds[] = {
	&rb_fx_http_kind,
	&rb_fx_exec_kind,
	&rb_fx_file_read_kind,
	&rb_fx_file_write_kind,
	&rb_fx_secret_get_kind,
	&rb_fx_secret_generate_kind,
	&rb_fx_secret_put_kind,
	&rb_fx_notify_kind,
	&rb_fx_git_checkout_kind,
	&rb_fx_git_read_kind,
	&rb_fx_git_log_kind,
	&rb_fx_git_write_kind,
	&rb_fx_git_commit_kind,
	&rb_fx_git_push_kind,
	&rb_fx_git_revert_kind,
};

const struct rb_fx_kind *
rb_fx_kind(const char *name)
{
	for (size_t i = 0;
	     name != NULL && i < sizeof rb_fx_kinds / sizeof rb_fx_kinds[0];
	     i++)
		if (strcmp(rb_fx_kinds[i]->name, name) == 0)
			return rb_fx_kinds[i];
	return NULL;
}

int
rb_fx_describe(struct rb_fx_call *c, struct err *err)
{
	const char *kind = json_string_value(json_object_get(c->req, "kind"));

	memset(&c->desc, 0, sizeof c->desc);
	if (kind == NULL)
		return err_set(err, ERR_USAGE, "effect without a kind");
	if ((c->kind = rb_fx_kind(kind)) == NULL)
		return err_set(err, ERR_USAGE, "unknown effect '%.64s'", kind);
	snprintf(c->desc.name, sizeof c->desc.name, "%s", kind);
	c->desc.write = c->kind->access == RB_FX_WRITE;
	return c->kind->describe(c->req, &c->desc, err);
}

int
rb_fx_path_ok(const json_t *p)
{
	const char *s = json_string_value(p);

	return s != NULL && s[0] == '/' && strlen(s) == json_string_length(p) &&
	    strlen(s) < 4096;
}

int
rb_fx_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= 64 && s[0] != '.' &&
	    strspn(s,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
	    n;
}

json_t *
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

void
rb_fx_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_done(b);
}

int
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

int64_t
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

/* Nonzero when s is text a plan can show: UTF-8, no control bytes but
 * tab and line breaks. */
static int
rb_fx_printable(const char *s, size_t n)
{
	unsigned cp;
	size_t k;

	for (size_t i = 0; i < n; i += k) {
		if ((k = sanitize_utf8(
		         (const unsigned char *)s + i, n - i, &cp)) == 0)
			return 0;
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		    cp == 0x7f)
			return 0;
	}
	return 1;
}

void
rb_fx_show_blob(json_t *obj, const char *key, const char *s, size_t n)
{
	if (n <= RB_FX_SHOW_TEXT && rb_fx_printable(s, n))
		json_object_set_new(obj, key, json_stringn(s, n));
	else
		rb_fx_show_hash(obj, key, s, n);
}

void
rb_fx_show_hash(json_t *obj, const char *key, const char *s, size_t n)
{
	unsigned char md[HASH_LEN];
	char hex[HASH_HEX_LEN];

	hash_sha256(s, n, md);
	hash_hex(md, sizeof md, hex);
	json_object_set_new(obj, key,
	    json_pack("{s:I, s:s}", "bytes", (json_int_t)n, "sha256", hex));
}

void
rb_fx_saw(struct rb_fx_call *c, int status, const char *data, size_t n)
{
	json_t *t = rb_fx_text(c->e, data, n);
	const char *s = t ? json_string_value(t) : "";
	size_t tn = t ? json_string_length(t) : 0;
	unsigned char md[HASH_LEN];
	char hex[HASH_HEX_LEN], head[32];
	struct hash_ctx h;

	if (t == NULL || hash_begin(&h) == -1) {
		json_decref(t);
		return;
	}
	snprintf(head, sizeof head, "%d\n", status);
	hash_update(&h, head, strlen(head));
	hash_update(&h, s, tn);
	hash_end(&h, md);
	hash_hex(md, sizeof md, hex);
	json_decref(c->seen);
	c->seen =
	    json_pack("{s:I, s:s}", "bytes", (json_int_t)n, "sha256", hex);
	if (c->seen != NULL && status >= 0)
		json_object_set_new(c->seen, "status", json_integer(status));
	if (c->seen != NULL && tn <= RB_FX_SHOW_TEXT && rb_fx_printable(s, tn))
		json_object_set(c->seen, "body", t);
	json_decref(t);
}
