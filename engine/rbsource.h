/* rbsource.h: where runbooks come from. A source is one snapshot of a
 * runbook tree: it lists the runbooks (NAME.lua at its top) and reads
 * files by path (the runbook and the modules it `require`s), all from that
 * one snapshot, and its origin says what the snapshot is, so that a run can
 * record it. Implementations: a plain directory (rbsource_dir.c, here) and
 * a git commit (integrations/rbsource_git.c). */
#ifndef OWL_RBSOURCE_H
#define OWL_RBSOURCE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define RBSOURCE_OID_HEX 41 /* 40 hex digits (SHA-1) and a NUL */
#define RBSOURCE_FILE_MAX (1024 * 1024) /* largest runbook or module file */
#define RBSOURCE_PATH_MAX 256 /* longest file path in a source */
#define RBSOURCE_HINT_NAMES 256 /* runbook names a "did you mean" weighs */
/* What a source's read says of a file that is not there (and only of
 * such a file): rbsource_read_runbook turns it into "no runbook". */
#define RBSOURCE_MISSING "no such file"

enum rbsource_kind {
	RBSOURCE_DIR, /* a plain directory: unversioned */
	RBSOURCE_GIT, /* a git commit, read from the object database */
};

/* What a snapshot is; recorded with every run. Strings are owned by the
 * source (rbsource_close frees them). */
struct rbsource_origin {
	enum rbsource_kind kind;
	char *repo; /* the directory, the repository path or its URL */
	char *ref; /* full ref name ("refs/tags/v1.0"), or the commit prefix
	            * that was asked for; NULL for a directory */
	char commit[RBSOURCE_OID_HEX]; /* the commit id; "" for a directory */
	int worktree; /* files come from the working tree (--worktree) */
	int dirty; /* ...and it has uncommitted changes to runbook files */
};

struct rbsource;

/* Called once per runbook by rbsource_list: its name (file name without
 * ".lua") and its blob id ("" when the source only knows it on reading).
 * A nonzero return stops the listing and is returned by rbsource_list. */
typedef int (*rbsource_entry_fn)(const char *name, const char *blob, void *ctx);

struct rbsource_ops {
	int (*list)(struct rbsource *src, rbsource_entry_fn fn, void *ctx,
	    struct err *err);
	int (*read)(struct rbsource *src, const char *path, struct buf *out,
	    char blob[RBSOURCE_OID_HEX], struct err *err);
	void (*close)(struct rbsource *src);
};

struct rbsource {
	const struct rbsource_ops *ops;
	struct rbsource_origin origin;
	void *impl; /* the implementation's state */
};

/* Lists the runbooks of the snapshot in name order, calling fn for each.
 * Returns 0, fn's nonzero return, or -1 with err set. */
int rbsource_list(
    struct rbsource *src, rbsource_entry_fn fn, void *ctx, struct err *err);

/* Reads the file at `path` (relative, "restart.lua", "lib/k8s.lua") into
 * out (appended; at most RBSOURCE_FILE_MAX bytes) and its git blob id
 * into blob. A path that is not valid (rbsource_path_valid), absent, not
 * a regular file (symlink, submodule, directory) or too big: -1 with err
 * set (ERR_FAILED, naming the path; for an absent file the message holds
 * RBSOURCE_MISSING). */
int rbsource_read(struct rbsource *src, const char *path, struct buf *out,
    char blob[RBSOURCE_OID_HEX], struct err *err);

/* Reads the runbook NAME (NAME.lua). Same contract as rbsource_read,
 * but every failure is ERR_USAGE: the name given does not lead to a
 * runbook. When the source has no runbook NAME the message says so,
 * with the closest name and the list ("no runbook 'restrat' in DIR; did
 * you mean 'restart'? (runbooks: ...)"). */
int rbsource_read_runbook(struct rbsource *src, const char *name,
    struct buf *out, char blob[RBSOURCE_OID_HEX], struct err *err);

/* Reads the module `module` ("lib.k8s": lib/k8s.lua) for require, as
 * rbsource_read; its path goes to path (RBSOURCE_PATH_MAX bytes). An
 * invalid module name is ERR_USAGE. */
int rbsource_read_module(struct rbsource *src, const char *module,
    struct buf *out, char *path, char blob[RBSOURCE_OID_HEX], struct err *err);

/* Frees the source and its origin; accepts NULL. */
void rbsource_close(struct rbsource *src);

/* Returns nonzero for a valid runbook name: 1-100 bytes of [A-Za-z0-9_-.],
 * not starting with '.' or '-'. */
int rbsource_name_valid(const char *name);

/* Nonzero when name (as rbsource_list gives it) is NAME.test: the file
 * NAME.test.lua holds the tests of runbook NAME (owl test), not a
 * runbook. */
int rbsource_is_test(const char *name);

/* Returns nonzero for a valid file path: relative, '/'-separated
 * components that are valid names, ending in ".lua", shorter than
 * RBSOURCE_PATH_MAX. */
int rbsource_path_valid(const char *path);

/* Turns a module name ("lib.k8s") into its path ("lib/k8s.lua") in out
 * (RBSOURCE_PATH_MAX bytes). Returns 0, or -1 with err set (ERR_USAGE)
 * when the name is not valid. */
int rbsource_module_path(const char *module, char *out, struct err *err);

/* Computes the git blob id (SHA-1 of "blob <n>\0" and the bytes) of n
 * bytes at p, as 40 hex digits. */
void rbsource_blob_id(const void *p, size_t n, char out[RBSOURCE_OID_HEX]);

/* Returns the origin as a JSON object {"kind": "dir"|"git", "repo",
 * "ref", "commit", "worktree", "dirty"} (absent values null), or NULL when
 * out of memory. The caller owns it (json_decref). */
json_t *rbsource_origin_json(const struct rbsource_origin *o);

struct store;

/* Records on run `run_id` (a row of `runs`) the origin's ref, the blob id
 * of the runbook and the dirty flag (runs.commit_id is set at insert).
 * Joins the caller's transaction. 0, or -1 with err set. */
int rbsource_record_run(struct store *s, int64_t run_id,
    const struct rbsource_origin *o, const char *blob, struct err *err);

/* Returns rbsource_origin_json plus "blob" (the runbook's), for the run's
 * action-log entry and result document; NULL when out of memory. */
json_t *rbsource_run_json(const struct rbsource_origin *o, const char *blob);

/* Opens a plain directory as a source: unversioned (kind RBSOURCE_DIR,
 * no ref or commit). Reads never follow symbolic links. Returns NULL
 * with err set when `dir` is not a readable directory. Close with
 * rbsource_close. */
struct rbsource *rbsource_dir_open(const char *dir, struct err *err);

#endif
