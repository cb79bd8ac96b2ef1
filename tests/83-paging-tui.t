#!/bin/sh
# 83-paging-tui.t: what owl tui shows of paging: a page that no channel
# delivered in the header (until its incident resolves), an override of
# who is on call in the header, who was paged for an incident (when,
# through what, the result) on its screen, and the exit summary's
# pointer to `owl handoff`; and `owl handoff` itself (md and json).
. "$(dirname "$0")/lib.sh"
. "$OWL_ROOT/tests/tui-lib.sh"
. "$OWL_ROOT/tests/page-lib.sh"

sink_start ok
DEAD=$(closed_port)
mkdir -p "$XDG_CONFIG_HOME/owl"
cat >"$XDG_CONFIG_HOME/owl/config.lua" <<EOF
return { oncall = {
  rotations = { primary = { people = { "alice", "bob" }, start = "2026-01-05" } },
  people = { alice = { slack = "$SINK_ok/hooks/alice" },
             bob = { slack = "$SINK_ok/hooks/bob" },
             dave = { slack = "$SINK_ok/hooks/dave" },
             erin = { slack = "http://127.0.0.1:$DEAD/x" } },
  delivery = { attempts = 1 },
} }
EOF
printf '[{"id": "a1", "group": "llm", "title": "LLM provider down", "status": "firing", "severity": "critical"}]' |
	"$OWL" ingest --format generic >/dev/null 2>&1
"$OWL" page alice "LLM provider down, please look" --incident 1 >/dev/null 2>&1
"$OWL" page erin "are you there" --incident 1 >/dev/null 2>&1
"$OWL" note 1 "the provider's status page is red" >/dev/null 2>&1

tui_start 120 30 "" ""
tui_wait_for "LLM provider down"
ok $? "owl tui shows the incident"
tui_wait_for "PAGE UNDELIVERED: erin INC-1"
ok $? "the header shows the page no channel delivered"
"$OWL" oncall override dave --rotation primary --for 2h >/dev/null 2>&1
tui_wait_for "dave on call for primary (override)"
ok $? "an override made meanwhile appears in the header"
tui_keys Enter
tui_wait_for "Paged (2)"
ok $? "the incident's screen has a Paged section"
tui_like "alice via slack: sent \(by tester\)" "who was paged, through what, by whom"
tui_like "erin via slack: undeliverable \(by tester\): slack: .*connect" "and the page that failed, with why"
tui_keys q
tui_keys q
is "$(tui_wait_exit 10)" 0 "owl tui exits 0"
like "$(tui_capture_all)" "hand-off report for the next person: owl handoff --since 1h00m" \
	"the exit summary points to owl handoff"

"$OWL" resolve 1 --note "provider back; failover drill booked" >/dev/null 2>&1
tui_start 120 30 "" ""
tui_wait_for "0 FIRING"
screen=$(tui_capture)
unlike "$screen" "PAGE UNDELIVERED" "once the incident is resolved the alarm goes"
tui_keys q
tui_wait_exit 10 >/dev/null

# owl handoff: the shift report.

run "$OWL" handoff --since 2h
is "$RC" 0 "owl handoff exits 0"
like "$OUT" "^# Hand-off: the last 2h" "a Markdown report"
like "$OUT" "\| primary \| dave \(override\) \|" "who is on call now"
like "$OUT" "## Opened \(1\)" "incidents opened"
like "$OUT" "## Resolved \(1\)
.*
.*
\| [0-9-]+ [0-9:]+Z \| INC-1 \| critical \| tester \| LLM provider down \|" "incidents resolved, by whom"
like "$OUT" "\| alice \| slack \| sent \| INC-1 \| LLM provider down, please look \|" "pages sent and to whom"
like "$OUT" "\| erin \| slack \| undeliverable: slack: .* \| INC-1 \|" "and the one that failed"
like "$OUT" "INC-1 tester: the provider.s status page is red" "notes"
like "$OUT" "## Notes \(2\)" "Notes: owl note's and the one given with resolve"
like "$OUT" "INC-1 tester \(resolve\): provider back; failover drill booked" \
	"Notes: the note given with owl resolve INC --note, said so"
run "$OWL" handoff --format json
is "$RC" 0 "--format json exits 0"
got=$(printf '%s' "$OUT" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(len(d["opened"]), len(d["resolved"]), len(d["open"]), len(d["pages"]),
      d["pages"][0]["to"], d["notes"][0]["by"], d["oncall"][0]["person"],
      len(d["notes"]), d["notes"][1].get("with"), d["notes"][1]["text"],
      d["notes"][0].get("with"))')
is "$got" "1 1 0 2 alice tester dave 2 resolve provider back; failover drill booked None" \
	"the same as one JSON document (a note given with resolve: with)"
run "$OWL" handoff --format pdf
is "$RC" 2 "a bad format: exit 2"
run "$OWL" handoff --since soon
is "$RC" 2 "a bad --since: exit 2"

# the rest of the shift: an incident acknowledged and still open (with its
# age), runbooks run and their outcomes
printf '[{"id": "b1", "group": "gpu", "title": "GPU queue backlog", "status": "firing"}]' |
	"$OWL" ingest --format generic >/dev/null 2>&1
"$OWL" ack 2 --note "looking at the GPU queue" >/dev/null 2>&1
mkdir -p "$T/rb"
printf '%s\n' 'runbook { summary = "look" }' \
	'function run(p) step("look", function() log("looked") end) end' >"$T/rb/look.lua"
printf '%s\n' 'runbook { summary = "breaks" }' \
	'function run(p) step("try", function() error("no capacity") end) end' >"$T/rb/breaks.lua"
"$OWL" run look --runbooks "$T/rb" --incident 2 --yes >/dev/null 2>&1
"$OWL" run breaks --runbooks "$T/rb" --incident 2 --yes >/dev/null 2>&1
run "$OWL" handoff --since 2h
like "$OUT" "## Still open \(1\)" "still open: one incident"
like "$OUT" "^\| INC-2 \| [a-z]+ \| acknowledged \| [0-9]+[smh] \| tester \| GPU queue backlog \|$" \
	"...with its state, age and who acknowledged it"
like "$OUT" "## Acknowledged \(1\)" "incidents acknowledged"
like "$OUT" "INC-2 tester \(ack\): looking at the GPU queue" \
	"Notes: the note given with owl ack INC --note"
like "$OUT" "## Runbooks run \(2\)" "runbooks run"
like "$OUT" "^\| [0-9-]+ [0-9:]+Z \| look \| INC-2 \| tester \| ok \|$" "...a run that went well"
like "$OUT" "^\| [0-9-]+ [0-9:]+Z \| breaks \| INC-2 \| tester \| failed: .*no capacity \|$" \
	"...and one that failed, with why"

done_testing
