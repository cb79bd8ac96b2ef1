/* test_rbmeta.c: reading a runbook's runbook{} declaration in the minimal
 * sandbox: plain data out, everything else refused with a clear error,
 * budgets and caps holding; plus the directory source and name rules. */
#include "unit.h"

#include <sys/stat.h>

#include "engine/rbmeta.h"
#include "engine/rbsource.h"

/* 256 bytes of Lua string literal */
#define X16 "xxxxxxxxxxxxxxxx"
#define X256 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16 X16

static json_t *
eval_ok(const char *src)
{
	struct err err;
	json_t *meta = NULL;

	err_init(&err);
	if (rbmeta_eval("t", src, strlen(src), NULL, &meta, &err) != 0)
		fail_msg("eval failed: %s", err.msg);
	return meta;
}

/* Evaluates src, expects a failure whose message contains want. */
static void
eval_fails(const char *src, const char *want)
{
	struct err err;
	json_t *meta = NULL;

	err_init(&err);
	assert_int_equal(
	    rbmeta_eval("t", src, strlen(src), NULL, &meta, &err), -1);
	assert_null(meta);
	if (strstr(err.msg, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err.msg, want);
	assert_int_equal(err.code, ERR_USAGE);
}

static void
test_declaration(void **state)
{
	json_t *m;

	(void)state;
	m = eval_ok("local n = 2\n"
	            "runbook { summary = 'restart ' .. n, timeout = '5m',\n"
	            "  params = { svc = { default = 'a' }, why = { required ="
	            " true } },\n"
	            "  match = { alertname = 'Down' }, steps = { 'a', 'b' } }\n"
	            "function run() error('never runs') end\n"
	            "error('top-level code after runbook{} never runs')\n");
	assert_non_null(m);
	assert_string_equal(
	    json_string_value(json_object_get(m, "summary")), "restart 2");
	assert_true(json_is_true(json_object_get(
	    json_object_get(json_object_get(m, "params"), "why"), "required")));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(m, "match"), "alertname")),
	    "Down");
	assert_int_equal(json_array_size(json_object_get(m, "steps")), 2);
	json_decref(m);
	/* A module: no runbook{} call. */
	assert_null(eval_ok("local M = {} return M"));
}

static void
test_refusals(void **state)
{
	(void)state;
	eval_fails("runbook { summary = 'x'", "t.lua:1:");
	eval_fails("os.execute('id')", "global 'os'");
	eval_fails("io.open('/etc/passwd')", "global 'io'");
	eval_fails("load('return 1')", "global 'load'");
	eval_fails("require('os')", "require");
	eval_fails("setmetatable({}, {__gc = function() end})",
	    "global 'setmetatable'");
	eval_fails("local s = ('x'):rep(10)", "attempt to index");
	eval_fails("string.dump(print)", "global 'string'");
	eval_fails("debug.getregistry()", "global 'debug'");
	eval_fails("pcall(function() end)", "global 'pcall'");
	eval_fails("runbook { run = function() end }", "not plain data");
	eval_fails("runbook { x = 0/0 }", "not finite");
	eval_fails("runbook { [1] = 'a', b = 'c' }", "mixes");
	eval_fails("runbook 'x'", "table expected");
	eval_fails("runbook { s = '\\xff' }", "UTF-8");
	/* Bounds: a busy loop, a memory bomb, deep recursion. */
	eval_fails("while true do end", "instructions");
	/* from 256 bytes the cap is passed in 14 doublings, within the
	 * first hundred instructions, before the clock is ever looked at:
	 * from one byte, a loaded machine could run past 500 ms first */
	eval_fails("local s = '" X256 "' while true do s = s .. s end", "MiB");
	/* Few instructions, each copying a megabyte: stopped by the clock,
	 * not after the instruction budget (about 10 s of copying). */
	eval_fails("local x = 'x' for i = 1, 20 do x = x .. x end "
	           "for i = 1, 1e6 do local y = x .. 'y' end",
	    "ran past 500 ms");
	/* The stack grows into the memory cap before Lua's own limit. */
	eval_fails("local function f(n) return 1 + f(n + 1) end f(1)", "MiB");
}

