#!/bin/sh
# 46-alertmanager-senders.t: the REAL Alertmanager (Debian's 0.25) as the
# sender of issue 11's cases: firing and resolve through its webhook,
# its old state re-sent after a reload put in its place (stale: the
# incident stays open), pagerduty_configs with a templated severity that
# PagerDuty itself would refuse, opsgenie_configs (create and close),
# --pull of its real groups with --pull-receiver (a pulled alert joins
# the webhook's incident of its group), and owl silence of a group it
# truncated (max_alerts) silencing by the group's labels.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

AMBIN=/usr/bin/prometheus-alertmanager
if [ ! -x "$AMBIN" ] || ! command -v amtool >/dev/null; then
	echo "1..0 # SKIP prometheus-alertmanager is not installed"
	exit 0
fi

printf 'R0UT1NGKEY0123456789abcdef012345\n' >"$T/tokens"
TOKEN=R0UT1NGKEY0123456789abcdef012345
serve_start owl --token-file "$T/tokens"
ok $? "owl serve starts"
# a capture receiver: what Alertmanager sent, byte for byte
mkdir -p "$T/cap"
python3 -c 'import http.server, sys, os
n = [0]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        n[0] += 1
        open(os.path.join(sys.argv[2], "%04d.json" % n[0]), "wb").write(body)
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(srv.server_address[1]))
srv.serve_forever()' \
	"$T/cap.port" "$T/cap" &
tap_at_exit "kill $!"
CAP=$(port_of "$T/cap.port")
mkdir -p "$T/am"
cat >"$T/am.yml" <<EOF
route:
  receiver: owl
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['via="hook"']
      receiver: capture
      continue: true
    - matchers: ['via="hook"']
      receiver: owl
    - matchers: ['via="pd"']
      receiver: owl-pd
    - matchers: ['via="og"']
      receiver: owl-og
    - matchers: ['via="trunc"']
      receiver: owl-trunc
    - matchers: ['via="sub"']
      receiver: sub
      group_by: ['alertname', 'team']
    - matchers: ['via="other"']
      receiver: other
receivers:
  - name: owl
    webhook_configs:
      - url: '$URL/v1/alerts/alertmanager'
        send_resolved: true
        http_config:
          authorization: {type: Bearer, credentials: '$TOKEN'}
  - name: capture
    webhook_configs:
      - url: 'http://127.0.0.1:$CAP/'
        send_resolved: true
  - name: owl-pd
    pagerduty_configs:
      - url: '$URL/v2/enqueue'
        routing_key: '$TOKEN'
        send_resolved: true
        severity: '{{ .CommonLabels.severity }}'
  - name: owl-og
    opsgenie_configs:
      - api_url: '$URL/'
        api_key: '$TOKEN'
        send_resolved: true
  - name: owl-trunc
    webhook_configs:
      - url: '$URL/v1/alerts/alertmanager'
        send_resolved: true
        max_alerts: 1
        http_config:
          authorization: {type: Bearer, credentials: '$TOKEN'}
  - name: sub
  - name: other
EOF
am_launch() { # Alertmanager on $AMPORT, in the background (LPID)
	"$AMBIN" --config.file="$T/am.yml" --storage.path="$T/am" \
		--web.listen-address="127.0.0.1:$AMPORT" --cluster.listen-address= \
		--web.external-url="http://127.0.0.1:$AMPORT" --log.level=warn \
		>>"$T/am.log" 2>&1 &
	LPID=$!
}
listen_retry AMPORT 15 am_launch
AMPID=$LPID
AMURL="http://127.0.0.1:$AMPORT"
wait_for 15 curl -sf "$AMURL/-/ready"
ok $? "Alertmanager is ready on 127.0.0.1:$AMPORT"

# am_post NAME VIA SEVERITY STARTS [ENDS] [EXTRA LABELS JSON]
am_post() {
	_ends=""
	[ -n "${5:-}" ] && _ends=",\"endsAt\":\"$5\""
	curl -sf -X POST -H 'Content-Type: application/json' "$AMURL/api/v2/alerts" -d "[{
	  \"labels\":{\"alertname\":\"$1\",\"via\":\"$2\",\"severity\":\"$3\"${6:-}},
	  \"annotations\":{\"summary\":\"$1 on gpu-7\"},
	  \"startsAt\":\"$4\"$_ends}]"
}
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
state_of() { q "SELECT state FROM incidents WHERE $1 ORDER BY id DESC LIMIT 1"; }
has_state() { [ "$(state_of "$1")" = "$2" ]; }
count_is() { [ "$(q "$1")" = "$2" ]; }

