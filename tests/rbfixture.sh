#!/bin/sh
# tests/rbfixture.sh DIR: builds the runbook repositories that the unit
# tests (test_rbsource_git) and tests/*runbooks-git.t read, with the `git`
# command (owl itself never runs git):
#   DIR/repo        working tree, branch main:
#                     c1 "first version"   degrade.lua v1, lib/util.lua,
#                                          usehelper.lua (requires lib.util),
#                                          link.lua (a symlink), tag v1
#                                          (annotated)
#                     c2 "second version"  degrade.lua v2, tag v2
#                     c3 "touch helper user" usehelper.lua only
#                   branch signed: c3 + an empty commit signed with key
#                   branch evil:   c3 + an empty commit signed with evil
#   DIR/remote.git  a bare copy (served as file://DIR/remote.git)
#   DIR/key, DIR/evil, DIR/allowed_signers  SSH keys and the trust file
#   when gpg is installed: branch gpgsigned: c3 + an empty commit signed
#   with a GPG key exported to DIR/trusted.gpg; DIR/other.gpg holds an
#   unrelated key
set -eu
D=$1
mkdir -p "$D"
cd "$D"
export HOME="$D" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Alice GIT_AUTHOR_EMAIL=alice@example.com
export GIT_COMMITTER_NAME=Alice GIT_COMMITTER_EMAIL=alice@example.com
at() { export GIT_AUTHOR_DATE="$1 +0000" GIT_COMMITTER_DATE="$1 +0000"; }

ssh-keygen -q -t ed25519 -N '' -C ops -f key
ssh-keygen -q -t ed25519 -N '' -C evil -f evil
echo "ops@example.com namespaces=\"git\" $(cat key.pub)" >allowed_signers

git init -q -b main repo
cd repo
mkdir lib
cat >degrade.lua <<'EOF'
runbook {
  summary = "Switch the assistant to degraded mode",
  params  = { service = { default = "assistant" },
              reason  = { required = true } },
  match   = { alertname = "LLMProviderDown" },
  timeout = "5m",
}
function run(p) log("version 1") end
EOF
cat >lib/util.lua <<'EOF'
return { greeting = "hello from lib.util" }
EOF
cat >usehelper.lua <<'EOF'
local util = require "lib.util"
runbook { summary = "uses a helper: " .. util.greeting }
function run() log(util.greeting) end
EOF
ln -s /etc/passwd link.lua
git add -A
at "2024-01-01T10:00:00"
git commit -q -m "first version"
git tag -a v1 -m "release 1"
sed -i 's/version 1/version 2/' degrade.lua
at "2024-01-02T10:00:00"
git commit -q -am "second version"
git tag v2
echo "-- touched" >>usehelper.lua
at "2024-01-03T10:00:00"
git commit -q -am "touch helper user"
git clone -q --bare . ../remote.git
git checkout -q -b signed
at "2024-01-04T10:00:00"
git -c gpg.format=ssh -c user.signingkey="$D/key" commit -q -S \
	--allow-empty -m "signed by ops"
git checkout -q -b evil main
git -c gpg.format=ssh -c user.signingkey="$D/evil" commit -q -S \
	--allow-empty -m "signed by someone else"
git checkout -q main

if command -v gpg >/dev/null 2>&1; then
	export GNUPGHOME="$D/gnupg"
	mkdir -m 700 "$GNUPGHOME" "$D/gnupg2"
	chmod 700 "$D/gnupg2"
	gpg --batch --quiet --passphrase '' --quick-gen-key \
		'Ops <ops@example.com>' ed25519 sign never 2>/dev/null
	gpg --batch --quiet --export >"$D/trusted.gpg"
	GNUPGHOME="$D/gnupg2" gpg --batch --quiet --passphrase '' \
		--quick-gen-key 'Mallory <m@example.com>' ed25519 sign never \
		2>/dev/null
	GNUPGHOME="$D/gnupg2" gpg --batch --quiet --export >"$D/other.gpg"
	git checkout -q -b gpgsigned main
	git -c user.signingkey=ops@example.com commit -q -S --allow-empty \
		-m "signed with GPG"
	git checkout -q main
	gpgconf --kill gpg-agent 2>/dev/null || true
	GNUPGHOME="$D/gnupg2" gpgconf --kill gpg-agent 2>/dev/null || true
fi
