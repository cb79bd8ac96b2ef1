#!/bin/sh
# 60-timeline.t: `owl timeline INC` in each format over a real log: an
# ingested incident, an ack with a note, a hostile note, a runbook run
# bound to the incident, a resolve; a tampered log still exports, says
# so and exits 3.
. "$(dirname "$0")/lib.sh"

"$OWL" ingest "$OWL_ROOT/tests/fixtures/payloads/alertmanager-captured.json" \
	>/dev/null 2>&1
OWL_ACTOR=alice "$OWL" ack INC-1 --note "on it" >/dev/null
hostile=$(printf '| <script> "quoted",\n newline')
OWL_ACTOR=alice "$OWL" note 1 "$hostile" >/dev/null
mkdir -p "$T/rb"
printf '%s\n' 'runbook { summary = "write a file" }' 'function run(p)' \
	"  step(\"write it\", function() file.write(\"$T/out.txt\", \"hi\\\\n\") end)" \
	'  step("say", function() log("done") end)' 'end' >"$T/rb/fix.lua"
run env OWL_ACTOR=bob "$OWL" run fix --runbooks "$T/rb" --incident 1 --yes
is "$RC" 0 "a runbook run bound to the incident"
OWL_ACTOR=alice "$OWL" resolve 1 --note "fixed" >/dev/null

# md
run "$OWL" timeline INC-1
is "$RC" 0 "md: exit 0"
like "$OUT" "^# INC-1: Disk /var is 97% full on db-1$" "md: a title"
like "$OUT" "^- \*\*Acknowledged:\*\* 20[0-9-]+T[0-9:]+Z by alice$" "md: the ack time"
like "$OUT" "^- \*\*Time to acknowledge:\*\* [0-9dhms ]+$" "md: time to acknowledge"
like "$OUT" "^- \*\*Audit chain:\*\* verified: entries 1-[0-9]+ intact \(chain of [0-9]+ entries, head [0-9a-f]{12}\)$" \
	"md: the chain verified"
like "$OUT" "^- [0-9:]{8} acknowledged by alice: on it \`#3 [0-9a-f]{8}\`$" "md: the ack line"
like "$OUT" '^- [0-9:]{8} note by alice: \\| \\<script> "quoted",  $' \
	"md: the hostile note escaped, no HTML entity"
like "$OUT" '^   *newline `#4 ' "md: its second line stays in the item"
like "$OUT" "^- [0-9:]{8} run [0-9]+ fix \(unversioned, blob [0-9a-f]{7}\) started by bob " "md: the run's block"
like "$OUT" "^    - [0-9:]{8} ✓ step 1/2 write it: ok [0-9]+ ms " "md: its first step, in the block"
like "$OUT" "^    - [0-9:]{8} ✓ file.write $T/out.txt -> ok, changed [0-9]+ ms " \
	"md: its effect, intent and result one line, no entity"
unlike "$OUT" "file.write $T/out.txt: started" "md: no separate intent line"
like "$OUT" "^    - [0-9:]{8} ✓ fix ended: ok \(after [0-9.]+ s" "md: its end"
like "$OUT" "^- [0-9:]{8} resolved by alice: fixed " "md: the resolve"
like "$OUT" "^## Impact$" "md: the sections for the author"
like "$OUT" "^## Action items$" "md: down to the action items"
entries=$("$OWL" audit log | awk '$4 == "INC-1"' | wc -l)
rows=$(printf '%s\n' "$OUT" | sed -n '/^## Appendix/,$p' | grep -c '^| [0-9]')
is "$rows" "$entries" "md: every entry's full hash in the appendix"
unlike "$OUT" "&(gt|lt|amp);" "md: no HTML entities"
run "$OWL" timeline INC-1 --full
fl=$(printf '%s\n' "$OUT" | sed -n '/^## Narrative/,/^## Impact/p' | grep -c '^- [0-9]')
is "$fl" "$entries" "md --full: one line per entry"
run "$OWL" timeline INC-1 --summary
like "$OUT" "acknowledged by alice" "md --summary: the human actions"
unlike "$OUT" "step 1/2" "md --summary: no steps"
like "$OUT" "fix ended: ok" "md --summary: the run's end"
run "$OWL" timeline INC-1 --summary --full
is "$RC" 2 "--summary and --full: exit 2"

# json
"$OWL" timeline 1 --format json >"$T/t.json"
is "$?" 0 "json: exit 0"
run python3 - "$T/t.json" "$entries" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert {"version", "incident", "participants", "alerts", "runs", "changes", "events", "chain"} == set(d) - {"more_alerts"}, d.keys()
assert d["version"] == 2
inc = d["incident"]
assert inc["id"] == 1 and inc["state"] == "resolved", inc
assert inc["title"] == "Disk /var is 97% full on db-1", inc
for k in ("opened_at", "acknowledged_at", "resolved_at"):
    assert inc[k].endswith("Z"), k
assert inc["time_to_acknowledge_s"] >= 0 and inc["duration_s"] >= 0
ev = d["events"]
assert len(ev) == int(sys.argv[2]), len(ev)
for e in ev:
    assert {"at", "actor", "kind", "text", "entry", "hash", "run", "shown",
            "outcome", "rollback_failed", "detail"} == set(e), e
    assert len(e["hash"]) == 64 and isinstance(e["detail"], dict)
ids = [e["entry"] for e in ev]
assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
assert ev[0]["kind"] == "incident.open" and ev[-1]["kind"] == "incident.resolve"
assert any(e["text"] == 'note by alice: | <script> "quoted",\n newline' for e in ev)
kinds = [e["kind"] for e in ev]
for k in ("run.start", "effect.intent", "effect.result", "run.step", "run.end"):
    assert k in kinds, k
