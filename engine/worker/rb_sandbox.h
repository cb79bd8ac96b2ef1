/* rb_sandbox.h: the Lua environment a runbook runs in: only the safe
 * libraries (base without dofile/loadfile, string without dump, table,
 * math, utf8, coroutine), `load` forced to text and to the sandbox,
 * `setmetatable` refusing __gc, `collectgarbage` limited to "count" and
 * "collect", the string metatable hidden, and reading an undefined global
 * an error. The process around it is the real boundary (rb_worker.h). */
#ifndef OWL_RB_SANDBOX_H
#define OWL_RB_SANDBOX_H

#include <lua.h>

/* Stack slots reserved for a runbook's main thread and for each of its
 * coroutines (rb_sandbox_reserve_stack). */
#define RB_SANDBOX_STACK_MAIN (1 << 16)
#define RB_SANDBOX_STACK_CO (1 << 12)

/* Debian's Lua 5.4.4 (CVE-2022-33099 patched without upstream's 603b2c64)
 * loses the result of a concatenation of three or more values when a
 * __concat metamethod (a secret's) grows the stack: `b .. "/" .. key`
 * silently yields b, so `http.delete(b .. "/" .. key)` would delete the
 * service root. Reserving stack slots up front (held by the thread's
 * base frame, so the collector never shrinks them) means no call within
 * that depth reallocates the stack. Call from C, on a thread that runs
 * no Lua function yet. */
void rb_sandbox_reserve_stack(lua_State *L, int slots);

/* Pushes the text of the value at idx as tostring() does, without an
 * address: a table, function, thread or userdata without __tostring
 * shows as its type (or __name), never "table: 0x55d2...", so a runbook
 * learns nothing of the worker's memory layout. Returns the string. */
const char *rb_sandbox_tostring(lua_State *L, int idx, size_t *len);

/* Opens the safe libraries in L and makes the sandbox table the state's
 * global table (so no chunk can reach anything else). Leaves the stack
 * as it was. Call before any runbook code runs. */
void rb_sandbox_open(lua_State *L);

/* Loads a text chunk (never bytecode) with the sandbox as its _ENV and
 * pushes the function, or the error message. Returns a lua_load status. */
int rb_sandbox_load(
    lua_State *L, const char *src, size_t n, const char *chunkname);

#endif
