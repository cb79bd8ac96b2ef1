#!/bin/sh
# 77-tui-recover.t: runs that did not end well. An interrupted run (its
# process killed -9 while a test HTTP server holds its PUT open) offers
# owl recover's choices on r in the runs screen: c re-checks (owl
# recover --recheck, what it saw in the run's log), u runs the undo of
# the steps it did (owl recover --undo, asks first), m marks it resolved
# with a note (as --resolve --note), t retries it when owl recover would
# (a step cut short declared idempotent; --retry). A run whose rollback failed names
# the steps it left undone, in red: live run view, runs screen, owl runs
# show, the timeline. tmux at 80x24 and 160x48; only the processes this
# test started are stopped, by pid.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)
. "$(dirname "$0")/tui-lib.sh"

mkdir -p "$T/hold" "$T/rb" "$T/files"
hold_service
export OWL_RUNBOOKS="$T/rb"
cat >"$T/rb/twostep.lua" <<EOF
runbook { summary = "a file, then a held PUT" }
function run(p)
  step("write", function() file.write("$T/files/b", "changed\n") end,
    { undo = function() file.write("$T/files/b", "original\n") end })
  step("switch", function()
    http.put(config.flags_url .. "/v1/flags/assistant", { json = { mode = "degraded" } })
  end)
end
EOF
cat >"$T/rb/fine.lua" <<'EOF'
runbook { summary = "ends ok" }
function run(p) log("fine") end
EOF

