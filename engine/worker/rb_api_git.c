/* rb_api_git.c: the `git` table of the runbook API inside the worker:
 * checkout, read, write, replace, log, commit, push and revert on a
 * private work copy of a config repository that the broker keeps (see
 * engine/rb_fx_git.c). The runbook holds a read-only handle (a userdata); each
 * call is one request to the broker, credentials travel as secret
 * references. */
#include "rb_api.h"

#include <lauxlib.h>
#include <string.h>

#include "rb_json.h"

#define RB_API_GIT_MT "owl.git"

/* A request of kind for the checkout at idx (its handle, url and ref);
 * raises when idx is not a checkout. */
static json_t *
rb_api_git_req(lua_State *L, const char *kind, int idx)
{
	json_t *req;

	if (luaL_testudata(L, idx, RB_API_GIT_MT) == NULL) {
		luaL_error(
		    L, "%s: give the checkout git.checkout returned", kind);
		return NULL;
	}
	lua_getiuservalue(L, idx, 1);
	req = json_pack("{s:s, s:s}", "t", "effect", "kind", kind);
	lua_getfield(L, -1, "handle");
	json_object_set_new(req, "handle", json_integer(lua_tointeger(L, -1)));
	lua_getfield(L, -2, "url");
	json_object_set_new(req, "url", json_string(lua_tostring(L, -1)));
	lua_getfield(L, -3, "ref");
	json_object_set_new(req, "ref", json_string(lua_tostring(L, -1)));
	lua_pop(L, 4);
	return req;
}

/* Adds the string at idx under key (raises, freeing req, if it is not). */
static void
rb_api_git_str(
    lua_State *L, json_t *req, const char *key, int idx, const char *what)
{
	if (lua_type(L, idx) != LUA_TSTRING) {
		json_decref(req);
		luaL_error(L, "%s must be a string, not a %s", what,
		    luaL_typename(L, idx));
	}
	json_object_set_new(
	    req, key, json_stringn(lua_tostring(L, idx), lua_rawlen(L, idx)));
	if (json_object_get(req, key) == NULL) {
		json_decref(req);
		luaL_error(L, "%s must be UTF-8 text", what);
	}
}

/* Adds the value at idx (text or a secret) under key. */
static void
rb_api_git_val(
    lua_State *L, json_t *req, const char *key, int idx, const char *what)
{
	struct err err;
	json_t *v;

	err_init(&err);
	if (lua_type(L, idx) != LUA_TSTRING &&
	    luaL_testudata(L, idx, RB_JSON_SECRET_MT) == NULL) {
		json_decref(req);
		luaL_error(L, "%s must be a string or a secret, not a %s", what,
		    luaL_typename(L, idx));
	}
	if ((v = rb_json_from_lua_ref(
	         L, idx, rb_vm_get(L)->conf->ref_key, &err)) == NULL) {
		json_decref(req);
		luaL_error(L, "%s: %s", what, err.msg);
	}
	json_object_set_new(req, key, v);
}

/* git.checkout(url [, {ref = "main", user =, token = secret,
 * ssh_key = secret}]): a handle to a private work copy. */
static int
rb_api_git_checkout(lua_State *L)
{
	json_t *req = json_pack(
	           "{s:s, s:s}", "t", "effect", "kind", "git.checkout"),
	       *reply;
	int opts = lua_isnoneornil(L, 2) ? 0 : 2, ref;

	if (opts)
		luaL_checktype(L, 2, LUA_TTABLE);
	rb_api_git_str(L, req, "url", 1, "git.checkout: the URL");
	json_object_set_new(req, "ref", json_string("main"));
	if (opts && lua_getfield(L, 2, "ref") != LUA_TNIL)
		rb_api_git_str(
		    L, req, "ref", lua_gettop(L), "git.checkout: ref");
	if (opts && lua_getfield(L, 2, "user") != LUA_TNIL)
		rb_api_git_str(
		    L, req, "user", lua_gettop(L), "git.checkout: user");
	if (opts && lua_getfield(L, 2, "token") != LUA_TNIL)
		rb_api_git_val(
		    L, req, "token", lua_gettop(L), "git.checkout: token");
	if (opts && lua_getfield(L, 2, "ssh_key") != LUA_TNIL)
		rb_api_git_val(
		    L, req, "ssh_key", lua_gettop(L), "git.checkout: ssh_key");
	/* the request is the effect's from here: keep the ref on the stack */
	lua_pushstring(L, json_string_value(json_object_get(req, "ref")));
	ref = lua_gettop(L);
	reply = rb_api_effect(L, req);
	/* the handle is a userdata: read-only, so that the target the log
	 * shows is the repository the broker acts on */
	lua_newuserdatauv(L, 0, 1);
	lua_createtable(L, 0, 4);
	lua_pushinteger(L,
	    (lua_Integer)json_integer_value(json_object_get(reply, "handle")));
	lua_setfield(L, -2, "handle");
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "url");
	lua_pushvalue(L, ref);
	lua_setfield(L, -2, "ref");
	lua_pushstring(L, json_string_value(json_object_get(reply, "commit")));
	lua_setfield(L, -2, "commit");
	json_decref(reply);
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, RB_API_GIT_MT);
	return 1;
}

