/* effects_fake.c: effects answered from a test's declarations (see
 * effects_fake.h). */
#include "effects_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct effects_fake {
	json_t *decl; /* our copy: files and secrets change */
	json_t *calls; /* "http KEY" -> times answered */
	struct effects_fake_git *git; /* the checkouts made */
};

static int
effects_fake_git_op(void *ctx, const struct effects_git *req,
    struct effects_git_res *res, struct err *err)
{
	struct effects_fake *f = ctx;

	return effects_fake_git(f->git, f->decl, req, res, err);
}

/* Picks the answer for key in section: a list is used in order. */
static const json_t *
effects_fake_answer(struct effects_fake *f, const char *section,
    const char *key, struct err *err)
{
	const json_t *sec = json_object_get(f->decl, section), *a;
	char ck[600];
	json_int_t n;

	a = json_object_get(sec, key);
	if (a == NULL)
		a = json_object_get(sec, "*");
	if (a == NULL) {
		err_set(err, ERR_FAILED, "fake: no answer for %s", key);
		return NULL;
	}
	if (!json_is_array(a))
		return a;
	snprintf(ck, sizeof ck, "%s %s", section, key);
	n = json_integer_value(json_object_get(f->calls, ck));
	json_object_set_new(f->calls, ck, json_integer(n + 1));
	if (json_array_size(a) == 0) {
		err_set(err, ERR_FAILED, "fake: empty answer list for %s", key);
		return NULL;
	}
	if ((size_t)n >= json_array_size(a))
		n = (json_int_t)json_array_size(a) - 1;
	return json_array_get(a, (size_t)n);
}

static int
effects_fake_http(void *ctx, const struct effects_http *req,
    struct effects_http_res *res, struct err *err)
{
	struct effects_fake *f = ctx;
	const json_t *a, *j;
	char key[600];

	snprintf(key, sizeof key, "%s %s", req->method, req->url);
	if ((a = effects_fake_answer(f, "http", key, err)) == NULL)
		return -1;
	res->status = (long)json_integer_value(json_object_get(a, "status"));
	if (res->status == 0)
		res->status = 200;
	if ((j = json_object_get(a, "json")) != NULL) {
		char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		int rc = s ? buf_adds(&res->body, s, err) : -1;
		free(s);
		if (rc == -1)
			return err_set(
			    err, ERR_FAILED, "fake: bad json answer");
	} else if (json_is_string(j = json_object_get(a, "body")) &&
	    buf_add(&res->body, json_string_value(j), json_string_length(j),
	        err) == -1) {
		return -1;
	}
	return 0;
}

static int
effects_fake_exec(void *ctx, const struct effects_exec *req,
    struct effects_exec_res *res, struct err *err)
{
	struct effects_fake *f = ctx;
	const json_t *a;
	struct buf key;
	int rc = -1;

	buf_init(&key, 512);
	for (size_t i = 0; req->argv[i] != NULL; i++)
		if ((i && buf_addc(&key, ' ', err) == -1) ||
		    buf_adds(&key, req->argv[i], err) == -1)
			goto out;
	if ((a = effects_fake_answer(f, "exec", buf_str(&key), err)) == NULL)
		goto out;
	res->code = (int)json_integer_value(json_object_get(a, "code"));
	if (json_is_string(json_object_get(a, "stdout")))
		buf_adds(&res->out,
		    json_string_value(json_object_get(a, "stdout")), NULL);
	if (json_is_string(json_object_get(a, "stderr")))
		buf_adds(&res->err,
		    json_string_value(json_object_get(a, "stderr")), NULL);
	rc = 0;
out:
	buf_done(&key);
	return rc;
}

static int
effects_fake_file_read(
    void *ctx, const char *path, struct effects_file_res *res, struct err *err)
{
	struct effects_fake *f = ctx;
	const json_t *c =
	    json_object_get(json_object_get(f->decl, "files"), path);

	if (!json_is_string(c)) {
		res->missing = 1;
		return 0;
	}
	return buf_add(
	    &res->content, json_string_value(c), json_string_length(c), err);
}

