#!/bin/sh
# 48-gateway.t: the demo AI gateway (tests/demo/gateway) on its own, on
# 127.0.0.1: mode flags, provider keys (a revoked key fails), the model pin
# it reads from a bare config repository (and re-reads after a push),
# rate limit and spend, limits that expire, batch jobs paused and resumed
# with their progress kept, the "provider down" switch, the health probe.
. "$(dirname "$0")/lib.sh"

GW="$OWL_ROOT/build/tools/gateway"
ADMIN=admin-token-0123456789abcdef
KEY=old-key-abcdefghijklmnop
printf '%s\n' "$ADMIN" >"$T/admin"
printf '%s\n' "$KEY" >"$T/key"
export HOME="$T" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com
export GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
git init -q --bare -b main "$T/cfg.git"
git init -q -b main "$T/wc"
mkdir -p "$T/wc/services"
printf 'name: assistant\nmodel: gpt-4o-2024-08-06\n' >"$T/wc/services/assistant.yaml"
git -C "$T/wc" add -A && git -C "$T/wc" commit -q -m "pin gpt-4o" &&
	git -C "$T/wc" push -q "$T/cfg.git" main
ok $? "a config repository with a model pin"

run "$GW" --help
is "$RC" 0 "--help exits 0"
like "$OUT" "usage: gateway" "and prints the usage"
run "$GW" --nope
is "$RC" 2 "an unknown option exits 2"
like "$ERR" "gateway: unknown option --nope" "and names it"
run "$GW" --key nofile
is "$RC" 2 "--key without NAME=FILE exits 2"

"$GW" --port-file "$T/port" --admin-token-file "$T/admin" \
	--key assistant="$T/key" --config-repo "$T/cfg.git" \
	--sync-interval 100 --batch nightly-embeddings:1000000:200 \
	--batch reindex:1000000:200 --rate-limit 1000 2>"$T/gw.err" &
GWPID=$!
tap_at_exit "kill $GWPID"
wait_for 20 test -s "$T/port"
ok $? "the gateway writes its port"
U="http://127.0.0.1:$(cat "$T/port")"
like "$(cat "$T/gw.err")" "listening on http://127.0.0.1:[0-9]+" "says where it listens"

# j URL PYEXPR: prints PYEXPR of the JSON answer (d)
j() { curl -s "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
# call METHOD PATH [BODY [TOKEN]]: prints "STATUS BODY"
call() {
	curl -s -X "$1" -o "$T/body" -w '%{http_code}' \
		${4:+-H "Authorization: Bearer $4"} ${3:+-d "$3"} "$U$2"
	printf ' %s' "$(cat "$T/body")"
}
complete() { call POST /v1/chat/completions '{"messages":[]}' "$1"; }

is "$(j "$U/healthz" 'd["ok"]')" True "/healthz answers"

# --- flags
is "$(j "$U/v1/flags/assistant" 'd["mode"]')" normal "the flag starts normal"
like "$(call PUT /v1/flags/assistant '{"mode":"degraded"}')" '^401 ' \
	"switching the flag needs the admin token"
like "$(call PUT /v1/flags/assistant '{"mode":"degraded"}' nope-not-admin)" '^401 ' \
	"a wrong admin token is refused"
like "$(call PUT /v1/flags/assistant '{"mode":"odd"}' "$ADMIN")" \
	'^400 .*one of normal, degraded, cached' "an unknown mode is refused"
like "$(call GET /v1/flags/asistant)" "^404 .*no service 'asistant'" \
	"a service the gateway does not serve is 404"
like "$(call PUT /v1/flags/assistant '{"mode":"degraded","reason":"drill"}' "$ADMIN")" \
	'^200 .*"mode":"degraded".*"reason":"drill"' "the admin switches the flag"
is "$(j "$U/v1/flags/assistant" 'd["mode"]')" degraded "and it reads degraded"
call PUT /v1/flags/assistant '{"mode":"normal"}' "$ADMIN" >/dev/null

# --- keys
like "$(complete "$KEY")" '^200 .*"model":"gpt-4o-2024-08-06"' \
	"a completion with the registered key answers with the pinned model"
like "$(complete not-a-key-0123456789)" '^401 .*invalid API key' \
	"an unknown key is refused"
is "$(j "$U/v1/keys" 'd.get("error")')" "admin token required" \
	"listing keys needs the admin token"
NEWKEY=new-key-zyxwvutsrqponmlk
like "$(call POST /v1/keys "{\"key\":\"$NEWKEY\",\"name\":\"assistant\"}" "$ADMIN")" \
	'^201 .*"id":2' "the admin registers a new key (201, its id)"
like "$(call POST /v1/keys '{"key":"short","name":"x"}' "$ADMIN")" \
	'^400 .*16 to 512 bytes' "a short key is refused"
like "$(call POST /v1/keys "{\"key\":\"$NEWKEY\",\"name\":\"again\"}" "$ADMIN")" \
	'^400 .*already registered' "a key registered twice is refused"
like "$(call GET /v1/whoami '' "$NEWKEY")" '^200 .*"key_id":2' \
	"whoami names the new key"
curl -s -H "Authorization: Bearer $ADMIN" "$U/v1/keys" >"$T/keys.json"
python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
assert [k["id"] for k in d["keys"]] == [1, 2], d
assert all(k["active"] for k in d["keys"])
assert d["unknown_key_calls"] == 1, d' "$T/keys.json"
ok $? "the key list shows both keys and counts the unknown key's call"
if grep -qF -e "$KEY" -e "$NEWKEY" "$T/keys.json" "$T/gw.err"; then
	ok 1 "no key value in the list or the gateway's log"
else ok 0 "no key value in the list or the gateway's log"; fi
like "$(call DELETE /v1/keys/1 '' "$ADMIN")" '^204' "the admin revokes the old key"
like "$(complete "$KEY")" '^401 .*API key revoked' "a call with the revoked key fails"
like "$(call GET /v1/whoami '' "$KEY")" '^401 .*revoked' "whoami refuses it too"
like "$(complete "$NEWKEY")" '^200 ' "the new key still works"
like "$(call DELETE /v1/keys/1 '' "$ADMIN")" '^409 .*already revoked' \
	"revoking twice is a conflict"
like "$(call DELETE /v1/keys/99 '' "$ADMIN")" '^404 ' "an unknown key id is 404"
is "$(curl -s -H "Authorization: Bearer $ADMIN" "$U/v1/keys" |
	python3 -c 'import json,sys; print([k["active"] for k in json.load(sys.stdin)["keys"]])')" \
	"[False, True]" "the list shows the old key inactive"

