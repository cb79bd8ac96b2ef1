/* rb_guard.h: what the chokepoint (rb_effect.c) refuses a runbook before
 * an effect is made. Commands a dry-run may run for real: only those the
 * operator's config allows (dry_run.exec, matched on argv's leading
 * words), never because the runbook calls them read-only. File paths
 * outside the operator's allowed roots
 * (runbooks.read_paths, runbooks.write_paths) or inside owl's own files
 * (its state and secret directories, the database, the config and the
 * config's secret files, /proc, /sys, /dev, the system's password
 * hashes and TLS keys), whatever the roots say. Paths are checked after
 * symbolic links are resolved, and the effect is made on the path that
 * was checked. */
#ifndef OWL_RB_GUARD_H
#define OWL_RB_GUARD_H

#include <stddef.h>

#include "config.h"
#include "err.h"

#define RB_GUARD_PATH_MAX 4096

/* One path and why it is listed. */
struct rb_guard_path {
	char *path;
	const char *why; /* static text, for refusals */
	int secret; /* a file (or directory) of secret values */
	int writable; /* refused for reads only (a secret file of the
	               * config: a key rotation may write it whole) */
};

struct rb_guard {
	struct rb_guard_path *deny; /* never read nor written */
	size_t ndeny;
	char **read, **write; /* allowed roots */
	size_t nread, nwrite;
	json_t *dry_exec; /* [[word, ...], ...]: dry-run may run these */
};

/* Builds the guard from the config (may be NULL: the defaults) and the
 * database path (may be NULL). runbooks.read_paths and
 * runbooks.write_paths, when given, are lists of absolute directories
 * that replace the defaults (write_paths defaults to read_paths);
 * dry_run.exec is a list of argv prefixes ({ { "kubectl", "get" } }).
 * -1 with err set (ERR_USAGE) when they are not of those shapes. Free
 * with rb_guard_done. */
int rb_guard_init(struct rb_guard *g, const struct config *c,
    const char *db_path, struct err *err);

/* Frees what rb_guard_init made; accepts a zeroed guard. */
void rb_guard_done(struct rb_guard *g);

/* Checks path for a read (write 0) or a write by a runbook and writes the
 * path the effect must use (symbolic links resolved) into out (n bytes,
 * RB_GUARD_PATH_MAX is enough). -1 with err set (ERR_REFUSED) naming the
 * path and why, when it is refused. */
int rb_guard_file(const struct rb_guard *g, const char *what, const char *path,
    int write, char *out, size_t n, struct err *err);

/* Nonzero when a dry-run may run argv (a JSON array of strings) for
 * real: its first words are those of an entry of the config's
 * dry_run.exec, and its env (a JSON object, may be NULL) sets nothing
 * the dynamic loader reads (LD_*, GCONV_PATH). */
int rb_guard_dry_exec(
    const struct rb_guard *g, const json_t *argv, const json_t *env);

/* Nonzero when the resolved path is (or lies in) a place that holds
 * secret values: owl's secret directory or a secret file of the config. */
int rb_guard_is_secret(const struct rb_guard *g, const char *resolved);

/* The allowed roots as one line ("/etc, /srv"), for messages. */
void rb_guard_roots_text(
    const struct rb_guard *g, int write, char *out, size_t n);

#endif
