/* rb_api_fx.c: the effect functions of the runbook API inside the worker
 * (http, exec, file, secret, notify); the secret value type is in
 * rb_api_secret.c. Each
 * effect is one request to the broker, which logs, enforces dry-run and
 * substitutes secret values; the worker only ever holds handles. */
#include "rb_api.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rb_json.h"
#include "rb_sandbox.h"

/* ---- requests ---- */

json_t *
rb_api_effect(lua_State *L, json_t *req)
{
	json_t *reply;
	const char *e;

	if (rb_vm_get(L)->phase == RB_VM_LOAD) {
		json_decref(req);
		luaL_error(L, "effects belong inside run() or a step");
	}
	rb_vm_get(L)->effects++;
	/* a request too big to send (a 20 MB body) fails the effect, so
	 * the step fails and undo runs; it must not end the worker */
	if ((reply = rb_vm_call(rb_vm_get(L), req)) == NULL)
		return luaL_error(L,
		           "request too large (a request is at most %d MiB)",
		           (int)(RB_PROTO_MAX >> 20)),
		       NULL;
	if (json_is_true(json_object_get(reply, "ok")))
		return reply;
	e = json_string_value(json_object_get(reply, "error"));
	luaL_where(L, 1);
	lua_pushstring(L, e != NULL ? e : "the effect failed");
	json_decref(reply);
	lua_concat(L, 2);
	lua_error(L);
	return NULL;
}

/* Adds the Lua value at idx to req under key (secrets as references);
 * on failure frees req and raises. */
static void
rb_api_set(
    lua_State *L, json_t *req, const char *key, int idx, const char *what)
{
	struct err err;
	json_t *v;

	err_init(&err);
	if ((v = rb_json_from_lua_ref(
	         L, idx, rb_vm_get(L)->conf->ref_key, &err)) == NULL) {
		json_decref(req);
		luaL_error(L, "%s: %s", what, err.msg);
	}
	json_object_set_new(req, key, v);
}

/* Like rb_api_set for a value that must be a string (never a secret). */
static void
rb_api_set_str(
    lua_State *L, json_t *req, const char *key, int idx, const char *what)
{
	if (lua_type(L, idx) != LUA_TSTRING) {
		json_decref(req);
		luaL_error(L, "%s must be a string, not a %s", what,
		    luaL_typename(L, idx));
	}
	rb_api_set(L, req, key, idx, what);
}

/* Adds opts[field] (when present) to req, checking its Lua type. */
static void
rb_api_opt(lua_State *L, json_t *req, int opts, const char *field, int type,
    const char *what)
{
	int t;

	if (opts == 0)
		return;
	t = lua_getfield(L, opts, field);
	if (t != LUA_TNIL) {
		if (type == LUA_TSTRING && t == LUA_TUSERDATA)
			; /* a secret where a string may go */
		else if (type != LUA_TNONE && t != type) {
			json_decref(req);
			luaL_error(L, "%s.%s: expected a %s, not a %s", what,
			    field, lua_typename(L, type), luaL_typename(L, -1));
		}
		rb_api_set(L, req, field, lua_gettop(L), what);
	}
	lua_pop(L, 1);
}

/* opts.timeout in microseconds, 0 when absent. Call before building a
 * request: it raises on a bad value. */
static int64_t
rb_api_timeout(lua_State *L, int opts)
{
	int64_t us = 0;

	if (opts != 0 && lua_getfield(L, opts, "timeout") != LUA_TNIL)
		us = rb_api_duration(L, -1, "timeout");
	if (opts != 0)
		lua_pop(L, 1);
	return us;
}

static void
rb_api_set_timeout(json_t *req, int64_t us)
{
	if (us > 0)
		json_object_set_new(req, "timeout_us", json_integer(us));
}

static json_t *
rb_api_req(lua_State *L, const char *kind)
{
	(void)L;
	return json_pack("{s:s, s:s}", "t", "effect", "kind", kind);
}

static int
rb_api_opts(lua_State *L, int idx)
{
	if (lua_isnoneornil(L, idx))
		return 0;
	luaL_checktype(L, idx, LUA_TTABLE);
	return idx;
}

/* Pushes reply[key], a string that may hold NUL bytes ("" when absent). */
static void
rb_api_field_push(lua_State *L, const json_t *reply, const char *key)
{
	const json_t *v = json_object_get(reply, key);

	lua_pushlstring(L, json_is_string(v) ? json_string_value(v) : "",
	    json_is_string(v) ? json_string_length(v) : 0);
}

