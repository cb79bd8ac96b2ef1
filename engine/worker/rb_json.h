/* rb_json.h: converting between Lua values and JSON (jansson), for the
 * config, the worker<->broker protocol and the runbook's json.* API; and
 * read-only Lua views of JSON data (params, config, incident). */
#ifndef OWL_RB_JSON_H
#define OWL_RB_JSON_H

#include <jansson.h>
#include <lua.h>

#include "engine/err.h"

/* The metatable name of secret values in a runbook's Lua state
 * (rb_api.c makes them; they hold handles, never the value). */
#define RB_JSON_SECRET_MT "owl.secret"
/* A secret value travels in the protocol as {KEY: ["Bearer ", 3]}
 * (strings and handle numbers), KEY being "$owl_secret:" and 32 random
 * hex digits chosen by the broker for each run: the worker's C code
 * knows it, Lua never sees it, so no data (a decoded HTTP answer, a
 * json.decode) can name a secret (rb_secret.h). */
#define RB_JSON_SECRET_PREFIX "$owl_secret:"
#define RB_JSON_MAX_DEPTH 64

/* What to do with a secret value met while converting. */
enum rb_json_secrets {
	RB_JSON_SECRETS_REFUSE, /* an error ("config" has none) */
	RB_JSON_SECRETS_REF, /* {KEY: parts}: the protocol (use
	                      * rb_json_from_lua_ref) */
	RB_JSON_SECRETS_MASK, /* the text with "***" for each handle */
};

/* Converts the Lua value at idx into a new JSON value (json_decref).
 * Tables with keys 1..n become arrays, tables with string keys objects,
 * an empty table an object; the light userdata json.null is null.
 * Functions, threads, other userdata, mixed or non-string keys, NaN,
 * cycles and nesting past RB_JSON_MAX_DEPTH: NULL with err set naming
 * the path ("params.x: a function cannot be JSON"). Uses raw access, so
 * no metamethod runs (read-only views are seen through). */
json_t *rb_json_from_lua(
    lua_State *L, int idx, enum rb_json_secrets sec, struct err *err);

/* rb_json_from_lua in RB_JSON_SECRETS_REF mode: secret values become
 * {key: parts}, key being the run's reference key. */
json_t *rb_json_from_lua_ref(
    lua_State *L, int idx, const char *key, struct err *err);

/* Pushes a JSON value as plain Lua tables (null as json.null). Raises a
 * Lua error on memory exhaustion; call it only in protected code. */
void rb_json_push(lua_State *L, const json_t *j);

/* Pushes a read-only view of a JSON value: nested tables are proxies
 * whose writes raise "NAME is read-only"; #, pairs and ipairs work. */
void rb_json_push_ro(lua_State *L, const json_t *j, const char *name);

/* Makes the table at the top of the stack a read-only proxy in place
 * (replaces it on the stack). Nested tables are wrapped too. */
void rb_json_freeze(lua_State *L, const char *name);

#endif
