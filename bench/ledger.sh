#!/usr/bin/env bash
# The case ledger (台账) at scale, on SQLite, with a release build:
#   bench/ledger.sh
# Seeds 100,000 cases into one department (`gongkai seed --agencies 2 --cases 0 --focus-cases
# 100000 --focus-year 2024`), exports its ledger as XLSX and CSV, and imports each file into a
# fresh database, each command under /usr/bin/time -v. Targets (issue 18): import of 100,000
# rows under 20 s, export under 5 s, under 200 MB of memory for both.
# Environment: ROWS (default 100000), WORK (default /tmp/gongkai-ledger-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
WORK=${WORK:-/tmp/gongkai-ledger-bench}
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release -q
BIN=$PWD/target/release/gongkai
rm -rf "$WORK" && mkdir -p "$WORK"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); SQLite; $ROWS rows"

measure() { # label command...
  local label=$1; shift
  /usr/bin/time -v "$@" >"$WORK/$label.out" 2>"$WORK/$label.err" || { cat "$WORK/$label.err" >&2; exit 1; }
  local elapsed rss
  elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/$label.err")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/$label.err")
  echo "RESULT $label: wall $elapsed, max RSS ${rss} MB — $(tail -n 1 "$WORK/$label.out")"
}

export GONGKAI__LOG__LEVEL=warn
DATABASE_URL=$WORK/source.sqlite3 "$BIN" seed --agencies 2 --cases 0 --focus-cases "$ROWS" --focus-year 2024 --seed 18 \
  >/dev/null 2>&1
for format in xlsx csv; do
  DATABASE_URL=$WORK/source.sqlite3 measure "export_$format" \
    "$BIN" ledger export --agency 2 --format "$format" --output "$WORK/ledger.$format"
done
ls -l "$WORK"/ledger.*
for format in xlsx csv; do
  # A fresh database with the same two agencies and no cases.
  DATABASE_URL=$WORK/target_$format.sqlite3 "$BIN" seed --agencies 2 --cases 0 --seed 18 >/dev/null 2>&1
  DATABASE_URL=$WORK/target_$format.sqlite3 measure "import_$format" \
    "$BIN" ledger import --file "$WORK/ledger.$format" --agency 2
done
# The reports of 2024 agree (the import is exact).
for db in source target_xlsx; do
  DATABASE_URL=$WORK/$db.sqlite3 "$BIN" report --year 2024 --agency 2 --format csv --output "$WORK/report_$db.csv" 2>/dev/null
done
cmp "$WORK/report_source.csv" "$WORK/report_target_xlsx.csv" && echo "RESULT report 2024: identical after the round trip"
