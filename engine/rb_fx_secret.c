/* rb_fx_secret.c: the secret effects of the chokepoint (rb_fx.h):
 * secret.get and secret.generate give the worker a handle (the value
 * stays in the broker), secret.put stores a value (a write); and notify,
 * a write of a line of text to the configured webhook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rb_fx.h"

static int
rb_fx_secret_describe(const json_t *req, struct rb_fx_desc *d, struct err *err)
{
	const char *n = json_string_value(json_object_get(req, "name"));

	if (strcmp(d->name, "secret.generate") == 0 && n == NULL)
		n = "generated";
	if (!rb_fx_name_ok(n))
		return err_set(err, ERR_USAGE,
		    "%s: a secret name is 1-64 letters, digits, '_', '-' or "
		    "'.'",
		    d->name);
	snprintf(d->target, sizeof d->target, "%s", n);
	if (d->write)
		snprintf(d->lease, sizeof d->lease, "secret:%s", n);
	return 0;
}

static void
rb_fx_secret_handle(struct rb_fx_call *c, int64_t h)
{
	if (h != 0)
		json_object_set_new(c->reply, "handle", json_integer(h));
}

static int
rb_fx_secret_generate(struct rb_fx_call *c, struct err *err)
{
	const json_t *bytes = json_object_get(c->req, "bytes");
	const char *enc =
	    json_string_value(json_object_get(c->req, "encoding"));
	int64_t h = 0;

	if (rb_secrets_generate(&c->e->secrets, c->desc.target,
	        bytes ? (int)json_integer_value(bytes) : 32,
	        enc ? enc : "base64url", &h, err) == -1)
		return -1;
	rb_fx_secret_handle(c, h);
	return 0;
}

static int
rb_fx_secret_get(struct rb_fx_call *c, struct err *err)
{
	struct buf v;
	int64_t h = 0;
	int rc = -1;

	buf_init(&v, (size_t)1 << 16);
	if (c->e->fx->secret_get(c->e->fx->ctx, c->desc.target, &v, err) == 0)
		rc = rb_secrets_add(&c->e->secrets, c->desc.target, buf_str(&v),
		    v.len, &h, err);
	if (rc == 0)
		rb_fx_secret_handle(c, h);
	rb_fx_wipe(&v);
	return rc;
}

static int
rb_fx_secret_put(struct rb_fx_call *c, struct err *err)
{
	struct buf v;
	int rc = -1, sim = 0;

	buf_init(&v, (size_t)1 << 16);
	if (rb_secrets_text(&c->e->secrets, json_object_get(c->req, "value"),
	        &v, err) == 0) {
		rc = c->e->fx->secret_put(c->e->fx->ctx, c->desc.target,
		    buf_str(&v), v.len, &sim, err);
		c->simulated = sim;
	}
	rb_fx_wipe(&v);
	return rc;
}

static int
rb_fx_notify_describe(const json_t *req, struct rb_fx_desc *d, struct err *err)
{
	const json_t *v = json_object_get(req, "text");

	(void)err;
	snprintf(d->target, sizeof d->target, "%.200s",
	    json_is_string(v) ? json_string_value(v) : "");
	return 0;
}

static int
rb_fx_notify(struct rb_fx_call *c, struct err *err)
{
	int sim = 0;

	if (c->e->fx->notify(c->e->fx->ctx,
	        json_string_value(json_object_get(c->req, "text")), &sim,
	        err) == -1)
		return -1;
	c->simulated = sim;
	return 0;
}

/* secret.put in full: the name written, and the names of the secrets its
 * value comes from (never a value). */
static json_t *
rb_fx_secret_put_show(
    struct rb_effect *e, const json_t *req, json_t *names, struct err *err)
{
	json_t *v = rb_secrets_show(
	    &e->secrets, json_object_get(req, "value"), names, err);

	if (v == NULL)
		return NULL;
	json_decref(v);
	return json_pack("{s:O}", "name", json_object_get(req, "name"));
}

/* notify in full: the whole text (the target is its first 200 bytes). */
static json_t *
rb_fx_notify_show(
    struct rb_effect *e, const json_t *req, json_t *names, struct err *err)
{
	(void)e;
	(void)names;
	(void)err;
	return json_pack("{s:O?}", "text", json_object_get(req, "text"));
}

const struct rb_fx_kind rb_fx_secret_get_kind = {
	.name = "secret.get",
	.access = RB_FX_READ,
	.describe = rb_fx_secret_describe,
	.perform = rb_fx_secret_get,
};

const struct rb_fx_kind rb_fx_secret_generate_kind = {
	.name = "secret.generate",
	.access = RB_FX_READ,
	.describe = rb_fx_secret_describe,
	.perform = rb_fx_secret_generate,
};

const struct rb_fx_kind rb_fx_secret_put_kind = {
	.name = "secret.put",
	.access = RB_FX_WRITE,
	.describe = rb_fx_secret_describe,
	.perform = rb_fx_secret_put,
	.show = rb_fx_secret_put_show,
};

const struct rb_fx_kind rb_fx_notify_kind = {
	.name = "notify",
	.access = RB_FX_WRITE,
	.describe = rb_fx_notify_describe,
	.perform = rb_fx_notify,
	.show = rb_fx_notify_show,
};
