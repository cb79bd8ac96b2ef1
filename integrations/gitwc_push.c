/* gitwc_push.c: what reaches the remote from a work copy (see gitwc.h):
 * the commits a push would send, the push itself (never forced: libgit2
 * refuses a branch that moved, and the server compares the old id), the
 * revert commits that undo a push, and the test repositories that runbook
 * test fakes and tests build. */
#include "gitwc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GITWC_PUSH_TRIES 3 /* revert: fetch, revert, push; again on a race */
#define GITWC_FIXTURE_T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */

int
gitwc_outgoing(struct gitwc *w, gitwc_log_fn *fn, void *arg, struct err *err)
{
	git_revwalk *rw = NULL;
	git_oid id;
	int n = 0;

	if (git_revwalk_new(&rw, w->repo) != 0 ||
	    git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL) != 0 ||
	    git_revwalk_push(rw, &w->head) != 0 ||
	    git_revwalk_hide(rw, &w->base) != 0) {
		git_revwalk_free(rw);
		return gitwc_fail(err, "git: outgoing");
	}
	while (git_revwalk_next(&id, rw) == 0) {
		struct gitwc_entry e = { 0 };
		git_commit *c = NULL;
		const git_signature *a;

		if (git_commit_lookup(&c, w->repo, &id) != 0)
			continue;
		a = git_commit_author(c);
		git_oid_tostr(e.id, sizeof e.id, &id);
		e.author = a->name;
		e.email = a->email;
		e.time = (int64_t)a->when.time;
		e.subject = git_commit_summary(c) ? git_commit_summary(c) : "";
		n++;
		if (fn != NULL && fn(arg, &e) != 0) {
			git_commit_free(c);
			break;
		}
		git_commit_free(c);
	}
	git_revwalk_free(rw);
	return n;
}

struct gitwc_push_status {
	char msg[256]; /* the server's refusal, "" when none */
};

static int
gitwc_push_update(const char *ref, const char *status, void *payload)
{
	struct gitwc *w = payload;
	struct gitwc_push_status *ps = w->push_status;

	if (ps != NULL && status != NULL && ps->msg[0] == '\0')
		snprintf(ps->msg, sizeof ps->msg, "%s: %s", ref, status);
	return 0;
}

/* Pushes id to the branch: 0, or -1 with err (ERR_FAILED) and *raced set
 * when the remote branch moved. */
static int
gitwc_push_id(struct gitwc *w, const git_oid *id, int *raced, struct err *err)
{
	git_push_options po;
	git_remote *remote = NULL;
	git_reference *ref = NULL;
	struct gitwc_push_status ps = { "" };
	char local[300], spec[700], what[512];
	char *specs[1] = { spec };
	git_strarray refspecs = { specs, 1 };
	int rc = -1, e;

	*raced = 0;
	snprintf(local, sizeof local, "refs/heads/%s", w->branch);
	/* no '+': libgit2 and the server both refuse what is not a fast
	 * forward of the remote branch */
	snprintf(spec, sizeof spec, "%s:%s", local, local);
	snprintf(
	    what, sizeof what, "git: push %.300s %.100s", w->shown, w->branch);
	if (git_reference_create(&ref, w->repo, local, id, 1, NULL) != 0 ||
	    git_remote_lookup(&remote, w->repo, "origin") != 0) {
		gitwc_fail(err, what);
		goto out;
	}
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	gitwc_callbacks(w, &po.callbacks);
	po.callbacks.push_update_reference = gitwc_push_update;
	po.callbacks.payload = w;
	/* the update callback and the credentials share one payload: the
	 * status goes through a pointer kept in the work copy */
	w->push_status = &ps;
	e = git_remote_push(remote, &refspecs, &po);
	w->push_status = NULL;
	if (e == GIT_ENONFASTFORWARD ||
	    (e == 0 && ps.msg[0] != '\0' &&
	        (strstr(ps.msg, "fast-forward") ||
	            strstr(ps.msg, "fetch first") ||
	            strstr(ps.msg, "stale")))) {
		*raced = 1;
		err_set(err, ERR_FAILED,
		    "%s: rejected: someone else pushed first (the branch "
		    "moved since the checkout); nothing was pushed",
		    what);
		goto out;
	}
	if (e != 0) {
		gitwc_fail_remote(w, err, what);
		goto out;
	}
	if (ps.msg[0] != '\0') {
		err_set(err, ERR_FAILED, "%s: rejected (%s)", what, ps.msg);
		goto out;
	}
	rc = 0;
out:
	git_reference_free(ref);
	git_remote_free(remote);
	return rc;
}

static int
gitwc_pushed_add(
    struct gitwc *w, const git_oid *from, const git_oid *to, struct err *err)
{
	struct gitwc_pushed *p =
	    realloc(w->pushed, (w->npushed + 1) * sizeof *w->pushed);

	if (p == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	w->pushed = p;
	git_oid_cpy(&p[w->npushed].from, from);
	git_oid_cpy(&p[w->npushed].to, to);
	w->npushed++;
	return 0;
}

int
gitwc_push(struct gitwc *w, char from[GITWC_ID_HEX], char to[GITWC_ID_HEX],
    struct err *err)
{
	int raced;

