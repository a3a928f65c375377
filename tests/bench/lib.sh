# Sourced by the benchmarks: checks the tools, makes a fresh home in $WORK (removed on exit)
# and starts the server pinned to core 0 (bench_start_server sets SERVER_PID and URL).
# A script may define bench_on_exit to report from $WORK/server.log before it is removed.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${IDGATE_BUILD:-$ROOT/build}
PY=/usr/bin/python3
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
[ -x "$BUILD/bin/idgate-server" ] || { echo "build first (./test.sh or ./run.sh)"; exit 1; }

WORK=$(mktemp -d /tmp/idgate-bench-XXXXXX)
SERVER_PID=
bench_cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null || true
  if declare -F bench_on_exit >/dev/null; then bench_on_exit || true; fi
  rm -rf "$WORK"
}
trap bench_cleanup EXIT

"$BUILD/bin/idgate-server" init "$WORK/home" --admin-password bench-admin-pw >/dev/null
# Request threads (<Http threads>): IDGATE_BENCH_THREADS, default the shipped 16.
if [ -n "${IDGATE_BENCH_THREADS:-}" ]; then
  sed -i "s/threads=\"[0-9]*\"/threads=\"$IDGATE_BENCH_THREADS\"/" "$WORK/home/conf/server.xml"
fi

# <Server ioThreads> (event loops): IDGATE_BENCH_IO_THREADS, default "auto" (one per core the
# server may use: 1 when pinned).
if [ -n "${IDGATE_BENCH_IO_THREADS:-}" ]; then
  sed -i "s/<Server>/<Server ioThreads=\"$IDGATE_BENCH_IO_THREADS\">/" "$WORK/home/conf/server.xml"
fi
# Pinning: the server on core 0 and the load generator on core 1, unless IDGATE_BENCH_PIN=none
# (both free to use either core: the two-loop scaling runs).
if [ "${IDGATE_BENCH_PIN:-yes}" = none ]; then
  SERVER_CPU=(); CLIENT_CPU=()
else
  SERVER_CPU=(taskset -c 0); CLIENT_CPU=(taskset -c 1)
fi

bench_start_server() {
  "${SERVER_CPU[@]}" "$BUILD/bin/idgate-server" --home "$WORK/home" --port 0 >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q "listening on" "$WORK/server.log" && break; sleep 0.1; done
  URL=$(grep -o 'listening on [^ ]*' "$WORK/server.log" | head -1 | cut -d' ' -f3)
  [ -n "$URL" ] || { cat "$WORK/server.log"; exit 1; }
}

source "$ROOT/tests/bench/rates.sh"

# A PEM private key's public JWK (kid "bench"), as a client registers it:   bench_jwk KEY.pem EC|RSA
bench_jwk() { "$PY" -c "
import json,jwt
from cryptography.hazmat.primitives import serialization
k=serialization.load_pem_private_key(open('$1','rb').read(),None).public_key()
alg=jwt.algorithms.ECAlgorithm if '$2'=='EC' else jwt.algorithms.RSAAlgorithm
d=json.loads(alg.to_jwk(k)); d['kid']='bench'; print(json.dumps(d))"; }
