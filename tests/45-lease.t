#!/bin/sh
# 45-lease.t: a live run's lease holds while it works (issue "A dry-run of
# an unreviewed runbook is safe; a live run's lease holds while it
# works"): run A inside a 50 s command still holds its lease 35 s in (run
# B of the same runbook is refused, naming A), and a confirm() left
# unanswered for 45 s, then answered, completes its run. These wait on
# real time (the lease TTL is 30 s); both runs wait side by side.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

mkdir -p "$T/rb"
cat >"$T/rb/longexec.lua" <<'EOF'
runbook { summary = "a long command", params = { secs = { default = "50" } } }
function run(p)
  step("wait for the command", function() exec({ "sleep", p.secs }) end)
end
EOF
cat >"$T/rb/ask.lua" <<'EOF'
runbook { summary = "ask first" }
function run(p)
  confirm("Go on?")
  step("after the answer", function() log("answered") end)
end
EOF
# the database, before anything looks into it
"$OWL" run ask --runbooks "$T/rb" --dry-run >/dev/null
now() { date +%s; }
# until_s T: sleeps until the clock reaches T (seconds since the epoch)
until_s() { while [ "$(now)" -lt "$1" ]; do sleep 0.5; done; }
lease() { db_sql "SELECT run_id FROM leases WHERE runbook = '$1'"; }
status() { db_sql "SELECT status FROM runs WHERE id = $1"; }

# --- A1: a 50 s command (15 s of margin past the check at 35 s)
"$OWL" run longexec --runbooks "$T/rb" --yes >"$T/a1.out" 2>&1 &
A1=$!
tap_at_exit "kill -9 $A1"
# --- A2: a confirm() on a terminal nobody answers for 45 s
TM="tmux -L owl-lease-$$ -f /dev/null"
tap_at_exit "$TM kill-server"
$TM new-session -d -x 100 -y 20 "env OWL_DB='$OWL_DB' OWL_ACTOR=tester \
XDG_STATE_HOME='$XDG_STATE_HOME' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' \
'$OWL' run ask --runbooks '$T/rb'; echo \$? >'$T/a2.rc'; sleep 60"
held() { [ -n "$(lease "$1" 2>/dev/null)" ]; }
wait_for 20 held longexec
ok $? "run A1 holds the lease of longexec"
T1=$(now)
RUN1=$(lease longexec)
wait_for 20 sh -c "$TM capture-pane -p | grep -q 'Go on? \[y/N\]'"
ok $? "run A2 asks its question"
T2=$(now)
RUN2=$(lease ask)

# --- 35 s in: both still hold their leases
until_s $((T1 + 35))
run "$OWL" run longexec --runbooks "$T/rb" --yes --param secs=0
is "$RC" 3 "35 s into A1's command, run B of longexec is refused"
like "$ERR" "longexec is already running: run $RUN1 by tester" \
	"the refusal names run A1"
until_s $((T2 + 35))
run "$OWL" run ask --runbooks "$T/rb" --yes
is "$RC" 3 "35 s into A2's unanswered confirm(), run B of ask is refused"
like "$ERR" "ask is already running: run $RUN2 by tester" \
	"the refusal names run A2"
is "$(status "$RUN2")" running "A2 is not taken for dead (not 'interrupted')"

# --- 45 s in: the answer comes, the run completes
until_s $((T2 + 45))
$TM send-keys y Enter
wait_for 20 test -s "$T/a2.rc"
is "$(cat "$T/a2.rc")" 0 "answered after 45 s, A2 completes (exit 0)"
is "$(status "$RUN2")" ok "and is recorded ok"
# a2.rc is a file: the terminal may show owl's last lines a moment later
wait_for 10 sh -c "$TM capture-pane -p | grep -q 'log: answered'"
ok $? "its step after the answer ran"
wait "$A1"
is "$?" 0 "A1's 50 s command completes (exit 0)"
is "$(status "$RUN1")" ok "and is recorded ok"
is "$(db_sql "SELECT count(*) FROM leases")" 0 \
	"both leases are released"
run "$OWL" audit log
unlike "$OUT" "run.lease_takeover|run.interrupted" "nothing was taken over or interrupted"

done_testing