	if (w->nstage > 0)
		return err_set(err, ERR_FAILED,
		    "git: %zu edit(s) not committed: git.commit first",
		    w->nstage);
	if (git_oid_equal(&w->head, &w->base))
		return err_set(err, ERR_FAILED,
		    "git: nothing to push (no commit since the checkout)");
	if (gitwc_push_id(w, &w->head, &raced, err) == -1)
		return -1;
	if (gitwc_pushed_add(w, &w->base, &w->head, err) == -1)
		return -1;
	git_oid_tostr(from, GITWC_ID_HEX, &w->base);
	git_oid_tostr(to, GITWC_ID_HEX, &w->head);
	git_oid_cpy(&w->base, &w->head);
	return 0;
}

/* The first conflicting path of index, for the message. */
static const char *
gitwc_conflict_path(git_index *idx, char *path, size_t n)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *a, *o, *t;

	snprintf(path, n, "?");
	if (git_index_conflict_iterator_new(&it, idx) == 0 &&
	    git_index_conflict_next(&a, &o, &t, it) == 0) {
		const git_index_entry *e = o ? o : (t ? t : a);
		snprintf(path, n, "%s", e ? e->path : "?");
	}
	git_index_conflict_iterator_free(it);
	return path;
}

/* Reverts commit c on top of *tip (moved to the new commit; unchanged
 * when c's change is gone already). */
static int
gitwc_revert_one(struct gitwc *w, const git_oid *c, git_oid *tip,
    const char *trailer, const char *name, const char *email, struct err *err)
{
	git_commit *rc_commit = NULL, *ours = NULL;
	git_index *idx = NULL;
	git_tree *ours_tree = NULL;
	char msg[2048], hex[GITWC_ID_HEX], path[GITWC_PATH_MAX];
	git_oid tree;
	int rc = -1;

	if (git_commit_lookup(&rc_commit, w->repo, c) != 0 ||
	    git_commit_lookup(&ours, w->repo, tip) != 0 ||
	    git_revert_commit(&idx, w->repo, rc_commit, ours, 0, NULL) != 0) {
		gitwc_fail(err, "git: revert");
		goto out;
	}
	git_oid_tostr(hex, sizeof hex, c);
	if (git_index_has_conflicts(idx)) {
		err_set(err, ERR_FAILED,
		    "git: cannot revert %.12s: %s was changed again since; "
		    "nothing was pushed, undo it by hand",
		    hex, gitwc_conflict_path(idx, path, sizeof path));
		goto out;
	}
	if (git_index_write_tree_to(&tree, idx, w->repo) != 0 ||
	    git_commit_tree(&ours_tree, ours) != 0) {
		gitwc_fail(err, "git: revert");
		goto out;
	}
	if (git_oid_equal(&tree, git_tree_id(ours_tree))) {
		rc = 0; /* someone undid it already */
		goto out;
	}
	snprintf(msg, sizeof msg,
	    "Revert \"%.300s\"\n\nThis reverts commit %s.\n%s%s",
	    git_commit_summary(rc_commit) ? git_commit_summary(rc_commit) : "",
	    hex, trailer && *trailer ? "\n" : "", trailer ? trailer : "");
	rc = gitwc_commit_tree(w->repo, tip, &tree, name, email,
	    (int64_t)time(NULL), msg, tip, err);
out:
	git_tree_free(ours_tree);
	git_index_free(idx);
	git_commit_free(ours);
	git_commit_free(rc_commit);
	return rc;
}

/* Makes the revert commits of every pushed range, newest first, on top
 * of base; fills tip. */
