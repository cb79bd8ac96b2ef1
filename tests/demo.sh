#!/bin/sh
# tests/demo.sh: `make demo`. Starts `owl serve` on loopback with a
# throw-away database under $TMPDIR (default /tmp), sends it a realistic
# alert storm from an AI service (tests/demo/storm.sh), says what to do
# and, on Enter, opens `owl tui` on it while the storm goes on (new
# alerts every few seconds, some resolving, for as long as the TUI is
# open). Quitting the TUI (or closing the terminal) stops everything the
# demo started, by pid (its servers, the storm, the probe, runs still
# going), and removes the database. Without a terminal it prints `owl
# incidents` instead of opening the TUI. owl pages the people on call
# for the critical incidents through a demo Slack-compatible webhook on
# loopback (tests/pagesink.py): its messages go to sink.txt, to watch
# live with tail -f, and are printed at the end. On exit it writes the
# postmortem timeline of the incident degraded-mode fixes (owl timeline
# --format html, with its Markdown beside it) under build/demo/ (or
# $OWL_DEMO_OUT: the tests give each demo its own) and prints its path.
#
# The assistant's AI gateway (tests/demo/gateway) runs too, with its LLM
# provider down: a probe of its health endpoint (what Prometheus'
# blackbox exporter would do) fires LLMProviderDown while completions
# fail and resolves it once they are served again. The fix is the
# shipped runbook degraded-mode: without a terminal the demo runs it for
# the incident (ada acks, owl run degraded-mode --incident INC, a note),
# and the alert resolves; in the TUI the demo says how to run it from
# there: open the incident, R suggests degraded-mode, its dry-run shows
# the plan, a applies it, y answers its confirm() (tests/91-demo-tui.t
# does exactly that). The runbooks come from a git repository the demo
# builds from runbooks/ (config.lua's runbooks.repo), as a team would
# keep them. The demo's files live in a fresh directory under $TMPDIR
# (default /tmp).
set -u
cd "$(dirname "$0")/.." || exit 1
D=$(mktemp -d "${TMPDIR:-/tmp}/owl-demo-XXXXXX") || exit 1
SERVE="" STORM="" SINK="" TIMELINE="" GATEWAY="" PROBE=""
# stop_runs: the runs still going in the demo's database (started from
# the TUI, each in its own session) are cancelled (SIGINT: their undo
# runs), with a deadline
stop_runs() {
	[ -s "$D/owl.db" ] || return 0
	pids=$(./owl runs --state running --json 2>/dev/null | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r.get("pid"): print(r["pid"])' 2>/dev/null)
	for p in $pids; do
		grep -q "run" "/proc/$p/cmdline" 2>/dev/null && kill -INT "$p"
	done
	for p in $pids; do
		for _ in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
	done
}
cleanup() {
	stop_runs
	if [ -n "$PROBE" ]; then
		kill "$PROBE" 2>/dev/null
		pkill -P "$PROBE" 2>/dev/null # its sleep or curl
		wait "$PROBE" 2>/dev/null
	fi
	[ -n "$GATEWAY" ] && kill "$GATEWAY" 2>/dev/null && wait "$GATEWAY" 2>/dev/null
	if [ -n "$STORM" ]; then
		kill "$STORM" 2>/dev/null
		pkill -P "$STORM" 2>/dev/null # its sleep or curl
		wait "$STORM" 2>/dev/null
	fi
	[ -n "$SERVE" ] && kill -TERM "$SERVE" 2>/dev/null && wait "$SERVE" 2>/dev/null
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null && wait "$SINK" 2>/dev/null
	rm -rf "$D"
	if [ -n "$TIMELINE" ]; then
		printf '\n%sThe postmortem timeline of the demo incident:%s\n' "$B" "$N"
		printf '  %s\n  %s\n' "$TIMELINE" "${TIMELINE%.html}.md"
		printf 'Open it with: xdg-open %s   (or any browser)\n' "$TIMELINE"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 129' HUP # the terminal closed (or tmux killed): clean up too
export OWL_DB="$D/owl.db" OWL_ENV="${OWL_ENV:-DEMO}"
unset OWL_RUNBOOKS # the demo's config says where its runbooks are

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$(printf '\033[1m') N=$(printf '\033[0m')
else B="" N=""; fi
say() { printf '\n%s$ %s%s\n' "$B" "$*" "$N"; }

say owl version
./owl version

# A bearer token, as Alertmanager's http_config.authorization sends it.
TOKEN=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$D/tokens"
# A Slack-compatible incoming webhook (Mattermost and Rocket.Chat take the
# same {"text": ...}) where the pages of the demo land.
python3 tests/pagesink.py --port-file "$D/sink.port" --log "$D/sink.json" \
	--watch >"$D/sink.txt" 2>&1 &
SINK=$!
for _ in $(seq 50); do
	[ -s "$D/sink.port" ] && break
	sleep 0.1
done
HOOK="http://127.0.0.1:$(cat "$D/sink.port" 2>/dev/null)/hooks"
# The assistant's AI gateway, its provider down (tests/demo/gateway).
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$D/gateway-admin"
od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$D/assistant.key"
build/tools/gateway --port-file "$D/gateway.port" --quiet \
	--admin-token-file "$D/gateway-admin" --key assistant="$D/assistant.key" \
	--fallback-model small-local --provider-down 2>"$D/gateway.log" &
GATEWAY=$!
for _ in $(seq 50); do
	[ -s "$D/gateway.port" ] && break
	sleep 0.1
done
GW="http://127.0.0.1:$(cat "$D/gateway.port" 2>/dev/null)"
# The runbooks as a team keeps them: a git repository (here built from
# the shipped runbooks/), read by owl at its commit.
RB="$D/runbooks"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE # make demo from a git hook
mkdir -p "$RB" && cp -R runbooks/. "$RB/" &&
	git -C "$RB" -c init.defaultBranch=main init -q &&
	git -C "$RB" add -A &&
	git -C "$RB" -c user.name="owl demo" -c user.email=demo@owl.invalid \
		-c commit.gpgsign=false commit -q \
		-m "runbooks: the ones owl ships" || {
	echo "demo: could not build the runbook repository in $RB" >&2
	exit 1
}
cat >"$D/config.lua" <<EOF
return {
  gateway_url = "$GW",
  runbooks = { repo = "$RB", ref = "main" },
  secrets = { gateway_admin = { file = "$D/gateway-admin" } },
  oncall = {
    rotations = {
      primary = { people = { "ada", "grace" }, start = "2026-01-05",
                  shift = "1d", handoff = "09:00", tz = "UTC" },
      secondary = { people = { "linus", "margaret" }, start = "2026-01-05",
                    shift = "1w", handoff = "Mon 09:00", tz = "Europe/Berlin" },
    },
    people = { ada = { slack = "$HOOK/ada" }, grace = { slack = "$HOOK/grace" },
               linus = { slack = "$HOOK/linus" },
               margaret = { slack = "$HOOK/margaret" } },
  },
  escalation = { policies = { { name = "critical", severity = "critical",
    levels = { { after = "0s", notify = "primary" },
               { after = "30s", notify = "secondary" } } } } },
}
EOF
export OWL_CONFIG="$D/config.lua"
say "cat config.lua   (the runbook repository, who is on call, and how they are paged)"
sed -n '2,15p' "$D/config.lua"
say "owl runbooks list   (from the demo's runbook repository)"
./owl runbooks list
say "owl serve --listen 127.0.0.1:0 --token-file tokens &"
./owl serve --listen 127.0.0.1:0 --token-file "$D/tokens" --quiet \
	2>"$D/serve.log" &
SERVE=$!
URL=""
for _ in $(seq 50); do
	URL=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$D/serve.log")
	[ -n "$URL" ] && break
	kill -0 "$SERVE" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$URL" ]; then
	echo "demo: owl serve did not start:" >&2
	cat "$D/serve.log" >&2
	exit 1
fi
cat "$D/serve.log"
say "owl oncall"
./owl oncall

# probe: every second, what a completion gets from the gateway; the
# alert fires while it fails and resolves when it is served again
probe() {
	last=""
	while :; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			"$GW/v1/health")
		st=firing
		[ "$code" = 200 ] && st=resolved
		if [ "$st" != "$last" ]; then
			printf '{"id":"gateway-probe-assistant","status":"%s","severity":"critical","title":"LLM provider down: the assistant gateway fails completions","message":"GET %s/v1/health answers %s","labels":{"alertname":"LLMProviderDown","service":"assistant","probe":"gateway"}}\n' \
				"$st" "$GW" "$code" >"$D/probe.json"
			curl -fsS --max-time 5 -H "Authorization: Bearer $TOKEN" \
				-H 'Content-Type: application/json' \
				--data-binary "@$D/probe.json" \
				"$URL/v1/alerts/generic" >/dev/null && last=$st
		fi
		sleep 1
	done
}
say "the assistant's AI gateway at $GW: its provider is down"
curl -s "$GW/v1/health"; echo
probe &
PROBE=$!
# probe_state: the state of the incident the probe opened
probe_state() {
	./owl incidents --all --json | python3 -c 'import json,sys
st = [i["state"] for i in json.load(sys.stdin)
      if i["title"].startswith("LLM provider down: the assistant gateway")]
print(st[0] if st else "")'
}
# probe_incident: the id of the incident the probe opened
probe_incident() {
	./owl incidents --all --json | python3 -c 'import json,sys
ids = [i["id"] for i in json.load(sys.stdin)
       if i["title"].startswith("LLM provider down: the assistant gateway")]
print(ids[0] if ids else "")'
}

say "tests/demo/storm.sh --url $URL   (an AI service in trouble)"
if [ -t 0 ] && [ -t 1 ]; then
	# the first round lands before the TUI opens; the rest arrive live
	sh tests/demo/storm.sh --url "$URL" --token "$TOKEN" --rounds 1 \
		--interval 0
	# and it goes on, live, until the demo ends
	sh tests/demo/storm.sh --url "$URL" --token "$TOKEN" --from 2 \
		--rounds 0 --interval 4 >/dev/null 2>&1 &
	STORM=$!
	printf '\nThe storm goes on while the TUI is open: new alerts every few seconds, some resolving.\n'
	printf 'The pages arrive in a demo Slack sink: watch them live with\n'
	printf '  tail -f %s\n' "$D/sink.txt"
	printf 'The same console from another terminal (runs and answers are shared):\n'
	printf '  cd %s && OWL_DB=%s OWL_CONFIG=%s ./owl tui --env %s\n' \
		"$(pwd)" "$OWL_DB" "$OWL_CONFIG" "$OWL_ENV"
	for _ in $(seq 100); do
		[ -n "$(probe_incident)" ] && break
		sleep 0.1
	done
	PI=$(probe_incident)
	printf 'The fix for the gateway probe'"'"'s LLMProviderDown, from the TUI:\n'
	printf '  open INC-%s "LLM provider down: the assistant gateway ..." (Enter, or :open %s)\n' "$PI" "$PI"
	printf '  press R: the suggested runbook degraded-mode comes first, Enter\n'
	printf '  give a reason (e.g. provider down), Enter through the rest: a dry-run shows its plan\n'
	printf '  press a to apply it, y to its question; the alert resolves once the gateway serves again\n'
	say "owl tui --env $OWL_ENV   (q quits, ? shows every key)"
	# time to read the steps: the TUI takes the whole screen
	printf '%sPress Enter to open the console.%s ' "$B" "$N"
	read -r _ || true
	./owl tui --env "$OWL_ENV"
	say "cat sink.txt   (what the demo Slack sink got)"
	cat "$D/sink.txt"
else
	sh tests/demo/storm.sh --url "$URL" --token "$TOKEN" --rounds 4 \
		--interval 0.5
	say "owl incidents   (no terminal here: run make demo in one for the TUI)"
	./owl incidents
	for _ in $(seq 100); do
		[ -n "$(probe_incident)" ] && break
		sleep 0.1
	done
	INC=$(probe_incident)
	say "OWL_ACTOR=ada owl ack $INC --note ...   (what a person would do)"
	OWL_ACTOR=ada ./owl ack "$INC" --note "looking: the gateway fails completions, provider 5xx"
	say "OWL_ACTOR=ada owl run degraded-mode --incident INC-$INC --param reason=\"provider down\" --yes"
	OWL_ACTOR=ada ./owl run degraded-mode --incident "$INC" \
		--param reason="provider down" --yes
	# the probe sees the completions served and resolves the alert
	for _ in $(seq 150); do
		[ "$(probe_state)" = resolved ] && break
		sleep 0.1
	done
	say "curl $GW/v1/health   (completions are served, by the fallback model)"
	curl -s "$GW/v1/health"; echo
	say "OWL_ACTOR=ada owl note $INC ..."
	OWL_ACTOR=ada ./owl note "$INC" "mitigated: degraded mode (fallback model small-local); normal-mode once the provider answers"
	say "owl show INC-$INC   (the probe's alert resolved)"
	./owl show "$INC" | sed -n '1,40p'
	for _ in $(seq 150); do
		[ "$(grep -c '\[sink\]' "$D/sink.txt")" -ge 2 ] && break
		sleep 0.1
	done
	say "cat sink.txt   (what the demo Slack sink got: owl paged the people on call)"
	cat "$D/sink.txt"
	say "owl handoff --since 1h   (the report for the next person)"
	./owl handoff --since 1h | sed -n '1,30p'
fi
# the demo incident's postmortem timeline, kept after the demo: the
# probe's, the one degraded-mode fixed (its runs are in it)
inc=$(probe_incident)
if [ -n "$inc" ]; then
	outdir=${OWL_DEMO_OUT:-$PWD/build/demo}
	mkdir -p "$outdir"
	out="$outdir/timeline-INC-$inc.html"
	say "owl timeline $inc --format html -o $out"
	./owl timeline "$inc" --format html -o "$out" &&
		./owl timeline "$inc" -o "${out%.html}.md" && TIMELINE=$out
	sed -n '1,/^## Participants/p' "${out%.html}.md" | sed '$d'
fi
say owl audit verify
./owl audit verify
