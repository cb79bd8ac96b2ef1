/* rb_broker.h: the broker side of one run: forks the worker, answers its
 * messages (effects through the chokepoint, confirm, sleep, require, step
 * and log reports), enforces the wall-clock deadline by killing the
 * worker, turns ^C into a cancel, and renews the run's lease.
 *
 * Messages (rb_proto.h), worker -> broker:
 *   decl {decl}            the runbook{} table, after the chunk ran
 *   step {event: begin|end, i, name, undo, status?, ms?, error?}
 *   log {text}             one-way
 *   effect {kind, ...}     -> {ok, ...}            (rb_effect.h)
 *   effect {kind: http, oneway: true, ...}  no answer (rb_broker.oneway)
 *   confirm {text}         -> {answer: yes|no|nobody}
 *   sleep {us}             -> {skipped_us?} (not waited: dry-run, fakes)
 *   require {name}         -> {source, path} | {error}
 *   done {status, error?, failed_step?}
 *   data {value}           (RB_VM_DATA mode)
 * broker -> worker: go {params, config, incident, dry_run, no_undo,
 *   timeout_us, undo_grace_us} | stop {} */
#ifndef OWL_RB_BROKER_H
#define OWL_RB_BROKER_H

#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "rb_effect.h"
#include "rb_lease.h"
#include "worker/rb_vm.h"
#include "worker/rb_worker.h"
#include "rbsource.h"

enum rb_event_type {
	RB_EV_STEP_BEGIN,
	RB_EV_STEP_END,
	RB_EV_LOG,
	RB_EV_EFFECT,
};

/* What the front end is told as the run goes; strings are masked and
 * borrowed for the call (still untrusted: sanitise before printing). */
struct rb_event {
	enum rb_event_type type;
	int64_t i, total; /* step number and the expected number of steps */
	int undo;
	const char *name, *status, *error, *text;
	int64_t ms;
	const json_t *effect; /* RB_EV_EFFECT: the plan entry */
};

enum rb_confirm { RB_CONFIRM_YES, RB_CONFIRM_NO, RB_CONFIRM_NOBODY };

/* The front end (tui/): progress and the confirm prompt. */
struct rb_ui {
	void *ctx;
	void (*event)(void *ctx, const struct rb_event *ev);
	enum rb_confirm (*confirm)(void *ctx, const char *text);
	/* A confirm({ type = "target" }): the operator must type target.
	 * NULL: nobody can answer it here (the run is refused). */
	enum rb_confirm (*confirm_target)(
	    void *ctx, const char *text, const char *target);
	/* Sends what event() held back (NULL: event() writes at once). The
	 * broker calls it before anything that may take a while: the
	 * worker idle for a millisecond, confirm(), sleep(), an effect
	 * performed for real; and when the run ends. Holding the lines
	 * between two calls saves a write(2) per event on a fast run. */
	void (*flush)(void *ctx);
};

struct rb_broker {
	struct store *store;
	struct rb_effect fx; /* the chokepoint */
	const struct rb_ui *ui; /* may be NULL */
	const char *dir; /* where require() finds modules */
	struct rbsource *src; /* ...or this snapshot, when set */
	volatile sig_atomic_t *cancel; /* ^C count, may be NULL */
	int yes, dry_run;
	/* `owl recover --retry`: the confirm() calls before step
	 * answered_through + 1 were answered by the interrupted run
	 * (answered_by): they are not asked again (0: none) */
	int64_t answered_through, answered_by, began;
	int64_t total; /* expected steps (0: unknown) */
	const char *lease_runbook; /* set when the run holds a lease */
	int64_t lease_incident;

	pid_t pid;
	int fd;
	struct rb_proto_in in; /* reads fd */
	int wstatus, reaped;
	cpu_set_t cpus; /* the broker's own, while pinned */
	int pinned;
	int64_t deadline, kill_at, timeout_us, undo_grace_us;
	struct rb_lease_keeper *keeper; /* renews the lease while serving */
	int64_t stop_at; /* when it began stopping (0: not) */
	size_t mem_cap;
	int cancels_sent, killed;

	int64_t logs, logs_dropped; /* log() lines recorded, not recorded */
	json_t *steps; /* [{name, status, ms, undo?}] */
	json_t *undoable; /* numbers of the steps that completed, whose
	                   * undo may still write */
	json_t *undo_failed; /* the steps whose undo failed ("'name':
	                      * error"): the run ends rollback-failed */
	int64_t step_seq;
	char status[16]; /* ok|failed|rollback-failed|cancelled|refused */
	char error[1024]; /* masked */
	int done;
	int ui_held; /* events were given to ui since its last flush */
	/* A dry-run (not `owl apply`, no step failed yet): the worker may
	 * send a plain http write one-way ("oneway": true), its answer
	 * known (status 200, empty body, simulated); the broker checks it
	 * gave that answer, and sends none */
	int oneway;
	/* Why the owl-worker beside owl was not run (another build's), as
	 * rb_broker_start said it on stderr; "" when nothing was wrong. A
	 * run logs it too (run.log after run.start): a detached or
	 * TUI-started run's stderr is read by no one */
	char worker_warning[512];
};

/* Forks the worker for conf (which must stay valid until the worker has
 * read it: fork copies it) and waits for its declaration (or, in data
 * mode, its value) until conf->load_deadline. *out is the caller's. A
 * runbook that fails to load: -1 with ERR_USAGE and the Lua message. */
int rb_broker_start(struct rb_broker *b, const struct rb_vm_conf *conf,
    const struct rb_worker_limits *lim, json_t **out, struct err *err);

/* Sends "go" (takes ownership of go) and serves the worker until it is
 * done, dies or is killed; fills status and error. -1 only when the
 * broker itself fails (the database, the socket). */
int rb_broker_serve(struct rb_broker *b, json_t *go, struct err *err);

/* Handles one message from the worker (m is borrowed; members that are
 * the protocol's, such as an effect's "oneway", may be removed): a step or log
 * report, an effect through the chokepoint, confirm, sleep, require,
 * done; answers on b->fd. -1 with err set when the message is not one
 * the worker may send, or the broker itself fails. (rb_broker_serve's
 * loop; public for tests/fuzz/fuzz_broker.c.) */
int rb_broker_message(struct rb_broker *b, json_t *m, struct err *err);

/* The answer to require(name): {source, path} or {error}
 * (rb_broker_module.c). */
json_t *rb_broker_module(struct rb_broker *b, const char *name);

/* Tells a started worker to stop (when the run is refused before "go"),
 * kills it if needed, and reaps it. Safe to call twice. */
void rb_broker_stop(struct rb_broker *b);

#endif
