/* test_runbook.c: the runbook engine end to end with fake effects
 * (engine/rb_run.c and everything under it): the sandbox escape table,
 * bounds (deadline, memory cap, crashes), params, undo order, masking,
 * and the JSON document. */
#include "unit.h"

#include <jansson.h>

#include "engine/actlog.h"
#include "engine/effects_fake.h"
#include "engine/rb_run.h"
#include "engine/store.h"
#include "engine/store_sqlite.h"

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *p = unit_path(dir, name);
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(p);
}

/* Runs `body` (the inside of run(p)) as runbook t.lua with fake effects;
 * returns the result (doc is the caller's). */
static void
run_body(struct unit_db *f, const char *body, const json_t *fakes,
    int64_t timeout_us, int dry, struct rb_run_result *r)
{
	struct rb_run_opts o = { .name = "t",
		.dir = f->dir,
		.dry_run = dry,
		.timeout_us = timeout_us,
		.yes = 1 };
	struct effects *fx = effects_fake_new(fakes);
	json_t *params = json_object();
	char src[8192];
	struct err err;

	snprintf(src, sizeof src,
	    "runbook { summary = 't' }\n"
	    "function run(p)\n%s\nend\n",
	    body);
	write_file(f->dir, "t.lua", src);
	o.fx = fx;
	o.params = params;
	err_init(&err);
	if (rb_run(f->s, &o, r, &err) == -1) {
		snprintf(r->status, sizeof r->status, "error");
		snprintf(r->error, sizeof r->error, "%s", err.msg);
	}
	json_decref(params);
	effects_free(fx);
}

static void
expect_fail(
    struct unit_db *f, const char *body, int64_t timeout_us, const char *msg)
{
	struct rb_run_result r;

	run_body(f, body, NULL, timeout_us, 0, &r);
	if (strcmp(r.status, "ok") == 0 || strstr(r.error, msg) == NULL)
		fail_msg("%s\n  status %s, error '%s', wanted '%s'", body,
		    r.status, r.error, msg);
	json_decref(r.doc);
}

static enum rb_confirm
answer_no(void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
	return RB_CONFIRM_NO;
}

/* confirm() answered no, or by nobody (no terminal, no --yes): the run
 * stops, refused or declined, with the question in the error (the
 * answer must not be read after its reply was freed). */
static void
test_confirm_answers(void **state)
{
	struct unit_db *f = *state;
	static const struct rb_ui no = { NULL, NULL, answer_no, NULL, NULL };
	struct rb_run_opts o = { .name = "c", .dir = f->dir };
	struct rb_run_result r;
	struct effects *fx = effects_fake_new(NULL);
	json_t *params = json_object();
	struct err err;

	write_file(f->dir, "c.lua",
	    "runbook { summary = 'c' }\n"
	    "function run(p) confirm('flip the flag?') end\n");
	o.fx = fx;
	o.params = params;
	err_init(&err);
	assert_int_equal(rb_run(f->s, &o, &r, &err), 0);
	assert_string_equal(r.status, "refused");
	assert_non_null(strstr(r.error, "nobody to answer"));
	assert_non_null(strstr(r.error, "flip the flag?"));
	json_decref(r.doc);
	o.ui = &no;
	assert_int_equal(rb_run(f->s, &o, &r, &err), 0);
	assert_string_equal(r.status, "cancelled");
	assert_non_null(strstr(r.error, "not confirmed: flip the flag?"));
	json_decref(r.doc);
	json_decref(params);
	effects_free(fx);
}

