#!/bin/sh
# 05-layers.t: the runbook worker's side (engine/worker/: the Lua VM, the
# runbook API, the sandbox, the protocol) never includes the store, the
# action log or the effects interface, directly or through another
# header; and the check itself catches a file that does.
. "$(dirname "$0")/lib.sh"
cd "$OWL_ROOT" || exit 1

CHECK=tests/tools/check-layers.sh
run sh "$CHECK" engine/worker/*.c
is "$RC" 0 "no worker-side file reaches the store, the action log or the effects"
is "$ERR" "" "and nothing is reported"

# the check fails on a worker file that includes the store (directly) or
# the chokepoint (which includes the effects interface)
mkdir -p "$T/engine/worker"
printf '#include "engine/store.h"\nint x;\n' >"$T/engine/worker/bad1.c"
printf '#include "engine/rb_effect.h"\nint y;\n' >"$T/engine/worker/bad2.c"
printf '#include "engine/worker/rb_vm.h"\nint z;\n' >"$T/engine/worker/good.c"
run sh "$CHECK" "$T/engine/worker/bad1.c"
is "$RC" 1 "a worker file including the store fails the check"
like "$ERR" 'bad1.c includes engine/store.h' "and the check names the file and the header"
run sh "$CHECK" "$T/engine/worker/bad2.c"
is "$RC" 1 "one reaching the effects interface through another header fails too"
like "$ERR" 'bad2.c includes .*effects.h' "naming the header reached"
run sh "$CHECK" "$T/engine/worker/good.c"
is "$RC" 0 "a file including only worker headers passes"

done_testing
