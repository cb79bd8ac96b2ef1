#!/bin/sh
# 49-plans.t: plans you can trust (issue 13): a dry-run shows every write
# whole (HTTP method, URL, headers with secrets as ***, the JSON body
# pretty-printed, other bodies, exec argv, env names and stdin hash, file
# diffs, secret.put names, notifications) and its hash covers all of it;
# every dry-run is a stored plan with preconditions (what each read
# before the first write saw); owl plan show/diff, owl plans; owl apply
# runs exactly that plan and refuses a stale one, another runbook
# version, or a write the plan does not hold. Against a real HTTP
# service on 127.0.0.1 (tests/flagsvc.py) and real files.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

OWL_PORT_FILE="$T/svc.port" python3 "$OWL_ROOT/tests/flagsvc.py" 0 admin-token-0123456789 \
	"$T/seen" 2>"$T/flagsvc.err" &
SVC=$!
tap_at_exit "kill $SVC"
PORT=$(port_of "$T/svc.port")
URL="http://127.0.0.1:$PORT"
wait_for 10 curl -sf "$URL/healthz"
ok $? "flag service is up"
mode() { curl -sf "$URL/v1/flags/$1" | python3 -c \
	'import json,sys; print(json.load(sys.stdin)["mode"])'; }
setmode() { curl -sf -X PUT -d "{\"mode\":\"$2\"}" "$URL/v1/flags/$1" >/dev/null; }
isnt() { [ "$1" != "$2" ]; ok $? "$3"; }
hashof() { printf '%s\n' "$1" | sed -n 's/^hash //p'; }

TOKEN=tok-0123456789abcdefSECRET
export API_TOKEN="$TOKEN"
mkdir -p "$T/rb" "$T/files" "$T/state/owl/secrets"
printf 'model: a\nreload: true\n' >"$T/files/pin.yaml"
cat >"$T/config.lua" <<EOF
return { flags_url = "$URL",
  secrets = { api_token = { env = "API_TOKEN" } } }
EOF
export OWL_CONFIG="$T/config.lua"

# every kind of write, with a secret in a header and one in a secret.put
cat >"$T/rb/all.lua" <<EOF
runbook { summary = "every write", params = { to = { default = "degraded" } } }
function run(p)
  local u = config.flags_url .. "/v1/flags/"
  step("read", function()
    local r = http.get(u .. "assistant")
    check(r.status == 200, "flag service answered " .. r.status)
  end)
  step("switch", function()
    local tok = secret.get("api_token")
    http.put(u .. "assistant", { headers = { Authorization = "Bearer " .. tok,
      ["X-Reason"] = "incident" }, json = { mode = p.to, limits = { rpm = 10 } } })
    http.post(u .. "notes", { body = "line one\nline two\n" })
    exec({ "true", "--flag", "x y" }, { env = { TOKEN = tok, MODE = p.to },
      stdin = "some input" })
    file.write("$T/files/pin.yaml", "model: b\nreload: true\n")
    secret.put("copy_of_token", tok)
    notify("assistant switched to " .. p.to)
  end)
end
EOF

run "$OWL" run all --runbooks "$T/rb" --dry-run
is "$RC" 0 "a dry-run of every kind of write ends ok"
like "$OUT" "^Plan 1, made by dry-run run 1 \(" "it prints the plan id"
like "$OUT" "^hash [0-9a-f]{64}$" "and the plan's whole hash"
like "$OUT" "Authorization: Bearer \*\*\*" "a header holding a secret shows ***"
like "$OUT" "X-Reason: incident" "other headers show whole"
like "$OUT" '^ +"mode": "degraded"$' "a JSON body is pretty-printed, one member a line"
like "$OUT" '^ +"rpm": 10$' "nested members too"
like "$OUT" '^ +line two$' "a text body shows as text"
like "$OUT" "exec +true --flag 'x y'" "exec shows its argv"
like "$OUT" "env: MODE TOKEN" "and its environment's names"
like "$OUT" "stdin: 10 bytes, sha256 [0-9a-f]{12}" "and its standard input's size and hash"
like "$OUT" '^ +\+model: b$' "a file write shows its diff"
like "$OUT" "secret.put +copy_of_token" "secret.put shows the name written"
like "$OUT" "secrets: api_token \(values never shown\)" "a write names the secrets it uses"
like "$OUT" "notify +assistant switched to degraded" "a notification shows its text"
like "$OUT" "read: status 200, [0-9]+ bytes, sha256 [0-9a-f]{12}" "a read shows what it saw"
unlike "$OUT" "$TOKEN" "the secret's value is nowhere in the plan"
is "$(cat "$T/files/pin.yaml")" "$(printf 'model: a\nreload: true')" "the dry-run wrote nothing"
H1=$(hashof "$OUT")
is "$(mode assistant)" normal "and set no flag (the service's default)"

