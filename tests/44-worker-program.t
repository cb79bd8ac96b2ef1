#!/bin/sh
# 44-worker-program.t: the runbook worker is the owl-worker program beside
# owl (spawned, not a fork of owl), and owl forks its worker as before when
# the program is missing or anyone but its owner may write it; either way
# a run prints, logs and exits the same. An owl-worker from another build
# (its GNU build id is not the one owl was linked with) is never run: owl
# forks its own worker and says so in one line on stderr and, of a run,
# in the run's log (a detached or TUI-started run's stderr is no one's).
. "$(dirname "$0")/lib.sh"
newdb # owl run needs a database (it never creates one)

mkdir -p "$T/rb"
printf '%s\n' 'runbook { summary = "slow", params = { secs = { type = "number", default = 60 } } }' \
	'function run(p)' \
	'  step("wait", function() sleep(p.secs) end)' \
	'end' >"$T/rb/slow.lua"
printf '%s\n' 'runbook { summary = "plan" }' \
	'function run(p)' \
	'  step("write", function() file.write(os_dir .. "/x.conf", "a = 1\n") end)' \
	'  step("log", function() log("hello " .. string.rep("x", 3)) end)' \
	'end' | sed "s|os_dir|\"$T\"|" >"$T/rb/plan.lua"

# the program of the first child of pid $1, once it has one
child_exe() {
	for _d in /proc/[0-9]*; do
		[ "$(awk '{ print $4 }' "$_d/stat" 2>/dev/null)" = "$1" ] || continue
		readlink "$_d/exe" && return 0
	done
	return 1
}

# worker_of OWL: starts a live run with OWL, prints the program its
# worker runs, then cancels the run (^C) and checks it ended cancelled
worker_of() {
	"$1" run slow --runbooks "$T/rb" --yes >"$T/slow.out" 2>&1 &
	_pid=$!
	tap_at_exit "kill -9 $_pid"
	wait_for 20 grep -q 'wait \.\.\.' "$T/slow.out"
	_exe=$(child_exe "$_pid")
	kill -INT "$_pid"
	wait "$_pid"
	_rc=$?
	echo "$_exe $_rc"
}

if [ "$OWL_ASAN" = 1 ] || [ ! -x "$OWL_ROOT/owl-worker" ]; then
	skip 1 "no owl-worker beside this owl"
else
	like "$(worker_of "$OWL")" '/owl-worker 1$' \
		"owl runs the worker program beside it (the run cancelled: exit 1)"
fi

# a copy of owl alone forks its worker
mkdir -p "$T/alone"
cp "$OWL" "$T/alone/owl"
like "$(worker_of "$T/alone/owl")" '/alone/owl 1$' \
	"without owl-worker beside it, owl forks the worker"

if [ "$OWL_ASAN" = 1 ] || [ ! -x "$OWL_ROOT/owl-worker" ]; then
	skip 13 "no owl-worker beside this owl"
