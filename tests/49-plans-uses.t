#!/bin/sh
# 49-plans-uses.t: a plan's preconditions cover what the runbook used
# (issue 13). A read that declares `uses` (paths into its JSON answer) is
# held at apply time to its status and those parts only: a counter the
# runbook never looks at moving between the dry-run and the apply does
# not refuse, a change in a used field refuses with exit 3 naming the
# read and the field; a read that declares nothing is held to its whole
# answer, as before. The shipped cost-ceiling and pause-batch, whose
# reads hold counters that move every second, apply their plans. Against
# the demo AI gateway (tests/demo/gateway) on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

GW="$OWL_ROOT/build/tools/gateway"
ADMIN=admin-token-0123456789abcdef
printf '%s\n' "$ADMIN" >"$T/admin"
"$GW" --port-file "$T/port" --admin-token-file "$T/admin" --quiet \
	--batch nightly-embeddings:100000000:50 --batch agent-loop:100000000:500 \
	2>"$T/gw.err" &
tap_at_exit "kill $! 2>/dev/null"
wait_for 20 test -s "$T/port"
ok $? "the demo gateway is up"
U="http://127.0.0.1:$(cat "$T/port")"
cat >"$T/config.lua" <<EOF
return { gateway_url = "$U",
  secrets = { gateway_admin = { file = "$T/admin" } } }
EOF
export OWL_CONFIG="$T/config.lua"
j() { curl -s "$U$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
spend() { curl -sf -X POST -d "{\"usd\": $1}" "$U/v1/sim/spend" >/dev/null; }
limit() { curl -sf -X PUT -H "Authorization: Bearer $ADMIN" \
	-d "{\"rate_limit\": $1, \"for_seconds\": 3600}" "$U/v1/limits" >/dev/null; }
planid() { printf '%s\n' "$OUT" | sed -n 's/^Plan \([0-9]*\),.*/\1/p'; }

mkdir -p "$T/rb"
# halve USES: reads the limits (declaring USES, or nothing), then halves
# the rate limit
halve() {
	cat >"$T/rb/$1.lua" <<EOF
runbook { summary = "halve the rate limit" }
function run(p)
  local l
  step("read", function()
    l = http.get(config.gateway_url .. "/v1/limits", { expect = 200 $2 }).json
  end)
  step("halve", function()
    http.put(config.gateway_url .. "/v1/limits", { expect = 200,
      headers = { Authorization = "Bearer " .. secret.get("gateway_admin") },
      json = { rate_limit = l.rate_limit // 2, for_seconds = 3600 } })
  end)
end
EOF
}
halve used ', uses = { "rate_limit", "model" }'
halve whole ''

run "$OWL" run used --runbooks "$T/rb" --dry-run
is "$RC" 0 "a dry-run of a read that declares what it uses"
like "$OUT" "read: status 200, [0-9]+ bytes, sha256 [0-9a-f]{12} \(of the parts used\)" \
	"the plan says its precondition is of the parts used"
like "$OUT" '^ +uses: \{"rate_limit":600,"model":null\}$' "and shows them"
P=$(planid)
spend 300
isnt() { [ "$1" != "$2" ]; ok $? "$3"; }
isnt "$(j /v1/limits 'd["spend_usd"]')" "0" "(the spend moved: a field the runbook does not use)"
run "$OWL" apply "$P" --yes
is "$RC" 0 "apply: an unused field changed, the plan still holds"
is "$(j /v1/limits 'd["rate_limit"]')" 300 "and the write was made"

limit 600
run "$OWL" run used --runbooks "$T/rb" --dry-run
P=$(planid)
limit 100
run "$OWL" apply "$P" --yes
is "$RC" 3 "apply: a used field changed: refused, exit 3"
like "$ERR" "plan $P is stale: GET $U/v1/limits: rate_limit was 600, now 100" \
	"naming the read and the field"
is "$(j /v1/limits 'd["rate_limit"]')" 100 "nothing was written"

limit 600
run "$OWL" run whole --runbooks "$T/rb" --dry-run
P=$(planid)
spend 5
run "$OWL" apply "$P" --yes
is "$RC" 3 "a read that declares nothing is held to its whole answer"
like "$ERR" "plan $P is stale: GET $U/v1/limits: spend_usd" "(the spend)"

cat >"$T/rb/bad.lua" <<EOF
runbook { summary = "uses on a write" }
function run(p)
  step("w", function()
    http.post(config.gateway_url .. "/v1/x", { uses = { "a" } })
  end)
end
EOF
run "$OWL" run bad --runbooks "$T/rb" --yes
is "$RC" 1 "uses on a write fails the step"
like "$ERR" "uses is for reads \(GET, HEAD\)" "saying why"

# --- the shipped runbooks whose reads hold moving counters
RB="$OWL_ROOT/runbooks"
run "$OWL" run cost-ceiling --runbooks "$RB" --dry-run \
	--param reason="runaway agent" --param rate_limit=60
is "$RC" 0 "cost-ceiling: dry-run"
P=$(planid)
spend 120
run "$OWL" apply "$P" --yes
is "$RC" 0 "cost-ceiling: its plan applies though the spend moved"
is "$(j /v1/limits 'd["rate_limit"]')" 60 "cost-ceiling: the ceiling is set"

run "$OWL" run pause-batch --runbooks "$RB" --dry-run --param reason="loop"
is "$RC" 0 "pause-batch: dry-run"
P=$(planid)
D0=$(j /v1/batches/2 'd["done"]')
wait_for 10 sh -c "test \"\$(curl -s '$U/v1/batches/2' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"done\"])')\" != '$D0'"
ok $? "(the jobs' progress moved since the dry-run)"
run "$OWL" apply "$P" --yes
is "$RC" 0 "pause-batch: its plan applies though progress and spend moved"
is "$(j /v1/batches/2 'd["state"]')" paused "pause-batch: the job that spent the most is paused"

done_testing
