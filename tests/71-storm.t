#!/bin/sh
# 71-storm.t: the demo's alert storm generator (tests/demo/storm.sh)
# stores what it says through `owl ingest`: the four AI-service incidents
# plus the noise, most urgent first, repeats deduplicated.
. "$(dirname "$0")/lib.sh"

run sh "$OWL_ROOT/tests/demo/storm.sh" --owl "$OWL" --db "$OWL_DB" \
	--rounds 4 --interval 0
is "$RC" 0 "the storm is accepted"
run "$OWL" incidents --json
titles=$(printf '%s' "$OUT" | python3 -c '
import json, sys
print("|".join(i["severity"] + ":" + i["title"] for i in json.load(sys.stdin)))')
like "$titles" "^critical:GPU queue backlog\\|critical:LLM provider down\\|error:Eval score drop\\|" \
	"critical incidents first, then the eval drop"
like "$titles" "warning:Token spend spike" "token spend spike"
like "$titles" "info:Pod feature-sync" "noise is there too"
count=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$count" 8 "eight incidents: repeats grouped, not duplicated"
llm=$(printf '%s' "$OUT" | python3 -c '
import json, sys
print([i["alert_count"] for i in json.load(sys.stdin) if i["title"] == "LLM provider down"][0])')
is "$llm" 3 "the LLM outage groups three regions"
run sh "$OWL_ROOT/tests/demo/storm.sh" --frob
is "$RC" 2 "unknown option: exit 2"

done_testing
