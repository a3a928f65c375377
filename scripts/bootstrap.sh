# Sourced by ./run.sh and ./test.sh: installs missing Debian packages and builds Release.
# Idempotent: installed packages are never upgraded; only missing ones are installed.

IDGATE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IDGATE_BUILD=${IDGATE_BUILD:-$IDGATE_ROOT/build}

# What building and running the server needs, and the tools its guides use (xxd turns an ES256
# signature into raw r||s; jq reads JSON answers).
IDGATE_BUILD_PACKAGES=(g++ make cmake pkg-config libpoco-dev libboost-dev libssl-dev libpq-dev
  libsqlite3-dev curl openssl ca-certificates xxd jq)
# What the test suite needs in addition: GoogleTest, a PostgreSQL server to start on loopback,
# PyJWT and jwcrypto for Debian's /usr/bin/python3 (independent JWS and JWE implementations), nm,
# Java's keytool, nginx (the forward-auth test runs the real one on loopback), chromium (the
# browser tests), prometheus (its promtool checks GET /metrics; no service is started) and clang
# with libFuzzer (the parsers' fuzz targets, tests/fuzz/).
IDGATE_TEST_PACKAGES=(libgtest-dev postgresql python3 python3-jwt python3-cryptography binutils xxd
  openjdk-17-jre-headless python3-jwcrypto nginx chromium prometheus clang libfuzzer-14-dev)

idgate_install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing missing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    --no-upgrade "${missing[@]}"
}

idgate_build() {
  echo "==> building Release into $IDGATE_BUILD"
  cmake -S "$IDGATE_ROOT" -B "$IDGATE_BUILD" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$IDGATE_BUILD" -j2
}
