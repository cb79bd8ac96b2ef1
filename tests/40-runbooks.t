#!/bin/sh
# 40-runbooks.t: owl run end to end against a real HTTP service on
# 127.0.0.1 (tests/flagsvc.py): the first example runbooks (kept in
# tests/fixtures/flagsvc-runbooks) dry-run and live,
# dry-run fidelity, confirm without a terminal, params, masking of every
# secret, the lease (refusal, ^C cancel with undo, takeover after a
# crash), the deadline.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

ADMIN=admin-token-0123456789abcdef
OLDKEY=old-key-abcdefghijklmnop
OWL_PORT_FILE="$T/svc.port" python3 "$OWL_ROOT/tests/flagsvc.py" 0 "$ADMIN" "$T/seen" "$OLDKEY" \
	2>"$T/flagsvc.err" &
SVC=$!
tap_at_exit "kill $SVC"
PORT=$(port_of "$T/svc.port")
URL="http://127.0.0.1:$PORT"
wait_for 10 curl -sf "$URL/healthz"
ok $? "flag service is up"

export GATEWAY_ADMIN_TOKEN="$ADMIN"
mkdir -p "$T/state/owl/secrets" "$T/rb"
printf '%s' "$OLDKEY" >"$T/state/owl/secrets/assistant_api_key"
printf 'return { flags_url = "%s", gateway_url = "%s",\n' "$URL" "$URL" \
	>"$T/config.lua"
printf '  secrets = { gateway_admin = { env = "GATEWAY_ADMIN_TOKEN" } },\n' \
	>>"$T/config.lua"
printf '  reload_argv = { "true" } }\n' >>"$T/config.lua"
export OWL_CONFIG="$T/config.lua" \
	OWL_RUNBOOKS="$OWL_ROOT/tests/fixtures/flagsvc-runbooks"
mode() { curl -sf "$URL/v1/flags/assistant" | python3 -c \
	'import json,sys; print(json.load(sys.stdin)["mode"])'; }
setmode() { curl -sf -X PUT -d "{\"mode\":\"$1\"}" \
	"$URL/v1/flags/assistant" >/dev/null; }
# writes FILE: the write effects of a --json document, one per line
writes() { python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for e in d["plan"]["effects"]:
    if e["write"] and not e.get("undo"):
        print(e["kind"], e["target"])' "$1"; }

run "$OWL" help run
like "$OUT" "usage: owl run NAME" "help run shows the usage"

# --- degraded-mode: dry-run changes nothing, shows the plan
run "$OWL" run degraded-mode --dry-run --param reason=down
is "$RC" 0 "dry-run exits 0"
like "$OUT" '\[2/4\] switch to degraded \.\.\. ok [0-9]+ ms' "live progress line"
like "$OUT" '\* http\.put +http://127' "the plan marks the write"
like "$OUT" "dry-run: nothing was changed" "says nothing changed"
is "$(mode)" normal "the dry-run did not switch the flag"

run "$OWL" run degraded-mode --dry-run --json --param reason=down
is "$RC" 0 "dry-run --json exits 0"
printf '%s\n' "$OUT" >"$T/dry.json"
python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert set(["run","runbook","commit","status","dry_run","plan","steps"]) <= set(d), d.keys()
assert d["dry_run"] is True and d["status"] == "ok" and d["commit"] is None
assert set(["id","hash","effects"]) <= set(d["plan"]) and len(d["plan"]["hash"]) == 64
e = [x for x in d["plan"]["effects"] if x["write"]]
assert e[0]["kind"] == "http.put" and e[0]["target"].endswith("/v1/flags/assistant")
assert all(set(["kind","target","write"]) <= set(x) for x in d["plan"]["effects"])
assert [s["name"] for s in d["steps"]] == ["read current mode","switch to degraded","verify","announce"]
assert all(set(["name","status","ms"]) <= set(s) for s in d["steps"])
' "$T/dry.json"
ok $? "--json has the documented shape"

# --- confirm without a terminal: refused, nothing changed
run "$OWL" run degraded-mode --param reason=down </dev/null
is "$RC" 3 "confirm without a terminal exits 3"
like "$ERR" "nobody to answer .*--yes" "says to use --yes"
is "$(mode)" normal "the refused run changed nothing"

# --- confirm on a terminal: the prompt names the action; No is the default
tty_run() { # tty_run ANSWER: runs degraded-mode on a tmux terminal, on a
	# server of its own (a server still exiting refuses a new session)
	TM="tmux -L owl-rb-$$-$1 -f /dev/null"
	tap_at_exit "$TM kill-server"
	rm -f "$T/tty.rc"
	$TM new-session -d -x 100 -y 20 "env OWL_DB='$OWL_DB' \
OWL_CONFIG='$OWL_CONFIG' OWL_RUNBOOKS='$OWL_RUNBOOKS' OWL_ACTOR=tester \
XDG_STATE_HOME='$XDG_STATE_HOME' GATEWAY_ADMIN_TOKEN='$ADMIN' \
'$OWL' run degraded-mode --param reason=tty; echo \$? >'$T/tty.rc'; sleep 30"
	# a run's process starts, and ends: deadlines for a loaded machine
	wait_for 30 sh -c "$TM capture-pane -p | grep -q 'y/N'"
	_prompt=$?
	$TM send-keys "$1" Enter
	wait_for 30 test -s "$T/tty.rc"
	return $_prompt
}
tty_run n
ok $? "on a terminal, confirm() asks [y/N]"
like "$($TM capture-pane -p)" "Switch assistant to degraded mode\? \[y/N\]" \
	"the prompt says exactly what will happen"
isnt_zero=$(cat "$T/tty.rc")
ok "$([ "$isnt_zero" -ne 0 ]; echo $?)" "answering n stops the run (exit $isnt_zero)"
is "$(mode)" normal "answering n changed nothing"
tty_run y
is "$(cat "$T/tty.rc")" 0 "answering y runs it"
is "$(mode)" degraded "answering y switched the flag"
setmode normal
$TM kill-server 2>/dev/null

# --- live run with --yes, compared with the plan
run "$OWL" run degraded-mode --yes --json --param reason=down
is "$RC" 0 "live run exits 0"
printf '%s\n' "$OUT" >"$T/live.json"
is "$(mode)" degraded "the live run switched the flag"
is "$(writes "$T/live.json")" "$(writes "$T/dry.json")" \
	"degraded-mode: the plan's writes are the live run's writes"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["departures"])' "$T/live.json")" \
	"[]" "no departure from the plan"

