# Sourced by the benchmarks: the single-core crypto rates from `openssl speed`.
# Measured on core 0, the server's core, idle between runs: the two cores of this shared
# machine drift by ±15 % within minutes and apart from each other by up to 25 %, so a
# benchmark calls `rates` right before each run instead of once at the start.
speed() { taskset -c 0 openssl speed -seconds 2 -elapsed "$@" 2>/dev/null; }

# Sets ES_SIGN, ES_VERIFY, RS_VERIFY and HS_VERIFY (per second).
rates() {
  local es sha
  es=$(speed ecdsap256 | awk '/nistp256/ {print $(NF-1), $NF}')
  ES_SIGN=${es% *}
  ES_VERIFY=${es#* }
  RS_VERIFY=$(speed rsa2048 | awk '/^rsa 2048/ {print $NF}')
  # HMAC-SHA256 over a ~600-byte signing input is two SHA-256 passes over about that much data.
  sha=$(speed -evp sha256 -bytes 1024 | awk '/^sha256/ {sub("k","",$NF); print $NF}')
  HS_VERIFY=$(/usr/bin/python3 -c "print(round($sha * 1000 / 1024))")
}

# 1 / (1 / verify + 1 / ES256 sign): the token endpoint's ceiling for an assertion algorithm.
ceiling() { /usr/bin/python3 -c "print(1 / (1 / $1 + 1 / $ES_SIGN))"; }
