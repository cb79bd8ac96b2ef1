/* rbsource_git_int.h: what the files of the git runbook source share
 * (rbsource_git.c: snapshots, history; rbsource_git_sync.c: mirrors;
 * rbsource_git_sign.c: signatures). Private to integrations/. */
#ifndef OWL_RBSOURCE_GIT_INT_H
#define OWL_RBSOURCE_GIT_INT_H

#include "integrations/lazy_git2.h"

#include "rbsource_git.h"

/* The implementation state behind a git rbsource. */
struct rbgit {
	git_repository *repo;
	git_commit *commit;
	git_tree *root; /* the runbook folder of the commit */
	char *subdir; /* "" or "dir/" (with the slash) */
	struct rbsource *files; /* --worktree: the working files */
};

/* Records libgit2's last error as "WHAT: message" (ERR_FAILED). */
int rbgit_fail(struct err *err, const char *what);

/* The mirror directory of a URL: STATE/runbooks/<name>-<hash>.git,
 * malloc'd; NULL with err set. */
char *rbgit_cache_path(const char *url, const char *state_dir, struct err *err);

/* Opens a repository directory in place (no search upwards), translating
 * libgit2 1.5's ownership refusal into a clear message. */
int rbgit_repo_open(git_repository **out, const char *path, struct err *err);

/* Resolves a rev (see rbsource_git_open) to a commit; sets *refname to
 * the full ref it came from, or a copy of rev for a commit prefix
 * (malloc'd). NULL rev: HEAD. */
int rbgit_resolve(git_repository *repo, const char *rev, git_commit **out,
    char **refname, struct err *err);

/* Removes a directory tree (no symlinks followed); best effort. */
void rbgit_rmtree(const char *path);

#endif
