#!/bin/sh
# bench-runbook.sh: the runbook engine's overhead (a 1,000-step dry-run,
# µs per effect including the action log; target < 50 µs) and owl's cold
# dry-run side by side with `ansible-playbook --check --diff` on the same
# 20 tasks (file writes, line replacements, HTTP GETs to a local server,
# commands), alternated. Figures, not assertions.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-XXXXXX")
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV"; rm -rf "$T"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
export OWL_DB="$T/owl.db" XDG_STATE_HOME="$T/state" \
	XDG_CONFIG_HOME="$T/config" OWL_ACTOR=bench
unset OWL_CONFIG OWL_RUNBOOKS
RB=tests/bench/runbooks

us() { echo $(($(date +%s%N) / 1000)); }

# --- engine overhead: 1,000 steps, one simulated write each
./owl run bench1000 --runbooks "$RB" --dry-run --param n=1 >/dev/null ||
	{ echo "   owl run failed"; exit 1; }
best0=999999999
best=999999999
for i in 1 2 3; do
	a=$(us); ./owl run bench1000 --runbooks "$RB" --dry-run --param n=0 \
		>/dev/null; b=$(us)
	[ $((b - a)) -lt "$best0" ] && best0=$((b - a))
	a=$(us); ./owl run bench1000 --runbooks "$RB" --dry-run >/dev/null
	b=$(us)
	[ $((b - a)) -lt "$best" ] && best=$((b - a))
done
per=$(( (best - best0) / 1000 ))
echo "   1,000-step dry-run: $((best / 1000)) ms total, empty run $((best0 / 1000)) ms"
echo "   per step with one effect (worker round trips, chokepoint, intent +"
echo "   result + step log entries, plan): $per µs (target < 50 µs)"
n=$(sqlite3 "$OWL_DB" "SELECT count(*) FROM actlog")
echo "   (the action log now holds $n entries)"

# --- side by side with Ansible
if ! command -v ansible-playbook >/dev/null 2>&1; then
	echo "   ansible-playbook not installed: side-by-side skipped"
	exit 0
fi
mkdir -p "$T/www" "$T/work"
for i in 1 2 3 4 5; do
	echo '{"ok": true}' >"$T/www/health$i.json"
done
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$T/www" \
	>/dev/null 2>&1 &
SRV=$!
URL="http://127.0.0.1:$PORT"
i=0
while ! curl -sf "$URL/health1.json" >/dev/null 2>&1; do
	i=$((i + 1)); [ "$i" -gt 50 ] && { echo "   no local server"; exit 1; }
	sleep 0.1
done
reset_work() {
	for i in 1 2 3 4 5; do
		printf 'name: svc%s\nmodel: gpt-5-bad\n' "$i" >"$T/work/model$i.yaml"
		rm -f "$T/work/conf$i.ini"
	done
}
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False \
	ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=False
rounds=5
[ -n "${BENCH_QUICK:-}" ] && rounds=3
: >"$T/ans.us"
: >"$T/owl.us"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
	reset_work
	a=$(us)
	ansible-playbook -i localhost, --check --diff \
		-e "dir=$T/work" -e "url=$URL" tests/bench/ansible-20.yml \
		>"$T/ansible.out" 2>&1 || { echo "   ansible failed:"; tail -5 "$T/ansible.out"; exit 1; }
	b=$(us)
	echo $((b - a)) >>"$T/ans.us"
	grep -q "skipping" "$T/ansible.out" &&
		echo "   (ansible skipped $(grep -c skipping "$T/ansible.out") commands in --check; owl simulates them too)"
	reset_work
	a=$(us)
	./owl run bench20 --runbooks "$RB" --dry-run --param dir="$T/work" \
		--param url="$URL" >"$T/owl.out" 2>&1 || { echo "   owl failed:"; tail -5 "$T/owl.out"; exit 1; }
	b=$(us)
	echo $((b - a)) >>"$T/owl.us"
done
med() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ans=$(med "$T/ans.us") owl=$(med "$T/owl.us")
echo "   20 tasks (5 GETs live on both sides), dry-run with diffs, median of $rounds alternated rounds:"
echo "     ansible-playbook --check --diff: $((ans / 1000)) ms"
echo "     owl run --dry-run:               $((owl / 1000)).$(( (owl % 1000) / 100 )) ms (target < 20 ms)"
echo "     ratio ansible/owl: $((ans / (owl > 0 ? owl : 1)))x (target >= 300x)"

# --- live: owl apply of a stored plan vs ansible-playbook (no --check)
: >"$T/ansl.us"
: >"$T/apply.us"
for r in $(seq "$rounds"); do
	reset_work
	a=$(us)
	ansible-playbook -i localhost, --diff \
		-e "dir=$T/work" -e "url=$URL" tests/bench/ansible-20.yml \
		>"$T/ansible.out" 2>&1 || { echo "   ansible failed:"; tail -5 "$T/ansible.out"; exit 1; }
	b=$(us)
	echo $((b - a)) >>"$T/ansl.us"
	reset_work
	plan=$(./owl run bench20 --runbooks "$RB" --dry-run --param dir="$T/work" \
		--param url="$URL" | sed -n 's/^Plan \([0-9]*\),.*/\1/p')
	[ -n "$plan" ] || { echo "   owl dry-run made no plan"; exit 1; }
	a=$(us)
	./owl apply "$plan" --yes >"$T/apply.out" 2>&1 ||
		{ echo "   owl apply failed:"; tail -5 "$T/apply.out"; exit 1; }
	b=$(us)
	echo $((b - a)) >>"$T/apply.us"
done
ansl=$(med "$T/ansl.us") apply=$(med "$T/apply.us")
echo "   the same 20 tasks live, median of $rounds alternated rounds:"
echo "     ansible-playbook --diff:          $((ansl / 1000)) ms"
echo "     owl apply PLAN (held to the plan): $((apply / 1000)).$(( (apply % 1000) / 100 )) ms"
echo "     ratio ansible/owl: $((ansl / (apply > 0 ? apply : 1)))x"
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
