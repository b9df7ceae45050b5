#!/usr/bin/env bash
# Benchmark of mi-group --scheme (DRG grouping) against `jq -c .` and `cat` on the same file, in one run.
# Generates COUNT cases over the CHS-DRG 1.1 codes with mi-gen, imports the scheme, groups them (mi-group uses one
# core with --threads 1, then with the default workers) and prints wall-clock and CPU (user + system) rates, peak
# RSS and the ratios — CPU time is the fairer figure on a shared machine; then streams 10 × COUNT cases through mi-group to show that its
# memory stays flat. Needs ../shared/reference/drg/chs-drg-1.1.
# Usage: scripts/bench-group.sh [COUNT]   (default 1,000,000 cases; set BENCH_BIG=0 to skip the 10 × COUNT run)
. "$(dirname "$0")/bench-lib.sh"
count=${1:-1000000}
big=${BENCH_BIG:-1}
scheme=../shared/reference/drg/chs-drg-1.1
[ -f "$scheme/scheme.json" ] || { echo "bench-group: $scheme is absent" >&2; exit 3; }
bench_need jq bc
bench_build mi-gen mi-catalog mi-group
bench_tmpdir
export MI_DB="$dir/mi.db"
"$bin/mi-catalog" init 2>/dev/null
"$bin/mi-catalog" import drg-scheme "$scheme" --name chs-drg-1.1
"$bin/mi-gen" cases --count "$count" --seed 1 --dx "$scheme/dx.tsv" --proc "$scheme/proc.tsv" -o "$dir/cases.ndjson"
size=$(stat -c %s "$dir/cases.ndjson")
echo "input: $count cases, $((size / 1000000)) MB"
bench_run cat cat "$dir/cases.ndjson"
bench_line cat "$count" "$size"
bench_run jq jq -c . "$dir/cases.ndjson"
bench_line jq "$count" "$size"
bench_run mi-group-1 "$bin/mi-group" --scheme chs-drg-1.1 --threads 1 "$dir/cases.ndjson"
bench_line mi-group-1 "$count" "$size"
bench_run mi-group "$bin/mi-group" --scheme chs-drg-1.1 "$dir/cases.ndjson"
bench_line mi-group "$count" "$size"
tail -1 "$dir/err"
printf 'mi-group (%d workers) vs jq -c .: %.1fx faster in wall time; vs cat: %.1fx the wall time\n' \
  "$(nproc)" "$(bench_ratio t-jq t-mi-group)" "$(bench_ratio t-mi-group t-cat)"
printf 'mi-group --threads 1 vs jq -c .: %.1fx faster in wall time, %.1fx in CPU time\n' \
  "$(bench_ratio t-jq t-mi-group-1)" "$(bench_ratio c-jq c-mi-group-1)"
rm -f "$dir/out"
if [ "$big" != 0 ]; then
  n=$((count * 10))
  # 10 × COUNT cases through a pipe (no 5 GB file): only mi-group's peak RSS matters here.
  "$bin/mi-gen" cases --count "$n" --seed 2 --dx "$scheme/dx.tsv" --proc "$scheme/proc.tsv" \
    | /usr/bin/time -f "%M" -o "$dir/rss-big" "$bin/mi-group" --scheme chs-drg-1.1 > /dev/null 2> "$dir/err-big"
  tail -1 "$dir/err-big"
  printf 'mi-group on %d cases: peak RSS %d KB\n' "$n" "$(cat "$dir/rss-big")"
fi