/* Pushes reply[key] as a string field of the table at the top. */
static void
rb_api_field(lua_State *L, const json_t *reply, const char *key)
{
	const json_t *v = json_object_get(reply, key);

	if (json_is_string(v)) {
		lua_pushlstring(L, json_string_value(v), json_string_length(v));
		lua_setfield(L, -2, key);
	}
}

#define RB_API_EXPECT_MAX 8 /* statuses one `expect` may list */

static void rb_api_oneline(const char *s, char *out, size_t n);

/* opts.expect: the status (or list of statuses) the runbook expects;
 * fills want and returns how many (0: none). Raises on a bad value.
 * Call before building a request. */
static int
rb_api_expect(lua_State *L, int opts, long want[RB_API_EXPECT_MAX])
{
	int n = 0, t;

	if (opts == 0 || (t = lua_getfield(L, opts, "expect")) == LUA_TNIL) {
		if (opts != 0)
			lua_pop(L, 1);
		return 0;
	}
	if (t == LUA_TNUMBER) {
		want[n++] = (long)lua_tointeger(L, -1);
	} else if (t == LUA_TTABLE) {
		lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= len && n < RB_API_EXPECT_MAX;
		     i++) {
			lua_rawgeti(L, -1, i);
			want[n++] = lua_isinteger(L, -1)
			    ? (long)lua_tointeger(L, -1)
			    : 0;
			lua_pop(L, 1);
		}
		if (len > RB_API_EXPECT_MAX)
			n = 0;
	}
	lua_pop(L, 1);
	for (int i = 0; i < n; i++)
		if (want[i] < 100 || want[i] > 599)
			n = 0;
	if (n == 0)
		luaL_error(L,
		    "http: expect must be an HTTP status (201) or a list of "
		    "at most %d ({200, 204})",
		    RB_API_EXPECT_MAX);
	return n;
}

/* With `expect`: a dry-run's simulated write answers the first status
 * expected (what the real endpoint would), and a live answer with
 * another status fails the step, naming it and the body's start. */
static void
rb_api_expect_check(lua_State *L, json_t *reply, const char *method,
    const long *want, int nwant, long *status)
{
	char excerpt[160];
	const json_t *body;

	if (nwant == 0)
		return;
	if (json_is_true(json_object_get(reply, "simulated"))) {
		*status = want[0];
		return;
	}
	for (int i = 0; i < nwant; i++)
		if (*status == want[i])
			return;
	body = json_object_get(reply, "body");
	rb_api_oneline(json_is_string(body) ? json_string_value(body) : "",
	    excerpt, sizeof excerpt);
	json_decref(reply);
	luaL_error(L, "http.%s %s: answered %d, expected %d%s%s%s", method,
	    lua_tostring(L, 1), (int)*status, (int)want[0],
	    nwant > 1 ? " (or another listed)" : "", *excerpt ? ": " : "",
	    excerpt);
}

/* The longest target the broker takes (engine/rb_fx.h RB_FX_TARGET_MAX,
 * which this side may not include). */
#define RB_API_TARGET_MAX 1024

/* Whether j holds a secret reference ({KEY: parts}). */
static int
rb_api_has_ref(const json_t *j, const char *key)
{
	const char *k;
	const json_t *v;
	size_t i;

	if (json_is_object(j)) {
		if (json_object_get(j, key) != NULL)
			return 1;
		json_object_foreach(
		    (json_t *)j, k, v) if (rb_api_has_ref(v, key)) return 1;
	} else if (json_is_array(j)) {
		json_array_foreach(
		    j, i, v) if (rb_api_has_ref(v, key)) return 1;
	}
	return 0;
}

/* Whether the broker's answer to this http request is known before it
 * is sent, so that it can go one-way: in a dry-run (go's "oneway"),
 * before any step failed and outside undo, a write (simulated: status
 * 200, empty body) whose URL the broker takes and that has no headers,
 * no text body and no secret in its json (nothing the broker could
 * refuse), under the cap of effects. Anything else waits for the
 * broker's answer as before. */
