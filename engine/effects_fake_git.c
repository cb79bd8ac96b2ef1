/* effects_fake_git.c: the git effect answered from a test's declarations
 * (fakes.git, see effects_fake.h): a repository per URL held in memory,
 * its files and each file's history as declared; edits, commits and
 * pushes change the copy a checkout made, and a declared push error (a
 * push race) fails the push. */
#include "effects_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EFFECTS_FAKE_GIT_MAX 64 /* checkouts per run */

struct effects_fake_wc {
	json_t *repo; /* the declaration (borrowed from decl) */
	json_t *files; /* path -> content, edits and commits applied */
	json_t *staged; /* path -> content */
	json_t *commits; /* ours, newest first: {commit, author, ...} */
	json_t *pushed; /* the ids pushed, not yet reverted */
	int npushes, nreverts;
};

struct effects_fake_git {
	struct effects_fake_wc wc[EFFECTS_FAKE_GIT_MAX];
	int n;
};

struct effects_fake_git *
effects_fake_git_new(void)
{
	return calloc(1, sizeof(struct effects_fake_git));
}

void
effects_fake_git_free(struct effects_fake_git *g)
{
	if (g == NULL)
		return;
	for (int i = 0; i < g->n; i++) {
		json_decref(g->wc[i].files);
		json_decref(g->wc[i].staged);
		json_decref(g->wc[i].commits);
		json_decref(g->wc[i].pushed);
	}
	free(g);
}

/* The answer a list gives for the n-th call (the last one after). */
static const json_t *
effects_fake_git_nth(const json_t *a, int n)
{
	if (!json_is_array(a))
		return a;
	if (json_array_size(a) == 0)
		return NULL;
	if ((size_t)n >= json_array_size(a))
		n = (int)json_array_size(a) - 1;
	return json_array_get(a, (size_t)n);
}

static int
effects_fake_git_checkout(struct effects_fake_git *g, const json_t *decl,
    const struct effects_git *req, struct effects_git_res *res, struct err *err)
{
	json_t *repo = json_object_get(json_object_get(decl, "git"), req->url);
	const char *ref = json_string_value(json_object_get(repo, "ref"));
	struct effects_fake_wc *w;

	if (!json_is_object(repo))
		return err_set(err, ERR_FAILED,
		    "fake: no repository %s in fakes.git", req->url);
	if (strcmp(ref ? ref : "main", req->ref) != 0)
		return err_set(err, ERR_FAILED, "git: %s has no branch '%s'",
		    req->url, req->ref);
	if (g->n == EFFECTS_FAKE_GIT_MAX)
		return err_set(err, ERR_FAILED, "git: too many checkouts");
	w = &g->wc[g->n];
	w->repo = repo;
	w->files = json_deep_copy(json_object_get(repo, "files"));
	if (w->files == NULL)
		w->files = json_object();
	w->staged = json_object();
	w->commits = json_array();
	w->pushed = json_array();
	res->handle = ++g->n;
	snprintf(res->id, sizeof res->id, "%s",
	    json_string_value(json_object_get(repo, "commit"))
	        ? json_string_value(json_object_get(repo, "commit"))
	        : "0000000000000000000000000000000000000000");
	return 0;
}

static int
effects_fake_git_read(struct effects_fake_wc *w, const struct effects_git *req,
    struct effects_git_res *res, struct err *err)
{
	const json_t *c = json_object_get(w->staged, req->path);

	if (c == NULL)
		c = json_object_get(w->files, req->path);
	if (!json_is_string(c)) {
		res->missing = 1;
		return 0;
	}
	return buf_add(
	    &res->content, json_string_value(c), json_string_length(c), err);
}

/* A file's history: our commits that changed it, then the declared
 * history (fakes.git[URL].history[path], newest first). */
static int
effects_fake_git_log(struct effects_fake_wc *w, const struct effects_git *req,
    struct effects_git_res *res)
{
	const json_t *hist =
	    json_object_get(json_object_get(w->repo, "history"), req->path);
	const json_t *e;
	size_t i;

	res->log = json_array();
	json_array_foreach(w->commits, i, e)
	{
		const json_t *f =
		    json_object_get(json_object_get(e, "files"), req->path);
		if (f == NULL)
			continue;
		json_array_append_new(res->log,
		    json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "commit",
		        json_object_get(e, "commit"), "author",
		        json_object_get(e, "author"), "email",
		        json_object_get(e, "email"), "time",
		        json_object_get(e, "time"), "subject",
		        json_object_get(e, "subject"), "content", f));
	}
	json_array_foreach(hist, i, e)
	{
		json_t *c = json_deep_copy(e);

		if (c == NULL)
			continue;
		if (json_object_get(c, "content") == NULL)
			json_object_set_new(c, "content", json_null());
		json_array_append_new(res->log, c);
	}
	while (req->limit > 0 && json_array_size(res->log) > (size_t)req->limit)
		json_array_remove(res->log, json_array_size(res->log) - 1);
	return 0;
}

