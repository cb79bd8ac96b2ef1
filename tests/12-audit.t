#!/bin/sh
# 12-audit.t: `owl audit verify` and `owl audit log` on real chains:
# intact, appended to by 4 processes at once, and tampered with through
# the database's shell (a changed, a deleted and a reordered row, a cut
# tail).
. "$(dirname "$0")/lib.sh"
APPEND="$OWL_ROOT/build/tools/owl-append"

newdb
run "$OWL" audit verify
is "$OUT" "ok: 0 entries" "an empty log verifies"

"$APPEND" "$OWL_DB" 10 test.seed
run "$OWL" audit verify
is "$RC" 0 "an intact chain: exit 0"
is "$OUT" "ok: 10 entries" "an intact chain: ok: N entries"

run "$OWL" audit log
is "$(printf '%s\n' "$OUT" | wc -l)" 10 "audit log: one line per entry"
like "$(printf '%s\n' "$OUT" | head -1)" \
	'^1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z tester - - test.seed \{"i":0' \
	"audit log: id, time, actor, incident, run, kind, detail"
like "$(printf '%s\n' "$OUT" | tail -1)" '^10 ' "audit log: newest last"

run "$OWL" audit log --limit 3
is "$(printf '%s\n' "$OUT" | cut -d' ' -f1 | tr '\n' ' ')" "8 9 10 " \
	"--limit N: the newest N, newest last"

run "$OWL" audit log --json
python3 -c '
import json, sys
a = json.load(sys.stdin)
assert isinstance(a, list) and len(a) == 10, "ten entries"
keys = {"id", "at", "actor", "incident", "run", "kind", "detail", "prev_hash", "hash"}
for e in a:
    assert set(e) == keys, set(e)
    assert e["incident"] is None and e["run"] is None
    assert e["actor"] == "tester" and isinstance(e["detail"], dict)
    assert len(e["hash"]) == 64
assert a[0]["prev_hash"] == "0" * 64
for x, y in zip(a, a[1:]):
    assert y["prev_hash"] == x["hash"], "chained"
' <"$T/.out"
ok $? "audit log --json: the DESIGN shape, chained"

# Four processes append 500 entries each at the same time.
for p in 1 2 3 4; do "$APPEND" "$OWL_DB" 500 test.concurrent & done
wait
run "$OWL" audit verify
is "$OUT" "ok: 2010 entries" "4 x 500 concurrent appends: one unbroken chain"

# Hostile text in an entry reaches the terminal escaped.
OWL_ACTOR="$(printf 'eve\033[2J')" "$APPEND" "$OWL_DB" 1 "$(printf 'k\033]0;x\007')"
run "$OWL" audit log --limit 1
like "$OUT" 'eve\?\[2J - - k\\x1b\]0;x\\x07' "control bytes are shown escaped"
unlike "$OUT" "$(printf '\033')" "no raw ESC reaches the terminal"

# Tampering behind owl's back (sqlite3 or psql, db_sql), each undone
# after its check. The triggers only stop accidents:
db_sql "UPDATE actlog SET kind = 'x' WHERE id = 3" 2>"$T/trig.err"
like "$(cat "$T/trig.err")" "append-only" "an UPDATE without dropping the triggers is refused"
# so an attacker drops them first.
if db_is_pg; then db_sql "ALTER TABLE actlog DISABLE TRIGGER USER"
else db_sql "DROP TRIGGER actlog_no_update; DROP TRIGGER actlog_no_delete;"; fi
intact() {
	run "$OWL" audit verify
	is "$RC:$OUT" "0:ok: 2011 entries" "$1 undone: the chain verifies again"
}

db_sql "UPDATE actlog SET actor = 'mallory' WHERE id = 1500"
run "$OWL" audit verify
is "$RC" 3 "a changed row: exit 3"
is "$ERR" "owl: audit chain broken at entry 1500: its content does not match its hash (changed after it was written)" \
	"a changed row: names entry 1500"
db_sql "UPDATE actlog SET actor = 'tester' WHERE id = 1500"
intact "the change"

db_sql "CREATE TABLE kept AS SELECT * FROM actlog WHERE id = 42;
	DELETE FROM actlog WHERE id = 42"
run "$OWL" audit verify
is "$RC" 3 "a deleted row: exit 3"
like "$ERR" "^owl: audit chain broken at entry 42: missing" "a deleted row: names entry 42"
db_sql "INSERT INTO actlog SELECT * FROM kept; DROP TABLE kept"
intact "the deletion"

swap="UPDATE actlog SET id = -1 WHERE id = 7;
	UPDATE actlog SET id = 7 WHERE id = 8;
	UPDATE actlog SET id = 8 WHERE id = -1;"
db_sql "$swap"
run "$OWL" audit verify
is "$RC" 3 "reordered rows: exit 3"
like "$ERR" "^owl: audit chain broken at entry 7: " "reordered rows: names entry 7"
db_sql "$swap"
intact "the reordering"

db_sql "CREATE TABLE kept AS SELECT * FROM actlog WHERE id > 2000;
	DELETE FROM actlog WHERE id > 2000"
run "$OWL" audit verify
is "$RC" 3 "a cut tail: exit 3"
like "$ERR" "^owl: audit chain broken at entry 2001: entries 2001 to 2011 were removed" \
	"a cut tail: names the first removed entry"
db_sql "INSERT INTO actlog SELECT * FROM kept; DROP TABLE kept"
intact "the cut"

done_testing
