#!/bin/sh
# 70-tui.t: `owl tui` end to end in a real terminal (tmux, fixed size):
# order, live refresh from another process, filter, ack/note/undo/
# resolve in the database and the log with the actor, check-then-act
# refusal, hostile titles, wide characters, LANG=C, resize, read-only,
# paste safety, OSC 52 copy, help, log, and terminal restore on exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui-lib.sh"

alert() { # alert ID SEVERITY TITLE [STATUS]: ingests one generic alert
	printf '{"id":"%s","status":"%s","severity":"%s","title":"%s",
	  "labels":{"service":"assistant","team":"ml-%s"},
	  "url":"https://grafana.example/d/%s"}' \
	    "$1" "${4:-firing}" "$2" "$3" "$1" "$1" > "$T/alert.json"
	"$OWL" ingest --format generic "$T/alert.json" >/dev/null
}
state_of() { # state_of ID: state and acked_by of INC-ID
	"$OWL" incidents --all --json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    if i["id"] == int(sys.argv[1]):
        print(i["state"], i["acked_by"])' "$1"
}

alert llm critical "LLM provider down"
alert spend warning "Token spend spike"
alert eval error "Eval score drop"
alert gpu critical "GPU queue backlog"

# --- not a terminal: a clear error, exit 2
run "$OWL" tui </dev/null
is "$RC" 2 "tui without a terminal exits 2"
like "$ERR" "^owl: .*owl incidents" "the error points to owl incidents"
run script -qec "TERM=dumb '$OWL' tui" /dev/null
is "$RC" 2 "TERM=dumb exits 2"
like "$OUT" "cannot address the cursor; use: owl incidents" \
	"TERM=dumb: says why and points to owl incidents"

# --- the list, in urgency order
tui_start 100 30 "" "--env TEST"
tui_wait_for "GPU queue backlog"
ok $? "the list shows the seeded incidents"
# the hint line is the first frame's last row: the rows above are drawn
tui_wait_for "j/k move"
order=$(tui_capture | grep -E '^[> ] [CEWI] ' | sed 's/.*INC-\([0-9]*\).*/\1/' |
	tr '\n' ' ')
is "$order" "4 1 3 2 " "critical newest first, then error, then warning"
like "$(tui_capture | head -1)" " TEST .*4 FIRING 0 ACKED 0 SNOOZED.*UTC" \
	"header: environment, counts by state, clock with zone"
like "$(tui_capture | head -1)" "last alert <1m ago" "header: freshness"
like "$(tui_capture | grep 'INC-4')" "^[> ] C FIRING +INC-4 +NEW GPU queue backlog" \
	"severity letter, state, id, NEW mark, title"
like "$(tui_capture | tail -1)" "j/k move  Enter open  a ack  r resolve" \
	"the hint line shows the keys"

# --- live: a new alert from another process, no key pressed
alert cache warning "Cache hit ratio low"
tui_wait_for "Cache hit ratio low"
ok $? "a new alert appears without a keypress"
tui_wait_for "5 FIRING"
ok $? "the counts follow"

# --- filter, incremental
tui_keys /
tui_type "eva"
tui_wait_gone "GPU queue backlog"
ok $? "filter hides what does not match"
tui_wait_for "Eval score drop"
ok $? "filter keeps what matches"
tui_keys Escape
tui_wait_for "GPU queue backlog"
ok $? "Esc clears the filter"
tui_keys /
tui_type "SCORE dROP"
tui_wait_gone "GPU queue backlog"
tui_wait_for "Eval score drop"
ok $? "the filter ignores case (PostgreSQL too)"
tui_keys Escape
tui_wait_for "GPU queue backlog"
tui_keys /
tui_type "team=ml-llm"
tui_wait_gone "Eval score drop"
tui_wait_for "LLM provider down"
ok $? "filter matches labels"
tui_keys Enter

# --- ack: confirmation says what will happen; default is no
tui_keys a
tui_wait_for "Acknowledge INC-1 'LLM provider down' in TEST? [y/N]"
ok $? "ack asks, naming id, title and environment"
tui_keys Enter
tui_wait_for "cancelled: nothing done"
ok $? "Enter cancels"
is "$(state_of 1)" "triggered None" "cancelled ack changed nothing"
tui_keys a
tui_wait_for "[y/N]"
tui_keys y
tui_wait_for "acknowledged INC-1 (u: undo)"
ok $? "y acknowledges"
is "$(state_of 1)" "acknowledged tester" "ack is in the database, by the actor"
like "$("$OWL" audit log | grep 'incident.ack')" " tester INC-1 " \
	"ack is in the log with the actor"

# --- note with the one-line editor (readline keys)
tui_keys n
tui_wait_for "note for INC-1:"
tui_type "rolling bakc"
tui_keys BSpace BSpace BSpace
tui_type "ack to provider B"
tui_keys C-a
tui_type "ops: "
tui_keys Enter
tui_wait_for "noted on INC-1"
ok $? "note added"
like "$("$OWL" audit log | grep 'incident.note')" \
	'tester INC-1 .*"ops: rolling back to provider B"' \
	"note text (edited) is in the log with the actor"