# --- a live run that departs from its plan says so
setmode normal
"$OWL" run degraded-mode --dry-run --param reason=again >/dev/null
setmode degraded
run "$OWL" run degraded-mode --yes --json --param reason=again
is "$RC" 1 "a failing step exits 1"
like "$OUT" '"departure": "not done"' "departure: the planned switch did not happen"
like "$ERR" "already degraded" "the check's message is the error"
setmode normal

# --- params
run "$OWL" run degraded-mode --dry-run --param nope=1 --param reason=x
is "$RC" 2 "unknown param exits 2"
like "$ERR" "unknown parameter 'nope'" "names the unknown param"
run "$OWL" run degraded-mode --dry-run
is "$RC" 2 "missing required param exits 2"
like "$ERR" "missing required parameter 'reason'" "names the missing param"
run "$OWL" run no-such-runbook
is "$RC" 2 "unknown runbook exits 2"

# --- rollback-model-pin: the diff, then fidelity
printf 'name: assistant\nmodel: gpt-5-bad\ntemperature: 0.2\n' >"$T/svc.yaml"
cp "$T/svc.yaml" "$T/svc.orig"
run "$OWL" run rollback-model-pin --dry-run --param config_file="$T/svc.yaml" \
	--param to=gpt-4o-2024-08-06 --param reload=true
is "$RC" 0 "rollback dry-run exits 0"
like "$OUT" '^ +-model: gpt-5-bad$' "the diff removes the old pin"
like "$OUT" '^ +\+model: gpt-4o-2024-08-06$' "the diff adds the new pin"
cmp -s "$T/svc.yaml" "$T/svc.orig"
ok $? "the dry-run left the file alone"
run "$OWL" run rollback-model-pin --dry-run --offline --json \
	--param config_file="$T/svc.yaml" --param to=x --param reload=false
is "$RC" 1 "offline: the pin cannot be read, the check fails"
run "$OWL" run degraded-mode --dry-run --offline --param reason=x
is "$RC" 1 "offline: an HTTP read is not made, and the run stops there"
like "$OUT" 'http\.get .* failed: offline dry-run: GET http://.* was not read \(drop --offline' \
	"saying so, and what to do instead"
"$OWL" run rollback-model-pin --dry-run --json --param config_file="$T/svc.yaml" \
	--param to=gpt-4o-2024-08-06 --param reload=true >"$T/dry.json"
"$OWL" run rollback-model-pin --json --param config_file="$T/svc.yaml" \
	--param to=gpt-4o-2024-08-06 --param reload=true >"$T/live.json"