# --- the provider down, degraded mode, the health probe
like "$(call PUT /v1/sim/provider '{"up":false}')" '^200 ' "the provider goes down"
like "$(complete "$NEWKEY")" '^502 .*upstream provider unavailable' \
	"completions fail while the provider is down"
like "$(call GET /v1/health)" '^503 .*"status":"failing".*"provider":"down"' \
	"the health probe fails"
like "$(call GET /v1/provider/health)" '^503 ' "the provider probe fails"
call PUT /v1/flags/assistant '{"mode":"degraded"}' "$ADMIN" >/dev/null
like "$(complete "$NEWKEY")" '^200 .*"model":"assistant-fallback-small".*"degraded":true' \
	"in degraded mode completions recover with the fallback model"
like "$(call GET /v1/health)" '^200 .*"status":"ok".*"mode":"degraded"' \
	"the health probe passes in degraded mode"
call PUT /v1/flags/assistant '{"mode":"cached"}' "$ADMIN" >/dev/null
like "$(complete "$NEWKEY")" '^200 .*"model":"cached"' "cached mode answers from the cache"
call PUT /v1/sim/provider '{"up":true}' >/dev/null
like "$(call GET /v1/provider/health)" '^200 .*"provider":"up"' \
	"the provider probe passes when it is back"
call PUT /v1/flags/assistant '{"mode":"normal"}' "$ADMIN" >/dev/null
like "$(complete "$NEWKEY")" '^200 .*"model":"gpt-4o-2024-08-06"' "normal mode uses the pin again"

# --- the model pin follows the config repository
C1=$(git -C "$T/wc" rev-parse HEAD)
is "$(j "$U/v1/model" 'd["model"] + " " + d["commit"]')" "gpt-4o-2024-08-06 $C1" \
	"the pin and its commit, as the repository says"
sed -i 's/^model: .*/model: gpt-5-2025-08-07/' "$T/wc/services/assistant.yaml"
git -C "$T/wc" commit -q -am "pin gpt-5" && git -C "$T/wc" push -q "$T/cfg.git" main
C2=$(git -C "$T/wc" rev-parse HEAD)
pinned() { test "$(j "$U/v1/model" 'd["model"] + " " + d["commit"]')" = "$1 $2"; }
wait_for 20 pinned gpt-5-2025-08-07 "$C2"
ok $? "after a push the gateway reports the new pin and commit"
like "$(complete "$NEWKEY")" '"model":"gpt-5-2025-08-07"' "and completions use it"
printf 'name: assistant\n' >"$T/wc/services/assistant.yaml"
git -C "$T/wc" commit -q -am "break it" && git -C "$T/wc" push -q "$T/cfg.git" main
broken() { j "$U/v1/model" 'd["error"]' | grep -q "no 'model:' line"; }
wait_for 20 broken
ok $? "a pin file without a model line is reported as an error"
is "$(j "$U/v1/model" 'd["model"]')" gpt-5-2025-08-07 "and the last good pin stays"

# --- rate limit, a cheaper model, expiry, spend
like "$(call PUT /v1/limits '{"rate_limit":1}')" '^401 ' "limits need the admin token"
like "$(call PUT /v1/limits '{"rate_limit":"x"}' "$ADMIN")" '^400 ' "a bad rate limit is refused"
like "$(call PUT /v1/limits '{"rate_limit":1,"until":"2001-01-01T00:00:00Z"}' "$ADMIN")" \
	'^400 .*has passed' "an expiry in the past is refused"
