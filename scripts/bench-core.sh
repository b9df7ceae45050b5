#!/usr/bin/env bash
# Benchmark of MICore alone: read, scan money fields into fen, re-emit — against `jq -c .` and `cat` on the same
# file, in one run. Usage: scripts/bench-core.sh [COUNT]   (default 1,000,000 cases)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
command -v jq >/dev/null || { echo "bench-core: installing jq" >&2; apt-get install -y jq >/dev/null; }
swift build -c release --scratch-path .build-release --product mi-gen >&2
swift build -c release --scratch-path .build-release --product mi-bench-core >&2
bin=.build-release/release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin/mi-gen" cases --count "$count" --seed 1 --year 2024 -o "$dir/cases.ndjson"
size=$(stat -c %s "$dir/cases.ndjson")
echo "input: $count cases, $((size / 1000000)) MB"
measure() { # name, command...: prints seconds and peak RSS
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$dir/rss" "$@" > "$dir/out" 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  local secs
  secs=$(echo "$t1 - $t0" | bc -l)
  printf '%-14s %8.3f s  %10.0f cases/s  %7.1f MB/s  peak RSS %6d KB\n' "$name" "$secs" \
    "$(echo "$count / $secs" | bc -l)" "$(echo "$size / $secs / 1000000" | bc -l)" "$(cat "$dir/rss")"
  echo "$secs" > "$dir/t-$name"
}
measure cat cat "$dir/cases.ndjson"
measure jq jq -c . "$dir/cases.ndjson"
measure mi-bench-core "$bin/mi-bench-core" "$dir/cases.ndjson"
tail -1 "$dir/err"
printf 'mi-bench-core is %.1fx faster than jq -c .\n' "$(echo "$(cat "$dir/t-jq") / $(cat "$dir/t-mi-bench-core")" | bc -l)"
