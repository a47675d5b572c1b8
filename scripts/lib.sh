# Shared by scripts/dev and scripts/test: make sure Go, PostgreSQL and Redis
# are there and running, starting local servers that are installed but
# stopped, and saying exactly what to install when one is missing.

PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
PGPORT_NUM=${PGPORT_NUM:-5432}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

ensure_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed: install Go 1.26 or newer (https://go.dev/dl/), then run this again."
}

pg_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PGHOST_ADDR" -p "$PGPORT_NUM"
  else
    (exec 3<>"/dev/tcp/$PGHOST_ADDR/$PGPORT_NUM") 2>/dev/null
  fi
}

ensure_postgres() {
  pg_up && return 0
  say "PostgreSQL is not answering on $PGHOST_ADDR:$PGPORT_NUM; starting it"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    local ver
    ver=$(ls /etc/postgresql | sort -V | tail -n 1)
    if [ "$(id -u)" = 0 ]; then
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    else
      sudo -n pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main start || true
    fi
  elif command -v systemctl >/dev/null 2>&1 && systemctl list-unit-files 2>/dev/null | grep -q '^postgresql'; then
    sudo -n systemctl start postgresql || true
  else
    die "PostgreSQL is not installed: sudo apt-get install postgresql (Debian/Ubuntu) or brew install postgresql@15 (macOS), then run this again."
  fi
  for _ in $(seq 1 30); do pg_up && return 0; sleep 1; done
  die "PostgreSQL did not start; see its log (on Debian: /var/log/postgresql/)."
}

redis_up() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
  else
    (exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT") 2>/dev/null
  fi
}

ensure_redis() {
  redis_up && return 0
  say "Redis is not answering on $REDIS_HOST:$REDIS_PORT; starting it"
  command -v redis-server >/dev/null 2>&1 || die "Redis is not installed: sudo apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS), then run this again."
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/deskpool-redis.log"
  for _ in $(seq 1 20); do redis_up && return 0; sleep 0.5; done
  die "Redis did not start; see ${TMPDIR:-/tmp}/deskpool-redis.log"
}

ensure_services() {
  ensure_go
  ensure_postgres
  ensure_redis
}
