/* rb_vm.c: the Lua side of the runbook worker (see rb_vm.h). Runs after
 * rb_worker_confine(): it can compute and talk to the broker, nothing
 * else. */
#include "rb_vm.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/clock.h"
#include "rb_api.h"
#include "rb_json.h"
#include "rb_proto.h"
#include "rb_sandbox.h"
#include "rb_worker.h"

#define RB_VM_HOOK_EVERY 1000

/* Set by the broker's SIGUSR1 (cancel); a signal handler can only set a
 * flag, and the hook reads it. */
static volatile sig_atomic_t rb_vm_cancel;

static void
rb_vm_on_cancel(int sig)
{
	(void)sig;
	rb_vm_cancel = 1;
}

/* The capped allocator: past the cap the worker ends at once (exit
 * status RB_WORKER_EXIT_MEMCAP), so a failing allocation never reaches
 * Lua's emergency paths (SECURITY.md §1.5, 983bc433). */
static void *
rb_vm_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct rb_vm *vm = ud;
	void *p;

	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		rb_mem_realloc(&vm->mem, ptr, osize, 0);
		vm->used -= osize;
		return NULL;
	}
	if (nsize > osize && nsize - osize > vm->cap - vm->used) {
		rb_vm_flush(vm); /* the reports and one-way writes made */
		_exit(RB_WORKER_EXIT_MEMCAP);
	}
	if ((p = rb_mem_realloc(&vm->mem, ptr, osize, nsize)) == NULL)
		_exit(RB_WORKER_EXIT_MEMCAP);
	vm->used = vm->used - osize + nsize;
	return p;
}

struct rb_vm *
rb_vm_get(lua_State *L)
{
	return *(struct rb_vm **)lua_getextraspace(L);
}

static void
rb_vm_hook(lua_State *L, lua_Debug *ar)
{
	struct rb_vm *vm = rb_vm_get(L);
	int64_t deadline;

	(void)ar;
	if (vm->out.len > 0 && clock_mono_us() - vm->out_since > 50000)
		rb_vm_flush(vm);
	if (vm->trip != RB_TRIP_NONE && vm->phase != RB_VM_UNDO) {
		lua_sethook(L, rb_vm_hook, LUA_MASKCOUNT, 1);
		luaL_error(L, "%s", vm->trip_msg);
	}
	if (rb_vm_cancel && vm->phase == RB_VM_RUNNING)
		rb_vm_trip(L, RB_TRIP_CANCEL, "run cancelled");
	deadline =
	    vm->phase == RB_VM_LOAD ? vm->conf->load_deadline : vm->deadline;
	if (deadline != 0 && clock_mono_us() > deadline) {
		if (vm->phase == RB_VM_UNDO) {
			lua_sethook(L, rb_vm_hook, LUA_MASKCOUNT, 1);
			luaL_error(L, "undo ran out of time");
		}
		rb_vm_trip(L, RB_TRIP_TIMEOUT,
		    vm->phase == RB_VM_LOAD
		        ? "loading the runbook took too long"
		        : "run exceeded its timeout");
	}
}

void
rb_vm_check_cancel(lua_State *L)
{
	if (rb_vm_cancel && rb_vm_get(L)->phase == RB_VM_RUNNING)
		rb_vm_trip(L, RB_TRIP_CANCEL, "run cancelled");
}

int
rb_vm_trip(lua_State *L, enum rb_vm_trip why, const char *msg)
{
	struct rb_vm *vm = rb_vm_get(L);

	if (vm->trip == RB_TRIP_NONE) {
		vm->trip = why;
		snprintf(vm->trip_msg, sizeof vm->trip_msg, "%s", msg);
	}
	lua_sethook(L, rb_vm_hook, LUA_MASKCOUNT, 1);
	return luaL_error(L, "%s", vm->trip_msg);
}

