#!/bin/sh
# 41-alertmanager.t: `owl serve` against the REAL Alertmanager (Debian's
# prometheus-alertmanager 0.25, loopback only, no cluster): its webhook
# with bearer auth, its pagerduty_configs at /v2/enqueue, `--pull` of
# its API (resolving an alert whose resolve Alertmanager never sends,
# because it is silenced), and `owl silence` creating real silences that
# amtool shows, expired by `owl unsilence` or when the incident resolves.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

AMBIN=/usr/bin/prometheus-alertmanager
if [ ! -x "$AMBIN" ] || ! command -v amtool >/dev/null; then
	echo "1..0 # SKIP prometheus-alertmanager is not installed"
	exit 0
fi

printf 's3cret-token\nR0UT1NGKEY0123456789abcdef012345\n' >"$T/tokens"
serve_start phase1 --token-file "$T/tokens"
ok $? "owl serve starts"
mkdir -p "$T/am"
cat >"$T/am.yml" <<EOF
route:
  receiver: owl
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['via="pd"']
      receiver: owl-pd
    - matchers: ['via="pull"']
      receiver: nowhere
receivers:
  - name: owl
    webhook_configs:
      - url: '$URL/v1/alerts/alertmanager'
        send_resolved: true
        http_config:
          authorization: {type: Bearer, credentials: 's3cret-token'}
  - name: owl-pd
    pagerduty_configs:
      - url: '$URL/v2/enqueue'
        routing_key: 'R0UT1NGKEY0123456789abcdef012345'
        send_resolved: true
  - name: nowhere
EOF
# am_launch: Alertmanager on $AMPORT, in the background (LPID)
am_launch() {
	"$AMBIN" --config.file="$T/am.yml" --storage.path="$T/am" \
		--web.listen-address="127.0.0.1:$AMPORT" --cluster.listen-address= \
		--web.external-url="http://127.0.0.1:$AMPORT" --log.level=warn \
		>>"$T/am.log" 2>&1 &
	LPID=$!
}
# am_start: Alertmanager on a port it listens on itself (listen_retry)
am_start() {
	listen_retry AMPORT 15 am_launch
	AMPID=$LPID
	AMURL="http://127.0.0.1:$AMPORT"
	wait_for 15 curl -sf "$AMURL/-/ready"
}
am_start
ok $? "Alertmanager is ready on 127.0.0.1:$AMPORT"

# am_post NAME VIA [ENDS]: posts one alert into Alertmanager's API
am_post() {
	_ends=""
	[ -n "${3:-}" ] && _ends=",\"endsAt\":\"$3\""
	curl -sf -X POST -H 'Content-Type: application/json' "$AMURL/api/v2/alerts" -d "[{
	  \"labels\":{\"alertname\":\"$1\",\"via\":\"$2\",\"instance\":\"gpu-7:9400\",\"severity\":\"critical\"},
	  \"annotations\":{\"summary\":\"$1 fired on gpu-7\"},
	  \"startsAt\":\"$STARTS\"$_ends}]"
}
STARTS=$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)
past() { date -u -d '-2 sec' +%Y-%m-%dT%H:%M:%SZ; }
state_of() { q "SELECT state FROM incidents WHERE $1 ORDER BY id DESC LIMIT 1"; }
has_state() { [ "$(state_of "$1")" = "$2" ]; }

# --- webhook with bearer auth
WH="group_key = '{}:{alertname=\"WebhookProbe\"}' AND source = 'alertmanager'"
am_post WebhookProbe hook
ok $? "alert posted into Alertmanager's API"
wait_for 20 has_state "$WH" 0
ok $? "the webhook delivered it: owl has a triggered incident"
INC=$(q "SELECT id FROM incidents WHERE $WH")
like "$(cat "$T/phase1.log")" "POST /v1/alerts/alertmanager 200 .* bearer" \
	"Alertmanager authenticated with its bearer token"
is "$(q "SELECT title FROM incidents WHERE id = $INC")" "WebhookProbe fired on gpu-7" \
	"the incident's title is the alert's summary"

# --- owl silence / unsilence at the Alertmanager whose webhook sent the
# incident (its externalURL, --web.external-url above)
is "$(q "SELECT sender_url FROM incidents WHERE id = $INC")" "$AMURL" \
	"the webhook's externalURL is kept on the incident"
run "$OWL" silence "INC-$INC" --for 2h --comment "looking at it"
is "$RC" 3 "owl silence to a webhook's externalURL the config does not list: refused"
like "$ERR" "named the Alertmanager $AMURL, which the config does not list" "...saying so"
mkdir -p "$XDG_CONFIG_HOME/owl"
printf 'return { alertmanagers = { "%s/" } }\n' "$AMURL" >"$XDG_CONFIG_HOME/owl/config.lua"
run "$OWL" silence "INC-$INC" --for 2h --comment "looking at it"
is "$RC" 0 "owl silence --for 2h, no --alertmanager, the config lists it: exit 0"
SID=$(printf '%s\n' "$OUT" | sed -n 's/^INC-[0-9]*: silence \([^ ]*\) until .*/\1/p')
like "$SID" "^[0-9a-f-]{36}$" "owl silence prints the silence id"
like "$(amtool --alertmanager.url="$AMURL" silence query -q)" "^$SID$" \
	"amtool silence query shows the silence"
amtool --alertmanager.url="$AMURL" silence query -o json >"$T/sil.json"
like "$(cat "$T/sil.json")" '"createdBy":"tester"' "created by the actor"
like "$(cat "$T/sil.json")" '"comment":"looking at it"' "with the comment"
like "$(cat "$T/sil.json")" '\{"isEqual":true,"isRegex":false,"name":"instance","value":"gpu-7:9400"\}' \
	"matching the alert's labels exactly"