run "$OWL" plan show 1 --json
is "$RC" 0 "owl plan show --json"
printf '%s' "$OUT" >"$T/p1.json"
run python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
w = [e for e in d["effects"] if e["write"]]
put = w[0]["payload"]
assert put["method"] == "PUT" and put["json"]["mode"] == "degraded", put
assert put["headers"]["Authorization"] == "Bearer ***", put
assert w[0]["secrets"] == ["api_token"]
assert w[1]["payload"]["body"] == "line one\nline two\n"
assert w[2]["payload"]["env"] == ["MODE", "TOKEN"], w[2]
assert "sha256" in w[2]["payload"]["stdin"]
assert w[3]["kind"] == "file.write" and "+model: b" in w[3]["diff"]
assert w[4]["kind"] == "secret.put" and w[4]["payload"]["name"] == "copy_of_token"
assert w[5]["payload"]["text"] == "assistant switched to degraded"
pre = d["preconditions"]
assert len(pre) == 1 and pre[0]["kind"] == "http.get" and pre[0]["status"] == 200, pre
assert len(pre[0]["sha256"]) == 64
assert d["params"] == {"to": "degraded"} and d["runbook"] == "all"
print("ok")' "$T/p1.json"
is "$OUT" "ok" "the stored plan holds every payload, the secrets' names, the preconditions"

# the hash covers the body: another value, another hash; the same, the same
run "$OWL" run all --runbooks "$T/rb" --dry-run --param to=cached
H2=$(hashof "$OUT")
isnt "$H1" "$H2" "a plan sending {\"mode\":\"cached\"} has another hash"
run env API_TOKEN=another-token-0123456789 "$OWL" run all --runbooks "$T/rb" --dry-run
H4=$(hashof "$OUT")
is "$H4" "$H1" "a secret enters the hash by its name, never its value"

run "$OWL" plan diff 1 2
is "$RC" 1 "plan diff of plans that differ exits 1"
like "$OUT" "changed +http.put $URL/v1/flags/assistant" "names the changed write"
like "$OUT" '^ +-  "mode": "degraded"$' "with the old payload line"
like "$OUT" '^ +\+  "mode": "cached"$' "and the new one"
like "$OUT" "changed +notify" "a notification's text changed"
run "$OWL" plan diff 1 3
is "$RC" 0 "plan diff of the same writes exits 0"
like "$OUT" "make the same writes" "and says so"
run "$OWL" plan diff 1 2 --json
like "$OUT" '"change": "changed"' "plan diff --json"
run "$OWL" plans
is "$RC" 0 "owl plans"
like "$OUT" "^3 +[0-9a-f]{12} +dry-run +6 +writes +all " "lists the newest plan first"
printf '%s' '{"id":"a1","title":"LLM provider down","status":"firing"}' |
	"$OWL" ingest --format generic >/dev/null
run "$OWL" run all --runbooks "$T/rb" --dry-run --incident 1
IP=$(printf '%s\n' "$OUT" | sed -n 's/^Plan \([0-9]*\),.*/\1/p')
run "$OWL" plans --incident INC-1 --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)])')" \
	"[$IP]" "owl plans --incident lists only that incident's plans"
