#!/usr/bin/env bash
# Benchmark of the year-end clearing: a generated city-year of scored inpatient cases over 300 hospitals settles
# against examples/params-2024.toml (budgets ×100); prints time, peak RSS and the pools' reconciliation lines,
# and the same for a tenth of the cases, to show that memory follows hospitals, not cases.
# Usage: scripts/bench-clear.sh [COUNT]   (default 2,000,000 cases; the done-when limit is 20 s)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000000}
swift build -c release --scratch-path .build-release --product mi-gen >&2
swift build -c release --scratch-path .build-release --product mi-clear >&2
bin=.build-release/release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# mi-gen does not score. points = medfee_sumamt ÷ 8 (the year-start 点值 of the example params), written with 4
# decimals: a deterministic stand-in for mi-score, enough to exercise the clearing arithmetic.
score() {
  awk -F'"medfee_sumamt":' '{ split($2, a, ","); printf "%s,\"points\":%.4f,\"case_class\":\"normal\"}\n", substr($0, 1, length($0) - 1), a[1] / 8 }'
}
# The generated cases are kept in $data between runs (delete it to generate them again): generating and scoring
# 2,000,000 cases takes longer than clearing them.
data=${TMPDIR:-/tmp}/mi-bench-clear-$count
mkdir -p "$data"
if [ ! -s "$data/cases.ndjson" ] || [ ! -s "$data/tenth.ndjson" ]; then
  "$bin/mi-gen" cases --count "$count" --hospitals 300 --seed 1 --year 2024 | score > "$data/cases.ndjson"
  "$bin/mi-gen" cases --count "$((count / 10))" --hospitals 300 --seed 2 --year 2024 | score > "$data/tenth.ndjson"
fi
# The example budgets are sized for the demo's 20,000 cases: ×100 for the city-year.
sed -E 's/^budget = ([0-9]+)\.00$/budget = \100.00/' examples/params-2024.toml > "$dir/params.toml"
size=$(stat -c %s "$data/cases.ndjson")
echo "input: $count scored cases over 300 hospitals, $((size / 1000000)) MB"
measure() { # name, file: settle the year; print seconds, cases/s, peak RSS, then the reconciliation
  local name=$1 file=$2 n t0 t1 secs
  n=$(wc -l < "$file")
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$dir/rss" "$bin/mi-clear" settle --year 2024 --params "$dir/params.toml" \
    --no-ledger --adjustments examples/adjustments.ndjson "$file" > "$dir/out" 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  read -r rss user sys < "$dir/rss"
  # CPU time (user + system) is shown beside the wall time: on 2 shared cores the wall time depends on the load.
  printf '%-8s %9d cases %8.3f s wall %7.2f s CPU %10.0f cases/s  peak RSS %7d KB\n' "$name" "$n" "$secs" \
    "$(echo "$user + $sys" | bc -l)" "$(echo "$n / $secs" | bc -l)" "$rss"
  echo "$secs" > "$dir/t-$name"
  echo "$rss" > "$dir/m-$name"
}
measure tenth "$data/tenth.ndjson"
measure full "$data/cases.ndjson"
echo "summary: $(tail -1 "$dir/err")"
echo "reconciliation (kind pool):"
grep '"kind":"pool"' "$dir/out" | sed -E 's/.*"pool":"([0-9]+)".*"point_value":([0-9.]+).*"budget_diff_amt":([-0-9.]+).*"clearing_amt":([-0-9.]+).*"check":"([a-z]+)","checks":\[(.*)\]\}/  pool \1: point value \2, budget_diff \3, clearing \4, check \5\n    \6/' \
  | sed 's/","/\n    /g; s/"//g'
printf 'time for %d cases: %.2f s (limit 20 s); RSS full/tenth: %.2f\n' "$count" "$(cat "$dir/t-full")" \
  "$(echo "$(cat "$dir/m-full") / $(cat "$dir/m-tenth")" | bc -l)"
