/* rb_effect.h: the one chokepoint every runbook effect passes, in the
 * broker. For each request from the worker it appends an intent entry to
 * the action log (committed before any real write is made), substitutes
 * secret values at the last moment, calls the effects implementation,
 * appends a result entry, records the effect in the run's plan (with a
 * unified diff for file writes) and answers the worker. Everything it
 * writes to the log, the plan or the reply is masked. */
#ifndef OWL_RB_EFFECT_H
#define OWL_RB_EFFECT_H

#include <jansson.h>
#include <stdint.h>

#include "actor.h"
#include "config.h"
#include "effects.h"
#include "err.h"
#include "rb_apply.h"
#include "rb_guard.h"
#include "rb_secret.h"
#include "store.h"

#define RB_EFFECT_MAX 100000 /* effects (and confirms) per run */
/* The plan's note on a read_only exec that a dry-run simulated. */
#define RB_EFFECT_DRY_EXEC_NOTE                                                \
	"would run (not allowed in dry-run by the config)"
#define RB_EFFECT_DIFFS_MAX ((size_t)64 << 20) /* diff bytes kept per run */

struct rb_effect {
	struct store *store;
	int64_t run_id; /* 0 until the run row exists */
	int64_t incident; /* 0: none */
	char actor[ACTOR_MAX];
	const struct effects *fx;
	int dry_run;
	int instant; /* fx never blocks (fakes): batch the log writes */
	struct rb_secrets secrets;
	struct rb_guard guard; /* which files runbooks may touch */
	json_t *plan; /* array of effect entries, masked */
	json_t *last; /* the newest entry (borrowed from plan) */
	int step_i, undo; /* the step running now (0: none) */
	char step[256];
	/* The begin row (run_steps, "running") of the step running now,
	 * not written yet: it is written into the log's transaction before
	 * anything is committed (so no commit holds a step's effects, log
	 * lines or later steps without it), and a step that ends first
	 * (its effects dry-run writes or fakes, never committed on their
	 * own) gets one row, written once. */
	struct rb_effect_step_row {
		int pending;
		int64_t seq, i, started_at;
		int undo;
		int idempotent; /* the step declares idempotent = true */
		char *name; /* masked */
	} step_row;
	/* After the first failed step no write but undo is made: undo_ok
	 * is set while the undo of a step that completed runs. */
	int failed, undo_ok;
	char failed_msg[512]; /* the failed step's message, masked */
	int64_t seq;
	int64_t max_effects; /* RB_EFFECT_MAX unless changed */
	int64_t deadline; /* clock_mono_us(): no HTTP request or command
	                   * runs past it (the run's); 0: none */
	volatile sig_atomic_t *cancel; /* ^C count: a new ^C cuts short
	                                * the request in flight; NULL */
	size_t diff_bytes, max_diffs; /* kept in the plan so far, at most */
	int txn; /* a write transaction is open */
	int64_t txn_since;
	/* An entry could not be written to the action log: the run must
	 * stop (the broker does), with this message. */
	int log_failed;
	char log_error[512];
	/* Called (when set) before an effect is performed for real, which
	 * may take a while: the broker shows the progress it holds. */
	void (*before_perform)(void *ctx);
	void *before_perform_ctx;
	/* `owl apply`: the plan this run is held to (borrowed), or NULL */
	struct rb_apply *apply;
	/* ...and on a terminal: asks whether to make a write the plan does
	 * not hold anyway (1: yes, 0: no, -1: nobody can answer); NULL:
	 * such a write stops the run */
	int (*ask_off_plan)(void *ctx, const char *question);
	void *ask_ctx;
	/* Why the run was refused (a stale plan, a write not in it, a
	 * target another run holds): it ends "refused", exit 3; "" */
	char refused[1024];
	/* --wait: a write to a target another run holds waits for it (to
	 * the deadline or ^C) instead of being refused */
	int wait_leases;
};

/* Prepares a chokepoint over fx (borrowed) for one run, with the file
 * policy of config (may be NULL: the defaults; rb_guard.h). -1 with err
 * set (ERR_USAGE for a bad policy in the config). */
int rb_effect_init(struct rb_effect *e, struct store *s,
    const struct effects *fx, int dry_run, const struct config *config,
    struct err *err);

/* Registers every secret value fx can give with the run's masker, so
 * that none shows anywhere from the run's start, even one the runbook
 * never asks for (a value under MASK_MIN_LEN bytes cannot be masked and
 * is skipped). Call it after the worker is forked: the worker must not
 * hold a copy of the values. */
int rb_effect_preload(struct rb_effect *e, struct err *err);

/* The config as the worker gets it: a copy of config (may be NULL: an
 * empty table) without owl's own sections that hold credentials
 * (oncall, notify, serve, alertmanagers), where the password of every URL
 * ("https://u:PW@host") is "***", each also taught to the masker. The
 * caller owns it (json_decref); NULL with err set on failure. */
json_t *rb_effect_config(
    struct rb_effect *e, const json_t *config, struct err *err);

/* Commits what is pending, wipes the secrets and frees the plan. */
void rb_effect_done(struct rb_effect *e);

/* Performs one effect request ({"t": "effect", "kind": ...}) and returns
 * the reply for the worker: {"ok": true, ...} or {"ok": false, "error"}.
 * NULL only when out of memory. A failure to log is a failed effect:
 * nothing is done unlogged. The plan is held in memory and stored, so a
 * run is bounded: past max_effects (RB_EFFECT_MAX) effects each request
 * fails, and past max_diffs (RB_EFFECT_DIFFS_MAX) bytes of diffs a
 * write's diff is a note. */
json_t *rb_effect_do(struct rb_effect *e, const json_t *req);

/* Records a dry-run answer to confirm() in the plan and the log. */
int rb_effect_confirm(
    struct rb_effect *e, const char *text, const char *answer, struct err *err);

/* Appends an action-log entry for the run (masked; takes ownership of
 * detail), inside the batching transaction when one is open. */
int rb_effect_log(
    struct rb_effect *e, const char *kind, json_t *detail, struct err *err);

/* A step begins (its row waits: see step_row); a begin row still
 * waiting is written first (a step begun inside another). */
int rb_effect_step_begin(struct rb_effect *e, int64_t seq, int64_t i, int undo,
    const char *name, int idempotent, struct err *err);

/* A step ends: its one row when its begin row is still waiting, else
 * its row updated; inside the batching transaction. */
int rb_effect_step_end(struct rb_effect *e, int64_t seq, int64_t i,
    const char *name, int undo, const char *status, int64_t ms,
    const char *error, struct err *err);

/* Opens the batching transaction unless one is open. */
int rb_effect_begin(struct rb_effect *e, struct err *err);

/* Rolls the batching transaction back if one is open. */
void rb_effect_abort(struct rb_effect *e);

/* Commits the batching transaction if one is open, with the begin row
 * of the step running now if it waits (written even when nothing else
 * is: an idle broker makes the step in flight durable). */
int rb_effect_flush(struct rb_effect *e, struct err *err);

/* Commits when the batch has been open longer than max_us. */
int rb_effect_flush_old(struct rb_effect *e, int64_t max_us, struct err *err);

/* Masks every string of j in place; cuts strings longer than cut bytes
 * when cut > 0. */
void rb_effect_mask_json(const struct rb_effect *e, json_t *j, size_t cut);

/* A masked copy of s (free()); NULL when out of memory. */
char *rb_effect_mask(const struct rb_effect *e, const char *s);

#endif
