#!/usr/bin/env bash
# Installs what is missing, builds, and starts idgate in the foreground on the checkout's conf/
# (server.xml, identity.xml) and dropins/ (the build puts the bundled plugins there), with the
# database, keystore and secrets (bootstrap.properties) in ./home, which git ignores. Editing
# conf/identity.xml or dropping a .so into dropins/ changes the running server after a reload
# (POST /api/admin/plugins/reload, kill -HUP); conf/server.xml is read at startup.
# Extra arguments go to the server (e.g. ./run.sh --port 8080). Ctrl-C stops it gracefully.
set -euo pipefail
source "$(dirname "$0")/scripts/bootstrap.sh"
idgate_install_packages "${IDGATE_BUILD_PACKAGES[@]}"
idgate_build -DIDGATE_BUILD_TESTS=OFF

HOME_DIR=${IDGATE_HOME:-$IDGATE_ROOT/home}
if [ -f "$HOME_DIR/conf/server.xml" ]; then
  # A home with a conf/ of its own (`idgate-server init`, or ./run.sh before conf/ moved to the
  # top of the checkout) keeps serving it.
  LAYOUT=(--home "$HOME_DIR")
  CONF_DIR=$HOME_DIR/conf
  echo "serving $HOME_DIR with its own conf/ and dropins/ (move it aside to use the checkout's)"
else
  if [ ! -f "$HOME_DIR/bootstrap.properties" ]; then
    "$IDGATE_BUILD/bin/idgate-server" init "$HOME_DIR" --conf "$IDGATE_ROOT/conf"
  fi
  LAYOUT=(--home "$HOME_DIR" --conf "$IDGATE_ROOT/conf" --dropins "$IDGATE_ROOT/dropins")
  CONF_DIR=$IDGATE_ROOT/conf
fi
PORT=9443
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--port" ] && PORT=${args[$((i + 1))]:-9443}
done
BASE=http://127.0.0.1:$PORT
cat <<INFO

idgate home:   $HOME_DIR  (database, keystore, bootstrap.properties)
conf:          $CONF_DIR
console:       $BASE/console
token:         $BASE/oauth2/token  (also $BASE/o/oauth2/token)
discovery:     $BASE/.well-known/openid-configuration
keys:          $BASE/oauth2/jwks
admin API:     $BASE/api/admin/clients  (user admin; password printed by 'init' above, once)

Register a client and get a token:
  curl -u admin:ADMIN_PASSWORD -H 'Content-Type: application/json' \\
       -d '{"client_id":"my-app","scope":"read"}' $BASE/api/admin/clients
  curl -u my-app:CLIENT_SECRET -d grant_type=client_credentials -d scope=read $BASE/oauth2/token

INFO
exec "$IDGATE_BUILD/bin/idgate-server" "${LAYOUT[@]}" "$@"
