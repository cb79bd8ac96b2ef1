/* rb_sandbox.c: the runbook's Lua environment (see rb_sandbox.h and
 * SECURITY.md §1.2 for why each piece is removed or wrapped). */
#include "rb_sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <string.h>

/* Globals kept from the base library as they are. */
static const char *const rb_sandbox_base[] = { "assert", "error",
	"getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
	"rawget", "rawlen", "select", "tonumber", "type", "xpcall", "_VERSION",
	NULL };

/* Names a runbook may reach for by habit; the error says why not. */
static const char *const rb_sandbox_missing[] = { "io", "os", "debug",
	"package", "dofile", "loadfile", "print", "loadstring", "unpack",
	NULL };

static int
rb_sandbox_undefined(lua_State *L)
{
	const char *name = lua_tostring(L, 2);

	for (int i = 0; name != NULL && rb_sandbox_missing[i] != NULL; i++)
		if (strcmp(name, rb_sandbox_missing[i]) == 0)
			return luaL_error(L,
			    "'%s' is not available in "
			    "runbooks (see runbooks/README.md, Sandbox)",
			    name);
	return luaL_error(
	    L, "undefined global '%s'", name != NULL ? name : "?");
}

/* load(chunk [, name [, mode [, env]]]): text only, and the sandbox as
 * the environment unless the caller gives a table. */
static int
rb_sandbox_load_fn(lua_State *L)
{
	size_t n;
	const char *src = luaL_checklstring(L, 1, &n);
	const char *name = luaL_optstring(L, 2, "=(load)");
	const char *mode = luaL_optstring(L, 3, "t");
	int env = !lua_isnoneornil(L, 4);

	if (strchr(mode, 't') == NULL) {
		luaL_pushfail(L);
		lua_pushliteral(L,
		    "attempt to load a binary chunk (runbooks "
		    "load text only)");
		return 2;
	}
	if (env)
		luaL_checktype(L, 4, LUA_TTABLE);
	if (luaL_loadbufferx(L, src, n, name, "t") != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (env) {
		lua_pushvalue(L, 4);
		lua_setupvalue(L, -2, 1);
	}
	return 1;
}

static int
rb_sandbox_is_ro(lua_State *L, int idx)
{
	int ro = 0;

	if (lua_getmetatable(L, idx)) {
		ro = lua_getfield(L, -1, "__owl_ro") != LUA_TNIL;
		lua_pop(L, 2);
	}
	return ro;
}

static int
rb_sandbox_setmetatable(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	if (!lua_isnil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L,
			    "setmetatable: __gc metamethods "
			    "are not allowed in runbooks");
	}
	if (rb_sandbox_is_ro(L, 1))
		return luaL_error(L, "setmetatable: table is read-only");
	if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
		return luaL_error(L, "cannot change a protected metatable");
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

static int
rb_sandbox_rawset(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	luaL_checkany(L, 3);
	if (rb_sandbox_is_ro(L, 1))
		return luaL_error(L, "rawset: table is read-only");
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 1;
}

static int
rb_sandbox_collectgarbage(lua_State *L)
{
	const char *opt = luaL_optstring(L, 1, "collect");

	if (strcmp(opt, "count") == 0) {
		int k = lua_gc(L, LUA_GCCOUNT, 0);
		int b = lua_gc(L, LUA_GCCOUNTB, 0);
		lua_pushnumber(L, (lua_Number)k + ((lua_Number)b / 1024));
		return 1;
	}
	if (strcmp(opt, "collect") == 0) {
		lua_gc(L, LUA_GCCOLLECT);
		lua_pushinteger(L, 0);
		return 1;
	}
	return luaL_error(L,
	    "collectgarbage: only \"count\" and \"collect\" "
	    "are allowed in runbooks");
}

const char *
rb_sandbox_tostring(lua_State *L, int idx, size_t *len)
{
	int t = lua_type(L, idx);

	idx = lua_absindex(L, idx);
	if ((t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD ||
	        t == LUA_TUSERDATA || t == LUA_TLIGHTUSERDATA) &&
	    luaL_getmetafield(L, idx, "__tostring") == LUA_TNIL) {
		int name = luaL_getmetafield(L, idx, "__name");
		if (name == LUA_TSTRING) {
			lua_pushstring(L, lua_tostring(L, -1));
			lua_remove(L, -2);
			return lua_tolstring(L, -1, len);
		}
		if (name != LUA_TNIL)
			lua_pop(L, 1);
		lua_pushstring(L,
		    t == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == NULL
		        ? "null"
		        : lua_typename(L, t));
		return lua_tolstring(L, -1, len);
	}
	if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD ||
	    t == LUA_TUSERDATA || t == LUA_TLIGHTUSERDATA)
		lua_pop(L, 1); /* the __tostring luaL_getmetafield pushed */
	return luaL_tolstring(L, idx, len);
}

