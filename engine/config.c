/* config.c: loading owl's Lua config in an empty sandbox and reading it
 * back by dotted path (see config.h). The config is the operator's own
 * file, so it runs in-process, but with nothing to touch: no io, os,
 * package, debug, load, require or string patterns, text chunks only,
 * an instruction budget and a memory cap. */
#include "config.h"

#include <errno.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "paths.h"
#include "worker/rb_json.h"

#define CONFIG_MAX_BYTES (1 << 20)
#define CONFIG_MEM_CAP ((size_t)16 << 20)
#define CONFIG_MAX_INSNS 20000000L
#define CONFIG_HOOK_EVERY 10000

struct config {
	char *path;
	json_t *root;
};

struct config_mem {
	size_t used, cap;
	long insns;
};

static void *
config_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct config_mem *m = ud;
	void *p;

	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		m->used -= osize;
		return NULL;
	}
	if (nsize > osize && nsize - osize > m->cap - m->used)
		return NULL;
	if ((p = realloc(ptr, nsize)) != NULL)
		m->used = m->used - osize + nsize;
	return p;
}

static void
config_hook(lua_State *L, lua_Debug *ar)
{
	struct config_mem *m;

	(void)ar;
	lua_getallocf(L, (void **)&m);
	m->insns += CONFIG_HOOK_EVERY;
	if (m->insns > CONFIG_MAX_INSNS) {
		lua_sethook(L, config_hook, LUA_MASKCOUNT, 1);
		luaL_error(L,
		    "the config runs too long (more than %d million "
		    "instructions)",
		    (int)(CONFIG_MAX_INSNS / 1000000));
	}
}

/* Builds the environment table the config runs in: a few pure base
 * functions and the string (no patterns, no dump), table and math
 * libraries. */
static void
config_env(lua_State *L)
{
	static const char *const base[] = { "assert", "error", "ipairs", "next",
		"pairs", "select", "tonumber", "tostring", "type", "rawequal",
		"rawget", "rawlen", "_VERSION", NULL };
	static const char *const strdrop[] = { "dump", "find", "match",
		"gmatch", "gsub", NULL };
	static const struct {
		const char *name;
		lua_CFunction open;
	} libs[] = { { LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_MATHLIBNAME, luaopen_math } };

	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	lua_newtable(L); /* env */
	for (int i = 0; base[i] != NULL; i++) {
		lua_getfield(L, -2, base[i]);
		lua_setfield(L, -2, base[i]);
	}
	for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
		luaL_requiref(L, libs[i].name, libs[i].open, 0);
		lua_setfield(L, -2, libs[i].name);
	}
	lua_getfield(L, -1, LUA_STRLIBNAME);
	for (int i = 0; strdrop[i] != NULL; i++) {
		lua_pushnil(L);
		lua_setfield(L, -2, strdrop[i]);
	}
	lua_pop(L, 1);
	lua_remove(L, -2); /* the real base table */
}

static struct config *
config_new(const char *path, json_t *root)
{
	struct config *c = calloc(1, sizeof *c);

	if (c == NULL || (c->path = strdup(path ? path : "")) == NULL) {
		free(c);
		json_decref(root);
		return NULL;
	}
	c->root = root;
	return c;
}

