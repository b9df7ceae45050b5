#!/usr/bin/env bash
# Benchmark of DIP: `mi-score derive --method dip` on 3 × COUNT historical cases, then `mi-group --dip` on COUNT
# current-year cases against `jq -c .` and `cat` on the same file, in one run; prints seconds, rates, peak RSS,
# the ratio to jq and the 入组率. Data: mi-gen over the project's example dictionaries (examples/dx.tsv,
# examples/proc.tsv) with the example operation-class dictionary examples/dip/proc-class.tsv.
# Usage: scripts/bench-dip.sh [COUNT]   (default 1,000,000; BUILD=dir to use another release scratch path)
. "$(dirname "$0")/bench-lib.sh"
count=${1:-1000000}
bench_need jq bc
bench_build mi-gen mi-catalog mi-score mi-group
bench_tmpdir
export MI_DB="$dir/mi.db"
dicts=(--dx examples/dx.tsv --proc examples/proc.tsv)
"$bin/mi-catalog" init 2>/dev/null
"$bin/mi-catalog" import proc-class examples/dip/proc-class.tsv --name pc-demo
for y in 2021 2022 2023; do
  "$bin/mi-gen" cases --count "$count" --seed "$y" --year "$y" "${dicts[@]}"
done > "$dir/history.ndjson"
"$bin/mi-gen" cases --count "$count" --seed 2024 --year 2024 "${dicts[@]}" -o "$dir/cases.ndjson"
hsize=$(stat -c %s "$dir/history.ndjson")
size=$(stat -c %s "$dir/cases.ndjson")
echo "history: $((count * 3)) cases, $((hsize / 1000000)) MB; current year: $count cases, $((size / 1000000)) MB"
measure() { # name, cases, bytes, command...: prints wall and CPU seconds, rates and peak RSS
  local name=$1 n=$2 bytes=$3
  shift 3
  bench_run "$name" "$@"
  bench_line "$name" "$n" "$bytes"
}
measure derive $((count * 3)) "$hsize" "$bin/mi-score" derive --method dip --proc-class pc-demo \
  --import dip-bench "$dir/history.ndjson"
cat "$dir/err"
measure cat "$count" "$size" cat "$dir/cases.ndjson"
measure jq "$count" "$size" jq -c . "$dir/cases.ndjson"
measure mi-group-1 "$count" "$size" "$bin/mi-group" --dip dip-bench --threads 1 "$dir/cases.ndjson"
measure mi-group "$count" "$size" "$bin/mi-group" --dip dip-bench "$dir/cases.ndjson"
tail -1 "$dir/err"
printf 'mi-group --dip (%d workers) is %.1fx faster than jq -c . and takes %.1fx the time of cat; one worker: %.1fx\n' \
  "$(nproc)" "$(bench_ratio t-jq t-mi-group)" "$(bench_ratio t-mi-group t-cat)" "$(bench_ratio t-jq t-mi-group-1)"
grep -o '"group_reason":"no core[^"]*"' "$dir/out" | sort | uniq -c | sort -rn | head -5 || true
