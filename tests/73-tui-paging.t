#!/bin/sh
# 73-tui-paging.t: the incident list pages: `owl incidents --limit`, and
# the TUI with 1,000 open incidents reads the rows it shows plus a
# margin, yet G, g, PgDn, counts, sort and filter see every incident;
# `owl show` of a big incident prints a screenful unless --all, and its
# --json is streamed whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui-lib.sh"

# INC-(i+1) is "seeded incident i on gpu-node-(i%97)", severity
# critical, error, warning, info by i%4, opened in order.
"$OWL_ROOT/build/tools/owl-seed" "$OWL_DB" 1000 >/dev/null
is "$?" 0 "1,000 incidents seeded"

run "$OWL" incidents --limit 2
is "$RC" 0 "--limit: exit 0"
is "$(printf '%s\n' "$OUT" | wc -l)" 3 "--limit 2: the header and two rows"
like "$OUT" "INC-997 .* seeded incident 996 " "the worst and newest first"
run "$OWL" incidents --limit 0
is "$RC" 2 "--limit 0: exit 2"
like "$ERR" "^owl: --limit: '0' is not a positive number" "--limit 0: says why"
n=$("$OWL" incidents --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 1000 "--json streams every incident as one array"

# wait_sel ID: 0 once INC-ID is the selected row ('>' in the gutter)
wait_sel() {
	_i=0
	while [ "$_i" -lt 100 ]; do
		tui_capture | grep -qE "^> .* INC-$1 " && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	diag "timeout waiting for INC-$1 selected"
	diag "$(tui_capture)"
	return 1
}

tui_start 100 30 "" ""
tui_wait_for "1000 FIRING"
ok $? "header counts every incident, not the rows read"
tui_wait_for "INC-997"
ok $? "the first screen: worst and newest first"
tui_keys G
wait_sel 4
ok $? "G: the last row, past the rows read at first"
tui_keys g
wait_sel 997
ok $? "g: back to the top"
for i in 1 2 3 4 5 6 7 8; do tui_keys PageDown; done
tui_wait_gone "INC-997 "
ok $? "PgDn pages past the margin"
tui_keys g /
tui_type "incident 500 "
tui_wait_for "INC-501 "
ok $? "the filter finds an incident outside the rows read"
tui_wait_gone "INC-997 "
ok $? "the filter hides the rest"
tui_keys Escape
tui_wait_for "INC-505 "
ok $? "Esc: the whole list again, the cursor kept on what was found"
wait_sel 501
ok $? "Esc: INC-501 still selected"
tui_keys q
tui_wait_exit
ok $? "q quits"

# owl show of an incident of 150 alerts
python3 -c 'import json
print(json.dumps([{"labels": {"alertname": "Big", "instance": "n%d" % i},
  "startsAt": "2026-11-29T15:52:42Z"} for i in range(150)]))' >"$T/big.json"
"$OWL" ingest --format alertmanager "$T/big.json" >/dev/null
big=$("$OWL" incidents --json | python3 -c 'import json,sys
print([i["id"] for i in json.load(sys.stdin) if i["title"] == "Big"][0])')
run "$OWL" show "$big"
is "$RC" 0 "show: exit 0"
is "$(printf '%s\n' "$OUT" | grep -c '^  firing ')" 100 "show: the first 100 alerts"
like "$OUT" "^  \.\.\. 50 more alerts \(owl show INC-$big --all\)" "show: says what it left out"
like "$OUT" "^  \.\.\. 51 older entries \(owl show INC-$big --all\)" "show: and of the log"
run "$OWL" show "$big" --all
is "$(printf '%s\n' "$OUT" | grep -c '^  firing ')" 150 "show --all: every alert"
run "$OWL" show "$big" --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["alerts"]), len(d["log"]), d["alert_count"])')" \
	"150 151 150" "show --json: streamed, every alert and log entry"
run "$OWL" show "$big" --json --limit 10
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["alerts"]), len(d["log"]))')" \
	"10 10" "show --json --limit 10"
run "$OWL" show "$big" --limit x
is "$RC" 2 "show --limit x: exit 2"

# the older entries are counted up to 10000 (a walk of the incident's
# index): exact at 10000, "over 10000" past it
"$OWL_ROOT/build/tools/owl-seed" "$OWL_DB" 0 9949 "$big" >/dev/null
run "$OWL" show "$big"
like "$OUT" "^  \.\.\. 10000 older entries \(owl show INC-$big --all\)" "show: 10000 older entries counted"
"$OWL_ROOT/build/tools/owl-seed" "$OWL_DB" 0 1 "$big" >/dev/null
run "$OWL" show "$big"
is "$RC" 0 "show of 10101 entries: exit 0"
like "$OUT" "^  \.\.\. over 10000 older entries \(owl show INC-$big --all\)" "show: past 10000, 'over 10000'"
is "$(printf '%s\n' "$OUT" | grep -c 'bench.seed\|owl-seed')" 100 "show: still the newest 100 entries"

done_testing