static int
effects_fake_git_commit(struct effects_fake_wc *w, int handle,
    const struct effects_git *req, struct effects_git_res *res, struct err *err)
{
	const char *k;
	json_t *v, *files = json_object(), *c;
	char subject[256];
	int changed = 0;

	json_object_foreach(w->staged, k, v)
	{
		const json_t *old = json_object_get(w->files, k);
		if (!json_equal(old, v))
			changed = 1;
		json_object_set(files, k, v);
	}
	json_object_clear(w->staged);
	if (!changed) {
		json_decref(files);
		return err_set(err, ERR_FAILED,
		    "git: nothing to commit (the edits change no file)");
	}
	json_object_update(w->files, files);
	snprintf(subject, sizeof subject, "%.*s",
	    (int)strcspn(req->message, "\n"), req->message);
	snprintf(res->id, sizeof res->id, "fake-commit-%u-%u",
	    (unsigned)handle & 0xffff,
	    (unsigned)(json_array_size(w->commits) + 1) & 0xffff);
	c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "commit", res->id,
	    "author", req->name, "email", req->email, "time",
	    "2026-01-01T00:00:00Z", "subject", subject, "message", req->message,
	    "files", files);
	return json_array_insert_new(w->commits, 0, c) == 0
	    ? 0
	    : err_set(err, ERR_FAILED, "out of memory");
}

/* The commits a push sends: ours not pushed yet, newest first. */
static void
effects_fake_git_outgoing(
    struct effects_fake_wc *w, struct effects_git_res *res)
{
	const json_t *e;
	size_t i;

	res->log = json_array();
	json_array_foreach(w->commits, i, e)
	{
		if (json_is_true(json_object_get(e, "pushed")))
			break;
		json_array_append_new(res->log,
		    json_pack("{s:O, s:O, s:O}", "commit",
		        json_object_get(e, "commit"), "subject",
		        json_object_get(e, "subject"), "message",
		        json_object_get(e, "message")));
	}
}

static int
effects_fake_git_push(
    struct effects_fake_wc *w, struct effects_git_res *res, struct err *err)
{
	const json_t *a = effects_fake_git_nth(
	    json_object_get(w->repo, "push"), w->npushes++);
	const json_t *e = json_object_get(a, "error");
	json_t *head = json_array_get(w->commits, 0);

	if (json_object_size(w->staged) > 0)
		return err_set(err, ERR_FAILED,
		    "git: %zu edit(s) not committed: git.commit first",
		    json_object_size(w->staged));
	if (head == NULL || json_is_true(json_object_get(head, "pushed")))
		return err_set(err, ERR_FAILED,
		    "git: nothing to push (no commit since the checkout)");
	if (json_is_string(e))
		return err_set(err, ERR_FAILED, "git: push %s: %s",
		    json_string_value(json_object_get(w->repo, "url"))
		        ? json_string_value(json_object_get(w->repo, "url"))
		        : "(fake)",
		    json_string_value(e));
	effects_fake_git_outgoing(w, res);
	for (size_t i = 0; i < json_array_size(w->commits); i++) {
		json_t *c = json_array_get(w->commits, i);
		if (json_is_true(json_object_get(c, "pushed")))
			break;
		json_object_set_new(c, "pushed", json_true());
		json_array_append(w->pushed, json_object_get(c, "commit"));
	}
	snprintf(res->id, sizeof res->id, "%s",
	    json_string_value(json_object_get(head, "commit")));
	return 0;
}

static int
effects_fake_git_revert(struct effects_fake_wc *w, int handle,
    struct effects_git_res *res, struct err *err)
{
	const json_t *a = effects_fake_git_nth(
	    json_object_get(w->repo, "revert"), w->nreverts++);
	const json_t *e = json_object_get(a, "error");

	if (json_array_size(w->pushed) == 0)
		return err_set(err, ERR_FAILED,
		    "git: nothing to revert (this checkout pushed nothing)");
	if (json_is_string(e))
		return err_set(
		    err, ERR_FAILED, "git: revert: %s", json_string_value(e));
	json_array_clear(w->pushed);
	snprintf(res->id, sizeof res->id, "fake-revert-%u-%u",
	    (unsigned)handle & 0xffff, (unsigned)w->nreverts & 0xffff);
	return 0;
}

int
effects_fake_git(struct effects_fake_git *g, const json_t *decl,
    const struct effects_git *req, struct effects_git_res *res, struct err *err)
{
	struct effects_fake_wc *w;

	if (req->op == EFFECTS_GIT_CHECKOUT)
		return effects_fake_git_checkout(g, decl, req, res, err);
	if (req->handle < 1 || req->handle > g->n)
		return err_set(err, ERR_USAGE, "git: no such checkout");
	w = &g->wc[req->handle - 1];
	switch (req->op) {
	case EFFECTS_GIT_READ: return effects_fake_git_read(w, req, res, err);
	case EFFECTS_GIT_WRITE:
		json_object_set_new(
		    w->staged, req->path, json_stringn(req->data, req->len));
		return 0;
	case EFFECTS_GIT_LOG: return effects_fake_git_log(w, req, res);
	case EFFECTS_GIT_COMMIT:
		return effects_fake_git_commit(w, req->handle, req, res, err);
	case EFFECTS_GIT_OUTGOING: effects_fake_git_outgoing(w, res); return 0;
	case EFFECTS_GIT_PUSH: return effects_fake_git_push(w, res, err);
	case EFFECTS_GIT_REVERT:
		return effects_fake_git_revert(w, req->handle, res, err);
	default: return err_set(err, ERR_USAGE, "git: unknown operation");
	}
}