static int
gitwc_revert_all(struct gitwc *w, const char *trailer, const char *name,
    const char *email, git_oid *tip, struct err *err)
{
	git_oid_cpy(tip, &w->base);
	for (size_t i = w->npushed; i-- > 0;) {
		git_revwalk *rw = NULL;
		git_oid id;
		int rc = 0;

		if (git_revwalk_new(&rw, w->repo) != 0 ||
		    git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL) != 0 ||
		    git_revwalk_push(rw, &w->pushed[i].to) != 0 ||
		    git_revwalk_hide(rw, &w->pushed[i].from) != 0) {
			git_revwalk_free(rw);
			return gitwc_fail(err, "git: revert");
		}
		while (rc == 0 && git_revwalk_next(&id, rw) == 0)
			rc = gitwc_revert_one(
			    w, &id, tip, trailer, name, email, err);
		git_revwalk_free(rw);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
gitwc_revert(struct gitwc *w, const char *trailer, const char *name,
    const char *email, char id[GITWC_ID_HEX], struct err *err)
{
	git_oid tip;
	int raced = 1;

	if (w->npushed == 0)
		return err_set(err, ERR_FAILED,
		    "git: nothing to revert (this checkout pushed nothing)");
	for (int i = 0; i < GITWC_PUSH_TRIES && raced; i++) {
		struct err e;

		err_init(&e);
		if (gitwc_fetch(w, err) == -1 ||
		    gitwc_revert_all(w, trailer, name, email, &tip, err) == -1)
			return -1;
		if (git_oid_equal(&tip, &w->base))
			break; /* every change was undone already */
		if (gitwc_push_id(w, &tip, &raced, &e) == 0)
			break;
		if (!raced || i + 1 == GITWC_PUSH_TRIES)
			return err_set(err, e.code, "%s", e.msg);
	}
	git_oid_cpy(&w->base, &tip);
	git_oid_cpy(&w->head, &tip);
	w->npushed = 0;
	git_oid_tostr(id, GITWC_ID_HEX, &tip);
	return 0;
}

/* Builds the tree of c on top of parent's (NULL: empty). */
static int
gitwc_fixture_tree(git_repository *repo, const git_oid *parent,
    const struct gitwc_fixture_commit *c, git_oid *tree, struct err *err)
{
	git_tree_update *u = calloc(c->n ? c->n : 1, sizeof *u);
	git_commit *p = NULL;
	git_tree *base = NULL;
	git_treebuilder *tb = NULL;
	int rc = -1;

	if (u == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	for (size_t i = 0; i < c->n; i++) {
		u[i].path = c->paths[i];
		u[i].filemode = GIT_FILEMODE_BLOB;
		u[i].action = c->contents[i] ? GIT_TREE_UPDATE_UPSERT
		                             : GIT_TREE_UPDATE_REMOVE;
		if (c->contents[i] != NULL &&
		    git_blob_create_from_buffer(&u[i].id, repo, c->contents[i],
		        strlen(c->contents[i])) != 0)
			goto fail;
	}
	if (parent != NULL) {
		if (git_commit_lookup(&p, repo, parent) != 0 ||
		    git_commit_tree(&base, p) != 0)
			goto fail;
	} else {
		git_oid empty;
		if (git_treebuilder_new(&tb, repo, NULL) != 0 ||
		    git_treebuilder_write(&empty, tb) != 0 ||
		    git_tree_lookup(&base, repo, &empty) != 0)
			goto fail;
	}
	if (git_tree_create_updated(tree, repo, base, c->n, u) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	gitwc_fail(err, "git: fixture");
out:
	git_treebuilder_free(tb);
	git_tree_free(base);
	git_commit_free(p);
	free(u);
	return rc;
}

static int
gitwc_fixture_add(git_repository *repo, const char *branch, git_oid *head,
    int has_head, const struct gitwc_fixture_commit *c, int64_t when,
    struct err *err)
{
	char ref[300], email[200];
	const char *who = c->author ? c->author : "owl-test";
	git_reference *r = NULL;
	git_oid tree;

	snprintf(ref, sizeof ref, "refs/heads/%s", branch);
	snprintf(email, sizeof email, "%s@example.com", who);
	if (gitwc_fixture_tree(repo, has_head ? head : NULL, c, &tree, err) ==
	        -1 ||
	    gitwc_commit_tree(repo, has_head ? head : NULL, &tree, who, email,
	        c->time ? c->time : when, c->message ? c->message : "change",
	        head, err) == -1)
		return -1;
	if (git_reference_create(&r, repo, ref, head, 1, NULL) != 0)
		return gitwc_fail(err, "git: fixture");
	git_reference_free(r);
	return 0;
}

int
gitwc_fixture(const char *dir, const char *branch,
    const struct gitwc_fixture_commit *commits, size_t n, struct err *err)
{
	git_repository *repo = NULL;
	git_oid head;
	char ref[300];
	int rc = -1;

	if (lazy_load(LAZY_GIT2, err) == -1)
		return -1;
	git_libgit2_init();
	if (git_repository_init(&repo, dir, 1) != 0) {
		gitwc_fail(err, "git: fixture");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (gitwc_fixture_add(repo, branch, &head, i > 0, &commits[i],
		        GITWC_FIXTURE_T0 + (int64_t)i * 3600, err) == -1)
			goto out;
	snprintf(ref, sizeof ref, "refs/heads/%s", branch);
	if (git_repository_set_head(repo, ref) != 0) {
		gitwc_fail(err, "git: fixture");
		goto out;
	}
	rc = 0;
out:
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

int
gitwc_fixture_push(const char *dir, const char *branch,
    const struct gitwc_fixture_commit *c, struct err *err)
{
	git_repository *repo = NULL;
	git_reference *r = NULL;
	git_oid head;
	char ref[300];
	int rc = -1;

	if (lazy_load(LAZY_GIT2, err) == -1)
		return -1;
	git_libgit2_init();
	snprintf(ref, sizeof ref, "refs/heads/%s", branch);
	if (git_repository_open_bare(&repo, dir) != 0 ||
	    git_reference_lookup(&r, repo, ref) != 0) {
		gitwc_fail(err, "git: fixture");
		goto out;
	}
	git_oid_cpy(&head, git_reference_target(r));
	rc = gitwc_fixture_add(
	    repo, branch, &head, 1, c, (int64_t)time(NULL), err);
out:
	git_reference_free(r);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}
