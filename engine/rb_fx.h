/* rb_fx.h: the effect kinds of the chokepoint (rb_effect.c), in one
 * table: each kind's name, whether it reads or writes, how a request is
 * checked and described (the name shown, its target, what a write
 * leases) and how it is performed. A new effect is one more entry in
 * rb_fx.c and a file rb_fx_KIND.c; nothing else dispatches on kinds. */
#ifndef OWL_RB_FX_H
#define OWL_RB_FX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "effects.h"
#include "err.h"
#include "rb_effect.h"

#define RB_FX_MAX_ARGS 256
#define RB_FX_MAX_KV 64
#define RB_FX_TARGET_MAX 1024

enum rb_fx_access {
	RB_FX_READ, /* never changes anything */
	RB_FX_WRITE, /* always a write */
	RB_FX_BY_REQUEST, /* describe() decides (an HTTP method, read_only) */
};

/* What the chokepoint knows of a request before performing it. */
struct rb_fx_desc {
	char name[64]; /* shown and logged: "http.put", "file.replace" */
	char target[RB_FX_TARGET_MAX]; /* URL, argv, path, secret name */
	int write;
	/* what a write holds a lease on ("url:http://h:80/p", "file:/p",
	 * "secret:NAME"); "" when nothing is leased */
	char lease[RB_FX_TARGET_MAX + 16];
};

/* One effect being performed by the chokepoint. */
struct rb_fx_call {
	struct rb_effect *e;
	const json_t *req;
	const struct rb_fx_kind *kind;
	struct rb_fx_desc desc;
	json_t *reply; /* what the worker gets (masked by the caller) */
	json_t *result; /* what the result log entry and plan record */
	json_t *diff; /* a file write's unified diff, or NULL */
	json_t *seen; /* what a read saw, for the plan's preconditions
	               * ({"status"?, "bytes", "sha256", "body"?}), or NULL */
	int simulated;
	int failed; /* performed, but its result says it failed (an exec
	             * that exited non-zero): "ok": false in the log */
};

struct rb_fx_kind {
	const char *name; /* the request's "kind" */
	enum rb_fx_access access;
	/* Checks the request and fills d (d->write is preset from
	 * access); -1 with err set (ERR_USAGE) when it is malformed. */
	int (*describe)(
	    const json_t *req, struct rb_fx_desc *d, struct err *err);
	/* Performs it with secret values substituted: 0, or -1 with err
	 * set (the message is masked by the caller). */
	int (*perform)(struct rb_fx_call *c, struct err *err);
	/* A write in full, for the plan and its hash (NULL: nothing more
	 * than its target): secret values as "***", the names of the
	 * secrets used appended to names. NULL with err set. May be NULL
	 * for a kind whose target says it all. */
	json_t *(*show)(struct rb_effect *e, const json_t *req, json_t *names,
	    struct err *err);
	/* The diff is for reading only: it holds what differs between two
	 * runs of the same plan (a commit's trailer names its run), and the
	 * payload holds the rest; the plan's hash leaves it out. */
	int diff_unhashed;
	/* A read of this machine's files only, through the guard: nothing
	 * leaves the machine and nothing waits on another host. A dry-run
	 * makes it inside its log batch, as it makes its simulated writes
	 * (whose diffs read the same files there): its intent is committed
	 * with the batch, not before it. Live runs commit first. */
	int dry_in_batch;
};

/* The kind named name, NULL when there is none. */
const struct rb_fx_kind *rb_fx_kind(const char *name);

/* Fills c->kind and c->desc for c->req; -1 with err set (ERR_USAGE) for
 * an unknown kind or a malformed request. */
int rb_fx_describe(struct rb_fx_call *c, struct err *err);

/* The kinds (rb_fx_http.c, rb_fx_exec.c, rb_fx_file.c, rb_fx_secret.c). */
extern const struct rb_fx_kind rb_fx_http_kind, rb_fx_exec_kind,
    rb_fx_file_read_kind, rb_fx_file_write_kind, rb_fx_secret_get_kind,
    rb_fx_secret_generate_kind, rb_fx_secret_put_kind, rb_fx_notify_kind;

/* The git kinds (rb_fx_git.c). */
extern const struct rb_fx_kind rb_fx_git_checkout_kind, rb_fx_git_read_kind,
    rb_fx_git_log_kind, rb_fx_git_write_kind, rb_fx_git_commit_kind,
    rb_fx_git_push_kind, rb_fx_git_revert_kind;

/* Helpers shared by the kinds. */

/* A reply string: masked, made valid UTF-8 (bad bytes become U+FFFD) so
 * that it travels as JSON. NULL when out of memory. */
json_t *rb_fx_text(const struct rb_effect *e, const char *s, size_t n);

/* Wipes a buffer that may have held a secret value, and frees it. */
void rb_fx_wipe(struct buf *b);

/* Resolves an object of name -> text-or-secret into kv (at most
 * RB_FX_MAX_KV; the values in vals, wiped with rb_fx_wipe by the
 * caller, *n of them). */
int rb_fx_kv(struct rb_effect *e, const json_t *obj, struct effects_kv *kv,
    struct buf *vals, size_t *n, const char *what, struct err *err);

/* The request's timeout_us (or def), cut to what is left of the run. */
int64_t rb_fx_timeout(const struct rb_fx_call *c, int64_t def);

/* Sets key in obj to the text s (n bytes) when it is at most
 * RB_FX_SHOW_TEXT bytes of printable UTF-8, else to {"bytes", "sha256"}. */
#define RB_FX_SHOW_TEXT 16384
void rb_fx_show_blob(json_t *obj, const char *key, const char *s, size_t n);

/* Sets key in obj to {"bytes": n, "sha256"} of the n bytes at s. */
void rb_fx_show_hash(json_t *obj, const char *key, const char *s, size_t n);

/* c->seen for a read that got data (n bytes) and, when status >= 0, a
 * status (HTTP status, exit code): its SHA-256 (of the status line and
 * the masked data), size and, when short text, the masked data. */
void rb_fx_saw(struct rb_fx_call *c, int status, const char *data, size_t n);

/* What an HTTP read declares it uses (rb_fx_uses.c): `uses`, a list of
 * at most RB_FX_USES_MAX paths into its JSON answer ("rate_limit",
 * "limits.until", "batches.*.state"; "*" is every element or member, a
 * number an element, from 1). Its precondition then covers the status
 * and those parts only. */
#define RB_FX_USES_MAX 32
#define RB_FX_USES_PATH 200

/* 0 when uses is NULL or a valid list, else -1 with err set (ERR_USAGE). */
int rb_fx_uses_check(const json_t *uses, struct err *err);

/* The parts of doc the paths name, in doc's shape (a new object). */
json_t *rb_fx_uses_of(const json_t *doc, const json_t *uses);

/* rb_fx_saw for a read that declared uses: c->seen's SHA-256 is of the
 * status and the parts used (c->seen.used), when the answer is JSON;
 * otherwise of the whole answer, as rb_fx_saw. */
void rb_fx_saw_uses(struct rb_fx_call *c, int status, const char *data,
    size_t n, const json_t *uses);

/* Nonzero when p is an absolute path without NUL bytes. */
int rb_fx_path_ok(const json_t *p);

/* Nonzero when s is a secret name: 1-64 letters, digits, '_', '-', '.'
 * not starting with '.'. */
int rb_fx_name_ok(const char *s);

#endif
