#!/bin/sh
# 49-recover.t: a run killed mid-effect is recoverable (issue 13): the
# intent of an effect is durable before the effect happens, so `kill -9`
# of owl while a test HTTP server holds its PUT open leaves the intent
# without a result in the action log, and `owl recover RUN` shows that
# step as unknown (the steps before done, the ones after not started),
# re-checks what it touched and records the operator's resolution. A
# step in flight that made no effect is named too.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

mkdir -p "$T/hold" "$T/rb"
hold_service
cat >"$T/rb/hold.lua" <<'EOF'
runbook { summary = "switch, held" }
function run(p)
  local u = config.flags_url .. "/v1/flags/assistant"
  step("read", function() http.get(u) end)
  step("switch", function() http.put(u, { json = { mode = "degraded" } }) end)
  step("announce", function() notify("switched") end)
end
EOF
run "$OWL" run hold --runbooks "$T/rb" --dry-run
is "$RC" 0 "a dry-run plans the three steps"

"$OWL" run hold --runbooks "$T/rb" --yes >"$T/run.out" 2>&1 &
OWLPID=$!
wait_for 30 test -e "$T/hold/put-started"
ok $? "the PUT reached the service, which holds it open"
kill -9 "$OWLPID"
wait "$OWLPID" 2>/dev/null
RUN=2

run "$OWL" audit log --json --limit 100000
printf '%s' "$OUT" >"$T/log.json"
run python3 -c 'import json,sys
rows = [r for r in json.load(open(sys.argv[1])) if r["run"] == 2]
intents = {r["detail"]["seq"]: r["detail"] for r in rows if r["kind"] == "effect.intent"}
results = {r["detail"]["seq"] for r in rows if r["kind"] == "effect.result"}
open_ = [d["kind"] + " " + d["target"] for s, d in intents.items() if s not in results]
print(";".join(open_))' "$T/log.json"
is "$OUT" "http.put $URL/v1/flags/assistant" \
	"the log holds the PUT's intent, without a result"

run "$OWL" recover "$RUN"
is "$RC" 0 "owl recover RUN"
like "$OUT" "^Run $RUN \(hold\), interrupted" "the killed run is interrupted"
like "$OUT" "^  done +1\. read" "the step before is done"
like "$OUT" "^  unknown +2\. switch" "the step in flight is unknown"
like "$OUT" "\* http.put +$URL/v1/flags/assistant -> started, no result" \
	"naming the write that may or may not have happened"
like "$OUT" "^  not started +3\. announce" "the step after, from the plan, is not started"
run "$OWL" recover "$RUN" --json
like "$OUT" '"state": "unknown"' "--json says the same"

touch "$T/hold/release"
wait_for 10 sh -c "curl -sf '$URL/v1/flags/assistant' | grep -q degraded"
run "$OWL" recover "$RUN" --recheck
is "$RC" 0 "--recheck"
like "$OUT" "GET $URL/v1/flags/assistant -> 200: \{\"mode\": \"degraded\"\}" \
	"reads again what the unknown step wrote"
run "$OWL" recover "$RUN" --resolve
is "$RC" 2 "--resolve without a note is refused"
run "$OWL" recover "$RUN" --resolve --note "the flag is degraded: done by hand"
is "$RC" 0 "--resolve --note"
like "$OUT" "Resolved by tester: the flag is degraded: done by hand" "is recorded"
run "$OWL" audit log --limit 100000
like "$OUT" "run.recover.*\"choice\":\"recheck\"" "the re-check is logged"
like "$OUT" "run.recover.*\"choice\":\"resolved\"" "the resolution is logged"

run "$OWL" recover 1 --resolve --note x
is "$RC" 3 "a run that was not interrupted has nothing to recover (exit 3)"
like "$ERR" "run 1 is ok, not interrupted" "and says so"
run "$OWL" recover 99
is "$RC" 2 "an unknown run: exit 2"

# --- --undo: the undo of the steps the killed run did, newest first
rm -f "$T/hold/put-started" "$T/hold/release"
mkdir -p "$T/files"
printf 'original\n' >"$T/files/b"
cat >"$T/rb/twostep.lua" <<EOF
runbook { summary = "file, then a held PUT" }
function run(p)
  confirm("go?")
  step("write", function() file.write("$T/files/b", "changed\n") end,
    { undo = function() file.write("$T/files/b", "original\n") end })
  step("switch", function()
    http.put(config.flags_url .. "/v1/flags/other", { json = { mode = "x" } })
  end, { undo = function() notify("never: this step did not finish") end })
  step("after", function() file.write("$T/files/b", "after\n") end)
