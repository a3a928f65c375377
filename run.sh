#!/usr/bin/env bash
# Installs what is missing, builds, and starts idgate in the foreground on its embedded defaults
# (SQLite, a generated PKCS12 keystore) with its home in ./home. Extra arguments go to the server
# (e.g. ./run.sh --port 8080). Ctrl-C stops it gracefully.
set -euo pipefail
source "$(dirname "$0")/scripts/bootstrap.sh"
idgate_install_packages "${IDGATE_BUILD_PACKAGES[@]}"
idgate_build -DIDGATE_BUILD_TESTS=OFF

HOME_DIR=${IDGATE_HOME:-$IDGATE_ROOT/home}
if [ ! -f "$HOME_DIR/conf/server.xml" ]; then
  "$IDGATE_BUILD/bin/idgate-server" init "$HOME_DIR"
fi
PORT=9443
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--port" ] && PORT=${args[$((i + 1))]:-9443}
done
BASE=http://127.0.0.1:$PORT
cat <<INFO

idgate home:   $HOME_DIR
token:         $BASE/oauth2/token  (also $BASE/o/oauth2/token)
discovery:     $BASE/.well-known/openid-configuration
keys:          $BASE/oauth2/jwks
admin API:     $BASE/api/admin/clients  (user admin; password printed by 'init' above, once)

Register a client and get a token:
  curl -u admin:ADMIN_PASSWORD -H 'Content-Type: application/json' \\
       -d '{"client_id":"my-app","scope":"read"}' $BASE/api/admin/clients
  curl -u my-app:CLIENT_SECRET -d grant_type=client_credentials -d scope=read $BASE/oauth2/token

INFO
exec "$IDGATE_BUILD/bin/idgate-server" --home "$HOME_DIR" "$@"
