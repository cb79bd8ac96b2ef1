#!/bin/sh
# 25-senders.t: the senders that are not Alertmanager, Grafana or
# PagerDuty (tests/fixtures/payloads/senders): each recognised with its
# resolve semantics (SNS/CloudWatch, Datadog, Sentry, Uptime Kuma,
# Grafana legacy, Opsgenie-compatible /v2/alerts), test notifications
# stored resolved, the generic endpoint refusing what it cannot
# understand with a hint, the SNS subscription handshake confirmed only
# for allowed topics, Grafana's extras and a custom signature header.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

S="$OWL_ROOT/tests/fixtures/payloads/senders"
jq() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
n=0
fresh() { n=$((n + 1)); OWL_DB=$(db_new "s$n"); }
state() { "$OWL" incidents --all --json | jq "[(i['state'], i['severity']) for i in d]"; }

# pair NAME FORMAT FIRE RESOLVE SEVERITY: the firing sample opens a
# triggered incident, the resolving one resolves it (same alert)
pair() {
	fresh
	run "$OWL" ingest "$S/$3.json"
	is "$RC:$ERR" "0:owl: detected format: $2" "$1: $3 recognised"
	is "$(state)" "[('triggered', '$5')]" "$1: firing, $5"
	run "$OWL" ingest "$S/$4.json"
	is "$OUT" "$2: 1 alert (0 new), 0 incidents opened, 0 reopened, 1 resolved; INC-1" \
		"$1: $4 resolves the same alert"
	is "$(state)" "[('resolved', '$5')]" "$1: resolved, severity kept"
}
pair "CloudWatch via SNS" sns sns-cloudwatch-alarm-notification \
	sns-cloudwatch-ok-notification error
is "$("$OWL" show 1 --json | jq '(d["title"], d["alerts"][0]["labels"]["DBClusterIdentifier"], d["alerts"][0]["generator_url"])')" \
	"('sin-alarm-rds-dev', 'sin-dev', 'https://console.aws.amazon.com/cloudwatch/home?region=ap-northeast-2#alarmsV2:alarm/sin-alarm-rds-dev')" \
	"CloudWatch: alarm name, dimensions, console link"
pair "Datadog default" datadog datadog-default-triggered \
	datadog-default-recovered error
is "$("$OWL" show 1 --json | jq '(d["title"], d["alerts"][0]["fingerprint"])')" \
	"('[TEST] Host Cluster Alert', 'monitor/18692904')" \
	"Datadog: the monitor is the alert, the transition is not in the title"
pair "Sentry metric alert" sentry sentry-metric-critical \
	sentry-metric-resolved critical
is "$("$OWL" show 1 --json | jq '(d["title"], d["alerts"][0]["generator_url"])')" \
	"('Too many errors', 'https://sentry.io/organizations/baz/alerts/1/')" \
	"Sentry: the rule's name and its link"
pair "Uptime Kuma" uptime-kuma uptime-kuma-down uptime-kuma-up critical
is "$("$OWL" show 1 --json | jq '(d["alerts"][0]["starts_at"], d["alerts"][0]["ends_at"])')" \
	"('2024-09-24T23:51:35.527000Z', '2024-09-24T23:53:35.112000Z')" \
	"Uptime Kuma: its UTC times, down to up"

# test notifications are stored resolved: no incident left open for ever
for t in "grafana-test-button grafana" "grafana-legacy grafana-legacy" \
    "uptime-kuma-test uptime-kuma"; do
	set -- $t
	fresh
	run "$OWL" ingest "$S/$1.json"
	is "$RC:$(state | cut -c1-12)" "0:[('resolved'" "$1: a test, stored resolved"
	is "$("$OWL" show 1 --json | jq 'd["alerts"][0]["labels"]["test"]')" true \
		"$1: labelled test"
done

# Grafana 12: the extras are annotations, shown by owl show
fresh
run "$OWL" ingest "$S/grafana-12-nodata.json"
run "$OWL" show 1
like "$OUT" "image_url: http://grafana.example.com/public/img/attachments/x.png" \
	"Grafana imageURL shown"
like "$OUT" "panel_url: http://grafana.example.com/d/llm\?orgId=1&viewPanel=4" \
	"Grafana panelURL shown"
like "$OUT" "dashboard_url: http://grafana.example.com/d/llm\?orgId=1" \
	"Grafana dashboardURL shown"
like "$OUT" 'enrichments: \{"owner":"ml-platform"\}' "Grafana enrichments kept"
# ...and by the TUI's incident screen
. "$(dirname "$0")/tui-lib.sh"
tui_start 200 60 "" ""
tui_wait_for "No data for token spend" 10
ok $? "owl tui lists the Grafana incident"
tui_keys Enter
# the Links section (y copies; each link once): name, padded, URL
tui_wait_for "image_url      http://grafana.example.com/public/img/attachments/x.png"
ok $? "the TUI shows Grafana's imageURL"
tui_wait_for "panel_url      http://grafana.example.com/d/llm?orgId=1&viewPanel=4"
ok $? "...its panelURL"
tui_wait_for "dashboard_url  http://grafana.example.com/d/llm?orgId=1"
ok $? "...its dashboardURL"
tui_stop
printf '%s' "$(cat "$S/grafana-test-button.json")" | sed \
	-e 's/"TestAlert"/"GPUHot"/g' -e 's/"values":null/"values":{"B":0.42,"C":1}/' \
	-e 's/Notification test/GPU hot/g' >"$T/gv.json"
