#!/bin/sh
# 80-oncall.t: `owl oncall`: who is on call at fixed times (--at: the
# fixed clock of these tests) across a DST change, a leap day and a zone
# that skipped a day; overrides made, listed, logged and removed; bad
# configs and usage named with their exit codes.
. "$(dirname "$0")/lib.sh"

mkdir -p "$XDG_CONFIG_HOME/owl"
CFG="$XDG_CONFIG_HOME/owl/config.lua"
cat >"$CFG" <<'EOF'
return { oncall = {
  rotations = {
    primary = { people = { "alice", "bob", "carol" }, start = "2026-01-05",
                shift = "1w", handoff = "Mon 09:00", tz = "Europe/Berlin" },
    leap = { people = { "alice", "bob", "carol" }, start = "2028-02-27",
             shift = "1d", handoff = "09:00", tz = "America/New_York" },
    samoa = { people = { "alice", "bob", "carol", "dave" },
              start = "2011-12-28", shift = "1d", handoff = "09:00",
              tz = "Pacific/Apia" },
  },
  people = { alice = { email = "alice@example.com" }, bob = {}, carol = {},
             dave = {} },
  smtp = { url = "smtp://127.0.0.1:25", from = "owl@example.com" },
} }
EOF

# The week the clocks go forward is 167 hours: 09:00 CEST is 07:00Z.
run "$OWL" oncall --at 2026-03-30T07:30:00Z
is "$RC" 0 "owl oncall --at exits 0"
like "$OUT" "primary  \(Europe/Berlin, 1w shifts from 2026-01-05, hand-off Mon 09:00\)" \
	"it names the rotation, its zone, shift and hand-off"
like "$OUT" "now   alice +since 2026-03-30 Mon 09:00 CEST \(2026-03-30T07:00:00Z\)" \
	"alice took over at 09:00 CEST = 07:00Z, the hand-off in both zones"
like "$OUT" "next  bob +from  2026-04-06 Mon 09:00 CEST \(2026-04-06T07:00:00Z\)" \
	"bob is next, a week of wall clock later"
run "$OWL" oncall --at 2026-03-30T06:59:59Z
like "$OUT" "now   carol +since 2026-03-23 Mon 09:00 CET \(2026-03-23T08:00:00Z\)" \
	"one second before, carol's short week (CET to CEST) is still on"

run "$OWL" oncall --at 2026-03-30T07:30:00Z --json
is "$RC" 0 "--json exits 0"
got=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = {x["name"]: x for x in d["rotations"]}
p = r["primary"]
print(d["at"], p["now"]["person"], p["now"]["since"], p["now"]["since_local"],
      p["next"]["person"], p["next"]["at_local"], p["tz"], r["leap"]["now"]["person"])')
is "$got" "2026-03-30T07:30:00Z alice 2026-03-30T07:00:00Z 2026-03-30T09:00:00+02:00 bob 2026-04-06T09:00:00+02:00 Europe/Berlin None" \
	"--json: who, since (UTC and local with offset), next, zone; null before a rotation starts"

# 29 February 2028 is a shift of its own in a daily rotation.
run "$OWL" oncall --at 2028-02-29T20:00:00Z
like "$OUT" "leap .*
  now   carol +since 2028-02-29 Tue 09:00 EST \(2028-02-29T14:00:00Z\)" \
	"the leap day's shift is carol's (daily, New York)"
# Samoa skipped 30 December 2011: that shift starts when the clock jumps.
run "$OWL" oncall --at 2011-12-30T12:00:00Z
like "$OUT" "samoa .*
  now   carol +since 2011-12-31 Sat 00:00 \+14 \(2011-12-30T10:00:00Z\)" \
	"the day Samoa skipped: carol's shift starts when the clock jumps"
like "$OUT" "samoa .*
  now   carol .*
  next  dave +from  2011-12-31 Sat 09:00 \+14 \(2011-12-30T19:00:00Z\)" \
	"and dave takes over at 09:00 on the far side of the date line"

# No database yet: the config answers, and owl says overrides are not
# included (none is created: a mistyped --db is not a new database).
ok "$(db_absent; echo $?)" "owl oncall made no database"
like "$ERR" "^owl: no database at $(printf '%s' "$OWL_DB" | sed 's/[].[^$?*+(){}|\\]/\\&/g'): overrides made with owl oncall override are not included" \
	"and says the overrides a database would hold are not included"
