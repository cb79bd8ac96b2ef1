#!/bin/sh
# 47-files.t: file.write and file.replace keep what the file they replace
# had (issue "Secrets stay secret and the sandbox holds", Low): its owner
# and group, its POSIX ACL and extended attributes, its mode; when they
# cannot be kept (owl is not root and not the owner), the write is
# refused and the file left alone.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

if [ "$(id -u)" != 0 ] || ! command -v setfacl >/dev/null ||
	! command -v setpriv >/dev/null; then
	echo "1..0 # SKIP needs root, setfacl (acl) and setpriv"
	exit 0
fi
mkdir -p "$T/rb" "$T/svc"
cat >"$T/rb/edit.lua" <<'EOF'
runbook { summary = "edit a service's file", params = { f = { required = true } } }
function run(p)
  step("replace", function() file.replace(p.f, "model: a", "model: b") end)
  step("write", function() file.write(p.f, file.read(p.f) .. "reload: true\n") end)
end
EOF
F="$T/svc/assistant.yaml"
printf 'model: a\n' >"$F"
chown nobody:nogroup "$F"
chmod 0640 "$F"
setfacl -m u:daemon:r "$F"
setfattr -n user.owl.label -v keep-me "$F"
run "$OWL" run edit --runbooks "$T/rb" --yes --param f="$F"
is "$RC" 0 "a live run edits the service's file"
is "$(cat "$F")" "$(printf 'model: b\nreload: true')" "(both edits made)"
is "$(stat -c '%U:%G %a' "$F")" "nobody:nogroup 640" "owner, group and mode are kept"
like "$(getfacl -cp "$F" 2>/dev/null)" "user:daemon:r--" "the ACL is kept"
is "$(getfattr --only-values -n user.owl.label "$F" 2>/dev/null)" "keep-me" \
	"the extended attribute is kept"

# a directory's default ACL must not add an ACL to a file that had none
mkdir "$T/svc2"
setfacl -d -m u:daemon:rwx "$T/svc2"
printf 'model: a\n' >"$T/svc2/plain.yaml"
setfacl -b "$T/svc2/plain.yaml"
run "$OWL" run edit --runbooks "$T/rb" --yes --param f="$T/svc2/plain.yaml"
is "$RC" 0 "a file without an ACL is edited"
unlike "$(getfacl -cp "$T/svc2/plain.yaml" 2>/dev/null)" "daemon" \
	"and gets no ACL from its directory"

# not root, not the owner: refused, the file untouched
chmod 755 "$T"
mkdir -p "$T/nb/state"
chmod 777 "$T/nb" "$T/nb/state"
printf 'model: a\n' >"$T/nb/root.yaml"
chmod 666 "$T/nb/root.yaml"
newdb "$T/nb/owl.db" # owl run never creates one; nobody's to write
chown nobody:nogroup "$T/nb/owl.db"*
run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env OWL_DB="$T/nb/owl.db" XDG_STATE_HOME="$T/nb/state" \
	"$OWL" run edit --runbooks "$T/rb" --yes --param f="$T/nb/root.yaml"
is "$RC" 1 "as nobody, a root-owned file cannot be replaced"
like "$OUT$ERR" "cannot keep its owner and group \(0:0\).*not written" \
	"and says why"
is "$(cat "$T/nb/root.yaml")" "model: a" "the file is untouched"
is "$(stat -c '%U' "$T/nb/root.yaml")" root "and still root's"
ls "$T/nb" | grep -q 'owl-' && ok 1 "no temporary file is left" ||
	ok 0 "no temporary file is left"

done_testing
