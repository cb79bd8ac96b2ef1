#!/bin/sh
# 43-secrets.t: a hostile runbook cannot get a secret's value (issue
# "Secrets stay secret"): file.read of /proc, owl's state, secret files and
# the database is refused, reads stay inside runbooks.read_paths, every
# configured secret is masked from the run's start (also when a runbook
# reads a copy of it and sends it out in a dry-run GET), the broker's and
# the worker's environments no longer hold secret variables, and data
# (an HTTP answer, json.decode) cannot forge a secret reference.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

mkdir -p "$T/rec/doc" "$T/rb" "$T/ok" "$T/state/owl/secrets"
OWL_PORT_FILE="$T/svc.port" python3 "$OWL_ROOT/tests/recsvc.py" 0 "$T/rec" 2>"$T/rec.err" &
REC=$!
tap_at_exit "kill $REC"
PORT=$(port_of "$T/svc.port")
URL="http://127.0.0.1:$PORT"
wait_for 10 curl -sf "$URL/healthz"
ok $? "the recording service is up"

ENVSECRET=env-secret-value-0123456789
FILESECRET=file-secret-value-abcdefghij
DIRSECRET=dir-secret-value-klmnopqrstu
export MY_TOKEN="$ENVSECRET"
printf '%s\n' "$FILESECRET" >"$T/file.secret"
printf '%s' "$DIRSECRET" >"$T/state/owl/secrets/stored"
cat >"$T/config.lua" <<EOF
return {
  url = "$URL",
  secrets = { envs = { env = "MY_TOKEN" }, files = { file = "$T/file.secret" } },
}
EOF
export OWL_CONFIG="$T/config.lua"
# the copies a careless operator left in a readable place
printf 'token: %s\n' "$FILESECRET" >"$T/ok/copy1"
printf 'token: %s\n' "$DIRSECRET" >"$T/ok/copy2"
printf 'token: %s\n' "$ENVSECRET" >"$T/ok/copy3"
ln -s "$T/state/owl/secrets" "$T/ok/link"

# --- file.read of owl's own files and the kernel's process files
cat >"$T/rb/peek.lua" <<'EOF'
runbook { summary = "peek", params = { f = { required = true } } }
function run(p)
  step("read", function()
    local c = file.read(p.f)
    c = (c or "nil"):gsub("[ \n]", "+")
    http.get(config.url .. "/leak?c=" .. c)
  end)
end
EOF
# owl's database files: SQLite only (a PostgreSQL database has none here)
dbfiles="$OWL_DB $OWL_DB-wal"
sqlite_only "owl's database files are off limits" || dbfiles=""
# shellcheck disable=SC2086
for f in /proc/self/environ /proc/1/environ "$T/file.secret" \
	"$T/state/owl/secrets/stored" $dbfiles "$T/config.lua" \
	"$T/ok/link/stored" "$T/ok/../state/owl/secrets/stored" \
	/etc/shadow /sys/kernel/notes /dev/zero; do
	run "$OWL" run peek --runbooks "$T/rb" --dry-run --param f="$f"
	is "$RC" 1 "file.read $f: the step fails"
	like "$OUT" "refused: .* is off limits to runbooks" "file.read $f: refused"
done
like "$OUT" "off limits to runbooks \(devices\)" "the refusal says why"
run "$OWL" run peek --runbooks "$T/rb" --param f="$T/ok/link/stored"
is "$RC" 1 "a live run is refused too"

# --- owl's files named by relative paths (--db owl.db, a config's
# { file = "key" }) are opened from the working directory: guarded too
printf 'return { url = "%s", secrets = { rel = { file = "rel.secret" } } }\n' \
	"$URL" >"$T/rel.lua"
printf 'short\n' >"$T/rel.secret"
newdb "$T/rel.db"
for f in "$T/rel.db" "$T/rel.secret" "$T/rel.lua"; do
	run sh -c 'cd "$1" && OWL_DB=rel.db OWL_CONFIG=rel.lua "$2" run peek \
		--runbooks "$1/rb" --dry-run --param f="$3"' - "$T" "$OWL" "$f"
	like "$OUT" "refused: .* is off limits to runbooks" \
		"file.read $(basename "$f") named relatively by owl: refused"
done
# the recorder records (else the unlike below could not fail)
printf 'plain-ok\n' >"$T/ok/plain"
run "$OWL" run peek --runbooks "$T/rb" --dry-run --param f="$T/ok/plain"
like "$(cat "$T/rec/requests")" "c=plain-ok" "a file that is no secret is read and sent"
unlike "$(cat "$T/rec/requests")" "c=short" "the unmaskable short secret was never sent"

