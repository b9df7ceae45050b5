#!/usr/bin/env bash
# Benchmark of the input SHA-256 that `--post` records (mi-clear, mi-capita): mi-bench-core --sha256 hashes every
# line and its newline as a posting run does, against `sha256sum` on the same file; both digests must agree.
# Usage: scripts/bench-hash.sh [COUNT] [RUNS]   (default 430,000 cases, about 340 MB; 5 runs, median quoted)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-430000}
runs=${2:-5}
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --scratch-path .build-release --product mi-gen >&2
swift build -c release --scratch-path .build-release --product mi-bench-core >&2
bin=.build-release/release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin/mi-gen" cases --count "$count" --seed 1 --year 2024 -o "$dir/cases.ndjson"
size=$(stat -c %s "$dir/cases.ndjson")
echo "input: $count cases, $((size / 1000000)) MB"
ours=$("$bin/mi-bench-core" --sha256 "$dir/cases.ndjson")
theirs=$(sha256sum "$dir/cases.ndjson" | cut -d' ' -f1)
[ "$ours" = "$theirs" ] || { echo "bench-hash: digests differ: $ours against $theirs" >&2; exit 1; }
cat "$dir/cases.ndjson" > /dev/null  # in the page cache for both
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() { # name, command...: the median wall time of $runs runs, in seconds
  local name=$1
  shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e" -o "$dir/t" "$@" > /dev/null
    cat "$dir/t"
  done | median > "$dir/median-$name"
  printf '%-22s %6.2f s  %7.1f MB/s  (median of %d)\n' "$name" "$(cat "$dir/median-$name")" \
    "$(echo "$size / $(cat "$dir/median-$name") / 1000000" | bc -l)" "$runs"
}
measure sha256sum sha256sum "$dir/cases.ndjson"
measure "mi-bench-core --sha256" "$bin/mi-bench-core" --sha256 "$dir/cases.ndjson"
printf 'mi-bench-core --sha256 takes %.2fx the time of sha256sum\n' \
  "$(echo "$(cat "$dir/median-mi-bench-core --sha256") / $(cat "$dir/median-sha256sum")" | bc -l)"
