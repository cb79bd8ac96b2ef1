#!/bin/sh
# 50-runbooks-git.t: versioned runbooks from the command line: `owl
# runbooks list|show|log|sync` on fixture repositories (tests/rbfixture.sh)
# read in place, mirrored from a git daemon on loopback, and a plain
# directory; revs, dirty working trees, a dead remote, signature policy.
. "$(dirname "$0")/lib.sh"

FX="$T/fx"
sh "$OWL_ROOT/tests/rbfixture.sh" "$FX" >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP cannot build the fixture (git, ssh-keygen)"; exit 0; }
REPO="$FX/repo"
g() { HOME="$FX" GIT_CONFIG_NOSYSTEM=1 git -C "$REPO" -c user.name=Bob \
	-c user.email=bob@example.com "$@"; }
C1=$(g rev-parse 'v1^{commit}')
C3=$(g rev-parse main)

# --- list, show, log on a repository read in place
run "$OWL" runbooks list --repo "$REPO"
is "$RC" 0 "list exits 0"
like "$OUT" "^runbooks from $REPO at refs/heads/main $(echo "$C3" | cut -c1-12)" \
	"list names the repository, ref and commit"
like "$OUT" "^degrade +Switch the assistant to degraded mode  params: reason\*, service  match: alertname=LLMProviderDown" \
	"list shows summary, params (required starred) and match labels"
like "$OUT" "^usehelper +uses a helper: hello from lib.util" \
	"a runbook's require resolves in the same commit"
unlike "$OUT" "^(link|util)" "symlinks and modules are not runbooks"

run "$OWL" runbooks list --repo "$REPO" --json
is "$RC" 0 "list --json exits 0"
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["runbooks"][0]; print(d["source"]["kind"], d["source"]["commit"], r["name"], r["commit"], r["params"]["reason"]["required"], r["match"]["alertname"], len(r["blob"]))')" \
	"git $C3 degrade $C3 True LLMProviderDown 40" "list --json: source, commit, params, match, blob"

run "$OWL" runbooks show degrade --repo "$REPO" --rev v1
is "$RC" 0 "show --rev v1 exits 0"
like "$OUT" 'log\("version 1"\)' "show --rev v1 prints the first version"
like "$OUT" "refs/tags/v1 $(echo "$C1" | cut -c1-12)" "show names the tag and commit"
B1=$(g rev-parse "v1:degrade.lua")
like "$OUT" "^blob +$B1" "show prints the blob id git has for it"
run "$OWL" runbooks show degrade --repo "$REPO" --rev v2
like "$OUT" 'log\("version 2"\)' "show --rev v2 prints the second version"
run "$OWL" runbooks show degrade --repo "$REPO" --rev "$(echo "$C1" | cut -c1-8)" --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["source"]["commit"], d["blob"], "version 1" in d["text"])')" \
	"$C1 $B1 True" "show --json by commit prefix: commit, blob and text"

run "$OWL" runbooks log degrade --repo "$REPO"
is "$RC" 0 "log exits 0"
is "$(printf '%s\n' "$OUT" | sed 's/^[0-9a-f]* [^ ]* //')" \
	"Alice <alice@example.com> second version
Alice <alice@example.com> first version" "log: the commits that changed it, newest first"
like "$OUT" "^$(echo "$C1" | cut -c1-12) 2024-01-01T10:00:00Z " "log: id and date"
run "$OWL" runbooks log usehelper --repo "$REPO" --json --limit 1
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[0]["subject"], d[0]["author"])')" \
	"1 touch helper user Alice <alice@example.com>" "log --json --limit 1"

# --- revs and sources that are refused
run "$OWL" runbooks show degrade --repo "$REPO" --rev 'HEAD@{1}'
is "$RC" 2 "a revspec expression is bad input"
run "$OWL" runbooks show degrade --repo "$REPO" --rev nosuch
is "$RC" 1 "an unknown rev fails"
like "$ERR" "^owl: runbooks: no branch, tag or commit 'nosuch'$" "...saying so"
run "$OWL" runbooks show nosuch --repo "$REPO"
is "$RC" 2 "an unknown runbook is bad input"
like "$ERR" "^owl: no runbook 'nosuch' in $REPO at [0-9a-f]{12} \(runbooks: degrade, usehelper\)$" \
	"...saying so, with the commit and the runbooks there"