is "$(writes "$T/live.json")" "$(writes "$T/dry.json")" \
	"rollback-model-pin: the plan's writes are the live run's writes"
like "$(cat "$T/svc.yaml")" '^model: gpt-4o-2024-08-06$' "the live run edited the pin"

# --- rotate-api-key: fidelity and masking of every secret
"$OWL" run rotate-api-key --dry-run --json >"$T/dry.json" 2>"$T/dry.err"
run "$OWL" run rotate-api-key --json
is "$RC" 0 "rotate-api-key live run exits 0"
printf '%s\n' "$OUT" >"$T/live.json"
printf '%s\n' "$ERR" >"$T/live.err"
is "$(writes "$T/live.json")" "$(writes "$T/dry.json")" \
	"rotate-api-key: the plan's writes are the live run's writes"
"$OWL" run rotate-api-key >"$T/human.out" 2>"$T/human.err"
NEW=$(cat "$T/state/owl/secrets/assistant_api_key")
test "$NEW" != "$OLDKEY" && grep -qx -- "$NEW" "$T/seen"
ok $? "the new key was stored and the gateway got it"
db_sql .dump >"$T/db.dump"
"$OWL" audit log --json >"$T/audit.json"
leaks=0
for s in $(sort -u "$T/seen") "$ADMIN" "$OLDKEY"; do
	for f in "$T/db.dump" "$T/audit.json" "$T/dry.json" "$T/live.json" \
		"$T/live.err" "$T/dry.err" "$T/human.out" "$T/human.err"; do
		if grep -qF -- "$s" "$f"; then
			diag "secret found in $(basename "$f")"; leaks=1
		fi
	done
done
is "$leaks" 0 "no secret in the log, the plans, stdout or stderr"
like "$(cat "$T/db.dump")" 'Bearer \*\*\*' "the log shows masked headers"

# --- the lease: a second live run is refused while the first runs
printf '%s\n' 'runbook { summary = "slow", params = { secs = { type = "number", default = 20 } } }' \
	'function run(p)' \
	'  step("prepare", function() log("prepared") end,' \
	'    { undo = function() log("undone") end })' \
	'  step("wait", function() sleep(p.secs) end)' \
	'end' >"$T/rb/slow.lua"
"$OWL" run slow --runbooks "$T/rb" --yes >"$T/slow.out" 2>&1 &
SLOW=$!
tap_at_exit "kill -9 $SLOW"
leased() { test "$(db_sql "SELECT count(*) FROM leases WHERE runbook='slow'")" = 1; }
wait_for 10 leased
ok $? "the first run holds the lease"
run "$OWL" run slow --runbooks "$T/rb" --yes --param secs=0
is "$RC" 3 "a second run is refused with exit 3"
like "$ERR" "slow is already running: run [0-9]+ by tester since .*Z" \
	"the refusal names the holder, the run and since when"
wait_for 10 grep -q 'wait \.\.\.' "$T/slow.out"
kill -INT "$SLOW"
wait "$SLOW"
is "$?" 1 "^C cancels the run (exit 1)"
is "$(db_sql "SELECT status FROM runs WHERE runbook='slow' ORDER BY id LIMIT 1")" \
	cancelled "the run is recorded as cancelled"
like "$(cat "$T/slow.out")" 'log: undone' "undo ran after the cancel"
is "$(db_sql "SELECT count(*) FROM leases WHERE runbook='slow'")" 0 \
	"the lease is released"

# --- ^C cuts short a command or an HTTP request in flight, then undo runs
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[2] + ".port", "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept(); open(sys.argv[2], "w").close()' - "$T/in-http" &
HANGPID=$!
tap_at_exit "kill $HANGPID"
HANG=$(port_of "$T/in-http.port" 20)
printf '%s\n' 'runbook { summary = "stuck", params = { how = { required = true } } }' \
	'function run(p)' \
	'  step("prepare", function() log("prepared") end,' \
	'    { undo = function() log("undone") end })' \
	'  step("stuck", function()' \
	"    if p.how == \"exec\" then exec({ \"sh\", \"-c\", \"touch $T/in-exec; exec sleep 120\" }, { timeout = \"300s\" })" \
	"    else http.get(\"http://127.0.0.1:$HANG/never\", { timeout = \"300s\" }) end" \
	'  end)' \
	'end' >"$T/rb/stuck.lua"