static int
rb_api_http_oneway(const struct rb_vm *vm, const json_t *req)
{
	const char *url = json_string_value(json_object_get(req, "url"));
	const char *m = json_string_value(json_object_get(req, "method"));

	return vm->oneway && vm->phase == RB_VM_RUNNING && !vm->failed &&
	    vm->trip == RB_TRIP_NONE && vm->effects < vm->max_effects &&
	    m != NULL && strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 &&
	    url != NULL &&
	    (strncmp(url, "http://", 7) == 0 ||
	        strncmp(url, "https://", 8) == 0) &&
	    strlen(url) < RB_API_TARGET_MAX && strpbrk(url, " \r\n") == NULL &&
	    json_object_get(req, "headers") == NULL &&
	    json_object_get(req, "body") == NULL &&
	    json_object_get(req, "uses") == NULL &&
	    (vm->conf->ref_key == NULL ||
	        !rb_api_has_ref(
	            json_object_get(req, "json"), vm->conf->ref_key));
}

/* Sends req (taken) one-way and returns the answer the broker gives such
 * a request (it checks that it did). */
static json_t *
rb_api_effect_oneway(lua_State *L, json_t *req)
{
	struct rb_vm *vm = rb_vm_get(L);

	vm->effects++;
	json_object_set_new(req, "oneway", json_true());
	if (rb_vm_send(vm, req) == -1)
		return luaL_error(L,
		           "request too large (a request is at most %d MiB)",
		           (int)(RB_PROTO_MAX >> 20)),
		       NULL;
	return json_pack("{s:i, s:s, s:b, s:b}", "status", 200, "body", "",
	    "ok", 1, "simulated", 1);
}

/* http.METHOD(url [, {headers=, json=, body=, timeout=, expect=,
 * uses=}]) */
static int
rb_api_http(lua_State *L)
{
	const char *method = lua_tostring(L, lua_upvalueindex(1));
	int opts = rb_api_opts(L, 2);
	int64_t timeout = rb_api_timeout(L, opts);
	long want[RB_API_EXPECT_MAX];
	int nwant = rb_api_expect(L, opts, want);
	json_t *req = rb_api_req(L, "http"), *reply, *j;
	const json_t *body;
	long status;
	char lower[8];

	rb_api_set_timeout(req, timeout);
	json_object_set_new(req, "method", json_string(method));
	rb_api_set_str(L, req, "url", 1, "http: the URL");
	rb_api_opt(L, req, opts, "headers", LUA_TTABLE, "http");
	rb_api_opt(L, req, opts, "json", LUA_TNONE, "http");
	rb_api_opt(L, req, opts, "body", LUA_TSTRING, "http");
	rb_api_opt(L, req, opts, "uses", LUA_TTABLE, "http"); /* rb_fx.h */
	if (json_object_get(req, "json") && json_object_get(req, "body")) {
		json_decref(req);
		return luaL_error(L, "http: give json or body, not both");
	}
	if (nwant > 0)
		json_object_set_new(req, "expect", json_integer(want[0]));
	reply = rb_api_http_oneway(rb_vm_get(L), req)
	    ? rb_api_effect_oneway(L, req)
	    : rb_api_effect(L, req);
	status = (long)json_integer_value(json_object_get(reply, "status"));
	for (size_t i = 0; i < sizeof lower; i++)
		if ((lower[i] = (char)(method[i] >= 'A' && method[i] <= 'Z'
		             ? method[i] + 32
		             : method[i])) == '\0')
			break;
	lower[sizeof lower - 1] = '\0';
	rb_api_expect_check(L, reply, lower, want, nwant, &status);
	lua_createtable(L, 0, 6);
	lua_pushinteger(L, status);
	lua_setfield(L, -2, "status");
	lua_pushboolean(L, status >= 200 && status < 300);
	lua_setfield(L, -2, "ok");
	rb_api_field(L, reply, "body");
	rb_json_push(L,
	    json_object_get(reply, "headers")
	        ? json_object_get(reply, "headers")
	        : json_object());
	lua_setfield(L, -2, "headers");
	body = json_object_get(reply, "body");
	j = body && json_string_length(body) > 0
	    ? json_loadb(json_string_value(body), json_string_length(body),
	          JSON_DECODE_ANY, NULL)
	    : NULL;
	if (j != NULL) {
		rb_json_push(L, j);
		json_decref(j);
		lua_setfield(L, -2, "json");
	}
	lua_pushboolean(L, json_is_true(json_object_get(reply, "simulated")));
	lua_setfield(L, -2, "simulated");
	json_decref(reply);
	return 1;
}

