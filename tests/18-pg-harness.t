#!/bin/sh
# 18-pg-harness.t: the suite's own database plumbing (issue 18). db_sql
# gives the same rows on SQLite and on PostgreSQL (psql), and tests/pg.sh
# starts a throwaway cluster (loopback, free port, unprivileged, socket in
# its directory) and stops it by its pid, leaving nothing behind.
. "$(dirname "$0")/lib.sh"

# cases: the same statements on whichever database $OWL_DB names
cases() {
	db_sql "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n BIGINT)"
	db_sql "INSERT INTO t(id, name, n) VALUES (1, 'a|b', 5), (2, NULL, NULL),
		(3, 'two
lines', 4102444800000000)"
	db_sql "SELECT id, name, n FROM t ORDER BY id"
	db_sql "SELECT count(*), COALESCE(max(name), 'none'),
		CASE WHEN sum(n) > 5 THEN 1 ELSE 0 END FROM t"
	db_sql "SELECT name FROM t WHERE id = 99"
	db_sql "UPDATE t SET n = n + 1 WHERE id = 1; SELECT n FROM t WHERE id = 1"
}
want="1|a|b|5
2||
3|two
lines|4102444800000000
3|two
lines|1
6"

OWL_DB="$T/harness.db"
ok "$(db_absent; echo $?)" "db_absent on SQLite: no file"
is "$(cases 2>&1)" "$want" "db_sql on SQLite: one row per line, | between columns, NULL as nothing"
ok "$(! db_absent; echo $?)" "db_absent on SQLite: false once it has tables"
like "$(db_sql .dump)" "INSERT INTO t VALUES\(1,'a[|]b',6\)" "db_sql .dump on SQLite: sqlite3's dump"
out=$(sqlite_only "why"; echo "rc=$?")
is "$out" "rc=0" "sqlite_only on SQLite: runs the check, prints nothing"
if [ -z "${OWL_TEST_PG:-}" ]; then
	is "$(db_new x)" "$T/x.db" "db_new on SQLite: a path in \$T"
else
	like "$(db_new x)" "^postgresql://127\.0\.0\.1:[0-9]+/owl_18_pg_harness_[0-9]+_x\?user=owl$" \
		"db_new under make test-pg: a new database's URL"
fi

if [ ! -x "$PG_BIN/initdb" ]; then
	echo "ok $((_tap_n + 1)) # skip no PostgreSQL server binaries (sh .ci/deps test installs them)"
	_tap_n=$((_tap_n + 1))
	done_testing
	exit
fi

# A cluster of this file's own (make test-pg's, if any, is left alone).
main_pg=${PG_DIR:-}
dir=$(sh "$OWL_ROOT/tests/pg.sh" start 2>"$T/start.err")
ok $? "pg.sh start: a cluster is up"
tap_at_exit "sh '$OWL_ROOT/tests/pg.sh' stop '$dir'"
pg_load "$dir"
pid=$(pg_pid)
ok "$(kill -0 "$pid" 2>/dev/null; echo $?)" "its postmaster ($pid) runs, named by data/postmaster.pid"
if [ "$(id -u)" = 0 ]; then
	is "$(stat -c %u "/proc/$pid")" 65534 "run as root: the server runs as nobody"
fi
ok "$([ -S "$dir/.s.PGSQL.$PG_PORT" ]; echo $?)" "its unix socket is in its directory"
pg_createdb owl_harness
ok $? "createdb over TCP"
OWL_DB=$(pg_url owl_harness)
is "$OWL_DB" "postgresql://127.0.0.1:$PG_PORT/owl_harness?user=owl" "the database's URL"
is "$(db_sql "SHOW listen_addresses")" 127.0.0.1 "it listens on 127.0.0.1 only"
is "$(db_sql "SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit')")" \
	"off on" "fsync off (test-only), synchronous_commit on"
ok "$(db_absent; echo $?)" "db_absent on PostgreSQL: a new database has no table"
is "$(cases 2>&1)" "$want" "db_sql on PostgreSQL: the same rows as on SQLite"
ok "$(! db_absent; echo $?)" "db_absent on PostgreSQL: false once it has tables"
like "$(db_sql .dump)" "CREATE TABLE public\.t " "db_sql .dump on PostgreSQL: pg_dump"
like "$(db_bytes)" "a[|]b" "db_bytes on PostgreSQL: the dump"
out=$(sqlite_only "a WAL file"; echo "rc=$?")
like "$out" "^ok [0-9]+ # skip SQLite only: a WAL file
rc=1$" "sqlite_only on PostgreSQL: one skipped test with the reason, and fails"
db_sql "SELECT pg_sleep(60)" >/dev/null 2>&1 &
sleeper=$!
tap_at_exit "kill $sleeper"
wait_for 10 sh -c "[ \"\$('$PG_BIN/psql' -X -At -d '$OWL_DB' -c \"SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'\")\" = 1 ]"
pg_dropdb owl_harness
ok $? "dropdb even while a client is connected"
is "$(OWL_DB=$(pg_url postgres) db_sql "SELECT count(*) FROM pg_database WHERE datname = 'owl_harness'")" 0 \
	"the database is gone"

# A streaming standby of it (failover tests): replicates, and after the
# primary is gone and it is promoted, a multi-host URL with
# target_session_attrs=read-write writes on it.
P1=$PG_PORT
OWL_DB=$(pg_url postgres)
db_sql "CREATE DATABASE owl_fail"
OWL_DB=$(pg_url owl_fail)
db_sql "CREATE TABLE f(x INTEGER); INSERT INTO f VALUES (1)"
pg_standby "$P1" 2>"$T/standby.err"
ok $? "pg_standby: a standby started from pg_basebackup"
sdir=$PG_DIR
P2=$PG_PORT
tap_at_exit "sh '$OWL_ROOT/tests/pg.sh' stop '$sdir'"
OWL_DB=$(pg_url owl_fail)
is "$(db_sql "SELECT pg_is_in_recovery()")" t "...in recovery (a standby)"
db_sql "INSERT INTO f VALUES (2)" >/dev/null 2>&1
ok "$([ $? -ne 0 ]; echo $?)" "...read-only"
OWL_DB="postgresql://127.0.0.1:$P1/owl_fail?user=owl" db_sql "INSERT INTO f VALUES (2)"
replicated() { [ "$(db_sql "SELECT count(*) FROM f")" = 2 ]; }
wait_for 30 replicated
ok $? "...streams the primary's writes"
multi="postgresql://127.0.0.1:$P1,127.0.0.1:$P2/owl_fail?user=owl&target_session_attrs=read-write"
is "$(OWL_DB=$multi db_sql "SELECT inet_server_port()")" "$P1" \
	"a multi-host URL (read-write) connects to the primary"

sh "$OWL_ROOT/tests/pg.sh" stop "$dir"
ok $? "pg.sh stop"
ok "$(! kill -0 "$pid" 2>/dev/null; echo $?)" "the postmaster is gone"
ok "$([ ! -e "$dir" ]; echo $?)" "the cluster's directory is removed"

pg_promote
ok $? "pg_promote: the standby is promoted"
is "$(OWL_DB=$multi db_sql "INSERT INTO f VALUES (3); SELECT inet_server_port()")" "$P2" \
	"the same multi-host URL now writes on the new primary"
is "$(db_sql "SELECT count(*) FROM f")" 3 "...with every committed row"
sh "$OWL_ROOT/tests/pg.sh" stop "$sdir"
ok "$([ $? -eq 0 ] && [ ! -e "$sdir" ]; echo $?)" "the standby stops too"
if [ -n "$main_pg" ]; then
	pg_load "$main_pg"
	OWL_DB=$(db_new after)
	is "$(db_sql "SELECT 1")" 1 "make test-pg's cluster is still up"
fi

done_testing
