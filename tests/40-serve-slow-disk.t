#!/bin/sh
# 40-serve-slow-disk.t: owl serve on a slow disk (tests/slowsync.c holds
# each fsync up, as a loaded disk does). The threads beside the writer
# that renew a duty's lease (the pull duty here, paging likewise) must
# not hold SQLite's one write lock while the disk syncs: the writer waits
# 2 s for it, and an alert arriving meanwhile got 503 "locked by another
# owl", locked by owl itself (24-pagerduty.t failed so on a loaded box).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"

if [ "$OWL_ASAN" = 1 ] || db_is_pg; then
	skip 10 "an LD_PRELOAD shim (not beside ASan), SQLite's write lock"
	done_testing
	exit 0
fi
mkdir -p "$T/sync"
${CC:-cc} -shared -fPIC -o "$T/slowsync.so" "$OWL_ROOT/tests/slowsync.c" -ldl
ok $? "the slow-disk shim builds"
SERVE_ENV="LD_PRELOAD=$T/slowsync.so OWL_TEST_SYNC_DIR=$T/sync OWL_TEST_SYNC_MS=5000"
printf 'R0UT1NGKEY0123456789abcdef012345\n' >"$T/tokens"
serve_start serve --token-file "$T/tokens"
ok $? "owl serve starts"

lease() { q "SELECT value FROM paging_state WHERE key = 'pull'"; }
has_lease() { [ -n "$(lease)" ]; }
wait_for 20 has_lease
before=$(lease)
# from now on every sync takes 5 s; the pull duty's next renewal (every
# third of its lease or sooner) is caught while its commit waits for the
# disk, or seen committed
touch "$T/sync/slow"
renewing() { ls "$T/sync" | grep -q '^busy\.' || [ "$(lease)" != "$before" ]; }
wait_for 20 renewing
ok $? "the pull duty renews its lease"
printf '{"routing_key":"R0UT1NGKEY0123456789abcdef012345","event_action":"trigger","dedup_key":"slow-1","payload":{"summary":"disk slow","source":"h","severity":"error"}}' >"$T/a.json"
post /v2/enqueue "$T/a.json" -m 30
is "$CODE" 202 "an alert arriving during the renewal is stored, not refused"
is "$(q "SELECT count(*) FROM alerts WHERE fingerprint = 'slow-1'")" 1 \
	"...and is in the database"
rm -f "$T/sync/slow"

# The writer commits and goes on while another thread syncs the WAL
# (deferred durability): a 2xx only after a sync that covers the alert.
# A disk whose syncs fail gets no 2xx, and owl answers again once they
# succeed.
touch "$T/sync/fail"
sed 's/slow-1/sync-fail-1/' "$T/a.json" >"$T/b.json"
post /v2/enqueue "$T/b.json" -m 30
is "$CODE" 503 "an alert whose sync fails is not acknowledged"
# the syncer's fdatasync fails, or the commit's own sync of a new WAL
# header (the first commit after the checkpointer restarted the WAL)
like "$BODY" "cannot sync its write-ahead log: Input/output error|commit: disk I/O error" \
	"...and the reply says the disk failed"
rm -f "$T/sync/fail"
ok_again() {
	post /v2/enqueue "$T/b.json" -m 30
	[ "$CODE" = 202 ]
}
wait_for 20 ok_again
ok $? "the same alert is acknowledged once the disk syncs again"
is "$(q "SELECT count(*) FROM alerts WHERE fingerprint = 'sync-fail-1'")" 1 \
	"...stored once"
serve_stop
is "$STOP_RC" 0 "owl serve stops"

done_testing
