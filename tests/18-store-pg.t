#!/bin/sh
# 18-store-pg.t: owl on PostgreSQL (issue 18), on a cluster of this
# file's own (tests/pg.sh: loopback, free port, unprivileged, stopped by
# its pid): ingest, incidents, show, audit verify and the append-only log,
# a dry-run, its plan applied and a run; the same answers as on SQLite;
# owl migrate (copied once, verified on arrival); four writers, one
# chain; a
# commit seen by a second connection (NOTIFY owl, store_data_version); a
# killed connection taken up again; the server gone: 503 from owl serve
# and one line naming the URL, its password masked.
. "$(dirname "$0")/lib.sh"
. "$OWL_ROOT/tests/serve-lib.sh"

pg_own_db owl18
PGURL=$OWL_DB # every command names its database (--db)
PSQL="$PG_BIN/psql -X -q -At -v ON_ERROR_STOP=1 -d $PGURL"
SQ="$T/sqlite.db"
AM="$FIX/alertmanager-captured.json"

# --- an empty database is none, as an empty file is: said, not filled
run "$OWL" --db "$PGURL" incidents
is "$RC:$ERR" "2:owl: no database at $PGURL (run owl serve or owl ingest to create one)" \
	"owl incidents on a database owl never wrote: exit 2, said"
is "$($PSQL -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0 \
	"and no table made in it"

# --- ingest, list, show, verify: as on SQLite
for f in alertmanager-captured-mixed-truncated alertmanager-captured-repeat \
	alertmanager-captured-resolved-only alertmanager-captured; do
	run "$OWL" --db "$PGURL" ingest --format alertmanager "$FIX/$f.json"
	pg_out=$RC:$OUT
	run "$OWL" --db "$SQ" ingest --format alertmanager "$FIX/$f.json"
	is "$pg_out" "$RC:$OUT" "ingest $f: same answer on PostgreSQL as on SQLite"
done
like "$pg_out" '^0:alertmanager: 1 alert \(1 new\), 1 incident opened' "and it stored"
# the AGE column is the one thing that may differ between the two runs
ages() { sed 's/  *[0-9][0-9]*[smhd]  */ AGE /'; }
run "$OWL" --db "$PGURL" incidents --all
pg_out=$(printf '%s\n' "$OUT" | ages)
is "$RC" 0 "owl incidents on PostgreSQL"
like "$OUT" 'INC-3 +triggered +critical .* Disk /var is 97% full' "lists the incidents"
run "$OWL" --db "$SQ" incidents --all
is "$pg_out" "$(printf '%s\n' "$OUT" | ages)" "the same list as on SQLite"
run "$OWL" --db "$PGURL" show INC-1
is "$RC" 0 "owl show INC-1 on PostgreSQL"
like "$OUT" 'alerts +3 \(2 firing\)' "with its alerts"
like "$OUT" 'truncated +2 more alerts' "and what the sender cut"
run "$OWL" --db "$PGURL" audit verify
is "$RC" 0 "owl audit verify: the chain is intact"
pg_n=$OUT
run "$OWL" --db "$SQ" audit verify
is "$pg_n" "$OUT" "as many entries as on SQLite ($OUT)"
run "$OWL" --db "$PGURL" timeline INC-1
like "$RC:$OUT" '^0:# INC-1: ' "owl timeline INC-1"

# the action log is append-only on the server too
run $PSQL -c "UPDATE actlog SET actor = 'mallory' WHERE id = 1"
like "$RC:$ERR" '^[1-9].*append-only' "an UPDATE of the action log is refused"
run $PSQL -c "DELETE FROM actlog WHERE id = (SELECT max(id) FROM actlog)"
like "$RC:$ERR" '^[1-9].*append-only' "and so is a DELETE"
# entries removed from the end (triggers off: the owner can) are seen
n=$($PSQL -c "SELECT max(id) FROM actlog")
$PSQL -c "ALTER TABLE actlog DISABLE TRIGGER USER;
	DELETE FROM actlog WHERE id = $n; ALTER TABLE actlog ENABLE TRIGGER USER"
run "$OWL" --db "$PGURL" audit verify
like "$RC:$OUT$ERR" "^3:.*entries $n to $n were removed from the end" \
	"entries cut from the end: verify fails (exit 3) and names them"

# --- writes sent ahead (libpq's pipeline mode, store_step_later): one
# that fails on the server fails the whole request, said and named, and
# nothing of it is committed, wherever in the batch it is
pg_createdb owl18p
PURL=$(pg_url owl18p)
"$OWL" --db "$PURL" ingest --format alertmanager "$AM" >/dev/null
$PG_BIN/psql -X -q -v ON_ERROR_STOP=1 -d "$PURL" -c "
	CREATE FUNCTION t_refuse() RETURNS trigger LANGUAGE plpgsql AS
	\$f\$ BEGIN RAISE EXCEPTION 'refused by the test'; END \$f\$;
	CREATE TRIGGER t_refuse BEFORE INSERT ON alerts FOR EACH ROW
	WHEN (NEW.fingerprint = 'refuse-me') EXECUTE FUNCTION t_refuse()"