fresh
run "$OWL" ingest --format grafana "$T/gv.json"
is "$("$OWL" show 1 --json | jq '(d["alerts"][0]["annotations"]["values"], d["alerts"][0]["annotations"]["value_string"])')" \
	"('{\"B\":0.42,\"C\":1}', \"[ metric='foo' labels={instance=bar} value=10 ]\")" \
	"Grafana values (numbers as sent) and valueString kept"

# the generic endpoint: other senders recognised, the rest refused
fresh
printf '{"token":"x","payload":{"a":1}}' >"$T/unknown.json"
run "$OWL" ingest --format generic "$T/unknown.json"
is "$RC:$ERR" "2:owl: generic: no id and no title (found fields token, payload): send owl's generic JSON ({\"id\", \"title\", \"status\"}) or map it with the config's mappings and /v1/alerts/mapping/NAME (README \"Mappings\")" \
	"generic: a payload it cannot understand is refused with a hint"
printf '{"id":"42","name":"disk","host":"db-1"}' >"$T/idonly.json"
run "$OWL" ingest --format generic "$T/idonly.json"
like "$RC:$ERR" "^2:owl: generic: an id but no title or message \(found fields id, name, host\)" \
	"generic: an id alone is not stored with the id as its title"
run "$OWL" ingest --format generic "$S/datadog-default-recovered.json"
is "$RC:$OUT" "0:datadog: 1 alert (1 new), 1 incident opened, 0 reopened, 1 resolved; INC-1" \
	"generic: Datadog's [Recovered] is a resolve, not a new firing incident"

# owl serve: the endpoints
OWL_DB=$(db_new serve)
printf 's3cret\n' >"$T/tokens"
printf 'grafana-hmac\n' >"$T/hmac"
# the SubscribeURL server: answers 200 and notes the request (on a port
# it binds itself: tests/portfile.py)
python3 -c 'import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(sys.argv[2], "a").write(self.path + "\n")
        self.send_response(200); self.end_headers(); self.wfile.write(b"<ConfirmSubscriptionResponse/>")
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(srv.server_address[1]))
srv.serve_forever()' \
	"$T/sns.port" "$T/sns-got" &
SNSPID=$!
tap_at_exit "kill $SNSPID"
SNSPORT=$(port_of "$T/sns.port" 20)
wait_for 20 python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$SNSPORT"
cat >"$T/owl.lua" <<EOF
return {
  serve = { grafana_signature_header = "X-Owl-Grafana-Sig",
            grafana_timestamp_header = "X-Owl-Grafana-Ts" },
  sns = { topics = { "arn:aws:sns:ap-northeast-2:xxxxxxxxxxx:sin-topic_admin_all-dev" },
          endpoint = "http://127.0.0.1:$SNSPORT/confirm/" },
}
EOF
serve_start serve --config "$T/owl.lua" --token-file "$T/tokens" \
	--hmac-secret-file "$T/hmac"
ok $? "owl serve starts"
B="-H Authorization:Bearer\ s3cret"
post /v1/alerts/sns "$S/sns-cloudwatch-alarm-notification.json" -u "sns:s3cret"
is "$CODE" 200 "/v1/alerts/sns: CloudWatch ALARM stored (basic auth in the URL)"
# SNS sends the user:password of the subscription's URL only when a 401
# challenges it for Basic (a Bearer-only challenge lost every page)
sns_challenged() {
	python3 -c 'import sys, urllib.request
url, body = sys.argv[1], open(sys.argv[2], "rb").read()
mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
mgr.add_password(None, url, "sns", "s3cret")
op = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(mgr))
req = urllib.request.Request(url, data=body, headers={
    "Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"})
try:
    print(op.open(req, timeout=10).status)
except urllib.error.HTTPError as e:
    print(e.code)
except ValueError as e:
    print(e)' "$URL/v1/alerts/sns" "$1" 2>&1
}
is "$(sns_challenged "$S/sns-cloudwatch-ok-notification.json")" 200 \
	"/v1/alerts/sns: a sender that answers a Basic challenge (as SNS does) gets through"
like "$(curl -sS -D - -o /dev/null -X POST "$URL/v1/alerts/sns" | tr -d '\r')" \
	"WWW-Authenticate: Basic realm=\"owl\"" "...the 401 challenges for Basic too"
post /v1/alerts/generic "$S/sentry-metric-critical.json" -H "Authorization: Bearer s3cret"
is "$CODE:$(printf '%s' "$BODY" | jq 'd["status"]')" "200:stored" \
	"/v1/alerts/generic: Sentry recognised"
