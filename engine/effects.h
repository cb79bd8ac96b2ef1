/* effects.h: the one interface through which a runbook touches the
 * world: a struct of function pointers implemented three times: live
 * (integrations/effects_live.c: libcurl, posix_spawn, files), dry-run
 * (effects_dry.c: reads go to an inner implementation, writes are
 * simulated) and fake (effects_fake.c: answers from a test's
 * declarations). Only the broker's chokepoint (rb_effect.c) calls it, so
 * every call is logged before and after and every secret masked. */
#ifndef OWL_EFFECTS_H
#define OWL_EFFECTS_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define EFFECTS_BODY_MAX ((size_t)8 << 20) /* HTTP bodies, files */
#define EFFECTS_OUTPUT_MAX ((size_t)1 << 20) /* exec stdout/stderr each */
#define EFFECTS_HTTP_TIMEOUT_US (INT64_C(30) * 1000000) /* the defaults */
#define EFFECTS_EXEC_TIMEOUT_US (INT64_C(60) * 1000000)

/* A name and a value (the value may be a secret, resolved at the last
 * moment by the chokepoint). */
struct effects_kv {
	const char *name;
	const char *value;
	size_t len;
};

struct effects_http {
	const char *method; /* GET HEAD POST PUT PATCH DELETE */
	const char *url;
	const struct effects_kv *headers;
	size_t nheaders;
	const char *body; /* NULL: none */
	size_t body_len;
	int64_t timeout_us; /* 0: the default (30 s) */
	/* ^C: the request is cut short once *cancel differs from
	 * cancel_seen (the count when it started); NULL: never */
	const volatile sig_atomic_t *cancel;
	sig_atomic_t cancel_seen;
};

struct effects_http_res {
	long status;
	struct buf body; /* at most EFFECTS_BODY_MAX */
	json_t *headers; /* object, lower-case names; NULL: none */
	int simulated;
};

struct effects_exec {
	char *const *argv; /* NULL-terminated; argv[0] looked up in PATH */
	const struct effects_kv *env; /* added to a minimal environment */
	size_t nenv;
	const char *stdin_data; /* NULL: /dev/null */
	size_t stdin_len;
	int64_t timeout_us; /* 0: the default (60 s) */
	int read_only; /* the runbook says it changes nothing */
	const volatile sig_atomic_t *cancel; /* as in effects_http */
	sig_atomic_t cancel_seen;
};

struct effects_exec_res {
	int code; /* exit status; 128+N when killed by signal N */
	int timed_out;
	int cancelled; /* cut short by ^C (killed) */
	struct buf out, err; /* each at most EFFECTS_OUTPUT_MAX */
	int simulated;
};

struct effects_file_res {
	struct buf content;
	int missing; /* no such file */
	int unknown; /* an offline dry-run: content not read */
	int simulated;
};

/* The git effect: each checkout is a private work copy that the
 * implementation keeps, named by a small handle, until it is freed. */
enum effects_git_op {
	EFFECTS_GIT_CHECKOUT, /* url, ref, credentials -> handle, id */
	EFFECTS_GIT_READ, /* handle, path -> content or missing */
	EFFECTS_GIT_WRITE, /* handle, path, data: staged in the copy */
	EFFECTS_GIT_LOG, /* handle, path, limit -> log (newest first) */
	EFFECTS_GIT_COMMIT, /* handle, message, name, email -> id */
	EFFECTS_GIT_OUTGOING, /* handle -> log: the commits push would send */
	EFFECTS_GIT_PUSH, /* handle -> from, id (never forced) */
	EFFECTS_GIT_REVERT, /* handle, message (a trailer), name, email -> id */
};

#define EFFECTS_GIT_ID 41 /* a commit id in hex and its NUL */

struct effects_git {
	enum effects_git_op op;
	int handle;
	const char *url, *ref;
	const char *user; /* credentials, secret values: never logged */
	const char *token;
	size_t token_len;
	const char *ssh_key;
	size_t ssh_key_len;
	const char *path;
	const char *data;
	size_t len;
	int limit;
	const char *message, *name, *email;
};

