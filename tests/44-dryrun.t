#!/bin/sh
# 44-dryrun.t: a dry-run of an unreviewed runbook is safe (issue "A
# dry-run of an unreviewed runbook is safe"): an exec the runbook calls
# read_only runs for real only when the operator's dry_run.exec allows
# its leading argv words, else it is simulated and the plan says so; a
# file write whose old or new content holds a secret is shown as hashes
# and sizes, never as a diff.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

mkdir -p "$T/rb"
printf 'hello from a file\n' >"$T/data"
cat >"$T/rb/preview.lua" <<EOF
runbook { summary = "preview" }
function run(p)
  step("look", function()
    local r = exec({ "sh", "-c", "echo ran >'$T/marker'; cat /proc/\$PPID/environ" },
      { read_only = true })
    log("sh: [" .. r.stdout .. "]")
    r = exec({ "cat", "$T/data" }, { read_only = true })
    log("cat: [" .. r.stdout .. "]")
    r = exec({ "echo", "hi", "there" }, { read_only = true })
    log("echo: [" .. r.stdout .. "]")
    r = exec({ "echo", "bye" }, { read_only = true })
    log("echo bye: [" .. r.stdout .. "]")
    r = exec({ "cat", "$T/data" }, { read_only = true, env = { LD_PRELOAD = "/nonexistent.so" } })
    log("preload: [" .. r.stdout .. "]")
  end)
end
EOF

# --- nothing runs by default
run "$OWL" run preview --runbooks "$T/rb" --dry-run
is "$RC" 0 "the dry-run ends ok"
test ! -e "$T/marker"
ok $? "a read_only exec the config does not allow never ran"
like "$OUT" 'read  exec sh -c .* \(simulated\) would run \(not allowed in dry-run by the config\)' \
	"the progress line says it would run"
like "$OUT" 'log: cat: \[\]' "not even cat, by default"
printf '%s\n' "$OUT" | grep -A1 '^ *exec  *sh -c' | grep -q 'would run (not allowed in dry-run by the config)'
ok $? "the plan shows the note under the command"
run "$OWL" run preview --runbooks "$T/rb" --dry-run --json
like "$OUT" '"note": "would run \(not allowed in dry-run by the config\)"' \
	"--json: the effect carries the note"

# --- the operator allows argv prefixes
cat >"$T/config.lua" <<'EOF'
return { dry_run = { exec = { { "cat" }, { "echo", "hi" } } } }
EOF
run env OWL_CONFIG="$T/config.lua" "$OWL" run preview --runbooks "$T/rb" --dry-run
is "$RC" 0 "with dry_run.exec the dry-run ends ok"
test ! -e "$T/marker"
ok $? "sh is still not run"
like "$OUT" 'log: cat: \[hello from a file' "cat (allowed) ran live"
like "$OUT" 'log: echo: \[hi there' "echo hi there matches { \"echo\", \"hi\" }"
like "$OUT" 'log: echo bye: \[\]' "echo bye does not"
like "$OUT" 'log: preload: \[\]' "an env that sets LD_PRELOAD is not run"
printf 'return { dry_run = { exec = { "cat" } } }\n' >"$T/bad.lua"
run env OWL_CONFIG="$T/bad.lua" "$OWL" run preview --runbooks "$T/rb" --dry-run
is "$RC" 2 "a dry_run.exec that is not a list of lists is a config error"
like "$ERR" 'dry_run.exec\[1\]: expected a list of words' "and says where"
run env OWL_CONFIG="$T/config.lua" "$OWL" run preview --runbooks "$T/rb" --yes
is "$RC" 0 "a live run runs them all"
test -e "$T/marker"
ok $? "(the live run ran sh)"

# --- a file write that holds a secret: hashes and sizes, not a diff
OLDKEY=old-unknown-key-0123456789abcdef
printf '%s\n' "$OLDKEY" >"$T/svc.key"
printf 'short\n' >"$T/tiny.secret"
cat >"$T/rb/rotate.lua" <<'EOF'
runbook { summary = "rotate a key file", params = { f = { required = true } } }
function run(p)
  step("write the new key", function()
    file.write(p.f, secret.generate({ bytes = 24 }))
  end)
end
EOF
SUM=$(sha256sum "$T/svc.key" | cut -c1-64)
run "$OWL" run rotate --runbooks "$T/rb" --dry-run --param f="$T/svc.key"
is "$RC" 0 "a dry-run of a key rotation ends ok"
like "$OUT" "content changed \(holds a secret\): SHA-256 $SUM -> [0-9a-f]{64}, 33 -> 32 bytes" \
	"the plan shows hashes and sizes"
