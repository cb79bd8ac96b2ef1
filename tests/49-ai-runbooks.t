#!/bin/sh
# 49-ai-runbooks.t: every shipped runbook run live against the demo AI
# gateway (tests/demo/gateway) on 127.0.0.1 and a real config repository
# (a bare repository the gateway re-reads, served to owl by git daemon on
# loopback): a dry-run (nothing changes, the plan lists the writes, with
# the diff and the commit message), the run (the gateway's state and the
# repository are what the runbook says), and its undo (a fault injected
# at the gateway makes the verification fail; the undo puts the state
# back: a revert commit for a push), checking after each. A push race
# fails the step with undo. Keys never show in the output, the log or the
# database; a dead chat webhook never undoes a mitigation.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

GW="$OWL_ROOT/build/tools/gateway"
RB="$OWL_ROOT/runbooks"
ADMIN=admin-token-0123456789abcdef
KEY=assistant-key-0123456789abcdef
printf '%s\n' "$ADMIN" >"$T/admin"
printf '%s' "$KEY" >"$T/key"
mkdir -p "$XDG_STATE_HOME/owl/secrets"
chmod 700 "$XDG_STATE_HOME/owl" "$XDG_STATE_HOME/owl/secrets"
printf '%s' "$KEY" >"$XDG_STATE_HOME/owl/secrets/assistant_api_key"
chmod 600 "$XDG_STATE_HOME/owl/secrets/assistant_api_key"

# the config repository a GitOps tool deploys: a bare repository the
# gateway re-reads, served to owl by git daemon on loopback (pushes on)
export HOME="$T" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com
export GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
mkdir -p "$T/git" "$T/wc/services"
BARE="$T/git/ai-config.git"
git init -q --bare -b main "$BARE"
git init -q -b main "$T/wc"
# pin MODEL MESSAGE: commits a new pin in the operator's clone
pin() {
	printf 'name: assistant\nfallback_model: small-local\nmodel: %s\n' "$1" \
		>"$T/wc/services/assistant.yaml"
	git -C "$T/wc" add -A && git -C "$T/wc" commit -q -m "$2"
}
pin gpt-4o-2024-05-13 "pin gpt-4o-2024-05-13"
pin gpt-4o-2024-08-06 "pin gpt-4o-2024-08-06 (a new snapshot)"
git -C "$T/wc" push -q "$BARE" main
ok $? "a config repository with two pins"
gitd() { # git daemon on $GPORT, in the background (LPID)
	"$(git --exec-path)/git-daemon" \
		--base-path="$T/git" --export-all --enable=receive-pack \
		--listen=127.0.0.1 --port="$GPORT" --reuseaddr \
		--pid-file="$T/gitd.pid" "$T/git" >/dev/null 2>&1 &
	LPID=$!
}
listen_retry GPORT 20 gitd
REPO="git://127.0.0.1:$GPORT/ai-config.git"
wait_for 20 git ls-remote "$REPO"
ok $? "git daemon serves it"

"$GW" --port-file "$T/port" --admin-token-file "$T/admin" --quiet \
	--config-repo "$BARE" --sync-interval 200 \
	--key assistant="$T/key" --provider-down --fallback-model small-local \
	--batch nightly-embeddings:100000000:50 --batch agent-loop:100000000:500 \
	2>"$T/gw.err" &
GWPID=$!
tap_at_exit "kill $GWPID 2>/dev/null"
wait_for 20 test -s "$T/port"
ok $? "the demo gateway is up"
U="http://127.0.0.1:$(cat "$T/port")"

python3 "$OWL_ROOT/tests/pagesink.py" --port-file "$T/sink.port" \
	--log "$T/sink.json" >/dev/null 2>&1 &
tap_at_exit "kill $! 2>/dev/null"
wait_for 20 test -s "$T/sink.port"
HOOK="http://127.0.0.1:$(cat "$T/sink.port")/hooks/ops"
DEAD="http://127.0.0.1:$(closed_port)/hooks/ops"

# config NOTIFY_URL: the owl config the runbooks read
config() {
	cat >"$T/config.lua" <<EOF
return {
  gateway_url = "$U",
  secrets = { gateway_admin = { file = "$T/admin" } },
  notify = { url = "$1" },
  config_repo = "$REPO",
}
EOF
}
config "$HOOK"
export OWL_CONFIG="$T/config.lua"

