/* config.h: owl's configuration: a Lua file that returns a table,
 * evaluated with no effects available (no io, os, require; text chunks
 * only; instruction and memory caps). Held as JSON; read with typed
 * getters by dotted path ("runbooks.dir") or pushed into a runbook's Lua
 * state as its read-only `config`. */
#ifndef OWL_CONFIG_H
#define OWL_CONFIG_H

#include <jansson.h>
#include <lua.h>

#include "err.h"

struct config;

/* Loads the config from `flag` (--config), else $OWL_CONFIG, else
 * $XDG_CONFIG_HOME/owl/config.lua. A missing file at the default place
 * gives an empty config (defaults); a missing file named by --config or
 * $OWL_CONFIG, a syntax or runtime error, a value that is not a table,
 * or a table holding functions: NULL with err set (ERR_USAGE) naming the
 * file and line. Free with config_free(). */
struct config *config_load(const char *flag, struct err *err);

/* Evaluates config source text (name used in messages). Same rules. */
struct config *config_parse(
    const char *src, size_t n, const char *name, struct err *err);

/* A config holding a copy of obj (a JSON object), e.g. a runbook test's
 * config. NULL when out of memory or obj is not an object. */
struct config *config_from_json(const json_t *obj);

/* An empty config (all defaults). NULL when out of memory. */
struct config *config_empty(void);

/* Frees a config; accepts NULL. */
void config_free(struct config *c);

/* The path the config was read from ("" when built from text or empty
 * and no file existed), borrowed. */
const char *config_path(const struct config *c);

/* The whole table as JSON (an object), borrowed. */
const json_t *config_json(const struct config *c);

/* Looks up a dotted path ("runbooks.repo"); NULL when absent. Borrowed. */
const json_t *config_get(const struct config *c, const char *path);

/* Typed getters: return the value, or `def` when the path is absent.
 * A value of the wrong type also gives `def` and sets err (ERR_USAGE,
 * "config: runbooks.dir: expected a string") when err is not NULL. */
const char *config_str(
    const struct config *c, const char *path, const char *def, struct err *err);
double config_num(
    const struct config *c, const char *path, double def, struct err *err);
int config_bool(
    const struct config *c, const char *path, int def, struct err *err);

/* Pushes the config onto L as a read-only table (writes raise "config
 * is read-only"); this is the runbook's `config` global. Call it in
 * protected code: it raises on memory exhaustion. */
void config_push(lua_State *L, const struct config *c);

#endif
