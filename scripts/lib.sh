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
  local log="${TMPDIR:-/tmp}/deskpool-redis-$REDIS_PORT.log"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "${TMPDIR:-/tmp}" --logfile "$log"
  for _ in $(seq 1 20); do redis_up && return 0; sleep 0.5; done
  die "Redis did not start; see $log"
}

ensure_services() {
  ensure_go
  ensure_postgres
  ensure_redis
}

STRIPE_MOCK_PORT=${STRIPE_MOCK_PORT:-12111}
STRIPE_MOCK_PID=

# ensure_stripe: with no Stripe key configured, install stripe-mock if it
# is missing, start it on loopback unless it already answers there, and
# point deskpool (and the tests) at it, with placeholder prices and a
# local webhook secret. With DESKPOOL_STRIPE_SECRET_KEY set, Stripe itself
# (test mode) is used and nothing is started.
ensure_stripe() {
  if [ -n "${DESKPOOL_STRIPE_SECRET_KEY:-}" ]; then
    return 0
  fi
  local bin
  bin=$(command -v stripe-mock 2>/dev/null || echo "$(go env GOPATH)/bin/stripe-mock")
  if [ ! -x "$bin" ]; then
    say "installing stripe-mock (go install github.com/stripe/stripe-mock@latest)"
    go install github.com/stripe/stripe-mock@latest || die "could not install stripe-mock; install it, or set DESKPOOL_STRIPE_SECRET_KEY to a Stripe test-mode key"
  fi
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$STRIPE_MOCK_PORT") 2>/dev/null; then
    say "starting stripe-mock on 127.0.0.1:$STRIPE_MOCK_PORT (no DESKPOOL_STRIPE_SECRET_KEY set)"
    "$bin" -http-addr "127.0.0.1:$STRIPE_MOCK_PORT" -https-addr "127.0.0.1:0" >"${TMPDIR:-/tmp}/deskpool-stripe-mock-$STRIPE_MOCK_PORT.log" 2>&1 &
    STRIPE_MOCK_PID=$!
    local up=
    for _ in $(seq 1 40); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$STRIPE_MOCK_PORT") 2>/dev/null; then up=1; break; fi
      sleep 0.25
    done
    [ -n "$up" ] || die "stripe-mock did not start; see ${TMPDIR:-/tmp}/deskpool-stripe-mock-$STRIPE_MOCK_PORT.log"
  fi
  export DESKPOOL_STRIPE_API_BASE="http://127.0.0.1:$STRIPE_MOCK_PORT"
  export DESKPOOL_TEST_STRIPE_URL="$DESKPOOL_STRIPE_API_BASE"
  export DESKPOOL_STRIPE_SECRET_KEY=sk_test_localmock # stripe-mock takes only sk_test_ and letters or digits
  export DESKPOOL_STRIPE_WEBHOOK_SECRET="${DESKPOOL_STRIPE_WEBHOOK_SECRET:-whsec_local_stripe_mock}"
  export DESKPOOL_STRIPE_PRICE_PRO_MONTHLY="${DESKPOOL_STRIPE_PRICE_PRO_MONTHLY:-price_deskpool_pro_monthly}"
  export DESKPOOL_STRIPE_PRICE_PRO_YEARLY="${DESKPOOL_STRIPE_PRICE_PRO_YEARLY:-price_deskpool_pro_yearly}"
  export DESKPOOL_STRIPE_PRICE_PREMIUM_MONTHLY="${DESKPOOL_STRIPE_PRICE_PREMIUM_MONTHLY:-price_deskpool_premium_monthly}"
  export DESKPOOL_STRIPE_PRICE_PREMIUM_YEARLY="${DESKPOOL_STRIPE_PRICE_PREMIUM_YEARLY:-price_deskpool_premium_yearly}"
}

# stop_stripe stops the stripe-mock this script started, if any.
stop_stripe() {
  if [ -n "$STRIPE_MOCK_PID" ]; then
    kill "$STRIPE_MOCK_PID" 2>/dev/null || true
  fi
}

# ensure_chromium installs Debian's chromium for the web app's browser
# tests when it is missing and we are root; otherwise those tests skip,
# saying why, and every other test still runs. DESKPOOL_CHROMIUM names
# another browser binary.
ensure_chromium() {
  local bin="${DESKPOOL_CHROMIUM:-/usr/bin/chromium}"
  if [ -x "$bin" ]; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing chromium for the browser tests (apt-get install chromium)"
    if (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) >&2; then
      return 0
    fi
  fi
  say "no chromium at $bin and it could not be installed: the browser tests (TestWebApp) will skip"
}
