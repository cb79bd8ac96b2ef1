#!/bin/sh
# 18-pg-batch.t: a failure inside owl serve's group commit on PostgreSQL
# is charged to the request that caused it (a cluster of this file's
# own). owl serve stores the requests waiting together in one
# transaction, and on PostgreSQL sends their writes ahead without waiting
# for each (pipeline mode): a write that fails then shows only when a
# later statement, or the commit, waits for it. A request whose write
# failed at the commit used to fail the whole batch: every innocent
# request in it got 503 too. Now the request whose write failed gets its
# 503 alone and the others are stored.
# The failure: a trigger of the test's refuses to update the alerts
# whose fingerprint starts "poison". The batch: the write lock (owl's
# advisory lock) held by a psql session of the test while the writer
# waits on a first request; two more requests queue (the innocent one,
# then the poisoned one, last); the lock given back, the writer stores
# those two in one transaction.
# Then: the 503 of a request that waited in vain for that lock names
# the client that holds it.
. "$(dirname "$0")/lib.sh"
. "$OWL_ROOT/tests/serve-lib.sh"

pg_own_db batch
sql() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$OWL_DB" -c "$1"; }

echo "batch-token" >"$T/tokens"
serve_start batch --token-file "$T/tokens" --quiet
ok $? "owl serve on PostgreSQL"

# body FP: an Alertmanager webhook of alert FP, group "g" (one incident)
body() {
	printf '{"receiver":"r","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"Batch","fp":"%s"},"annotations":{},"startsAt":"2026-11-29T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"%s"}],"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","version":"4","groupKey":"g","truncatedAlerts":0}' "$1" "$1"
}
# send FP: POSTs it in the background; its status goes to $T/code.FP
send() {
	body "$1" >"$T/body.$1"
	curl -sS -m 30 -o "$T/answer.$1" -w '%{http_code}' \
		-H "Authorization: Bearer batch-token" \
		-H 'Content-Type: application/json' --data-binary "@$T/body.$1" \
		"$URL/v1/alerts/alertmanager" >"$T/code.$1" 2>/dev/null &
}
code() { cat "$T/code.$1" 2>/dev/null; }
answered() { [ -s "$T/code.$1" ]; }
queued() { # N: at least N requests wait for the writer
	[ "$(curl -sS -m 5 -H "Authorization: Bearer batch-token" "$URL/metrics" 2>/dev/null |
		sed -n 's/^owl_write_queue_depth \([0-9]*\).*/\1/p')" -ge "$1" ] 2>/dev/null
}
writer_waits() { # owl's writer waits for the advisory lock the test holds
	[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND objid = 7301996 AND NOT granted")" -ge 1 ]
}
# the writer took the first request and waits for the lock with it
taken() { writer_waits && ! queued 1; }
holding() {
	[ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a
		ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.objid = 7301996
		AND l.granted AND a.application_name = 'owl-test-lock'")" = 1 ]
}

# the alerts the poisoned requests re-deliver, stored before the trigger
for n in 1 2 3 4 5; do
	send "poison-$n"
	wait_for 30 answered "poison-$n"
done
is "$(sql "SELECT count(*) FROM alerts WHERE fingerprint LIKE 'poison-%'")" 5 \
	"the alerts to re-deliver are stored"
sql "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN RAISE EXCEPTION 'poisoned alert %', NEW.fingerprint; END \$\$;
CREATE TRIGGER poison BEFORE UPDATE ON alerts FOR EACH ROW
WHEN (NEW.fingerprint LIKE 'poison-%') EXECUTE FUNCTION poison()"
ok $? "a trigger refuses every update of those alerts"

# one try: the lock held, a first request waits for it, the innocent and
# the poisoned one queue behind it, the lock given back. Inconclusive
# (1) when the first request's wait for the lock (2 s) ran out first.
attempt() {
	"$PG_BIN/psql" -X -q -At -d "$OWL_DB&application_name=owl-test-lock" \
		-c "SELECT pg_advisory_lock(7301996)" -c "SELECT pg_sleep(60)" \
		>/dev/null 2>&1 &
	LOCKER=$!
	wait_for 30 holding || return 2
	send "first-$1"
	wait_for 30 taken
	send "innocent-$1"
	wait_for 10 queued 1
	send "poison-$1"
	wait_for 10 queued 2
	sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'owl-test-lock'" >/dev/null
	wait "$LOCKER" 2>/dev/null
	for f in "first-$1" "innocent-$1" "poison-$1"; do
		wait_for 60 answered "$f"
	done
	[ "$(code "first-$1")" = 200 ] || return 1
	return 0
}
n=1
while :; do
	attempt "$n"
	rc=$?
	[ $rc = 0 ] && break
	if [ $n -ge 5 ] || [ $rc = 2 ]; then
		diag "no try got the two requests into one batch (last: first $(code "first-$n"), rc $rc)"
		break
	fi
	n=$((n + 1))
done
is "$(code "first-$n")" 200 "the request that waited for the lock: 200"
is "$(code "innocent-$n")" 200 \
	"the innocent request stored with the poisoned one: 200, not the batch's 503"
is "$(code "poison-$n")" 503 "the poisoned request: 503"
like "$(cat "$T/answer.poison-$n")" "poisoned alert poison-$n" \
	"...saying what failed"
is "$(sql "SELECT count(*) FROM alerts WHERE fingerprint = 'innocent-$n'")" 1 \
	"the innocent alert is stored"
is "$(sql "SELECT count FROM alerts WHERE fingerprint = 'poison-$n'")" 1 \
	"the poisoned re-delivery changed nothing"

# --- a 503 for the lock says who holds it (was: "canceling statement
# due to lock timeout")
"$PG_BIN/psql" -X -q -At -d "$OWL_DB&application_name=owl-test-lock" \
	-c "SELECT pg_advisory_lock(7301996)" -c "SELECT pg_sleep(60)" \
	>/dev/null 2>&1 &
LOCKER=$!
wait_for 30 holding
send locked-1
wait_for 30 answered locked-1
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE application_name = 'owl-test-lock'" >/dev/null
wait "$LOCKER" 2>/dev/null
is "$(code locked-1)" 503 "a request while a client holds owl's write lock for longer than the writer waits: 503"
like "$(cat "$T/answer.locked-1")" "owl's write lock is held by a client named \"owl-test-lock\" \(server pid [0-9]+, from 127\.0\.0\.1\), in a transaction open for [0-9]+ s \(waited 2000 ms\)" \
	"...naming the client that holds it"

run "$OWL" audit verify
like "$RC:$OUT" "^0:ok: " "owl audit verify"
serve_stop
is "$STOP_RC" 0 "owl serve stops cleanly"

done_testing