static int
rb_sandbox_tostring_fn(lua_State *L)
{
	luaL_checkany(L, 1);
	rb_sandbox_tostring(L, 1, NULL);
	return 1;
}

/* string.format without addresses: %p is refused, and a value that %s
 * would show with its address is shown as tostring() does here. */
static int
rb_sandbox_format(lua_State *L)
{
	const char *fmt = luaL_checkstring(L, 1);
	int n = lua_gettop(L);

	for (const char *p = strchr(fmt, '%'); p != NULL; p = strchr(p, '%')) {
		p++;
		p += strspn(p, "-+ #0123456789.");
		if (*p == 'p')
			return luaL_error(L,
			    "string.format: %%p (an address) is not available "
			    "in runbooks");
		if (*p == '%')
			p++;
	}
	for (int i = 2; i <= n; i++) {
		int t = lua_type(L, i);
		if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD ||
		    t == LUA_TUSERDATA || t == LUA_TLIGHTUSERDATA) {
			rb_sandbox_tostring(L, i, NULL);
			lua_replace(L, i);
		}
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, 1);
	return 1;
}

void
rb_sandbox_reserve_stack(lua_State *L, int slots)
{
	(void)lua_checkstack(L, slots);
}

/* coroutine.create(f): the new thread gets its stack reserve. */
static int
rb_sandbox_co_create(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	rb_sandbox_reserve_stack(lua_tothread(L, -1), RB_SANDBOX_STACK_CO);
	return 1;
}

/* coroutine.wrap(f): the same for the thread inside the function. */
static int
rb_sandbox_co_wrap(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	if (lua_getupvalue(L, -1, 1) != NULL) {
		if (lua_type(L, -1) == LUA_TTHREAD)
			rb_sandbox_reserve_stack(
			    lua_tothread(L, -1), RB_SANDBOX_STACK_CO);
		lua_pop(L, 1);
	}
	return 1;
}

static void
rb_sandbox_coroutine(lua_State *L, int env)
{
	static const struct {
		const char *name;
		lua_CFunction fn;
	} wrap[] = { { "create", rb_sandbox_co_create },
		{ "wrap", rb_sandbox_co_wrap } };

	lua_getfield(L, env, LUA_COLIBNAME);
	for (size_t i = 0; i < sizeof wrap / sizeof wrap[0]; i++) {
		lua_getfield(L, -1, wrap[i].name);
		lua_pushcclosure(L, wrap[i].fn, 1);
		lua_setfield(L, -2, wrap[i].name);
	}
	lua_pop(L, 1);
}

static void
rb_sandbox_libs(lua_State *L, int env)
{
	static const struct {
		const char *name;
		lua_CFunction open;
	} libs[] = { { LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
		{ LUA_COLIBNAME, luaopen_coroutine } };

	for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
		luaL_requiref(L, libs[i].name, libs[i].open, 0);
		lua_setfield(L, env, libs[i].name);
	}
	lua_getfield(L, env, LUA_STRLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_getfield(L, -1, "format");
	lua_pushcclosure(L, rb_sandbox_format, 1);
	lua_setfield(L, -2, "format");
	lua_pop(L, 1);
	rb_sandbox_coroutine(L, env);
	/* Hide the string metatable: getmetatable("") gives false, so its
	 * __index (the string table of every string) cannot be replaced
	 * through it. */
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

void
rb_sandbox_open(lua_State *L)
{
	static const luaL_Reg wrapped[] = { { "load", rb_sandbox_load_fn },
		{ "tostring", rb_sandbox_tostring_fn },
		{ "setmetatable", rb_sandbox_setmetatable },
		{ "rawset", rb_sandbox_rawset },
		{ "collectgarbage", rb_sandbox_collectgarbage },
		{ NULL, NULL } };
	int top = lua_gettop(L), env;

	luaL_requiref(L, LUA_GNAME, luaopen_base, 0);
	lua_newtable(L);
	env = lua_gettop(L);
	for (int i = 0; rb_sandbox_base[i] != NULL; i++) {
		lua_getfield(L, env - 1, rb_sandbox_base[i]);
		lua_setfield(L, env, rb_sandbox_base[i]);
	}
	luaL_setfuncs(L, wrapped, 0);
	lua_pushvalue(L, env);
	lua_setfield(L, env, LUA_GNAME);
	rb_sandbox_libs(L, env);
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, rb_sandbox_undefined);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, env);
	lua_pushvalue(L, env);
	lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	lua_settop(L, top);
}

int
rb_sandbox_load(lua_State *L, const char *src, size_t n, const char *chunkname)
{
	return luaL_loadbufferx(L, src, n, chunkname, "t");
}
