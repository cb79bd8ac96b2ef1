#!/bin/sh
# 10-cli.t: the command line: help, version, unknown commands and options,
# exit codes (DESIGN.md "The command line").
. "$(dirname "$0")/lib.sh"

run "$OWL" version
is "$RC" 0 "version exits 0"
like "$OUT" "^owl [0-9]+\.[0-9]+" "version names owl"
for lib in sqlite lua libgit2 libcurl libmicrohttpd ncursesw; do
	like "$OUT" "^$lib [0-9]" "version names $lib"
done

run "$OWL" --help
is "$RC" 0 "--help exits 0"
like "$OUT" "Commands:" "--help lists the commands"

run "$OWL" help audit
is "$RC" 0 "help audit exits 0"
like "$OUT" "usage: owl audit verify" "help audit shows the usage"

run "$OWL" audit --help
is "$OUT" "$("$OWL" help audit)" "audit --help is help audit"

run "$OWL" frobnicate
is "$RC" 2 "unknown command exits 2"
like "$ERR" "^owl: unknown command 'frobnicate' \(commands: ack, .*, version\)$" \
	"unknown command: one line with the commands"

run "$OWL" audit verify --frob
is "$RC" 2 "unknown option exits 2"
is "$ERR" "owl: unknown option --frob (see: owl help audit)" \
	"unknown option: one line with a hint"

run "$OWL" audit log --limit
is "$RC" 2 "option without its value exits 2"

run "$OWL" help nosuch
is "$RC" 2 "help for an unknown command exits 2"

run "$OWL"
is "$RC" 2 "no command at all exits 2"

run "$OWL" audit log --limit zero
like "$ERR" "^owl: --limit: 'zero' is not a positive number" "bad --limit value named"

done_testing
