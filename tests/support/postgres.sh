#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL on 127.0.0.1 for the test suite.
#   postgres.sh start DIR   -> DIR/data, DIR/connection (a libpq connection string)
#   postgres.sh stop DIR
# initdb refuses to run as root, so as root the server runs as the 'postgres' user.
set -euo pipefail
action=${1:?start|stop}
dir=${2:?folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_db_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then "$0" stop "$dir" || true; fi
    rm -rf "$dir"
    mkdir -p "$dir/data"
    user=$(id -un)
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; user=postgres; fi
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_db_user "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_db_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c fsync=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/data/server.log" >&2; exit 1; }
    as_db_user "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE idgate_test" >/dev/null
    as_db_user "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE idgate_it" >/dev/null
    # unit tests drop and recreate tables in idgate_test; servers under test use idgate_it
    echo "host=127.0.0.1 port=$port dbname=idgate_test user=$user" >"$dir/connection"
    echo "host=127.0.0.1 port=$port dbname=idgate_it user=$user" >"$dir/connection_it"
    echo "postgres.sh: PostgreSQL on 127.0.0.1:$port"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_db_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: postgres.sh start|stop DIR" >&2; exit 2 ;;
esac
