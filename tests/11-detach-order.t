#!/bin/sh
# 11-detach-order.t: owl run --detach when the run's process runs before
# its parent (tests/forkslow.c holds every parent up after fork, as a
# loaded machine sometimes does). The run's process must still be the
# one that says its pid first: its "error ..." or "run N" line came
# before the pid once, and the starter read "erro" as a pid (11-store.t
# failed so under two `yes` processes).
. "$(dirname "$0")/lib.sh"

if [ "$OWL_ASAN" = 1 ]; then
	skip 6 "an LD_PRELOAD shim (not beside ASan)"
	done_testing
	exit 0
fi
${CC:-cc} -shared -fPIC -o "$T/forkslow.so" "$OWL_ROOT/tests/forkslow.c" -ldl
ok $? "the fork shim builds"
SLOW="LD_PRELOAD=$T/forkslow.so OWL_TEST_FORK_PARENT_MS=300"

run env $SLOW "$OWL" --db "$T/typo/owl.db" run degraded-mode \
	--runbooks "$OWL_ROOT/runbooks" --detach --yes --param reason=r
is "$RC:$ERR" "2:owl: no database at $T/typo/owl.db (run owl serve or owl ingest to create one)" \
	"--detach on a missing database, the run's process first: exit 2, says so"

mkdir -p "$T/rb"
printf '%s\n' 'runbook { summary = "quick" }' 'function run(p)' \
	'  step("look", function() end)' 'end' >"$T/rb/quick.lua"
printf '{"id": "disk-full"}' | "$OWL" ingest --format generic - >/dev/null
run env $SLOW "$OWL" run quick --runbooks "$T/rb" --detach --yes
like "$RC:$OUT" "^0:run [0-9]+ started in its own process \(pid [0-9]+\)" \
	"--detach, the run's process first: the run and its pid are said"
id=$(printf '%s\n' "$OUT" | sed -n 's/^run \([0-9]*\) started.*/\1/p')
pid=$(printf '%s\n' "$OUT" | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')
finished() { "$OWL" runs show "$id" --json 2>/dev/null | grep -q '"ended_at": "'; }
wait_for 60 finished
ok $? "the detached run $id finishes"
run "$OWL" runs show "$id" --json
like "$OUT" "\"status\": \"ok\"" "the detached run $id did its step"
like "$OUT" "\"pid\": *$pid[,}]" "the pid said is the run's process ($pid)"
done_testing
