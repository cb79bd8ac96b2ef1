/* rb_api.h: the runbook API inside the worker (DESIGN.md "Runbooks"):
 * runbook{}, step, confirm, check, log, sleep, wait_until, require, json,
 * params, config, incident (rb_api.c) and the effects http, exec, file,
 * secret, notify (rb_api_fx.c), each a request to the broker. */
#ifndef OWL_RB_API_H
#define OWL_RB_API_H

#include <jansson.h>
#include <lua.h>

#include "engine/err.h"
#include "rb_vm.h"

/* Adds the API to the sandbox's global table. */
void rb_api_open(lua_State *L);

/* Adds the effect functions (http, exec, file, secret, notify) and the
 * secret value type. Called by rb_api_open. */
void rb_api_fx_open(lua_State *L, int env);

/* Adds the git table (checkout, read, write, replace, log, commit, push,
 * revert; rb_api_git.c). Called by rb_api_open. */
void rb_api_git_open(lua_State *L, int env);

/* The runbook's declaration (the table given to runbook{}), checked for
 * a `run` function, as JSON; NULL with err set. */
json_t *rb_api_decl(lua_State *L, struct err *err);

/* Binds params, config and incident from the broker's "go" message as
 * read-only globals. */
void rb_api_bind(lua_State *L, const json_t *go);

/* Runs one undo entry ({index, name, fn} at idx) and reports it. */
void rb_api_run_undo(struct rb_vm *vm, int idx);

/* Sends an effect request (taking ownership of req) and returns the reply
 * on success; on a broker-side failure raises its message as a Lua error
 * (the request and reply are freed first). */
json_t *rb_api_effect(lua_State *L, json_t *req);

/* Parses a duration argument at idx: seconds as a number, or a string
 * such as "30s", "5m". Raises on anything else. Returns microseconds. */
int64_t rb_api_duration(lua_State *L, int idx, const char *what);

/* Pushes a new secret value made of the parts table at the top (consumed). */
void rb_api_secret_push(lua_State *L);

/* Registers the secret value type's metatable (rb_api_secret.c). */
void rb_api_secret_open(lua_State *L);

#endif
