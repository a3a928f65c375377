#!/usr/bin/env bash
# idgate as the resource server of its own tokens: GET /api/me with an access token idgate
# issued (init's <openidConnectClient id="idgate"> example, validated-token cache on), where
# every request also asks the revocation list. Run with the default
# <Revocation propagationSeconds="5"> (memory, other nodes' revocations read every 5 s) and with
# "0" (the database asked at every request).
#   tests/bench/own_token_bench.sh [SECONDS] [CONNECTIONS ...]   (default: 4 s at 16 256 1024)
# Server pinned to core 0, wrk (one thread) pinned to core 1, loopback only, bounded in time.
set -euo pipefail
SECS=${1:-4}
shift || true
CONNECTION_COUNTS=("${@:-16}")
[ $# -gt 0 ] || CONNECTION_COUNTS=(16 256 1024)
ulimit -n 20000 2>/dev/null || true
source "$(dirname "$0")/lib.sh"

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
rm -rf "$WORK/home"
"$BUILD/bin/idgate-server" init "$WORK/home" --admin-password bench-admin-pw --issuer "$URL" >/dev/null
"$PY" - "$WORK/home/conf/server.xml" <<'PYEOF'
import re, sys
p = sys.argv[1]
s = open(p).read()
s, n = re.subn(r" *<!--\n( *<openidConnectClient [^>]*/>)\n *-->\n", r"\1\n", s)
assert n == 1, "no own-tokens example in server.xml"
open(p, "w").write(s)
PYEOF

start() {
  "${SERVER_CPU[@]}" "$BUILD/bin/idgate-server" --home "$WORK/home" --port "$PORT" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q "listening on" "$WORK/server.log" && return; sleep 0.1; done
  cat "$WORK/server.log"; exit 1
}
stop() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

printf "%-13s %6s %10s %9s %9s %9s %7s\n" propagation conns "req/s" "p50 ms" "p99 ms" "max ms" errors
for propagation in 5 0; do
  sed -i "s/propagationSeconds=\"[0-9]*\"/propagationSeconds=\"$propagation\"/" "$WORK/home/conf/identity.xml"
  start
  SECRET=$(curl -sf -u admin:bench-admin-pw -H 'Content-Type: application/json' \
    -d '{"scope":"orders"}' "$URL/api/admin/clients" | sed -n 's/.*"client_secret":"\([^"]*\)".*/\1/p')
  ID=$(curl -sf -u admin:bench-admin-pw "$URL/api/admin/clients" | sed -n 's/.*"client_id":"\([^"]*\)".*/\1/p' | tail -1)
  TOKEN=$(curl -sf -u "$ID:$SECRET" -d grant_type=client_credentials "$URL/oauth2/token" \
    | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
  # Some revoked tokens in the list, as a running server has.
  for _ in $(seq 200); do
    T=$(curl -sf -u "$ID:$SECRET" -d grant_type=client_credentials "$URL/oauth2/token" \
      | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    curl -sf -u "$ID:$SECRET" --data-urlencode "token=$T" "$URL/oauth2/revoke" >/dev/null
  done
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/api/me")
  [ "$code" = 200 ] || { echo "setup error: /api/me answered $code"; tail -5 "$WORK/server.log"; exit 1; }
  for conns in "${CONNECTION_COUNTS[@]}"; do
    out=$("${CLIENT_CPU[@]}" wrk -t1 -c"$conns" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" \
            -s "$ROOT/tests/bench/status.lua" "$URL/api/me" | grep RESULT)
    "$PY" - "$propagation" "$conns" "$out" <<'PYEOF'
import sys
propagation, conns, out = sys.argv[1], sys.argv[2], sys.argv[3]
r = dict(kv.split("=") for kv in out.split()[1:])
rps = int(r["requests"]) / (int(r["duration_us"]) / 1e6)
print("%-13s %6s %10.0f %9.2f %9.2f %9.2f %7d" % (propagation + " s", conns, rps, int(r["p50_us"]) / 1000,
      int(r["p99_us"]) / 1000, int(r["max_us"]) / 1000, int(r["non2xx"]) + int(r["socket_errors"])))
PYEOF
  done
  stop
done