/* Sets decl[section][name] = the text, creating the section. */
static int
effects_fake_store(struct effects_fake *f, const char *section,
    const char *name, const char *data, size_t n, struct err *err)
{
	json_t *sec = json_object_get(f->decl, section), *v;

	if (sec == NULL) {
		sec = json_object();
		json_object_set_new(f->decl, section, sec);
	}
	if ((v = json_stringn(data, n)) == NULL)
		return err_set(
		    err, ERR_FAILED, "fake: %s is not UTF-8 text", name);
	json_object_set_new(sec, name, v);
	return 0;
}

static int
effects_fake_file_write(void *ctx, const char *path, const char *data, size_t n,
    int mode, int *simulated, struct err *err)
{
	(void)mode;
	*simulated = 0;
	return effects_fake_store(ctx, "files", path, data, n, err);
}

static int
effects_fake_secret_get(
    void *ctx, const char *name, struct buf *value, struct err *err)
{
	struct effects_fake *f = ctx;
	const json_t *v =
	    json_object_get(json_object_get(f->decl, "secrets"), name);

	if (!json_is_string(v))
		return err_set(err, ERR_FAILED, "no secret named %s", name);
	return buf_add(value, json_string_value(v), json_string_length(v), err);
}

static int
effects_fake_secret_put(void *ctx, const char *name, const char *value,
    size_t n, int *simulated, struct err *err)
{
	*simulated = 0;
	return effects_fake_store(ctx, "secrets", name, value, n, err);
}

/* fakes.notify = { error = "..." } makes every notification fail with
 * that message (a dead chat webhook); a list is used in order. */
static int
effects_fake_notify(
    void *ctx, const char *text, int *simulated, struct err *err)
{
	struct effects_fake *f = ctx;
	const json_t *a = json_object_get(f->decl, "notify"), *e;
	json_int_t n;

	(void)text;
	*simulated = 0;
	if (json_is_array(a)) {
		n = json_integer_value(json_object_get(f->calls, "notify"));
		json_object_set_new(f->calls, "notify", json_integer(n + 1));
		if ((size_t)n >= json_array_size(a))
			n = (json_int_t)json_array_size(a) - 1;
		a = json_array_get(a, (size_t)n);
	}
	if (json_is_string(e = json_object_get(a, "error")))
		return err_set(
		    err, ERR_FAILED, "notify: %s", json_string_value(e));
	return 0;
}

static int
effects_fake_secret_each(
    void *ctx, effects_secret_fn *fn, void *arg, struct err *err)
{
	struct effects_fake *f = ctx;
	const json_t *v;
	const char *k;

	(void)err;
	json_object_foreach(json_object_get(f->decl, "secrets"), k, v)
	{
		if (json_is_string(v) &&
		    fn(arg, k, json_string_value(v), json_string_length(v)) !=
		        0)
			break;
	}
	return 0;
}

static void
effects_fake_free(void *ctx)
{
	struct effects_fake *f = ctx;

	json_decref(f->decl);
	json_decref(f->calls);
	effects_fake_git_free(f->git);
	free(f);
}

struct effects *
effects_fake_new(const json_t *decl)
{
	struct effects *fx = calloc(1, sizeof *fx);
	struct effects_fake *f = calloc(1, sizeof *f);

	if (fx == NULL || f == NULL)
		goto fail;
	f->decl = decl ? json_deep_copy(decl) : json_object();
	f->calls = json_object();
	f->git = effects_fake_git_new();
	if (f->decl == NULL || f->calls == NULL || f->git == NULL ||
	    !json_is_object(f->decl))
		goto fail;
	*fx = (struct effects){ .name = "fake",
		.caps = EFFECTS_INSTANT,
		.ctx = f,
		.http = effects_fake_http,
		.exec = effects_fake_exec,
		.file_read = effects_fake_file_read,
		.file_write = effects_fake_file_write,
		.secret_get = effects_fake_secret_get,
		.secret_put = effects_fake_secret_put,
		.notify = effects_fake_notify,
		.git = effects_fake_git_op,
		.secret_each = effects_fake_secret_each,
		.free = effects_fake_free };
	return fx;
fail:
	if (f != NULL) {
		json_decref(f->decl);
		json_decref(f->calls);
		effects_fake_git_free(f->git);
	}
	free(f);
	free(fx);
	return NULL;
}
