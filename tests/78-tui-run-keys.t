#!/bin/sh
# 78-tui-run-keys.t: the live run view's hint line shows only the keys
# that do something in the run's state: c cancel while it runs, a apply
# on a dry-run that ended ok with a plan, r recover on an interrupted
# run; the others, pressed anyway, say why in the status line. tmux at
# 100x24; only the processes this test started are stopped, by pid.
. "$(dirname "$0")/lib.sh"
newdb
. "$(dirname "$0")/tui-lib.sh"

mkdir -p "$T/rb"
export OWL_RUNBOOKS="$T/rb"
cat >"$T/rb/slow.lua" <<'LUA'
runbook { summary = "ticks for a minute" }
function run(p)
  step("tick", function()
    for i = 1, 600 do sleep(0.1); if i % 10 == 0 then log("tick " .. i) end end
  end)
end
LUA
cat >"$T/rb/quick.lua" <<LUA
runbook { summary = "one write" }
function run(p)
  step("write", function() file.write("$T/out.txt", "x\n") end)
end
LUA

last_run() { "$OWL" runs --json | jq1 'max(r["id"] for r in d)'; }
pids=""
stop_runs() { for p in $pids; do kill "$p" 2>/dev/null; done; }
tap_at_exit stop_runs
remember_pid() { pids="$pids $("$OWL" runs show "$1" --json | jq1 'd["pid"]')"; }
hint() { tui_capture | tail -n 1; }
# hint_wait REGEX [has|lacks]: polls the hint line (bottom row) until it
# matches (or no longer matches) REGEX; 10 s
hint_wait() {
	_i=0
	while [ "$_i" -lt 200 ]; do
		if hint | grep -qE -- "$1"; then
			[ "${2:-has}" = has ] && return 0
		else
			[ "${2:-has}" = lacks ] && return 0
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	diag "hint line: $(hint)"
	return 1
}

# --- a live run in progress: c cancels; a has nothing to apply
run "$OWL" run slow --detach --yes
live=$(printf '%s' "$OUT" | sed 's/^run \([0-9]*\).*/\1/')
remember_pid "$live"
tui_start 100 24 "OWL_RUNBOOKS='$T/rb'" ""
tui_wait_for "no alerts yet"
tui_keys C-r
tui_wait_for "run-$live"
tui_keys g Enter
tui_wait_for "Run $live" 10
ok $? "the run view of the live run"
hint_wait "c cancel"
ok $? "running: the hint line offers c cancel"
like "$(hint)" "^j/k move" "(the hint line is the bottom row)"
unlike "$(hint)" "a apply" "running, live: no a apply in the hint line"
unlike "$(hint)" "r recover" "running: no r recover either"
tui_keys a
tui_wait_for "run $live is a live run (running): it has no plan to apply"
ok $? "a pressed anyway says why"
tui_keys c
tui_wait_for "Cancel run $live slow (its undo runs)? [y/N]"
tui_keys y
wait_status "$live" cancelled 30
ok $? "c y cancelled it"
hint_wait "c cancel" lacks
ok $? "ended: c cancel leaves the hint line"
unlike "$(hint)" "a apply" "ended, live: still no a apply"
tui_keys c
tui_wait_for "run $live has ended (cancelled): nothing to cancel"
ok $? "c pressed anyway says why"
tui_keys q

# --- a dry-run that ended ok: a applies its plan; c has nothing to stop
run "$OWL" run quick --dry-run
is "$RC" 0 "a dry-run of quick"
dry=$(last_run)
tui_wait_for "run-$dry"
tui_keys g Enter
tui_wait_for "Run $dry" 10
tui_wait_for "Plan " 10
hint_wait "a apply"
ok $? "dry-run ok: the hint line offers a apply"
unlike "$(hint)" "c cancel" "dry-run ended: no c cancel"
tui_keys r
tui_wait_for "is ok, not interrupted: nothing to recover"
ok $? "r pressed anyway says why"
tui_keys q
done_testing
