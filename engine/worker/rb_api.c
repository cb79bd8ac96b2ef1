/* rb_api.c: the control part of the runbook API inside the worker:
 * runbook{}, step (with undo), confirm, check, log, sleep, wait_until,
 * require, json, and the read-only params/config/incident (rb_api.h). */
#include "rb_api.h"

#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "engine/clock.h"
#include "rb_json.h"
#include "rb_proto.h"
#include "rb_sandbox.h"
#include "engine/sanitize.h"
#include "engine/words.h"

#define RB_API_DECL "owl.decl"
#define RB_API_LOADED "owl.loaded"
#define RB_API_NAME_MAX 200
#define RB_API_TEXT_MAX ((size_t)64 << 10) /* a log line, a step's error */

/* A JSON string of s (n bytes), cut to its first max bytes at a
 * character with " (cut)" after it; NULL when s is not UTF-8 text. */
static json_t *
rb_api_cut(const char *s, size_t n, size_t max)
{
	json_t *j;
	char *c;

	if (n <= max)
		return json_stringn(s, n);
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	if ((c = malloc(max + 8)) == NULL)
		return NULL;
	memcpy(c, s, max);
	memcpy(c + max, " (cut)", 6);
	j = json_stringn(c, max + 6);
	free(c);
	return j;
}

/* A string argument as JSON; raises when it is not UTF-8 text. */
static json_t *
rb_api_jstr(lua_State *L, int idx, const char *what)
{
	size_t n;
	const char *s = luaL_checklstring(L, idx, &n);
	json_t *j = json_stringn(s, n);

	if (j == NULL)
		luaL_error(L, "%s: not valid UTF-8 text", what);
	return j;
}

int64_t
rb_api_duration(lua_State *L, int idx, const char *what)
{
	struct err err;
	int64_t us;
	double s;

	if (lua_type(L, idx) == LUA_TNUMBER) {
		s = lua_tonumber(L, idx);
		if (!isfinite(s) || s < 0 || s > 1e7)
			luaL_error(
			    L, "%s: %f is not a duration in seconds", what, s);
		return (int64_t)(s * 1e6);
	}
	if (lua_type(L, idx) != LUA_TSTRING)
		luaL_error(
		    L, "%s: give seconds or a duration such as \"30s\"", what);
	err_init(&err);
	if (clock_parse_duration(lua_tostring(L, idx), &us, &err) == -1)
		luaL_error(L, "%s: %s", what, err.msg);
	return us;
}

static int
rb_api_runbook(lua_State *L)
{
	struct rb_vm *vm = rb_vm_get(L);

	luaL_checktype(L, 1, LUA_TTABLE);
	if (vm->phase != RB_VM_LOAD)
		return luaL_error(
		    L, "runbook{} belongs at the top of the file");
	if (lua_getfield(L, LUA_REGISTRYINDEX, RB_API_DECL) != LUA_TNIL)
		return luaL_error(L, "runbook{} is given twice");
	lua_pushvalue(L, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, RB_API_DECL);
	return 0;
}

json_t *
rb_api_decl(lua_State *L, struct err *err)
{
	json_t *decl;
	int run;

	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	lua_pushliteral(L, "run");
	run = lua_rawget(L, -2) == LUA_TFUNCTION;
	lua_pop(L, 2);
	if (lua_getfield(L, LUA_REGISTRYINDEX, RB_API_DECL) != LUA_TTABLE) {
		lua_pop(L, 1);
		err_set(err, ERR_USAGE,
		    "the runbook does not declare itself "
		    "with runbook{ ... }");
		return NULL;
	}
	if (!run) {
		lua_pop(L, 1);
		err_set(err, ERR_USAGE,
		    "the runbook defines no function "
		    "run(p)");
		return NULL;
	}
	decl = rb_json_from_lua(L, -1, RB_JSON_SECRETS_REFUSE, err);
	if (decl == NULL)
		err_prefix(err, "runbook{}: ");
	lua_pop(L, 1);
	return decl;
}

