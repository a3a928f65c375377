#!/usr/bin/env bash
# The crypto floor: how close to `openssl speed` can any server on this machine get?
#   tests/bench/crypto_floor.sh [SECONDS] [CONNECTIONS]
# Runs tests/bench/crypto_floor.c (one epoll thread, per request only the signature work of
# a benchmark case on a fixed input) pinned to core 0, wrk (one thread) on core 1, loopback
# only, SECONDS per case (default 4), and prints requests/s as a share of the same crypto rate
# the idgate benchmarks use (auth_check_bench.sh: verify rate; token_endpoint_bench.sh:
# 1 / (t_verify + t_sign(ES256))). Requests carry an 800-byte header like a bearer token or a
# client assertion would. An upper bound: idgate does all of this and real work besides.
set -euo pipefail
SECS=${1:-4}
CONNECTIONS=${2:-16}
PY=/usr/bin/python3
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
WORK=$(mktemp -d /tmp/idgate-floor-XXXXXX)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
cc -O2 -o "$WORK/crypto_floor" "$(dirname "$0")/crypto_floor.c" -lcrypto
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/rs.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/es.pem" 2>/dev/null
openssl rand -hex 32 >"$WORK/hs.secret"

source "$(dirname "$0")/rates.sh"
HEADER="Authorization: Bearer $(head -c 600 /dev/urandom | base64 -w0 | tr '+/' '-_' | head -c 790)"

printf "%-22s %10s %12s %9s\n" case "req/s" "crypto/s" "% crypto"
run() {  # name rate_per_s verify_alg verify_key [sign_key]
  local name=$1 rate=$2 port
  shift 2
  port=$("$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
  : >"$WORK/log"  # the previous case's "listening" must not count for this one
  taskset -c 0 "$WORK/crypto_floor" "$port" "$@" 2>"$WORK/log" &
  PID=$!
  for _ in $(seq 50); do grep -q listening "$WORK/log" && break; sleep 0.1; done
  local rps
  rps=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SECS}s" -H "$HEADER" "http://127.0.0.1:$port/" |
        awk '/Requests\/sec/ {print $2}')
  # A server that stopped (a failed check, a short write) invalidates the case: say why.
  kill "$PID" 2>/dev/null || { echo "$name: the floor server stopped: $(cat "$WORK/log")"; exit 1; }
  wait "$PID" 2>/dev/null || true; PID=
  [ -n "$rps" ] || { echo "$name: no result from wrk"; exit 1; }
  "$PY" -c "r=$rps; c=$rate; print('%-22s %10.0f %12.0f %8.0f%%' % ('$name', r, c, 100*r/c if c else 0))"
}
run "HTTP only" 0 none -
rates; run "/auth/check RS256" "$RS_VERIFY" RS256 "$WORK/rs.pem"
rates; run "/auth/check ES256" "$ES_VERIFY" ES256 "$WORK/es.pem"
rates; run "token ES256" "$(ceiling "$ES_VERIFY")" ES256 "$WORK/es.pem" "$WORK/es.pem"
rates; run "token RS256" "$(ceiling "$RS_VERIFY")" RS256 "$WORK/rs.pem" "$WORK/es.pem"
rates; run "token HS256" "$(ceiling "$HS_VERIFY")" HS256 "$WORK/hs.secret" "$WORK/es.pem"
echo "last openssl speed (one core): ES256 sign ${ES_SIGN}/s verify ${ES_VERIFY}/s, RS256 verify ${RS_VERIFY}/s, HS256 ~${HS_VERIFY}/s"
