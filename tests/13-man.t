#!/bin/sh
# 13-man.t: the manual page keeps up with the program: every command that
# `owl help` lists has a section in tui/owl.1, every long option of its
# help is mentioned, and the page renders without warnings.
. "$(dirname "$0")/lib.sh"
MAN="$OWL_ROOT/tui/owl.1"

cmds=$("$OWL" help | sed -n '/^Commands:/,/^$/p' | awk 'NF && !/Commands:/ {print $1}')
ok "$([ -n "$cmds" ]; echo $?)" "owl help lists commands"
for c in $cmds; do
	grep -Eq "^\.SS $c( |$)|^\.SS [a-z ]*\| *$c" "$MAN" ||
		grep -Eq "^\.SS ([a-z]+ )?$c\b" "$MAN"
	ok $? "owl.1 has a section for '$c'"
	missing=""
	for o in $("$OWL" help "$c" | sed '/^Common options/,$d' |
		grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		grep -q -- "$esc" "$MAN" || missing="$missing $o"
	done
	is "$missing" "" "owl.1 mentions every option of '$c'"
done

if command -v groff >/dev/null 2>&1; then
	warn=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
	is "$warn" "" "owl.1 renders without warnings"
fi

done_testing
