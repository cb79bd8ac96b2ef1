#!/bin/sh
# 18-pg-sync.t: the durability configuration the README documents
# (issue 18), on clusters of this file's own (tests/pg.sh: loopback, free
# ports, unprivileged, stopped by their pids): a primary whose
# synchronous_standby_names names a streaming standby, with
# synchronous_commit = remote_apply, and owl serve on the primary.
# - Every alert a sender got a 2xx for is readable on the standby at once
#   (queried right after each 2xx, no waiting), also when the standby
#   replays 2 s late: owl keeps the server's remote_apply (it used to set
#   its own "on", and a 2xx came before the standby could read it).
# - The standby down: a webhook gets no 2xx (owl's commit waits for the
#   standby; or 503 when the write lock is held by a commit that waits),
#   nothing of it is visible, /healthz says 503 and that owl's commit
#   waits for the synchronous standby; the standby back, the
#   waiting commits complete: a sender trying through the outage gets its
#   2xx, and the retry of one that gave up is one alert.
. "$(dirname "$0")/lib.sh"
. "$OWL_ROOT/tests/serve-lib.sh"

pg_own_clusters

# --- a primary and a synchronous streaming standby
pg_start
ok $? "a primary of this test's own starts"
pdir=$PG_DIR P1=$PG_PORT
tap_at_exit "sh '$OWL_ROOT/tests/pg.sh' stop '$pdir'"
pg_createdb owl_sync
PURL="postgresql://127.0.0.1:$P1/owl_sync?user=owl"
prim() { "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$PURL" -c "$1"; }
pg_standby "$P1" owl_standby 2>"$T/standby.err"
ok $? "a standby from pg_basebackup -R, application_name owl_standby"
sdir=$PG_DIR
tap_at_exit "sh '$OWL_ROOT/tests/pg.sh' stop '$sdir'"
# the standby's URL (its port changes when it is restarted)
stby() {
	"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
		-d "postgresql://127.0.0.1:$(cat "$sdir/port")/owl_sync?user=owl" -c "$1"
}
# the README's postgresql.conf lines, set with ALTER SYSTEM
prim "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (owl_standby)'"
prim "ALTER SYSTEM SET synchronous_commit = 'remote_apply'"
prim "SELECT pg_reload_conf()" >/dev/null
settled() {
	[ "$(prim "SELECT current_setting('synchronous_commit') || ' ' ||
		(SELECT sync_state FROM pg_stat_replication
		 WHERE application_name = 'owl_standby')")" = "remote_apply sync" ]
}
wait_for 60 settled
ok $? "the primary: synchronous_commit remote_apply, owl_standby streaming as its synchronous standby"

echo "sync-token" >"$T/tokens"
serve_start sync --db "$PURL" --token-file "$T/tokens"
ok $? "owl serve on the primary"

# send ID SECONDS: one generic alert; CODE is the status, 000 when no
# answer came within SECONDS (curl's -m: the sender gave up). Each curl
# runs in the background with its pid in $T/curl.ID while it runs, so
# that an early exit (a failed check, a bail-out) stops it by that pid
# (the sender in a subshell below waits up to 120 s), and only it: the
# file goes once it is waited for, the pid is checked to be a curl.
stop_curls() {
	for _f in "$T"/curl.*; do
		[ -f "$_f" ] || continue
		_p=$(cat "$_f")
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = curl ] && kill "$_p"
	done
}
tap_at_exit stop_curls
send() {
	curl -sS -m "$2" -o "$T/send.$1" -w '%{http_code}' \
		-H "Authorization: Bearer sync-token" \
		-H 'Content-Type: application/json' \
		-d "{\"id\":\"$1\",\"title\":\"sync test $1\",\"status\":\"firing\"}" \
		"$URL/v1/alerts/generic" >"$T/code.$1" 2>/dev/null &
	echo $! >"$T/curl.$1"
	wait $!
	rm -f "$T/curl.$1"
	CODE=$(cat "$T/code.$1")
}
# deliver ID SECONDS: as a sender does, sends again after a 503 (owl's
# writer found the write lock held, e.g. by a duty's commit waiting for
# the standby too) or no answer, until a 2xx or SECONDS are up; CODE is
# the last status, SEEN every one
deliver() {
	_d_end=$(($(date +%s) + $2)) SEEN=""
	while :; do
		send "$1" "$2"
		SEEN="$SEEN $CODE"
		case $CODE in 2??) return 0 ;; esac
		[ "$(date +%s)" -ge $_d_end ] && return 1
		sleep 0.2 # the sender's back-off (Retry-After: 1, shortened)
	done
}
rows() { stby "SELECT count(*) FROM alerts WHERE fingerprint = '$1'"; }

