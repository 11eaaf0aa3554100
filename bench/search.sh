#!/usr/bin/env bash
# Text search under load (issue 16): 12 clients loop on `q` searches over a seeded population
# while one more client reads single cases; prints the p99 of each.
#   bench/search.sh [sqlite|postgres]
# Environment: CASES (default 1000000), DURATION (seconds, default 20), PG_ADMIN_URL, WORK
# (default /tmp/gongkai-bench), REUSE=1 to keep a database seeded by an earlier run, BIN (default
# target/release/gongkai, built first).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
CASES=${CASES:-1000000}
DURATION=${DURATION:-20}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
WORK=${WORK:-/tmp/gongkai-bench}
PORT=${PORT:-18991}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [ -z "${BIN:-}" ]; then cargo build --release -q; BIN=$PWD/target/release/gongkai; fi
mkdir -p "$WORK"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); backend $backend; $($BIN --version 2>/dev/null || true)"
if [ "$backend" = postgres ]; then
  url="${PG_ADMIN_URL%/*}/gongkai_search_bench"
  if [ "${REUSE:-0}" != 1 ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS gongkai_search_bench WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE gongkai_search_bench" >/dev/null
  fi
else
  url="$WORK/search.sqlite3"
  [ "${REUSE:-0}" = 1 ] || rm -f "$url"*
fi
if [ "${REUSE:-0}" != 1 ]; then
  started=$(date +%s.%N)
  "$BIN" --database-url "$url" seed --agencies 50 --cases "$CASES" --from-year 2016 --to-year 2026 --seed 7 \
    2>/dev/null | tail -n 1
  echo "RESULT $backend seed cases=$CASES seconds=$(echo "$(date +%s.%N) - $started" | bc)"
fi
export GONGKAI_TOKEN
GONGKAI_TOKEN=$("$BIN" --database-url "$url" user add --name bench --role admin 2>/dev/null | tail -n 1)
GONGKAI__BACKGROUND__SWEEP_ENABLED=false GONGKAI__MAIL__WORKER_ENABLED=false GONGKAI__MAIL__REMINDERS_ENABLED=false \
  GONGKAI__LOG__LEVEL=error "$BIN" --database-url "$url" serve --bind "127.0.0.1:$PORT" 2>>"$WORK/search-server.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
# The searches: names of three characters (a few hundred cases each), a case-number fragment,
# a subject common to an eighth of the cases, two characters within one agency, a word no case
# has, and an ASCII query in another case than stored.
{
  for name in 王伟伟 李芳娜 张敏静 刘强磊 陈军洋 杨勇艳; do echo "/api/v1/cases?q=$(enc "$name")&limit=20"; done
  echo "/api/v1/cases?q=$(enc "-7-2024-001")&limit=20"
  echo "/api/v1/cases?q=$(enc 财政预算)&limit=20"
  echo "/api/v1/cases?agency_id=7&q=$(enc 预算)&limit=20"
  echo "/api/v1/cases?q=$(enc 不存在的文件)&limit=20"
  echo "/api/v1/cases?q=seed&limit=20"
} > "$WORK/search.paths"
python3 -c "import random; random.seed(1); [print(f'/api/v1/cases/{random.randint(1, $CASES)}') for _ in range(2000)]" \
  > "$WORK/read.paths"
for p in $(cat "$WORK/search.paths"); do
  printf '%s -> %s\n' "$p" "$(curl -s -o /dev/null -w '%{http_code} %{time_total}s' -H "Authorization: Bearer $GONGKAI_TOKEN" "127.0.0.1:$PORT$p")"
done
# Warm-up (pages faulted in), then the measured load: both wrk processes at once.
GONGKAI_PATHS="$WORK/search.paths" wrk -t1 -c12 -d3s -s bench/get.lua "http://127.0.0.1:$PORT" >/dev/null
GONGKAI_PATHS="$WORK/read.paths" wrk -t1 -c1 -d3s -s bench/get.lua "http://127.0.0.1:$PORT" >/dev/null
GONGKAI_PATHS="$WORK/search.paths" wrk -t1 -c12 -d"${DURATION}s" --latency -s bench/get.lua \
  "http://127.0.0.1:$PORT" | grep RESULT | sed "s/^RESULT/RESULT $backend search clients=12/" &
searching=$!
GONGKAI_PATHS="$WORK/read.paths" wrk -t1 -c1 -d"${DURATION}s" --latency -s bench/get.lua \
  "http://127.0.0.1:$PORT" | grep RESULT | sed "s/^RESULT/RESULT $backend case-read-while-searching clients=1/"
wait "$searching"
