#!/bin/sh
# 61-timeline-golden.t: `owl timeline` of a fixed incident (every entry
# at a fixed time: tests/tools/owl-tlseed.c) in each format, against the
# golden files in tests/fixtures/timeline (OWL_GOLDEN=update rewrites
# them); what the goldens must show (a failed run whose undo failed, the
# late resolve read in the alerts' own times, the change before the
# first alert, the hostile note made harmless); the SVG's lanes; the
# HTML rendered by headless Chromium (a screenshot that is not blank, a
# PDF on A4); --since/--until.
. "$(dirname "$0")/lib.sh"
G="$OWL_ROOT/tests/fixtures/timeline"
"$OWL_ROOT/build/tools/owl-tlseed" "$OWL_DB"
is "$?" 0 "the fixed incident is seeded"

golden() { # NAME ARGS...: the export against $G/NAME
	name=$1
	shift
	"$OWL" timeline "$@" >"$T/$name"
	is "$?" 0 "$name: exit 0"
	[ "${OWL_GOLDEN:-}" = update ] && cp "$T/$name" "$G/$name"
	diff -u "$G/$name" "$T/$name" >"$T/diff"
	is "$?" 0 "$name: the same as the golden file"
	[ -s "$T/diff" ] && head -40 "$T/diff" | sed 's/^/# /'
}
golden inc.md 1
golden inc-summary.md 1 --summary
golden inc-full.md 1 --full
golden inc.json 1 --format json
golden inc.csv 1 --format csv
golden inc.html 1 --format html

md=$(cat "$T/inc.md")
like "$md" "^- \*\*First alert:\*\* 2026-03-14T09:00:00Z \(received 2026-03-14T09:00:03Z, 3s later\)$" \
	"md: the first alert in its own time, the received time beside it"
like "$md" "^- \*\*Resolved:\*\* 2026-03-14T09:06:00Z \(received 2026-03-16T09:06:00Z, 2d 0h 00m later\) \(automatically\)$" \
	"md: the late resolve in the alerts' own end"
like "$md" "^- \*\*Time to resolve:\*\* 6m 00s$" "md: time to resolve from the alerts' own times, not 2 days"
like "$md" "^- \*\*Time to acknowledge:\*\* 1m 30s$" "md: time to acknowledge"
like "$md" "^- \*\*Mitigated:\*\* 2026-03-14T09:04:00Z \(run 2 degraded-mode\)$" "md: mitigated by the run that ended ok"
like "$md" "^- \*\*Time to mitigate:\*\* 4m 00s$" "md: time to mitigate"
like "$md" "^- \*\*Counts:\*\* 3 alerts, 1 page, 2 runs, 1 note, 29 log entries$" "md: the counts"
like "$md" "^- \*\*Labels of every alert:\*\* provider=openai, service=gateway, team=ml$" "md: the labels they share"
like "$md" "^- [0-9:]{8} alert fired: LLMProviderDown region=eu-west-1 \(critical\)" \
	"md: alerts told by the label that tells them apart"
like "$md" "^- 08:52:00 \(8m 00s before\) Deploy gateway v2.14.0 \(provider timeout 30s -> 5s\) \(from ci\)" \
	"md: the change before the first alert, no entity"
like "$md" "^    - 09:02:35 ✗ step 2/2 warm the cache: failed 5010 ms" "md: the failed step in its run's block"
like "$md" "^    - 09:02:38 ✗ http DELETE http://flags.internal/v1/flags/degraded -> failed: timeout after 3000 ms 3000 ms" \
	"md: the undo's effect, intent and result one line"
like "$md" "^    - 09:02:38 ✗ undo of step 1 enable degraded mode: failed 3004 ms.* \*\*ROLLBACK FAILED\*\*" \
	"md: the failed undo says rollback failed"
like "$md" "^    - 09:02:38 ✗ degraded-mode ended: failed: .* \(after 8.0 s, plan 7\) \*\*ROLLBACK FAILED\*\*" \
	"md: the run's end too, with its time and plan"
grep -qxF -- '- 09:02:00 note by ada: provider 502s \<script>alert(1)\</script> & \\x1b\[31mred\\x1b\[0m \| \`rm -rf\` \*bold\* \[x\](http://e.vil)  ' "$T/inc.md"
ok $? "md: the hostile note escaped for Markdown (escape shown, not run), no HTML entity"
grep -qxF -- '  \# second line -> \</li> `#9 19677d0d`' "$T/inc.md"
ok $? "md: its second line stays in the item, not a heading"
unlike "$md" "$(printf '\033')" "md: no terminal escape"
unlike "$md" "&(lt|gt|amp);" "md: no HTML entity anywhere"

