#!/usr/bin/env bash
# Cheap endpoints (GET /health, GET /oauth2/jwks) at several connection counts: what a ready
# request waits when clients hold more connections than the server has request threads.
#   tests/bench/http_connections_bench.sh [SECONDS] [CONNECTIONS ...]
# e.g. tests/bench/http_connections_bench.sh 4 16 64 256 1024 (the default counts).
# Server pinned to core 0, wrk (one thread, 10 s timeout) pinned to core 1, loopback only,
# bounded in time. Prints requests/s, p50, p99, max, errors and timeouts.
set -euo pipefail
SECS=${1:-4}
shift || true
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(16 64 256 1024)
ulimit -n 20000 2>/dev/null || true
source "$(dirname "$0")/lib.sh"
bench_start_server
printf "%-14s %6s %10s %9s %9s %9s %7s %8s\n" path conns "req/s" "p50 ms" "p99 ms" "max ms" errors timeouts
for path in /health /oauth2/jwks; do
  for conns in "${COUNTS[@]}"; do
    out=$("${CLIENT_CPU[@]}" wrk -t1 -c"$conns" -d"${SECS}s" --timeout 10s --latency -s "$ROOT/tests/bench/status.lua" "$URL$path" | grep RESULT)
    "$PY" - "$path" "$conns" "$out" <<'PYEOF'
import sys
path, conns, out = sys.argv[1:4]
r = dict(kv.split("=") for kv in out.split()[1:])
rps = int(r["requests"]) / (int(r["duration_us"]) / 1e6)
print("%-14s %6s %10.0f %9.2f %9.2f %9.2f %7d %8s" % (path, conns, rps, int(r["p50_us"]) / 1000,
      int(r["p99_us"]) / 1000, int(r["max_us"]) / 1000, int(r["non2xx"]) + int(r["socket_errors"]), r["timeouts"]))
PYEOF
  done
done