# --- owl serve's credentials named by the config (webhook tokens, HMAC
# secrets, the TLS key): with them a runbook could post alerts as a sender
printf 'tok-0123456789abcdef\n' >"$T/ok/tokens"
printf 'hmac-0123456789abcdef\n' >"$T/ok/hmac"
printf 'not really a key\n' >"$T/ok/tls.key"
sed "s|^  url = |  serve = { token_file = \"$T/ok/tokens\", hmac_secret_file = \"$T/ok/hmac\", tls_key = \"$T/ok/tls.key\" }, url = |" \
	"$T/config.lua" >"$T/serve.lua"
for f in tokens hmac tls.key; do
	run env OWL_CONFIG="$T/serve.lua" "$OWL" run peek --runbooks "$T/rb" \
		--dry-run --param f="$T/ok/$f"
	like "$OUT" "refused: .* is off limits to runbooks \(owl serve's" \
		"file.read of serve's $f named by the config: refused"
done
run env OWL_CONFIG="$T/serve.lua" "$OWL" run peek --runbooks "$T/rb" \
	--dry-run --param f="$T/ok/plain"
is "$(grep -c 'c=plain-ok' "$T/rec/requests")" 2 \
	"with serve's config, a file that is no secret is still sent"
unlike "$(cat "$T/rec/requests")" "0123456789abcdef" "no credential of owl serve was sent"

# --- credentials in the config are not the runbook's: owl's sections that
# hold them (oncall's channel URLs, serve, alertmanagers) are withheld from
# `config`, and a URL's password anywhere else shows as ***
cat >"$T/cred.lua" <<EOF
return {
  url = "$URL",
  gateway = "http://admin:gw-pass-0123456789@127.0.0.1:9/v1",
  alertmanagers = { "http://owl:am-pass-0123456789@127.0.0.1:9/" },
  serve = { pull = "http://u:pull-pass-0123456789@127.0.0.1:9" },
  oncall = { people = { a = { slack = "https://hooks.example/services/T0/B0/slack-tok-0123456789" } } },
  notify = { url = "https://hooks.example/services/T0/B1/notify-tok-0123456789" },
}
EOF
cat >"$T/rb/cfg.lua" <<'EOF'
runbook { summary = "config" }
function run(p)
  step("look", function()
    local c = json.encode(config)
    log("config: " .. c)
    http.get(config.url .. "/leak?c=" .. c:gsub("[^%w]", "_"))
  end)
end
EOF
: >"$T/rec/requests"
run env OWL_CONFIG="$T/cred.lua" "$OWL" run cfg --runbooks "$T/rb" --dry-run
is "$RC" 0 "a runbook reads its config"
like "$OUT" 'config: .*"gateway":"http://admin:\*\*\*@127.0.0.1:9/v1"' \
	"a URL's password in the config shows as ***"
unlike "$OUT" '"(alertmanagers|serve|oncall|notify)"' "owl's credential sections are withheld"
db_sql .dump >"$T/db2.dump"
leaks=""
for s in gw-pass am-pass pull-pass slack-tok notify-tok; do
	grep -q -- "$s" "$T/rec/requests" "$T/db2.dump" && leaks="$leaks $s"
	printf '%s' "$OUT" | grep -q -- "$s" && leaks="$leaks $s"
done
is "$leaks" "" "no credential of the config was printed, logged or sent"

# --- reads stay under runbooks.read_paths
mkdir -p "$T/home"
printf 'outside\n' >"$T/home/x"
sed 's|^  url = |  runbooks = { read_paths = { "'"$T"'/ok" } }, url = |' \
	"$T/config.lua" >"$T/narrow.lua"
run env OWL_CONFIG="$T/narrow.lua" "$OWL" run peek --runbooks "$T/rb" \
	--dry-run --param f="$T/home/x"
is "$RC" 1 "a file outside runbooks.read_paths is refused"
like "$OUT" "outside the paths runbooks may read \(runbooks.read_paths: $T/ok\)" \
	"the refusal names the allowed paths"
run env OWL_CONFIG="$T/narrow.lua" "$OWL" run peek --runbooks "$T/rb" \
	--dry-run --param f="$T/ok/copy1"
is "$RC" 0 "a file under runbooks.read_paths is read"
run "$OWL" run peek --runbooks "$T/rb" --dry-run --param f=/home/nobody/x
like "$OUT" "outside the paths runbooks may read \(runbooks.read_paths: /etc, /srv, /opt, /var/lib, /var/log, /tmp, /var/tmp" \
	"by default: /etc, /srv, /opt, /var/lib, /var/log and the temporary directories"
printf 'return { runbooks = { read_paths = "/" } }\n' >"$T/bad.lua"
run env OWL_CONFIG="$T/bad.lua" "$OWL" run peek --runbooks "$T/rb" \
	--dry-run --param f=/etc/hostname
is "$RC" 2 "read_paths that is not a list is a config error"
like "$ERR" "runbooks.read_paths: expected a list" "and says so"
# writes stay under runbooks.write_paths (default: read_paths)
mkdir -p "$T/wonly"
printf 'return { runbooks = { write_paths = { "%s/wonly" } } }\n' "$T" >"$T/wp.lua"
printf '%s\n' 'runbook { summary = "put", params = { f = { required = true } } }' \
	'function run(p) step("w", function() file.write(p.f, "x\n") end) end' >"$T/rb/put.lua"
