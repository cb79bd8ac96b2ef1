/* rb_json.c: Lua <-> JSON conversion and read-only views (see rb_json.h).
 * Conversion from Lua uses raw access only, so a runbook's metamethods
 * never run inside it. */
#include "rb_json.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/buf.h"
#include "engine/jsort.h"

struct rb_json_walk {
	lua_State *L;
	enum rb_json_secrets sec;
	const char *key; /* RB_JSON_SECRETS_REF: the run's reference key */
	struct err *err;
	char path[256];
};

static json_t *rb_json_value(struct rb_json_walk *w, int idx, int depth);

/* Appends ".key" or "[i]" to the path for messages; returns the old
 * length to restore. */
static size_t
rb_json_path_push(struct rb_json_walk *w, const char *key, lua_Integer i)
{
	size_t n = strlen(w->path);

	if (key != NULL)
		snprintf(
		    w->path + n, sizeof w->path - n, "%s%s", n ? "." : "", key);
	else
		snprintf(
		    w->path + n, sizeof w->path - n, "[%lld]", (long long)i);
	return n;
}

static json_t *
rb_json_fail(struct rb_json_walk *w, const char *what)
{
	err_set(
	    w->err, ERR_USAGE, "%s: %s", w->path[0] ? w->path : "value", what);
	return NULL;
}

/* A secret value: its parts (strings and handle numbers) live in the
 * first user value, a table. */
static json_t *
rb_json_secret(struct rb_json_walk *w, int idx)
{
	lua_State *L = w->L;
	json_t *parts = NULL, *out = NULL;
	struct buf b;
	lua_Integer n;

	if (w->sec == RB_JSON_SECRETS_REFUSE ||
	    (w->sec == RB_JSON_SECRETS_REF && w->key == NULL))
		return rb_json_fail(w, "a secret cannot be stored here");
	lua_getiuservalue(L, idx, 1);
	n = (lua_Integer)lua_rawlen(L, -1);
	buf_init(&b, 1 << 20);
	if (w->sec == RB_JSON_SECRETS_REF && (parts = json_array()) == NULL)
		goto out;
	for (lua_Integer i = 1; i <= n; i++) {
		size_t len;
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) == LUA_TNUMBER) {
			if (parts != NULL)
				json_array_append_new(
				    parts, json_integer(lua_tointeger(L, -1)));
			else
				buf_adds(&b, "***", NULL);
		} else {
			const char *s = lua_tolstring(L, -1, &len);
			if (parts != NULL)
				json_array_append_new(parts,
				    json_stringn(s ? s : "", s ? len : 0));
			else
				buf_add(&b, s ? s : "", s ? len : 0, NULL);
		}
		lua_pop(L, 1);
	}
	if (parts != NULL) {
		out = json_pack("{s:o}", w->key, parts);
		parts = NULL;
	} else {
		out = json_stringn(buf_str(&b), b.len);
	}
out:
	lua_pop(L, 1);
	json_decref(parts);
	buf_done(&b);
	if (out == NULL)
		return rb_json_fail(w, "out of memory");
	return out;
}

/* Counts the keys of the table at idx and tells whether they are 1..n. */
static int
rb_json_is_array(lua_State *L, int idx, lua_Integer *count)
{
	lua_Integer n = 0;
	int arr = 1;

	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		n++;
		if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1)
			arr = 0;
		lua_pop(L, 1);
	}
	if (arr && (lua_Integer)lua_rawlen(L, idx) != n)
		arr = 0;
	*count = n;
	return arr && n > 0;
}

