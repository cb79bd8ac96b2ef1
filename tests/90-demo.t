#!/bin/sh
# 90-demo.t: `make demo`'s script, without a terminal: it starts owl
# serve, sends the storm through it, shows the incidents, verifies the
# log, suggests the runbook that fixes the LLM outage and runs it, and
# leaves nothing running and nothing behind: it checks its own demo
# directory's processes only (another demo on the machine is not ours).
. "$(dirname "$0")/lib.sh"

run sh "$OWL_ROOT/tests/demo.sh" </dev/null
is "$RC" 0 "the demo exits 0"
like "$OUT" "listening on http://127\.0\.0\.1:[0-9]+" "it starts owl serve on loopback"
like "$OUT" "LLM provider down" "the storm's incidents are listed"
like "$OUT" "GPU queue backlog" "all of them"
like "$OUT" "ok: [0-9]+ entries" "the action log verifies"
like "$OUT" "\[sink\] [0-9:]+ INC-[0-9]+ \[critical\] LLM provider down.*level 1 of 2" \
	"owl pages the person on call through the demo Slack sink"
like "$OUT" "now   (ada|grace) " "owl oncall shows who is on call"
like "$OUT" "# Hand-off: the last 1h" "and the hand-off report is shown"
like "$OUT" "Suggested runbooks:
  degraded-mode " "the LLM outage suggests degraded-mode"
like "$OUT" "\] switch to degraded mode \.\.\. ok" "which switches the demo gateway"
like "$OUT" "ok: run [0-9]+" "and ends ok"
dir=$(printf '%s\n' "$OUT" | sed -n 's/^demo directory: \([^ ]*\) .*/\1/p')
like "$dir" "^/tmp/owl-demo-" "the demo names its directory"
i=0
while [ $i -lt 50 ] && pgrep -f "$dir" >/dev/null; do sleep 0.1; i=$((i + 1)); done
pgrep -f "$dir" >/dev/null
ok "$([ $? -ne 0 ]; echo $?)" "nothing it started is still running"
[ -d "$dir" ]
ok "$([ $? -ne 0 ]; echo $?)" "its directory is gone"

done_testing
