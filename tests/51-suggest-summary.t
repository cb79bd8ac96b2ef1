#!/bin/sh
# 51-suggest-summary.t: owl show's suggested runbooks on an incident of
# more alerts than are read (5000): a runbook every alert fits is counted
# in full off the incident's label summary (incidents.label_keys, kept
# by the ingest), with no alert read; one whose match names labels that
# differ from alert to alert is counted over the first 5000 alerts, and
# says so, in the text ("of the first 5000") and in --json ("of",
# "sampled"); one no alert can fit is not suggested. An incident with no
# summary (stored before it was kept) is counted over its first alerts,
# as before, and says so.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/rb"
printf 'runbook { summary = "all", match = { alertname = "Big" } }\n' >"$T/rb/all.lua"
printf 'runbook { summary = "some", match = { instance = { "h0", "h5001" } } }\n' >"$T/rb/some.lua"
printf 'runbook { summary = "none", match = { alertname = "Small" } }\n' >"$T/rb/none.lua"
printf 'runbook { summary = "absent", match = { suite = "nightly" } }\n' >"$T/rb/absent.lua"
python3 -c 'import json
print(json.dumps({"version": "4", "groupKey": "g", "status": "firing",
  "receiver": "r", "alerts": [{"status": "firing", "labels":
  {"alertname": "Big", "instance": "h%d" % i, "job": "node"},
  "annotations": {}, "startsAt": "2026-11-29T10:00:00Z",
  "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "fp%d" % i}
  for i in range(5002)]}))' >"$T/big.json"
run "$OWL" ingest --format alertmanager "$T/big.json"
is "$RC" 0 "5002 alerts in one incident"

sugg() { printf '%s\n' "$1" | sed -n '/^Suggested runbooks:/,/^  run one/p'; }
run env OWL_RUNBOOKS="$T/rb" "$OWL" show 1
is "$RC" 0 "owl show: exit 0"
is "$(sugg "$OUT" | sed -n 's/^  *match \([^;]*\);.*/\1/p')" \
	'{"alertname":"Big"}, 5002 firing alerts
{"instance":["h0","h5001"]}, 1 firing alert of the first 5000' \
	"every alert fits: all counted; labels that differ: the first 5000, said"
unlike "$(sugg "$OUT")" "none|absent" "no alert can fit: not suggested"

run env OWL_RUNBOOKS="$T/rb" "$OWL" show 1 --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys
for s in json.load(sys.stdin)["suggested_runbooks"]:
    print(s["name"], s["alerts"], s["matched"], s["of"], s["sampled"])')" \
	"all 5002 5002 5002 False
some 1 1 5000 True" "--json: of and sampled"

# an incident stored before the summary was kept: its first alerts
db_sql "UPDATE incidents SET label_keys = NULL"
run env OWL_RUNBOOKS="$T/rb" "$OWL" show 1
is "$(sugg "$OUT" | sed -n 's/^  *match \([^;]*\);.*/\1/p')" \
	'{"alertname":"Big"}, 5000 firing alerts of the first 5000
{"instance":["h0","h5001"]}, 1 firing alert of the first 5000' \
	"no summary: counted over the first 5000 alerts, said"
done_testing
