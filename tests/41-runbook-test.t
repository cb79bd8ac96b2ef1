#!/bin/sh
# 41-runbook-test.t: `owl test`: the example runbooks' tests pass with
# fakes; a failing expectation and a dry-run that plans other writes than
# the live run makes are both caught; test runs stay out of the real log.
. "$(dirname "$0")/lib.sh"

run "$OWL" test --runbooks "$OWL_ROOT/runbooks"
is "$RC" 0 "the example runbooks' tests pass"
like "$OUT" "^ok +degraded-mode: switches a normal service to degraded" \
	"names each test"
like "$OUT" "^[0-9]+ passed, 0 failed$" "counts them"
db_absent
ok $? "test runs never touch the real database"

mkdir -p "$T/rb"
printf '%s\n' 'runbook { summary = "diverge" }' \
	'function run(p)' \
	'  step("create", function()' \
	'    local r = http.post("http://svc.test/things")' \
	'    -- wrong on purpose: a dry-run answers 200, so it plans no PUT' \
	'    if r.status == 201 then http.put("http://svc.test/things/1") end' \
	'  end)' \
	'end' >"$T/rb/diverge.lua"
printf '%s\n' 'return {' \
	'  { name = "creates", fakes = { http = { ["*"] = { status = 201 } } },' \
	'    expect = { writes = { "http.post http://svc.test/things",' \
	'                          "http.put http://svc.test/things/1" } } },' \
	'  { name = "expects the wrong thing", fakes = { http = { ["*"] = { status = 201 } } },' \
	'    expect = { status = "failed" } },' \
	'}' >"$T/rb/diverge.test.lua"
run "$OWL" test diverge --runbooks "$T/rb"
is "$RC" 1 "failing tests exit 1"
like "$OUT" "FAIL +diverge: creates: dry-run fidelity" \
	"a plan that differs from the live run is caught"
like "$OUT" "FAIL +diverge: expects the wrong thing: the run ended ok, not failed" \
	"a wrong expectation is caught"

# expect = 201: a dry-run's simulated write answers what the endpoint
# would, so the same branch runs in both; live, another status fails
printf '%s\n' 'runbook { summary = "expect" }' \
	'function run(p)' \
	'  step("create", function()' \
	'    local r = http.post("http://svc.test/things", { expect = 201 })' \
	'    if r.status == 201 then http.put("http://svc.test/things/1", { expect = { 200, 204 } }) end' \
	'  end)' \
	'end' >"$T/rb/expect.lua"
printf '%s\n' 'return {' \
	'  { name = "creates", fakes = { http = { ["POST http://svc.test/things"] = { status = 201 },' \
	'      ["PUT http://svc.test/things/1"] = { status = 204 } } },' \
	'    expect = { writes = { "http.post http://svc.test/things",' \
	'                          "http.put http://svc.test/things/1" } } },' \
	'  { name = "another status fails", fakes = { http = { ["*"] = { status = 409, json = { error = "exists" } } } },' \
	'    expect = { status = "failed", error = "http.post http://svc.test/things: answered 409, expected 201: {\"error\":\"exists\"}" } },' \
	'}' >"$T/rb/expect.test.lua"
run "$OWL" test expect --runbooks "$T/rb"
is "$RC" 0 "expect = 201: the dry-run plans what the live run does"
like "$OUT" "^ok +expect: another status fails" \
	"a live answer with another status fails the step, naming it"
printf '%s\n' 'runbook { summary = "bad expect" }' \
	'function run(p) step("x", function() http.post("http://svc.test/x", { expect = "201" }) end) end' \
	>"$T/rb/badexp.lua"
newdb # owl run needs a database (it never creates one)
run "$OWL" run badexp --runbooks "$T/rb" --dry-run
is "$RC" 1 "an expect that is not a status fails the step"
like "$OUT$ERR" "expect must be an HTTP status" "and says what it takes"

run "$OWL" test diverge --runbooks "$T/rb" --json
python3 -c 'import json,sys
d = json.loads(sys.argv[1])
assert len(d) == 2 and d[0]["ok"] is False
assert d[0]["writes"] == ["http.post http://svc.test/things", "http.put http://svc.test/things/1"]
assert d[0]["planned_writes"] == ["http.post http://svc.test/things"]' "$OUT"
ok $? "--json shows the live and the planned writes"

run "$OWL" test nosuch --runbooks "$T/rb"
is "$RC" 2 "a runbook without a test file exits 2"

printf 'os.exit(1)\nreturn { { name = "x" } }\n' >"$T/rb/evil.test.lua"
printf 'runbook { summary = "e" }\nfunction run(p) end\n' >"$T/rb/evil.lua"
run "$OWL" test evil --runbooks "$T/rb"
is "$RC" 2 "a test file runs in the sandbox too"
like "$ERR" "'os' is not available" "and cannot reach os"

# Test files are the repository's: their errors and their names reach
# the terminal only sanitised.
mkdir -p "$T/esc"
printf 'runbook { summary = "e" }\nfunction run(p) end\n' >"$T/esc/e.lua"
printf 'error("\\27]0;owned\\7\\27[2J")\n' >"$T/esc/e.test.lua"
esc=$(printf '\033')
cp "$T/esc/e.lua" "$T/esc/x${esc}[2J.lua"
printf 'return { { name = "n" } }\n' >"$T/esc/x${esc}[2J.test.lua"
run "$OWL" test --runbooks "$T/esc"
is "$RC" 2 "a test file that raises exits 2"
like "$ERR" 'e.test.lua:1: .x1b]0;owned' "its error is shown, escaped"
case "$OUT$ERR" in *"$esc"*) ok 1 "no raw ESC reaches the terminal" ;;
*) ok 0 "no raw ESC reaches the terminal" ;; esac

# A FIFO where a test file or a module should be: refused, not waited on.
mkdir -p "$T/fifo"
printf 'local m = require("lib")\nrunbook { summary = "f" }\nfunction run(p) end\n' \
	>"$T/fifo/f.lua"
printf 'return { { name = "n" } }\n' >"$T/fifo/f.test.lua"
mkfifo "$T/fifo/lib.lua" "$T/fifo/g.test.lua"
cp "$T/fifo/f.lua" "$T/fifo/g.lua"
run timeout 20 "$OWL" test f --runbooks "$T/fifo"
is "$RC" 1 "a module that is a FIFO fails the test"
like "$OUT" "require 'lib': not a regular file" "and says why"
run timeout 20 "$OWL" test g --runbooks "$T/fifo"
is "$RC" 2 "a test file that is a FIFO is refused"
like "$ERR" "g.test: not a regular file" "and says why"

# A test file may require() a helper module beside it, as runbooks do.
mkdir -p "$T/req"
printf 'runbook { summary = "r" }\nfunction run(p) step("post", function() http.post("http://svc.test/x") end) end\n' \
	>"$T/req/r.lua"
printf 'local M = {}\nfunction M.created() return { http = { ["*"] = { status = 201 } } } end\nreturn M\n' \
	>"$T/req/fakes.lua"
printf 'local f = require "fakes"\nreturn { { name = "uses a helper", fakes = f.created(),\n  expect = { writes = { "http.post http://svc.test/x" } } } }\n' \
	>"$T/req/r.test.lua"
run "$OWL" test r --runbooks "$T/req"
is "$RC" 0 "a test file that requires a helper module runs"
like "$OUT" "^ok +r: uses a helper" "and its test passes"

done_testing