static void
rb_api_step_msg(struct rb_vm *vm, const char *event, lua_Integer i,
    const char *name, int undo, const char *status, int64_t ms,
    const char *error)
{
	json_t *m = json_pack("{s:s, s:s, s:I, s:s, s:b}", "t", "step", "event",
	    event, "i", (json_int_t)i, "name", name, "undo", undo);

	/* a step's begin says whether it may be run twice (the journal
	 * keeps it for `owl recover --retry`) */
	if (m != NULL && vm->step_idem && strcmp(event, "begin") == 0 && !undo)
		json_object_set_new(m, "idempotent", json_true());

	if (m != NULL && status != NULL)
		json_object_set_new(m, "status", json_string(status));
	if (m != NULL && ms >= 0)
		json_object_set_new(m, "ms", json_integer(ms));
	if (m != NULL && error != NULL) {
		json_t *e = rb_api_cut(error, strlen(error), RB_API_TEXT_MAX);
		json_object_set_new(m, "error",
		    e ? e : json_string("(error text is not UTF-8)"));
	}
	rb_vm_send(vm, m);
}

/* Remembers a completed step's undo function. */
static void
rb_api_push_undo(lua_State *L, struct rb_vm *vm, lua_Integer i, int fn)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, vm->undo_ref);
	lua_createtable(L, 0, 3);
	lua_pushinteger(L, i);
	lua_setfield(L, -2, "i");
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "name");
	lua_pushvalue(L, fn);
	lua_setfield(L, -2, "fn");
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	lua_pop(L, 1);
}

static int
rb_api_step_check(lua_State *L, struct rb_vm *vm, const char *name)
{
	if (vm->phase != RB_VM_RUNNING)
		return luaL_error(L, "step() belongs inside run()");
	if (vm->in_step)
		return luaL_error(L, "step '%s': steps cannot be nested", name);
	if (vm->failed)
		return luaL_error(L,
		    "step '%s': the run already failed at "
		    "step '%s'",
		    name, vm->failed_step);
	if (strlen(name) > RB_API_NAME_MAX ||
	    !sanitize_is_utf8(name, strlen(name)))
		return luaL_error(L,
		    "step: the name must be UTF-8 text of at "
		    "most %d bytes",
		    RB_API_NAME_MAX);
	return 0;
}

/* A recovery's step (vm->replay): one the interrupted run did is not run
 * again, only its undo recorded; at the first one it did not do, the run
 * stops, and the undo of those it did runs, newest first. A retry
 * (vm->retry) goes on from there instead: returns 1 to run the step. */
static int
rb_api_step_replay(
    lua_State *L, struct rb_vm *vm, lua_Integer i, const char *name, int undo)
{
	char msg[400];

	if (i <= vm->replay) {
		rb_api_step_msg(vm, "begin", i, name, 0, NULL, -1, NULL);
		rb_api_step_msg(vm, "end", i, name, 0, "ok", 0, NULL);
		if (undo)
			rb_api_push_undo(L, vm, i, undo);
		return 0;
	}
	if (vm->retry) {
		if (i > vm->replay + 1 || !vm->retry_check || vm->step_idem)
			return 1;
		/* the runbook changed under the journal: nothing is written,
		 * and nothing is undone (the operator asked for no undo) */
		vm->no_undo = 1;
		snprintf(msg, sizeof msg,
		    "recover: step %d '%.200s' is not declared idempotent = "
		    "true: it is not run again",
		    (int)i, name);
		return rb_vm_trip(L, RB_TRIP_REFUSED, msg);
	}
	vm->failed = 1;
	snprintf(vm->failed_step, sizeof vm->failed_step, "%s", name);
	return luaL_error(L,
	    "recover: stopped before step %d '%s', which the interrupted "
	    "run did not finish; undoing the %d before it",
	    (int)i, name, (int)vm->replay);
}

/* A step's options are undo and idempotent: a typo (`idempotnet`) must
 * not pass silently. */
