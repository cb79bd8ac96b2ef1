#!/bin/sh
# 40-serve.t: `owl serve`, the webhook receiver: every status code, each
# kind of credential, the body ceiling, slowloris against the total
# deadline, 503 on a locked database, metrics, graceful SIGTERM with a
# request in flight, and kill -9 during a storm losing no acked alert.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

printf '# tokens\ns3cret-token\nR0UT1NGKEY0123456789abcdef012345\n' >"$T/tokens"
printf 'hmac-key-1\n' >"$T/secrets"
AM="$FIX/alertmanager-captured.json"
BEARER="Authorization: Bearer s3cret-token"

serve_start main --token-file "$T/tokens" --hmac-secret-file "$T/secrets" \
	--max-body 64k --request-timeout 2s
ok $? "owl serve starts on a loopback port"

# --- routing and methods
CODE=$(curl -sS -o "$T/.body" -w '%{http_code}' "$URL/healthz")
is "$CODE" 200 "GET /healthz: 200 without credentials"
CODE=$(curl -sS -o "$T/.body" -w '%{http_code}' -H "$BEARER" "$URL/v1/nope")
is "$CODE" 404 "unknown path: 404"
like "$(cat "$T/.body")" "no such endpoint: /v1/nope" "404 names the path"
CODE=$(curl -sS -o /dev/null -D "$T/.hdrs" -w '%{http_code}' \
	"$URL/v1/alerts/alertmanager")
is "$CODE" 405 "GET on an ingest endpoint: 405"
like "$(tr -d '\r' <"$T/.hdrs")" "^Allow: POST$" "405 says Allow: POST"
post /healthz "$AM"
is "$CODE" 405 "POST /healthz: 405"

# --- credentials
post /v1/alerts/alertmanager "$AM"
is "$CODE" 401 "no credentials: 401"
like "$HDRS" "^WWW-Authenticate: Bearer" "401 says how to authenticate"
like "$BODY" "missing credentials" "401 body: missing credentials"
post /v1/alerts/alertmanager "$AM" -H "Authorization: Bearer wrong"
is "$CODE" 401 "wrong bearer token: 401"
like "$BODY" "bad credentials" "401 body: bad credentials"
is "$(q 'SELECT count(*) FROM alerts')" 0 "nothing stored from refused requests"
post /v1/alerts/alertmanager "$AM" -H "$BEARER"
is "$CODE" 200 "bearer token: 200"
like "$BODY" '"status":"stored","alerts":1,"new_alerts":1,"incident":"INC-1"' \
	"200 body says what was stored"
is "$(q 'SELECT count(*) FROM alerts')" 1 "the alert is in the database"
post /v1/alerts/alertmanager "$AM" -u "alertmanager:s3cret-token"
is "$CODE" 200 "basic auth with the token as password: 200"
post /v1/alerts/alertmanager "$AM" -u "alertmanager:nope"
is "$CODE" 401 "basic auth with a wrong password: 401"
is "$(q 'SELECT count(*), sum(count) FROM alerts')" "1|2" \
	"a repeated delivery updates the alert, never duplicates it"

# owl's signature: X-Owl-Signature: t=TS,v1=HMAC of "TS." + the body;
# each signature is used once (replay cache), TS within 5 minutes
# owlsig SECRET FILE [TS]: the header's value
owlsig() {
	_ts=${3:-$(date +%s)}
	printf '%s.' "$_ts" >"$T/osigned"
	cat "$2" >>"$T/osigned"
	printf 't=%s,v1=%s' "$_ts" "$(hmac_hex "$1" "$T/osigned")"
}
printf '{"id":"sig-1","title":"Signed","status":"firing"}' >"$T/sfire.json"
printf '{"id":"sig-1","title":"Signed","status":"resolved"}' >"$T/sres.json"
FIRE_SIG=$(owlsig hmac-key-1 "$T/sfire.json")
post /v1/alerts/generic "$T/sfire.json" -H "X-Owl-Signature: $FIRE_SIG"
is "$CODE" 200 "X-Owl-Signature t=,v1= over the timestamp and body: 200"
like "$BODY" '"status":"stored"' "...stored"
post /v1/alerts/generic "$T/sres.json" -H "X-Owl-Signature: $(owlsig hmac-key-1 "$T/sres.json")"
is "$CODE" 200 "a signed resolve: 200"
SIGINC="(SELECT incident_id FROM alerts WHERE fingerprint = 'sig-1')"
is "$(q "SELECT state FROM incidents WHERE id = $SIGINC")" 2 "...resolved the incident"
# the firing delivery captured and sent again: answered, not applied
post /v1/alerts/generic "$T/sfire.json" -H "X-Owl-Signature: $FIRE_SIG"
is "$CODE:$BODY" '200:{"status":"duplicate","alerts":0,"new_alerts":0}' \
	"the same signed delivery again: 200 duplicate"
