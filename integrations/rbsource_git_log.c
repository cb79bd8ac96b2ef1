/* rbsource_git_log.c: a runbook's history and the runbooks that changed
 * between two commits. The history walk compares only the blob id at the
 * one path in each commit and its parents (no diffs), remembering the last
 * lookup because in a linear history a commit's parent is the next commit
 * walked. */
#include "rbsource_git_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The last (commit -> blob id at the path) lookup. */
struct rbgit_memo {
	git_oid commit;
	git_oid blob; /* all zero: the path is absent */
	int set;
};

/* Finds `name` (n bytes) among the entries of a raw tree object
 * ("<mode> <name>\0<20-byte id>"...), without building the parsed tree
 * that git_tree_lookup would: the history walk reads thousands of trees. */
static int
rbgit_raw_entry(const unsigned char *p, size_t len, const char *name, size_t n,
    git_oid *out, int *is_tree)
{
	const unsigned char *end = p + len, *sp, *nul;

	while (p < end) {
		if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL ||
		    (nul = memchr(sp, '\0', (size_t)(end - sp))) == NULL ||
		    end - nul < 21)
			return -1;
		if ((size_t)(nul - sp - 1) == n &&
		    memcmp(sp + 1, name, n) == 0) {
			*is_tree = *p == '4'; /* mode 40000 */
			return git_oid_fromraw(out, nul + 1);
		}
		p = nul + 21;
	}
	return -1;
}

/* The blob id at path in commit c (zero when absent or not a blob). */
static int
rbgit_blob_at(git_repository *repo, git_commit *c, const char *path,
    struct rbgit_memo *m, git_oid *out)
{
	const char *comp = path, *slash;
	git_odb_object *obj = NULL;
	git_odb *odb = NULL;
	git_oid id;
	int is_tree = 1;

	if (m->set && git_oid_equal(&m->commit, git_commit_id(c))) {
		*out = m->blob;
		return 0;
	}
	memset(out, 0, sizeof *out);
	if (git_repository_odb(&odb, repo) != 0)
		return -1;
	git_oid_cpy(&id, git_commit_tree_id(c));
	for (;;) {
		slash = strchr(comp, '/');
		if (!is_tree || git_odb_read(&obj, odb, &id) != 0 ||
		    git_odb_object_type(obj) != GIT_OBJECT_TREE ||
		    rbgit_raw_entry(git_odb_object_data(obj),
		        git_odb_object_size(obj), comp,
		        slash ? (size_t)(slash - comp) : strlen(comp), &id,
		        &is_tree) != 0)
			break; /* absent */
		git_odb_object_free(obj);
		obj = NULL;
		if (slash == NULL) {
			if (!is_tree)
				git_oid_cpy(out, &id);
			break;
		}
		comp = slash + 1;
	}
	git_odb_object_free(obj);
	git_odb_free(odb);
	git_oid_cpy(&m->commit, git_commit_id(c));
	m->blob = *out;
	m->set = 1;
	return 0;
}

/* 1 when commit c changed path: its blob differs from every parent's
 * (a root commit: when the path exists). 0 when not, -1 on error. */
static int
rbgit_changed(
    git_repository *repo, git_commit *c, const char *path, struct rbgit_memo *m)
{
	git_oid mine, theirs, zero;
	unsigned n = git_commit_parentcount(c);
	git_commit *p;
	int same = 0;

	memset(&zero, 0, sizeof zero);
	if (rbgit_blob_at(repo, c, path, m, &mine) == -1)
		return -1;
	if (n == 0)
		return !git_oid_equal(&mine, &zero);
	for (unsigned i = 0; i < n && !same; i++) {
		if (git_commit_parent(&p, c, i) != 0)
			return -1;
		if (rbgit_blob_at(repo, p, path, m, &theirs) == 0)
			same = git_oid_equal(&mine, &theirs);
		git_commit_free(p);
	}
	return !same;
}

static int
rbgit_report(git_commit *c, rbgit_commit_fn fn, void *ctx)
{
	const git_signature *a = git_commit_author(c);
	struct rbgit_commit rc;
	char author[512];

	git_oid_tostr(rc.id, sizeof rc.id, git_commit_id(c));
	rc.time_us = (int64_t)git_commit_time(c) * 1000000;
	snprintf(author, sizeof author, "%s <%s>", a && a->name ? a->name : "",
	    a && a->email ? a->email : "");
	rc.author = author;
	rc.subject = git_commit_summary(c) ? git_commit_summary(c) : "";
	return fn(&rc, ctx);
}