void
rb_vm_flush(struct rb_vm *vm)
{
	struct err err;

	err_init(&err);
	if (vm->out.len > 0 &&
	    rb_proto_write(vm->fd, vm->out.data, vm->out.len, &err) == -1)
		_exit(RB_WORKER_EXIT_OK + 2);
	buf_reset(&vm->out);
}

int
rb_vm_send(struct rb_vm *vm, json_t *msg)
{
	struct err err;
	int rc;

	err_init(&err);
	if (msg == NULL)
		_exit(RB_WORKER_EXIT_OK + 2);
	if (vm->out.len == 0)
		vm->out_since = clock_mono_us();
	rc = rb_proto_frame(msg, &vm->out, &err);
	if (rc == -1 && vm->out.len > 0) { /* no room behind the queue */
		rb_vm_flush(vm);
		err_init(&err);
		vm->out_since = clock_mono_us();
		rc = rb_proto_frame(msg, &vm->out, &err);
	}
	json_decref(msg);
	if (rc == -1 && err.code == ERR_USAGE)
		return -1; /* too big: the caller fails what it was doing */
	if (rc == -1)
		_exit(RB_WORKER_EXIT_OK + 2);
	if (vm->out.len > ((size_t)64 << 10))
		rb_vm_flush(vm);
	return 0;
}

json_t *
rb_vm_call(struct rb_vm *vm, json_t *msg)
{
	struct err err;
	json_t *reply;

	if (rb_vm_send(vm, msg) == -1)
		return NULL;
	rb_vm_flush(vm);
	err_init(&err);
	if (rb_proto_recv(&vm->in, &reply, 0, &err) == -1)
		_exit(RB_WORKER_EXIT_OK + 2);
	return reply;
}

static int
rb_vm_msgh_fn(lua_State *L)
{
	if (lua_type(L, 1) != LUA_TSTRING) {
		rb_sandbox_tostring(L, 1, NULL);
		lua_replace(L, 1);
	}
	lua_settop(L, 1);
	return 1;
}

int
rb_vm_msgh(lua_State *L)
{
	lua_pushcfunction(L, rb_vm_msgh_fn);
	return lua_gettop(L);
}

/* Runs the function below the top with nargs arguments under the message
 * handler; leaves nres results or the message. */
static int
rb_vm_pcall(lua_State *L, int nargs, int nres)
{
	int base = lua_gettop(L) - nargs, rc;

	lua_pushcfunction(L, rb_vm_msgh_fn);
	lua_insert(L, base);
	rc = lua_pcall(L, nargs, nres, base);
	lua_remove(L, base);
	return rc;
}

static void
rb_vm_done(struct rb_vm *vm, const char *status, const char *error)
{
	char cut[4096];

	/* an error message of any size (error(string.rep(...))) still
	 * ends the run properly */
	if (error != NULL && strlen(error) >= sizeof cut) {
		size_t n = sizeof cut - 8;
		while (n > 0 && ((unsigned char)error[n] & 0xc0) == 0x80)
			n--;
		snprintf(cut, sizeof cut, "%.*s (cut)", (int)n, error);
		error = cut;
	}
	rb_vm_send(vm,
	    json_pack("{s:s, s:s, s:s?, s:s?}", "t", "done", "status", status,
	        "error", error, "failed_step",
	        vm->failed_step[0] ? vm->failed_step : NULL));
	rb_vm_flush(vm);
}

