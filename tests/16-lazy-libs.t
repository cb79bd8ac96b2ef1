#!/bin/sh
# 16-lazy-libs.t: owl does not link libgit2, libcurl, libmicrohttpd,
# GnuTLS or the shared libcrypto (each costs every command its load, ~16
# ms of CPU for the four and their dependencies, ~3 ms for libcrypto): a
# command loads one only when it uses it (integrations/lazy.h), and a
# plain-directory runbook run never loads libgit2. The libraries every
# command needs (SQLite, Lua, jansson, libcrypto's digests, ncurses,
# libseccomp) are linked in statically: no command loads them as shared
# objects (~5 ms of CPU a process). Nor does owl link libm: the first
# call of a math function (SQLite's, Lua's math.*) loads it
# (integrations/lazy_libm.c; ~0.6 ms of CPU a process as a DT_NEEDED).
. "$(dirname "$0")/lib.sh"

LAZY='lib(git2|curl|microhttpd|gnutls|crypto)\.so'

# the libraries the dynamic loader opened for a command (LD_DEBUG=files)
loaded() {
	LD_DEBUG=files "$@" 2>&1 >/dev/null |
		sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sort -u | tr '\n' ' '
}

LINKED='lib(sqlite3|lua5\.4|jansson|crypto|ncursesw|tinfo|seccomp)\.so'
run readelf -d "$OWL"
is "$RC" 0 "readelf reads owl"
like "$OUT" 'NEEDED.*libc\.so' "owl links the C library"
unlike "$OUT" "NEEDED.*$LAZY" "but none of libgit2, libcurl, libmicrohttpd, GnuTLS, libcrypto"
unlike "$OUT" "NEEDED.*$LINKED" "and has SQLite, Lua, jansson, libcrypto's digests, ncurses, libseccomp in it"
unlike "$OUT" 'NEEDED.*libm\.so' "nor libm"
run "$OWL" version
for v in 'sqlite 3\.' 'lua 5\.4' 'jansson 2\.' 'openssl 3\.' 'ncursesw 6\.'; do
	like "$OUT" "$v" "owl version names the linked library: $v"
done

L=$(loaded "$OWL" --help)
like "$L" 'libc\.so' "LD_DEBUG sees what owl --help loads"
unlike "$L" "$LAZY" "owl --help loads none of them"
unlike "$L" "$LINKED" "nor a shared SQLite, Lua, jansson, libcrypto, ncurses or libseccomp"
# the ASan owl's sanitizer runtimes need libm themselves
nolibm() {
	if [ "$OWL_ASAN" = 1 ]; then skip 1 "libasan and libubsan load libm"
	else unlike "$1" 'libm\.so' "$2"; fi
}
nolibm "$L" "nor libm"

# On PostgreSQL a command that opens the database loads libpq (and, on
# Debian, GnuTLS and libcrypto with it: libpq -> libldap -> GnuTLS); on
# SQLite no libpq.
DBLAZY=$LAZY
if db_is_pg; then DBLAZY='lib(git2|curl|microhttpd)\.so'; fi
newdb
L=$(loaded "$OWL" incidents)
unlike "$L" "$DBLAZY" "owl incidents loads none of them"
if db_is_pg; then like "$L" 'libpq\.so' "owl incidents on PostgreSQL loads libpq"
else unlike "$L" 'libpq' "owl incidents on SQLite does not load libpq"; fi

mkdir -p "$T/rb"
cat >"$T/rb/hello.lua" <<'LUA'
runbook { summary = "hello" }
function run(p)
  step("say", function() log("hi") end)
end
LUA
run "$OWL" run hello --runbooks "$T/rb" --dry-run
is "$RC" 0 "a plain-directory dry-run works"
L=$(loaded "$OWL" run hello --runbooks "$T/rb" --dry-run)
unlike "$L" "$DBLAZY" "and loads none of them"
nolibm "$L" "nor libm"

# a config.lua doing arithmetic with math.*: libm is loaded then, and
# gives the right answers (4 + 0 + 8 + 3 + 1 + 1 + 0)
mkdir -p "$T/mcfg"
cat >"$T/mcfg/config.lua" <<'LUA'
local x = math.sqrt(16) + math.sin(0) + 2 ^ 3 + math.fmod(7, 4) +
  math.log(math.exp(1)) + math.cos(0) + math.atan(0, 1)
error(string.format("math says %.6f", x))
LUA
run "$OWL" --config "$T/mcfg/config.lua" run hello --runbooks "$T/rb" --dry-run
is "$RC" 2 "a config.lua that fails is refused"
like "$ERR" 'math says 17\.000000' "with libm's answers"
L=$(loaded "$OWL" --config "$T/mcfg/config.lua" run hello --runbooks "$T/rb" --dry-run)
like "$L" 'libm\.so' "libm was loaded for it"
L=$(OWL_RUNBOOKS="$T/rb" loaded "$OWL" run hello --dry-run)
unlike "$L" 'libgit2' "nor does \$OWL_RUNBOOKS naming a plain directory load libgit2"

# a git repository: libgit2 is loaded then, and works
git -C "$T/rb" init -q && git -C "$T/rb" add -A &&
	git -C "$T/rb" -c user.name=t -c user.email=t@x commit -q -m one
ok $? "the runbooks become a git repository"
run env OWL_RUNBOOKS="$T/rb" "$OWL" run hello --dry-run
is "$RC" 0 "a dry-run from the repository works"
like "$OUT" 'hi' "and runs the committed runbook"
L=$(OWL_RUNBOOKS="$T/rb" loaded "$OWL" run hello --dry-run)
like "$L" 'libgit2\.so' "it loads libgit2"
unlike "$L" 'libmicrohttpd' "and not libmicrohttpd"

run "$OWL" version
is "$RC" 0 "owl version works"
like "$OUT" 'libgit2 [0-9]+\.[0-9]+' "it loads libgit2 to show its version"
like "$OUT" 'libcurl [0-9]+\.[0-9]+' "and libcurl's"
like "$OUT" 'libmicrohttpd [0-9]+\.[0-9]+' "and libmicrohttpd's"

done_testing