run "$OWL" plan show 99
is "$RC" 2 "an unknown plan: exit 2"
like "$ERR" "^owl: no plan 99 \(see: owl plans\)" "and says where to look"

# --detailed-exitcode: a CI gate
run "$OWL" run all --runbooks "$T/rb" --dry-run --detailed-exitcode
is "$RC" 2 "--detailed-exitcode: 2 when writes are planned"
cat >"$T/rb/look.lua" <<'EOF'
runbook { summary = "reads only" }
function run(p)
  step("look", function() http.get(config.flags_url .. "/v1/flags/assistant") end)
end
EOF
run "$OWL" run look --runbooks "$T/rb" --dry-run --detailed-exitcode
is "$RC" 0 "0 when no write is planned"
run "$OWL" run all --runbooks "$T/rb" --dry-run --detailed-exitcode --param nope=1
is "$RC" 1 "1 on an error"
run "$OWL" run all --runbooks "$T/rb" --detailed-exitcode
is "$RC" 2 "--detailed-exitcode without --dry-run is bad usage"

# --- owl apply
setmode assistant normal
cat >"$T/rb/flip.lua" <<'EOF'
runbook { summary = "flip", params = { reason = { required = true } } }
function run(p)
  local u = config.flags_url .. "/v1/flags/"
  step("read", function()
    local r = http.get(u .. "assistant")
    check(r.status == 200, "flag service answered " .. r.status)
    log("mode is " .. r.json.mode)
  end)
  step("switch", function()
    http.put(u .. "assistant", { json = { mode = "degraded", reason = p.reason } })
  end, { undo = function()
    http.put(u .. "assistant", { json = { mode = "normal", reason = "undo" } })
  end })
  step("copy", function()
    -- read after the first write: not a precondition, but what the
    -- next write sends depends on it
    local r = http.get(u .. "source")
    http.put(u .. "copy", { json = { mode = r.json.mode } })
  end)
end
EOF
setmode source normal
run "$OWL" run flip --runbooks "$T/rb" --dry-run --param reason=INC-7
is "$RC" 0 "dry-run of flip"
P=$(printf '%s\n' "$OUT" | sed -n 's/^Plan \([0-9]*\),.*/\1/p')

setmode assistant cached
run "$OWL" apply "$P" --yes
is "$RC" 3 "apply of a stale plan is refused (exit 3)"
like "$ERR" "plan $P is stale: GET $URL/v1/flags/assistant: mode was \"normal\", now \"cached\"" \
	"naming the read and what changed"
is "$(mode assistant)" cached "nothing was written"

setmode assistant normal
run "$OWL" apply "$P" --yes
is "$RC" 0 "apply of a fresh plan runs"
like "$OUT" "^Applying plan $P \(hash [0-9a-f]{64}\)" "saying which plan and hash"
like "$OUT" "As planned: the writes match plan $P" "and that it went as planned"
is "$(mode assistant)" degraded "the flag was switched"
is "$(mode copy)" normal "and the copy made"
run "$OWL" audit log --json --limit 100000
like "$OUT" '"kind": "run.apply"' "the apply is in the log, with its plan"

# a write whose payload differs from the plan's: stopped before it, undone
setmode assistant normal
setmode source degraded
run "$OWL" apply "$P" --yes
is "$RC" 3 "a write that differs from the plan stops the apply (exit 3)"
like "$ERR" "write 2 \(PUT $URL/v1/flags/copy\) would send something else than the plan holds" \
	"naming the write"
