#!/bin/sh
# 63-timeline-mitigated.t: `owl note INC --mitigated TEXT` marks the
# moment the impact stopped: logged in the note's detail, said in the
# log's sentence, and the timeline's "mitigated" time (the first marked
# note or the first run that ended ok); a plain note is no mitigation;
# the option belongs to `owl note` only.
. "$(dirname "$0")/lib.sh"

"$OWL" ingest --format generic - >/dev/null 2>&1 <<'J'
{"id":"m1","title":"LLM provider down","status":"firing"}
J
OWL_ACTOR=alice "$OWL" note 1 "looking at the provider" >/dev/null

run "$OWL" timeline 1
like "$OUT" '^- \*\*Mitigated:\*\* -$' "a plain note: not mitigated"
like "$OUT" '^- \*\*Time to mitigate:\*\* -$' "a plain note: no time to mitigate"

run env OWL_ACTOR=alice "$OWL" note 1 --mitigated "traffic moved to the fallback"
is "$RC" 0 "note --mitigated: exit 0"
is "$OUT" "INC-1: mitigation noted by alice" "note --mitigated: says so"
at=$(db_sql "SELECT at_us FROM actlog WHERE kind = 'incident.note' ORDER BY id DESC LIMIT 1")
is "$(db_sql "SELECT detail FROM actlog WHERE kind = 'incident.note' ORDER BY id DESC LIMIT 1")" \
	'{"mitigated":true,"text":"traffic moved to the fallback"}' \
	"the note's detail is marked"
OWL_ACTOR=bob "$OWL" note 1 --mitigated "and the cache warmed" >/dev/null

run "$OWL" timeline 1
when=$(python3 -c "import datetime,sys; print(datetime.datetime.fromtimestamp($at/1e6, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))")
like "$OUT" "^- \*\*Mitigated:\*\* $when \(note by alice\)$" \
	"md: mitigated at the first marked note, by its author"
like "$OUT" '^- \*\*Time to mitigate:\*\* [0-9]+s$' "md: the time to mitigate"
like "$OUT" '^- [0-9:]{8} note by alice \(mitigated\): traffic moved to the fallback `' \
	"md: the note's line says it is the mitigation"
like "$OUT" '^- [0-9:]{8} note by alice: looking at the provider `' \
	"md: the plain note's line does not"
run "$OWL" timeline 1 --summary
like "$OUT" 'note by bob \(mitigated\): and the cache warmed' "md --summary: the notes are there"
"$OWL" timeline 1 -f json >"$T/t.json"
run python3 - "$T/t.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
i = d["incident"]
assert i["mitigated_by"] == "note by alice", i
assert i["mitigated_at"] is not None and i["time_to_mitigate_s"] is not None, i
notes = [e for e in d["events"] if e["kind"] == "incident.note"]
assert [n["detail"].get("mitigated", False) for n in notes] == [False, True, True], notes
print("ok")
PY
is "$OUT" "ok" "json: mitigated_at/_by from the note; the mark in the detail"
run "$OWL" show 1
like "$OUT" 'note by alice \(mitigated\): traffic moved to the fallback' \
	"owl show: the same sentence"

run "$OWL" ack 1 --mitigated
is "$RC" 2 "ack --mitigated: exit 2"
like "$ERR" '^owl: --mitigated is for owl note INC --mitigated TEXT' "ack --mitigated: says where it belongs"
run "$OWL" note 1 --mitigated
is "$RC" 2 "note --mitigated without text: exit 2"

done_testing
