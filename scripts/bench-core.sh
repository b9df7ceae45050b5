#!/usr/bin/env bash
# Benchmark of MICore alone: read, scan money fields into fen, re-emit — against `jq -c .` and `cat` on the same
# file, in one run. Usage: scripts/bench-core.sh [COUNT]   (default 1,000,000 cases)
. "$(dirname "$0")/bench-lib.sh"
count=${1:-1000000}
bench_need jq bc
bench_build mi-gen mi-bench-core
bench_tmpdir
"$bin/mi-gen" cases --count "$count" --seed 1 --year 2024 -o "$dir/cases.ndjson"
size=$(stat -c %s "$dir/cases.ndjson")
echo "input: $count cases, $((size / 1000000)) MB"
bench_run cat cat "$dir/cases.ndjson"
bench_line cat "$count" "$size"
bench_run jq jq -c . "$dir/cases.ndjson"
bench_line jq "$count" "$size"
bench_run mi-bench-core "$bin/mi-bench-core" "$dir/cases.ndjson"
bench_line mi-bench-core "$count" "$size"
tail -1 "$dir/err"
printf 'mi-bench-core is %.1fx faster than jq -c .\n' "$(bench_ratio t-jq t-mi-bench-core)"