static json_t *
rb_json_array(struct rb_json_walk *w, int idx, lua_Integer n, int depth)
{
	json_t *a = json_array(), *v;
	size_t old;

	if (a == NULL)
		return rb_json_fail(w, "out of memory");
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(w->L, idx, i);
		old = rb_json_path_push(w, NULL, i);
		v = rb_json_value(w, lua_gettop(w->L), depth + 1);
		w->path[old] = '\0';
		lua_pop(w->L, 1);
		if (v == NULL || json_array_append_new(a, v) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* o with its members in byte order of their keys (takes o): a plan, a
 * request body or a json.encode of the same table should read the same
 * every time (jsort.h). */
static json_t *
rb_json_sorted(struct rb_json_walk *w, json_t *o)
{
	json_t *out = jsort_object(o);

	return out != NULL ? out : rb_json_fail(w, "out of memory");
}

static json_t *
rb_json_object(struct rb_json_walk *w, int idx, int depth)
{
	lua_State *L = w->L;
	json_t *o = json_object(), *v;
	size_t old, klen;
	const char *k;

	if (o == NULL)
		return rb_json_fail(w, "out of memory");
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		if (lua_type(L, -2) != LUA_TSTRING) {
			lua_pop(L, 2);
			json_decref(o);
			return rb_json_fail(w,
			    "a table mixes list items and "
			    "named keys (or has non-string keys)");
		}
		k = lua_tolstring(L, -2, &klen);
		if (strlen(k) != klen) {
			lua_pop(L, 2);
			json_decref(o);
			return rb_json_fail(w, "a key holds a NUL byte");
		}
		old = rb_json_path_push(w, k, 0);
		v = rb_json_value(w, lua_gettop(L), depth + 1);
		w->path[old] = '\0';
		lua_pop(L, 1);
		if (v == NULL || json_object_setn_new(o, k, klen, v) == -1) {
			lua_pop(L, 1);
			json_decref(o);
			return v == NULL ? NULL : rb_json_fail(w, "bad key");
		}
	}
	return rb_json_sorted(w, o);
}

static json_t *
rb_json_table(struct rb_json_walk *w, int idx, int depth)
{
	lua_State *L = w->L;
	lua_Integer n;
	json_t *out;

	if (depth > RB_JSON_MAX_DEPTH)
		return rb_json_fail(w, "nested too deeply (or a cycle)");
	/* A read-only view: convert the table it shows. */
	if (lua_getmetatable(L, idx)) {
		lua_getfield(L, -1, "__owl_ro");
		if (lua_istable(L, -1)) {
			out = rb_json_table(w, lua_gettop(L), depth + 1);
			lua_pop(L, 2);
			return out;
		}
		lua_pop(L, 2);
	}
	if (!lua_checkstack(L, 8))
		return rb_json_fail(w, "nested too deeply");
	if (rb_json_is_array(L, idx, &n))
		return rb_json_array(w, idx, n, depth);
	return rb_json_object(w, idx, depth);
}

static json_t *
rb_json_value(struct rb_json_walk *w, int idx, int depth)
{
	lua_State *L = w->L;
	const char *s;
	size_t len;
	double d;

	switch (lua_type(L, idx)) {
	case LUA_TNIL: return json_null();
	case LUA_TBOOLEAN: return json_boolean(lua_toboolean(L, idx));
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			return json_integer(lua_tointeger(L, idx));
		d = lua_tonumber(L, idx);
		if (!isfinite(d))
			return rb_json_fail(w,
			    "NaN and infinity cannot be "
			    "JSON");
		return json_real(d);
	case LUA_TSTRING: {
		json_t *js;

		s = lua_tolstring(L, idx, &len);
		if ((js = json_stringn(s, len)) == NULL)
			return rb_json_fail(w, "not valid UTF-8 text");
		return js;
	}
	case LUA_TTABLE: return rb_json_table(w, idx, depth);
	case LUA_TLIGHTUSERDATA:
		if (lua_touserdata(L, idx) == NULL)
			return json_null();
		break;
	case LUA_TUSERDATA:
		if (luaL_testudata(L, idx, RB_JSON_SECRET_MT) != NULL)
			return rb_json_secret(w, idx);
		break;
	}
	return rb_json_fail(w,
	    lua_type(L, idx) == LUA_TFUNCTION
	        ? "a function cannot be JSON"
	        : "this kind of value cannot be JSON");
}

json_t *
rb_json_from_lua(
    lua_State *L, int idx, enum rb_json_secrets sec, struct err *err)
{
	struct rb_json_walk w = { .L = L, .sec = sec, .err = err };

	return rb_json_value(&w, lua_absindex(L, idx), 0);
}

json_t *
rb_json_from_lua_ref(lua_State *L, int idx, const char *key, struct err *err)
{
	struct rb_json_walk w = {
		.L = L, .sec = RB_JSON_SECRETS_REF, .key = key, .err = err
	};

	return rb_json_value(&w, lua_absindex(L, idx), 0);
}

void
rb_json_push(lua_State *L, const json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	luaL_checkstack(L, 4, "JSON nested too deeply");
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		lua_createtable(L, 0, (int)json_object_size(j));
		json_object_foreach((json_t *)j, k, v)
		{
			rb_json_push(L, v);
			lua_setfield(L, -2, k);
		}
		break;
	case JSON_ARRAY:
		lua_createtable(L, (int)json_array_size(j), 0);
		json_array_foreach(j, i, v)
		{
			rb_json_push(L, v);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	case JSON_STRING:
		lua_pushlstring(L, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		lua_pushinteger(L, (lua_Integer)json_integer_value(j));
		break;
	case JSON_REAL: lua_pushnumber(L, json_real_value(j)); break;
	case JSON_TRUE:
	case JSON_FALSE: lua_pushboolean(L, json_is_true(j)); break;
	default: lua_pushlightuserdata(L, NULL); break;
	}
}

static int
rb_json_ro_newindex(lua_State *L)
{
	return luaL_error(
	    L, "%s is read-only", lua_tostring(L, lua_upvalueindex(1)));
}

static int
rb_json_ro_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
	return 1;
}

static int
rb_json_ro_next(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	if (lua_next(L, 1))
		return 2;
	lua_pushnil(L);
	return 1;
}

static int
rb_json_ro_pairs(lua_State *L)
{
	lua_pushcfunction(L, rb_json_ro_next);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushnil(L);
	return 3;
}

void
rb_json_freeze(lua_State *L, const char *name)
{
	int t = lua_gettop(L);

	luaL_checkstack(L, 8, "table nested too deeply");
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		if (lua_istable(L, -1)) {
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			rb_json_freeze(L, name);
			lua_rawset(L, t);
		} else {
			lua_pop(L, 1);
		}
	}
	lua_newtable(L); /* the proxy */
	lua_createtable(L, 0, 6);
	lua_pushvalue(L, t);
	lua_setfield(L, -2, "__index");
	lua_pushvalue(L, t);
	lua_setfield(L, -2, "__owl_ro");
	lua_pushstring(L, name);
	lua_pushcclosure(L, rb_json_ro_newindex, 1);
	lua_setfield(L, -2, "__newindex");
	lua_pushvalue(L, t);
	lua_pushcclosure(L, rb_json_ro_len, 1);
	lua_setfield(L, -2, "__len");
	lua_pushvalue(L, t);
	lua_pushcclosure(L, rb_json_ro_pairs, 1);
	lua_setfield(L, -2, "__pairs");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_replace(L, t);
}

void
rb_json_push_ro(lua_State *L, const json_t *j, const char *name)
{
	rb_json_push(L, j);
	if (lua_istable(L, -1))
		rb_json_freeze(L, name);
}