else
	# a worker program others may write is not run
	cp "$OWL_ROOT/owl-worker" "$T/alone/owl-worker"
	chmod 0775 "$T/alone/owl-worker"
	like "$(worker_of "$T/alone/owl")" '/alone/owl 1$' \
		"a group-writable owl-worker is not run: owl forks"
	chmod 0755 "$T/alone/owl-worker"
	like "$(worker_of "$T/alone/owl")" '/alone/owl-worker 1$' \
		"an owl-worker only its owner may write is run"

	# the same dry-run, output and log, either way
	unnumber() { sed -E 's/[0-9]+ ms/N ms/g; s/([Rr]un|[Pp]lan|apply) [0-9]+/\1 N/g'; }
	run "$T/alone/owl" run plan --runbooks "$T/rb" --dry-run
	rc1=$RC
	out1=$(printf '%s\n' "$OUT" | unnumber)
	rm "$T/alone/owl-worker"
	run "$T/alone/owl" run plan --runbooks "$T/rb" --dry-run
	out2=$(printf '%s\n' "$OUT" | unnumber)
	is "$rc1 $RC" "0 0" "the dry-run succeeds with the program and forked"
	is "$out1" "$out2" "and prints the same"
	kinds() {
		# plain SQL (SQLite and PostgreSQL); the timings and the
		# origin, which differ between two runs, taken out by sed
		db_sql "SELECT kind || ' ' || detail FROM actlog WHERE run_id = $1 AND kind NOT IN ('run.start', 'run.end') ORDER BY id" |
			sed -E 's/"(ms|timeout_s)":[0-9.]+,?//g; s/"origin":"[^"]*",?//g' |
			tr '\n' '|'
	}
	last=$(db_sql "SELECT max(id) FROM runs")
	like "$(kinds "$last")" 'effect.intent .*effect.result .*run.step .*run.log .*hello xxx' \
		"the forked run logs its entries"
	is "$(kinds $((last - 1)))" "$(kinds "$last")" "and the program's run the same"
	forked=$(kinds "$last")

	# an owl-worker from another build: the same program with one bit of
	# its build id flipped (it would run fine; owl must not trust it)
	id=$(readelf -n "$OWL_ROOT/owl-worker" | sed -n 's/^ *Build ID: *//p')
	perl -e 'local $/; open(my $f, "<", $ARGV[0]) or die; binmode $f;
		my $d = <$f>; my $a = pack("H*", $ARGV[1]); my $b = $a;
		substr($b, -1, 1) = chr(ord(substr($b, -1, 1)) ^ 1);
		(my $n = ($d =~ s/\Q$a\E/$b/g)) == 1 or die "id found $n times\n";
		open(my $o, ">", $ARGV[2]) or die; binmode $o; print $o $d' \
		"$OWL_ROOT/owl-worker" "$id" "$T/alone/owl-worker"
	chmod 0755 "$T/alone/owl-worker"
	other=$(readelf -n "$T/alone/owl-worker" | sed -n 's/^ *Build ID: *//p')
	is "$(printf %.39s "$other")" "$(printf %.39s "$id")" "the other build's id differs in its last digit"
	like "$(worker_of "$T/alone/owl")" '/alone/owl 1$' \
		"an owl-worker from another build is not run: owl forks"
	short() { printf %.12s "$1"; }
	warn="owl: warning: $T/alone/owl-worker is from another build (build id $(short "$other"), this owl needs $(short "$id")); running the built-in worker instead: rebuild with make, or install owl and owl-worker together"
	is "$(grep -c 'another build' "$T/slow.out")" 1 "the live run says so once"
	run "$T/alone/owl" run plan --runbooks "$T/rb" --dry-run
	is "$RC" 0 "the dry-run beside it succeeds"
	is "$(printf '%s\n' "$OUT" | unnumber)" "$out2" "and prints the same"
	is "$ERR" "$warn" "with one line on stderr naming the program, the ids and what to do"
	last=$(db_sql "SELECT max(id) FROM runs")
	is "$(kinds "$last")" "run.log {\"text\":\"$warn\"}|$forked" \
		"and logs the same, after that line (in the run's log too)"

	# a detached run (as the TUI starts one): its stderr is no one's;
	# the warning is in its log, which owl runs show and the TUI read
	run "$T/alone/owl" run plan --runbooks "$T/rb" --dry-run --detach
	is "$RC" 0 "a detached dry-run beside it starts"
	did=$(printf '%s\n' "$OUT" | sed -n 's/^run \([0-9]*\) started.*/\1/p')
	ended() { [ "$(db_sql "SELECT status FROM runs WHERE id = $did")" = ok ]; }
	wait_for 60 ended
	ok $? "and ends ok"
	run "$T/alone/owl" runs show "$did"
	is "$(printf '%s\n' "$OUT" | sed -n 's/^  [0-9TZ:-]*  //p' | grep -cxF "$warn")" 1 \
		"owl runs show $did gives the warning in its log, once"

	# one without a build id (an older build, a stripped note) neither
	objcopy --remove-section .note.gnu.build-id "$OWL_ROOT/owl-worker" \
		"$T/alone/owl-worker"
	chmod 0755 "$T/alone/owl-worker"
	run "$T/alone/owl" run plan --runbooks "$T/rb" --dry-run
	is "$RC $(printf '%s\n' "$OUT" | unnumber)" "0 $out2" \
		"an owl-worker without a build id: the dry-run forks, the same"
	like "$ERR" "^owl: warning: .*/alone/owl-worker is from another build \\(no build id, this owl needs $(short "$id")\\); running the built-in worker" \
		"and says so"
fi

done_testing
