#!/bin/sh
# 15-cli-edges.t: the command line's rough edges (issue #19): --help of
# every command, no database made by a read-only command, "did you mean",
# whole option names, negative durations, counts in messages.
. "$(dirname "$0")/lib.sh"

P="$OWL_ROOT/tests/fixtures/payloads"

# --- every command's --help: exit 0, the help on stdout, nothing else:
# no database opened (none is created), no config or runbooks read (both
# are broken here, so reading them would fail).
printf 'return {{{ this is not Lua\n' >"$T/broken.lua"
printf 'not a directory\n' >"$T/not-runbooks"
cmds=$("$OWL" help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
is "$(printf '%s\n' "$cmds" | wc -l | tr -d ' ')" \
	"$(grep -cE '^	&(cmd|main)_[a-z_]+_entry,' "$OWL_ROOT/tui/main.c")" \
	"owl help lists every command of the table"
help_ok() { # help_ok WORDS...: "owl WORDS --help" and "owl WORDS -h"
	for flag in --help -h; do
		run env OWL_DB="$T/nodb/owl.db" OWL_CONFIG="$T/broken.lua" \
			OWL_RUNBOOKS="$T/not-runbooks" "$OWL" "$@" $flag
		is "$RC:$ERR" "0:" "owl $* $flag: exit 0, nothing on stderr"
		like "$OUT" "^usage: owl $1" "owl $* $flag: the usage of $1"
	done
	ok "$([ ! -e "$T/nodb" ]; echo $?)" "owl $* --help: no database created"
}
for c in $cmds; do help_ok "$c"; done
help_ok audit verify
help_ok audit log
help_ok runbooks list
help_ok runbooks show restart
help_ok run restart --param x=1
help_ok snooze 1 30m
help_ok help help
mkdir "$T/rbdir"
run env OWL_RUNBOOKS="$T/rbdir" "$OWL" run --help
is "$RC:$ERR" "0:" "run --help with \$OWL_RUNBOOKS a directory: exit 0, no error"
unlike "$OUT" "null" "run --help with \$OWL_RUNBOOKS: no '(null)'"

# --- "did you mean": the closest known word, and the known ones
run "$OWL" incidnets
is "$RC" 2 "unknown command: exit 2"
like "$ERR" "^owl: unknown command 'incidnets'; did you mean 'incidents'\? \(commands: ack, apply, approve, assign, audit, .*timeline, tui, unsilence, version\)$" \
	"unknown command: the closest one and the list"
run "$OWL" frobnicate
is "$ERR" "$(printf '%s' "$ERR" | grep -v 'did you mean')" "nothing close: no guess"
like "$ERR" "^owl: unknown command 'frobnicate' \(commands: ack, " "nothing close: the list"
run "$OWL" help snoze
like "$RC:$ERR" "^2:owl: unknown command 'snoze'; did you mean 'snooze'\?" "help with a typo"
run "$OWL" "$(printf 'x\033[2J')"
unlike "$ERR" "$(printf '\033')" "an unknown command is quoted sanitised"

newdb # owl run needs a database (it never creates one)
mkdir -p "$T/rb"
printf '%s\n' 'runbook { summary = "restart", params = { service = { default = "assistant" }, reason = { required = true }, force = {} } }' \
	'function run(p)' \
	'  step("look", function()' \
	'    log("force " .. tostring(p.force))' \
	'    log("why " .. p.reasn)' \
	'  end)' \
	'end' >"$T/rb/restart.lua"
printf '%s\n' 'runbook { summary = "drain" }' 'function run(p) end' >"$T/rb/drain.lua"
printf 'return {}\n' >"$T/rb/restart.test.lua"
run "$OWL" run restrat --runbooks "$T/rb" --dry-run
is "$RC" 2 "unknown runbook: exit 2"
is "$ERR" "owl: no runbook 'restrat' in $T/rb; did you mean 'restart'? (runbooks: drain, restart)" \
	"unknown runbook: the closest one and the list (no test files)"
is "$OUT" "" "unknown runbook: no 'restrat.lua from ...' line"
run "$OWL" runbooks show drian --runbooks "$T/rb"
like "$ERR" "no runbook 'drian' in .*; did you mean 'drain'\?" "runbooks show: the same"
run "$OWL" test restrat --runbooks "$T/rb"
is "$RC:$ERR" "2:owl: no tests for 'restrat' in $T/rb (no restrat.test.lua); did you mean 'restart'? (tested: restart)" \
	"owl test NAME: the closest runbook that has tests"
run "$OWL" run restart --runbooks "$T/rb" --dry-run --param servce=x --param reason=r
is "$RC:$ERR" "2:owl: unknown parameter 'servce'; did you mean 'service'? (this runbook takes: force, reason, service)" \
	"unknown --param: the closest one and the declared ones"
run "$OWL" run drain --runbooks "$T/rb" --dry-run --param x=1
is "$ERR" "owl: unknown parameter 'x' (this runbook takes: none)" "a runbook with no params says so"
run "$OWL" run restart --runbooks "$T/rb" --dry-run --param reason=r
is "$RC" 1 "p.reasn (a typo of a declared param): the run fails"
like "$OUT" "log: force nil" "a declared param that was not given is nil"
like "$ERR" "restart.lua:5: undeclared parameter 'reasn'; did you mean 'reason'\? \(declared: force, reason, service\)$" \
	"p.reasn: an error naming the declared params"

run "$OWL" timeline 1 --format jsn
is "$RC:$ERR" "2:owl: --format: 'jsn' is not a format; did you mean 'json'? (formats: md, json, csv, html) (see: owl help timeline)" \
	"timeline --format typo"
run "$OWL" ingest --format alertmanger /dev/null
like "$RC:$ERR" "^2:owl: --format: 'alertmanger' is not a format; did you mean 'alertmanager'\? \(formats: alertmanager, grafana, pagerduty, generic, [a-z:, -]*auto\)" \
	"ingest --format typo"

run "$OWL" handoff --format jsn
is "$RC:$ERR" "2:owl: --format: 'jsn' is not a format; did you mean 'json'? (formats: md, json) (see: owl help handoff)" \
	"handoff --format typo"
run "$OWL" incidents --state resolvd
is "$RC:$ERR" "2:owl: --state: 'resolvd' is not a state; did you mean 'resolved'? (states: triggered, acknowledged, resolved) (see: owl help incidents)" \
	"incidents --state typo"
# an unknown subcommand is an unknown command too
run "$OWL" audit verfy
is "$RC:$ERR" "2:owl: audit: unknown subcommand 'verfy'; did you mean 'verify'? (subcommands: verify, log) (see: owl help audit)" \
	"audit subcommand typo"
run "$OWL" runbooks lis
is "$RC:$ERR" "2:owl: runbooks: unknown subcommand 'lis'; did you mean 'list'? (subcommands: sync, list, show, log) (see: owl help runbooks)" \
	"runbooks subcommand typo"
run "$OWL" oncall overide bob --rotation primary --for 1h
is "$RC:$ERR" "2:owl: oncall: unknown subcommand 'overide'; did you mean 'override'? (subcommands: override, overrides) (see: owl help oncall)" \
	"oncall subcommand typo"
run "$OWL" audit frob
like "$ERR" "^owl: audit: unknown subcommand 'frob' \(subcommands: verify, log\)" "nothing close: the list"

# --- whole option names only: --not is not --note, --stat not --state
printf '{"id": "disk-full", "title": "Disk full"}' | "$OWL" ingest --format generic - >/dev/null 2>&1
run "$OWL" ack 1 --not "x"
is "$RC:$ERR" "2:owl: unknown option --not; did you mean --note? (see: owl help ack)" \
	"--not is refused, not taken for --note"
is "$("$OWL" incidents --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["acked_by"])')" \
	"None" "nothing was done"
run "$OWL" incidents --stat resolved
is "$RC:$ERR" "2:owl: unknown option --stat; did you mean --state? (see: owl help incidents)" "--stat is refused"
run "$OWL" incidents --sta=resolved
like "$ERR" "^owl: unknown option --sta; did you mean --state\?" "--sta=V is refused"
run "$OWL" run restart --runbooks "$T/rb" --dry --param reason=r
like "$RC:$ERR" "^2:owl: unknown option --dry; did you mean --dry-run\?" "--dry is refused"
run "$OWL" run restart --r "$T/rb"
like "$RC:$ERR" "^2:owl: unknown option --r" "an ambiguous prefix is refused"
run "$OWL" incidents --state=resolved --json
is "$RC" 0 "whole names work, with = too"
run "$OWL" ack 1 --note "on it"
is "$RC" 0 "--note in full works"

# --- negative durations are refused as such
run "$OWL" snooze 1 -5m
is "$RC:$ERR" "2:owl: snooze: '-5m' is a negative duration; give a positive one (e.g. 30m) (see: owl help snooze)" \
	"snooze 1 -5m: a negative duration, not 'unknown option -5'"
run "$OWL" snooze 1 -- -5m
is "$RC:$ERR" "2:owl: snooze: '-5m' is a negative duration; give a positive one (e.g. 30m) (see: owl help snooze)" "after --: the same"
run "$OWL" silence 1 --for -1h
like "$RC:$ERR" "^2:owl: --for: '-1h' is a negative duration" "--for -1h"
run "$OWL" note 1 -3
like "$RC:$ERR" "^2:owl: '-3' is negative: durations and counts are positive \(text that starts with '-' goes after --\)" \
	"a negative number elsewhere: said, with the way out"
run "$OWL" note 1 -- "-1 from me"
is "$RC" 0 "text that starts with '-' after --"

# --- counts agree in number
printf '%s\n' 'runbook { summary = "one write" }' 'function run(p)' \
	"  step(\"write\", function() file.write(\"$T/one.txt\", \"x\") end)" \
	'end' >"$T/rb/onewrite.lua"
run "$OWL" run onewrite --runbooks "$T/rb" --dry-run
like "$OUT" "^Plan [0-9]+, made by dry-run run [0-9]+ \(1 effect, 1 write\)$" \
	"1 effect, 1 write; the plan says which run made it"
plan=$(printf '%s\n' "$OUT" | sed -n 's/^Plan \([0-9]*\), made by dry-run run \([0-9]*\).*/\1 \2/p')
like "$OUT" "^ok: run ${plan#* } \(dry-run: nothing was changed; its writes are plan ${plan% *}\)$" \
	"the ok line names the run and its plan"
run "$OWL" run drain --runbooks "$T/rb" --dry-run
like "$OUT" "\(0 effects, 0 writes\)$" "0 effects, 0 writes"
cat >"$T/trunc.json" <<'JSON'
{"version": "4", "status": "firing", "receiver": "owl",
 "groupKey": "{}:{alertname=\"LLMProviderDown\"}", "truncatedAlerts": 1,
 "externalURL": "http://127.0.0.1:9",
 "alerts": [{"status": "firing", "labels": {"alertname": "LLMProviderDown",
   "region": "eu-west-1", "severity": "critical"},
   "annotations": {"summary": "LLM provider down"},
   "startsAt": "2026-11-29T03:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
   "fingerprint": "aaaa000000000001"}]}
JSON
run "$OWL" ingest "$T/trunc.json"
inc=$(printf '%s\n' "$OUT" | sed -n 's/.*; INC-\([0-9]*\)$/\1/p')
run "$OWL" show "$inc"
like "$OUT" "^truncated +1 more alert not shown by the sender$" "1 more alert (not alerts)"
run "$OWL" audit verify
like "$OUT" "^ok: [0-9]+ entries$" "audit: entries"
ONE=$(db_new one)
newdb "$ONE"
"$OWL_ROOT/build/tools/owl-append" "$ONE" 1
run "$OWL" --db "$ONE" audit verify
is "$OUT" "ok: 1 entry" "audit: 1 entry"

# --- the truncation note goes once the sender's API delivered them all
cat >"$T/api.json" <<'JSON'
[{"labels": {"alertname": "LLMProviderDown", "region": "eu-west-1", "severity": "critical"},
  "annotations": {"summary": "LLM provider down"}, "startsAt": "2026-11-29T03:00:00Z",
  "endsAt": "2099-01-01T00:00:00Z", "fingerprint": "aaaa000000000001",
  "status": {"state": "active"}},
 {"labels": {"alertname": "LLMProviderDown", "region": "us-east-1", "severity": "critical"},
  "annotations": {"summary": "LLM provider down"}, "startsAt": "2026-11-29T03:00:00Z",
  "endsAt": "2099-01-01T00:00:00Z", "fingerprint": "aaaa000000000002",
  "status": {"state": "active"}}]
JSON
run "$OWL" ingest --format alertmanager "$T/api.json"
is "$RC" 0 "the API list is ingested"
run "$OWL" show "$inc" --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["alert_count"], d["truncated_alerts"])')" \
	"2 0" "every alert known: the truncation note is gone"
