/* test_rbguard.c: what the runbook engine refuses a hostile or careless
 * runbook (issue "Secrets stay secret and the sandbox holds"): writes
 * after a failed step, a secret lost by Debian's Lua 5.4.4 in a
 * concatenation, addresses, an oversized request, unbounded logs and
 * timeouts. Runs with fake effects (engine/rb_run.c and below). */
#include "unit.h"

#include <jansson.h>

#include "engine/effects_fake.h"
#include "engine/rb_run.h"
#include "engine/store.h"

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

/* Runs `src` (a whole runbook) as t.lua with fakes (may be NULL); the
 * result's doc is the caller's. */
static void
run_src(struct unit_db *f, const char *src, const json_t *fakes, int dry,
    struct rb_run_result *r)
{
	struct rb_run_opts o = {
		.name = "t", .dir = f->dir, .dry_run = dry, .yes = 1
	};
	struct effects *fx = effects_fake_new(fakes);
	json_t *params = json_object();
	struct err err;

	write_file(f->dir, "t.lua", src);
	o.fx = fx;
	o.params = params;
	err_init(&err);
	if (rb_run(f->s, &o, r, &err) == -1) {
		snprintf(r->status, sizeof r->status, "error");
		snprintf(r->error, sizeof r->error, "%s", err.msg);
		r->doc = NULL;
	}
	json_decref(params);
	effects_free(fx);
}

/* The plan entry whose target is target (NULL: none). */
static const json_t *
plan_entry(const struct rb_run_result *r, const char *target)
{
	const json_t *effects =
	    json_object_get(json_object_get(r->doc, "plan"), "effects");
	const json_t *e;
	size_t i;

	json_array_foreach(effects, i, e)
	{
		const char *t = json_string_value(json_object_get(e, "target"));
		if (t != NULL && strcmp(t, target) == 0)
			return e;
	}
	return NULL;
}

static const char *
entry_error(const struct rb_run_result *r, const char *target)
{
	const json_t *e = plan_entry(r, target);

	if (e == NULL)
		fail_msg("no effect on %s in the plan", target);
	return json_string_value(json_object_get(e, "error"));
}

static json_t *
fakes_any(void)
{
	return json_pack("{s:{s:{s:i}}, s:{s:{s:i}}}", "http", "*", "status",
	    200, "exec", "*", "code", 0);
}

/* A step fails inside pcall; run() then writes outside any step, and a
 * <close> variable's handler writes too: every one is refused, undo
 * still writes, and the run ends with the step's message. */
static void
test_no_write_after_failure(void **state)
{
	struct unit_db *f = *state;
	json_t *fakes = fakes_any();
	struct rb_run_result r;
	const char *e;

	run_src(f,
	    "runbook { summary = 't' }\n"
	    "function run(p)\n"
	    "  local c <close> = setmetatable({}, { __close = function()\n"
	    "    pcall(http.post, 'http://x/close') end })\n"
	    "  step('a', function() end,\n"
	    "    { undo = function() http.put('http://x/undo') end })\n"
	    "  pcall(step, 'b', function() error('boom-reason') end)\n"
	    "  pcall(http.put, 'http://x/after')\n"
	    "  pcall(exec, { 'touch', '/tmp/x' })\n"
	    "  pcall(notify, 'after')\n"
	    "  http.get('http://x/read')\n"
	    "end\n",
	    fakes, 0, &r);
	assert_string_equal(r.status, "failed");
	if (strstr(r.error, "boom-reason") == NULL)
		fail_msg(
		    "the run's error lost the step's message: '%s'", r.error);
	for (int i = 0; i < 4; i++) {
		const char *t[] = { "http://x/after", "touch /tmp/x", "after",
			"http://x/close" };
		e = entry_error(&r, t[i]);
		if (e == NULL ||
		    strstr(e,
		        "refused: the run already failed "
		        "(step 'b' failed:") == NULL)
			fail_msg("%s: %s", t[i], e ? e : "made");
	}
	assert_null(entry_error(&r, "http://x/read")); /* reads go on */
	assert_null(entry_error(&r, "http://x/undo")); /* undo writes */
	json_decref(r.doc);
	/* a run that catches the failure and returns: the step's message */
	run_src(f,
	    "runbook { summary = 't' }\n"
	    "function run(p)\n"
	    "  pcall(step, 'b', function() error('the-reason-xyz') end)\n"
	    "end\n",
	    fakes, 0, &r);
	assert_string_equal(r.status, "failed");
	if (strstr(r.error, "the-reason-xyz") == NULL)
		fail_msg("the run's error: '%s'", r.error);
	json_decref(r.doc);
	json_decref(fakes);
}