for how in exec http; do
	"$OWL" run stuck --runbooks "$T/rb" --yes --param how=$how \
		>"$T/stuck.out" 2>&1 &
	STUCK=$!
	tap_at_exit "kill -9 $STUCK"
	wait_for 10 grep -q 'stuck \.\.\.' "$T/stuck.out"
	# inside the command or the request (it says so), not before it
	wait_for 20 test -e "$T/in-$how"
	kill -INT "$STUCK"
	gone() { ! kill -0 "$STUCK" 2>/dev/null; }
	wait_for 15 gone
	ok $? "$how: ^C ends a run stuck in a long $how well before its timeout"
	wait "$STUCK" 2>/dev/null
	like "$(cat "$T/stuck.out")" "cancelled \(\^C\)" "$how: the effect says it was cancelled"
	like "$(cat "$T/stuck.out")" 'log: undone' "$how: undo ran after the cancel"
done

# --- a crashed owl: its run is found interrupted, its lease taken over
"$OWL" run slow --runbooks "$T/rb" --yes >"$T/slow2.out" 2>&1 &
SLOW=$!
tap_at_exit "kill -9 $SLOW"
wait_for 10 grep -q 'wait \.\.\.' "$T/slow2.out"
# the step's begin row is batched (written within RB_BROKER_BATCH_US, or
# with the step's first effect): the crash comes once it is stored
waiting() { test "$(db_sql "SELECT status FROM run_steps WHERE name = 'wait'
	ORDER BY run_id DESC, seq DESC LIMIT 1")" = running; }
wait_for 10 waiting
kill -9 "$SLOW"
wait "$SLOW" 2>/dev/null
run "$OWL" run slow --runbooks "$T/rb" --yes --param secs=0
is "$RC" 0 "the next run takes over the dead run's lease"
like "$ERR" "note: run [0-9]+ \(slow\) interrupted: .*during step 'wait'" \
	"the dead run is reported interrupted during its step"
run "$OWL" audit log
like "$OUT" "run.lease_takeover" "the takeover is logged"
like "$OUT" "run.interrupted" "the interruption is logged"

# --- the deadline
printf '%s\n' 'runbook { summary = "spin" }' \
	'function run(p) step("spin", function() while true do pcall(function() while true do end end) end end) end' \
	>"$T/rb/spin.lua"
run "$OWL" run spin --runbooks "$T/rb" --yes --timeout 1s
is "$RC" 1 "a run past its deadline fails"
like "$ERR" "^owl: run [0-9]+ exceeded its timeout" "says which run ran out of time"

# A command (or HTTP request) asking for a longer timeout than the run
# has left is cut at the run's deadline, and undo still runs.
printf '%s\n' 'runbook { summary = "long exec" }' \
	'function run(p)' \
	'  step("u", function() end, { undo = function() log("undone") end })' \
	'  step("x", function() exec({ "sleep", "120" }, { timeout = "1h" }) end)' \
	'end' >"$T/rb/longexec.lua"
# (3 s: on a loaded machine the worker may take a second to reach the
# command; the deadline must fall inside it)
run timeout 30 "$OWL" run longexec --runbooks "$T/rb" --yes --timeout 3s
is "$RC" 1 "an effect longer than the run fails it"
like "$ERR" "exec sleep: timed out" "the command was stopped at the deadline"
like "$OUT" "log: undone" "and undo ran"

mkfifo "$T/fifo"
printf '%s\n' 'runbook { summary = "fifo" }' \
	"function run(p) step('r', function() file.read('$T/fifo') end) end" \
	>"$T/rb/fifo.lua"
run timeout 30 "$OWL" run fifo --runbooks "$T/rb" --yes --timeout 5s
is "$RC" 1 "file.read of a FIFO fails"
like "$ERR" "fifo: not a regular file" "without waiting for a writer"

# --- file.replace never rewrites a file that is not UTF-8 text
printf 'model = caf\351\n' >"$T/latin1.conf"
cp "$T/latin1.conf" "$T/latin1.orig"
printf '%s\n' 'runbook { summary = "replace in a Latin-1 file", params = { f = { required = true } } }' \
	'function run(p) step("edit", function() file.replace(p.f, "caf", "tea") end) end' \
	>"$T/rb/latin1.lua"
run "$OWL" run latin1 --runbooks "$T/rb" --yes --param f="$T/latin1.conf"
is "$RC" 1 "file.replace on a Latin-1 file fails"
like "$OUT$ERR" "not UTF-8 text \(rewriting it would damage it\); use file.write" \
	"and says why"
cmp -s "$T/latin1.conf" "$T/latin1.orig"
ok $? "the Latin-1 file is untouched"

done_testing
