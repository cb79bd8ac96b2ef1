#!/bin/sh
# 20-ingest.t: `owl ingest` of every sample payload in
# tests/fixtures/payloads (copied from shared/fixtures) with the incidents
# each must give, format detection, and PagerDuty's event cycle.
. "$(dirname "$0")/lib.sh"

P="$OWL_ROOT/tests/fixtures/payloads"
n=0
# fresh: a new empty database for the next case
fresh() { n=$((n + 1)); OWL_DB=$(db_new "f$n"); }
# q EXPR: evaluates a Python expression over the JSON on stdin as d
q() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# inc EXPR: EXPR over the first incident of `owl incidents --all --json`
inc() { "$OWL" incidents --all --json | q "$1"; }
# alerts EXPR: EXPR over the alerts of INC-1
alerts() { "$OWL" show 1 --json | q "$1"; }

# ingest FILE RC SUMMARY [DETECTED]: one fixture into a fresh database
ingest() {
	fresh
	run "$OWL" ingest "$P/$1"
	is "$RC" "$2" "$1: exit $2"
	if [ "$2" -eq 0 ]; then
		is "$OUT" "$3" "$1: summary"
		is "$ERR" "owl: detected format: $4" "$1: detected $4"
	else
		is "$ERR" "$3" "$1: error"
		# no database made at all, or an empty one
		is "$(db_absent && echo '[]' || "$OWL" incidents --all --json)" \
			"[]" "$1: nothing stored"
	fi
}

ingest alertmanager-captured.json 0 \
	"alertmanager: 1 alert (1 new), 1 incident opened, 0 reopened, 0 resolved; INC-1" \
	alertmanager
is "$(inc 'd[0]["title"]')" "Disk /var is 97% full on db-1" "title from summary"
is "$(inc '(d[0]["state"], d[0]["severity"], d[0]["alert_count"], d[0]["firing_count"])')" \
	"('triggered', 'critical', 1, 1)" "state, severity, counts"
is "$(inc 'd[0]["group_key"]')" '{}:{alertname="DiskFull"}' "grouped by groupKey"
is "$(alerts 'd["alerts"][0]["fingerprint"], d["alerts"][0]["ends_at"]')" \
	"('2b209fea722e6625', None)" "fingerprint kept, zero endsAt is null"
is "$(alerts 'd["alerts"][0]["generator_url"]')" \
	"http://127.0.0.1:9090/graph?g0.expr=disk_used_ratio+%3E+0.95&g0.tab=1" \
	"generatorURL with \\u0026 decoded"

ingest alertmanager-captured-mixed-truncated.json 0 \
	"alertmanager: 2 alerts (2 new), 1 incident opened, 0 reopened, 0 resolved; INC-1" \
	alertmanager
is "$(inc '(d[0]["alert_count"], d[0]["firing_count"], d[0]["truncated_alerts"], d[0]["state"])')" \
	"(2, 1, 3, 'triggered')" "mixed: per-alert status, truncatedAlerts recorded"
want=$(q 'd["alerts"][0]["annotations"]["summary"]' <"$P/alertmanager-captured-mixed-truncated.json")
is "$(inc 'd[0]["title"]')" "$want" "unicode title kept byte for byte"
is "$(alerts 'len(d["alerts"][0]["annotations"]["description"])')" 7845 \
	"7845-char annotation intact"
run "$OWL" incidents
unlike "$OUT" "$(printf '\342\200\256')" "RTL override not printed raw"
like "$OUT" '\\u202e' "RTL override shown escaped"

# the repeat: same group re-sent; one alert known, one new
run "$OWL" ingest "$P/alertmanager-captured-repeat.json"
is "$OUT" "alertmanager: 2 alerts (1 new), 0 incidents opened, 0 reopened, 0 resolved; INC-1" \
	"repeat: known alert not duplicated"
is "$(inc '(d[0]["alert_count"], d[0]["firing_count"], d[0]["truncated_alerts"])')" \
	"(3, 2, 2)" "repeat: 3 alerts, 2 firing, truncated now 2"
run "$OWL" ingest "$P/alertmanager-captured-repeat.json"
is "$(alerts '[a["count"] for a in d["alerts"]]')" "[1, 3, 2]" "re-delivery bumps count"
is "$(alerts 'len(d["log"])')" 5 "re-delivery adds no log entry (open, 2 new, update, 1 new)"

ingest alertmanager-captured-resolved-only.json 0 \
	"alertmanager: 1 alert (1 new), 1 incident opened, 0 reopened, 1 resolved; INC-1" \
	alertmanager