run "$OWL" show "$inc"
unlike "$OUT" "^truncated" "owl show no longer says alerts are missing"
run "$OWL" ingest "$T/trunc.json"
is "$("$OWL" show "$inc" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["truncated_alerts"])')" \
	"1" "the sender saying so again: the note is back"

# --- an exec error's text is one clean line
printf '%s\n' 'runbook { summary = "fails" }' 'function run(p)' \
	'  step("run it", function() exec({ "sh", "-c", "echo first >&2; echo \"  second  \" >&2; exit 3" }) end)' \
	'end' >"$T/rb/fails.lua"
run "$OWL" run fails --runbooks "$T/rb" --yes
is "$RC" 1 "a failing command fails the run"
like "$ERR" "exec sh: exited 3: first; second$" "stderr as one line, no trailing newline"
unlike "$OUT$ERR" 'x0a' "no literal \\x0a"

# --- owl incidents shows the assignee
"$OWL" assign 1 carol >/dev/null
"$OWL" assign "$inc" "a-very-long-name-for-an-assignee" >/dev/null
run "$OWL" incidents
like "$OUT" "^ID +STATE +SEVERITY +AGE +ALERTS +ASSIGNEE +TITLE$" "the ASSIGNEE column"
like "$OUT" "^INC-1 +acknowledged +[a-z]+ +[0-9a-z<]+ +1 +carol +Disk full$" "the assignee shown"
like "$OUT" "^INC-$inc .* a-very-long… +LLM provider down$" "a long name is cut, the title stays aligned"

