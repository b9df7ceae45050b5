#!/usr/bin/env bash
# Benchmark of mi-group --scheme (DRG grouping) against `jq -c .` and `cat` on the same file, in one run.
# Generates COUNT cases over the CHS-DRG 1.1 codes with mi-gen, imports the scheme, groups them (mi-group uses one
# core with --threads 1, then with the default workers) and prints wall-clock and CPU (user + system) rates, peak
# RSS and the ratios — CPU time is the fairer figure on a shared machine; then streams 10 × COUNT cases through mi-group to show that its
# memory stays flat. Needs ../shared/reference/drg/chs-drg-1.1.
# Usage: scripts/bench-group.sh [COUNT]   (default 1,000,000 cases; set BENCH_BIG=0 to skip the 10 × COUNT run)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
big=${BENCH_BIG:-1}
scheme=../shared/reference/drg/chs-drg-1.1
[ -f "$scheme/scheme.json" ] || { echo "bench-group: $scheme is absent" >&2; exit 3; }
command -v jq >/dev/null || { echo "bench-group: installing jq" >&2; apt-get install -y jq >/dev/null; }
command -v bc >/dev/null || { echo "bench-group: installing bc" >&2; apt-get install -y bc >/dev/null; }
for product in mi-gen mi-catalog mi-group; do
  swift build -c release --scratch-path .build-release --product "$product" >&2
done
bin=.build-release/release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export MI_DB="$dir/mi.db"
"$bin/mi-catalog" init 2>/dev/null
"$bin/mi-catalog" import drg-scheme "$scheme" --name chs-drg-1.1
"$bin/mi-gen" cases --count "$count" --seed 1 --dx "$scheme/dx.tsv" --proc "$scheme/proc.tsv" -o "$dir/cases.ndjson"
size=$(stat -c %s "$dir/cases.ndjson")
echo "input: $count cases, $((size / 1000000)) MB"
measure() { # name, command...: prints wall and CPU seconds, rates and peak RSS
  local name=$1
  shift
  local t0 t1 secs cpu
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$dir/time" "$@" > "$dir/out" 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  read -r rss user sys < "$dir/time"
  cpu=$(echo "$user + $sys" | bc -l)
  printf '%-10s wall %7.2f s %9.0f cases/s %6.1f MB/s | cpu %6.2f s %9.0f cases/s | peak RSS %6d KB\n' "$name" \
    "$secs" "$(echo "$count / $secs" | bc -l)" "$(echo "$size / $secs / 1000000" | bc -l)" \
    "$cpu" "$(echo "$count / $cpu" | bc -l)" "$rss"
  echo "$secs" > "$dir/t-$name"
  echo "$cpu" > "$dir/c-$name"
}
measure cat cat "$dir/cases.ndjson"
measure jq jq -c . "$dir/cases.ndjson"
measure mi-group-1 "$bin/mi-group" --scheme chs-drg-1.1 --threads 1 "$dir/cases.ndjson"
measure mi-group "$bin/mi-group" --scheme chs-drg-1.1 "$dir/cases.ndjson"
tail -1 "$dir/err"
ratio() { echo "$(cat "$dir/$1-$2") / $(cat "$dir/$1-$3")" | bc -l; }
printf 'mi-group (%d workers) vs jq -c .: %.1fx faster in wall time; vs cat: %.1fx the wall time\n' \
  "$(nproc)" "$(ratio t jq mi-group)" "$(ratio t mi-group cat)"
printf 'mi-group --threads 1 vs jq -c .: %.1fx faster in wall time, %.1fx in CPU time\n' \
  "$(ratio t jq mi-group-1)" "$(ratio c jq mi-group-1)"
rm -f "$dir/out"
if [ "$big" != 0 ]; then
  n=$((count * 10))
  # 10 × COUNT cases through a pipe (no 5 GB file): only mi-group's peak RSS matters here.
  "$bin/mi-gen" cases --count "$n" --seed 2 --dx "$scheme/dx.tsv" --proc "$scheme/proc.tsv" \
    | /usr/bin/time -f "%M" -o "$dir/rss-big" "$bin/mi-group" --scheme chs-drg-1.1 > /dev/null 2> "$dir/err-big"
  tail -1 "$dir/err-big"
  printf 'mi-group on %d cases: peak RSS %d KB\n' "$n" "$(cat "$dir/rss-big")"
fi
