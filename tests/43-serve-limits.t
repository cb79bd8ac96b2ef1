#!/bin/sh
# 43-serve-limits.t: `owl serve` under hostile and heavy load: idle
# connections from many addresses cannot keep a real sender out (the
# oldest idle one gives way, and the header deadline is short); 256
# concurrent 1 MB bodies with the database locked all get an answer
# (503 with Retry-After) and memory stays bounded by the budget of
# bodies in flight; a payload of 100,000 alerts is parsed away from
# the connection threads, so small senders are answered meanwhile.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
LOAD="$OWL_ROOT/tests/serve-load.py"

# --- 1,200 idle connections from 16 addresses (over the 1,024 default
# limit), each reopened as soon as owl closes it
serve_start flood --quiet
ok $? "owl serve starts with the default limits"
OUT=$(python3 "$LOAD" flood "$PORT" 12 1200 16 2>"$T/flood.err")
diag "$OUT"
like "$OUT" "^answered ([0-9]+) of \\1," \
	"a real sender is answered every time while 1,200 idle connections press"
M=$(curl -sS -m 10 "$URL/metrics")
like "$M" "owl_connections_evicted_total [1-9]" \
	"the oldest idle connections were closed to make room (counted)"
like "$M" "owl_connections_refused_total 0" "no newcomer was refused"
serve_stop

# --- idle connections past an address's share: its own oldest idle
# connection goes first, other addresses are untouched. One connection
# thread: with two, a thread that stalls between accepting a connection
# and registering it (0.1 s on a loaded machine) registers it after a
# later one, which is then the older one.
serve_start share --quiet --max-conns 64 --max-conns-per-ip 8 --header-timeout 30s \
	--threads 1
cat >"$T/share.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def conn(src):
    s = socket.socket(); s.bind((src, 0)); s.connect(("127.0.0.1", port))
    time.sleep(0.1)  # accepted in this order
    return s
other = [conn("127.0.0.3") for _ in range(4)]
mine = [conn("127.0.0.2") for _ in range(12)]
time.sleep(0.5)
def closed(s):
    s.settimeout(0.05)
    try: return s.recv(1) == b""
    except socket.timeout: return False
    except OSError: return True
print("closed: first4=%d last8=%d other=%d" % (sum(map(closed, mine[:4])),
    sum(map(closed, mine[4:])), sum(map(closed, other))))
PY
is "$(python3 "$T/share.py" "$PORT")" "closed: first4=4 last8=0 other=0" \
	"past --max-conns-per-ip, that address's oldest idle connections are closed"
serve_stop

# --- 256 concurrent 1 MB bodies while another process holds the
# database's write lock (SQLite's, on a file: serve-load.py takes it)
OWL_DB="$T/locked.db" serve_start bodies --quiet
OUT=$(python3 "$LOAD" bodies "$PORT" "$T/locked.db" 256 2>&1)
is "$OUT" "503:256" \
	"256 concurrent 1 MB bodies, database locked: every one answered 503 (with Retry-After)"
HWM=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$PID/status")
diag "owl serve peak RSS: $HWM MiB"
# AddressSanitizer keeps freed memory in quarantine (256 MiB) and more
CAP=256
[ "$OWL_ASAN" = 1 ] && CAP=1024
ok $([ "$HWM" -lt "$CAP" ]; echo $?) \
	"peak RSS stays bounded ($HWM MiB < $CAP MiB; 256 MB arrived)"
M=$(curl -sS -m 10 "$URL/metrics")
like "$M" "owl_body_budget_shed_total [1-9]" \
	"bodies over the budget were shed with 503 (counted)"
# a body's bytes are given back when libmicrohttpd calls the request
# completed, after its 503 was sent (a client may read /metrics
# first; under ASan it did): polled, not read once
budget_back() { curl -sS -m 10 "$URL/metrics" | grep -q '^owl_body_bytes_in_flight 0$'; }
wait_for 30 budget_back
ok $? "the budget is all given back"
post /v1/alerts/alertmanager "$FIX/alertmanager-captured.json"
is "$CODE" 200 "the lock gone, the next delivery is stored"
serve_stop

# --- a chunked body (no Content-Length) is taken from the budget as it
# comes: past a small --max-inflight, 503, and the connection is kept
OWL_DB=$(db_new chunk) serve_start chunked --quiet --max-body 256k --max-inflight 256k
python3 -c 'import json; print(json.dumps({"id": "c", "title": "t", "pad": "x" * 200000}))' \
	>"$T/chunk.json"
cat >"$T/twice.py" <<'PY'
import http.client, sys, threading
port, body = int(sys.argv[1]), open(sys.argv[2], "rb").read()
res = []
def one():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    def gen():
        for i in range(0, len(body), 4096):
            yield body[i:i + 4096]
    c.request("POST", "/v1/alerts/generic", gen(), {"Transfer-Encoding": "chunked"},
              encode_chunked=True)
    r = c.getresponse(); r.read(); res.append(r.status)
ts = [threading.Thread(target=one) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(" ".join(str(s) for s in sorted(res)))
PY
like "$(python3 "$T/twice.py" "$PORT" "$T/chunk.json")" "^(200 |503 )*503$" \
	"4 chunked 200 KB bodies against a 256 KB budget: some answered 503, none dropped"
serve_stop

# --- 100,000 alerts in one webhook (--max-body 32M), with small senders
# on kept-alive connections spread over two connection threads
BIG=$(db_new big)
OWL_DB="$BIG" serve_start big --quiet --max-body 32M --threads 2 \
	--header-timeout 20s
OUT=$(python3 "$LOAD" bigbody "$PORT" 2>&1)
is "$OUT" "small answered before the large one: 6 of 6; large: HTTP/1.1 200 OK" \
	"small senders are answered while 100,000 alerts are parsed and stored"
is "$(OWL_DB="$BIG" q 'SELECT count(*) FROM alerts')" 100006 \
	"all 100,006 alerts are stored"
serve_stop

done_testing