post /v1/alerts/generic "$T/unknown.json" -H "Authorization: Bearer s3cret"
is "$CODE" 400 "/v1/alerts/generic: an unknown payload is a 400"
like "$BODY" "README \"Mappings\"" "...with the hint"
for f in datadog-default-triggered:datadog uptime-kuma-down:uptime-kuma \
    grafana-legacy:grafana-legacy; do
	post "/v1/alerts/${f#*:}" "$S/${f%%:*}.json" -H "Authorization: Bearer s3cret"
	is "$CODE" 200 "/v1/alerts/${f#*:}: ${f%%:*} stored"
done

# SNS's handshake: confirmed for an allowed topic, refused otherwise
sed "s|https://sns.ap-northeast-2.amazonaws.com/|http://127.0.0.1:$SNSPORT/evil/|" \
	"$S/sns-subscription-confirmation.json" >"$T/evil.json"
post /v1/alerts/sns "$T/evil.json" -u "sns:s3cret"
is "$CODE" 403 "a SubscribeURL that is neither Amazon's nor sns.endpoint: refused"
sed "s|https://sns.ap-northeast-2.amazonaws.com/|http://127.0.0.1:$SNSPORT/confirm/|" \
	"$S/sns-subscription-confirmation.json" >"$T/confirm.json"
post /v1/alerts/sns "$T/confirm.json" -u "sns:s3cret"
is "$CODE:$(printf '%s' "$BODY" | jq 'd["status"]')" "200:confirmed" \
	"SubscriptionConfirmation of an allowed topic: confirmed"
is "$(cat "$T/sns-got" 2>/dev/null)" \
	"/confirm/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:ap-northeast-2:xxxxxxxxxxx:sin-topic_admin_all-dev&Token=2336412f37" \
	"...by a GET of its SubscribeURL"
is "$(q "SELECT count(*) FROM actlog WHERE kind = 'sns.subscribe'")" 1 \
	"...logged as sns.subscribe"
sed 's/sin-topic_admin_all-dev/other-topic/g' "$T/confirm.json" >"$T/other.json"
post /v1/alerts/sns "$T/other.json" -u "sns:s3cret"
is "$CODE" 403 "a topic the config does not allow: 403"
like "$BODY" "add the topic to the config's sns.topics" "...saying what to do"
is "$(wc -l <"$T/sns-got")" 1 "...and its SubscribeURL is not fetched"

# Opsgenie-compatible: what tools that only speak Opsgenie send
post /v2/alerts "$S/opsgenie-create-alert.json" -H "Authorization: GenieKey s3cret"
is "$CODE:$(printf '%s' "$BODY" | jq 'd["result"]')" \
	"202:Request will be processed" "POST /v2/alerts with GenieKey: 202 as Opsgenie answers"
og=$(q "SELECT incident_id FROM alerts WHERE fingerprint = 'Life is too short for no alias'")
is "$(q "SELECT severity, state FROM incidents WHERE id = $og")" "3|0" \
	"Opsgenie alert: P1 is critical, triggered"
post "/v2/alerts/Life%20is%20too%20short%20for%20no%20alias/acknowledge?identifierType=alias" \
	/dev/null -H "Authorization: GenieKey s3cret"
is "$CODE:$(q "SELECT state FROM incidents WHERE id = $og")" "202:1" \
	"POST /v2/alerts/{alias}/acknowledge acknowledges"
post "/v2/alerts/x/close?identifierType=tiny" /dev/null -H "Authorization: GenieKey s3cret"
is "$CODE" 400 "close by tiny id: 400 (owl knows alerts by alias)"
printf '{"source":"Alertmanager"}' >"$T/close.json"
post "/v2/alerts/Life%20is%20too%20short%20for%20no%20alias/close?identifierType=alias" \
	"$T/close.json" -H "Authorization: GenieKey s3cret"
is "$CODE:$(q "SELECT state FROM incidents WHERE id = $og")" "202:2" \
	"POST /v2/alerts/{alias}/close resolves"
post /v2/alerts "$S/opsgenie-create-alert.json" -H "Authorization: GenieKey wrong"
is "$CODE" 401 "a wrong GenieKey: 401"

# Grafana's signature under the headers its hmacConfig names
ts=$(date +%s)
{ printf '%s:' "$ts"; cat "$S/grafana-12-nodata.json"; } >"$T/signed"
sig=$(hmac_hex grafana-hmac "$T/signed")
post /v1/alerts/grafana "$S/grafana-12-nodata.json" -H "X-Owl-Grafana-Sig: $sig" \
	-H "X-Owl-Grafana-Ts: $ts"
is "$CODE" 200 "Grafana HMAC under the configured header names"
post /v1/alerts/grafana "$S/grafana-12-nodata.json" -H "X-Owl-Grafana-Sig: 00$sig" \
	-H "X-Owl-Grafana-Ts: $ts"
is "$CODE" 401 "...and a bad one is refused"
serve_stop
is "$STOP_RC" 0 "owl serve stops"

done_testing
