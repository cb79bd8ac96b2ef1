/* gitwc_int.h: what the files of the git work copy share (gitwc.c:
 * checkout, reads, edits, history, commits; gitwc_push.c: push, revert
 * and test repositories). Private to integrations/. */
#ifndef OWL_GITWC_INT_H
#define OWL_GITWC_INT_H

#include "integrations/lazy_git2.h"

#include "gitwc.h"

struct gitwc_stage {
	char *path;
	git_oid blob;
	git_filemode_t mode;
};

/* A range this work copy pushed: the remote branch went from -> to. */
struct gitwc_pushed {
	git_oid from, to;
};

struct gitwc {
	git_repository *repo;
	char *dir, *url, *shown; /* shown: the URL without credentials */
	char *branch;
	git_oid base; /* the remote branch as last fetched or pushed */
	git_oid head; /* base and this work copy's own commits */
	struct gitwc_stage *stage;
	size_t nstage, capstage;
	struct gitwc_pushed *pushed;
	size_t npushed;
	char *user, *token, *ssh_key; /* owned copies, wiped at free */
	size_t token_len, ssh_key_len;
	int cred_tries;
	void *push_status; /* during a push: its status (gitwc_push.c) */
};

/* Records libgit2's last error as "WHAT: message" (ERR_FAILED). */
int gitwc_fail(struct err *err, const char *what);

/* Records the failure of an operation on the remote (fetch, push):
 * "WHAT: the credentials were refused" when the remote asked for them
 * again after ours, "WHAT: the remote wants credentials" when it asked
 * and we had none, else libgit2's message. */
int gitwc_fail_remote(const struct gitwc *w, struct err *err, const char *what);

/* Sets the credential callback (once per operation) of w on cb. */
void gitwc_callbacks(struct gitwc *w, git_remote_callbacks *cb);

/* Fetches the branch from origin into base (its remote-tracking ref). */
int gitwc_fetch(struct gitwc *w, struct err *err);

/* Makes a commit on parent (NULL: a root commit) with tree, name and
 * message; fills out. */
int gitwc_commit_tree(git_repository *repo, const git_oid *parent,
    const git_oid *tree, const char *name, const char *email, int64_t when,
    const char *message, git_oid *out, struct err *err);

#endif
