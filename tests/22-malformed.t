#!/bin/sh
# 22-malformed.t: the table of malformed payloads (tests/fixtures/
# malformed.py): each one refused with exit 2 and its one-line error
# naming the field, and nothing of it stored (a payload is all or
# nothing). Also the 64 MiB body limit of `owl ingest`.
. "$(dirname "$0")/lib.sh"

M="$T/malformed"
mkdir -p "$M"
python3 "$OWL_ROOT/tests/fixtures/malformed.py" "$M"
"$OWL" ingest "$OWL_ROOT/tests/fixtures/payloads/alertmanager-captured.json" \
	>/dev/null 2>&1
before=$("$OWL" show 1 --json)
cases=0
for f in "$M"/*.json; do
	b=${f%.json}
	run "$OWL" ingest --format "$(cat "$b.fmt")" "$f"
	want=$(cat "$b.want")
	is "$RC:$ERR" "2:$want" "$(basename "$b"): $want"
	cases=$((cases + 1))
done
ok $([ "$cases" -ge 30 ]; echo $?) "at least 30 malformed cases ($cases)"
is "$("$OWL" show 1 --json)" "$before" "nothing of any bad payload stored"
is "$("$OWL" incidents --all --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
	1 "no incident from a bad payload"

# one good alert then a bad one: the good one is not stored either
printf '{"groupKey":"g2","alerts":[{"status":"firing","fingerprint":"ok1"},{"status":"firing","startsAt":"soon"}]}' >"$T/half.json"
run "$OWL" ingest "$T/half.json"
is "$ERR" "owl: alerts[1].startsAt: not an RFC 3339 time" "half-good payload refused"
is "$("$OWL" incidents --all --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
	1 "...and its good alert not stored"

# over the body limit, from a file and from stdin
python3 -c 'import sys; sys.stdout.buffer.write(b" " * (64 * 1024 * 1024 + 1))' >"$T/huge.json"
run "$OWL" ingest "$T/huge.json"
is "$RC:$ERR" "2:owl: $T/huge.json: larger than 64 MiB (the payload limit)" \
	"file over 64 MiB refused"
run sh -c "'$OWL' ingest - <'$T/huge.json'"
is "$RC:$ERR" "2:owl: stdin: larger than 64 MiB (the payload limit)" \
	"stdin over 64 MiB refused"
rm -f "$T/huge.json"

# a 64 KiB groupKey shared by 46,000 tiny alerts (1 MB): the alerts share
# one copy of it (a copy each took 3 GB); 256 MB of address space is ample
python3 -c 'import sys; n = 46000
sys.stdout.write("{\"groupKey\":\"%s\",\"alerts\":[%s]}" % ("g" * 65536,
    ",".join(["{\"status\":\"firing\"}"] * n)))' >"$T/amp.json"
# (ASan reserves terabytes of shadow address space: no ulimit -v there)
vlimit="ulimit -v 262144;"
[ "$OWL_ASAN" = 1 ] && vlimit=""
amp=$(db_new amp)
run sh -c "$vlimit OWL_DB='$amp' '$OWL' ingest --format alertmanager '$T/amp.json'"
is "$RC:$OUT" "0:alertmanager: 46000 alerts (1 new), 1 incident opened, 0 reopened, 0 resolved; INC-1" \
	"a long groupKey over many alerts is not copied per alert"

run "$OWL" ingest "$T/nonexistent.json"
is "$RC:$ERR" "2:owl: $T/nonexistent.json: No such file or directory" "missing file"
run "$OWL" ingest --format yaml "$T/half.json"
is "$RC" 2 "unknown --format"
like "$ERR" "^owl: --format: 'yaml' is not a format \(formats: alertmanager, " "unknown --format named"

done_testing