struct effects_git_res {
	int handle;
	struct buf content; /* read: at most EFFECTS_BODY_MAX */
	int missing;
	/* log: [{"commit", "author", "email", "time", "subject",
	 * "content" (null: deleted)}]; outgoing: the same without content */
	json_t *log;
	char id[EFFECTS_GIT_ID], from[EFFECTS_GIT_ID];
	int simulated;
};

void effects_git_res_init(struct effects_git_res *r);
void effects_git_res_done(struct effects_git_res *r);

/* Called for each secret value an implementation can give (see
 * secret_each); nonzero stops the walk. The value is borrowed. */
typedef int effects_secret_fn(
    void *arg, const char *name, const char *value, size_t n);

/* Capabilities of an implementation (struct effects.caps): callers ask
 * for what an implementation does, never for its name. */
#define EFFECTS_INSTANT                                                        \
	0x1u /* answers at once and never blocks (fakes):                      \
	      * log writes may be batched, sleep() takes no                    \
	      * real time */
#define EFFECTS_SIMULATES 0x2u /* writes are recorded, not made (dry-run) */

struct effects {
	const char *name; /* "live", "dry-run", "fake": for messages only */
	unsigned caps; /* EFFECTS_* */
	void *ctx;
	/* Each returns 0 with the result filled (an HTTP error status or a
	 * non-zero exit is a result, not a failure), or -1 with err set
	 * when the effect could not be performed. Results are initialised
	 * by the caller (effects_*_res_init) and freed with *_done. */
	int (*http)(void *ctx, const struct effects_http *req,
	    struct effects_http_res *res, struct err *err);
	int (*exec)(void *ctx, const struct effects_exec *req,
	    struct effects_exec_res *res, struct err *err);
	int (*file_read)(void *ctx, const char *path,
	    struct effects_file_res *res, struct err *err);
	/* Writes atomically (temp file, fsync, rename). mode -1: keep the
	 * existing file's mode, 0644 for a new one. */
	int (*file_write)(void *ctx, const char *path, const char *data,
	    size_t n, int mode, int *simulated, struct err *err);
	/* Reads a named secret into value (the caller wipes and frees). */
	int (*secret_get)(
	    void *ctx, const char *name, struct buf *value, struct err *err);
	int (*secret_put)(void *ctx, const char *name, const char *value,
	    size_t n, int *simulated, struct err *err);
	int (*notify)(
	    void *ctx, const char *text, int *simulated, struct err *err);
	/* Calls fn with every secret value it could give to secret_get
	 * (the config's sources and owl's secret directory; a test's
	 * fakes), so that a run masks all of them from its start; a source
	 * that cannot be read is skipped. The live implementation then
	 * removes the environment variables it read from the process
	 * environment (keeping their values for secret_get). */
	/* The git effect (see effects_git): 0 with res filled, -1 with err
	 * set; NULL when the implementation has none. */
	int (*git)(void *ctx, const struct effects_git *req,
	    struct effects_git_res *res, struct err *err);
	int (*secret_each)(
	    void *ctx, effects_secret_fn *fn, void *arg, struct err *err);
	void (*free)(void *ctx); /* NULL: nothing to free */
};

void effects_http_res_init(struct effects_http_res *r);
void effects_http_res_done(struct effects_http_res *r);
void effects_exec_res_init(struct effects_exec_res *r);
void effects_exec_res_done(struct effects_exec_res *r);
void effects_file_res_init(struct effects_file_res *r);
void effects_file_res_done(struct effects_file_res *r);

/* Frees an implementation made by one of the *_new functions; accepts
 * NULL. */
void effects_free(struct effects *fx);

/* HTTP methods that only read (GET, HEAD). */
int effects_http_is_read(const char *method);

#endif
