#!/bin/sh
# The container's first start makes the home in the volume (idgate-server init prints the admin
# password once, to the log) and listens on every interface of the container; then, and on every
# later start, runs the server in the foreground (SIGTERM drains it).
set -e
HOME_DIR=/var/lib/idgate
if [ ! -f "$HOME_DIR/conf/server.xml" ]; then
  # The issuer is the URL clients use (never the container's own address):
  # IDGATE_ISSUER, by default http://localhost:9443.
  idgate-server init "$HOME_DIR/new" --issuer "${IDGATE_ISSUER:-http://localhost:9443}"
  mv "$HOME_DIR"/new/* "$HOME_DIR"/ && rmdir "$HOME_DIR/new"
  # Inside a container the port is published from outside: listen on every interface.
  sed -i 's|<Listener scheme="http" host="127.0.0.1"|<Listener scheme="http" host="0.0.0.0"|' \
    "$HOME_DIR/conf/server.xml"
fi
exec idgate-server --home "$HOME_DIR" "$@"