# --- owl show: a runs section, the log as sentences (the renderer the
# TUI and the timeline use), --json unchanged
printf '%s\n' 'runbook { summary = "noop", params = { why = {} } }' \
	'function run(p) step("look", function() log("looked") end) end' >"$T/rb/noop.lua"
"$OWL" run noop --runbooks "$T/rb" --incident 1 --yes >/dev/null 2>&1
"$OWL" run noop --runbooks "$T/rb" --incident 1 --dry-run >/dev/null 2>&1
run "$OWL" show 1
like "$OUT" "^Runs:$" "show: a runs section"
like "$OUT" "^  run [0-9]+ +20[0-9-]+T[0-9:]+Z  noop \(unversioned, blob [0-9a-f]{12}\) by tester: ok$" \
	"show: a run: runbook and version, actor, outcome, time"
like "$OUT" "^  run [0-9]+ +20[0-9-]+T[0-9:]+Z  noop \(unversioned, blob [0-9a-f]{12}\) by tester: dry-run ok \(plan [0-9]+\)$" \
	"show: a dry-run with its plan"
like "$OUT" "^  20[0-9-]+T[0-9:]+Z  tester +acknowledged by tester: on it$" "show: the log as sentences"
like "$OUT" "tester +run [0-9]+ step 1/1 look: ok [0-9]+ ms$" "show: a run's step"
unlike "$OUT" "incident\.ack|\{\"" "show: no raw kinds or JSON in the text"
run "$OWL" show 3 2>/dev/null
run "$OWL" show 1 --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d["log"][0].keys()), "runs" in d)')" \
	"['actor', 'at', 'detail', 'id', 'kind'] False" "show --json: unchanged"
