#!/bin/sh
# 44-serve-tls.t: `owl serve --tls-cert --tls-key` (libmicrohttpd's
# GnuTLS): certificates made here with `openssl req`, checked by
# `curl --cacert` and Python's ssl; SIGHUP loads a new certificate for
# new connections while a kept-alive one goes on; a bad reload keeps the
# old certificate; startup refusals; and the real Alertmanager posting
# its webhook over https with its tls_config.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

# mkcert NAME: a self-signed certificate for 127.0.0.1 and localhost
mkcert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=owl-test-$1" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$T/$1.key" -out "$T/$1.crt" >/dev/null 2>&1
}
mkcert one
mkcert two
ok $([ -s "$T/one.crt" ] && [ -s "$T/two.key" ]; echo $?) \
	"openssl req made two certificates"
printf 's3cret-token\n' >"$T/tokens"
cp "$T/one.crt" "$T/cur.crt"
cp "$T/one.key" "$T/cur.key"

serve_start tls --token-file "$T/tokens" --tls-cert "$T/cur.crt" \
	--tls-key "$T/cur.key" --header-timeout 60s
ok $? "owl serve starts with --tls-cert and --tls-key"
like "$(cat "$T/tls.log")" "listening on https://127\\.0\\.0\\.1:$PORT " \
	"it says it listens on https"
HTTPS="https://127.0.0.1:$PORT"
is "$(curl -sS -m 10 --cacert "$T/one.crt" "$HTTPS/healthz")" ok \
	"curl --cacert: GET /healthz over TLS"
CODE=$(curl -sS -m 10 -o "$T/.body" -w '%{http_code}' --cacert "$T/one.crt" \
	-H "Authorization: Bearer s3cret-token" \
	--data-binary @"$FIX/alertmanager-captured.json" "$HTTPS/v1/alerts/alertmanager")
is "$CODE" 200 "an alert posted over TLS: 200"
is "$(q 'SELECT count(*) FROM alerts')" 1 "...and stored"
curl -sS -m 10 -o /dev/null "$HTTPS/healthz" 2>/dev/null
ok $([ $? -ne 0 ]; echo $?) "without the CA, curl refuses the certificate"
curl -sS -m 5 -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null
ok $([ $? -ne 0 ]; echo $?) "plain HTTP to the TLS port gets no HTTP answer"
is "$(curl -sS -m 10 --cacert "$T/one.crt" "$HTTPS/healthz")" ok \
	"...and the server goes on serving TLS"

# --- SIGHUP with a kept-alive connection open: it keeps working, new
# connections get the new certificate
cat >"$T/keep.py" <<'PY'
import http.client, os, ssl, sys, time
port, ca, flag = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
def get():
    c.request("GET", "/healthz"); r = c.getresponse(); return r.status, r.read()
first = get()
sock = c.sock
open(flag, "w").close()
for _ in range(600):
    if os.path.exists(flag + ".go"): break
    time.sleep(0.05)
second = get()
print("first %d, second %d, same connection %s" % (first[0], second[0], c.sock is sock))
PY
python3 "$T/keep.py" "$PORT" "$T/one.crt" "$T/kept" >"$T/keep.out" 2>&1 &
KEEP=$!
tap_at_exit "kill $KEEP"
wait_for 30 test -f "$T/kept"
ok $? "a kept-alive TLS connection made its first request"
cp "$T/two.crt" "$T/cur.crt"
cp "$T/two.key" "$T/cur.key"
kill -HUP "$PID"
wait_for 30 grep -q "TLS certificate reloaded" "$T/tls.log"
ok $? "SIGHUP: the log says the certificate was reloaded"
like "$(cat "$T/tls.log")" "reloaded from $T/cur.crt \\(1 in the chain, expires [0-9]{4}-" \
	"...naming the file and its expiry"
touch "$T/kept.go"
wait $KEEP
is "$(cat "$T/keep.out")" "first 200, second 200, same connection True" \
	"the connection opened before the reload is not dropped"
is "$(curl -sS -m 10 --cacert "$T/two.crt" "$HTTPS/healthz")" ok \
	"a new connection gets the new certificate"
curl -sS -m 10 -o /dev/null --cacert "$T/one.crt" "$HTTPS/healthz" 2>/dev/null
ok $([ $? -ne 0 ]; echo $?) "...and no longer the old one"

