#!/bin/sh
# 18-pg-failover.t: owl serve on a PostgreSQL primary with a synchronous
# streaming standby (issue 18, fault test 2), on clusters of this file's
# own (tests/pg.sh: loopback, free ports, unprivileged, stopped by their
# pids). Two senders post distinct alerts in a loop, each retried on 503
# or a refused connection until a 2xx (a bounded deadline each); mid-storm
# the primary dies (pg_ctl -m immediate) and the standby is promoted. The
# multi-host URL (target_session_attrs=read-write) finds the new primary:
# senders get 503 with Retry-After while there is none, owl serve
# reconnects by itself, and every alert answered 2xx is stored exactly
# once on the new primary; owl audit verify passes there. The URL names
# the primary by its unix socket (in its cluster's own directory) and
# the standby by 127.0.0.1:PORT: once the primary is dead its TCP port is
# free, and another process (another test's cluster, even this test's
# twin in another run with an owlfo database of its own) could take it
# and be written to; the socket path is this test's alone.
. "$(dirname "$0")/lib.sh"
. "$OWL_ROOT/tests/serve-lib.sh"

pg_own_clusters
pg_start
ok $? "a primary of this test's own starts"
PDIR=$PG_DIR
P1=$PG_PORT
tap_at_exit "sh '$OWL_ROOT/tests/pg.sh' stop '$PDIR'"
pg_createdb owlfo
pg_standby "$P1" 2>"$T/standby.err"
ok $? "a streaming standby of it starts (pg_basebackup)"
SDIR=$PG_DIR
P2=$PG_PORT
tap_at_exit "sh '$OWL_ROOT/tests/pg.sh' stop '$SDIR'"
PSQL1="$PG_BIN/psql -X -q -At -v ON_ERROR_STOP=1 -d postgresql://127.0.0.1:$P1/owlfo?user=owl"
PSQL2="$PG_BIN/psql -X -q -At -v ON_ERROR_STOP=1 -d postgresql://127.0.0.1:$P2/owlfo?user=owl"
# committed means on both machines: the standby is synchronous (set on
# the primary only, after the base backup: the promoted standby must not
# wait for a standby of its own)
$PSQL1 -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c "SELECT pg_reload_conf()" >/dev/null
sync_standby() {
	[ "$($PSQL1 -c "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")" = 1 ]
}
wait_for 30 sync_standby
ok $? "the standby is synchronous"

DB="postgresql:///owlfo?host=$PDIR,127.0.0.1&port=$P1,$P2&user=owl&target_session_attrs=read-write"
OWL_DB="$DB" serve_start failover --quiet
ok $? "owl serve on the multi-host URL"
is "$($PSQL1 -c "SELECT count(*) FROM pg_tables WHERE tablename = 'alerts'")" 1 \
	"its tables are made on the primary"
is "$($PG_BIN/psql -X -q -At -d "$DB" -c "SELECT current_setting('data_directory')")" \
	"$($PSQL1 -c "SELECT current_setting('data_directory')")" \
	"(the URL names it first, by its socket)"