run "$OWL" oncall override dave --rotation primary --for 2h
is "$RC:$ERR" "2:owl: no database at $OWL_DB (run owl serve or owl ingest to create one)" \
	"an override needs the database owl serve reads: none is made for it"
run "$OWL" oncall overrides
is "$RC" 2 "owl oncall overrides on no database: exit 2"
ok "$(db_absent; echo $?)" "still no database"
newdb

# Overrides: made, shown, listed, logged, removed.
run "$OWL" oncall override dave --rotation primary --for 2h --note "alice at the dentist"
is "$RC" 0 "override exits 0"
like "$OUT" "^override [0-9]+: dave is on call for primary from .* to " "it says what it did"
id=$(printf '%s' "$OUT" | sed -n 's/^override \([0-9]*\):.*/\1/p')
run "$OWL" oncall
like "$OUT" "now   dave +\(override by tester, for [a-z]+\)" "owl oncall shows the override and whom it replaces"
run "$OWL" oncall --json
like "$OUT" "\"by\": \"tester\"" "--json names who made the override"
run "$OWL" oncall overrides
like "$OUT" "^$id +primary +dave .* by tester" "owl oncall overrides lists it"
run "$OWL" audit log
like "$OUT" "tester - - oncall.override .*\"who\":\"dave\".*\"note\":\"alice at the dentist\"" \
	"the override is in the action log with the actor and the note"
run "$OWL" oncall override --remove "$id"
is "$RC" 0 "--remove exits 0"
# (primary's own people are alice, bob and carol; samoa's daily
# rotation has dave on call one day in four, so only primary is read)
primary_now() {
	"$OWL" oncall --json | python3 -c 'import json, sys
print([r for r in json.load(sys.stdin)["rotations"]
       if r["name"] == "primary"][0]["now"]["person"])'
}
now=$(primary_now)
ok "$([ -n "$now" ] && [ "$now" != dave ]; echo $?)" \
	"removed: dave is no longer on call for primary ($now is)"
run "$OWL" audit log
like "$OUT" "oncall.override.remove" "the removal is logged"
run "$OWL" oncall override --remove "$id"
is "$RC" 1 "removing it twice: exit 1"
like "$ERR" "^owl: no override $id" "naming it"

run "$OWL" oncall override zed --rotation primary --for 1h
is "$RC" 2 "an override for someone not in oncall.people: exit 2"
like "$ERR" "'zed' is not in oncall.people" "saying why"
run "$OWL" oncall override dave --rotation tertiary --for 1h
is "$RC" 2 "an unknown rotation: exit 2"
run "$OWL" oncall override dave --rotation primary
is "$RC" 2 "no --to or --for: exit 2"
run "$OWL" oncall --at yesterday
is "$RC" 2 "a bad --at: exit 2"
like "$ERR" "^owl: --at: want now or an RFC 3339 time" "with a hint"

cat >"$T/bad.lua" <<'EOF'
return { oncall = { rotations = { p = { people = { "a" }, start = "2026-01-05",
  tz = "Europe/Atlantis" } } } }
EOF
run "$OWL" --config "$T/bad.lua" oncall
is "$RC" 2 "an unknown zone: exit 2"
like "$ERR" "^owl: config: oncall.rotations.p.tz: time zone Europe/Atlantis: not in the zone database" \
	"naming the field and the zone"
cat >"$T/tue.lua" <<'EOF'
return { oncall = { rotations = { p = { people = { "a" }, start = "2026-01-06",
  handoff = "Mon 09:00" } } } }
EOF
run "$OWL" --config "$T/tue.lua" oncall
is "$RC" 2 "a start date that is not the hand-off's weekday: exit 2"
like "$ERR" "start 2026-01-06 is not the hand-off's weekday" "saying so"
printf 'return {}\n' >"$T/none.lua"
run "$OWL" --config "$T/none.lua" oncall
is "$RC" 1 "no rotations: exit 1"
like "$ERR" "no rotations configured" "saying what to add"

done_testing
