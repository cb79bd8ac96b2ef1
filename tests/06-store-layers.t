#!/bin/sh
# 06-store-layers.t: the domain code (engine/, integrations/, tui/) talks
# to the database only through engine/store.h: no file but the store's
# SQLite backend and the schema includes sqlite3.h or calls sqlite3_*
# (issue 18); and the check itself catches a file that does.
. "$(dirname "$0")/lib.sh"
cd "$OWL_ROOT" || exit 1

CHECK=tests/tools/check-store.sh
run sh "$CHECK" engine/*.c engine/*.h integrations/*.c integrations/*.h \
	tui/*.c tui/*.h
is "$RC" 0 "no domain file talks to SQLite itself"
is "$ERR" "" "and nothing is reported"
grep -q 'sqlite3_' engine/store_sqlite.c
is "$?" 0 "the SQLite backend is where SQLite is called"

mkdir -p "$T/engine"
printf '#include <sqlite3.h>\nint x;\n' >"$T/engine/bad1.c"
printf 'int f(void *st) { return sqlite3_step(st); }\n' >"$T/engine/bad2.c"
printf 'int y = SQLITE_ROW;\n' >"$T/engine/bad3.c"
printf '#include "engine/store.h"\nint z;\n' >"$T/engine/good.c"
for b in bad1 bad2 bad3; do
	run sh "$CHECK" "$T/engine/$b.c"
	is "$RC" 1 "$b.c (sqlite3.h, a call, a code) fails the check"
	like "$ERR" "$b.c talks to SQLite itself" "and names $b.c"
done
run sh "$CHECK" "$T/engine/good.c"
is "$RC" 0 "a file using engine/store.h passes"

done_testing