# the timeline says the same as owl show, sentence for sentence
run "$OWL" timeline 1 --format json
printf '%s' "$OUT" | python3 -c 'import json,sys; [print(e["text"]) for e in json.load(sys.stdin)["events"] if "\n" not in e["text"]]' >"$T/tl.txt"
"$OWL" show 1 | sed -n '/^Log:/,$p' | sed 's/^  [0-9TZ:-]*  [^ ]* *//' >"$T/show.txt"
missing=$(grep -vxFf "$T/show.txt" "$T/tl.txt")
is "$missing" "" "every timeline event reads the same in owl show"
ok "$([ "$(wc -l <"$T/tl.txt")" -gt 8 ]; echo $?)" "...and there are events to compare"

# --- every kind of entry the code writes has a sentence of its own
# (kinds are literals of these families; the rest of the list are file
# names and config keys; paging's kinds are said by engine/pages_text.c,
# which the renderer hands them to)
kinds=$(grep -rhoE '"(incident|alert|run|effect|runbook|runbooks|duty)\.[a-z_.]+"' \
	"$OWL_ROOT/engine" "$OWL_ROOT/integrations" "$OWL_ROOT/tui" --include='*.c' |
	tr -d '"' | sort -u | grep -vE '\.[ch]$' |
	grep -vxE 'runbooks\.(dir|repo|ref|subdir|require_signed|allowed_signers|gpg_keyring|read_paths|write_paths)')
nokind=""
for k in $kinds; do
	grep -q "{ \"$k\"," "$OWL_ROOT/engine/actlog_text.c" || nokind="$nokind $k"
done
is "$nokind" "" "actlog_text knows every kind the code logs"

done_testing
