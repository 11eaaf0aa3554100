# Sourced by bench/search.sh and bench/similar.sh (from the repository's root, after `set -euo
# pipefail`): the seeded 1,000,000-case population served by a release build.
#   seeded_server NAME PORT
# seeds `NAME.sqlite3` in WORK or the PostgreSQL database `gongkai_NAME_bench` (unless REUSE=1
# keeps an earlier one; CASES cases, the seeder's pool gives each applicant about three requests),
# puts an administrator's token in GONGKAI_TOKEN, and serves it on PORT until the script exits.
# Reads `backend` (sqlite|postgres), CASES, PG_ADMIN_URL, WORK and BIN (built when empty); sets
# `url` and `BIN`.
seeded_server() {
  local name=$1 port=$2
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  if [ -z "${BIN:-}" ]; then cargo build --release -q; BIN=$PWD/target/release/gongkai; fi
  mkdir -p "$WORK"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); backend $backend; $($BIN --version 2>/dev/null || true)"
  if [ "$backend" = postgres ]; then
    url="${PG_ADMIN_URL%/*}/gongkai_${name}_bench"
    if [ "${REUSE:-0}" != 1 ]; then
      psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS gongkai_${name}_bench WITH (FORCE)" >/dev/null
      psql "$PG_ADMIN_URL" -qc "CREATE DATABASE gongkai_${name}_bench" >/dev/null
    fi
  else
    url="$WORK/$name.sqlite3"
    [ "${REUSE:-0}" = 1 ] || rm -f "$url"*
  fi
  if [ "${REUSE:-0}" != 1 ]; then
    local started
    started=$(date +%s.%N)
    "$BIN" --database-url "$url" seed --agencies 50 --cases "$CASES" --from-year 2016 --to-year 2026 --seed 7 \
      2>/dev/null | tail -n 1
    echo "RESULT $backend seed cases=$CASES seconds=$(echo "$(date +%s.%N) - $started" | bc)"
  fi
  export GONGKAI_TOKEN
  GONGKAI_TOKEN=$("$BIN" --database-url "$url" user add --name bench --role admin 2>/dev/null | tail -n 1)
  GONGKAI__BACKGROUND__SWEEP_ENABLED=false GONGKAI__MAIL__WORKER_ENABLED=false GONGKAI__MAIL__REMINDERS_ENABLED=false \
    GONGKAI__LOG__LEVEL=error "$BIN" --database-url "$url" serve --bind "127.0.0.1:$port" 2>>"$WORK/$name-server.log" &
  SERVER=$!
  trap 'kill "$SERVER" 2>/dev/null || true' EXIT
  for _ in $(seq 1 300); do curl -sf "127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
}
