#!/bin/sh
# bench-paging.sh: paging figures. `owl oncall` over three rotations in
# three zones (each hand-off converted through the C library with TZ
# switched under its mutex); a storm of 500 critical incidents opened at
# once: the time until owl serve has paged every one through a loopback
# Slack-compatible receiver (escalation tick + delivery, 64 at a time);
# and `owl handoff` over that shift. Figures, not assertions; medians of
# 5 where repeated, with the load average.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-paging-XXXXXX")
SINK="" SERVE=""
cleanup() {
	[ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null && wait "$SERVE" 2>/dev/null
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null && wait "$SINK" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export OWL_DB="$T/owl.db" OWL_CONFIG="$T/config.lua"
ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$T/sink.log"
python3 tests/pagesink.py --port-file "$T/port" --log "$T/sink.log" &
SINK=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
HOOK="http://127.0.0.1:$(cat "$T/port")"
cat >"$OWL_CONFIG" <<EOF
return { oncall = {
  rotations = {
    primary = { people = { "a", "b", "c" }, start = "2026-01-05", shift = "1w",
                handoff = "Mon 09:00", tz = "Europe/Berlin" },
    secondary = { people = { "b", "c" }, start = "2026-01-05", shift = "12h",
                  handoff = "09:00", tz = "America/New_York" },
    apac = { people = { "c", "a" }, start = "2026-01-05", shift = "1d",
             handoff = "09:00", tz = "Australia/Sydney" } },
  people = { a = { slack = "$HOOK/a" }, b = { slack = "$HOOK/b" },
             c = { slack = "$HOOK/c" } } },
  escalation = { { after = "0s", notify = "primary" } } }
EOF

# the database owl serve will use, so that owl oncall reads its overrides
# as it does on a box that pages (without one it says none are included)
build/tools/owl-append "$OWL_DB" 0 || exit 1
./owl oncall >/dev/null || { echo "   owl oncall failed"; exit 1; }
for i in 1 2 3 4 5; do
	a=$(ms); ./owl oncall >/dev/null; b=$(ms); echo $((b - a))
done | median | { read -r m; echo "   owl oncall, 3 rotations in 3 zones: $m ms (median of 5)"; }

./owl serve --listen 127.0.0.1:0 --quiet 2>"$T/serve.log" &
SERVE=$!
for _ in $(seq 100); do
	grep -q "this owl serve pages" "$T/serve.log" 2>/dev/null && break
	sleep 0.1
done
python3 -c 'import json
print(json.dumps([{"id": "s%d" % i, "group": "g%d" % i, "title": "storm %d" % i,
                   "status": "firing", "severity": "critical"} for i in range(500)]))' \
	>"$T/storm.json"
a=$(ms)
./owl ingest --format generic "$T/storm.json" >/dev/null
for _ in $(seq 1200); do
	[ "$(wc -l <"$T/sink.log" 2>/dev/null || echo 0)" -ge 500 ] && break
	sleep 0.1
done
b=$(ms)
got=$(wc -l <"$T/sink.log" 2>/dev/null || echo 0)
echo "   500 incidents at once: $got pages delivered in $((b - a)) ms (ingest to the last page received)"

./owl handoff --since 1h >/dev/null
for i in 1 2 3 4 5; do
	a=$(ms); ./owl handoff --since 1h >/dev/null; b=$(ms); echo $((b - a))
done | median | { read -r m; echo "   owl handoff over that hour (500 incidents, 500 pages): $m ms (median of 5)"; }
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
