/* gitwc.c: a private work copy of a config repository (see gitwc.h):
 * checkout (a bare repository fetching one branch), reads through the
 * staged edits, edits staged as blobs, a file's history with its content
 * at each commit, and commits. Push and revert are in gitwc_push.c. */
#include "gitwc_int.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/paths.h"
#include "rbsource_git.h"

int
gitwc_fail(struct err *err, const char *what)
{
	const git_error *e = git_error_last();

	return err_set(err, ERR_FAILED, "%s: %s", what,
	    e != NULL && e->message != NULL ? e->message : "git error");
}

int
gitwc_path_ok(const char *path)
{
	const char *p = path;
	size_t n;

	if (path == NULL || *path == '\0' || strlen(path) >= GITWC_PATH_MAX)
		return 0;
	for (;;) {
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && strncmp(p, "..", 2) == 0) ||
		    (n == 4 && strncasecmp(p, ".git", 4) == 0))
			return 0;
		if (p[n] == '\0')
			return 1;
		p += n + 1;
	}
}

static int
gitwc_rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void
gitwc_wipe_free(char *s, size_t n)
{
	if (s != NULL)
		explicit_bzero(s, n);
	free(s);
}

void
gitwc_free(struct gitwc *w)
{
	if (w == NULL)
		return;
	git_repository_free(w->repo);
	git_libgit2_shutdown(); /* the init of gitwc_checkout */
	if (w->dir != NULL)
		nftw(w->dir, gitwc_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < w->nstage; i++)
		free(w->stage[i].path);
	free(w->stage);
	free(w->pushed);
	free(w->dir);
	free(w->url);
	free(w->shown);
	free(w->branch);
	free(w->user);
	gitwc_wipe_free(w->token, w->token_len);
	gitwc_wipe_free(w->ssh_key, w->ssh_key_len);
	free(w);
}

/* Answers libgit2's request for credentials once per operation with what
 * the runbook gave: a token for HTTPS, a key for SSH. */