static void
test_escapes(void **state)
{
	static const struct {
		const char *body, *msg;
	} t[] = {
		{ "os.execute('id')", "'os' is not available" },
		{ "io.open('/etc/passwd')", "'io' is not available" },
		{ "local f = function() end load(string.dump(f))()",
		    "field 'dump'" },
		{ "assert(load('\\27Lua\\84\\0\\25\\147'))()", "binary chunk" },
		{ "local f = load('return os') f()", "'os' is not available" },
		{ "assert(load('return x', 'x', 'b'))", "binary chunk" },
		{ "debug.getregistry()", "'debug' is not available" },
		{ "package.loadlib('libc.so.6', 'system')",
		    "'package' is not available" },
		{ "require 'os'", "require 'os': no such module" },
		{ "getmetatable('').__index.upper = nil", "boolean value" },
		{ "setmetatable({}, {__gc = function() while true do end end})",
		    "__gc metamethods are not allowed" },
		{ "collectgarbage('stop')", "only \"count\" and \"collect\"" },
		{ "local x = string.rep('x', 1e10)",
		    "resulting string too large" },
		{ "while true do pcall(function() while true do end end) end",
		    "exceeded its timeout" },
		{ "local s = string.rep('a', 1000) "
		  "s:find(string.rep('a*', 3) .. 'b')",
		    "worker was stopped" },
		{ "local function f(n) if n > 0 then return f(n - 1) end end "
		  "f(150000) error('deep ok')",
		    "deep ok" },
		{ "print('x')", "'print' is not available" },
		{ "local y = undefined_thing",
		    "undefined global 'undefined_thing'" },
		{ "params.x = 1", "params is read-only" },
		{ "rawset(params, 'x', 1)", "read-only" },
		{ "local t = {} t.__index = t setmetatable(params, t)",
		    "read-only" },
		{ "local t = setmetatable({}, {__metatable = 1}) "
		  "setmetatable(t, {})",
		    "protected metatable" },
		{ "step('a', function() step('b', function() end) end)",
		    "cannot be nested" },
		{ "exec({'echo', secret.generate()})", "never goes in argv" },
		{ "http.get('file:///etc/passwd')", "must start with http://" },
		{ "file.read('relative/path')", "must be absolute" },
	};
	/* ended by the memory cap: the deadline must not come first on a
	 * loaded machine under ASan */
	static const char *const capped[] = {
		"local x = string.rep('x', 1e9)",
		"local t = {} for i = 1, 1e8 do t[i] = {i} end",
		"local function f() return 1 + f() end f()",
	};
	struct unit_db *f = *state;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		expect_fail(f, t[i].body, 500000, t[i].msg);
	for (size_t i = 0; i < sizeof capped / sizeof capped[0]; i++)
		expect_fail(f, capped[i], 10000000, "memory cap of 64 MiB");
}

/* SECURITY.md §0: Debian's Lua 5.4.4 crashes on these; the worker may
 * die, the run fails cleanly and is logged, owl is unharmed. (The
 * concatenation needs a stack grown past the worker's reserve,
 * rb_sandbox.h, to go wrong.) */
static void
test_known_crashes(void **state)
{
	static const char *const crash[] = {
		"local function deep(n) if n > 0 then return deep(n-1) + 1 end "
		"return 0 end\n"
		"local t = setmetatable({}, {__concat = function(a, b) "
		"deep(200000) return 'x' end})\n"
		"for i = 1, 3 do local s = 'a' .. t .. 'b' end",
		"local coro = false\n"
		"for i = 1, 20000 do\n"
		"  local previous = coro\n"
		"  coro = coroutine.create(function()\n"
		"    local cc <close> = setmetatable({}, {__close = function()\n"
		"      if previous then assert(coroutine.close(previous)) end\n"
		"    end})\n"
		"    coroutine.yield()\n"
		"  end)\n"
		"  assert(coroutine.resume(coro))\n"
		"end\n"
		"coroutine.close(coro)",
	};
	struct unit_db *f = *state;
	struct rb_run_result r;
	struct store_stmt *st;
	struct err err;

	for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++) {
		run_body(f, crash[i], NULL, 5000000, 0, &r);
		assert_string_equal(r.status, "failed");
		assert_true(r.run_id > 0);
		err_init(&err);
		st = store_stmt(f->s,
		    "SELECT status, error FROM runs WHERE "
		    "id = ?",
		    &err);
		store_bind_int64(st, 1, r.run_id);
		assert_int_equal(store_step(st), STORE_ROW);
		assert_string_equal(store_col_text(st, 0), "failed");
		assert_non_null(store_col_text(st, 1));
		store_reset(st);
		json_decref(r.doc);
	}
}