int
rbsource_git_log(struct rbsource *src, const char *path, int limit,
    rbgit_commit_fn fn, void *ctx, struct err *err)
{
	struct rbgit *g = src->impl;
	struct rbgit_memo memo = { .set = 0 };
	char full[RBSOURCE_PATH_MAX + 256];
	git_revwalk *w = NULL;
	git_commit *c;
	git_oid id;
	int rc = 0, shown = 0, ch;

	if (src->origin.kind != RBSOURCE_GIT)
		return err_set(err, ERR_USAGE,
		    "runbooks: %s is a plain "
		    "directory; it has no history",
		    src->origin.repo);
	snprintf(full, sizeof full, "%s%s", g->subdir, path);
	if (git_revwalk_new(&w, g->repo) != 0 ||
	    git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) != 0 ||
	    git_revwalk_push(w, git_commit_id(g->commit)) != 0) {
		git_revwalk_free(w);
		return rbgit_fail(err, "runbooks: log");
	}
	while (rc == 0 && (limit == 0 || shown < limit) &&
	    git_revwalk_next(&id, w) == 0) {
		if (git_commit_lookup(&c, g->repo, &id) != 0) {
			rc = rbgit_fail(err, "runbooks: log");
			break;
		}
		if ((ch = rbgit_changed(g->repo, c, full, &memo)) == -1)
			rc = rbgit_fail(err, "runbooks: log");
		else if (ch == 1) {
			rc = rbgit_report(c, fn, ctx);
			shown++;
		}
		git_commit_free(c);
	}
	git_revwalk_free(w);
	return rc;
}

/* The runbook folder's tree in commit `hex` (caller frees). */
static int
rbgit_tree_of(struct rbgit *g, const char *hex, git_tree **out, struct err *err)
{
	git_commit *c = NULL;
	git_tree *top = NULL;
	git_tree_entry *e = NULL;
	git_oid oid;
	int rc = -1;

	*out = NULL;
	if (git_oid_fromstr(&oid, hex) != 0 ||
	    git_commit_lookup(&c, g->repo, &oid) != 0 ||
	    git_commit_tree(&top, c) != 0)
		goto fail;
	if (g->subdir[0] == '\0') {
		*out = top;
		top = NULL;
		rc = 0;
	} else {
		char dir[256];

		snprintf(dir, sizeof dir, "%.*s", (int)strlen(g->subdir) - 1,
		    g->subdir);
		/* The folder may be absent in an old commit: no runbooks. */
		if (git_tree_entry_bypath(&e, top, dir) == 0 &&
		    git_tree_entry_type(e) == GIT_OBJECT_TREE &&
		    git_tree_lookup(out, g->repo, git_tree_entry_id(e)) != 0)
			goto fail;
		rc = 0;
	}
	goto out;
fail:
	rbgit_fail(err, "runbooks: commit");
out:
	git_tree_entry_free(e);
	git_tree_free(top);
	git_commit_free(c);
	return rc;
}

static int
rbgit_lookup_name(const git_tree *t, const char *name, git_oid *out)
{
	char file[RBSOURCE_PATH_MAX + 8];
	const git_tree_entry *e;

	snprintf(file, sizeof file, "%s.lua", name);
	if (t == NULL || (e = git_tree_entry_byname(t, file)) == NULL)
		return -1;
	git_oid_cpy(out, git_tree_entry_id(e));
	return 0;
}

/* Calls fn for the runbooks of `a` missing from `b` (change `gone`) and,
 * when `both`, for those whose blob differs ('M'). */
static int
rbgit_compare(const git_tree *a, const git_tree *b, char gone, int both,
    rbgit_change_fn fn, void *ctx)
{
	const git_tree_entry *e;
	git_oid other;
	size_t n = a ? git_tree_entrycount(a) : 0;
	char name[RBSOURCE_PATH_MAX];
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *file;

		e = git_tree_entry_byindex(a, i);
		file = git_tree_entry_name(e);
		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
		    !rbsource_path_valid(file))
			continue;
		snprintf(
		    name, sizeof name, "%.*s", (int)strlen(file) - 4, file);
		if (rbgit_lookup_name(b, name, &other) == -1)
			rc = fn(name, gone, ctx);
		else if (both && !git_oid_equal(&other, git_tree_entry_id(e)))
			rc = fn(name, 'M', ctx);
	}
	return rc;
}

int
rbsource_git_diff(struct rbsource *src, const char *old, rbgit_change_fn fn,
    void *ctx, struct err *err)
{
	struct rbgit *g = src->impl;
	git_tree *before = NULL;
	int rc;

	if (src->origin.kind != RBSOURCE_GIT || g->files != NULL)
		return err_set(err, ERR_USAGE,
		    "runbooks: no commits to "
		    "compare in %s",
		    src->origin.repo);
	if (rbgit_tree_of(g, old, &before, err) == -1)
		return -1;
	/* Removed and modified (old side), then added (new side). */
	rc = rbgit_compare(before, g->root, '-', 1, fn, ctx);
	if (rc == 0)
		rc = rbgit_compare(g->root, before, '+', 0, fn, ctx);
	git_tree_free(before);
	return rc;
}