is "$(q "SELECT state FROM incidents WHERE id = $SIGINC")" 2 \
	"...and the replayed firing does not reopen the incident"
is "$(q "SELECT count FROM alerts WHERE fingerprint = 'sig-1'")" 2 \
	"...nor count as a delivery"
like "$(cat "$T/main.log")" "POST /v1/alerts/generic 200 .* owl-signature replay, not applied" \
	"the log names the replay"
like "$(curl -sS "$URL/metrics")" "owl_signature_replays_total 1" "...and so do the metrics"
post /v1/alerts/generic "$T/sfire.json" -H "X-Owl-Signature: $(owlsig other "$T/sfire.json")"
is "$CODE" 401 "X-Owl-Signature with another key: 401"
like "$BODY" "does not match the body" "...saying it does not match"
sed 's/Signed/Sighed/' "$T/sfire.json" >"$T/tampered.json"
post /v1/alerts/generic "$T/tampered.json" -H "X-Owl-Signature: $FIRE_SIG"
is "$CODE" 401 "X-Owl-Signature over a changed body: 401"
post /v1/alerts/generic "$T/sfire.json" \
	-H "X-Owl-Signature: $(owlsig hmac-key-1 "$T/sfire.json" $(($(date +%s) - 600)))"
is "$CODE" 401 "X-Owl-Signature signed 10 minutes ago: 401"
like "$BODY" "more than 300 s from owl's clock" "...saying why"
post /v1/alerts/alertmanager "$AM" -H "X-Owl-Signature: sha256=$(hmac_hex hmac-key-1 "$AM")"
is "$CODE" 401 "the old sha256= form (body alone, replayable for ever): 401"
like "$BODY" "sha256= signs the body alone and could be replayed for ever: send t=UNIX_TIME,v1=" \
	"...saying what to send instead"

# Grafana signs "TIMESTAMP:BODY" with the timestamp in its own header
GF="$FIX/grafana-webhook-docs-example.json"
NOW=$(date +%s)
printf '%s:' "$NOW" >"$T/gsigned"; cat "$GF" >>"$T/gsigned"
GSIG=$(hmac_hex hmac-key-1 "$T/gsigned")
post /v1/alerts/grafana "$GF" -H "X-Grafana-Alerting-Signature: $GSIG" \
	-H "X-Grafana-Alerting-Timestamp: $NOW"
is "$CODE" 200 "Grafana signature with a fresh timestamp: 200"
post /v1/alerts/grafana "$GF" -H "X-Grafana-Alerting-Signature: $GSIG" \
	-H "X-Grafana-Alerting-Timestamp: $NOW"
like "$CODE:$BODY" '^200:\{"status":"duplicate"' "the same Grafana delivery again: duplicate"
post /v1/alerts/grafana "$GF" -X PUT -H "$BEARER"
is "$CODE" 200 "Grafana may use PUT"
post /v1/alerts/generic "$GF" -X PUT -H "$BEARER"
is "$CODE" 405 "PUT elsewhere: 405"
OLD=$((NOW - 600))
printf '%s:' "$OLD" >"$T/gsigned"; cat "$GF" >>"$T/gsigned"
post /v1/alerts/grafana "$GF" -H "X-Grafana-Alerting-Signature: $(hmac_hex hmac-key-1 "$T/gsigned")" \
	-H "X-Grafana-Alerting-Timestamp: $OLD"
is "$CODE" 401 "Grafana signature 10 minutes old: 401"
post /v1/alerts/grafana "$GF" -H "X-Grafana-Alerting-Signature: $(hmac_hex hmac-key-1 "$GF")"
is "$CODE" 401 "Grafana signature without a timestamp (replayable for ever): 401"
like "$BODY" "set the contact point's HMAC timestamp header" "...saying how to fix it"

# PagerDuty senders put the credential in the body, as routing_key
sed 's/"routing_key": *"[^"]*"/"routing_key": "R0UT1NGKEY0123456789abcdef012345"/' \
	"$FIX/pagerduty-events-v2-trigger.json" >"$T/pd.json"
post /v2/enqueue "$T/pd.json"
is "$CODE" 202 "PagerDuty event with a known routing_key: 202"
is "$BODY" '{"status":"success","message":"Event processed","dedup_key":"samplekeyhere"}' \
	"202 body as PagerDuty answers"
