#!/usr/bin/env bash
# The staff console's pages on the 1,000,000-case database, one connection each (the targets of
# issue 17: dashboard, case list and case page under 20 ms p99; the report page and the busiest
# cell's drill-down — 100,000 cases of one agency-year — under 100 ms p99):
#   bench/console.sh sqlite      (default)   or   bench/console.sh postgres
# Environment as bench/run.sh (SPREAD, FOCUS, DURATION, PG_ADMIN_URL, WORK, PORT); the seeded
# database is kept in WORK and reused by the next run (REUSE=0 seeds again).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
SPREAD=${SPREAD:-900000}
FOCUS=${FOCUS:-100000}
DURATION=${DURATION:-10}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
WORK=${WORK:-/tmp/gongkai-bench}
PORT=${PORT:-18991}
REUSE=${REUSE:-1}
PASSWORD='bench password 2026'

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q
BIN=$PWD/target/release/gongkai
mkdir -p "$WORK"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); backend $backend"

if [ "$backend" = postgres ]; then
  url="${PG_ADMIN_URL%/*}/gongkai_console_bench"
  exists=$(psql "$PG_ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = 'gongkai_console_bench'")
  fresh=$([ "$REUSE" = 1 ] && [ "$exists" = 1 ] && echo 0 || echo 1)
  if [ "$fresh" = 1 ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS gongkai_console_bench WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE gongkai_console_bench" >/dev/null
  fi
else
  url="$WORK/console.sqlite3"
  fresh=$([ "$REUSE" = 1 ] && [ -s "$url" ] && echo 0 || echo 1)
  [ "$fresh" = 1 ] && rm -f "$url"*
fi
if [ "$fresh" = 1 ]; then
  "$BIN" --database-url "$url" seed --agencies 50 --cases "$SPREAD" --focus-cases "$FOCUS" --focus-year 2024 \
    --from-year 2016 --to-year 2026 --seed 7 2>/dev/null | tail -n 1
  printf '%s\n' "$PASSWORD" | "$BIN" --database-url "$url" user add --name 基准测试 --login bench --role admin \
    --password-stdin >/dev/null 2>&1
fi

GONGKAI__BACKGROUND__SWEEP_ENABLED=false GONGKAI__LOG__LEVEL=error "$BIN" --database-url "$url" serve \
  --bind "127.0.0.1:$PORT" 2>>"$WORK/console-server.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

# Sign in as a person would: the session cookie of the login form's answer.
cookie=$(curl -s -o /dev/null -D - "127.0.0.1:$PORT/login" --data-urlencode "login=bench" \
  --data-urlencode "password=$PASSWORD" | sed -n 's/^set-cookie: gongkai_session=\([^;]*\);.*/\1/ip' | head -n 1)
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }
export GONGKAI_COOKIE=$cookie

page() { # label path-file
  local out
  wrk -t1 -c1 -d3s -s bench/console.lua "http://127.0.0.1:$PORT" >/dev/null   # warm-up
  out=$(wrk -t1 -c1 -d"${DURATION}s" --latency -s bench/console.lua "http://127.0.0.1:$PORT" | grep RESULT)
  echo "RESULT $backend console-$1 connections=1 ${out#RESULT }"
}

paths() { printf '%s\n' "$@" > "$WORK/console.paths"; export GONGKAI_PATHS="$WORK/console.paths"; }

paths "/dashboard?agency_id=2"; page dashboard-agency
paths "/dashboard?agency_id=1"; page dashboard-government-subtree
paths "/cases" "/cases?agency_id=2&status=received" "/cases?overdue=1" "/cases?agency_id=7&received_from=2024-03-01&received_to=2024-03-31"
page case-list
# Issue 21: "my cases" and the unassigned open cases (the administrator handles none: an empty
# look-up through the handler index; every seeded case is unassigned).
paths "/cases?handling=me" "/cases?handling=unassigned"
page case-list-handling
python3 -c "import random; random.seed(3); [print(f'/cases/{random.randint(1, $((SPREAD + FOCUS)))}') for _ in range(2000)]" \
  > "$WORK/console.paths"; export GONGKAI_PATHS="$WORK/console.paths"
page case-page
paths "/reports?agency_id=2&year=2024&live=1"; page report-page
paths "/reports/cell?agency_id=2&year=2024&row=new_received&column=total&live=1"; page busiest-cell
paths "/reports/cell?agency_id=1&year=2024&row=new_received&column=total&descendants=1&live=1"; page busiest-cell-compiled
