# Sourced by scripts that need a throwaway PostgreSQL cluster: `pg_start DIR` starts one in DIR
# (unix socket only, no fsync) and sets PG_URL; `pg_stop` stops it. Runs initdb/pg_ctl as the
# postgres user when the caller is root (initdb refuses root).
pg_run() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] || bin=$(dirname "$(command -v pg_ctl)")
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/$1" "${@:2}"; else "$bin/$1" "${@:2}"; fi
}

pg_start() {
  PG_DIR=$1
  mkdir -p "$PG_DIR/data"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres "$PG_DIR"
    chmod a+x "$(dirname "$PG_DIR")"   # mktemp -d is 0700; the postgres user must reach PG_DIR
  fi
  pg_run initdb -D "$PG_DIR/data" -A trust -U postgres --no-sync >/dev/null
  pg_run pg_ctl -D "$PG_DIR/data" -o "-k $PG_DIR -c listen_addresses='' -c fsync=off -c max_connections=200" \
    -l "$PG_DIR/log" -w start >/dev/null
  PG_URL="postgres://postgres@localhost/postgres?host=$PG_DIR"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] && pg_run pg_ctl -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  PG_DIR=""
}