static void
test_undo_order(void **state)
{
	struct unit_db *f = *state;
	struct rb_run_result r;
	json_t *steps, *fakes;
	const char *names[] = { "c", "b", "a" };

	fakes = json_pack("{s:{s:{s:i}}}", "http", "*", "status", 200);
	run_body(f,
	    "step('a', function() http.put('http://x/a') end, "
	    "  {undo = function() http.delete('http://x/a') end})\n"
	    "step('b', function() end, {undo = function() end})\n"
	    "step('c', function() end, {undo = function() end})\n"
	    "step('d', function() error('boom') end, "
	    "  {undo = function() error('never') end})\n"
	    "step('e', function() end)",
	    fakes, 0, 0, &r);
	json_decref(fakes);
	assert_string_equal(r.status, "failed");
	assert_non_null(strstr(r.error, "boom"));
	steps = json_object_get(r.doc, "steps");
	assert_int_equal(json_array_size(steps), 7); /* a b c d + 3 undos */
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(steps, 3), "status")),
	    "failed");
	for (int i = 0; i < 3; i++) {
		json_t *s = json_array_get(steps, 4 + (size_t)i);
		assert_true(json_is_true(json_object_get(s, "undo")));
		assert_string_equal(
		    json_string_value(json_object_get(s, "name")), names[i]);
	}
	/* the undo of 'a' really ran its effect */
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(json_object_get(r.doc, "plan"), "effects"),
	            1),
	        "kind")),
	    "http.delete");
	json_decref(r.doc);
}

static int
count_rows(const struct actlog_entry *e, void *ctx)
{
	const char *secret = "s3cr3t-TOKEN-value-0001";

	if (strstr(e->detail, secret) != NULL)
		fail_msg("secret in the log: %s", e->detail);
	(*(int *)ctx)++;
	return 0;
}

static void
test_masking(void **state)
{
	struct unit_db *f = *state;
	struct rb_run_result r;
	struct actlog_filter flt = { 0 };
	struct err err;
	json_t *fakes;
	char *doc;
	int n = 0;

	/* The service echoes what it got: the reply is masked too. */
	fakes = json_pack("{s:{s:s}, s:{s:{s:i, s:s}}, s:{s:{s:i}}}", "secrets",
	    "API", "s3cr3t-TOKEN-value-0001", "http", "*", "status", 200,
	    "body",
	    "you sent s3cr3t-TOKEN-value-0001 and "
	    "czNjcjN0LVRPS0VOLXZhbHVlLTAwMDE=",
	    "exec", "*", "code", 0);
	run_body(f,
	    "local k = secret.get('API')\n"
	    "step('use', function()\n"
	    "  local r = http.post('http://svc/x', {headers = {\n"
	    "    Authorization = 'Bearer ' .. k}, json = {key = k}})\n"
	    "  log('got: ' .. r.body)\n"
	    "  log('key is ' .. tostring(k) .. string.format(' %s', k))\n"
	    "  log(json.encode({k = k}))\n"
	    "  exec({'tool'}, {env = {KEY = k}, stdin = k})\n"
	    "end)\n"
	    "error('leak s3cr3t-TOKEN-value-0001 please')",
	    fakes, 0, 0, &r);
	json_decref(fakes);
	assert_string_equal(r.status, "failed");
	doc = json_dumps(r.doc, 0);
	assert_null(strstr(doc, "s3cr3t-TOKEN-value-0001"));
	assert_null(strstr(doc, "czNjcjN0LVRPS0VOLXZhbHVlLTAwMDE"));
	assert_non_null(strstr(r.error, "leak *** please"));
	free(doc);
	err_init(&err);
	assert_int_equal(actlog_each(f->s, &flt, count_rows, &n, &err), 0);
	assert_true(n > 5);
	json_decref(r.doc);
}

