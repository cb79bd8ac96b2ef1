#!/bin/sh
# 51-suggest-order.t: owl show --json prints a suggested runbook's
# declaration (params, each param's fields, match) in one order. The
# declaration is a Lua table, whose iteration order changes from one
# process to the next (string hashes are seeded per state), so its keys
# come out in byte order, as a plan's do (49-plans-order.t); a Lua table
# keeps no declaration order to follow. The same holds for a git
# repository's commit read by libgit2 and the same commit read back from
# its suggestion index (integrations/rbindex.h): the two print the same
# bytes.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/dir"
decl='runbook { summary = "many params",
  match = { alertname = "LLMProviderDown", region = "eu", tier = "1" },
  params = { zeta = { default = "1" }, alpha = { default = "2" },
    mid = { default = "3", description = "m", required = false, type = "string" },
    beta = { default = "4" }, gamma = { default = "5" },
    delta = { default = "6" }, kappa = { required = true } } }
function run(p) end'
printf '%s\n' "$decl" >"$T/dir/many.lua"
printf '%s' '{"id":"a1","title":"LLM provider down","status":"firing",
 "severity":"critical","labels":{"alertname":"LLMProviderDown","region":"eu","tier":"1"}}' |
	"$OWL" ingest --format generic >/dev/null 2>&1

for i in 1 2 3 4; do
	run env OWL_RUNBOOKS="$T/dir" "$OWL" show 1 --json
	is "$RC" 0 "show --json $i (a folder of runbooks): exit 0"
	printf '%s\n' "$OUT" >"$T/dir$i.json"
done
like "$(cat "$T/dir1.json")" '"kappa"' "the suggestion holds the params"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
s=d["suggested_runbooks"][0]
print(" ".join(s["params"]), " ".join(s["params"]["mid"]), " ".join(s["match"]))' \
	"$T/dir1.json")" \
	"alpha beta delta gamma kappa mid zeta default description required type alertname region tier" \
	"params, a param's fields and match in byte order of their keys"
for i in 2 3 4; do
	cmp -s "$T/dir1.json" "$T/dir$i.json"
	ok $? "show --json $i prints the same bytes as show --json 1" ||
		diff "$T/dir1.json" "$T/dir$i.json" | sed 's/^/# /' | head -20
done

if ! command -v git >/dev/null 2>&1; then
	skip 3 "no git"
	done_testing
	exit 0
fi
REPO="$T/rb"
g() { HOME="$T" GIT_CONFIG_NOSYSTEM=1 git -C "$REPO" -c user.name=Bob \
	-c user.email=bob@example.com -c init.defaultBranch=main "$@"; }
mkdir -p "$REPO"
g init -q
cp "$T/dir/many.lua" "$REPO/many.lua"
g add -A
g commit -qm one
IDX="$XDG_STATE_HOME/owl/rbindex"
run env OWL_RUNBOOKS="$REPO" "$OWL" show 1 --json
printf '%s\n' "$OUT" >"$T/git1.json"
is "$(ls "$IDX" 2>/dev/null | wc -l | tr -d ' ')" 1 \
	"the first git show (libgit2) indexed the commit"
for i in 2 3; do
	run env OWL_RUNBOOKS="$REPO" "$OWL" show 1 --json
	printf '%s\n' "$OUT" >"$T/git$i.json"
	cmp -s "$T/git1.json" "$T/git$i.json"
	ok $? "show --json from the index ($i) prints what libgit2's reading did" ||
		diff "$T/git1.json" "$T/git$i.json" | sed 's/^/# /' | head -20
done
done_testing
