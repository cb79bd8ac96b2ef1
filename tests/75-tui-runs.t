#!/bin/sh
# 75-tui-runs.t: runbooks from the incident, and runs that outlive the
# terminal. Suggested runbooks (owl show, --json, the TUI); owl run
# --detach, owl runs, owl runs show, owl answer; in the TUI: R picks the
# suggested runbook, a param is filled, dry-run first, a applies, the
# steps and log lines appear live; a confirm() answered from a second
# TUI and one with owl answer; c mid-run runs the undo; the tmux session
# killed mid-run: the run completes and a new TUI shows it; quitting with
# a run in progress asks. Real processes, tmux, deadlines; only the
# processes this test started are stopped, by pid.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui-lib.sh"

RB="$T/rb"
mkdir -p "$RB"
cat >"$RB/ask.lua" <<'EOF'
runbook {
  summary = "asks, applies, ticks",
  params  = { target = { default = "x", description = "what to apply" },
              ticks  = { default = "3", description = "seconds of ticking" } },
  match   = { alertname = "LLMProviderDown" },
}
function run(p)
  step("prepare", function() log("preparing " .. p.target) end)
  confirm("Go ahead with " .. p.target .. "?")
  step("apply", function() log("applied " .. p.target) end,
    { undo = function() log("undone " .. p.target) end })
  step("tick", function()
    for i = 1, tonumber(p.ticks) do log("tick " .. i) sleep("1s") end
  end)
end
EOF
cat >"$RB/other.lua" <<'EOF'
runbook { summary = "matches nothing here", match = { alertname = "Nope" } }
function run() log("other") end
EOF
cat >"$RB/both.lua" <<'EOF'
runbook { summary = "matches two labels",
  match = { alertname = "LLMProviderDown", region = { "eu", "us" } } }
function run() log("both") end
EOF
export OWL_RUNBOOKS="$RB"