/* What the outside sends is data: NUL bytes (a binary file, an HTTP
 * body) reach the runbook intact instead of ending the worker (and with
 * it the undo). */
static void
test_binary_answers(void **state)
{
	struct unit_db *f = *state;
	struct rb_run_result r;
	json_t *fakes;

	fakes = json_pack("{s:{s:s#}, s:{s:{s:s#}}}", "files", "/srv/bin.dat",
	    "a\0b", (int)3, "http", "GET http://x/nul", "body", "o\0k", (int)3);
	run_body(f,
	    "step('u', function() end, {undo = function() log('undone') end})\n"
	    "step('r', function()\n"
	    "  local c = file.read('/srv/bin.dat')\n"
	    "  check(#c == 3 and c:byte(2) == 0, 'file: ' .. #c)\n"
	    "  local b = http.get('http://x/nul').body\n"
	    "  check(#b == 3 and b:byte(2) == 0, 'http: ' .. #b)\n"
	    "  error('read both')\n"
	    "end)",
	    fakes, 0, 0, &r);
	json_decref(fakes);
	assert_string_equal(r.status, "failed");
	if (strstr(r.error, "read both") == NULL)
		fail_msg("error: %s", r.error);
	assert_int_equal(json_array_size(json_object_get(r.doc, "steps")),
	    3); /* u, r, the undo of u */
	json_decref(r.doc);
}

/* An answer too big to hand to the worker (8 MiB of control characters
 * is 48 MiB of JSON) fails the step cleanly, and undo runs, instead of
 * leaving the worker waiting for an answer and owl for the worker. */
static void
test_huge_answer(void **state)
{
	struct unit_db *f = *state;
	size_t big = (size_t)8 << 20;
	char *ctl = malloc(big);
	struct rb_run_result r;
	json_t *fakes, *steps;

	alarm(120); /* a broker that waits forever fails the test */
	memset(ctl, 1, big);
	fakes = json_pack(
	    "{s:{s:{s:s%}}}", "http", "GET http://x/big", "body", ctl, big);
	free(ctl);
	run_body(f,
	    "step('u', function() end, {undo = function() log('undone') end})\n"
	    "step('big', function() http.get('http://x/big') end)",
	    fakes, 0, 0, &r);
	json_decref(fakes);
	alarm(0);
	assert_string_equal(r.status, "failed");
	if (strstr(r.error, "too big") == NULL)
		fail_msg("error: %s", r.error);
	steps = json_object_get(r.doc, "steps");
	assert_int_equal(json_array_size(steps), 3);
	assert_true(
	    json_is_true(json_object_get(json_array_get(steps, 2), "undo")));
	json_decref(r.doc);
}

/* The plan lives in owl's memory and the database: a run that makes
 * effects without end is refused past max_effects, and diffs past
 * max_diffs bytes are not kept (both default to generous ceilings). */
static void
test_effect_ceilings(void **state)
{
	struct unit_db *f = *state;
	struct rb_run_opts o = { .name = "t",
		.dir = f->dir,
		.dry_run = 1,
		.max_effects = 50,
		.max_diffs = 100 };
	json_t *fakes = json_pack("{s:{s:s}}", "files", "/srv/f", "x\n");
	struct effects *fx = effects_fake_new(fakes);
	json_t *params = json_object(), *effects;
	struct rb_run_result r;
	struct err err;

	write_file(f->dir, "t.lua",
	    "runbook { summary = 't' }\n"
	    "function run(p)\n"
	    "  step('w', function()\n"
	    "    file.write('/srv/f', 'y\\n')\n"
	    "    file.write('/srv/f', string.rep('z', 200))\n"
	    "  end)\n"
	    "  step('r', function()\n"
	    "    for i = 1, 1000 do file.read('/srv/f') end\n"
	    "  end)\n"
	    "end\n");
	o.fx = fx;
	o.params = params;
	err_init(&err);
	assert_int_equal(rb_run(f->s, &o, &r, &err), 0);
	assert_string_equal(r.status, "failed");
	if (strstr(r.error, "already made 50 effects") == NULL)
		fail_msg("error: %s", r.error);
	effects = json_object_get(json_object_get(r.doc, "plan"), "effects");
	assert_int_equal(json_array_size(effects), 50);
	assert_non_null(strstr(json_string_value(json_object_get(
	                           json_array_get(effects, 0), "diff")),
	    "+y"));
	assert_non_null(strstr(json_string_value(json_object_get(
	                           json_array_get(effects, 1), "diff")),
	    "not kept"));
	json_decref(r.doc);
	json_decref(params);
	json_decref(fakes);
	effects_free(fx);
}