post /v2/enqueue "$FIX/pagerduty-events-v2-trigger.json"
is "$CODE" 401 "PagerDuty event with an unknown routing_key: 401"

printf '{"id":"slash-1","title":"Posted with a trailing slash","status":"firing"}' >"$T/gen0.json"

# --- bad input
printf '{"version":"4","alerts":[' >"$T/bad.json"
post /v1/alerts/alertmanager "$T/bad.json" -H "$BEARER"
is "$CODE" 400 "truncated JSON: 400"
is "$(printf '%s\n' "$BODY" | wc -l)" 1 "400 body is one line"
like "$BODY" "^[^ ].{5,}" "400 says what is wrong"
printf '{"routing_key":"R0UT1NGKEY0123456789abcdef012345","event_action":"explode"}' >"$T/pdbad.json"
post /v2/enqueue "$T/pdbad.json"
is "$CODE" 400 "PagerDuty event with a bad event_action: 400"
like "$BODY" '^\{"status":"invalid event".*"errors":\[".*event_action' \
	"400 on /v2/enqueue in PagerDuty's error shape"

# --- body ceiling (64k here)
python3 -c 'print("{\"alerts\":[\"" + "x" * 70000 + "\"]}")' >"$T/big.json"
post /v1/alerts/alertmanager "$T/big.json" -H "$BEARER"
is "$CODE" 413 "body over --max-body: 413"
post /v1/alerts/alertmanager "$T/big.json" -H "$BEARER" -H "Transfer-Encoding: chunked"
is "$CODE" 413 "chunked body over --max-body: 413"
# a Content-Length of 100 MB and no body: answered at once, unread
cat >"$T/cl.py" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"POST /v1/alerts/alertmanager HTTP/1.1\r\nHost: x\r\n"
          b"Authorization: Bearer s3cret-token\r\n"
          b"Content-Length: 100000000\r\n\r\n")
print(s.recv(200).split(b"\r\n")[0].decode())
EOF
is "$(python3 "$T/cl.py" "$PORT")" "HTTP/1.1 413 Content Too Large" \
	"Content-Length over the limit: 413 before any body byte"

# --- slowloris: one byte every 0.3 s never finishes its headers; a
# normal client is served meanwhile, and the drip is cut at the header
# deadline (2 s) although it is never idle
cat >"$T/drip.py" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
req = b"POST /v1/alerts/alertmanager HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40
sent = 0
try:
    for b in req:
        s.send(bytes([b])); sent += 1
        if sent == 1:
            open(sys.argv[2], "w").close()  # dripping
        time.sleep(0.3)
    print("finished"); sys.exit(0)
except OSError:
    pass
print("cut after", sent, "bytes")
EOF
python3 "$T/drip.py" "$PORT" "$T/dripping" >"$T/drip.out" 2>&1 &
DRIP=$!
tap_at_exit "kill $DRIP"
wait_for 10 test -e "$T/dripping"
post /v1/alerts/alertmanager "$AM" -H "$BEARER"
is "$CODE" 200 "a normal client is served while a slowloris drips"
wait $DRIP
like "$(cat "$T/drip.out")" "^cut after [0-9]+ bytes" \
	"the dripping client is cut at the header deadline"
like "$(curl -sS "$URL/metrics")" "owl_header_timeouts_total [1-9]" \
	"the cut is counted in the metrics"
# the body's own deadline (--request-timeout 2s): headers sent at once,
# then the body a byte every 0.3 s
cat >"$T/dripbody.py" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"POST /v1/alerts/alertmanager HTTP/1.1\r\nHost: x\r\n"
          b"Authorization: Bearer s3cret-token\r\nContent-Length: 100\r\n\r\n")
sent = 0
try:
    for _ in range(40):
        s.send(b" "); sent += 1
        time.sleep(0.3)
    print("finished"); sys.exit(0)
except OSError:
    pass
print("cut after", sent, "body bytes")
EOF
python3 "$T/dripbody.py" "$PORT" >"$T/dripbody.out" 2>&1
like "$(cat "$T/dripbody.out")" "^cut after [0-9]+ body bytes" \
	"a body dripping a byte every 0.3 s is cut at --request-timeout"
like "$(curl -sS "$URL/metrics")" "owl_request_timeouts_total [1-9]" \
	"that cut is counted apart"

# --- 503 while another process holds the write lock
# (SQLite's one-writer lock, taken with BEGIN IMMEDIATE by another
# process: PostgreSQL has no database-wide write lock)
if sqlite_only "SQLite's write lock held by another process"; then
	cat >"$T/lock.py" <<'EOF'
