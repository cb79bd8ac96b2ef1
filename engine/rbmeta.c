/* rbmeta.c: reads a runbook's runbook{} declaration in a minimal Lua
 * state (see rbmeta.h). The state has no libraries: only a handful of
 * base functions that cannot reach the outside or set a metatable, so no
 * string methods (no pattern matching to stall in C), no __gc and no
 * __concat; the chunk is text only; a count hook ends it after
 * RBMETA_STEPS_MAX instructions and re-arms itself so nothing can swallow
 * the stop, and so does a wall-clock budget; the allocator refuses to
 * pass RBMETA_MEM_MAX. runbook{} turns its table into JSON and stops the
 * evaluation there. */
#include "rbmeta.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "jsort.h"

#define RBMETA_HOOK_EVERY 100 /* one instruction can copy 4 MiB */
#define RBMETA_NODES_MAX 10000
#define RBMETA_DEPTH_MAX 16

struct rbmeta_ctx {
	size_t used;
	long steps;
	int64_t deadline; /* clock_mono_us() */
	struct rbsource *rs;
	json_t *meta; /* set by runbook{} */
	int nodes;
	char why[160]; /* why a declaration is not plain data */
};

static const char rbmeta_stop; /* address = "runbook{} was reached" */
static const char rbmeta_env_key;

static struct rbmeta_ctx *
rbmeta_ctx(lua_State *L)
{
	return *(struct rbmeta_ctx **)lua_getextraspace(L);
}

static void *
rbmeta_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct rbmeta_ctx *c = ud;
	void *p;

	if (ptr == NULL)
		osize = 0; /* osize then encodes the object's type */
	if (nsize == 0) {
		free(ptr);
		c->used -= osize;
		return NULL;
	}
	if (nsize > osize && c->used + (nsize - osize) > RBMETA_MEM_MAX)
		return NULL;
	if ((p = realloc(ptr, nsize)) == NULL)
		return NULL;
	c->used = c->used - osize + nsize;
	return p;
}

static void
rbmeta_hook(lua_State *L, lua_Debug *ar)
{
	struct rbmeta_ctx *c = rbmeta_ctx(L);

	(void)ar;
	c->steps += RBMETA_HOOK_EVERY;
	if (c->steps > RBMETA_STEPS_MAX) {
		/* Fire on every instruction from now on. */
		lua_sethook(L, rbmeta_hook, LUA_MASKCOUNT, 1);
		luaL_error(L, "the declaration ran past %d instructions",
		    RBMETA_STEPS_MAX);
	}
	/* Instructions are not time: concatenating megabyte strings in a
	 * loop ran 10 s within the instruction budget. */
	if (clock_mono_us() > c->deadline) {
		lua_sethook(L, rbmeta_hook, LUA_MASKCOUNT, 1);
		luaL_error(L, "the declaration ran past %d ms",
		    RBMETA_TIME_MAX_US / 1000);
	}
}

static json_t *rbmeta_tojson(
    lua_State *L, int idx, int depth, struct rbmeta_ctx *c);

/* Converts the table at idx: an array when its keys are 1..n, else an
 * object with string keys. NULL with c->why set otherwise. */