static void
rb_api_argv(lua_State *L, json_t *req)
{
	lua_Integer n;

	luaL_checktype(L, 1, LUA_TTABLE);
	/* a read-only view (config.reload_argv): use the table it shows */
	if (lua_getmetatable(L, 1)) {
		if (lua_getfield(L, -1, "__owl_ro") == LUA_TTABLE)
			lua_replace(L, 1);
		else
			lua_pop(L, 1);
		lua_pop(L, 1);
	}
	n = (lua_Integer)lua_rawlen(L, 1);
	if (n < 1) {
		json_decref(req);
		luaL_error(L,
		    "exec: argv must be a list such as {\"systemctl\", "
		    "\"restart\", \"x\"} (never a shell string)");
	}
	for (lua_Integer i = 1; i <= n; i++)
		if (lua_rawgeti(L, 1, i) != LUA_TSTRING) {
			json_decref(req);
			luaL_error(L, "exec: argv[%d] must be a string%s",
			    (int)i,
			    lua_type(L, -1) == LUA_TUSERDATA
			        ? " (a secret never goes in argv, where ps shows "
			          "it: pass it in env or stdin)"
			        : "");
		} else {
			lua_pop(L, 1);
		}
	rb_api_set(L, req, "argv", 1, "exec");
}

/* Copies a command's stderr into out (n bytes) as one line for an error
 * message: line breaks become "; ", other whitespace runs one space,
 * none at the ends (a trailing newline showed as a literal \x0a), cut
 * between UTF-8 characters with "..." when longer. */
static void
rb_api_oneline(const char *s, char *out, size_t n)
{
	size_t o = 0, cut = n > 4 ? n - 4 : 0;
	int nl = 0, sp = 0;

	for (; s != NULL && *s != '\0' && o < cut; s++) {
		if (*s == '\n' || *s == '\r') {
			nl = o > 0;
		} else if (*s == ' ' || *s == '\t') {
			sp = o > 0;
		} else {
			if (nl && o + 2 < cut) {
				out[o++] = ';';
				out[o++] = ' ';
			} else if ((nl || sp) && o + 1 < cut)
				out[o++] = ' ';
			nl = sp = 0;
			out[o++] = *s;
		}
	}
	if (s != NULL && *s != '\0' && o >= cut) {
		while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
			o--; /* a cut UTF-8 sequence: drop it whole */
		if (o > 0 && (unsigned char)out[o - 1] >= 0xC0)
			o--;
		memcpy(out + o, "...", 3);
		o += 3;
	}
	if (n > 0)
		out[o < n ? o : n - 1] = '\0';
}

/* exec(argv [, {env=, stdin=, timeout=, read_only=, check=}]) */
static int
rb_api_exec(lua_State *L)
{
	int opts = rb_api_opts(L, 2), check = 1;
	int64_t timeout = rb_api_timeout(L, opts);
	json_t *req = rb_api_req(L, "exec"), *reply;
	long code;

	rb_api_set_timeout(req, timeout);
	rb_api_argv(L, req);
	rb_api_opt(L, req, opts, "env", LUA_TTABLE, "exec");
	rb_api_opt(L, req, opts, "stdin", LUA_TSTRING, "exec");
	rb_api_opt(L, req, opts, "read_only", LUA_TBOOLEAN, "exec");
	if (opts != 0 && lua_getfield(L, opts, "check") != LUA_TNIL)
		check = lua_toboolean(L, -1);
	reply = rb_api_effect(L, req);
	code = (long)json_integer_value(json_object_get(reply, "code"));
	lua_createtable(L, 0, 5);
	lua_pushinteger(L, code);
	lua_setfield(L, -2, "code");
	lua_pushboolean(L, code == 0);
	lua_setfield(L, -2, "ok");
	rb_api_field(L, reply, "stdout");
	rb_api_field(L, reply, "stderr");
	lua_pushboolean(L, json_is_true(json_object_get(reply, "simulated")));
	lua_setfield(L, -2, "simulated");
	json_decref(reply);
	if (check && code != 0) {
		char msg[400], e[204];
		lua_getfield(L, -1, "stderr");
		lua_rawgeti(L, 1, 1);
		rb_api_oneline(lua_tostring(L, -2), e, sizeof e);
		snprintf(msg, sizeof msg, "exec %s: exited %d%s%s",
		    lua_tostring(L, -1), (int)code, *e ? ": " : "", e);
		return luaL_error(L, "%s", msg);
	}
	return 1;
}

/* file.read(path): the content, or nil and "missing". */
static int
rb_api_file_read(lua_State *L)
{
	json_t *req = rb_api_req(L, "file.read"), *reply;

	rb_api_set_str(L, req, "path", 1, "file.read: the path");
	reply = rb_api_effect(L, req);
	if (json_is_true(json_object_get(reply, "missing"))) {
		json_decref(reply);
		lua_pushnil(L);
		lua_pushliteral(L, "missing");
		return 2;
	}
	rb_api_field_push(L, reply, "content");
	json_decref(reply);
	return 1;
}