# --- a broken reload keeps the certificate in use
echo "not a key" >"$T/cur.key"
kill -HUP "$PID"
wait_for 30 grep -q "reload failed" "$T/tls.log"
like "$(grep 'reload failed' "$T/tls.log")" \
	"SIGHUP: reload failed, the old certificate stays: --tls-key $T/cur.key" \
	"a bad key on SIGHUP: logged, naming the file"
is "$(curl -sS -m 10 --cacert "$T/two.crt" "$HTTPS/healthz")" ok \
	"...and the certificate in use stays"
serve_stop
is "$STOP_RC" 0 "SIGTERM: a clean exit"

# --- refusals at startup (exit 2, one line naming the file)
run "$OWL" serve --listen 127.0.0.1:0 --tls-cert "$T/one.crt"
is "$RC" 2 "--tls-cert without --tls-key: exit 2"
like "$ERR" "^owl: --tls-cert and --tls-key go together" "...saying so"
run "$OWL" serve --listen 127.0.0.1:0 --tls-cert "$T/one.crt" --tls-key "$T/two.key"
is "$RC" 2 "a key that is not the certificate's: exit 2"
like "$ERR" "^owl: --tls-key $T/two.key with --tls-cert $T/one.crt: " "...naming both"
run "$OWL" serve --listen 127.0.0.1:0 --tls-cert "$T/nope.crt" --tls-key "$T/one.key"
is "$RC" 2 "a missing certificate file: exit 2"
like "$ERR" "^owl: --tls-cert $T/nope.crt: No such file" "...naming it"

# --- the config file's serve.tls_cert and serve.tls_key
mkdir -p "$XDG_CONFIG_HOME/owl"
printf 'return { serve = { tls_cert = "%s", tls_key = "%s" } }\n' \
	"$T/one.crt" "$T/one.key" >"$XDG_CONFIG_HOME/owl/config.lua"
OWL_DB=$(db_new cfg) serve_start cfg
is "$(curl -sS -m 10 --cacert "$T/one.crt" "https://127.0.0.1:$PORT/healthz")" ok \
	"serve.tls_cert and serve.tls_key from the config"
serve_stop
rm "$XDG_CONFIG_HOME/owl/config.lua"

# --- the real Alertmanager, webhook over https with tls_config
AMBIN=/usr/bin/prometheus-alertmanager
if [ -x "$AMBIN" ]; then
	cp "$T/two.key" "$T/cur.key"
	AMDB=$(db_new am)
	OWL_DB="$AMDB" serve_start amtls --token-file "$T/tokens" \
		--tls-cert "$T/cur.crt" --tls-key "$T/cur.key"
	mkdir -p "$T/am"
	cat >"$T/am.yml" <<YML
route:
  receiver: owl
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: owl
    webhook_configs:
      - url: 'https://127.0.0.1:$PORT/v1/alerts/alertmanager'
        send_resolved: true
        http_config:
          authorization: {type: Bearer, credentials: 's3cret-token'}
          tls_config: {ca_file: '$T/two.crt'}
YML
	am_launch() { # Alertmanager on $AMPORT, in the background (LPID)
		"$AMBIN" --config.file="$T/am.yml" --storage.path="$T/am" \
			--web.listen-address="127.0.0.1:$AMPORT" \
			--cluster.listen-address= --log.level=warn \
			>>"$T/am.log" 2>&1 &
		LPID=$!
	}
	listen_retry AMPORT 30 am_launch
	wait_for 30 curl -sf "http://127.0.0.1:$AMPORT/-/ready"
	ok $? "Alertmanager is ready"
	curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
		"http://127.0.0.1:$AMPORT/api/v2/alerts" -d '[{"labels":
		{"alertname":"OverTLS","severity":"critical"},
		"annotations":{"summary":"sent over https"}}]'
	amcount() {
		[ "$(OWL_DB="$AMDB" q "SELECT count(*) FROM alerts
			WHERE labels LIKE '%OverTLS%'")" = 1 ]
	}
	wait_for 30 amcount
	ok $? "Alertmanager's webhook with tls_config delivered over https"
	like "$(cat "$T/amtls.log")" "POST /v1/alerts/alertmanager 200 .* bearer" \
		"...authenticated with its bearer token"
	serve_stop
else
	echo "# prometheus-alertmanager is not installed: skipping its tls_config"
fi

done_testing
