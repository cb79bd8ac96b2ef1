#!/bin/sh
# 21-incidents.t: `owl incidents`, `owl show`, and the actions ack,
# resolve, note, snooze, assign: output, exit codes, the action log.
. "$(dirname "$0")/lib.sh"

P="$OWL_ROOT/tests/fixtures/payloads"
q() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

newdb
run "$OWL" incidents
is "$RC:$OUT" "0:no open incidents" "empty database"
run "$OWL" incidents --json
is "$OUT" "[]" "empty --json is an empty array"

"$OWL" ingest "$P/pagerduty-events-v2-trigger.json" >/dev/null 2>&1        # INC-1 info
"$OWL" ingest "$P/alertmanager-captured-mixed-truncated.json" >/dev/null 2>&1 # INC-2 warning
"$OWL" ingest "$P/alertmanager-captured.json" >/dev/null 2>&1               # INC-3 critical
"$OWL" ingest "$P/generic-oncall-formatted-webhook.json" >/dev/null 2>&1    # INC-4 warning

run "$OWL" incidents
is "$RC" 0 "incidents exits 0"
is "$(printf '%s\n' "$OUT" | awk '{print $1}' | tr '\n' ' ')" "ID INC-3 INC-4 INC-2 INC-1 " \
	"most severe first, then newest"
like "$OUT" "^ID +STATE +SEVERITY +AGE +ALERTS +ASSIGNEE +TITLE$" "header"
like "$OUT" "^INC-3 +triggered +critical +[0-9]+s +1 +- +Disk /var is 97% full on db-1$" \
	"one aligned line per incident"

run "$OWL" incidents --json
is "$(printf '%s' "$OUT" | q 'sorted(d[0].keys())')" \
	"['acked_by', 'alert_count', 'assignee', 'ended_at', 'firing_count', 'group_key', 'id', 'last_alert_at', 'opened_at', 'resolved_at', 'severity', 'snoozed_until', 'source', 'started_at', 'state', 'title', 'truncated_alerts', 'updated_at', 'version']" \
	"--json fields"
is "$(printf '%s' "$OUT" | q '(d[0]["id"], d[0]["acked_by"], d[0]["snoozed_until"], d[0]["resolved_at"])')" \
	"(3, None, None, None)" "absent values are null"
like "$(printf '%s' "$OUT" | q 'd[0]["opened_at"]')" \
	"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$" "RFC 3339 UTC"

run "$OWL" show INC-2
is "$RC" 0 "show exits 0"
like "$OUT" "^truncated +3 more alerts not shown by the sender$" "truncation shown"
like "$OUT" "^  resolved +3764180bf635abae" "resolved alert listed"
like "$OUT" "service=数据库连接池耗尽" "labels shown"
like "$OUT" "  incident opened: " "log shown, as sentences"
unlike "$OUT" "$(printf '\033')" "no raw escape in show"
run "$OWL" show 2 --json
is "$(printf '%s' "$OUT" | q 'sorted(d["alerts"][0].keys())')" \
	"['annotations', 'count', 'ends_at', 'fingerprint', 'generator_url', 'labels', 'last_seen', 'received_ends_at', 'received_starts_at', 'severity', 'severity_raw', 'source', 'starts_at', 'status']" \
	"show --json alert fields"
is "$(printf '%s' "$OUT" | q '[a["status"] for a in d["alerts"]]')" "['resolved', 'firing']" \
	"alert status"
is "$(printf '%s' "$OUT" | q 'sorted(d["log"][0].keys())')" \
	"['actor', 'at', 'detail', 'id', 'kind']" "log entries"

run "$OWL" show 99
is "$RC:$ERR" "1:owl: no incident INC-99" "unknown incident: exit 1"
run "$OWL" show bogus
is "$RC" 2 "bad id: exit 2"
run "$OWL" ack INC-99
is "$RC:$ERR" "1:owl: no incident INC-99" "ack unknown: exit 1"

