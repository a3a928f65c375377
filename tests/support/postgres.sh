#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL on 127.0.0.1 for the test suite.
#   postgres.sh start DIR   -> DIR/connection, DIR/connection_it (libpq connection strings) and
#                              DIR/cluster (the path of the private folder holding the cluster)
#   postgres.sh stop DIR    -> stops the server, removes the private folder and DIR
# initdb refuses to run as root, so as root the server runs as the 'postgres' user. That user
# may not be able to enter DIR (a checkout under root's 0700 home), so the cluster lives in a
# folder of its own under /tmp, owned by the database user and mode 0700; DIR keeps only the
# connection strings and the pointer that lets `stop` find and remove that folder.
set -euo pipefail
action=${1:?start|stop}
dir=${2:?folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
marker=.idgate-postgres-cluster  # in the private folder: `stop` removes only folders carrying it

as_db_user() {
  # From / : the database user may not be allowed into the caller's working directory.
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

case "$action" in
  start)
    if [ -e "$dir/cluster" ]; then "$0" stop "$dir" || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    cluster=$(mktemp -d /tmp/idgate-postgres.XXXXXXXX)
    echo "$cluster" >"$dir/cluster"
    touch "$cluster/$marker"
    user=$(id -un)
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$cluster"; user=postgres; fi
    chmod 700 "$cluster"
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_db_user "$bin/initdb" -D "$cluster/data" -U "$user" --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_db_user "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c fsync=off -c max_connections=200" \
      start >/dev/null || { cat "$cluster/server.log" >&2; exit 1; }
    as_db_user "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE idgate_test" >/dev/null
    as_db_user "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE idgate_it" >/dev/null
    # unit tests drop and recreate tables in idgate_test; servers under test use idgate_it
    echo "host=127.0.0.1 port=$port dbname=idgate_test user=$user" >"$dir/connection"
    echo "host=127.0.0.1 port=$port dbname=idgate_it user=$user" >"$dir/connection_it"
    echo "postgres.sh: PostgreSQL on 127.0.0.1:$port, cluster in $cluster"
    ;;
  stop)
    if [ -f "$dir/cluster" ]; then
      cluster=$(cat "$dir/cluster")
      if [ -n "$cluster" ] && [ -f "$cluster/$marker" ]; then
        if [ -f "$cluster/data/postmaster.pid" ]; then
          as_db_user "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null || true
        fi
        rm -rf "$cluster"
      elif [ -n "$cluster" ] && [ -e "$cluster" ]; then
        echo "postgres.sh: $dir/cluster names $cluster, which has no $marker: left alone" >&2
      fi
    fi
    if [ -f "$dir/data/postmaster.pid" ]; then  # a cluster started inside DIR by an older postgres.sh
      as_db_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: postgres.sh start|stop DIR" >&2; exit 2 ;;
esac
