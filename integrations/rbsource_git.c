/* rbsource_git.c: a git commit as a runbook source (see rbsource_git.h):
 * resolving a rev without the revspec parser, listing and reading blobs
 * by tree lookup, the working tree's state, a runbook's history and the
 * runbooks that changed between two commits. */
#include "rbsource_git_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RBGIT_REV_MAX 200

int
rbgit_fail(struct err *err, const char *what)
{
	const git_error *e = git_error_last();

	return err_set(err, ERR_FAILED, "%s: %s", what,
	    e != NULL && e->message != NULL ? e->message : "git error");
}

int
rbsource_git_is_url(const char *repo)
{
	static const char *const schemes[] = { "file://", "https://", "http://",
		"ssh://", "git://", NULL };

	for (int i = 0; schemes[i] != NULL; i++)
		if (strncmp(repo, schemes[i], strlen(schemes[i])) == 0)
			return 1;
	/* scp-like "user@host:path" */
	return repo[0] != '/' && repo[0] != '.' && strchr(repo, '@') &&
	    strchr(repo, ':') > strchr(repo, '@');
}

char *
rbsource_git_redact(const char *repo)
{
	const char *auth = strstr(repo, "://"), *at, *colon;
	char *out;

	if (auth == NULL)
		return strdup(repo);
	auth += 3;
	at = auth + strcspn(auth, "/@");
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (*at != '@' || colon == NULL)
		return strdup(repo);
	if ((out = malloc(strlen(repo) + 4)) == NULL)
		return NULL;
	sprintf(out, "%.*s***%s", (int)(colon + 1 - repo), repo, at);
	return out;
}

int
rbgit_repo_open(git_repository **out, const char *path, struct err *err)
{
	const git_error *e;

	if (git_repository_open_ext(
	        out, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0)
		return 0;
	e = git_error_last();
	/* libgit2 1.5 reports a repository owned by someone else as "not
	 * found" with this message (SECURITY.md §5.7). */
	if (e != NULL && e->message != NULL &&
	    strstr(e->message, "safe.directory") != NULL)
		return err_set(err, ERR_FAILED,
		    "runbooks: %s is owned by "
		    "another user and libgit2 refuses it; run owl as its "
		    "owner, or give its URL (file://...) to read a mirror",
		    path);
	return err_set(err, ERR_FAILED,
	    "runbooks: %s: not a git repository "
	    "(%s)",
	    path, e && e->message ? e->message : "cannot open");
}

/* Whether path has what a git repository has: a .git entry (a work tree)
 * or HEAD with objects/ and refs/ (a bare one). Only then is libgit2
 * loaded to tell: a plain directory of runbooks never loads it. */
static int
rbgit_looks_like_repo(const char *path)
{
	static const char *const bare[] = { "HEAD", "objects", "refs" };
	char p[PATH_MAX];
	size_t i;

	if (snprintf(p, sizeof p, "%s/.git", path) >= (int)sizeof p)
		return 1; /* let libgit2 tell */
	if (access(p, F_OK) == 0)
		return 1;
	for (i = 0; i < sizeof bare / sizeof bare[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", path, bare[i]);
		if (access(p, F_OK) != 0)
			return 0;
	}
	return 1;
}

/* Whether path is surely a repository libgit2 opens: its git folder
 * (path/.git, or path when bare) is a folder of this user's with HEAD,
 * objects/ and refs/ (libgit2 refuses another user's). */
static int
rbgit_surely_repo(const char *path)
{
	static const char *const parts[] = { "HEAD", "objects", "refs" };
	char dir[PATH_MAX], p[PATH_MAX];
	struct stat st;

	if (snprintf(dir, sizeof dir, "%s/.git", path) >= (int)sizeof dir)
		return 0;
	if (lstat(dir, &st) != 0 &&
	    (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir ||
	        lstat(dir, &st) != 0))
		return 0;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return 0;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (snprintf(p, sizeof p, "%s/%s", dir, parts[i]) >=
		        (int)sizeof p ||
		    stat(p, &st) != 0 || S_ISDIR(st.st_mode) != (i > 0))
			return 0;
	return 1;
}

int
rbsource_git_is_repo(const char *path)
{
	git_repository *r = NULL;
	int ok;

	if (!rbgit_looks_like_repo(path))
		return 0;
	/* sure without libgit2: owl show suggests from an index of the
	 * commit (rbindex.h) and never loads it */
	if (rbgit_surely_repo(path))
		return 1;
	/* Unable to tell: say yes, so that opening it reports why. */
	if (lazy_load(LAZY_GIT2, NULL) == -1)
		return 1;
	git_libgit2_init();
	ok = git_repository_open_ext(
	         &r, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0;
	git_repository_free(r);
	git_libgit2_shutdown();
	return ok;
}

/* A rev from the command line or config: printable, no revspec syntax. */
static int
rbgit_rev_valid(const char *rev)
{
	size_t n = strlen(rev);

	if (n == 0 || n > RBGIT_REV_MAX || rev[0] == '-' || strstr(rev, "..") ||
	    strstr(rev, "@{") || strstr(rev, "//"))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)rev[i];

		if (c <= ' ' || c >= 0x7f || strchr("~^:?*[\\", c))
			return 0;
	}
	return 1;
}

static int
rbgit_peel(git_repository *repo, const char *name, git_commit **out)
{
	git_reference *ref = NULL;
	git_object *obj = NULL;
	int valid = 0, rc = -1;

	if (git_reference_name_is_valid(&valid, name) != 0 || !valid ||
	    git_reference_lookup(&ref, repo, name) != 0)
		goto out;
	if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) != 0)
		goto out;
	*out = (git_commit *)obj;
	rc = 0;
