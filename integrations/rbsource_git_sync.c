/* rbsource_git_sync.c: the bare mirror of a runbook repository given by
 * URL, under STATE/runbooks/. The mirror fetches every branch and
 * tag onto the same ref names. libgit2 downloads and indexes the pack
 * before it moves any ref, so a failed fetch leaves the mirror as it was;
 * a first fetch happens in a temporary directory renamed into place. */
#include "rbsource_git_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/hash.h"
#include "engine/paths.h"

static int
rbgit_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void
rbgit_rmtree(const char *path)
{
	nftw(path, rbgit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
rbgit_cache_path(const char *url, const char *state_dir, struct err *err)
{
	unsigned char md[HASH_LEN];
	char hex[HASH_HEX_LEN], name[48];
	const char *base, *end, *p;
	char *dir, *out;
	size_t n = 0;

	dir = state_dir ? strdup(state_dir) : paths_state_dir(err);
	if (dir == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	/* A readable name from the URL's last part, and a hash for unicity. */
	end = url + strlen(url);
	while (end > url && end[-1] == '/')
		end--;
	if (end - url > 4 && strncmp(end - 4, ".git", 4) == 0)
		end -= 4;
	for (base = end; base > url && base[-1] != '/' && base[-1] != ':';)
		base--;
	for (p = base; p < end && n < 32; p++)
		name[n++] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
		                   "RSTUVWXYZ0123456789_-",
		                *p) &&
		        *p
		    ? *p
		    : '_';
	name[n] = '\0';
	hash_sha256(url, strlen(url), md);
	hash_hex(md, 6, hex);
	if ((out = malloc(strlen(dir) + n + 40)) == NULL)
		err_set(err, ERR_FAILED, "out of memory");
	else
		sprintf(out, "%s/runbooks/%s%s%s.git", dir, name, n ? "-" : "",
		    hex);
	free(dir);
	return out;
}

/* Offers the SSH agent's keys once; libgit2 asks again after a refusal,
 * and a second answer would loop. */
static int
rbgit_cred(git_credential **out, const char *url, const char *user,
    unsigned int allowed, void *payload)
{
	int *tries = payload;

	(void)url;
	if ((*tries)++ > 0 || !(allowed & GIT_CREDENTIAL_SSH_KEY))
		return GIT_PASSTHROUGH;
	return git_credential_ssh_key_from_agent(out, user ? user : "git");
}

static int
rbgit_fetch(git_repository *repo, const char *url, struct err *err)
{
	git_fetch_options fo;
	git_remote *remote = NULL;
	git_buf head = { 0 };
	char what[300], *shown = rbsource_git_redact(url);
	int tries = 0, rc = -1;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	snprintf(what, sizeof what, "runbooks: fetch %.200s",
	    shown ? shown : "(url)");
	free(shown);
	if (git_remote_lookup(&remote, repo, "origin") != 0)
		return rbgit_fail(err, what);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	fo.update_fetchhead = 0;
	fo.callbacks.credentials = rbgit_cred;
	fo.callbacks.payload = &tries;
	/* No sideband callback: remote text is never printed. */
	if (git_remote_fetch(remote, NULL, &fo, "owl runbooks sync") != 0) {
		rbgit_fail(err, what);
		goto out;
	}
	/* Follow the remote's default branch for HEAD. */
	if (git_remote_default_branch(&head, remote) == 0 &&
	    git_repository_set_head(repo, head.ptr) != 0) {
		rbgit_fail(err, what);
		goto out;
	}
	rc = 0;
out:
	git_buf_dispose(&head);
	git_remote_free(remote);
	return rc;
}

/* Builds a new mirror in a temporary directory, then renames it. */
static int
rbgit_mirror_new(const char *url, const char *cache, struct err *err)
{
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	char *tmp = malloc(strlen(cache) + 32);
	int rc = -1;

	if (tmp == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	sprintf(tmp, "%s.tmp.%ld", cache, (long)getpid());
	rbgit_rmtree(tmp);
	if (git_repository_init(&repo, tmp, 1) != 0 ||
	    git_remote_create_with_fetchspec(&remote, repo, "origin", url,
	        "+refs/heads/*:refs/heads/*") != 0 ||
	    git_remote_add_fetch(repo, "origin", "+refs/tags/*:refs/tags/*") !=
	        0) {
		rbgit_fail(err, "runbooks: new mirror");
		goto out;
	}
	if (rbgit_fetch(repo, url, err) == -1)
		goto out;
	git_repository_free(repo);
	repo = NULL;
	if (rename(tmp, cache) == -1) {
		err_set(err, ERR_FAILED, "runbooks: %s: %s", cache,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	git_remote_free(remote);
	git_repository_free(repo);
	if (rc == -1)
		rbgit_rmtree(tmp);
	free(tmp);
	return rc;
}

/* The commit `ref` resolves to in the repository at path, or "". */
static void
rbgit_commit_of(const char *path, const char *ref, char *out)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	char *name = NULL;
	struct err err;

	out[0] = '\0';
	err_init(&err);
	if (git_repository_open_bare(&repo, path) == 0 &&
	    rbgit_resolve(repo, ref, &c, &name, &err) == 0)
		git_oid_tostr(out, RBSOURCE_OID_HEX, git_commit_id(c));
	free(name);
	git_commit_free(c);
	git_repository_free(repo);
}

/* 1 when old and new are commits and new does not descend from old. */
static int
rbgit_rewritten(const char *path, const char *old, const char *new)
{
	git_repository *repo = NULL;
	git_oid a, b;
	int rc = 0;

	if (old[0] == '\0' || new[0] == '\0' || strcmp(old, new) == 0 ||
	    git_oid_fromstr(&a, old) != 0 || git_oid_fromstr(&b, new) != 0 ||
	    git_repository_open_bare(&repo, path) != 0)
		return 0;
	rc = git_graph_descendant_of(repo, &b, &a) == 0;
	git_repository_free(repo);
	return rc;
}

static int
rbgit_sync_local(
    const struct rbgit_opts *o, struct rbgit_sync *s, struct err *err)
{
	git_repository *repo = NULL;
	git_commit *c = NULL;
	char *name = NULL;
	int rc = -1;

	s->local = 1;
	if ((s->cache = strdup(o->repo)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rbgit_repo_open(&repo, o->repo, err) == 0 &&
	    rbgit_resolve(repo, o->ref, &c, &name, err) == 0) {
		git_oid_tostr(s->new, RBSOURCE_OID_HEX, git_commit_id(c));
		memcpy(s->old, s->new, RBSOURCE_OID_HEX);
		rc = 0;
	}
	free(name);
	git_commit_free(c);
	git_repository_free(repo);
	return rc;
}

static int
rbgit_sync_mirror(
    const struct rbgit_opts *o, struct rbgit_sync *s, struct err *err)
{
	git_repository *repo = NULL;
	char lockpath[4200];
	int lock = -1, rc = -1;

	if ((s->cache = rbgit_cache_path(o->repo, o->state_dir, err)) == NULL ||
	    paths_mkparents(s->cache, err) == -1)
		return -1;
	snprintf(lockpath, sizeof lockpath, "%s.lock", s->cache);
	if ((lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    flock(lock, LOCK_EX) == -1) {
		err_set(err, ERR_FAILED, "runbooks: %s: %s", lockpath,
		    strerror(errno));
		goto out;
	}
	if (git_repository_open_bare(&repo, s->cache) != 0) {
		if (rbgit_mirror_new(o->repo, s->cache, err) == -1)
			goto out;
	} else {
		rbgit_commit_of(s->cache, o->ref, s->old);
		if (rbgit_fetch(repo, o->repo, err) == -1)
			goto out;
	}
	rbgit_commit_of(s->cache, o->ref, s->new);
	s->rewritten = rbgit_rewritten(s->cache, s->old, s->new);
	if (s->new[0] == '\0') {
		err_set(err, ERR_FAILED, "runbooks: the remote has no %s%s",
		    o->ref ? "ref " : "default branch", o->ref ? o->ref : "");
		goto out;
	}
	rc = 0;
out:
	git_repository_free(repo);
	if (lock != -1)
		close(lock); /* releases the flock */
	return rc;
}

int
rbsource_git_sync(
    const struct rbgit_opts *o, struct rbgit_sync *s, struct err *err)
{
	int rc;

	memset(s, 0, sizeof *s);
	if (lazy_load(LAZY_GIT2, err) == -1)
		return -1;
	git_libgit2_init();
	if (rbsource_git_is_url(o->repo))
		rc = rbgit_sync_mirror(o, s, err);
	else
		rc = rbgit_sync_local(o, s, err);
	git_libgit2_shutdown();
	return rc;
}
