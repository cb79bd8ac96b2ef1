#!/bin/sh
# 49-recover-retry.t: `owl recover RUN --retry` (issue 13): a run killed
# (kill -9) while a real HTTP server on 127.0.0.1 (tests/holdsvc.py) held
# its PUT open is retried from the step cut short, only when the runbook
# declares that step idempotent = true: the steps done are not run again,
# the rest run, a failure undoes them all; a step not declared idempotent
# is refused (exit 3, one line, nothing sent); every choice is logged.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

mkdir -p "$T/hold" "$T/rb" "$T/files"
hold_service
# runbook NAME IDEMPOTENT EXPECT: writes a file, PUTs a flag (held open by
# the service; the step declared idempotent or not; EXPECT the status it
# wants), then writes another file
runbook() {
	cat >"$T/rb/$1.lua" <<EOF
runbook { summary = "file, held PUT, file" }
function run(p)
  step("write", function() file.write("$T/files/$1.a", "changed\n") end,
    { undo = function() file.write("$T/files/$1.a", "original\n") end })
  step("switch", function()
    http.put(config.flags_url .. "/v1/flags/$1", { json = { mode = "degraded" },
      expect = $3 })
  end, { idempotent = $2 })
  step("after", function() file.write("$T/files/$1.b", "after\n") end)
end
EOF
	printf 'original\n' >"$T/files/$1.a"
}
# killed NAME: runs it, kills owl (-9) while the PUT is held; $KILLED is
# the run's id
killed() {
	rm -f "$T/hold/put-started" "$T/hold/release"
	"$OWL" run "$1" --runbooks "$T/rb" --yes >"$T/$1.out" 2>&1 &
	_pid=$!
	wait_for 30 test -e "$T/hold/put-started"
	ok $? "$1: the PUT reached the service, which holds it open"
	kill -9 "$_pid"
	wait "$_pid" 2>/dev/null
	touch "$T/hold/release"
	KILLED=$(db_sql "SELECT max(id) FROM runs WHERE runbook = '$1'")
}
puts() { grep -c "/v1/flags/$1\$" "$T/hold/puts"; }

# --- an idempotent step cut short is run again, and the run goes on
runbook idem true 200
run "$OWL" run idem --runbooks "$T/rb" --dry-run
is "$RC" 0 "a dry-run plans the three steps"
killed idem
is "$(puts idem)" 1 "(one PUT so far)"
printf 'by hand\n' >"$T/files/idem.a" # step 1 must not run again
run "$OWL" recover "$KILLED"
like "$OUT" "^  unknown +2\. switch \(idempotent\)$" "recover marks the step cut short as idempotent"
like "$OUT" "then --retry" "and offers the retry"
run "$OWL" recover "$KILLED" --retry
is "$RC" 0 "--retry of an idempotent step exits 0"
like "$OUT" "Retrying run $KILLED from step 2 'switch' \(declared idempotent\), after the 1 step it did" \
	"saying what it retries"
is "$(puts idem)" 2 "the step cut short was sent again"
is "$(cat "$T/files/idem.a")" "by hand" "the step done was not run again"
is "$(cat "$T/files/idem.b")" "after" "the steps after it ran"
unlike "$OUT" "Departed from plan" "a recovery is not compared with the dry-run's plan"
run "$OWL" audit log --limit 100000
like "$OUT" "run-$KILLED run.recover .*\"step\":2,\"recovery_run\":[0-9]+,\"outcome\":\"ok\",\"choice\":\"retry\"" \
	"the retry is logged on the interrupted run, with its recovery run and outcome"
RETRY=$(db_sql "SELECT max(id) FROM runs")
run "$OWL" recover "$KILLED"
like "$OUT" "^Recovered by tester: retry by run $RETRY, which ended ok" \
	"recover says the run was recovered, and by which run"
unlike "$OUT" "^Next:" "and offers nothing more"
for again in --retry --undo; do
	run "$OWL" recover "$KILLED" $again
	is "$RC" 3 "$again of a run recovered already: exit 3"
	like "$ERR" "^owl: run $KILLED was recovered already: retry by run $RETRY, which ended ok" \
		"$again: naming the recovery run to look at"
done
is "$(puts idem)" 2 "(and nothing was sent again)"

