#!/bin/sh
# 24-pagerduty.t: PagerDuty Events API v2 as its clients use it: links,
# images and client kept, numbers in custom_details as they were sent, a
# re-trigger with the same dedup_key merged (nothing nulled, alert.update
# says what changed), and change events (POST /v2/change/enqueue) stored
# and shown as context on the incidents of their time and in the
# timeline.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

jq() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
alert() { "$OWL" show "$1" --json | jq "$2"; }

# what pdpyras' EventsAPISession.trigger() sends with images and links
cat >"$T/t1.json" <<'EOF'
{"routing_key":"k","event_action":"trigger","dedup_key":"gpu-7",
 "payload":{"summary":"GPU 7 hot","source":"gpu-node-3","severity":"critical",
  "custom_details":{"temp":91.3,"ratio":0.42,"big":12345678901,"nested":{"a":[1.5,2]}}},
 "images":[{"src":"https://grafana.example.com/render/gpu.png","href":"https://grafana.example.com/d/gpu","alt":"GPU temp"}],
 "links":[{"href":"https://runbooks.example.com/gpu","text":"Runbook"},{"href":"https://wiki.example.com/gpu"}],
 "client":"Zabbix","client_url":"https://zabbix.example.com/tr_events.php?eventid=7"}
EOF
run "$OWL" ingest "$T/t1.json"
is "$RC" 0 "trigger with links, images and client"
is "$(alert 1 'd["alerts"][0]["generator_url"]')" \
	"https://zabbix.example.com/tr_events.php?eventid=7" "client_url is the alert's URL"
is "$(alert 1 '[d["alerts"][0]["annotations"][k] for k in ("client","client_url","link","link_text","link_2","image","image_href","image_alt")]')" \
	"['Zabbix', 'https://zabbix.example.com/tr_events.php?eventid=7', 'https://runbooks.example.com/gpu', 'Runbook', 'https://wiki.example.com/gpu', 'https://grafana.example.com/render/gpu.png', 'https://grafana.example.com/d/gpu', 'GPU temp']" \
	"client, links and images kept as annotations"
is "$(alert 1 '[d["alerts"][0]["annotations"][k] for k in ("temp","ratio","big","nested")]')" \
	"['91.3', '0.42', '12345678901', '{\"a\":[1.5,2]}']" \
	"numbers in their shortest form (0.42, not 0.41999999999999998)"
run "$OWL" show 1
like "$OUT" "link: https://runbooks.example.com/gpu" "owl show lists the links"

# no client_url: the first link is the URL
printf '{"routing_key":"k","event_action":"trigger","dedup_key":"l1","payload":{"summary":"s","source":"h","severity":"info"},"links":[{"href":"https://ci.example.com/run/9"}]}' >"$T/t2.json"
run "$OWL" ingest "$T/t2.json"
is "$(alert 2 'd["alerts"][0]["generator_url"]')" "https://ci.example.com/run/9" \
	"without client_url the first link is the URL"

# a re-trigger with the same dedup_key and less in it: merged, nothing
# nulled, and what changed is logged
cat >"$T/t3.json" <<'EOF'
{"routing_key":"k","event_action":"trigger","dedup_key":"gpu-7",
 "payload":{"summary":"GPU 7 hot","source":"gpu-node-3","severity":"critical",
  "custom_details":{"temp":97,"fan":"failed"}}}
EOF
run "$OWL" ingest "$T/t3.json"
is "$OUT" "pagerduty trigger: 1 alert (0 new), 0 incidents opened, 0 reopened, 0 resolved; INC-1; dedup_key gpu-7" \
	"re-trigger: the same alert"
is "$(alert 1 '(d["alerts"][0]["generator_url"], d["alerts"][0]["annotations"]["client"], d["alerts"][0]["annotations"]["ratio"], d["alerts"][0]["annotations"]["temp"], d["alerts"][0]["annotations"]["fan"])')" \
	"('https://zabbix.example.com/tr_events.php?eventid=7', 'Zabbix', '0.42', '97', 'failed')" \
	"merged: client_url kept, old details kept, changed updated, new added"
is "$(alert 1 '[l["detail"] for l in d["log"] if l["kind"] == "alert.update"]')" \
	"[{'annotations': {'added': {'fan': 'failed'}, 'changed': {'temp': {'after': '97', 'before': '91.3'}}}, 'fingerprint': 'gpu-7', 'source': 'pagerduty'}]" \
	"alert.update logs what changed"
run "$OWL" ingest "$T/t3.json"
is "$(alert 1 'len([l for l in d["log"] if l["kind"] == "alert.update"])')" 1 \
	"the same re-trigger again changes nothing and logs nothing"
like "$("$OWL" timeline 1)" "alert gpu-7( [^|]*)? updated: temp changed; fan added" \
	"the timeline says what the re-trigger changed"