static void
test_params_and_doc(void **state)
{
	struct unit_db *f = *state;
	struct rb_run_opts o = { .name = "p", .dir = f->dir, .dry_run = 1 };
	struct effects *fx = effects_fake_new(NULL);
	struct rb_run_result r;
	json_t *given;
	struct err err;

	write_file(f->dir, "p.lua",
	    "runbook { summary = 'p', params = {\n"
	    "  reason = { required = true }, n = { type = 'number', "
	    "default = 1 } } }\n"
	    "function run(p) step('s', function() "
	    "file.write('/tmp/x', p.reason .. p.n) end) end\n");
	o.fx = fx;
	given = json_pack("{s:s}", "bogus", "1");
	o.params = given;
	err_init(&err);
	assert_int_equal(rb_run(f->s, &o, &r, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	assert_non_null(strstr(err.msg, "unknown parameter 'bogus'"));
	json_decref(given);
	given = json_object();
	o.params = given;
	err_init(&err);
	assert_int_equal(rb_run(f->s, &o, &r, &err), -1);
	assert_non_null(strstr(err.msg, "missing required parameter 'reason'"));
	json_object_set_new(given, "reason", json_string("why"));
	json_object_set_new(given, "n", json_string("7"));
	err_init(&err);
	assert_int_equal(rb_run(f->s, &o, &r, &err), 0);
	assert_string_equal(r.status, "ok");
	assert_true(json_is_true(json_object_get(r.doc, "dry_run")));
	assert_true(json_is_null(json_object_get(r.doc, "commit")));
	assert_int_equal(
	    json_integer_value(json_object_get(r.doc, "run")), r.run_id);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(json_object_get(r.doc, "plan"), "effects"),
	            0),
	        "target")),
	    "/tmp/x");
	assert_non_null(strstr(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(json_object_get(r.doc, "plan"), "effects"),
	            0),
	        "diff")),
	    "+why7"));
	assert_int_equal(strlen(json_string_value(json_object_get(
	                     json_object_get(r.doc, "plan"), "hash"))),
	    64);
	json_decref(r.doc);
	json_decref(given);
	effects_free(fx);
}

/* --offline: nothing is read: an HTTP read fails saying so (a made-up
 * answer would mislead the runbook); a file.replace is planned without
 * its diff. */
static void
test_offline(void **state)
{
	struct unit_db *f = *state;
	struct rb_run_opts o = {
		.name = "t", .dir = f->dir, .dry_run = 1, .offline = 1
	};
	json_t *fakes = json_pack("{s:{s:s}}", "files", "/etc/x", "a\n");
	struct effects *fx = effects_fake_new(fakes);
	json_t *params = json_object(), *e;
	struct rb_run_result r;
	struct err err;

	write_file(f->dir, "t.lua",
	    "runbook { summary = 't' }\n"
	    "function run(p) step('e', function()\n"
	    "  local ok, why = pcall(http.get, 'http://x/')\n"
	    "  check(not ok and tostring(why):find('offline dry%-run: GET "
	    "http://x/ was not read', 1), 'a read: ' .. tostring(why))\n"
	    "  file.replace('/etc/x', 'a', 'b')\n"
	    "end) end\n");
	o.fx = fx;
	o.params = params;
	err_init(&err);
	assert_int_equal(rb_run(f->s, &o, &r, &err), 0);
	assert_string_equal(r.status, "ok");
	e = json_array_get(
	    json_object_get(json_object_get(r.doc, "plan"), "effects"), 2);
	assert_string_equal(
	    json_string_value(json_object_get(e, "kind")), "file.replace");
	assert_non_null(
	    strstr(json_string_value(json_object_get(e, "diff")), "offline"));
	json_decref(r.doc);
	json_decref(params);
	json_decref(fakes);
	effects_free(fx);
}