import sqlite3, subprocess, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
path = sys.argv[4] if len(sys.argv) > 4 else "/v1/alerts/alertmanager"
r = subprocess.run(["curl", "-sS", "-m", "10", "-D", "-",
    "-H", "Authorization: Bearer s3cret-token", "--data-binary", "@" + sys.argv[3],
    sys.argv[2] + path], capture_output=True, text=True)
db.execute("ROLLBACK")
print(r.stdout.replace("\r", ""))
EOF
	OUT=$(python3 "$T/lock.py" "$OWL_DB" "$URL" "$AM")
	like "$OUT" "^HTTP/1.1 503" "database locked by another writer: 503"
	like "$OUT" "Retry-After: 1" "503 says when to retry"
	post /v1/alerts/alertmanager "$AM" -H "$BEARER"
	is "$CODE" 200 "after the lock is gone: 200 again"
	# /healthz while another process holds the lock: 503, then ok again
	cat >"$T/lockhealth.py" <<'EOF'
import os, sqlite3, sys, time, urllib.request, urllib.error
def health():
    try:
        with urllib.request.urlopen(sys.argv[2] + "/healthz", timeout=10) as r:
            return r.status, r.read().decode().strip()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode().strip()
def until(code):
    end = time.time() + 20
    while time.time() < end:
        got = health()
        if got[0] == code:
            return got
        time.sleep(0.2)
    return got
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print(os.getpid(), flush=True)
locked = until(503)
req = urllib.request.Request(sys.argv[2] + "/v1/alerts/generic",
    data=b'{"id":"during-lock","title":"t","status":"firing"}',
    headers={"Authorization": "Bearer s3cret-token"})
try:
    post = urllib.request.urlopen(req, timeout=10).status
except urllib.error.HTTPError as e:
    post = e.code
db.execute("ROLLBACK")
print("locked: %d %s; post: %d; free: %d %s" % (locked + (post,) + until(200)))
EOF
	python3 "$T/lockhealth.py" "$OWL_DB" "$URL" >"$T/lockhealth.out"
	LOCKER=$(head -1 "$T/lockhealth.out")
	like "$(sed 1d "$T/lockhealth.out")" \
		"^locked: 503 database: database is locked by another process, pid $LOCKER \(python3 $T/lockhealth.py [^)]*\); post: 503; free: 200 ok$" \
		"/healthz: 503 naming the process that holds the write lock, 200 once it is gone (no write needed)"
fi

# --- every error under /v2/ in PagerDuty's JSON shape (pdjs crashed on a
# text 404, Zabbix reports a "non-JSON object")
# pdcheck: the body is {"status": S, "message": M, "errors": [REASON]}
pdcheck() {
	printf '%s' "$1" | python3 -c 'import json, sys
d = json.load(sys.stdin)
assert sorted(d) == ["errors", "message", "status"], d
assert isinstance(d["status"], str) and isinstance(d["message"], str)
assert isinstance(d["errors"], list) and all(isinstance(e, str) for e in d["errors"])
print("pd:", d["errors"][0])'
}
if sqlite_only "SQLite's write lock held by another process"; then
	OUT=$(python3 "$T/lock.py" "$OWL_DB" "$URL" "$T/pd.json" /v2/enqueue)
	like "$OUT" "^HTTP/1.1 503" "/v2/enqueue, database locked: 503"
	like "$OUT" "Content-Type: application/json" "...as JSON"
	like "$(pdcheck "$(printf '%s\n' "$OUT" | sed '1,/^$/d')")" "^pd: .*locked" \
		"...in PagerDuty's error shape, with the reason"
fi
post /v2/enqueue "$FIX/pagerduty-events-v2-trigger.json"
is "$CODE:$(pdcheck "$BODY")" "401:pd: bad or missing credentials" \
	"/v2/enqueue 401 in PagerDuty's error shape"
post /v2/nope "$T/pd.json"
is "$CODE:$(pdcheck "$BODY")" "404:pd: no such endpoint: /v2/nope" \
	"/v2/ 404 in PagerDuty's error shape"
like "$HDRS" "Content-Type: application/json" "...as JSON"
CODE=$(curl -sS -o "$T/.body" -w '%{http_code}' "$URL/v2/enqueue")
is "$CODE:$(pdcheck "$(cat "$T/.body")")" "405:pd: /v2/enqueue takes POST" \
	"/v2/ 405 in PagerDuty's error shape"
python3 -c 'import json; print(json.dumps({"routing_key": "R0UT1NGKEY0123456789abcdef012345",
    "event_action": "trigger", "payload": {"summary": "x" * 70000}}))' >"$T/pdbig.json"
