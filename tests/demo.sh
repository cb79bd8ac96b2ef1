#!/bin/sh
# tests/demo.sh: `make demo`. Runs owl on a throw-away database under /tmp
# and removes it afterwards; everything it starts, it stops.
set -u
cd "$(dirname "$0")/.." || exit 1
D=$(mktemp -d /tmp/owl-demo-XXXXXX)
trap 'rm -rf "$D"' EXIT
export OWL_DB="$D/owl.db"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$(printf '\033[1m') N=$(printf '\033[0m')
else B="" N=""; fi
say() { printf '\n%s$ %s%s\n' "$B" "$*" "$N"; }

say owl version
./owl version
say owl audit verify
./owl audit verify