run "$OWL" runbooks show link --repo "$REPO"
like "$ERR" "symbolic link" "a symlinked runbook is refused"
run "$OWL" runbooks list
is "$RC" 2 "no source configured: exit 2"
like "$ERR" "^owl: no runbooks: give --runbooks DIR or --repo" "...with what to do"
run "$OWL" runbooks list --runbooks "$FX" --rev v1
is "$RC" 2 "--runbooks DIR with --rev is bad usage"
run "$OWL" runbooks log degrade --repo "$T/nowhere"
is "$RC" 1 "a path that is no repository fails"

# --- $OWL_RUNBOOKS and the config
OWL_RUNBOOKS="$REPO" run "$OWL" runbooks list
like "$OUT" "^degrade " "\$OWL_RUNBOOKS names the repository"
cat >"$T/config.lua" <<EOF
return { runbooks = { repo = "$REPO", ref = "v1" } }
EOF
run "$OWL" --config "$T/config.lua" runbooks show degrade
like "$OUT" 'version 1' "the config's runbooks.repo and runbooks.ref are used"
run "$OWL" --config "$T/config.lua" runbooks show degrade --rev main
like "$OUT" 'version 2' "--rev wins over the configured ref"

# --- a dirty working tree
echo '-- an uncommitted edit' >>"$REPO/degrade.lua"
run "$OWL" runbooks show degrade --repo "$REPO"
is "$RC" 0 "show on a dirty tree exits 0"
like "$ERR" "^owl: warning: $REPO has uncommitted changes to runbooks \(degrade.lua\); using commit $(echo "$C3" | cut -c1-12)" \
	"dirty tree: a warning naming the file and the commit used"
unlike "$OUT" "uncommitted edit" "dirty tree: the committed version is read"
run "$OWL" runbooks show degrade --repo "$REPO" --worktree
like "$OUT" "uncommitted edit" "--worktree reads the working file"
like "$OUT" "uncommitted working files \(dirty\)" "--worktree: the origin says dirty"
is "$ERR" "" "--worktree: no warning"
run "$OWL" runbooks show degrade --repo "$REPO" --worktree --rev v1
is "$RC" 2 "--worktree with --rev is bad usage"
g checkout -q degrade.lua

# --- a plain directory
mkdir "$T/plain"
printf 'runbook { summary = "plain \\27[31mred" }\n' >"$T/plain/p.lua"
printf 'runbook { summary = \n' >"$T/plain/broken.lua"
run "$OWL" runbooks list --runbooks "$T/plain"
is "$RC" 1 "a broken runbook makes list exit 1"
like "$OUT" "^runbooks from $T/plain \(plain directory, unversioned\)" \
	"a plain directory is listed as unversioned"
like "$OUT" "^broken +BROKEN: broken.lua:2:" "the broken one is marked, with its line"
like "$OUT" '^p +plain \\x1b\[31mred$' "a summary's escape bytes are made visible"
run "$OWL" runbooks list --runbooks "$T/plain" --json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["source"]["kind"], d["source"]["commit"], d["runbooks"][1]["summary"].startswith("plain \x1b"))')" \
	"dir None True" "list --json: kind dir, no commit"
run "$OWL" runbooks sync --runbooks "$T/plain"
is "$RC" 2 "sync of a plain directory is bad usage"
run "$OWL" runbooks log p --runbooks "$T/plain"
is "$RC" 2 "a plain directory has no log"

# --- a remote on loopback: git daemon, then gone
gitd() { # git daemon on $PORT, in the background (LPID)
	"$(git --exec-path)/git-daemon" \
		--base-path="$FX" --export-all --listen=127.0.0.1 \
		--port="$PORT" --reuseaddr --pid-file="$T/daemon.pid" "$FX" \
		>/dev/null 2>&1 &
	LPID=$!
}
listen_retry PORT 20 gitd
URL="git://127.0.0.1:$PORT/remote.git"
wait_for 10 git ls-remote "$URL"
ok $? "git daemon serves the remote"
run "$OWL" runbooks sync --repo "$URL"
is "$RC" 0 "first sync exits 0"
like "$OUT" "^$URL: new mirror at $(echo "$C3" | cut -c1-12)" "first sync makes the mirror"
ls -d "$XDG_STATE_HOME"/owl/runbooks/remote-*.git >/dev/null 2>&1
ok $? "the mirror lives under the state directory"

