/* rb_sandbox.h: the Lua environment a runbook runs in: only the safe
 * libraries (base without dofile/loadfile, string without dump, table,
 * math, utf8, coroutine), `load` forced to text and to the sandbox,
 * `setmetatable` refusing __gc, `collectgarbage` limited to "count" and
 * "collect", the string metatable hidden, and reading an undefined global
 * an error. The process around it is the real boundary (rb_worker.h). */
#ifndef OWL_RB_SANDBOX_H
#define OWL_RB_SANDBOX_H

#include <lua.h>

/* Opens the safe libraries in L and makes the sandbox table the state's
 * global table (so no chunk can reach anything else). Leaves the stack
 * as it was. Call before any runbook code runs. */
void rb_sandbox_open(lua_State *L);

/* Loads a text chunk (never bytecode) with the sandbox as its _ENV and
 * pushes the function, or the error message. Returns a lua_load status. */
int rb_sandbox_load(
    lua_State *L, const char *src, size_t n, const char *chunkname);

#endif
