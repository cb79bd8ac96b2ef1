#!/bin/sh
# 70-tui-labels.t: the TUI's incident screen tells an incident's alerts
# in its log by the labels that tell them apart, as owl show and the
# timeline do (21-show-labels.t): "alert fired: Storm0 instance=h2",
# not also "dc=eu job=node" that every alert has.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui-lib.sh"

for i in 1 2 3; do
	printf '{"version":"4","groupKey":"g","status":"firing","receiver":"r","alerts":[{"status":"firing","labels":{"alertname":"Storm0","instance":"h%s","job":"node","dc":"eu","severity":"critical"},"annotations":{},"startsAt":"2026-11-29T10:00:0%sZ","endsAt":"0001-01-01T00:00:00Z","fingerprint":"fp%s"}]}' \
		"$i" "$i" "$i" | "$OWL" ingest --format alertmanager >/dev/null 2>&1
done
tui_start 120 60 "" "--readonly"
tui_wait_for "READONLY"
tui_keys :
tui_type "open 1"
tui_keys Enter
tui_wait_for "Timeline (action log"
ok $? "the incident screen opens"
tui_like "tester +alert fired: Storm0 instance=h2 \\(critical\\)$" \
	"its log tells an alert by the labels that tell it apart"
unlike "$(tui_capture | sed -n '/Timeline (action log/,$p')" "fired: Storm0 (dc|job|.* job)=" \
	"...not by those every alert has"
tui_keys q
tui_wait_for "READONLY"
tui_keys q
is "$(tui_wait_exit)" 0 "the TUI ends"
done_testing