g checkout -q -b next main
printf 'runbook { summary = "brand new" }\n' >"$REPO/fresh.lua"
echo '-- v3' >>"$REPO/degrade.lua"
g add -A && g commit -q -m "third version" && g push -q ../remote.git next:main
g checkout -q main
C4=$(g rev-parse next)
run "$OWL" runbooks sync --repo "$URL"
is "$RC" 0 "sync after a push exits 0"
is "$OUT" "$URL: $(echo "$C3" | cut -c1-12) -> $(echo "$C4" | cut -c1-12)
  M degrade
  + fresh
2 runbooks changed" "sync prints old -> new and the runbooks that changed"
is "$ERR" "" "a fast-forward sync does not warn"
run "$OWL" audit log --json
like "$OUT" "\"kind\": \"runbooks.sync\"" "sync is in the action log"
like "$OUT" "\"new\": \"$C4\"" "...with the new commit"

# A force push back to the old commit: synced, with a warning.
g push -q -f ../remote.git "$C3:main"
run "$OWL" runbooks sync --repo "$URL"
is "$RC" 0 "a rewound remote syncs"
like "$ERR" "^owl: warning: history was rewritten: $(echo "$C3" | cut -c1-12) does not descend from $(echo "$C4" | cut -c1-12)" \
	"...with a warning that history was rewritten"
like "$OUT" "^  - fresh" "...listing the runbook that went away"
g push -q -f ../remote.git "$C4:main"
run "$OWL" runbooks sync --repo "$URL"
is "$RC" 0 "and forward again"

kill "$(cat "$T/daemon.pid")" 2>/dev/null
wait_for 20 sh -c "! git ls-remote '$URL'"
run "$OWL" runbooks sync --repo "$URL"
is "$RC" 1 "sync against a dead remote exits 1"
like "$ERR" "^owl: sync failed, the mirror keeps $(echo "$C4" | cut -c1-12): runbooks: fetch $URL: " \
	"...with the reason, keeping the previous mirror"
run "$OWL" runbooks list --repo "$URL"
is "$RC" 0 "the mirror still reads after a failed sync"
like "$OUT" "at refs/heads/main $(echo "$C4" | cut -c1-12)" "...at the last good commit"
like "$OUT" "^fresh +brand new" "...with its runbooks"
run "$OWL" runbooks sync --repo "$REPO"
like "$OUT" "a local repository, read in place: at $(echo "$C3" | cut -c1-12)" \
	"sync of a local repository fetches nothing"

# --- owl run reads the runbook and its modules from one commit
C2=$(g rev-parse v2)
B2=$(g rev-parse "v2:degrade.lua")
runs() { db_sql "SELECT commit_id, source_ref, blob_id, dirty FROM runs WHERE id = $1"; }
run "$OWL" run degrade --repo "$REPO" --rev v1 --param reason=test --yes --json
is "$RC" 0 "run --rev v1 exits 0"
R1=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["run"])')
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); o=d["origin"]; print(d["commit"], o["ref"], o["blob"], o["kind"], o["dirty"])')" \
	"$C1 refs/tags/v1 $B1 git False" "run --json: commit, ref and blob of v1"
is "$(runs "$R1")" "$C1|refs/tags/v1|$B1|0" "the run row records v1's commit, ref and blob"
run "$OWL" run degrade --repo "$REPO" --rev v2 --param reason=test --yes
is "$RC" 0 "run --rev v2 exits 0"
like "$OUT" "^degrade.lua from $REPO at refs/tags/v2 $(echo "$C2" | cut -c1-12) \(blob $(echo "$B2" | cut -c1-12)\)" \
	"run prints the version it reads"
like "$OUT" "log: version 2" "...and runs that version"
R2=$(db_sql "SELECT max(id) FROM runs")
is "$(runs "$R2")" "$C2|refs/tags/v2|$B2|0" "the run row records v2's commit, ref and blob"
run "$OWL" audit log --json
like "$OUT" "\"kind\": \"run.start\"" "the run is in the action log"
is "$(printf '%s' "$OUT" | python3 -c '
import json,sys
for e in json.load(sys.stdin):
    if e["kind"] == "run.start" and e["run"] == '"$R2"':
        o = e["detail"]["origin"]; print(e["detail"]["commit"], o["ref"], o["blob"])')" \
	"$C2 refs/tags/v2 $B2" "run.start logs the commit, ref and blob"