is "$(inc 'd[0]["state"]')" resolved "resolved-only group: incident resolves itself"
# the same alert's firing notification with the startsAt of the episode
# already resolved: a late retry (Alertmanager re-sends after a reload)
run "$OWL" ingest "$P/alertmanager-captured-retry-route.json"
is "$OUT" "alertmanager: 0 alerts (0 new), 0 incidents opened, 0 reopened, 0 resolved, 1 stale (older than what is stored; logged, not applied); INC-1" \
	"late firing of a resolved episode is stale"
is "$(inc 'd[0]["state"]')" resolved "...and does not reopen the incident"
# a new episode (later startsAt) within 10 minutes reopens (flap guard)
run sh -c "sed 's/15:53:19Z/15:58:00Z/' '$P/alertmanager-captured-retry-route.json' | '$OWL' ingest -"
is "$OUT" "alertmanager: 1 alert (0 new), 0 incidents opened, 1 reopened, 0 resolved; INC-1" \
	"firing again within 10 minutes reopens (flap guard)"
is "$(alerts '[l["kind"] for l in d["log"]]')" \
	"['incident.open', 'alert.new', 'incident.resolve', 'alert.stale', 'incident.reopen', 'alert.refire']" \
	"the log tells the story"
is "$(alerts 'd["alerts"][0]["generator_url"]')" None 'generatorURL "" is null'

ingest alertmanager-api-v2-post-alerts.request.json 0 \
	"alertmanager: 1 alert (1 new), 1 incident opened, 0 reopened, 0 resolved; INC-1" \
	alertmanager
is "$(alerts 'd["alerts"][0]["fingerprint"]')" 2b209fea722e6625 \
	"fingerprint computed from labels as Alertmanager does"
for f in alertmanager-api-v2-get-alerts.captured.json \
    alertmanager-api-v2-get-alert-groups.captured.json; do
	fresh
	run "$OWL" ingest "$P/$f"
	is "$RC" 0 "$f: exit 0"
	is "$(alerts '[a["fingerprint"] for a in d["alerts"]]')" "['2b209fea722e6625']" \
		"$f: API alert list read"
done

ingest alertmanager-api-v2-get-silences.captured.json 2 \
	"owl: [0].status: not a string"
hint='send owl'"'"'s generic JSON ({"id", "title", "status"}) or map it with the config'"'"'s mappings and /v1/alerts/mapping/NAME (README "Mappings")'
for f in "alertmanager-api-v2-post-silence.request.json:matchers, startsAt, endsAt, createdBy, comment" \
    "alertmanager-api-v2-post-silence.response.captured.json:silenceID" \
    "pagerduty-events-v2-response-202.json:status, message, dedup_key" \
    "pagerduty-events-v2-response-error.json:status, message, errors"; do
	ingest "${f%%:*}" 2 "owl: not a payload owl knows (found fields ${f#*:}): $hint"
done

ingest grafana-webhook-docs-example.json 0 \
	"grafana: 2 alerts (2 new), 1 incident opened, 0 reopened, 0 resolved; INC-1" \
	grafana
is "$(inc '(d[0]["title"], d[0]["severity"], d[0]["group_key"])')" \
	"('This alert was triggered for zone us-1', 'warning', '{}:{}')" "grafana incident"
is "$(alerts '[a["fingerprint"] for a in d["alerts"]]')" \
	"['c6eadffa33fcdf37', 'bc97ff14869b13e3']" "grafana fingerprints stored as given"
is "$(alerts 'd["alerts"][0]["starts_at"], d["alerts"][0]["annotations"]["silence_url"][:36]')" \
	"('2021-10-12T07:51:03.157076Z', 'https://play.grafana.org/alerting/si')" \
	"offset time in UTC, silenceURL kept"

ingest generic-oncall-formatted-webhook.json 0 \
	"generic: 1 alert (1 new), 1 incident opened, 0 reopened, 0 resolved; INC-1" \
	generic
is "$(inc '(d[0]["title"], d[0]["severity"], d[0]["state"])')" \
	"('TestAlert: The whole system is down', 'warning', 'triggered')" "OnCall spellings"
is "$(alerts '(d["alerts"][0]["fingerprint"], d["alerts"][0]["generator_url"])')" \
	"('08d6891a-835c-e661-39fa-96b6a9e26552', 'https://en.wikipedia.org/wiki/Downtime')" \
	"alert_uid and link_to_upstream_details"
run sh -c "sed 's/\"alerting\"/\"ok\"/' '$P/generic-oncall-formatted-webhook.json' | '$OWL' ingest -"
is "$OUT" "generic: 1 alert (0 new), 0 incidents opened, 0 reopened, 1 resolved; INC-1" \
	'OnCall state "ok" resolves'

