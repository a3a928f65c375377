#!/usr/bin/env bash
# A checkout in a folder other users cannot enter (root's home is 0700) must still get its
# throwaway PostgreSQL, and tests that do not use PostgreSQL must not depend on that fixture.
#   test_private_folder_postgres.sh SOURCE_DIR BUILD_DIR
# 1. tests/support/postgres.sh start/stop with its folder inside a fresh 0700 folder: the cluster
#    lives in a private folder owned by the database user (0700, outside the build folder), a
#    client connects with both connection strings, and stop removes the cluster folder.
# 2. ctest's test list: exactly the tests that use PostgreSQL carry FIXTURES_REQUIRED postgres.
set -euo pipefail
src=${1:?source folder}
build=${2:?build folder}
fail() { echo "FAIL: $*" >&2; exit 1; }

psql_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql
[ -x "$psql_bin" ] || fail "psql not found under /usr/lib/postgresql"

outer=$(mktemp -d)
chmod 700 "$outer"
dir=$outer/checkout/build/postgres
cleanup() {
  "$src/tests/support/postgres.sh" stop "$dir" >/dev/null 2>&1 || true
  rm -rf "$outer"
}
trap cleanup EXIT

# As root, make sure the database user really cannot enter the folder (the situation under test).
if [ "$(id -u)" = 0 ] && runuser -u postgres -- test -x "$outer" 2>/dev/null; then
  fail "$outer is enterable by user postgres; the test would prove nothing"
fi

"$src/tests/support/postgres.sh" start "$dir" || fail "postgres.sh start failed in a 0700 folder"

for f in connection connection_it cluster; do
  [ -s "$dir/$f" ] || fail "postgres.sh start left no $dir/$f"
done
[ ! -e "$dir/data" ] || fail "the cluster is inside the build folder ($dir/data)"
cluster=$(cat "$dir/cluster")
case "$cluster" in
  "$outer"/*) fail "the cluster folder $cluster is inside the 0700 folder" ;;
esac
[ -d "$cluster/data" ] || fail "$cluster/data (the cluster) does not exist"
expected_owner=$(id -un)
[ "$(id -u)" = 0 ] && expected_owner=postgres
[ "$(stat -c %U "$cluster")" = "$expected_owner" ] ||
  fail "$cluster is owned by $(stat -c %U "$cluster"), not $expected_owner"
[ "$(stat -c %a "$cluster")" = 700 ] || fail "$cluster has mode $(stat -c %a "$cluster"), not 700"

for f in connection connection_it; do
  got=$("$psql_bin" "$(cat "$dir/$f") connect_timeout=10" -tAc "SELECT current_database()") ||
    fail "psql could not connect with $dir/$f"
  want=$(sed -n 's/.*dbname=\([^ ]*\).*/\1/p' "$dir/$f")
  [ "$got" = "$want" ] || fail "$f: connected to database '$got', expected '$want'"
done
port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$dir/connection")

"$src/tests/support/postgres.sh" stop "$dir" || fail "postgres.sh stop failed"
[ ! -e "$cluster" ] || fail "postgres.sh stop left the cluster folder $cluster"
[ ! -e "$dir" ] || fail "postgres.sh stop left $dir"
if "$psql_bin" "host=127.0.0.1 port=$port dbname=postgres connect_timeout=3" -tAc "SELECT 1" >/dev/null 2>&1; then
  fail "a server still answers on 127.0.0.1:$port after stop"
fi
echo "ok: cluster in $cluster (owner $expected_owner, 0700), reachable, removed by stop"

# Which tests need PostgreSQL, from the sources: integration modules that call
# postgres_connection(), and the gtest instances whose engine parameter is postgresql.
# Every such test must carry the fixture, and no other test may.
cd "$build"
ctest --show-only=json-v1 >"$outer/tests.json" || fail "ctest --show-only failed in $build"
/usr/bin/python3 - "$src" "$outer/tests.json" <<'EOF'
import glob, json, os, re, sys

src, listing = sys.argv[1], sys.argv[2]
needs = set()
for path in glob.glob(os.path.join(src, "tests", "integration", "test_*.py")):
    with open(path) as f:
        if "postgres_connection(" in f.read():
            needs.add("integration." + os.path.basename(path)[:-3])
tests = json.load(open(listing))["tests"]
names = {t["name"] for t in tests}
# ctest names of parameterized gtests end in the parameter's printout: "  # GetParam() = ..."
unit_pg = re.compile(r"^unit\..*/postgresql(\s|$)")
needs |= {n for n in names if unit_pg.match(n)}
errors = []
if not any(unit_pg.match(n) for n in names):
    errors.append("no unit test instance for postgresql was found (store tests not registered?)")
for t in tests:
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    fixtures = props.get("FIXTURES_REQUIRED", [])
    has = "postgres" in fixtures
    name = t["name"]
    if name in ("postgres.start", "postgres.stop"):
        continue
    if has and name not in needs:
        errors.append("%s requires the postgres fixture but does not use PostgreSQL" % name)
    if not has and name in needs:
        errors.append("%s uses PostgreSQL but does not require the postgres fixture" % name)
if errors:
    print("\n".join("FAIL: " + e for e in errors), file=sys.stderr)
    sys.exit(1)
print("ok: %d of %d tests require the postgres fixture, all of them use PostgreSQL"
      % (len(needs), len(names)))
EOF