# --- firing, resolve, and the old state re-sent
H="group_key = '{}/{via=\"hook\"}:{alertname=\"OrderProbe\"}'"
S1=$(at '-5 min')
am_post OrderProbe hook critical "$S1"
wait_for 20 has_state "$H" 0
ok $? "webhook: firing opens a triggered incident"
am_post OrderProbe hook critical "$S1" "$(at '-1 min')"
wait_for 20 has_state "$H" 2
ok $? "webhook: the resolve resolves it"
wait_for 20 sh -c "grep -l '\"status\":\"resolved\"' '$T'/cap/*.json"
OLD=$(grep -l '"status":"resolved"' "$T"/cap/*.json | head -1)
ok $([ -n "$OLD" ]; echo $?) "captured Alertmanager's resolved notification"
am_post OrderProbe hook critical "$(at '-30 sec')"
wait_for 20 has_state "$H" 0
ok $? "fires again (a new startsAt): reopened within the flap guard"
INC=$(q "SELECT id FROM incidents WHERE $H")
curl -sf -X POST "$AMURL/-/reload"
ok $? "Alertmanager reloads"
# what a reload or a late retry re-sends: the old resolved group
post /v1/alerts/alertmanager "$OLD" -H "Authorization: Bearer $TOKEN"
is "$CODE:$(printf '%s' "$BODY" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("stale"))')" \
	"200:1" "its old resolve, re-sent: answered 200, one stale event"
is "$(state_of "$H")" 0 "...and the incident stays open (it was lost before)"
like "$(q "SELECT detail FROM actlog WHERE incident_id = $INC AND kind = 'alert.stale'")" \
	'"reason":"ended before the episode stored began"' "alert.stale says why"

# --- pagerduty_configs with a templated severity PagerDuty would refuse
PD="source = 'pagerduty'"
am_post PDProbe pd sev2 "$(at '-1 min')"
wait_for 20 has_state "$PD" 0
ok $? "pagerduty_configs with severity 'sev2': the page is stored"
like "$(cat "$T/owl.log")" "POST /v2/enqueue 202 " "answered 202 (was 400: lost for ever)"
is "$(q "SELECT severity, severity_raw FROM alerts WHERE source = 'pagerduty'")" \
	"2|sev2" "sev2 is an error, the word kept"
am_post PDProbe pd sev2 "$(at '-1 min')" "$(at '-5 sec')"
wait_for 20 has_state "$PD" 2
ok $? "its resolve resolves it"

# --- opsgenie_configs pointed at owl's Opsgenie-compatible API
OG="source = 'opsgenie'"
am_post OGProbe og warning "$(at '-1 min')"
wait_for 20 has_state "$OG" 0
ok $? "opsgenie_configs: POST /v2/alerts with GenieKey opened an incident"
like "$(cat "$T/owl.log")" "POST /v2/alerts 202 .* geniekey" "answered 202, GenieKey"
am_post OGProbe og warning "$(at '-1 min')" "$(at '-5 sec')"
wait_for 20 has_state "$OG" 2
ok $? "its close (POST /v2/alerts/ALIAS/close) resolves it"

# --- a group Alertmanager truncated: silence by the group's labels
TR="group_key LIKE '%TruncProbe%'"
for i in 1 2 3; do
	am_post TruncProbe trunc warning "$(at '-1 min')" "" ",\"instance\":\"i$i\""
done
wait_for 20 count_is "SELECT truncated_alerts FROM incidents WHERE $TR" 2
ok $? "max_alerts 1 of 3: two left out, recorded"
TRI=$(q "SELECT id FROM incidents WHERE $TR")
run "$OWL" silence "INC-$TRI" --for 1h --alertmanager "$AMURL"
is "$RC" 0 "owl silence of the truncated group: exit 0"
like "$OUT" "silence .* of the whole group \(Alertmanager left out 2 of its alerts\)" \
	"one silence for the whole group"
amtool --alertmanager.url="$AMURL" silence query -o json >"$T/sil.json"
like "$(cat "$T/sil.json")" '"matchers":\[\{"isEqual":true,"isRegex":false,"name":"alertname","value":"TruncProbe"\}\]' \
	"matching the group's labels, so the left-out alerts are silenced too"
run "$OWL" unsilence "INC-$TRI"
is "$RC" 0 "owl unsilence expires it"
# a truncated group with no labels (group_by: []): silencing only what
# owl saw would leave the rest paging, and its labels match everything
cat >"$T/nolabels.json" <<EOF
{"version":"4","groupKey":"{}:{}","status":"firing","receiver":"owl","groupLabels":{},"truncatedAlerts":4,"externalURL":"$AMURL",
 "alerts":[{"status":"firing","labels":{"alertname":"Everything","instance":"x"},"annotations":{},"startsAt":"$(at '-1 min')","endsAt":"0001-01-01T00:00:00Z"}]}
EOF
run "$OWL" ingest "$T/nolabels.json"
NL=$(q "SELECT id FROM incidents WHERE group_key = '{}:{}'")
run "$OWL" silence "INC-$NL" --for 1h --alertmanager "$AMURL"
is "$RC" 3 "owl silence of a truncated group without labels: refused (exit 3)"
like "$ERR" "Alertmanager left out 4 of its alerts, and the group has no labels to silence it by" \
	"...saying why"
is "$(amtool --alertmanager.url="$AMURL" silence query -q)" "" "...and nothing was silenced"
serve_stop
is "$STOP_RC" 0 "owl serve stops"

# --- --pull of the real groups, --pull-receiver
OWL_DB=$(db_new pull)
SUB="{}/{via=\"sub\"}:{alertname=\"SubProbe\", team=\"db\"}"
# the webhook of the sub-route brought alert a1 first (as Alertmanager
# would, with its route in the group key)
cat >"$T/sub.json" <<EOF
{"version":"4","groupKey":"$(printf '%s' "$SUB" | sed 's/"/\\"/g')","status":"firing","receiver":"sub","groupLabels":{"alertname":"SubProbe","team":"db"},"commonLabels":{},"commonAnnotations":{},"externalURL":"$AMURL","truncatedAlerts":0,
 "alerts":[{"status":"firing","labels":{"alertname":"SubProbe","team":"db","via":"sub","instance":"a1","severity":"warning"},"annotations":{"summary":"SubProbe on gpu-7"},"startsAt":"$(at '-1 min')","endsAt":"0001-01-01T00:00:00Z","generatorURL":""}]}
EOF
run "$OWL" ingest "$T/sub.json"
is "$RC" 0 "the sub-route's webhook delivery of a1"
serve_start pull --token-file "$T/tokens" --pull "$AMURL" --pull-interval 1s \
	--pull-grace 0 --pull-receiver 'sub|owl'
ok $? "owl serve --pull --pull-receiver starts"
am_post SubProbe sub warning "$(at '-1 min')" "" ',"instance":"a1","team":"db"'
am_post SubProbe sub warning "$(at '-1 min')" "" ',"instance":"a2","team":"db"'
am_post OtherProbe other warning "$(at '-1 min')"
wait_for 20 count_is "SELECT count(*) FROM alerts WHERE labels LIKE '%SubProbe%'" 2
ok $? "the pull brought a2"
is "$(q "SELECT count(DISTINCT incident_id) || ' ' || count(*) FROM alerts WHERE labels LIKE '%SubProbe%'")" \
	"1 2" "a pulled alert joins its group's webhook incident; a1 is one alert"
is "$(q "SELECT group_key FROM incidents WHERE id = (SELECT incident_id FROM alerts WHERE labels LIKE '%a2%')")" \
	"$SUB" "...the group Alertmanager routed (its sub-route's key)"
# two more pulls: OtherProbe's group must stay out
pulls() { curl -sf "$URL/metrics" | sed -n 's/^owl_pull_success_total \([0-9]*\)$/\1/p'; }
P0=$(pulls)
more_pulls() { [ "$(pulls)" -ge $((P0 + 2)) ]; }
wait_for 20 more_pulls
ok $? "two more pulls"
is "$(q "SELECT count(*) FROM alerts WHERE labels LIKE '%OtherProbe%'")" 0 \
	"--pull-receiver: a group routed to another receiver is not pulled"
serve_stop
is "$STOP_RC" 0 "owl serve --pull stops"

done_testing
