#!/bin/sh
# tools/store-rename.sh: applies tools/store-rename.sed (issue 18's rename
# to the store interface) to every C file of the domain code and the unit
# tests but the store's backends and the tests that talk to SQLite itself,
# then formats. Run from the top of the repository; safe to run twice.
set -e
files=$(grep -rlE 'sqlite3_|SQLITE_' --include='*.c' --include='*.h' \
	engine integrations tui tests/unit tests/fuzz 2>/dev/null |
	grep -vE '^engine/(store_sqlite|schema)[^/]*$|^tests/unit/test_(jscan|plans)\.c$' || true)
[ -z "$files" ] || sed -i -f tools/store-rename.sed $files
echo "$files"
