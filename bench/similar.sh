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
# shellcheck source=bench/seeded.sh
. bench/seeded.sh
seeded_server similar "$PORT"
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