out:
	git_reference_free(ref);
	return rc;
}

static int
rbgit_resolve_head(
    git_repository *repo, git_commit **out, char **refname, struct err *err)
{
	git_reference *head = NULL;
	git_object *obj = NULL;
	int rc = -1;

	if (git_repository_head(&head, repo) != 0 ||
	    git_reference_peel(&obj, head, GIT_OBJECT_COMMIT) != 0) {
		rbgit_fail(err, "runbooks: HEAD");
		goto out;
	}
	*out = (git_commit *)obj;
	*refname = strdup(
	    git_reference_is_branch(head) ? git_reference_name(head) : "HEAD");
	rc = 0;
out:
	git_reference_free(head);
	return rc;
}

/* A commit by hex object id (4 to 40 digits): 1 found, 0 not an id or
 * no such commit, -1 with err set (an ambiguous prefix). */
static int
rbgit_resolve_oid(
    git_repository *repo, const char *rev, git_commit **out, struct err *err)
{
	size_t n = strlen(rev);
	git_object *obj;
	git_oid oid;
	int rc;

	if (n < 4 || n > GIT_OID_HEXSZ ||
	    strspn(rev, "0123456789abcdefABCDEF") != n ||
	    git_oid_fromstrn(&oid, rev, n) != 0)
		return 0;
	rc = git_object_lookup_prefix(&obj, repo, &oid, n, GIT_OBJECT_COMMIT);
	if (rc == 0) {
		*out = (git_commit *)obj;
		return 1;
	}
	if (rc == GIT_EAMBIGUOUS)
		return err_set(err, ERR_FAILED,
		    "runbooks: commit "
		    "prefix '%s' is ambiguous; give more digits",
		    rev);
	return 0;
}

/* A branch, tag or remote-tracking branch named rev: 0 found. */
static int
rbgit_resolve_ref(
    git_repository *repo, const char *rev, git_commit **out, char **refname)
{
	static const char *const forms[] = { "%s", "refs/heads/%s",
		"refs/tags/%s", "refs/remotes/%s", NULL };
	char name[RBGIT_REV_MAX + 32];

	for (int i = 0; forms[i] != NULL; i++) {
		if (i == 0 && strncmp(rev, "refs/", 5) != 0)
			continue;
		snprintf(name, sizeof name, forms[i], rev);
		if (rbgit_peel(repo, name, out) == 0) {
			*refname = strdup(name);
			return 0;
		}
	}
	return -1;
}

int
rbgit_resolve(git_repository *repo, const char *rev, git_commit **out,
    char **refname, struct err *err)
{
	git_commit *byref = NULL, *byid = NULL;
	int id;

	*out = NULL;
	*refname = NULL;
	if (rev == NULL || strcmp(rev, "HEAD") == 0)
		return rbgit_resolve_head(repo, out, refname, err);
	if (!rbgit_rev_valid(rev))
		return err_set(err, ERR_USAGE,
		    "'%.100s' is not a valid rev "
		    "(a branch, a tag, or a commit prefix)",
		    rev);
	/* A full object id is that commit: whoever may push a branch or a
	 * tag named like it must not redirect a pinned run. */
	if ((id = rbgit_resolve_oid(repo, rev, &byid, err)) == -1)
		return -1;
	if (id == 1 && strlen(rev) == GIT_OID_HEXSZ) {
		*out = byid;
		*refname = strdup(rev);
		return 0;
	}
	if (rbgit_resolve_ref(repo, rev, &byref, refname) == 0) {
		if (id == 1 &&
		    !git_oid_equal(git_commit_id(byref), git_commit_id(byid))) {
			git_commit_free(byref);
			git_commit_free(byid);
			free(*refname);
			*refname = NULL;
			return err_set(err, ERR_FAILED,
			    "runbooks: '%s' is ambiguous: it names a branch or "
			    "tag and a different commit; give the full commit "
			    "id or the full ref (refs/heads/%s)",
			    rev, rev);
		}
		git_commit_free(byid);
		*out = byref;
		return 0;
	}
	if (id == 1) {
		*out = byid;
		*refname = strdup(rev);
		return 0;
	}
	return err_set(err, ERR_FAILED,
	    "runbooks: no branch, tag or commit "
	    "'%s'",
	    rev);
}