ingest pagerduty-events-v2-trigger.json 0 \
	"pagerduty trigger: 1 alert (1 new), 1 incident opened, 0 reopened, 0 resolved; INC-1; dedup_key samplekeyhere" \
	pagerduty
is "$(inc '(d[0]["title"], d[0]["severity"], d[0]["group_key"])')" \
	"('Example alert on host1.example.com', 'info', 'samplekeyhere')" "pagerduty incident"
is "$(alerts '(d["alerts"][0]["starts_at"], d["alerts"][0]["annotations"]["load avg"])')" \
	"('2015-07-17T08:42:58.315000Z', '0.75')" "+0000 offset read; float detail kept"
ingest pagerduty-events-v2-trigger-openapi-example.json 0 \
	"pagerduty trigger: 1 alert (1 new), 1 incident opened, 0 reopened, 0 resolved; INC-1; dedup_key srv01/mysql" \
	pagerduty
is "$(alerts 'd["alerts"][0]["labels"]')" \
	"{'class': 'disk', 'component': 'mysql', 'group': 'prod-datapipe', 'severity': 'critical', 'source': 'prod-datapipe03.example.com'}" \
	"payload fields as labels"
ingest alertmanager-to-pagerduty-events-v2-trigger.captured.json 0 \
	"pagerduty trigger: 1 alert (1 new), 1 incident opened, 0 reopened, 0 resolved; INC-1; dedup_key 45e3a6810fc66434137db56f7dfb493daaba7f5a7540e286de08eee1a4913fd4" \
	pagerduty
is "$(inc 'd[0]["title"]')" "[FIRING:1] PDProbe (db-1 pd)" "Alertmanager's PagerDuty event"
for f in pagerduty-events-v2-acknowledge.json pagerduty-events-v2-resolve.json; do
	action=$(q 'd["event_action"]' <"$P/$f")
	ingest "$f" 0 \
		"pagerduty $action: 0 alerts (0 new), 0 incidents opened, 0 reopened, 0 resolved, 1 dropped (no open incident); dedup_key dedupkeyhere" \
		pagerduty
done

# PagerDuty trigger / acknowledge / resolve by dedup_key
fresh
sed 's/samplekeyhere/dedupkeyhere/g' "$P/pagerduty-events-v2-trigger.json" >"$T/pd.json"
run "$OWL" ingest --format pagerduty "$T/pd.json"
is "$ERR" "" "--format: no detection message"
run "$OWL" ingest "$P/pagerduty-events-v2-acknowledge.json"
like "$OUT" "1 acknowledged; INC-1" "acknowledge event acknowledges"
is "$(inc '(d[0]["state"], d[0]["acked_by"])')" "('acknowledged', 'tester')" "acked by the actor"
run "$OWL" ingest "$P/pagerduty-events-v2-resolve.json"
like "$OUT" "1 resolved; INC-1" "resolve event resolves"
is "$(inc 'd[0]["state"]')" resolved "resolved"
is "$(alerts 'd["alerts"][0]["annotations"]["summary"]')" \
	"Example alert on host1.example.com" "resolve keeps the trigger's details"
# a trigger without dedup_key: generated and printed
python3 -c 'import json; d=json.load(open("'"$P"'/pagerduty-events-v2-trigger.json")); del d["dedup_key"]; print(json.dumps(d))' >"$T/nokey.json"
run "$OWL" ingest "$T/nokey.json"
like "$OUT" "dedup_key [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" \
	"generated dedup_key returned"
run "$OWL" ingest --json "$T/nokey.json"
is "$(printf '%s' "$OUT" | q '(d["format"], d["action"], d["new_alerts"], len(d["dedup_key"]))')" \
	"('pagerduty', 'trigger', 1, 36)" "--json summary"

# the same payload 100 times is one alert
fresh
i=0
while [ $i -lt 100 ]; do
	"$OWL" ingest "$P/alertmanager-captured.json" >/dev/null 2>&1
	i=$((i + 1))
done
is "$(alerts '(len(d["alerts"]), d["alerts"][0]["count"], len(d["log"]))')" \
	"(1, 100, 2)" "100 deliveries: one alert, count 100, two log entries"
run "$OWL" audit verify
is "$RC" 0 "action log chain intact"

