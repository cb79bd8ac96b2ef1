#!/bin/sh
# 91-demo-tui.t: `make demo` in a terminal (tmux): what a newcomer does.
# With the demo's own configuration (a runbook git repository built from
# runbooks/, its AI gateway, its config): open the gateway probe's
# LLMProviderDown incident, R suggests degraded-mode first, its params
# filled in the form (each prompt checked before the next key), the
# dry-run's plan, a applies it, y answers its confirm(), the run ends ok
# and is in the incident's log, and the probe's alert resolves. The
# storm goes on meanwhile (new alerts, some resolving). After q: the
# demo said how to do all this and where the incident's timeline is, its
# directory is gone, nothing it started still runs, and a run left
# waiting on its confirm() was stopped. Only the demo's own session of
# processes (the tmux pane's shell leads it) and the runs it started are
# looked at and stopped, by pid. Every wait has a deadline.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui-lib.sh"

DT="$T/demo-tmp" # the demo's mktemp -d (and the storm's) go here; its
# timeline goes to $T/out (OWL_DEMO_OUT), not to build/demo/ where
# 90-demo.t's may be written at the same time
mkdir -p "$DT"
# the pane's shell leads its own session (tmux makes one per pane): its
# pid is the session id of everything the demo starts
$TUI_TMUX new-session -d -s t -x 130 -y 45 \
    "export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC \
TMPDIR='$DT' XDG_STATE_HOME='$XDG_STATE_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' \
OWL_DEMO_OUT='$T/out'; \
unset OWL_DB OWL_CONFIG OWL_RUNBOOKS; \
echo \$\$ > '$T/demo.pid'; cd '$OWL_ROOT' && sh tests/demo.sh; \
rc=\$?; printf '\033]2;demo-exited\007'; echo \$rc > '$T/demo.exit'"
$TUI_TMUX set-option -t t remain-on-exit on >/dev/null
wait_for 30 test -s "$T/demo.pid"
DPID=$(cat "$T/demo.pid" 2>/dev/null)
# the demo's processes: the pane's session but its shell (none without
# an id: pgrep -s 0 would be this test's own session)
ours() {
	case "$DPID" in [0-9]*) pgrep -s "$DPID" | grep -vx "$DPID" ;; esac
}
# the runs (started from the TUI or by this test, each in a session of
# its own): by pid, while they are still an owl process
RUNPIDS=""
stop_ours() {
	for p in $(ours); do kill "$p"; done
	for p in $RUNPIDS; do
		grep -q owl "/proc/$p/cmdline" 2>/dev/null && kill -INT "$p"
	done
}
tap_at_exit stop_ours

# screen_has TEXT: TEXT (fixed string) is on the screen now.
screen_has() { tui_capture | grep -qF -- "$1"; }
# wait_screen TEXT SECONDS NAME: a test that TEXT shows within SECONDS
# (a deadline, not a count of tries); the screen goes to the diagnostics
# when it does not.
wait_screen() {
	wait_for "$2" screen_has "$1"
	_rc=$?
	ok "$_rc" "$3"
	[ "$_rc" = 0 ] || { diag "waited $2 s for: $1"; diag "$(tui_capture)"; }
	return "$_rc"
}

# the demo first says what to do, and waits for Enter
wait_screen "Press Enter to open the console." 90 \
	"the demo prints the steps, then waits for Enter"