static void
rb_api_step_opts(lua_State *L, const char *name)
{
	const char *k;

	lua_pushnil(L);
	while (lua_next(L, 3) != 0) {
		k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
		if (strcmp(k, "undo") != 0 && strcmp(k, "idempotent") != 0)
			luaL_error(L,
			    "step '%s': unknown option '%s' (known: undo, "
			    "idempotent)",
			    name, k);
		lua_pop(L, 1);
	}
}

/* step(name, fn [, {undo = fn, idempotent = true}]) */
static int
rb_api_step(lua_State *L)
{
	struct rb_vm *vm = rb_vm_get(L);
	const char *name = luaL_checkstring(L, 1);
	int undo = 0, rc;
	lua_Integer i;
	int64_t t0;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	vm->step_idem = 0;
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		rb_api_step_opts(L, name);
		if (lua_getfield(L, 3, "undo") == LUA_TFUNCTION)
			undo = lua_gettop(L);
		else if (!lua_isnil(L, -1))
			return luaL_error(L,
			    "step '%s': undo must be a "
			    "function",
			    name);
		if (lua_getfield(L, 3, "idempotent") == LUA_TBOOLEAN)
			vm->step_idem = lua_toboolean(L, -1);
		else if (!lua_isnil(L, -1))
			return luaL_error(L,
			    "step '%s': idempotent must be true or false",
			    name);
		lua_pop(L, 1);
	}
	rb_api_step_check(L, vm, name);
	i = ++vm->nsteps;
	if ((vm->replay > 0 || vm->retry) &&
	    rb_api_step_replay(L, vm, i, name, undo) == 0)
		return 0;
	rb_api_step_msg(vm, "begin", i, name, 0, NULL, -1, NULL);
	vm->in_step = 1;
	t0 = clock_mono_us();
	rb_vm_msgh(L);
	lua_pushvalue(L, 2);
	rc = lua_pcall(L, 0, 0, -2);
	vm->in_step = 0;
	if (rc == LUA_OK) {
		rb_api_step_msg(vm, "end", i, name, 0, "ok",
		    (clock_mono_us() - t0) / 1000, NULL);
		if (undo)
			rb_api_push_undo(L, vm, i, undo);
		return 0;
	}
	if (vm->trip == RB_TRIP_NONE || vm->trip == RB_TRIP_TIMEOUT) {
		vm->failed = 1;
		snprintf(vm->failed_step, sizeof vm->failed_step, "%s", name);
	}
	rb_api_step_msg(vm, "end", i, name, 0,
	    vm->trip == RB_TRIP_NONE || vm->trip == RB_TRIP_TIMEOUT
	        ? "failed"
	        : "cancelled",
	    (clock_mono_us() - t0) / 1000, lua_tostring(L, -1));
	return lua_error(L);
}

void
rb_api_run_undo(struct rb_vm *vm, int idx)
{
	lua_State *L = vm->L;
	const char *name;
	lua_Integer i;
	int64_t t0;
	int rc;

	lua_getfield(L, idx, "i");
	i = lua_tointeger(L, -1);
	lua_getfield(L, idx, "name");
	name = lua_tostring(L, -1);
	rb_api_step_msg(vm, "begin", i, name, 1, NULL, -1, NULL);
	t0 = clock_mono_us();
	rb_vm_msgh(L);
	lua_getfield(L, idx, "fn");
	rc = lua_pcall(L, 0, 0, -2);
	rb_api_step_msg(vm, "end", i, name, 1, rc == LUA_OK ? "ok" : "failed",
	    (clock_mono_us() - t0) / 1000,
	    rc == LUA_OK ? NULL : lua_tostring(L, -1));
	lua_settop(L, idx);
}

/* confirm()'s options: NULL, or { type = "target", target = NAME }: the
 * operator types NAME, not just y. Leaves NAME on the stack. */
