#!/usr/bin/env bash
# Benchmark of the audit (issue 14, "Done when": 1,000,000 cases plus 20,000,000 fee lines in under 120 s, memory
# proportional to cases, not to fee lines): mi-gen writes the cases, their fee lines and the previous period with
# violations planted in 1% of the cases; the knowledge points and examples/audit/rules.toml are imported; mi-audit
# runs every rule on them (release build). Prints wall time, CPU, peak RSS and lines/s, then the same for a tenth
# of the fee lines over the same cases, to show that memory follows cases, not lines, and the audit's summary.
# Usage: [OUTPATIENT=K] scripts/bench-audit.sh [CASES] [LINES_PER_CASE]   (defaults 1,000,000, 20 and K = 0)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-1000000}
per=${2:-20}
[ -f scripts/bench-lib.sh ] && . scripts/bench-lib.sh
kp=${MI_REFERENCE:-../shared/reference}/audit
[ -d "$kp" ] || kp=examples/audit/kp-mini
swift build -c release --scratch-path .build-release --product mi-gen >&2
swift build -c release --scratch-path .build-release --product mi-audit >&2
swift build -c release --scratch-path .build-release --product mi-catalog >&2
bin=.build-release/release
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The generated data is kept in $data between runs (delete it to generate it again): generating 20,000,000 lines
# takes about as long as auditing them.
# CASES are inpatient cases (病例), each with PER fee lines: the issue's 1,000,000 cases and 20,000,000 lines.
# OUTPATIENT one-line outpatient settlements per case come on top (default 0: the clean data's 门诊住院比 rule
# G01O then fires once per institution, which does not matter for timing).
outpatient=${OUTPATIENT:-0}
inpatient=$cases
per_inpatient=$per
data=${TMPDIR:-/tmp}/mi-bench-audit-$cases-$per-$outpatient
mkdir -p "$data"
if [ ! -s "$data/fees.ndjson" ] || [ ! -s "$data/manifest.ndjson" ]; then
  /usr/bin/time -f "generated in %e s, peak RSS %M KB" "$bin/mi-gen" fees --count "$inpatient" \
    --lines-per-case "$per_inpatient" --outpatient-per-case "$outpatient" \
    --hospitals 300 --seed 1 --year 2024 --inject 0.01 --kp "$kp" --rules examples/audit/rules.toml \
    --manifest "$data/manifest.ndjson" --cases-out "$data/cases.ndjson" --previous-out "$data/previous.ndjson" \
    -o "$data/fees.ndjson"
fi
"$bin/mi-catalog" import kp "$kp" --name kp-bench --db "$dir/mi.db" >&2
"$bin/mi-catalog" import audit-rules examples/audit/rules.toml --name rules-bench --db "$dir/mi.db" >&2
lines=$(wc -l < "$data/fees.ndjson")
size=$(( $(stat -c %s "$data/fees.ndjson") + $(stat -c %s "$data/cases.ndjson") ))
echo "input: $cases cases, $lines fee lines, $((size / 1000000)) MB; kp $kp"
measure() { # name, fee file: audit all rules; print seconds, CPU, lines/s, peak RSS
  local name=$1 fees=$2 n t0 t1 secs
  n=$(wc -l < "$fees")
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$dir/time-$name" "$bin/mi-audit" run --rules rules-bench --kp kp-bench --db "$dir/mi.db" \
    --cases "$data/cases.ndjson" --previous "$data/previous.ndjson" --fees "$fees" -o "$dir/findings-$name.ndjson" \
    2> "$dir/err-$name" || { cat "$dir/err-$name" >&2; exit 1; }
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  local rss user sys
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time-$name")
  user=$(awk -F': ' '/User time/ { print $2 }' "$dir/time-$name")
  sys=$(awk -F': ' '/System time/ { print $2 }' "$dir/time-$name")
  # CPU time (user + system) is shown beside the wall time: on 2 shared cores the wall time depends on the load.
  printf '%-6s %10d lines %8.2f s wall %8.2f s CPU %10.0f lines/s  peak RSS %8d KB\n' "$name" "$n" "$secs" \
    "$(echo "$user + $sys" | bc -l)" "$(echo "$n / $secs" | bc -l)" "$rss"
  echo "$secs" > "$dir/t-$name"
  echo "$rss" > "$dir/m-$name"
}
head -n "$((lines / 10))" "$data/fees.ndjson" > "$dir/tenth.ndjson"
measure tenth "$dir/tenth.ndjson"
measure full "$data/fees.ndjson"
echo "summary: $(cat "$dir/err-full")"
echo "findings: $(wc -l < "$dir/findings-full.ndjson"), planted: $(wc -l < "$data/manifest.ndjson")"
printf 'time for %d lines: %.2f s (limit 120 s); RSS full/tenth: %.2f\n' "$lines" "$(cat "$dir/t-full")" \
  "$(echo "$(cat "$dir/m-full") / $(cat "$dir/m-tenth")" | bc -l)"
