#!/bin/sh
# 51-suggest-index.t: runbook suggestions (owl show, the TUI's incident
# view) from a local git repository keep an index of each commit's
# runbooks under the state directory (integrations/rbindex.h): once the
# commit is indexed owl show does not load libgit2 at all, reading which
# commit the ref names from the repository's files (HEAD, loose and
# packed refs). A new commit is seen at once (a runbook whose match no
# longer fits is not suggested), a checked-out older commit finds its
# index, and what it cannot read with certainty goes to libgit2.
. "$(dirname "$0")/lib.sh"

command -v git >/dev/null 2>&1 || { echo "1..0 # SKIP no git"; exit 0; }
REPO="$T/rb"
g() { HOME="$T" GIT_CONFIG_NOSYSTEM=1 git -C "$REPO" -c user.name=Bob \
	-c user.email=bob@example.com -c init.defaultBranch=main "$@"; }
mkdir -p "$REPO"
g init -q
printf '%s\n' 'runbook { summary = "fits the outage", match = { alertname = "LLMProviderDown" } }' \
	'function run(p) end' >"$REPO/fits.lua"
printf '%s\n' 'runbook { summary = "by region", match = { alertname = "LLMProviderDown", region = { "eu", "us" } } }' \
	'function run(p) end' >"$REPO/region.lua"
printf '%s\n' 'runbook { summary = "never", match = { alertname = "Other" } }' \
	'function run(p) end' >"$REPO/other.lua"
printf '%s\n' 'error("not a declaration")' >"$REPO/broken.lua"
g add -A
g commit -qm one
C1=$(g rev-parse HEAD)
printf '%s' '{"id":"a1","title":"LLM provider down","status":"firing",
 "severity":"critical","labels":{"alertname":"LLMProviderDown","region":"eu"}}' |
	"$OWL" ingest --format generic >/dev/null 2>&1
export OWL_RUNBOOKS="$REPO"
IDX="$XDG_STATE_HOME/owl/rbindex"

# whether the dynamic loader opened libgit2 for a command (grep reads
# it all: the command is not cut short by a closed pipe)
loads_git() {
	LD_DEBUG=files "$@" 2>&1 >/dev/null | grep 'libgit2\.so' >/dev/null
}
sugg() { printf '%s\n' "$1" | sed -n '/^Suggested runbooks:/,/^$/p'; }

run "$OWL" show 1
is "$RC" 0 "show exits 0"
FIRST=$(sugg "$OUT")
like "$FIRST" "^  fits +fits the outage" "the runbook whose match fits is suggested"
like "$FIRST" "^  region +by region" "...and the one whose list of values fits"
unlike "$FIRST" "other|broken" "...not one that does not fit, nor a broken file"
like "$FIRST" "commit $(printf %.12s "$C1")" "...from the commit HEAD names"
is "$(ls "$IDX" | wc -l | tr -d ' ')" 1 "the commit's runbooks are indexed"
ok "$(stat -c %a "$IDX/$(ls "$IDX")" | grep -qx 600; echo $?)" \
	"the index is the user's alone (0600)"

run "$OWL" show 1
is "$(sugg "$OUT")" "$FIRST" "shown again from the index: the same suggestions"
loads_git "$OWL" show 1
ok $((! $?)) "owl show with the commit indexed does not load libgit2"
run "$OWL" show 1 --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)
print(" ".join("%s:%s:%s:%s" % (s["name"], s["commit"], s["alerts"], s["source"]) for s in d["suggested_runbooks"]))')" \
	"region:$C1:1:$REPO fits:$C1:1:$REPO" "--json from the index: best first, commit, alerts, source"

# a new commit: the match of fits no longer fits; seen at once
printf '%s\n' 'runbook { summary = "fits no more", match = { alertname = "Other" } }' \
	'function run(p) end' >"$REPO/fits.lua"
g commit -qam two
C2=$(g rev-parse HEAD)
run "$OWL" show 1
unlike "$(sugg "$OUT")" "fits" "after a commit, a runbook whose match no longer fits is not suggested"
like "$(sugg "$OUT")" "commit $(printf %.12s "$C2")" "...the new commit is read"
is "$(ls "$IDX" | wc -l | tr -d ' ')" 2 "...and indexed"

# packed refs (git gc, a clone): read from packed-refs
g pack-refs --all
ok "$(test ! -e "$REPO/.git/refs/heads/main"; echo $?)" "the branch is only in packed-refs"
run "$OWL" show 1
unlike "$(sugg "$OUT")" "fits" "a packed branch names the same commit"
loads_git "$OWL" show 1
ok $((! $?)) "...with no libgit2"

# an older commit checked out (detached): its index again
g checkout -q --detach "$C1"
run "$OWL" show 1
is "$(sugg "$OUT")" "$FIRST" "a detached HEAD at the first commit suggests as it did"
loads_git "$OWL" show 1
ok $((! $?)) "...from its index, with no libgit2"
g checkout -q main

# a ref this reading is not sure of goes to libgit2: a tag, via the config
printf 'return { runbooks = { repo = "%s", ref = "v1" } }\n' "$REPO" >"$T/c.lua"
g tag v1 "$C1"
unset OWL_RUNBOOKS
run env OWL_CONFIG="$T/c.lua" "$OWL" show 1
like "$(sugg "$OUT")" "^  fits " "runbooks.ref naming a tag: its commit's runbooks"
loads_git env OWL_CONFIG="$T/c.lua" "$OWL" show 1
ok $? "...read by libgit2 (a tag is not read from the files)"
# a branch named in the config is read from the files
g branch old "$C1"
printf 'return { runbooks = { repo = "%s", ref = "old" } }\n' "$REPO" >"$T/c.lua"
run env OWL_CONFIG="$T/c.lua" "$OWL" show 1
like "$(sugg "$OUT")" "^  fits " "runbooks.ref naming a branch: its commit"
loads_git env OWL_CONFIG="$T/c.lua" "$OWL" show 1
ok $((! $?)) "...from the index, with no libgit2"

# an index of another build of owl is none: a declaration may read
# otherwise in this one
export OWL_RUNBOOKS="$REPO"
for f in "$IDX"/*; do
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["owl"]="0"*40
json.dump(d, open(sys.argv[1], "w"))' "$f"
done
loads_git "$OWL" show 1
ok $? "an index written by another build of owl is not used"
loads_git "$OWL" show 1
ok $((! $?)) "...this build's is written in its place"

# an index that is not the commit's (another repository's, damaged) is
# none: read again and rewritten
for f in "$IDX"/*; do printf 'garbage' >"$f"; done
run "$OWL" show 1
unlike "$(sugg "$OUT")" "fits" "a damaged index is not used"
like "$(sugg "$OUT")" "commit $(printf %.12s "$C2")" "...the repository is read"
loads_git "$OWL" show 1
ok $((! $?)) "...and indexed again"

done_testing
