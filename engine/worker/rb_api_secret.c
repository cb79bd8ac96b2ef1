/* rb_api_secret.c: the secret value type of the runbook API inside the
 * worker: a userdata whose parts are strings and handle numbers, so that
 * concatenation keeps the secret whole and tostring never shows it. */
#include "rb_api.h"

#include <lauxlib.h>

#include "rb_json.h"

void
rb_api_secret_push(lua_State *L)
{
	lua_newuserdatauv(L, 0, 1);
	lua_insert(L, -2);
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, RB_JSON_SECRET_MT);
}

/* Appends the parts of the value at idx to the table at the top. */
static void
rb_api_secret_parts(lua_State *L, int idx)
{
	lua_Integer n = (lua_Integer)lua_rawlen(L, -1);

	if (luaL_testudata(L, idx, RB_JSON_SECRET_MT) != NULL) {
		lua_getiuservalue(L, idx, 1);
		for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1);
		     i++) {
			lua_rawgeti(L, -1, i);
			lua_rawseti(L, -3, ++n);
		}
		lua_pop(L, 1);
	} else if (lua_type(L, idx) == LUA_TSTRING ||
	    lua_type(L, idx) == LUA_TNUMBER) {
		lua_pushstring(L, lua_tostring(L, idx));
		lua_rawseti(L, -2, n + 1);
	} else {
		luaL_error(L, "attempt to concatenate a secret and a %s",
		    luaL_typename(L, idx));
	}
}

static int
rb_api_secret_concat(lua_State *L)
{
	lua_newtable(L);
	rb_api_secret_parts(L, 1);
	rb_api_secret_parts(L, 2);
	rb_api_secret_push(L);
	return 1;
}

static int
rb_api_secret_tostring(lua_State *L)
{
	luaL_Buffer b;

	luaL_checkudata(L, 1, RB_JSON_SECRET_MT);
	lua_getiuservalue(L, 1, 1);
	luaL_buffinit(L, &b);
	for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, 2); i++) {
		if (lua_rawgeti(L, 2, i) == LUA_TNUMBER) {
			lua_pop(L, 1);
			luaL_addstring(&b, "***");
		} else {
			luaL_addvalue(&b);
		}
	}
	luaL_pushresult(&b);
	return 1;
}

void
rb_api_secret_open(lua_State *L)
{
	luaL_newmetatable(L, RB_JSON_SECRET_MT);
	lua_pushcfunction(L, rb_api_secret_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushcfunction(L, rb_api_secret_concat);
	lua_setfield(L, -2, "__concat");
	lua_pushliteral(L, "secret");
	lua_setfield(L, -2, "__name");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 1);
}