/* Counts the plan's effects of kind (e.g. "http.delete"). */
static size_t
plan_count(const struct rb_run_result *r, const char *kind)
{
	const json_t *effects =
	    json_object_get(json_object_get(r->doc, "plan"), "effects");
	const json_t *e;
	size_t i, n = 0;

	json_array_foreach(effects, i, e)
	{
		const char *k = json_string_value(json_object_get(e, "kind"));
		n += k != NULL && strcmp(k, kind) == 0;
	}
	return n;
}

/* Debian's Lua 5.4.4 drops a concatenation whose secret __concat grows
 * the stack: `http.delete(b .. "/v1/keys/" .. key)` sent DELETE b (the
 * service root) at some depths, tail call or not. Every call at every
 * depth must be refused (a secret never goes in a URL). */
static void
test_concat_never_lost(void **state)
{
	struct unit_db *f = *state;
	struct rb_run_result r;

	run_src(f,
	    "runbook { summary = 't' }\n"
	    "function run(p)\n"
	    "  local key = secret.generate()\n"
	    "  local shapes = {}\n"
	    "  for nloc = 0, 20 do\n"
	    "    local l = {}\n"
	    "    for i = 1, nloc do l[#l + 1] = 'local l' .. i .. ' = {}' end\n"
	    "    for _, body in ipairs({\n"
	    "      \"return http.delete(b .. '/v1/keys/' .. key)\",\n"
	    "      \"local r = http.delete(b .. '/v1/keys/' .. key) return r\",\n"
	    "      \"return http.delete(b .. '/k/' .. key, { headers = {} })\",\n"
	    "      \"local u = b .. '/' .. key return http.delete(u)\" }) do\n"
	    "      shapes[#shapes + 1] = load('local key = ... return "
	    "function(b) ' .. table.concat(l, ' ') .. ' ' .. body .. "
	    "' end')(key)\n"
	    "    end\n"
	    "  end\n"
	    "  local function rec(n, f)\n"
	    "    if n == 0 then return pcall(f, 'http://x') end\n"
	    "    return (rec(n - 1, f))\n"
	    "  end\n"
	    "  local co = coroutine.wrap(function()\n"
	    "    for depth = 0, 120 do for _, f in ipairs(shapes) do\n"
	    "      rec(depth, f) end end\n"
	    "  end)\n"
	    "  for depth = 0, 300 do for _, f in ipairs(shapes) do\n"
	    "    rec(depth, f) end end\n"
	    "  co()\n"
	    "end\n",
	    NULL, 1, &r);
	if (strcmp(r.status, "ok") != 0)
		fail_msg("%s: %s", r.status, r.error);
	assert_int_equal(plan_count(&r, "http.delete"), 0);
	json_decref(r.doc);
}

/* A request too big for the worker's channel (a 20 MB body) fails the
 * effect, so the step fails and undo runs; the worker goes on. */
static void
test_request_too_large(void **state)
{
	struct unit_db *f = *state;
	json_t *fakes = fakes_any(), *steps, *s;
	struct rb_run_result r;
	int undone = 0;
	size_t i;

	run_src(f,
	    "runbook { summary = 't' }\n"
	    "function run(p)\n"
	    "  step('a', function() end, { undo = function() log('u') end })\n"
	    "  step('b', function()\n"
	    "    http.post('http://x/big', { body = string.rep('x', 20e6) })\n"
	    "  end)\n"
	    "end\n",
	    fakes, 0, &r);
	assert_string_equal(r.status, "failed");
	if (strstr(r.error, "request too large") == NULL)
		fail_msg("error: %s", r.error);
	steps = json_object_get(r.doc, "steps");
	json_array_foreach(steps, i, s) undone +=
	    json_is_true(json_object_get(s, "undo")) &&
	    strcmp(json_string_value(json_object_get(s, "status")), "ok") == 0;
	assert_int_equal(undone, 1);
	json_decref(r.doc);
	json_decref(fakes);
}

/* runbook { timeout = 1e13 } overflowed to a negative timeout. */
static void
test_timeout_bounded(void **state)
{
	static const char *const t[] = { "1e13", "-5", "'30d'", "8 * 86400" };
	struct unit_db *f = *state;
	struct rb_run_result r;
	char src[200];

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(src, sizeof src,
		    "runbook { summary = 't', timeout = %s }\n"
		    "function run(p) end\n",
		    t[i]);
		run_src(f, src, NULL, 0, &r);
		if (strcmp(r.status, "error") != 0 ||
		    strstr(r.error, "7 days") == NULL)
			fail_msg("timeout %s: %s %s", t[i], r.status, r.error);
		json_decref(r.doc);
	}
	run_src(f,
	    "runbook { summary = 't', timeout = 7 * 86400 }\n"
	    "function run(p) end\n",
	    NULL, 0, &r);
	assert_string_equal(r.status, "ok");
	json_decref(r.doc);
}

