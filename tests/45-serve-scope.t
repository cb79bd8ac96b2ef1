#!/bin/sh
# 45-serve-scope.t: what a webhook sender may make owl do. `owl silence`
# sends silences only to an Alertmanager the operator named (the config's
# alertmanagers or serve.pull, --pull, --alertmanager), never to an
# externalURL a webhook chose; and a token may be limited to endpoints,
# so that the Alertmanager's token cannot post elsewhere and another
# sender's cannot pose as Alertmanager.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

# A fake Alertmanager that records each request (method, path and the
# Authorization header) and answers a silence id.
cat >"$T/fakeam.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path,
                                    self.headers.get("Authorization", "-")))
        body = b'{"silenceID":"s-fake-1"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(srv.server_address[1]))
srv.serve_forever()
EOF
python3 "$T/fakeam.py" "$T/fakeam.port" "$T/hits" &
tap_at_exit "kill $!"
AMPORT=$(port_of "$T/fakeam.port")
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$AMPORT/"
: >"$T/hits"

# a webhook whose externalURL points at it, as anyone who can post one
# could make it
sed "s|\"externalURL\": *\"[^\"]*\"|\"externalURL\": \"http://127.0.0.1:$AMPORT\"|" \
	"$FIX/alertmanager-captured.json" >"$T/hook.json"
grep -q "127.0.0.1:$AMPORT" "$T/hook.json"
ok $? "a webhook naming its own externalURL"
"$OWL" ingest --format alertmanager "$T/hook.json" >/dev/null 2>&1
INC=$(q "SELECT id FROM incidents")
is "$(q "SELECT sender_url FROM incidents WHERE id = $INC")" "http://127.0.0.1:$AMPORT" \
	"the incident keeps it"
run "$OWL" silence "INC-$INC" --for 1h
is "$RC" 3 "owl silence to an Alertmanager the config does not list: refused (exit 3)"
like "$ERR" "^owl: INC-$INC: its webhook named the Alertmanager http://127.0.0.1:$AMPORT, which the config does not list: add it to alertmanagers" \
	"...saying what to do"
is "$(cat "$T/hits")" "" "...and nothing was sent there"

# listed in the config (with credentials): the config's URL is used
mkdir -p "$XDG_CONFIG_HOME/owl"
printf 'return { alertmanagers = { "http://owl:pw@127.0.0.1:%s/" } }\n' "$AMPORT" \
	>"$XDG_CONFIG_HOME/owl/config.lua"
run "$OWL" silence "INC-$INC" --for 1h
is "$RC" 0 "listed in the config's alertmanagers: owl silence goes there"
is "$(cat "$T/hits")" "POST /api/v2/silences Basic $(printf 'owl:pw' | base64)" \
	"...with the config's URL and its credentials"
run "$OWL" unsilence "INC-$INC"
: >"$T/hits"
# serve.pull counts as listed
printf 'return { serve = { pull = "http://127.0.0.1:%s" } }\n' "$AMPORT" \
	>"$XDG_CONFIG_HOME/owl/config.lua"
run "$OWL" silence "INC-$INC" --for 1h
is "$RC" 0 "listed as the config's serve.pull: allowed"
# --alertmanager is the operator's own choice
rm "$XDG_CONFIG_HOME/owl/config.lua"
run "$OWL" unsilence "INC-$INC"
run "$OWL" silence "INC-$INC" --for 1h --alertmanager "http://127.0.0.1:$AMPORT"
is "$RC" 0 "--alertmanager URL: allowed without the config"

# --- tokens limited to endpoints
printf '%s\n' "# the Alertmanager's, and a PagerDuty sender's" \
	"am-token /v1/alerts/alertmanager" \
	"R0UT1NGKEY0123456789abcdef012345 /v2/enqueue" \
	"any-token" >"$T/tokens"
OWL_DB=$(db_new serve) serve_start scope --token-file "$T/tokens"
ok $? "owl serve starts with tokens limited to endpoints"
post /v1/alerts/alertmanager "$T/hook.json" -H "Authorization: Bearer am-token"
is "$CODE" 200 "the Alertmanager's token on its endpoint: 200"
post /v1/alerts/alertmanager/ "$T/hook.json" -H "Authorization: Bearer am-token"
is "$CODE" 200 "...with a trailing slash too"
printf '{"id":"x","title":"t","status":"firing"}' >"$T/gen.json"
post /v1/alerts/generic "$T/gen.json" -H "Authorization: Bearer am-token"
is "$CODE" 401 "...on another endpoint: 401"
post /v1/alerts/generic "$T/gen.json" -u "am:am-token"
is "$CODE" 401 "...nor as basic auth's password"
post /v1/alerts/alertmanager "$T/hook.json" \
	-H "Authorization: Bearer R0UT1NGKEY0123456789abcdef012345"
is "$CODE" 401 "a routing key limited to /v2/enqueue cannot pose as Alertmanager"
sed 's/"routing_key": *"[^"]*"/"routing_key": "R0UT1NGKEY0123456789abcdef012345"/' \
	"$FIX/pagerduty-events-v2-trigger.json" >"$T/pd.json"
post /v2/enqueue "$T/pd.json"
is "$CODE" 202 "...and is the routing_key on /v2/enqueue: 202"
sed 's/"routing_key": *"[^"]*"/"routing_key": "am-token"/' \
	"$FIX/pagerduty-events-v2-trigger.json" >"$T/pdam.json"
post /v2/enqueue "$T/pdam.json"
is "$CODE" 401 "the Alertmanager's token as a routing_key: 401"
post /v1/alerts/generic "$T/gen.json" -H "Authorization: Bearer any-token"
is "$CODE" 200 "a token limited to nothing: every endpoint"
serve_stop
printf 'tok v1/alerts/generic\n' >"$T/badtokens"
run "$OWL" serve --listen 127.0.0.1:0 --token-file "$T/badtokens"
is "$RC" 2 "a token line with something that is not an endpoint: exit 2"
like "$ERR" "badtokens:1: 'v1/alerts/generic': want an endpoint such as /v1/alerts/alertmanager" \
	"...naming the file, line and word"

done_testing
