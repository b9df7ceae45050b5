#!/usr/bin/env bash
# Benchmark of per-case scoring: `mi-score` on COUNT grouped cases against `jq -c .` and `cat` on the same file, in
# one run; prints wall and CPU seconds (best of RUNS=3 runs each, the machine being shared), rates, peak RSS and
# the ratios to jq (issue 4: at least 10× faster than jq).
# Data: mi-gen over the project's example dictionaries; a DIP catalog derived from a smaller history with
# `mi-score derive --method dip`; the cases grouped with `mi-group --dip`; scored under examples/params-2024.toml
# (per-diem categories included) with the point value set to the derived catalog's yuan per point.
# Usage: scripts/bench-score.sh [COUNT]   (default 1,000,000; HISTORY=n cases per history year, default COUNT/10;
# BUILD=dir to use another release scratch path)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
history=${HISTORY:-$((count / 10))}
build=${BUILD:-.build-release}
command -v jq >/dev/null || { echo "bench-score: installing jq" >&2; apt-get install -y jq >/dev/null; }
command -v bc >/dev/null || { echo "bench-score: installing bc" >&2; apt-get install -y bc >/dev/null; }
for product in mi-gen mi-catalog mi-score mi-group; do
  swift build -c release --scratch-path "$build" --product "$product" >&2
done
bin=$build/release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
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
  local name=$1 n=$2 bytes=$3
  shift 3
  local t0 t1 secs best= rss user sys cpu
  for _ in $(seq "$runs"); do
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M %U %S" -o "$dir/time" "$@" > "$dir/out" 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
    t1=$(date +%s.%N)
    secs=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then
      best=$secs
      read -r rss user sys < "$dir/time"
      cpu=$(echo "$user + $sys" | bc -l)
    fi
  done
  secs=$best
  printf '%-10s wall %7.3f s %9.0f cases/s %6.1f MB/s | cpu %6.2f s | peak RSS %7d KB\n' "$name" "$secs" \
    "$(echo "$n / $secs" | bc -l)" "$(echo "$bytes / $secs / 1000000" | bc -l)" "$cpu" "$rss"
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
  "$(echo "$(cat "$dir/t-jq") / $(cat "$dir/t-mi-score-1")" | bc -l)" \
  "$(echo "$(cat "$dir/c-jq") / $(cat "$dir/c-mi-score-1")" | bc -l)"
printf 'mi-score (%d workers) vs jq -c .: %.1fx faster in wall time, %.1fx in CPU time; vs cat: %.1fx the wall time\n' \
  "$(nproc)" "$(echo "$(cat "$dir/t-jq") / $(cat "$dir/t-mi-score")" | bc -l)" \
  "$(echo "$(cat "$dir/c-jq") / $(cat "$dir/c-mi-score")" | bc -l)" \
  "$(echo "$(cat "$dir/t-mi-score") / $(cat "$dir/t-cat")" | bc -l)"
grep -o '"score_rule":"[^"]*"' "$dir/out" | sed 's/:capped-[0-9]*d/:capped/' | sort | uniq -c | sort -rn | head -8