/* log() has a ceiling per run, like effects, and says so in the log. */
static void
test_log_cap(void **state)
{
	struct unit_db *f = *state;
	struct rb_run_result r;
	struct store_stmt *st;
	struct err err;
	int n = 0, capped = 0, dropped = 0;

	run_src(f,
	    "runbook { summary = 't' }\n"
	    "function run(p) for i = 1, 10050 do log('line', i) end end\n",
	    NULL, 0, &r);
	assert_string_equal(r.status, "ok");
	err_init(&err);
	st = store_stmt(f->s,
	    "SELECT detail FROM actlog WHERE run_id = ? AND kind = 'run.log'",
	    &err);
	assert_non_null(st);
	store_bind_int64(st, 1, r.run_id);
	while (store_step(st) == STORE_ROW) {
		const char *d = (const char *)store_col_text(st, 0);
		n++;
		capped +=
		    strstr(d, "reached its cap of 10000 log lines") != NULL;
		dropped +=
		    strstr(d, "50 more log lines were not recorded") != NULL;
	}
	store_reset(st);
	assert_int_equal(n, 10001);
	assert_int_equal(capped, 1);
	assert_int_equal(dropped, 1);
	json_decref(r.doc);
	/* one line over: said in the singular */
	run_src(f,
	    "runbook { summary = 't' }\n"
	    "function run(p) for i = 1, 10001 do log('line', i) end end\n",
	    NULL, 0, &r);
	assert_string_equal(r.status, "ok");
	store_bind_int64(st, 1, r.run_id);
	dropped = 0;
	while (store_step(st) == STORE_ROW)
		dropped += strstr((const char *)store_col_text(st, 0),
		               "1 more log line was not recorded") != NULL;
	store_reset(st);
	assert_int_equal(dropped, 1);
	json_decref(r.doc);
}

/* The worker reveals no address to a runbook (it would help an exploit
 * of the VM): tostring, string.format, error values, log. */
static void
test_no_addresses(void **state)
{
	struct unit_db *f = *state;
	struct rb_run_result r;
	struct store_stmt *st;
	struct err err;
	int n = 0;

	run_src(f,
	    "runbook { summary = 't' }\n"
	    "function run(p)\n"
	    "  log(tostring({}), tostring(function() end), tostring(print),\n"
	    "    tostring(coroutine.create(function() end)), tostring(params))\n"
	    "  log(string.format('%s %s %5s', {}, string.rep, params))\n"
	    "  log(pcall(string.format, '%p', {}))\n"
	    "  log(pcall(check, false, {}))\n"
	    "  log({}, function() end)\n"
	    "  log(select(2, pcall(step, 'x', function() error({}) end)))\n"
	    "end\n",
	    NULL, 1, &r);
	assert_string_equal(r.status, "failed"); /* print is not there */
	json_decref(r.doc);
	run_src(f,
	    "runbook { summary = 't' }\n"
	    "function run(p)\n"
	    "  log(tostring({}), tostring(function() end),\n"
	    "    tostring(coroutine.create(function() end)), tostring(params))\n"
	    "  log(string.format('%s %s %5s', {}, string.rep, params))\n"
	    "  log(pcall(string.format, '%p', {}))\n"
	    "  log(pcall(check, false, {}))\n"
	    "  log({}, function() end)\n"
	    "  log(select(2, pcall(step, 'x', function() error({}) end)))\n"
	    "end\n",
	    NULL, 1, &r);
	err_init(&err);
	st = store_stmt(f->s,
	    "SELECT detail FROM actlog WHERE run_id = ? AND kind = 'run.log'",
	    &err);
	assert_non_null(st);
	store_bind_int64(st, 1, r.run_id);
	while (store_step(st) == STORE_ROW) {
		const char *d = (const char *)store_col_text(st, 0);
		n++;
		if (strstr(d, "0x") != NULL)
			fail_msg("an address in: %s", d);
		if (n == 3 &&
		    strstr(d, "%p (an address) is not available") == NULL)
			fail_msg("%%p: %s", d);
	}
	store_reset(st);
	assert_int_equal(n, 6);
	json_decref(r.doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_write_after_failure,
		    unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_concat_never_lost, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_request_too_large, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_timeout_bounded, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_cap, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(
		    test_no_addresses, unit_db_setup, unit_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
