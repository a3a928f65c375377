#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, plugin, integration, CLI) through
# ctest. Exit status is the result. Extra arguments go to ctest (e.g. ./test.sh -L unit).
set -euo pipefail
source "$(dirname "$0")/scripts/bootstrap.sh"
idgate_install_packages "${IDGATE_BUILD_PACKAGES[@]}" "${IDGATE_TEST_PACKAGES[@]}"
idgate_build -DIDGATE_BUILD_TESTS=ON
echo "==> running the test suite"
cd "$IDGATE_BUILD"
ctest --output-on-failure -j2 --timeout 900 "$@"
