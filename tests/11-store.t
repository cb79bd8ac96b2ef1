#!/bin/sh
# 11-store.t: where the database lives, how it is created, and the bad
# paths that must be refused with one line, exit 2, the file untouched.
. "$(dirname "$0")/lib.sh"

# --db, else $OWL_DB, else $XDG_STATE_HOME/owl/owl.db, else ~/.local/state
run "$OWL" --db "$T/flag/x.db" audit verify
is "$RC" 0 "--db creates a new database"
ok "$([ -f "$T/flag/x.db" ]; echo $?)" "--db: created with its parent directories"
is "$(stat -c %a "$T/flag/x.db")" 600 "created with mode 0600"

run "$OWL" audit verify
ok "$([ -f "$OWL_DB" ]; echo $?)" "\$OWL_DB is used without --db"

unset OWL_DB
run "$OWL" audit verify
ok "$([ -f "$XDG_STATE_HOME/owl/owl.db" ]; echo $?)" \
	"\$XDG_STATE_HOME/owl/owl.db is the default"
run env -u XDG_STATE_HOME HOME="$T/home" "$OWL" audit verify
ok "$([ -f "$T/home/.local/state/owl/owl.db" ]; echo $?)" \
	"~/.local/state/owl/owl.db without XDG_STATE_HOME"
export OWL_DB="$T/owl.db"

run "$OWL" audit verify --db "$T/after.db"
ok "$([ -f "$T/after.db" ]; echo $?)" "--db also works after the command"

# A directory, a file that is not SQLite, an unreadable file.
mkdir "$T/dir"
run "$OWL" --db "$T/dir" audit verify
is "$RC" 2 "a directory: exit 2"
is "$ERR" "owl: $T/dir: is a directory" "a directory: one line"

printf 'not a database at all\n' >"$T/notes.txt"
cp "$T/notes.txt" "$T/notes.orig"
run "$OWL" --db "$T/notes.txt" audit verify
is "$RC" 2 "a text file: exit 2"
is "$ERR" "owl: $T/notes.txt: not an owl database (not SQLite)" \
	"a text file: one line"
cmp -s "$T/notes.txt" "$T/notes.orig"
ok $? "a text file: left untouched"
ok "$([ ! -e "$T/notes.txt-wal" ]; echo $?)" "a text file: no WAL created"

if [ "$(id -u)" = 0 ]; then
	# root reads anything; check with a user who cannot
	cp "$T/after.db" "$T/locked.db"
	chmod 000 "$T/locked.db"
	if command -v setpriv >/dev/null; then
		run setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$OWL" --db "$T/locked.db" audit verify
		is "$RC" 2 "an unreadable file: exit 2"
		like "$ERR" "^owl: .*locked.db: Permission denied$" \
			"an unreadable file: one line"
	fi
else
	cp "$T/after.db" "$T/locked.db"
	chmod 000 "$T/locked.db"
	run "$OWL" --db "$T/locked.db" audit verify
	is "$RC" 2 "an unreadable file: exit 2"
	like "$ERR" "^owl: .*locked.db: Permission denied$" \
		"an unreadable file: one line"
fi

# A database written by a newer owl is refused and not changed.
sqlite3 "$T/after.db" "PRAGMA user_version = 999"
sum=$(sha256sum "$T/after.db")
run "$OWL" --db "$T/after.db" audit verify
is "$RC" 2 "a newer schema: exit 2"
like "$ERR" "schema version 999 is newer than this owl" "a newer schema: says so"
is "$(sha256sum "$T/after.db")" "$sum" "a newer schema: file unchanged"

run "$OWL" --db "" audit verify
ok "$([ "$RC" -ne 139 ]; echo $?)" "an empty --db does not crash"

done_testing
