#!/bin/sh
# 23-order-severity.t: no page is lost for its severity word (owl ingest
# and owl serve accept any word: the built-in table, the config's
# severity_map, unknown words as warning with the word kept and shown),
# and late events are put in their place (a resolve of an older episode
# re-sent after a reload changes nothing but the log). The table of
# staleness cases is tests/unit/test_stale.c.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

# q EXPR: a Python expression over the JSON on stdin as d
jq() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# the words that were refused (exit 2) and lost the page
n=0
for w in sev1 SEV-2 P1 disaster page Warning high average loud; do
	n=$((n + 1))
	printf '{"routing_key":"k","event_action":"trigger","dedup_key":"d%s","payload":{"summary":"s %s","source":"h","severity":"%s"}}' \
		"$n" "$w" "$w" >"$T/pd$n.json"
	run "$OWL" ingest "$T/pd$n.json"
	is "$RC" 0 "PagerDuty severity '$w' accepted"
done
run "$OWL" show 1 --json
is "$(printf '%s' "$OUT" | jq '(d["severity"], d["alerts"][0]["severity"], d["alerts"][0]["severity_raw"])')" \
	"('critical', 'critical', 'sev1')" "sev1 is critical, the word kept"
run "$OWL" show 8 --json
is "$(printf '%s' "$OUT" | jq '(d["severity"], d["alerts"][0]["severity_raw"])')" \
	"('error', 'average')" "Zabbix's average is an error"
run "$OWL" show 9
is "$RC" 0 "show an alert with an unknown word"
like "$OUT" 'warning \("loud"\)' "unknown word: a warning, the word shown"
printf '{"id":"g1","title":"t","severity":"SEV-1"}' >"$T/gen.json"
run "$OWL" ingest "$T/gen.json"
is "$RC:$("$OWL" show 10 --json | jq 'd["severity"]')" "0:critical" \
	"generic SEV-1 accepted as critical"

# the config's severity_map comes first
printf 'return { severity_map = { urgent = "critical", sev1 = "error" } }\n' \
	>"$T/owl.lua"
printf '{"id":"g2","title":"t","severity":"Urgent"}' >"$T/u.json"
run "$OWL" ingest --config "$T/owl.lua" "$T/u.json"
is "$RC:$("$OWL" show 11 --json | jq 'd["alerts"][0]["severity"]')" \
	"0:critical" "severity_map: Urgent is critical"
printf 'return { severity_map = { sev0 = "loud" } }\n' >"$T/bad.lua"
run "$OWL" ingest --config "$T/bad.lua" "$T/u.json"
is "$RC:$ERR" \
	'2:owl: config: severity_map.sev0: not "critical", "error", "warning" or "info"' \
	"a bad severity_map entry is named"

# owl serve answers 202/200 where it answered 400 (senders drop 4xx)
OWL_DB=$(db_new serve)
serve_start serve --config "$T/owl.lua"
ok $? "owl serve starts"
post /v2/enqueue "$T/pd1.json"
is "$CODE" 202 "/v2/enqueue: severity sev1 accepted (202)"
post /v1/alerts/generic "$T/u.json"
is "$CODE" 200 "/v1/alerts/generic: severity Urgent accepted"
is "$(q "SELECT severity, severity_raw FROM alerts WHERE fingerprint = 'd1'")" \
	"2|sev1" "serve uses the config's severity_map (sev1 = error)"

# Alertmanager re-sends old state after a reload: a resolve of an older
# episode must not resolve the alert firing again
cat >"$T/fire.json" <<'EOF'
{"version":"4","groupKey":"{}:{alertname=\"DiskFull\"}","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"DiskFull","instance":"db-1"},"annotations":{"summary":"Disk full"},"startsAt":"2026-11-29T16:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"2b209fea722e6625"}]}
EOF
sed -e 's/"firing"/"resolved"/g' -e 's/16:00:00Z/15:52:42Z/' \
	-e 's/0001-01-01T00:00:00Z/2026-11-29T15:52:56Z/' "$T/fire.json" >"$T/old.json"
post /v1/alerts/alertmanager "$T/fire.json"
is "$CODE" 200 "firing since 16:00 stored"
post /v1/alerts/alertmanager "$T/old.json"
is "$CODE" 200 "the late resolve is answered 200 (no retry)"
inc=$(q "SELECT incident_id FROM alerts WHERE fingerprint = '2b209fea722e6625'")
is "$(q "SELECT state, started_at FROM incidents WHERE id = $inc")" \
	"0|$(python3 -c 'import datetime; print(int(datetime.datetime(2026,11,29,16,tzinfo=datetime.timezone.utc).timestamp()*1000000))')" \
	"the incident is still triggered, started 16:00"
is "$(q "SELECT resolved, starts_at FROM alerts WHERE id = (SELECT max(id) FROM alerts WHERE fingerprint = '2b209fea722e6625')" | cut -d'|' -f1)" \
	0 "the alert is still firing"
like "$(q "SELECT detail FROM actlog WHERE kind = 'alert.stale'")" \
	'"ends_at":"2026-11-29T15:52:56.000000Z".*"stored":\{"ends_at":null,"starts_at":"2026-11-29T16:00:00.000000Z"' \
	"alert.stale logged with both times"
serve_stop
is "$STOP_RC" 0 "owl serve stops"

# incident times come from the alerts: an alert that ended 14 s after it
# started, both notifications delivered a week late, lasted 14 s
OWL_DB=$(db_new times)
S0=$(date -u -d '-7 days' +%Y-%m-%dT%H:%M:%SZ)
E0=$(date -u -d "$S0 14 sec" +%Y-%m-%dT%H:%M:%SZ)
printf '{"id":"gpu-7","title":"GPU 7 hot","status":"firing","timestamp":"%s"}' "$S0" >"$T/t1.json"
printf '{"id":"gpu-7","title":"GPU 7 hot","status":"resolved","timestamp":"%s"}' "$E0" >"$T/t2.json"
run "$OWL" ingest "$T/t1.json"
run "$OWL" ingest "$T/t2.json"
run "$OWL" show 1
like "$OUT" "started    $S0" "owl show: started is the alert's start"
like "$OUT" "lasted     14s" "owl show: it lasted 14s, not a week"
like "$OUT" "opened     [0-9T:-]+Z \\([0-9]+s ago\\)" "...opened (received, seconds ago) is kept beside it"
run "$OWL" timeline 1
like "$OUT" "Time to resolve:\\*\\* 14s" "the timeline's time to resolve is 14s"
like "$OUT" "Resolved:\\*\\* $E0 \\(received " "...from the alert's end, received beside it"

done_testing
