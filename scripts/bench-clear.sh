#!/usr/bin/env bash
# Benchmark of the year-end clearing: a generated city-year of scored inpatient cases over 300 hospitals settles
# against examples/params-2024.toml (budgets ×100); prints time, peak RSS and the pools' reconciliation lines,
# and the same for a tenth of the cases, to show that memory follows hospitals, not cases.
# Usage: scripts/bench-clear.sh [COUNT]   (default 2,000,000 cases; the done-when limit is 20 s)
. "$(dirname "$0")/bench-lib.sh"
count=${1:-2000000}
bench_need bc
bench_build mi-gen mi-clear
bench_tmpdir
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
measure() { # name, file: settle the year; print seconds, cases/s, CPU and peak RSS
  local n
  n=$(wc -l < "$2")
  # CPU time (user + system) is shown beside the wall time: on 2 shared cores the wall time depends on the load.
  bench_run "$1" "$bin/mi-clear" settle --year 2024 --params "$dir/params.toml" --no-ledger \
    --adjustments examples/adjustments.ndjson "$2"
  bench_line "$1" "$n" "$(stat -c %s "$2")"
}
measure tenth "$data/tenth.ndjson"
measure full "$data/cases.ndjson"
echo "summary: $(tail -1 "$dir/err")"
echo "reconciliation (kind pool):"
grep '"kind":"pool"' "$dir/out" | sed -E 's/.*"pool":"([0-9]+)".*"point_value":([0-9.]+).*"budget_diff_amt":([-0-9.]+).*"clearing_amt":([-0-9.]+).*"check":"([a-z]+)","checks":\[(.*)\]\}/  pool \1: point value \2, budget_diff \3, clearing \4, check \5\n    \6/' \
  | sed 's/","/\n    /g; s/"//g'
printf 'time for %d cases: %.2f s (limit 20 s); RSS full/tenth: %.2f\n' "$count" "$(cat "$dir/t-full")" \
  "$(bench_ratio m-full m-tenth)"