static json_t *
rbmeta_table(lua_State *L, int idx, int depth, struct rbmeta_ctx *c)
{
	json_t *out, *v;
	lua_Integer count = 0, ints = 0;

	idx = lua_absindex(L, idx);
	if (depth > RBMETA_DEPTH_MAX || !lua_checkstack(L, 4)) {
		snprintf(c->why, sizeof c->why, "nested too deep");
		return NULL;
	}
	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
		count++;
		ints += lua_isinteger(L, -2) ? 1 : 0;
	}
	if (count > 0 && ints == count &&
	    (lua_Integer)lua_rawlen(L, idx) == count) {
		out = json_array();
		for (lua_Integer i = 1; out && i <= count; i++) {
			lua_rawgeti(L, idx, i);
			v = rbmeta_tojson(L, -1, depth + 1, c);
			lua_pop(L, 1);
			if (v == NULL || json_array_append_new(out, v) == -1)
				goto fail;
		}
		return out;
	}
	out = json_object();
	for (lua_pushnil(L); out && lua_next(L, idx); lua_pop(L, 1)) {
		size_t kn;
		const char *k;

		if (lua_type(L, -2) != LUA_TSTRING) {
			snprintf(c->why, sizeof c->why,
			    "a table mixes list "
			    "items and named fields");
			lua_pop(L, 2);
			goto fail;
		}
		k = lua_tolstring(L, -2, &kn);
		if ((v = rbmeta_tojson(L, -1, depth + 1, c)) == NULL ||
		    strlen(k) != kn || json_object_set_new(out, k, v) == -1) {
			if (c->why[0] == '\0')
				snprintf(c->why, sizeof c->why,
				    "field name "
				    "'%.40s' is not valid UTF-8",
				    k);
			lua_pop(L, 2);
			goto fail;
		}
	}
	/* Lua's order changes from one process to the next: owl show
	 * --json, owl runbooks --json and the suggestion index print the
	 * declaration in one order */
	if (out != NULL && (out = jsort_object(out)) == NULL)
		snprintf(c->why, sizeof c->why, "out of memory");
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* Converts the plain-data Lua value at idx to JSON; NULL with c->why set
 * for a function, userdata, thread, NaN, invalid UTF-8 or too much. */
static json_t *
rbmeta_tojson(lua_State *L, int idx, int depth, struct rbmeta_ctx *c)
{
	const char *s;
	size_t n;
	json_t *v = NULL;

	if (++c->nodes > RBMETA_NODES_MAX) {
		snprintf(c->why, sizeof c->why, "more than %d values",
		    RBMETA_NODES_MAX);
		return NULL;
	}
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN: return json_boolean(lua_toboolean(L, idx));
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			return json_integer((json_int_t)lua_tointeger(L, idx));
		if (isfinite(lua_tonumber(L, idx)))
			return json_real(lua_tonumber(L, idx));
		snprintf(c->why, sizeof c->why, "a number is not finite");
		return NULL;
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, &n);
		if ((v = json_stringn(s, n)) == NULL)
			snprintf(c->why, sizeof c->why,
			    "a string is not "
			    "valid UTF-8");
		return v;
	case LUA_TTABLE: return rbmeta_table(L, idx, depth, c);
	default:
		snprintf(c->why, sizeof c->why, "a %s is not plain data",
		    luaL_typename(L, idx));
		return NULL;
	}
}

/* runbook{...}: records the declaration and stops the evaluation. */
static int
rbmeta_runbook(lua_State *L)
{
	struct rbmeta_ctx *c = rbmeta_ctx(L);
	json_t *meta;

	luaL_checktype(L, 1, LUA_TTABLE);
	c->nodes = 0;
	c->why[0] = '\0';
	meta = rbmeta_tojson(L, 1, 0, c);
	if (meta != NULL && !json_is_object(meta)) {
		json_decref(meta);
		meta = NULL;
		snprintf(c->why, sizeof c->why, "expected named fields");
	}
	if (meta == NULL)
		return luaL_error(
		    L, "runbook{}: %s", c->why[0] ? c->why : "out of memory");
	json_decref(c->meta);
	c->meta = meta;
	lua_pushlightuserdata(L, (void *)&rbmeta_stop);
	return lua_error(L);
}

/* Loads n bytes of text as a chunk named `name` with the sandbox env as
 * its _ENV; leaves the function on the stack or raises. */
static void
rbmeta_loadchunk(lua_State *L, const char *src, size_t n, const char *name)
{
	char chunk[RBSOURCE_PATH_MAX + 1];

	snprintf(chunk, sizeof chunk, "=%s", name);
	if (luaL_loadbufferx(L, src, n, chunk, "t") != LUA_OK)
		lua_error(L);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &rbmeta_env_key);
	lua_setupvalue(L, -2, 1);
}

