#!/usr/bin/env bash
# Token endpoint load benchmark.
#   tests/bench/token_endpoint_bench.sh [SECONDS] [CONNECTIONS ...]
# e.g. tests/bench/token_endpoint_bench.sh 4 16 32 256 1024 (default: 4 s at 16 connections).
# Server pinned to core 0, wrk (one thread) pinned to core 1, loopback only, bounded in time
# (SECONDS per algorithm and connection count) and count (pre-generated assertions, each used
# once). Access tokens are ES256; the JTI table is durable (SQLite, synchronous=FULL, group
# commit). Prints requests/s, p50, p99, max, errors, timeouts and the single-core crypto
# ceiling from `openssl speed`. More connections than the server has request threads is what a
# load balancer or a busy client pool does: look at p99 and max there, not only req/s.
set -euo pipefail
SECONDS_PER_ALG=${1:-4}
shift || true
CONNECTION_COUNTS=("${@:-16}")
[ $# -gt 0 ] || CONNECTION_COUNTS=(16)
ulimit -n 20000 2>/dev/null || true
source "$(dirname "$0")/lib.sh"
bench_on_exit() { grep -h "group commit" "$WORK/server.log" 2>/dev/null; }
bench_start_server
AUD="$URL/oauth2/token"

register() {  # client_id method jwks_or_secret_json
  curl -sf -u admin:bench-admin-pw -H 'Content-Type: application/json' -d "$3" "$URL/api/admin/clients" >/dev/null
}
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/es.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/rs.pem" 2>/dev/null
SECRET=$("$PY" -c "import secrets; print(secrets.token_urlsafe(48))")
register bench-es private_key_jwt "{\"client_id\":\"bench-es\",\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[$(bench_jwk "$WORK/es.pem" EC)]}}"
register bench-rs private_key_jwt "{\"client_id\":\"bench-rs\",\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[$(bench_jwk "$WORK/rs.pem" RSA)]}}"
register bench-hs client_secret_jwt "{\"client_id\":\"bench-hs\",\"token_endpoint_auth_method\":\"client_secret_jwt\",\"client_secret\":\"$SECRET\"}"

printf "%-6s %6s %9s %9s %9s %9s %7s %8s %10s %9s\n" alg conns "req/s" "p50 ms" "p99 ms" "max ms" errors timeouts "ceiling/s" "% ceiling"
run() {  # alg client key count: one file of assertions, a slice of it per connection count
  local alg=$1 client=$2 key=$3 count=$4 verify slice=0 conns
  "$PY" "$ROOT/tests/bench/gen_assertions.py" "$alg" "$client" "$AUD" "$((count * ${#CONNECTION_COUNTS[@]}))" "$key" "$WORK/$alg.all"
  for conns in "${CONNECTION_COUNTS[@]}"; do
    sed -n "$((slice * count + 1)),$(((slice + 1) * count))p" "$WORK/$alg.all" >"$WORK/$alg.txt"
    slice=$((slice + 1))
    rates  # the ceiling 1 / (t_verify(alg) + t_sign(ES256)), on the server's core, now
    case $alg in ES256) verify=$ES_VERIFY ;; RS256) verify=$RS_VERIFY ;; *) verify=$HS_VERIFY ;; esac
    local out perf_pid=
    if [ -n "${IDGATE_BENCH_PROFILE:-}" ]; then  # perf profile of the server during this run
      perf record -F 499 --call-graph "${IDGATE_BENCH_CALLGRAPH:-fp}" -p "$SERVER_PID" -o "$IDGATE_BENCH_PROFILE.$alg.$conns" >/dev/null 2>&1 &
      perf_pid=$!
    fi
    out=$("${CLIENT_CPU[@]}" wrk -t1 -c"$conns" -d"${SECONDS_PER_ALG}s" --timeout 10s --latency -s "$ROOT/tests/bench/token.lua" "$URL" -- "$WORK/$alg.txt" | grep RESULT)
    if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
    "$PY" - "$alg" "$conns" "$out" "$(ceiling "$verify")" <<'PYEOF'
import sys
alg, conns, out, ceiling = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
r = dict(kv.split("=") for kv in out.split()[1:])
rps = int(r["requests"]) / (int(r["duration_us"]) / 1e6)
errors = int(r["non2xx"]) + int(r["socket_errors"])
print("%-6s %6s %10.0f %9.2f %9.2f %9.2f %7d %8s %10.0f %8.0f%%" % (
    alg, conns, rps, int(r["p50_us"]) / 1000, int(r["p99_us"]) / 1000, int(r["max_us"]) / 1000, errors,
    r["timeouts"], ceiling, 100 * rps / ceiling))
PYEOF
  done
}
# Assertions per run: more than the run can use at this machine's rates (a replay would show
# as errors, so a short count cannot pass unnoticed).
# IDGATE_BENCH_ALGS: which algorithms (default all three).
for alg in ${IDGATE_BENCH_ALGS:-ES256 RS256 HS256}; do
  case $alg in
    ES256) run ES256 bench-es "$WORK/es.pem" "${IDGATE_BENCH_COUNT_ES:-$((7000 * SECONDS_PER_ALG))}" ;;
    RS256) run RS256 bench-rs "$WORK/rs.pem" "${IDGATE_BENCH_COUNT_RS:-$((7000 * SECONDS_PER_ALG))}" ;;
    HS256) run HS256 bench-hs "$SECRET" "${IDGATE_BENCH_COUNT_HS:-$((9000 * SECONDS_PER_ALG))}" ;;
  esac
done
echo "openssl speed on the server's core before each run; the last: ES256 sign ${ES_SIGN}/s verify ${ES_VERIFY}/s, RS256 verify ${RS_VERIFY}/s, HS256 ~${HS_VERIFY}/s"
echo "JTI rows written: $(sqlite3 "$WORK/home/data/idgate.db" 'select count(*) from IDN_OIDC_JTI' 2>/dev/null || echo '?')"