# j PATH PYEXPR: PYEXPR of the gateway's JSON answer (d)
j() { curl -s "$U$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
# call METHOD PATH [BODY [TOKEN]]: prints "STATUS BODY"
call() {
	curl -s -X "$1" -o "$T/body" -w '%{http_code}' \
		${4:+-H "Authorization: Bearer $4"} ${3:+-d "$3"} "$U$2"
	printf ' %s' "$(cat "$T/body")"
}
fault() { call PUT /v1/sim/fault "$1" >/dev/null; }
nofault() { call DELETE /v1/sim/fault >/dev/null; }
owlrun() { run "$OWL" run "$@" --runbooks "$RB" --yes; }
# planned RUNBOOK: the writes of the newest plan, one "kind target" a line
planned() {
	printf '%s' "$OUT" | python3 -c 'import json,sys
for e in json.load(sys.stdin)["plan"]["effects"]:
    if e["write"]: print(e["kind"], e["target"])'
}

# --- the tests of every shipped runbook pass under owl test
run "$OWL" test --runbooks "$RB"
is "$RC" 0 "owl test passes for the shipped runbooks"
for f in "$RB"/*.lua; do
	n=$(basename "$f" .lua)
	case "$n" in *.test) continue ;; esac
	test -f "$RB/$n.test.lua"
	ok $? "$n has its tests ($n.test.lua)"
	like "$OUT" "^ok +$n: " "owl test ran $n's tests"
done
run "$OWL" runbooks list --runbooks "$RB"
is "$RC" 0 "runbooks list reads every shipped runbook"
unlike "$OUT" "BROKEN|\.test " "and lists no test file as a runbook"
run "$OWL" runbooks show cost-ceiling --runbooks "$RB"
like "$OUT" "^  rate_limit \(number\)$" "runbooks show prints a param's type"
like "$OUT" "^      completions per minute at most \(below the current limit\)$" \
	"and its description"

# --- degraded-mode: dry-run, run, normal-mode, undo
is "$(j /v1/health 'd["status"]')" failing "the provider is down: the probe fails"
run "$OWL" run degraded-mode --runbooks "$RB" --dry-run --json \
	--param reason="provider down"
is "$RC" 0 "degraded-mode: the dry-run exits 0"
is "$(planned)" "http.put $U/v1/flags/assistant
notify assistant is in degraded mode: provider down (owl run normal-mode switches it back)" \
	"degraded-mode: the plan lists the switch and the notification"
is "$(j /v1/flags/assistant 'd["mode"]')" normal "degraded-mode: the dry-run switched nothing"
owlrun degraded-mode --param reason="provider down"
is "$RC" 0 "degraded-mode: the run exits 0"
is "$(j /v1/flags/assistant 'd["mode"]+" "+d["reason"]')" "degraded provider down" \
	"degraded-mode: the gateway is in degraded mode, with the reason"
is "$(j /v1/health 'd["status"]+" "+d["model"]')" "ok small-local" \
	"degraded-mode: completions are served by the fallback model"
like "$(call POST /v1/chat/completions '{}' "$KEY")" '^200 .*"degraded":true' \
	"degraded-mode: a real completion succeeds"
wait_for 10 grep -q "assistant is in degraded mode" "$T/sink.json"
ok $? "degraded-mode: the channel was told"
owlrun degraded-mode --param reason="again"
is "$RC" 1 "degraded-mode: a second run fails"
like "$OUT$ERR" "already in degraded mode \(provider down\)" "and says why"

owlrun normal-mode
is "$RC" 1 "normal-mode: refused while the provider is down"
like "$OUT$ERR" "the provider is still down \(503\): staying in degraded mode" "and says so"
is "$(j /v1/flags/assistant 'd["mode"]')" degraded "normal-mode: the service stays degraded"
call PUT /v1/sim/provider '{"up":true}' >/dev/null
run "$OWL" run normal-mode --runbooks "$RB" --dry-run --json
is "$(planned)" "http.put $U/v1/flags/assistant
notify assistant is back in normal mode: the provider recovered" \
	"normal-mode: the plan lists the switch and the notification"
is "$(j /v1/flags/assistant 'd["mode"]')" degraded "normal-mode: the dry-run switched nothing"
owlrun normal-mode
is "$RC" 0 "normal-mode: the run exits 0 once the provider answers"
is "$(j /v1/health 'd["status"]+" "+d["mode"]')" "ok normal" \
	"normal-mode: the gateway serves in normal mode"

# undo: the probe keeps failing after the switch
fault '{"method":"GET","path":"/v1/health","status":503}'
owlrun degraded-mode --param reason="flaky" --param verify_timeout=2s
is "$RC" 1 "degraded-mode: a probe that never passes fails the run"
like "$OUT$ERR" "undo" "and the undo runs"
is "$(j /v1/flags/assistant 'd["mode"]+" "+d["reason"]')" "normal undo: flaky" \
	"degraded-mode: the undo switched the service back to normal"
nofault
owlrun degraded-mode --param reason="provider down again"
is "$RC" 0 "degraded-mode: again, to test normal-mode's undo"
fault '{"method":"GET","path":"/v1/health","status":503}'
owlrun normal-mode --param verify_timeout=2s
is "$RC" 1 "normal-mode: a probe that fails in normal mode fails the run"
is "$(j /v1/flags/assistant 'd["mode"]')" degraded \
	"normal-mode: the undo put the service back in degraded mode"
nofault

# a dead chat webhook: reported, the mitigation stays
owlrun normal-mode
is "$RC" 0 "back to normal"
config "$DEAD"
owlrun degraded-mode --param reason="provider down"
is "$RC" 0 "degraded-mode: a failed notification does not fail the run"
like "$OUT$ERR" "WARNING: the notification failed .*the change stays in place" \
	"degraded-mode: the failed notification is reported"
is "$(j /v1/flags/assistant 'd["mode"]')" degraded \
	"degraded-mode: the mitigation stays in place"
config "$HOOK"
owlrun normal-mode
is "$RC" 0 "and back to normal"

# --- cost-ceiling: dry-run, refused, run, undo
call POST /v1/sim/spend '{"usd":300}' >/dev/null
run "$OWL" run cost-ceiling --runbooks "$RB" --dry-run --json \
	--param reason="runaway agent" --param rate_limit=60 --param model=gpt-4o-mini
is "$RC" 0 "cost-ceiling: the dry-run exits 0"
is "$(planned)" "http.put $U/v1/limits
notify spend ceiling on the gateway: 60 completions/min, model gpt-4o-mini until +4h: runaway agent" \
	"cost-ceiling: the plan lists the ceiling and the notification"
is "$(j /v1/limits 'd["rate_limit"], d["model"]')" "600 None" \
	"cost-ceiling: the dry-run changed no limit"
owlrun cost-ceiling --param reason="typo" --param rate_limit=6000
is "$RC" 1 "cost-ceiling: a ceiling above the current limit is refused"
like "$OUT$ERR" "a ceiling of 6000/min is above the current limit of 600/min" "and says why"
owlrun cost-ceiling --param reason="runaway agent" --param rate_limit=60 \
	--param model=gpt-4o-mini --param duration=2h
is "$RC" 0 "cost-ceiling: the run exits 0"
is "$(j /v1/limits 'd["rate_limit"], d["model"], d["reason"]')" \
	"60 gpt-4o-mini runaway agent" "cost-ceiling: the gateway has the ceiling"
UNTIL=$(j /v1/limits 'd["until"]')
python3 -c 'import sys,datetime as t
u = t.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=t.timezone.utc)
left = (u - t.datetime.now(t.timezone.utc)).total_seconds()
sys.exit(0 if 7000 < left <= 7200 else 1)' "$UNTIL"
ok $? "cost-ceiling: until two hours from now ($UNTIL)"
# undo: the gateway stops answering its limits after the change
fault '{"method":"GET","path":"/v1/limits","status":503,"after":1}'
owlrun cost-ceiling --param reason="tighter" --param rate_limit=10 --param verify_timeout=2s
is "$RC" 1 "cost-ceiling: a ceiling that cannot be verified fails the run"
nofault
is "$(j /v1/limits 'd["rate_limit"], d["model"], d["until"], d["reason"]')" \
	"60 gpt-4o-mini $UNTIL undo: tighter" \
	"cost-ceiling: the undo restored the ceiling that was in place, until the same time"

# --- pause-batch: dry-run, run, undo
done_of() { j "/v1/batches/$1" 'd["done"]'; }
state_of() { j "/v1/batches/$1" 'd["state"]'; }
advanced() { test "$(done_of "$1")" -gt "$2"; }
call POST /v1/sim/spend '{"usd":1}' >/dev/null
run "$OWL" run pause-batch --runbooks "$RB" --dry-run --json --param reason="loop"
is "$RC" 0 "pause-batch: the dry-run exits 0"
like "$(planned)" "^http.post $U/v1/batches/2/pause$" \
	"pause-batch: the plan pauses the job that spent the most (agent-loop)"
D0=$(done_of 2)
wait_for 20 advanced 2 "$D0"
ok $? "pause-batch: after the dry-run the job still runs"
owlrun pause-batch --param reason="loop"
is "$RC" 0 "pause-batch: the run exits 0"
is "$(state_of 2)" paused "pause-batch: the job is paused"
P=$(done_of 2)
wait_for 20 advanced 1 "$(done_of 1)"
ok $? "pause-batch: the other job runs on"
is "$(done_of 2)" "$P" "pause-batch: the paused job does not move"
like "$(j /v1/batches/2 'd["paused_reason"]')" "^loop$" "pause-batch: the gateway keeps why"
owlrun pause-batch --param reason="again" --param job=agent-loop
is "$RC" 1 "pause-batch: a paused job is left alone"
like "$OUT$ERR" "job agent-loop is paused, not running" "and says so"
# undo: the job's state cannot be read after the pause
fault '{"method":"GET","path":"/v1/batches/1","status":503}'
owlrun pause-batch --param reason="check" --param job=nightly-embeddings \
	--param verify_timeout=2s
is "$RC" 1 "pause-batch: a pause that cannot be verified fails the run"
nofault
is "$(state_of 1)" running "pause-batch: the undo resumed the job"

# --- rotate-api-key: dry-run, undo, run
nkeys() { j /v1/keys 'len(d["keys"])' ; }
c_keys() { curl -s -H "Authorization: Bearer $ADMIN" "$U/v1/keys"; }
nkeys() { c_keys | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["keys"]))'; }
unknown() { c_keys | python3 -c 'import json,sys; print(json.load(sys.stdin)["unknown_key_calls"])'; }
K0=$(nkeys) U0=$(unknown)
run "$OWL" run rotate-api-key --runbooks "$RB" --dry-run --json
is "$RC" 0 "rotate-api-key: the dry-run exits 0"
is "$(planned)" "http.post $U/v1/keys
http.post $U/v1/chat/completions
secret.put assistant_api_key
http.delete $U/v1/keys/1
notify the assistant provider key was rotated (scheduled rotation); the old key is revoked" \
	"rotate-api-key: the plan lists every write, the revocation last"
is "$(nkeys) $(unknown)" "$K0 $U0" \
	"rotate-api-key: the dry-run registered no key and sent no unregistered key"
is "$(cat "$XDG_STATE_HOME/owl/secrets/assistant_api_key")" "$KEY" \
	"rotate-api-key: the dry-run stored nothing"
# undo: the new key fails its real call
fault '{"method":"POST","path":"/v1/chat/completions","status":500}'
owlrun rotate-api-key
is "$RC" 1 "rotate-api-key: a new key that fails a real call fails the run"
nofault
is "$(c_keys | python3 -c 'import json,sys
print(" ".join("%s:%s" % (k["id"], k["active"]) for k in json.load(sys.stdin)["keys"]))')" \
	"1:True 2:False" "rotate-api-key: the undo revoked the new key; the old one is active"
is "$(cat "$XDG_STATE_HOME/owl/secrets/assistant_api_key")" "$KEY" \
	"rotate-api-key: the stored key is unchanged"
like "$(call POST /v1/chat/completions '{}' "$KEY")" '^200 ' "rotate-api-key: the old key still works"
owlrun rotate-api-key --param reason="key leaked in a log"
is "$RC" 0 "rotate-api-key: the run exits 0"
ROUT="$OUT$ERR"
NEW=$(cat "$XDG_STATE_HOME/owl/secrets/assistant_api_key")
test -n "$NEW" && test "$NEW" != "$KEY"
ok $? "rotate-api-key: a new key is stored"
like "$(call POST /v1/chat/completions '{}' "$NEW")" '^200 ' "rotate-api-key: the new key works"
like "$(call POST /v1/chat/completions '{}' "$KEY")" '^401 .*revoked' \
	"rotate-api-key: the old key is revoked"
is "$(c_keys | python3 -c 'import json,sys
print(" ".join("%s:%s" % (k["id"], k["active"]) for k in json.load(sys.stdin)["keys"]))')" \
	"1:False 2:False 3:True" "rotate-api-key: the gateway lists the old key revoked, the new active"
unlike "$ROUT" "$NEW|$KEY" "rotate-api-key: no key in the output"
run "$OWL" audit log
unlike "$OUT" "$NEW|$KEY" "rotate-api-key: no key in the action log"
if db_bytes | grep -qa -e "$NEW" -e "$KEY"; then ok 1 "no key in the database files"
else ok 0 "rotate-api-key: no key in the database files"; fi

# --- rollback-model-pin: dry-run, run, undo, a push race
head_of() { git -C "$BARE" rev-parse main; }
pin_at() { git -C "$BARE" show "main:services/assistant.yaml" | sed -n 's/^model: //p'; }
served() { test "$(j /v1/model 'd["model"]')" = "$1"; }
wait_for 20 served gpt-4o-2024-08-06
ok $? "rollback-model-pin: the gateway serves the pin of the repository"
H0=$(head_of)
run "$OWL" run rollback-model-pin --runbooks "$RB" --dry-run --json
is "$RC" 0 "rollback-model-pin: the dry-run exits 0"
is "$(planned)" "git.replace $REPO main services/assistant.yaml
git.commit $REPO main
git.push $REPO main
notify assistant is pinned back to gpt-4o-2024-05-13 (from gpt-4o-2024-08-06)" \
	"rollback-model-pin: the plan lists the edit, the commit, the push"
DIFF=$(printf '%s' "$OUT" | python3 -c 'import json,sys
for e in json.load(sys.stdin)["plan"]["effects"]:
    if e.get("diff"): print(e["kind"]); print(e["diff"])')
like "$DIFF" "^-model: gpt-4o-2024-08-06$" "rollback-model-pin: the plan shows the diff (old pin)"
like "$DIFF" "^\+model: gpt-4o-2024-05-13$" "rollback-model-pin: the plan shows the diff (new pin)"
like "$DIFF" "^Roll back the model pin of assistant to gpt-4o-2024-05-13$" \
	"rollback-model-pin: the plan shows the commit message"
like "$DIFF" "^1 commit to push:" "rollback-model-pin: the plan lists the commits the push sends"
is "$(head_of)" "$H0" "rollback-model-pin: the dry-run pushed nothing"
test -z "$(ls "$XDG_STATE_HOME/owl/git" 2>/dev/null)"
ok $? "rollback-model-pin: the private work copy is gone after the run"

printf '%s\n' '{"id":"eval-nightly","status":"firing","severity":"error",' \
	'"title":"Eval score drop","labels":{"service":"assistant","suite":"nightly"}}' \
	>"$T/eval.json"
run "$OWL" ingest --format generic "$T/eval.json"
is "$RC" 0 "an eval alert opens an incident"
INC=$("$OWL" incidents --json | python3 -c 'import json,sys
d = json.load(sys.stdin)
l = d["incidents"] if isinstance(d, dict) else d
print([i["id"] for i in l if i["title"] == "Eval score drop"][0])')
OWL_ACTOR=dana owlrun rollback-model-pin --incident "$INC" --param wait=30s
is "$RC" 0 "rollback-model-pin: the run exits 0"
is "$(pin_at)" gpt-4o-2024-05-13 "rollback-model-pin: the repository pins the previous model"
is "$(git -C "$BARE" log -1 --format='%an|%s' main)" \
	"dana|Roll back the model pin of assistant to gpt-4o-2024-05-13" \
	"rollback-model-pin: the commit's author is the actor"
like "$(git -C "$BARE" log -1 --format=%b main)" "^Owl-Incident: INC-$INC$" \
	"rollback-model-pin: the incident is in a trailer"
like "$(git -C "$BARE" log -1 --format=%b main)" "^Owl-Run: [0-9]+$" "and the run"
git -C "$BARE" merge-base --is-ancestor "$H0" main
ok $? "rollback-model-pin: pushed on top (no history rewritten)"
is "$(j /v1/model 'd["model"]')" gpt-4o-2024-05-13 \
	"rollback-model-pin: the gateway serves the new pin (the run waited for it)"

# undo: the gateway stops reporting its pin after the push
git -C "$T/wc" pull -q "$BARE" main
pin gpt-4o-2024-08-06 "pin gpt-4o-2024-08-06 again"
git -C "$T/wc" push -q "$BARE" main
wait_for 20 served gpt-4o-2024-08-06
H2=$(head_of)
fault '{"method":"GET","path":"/v1/model","status":503}'
owlrun rollback-model-pin --param wait=3s
is "$RC" 1 "rollback-model-pin: a pin the gateway never reports fails the run"
nofault
is "$(git -C "$BARE" log -2 --format=%s main)" "Revert \"Roll back the model pin of assistant to gpt-4o-2024-05-13\"
Roll back the model pin of assistant to gpt-4o-2024-05-13" \
	"rollback-model-pin: the undo pushed a revert commit on top of the push"
is "$(pin_at)" gpt-4o-2024-08-06 "rollback-model-pin: the pin is back"
git -C "$BARE" merge-base --is-ancestor "$H2" main
ok $? "rollback-model-pin: nothing rewritten"
wait_for 20 served gpt-4o-2024-08-06
ok $? "rollback-model-pin: the gateway serves the old pin again"

# a push race: someone pushes between the checkout and the push; the
# step fails, nothing of ours lands, the steps before are undone
mkdir -p "$T/rb"
sed -e "s|@REPO@|$REPO|g" -e "s|@U@|$U|g" -e "s|@WC@|$T/wc|g" \
	-e "s|@BARE@|$BARE|g" >"$T/rb/race.lua" <<'EOF'
runbook { summary = "a push race" }
local function admin()
  return { Authorization = "Bearer " .. secret.get("gateway_admin") }
end
function run(p)
  local h
  step("degrade", function()
    h = git.checkout("@REPO@")
    http.put("@U@/v1/flags/assistant", { expect = 200, headers = admin(),
      json = { mode = "degraded", reason = "race" } })
  end, { undo = function()
    http.put("@U@/v1/flags/assistant", { expect = 200, headers = admin(),
      json = { mode = "normal", reason = "undo: race" } })
  end })
  step("someone else pushes", function()
    exec({ "git", "-C", "@WC@", "push", "-q", "@BARE@", "main" })
  end)
  step("pin", function()
    git.replace(h, "services/assistant.yaml", "model: [^\n]+", "model: x",
      { count = 1 })
    git.commit(h, "pin x")
    git.push(h)
  end, { undo = function() git.revert(h) end })
end
EOF
git -C "$T/wc" pull -q "$BARE" main
pin gpt-4.1-2025-04-14 "their pin"
run "$OWL" run race --runbooks "$T/rb" --yes
is "$RC" 1 "a push race fails the step"
like "$OUT$ERR" "someone else pushed first" "and says so"
is "$(git -C "$BARE" log -1 --format=%s main)" "their pin" \
	"the remote keeps their push"
unlike "$(git -C "$BARE" log --format=%s main)" "^pin x$" "and no commit of ours"
is "$(j /v1/flags/assistant 'd["mode"]+" "+d["reason"]')" "normal undo: race" \
	"the steps before the race were undone"

# credentials in a URL are refused before anything is logged
cat >"$T/rb/credurl.lua" <<'EOF2'
runbook { summary = "a token in the URL" }
function run(p)
  step("checkout", function()
    git.checkout("https://x-access-token:tok-in-url-0123456789@127.0.0.1:9/ai-config.git")
  end)
end
EOF2
run "$OWL" run credurl --runbooks "$T/rb" --yes
is "$RC" 1 "a URL holding credentials fails the step"
like "$OUT$ERR" "the URL holds credentials; give them as a secret" "and says where they go"
unlike "$OUT$ERR" "tok-in-url-0123456789" "the token is not shown"
run "$OWL" audit log
unlike "$OUT" "tok-in-url-0123456789" "nor logged"

# owl apply: the stored plan of a rollback, run as planned; a branch
# that moved since the plan makes it stale
wait_for 20 served gpt-4.1-2025-04-14
run "$OWL" run rollback-model-pin --runbooks "$RB" --dry-run --json
is "$RC" 0 "rollback-model-pin: a plan to pin back to gpt-4o-2024-08-06"
PLAN=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["plan"]["id"])')
run "$OWL" apply "$PLAN" --yes
is "$RC" 0 "owl apply runs the rollback's plan"
is "$(pin_at)" gpt-4o-2024-08-06 "and the repository has the planned pin"
wait_for 20 served gpt-4o-2024-08-06
ok $? "which the gateway serves"
run "$OWL" run rollback-model-pin --runbooks "$RB" --dry-run --json
PLAN=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["plan"]["id"])')
git -C "$T/wc" pull -q "$BARE" main
printf 'someone else\n' >"$T/wc/OWNERS"
git -C "$T/wc" add -A && git -C "$T/wc" commit -q -m "owners" &&
	git -C "$T/wc" push -q "$BARE" main
H3=$(head_of)
run "$OWL" apply "$PLAN" --yes
is "$RC" 3 "owl apply refuses a plan made before someone else pushed"
like "$OUT$ERR" "git.checkout $REPO main" "naming the checkout that changed"
is "$(head_of)" "$H3" "and pushes nothing"

# an HTTP Git host that wants a token (git http-backend behind Basic
# authentication): the token comes from a secret, works, and shows nowhere
HTOKEN=ghp-token-for-tests-0123456789abcdef
printf '%s' "$HTOKEN" >"$XDG_STATE_HOME/owl/secrets/config_repo_token"
chmod 600 "$XDG_STATE_HOME/owl/secrets/config_repo_token"
printf '%s' "$HTOKEN" >"$T/htoken"
python3 "$OWL_ROOT/tests/githttp.py" --root "$T/git" --port-file "$T/http.port" \
	--user x-access-token --token-file "$T/htoken" --log "$T/http.log" &
tap_at_exit "kill $! 2>/dev/null"
wait_for 20 test -s "$T/http.port"
HREPO="http://127.0.0.1:$(cat "$T/http.port")/ai-config.git"
cat >"$T/rb/token.lua" <<'EOF'
runbook { summary = "push over HTTPS with a token",
  params = { repo = { required = true }, secret = { default = "config_repo_token" } } }
function run(p)
  step("push", function()
    local h = git.checkout(p.repo, { token = secret.get(p.secret) })
    git.write(h, "NOTES.md", "pushed with a token\n")
    git.commit(h, "a note")
    git.push(h)
  end)
end
EOF
run "$OWL" run token --runbooks "$T/rb" --yes --param repo="$HREPO"
is "$RC" 0 "git: a push with a token from a secret (HTTP Basic, as Git hosts take it)"
is "$(git -C "$BARE" log -1 --format=%s main)" "a note" "it reached the repository"
like "$(cat "$T/http.log")" "^GET /ai-config.git/info/refs\?service=git-upload-pack 401$" \
	"the server asked for credentials"
like "$(cat "$T/http.log")" "^POST /ai-config.git/git-receive-pack 200$" "and took the push"
printf '%s' "wrong-token-for-tests-0000" >"$XDG_STATE_HOME/owl/secrets/bad_token"
chmod 600 "$XDG_STATE_HOME/owl/secrets/bad_token"
run "$OWL" run token --runbooks "$T/rb" --yes --param repo="$HREPO" --param secret=bad_token
is "$RC" 1 "git: a wrong token fails the step"
like "$OUT$ERR" "git: fetch http://127.0.0.1:[0-9]+/ai-config.git: the credentials were refused" \
	"naming the repository and why"
printf '%s\n' 'runbook { summary = "no token", params = { repo = { required = true } } }' \
	'function run(p) step("read", function() git.checkout(p.repo) end) end' \
	>"$T/rb/notoken.lua"
run "$OWL" run notoken --runbooks "$T/rb" --param repo="$HREPO"
is "$RC" 1 "git: a repository that wants a token fails without one"
like "$OUT$ERR" "the remote wants credentials: give git.checkout a token or an ssh_key" \
	"and says what to give"
run "$OWL" audit log
unlike "$OUT" "$HTOKEN|wrong-token-for-tests" "git: no token in the action log"
if db_bytes | grep -qa -e "$HTOKEN" -e "wrong-token-for-tests"; then
	ok 1 "git: no token in the database files"
else ok 0 "git: no token in the database files"; fi

done_testing
