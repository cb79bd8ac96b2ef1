#!/bin/sh
# 18-pg-nodes.t: two `owl serve` nodes on one PostgreSQL database (issue
# 18, "Several receivers"), on a cluster of this file's own: the same
# payload delivered to both nodes, one after the other and at the same
# moment, or by a real Alertmanager whose receiver has both nodes' URLs,
# is one alert (one row, one alert.new, its deliveries counted, the
# incident's aggregates right); the flap guard reopens across nodes;
# the once-only duties (engine/duty.h) run on one node: a lease left by a
# node of another host is waited out and taken over once, logged; --pull
# of a fake Alertmanager by the lease holder only, and a resolved
# incident's silence expired there once; escalation pages a
# fake Slack once per level; `kill -9` of the holder: the other node takes
# paging and pulling over at once (same host, its process died), and the
# escalation's next level is paged once, the first not again; the action
# log's chain verifies.
. "$(dirname "$0")/lib.sh"
. "$OWL_ROOT/tests/serve-lib.sh"
. "$OWL_ROOT/tests/page-lib.sh"

pg_own_db nodes
LOAD="$OWL_ROOT/tests/nodes-load.py"
HOST=$(hostname)
# state_is WANT SQL: the query gives WANT (polled with wait_for)
state_is() { [ "$(q "$2" 2>/dev/null)" = "$1" ]; }