post /v2/enqueue "$T/pdbig.json"
like "$CODE:$(pdcheck "$BODY")" "^413:pd: body of [0-9]+ bytes is over the limit" \
	"/v2/ 413 in PagerDuty's error shape"
post /v1/nope "$T/pd.json"
is "$CODE:$BODY" "404:no such endpoint: /v1/nope" "elsewhere errors stay one line of text"

# --- node-pagerduty sends "Authorization: Token token=..." to the Events
# API: on /v2/ a header that is not an owl credential is ignored and the
# routing_key decides
post /v2/enqueue "$T/pd.json" -H "Authorization: Token token=y_NbAkKc66ryYTWUXYEu"
is "$CODE" 202 "node-pagerduty's Token header, a valid routing_key: 202"
post /v2/enqueue "$T/pd.json" -H "Authorization: Bearer not-an-owl-token"
is "$CODE" 202 "a foreign bearer token, a valid routing_key: 202"
post /v2/enqueue "$FIX/pagerduty-events-v2-trigger.json" \
	-H "Authorization: Token token=y_NbAkKc66ryYTWUXYEu"
is "$CODE" 401 "a Token header and an unknown routing_key: 401"
post /v1/alerts/alertmanager "$AM" -H "Authorization: Token token=y_NbAkKc66ryYTWUXYEu"
is "$CODE" 401 "elsewhere a header that is not an owl credential: 401"

# --- a trailing slash on every endpoint
post /v1/alerts/alertmanager/ "$AM" -H "$BEARER"
is "$CODE" 200 "POST /v1/alerts/alertmanager/: 200"
post /v1/alerts/grafana/ "$GF" -H "$BEARER"
is "$CODE" 200 "POST /v1/alerts/grafana/: 200"
post /v1/alerts/generic/ "$T/gen0.json" -H "$BEARER"
is "$CODE" 200 "POST /v1/alerts/generic/: 200"
post /v2/enqueue/ "$T/pd.json"
is "$CODE" 202 "POST /v2/enqueue/: 202"
is "$(curl -sS "$URL/healthz/")" ok "GET /healthz/: ok"
like "$(curl -sS "$URL/metrics/")" "^# HELP " "GET /metrics/: the metrics"
post /v1/alerts/generic// "$T/gen0.json" -H "$BEARER"
is "$CODE" 404 "two trailing slashes: 404"

# --- metrics
M=$(curl -sS "$URL/metrics")
like "$M" 'owl_http_requests_total\{endpoint="alertmanager",code="401"\} [1-9]' \
	"metrics: requests by endpoint and status"
like "$M" 'owl_alerts_received_total\{endpoint="alertmanager"\} [1-9]' \
	"metrics: alerts received"
like "$M" 'owl_ingest_latency_seconds_bucket\{le="\+Inf"\} [1-9]' \
	"metrics: ingest latency histogram"
if db_is_pg; then # the write-lock cases above are SQLite's
	like "$M" 'owl_db_errors_total [0-9]' "metrics: database errors (counted)"
else
	like "$M" 'owl_db_errors_total [1-9]' "metrics: database errors (the write locks above)"
fi
like "$M" "owl_incidents_open $(q 'SELECT count(*) FROM incidents WHERE state <> 2')" \
	"metrics: open incidents, as the database says"
like "$(printf '%s\n' "$M" | python3 "$OWL_ROOT/tests/promcheck.py")" "^ok: " \
	"metrics: valid Prometheus text format (strict checker)"
like "$M" "owl_build_info\\{version=\"$("$OWL" version | sed -n '1s/^owl //p')\",libmicrohttpd=\"0\\.9\\.[0-9]+\",gnutls=\"[0-9.]+\",sqlite=\"3\\.[0-9.]+\"\\} 1" \
	"metrics: owl_build_info with owl's version and its libraries'"
printf '%s\n' "$M" | python3 -c 'import sys, time
m = {l.split()[0]: float(l.split()[1]) for l in sys.stdin if l.startswith("process_")}
rss, fds, mx, cpu, start = (m.get(k, -1) for k in ("process_resident_memory_bytes",
    "process_open_fds", "process_max_fds", "process_cpu_seconds_total",
    "process_start_time_seconds"))
now = time.time()
ok = 1 << 20 < rss < 1 << 32 and 5 < fds < mx and 0 < cpu < 3600 and now - 3600 < start <= now + 1
print("process ok" if ok else "process wrong: %r" % m)' >"$T/proc.out"
is "$(cat "$T/proc.out")" "process ok" \
	"metrics: process_* (RSS, CPU, open and max fds, start time) hold plausible values"