counts() {
	$PG_BIN/psql -X -q -At -d "$PURL" -c "SELECT (SELECT count(*) FROM alerts)
		|| ' ' || (SELECT count(*) FROM actlog) || ' ' || (SELECT count(*) FROM incidents)"
}
before=$(counts)
for at in 0 25 39; do
	python3 - "$T/bad$at.json" "$at" <<'PY'
import json, sys
at = int(sys.argv[2])
alerts = [{"status": "firing", "labels": {"alertname": "Pipe", "instance": "n-%d" % i},
           "startsAt": "2026-11-29T15:52:42Z",
           "fingerprint": "refuse-me" if i == at else "%016x" % (0x2000 + i)}
          for i in range(40)]
open(sys.argv[1], "w").write(json.dumps({"version": "4", "groupKey": "pipe",
    "status": "firing", "receiver": "owl", "alerts": alerts}))
PY
	run "$OWL" --db "$PURL" ingest --format alertmanager "$T/bad$at.json"
	is "$RC:$ERR" "1:owl: store alert: refused by the test" \
		"40 alerts, alert $at refused by the server: exit 1, what failed said"
	is "$(counts)" "$before" "and none of the 40 is stored, nor logged, nor its incident"
done
run "$OWL" --db "$PURL" audit verify
is "$RC:$OUT" "0:ok: $(echo "$before" | cut -d' ' -f2) entries" "the chain is as it was"
$PG_BIN/psql -X -q -d "$PURL" -c "DROP TRIGGER t_refuse ON alerts"
run "$OWL" --db "$PURL" ingest --format alertmanager "$T/bad25.json"
like "$RC:$OUT" '^0:alertmanager: 40 alerts \(40 new\)' "without the trigger all 40 are stored"
run "$OWL" --db "$PURL" ingest --format alertmanager "$T/bad25.json"
like "$RC:$OUT" '^0:alertmanager: 40 alerts \(0 new\)' "and a re-delivery finds each one"

# --- owl migrate: the SQLite database copied, verified on arrival, once
pg_createdb owl18m
MURL=$(pg_url owl18m)
run "$OWL" --db "$SQ" migrate --to "$MURL"
like "$RC:$OUT" '^0:copied [0-9]+ rows: 3 incidents, 5 alerts, 0 runs, 0 plans, 0 pages, [0-9]+ action-log entries' \
	"owl migrate --to postgresql://...: every table copied"
like "$OUT" 'the action log verifies there' "and the chain verified there"
run "$OWL" --db "$MURL" audit verify
sq_n=$("$OWL" --db "$SQ" audit verify)
is "$RC:$OUT" "0:$sq_n" "owl audit verify on the copy: as many entries as the source"
run "$OWL" --db "$MURL" incidents --all
pg_out=$(printf '%s\n' "$OUT" | ages)
is "$pg_out" "$("$OWL" --db "$SQ" incidents --all | ages)" "the same incidents"
run "$OWL" --db "$MURL" ingest --format generic "$FIX/generic-oncall-formatted-webhook.json"
like "$RC:$OUT" '^0:.*INC-4' "the copy takes new incidents after the copied ids"
run "$OWL" --db "$SQ" migrate --to "$MURL"
like "$RC:$ERR" '^3:owl: migrate to .*: the target holds owl data already' \
	"a second run is refused (exit 3): nothing is copied twice"
# a source whose chain is broken is not copied at all
cp "$SQ" "$T/broken.db"
sqlite3 "$T/broken.db" "DROP TRIGGER actlog_no_update;
	UPDATE actlog SET actor = 'mallory' WHERE id = 2"
pg_createdb owl18n
run "$OWL" --db "$T/broken.db" migrate --to "$(pg_url owl18n)"
like "$RC:$ERR" '^3:owl: migrate to .*: the action log does not verify on arrival, entry 2' \
	"a broken chain: refused on arrival (exit 3), naming the entry"
is "$($PG_BIN/psql -X -q -At -d "$(pg_url owl18n)" -c "SELECT count(*) FROM incidents")" 0 \
	"and nothing was copied"
run "$OWL" --db "$MURL" migrate --to "$(pg_url owl18n)"
is "$RC" 2 "the source must be a SQLite file (exit 2)"
# a statement whose failure owl lets pass (the verify checkpoint, saved
# inside migrate's transaction) leaves the transaction going on, as on
# SQLite: PostgreSQL would abort it whole (a savepoint around it)
now_us=$(python3 -c 'import time; print(int(time.time() * 1e6))')
$PG_BIN/psql -X -q -v ON_ERROR_STOP=1 -d "$(pg_url owl18n)" -c "
	CREATE FUNCTION t_refuse() RETURNS trigger LANGUAGE plpgsql AS
	\$f\$ BEGIN RAISE EXCEPTION 'checkpoint refused by the test'; END \$f\$;
	CREATE TRIGGER t_refuse BEFORE INSERT OR UPDATE ON actlog_checkpoint
	FOR EACH ROW WHEN (NEW.at_us >= $now_us) EXECUTE FUNCTION t_refuse()"
