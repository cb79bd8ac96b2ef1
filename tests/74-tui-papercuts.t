#!/bin/sh
# 74-tui-papercuts.t: the 3 AM papercuts of `owl tui`, each at 80x24 and
# 160x48 in a real terminal (tmux): the footer keeps `? help` and `q
# quit` at any width >= 40; a filter, a sort and the resolved ones are
# named in the header with "N of M shown"; resolved incidents can be
# shown; assign with the names from the log; ack with a note; the alert
# table collapsed by the labels that differ, links once; the bell for a
# new critical incident (tui.bell, --quiet); y copies a chosen link; the
# snooze editor starts empty and `owl snooze 1 30` is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui-lib.sh"

generic() { # generic ID SEVERITY TITLE REGION [STATUS]
	printf '{"id":"%s","status":"%s","severity":"%s","title":"%s",
	  "labels":{"service":"assistant","region":"%s"}}' \
	    "$1" "${5:-firing}" "$2" "$3" "$4" > "$T/alert.json"
	"$OWL" ingest --format generic "$T/alert.json" >/dev/null
}
# a 250-alert storm: one Alertmanager group, pod=api-0..api-249, two of
# them resolved, one dashboard, runbook and generator link for all
storm() {
	python3 - "$T/storm.json" <<'EOF'
import json, sys
alerts = []
for i in range(250):
    alerts.append({
        "status": "resolved" if i in (7, 8) else "firing",
        "labels": {"alertname": "PodCrashLooping", "namespace": "prod",
                   "service": "api", "pod": "api-%d" % i},
        "annotations": {"summary": "pod api-%d crash looping" % i,
                        "dashboard": "https://grafana.example/d/api",
                        "runbook_url": "https://wiki.example/rb/crash"},
        "startsAt": "2026-12-07T02:00:00Z",
        "endsAt": "2026-12-07T02:30:00Z" if i in (7, 8) else "0001-01-01T00:00:00Z",
        "generatorURL": "https://prom.example/graph?g0.expr=up",
        "fingerprint": "%016x" % (i + 1)})
doc = {"version": "4", "groupKey": "{}:{alertname=\"PodCrashLooping\"}",
       "status": "firing", "receiver": "owl", "groupLabels": {},
       "commonLabels": {}, "commonAnnotations": {}, "externalURL": "",
       "alerts": alerts}
json.dump(doc, open(sys.argv[1], "w"))
EOF
	"$OWL" ingest --format alertmanager "$T/storm.json" >/dev/null
}
field() { # field ID KEY: a field of INC-ID in owl incidents --all --json
	"$OWL" incidents --all --json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if i["id"] == int(sys.argv[1]):
        print(i.get(sys.argv[2]))' "$1" "$2"
}
id_of() { # id_of TITLE: the id of the incident with this title
	"$OWL" incidents --all --json | python3 -c '
import json, sys
print([i["id"] for i in json.load(sys.stdin) if i["title"] == sys.argv[1]][0])' "$1"
}
count() { "$OWL" incidents $1 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
bell_flag() { $TUI_TMUX display -p -t t '#{window_bell_flag}'; }
rang() { [ "$(bell_flag)" = 1 ]; }

generic llm critical "LLM provider down" eu-west-1     # INC-1
generic spend warning "Token spend spike" us-east-1    # INC-2
generic eval error "Eval score drop" eu-west-1         # INC-3
generic old warning "Old disk alert" eu-west-1         # INC-4
generic old warning "Old disk alert" eu-west-1 resolved
storm                                                  # INC-5
OWL_ACTOR=alice "$OWL" note 2 "looking" >/dev/null
OWL_ACTOR=bob "$OWL" ack 3 >/dev/null

# --- snooze on the command line: a bare number is refused, with a hint
run "$OWL" snooze 1 30
is "$RC" 2 "owl snooze 1 30: exit 2"
like "$ERR" "^owl: snooze: '30' has no unit: 30m is 30 minutes, 30s seconds" \
	"says why, and what to type"
is "$(field 1 snoozed_until)" "None" "nothing was snoozed"
run "$OWL" snooze 1 30m
is "$RC" 0 "owl snooze 1 30m works"
"$OWL" ack 1 >/dev/null   # INC-1 ack'd by tester: a name in the log

n=0
for size in "80 24" "160 48"; do
	set -- $size
	cols=$1
	n=$((n + 1))
	generic "target$n" warning "Ack target $n" us-east-1
	tgt=$(id_of "Ack target $n")
	open=$(count "")
	all=$(count --all)
	tui_start "$1" "$2" "" "--env TEST"
	tui_wait_for "SNOOZED"
	ok $? "$cols: the list is up"

	# footer: help and quit always there
	# the footer is the frame's last row: drawn after the header
	tui_like "\\? help  q quit *$" "$cols: footer ends with ? help  q quit"
	for w in 40 41 57 63 79; do
		tui_resize "$w" 20
		tui_wait_for "? help  q quit"
		ok $? "${cols}: at $w columns the footer keeps ? help  q quit"
	done
	tui_resize "$1" "$2"
	tui_wait_for "ACKED"

	# filter: in the header, with N of M
	tui_keys /
	tui_type "eu-west-1"
	tui_keys Enter
	tui_wait_for "filter: eu-west-1 · 2 of $open shown"
	ok $? "$cols: the header names the filter and counts: 2 of $open shown"
	tui_keys s
	tui_wait_for "sort: newest"
	ok $? "$cols: a non-default sort is named in the header"
	tui_keys s s s Escape
	tui_wait_gone "filter:"
	ok $? "$cols: no filter, default sort: nothing in the header"

	# resolved incidents, shown on R
	unlike "$(tui_capture)" "Old disk alert" "$cols: resolved hidden by default"
	tui_keys R
	tui_wait_for "Old disk alert"
	ok $? "$cols: R shows the resolved incident"
	like "$(tui_capture | grep 'Old disk')" "RESOLVED +INC-4" "$cols: marked RESOLVED"
	like "$(tui_capture | head -1)" "\\+resolved · $all shown" "$cols: header says so"
	tui_keys R
	tui_wait_gone "Old disk alert"
	ok $? "$cols: R again hides it"

	# assign, with names from the log
	tui_keys g
	tui_keys A
	tui_wait_for "assign INC-"
	like "$(tui_capture)" "\\(Tab: .*alice" "$cols: the editor offers names from the log"
	tui_type "b"
	tui_keys Tab
	# the prompt was on screen before Tab: wait for its completed answer
	tui_wait_match "assign INC-.*\\): bob *$"
	ok $? "$cols: Tab completes b to bob"
	tui_keys Enter
	tui_wait_for "assigned INC-"
	ok $? "$cols: assigned"
	sel=$(tui_capture | grep "^> " | sed 's/.*INC-\([0-9]*\).*/\1/')
	is "$(field "$sel" assignee)" "bob" "$cols: the assignee is in the database"

	# ack with a note in one go (on a firing one)
	tui_keys :
	tui_type "open $tgt"
	tui_keys Enter
	tui_wait_for "Incident INC-$tgt"
	tui_like "\\? help  q back *$" "$cols: incident footer ends with ? help  q back"
	tui_keys a
	tui_wait_for "Acknowledge INC-$tgt"
	tui_like "m yes, with a note" "$cols: the ack question offers a note"
	tui_keys m
	tui_wait_for "ack INC-$tgt with note:"
	tui_type "on it $n"
	tui_keys Enter
	tui_wait_for "acknowledged INC-$tgt with your note"
	ok $? "$cols: acknowledged with the note"
	tui_keys G
	tui_wait_for "acknowledged by tester: on it $n"
	ok $? "$cols: the timeline says it as a sentence, with the note"
	is "$(field "$tgt" state)" "acknowledged" "$cols: INC-$tgt acknowledged"

	# snooze editor starts empty; a bare number is refused
	tui_keys z
	tui_wait_for "snooze INC-$tgt for (e.g. 30m, 2h):"
	like "$(tui_capture | grep "snooze INC-$tgt for")" "2h\\): *$" \
		"$cols: the snooze editor is not pre-filled"
	tui_type "2h"
	tui_keys Enter
	tui_wait_for "for 2h (until"
	ok $? "$cols: typing 2h snoozes for 2h, not 30m2h"
	tui_keys n
	tui_keys z
	tui_wait_for "snooze INC-$tgt for"
	tui_type "30"
	tui_keys Enter
	tui_wait_for "'30' has no unit"
	ok $? "$cols: a bare number is refused in the TUI too"
	tui_keys q

	# the storm: one table collapsed by what differs, links once
	tui_wait_for "SNOOZED"
	tui_keys :
	tui_type "open 5"
	tui_keys Enter
	tui_wait_for "250 alerts · pod=api-0…api-249 · 248 firing"
	ok $? "$cols: the storm is summed up by the label that differs"
	tui_wait_for "labels all alerts share"
	ok $? "$cols: what the alerts share is named once"
	tui_like "alertname = PodCrashLooping" "$cols: the shared alertname"
	like "$(tui_capture | sed -n 3p)" "^INC-5  PodCrashLooping on namespace=prod service=api \\(250 alerts\\)" \
		"$cols: the storm's title names what the alerts share, not one pod"
	if [ "$cols" -ge 160 ]; then
		tui_like "\\.\\.\\. 242 more alerts \\(e: expand\\)" \
			"$cols: collapsed past 8 rows"
		# the links are below the table: drawn by now, before counting
		tui_wait_for "https://prom.example/graph"
		is "$(tui_capture | grep -c 'https://grafana.example/d/api')" 1 \
			"$cols: the dashboard link appears once, not 250 times"
		is "$(tui_capture | grep -c 'https://prom.example/graph')" 1 \
			"$cols: the generator link appears once"
		unlike "$(tui_capture)" "FIRING +pod=api-10 " "$cols: collapsed: api-10 not shown"
		tui_keys e
		tui_wait_gone "242 more alerts"
		ok $? "$cols: e expands the table"
		tui_like "FIRING +pod=api-10 " "$cols: expanded: more rows"
		tui_keys e
		tui_wait_for "242 more alerts"
		ok $? "$cols: e collapses it again"
	else
		# a page at a time, each drawn before the next is asked for
		# (keys sent faster than the screen is drawn page past it)
		i=0
		while [ $i -lt 8 ] && ! tui_capture | grep -q "Links (y copies"; do
			before=$(tui_capture)
			tui_keys NPage
			wait_for 5 sh -c '[ "$($1 capture-pane -p -t t)" != "$2" ]' \
				sh "$TUI_TMUX" "$before"
			i=$((i + 1))
		done
		tui_wait_for "Links (y copies"
		ok $? "$cols: the links section is there"
		tui_wait_for "https://grafana.example/d/api"
		is "$(tui_capture | grep -c 'https://grafana.example/d/api')" 1 \
			"$cols: the dashboard link once"
	fi

	# y: a choice of what to copy
	$TUI_TMUX set-option -s set-clipboard on
	tui_keys y
	tui_wait_for "copy from INC-5: i id  d dashboard  r runbook  g generator"
	ok $? "$cols: y offers id, dashboard, runbook, generator"
	tui_keys d
	tui_wait_for "copied the dashboard link"
	is "$($TUI_TMUX show-buffer 2>/dev/null)" "https://grafana.example/d/api" \
		"$cols: the terminal got the dashboard link"
	tui_keys y
	tui_wait_for "copy from INC-5"
	tui_keys r
	tui_wait_for "copied the runbook link"
	is "$($TUI_TMUX show-buffer 2>/dev/null)" "https://wiki.example/rb/crash" \
		"$cols: and the runbook link"
	tui_keys q
	tui_wait_for "SNOOZED"

	# bell for a new critical incident
	is "$(bell_flag)" "0" "$cols: no bell yet"
	generic "crit$n" critical "GPU node down $n" us-east-1
	tui_wait_for "new critical incident INC-"
	ok $? "$cols: a new critical incident is announced"
	wait_for 5 rang # tmux sets the flag from its alerts timer
	is "$(bell_flag)" "1" "$cols: and rings the bell"
	tui_keys q
	tui_wait_exit >/dev/null

	# --quiet: no bell
	tui_start "$1" "$2" "" "--quiet"
	tui_wait_for "SNOOZED"
	generic "critq$n" critical "GPU node gone $n" us-east-1
	tui_wait_for "new critical incident INC-"
	ok $? "$cols --quiet: still says it"
	is "$(bell_flag)" "0" "$cols --quiet: no bell"
	tui_keys q
	tui_wait_exit >/dev/null
done

# tui.bell = "off" in the config, and a bad value refused
mkdir -p "$XDG_CONFIG_HOME/owl"
echo 'return { tui = { bell = "off" } }' > "$XDG_CONFIG_HOME/owl/config.lua"
tui_start 80 24 "" ""
tui_wait_for "SNOOZED"
generic critoff critical "GPU node off" us-east-1
tui_wait_for "new critical incident INC-"
is "$(bell_flag)" "0" "tui.bell = off: no bell"
tui_keys q
tui_wait_exit >/dev/null
echo 'return { tui = { bell = "loud" } }' > "$XDG_CONFIG_HOME/owl/config.lua"
run script -qec "TERM=xterm '$OWL' tui" /dev/null
like "$OUT" "tui.bell: \"bell\", \"flash\" or \"off\"" "a bad tui.bell is refused, saying what it takes"

done_testing