# the storm: one sender per prefix, a new connection per POST
cat >"$T/storm.py" <<'PY'
import http.client, json, os, sys, time
port, prefix, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
stop, end = os.path.join(out, "stop"), time.time() + 240
acked = open(os.path.join(out, "acked-" + prefix), "a", buffering=1)
codes = open(os.path.join(out, "codes-" + prefix), "a", buffering=1)
n = gave_up = 0
while not os.path.exists(stop) and time.time() < end:
    n += 1
    aid = "%s-%d" % (prefix, n)
    body = json.dumps({"id": aid, "title": "failover storm " + aid,
                       "status": "firing"})
    give_up = time.time() + 90
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            c.request("POST", "/v1/alerts/generic", body,
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            st, ra = r.status, r.getheader("Retry-After") or "-"
            c.close()
        except (OSError, http.client.HTTPException):
            st, ra = 0, "-"
        codes.write("%d %s\n" % (st, ra))
        if 200 <= st < 300:
            acked.write(aid + "\n")
            break
        if time.time() > give_up:
            gave_up += 1
            break
        time.sleep(0.05)
print("%s: %d sent, %d given up" % (prefix, n, gave_up))
PY
python3 "$T/storm.py" "$PORT" fa "$T" >"$T/storm-fa.out" 2>&1 &
SA=$!
python3 "$T/storm.py" "$PORT" fb "$T" >"$T/storm-fb.out" 2>&1 &
SB=$!
tap_at_exit "kill $SA $SB"
acked() { cat "$T"/acked-fa "$T"/acked-fb 2>/dev/null | wc -l; }
acked_over() { [ "$(acked)" -ge "$1" ]; }
wait_for 60 acked_over 40
ok $? "the storm is stored: $(acked) alerts answered 2xx"

# the primary dies
(PG_DIR=$PDIR; pg_as "$PG_BIN/pg_ctl" -D "$PDIR/data" -m immediate stop) >/dev/null 2>&1
ok $? "the primary is stopped (pg_ctl -m immediate)"
# what each sender was answered from now on
n_fa=$(wc -l <"$T/codes-fa")
n_fb=$(wc -l <"$T/codes-fb")
after_kill() {
	tail -n +"$((n_fa + 1))" "$T/codes-fa"
	tail -n +"$((n_fb + 1))" "$T/codes-fb"
}
saw_503() { after_kill | grep -q '^503 '; }
wait_for 60 saw_503
ok $? "with no writable primary the senders get 503"
n503=$(after_kill | grep -c '^503 ')
# no 2xx while there is no primary, but for the one request each sender
# may have had in flight when the primary died (committed before it)
is "$(after_kill | grep -c '^2[0-9][0-9] ' | awk '{ print ($1 <= 2) }')" 1 \
	"no 2xx while there is no writable primary ($(after_kill | grep -c '^2') of requests in flight)"

health() { curl -s -o /dev/null -m 10 -w '%{http_code}' "$URL/healthz"; }
health_is() { [ "$(health)" = "$1" ]; }
wait_for 30 health_is 503
ok $? "/healthz says 503 meanwhile (a load balancer sends senders elsewhere)"

PG_DIR=$SDIR
PG_PORT=$P2
pg_promote
ok $? "the standby is promoted"
at_promote=$(acked)
wait_for 90 acked_over $((at_promote + 40))
ok $? "owl serve reconnects by itself: 2xx again ($(($(acked) - at_promote)) more)"
ok "$(kill -0 "$PID" 2>/dev/null; echo $?)" "the same owl serve process"
wait_for 30 health_is 200
ok $? "/healthz says 200 again"

touch "$T/stop"
senders_done() { ! kill -0 "$SA" 2>/dev/null && ! kill -0 "$SB" 2>/dev/null; }
wait_for 120 senders_done
ok $? "the senders finish"
is "$(cat "$T/storm-fa.out" "$T/storm-fb.out" | sed 's/: [0-9]* sent//')" "fa, 0 given up
fb, 0 given up" "every alert was answered 2xx in the end"
is "$(cat "$T"/codes-fa "$T"/codes-fb | grep -vc '^2[0-9][0-9] \|^503 [0-9]\|^0 ')" 0 \
	"nothing but 2xx, 503 with Retry-After, or a refused connection"
ok "$([ "$n503" -gt 0 ]; echo $?)" "503s during the switch ($n503)"

# every 2xx is on the new primary, once
cat "$T"/acked-fa "$T"/acked-fb | sort >"$T/acked"
$PSQL2 -c "SELECT fingerprint FROM alerts WHERE source = 'generic'
	AND fingerprint LIKE 'f_-%'" | sort >"$T/stored"
is "$(comm -23 "$T/acked" "$T/stored" | wc -l)" 0 \
	"every one of the $(acked) alerts answered 2xx is on the new primary"
is "$(uniq -d "$T/stored" | wc -l)" 0 "each exactly once"
is "$($PSQL2 -c "SELECT count(*) FROM incidents WHERE title LIKE 'failover storm %'")" \
	"$(wc -l <"$T/stored")" "one incident each"
run env OWL_DB="$DB" "$OWL" audit verify
like "$RC:$OUT" '^0:ok: [0-9]+ entries' "owl audit verify passes on the new primary"
is "$($PG_BIN/psql -X -q -At -d "$DB" -c "SELECT inet_server_port()")" "$P2" \
	"(the URL names it now)"
serve_stop
is "$STOP_RC" 0 "owl serve stops cleanly"

done_testing