unlike "$OUT" "$OLDKEY" "never the old key"
run "$OWL" run rotate --runbooks "$T/rb" --dry-run --json --param f="$T/svc.key"
unlike "$OUT" "$OLDKEY" "--json: never the old key"
db_sql .dump >"$T/db.dump"
unlike "$(cat "$T/db.dump")" "$OLDKEY" "the stored plans and the log hold no old key"
# a configured secret file, whose value is too short to be masked
printf 'return { secrets = { tiny = { file = "%s" } } }\n' "$T/tiny.secret" \
	>"$T/secrets.lua"
cat >"$T/rb/plain.lua" <<'EOF'
runbook { summary = "write plain text", params = { f = { required = true } } }
function run(p) step("w", function() file.write(p.f, "plain text now\n") end) end
EOF
run env OWL_CONFIG="$T/secrets.lua" "$OWL" run plain --runbooks "$T/rb" \
	--dry-run --param f="$T/tiny.secret"
is "$RC" 0 "a dry-run writing a configured secret file ends ok"
like "$OUT" "content changed \(holds a secret\): SHA-256 [0-9a-f]{64} -> [0-9a-f]{64}, 6 -> 15 bytes" \
	"a configured secret file is shown as hashes"
unlike "$OUT" '-short' "its old content is not shown"
# a file whose old content holds a configured secret's value, rewritten
# as plain text: hashes too (a diff would show the old line, masked or not)
printf 'return { secrets = { k = { env = "OWL_T_KEY" } } }\n' >"$T/envkey.lua"
printf 'key: env-key-value-0123456789\n' >"$T/app.conf"
run env OWL_T_KEY=env-key-value-0123456789 OWL_CONFIG="$T/envkey.lua" \
	"$OWL" run plain --runbooks "$T/rb" --dry-run --param f="$T/app.conf"
like "$OUT" "content changed \(holds a secret\): SHA-256 [0-9a-f]{64} -> [0-9a-f]{64}, 30 -> 15 bytes" \
	"old content holding a known secret: hashes, not a diff"
unlike "$OUT" "^ +-key:" "the old line is not shown"
printf 'model: a\n' >"$T/plain.yaml"
run "$OWL" run plain --runbooks "$T/rb" --dry-run --param f="$T/plain.yaml"
like "$OUT" '^ +-model: a$' "a file without a secret still gets its diff"

# a dry-run's plain http writes go to the broker without waiting for its
# answer (known: 200, simulated): the runbook sees the same answers, the
# plan and the log the same entries in the same order; after a failed
# step (even one the runbook catches) a write is refused as before, and
# undo writes are made
cat >"$T/rb/oneway.lua" <<'EOF'
runbook { summary = "writes without waiting" }
function run(p)
  step("post", function()
    for i = 1, 3 do
      local r = http.post("http://127.0.0.1:9/a/" .. i, { json = { i = i } })
      log("post " .. i .. ": " .. r.status .. " " .. tostring(r.ok) .. " " .. tostring(r.simulated) .. " [" .. r.body .. "]")
    end
    local r = http.put("http://127.0.0.1:9/b", { expect = 204 })
    log("put: " .. r.status)
    log("ftp: " .. tostring(pcall(http.post, "ftp://127.0.0.1/x")))
  end, { undo = function() http.delete("http://127.0.0.1:9/a") end })
  local ok = pcall(step, "caught", function()
    http.post("http://127.0.0.1:9/c")
    error("boom")
  end)
  log("caught: " .. tostring(ok))
  local ok2, e = pcall(http.post, "http://127.0.0.1:9/after")
  log("after: " .. tostring(ok2) .. " " .. tostring(e))
end
EOF
run "$OWL" run oneway --runbooks "$T/rb" --dry-run
is "$RC" 1 "a dry-run whose step failed ends failed"
like "$OUT" 'log: post 1: 200 true true \[\]' "a write's answer: 200, ok, simulated, empty body"
like "$OUT" 'log: put: 204' "expect: the simulated write answers the status expected"
like "$OUT" "log: after: false .*refused: the run already failed \(step 'caught' failed: .*boom\); no write but undo is made now" \
	"after a caught failure a write is refused, as before"
like "$OUT" 'write http.delete http://127.0.0.1:9/a -> 200 \(simulated\)' "undo writes are made"
is "$(printf '%s\n' "$OUT" | grep -c 'write http.put http://127.0.0.1:9/b')" 1 \
	"a malformed request refused has no effect line: the last one is not shown again"
kinds=$(db_sql "SELECT kind FROM actlog WHERE run_id = (SELECT max(id) FROM runs) ORDER BY id" | tr '\n' ' ')
is "$kinds" "run.start effect.intent effect.result run.log effect.intent \
effect.result run.log effect.intent effect.result run.log effect.intent \
effect.result run.log run.log run.step effect.intent effect.result run.step run.log \
effect.intent effect.result run.log effect.intent effect.result run.undo \
run.end " "the log holds every entry in order"

done_testing
