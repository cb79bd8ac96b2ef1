/* effects_git.c: the live git effect (see effects_git.h): each checkout
 * is a private work copy (integrations/gitwc.c) in a new directory under
 * owl's state directory, known to the runbook by a small handle; all of
 * them are removed when the run ends. */
#include "effects_git.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/paths.h"
#include "gitwc.h"

#define EFFECTS_GIT_MAX 64 /* checkouts per run */

struct effects_git_live {
	char *dir; /* where the work copies go: STATE/git */
	struct gitwc *wc[EFFECTS_GIT_MAX];
	int n;
};

struct effects_git_live *
effects_git_live_new(const char *state_dir, struct err *err)
{
	struct effects_git_live *g = calloc(1, sizeof *g);

	if (g == NULL || asprintf(&g->dir, "%s/git", state_dir) == -1) {
		free(g);
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	return g;
}

void
effects_git_live_free(struct effects_git_live *g)
{
	if (g == NULL)
		return;
	for (int i = 0; i < g->n; i++)
		gitwc_free(g->wc[i]);
	free(g->dir);
	free(g);
}

/* A time as RFC 3339 UTC. */
static void
effects_git_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%lld", (long long)t);
}

/* Appends one history entry to the array arg. */
static int
effects_git_log_one(void *arg, const struct gitwc_entry *e)
{
	json_t *a = arg, *c;
	char when[32];

	effects_git_time(e->time, when);
	c = e->content != NULL ? json_stringn(e->content, e->len) : json_null();
	json_array_append_new(a,
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "commit", e->id,
	        "author", e->author, "email", e->email, "time", when, "subject",
	        e->subject, "content",
	        c != NULL ? c : json_string("(not UTF-8 text)")));
	return 0;
}

static int
effects_git_checkout(struct effects_git_live *g, const struct effects_git *req,
    struct effects_git_res *res, struct err *err)
{
	struct gitwc_cred cred = { req->user, req->token, req->token_len,
		req->ssh_key, req->ssh_key_len };
	char dir[4200];

	if (g->n == EFFECTS_GIT_MAX)
		return err_set(err, ERR_FAILED,
		    "git: at most %d checkouts in a run", EFFECTS_GIT_MAX);
	snprintf(dir, sizeof dir, "%s/wc-%ld-%ld-%d", g->dir, (long)getpid(),
	    (long)time(NULL), g->n + 1);
	if ((g->wc[g->n] = gitwc_checkout(req->url, req->ref, dir,
	         req->token || req->ssh_key ? &cred : NULL, err)) == NULL)
		return -1;
	res->handle = ++g->n;
	return gitwc_head(g->wc[g->n - 1], res->id);
}

int
effects_git_live_do(struct effects_git_live *g, const struct effects_git *req,
    struct effects_git_res *res, struct err *err)
{
	struct gitwc *w;

	if (req->op == EFFECTS_GIT_CHECKOUT)
		return effects_git_checkout(g, req, res, err);
	if (req->handle < 1 || req->handle > g->n)
		return err_set(err, ERR_USAGE, "git: no such checkout");
	w = g->wc[req->handle - 1];
	switch (req->op) {
	case EFFECTS_GIT_READ:
		return gitwc_read(
		    w, req->path, &res->content, &res->missing, err);
	case EFFECTS_GIT_WRITE:
		return gitwc_write(w, req->path, req->data, req->len, err);
	case EFFECTS_GIT_LOG:
		res->log = json_array();
		return gitwc_log(w, req->path, req->limit, effects_git_log_one,
		           res->log, err) < 0
		    ? -1
		    : 0;
	case EFFECTS_GIT_COMMIT:
		return gitwc_commit(
		    w, req->message, req->name, req->email, res->id, err);
	case EFFECTS_GIT_OUTGOING:
		res->log = json_array();
		return gitwc_outgoing(w, effects_git_log_one, res->log, err) < 0
		    ? -1
		    : 0;
	case EFFECTS_GIT_PUSH:
		res->log = json_array();
		if (gitwc_outgoing(w, effects_git_log_one, res->log, err) < 0)
			return -1;
		return gitwc_push(w, res->from, res->id, err);
	case EFFECTS_GIT_REVERT:
		return gitwc_revert(
		    w, req->message, req->name, req->email, res->id, err);
	default: return err_set(err, ERR_USAGE, "git: unknown operation");
	}
}
