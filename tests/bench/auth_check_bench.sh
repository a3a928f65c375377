#!/usr/bin/env bash
# Resource-server benchmark (issue: JWTs as authentication tokens): requests/s through
# GET /auth/check with a valid RS256 and ES256 token, validated-token cache on and off.
#   tests/bench/auth_check_bench.sh [SECONDS] [CONNECTIONS]
# Server pinned to core 0, wrk (one thread) pinned to core 1, loopback only, bounded in time
# (SECONDS per run, default 4). tokenReuse="true" so the same token can be sent again: with the
# cache off every request verifies the signature; the target is >= 70% of the single-core
# `openssl speed` verify rate for the algorithm.
set -euo pipefail
SECS=${1:-4}
CONNECTIONS=${2:-16}
source "$(dirname "$0")/lib.sh"

PASS=$(sed -n 's/^keystore\.password=//p' "$WORK/home/bootstrap.properties")
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/rs.pem" -out "$WORK/rs.crt" -days 2 -subj /CN=rs 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/es.pem" -out "$WORK/es.crt" \
  -days 2 -subj /CN=es 2>/dev/null
for a in rs es; do
  "$BUILD/bin/idgate-keytool" -importcert -alias "bench-$a" -file "$WORK/$a.crt" -noprompt \
    -keystore "$WORK/home/keystore/idgate.p12" -storepass "$PASS" >/dev/null
done
CLIENTS=""
for alg in RS256 ES256; do
  a=$(echo "${alg:0:2}" | tr A-Z a-z)
  for cache in true false; do
    CLIENTS+="<openidConnectClient id=\"$a-$cache\" inboundPropagation=\"required\" signatureAlgorithm=\"$alg\"
      trustStoreRef=\"KeyStore\" trustAliasName=\"bench-$a\" issuerIdentifier=\"https://$a-$cache.bench\"
      audiences=\"ALL_AUDIENCES\" tokenReuse=\"true\" accessTokenCacheEnabled=\"$cache\"/>"
  done
done
"$PY" - "$WORK/home/conf/server.xml" "$CLIENTS" <<'PYEOF'
import sys
p, clients = sys.argv[1], sys.argv[2]
s = open(p).read().replace("</Server>", clients + "\n</Server>")
open(p, "w").write(s)
PYEOF

bench_start_server


token() {  # alg key iss
  "$PY" -c "
import jwt, time
from cryptography.hazmat.primitives import serialization
k = serialization.load_pem_private_key(open('$2','rb').read(), None)
print(jwt.encode({'iss': '$3', 'sub': 'bench-user', 'exp': int(time.time()) + 3600, 'groupIds': ['g1', 'g2']}, k, algorithm='$1'))"
}

printf "%-6s %-6s %10s %9s %9s %7s %12s %9s\n" alg cache "req/s" "p50 ms" "p99 ms" errors "verify/s" "% verify"
run() {  # alg key cache
  local alg=$1 key=$2 cache=$3 a verify
  a=$(echo "${alg:0:2}" | tr A-Z a-z)
  rates
  if [ "$alg" = RS256 ]; then verify=$RS_VERIFY; else verify=$ES_VERIFY; fi
  local t; t=$(token "$alg" "$key" "https://$a-$cache.bench")
  # One check first: a wrong setup must not be measured as fast 401s.
  local code; code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" "$URL/auth/check")
  [ "$code" = 200 ] || { echo "setup error: /auth/check answered $code"; tail -5 "$WORK/server.log"; exit 1; }
  local out perf_pid=
  if [ -n "${IDGATE_BENCH_PROFILE:-}" ]; then  # perf profile of the server during this run
    perf record -F 499 --call-graph "${IDGATE_BENCH_CALLGRAPH:-fp}" -p "$SERVER_PID" -o "$IDGATE_BENCH_PROFILE.$alg.$cache" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECS}s" --latency -H "Authorization: Bearer $t" \
          -s "$ROOT/tests/bench/status.lua" "$URL/auth/check" | grep RESULT)
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
  "$PY" - "$alg" "$cache" "$out" "$verify" <<'PYEOF'
import sys
alg, cache, out, verify = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
r = dict(kv.split("=") for kv in out.split()[1:])
rps = int(r["requests"]) / (int(r["duration_us"]) / 1e6)
errors = int(r["non2xx"]) + int(r["socket_errors"])
print("%-6s %-6s %10.0f %9.2f %9.2f %7d %12.0f %8.0f%%" % (alg, "on" if cache == "true" else "off", rps,
      int(r["p50_us"]) / 1000, int(r["p99_us"]) / 1000, errors, verify, 100 * rps / verify))
PYEOF
}
run RS256 "$WORK/rs.pem" false
run RS256 "$WORK/rs.pem" true
run ES256 "$WORK/es.pem" false
run ES256 "$WORK/es.pem" true
echo "openssl speed on the server's core, measured before each run (verify/s column)"