struct config *
config_parse(const char *src, size_t n, const char *name, struct err *err)
{
	struct config_mem mem = { 0, CONFIG_MEM_CAP, 0 };
	struct config *c = NULL;
	json_t *root = NULL;
	char chunk[300];
	lua_State *L;

	if ((L = lua_newstate(config_alloc, &mem)) == NULL) {
		err_set(err, ERR_FAILED, "config: out of memory");
		return NULL;
	}
	lua_sethook(L, config_hook, LUA_MASKCOUNT, CONFIG_HOOK_EVERY);
	snprintf(chunk, sizeof chunk, "@%s", name);
	config_env(L);
	if (luaL_loadbufferx(L, src, n, chunk, "t") != LUA_OK)
		goto lua_fail;
	lua_pushvalue(L, -2);
	lua_setupvalue(L, -2, 1); /* _ENV */
	if (lua_pcall(L, 0, 1, 0) != LUA_OK)
		goto lua_fail;
	if (lua_isnil(L, -1)) {
		root = json_object();
	} else if (!lua_istable(L, -1)) {
		err_set(err, ERR_USAGE,
		    "config %s: must return a table, not "
		    "a %s",
		    name, luaL_typename(L, -1));
		goto out;
	} else if ((root = rb_json_from_lua(
	                L, -1, RB_JSON_SECRETS_REFUSE, err)) == NULL) {
		err_prefix(err, "config %s: ", name);
		goto out;
	}
	if ((c = config_new(name, root)) == NULL)
		err_set(err, ERR_FAILED, "config: out of memory");
	goto out;
lua_fail:
	err_set(err, ERR_USAGE, "config: %s",
	    lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
out:
	lua_close(L);
	return c;
}

static int
config_read(const char *path, struct buf *b, int *missing, struct err *err)
{
	char chunk[8192];
	size_t n;
	FILE *f;

	*missing = 0;
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT) {
			*missing = 1;
			return 0;
		}
		return err_set(
		    err, ERR_USAGE, "config %s: %s", path, strerror(errno));
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(b, chunk, n, err) == -1) {
			fclose(f);
			err_prefix(err, "config %s: ", path);
			return -1;
		}
	if (ferror(f)) {
		fclose(f);
		return err_set(err, ERR_USAGE, "config %s: read error", path);
	}
	fclose(f);
	return 0;
}

struct config *
config_load(const char *flag, struct err *err)
{
	const char *env = getenv("OWL_CONFIG");
	int named = flag != NULL || (env != NULL && env[0] != '\0');
	struct config *c = NULL;
	char *path;
	int missing;
	struct buf b;

	if ((path = paths_config(flag, err)) == NULL)
		return NULL;
	buf_init(&b, CONFIG_MAX_BYTES);
	if (config_read(path, &b, &missing, err) == -1)
		goto out;
	if (missing && named) {
		err_set(err, ERR_USAGE, "config %s: no such file", path);
		goto out;
	}
	if (missing) {
		c = config_new("", json_object());
		if (c == NULL)
			err_set(err, ERR_FAILED, "config: out of memory");
		goto out;
	}
	c = config_parse(buf_str(&b), b.len, path, err);
out:
	buf_done(&b);
	free(path);
	return c;
}

struct config *
config_from_json(const json_t *obj)
{
	if (!json_is_object(obj))
		return NULL;
	return config_new("", json_deep_copy(obj));
}

struct config *
config_empty(void)
{
	return config_new("", json_object());
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	json_decref(c->root);
	free(c->path);
	free(c);
}

const char *
config_path(const struct config *c)
{
	return c->path;
}

const json_t *
config_json(const struct config *c)
{
	return c->root;
}

const json_t *
config_get(const struct config *c, const char *path)
{
	const json_t *v = c->root;
	const char *p = path, *dot;
	char key[128];
	size_t n;

	while (v != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof key || !json_is_object(v))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		p += n + (dot != NULL);
	}
	return v;
}

static void
config_type_err(const char *path, const char *want, struct err *err)
{
	err_set(err, ERR_USAGE, "config: %s: expected %s", path, want);
}

const char *
config_str(
    const struct config *c, const char *path, const char *def, struct err *err)
{
	const json_t *v = config_get(c, path);

	if (v == NULL)
		return def;
	if (!json_is_string(v)) {
		config_type_err(path, "a string", err);
		return def;
	}
	return json_string_value(v);
}

double
config_num(
    const struct config *c, const char *path, double def, struct err *err)
{
	const json_t *v = config_get(c, path);

	if (v == NULL)
		return def;
	if (!json_is_number(v)) {
		config_type_err(path, "a number", err);
		return def;
	}
	return json_number_value(v);
}

int
config_bool(const struct config *c, const char *path, int def, struct err *err)
{
	const json_t *v = config_get(c, path);

	if (v == NULL)
		return def;
	if (!json_is_boolean(v)) {
		config_type_err(path, "true or false", err);
		return def;
	}
	return json_is_true(v);
}

void
config_push(lua_State *L, const struct config *c)
{
	rb_json_push_ro(L, c->root, "config");
}