# --- every 2xx: readable on the standby at once
bad="" missing=""
i=1
while [ $i -le 10 ]; do
	deliver "sync-$i" 30 || bad="$bad sync-$i:$SEEN"
	[ "$(rows "sync-$i")" = 1 ] || missing="$missing sync-$i"
	i=$((i + 1))
done
is "$bad" "" "10 alerts, one a request: each answered 2xx"
is "$missing" "" "each one readable on the standby right after its 2xx (no waiting)"

# --- the standby down: no 2xx, nothing visible; back: the commit completes
# (its replay delayed from its restart on: the check below)
stby "ALTER SYSTEM SET recovery_min_apply_delay = '2s'"
(PG_DIR=$sdir pg_stop_server)
gone() { [ "$(prim "SELECT count(*) FROM pg_stat_replication")" = 0 ]; }
wait_for 30 gone
ok $? "the standby is stopped"
send held-1 3
held1=$CODE
case $held1 in 2??) held1="2xx ($held1)" ;; esac
like "$held1" '^(000|503)$' "a webhook while the standby is down: no 2xx ($held1: no answer in 3 s, or 503)"
waits() {
	[ "$(prim "SELECT count(*) FROM pg_stat_activity
		WHERE datname = 'owl_sync' AND wait_event = 'SyncRep'")" -ge 1 ]
}
wait_for 30 waits
ok $? "owl's commit waits for the standby (wait_event SyncRep on the primary)"
is "$(prim "SELECT count(*) FROM alerts WHERE fingerprint = 'held-1'")" 0 \
	"nothing of it is visible, not even on the primary"
hz=$(curl -sS -m 10 -o "$T/hz" -w '%{http_code}' "$URL/healthz" 2>/dev/null)
is "$hz" 503 "/healthz answers 503 while writes wait"
# it used to say "canceling statement due to lock timeout (held by
# another process?)": the holder is owl's own writer, waiting for the
# standby
like "$(cat "$T/hz")" "^database: owl's write lock is held by this owl's own other connection \(server pid [0-9]+\), whose commit waits for a synchronous standby \(synchronous_commit remote_apply, synchronous_standby_names 'FIRST 1 \(owl_standby\)'\): is the standby up and streaming\? \(waited 200 ms\)$" \
	"...saying that owl's own commit waits for the synchronous standby"
# a sender that keeps trying through the outage (waits for its answer,
# sends again after a 503)
(
	deliver held-2 120
	echo "$CODE" >"$T/held-2.code"
	echo "$(rows held-2)" >"$T/held-2.rows"
) &
patient=$!
tap_at_exit "kill $patient"
PG_DIR=$sdir pg_run 2>"$T/restart.err"
ok $? "the standby restarts"
wait_for 150 test -s "$T/held-2.rows"
is "$(cat "$T/held-2.code" 2>/dev/null)" 200 "a sender trying through the outage: 200 once the standby has the alert"
is "$(cat "$T/held-2.rows" 2>/dev/null)" 1 "...readable on the standby right after"
deliver held-1 30
is "$CODE" 200 "the retry of the sender who gave up: 200"
is "$(rows held-1)" 1 "...one alert, readable on the standby right after"

# --- the standby replays 2 s behind: a 2xx still means readable there
is "$(stby "SHOW recovery_min_apply_delay")" 2s "the standby replays 2 s late"
t0=$(date +%s%N)
deliver delay-1 30
t1=$(date +%s%N)
is "$CODE" 200 "an alert: 200"
is "$(rows delay-1)" 1 "readable on the standby right after its 2xx (owl keeps remote_apply)"
ok "$([ $(((t1 - t0) / 1000000)) -ge 1500 ]; echo $?)" \
	"the 2xx waited for the standby's replay ($(((t1 - t0) / 1000000)) ms)"

run "$OWL" --db "$PURL" audit verify
like "$RC:$OUT" "^0:ok: " "owl audit verify on the primary"
serve_stop
is "$STOP_RC" 0 "owl serve stops cleanly"

done_testing
