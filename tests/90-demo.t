#!/bin/sh
# 90-demo.t: `make demo`'s script, without a terminal: it starts owl
# serve, sends the storm through it, shows the incidents, runs
# degraded-mode for the LLMProviderDown the demo gateway's probe fired
# (which then resolves), verifies the log, and leaves nothing running and
# nothing behind in /tmp.
. "$(dirname "$0")/lib.sh"

before=$(ls -d /tmp/owl-demo-* 2>/dev/null | wc -l)
run sh "$OWL_ROOT/tests/demo.sh" </dev/null
is "$RC" 0 "the demo exits 0"
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
like "$(cat "$html" 2>/dev/null)" '<svg class="picture"' "...an HTML timeline with its picture"
like "$(cat "${html%.html}.md" 2>/dev/null)" "^- [0-9:]{8} acknowledged by ada: " "...and its Markdown, with the ack"
after=$(ls -d /tmp/owl-demo-* 2>/dev/null | wc -l)
is "$after" "$before" "its database is removed"
sleep 0.2
pgrep -f "owl-demo-" >/dev/null
ok "$([ $? -ne 0 ]; echo $?)" "nothing it started is still running"

done_testing