am() { # am ALERTNAME REGION FINGERPRINT: one Alertmanager alert
	printf '{"version":"4","groupKey":"%s","status":"firing","receiver":"x",
	  "groupLabels":{},"commonLabels":{},"commonAnnotations":{},
	  "externalURL":"","alerts":[{"status":"firing","labels":{
	  "alertname":"%s","region":"%s"},"annotations":{},
	  "startsAt":"2026-12-07T02:00:00Z","endsAt":"0001-01-01T00:00:00Z",
	  "generatorURL":"","fingerprint":"%s"}]}' "$3" "$1" "$2" "$3" \
	    > "$T/am.json"
	"$OWL" ingest --format alertmanager "$T/am.json" >/dev/null
}
wait_question() { # wait_question RUN: until it waits on a question
	_i=0
	while [ "$_i" -lt 200 ]; do
		[ "$("$OWL" runs show "$1" --json | jq1 'd["waiting_for"]')" != "None" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
last_run() { "$OWL" runs --json | jq1 'max(r["id"] for r in d)'; }
pids=""
stop_runs() { for p in $pids; do kill "$p" 2>/dev/null; done; }
tap_at_exit stop_runs
remember_pid() { pids="$pids $("$OWL" runs show "$1" --json | jq1 'd["pid"]')"; }

am LLMProviderDown eu g1   # INC-1
am Other us g2             # INC-2

# --- suggested runbooks: owl show, text and JSON
run "$OWL" show 1
like "$OUT" "Suggested runbooks:" "owl show has a suggested runbooks section"
first=$(printf '%s\n' "$OUT" | sed -n '/Suggested runbooks:/{n;p}')
like "$first" "^  both +matches two labels" "best match first: two labels matched"
like "$OUT" "ask +asks, applies, ticks" "then the one-label match, with its summary"
unlike "$OUT" "matches nothing here" "a runbook whose match does not fit is not suggested"
run "$OWL" show 1 --json
is "$(printf '%s' "$OUT" | jq1 '[s["name"] for s in d["suggested_runbooks"]]')" \
	"['both', 'ask']" "--json: suggested_runbooks, best first"
is "$(printf '%s' "$OUT" | jq1 'd["suggested_runbooks"][1]["summary"]')" \
	"asks, applies, ticks" "--json: with the summary"
is "$(printf '%s' "$OUT" | jq1 'sorted(d["suggested_runbooks"][0].keys())')" \
	"['alerts', 'blob', 'commit', 'match', 'matched', 'name', 'of', 'params', 'sampled', 'score', 'source', 'summary']" \
	"--json: each with match, score, alerts (of how many, sampled or not), commit, blob, source"
run env -u OWL_RUNBOOKS "$OWL" show 2
like "$OUT" "none: no runbooks configured" "no runbooks configured: says so"

# --- owl run --detach, owl runs, owl runs show, owl answer
run "$OWL" run ask --incident 1 --param ticks=1 --detach
is "$RC" 0 "owl run --detach: exit 0"
like "$OUT" "^run [0-9]+ started in its own process \\(pid [0-9]+\\); follow: owl runs show" \
	"says the run id and how to follow it"
r1=$(printf '%s' "$OUT" | sed 's/^run \([0-9]*\).*/\1/')
remember_pid "$r1"
wait_question "$r1"
ok $? "the detached run waits on its confirm()"
run "$OWL" runs show "$r1"
like "$OUT" "Waiting for an answer: Go ahead with x\\?" "runs show says what it waits on"
like "$OUT" "owl answer $r1 yes\\|no" "and how to answer"
run "$OWL" runs --state running --json
is "$(printf '%s' "$OUT" | jq1 '[r["id"] for r in d]')" "[$r1]" "owl runs --state running"
OWL_ACTOR=carol run "$OWL" answer "$r1" yes
is "$RC" 0 "owl answer RUN yes: exit 0"
like "$OUT" "run $r1: answered yes by carol" "says who answered"
run "$OWL" answer "$r1" no
is "$RC" 3 "a second answer is refused (exit 3)"
like "$ERR" "waits on no question" "says why"
wait_status "$r1" ok
ok $? "the run goes on after the answer and ends ok"
run "$OWL" runs show "$r1"
like "$OUT" "answered yes by carol" "runs show: the answer with its actor"
like "$OUT" "2   apply ... ok" "runs show: steps with status"
like "$OUT" "tick 1" "runs show: log() lines"
like "$("$OWL" audit log | grep run.answer)" " carol " "the answer is in the action log with its actor"
run "$OWL" runs --incident 2
is "$OUT" "" "owl runs --incident: only that incident's runs"
run "$OWL" runs --state bogus
is "$RC" 2 "--state: unknown state refused"
run "$OWL" answer 999 yes
is "$RC" 2 "owl answer of no such run: exit 2"

# --- the TUI: R from the incident, param, dry-run first, a applies
tui_start 120 40 "OWL_RUNBOOKS='$RB'" ""
tui_wait_for "FIRING"
tui_keys :
tui_type "open 1"
tui_keys Enter
tui_wait_for "Suggested runbooks (R runs one)"
ok $? "the incident screen has suggested runbooks"
tui_like "both +matches two labels" "best first, with summary"
tui_keys R
tui_wait_for "run for INC-1 (Tab: both, ask"
ok $? "R asks which runbook, suggested first"
tui_keys Tab
tui_wait_for "(Tab: both, ask, other): ask"
ok $? "Tab gives the next suggestion"
tui_keys Enter
tui_wait_for "ask: target - what to apply: x"
ok $? "the param form: description and default"
tui_keys C-u
tui_type "prod-db"
tui_keys Enter
tui_wait_for "ask: ticks - seconds of ticking: 3"
tui_keys C-u
tui_type "6"
tui_keys Enter
# a run's process starts and ends: deadlines for a loaded machine
tui_wait_for "(dry-run)" 30
ok $? "dry-run first"
tui_wait_for "Plan " 30
ok $? "the dry-run's plan is shown when it ends"
tui_like "a: apply" "the plan offers a to apply"
dry=$(last_run)
is "$("$OWL" runs show "$dry" --json | jq1 'd["dry_run"]')" "True" "the first run was a dry-run"
tui_keys a
tui_wait_for "asks: Go ahead with prod-db? [y/N]" 30
ok $? "applied: the live run's confirm() is a modal"
live=$(last_run)
remember_pid "$live"
is "$("$OWL" runs show "$live" --json | jq1 'd["params"]')" \
	"{'target': 'prod-db', 'ticks': '6'}" "the live run has the params of the dry-run"

# a second TUI answers the confirm(): the first sees it
$TUI_TMUX new-session -d -s t2 -x 100 -y 30 \
    "export TERM=xterm-256color LANG=C.UTF-8 TZ=UTC OWL_DB='$OWL_DB' \
OWL_ACTOR=bob OWL_RUNBOOKS='$RB' XDG_STATE_HOME='$XDG_STATE_HOME' \
XDG_CONFIG_HOME='$XDG_CONFIG_HOME'; '$OWL' tui"
cap2() { $TUI_TMUX capture-pane -p -t t2; }
i=0; while [ $i -lt 100 ] && ! cap2 | grep -q FIRING; do sleep 0.1; i=$((i+1)); done
$TUI_TMUX send-keys -t t2 g r
i=0; while [ $i -lt 100 ] && ! cap2 | grep -q "run-$live"; do sleep 0.1; i=$((i+1)); done
like "$(cap2)" "> run-$live +running" "the second TUI's runs screen: running first"
$TUI_TMUX send-keys -t t2 Enter
i=0; while [ $i -lt 100 ] && ! cap2 | grep -q "asks: Go ahead"; do sleep 0.1; i=$((i+1)); done
like "$(cap2)" "run $live asks: Go ahead with prod-db\\? \\[y/N\\]" "the second TUI has the modal too"
$TUI_TMUX send-keys -t t2 y
tui_wait_gone "asks: Go ahead with prod-db? [y/N]"
ok $? "answered from the second TUI: the first's modal goes"
tui_wait_for "answered yes by bob"
ok $? "the first TUI shows who answered"
tui_wait_for "tick 1" 20
ok $? "log() lines stream in live"
like "$(tui_capture)" "2   apply +ok" "steps appear live with their status"

# kill the TUI's terminal mid-run: the run completes, a new TUI shows it
$TUI_TMUX kill-session -t t
$TUI_TMUX kill-session -t t2
wait_status "$live" ok 30
ok $? "the tmux session killed mid-run: the run completes"
run "$OWL" show 1
like "$OUT" "run $live +.* ask .*by tester: ok" "the run is in the incident's Runs"
like "$OUT" "run $live step 3/3 tick: ok" "and its steps in the incident's log"
tui_start 120 40 "OWL_RUNBOOKS='$RB'" ""
tui_wait_for "FIRING"
tui_keys g r
tui_wait_for "run-$live"
like "$(tui_capture)" "run-$live +ok +ask" "a new TUI shows the finished run"
tui_keys q

# owl answer while the TUI shows the modal; then c cancels: undo runs
"$OWL" run ask --incident 1 --param ticks=20 --detach >/dev/null
r3=$(last_run)
remember_pid "$r3"
tui_keys C-r
tui_wait_for "run-$r3"
tui_keys g Enter
tui_wait_for "run $r3 asks: Go ahead with x? [y/N]" 30
ok $? "the modal for a CLI-started run"
"$OWL" answer "$r3" yes >/dev/null
tui_wait_gone "run $r3 asks: Go ahead with x? [y/N]"
ok $? "answered with owl answer: the modal goes"
tui_wait_for "tick 2" 20
tui_keys c
tui_wait_for "Cancel run $r3 ask (its undo runs)? [y/N]"
ok $? "c asks first"
tui_keys y
wait_status "$r3" cancelled 20
ok $? "c cancelled the run"
tui_wait_for "undo 2" 20
ok $? "the undo step is shown"
like "$("$OWL" runs show "$r3")" "undo 2 +apply ... ok" "the undo ran"
like "$("$OWL" runs show "$r3")" "undone x" "its log line too"
like "$("$OWL" audit log | grep run.cancel_asked)" " tester " "the cancel is logged with its actor"

# quitting with a run in progress asks: detach or cancel
tui_keys q
tui_keys :
tui_type "open 1"
tui_keys Enter
tui_wait_for "Suggested runbooks"
tui_keys :
tui_type "run ask"
tui_keys Enter
tui_wait_for "ask: target"
tui_keys Enter
tui_keys Enter
tui_wait_for "a: apply" 30
tui_keys a
tui_wait_for "asks: Go ahead" 30
r4=$(last_run)
remember_pid "$r4"
tui_keys Escape
tui_wait_for "not answered: it still waits"
tui_keys :
tui_type "quit"
tui_keys Enter
tui_wait_for "1 run you started still running: d detach"
ok $? "quit with a run in progress asks"
tui_keys x
tui_wait_for "not quitting"
ok $? "any other key stays"
tui_keys C-c
tui_wait_for "d detach"
tui_keys d
is "$(tui_wait_exit)" 0 "d: the TUI quits"
is "$(status_of "$r4")" "running" "detached: the run goes on"
"$OWL" answer "$r4" no >/dev/null
wait_status "$r4" cancelled
ok $? "and is answered later from the command line"

done_testing