static const char *
rb_api_confirm_target(lua_State *L)
{
	const char *type, *target, *k;

	if (lua_isnoneornil(L, 2))
		return NULL;
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_pushnil(L);
	while (lua_next(L, 2) != 0) {
		k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
		if (strcmp(k, "type") != 0 && strcmp(k, "target") != 0)
			return luaL_error(L,
			           "confirm: unknown option '%s' (known: type, "
			           "target)",
			           k),
			       NULL;
		lua_pop(L, 1);
	}
	lua_getfield(L, 2, "type");
	type = lua_tostring(L, -1);
	if (type == NULL || strcmp(type, "target") != 0)
		return luaL_error(L, "confirm: type must be \"target\""), NULL;
	lua_getfield(L, 2, "target");
	target = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	if (target == NULL || *target == '\0' || strlen(target) > 200)
		return luaL_error(L,
		           "confirm: { type = \"target\" } needs target = "
		           "the name the operator types (1-200 bytes)"),
		       NULL;
	return target;
}

static int
rb_api_confirm(lua_State *L)
{
	struct rb_vm *vm = rb_vm_get(L);
	const char *target = rb_api_confirm_target(L);
	json_t *text = rb_api_jstr(L, 1, "confirm"), *reply;
	const char *answer;
	int yes, declined;
	char msg[300];

	if (vm->phase != RB_VM_RUNNING) {
		json_decref(text);
		return luaL_error(L, "confirm() belongs inside run()");
	}
	vm->effects++; /* a dry-run's confirm is in its plan */
	reply = rb_vm_call(vm,
	    json_pack("{s:s, s:o, s:s?}", "t", "confirm", "text", text,
	        "target", target));
	if (reply == NULL)
		return luaL_error(L, "confirm: the question is too long");
	answer = json_string_value(json_object_get(reply, "answer"));
	yes = answer != NULL && strcmp(answer, "yes") == 0;
	declined = answer != NULL && strcmp(answer, "no") == 0;
	json_decref(reply); /* answer went with it */
	if (yes) {
		lua_pushboolean(L, 1);
		return 1;
	}
	snprintf(msg, sizeof msg, "%s: %.200s",
	    declined ? "not confirmed"
	             : "confirmation needed and nobody to answer (no terminal; "
	               "use --yes)",
	    lua_tostring(L, 1));
	return rb_vm_trip(
	    L, declined ? RB_TRIP_DECLINED : RB_TRIP_REFUSED, msg);
}

static int
rb_api_check(lua_State *L)
{
	luaL_checkany(L, 1);
	if (lua_toboolean(L, 1))
		return 0;
	luaL_where(L, 1);
	if (lua_isnoneornil(L, 2))
		lua_pushliteral(L, "check failed");
	else
		rb_sandbox_tostring(L, 2, NULL);
	lua_concat(L, 2);
	return lua_error(L);
}

static int
rb_api_log(lua_State *L)
{
	struct rb_vm *vm = rb_vm_get(L);
	int n = lua_gettop(L);
	luaL_Buffer b;
	json_t *text;

	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, ' ');
		rb_sandbox_tostring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	if ((text = rb_api_cut(lua_tostring(L, -1), lua_rawlen(L, -1),
	         RB_API_TEXT_MAX)) == NULL)
		return luaL_error(L, "log: not valid UTF-8 text");
	rb_vm_send(vm, json_pack("{s:s, s:o}", "t", "log", "text", text));
	return 0;
}

static void
rb_api_sleep_us(lua_State *L, int64_t us)
{
	struct rb_vm *vm = rb_vm_get(L);
	json_t *reply = rb_vm_call(
	    vm, json_pack("{s:s, s:I}", "t", "sleep", "us", (json_int_t)us));
	int64_t skipped =
	    json_integer_value(json_object_get(reply, "skipped_us"));

	if (skipped > 0 && skipped <= us)
		vm->skipped_us += skipped;
	json_decref(reply);
	rb_vm_check_cancel(L);
}

/* The run's time: the clock, plus the sleeps that were not waited. */
static int64_t
rb_api_now(lua_State *L)
{
	return clock_mono_us() + rb_vm_get(L)->skipped_us;
}

