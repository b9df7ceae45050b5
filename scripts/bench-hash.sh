#!/usr/bin/env bash
# Benchmark of the input SHA-256 that `--post` records (mi-clear, mi-capita): mi-bench-core --sha256 hashes every
# line and its newline as a posting run does, against `sha256sum` on the same file; both digests must agree.
# Usage: scripts/bench-hash.sh [COUNT] [RUNS]   (default 430,000 cases, about 340 MB; 5 runs, median quoted)
. "$(dirname "$0")/bench-lib.sh"
count=${1:-430000}
runs=${2:-5}
bench_need bc
bench_build mi-gen mi-bench-core
bench_tmpdir
"$bin/mi-gen" cases --count "$count" --seed 1 --year 2024 -o "$dir/cases.ndjson"
size=$(stat -c %s "$dir/cases.ndjson")
echo "input: $count cases, $((size / 1000000)) MB"
ours=$("$bin/mi-bench-core" --sha256 "$dir/cases.ndjson")
theirs=$(sha256sum "$dir/cases.ndjson" | cut -d' ' -f1)
[ "$ours" = "$theirs" ] || { echo "bench-hash: digests differ: $ours against $theirs" >&2; exit 1; }
cat "$dir/cases.ndjson" > /dev/null  # in the page cache for both
measure() { # name, command...: the median wall time of $runs runs, in seconds
  local name=$1
  shift
  for _ in $(seq "$runs"); do
    bench_run "$name" "$@"
    echo "$secs"
  done | bench_median > "$dir/median-$name"
  printf '%-22s %6.2f s  %7.1f MB/s  (median of %d)\n' "$name" "$(cat "$dir/median-$name")" \
    "$(echo "$size / $(cat "$dir/median-$name") / 1000000" | bc -l)" "$runs"
}
measure sha256sum sha256sum "$dir/cases.ndjson"
measure "mi-bench-core --sha256" "$bin/mi-bench-core" --sha256 "$dir/cases.ndjson"
printf 'mi-bench-core --sha256 takes %.2fx the time of sha256sum\n' \
  "$(bench_ratio "median-mi-bench-core --sha256" median-sha256sum)"
