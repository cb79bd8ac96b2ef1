#!/bin/sh
# 81-page.t: `owl page` through every channel, against loopback
# receivers that check what is sent (Slack-compatible webhook, PagerDuty
# Events v2, a signed JSON webhook) and a real SMTP server on 127.0.0.1
# requiring STARTTLS; failures (500, connection refused, a timeout)
# retried with backoff, then the person's next channel, then
# undeliverable; every attempt in the action log; channel secrets never
# printed or logged.
. "$(dirname "$0")/lib.sh"
newdb # owl page needs a database (it never creates one)
. "$OWL_ROOT/tests/page-lib.sh"

sink_start ok
sink_start flaky --script 500,500
sink_start slow --script hang,hang --hang 20
smtp_start mx
smtp_start plain --no-tls
DEAD=$(closed_port)
ok "$([ -n "$SINK_ok" ] && [ -n "$SMTP_mx" ] && [ -n "$SMTP_plain" ]; echo $?)" \
	"the loopback receivers and the SMTP servers are up"

export WH_KEY="whsec-0123456789abcdef" PD_KEY="R0UTINGKEY0123456789abcdef"
export SMTP_PW="smtp-pw-0123456789"
mkdir -p "$XDG_CONFIG_HOME/owl"
CFG="$XDG_CONFIG_HOME/owl/config.lua"
cat >"$CFG" <<EOF
return {
  secrets = { WH = { env = "WH_KEY" }, PD = { env = "PD_KEY" } },
  oncall = {
    rotations = { primary = { people = { "alice" }, start = "2026-01-05" },
                  future = { people = { "alice" }, start = "2099-01-05" } },
    people = {
      alice = { slack = "$SINK_ok/hooks/alice" },
      bob = { order = { "slack", "webhook" }, slack = "$SINK_flaky/hooks/bob",
              webhook = { url = "$SINK_ok/owl", secret = { secret = "WH" } } },
      carol = { email = "carol@example.com" },
      erin = { slack = "http://127.0.0.1:$DEAD/x",
               webhook = "http://127.0.0.1:$DEAD/y" },
      frank = { pagerduty = { routing_key = { secret = "PD" },
                              url = "$SINK_ok/v2/enqueue" } },
      gina = { order = { "slack", "email" }, slack = "$SINK_slow/hooks/gina",
               email = "gina@example.com" },
    },
    smtp = { url = "smtp://127.0.0.1:$SMTP_mx", from = "owl@example.com",
             ca_file = "$T/cert.pem" },
    delivery = { attempts = 2, backoff = "1s", timeout = "2s" },
  },
}
EOF

# A person by name, on their one channel.
run "$OWL" page alice "disk on gpu-7 is full"
is "$RC" 0 "owl page alice: exit 0"
like "$OUT" "^page 1 sent via slack \(attempt 1\)" "it says where it went"
is "$(sink_count ok "d['path'] == '/hooks/alice' and b.get('text') == 'disk on gpu-7 is full'")" 1 \
	"the Slack-compatible receiver got {\"text\": ...} once"
