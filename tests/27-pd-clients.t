#!/bin/sh
# 27-pd-clients.t: PagerDuty's client libraries and Zabbix's PagerDuty
# media type against `owl serve` over TLS (they build https:// URLs
# themselves), with what each really sends (tests/fixtures/payloads/
# senders: pdjs and node-pagerduty captured from the real libraries, with
# their headers; Zabbix's bodies as its media type script builds them)
# and each one's own check of the answer: Zabbix fails a notification
# unless it gets 202 JSON with status "success", and reports errors[0].
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

S="$OWL_ROOT/tests/fixtures/payloads/senders"
jq() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=owl-test" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$T/owl.key" -out "$T/owl.crt" >/dev/null 2>&1
ok $? "openssl req made a certificate"
printf 'R0UT1NGKEY0123456789abcdef012345\n' >"$T/tokens"
serve_start pd --token-file "$T/tokens" --tls-cert "$T/owl.crt" \
	--tls-key "$T/owl.key"
ok $? "owl serve starts with TLS"
HTTPS="https://127.0.0.1:$PORT"

# spost PATH FILE [CURL ARGS...]: POSTs the file over https, trusting
# the test's certificate; CODE and BODY as post() sets them
spost() {
	_p=$1; _f=$2; shift 2
	CODE=$(curl -sS -m 10 --cacert "$T/owl.crt" -o "$T/.body" \
		-w '%{http_code}' -X POST --data-binary "@$_f" "$@" "$HTTPS$_p")
	BODY=$(cat "$T/.body")
}
# zabbix_says: what the media type's script makes of the answer (its
# checks, in order): OK, or the error it reports
zabbix_says() {
	printf '%s' "$BODY" | python3 -c 'import json, sys
try:
    resp = json.load(sys.stdin)
except ValueError:
    print("incorrect response. PagerDuty returned a non-JSON object."); sys.exit()
if sys.argv[1] != "202":
    e = resp.get("errors") if isinstance(resp, dict) else None
    print(e[0] if isinstance(e, list) and e and isinstance(e[0], str) else "Unknown error.")
elif resp.get("status") != "success":
    print("Unknown error.")
else:
    print("OK")' "$CODE"
}
# zabbix FILE: posts as the media type's HttpRequest does
zabbix() { spost /v2/enqueue "$S/$1.json" -H 'Content-Type: application/json'; }
inc() { q "SELECT $1 FROM incidents WHERE group_key = '$2'"; }
ann() { "$OWL" show "$1" --json | jq "d['alerts'][0]['annotations'].get('$2')"; }

# --- Zabbix's PagerDuty media type: problem, acknowledge, recovery
zabbix zabbix-pagerduty-trigger
is "$CODE:$(zabbix_says)" "202:OK" "Zabbix problem: the media type's checks pass"
Z=$(inc id 4504)
is "$(inc "state || '|' || severity || '|' || title" 4504)" \
	"0|2|Problem: GPU temperature is too high on gpu-node-3" \
	"Zabbix problem: a triggered incident, error (Zabbix's High), its subject"
is "$("$OWL" show "$Z" --json | jq "d['alerts'][0]['labels']['source']")" \
	"gpu-node-3 : 192.0.2.3" "...its host as the source"
is "$(ann "$Z" link):$(ann "$Z" link_text)" \
	"https://zabbix.example.com/tr_events.php?triggerid=23077&eventid=4504:Event link" \
	"...the event's link kept"
is "$(ann "$Z" 'Trigger opdata'):$(ann "$Z" 'Event host ip')" \
	"Temperature: 94 C:192.0.2.3" "...its custom details as annotations"
zabbix zabbix-pagerduty-acknowledge
is "$CODE:$(zabbix_says):$(inc state 4504)" "202:OK:1" \
	"Zabbix acknowledge (no payload): acknowledged"
zabbix zabbix-pagerduty-resolve
is "$CODE:$(zabbix_says):$(inc state 4504)" "202:OK:2" \
	"Zabbix recovery (no payload): resolved"
