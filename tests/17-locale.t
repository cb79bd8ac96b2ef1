#!/bin/sh
# 17-locale.t: owl takes characters, collation, dates and messages from
# the user's locale (tui/main.c main_setlocale), as setlocale(cat, "")
# names it: LC_ALL, else the category's own variable, else LANG. It skips
# loading what would give the C locale it starts with (C, POSIX, and
# C.UTF-8 for all but characters: ~0.1 ms of CPU each category file), so
# these check that a real locale named any of those three ways is still
# taken, and that LC_ALL still wins. The messages are glibc's German
# ones (libc-l10n, which the locales package brings); the locale is
# built here (localedef), as tests/40-serve.t does. Wide characters under
# C.UTF-8 (LC_CTYPE still loaded): tests/70-tui.t.
#
# owl run and owl apply print bytes and no translated message under
# C.UTF-8: their LC_CTYPE waits for the first library loaded
# (engine/locale_late.h). libcurl needs it for an international host name
# (under the C locale it refuses "bücher.invalid" as a bad URL): a dry-run
# GET of one, through a proxy that is not there (no DNS needed), fails at
# the proxy, not at the name.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/rb"
cat >"$T/rb/idn.lua" <<'LUA'
runbook { summary = "an international host name" }

function run(p)
  step("get", function()
    http.get("https://bücher.invalid/x")
  end)
end
LUA
newdb
PROXY="http://127.0.0.1:$(closed_port)"
# idn ENV...: the dry-run's closing error line
idn() {
	env LANG= LC_ALL= LC_CTYPE= LC_MESSAGES= https_proxy="$PROXY" "$@" \
		"$OWL" run idn --runbooks "$T/rb" --dry-run 2>&1 >/dev/null |
		grep '^owl: run'
}
like "$(idn LANG=C.UTF-8)" "bücher\.invalid/x: Failed to connect to 127\.0\.0\.1" \
	"owl run under C.UTF-8: libcurl takes an international host name"
like "$(idn LC_ALL=C)" "bücher\.invalid/x: URL using bad/illegal format" \
	"...which it refuses under the C locale (the check can fail)"

mkdir -p "$T/loc"
localedef -c -f UTF-8 -i de_DE "$T/loc/de_DE.UTF-8" >/dev/null 2>&1
DE='Datei oder Verzeichnis nicht gefunden'
EN='No such file or directory'

# msg ENV...: owl's one-line error for a missing file under ENV
msg() {
	env LOCPATH="$T/loc" LANG= LC_ALL= LC_CTYPE= LC_COLLATE= LC_TIME= \
		LC_MESSAGES= "$@" "$OWL" ingest "$T/missing.json" 2>&1
}

if [ ! -f /usr/share/locale/de/LC_MESSAGES/libc.mo ] ||
	[ ! -d "$T/loc/de_DE.UTF-8" ]; then
	skip 7 "no German glibc messages or no localedef (locales, libc-l10n)"
	done_testing
	exit 0
fi

is "$(msg LANG=de_DE.UTF-8)" "owl: $T/missing.json: $DE" \
	"LANG names a real locale: its messages"
is "$(msg LANG=C.UTF-8 LC_MESSAGES=de_DE.UTF-8)" "owl: $T/missing.json: $DE" \
	"LC_MESSAGES names it while LANG is C.UTF-8: still its messages"
is "$(msg LC_ALL=de_DE.UTF-8)" "owl: $T/missing.json: $DE" \
	"LC_ALL names it: its messages"
is "$(msg LC_ALL=C.UTF-8 LC_MESSAGES=de_DE.UTF-8)" "owl: $T/missing.json: $EN" \
	"LC_ALL=C.UTF-8 wins over LC_MESSAGES"
is "$(msg LC_ALL=C LANG=de_DE.UTF-8)" "owl: $T/missing.json: $EN" \
	"LC_ALL=C wins over LANG"
is "$(msg LANG=de_DE.UTF-8 LC_MESSAGES=POSIX)" "owl: $T/missing.json: $EN" \
	"LC_MESSAGES=POSIX wins over LANG"
is "$(msg LANG=C.UTF-8)" "owl: $T/missing.json: $EN" \
	"C.UTF-8: the C locale's messages"

done_testing
