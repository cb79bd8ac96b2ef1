#!/bin/sh
# 76-tui-apply.t: what the TUI applies is the dry-run's plan, and the
# confirm() that wants its target typed out. `owl apply PLAN --detach`
# (its own process, as owl run --detach); a on the dry-run's plan runs
# `owl apply PLAN` of THAT plan (the run's log names it); a
# confirm({ type = "target" }) waiting in a run is a text field in the
# TUI (a wrong name refused, the right one confirms) and `owl answer RUN
# yes --target NAME` from the command line. tmux at 80x24 and 160x48;
# only the processes this test started are stopped, by pid.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui-lib.sh"

RB="$T/rb"
mkdir -p "$RB" "$T/files"
cat >"$RB/bump.lua" <<EOF
runbook {
  summary = "writes a version file",
  params  = { v = { default = "1", description = "the version" } },
  match   = { alertname = "LLMProviderDown" },
}
function run(p)
  step("write", function() file.write("$T/files/version", p.v .. "\n") end)
end
EOF
cat >"$RB/drop.lua" <<EOF
runbook {
  summary = "drops a table, after the operator types its name",
  params  = { table = { default = "sessions" } },
  match   = { alertname = "LLMProviderDown" },
}
function run(p)
  step("look", function() log("looking at " .. p.table) end)
  confirm("Drop table " .. p.table .. "?", { type = "target", target = p.table })
  step("drop", function() file.write("$T/files/dropped", p.table .. "\n") end)
end
EOF
export OWL_RUNBOOKS="$RB"

am() { # am ALERTNAME FINGERPRINT: one Alertmanager alert
	printf '{"version":"4","groupKey":"%s","status":"firing","receiver":"x",
	  "groupLabels":{},"commonLabels":{},"commonAnnotations":{},
	  "externalURL":"","alerts":[{"status":"firing","labels":{
	  "alertname":"%s"},"annotations":{},
	  "startsAt":"2026-12-07T02:00:00Z","endsAt":"0001-01-01T00:00:00Z",
	  "generatorURL":"","fingerprint":"%s"}]}' "$2" "$1" "$2" >"$T/am.json"
	"$OWL" ingest --format alertmanager "$T/am.json" >/dev/null
}
last_run() { "$OWL" runs --json | jq1 'max(r["id"] for r in d)'; }
plan_of() { "$OWL" runs show "$1" --json | jq1 'd["plan"]'; }
applied_plan() { # the plan id the run's run.apply entry names
	"$OWL" audit log --json | jq1 "[e['detail']['plan'] for e in d if e['kind'] == 'run.apply' and e['run'] == $1]"
}
pids=""
stop_runs() { for p in $pids; do kill "$p" 2>/dev/null; done; }
tap_at_exit stop_runs
remember_pid() { pids="$pids $("$OWL" runs show "$1" --json | jq1 'd["pid"]')"; }

am LLMProviderDown g1 # INC-1

# --- owl apply PLAN --detach: the plan, in a process of its own
run "$OWL" run bump --incident 1 --param v=7 --dry-run
plan=$(printf '%s\n' "$OUT" | sed -n 's/.*its writes are plan \([0-9]*\).*/\1/p')
like "$plan" "^[0-9]+$" "a dry-run makes a plan"
run "$OWL" apply "$plan" --detach
is "$RC" 0 "owl apply PLAN --detach: exit 0"
like "$OUT" "^run [0-9]+ started in its own process \\(pid [0-9]+\\); follow: owl runs show" \
	"says the run id and how to follow it"
r1=$(printf '%s' "$OUT" | sed 's/^run \([0-9]*\).*/\1/')
wait_status "$r1" ok
ok $? "the detached apply ends ok"
is "$(cat "$T/files/version")" 7 "it did the plan's write"
is "$(applied_plan "$r1")" "[$plan]" "its log names the plan it applied"
run "$OWL" apply "$plan" --detach --json
is "$(printf '%s' "$OUT" | jq1 'sorted(d.keys())')" "['pid', 'run']" \
	"--detach --json: the run and its pid"
wait_status "$(printf '%s' "$OUT" | jq1 'd["run"]')" ok
run "$OWL" apply 9999 --detach
is "$RC" 2 "--detach of no such plan: exit 2, from the starter"
like "$ERR" "^owl: .*9999" "naming the plan"
run "$OWL" apply "$(plan_of "$r1")" --detach
is "$RC" 2 "--detach of a live run's record: refused before detaching"
like "$ERR" "apply the plan of a dry-run" "saying what to apply"

# --- the TUI: a applies THAT plan (owl apply PLAN), not a fresh run
tui_start 80 24 "OWL_RUNBOOKS='$RB'" ""
tui_wait_for "FIRING"
tui_keys :
tui_type "open 1"
tui_keys Enter
tui_wait_for "Suggested runbooks"
tui_keys :
tui_type "run bump"
tui_keys Enter
tui_wait_for "bump: v - the version: 1"
tui_keys C-u
tui_type "42"
tui_keys Enter
tui_wait_for "a: apply" 30 # the dry-run's process ends
ok $? "80x24: the dry-run's plan offers a"
dry=$(last_run)
dplan=$(plan_of "$dry")
like "$dplan" "^[0-9]+$" "the dry-run made plan $dplan"
tui_keys a
tui_wait_for "applying plan $dplan" 30
ok $? "a says it applies that plan"
live=$(last_run)
wait_status "$live" ok
ok $? "the applied run ends ok"
is "$(applied_plan "$live")" "[$dplan]" "the run's log names the applied plan id"
tui_wait_for "applies plan $dplan" 10
ok $? "the live run view shows it applies the plan"
is "$(cat "$T/files/version")" 42 "the plan's write happened"
tui_keys q
tui_wait_for "Suggested runbooks"
tui_keys q
tui_wait_for "FIRING"
tui_keys q
is "$(tui_wait_exit)" 0 "the TUI quits"
like "$(tui_capture_all)" "run $dry bump for INC-1: dry-run started" \
	"the exit summary names the dry-run started here"
