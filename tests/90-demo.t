#!/bin/sh
# 90-demo.t: `make demo`'s script, without a terminal: it starts owl
# serve, sends the storm through it, shows the incidents, runs
# degraded-mode for the LLMProviderDown the demo gateway's probe fired
# (which then resolves), verifies the log, and leaves nothing running and
# nothing behind. The demo gets a TMPDIR of its own and runs in a session
# of its own (setsid): what it started is found by that session id and
# by nothing else, so other tests' and developers' demos are never
# counted, let alone stopped.
. "$(dirname "$0")/lib.sh"

DT="$T/demo-tmp" # the demo's mktemp -d (and the storm's) go here
mkdir -p "$DT"
# its timeline too, not build/demo/ where 91-demo-tui.t's may be written
# at the same time (prove -j2)
export OWL_DEMO_OUT="$T/out"
# the session leader writes its pid, which is the session id, first
TMPDIR="$DT" setsid -w sh -c 'echo $$ > "$1"; shift; exec "$@"' sh \
	"$T/demo.sid" sh "$OWL_ROOT/tests/demo.sh" </dev/null \
	>"$T/demo.out" 2>"$T/demo.err" &
DEMO=$!
wait_for 30 test -s "$T/demo.sid"
SID=$(cat "$T/demo.sid" 2>/dev/null)
like "$SID" "^[0-9]+$" "the demo runs in a session of its own: $SID"
# the demo's processes: the members of its session (none without an id:
# pgrep -s 0 would be this test's own session)
ours() { case "${1:-$SID}" in [0-9]*) pgrep -s "${1:-$SID}" ;; esac; }
SID2=""
stop_ours() {
	for p in $(ours) $(ours "$SID2"); do kill "$p"; done
}
tap_at_exit stop_ours
wait "$DEMO"
RC=$?
OUT=$(cat "$T/demo.out")
is "$RC" 0 "the demo exits 0"
[ "$RC" = 0 ] || diag "$(cat "$T/demo.err")"
like "$OUT" "runbooks from .*/owl-demo-[A-Za-z0-9]+/runbooks at refs/heads/main [0-9a-f]{12}" \
	"the runbooks come from a git repository the demo built"
like "$OUT" "degraded-mode.lua from .*/runbooks at refs/heads/main [0-9a-f]{12}" \
	"...and the run reads degraded-mode from its commit"
like "$OUT" "listening on http://127\.0\.0\.1:[0-9]+" "it starts owl serve on loopback"
like "$OUT" "LLM provider down" "the storm's incidents are listed"
like "$OUT" "GPU queue backlog" "all of them"
like "$OUT" "ok: [0-9]+ entries" "the action log verifies"
like "$OUT" "\[sink\] [0-9:]+ INC-[0-9]+ \[critical\] LLM provider down.*level 1 of 2" \
	"owl pages the person on call through the demo Slack sink"
like "$OUT" "now   (ada|grace) " "owl oncall shows who is on call"
like "$OUT" "the assistant's AI gateway at http://127\.0\.0\.1:[0-9]+: its provider is down" \
	"the demo AI gateway runs, its provider down"
like "$OUT" "INC-[0-9]+ +triggered +critical .* LLM provider down: the assistant gateway fails completions" \
	"its probe fires LLMProviderDown while completions fail"
like "$OUT" "owl run degraded-mode --incident INC-[0-9]+" "the demo runs degraded-mode for it"
like "$OUT" "ok: run [0-9]+" "the run succeeds"
like "$OUT" '"status":"ok","service":"assistant","mode":"degraded"' \
	"completions are served again, in degraded mode"
like "$OUT" "^state +resolved$" "and the probe's alert resolves"
like "$OUT" "# Hand-off: the last 1h" "and the hand-off report is shown"
like "$OUT" "The postmortem timeline of the demo incident:" "it says where the demo incident's timeline is"
html=$(printf '%s\n' "$OUT" | sed -n 's/^  \(.*timeline-INC-[0-9]*\.html\)$/\1/p')
ok "$([ -s "$html" ]; echo $?)" "...and writes it: $html"
like "$html" "^$T/out/timeline-INC-[0-9]+\.html$" "...in \$OWL_DEMO_OUT"
like "$(cat "$html" 2>/dev/null)" '<svg class="picture"' "...an HTML timeline with its picture"
md=$(cat "${html%.html}.md" 2>/dev/null)
like "$md" "^# INC-[0-9]+: LLM provider down: the assistant gateway" \
	"...of the incident degraded-mode fixed"
like "$md" "^- [0-9:]{8} acknowledged by ada: " "...and its Markdown, with the ack"
like "$md" "^- [0-9:]{8} run [0-9]+ degraded-mode \(refs/heads/main, commit [0-9a-f]{7,}\) started by ada" \
	"...the run, from the demo's runbook repository"
like "$md" "^    - [0-9:]{8} ✓ degraded-mode ended: ok" "...ended ok"
like "$md" "^- \*\*Resolved:\*\* .*\(automatically\)" "...and the incident resolved by the probe"
like "$OUT" "Open it with: xdg-open .*timeline-INC-[0-9]+\.html" "...and how to open it"
is "$(ls -A "$DT")" "" "its directory (database, repository, storm) is removed"
nothing() { [ -z "$(ours "$1")" ]; }
wait_for 10 nothing "$SID"
is "$(ours)" "" "nothing it started is still running"

# The terminal closes mid-demo (SIGHUP, as when its window or SSH session
# goes): the demo still stops what it started and removes its directory.
DT2="$T/demo-tmp2"
mkdir -p "$DT2"
TMPDIR="$DT2" setsid -w sh -c 'echo $$ > "$1"; shift; exec "$@"' sh \
	"$T/demo2.sid" sh "$OWL_ROOT/tests/demo.sh" </dev/null \
	>"$T/demo2.out" 2>&1 &
DEMO2=$!
wait_for 30 test -s "$T/demo2.sid"
SID2=$(cat "$T/demo2.sid" 2>/dev/null)
serving() { grep -qs "listening on" "$DT2"/owl-demo-*/serve.log; }
wait_for 60 serving
ok $? "a second demo is serving (session $SID2)"
kill -HUP "$SID2" # its leader: sh tests/demo.sh
wait "$DEMO2"
is "$?" 129 "SIGHUP ends the demo (exit 129)"
wait_for 20 nothing "$SID2"
is "$(ours "$SID2")" "" "...and nothing it started is still running"
is "$(ls -A "$DT2")" "" "...and its directory is removed"

done_testing
