#!/bin/sh
# 49-plans-order.t: the plan JSON reads the same every time. A runbook's
# tables (a request's json body, its headers) come from Lua, whose
# iteration order changes from one run to the next (string hashes are
# seeded per process); owl run --json and owl plan show --json print
# their members in one order, so two dry-runs of the same runbook differ
# only in their ids and times (the plan hash never depended on the
# order: it hashes sorted text).
. "$(dirname "$0")/lib.sh"
newdb

mkdir -p "$T/rb"
cat >"$T/rb/many.lua" <<LUA
runbook { summary = "many keyed tables" }
function run(p)
  step("write", function()
    http.put("http://127.0.0.1:1/v1/flags/x", {
      json = { mode = "degraded", reason = "r", since = 1, who = "me",
               zone = "eu", alpha = true, beta = { x = 1, y = 2, z = 3,
               w = 4, v = 5 } },
      headers = { ["X-A"] = "1", ["X-B"] = "2", ["X-C"] = "3",
                  ["X-D"] = "4", ["X-E"] = "5" } })
    http.post("http://127.0.0.1:1/v1/other",
      { json = { k1 = 1, k2 = 2, k3 = 3, k4 = 4, k5 = 5, k6 = 6 } })
    file.write("$T/out.txt", json.encode({ b = 1, a = 2, d = 3, c = 4 }))
  end)
end
LUA
# ids, times and durations are the run's own; the rest must not move
strip() {
	grep -vE '^ *"(id|run|ms|at|created_at|started_at|ended_at|plan_id|run_id)": '
}
for i in 1 2 3; do
	run "$OWL" run many --runbooks "$T/rb" --dry-run --offline --json
	is "$RC" 0 "dry-run $i: exit 0"
	printf '%s\n' "$OUT" | strip >"$T/run$i.json"
	id=$(printf '%s' "$OUT" | python3 -c 'import json,sys
print(json.load(sys.stdin)["plan"]["id"])')
	run "$OWL" plan show "$id" --json
	is "$RC" 0 "plan show $id --json: exit 0"
	printf '%s\n' "$OUT" | strip >"$T/plan$i.json"
done
like "$(cat "$T/run1.json")" '"X-E": "5"' "the run JSON holds the headers"
for i in 2 3; do
	cmp -s "$T/run1.json" "$T/run$i.json"
	ok $? "owl run --json: run $i prints the plan as run 1 did (ids and times aside)" ||
		diff "$T/run1.json" "$T/run$i.json" | sed 's/^/# /' | head -20
	cmp -s "$T/plan1.json" "$T/plan$i.json"
	ok $? "owl plan show --json: plan $i reads as plan 1 (ids and times aside)" ||
		diff "$T/plan1.json" "$T/plan$i.json" | sed 's/^/# /' | head -20
done
done_testing