# payload.timestamp orders a dedup_key's events: a late resolve of an
# earlier trigger does not resolve a newer one
printf '{"routing_key":"k","event_action":"trigger","dedup_key":"ts","payload":{"summary":"s","source":"h","severity":"error","timestamp":"2026-11-29T16:00:00.000+0000"}}' >"$T/ts1.json"
printf '{"routing_key":"k","event_action":"trigger","dedup_key":"ts","payload":{"summary":"s","source":"h","severity":"error","timestamp":"2026-11-29T15:00:00.000+0000"}}' >"$T/ts0.json"
run "$OWL" ingest "$T/ts1.json"
run "$OWL" ingest "$T/ts0.json"
like "$OUT" "0 alerts \(0 new\), .*1 stale" "a re-trigger with an older payload.timestamp is stale"
is "$("$OWL" show 3 --json | jq 'd["alerts"][0]["starts_at"]')" "2026-11-29T16:00:00.000000Z" \
	"...and the alert keeps its newer start"

# change events through owl serve
OWL_DB=$(db_new serve)
printf 'R0UT1NGKEY0123456789abcdef012345\n' >"$T/tokens"
serve_start serve --token-file "$T/tokens"
ok $? "owl serve starts"
now() { python3 -c 'import datetime,sys; print((datetime.datetime.now(datetime.timezone.utc)+datetime.timedelta(seconds=int(sys.argv[1]))).strftime("%Y-%m-%dT%H:%M:%S.000+0000"))' "$1"; }
change() { # change FILE SUMMARY OFFSET_S: a change event as PagerDuty documents it
	printf '{"routing_key":"R0UT1NGKEY0123456789abcdef012345","payload":{"summary":"%s","timestamp":"%s","source":"ci","custom_details":{"build_number":"2","run_time":1236.5}},"links":[{"href":"https://ci.example.com/build/2","text":"Build 2"}]}' \
		"$2" "$(now "$3")" >"$1"
}
change "$T/c1.json" "Deploy api v1.2.3" -600
post /v2/change/enqueue "$T/c1.json"
is "$CODE" 202 "/v2/change/enqueue answers 202"
is "$(printf '%s' "$BODY" | jq '(d["status"], d["message"])')" \
	"('success', 'Change event processed')" "...with PagerDuty's body"
is "$(q "SELECT summary, source FROM changes")" "Deploy api v1.2.3|ci" "change stored"
printf '{"routing_key":"R0UT1NGKEY0123456789abcdef012345","payload":{"source":"ci"}}' >"$T/bad.json"
post /v2/change/enqueue "$T/bad.json"
is "$CODE" 400 "a change without a summary: 400"
like "$BODY" '"payload.summary: missing"' "...in PagerDuty's error shape"
printf '{"routing_key":"WRONG","payload":{"summary":"x"}}' >"$T/nokey.json"
post /v2/change/enqueue "$T/nokey.json"
is "$CODE" 401 "a change with a bad routing_key: 401"

# an incident that opens 10 minutes after the deploy has it as context
printf '{"routing_key":"R0UT1NGKEY0123456789abcdef012345","event_action":"trigger","dedup_key":"api-5xx","payload":{"summary":"API 5xx","source":"api","severity":"error","timestamp":"%s"}}' \
	"$(now 0)" >"$T/a1.json"
post /v2/enqueue "$T/a1.json"
is "$CODE" 202 "an alert after the deploy"
inc=$(q "SELECT id FROM incidents")
is "$(q "SELECT count(*) FROM actlog WHERE incident_id = $inc AND kind = 'incident.change' AND detail LIKE '%\"before\":true%'")" 1 \
	"the deploy 10 minutes before is attached to the new incident"
# a change while it is open is attached too
change "$T/c2.json" "Rollback api to v1.2.2" 0
post /v2/change/enqueue "$T/c2.json"
is "$CODE" 202 "a change while the incident is open"
is "$(q "SELECT count(*) FROM actlog WHERE incident_id = $inc AND kind = 'incident.change'")" 2 \
	"...attached to the open incident"
run "$OWL" show "$inc"
like "$OUT" "Deploy api v1.2.3 \(from ci\)" "owl show lists the deploy"
like "$OUT" "Rollback api to v1.2.2" "...and the rollback"
is "$("$OWL" show "$inc" --json | jq '[c["summary"] for c in d["changes"]]')" \
	"['Deploy api v1.2.3', 'Rollback api to v1.2.2']" "show --json: changes"
tl=$("$OWL" timeline "$inc")
like "$tl" "^- [0-9:]{8} \([0-9dhms ]+ before\) Deploy api v1.2.3 \(from ci\) \`#[0-9]+\`$" \
	"the timeline has the deploy, before the first alert"
like "$tl" "^- [0-9:]{8} change at [0-9T:.-]*Z: Rollback api to v1.2.2 \(from ci\) \`#" \
	"...and the rollback in its narrative"
serve_stop
is "$STOP_RC" 0 "owl serve stops"

done_testing
