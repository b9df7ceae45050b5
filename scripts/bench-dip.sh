#!/usr/bin/env bash
# Benchmark of DIP: `mi-score derive --method dip` on 3 × COUNT historical cases, then `mi-group --dip` on COUNT
# current-year cases against `jq -c .` and `cat` on the same file, in one run; prints seconds, rates, peak RSS,
# the ratio to jq and the 入组率. Data: mi-gen over the project's example dictionaries (examples/dx.tsv,
# examples/proc.tsv) with the example operation-class dictionary examples/dip/proc-class.tsv.
# Usage: scripts/bench-dip.sh [COUNT]   (default 1,000,000; BUILD=dir to use another release scratch path)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
build=${BUILD:-.build-release}
command -v jq >/dev/null || { echo "bench-dip: installing jq" >&2; apt-get install -y jq >/dev/null; }
command -v bc >/dev/null || { echo "bench-dip: installing bc" >&2; apt-get install -y bc >/dev/null; }
for product in mi-gen mi-catalog mi-score mi-group; do
  swift build -c release --scratch-path "$build" --product "$product" >&2
done
bin=$build/release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
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
  local t0 t1 secs rss user sys
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$dir/time" "$@" > "$dir/out" 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  read -r rss user sys < "$dir/time"
  printf '%-10s wall %8.3f s %9.0f cases/s %6.1f MB/s | cpu %6.2f s | peak RSS %7d KB\n' "$name" "$secs" \
    "$(echo "$n / $secs" | bc -l)" "$(echo "$bytes / $secs / 1000000" | bc -l)" "$(echo "$user + $sys" | bc -l)" "$rss"
  echo "$secs" > "$dir/t-$name"
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
  "$(nproc)" "$(echo "$(cat "$dir/t-jq") / $(cat "$dir/t-mi-group")" | bc -l)" \
  "$(echo "$(cat "$dir/t-mi-group") / $(cat "$dir/t-cat")" | bc -l)" \
  "$(echo "$(cat "$dir/t-jq") / $(cat "$dir/t-mi-group-1")" | bc -l)"
grep -o '"group_reason":"no core[^"]*"' "$dir/out" | sort | uniq -c | sort -rn | head -5 || true
