#!/bin/sh
# 62-timeline-paths.t: the timeline export reads an alert's entry
# without a JSON tree when it is as owl writes it plainly, and through
# SQLite's and jansson's readers when it is not (an escape in the
# summary, a label outside ASCII, a label with a quote): both roads give
# the same sentences and the same model (the labels every alert has,
# a lane per alert), in every format.
. "$(dirname "$0")/lib.sh"

fire() { # FINGERPRINT REGION SUMMARY STATUS
	cat <<J
{"receiver":"hook","status":"$4","alerts":[{"status":"$4","labels":{"alertname":"Down","region":"$2","service":"gw","severity":"critical"},"annotations":{"summary":"$3"},"startsAt":"2026-03-14T09:00:00Z","endsAt":"$([ "$4" = resolved ] && echo 2026-03-14T09:05:00Z || echo 0001-01-01T00:00:00Z)","fingerprint":"$1"}],"groupLabels":{"alertname":"Down"},"commonLabels":{"alertname":"Down"},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","version":"4","groupKey":"{}:{alertname=\\"Down\\"}","truncatedAlerts":0}
J
}
fire aaa1 eu-west-1 "plain words" firing | "$OWL" ingest - >/dev/null 2>&1
fire aaa2 'z\u00fcrich' 'say \"hi\" back' firing | "$OWL" ingest - >/dev/null 2>&1
fire aaa3 'q\"uote' "plain again" firing | "$OWL" ingest - >/dev/null 2>&1
for f in aaa1 aaa2 aaa3; do
	fire $f x x resolved | sed "s/\"region\":\"x\"/\"region\":\"r-$f\"/" |
		"$OWL" ingest - >/dev/null 2>&1
done
is "$(db_sql "SELECT count(*) FROM actlog WHERE incident_id = 1 AND kind = 'alert.new'")" \
	3 "three alerts in one incident"
is "$(db_sql "SELECT count(*) FROM actlog WHERE incident_id = 1 AND kind = 'alert.resolve'")" \
	3 "three resolves"

run "$OWL" timeline 1
is "$RC" 0 "md: exit 0"
like "$OUT" '^- [0-9:]{8} alert fired: Down region=eu-west-1 \(critical\): plain words `' \
	"md: the plain alert (read without a tree)"
like "$OUT" '^- [0-9:]{8} alert fired: Down region=zürich \(critical\): say "hi" back `' \
	"md: the alert with escapes (read by SQLite and jansson)"
like "$OUT" '^- [0-9:]{8} alert fired: Down region=q"uote \(critical\): plain again `' \
	"md: the alert whose label has a quote"
like "$OUT" '^- [0-9:]{8} alert resolved: Down region=zürich \(ended 2026-03-14T09:05:00' \
	"md: its resolve names it as its alert.new did"
like "$OUT" '^- [0-9:]{8} alert resolved: Down region=q"uote \(ended ' \
	"md: the other one too"
like "$OUT" '^- \*\*Labels of every alert:\*\* service=gw$' \
	"md: the labels every alert has, from both roads"

"$OWL" timeline 1 -f csv >"$T/t.csv"
python3 - "$T/t.csv" >"$T/out" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
texts = [r["text"] for r in rows if r["kind"].startswith("alert.")]
want = [
    "alert fired: Down region=eu-west-1 (critical): plain words",
    'alert fired: Down region=zürich (critical): say "hi" back',
    'alert fired: Down region=q"uote (critical): plain again',
    "alert resolved: Down region=eu-west-1",
    "alert resolved: Down region=zürich",
    'alert resolved: Down region=q"uote',
]
for g, w in zip(texts, want):
    assert g == w, (g, w)
assert len(texts) == len(want), texts
print("ok")
PY
is "$(cat "$T/out")" "ok" "csv: the same sentences by either road"
"$OWL" timeline 1 -f json >"$T/t.json"
run python3 - "$T/t.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = [e for e in d["events"] if e["kind"] == "alert.new"]
assert [e["detail"]["labels"]["region"] for e in ev] == \
    ["eu-west-1", "zürich", 'q"uote'], ev
assert all(isinstance(e["detail"], dict) for e in d["events"])
assert [a["fingerprint"] for a in d["alerts"]] == ["aaa1", "aaa2", "aaa3"]
assert all(a["firing"][0]["to"] == "2026-03-14T09:05:00Z" for a in d["alerts"])
print("ok")
PY
is "$OUT" "ok" "json: every detail as logged; a lane per alert, each ended"
"$OWL" timeline 1 -f html >"$T/t.html"
is "$(grep -o 'class="lane alert"' "$T/t.html" | wc -l)" 3 "html: a lane per alert"

# An alert name far past a line's room (plain ASCII, then two-byte
# characters) is cut, at a character's start, in every format; it used
# to fail the whole export ("out of memory").
long=$(printf '%0700d' 0 | tr 0 A)
wide=$(printf '%0400d' 0 | sed 's/0/\\u00e9/g')
for n in "$long" "$wide"; do
	fire bbb x "long name" firing | sed "s/\"alertname\":\"Down\"/\"alertname\":\"$n\"/g" |
		"$OWL" ingest - >/dev/null 2>&1
	inc=$(db_sql "SELECT max(id) FROM incidents")
	for f in md json csv html; do
		run "$OWL" timeline "$inc" -f $f
		is "$RC" 0 "a long alert name ($f): exports (exit 0)"
	done
	run "$OWL" timeline "$inc"
	like "$OUT" '^- [0-9:]{8} alert fired: (A{160}|é{80})\.\.\.' \
		"...its sentence holds the name cut at 160 bytes, then ..."
done

# The timeline spools its rows to a temporary file in $TMPDIR, else /tmp
# (glibc's tmpfile() uses /tmp whatever TMPDIR says: a small /tmp then
# failed the export). The file is made and unlinked at once: the
# directory's mtime moves, and nothing is left in it.
mkdir "$T/scratch"
touch -d '2001-01-01 00:00:00' "$T/scratch"
run env TMPDIR="$T/scratch" "$OWL" timeline 1 --format json
is "$RC" 0 "TMPDIR elsewhere: exit 0"
like "$OUT" '"alert fired: Down region=eu-west-1' "...and the timeline as before"
unlike "$(stat -c %y "$T/scratch")" '^2001-01-01' \
	"the spool was made in \$TMPDIR"
is "$(ls -A "$T/scratch")" "" "...and unlinked at once: nothing left in it"
run env TMPDIR="$T/no-such-dir" "$OWL" timeline 1 --format json
is "$RC:$ERR" "0:" "a TMPDIR that is not there: /tmp is used, quietly"

# An incident of one alert: the narrative leaves out every label its
# alerts share, so with one alert the head says them all ("Labels"),
# else its export never names them
ONE=$(db_new one)
fire bbb1 us-east-1 "alone" firing | OWL_DB="$ONE" "$OWL" ingest - >/dev/null 2>&1
run env OWL_DB="$ONE" "$OWL" timeline 1
like "$OUT" '^- \*\*Labels:\*\* region=us-east-1, service=gw$' \
	"md: one alert's labels are in the head"
like "$OUT" '^- [0-9:]{8} alert fired: Down \(critical\): alone `' \
	"md: ...which its sentence leaves out"
run env OWL_DB="$ONE" "$OWL" timeline 1 --format html
like "$OUT" '<th>Labels</th><td>region=us-east-1, service=gw</td>' \
	"html: one alert's labels are in the head"

done_testing
