#!/bin/sh
# tests/tools/check-store.sh FILE...: fails (naming each file) when a file
# of the domain code talks to SQLite itself: includes sqlite3.h (or
# engine/store_sqlite.h) or calls a sqlite3_ function. Only the store's
# SQLite backend and the schema may (issue 18: one store interface, the
# domain code has no backend in it). Used by tests/06-store-layers.t.
rc=0
for f in "$@"; do
	case "$f" in
	engine/store_sqlite*.[ch] | */engine/store_sqlite*.[ch]) continue ;;
	engine/schema*.c | */engine/schema*.c) continue ;;
	esac
	if grep -nE '#[[:space:]]*include[[:space:]]*[<"](sqlite3\.h|engine/store_sqlite\.h|store_sqlite\.h)[>"]|\bsqlite3_[a-z_0-9]+[[:space:]]*\(|\bSQLITE_[A-Z_]+\b' \
		"$f" >/dev/null; then
		echo "$f talks to SQLite itself (use engine/store.h)" >&2
		rc=1
	fi
done
exit $rc