static void
test_binary_chunk(void **state)
{
	static const char bin[] = "\x1bLua\x54\x00";
	struct err err;
	json_t *m = NULL;

	(void)state;
	err_init(&err);
	assert_int_equal(
	    rbmeta_eval("b", bin, sizeof bin - 1, NULL, &m, &err), -1);
	assert_non_null(strstr(err.msg, "binary"));
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *p = unit_path(dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static int
collect(const char *name, const char *blob, void *ctx)
{
	(void)blob;
	strcat(ctx, name);
	strcat(ctx, ",");
	return 0;
}

static void
test_dir_source(void **state)
{
	char *dir = unit_tmpdir(), *lib = unit_path(dir, "lib");
	char names[256] = "", blob[RBSOURCE_OID_HEX], *link;
	struct rbsource *src;
	struct err err;
	json_t *meta;
	struct buf b;

	(void)state;
	assert_int_equal(mkdir(lib, 0700), 0);
	write_file(dir, "b.lua",
	    "local u = require 'lib.u'\n"
	    "runbook { summary = u.s }\n");
	write_file(dir, "a.lua", "runbook { summary = 'A' }\n");
	write_file(dir, "lib/u.lua", "return { s = 'from module' }\n");
	write_file(dir, "notes.txt", "not a runbook\n");
	link = unit_path(dir, "evil.lua");
	assert_int_equal(symlink("/etc/passwd", link), 0);
	err_init(&err);
	assert_non_null(src = rbsource_dir_open(dir, &err));
	assert_int_equal(src->origin.kind, RBSOURCE_DIR);
	assert_string_equal(src->origin.commit, "");
	assert_int_equal(rbsource_list(src, collect, names, &err), 0);
	assert_string_equal(names, "a,b,"); /* sorted; no link, no .txt */
	assert_int_equal(rbmeta_load(src, "b", &meta, blob, NULL, &err), 0);
	assert_string_equal(
	    json_string_value(json_object_get(meta, "summary")), "from module");
	json_decref(meta);
	/* The blob id is git's: `printf 'runbook { summary = ..' |
	 * git hash-object --stdin`. */
	buf_init(&b, 0);
	assert_int_equal(rbsource_read(src, "a.lua", &b, blob, &err), 0);
	assert_string_equal(blob, "6a1a80524c6f07c7aa43dbc17f1df35a61f3fe99");
	buf_done(&b);
	buf_init(&b, 0);
	assert_int_equal(rbsource_read(src, "evil.lua", &b, blob, &err), -1);
	assert_non_null(strstr(err.msg, "symbolic link"));
	err_init(&err);
	assert_int_equal(rbsource_read(src, "../x.lua", &b, blob, &err), -1);
	err_init(&err);
	assert_int_equal(
	    rbsource_read_runbook(src, "../etc", &b, blob, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	buf_done(&b);
	rbsource_close(src);
	unit_rmtree(dir);
	free(dir);
	free(lib);
	free(link);
}

static void
test_names(void **state)
{
	char path[RBSOURCE_PATH_MAX];
	struct err err;

	(void)state;
	assert_true(rbsource_name_valid("restart-gpu_pool.v2"));
	assert_false(rbsource_name_valid(".hidden"));
	assert_false(rbsource_name_valid("a/b"));
	assert_false(rbsource_name_valid(""));
	assert_true(rbsource_path_valid("lib/k8s.lua"));
	assert_false(rbsource_path_valid("lib/../x.lua"));
	assert_false(rbsource_path_valid("/etc/x.lua"));
	assert_false(rbsource_path_valid("x.txt"));
	err_init(&err);
	assert_int_equal(rbsource_module_path("lib.k8s", path, &err), 0);
	assert_string_equal(path, "lib/k8s.lua");
	assert_int_equal(rbsource_module_path("..x", path, &err), -1);
}

/* Whether o's keys are in strictly ascending byte order. */
static int
keys_sorted(const json_t *o)
{
	const char *k, *prev = NULL;
	json_t *v;

	json_object_foreach((json_t *)o, k, v)
	{
		if (prev != NULL && strcmp(prev, k) >= 0)
			return 0;
		prev = k;
	}
	return 1;
}

/* A declaration's tables come out with their keys in byte order, not
 * in Lua's per-process hash order (owl show --json, the suggestion
 * index). */
static void
test_sorted_keys(void **state)
{
	json_t *m, *p;

	(void)state;
	m = eval_ok("runbook { summary = 's', timeout = '1m',\n"
	            "  match = { z = '1', y = '2', x = '3', w = '4' },\n"
	            "  params = { zeta = { default = 'a' }, alpha = {},\n"
	            "    mid = { type = 'string', required = false,\n"
	            "      description = 'd', default = 'x' },\n"
	            "    beta = {}, omega = {}, kappa = {}, delta = {},\n"
	            "    gamma = {}, eta = {}, iota = {} } }\n");
	assert_non_null(m);
	p = json_object_get(m, "params");
	assert_int_equal(json_object_size(p), 10);
	assert_true(keys_sorted(m));
	assert_true(keys_sorted(p));
	assert_true(keys_sorted(json_object_get(p, "mid")));
	assert_true(keys_sorted(json_object_get(m, "match")));
	json_decref(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declaration),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_binary_chunk),
		cmocka_unit_test(test_dir_source),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_sorted_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
