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
	"$(grep -c '^	{ "' "$OWL_ROOT/tui/main.c")" \
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

done_testing