like "$("$OWL" silence "INC-$INC")" "^$SID $AMURL/ by tester until " \
	"owl silence INC lists it on the incident, at the config's URL"
like "$("$OWL" show "INC-$INC")" "^silenced +$SID until " "owl show shows the silence"
like "$("$OWL" show "INC-$INC" --json)" "\"silences\": \[" "owl show --json lists silences"
run "$OWL" unsilence "INC-$INC"
is "$RC" 0 "owl unsilence: exit 0"
is "$(amtool --alertmanager.url="$AMURL" silence query -q)" "" \
	"amtool shows no active silence after owl unsilence"
like "$("$OWL" silence "INC-$INC")" "\(expired\)$" "the incident shows it expired"
run "$OWL" unsilence "INC-$INC"
is "$RC" 1 "unsilence with nothing active: exit 1"

# --- resolve through the webhook
am_post WebhookProbe hook "$(past)"
wait_for 20 has_state "$WH" 2
ok $? "the resolved webhook resolved the incident"

# --- pagerduty_configs pointed at /v2/enqueue (routing_key as credential)
PD="source = 'pagerduty'"
am_post PDProbe pd
wait_for 20 has_state "$PD" 0
ok $? "pagerduty_configs trigger at /v2/enqueue opened an incident"
like "$(cat "$T/phase1.log")" "POST /v2/enqueue 202 .* routing_key" \
	"answered 202, authenticated by routing_key"
am_post PDProbe pd "$(past)"
wait_for 20 has_state "$PD" 2
ok $? "the pagerduty resolve event resolved it"

run "$OWL" silence "INC-$(q "SELECT id FROM incidents WHERE $PD")" --for 1h
is "$RC" 1 "owl silence on a PagerDuty incident: exit 1"
like "$ERR" "not from an Alertmanager" "and says why"

serve_stop
is "$STOP_RC" 0 "owl serve stops cleanly"

# --- --pull: an alert routed nowhere (no webhook ever) and silenced
# (--pull-grace 0: this Alertmanager started seconds ago, see below)
serve_start phase2 --token-file "$T/tokens" --pull "$AMURL" --pull-interval 1s \
	--pull-grace 0
ok $? "owl serve --pull starts"
PL="group_key = '{}:{alertname=\"PullProbe\"}'"
am_post PullProbe pull
wait_for 20 has_state "$PL" 0
ok $? "--pull found the alert that no webhook carries"
PINC=$(q "SELECT id FROM incidents WHERE $PL")
run "$OWL" silence "INC-$PINC" --for 2h
is "$RC" 0 "owl silence without --alertmanager uses the pulled one"
PSID=$(printf '%s\n' "$OUT" | sed -n 's/^INC-[0-9]*: silence \([^ ]*\) until .*/\1/p')
is "$(amtool --alertmanager.url="$AMURL" silence query -q)" "$PSID" \
	"amtool shows that silence"
am_post PullProbe pull "$(past)"
wait_for 20 has_state "$PL" 2
ok $? "the alert disappeared from Alertmanager's list: --pull resolved it"
silence_gone() { [ -z "$(amtool --alertmanager.url="$AMURL" silence query -q)" ]; }
wait_for 15 silence_gone
ok $? "owl serve expired the silence once the incident resolved"
like "$("$OWL" silence "INC-$PINC")" "^$PSID .*\(expired\)$" \
	"the incident shows the silence expired"
like "$(curl -sS "$URL/metrics")" "owl_pull_success_total [1-9]" \
	"metrics count the pulls"

# --- a failing source is logged and retried, never fatal
kill "$AMPID"; wait "$AMPID" 2>/dev/null
wait_for 15 grep -q "pull $AMURL: .*retrying in" "$T/phase2.log"
ok $? "an unreachable Alertmanager is logged with the retry delay"
CODE=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/healthz")
is "$CODE" 200 "and owl serve keeps serving"
serve_stop
is "$STOP_RC" 0 "owl serve stops cleanly"

# --- an Alertmanager that restarts has forgotten its alerts until
# Prometheus sends them again: owl resolves nothing while it settles
am_start
serve_start phase3 --token-file "$T/tokens" --pull "$AMURL" --pull-interval 1s
RL="group_key = '{}:{alertname=\"RestartProbe\"}'"
am_post RestartProbe pull
wait_for 20 has_state "$RL" 0
ok $? "--pull found the alert before the restart"
kill "$AMPID"; wait "$AMPID" 2>/dev/null
# again on the same port: owl pulls that URL
am_launch
AMPID=$LPID
tap_at_exit "kill $AMPID"
wait_for 15 curl -sf "$AMURL/-/ready"
ok $? "Alertmanager restarted, with no alerts"
wait_for 15 grep -q "Alertmanager started [0-9]*s ago; vanished alerts are resolved once it has been up 180s" "$T/phase3.log"
ok $? "owl says it will not resolve while the Alertmanager settles"
before=$(curl -sS "$URL/metrics" | sed -n 's/^owl_pull_success_total //p')
wait_for 15 sh -c "[ \$(curl -sS '$URL/metrics' | sed -n 's/^owl_pull_success_total //p') -ge \$(( $before + 3 )) ]"
ok $? "owl went on pulling the restarted Alertmanager"
is "$(q "SELECT state FROM incidents WHERE $RL")" 0 \
	"the alert it forgot is not resolved (no false resolve, silences kept)"
serve_stop
kill "$AMPID"; wait "$AMPID" 2>/dev/null
if sqlite_only "PRAGMA integrity_check"; then
	is "$(q 'PRAGMA integrity_check')" ok "PRAGMA integrity_check: ok"
fi

done_testing
