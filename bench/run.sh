#!/usr/bin/env bash
# Benchmarks of the service against the targets of docs/performance.md, in one run:
#   bench/run.sh sqlite      (default)   or   bench/run.sh postgres
# Environment: SPREAD (cases spread over 49 departments and 2016-2026, default 900000),
# FOCUS (cases of department 2 in 2024, default 100000), DURATION (seconds per load, default 10),
# PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), WORK (default /tmp/gongkai-bench).
# Installs wrk from Debian's packages when missing. Prints one RESULT line per measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
SPREAD=${SPREAD:-900000}
FOCUS=${FOCUS:-100000}
DURATION=${DURATION:-10}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
WORK=${WORK:-/tmp/gongkai-bench}
PORT=${PORT:-18990}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q
BIN=$PWD/target/release/gongkai
mkdir -p "$WORK"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); backend $backend"

fresh_db() { # name -> url
  if [ "$backend" = postgres ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $1" >/dev/null
    echo "${PG_ADMIN_URL%/*}/$1"
  else
    rm -f "$WORK/$1.sqlite3"*
    echo "$WORK/$1.sqlite3"
  fi
}

bare() { # url agency year
  if [ "$backend" = postgres ]; then python3 bench/bare_queries.py postgres "$1" "$2" "$3" 20
  else python3 bench/bare_queries.py sqlite "$1" "$2" "$3" 20; fi
}

start_server() { # url
  GONGKAI__BACKGROUND__SWEEP_ENABLED=false GONGKAI__LOG__LEVEL=error "$BIN" --database-url "$1" serve \
    --bind "127.0.0.1:$PORT" 2>>"$WORK/server.log" &
  SERVER=$!
  for _ in $(seq 1 100); do
    kill -0 "$SERVER" 2>/dev/null || { echo "server exited (see $WORK/server.log)" >&2; exit 1; }
    curl -sf "127.0.0.1:$PORT/readyz" >/dev/null && return
    sleep 0.1
  done
  echo "server did not start" >&2; exit 1
}

load() { # label connections script [env...]
  local label=$1 conns=$2 script=$3
  local out
  local threads=$(( conns < 2 ? 1 : 2 ))
  out=$(wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency -s "bench/$script" "http://127.0.0.1:$PORT" | grep RESULT)
  echo "RESULT $backend $label connections=$conns ${out#RESULT }"
}

warm() { # connections script: the same load for 3 s, not reported (a started service first
  # faults in its database pages and starts its threads; the targets are for a service in use)
  wrk -t2 -c"$1" -d3s -s "bench/$2" "http://127.0.0.1:$PORT" >/dev/null
}

measure() { # name spread focus
  local name=$1 spread=$2 focus=$3 url started seeded
  url=$(fresh_db "$name")
  started=$(date +%s.%N)
  "$BIN" --database-url "$url" seed --agencies 50 --cases "$spread" --focus-cases "$focus" --focus-year 2024 \
    --from-year 2016 --to-year 2026 --seed 7 2>/dev/null | tail -n 1
  seeded=$(echo "$(date +%s.%N) - $started" | bc)
  echo "RESULT $backend seed-$name cases=$((spread + focus)) seconds=$seeded"
  export GONGKAI_TOKEN
  GONGKAI_TOKEN=$("$BIN" --database-url "$url" user add --name bench --role admin 2>/dev/null | tail -n 1)
  start_server "$url"
  echo "/api/v1/reports/annual/2024?agency_id=2" > "$WORK/report.paths"
  GONGKAI_PATHS="$WORK/report.paths" load "report-$name" 1 get.lua
  echo "RESULT $backend bare-queries-$name median_ms=$(bare "$url" 2 2024)"
  if [ "$name" = big ]; then
    python3 -c "import random; random.seed(1); [print(f'/api/v1/cases/{random.randint(1, $((spread + focus)))}') for _ in range(2000)]" > "$WORK/read.paths"
    GONGKAI_PATHS="$WORK/read.paths" warm 32 get.lua
    GONGKAI_PATHS="$WORK/read.paths" load "case-read" 32 get.lua
    for q in "agency_id=2&status=received" "agency_id=2&received_from=2024-03-01&received_to=2024-03-31" \
             "overdue=true&limit=50" "agency_id=7&q=%E9%A2%84%E7%AE%97&limit=20"; do
      echo "/api/v1/cases?$q"
    done > "$WORK/list.paths"
    GONGKAI_PATHS="$WORK/list.paths" warm 32 get.lua
    GONGKAI_PATHS="$WORK/list.paths" load "case-list" 32 get.lua
    GONGKAI_AGENCY=3 warm 32 intake.lua
    GONGKAI_AGENCY=3 load "intake" 32 intake.lua &
    local wrk_pid=$! rss=0
    while kill -0 "$wrk_pid" 2>/dev/null; do
      rss=$(( $(ps -o rss= -p "$SERVER") > rss ? $(ps -o rss= -p "$SERVER") : rss )); sleep 0.5
    done
    wait "$wrk_pid"
    echo "RESULT $backend rss-under-intake-load max_mib=$((rss / 1024))"
    # The same intake spread over the 50 agencies (each agency has its own case-number counter).
    GONGKAI_AGENCIES=50 warm 32 intake.lua
    GONGKAI_AGENCIES=50 load "intake-50-agencies" 32 intake.lua
    if [ "$backend" = postgres ]; then
      # What PostgreSQL alone does with the intake's writes, at the service's pool size (8), with
      # the service idle: the statements as the service sends them, then all in one statement.
      for script in pg_intake_floor pg_intake_floor_one_statement; do
        for range in "3 3" "1 50"; do
          read -r from to <<< "$range"
          tps=$(pgbench -n -c 8 -j 2 -T "$DURATION" -D from="$from" -D to="$to" -f "bench/$script.sql" "$url" 2>&1 |
            awk '/^tps/ {printf "%.0f", $3}')
          echo "RESULT $backend $script agencies=$from-$to clients=8 tps=$tps"
        done
      done
    fi
  fi
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
}

measure big "$SPREAD" "$FOCUS"
measure small 0 "$FOCUS"
