#!/bin/sh
# 72-readme-keys.t: the keys table in README.md "## The TUI" is the one
# generated from tui/keys.c (documentation cannot drift from the keys).
. "$(dirname "$0")/lib.sh"

want=$("$OWL_ROOT/build/tools/owl-keys-md")
got=$(sed -n '/^## The TUI/,/^## /p' "$OWL_ROOT/README.md" |
	grep '^|')
is "$got" "$want" "README keys table matches tui/keys.c"
like "$want" '`a` \| incidents, incident \| acknowledge' "the table has the keys"

done_testing
