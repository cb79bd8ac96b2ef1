#!/bin/sh
# 49-leases.t: a run holds leases on the targets it writes (issue 13):
# two engineers cannot change the same flag at once, whatever runbook or
# incident they start from. The second run is refused (exit 3) with the
# holder named, before writing; once the first ends, it may go. A dead
# holder's target lease is taken over, logged. Against a service that
# holds a PUT open (tests/holdsvc.py) on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/hold" "$T/rb"
hold_service
for rb in first second; do
	cat >"$T/rb/$rb.lua" <<EOF
runbook { summary = "$rb" }
function run(p)
  step("switch", function()
    http.put(config.flags_url .. "/v1/flags/assistant", { json = { mode = "$rb" } })
  end)
end
EOF
done

newdb
OWL_ACTOR=alice "$OWL" run first --runbooks "$T/rb" --yes >"$T/first.out" 2>&1 &
FIRST=$!
wait_for 30 test -e "$T/hold/put-started"
ok $? "alice's run is writing the flag (the service holds the PUT)"
run env OWL_ACTOR=bob "$OWL" run second --runbooks "$T/rb" --yes
is "$RC" 3 "bob's run of another runbook writing the same flag is refused (exit 3)"
like "$ERR" "url:$URL/v1/flags/assistant is being changed by run 1 \(first, by alice since" \
	"naming the target and who holds it"
touch "$T/hold/release"
wait "$FIRST"
is "$?" 0 "alice's run ends ok"
rm -f "$T/hold/put-started" "$T/hold/release"
touch "$T/hold/release"
run env OWL_ACTOR=bob "$OWL" run second --runbooks "$T/rb" --yes
is "$RC" 0 "once it ended, bob's run goes"
is "$(curl -sf "$URL/v1/flags/assistant")" '{"mode": "second"}' "and writes"

# a holder killed mid-write: its lease is taken over, logged
rm -f "$T/hold/put-started" "$T/hold/release"
OWL_ACTOR=alice "$OWL" run first --runbooks "$T/rb" --yes >"$T/first.out" 2>&1 &
FIRST=$!
wait_for 30 test -e "$T/hold/put-started"
kill -9 "$FIRST"
wait "$FIRST" 2>/dev/null
touch "$T/hold/release"
run env OWL_ACTOR=bob "$OWL" run second --runbooks "$T/rb" --yes
is "$RC" 0 "a dead holder's target lease is taken over"
run "$OWL" audit log --limit 100000
like "$OUT" "run.lease_takeover.*\"target\":\"url:$URL/v1/flags/assistant\"" \
	"and the takeover is logged"

# dry-runs take no lease
rm -f "$T/hold/put-started" "$T/hold/release"
OWL_ACTOR=alice "$OWL" run first --runbooks "$T/rb" --yes >"$T/first.out" 2>&1 &
FIRST=$!
wait_for 30 test -e "$T/hold/put-started"
run "$OWL" run second --runbooks "$T/rb" --dry-run
is "$RC" 0 "a dry-run is not refused by a held target"
touch "$T/hold/release"
wait "$FIRST"

# --wait: the second run waits for the target instead of being refused
rm -f "$T/hold/put-started" "$T/hold/release"
OWL_ACTOR=alice "$OWL" run first --runbooks "$T/rb" --yes >"$T/first.out" 2>&1 &
FIRST=$!
wait_for 30 test -e "$T/hold/put-started"
OWL_ACTOR=bob "$OWL" run second --runbooks "$T/rb" --yes --wait >"$T/second.out" 2>&1 &
SECOND=$!
intent() { [ "$(db_sql "SELECT count(*) FROM actlog a JOIN runs r
	ON r.id = a.run_id WHERE r.actor = 'bob' AND r.status = 'running'
	AND a.kind = 'effect.intent'")" = 1 ]; }
wait_for 30 intent
ok $? "bob's run reached its write"
puts=$(wc -l <"$T/hold/puts")
wait_for 2 sh -c "[ \$(wc -l <'$T/hold/puts') -gt $puts ]"
isnt_rc=$?
ok "$([ "$isnt_rc" -ne 0 ]; echo $?)" \
	"with --wait, it does not write while alice's run holds the target"
kill -0 "$SECOND"
ok $? "and keeps waiting"
touch "$T/hold/release"
wait "$FIRST"
wait "$SECOND"
is "$?" 0 "and goes once alice's run ended"
is "$(curl -sf "$URL/v1/flags/assistant")" '{"mode": "second"}' "writing after it"

done_testing
