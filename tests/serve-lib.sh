# tests/serve-lib.sh: helpers for the `owl serve` tests, sourced after
# lib.sh: start a server on a free loopback port and stop it at exit,
# post payloads with curl, query the database.

FIX="$OWL_ROOT/tests/fixtures/payloads"

# serve_start NAME ARGS...: starts `owl serve --listen 127.0.0.1:0 ARGS`
# with its log in $T/NAME.log; sets PORT, PID and URL once it listens.
# SERVE_ENV: VAR=VALUE words for owl's environment only (no spaces).
serve_start() {
	_name=$1; shift
	# shellcheck disable=SC2086
	env ${SERVE_ENV:-} "$OWL" serve --listen 127.0.0.1:0 "$@" \
		2>"$T/$_name.log" &
	PID=$!
	tap_at_exit "kill -9 $PID"
	PORT=""
	if wait_for 30 grep -q "listening on" "$T/$_name.log"; then
		PORT=$(sed -n 's/.*listening on https\{0,1\}:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' \
			"$T/$_name.log")
	fi
	URL="http://127.0.0.1:$PORT"
	[ -n "$PORT" ]
}

# serve_stop: SIGTERM, then waits (bounded) for the exit; STOP_RC is the
# exit status, or 124 when it did not exit in time.
serve_stop() {
	kill -TERM "$PID" 2>/dev/null
	_i=0
	while kill -0 "$PID" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	if kill -0 "$PID" 2>/dev/null; then STOP_RC=124; kill -9 "$PID"
	else wait "$PID"; STOP_RC=$?; fi
}

# post PATH FILE [CURL ARGS...]: POSTs the file; CODE gets the status,
# BODY the answer, HDRS the headers.
post() {
	_p=$1; _f=$2; shift 2
	CODE=$(curl -sS -m 10 -o "$T/.body" -D "$T/.hdrs" -w '%{http_code}' \
		-X POST -H 'Content-Type: application/json' \
		--data-binary "@$_f" "$@" "$URL$_p")
	BODY=$(cat "$T/.body")
	HDRS=$(tr -d '\r' <"$T/.hdrs")
}

# q SQL: one query on the test database (lib.sh's db_sql: SQLite or
# PostgreSQL).
q() { db_sql "$1"; }

# hmac_hex SECRET FILE: hex HMAC-SHA256 of the file's bytes.
hmac_hex() {
	python3 -c 'import hmac,hashlib,sys
print(hmac.new(sys.argv[1].encode(), open(sys.argv[2],"rb").read(), hashlib.sha256).hexdigest())' "$1" "$2"
}
