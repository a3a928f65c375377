#!/usr/bin/env bash
# Soak test: a mixed load at 80 % of the measured maximum for MINUTES (default 10).
#   tests/bench/soak.sh [MINUTES] [CONNECTIONS]
# The mix (soak.lua, per 20 requests): token requests with every client authentication method
# (5 private_key_jwt ES256, 1 private_key_jwt RS256, 3 client_secret_jwt HS256, 1
# client_secret_basic, 1 client_secret_post), 5 GET /auth/check with idgate's own access token,
# 2 GET /oauth2/jwks and 2 admin reads with an idgate:admin token. Every minute, during the load:
# a live plugin reload (POST /api/admin/plugins/reload) and a keystore import through the admin
# API (the previous minute's certificate is deleted, so the keystore stays the same size).
# First 20 s at full speed measure the maximum; then 10 s slices at 80 % of it (wrk's per-
# connection delay, adjusted each slice), each slice's assertions signed during the one before
# with exp 90 s ahead, so the JTI table only stays bounded if the purger keeps up.
# Every 10 s: req/s, p50/p99/max, errors, the server's RSS and open fds (sampled mid-slice, under
# load), JTI rows. Fails (exit 1)
# when any request failed or RSS grew 5 % or more from the end of the third minute (warm-up,
# below) to the end. Server pinned to core 0, wrk (one thread) to core 1, loopback only.
set -euo pipefail
MINUTES=${1:-10}
CONNS=${2:-128}
SLICE=10
ulimit -n 20000 2>/dev/null || true
source "$(dirname "$0")/lib.sh"
ISSUER=https://idgate.soak
AUD=$ISSUER/oauth2/token
# The issuer fixed (the port is 0) and idgate's own tokens accepted at /auth/check and the admin
# API, reused until they expire (tokenReuse="true" in the example).
"$PY" - "$WORK/home/conf/server.xml" "$ISSUER" <<'PYEOF'
import re, sys
p, issuer = sys.argv[1:3]
s = open(p).read()
s = s.replace("<Server>", "<Server>\n  <Issuer>%s</Issuer>" % issuer, 1)
s, n = re.subn(r" *<!--\n( *<openidConnectClient [^>]*/>)\n *-->\n", r"\1\n", s)
assert n == 1, "no own-tokens example in server.xml"
# aud of idgate's tokens is the issuer; /auth/check (the proxied service's request) takes only
# the audiences named here or a <PublicUrl>.
s = re.sub(r'issuerIdentifier="[^"]*"', 'issuerIdentifier="%s" audiences="%s"' % (issuer, issuer), s)
open(p, "w").write(s)
PYEOF
bench_start_server
ADMIN=(-u admin:bench-admin-pw)
register() {
  curl -sf "${ADMIN[@]}" -H 'Content-Type: application/json' -d "$1" "$URL/api/admin/clients" >/dev/null
}
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/es.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/rs.pem" 2>/dev/null
secret() { "$PY" -c "import secrets; print(secrets.token_urlsafe(48))"; }
HS=$(secret); BASIC=$(secret); POST=$(secret); ADMIN_SECRET=$(secret)
register "{\"client_id\":\"soak-es\",\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[$(bench_jwk "$WORK/es.pem" EC)]}}"
register "{\"client_id\":\"soak-rs\",\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":{\"keys\":[$(bench_jwk "$WORK/rs.pem" RSA)]}}"
register "{\"client_id\":\"soak-hs\",\"token_endpoint_auth_method\":\"client_secret_jwt\",\"client_secret\":\"$HS\"}"
register "{\"client_id\":\"soak-basic\",\"token_endpoint_auth_method\":\"client_secret_basic\",\"client_secret\":\"$BASIC\"}"
register "{\"client_id\":\"soak-post\",\"token_endpoint_auth_method\":\"client_secret_post\",\"client_secret\":\"$POST\"}"
register "{\"client_id\":\"soak-admin\",\"token_endpoint_auth_method\":\"client_secret_basic\",\"client_secret\":\"$ADMIN_SECRET\",\"scope\":\"idgate:admin\"}"

access_token() {  # client secret [scope]
  curl -sf -u "$1:$2" -d grant_type=client_credentials ${3:+-d scope=$3} "$URL/oauth2/token" |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
# A slice's folder: assertions for COUNT requests of the mix, exp 90 s ahead, and fresh tokens.
prepare() {  # dir requests
  local dir=$1 n=$2
  mkdir -p "$dir"
  "$PY" "$ROOT/tests/bench/gen_assertions.py" ES256 soak-es "$AUD" $((n * 5 / 20 + 50)) "$WORK/es.pem" "$dir/es.txt" 90
  "$PY" "$ROOT/tests/bench/gen_assertions.py" RS256 soak-rs "$AUD" $((n / 20 + 50)) "$WORK/rs.pem" "$dir/rs.txt" 90
  "$PY" "$ROOT/tests/bench/gen_assertions.py" HS256 soak-hs "$AUD" $((n * 3 / 20 + 50)) "$HS" "$dir/hs.txt" 90
  access_token soak-basic "$BASIC" >"$dir/bearer"
  access_token soak-admin "$ADMIN_SECRET" idgate:admin >"$dir/admin"
  printf '%s' "soak-basic:$BASIC" | base64 -w0 >"$dir/basic"
  echo "client_id=soak-post&client_secret=$POST" >"$dir/post"
}
# One check of each kind first: a wrong setup must not be measured as fast errors.
prepare "$WORK/check" 20
for args in "-H Authorization:Bearer\ $(cat "$WORK/check/bearer") $URL/auth/check" \
            "-H Authorization:Bearer\ $(cat "$WORK/check/admin") $URL/api/admin/clients/soak-es"; do
  code=$(eval curl -s -o /dev/null -w '%{http_code}' "$args")
  [ "$code" = 200 ] || { echo "setup error: $args answered $code"; tail -5 "$WORK/server.log"; exit 1; }
done

wrk_slice() {  # dir delay_ms seconds -> RESULT line
  "${CLIENT_CPU[@]}" wrk -t1 -c"$CONNS" -d"$3s" --timeout 10s --latency -s "$ROOT/tests/bench/soak.lua" \
    "$URL" -- "$1" "$2" | grep RESULT
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
fds() { ls "/proc/$SERVER_PID/fd" | wc -l; }
jti_rows() {
  "$PY" -c "import sqlite3; print(sqlite3.connect('file:$WORK/home/data/idgate.db?mode=ro', uri=True).execute('select count(*) from IDN_OIDC_JTI').fetchone()[0])"
}

echo "==> measuring the maximum: $CONNS connections, no delay, 20 s"
prepare "$WORK/max" 120000
out=$(wrk_slice "$WORK/max" 0 20)
max_rps=$(( $(field "$out" requests) * 1000000 / $(field "$out" duration_us) ))
echo "maximum: $max_rps req/s (p99 $(( $(field "$out" p99_us) / 1000 )) ms, errors $(( $(field "$out" non2xx) + $(field "$out" socket_errors) )))"
target=$((max_rps * 8 / 10))
# Each connection waits delay ms between requests: CONNS / delay ~ rate (latency is small at 80 %).
delay=$((CONNS * 1000 / target))
slices=$((MINUTES * 60 / SLICE))
echo "==> soak: $MINUTES min at 80 % = $target req/s, $CONNS connections, $SLICE s slices"
printf "%6s %8s %8s %8s %8s %7s %9s %5s %9s %s\n" t_s "req/s" "p50 ms" "p99 ms" "max ms" errors "RSS MB" fds jti_rows note
# Assertions for 1.5 times the target: a slice after a slow one runs faster for a while.
supply=$((target * SLICE * 15 / 10))
prepare "$WORK/slice0" "$supply"
errors=0
rss_warm=
for s in $(seq 0 $((slices - 1))); do
  # The next slice's assertions while this one runs (core 1, with wrk).
  ( "${CLIENT_CPU[@]}" bash -c "$(declare -f prepare access_token); PY=$PY ROOT=$ROOT AUD=$AUD WORK=$WORK HS=$HS BASIC=$BASIC POST=$POST ADMIN_SECRET=$ADMIN_SECRET URL=$URL; prepare $WORK/slice$((s + 1)) $supply" ) &
  prep=$!
  note=
  ops=
  if [ $((s % 6)) = 3 ]; then  # once a minute, mid-slice: live reload and a keystore import
    minute=$((s / 6))
    (
      sleep 4
      curl -sf -o /dev/null -X POST "${ADMIN[@]}" "$URL/api/admin/plugins/reload" || echo reload >>"$WORK/ops_failed"
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
        -out "$WORK/cert$minute.pem" -days 2 -subj "/CN=soak-$minute" 2>/dev/null
      "$PY" -c "import json,sys; print(json.dumps({'alias': 'soak-cert-$minute', 'certificate': open(sys.argv[1]).read()}))" \
        "$WORK/cert$minute.pem" >"$WORK/cert$minute.json"
      curl -sf -o /dev/null "${ADMIN[@]}" -H 'Content-Type: application/json' --data-binary "@$WORK/cert$minute.json" \
        "$URL/api/admin/keystore/certificates" || echo "import $minute" >>"$WORK/ops_failed"
      if [ "$minute" -gt 0 ]; then
        curl -sf -o /dev/null -X DELETE "${ADMIN[@]}" "$URL/api/admin/keystore/certificates/soak-cert-$((minute - 1))" ||
          echo "delete $minute" >>"$WORK/ops_failed"
      fi
    ) &
    ops=$!
    note="reload+import"
  fi
  # RSS and open fds mid-slice, under load (the connections count among the fds).
  ( sleep $((SLICE / 2)); echo "$(rss_kb) $(fds)" >"$WORK/sample" ) &
  sampler=$!
  out=$(wrk_slice "$WORK/slice$s" "$delay" "$SLICE")
  wait "$sampler"
  read -r rss nfds <"$WORK/sample"
  wait "$prep"
  rm -rf "$WORK/slice$s"
  [ -z "$ops" ] || wait "$ops"  # the minute's operations
  rps=$(( $(field "$out" requests) * 1000000 / $(field "$out" duration_us) ))
  e=$(( $(field "$out" non2xx) + $(field "$out" socket_errors) ))
  errors=$((errors + e))
  # Warm-up: 3 minutes. The JTI table (and with it SQLite's page caches) only reaches its steady
  # size after an assertion's lifetime (90 s), the clock skew kept with it (60 s) and a purge
  # interval (60 s); the RSS grows with it until then.
  [ "$s" = $((180 / SLICE - 1)) ] && rss_warm=$rss
  printf "%6d %8d %8.1f %8.1f %8.1f %7d %9.1f %5d %9d %s\n" $(((s + 1) * SLICE)) "$rps" \
    "$(echo "$(field "$out" p50_us) / 1000" | bc -l)" "$(echo "$(field "$out" p99_us) / 1000" | bc -l)" \
    "$(echo "$(field "$out" max_us) / 1000" | bc -l)" "$e" "$(echo "$rss / 1024" | bc -l)" "$nfds" "$(jti_rows)" "$note"
  # Keep the rate at the target: scale the delay by how far this slice was off, by at most a
  # quarter a slice (no overshoot after one slow slice).
  if [ "$rps" -gt 0 ]; then
    next=$((delay * rps / target))
    [ "$next" -le $((delay * 5 / 4)) ] || next=$((delay * 5 / 4))
    [ "$next" -ge $((delay * 3 / 4)) ] || next=$((delay * 3 / 4))
    delay=$((next >= 1 ? next : 1))
  fi
done
ops_fail=0
[ ! -f "$WORK/ops_failed" ] || ops_fail=$(wc -l <"$WORK/ops_failed")
rss_end=$rss
growth=$(echo "scale=2; ($rss_end - ${rss_warm:-$rss_end}) * 100 / ${rss_warm:-$rss_end}" | bc)
echo "errors: $errors requests, $ops_fail reload/import operations"
echo "RSS: $((rss_warm / 1024)) MB after warm-up (3 min), $((rss_end / 1024)) MB at the end: ${growth} %"
status=0
[ "$errors" = 0 ] && [ "$ops_fail" = 0 ] || { echo "FAIL: errors"; status=1; }
[ "$(echo "$growth < 5" | bc)" = 1 ] || { echo "FAIL: RSS grew ${growth} % (limit 5 %)"; status=1; }
exit $status