dir=$(ls -d "$DT"/owl-demo-* 2>/dev/null | head -n 1)
export OWL_DB="$dir/owl.db" OWL_CONFIG="$dir/config.lua"
steps=$($TUI_TMUX capture-pane -p -J -t t) # wrapped lines joined
tui_keys Enter
wait_screen "FIRING" 60 "Enter opens the TUI"
inc() { "$OWL" incidents --all --json | python3 -c 'import json,sys
for i in json.load(sys.stdin):
    if i["title"].startswith("LLM provider down: the assistant gateway"):
        print(i["id"], i["state"]); break'; }
probe_known() { [ -n "$(inc)" ]; }
wait_for 30 probe_known
n=$(inc | cut -d' ' -f1)
like "$n" "^[0-9]+$" "the gateway probe's LLMProviderDown is an incident: INC-$n"
# alerts in the database: all, and those resolved
alerts() { "$OWL" incidents --all --json | python3 -c 'import json,sys
d = json.load(sys.stdin)
print(sum(i["alert_count"] for i in d),
      sum(i["alert_count"] - i["firing_count"] for i in d))'; }
a0=$(alerts)

tui_keys :
tui_type "open $n"
wait_screen "open $n" 10 "...and takes the incident's number"
tui_keys Enter
wait_screen "Suggested runbooks (R runs one)" 20 \
	"the incident screen has suggested runbooks"
tui_like "degraded-mode +Switch an AI service to degraded mode" \
	"degraded-mode is suggested"
head=$(git -C "$dir/runbooks" rev-parse --short=12 HEAD 2>/dev/null)
tui_like "LLMProviderDown.* · commit ${head:-none}" \
	"...from the demo's runbook repository, at its commit ($head)"
tui_keys R
wait_screen "run for INC-$n (Tab: degraded-mode" 20 \
	"R offers degraded-mode first"
tui_like "\): degraded-mode *$" "...filled in"
tui_keys Enter
# the params: the required one first, then by name; each prompt is on
# screen before its key is sent
wait_screen "degraded-mode: reason (required)" 20 "it asks for the reason"
tui_type "provider down"
wait_screen ": provider down" 10 "...typed"
tui_keys Enter
wait_screen "degraded-mode: mode - " 20 "then the mode"
tui_like "degraded-mode: mode - .*: degraded *$" \
	"...its default filled in"
tui_keys Enter
wait_screen "degraded-mode: service - " 20 "then the service"
tui_like "degraded-mode: service - .*: assistant *$" \
	"...its default filled in"
tui_keys Enter
wait_screen "degraded-mode: verify_timeout - " 20 "then verify_timeout"
tui_keys Enter
wait_screen "degraded-mode (dry-run)" 30 "a dry-run first"
wait_screen "Plan " 60 "the dry-run's plan is shown"
tui_like "Plan [0-9]+: [0-9]+ effects, 2 writes +\(a: apply" \
	"...with its writes, and a to apply"
tui_like "write http.put http://127.0.0.1:[0-9]+/v1/flags/assistant" \
	"...the switch at the gateway among them"
is "$(inc | cut -d' ' -f2)" "triggered" "the dry-run changed nothing: still firing"
tui_keys a
wait_screen "asks: Switch assistant to degraded mode? [y/N]" 60 \
	"a applies it: the run asks its confirm()"
RUNPIDS=$("$OWL" runs --state running --json | python3 -c 'import json,sys
print(" ".join(str(r["pid"]) for r in json.load(sys.stdin) if r.get("pid")))')
tui_keys y
wait_screen "degraded-mode ended: ok" 60 "y: the run goes on and ends ok, live"
tui_like "4 +notify +ok" "...its steps shown as they ran"
run "$OWL" runs --incident "$n" --json
like "$OUT" '"runbook": *"degraded-mode"' "the incident's runs are degraded-mode's"
like "$(printf '%s' "$OUT" | python3 -c 'import json,sys
print(" ".join(("dry" if r.get("dry_run") else "live") + ":" + r["status"]
               for r in sorted(json.load(sys.stdin), key=lambda r: r["id"])))')" \
	"^dry:ok live:ok$" "...a dry-run, then the applied run, ok"
# the probe (every second) sees completions served and resolves the alert
resolved() { [ "$(inc | cut -d' ' -f2)" = resolved ]; }
wait_for 60 resolved
is "$(inc | cut -d' ' -f2)" "resolved" \
	"applied: the probe's alert resolves, and the incident with it"
tui_keys Escape
wait_screen "state resolved" 30 "the incident screen shows it resolved"
live=$("$OWL" runs --incident "$n" --json | python3 -c 'import json,sys
print(max([r["id"] for r in json.load(sys.stdin) if not r["dry_run"]] or [0]))')
tui_keys G
wait_screen "run $live degraded-mode ended: ok" 20 \
	"the applied run (run $live) is in the incident's log"
# the storm went on while the TUI was open
grew() {
	set -- $a0 $(alerts)
	[ "$3" -gt "$1" ] && [ "$4" -gt "$2" ]
}
wait_for 60 grew
ok $? "the storm goes on: new alerts, some resolving ($a0 -> $(alerts))"

# a run still going when the demo ends (one left waiting on its
# confirm(), started from another terminal): the demo stops it
run "$OWL" run cost-ceiling --detach --json --param reason="left waiting" \
	--param model=small-local
wrun=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["run"])' 2>/dev/null)
wpid=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])' 2>/dev/null)
like "$wpid" "^[0-9]+$" "a run started from another terminal: run $wrun, pid $wpid"
RUNPIDS="$RUNPIDS $wpid"
asks() {
	"$OWL" runs show "$wrun" --json | python3 -c 'import json,sys
sys.exit(0 if json.load(sys.stdin).get("waiting_for") else 1)'
}
wait_for 60 asks
ok $? "...waits on its confirm()"

tui_keys Escape
wait_screen "S STATE    ID" 20 "back to the list"
tui_keys q
wait_for 60 test -s "$T/demo.exit"
# the exit status is a file: the demo's last lines are on the screen
# once tmux has read the title set after them
drained() { [ "$(tui_title)" = demo-exited ]; }
wait_for 10 drained
is "$(cat "$T/demo.exit" 2>/dev/null)" 0 "q ends the demo, exit 0"
# what the demo printed before the TUI (on the screen, before Enter)
like "$steps" "open INC-$n \"LLM provider down: the assistant gateway" \
	"the demo said which incident to open"
like "$steps" "press R: the suggested runbook degraded-mode" \
	"...that R suggests degraded-mode"
like "$steps" "press a to apply it, y to its question" "...that a applies it"
like "$steps" "new alerts every few seconds" "...that the storm goes on"
like "$steps" "OWL_DB=.* OWL_CONFIG=.* \./owl tui" \
	"...how to open the same console from another terminal"
# and at its end (the scrollback, after q)
all=$($TUI_TMUX capture-pane -p -J -S - -t t) # wrapped lines joined
like "$all" "The postmortem timeline of the demo incident:" \
	"at its end, it says where the timeline is"
html=$(printf '%s\n' "$all" | sed -n 's/^  \(.*timeline-INC-[0-9]*\.html\)$/\1/p' | tail -n 1)
ok "$([ -s "$html" ]; echo $?)" "...and it is there: $html"
like "$html" "^$T/out/timeline-INC-$n\.html$" \
	"...the timeline of the incident fixed from the TUI, in \$OWL_DEMO_OUT"
like "$(cat "${html%.html}.md" 2>/dev/null)" \
	"^- [0-9:]{8} run $live degraded-mode \([^)]*commit $(printf %.7s "$head")\) started by " \
	"...with the run applied from the TUI"
like "$all" "Open it with: xdg-open .*\.html" "...and how to open it"
is "$(ls -A "$DT")" "" "its own directory is removed"
nothing() { [ -z "$(ours)" ]; }
wait_for 20 nothing
is "$(ours)" "" "nothing the demo started is still running"
for p in $RUNPIDS; do
	wait_for 20 sh -c "! kill -0 $p"
	ok $? "the runs' processes are gone: $p"
done

done_testing
