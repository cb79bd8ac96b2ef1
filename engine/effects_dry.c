/* effects_dry.c: dry-run effects (see effects_dry.h). */
#include "effects_dry.h"

#include <stdlib.h>

struct effects_dry {
	const struct effects *inner;
	int offline;
};

static int
effects_dry_http(void *ctx, const struct effects_http *req,
    struct effects_http_res *res, struct err *err)
{
	struct effects_dry *d = ctx;

	if (effects_http_is_read(req->method) && !d->offline)
		return d->inner->http(d->inner->ctx, req, res, err);
	/* --offline makes no reads: a made-up answer would only mislead
	 * the runbook (an empty body, a nil field), so the read fails
	 * saying why and what to do instead */
	if (effects_http_is_read(req->method))
		return err_set(err, ERR_FAILED,
		    "offline dry-run: %s %.400s was not read (drop --offline "
		    "to let the dry-run read, or preview the runbook against "
		    "its test fakes with owl test)",
		    req->method, req->url);
	res->status = 200;
	res->simulated = 1;
	return 0;
}

static int
effects_dry_exec(void *ctx, const struct effects_exec *req,
    struct effects_exec_res *res, struct err *err)
{
	struct effects_dry *d = ctx;

	if (req->read_only && !d->offline)
		return d->inner->exec(d->inner->ctx, req, res, err);
	res->code = 0;
	res->simulated = 1;
	return 0;
}

static int
effects_dry_file_read(
    void *ctx, const char *path, struct effects_file_res *res, struct err *err)
{
	struct effects_dry *d = ctx;

	if (!d->offline)
		return d->inner->file_read(d->inner->ctx, path, res, err);
	res->unknown = 1;
	res->simulated = 1;
	return 0;
}

/* The work copy is private: a checkout, its reads, edits and commits
 * are made (the plan's diffs and later reads see them); a push and a
 * revert, which reach the remote, are not. */
static int
effects_dry_git(void *ctx, const struct effects_git *req,
    struct effects_git_res *res, struct err *err)
{
	struct effects_dry *d = ctx;

	if (req->op == EFFECTS_GIT_PUSH || req->op == EFFECTS_GIT_REVERT) {
		res->simulated = 1;
		return 0;
	}
	if (d->offline && req->op == EFFECTS_GIT_CHECKOUT)
		return err_set(err, ERR_FAILED,
		    "git.checkout: an --offline dry-run reads nothing, and "
		    "a config repository must be read: drop --offline");
	if (d->inner->git == NULL)
		return err_set(err, ERR_FAILED, "git: not available here");
	return d->inner->git(d->inner->ctx, req, res, err);
}

static int
effects_dry_file_write(void *ctx, const char *path, const char *data, size_t n,
    int mode, int *simulated, struct err *err)
{
	(void)ctx, (void)path, (void)data, (void)n, (void)mode, (void)err;
	*simulated = 1;
	return 0;
}

static int
effects_dry_secret_get(
    void *ctx, const char *name, struct buf *value, struct err *err)
{
	struct effects_dry *d = ctx;

	return d->inner->secret_get(d->inner->ctx, name, value, err);
}

static int
effects_dry_secret_put(void *ctx, const char *name, const char *value, size_t n,
    int *simulated, struct err *err)
{
	(void)ctx, (void)name, (void)value, (void)n, (void)err;
	*simulated = 1;
	return 0;
}

static int
effects_dry_notify(void *ctx, const char *text, int *simulated, struct err *err)
{
	(void)ctx, (void)text, (void)err;
	*simulated = 1;
	return 0;
}

static int
effects_dry_secret_each(
    void *ctx, effects_secret_fn *fn, void *arg, struct err *err)
{
	struct effects_dry *d = ctx;

	return d->inner->secret_each(d->inner->ctx, fn, arg, err);
}

struct effects *
effects_dry_new(const struct effects *inner, int offline)
{
	struct effects *fx = calloc(1, sizeof *fx);
	struct effects_dry *d = calloc(1, sizeof *d);

	if (fx == NULL || d == NULL) {
		free(fx);
		free(d);
		return NULL;
	}
	d->inner = inner;
	d->offline = offline;
	*fx = (struct effects){ .name = "dry-run",
		.caps = EFFECTS_SIMULATES | (inner->caps & EFFECTS_INSTANT),
		.ctx = d,
		.http = effects_dry_http,
		.exec = effects_dry_exec,
		.file_read = effects_dry_file_read,
		.file_write = effects_dry_file_write,
		.secret_get = effects_dry_secret_get,
		.secret_put = effects_dry_secret_put,
		.notify = effects_dry_notify,
		.git = effects_dry_git,
		.secret_each = effects_dry_secret_each,
		.free = free };
	return fx;
}