recovered() { # recovered RUN CHOICE: the run.recover entries of that choice
	"$OWL" audit log --json | jq1 "len([e for e in d if e['kind'] == 'run.recover' and e['run'] == $1 and e['detail']['choice'] == '$2'])"
}
wait_recovered() { # wait_recovered RUN CHOICE
	_i=0
	while [ "$_i" -lt 200 ]; do
		[ "$(recovered "$1" "$2")" -gt 0 ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# a run killed mid-PUT: step 1 done, step 2 unknown
printf 'original\n' >"$T/files/b"
"$OWL" run fine >/dev/null
run "$OWL" run twostep --detach
r1=$(printf '%s' "$OUT" | sed 's/^run \([0-9]*\).*/\1/')
wait_for 30 test -e "$T/hold/put-started"
ok $? "the PUT reached the service, which holds it open"
pid=$("$OWL" runs show "$r1" --json | jq1 'd["pid"]')
kill -9 "$pid"
is "$(cat "$T/files/b")" changed "(the killed run changed the file)"

tui_start 80 24 "OWL_CONFIG='$OWL_CONFIG' OWL_RUNBOOKS='$T/rb'" ""
tui_wait_for "no alerts yet"
tui_keys g r
tui_wait_for "run-$r1    interrupted"
ok $? "80x24: the runs screen shows the killed run interrupted"
tui_wait_for "interrupted: r recovers it"
ok $? "and says what r offers"
tui_keys r
tui_wait_for "recover run $r1: c re-check  u undo its 1 done step  m mark resolved"
ok $? "r: owl recover's choices, whole at 80 columns"
tui_keys c
tui_wait_for "owl recover $r1 --recheck started" 20
ok $? "c starts the re-check"
wait_recovered "$r1" recheck
ok $? "the re-check is logged on the run"
tui_resize 160 48
tui_keys Enter
tui_wait_for "recovered by tester: recheck; GET $URL/v1/flags/assistant -> 200" 10
ok $? "160x48: the run's log says what the re-check saw"
tui_keys r
tui_wait_for "recover run $r1: c re-check"
ok $? "r works in the run view too"
tui_keys Escape
tui_wait_for "nothing done"
tui_keys q
tui_keys r
tui_wait_for "c re-check  u undo"
tui_keys u
tui_wait_for "Run the undo of the 1 step run $r1 did, newest first, in a new run? [y/N]"
ok $? "u asks first"
tui_keys n
tui_wait_for "cancelled: nothing done"
is "$(cat "$T/files/b")" changed "no: nothing undone"
tui_keys r
tui_wait_for "c re-check  u undo"
tui_keys u
tui_wait_for "in a new run? [y/N]"
tui_keys y
tui_wait_for "owl recover $r1 --undo started" 20
ok $? "y starts the undo"
wait_recovered "$r1" undo
ok $? "the undo is logged on the interrupted run"
is "$(cat "$T/files/b")" original "the undo of the step it did ran"
like "$("$OWL" audit log | grep "run-$r1 run.recover")" '"outcome":"undone"' \
	"with its outcome"

tui_keys r
tui_wait_for "recover run $r1: c re-check  m mark resolved"
ok $? "once an undo ran, neither undo nor retry is offered again"
tui_like "recovered: undo by run [0-9]+, undone" "it says which run recovered it"
tui_keys m
tui_wait_for "run $r1 resolved by hand: say what you found and did:"
ok $? "m asks for the note"
tui_type "flag checked by hand"
tui_keys Enter
tui_wait_for "run $r1 marked resolved by tester"
ok $? "m marks it resolved"
like "$("$OWL" recover "$r1")" "Resolved by tester: flag checked by hand" \
	"owl recover sees the same resolution"
tui_keys r
tui_wait_for "resolved by tester: flag checked by hand)"
ok $? "r again says it was resolved"
tui_keys Escape
tui_wait_for "nothing done"
tui_keys G
tui_wait_for "> run-1 "
tui_keys r
tui_wait_for "run 1 is ok, not interrupted: nothing to recover"
ok $? "r on a run that ended ok: nothing to recover"
tui_keys q
tui_keys q
is "$(tui_wait_exit)" 0 "the TUI quits"

# read-only: r is off
tui_start 80 24 "" "--readonly"
tui_wait_for "READONLY"
tui_keys g r
tui_wait_for "run-$r1"
tui_keys r
tui_wait_for "read-only: r (recover) is disabled"
ok $? "--readonly: r is disabled"
tui_keys q
tui_keys q
tui_wait_exit >/dev/null

# --- t retries, when owl recover would: a held step declared idempotent
rm -f "$T/hold/put-started"
touch "$T/hold/release" # the PUT still held above answers; the next ones are not held
cat >"$T/rb/idem.lua" <<EOF
runbook { summary = "a file, then an idempotent PUT" }
function run(p)
  step("write", function() file.write("$T/files/c", "changed\n") end)
  step("switch", function()
    http.put(config.flags_url .. "/v1/flags/idem", { json = { mode = "degraded" } })
  end, { idempotent = true })
end
EOF
rm -f "$T/hold/release"
run "$OWL" run idem --detach
ri=$(printf '%s' "$OUT" | sed 's/^run \([0-9]*\).*/\1/')
wait_for 30 test -e "$T/hold/put-started"
ok $? "the idempotent PUT is held"
kill -9 "$("$OWL" runs show "$ri" --json | jq1 'd["pid"]')"
touch "$T/hold/release"
tui_start 80 24 "OWL_CONFIG='$OWL_CONFIG' OWL_RUNBOOKS='$T/rb'" ""
tui_wait_for "FIRING"
tui_keys g r
tui_wait_for "run-$ri    interrupted"
tui_keys r
tui_wait_for "recover run $ri: c re-check  u undo its 1 done step  t retry  m mark"
ok $? "t retry is offered: the step cut short is declared idempotent"
tui_keys t
tui_wait_for "Retry run $ri from step 2 (later confirm()s answered yes)? [y/N]"
ok $? "t asks first"
tui_keys y
tui_wait_for "owl recover $ri --retry started" 20
ok $? "y starts the retry"
wait_recovered "$ri" retry
ok $? "the retry is logged on the interrupted run"
like "$("$OWL" audit log | grep "run-$ri run.recover")" '"choice":"retry"' "as a retry"
like "$("$OWL" audit log | grep "run-$ri run.recover")" '"outcome":"ok"' "its recovery run ended ok"
is "$(curl -sf "$URL/v1/flags/idem" | jq1 'd["mode"]')" degraded "the step cut short ran again"
tui_resize 160 48
tui_keys r
tui_wait_for "recover run $ri: c re-check  m mark resolved"
ok $? "after the retry: neither undo nor retry again"
tui_like "recovered: retry by run [0-9]+" "and it says which run recovered it"
tui_keys Escape
tui_keys q
tui_keys q
tui_wait_exit >/dev/null

# --- rollback failed: the steps left undone, named, in red
cat >"$T/rb/halfway.lua" <<EOF
runbook { summary = "fails, and so does its undo" }
function run(p)
  step("write", function() file.write("$T/files/a", "changed\n") end,
    { undo = function() check(false, "cannot restore $T/files/a") end })
  step("break", function() check(false, "the service did not come back") end)
end
EOF
printf '{"version":"4","groupKey":"g","status":"firing","receiver":"x",
  "groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"",
  "alerts":[{"status":"firing","labels":{"alertname":"Down"},"annotations":{},
  "startsAt":"2026-12-07T02:00:00Z","endsAt":"0001-01-01T00:00:00Z",
  "generatorURL":"","fingerprint":"g1"}]}' >"$T/am.json"
"$OWL" ingest --format alertmanager "$T/am.json" >/dev/null
run "$OWL" run halfway --yes --incident 1
is "$RC" 1 "a run whose undo failed exits 1"
rf=$("$OWL" runs --json | jq1 'max(r["id"] for r in d)')
is "$(status_of "$rf")" rollback-failed "it is rollback-failed"
run "$OWL" runs show "$rf"
like "$(printf '%s\n' "$OUT" | sed -n 2p)" "^  rollback failed: steps left undone: 'write' \\(step 1\\)$" \
	"owl runs show: the steps left undone, right under the outcome"
unlike "$OUT" "$(printf '\033')" "no colour when stdout is not a terminal"
is "$("$OWL" runs show "$rf" --json | jq1 'd["left_undone"]')" "[{'step': 1, 'name': 'write'}]" \
	"--json: left_undone"
run "$OWL" runs --state rollback-failed --json
is "$(printf '%s' "$OUT" | jq1 '[r["id"] for r in d]')" "[$rf]" "owl runs --state rollback-failed"
run "$OWL" timeline 1
like "$OUT" "halfway ended: rollback-failed: .*steps left undone: 'write'" \
	"the timeline's run block names them too (the shared renderer)"

tui_start 80 24 "" ""
tui_wait_for "FIRING"
tui_keys g r
tui_wait_for "rollback failed: steps left undone: 'write' (step 1)"
ok $? "80x24: the runs screen names the steps left undone"
line=$($TUI_TMUX capture-pane -e -p -t t | grep "rollback failed: steps left undone")
like "$line" "$(printf '\033')\\[[0-9;]*31m" "in red"
tui_like "run-$rf +rollback-failed +halfway" "the row says rollback-failed"
tui_keys Enter
tui_wait_for " rollback failed: halfway.lua:5: the service did not come back"
ok $? "the live run view says rollback failed first"
tui_wait_for "steps left undone: 'write' (step 1)"
ok $? "and names the steps left undone"
line=$($TUI_TMUX capture-pane -e -p -t t | grep "steps left undone")
like "$line" "$(printf '\033')\\[[0-9;]*31m" "in red"
tui_resize 160 48
tui_keys q
tui_wait_for "INC-1     tester"
tui_like "run-$rf +rollback-failed +halfway .* left undone: 'write' \\(step 1\\)" \
	"160x48: the row itself names them"
tui_keys q
tui_keys q
tui_wait_exit >/dev/null

# owl runs show on a terminal: in red
$TUI_TMUX new-session -d -s show -x 120 -y 20 \
    "export TERM=xterm-256color OWL_DB='$OWL_DB'; '$OWL' runs show $rf; sleep 30"
i=0
while [ $i -lt 100 ] && ! $TUI_TMUX capture-pane -p -t show | grep -q "steps left undone"; do
	sleep 0.05; i=$((i + 1))
done
line=$($TUI_TMUX capture-pane -e -p -t show | grep "steps left undone")
like "$line" "$(printf '\033')\\[[0-9;]*31m.*rollback failed" "owl runs show on a terminal: in red"

done_testing