/* Whether a transaction was open on the run's connection when each
 * effect was performed: an effect made inside the log batch sees one, an
 * effect whose intent was committed first sees none. */
struct batch_probe {
	sqlite3 *db;
	const struct effects *inner;
	char seen[8][16];
	int n;
};

static struct batch_probe batch_probe;

static void
batch_note(const char *what)
{
	struct batch_probe *p = &batch_probe;

	if (p->n < 8)
		snprintf(p->seen[p->n++], sizeof p->seen[0], "%s:%s", what,
		    sqlite3_get_autocommit(p->db) ? "committed" : "batch");
}

static int
batch_file_read(
    void *ctx, const char *path, struct effects_file_res *res, struct err *err)
{
	(void)ctx;
	batch_note("read");
	return batch_probe.inner->file_read(
	    batch_probe.inner->ctx, path, res, err);
}

static int
batch_http(void *ctx, const struct effects_http *req,
    struct effects_http_res *res, struct err *err)
{
	(void)ctx;
	batch_note("http");
	return batch_probe.inner->http(batch_probe.inner->ctx, req, res, err);
}

/* A dry-run reads local files inside its log batch (rb_fx.h,
 * dry_in_batch), as it makes its simulated writes: no commit before
 * each. An HTTP read, and any read of a live run, is made after its
 * intent is committed. The effects here answer as the real ones do (not
 * at once), so the broker batches as it does for owl run. */
static void
test_dry_reads_batched(void **state)
{
	struct unit_db *f = *state;
	char *path = unit_path(f->dir, "conf.ini");
	json_t *fakes = json_pack("{s:{s:s}, s:{s:{s:i}}}", "files", path,
	    "a = 1\n", "http", "*", "status", 200);
	struct effects *fake = effects_fake_new(fakes);
	struct effects probe = *fake;
	struct rb_run_opts o = { .name = "t", .dir = f->dir, .yes = 1 };
	json_t *params = json_object();
	struct rb_run_result r;
	struct err err;
	char src[1024];

	batch_probe =
	    (struct batch_probe){ .db = store_sqlite_db(f->s), .inner = fake };
	if (batch_probe.db == NULL) /* the SQLite backend's batching */
		skip();
	probe.caps &= ~EFFECTS_INSTANT;
	probe.file_read = batch_file_read;
	probe.http = batch_http;
	probe.free = NULL;
	snprintf(src, sizeof src,
	    "runbook { summary = 't' }\n"
	    "function run(p) step('e', function()\n"
	    "  file.read('%s')\n"
	    "  http.get('http://x/health')\n"
	    "  file.read('%s')\n"
	    "end) end\n",
	    path, path);
	write_file(f->dir, "t.lua", src);
	o.fx = &probe;
	o.params = params;
	for (int dry = 1; dry >= 0; dry--) {
		batch_probe.n = 0;
		o.dry_run = dry;
		err_init(&err);
		assert_int_equal(rb_run(f->s, &o, &r, &err), 0);
		assert_string_equal(r.status, "ok");
		json_decref(r.doc);
		assert_int_equal(batch_probe.n, 3);
		assert_string_equal(
		    batch_probe.seen[0], dry ? "read:batch" : "read:committed");
		assert_string_equal(batch_probe.seen[1], "http:committed");
		assert_string_equal(
		    batch_probe.seen[2], dry ? "read:batch" : "read:committed");
	}
	json_decref(params);
	json_decref(fakes);
	effects_free(fake);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_confirm_answers, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_escapes, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_known_crashes, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_undo_order, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_masking, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_binary_answers, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_huge_answer, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_effect_ceilings, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_params_and_doc, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_offline, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_dry_reads_batched, unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
