#!/usr/bin/env bash
# Builds the whole tree with sanitizers and runs the unit and integration suite on it.
#   tests/sanitizers/run.sh address [CTEST_ARGS...]   ASan + UBSan (build-asan/)
#   tests/sanitizers/run.sh thread  [CTEST_ARGS...]   TSan (build-tsan/)
# Every target is instrumented, plugins included (CMake option IDGATE_SANITIZE); a report stops the
# process that made it (-fno-sanitize-recover=all, halt_on_error), so the test that caused it
# fails, and every report is also written under BUILD/sanitizer-reports/ (log_path), where this
# script looks at the end: it fails when any report is there, even if every test passed (a server
# that reports at exit, a leak for instance, is not seen by a test that has already passed).
# The fuzz targets have their own sanitized build (tests/fuzz/run.sh); the package and container
# tests check packaging, not code, and are left out. IDGATE_SANITIZE_BUILD names the build folder.
set -euo pipefail
kind=${1:?usage: run.sh address|thread [ctest args...]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$kind" in
  address) sanitize=address,undefined; default_build=$root/build-asan ;;
  thread) sanitize=thread; default_build=$root/build-tsan ;;
  *) echo "run.sh: unknown sanitizer '$kind' (address or thread)" >&2; exit 2 ;;
esac
build=${IDGATE_SANITIZE_BUILD:-$default_build}
source "$root/scripts/bootstrap.sh"
idgate_install_packages "${IDGATE_BUILD_PACKAGES[@]}" "${IDGATE_TEST_PACKAGES[@]}"

echo "==> building with -fsanitize=$sanitize in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIDGATE_BUILD_TESTS=ON \
  -DIDGATE_SANITIZE="$sanitize" >/dev/null
cmake --build "$build" -j2

if [ ! -f "$root/tests/interop/node_modules/.package-lock.json" ]; then
  (cd "$root/tests/interop" && npm ci --no-audit --no-fund --loglevel=error)
fi

reports=$build/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
suppressions=$root/tests/sanitizers/thread.supp
common="log_path=$reports/report:log_exe_name=1:print_stacktrace=1"
export ASAN_OPTIONS="$common:detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="$common:suppressions=$root/tests/sanitizers/leak.supp"
export UBSAN_OPTIONS="$common:halt_on_error=1"
export TSAN_OPTIONS="$common:halt_on_error=0:second_deadlock_stack=1:suppressions=$suppressions"

# Tests that measure wall-clock windows or RSS say so and skip those assertions here (the
# sanitizers slow everything and ASan keeps freed memory in quarantine).
export IDGATE_SANITIZER_RUN=$kind
echo "==> running the suite under $kind sanitizers"
status=0
(cd "$build" && ctest --output-on-failure -j2 --timeout 1800 -LE fuzz \
  -E 'integration\.test_(package|container)$' "$@") || status=$?

# A file with only LeakSanitizer's "Suppressions used" table is not a report.
found=$(grep -lE "ERROR: |runtime error|WARNING: ThreadSanitizer" -r "$reports" | sort || true)
if [ -n "$found" ]; then
  echo "==> sanitizer reports ($(echo "$found" | wc -l)):"
  for f in $found; do
    echo "--- $f"
    head -n 60 "$f"
  done
  exit 1
fi
echo "==> no sanitizer report"
exit "$status"
