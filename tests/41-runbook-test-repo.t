#!/bin/sh
# 41-runbook-test-repo.t: `owl test --repo PATH|URL [--rev REV]` tests one
# commit of a runbook repository (the one production runs), read the way
# `owl run --repo --rev` reads it: the runbook, its test file and the
# modules they require all come from that commit, never from the working
# files; from a local repository and from git daemon on loopback (its
# mirror); an unknown rev fails with a one-line error naming it.
. "$(dirname "$0")/lib.sh"

export HOME="$T" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com
export GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
R="$T/git/rb"
mkdir -p "$R/lib"
git init -q -b main "$R"
g() { git -C "$R" "$@"; }
# flip MODE: the runbook switches the flag to MODE (the test wants
# "degraded"), through a module
flip() {
	cat >"$R/lib/flags.lua" <<EOF
return { mode = "$1" }
EOF
}
cat >"$R/flip.lua" <<'EOF'
runbook { summary = "flip the flag" }
local flags = require "lib.flags"
function run(p)
  step("flip", function()
    http.put("http://flags.test/v1/flags/assistant", { json = { mode = flags.mode } })
  end)
end
EOF
cat >"$R/flip.test.lua" <<'EOF'
local want = require "lib.want"
return {
  { name = "flips to " .. want.mode,
    fakes = { http = { ["PUT http://flags.test/v1/flags/assistant"] = {
      status = 200 } } },
    expect = { writes = { "http.put http://flags.test/v1/flags/assistant" } } },
  { name = "sends " .. want.mode,
    fakes = { http = { ["*"] = { status = 404 },
      ["PUT http://flags.test/v1/flags/assistant"] = { status = 200 } } },
    expect = { status = "ok" } },
}
EOF
printf 'return { mode = "degraded" }\n' >"$R/lib/want.lua"
flip degraded
g add -A && g commit -q -m "flip to degraded" && g tag v1
C1=$(g rev-parse HEAD)
# the next commit breaks the test: the runbook needs a module it lacks
sed -i 's/lib.flags/lib.gone/' "$R/flip.lua"
g add -A && g commit -q -m "a broken refactor"
C2=$(g rev-parse HEAD)
ok $? "a runbook repository: v1 good, main broken"

run "$OWL" test --repo "$R" --rev v1
is "$RC" 0 "owl test --repo --rev v1: the tagged commit's tests pass"
like "$OUT" "^Testing $R at refs/tags/v1 $C1$" "it names the commit it tests"
like "$OUT" "^ok +flip: flips to degraded$" "the test file comes from that commit"
like "$OUT" "^2 passed, 0 failed$" "both cases ran"
run "$OWL" test --repo "$R" --rev "$(echo "$C1" | cut -c1-10)"
is "$RC" 0 "a commit prefix is a rev too"
run "$OWL" test --repo "$R"
is "$RC" 1 "without --rev: HEAD (main), whose test fails, exits 1"
like "$OUT" "^Testing $R at refs/heads/main $C2$" "and names HEAD's commit"
like "$OUT" "^FAIL +flip: flips to degraded: .*lib.gone" "the failure says why"
run "$OWL" test flip --repo "$R" --rev main
is "$RC" 1 "a named runbook at a branch"

# the working files are never what is tested: fix main's runbook in the
# working tree only, and the committed (broken) version is still tested
sed -i 's/lib.gone/lib.flags/' "$R/flip.lua"
run "$OWL" test --repo "$R" --rev main
is "$RC" 1 "uncommitted edits are not tested: the commit is"
like "$ERR" "uncommitted|dirty" "and owl says the working tree differs"
g checkout -q -- flip.lua

run "$OWL" test --repo "$R" --rev no-such-rev
is "$RC" 1 "an unknown rev fails as owl run --rev does (exit 1)"
like "$ERR" "^owl: .*no-such-rev" "naming the rev"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "in one line"
unlike "$OUT" "passed" "and nothing was tested"
run "$OWL" test nope --repo "$R" --rev v1
is "$RC" 2 "a runbook without tests in that commit: exit 2"
like "$ERR" "no tests for 'nope' in $R" "naming the repository"
run "$OWL" test --rev v1
is "$RC" 2 "--rev without --repo is a usage error"
run "$OWL" test --repo "$R" --runbooks "$T"
is "$RC" 2 "--repo and --runbooks together are a usage error"
run "$OWL" test --repo "$T/not-a-repo"
is "$RC" 1 "a path that is no repository fails as owl run does"

# --- the same from a remote: git daemon on loopback
git clone -q --bare "$R" "$T/git/rb.git"
gitd() { # git daemon on $PORT, in the background (LPID)
	"$(git --exec-path)/git-daemon" \
		--base-path="$T/git" --export-all --listen=127.0.0.1 \
		--port="$PORT" --reuseaddr "$T/git" >/dev/null 2>&1 &
	LPID=$!
}
listen_retry PORT 20 gitd
URL="git://127.0.0.1:$PORT/rb.git"
wait_for 20 git ls-remote "$URL"
ok $? "git daemon serves the repository"
run "$OWL" test --repo "$URL" --rev v1 --json
is "$RC" 0 "owl test --repo URL --rev v1 passes (its first use makes the mirror)"
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys
print(" ".join(str(t["ok"]) for t in json.load(sys.stdin)))')" "True True" \
	"--json: one entry per case"
run "$OWL" test --repo "$URL" --rev main
is "$RC" 1 "the remote's main fails as the local one does"
like "$OUT" "^Testing $URL at refs/heads/main $C2$" "from the same commit"
run "$OWL" test --repo "$URL" --rev v9
is "$RC" 1 "an unknown rev of a remote fails too"
like "$ERR" "^owl: runbooks: no branch, tag or commit 'v9' \(the mirror of $URL is as of its last sync: owl runbooks sync --repo $URL\)$" \
	"naming it, and how to update the mirror"
# a fix pushed and tagged after the mirror was made: sync, then test it
sed -i 's/lib.gone/lib.flags/' "$R/flip.lua"
g add -A && g commit -q -m "fix the refactor" && g tag v2
g push -q "$T/git/rb.git" main v2
run "$OWL" test --repo "$URL" --rev v2
is "$RC" 1 "a tag pushed after the last sync is not in the mirror yet"
run "$OWL" runbooks sync --repo "$URL"
is "$RC" 0 "owl runbooks sync fetches it"
run "$OWL" test --repo "$URL" --rev v2
is "$RC" 0 "then owl test --rev v2 tests the fix, and it passes"
like "$OUT" "^Testing $URL at refs/tags/v2 $(g rev-parse v2)$" "at the tagged commit"

done_testing
