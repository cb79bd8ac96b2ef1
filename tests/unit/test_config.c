/* test_config.c: the Lua config: sandbox, caps, getters, read-only push
 * (engine/config.c). */
#include "unit.h"

#include <lauxlib.h>
#include <lualib.h>

#include "engine/config.h"

static struct config *
parse(const char *src, struct err *err)
{
	err_init(err);
	return config_parse(src, strlen(src), "test.lua", err);
}

static void
test_getters(void **state)
{
	struct config *c;
	struct err err;

	(void)state;
	c = parse(
	    "local d = '/srv/rb'\n"
	    "return { env = 'PROD', runbooks = { dir = d, ref = 'main' },\n"
	    "  serve = { port = 9095, insecure = false },\n"
	    "  tokens = { 'a', 'b' }, ratio = 0.5 * 3 }",
	    &err);
	assert_non_null(c);
	assert_string_equal(config_str(c, "env", NULL, &err), "PROD");
	assert_string_equal(
	    config_str(c, "runbooks.dir", NULL, &err), "/srv/rb");
	assert_null(config_str(c, "runbooks.repo", NULL, &err));
	assert_string_equal(config_str(c, "nope.deeper", "x", &err), "x");
	assert_true(config_num(c, "serve.port", 0, &err) == 9095);
	assert_true(config_num(c, "ratio", 0, &err) == 1.5);
	assert_int_equal(config_bool(c, "serve.insecure", 1, &err), 0);
	assert_true(json_is_array(config_get(c, "tokens")));
	assert_false(err_isset(&err));
	/* wrong type: the default and a message naming the path */
	assert_int_equal(config_num(c, "env", 7, &err), 7);
	assert_string_equal(err.msg, "config: env: expected a number");
	config_free(c);
}

static void
test_sandbox(void **state)
{
	static const struct {
		const char *src, *msg;
	} bad[] = {
		{ "return io.open('/etc/passwd')", "io" },
		{ "return os.getenv('HOME')", "os" },
		{ "return require('os')", "require" },
		{ "return load('return 1')", "load" },
		{ "return ('x'):find('x')", "find" },
		{ "return string.dump(print)", "dump" },
		{ "while true do end", "too long" },
		{ "local t = {} for i = 1, 1e9 do t[i] = i end", "" },
		{ "return { f = function() end }", "f: a function" },
		{ "return 42", "must return a table" },
		{ "return {", "expected" },
		{ "\x1bLua", "binary" },
		{ "return { 1, x = 2 }", "mixes" },
	};
	struct config *c;
	struct err err;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = parse(bad[i].src, &err);
		assert_null(c);
		assert_int_equal(err.code, ERR_USAGE);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("%s: %s", bad[i].src, err.msg);
	}
}

static void
test_load_files(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "c.lua");
	struct config *c;
	struct err err;
	FILE *f;

	(void)state;
	unsetenv("OWL_CONFIG");
	setenv("XDG_CONFIG_HOME", dir, 1);
	err_init(&err);
	c = config_load(NULL, &err); /* default place, missing: defaults */
	assert_non_null(c);
	assert_int_equal(json_object_size(config_json(c)), 0);
	config_free(c);
	c = config_load(path, &err); /* named and missing: an error */
	assert_null(c);
	assert_int_equal(err.code, ERR_USAGE);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("return { env = 'staging' }\n", f);
	fclose(f);
	setenv("OWL_CONFIG", path, 1);
	err_init(&err);
	c = config_load(NULL, &err);
	assert_non_null(c);
	assert_string_equal(config_str(c, "env", NULL, NULL), "staging");
	assert_string_equal(config_path(c), path);
	config_free(c);
	unsetenv("OWL_CONFIG");
	unit_rmtree(dir);
	free(path);
	free(dir);
}

static void
test_push_readonly(void **state)
{
	struct config *c;
	struct err err;
	lua_State *L;

	(void)state;
	c = parse("return { env = 'PROD', flags = { url = 'http://f' }, "
	          "list = { 'a', 'b', 'c' } }",
	    &err);
	assert_non_null(c);
	L = luaL_newstate();
	luaL_openlibs(L);
	config_push(L, c);
	lua_setglobal(L, "config");
	assert_int_equal(
	    luaL_dostring(L,
	        "assert(config.flags.url == "
	        "'http://f') assert(#config.list == 3) local n = 0 "
	        "for k, v in pairs(config) do n = n + 1 end assert(n == 3) "
	        "for i, v in ipairs(config.list) do n = n + 1 end "
	        "assert(n == 6)"),
	    LUA_OK);
	assert_int_not_equal(luaL_dostring(L, "config.env = 'dev'"), LUA_OK);
	assert_non_null(strstr(lua_tostring(L, -1), "config is read-only"));
	assert_int_not_equal(
	    luaL_dostring(L, "config.flags.url = 'x'"), LUA_OK);
	assert_int_not_equal(luaL_dostring(L,
	                         "rawset(config, 'x', 1) "
	                         "return getmetatable(config).__index"),
	    LUA_OK);
	lua_close(L);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_sandbox),
		cmocka_unit_test(test_load_files),
		cmocka_unit_test(test_push_readonly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
