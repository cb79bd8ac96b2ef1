#!/bin/sh
# bench-tuirun.sh: the incident screen and the live run view of `owl tui`
# on a pseudo-terminal: with 10,000 open incidents, the time from `:open`
# to a 250-alert incident's alert summary on screen; and the bytes
# written per j in the live run view while a run streams about 100 log
# lines a second. Prints figures (and the load average) only.
cd "$(dirname "$0")/../.." || exit 1
D=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-tuirun-XXXXXX")
RUNPID=""
trap '[ -n "$RUNPID" ] && kill "$RUNPID" 2>/dev/null; rm -rf "$D"' EXIT INT TERM
DB="$D/owl.db"
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
build/tools/owl-seed "$DB" 10000 100000 || exit 1
python3 - "$D/storm.json" <<'PY'
import json, sys
alerts = [{"status": "resolved" if i < 2 else "firing",
           "labels": {"alertname": "PodCrashLooping", "namespace": "prod",
                      "pod": "api-%d" % i},
           "annotations": {"summary": "pod api-%d crash looping" % i,
                           "dashboard": "https://grafana.example/d/api"},
           "startsAt": "2026-12-07T02:00:00Z",
           "endsAt": "2026-12-07T02:30:00Z" if i < 2 else "0001-01-01T00:00:00Z",
           "generatorURL": "https://prom.example/graph",
           "fingerprint": "%016x" % (i + 1)} for i in range(250)]
json.dump({"version": "4", "groupKey": "storm", "status": "firing",
           "receiver": "owl", "groupLabels": {}, "commonLabels": {},
           "commonAnnotations": {}, "externalURL": "", "alerts": alerts},
          open(sys.argv[1], "w"))
PY
inc=$(./owl --db "$DB" ingest --format alertmanager "$D/storm.json" 2>/dev/null |
	sed 's/.*INC-\([0-9]*\)$/\1/')
echo "   seeded 10000 incidents + a 250-alert incident (INC-$inc)"
python3 tests/bench/tui-run-bench.py open ./owl "$DB" "$inc" 48 160
python3 tests/bench/tui-run-bench.py open ./owl "$DB" "$inc" 24 80

mkdir -p "$D/rb"
cat >"$D/rb/stream.lua" <<'LUA'
runbook { summary = "streams about 100 log lines a second" }
function run()
  step("stream", function()
    for s = 1, 30 do
      for i = 1, 100 do log("second " .. s .. " line " .. i) end
      sleep("1s")
    end
  end)
end
LUA
out=$(OWL_RUNBOOKS="$D/rb" ./owl --db "$DB" run stream --detach --json) || {
	echo "   live run view: the streaming run did not start"; exit 1; }
run=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["run"])')
RUNPID=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
python3 tests/bench/tui-run-bench.py runj ./owl "$DB" "$run" 48 160
kill -INT "$RUNPID" 2>/dev/null
RUNPID=""
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