end
EOF
"$OWL" run twostep --runbooks "$T/rb" --yes >"$T/two.out" 2>&1 &
OWLPID=$!
wait_for 30 test -e "$T/hold/put-started"
kill -9 "$OWLPID"
wait "$OWLPID" 2>/dev/null
touch "$T/hold/release"
is "$(cat "$T/files/b")" changed "(the killed run changed the file)"
TWO=$(db_sql "SELECT max(id) FROM runs WHERE runbook = 'twostep'")
run "$OWL" recover "$TWO" --undo
is "$RC" 0 "--undo runs the undo of the steps done"
like "$OUT" "Undoing the 1 step run $TWO did" "saying what it undoes"
like "$OUT" "undid what run $TWO did" "and that it did"
is "$(cat "$T/files/b")" original "the file is restored"
run "$OWL" audit log --limit 100000
unlike "$OUT" "never: this step did not finish" "the unfinished step's undo did not run"
like "$OUT" "run-$TWO run.recover \\{\"recovery_run\":[0-9]+,\"outcome\":\"undone\",\"choice\":\"undo\"" \
	"the undo is logged on the interrupted run, with its recovery run"

# --- runs that fail are told truthfully: a failed undo is not a rollback
mkdir -p "$T/files"
cat >"$T/rb/halfway.lua" <<EOF
runbook { summary = "fails, and so does its undo", params = { undo_ok = { default = "no" } } }
function run(p)
  step("write", function() file.write("$T/files/a", "changed\n") end,
    { undo = function()
        check(p.undo_ok == "yes", "cannot restore $T/files/a")
        file.write("$T/files/a", "original\n")
      end })
  step("break", function() check(false, "the service did not come back") end)
end
EOF
printf 'original\n' >"$T/files/a"
run "$OWL" run halfway --runbooks "$T/rb" --yes
is "$RC" 1 "a run whose undo failed exits 1"
like "$ERR" "rollback-failed: .*the service did not come back; rollback failed, the world is half-changed: steps left undone: 'write' \(.*cannot restore" \
	"its last line says rollback-failed and names the step left undone"
is "$(cat "$T/files/a")" changed "(the file is indeed still changed)"
run "$OWL" plans --json
like "$OUT" '"status": "rollback-failed"' "the run's status is rollback-failed"
printf 'original\n' >"$T/files/a"
run "$OWL" run halfway --runbooks "$T/rb" --yes --param undo_ok=yes
is "$RC" 1 "a run rolled back cleanly exits 1 too"
like "$ERR" "failed: .*the service did not come back" "and is failed"
unlike "$ERR" "rollback" "not rollback-failed"
is "$(cat "$T/files/a")" original "(the file is restored)"

# --- kill -9 of owl during an exec: the command dies with its run
cat >"$T/rb/long.lua" <<EOF
runbook { summary = "a long command" }
function run(p)
  step("wait", function()
    exec({ "sh", "-c", "echo \$\$ >'$T/child.pid'; exec sleep 60" })
  end)
end
EOF
"$OWL" run long --runbooks "$T/rb" --yes >"$T/long.out" 2>&1 &
OWLPID=$!
wait_for 30 test -s "$T/child.pid"
ok $? "the command runs"
CHILD=$(cat "$T/child.pid")
kill -9 "$OWLPID"
wait "$OWLPID" 2>/dev/null
wait_for 10 sh -c "! kill -0 $CHILD"
ok $? "kill -9 of owl ends the command too (not re-parented to init)"
kill -9 "$CHILD" 2>/dev/null

# --- a step that makes no effect is durable while it runs: the broker
# writes a step's row with its first effect, or at once when the worker
# goes quiet (a step's begin and end rows merge only when nothing came
# between them)
cat >"$T/rb/crunch.lua" <<'EOF'
runbook { summary = "a long computation" }
function run(p)
  step("crunch", function() while true do end end)
end
EOF
"$OWL" run crunch --runbooks "$T/rb" --yes >"$T/crunch.out" 2>&1 &
OWLPID=$!
running_step() {
	[ "$(db_sql "SELECT name || ':' || status
	    FROM run_steps WHERE run_id = (SELECT max(id) FROM runs
	    WHERE runbook = 'crunch')" 2>/dev/null | paste -sd' ' -)" = "crunch:running" ]
}
wait_for 30 running_step
ok $? "the step in flight has its row though it made no effect"
kill -9 "$OWLPID"
wait "$OWLPID" 2>/dev/null
CR=$(db_sql "SELECT max(id) FROM runs WHERE runbook = 'crunch'")
run "$OWL" recover "$CR"
like "$OUT" "^  unknown +1\\. crunch" "recover names the step in flight"

done_testing