/* h.url, h.ref, h.handle, h.commit (the commit checked out) */
static int
rb_api_git_index(lua_State *L)
{
	lua_getiuservalue(L, 1, 1);
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
	return 1;
}

static int
rb_api_git_tostring(lua_State *L)
{
	lua_getiuservalue(L, 1, 1);
	lua_getfield(L, -1, "url");
	lua_getfield(L, -2, "ref");
	lua_pushfstring(L, "git checkout of %s (%s)", lua_tostring(L, -2),
	    lua_tostring(L, -1));
	return 1;
}

/* git.read(h, path): the content, or nil and "missing". */
static int
rb_api_git_read(lua_State *L)
{
	json_t *req = rb_api_git_req(L, "git.read", 1), *reply, *c;

	rb_api_git_str(L, req, "path", 2, "git.read: the path");
	reply = rb_api_effect(L, req);
	if (json_is_true(json_object_get(reply, "missing"))) {
		json_decref(reply);
		lua_pushnil(L);
		lua_pushliteral(L, "missing");
		return 2;
	}
	c = json_object_get(reply, "content");
	lua_pushlstring(L, json_is_string(c) ? json_string_value(c) : "",
	    json_is_string(c) ? json_string_length(c) : 0);
	json_decref(reply);
	return 1;
}

static void
rb_api_git_stage(lua_State *L, int h, int path, int content, const char *op)
{
	json_t *req = rb_api_git_req(L, "git.write", h);

	json_object_set_new(req, "op", json_string(op));
	rb_api_git_str(L, req, "path", path, "git.write: the path");
	rb_api_git_val(L, req, "content", content, "git.write: the content");
	json_decref(rb_api_effect(L, req));
}

/* git.write(h, path, content): stages the file's new content. */
static int
rb_api_git_write(lua_State *L)
{
	rb_api_git_stage(L, 1, 2, 3, "write");
	return 0;
}

/* git.replace(h, path, pattern, repl [, {plain=, count=, allow_none=}]):
 * string.gsub on the file's content, staged; the number replaced. */
static int
rb_api_git_replace(lua_State *L)
{
	int plain = 0, none = 0, nargs = 3, content;
	lua_Integer n;

	lua_settop(L, 5);
	luaL_checkstring(L, 2);
	luaL_checkstring(L, 3);
	luaL_checkany(L, 4);
	if (!lua_isnil(L, 5)) {
		luaL_checktype(L, 5, LUA_TTABLE);
		lua_getfield(L, 5, "plain");
		plain = lua_toboolean(L, -1);
		lua_getfield(L, 5, "allow_none");
		none = lua_toboolean(L, -1);
		lua_pop(L, 2);
	}
	lua_pushcfunction(L, rb_api_git_read);
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_call(L, 2, 1);
	if (lua_isnil(L, -1))
		return luaL_error(L,
		    "git.replace %s: no such file in the "
		    "repository",
		    lua_tostring(L, 2));
	content = lua_gettop(L);
	lua_pushvalue(L, lua_upvalueindex(1)); /* string.gsub */
	lua_pushvalue(L, content);
	if (plain) {
		lua_pushvalue(L, lua_upvalueindex(1));
		lua_pushvalue(L, 3);
		lua_pushliteral(L, "[%^%$%(%)%%%.%[%]%*%+%-%?]");
		lua_pushliteral(L, "%%%0");
		lua_call(L, 3, 1);
	} else {
		lua_pushvalue(L, 3);
	}
	if (plain && lua_type(L, 4) == LUA_TSTRING) {
		lua_pushvalue(L, lua_upvalueindex(1));
		lua_pushvalue(L, 4);
		lua_pushliteral(L, "%%");
		lua_pushliteral(L, "%%%%");
		lua_call(L, 3, 1);
	} else {
		lua_pushvalue(L, 4);
	}
	if (!lua_isnil(L, 5) && lua_getfield(L, 5, "count") != LUA_TNIL)
		nargs = 4;
	else if (!lua_isnil(L, 5))
		lua_pop(L, 1);
	lua_call(L, nargs, 2);
	n = lua_tointeger(L, -1);
	if (n == 0 && !none)
		return luaL_error(L, "git.replace %s: no match for '%s'",
		    lua_tostring(L, 2), lua_tostring(L, 3));
	if (n > 0)
		rb_api_git_stage(L, 1, 2, lua_gettop(L) - 1, "replace");
	lua_pushinteger(L, n);
	return 1;
}

