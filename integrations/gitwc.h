/* gitwc.h: private work copies of config repositories, for the runbook
 * `git` effect (libgit2). A work copy is a bare repository in a directory
 * of owl's state that the broker owns: checkout fetches one branch from
 * the URL, edits are blobs staged in memory (never files on disk, so a
 * symbolic link in the repository cannot lead a write elsewhere), commit
 * makes a commit on top of the branch, push sends it without force (a
 * remote that moved fails the push), and revert pushes revert commits of
 * what this work copy pushed, on top of whatever the remote has now. */
#ifndef OWL_GITWC_H
#define OWL_GITWC_H

#include <stddef.h>
#include <stdint.h>

#include "engine/buf.h"
#include "engine/err.h"

#define GITWC_ID_HEX 41 /* a commit id in hex, and its NUL */
#define GITWC_PATH_MAX 1024 /* a path inside the repository */
#define GITWC_FILE_MAX ((size_t)8 << 20) /* content read or written */
#define GITWC_LOG_MAX 100 /* commits git.log returns at most */

/* Credentials for the remote; values are copied and wiped at free. */
struct gitwc_cred {
	const char *user; /* HTTPS user or SSH user; NULL: a default */
	const char *token; /* HTTPS token (the password); NULL: none */
	size_t token_len;
	const char *ssh_key; /* an SSH private key (PEM); NULL: none */
	size_t ssh_key_len;
};

struct gitwc;

/* Fetches `branch` of url into a new bare repository at dir (which must
 * not exist; made 0700) and stages nothing yet. Returns the work copy
 * (gitwc_free), or NULL with err set: the URL's credentials never appear
 * in the message. */
struct gitwc *gitwc_checkout(const char *url, const char *branch,
    const char *dir, const struct gitwc_cred *cred, struct err *err);

/* The commit the work copy is at (its checkout and own commits). */
int gitwc_head(const struct gitwc *w, char id[GITWC_ID_HEX]);

/* Frees w, wipes its credentials and removes its directory; NULL ok. */
void gitwc_free(struct gitwc *w);

/* Nonzero when path is a relative path inside a repository: no empty,
 * "." or ".." part, no ".git" part, no NUL, under GITWC_PATH_MAX. */
int gitwc_path_ok(const char *path);

/* The content of path as it is now in w (staged edits included): 0 with
 * out filled, or *missing set; -1 with err set. */
int gitwc_read(struct gitwc *w, const char *path, struct buf *out, int *missing,
    struct err *err);

/* Stages content for path (replacing a staged one). */
int gitwc_write(struct gitwc *w, const char *path, const char *data, size_t n,
    struct err *err);

/* The paths staged since the last commit, in the order first staged;
 * returns how many (at most max). */
size_t gitwc_staged(const struct gitwc *w, const char **paths, size_t max);

/* One commit of a file's history (gitwc_log). */
struct gitwc_entry {
	char id[GITWC_ID_HEX];
	const char *author, *email, *subject;
	int64_t time; /* seconds since the epoch */
	const char *content; /* the file at that commit (NULL: deleted) */
	size_t len;
};

typedef int gitwc_log_fn(void *arg, const struct gitwc_entry *e);

/* Calls fn for the commits that changed path, newest first, from the
 * work copy's head (its own commits included), at most limit
 * (GITWC_LOG_MAX); fn returning nonzero stops. Staged edits are not
 * history. */
int gitwc_log(struct gitwc *w, const char *path, int limit, gitwc_log_fn *fn,
    void *arg, struct err *err);

/* Commits the staged edits on top of the head, with the author and
 * committer name <email> and the message as given; fills id. An empty
 * stage, or edits that change nothing, fail ("nothing to commit"). */
int gitwc_commit(struct gitwc *w, const char *message, const char *name,
    const char *email, char id[GITWC_ID_HEX], struct err *err);

/* The commits push would send: fn with each (newest first, content
 * NULL); returns how many, -1 with err set. */
int gitwc_outgoing(
    struct gitwc *w, gitwc_log_fn *fn, void *arg, struct err *err);

/* Pushes the head to the branch, never forced: a remote branch that
 * moved since the checkout fails (ERR_FAILED, "...someone else pushed
 * first..."). Staged edits not committed fail too. Fills from and to
 * (the remote branch before and after). */
int gitwc_push(struct gitwc *w, char from[GITWC_ID_HEX], char to[GITWC_ID_HEX],
    struct err *err);

/* Undoes what w pushed: fetches the branch, makes one revert commit per
 * pushed commit (newest first) on top of it, with `trailer` appended to
 * each message, and pushes them; a later change that conflicts fails,
 * naming the path. Fills id (the last revert commit). */
int gitwc_revert(struct gitwc *w, const char *trailer, const char *name,
    const char *email, char id[GITWC_ID_HEX], struct err *err);

/* Commits for a test repository (gitwc_fixture). */
struct gitwc_fixture_commit {
	const char *message, *author; /* author NULL: "owl-test" */
	int64_t time; /* 0: a fixed time per commit, one hour apart */
	const char *const *paths; /* n paths and their contents */
	const char *const *contents; /* NULL content: delete the path */
	size_t n;
};

/* Makes a bare repository at dir whose `branch` holds the commits, oldest
 * first (test fakes and tests). */
int gitwc_fixture(const char *dir, const char *branch,
    const struct gitwc_fixture_commit *commits, size_t n, struct err *err);

/* Adds one commit on top of `branch` in the bare repository at dir, as
 * someone else pushing would (a test's push race). */
int gitwc_fixture_push(const char *dir, const char *branch,
    const struct gitwc_fixture_commit *c, struct err *err);

#endif
