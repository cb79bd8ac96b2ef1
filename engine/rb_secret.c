/* rb_secret.c: secret values by handle, for one run (see rb_secret.h). */
#include "rb_secret.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "hash.h"
#include "worker/rb_json.h"

/* n random bytes from the kernel's CSPRNG: getrandom(2) needs no library
 * initialisation (OpenSSL's RAND_bytes costs a run ~1.5 ms of CPU to set
 * up its generators). */
static int
rb_secret_random(unsigned char *p, size_t n)
{
	ssize_t got;

	while (n > 0) {
		if ((got = getrandom(p, n, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int
rb_secrets_init(struct rb_secrets *s, struct err *err)
{
	unsigned char r[16];

	memset(s, 0, sizeof *s);
	if (rb_secret_random(r, sizeof r) == -1)
		return err_set(
		    err, ERR_FAILED, "no random bytes: %s", strerror(errno));
	memcpy(s->key, RB_JSON_SECRET_PREFIX, sizeof RB_JSON_SECRET_PREFIX - 1);
	hash_hex(r, sizeof r, s->key + sizeof RB_JSON_SECRET_PREFIX - 1);
	if ((s->mask = mask_new()) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

void
rb_secrets_done(struct rb_secrets *s)
{
	for (size_t i = 0; i < s->n; i++) {
		explicit_bzero(s->v[i].value, s->v[i].len);
		free(s->v[i].value);
		free(s->v[i].name);
	}
	free(s->v);
	mask_free(s->mask);
	memset(s, 0, sizeof *s);
}

int
rb_secrets_add(struct rb_secrets *s, const char *name, const char *value,
    size_t n, int64_t *handle, struct err *err)
{
	struct rb_secret *nv, *e;

	if (mask_add(s->mask, value, n, err) == -1) {
		err_prefix(err, "secret %s: ", name);
		return -1;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		if ((nv = realloc(s->v, cap * sizeof *nv)) == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		s->v = nv;
		s->cap = cap;
	}
	e = &s->v[s->n];
	e->handle = (int64_t)s->n + 1;
	e->name = strdup(name);
	e->value = malloc(n + 1);
	if (e->name == NULL || e->value == NULL) {
		free(e->name);
		free(e->value);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	memcpy(e->value, value, n);
	e->value[n] = '\0';
	e->len = n;
	*handle = e->handle;
	s->n++;
	return 0;
}

int
rb_secrets_generate(struct rb_secrets *s, const char *name, int bytes,
    const char *encoding, int64_t *handle, struct err *err)
{
	static const char b64u[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[1024];
	char text[2100];
	size_t o = 0;
	int rc;

	if (bytes < 16 || bytes > 1024)
		return err_set(err, ERR_USAGE,
		    "secret.generate: bytes must be "
		    "16 to 1024");
	if (rb_secret_random(raw, (size_t)bytes) == -1)
		return err_set(err, ERR_FAILED,
		    "secret.generate: no random bytes: %s", strerror(errno));
	if (strcmp(encoding, "hex") == 0) {
		hash_hex(raw, (size_t)bytes, text);
		o = (size_t)bytes * 2;
	} else if (strcmp(encoding, "base64url") == 0) {
		for (int i = 0; i < bytes; i += 3) {
			unsigned v = (unsigned)raw[i] << 16;
			int k = bytes - i < 3 ? bytes - i : 3;
			if (k > 1)
				v |= (unsigned)raw[i + 1] << 8;
			if (k > 2)
				v |= raw[i + 2];
			for (int c = 0; c <= k; c++)
				text[o++] = b64u[v >> (18 - 6 * c) & 63];
		}
	} else {
		explicit_bzero(raw, sizeof raw);
		return err_set(err, ERR_USAGE,
		    "secret.generate: encoding must "
		    "be base64url or hex");
	}
	rc = rb_secrets_add(s, name, text, o, handle, err);
	explicit_bzero(raw, sizeof raw);
	explicit_bzero(text, sizeof text);
	return rc;
}

int
rb_secrets_is_ref(const struct rb_secrets *s, const json_t *v)
{
	return json_is_object(v) && json_object_size(v) == 1 &&
	    s->key[0] != '\0' && json_is_array(json_object_get(v, s->key));
}

static const struct rb_secret *
rb_secrets_find(const struct rb_secrets *s, json_int_t h)
{
	if (h < 1 || (size_t)h > s->n)
		return NULL;
	return &s->v[h - 1];
}

/* Appends a reference's text: values (reveal) or "***". */
static int
rb_secrets_ref_text(const struct rb_secrets *s, const json_t *v, int reveal,
    struct buf *out, struct err *err)
{
	const json_t *parts = json_object_get(v, s->key), *p;
	const struct rb_secret *e;
	size_t i;

	json_array_foreach(parts, i, p)
	{
		if (json_is_string(p)) {
			if (buf_add(out, json_string_value(p),
			        json_string_length(p), err) == -1)
				return -1;
		} else if ((e = rb_secrets_find(s, json_integer_value(p))) ==
		    NULL) {
			return err_set(
			    err, ERR_FAILED, "unknown secret handle");
		} else if (buf_add(out, reveal ? e->value : MASK_REPLACEMENT,
		               reveal ? e->len : strlen(MASK_REPLACEMENT),
		               err) == -1) {
			return -1;
		}
	}
	return 0;
}

int
rb_secrets_text(const struct rb_secrets *s, const json_t *v, struct buf *out,
    struct err *err)
{
	if (json_is_string(v))
		return buf_add(
		    out, json_string_value(v), json_string_length(v), err);
	if (rb_secrets_is_ref(s, v))
		return rb_secrets_ref_text(s, v, 1, out, err);
	return err_set(err, ERR_USAGE, "expected text");
}

/* Appends the names of the handles a reference uses to names. */
static void
rb_secrets_ref_names(const struct rb_secrets *s, const json_t *v, json_t *names)
{
	const json_t *parts = json_object_get(v, s->key), *p;
	const struct rb_secret *e;
	size_t i;

	json_array_foreach(parts, i, p)
	{
		if (!json_is_string(p) &&
		    (e = rb_secrets_find(s, json_integer_value(p))) != NULL)
			json_array_append_new(names, json_string(e->name));
	}
}

static json_t *
rb_secrets_walk(const struct rb_secrets *s, const json_t *v, int reveal,
    json_t *names, struct err *err)
{
	json_t *out, *c;
	const char *k;
	struct buf b;
	size_t i;

	if (rb_secrets_is_ref(s, v)) {
		if (names != NULL)
			rb_secrets_ref_names(s, v, names);
		buf_init(&b, (size_t)1 << 20);
		out = NULL;
		if (rb_secrets_ref_text(s, v, reveal, &b, err) == 0 &&
		    (out = json_stringn(b.data ? b.data : "", b.len)) == NULL)
			err_set(err, ERR_FAILED, "secret is not UTF-8 text");
		if (b.data != NULL)
			explicit_bzero(b.data, b.len);
		buf_done(&b);
		return out;
	}
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach((json_t *)v, k, c)
		{
			json_t *n = rb_secrets_walk(s, c, reveal, names, err);
			if (n == NULL || out == NULL) {
				json_decref(n);
				json_decref(out);
				return NULL;
			}
			json_object_set_new(out, k, n);
		}
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, c)
		{
			json_t *n = rb_secrets_walk(s, c, reveal, names, err);
			if (n == NULL || out == NULL) {
				json_decref(n);
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, n);
		}
		return out;
	}
	return json_deep_copy(v);
}

json_t *
rb_secrets_subst(
    const struct rb_secrets *s, const json_t *v, int reveal, struct err *err)
{
	return rb_secrets_walk(s, v, reveal, NULL, err);
}

json_t *
rb_secrets_show(
    const struct rb_secrets *s, const json_t *v, json_t *names, struct err *err)
{
	return rb_secrets_walk(s, v, 0, names, err);
}
