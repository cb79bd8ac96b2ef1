# tests/page-lib.sh: helpers for the paging tests, sourced after lib.sh:
# loopback receivers that stand in for Slack and PagerDuty
# (tests/pagesink.py), a real SMTP server with STARTTLS
# (tests/smtpsink.py, run by Debian's /usr/bin/python3: python3-aiosmtpd),
# and reading what they
# got. Every server is stopped by pid at exit.

# sink_start NAME [--script S] [--hang SEC]: a receiver; sets
# SINK_<NAME> to its base URL. Requests go to $T/NAME.log, one JSON line
# each.
sink_start() {
	_n=$1; shift
	rm -f "$T/$_n.port"
	python3 "$OWL_ROOT/tests/pagesink.py" --port-file "$T/$_n.port" \
		--log "$T/$_n.log" "$@" &
	tap_at_exit "kill $!"
	wait_for 10 test -s "$T/$_n.port" || return 1
	: >>"$T/$_n.log"
	eval "SINK_$_n=http://127.0.0.1:$(cat "$T/$_n.port")"
}

# sink_count NAME [PYTHON-CONDITION on d (the request) and b (its JSON
# body)]: how many requests NAME received (that match).
sink_count() {
	python3 - "$T/$1.log" "${2:-True}" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    try:
        b = json.loads(d["body"])
    except ValueError:
        b = {}
    if eval(sys.argv[2]):
        n += 1
print(n)
EOF
}

# sink_has NAME N CONDITION: true once NAME got at least N matching.
sink_has() { [ "$(sink_count "$1" "$3")" -ge "$2" ]; }

# smtp_start NAME [--no-tls]: an SMTP server requiring STARTTLS with a
# self-signed certificate ($T/cert.pem, for oncall.smtp.ca_file); sets
# SMTP_<NAME> to its port. Messages land in $T/NAME.mail/N.eml.
smtp_start() {
	_n=$1; shift
	if [ ! -f "$T/cert.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
			-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
			-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 ||
			return 1
	fi
	mkdir -p "$T/$_n.mail"
	/usr/bin/python3 "$OWL_ROOT/tests/smtpsink.py" --port-file "$T/$_n.port" \
		--dir "$T/$_n.mail" --cert "$T/cert.pem" --key "$T/key.pem" "$@" \
		2>"$T/$_n.err" &
	tap_at_exit "kill $!"
	wait_for 15 test -s "$T/$_n.port" || return 1
	eval "SMTP_$_n=$(cat "$T/$_n.port")"
}