/* require(name): a module from the same snapshot, loaded once. */
static int
rbmeta_require(lua_State *L)
{
	struct rbmeta_ctx *c = rbmeta_ctx(L);
	const char *mod = luaL_checkstring(L, 1);
	char path[RBSOURCE_PATH_MAX], msg[ERR_MSG_MAX + 128];
	struct err err;
	struct buf b;
	int st;

	lua_settop(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, "rbmeta.loaded");
	if (lua_getfield(L, 2, mod) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	err_init(&err);
	if (c->rs == NULL)
		return luaL_error(L, "require: no runbook source");
	buf_init(&b, RBSOURCE_FILE_MAX + 1);
	if (rbsource_read_module(c->rs, mod, &b, path, NULL, &err) == -1) {
		buf_done(&b);
		snprintf(msg, sizeof msg, "require '%.100s': %s", mod, err.msg);
		return luaL_error(L, "%s", msg);
	}
	snprintf(msg, sizeof msg, "=%s", path);
	st = luaL_loadbufferx(L, buf_str(&b), b.len, msg, "t");
	buf_done(&b); /* before anything below may raise */
	if (st != LUA_OK)
		return lua_error(L);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &rbmeta_env_key);
	lua_setupvalue(L, -2, 1);
	lua_pushvalue(L, 1);
	lua_call(L, 1, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, 2, mod);
	return 1;
}

/* Builds the sandbox and runs the chunk; called under lua_pcall so that
 * running out of memory while building it is an ordinary error. */
static int
rbmeta_main(lua_State *L)
{
	static const char *const keep[] = { "assert", "error", "ipairs", "next",
		"pairs", "rawequal", "rawget", "rawlen", "select", "tonumber",
		"tostring", "type", NULL };
	const char *src = lua_touserdata(L, 1);
	size_t n = (size_t)lua_tointeger(L, 2);
	const char *name = lua_tostring(L, 3);

	lua_pushcfunction(L, luaopen_base);
	lua_call(L, 0, 1); /* the real globals; never seen by the chunk */
	lua_newtable(L);
	for (int i = 0; keep[i] != NULL; i++) {
		lua_getfield(L, -2, keep[i]);
		lua_setfield(L, -2, keep[i]);
	}
	lua_pushcfunction(L, rbmeta_runbook);
	lua_setfield(L, -2, "runbook");
	lua_pushcfunction(L, rbmeta_require);
	lua_setfield(L, -2, "require");
	lua_rawsetp(L, LUA_REGISTRYINDEX, &rbmeta_env_key);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "rbmeta.loaded");
	rbmeta_loadchunk(L, src, n, name);
	lua_call(L, 0, 0);
	return 0;
}