# --- undo the ack
tui_keys u
tui_wait_for "Undo: unacknowledge INC-1 'LLM provider down' in TEST"
ok $? "undo asks what it will undo"
tui_keys y
tui_wait_for "undone: INC-1 is no longer acknowledged"
ok $? "undo done"
is "$(state_of 1)" "triggered None" "undo reverted the ack in the database"
like "$("$OWL" audit log | grep 'incident.unack')" " tester INC-1 " \
	"undo is in the log with the actor"

# --- resolve via the : command line
tui_keys :
tui_type "resolve 1"
tui_keys Enter
tui_wait_for "Resolve INC-1 'LLM provider down' in TEST? [y/N]"
ok $? ":resolve asks too"
tui_keys y
tui_wait_for "resolved INC-1"
is "$(state_of 1)" "resolved None" "resolved in the database"

# --- check-then-act: changed by someone else while the question is up
tui_keys Escape
tui_wait_for "Eval score drop"
tui_keys :
tui_type "ack 3"
tui_keys Enter
tui_wait_for "Acknowledge INC-3"
OWL_ACTOR=bob "$OWL" resolve 3 >/dev/null
tui_keys y
tui_wait_for "refused, nothing done"
ok $? "an action on a changed incident is refused"
like "$(tui_capture)" "INC-3 .*resolved by bob" "the refusal says who did what"
is "$(state_of 3)" "resolved None" "the other's resolve stands"
unlike "$("$OWL" audit log | grep 'INC-3 incident.ack')" "." \
	"no ack was logged"

# --- y copies the id with OSC 52 (y, then i: the id)
$TUI_TMUX set-option -s set-clipboard on
tui_keys g y
tui_wait_for "copy from INC-4: i id  g generator"
ok $? "y asks what to copy, offering the links the incident has"
tui_keys i
tui_wait_for "copied the id INC-4 (OSC 52)"
ok $? "y says what it copied"
is "$($TUI_TMUX show-buffer 2>/dev/null)" "INC-4" "the terminal got INC-4"

# --- bracketed paste never fires keys
$TUI_TMUX set-buffer "ar"
$TUI_TMUX paste-buffer -p -t t
tui_wait_for "paste ignored"
ok $? "a paste in the list is ignored"
unlike "$(tui_capture)" "Acknowledge|Resolve INC" "no confirmation opened"
# a paste carrying ESC[201~ ends early: its tail ("ay") is not typing
acks=$("$OWL" audit log | grep -c 'incident.ack')
$TUI_TMUX set-buffer "$(printf 'x\033[201~ay')"
$TUI_TMUX paste-buffer -p -t t
tui_wait_for "paste ignored"
# the paste is over once a key typed later works (? opens the help; a ?
# that came with the paste's tail is ignored too: type it again)
for i in 1 2 3 4 5 6 7 8 9 10; do
	tui_keys ?
	wait_for 1 sh -c "$TUI_TMUX capture-pane -p -t t | grep -q 'Keys of the'" && break
done
unlike "$(tui_capture)" "Acknowledge|acknowledged" \
	"keys in the same read as a paste's end fire nothing"
is "$("$OWL" audit log | grep -c 'incident.ack')" "$acks" "nothing was acknowledged"
tui_keys q

# --- help and the log, generated from the key table
tui_keys ?
tui_wait_for "Keys of the incidents screen"
tui_like "a +acknowledge the incident" "help lists the keys"
tui_keys q
tui_keys L
tui_wait_for "Action log"
tui_like "tester +INC-1 +acknowledgement withdrawn by tester" \
	"the log screen shows actions, as sentences"
tui_keys /
tui_type "bob"
tui_wait_gone "acknowledgement withdrawn"
ok $? "the log filters"
tui_keys Escape
tui_keys q

# --- resize down to 40x10 and back, and below the minimum
tui_resize 40 10
tui_wait_for "j/k move"
is "$(tui_maxwidth)" 40 "at 40x10 nothing is wider than 40 columns"
like "$(tui_capture)" "INC-4" "at 40x10 the list is there"
tui_resize 30 8
tui_wait_for "terminal too small"
ok $? "below 40x10 it says so"
tui_resize 100 30
tui_wait_for "GPU queue backlog"
ok $? "back to 100x30"

# --- q: exit 0, terminal modes restored, summary printed
tui_keys q
is "$(tui_wait_exit)" 0 "q exits 0"
is "$(cat "$T/stty.after")" "$(cat "$T/stty.before")" \
	"terminal modes restored"
scr=$(tui_capture_all)
like "$scr" "owl tui: session of tester in TEST, 4 actions" "exit summary"
like "$scr" "acknowledged INC-1 'LLM provider down' \(undone\)" \
	"summary: the undone ack"
like "$scr" "noted INC-1 'LLM provider down': ops: rolling back" \
	"summary: the note"
unlike "$scr" "FIRING" "the TUI screen is gone (alternate screen left)"