run env OWL_CONFIG="$T/wp.lua" "$OWL" run put --runbooks "$T/rb" --yes --param f="$T/ok/new"
is "$RC" 1 "a write outside runbooks.write_paths is refused"
like "$OUT" "outside the paths runbooks may write \(runbooks.write_paths: $T/wonly\)" \
	"the refusal names the allowed paths"
ok "$([ ! -e "$T/ok/new" ]; echo $?)" "nothing was written"
run env OWL_CONFIG="$T/wp.lua" "$OWL" run put --runbooks "$T/rb" --yes --param f="$T/wonly/new"
is "$RC:$(cat "$T/wonly/new")" "0:x" "a write under runbooks.write_paths is made"

# --- every configured secret is masked from the start, also in a copy
: >"$T/rec/requests"
for c in copy1 copy2 copy3; do
	"$OWL" run peek --runbooks "$T/rb" --dry-run --param f="$T/ok/$c" \
		>"$T/$c.out" 2>&1
done
"$OWL" audit log --json >"$T/audit.json"
db_sql .dump >"$T/db.dump"
leaks=0
for s in "$ENVSECRET" "$FILESECRET" "$DIRSECRET"; do
	for f in "$T/rec/requests" "$T/audit.json" "$T/db.dump" \
		"$T/copy1.out" "$T/copy2.out" "$T/copy3.out"; do
		if grep -qF -- "$s" "$f"; then
			diag "$s found in $(basename "$f")"; leaks=1
		fi
	done
done
is "$leaks" 0 "secrets never asked for are masked: not sent by a dry-run GET, not logged, not printed"
is "$(grep -c '/leak?c=token:+\*\*\*+"' "$T/rec/requests")" 3 \
	"the dry-run GET carried the masked copy"

# --- the secret environment variable leaves the broker's environment
cat >"$T/rb/environ.lua" <<'EOF'
runbook { summary = "environ" }
function run(p)
  step("look", function()
    local r = exec({ "sh", "-c",
      "tr '\\0' '\\n' </proc/$PPID/environ | grep '^MY_TOKEN' | rev; echo end" })
    log("environ: " .. r.stdout)
  end)
end
EOF
run "$OWL" run environ --runbooks "$T/rb" --yes
is "$RC" 0 "a live command can look at the broker's environment"
REV=$(printf '%s' "$ENVSECRET" | rev)
unlike "$OUT" "$REV" "the secret variable's value is gone from /proc/PID/environ"
like "$OUT" "environ: .*end" "(the command ran)"

# --- commands owl starts get a minimal environment: PATH, HOME, LANG, TZ
# and what the runbook gives, nothing else of owl's
cat >"$T/rb/env.lua" <<'EOF'
runbook { summary = "env" }
function run(p)
  step("look", function()
    local r = exec({ "env" }, { env = { MINE = "given" } })
    log("env: " .. r.stdout:gsub("\n", " "))
  end)
end
EOF
run env OWL_UNRELATED=leaked-value "$OWL" run env --runbooks "$T/rb" --yes
is "$RC" 0 "a command prints its environment"
names=$(printf '%s\n' "$OUT" | sed -n 's/.*log: env: //p' | tr ' ' '\n' |
	sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort | tr '\n' ' ')
like "$names" "^(HOME )?(LANG )?MINE PATH (TZ )?$" \
	"only PATH, HOME, LANG, TZ and the runbook's own (got: $names)"

# --- data cannot forge a secret reference
printf '{"a": {"$owl_secret": [1]}, "b": {"$owl_secret": ["x", 1, 2]}}' \
	>"$T/rec/doc/forged"
cat >"$T/rb/forge.lua" <<'EOF'
runbook { summary = "read-modify-write" }
function run(p)
  local s1 = secret.get("envs")
  local s2 = secret.get("files")
  step("copy", function()
    local d = http.get(config.url .. "/doc/forged").json
    http.put(config.url .. "/doc/out", { json = d })
    local e = json.decode('{"$owl_secret": [1]}')
    http.post(config.url .. "/doc/out2", { json = { v = e } })
    http.post(config.url .. "/doc/out3", { headers = { X = "a" }, body = json.encode(d) })
  end)
end
EOF
: >"$T/rec/requests"
run "$OWL" run forge --runbooks "$T/rb" --yes
is "$RC" 0 "a runbook sends decoded data on"
leaks=0
for s in "$ENVSECRET" "$FILESECRET"; do
	grep -qF -- "$s" "$T/rec/requests" && leaks=1
done
is "$leaks" 0 "no secret value was sent for a reference found in data"
like "$(grep '"/doc/out"' "$T/rec/requests")" '\\"\$owl_secret\\":\[1\]' \
	"the data went out as it was"

done_testing
