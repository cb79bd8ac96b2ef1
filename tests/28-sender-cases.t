#!/bin/sh
# 28-sender-cases.t: each sender's resolve semantics beyond its
# fire/resolve pair (25-senders.t), from its real sample with the
# fields its other notifications change: Datadog's $ALERT_TRANSITION
# (Triggered with its priority, Warn, No Data, Recovered), Sentry's
# critical -> warning -> resolved, CloudWatch's INSUFFICIENT_DATA, other
# SNS messages and SNS's raw message delivery, Uptime Kuma's pending and
# maintenance, Grafana legacy's alerting/no_data/ok with its image and values; and late
# deliveries (SNS and webhooks do not keep order) put in their place by
# the sender's own times.
. "$(dirname "$0")/lib.sh"

S="$OWL_ROOT/tests/fixtures/payloads/senders"
jq() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
n=0
fresh() { n=$((n + 1)); OWL_DB=$(db_new "c$n"); }
# mk SRC OUT PYTHON: OUT is sample SRC (a file of $S, or "-" for {})
# with the Python statements applied to it as d (m: SNS's Message, parsed)
mk() {
	python3 -c 'import json, sys
src, out, code = sys.argv[1:4]
d = json.load(open(src)) if src != "-" else {}
m = json.loads(d["Message"]) if "Message" in d else None
exec(code)
if m is not None: d["Message"] = json.dumps(m)
json.dump(d, open(out, "w"))' "$([ "$1" = - ] && echo - || echo "$S/$1.json")" "$T/$2.json" "$3"
}
# feed NAME...: owl ingest of each, in order (exit status of the last)
feed() { for _f in "$@"; do run "$OWL" ingest "$T/$_f.json"; done; }
st() { "$OWL" incidents --all --json | jq "[(i['state'], i['severity']) for i in d]"; }
sev() { "$OWL" show 1 --json | jq "d['alerts'][0]['severity']"; }
stale() { "$OWL" show 1 --json | jq "len([e for e in d['log'] if e['kind'] == 'alert.stale'])"; }

# --- Datadog, the recommended payload ($ALERT_TRANSITION)
DD='d.clear(); d.update({"alert_transition": "Triggered", "alert_id": "18692904",
  "alert_cycle_key": "7301", "alert_priority": "P2", "alert_scope": "host:gpu-node-3",
  "title": "[Triggered on {host:gpu-node-3}] GPU temperature", "body": "GPU over 90 C",
  "date": "1764990000000", "link": "https://app.datadoghq.com/event/event?id=55",
  "hostname": "gpu-node-3", "tags": "env:prod,team:ml", "event_type": "query_alert_monitor",
  "org": {"id": "415600", "name": "Puppet"}})'
mk - dd-trig "$DD"
mk - dd-warn "$DD; d.update(alert_transition='Warn', date='1764990060000', title='[Warn on {host:gpu-node-3}] GPU temperature')"
mk - dd-rec "$DD; d.update(alert_transition='Recovered', date='1764990120000', title='[Recovered on {host:gpu-node-3}] GPU temperature')"
mk - dd-nodata "$DD; d.update(alert_transition='No Data', alert_cycle_key='7302', date='1764990300000')"
fresh
feed dd-trig
is "$RC:$ERR:$(st)" "0:owl: detected format: datadog:[('triggered', 'error')]" \
	"Datadog Triggered: fires, P2 is error"
is "$("$OWL" show 1 --json | jq "(d['title'], d['alerts'][0]['labels']['scope'], d['alerts'][0]['generator_url'])")" \
	"('GPU temperature', 'host:gpu-node-3', 'https://app.datadoghq.com/event/event?id=55')" \
	"Datadog: the title without its transition, the scope, the event link"
feed dd-warn
is "$(st):$(sev)" "[('triggered', 'warning')]:warning" "Datadog Warn: the same alert, now a warning"
feed dd-rec
is "$(st)" "[('resolved', 'warning')]" "Datadog Recovered: resolved"
feed dd-trig
is "$OUT:$(st):$(stale)" \
	"datadog: 0 alerts (0 new), 0 incidents opened, 0 reopened, 0 resolved, 1 stale (older than what is stored; logged, not applied); INC-1:[('resolved', 'warning')]:1" \
	"Datadog: the Triggered delivered late (its date before the recovery) is stale"
feed dd-nodata
is "$OUT:$(st)" \
	"datadog: 1 alert (1 new), 0 incidents opened, 1 reopened, 0 resolved; INC-1:[('triggered', 'warning')]" \
	"Datadog No Data (a new cycle of the monitor): fires as a warning, reopening its incident (flap guard)"

# --- Sentry metric alert: critical, warning, resolved
fresh
mk sentry-metric-critical sn-warn 'd["action"] = "warning"; d["data"]["description_title"] = "Warning: Too many errors"'
mk sentry-metric-critical sn-crit ''
mk sentry-metric-resolved sn-res ''
feed sn-crit sn-warn
is "$(st):$(sev)" "[('triggered', 'warning')]:warning" "Sentry critical then warning: one alert, a warning"
feed sn-res
is "$(st)" "[('resolved', 'warning')]" "Sentry resolved: resolved"