/* Looks up path (below the runbook folder) in the commit's tree and
 * checks it is a regular blob. *entry is owned by the caller. */
static int
rbgit_entry(
    struct rbgit *g, const char *path, git_tree_entry **entry, struct err *err)
{
	git_filemode_t mode;

	if (git_tree_entry_bypath(entry, g->root, path) != 0)
		return err_set(err, ERR_FAILED,
		    "runbooks: %s: no such file "
		    "in commit %.12s",
		    path, git_oid_tostr_s(git_commit_id(g->commit)));
	mode = git_tree_entry_filemode(*entry);
	if (git_tree_entry_type(*entry) != GIT_OBJECT_BLOB ||
	    (mode != GIT_FILEMODE_BLOB &&
	        mode != GIT_FILEMODE_BLOB_EXECUTABLE)) {
		git_tree_entry_free(*entry);
		*entry = NULL;
		return err_set(err, ERR_FAILED,
		    "runbooks: %s: a symbolic "
		    "link, submodule or directory, not a file; refused",
		    path);
	}
	return 0;
}

static int
rbgit_read(struct rbsource *src, const char *path, struct buf *out,
    char blob[RBSOURCE_OID_HEX], struct err *err)
{
	struct rbgit *g = src->impl;
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	git_odb *odb = NULL;
	git_object_t type;
	size_t size;
	int rc = -1;

	if (g->files != NULL)
		return g->files->ops->read(g->files, path, out, blob, err);
	if (rbgit_entry(g, path, &e, err) == -1)
		return -1;
	/* The size from the object's header first: git_blob_lookup inflates
	 * the whole blob, and a repository of a few hundred KiB can hold a
	 * blob of gigabytes (zeroes compress well). */
	if (git_repository_odb(&odb, g->repo) != 0 ||
	    git_odb_read_header(&size, &type, odb, git_tree_entry_id(e)) != 0) {
		rbgit_fail(err, path);
		goto out;
	}
	if (size > RBSOURCE_FILE_MAX) {
		err_set(err, ERR_FAILED, "runbooks: %s: larger than %d bytes",
		    path, RBSOURCE_FILE_MAX);
		goto out;
	}
	if (git_blob_lookup(&b, g->repo, git_tree_entry_id(e)) != 0) {
		rbgit_fail(err, path);
		goto out;
	}
	if (git_blob_rawsize(b) > RBSOURCE_FILE_MAX) {
		err_set(err, ERR_FAILED, "runbooks: %s: larger than %d bytes",
		    path, RBSOURCE_FILE_MAX);
		goto out;
	}
	/* rawcontent is the stored bytes: no filters, no working tree. */
	if (buf_add(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
	        err) == -1)
		goto out;
	if (blob != NULL)
		git_oid_tostr(blob, RBSOURCE_OID_HEX, git_tree_entry_id(e));
	rc = 0;
out:
	git_blob_free(b);
	git_odb_free(odb);
	git_tree_entry_free(e);
	return rc;
}

struct rbgit_name {
	char name[RBSOURCE_PATH_MAX];
	char blob[RBSOURCE_OID_HEX];
};

static int
rbgit_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rbgit_name *)a)->name,
	    ((const struct rbgit_name *)b)->name);
}

/* The runbooks of a tree (regular NAME.lua files at its top), sorted by
 * name; *out is malloc'd. */
