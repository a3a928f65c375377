#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan, UBSan) and runs each for SECONDS (default 10) from
# its seed corpus in tests/fuzz/corpus/<target> (copied: the tree's corpus is not written to).
# Exit 1 on any finding; the crashing input is left in build-fuzz/findings/ to keep as a
# regression test.   tests/fuzz/run.sh [SECONDS] [TARGET ...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SECONDS_EACH=${1:-10}
shift || true
OUT=${IDGATE_FUZZ_BUILD:-$ROOT/build-fuzz}
command -v clang++ >/dev/null || { echo "clang++ missing (apt install clang libfuzzer-14-dev)"; exit 2; }
CXX=clang++ cmake -S "$HERE" -B "$OUT" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$OUT" -j2 >/dev/null
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(request_head chunked form base64url json jws jwe jwk client_assertion keystore alias
  client_metadata identity_xml server_xml)
mkdir -p "$OUT/findings"
failed=0
for t in "${TARGETS[@]}"; do
  work="$OUT/corpus/$t"
  rm -rf "$work" && mkdir -p "$work" && cp "$HERE/corpus/$t"/* "$work"/ 2>/dev/null || true
  dict=()
  [ -f "$HERE/$t.dict" ] && dict=(-dict="$HERE/$t.dict")
  if "$OUT/fuzz_$t" "$work" "${dict[@]}" -max_total_time="$SECONDS_EACH" -seed=1 -max_len=4096 \
       -artifact_prefix="$OUT/findings/$t-" -print_final_stats=1 >"$OUT/$t.log" 2>&1; then
    echo "fuzz_$t: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$OUT/$t.log" | grep -o '[0-9]*$') runs, no finding"
  else
    echo "fuzz_$t: FINDING (log $OUT/$t.log, input in $OUT/findings/)"
    grep -m3 -E "ERROR|SUMMARY|runtime error" "$OUT/$t.log" || true
    failed=1
  fi
done
exit $failed