# --- CloudWatch through SNS: INSUFFICIENT_DATA, OK, other messages
fresh
mk sns-cloudwatch-alarm-notification sns-insuf 'm["NewStateValue"] = "INSUFFICIENT_DATA"; m["OldStateValue"] = "OK"'
mk sns-cloudwatch-ok-notification sns-ok ''
feed sns-insuf
is "$(st)" "[('triggered', 'warning')]" "CloudWatch INSUFFICIENT_DATA: fires as a warning"
feed sns-ok
is "$(st)" "[('resolved', 'warning')]" "...OK resolves it"
fresh
# the alarm 10 minutes before its OK (the samples share one time)
mk sns-cloudwatch-alarm-notification sns-alarm 'm["StateChangeTime"] = "2022-11-08T02:41:18.729+0000"'
# SNS does not keep order: the OK arrives first, the ALARM it ended late
feed sns-ok sns-alarm
is "$(st):$(stale)" "[('resolved', 'warning')]:1" \
	"CloudWatch: an ALARM delivered after the OK that ended it is stale"
fresh
mk sns-cloudwatch-alarm-notification sns-plain 'd["Subject"] = "Nightly backup failed"; d["Message"] = "backup of db-1 failed\nexit 2"; m = None'
feed sns-plain
is "$RC:$(st)" "0:[('triggered', 'warning')]" "another SNS message: a firing alert"
is "$("$OWL" show 1 --json | jq "(d['title'], d['alerts'][0]['fingerprint'], d['alerts'][0]['annotations']['message'])")" \
	"('Nightly backup failed', 'arn:aws:sns:ap-northeast-2:xxxxxxxxxxx:sin-topic_admin_all-dev/Nightly backup failed', 'backup of db-1 failed\\nexit 2')" \
	"...titled by its subject, keyed by topic and subject, its message kept"

# SNS's raw message delivery (a subscription attribute): the alarm
# itself, without the envelope, recognised and resolved the same way
fresh
python3 -c 'import json, sys
for f, o in zip(sys.argv[1::2], sys.argv[2::2]):
    open(o, "w").write(json.load(open(f))["Message"])' \
	"$S/sns-cloudwatch-alarm-notification.json" "$T/raw-alarm.json" \
	"$S/sns-cloudwatch-ok-notification.json" "$T/raw-ok.json"
feed raw-alarm
is "$RC:$ERR:$(st)" "0:owl: detected format: sns:[('triggered', 'error')]" \
	"SNS raw delivery: the CloudWatch alarm alone is recognised and fires"
run "$OWL" ingest --format sns "$T/raw-ok.json"
is "$RC:$(st)" "0:[('resolved', 'error')]" "...its OK resolves the same alert"

# --- Uptime Kuma: pending fires as a warning, maintenance resolves
fresh
mk uptime-kuma-down kuma-pending 'd["heartbeat"]["status"] = 2; d["heartbeat"]["msg"] = "timeout, retrying"'
mk uptime-kuma-up kuma-maint 'd["heartbeat"]["status"] = 3; d["heartbeat"]["msg"] = "Maintenance"'
feed kuma-pending
is "$(st)" "[('triggered', 'warning')]" "Uptime Kuma pending: fires as a warning"
feed kuma-maint
is "$(st)" "[('resolved', 'warning')]" "Uptime Kuma maintenance: resolves"
fresh
mk uptime-kuma-down kuma-down ''
mk uptime-kuma-up kuma-up ''
feed kuma-up kuma-down
is "$(st):$(stale)" "[('resolved', 'warning')]:1" \
	"Uptime Kuma: a down delivered after the up that ended it is stale"

# --- Grafana legacy: a real rule (not the test button)
fresh
mk grafana-legacy gl-alerting 'd.update(ruleId=7, ruleName="GPU temperature", title="[Alerting] GPU temperature", ruleUrl="https://grafana.example.com/d/gpu?viewPanel=2", tags={"team": "ml"})'
mk grafana-legacy gl-ok 'd.update(ruleId=7, ruleName="GPU temperature", state="ok", title="[OK] GPU temperature", evalMatches=[], ruleUrl="https://grafana.example.com/d/gpu?viewPanel=2")'
mk grafana-legacy gl-nodata 'd.update(ruleId=8, ruleName="Token spend", state="no_data", title="[No Data] Token spend")'
feed gl-alerting
is "$RC:$ERR:$(st)" "0:owl: detected format: grafana-legacy:[('triggered', 'warning')]" \
	"Grafana legacy alerting: fires"
is "$("$OWL" show 1 --json | jq "(d['alerts'][0]['fingerprint'], d['alerts'][0]['labels'], d['alerts'][0]['generator_url'])")" \
	"('legacy/7', {'alertname': 'GPU temperature', 'team': 'ml'}, 'https://grafana.example.com/d/gpu?viewPanel=2')" \
	"...its rule is the alert, its tags labels, its rule URL the link"
run "$OWL" show 1
like "$OUT" "image_url: http://grafana.org/assets/img/blog/mixed_styles.png" \
	"...its imageUrl shown by owl show"
like "$OUT" 'values: \[\{"metric":"High value","tags":null,"value":100\}' \
	"...its evalMatches kept as values"
feed gl-ok
is "$(st)" "[('resolved', 'warning')]" "Grafana legacy ok: resolves"
feed gl-nodata
is "$("$OWL" incidents --all --json | jq "sorted((i['state'], i['severity']) for i in d)")" \
	"[('resolved', 'warning'), ('triggered', 'warning')]" \
	"Grafana legacy no_data: fires as a warning"

done_testing
