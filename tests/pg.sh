# tests/pg.sh: a throwaway PostgreSQL cluster for the shell tests (Debian's
# `postgresql` package; issue 18). Sourced (by tests/lib.sh and `make
# test-pg`), or run:
#   sh tests/pg.sh run CMD...   starts a cluster, runs CMD with OWL_TEST_PG
#                               naming it (each tests/*.t then gets its own
#                               database), stops the cluster, exits as CMD
#   sh tests/pg.sh start        starts one and prints its directory (for
#                               OWL_TEST_PG=DIR); sh tests/pg.sh stop DIR
#
# The cluster lives in one temporary directory: data/ (PGDATA), the unix
# socket, log, port. It listens on 127.0.0.1 only, on a free port. Its
# superuser is "owl", trusted without a password from loopback and the
# socket: a test-only cluster, nothing in it outlives the run. PostgreSQL
# refuses to run as root: as root the server runs as nobody (65534) in a
# directory chown'd to it. Stopped by the pid in data/postmaster.pid: only
# the server this file started, never by name.
# POSIX sh; functions and variables are prefixed pg_ / PG_ (lib.sh sources it).

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_SUPERUSER=owl

# pg_as CMD...: runs a server-side binary as the cluster's owner (nobody
# when we are root), from inside the cluster directory (its cwd must be
# readable by that user).
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		(cd "$PG_DIR" && setpriv --reuid=65534 --regid=65534 --clear-groups \
			env HOME="$PG_DIR" "$@")
	else
		(cd "$PG_DIR" && "$@")
	fi
}

# pg_load DIR: sets PG_DIR and PG_PORT from a running cluster's directory.
pg_load() {
	PG_DIR=$1
	PG_PORT=$(cat "$PG_DIR/port" 2>/dev/null) || {
		echo "owl tests: $PG_DIR is not a test cluster (no port file)" >&2
		return 1
	}
}

# pg_pid: the postmaster's pid (first line of data/postmaster.pid), or fails.
pg_pid() {
	_pg_p=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null)
	case "$_pg_p" in '' | *[!0-9]*) return 1 ;; esac
	echo "$_pg_p"
}

# pg_start: initdb in a new temporary directory and start the server;
# sets PG_DIR and PG_PORT; returns once it accepts connections (pg_isready,
# polled with a deadline), or fails with the log's tail.
pg_start() {
	pg_newdir || return 1
	# --no-sync: nothing to keep if the machine dies mid-initdb.
	if ! pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U "$PG_SUPERUSER" -A trust \
		-E UTF8 --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1; then
		echo "owl tests: initdb failed:" >&2
		tail -20 "$PG_DIR/initdb.log" >&2
		pg_stop
		return 1
	fi
	pg_run
}

# pg_standby PORT [NAME]: a streaming standby of the cluster on
# 127.0.0.1:PORT (pg_basebackup -R), started like pg_start; sets PG_DIR
# and PG_PORT to the standby's. NAME: its application_name (what the
# primary's synchronous_standby_names names; default walreceiver). For
# failover tests: pg_promote makes it the primary, and
# postgresql://127.0.0.1:P1,127.0.0.1:P2/DB?target_session_attrs=read-write
# finds whichever is the primary.
pg_standby() {
	pg_newdir || return 1
	if ! pg_as "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$1" -U "$PG_SUPERUSER" \
		-d "application_name=${2:-walreceiver}" \
		-D "$PG_DIR/data" -R -X stream -c fast --no-sync >"$PG_DIR/initdb.log" 2>&1; then
		echo "owl tests: pg_basebackup from 127.0.0.1:$1 failed:" >&2
		tail -20 "$PG_DIR/initdb.log" >&2
		pg_stop
		return 1
	fi
	pg_run
}

# pg_promote: promotes the standby PG_DIR names; returns once it is the
# primary (pg_promote waits, 60 s at most).
pg_promote() {
	[ "$("$PG_BIN/psql" -X -At -d "$(pg_url postgres)" \
		-c "SELECT pg_promote(true, 60)")" = t ]
}

# pg_newdir: a new cluster directory, owned by the server's user.
pg_newdir() {
	if [ ! -x "$PG_BIN/initdb" ]; then
		echo "owl tests: no PostgreSQL server binaries (apt-get install postgresql; sh .ci/deps test)" >&2
		return 1
	fi
	_pg_tmp=${TMPDIR:-/tmp}
	# as root the server runs as nobody, who must reach the directory
	if [ "$(id -u)" = 0 ] && ! setpriv --reuid=65534 --regid=65534 \
		--clear-groups test -x "$_pg_tmp" 2>/dev/null; then
		_pg_tmp=/tmp
	fi
	PG_DIR=$(mktemp -d "$_pg_tmp/owl-pg-XXXXXX") || return 1
	chmod 0700 "$PG_DIR"
	if [ "$(id -u)" = 0 ]; then chown 65534:65534 "$PG_DIR"; fi
}