is "$(mode copy)" normal "that write was not made"
is "$(mode assistant)" normal "and the switch before it was undone"
# ...on a terminal the operator is asked first: no stops it as above,
# yes makes that write, off the plan, and the answer is logged
offplan_run() { # offplan_run ANSWER: owl apply P on a tmux terminal
	TM="tmux -L owl-plans-$$-off$1 -f /dev/null"
	tap_at_exit "$TM kill-server"
	rm -f "$T/tty.rc"
	$TM new-session -d -x 160 -y 20 "env OWL_DB='$OWL_DB' \
OWL_CONFIG='$OWL_CONFIG' OWL_ACTOR=tester XDG_STATE_HOME='$XDG_STATE_HOME' \
'$OWL' apply '$P'; echo \$? >'$T/tty.rc'; sleep 30"
	wait_for 20 sh -c "$TM capture-pane -p -J | grep -q 'would send something else than the plan holds (see: owl plan show $P). Make this write anyway, off the plan?'"
	_prompt=$?
	$TM send-keys "$1" Enter
	wait_for 20 test -s "$T/tty.rc"
	return $_prompt
}
setmode assistant normal
offplan_run n
ok $? "on a terminal, a write off the plan is asked about first"
is "$(cat "$T/tty.rc")" 3 "answered no: refused (exit 3)"
is "$(mode copy)" normal "that write was not made"
is "$(mode assistant)" normal "and the switch before it was undone"
$TM kill-server 2>/dev/null
setmode assistant normal
offplan_run y
ok $? "asked again"
is "$(cat "$T/tty.rc")" 0 "answered yes: the apply goes on (exit 0)"
is "$(mode copy)" degraded "the write off the plan was made"
is "$(mode assistant)" degraded "and the planned one before it"
like "$(db_sql "SELECT detail FROM actlog WHERE kind = 'run.confirm' ORDER BY id DESC LIMIT 1")" \
	'"answer":"yes".*"off_plan":true' "the answer is logged with its question"
$TM kill-server 2>/dev/null

# another version of the runbook
sed -i 's/mode = "degraded", reason/mode = "cached", reason/' "$T/rb/flip.lua"
run "$OWL" apply "$P" --yes
is "$RC" 3 "a plan made from another runbook version is refused"
like "$ERR" "plan $P was made from another version of runbook flip" "and says so"