# --- hostile text: escapes visible, never sent; wide characters aligned
rlo=$(printf '\342\200\256')
# JSON escapes, as a sender would put them: ESC ] 52 (clipboard), ESC [ 2J,
# CR, and U+202E RIGHT-TO-LEFT OVERRIDE
alert evil critical 'pwn\u001b]52;c;cHduZWQ=\u0007 x\u001b[2J\rspoof \u202egnp.exe'
alert wide critical "推理服务宕机 🔥 inference down"
tui_start 100 30 "" ""
$TUI_TMUX set-buffer "clean"
tui_wait_for 'inference down'
tui_wait_for "j/k move" # the last row: the whole first frame is drawn
scr=$(tui_capture)
like "$scr" 'pwn\\x1b\]52;c;cHduZWQ=' "ESC is shown as \\x1b"
like "$scr" '\\x0dspoof \\u202egnp' "CR and the bidi override are escaped"
unlike "$scr" "$rlo" "no raw bidi override on screen"
is "$($TUI_TMUX show-buffer)" "clean" "the hostile OSC 52 did not reach the clipboard"
cols=$(tui_capture | grep -E '^[> ] C FIRING' | python3 -c '
import sys, unicodedata
def w(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(sorted({w(l.rstrip("\n").rstrip()) for l in sys.stdin}))')
like "$cols" '^\[[0-9]+\]$' "rows with wide characters keep the columns aligned"
tui_keys q
tui_wait_exit >/dev/null

# --- LANG=C: ASCII only, escapes instead of garbage
tui_start 100 30 "LANG=C LC_ALL=C" ""
tui_wait_for 'INC-6'
like "$(tui_capture)" '\\u63a8\\u7406' "LANG=C shows non-ASCII as escapes"
tui_keys q
tui_wait_exit >/dev/null

# --- read-only
tui_start 100 30 "NO_COLOR=1" "--readonly"
tui_wait_for "READONLY"
ok $? "read-only says so in the header"
tui_wait_for "j/k move" # the last row: the selected row above is drawn
sgr=$($TUI_TMUX capture-pane -e -p -t t)
unlike "$sgr" "$(printf '\033')\\[([0-9;]*;)?3[0-7]m" "NO_COLOR: no colours"
like "$sgr" "$(printf '\033')\\[([0-9;]*;)?7m" "the selection is still visible (reverse video)"
unlike "$(tui_capture | tail -1)" " ack " "no changing key in the hint line"
tui_keys a
tui_wait_for "read-only: a (ack) is disabled"
ok $? "changing keys are disabled"
tui_keys :
tui_type "open 1"
tui_keys Enter
tui_wait_for "Timeline (action log"
tui_like "tester +acknowledgement withdrawn by tester" \
	"the incident screen tells its log in sentences (as owl show does)"
tui_keys q
tui_wait_for "READONLY"
tui_keys q
is "$(tui_wait_exit)" 0 "read-only session ends"
like "$(tui_capture_all)" "no actions this session" "nothing done, and it says so"

# --- the environment name: --env, else $OWL_ENV, else the config's env
mkdir -p "$XDG_CONFIG_HOME/owl"
echo 'return { env = "STAGING" }' >"$XDG_CONFIG_HOME/owl/config.lua"
tui_start 80 24 "" ""
tui_wait_for " STAGING "
ok $? "the header shows the config's env"
tui_keys q
tui_wait_exit >/dev/null
tui_start 80 24 "OWL_ENV=PROD" ""
tui_wait_for " PROD "
ok $? "\$OWL_ENV wins over the config"
tui_keys q
tui_wait_exit >/dev/null
echo 'return { env = 42 }' >"$XDG_CONFIG_HOME/owl/config.lua"
run script -qec "TERM=xterm '$OWL' tui" /dev/null
is "$RC" 2 "a config env of the wrong type: exit 2"
like "$OUT" "config: env: expected a string" "a config env of the wrong type: says so"
rm "$XDG_CONFIG_HOME/owl/config.lua"

# --- a crash signal: the terminal is restored before the default action
tui_start 80 24 "" ""
tui_wait_for "INC-4"
shpid=$($TUI_TMUX display-message -p -t t '#{pane_pid}')
owlpid=$(pgrep -P "$shpid" -x owl)
kill -SEGV "$owlpid"
is "$(tui_wait_exit 30)" 139 "SIGSEGV still kills owl (core dumps and ASan keep working)"
is "$(cat "$T/stty.after")" "$(cat "$T/stty.before")" \
	"terminal modes restored after a crash"
unlike "$(tui_capture_all)" "FIRING" "the alternate screen was left"

# --- the terminal goes away (SSH dropped, SIGHUP ignored): owl ends
tui_stop
$TUI_TMUX new-session -d -s t -x 80 -y 24 \
    "export TERM=xterm-256color LANG=C.UTF-8 OWL_DB='$OWL_DB'; \
trap '' HUP; exec '$OWL' tui"
tui_wait_for "INC-4"
owlpid=$($TUI_TMUX display-message -p -t t '#{pane_pid}')
$TUI_TMUX kill-server
gone() { ! kill -0 "$owlpid" 2>/dev/null; }
wait_for 20 gone
ok $? "owl tui exits when its terminal vanishes, instead of spinning"

done_testing
