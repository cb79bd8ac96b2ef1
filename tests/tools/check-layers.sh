#!/bin/sh
# check-layers.sh FILE.c...: fails (exit 1, naming the file and the header)
# when one of the runbook worker's files includes, directly or through
# another header, the store, the action log or the effects interface:
# the worker (engine/worker/) computes and talks to the broker, nothing
# else (DESIGN.md "Runbooks"). Run from the repository's top.
set -u
CC=${CC:-cc}
flags="-std=c11 -D_GNU_SOURCE -I. $(pkg-config --cflags lua5.4 jansson 2>/dev/null)"
bad=0
for f in "$@"; do
	# shellcheck disable=SC2086
	deps=$($CC $flags -MM "$f" 2>&1) || { echo "check-layers: $f: $deps" >&2; bad=1; continue; }
	for h in $(printf '%s\n' "$deps" | tr ' \\' '\n\n' | grep '\.h$'); do
		case "$(basename "$h")" in
		store.h | actlog.h | effects.h | effects_*.h | rb_effect.h)
			echo "check-layers: $f includes $h (the worker side may not reach the store, the action log or the effects)" >&2
			bad=1 ;;
		esac
	done
done
exit $bad
