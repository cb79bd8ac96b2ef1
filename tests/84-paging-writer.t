#!/bin/sh
# 84-paging-writer.t: with paging configured, owl serve's pager writes
# (its lease, escalation, the claims and results of pages) through the
# serve writer, on its connection: a commit of another connection
# would empty the writer's page cache (SQLite), and the indexes every
# alert walks would be read again from the file. The writer counts the
# transactions it began after another connection's commit in
# owl_writer_cache_resets_total.
. "$(dirname "$0")/lib.sh"
newdb
. "$OWL_ROOT/tests/serve-lib.sh"
. "$OWL_ROOT/tests/page-lib.sh"

sink_start ok
mkdir -p "$XDG_CONFIG_HOME/owl"
cat >"$XDG_CONFIG_HOME/owl/config.lua" <<EOF2
return {
  oncall = {
    rotations = { primary = { people = { "alice" }, start = "2026-01-05" },
                  secondary = { people = { "bob" }, start = "2026-01-05" } },
    people = {
      alice = { slack = "$SINK_ok/hooks/alice" },
      bob = { slack = "$SINK_ok/hooks/bob" },
    },
    delivery = { attempts = 1, backoff = "1s", timeout = "10s" },
  },
  escalation = {
    { after = "0s", notify = "primary" },
    { after = "2s", notify = "secondary" },
  },
}
EOF2
echo tok >"$T/tokens"
resets() {
	curl -sS "$URL/metrics" |
		sed -n 's/^owl_writer_cache_resets_total \([0-9]*\)$/\1/p'
}
fire() { # fire NAME
	printf '[{"labels":{"alertname":"%s","severity":"critical"},"startsAt":"2026-11-29T15:52:42.000Z"}]' \
		"$1" >"$T/a.json"
	post /v1/alerts/alertmanager "$T/a.json" -H "Authorization: Bearer tok"
}

# a lease of 3 s is renewed every second: by the pager and the puller
serve_start s1 --token-file "$T/tokens" --duty-lease 3s
ok $? "owl serve starts with paging"
wait_for 10 grep -q "paging: this owl serve pages" "$T/s1.log"
ok $? "it says it pages"
fire Disk
is "$CODE" 200 "an alert is stored"
wait_for 20 sink_has ok 1 "d['path'] == '/hooks/bob'"
ok $? "escalation runs: level 1 and level 2 are paged"
is "$(sink_count ok "d['path'] == '/hooks/alice'")" 1 "alice was paged once"
# the pager's lease renewed (a third of it gone), then one more request
# for the writer to begin a transaction after it
lease() { q "SELECT value FROM paging_state WHERE key = 'pager'"; }
L0=$(lease)
lease_moved() { [ "$(lease)" != "$L0" ]; }
wait_for 20 lease_moved
ok $? "the pager's lease is renewed"
fire Cpu
is "$CODE" 200 "a second alert is stored"
wait_for 10 sink_has ok 2 "d['path'] == '/hooks/alice'"
ok $? "and pages alice"
if sqlite_only "owl_writer_cache_resets_total counts SQLite's page-cache resets"; then
	fire Net
	is "$(resets)" 0 "no commit of another connection emptied the writer's cache"
	# control: a commit of another connection is counted
	R=$(resets)
	printf '[{"id":"x-1","group":"x","title":"x","status":"firing"}]' >"$T/g.json"
	"$OWL" ingest --format generic "$T/g.json" >/dev/null 2>&1
	fire Mem
	is "$(resets)" "$((R + 1))" "an owl ingest beside it is counted"
fi
serve_stop
is "$STOP_RC" 0 "owl serve stops cleanly"
done_testing