run "$OWL" --db "$SQ" migrate --to "$(pg_url owl18n)"
like "$RC:$OUT" '^0:copied [0-9]+ rows: 3 incidents, 5 alerts, ' \
	"the checkpoint refused inside owl migrate's transaction: copied all the same"
like "$OUT" 'the action log verifies there' "and verified"
run "$OWL" --db "$(pg_url owl18n)" audit verify
is "$RC:$OUT" "0:$sq_n" "and owl audit verify there agrees"

# --- a dry-run, its plan applied, a run
pg_createdb owl18b
newdb "$(pg_url owl18b)" # owl run needs a database (never creates one)
export OWL_DB="$(pg_url owl18b)"
mkdir -p "$T/rb"
cat >"$T/rb/touch.lua" <<EOF
runbook { summary = "write a file" }
function run(p)
  step("write", function()
    file.write("$T/out.txt", "hello\n")
  end)
end
EOF
run "$OWL" run touch --runbooks "$T/rb" --dry-run
is "$RC" 0 "a dry-run on PostgreSQL"
ok "$([ ! -e "$T/out.txt" ]; echo $?)" "changes nothing"
plan=$(printf '%s\n' "$OUT" | sed -n 's/.*its writes are plan \([0-9]*\).*/\1/p')
like "$plan" '^[0-9]+$' "and stores its plan"
run "$OWL" apply "$plan" --yes
is "$RC:$(cat "$T/out.txt" 2>/dev/null)" "0:hello" "owl apply PLAN writes exactly that"
run "$OWL" run touch --runbooks "$T/rb" --yes
is "$RC" 0 "a live run"
run "$OWL" runs
like "$OUT" 'run 3 +ok +touch' "owl runs lists it"
like "$OUT" 'run 1 +ok +touch \(dry-run\)' "beside the dry-run"
run "$OWL" audit verify
is "$RC" 0 "and the chain is intact"

# --- many writers, one chain: four processes append at once
before=$("$OWL" audit verify | sed -n 's/^ok: \([0-9]*\) .*/\1/p')
pids=""
for i in 1 2 3 4; do
	"$OWL_ROOT/build/tools/owl-append" "$OWL_DB" 40 test.race \
		>"$T/append$i.err" 2>&1 &
	pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
is "$fails" 0 "four writers appending 40 entries each at once all succeed"
run "$OWL" audit verify
is "$RC:$OUT" "0:ok: $((before + 160)) entries" \
	"and the action log is one unbroken chain with all of them"

# --- a second connection sees a commit (LISTEN/NOTIFY)
"$OWL_ROOT/build/tools/owl-dv" "$OWL_DB" 30 >"$T/dv.out" 2>&1 &
dv=$!
tap_at_exit "kill $dv"
wait_for 20 grep -q ready "$T/dv.out"
ok $? "a second connection watches the change counter"
"$OWL" ingest --format alertmanager "$AM" >/dev/null
wait "$dv"
is "$?:$(tail -1 "$T/dv.out")" "0:changed" "another process's commit changes it"
run "$OWL_ROOT/build/tools/owl-dv" "$OWL_DB" 1
is "$RC:$(printf '%s\n' "$OUT" | tail -1)" "1:unchanged" "with no commit it stays"

# --- a host that takes the connection and never answers (a machine
# gone without a reset): left after the connect timeout for the next
# host the URL names, not waited for forever
python3 - "$T/bh.port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
s.settimeout(1)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held, end = [], time.time() + 120
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
PY
bh=$!
tap_at_exit "kill $bh"
wait_for 10 test -s "$T/bh.port"
run timeout 60 "$OWL" --db "postgresql://127.0.0.1:$(cat "$T/bh.port"),127.0.0.1:$PG_PORT/owl18b?user=owl" runs
is "$RC" 0 "a first host that never answers: owl connects to the next one after 5 s"
kill "$bh"

# --- owl serve: a killed connection is taken up again; no server, 503
serve_start pgserve
ok $? "owl serve on PostgreSQL"
post /v1/alerts/alertmanager "$AM"
is "$CODE" 200 "an alert: 200"
$PSQL -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE datname = 'owl18b' AND pid <> pg_backend_pid()" >/dev/null
post /v1/alerts/alertmanager "$FIX/alertmanager-captured-repeat.json"
is "$CODE" 200 "its connections killed: the next alert is stored all the same"
pg_stop_server
post /v1/alerts/alertmanager "$FIX/alertmanager-captured-resolved-only.json"
is "$CODE" 503 "the server gone: 503, so that the sender retries"
like "$BODY" "database postgresql://127\.0\.0\.1:$PG_PORT/owl18b\?user=owl: " \
	"naming the database"
serve_stop
run env OWL_DB="postgresql://owl:s3cret@127.0.0.1:$PG_PORT/owl18b" "$OWL" incidents
like "$RC:$ERR" "^1:owl: database postgresql://owl:\*\*\*@127\.0\.0\.1:$PG_PORT/owl18b: connection to server at \"127\.0\.0\.1\", port $PG_PORT failed: Connection refused$" \
	"a command: exit 1, one line, the password masked"

done_testing
