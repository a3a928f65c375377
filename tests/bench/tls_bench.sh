#!/usr/bin/env bash
# TLS: full handshakes per second (a new connection each, `openssl s_time -new`) with the EC
# P-256 certificate idgate makes and an RSA 2048 one, TLS 1.3 and 1.2, and keep-alive HTTPS
# requests per second (wrk, GET /health).
#   tests/bench/tls_bench.sh [SECONDS=4]
# Server pinned to core 0, clients on core 1, loopback only, bounded in time.
set -euo pipefail
SECS=${1:-4}
source "$(dirname "$0")/lib.sh"
CONF="$WORK/home/conf/server.xml"
STOREPASS=$(sed -n 's/^keystore\.password=//p' "$WORK/home/bootstrap.properties")
"$BUILD/bin/idgate-keytool" -genkeypair -alias tls-rsa -keyalg RSA -keysize 2048 -dname CN=localhost \
  -keystore "$WORK/home/keystore/idgate.p12" -storetype PKCS12 -storepass "$STOREPASS" >/dev/null
sed -i 's|<Listener scheme="http" host="127.0.0.1" port="9443"/>|<Listener scheme="http" host="127.0.0.1" port="9443"/><Listener scheme="https" host="127.0.0.1" port="0" keyAlias="idgate"/><Listener scheme="https" host="127.0.0.1" port="0" keyAlias="tls-rsa"/>|' "$CONF"
bench_start_server
for _ in $(seq 50); do [ "$(grep -c 'listening on https' "$WORK/server.log")" -ge 2 ] && break; sleep 0.1; done
mapfile -t HTTPS < <(grep -o 'listening on https://[^ ]*' "$WORK/server.log" | cut -d' ' -f3)
printf "%-10s %-8s %14s\n" cert protocol "handshakes/s"
for i in 0 1; do
  cert=$([ "$i" = 0 ] && echo "EC P-256" || echo "RSA 2048")
  for proto in -tls1_3 -tls1_2; do
    # s_time prints whole "real seconds": the wall time is measured here instead.
    t0=$(date +%s.%N)
    n=$(taskset -c 1 openssl s_time -connect "${HTTPS[$i]#https://}" -new $proto -time "$SECS" 2>/dev/null |
      awk '/connections in/ && /real seconds/ {print $1}' | head -1)
    t1=$(date +%s.%N)
    printf "%-10s %-8s %14.0f\n" "$cert" "${proto#-}" "$("$PY" -c "print(${n:-0} / ($t1 - $t0))")"
  done
done
for i in 0 1; do
  cert=$([ "$i" = 0 ] && echo "EC P-256" || echo "RSA 2048")
  rps=$(taskset -c 1 wrk -t1 -c16 -d"${SECS}s" "${HTTPS[$i]}/health" | awk '/Requests\/sec/ {print $2}')
  printf "keep-alive HTTPS GET /health, %s, 16 connections: %s req/s\n" "$cert" "$rps"
done