printf '{"alert_uid": "rb-1", "title": "LLM provider down", "state": "alerting"}' |
	"$OWL" ingest --format generic - >/dev/null 2>&1
run "$OWL" run degrade --repo "$REPO" --rev v1 --param reason=x --yes --incident 1
is "$RC" 0 "a run bound to an incident exits 0"
run "$OWL" show 1
like "$OUT" "^  run [0-9]+ +[0-9TZ:-]+  degrade \(refs/tags/v1 at $(printf %.12s "$C1"), blob $(printf %.12s "$B1")\) by tester: ok$" \
	"owl show prints the run's commit, ref and blob"
like "$OUT" "run [0-9]+ degrade \(refs/tags/v1, commit $(printf %.7s "$C1")\) started by tester" \
	"...and its log says which version started"

g checkout -q -b modv2 main
echo 'return { greeting = "hello from the new lib.util" }' >"$REPO/lib/util.lua"
g commit -q -am "new helper"
g checkout -q main
run "$OWL" run usehelper --repo "$REPO" --rev v1
like "$OUT" "log: hello from lib.util$" "require reads the module from the run's commit (v1)"
run "$OWL" run usehelper --repo "$REPO" --rev modv2
like "$OUT" "log: hello from the new lib.util" "...and from modv2 at modv2"

echo 'function run(p) log("uncommitted") end' >>"$REPO/degrade.lua"
run "$OWL" run degrade --repo "$REPO" --param reason=x --dry-run
is "$RC" 0 "a dry-run on a dirty tree exits 0"
like "$ERR" "uncommitted changes to runbooks \(degrade.lua\); using commit" "...warning"
like "$OUT" "log: version 2" "...running the committed version"
is "$(runs "$(db_sql "SELECT max(id) FROM runs")")" \
	"$C3|refs/heads/main|$(g rev-parse main:degrade.lua)|0" "...recorded as the commit, not dirty"
run "$OWL" run degrade --repo "$REPO" --param reason=x --dry-run --worktree
like "$OUT" "log: uncommitted" "--worktree runs the working file"
like "$ERR" "^owl: note: dry-run of the working files of $REPO, with uncommitted changes; the run is logged as dirty" \
	"--worktree: the dry-run says it reads dirty working files"
is "$(runs "$(db_sql "SELECT max(id) FROM runs")")" \
	"$C3|refs/heads/main|$(git hash-object "$REPO/degrade.lua")|1" \
	"--worktree: the run row is dirty, with the working file's blob id"
g checkout -q degrade.lua

# --- signature policy
cat >"$T/signed.lua" <<EOF
return { runbooks = { repo = "$REPO", require_signed = true,
                      allowed_signers = "$FX/allowed_signers" } }
EOF
run "$OWL" --config "$T/signed.lua" runbooks list --rev signed
is "$ERR" "" "require_signed: a commit signed by an allowed key reads quietly"
run "$OWL" --config "$T/signed.lua" runbooks list --rev evil
like "$ERR" "^owl: warning: runs would be refused: commit [0-9a-f]{12}: the signing key is not in" \
	"require_signed: another key is flagged"
run "$OWL" --config "$T/signed.lua" runbooks list
like "$ERR" "runs would be refused: commit [0-9a-f]{12} is not signed" \
	"require_signed: an unsigned commit is flagged"
run "$OWL" --config "$T/signed.lua" run usehelper --rev signed
is "$RC" 0 "require_signed: a run of a commit signed by an allowed key goes"
run "$OWL" --config "$T/signed.lua" run usehelper --rev evil
is "$RC" 3 "require_signed: a run of a commit signed by another key is refused (exit 3)"
like "$ERR" "^owl: refused: commit $(g rev-parse evil | cut -c1-12): the signing key is not in $FX/allowed_signers$" \
	"...with the reason"
run "$OWL" --config "$T/signed.lua" run usehelper
is "$RC" 3 "require_signed: a run of an unsigned commit is refused"
like "$ERR" "^owl: refused: commit $(echo "$C3" | cut -c1-12) is not signed$" "...saying so"
run "$OWL" audit log --json
is "$(printf '%s' "$OUT" | python3 -c '
import json,sys
print(sum(1 for e in json.load(sys.stdin) if e["kind"] == "runbook.refused" and e["detail"]["runbook"] == "usehelper"))')" \
	"2" "both refusals are in the action log"

done_testing