like "$(cat "$T/main.log")" \
	"POST /v1/alerts/alertmanager 200 [0-9]+ [0-9.]+ms 127.0.0.1 bearer" \
	"one log line per request: method, path, status, bytes, ms"
# what clients send reaches the log sanitised: a C1 CSI and an RTL
# override in the path (anyone), escapes in a basic-auth user name
curl -sS -o /dev/null "$URL/v1/%c2%9b31m%e2%80%aeevil"
post /v1/alerts/alertmanager "$AM" \
	-H "Authorization: Basic $(printf '\033]0;x\007:s3cret-token' | base64)"
is "$CODE" 200 "a basic-auth user name with escapes: accepted"
like "$(cat "$T/main.log")" 'GET /v1/\\u009b31m\\u202eevil 404' \
	"log: a path's controls are shown escaped"
like "$(cat "$T/main.log")" 'basic:\\x1b\]0;x\\x07' \
	"log: a user name's controls are shown escaped"
is "$(LC_ALL=C grep -c "$(printf '\033\\|\302\233\\|\342\200\256')" "$T/main.log")" 0 \
	"log: no raw ESC, C1 or bidi control"

# --- SIGTERM with a request in flight: it is answered and stored. Its
# own server, with a body deadline that a loaded machine cannot reach
serve_stop
is "$STOP_RC" 0 "SIGTERM with nothing in flight: exits 0"
serve_start drain --token-file "$T/tokens" --request-timeout 60s
cat >"$T/inflight.py" <<'EOF'
import os, socket, sys, time
port, body, flag = int(sys.argv[1]), open(sys.argv[2], "rb").read(), sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=60)
s.sendall(b"POST /v1/alerts/generic HTTP/1.1\r\nHost: x\r\n"
          b"Authorization: Bearer s3cret-token\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
open(flag, "w").close()
for _ in range(1200):
    if os.path.exists(flag + ".go"): break
    time.sleep(0.05)
else:
    print("never told to go on"); sys.exit(1)
s.sendall(body[10:])
print(s.recv(1000).split(b"\r\n")[0].decode())
EOF
printf '{"id":"inflight-1","title":"Sent across SIGTERM","status":"firing"}' >"$T/gen.json"
LEN=$(wc -c <"$T/gen.json")
python3 "$T/inflight.py" "$PORT" "$T/gen.json" "$T/half" >"$T/inflight.out" 2>&1 &
INF=$!
tap_at_exit "kill $INF"
wait_for 30 test -f "$T/half"
ok $? "a client sent the headers and 10 of $LEN body bytes"
# owl has the request: its announced body is counted in flight
wait_for 30 sh -c "curl -sS -m 5 '$URL/metrics' | grep -qx 'owl_body_bytes_in_flight $LEN'"
ok $? "owl holds that request (owl_body_bytes_in_flight $LEN)"
kill -TERM "$PID"
wait_for 30 grep -q "draining" "$T/drain.log"
ok $? "SIGTERM: the log says it drains"
# draining: the listening socket is closed, the request is still open
wait_for 30 sh -c "! curl -sS -m 5 -o /dev/null '$URL/healthz'"
ok $? "while draining, new connections are refused"
is "$(cat "$T/inflight.out")" "" "the request in flight has no answer yet"
touch "$T/half.go"
wait $INF
is "$(cat "$T/inflight.out")" "HTTP/1.1 200 OK" \
	"the rest of its body sent after SIGTERM, the request is answered 200"
serve_stop
is "$STOP_RC" 0 "SIGTERM: exits 0 after draining"
is "$(q "SELECT count(*) FROM alerts WHERE source = 'generic' AND fingerprint = 'inflight-1'")" 1 \
	"the in-flight request's alert is committed"
is "$(awk -v len="$LEN" '/draining/ { d = 1 }
	$0 ~ "POST /v1/alerts/generic 200 " len " " { print d ? "after" : "before" }' \
	"$T/drain.log")" "after" "the log shows it answered after the drain began"

# --- refusals at startup
run "$OWL" serve --listen 0.0.0.0:0
is "$RC" 3 "non-loopback listen without auth: refused (exit 3)"
like "$ERR" "refusing to listen on 0.0.0.0:0 without auth" "refusal says why"
run "$OWL" serve --listen nowhere
is "$RC" 2 "a malformed --listen: exit 2"
run "$OWL" serve --token-file "$T/nonexistent"
is "$RC" 2 "a missing token file: exit 2"
run "$OWL" serve --duty-lease 1s
like "$RC:$ERR" "^2:owl: --duty-lease: 1s is too short \\(at least 3s\\)" \
	"a duty lease shorter than 3s: exit 2, said"

# --- kill -9 during a storm: every acknowledged alert is on disk
serve_start storm --token-file "$T/tokens" --quiet
cat >"$T/storm.py" <<'EOF'
import http.client, json, sys, threading, time
port, ackfile, stop = int(sys.argv[1]), sys.argv[2], time.time() + 30
lock = threading.Lock()
acked = open(ackfile, "w")
def worker(w):
    n = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    while time.time() < stop:
        n += 1
        fp = "storm-%d-%d" % (w, n)
        body = json.dumps({"id": fp, "title": "storm " + fp, "status": "firing"})
        try:
            conn.request("POST", "/v1/alerts/generic", body,
                {"Authorization": "Bearer s3cret-token", "Content-Type": "application/json"})
            r = conn.getresponse(); r.read()
        except Exception:
            return
        if r.status == 200:
            with lock:
                acked.write(fp + "\n"); acked.flush()
ts = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
for t in ts: t.start()
for t in ts: t.join()
EOF
python3 "$T/storm.py" "$PORT" "$T/acked" &
STORM=$!
tap_at_exit "kill $STORM"
wait_for 30 sh -c "[ \$(wc -l <'$T/acked') -ge 200 ]"
kill -9 "$PID"
wait $STORM
ACKED=$(wc -l <"$T/acked")
ok $([ "$ACKED" -ge 200 ]; echo $?) "the storm got $ACKED acknowledgements before kill -9"
sort -u "$T/acked" >"$T/acked.sorted"
q "SELECT fingerprint FROM alerts WHERE fingerprint LIKE 'storm-%'" | sort -u >"$T/stored"
MISSING=$(comm -23 "$T/acked.sorted" "$T/stored" | wc -l)
is "$MISSING" 0 "every acknowledged alert is in the database after kill -9"
if sqlite_only "PRAGMA integrity_check"; then
	is "$(q 'PRAGMA integrity_check')" ok "PRAGMA integrity_check: ok"
fi

# --- past the file size limit (ulimit -f, systemd's LimitFSIZE=) a write
# fails with EFBIG: a 503 to retry, and the daemon lives on (SIGXFSZ
# killed it, with every request in flight). SQLite: owl writes the file.
OWL_DB="$T/fsize.db" serve_start fsize --quiet
prlimit --pid "$PID" --fsize=200000:
python3 -c 'import json; print(json.dumps([{"id": "wide-%d" % i,
    "title": "x" * 2000, "status": "firing"} for i in range(100)]))' >"$T/wide.json"
