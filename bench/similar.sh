#!/usr/bin/env bash
# The repeat look-up (issue 21): `GET /api/v1/cases/{id}/similar` on random cases of a seeded
# population, by one client and by four at once; prints how many requests the seeded applicants
# have, how many similar requests the look-up finds, and the p50/p99 of each load.
#   bench/similar.sh [sqlite|postgres]
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
PORT=${PORT:-18992}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [ -z "${BIN:-}" ]; then cargo build --release -q; BIN=$PWD/target/release/gongkai; fi
mkdir -p "$WORK"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); backend $backend; $($BIN --version 2>/dev/null || true)"
if [ "$backend" = postgres ]; then
  url="${PG_ADMIN_URL%/*}/gongkai_similar_bench"
  if [ "${REUSE:-0}" != 1 ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS gongkai_similar_bench WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE gongkai_similar_bench" >/dev/null
  fi
else
  url="$WORK/similar.sqlite3"
  [ "${REUSE:-0}" = 1 ] || rm -f "$url"*
fi
if [ "${REUSE:-0}" != 1 ]; then
  started=$(date +%s.%N)
  # The seeder draws each case's applicant from a pool a third as large as the cases: about
  # three requests per applicant (up to a dozen or more), over 8 subjects, so most look-ups
  # have candidates and many find similar requests.
  "$BIN" --database-url "$url" seed --agencies 50 --cases "$CASES" --from-year 2016 --to-year 2026 --seed 7 \
    2>/dev/null | tail -n 1
  echo "RESULT $backend seed cases=$CASES seconds=$(echo "$(date +%s.%N) - $started" | bc)"
fi
export GONGKAI_TOKEN
GONGKAI_TOKEN=$("$BIN" --database-url "$url" user add --name bench --role admin 2>/dev/null | tail -n 1)
GONGKAI__BACKGROUND__SWEEP_ENABLED=false GONGKAI__MAIL__WORKER_ENABLED=false GONGKAI__MAIL__REMINDERS_ENABLED=false \
  GONGKAI__LOG__LEVEL=error "$BIN" --database-url "$url" serve --bind "127.0.0.1:$PORT" 2>>"$WORK/similar-server.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
python3 -c "import random; random.seed(3); [print(f'/api/v1/cases/{random.randint(1, $CASES)}/similar') for _ in range(2000)]" \
  > "$WORK/similar.paths"
# What the look-ups find: items per look-up over the first 300 paths.
head -n 300 "$WORK/similar.paths" | PORT=$PORT python3 -c '
import json, os, sys, urllib.request
port, token = os.environ["PORT"], os.environ["GONGKAI_TOKEN"]
counts = []
for path in sys.stdin.read().split():
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    counts.append(len(json.load(urllib.request.urlopen(req))["items"]))
found = sum(1 for c in counts if c)
print(f"RESULT look-ups={len(counts)} with_items={found} items_mean={sum(counts)/len(counts):.2f} items_max={max(counts)}")
'
# Warm-up (pages faulted in), then the measured loads.
GONGKAI_PATHS="$WORK/similar.paths" wrk -t1 -c4 -d5s -s bench/get.lua "http://127.0.0.1:$PORT" >/dev/null
for clients in 1 4; do
  GONGKAI_PATHS="$WORK/similar.paths" wrk -t1 -c"$clients" -d"${DURATION}s" --latency -s bench/get.lua \
    "http://127.0.0.1:$PORT" | grep RESULT | sed "s/^RESULT/RESULT $backend similar clients=$clients/"
done
