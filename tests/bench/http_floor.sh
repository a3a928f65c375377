#!/usr/bin/env bash
# The HTTP floor: requests/s of cheap endpoints (no token work), server pinned to core 0, wrk
# (one thread) pinned to core 1, loopback only, 3 s per endpoint.
#   tests/bench/http_floor.sh [BUILD_DIR ...]     # default: build/; several builds alternate
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
[ $# -gt 0 ] || set -- "$ROOT/build"
for build in "$@"; do
  work=$(mktemp -d /tmp/idgate-floor-XXXXXX)
  "$build/bin/idgate-server" init "$work/home" --admin-password bench-admin-pw >/dev/null
  taskset -c 0 "$build/bin/idgate-server" --home "$work/home" --port 0 >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/log" && break; sleep 0.1; done
  url=$(grep -o 'listening on [^ ]*' "$work/log" | head -1 | cut -d' ' -f3)
  for path in /health /oauth2/jwks; do
    rps=$(taskset -c 1 wrk -t1 -c16 -d3s "$url$path" | awk '/Requests\/sec/ {print $2}')
    printf "%-40s %-14s %10s req/s\n" "$build" "$path" "$rps"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work"
done
