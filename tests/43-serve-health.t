#!/bin/sh
# 43-serve-health.t: GET /healthz says 503 when the database's file system
# is full (under 1 MiB free for an unprivileged writer), before any write
# has failed, and 200 again once there is room: a load balancer sends
# senders elsewhere rather than to an owl that cannot store their alerts.
# owl serve runs in a mount namespace of its own, its database on a small
# tmpfs that the test fills through /proc/PID/root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	echo "1..0 # SKIP needs root and unshare -m (a tmpfs of its own)"
	exit 0
fi
mkdir -p "$T/small"
cat >"$T/ns.sh" <<NS
mount -t tmpfs -o size=4m owl-test "$T/small" || exit 1
exec "$OWL" serve --listen 127.0.0.1:0
NS
OWL_DB="$T/small/owl.db" unshare -m sh "$T/ns.sh" 2>"$T/full.log" &
PID=$!
tap_at_exit "kill -9 $PID"
wait_for 10 grep -q "listening on" "$T/full.log"
ok $? "owl serve starts with its database on a 4 MiB tmpfs"
PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/full.log")
URL="http://127.0.0.1:$PORT"
SMALL="/proc/$PID/root$T/small"
code() { curl -sS -m 5 -o "$T/.hbody" -w '%{http_code}' "$URL/healthz"; }
is "$(code)" 200 "room to write: /healthz 200"

# fill the file system (dd stops at ENOSPC)
dd if=/dev/zero of="$SMALL/fill" bs=64k 2>/dev/null
wait_for 10 sh -c "[ \"\$(curl -sS -m 5 -o /dev/null -w '%{http_code}' '$URL/healthz')\" = 503 ]"
ok $? "the file system full: /healthz 503 (no write has failed yet)"
is "$(code)" 503 "...and stays so"
like "$(cat "$T/.hbody")" "^database: its file system is full \([0-9]+ bytes free\)$" \
	"...saying why"
rm -f "$SMALL/fill"
wait_for 10 sh -c "[ \"\$(curl -sS -m 5 -o /dev/null -w '%{http_code}' '$URL/healthz')\" = 200 ]"
ok $? "room again: /healthz 200"
kill -TERM "$PID"
wait "$PID"
is "$?" 0 "owl serve stops cleanly"

done_testing