zabbix zabbix-pagerduty-discovery
is "$CODE:$(zabbix_says):$(inc "state || '|' || severity || '|' || title" 4611)" \
	"202:OK:0|0|Discovery: Up 192.0.2.40" \
	"Zabbix discovery event: triggered, info"
sed 's/R0UT1NGKEY0123456789abcdef012345/not-a-token/' \
	"$S/zabbix-pagerduty-trigger.json" >"$T/zbad.json"
spost /v2/enqueue "$T/zbad.json" -H 'Content-Type: application/json'
is "$CODE:$(zabbix_says)" "401:bad or missing credentials" \
	"a wrong token: Zabbix reports owl's reason, not 'non-JSON object'"
printf '{"routing_key":"R0UT1NGKEY0123456789abcdef012345","dedup_key":"4504"}' >"$T/znoact.json"
spost /v2/enqueue "$T/znoact.json" -H 'Content-Type: application/json'
like "$CODE:$(zabbix_says)" "^400:.*event_action" \
	"a body without event_action: 400, Zabbix reports the field"

# --- pdjs: event() with images, links, client and numbers; resolve();
# change(), with the headers it sends
PDJS="-H Content-Type:application/json;charset=utf-8 -H User-Agent:pdjs/2.0.0_(v20.20.2/linux) -H Accept-Encoding:gzip,deflate"
# shellcheck disable=SC2086
spost /v2/enqueue "$S/pdjs-trigger.json" $PDJS
is "$CODE:$(printf '%s' "$BODY" | jq "(d['status'], d['dedup_key'])")" \
	"202:('success', 'gpu-7-hot')" "pdjs trigger: 202, its dedup_key"
P=$(inc id gpu-7-hot)
is "$(ann "$P" ratio):$(ann "$P" temp_c):$(ann "$P" fans)" '0.42:94.5:["a","b"]' \
	"pdjs: custom_details numbers as sent, lists as JSON"
is "$(ann "$P" image):$(ann "$P" image_href):$(ann "$P" link):$(ann "$P" client)" \
	"https://grafana.example.com/render/gpu.png:https://grafana.example.com/d/gpu:https://runbooks.example.com/gpu:pdjs" \
	"pdjs: images, links and client kept"
is "$("$OWL" show "$P" --json | jq "d['alerts'][0]['generator_url']")" \
	"https://ci.example.com" "pdjs: client_url is the alert's URL"
# shellcheck disable=SC2086
spost /v2/enqueue "$S/pdjs-resolve.json" $PDJS
is "$CODE:$(inc state gpu-7-hot)" "202:2" "pdjs resolve: resolved"
# shellcheck disable=SC2086
spost /v2/change/enqueue "$S/pdjs-change.json" $PDJS
is "$CODE:$(printf '%s' "$BODY" | jq "d['status']")" "202:success" "pdjs change: 202"
is "$("$OWL" show "$P" --json | jq "[c['summary'] for c in d['changes']]")" \
	"['Deploy llm-gateway v2.3.1']" \
	"...the deploy 4 minutes before it started is the incident's context"

# --- node-pagerduty: its PagerDuty REST key in Authorization, always
NPD="-H Content-Type:application/json -H User-Agent:node-pagerduty_/_1.3.6 -H accept:application/json"
# shellcheck disable=SC2086
spost /v2/enqueue "$S/node-pagerduty-trigger.json" $NPD \
	-H "Authorization: Token token=y_NbAkKc66ryYTWUXYEu"
is "$CODE:$(printf '%s' "$BODY" | jq "d['status']"):$(inc state disk-full)" \
	"202:success:0" "node-pagerduty trigger with its Token header: stored"
# shellcheck disable=SC2086
spost /v2/enqueue "$S/node-pagerduty-acknowledge.json" $NPD \
	-H "Authorization: Token token=y_NbAkKc66ryYTWUXYEu"
is "$CODE:$(inc state disk-full)" "202:1" "node-pagerduty acknowledge: acknowledged"

serve_stop
is "$STOP_RC" 0 "owl serve stops"
done_testing