run "$OWL" audit log --json
got=$(printf '%s' "$OUT" | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    d = e["detail"]
    if e["kind"] in ("page.queued", "page.sent"):
        print(e["kind"], e["actor"], d["to"], d.get("channel"), d["text"], d.get("attempt"), d.get("result"))')
is "$got" "page.queued tester alice None disk on gpu-7 is full None None
page.sent owl alice slack disk on gpu-7 is full 1 sent" \
	"logged: who paged, to whom, the channel, the text, the attempt, the result"

# A rotation: whoever is on call; nobody yet: exit 1.
run "$OWL" page primary "on call?"
is "$RC" 0 "owl page ROTATION pages whoever is on call"
like "$ERR" "paging alice, on call for primary" "naming them"
run "$OWL" page future "anyone?"
is "$RC" 1 "a rotation with nobody on call yet: exit 1"
like "$ERR" "nobody is on call for future" "saying so"
run "$OWL" page zed "hi"
is "$RC" 2 "an unknown person: exit 2"
run "$OWL" --db "$T/typo/owl.db" page zed "hi"
is "$RC:$([ -e "$T/typo" ]; echo $?)" "2:1" "...said before any database is made"

# 500, 500: retried with backoff, then the next channel (signed webhook).
run "$OWL" page bob "model latency p99 12s"
is "$RC" 0 "bob: delivered after failures"
like "$ERR" "page 3 to bob: slack: HTTP 500.*\(attempt 1\)
.*page 3 to bob: slack: HTTP 500.*\(attempt 2\)
.*page 3 to bob via webhook: sent \(attempt 3\)" \
	"two attempts on slack, then the webhook"
is "$(sink_count flaky "d['path'] == '/hooks/bob'")" 2 "slack was tried twice"
sig=$(python3 - "$T/ok.log" "$WH_KEY" <<'EOF'
import hashlib, hmac, json, sys, time
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["path"] != "/owl":
        continue
    # t=TS,v1=HMAC("TS." + body): the scheme owl's receiver checks (a
    # signature over the body alone could be replayed for ever)
    got = dict(kv.split("=", 1) for kv in d["headers"].get("x-owl-signature", "").split(","))
    ts = got.get("t", "0")
    want = hmac.new(sys.argv[2].encode(), (ts + "." + d["body"]).encode(),
                    hashlib.sha256).hexdigest()
    b = json.loads(d["body"])
    print(got.get("v1") == want and abs(time.time() - int(ts)) < 300, b["to"], b["text"],
          b["attempt"], d["headers"].get("idempotency-key"))
EOF
)
is "$sig" "True bob model latency p99 12s 3 owl-page-3-page" \
	"the webhook is HMAC-SHA256 signed over a timestamp and the body, with an Idempotency-Key"
# when slack got the two attempts (the sink's clock): the retry is due
# 1s after the first attempt began, so the arrivals are about 1s apart,
# less the first request's time in flight (long on a loaded box), never
# the few ms of a retry that did not wait. (The log entries' times are
# when each was written, which a writer waiting for the database can
# delay: not the moment of the attempt.)
gap=$(python3 - "$T/flaky.log" <<'EOF'
import json, sys
at = [d["at"] for d in map(json.loads, open(sys.argv[1])) if d["path"] == "/hooks/bob"]
print(int((at[1] - at[0]) * 1000) if len(at) == 2 else -1)
EOF
)
ok "$([ "$gap" -ge 500 ]; echo $?)" "the retry waited the backoff (1s): ${gap} ms between the attempts"
is "$(db_sql "SELECT count(*) FROM actlog WHERE kind = 'page.failed' AND detail LIKE '%\"page\":3%' AND detail LIKE '%\"error\":\"slack: HTTP 500%'")" 2 \
	"each failed attempt is logged with its error"

# Connection refused everywhere: undeliverable, exit 1, logged.
run "$OWL" page erin "anyone there?"
is "$RC" 1 "erin: nothing takes it, exit 1"
like "$ERR" "UNDELIVERABLE" "the last attempt says undeliverable"
like "$ERR" "page 4 is undeliverable: webhook: .*(refused|connect)" "and why"
is "$(db_sql "SELECT count(*) FROM actlog WHERE kind = 'page.failed' AND detail LIKE '%\"page\":4%'")" 4 \
	"two attempts on each of two channels"
is "$(db_sql "SELECT state FROM pages WHERE id = 4")" undeliverable "the page is undeliverable"
is "$(db_sql "SELECT count(*) FROM actlog WHERE kind = 'page.undeliverable'")" 1 \
	"logged as page.undeliverable"

# A timeout (the receiver hangs): after two, email.
run "$OWL" page gina "queue backlog 40k"
is "$RC" 0 "gina: slack hangs, email takes it"
like "$ERR" "page 5 to gina: slack: .*(timed out|Timeout).*\(attempt 1\)" "a timeout is a failed attempt"
like "$OUT" "page 5 sent via email \(attempt 3\)" "then email"

# Email: a real SMTP server on 127.0.0.1 that requires STARTTLS.
run "$OWL" page carol "Ünïcode title: LLM provider down"
is "$RC" 0 "carol: email sent"
wait_for 10 sh -c "ls '$T/mx.mail/'*.eml 2>/dev/null | wc -l | grep -q 2"
env=$(cat "$T/mx.mail/2.env" 2>/dev/null)
like "$env" "from owl@example.com" "the envelope sender is oncall.smtp.from"
like "$env" "to carol@example.com" "the recipient is carol"
like "$env" "tls yes" "over STARTTLS"
mail=$(cat "$T/mx.mail/2.eml" 2>/dev/null)
like "$mail" "Subject: \[owl\] =\?UTF-8\?B\?" "a non-ASCII subject is RFC 2047 encoded"
subj=$(python3 -c 'import email,email.header,sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(str(email.header.make_header(email.header.decode_header(m["Subject"]))))' "$T/mx.mail/2.eml")
is "$subj" "[owl] Ünïcode title: LLM provider down" "and decodes to the text"
like "$mail" "Auto-Submitted: auto-generated" "marked automatic"
# A server without STARTTLS is refused unless tls = "none".
sed "s/smtp:\/\/127.0.0.1:$SMTP_mx/smtp:\/\/127.0.0.1:$SMTP_plain/" "$CFG" >"$T/plain.lua"
run "$OWL" --config "$T/plain.lua" page carol "over plain text?"
is "$RC" 1 "a server without STARTTLS: not sent"
like "$ERR" "email: .*STARTTLS" "saying STARTTLS is missing"
is "$(ls "$T/plain.mail" | wc -l)" 0 "nothing reached it in the clear"
sed 's/ca_file = /tls = "none", ca_file = /' "$T/plain.lua" >"$T/plain2.lua"
run "$OWL" --config "$T/plain2.lua" page carol "over plain text, allowed"
is "$RC" 0 "with tls = \"none\" it is sent"

# PagerDuty Events v2: the routing key is an owl secret.
run "$OWL" page frank "GPU node down" --incident 999
is "$RC" 1 "an unknown --incident: exit 1"
like "$ERR" "no incident INC-999" "naming it"
run "$OWL" page frank "GPU node down"
is "$RC" 0 "frank: sent to PagerDuty"
pd=$(python3 - "$T/ok.log" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["path"] == "/v2/enqueue":
        b = json.loads(d["body"])
        print(b["event_action"], b["dedup_key"], b["payload"]["summary"],
              b["payload"]["source"], b["routing_key"][:4])
EOF
)
like "$pd" "^trigger owl-page-[0-9]+ GPU node down owl R0UT$" \
	"a trigger event, with the routing key from the secret"
unset PD_KEY
run "$OWL" page frank "no key"
is "$RC" 1 "a secret that is not set: not sent"
like "$ERR" "secret PD: \\\$PD_KEY is not set" "naming the secret, not a value"

# Secrets never printed, logged or stored.
"$OWL" audit log >"$T/audit.txt"
db_sql .dump >"$T/dump.sql"
for s in "$WH_KEY" R0UTINGKEY0123456789abcdef; do
	grep -rqF "$s" "$T/audit.txt" "$T/dump.sql" "$T/.out" "$T/.err"
	ok "$([ $? -ne 0 ]; echo $?)" "the secret ${s%%0*}... is nowhere in the log, the database or the output"
done
run "$OWL" audit verify
is "$RC" 0 "the action log verifies"

done_testing