static int
rb_api_sleep(lua_State *L)
{
	if (rb_vm_get(L)->phase == RB_VM_LOAD)
		return luaL_error(L, "sleep() belongs inside run()");
	rb_api_sleep_us(L, rb_api_duration(L, 1, "sleep"));
	return 0;
}

/* wait_until(fn [, {timeout = "60s", interval = "5s"}]): calls fn until
 * it returns a true value; an error when the time runs out. A dry-run
 * calls fn once and goes on as if it had become true (its writes were
 * not made, so it may never be). */
static int
rb_api_wait_until(lua_State *L)
{
	struct rb_vm *vm = rb_vm_get(L);
	int64_t timeout = 60 * CLOCK_US_PER_SEC, every = 5 * CLOCK_US_PER_SEC;
	int64_t start = rb_api_now(L);

	luaL_checktype(L, 1, LUA_TFUNCTION);
	if (lua_istable(L, 2)) {
		if (lua_getfield(L, 2, "timeout") != LUA_TNIL)
			timeout = rb_api_duration(L, -1, "wait_until timeout");
		if (lua_getfield(L, 2, "interval") != LUA_TNIL)
			every = rb_api_duration(L, -1, "wait_until interval");
		lua_settop(L, 2);
	}
	for (;;) {
		lua_pushvalue(L, 1);
		lua_call(L, 0, 1);
		if (lua_toboolean(L, -1))
			return 1;
		lua_pop(L, 1);
		if (vm->dry_run) {
			lua_pushboolean(L, 1);
			return 1;
		}
		if (rb_api_now(L) - start >= timeout)
			return luaL_error(L,
			    "wait_until: the condition did "
			    "not hold within %d s",
			    (int)(timeout / 1000000));
		rb_api_sleep_us(L, every);
	}
}

/* require(name): a .lua module from the runbook source, in the same
 * sandbox; loaded once per run. */