html=$(cat "$T/inc.html")
unlike "$html" "<script" "html: no raw script tag"
unlike "$html" "$(printf '\033')" "html: no terminal escape"
unlike "$html" "(src|href)=" "html: nothing loaded from anywhere"
like "$html" "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"" "html: the CSP"
is "$(grep -o 'class="lane alert"' "$T/inc.html" | wc -l)" 3 "svg: a lane per alert"
is "$(grep -o 'class="lane run"' "$T/inc.html" | wc -l)" 2 "svg: a lane per run"
is "$(grep -o 'class="lane marks"' "$T/inc.html" | wc -l)" 1 "svg: a lane of marks"
is "$(grep -o '<rect class="step' "$T/inc.html" | wc -l)" 4 "svg: a bar per step and undo"
is "$(grep -o '<rect class="step failed' "$T/inc.html" | wc -l)" 2 "svg: the failed step and undo marked"
is "$(grep -o '<rect class="firing"' "$T/inc.html" | wc -l)" 3 "svg: a firing span per alert"
like "$html" "resolve received 2d 0h 00m after the alerts ended" "svg: the late resolve said, not drawn"
like "$html" 'class="label failed" fill="#c62828">run 1 rollback failed: degraded-mode<' \
	"svg: the run whose undo failed says so first, in red"

# the HTML rendered as a person sees it: headless Chromium, no network
if command -v chromium >/dev/null 2>&1; then
	mkdir -p "$T/home"
	chrome() {
		HOME="$T/home" timeout 120 chromium --headless --no-sandbox \
			--disable-gpu --no-first-run --disable-extensions \
			--disable-background-networking --disable-component-update \
			--disable-sync --no-pings --user-data-dir="$T/chrome" \
			"$@" "file://$T/inc.html" >/dev/null 2>&1
	}
	chrome --window-size=1280,1600 --screenshot="$T/shot.png"
	ok "$([ -s "$T/shot.png" ]; echo $?)" "chromium: a screenshot at 1280 px"
	run python3 - "$T/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
rows = []
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + pr) & 255
    rows.append(line)
    prev = line
ink = red = 0
for line in rows:
    for i in range(0, stride, bpp):
        r, g, b = line[i], line[i + 1], line[i + 2]
        if r < 200 or g < 200 or b < 200:
            ink += 1
        if abs(r - 0xc6) < 12 and abs(g - 0x28) < 12 and abs(b - 0x28) < 12:
            red += 1
total = w * h
assert w == 1280, w
assert ink > total // 100, "blank: %d of %d pixels" % (ink, total)
assert red > 500, "no critical span drawn: %d red pixels" % red
print("ok")
PY
	is "$OUT" "ok" "chromium: the screenshot is not blank and shows the critical spans"
	chrome --print-to-pdf="$T/inc.pdf" --no-pdf-header-footer
	is "$(head -c 5 "$T/inc.pdf" 2>/dev/null)" "%PDF-" "chromium: it prints (A4, @page)"
else
	ok 1 "chromium is installed (.ci/deps test)"
fi

# a window: the incidents open in it
run "$OWL" timeline --since 2026-03-14T08:00:00Z --until 2026-03-14T10:00:00Z
is "$RC" 0 "--since/--until: exit 0"
like "$OUT" "^# Incidents open from 2026-03-14T08:00:00Z to 2026-03-14T10:00:00Z$" "--since: a heading"
like "$OUT" "^# INC-1: LLM provider down$" "--since: the incident open then"
run "$OWL" timeline --since 2026-03-20T00:00:00Z --until 2026-03-21T00:00:00Z -f json
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["since"], len(d["timelines"]))')" \
	"2026-03-20T00:00:00Z 0" "--since: json, no incident in a later window"
like "$ERR" "^owl: no incident was open in that window$" "--since: says so"
run "$OWL" timeline 1 --since 1h
is "$RC" 2 "an incident and --since: exit 2"
run "$OWL" timeline --since yesterday
is "$RC:$ERR" "2:owl: --since: 'yesterday' is not a time (RFC 3339, or a duration ago: 12h) (see: owl help timeline)" \
	"--since: a bad time"

done_testing