# a fake Alertmanager: each listing of its groups holds one new alert
# (Pull1, Pull2, ...), so that each pull stores something and says so
cat >"$T/fakeam.py" <<'EOF'
import http.server, json, sys
n = [0]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        body = b"[]"
        if self.path.startswith("/api/v2/alerts/groups"):
            n[0] += 1
            name = "Pull%d" % n[0]
            body = json.dumps([{"labels": {"alertname": name},
                "receiver": {"name": "owl"},
                "alerts": [{"labels": {"alertname": name, "severity": "warning"},
                    "annotations": {"summary": name}, "fingerprint": "f%016x" % n[0],
                    "startsAt": "2026-12-07T10:00:00.000Z",
                    "endsAt": "2099-01-01T00:00:00.000Z",
                    "updatedAt": "2026-12-07T10:00:00.000Z",
                    "receivers": [{"name": "owl"}],
                    "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}}]}]).encode()
            with open(sys.argv[2], "a") as f:
                f.write(name + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_DELETE(self):
        with open(sys.argv[2] + ".del", "a") as f:
            f.write(self.path + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(srv.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
EOF
: >"$T/am.hits"
python3 "$T/fakeam.py" "$T/am.port" "$T/am.hits" &
tap_at_exit "kill $!"
AMURL="http://127.0.0.1:$(port_of "$T/am.port")"
sink_start ok
mkdir -p "$XDG_CONFIG_HOME/owl"
cat >"$XDG_CONFIG_HOME/owl/config.lua" <<EOF
return {
  oncall = {
    people = { alice = { slack = "$SINK_ok/hooks/alice" },
               bob = { slack = "$SINK_ok/hooks/bob" } },
    delivery = { attempts = 1, backoff = "1s", timeout = "5s" },
  },
  escalation = { policies = { {
    name = "ml", labels = { team = "ml" },
    levels = { { after = "0s", notify = { "alice" } },
               { after = "15s", notify = { "bob" } } },
  } } },
}
EOF

# the database made, and the pull duty's lease left by a node of another
# host (not known dead): it must be waited out
printf '[{"id": "setup", "group": "setup", "title": "setup", "status": "resolved"}]' >"$T/setup.json"
"$OWL" ingest --format generic "$T/setup.json" >/dev/null 2>&1
# lease_json SECONDS: that node's lease, running out SECONDS from now
lease_json() {
	echo "{\"holder\":\"elsewhere:4242\",\"host\":\"elsewhere\",\"pid\":4242,\"until\":$(($(date +%s) + $1))000000}"
}
q "INSERT INTO paging_state(key, value) VALUES ('pull', '$(lease_json 600)')"

NODE_ARGS="--duty-lease 8s --pull $AMURL --pull-interval 1s --pull-grace 0"
# shellcheck disable=SC2086
serve_start a $NODE_ARGS
ok $? "node a starts"
PA=$PID PORTA=$PORT
wait_for 15 grep -q "paging: this owl serve pages" "$T/a.log"
ok $? "node a pages (it came first)"
# shellcheck disable=SC2086
serve_start b $NODE_ARGS
ok $? "node b starts on the same database"
PB=$PID PORTB=$PORT
wait_for 15 grep -q "paging: $HOST:$PA pages; standing by" "$T/b.log"
ok $? "node b stands by for paging, naming node a"
held() { # held PORT: "pager pull" flags of owl_duty_held on that node
	curl -sS -m 10 "http://127.0.0.1:$1/metrics" |
		sed -n 's/^owl_duty_held{duty="\(pager\|pull\)"} \([01]\)$/\2/p' | tr -d '\n'
}
is "$(held "$PORTA"):$(held "$PORTB")" "10:00" \
	"/metrics: owl_duty_held says node a holds paging, nobody here the pull"
like "$(curl -sS -m 10 "http://127.0.0.1:$PORTA/metrics" | python3 "$OWL_ROOT/tests/promcheck.py")" \
	"^ok: " "and the exposition stays valid"
# each node's puller says so after its own first look at the lease (a
# thread of its own: node b's may not have looked yet when its pager has)
for n in a b; do
	wait_for 15 grep -q "pull duty: elsewhere:4242 holds it; standing by" "$T/$n.log"
	ok $? "node $n waits for the other host's pull lease"
done

# --- the other host's lease expires: one node takes it over, logged
q "UPDATE paging_state SET value = '$(lease_json 0)' WHERE key = 'pull'"
took() { grep -l "pull duty: taking over from elsewhere:4242 (its lease expired)" "$T/a.log" "$T/b.log"; }
wait_for 15 took
ok $? "its lease expired: a node takes the pull duty over"
is "$(took | wc -l)" 1 "one node, not both"
PULLER=$(basename "$(took)" .log)
is "$(q "SELECT count(*) FROM actlog WHERE kind = 'duty.takeover'
	AND detail LIKE '%\"previous\":\"elsewhere:4242\"%'")" 1 \
	"the takeover is in the action log once"
like "$(q "SELECT detail FROM actlog WHERE kind = 'duty.takeover'")" \
	"\"duty\":\"pull\",\"node\":\"$HOST:[0-9]+\".*\"reason\":\"its lease expired\"" \
	"naming the duty, the node that took it and why"

# --- the same payload to both nodes
AM="$FIX/alertmanager-captured.json"
URL="http://127.0.0.1:$PORTA"
post /v1/alerts/alertmanager "$AM"
is "$CODE" 200 "node a stores a payload"
URL="http://127.0.0.1:$PORTB"
post /v1/alerts/alertmanager "$AM"
is "$CODE" 200 "node b takes the same payload"
AMFP="source = 'alertmanager' AND labels LIKE '%DiskFull%'"
is "$(q "SELECT count(*), max(count) FROM alerts WHERE $AMFP")" "1|2" \
	"one alert, delivered twice"
is "$(q "SELECT count(*) FROM actlog WHERE kind = 'alert.new' AND detail LIKE '%DiskFull%'")" 1 \
	"one alert.new for it"

# at the same moment: 30 new alerts of one group, to both nodes, 5 times
python3 - "$T/burst.json" <<'EOF'
import json, sys
alerts = [{"status": "firing", "labels": {"alertname": "Burst", "shard": str(i),
    "severity": "critical"}, "annotations": {"summary": "burst %d" % i},
    "startsAt": "2026-12-07T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
    "fingerprint": "b%015d" % i} for i in range(30)]
json.dump({"version": "4", "groupKey": "{}:{alertname=\"Burst\"}", "status": "firing",
    "receiver": "owl", "groupLabels": {"alertname": "Burst"}, "commonLabels": {},
    "commonAnnotations": {}, "externalURL": "http://am", "alerts": alerts},
    open(sys.argv[1], "w"))
EOF
codes=$(python3 "$LOAD" both "$PORTA,$PORTB" /v1/alerts/alertmanager "$T/burst.json" 5)
is "$(echo "$codes" | tr ' ' '\n' | sort | uniq -c | awk '{print $1 ":" $2}')" "10:200" \
	"concurrent deliveries to both nodes: every one answered 200"
BURST="source = 'alertmanager' AND labels LIKE '%Burst%'"
is "$(q "SELECT count(*), count(DISTINCT fingerprint), min(count), max(count) FROM alerts WHERE $BURST")" \
	"30|30|10|10" "30 alerts, one row each, each delivery counted (10)"
is "$(q "SELECT count(*) FROM actlog WHERE kind = 'alert.new' AND detail LIKE '%Burst%'")" 30 \
	"one alert.new each"
is "$(q "SELECT count(DISTINCT incident_id) FROM alerts WHERE $BURST")" 1 "in one incident"
is "$(q "SELECT alert_count, firing_count FROM incidents WHERE id =
	(SELECT min(incident_id) FROM alerts WHERE $BURST)")" "30|30" \
	"whose counts (kept incrementally by each node's writer) are right: 30 alerts, 30 firing"
# half of them resolved, to both nodes at once, 3 times
python3 - "$T/burst.json" "$T/half.json" <<'EOF2'
import json, sys
p = json.load(open(sys.argv[1]))
p["alerts"] = p["alerts"][:15]
for a in p["alerts"]:
    a["status"] = "resolved"
    a["endsAt"] = "2026-12-07T10:05:00Z"
json.dump(p, open(sys.argv[2], "w"))
EOF2
codes=$(python3 "$LOAD" both "$PORTA,$PORTB" /v1/alerts/alertmanager "$T/half.json" 3)
is "$(echo "$codes" | tr ' ' '\n' | sort | uniq -c | awk '{print $1 ":" $2}')" "6:200" \
	"15 resolves to both nodes at once, 3 times: every one answered 200"
is "$(q "SELECT alert_count, firing_count FROM incidents WHERE id =
	(SELECT min(incident_id) FROM alerts WHERE $BURST)")" "30|15" "30 alerts, 15 firing"
is "$(q "SELECT count(*) FROM actlog WHERE kind = 'alert.resolve' AND incident_id =
	(SELECT min(incident_id) FROM alerts WHERE $BURST)")" 15 \
	"one alert.resolve each"
is "$(q "SELECT count(*) FROM actlog WHERE kind = 'incident.open' AND incident_id =
	(SELECT min(incident_id) FROM alerts WHERE $BURST)")" 1 "opened once"

# the real Alertmanager (Debian's prometheus-alertmanager) with one
# receiver of two webhook URLs, one per node: every notification goes to
# both, and each alert is one alert
AMBIN=/usr/bin/prometheus-alertmanager
if [ -x "$AMBIN" ]; then
	mkdir -p "$T/am"
	cat >"$T/am.yml" <<EOF2
route:
  receiver: owl
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: owl
    webhook_configs:
      - url: 'http://127.0.0.1:$PORTA/v1/alerts/alertmanager'
        send_resolved: true
      - url: 'http://127.0.0.1:$PORTB/v1/alerts/alertmanager'
        send_resolved: true
EOF2
	am_launch() {
		"$AMBIN" --config.file="$T/am.yml" --storage.path="$T/am" \
			--web.listen-address="127.0.0.1:$REALPORT" --cluster.listen-address= \
			--web.external-url="http://127.0.0.1:$REALPORT" --log.level=warn \
			>>"$T/realam.log" 2>&1 &
		LPID=$!
	}
	listen_retry REALPORT 15 am_launch &&
		wait_for 15 curl -sf "http://127.0.0.1:$REALPORT/-/ready"
	ok $? "a real Alertmanager starts, its receiver sending to both nodes"
	twin_posts() { grep -c "POST /v1/alerts/alertmanager 200" "$1"; }
	before_a=$(twin_posts "$T/a.log") before_b=$(twin_posts "$T/b.log")
	starts=$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)
	curl -sf -X POST -H 'Content-Type: application/json' \
		"http://127.0.0.1:$REALPORT/api/v2/alerts" -d "[
		{\"labels\":{\"alertname\":\"AMTwin\",\"instance\":\"gpu-1\"},\"startsAt\":\"$starts\"},
		{\"labels\":{\"alertname\":\"AMTwin\",\"instance\":\"gpu-2\"},\"startsAt\":\"$starts\"},
		{\"labels\":{\"alertname\":\"AMTwin\",\"instance\":\"gpu-3\"},\"startsAt\":\"$starts\"}]"
	TWIN="source = 'alertmanager' AND labels LIKE '%AMTwin%'"
	both_got() {
		[ "$(twin_posts "$T/a.log")" -gt "$before_a" ] &&
			[ "$(twin_posts "$T/b.log")" -gt "$before_b" ] &&
			[ "$(q "SELECT count(*) FROM alerts WHERE $TWIN AND count >= 2")" = 3 ]
	}
	wait_for 30 both_got
	ok $? "Alertmanager notified both nodes"
	is "$(q "SELECT count(*), count(DISTINCT fingerprint), count(DISTINCT incident_id) FROM alerts WHERE $TWIN")" \
		"3|3|1" "3 alerts, one row each, in one incident"
	is "$(q "SELECT count(*) FROM actlog WHERE kind = 'alert.new' AND incident_id =
		(SELECT min(incident_id) FROM alerts WHERE $TWIN)")" 3 "one alert.new each"
else
	skip 4 "prometheus-alertmanager is not installed"
fi

# the flap guard across nodes: fired on a, resolved on b, fired again on
# a: the same incident reopened, once
printf '[{"id": "flap-1", "group": "flap", "title": "flap", "status": "%s"}]' firing >"$T/f.json"
printf '[{"id": "flap-1", "group": "flap", "title": "flap", "status": "%s"}]' resolved >"$T/r.json"
flaps=""
for step in "$PORTA f" "$PORTB r" "$PORTA f"; do
	URL="http://127.0.0.1:${step% *}"
	post /v1/alerts/generic "$T/${step#* }.json"
	flaps="$flaps$CODE "
done
is "$flaps" "200 200 200 " "fired on a, resolved on b, fired again on a"
is "$(q "SELECT count(*) FROM incidents WHERE group_key = 'flap'")" 1 "one incident"
is "$(q "SELECT kind FROM actlog WHERE incident_id = (SELECT id FROM incidents WHERE group_key = 'flap')
	AND kind LIKE 'incident.%' ORDER BY id" | tr '\n' ' ')" \
	"incident.open incident.resolve incident.reopen " "reopened by the flap guard, once"

# --- a clean stop gives the leases up: if node b won the pull duty, it
# stops, node a takes the duty at once (no lease to wait out, no
# takeover), and b comes back as a standby; node a then holds both
BLOG="$T/b.log"
if [ "$PULLER" = b ]; then
	PID=$PB
	serve_stop
	is "$STOP_RC" 0 "node b, the puller, stops cleanly"
	wait_for 5 grep -q "pull duty: this owl serve pulls" "$T/a.log"
	ok $? "node a takes the pull duty it gave up, at once"
	# shellcheck disable=SC2086
	serve_start b2 $NODE_ARGS
	PB=$PID PORTB=$PORT BLOG="$T/b2.log"
	wait_for 15 grep -q "pull duty: $HOST:$PA holds it; standing by" "$BLOG"
	ok $? "node b, started again, stands by"
else
	skip 3 "node a won the pull duty"
fi
is "$(q "SELECT count(*) FROM actlog WHERE kind = 'duty.takeover'")" 1 \
	"no takeover logged but the expired lease's"

# --- --pull: the holder pulls, the other does not
wait_for 15 sh -c "[ \$(grep -c 'pull $AMURL: 1 alert, 1 new' '$T/a.log') -ge 3 ]"
ok $? "node a pulls every second"
is "$(grep -c "pull $AMURL" "$BLOG")" 0 "node b does not pull"

# --- a silence of a resolved incident is expired once, by the holder
# of the pull duty (incident 1, "setup", resolved from the start)
: >"$T/am.hits.del"
q "INSERT INTO silences(incident_id, am_url, silence_id, created_by, created_at, ends_at)
	VALUES (1, '$AMURL', 's-twin', 't', 0, 4102444800000000)"
wait_for 15 state_is 1 "SELECT count(*) FROM silences WHERE silence_id = 's-twin' AND expired_at IS NOT NULL"
ok $? "the silence is expired"
wait_for 5 grep -q "expired silence s-twin of INC-1" "$T/a.log"
ok $? "by node a, the pull duty's holder"
is "$(cat "$T/am.hits.del")" "/api/v2/silence/s-twin" "at Alertmanager once"
is "$(grep -c "silence s-twin" "$BLOG")" 0 "node b did not touch it"
is "$(q "SELECT count(*) FROM actlog WHERE kind = 'incident.unsilence' AND incident_id = 1")" 1 \
	"one incident.unsilence"

# --- escalation: level 1 once, on the node that pages (a)
sed 's/"labels": {"alertname": "Burst"/"labels": {"alertname": "LLMDown", "team": "ml"/; s/Burst/LLMDown/g; s/"fingerprint": "b/"fingerprint": "l/g' \
	"$T/burst.json" >"$T/llm.json"
python3 "$LOAD" both "$PORTA,$PORTB" /v1/alerts/alertmanager "$T/llm.json" 1 >/dev/null
LLMQ="source = 'alertmanager' AND labels LIKE '%LLMDown%'"
LLM=$(q "SELECT min(incident_id) FROM alerts WHERE $LLMQ")
is "$(q "SELECT count(*), count(DISTINCT incident_id) FROM alerts WHERE $LLMQ")" "30|1" \
	"the paged incident's alerts, delivered to both nodes, are one each"
wait_for 15 sink_has ok 1 "d['path'] == '/hooks/alice'"
ok $? "level 1 pages alice"

# --- kill -9 node a: b takes paging over at once (same host: a died)
kill -9 "$PA"
wait "$PA" 2>/dev/null
killed=$(date +%s)
wait_for 10 grep -q "paging: taking over from $HOST:$PA (its process died)" "$BLOG"
ok $? "node b takes paging over: node a's process died"
diag "paging taken over $(( $(date +%s) - killed ))s after the kill (lease 8s)"
wait_for 10 grep -q "pull duty: taking over from $HOST:$PA (its process died)" "$BLOG"
ok $? "and the pull duty"
wait_for 15 grep -q "pull $AMURL: 1 alert, 1 new" "$BLOG"
ok $? "node b pulls now"
is "$(held "$PORTB")" 11 "/metrics of node b: it holds both duties now"
wait_for 30 state_is exhausted "SELECT state FROM escalations WHERE incident_id = $LLM"
ok $? "the escalation reaches its last level"
wait_for 15 sink_has ok 1 "d['path'] == '/hooks/bob'"
ok $? "level 2 pages bob, from node b"
wait_for 15 state_is 0 "SELECT count(*) FROM pages WHERE state = 'pending'"
is "$(sink_count ok "d['path'] == '/hooks/alice'")" 1 "alice was paged once"
is "$(sink_count ok "d['path'] == '/hooks/bob'")" 1 "bob was paged once"
is "$(q "SELECT count(*) FROM actlog WHERE incident_id = $LLM AND kind = 'escalation.level'")" 2 \
	"two levels in the action log, once each"
# who did it: the action log names the node
by() { # by KIND TEXT NODE: entries of the incident of KIND with TEXT, by NODE
	q "SELECT count(*) FROM actlog WHERE incident_id = $LLM AND kind = '$1'
		AND detail LIKE '%$2%' AND detail LIKE '%\"node\":\"$HOST:$3\"%'"
}
is "$(by escalation.level '"level":1' "$PA"):$(by escalation.level '"level":2' "$PB")" "1:1" \
	"escalation.level entries name the node that fired them: level 1 a, level 2 b"
is "$(by page.sent '"to":"alice"' "$PA"):$(by page.sent '"to":"bob"' "$PB")" "1:1" \
	"page.sent entries name the node that sent them"
is "$(q "SELECT count(*) FROM actlog WHERE kind = 'duty.takeover'
	AND detail LIKE '%\"duty\":\"pager\"%' AND detail LIKE '%\"previous\":\"$HOST:$PA\"%'")" 1 \
	"the paging takeover is in the action log once"

is "$(wc -l <"$T/am.hits.del")" 1 "the silence was not expired again after the takeover"
run "$OWL" audit verify
is "$RC" 0 "owl audit verify: one chain written by two nodes"
PID=$PB
serve_stop
is "$STOP_RC" 0 "node b stops cleanly"
is "$(q "SELECT count(*) FROM paging_state WHERE key IN ('pager', 'pull')")" 0 \
	"and gives its leases up"

# every pull stored once: as many Pull alerts as the fake answered, but
# the listing in flight when a node was killed or stopped
pulled=$(wc -l <"$T/am.hits")
stored=$(q "SELECT count(*) FROM alerts WHERE source = 'alertmanager' AND labels LIKE '%Pull%'")
ok "$([ "$stored" -le "$pulled" ] && [ "$stored" -ge $((pulled - 2)) ]; echo $?)" \
	"each listing pulled is stored once ($stored of $pulled)"
is "$(q "SELECT count(*) FROM (SELECT fingerprint FROM alerts WHERE labels LIKE '%Pull%'
	GROUP BY fingerprint HAVING count(*) > 1) d")" 0 "no pulled alert twice"

done_testing