# every fixture has its expectations here, and matches shared/ when a
# copy of it sits beside the repository (as in CI)
for f in "$P"/*.json; do
	b=$(basename "$f")
	grep -q "$b" "$0"
	ok $? "$b: expectations written"
	if [ -f "$OWL_ROOT/../shared/fixtures/payloads/$b" ]; then
		cmp -s "$f" "$OWL_ROOT/../shared/fixtures/payloads/$b"
		ok $? "$b: same as shared/fixtures"
	fi
done
if [ -d "$OWL_ROOT/../shared/fixtures/payloads" ]; then
	for f in "$OWL_ROOT"/../shared/fixtures/payloads/*.json; do
		[ -f "$P/$(basename "$f")" ]
		ok $? "shared $(basename "$f") copied into tests/fixtures"
	done
fi

# --- the sender's URL: Alertmanager's externalURL, kept for owl silence
OWL_DB=$(db_new sender1)
"$OWL" ingest "$P/alertmanager-captured.json" >/dev/null 2>&1
is "$(db_sql 'SELECT sender_url FROM incidents')" "http://127.0.0.1:9093" \
	"an Alertmanager webhook's externalURL is kept on its incident"
sed 's#"externalURL":"[^"]*"#"externalURL":"javascript:alert(1)"#' \
	"$P/alertmanager-captured.json" >"$T/badurl.json"
OWL_DB=$(db_new sender2)
run "$OWL" ingest "$T/badurl.json"
is "$RC" 0 "an externalURL that is not http(s) does not fail the payload"
is "$(db_sql "SELECT coalesce(sender_url, 'none') FROM incidents")" "none" \
	"and is not kept"
OWL_DB=$(db_new sender3)
"$OWL" ingest "$P/grafana-webhook-docs-example.json" >/dev/null 2>&1
is "$(db_sql "SELECT coalesce(sender_url, 'none') FROM incidents LIMIT 1")" "none" \
	"Grafana's externalURL is Grafana, not an Alertmanager: not kept"


# --- one batch that changes what it reads (on PostgreSQL the batch's rows
# are read ahead in one statement: what the batch itself stored must be
# read again): the same alert twice, firing then resolved, and an alert
# whose incident an earlier alert of the batch reopens
am() { # GROUP ALERTS: an Alertmanager webhook of the alerts (JSON objects)
	printf '{"receiver":"r","status":"firing","alerts":[%s],"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","version":"4","groupKey":"%s","truncatedAlerts":0}' "$2" "$1"
}
amalert() { # FINGERPRINT STATUS STARTS [ENDS]
	printf '{"status":"%s","labels":{"alertname":"Dup","fp":"%s"},"annotations":{},"startsAt":"%s","endsAt":"%s","fingerprint":"%s"}' \
		"$2" "$1" "$3" "${4:-0001-01-01T00:00:00Z}" "$1"
}
OWL_DB=$(db_new batchdup)
am g1 "$(amalert d1 firing 2026-11-29T10:00:00Z),$(amalert d2 firing 2026-11-29T10:00:00Z),$(amalert d1 resolved 2026-11-29T10:00:00Z 2026-11-29T10:05:00Z)" >"$T/dup.json"
run "$OWL" ingest "$T/dup.json"
is "$RC:$OUT" "0:alertmanager: 3 alerts (2 new), 1 incident opened, 0 reopened, 0 resolved; INC-1" \
	"one batch with an alert twice: stored once, then updated"
is "$(db_sql "SELECT fingerprint, count, resolved FROM alerts ORDER BY fingerprint")" \
	"$(printf 'd1|2|1\nd2|1|0')" "...its row: seen twice, resolved by the second"
am g1 "$(amalert d2 resolved 2026-11-29T10:00:00Z 2026-11-29T10:06:00Z)" >"$T/res.json"
run "$OWL" ingest "$T/res.json"
is "$(db_sql "SELECT state FROM incidents")" 2 "every alert resolved: the incident resolves"
# within the flap guard: d3 (new) reopens INC-1, then d1 fires again in it
am g1 "$(amalert d3 firing 2026-11-29T11:00:00Z),$(amalert d1 firing 2026-11-29T11:00:00Z)" >"$T/re.json"
run "$OWL" ingest "$T/re.json"
is "$RC:$OUT" "0:alertmanager: 2 alerts (1 new), 0 incidents opened, 1 reopened, 0 resolved; INC-1" \
	"one batch: a new alert reopens the incident, a known one fires again in it"
is "$(db_sql "SELECT fingerprint, incident_id, count, resolved FROM alerts ORDER BY fingerprint")" \
	"$(printf 'd1|1|3|0\nd2|1|2|1\nd3|1|1|0')" "...no second row for the known alert"
is "$(db_sql "SELECT state, alert_count, firing_count FROM incidents")" "0|3|2" \
	"...the incident: triggered, 3 alerts, 2 firing"

done_testing