int
rbmeta_eval(const char *name, const char *src, size_t n, struct rbsource *rs,
    json_t **meta, struct err *err)
{
	struct rbmeta_ctx c = { 0 };
	char chunk[RBSOURCE_PATH_MAX];
	lua_State *L;
	int st, rc = -1;

	*meta = NULL;
	c.rs = rs;
	c.deadline = clock_mono_us() + RBMETA_TIME_MAX_US;
	snprintf(chunk, sizeof chunk, "%s.lua", name);
	if ((L = lua_newstate(rbmeta_alloc, &c)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	*(struct rbmeta_ctx **)lua_getextraspace(L) = &c;
	lua_sethook(L, rbmeta_hook, LUA_MASKCOUNT, RBMETA_HOOK_EVERY);
	lua_pushcfunction(L, rbmeta_main);
	lua_pushlightuserdata(L, (void *)src);
	lua_pushinteger(L, (lua_Integer)n);
	lua_pushstring(L, chunk);
	st = lua_pcall(L, 3, 0, 0);
	if (st == LUA_OK ||
	    (lua_touserdata(L, -1) == &rbmeta_stop && c.meta != NULL)) {
		*meta = c.meta;
		c.meta = NULL;
		rc = 0;
	} else if (st == LUA_ERRMEM) {
		err_set(err, ERR_USAGE,
		    "%s: the declaration needs more than "
		    "%d MiB",
		    chunk, RBMETA_MEM_MAX >> 20);
	} else {
		const char *m = lua_tostring(L, -1);

		err_set(err, ERR_USAGE, "%s", m ? m : "error (not a string)");
	}
	lua_close(L);
	json_decref(c.meta);
	return rc;
}

int
rbmeta_load(struct rbsource *rs, const char *name, json_t **meta, char *blob,
    struct buf *source, struct err *err)
{
	char id[RBSOURCE_OID_HEX];
	struct buf b;
	int rc;

	*meta = NULL;
	buf_init(&b, RBSOURCE_FILE_MAX + 1);
	rc = rbsource_read_runbook(rs, name, &b, id, err);
	if (rc == 0)
		rc = rbmeta_eval(name, buf_str(&b), b.len, rs, meta, err);
	if (rc == 0 && *meta != NULL && (rc = rbmeta_check(*meta, err)) == -1) {
		json_decref(*meta);
		*meta = NULL;
	}
	if (rc == 0 && blob != NULL)
		memcpy(blob, id, RBSOURCE_OID_HEX);
	if (rc == 0 && source != NULL)
		rc = buf_add(source, buf_str(&b), b.len, err);
	buf_done(&b);
	return rc;
}

/* Whether k is one of the NULL-terminated keys. */
static int
rbmeta_known(const char *k, const char *const *keys)
{
	for (int i = 0; keys[i] != NULL; i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

static int
rbmeta_check_param(const char *name, const json_t *spec, struct err *err)
{
	static const char *const keys[] = { "required", "default",
		"description", "type", NULL };
	const json_t *t = json_object_get(spec, "type");
	const char *k;
	json_t *v;

	if (!json_is_object(spec))
		return err_set(err, ERR_USAGE,
		    "runbook{}: params.%s must be a table of required=, "
		    "default=, description=, type=",
		    name);
	json_object_foreach((json_t *)spec, k, v)
	{
		if (!rbmeta_known(k, keys))
			return err_set(err, ERR_USAGE,
			    "runbook{}: params.%s: unknown field '%s' (known: "
			    "required, default, description, type)",
			    name, k);
	}
	v = json_object_get(spec, "required");
	if (v != NULL && !json_is_boolean(v))
		return err_set(err, ERR_USAGE,
		    "runbook{}: params.%s.required must be true or false",
		    name);
	if (t != NULL &&
	    (!json_is_string(t) ||
	        !rbmeta_known(json_string_value(t),
	            (const char *const[]){
	                "string", "number", "boolean", NULL })))
		return err_set(err, ERR_USAGE,
		    "runbook{}: params.%s.type must be string, number or "
		    "boolean",
		    name);
	return 0;
}

int
rbmeta_check(const json_t *decl, struct err *err)
{
	static const char *const keys[] = { "summary", "params", "match",
		"timeout", "description", "tags", "approval", NULL };
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)decl, k, v)
	{
		if (!rbmeta_known(k, keys))
			return err_set(err, ERR_USAGE,
			    "runbook{}: unknown field '%s' (known: summary, "
			    "params, match, timeout, description, tags, "
			    "approval)",
			    k);
	}
	v = json_object_get(decl, "approval");
	if (v != NULL &&
	    (!json_is_string(v) ||
	        !rbmeta_known(json_string_value(v),
	            (const char *const[]){ "two-person", "none", NULL })))
		return err_set(err, ERR_USAGE,
		    "runbook{}: approval must be \"two-person\" or \"none\"");
	v = json_object_get(decl, "params");
	if (v != NULL && !json_is_object(v) &&
	    !(json_is_array(v) && json_array_size(v) == 0))
		return err_set(err, ERR_USAGE,
		    "runbook{}: params must be a "
		    "table of name = { required=, default=, description= }");
	if (json_is_object(v)) {
		const json_t *params = v;
		json_object_foreach((json_t *)params, k, v)
		{
			if (rbmeta_check_param(k, v, err) == -1)
				return -1;
		}
	}
	return 0;
}