static void
rb_api_write(lua_State *L, int path, int content, int opts, const char *op,
    lua_Integer matches)
{
	json_t *req = rb_api_req(L, "file.write");

	json_object_set_new(req, "op", json_string(op));
	rb_api_set_str(L, req, "path", path, "file: the path");
	if (lua_type(L, content) != LUA_TSTRING &&
	    lua_type(L, content) != LUA_TUSERDATA) {
		json_decref(req);
		luaL_error(L, "file.%s: the content must be a string", op);
	}
	rb_api_set(L, req, "content", content, "file");
	rb_api_opt(L, req, opts, "mode", LUA_TSTRING, "file");
	if (matches >= 0)
		json_object_set_new(req, "matches", json_integer(matches));
	json_decref(rb_api_effect(L, req));
}

/* file.write(path, content [, {mode = "0640"}]) */
static int
rb_api_file_write(lua_State *L)
{
	rb_api_write(L, 1, 2, rb_api_opts(L, 3), "write", -1);
	return 0;
}

/* file.replace(path, pattern, repl [, {plain=, count=, allow_none=}]):
 * reads the file, applies string.gsub, writes it back; returns the
 * number of replacements. */
/* Pushes the current content of the file at 1 for file.replace. In an
 * offline dry-run the content is unknown: the write is planned as it is
 * and 1 is returned (with the result, 0, pushed). */
static int
rb_api_replace_read(lua_State *L)
{
	json_t *req = rb_api_req(L, "file.read"), *reply;
	int unknown, missing, binary;

	rb_api_set_str(L, req, "path", 1, "file.replace: the path");
	reply = rb_api_effect(L, req);
	unknown = json_is_true(json_object_get(reply, "unknown"));
	missing = json_is_true(json_object_get(reply, "missing"));
	binary = json_is_true(json_object_get(reply, "binary"));
	if (!missing && !binary)
		rb_api_field_push(L, reply, "content");
	json_decref(reply);
	if (missing)
		return luaL_error(
		    L, "file.replace %s: no such file", lua_tostring(L, 1));
	if (binary)
		return luaL_error(L,
		    "file.replace %s: not UTF-8 text (rewriting it would "
		    "damage it); use file.write",
		    lua_tostring(L, 1));
	if (!unknown)
		return 0;
	rb_api_write(L, 1, lua_gettop(L), rb_api_opts(L, 4), "replace", -1);
	lua_pushinteger(L, 0);
	return 1;
}

static int
rb_api_file_replace(lua_State *L)
{
	int opts = rb_api_opts(L, 4), plain = 0, none = 0, nargs = 3;
	lua_Integer matches;
	int content;

	luaL_checkstring(L, 1);
	luaL_checkstring(L, 2);
	luaL_checkany(L, 3);
	if (opts) {
		lua_getfield(L, opts, "plain");
		plain = lua_toboolean(L, -1);
		lua_getfield(L, opts, "allow_none");
		none = lua_toboolean(L, -1);
		lua_pop(L, 2);
	}
	lua_settop(L, 4);
	if (rb_api_replace_read(L))
		return 1; /* an offline dry-run: planned without content */
	content = lua_gettop(L);
	lua_pushvalue(L, lua_upvalueindex(1)); /* string.gsub */
	lua_pushvalue(L, content);
	if (plain) { /* escape the pattern's magic characters */
		lua_pushvalue(L, lua_upvalueindex(1));
		lua_pushvalue(L, 2);
		lua_pushliteral(L, "[%^%$%(%)%%%.%[%]%*%+%-%?]");
		lua_pushliteral(L, "%%%0");
		lua_call(L, 3, 1);
	} else {
		lua_pushvalue(L, 2);
	}
	if (plain && lua_type(L, 3) == LUA_TSTRING) {
		lua_pushvalue(L, lua_upvalueindex(1));
		lua_pushvalue(L, 3);
		lua_pushliteral(L, "%%");
		lua_pushliteral(L, "%%%%");
		lua_call(L, 3, 1);
	} else {
		lua_pushvalue(L, 3);
	}
	if (opts && lua_getfield(L, opts, "count") != LUA_TNIL)
		nargs = 4;
	else if (opts)
		lua_pop(L, 1);
	lua_call(L, nargs, 2);
	matches = lua_tointeger(L, -1);
	if (matches == 0 && !none)
		return luaL_error(L, "file.replace %s: no match for '%s'",
		    lua_tostring(L, 1), lua_tostring(L, 2));
	if (matches > 0)
		rb_api_write(L, 1, lua_gettop(L) - 1, opts, "replace", matches);
	lua_pushinteger(L, matches);
	return 1;
}