static int
rbgit_names(
    const git_tree *tree, struct rbgit_name **out, size_t *np, struct err *err)
{
	size_t count = git_tree_entrycount(tree), n = 0, len;
	struct rbgit_name *v;

	if ((v = calloc(count + 1, sizeof *v)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	for (size_t i = 0; i < count; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		git_filemode_t mode = git_tree_entry_filemode(e);

		len = strlen(name);
		if ((mode != GIT_FILEMODE_BLOB &&
		        mode != GIT_FILEMODE_BLOB_EXECUTABLE) ||
		    !rbsource_path_valid(name) || strchr(name, '/'))
			continue;
		memcpy(v[n].name, name, len - 4);
		v[n].name[len - 4] = '\0';
		git_oid_tostr(
		    v[n].blob, RBSOURCE_OID_HEX, git_tree_entry_id(e));
		n++;
	}
	if (n > 1)
		qsort(v, n, sizeof *v, rbgit_name_cmp);
	*out = v;
	*np = n;
	return 0;
}

static int
rbgit_list(
    struct rbsource *src, rbsource_entry_fn fn, void *ctx, struct err *err)
{
	struct rbgit *g = src->impl;
	struct rbgit_name *v = NULL;
	size_t n = 0;
	int rc = 0;

	if (g->files != NULL)
		return g->files->ops->list(g->files, fn, ctx, err);
	if (rbgit_names(g->root, &v, &n, err) == -1)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = fn(v[i].name, v[i].blob, ctx);
	free(v);
	return rc;
}

static void
rbgit_close(struct rbsource *src)
{
	struct rbgit *g = src->impl;

	if (g != NULL) {
		rbsource_close(g->files);
		git_tree_free(g->root);
		git_commit_free(g->commit);
		git_repository_free(g->repo);
		free(g->subdir);
		free(g);
	}
	git_libgit2_shutdown();
}

static const struct rbsource_ops rbgit_ops = {
	rbgit_list,
	rbgit_read,
	rbgit_close,
};

/* Finds the runbook folder's tree in the commit. */
static int
rbgit_root(struct rbgit *g, struct err *err)
{
	git_tree *top = NULL;
	git_tree_entry *e = NULL;
	size_t n = strlen(g->subdir);
	int rc = -1;

	if (git_commit_tree(&top, g->commit) != 0)
		return rbgit_fail(err, "runbooks: commit tree");
	if (n == 0) {
		g->root = top;
		return 0;
	}
	g->subdir[n - 1] = '\0';
	if (git_tree_entry_bypath(&e, top, g->subdir) != 0 ||
	    git_tree_entry_type(e) != GIT_OBJECT_TREE ||
	    git_tree_lookup(&g->root, g->repo, git_tree_entry_id(e)) != 0)
		err_set(err, ERR_FAILED,
		    "runbooks: no folder '%s' in commit "
		    "%.12s",
		    g->subdir, git_oid_tostr_s(git_commit_id(g->commit)));
	else
		rc = 0;
	g->subdir[n - 1] = '/';
	git_tree_entry_free(e);
	git_tree_free(top);
	return rc;
}

static char *
rbgit_subdir(const char *s, struct err *err)
{
	char *out;
	size_t n;

	while (s != NULL && *s == '/')
		s++;
	n = s != NULL ? strlen(s) : 0;
	while (n > 0 && s[n - 1] == '/')
		n--;
	if (n > 0 && (n > 200 || strstr(s, "..") || s[0] == '.')) {
		err_set(err, ERR_USAGE,
		    "runbooks: '%.100s' is not a valid "
		    "folder",
		    s);
		return NULL;
	}
	if ((out = malloc(n + 2)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	memcpy(out, s ? s : "", n);
	strcpy(out + n, n > 0 ? "/" : "");
	return out;
}

/* --worktree: the working files of the checked-out commit. */
static int
rbgit_use_worktree(struct rbsource *src, struct rbgit *g, struct err *err)
{
	const char *wd = git_repository_workdir(g->repo);
	char *dir;
	int count = 0;

	if (wd == NULL)
		return err_set(err, ERR_USAGE,
		    "runbooks: --worktree needs a "
		    "repository with a working tree; %s has none",
		    src->origin.repo);
	if (rbsource_git_changes(src, &count, NULL, err) == -1)
		return -1;
	if ((dir = malloc(strlen(wd) + strlen(g->subdir) + 1)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	sprintf(dir, "%s%s", wd, g->subdir);
	g->files = rbsource_dir_open(dir, err);
	free(dir);
	src->origin.worktree = 1;
	src->origin.dirty = count > 0;
	return g->files != NULL ? 0 : -1;
}

static int
rbgit_open_repo(
    struct rbgit *g, const struct rbgit_opts *o, char **path, struct err *err)
{
	struct rbgit_sync s;

	if (!rbsource_git_is_url(o->repo)) {
		*path = strdup(o->repo);
		return *path ? rbgit_repo_open(&g->repo, o->repo, err)
		             : err_set(err, ERR_FAILED, "out of memory");
	}
	if (o->worktree)
		return err_set(err, ERR_USAGE,
		    "runbooks: --worktree reads a "
		    "local working tree, not a URL");
	if ((*path = rbgit_cache_path(o->repo, o->state_dir, err)) == NULL)
		return -1;
	if (git_repository_open_bare(&g->repo, *path) == 0)
		return 0;
	/* No mirror yet: the first use fetches it. */
	if (rbsource_git_sync(o, &s, err) == -1)
		return -1;
	free(s.cache);
	return rbgit_repo_open(&g->repo, *path, err);
}

/* A rev a mirror does not know may be newer than its last sync: say
 * how to bring it up to date. */
static void
rbgit_mirror_hint(
    const struct rbgit_opts *o, const char *shown, struct err *err)
{
	char msg[sizeof err->msg];
	int code = err->code;

	if (!rbsource_git_is_url(o->repo) ||
	    strstr(err->msg, "no branch, tag or commit") == NULL)
		return;
	snprintf(msg, sizeof msg, "%s", err->msg);
	err_init(err);
	err_set(err, code,
	    "%.300s (the mirror of %.300s is as of its last sync: owl "
	    "runbooks sync --repo %.300s)",
	    msg, shown, shown);
}

struct rbsource *
rbsource_git_open(const struct rbgit_opts *o, struct err *err)
{
	struct rbsource *src = calloc(1, sizeof *src);
	struct rbgit *g = calloc(1, sizeof *g);
	char *path = NULL;

	if (lazy_load(LAZY_GIT2, err) == -1) {
		free(src);
		free(g);
		return NULL;
	}
	git_libgit2_init(); /* reference-counted; rbgit_close shuts down */
	if (src == NULL || g == NULL) {
		free(src);
		free(g);
		git_libgit2_shutdown();
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	src->ops = &rbgit_ops;
	src->impl = g;
	src->origin.kind = RBSOURCE_GIT;
	if (o->worktree && o->ref != NULL) {
		err_set(err, ERR_USAGE,
		    "runbooks: --worktree reads the "
		    "working files; it cannot be combined with --rev");
		goto fail;
	}
	if ((src->origin.repo = rbsource_git_redact(o->repo)) == NULL ||
	    (g->subdir = rbgit_subdir(o->subdir, err)) == NULL ||
	    rbgit_open_repo(g, o, &path, err) == -1)
		goto fail;
	if (rbgit_resolve(g->repo, o->ref, &g->commit, &src->origin.ref, err) ==
	    -1) {
		rbgit_mirror_hint(o, src->origin.repo, err);
		goto fail;
	}
	if (rbgit_root(g, err) == -1)
		goto fail;
	git_oid_tostr(
	    src->origin.commit, RBSOURCE_OID_HEX, git_commit_id(g->commit));
	if (o->worktree && rbgit_use_worktree(src, g, err) == -1)
		goto fail;
	free(path);
	return src;
fail:
	err_set(err, ERR_FAILED, "out of memory");
	free(path);
	rbsource_close(src);
	return NULL;
}

int
rbsource_git_changes(
    struct rbsource *src, int *count, char *first, struct err *err)
{
	struct rbgit *g = src->impl;
	git_status_options so;
	git_status_list *st = NULL;
	git_reference *head = NULL;
	git_object *hc = NULL;
	char spec[256];
	char *specs[1] = { spec };
	const git_status_entry *e;
	const git_diff_delta *d;

	*count = 0;
	if (src->origin.kind != RBSOURCE_GIT || git_repository_is_bare(g->repo))
		return 0;
	/* Only the checked-out commit has these working files. */
	if (git_repository_head(&head, g->repo) != 0 ||
	    git_reference_peel(&hc, head, GIT_OBJECT_COMMIT) != 0 ||
	    !git_oid_equal(git_object_id(hc), git_commit_id(g->commit)))
		goto out;
	snprintf(spec, sizeof spec, "%s", g->subdir);
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
	    GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	so.pathspec.strings = specs;
	so.pathspec.count = spec[0] ? 1 : 0;
	if (git_status_list_new(&st, g->repo, &so) != 0) {
		git_object_free(hc);
		git_reference_free(head);
		return rbgit_fail(err, "runbooks: working tree status");
	}
	*count = (int)git_status_list_entrycount(st);
	if (*count > 0 && first != NULL &&
	    (e = git_status_byindex(st, 0)) != NULL) {
		d = e->index_to_workdir ? e->index_to_workdir
		                        : e->head_to_index;
		snprintf(first, RBSOURCE_PATH_MAX, "%s",
		    d && d->new_file.path ? d->new_file.path : "?");
	}
out:
	git_status_list_free(st);
	git_object_free(hc);
	git_reference_free(head);
	return 0;
}