# a live run's record is not a plan to apply
run "$OWL" plans --json
LIVE=$(printf '%s' "$OUT" | python3 -c 'import json,sys
print([p["id"] for p in json.load(sys.stdin) if not p["dry_run"]][0])')
run "$OWL" apply "$LIVE" --yes
is "$RC" 2 "a live run's record cannot be applied"
like "$ERR" "apply the plan of a dry-run" "and says what to do"
run "$OWL" apply nope
is "$RC" 2 "apply of a bad id: exit 2"

# --- approvals: approval = "two-person"
cat >"$T/rb/two.lua" <<'EOF'
runbook { summary = "needs two", approval = "two-person" }
function run(p)
  step("switch", function()
    http.put(config.flags_url .. "/v1/flags/two", { json = { mode = "degraded" } })
  end)
end
EOF
run env OWL_ACTOR=alice "$OWL" run two --runbooks "$T/rb" --dry-run
is "$RC" 0 "alice dry-runs a two-person runbook"
like "$OUT" "needs another person's approval: owl approve [0-9]+, then owl apply" \
	"the dry-run says it needs an approval"
TP=$(printf '%s\n' "$OUT" | sed -n 's/^Plan \([0-9]*\),.*/\1/p')
run env OWL_ACTOR=alice "$OWL" apply "$TP" --yes
is "$RC" 3 "applying it unapproved is refused (exit 3)"
like "$ERR" "plan $TP needs another person's approval .*owl approve $TP" "saying what to do"
run env OWL_ACTOR=alice "$OWL" approve "$TP"
is "$RC" 3 "alice cannot approve her own plan"
like "$ERR" "is yours" "and is told so"
run env OWL_ACTOR=bob "$OWL" approve "$TP"
is "$RC" 0 "bob approves it"
like "$OUT" "approved plan $TP \(hash [0-9a-f]{64}\) as bob" "bound to the hash"
run env OWL_ACTOR=bob "$OWL" approve "$TP"
is "$RC" 3 "approving twice is refused"
run env OWL_ACTOR=bob "$OWL" apply "$TP" --yes
is "$RC" 3 "bob cannot apply on his own approval"
is "$(mode two 2>/dev/null)" normal "nothing written so far"
db_sql "UPDATE plan_approvals SET hash = 'x' || hash WHERE plan_id = $TP"
run env OWL_ACTOR=alice "$OWL" apply "$TP" --yes
is "$RC" 3 "an approval given at another hash does not count"
db_sql "UPDATE plan_approvals SET hash = substr(hash, 2) WHERE plan_id = $TP"
run env OWL_ACTOR=alice "$OWL" apply "$TP" --yes
is "$RC" 0 "alice applies it with bob's approval"
is "$(mode two)" degraded "the write was made"
run "$OWL" audit log --limit 100000
like "$OUT" "plan.approve" "the approval is in the action log"
like "$OUT" '"approved_by":"bob"' "and the apply names the approver"
sed -i 's/two-person/three/' "$T/rb/two.lua"
run "$OWL" run two --runbooks "$T/rb" --dry-run
is "$RC" 2 "an unknown approval is refused"
like "$ERR" 'approval must be "two-person" or "none"' "saying what it may be"

# --- confirm({ type = "target" }): the operator types the target's name
cat >"$T/rb/typed.lua" <<'EOF'
runbook { summary = "typed" }
function run(p)
  confirm("Switch typed to degraded?", { type = "target", target = "typed" })
  step("switch", function()
    http.put(config.flags_url .. "/v1/flags/typed", { json = { mode = "degraded" } })
  end)
end
EOF
run "$OWL" run typed --runbooks "$T/rb"
is "$RC" 3 "a target confirm without a terminal is refused (exit 3)"
typed_run() { # typed_run ANSWER: runs typed on a tmux terminal
	TM="tmux -L owl-plans-$$-$1 -f /dev/null"
	tap_at_exit "$TM kill-server"
	rm -f "$T/tty.rc"
	$TM new-session -d -x 100 -y 20 "env OWL_DB='$OWL_DB' \
OWL_CONFIG='$OWL_CONFIG' OWL_ACTOR=tester XDG_STATE_HOME='$XDG_STATE_HOME' \
'$OWL' run typed --runbooks '$T/rb'; echo \$? >'$T/tty.rc'; sleep 30"
	wait_for 30 sh -c "$TM capture-pane -p | grep -q 'Type typed to confirm'"
	_prompt=$?
	$TM send-keys "$1" Enter
	wait_for 30 test -s "$T/tty.rc"
	return $_prompt
}
typed_run y
ok $? "on a terminal it asks to type the target's name"
isnt "$(cat "$T/tty.rc")" 0 "answering y is not enough"
is "$(mode typed)" normal "and changes nothing"
$TM kill-server 2>/dev/null
typed_run typed
is "$(cat "$T/tty.rc")" 0 "typing the name runs it"
is "$(mode typed)" degraded "and the write is made"
$TM kill-server 2>/dev/null
cat >"$T/rb/typed2.lua" <<'EOF'
runbook { summary = "typed2" }
function run(p) confirm("x", { type = "target", targt = "x" }) end
EOF
run "$OWL" run typed2 --runbooks "$T/rb" --yes
is "$RC" 1 "a misspelt confirm option fails the run"
like "$OUT$ERR" "confirm: unknown option 'targt'" "naming it"

# --- one validator: a typo inside params is refused by run and list alike
mkdir -p "$T/rbv"
cat >"$T/rbv/typo.lua" <<'EOF'
runbook { summary = "typo", params = { reason = { requird = true } } }
function run(p) end
EOF
run "$OWL" run typo --runbooks "$T/rbv" --dry-run
is "$RC" 2 "a typo inside params is refused (exit 2)"
like "$ERR" "runbook\{\}: params.reason: unknown field 'requird' \(known: required, default, description, type\)" \
	"naming the field"
run "$OWL" runbooks list --runbooks "$T/rbv"
like "$OUT" "typo +BROKEN: .*params.reason: unknown field 'requird'" \
	"owl runbooks list shows it broken with the same message"

done_testing