static int
rb_api_require(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	json_t *reply;
	const char *src;
	char chunk[300];

	if (name[0] == '\0' || name[0] == '.' || strlen(name) > 100 ||
	    strspn(name,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789_-.") != strlen(name) ||
	    strstr(name, "..") != NULL)
		return luaL_error(L, "require '%s': not a module name", name);
	lua_getfield(L, LUA_REGISTRYINDEX, RB_API_LOADED);
	if (lua_getfield(L, -1, name) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	reply = rb_vm_call(rb_vm_get(L),
	    json_pack("{s:s, s:s}", "t", "require", "name", name));
	if ((src = json_string_value(json_object_get(reply, "source"))) ==
	    NULL) {
		src = json_string_value(json_object_get(reply, "error"));
		lua_pushfstring(L, "require '%s': %s", name,
		    src != NULL ? src : "not found");
		json_decref(reply);
		return lua_error(L);
	}
	snprintf(chunk, sizeof chunk, "@%s",
	    json_string_value(json_object_get(reply, "path")));
	if (rb_sandbox_load(L, src,
	        json_string_length(json_object_get(reply, "source")),
	        chunk) != LUA_OK) {
		json_decref(reply);
		return lua_error(L);
	}
	json_decref(reply);
	lua_pushstring(L, name);
	lua_call(L, 1, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, name);
	return 1;
}

static int
rb_api_json_encode(lua_State *L)
{
	struct err err;
	json_t *j;
	char *s;

	luaL_checkany(L, 1);
	err_init(&err);
	if ((j = rb_json_from_lua(L, 1, RB_JSON_SECRETS_MASK, &err)) == NULL)
		return luaL_error(L, "json.encode: %s", err.msg);
	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	json_decref(j);
	if (s == NULL)
		return luaL_error(L, "json.encode: cannot encode");
	lua_pushstring(L, s);
	free(s);
	return 1;
}

static int
rb_api_json_decode(lua_State *L)
{
	size_t n;
	const char *s = luaL_checklstring(L, 1, &n);
	json_error_t jerr;
	json_t *j;

	j = json_loadb(s, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return luaL_error(L, "json.decode: %s (at byte %d)", jerr.text,
		    jerr.position);
	rb_json_push(L, j);
	json_decref(j);
	return 1;
}

static void
rb_api_json_open(lua_State *L, int env)
{
	static const luaL_Reg fns[] = { { "encode", rb_api_json_encode },
		{ "decode", rb_api_json_decode }, { NULL, NULL } };

	luaL_newlib(L, fns);
	lua_pushlightuserdata(L, NULL);
	lua_setfield(L, -2, "null");
	lua_setfield(L, env, "json");
}

void
rb_api_open(lua_State *L)
{
	static const luaL_Reg fns[] = { { "runbook", rb_api_runbook },
		{ "step", rb_api_step }, { "confirm", rb_api_confirm },
		{ "check", rb_api_check }, { "log", rb_api_log },
		{ "sleep", rb_api_sleep }, { "wait_until", rb_api_wait_until },
		{ "require", rb_api_require }, { NULL, NULL } };
	int env;

	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, RB_API_LOADED);
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	env = lua_gettop(L);
	luaL_setfuncs(L, fns, 0);
	rb_api_json_open(L, env);
	rb_api_fx_open(L, env);
	rb_api_git_open(L, env);
	/* Bound at "go"; until then reading them is not an error. */
	lua_pushboolean(L, 0);
	lua_setfield(L, env, "incident");
	lua_pop(L, 1);
}

static int
rb_api_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* params.NAME: the value; nil for a declared parameter that was not
 * given and has no default; an error for a name the runbook does not
 * declare (p.reasn for p.reason would otherwise be a quiet nil), as for
 * an undefined global. Upvalues: the values, the declared params. */
static int
rb_api_params_index(lua_State *L)
{
	const char *names[64], *k;
	char hint[300];
	size_t n = 0;

	lua_settop(L, 2);
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL ||
	    lua_type(L, 2) != LUA_TSTRING)
		return 1;
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(2)) != LUA_TNIL) {
		lua_pushnil(L);
		return 1;
	}
	lua_settop(L, 2);
	k = lua_tostring(L, 2);
	/* the keys stay alive in the declaration while their names are used */
	lua_pushnil(L);
	while (lua_next(L, lua_upvalueindex(2)) != 0) {
		lua_pop(L, 1);
		if (n < 64 && lua_type(L, -1) == LUA_TSTRING)
			names[n++] = lua_tostring(L, -1);
	}
	if (n > 1)
		qsort(names, n, sizeof *names, rb_api_strcmp);
	words_hint(hint, sizeof hint, k, names, n, "declared", "");
	return luaL_error(L, "undeclared parameter '%s'%s", k, hint);
}

/* Makes the frozen params table at the top of the stack strict (see
 * rb_api_params_index). */
static void
rb_api_params_strict(lua_State *L)
{
	if (!lua_getmetatable(L, -1))
		return;
	lua_getfield(L, -1, "__owl_ro"); /* the values */
	if (lua_getfield(L, LUA_REGISTRYINDEX, RB_API_DECL) == LUA_TTABLE)
		lua_getfield(L, -1, "params");
	else
		lua_pushnil(L);
	lua_remove(L, -2); /* the declaration */
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L); /* no params declared */
	}
	lua_pushcclosure(L, rb_api_params_index, 2);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}

void
rb_api_bind(lua_State *L, const json_t *go)
{
	static const char *const names[] = { "params", "config", "incident" };
	const json_t *v;

	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		v = json_object_get(go, names[i]);
		if (v == NULL || json_is_null(v))
			lua_pushboolean(L, 0);
		else
			rb_json_push_ro(L, v, names[i]);
		if (i == 0 && lua_istable(L, -1))
			rb_api_params_strict(L);
		lua_setfield(L, -2, names[i]);
	}
	lua_pop(L, 1);
}