post /v1/alerts/generic "$T/wide.json"
is "$CODE" 503 "a write past the file size limit: 503"
CODE=$(curl -sS -o "$T/.body" -w '%{http_code}' "$URL/healthz")
is "$CODE" 503 "...and owl serve lives on, /healthz says it cannot store (503)"
like "$(cat "$T/.body")" "^database: the last write failed: " "...and why"
prlimit --pid "$PID" --fsize=unlimited:
post /v1/alerts/generic "$T/wide.json"
is "$CODE" 200 "the limit lifted: 200 again"
is "$(curl -sS "$URL/healthz")" ok "...and /healthz is ok again"
serve_stop
is "$STOP_RC:$(OWL_DB="$T/fsize.db" q 'PRAGMA integrity_check')" 0:ok \
	"then a clean stop and an intact database"

# --- a decimal-comma locale (LANG=de_DE.UTF-8 and the like) stays out
# of /metrics: Prometheus refuses "0,00025"
printf 'LC_NUMERIC\ndecimal_point ","\nthousands_sep ""\ngrouping -1\nEND LC_NUMERIC\n' \
	>"$T/comma.src"
mkdir -p "$T/loc"
localedef -c -f UTF-8 -i "$T/comma.src" "$T/loc/comma" >/dev/null 2>&1
is "$(LOCPATH="$T/loc" LC_ALL=comma python3 -c 'import locale
locale.setlocale(locale.LC_ALL, ""); print(locale.localeconv()["decimal_point"])')" \
	"," "the test locale has a decimal comma"
SERVE_ENV="LOCPATH=$T/loc LC_ALL=comma" OWL_DB=$(db_new comma) serve_start comma --quiet
post /v1/alerts/generic "$T/gen.json"
M=$(curl -sS "$URL/metrics")
like "$M" 'owl_ingest_latency_seconds_bucket\{le="0\.00025"\}' \
	"metrics under a decimal-comma locale: le with a point"
