#!/bin/sh
# 46-export.t: exports of hostile text (issue "Secrets stay secret", the
# sandbox holds: HTML timeline and CSV): no terminal escape, C1 or bidi
# control reaches an HTML timeline (a file, or the terminal without -o),
# and CSV cells a spreadsheet would take for a formula are neutralised.
. "$(dirname "$0")/lib.sh"

printf '{"id":"x1","title":"T\\u001b]52;c;ZXZpbA==\\u0007 \\u202e \\u009b31m"}' |
	"$OWL" ingest --format generic >/dev/null
"$OWL" note 1 "$(printf 'note \033[31mred\033]52;c;aGk=\007 \342\200\256rlo \302\233x')"
ok $? "a note full of escapes is added"
# counts ESC, C1 (U+0080-U+009F) and bidi controls in a file
bad() { python3 -c 'import re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
print(len(re.findall("[\x1b\x07\x80-\x9f\u202a-\u202e\u2066-\u2069]", t)))' "$1"; }
"$OWL" timeline 1 --format html >"$T/stdout.html"
is "$(bad "$T/stdout.html")" 0 "html on stdout: no escape, C1 or bidi control"
"$OWL" timeline 1 --format html -o "$T/file.html"
is "$(bad "$T/file.html")" 0 "html with -o: none either"
like "$(cat "$T/file.html")" 'note \\x1b\[31mred' "the escapes are shown, not dropped"
like "$(cat "$T/file.html")" '<h1>INC-1: T\\x1b\]52' "in the title too"

OWL_ACTOR='=HYPERLINK("http://evil/")' "$OWL" note 1 "+1 cell" >/dev/null
"$OWL" timeline 1 --format csv >"$T/t.csv"
like "$(cat "$T/t.csv")" "^[^,]*,\"'=HYPERLINK" "csv: a formula actor starts with a quote"
unlike "$(cat "$T/t.csv")" ',"=HYPERLINK|,=HYPERLINK' "csv: no cell starts with ="

done_testing
