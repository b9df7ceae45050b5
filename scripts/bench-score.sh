#!/usr/bin/env bash
# Benchmark of per-case scoring: `mi-score` on COUNT grouped cases against `jq -c .` and `cat` on the same file, in
# one run; prints wall and CPU seconds (best of RUNS=3 runs each, the machine being shared), rates, peak RSS and
# the ratios to jq (issue 4: at least 10× faster than jq).
# Data: mi-gen over the project's example dictionaries; a DIP catalog derived from a smaller history with
# `mi-score derive --method dip`; the cases grouped with `mi-group --dip`; scored under examples/params-2024.toml
# (per-diem categories included) with the point value set to the derived catalog's yuan per point.
# Usage: scripts/bench-score.sh [COUNT]   (default 1,000,000; HISTORY=n cases per history year, default COUNT/10;
# BUILD=dir to use another release scratch path)
. "$(dirname "$0")/bench-lib.sh"
count=${1:-1000000}
history=${HISTORY:-$((count / 10))}
bench_need jq bc
bench_build mi-gen mi-catalog mi-score mi-group
bench_tmpdir
export MI_DB="$dir/mi.db"
dicts=(--dx examples/dx.tsv --proc examples/proc.tsv)
"$bin/mi-catalog" init 2>/dev/null
"$bin/mi-catalog" import proc-class examples/dip/proc-class.tsv --name pc-demo 2>/dev/null
for y in 2021 2022 2023; do
  "$bin/mi-gen" cases --count "$history" --seed "$y" --year "$y" "${dicts[@]}"
done > "$dir/history.ndjson"
"$bin/mi-score" derive --method dip --proc-class pc-demo --import dip-bench "$dir/history.ndjson" \
  > /dev/null 2> "$dir/derive.err" || { cat "$dir/derive.err" >&2; exit 1; }
# The example params price a point at 8 yuan (DOMAIN.md §9.3); the derived catalog's point is worth M / scale
# yuan (M: the pool mean it reports), so the benchmark classifies against that, as a bureau's 年初点值 would.
pv=$(sed -n 's/.*pool mean M \([0-9.]*\) yuan; score scale ×\([0-9]*\).*/\1 \2/p' "$dir/derive.err" \
  | awk '{ printf "%.6f", $1 / $2 }')
sed "0,/^point_value = .*/s//point_value = $pv/" examples/params-2024.toml > "$dir/params.toml"
"$bin/mi-catalog" import params "$dir/params.toml" --name params-bench
"$bin/mi-gen" cases --count "$count" --seed 2024 --year 2024 "${dicts[@]}" \
  | "$bin/mi-group" --dip dip-bench -o "$dir/grouped.ndjson" 2> "$dir/group.err" || { cat "$dir/group.err" >&2; exit 1; }
tail -1 "$dir/group.err"
size=$(stat -c %s "$dir/grouped.ndjson")
echo "grouped cases: $count, $((size / 1000000)) MB (catalog from $((history * 3)) history cases)"
runs=${RUNS:-3}
measure() { # name, cases, bytes, command...: best of RUNS runs: wall and CPU seconds, rates and peak RSS
  local name=$1 n=$2 bytes=$3 best= best_cpu best_rss
  shift 3
  for _ in $(seq "$runs"); do
    bench_run "$name" "$@"
    if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then
      best=$secs best_cpu=$cpu best_rss=$rss
    fi
  done
  secs=$best cpu=$best_cpu rss=$best_rss
  bench_line "$name" "$n" "$bytes"
  echo "$secs" > "$dir/t-$name"
  echo "$cpu" > "$dir/c-$name"
}
measure cat "$count" "$size" cat "$dir/grouped.ndjson"
measure jq "$count" "$size" jq -c . "$dir/grouped.ndjson"
measure mi-score-1 "$count" "$size" "$bin/mi-score" --params params-bench --catalog dip-bench --threads 1 \
  "$dir/grouped.ndjson"
measure mi-score "$count" "$size" "$bin/mi-score" --params params-bench --catalog dip-bench "$dir/grouped.ndjson"
tail -1 "$dir/err"
printf 'mi-score --threads 1 vs jq -c .: %.1fx faster in wall time, %.1fx in CPU time\n' \
  "$(bench_ratio t-jq t-mi-score-1)" "$(bench_ratio c-jq c-mi-score-1)"
printf 'mi-score (%d workers) vs jq -c .: %.1fx faster in wall time, %.1fx in CPU time; vs cat: %.1fx the wall time\n' \
  "$(nproc)" "$(bench_ratio t-jq t-mi-score)" "$(bench_ratio c-jq c-mi-score)" "$(bench_ratio t-mi-score t-cat)"
grep -o '"score_rule":"[^"]*"' "$dir/out" | sed 's/:capped-[0-9]*d/:capped/' | sort | uniq -c | sort -rn | head -8
