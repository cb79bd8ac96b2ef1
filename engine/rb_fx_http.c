/* rb_fx_http.c: the http effect of the chokepoint (rb_fx.h): GET and
 * HEAD read, POST, PUT, PATCH and DELETE write; headers and bodies get
 * their secret values at the last moment. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rb_fx.h"

static int
rb_fx_http_describe(const json_t *req, struct rb_fx_desc *d, struct err *err)
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
	    strlen(url) >= sizeof d->target || strpbrk(url, " \r\n") != NULL)
		return err_set(err, ERR_USAGE,
		    "http: the URL must start with "
		    "http:// or https:// (and hold no spaces)");
	snprintf(d->name, sizeof d->name, "http.");
	for (size_t i = 0; m[i] && i + 6 < sizeof d->name; i++)
		d->name[5 + i] = (char)tolower((unsigned char)m[i]),
		            d->name[6 + i] = '\0';
	snprintf(d->target, sizeof d->target, "%s", url);
	d->write = !effects_http_is_read(m);
	if (json_object_get(req, "uses") != NULL && d->write)
		return err_set(
		    err, ERR_USAGE, "http: uses is for reads (GET, HEAD)");
	if (rb_fx_uses_check(json_object_get(req, "uses"), err) == -1)
		return -1;
	if (d->write)
		snprintf(d->lease, sizeof d->lease, "url:%s", url);
	return 0;
}

static int
rb_fx_http_body(struct rb_effect *e, const json_t *req, struct buf *body,
    int *has, struct err *err)
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

static int
rb_fx_http_perform(struct rb_fx_call *c, struct err *err)
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
	if (rc == -1 || rb_fx_http_body(c->e, c->req, &body, &has, err) == -1) {
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
	if (!c->desc.write && !res.simulated &&
	    json_object_get(c->req, "uses") != NULL)
		rb_fx_saw_uses(c, res.status, buf_str(&res.body), res.body.len,
		    json_object_get(c->req, "uses"));
	else if (!c->desc.write && !res.simulated)
		rb_fx_saw(c, res.status, buf_str(&res.body), res.body.len);
	rc = 0;
out:
	for (size_t i = 0; i < nvals; i++)
		rb_fx_wipe(&vals[i]);
	rb_fx_wipe(&body);
	effects_http_res_done(&res);
	return rc;
}

/* A write in full: method, URL, headers (secrets as "***"), the body
 * (JSON as a value, printed pretty; other text; or size and SHA-256). */
static json_t *
rb_fx_http_show(
    struct rb_effect *e, const json_t *req, json_t *names, struct err *err)
{
	const json_t *h = json_object_get(req, "headers");
	const json_t *j = json_object_get(req, "json");
	const json_t *body = json_object_get(req, "body");
	json_t *p, *v = NULL;

	p = json_pack("{s:O, s:O}", "method", json_object_get(req, "method"),
	    "url", json_object_get(req, "url"));
	if (p == NULL)
		return err_set(err, ERR_FAILED, "out of memory"), NULL;
	if (h != NULL) {
		if ((v = rb_secrets_show(&e->secrets, h, names, err)) == NULL)
			goto fail;
		json_object_set_new(p, "headers", v);
	}
	if (body != NULL) {
		if ((v = rb_secrets_show(&e->secrets, body, names, err)) ==
		        NULL ||
		    !json_is_string(v)) {
			json_decref(v);
			err_set(err, ERR_USAGE, "http: body must be text");
			goto fail;
		}
		rb_fx_show_blob(
		    p, "body", json_string_value(v), json_string_length(v));
		json_decref(v);
	} else if (j != NULL) {
		if ((v = rb_secrets_show(&e->secrets, j, names, err)) == NULL)
			goto fail;
		json_object_set_new(p, "json", v);
	}
	return p;
fail:
	json_decref(p);
	return NULL;
}

const struct rb_fx_kind rb_fx_http_kind = {
	.name = "http",
	.access = RB_FX_BY_REQUEST,
	.describe = rb_fx_http_describe,
	.perform = rb_fx_http_perform,
	.show = rb_fx_http_show,
};