# pg_run: starts the server of PG_DIR/data on a free loopback port and
# polls until it answers on its own socket and on TCP. Also restarts a
# cluster stopped with pg_stop_server (on a new port).
pg_run() {
	# A free port can be taken between choosing it and the bind: a few tries.
	_pg_try=0
	while [ $_pg_try -lt 5 ]; do
		_pg_try=$((_pg_try + 1))
		PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
		echo "$PG_PORT" >"$PG_DIR/port"
		# a restart (pg_stop_server, pg_run): the last run's log, with
		# its FATAL lines, is kept as log.1; log is this run's
		if [ -s "$PG_DIR/log" ]; then
			cat "$PG_DIR/log" >>"$PG_DIR/log.1"
			: >"$PG_DIR/log"
		fi
		# Test-only cluster: fsync and full_page_writes off. They only
		# matter when the operating system (not a process) dies, and the
		# cluster is deleted after the run anyway; a process killed with
		# -9 (owl's or the server's) loses nothing committed, since
		# synchronous_commit stays on (the default): a 2xx still means
		# the commit reached the WAL. Everything else stays at its
		# default. PG_FSYNC=on (the benchmarks): both on, as in
		# production, so that a commit waits for the disk as SQLite's
		# synchronous=FULL does.
		_pg_fs=${PG_FSYNC:-off}
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -W \
			-o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT \
-c unix_socket_directories='$PG_DIR' -c fsync=$_pg_fs \
-c full_page_writes=$_pg_fs -c max_connections=200" start >/dev/null 2>&1
		_pg_end=$(($(date +%s) + 60))
		while :; do
			# its own socket first: another server may hold the port
			if "$PG_BIN/pg_isready" -q -h "$PG_DIR" -p "$PG_PORT" -t 5 &&
				"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 5; then
				pg_pid >/dev/null && return 0
			fi
			# the postmaster is gone (port taken, bad option): retry
			if [ -f "$PG_DIR/data/postmaster.pid" ]; then
				_pg_p=$(pg_pid) && ! kill -0 "$_pg_p" 2>/dev/null && break
			elif [ -s "$PG_DIR/log" ] && grep -q FATAL "$PG_DIR/log"; then
				break
			fi
			[ "$(date +%s)" -ge $_pg_end ] && break
			sleep 0.1
		done
		pg_stop_server
		grep -q 'Address already in use\|could not bind' "$PG_DIR/log" 2>/dev/null || break
	done
	echo "owl tests: PostgreSQL did not start (127.0.0.1:$PG_PORT); its log:" >&2
	tail -20 "$PG_DIR/log" >&2
	pg_stop
	return 1
}

# pg_stop_server: fast shutdown (SIGINT) of the postmaster named by
# data/postmaster.pid, waited for with a deadline, then SIGKILL.
pg_stop_server() {
	_pg_p=$(pg_pid) || return 0
	kill -INT "$_pg_p" 2>/dev/null || return 0
	_pg_end=$(($(date +%s) + 30))
	while kill -0 "$_pg_p" 2>/dev/null; do
		if [ "$(date +%s)" -ge $_pg_end ]; then
			echo "owl tests: PostgreSQL $_pg_p did not stop in 30 s: killed" >&2
			kill -KILL "$_pg_p" 2>/dev/null
			break
		fi
		sleep 0.1
	done
}

# pg_stop: stops the server and removes the cluster's directory.
pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
	pg_stop_server
	rm -rf "$PG_DIR"
}

# pg_own_clusters: for a test file that starts PostgreSQL clusters of its
# own (lib.sh sourced): the whole file is skipped without the server
# binaries; make test-pg's cluster (if any) is left alone, given back to
# lib.sh at exit (to drop this file's database on) after the file's own
# clusters, stopped by cleanups registered later, are gone.
pg_own_clusters() {
	if [ ! -x "$PG_BIN/initdb" ]; then
		echo "1..0 # skip no PostgreSQL server binaries (sh .ci/deps test installs them)"
		exit 0
	fi
	tap_at_exit "PG_DIR='${PG_DIR:-}'; PG_PORT='${PG_PORT:-}'"
	unset PG_DIR PG_PORT
}

# pg_own_db DB: the start of a test file whose PostgreSQL cluster is its
# own (pg_own_clusters: skipped without the server binaries): the cluster
# started (a test says so) and stopped at exit, database DB made on it,
# and OWL_DB (exported) its URL. The status of making DB.
pg_own_db() {
	pg_own_clusters
	tap_at_exit 'pg_stop'
	pg_start
	ok $? "a PostgreSQL cluster of this test's own starts"
	pg_createdb "$1" || return 1
	OWL_DB=$(pg_url "$1")
	export OWL_DB
}

# pg_url DB: the libpq URL of database DB on the cluster (TCP, loopback).
pg_url() { echo "postgresql://127.0.0.1:$PG_PORT/$1?user=$PG_SUPERUSER"; }

# pg_createdb DB: a new, empty database on the cluster (over TCP).
pg_createdb() {
	"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" "$1"
}

# pg_dropdb DB: drops it, disconnecting whatever still uses it.
pg_dropdb() {
	"$PG_BIN/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" \
		--if-exists --force "$1"
}

# Run as a script: the `run`, `start` and `stop` commands above.
case "${0##*/}" in
pg.sh)
	set -u
	case "${1:-}" in
	run)
		shift
		[ $# -gt 0 ] || { echo "usage: sh tests/pg.sh run CMD..." >&2; exit 2; }
		trap 'pg_stop' EXIT
		trap 'exit 130' INT TERM HUP
		pg_start || exit 1
		echo "# PostgreSQL $("$PG_BIN/postgres" --version | sed 's/^[^0-9]*\([0-9.]*\).*/\1/') on 127.0.0.1:$PG_PORT ($PG_DIR)"
		OWL_TEST_PG=$PG_DIR "$@"
		_pg_rc=$?
		# keep the summary line (prove's Result:) the last line
		pg_stop
		exit $_pg_rc
		;;
	start)
		pg_start || exit 1
		echo "$PG_DIR"
		;;
	stop)
		[ $# -eq 2 ] || { echo "usage: sh tests/pg.sh stop DIR" >&2; exit 2; }
		pg_load "$2" || exit 1
		pg_stop
		;;
	*)
		echo "usage: sh tests/pg.sh run CMD... | start | stop DIR" >&2
		exit 2
		;;
	esac
	;;
esac
