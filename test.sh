#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, plugin, integration, CLI) through
# ctest. Exit status is the result. Extra arguments go to ctest (e.g. ./test.sh -L unit).
set -euo pipefail
source "$(dirname "$0")/scripts/bootstrap.sh"
idgate_install_packages "${IDGATE_BUILD_PACKAGES[@]}" "${IDGATE_TEST_PACKAGES[@]}"
idgate_build -DIDGATE_BUILD_TESTS=ON
# The interop tests run the npm package openid-client, pinned by tests/interop/package-lock.json.
command -v node >/dev/null && command -v npm >/dev/null || idgate_install_packages nodejs npm
if [ ! -f "$IDGATE_ROOT/tests/interop/node_modules/.package-lock.json" ] ||
   ! cmp -s "$IDGATE_ROOT/tests/interop/package-lock.json" "$IDGATE_ROOT/tests/interop/node_modules/.idgate-lock"; then
  echo "==> installing tests/interop (npm ci)"
  (cd "$IDGATE_ROOT/tests/interop" && npm ci --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.idgate-lock)
fi
echo "==> running the test suite"
cd "$IDGATE_BUILD"
ctest --output-on-failure -j2 --timeout 900 "$@"
