#!/bin/sh
# 26-mappings.t: the config's mappings (JSON pointers, an optional
# regex) for senders owl does not know: each sender sample of
# tests/fixtures/payloads/senders mapped by hand, through `owl ingest
# --format mapping:NAME` and POST /v1/alerts/mapping/NAME, firing then
# resolving; a list of alerts; a bad mapping named at startup.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

S="$OWL_ROOT/tests/fixtures/payloads/senders"
P="$OWL_ROOT/tests/fixtures/payloads"
jq() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
cat >"$T/owl.lua" <<'EOF'
return { mappings = {
  -- Datadog's default payload: the transition and the monitor are in
  -- the title and the body
  dd = { id = { path = "/body", match = "monitors#([0-9]+)" },
         title = { path = "/title", match = "^\\[[^]]*\\] (.*)$" },
         status = { path = "/title", match = "^\\[([^]]*)\\]",
                    resolved = { "recovered" } },
         time = "/date", labels = { org = "/org/name" } },
  -- CloudWatch through SNS: the pointer goes on inside the Message string
  cw = { id = "/Message/AlarmArn", title = "/Message/AlarmName",
         status = { path = "/Message/NewStateValue", resolved = { "OK" } },
         time = "/Message/StateChangeTime",
         labels = { region = "/Message/Region" },
         annotations = { reason = "/Message/NewStateReason" } },
  metric = { id = "/data/metric_alert/id",
             title = "/data/metric_alert/alert_rule/name",
             status = { path = "/action", resolved = { "resolved" } },
             severity = "/action", url = "/data/web_url" },
  kuma = { id = "/monitor/id", title = "/monitor/name",
           status = { path = "/heartbeat/status", resolved = { "1", "3" } },
           time = "/heartbeat/time", url = "/monitor/url" },
  legacy = { id = "/ruleName", title = "/ruleName",
             status = { path = "/state", resolved = { "ok" } },
             url = "/ruleUrl", annotations = { image = "/imageUrl" } },
  og = { id = "/alias", title = "/message", severity = "/priority",
         labels = { entity = "/entity" } },
  am = { alerts = "/alerts", id = "/fingerprint",
         title = "/annotations/summary", group = "/labels/alertname",
         status = { path = "/status", resolved = { "resolved" } },
         severity = "/labels/severity", time = "/startsAt" },
} }
EOF
n=0
# mapped NAME FIRE [RESOLVE]: the pair through --format mapping:NAME
mapped() {
	n=$((n + 1)); OWL_DB=$(db_new "m$n")
	run "$OWL" ingest --config "$T/owl.lua" --format "mapping:$1" "$2"
	is "$RC:$OUT" "0:mapping:$1: 1 alert (1 new), 1 incident opened, 0 reopened, 0 resolved; INC-1" \
		"$1: $(basename "$2") mapped"
	[ -n "${3:-}" ] || return 0
	run "$OWL" ingest --config "$T/owl.lua" --format "mapping:$1" "$3"
	is "$RC:$OUT" "0:mapping:$1: 1 alert (0 new), 0 incidents opened, 0 reopened, 1 resolved; INC-1" \
		"$1: $(basename "$3") resolves it"
}
mapped dd "$S/datadog-default-triggered.json" "$S/datadog-default-recovered.json"
is "$("$OWL" show 1 --json | jq '(d["source"], d["title"], d["alerts"][0]["fingerprint"], d["alerts"][0]["labels"])')" \
	"('dd', '[TEST] Host Cluster Alert', '18692904', {'org': 'Puppet'})" \
	"dd: source, title and id through the regexes"
mapped cw "$S/sns-cloudwatch-alarm-notification.json" "$S/sns-cloudwatch-ok-notification.json"
is "$("$OWL" show 1 --json | jq '(d["alerts"][0]["labels"]["region"], d["alerts"][0]["annotations"]["reason"][:17])')" \
	"('Asia Pacific (Seoul)', 'Threshold Crossed')" "cw: pointers inside the SNS Message"
mapped metric "$S/sentry-metric-critical.json" "$S/sentry-metric-resolved.json"
is "$("$OWL" show 1 --json | jq '(d["severity"], d["alerts"][0]["generator_url"])')" \
	"('critical', 'https://sentry.io/organizations/baz/alerts/1/')" \
	"metric: severity from the action, kept on the resolve"
mapped kuma "$S/uptime-kuma-down.json" "$S/uptime-kuma-up.json"
mapped legacy "$S/grafana-legacy.json"
mapped og "$S/opsgenie-create-alert.json"
is "$("$OWL" show 1 --json | jq '(d["severity"], d["alerts"][0]["severity_raw"], d["alerts"][0]["labels"])')" \
	"('critical', 'P1', {'entity': 'An example entity'})" "og: P1 is critical"
n=$((n + 1)); OWL_DB=$(db_new "m$n")
run "$OWL" ingest --config "$T/owl.lua" --format mapping:am "$P/alertmanager-captured-mixed-truncated.json"
is "$RC:$OUT" "0:mapping:am: 2 alerts (2 new), 1 incident opened, 0 reopened, 0 resolved; INC-1" \
	"am: a list of alerts (alerts = POINTER)"
run "$OWL" ingest --config "$T/owl.lua" --format mapping:nope "$S/grafana-legacy.json"
is "$RC:$ERR" "2:owl: mapping nope: not in the config's mappings" "an unknown mapping"
run "$OWL" ingest --format mapping "$S/grafana-legacy.json"
like "$RC:$ERR" "^2:owl: --format mapping: which one\?" "mapping without a name"

# bad mappings are named when owl starts
bad() {
	printf 'return { mappings = { %s } }\n' "$1" >"$T/bad.lua"
	run "$OWL" ingest --config "$T/bad.lua" "$S/grafana-legacy.json"
	is "$RC:$ERR" "2:owl: $2" "bad mapping: $2"
}
bad 'x = { title = "/t" }' "config: mappings.x: id and title are required"
bad 'x = { id = "a", title = "/t" }' \
	'config: mappings.x.id: expected a JSON pointer ("/a/b") or { path = ..., match = ... }'
bad 'x = { id = "/a", title = { path = "/t", match = "(" } }' \
	"config: mappings.x.title.match: Unmatched ( or \\("
bad 'x = { id = "/a", title = "/t", colour = "/c" }' \
	"config: mappings.x.colour: unknown (id, title, status, severity, group, url, time, labels, annotations, alerts)"
bad 'generic = { id = "/a", title = "/t" }' \
	"config: mappings.generic: a name of lower-case letters, digits, - and _ that is not a format's"

# owl serve: /v1/alerts/mapping/NAME
OWL_DB=$(db_new serve)
serve_start serve --config "$T/owl.lua"
ok $? "owl serve starts"
post /v1/alerts/mapping/kuma "$S/uptime-kuma-down.json"
is "$CODE:$(printf '%s' "$BODY" | jq 'd["new_alerts"]')" "200:1" "POST /v1/alerts/mapping/kuma"
post /v1/alerts/mapping/kuma "$S/uptime-kuma-up.json"
is "$(q "SELECT state FROM incidents")" 2 "...and its up resolves"
post /v1/alerts/mapping/nope "$S/uptime-kuma-up.json"
is "$CODE" 400 "an unknown mapping: 400"
serve_stop
is "$STOP_RC" 0 "owl serve stops"

done_testing