like "$(printf '%s\n' "$M" | python3 "$OWL_ROOT/tests/promcheck.py")" "^ok: " \
	"metrics under a decimal-comma locale: valid for Prometheus"
serve_stop

# --- an Alertmanager URL with credentials: the log never shows them
OWL_DB=$(db_new pull) serve_start pullcred --pull "http://admin:hunter2@127.0.0.1:1"
wait_for 10 grep -q "pull http" "$T/pullcred.log"
like "$(cat "$T/pullcred.log")" 'pull http://\*\*\*@127\.0\.0\.1:1: alertmanager http://\*\*\*@127' \
	"a failing pull is logged with the URL's credentials masked"
unlike "$(cat "$T/pullcred.log")" "hunter2" "...and the password nowhere"
serve_stop

# --- expiring silences at an Alertmanager that fails: one try per round
# and Alertmanager, then a pause (one that hangs, 10 s a request, held up
# every --pull while it was tried for each silence, every 2 s)
cat >"$T/fakeam.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, code, body):
        open(sys.argv[2], "a").write(self.command + " " + self.path + "\n")
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self): self.answer(200, b"[]")
    def do_DELETE(self): self.answer(500, b"broken")
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(srv.server_address[1]))
srv.serve_forever()
EOF
python3 "$T/fakeam.py" "$T/fakeam.port" "$T/fakeam.hits" &
tap_at_exit "kill $!"
AMPORT=$(port_of "$T/fakeam.port")
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$AMPORT/api/v2/alerts"
SILDB=$(db_new sil)
OWL_DB="$SILDB" "$OWL" ingest "$AM" >/dev/null 2>&1
OWL_DB="$SILDB" db_sql "INSERT INTO silences(incident_id, am_url, silence_id,
	created_by, created_at, ends_at) VALUES
	(1, 'http://127.0.0.1:$AMPORT', 's-1', 't', 0, 4102444800000000),
	(1, 'http://127.0.0.1:$AMPORT', 's-2', 't', 0, 4102444800000000)"
OWL_DB="$SILDB" "$OWL" resolve 1 >/dev/null
OWL_DB="$SILDB" serve_start silfail --pull "http://127.0.0.1:$AMPORT" \
	--pull-interval 1s
wait_for 10 grep -q "silence s-1 of INC-1" "$T/silfail.log"
wait_for 10 sh -c "curl -sS '$URL/metrics' | grep -q 'owl_pull_success_total [2-9]'"
like "$(cat "$T/silfail.log")" "silence s-1 of INC-1: alertmanager .*HTTP 500: broken" \
	"a failed expiry is logged"
is "$(grep -c DELETE "$T/fakeam.hits")" 1 \
	"the failing Alertmanager is not tried again for its next silence"
serve_stop

# --- the pull duty's lease is renewed by the writer, on its connection
# (another connection's commit would empty the writer's page cache): an
# idle owl serve's renewals are the writer's commits, no request's
OWL_DB=$(db_new lease) serve_start lease --duty-lease 3s
wait_for 30 sh -c "curl -sS '$URL/metrics' | grep -q '^owl_commits_total [3-9]'"
ok $? "idle, the lease is renewed in the writer's commits"
M=$(curl -sS "$URL/metrics")
like "$M" "owl_committed_requests_total 0" "and no request is counted for them"
like "$M" 'owl_duty_held\{duty="pull"\} 1' "the pull duty is held"
serve_stop
is "$STOP_RC" 0 "and owl serve stops cleanly"

# --- the config file fills in what the flags leave unset
mkdir -p "$XDG_CONFIG_HOME/owl"
printf 'return { serve = { token_file = "%s" } }\n' "$T/tokens" \
	>"$XDG_CONFIG_HOME/owl/config.lua"
OWL_DB=$(db_new config) serve_start cfg
ok $? "owl serve starts with the config's serve table"
like "$(cat "$T/cfg.log")" "auth: tokens" "serve.token_file from the config enables auth"
post /v1/alerts/alertmanager "$AM"
is "$CODE" 401 "config tokens: no credentials, 401"
post /v1/alerts/alertmanager "$AM" -H "$BEARER"
is "$CODE" 200 "config tokens: the token from the file, 200"
serve_stop
echo 'return { serve = { pull = { "ftp://x" } } }' >"$XDG_CONFIG_HOME/owl/config.lua"
run "$OWL" serve --listen 127.0.0.1:0
is "$RC" 2 "a bad serve.pull in the config: exit 2"
like "$ERR" "^owl: config: serve.pull: " "a bad serve.pull in the config: says where"
rm "$XDG_CONFIG_HOME/owl/config.lua"

done_testing
