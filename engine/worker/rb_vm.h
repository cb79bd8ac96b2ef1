/* rb_vm.h: the Lua side of a runbook worker: one lua_State per run under
 * a capped allocator (over the cap the worker ends, it never sees NULL)
 * and a count hook for the deadline and cancel that re-arms itself on
 * every instruction once tripped, so pcall cannot swallow it. Runs the
 * runbook's chunk, reports its declaration, runs run(params) with steps
 * and undo, and asks the broker for every effect (rb_api.c). */
#ifndef OWL_RB_VM_H
#define OWL_RB_VM_H

#include <jansson.h>
#include <lua.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/buf.h"
#include "rb_mem.h"
#include "rb_proto.h"

enum rb_vm_mode {
	RB_VM_RUN, /* a runbook: decl, go, run(params), done */
	RB_VM_DATA, /* a data file (runbook tests): its value as JSON */
};

/* What the broker gives the worker at fork time (copied memory). */
struct rb_vm_conf {
	enum rb_vm_mode mode;
	const char *name; /* runbook name, for messages */
	const char *chunkname; /* "@degraded-mode.lua" */
	const char *source;
	size_t len;
	size_t mem_cap; /* bytes */
	int64_t load_deadline; /* clock_mono_us() time the load must end */
	const char *ref_key; /* secret references' key (rb_json.h); NULL:
	                      * secrets cannot be sent */
};

enum rb_vm_phase { RB_VM_LOAD, RB_VM_RUNNING, RB_VM_UNDO };

enum rb_vm_trip {
	RB_TRIP_NONE,
	RB_TRIP_CANCEL, /* SIGUSR1 from the broker (^C) */
	RB_TRIP_TIMEOUT, /* past the deadline */
	RB_TRIP_DECLINED, /* confirm() answered no */
	RB_TRIP_REFUSED, /* confirm() with nobody to answer */
};

/* The worker's state; its address is in lua_getextraspace. */
struct rb_vm {
	int fd;
	lua_State *L;
	const struct rb_vm_conf *conf;
	size_t used, cap;
	struct rb_mem mem; /* under the allocator: huge pages for big blocks */
	enum rb_vm_phase phase;
	int64_t deadline; /* clock_mono_us(); 0: none */
	enum rb_vm_trip trip;
	char trip_msg[256];
	int dry_run, no_undo;
	/* `owl recover RUN --undo`: the first `replay` steps were done by
	 * the interrupted run: step() records their undo without running
	 * them, and the run stops before the next one (0: a normal run) */
	int64_t replay;
	/* `owl recover RUN --retry`: after the `replay` steps, the run goes
	 * on from the next one; retry_check: that step had begun, and runs
	 * again only when declared idempotent = true */
	int retry, retry_check;
	int step_idem; /* the step beginning is declared idempotent */
	int in_step, nsteps;
	int failed; /* a step failed: the run has failed */
	char failed_step[128];
	int undo_ref; /* registry ref of the undo list */
	struct buf out; /* one-way messages not sent yet */
	struct rb_proto_in in; /* what the broker sent */
	int64_t out_since;
	int64_t undo_grace_us;
	int64_t skipped_us; /* sleep() time the broker did not wait */
	/* A dry-run's plain http writes, whose answer the broker's go
	 * message promises (rb_api_fx.c), go one-way with the step
	 * reports; effects counts the requests that count against the
	 * broker's cap of max_effects */
	int oneway;
	int64_t effects, max_effects;
};

/* Sends conf as the first message to a worker program started with
 * rb_worker_exec (a forked worker has it in its memory). */
int rb_vm_conf_send(int fd, const struct rb_vm_conf *conf, struct err *err);

/* The worker program's side: reads that message from fd into conf,
 * whose strings live in *held (json_decref it after the run). */
int rb_vm_conf_recv(
    int fd, struct rb_vm_conf *conf, json_t **held, struct err *err);

/* The worker's main function (an rb_worker_fn; arg is a struct
 * rb_vm_conf). Returns the worker's exit status. */
int rb_vm_main(int fd, void *arg);

/* The vm of a Lua state. */
struct rb_vm *rb_vm_get(lua_State *L);

/* Queues msg (taking ownership) for the broker without waiting: queued
 * messages go with the next request, or within 50 ms (the hook), so a
 * step's reports cost no extra wake-up of the broker. -1 when msg is
 * too big to send (over RB_PROTO_MAX): nothing was queued, the caller
 * fails what it was doing. A lost broker ends the worker. */
int rb_vm_send(struct rb_vm *vm, json_t *msg);

/* Sends the queued messages now. */
void rb_vm_flush(struct rb_vm *vm);

/* Sends msg (taking ownership) and returns the broker's reply (the
 * caller json_decrefs it); NULL when msg is too big to send. A lost
 * broker ends the worker. */
json_t *rb_vm_call(struct rb_vm *vm, json_t *msg);

/* Stops the run: records why, re-arms the hook to fire on every
 * instruction, and raises msg. Does not return. */
int rb_vm_trip(lua_State *L, enum rb_vm_trip why, const char *msg);

/* Raises the cancel now if the broker asked for it (after a reply, so
 * that a cancel during a sleep or an effect takes effect at once). */
void rb_vm_check_cancel(lua_State *L);

/* Pushes a message handler for lua_pcall that turns any error value into
 * a string (with the secret-safe tostring). Returns its index. */
int rb_vm_msgh(lua_State *L);

#endif
