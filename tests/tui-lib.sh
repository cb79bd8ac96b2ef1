# tests/tui-lib.sh: drives `owl tui` in a detached tmux session of fixed
# size on a private tmux server (tmux -L owl-test-PID, no user config),
# with bounded waits on the rendered screen. Source it after lib.sh; the
# server is killed at exit.
TUI_SOCK="owl-test-$$"
TUI_TMUX="tmux -L $TUI_SOCK -f /dev/null"
TUI_EXIT="$T/tui.exit"

tui_stop() {
	$TUI_TMUX kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCK"
}
tap_at_exit tui_stop

# tui_start COLS ROWS 'ENV=... ' 'ARGS': runs `owl tui ARGS` in a fresh
# session with TERM, locale and TZ pinned; its exit status goes to
# $TUI_EXIT, and the terminal modes before and after to $T/stty.*. Once
# owl has exited, the wrapper sets the pane's title to owl-tui-exited
# (OSC 2) before it writes $TUI_EXIT: tmux reads the pane's output in
# order, so that title means every byte owl wrote (its exit summary, the
# terminal restore) is on the screen, which the exit status file alone
# does not (tui_wait_exit waits for both).
tui_start() {
	tui_stop
	rm -f "$TUI_EXIT" "$T/stty.before" "$T/stty.after"
	$TUI_TMUX new-session -d -s t -x "$1" -y "$2" \
	    "export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC \
OWL_DB='$OWL_DB' OWL_ACTOR='$OWL_ACTOR' XDG_STATE_HOME='$XDG_STATE_HOME' \
XDG_CONFIG_HOME='$XDG_CONFIG_HOME' $3; stty -g > $T/stty.before; \
'$OWL' tui $4; echo \$? > $TUI_EXIT.tmp; stty -g > $T/stty.after; \
printf '\033]2;owl-tui-exited\007'; mv $TUI_EXIT.tmp $TUI_EXIT"
	$TUI_TMUX set-option -t t remain-on-exit on >/dev/null
}

tui_keys() { $TUI_TMUX send-keys -t t "$@"; }        # key names: Enter Escape Up
tui_type() { $TUI_TMUX send-keys -t t -l -- "$1"; }  # literal text
tui_capture() { $TUI_TMUX capture-pane -p -t t; }
# with the scrollback: after exit, tmux's "Pane is dead" line may have
# scrolled the screen
tui_capture_all() { $TUI_TMUX capture-pane -p -S - -t t; }
# tui_title: the pane's title (OSC 2), see tui_start
tui_title() { $TUI_TMUX display-message -p -t t '#{pane_title}' 2>/dev/null; }
tui_resize() { $TUI_TMUX resize-window -t t -x "$1" -y "$2"; }

# tui_wait_for TEXT [SECONDS]: 0 once TEXT (fixed string) is on screen;
# on timeout the screen goes to the TAP diagnostics.
tui_wait_for() {
	_i=0
	while [ "$_i" -lt $(( ${2:-5} * 20 )) ]; do
		tui_capture | grep -qF -- "$1" && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	diag "timeout waiting for: $1"
	diag "$(tui_capture)"
	return 1
}

# tui_wait_match REGEX [SECONDS]: 0 once a line on screen matches the
# extended regular expression (for a state whose text is a prefix of the
# one before it, as a prompt whose answer is completed).
tui_wait_match() {
	_i=0
	while [ "$_i" -lt $(( ${2:-5} * 20 )) ]; do
		tui_capture | grep -qE -- "$1" && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	diag "timeout waiting for a line matching: $1"
	diag "$(tui_capture)"
	return 1
}

# tui_like REGEX NAME [SECONDS]: a test that a line on screen matches
# REGEX within SECONDS (5). For what is drawn with or after what was
# waited for: one capture can hold half a frame (tmux reads a pane's
# output in chunks), and a view refreshes some parts later than others.
tui_like() {
	tui_wait_match "$1" "${3:-5}"
	ok $? "$2"
}

# tui_wait_gone TEXT [SECONDS]: 0 once TEXT is no longer on screen.
tui_wait_gone() {
	_i=0
	while [ "$_i" -lt $(( ${2:-5} * 20 )) ]; do
		tui_capture | grep -qF -- "$1" || return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	diag "timeout waiting for '$1' to go"
	diag "$(tui_capture)"
	return 1
}

# tui_wait_exit [SECONDS]: prints the exit status of owl tui, once the
# screen holds all it wrote (the wrapper's title, see tui_start): the
# status file is written outside the terminal, and tmux may not yet have
# read owl's last output from the pane when it appears.
tui_wait_exit() {
	_i=0
	while [ "$_i" -lt $(( ${1:-10} * 20 )) ]; do
		if [ -s "$TUI_EXIT" ] && [ "$(tui_title)" = owl-tui-exited ]; then
			cat "$TUI_EXIT"
			return 0
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	echo timeout
	return 1
}

# tui_maxwidth: the widest line on screen, in terminal columns (wide
# characters count two).
tui_maxwidth() {
	tui_capture | python3 -c '
import sys, unicodedata
def w(s): return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(max([w(l.rstrip("\n")) for l in sys.stdin] or [0]))'
}

# --- runs (owl runs --json), for the tests that follow a run
# jq1 EXPR: EXPR of the JSON document d read from stdin, printed
jq1() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
status_of() { "$OWL" runs show "$1" --json | jq1 'd["status"]'; }
wait_status() { # wait_status RUN STATUS [SECONDS]
	_i=0
	while [ "$_i" -lt $(( ${3:-20} * 10 )) ]; do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	diag "run $1 is $(status_of "$1"), not $2"
	return 1
}