like "$(call PUT /v1/limits '{"rate_limit":1,"model":"gpt-4o-mini","reason":"spend","for_seconds":3600}' "$ADMIN")" \
	'^200 .*"rate_limit":1.*"model":"gpt-4o-mini"' "the admin lowers the limit and picks a cheaper model"
j "$U/v1/limits" 'd["until"]' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$'
ok $? "the limit says until when"
# the minute's window may already hold calls: at most one more passes,
# or two when the window turns between them (60 s after it began), never
# three
for i in 1 2 3; do complete "$NEWKEY" >"$T/c$i"; done
like "$(printf '%s\n%s\n' "$(cat "$T/c2")" "$(cat "$T/c3")")" '^429 .*rate limit' "past the rate limit completions get 429"
like "$(call GET /v1/health)" '"model":"gpt-4o-mini"' "the health probe names the cheaper model"
like "$(call PUT /v1/limits '{"rate_limit":1000,"for_seconds":1}' "$ADMIN")" '^200 ' \
	"a limit for one second"
expired() { test "$(j "$U/v1/limits" 'd["until"]')" = None; }
wait_for 20 expired
ok $? "the limit expires and the defaults return"
is "$(j "$U/v1/limits" 'd["rate_limit"], d["model"]')" "1000 None" "the default rate limit and the pin"
S0=$(j "$U/v1/limits" 'd["spend_usd"]')
call POST /v1/sim/spend '{"usd":312.5}' >/dev/null
is "$(j "$U/v1/limits" "round(d['spend_usd'] - $S0, 1) >= 312.5 and d['spend_usd_last_hour'] >= 312.5")" \
	True "spend adds up, in total and over the last hour"

# --- batch jobs: pause keeps the progress, resume goes on from it
bdone() { j "$U/v1/batches/$1" 'd["done"]'; }
advanced() { test "$(bdone "$1")" -gt "$2"; }
wait_for 20 advanced 1 0
ok $? "a running batch job advances"
like "$(call POST /v1/batches/1/pause '{"reason":"spend"}')" '^401 ' "pause needs the admin token"
like "$(call POST /v1/batches/1/pause '{"reason":"spend"}' "$ADMIN")" \
	'^200 .*"state":"paused".*"paused_reason":"spend"' "the admin pauses it"
P1=$(bdone 1)
R1=$(bdone 2)
wait_for 20 advanced 2 $((R1 + 100))
ok $? "the other job keeps running"
is "$(bdone 1)" "$P1" "the paused job did not move"
like "$(call POST /v1/batches/1/pause '' "$ADMIN")" '^409 .*not running' \
	"pausing a paused job is a conflict"
like "$(call POST /v1/batches/1/resume '' "$ADMIN")" '^200 .*"state":"running"' \
	"resume runs it again"
wait_for 20 advanced 1 "$P1"
ok $? "from where it was, onwards"
like "$(call POST /v1/batches/1/resume '' "$ADMIN")" '^409 .*not paused' \
	"resuming a running job is a conflict"
like "$(call POST /v1/batches '{"name":"agent-loop","total":50,"rate":1000}' "$ADMIN")" \
	'^201 .*"id":3' "the admin starts a batch job"
finished() { test "$(j "$U/v1/batches/3" 'd["state"]')" = done; }
wait_for 20 finished
ok $? "a job ends done at its total"
like "$(call GET /v1/batches/9)" '^404 ' "an unknown job is 404"

# --- injected faults: a probe that breaks, after N requests pass
like "$(call PUT /v1/sim/fault '{"method":"GET","path":"/v1/health","status":503,"after":1,"count":2}')" \
	'^201 ' "a fault is injected"
like "$(call GET /v1/health)" '^200 ' "the first request passes (after = 1)"
like "$(call GET /v1/health)" '^503 .*injected fault' "then it fails"
like "$(call GET /v1/health)" '^503 ' "count = 2 times"
like "$(call GET /v1/health)" '^200 ' "then it passes again"
like "$(call GET /v1/flags/assistant)" '^200 ' "other paths never failed"
like "$(call PUT /v1/sim/fault '{"method":"POST","path":"/v1/chat/completions","status":500}')" \
	'^201 ' "a fault until cleared"
like "$(complete "$KEY")" '^500 ' "completions fail"
like "$(complete "$KEY")" '^500 ' "and keep failing"
like "$(call DELETE /v1/sim/fault)" '^204' "DELETE clears the faults"
like "$(complete "$KEY")" '^401 .*revoked' "completions answer as before (this key was revoked above)"
like "$(call PUT /v1/sim/fault '{"method":"GET","status":503}')" '^400 ' \
	"a fault without a path is 400"

# --- HTTP edges
like "$(call GET /v1/nope)" '^404 ' "an unknown path is 404"
like "$(call DELETE /v1/health)" '^405 ' "a wrong method is 405"
like "$(call PUT /v1/flags/assistant 'not json' "$ADMIN")" '^400 .*not a JSON object' \
	"a body that is not JSON is 400"

kill -TERM "$GWPID"
wait "$GWPID"
is "$?" 0 "SIGTERM stops it, exit 0"

done_testing