/* Pushes the secret handle a secret.generate or secret.get reply names;
 * takes the reply, released before anything that may raise. */
static int
rb_api_secret_handle(lua_State *L, json_t *reply)
{
	lua_Integer h = json_integer_value(json_object_get(reply, "handle"));

	json_decref(reply);
	lua_createtable(L, 1, 0);
	lua_pushinteger(L, h);
	lua_rawseti(L, -2, 1);
	rb_api_secret_push(L);
	return 1;
}

/* secret.generate([{bytes = 32, encoding = "base64url"|"hex"}]) */
static int
rb_api_secret_generate(lua_State *L)
{
	int opts = rb_api_opts(L, 1);
	json_t *req = rb_api_req(L, "secret.generate");

	rb_api_opt(L, req, opts, "bytes", LUA_TNUMBER, "secret.generate");
	rb_api_opt(L, req, opts, "encoding", LUA_TSTRING, "secret.generate");
	rb_api_opt(L, req, opts, "name", LUA_TSTRING, "secret.generate");
	return rb_api_secret_handle(L, rb_api_effect(L, req));
}

/* secret.get(name) */
static int
rb_api_secret_get(lua_State *L)
{
	json_t *req = rb_api_req(L, "secret.get");

	rb_api_set_str(L, req, "name", 1, "secret.get: the name");
	return rb_api_secret_handle(L, rb_api_effect(L, req));
}

/* secret.put(name, value): stores a secret value under name. */
static int
rb_api_secret_put(lua_State *L)
{
	json_t *req = rb_api_req(L, "secret.put");

	if (luaL_testudata(L, 2, RB_JSON_SECRET_MT) == NULL) {
		json_decref(req);
		return luaL_error(L,
		    "secret.put: give a secret value (from "
		    "secret.generate or secret.get), not a %s",
		    luaL_typename(L, 2));
	}
	rb_api_set_str(L, req, "name", 1, "secret.put: the name");
	rb_api_set(L, req, "value", 2, "secret.put");
	json_decref(rb_api_effect(L, req));
	return 0;
}

/* notify(text) */
static int
rb_api_notify(lua_State *L)
{
	json_t *req = rb_api_req(L, "notify");

	rb_sandbox_tostring(L, 1, NULL);
	rb_api_set_str(L, req, "text", -1, "notify");
	json_decref(rb_api_effect(L, req));
	return 0;
}

void
rb_api_fx_open(lua_State *L, int env)
{
	static const char *const methods[] = { "get", "head", "post", "put",
		"patch", "delete" };
	static const luaL_Reg secret[] = { { "generate",
		                               rb_api_secret_generate },
		{ "get", rb_api_secret_get }, { "put", rb_api_secret_put },
		{ NULL, NULL } };

	rb_api_secret_open(L);
	lua_createtable(L, 0, 6);
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		char up[8];
		for (size_t k = 0; k <= strlen(methods[i]); k++)
			up[k] = (char)(methods[i][k] >= 'a' ? methods[i][k] - 32
			                                    : methods[i][k]);
		lua_pushstring(L, up);
		lua_pushcclosure(L, rb_api_http, 1);
		lua_setfield(L, -2, methods[i]);
	}
	lua_setfield(L, env, "http");
	lua_pushcfunction(L, rb_api_exec);
	lua_setfield(L, env, "exec");
	lua_createtable(L, 0, 3);
	lua_pushcfunction(L, rb_api_file_read);
	lua_setfield(L, -2, "read");
	lua_pushcfunction(L, rb_api_file_write);
	lua_setfield(L, -2, "write");
	lua_getfield(L, env, "string");
	lua_getfield(L, -1, "gsub");
	lua_remove(L, -2);
	lua_pushcclosure(L, rb_api_file_replace, 1);
	lua_setfield(L, -2, "replace");
	lua_setfield(L, env, "file");
	luaL_newlib(L, secret);
	lua_setfield(L, env, "secret");
	lua_pushcfunction(L, rb_api_notify);
	lua_setfield(L, env, "notify");
}