/* git.log(h, path [, {limit = 20}]): the file's history, newest first:
 * {commit, author, email, time, subject, content (nil: deleted)}. */
static int
rb_api_git_log(lua_State *L)
{
	json_t *req = rb_api_git_req(L, "git.log", 1), *reply;
	lua_Integer limit = 20;

	rb_api_git_str(L, req, "path", 2, "git.log: the path");
	if (lua_type(L, 3) == LUA_TTABLE &&
	    lua_getfield(L, 3, "limit") != LUA_TNIL) {
		limit = lua_tointeger(L, -1);
		if (limit < 1 || limit > 100) {
			json_decref(req);
			return luaL_error(L, "git.log: limit is 1 to 100");
		}
	}
	json_object_set_new(req, "limit", json_integer(limit));
	reply = rb_api_effect(L, req);
	if (json_is_array(json_object_get(reply, "log")))
		rb_json_push(L, json_object_get(reply, "log"));
	else
		lua_newtable(L);
	json_decref(reply);
	return 1;
}

/* git.commit(h, message): commits what was staged; the commit's id. */
static int
rb_api_git_commit(lua_State *L)
{
	json_t *req = rb_api_git_req(L, "git.commit", 1), *reply;

	rb_api_git_str(L, req, "message", 2, "git.commit: the message");
	reply = rb_api_effect(L, req);
	lua_pushstring(L, json_string_value(json_object_get(reply, "commit")));
	json_decref(reply);
	return 1;
}

/* git.push(h): {commits = n, from = id, to = id, simulated = bool}. */
static int
rb_api_git_push(lua_State *L)
{
	json_t *req = rb_api_git_req(L, "git.push", 1), *reply;

	reply = rb_api_effect(L, req);
	lua_createtable(L, 0, 4);
	lua_pushinteger(L,
	    (lua_Integer)json_integer_value(json_object_get(reply, "commits")));
	lua_setfield(L, -2, "commits");
	if (json_is_string(json_object_get(reply, "from"))) {
		lua_pushstring(
		    L, json_string_value(json_object_get(reply, "from")));
		lua_setfield(L, -2, "from");
		lua_pushstring(
		    L, json_string_value(json_object_get(reply, "to")));
		lua_setfield(L, -2, "to");
	}
	lua_pushboolean(L, json_is_true(json_object_get(reply, "simulated")));
	lua_setfield(L, -2, "simulated");
	json_decref(reply);
	return 1;
}

/* git.revert(h): the undo of what h pushed, as revert commits pushed on
 * top; the last revert commit's id. */
static int
rb_api_git_revert(lua_State *L)
{
	json_t *req = rb_api_git_req(L, "git.revert", 1), *reply;

	reply = rb_api_effect(L, req);
	if (json_is_string(json_object_get(reply, "commit")))
		lua_pushstring(
		    L, json_string_value(json_object_get(reply, "commit")));
	else
		lua_pushnil(L);
	json_decref(reply);
	return 1;
}

static int
rb_api_git_readonly(lua_State *L)
{
	return luaL_error(L, "a git checkout is read-only");
}

void
rb_api_git_open(lua_State *L, int env)
{
	static const luaL_Reg fns[] = { { "checkout", rb_api_git_checkout },
		{ "read", rb_api_git_read }, { "write", rb_api_git_write },
		{ "log", rb_api_git_log }, { "commit", rb_api_git_commit },
		{ "push", rb_api_git_push }, { "revert", rb_api_git_revert },
		{ NULL, NULL } };

	luaL_newmetatable(L, RB_API_GIT_MT);
	lua_pushcfunction(L, rb_api_git_readonly);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, rb_api_git_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, rb_api_git_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushliteral(L, "git checkout");
	lua_setfield(L, -2, "__name");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 1);
	luaL_newlib(L, fns);
	lua_getfield(L, env, "string");
	lua_getfield(L, -1, "gsub");
	lua_remove(L, -2);
	lua_pushcclosure(L, rb_api_git_replace, 1);
	lua_setfield(L, -2, "replace");
	lua_setfield(L, env, "git");
}
