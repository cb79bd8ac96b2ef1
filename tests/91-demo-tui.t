#!/bin/sh
# 91-demo-tui.t: `make demo` in a terminal (tmux): the TUI path. The
# demo says how to fix the gateway probe's LLMProviderDown from the TUI;
# doing just that works with the demo's own configuration (the shipped
# runbooks, its gateway and config): open the incident, R suggests
# degraded-mode first, a reason, the dry-run's plan, a applies, and the
# probe's alert resolves. q ends the demo, which removes its directory;
# only the demo's own session of processes is checked and stopped, by
# pid.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui-lib.sh"

DT="$T/demo-tmp" # the demo's mktemp -d goes here: its own directory only
mkdir -p "$DT"
# the pane's shell leads its own session (tmux makes one per pane): its
# pid is the session id of everything the demo starts
$TUI_TMUX new-session -d -s t -x 130 -y 45 \
    "export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC \
TMPDIR='$DT' XDG_STATE_HOME='$XDG_STATE_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME'; \
echo \$\$ > '$T/demo.pid'; cd '$OWL_ROOT' && sh tests/demo.sh; \
echo \$? > '$T/demo.exit'"
$TUI_TMUX set-option -t t remain-on-exit on >/dev/null
for _ in $(seq 50); do [ -s "$T/demo.pid" ] && break; sleep 0.1; done
DPID=$(cat "$T/demo.pid" 2>/dev/null)
# the demo's processes: the pane's session but its shell
ours() { [ -n "$DPID" ] && pgrep -s "$DPID" | grep -vx "$DPID"; }
stop_ours() { for p in $(ours); do kill "$p"; done; }
tap_at_exit stop_ours

tui_wait_for "FIRING" 60
ok $? "the demo opens the TUI"
dir=$(ls -d "$DT"/owl-demo-* 2>/dev/null)
export OWL_DB="$dir/owl.db"
inc() { "$OWL" incidents --all --json | python3 -c 'import json,sys
for i in json.load(sys.stdin):
    if i["title"].startswith("LLM provider down: the assistant gateway"):
        print(i["id"], i["state"]); break'; }
n=$(inc | cut -d' ' -f1)
like "$n" "^[0-9]+$" "the gateway probe's LLMProviderDown is an incident: INC-$n"
# what the demo printed before the TUI, from the scrollback
like "$(tui_capture_all)" "open INC-$n \"LLM provider down: the assistant gateway" \
	"the demo says which incident to open"
like "$(tui_capture_all)" "press R: the suggested runbook degraded-mode" \
	"...that R suggests degraded-mode"
like "$(tui_capture_all)" "press a to apply it" "...and that a applies it"

tui_keys :
tui_type "open $n"
tui_keys Enter
tui_wait_for "Suggested runbooks (R runs one)" 10
ok $? "the incident screen has suggested runbooks"
like "$(tui_capture)" "degraded-mode +Switch an AI service to degraded mode" \
	"degraded-mode is suggested, from the shipped runbooks"
tui_keys R
tui_wait_for "run for INC-$n (Tab: degraded-mode" 10
ok $? "R offers degraded-mode first"
tui_keys Enter
tui_wait_for "degraded-mode: reason" 10
ok $? "it asks for the reason"
tui_type "provider down"
tui_keys Enter
for prm in service mode verify_timeout; do
	tui_wait_for "degraded-mode: $prm" 10 && tui_keys Enter
done
tui_wait_for "(dry-run)" 20
ok $? "a dry-run first"
tui_wait_for "Plan " 60
ok $? "the dry-run's plan is shown"
like "$(tui_capture)" "a: apply" "the plan offers a to apply"
is "$(inc | cut -d' ' -f2)" "triggered" "the dry-run changed nothing: still firing"
tui_keys a
# the probe (every second) sees completions served and resolves the alert
st=""
for _ in $(seq 600); do
	st=$(inc | cut -d' ' -f2)
	[ "$st" = resolved ] && break
	sleep 0.1
done
is "$st" "resolved" "applied: the probe's alert resolves, and the incident with it"
run "$OWL" runs --incident "$n" --json
like "$OUT" '"runbook": *"degraded-mode"' "the runs are degraded-mode's"
like "$OUT" '"status": *"ok"' "...and the applied one ended ok"
tui_keys Escape
tui_wait_for "RESOLVED" 20
ok $? "the TUI shows it resolved"

tui_keys q
for _ in $(seq 300); do [ -s "$T/demo.exit" ] && break; sleep 0.1; done
is "$(cat "$T/demo.exit" 2>/dev/null)" 0 "q ends the demo, exit 0"
like "$(tui_capture_all)" "The postmortem timeline of the demo incident:" \
	"it says where the timeline is"
is "$(ls -A "$DT")" "" "its own directory is removed"
for _ in $(seq 50); do [ -z "$(ours)" ] && break; sleep 0.1; done
is "$(ours)" "" "nothing the demo started is still running"

done_testing