assert d["chain"]["verified"] is True and len(d["chain"]["head"]) == 64
assert d["chain"]["broken_at"] is None, d["chain"]  # absent: null, not 0
print("ok")
PY
is "$OUT" "ok" "json: the documented shape, every entry in order"
is "$ERR" "" "json: no complaint from python"

# csv
"$OWL" timeline 1 -f csv >"$T/t.csv"
run python3 - "$T/t.csv" "$entries" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["at", "actor", "kind", "text", "entry", "hash", "run",
    "incident", "shown", "outcome", "rollback_failed", "detail"], rows[0]
assert len(rows) == int(sys.argv[2]) + 1, len(rows)
assert all(len(r) == 12 for r in rows)
assert ['note by alice: | <script> "quoted",\n newline'] == [r[3] for r in rows if r[2] == "incident.note"]
print("ok")
PY
is "$OUT" "ok" "csv: parses to one row per entry, the note intact"
is "$ERR" "" "csv: no complaint from python"

# html, to a file
run "$OWL" timeline 1 --format html -o "$T/t.html"
is "$RC" 0 "html -o: exit 0"
is "$OUT" "" "html -o: nothing on stdout"
is "$(stat -c %a "$T/t.html")" 644 "html -o: mode 0644"
ls "$T" | grep -q '\.tmp\.' 
is "$?" 1 "html -o: no temporary file left"
html=$(cat "$T/t.html")
like "$html" "^<!DOCTYPE html>" "html: a document"
like "$html" "note by alice: \| &lt;script&gt; &quot;quoted&quot;," "html: the note escaped"
unlike "$html" "<script" "html: no raw script tag"
unlike "$html" "(src|href)=" "html: no external assets"
unlike "$html" 'class="broken"' "html: no banner when the chain is intact"

# -o a pipe (or /dev/null, /dev/stdout): written into, never replaced
# by a file renamed over it (that replaced /dev/null for everyone)
mkfifo "$T/pipe"
timeout 30 cat "$T/pipe" >"$T/from-pipe" &
reader=$!
run timeout 30 "$OWL" timeline 1 -o "$T/pipe"
is "$RC" 0 "-o a pipe: exit 0"
wait "$reader"
ok "$([ -p "$T/pipe" ]; echo $?)" "-o a pipe: still a pipe"
like "$(cat "$T/from-pipe")" "^# INC-1: " "-o a pipe: the export went through it"
ls "$T" | grep -q 'pipe\.owl-'
is "$?" 1 "-o a pipe: no temporary file beside it"

# errors
run "$OWL" timeline INC-99
is "$RC" 1 "unknown incident: exit 1"
is "$ERR" "owl: no incident INC-99" "unknown incident: says so"
run "$OWL" timeline 1 --format xml
is "$RC" 2 "bad format: exit 2"
like "$ERR" "^owl: --format: 'xml' is not a format \(formats: md, json, csv, html\) \(see: owl help timeline\)$" \
	"bad format: a hint"
run "$OWL" timeline
is "$RC" 2 "no incident given: exit 2"

# a tampered log (behind owl's back, db_sql; undone after): an attacker
# drops the triggers first
if db_is_pg; then db_sql "ALTER TABLE actlog DISABLE TRIGGER USER"
else db_sql "DROP TRIGGER actlog_no_update; DROP TRIGGER actlog_no_delete;"; fi
THREE=$(db_sql "SELECT actor FROM actlog WHERE id = 3")
db_sql "UPDATE actlog SET actor = 'mallory' WHERE id = 3"
run "$OWL" timeline 1
is "$RC" 3 "tampered: exit 3"
like "$ERR" "^owl: audit chain broken at entry 3" "tampered: says so on stderr"
like "$OUT" "^> \*\*WARNING: the action log's hash chain is broken at entry 3" \
	"tampered: md banner"
like "$OUT" "acknowledged by alice: on it" "tampered: still exported"
run "$OWL" timeline 1 -f json
is "$RC" 3 "tampered json: exit 3"
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["chain"]["verified"])')" \
	"False" "tampered json: verified false"
run "$OWL" timeline 1 -f html -o "$T/bad.html"
is "$RC" 3 "tampered html: exit 3"
like "$(cat "$T/bad.html")" 'class="broken"' "tampered html: the banner"
db_sql "UPDATE actlog SET actor = '$THREE' WHERE id = 3"
run "$OWL" timeline 1
is "$RC" 0 "the change undone: the timeline verifies again"

# the checkpoint: a timeline walks the chain from the newest entry found
# intact, and still finds a change after it, or in the incident's rows
is "$(db_sql 'SELECT CASE WHEN entry = (SELECT max(id) FROM actlog) THEN 1 ELSE 0 END FROM actlog_checkpoint')" \
	1 "checkpoint: at the newest entry after a clean export"
"$OWL" ingest --format generic - >/dev/null <<'J'
{"id":"other","title":"another incident","status":"firing"}
J
other=$(db_sql "SELECT max(id) FROM actlog")
db_sql "UPDATE actlog SET detail = '{}' WHERE id = $other"
run "$OWL" timeline 1
is "$RC" 3 "checkpoint: a change after it, in another incident, is found"
like "$ERR" "broken at entry $other" "checkpoint: names the entry"
run "$OWL" timeline 1 -f json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["chain"]["broken_at"], len(d["events"]))')" \
	"$other $entries" "checkpoint: streamed json parses, every event, broken_at"

done_testing