/* Runs the undo functions of the completed steps, newest first. */
static void
rb_vm_undo(struct rb_vm *vm)
{
	lua_State *L = vm->L;
	lua_Integer n;

	vm->phase = RB_VM_UNDO;
	vm->deadline = clock_mono_us() + vm->undo_grace_us;
	lua_sethook(L, rb_vm_hook, LUA_MASKCOUNT, RB_VM_HOOK_EVERY);
	lua_rawgeti(L, LUA_REGISTRYINDEX, vm->undo_ref);
	n = (lua_Integer)lua_rawlen(L, -1);
	for (lua_Integer i = n; i >= 1; i--) {
		lua_rawgeti(L, -1, i);
		rb_api_run_undo(vm, lua_gettop(L));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static int
rb_vm_go(struct rb_vm *vm, const json_t *go)
{
	lua_State *L = vm->L;
	int64_t timeout = json_integer_value(json_object_get(go, "timeout_us"));

	vm->dry_run = json_is_true(json_object_get(go, "dry_run"));
	vm->no_undo = json_is_true(json_object_get(go, "no_undo"));
	vm->replay = json_integer_value(json_object_get(go, "replay"));
	vm->retry = json_is_true(json_object_get(go, "retry"));
	vm->retry_check = json_is_true(json_object_get(go, "retry_check"));
	vm->oneway = json_is_true(json_object_get(go, "oneway"));
	vm->max_effects =
	    json_integer_value(json_object_get(go, "max_effects"));
	vm->undo_grace_us =
	    json_integer_value(json_object_get(go, "undo_grace_us"));
	vm->deadline = timeout > 0 ? clock_mono_us() + timeout : 0;
	rb_api_bind(L, go);
	lua_getglobal(L, "run");
	lua_getglobal(L, "params");
	vm->phase = RB_VM_RUNNING;
	return rb_vm_pcall(L, 1, 0);
}

/* After the chunk ran: report the declaration, wait for "go", run. */
static int
rb_vm_run(struct rb_vm *vm)
{
	lua_State *L = vm->L;
	const char *status = "ok", *error = NULL;
	json_t *decl, *go;
	struct err err;

	err_init(&err);
	if ((decl = rb_api_decl(L, &err)) == NULL) {
		rb_vm_done(vm, "failed", err.msg);
		return 0;
	}
	go = rb_vm_call(vm, json_pack("{s:s, s:o}", "t", "decl", "decl", decl));
	if (go == NULL) {
		rb_vm_done(
		    vm, "failed", "runbook{}: the declaration is too large");
		return 0;
	}
	if (strcmp(rb_proto_type(go), "go") != 0) {
		json_decref(go);
		return 0;
	}
	if (rb_vm_go(vm, go) != LUA_OK)
		error = lua_tostring(L, -1);
	json_decref(go);
	if (vm->trip == RB_TRIP_CANCEL || vm->trip == RB_TRIP_DECLINED ||
	    vm->trip == RB_TRIP_REFUSED) {
		status = vm->trip == RB_TRIP_REFUSED ? "refused" : "cancelled";
		error = vm->trip_msg;
	} else if (error != NULL || vm->failed) {
		status = "failed";
		if (vm->trip == RB_TRIP_TIMEOUT)
			error = vm->trip_msg;
	}
	/* a recovery that replayed every step still undoes them */
	if (vm->replay > 0 && !vm->retry && strcmp(status, "ok") == 0) {
		status = "failed";
		error = "recover: undoing the steps the interrupted run did";
	}
	if (strcmp(status, "ok") != 0 && !vm->no_undo)
		rb_vm_undo(vm);
	rb_vm_done(vm, status, error);
	return 0;
}

static int
rb_vm_data(struct rb_vm *vm)
{
	struct err err;
	json_t *v;

	err_init(&err);
	v = rb_json_from_lua(vm->L, -1, RB_JSON_SECRETS_REFUSE, &err);
	if (v == NULL) {
		rb_vm_done(vm, "failed", err.msg);
		return 0;
	}
	if (rb_vm_send(vm, json_pack("{s:s, s:o}", "t", "data", "value", v)) ==
	    -1)
		rb_vm_done(vm, "failed", "the value is too large");
	rb_vm_flush(vm);
	return 0;
}

int
rb_vm_conf_send(int fd, const struct rb_vm_conf *conf, struct err *err)
{
	json_t *m = json_pack("{s:s, s:i, s:s, s:s, s:s%, s:I, s:I, s:s?}", "t",
	    "conf", "mode", (int)conf->mode, "name", conf->name, "chunkname",
	    conf->chunkname, "source", conf->source, conf->len, "mem_cap",
	    (json_int_t)conf->mem_cap, "load_deadline",
	    (json_int_t)conf->load_deadline, "ref_key", conf->ref_key);
	int rc;

	if (m == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	rc = rb_proto_send(fd, m, err);
	json_decref(m);
	return rc;
}

int
rb_vm_conf_recv(int fd, struct rb_vm_conf *conf, json_t **held, struct err *err)
{
	struct rb_proto_in in;
	json_t *m, *src;
	int mode, rc;

	*held = NULL;
	rb_proto_in_init(&in, fd);
	rc = rb_proto_recv(&in, &m, 0, err);
	/* the broker sends nothing more before this worker's first answer */
	rb_proto_in_done(&in);
	if (rc == -1)
		return -1;
	src = json_object_get(m, "source");
	mode = (int)json_integer_value(json_object_get(m, "mode"));
	*conf = (struct rb_vm_conf){ .mode = mode == RB_VM_DATA ? RB_VM_DATA
		                                                : RB_VM_RUN,
		.name = json_string_value(json_object_get(m, "name")),
		.chunkname = json_string_value(json_object_get(m, "chunkname")),
		.source = json_string_value(src),
		.len = json_string_length(src),
		.mem_cap =
		    (size_t)json_integer_value(json_object_get(m, "mem_cap")),
		.load_deadline =
		    json_integer_value(json_object_get(m, "load_deadline")),
		.ref_key = json_string_value(json_object_get(m, "ref_key")) };
	if (strcmp(rb_proto_type(m), "conf") != 0 || conf->name == NULL ||
	    conf->chunkname == NULL || conf->source == NULL ||
	    conf->mem_cap == 0) {
		json_decref(m);
		return err_set(err, ERR_FAILED, "runbook worker: no runbook");
	}
	*held = m;
	return 0;
}

int
rb_vm_main(int fd, void *arg)
{
	const struct rb_vm_conf *conf = arg;
	struct rb_vm vm = { .fd = fd, .conf = conf, .cap = conf->mem_cap };
	lua_State *L;

	buf_init(&vm.out, RB_PROTO_MAX + 64);
	rb_proto_in_init(&vm.in, fd);
	signal(SIGUSR1, rb_vm_on_cancel);
	if ((L = lua_newstate(rb_vm_alloc, &vm)) == NULL)
		return RB_WORKER_EXIT_MEMCAP;
	vm.L = L;
	*(struct rb_vm **)lua_getextraspace(L) = &vm;
	lua_gc(L, LUA_GCINC, 120, 200, 0); /* collect early: the cap is hard */
	rb_sandbox_reserve_stack(L, RB_SANDBOX_STACK_MAIN);
	lua_sethook(L, rb_vm_hook, LUA_MASKCOUNT, RB_VM_HOOK_EVERY);
	rb_sandbox_open(L);
	rb_api_open(L);
	lua_newtable(L);
	vm.undo_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	if (rb_sandbox_load(L, conf->source, conf->len, conf->chunkname) !=
	        LUA_OK ||
	    rb_vm_pcall(L, 0, conf->mode == RB_VM_DATA ? 1 : 0) != LUA_OK) {
		rb_vm_done(&vm, "failed", lua_tostring(L, -1));
		return 0;
	}
	/* The runbook's own code is over: nothing may stay "tripped" from
	 * a load-time pcall. */
	if (vm.trip != RB_TRIP_NONE) {
		rb_vm_done(&vm, "failed", vm.trip_msg);
		return 0;
	}
	if (conf->mode == RB_VM_DATA)
		return rb_vm_data(&vm);
	return rb_vm_run(&vm);
}
