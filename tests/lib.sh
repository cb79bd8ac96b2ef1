# tests/lib.sh: a small TAP library for shell tests that drive ./owl.
# Source it from a tests/*.t file; `prove` runs them. Each test file gets
# a private temporary directory ($T) removed at exit, and an $OWL_DB in it;
# under `make test-pg` (OWL_TEST_PG names a cluster tests/pg.sh started)
# $OWL_DB is instead a fresh PostgreSQL database of its own, dropped at exit.
set -u

OWL_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# OWL_BIN runs the tests against another build (make test-asan: ASan+UBSan)
OWL="${OWL_BIN:-$OWL_ROOT/owl}"
case "$OWL" in */asan/*) OWL_ASAN=1 ;; *) OWL_ASAN=0 ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/owl-test-XXXXXX")
# The ASan owl's reports (AddressSanitizer, LeakSanitizer at each exit)
# go to files under $T/.asan, one a process, the servers' and detached
# runs' included, whose stderr no check reads: done_testing fails the
# file on any (asan_reports). Leaks in system libraries only are
# suppressed, each said why in tests/lsan.supp; an ASAN_OPTIONS or
# LSAN_OPTIONS of the caller's comes after, so it wins.
if [ "$OWL_ASAN" = 1 ]; then
	mkdir -p "$T/.asan"
	export ASAN_OPTIONS="detect_leaks=1:log_path=$T/.asan/owl${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export LSAN_OPTIONS="suppressions=$OWL_ROOT/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
export OWL_DB="$T/owl.db" OWL_ACTOR=tester
export XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config"
. "$OWL_ROOT/tests/pg.sh"
unset OWL_CONFIG OWL_RUNBOOKS SUDO_USER
# Debian's python3 (its packages, e.g. aiosmtpd, live there), first in
# PATH: a version manager's shim (pyenv) costs several shells per call.
if [ -x /usr/bin/python3 ]; then
	mkdir -p "$T/bin" && ln -s /usr/bin/python3 "$T/bin/python3"
	PATH="$T/bin:$PATH"
	export PATH
fi
trap 'tap_cleanup' EXIT
_tap_n=0
_tap_fail=0
_tap_cleanups=""

# Runs a command at exit (servers the test started), before $T goes.
tap_at_exit() { _tap_cleanups="$1; $_tap_cleanups"; }
tap_cleanup() {
	eval "$_tap_cleanups" 2>/dev/null
	# a server stopped just now reports its leaks as it exits
	_late=0
	if [ "$OWL_ASAN" = 1 ] && ! asan_reports; then
		echo "owl: sanitizer reports after the last test (above)" >&2
		_late=1
	fi
	if [ -n "${OWL_TEST_PG:-}" ] && [ -f "$T/.pg-dbs" ]; then
		while read -r _db; do pg_dropdb "$_db" >/dev/null 2>&1; done <"$T/.pg-dbs"
	fi
	rm -rf "$T"
	[ "$_late" -eq 0 ] || exit 1
}

# db_new [NAME]: prints a new, empty database's $OWL_DB value: "$T/NAME.db"
# (default owl), or under make test-pg a new PostgreSQL database's URL
# (dropped at exit). Nothing is created on SQLite (owl creates the file).
db_new() {
	if [ -z "${OWL_TEST_PG:-}" ]; then
		echo "$T/${1:-owl}.db"
		return 0
	fi
	_db=$(printf 'owl_%s_%s_%s' "$(basename "$0" .t)" "$$" "${1:-owl}" |
		tr 'A-Z' 'a-z' | tr -c 'a-z0-9_\n' _ | cut -c1-63)
	echo "$_db" >>"$T/.pg-dbs"
	pg_createdb "$_db" || return 1
	pg_url "$_db"
}

# db_is_pg: $OWL_DB names a PostgreSQL database.
db_is_pg() {
	case "$OWL_DB" in postgresql://* | postgres://*) return 0 ;; esac
	return 1
}

# db_sql SQL: runs SQL on $OWL_DB behind owl's back: sqlite3, or psql on
# PostgreSQL; one row per line, columns joined by |, NULL as nothing.
# Write SQL both accept ('strings', COALESCE, CASE; no PRAGMA, no
# group_concat, no "double-quoted" strings, no 0/1 from a comparison).
# db_sql .dump: the whole database as text (sqlite3 .dump or pg_dump).
db_sql() {
	if db_is_pg; then
		if [ "$1" = .dump ]; then
			"$PG_BIN/pg_dump" --no-owner -d "$OWL_DB"
		else
			"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$OWL_DB" -c "$1"
		fi
	else
		sqlite3 -cmd '.timeout 5000' "$OWL_DB" "$1"
	fi
}

# db_absent: owl made no database: no file at $OWL_DB, or on PostgreSQL
# no table in the (empty, db_new made it) database.
db_absent() {
	if db_is_pg; then
		[ "$(db_sql "SELECT count(*) FROM information_schema.tables
			WHERE table_schema = current_schema()")" = 0 ]
	else
		[ ! -e "$OWL_DB" ]
	fi
}

# db_bytes: every byte the database keeps, for "no secret in it" checks:
# the SQLite files as they are (WAL and free pages too), or pg_dump.
db_bytes() {
	if db_is_pg; then db_sql .dump; else cat "$OWL_DB"*; fi 2>/dev/null
}

# sqlite_only WHY: 0 on SQLite; on PostgreSQL prints one skipped test
# saying WHY and fails, for checks that only mean something on SQLite:
#   if sqlite_only "PRAGMA integrity_check"; then is ...; fi
sqlite_only() {
	db_is_pg || return 0
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # skip SQLite only: $1"
	return 1
}

# make test-pg: this file's own database on the running test cluster.
if [ -n "${OWL_TEST_PG:-}" ]; then
	pg_load "$OWL_TEST_PG" || exit 1
	OWL_DB=$(db_new) || { echo "Bail out! no database on the test cluster"; exit 1; }
fi

_tap_planned=0
plan() { echo "1..$1"; _tap_planned=1; } # optional: done_testing plans too
diag() { echo "# $*" | sed '2,$s/^/# /'; }
# why a check failed, on stderr as Test::More does: prove shows it without
# -v, so a failure in CI's log says what was got (the first 60 lines)
fail_diag() { diag "$@" | head -n 60 >&2; }

ok() { # ok COND_STATUS NAME: passes when the status is 0
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"
	else echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
}

# skip N WHY: N skipped tests, saying WHY (a check this run cannot make)
skip() {
	_s=0
	while [ "$_s" -lt "$1" ]; do
		_s=$((_s + 1))
		_tap_n=$((_tap_n + 1))
		echo "ok $_tap_n # skip $2"
	done
}

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	"$@" >"$T/.out" 2>"$T/.err"
	RC=$?
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
}

is() { # is GOT WANT NAME
	if [ "$1" = "$2" ]; then ok 0 "$3"
	else ok 1 "$3"; fail_diag "got: '$1'"; fail_diag "want: '$2'"; fi
}

like() { # like GOT REGEX NAME (extended grep)
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"
	else ok 1 "$3"; fail_diag "got: '$1'"; fail_diag "want match: /$2/"; fi
}

unlike() { # unlike GOT REGEX NAME
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"; fail_diag "got: '$1'"; fail_diag "must not match: /$2/"
	else ok 0 "$3"; fi
}

# newdb [PATH]: makes an empty owl database at PATH (default $OWL_DB):
# the commands that only read never create one.
newdb() { "$OWL_ROOT/build/tools/owl-append" "${1:-$OWL_DB}" 0; }

# wait_for SECONDS CMD...: retries CMD every 0.1 s until it succeeds or the
# time runs out (bounded, for servers and background processes).
wait_for() {
	_w_end=$(( $(date +%s) + $1 )); shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_w_end" ] && return 1
		sleep 0.1
	done
	return 0
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# closed_port: a loopback port nothing listens on (connection refused),
# now and later: one below 1024, which neither a bind to port 0 nor an
# outgoing connection takes (a free_port may be bound meanwhile by a test
# beside, and then answer).
closed_port() {
	python3 -c 'import socket
for p in range(9, 1024):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", p))
    except ConnectionRefusedError:
        print(p)
        break
    finally:
        s.close()'
}

# port_of FILE [SECONDS]: the port a test server started with port 0 and
# OWL_PORT_FILE=FILE bound (tests/portfile.py), once it listens. A port
# picked first (free_port) and bound later by the server can be taken
# meanwhile by a test running beside (prove -j): bind port 0 instead.
port_of() {
	wait_for "${2:-15}" test -s "$1" || return 1
	cat "$1"
}

# hold_service: starts tests/holdsvc.py (a flag service whose PUTs are
# held open until $T/hold/release exists) on a port of its own, stopped
# (and its held requests released) at exit; sets SVC (its pid) and URL,
# checks that it is up, and points OWL_CONFIG at a config whose
# flags_url is URL.
hold_service() {
	mkdir -p "$T/hold"
	OWL_PORT_FILE="$T/svc.port" python3 "$OWL_ROOT/tests/holdsvc.py" 0 \
		"$T/hold" 2>"$T/svc.err" &
	SVC=$!
	tap_at_exit "touch '$T/hold/release'; kill $SVC"
	URL="http://127.0.0.1:$(port_of "$T/svc.port")"
	wait_for 10 curl -sf "$URL/healthz"
	ok $? "the holding service is up"
	printf 'return { flags_url = "%s" }\n' "$URL" >"$T/config.lua"
	export OWL_CONFIG="$T/config.lua"
}

# listen_retry VAR SECONDS START: for a server that cannot bind port 0
# and say which it got (Alertmanager, git daemon): sets VAR to a free
# port and calls the function START, which starts the server on $VAR in
# the background and sets LPID to its pid; returns 0 once LPID itself (or
# its child) listens there. The port can be taken by a test beside
# (prove -j) between the pick and the bind: the server then fails, and
# another port is picked (three tries). LPID is stopped at exit.
listen_retry() {
	for _lr_try in 1 2 3; do
		eval "$1=\$(free_port)"
		"$3"
		tap_at_exit "kill $LPID 2>/dev/null"
		_lr_end=$(($(date +%s) + $2))
		while [ "$(date +%s)" -lt "$_lr_end" ]; do
			python3 "$OWL_ROOT/tests/listening.py" "$LPID" \
			    "$(eval echo "\$$1")"
			case $? in
			0) return 0 ;;
			2) break ;; # it failed: the port was taken
			esac
			sleep 0.1
		done
		kill "$LPID" 2>/dev/null
	done
	return 1
}

# asan_reports [SEEN]: prints to stderr the ASan owl's reports not yet
# printed (their names kept in the file SEEN, default $T/.asan.seen);
# fails when there was one. Under the ASan owl only.
asan_reports() {
	_seen=${1:-$T/.asan.seen}
	_new=0
	touch "$_seen"
	for _r in "$T"/.asan/owl.*; do
		[ -f "$_r" ] || continue
		grep -qxF "$_r" "$_seen" && continue
		echo "$_r" >>"$_seen"
		_new=1
		echo "# $(basename "$_r"):" >&2
		sed 's/^/#   /' "$_r" >&2
	done
	[ "$_new" -eq 0 ]
}

# done_testing: ends the file; prints the plan when plan was not called.
# Under the ASan owl, one more test: no sanitizer report from any owl
# the file ran (those still running report in tap_cleanup).
done_testing() {
	if [ "$OWL_ASAN" = 1 ]; then
		asan_reports
		ok $? "no AddressSanitizer or LeakSanitizer report from owl"
	fi
	[ "$_tap_planned" -eq 1 ] || echo "1..$_tap_n"
	[ "$_tap_fail" -eq 0 ]
}
