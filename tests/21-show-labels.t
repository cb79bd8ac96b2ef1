#!/bin/sh
# 21-show-labels.t: owl show's log tells an incident's alerts by the
# labels that tell them apart, as the timeline does ("alert fired:
# Storm0 instance=h2", not also "job=node" that every alert has): the
# same sentences in both. Its list of alerts still gives each alert's
# labels whole, and --json is as it was (every label, in the alerts and
# in the log's details).
. "$(dirname "$0")/lib.sh"

# alert I JOB: an Alertmanager webhook of alert Storm0 on host hI, job
# JOB, of group g (one incident)
alert() {
	printf '{"version":"4","groupKey":"g","status":"firing","receiver":"r","alerts":[{"status":"firing","labels":{"alertname":"Storm0","instance":"h%s","job":"%s","dc":"eu","severity":"critical"},"annotations":{},"startsAt":"2026-11-29T10:00:0%sZ","endsAt":"0001-01-01T00:00:00Z","fingerprint":"fp%s"}]}' \
		"$1" "$2" "$1" "$1" | "$OWL" ingest --format alertmanager >/dev/null 2>&1
}
# the log's alert sentences of owl show (one per line, time and actor
# cut), and of the timeline's narrative
show_fired() {
	"$OWL" show 1 | sed -n '/^Log:/,$p' |
		sed -n 's/^  [^ ]*  [^ ]* *\(alert fired: .*\)$/\1/p'
}
tl_fired() {
	"$OWL" timeline 1 | sed -n 's/^- [0-9:]* \(alert fired: [^`]*\) `.*$/\1/p'
}

for i in 1 2 3; do alert "$i" node; done
run "$OWL" show 1
is "$RC" 0 "owl show: exit 0"
like "$OUT" "^    labels: alertname=Storm0 dc=eu instance=h2 job=node severity=critical$" \
	"the list of alerts gives every label of each"
is "$(show_fired)" "alert fired: Storm0 instance=h1 (critical)
alert fired: Storm0 instance=h2 (critical)
alert fired: Storm0 instance=h3 (critical)" \
	"the log tells the alerts by the labels that tell them apart (not dc, job)"
is "$(show_fired)" "$(tl_fired)" "...the same sentences as the timeline's"

run "$OWL" show 1 --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(" ".join(sorted(d["alerts"][1]["labels"])), "|",
      " ".join(sorted(e["detail"]["labels"]["job"] for e in d["log"] if e["kind"] == "alert.new")))')" \
	"alertname dc instance job severity | node node node" \
	"--json as before: every label, in the alerts and in the log"

# alert 2 re-delivered with another job: its row says job=other now,
# the log (which records no such change) job=node; owl show tells the
# logged alerts by the log's common labels, as the timeline does (by
# the rows' it said job=node of each, the timeline not)
alert 2 other
run "$OWL" show 1
like "$OUT" "labels: alertname=Storm0 dc=eu instance=h2 job=other severity=critical" \
	"an alert re-delivered with another job: its row has job=other"
is "$(show_fired)" "alert fired: Storm0 instance=h1 (critical)
alert fired: Storm0 instance=h2 (critical)
alert fired: Storm0 instance=h3 (critical)" \
	"the log's sentences unchanged: job=node was common as logged"
is "$(show_fired)" "$(tl_fired)" "...the same sentences as the timeline's"

# one alert of another job: job tells them apart now, in both
alert 4 other
is "$(show_fired)" "alert fired: Storm0 instance=h1 job=node (critical)
alert fired: Storm0 instance=h2 job=node (critical)
alert fired: Storm0 instance=h3 job=node (critical)
alert fired: Storm0 instance=h4 job=other (critical)" \
	"an alert of another job: job is told, dc still not"
is "$(show_fired)" "$(tl_fired)" "...the same sentences as the timeline's"
run "$OWL" show 1 --all
like "$OUT" "alert fired: Storm0 instance=h4 job=other \\(critical\\)" "owl show --all tells them so too"

# an incident of more alerts than owl show looks at (5,000): every label
# is said, none taken as common unseen; --all reads them all
python3 -c 'import json
print(json.dumps({"version": "4", "groupKey": "big", "status": "firing",
  "receiver": "r", "alerts": [{"status": "firing", "labels": {
  "alertname": "Big", "instance": "b%d" % i, "dc": "eu"},
  "annotations": {}, "startsAt": "2026-11-29T10:00:00Z",
  "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "big%d" % i}
  for i in range(5001)]}))' >"$T/big.json"
"$OWL" ingest --format alertmanager "$T/big.json" >/dev/null 2>&1
run "$OWL" show 2
like "$OUT" "^alerts +5001 \\(5001 firing\\)$" "an incident of 5001 alerts"
like "$OUT" "  alert fired: Big dc=eu instance=b5000 \\(" \
	"past 5,000 alerts: every label said"
run "$OWL" show 2 --all
like "$OUT" "  alert fired: Big instance=b5000 \\(" "...with --all, told apart"
done_testing
