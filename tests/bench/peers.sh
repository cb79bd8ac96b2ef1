# peers.sh: sourced by bench-serve.sh and bench-growth.sh: start and stop
# a fresh receiver with empty state, Alertmanager or owl serve, in $W.
# Sets PID, URL (where the alert lists go) and AUTHZ (a header value).
# TLS=1: both serve HTTPS with the same certificate (Alertmanager through
# its --web.config.file, owl through --tls-cert/--tls-key).

port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_url() { # URL: up to 15 s
	i=0
	while ! curl -sfk -o /dev/null "$1"; do
		i=$((i + 1)); [ $i -ge 150 ] && return 1; sleep 0.1
	done
}
hwm_mib() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# tls_cert: a self-signed certificate for 127.0.0.1 in $W (once)
tls_cert() {
	[ -s "$W/tls.crt" ] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=owl-bench \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$W/tls.key" \
		-out "$W/tls.crt" >/dev/null 2>&1
}
scheme() { [ "${TLS:-0}" = 1 ] && echo https || echo http; }

# Alertmanager: its receiver sends nothing, so it only ingests.
start_am() {
	p=$(port)
	rm -rf "$W/am"
	mkdir -p "$W/am"
	printf 'route:\n  receiver: none\nreceivers:\n  - name: none\n' >"$W/am.yml"
	: >"$W/web.yml"
	if [ "${TLS:-0}" = 1 ]; then
		tls_cert || { echo "   openssl req failed"; return 1; }
		printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' \
			"$W/tls.crt" "$W/tls.key" >"$W/web.yml"
	fi
	/usr/bin/prometheus-alertmanager --config.file="$W/am.yml" \
		--storage.path="$W/am" --web.listen-address="127.0.0.1:$p" \
		--web.config.file="$W/web.yml" \
		--cluster.listen-address= --log.level=error >"$W/am.log" 2>&1 &
	PID=$!
	URL="$(scheme)://127.0.0.1:$p/api/v2/alerts"
	AUTHZ=""
	wait_url "$(scheme)://127.0.0.1:$p/-/ready" ||
		{ echo "   alertmanager did not start"; return 1; }
}

# owl serve: bearer auth, durable, its per-request log lines to a file.
start_owl() {
	rm -f "$W/owl.db" "$W/owl.db-wal" "$W/owl.db-shm"
	echo "bench-token" >"$W/tokens"
	: >"$W/owl.log"
	set --
	if [ "${TLS:-0}" = 1 ]; then
		tls_cert || { echo "   openssl req failed"; return 1; }
		set -- --tls-cert "$W/tls.crt" --tls-key "$W/tls.key"
	fi
	OWL_DB="$W/owl.db" "$ROOT/owl" serve --listen 127.0.0.1:0 \
		--token-file "$W/tokens" "$@" 2>"$W/owl.log" &
	PID=$!
	i=0
	while ! grep -q "listening on" "$W/owl.log"; do
		i=$((i + 1)); [ $i -ge 150 ] && { echo "   owl serve did not start"; return 1; }
		sleep 0.1
	done
	p=$(sed -n 's/.*listening on https\{0,1\}:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/owl.log")
	URL="$(scheme)://127.0.0.1:$p/v1/alerts/alertmanager"
	AUTHZ="Bearer bench-token"
}

stop_peer() {
	[ -n "$PID" ] || return 0
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=""
}
