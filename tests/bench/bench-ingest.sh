#!/bin/sh
# bench-ingest.sh: `owl ingest` of one Alertmanager webhook payload with
# 10,000 alerts into a fresh database, then the same payload again (all
# re-deliveries), then 100 small payloads. Prints figures; never fails.
cd "$(dirname "$0")/../.." || exit 0
T=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-XXXXXX")
trap 'rm -rf "$T"' EXIT
export OWL_DB="$T/owl.db" OWL_ACTOR=bench
N=${OWL_BENCH_ALERTS:-10000}
python3 - "$N" "$T/am.json" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
alerts = [{"status": "firing",
           "labels": {"alertname": "GPUMemoryHigh", "instance": "gpu-%d:9400" % i,
                      "job": "dcgm", "severity": ["warning", "critical"][i % 2]},
           "annotations": {"summary": "GPU memory above 95%% on gpu-%d" % i,
                           "runbook_url": "https://runbooks.example.com/gpu"},
           "startsAt": "2026-11-29T15:52:42Z", "endsAt": "0001-01-01T00:00:00Z",
           "generatorURL": "http://prometheus:9090/graph?g0.expr=x",
           "fingerprint": "%016x" % (0x1000 + i)} for i in range(n)]
doc = {"receiver": "hook", "status": "firing", "alerts": alerts,
       "groupLabels": {"alertname": "GPUMemoryHigh"}, "commonLabels": {},
       "commonAnnotations": {}, "externalURL": "http://am:9093", "version": "4",
       "groupKey": "{}:{alertname=\"GPUMemoryHigh\"}", "truncatedAlerts": 0}
open(path, "w").write(json.dumps(doc, separators=(",", ":")) + "\n")
PY
ms() { python3 -c 'import sys,time; print("%.0f" % ((time.time() - float(sys.argv[1])) * 1000))' "$1"; }
now() { python3 -c 'import time; print(time.time())'; }
echo "   payload: $N alerts, $(wc -c <"$T/am.json") bytes"
t0=$(now); ./owl ingest --format alertmanager "$T/am.json" >/dev/null || exit 1
echo "   owl ingest, $N new alerts (fresh db): $(ms "$t0") ms"
t0=$(now); ./owl ingest --format alertmanager "$T/am.json" >/dev/null || exit 1
echo "   owl ingest, $N re-delivered alerts:   $(ms "$t0") ms"
t0=$(now)
i=0
while [ $i -lt 100 ]; do
	printf '{"id":"bench-%d","title":"t","status":"firing"}' $i |
		./owl ingest --format generic - >/dev/null || exit 1
	i=$((i + 1))
done
echo "   100 x owl ingest of one generic alert: $(ms "$t0") ms total"
echo "   database: $(du -k "$OWL_DB" | cut -f1) KiB, action log: $(./owl audit log | wc -l) entries"
