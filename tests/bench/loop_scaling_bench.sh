#!/usr/bin/env bash
# Two event loops on two cores against one: the scaling factor. Neither the server nor wrk is
# pinned (IDGATE_BENCH_PIN=none), so the load generator shares the two cores with the server:
# the factor is a lower bound of what a second core gives the server alone.
#   tests/bench/loop_scaling_bench.sh [SECONDS=4] [CONNECTIONS=256]
# Runs GET /health and the token endpoint (ES256 assertions, each used once) with
# <Server ioThreads="1"> and then "2", and prints req/s of each and their ratio.
set -euo pipefail
SECS=${1:-4}
CONNS=${2:-256}
HERE=$(cd "$(dirname "$0")" && pwd)
run() {  # io_threads script args...
  local io=$1
  shift
  IDGATE_BENCH_PIN=none IDGATE_BENCH_IO_THREADS=$io "$@" 2>/dev/null
}
health() { awk '$1 == "/health" {print $3}' <<<"$1"; }
es256() { awk '$1 == "ES256" {print $3}' <<<"$1"; }
h1=$(health "$(run 1 "$HERE/http_connections_bench.sh" "$SECS" "$CONNS")")
h2=$(health "$(run 2 "$HERE/http_connections_bench.sh" "$SECS" "$CONNS")")
t1=$(es256 "$(IDGATE_BENCH_ALGS=ES256 IDGATE_BENCH_COUNT_ES=$((12000 * SECS)) run 1 "$HERE/token_endpoint_bench.sh" "$SECS" "$CONNS")")
t2=$(es256 "$(IDGATE_BENCH_ALGS=ES256 IDGATE_BENCH_COUNT_ES=$((12000 * SECS)) run 2 "$HERE/token_endpoint_bench.sh" "$SECS" "$CONNS")")
printf "%-22s %12s %12s %8s\n" "$CONNS connections" "1 loop" "2 loops" factor
awk -v a="$h1" -v b="$h2" 'BEGIN { printf "%-22s %12d %12d %8.2f\n", "GET /health req/s", a, b, b / a }'
awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%-22s %12d %12d %8.2f\n", "token ES256 req/s", a, b, b / a }'