like "$(tui_capture_all)" "run $live bump: applied plan $dplan of dry-run $dry" \
	"and the plan applied"
like "$(tui_capture_all)" "2 run actions" "runs count as actions"

# --- confirm({ type = "target" }) from the command line
wait_question() { # wait_question RUN: until it waits on a question
	_i=0
	while [ "$_i" -lt 200 ]; do
		[ "$("$OWL" runs show "$1" --json | jq1 'd["waiting_for"]')" != "None" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
run "$OWL" run drop --incident 1 --detach
r2=$(printf '%s' "$OUT" | sed 's/^run \([0-9]*\).*/\1/')
remember_pid "$r2"
wait_question "$r2"
ok $? "a detached run waits on its target confirm() (not: nobody)"
run "$OWL" runs show "$r2"
like "$OUT" "it wants its target typed out: sessions" "runs show names the target to type"
like "$OUT" "owl answer $r2 yes --target NAME" "and how to answer"
is "$("$OWL" runs show "$r2" --json | jq1 'd["waiting_target"]')" sessions \
	"--json: waiting_target"
run "$OWL" answer "$r2" yes
is "$RC" 3 "owl answer yes without the target: refused (exit 3)"
like "$ERR" "asks for its target typed out" "saying why"
run "$OWL" answer "$r2" yes --target session
is "$RC" 3 "a wrong target: refused"
run "$OWL" answer "$r2" no --target sessions
is "$RC" 2 "--target goes with yes (exit 2)"
is "$("$OWL" runs show "$r2" --json | jq1 'd["waiting_target"]')" sessions \
	"after the refusals it still waits"
OWL_ACTOR=carol run "$OWL" answer "$r2" yes --target sessions
is "$RC" 0 "the target typed out: answered"
wait_status "$r2" ok
ok $? "and the run goes on to the end"
is "$(cat "$T/files/dropped")" sessions "(it did the change)"
like "$("$OWL" runs show "$r2")" "asks: Drop table sessions\? \(type the target: sessions\)" \
	"runs show: the question names its target"

# --- the TUI: a text field, a wrong name refused (160x48)
rm -f "$T/files/dropped"
tui_start 160 48 "OWL_RUNBOOKS='$RB'" ""
tui_wait_for "FIRING"
"$OWL" run drop --incident 1 --param table=users --detach >/dev/null
r3=$(last_run)
remember_pid "$r3"
wait_question "$r3"
tui_keys g r
tui_wait_for "run-$r3"
tui_keys g Enter
tui_wait_for "run $r3: type users to confirm:"
ok $? "160x48: the target confirm() is a text field naming what to type"
tui_like "waits for an answer: Drop table users\? \(type users to confirm\)" \
	"the run view says what it waits for"
tui_like "the name \+ Enter: yes  Enter alone: no  Esc: answer later" \
	"the hint line says how to answer"
tui_type "y"
tui_keys Enter
tui_wait_for "'y' is not it: type users:"
ok $? "y is not an answer: refused, the field stays"
tui_type "user"
tui_keys Enter
tui_wait_for "'user' is not it: type users:"
ok $? "a wrong name is refused"
is "$("$OWL" runs show "$r3" --json | jq1 'd["waiting_target"]')" users \
	"refused names answer nothing: it still waits"
test ! -e "$T/files/dropped"
ok $? "(nothing changed)"
tui_type "users"
tui_keys Enter
tui_wait_for "answered yes"
ok $? "the right name confirms"
wait_status "$r3" ok
ok $? "the run goes on to the end"
is "$(cat "$T/files/dropped")" users "(it did the change)"
like "$("$OWL" audit log | grep "run-$r3 run.answer")" ' tester .*"target":"users"' \
	"the answer is logged with its actor and the name typed"
tui_wait_for "answered yes by tester, typing users" 10
ok $? "the run's log says who answered and what they typed"

# 80x24: Esc puts it off, Enter alone says no
rm -f "$T/files/dropped"
"$OWL" run drop --incident 1 --param table=orders --detach >/dev/null
r4=$(last_run)
remember_pid "$r4"
wait_question "$r4"
tui_resize 80 24
tui_keys q
tui_wait_for "run-$r4"
tui_keys g Enter
tui_wait_for "run $r4: type orders to confirm:"
ok $? "80x24: the text field"
tui_keys Escape
tui_wait_for "not answered: it still waits"
ok $? "Esc: answer later"
tui_keys q
tui_wait_for "run-$r4"
tui_keys g Enter
tui_wait_for "run $r4: type orders to confirm:"
tui_keys Enter
tui_wait_for "answered no"
ok $? "Enter alone answers no"
wait_status "$r4" cancelled
ok $? "declined: the run stops before the change"
test ! -e "$T/files/dropped"
ok $? "(nothing changed)"

done_testing
