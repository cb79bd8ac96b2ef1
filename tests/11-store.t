#!/bin/sh
# 11-store.t: where the database lives, how it is created, and the bad
# paths that must be refused with one line, exit 2, the file untouched.
. "$(dirname "$0")/lib.sh"

# --db, else $OWL_DB, else $XDG_STATE_HOME/owl/owl.db, else ~/.local/state;
# created by the commands that bring data in (here: ingest).
mk() { printf '{"id": "disk-full"}' | "$OWL" "$@" ingest --format generic -; }
run mk --db "$T/flag/x.db"
is "$RC" 0 "--db creates a new database"
ok "$([ -f "$T/flag/x.db" ]; echo $?)" "--db: created with its parent directories"
is "$(stat -c %a "$T/flag/x.db")" 600 "created with mode 0600"

run mk
like "$("$OWL" incidents --all 2>&1)" "INC-1 .* disk-full" "\$OWL_DB is used without --db"

unset OWL_DB
run mk
ok "$([ -f "$XDG_STATE_HOME/owl/owl.db" ]; echo $?)" \
	"\$XDG_STATE_HOME/owl/owl.db is the default"
run env -u XDG_STATE_HOME HOME="$T/home" "$OWL" audit verify
is "$RC:$ERR" "2:owl: no database at $T/home/.local/state/owl/owl.db (run owl serve or owl ingest to create one)" \
	"~/.local/state/owl/owl.db without XDG_STATE_HOME (named when missing)"
# owl run makes the default database on first use (a fresh box's, a CI
# job's first dry-run); a path named by --db or $OWL_DB must exist (below)
mkdir -p "$T/rbfresh"
printf '%s\n' 'runbook { summary = "first" }' 'function run(p)' \
	'  step("look", function() end)' 'end' >"$T/rbfresh/first.lua"
run env -u XDG_STATE_HOME HOME="$T/fresh" "$OWL" run first \
	--runbooks "$T/rbfresh" --dry-run
ok "$([ "$RC" = 0 ] && [ -f "$T/fresh/.local/state/owl/owl.db" ]; echo $?)" \
	"owl run --dry-run makes the default database on first use ($RC $ERR)"
export OWL_DB="$T/owl.db"

printf '{"id": "disk-full"}' >"$T/alert.json"
run "$OWL" ingest --format generic "$T/alert.json" --db "$T/after.db"
ok "$([ -f "$T/after.db" ]; echo $?)" "--db also works after the command"

# A mistyped path is said, never made into a new empty database: the
# commands that read or act on incidents need one that exists.
for c in "incidents" "show 1" "timeline 1" "audit verify" "audit log" \
	"ack 1" "resolve 1" "note 1 x" "snooze 1 5m" "assign 1 bob" \
	"silence 1" "unsilence 1" "handoff" "oncall overrides"; do
	run "$OWL" --db "$T/typo/owl.db" $c
	is "$RC:$ERR" "2:owl: no database at $T/typo/owl.db (run owl serve or owl ingest to create one)" \
		"$c on a missing database: exit 2, says so"
done
# ... and so do the commands that act on runs, plans and pages, and owl
# run itself (dry-run or live, with an incident or none): a run's log and
# its plan in a database nobody looks at would be lost, so a mistyped
# path is refused before any runbook is read. Only serve, ingest,
# runbooks sync and migrate (its --to) make a database.
printf 'return { oncall = { people = { alice = { slack = "http://127.0.0.1:1/x" } } } }\n' >"$T/page.lua"
RB="--runbooks $OWL_ROOT/runbooks"
for c in "run degraded-mode $RB --dry-run --param reason=r" \
	"run degraded-mode $RB --dry-run --offline --json --param reason=r" \
	"run degraded-mode $RB --yes --param reason=r" \
	"run degraded-mode $RB --yes --incident 1 --param reason=r" \
	"run degraded-mode $RB --detach --yes --param reason=r" \
	"apply 1 --yes" "approve 1" "plan show 1" "plan diff 1 2" "plans" \
	"runs" "runs show 1" "answer 1 yes" "recover 1 --resolve --note x" \
	"migrate --to postgresql://127.0.0.1:1/owl"; do
	run "$OWL" --db "$T/typo/owl.db" $c
	is "$RC:$ERR" "2:owl: no database at $T/typo/owl.db (run owl serve or owl ingest to create one)" \
		"$c on a missing database: exit 2, says so"
done
run env OWL_CONFIG="$T/page.lua" "$OWL" --db "$T/typo/owl.db" page alice "disk full"
is "$RC:$ERR" "2:owl: no database at $T/typo/owl.db (run owl serve or owl ingest to create one)" \
	"page on a missing database: exit 2, says so (nothing sent)"
ok "$([ ! -e "$T/typo" ]; echo $?)" "nothing created for a missing database"
: >"$T/empty.db"
run "$OWL" --db "$T/empty.db" incidents
is "$RC:$(stat -c %s "$T/empty.db")" "2:0" "an empty file is no database either, and stays empty"
run env OWL_DB="$T/typo/owl.db" TERM=xterm timeout -s KILL 20 script -qec "$OWL tui" /dev/null
like "$OUT" "owl: no database at $T/typo/owl.db" "tui on a missing database says so"

# A URL is not a path: no directory "postgresql:" made, no password echoed;
# a PostgreSQL server that is not there (port 1 refuses) is one line
# naming the URL with its password masked, exit 1 (tests/18-store-pg.t
# has the server).
cd "$T" || exit 1
for c in incidents "ingest $T/alert.json"; do
	run "$OWL" --db "postgresql://owl:s3cret@127.0.0.1:1/owl" $c
	like "$RC:$(printf '%s\n' "$ERR" | tail -1)" '^1:owl: database postgresql://owl:\*\*\*@127\.0\.0\.1:1/owl: connection to server at "127\.0\.0\.1", port 1 failed: Connection refused$' \
		"$c --db postgresql://... with no server there: exit 1, one line, password masked"
done
run env OWL_DB="postgres://127.0.0.1:1/owl?password=s3cret" "$OWL" ingest "$T/alert.json"
is "$RC" 1 "OWL_DB=postgres://...: exit 1"
like "$ERR" 'password=\*\*\*' "a password= parameter is masked too"
run "$OWL" --db "https://db.example/owl.db" incidents
like "$ERR" "^owl: https://...: a URL, not a database; give --db" "another URL: refused"
ok "$([ ! -e "$T/postgresql:" ] && [ ! -e "$T/postgres:" ] && [ ! -e "$T/https:" ]; echo $?)" \
	"no directory named after a URL scheme"
cd "$OWL_ROOT" || exit 1

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
OWL_DB="$T/after.db" db_sql "PRAGMA user_version = 999"
sum=$(sha256sum "$T/after.db")
run "$OWL" --db "$T/after.db" audit verify
is "$RC" 2 "a newer schema: exit 2"
like "$ERR" "schema version 999 is newer than this owl" "a newer schema: says so"
is "$(sha256sum "$T/after.db")" "$sum" "a newer schema: file unchanged"

run "$OWL" --db "" audit verify
ok "$([ "$RC" -ne 139 ]; echo $?)" "an empty --db does not crash"

done_testing
