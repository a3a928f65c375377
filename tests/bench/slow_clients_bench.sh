#!/usr/bin/env bash
# Slow clients cost only their own connection: N connections send a request head a few bytes at
# a time and N more send a head with Content-Length: 60000 and then a byte now and then, while
# a normal GET /health on a fresh connection is timed (the event-loop issue's target: answered
# within 50 ms with 1000 + 1000 slow connections open).
#   tests/bench/slow_clients_bench.sh [N=1000] [SECONDS=8]
# Server pinned to core 0 with the shipped 16 request threads, clients on core 1, loopback
# only, bounded in time.
set -euo pipefail
N=${1:-1000}
SECS=${2:-8}
ulimit -n $((2 * N + 1000)) 2>/dev/null || { echo "cannot raise the open-file limit"; exit 1; }
source "$(dirname "$0")/lib.sh"
bench_start_server
taskset -c 1 "$PY" - "${URL#http://}" "$N" "$SECS" <<'PYEOF'
import http.client, socket, statistics, sys, time
host, port = sys.argv[1].split(":")
n, secs = int(sys.argv[2]), float(sys.argv[3])
heads, bodies = [], []
for _ in range(n):
    s = socket.create_connection((host, int(port)), timeout=10)
    s.sendall(b"GET /health HTTP/1.1\r\nHo")
    heads.append(s)
    b = socket.create_connection((host, int(port)), timeout=10)
    b.sendall(b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: 60000\r\n\r\ngrant_type=")
    bodies.append(b)
times, failures = [], 0
deadline = time.time() + secs
tick = 0
while time.time() < deadline:
    tick += 1
    for s in (heads if tick % 2 else bodies)[: n // 4]:  # a byte now and then on a quarter of them
        try:
            s.sendall(b"s" if tick % 2 else b"c")
        except OSError:
            pass
    started = time.monotonic()
    try:
        c = http.client.HTTPConnection(host, int(port), timeout=10)
        c.request("GET", "/health")
        r = c.getresponse()
        r.read()
        c.close()
        times.append((time.monotonic() - started) * 1000)
        failures += r.status != 200
    except OSError:
        failures += 1
    time.sleep(0.2)
print("slow connections: %d heads + %d bodies; GET /health on a fresh connection meanwhile: "
      "median %.2f ms, max %.2f ms, %d requests, %d failed" % (
          n, n, statistics.median(times), max(times), len(times), failures))
for s in heads + bodies:
    s.close()
PYEOF