static int
gitwc_cred(git_credential **out, const char *url, const char *user,
    unsigned int allowed, void *payload)
{
	struct gitwc *w = payload;

	(void)url;
	if (w->cred_tries++ > 0)
		return GIT_PASSTHROUGH;
	if (w->token != NULL && (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
		return git_credential_userpass_plaintext_new(out,
		    w->user ? w->user : (user ? user : "x-access-token"),
		    w->token);
	if (w->ssh_key != NULL && (allowed & GIT_CREDENTIAL_SSH_MEMORY))
		return git_credential_ssh_key_memory_new(out,
		    w->user ? w->user : (user ? user : "git"), NULL, w->ssh_key,
		    NULL);
	return GIT_PASSTHROUGH;
}

int
gitwc_fail_remote(const struct gitwc *w, struct err *err, const char *what)
{
	if (w->cred_tries > 1)
		return err_set(err, ERR_FAILED,
		    "%s: the credentials were refused (check the token or "
		    "key the runbook gave)",
		    what);
	if (w->cred_tries == 1 && w->token == NULL && w->ssh_key == NULL)
		return err_set(err, ERR_FAILED,
		    "%s: the remote wants credentials: give git.checkout a "
		    "token or an ssh_key (from a secret)",
		    what);
	return gitwc_fail(err, what);
}

void
gitwc_callbacks(struct gitwc *w, git_remote_callbacks *cb)
{
	cb->credentials = gitwc_cred;
	cb->payload = w;
	w->cred_tries = 0;
}

int
gitwc_fetch(struct gitwc *w, struct err *err)
{
	git_fetch_options fo;
	git_remote *remote = NULL;
	git_reference *ref = NULL;
	char what[512], spec[600];
	int rc = -1;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	gitwc_callbacks(w, &fo.callbacks);
	fo.update_fetchhead = 0;
	snprintf(what, sizeof what, "git: fetch %.300s", w->shown);
	if (git_remote_lookup(&remote, w->repo, "origin") != 0 ||
	    git_remote_fetch(remote, NULL, &fo, NULL) != 0) {
		gitwc_fail_remote(w, err, what);
		goto out;
	}
	snprintf(spec, sizeof spec, "refs/remotes/origin/%s", w->branch);
	if (git_reference_lookup(&ref, w->repo, spec) != 0) {
		err_set(err, ERR_FAILED, "git: %.300s has no branch '%.100s'",
		    w->shown, w->branch);
		goto out;
	}
	git_oid_cpy(&w->base, git_reference_target(ref));
	rc = 0;
out:
	git_reference_free(ref);
	git_remote_free(remote);
	return rc;
}

static char *
gitwc_copy(const char *s, size_t n)
{
	char *c;

	if (s == NULL || (c = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

static int
gitwc_init(struct gitwc *w, const char *url, const char *branch,
    const char *dir, const struct gitwc_cred *cred, struct err *err)
{
	char spec[300];

	w->dir = strdup(dir);
	w->url = strdup(url);
	w->shown = rbsource_git_redact(url);
	w->branch = strdup(branch);
	if (cred != NULL) {
		w->user = cred->user ? strdup(cred->user) : NULL;
		w->token = gitwc_copy(cred->token, cred->token_len);
		w->token_len = cred->token_len;
		w->ssh_key = gitwc_copy(cred->ssh_key, cred->ssh_key_len);
		w->ssh_key_len = cred->ssh_key_len;
	}
	if (w->dir == NULL || w->url == NULL || w->shown == NULL ||
	    w->branch == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (paths_mkparents(dir, err) == -1)
		return -1;
	if (mkdir(dir, 0700) == -1) {
		free(w->dir);
		w->dir = NULL; /* not ours: never removed */
		return err_set(
		    err, ERR_FAILED, "git: %s: %s", dir, strerror(errno));
	}
	if (git_repository_init(&w->repo, dir, 1) != 0)
		return gitwc_fail(err, "git: init");
	snprintf(spec, sizeof spec, "+refs/heads/%s:refs/remotes/origin/%s",
	    branch, branch);
	git_remote *remote = NULL;
	if (git_remote_create_with_fetchspec(
	        &remote, w->repo, "origin", url, spec) != 0) {
		err_set(err, ERR_USAGE, "git: %.300s: not a repository URL",
		    w->shown);
		return -1;
	}
	git_remote_free(remote);
	return 0;
}

struct gitwc *
gitwc_checkout(const char *url, const char *branch, const char *dir,
    const struct gitwc_cred *cred, struct err *err)
{
	struct gitwc *w = calloc(1, sizeof *w);
	char ref[300];
	int valid = 0;

	if (w == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	if (lazy_load(LAZY_GIT2, err) == -1) {
		free(w);
		return NULL;
	}
	git_libgit2_init(); /* reference-counted: gitwc_free shuts down */
	snprintf(ref, sizeof ref, "refs/heads/%s", branch ? branch : "");
	if (branch == NULL || strlen(branch) > 200 ||
	    git_reference_name_is_valid(&valid, ref) != 0 || !valid) {
		err_set(err, ERR_USAGE, "git: '%.100s' is not a branch name",
		    branch ? branch : "");
		goto fail;
	}
	if (gitwc_init(w, url, branch, dir, cred, err) == -1 ||
	    gitwc_fetch(w, err) == -1)
		goto fail;
	git_oid_cpy(&w->head, &w->base);
	return w;
fail:
	gitwc_free(w);
	return NULL;
}

int
gitwc_head(const struct gitwc *w, char id[GITWC_ID_HEX])
{
	git_oid_tostr(id, GITWC_ID_HEX, &w->head);
	return 0;
}

static struct gitwc_stage *
gitwc_staged_find(struct gitwc *w, const char *path)
{
	for (size_t i = 0; i < w->nstage; i++)
		if (strcmp(w->stage[i].path, path) == 0)
			return &w->stage[i];
	return NULL;
}

/* The entry at path in the head's tree: 1 found (*e: free it), 0 not. */
static int
gitwc_head_entry(
    struct gitwc *w, const char *path, git_tree_entry **e, struct err *err)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	int rc;

	*e = NULL;
	if (git_commit_lookup(&c, w->repo, &w->head) != 0 ||
	    git_commit_tree(&t, c) != 0) {
		rc = gitwc_fail(err, "git: head");
		goto out;
	}
	rc = git_tree_entry_bypath(e, t, path);
	if (rc == GIT_ENOTFOUND) {
		rc = 0;
		git_error_clear();
	} else if (rc != 0)
		rc = gitwc_fail(err, "git: read");
	else
		rc = 1;
out:
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

static int
gitwc_blob_mode_ok(git_filemode_t m, const char *path, struct err *err)
{
	if (m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE)
		return 0;
	return err_set(err, ERR_FAILED, "git: %s is %s, not a file", path,
	    m == GIT_FILEMODE_TREE       ? "a directory"
	        : m == GIT_FILEMODE_LINK ? "a symbolic link"
	                                 : "a submodule");
}

static int
gitwc_blob_read(
    git_repository *repo, const git_oid *id, struct buf *out, struct err *err)
{
	git_blob *b = NULL;
	int rc;

	if (git_blob_lookup(&b, repo, id) != 0)
		return gitwc_fail(err, "git: blob");
	if ((size_t)git_blob_rawsize(b) > GITWC_FILE_MAX)
		rc = err_set(err, ERR_FAILED, "git: a file over %zu bytes",
		    GITWC_FILE_MAX);
	else
		rc = buf_add(out, git_blob_rawcontent(b),
		    (size_t)git_blob_rawsize(b), err);
	git_blob_free(b);
	return rc;
}

int
gitwc_read(struct gitwc *w, const char *path, struct buf *out, int *missing,
    struct err *err)
{
	struct gitwc_stage *s;
	git_tree_entry *e = NULL;
	int rc;

	*missing = 0;
	if (!gitwc_path_ok(path))
		return err_set(err, ERR_USAGE,
		    "git: '%.200s' is not a path inside the repository", path);
	if ((s = gitwc_staged_find(w, path)) != NULL)
		return gitwc_blob_read(w->repo, &s->blob, out, err);
	if ((rc = gitwc_head_entry(w, path, &e, err)) <= 0) {
		*missing = rc == 0;
		return rc;
	}
	rc = gitwc_blob_mode_ok(git_tree_entry_filemode(e), path, err);
	if (rc == 0)
		rc = gitwc_blob_read(w->repo, git_tree_entry_id(e), out, err);
	git_tree_entry_free(e);
	return rc;
}

int
gitwc_write(struct gitwc *w, const char *path, const char *data, size_t n,
    struct err *err)
{
	git_filemode_t mode = GIT_FILEMODE_BLOB;
	struct gitwc_stage *s;
	git_tree_entry *e = NULL;
	git_oid id;
	int rc;

	if (!gitwc_path_ok(path))
		return err_set(err, ERR_USAGE,
		    "git: '%.200s' is not a path inside the repository", path);
	if (n > GITWC_FILE_MAX)
		return err_set(err, ERR_FAILED, "git: a file over %zu bytes",
		    GITWC_FILE_MAX);
	if ((rc = gitwc_head_entry(w, path, &e, err)) == -1)
		return -1;
	if (rc == 1) {
		mode = git_tree_entry_filemode(e);
		git_tree_entry_free(e);
		if (gitwc_blob_mode_ok(mode, path, err) == -1)
			return -1;
	}
	if (git_blob_create_from_buffer(&id, w->repo, data, n) != 0)
		return gitwc_fail(err, "git: write");
	if ((s = gitwc_staged_find(w, path)) == NULL) {
		if (w->nstage == w->capstage) {
			size_t cap = w->capstage ? w->capstage * 2 : 8;
			void *p = realloc(w->stage, cap * sizeof *w->stage);
			if (p == NULL)
				return err_set(
				    err, ERR_FAILED, "out of memory");
			w->stage = p;
			w->capstage = cap;
		}
		s = &w->stage[w->nstage];
		if ((s->path = strdup(path)) == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		w->nstage++;
	}
	git_oid_cpy(&s->blob, &id);
	s->mode = mode;
	return 0;
}

size_t
gitwc_staged(const struct gitwc *w, const char **paths, size_t max)
{
	size_t i;

	for (i = 0; i < w->nstage && i < max; i++)
		paths[i] = w->stage[i].path;
	return w->nstage;
}

/* The blob id of path in commit c: 1 found, 0 not (or not a blob). */
static int
gitwc_blob_at(git_commit *c, const char *path, git_oid *out)
{
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	int found = 0;

	if (git_commit_tree(&t, c) == 0 &&
	    git_tree_entry_bypath(&e, t, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
		git_oid_cpy(out, git_tree_entry_id(e));
		found = 1;
	}
	git_error_clear();
	git_tree_entry_free(e);
	git_tree_free(t);
	return found;
}

/* Whether commit c changed path against its first parent; *at and
 * *found describe the file at c. */
static int
gitwc_changed(git_commit *c, const char *path, git_oid *at, int *found)
{
	git_commit *p = NULL;
	git_oid before;
	int had = 0, changed;

	*found = gitwc_blob_at(c, path, at);
	if (git_commit_parentcount(c) > 0 && git_commit_parent(&p, c, 0) == 0)
		had = gitwc_blob_at(p, path, &before);
	git_commit_free(p);
	if (*found != had)
		changed = 1;
	else
		changed = *found && !git_oid_equal(at, &before);
	return changed;
}

static int
gitwc_entry_fill(git_commit *c, struct gitwc_entry *e)
{
	const git_signature *a = git_commit_author(c);

	git_oid_tostr(e->id, sizeof e->id, git_commit_id(c));
	e->author = a && a->name ? a->name : "";
	e->email = a && a->email ? a->email : "";
	e->time = a ? (int64_t)a->when.time : 0;
	e->subject = git_commit_summary(c);
	if (e->subject == NULL)
		e->subject = "";
	return 0;
}

int
gitwc_log(struct gitwc *w, const char *path, int limit, gitwc_log_fn *fn,
    void *arg, struct err *err)
{
	git_revwalk *rw = NULL;
	struct buf content;
	git_oid id, at;
	int n = 0, rc = -1, found, walked = 0;

	if (!gitwc_path_ok(path))
		return err_set(err, ERR_USAGE,
		    "git: '%.200s' is not a path inside the repository", path);
	if (limit <= 0 || limit > GITWC_LOG_MAX)
		limit = GITWC_LOG_MAX;
	buf_init(&content, GITWC_FILE_MAX);
	if (git_revwalk_new(&rw, w->repo) != 0 ||
	    git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) !=
	        0 ||
	    git_revwalk_push(rw, &w->head) != 0) {
		gitwc_fail(err, "git: log");
		goto out;
	}
	git_revwalk_simplify_first_parent(rw);
	while (
	    n < limit && walked++ < 100000 && git_revwalk_next(&id, rw) == 0) {
		struct gitwc_entry e = { 0 };
		git_commit *c = NULL;

		if (git_commit_lookup(&c, w->repo, &id) != 0) {
			gitwc_fail(err, "git: log");
			goto out;
		}
		if (gitwc_changed(c, path, &at, &found)) {
			gitwc_entry_fill(c, &e);
			buf_reset(&content);
			if (found &&
			    gitwc_blob_read(w->repo, &at, &content, err) ==
			        -1) {
				git_commit_free(c);
				goto out;
			}
			e.content = found ? buf_str(&content) : NULL;
			e.len = found ? content.len : 0;
			n++;
			if (fn(arg, &e) != 0) {
				git_commit_free(c);
				break;
			}
		}
		git_commit_free(c);
	}
	rc = n;
out:
	buf_done(&content);
	git_revwalk_free(rw);
	return rc;
}

int
gitwc_commit_tree(git_repository *repo, const git_oid *parent,
    const git_oid *tree, const char *name, const char *email, int64_t when,
    const char *message, git_oid *out, struct err *err)
{
	git_signature *sig = NULL;
	git_commit *p = NULL;
	git_tree *t = NULL;
	int rc = -1;

	if (git_signature_new(&sig, name, email, (git_time_t)when, 0) != 0) {
		gitwc_fail(err, "git: author");
		goto out;
	}
	if ((parent != NULL && git_commit_lookup(&p, repo, parent) != 0) ||
	    git_tree_lookup(&t, repo, tree) != 0 ||
	    git_commit_create(out, repo, NULL, sig, sig, NULL, message, t,
	        p != NULL ? 1 : 0, (const git_commit **)&p) != 0) {
		gitwc_fail(err, "git: commit");
		goto out;
	}
	rc = 0;
out:
	git_tree_free(t);
	git_commit_free(p);
	git_signature_free(sig);
	return rc;
}

static void
gitwc_stage_clear(struct gitwc *w)
{
	for (size_t i = 0; i < w->nstage; i++)
		free(w->stage[i].path);
	w->nstage = 0;
}

int
gitwc_commit(struct gitwc *w, const char *message, const char *name,
    const char *email, char id[GITWC_ID_HEX], struct err *err)
{
	git_tree_update *u = NULL;
	git_commit *head = NULL;
	git_tree *base = NULL;
	git_oid tree, out;
	int rc = -1;

	if (w->nstage == 0)
		return err_set(err, ERR_FAILED,
		    "git: nothing to commit (no git.write or git.replace "
		    "since the last commit)");
	if ((u = calloc(w->nstage, sizeof *u)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	for (size_t i = 0; i < w->nstage; i++) {
		u[i].action = GIT_TREE_UPDATE_UPSERT;
		git_oid_cpy(&u[i].id, &w->stage[i].blob);
		u[i].filemode = w->stage[i].mode;
		u[i].path = w->stage[i].path;
	}
	if (git_commit_lookup(&head, w->repo, &w->head) != 0 ||
	    git_commit_tree(&base, head) != 0 ||
	    git_tree_create_updated(&tree, w->repo, base, w->nstage, u) != 0) {
		gitwc_fail(err, "git: commit");
		goto out;
	}
	if (git_oid_equal(&tree, git_tree_id(base))) {
		gitwc_stage_clear(w);
		err_set(err, ERR_FAILED,
		    "git: nothing to commit (the edits change no file)");
		goto out;
	}
	if (gitwc_commit_tree(w->repo, &w->head, &tree, name, email,
	        (int64_t)time(NULL), message, &out, err) == -1)
		goto out;
	git_oid_cpy(&w->head, &out);
	git_oid_tostr(id, GITWC_ID_HEX, &out);
	gitwc_stage_clear(w);
	rc = 0;
out:
	git_tree_free(base);
	git_commit_free(head);
	free(u);
	return rc;
}
