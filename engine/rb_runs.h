/* rb_runs.h: the rows of runbook runs and their steps, stored plans, and
 * finding runs left "running" by a process that died (marked
 * "interrupted", naming the step and the effect whose intent has no
 * result). */
#ifndef OWL_RB_RUNS_H
#define OWL_RB_RUNS_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

struct rb_runs_new {
	const char *runbook;
	const char *source; /* "dir:/path/to/runbooks" */
	const char *commit; /* NULL: not from a repository */
	const char *source_sha256;
	const char *params; /* canonical JSON, masked */
	int64_t incident; /* 0: none */
	const char *actor;
	int dry_run, offline;
};

/* Inserts a run with status "running" (in the caller's transaction). */
int rb_runs_insert(
    struct store *s, const struct rb_runs_new *r, int64_t *id, struct err *err);

/* Sets the final status, error (may be NULL) and plan. */
int rb_runs_finish(struct store *s, int64_t id, const char *status,
    const char *error, int64_t plan_id, struct err *err);

/* Records a step event (begin: status "running"; end: final status; a
 * step whose begin was not recorded gets its one row at its end), with
 * the time it started (clock_now_us) for a new row. */
int rb_runs_step(struct store *s, int64_t run_id, int64_t seq, int64_t idx,
    const char *name, int undo, const char *status, int64_t started_at,
    int64_t ms, const char *error, struct err *err);

/* Marks the step begun as event seq as declared idempotent = true. */
int rb_runs_step_idempotent(
    struct store *s, int64_t run_id, int64_t seq, struct err *err);

/* The part of a plan entry that its plan's hash covers (and that two
 * plans compare): kind, target, method, write, payload (every byte a
 * write sends, secrets as their names), diff (unless its kind says the
 * diff only shows run-specific ids: rb_fx.h diff_unhashed); the
 * caller's. */
json_t *rb_runs_key(const json_t *e);

/* Stores a plan (effects array, masked) and returns its id and hash (64
 * hex digits). The hash covers kind, method, target, write and diff of
 * each effect, in order. */
int rb_runs_plan_store(struct store *s, int64_t run_id, const char *runbook,
    const char *source_sha256, const char *params, int dry_run,
    const json_t *effects, int64_t *id, char hash[65], struct err *err);

/* The newest dry-run plan for the same runbook source and params (*id 0
 * and *effects NULL when none). *effects is the caller's. */
int rb_runs_plan_last(struct store *s, const char *runbook,
    const char *source_sha256, const char *params, int64_t *id,
    json_t **effects, struct err *err);

/* Number of steps of the newest plan of a runbook source (0: none). */
int rb_runs_plan_steps(
    struct store *s, const char *runbook, const char *source_sha256);

/* Where a live run departed from its plan: write effects that were not
 * planned, and planned ones that did not happen, as an array of
 * {"departure": "unplanned"|"not done", "kind", "target"}. */
json_t *rb_runs_departures(const json_t *planned, const json_t *done);

/* Called for each run found interrupted. */
typedef void rb_runs_sweep_fn(
    void *ctx, int64_t run_id, const char *runbook, const char *why);

/* Marks runs left "running" by a dead process (a dead pid on this host,
 * or an expired lease elsewhere) as "interrupted", logs each with the
 * step in flight and the effect whose intent has no result. */
int rb_runs_sweep(
    struct store *s, rb_runs_sweep_fn *fn, void *ctx, struct err *err);

/* Describes why a run stopped: the step in flight and the effect whose
 * intent has no result ("during step 'switch' (http.put http://x
 * started, no result)"), into out. */
int rb_runs_inflight(
    struct store *s, int64_t run_id, char *out, size_t n, struct err *err);

/* A run as `owl show` lists it; strings are borrowed for the call. */
struct rb_runs_row {
	int64_t id;
	const char *runbook;
	const char *actor;
	const char *status; /* running, ok, failed, ..., interrupted */
	const char *error; /* NULL when none */
	int dry_run;
	int64_t started_at, ended_at; /* ended_at 0: not ended */
	int64_t plan_id; /* 0: none */
	const char *commit; /* the runbook's version: NULL when none */
	const char *ref; /* the ref asked for, NULL when none */
	const char *blob; /* the runbook file's blob id, NULL when none */
	int dirty; /* read from uncommitted working files */
	/* rb_runs_each only (0/NULL from rb_runs_of_incident): */
	int64_t incident; /* 0: none */
	int64_t pid;
	const char *host;
	const char *params; /* canonical JSON, masked */
};

/* Returns nonzero to stop. */
typedef int rb_runs_row_fn(const struct rb_runs_row *r, void *ctx);

/* Calls fn for each run bound to the incident (owl run --incident),
 * oldest first. 0, or -1 with err set. */
int rb_runs_of_incident(struct store *s, int64_t incident, rb_runs_row_fn *fn,
    void *ctx, struct err *err);

/* Which runs rb_runs_each lists: running ones first, then newest. */
struct rb_runs_query {
	int64_t incident; /* 0: any */
	int64_t run; /* 0: any; else only this one */
	const char *status; /* NULL: any; "running", "ok", ... */
	int64_t limit; /* 0: all */
};

int rb_runs_each(struct store *s, const struct rb_runs_query *q,
    rb_runs_row_fn *fn, void *ctx, struct err *err);

/* One step event of a run (a row of run_steps), borrowed for the call. */
struct rb_runs_step_row {
	int64_t seq, idx;
	const char *name;
	int undo;
	const char *status; /* running, ok, failed, ... */
	int64_t started_at, ms; /* ms -1: still running */
	const char *error; /* NULL: none */
};

typedef int rb_runs_step_fn(const struct rb_runs_step_row *r, void *ctx);

/* The effects of a stored plan (*effects NULL when there is none; the
 * caller's). */
int rb_runs_plan_effects(
    struct store *s, int64_t plan, json_t **effects, struct err *err);

/* The steps of a run in order, calling fn for each. */
int rb_runs_steps(struct store *s, int64_t run, rb_runs_step_fn *fn, void *ctx,
    struct err *err);

/* The steps a run left undone (a rollback-failed run: the undo of each
 * failed): "'write' (step 1), 'pin' (step 3)" into out (n bytes; ""
 * none). Returns how many, or -1 with err set. */
int rb_runs_left_undone(
    struct store *s, int64_t run, char *out, size_t n, struct err *err);

#endif