# --- a step not declared idempotent is refused, nothing is sent
runbook plain false 200
killed plain
run "$OWL" recover "$KILLED"
unlike "$OUT" "switch \(idempotent\)|Resolved" "recover does not call it idempotent (nor resolved)"
run "$OWL" recover "$KILLED" --retry
is "$RC" 3 "--retry of a step not declared idempotent: exit 3"
like "$ERR" "^owl: step 2 'switch' of run $KILLED is not declared idempotent = true: running it again could do it twice" \
	"a clear error naming the step"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "in one line"
is "$(puts plain)" 1 "nothing was sent again"
is "$(cat "$T/files/plain.a")" changed "nothing was undone"
test ! -e "$T/files/plain.b"
ok $? "no later step ran"
run "$OWL" audit log --limit 100000
like "$OUT" "run-$KILLED run.recover .*\"outcome\":\"refused\",\"choice\":\"retry\"" \
	"the refused retry is logged too"

# --- a retried step that fails undoes every step done, the killed run's too
runbook fails true 201
killed fails
run "$OWL" recover "$KILLED" --retry
is "$RC" 1 "a retry whose step fails exits 1"
like "$ERR" "answered 200, expected 201" "saying why"
is "$(cat "$T/files/fails.a")" original "the killed run's step done is undone"
test ! -e "$T/files/fails.b"
ok $? "no later step ran"
run "$OWL" audit log --limit 100000
like "$OUT" "run-$KILLED run.recover .*\"outcome\":\"failed\",\"choice\":\"retry\"" \
	"its outcome is logged"

# --- questions: those the killed run had answered pass, later ones are asked
cat >"$T/rb/asks.lua" <<EOF
runbook { summary = "questions around a held PUT" }
function run(p)
  step("write", function() file.write("$T/files/asks.a", "changed\n") end,
    { undo = function() file.write("$T/files/asks.a", "original\n") end })
  confirm("Switch the flag?")
  step("switch", function()
    http.put(config.flags_url .. "/v1/flags/asks", { json = { mode = "degraded" } })
  end, { idempotent = true })
  confirm("Go on after the switch?")
  step("after", function() file.write("$T/files/asks.b", "after\n") end)
end
EOF
printf 'original\n' >"$T/files/asks.a"
killed asks
run "$OWL" recover "$KILLED" --retry
is "$RC" 3 "a retry reaching a question nobody answers (no terminal, no --yes): exit 3"
like "$ERR" "confirmation needed and nobody to answer .*Go on after the switch" \
	"the question past the point the killed run reached is asked"
is "$(puts asks)" 2 "the question the killed run had answered passed: the PUT was sent again"
is "$(cat "$T/files/asks.a")" original "a refused run undoes its steps, as any run"
run "$OWL" audit log --limit 100000
like "$OUT" "run.confirm .*Switch the flag\\?.*\"answer\":\"yes \\(answered in run $KILLED\\)\"" \
	"the passed question is logged as answered in the killed run"
run "$OWL" recover "$KILLED" --retry --yes
is "$RC" 3 "after that recovery run, another retry is refused"
killed asks
run "$OWL" recover "$KILLED" --retry --yes
is "$RC" 0 "--retry --yes answers the later questions"
is "$(cat "$T/files/asks.b")" after "and the run goes to its end"
run "$OWL" recover "$KILLED" --yes
is "$RC" 2 "--yes without --retry: exit 2"

# --- usage
OKRUN=$(db_sql "SELECT max(id) FROM runs WHERE status = 'ok'")
run "$OWL" recover "$OKRUN" --retry
is "$RC" 3 "a run that was not interrupted has nothing to retry (exit 3)"
like "$ERR" "is ok, not interrupted" "and says so"
run "$OWL" recover "$KILLED" --retry --undo
is "$RC" 2 "--retry with --undo: exit 2"
cat >"$T/rb/typo.lua" <<'EOF'
runbook { summary = "a typo" }
function run(p)
  step("x", function() end, { idempotnet = true })
end
EOF
run "$OWL" run typo --runbooks "$T/rb" --yes
is "$RC" 1 "a step option with a typo fails the run"
like "$ERR" "step 'x': unknown option 'idempotnet' \(known: undo, idempotent\)" \
	"naming it"

done_testing
