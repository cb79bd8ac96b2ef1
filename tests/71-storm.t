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

# the live rounds (make demo): new pods crash-loop, older ones recover
counts() { "$OWL" incidents --all --json | python3 -c 'import json,sys
d = json.load(sys.stdin)
print(sum(i["alert_count"] for i in d),
      sum(i["alert_count"] - i["firing_count"] for i in d))'; }
set -- $(counts)
a0=$1 r0=$2
run sh "$OWL_ROOT/tests/demo/storm.sh" --owl "$OWL" --db "$OWL_DB" \
	--from 5 --rounds 3 --interval 0
is "$RC" 0 "live rounds 5-7 are accepted"
set -- $(counts)
ok "$([ "$1" -ge $((a0 + 3)) ]; echo $?)" "each brings a new alert ($a0 -> $1)"
ok "$([ "$2" -gt "$r0" ]; echo $?)" "...and some resolve ($r0 -> $2 resolved)"
# --rounds 0: until killed, by its pid
a1=$1
sh "$OWL_ROOT/tests/demo/storm.sh" --owl "$OWL" --db "$OWL_DB" \
	--from 8 --rounds 0 --interval 0.1 >/dev/null 2>&1 &
STORM=$!
tap_at_exit 'kill $STORM 2>/dev/null'
more() { set -- $(counts); [ "$1" -ge $((a1 + 5)) ]; }
wait_for 60 more
ok $? "--rounds 0 keeps sending"
kill -0 "$STORM" 2>/dev/null
ok $? "...and is still running"
kill "$STORM"
wait "$STORM"
ok "$([ $? -ne 0 ]; echo $?)" "...until it is stopped"

run sh "$OWL_ROOT/tests/demo/storm.sh" --frob
is "$RC" 2 "unknown option: exit 2"
run sh "$OWL_ROOT/tests/demo/storm.sh" --from 0
is "$RC" 2 "--from 0: exit 2"

done_testing
