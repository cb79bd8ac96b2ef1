#!/bin/sh
# 42-runbook-incident.t: runs bound to an incident (--incident): the
# read-only `incident` global, the lease per (runbook, incident), and the
# run's log (an interrupted run's step included) in `owl show`.
. "$(dirname "$0")/lib.sh"

printf '%s' '{"id":"a1","title":"LLM provider down","status":"firing",
 "severity":"critical","labels":{"alertname":"LLMProviderDown","service":"assistant"}}' |
	"$OWL" ingest --format generic >/dev/null
mkdir -p "$T/rb"
printf '%s\n' 'runbook { summary = "inc" }' 'function run(p)' \
	'  step("look", function()' \
	'    check(incident, "no incident bound")' \
	'    log(incident.ref .. " " .. incident.title .. " " .. incident.labels.service)' \
	'    incident.title = "changed"' \
	'  end)' 'end' >"$T/rb/inc.lua"
run "$OWL" run inc --runbooks "$T/rb" --incident INC-1
like "$OUT" "log: INC-1 LLM provider down assistant" "the runbook reads the bound incident"
like "$ERR" "incident is read-only" "and cannot change it"
run "$OWL" run inc --runbooks "$T/rb"
like "$ERR" "no incident bound" "without --incident, incident is false"
run "$OWL" run inc --runbooks "$T/rb" --incident 99
is "$RC" 1 "an unknown incident exits 1"
is "$ERR" "owl: no incident INC-99" "and says so"

printf '%s\n' 'runbook { summary = "slow", params = { secs = { type = "number", default = 20 } } }' \
	'function run(p) step("wait", function() sleep(p.secs) end) end' >"$T/rb/slow.lua"
"$OWL" run slow --runbooks "$T/rb" --yes --incident 1 >"$T/slow.out" 2>&1 &
SLOW=$!
tap_at_exit "kill -9 $SLOW"
wait_for 10 grep -q 'wait \.\.\.' "$T/slow.out"
run "$OWL" run slow --runbooks "$T/rb" --param secs=0
is "$RC" 0 "the lease is per incident: a run without it goes ahead"
run "$OWL" run slow --runbooks "$T/rb" --param secs=0 --incident 1
is "$RC" 3 "the same runbook for the same incident is refused"
like "$ERR" "slow is already running for INC-1" "naming the incident"
kill -9 "$SLOW"
wait "$SLOW" 2>/dev/null
run "$OWL" run slow --runbooks "$T/rb" --param secs=0 --incident 1
is "$RC" 0 "after the holder died, the lease is taken over"
run "$OWL" show 1
like "$OUT" "run [0-9]+ slow interrupted: its owl process died during step 'wait'" \
	"owl show names the step the interrupted run was in"
like "$OUT" "^  run [0-9]+ +[0-9TZ:-]+  slow \(unversioned, blob [0-9a-f]{12}\) by tester: interrupted: its owl process died during step 'wait'" \
	"...in its runs, once"
like "$OUT" "run [0-9]+ slow took over the lease of run [0-9]+ \(tester, gone\)" "and the takeover"

done_testing
