#!/bin/sh
# 49-plans-git.t: a git write's plan entry holds what would be written
# (the file's content, the commit message, the branch pushed), never a
# commit id or a time: a dry-run's commits are throwaway ones whose ids
# hold the time and the run, so two identical dry-runs must have the same
# plan hash, a change of content or message must change it, and the plan
# applies. Against a real bare repository on disk.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

export HOME="$T" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com
export GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
BARE="$T/cfg.git"
git init -q --bare -b main "$BARE"
git init -q -b main "$T/wc"
printf 'model: a\n' >"$T/wc/pin.yaml"
git -C "$T/wc" add -A && git -C "$T/wc" commit -q -m "pin a" &&
	git -C "$T/wc" push -q "$BARE" main
ok $? "a config repository"
mkdir -p "$T/rb"
cat >"$T/config.lua" <<EOF
return { repo = "$BARE" }
EOF
export OWL_CONFIG="$T/config.lua"
cat >"$T/rb/pin.lua" <<'EOF'
runbook { summary = "pin a model",
  params = { model = { default = "b" }, why = { default = "roll back" } } }
function run(p)
  local h
  step("pin", function()
    h = git.checkout(config.repo, { ref = "main" })
    git.write(h, "pin.yaml", "model: " .. p.model .. "\n")
    git.commit(h, p.why .. ": pin " .. p.model)
    git.push(h)
  end, { undo = function() git.revert(h) end })
end
EOF
planjson() { # planjson ARGS...: the dry-run's plan as JSON in $OUT
	run "$OWL" run pin --runbooks "$T/rb" --dry-run --json "$@"
}
field() { printf '%s' "$OUT" | python3 -c "import json,sys
d = json.load(sys.stdin)['plan']
$1"; }

planjson
is "$RC" 0 "a dry-run of a commit and push ends ok"
H1=$(field 'print(d["hash"])')
P1=$(field 'print(d["id"])')
is "$(field 'print(" ".join(e["kind"] for e in d["effects"] if e["write"]))')" \
	"git.write git.commit git.push" "the plan holds the write, the commit, the push"
like "$(field 'print([e for e in d["effects"] if e["kind"] == "git.commit"][0]["payload"]["message"])')" \
	"^roll back: pin b$" "the commit's payload is its message"
PUSH=$(field 'print([e for e in d["effects"] if e["kind"] == "git.push"][0]["diff"])')
like "$PUSH" "^- roll back: pin b$" "the push lists the commits it sends by subject"
unlike "$PUSH" "[0-9a-f]{12}" "and names no commit id"
# (the second dry-run's commit differs: its trailer names another run)
planjson
H2=$(field 'print(d["hash"])')
P2=$(field 'print(d["id"])')
is "$H2" "$H1" "two identical dry-runs have the same plan hash"
run "$OWL" plan diff "$P1" "$P2"
is "$RC" 0 "owl plan diff finds nothing changed"
planjson --param model=c
isnt() { [ "$1" != "$2" ]; ok $? "$3"; }
isnt "$(field 'print(d["hash"])')" "$H1" "another content: another hash"
planjson --param why="the eval dropped"
isnt "$(field 'print(d["hash"])')" "$H1" "another message: another hash"

H0=$(git -C "$BARE" rev-parse main)
is "$(git -C "$BARE" show main:pin.yaml)" "model: a" "no dry-run pushed anything"
run "$OWL" apply "$P1" --yes
is "$RC" 0 "the plan applies"
is "$(git -C "$BARE" show main:pin.yaml)" "model: b" "the push reached the repository"
is "$(git -C "$BARE" rev-parse main~1)" "$H0" "one commit on top"
like "$(git -C "$BARE" log -1 --format=%B main)" "^roll back: pin b$" \
	"with the message the plan showed"

done_testing
