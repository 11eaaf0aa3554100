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
# shellcheck source=bench/seeded.sh
. bench/seeded.sh
seeded_server search "$PORT"
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