OWL_ACTOR=alice run "$OWL" ack 3 --note "looking at it"
is "$RC:$OUT" "0:INC-3 acknowledged by alice" "ack"
OWL_ACTOR=alice run "$OWL" ack 3
is "$RC:$ERR" "1:owl: INC-3 is already acknowledged by alice" "ack twice: exit 1"
run "$OWL" incidents --state acknowledged --json
is "$(printf '%s' "$OUT" | q '[(i["id"], i["acked_by"]) for i in d]')" "[(3, 'alice')]" \
	"--state acknowledged"
run "$OWL" snooze 3 30m
is "$RC:$OUT" "0:INC-3 snoozed for 30m by tester" "snooze"
run "$OWL" incidents
like "$OUT" "^INC-3 +snoozed " "snoozed shown"
run "$OWL" snooze 3 soon
is "$RC:$ERR" "2:owl: snooze: 'soon' is not a duration (e.g. 90s, 30m, 2h, 1h30m, 1d) (see: owl help snooze)" "bad duration"
run "$OWL" assign 3 bob
is "$RC:$OUT" "0:INC-3 assigned to bob by tester" "assign"
run "$OWL" note 3 "disk replaced"
is "$RC:$OUT" "0:INC-3: note added by tester" "note"
run "$OWL" note 3
is "$RC" 2 "note without text: exit 2"
v=$("$OWL" show 3 --json | q 'd["version"]')
OWL_ACTOR=bob run "$OWL" resolve 3 --note "fixed"
is "$RC:$OUT" "0:INC-3 resolved by bob" "resolve"
run "$OWL" ack 3 --if-version "$v"
like "$RC:$ERR" "^3:owl: INC-3 changed since you looked: resolved by bob [0-9]+s ago$" \
	"stale version refused with who did what: exit 3"
for act in "ack 3" "resolve 3" "snooze 3 1h" "assign 3 carol"; do
	run "$OWL" $act
	is "$RC:$ERR" "1:owl: INC-3 is already resolved" "$act on resolved: exit 1"
done
run "$OWL" note 3 "postmortem tomorrow"
is "$RC" 0 "note on a resolved incident works"
run "$OWL" incidents
unlike "$OUT" "INC-3" "resolved incident not listed by default"
run "$OWL" incidents --all
like "$OUT" "^INC-3 +resolved " "--all lists it"

run "$OWL" show 3 --json
is "$(printf '%s' "$OUT" | q '[(l["kind"], l["actor"]) for l in d["log"]][2:]')" \
	"[('incident.ack', 'alice'), ('incident.snooze', 'tester'), ('incident.assign', 'tester'), ('incident.note', 'tester'), ('incident.resolve', 'bob'), ('incident.note', 'tester')]" \
	"each action one log entry with its actor"
is "$(printf '%s' "$OUT" | q '[l["detail"] for l in d["log"] if l["kind"] == "incident.resolve"][0]')" \
	"{'after': {'acked_by': 'alice', 'state': 'resolved'}, 'auto': False, 'before': {'state': 'acknowledged'}, 'note': 'fixed'}" \
	"before/after detail with the note"
is "$(printf '%s' "$OUT" | q '(d["state"], d["assignee"], d["acked_by"])')" \
	"('resolved', 'bob', 'alice')" "final state"
run "$OWL" audit verify
is "$RC" 0 "audit chain intact"

# hostile text is escaped in every human output
printf '{"id":"evil","title":"pwn\\u001b[2J\\u001b]0;x\\u0007 \\u202eevil","status":"firing","labels":{"k\\u001b":"v\\r"}}' |
	"$OWL" ingest - >/dev/null 2>&1
run "$OWL" incidents
unlike "$OUT" "$(printf '\033')" "no ESC in incidents"
like "$OUT" 'pwn\\x1b\[2J\\x1b\]0;x\\x07 \\u202eevil' "title escaped visibly"
run "$OWL" show 5
unlike "$OUT" "$(printf '\033')" "no ESC in show"
unlike "$OUT" "$(printf '\r')" "no CR in show"

run "$OWL" help incidents
like "$OUT" "usage: owl incidents" "help incidents"
for c in ack assign ingest note resolve show snooze; do
	run "$OWL" help $c
	is "$RC" 0 "help $c"
done

done_testing
