/* rbsource_git.h: runbooks read from a git repository with libgit2: a
 * local repository in place, or a URL mirrored into a bare cache under
 * owl's state directory. Files come from the object database of the
 * commit a ref resolves to, never from a working tree (unless --worktree
 * asks for the working files, which marks the origin dirty when they
 * differ). Also: syncing a mirror, the history of one runbook, the
 * runbooks that changed between two commits, and commit signatures. */
#ifndef OWL_RBSOURCE_GIT_H
#define OWL_RBSOURCE_GIT_H

#include <stdint.h>

#include "engine/err.h"
#include "engine/rbsource.h"

struct rbgit_opts {
	const char *repo; /* local path, or file://, https://, ssh://, git:// */
	const char *ref; /* branch, tag, full ref or commit prefix; NULL:
	                  * the repository's HEAD */
	const char *subdir; /* folder of the runbooks in the tree; NULL: top */
	int worktree; /* read the working files (local, non-bare only) */
	const char *state_dir; /* mirrors go to STATE/runbooks/; NULL: owl's */
};

/* Returns nonzero when repo is a URL (to be mirrored), zero for a path. */
int rbsource_git_is_url(const char *repo);

/* Returns a copy of repo fit to print and log: a password in a URL's
 * user part ("https://user:secret@host/x") becomes "***". malloc'd (free);
 * NULL when out of memory. */
char *rbsource_git_redact(const char *repo);

/* Returns nonzero when `path` is the top of a git repository (working
 * tree or bare). */
int rbsource_git_is_repo(const char *path);

/* Opens the snapshot o->ref resolves to. A URL is read from its mirror,
 * which is created (a first fetch) when missing; a later fetch is
 * rbsource_git_sync's job. A rev is looked up as a full ref, then
 * refs/heads/REV, refs/tags/REV, refs/remotes/REV, then as a commit
 * prefix of 4-40 hex digits; it never goes to the revspec parser.
 * Errors: a bad rev is ERR_USAGE; an unknown rev, an ambiguous prefix, a
 * repository that cannot be opened or fetched: ERR_FAILED; all with err
 * set naming the repository. Close with rbsource_close. */
struct rbsource *rbsource_git_open(const struct rbgit_opts *o, struct err *err);

/* For a source opened on a local working tree without --worktree: counts
 * the uncommitted changes (modified, staged, untracked, deleted) under the
 * runbook folder when the commit read is the one checked out (otherwise
 * the working tree does not matter). Sets *count and, when count > 0, the
 * first changed path into first (RBSOURCE_PATH_MAX). 0, or -1 with err. */
int rbsource_git_changes(
    struct rbsource *src, int *count, char *first, struct err *err);

/* One commit of a runbook's history; strings borrowed for the call. */
struct rbgit_commit {
	char id[RBSOURCE_OID_HEX];
	int64_t time_us; /* commit time, UTC microseconds */
	const char *author; /* "Name <email>" */
	const char *subject;
};

typedef int (*rbgit_commit_fn)(const struct rbgit_commit *c, void *ctx);

/* Calls fn for each commit reachable from the source's commit that
 * changed `path` (added, modified or removed it; a merge only when it
 * differs from every parent), newest first, at most `limit` (0: all).
 * Returns 0, fn's nonzero return, or -1 with err set. A directory source
 * has no history: ERR_USAGE. */
int rbsource_git_log(struct rbsource *src, const char *path, int limit,
    rbgit_commit_fn fn, void *ctx, struct err *err);

/* Called by rbsource_git_diff: a runbook name and '+' added, '-' removed
 * or 'M' modified. */
typedef int (*rbgit_change_fn)(const char *name, char change, void *ctx);

/* Compares the runbooks (NAME.lua at the top of the runbook folder) of
 * commit `old` (hex) with the source's commit, calling fn for the removed
 * and modified ones, then the added ones, each in tree order.
 * Returns 0, fn's nonzero return, or -1 with err set. */
int rbsource_git_diff(struct rbsource *src, const char *old, rbgit_change_fn fn,
    void *ctx, struct err *err);

struct rbgit_sync {
	char old[RBSOURCE_OID_HEX]; /* before; "" when the mirror was new */
	char new[RBSOURCE_OID_HEX]; /* after */
	char *cache; /* the mirror's path (free()) */
	int local; /* a local repository: nothing fetched */
	int rewritten; /* new does not descend from old: history was
	                * rewritten (a force push) */
};

/* Fetches o->repo into its mirror (creating it the first time) and
 * reports the commit o->ref (or the remote's default branch) resolved to
 * before and after. Objects are downloaded first and the refs moved only
 * when the download is complete, so a failed fetch (dead remote, network
 * error) leaves the previous mirror exactly as it was: -1 with err set
 * (ERR_FAILED) giving the reason. A first fetch builds the mirror in a
 * temporary directory and renames it into place. A local path is not
 * fetched: sets s->local and both commits to its current one. Concurrent
 * syncs of one mirror wait for each other. Free s->cache. */
int rbsource_git_sync(
    const struct rbgit_opts *o, struct rbgit_sync *s, struct err *err);

/* Signature policy for runbooks.require_signed. */
struct rbgit_trust {
	const char *allowed_signers; /* ssh-keygen allowed_signers file */
	const char *gpg_keyring; /* keyring of trusted GPG keys (gpgv) */
};

/* Verifies the signature of the source's commit: the `gpgsig` header and
 * the signed payload taken from libgit2, checked by `ssh-keygen -Y
 * verify` (SSH; the signer must be a principal of allowed_signers) or
 * `gpgv` (GPG; a key of gpg_keyring). Returns 0 and the signer (principal
 * or key fingerprint) in signer (n bytes), or -1 with err set: unsigned,
 * not verified, no trust file for that kind of signature, a directory
 * source: ERR_REFUSED with the reason. */
int rbsource_git_verify(struct rbsource *src, const struct rbgit_trust *t,
    char *signer, size_t n, struct err *err);

#endif
